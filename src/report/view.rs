//! The report's view: the typed tables of a run in, one serialisable [`View`] out,
//! with every figure a reader sees formatted once, here (through [`super::format`]).
//!
//! Receives [`Tables`] and the config; hands [`View`] to the charts and to the
//! templates of the page (`templates/report.html`), the sponsor digest
//! (`templates/summary.md`) and the lessons (`templates/lessons.md`). The templates lay
//! out and word; they never compute a figure. Only group-level figures pass through: no
//! person's id or name is ever read here.

use serde::Serialize;

use super::format::{one_decimal, p_value, pct, points, status_words, thousands};
use crate::config::{Config, Phase, Wave};
use crate::metrics::{
    AttentionRow, CampaignRow, CategoryRow, Diagnosis, Factor, GroupRow, LiftRow, QualityRow,
    Status, Tables, WeekRow,
};
use crate::schema::ALL;

/// One `group_metrics` row with its figures formatted.
#[derive(Debug, Clone, Serialize)]
pub struct GroupLine {
    /// The workload.
    pub workload: String,
    /// Wave name, or `(all)`.
    pub wave: String,
    /// Group label, or `(all)`.
    pub group: String,
    /// `on_track`, `at_risk`, … (a CSS class and a key for colours).
    pub status: &'static str,
    /// The status in words.
    pub status_label: &'static str,
    /// False for a suppressed row: nothing else is shown.
    pub shown: bool,
    /// Eligible people.
    pub eligible: Option<i64>,
    /// Enrolled people.
    pub enrolled: Option<i64>,
    /// enrolled / eligible.
    pub rate: Option<f64>,
    /// Wilson 95 % interval of `rate`.
    pub rate_low: Option<f64>,
    /// Wilson 95 % interval of `rate`.
    pub rate_high: Option<f64>,
    /// Target share at D.
    pub target: Option<f64>,
    /// rate − target.
    pub gap: Option<f64>,
    /// Openers among the eligible (for the funnel).
    pub openers: Option<i64>,
    /// Trained among the eligible (for the funnel).
    pub trained: Option<i64>,
    /// Reached by any channel (for the funnel; `None` without touchpoints).
    pub reached: Option<i64>,
    /// Rate change since D − 7, in shares.
    pub change: Option<f64>,
    /// `rate` formatted.
    pub rate_text: String,
    /// `target` formatted.
    pub target_text: String,
    /// `gap` formatted in points.
    pub gap_text: String,
    /// Week-over-week change formatted in points.
    pub change_text: String,
    /// Wilson interval formatted.
    pub interval_text: String,
    /// Open rate formatted.
    pub open_rate_text: String,
    /// Training rate formatted.
    pub training_rate_text: String,
    /// Tickets per 100 enrolled formatted.
    pub tickets_per_100_text: String,
    /// Tickets (count).
    pub tickets: Option<i64>,
    /// People enrolled since D − 7.
    pub new_this_week: Option<i64>,
    /// `reached`, a date, or `–`.
    pub projected: String,
    /// The day the final target is reached, in words: `reached`, a date, `no recent
    /// progress`, `not started`, or `–` for a row not shown.
    pub projected_text: String,
    /// `71.5 % (1,234 / 1,726)`, or `–` for a row not shown (the digest's cell).
    pub enrolled_of_text: String,
}

impl GroupLine {
    fn of(row: &GroupRow, week_ago: Option<&GroupRow>) -> GroupLine {
        let v = row.values.as_ref();
        let rate = v.and_then(|v| v.enrollment_rate());
        let before = week_ago
            .and_then(|r| r.values.as_ref())
            .and_then(|v| v.enrollment_rate());
        let change = rate.zip(before).map(|(a, b)| a - b);
        let (low, high) = v
            .and_then(|v| v.rate_interval)
            .map_or((None, None), |(l, h)| (Some(l), Some(h)));
        let projected = v
            .and_then(|v| v.projected_target_date.clone())
            .unwrap_or_else(|| "–".to_string());
        let range = v.and_then(|v| match &v.forecast {
            Some(crate::metrics::survival::Forecast::Range(r)) => Some(r),
            _ => None,
        });
        let projected_text = match (v, row.status, projected.as_str(), range) {
            (None, ..) => "–".to_string(),
            (_, Status::NotStarted, ..) => "not started".to_string(),
            // Judging by earlier waves: the likely day and the range.
            (_, _, p, Some(r)) if p != "reached" => format!(
                "{} ({} – {})",
                r.likely.format("%Y-%m-%d"),
                day_text(r.low),
                day_text(r.high)
            ),
            (_, _, "–", _) => "no recent progress".to_string(),
            (_, _, p, _) => p.to_string(),
        };
        GroupLine {
            workload: row.workload.clone(),
            wave: row.wave.clone(),
            group: row.group.clone(),
            status: row.status.name(),
            status_label: status_words(row.status),
            shown: v.is_some(),
            eligible: v.map(|v| v.eligible),
            enrolled: v.map(|v| v.enrolled),
            rate,
            rate_low: low,
            rate_high: high,
            target: v.map(|v| v.target_rate),
            gap: v.and_then(|v| v.gap()),
            openers: v.map(|v| v.openers),
            trained: v.map(|v| v.trained),
            reached: v.and_then(|v| v.reached),
            change,
            rate_text: pct(rate),
            target_text: pct(v.map(|v| v.target_rate)),
            gap_text: points(v.and_then(|v| v.gap())),
            change_text: points(change),
            interval_text: match (low, high) {
                (Some(l), Some(h)) => format!("{} – {}", pct(Some(l)), pct(Some(h))),
                _ => "–".to_string(),
            },
            open_rate_text: pct(v.and_then(|v| v.open_rate())),
            training_rate_text: pct(v.and_then(|v| v.training_rate())),
            tickets_per_100_text: one_decimal(v.and_then(|v| v.tickets_per_100_enrolled())),
            tickets: v.map(|v| v.tickets),
            new_this_week: v.map(|v| v.enrolled - v.enrolled_7d_ago),
            projected,
            projected_text,
            enrolled_of_text: match v {
                Some(v) => format!(
                    "{} ({} / {})",
                    pct(rate),
                    thousands(v.enrolled),
                    thousands(v.eligible)
                ),
                None => "–".to_string(),
            },
        }
    }
}

/// One workload: its overall row and its waves.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadLine {
    /// The workload's name.
    pub name: String,
    /// Its overall row (none when every wave of it is suppressed).
    pub overall: Option<GroupLine>,
    /// Its waves, config order.
    pub waves: Vec<WaveLine>,
}

/// One cut's rows in one wave, most behind first.
#[derive(Debug, Clone, Serialize)]
pub struct CutWave {
    /// The workload.
    pub workload: String,
    /// The wave.
    pub wave: String,
    /// Its shown values (not `(all)`), most behind first, then by name.
    pub values: Vec<GroupLine>,
}

/// The analyst section of one cut.
#[derive(Debug, Clone, Serialize)]
pub struct CutSection {
    /// The roster column.
    pub cut: String,
    /// The chart's file stem (`cut_<k>`).
    pub chart: String,
    /// Per wave with a shown value.
    pub waves: Vec<CutWave>,
}

/// One wave: its `(all)` row plus the plan it runs on.
#[derive(Debug, Clone, Serialize)]
pub struct WaveLine {
    /// The `(all)` row of the wave.
    pub line: GroupLine,
    /// The wave's first day, YYYY-MM-DD.
    pub start: String,
    /// The final target share, formatted.
    pub final_target_text: String,
    /// Its shown groups (not `(all)`), in table order.
    pub groups: Vec<GroupLine>,
}

/// One row of the `attention` table.
#[derive(Debug, Clone, Serialize)]
pub struct AttentionLine {
    /// The workload the group is behind on.
    pub workload: String,
    /// Wave name.
    pub wave: String,
    /// Group label.
    pub group: String,
    /// Table status name.
    pub status: &'static str,
    /// The status in words.
    pub status_label: &'static str,
    /// Gap in points.
    pub gap_text: String,
    /// People short of today's target.
    pub missing_users: i64,
    /// The diagnoses, as the table names them.
    pub diagnosis_names: Vec<&'static str>,
    /// The diagnoses, in words.
    pub diagnosis: Vec<&'static str>,
    /// The diagnoses, in a few words each (for the summary).
    pub diagnosis_short: Vec<&'static str>,
    /// What to do.
    pub action: String,
    /// The action for the first diagnosis.
    pub first_action: &'static str,
    /// A remark (no champion).
    pub note: Option<&'static str>,
}

/// A diagnosis in words, with what it means.
fn diagnosis_label(d: Diagnosis) -> &'static str {
    match d {
        Diagnosis::Awareness => "awareness (emails not opened)",
        Diagnosis::Knowledge => "knowledge (not trained)",
        Diagnosis::Support => "support (many tickets)",
        Diagnosis::Adoption => "adoption (informed and trained, not enrolled)",
        Diagnosis::Health => "health (devices not compliant or not checking in)",
        Diagnosis::Use => "use (enrolled, not using it)",
        Diagnosis::Experience => "experience (respondents not satisfied)",
    }
}

/// A diagnosis in a few words.
fn diagnosis_short(d: Diagnosis) -> &'static str {
    match d {
        Diagnosis::Awareness => "emails not opened",
        Diagnosis::Knowledge => "not trained",
        Diagnosis::Support => "many help-desk tickets",
        Diagnosis::Adoption => "informed and trained, yet not enrolled",
        Diagnosis::Health => "devices not healthy",
        Diagnosis::Use => "not using it",
        Diagnosis::Experience => "respondents not satisfied",
    }
}

impl AttentionLine {
    fn of(row: &AttentionRow) -> AttentionLine {
        AttentionLine {
            workload: row.workload.clone(),
            wave: row.wave.clone(),
            group: row.group.clone(),
            status: row.status.name(),
            status_label: status_words(row.status),
            gap_text: points(row.gap),
            missing_users: row.missing_users,
            diagnosis_names: row.diagnosis.iter().map(|d| d.name()).collect(),
            diagnosis: row.diagnosis.iter().copied().map(diagnosis_label).collect(),
            diagnosis_short: row.diagnosis.iter().copied().map(diagnosis_short).collect(),
            action: row.action_text(),
            first_action: row.diagnosis.first().map_or("", |d| d.action()),
            note: row.note.map(|n| n.text()),
        }
    }
}

/// One week of a wave's `(all)` progress.
#[derive(Debug, Clone, Serialize)]
pub struct WeekPoint {
    /// Wave name.
    pub wave: String,
    /// Weeks since the wave's start week.
    pub week_of_wave: i64,
    /// Enrolled by the week's end.
    pub enrolled: i64,
    /// Share enrolled by the week's end.
    pub rate: Option<f64>,
    /// Target share at the week's end.
    pub target: Option<f64>,
    /// Tickets opened in the week.
    pub tickets: i64,
}

impl WeekPoint {
    /// Tickets per 100 enrolled by the week's end.
    pub fn tickets_per_100(&self) -> Option<f64> {
        (self.enrolled > 0).then(|| 100.0 * self.tickets as f64 / self.enrolled as f64)
    }
}

/// One row of the `lift` table.
#[derive(Debug, Clone, Serialize)]
pub struct LiftLine {
    /// The workload.
    pub workload: String,
    /// Wave name, or `(all)`.
    pub wave: String,
    /// `opened_email`, `trained` or `trained:<method>`.
    pub factor: String,
    /// The factor in words.
    pub factor_label: String,
    /// Who has the factor, as a clause (`trained`, `opened a rollout email`).
    pub factor_clause: String,
    /// People with the factor.
    pub n_with: Option<i64>,
    /// Their enrollment rate.
    pub rate_with: Option<f64>,
    /// Its Wilson interval.
    pub with_interval: Option<(f64, f64)>,
    /// People without the factor.
    pub n_without: Option<i64>,
    /// Their enrollment rate.
    pub rate_without: Option<f64>,
    /// Its Wilson interval.
    pub without_interval: Option<(f64, f64)>,
    /// `rate_with` formatted.
    pub rate_with_text: String,
    /// Its interval's ends formatted.
    pub with_low_text: String,
    /// Its interval's ends formatted.
    pub with_high_text: String,
    /// `rate_without` formatted.
    pub rate_without_text: String,
    /// Its interval's ends formatted.
    pub without_low_text: String,
    /// Its interval's ends formatted.
    pub without_high_text: String,
    /// Difference in points.
    pub difference_text: String,
    /// Whether both rates and the difference are shown.
    pub compared: bool,
    /// The p-value in words a sponsor can read.
    pub p_text: String,
    /// The p-value as the digest writes it: `p < 0.001`, `p = 0.042` or `no test`.
    pub p_clause: String,
    /// The table's note (why a rate is missing).
    pub note: Option<&'static str>,
}

impl LiftLine {
    fn of(row: &LiftRow) -> LiftLine {
        let (with, without) = (row.with, row.without);
        let end = |i: Option<(f64, f64)>, high: bool| pct(i.map(|i| if high { i.1 } else { i.0 }));
        let (factor_label, factor_clause, _) = factor_words(row.factor, row.label.as_deref());
        LiftLine {
            workload: row.workload.clone(),
            wave: row.wave.clone(),
            factor: row.factor_name().into_owned(),
            factor_label,
            factor_clause,
            n_with: with.n,
            rate_with: with.rate,
            with_interval: with.interval,
            n_without: without.n,
            rate_without: without.rate,
            without_interval: without.interval,
            rate_with_text: pct(with.rate),
            with_low_text: end(with.interval, false),
            with_high_text: end(with.interval, true),
            rate_without_text: pct(without.rate),
            without_low_text: end(without.interval, false),
            without_high_text: end(without.interval, true),
            difference_text: points(row.difference),
            compared: with.rate.is_some() && without.rate.is_some() && row.difference.is_some(),
            p_text: p_value(row.p_value),
            p_clause: match row.p_value {
                Some(p) if p < 0.001 => "p < 0.001".to_string(),
                Some(p) => format!("p = {p:.3}"),
                None => "no test".to_string(),
            },
            note: row.note.map(|n| n.text()),
        }
    }
}

/// One row of `ticket_categories`.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryLine {
    /// Wave name, or `(all)`.
    pub wave: String,
    /// Ticket category.
    pub category: String,
    /// Tickets.
    pub tickets: i64,
    /// `tickets` formatted.
    pub tickets_text: String,
    /// Share of the wave's tickets.
    pub share: Option<f64>,
    /// `share` formatted.
    pub share_text: String,
    /// Median resolution hours formatted.
    pub median_hours_text: String,
    /// The median in the digest's words: `12.5 h`, or `– (none resolved)`.
    pub median_hours_clause: String,
}

impl CategoryLine {
    fn of(row: &CategoryRow) -> CategoryLine {
        CategoryLine {
            wave: row.wave.clone(),
            category: row.category.clone(),
            tickets: row.tickets,
            tickets_text: thousands(row.tickets),
            share: row.share,
            share_text: pct(row.share),
            median_hours_text: one_decimal(row.median_resolution_hours),
            median_hours_clause: row
                .median_resolution_hours
                .map_or_else(|| "– (none resolved)".to_string(), |h| format!("{h:.1} h")),
        }
    }
}

/// One row of `data_quality`.
#[derive(Debug, Clone, Serialize)]
pub struct QualityLine {
    /// Source name.
    pub source: &'static str,
    /// Data rows read.
    pub rows_read: i64,
    /// Rows accepted.
    pub rows_accepted: i64,
    /// Rows quarantined.
    pub rows_quarantined: i64,
    /// Distinct ids not on the roster.
    pub unmatched_users: i64,
    /// Repeats removed.
    pub duplicates_removed: i64,
    /// Rows matched by display name.
    pub matched_by_name: i64,
}

impl QualityLine {
    fn of(row: &QualityRow) -> QualityLine {
        QualityLine {
            source: row.source.name(),
            rows_read: row.rows_read,
            rows_accepted: row.rows_accepted,
            rows_quarantined: row.rows_quarantined,
            unmatched_users: row.unmatched_users,
            duplicates_removed: row.duplicates_removed,
            matched_by_name: row.matched_by_name,
        }
    }
}

/// One row of `campaigns`, as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignLine {
    /// The campaign.
    pub campaign: String,
    /// Its phase, or `–`.
    pub phase: &'static str,
    /// Its wave, or `–`.
    pub wave: String,
    /// People it reached: a count, `< k` when hidden, `–` when the wave is suppressed.
    pub recipients_text: String,
    /// People who opened it, likewise.
    pub openers_text: String,
    /// Open rate.
    pub open_rate_text: String,
    /// Reach of the wave's eligible people.
    pub reach_text: String,
    /// Planned day, or `–`.
    pub planned: String,
    /// First sent, or `–`.
    pub first_sent: String,
    /// Days late (`+2`, `0`, `−1`), or `–`.
    pub days_late_text: String,
    /// With touchpoints: people reached by any channel (`< k` when few, `–` when
    /// hidden because it exceeds the shown openers by few, or without touchpoints).
    pub any_channel_text: String,
    /// With touchpoints: their share of the wave's eligible people.
    pub any_channel_share_text: String,
}

impl CampaignLine {
    fn of(row: &CampaignRow, min: i64) -> CampaignLine {
        let day = |d: Option<chrono::NaiveDate>| {
            d.map_or_else(|| "–".to_string(), |d| d.format("%Y-%m-%d").to_string())
        };
        CampaignLine {
            campaign: row.campaign.clone(),
            phase: row.phase.map_or("–", Phase::name),
            wave: row.wave.clone().unwrap_or_else(|| "–".to_string()),
            recipients_text: hidden_count(row.recipients, min),
            openers_text: hidden_count(row.openers, min),
            open_rate_text: pct(row.open_rate),
            reach_text: pct(row.reach),
            planned: day(row.planned),
            first_sent: day(row.first_sent),
            days_late_text: match row.days_late {
                Some(d) if d > 0 => format!("+{d}"),
                Some(d) if d < 0 => format!("\u{2212}{}", -d),
                Some(_) => "0".to_string(),
                None => "–".to_string(),
            },
            // `–` when hidden for exceeding the shown openers by few (docs/metrics.md,
            // "campaigns"): not `< k`, it is not few itself.
            any_channel_text: hidden_count(row.reached, min),
            any_channel_share_text: pct(row.reach_rate),
        }
    }
}

/// A count that privacy may hide: the number, `< k` when it counts 1 to k − 1
/// people, `–` when there is nothing to show.
fn hidden_count(c: Option<crate::privacy::Count>, min: i64) -> String {
    match c {
        Some(crate::privacy::Count::Of(n)) => thousands(n),
        Some(crate::privacy::Count::Few) => format!("< {min}"),
        Some(crate::privacy::Count::Derived) => "–".to_string(),
        None => "–".to_string(),
    }
}

/// A wave's time-to-enroll curve (its `(all)` row of `time_to_enroll`), for the chart.
#[derive(Debug, Clone, Serialize)]
pub struct CurveLine {
    /// The workload.
    pub workload: String,
    /// The wave.
    pub wave: String,
    /// Days the wave has run (D − start): the curve ends there.
    pub horizon: i64,
    /// (day, share enrolled, band low, band high) on each day with an enrollment.
    pub points: Vec<(i64, f64, Option<f64>, Option<f64>)>,
    /// Days until half the wave enrolled, or `–`.
    pub median_text: String,
    /// Share enrolled by day 14, 28, 42 (or `–` when the wave has not run that long).
    pub share_by_day_text: [String; 3],
    /// Where the wave is heading, as a clause.
    pub outlook: String,
}

/// One row of `effects`, as the page and the lessons show it.
#[derive(Debug, Clone, Serialize)]
pub struct EffectLine {
    /// The workload.
    pub workload: String,
    /// The wave, or `(all)`.
    pub wave: String,
    /// The factor in words.
    pub factor_label: String,
    /// Who has had the factor, as a clause (`had trained by brown bag`).
    pub factor_clause: String,
    /// Whether the factor is a channel beyond email.
    pub channel: bool,
    /// The risk ratio, `1.69`, or `–`.
    pub ratio_text: String,
    /// Its interval, `1.51 – 1.89`, or `–`.
    pub interval_text: String,
    /// Whether a ratio is shown.
    pub shown: bool,
    /// Weeks of people compared, exposed and not: `1,718 / 1,355`.
    pub person_weeks_text: String,
    /// The naive lift of the same wave and factor, in points, for comparison.
    pub naive_text: String,
    /// Why the ratio is empty, if it is.
    pub note: Option<&'static str>,
}

/// A wave whose status changed since last week.
#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    /// Wave name.
    pub wave: String,
    /// The status a week ago, in words.
    pub from: &'static str,
    /// The status now, in words.
    pub to: &'static str,
}

/// A group that gained at least 5 points since last week.
#[derive(Debug, Clone, Serialize)]
pub struct Gain {
    /// Wave name.
    pub wave: String,
    /// Group label.
    pub group: String,
    /// The change in points.
    pub change_text: String,
}

/// A wave at risk or behind, for the digest.
#[derive(Debug, Clone, Serialize)]
pub struct WaveAtRisk {
    /// Wave name.
    pub wave: String,
    /// Its status in words.
    pub status_label: &'static str,
    /// Its rate formatted.
    pub rate_text: String,
    /// Its target today formatted.
    pub target_text: String,
    /// Its final target share formatted.
    pub final_target_text: String,
    /// Where it is heading, as a clause (see [`outlook`]).
    pub outlook: String,
}

/// One finding of the lessons: something that went well or is to improve. The
/// template words it; every figure is formatted here.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A later wave against an earlier one, at the same week of wave.
    WaveAgainstWave {
        /// The week of wave compared.
        week: usize,
        /// The earlier wave.
        earlier: String,
        /// Its rate that week.
        earlier_rate: String,
        /// The later wave.
        later: String,
        /// Its rate that week.
        later_rate: String,
        /// later − earlier, in points.
        difference: String,
        /// Whether the later wave is ahead.
        ahead: bool,
    },
    /// A phase of the communication plan reached under 90 % of its waves' people.
    PhaseLowReach {
        /// The phase.
        phase: &'static str,
        /// Its mean reach.
        reach: String,
    },
    /// A campaign went out after its planned day.
    CampaignLate {
        /// The campaign.
        campaign: String,
        /// Days late, with its unit (`1 day`, `3 days`).
        late: String,
        /// The planned day.
        planned: String,
        /// The day it first went out.
        first_sent: String,
    },
    /// Campaigns that went out on or before their planned day.
    CampaignsOnTime {
        /// How many, with their noun (`1 campaign`, `4 campaigns`).
        campaigns: String,
        /// How many.
        n: i64,
    },
    /// A wave is on track.
    WaveOnTrack {
        /// The wave.
        wave: String,
    },
    /// A wave is behind.
    WaveBehind {
        /// The wave.
        wave: String,
        /// Its rate.
        rate: String,
        /// Its target today.
        target: String,
    },
}

/// The communication plan, one phase at a time.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseLine {
    /// The phase.
    pub phase: &'static str,
    /// Its campaigns.
    pub campaigns: usize,
    /// Their mean reach.
    pub mean_reach_text: String,
    /// Openers over recipients, over its campaigns.
    pub open_rate_text: String,
    /// How many went out late.
    pub late: usize,
}

/// The wave-against-wave table of the lessons: one column per wave, one row per week
/// of wave.
#[derive(Debug, Clone, Serialize)]
pub struct CurveTable {
    /// The waves, config order (those with a figure).
    pub waves: Vec<String>,
    /// Per week of wave: one cell per wave (`45.0 % (target 50.0 %)`, or empty).
    pub rows: Vec<Vec<Option<String>>>,
}

/// A wave over its help-desk ceiling.
#[derive(Debug, Clone, Serialize)]
pub struct OverCeiling {
    /// The wave.
    pub wave: String,
    /// Its tickets per 100 enrolled.
    pub rate: String,
    /// The ceiling.
    pub limit: String,
}

/// The lessons for operations.
#[derive(Debug, Clone, Serialize)]
pub struct Lessons {
    /// What went well, in order.
    pub well: Vec<Finding>,
    /// What to improve, in order.
    pub improve: Vec<Finding>,
    /// Wave against wave by week of wave.
    pub curves: CurveTable,
    /// The communication plan by phase.
    pub phases: Vec<PhaseLine>,
    /// The overall `lift` rows.
    pub lift: Vec<LiftLine>,
    /// The next wave to start, if any.
    pub next_wave: Option<String>,
    /// Whether the tickets table has any row.
    pub any_categories: bool,
    /// The three categories with most tickets overall.
    pub top_categories: Vec<CategoryLine>,
    /// Waves over their ticket ceiling.
    pub over_ceiling: Vec<OverCeiling>,
}

/// Everything the page, the charts and the digests show.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The rollout's name.
    pub rollout: String,
    /// The as-of day, YYYY-MM-DD.
    pub as_of: String,
    /// Where the as-of day came from.
    pub as_of_from: String,
    /// The day a week earlier, YYYY-MM-DD.
    pub week_ago: String,
    /// The rollout's time zone.
    pub timezone: String,
    /// The roster column that defines a group.
    pub group_by: String,
    /// The privacy threshold.
    pub min_group_size: i64,
    /// Minutes that make a person trained.
    pub training_min_minutes: String,
    /// The at-risk margin in points.
    pub at_risk_margin_text: String,
    /// The first workload's overall row (none when every wave of it is suppressed).
    pub overall: Option<GroupLine>,
    /// Each wave, config order (every workload's).
    pub waves: Vec<WaveLine>,
    /// Each workload with its overall row and waves, config order.
    pub workloads: Vec<WorkloadLine>,
    /// Whether the rollout has more than one workload (the page and digests then say
    /// which workload each figure is of).
    pub several_workloads: bool,
    /// What the run must say in words: too many rows quarantined, a stale snapshot,
    /// a mistyped latest date.
    pub warnings: Vec<String>,
    /// The cuts' analyst sections.
    pub cuts: Vec<CutSection>,
    /// Each started wave's time-to-enroll curve and forecast.
    pub curves: Vec<CurveLine>,
    /// `effects` rows.
    pub effects: Vec<EffectLine>,
    /// Every shown (wave, group) row that is not an `(all)` row.
    pub groups: Vec<GroupLine>,
    /// The attention list.
    pub attention: Vec<AttentionLine>,
    /// `weekly_progress` `(all)` rows.
    pub weeks: Vec<WeekPoint>,
    /// `lift` rows.
    pub lift: Vec<LiftLine>,
    /// `ticket_categories` rows.
    pub categories: Vec<CategoryLine>,
    /// `campaigns` rows.
    pub campaigns: Vec<CampaignLine>,
    /// `data_quality` rows.
    pub quality: Vec<QualityLine>,
    /// Roster people suppressed with their small wave (data quality).
    pub suppressed_people: i64,
    /// Roster people with no wave.
    pub unassigned_people: i64,
    /// Leavers left out.
    pub left_people: i64,
    /// Waves whose status changed since last week.
    pub status_changes: Vec<StatusChange>,
    /// Groups that gained 5 points or more since last week (at most five).
    pub gains: Vec<Gain>,
    /// Waves at risk or behind.
    pub at_risk: Vec<WaveAtRisk>,
    /// The lessons.
    pub lessons: Lessons,
    /// Channels beyond email and ways to learn (`channels`, `training_methods`).
    pub reach: super::reach::ReachSection,
    /// What follows enrollment (healthy devices, active use, the survey); `None` when
    /// the rollout has none of those figures.
    pub after: Option<super::after_view::AfterSection>,
}

impl View {
    /// Builds the view of a run's tables.
    pub fn build(cfg: &Config, tables: &Tables, as_of_from: &str, warnings: &[String]) -> View {
        let week_ago = |row: &GroupRow| {
            tables
                .group_metrics_week_ago
                .iter()
                .find(|r| r.workload == row.workload && r.wave == row.wave && r.group == row.group)
        };
        let lines: Vec<GroupLine> = tables
            .group_metrics
            .iter()
            .map(|r| GroupLine::of(r, week_ago(r)))
            .collect();
        let overall = lines
            .iter()
            .find(|l| l.wave == ALL && l.group == ALL && l.shown)
            .cloned();
        let waves: Vec<WaveLine> = cfg
            .waves
            .iter()
            .filter_map(|w| {
                let line = lines
                    .iter()
                    .find(|l| l.wave == w.name && l.group == ALL)?
                    .clone();
                Some(WaveLine {
                    line,
                    start: w.start.format("%Y-%m-%d").to_string(),
                    final_target_text: pct(Some(w.final_share())),
                    groups: lines
                        .iter()
                        .filter(|l| l.wave == w.name && l.group != ALL)
                        .cloned()
                        .collect(),
                })
            })
            .collect();
        let groups: Vec<GroupLine> = lines
            .iter()
            .filter(|l| l.wave != ALL && l.group != ALL)
            .cloned()
            .collect();
        let workloads: Vec<WorkloadLine> = cfg
            .workloads
            .iter()
            .map(|w| WorkloadLine {
                name: w.name.clone(),
                overall: lines
                    .iter()
                    .find(|l| l.workload == w.name && l.wave == ALL && l.group == ALL && l.shown)
                    .cloned(),
                waves: waves
                    .iter()
                    .filter(|x| x.line.workload == w.name)
                    .cloned()
                    .collect(),
            })
            .collect();
        let roster = tables
            .data_quality
            .iter()
            .find(|q| q.source == crate::schema::Source::Roster);
        let roster_count = |f: fn(&QualityRow) -> Option<i64>| roster.and_then(f).unwrap_or(0);
        // The `trained:<method>` rows are the training methods' section's.
        let lift: Vec<LiftLine> = tables
            .lift
            .iter()
            .filter(|r| r.label.is_none())
            .map(LiftLine::of)
            .collect();
        let categories: Vec<CategoryLine> = tables
            .ticket_categories
            .iter()
            .map(CategoryLine::of)
            .collect();
        View {
            rollout: cfg.name.clone(),
            as_of: tables.as_of.format("%Y-%m-%d").to_string(),
            as_of_from: as_of_from.to_string(),
            week_ago: (tables.as_of - chrono::Days::new(7))
                .format("%Y-%m-%d")
                .to_string(),
            timezone: cfg.timezone.name().to_string(),
            group_by: cfg.group_by.clone(),
            min_group_size: i64::from(cfg.thresholds.min_group_size),
            training_min_minutes: format!("{}", cfg.thresholds.training_min_minutes),
            at_risk_margin_text: format!("{:.1}", 100.0 * cfg.thresholds.at_risk_margin),
            overall,
            warnings: warnings.to_vec(),
            several_workloads: cfg.workloads.len() > 1,
            cuts: cut_sections(cfg, tables),
            curves: curve_lines(cfg, tables),
            effects: effect_lines(tables),
            workloads,
            status_changes: status_changes(cfg, tables),
            gains: gains(&groups),
            at_risk: at_risk(cfg, tables),
            lessons: lessons(cfg, tables, &lift, &categories),
            reach: super::reach::section(tables),
            waves,
            groups,
            attention: tables.attention.iter().map(AttentionLine::of).collect(),
            weeks: week_points(&tables.weekly_progress),
            lift,
            categories,
            campaigns: tables
                .campaigns
                .iter()
                .map(|c| CampaignLine::of(c, i64::from(cfg.thresholds.min_group_size)))
                .collect(),
            quality: tables.data_quality.iter().map(QualityLine::of).collect(),
            suppressed_people: roster_count(|q| q.suppressed),
            unassigned_people: roster_count(|q| q.unassigned),
            left_people: roster_count(|q| q.left),
            after: super::after_view::after_section(cfg, &tables.after_enrollment),
        }
    }
}

/// Each started, shown wave's `(all)` curve with its figures and outlook.
fn curve_lines(cfg: &Config, tables: &Tables) -> Vec<CurveLine> {
    cfg.waves
        .iter()
        .filter(|w| w.start <= tables.as_of)
        .filter_map(|w| {
            let row = find(&tables.group_metrics, &w.name, ALL)?;
            let v = row.values.as_ref()?;
            let points: Vec<(i64, f64, Option<f64>, Option<f64>)> = tables
                .time_to_enroll
                .iter()
                .filter(|r| r.wave == w.name && r.group == ALL)
                .map(|r| (r.day, r.share_enrolled, r.low, r.high))
                .collect();
            Some(CurveLine {
                workload: cfg.workload_of(w).to_string(),
                wave: w.name.clone(),
                horizon: (tables.as_of - w.start).num_days(),
                points,
                median_text: v.median_days_to_enroll.map_or_else(
                    || "–".to_string(),
                    |d| super::format::plural(d, "day", "days"),
                ),
                share_by_day_text: v.share_by_day.map(pct),
                outlook: outlook(cfg, w, v),
            })
        })
        .collect()
}

/// The `effects` rows, each beside the naive lift of the same wave and factor (for a
/// channel, the difference of the `channels` table).
fn effect_lines(tables: &Tables) -> Vec<EffectLine> {
    tables
        .effects
        .iter()
        .map(|e| {
            let f = &e.factor;
            let naive = if f.factor == Factor::Channel {
                let same = |c: &&crate::metrics::channels::ChannelRow| {
                    c.lift.workload == e.workload
                        && c.lift.wave == e.wave
                        && Some(&c.channel) == f.label.as_ref()
                };
                tables
                    .channels
                    .iter()
                    .find(same)
                    .map(|c| points(c.lift.difference))
            } else {
                // The `lift` row of the same factor and method (`trained:<method>`).
                tables
                    .lift
                    .iter()
                    .find(|l| {
                        l.workload == e.workload
                            && l.wave == e.wave
                            && l.factor == f.factor
                            && l.label == f.label
                    })
                    .map(|l| points(l.difference))
            };
            let (label, _, clause) = factor_words(f.factor, f.label.as_deref());
            EffectLine {
                workload: e.workload.clone(),
                wave: e.wave.clone(),
                factor_label: label,
                factor_clause: clause,
                channel: f.factor == Factor::Channel,
                ratio_text: e
                    .risk_ratio
                    .map_or_else(|| "–".to_string(), |r| format!("{r:.2}")),
                interval_text: e
                    .interval
                    .map_or_else(|| "–".to_string(), |(l, h)| format!("{l:.2} – {h:.2}")),
                shown: e.risk_ratio.is_some(),
                person_weeks_text: format!(
                    "{} / {}",
                    count_or_few(e.exposed_person_weeks),
                    count_or_few(e.unexposed_person_weeks)
                ),
                naive_text: naive.unwrap_or_else(|| "–".to_string()),
                note: e.note.map(|n| n.text()),
            }
        })
        .collect()
}

/// A privacy-guarded count without its threshold: the number, or `few`.
fn count_or_few(c: crate::privacy::Count) -> String {
    match c {
        crate::privacy::Count::Of(n) => thousands(n),
        crate::privacy::Count::Few => "few".to_string(),
        crate::privacy::Count::Derived => "–".to_string(),
    }
}

/// A factor, narrowed to a training method or a channel or not, in words: its label
/// (`trained by brown bag`), who has it as a clause (`trained by brown bag`), and
/// who has had it by a given week (`had trained by brown bag`).
fn factor_words(f: Factor, label: Option<&str>) -> (String, String, String) {
    let (label, clause, had) = match (f, label) {
        (Factor::OpenedEmail, _) => (
            "opened an email".to_string(),
            "opened a rollout email".to_string(),
            "had opened a rollout email".to_string(),
        ),
        (Factor::Trained, None) => (
            "trained".to_string(),
            "trained".to_string(),
            "had trained".to_string(),
        ),
        (Factor::Trained, Some(method)) => (
            format!("trained by {method}"),
            format!("trained by {method}"),
            format!("had trained by {method}"),
        ),
        (Factor::Channel, channel) => {
            let channel = channel.unwrap_or("a channel");
            (
                format!("reached via {channel}"),
                format!("were reached via {channel}"),
                format!("had been reached via {channel}"),
            )
        }
    };
    (label, clause, had)
}

/// The cuts' sections: per cut, per wave, the shown values most behind first.
fn cut_sections(cfg: &Config, tables: &Tables) -> Vec<CutSection> {
    cfg.cuts
        .iter()
        .enumerate()
        .map(|(k, cut)| {
            let lines: Vec<GroupLine> = crate::metrics::cuts::as_groups(&tables.cut_metrics, cut)
                .map(|r| GroupLine::of(&r, None))
                .collect();
            let waves = cfg
                .waves
                .iter()
                .filter_map(|w| {
                    let mut values: Vec<GroupLine> = lines
                        .iter()
                        .filter(|l| l.wave == w.name && l.group != ALL && l.shown)
                        .cloned()
                        .collect();
                    values.sort_by(|a, b| {
                        let (ga, gb) = (a.gap.unwrap_or(0.0), b.gap.unwrap_or(0.0));
                        ga.total_cmp(&gb).then_with(|| a.group.cmp(&b.group))
                    });
                    (!values.is_empty()).then(|| CutWave {
                        workload: cfg.workload_of(w).to_string(),
                        wave: w.name.clone(),
                        values,
                    })
                })
                .collect();
            CutSection {
                cut: cut.clone(),
                chart: format!("cut_{k}"),
                waves,
            }
        })
        .collect()
}

fn find<'a>(rows: &'a [GroupRow], wave: &str, group: &str) -> Option<&'a GroupRow> {
    rows.iter().find(|r| r.wave == wave && r.group == group)
}

/// The waves whose status changed since D − 7 (not to suppressed).
fn status_changes(cfg: &Config, tables: &Tables) -> Vec<StatusChange> {
    cfg.waves
        .iter()
        .filter_map(|w| {
            let now = find(&tables.group_metrics, &w.name, ALL)?;
            let then = find(&tables.group_metrics_week_ago, &w.name, ALL)?;
            (now.status != then.status && now.status != Status::Suppressed).then(|| StatusChange {
                wave: w.name.clone(),
                from: status_words(then.status),
                to: status_words(now.status),
            })
        })
        .collect()
}

/// The five groups that gained most, 5 points or more each: largest gain first, equal
/// gains in table order.
fn gains(groups: &[GroupLine]) -> Vec<Gain> {
    let mut gained: Vec<(f64, &GroupLine)> = groups
        .iter()
        .filter_map(|g| g.change.filter(|d| *d >= 0.05).map(|d| (d, g)))
        .collect();
    gained.sort_by(|a, b| b.0.total_cmp(&a.0));
    gained
        .into_iter()
        .take(5)
        .map(|(_, g)| Gain {
            wave: g.wave.clone(),
            group: g.group.clone(),
            change_text: g.change_text.clone(),
        })
        .collect()
}

/// The started waves at risk or behind, with where they are heading.
fn at_risk(cfg: &Config, tables: &Tables) -> Vec<WaveAtRisk> {
    cfg.waves
        .iter()
        .filter_map(|w| {
            let row = find(&tables.group_metrics, &w.name, ALL)?;
            let v = row.values.as_ref()?;
            if !matches!(row.status, Status::AtRisk | Status::Behind) {
                return None;
            }
            Some(WaveAtRisk {
                wave: w.name.clone(),
                status_label: status_words(row.status),
                rate_text: pct(v.enrollment_rate()),
                target_text: pct(Some(v.target_rate)),
                final_target_text: pct(Some(w.final_share())),
                outlook: outlook(cfg, w, v),
            })
        })
        .collect()
}

/// A day as the digests write a forecast: `12 Jan 2027`.
fn day_text(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// Names as a reader lists them: `A`, `A and B`, `A, B and C`.
fn listed(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where a started wave is heading, as a clause: reached; the forecast from earlier
/// waves' curves with its range; or, with no earlier wave to learn from (or none that
/// got that far), the 14-day pace (docs/metrics.md, "Forecast").
pub fn outlook(cfg: &Config, wave: &Wave, v: &crate::metrics::GroupValues) -> String {
    use crate::metrics::survival::Forecast;
    let target = pct(Some(wave.final_share()));
    match &v.forecast {
        Some(Forecast::Reached) => "it has already reached its final target".to_string(),
        Some(Forecast::Range(r)) => {
            let by = listed(&v.forecast_from);
            if r.low == r.high {
                format!(
                    "judging by {by}, it reaches its final {target} on {}",
                    day_text(r.likely)
                )
            } else {
                format!(
                    "judging by {by}, it reaches its final {target} between {} and {}, most likely on {}",
                    day_text(r.low),
                    day_text(r.high),
                    day_text(r.likely)
                )
            }
        }
        _ => {
            let earlier = cfg
                .waves
                .iter()
                .any(|o| o.workload == wave.workload && o.start < wave.start);
            let why = if earlier {
                "the earlier waves never got that far"
            } else {
                "no earlier wave to learn from"
            };
            match v.projected_target_date.as_deref() {
                Some("reached") => "it has already reached its final target".to_string(),
                Some(d) => format!(
                    "{why}; at the pace of the last 14 days it reaches its final {target} on {d}"
                ),
                None => format!(
                    "{why}, and with no enrollments in the last 14 days it will not reach its final {target} without action"
                ),
            }
        }
    }
}

fn week_points(rows: &[WeekRow]) -> Vec<WeekPoint> {
    rows.iter()
        .filter(|r| r.group == ALL)
        .map(|r| WeekPoint {
            wave: r.wave.clone(),
            week_of_wave: r.week_of_wave,
            enrolled: r.enrolled.unwrap_or(0),
            rate: r.enrollment_rate,
            target: r.target_rate,
            tickets: r.tickets.unwrap_or(0),
        })
        .collect()
}

/// Per wave (config order, waves with a figure only): (rate, target) at each week of
/// wave.
type Curve = Vec<(Option<f64>, Option<f64>)>;

fn wave_curves(cfg: &Config, rows: &[WeekRow]) -> Vec<(String, Curve)> {
    cfg.waves
        .iter()
        .filter_map(|w| {
            let mut points: Vec<(i64, Option<f64>, Option<f64>)> = rows
                .iter()
                .filter(|r| r.wave == w.name && r.group == ALL)
                .map(|r| (r.week_of_wave, r.enrollment_rate, r.target_rate))
                .collect();
            points.sort_by_key(|p| p.0);
            let curve: Curve = points.into_iter().map(|(_, r, t)| (r, t)).collect();
            (!curve.is_empty() && curve.iter().any(|p| p.0.is_some()))
                .then(|| (w.name.clone(), curve))
        })
        .collect()
}

fn lessons(
    cfg: &Config,
    tables: &Tables,
    lift: &[LiftLine],
    categories: &[CategoryLine],
) -> Lessons {
    let mut well = Vec::new();
    let mut improve = Vec::new();

    // Wave against wave, at the same week of each wave's own rollout.
    let curves = wave_curves(cfg, &tables.weekly_progress);
    let max_week = curves.iter().map(|c| c.1.len()).max().unwrap_or(0);
    let table = CurveTable {
        waves: curves.iter().map(|c| c.0.clone()).collect(),
        rows: (0..max_week)
            .map(|k| {
                curves
                    .iter()
                    .map(|(_, points)| match points.get(k) {
                        Some((Some(rate), target)) => {
                            Some(format!("{} (target {})", pct(Some(*rate)), pct(*target)))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .collect(),
    };
    for pair in curves.windows(2) {
        let ((a, pa), (b, pb)) = (&pair[0], &pair[1]);
        let common = pa.len().min(pb.len());
        if common == 0 {
            continue;
        }
        let k = common - 1;
        if let ((Some(ra), _), (Some(rb), _)) = (pa[k], pb[k]) {
            let finding = |ahead| Finding::WaveAgainstWave {
                week: k,
                earlier: a.clone(),
                earlier_rate: pct(Some(ra)),
                later: b.clone(),
                later_rate: pct(Some(rb)),
                difference: points(Some(rb - ra)),
                ahead,
            };
            if rb >= ra + 0.02 {
                well.push(finding(true));
            } else if rb <= ra - 0.02 {
                improve.push(finding(false));
            }
        }
    }

    // The communication plan.
    let phases = phase_lines(&tables.campaigns, &mut improve);
    for c in &tables.campaigns {
        if let (Some(d), Some(p), Some(s)) = (c.days_late, c.planned, c.first_sent) {
            if d > 0 {
                improve.push(Finding::CampaignLate {
                    campaign: c.campaign.clone(),
                    late: super::format::plural(d, "day", "days"),
                    planned: p.format("%Y-%m-%d").to_string(),
                    first_sent: s.format("%Y-%m-%d").to_string(),
                });
            }
        }
    }
    let on_time = tables
        .campaigns
        .iter()
        .filter(|c| c.days_late.is_some_and(|d| d <= 0))
        .count() as i64;
    if on_time > 0 {
        well.push(Finding::CampaignsOnTime {
            campaigns: super::format::plural(on_time, "campaign", "campaigns"),
            n: on_time,
        });
    }

    // Waves.
    for row in tables
        .group_metrics
        .iter()
        .filter(|r| r.group == ALL && r.wave != ALL)
    {
        match (row.status, &row.values) {
            (Status::OnTrack, _) => well.push(Finding::WaveOnTrack {
                wave: row.wave.clone(),
            }),
            (Status::Behind, Some(v)) => improve.push(Finding::WaveBehind {
                wave: row.wave.clone(),
                rate: pct(v.enrollment_rate()),
                target: pct(Some(v.target_rate)),
            }),
            _ => {}
        }
    }

    Lessons {
        well,
        improve,
        curves: table,
        phases,
        lift: lift.iter().filter(|l| l.wave == ALL).cloned().collect(),
        next_wave: cfg
            .waves
            .iter()
            .find(|w| w.start > tables.as_of)
            .map(|w| w.name.clone()),
        any_categories: !categories.is_empty(),
        top_categories: categories
            .iter()
            .filter(|c| c.wave == ALL)
            .take(3)
            .cloned()
            .collect(),
        over_ceiling: over_ceiling(cfg, &tables.group_metrics),
    }
}

/// The phases of the communication plan that have campaigns, in plan order; a phase
/// that reached under 90 % of its waves' people on average is a finding to improve.
fn phase_lines(campaigns: &[CampaignRow], improve: &mut Vec<Finding>) -> Vec<PhaseLine> {
    let mut out = Vec::new();
    for phase in Phase::ALL {
        let of_phase: Vec<&CampaignRow> = campaigns
            .iter()
            .filter(|c| c.phase == Some(phase))
            .collect();
        if of_phase.is_empty() {
            continue;
        }
        // Over the campaigns whose counts are both shown: a hidden count left in a sum
        // would come back out of it by subtraction.
        let shown_pairs: Vec<(i64, i64)> = of_phase
            .iter()
            .filter_map(|c| {
                let shown = |n: Option<crate::privacy::Count>| n.and_then(|n| n.shown());
                Some((shown(c.recipients)?, shown(c.openers)?))
            })
            .collect();
        let recipients: i64 = shown_pairs.iter().map(|p| p.0).sum();
        let openers: i64 = shown_pairs.iter().map(|p| p.1).sum();
        let reaches: Vec<f64> = of_phase.iter().filter_map(|c| c.reach).collect();
        let mean_reach =
            (!reaches.is_empty()).then(|| reaches.iter().sum::<f64>() / reaches.len() as f64);
        let open_rate = (recipients > 0).then(|| openers as f64 / recipients as f64);
        out.push(PhaseLine {
            phase: phase.name(),
            campaigns: of_phase.len(),
            mean_reach_text: pct(mean_reach),
            open_rate_text: pct(open_rate),
            late: of_phase
                .iter()
                .filter(|c| c.days_late.is_some_and(|d| d > 0))
                .count(),
        });
        if mean_reach.is_some_and(|r| r < 0.9) {
            improve.push(Finding::PhaseLowReach {
                phase: phase.name(),
                reach: pct(mean_reach),
            });
        }
    }
    out
}

/// The waves whose tickets per 100 enrolled exceed their ceiling.
fn over_ceiling(cfg: &Config, rows: &[GroupRow]) -> Vec<OverCeiling> {
    rows.iter()
        .filter(|r| r.group == ALL && r.wave != ALL)
        .filter_map(|r| {
            let wave: &Wave = cfg.waves.iter().find(|w| w.name == r.wave)?;
            let rate = r.values.as_ref()?.tickets_per_100_enrolled()?;
            let limit = wave.tickets_per_100_target?;
            (rate > limit).then(|| OverCeiling {
                wave: r.wave.clone(),
                rate: format!("{rate:.1}"),
                limit: format!("{limit:.1}"),
            })
        })
        .collect()
}

//! The report's view: the computed tables read back into plain rows for the page
//! and the charts, with every figure a sponsor sees formatted once, here.
//!
//! Receives [`Tables`] (the `group_metrics` rows and the polars frames) and the
//! config; hands [`View`] to [`super::charts`] and [`super::html`]. Only group-level
//! figures pass through: no person's id or name is ever read here.

use polars::prelude::{DataFrame, DataType};
use serde::Serialize;

use crate::config::Config;
use crate::error::Error;
use crate::metrics::{GroupRow, Status, Tables};
use crate::schema::ALL;

/// A share as a sponsor reads it: `71.5 %` (one decimal; `–` when empty).
pub fn pct(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{:.1} %", 100.0 * r),
        _ => "–".to_string(),
    }
}

/// A change of share in percentage points, signed: `+2.3 pts`, `−0.4 pts`.
pub fn points(delta: Option<f64>) -> String {
    match delta {
        Some(d) if d.is_finite() => {
            let p = 100.0 * d;
            // Round first so that a tiny negative change does not print as "−0.0".
            let rounded = (p * 10.0).round() / 10.0;
            if rounded > 0.0 {
                format!("+{rounded:.1} pts")
            } else if rounded < 0.0 {
                format!("\u{2212}{:.1} pts", -rounded)
            } else {
                "±0.0 pts".to_string()
            }
        }
        _ => "–".to_string(),
    }
}

/// An integer with thousands separators: `12,345`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("\u{2212}{out}")
    } else {
        out
    }
}

/// A number with one decimal, or `–`.
pub fn one_decimal(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.1}"),
        _ => "–".to_string(),
    }
}

/// How a status reads on the page.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "not started",
        Status::OnTrack => "on track",
        Status::AtRisk => "at risk",
        Status::Behind => "behind",
        Status::Suppressed => "suppressed",
    }
}

/// One `group_metrics` row with its figures formatted.
#[derive(Debug, Clone, Serialize)]
pub struct GroupLine {
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
        GroupLine {
            wave: row.wave.clone(),
            group: row.group.clone(),
            status: row.status.name(),
            status_label: status_label(row.status),
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
            projected: v
                .and_then(|v| v.projected_target_date.clone())
                .unwrap_or_else(|| "–".to_string()),
        }
    }
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
    /// Wave name.
    pub wave: String,
    /// Group label.
    pub group: String,
    /// Table status name.
    pub status: String,
    /// The status in words.
    pub status_label: &'static str,
    /// Gap in points.
    pub gap_text: String,
    /// People short of today's target.
    pub missing_users: i64,
    /// The diagnoses, in words.
    pub diagnosis: Vec<String>,
    /// The diagnoses, in a few words each (for the summary).
    pub diagnosis_short: Vec<&'static str>,
    /// What to do.
    pub action: String,
    /// The action for the first diagnosis.
    pub first_action: String,
    /// A remark (no champion).
    pub note: Option<String>,
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
    /// Tickets of the week per 100 people enrolled by its end.
    pub fn tickets_per_100(&self) -> Option<f64> {
        (self.enrolled > 0).then(|| 100.0 * self.tickets as f64 / self.enrolled as f64)
    }
}

/// One row of the `lift` table.
#[derive(Debug, Clone, Serialize)]
pub struct LiftLine {
    /// Wave name, or `(all)`.
    pub wave: String,
    /// `opened_email` or `trained`.
    pub factor: String,
    /// The factor in words.
    pub factor_label: &'static str,
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
    /// `rate_without` formatted.
    pub rate_without_text: String,
    /// Difference in points.
    pub difference_text: String,
    /// The p-value in words a sponsor can read.
    pub p_text: String,
    /// The table's note (why a rate is missing).
    pub note: Option<String>,
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
    /// Share of the wave's tickets.
    pub share: Option<f64>,
    /// `share` formatted.
    pub share_text: String,
    /// Median resolution hours formatted.
    pub median_hours_text: String,
}

/// One row of `data_quality`.
#[derive(Debug, Clone, Serialize)]
pub struct QualityLine {
    /// Source name.
    pub source: String,
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

/// The headline: the overall row against target.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    /// The overall row.
    pub line: GroupLine,
}

/// Everything the page and the charts show.
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
    /// SPEC §5 threshold.
    pub min_group_size: i64,
    /// Minutes that make a person trained.
    pub training_min_minutes: String,
    /// The at-risk margin in points.
    pub at_risk_margin_text: String,
    /// The overall row (none when every wave is suppressed).
    pub overall: Option<GroupLine>,
    /// Each wave, config order.
    pub waves: Vec<WaveLine>,
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
    /// `data_quality` rows.
    pub quality: Vec<QualityLine>,
    /// Roster people suppressed with their small wave (data quality).
    pub suppressed_people: i64,
    /// Roster people with no wave.
    pub unassigned_people: i64,
    /// Leavers left out.
    pub left_people: i64,
}

impl View {
    /// Reads the tables of a run into the view.
    pub fn build(cfg: &Config, tables: &Tables, as_of_from: &str) -> Result<View, Error> {
        let week_ago = |row: &GroupRow| {
            tables
                .groups_week_ago
                .iter()
                .find(|r| r.wave == row.wave && r.group == row.group)
        };
        let lines: Vec<GroupLine> = tables
            .groups
            .iter()
            .map(|r| GroupLine::of(r, week_ago(r)))
            .collect();
        let overall = lines
            .iter()
            .find(|l| l.wave == ALL && l.group == ALL && l.shown)
            .cloned();
        let waves = cfg
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
        let groups = lines
            .iter()
            .filter(|l| l.wave != ALL && l.group != ALL)
            .cloned()
            .collect();
        let frame = |name: &str| {
            tables.frame(name).ok_or_else(|| {
                Error::compute(
                    "report",
                    polars::error::PolarsError::ColumnNotFound(format!("table {name}").into()),
                )
            })
        };
        let quality_frame = frame("data_quality")?;
        let roster_only = |name: &str| -> Result<i64, Error> {
            Ok(ints(quality_frame, name)?.into_iter().flatten().sum())
        };
        Ok(View {
            rollout: cfg.name.clone(),
            as_of: tables.as_of.format("%Y-%m-%d").to_string(),
            as_of_from: as_of_from.to_string(),
            week_ago: (tables.as_of - chrono::Days::new(7))
                .format("%Y-%m-%d")
                .to_string(),
            timezone: cfg.timezone.name().to_string(),
            group_by: cfg.group_by.clone(),
            min_group_size: cfg.thresholds.min_group_size as i64,
            training_min_minutes: format!("{}", cfg.thresholds.training_min_minutes),
            at_risk_margin_text: format!("{:.1}", 100.0 * cfg.thresholds.at_risk_margin),
            overall,
            waves,
            groups,
            attention: attention(frame("attention")?)?,
            weeks: weeks(frame("weekly_progress")?)?,
            lift: lift(frame("lift")?)?,
            categories: categories(frame("ticket_categories")?)?,
            quality: quality(quality_frame)?,
            suppressed_people: roster_only("suppressed")?,
            unassigned_people: roster_only("unassigned")?,
            left_people: roster_only("left")?,
        })
    }

    /// The rows of the attention list a sponsor sees first.
    pub fn top_attention(&self, n: usize) -> &[AttentionLine] {
        &self.attention[..self.attention.len().min(n)]
    }
}

fn err(what: &str) -> impl Fn(polars::error::PolarsError) -> Error + '_ {
    move |e| Error::compute(format!("report ({what})"), e)
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, Error> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(err(name))?;
    let s = c.str().map_err(err(name))?;
    Ok((0..s.len()).map(|i| s.get(i).map(str::to_string)).collect())
}

fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, Error> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(err(name))?;
    let s = c.f64().map_err(err(name))?;
    Ok((0..s.len()).map(|i| s.get(i)).collect())
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, Error> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(err(name))?;
    let s = c.i64().map_err(err(name))?;
    Ok((0..s.len()).map(|i| s.get(i)).collect())
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn diagnosis_label(d: &str) -> String {
    match d {
        "awareness" => "awareness (emails not opened)".to_string(),
        "knowledge" => "knowledge (not trained)".to_string(),
        "support" => "support (many tickets)".to_string(),
        "adoption" => "adoption (informed and trained, not enrolled)".to_string(),
        other => other.to_string(),
    }
}

fn diagnosis_short(d: &str) -> &'static str {
    match d {
        "awareness" => "emails not opened",
        "knowledge" => "not trained",
        "support" => "many help-desk tickets",
        "adoption" => "informed and trained, yet not enrolled",
        _ => "other",
    }
}

fn attention(df: &DataFrame) -> Result<Vec<AttentionLine>, Error> {
    let (wave, group, status) = (strs(df, "wave")?, strs(df, "group")?, strs(df, "status")?);
    let (gap, missing) = (floats(df, "gap")?, ints(df, "missing_users")?);
    let (diag, action, note) = (
        strs(df, "diagnosis")?,
        strs(df, "action")?,
        strs(df, "note")?,
    );
    Ok((0..df.height())
        .map(|i| {
            let status_name = text(&status[i]);
            AttentionLine {
                wave: text(&wave[i]),
                group: text(&group[i]),
                status_label: match status_name.as_str() {
                    "at_risk" => "at risk",
                    "behind" => "behind",
                    "on_track" => "on track",
                    "not_started" => "not started",
                    _ => "suppressed",
                },
                status: status_name,
                gap_text: points(gap[i]),
                missing_users: missing[i].unwrap_or(0),
                diagnosis: text(&diag[i])
                    .split(';')
                    .filter(|d| !d.is_empty())
                    .map(diagnosis_label)
                    .collect(),
                diagnosis_short: text(&diag[i])
                    .split(';')
                    .filter(|d| !d.is_empty())
                    .map(diagnosis_short)
                    .collect(),
                first_action: text(&diag[i])
                    .split(';')
                    .find(|d| !d.is_empty())
                    .map(|d| crate::metrics::groups::action_for(d).to_string())
                    .unwrap_or_default(),
                action: text(&action[i]),
                note: note[i].clone(),
            }
        })
        .collect())
}

fn weeks(df: &DataFrame) -> Result<Vec<WeekPoint>, Error> {
    let (wave, group) = (strs(df, "wave")?, strs(df, "group")?);
    let (week, enrolled, tickets) = (
        ints(df, "week_of_wave")?,
        ints(df, "enrolled")?,
        ints(df, "tickets")?,
    );
    let (rate, target) = (floats(df, "enrollment_rate")?, floats(df, "target_rate")?);
    Ok((0..df.height())
        .filter(|&i| group[i].as_deref() == Some(ALL))
        .filter_map(|i| {
            Some(WeekPoint {
                wave: wave[i].clone()?,
                week_of_wave: week[i]?,
                enrolled: enrolled[i].unwrap_or(0),
                rate: rate[i],
                target: target[i],
                tickets: tickets[i].unwrap_or(0),
            })
        })
        .collect())
}

fn lift(df: &DataFrame) -> Result<Vec<LiftLine>, Error> {
    let (wave, factor, note) = (strs(df, "wave")?, strs(df, "factor")?, strs(df, "note")?);
    let (n_with, n_without) = (ints(df, "n_with")?, ints(df, "n_without")?);
    let f = |n: &str| floats(df, n);
    let (rw, rwl, rwh) = (f("rate_with")?, f("rate_with_low")?, f("rate_with_high")?);
    let (ro, rol, roh) = (
        f("rate_without")?,
        f("rate_without_low")?,
        f("rate_without_high")?,
    );
    let (diff, p) = (f("difference")?, f("p_value")?);
    Ok((0..df.height())
        .map(|i| {
            let factor = text(&factor[i]);
            LiftLine {
                wave: text(&wave[i]),
                factor_label: match factor.as_str() {
                    "opened_email" => "opened an email",
                    "trained" => "trained",
                    _ => "other",
                },
                factor,
                n_with: n_with[i],
                rate_with: rw[i],
                with_interval: rwl[i].zip(rwh[i]),
                n_without: n_without[i],
                rate_without: ro[i],
                without_interval: rol[i].zip(roh[i]),
                rate_with_text: pct(rw[i]),
                rate_without_text: pct(ro[i]),
                difference_text: points(diff[i]),
                p_text: match p[i] {
                    Some(p) if p < 0.001 => "< 0.001".to_string(),
                    Some(p) => format!("{p:.3}"),
                    None => "–".to_string(),
                },
                note: note[i].clone(),
            }
        })
        .collect())
}

fn categories(df: &DataFrame) -> Result<Vec<CategoryLine>, Error> {
    let (wave, category) = (strs(df, "wave")?, strs(df, "category")?);
    let tickets = ints(df, "tickets")?;
    let (share, hours) = (floats(df, "share")?, floats(df, "median_resolution_hours")?);
    Ok((0..df.height())
        .map(|i| CategoryLine {
            wave: text(&wave[i]),
            category: category[i]
                .clone()
                .unwrap_or_else(|| "(no category)".to_string()),
            tickets: tickets[i].unwrap_or(0),
            share: share[i],
            share_text: pct(share[i]),
            median_hours_text: one_decimal(hours[i]),
        })
        .collect())
}

fn quality(df: &DataFrame) -> Result<Vec<QualityLine>, Error> {
    let source = strs(df, "source")?;
    let n = |name: &str| ints(df, name);
    let (read, accepted, quarantined) =
        (n("rows_read")?, n("rows_accepted")?, n("rows_quarantined")?);
    let (unmatched, dups, by_name) = (
        n("unmatched_users")?,
        n("duplicates_removed")?,
        n("matched_by_name")?,
    );
    Ok((0..df.height())
        .map(|i| QualityLine {
            source: text(&source[i]),
            rows_read: read[i].unwrap_or(0),
            rows_accepted: accepted[i].unwrap_or(0),
            rows_quarantined: quarantined[i].unwrap_or(0),
            unmatched_users: unmatched[i].unwrap_or(0),
            duplicates_removed: dups[i].unwrap_or(0),
            matched_by_name: by_name[i].unwrap_or(0),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percent_with_one_decimal() {
        assert_eq!(pct(Some(0.715)), "71.5 %");
        assert_eq!(pct(Some(1.0)), "100.0 %");
        assert_eq!(pct(None), "–");
        assert_eq!(pct(Some(f64::NAN)), "–");
    }

    #[test]
    fn changes_read_as_signed_points() {
        assert_eq!(points(Some(0.023)), "+2.3 pts");
        assert_eq!(points(Some(-0.004)), "\u{2212}0.4 pts");
        assert_eq!(points(Some(-0.0001)), "±0.0 pts");
        assert_eq!(points(None), "–");
    }
}

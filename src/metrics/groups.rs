//! `group_metrics` (SPEC §4): one row per (wave, shown group), per wave `(all)`, and
//! overall, with enrollment against target, email, training, tickets, champions,
//! week-over-week and the forecast; and `attention`, the groups that need targeted
//! messaging, derived from those rows.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frames::{col_names::*, Frames};
use super::people::{tickets_by_d, with_levels, Cutoffs, Persons};
use super::stats::{self, Status};
use crate::config::{Config, Wave};
use crate::error::Error;
use crate::schema::ALL;

/// One row of `group_metrics`, as computed (before it becomes a frame).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// Wave name, or `(all)`.
    pub wave: String,
    /// Shown group label, or `(all)`.
    pub group: String,
    /// The row's standing.
    pub status: Status,
    /// The counts and rates; `None` for a suppressed row.
    pub values: Option<GroupValues>,
}

/// The figures of a shown row.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupValues {
    /// Eligible people.
    pub eligible: i64,
    /// Enrolled by D.
    pub enrolled: i64,
    /// Wilson 95 % interval of the enrollment rate.
    pub rate_interval: Option<(f64, f64)>,
    /// Target share at D.
    pub target_rate: f64,
    /// People with a delivered or engaged email by D.
    pub recipients: i64,
    /// People who opened or clicked by D.
    pub openers: i64,
    /// People with enough training minutes by D.
    pub trained: i64,
    /// Tickets opened by D.
    pub tickets: i64,
    /// Median hours to resolve, over tickets resolved by D.
    pub median_resolution_hours: Option<f64>,
    /// Champions among the eligible.
    pub champions: i64,
    /// Enrolled by D − 7.
    pub enrolled_7d_ago: i64,
    /// Enrolled by D − 14.
    pub enrolled_14d_ago: i64,
    /// `reached`, a date, or none.
    pub projected_target_date: Option<String>,
}

impl GroupValues {
    /// enrolled / eligible.
    pub fn enrollment_rate(&self) -> Option<f64> {
        stats::rate(self.enrolled, self.eligible)
    }
    /// enrollment_rate − target_rate.
    pub fn gap(&self) -> Option<f64> {
        self.enrollment_rate().map(|r| r - self.target_rate)
    }
    /// openers / recipients.
    pub fn open_rate(&self) -> Option<f64> {
        stats::rate(self.openers, self.recipients)
    }
    /// trained / eligible.
    pub fn training_rate(&self) -> Option<f64> {
        stats::rate(self.trained, self.eligible)
    }
    /// 100 × tickets / enrolled.
    pub fn tickets_per_100_enrolled(&self) -> Option<f64> {
        stats::rate(self.tickets, self.enrolled).map(|r| 100.0 * r)
    }
    /// max(0, ceil(target × eligible) − enrolled).
    pub fn missing_users(&self) -> i64 {
        (stats::ceil_people(self.target_rate * self.eligible as f64) - self.enrolled).max(0)
    }
}

/// Aggregated counts of one (wave, group) key, read back from polars.
struct Counts {
    eligible: i64,
    enrolled: i64,
    recipients: i64,
    openers: i64,
    trained: i64,
    champions: i64,
    enrolled_7d: i64,
    enrolled_14d: i64,
    tickets: i64,
    median_hours: Option<f64>,
}

/// Days from the wave's start to D.
pub fn days_since_start(wave: &Wave, cut: &Cutoffs) -> i64 {
    (cut.as_of - wave.start).num_days()
}

/// Computes the rows of `group_metrics`, in output order: each wave (config order)
/// with its groups by name then its `(all)` row, then the overall row.
pub fn group_rows(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<Vec<GroupRow>, Error> {
    let counts = aggregate(f, cut, persons)?;
    let margin = cfg.thresholds.at_risk_margin;
    let mut rows = Vec::new();
    let mut overall_weighted_target = 0.0;
    let mut overall_eligible = 0i64;
    let mut any_started = false;
    for wave in &cfg.waves {
        let fold = &persons.folds[&wave.name];
        let mut labels: Vec<&String> = fold.labels.values().collect();
        labels.sort();
        labels.dedup();
        let t = days_since_start(wave, cut);
        let target = stats::target_at(&wave.enrollment_target, t);
        let keys = labels.into_iter().map(String::as_str).chain([ALL]);
        for label in keys {
            let key = (wave.name.clone(), label.to_string());
            if fold.suppressed {
                rows.push(GroupRow {
                    wave: key.0,
                    group: key.1,
                    status: Status::Suppressed,
                    values: None,
                });
                continue;
            }
            let c = counts.get(&key);
            let values = values_of(c, target, |v| {
                stats::projected_target_date(
                    cut.as_of,
                    wave.final_share(),
                    v.eligible,
                    v.enrolled,
                    v.enrolled_14d,
                )
            });
            let status = if t < 0 {
                Status::NotStarted
            } else {
                values
                    .gap()
                    .map_or(Status::OnTrack, |g| Status::of_gap(g, margin))
            };
            if label == ALL {
                overall_weighted_target += target * values.eligible as f64;
                overall_eligible += values.eligible;
                any_started |= t >= 0;
            }
            rows.push(GroupRow {
                wave: key.0,
                group: key.1,
                status,
                values: Some(values),
            });
        }
    }
    let key = (ALL.to_string(), ALL.to_string());
    let overall = if overall_eligible == 0 {
        GroupRow {
            wave: key.0,
            group: key.1,
            status: Status::Suppressed,
            values: None,
        }
    } else {
        let target = overall_weighted_target / overall_eligible as f64;
        let values = values_of(counts.get(&key), target, |_| None);
        let status = if any_started {
            values
                .gap()
                .map_or(Status::OnTrack, |g| Status::of_gap(g, margin))
        } else {
            Status::NotStarted
        };
        GroupRow {
            wave: key.0,
            group: key.1,
            status,
            values: Some(values),
        }
    };
    rows.push(overall);
    Ok(rows)
}

struct Partial {
    eligible: i64,
    enrolled: i64,
    enrolled_14d: i64,
}

fn values_of(
    c: Option<&Counts>,
    target: f64,
    forecast: impl Fn(&Partial) -> Option<String>,
) -> GroupValues {
    let zero = Counts {
        eligible: 0,
        enrolled: 0,
        recipients: 0,
        openers: 0,
        trained: 0,
        champions: 0,
        enrolled_7d: 0,
        enrolled_14d: 0,
        tickets: 0,
        median_hours: None,
    };
    let c = c.unwrap_or(&zero);
    GroupValues {
        eligible: c.eligible,
        enrolled: c.enrolled,
        rate_interval: stats::wilson(c.enrolled, c.eligible),
        target_rate: target,
        recipients: c.recipients,
        openers: c.openers,
        trained: c.trained,
        tickets: c.tickets,
        median_resolution_hours: c.median_hours,
        champions: c.champions,
        enrolled_7d_ago: c.enrolled_7d,
        enrolled_14d_ago: c.enrolled_14d,
        projected_target_date: forecast(&Partial {
            eligible: c.eligible,
            enrolled: c.enrolled,
            enrolled_14d: c.enrolled_14d,
        }),
    }
}

/// One polars plan for the people counts and one for the tickets, over the three
/// levels at once, read back by (wave, group) key.
fn aggregate(
    f: &Frames,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<BTreeMap<(String, String), Counts>, Error> {
    let err = |e| Error::compute("group_metrics", e);
    let count = |c: &str| col(c).cast(DataType::Int64).sum().alias(c);
    let people = with_levels(persons.frame.clone().lazy(), true)?
        .group_by([col(WAVE), col("key_group")])
        .agg([
            len().cast(DataType::Int64).alias("eligible"),
            count("enrolled"),
            count("recipient"),
            count("opener"),
            count("trained"),
            count(CHAMPION),
            count("enrolled_7d"),
            count("enrolled_14d"),
        ]);
    let tickets = tickets_by_d(f, cut, persons);
    let tickets = with_levels(tickets, true)?
        .group_by([col(WAVE), col("key_group")])
        .agg([
            len().cast(DataType::Int64).alias("tickets"),
            col("hours")
                .filter(col("resolved_at").lt(lit(cut.d)))
                .median()
                .alias("median_hours"),
        ]);
    let df = people
        .join(
            tickets,
            [col(WAVE), col("key_group")],
            [col(WAVE), col("key_group")],
            JoinArgs::new(JoinType::Left),
        )
        .collect()
        .map_err(err)?;

    let s = |name: &str| df.column(name).and_then(|c| c.str()).map_err(err);
    let n = |name: &str| df.column(name).and_then(|c| c.i64()).map_err(err);
    let (waves, groups) = (s(WAVE)?, s("key_group")?);
    let (eligible, enrolled, recipients) = (n("eligible")?, n("enrolled")?, n("recipient")?);
    let (openers, trained, champions) = (n("opener")?, n("trained")?, n(CHAMPION)?);
    let (e7, e14, tickets) = (n("enrolled_7d")?, n("enrolled_14d")?, n("tickets")?);
    let hours = df
        .column("median_hours")
        .and_then(|c| c.f64())
        .map_err(err)?;
    let mut out = BTreeMap::new();
    for i in 0..df.height() {
        let (Some(w), Some(g)) = (waves.get(i), groups.get(i)) else {
            continue;
        };
        out.insert(
            (w.to_string(), g.to_string()),
            Counts {
                eligible: eligible.get(i).unwrap_or(0),
                enrolled: enrolled.get(i).unwrap_or(0),
                recipients: recipients.get(i).unwrap_or(0),
                openers: openers.get(i).unwrap_or(0),
                trained: trained.get(i).unwrap_or(0),
                champions: champions.get(i).unwrap_or(0),
                enrolled_7d: e7.get(i).unwrap_or(0),
                enrolled_14d: e14.get(i).unwrap_or(0),
                tickets: tickets.get(i).unwrap_or(0),
                median_hours: hours.get(i),
            },
        );
    }
    Ok(out)
}

/// The `group_metrics` frame of `rows`.
pub fn group_frame(rows: &[GroupRow]) -> Result<DataFrame, Error> {
    let v = |f: &dyn Fn(&GroupValues) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(|r| r.values.as_ref().and_then(f)).collect()
    };
    let n = |f: &dyn Fn(&GroupValues) -> i64| -> Vec<Option<i64>> {
        rows.iter().map(|r| r.values.as_ref().map(f)).collect()
    };
    let columns = vec![
        Column::new(
            "wave".into(),
            rows.iter().map(|r| r.wave.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "group".into(),
            rows.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(),
        ),
        Column::new("eligible".into(), n(&|x| x.eligible)),
        Column::new("enrolled".into(), n(&|x| x.enrolled)),
        Column::new("enrollment_rate".into(), v(&|x| x.enrollment_rate())),
        Column::new(
            "enrollment_rate_low".into(),
            v(&|x| x.rate_interval.map(|i| i.0)),
        ),
        Column::new(
            "enrollment_rate_high".into(),
            v(&|x| x.rate_interval.map(|i| i.1)),
        ),
        Column::new("target_rate".into(), v(&|x| Some(x.target_rate))),
        Column::new("gap".into(), v(&|x| x.gap())),
        Column::new(
            "status".into(),
            rows.iter().map(|r| r.status.name()).collect::<Vec<_>>(),
        ),
        Column::new("recipients".into(), n(&|x| x.recipients)),
        Column::new("openers".into(), n(&|x| x.openers)),
        Column::new("open_rate".into(), v(&|x| x.open_rate())),
        Column::new("trained".into(), n(&|x| x.trained)),
        Column::new("training_rate".into(), v(&|x| x.training_rate())),
        Column::new("tickets".into(), n(&|x| x.tickets)),
        Column::new(
            "tickets_per_100_enrolled".into(),
            v(&|x| x.tickets_per_100_enrolled()),
        ),
        Column::new(
            "median_resolution_hours".into(),
            v(&|x| x.median_resolution_hours),
        ),
        Column::new("champions".into(), n(&|x| x.champions)),
        Column::new("enrolled_7d_ago".into(), n(&|x| x.enrolled_7d_ago)),
        Column::new(
            "projected_target_date".into(),
            rows.iter()
                .map(|r| {
                    r.values
                        .as_ref()
                        .and_then(|x| x.projected_target_date.clone())
                })
                .collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new_infer_height(columns).map_err(|e| Error::compute("group_metrics", e))
}

/// What a diagnosis asks the communications team to do.
pub fn action_for(diagnosis: &str) -> &'static str {
    match diagnosis {
        "awareness" => {
            "executive-sponsor message and other channels (Teams post, manager cascade, intranet)"
        }
        "knowledge" => "targeted training sessions for this group",
        "support" => "help-desk briefing and an FAQ for the top issues",
        _ => "champions and manager follow-up",
    }
}

/// The `attention` frame: shown groups (not `(all)` rows) at risk or behind, or
/// missing an email, training or ticket target; ordered by `missing_users`
/// descending, then gap, wave order and group.
pub fn attention_frame(cfg: &Config, rows: &[GroupRow]) -> Result<DataFrame, Error> {
    struct Item<'a> {
        wave_ix: usize,
        row: &'a GroupRow,
        v: &'a GroupValues,
        diagnosis: Vec<&'static str>,
    }
    let mut items: Vec<Item<'_>> = Vec::new();
    for row in rows {
        let (Some(v), false) = (row.values.as_ref(), row.group == ALL) else {
            continue;
        };
        let Some(wave_ix) = cfg.waves.iter().position(|w| w.name == row.wave) else {
            continue;
        };
        let wave = &cfg.waves[wave_ix];
        let below = |rate: Option<f64>, target: Option<f64>| match (rate, target) {
            (Some(r), Some(t)) => r < t - stats::EPS,
            _ => false,
        };
        let mut diagnosis = Vec::new();
        if below(v.open_rate(), wave.email_open_target) {
            diagnosis.push("awareness");
        }
        if below(v.training_rate(), wave.training_target) {
            diagnosis.push("knowledge");
        }
        if let (Some(r), Some(t)) = (v.tickets_per_100_enrolled(), wave.tickets_per_100_target) {
            if r > t + stats::EPS {
                diagnosis.push("support");
            }
        }
        let lagging = matches!(row.status, Status::AtRisk | Status::Behind);
        if diagnosis.is_empty() && lagging {
            diagnosis.push("adoption");
        }
        if diagnosis.is_empty() {
            continue;
        }
        items.push(Item {
            wave_ix,
            row,
            v,
            diagnosis,
        });
    }
    items.sort_by(|a, b| {
        b.v.missing_users()
            .cmp(&a.v.missing_users())
            .then_with(|| {
                let (ga, gb) = (a.v.gap().unwrap_or(0.0), b.v.gap().unwrap_or(0.0));
                ga.total_cmp(&gb)
            })
            .then_with(|| a.wave_ix.cmp(&b.wave_ix))
            .then_with(|| a.row.group.cmp(&b.row.group))
    });
    let columns = vec![
        Column::new(
            "wave".into(),
            items
                .iter()
                .map(|i| i.row.wave.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "group".into(),
            items
                .iter()
                .map(|i| i.row.group.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "status".into(),
            items
                .iter()
                .map(|i| i.row.status.name())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "gap".into(),
            items.iter().map(|i| i.v.gap()).collect::<Vec<_>>(),
        ),
        Column::new(
            "missing_users".into(),
            items
                .iter()
                .map(|i| i.v.missing_users())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "diagnosis".into(),
            items
                .iter()
                .map(|i| i.diagnosis.join(";"))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "action".into(),
            items
                .iter()
                .map(|i| {
                    i.diagnosis
                        .iter()
                        .map(|d| action_for(d))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "note".into(),
            items
                .iter()
                .map(|i| (i.v.champions == 0).then_some("no champion in this group"))
                .collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new_infer_height(columns).map_err(|e| Error::compute("attention", e))
}

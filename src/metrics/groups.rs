//! `group_metrics`: one row per (wave, shown group), per wave `(all)`, and overall,
//! with enrollment against target, email, training, tickets, champions, week-over-week
//! and the forecast (docs/metrics.md, "group_metrics").

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frames::{col_names::*, Frames};
use super::people::{tickets_by_d, with_levels, Cutoffs, Persons, LABEL, SUPPRESSED};
use super::stats::{self, Status};
use super::table::{Col, Kind, Table, Value};
use super::timing::forecast_cells;
use crate::config::{Config, Wave};
use crate::error::Error;
use crate::schema::ALL;

/// One row of `group_metrics`, as computed (before it becomes a frame).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// The workload.
    pub workload: String,
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
    /// The first day of wave at which half the cohort has enrolled (Kaplan–Meier).
    pub median_days_to_enroll: Option<i64>,
    /// The Kaplan–Meier share enrolled by day 14, 28 and 42 of the wave.
    pub share_by_day: [Option<f64>; 3],
    /// A wave's `(all)` row: when it reaches its final target, judging by earlier
    /// waves.
    pub forecast: Option<super::survival::Forecast>,
    /// The earlier waves the forecast's days came from, in config order.
    pub forecast_from: Vec<String>,
    /// People reached by D (an email open or click, or any touchpoint); `None`
    /// without a touchpoints source.
    pub reached: Option<i64>,
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
    /// reached / eligible (empty without touchpoints).
    pub fn reach_rate(&self) -> Option<f64> {
        self.reached.and_then(|r| stats::rate(r, self.eligible))
    }
    /// max(0, ceil(target × eligible) − enrolled).
    pub fn missing_users(&self) -> i64 {
        (stats::ceil_people(self.target_rate * self.eligible as f64) - self.enrolled).max(0)
    }
}

/// Aggregated counts of one (workload, wave, label) key, read back from polars.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
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
    reached: i64,
}

/// Days from the wave's start to D.
pub fn days_since_start(wave: &Wave, cut: &Cutoffs) -> i64 {
    (cut.as_of - wave.start).num_days()
}

/// Computes the rows of `group_metrics`, in output order: per workload (config order),
/// each of its waves (config order) with its groups by name then its `(all)` row, then
/// the workload's overall row.
pub fn group_rows(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<Vec<GroupRow>, Error> {
    let counts = aggregate(f, cut, persons, LABEL, true)?;
    let margin = cfg.thresholds.at_risk_margin;
    let mut rows = Vec::new();
    for (w, workload) in cfg.workloads.iter().enumerate() {
        let mut overall_weighted_target = 0.0;
        let mut overall_eligible = 0i64;
        let mut any_started = false;
        for (_, wave) in cfg.waves_of(w) {
            let fold = &persons.folds[&wave.name];
            let mut labels: Vec<&String> = fold.labels.values().collect();
            labels.sort();
            labels.dedup();
            let t = days_since_start(wave, cut);
            let target = stats::target_at(&wave.enrollment_target, t);
            let keys = labels.into_iter().map(String::as_str).chain([ALL]);
            for label in keys {
                let row = |status, values| GroupRow {
                    workload: workload.name.clone(),
                    wave: wave.name.clone(),
                    group: label.to_string(),
                    status,
                    values,
                };
                if fold.suppressed {
                    rows.push(row(Status::Suppressed, None));
                    continue;
                }
                let key = (workload.name.clone(), wave.name.clone(), label.to_string());
                let values = values_of(counts.get(&key), target, |v| {
                    stats::projected_target_date(
                        cut.as_of,
                        wave.final_share(),
                        v.eligible,
                        v.enrolled,
                        v.enrolled_14d,
                    )
                });
                let mut values = values;
                values.reached = values.reached.filter(|_| persons.engagement.touchpoints);
                let status = status_of(t, &values, margin);
                if label == ALL {
                    overall_weighted_target += target * values.eligible as f64;
                    overall_eligible += values.eligible;
                    any_started |= t >= 0;
                }
                rows.push(row(status, Some(values)));
            }
        }
        let overall = |status, values| GroupRow {
            workload: workload.name.clone(),
            wave: ALL.to_string(),
            group: ALL.to_string(),
            status,
            values,
        };
        if overall_eligible == 0 {
            rows.push(overall(Status::Suppressed, None));
        } else {
            let target = overall_weighted_target / overall_eligible as f64;
            let key = (workload.name.clone(), ALL.to_string(), ALL.to_string());
            let mut values = values_of(counts.get(&key), target, |_| None);
            values.reached = values.reached.filter(|_| persons.engagement.touchpoints);
            let status = if any_started {
                status_of(0, &values, margin)
            } else {
                Status::NotStarted
            };
            rows.push(overall(status, Some(values)));
        }
    }
    Ok(rows)
}

/// A row's standing: `not_started` before the start, else by its gap.
pub fn status_of(t: i64, values: &GroupValues, margin: f64) -> Status {
    if t < 0 {
        Status::NotStarted
    } else {
        values
            .gap()
            .map_or(Status::OnTrack, |g| Status::of_gap(g, margin))
    }
}

/// What a forecast is computed from.
pub struct Partial {
    /// Eligible people.
    pub eligible: i64,
    enrolled: i64,
    enrolled_14d: i64,
}

/// The figures of a row from its counts, its target and its forecast.
pub fn values_of(
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
        reached: 0,
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
        median_days_to_enroll: None,
        share_by_day: [None; 3],
        forecast: None,
        forecast_from: Vec::new(),
        reached: Some(c.reached),
        projected_target_date: forecast(&Partial {
            eligible: c.eligible,
            enrolled: c.enrolled,
            enrolled_14d: c.enrolled_14d,
        }),
    }
}

/// The counts of every row, keyed by (workload, wave, label).
pub type Keyed = BTreeMap<(String, String, String), Counts>;

/// The people counts of every row, and the tickets' over the levels at once — each
/// wave's rows by the `label` column (a group's, or a cut's), the wave's `(all)`, and
/// with `overall` each workload's overall row — read back by (workload, wave, label).
///
/// The people's counts are all sums, so one pass groups the people by workload, wave,
/// label and whether the wave is suppressed, and the levels are summed from those few
/// rows: stacking a copy of a million-row frame per level cost more time and memory
/// than the counting. The tickets' median is not a sum: their (smaller) frame is
/// stacked per level and grouped.
pub fn aggregate(
    f: &Frames,
    cut: &Cutoffs,
    persons: &Persons,
    label: &str,
    overall: bool,
) -> Result<Keyed, Error> {
    let err = |e| Error::compute("group_metrics", e);
    let keys = [col(WORKLOAD), col(WAVE), col("key_group")];
    // The people's counts per (workload, wave, label, suppressed), summed by a plain
    // loop over the frame's columns: a polars group-by on three text keys encoded
    // every row's keys and cost more time and memory than the counting.
    let df = &persons.frame;
    let text = |name: &str| df.column(name).and_then(|c| c.str()).map_err(err);
    let flag = |name: &str| df.column(name).and_then(|c| c.bool()).map_err(err);
    let (workloads, waves, labels) = (text(WORKLOAD)?, text(WAVE)?, text(label)?);
    let suppressed = flag(SUPPRESSED)?;
    // In the order of `Counts`' fields after `eligible`; a null counts as false.
    let flags = [
        "enrolled",
        "recipient",
        "opener",
        "trained",
        CHAMPION,
        "enrolled_7d",
        "enrolled_14d",
        "reached",
    ]
    .map(flag);
    let mut columns = Vec::with_capacity(flags.len());
    for c in flags {
        columns.push(c?);
    }
    type Key<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<bool>,
    );
    let mut people: crate::FastMap<Key<'_>, [i64; 9]> = Default::default();
    let mut values: Vec<_> = columns.iter().map(|c| c.iter()).collect();
    let keyed = workloads
        .iter()
        .zip(waves.iter())
        .zip(labels.iter())
        .zip(suppressed.iter());
    for (((workload, wave), group), hidden) in keyed {
        let sums = people.entry((workload, wave, group, hidden)).or_default();
        sums[0] += 1;
        for (sum, v) in sums[1..].iter_mut().zip(&mut values) {
            *sum += i64::from(v.next().flatten().unwrap_or(false));
        }
    }
    let tickets = tickets_by_d(f, cut, persons);
    let tickets = with_levels(tickets, label, overall)?
        .group_by(keys)
        .agg([
            len().cast(DataType::Int64).alias("tickets"),
            col("hours")
                .filter(col("resolved_at").lt(lit(cut.d)))
                .median()
                .alias("median_hours"),
        ])
        .collect()
        .map_err(err)?;

    let s = |df: &DataFrame, name: &str| -> Result<StringChunked, Error> {
        Ok(df.column(name).and_then(|c| c.str()).map_err(err)?.clone())
    };
    let mut out: Keyed = BTreeMap::new();
    for ((workload, wave, group, hidden), v) in people {
        let Some(workload) = workload else {
            continue;
        };
        let mut add = |wave: &str, group: &str| {
            let c = out
                .entry((workload.to_string(), wave.to_string(), group.to_string()))
                .or_default();
            c.eligible += v[0];
            c.enrolled += v[1];
            c.recipients += v[2];
            c.openers += v[3];
            c.trained += v[4];
            c.champions += v[5];
            c.enrolled_7d += v[6];
            c.enrolled_14d += v[7];
            c.reached += v[8];
        };
        if let Some(wave) = wave {
            if let Some(group) = group {
                add(wave, group);
            }
            add(wave, ALL);
        }
        if overall && hidden == Some(false) {
            add(ALL, ALL);
        }
    }
    // Each row's tickets; a level no eligible person has is not a row.
    let (workloads, waves, groups) = (
        s(&tickets, WORKLOAD)?,
        s(&tickets, WAVE)?,
        s(&tickets, "key_group")?,
    );
    let count_of = tickets
        .column("tickets")
        .and_then(|c| c.i64())
        .map_err(err)?;
    let hours = tickets
        .column("median_hours")
        .and_then(|c| c.f64())
        .map_err(err)?;
    for i in 0..tickets.height() {
        let (Some(l), Some(w), Some(g)) = (workloads.get(i), waves.get(i), groups.get(i)) else {
            continue;
        };
        if let Some(c) = out.get_mut(&(l.to_string(), w.to_string(), g.to_string())) {
            c.tickets = count_of.get(i).unwrap_or(0);
            c.median_hours = hours.get(i);
        }
    }
    Ok(out)
}

/// A row that carries a standing and, unless suppressed, the figures of a group:
/// a `group_metrics` row or a `cut_metrics` row, which share their measure columns.
pub trait Measured {
    /// The row's standing.
    fn status(&self) -> Status;
    /// Its figures; `None` for a suppressed row.
    fn values(&self) -> Option<&GroupValues>;
}

impl Measured for GroupRow {
    fn status(&self) -> Status {
        self.status
    }
    fn values(&self) -> Option<&GroupValues> {
        self.values.as_ref()
    }
}

fn count<R: Measured>(r: &R, f: impl Fn(&GroupValues) -> i64) -> Option<i64> {
    r.values().map(f)
}

fn figure<R: Measured>(r: &R, f: impl Fn(&GroupValues) -> Option<f64>) -> Option<f64> {
    r.values().and_then(f)
}

/// The measure columns `group_metrics` and `cut_metrics` share, from `eligible` to
/// `tickets_per_100_enrolled` (docs/metrics.md).
pub fn measure_columns<R: Measured>() -> Vec<Col<R>> {
    use Kind::{Count, Number, Points, Rate};
    vec![
        Col::of("eligible", Count, |r| Value::Int(count(r, |v| v.eligible))),
        Col::of("enrolled", Count, |r| Value::Int(count(r, |v| v.enrolled))),
        Col::of("enrollment_rate", Rate, |r| {
            Value::Float(figure(r, GroupValues::enrollment_rate))
        }),
        Col::of("enrollment_rate_low", Rate, |r| {
            Value::Float(figure(r, |v| v.rate_interval.map(|i| i.0)))
        }),
        Col::of("enrollment_rate_high", Rate, |r| {
            Value::Float(figure(r, |v| v.rate_interval.map(|i| i.1)))
        }),
        Col::of("target_rate", Rate, |r| {
            Value::Float(figure(r, |v| Some(v.target_rate)))
        }),
        Col::of("gap", Points, |r| Value::Float(figure(r, GroupValues::gap))),
        Col::text("status", |r| Value::str(r.status().name())),
        Col::of("recipients", Count, |r| {
            Value::Int(count(r, |v| v.recipients))
        }),
        Col::of("openers", Count, |r| Value::Int(count(r, |v| v.openers))),
        Col::of("open_rate", Rate, |r| {
            Value::Float(figure(r, GroupValues::open_rate))
        }),
        Col::of("trained", Count, |r| Value::Int(count(r, |v| v.trained))),
        Col::of("training_rate", Rate, |r| {
            Value::Float(figure(r, GroupValues::training_rate))
        }),
        Col::of("tickets", Count, |r| Value::Int(count(r, |v| v.tickets))),
        Col::of("tickets_per_100_enrolled", Number, |r| {
            Value::Float(figure(r, GroupValues::tickets_per_100_enrolled))
        }),
    ]
}

impl Table for GroupRow {
    const NAME: &'static str = "group_metrics";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count, Number, Rate};
        let head: Vec<Col<Self>> = vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("group", |r| Value::str(&r.group)),
        ];
        let tail: Vec<Col<Self>> = vec![
            Col::of("median_resolution_hours", Number, |r| {
                Value::Float(r.figure(|v| v.median_resolution_hours))
            }),
            Col::of("champions", Count, |r| Value::Int(r.count(|v| v.champions))),
            Col::of("enrolled_7d_ago", Count, |r| {
                Value::Int(r.count(|v| v.enrolled_7d_ago))
            }),
            Col::text("projected_target_date", |r| {
                Value::opt_str(
                    r.values
                        .as_ref()
                        .and_then(|v| v.projected_target_date.as_deref()),
                )
            }),
            Col::of("median_days_to_enroll", Count, |r| {
                Value::Int(r.values.as_ref().and_then(|v| v.median_days_to_enroll))
            }),
            Col::of("share_by_day_14", Rate, |r| {
                Value::Float(r.figure(|v| v.share_by_day[0]))
            }),
            Col::of("share_by_day_28", Rate, |r| {
                Value::Float(r.figure(|v| v.share_by_day[1]))
            }),
            Col::of("share_by_day_42", Rate, |r| {
                Value::Float(r.figure(|v| v.share_by_day[2]))
            }),
            Col::text("forecast_date", |r| {
                Value::Text(
                    forecast_cells(r.values.as_ref().and_then(|v| v.forecast.as_ref()))
                        .0
                        .map(std::borrow::Cow::Owned),
                )
            }),
            Col::of("forecast_low", Kind::Date, |r| {
                Value::Date(forecast_cells(r.values.as_ref().and_then(|v| v.forecast.as_ref())).1)
            }),
            Col::of("forecast_high", Kind::Date, |r| {
                Value::Date(forecast_cells(r.values.as_ref().and_then(|v| v.forecast.as_ref())).2)
            }),
            // Channels beyond email (docs/metrics.md, "channels"): empty without
            // touchpoints.
            Col::of("reached", Count, |r| {
                Value::Int(r.values.as_ref().and_then(|v| v.reached))
            }),
            Col::of("reach_rate", Rate, |r| {
                Value::Float(r.figure(GroupValues::reach_rate))
            }),
        ];
        head.into_iter()
            .chain(measure_columns())
            .chain(tail)
            .collect()
    }
}

impl GroupRow {
    /// A count of a shown row; `None` for a suppressed one.
    pub fn count(&self, f: impl Fn(&GroupValues) -> i64) -> Option<i64> {
        self.values.as_ref().map(f)
    }

    /// A figure of a shown row; `None` for a suppressed one or an empty figure.
    pub fn figure(&self, f: impl Fn(&GroupValues) -> Option<f64>) -> Option<f64> {
        self.values.as_ref().and_then(f)
    }
}

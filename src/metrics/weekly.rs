//! `weekly_progress`: per wave and shown group (and per wave `(all)`), one row per ISO
//! week from the wave's start week to D's week, so waves can be laid over each other by
//! `week_of_wave` (docs/metrics.md, "weekly_progress").
//!
//! Every row counts the run's cohort — the people eligible on D, under the labels
//! decided on D — so `eligible` is the same in every week of a series, `enrolled`
//! counts those of them enrolled by the end of the row's `as_of` day (the week's Sunday,
//! or D), and `tickets` theirs opened from the Monday to that day. The last row of a
//! series equals `group_metrics`. One plan per wave, collected once.

use chrono::{Days, NaiveDate};
use polars::prelude::*;

use super::frames::{col_names::*, Frames};
use super::people::{with_levels, Cutoffs, Persons, LABEL};
use super::stats;
use super::table::{Col, Kind, Table, Value};
use crate::calendar::{end_of_day_ms, monday_of};
use crate::config::Config;
use crate::error::Error;
use crate::schema::ALL;

/// One week of a wave.
struct Week {
    start: NaiveDate,
    as_of: NaiveDate,
    begin_ms: i64,
    end_ms: i64,
}

/// Builds `weekly_progress`.
pub fn weekly_rows(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<Vec<WeekRow>, Error> {
    let err = |e| Error::compute("weekly_progress", e);
    let tz = cfg.timezone;
    let mut out = Vec::new();
    for wave in &cfg.waves {
        let first = monday_of(wave.start);
        let last = monday_of(cut.as_of);
        if last < first {
            continue;
        }
        let n_weeks = (last - first).num_days() / 7 + 1;
        let weeks: Vec<Week> = (0..n_weeks)
            .map(|k| {
                let start = first + Days::new(7 * k as u64);
                let as_of = (start + Days::new(6)).min(cut.as_of);
                Week {
                    start,
                    as_of,
                    begin_ms: end_of_day_ms(tz, start - Days::new(1)),
                    end_ms: end_of_day_ms(tz, as_of),
                }
            })
            .collect();
        let fold = &persons.folds[&wave.name];
        let mut labels: Vec<&str> = fold.labels.values().map(String::as_str).collect();
        labels.sort_unstable();
        labels.dedup();
        labels.push(ALL);

        let mut aggs = vec![len().cast(DataType::Int64).alias("n")];
        for (k, w) in weeks.iter().enumerate() {
            aggs.push(
                col("first_enrolled")
                    .lt(lit(w.end_ms))
                    .cast(DataType::Int64)
                    .sum()
                    .alias(format!("e{k}")),
            );
        }
        // The run's cohort in this wave, under the labels decided on D: every week
        // counts the same people, so week-to-week differences are progress only.
        let members = persons
            .frame
            .clone()
            .lazy()
            .filter(col(WAVE).eq(lit(wave.name.as_str())))
            .select([col(PID), col(WAVE), col(LABEL), col("first_enrolled")]);
        let people = with_levels(members.clone(), LABEL, false)?
            .group_by([col("key_group")])
            .agg(aggs);
        let tickets_by_week: Vec<Expr> = weeks
            .iter()
            .enumerate()
            .map(|(k, w)| {
                col("opened_at")
                    .gt_eq(lit(w.begin_ms))
                    .and(col("opened_at").lt(lit(w.end_ms)))
                    .cast(DataType::Int64)
                    .sum()
                    .alias(format!("t{k}"))
            })
            .collect();
        let tickets = f.tickets.clone().lazy().join(
            members.select([col(PID), col(WAVE), col(LABEL)]),
            [col(PID)],
            [col(PID)],
            JoinArgs::new(JoinType::Inner),
        );
        let tickets = with_levels(tickets, LABEL, false)?
            .group_by([col("key_group")])
            .agg(tickets_by_week);
        let df = people
            .join(
                tickets,
                [col("key_group")],
                [col("key_group")],
                JoinArgs::new(JoinType::Left),
            )
            .collect()
            .map_err(err)?;
        let keys = df.column("key_group").and_then(|c| c.str()).map_err(err)?;
        // One cell of the collected frame (a sum: null only when the key had no rows).
        let cell = |name: &str, i: usize| -> Result<i64, Error> {
            let column = df.column(name).and_then(|c| c.i64()).map_err(err)?;
            Ok(column.get(i).unwrap_or(0))
        };
        for label in labels {
            let row = (0..df.height()).find(|&i| keys.get(i) == Some(label));
            let shown = row.filter(|_| !fold.suppressed);
            for (k, w) in weeks.iter().enumerate() {
                let value =
                    |prefix: &str| shown.map(|i| cell(&format!("{prefix}{k}"), i)).transpose();
                let n = shown.map(|i| cell("n", i)).transpose()?;
                let (enrolled, tickets) = (value("e")?, value("t")?);
                let t = (w.as_of - wave.start).num_days();
                out.push(WeekRow {
                    workload: cfg.workload_of(wave).to_string(),
                    wave: wave.name.clone(),
                    group: label.to_string(),
                    week_start: w.start,
                    week_of_wave: k as i64,
                    as_of: w.as_of,
                    eligible: n,
                    enrolled,
                    enrollment_rate: match (enrolled, n) {
                        (Some(e), Some(n)) => stats::rate(e, n),
                        _ => None,
                    },
                    target_rate: shown.map(|_| stats::target_at(&wave.enrollment_target, t)),
                    tickets,
                });
            }
        }
    }
    Ok(out)
}

/// One row of `weekly_progress`: a wave's group (or `(all)`) at the end of one week of
/// the wave; figures empty for a suppressed wave.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekRow {
    /// The workload.
    pub workload: String,
    /// Wave name.
    pub wave: String,
    /// Shown group label, or `(all)`.
    pub group: String,
    /// The week's Monday.
    pub week_start: NaiveDate,
    /// Weeks since the wave's start week (0 for the start week).
    pub week_of_wave: i64,
    /// The week's Sunday, or D in D's week.
    pub as_of: NaiveDate,
    /// Eligible people.
    pub eligible: Option<i64>,
    /// Of them, enrolled by the end of `as_of`.
    pub enrolled: Option<i64>,
    /// enrolled / eligible.
    pub enrollment_rate: Option<f64>,
    /// The target share at `as_of`.
    pub target_rate: Option<f64>,
    /// Tickets opened in the week.
    pub tickets: Option<i64>,
}

impl Table for WeekRow {
    const NAME: &'static str = "weekly_progress";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count, Date, Rate};
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("group", |r| Value::str(&r.group)),
            Col::of("week_start", Date, |r| Value::Date(Some(r.week_start))),
            Col::of("week_of_wave", Count, |r| Value::Int(Some(r.week_of_wave))),
            Col::of("as_of", Date, |r| Value::Date(Some(r.as_of))),
            Col::of("eligible", Count, |r| Value::Int(r.eligible)),
            Col::of("enrolled", Count, |r| Value::Int(r.enrolled)),
            Col::of("enrollment_rate", Rate, |r| Value::Float(r.enrollment_rate)),
            Col::of("target_rate", Rate, |r| Value::Float(r.target_rate)),
            Col::of("tickets", Count, |r| Value::Int(r.tickets)),
        ]
    }
}

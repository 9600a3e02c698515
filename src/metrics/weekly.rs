//! `weekly_progress` (SPEC §4): per wave and shown group (and per wave `(all)`), one
//! row per ISO week from the wave's start week to D's week, so waves can be laid over
//! each other by `week_of_wave`.
//!
//! Each row is computed as of its own `as_of` day (the week's Sunday, or D in D's
//! week): its `eligible` people are the wave's roster people of the group who had not
//! left by that day, `enrolled` those of them whose earliest enrollment falls by its
//! end, and `tickets` theirs opened from the Monday to that day. Groups are shown
//! under their labels as of D, so a wave's rows form one series; the last row of a
//! series equals `group_metrics` as of D. One plan per wave, collected once.

use chrono::{Datelike, Days, NaiveDate};
use polars::prelude::*;

use super::frames::{col_names::*, Frames};
use super::people::{with_levels, Cutoffs, Persons, LABEL};
use super::stats;
use crate::config::Config;
use crate::error::Error;
use crate::ingest::dates::{end_of_day_ms, epoch_days};
use crate::schema::ALL;

/// One week of a wave.
struct Week {
    start: NaiveDate,
    as_of: NaiveDate,
    begin_ms: i64,
    end_ms: i64,
}

/// The Monday of `d`'s ISO week.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// Builds `weekly_progress`.
pub fn weekly_frame(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<DataFrame, Error> {
    let err = |e| Error::compute("weekly_progress", e);
    let tz = cfg.timezone;
    let mut out = WeeklyColumns::default();
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

        let in_wave = col(WAVE).eq(lit(wave.name.as_str()));
        // Present as of week k: not left by its as_of day.
        let present = |w: &Week| {
            col(LEFT_ON)
                .is_null()
                .or(col(LEFT_ON).gt(lit(epoch_days(w.as_of))))
        };
        let mut aggs = Vec::with_capacity(2 * weeks.len());
        for (k, w) in weeks.iter().enumerate() {
            aggs.push(
                present(w)
                    .cast(DataType::Int64)
                    .sum()
                    .alias(format!("n{k}")),
            );
            aggs.push(
                col("first_enrolled")
                    .lt(lit(w.end_ms))
                    .and(present(w))
                    .cast(DataType::Int64)
                    .sum()
                    .alias(format!("e{k}")),
            );
        }
        // Every roster person of the wave, leavers included, under their group's label
        // as of D (a group whose people had all left by D has no label and no rows).
        let wave_labels = DataFrame::new_infer_height(vec![
            Column::new(
                GROUP.into(),
                fold.labels.keys().cloned().collect::<Vec<_>>(),
            ),
            Column::new(
                LABEL.into(),
                fold.labels.values().cloned().collect::<Vec<_>>(),
            ),
        ])
        .map_err(err)?;
        let members = f
            .people
            .clone()
            .lazy()
            .filter(in_wave)
            .join(
                wave_labels.lazy(),
                [col(GROUP)],
                [col(GROUP)],
                JoinArgs::new(JoinType::Inner),
            )
            .join(
                f.first_enrolled.clone().lazy(),
                [col(PID)],
                [col(PID)],
                JoinArgs::new(JoinType::Left),
            )
            .select([
                col(PID),
                col(WAVE),
                col(LABEL),
                col(LEFT_ON),
                col("first_enrolled"),
            ]);
        let people = with_levels(members.clone(), false)?
            .group_by([col("key_group")])
            .agg(aggs);
        let tickets_by_week: Vec<Expr> = weeks
            .iter()
            .enumerate()
            .map(|(k, w)| {
                col("opened_at")
                    .gt_eq(lit(w.begin_ms))
                    .and(col("opened_at").lt(lit(w.end_ms)))
                    .and(present(w))
                    .cast(DataType::Int64)
                    .sum()
                    .alias(format!("t{k}"))
            })
            .collect();
        let tickets = f.tickets.clone().lazy().join(
            members.select([col(PID), col(WAVE), col(LABEL), col(LEFT_ON)]),
            [col(PID)],
            [col(PID)],
            JoinArgs::new(JoinType::Inner),
        );
        let tickets = with_levels(tickets, false)?
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
                out.wave.push(wave.name.clone());
                out.group.push(label.to_string());
                out.week_start.push(epoch_days(w.start));
                out.week_of_wave.push(k as i64);
                out.as_of.push(epoch_days(w.as_of));
                let value =
                    |prefix: &str| shown.map(|i| cell(&format!("{prefix}{k}"), i)).transpose();
                let (n, enrolled, tickets) = (value("n")?, value("e")?, value("t")?);
                let t = (w.as_of - wave.start).num_days();
                out.eligible.push(n);
                out.enrolled.push(enrolled);
                out.rate.push(match (enrolled, n) {
                    (Some(e), Some(n)) => stats::rate(e, n),
                    _ => None,
                });
                out.target
                    .push(shown.map(|_| stats::target_at(&wave.enrollment_target, t)));
                out.tickets.push(tickets);
            }
        }
    }
    out.into_frame().map_err(err)
}

#[derive(Default)]
struct WeeklyColumns {
    wave: Vec<String>,
    group: Vec<String>,
    week_start: Vec<i32>,
    week_of_wave: Vec<i64>,
    as_of: Vec<i32>,
    eligible: Vec<Option<i64>>,
    enrolled: Vec<Option<i64>>,
    rate: Vec<Option<f64>>,
    target: Vec<Option<f64>>,
    tickets: Vec<Option<i64>>,
}

impl WeeklyColumns {
    fn into_frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("wave".into(), self.wave),
            Column::new("group".into(), self.group),
            Column::new("week_start".into(), self.week_start).cast(&DataType::Date)?,
            Column::new("week_of_wave".into(), self.week_of_wave),
            Column::new("as_of".into(), self.as_of).cast(&DataType::Date)?,
            Column::new("eligible".into(), self.eligible),
            Column::new("enrolled".into(), self.enrolled),
            Column::new("enrollment_rate".into(), self.rate),
            Column::new("target_rate".into(), self.target),
            Column::new("tickets".into(), self.tickets),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mondays() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(monday_of(d("2026-09-09")), d("2026-09-07"));
        assert_eq!(monday_of(d("2026-09-07")), d("2026-09-07"));
        assert_eq!(monday_of(d("2026-09-13")), d("2026-09-07"));
    }
}

//! `cut_metrics`: every wave broken down by more roster columns than `group_by`
//! (`rollout.cuts`, e.g. location, cost centre): one row per workload, wave, cut and
//! shown value, plus each wave's `(all)` per cut, with the figures of `group_metrics`
//! from `eligible` to `tickets_per_100_enrolled` (docs/metrics.md, "cut_metrics").
//! Values are folded like groups (`(small values)`, `<value> (+ small values)`), and
//! further where a value and a group (or two cuts' values) would differ by a few
//! people (docs/privacy.md, "Across partitions").

use super::frames::Frames;
use super::groups::{
    aggregate, days_since_start, measure_columns, status_of, GroupRow, GroupValues, Measured,
};
use super::people::{cut_label, Cutoffs, Persons};
use super::stats::{self, Status};
use super::table::{Col, Table, Value};
use crate::config::Config;
use crate::error::Error;
use crate::schema::ALL;

/// One row of `cut_metrics`.
#[derive(Debug, Clone, PartialEq)]
pub struct CutRow {
    /// The workload.
    pub workload: String,
    /// The wave.
    pub wave: String,
    /// The cut: a roster column of `rollout.cuts`.
    pub cut: String,
    /// The value as shown, or `(all)`.
    pub value: String,
    /// The row's standing.
    pub status: Status,
    /// Its figures; `None` for a suppressed wave.
    pub values: Option<GroupValues>,
}

impl CutRow {
    fn as_group(&self) -> GroupRow {
        GroupRow {
            workload: self.workload.clone(),
            wave: self.wave.clone(),
            group: self.value.clone(),
            status: self.status,
            values: self.values.clone(),
        }
    }
}

impl Table for CutRow {
    const NAME: &'static str = "cut_metrics";

    fn columns() -> Vec<Col<Self>> {
        let head: Vec<Col<Self>> = vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("cut", |r| Value::str(&r.cut)),
            Col::text("value", |r| Value::str(&r.value)),
        ];
        head.into_iter().chain(measure_columns()).collect()
    }
}

impl Measured for CutRow {
    fn status(&self) -> Status {
        self.status
    }
    fn values(&self) -> Option<&GroupValues> {
        self.values.as_ref()
    }
}

/// Builds `cut_metrics`: per cut (config order), per workload and wave (config
/// order), the wave's shown values by name, then its `(all)`.
pub fn cut_rows(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<Vec<CutRow>, Error> {
    let margin = cfg.thresholds.at_risk_margin;
    let mut rows = Vec::new();
    for (k, name) in cfg.cuts.iter().enumerate() {
        let counts = aggregate(f, cut, persons, &cut_label(k), false)?;
        for (w, workload) in cfg.workloads.iter().enumerate() {
            for (_, wave) in cfg.waves_of(w) {
                let suppressed = persons.folds[&wave.name].suppressed;
                let mut labels: Vec<&String> =
                    persons.cut_folds[&wave.name][k].labels.values().collect();
                labels.sort();
                labels.dedup();
                let t = days_since_start(wave, cut);
                let target = stats::target_at(&wave.enrollment_target, t);
                for label in labels.into_iter().map(String::as_str).chain([ALL]) {
                    let (status, values) = if suppressed {
                        (Status::Suppressed, None)
                    } else {
                        let key = (workload.name.clone(), wave.name.clone(), label.to_string());
                        let v = super::groups::values_of(counts.get(&key), target, |_| None);
                        (status_of(t, &v, margin), Some(v))
                    };
                    rows.push(CutRow {
                        workload: workload.name.clone(),
                        wave: wave.name.clone(),
                        cut: name.clone(),
                        value: label.to_string(),
                        status,
                        values,
                    });
                }
            }
        }
    }
    Ok(rows)
}

/// The rows of one cut, as `group_metrics` rows (for the page's small multiples).
pub fn as_groups<'a>(rows: &'a [CutRow], cut: &'a str) -> impl Iterator<Item = GroupRow> + 'a {
    rows.iter()
        .filter(move |r| r.cut == cut)
        .map(CutRow::as_group)
}

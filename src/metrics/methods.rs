//! Ways to learn: who trained by each training method by D, and the
//! `training_methods` table — per workload, wave and method, how many trained that
//! way, their share of the eligible and their enrollment rate (docs/metrics.md,
//! "training_methods").
//!
//! Takes the attendance intervals, each session's method and the completions
//! ([`Engagement`]); makes a completion by D count as trained, and adds to the
//! per-person facts one flag per method; hands `lift` one `trained:<method>` measure
//! per method and the report its [`MethodRow`]s.

use polars::prelude::*;

use super::channels::{flags_of, pids_of, shown_count, Engagement};
use super::frames::Intervals;
use super::lift::{measured_rows, Factor, LiftNote, LiftRow, Measure};
use super::people::Persons;
use super::table::{Col, Kind, Table, Value};
use crate::config::Config;
use crate::error::Error;
use crate::schema::SELF_PACED;

/// The persons column of method `m`: trained by that method by D.
pub fn method_column(m: usize) -> String {
    format!("trained_by{m}")
}

/// Makes a completion before `before` count in `trained`, and adds each method's
/// column: a session method's, attended minutes in that method's sessions ≥
/// `min_ms` (the union of each session's intervals, as for `trained`);
/// `self-paced`'s, a completion. A person who reaches the threshold only by adding
/// two methods' minutes is trained but by neither method.
pub fn add_methods(
    frame: &mut DataFrame,
    e: &Engagement,
    training: &Intervals,
    min_ms: f64,
    before: i64,
) -> Result<(), Error> {
    let err = |e| Error::compute("training methods", e);
    let pids = pids_of(frame)?;
    let completed: Vec<bool> = pids.iter().map(|&p| e.completed(p, before)).collect();
    let trained: Vec<bool> = flags_of(frame, "trained")?
        .into_iter()
        .zip(&completed)
        .map(|(t, &c)| t || c)
        .collect();
    frame
        .with_column(Column::new("trained".into(), trained))
        .map_err(err)?;
    for (m, name) in e.names.methods.iter().enumerate() {
        let by: Vec<bool> = if name == SELF_PACED {
            completed.clone()
        } else {
            let (who, ms) =
                training.attended_ms_in(before, |s| e.session_method.get(s as usize) == Some(&m));
            // Who has enough, by person number (a flag per person rather than a
            // hashed set: a million lookups per method and cut-off).
            let mut enough = vec![false; who.last().map_or(0, |&p| p as usize + 1)];
            for (p, ms) in who.into_iter().zip(ms) {
                if ms as f64 >= min_ms {
                    if let Some(flag) = enough.get_mut(p as usize) {
                        *flag = true;
                    } else {
                        enough.resize(p as usize + 1, false);
                        enough[p as usize] = true;
                    }
                }
            }
            pids.iter()
                .map(|&p| enough.get(p as usize).copied().unwrap_or(false))
                .collect()
        };
        frame
            .with_column(Column::new(method_column(m).into(), by))
            .map_err(err)?;
    }
    Ok(())
}

/// `lift`'s `trained:<method>` measures: one per method when ways to learn are
/// configured (`[[training_methods]]` or completions), none otherwise — then every
/// session is instructor-led and its row would repeat `trained`.
pub fn lift_measures(persons: &Persons) -> Vec<Measure> {
    if persons.engagement.methods_configured {
        measures(persons)
    } else {
        Vec::new()
    }
}

/// One measure per method: trained by it.
fn measures(persons: &Persons) -> Vec<Measure> {
    persons
        .engagement
        .methods
        .iter()
        .enumerate()
        .map(|(m, name)| Measure {
            factor: Factor::Trained,
            label: Some(name.clone()),
            column: method_column(m),
        })
        .collect()
}

/// One row of `training_methods`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodRow {
    /// The method's comparison, as `lift` computes it (with = trained that way).
    pub lift: LiftRow,
    /// The method.
    pub method: String,
    /// People trained that way; empty when 1 to min_group_size − 1, or when a wave's
    /// row hides a few people the overall row would give away.
    pub trained: Option<i64>,
    /// trained / eligible.
    pub share: Option<f64>,
}

/// Builds `training_methods`: every method, configured or not (`instructor-led`
/// alone when none is).
pub fn method_rows(cfg: &Config, persons: &Persons) -> Result<Vec<MethodRow>, Error> {
    let measures = measures(persons);
    let min = i64::from(cfg.thresholds.min_group_size);
    Ok(measured_rows(cfg, persons, &measures)?
        .into_iter()
        .map(|lift| {
            let (trained, share) = shown_count(&lift, min);
            MethodRow {
                method: lift.label.clone().unwrap_or_default(),
                trained,
                share,
                lift,
            }
        })
        .collect())
}

impl Table for MethodRow {
    const NAME: &'static str = "training_methods";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count, Rate};
        vec![
            Col::text("workload", |r| Value::str(&r.lift.workload)),
            Col::text("wave", |r| Value::str(&r.lift.wave)),
            Col::text("method", |r| Value::str(&r.method)),
            Col::of("trained", Count, |r| Value::Int(r.trained)),
            Col::of("share", Rate, |r| Value::Float(r.share)),
            Col::of("enrolled_rate", Rate, |r| Value::Float(r.lift.with.rate)),
            Col::text("note", |r| Value::opt_str(r.lift.note.map(LiftNote::text))),
        ]
    }
}

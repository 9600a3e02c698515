//! Channels beyond email: who each channel reached by D, and the `channels` table —
//! per workload, wave and channel, its reach and how enrollment differs between the
//! people it reached and the rest (docs/metrics.md, "channels").
//!
//! Takes the touchpoints and completions of the dataset ([`Engagement`], built once
//! with the frames); adds to the per-person facts a `reached` flag (an email open or
//! click, or any touchpoint, by D) and one flag per channel; hands `group_metrics` its
//! `reached` count and the report its [`ChannelRow`]s. `email` is the first channel
//! (an open or click); the others are the touchpoints' channels by name.
//! Observational, like `lift`: a channel may reach the keenest people first.

use std::collections::HashMap;

use polars::prelude::*;

use super::lift::{measured_rows, LiftNote, LiftRow, Measure};
use super::people::Persons;
use super::table::{Col, Kind, Table, Value};
use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;
use crate::schema::{Source, INSTRUCTOR_LED, SELF_PACED};

/// The channel an email open or click counts for.
pub const EMAIL: &str = "email";

/// The channels and training methods a run shows.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Whether a `touchpoints` source is configured.
    pub touchpoints: bool,
    /// Whether the methods are measured: `[[training_methods]]` or a `completions`
    /// source is configured.
    pub methods_configured: bool,
    /// Shown channels: `email`, then the touchpoints' channels by name.
    pub channels: Vec<String>,
    /// Ways to learn: the configured methods in config order, `instructor-led`, then
    /// `self-paced` when completions are configured.
    pub methods: Vec<String>,
}

/// Each person's first touch per channel and first completion, and the names of the
/// channels and training methods a run shows.
pub struct Engagement {
    /// The channels and methods.
    pub names: Names,
    /// Per training session (by its index in the attendance), its method's index in
    /// `methods`.
    pub session_method: Vec<usize>,
    /// Per (person, channel index), the first touchpoint.
    first_touch: HashMap<(u32, usize), i64>,
    /// Per person, the first completion.
    first_completion: HashMap<u32, i64>,
}

impl Engagement {
    /// Reduces the touchpoints and completions to first instants.
    pub fn new(cfg: &Config, data: &Dataset) -> Self {
        let t = &data.touchpoints;
        let mut channels = vec![EMAIL.to_string()];
        let mut names: Vec<&String> = t.channels.iter().filter(|c| *c != EMAIL).collect();
        names.sort();
        names.dedup();
        channels.extend(names.into_iter().cloned());
        let index: Vec<usize> = t
            .channels
            .iter()
            .map(|c| channels.iter().position(|n| n == c).unwrap_or(0))
            .collect();
        let mut first_touch = HashMap::new();
        for i in 0..t.pid.len() {
            let key = (t.pid[i], index[t.channel[i] as usize]);
            let slot = first_touch.entry(key).or_insert(t.at[i]);
            *slot = (*slot).min(t.at[i]);
        }
        let c = &data.completions;
        let mut first_completion = HashMap::new();
        for i in 0..c.pid.len() {
            let slot = first_completion.entry(c.pid[i]).or_insert(c.at[i]);
            *slot = (*slot).min(c.at[i]);
        }
        let completions = cfg.sources.contains_key(&Source::Completions);
        let mut methods: Vec<String> = cfg
            .training_methods
            .iter()
            .map(|m| m.name.clone())
            .collect();
        let instructor_led = methods.len();
        methods.push(INSTRUCTOR_LED.to_string());
        if completions {
            methods.push(SELF_PACED.to_string());
        }
        let session_method = data
            .session_methods
            .iter()
            .map(|m| m.map_or(instructor_led, |m| m as usize))
            .collect();
        Engagement {
            names: Names {
                touchpoints: cfg.sources.contains_key(&Source::Touchpoints),
                methods_configured: completions || !cfg.training_methods.is_empty(),
                channels,
                methods,
            },
            session_method,
            first_touch,
            first_completion,
        }
    }

    /// Whether `pid` had a touchpoint of channel `k` before `before`.
    pub fn touched(&self, pid: u32, k: usize, before: i64) -> bool {
        self.first_touch.get(&(pid, k)).is_some_and(|&t| t < before)
    }

    /// The first touchpoint of `pid` by channel `k`, if any.
    pub fn first_touch(&self, pid: u32, k: usize) -> Option<i64> {
        self.first_touch.get(&(pid, k)).copied()
    }

    /// Whether `pid` completed a course before `before`.
    pub fn completed(&self, pid: u32, before: i64) -> bool {
        self.first_completion.get(&pid).is_some_and(|&t| t < before)
    }
}

/// The persons column of channel `k`: reached by that channel by D.
pub fn channel_column(k: usize) -> String {
    format!("reached_by{k}")
}

/// Adds `reached` and each channel's column to the per-person facts (which hold
/// `pid` and `opener`), as of the instant `before`.
pub fn add_reach(frame: &mut DataFrame, e: &Engagement, before: i64) -> Result<(), Error> {
    let err = |e| Error::compute("reach", e);
    let (pids, opener) = (pids_of(frame)?, flags_of(frame, "opener")?);
    let mut reached = opener.clone();
    for k in 0..e.names.channels.len() {
        let by: Vec<bool> = pids
            .iter()
            .zip(&opener)
            .map(|(&p, &o)| (k == 0 && o) || e.touched(p, k, before))
            .collect();
        for (r, b) in reached.iter_mut().zip(&by) {
            *r |= b;
        }
        frame
            .with_column(Column::new(channel_column(k).into(), by))
            .map_err(err)?;
    }
    frame
        .with_column(Column::new("reached".into(), reached))
        .map_err(err)?;
    Ok(())
}

/// The persons' ids, in frame order.
pub(super) fn pids_of(frame: &DataFrame) -> Result<Vec<u32>, Error> {
    let ca = frame
        .column(super::frames::col_names::PID)
        .and_then(|c| c.u32())
        .map_err(|e| Error::compute("per-person facts", e))?;
    Ok((0..ca.len())
        .map(|i| ca.get(i).unwrap_or_default())
        .collect())
}

/// A flag column of the persons, in frame order (null: false).
pub(super) fn flags_of(frame: &DataFrame, name: &str) -> Result<Vec<bool>, Error> {
    let ca = frame
        .column(name)
        .and_then(|c| c.bool())
        .map_err(|e| Error::compute("per-person facts", e))?;
    Ok((0..ca.len()).map(|i| ca.get(i).unwrap_or(false)).collect())
}

/// One row of `channels`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRow {
    /// The channel's comparison, as `lift` computes it (with = reached).
    pub lift: LiftRow,
    /// The channel.
    pub channel: String,
    /// People it reached; empty when 1 to min_group_size − 1, or when a wave's row
    /// hides a few people the overall row would give away.
    pub reached: Option<i64>,
    /// reached / eligible.
    pub reach_rate: Option<f64>,
}

/// Builds `channels`: nothing without a `touchpoints` source (email alone is
/// `lift`'s `opened_email`).
pub fn channel_rows(cfg: &Config, persons: &Persons) -> Result<Vec<ChannelRow>, Error> {
    let e = &persons.engagement;
    if !e.touchpoints {
        return Ok(Vec::new());
    }
    let measures: Vec<Measure> = e
        .channels
        .iter()
        .enumerate()
        .map(|(k, name)| Measure {
            factor: super::lift::Factor::Channel,
            label: Some(name.clone()),
            column: channel_column(k),
        })
        .collect();
    let min = i64::from(cfg.thresholds.min_group_size);
    Ok(measured_rows(cfg, persons, &measures)?
        .into_iter()
        .map(|lift| {
            let (reached, reach_rate) = shown_count(&lift, min);
            ChannelRow {
                channel: lift.label.clone().unwrap_or_default(),
                reached,
                reach_rate,
                lift,
            }
        })
        .collect())
}

/// The count of people with the factor and its share of the eligible, as shown:
/// empty when it is 1 to min_group_size − 1, and in an overall row that hides a
/// wave's few people (docs/privacy.md, "Small counts that are not groups").
pub fn shown_count(lift: &LiftRow, min: i64) -> (Option<i64>, Option<f64>) {
    let n = lift.with.n.filter(|&n| !(n > 0 && n < min));
    let n = n.filter(|_| lift.note != Some(LiftNote::WaveSideTooSmall));
    let eligible = lift.with.n.zip(lift.without.n).map(|(a, b)| a + b);
    let share = n
        .zip(eligible)
        .and_then(|(k, all)| super::stats::rate(k, all));
    (n, share)
}

impl Table for ChannelRow {
    const NAME: &'static str = "channels";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count, Number, Points, Rate};
        vec![
            Col::text("workload", |r| Value::str(&r.lift.workload)),
            Col::text("wave", |r| Value::str(&r.lift.wave)),
            Col::text("channel", |r| Value::str(&r.channel)),
            Col::of("reached", Count, |r| Value::Int(r.reached)),
            Col::of("reach_rate", Rate, |r| Value::Float(r.reach_rate)),
            Col::of("enrolled_rate_reached", Rate, |r| {
                Value::Float(r.lift.with.rate)
            }),
            Col::of("enrolled_rate_not_reached", Rate, |r| {
                Value::Float(r.lift.without.rate)
            }),
            Col::of("difference", Points, |r| Value::Float(r.lift.difference)),
            Col::of("p_value", Number, |r| Value::Float(r.lift.p_value)),
            Col::text("note", |r| Value::opt_str(r.lift.note.map(LiftNote::text))),
        ]
    }
}

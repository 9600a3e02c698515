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
///
/// Held by person number rather than in hash maps: at a million people the maps'
/// hashing was most of `reach`'s time, and a map keyed by (person, channel) costs
/// more memory than these arrays (docs/metrics.md, "channels").
pub struct Engagement {
    /// The channels and methods.
    pub names: Names,
    /// Per training session (by its index in the attendance), its method's index in
    /// `methods`.
    pub session_method: Vec<usize>,
    /// Per person `p`, their first touchpoints are `touch_at[touches[p]..touches[p + 1]]`
    /// (one per channel they were reached by, channel index in `touch_channel`):
    /// bounded by the touchpoints, not by people × channels.
    touches: Vec<u32>,
    /// The channel of each first touchpoint.
    touch_channel: Vec<u32>,
    /// The instant of each first touchpoint.
    touch_at: Vec<i64>,
    /// Per person, the first completion ([`NEVER`] for none).
    first_completion: Vec<i64>,
}

/// No completion, in [`Engagement`]'s array of first completions.
const NEVER: i64 = i64::MAX;

impl Engagement {
    /// Reduces the touchpoints and completions to first instants.
    pub fn new(cfg: &Config, data: &Dataset) -> Self {
        let t = &data.touchpoints;
        let n = data.roster.len();
        let mut channels = vec![EMAIL.to_string()];
        let mut names: Vec<&String> = t.channels.iter().filter(|c| *c != EMAIL).collect();
        names.sort();
        names.dedup();
        channels.extend(names.into_iter().cloned());
        let index: Vec<u32> = t
            .channels
            .iter()
            .map(|c| channels.iter().position(|n| n == c).unwrap_or(0) as u32)
            .collect();
        let (touches, touch_channel, touch_at) =
            first_touches(n, &t.pid, |i| (index[t.channel[i] as usize], t.at[i]));
        let c = &data.completions;
        let mut first_completion = vec![NEVER; n];
        for (&pid, &at) in c.pid.iter().zip(&c.at) {
            if let Some(slot) = first_completion.get_mut(pid as usize) {
                *slot = (*slot).min(at);
            }
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
            touches,
            touch_channel,
            touch_at,
            first_completion,
        }
    }

    /// Whether `pid` had a touchpoint of channel `k` before `before`.
    pub fn touched(&self, pid: u32, k: usize, before: i64) -> bool {
        self.first_touch(pid, k).is_some_and(|t| t < before)
    }

    /// The first touchpoint of `pid` by channel `k`, if any.
    pub fn first_touch(&self, pid: u32, k: usize) -> Option<i64> {
        let p = pid as usize;
        let (from, to) = (*self.touches.get(p)?, *self.touches.get(p + 1)?);
        let (from, to) = (from as usize, to as usize);
        self.touch_channel[from..to]
            .iter()
            .position(|&c| c as usize == k)
            .map(|j| self.touch_at[from + j])
    }

    /// The first completion of `pid`, if any.
    pub fn first_completion(&self, pid: u32) -> Option<i64> {
        let at = *self.first_completion.get(pid as usize)?;
        (at != NEVER).then_some(at)
    }

    /// Whether `pid` completed a course before `before`.
    pub fn completed(&self, pid: u32, before: i64) -> bool {
        self.first_completion(pid).is_some_and(|t| t < before)
    }
}

/// The first touchpoint per person (of `n`, by the `pids` of the touchpoints) and
/// channel: `(starts, channel, at)` with person `p`'s in `starts[p]..starts[p + 1]`,
/// channels in order of first appearance. `of(i)` is touchpoint `i`'s channel and
/// instant. A counting sort by person, then each person's few entries reduced in
/// place: no per-person allocation, nothing hashed. Touchpoints of people beyond `n`
/// are left out (nobody looks them up).
fn first_touches(
    n: usize,
    pids: &[u32],
    of: impl Fn(usize) -> (u32, i64),
) -> (Vec<u32>, Vec<u32>, Vec<i64>) {
    let mut starts = vec![0u32; n + 1];
    for &p in pids {
        if let Some(c) = starts.get_mut(p as usize + 1).filter(|_| (p as usize) < n) {
            *c += 1;
        }
    }
    for p in 0..n {
        starts[p + 1] += starts[p];
    }
    let total = starts[n] as usize;
    let mut next = starts.clone();
    let (mut channel, mut at) = (vec![0u32; total], vec![0i64; total]);
    for (i, &p) in pids.iter().enumerate() {
        if (p as usize) < n {
            let slot = &mut next[p as usize];
            let (c, t) = of(i);
            channel[*slot as usize] = c;
            at[*slot as usize] = t;
            *slot += 1;
        }
    }
    drop(next);
    // Per person, keep the earliest touch of each channel, compacted to the front.
    let mut kept = 0usize;
    let mut from = 0usize;
    for p in 0..n {
        let to = starts[p + 1] as usize;
        let first = kept;
        for j in from..to {
            let (c, t) = (channel[j], at[j]);
            match channel[first..kept].iter().position(|&k| k == c) {
                Some(q) => at[first + q] = at[first + q].min(t),
                None => {
                    channel[kept] = c;
                    at[kept] = t;
                    kept += 1;
                }
            }
        }
        from = to;
        starts[p + 1] = kept as u32;
    }
    channel.truncate(kept);
    at.truncate(kept);
    channel.shrink_to_fit();
    at.shrink_to_fit();
    (starts, channel, at)
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
    Ok(ca.iter().map(Option::unwrap_or_default).collect())
}

/// A flag column of the persons, in frame order (null: false).
pub(super) fn flags_of(frame: &DataFrame, name: &str) -> Result<Vec<bool>, Error> {
    let ca = frame
        .column(name)
        .and_then(|c| c.bool())
        .map_err(|e| Error::compute("per-person facts", e))?;
    Ok(ca.iter().map(|v| v.unwrap_or(false)).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_touches_keep_each_persons_earliest_per_channel() {
        // Touchpoints (pid, channel, at), 3 people: person 2 by channel 1 at 50, 30
        // and 40 (earliest 30) and by channel 0 at 10; person 0 by channel 2 at 7;
        // person 1 never; person 5 is beyond the roster and left out.
        let rows = [
            (2, 1, 50),
            (0, 2, 7),
            (2, 0, 10),
            (2, 1, 30),
            (5, 1, 1),
            (2, 1, 40),
        ];
        let pids: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let (starts, channel, at) = first_touches(3, &pids, |i| (rows[i].1, rows[i].2));
        // Person 0: [0, 1); person 1: empty; person 2: [1, 3), channels in order of
        // first appearance (1, then 0).
        assert_eq!(starts, [0, 1, 1, 3]);
        assert_eq!(channel, [2, 1, 0]);
        assert_eq!(at, [7, 30, 10]);
        let e = Engagement {
            names: Names::default(),
            session_method: Vec::new(),
            touches: starts,
            touch_channel: channel,
            touch_at: at,
            first_completion: vec![NEVER, 5, NEVER],
        };
        assert_eq!(e.first_touch(2, 1), Some(30));
        assert_eq!(e.first_touch(2, 2), None);
        assert_eq!(e.first_touch(1, 0), None);
        assert_eq!(e.first_touch(7, 0), None);
        assert!(e.touched(0, 2, 8) && !e.touched(0, 2, 7));
        assert_eq!(e.first_completion(1), Some(5));
        assert!(!e.completed(0, i64::MAX) && e.completed(1, 6));
    }
}

//! The clean dataset as polars frames: where the lazy plans of the metrics begin.
//!
//! Person ids (`pid`, u32) key every event frame to the `people` frame; timestamps
//! are i64 milliseconds since the epoch (UTC), compared against the as-of cut-offs
//! computed in the rollout's zone.

use polars::prelude::*;

use crate::calendar::epoch_days;
use crate::config::Config;
use crate::dataset::{Dataset, EmailClock};
use crate::error::Error;

/// Column names of the frames built here.
pub mod col_names {
    /// Person id.
    pub const PID: &str = "pid";
    /// Workload name.
    pub const WORKLOAD: &str = "workload";
    /// Wave name (null: unassigned).
    pub const WAVE: &str = "wave";
    /// Group name.
    pub const GROUP: &str = "group";
    /// Day the person left (Date).
    pub const LEFT_ON: &str = "left_on";
    /// Champion flag.
    pub const CHAMPION: &str = "champion";
    /// Event instant, ms since the epoch.
    pub const AT: &str = "at";

    /// The column of cut `k`'s value (the roster column `rollout.cuts[k]`).
    pub fn cut(k: usize) -> String {
        format!("cut{k}")
    }
}

/// The dataset's tables as frames.
pub struct Frames {
    /// One row per workload and roster person: workload, pid, wave (null when
    /// unassigned in that workload), group, left_on, champion, and each cut's value
    /// (`cut0`, `cut1`, …). Workload by workload in config order, each in person
    /// order: row `w × people + pid` is person `pid` in workload `w`.
    pub people: DataFrame,
    /// Each person's earliest enrollment in each workload over all their devices
    /// (ms; `None`: never), per row of `people`: index `w × people + pid`.
    pub first_enrolled: Vec<Option<i64>>,
    /// One row per person and campaign: pid, campaign (code: an index into
    /// `campaigns`), and the first instant
    /// (null: never) the person `received` it (any event but a bounce), `opened` it
    /// (a click, or an open not flagged as a machine prefetch), `clicked`, `bounced`,
    /// and was `sent` it (a sent or delivered event). Every email metric is a count
    /// of these instants before a cut-off, so millions of events are reduced once.
    /// The instants are held as `email_clock` says.
    pub email_firsts: DataFrame,
    /// How `email_firsts` hold their instants.
    pub email_clock: EmailClock,
    /// Per person over all campaigns: pid, first_received, first_opened.
    pub email_people: DataFrame,
    /// Campaign names by code.
    pub campaigns: Vec<String>,
    /// Training attendance, grouped by person and session, by joining instant.
    pub training: Intervals,
    /// pid, ticket_id, opened_at, resolved_at, category.
    pub tickets: DataFrame,
    /// Channels beyond email and ways to learn: each person's first touchpoint per
    /// channel and first completion (docs/metrics.md, "Channels" and "Ways to learn").
    pub engagement: super::channels::Engagement,
}

fn frame(what: &str, columns: Vec<Column>) -> Result<DataFrame, Error> {
    DataFrame::new_infer_height(columns).map_err(|e| Error::compute(what, e))
}

/// Builds the frames from the dataset. The parts are independent and mostly copies
/// of one column each: they are made side by side (the other core is otherwise idle
/// here, between reading and the metrics' threads).
pub fn build(cfg: &Config, data: &Dataset) -> Result<Frames, Error> {
    let ((people, first_enrolled), ((training, tickets), engagement)) = rayon::join(
        || (people_frame(cfg, data), first_enrollments(cfg, data)),
        || {
            rayon::join(
                || (Intervals::new(&data.training), tickets_frame(data)),
                || super::channels::Engagement::new(cfg, data),
            )
        },
    );
    // Errors in the order the frames were once made one after another.
    let people = people?;
    let (email_firsts, email_people) = email_frames(data)?;
    let tickets = tickets?;
    Ok(Frames {
        people,
        first_enrolled,
        email_firsts,
        email_people,
        email_clock: data.email.clock,
        campaigns: data.email.campaigns.clone(),
        training,
        tickets,
        engagement,
    })
}

/// [`Frames::people`].
fn people_frame(cfg: &Config, data: &Dataset) -> Result<DataFrame, Error> {
    use col_names::*;
    let r = &data.roster;
    let n = r.len();
    let n_workloads = cfg.workloads.len();
    let workload: Vec<&str> = cfg
        .workloads
        .iter()
        .flat_map(|w| std::iter::repeat_n(w.name.as_str(), n))
        .collect();
    let wave: Vec<Option<&str>> = r
        .waves
        .iter()
        .flat_map(|waves| {
            waves
                .iter()
                .map(|w| w.map(|i| cfg.waves[i as usize].name.as_str()))
        })
        .collect();
    // Every per-person column once per workload, in workload-major order.
    fn repeat<T: Clone>(v: &[T], times: usize) -> Vec<T> {
        v.iter().cycle().take(v.len() * times).cloned().collect()
    }
    // Borrowed, not cloned: polars copies the bytes once into its own column, and a
    // cloned String per person and workload was a heap block each, freed right after.
    fn texts(v: &crate::dataset::LabelColumn) -> Vec<&str> {
        v.iter().collect()
    }
    let left_on: Vec<Option<i32>> = r.left_on.iter().map(|d| d.map(epoch_days)).collect();
    let pid: Vec<u32> = (0..n as u32).collect();
    let mut columns = vec![
        Column::new(WORKLOAD.into(), workload),
        Column::new(PID.into(), repeat(&pid, n_workloads)),
        Column::new(WAVE.into(), wave),
        Column::new(GROUP.into(), repeat(&texts(&r.group), n_workloads)),
        Column::new(LEFT_ON.into(), repeat(&left_on, n_workloads))
            .cast(&DataType::Date)
            .map_err(|e| Error::compute("people", e))?,
        Column::new(CHAMPION.into(), repeat(&r.champion, n_workloads)),
    ];
    for (k, values) in r.cuts.iter().enumerate() {
        columns.push(Column::new(
            cut(k).into(),
            repeat(&texts(values), n_workloads),
        ));
    }
    frame("people", columns)
}

/// [`Frames::tickets`]. The texts borrowed, not cloned: polars copies their bytes
/// into its own column either way.
fn tickets_frame(data: &Dataset) -> Result<DataFrame, Error> {
    let k = &data.tickets;
    frame(
        "tickets",
        vec![
            Column::new(col_names::PID.into(), k.pid.clone()),
            Column::new("ticket_id".into(), k.ticket_id.as_slice()),
            Column::new("opened_at".into(), k.opened_at.clone()),
            Column::new("resolved_at".into(), k.resolved_at.clone()),
            Column::new("category".into(), k.category.as_slice()),
        ],
    )
}

/// [`Frames::first_enrolled`]: the earliest enrollment of each (workload, person) in a
/// table indexed by both, in one pass over the enrollments (a polars group-by on the
/// workload's name cost a text key per device row). Kept as that table, the way
/// `people::joined` reads it, rather than as a frame of (workload name, pid, instant)
/// rows: the frame's name column alone cost 16 bytes per enrolled person.
fn first_enrollments(cfg: &Config, data: &Dataset) -> Vec<Option<i64>> {
    let e = &data.enrollments;
    let people = data.roster.len();
    let mut first: Vec<Option<i64>> = vec![None; people * cfg.workloads.len()];
    for ((&w, &p), &at) in e.workload.iter().zip(&e.pid).zip(&e.enrolled_at) {
        // An enrollment of no roster person (none reaches here) is left out, as the
        // join on the people's rows left it.
        if (p as usize) < people {
            let slot = &mut first[w as usize * people + p as usize];
            *slot = Some(slot.map_or(at, |s| s.min(at)));
        }
    }
    first
}

/// Training attendance intervals in order of person, session and joining instant,
/// so that each person's time in each session is one run of rows.
pub struct Intervals {
    pid: Vec<u32>,
    session: Vec<u32>,
    joined: Vec<i64>,
    left: Vec<i64>,
}

impl Intervals {
    fn new(t: &crate::dataset::Attendance) -> Self {
        let mut order: Vec<usize> = (0..t.pid.len()).collect();
        let key = |i: usize| (t.pid[i], t.session[i], t.joined_at[i]);
        if !order.windows(2).all(|w| key(w[0]) <= key(w[1])) {
            order.sort_by_key(|&i| key(i));
        }
        Intervals {
            pid: order.iter().map(|&i| t.pid[i]).collect(),
            session: order.iter().map(|&i| t.session[i]).collect(),
            joined: order.iter().map(|&i| t.joined_at[i]).collect(),
            left: order.iter().map(|&i| t.left_at[i]).collect(),
        }
    }

    /// Each person's attended time in ms over the intervals that start before
    /// `before`: per session, the union of [joined, left] (overlapping or repeated
    /// joins count once), summed over sessions. People with no such interval are left
    /// out.
    pub fn attended_ms(&self, before: i64) -> (Vec<u32>, Vec<i64>) {
        self.attended_ms_in(before, |_| true)
    }

    /// [`Intervals::attended_ms`] over the sessions `keep` accepts only (the sessions
    /// of one training method).
    pub fn attended_ms_in(&self, before: i64, keep: impl Fn(u32) -> bool) -> (Vec<u32>, Vec<i64>) {
        let (mut pids, mut totals) = (Vec::new(), Vec::new());
        // The furthest end seen so far in the current (person, session).
        let mut reach: Option<(u32, u32, i64)> = None;
        for i in 0..self.pid.len() {
            let (pid, session, joined, left) =
                (self.pid[i], self.session[i], self.joined[i], self.left[i]);
            if joined >= before || !keep(session) {
                continue;
            }
            let from = match reach {
                Some((p, s, end)) if (p, s) == (pid, session) => joined.max(end),
                _ => joined,
            };
            let end = match reach {
                Some((p, s, end)) if (p, s) == (pid, session) => end.max(left),
                _ => left,
            };
            reach = Some((pid, session, end));
            if pids.last() != Some(&pid) {
                pids.push(pid);
                totals.push(0);
            }
            if let Some(total) = totals.last_mut() {
                *total += (left - from).max(0);
            }
        }
        (pids, totals)
    }
}

/// [`Frames::email_firsts`] and [`Frames::email_people`]: the dataset's email
/// columns, already reduced as they were read, shared rather than copied (a polars
/// array's clone is a reference).
fn email_frames(data: &Dataset) -> Result<(DataFrame, DataFrame), Error> {
    let m = &data.email;
    let mut columns = vec![
        m.pid.clone().into_column(),
        m.campaign.clone().into_column(),
    ];
    columns.extend(m.firsts.iter().map(|k| k.clone().into_column()));
    let firsts = frame("email", columns)?;
    let mut columns = vec![m.person_pid.clone().into_column()];
    columns.extend(m.person_firsts.iter().map(|k| k.clone().into_column()));
    let people = frame("email", columns)?;
    Ok((firsts, people))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Attendance;

    const MIN: i64 = 60_000;

    #[test]
    fn attended_time_is_the_union_of_each_sessions_intervals() {
        // Person 0, session 0: [0, 30] and [20, 50] overlap -> 50 min; a rejoin
        // [60, 70] adds 10 -> 60. Session 1: [0, 15] -> 15. Total 75 min.
        // Person 1, session 0: [5, 10] inside [0, 40] -> 40; [100, 130] starts at the
        // cut-off (100), so it does not count. Person 2: only [100, 110] -> left out.
        // Given out of order, as a folder of exports would be.
        let rows = [
            (1, 0, 100, 130),
            (0, 0, 20, 50),
            (0, 1, 0, 15),
            (1, 0, 5, 10),
            (0, 0, 0, 30),
            (2, 0, 100, 110),
            (0, 0, 60, 70),
            (1, 0, 0, 40),
        ];
        let t = Attendance {
            pid: rows.iter().map(|r| r.0).collect(),
            session: rows.iter().map(|r| r.1).collect(),
            joined_at: rows.iter().map(|r| r.2 * MIN).collect(),
            left_at: rows.iter().map(|r| r.3 * MIN).collect(),
            sessions: vec!["a".into(), "b".into()],
        };
        let (pids, ms) = Intervals::new(&t).attended_ms(100 * MIN);
        assert_eq!(pids, [0, 1]);
        assert_eq!(ms, [75 * MIN, 40 * MIN]);
        // Sessions do not merge: the same times in two sessions count twice.
        let (_, ms) = Intervals::new(&t).attended_ms(i64::MAX);
        assert_eq!(ms, [75 * MIN, 40 * MIN + 30 * MIN, 10 * MIN]);
    }
}

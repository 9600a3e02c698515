//! `--snapshots`: the roster, the devices and the tickets as folders of weekly
//! exports, one per Friday up to the as-of day, as a rollout lead collects them.
//! Takes each person's roster row and tickets (and, from [`Churn`], who joins late
//! and who moves); hands each snapshot the rows as they stood that Friday evening.
//!
//! History the snapshots carry: **leavers** vanish from the first snapshot on or after
//! the day they left (no `left_on` column: real exports never have one); **joiners**
//! appear in a later snapshot and did nothing before they joined; **movers** show their
//! old department up to the week they moved (often a department of another wave); a
//! ticket's row in each snapshot has its state then. Devices are in `devices.rs`.
//! Without `--snapshots` the single files are written as always.

use std::io;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::sink::Target;
use super::util::{as_of, at, date, days};
use super::world::World;

/// Share of people who join during the rollout (among those who do not leave).
const JOINERS: f64 = 0.025;
/// Share of people who move to another department during the rollout.
const MOVERS: f64 = 0.03;

/// The snapshot days: every Friday from 2026-09-04 (the Friday before the first
/// wave starts) up to the as-of day (a Friday too).
pub(super) fn snapshot_days() -> Vec<NaiveDate> {
    let mut day = date(2026, 9, 4);
    let mut out = Vec::new();
    while day <= as_of() {
        out.push(day);
        day += days(7);
    }
    out
}

/// When a snapshot of day `day` is taken: that evening, local time.
pub(super) fn taken(day: NaiveDate) -> NaiveDateTime {
    at(day, 20)
}

/// A person's history on a roster of snapshots.
#[derive(Default, Clone, Copy)]
pub(super) struct Moves {
    /// The day a joiner joined.
    pub(super) joined_on: Option<NaiveDate>,
    /// A mover's former department and the day of the first snapshot that shows the
    /// current one.
    pub(super) moved: Option<(usize, NaiveDate)>,
}

/// Draws joiners and movers, from a stream of its own.
pub(super) struct Churn {
    rng: ChaCha8Rng,
    days: Vec<NaiveDate>,
    /// The departments a wave lists: where movers come from.
    waved: Vec<usize>,
}

impl Churn {
    pub(super) fn new(world: &World, rng: ChaCha8Rng) -> Churn {
        let waved = (0..world.depts.len())
            .filter(|&d| world.depts[d].wave.is_some())
            .collect();
        Churn {
            rng,
            days: snapshot_days(),
            waved,
        }
    }

    /// The history of a person of department `d` who leaves on `left_on`. The same
    /// draws are made for everyone, so one person's history never shifts another's.
    pub(super) fn person(&mut self, d: usize, left_on: Option<NaiveDate>) -> Moves {
        let rng = &mut self.rng;
        let n = self.days.len();
        let (joiner, mover) = (rng.random_bool(JOINERS), rng.random_bool(MOVERS));
        // A joiner first appears in snapshot `k` (not the first); a mover shows the new
        // department from snapshot `m` (not the first).
        let k = rng.random_range(1..n.max(2));
        let back = rng.random_range(0..7);
        let m = rng.random_range(1..n.max(2));
        let old = self.waved.choose(rng).copied();
        if n < 2 {
            return Moves::default();
        }
        if joiner && left_on.is_none() {
            return Moves {
                joined_on: Some(self.days[k] - days(back)),
                moved: None,
            };
        }
        let moved = match old {
            Some(old) if mover && old != d => {
                let day = self.days[m];
                // A leaver who is gone before the move never moved.
                left_on.is_none_or(|l| day < l).then_some((old, day))
            }
            _ => None,
        };
        Moves {
            joined_on: None,
            moved,
        }
    }
}

/// One person's roster row with their history.
pub(super) struct RosterRow<'a> {
    /// `user_id`, `display_name`, `mail`, the department (as of the as-of day),
    /// `location`, `champion`.
    pub(super) cells: [&'a str; 6],
    /// The `left_on` cell of a single roster.
    pub(super) left: &'a str,
    /// The further columns (`cost_center`, `kfm_wave`), in header order.
    pub(super) more: &'a [String],
    pub(super) left_on: Option<NaiveDate>,
    pub(super) joined_on: Option<NaiveDate>,
    /// The former department, and the first snapshot day that shows the current one.
    pub(super) moved: Option<(&'a str, NaiveDate)>,
}

/// Writes `r` into the roster file, or into each snapshot the person is in.
pub(super) fn write_roster(roster: &mut Target, r: &RosterRow<'_>) -> io::Result<()> {
    let mut cells: Vec<&str> = r.cells.to_vec();
    match roster {
        Target::One(sink) => {
            cells.push(r.left);
            cells.extend(r.more.iter().map(String::as_str));
            sink.row(&cells)
        }
        Target::Weekly(weekly) => {
            cells.extend(r.more.iter().map(String::as_str));
            let department = r.cells[3];
            for (&day, sink) in weekly.days.iter().zip(&mut weekly.sinks) {
                let joined = r.joined_on.is_none_or(|j| j <= day);
                let here = r.left_on.is_none_or(|l| day < l);
                if !(joined && here) {
                    continue;
                }
                cells[3] = match r.moved {
                    Some((old, from)) if day < from => old,
                    _ => department,
                };
                sink.row(&cells)?;
            }
            Ok(())
        }
    }
}

/// One help-desk ticket with its whole story.
pub(super) struct Ticket<'a> {
    pub(super) ticket: &'a str,
    pub(super) id: &'a str,
    pub(super) opened: NaiveDateTime,
    /// When it was (or will be) resolved.
    pub(super) resolved: NaiveDateTime,
    pub(super) category: &'a str,
    /// Its state in a single export: `resolved`, `open` or `in-progress`.
    pub(super) status: &'a str,
}

/// Writes `t` into the tickets export, or into each snapshot taken after it was
/// opened, with its state that evening.
pub(super) fn write_ticket(tickets: &mut Target, t: &Ticket<'_>) -> io::Result<()> {
    let opened = t.opened.to_string();
    match tickets {
        Target::One(sink) => {
            let resolved = match t.status {
                "resolved" => t.resolved.to_string(),
                _ => String::new(),
            };
            sink.row(&[t.ticket, t.id, &opened, &resolved, t.category, t.status])
        }
        Target::Weekly(weekly) => {
            let last = weekly.days.last().copied();
            for (&day, sink) in weekly.days.iter().zip(&mut weekly.sinks) {
                if t.opened.date() > day {
                    continue;
                }
                let now = taken(day);
                let (resolved, status) = if t.resolved <= now {
                    (t.resolved.to_string(), "resolved")
                } else if Some(day) == last && t.status != "resolved" {
                    (String::new(), t.status)
                } else if now - t.opened < TimeDelta::days(2) {
                    (String::new(), "open")
                } else {
                    (String::new(), "in-progress")
                };
                sink.row(&[t.ticket, t.id, &opened, &resolved, t.category, status])?;
            }
            Ok(())
        }
    }
}

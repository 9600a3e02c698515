//! The clean dataset as polars frames: where the lazy plans of the metrics begin.
//!
//! Person ids (`pid`, u32) key every event frame to the `people` frame; timestamps
//! are i64 milliseconds since the epoch (UTC), compared against the as-of cut-offs
//! computed in the rollout's zone.

use polars::prelude::*;

use crate::config::Config;
use crate::error::Error;
use crate::ingest::dates::epoch_days;
use crate::quality::{Dataset, EmailEvent};

/// Column names of the frames built here.
pub mod col_names {
    /// Person id.
    pub const PID: &str = "pid";
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
}

/// The dataset's tables as frames.
pub struct Frames {
    /// One row per roster person: pid, wave (null when unassigned), group, left_on,
    /// champion.
    pub people: DataFrame,
    /// pid, at (enrolled_at).
    pub enrollments: DataFrame,
    /// pid, campaign, event, at, machine_open.
    pub email: DataFrame,
    /// pid, session, joined_at, left_at.
    pub training: DataFrame,
    /// pid, ticket_id, opened_at, resolved_at, category.
    pub tickets: DataFrame,
}

fn frame(what: &str, columns: Vec<Column>) -> Result<DataFrame, Error> {
    DataFrame::new_infer_height(columns).map_err(|e| Error::compute(what, e))
}

/// Builds the frames from the dataset.
pub fn build(cfg: &Config, data: &Dataset) -> Result<Frames, Error> {
    use col_names::*;
    let r = &data.roster;
    let wave: Vec<Option<&str>> = r
        .wave
        .iter()
        .map(|w| w.map(|i| cfg.waves[i as usize].name.as_str()))
        .collect();
    let left_on: Vec<Option<i32>> = r.left_on.iter().map(|d| d.map(epoch_days)).collect();
    let pid: Vec<u32> = (0..r.len() as u32).collect();
    let people = frame(
        "people",
        vec![
            Column::new(PID.into(), pid),
            Column::new(WAVE.into(), wave),
            Column::new(GROUP.into(), r.group.clone()),
            Column::new(LEFT_ON.into(), left_on)
                .cast(&DataType::Date)
                .map_err(|e| Error::compute("people", e))?,
            Column::new(CHAMPION.into(), r.champion.clone()),
        ],
    )?;

    let e = &data.enrollments;
    let enrollments = frame(
        "enrollments",
        vec![
            Column::new(PID.into(), e.pid.clone()),
            Column::new(AT.into(), e.enrolled_at.clone()),
        ],
    )?;

    let m = &data.email;
    let campaign: Vec<&str> = m
        .campaign
        .iter()
        .map(|&i| m.campaigns[i as usize].as_str())
        .collect();
    let event: Vec<&str> = m.event.iter().map(|e| e.name()).collect();
    let email = frame(
        "email",
        vec![
            Column::new(PID.into(), m.pid.clone()),
            Column::new("campaign".into(), campaign),
            Column::new("event".into(), event),
            Column::new(AT.into(), m.at.clone()),
            Column::new("machine_open".into(), m.machine_open.clone()),
        ],
    )?;

    let t = &data.training;
    let session: Vec<&str> = t
        .session
        .iter()
        .map(|&i| t.sessions[i as usize].as_str())
        .collect();
    let training = frame(
        "training",
        vec![
            Column::new(PID.into(), t.pid.clone()),
            Column::new("session".into(), session),
            Column::new("joined_at".into(), t.joined_at.clone()),
            Column::new("left_at".into(), t.left_at.clone()),
        ],
    )?;

    let k = &data.tickets;
    let tickets = frame(
        "tickets",
        vec![
            Column::new(PID.into(), k.pid.clone()),
            Column::new("ticket_id".into(), k.ticket_id.clone()),
            Column::new("opened_at".into(), k.opened_at.clone()),
            Column::new("resolved_at".into(), k.resolved_at.clone()),
            Column::new("category".into(), k.category.clone()),
        ],
    )?;
    Ok(Frames {
        people,
        enrollments,
        email,
        training,
        tickets,
    })
}

/// The event names that make a person a recipient (SPEC §4 `recipients`).
pub const RECIPIENT_EVENTS: [EmailEvent; 4] = [
    EmailEvent::Sent,
    EmailEvent::Delivered,
    EmailEvent::Open,
    EmailEvent::Click,
];

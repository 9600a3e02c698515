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
    /// Each person's earliest enrollment over all their devices: pid, first_enrolled.
    pub first_enrolled: DataFrame,
    /// One row per person and campaign: pid, campaign (name), and the first instant
    /// (null: never) the person `received` it (any event but a bounce), `opened` it
    /// (a click, or an open not flagged as a machine prefetch), `clicked`, `bounced`,
    /// and was `sent` it (a sent or delivered event). Every email metric is a count
    /// of these instants before a cut-off, so millions of events are reduced once.
    pub email_firsts: DataFrame,
    /// Per person over all campaigns: pid, first_received, first_opened.
    pub email_people: DataFrame,
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

    let first_enrolled = enrollments
        .clone()
        .lazy()
        .group_by([col(PID)])
        .agg([col(AT).min().alias("first_enrolled")])
        .collect()
        .map_err(|e| Error::compute("enrollments", e))?;

    let (email_firsts, email_people) = email_frames(data)?;

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
        first_enrolled,
        email_firsts,
        email_people,
        training,
        tickets,
    })
}

/// Reduces the email events to [`Frames::email_firsts`] and [`Frames::email_people`]
/// in one pass over the events, which come grouped by person and campaign.
fn email_frames(data: &Dataset) -> Result<(DataFrame, DataFrame), Error> {
    use col_names::*;
    let m = &data.email;
    let n = m.pid.len();
    let mut order: Vec<usize> = (0..n).collect();
    let key = |i: usize| (m.pid[i], m.campaign[i]);
    if !order.windows(2).all(|w| key(w[0]) <= key(w[1])) {
        order.sort_by_key(|&i| key(i));
    }
    #[derive(Default)]
    struct Firsts {
        pid: Vec<u32>,
        campaign: Vec<u32>,
        kinds: [Vec<Option<i64>>; 5],
    }
    let (received, opened, clicked, bounced, sent) = (0, 1, 2, 3, 4);
    let earliest = |slot: &mut Option<i64>, at: i64| {
        *slot = Some(slot.map_or(at, |s| s.min(at)));
    };
    let mut f = Firsts::default();
    let mut people = Firsts::default();
    let mut at = 0;
    while at < n {
        let (pid, campaign) = key(order[at]);
        let mut kinds = [None; 5];
        while at < n && key(order[at]) == (pid, campaign) {
            let i = order[at];
            let (event, t) = (m.event[i], m.at[i]);
            if event != EmailEvent::Bounce {
                earliest(&mut kinds[received], t);
            }
            if event == EmailEvent::Click || (event == EmailEvent::Open && !m.machine_open[i]) {
                earliest(&mut kinds[opened], t);
            }
            match event {
                EmailEvent::Click => earliest(&mut kinds[clicked], t),
                EmailEvent::Bounce => earliest(&mut kinds[bounced], t),
                EmailEvent::Sent | EmailEvent::Delivered => earliest(&mut kinds[sent], t),
                EmailEvent::Open => {}
            }
            at += 1;
        }
        f.pid.push(pid);
        f.campaign.push(campaign);
        for (k, v) in kinds.iter().enumerate() {
            f.kinds[k].push(*v);
        }
        if people.pid.last() != Some(&pid) {
            people.pid.push(pid);
            people.kinds[received].push(None);
            people.kinds[opened].push(None);
        }
        for k in [received, opened] {
            if let (Some(slot), Some(t)) = (people.kinds[k].last_mut(), kinds[k]) {
                earliest(slot, t);
            }
        }
    }
    let campaign: Vec<&str> = f
        .campaign
        .iter()
        .map(|&i| m.campaigns.get(i as usize).map_or("", String::as_str))
        .collect();
    let [r, o, c, b, s] = f.kinds;
    let firsts = frame(
        "email",
        vec![
            Column::new(PID.into(), f.pid),
            Column::new("campaign".into(), campaign),
            Column::new("received".into(), r),
            Column::new("opened".into(), o),
            Column::new("clicked".into(), c),
            Column::new("bounced".into(), b),
            Column::new("sent".into(), s),
        ],
    )?;
    let [r, o, ..] = people.kinds;
    let people = frame(
        "email",
        vec![
            Column::new(PID.into(), people.pid),
            Column::new("first_received".into(), r),
            Column::new("first_opened".into(), o),
        ],
    )?;
    Ok((firsts, people))
}

/// The event names that make a person a recipient (SPEC §4 `recipients`).
pub const RECIPIENT_EVENTS: [EmailEvent; 4] = [
    EmailEvent::Sent,
    EmailEvent::Delivered,
    EmailEvent::Open,
    EmailEvent::Click,
];

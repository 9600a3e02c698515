//! Metrics: the clean dataset in, every table of SPEC §4 out, with the privacy rules
//! of SPEC §5 applied.
//!
//! The dataset becomes polars frames ([`frames`]); one lazy plan computes each
//! eligible person's facts as of D and the label their group is shown under
//! ([`people`]); every table aggregates that, one plan per table. The same is done as
//! of D − 7 for the week-over-week comparison, from the same data. Tables are handed
//! to the report in a fixed order with explicit row order, so that identical inputs
//! give identical files.

pub mod campaigns;
pub mod data_quality;
pub mod frames;
pub mod groups;
pub mod lift;
pub mod people;
pub mod stats;
pub mod tickets;
pub mod weekly;

use chrono::NaiveDate;
use polars::prelude::DataFrame;

use crate::config::Config;
use crate::error::Error;
use crate::progress::span;
use crate::quality::Dataset;

pub use groups::{GroupRow, GroupValues};
pub use people::Cutoffs;
pub use stats::Status;

/// Every table of a run.
pub struct Tables {
    /// The as-of day.
    pub as_of: NaiveDate,
    /// `group_metrics` as rows, for the report's prose.
    pub groups: Vec<GroupRow>,
    /// `group_metrics` as of D − 7, for what changed since last week.
    pub groups_week_ago: Vec<GroupRow>,
    /// The tables to write, by name, in order.
    pub frames: Vec<(&'static str, DataFrame)>,
    /// The eligible people's facts as of D (for the private nudge lists only).
    pub persons: people::Persons,
}

impl Tables {
    /// The frame named `name`.
    pub fn frame(&self, name: &str) -> Option<&DataFrame> {
        self.frames.iter().find(|(n, _)| *n == name).map(|(_, f)| f)
    }
}

/// Computes every table as of `as_of`.
pub fn compute(cfg: &Config, data: &Dataset, as_of: NaiveDate) -> Result<Tables, Error> {
    let timed = |label: &str| span(label);
    let s = timed("frames");
    let f = frames::build(cfg, data)?;
    drop(s);
    let cut = Cutoffs::new(cfg, as_of);
    let s = timed("persons");
    let persons = people::persons(&f, cfg, &cut)?;
    drop(s);
    let s = timed("group_metrics");
    let groups = groups::group_rows(&f, cfg, &cut, &persons)?;
    drop(s);

    let s = timed("persons and group_metrics as of D-7");
    let week_ago = as_of - chrono::Days::new(7);
    let cut_week_ago = Cutoffs::new(cfg, week_ago);
    let persons_week_ago = people::persons(&f, cfg, &cut_week_ago)?;
    let groups_week_ago = groups::group_rows(&f, cfg, &cut_week_ago, &persons_week_ago)?;
    drop(s);

    let frames = vec![
        ("group_metrics", groups::group_frame(&groups)?),
        ("weekly_progress", {
            let _s = timed("weekly_progress");
            weekly::weekly_frame(&f, cfg, &cut, &persons)?
        }),
        ("attention", groups::attention_frame(cfg, &groups)?),
        ("lift", {
            let _s = timed("lift");
            lift::lift_frame(cfg, &persons)?
        }),
        ("campaigns", {
            let _s = timed("campaigns");
            campaigns::campaigns_frame(&f, cfg, &cut, &persons, &groups)?
        }),
        ("ticket_categories", {
            let _s = timed("ticket_categories");
            tickets::categories_frame(&f, cfg, &cut, &persons)?
        }),
        (
            "data_quality",
            data_quality::quality_frame(data, as_of, &persons)?,
        ),
        (
            "group_metrics_week_ago",
            groups::group_frame(&groups_week_ago)?,
        ),
    ];
    Ok(Tables {
        as_of,
        groups,
        groups_week_ago,
        frames,
        persons,
    })
}

//! Metrics: the clean dataset in, every table of the report out as typed rows
//! ([`Tables`]), with the privacy rules applied (docs/metrics.md, docs/privacy.md).
//!
//! The dataset becomes polars frames ([`frames`]); one lazy plan computes each
//! eligible person's facts as of D and the label their group is shown under
//! ([`people`]); every table aggregates that, one plan per table. The same is done as
//! of D − 7 for the week-over-week comparison, from the same joined cohort
//! (`people::joined`): only the comparisons with the cut-off instants are redone. Each table is a
//! `Vec` of its row type, which declares its columns once ([`table::Table`]); the report
//! reads the rows and builds files from the column lists. Row order is explicit, so
//! identical inputs give identical files.

pub mod after;
pub mod attention;
pub mod campaigns;
pub mod channels;
pub mod cuts;
pub mod data_quality;
pub mod effects;
pub mod frames;
pub mod groups;
pub mod lift;
pub mod methods;
pub mod nudge;
pub mod people;
pub mod stats;
pub mod survival;
pub mod table;
pub mod tickets;
pub mod timing;
pub mod weekly;

use chrono::NaiveDate;

use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;
use crate::progress::span;

pub use after::AfterRow;
pub use attention::{AttentionRow, Diagnosis};
pub use campaigns::CampaignRow;
pub use cuts::CutRow;
pub use data_quality::QualityRow;
pub use groups::{GroupRow, GroupValues};
pub use lift::{Factor, LiftRow};
pub use people::Cutoffs;
pub use stats::Status;
pub use table::{Kind, Table, Value, Written};
pub use tickets::CategoryRow;
pub use timing::{EffectRow, TimeRow};
pub use weekly::WeekRow;

/// Every table of a run, computed once, as typed rows.
pub struct Tables {
    /// The as-of day.
    pub as_of: NaiveDate,
    /// `group_metrics`.
    pub group_metrics: Vec<GroupRow>,
    /// `cut_metrics` (empty without `rollout.cuts`).
    pub cut_metrics: Vec<CutRow>,
    /// `weekly_progress`.
    pub weekly_progress: Vec<WeekRow>,
    /// `attention`.
    pub attention: Vec<AttentionRow>,
    /// `lift`.
    pub lift: Vec<LiftRow>,
    /// `campaigns`.
    pub campaigns: Vec<CampaignRow>,
    /// `ticket_categories`.
    pub ticket_categories: Vec<CategoryRow>,
    /// `time_to_enroll`.
    pub time_to_enroll: Vec<TimeRow>,
    /// `effects`.
    pub effects: Vec<EffectRow>,
    /// `data_quality`.
    pub data_quality: Vec<QualityRow>,
    /// `channels` (empty without touchpoints).
    pub channels: Vec<channels::ChannelRow>,
    /// `training_methods`.
    pub training_methods: Vec<methods::MethodRow>,
    /// `after_enrollment`: healthy devices, active use, the survey (as of D only).
    pub after_enrollment: Vec<AfterRow>,
    /// `group_metrics` as of D − 7, for what changed since last week.
    pub group_metrics_week_ago: Vec<GroupRow>,
    /// The eligible people's facts as of D (for the private nudge lists only).
    pub persons: people::Persons,
}

impl Tables {
    /// Every table to write, in the order they are written.
    pub fn written(&self) -> Vec<Box<dyn Written + '_>> {
        vec![
            Box::new(table::rows(&self.group_metrics)),
            Box::new(table::rows(&self.cut_metrics)),
            Box::new(table::rows(&self.weekly_progress)),
            Box::new(table::rows(&self.attention)),
            Box::new(table::rows(&self.lift)),
            // Reach by any channel only with touchpoints: otherwise the email table.
            if self.persons.engagement.touchpoints {
                Box::new(table::rows(&self.campaigns))
            } else {
                Box::new(table::Without {
                    rows: table::rows(&self.campaigns),
                    omit: &campaigns::TOUCHPOINT_COLUMNS,
                })
            },
            Box::new(table::rows(&self.ticket_categories)),
            Box::new(table::rows(&self.time_to_enroll)),
            Box::new(table::rows(&self.effects)),
            Box::new(table::rows(&self.data_quality)),
            Box::new(table::rows(&self.channels)),
            Box::new(table::rows(&self.training_methods)),
            Box::new(table::rows(&self.after_enrollment)),
            Box::new(table::Rows {
                name: "group_metrics_week_ago",
                rows: &self.group_metrics_week_ago,
            }),
        ]
    }
}

/// Computes every table as of `as_of`.
pub fn compute(cfg: &Config, data: &Dataset, as_of: NaiveDate) -> Result<Tables, Error> {
    let timed = |label: &str| span(label);
    let s = timed("frames");
    let mut f = frames::build(cfg, data)?;
    drop(s);
    let cut = Cutoffs::new(cfg, as_of);
    let s = timed("persons");
    let cohort = people::cohort(&f, cfg, as_of)?;
    let joined = people::joined(&f, cfg, &cohort)?;
    drop(cohort);
    // The per-row tables only the cohort and `joined` read, freed before the tables
    // below reach the run's peak: the allocator hands the freed bytes to them.
    f.people = Default::default();
    f.first_enrolled = Vec::new();
    f.email_people = Default::default();
    let f = &f;
    drop(s);

    // The tables below read the frames and the cohort (the rest D's figures too) and
    // never each other, but most of them run on one core: three threads compute them
    // side by side (a 2-core machine otherwise leaves a core idle for most of this
    // step). Each result is looked at in the order the tables were computed one after
    // another (D's people and rows, D − 7's, the effects, the rest), so the first error
    // is the same either way.
    let week_ago = as_of - chrono::Days::new(7);
    // D's people, made on this thread while last week's are made beside it, then lent
    // to the effects' thread (a value of the scope's caller, so that it can be lent).
    let persons_of_d = std::sync::OnceLock::new();
    // `joined` is read only to make D's people and last week's: shared by the two
    // threads and freed when both are made, before the tables are aggregated.
    let joined = std::sync::Arc::new(joined);
    let week_joined = std::sync::Arc::clone(&joined);
    let (persons_d, week_ago_rows, cohort_and_effects, d_rows) = std::thread::scope(|scope| {
        // Last week's figures of the same people, under the same labels: comparing the
        // two compares progress, never a leaver or a joiner.
        let week = scope.spawn(move || -> Result<_, Error> {
            let _s = timed("persons and group_metrics as of D-7");
            let cut_week_ago = Cutoffs::new(cfg, week_ago);
            let persons_week_ago = people::persons_of(&week_joined, f, cfg, &cut_week_ago)?;
            drop(week_joined);
            groups::group_rows(f, cfg, &cut_week_ago, &persons_week_ago)
        });
        let made = {
            let _s = timed("persons as of D");
            people::persons_of(&joined, f, cfg, &cut)
        };
        drop(joined);
        let persons = match made {
            Ok(persons) => persons_of_d.get_or_init(|| persons),
            Err(e) => return (Err(e), result_of(week), None, None),
        };
        // Time to enroll, forecasts and effects: the cohort's instants per wave (waves
        // that have started).
        let enroll = scope.spawn(|| -> Result<_, Error> {
            let _s = timed("time to enroll and effects");
            let effects::Cohort { factors, mut waves } =
                effects::of_persons(cfg, data, &f.engagement, persons)?;
            waves.retain(|w| w.start <= as_of);
            let time_to_enroll = timing::time_rows(cfg, as_of, &waves);
            let effects = timing::effect_rows(cfg, as_of, &factors, &waves);
            Ok((waves, time_to_enroll, effects))
        });
        let rows = {
            let _s = timed("group_metrics");
            groups::group_rows(f, cfg, &cut, persons)
        };
        let rest = rows
            .as_ref()
            .ok()
            .map(|rows| other_tables(cfg, data, f, &cut, persons, rows));
        (
            Ok(()),
            result_of(week),
            Some(result_of(enroll)),
            Some((rows, rest)),
        )
    });
    persons_d?;
    let persons = persons_of_d
        .into_inner()
        .expect("made when D's people were");
    let cohort_and_effects = cohort_and_effects.expect("computed when D's people were");
    let d_rows = d_rows.expect("computed when D's people were");
    let (rows, rest) = d_rows;
    let mut group_metrics = rows?;
    let mut group_metrics_week_ago = week_ago_rows?;
    let (waves, time_to_enroll, effects) = cohort_and_effects?;
    timing::add_to_groups(cfg, as_of, &waves, &mut group_metrics);
    // Only the waves started a week ago count (add_to_groups leaves the others out).
    timing::add_to_groups(cfg, week_ago, &waves, &mut group_metrics_week_ago);
    let Others {
        cut_metrics,
        weekly_progress,
        after_enrollment,
        lift,
        campaigns,
        ticket_categories,
        data_quality,
        channels,
        training_methods,
    } = rest.expect("computed when D's rows were")?;
    let attention = attention::attention_rows(cfg, &group_metrics, &after_enrollment);
    Ok(Tables {
        as_of,
        group_metrics,
        cut_metrics,
        weekly_progress,
        attention,
        lift,
        campaigns,
        ticket_categories,
        time_to_enroll,
        effects,
        data_quality,
        channels,
        training_methods,
        after_enrollment,
        group_metrics_week_ago,
        persons,
    })
}

/// A thread's result; its panic goes on in the caller.
fn result_of<T>(thread: std::thread::ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The tables computed beside last week's figures and the effects.
struct Others {
    cut_metrics: Vec<CutRow>,
    weekly_progress: Vec<WeekRow>,
    after_enrollment: Vec<AfterRow>,
    lift: Vec<LiftRow>,
    campaigns: Vec<CampaignRow>,
    ticket_categories: Vec<CategoryRow>,
    data_quality: Vec<QualityRow>,
    channels: Vec<channels::ChannelRow>,
    training_methods: Vec<methods::MethodRow>,
}

/// Every table but last week's figures, time to enroll and the effects, from D's
/// figures (`group_metrics` before time to enroll is added to it: a campaign's wave
/// reads only its eligible people).
fn other_tables(
    cfg: &Config,
    data: &Dataset,
    f: &frames::Frames,
    cut: &Cutoffs,
    persons: &people::Persons,
    group_metrics: &[GroupRow],
) -> Result<Others, Error> {
    let timed = |label: &str| span(label);
    // Two halves of about the same work, side by side: by the time these run the
    // threads of last week's figures are done and most of the effects', and one
    // table after another would leave a core idle. Each half stops at its first error
    // and the halves' results are looked at in the order above, so the first error
    // is the one a run of one table after another meets.
    let (first, second) = rayon::join(
        || -> Result<_, Error> {
            let cut_metrics = {
                let _s = timed("cut_metrics");
                cuts::cut_rows(f, cfg, cut, persons)?
            };
            let weekly_progress = {
                let _s = timed("weekly_progress");
                weekly::weekly_rows(f, cfg, cut, persons)?
            };
            let after_enrollment = {
                let _s = timed("after_enrollment");
                after::after_rows(cfg, data, cut, persons)?
            };
            let lift = {
                let _s = timed("lift");
                lift::lift_rows(cfg, persons)?
            };
            Ok((cut_metrics, weekly_progress, after_enrollment, lift))
        },
        || -> Result<_, Error> {
            let campaigns = {
                let _s = timed("campaigns");
                campaigns::campaign_rows(f, cfg, cut, persons, group_metrics, &data.touchpoints)?
            };
            let ticket_categories = {
                let _s = timed("ticket_categories");
                tickets::category_rows(f, cfg, cut, persons)?
            };
            let data_quality = data_quality::quality_rows(data, cut.as_of, persons)?;
            let (channels, training_methods) = {
                let _s = timed("channels and training_methods");
                (
                    channels::channel_rows(cfg, persons)?,
                    methods::method_rows(cfg, persons)?,
                )
            };
            Ok((
                campaigns,
                ticket_categories,
                data_quality,
                channels,
                training_methods,
            ))
        },
    );
    let (cut_metrics, weekly_progress, after_enrollment, lift) = first?;
    let (campaigns, ticket_categories, data_quality, channels, training_methods) = second?;
    Ok(Others {
        cut_metrics,
        weekly_progress,
        after_enrollment,
        lift,
        campaigns,
        ticket_categories,
        data_quality,
        channels,
        training_methods,
    })
}

//! `campaigns` (SPEC §4): per email campaign, who it reached and whether it went out
//! when the communication plan said.
//!
//! A campaign the config gives a wave counts the eligible people of that wave; one
//! the config does not know counts eligible people of every unsuppressed wave.
//! `recipients`, `openers`, `clicks` and `bounces` are distinct people (a person who
//! clicked twice is one click). `first_sent` is the day, in the rollout's zone, of
//! the first `sent` or `delivered` event of any roster person by D; `days_late` is
//! `first_sent − planned` (negative: early). Campaigns are listed in config order,
//! then the ones only the data names, by name.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frames::{col_names::*, Frames};
use super::groups::GroupRow;
use super::people::{Cutoffs, Persons, SUPPRESSED};
use super::stats;
use crate::config::Config;
use crate::error::Error;
use crate::ingest::dates::{date_of, epoch_days};
use crate::schema::ALL;

struct Reach {
    recipients: i64,
    openers: i64,
    clicks: i64,
    bounces: i64,
}

/// Builds `campaigns`.
pub fn campaigns_frame(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
    rows: &[GroupRow],
) -> Result<DataFrame, Error> {
    let err = |e| Error::compute("campaigns", e);
    // The configured wave of each campaign the data names, by the campaign's code.
    let (mut codes, mut waves) = (Vec::new(), Vec::new());
    for c in &cfg.campaigns {
        if let Some(code) = f.campaigns.iter().position(|n| *n == c.name) {
            codes.push(code as u32);
            waves.push(c.wave.as_str());
        }
    }
    let meta = DataFrame::new_infer_height(vec![
        Column::new("campaign".into(), codes),
        Column::new("campaign_wave".into(), waves),
    ])
    .map_err(err)?;
    let name_of = |code: Option<u32>| code.and_then(|c| f.campaigns.get(c as usize));
    let people = persons
        .frame
        .clone()
        .lazy()
        .filter(col(SUPPRESSED).not())
        .select([col(PID), col(WAVE)]);
    // One row per person and campaign: a count of instants before D is a count of
    // distinct people.
    let by_d = |first: &str| col(first).lt(lit(cut.d)).sum().cast(DataType::Int64);
    let firsts = f.email_firsts.clone().lazy();
    let reach = firsts
        .clone()
        .join(
            people,
            [col(PID)],
            [col(PID)],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            meta.lazy(),
            [col("campaign")],
            [col("campaign")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(
            col("campaign_wave")
                .is_null()
                .or(col("campaign_wave").eq(col(WAVE))),
        )
        .group_by([col("campaign")])
        .agg([
            by_d("received").alias("recipients"),
            by_d("opened").alias("openers"),
            by_d("clicked").alias("clicks"),
            by_d("bounced").alias("bounces"),
        ])
        .collect()
        .map_err(err)?;
    let first_sent = firsts
        .filter(col("sent").lt(lit(cut.d)))
        .group_by([col("campaign")])
        .agg([col("sent").min().alias("first_sent")])
        .collect()
        .map_err(err)?;
    let all_campaigns = f
        .email_firsts
        .column("campaign")
        .and_then(|c| c.u32())
        .map_err(err)?
        .unique()
        .map_err(err)?;

    let mut reach_by: BTreeMap<String, Reach> = BTreeMap::new();
    let names = reach
        .column("campaign")
        .and_then(|c| c.u32())
        .map_err(err)?;
    let n = |c: &str| reach.column(c).and_then(|c| c.i64()).map_err(err);
    let (rec, ope, cli, bou) = (n("recipients")?, n("openers")?, n("clicks")?, n("bounces")?);
    for i in 0..reach.height() {
        if let Some(name) = name_of(names.get(i)) {
            reach_by.insert(
                name.clone(),
                Reach {
                    recipients: rec.get(i).unwrap_or(0),
                    openers: ope.get(i).unwrap_or(0),
                    clicks: cli.get(i).unwrap_or(0),
                    bounces: bou.get(i).unwrap_or(0),
                },
            );
        }
    }
    let mut first_by: BTreeMap<String, i64> = BTreeMap::new();
    let names = first_sent
        .column("campaign")
        .and_then(|c| c.u32())
        .map_err(err)?;
    let firsts = first_sent
        .column("first_sent")
        .and_then(|c| c.i64())
        .map_err(err)?;
    for i in 0..first_sent.height() {
        if let (Some(name), Some(ms)) = (name_of(names.get(i)), firsts.get(i)) {
            first_by.insert(name.clone(), ms);
        }
    }

    let wave_eligible: BTreeMap<&str, i64> = rows
        .iter()
        .filter(|r| r.group == ALL && r.wave != ALL)
        .filter_map(|r| r.values.as_ref().map(|v| (r.wave.as_str(), v.eligible)))
        .collect();
    let suppressed = persons.suppressed_waves();
    let mut order: Vec<(String, Option<&crate::config::Campaign>)> = cfg
        .campaigns
        .iter()
        .map(|c| (c.name.clone(), Some(c)))
        .collect();
    let mut extra: Vec<String> = all_campaigns
        .iter()
        .filter_map(name_of)
        .filter(|n| !cfg.campaigns.iter().any(|c| c.name == **n))
        .cloned()
        .collect();
    extra.sort();
    order.extend(extra.into_iter().map(|n| (n, None)));

    let mut out = CampaignColumns::default();
    let no_reach = Reach {
        recipients: 0,
        openers: 0,
        clicks: 0,
        bounces: 0,
    };
    for (name, meta) in &order {
        let wave = meta.map(|m| m.wave.as_str());
        let hidden = wave.is_some_and(|w| suppressed.contains(w));
        let r = reach_by.get(name).unwrap_or(&no_reach);
        let planned = meta.and_then(|m| m.planned);
        let first = first_by.get(name).map(|&ms| date_of(cfg.timezone, ms));
        out.campaign.push(name.clone());
        out.phase.push(meta.map(|m| m.phase.name()));
        out.wave.push(wave.map(str::to_string));
        let shown = |v: i64| (!hidden).then_some(v);
        out.recipients.push(shown(r.recipients));
        out.openers.push(shown(r.openers));
        out.open_rate
            .push(shown(0).and(stats::rate(r.openers, r.recipients)));
        out.clicks.push(shown(r.clicks));
        out.bounces.push(shown(r.bounces));
        let eligible = wave.and_then(|w| wave_eligible.get(w)).copied();
        out.reach.push(match (hidden, eligible) {
            (false, Some(e)) => stats::rate(r.recipients, e),
            _ => None,
        });
        out.planned.push(planned.map(epoch_days));
        out.first_sent.push(first.map(epoch_days));
        out.days_late
            .push(planned.zip(first).map(|(p, s)| (s - p).num_days()));
        out.note
            .push(hidden.then_some("wave suppressed: fewer eligible people than min_group_size"));
    }
    out.into_frame().map_err(err)
}

#[derive(Default)]
struct CampaignColumns {
    campaign: Vec<String>,
    phase: Vec<Option<&'static str>>,
    wave: Vec<Option<String>>,
    recipients: Vec<Option<i64>>,
    openers: Vec<Option<i64>>,
    open_rate: Vec<Option<f64>>,
    clicks: Vec<Option<i64>>,
    bounces: Vec<Option<i64>>,
    reach: Vec<Option<f64>>,
    planned: Vec<Option<i32>>,
    first_sent: Vec<Option<i32>>,
    days_late: Vec<Option<i64>>,
    note: Vec<Option<&'static str>>,
}

impl CampaignColumns {
    fn into_frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("campaign".into(), self.campaign),
            Column::new("phase".into(), self.phase),
            Column::new("wave".into(), self.wave),
            Column::new("recipients".into(), self.recipients),
            Column::new("openers".into(), self.openers),
            Column::new("open_rate".into(), self.open_rate),
            Column::new("clicks".into(), self.clicks),
            Column::new("bounces".into(), self.bounces),
            Column::new("reach".into(), self.reach),
            Column::new("planned".into(), self.planned).cast(&DataType::Date)?,
            Column::new("first_sent".into(), self.first_sent).cast(&DataType::Date)?,
            Column::new("days_late".into(), self.days_late),
            Column::new("note".into(), self.note),
        ])
    }
}

//! `campaigns`: per email campaign, who it reached and whether it went out
//! when the communication plan said.
//!
//! A campaign the config gives a wave counts the eligible people of that wave; one
//! the config does not know counts eligible people of every unsuppressed wave.
//! `recipients`, `openers`, `clicks` and `bounces` are distinct people (a person who
//! clicked twice is one click). `first_sent` is the day, in the rollout's zone, of
//! the first `sent` or `delivered` event of any roster person by D; `days_late` is
//! `first_sent − planned` (negative: early). Campaigns are listed in config order,
//! then the ones only the data names, by name.
//!
//! With a `touchpoints` source, a campaign also has `reached`: the people its email
//! reached (an open or click) or a touchpoint naming it reached, each counted once, by
//! D; a campaign only touchpoints name has a row too (docs/metrics.md, "campaigns").

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use polars::prelude::*;

use super::frames::{col_names::*, Frames};
use super::groups::GroupRow;
use super::people::{Cutoffs, Persons, SUPPRESSED};
use super::stats;
use super::table::{Col, Kind, Table, Value};
use crate::calendar::date_of;
use crate::config::{Config, Phase};
use crate::dataset::Touchpoints;
use crate::error::Error;
use crate::privacy::Count;
use crate::schema::ALL;

struct Reach {
    recipients: i64,
    openers: i64,
    clicks: i64,
    bounces: i64,
}

/// Builds `campaigns`; `touchpoints` is the dataset's (empty without the source).
pub fn campaign_rows(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
    rows: &[GroupRow],
    touchpoints: &Touchpoints,
) -> Result<Vec<CampaignRow>, Error> {
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
        .select([col(WORKLOAD), col(PID), col(WAVE)]);
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
        .group_by([col("campaign"), col(WORKLOAD)])
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
    let with_touchpoints = persons.engagement.touchpoints;
    let reached_by = if with_touchpoints {
        Some(reached_people(f, cfg, cut, persons, touchpoints)?)
    } else {
        None
    };

    // Per (workload, campaign): a configured campaign counts its wave's people, in its
    // wave's workload; one only the data names counts each workload's people apart.
    let mut reach_by: BTreeMap<(String, String), Reach> = BTreeMap::new();
    let names = reach
        .column("campaign")
        .and_then(|c| c.u32())
        .map_err(err)?;
    let workloads = reach.column(WORKLOAD).and_then(|c| c.str()).map_err(err)?;
    let n = |c: &str| reach.column(c).and_then(|c| c.i64()).map_err(err);
    let (rec, ope, cli, bou) = (n("recipients")?, n("openers")?, n("clicks")?, n("bounces")?);
    for i in 0..reach.height() {
        if let (Some(name), Some(workload)) = (name_of(names.get(i)), workloads.get(i)) {
            reach_by.insert(
                (workload.to_string(), name.clone()),
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
    let min = i64::from(cfg.thresholds.min_group_size);
    let wave_workload = |wave: &str| {
        cfg.waves
            .iter()
            .find(|w| w.name == wave)
            .map_or("", |w| cfg.workload_of(w))
    };
    let mut order: Vec<(String, String, Option<&crate::config::Campaign>)> = cfg
        .campaigns
        .iter()
        .map(|c| (wave_workload(&c.wave).to_string(), c.name.clone(), Some(c)))
        .collect();
    let touch_names = touchpoints.campaigns.iter().filter(|_| with_touchpoints);
    let mut extra: Vec<String> = all_campaigns
        .iter()
        .filter_map(name_of)
        .chain(touch_names)
        .filter(|n| !cfg.campaigns.iter().any(|c| c.name == **n))
        .cloned()
        .collect();
    extra.sort();
    extra.dedup();
    order.extend(extra.into_iter().flat_map(|n| {
        cfg.workloads
            .iter()
            .map(move |w| (w.name.clone(), n.clone(), None))
    }));

    let mut out = Vec::new();
    let no_reach = Reach {
        recipients: 0,
        openers: 0,
        clicks: 0,
        bounces: 0,
    };
    for (workload, name, meta) in &order {
        let wave = meta.map(|m| m.wave.as_str());
        let hidden = wave.is_some_and(|w| suppressed.contains(w));
        let r = reach_by
            .get(&(workload.clone(), name.clone()))
            .unwrap_or(&no_reach);
        let planned = meta.and_then(|m| m.planned);
        let first = first_by.get(name).map(|&ms| date_of(cfg.timezone, ms));
        // A count of 1 to min − 1 people is hidden, with every figure derived from it.
        let guard = |v: i64| (!hidden).then(|| Count::guarded(v, min));
        let (recipients, openers) = (guard(r.recipients), guard(r.openers));
        let (clicks, bounces) = (guard(r.clicks), guard(r.bounces));
        let few = [recipients, openers, clicks, bounces]
            .iter()
            .any(|c| c.is_some_and(Count::is_few));
        // Reached by any channel: hidden when few, and when it exceeds the shown
        // openers (a part of it) by 1 to min − 1 people reached only another way
        // (then not few itself: derived).
        let reached = reached_by.as_ref().and_then(|by| {
            let n = by
                .get(&(workload.clone(), name.clone()))
                .map_or(0, |s| s.len() as i64);
            let c = guard(n)?;
            let rest = shown(openers).map(|o| n - o);
            Some(if !c.is_few() && rest.is_some_and(|d| d > 0 && d < min) {
                Count::Derived
            } else {
                c
            })
        });
        let few = few || reached.is_some_and(|c| c.shown().is_none());
        let eligible = wave.and_then(|w| wave_eligible.get(w)).copied();
        let open_rate = match (shown(recipients), shown(openers)) {
            (Some(n), Some(k)) => stats::rate(k, n),
            _ => None,
        };
        out.push(CampaignRow {
            workload: workload.clone(),
            campaign: name.clone(),
            phase: meta.map(|m| m.phase),
            wave: wave.map(str::to_string),
            recipients,
            openers,
            open_rate,
            clicks,
            bounces,
            reach: match (shown(recipients), eligible) {
                (Some(n), Some(e)) => stats::rate(n, e),
                _ => None,
            },
            reached,
            reach_rate: match (shown(reached), eligible) {
                (Some(n), Some(e)) => stats::rate(n, e),
                _ => None,
            },
            planned,
            first_sent: first,
            days_late: planned.zip(first).map(|(p, s)| (s - p).num_days()),
            note: if hidden {
                Some(CampaignNote::WaveSuppressed)
            } else {
                few.then_some(CampaignNote::FewPeople)
            },
        });
    }
    Ok(out)
}

/// The columns only a run with a `touchpoints` source writes: without one, the table
/// is the email campaigns' alone.
pub const TOUCHPOINT_COLUMNS: [&str; 2] = ["reached", "reach_rate"];

/// Per (workload, campaign name): the unsuppressed eligible people who opened or
/// clicked the campaign's email, or had a touchpoint naming it, before D — in the
/// campaign's wave when the config gives it one.
fn reached_people(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
    touchpoints: &Touchpoints,
) -> Result<BTreeMap<(String, String), BTreeSet<u32>>, Error> {
    let err = |e| Error::compute("campaigns", e);
    let df = &persons.frame;
    let text = |name: &str| df.column(name).and_then(|c| c.str()).map_err(err);
    let (workloads, waves) = (text(WORKLOAD)?, text(WAVE)?);
    let pids = df.column(PID).and_then(|c| c.u32()).map_err(err)?;
    let hidden = df.column(SUPPRESSED).and_then(|c| c.bool()).map_err(err)?;
    // Each person's (workload, wave) pairs.
    let mut of_person: HashMap<u32, Vec<(&str, &str)>> = HashMap::new();
    for i in 0..df.height() {
        if hidden.get(i).unwrap_or(false) {
            continue;
        }
        if let (Some(p), Some(wl), Some(w)) = (pids.get(i), workloads.get(i), waves.get(i)) {
            of_person.entry(p).or_default().push((wl, w));
        }
    }
    let wave_of: HashMap<&str, &str> = cfg
        .campaigns
        .iter()
        .map(|c| (c.name.as_str(), c.wave.as_str()))
        .collect();
    let mut out: BTreeMap<(String, String), BTreeSet<u32>> = BTreeMap::new();
    let mut reach = |pid: u32, name: &str| {
        let campaign_wave = wave_of.get(name).copied();
        for &(wl, w) in of_person.get(&pid).into_iter().flatten() {
            if campaign_wave.is_none_or(|cw| cw == w) {
                out.entry((wl.to_string(), name.to_string()))
                    .or_default()
                    .insert(pid);
            }
        }
    };
    let e = &f.email_firsts;
    let codes = e.column("campaign").and_then(|c| c.u32()).map_err(err)?;
    let opened = e.column("opened").and_then(|c| c.i64()).map_err(err)?;
    let email_pids = e.column(PID).and_then(|c| c.u32()).map_err(err)?;
    for i in 0..e.height() {
        let name = codes.get(i).and_then(|c| f.campaigns.get(c as usize));
        if let (Some(p), Some(name), Some(t)) = (email_pids.get(i), name, opened.get(i)) {
            if t < cut.d {
                reach(p, name);
            }
        }
    }
    for i in 0..touchpoints.pid.len() {
        let name = touchpoints.campaign[i].and_then(|c| touchpoints.campaigns.get(c as usize));
        if let Some(name) = name.filter(|_| touchpoints.at[i] < cut.d) {
            reach(touchpoints.pid[i], name);
        }
    }
    Ok(out)
}

/// Why a campaign's people counts are empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignNote {
    /// Its wave is suppressed.
    WaveSuppressed,
    /// Some of its counts are 1 to min_group_size − 1 people.
    FewPeople,
}

impl CampaignNote {
    /// The note as the table writes it.
    pub fn text(self) -> &'static str {
        match self {
            CampaignNote::WaveSuppressed => {
                "wave suppressed: fewer eligible people than min_group_size"
            }
            CampaignNote::FewPeople => {
                "counts of fewer people than min_group_size are not shown, nor what derives from them"
            }
        }
    }
}

/// One row of `campaigns`.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRow {
    /// The workload whose people it counts.
    pub workload: String,
    /// The campaign's name.
    pub campaign: String,
    /// Its phase, when the config gives it.
    pub phase: Option<Phase>,
    /// Its wave, when the config gives it.
    pub wave: Option<String>,
    /// People it reached (any event but a bounce); `None` in a suppressed wave.
    pub recipients: Option<Count>,
    /// People who opened it.
    pub openers: Option<Count>,
    /// openers / recipients (empty when either is hidden).
    pub open_rate: Option<f64>,
    /// People who clicked.
    pub clicks: Option<Count>,
    /// People whose mail bounced.
    pub bounces: Option<Count>,
    /// recipients / the wave's eligible.
    pub reach: Option<f64>,
    /// People reached by any channel (an open or click of its email, or a touchpoint
    /// naming it), each once; `None` without a `touchpoints` source or in a
    /// suppressed wave.
    pub reached: Option<Count>,
    /// reached / the wave's eligible.
    pub reach_rate: Option<f64>,
    /// The plan's day.
    pub planned: Option<NaiveDate>,
    /// The day of the first `sent` or `delivered` event.
    pub first_sent: Option<NaiveDate>,
    /// first_sent − planned, in days.
    pub days_late: Option<i64>,
    /// Why counts are empty, if they are.
    pub note: Option<CampaignNote>,
}

/// A count's number, when shown.
fn shown(c: Option<Count>) -> Option<i64> {
    c.and_then(Count::shown)
}

impl Table for CampaignRow {
    const NAME: &'static str = "campaigns";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Date, Rate};
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("campaign", |r| Value::str(&r.campaign)),
            Col::text("phase", |r| Value::opt_str(r.phase.map(Phase::name))),
            Col::text("wave", |r| Value::opt_str(r.wave.as_deref())),
            Col::of("recipients", Kind::Count, |r| {
                Value::Int(shown(r.recipients))
            }),
            Col::of("openers", Kind::Count, |r| Value::Int(shown(r.openers))),
            Col::of("open_rate", Rate, |r| Value::Float(r.open_rate)),
            Col::of("clicks", Kind::Count, |r| Value::Int(shown(r.clicks))),
            Col::of("bounces", Kind::Count, |r| Value::Int(shown(r.bounces))),
            Col::of("reach", Rate, |r| Value::Float(r.reach)),
            Col::of("reached", Kind::Count, |r| Value::Int(shown(r.reached))),
            Col::of("reach_rate", Rate, |r| Value::Float(r.reach_rate)),
            Col::of("planned", Date, |r| Value::Date(r.planned)),
            Col::of("first_sent", Date, |r| Value::Date(r.first_sent)),
            Col::of("days_late", Kind::Count, |r| Value::Int(r.days_late)),
            Col::text("note", |r| Value::opt_str(r.note.map(CampaignNote::text))),
        ]
    }
}

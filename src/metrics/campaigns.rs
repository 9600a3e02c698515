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

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use polars::prelude::*;

use super::frames::{col_names::*, Frames};
use super::groups::GroupRow;
use super::people::{Cutoffs, Persons, SUPPRESSED};
use super::stats;
use super::table::{Col, Kind, Table, Value};
use crate::calendar::date_of;
use crate::config::{Config, Phase};
use crate::dataset::{EmailClock, Touchpoints};
use crate::error::Error;
use crate::privacy::Count;
use crate::schema::ALL;

#[derive(Default, Clone, Copy)]
struct Reach {
    recipients: i64,
    openers: i64,
    clicks: i64,
    bounces: i64,
}

/// A person not counted in a workload: not eligible in it, or in a suppressed wave.
const NOT_COUNTED: u32 = u32::MAX;
/// An eligible person with no wave: counted by campaigns the config does not know.
const NO_WAVE: u32 = u32::MAX - 1;
/// A wave the config does not name: no configured campaign's.
const OTHER_WAVE: u32 = u32::MAX - 2;

/// Who each campaign counts, as dense arrays instead of frame joins: per workload, each
/// unsuppressed eligible person's wave; per campaign, its configured wave. A million
/// people and millions of (person, campaign) rows are then one scan with array lookups,
/// with no hash map or per-person allocation (issue 20).
struct Audience {
    /// People per workload (the largest pid + 1).
    n: usize,
    /// `wave[k * n + pid]`: the person's wave in workload `k` (an index into the
    /// config's waves, by name), [`NO_WAVE`] or [`NOT_COUNTED`].
    wave: Vec<u32>,
    n_workloads: usize,
}

impl Audience {
    fn new(cfg: &Config, persons: &Persons) -> Result<Self, Error> {
        let err = |e| Error::compute("campaigns", e);
        let df = &persons.frame;
        let text = |name: &str| df.column(name).and_then(|c| c.str()).map_err(err);
        let (workloads, waves) = (text(WORKLOAD)?, text(WAVE)?);
        let pids = df.column(PID).and_then(|c| c.u32()).map_err(err)?;
        let hidden = df.column(SUPPRESSED).and_then(|c| c.bool()).map_err(err)?;
        let n = pids.max().map_or(0, |m| m as usize + 1);
        let n_workloads = cfg.workloads.len();
        let mut wave = vec![NOT_COUNTED; n * n_workloads];
        let rows = workloads.iter().zip(waves.iter()).zip(pids.iter());
        for (((wl, w), p), h) in rows.zip(hidden.iter()) {
            let (Some(wl), Some(p), Some(false)) = (wl, p, h) else {
                continue;
            };
            let Some(k) = cfg.workloads.iter().position(|x| x.name == wl) else {
                continue;
            };
            wave[k * n + p as usize] = match w {
                Some(w) => wave_index(cfg, w).unwrap_or(OTHER_WAVE),
                None => NO_WAVE,
            };
        }
        Ok(Audience {
            n,
            wave,
            n_workloads,
        })
    }

    /// The workloads in which a campaign for `campaign_wave` (any wave when `None`)
    /// counts person `pid`; `with_no_wave` admits an eligible person with no wave to a
    /// campaign of any wave.
    fn workloads(
        &self,
        pid: u32,
        campaign_wave: Option<u32>,
        with_no_wave: bool,
    ) -> impl Iterator<Item = usize> + '_ {
        let p = pid as usize;
        (0..self.n_workloads)
            .filter(move |_| p < self.n)
            .filter(move |&k| {
                let w = self.wave[k * self.n + p];
                match campaign_wave {
                    _ if w == NOT_COUNTED => false,
                    _ if w == NO_WAVE => with_no_wave && campaign_wave.is_none(),
                    None => true,
                    Some(c) => c == w,
                }
            })
    }
}

/// The index of the first wave named `name` (waves are compared by name).
fn wave_index(cfg: &Config, name: &str) -> Option<u32> {
    cfg.waves
        .iter()
        .position(|w| w.name == name)
        .map(|i| i as u32)
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
    let with_touchpoints = persons.engagement.touchpoints;
    let audience = Audience::new(cfg, persons)?;
    let n_wl = cfg.workloads.len();
    // Every campaign name, email's first (by code), then the touchpoints' only ones.
    let mut code_of: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let touch_names = touchpoints.campaigns.iter().filter(|_| with_touchpoints);
    let all_codes: Vec<usize> = f
        .campaigns
        .iter()
        .chain(touch_names)
        .map(|name| {
            *code_of.entry(name).or_insert_with(|| {
                names.push(name);
                names.len() - 1
            })
        })
        .collect();
    let (email_code, touch_code) = all_codes.split_at(f.campaigns.len());
    let n_codes = names.len();
    // The configured wave of each campaign (any wave: one the config does not know).
    let campaign_wave: Vec<Option<u32>> = names
        .iter()
        .map(|n| {
            let c = cfg.campaigns.iter().find(|c| c.name == *n)?;
            // A wave the config names always exists; none matches no one.
            Some(wave_index(cfg, &c.wave).unwrap_or(NOT_COUNTED))
        })
        .collect();

    // One row per person and campaign, in person order: a count of instants before D
    // is a count of distinct people.
    let mut reach = vec![Reach::default(); n_codes * n_wl];
    let mut reached = vec![0i64; n_codes * n_wl];
    let mut first_sent: Vec<Option<i64>> = vec![None; n_codes];
    let mut in_email = vec![false; n_codes];
    // Reached by any channel: each (person, campaign) once. Email and touchpoint rows
    // are both in person order and taken in one merged person order, so the last
    // person counted per campaign tells a repeat.
    let mut last = vec![u32::MAX; n_codes];
    let mut count_reached = |pid: u32, c: usize| {
        if last[c] != pid {
            last[c] = pid;
            for k in audience.workloads(pid, campaign_wave[c], false) {
                reached[c * n_wl + k] += 1;
            }
        }
    };
    let e = sorted_by_pid(&f.email_firsts).map_err(err)?;
    let t_order = touch_order(touchpoints, with_touchpoints);
    let mut t_at = 0;
    let mut touch_until = |pid: Option<u32>, count: &mut dyn FnMut(u32, usize)| {
        while let Some(&i) = t_order.get(t_at) {
            if pid.is_some_and(|p| touchpoints.pid[i] >= p) {
                break;
            }
            let campaign = touchpoints.campaign[i].and_then(|c| touch_code.get(c as usize));
            if let Some(&c) = campaign.filter(|_| touchpoints.at[i] < cut.d) {
                count(touchpoints.pid[i], c);
            }
            t_at += 1;
        }
    };
    let u32s = |name: &str| e.column(name).and_then(|c| c.u32()).map_err(err);
    // The instants as the firsts hold them (see `EmailClock`): compared with D in
    // the same terms, made instants again only for the first sending.
    let held = |name: &str| e.column(name).and_then(EmailClock::values).map_err(err);
    let (pids, codes) = (u32s(PID)?, u32s("campaign")?);
    let (received, opened) = (held("received")?, held("opened")?);
    let (clicked, bounced, sent) = (held("clicked")?, held("bounced")?, held("sent")?);
    let clock = f.email_clock;
    let d = clock.bound(cut.d);
    let before = |t: Option<i64>| i64::from(t.is_some_and(|t| t < d));
    let rows_ = pids.iter().zip(codes.iter()).zip(received);
    let rows_ = rows_.zip(opened).zip(clicked);
    for ((((((p, c), rec), ope), cli), bou), snt) in rows_.zip(bounced).zip(sent) {
        let Some(c) = c.and_then(|c| email_code.get(c as usize).copied()) else {
            continue;
        };
        in_email[c] = true;
        if let Some(s) = snt.filter(|&s| s < d).map(|s| clock.instant(s)) {
            first_sent[c] = Some(first_sent[c].map_or(s, |f| f.min(s)));
        }
        let Some(p) = p else { continue };
        let add = Reach {
            recipients: before(rec),
            openers: before(ope),
            clicks: before(cli),
            bounces: before(bou),
        };
        for k in audience.workloads(p, campaign_wave[c], true) {
            let r = &mut reach[c * n_wl + k];
            r.recipients += add.recipients;
            r.openers += add.openers;
            r.clicks += add.clicks;
            r.bounces += add.bounces;
        }
        if with_touchpoints {
            touch_until(Some(p), &mut count_reached);
            if add.openers == 1 {
                count_reached(p, c);
            }
        }
    }
    touch_until(None, &mut count_reached);

    let wave_eligible: BTreeMap<&str, i64> = rows
        .iter()
        .filter(|r| r.group == ALL && r.wave != ALL)
        .filter_map(|r| r.values.as_ref().map(|v| (r.wave.as_str(), v.eligible)))
        .collect();
    let suppressed = persons.suppressed_waves();
    let min = i64::from(cfg.thresholds.min_group_size);
    // Per campaign row: its workload (an index into the config's), name and config.
    let mut order: Vec<(Option<usize>, &str, Option<&crate::config::Campaign>)> = cfg
        .campaigns
        .iter()
        .map(|c| {
            let wave = cfg.waves.iter().find(|w| w.name == c.wave);
            (wave.map(|w| w.workload), c.name.as_str(), Some(c))
        })
        .collect();
    let mut extra: Vec<&str> = (0..n_codes)
        .filter(|&c| in_email[c] || c >= f.campaigns.len())
        .map(|c| names[c])
        .filter(|n| !cfg.campaigns.iter().any(|c| c.name == *n))
        .collect();
    extra.sort();
    extra.dedup();
    order.extend(
        extra
            .into_iter()
            .flat_map(|n| (0..n_wl).map(move |k| (Some(k), n, None))),
    );

    let mut out = Vec::new();
    for &(k, name, meta) in &order {
        let wave = meta.map(|m| m.wave.as_str());
        let hidden = wave.is_some_and(|w| suppressed.contains(w));
        let at = code_of.get(name).zip(k).map(|(&c, k)| c * n_wl + k);
        let r = at.map_or(Reach::default(), |i| reach[i]);
        let planned = meta.and_then(|m| m.planned);
        let first = code_of
            .get(name)
            .and_then(|&c| first_sent[c])
            .map(|ms| date_of(cfg.timezone, ms));
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
        let reached = with_touchpoints.then_some(()).and_then(|()| {
            let n = at.map_or(0, |i| reached[i]);
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
            workload: k.map_or_else(String::new, |k| cfg.workloads[k].name.clone()),
            campaign: name.to_string(),
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

/// The email firsts in person order: as built (already so), or sorted.
fn sorted_by_pid(e: &DataFrame) -> PolarsResult<std::borrow::Cow<'_, DataFrame>> {
    let pids = e.column(PID)?.u32()?;
    let mut prev = 0;
    let ordered = pids.iter().all(|p| {
        let p = p.unwrap_or(u32::MAX);
        let ok = p >= prev;
        prev = p;
        ok
    });
    if ordered {
        return Ok(std::borrow::Cow::Borrowed(e));
    }
    let sorted = e.sort(
        [PID],
        SortMultipleOptions::default().with_maintain_order(true),
    )?;
    Ok(std::borrow::Cow::Owned(sorted))
}

/// The touchpoint rows in person order (as read, already so); none without the source.
fn touch_order(t: &Touchpoints, with_touchpoints: bool) -> Vec<usize> {
    if !with_touchpoints {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..t.pid.len()).collect();
    if !t.pid.is_sorted() {
        order.sort_by_key(|&i| t.pid[i]);
    }
    order
}

/// The columns only a run with a `touchpoints` source writes: without one, the table
/// is the email campaigns' alone.
pub const TOUCHPOINT_COLUMNS: [&str; 2] = ["reached", "reach_rate"];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touchpoints_out_of_person_order_are_taken_in_person_order() {
        let t = Touchpoints {
            pid: vec![3, 1, 2, 1],
            ..Default::default()
        };
        // Stable: person 1's two rows keep their order (rows 1, 3).
        assert_eq!(touch_order(&t, true), [1, 3, 2, 0]);
        assert!(touch_order(&t, false).is_empty());
        let sorted = Touchpoints {
            pid: vec![0, 0, 4],
            ..Default::default()
        };
        assert_eq!(touch_order(&sorted, true), [0, 1, 2]);
    }

    #[test]
    fn email_firsts_out_of_person_order_are_sorted_by_person() {
        let e = df!(PID => [2u32, 1, 1], "campaign" => [0u32, 1, 0]).unwrap();
        let s = sorted_by_pid(&e).unwrap();
        let column = |name: &str| -> Vec<Option<u32>> {
            s.column(name).unwrap().u32().unwrap().iter().collect()
        };
        assert_eq!(column(PID), [Some(1), Some(1), Some(2)]);
        // Person 1's rows keep their order.
        assert_eq!(column("campaign"), [Some(1), Some(0), Some(0)]);
        assert!(matches!(
            sorted_by_pid(&s).unwrap(),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}

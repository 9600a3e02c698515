//! `after_enrollment`: what follows enrollment, per (workload, wave, shown group), per
//! wave `(all)` and overall, keyed like `group_metrics` — healthy devices, lapsed
//! people, active use of the workload and the survey's figures (docs/metrics.md,
//! "after_enrollment").
//!
//! Takes the cohort's facts as of D ([`Persons`]), the devices' compliance and
//! check-ins, the usage report and the survey responses of the [`Dataset`]; hands on
//! typed rows with the privacy rules of docs/privacy.md applied to the survey's
//! figures (a row with fewer than `min_group_size` responses shows the count only),
//! and, for `--user-lists` only, the comments of each wave without ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use polars::prelude::StringChunked;

use super::frames::col_names::{GROUP, PID, WAVE, WORKLOAD};
use super::people::{Cutoffs, PersonFacts, Persons, LABEL};
use super::stats;
use super::table::{Col, Kind, Table, Value};
use crate::calendar::end_of_day_ms;
use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;
use crate::schema::{Source, ALL};

/// One row of `after_enrollment`.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterRow {
    /// The workload.
    pub workload: String,
    /// Wave name, or `(all)`.
    pub wave: String,
    /// Shown group label, or `(all)`.
    pub group: String,
    /// The figures; `None` for a suppressed wave's rows.
    pub values: Option<AfterValues>,
}

/// The figures of a shown row. A figure whose source or column is absent is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterValues {
    /// Eligible people.
    pub eligible: i64,
    /// Enrolled by D.
    pub enrolled: i64,
    /// Enrolled people with a device compliant and checked in within `active_days`;
    /// `None` when the device export has no compliance or no check-in column.
    pub healthy: Option<i64>,
    /// People enrolled by D − `active_days` none of whose present devices checked in
    /// within `active_days`; `None` without a check-in column.
    pub lapsed: Option<i64>,
    /// Eligible people who used the workload within `active_days`; `None` when the
    /// usage report says nothing of the workload.
    pub active: Option<i64>,
    /// The survey's figures; `None` without a survey source.
    pub survey: Option<SurveyFigures>,
}

/// A row's survey figures.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFigures {
    /// Responses counted (identified and anonymous).
    pub responses: i64,
    /// Of which from identified eligible people; `None` for an anonymous survey
    /// (no response names a person), where no response rate can be told.
    pub identified: Option<i64>,
    /// The figures from the scores; `None` when the row has fewer than
    /// `min_group_size` responses, or when showing them would give away a row that
    /// hides them (docs/privacy.md, "Derived rows").
    pub scores: Option<ScoreFigures>,
}

/// The figures a row's scores give.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreFigures {
    /// The mean score.
    pub mean: f64,
    /// Its 95 % t interval, within the scale; `None` for one response.
    pub mean_interval: Option<(f64, f64)>,
    /// Responses with a score from `satisfied_from` up.
    pub satisfied: i64,
    /// Wilson 95 % interval of the satisfied share.
    pub satisfied_interval: Option<(f64, f64)>,
    /// Net Promoter Score (percent of 9–10 minus percent of 0–6) on a 0–10 scale;
    /// `None` on any other scale.
    pub nps: Option<f64>,
}

impl AfterValues {
    /// healthy / enrolled.
    pub fn health_rate(&self) -> Option<f64> {
        self.healthy.and_then(|h| stats::rate(h, self.enrolled))
    }

    /// active / eligible.
    pub fn active_rate(&self) -> Option<f64> {
        self.active.and_then(|a| stats::rate(a, self.eligible))
    }

    /// Responses counted, when there is a survey.
    pub fn responses(&self) -> Option<i64> {
        self.survey.as_ref().map(|s| s.responses)
    }

    /// Identified responses / enrolled; `None` for an anonymous survey or nobody
    /// enrolled.
    pub fn response_rate(&self) -> Option<f64> {
        let identified = self.survey.as_ref()?.identified?;
        stats::rate(identified, self.enrolled)
    }

    /// The score figures, when shown.
    pub fn scores(&self) -> Option<&ScoreFigures> {
        self.survey.as_ref()?.scores.as_ref()
    }

    /// satisfied / responses, when shown.
    pub fn satisfied_share(&self) -> Option<f64> {
        let s = self.survey.as_ref()?;
        s.scores
            .as_ref()
            .and_then(|f| stats::rate(f.satisfied, s.responses))
    }
}

impl AfterRow {
    fn figure(&self, f: impl Fn(&AfterValues) -> Option<f64>) -> Option<f64> {
        self.values.as_ref().and_then(f)
    }

    fn count(&self, f: impl Fn(&AfterValues) -> Option<i64>) -> Option<i64> {
        self.values.as_ref().and_then(f)
    }

    fn score(&self, f: impl Fn(&ScoreFigures) -> Option<f64>) -> Option<f64> {
        self.values.as_ref().and_then(|v| v.scores()).and_then(f)
    }
}

impl Table for AfterRow {
    const NAME: &'static str = "after_enrollment";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count, Number, Rate};
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("group", |r| Value::str(&r.group)),
            Col::of("eligible", Count, |r| {
                Value::Int(r.count(|v| Some(v.eligible)))
            }),
            Col::of("enrolled", Count, |r| {
                Value::Int(r.count(|v| Some(v.enrolled)))
            }),
            Col::of("healthy", Count, |r| Value::Int(r.count(|v| v.healthy))),
            Col::of("health_rate", Rate, |r| {
                Value::Float(r.figure(AfterValues::health_rate))
            }),
            Col::of("lapsed", Count, |r| Value::Int(r.count(|v| v.lapsed))),
            Col::of("active", Count, |r| Value::Int(r.count(|v| v.active))),
            Col::of("active_rate", Rate, |r| {
                Value::Float(r.figure(AfterValues::active_rate))
            }),
            Col::of("responses", Count, |r| {
                Value::Int(r.count(AfterValues::responses))
            }),
            Col::of("response_rate", Rate, |r| {
                Value::Float(r.figure(AfterValues::response_rate))
            }),
            Col::of("mean_score", Number, |r| {
                Value::Float(r.score(|s| Some(s.mean)))
            }),
            Col::of("mean_score_low", Number, |r| {
                Value::Float(r.score(|s| s.mean_interval.map(|i| i.0)))
            }),
            Col::of("mean_score_high", Number, |r| {
                Value::Float(r.score(|s| s.mean_interval.map(|i| i.1)))
            }),
            Col::of("satisfied_share", Rate, |r| {
                Value::Float(r.figure(AfterValues::satisfied_share))
            }),
            Col::of("satisfied_share_low", Rate, |r| {
                Value::Float(r.score(|s| s.satisfied_interval.map(|i| i.0)))
            }),
            Col::of("satisfied_share_high", Rate, |r| {
                Value::Float(r.score(|s| s.satisfied_interval.map(|i| i.1)))
            }),
            Col::of("nps", Number, |r| Value::Float(r.score(|s| s.nps))),
        ]
    }
}

/// Counts of one key before they become figures.
#[derive(Debug, Clone, Default)]
struct Acc {
    eligible: i64,
    enrolled: i64,
    healthy: i64,
    lapsed: i64,
    active: i64,
    identified: i64,
    scores: Vec<u32>,
}

impl Acc {
    fn add(&mut self, other: &Acc) {
        self.eligible += other.eligible;
        self.enrolled += other.enrolled;
        self.healthy += other.healthy;
        self.lapsed += other.lapsed;
        self.active += other.active;
        self.identified += other.identified;
        self.scores.extend_from_slice(&other.scores);
    }
}

/// What the sources hold, per workload (index into `Config::workloads`).
struct Known {
    /// Some device row of the workload carries a compliance state.
    compliance: Vec<bool>,
    /// Some device row of the workload carries a last check-in.
    check_in: Vec<bool>,
    /// The usage report has an entry for the workload.
    usage: Vec<bool>,
    /// A survey source is configured.
    survey: bool,
    /// Some response names a person (else the survey is anonymous).
    identified: bool,
}

/// The instants and days that decide "within `active_days`" (docs/metrics.md,
/// "after_enrollment"): a check-in at or after the end of day D − `active_days` and
/// before the end of D; a use on one of the `active_days` days ending with D.
struct Window {
    d: i64,
    since: i64,
    first_day: chrono::NaiveDate,
    as_of: chrono::NaiveDate,
}

impl Window {
    fn new(cfg: &Config, cut: &Cutoffs) -> Self {
        let n = u64::from(cfg.thresholds.active_days);
        let back = cut
            .as_of
            .checked_sub_days(chrono::Days::new(n))
            .unwrap_or(chrono::NaiveDate::MIN);
        Window {
            d: cut.d,
            since: end_of_day_ms(cfg.timezone, back),
            first_day: back.succ_opt().unwrap_or(back),
            as_of: cut.as_of,
        }
    }

    fn checked_in(&self, at: Option<i64>) -> bool {
        at.is_some_and(|t| t >= self.since && t < self.d)
    }

    fn used(&self, day: Option<chrono::NaiveDate>) -> bool {
        day.is_some_and(|d| d >= self.first_day && d <= self.as_of)
    }
}

/// The eligible people of [`Persons::frame`] as plain columns, with each row's
/// (workload, wave, label) key as an index into `keys`: the frame's strings are
/// borrowed, not copied per person (issue 20). A row keeps only what the counts read:
/// whether the person enrolled before the lapse window rather than the instant, and
/// the frame's position rather than the group's name, which only anonymous survey
/// answers read (a name and an instant were 32 bytes a person).
struct Cohort<'a> {
    /// Per row: the workload (index into `Config::workloads`), the person, the key.
    workload: Vec<u32>,
    pid: Vec<u32>,
    key: Vec<u32>,
    /// Per row: its position in [`Persons::frame`], where `groups` holds their group
    /// as on the roster.
    row: Vec<u32>,
    groups: &'a StringChunked,
    /// Per row: enrolled before the lapse window's start (`Window::since`).
    long_enrolled: Vec<bool>,
    enrolled: Vec<bool>,
    /// (workload, wave, label) by key index.
    keys: Vec<(u32, &'a str, &'a str)>,
    /// The largest pid + 1.
    n: usize,
}

impl<'a> Cohort<'a> {
    /// Rows with no person or no wave, or of a workload the config does not name,
    /// are left out. `since`: the lapse window's start.
    fn new(cfg: &Config, persons: &'a Persons, since: i64) -> Result<Self, Error> {
        let err = |e| Error::compute("after_enrollment", e);
        let df = &persons.frame;
        let pids = df.column(PID).and_then(|c| c.u32()).map_err(err)?;
        let text = |name: &str| df.column(name).and_then(|c| c.str()).map_err(err);
        let (workloads, waves) = (text(WORKLOAD)?, text(WAVE)?);
        let (groups, labels) = (text(GROUP)?, text(LABEL)?);
        let first = df
            .column("first_enrolled")
            .and_then(|c| c.i64())
            .map_err(err)?;
        let enrolled = df.column("enrolled").and_then(|c| c.bool()).map_err(err)?;
        let height = df.height();
        let mut c = Cohort {
            workload: Vec::with_capacity(height),
            pid: Vec::with_capacity(height),
            key: Vec::with_capacity(height),
            row: Vec::with_capacity(height),
            groups,
            long_enrolled: Vec::with_capacity(height),
            enrolled: Vec::with_capacity(height),
            keys: Vec::new(),
            n: 0,
        };
        let mut key_of: HashMap<(u32, &str, &str), u32> = HashMap::new();
        let rows = pids.iter().zip(workloads.iter()).zip(waves.iter());
        let rows = rows.zip(labels.iter()).enumerate();
        for ((i, (((p, wl), wave), label)), (first, enrolled)) in
            rows.zip(first.iter().zip(enrolled.iter()))
        {
            let (Some(p), Some(wave)) = (p, wave) else {
                continue;
            };
            let wl = wl.unwrap_or_default();
            let Some(w) = cfg.workloads.iter().position(|x| x.name == wl) else {
                continue;
            };
            let label = label.unwrap_or_default();
            let key = *key_of.entry((w as u32, wave, label)).or_insert_with(|| {
                c.keys.push((w as u32, wave, label));
                c.keys.len() as u32 - 1
            });
            c.workload.push(w as u32);
            c.pid.push(p);
            c.key.push(key);
            c.row.push(i as u32);
            c.long_enrolled.push(first.is_some_and(|t| t < since));
            c.enrolled.push(enrolled.unwrap_or(false));
            c.n = c.n.max(p as usize + 1);
        }
        Ok(c)
    }
}

/// A person's devices and use in a workload, as bits of [`person_after`]'s bytes.
const HEALTHY_DEVICE: u8 = 1;
const CHECKED_IN_DEVICE: u8 = 2;
const ACTIVE: u8 = 4;

/// Per (workload, person) at `workload * cohort.n + pid`: whether a device present on
/// D is compliant and checked in within `active_days`, whether one is checked in,
/// and whether the person's (last) usage entry is within `active_days`. One pass over
/// the devices and one over the usage report into a dense array, instead of a map of
/// each person's devices (issue 20).
fn person_after(cfg: &Config, data: &Dataset, cut: &Cutoffs, cohort: &Cohort) -> Vec<u8> {
    let w = Window::new(cfg, cut);
    let (n, n_wl) = (cohort.n, cfg.workloads.len());
    let slot = |wl: u32, pid: u32| {
        ((wl as usize) < n_wl && (pid as usize) < n).then(|| wl as usize * n + pid as usize)
    };
    let mut out = vec![0u8; n * n_wl];
    let e = &data.enrollments;
    for i in 0..e.pid.len() {
        // A device counts on D when it enrolled by D and was not removed by D.
        let present = e.enrolled_at[i] < cut.d && e.removed_on[i].is_none_or(|r| r > cut.as_of);
        if !present || !w.checked_in(e.last_check_in[i]) {
            continue;
        }
        if let Some(s) = slot(e.workload[i], e.pid[i]) {
            out[s] |= CHECKED_IN_DEVICE;
            if e.compliant[i] == Some(true) {
                out[s] |= HEALTHY_DEVICE;
            }
        }
    }
    // A person's last entry of a workload is the one that counts.
    let u = &data.usage;
    for i in 0..u.pid.len() {
        if let Some(s) = slot(u.workload[i], u.pid[i]) {
            out[s] &= !ACTIVE;
            if w.used(u.last_active[i]) {
                out[s] |= ACTIVE;
            }
        }
    }
    out
}

/// The survey responses that count on D, as scores per key of the cohort: each
/// eligible person's latest response submitted by D (a second answer replaces the
/// first), and every anonymous response submitted by D under the label its group is
/// shown under in each workload's wave that holds the group (none in a workload whose
/// wave column spreads the group over several waves). Also the identified responses
/// per key. Scores are in cohort order, then in response order.
fn survey_scores(data: &Dataset, cut: &Cutoffs, cohort: &Cohort) -> Vec<(i64, Vec<u32>)> {
    let s = &data.survey;
    // Per person: 1 + the row of their latest response (0: none).
    let mut latest = vec![0u32; cohort.n];
    let mut anonymous: Vec<(&str, u32)> = Vec::new();
    for i in 0..s.len() {
        if s.at[i] >= cut.d {
            continue;
        }
        match (s.pid[i], s.group[i].as_deref()) {
            (Some(pid), _) => {
                if let Some(l) = latest.get_mut(pid as usize) {
                    if *l == 0 || s.at[i] >= s.at[*l as usize - 1] {
                        *l = i as u32 + 1;
                    }
                }
            }
            (None, Some(group)) => anonymous.push((group, s.score[i])),
            (None, None) => {}
        }
    }
    let mut out: Vec<(i64, Vec<u32>)> = vec![(0, Vec::new()); cohort.keys.len()];
    for (&pid, &key) in cohort.pid.iter().zip(&cohort.key) {
        if let Some(&l) = latest.get(pid as usize).filter(|&&l| l > 0) {
            let e = &mut out[key as usize];
            e.0 += 1;
            e.1.push(s.score[l as usize - 1]);
        }
    }
    if anonymous.is_empty() {
        return out;
    }
    // Where each group is shown, per workload: its key; `None` when a wave column
    // spreads the group over several waves of the workload, so that an anonymous
    // answer cannot be placed (docs/metrics.md, after_enrollment).
    let mut shown: HashMap<(u32, &str), Option<(&str, &str)>> = HashMap::new();
    let mut shown_key: HashMap<(u32, &str), u32> = HashMap::new();
    for ((&wl, &row), &key) in cohort.workload.iter().zip(&cohort.row).zip(&cohort.key) {
        let group = cohort.groups.get(row as usize).unwrap_or_default();
        let (_, wave, label) = cohort.keys[key as usize];
        let here = (wave, label);
        shown
            .entry((wl, group))
            .and_modify(|e| {
                if *e != Some(here) {
                    *e = None;
                }
            })
            .or_insert(Some(here));
        shown_key.insert((wl, group), key);
    }
    let workloads: BTreeSet<u32> = cohort.workload.iter().copied().collect();
    for (group, score) in anonymous {
        for &wl in &workloads {
            if let Some(Some(_)) = shown.get(&(wl, group)) {
                out[shown_key[&(wl, group)] as usize].1.push(score);
            }
        }
    }
    out
}

/// Computes the rows of `after_enrollment` as of `cut.as_of`, in the order of
/// `group_metrics`: per workload, each wave's groups by name then its `(all)` row,
/// then the workload's overall row.
pub fn after_rows(
    cfg: &Config,
    data: &Dataset,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<Vec<AfterRow>, Error> {
    let since = Window::new(cfg, cut).since;
    let cohort = Cohort::new(cfg, persons, since)?;
    let n = cfg.workloads.len();
    let e = &data.enrollments;
    let mut known = Known {
        compliance: vec![false; n],
        check_in: vec![false; n],
        usage: vec![false; n],
        survey: cfg.sources.contains_key(&Source::Survey),
        identified: data.survey.pid.iter().any(Option::is_some),
    };
    for i in 0..e.pid.len() {
        let wl = e.workload[i] as usize;
        if wl < n {
            known.compliance[wl] |= e.compliant[i].is_some();
            known.check_in[wl] |= e.last_check_in[i].is_some();
        }
    }
    for &wl in &data.usage.workload {
        if let Some(k) = known.usage.get_mut(wl as usize) {
            *k = true;
        }
    }
    let after = person_after(cfg, data, cut, &cohort);
    let scores = survey_scores(data, cut, &cohort);

    // Per key of the cohort the people's counts, then the scores.
    let mut acc: Vec<Acc> = vec![Acc::default(); cohort.keys.len()];
    for i in 0..cohort.pid.len() {
        let bits = after[cohort.workload[i] as usize * cohort.n + cohort.pid[i] as usize];
        let enrolled = cohort.enrolled[i];
        let long_enrolled = cohort.long_enrolled[i];
        let a = &mut acc[cohort.key[i] as usize];
        a.eligible += 1;
        a.enrolled += i64::from(enrolled);
        a.healthy += i64::from(enrolled && bits & HEALTHY_DEVICE != 0);
        a.lapsed += i64::from(long_enrolled && bits & CHECKED_IN_DEVICE == 0);
        a.active += i64::from(bits & ACTIVE != 0);
    }
    for (a, (identified, s)) in acc.iter_mut().zip(scores) {
        a.identified += identified;
        a.scores.extend(s);
    }
    let key_of: HashMap<(u32, &str, &str), usize> = cohort
        .keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i))
        .collect();

    let min = i64::from(cfg.thresholds.min_group_size);
    let mut rows = Vec::new();
    for (w, workload) in cfg.workloads.iter().enumerate() {
        let mut overall = Acc::default();
        let mut any_shown = false;
        // Responses of the hidden groups of the waves whose `(all)` row hides its
        // scores.
        let mut hidden_waves = 0i64;
        for (_, wave) in cfg.waves_of(w) {
            let fold = &persons.folds[&wave.name];
            let mut labels: Vec<&String> = fold.labels.values().collect();
            labels.sort();
            labels.dedup();
            let row = |group: &str, values| AfterRow {
                workload: workload.name.clone(),
                wave: wave.name.clone(),
                group: group.to_string(),
                values,
            };
            if fold.suppressed {
                rows.extend(labels.iter().map(|l| row(l, None)));
                rows.push(row(ALL, None));
                continue;
            }
            let groups: Vec<(&String, Acc)> = labels
                .into_iter()
                .map(|label| {
                    let key = (w as u32, wave.name.as_str(), label.as_str());
                    let a = key_of.get(&key).map(|&i| acc[i].clone());
                    (label, a.unwrap_or_default())
                })
                .collect();
            let responses: Vec<i64> = groups.iter().map(|(_, a)| a.scores.len() as i64).collect();
            let shown = shown_scores(&responses, min);
            let mut total = Acc::default();
            let mut hidden = 0i64;
            for ((label, a), (&n, &show)) in groups.iter().zip(responses.iter().zip(&shown)) {
                total.add(a);
                if !show {
                    hidden += n;
                }
                rows.push(row(label, Some(values_of(cfg, &known, w, a, show))));
            }
            let show = total.scores.len() as i64 >= min && !stats_small(hidden, min);
            if !show {
                // The overall row minus every shown row gives these groups' pooled
                // scores (a wave hidden for its size hides all its groups).
                hidden_waves += hidden;
            }
            rows.push(row(ALL, Some(values_of(cfg, &known, w, &total, show))));
            overall.add(&total);
            any_shown = true;
        }
        let values = any_shown.then(|| {
            let show = overall.scores.len() as i64 >= min && !stats_small(hidden_waves, min);
            values_of(cfg, &known, w, &overall, show)
        });
        rows.push(AfterRow {
            workload: workload.name.clone(),
            wave: ALL.to_string(),
            group: ALL.to_string(),
            values: values.filter(|v| v.eligible > 0),
        });
    }
    Ok(rows)
}

/// Which groups of a wave show their scores, from each group's responses: a group with
/// fewer than `min` responses hides them; when the hidden groups' responses together
/// are 1 to `min − 1` (the wave's row minus the shown rows would give their pooled
/// scores), the shown groups with fewest responses (then the first in order) hide
/// theirs too until the hidden responses reach `min`. Only when no group is left to
/// hide does the wave's own row hide its scores (docs/privacy.md).
fn shown_scores(responses: &[i64], min: i64) -> Vec<bool> {
    let mut shown: Vec<bool> = responses.iter().map(|&n| n >= min).collect();
    let mut hidden: i64 = responses.iter().filter(|&&n| n < min).sum();
    while stats_small(hidden, min) {
        let Some(next) = (0..responses.len())
            .filter(|&i| shown[i])
            .min_by_key(|&i| (responses[i], i))
        else {
            break;
        };
        shown[next] = false;
        hidden += responses[next];
    }
    shown
}

/// 1 to `min − 1`: a count that would narrow a figure to too few people.
fn stats_small(n: i64, min: i64) -> bool {
    n > 0 && n < min
}

/// A row's figures from its counts; `show` says whether the scores may be shown.
fn values_of(cfg: &Config, known: &Known, w: usize, a: &Acc, show: bool) -> AfterValues {
    let survey = known.survey.then(|| {
        let responses = a.scores.len() as i64;
        let scores = (show && responses > 0).then(|| score_figures(cfg, &a.scores));
        SurveyFigures {
            responses,
            identified: known.identified.then_some(a.identified),
            scores,
        }
    });
    AfterValues {
        eligible: a.eligible,
        enrolled: a.enrolled,
        healthy: (known.compliance[w] && known.check_in[w]).then_some(a.healthy),
        lapsed: known.check_in[w].then_some(a.lapsed),
        active: known.usage[w].then_some(a.active),
        survey,
    }
}

/// Mean with its t interval (kept within the scale), satisfied share with its
/// Wilson interval, and on a 0–10 scale the Net Promoter Score.
fn score_figures(cfg: &Config, scores: &[u32]) -> ScoreFigures {
    let values: Vec<f64> = scores.iter().map(|&s| f64::from(s)).collect();
    let n = values.len() as i64;
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let (low, high) = (f64::from(cfg.survey.low), f64::from(cfg.survey.high));
    let mean_interval =
        stats::t_interval(&values).map(|(l, h)| (l.clamp(low, high), h.clamp(low, high)));
    let satisfied = scores
        .iter()
        .filter(|&&s| s >= cfg.survey.satisfied_from)
        .count() as i64;
    let nps = cfg.survey.is_nps().then(|| {
        let promoters = scores.iter().filter(|&&s| s >= 9).count() as f64;
        let detractors = scores.iter().filter(|&&s| s <= 6).count() as f64;
        100.0 * (promoters - detractors) / n as f64
    });
    ScoreFigures {
        mean,
        mean_interval,
        satisfied,
        satisfied_interval: stats::wilson(satisfied, n),
        nps,
    }
}

/// One comment for `private/comments_<wave>.csv`: the group it is shown under, the
/// score and the text — never who wrote it, nor when.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommentRow {
    /// The shown group label.
    pub group: String,
    /// The score given.
    pub score: u32,
    /// The comment, trimmed.
    pub comment: String,
}

impl Table for CommentRow {
    const NAME: &'static str = "comments";

    fn columns() -> Vec<Col<Self>> {
        vec![
            Col::text("group", |r| Value::str(&r.group)),
            Col::of("score", Kind::Count, |r| {
                Value::Int(Some(i64::from(r.score)))
            }),
            Col::text("comment", |r| Value::str(&r.comment)),
        ]
    }
}

/// Per wave name, the comments of the responses counted on D (as in
/// [`after_rows`]; responses of suppressed waves too, since the file is the owner's),
/// sorted by group, score and text so that their order tells nothing of who wrote
/// them or when.
pub fn comment_rows(
    data: &Dataset,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<BTreeMap<String, Vec<CommentRow>>, Error> {
    let facts = persons.facts()?;
    let s = &data.survey;
    let mut by_pid: BTreeMap<u32, Vec<&PersonFacts>> = BTreeMap::new();
    let mut shown: BTreeMap<&str, BTreeSet<(&str, &str)>> = BTreeMap::new();
    for f in &facts {
        by_pid.entry(f.pid).or_default().push(f);
        shown
            .entry(f.group.as_str())
            .or_default()
            .insert((f.wave.as_str(), f.label.as_str()));
    }
    let mut latest: BTreeMap<u32, usize> = BTreeMap::new();
    let mut out: BTreeMap<String, Vec<CommentRow>> = BTreeMap::new();
    let mut push = |wave: &str, group: &str, i: usize| {
        if let Some(text) = s.comment[i]
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            out.entry(wave.to_string()).or_default().push(CommentRow {
                group: group.to_string(),
                score: s.score[i],
                comment: text.to_string(),
            });
        }
    };
    for i in 0..s.len() {
        if s.at[i] >= cut.d {
            continue;
        }
        match (s.pid[i], s.group[i].as_deref()) {
            (Some(pid), _) => {
                let e = latest.entry(pid).or_insert(i);
                if s.at[i] >= s.at[*e] {
                    *e = i;
                }
            }
            (None, Some(group)) => {
                for &(wave, label) in shown.get(group).into_iter().flatten() {
                    push(wave, label, i);
                }
            }
            (None, None) => {}
        }
    }
    for (pid, i) in latest {
        let mut waves: BTreeSet<(&str, &str)> = BTreeSet::new();
        for f in by_pid.get(&pid).into_iter().flatten() {
            waves.insert((f.wave.as_str(), f.label.as_str()));
        }
        for (wave, label) in waves {
            push(wave, label, i);
        }
    }
    for rows in out.values_mut() {
        rows.sort();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::shown_scores;

    #[test]
    fn a_small_pool_of_hidden_responses_hides_the_smallest_shown_group_too() {
        // min 5: 3 responses hidden alone; the 6-response group (fewest of the shown)
        // hides too, 3 + 6 = 9 >= 5; the wave's total keeps its scores.
        assert_eq!(shown_scores(&[20, 3, 6, 12], 5), [true, false, false, true]);
        // Two groups of 2 and 2: 4 hidden, the 5 (first of the two fives) joins them.
        assert_eq!(shown_scores(&[5, 2, 2, 5], 5), [false, false, false, true]);
        // Nothing hidden, or hidden responses already at least 5: nothing more hides.
        assert_eq!(shown_scores(&[7, 8], 5), [true, true]);
        assert_eq!(shown_scores(&[7, 3, 4], 5), [true, false, false]);
        // A group with no responses hides nothing away.
        assert_eq!(shown_scores(&[0, 9], 5), [false, true]);
        // No shown group left to hide: the caller hides the wave's total.
        assert_eq!(shown_scores(&[3], 5), [false]);
    }
}

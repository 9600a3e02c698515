//! Effects that hold up: what opening an email, training (in all and by each training
//! method) or being reached by each channel beyond email did to the weekly chance
//! of enrolling, as a Mantel–Haenszel risk ratio stratified by wave and week of wave
//! with its Greenland–Robins 95 % interval (docs/metrics.md, "Time to enroll,
//! forecasts and effects").
//!
//! Takes the run's cohort as plain instants per person ([`cohort`] reads them out of
//! the clean dataset: first enrollment, first real open, the instant training reached
//! the threshold, in all and per method, and the first touchpoint per channel); builds one [`Stratum`] per wave and complete week ([`wave_strata`]);
//! hands back one [`Estimate`] per wave and factor and one pooling every wave's strata
//! ([`effects`]), which the report turns into the `effects` table beside the naive
//! `lift`. Comparing people in the same week of the same wave is what keeps "people
//! who train late also enroll late" from passing for an effect; nothing here controls
//! for keener people choosing to train.

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;

use super::channels::Engagement;
use super::frames::col_names::{PID, WAVE};
use super::lift::Factor;
use super::people::{Persons, LABEL};
use super::stats::Z95;
use crate::calendar::local_to_utc_ms;
use crate::config::Config;
use crate::dataset::{Attendance, Dataset};
use crate::error::Error;
use crate::schema::SELF_PACED;

/// One factor whose effect is estimated: opening an email, training, training by one
/// method (`trained:<method>`) or being reached by one channel beyond email
/// (`channel:<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectFactor {
    /// The factor.
    pub factor: Factor,
    /// The training method or channel it is narrowed to.
    pub label: Option<String>,
}

impl EffectFactor {
    /// The factor as the `effects` table writes it.
    pub fn name(&self) -> std::borrow::Cow<'static, str> {
        super::lift::factor_name(self.factor, self.label.as_deref())
    }
}

/// One person of the cohort: the instants (ms since the epoch, UTC) that decide their
/// strata. Instants after D may be present; only weeks ending by D read them. Their
/// exposures are held by the wave ([`WaveCohort::exposure`]), one column per factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonTimes {
    /// The person (position in the roster).
    pub pid: u32,
    /// The label their group is shown under in the wave: an index into
    /// [`WaveCohort::labels`].
    pub label: u32,
    /// The day they joined the roster, when snapshots show it.
    pub joined: Option<NaiveDate>,
    /// Their first enrollment on any device.
    pub first_enrolled: Option<i64>,
}

/// An exposure instant that never came, in [`WaveCohort::exposures`]: no week starts
/// after it, so it is never "before the week began".
pub const NEVER: i64 = i64::MAX;

/// One wave's cohort: the people eligible as of D.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveCohort {
    /// Index of the wave in `Config::waves`.
    pub wave: usize,
    /// The wave's start.
    pub start: NaiveDate,
    /// The labels its groups are shown under, sorted by name.
    pub labels: Vec<String>,
    /// Its eligible people, in the order of the per-person facts.
    pub people: Vec<PersonTimes>,
    /// Per factor of [`Cohort::factors`], per person of `people` (same position), the
    /// instant they became exposed to it, [`NEVER`] if they did not (`i64::MIN` for
    /// `trained` when `training_min_minutes` is 0: everyone is trained from the
    /// outset). One flat column per factor rather than a vector per person: a
    /// million people would otherwise cost a million allocations.
    pub exposures: Vec<Vec<i64>>,
}

impl WaveCohort {
    /// The instant person `i` of `people` became exposed to factor `k`, if they did.
    pub fn exposure(&self, i: usize, k: usize) -> Option<i64> {
        let at = *self.exposures.get(k)?.get(i)?;
        (at != NEVER).then_some(at)
    }

    /// The label person `i` of `people` is shown under.
    pub fn label_of(&self, i: usize) -> &str {
        &self.labels[self.people[i].label as usize]
    }
}

/// The run's cohort: the factors whose effect is estimated and, per wave, its people
/// with their instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    /// In table order: `opened_email`, `trained`, then, when ways to learn are
    /// configured, one per training method in the `training_methods` table's order,
    /// then, with a `touchpoints` source, one per channel beyond email in the
    /// `channels` table's order.
    pub factors: Vec<EffectFactor>,
    /// Per wave in config order (suppressed waves left out).
    pub waves: Vec<WaveCohort>,
}

/// The run's cohort as of `as_of` (see [`of_persons`]): builds the frames and the
/// cohort first, as `metrics::compute` does.
pub fn cohort(cfg: &Config, data: &Dataset, as_of: NaiveDate) -> Result<Cohort, Error> {
    let f = super::frames::build(cfg, data)?;
    let who = super::people::cohort(&f, cfg, as_of)?;
    let persons = super::people::persons(&f, cfg, &super::people::Cutoffs::new(cfg, as_of), &who)?;
    of_persons(cfg, data, &f.engagement, &persons)
}

/// The run's cohort — the people eligible on D, in each wave of each workload
/// ([`Persons`]) — with their instants (docs/metrics.md, "effects"): first
/// enrollment in the wave's workload; first real open; the instant training reached
/// the threshold or the first self-paced completion, whichever came first; per
/// session method, the instant the union of that method's attended intervals reached
/// the threshold, and for `self-paced` the first completion; per channel beyond
/// email, the first touchpoint. Suppressed waves (docs/privacy.md) are left out.
pub fn of_persons(
    cfg: &Config,
    data: &Dataset,
    engagement: &Engagement,
    persons: &Persons,
) -> Result<Cohort, Error> {
    let n = data.roster.len();
    // Per person (by pid), each factor's instant, NEVER when it never came: plain
    // instants rather than `Option`s, half the memory for a million people.
    let mut opened: Vec<i64> = vec![NEVER; n];
    for (pid, at) in data.email.first_opens() {
        if let Some(slot) = opened.get_mut(pid as usize) {
            *slot = at;
        }
    }
    let min_minutes = cfg.thresholds.training_min_minutes;
    let mut trained = if min_minutes <= 0.0 {
        vec![i64::MIN; n]
    } else {
        trained_instants(&data.training, n, min_minutes, |_| true)
    };
    // A self-paced completion trains too (docs/metrics.md, "trained"): the earlier of
    // the two instants is when the person was trained.
    for (pid, t) in trained.iter_mut().enumerate() {
        if let Some(at) = engagement.first_completion(pid as u32) {
            *t = (*t).min(at);
        }
    }
    let mut factors = vec![
        EffectFactor {
            factor: Factor::OpenedEmail,
            label: None,
        },
        EffectFactor {
            factor: Factor::Trained,
            label: None,
        },
    ];
    let mut instants = vec![opened, trained];
    let names = &persons.engagement;
    // The factors whose instants are looked up per person of the cohort, when the
    // waves' columns are filled, rather than held in a roster-long vector: the first
    // completion (`self-paced`) and the first touch per channel.
    let mut looked_up: Vec<Lookup> = Vec::new();
    // The same methods `lift` and `training_methods` show (none unless configured).
    if names.methods_configured {
        for (k, method) in names.methods.iter().enumerate() {
            factors.push(EffectFactor {
                factor: Factor::Trained,
                label: Some(method.clone()),
            });
            if method == SELF_PACED {
                looked_up.push(Lookup::Completion);
            } else {
                looked_up.push(Lookup::Instants(instants.len()));
                instants.push(trained_instants(&data.training, n, min_minutes, |s| {
                    engagement.session_method.get(s as usize) == Some(&k)
                }));
            }
        }
    }
    // The channels of the `channels` table but email, which is `opened_email`.
    if names.touchpoints {
        for (k, channel) in names.channels.iter().enumerate().skip(1) {
            factors.push(EffectFactor {
                factor: Factor::Channel,
                label: Some(channel.clone()),
            });
            looked_up.push(Lookup::Touch(k));
        }
    }
    let columns = factors.len();
    let mut waves: Vec<WaveCohort> = cfg
        .waves
        .iter()
        .enumerate()
        .map(|(k, w)| WaveCohort {
            wave: k,
            start: w.start,
            labels: Vec::new(),
            people: Vec::new(),
            exposures: vec![Vec::new(); columns],
        })
        .collect();
    let err = |e| Error::compute("the cohort of effects", e);
    let df = &persons.frame;
    let pid_col = df.column(PID).and_then(|c| c.u32()).map_err(err)?;
    let wave_col = df.column(WAVE).and_then(|c| c.str()).map_err(err)?;
    let label_col = df.column(LABEL).and_then(|c| c.str()).map_err(err)?;
    let first_col = df
        .column("first_enrolled")
        .and_then(|c| c.i64())
        .map_err(err)?;
    // Per wave, the labels met so far and their index in `labels` (sorted at the
    // end), borrowed from the frame and hashed with foldhash: one lookup per person.
    let mut seen: Vec<LabelCodes<'_>> = vec![LabelCodes::default(); waves.len()];
    let mut last: Option<(&str, Option<usize>)> = None;
    let rows = pid_col
        .iter()
        .zip(wave_col.iter())
        .zip(label_col.iter())
        .zip(first_col.iter());
    for (((pid, wave), label), first_enrolled) in rows {
        let (Some(pid), Some(wave)) = (pid, wave) else {
            continue;
        };
        // Rows come grouped by wave mostly: remember the last name's position.
        let k = match last {
            Some((name, k)) if name == wave => k,
            _ => {
                let k = cfg.waves.iter().position(|w| w.name == wave);
                last = Some((wave, k));
                k
            }
        };
        let Some(k) = k else {
            continue;
        };
        let label = label.unwrap_or_default();
        let w = &mut waves[k];
        let next = w.labels.len() as u32;
        let code = *seen[k].entry(label).or_insert_with(|| {
            w.labels.push(label.to_string());
            next
        });
        let at = pid as usize;
        w.people.push(PersonTimes {
            pid,
            label: code,
            joined: data.roster.joined_on.get(at).copied().flatten(),
            first_enrolled,
        });
        let (held, rest) = w.exposures.split_at_mut(2);
        for (column, x) in held.iter_mut().zip(&instants) {
            column.push(x.get(at).copied().unwrap_or(NEVER));
        }
        for (column, l) in rest.iter_mut().zip(&looked_up) {
            column.push(match *l {
                Lookup::Instants(j) => instants[j].get(at).copied().unwrap_or(NEVER),
                Lookup::Completion => engagement.first_completion(pid).unwrap_or(NEVER),
                Lookup::Touch(c) => engagement.first_touch(pid, c).unwrap_or(NEVER),
            });
        }
    }
    drop(seen);
    drop(instants);
    // Labels in name order, so that a wave's groups come sorted.
    for w in &mut waves {
        let mut order: Vec<u32> = (0..w.labels.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| w.labels[a as usize].cmp(&w.labels[b as usize]));
        let mut code = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            code[old as usize] = new as u32;
        }
        w.labels = order
            .iter()
            .map(|&old| std::mem::take(&mut w.labels[old as usize]))
            .collect();
        for p in &mut w.people {
            p.label = code[p.label as usize];
        }
    }
    let suppressed = persons.suppressed_waves();
    waves.retain(|w| !w.people.is_empty() && !suppressed.contains(&cfg.waves[w.wave].name));
    Ok(Cohort { factors, waves })
}

/// Where [`of_persons`] finds a factor's instant beyond `opened_email` and `trained`.
enum Lookup {
    /// In its roster-long vector of instants, at this index.
    Instants(usize),
    /// The person's first completion.
    Completion,
    /// The person's first touch by this channel.
    Touch(usize),
}

/// A wave's label codes by label.
type LabelCodes<'a> = std::collections::HashMap<&'a str, u32, foldhash::fast::FixedState>;

/// Per person (indexed by pid, `n` people), the instant their attended time in the
/// sessions that `keep` accepts reaches `min_minutes`: per session the union of the
/// [joined, left] intervals, summed over sessions as time passes (two sessions at
/// once both count, as the attended minutes of `trained` do). [`NEVER`] for people
/// who never reach it; with `min_minutes` 0, the first instant they attended.
fn trained_instants(
    t: &Attendance,
    n: usize,
    min_minutes: f64,
    keep: impl Fn(u32) -> bool,
) -> Vec<i64> {
    let need = (min_minutes * 60_000.0).max(0.0);
    let mut out = vec![NEVER; n];
    let mut order: Vec<u32> = (0..t.pid.len() as u32)
        .filter(|&i| keep(t.session[i as usize]))
        .collect();
    let key = |i: u32| {
        (
            t.pid[i as usize],
            t.session[i as usize],
            t.joined_at[i as usize],
        )
    };
    if !order.windows(2).all(|w| key(w[0]) <= key(w[1])) {
        order.sort_unstable_by_key(|&i| key(i));
    }
    // One person's sessions, each as its union of intervals, and their edges: reused
    // from person to person.
    let mut merged: Vec<(i64, i64)> = Vec::new();
    let mut edges: Vec<(i64, i64)> = Vec::new();
    let mut at = 0;
    while at < order.len() {
        let pid = t.pid[order[at] as usize];
        merged.clear();
        let mut session = None;
        while at < order.len() && t.pid[order[at] as usize] == pid {
            let i = order[at] as usize;
            let (joined, left) = (t.joined_at[i], t.left_at[i].max(t.joined_at[i]));
            match merged.last_mut() {
                Some(last) if session == Some(t.session[i]) && joined <= last.1 => {
                    last.1 = last.1.max(left);
                }
                _ => merged.push((joined, left)),
            }
            session = Some(t.session[i]);
            at += 1;
        }
        if let Some(slot) = out.get_mut(pid as usize) {
            *slot = reached(&merged, need, &mut edges).unwrap_or(NEVER);
        }
    }
    out
}

/// The first instant at which the summed length of `intervals` up to it reaches
/// `need` ms: a sweep where each open interval adds one ms per ms. `edges` is
/// scratch space.
fn reached(intervals: &[(i64, i64)], need: f64, edges: &mut Vec<(i64, i64)>) -> Option<i64> {
    edges.clear();
    edges.extend(intervals.iter().flat_map(|&(s, e)| [(s, 1), (e, -1)]));
    edges.sort_unstable();
    let (mut covered, mut open, mut prev) = (0.0f64, 0i64, i64::MIN);
    for &(t, step) in edges.iter() {
        if open > 0 {
            let gain = (open as f64) * (t - prev) as f64;
            if covered + gain >= need {
                return Some(prev + ((need - covered) / open as f64).ceil() as i64);
            }
            covered += gain;
        }
        open += step;
        prev = t;
    }
    None
}

/// One side of a stratum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arm {
    /// People at risk at the week's start.
    pub people: i64,
    /// Of them, people whose first enrollment falls inside the week.
    pub enrolled: i64,
}

/// One week of one wave: exposed and unexposed people not enrolled before it began.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stratum {
    /// The week of the wave (0 starts on the wave's start day).
    pub week: i64,
    /// Exposed before the week began: a, n₁.
    pub exposed: Arm,
    /// Not (yet) exposed: c, n₀.
    pub unexposed: Arm,
}

/// The strata of one wave for one factor (docs/metrics.md, "effects").
///
/// Week w runs from local midnight of `start` + 7w days, in `tz`, for 7 days; only
/// weeks that end by the end of `as_of` count. In week w, among `people` (pairs of
/// first enrollment and exposure instants) not enrolled before it starts: exposed
/// when the exposure instant is before it starts, and an event when the first
/// enrollment falls inside it. One stratum per complete week, in week order, empty
/// ones included.
pub fn wave_strata(
    tz: Tz,
    as_of: NaiveDate,
    start: NaiveDate,
    people: impl IntoIterator<Item = (Option<i64>, Option<i64>)>,
) -> Vec<Stratum> {
    strata_of(&week_bounds(tz, as_of, start), people)
}

/// The instants the complete weeks of a wave starting on `start` start, as of
/// `as_of`, in `tz`, and the instant the last one ends: `weeks + 1` values.
fn week_bounds(tz: Tz, as_of: NaiveDate, start: NaiveDate) -> Vec<i64> {
    let weeks = ((as_of - start).num_days() + 1).div_euclid(7).max(0);
    // bounds[w] = the instant week w starts; bounds[weeks] = the end of the last one,
    // at or before the end of D since 7·weeks ≤ D − start + 1.
    (0..=weeks)
        .map_while(|w| start.checked_add_days(Days::new(7 * w as u64)))
        .map(|d| local_to_utc_ms(tz, d.and_time(chrono::NaiveTime::MIN)))
        .collect()
}

/// One empty stratum per week.
fn empty_strata(weeks: usize) -> Vec<Stratum> {
    (0..weeks)
        .map(|w| Stratum {
            week: w as i64,
            ..Stratum::default()
        })
        .collect()
}

/// [`wave_strata`] with the weeks' `bounds` ([`week_bounds`]) worked out once per wave.
///
/// Each person is at risk from week 0 up to the week they enroll in (or the last
/// week), unexposed before the first week that starts after their exposure and
/// exposed from it: two runs of weeks, found by binary search and added to the
/// strata as differences, rather than a walk through every week per person.
fn strata_of(
    bounds: &[i64],
    people: impl IntoIterator<Item = (Option<i64>, Option<i64>)>,
) -> Vec<Stratum> {
    let weeks = bounds.len().saturating_sub(1);
    let mut strata = empty_strata(weeks);
    if weeks == 0 {
        return strata;
    }
    // Differences of people per week: at_risk[w] − at_risk[w − 1], per arm.
    let (mut exposed, mut unexposed) = (vec![0i64; weeks + 1], vec![0i64; weeks + 1]);
    for (enrolled, exposure) in people {
        // The last week at risk, and whether they enroll in it.
        let (last, event) = match enrolled {
            Some(e) if e < bounds[0] => continue,
            Some(e) if e < bounds[weeks] => (bounds.partition_point(|&b| b <= e) - 1, true),
            _ => (weeks - 1, false),
        };
        // Exposed in week w when the exposure came before it began: from week `from`.
        let from = exposure.map_or(weeks + 1, |x| bounds.partition_point(|&b| b <= x));
        let split = from.min(last + 1);
        unexposed[0] += 1;
        unexposed[split] -= 1;
        exposed[split] += 1;
        exposed[last + 1] -= 1;
        if event {
            let arm = match from <= last {
                true => &mut strata[last].exposed,
                false => &mut strata[last].unexposed,
            };
            arm.enrolled += 1;
        }
    }
    let (mut n1, mut n0) = (0i64, 0i64);
    for (w, stratum) in strata.iter_mut().enumerate() {
        n1 += exposed[w];
        n0 += unexposed[w];
        stratum.exposed.people = n1;
        stratum.unexposed.people = n0;
    }
    strata
}

/// A Mantel–Haenszel risk ratio over strata.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// `risk_ratio`: the weekly chance of enrolling of the exposed over the unexposed;
    /// `None` when either Mantel–Haenszel sum is 0.
    pub risk_ratio: Option<f64>,
    /// `risk_ratio_low`, `risk_ratio_high`: the Greenland–Robins 95 % interval.
    pub interval: Option<(f64, f64)>,
    /// `strata`: strata with people on both sides (the only ones that count).
    pub strata: i64,
    /// `exposed_person_weeks`: Σ n₁ over those strata.
    pub exposed_person_weeks: i64,
    /// `unexposed_person_weeks`: Σ n₀ over those strata.
    pub unexposed_person_weeks: i64,
}

/// The Mantel–Haenszel risk ratio of `strata` with the Greenland–Robins interval
/// (docs/metrics.md, "effects").
///
/// With a, n₁ the exposed events and people, c, n₀ the unexposed, N = n₁ + n₀, over
/// the strata with n₁ > 0 and n₀ > 0: RR = Σ(a·n₀/N) / Σ(c·n₁/N); 95 % interval
/// exp(ln RR ± 1.959964·√V), V = Σ((n₁n₀(a + c) − a·c·N)/N²) / (Σ(a·n₀/N) · Σ(c·n₁/N))
/// (Greenland and Robins, "Estimation of a common effect parameter from sparse
/// follow-up data", Biometrics 41, 1985; Rothman, Greenland and Lash, *Modern
/// Epidemiology*, 3rd ed., eq. 15-22 and 15-23). Empty when either sum is 0.
pub fn mantel_haenszel(strata: &[Stratum]) -> Estimate {
    let (mut r, mut s, mut p) = (0.0f64, 0.0f64, 0.0f64);
    let mut est = Estimate {
        risk_ratio: None,
        interval: None,
        strata: 0,
        exposed_person_weeks: 0,
        unexposed_person_weeks: 0,
    };
    for st in strata {
        let (n1, n0) = (st.exposed.people, st.unexposed.people);
        if n1 <= 0 || n0 <= 0 {
            continue;
        }
        let (a, c) = (st.exposed.enrolled as f64, st.unexposed.enrolled as f64);
        let (n1f, n0f) = (n1 as f64, n0 as f64);
        let n = n1f + n0f;
        r += a * n0f / n;
        s += c * n1f / n;
        p += (n1f * n0f * (a + c) - a * c * n) / (n * n);
        est.strata += 1;
        est.exposed_person_weeks += n1;
        est.unexposed_person_weeks += n0;
    }
    if r > 0.0 && s > 0.0 {
        let rr = r / s;
        let half = Z95 * (p / (r * s)).max(0.0).sqrt();
        est.risk_ratio = Some(rr);
        est.interval = Some(((rr.ln() - half).exp(), (rr.ln() + half).exp()));
    }
    est
}

/// One row of `effects` before privacy: a wave (or all of them) and a factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// Index into `Config::waves`; `None` for the row pooling every wave's strata.
    pub wave: Option<usize>,
    /// The factor.
    pub factor: EffectFactor,
    /// The estimate.
    pub estimate: Estimate,
}

/// Every effect of `waves` (some of the cohort's waves): per factor of `factors`
/// (the cohort's, which each person's exposures follow), one row per wave in its
/// order, then the row pooling all their strata. Rows come factor by factor within
/// each wave: wave 1's factors, wave 2's, …, then the pooled ones.
pub fn effects<'a>(
    tz: Tz,
    as_of: NaiveDate,
    factors: &[EffectFactor],
    waves: impl IntoIterator<Item = &'a WaveCohort>,
) -> Vec<Effect> {
    let mut pooled: Vec<Vec<Stratum>> = vec![Vec::new(); factors.len()];
    let mut out = Vec::new();
    for w in waves {
        let bounds = week_bounds(tz, as_of, w.start);
        for (k, factor) in factors.iter().enumerate() {
            let people = w
                .people
                .iter()
                .enumerate()
                .map(|(i, p)| (p.first_enrolled, w.exposure(i, k)));
            let strata = strata_of(&bounds, people);
            out.push(Effect {
                wave: Some(w.wave),
                factor: factor.clone(),
                estimate: mantel_haenszel(&strata),
            });
            pooled[k].extend(strata);
        }
    }
    for (factor, strata) in factors.iter().zip(pooled) {
        out.push(Effect {
            wave: None,
            factor: factor.clone(),
            estimate: mantel_haenszel(&strata),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    fn stratum(a: i64, n1: i64, c: i64, n0: i64) -> Stratum {
        Stratum {
            week: 0,
            exposed: Arm {
                people: n1,
                enrolled: a,
            },
            unexposed: Arm {
                people: n0,
                enrolled: c,
            },
        }
    }

    #[test]
    fn mantel_haenszel_of_two_strata_by_hand() {
        // Stratum 1: a = 4 of n₁ = 10 exposed, c = 4 of n₀ = 20 unexposed, N = 30:
        //   a·n₀/N = 80/30 = 2.666667, c·n₁/N = 40/30 = 1.333333,
        //   (n₁n₀(a+c) − acN)/N² = (200·8 − 16·30)/900 = 1120/900 = 1.244444.
        // Stratum 2: a = 6 of 20, c = 1 of 10, N = 30:
        //   a·n₀/N = 60/30 = 2, c·n₁/N = 20/30 = 0.666667,
        //   (200·7 − 6·30)/900 = 1220/900 = 1.355556.
        // A third with nobody unexposed does not count.
        // RR = 4.666667 / 2 = 2.333333; V = 2.6 / (4.666667·2) = 0.278571,
        // √V = 0.527799; ln RR = 0.847298; exp(0.847298 ∓ 1.959964·0.527799)
        // = (0.829304, 6.565077).
        let e = mantel_haenszel(&[
            stratum(4, 10, 4, 20),
            stratum(6, 20, 1, 10),
            stratum(3, 5, 0, 0),
        ]);
        assert!(close(e.risk_ratio.unwrap(), 2.333_333));
        let (lo, hi) = e.interval.unwrap();
        assert!(close(lo, 0.829_304), "{lo}");
        assert!(close(hi, 6.565_077), "{hi}");
        assert_eq!(e.strata, 2);
        assert_eq!((e.exposed_person_weeks, e.unexposed_person_weeks), (30, 30));
    }

    #[test]
    fn no_estimate_when_a_side_never_enrolls() {
        // Σ c·n₁/N = 0: the ratio is unbounded, so it is left empty.
        let e = mantel_haenszel(&[stratum(3, 10, 0, 10)]);
        assert_eq!((e.risk_ratio, e.interval), (None, None));
        assert_eq!(e.strata, 1);
        let e = mantel_haenszel(&[]);
        assert_eq!((e.risk_ratio, e.strata), (None, 0));
    }

    const H: i64 = 3_600_000;

    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_start_at_local_midnight_and_only_complete_weeks_count() {
        // Wave starts Monday 2026-10-19 in Paris; D = Sunday 2026-11-08: weeks 0, 1, 2
        // (19–25 Oct, 26 Oct–1 Nov, 2–8 Nov) all end by the end of D. Summer time ends
        // on 25 Oct, so week 1 starts at 2026-10-25T23:00Z.
        let start = day("2026-10-19");
        let people = [
            // Enrolled 2026-10-25T23:30Z = 00:30 on 26 Oct, Paris: week 1, not week 0.
            (Some(at("2026-10-25T23:30:00Z")), None),
            // Exposed in week 0, enrolled in week 1: exposed in week 1.
            (
                Some(at("2026-10-28T09:00:00Z")),
                Some(at("2026-10-20T09:00:00Z")),
            ),
            // Enrolled before the start: in no stratum.
            (Some(at("2026-10-15T09:00:00Z")), Some(0)),
            // Never enrolled, exposed 2026-10-25T22:59:59Z (before week 1 starts).
            (None, Some(at("2026-10-25T22:59:59Z"))),
            // Never enrolled, exposed exactly as week 2 starts: not before it.
            (None, Some(at("2026-11-01T23:00:00Z"))),
        ];
        let strata = wave_strata(paris(), day("2026-11-08"), start, people);
        let arms: Vec<((i64, i64), (i64, i64))> = strata
            .iter()
            .map(|s| {
                (
                    (s.exposed.enrolled, s.exposed.people),
                    (s.unexposed.enrolled, s.unexposed.people),
                )
            })
            .collect();
        // Week 0: all four not enrolled before are unexposed; nobody enrolls.
        // Week 1: exposed are the second and fourth (second enrolls); unexposed the
        // first (enrolls) and fifth.
        // Week 2: the fourth exposed, the fifth unexposed; no events.
        assert_eq!(arms, [((0, 0), (0, 4)), ((1, 2), (1, 2)), ((0, 1), (0, 1))]);
        // D = Saturday 2026-11-07: week 2 does not end by D.
        assert_eq!(
            wave_strata(paris(), day("2026-11-07"), start, people).len(),
            2
        );
        // Before the first week ends: none.
        assert!(wave_strata(paris(), day("2026-10-24"), start, people).is_empty());
        assert!(wave_strata(paris(), day("2026-10-01"), start, people).is_empty());
    }

    #[test]
    fn training_is_reached_once_the_union_of_intervals_holds_the_minutes() {
        // Person 0, session 0: [0, 20 min] and [10, 40] overlap → union [0, 40]: 30 min
        // at minute 30. Person 1: session 0 [0, 20], session 1 [100, 115] → 20 by
        // minute 20, then 10 more at minute 110. Person 2: 25 minutes in all: never.
        // Person 3: two sessions at once, [0, 20] and [5, 20]: one minute per minute
        // up to minute 5, then two: 5 + (30 − 5)/2 = minute 17.5. Person 4: nothing.
        let m = 60_000;
        let rows = [
            (0, 0, 10, 40),
            (0, 0, 0, 20),
            (1, 0, 0, 20),
            (1, 1, 100, 115),
            (2, 0, 0, 25),
            (3, 0, 0, 20),
            (3, 1, 5, 20),
        ];
        let t = Attendance {
            pid: rows.iter().map(|r| r.0).collect(),
            session: rows.iter().map(|r| r.1).collect(),
            joined_at: rows.iter().map(|r| r.2 * m).collect(),
            left_at: rows.iter().map(|r| r.3 * m).collect(),
            sessions: vec!["a".into(), "b".into()],
        };
        let got = |min, keep: fn(u32) -> bool| -> Vec<Option<i64>> {
            trained_instants(&t, 5, min, keep)
                .into_iter()
                .map(|x| (x != NEVER).then_some(x))
                .collect()
        };
        assert_eq!(
            got(30.0, |_| true),
            [
                Some(30 * m),
                Some(110 * m),
                None,
                Some(17 * m + m / 2),
                None
            ]
        );
        // One session's minutes alone (session 1: person 1 has 15, person 3 has 15).
        assert_eq!(
            got(10.0, |s| s == 1),
            [None, Some(110 * m), None, Some(15 * m), None]
        );
        // With no minutes needed, the first instant a person attended such a session.
        assert_eq!(
            got(0.0, |s| s == 1),
            [None, Some(100 * m), None, Some(5 * m), None]
        );
    }

    #[test]
    fn strata_of_a_synthetic_wave_keep_every_person_week() {
        // 3 people, weeks of 7 days in UTC from 2026-01-05 (a Monday), D = 2026-01-25
        // (3 complete weeks). A enrolls in week 2, never exposed: weeks 0, 1, 2
        // unexposed. B exposed on day 3, never enrolls: week 0 unexposed, 1–2 exposed.
        // C enrolls on day 1: week 0 only.
        let utc: Tz = "UTC".parse().unwrap();
        let start = day("2026-01-05");
        let d0 = at("2026-01-05T00:00:00Z");
        let people = [
            (Some(d0 + 15 * 24 * H), None),
            (None, Some(d0 + 3 * 24 * H)),
            (Some(d0 + 24 * H), Some(d0 + 5 * 24 * H)),
        ];
        let s = wave_strata(utc, day("2026-01-25"), start, people);
        let total: i64 = s
            .iter()
            .map(|s| s.exposed.people + s.unexposed.people)
            .sum();
        assert_eq!(total, 3 + 3 + 1);
        assert_eq!(
            s[0].unexposed,
            Arm {
                people: 3,
                enrolled: 1
            }
        );
        assert_eq!(
            s[2].exposed,
            Arm {
                people: 1,
                enrolled: 0
            }
        );
        assert_eq!(
            s[2].unexposed,
            Arm {
                people: 1,
                enrolled: 1
            }
        );
    }

    /// The strata as defined, week by week per person: what [`strata_of`] must equal.
    fn strata_walked(bounds: &[i64], people: &[(Option<i64>, Option<i64>)]) -> Vec<Stratum> {
        let weeks = bounds.len().saturating_sub(1);
        let mut strata = empty_strata(weeks);
        for &(enrolled, exposure) in people {
            for (w, stratum) in strata.iter_mut().enumerate() {
                let (from, to) = (bounds[w], bounds[w + 1]);
                if enrolled.is_some_and(|e| e < from) {
                    break;
                }
                let arm = match exposure.is_some_and(|x| x < from) {
                    true => &mut stratum.exposed,
                    false => &mut stratum.unexposed,
                };
                arm.people += 1;
                if enrolled.is_some_and(|e| e < to) {
                    arm.enrolled += 1;
                    break;
                }
            }
        }
        strata
    }

    proptest! {
        #[test]
        fn strata_by_runs_of_weeks_equal_the_week_by_week_walk(
            steps in proptest::collection::vec(1i64..5, 0..6),
            people in proptest::collection::vec(
                (proptest::option::of(-3i64..25), proptest::option::of(-3i64..25)),
                0..30,
            ),
        ) {
            // Week bounds at increasing instants 0, s₁, s₁ + s₂, …; enrollments and
            // exposures before, on, between and after them, and i64::MIN (trained
            // from the outset).
            let mut bounds = vec![0i64];
            for s in &steps {
                bounds.push(bounds.last().unwrap() + s);
            }
            let people: Vec<(Option<i64>, Option<i64>)> = people
                .into_iter()
                .enumerate()
                .map(|(i, (e, x))| (e, if i % 7 == 3 { Some(i64::MIN) } else { x }))
                .collect();
            prop_assert_eq!(
                strata_of(&bounds, people.iter().copied()),
                strata_walked(&bounds, &people)
            );
        }

        #[test]
        fn identical_groups_have_a_ratio_of_one(
            arms in proptest::collection::vec((1i64..40, 0i64..40, 1i64..4), 1..8),
        ) {
            // Exposed and unexposed with the same events per person in every stratum
            // (k times as many unexposed people and events): RR = 1, inside the interval.
            let strata: Vec<Stratum> = arms
                .iter()
                .map(|&(n, e, k)| {
                    let a = e.min(n);
                    stratum(a, n, a * k, n * k)
                })
                .collect();
            let est = mantel_haenszel(&strata);
            if let Some(rr) = est.risk_ratio {
                prop_assert!((rr - 1.0).abs() < 1e-9);
                let (lo, hi) = est.interval.unwrap();
                prop_assert!(lo <= 1.0 + 1e-9 && 1.0 <= hi + 1e-9);
            } else {
                prop_assert!(arms.iter().all(|&(n, e, _)| e.min(n) == 0));
            }
        }

        #[test]
        fn the_interval_brackets_the_ratio(
            arms in proptest::collection::vec((0i64..30, 1i64..30, 0i64..30, 1i64..30), 1..8),
        ) {
            let strata: Vec<Stratum> = arms
                .iter()
                .map(|&(a, n1, c, n0)| stratum(a.min(n1), n1, c.min(n0), n0))
                .collect();
            let est = mantel_haenszel(&strata);
            if let (Some(rr), Some((lo, hi))) = (est.risk_ratio, est.interval) {
                prop_assert!(lo > 0.0 && lo <= rr * (1.0 + 1e-12) && rr <= hi * (1.0 + 1e-12));
            }
        }
    }
}

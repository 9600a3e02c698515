//! The tables of time to enroll and of effects, and what they add to `group_metrics`
//! (docs/metrics.md, "Time to enroll, forecasts and effects").
//!
//! Takes the run's cohort per wave with each person's instants
//! ([`effects::of_persons`]); hands on `time_to_enroll` (a Kaplan–Meier curve per
//! workload, wave, shown group and `(all)`), `effects` (Mantel–Haenszel risk ratios per
//! wave and pooled per workload), and fills `median_days_to_enroll`, `share_by_day_*`
//! and each wave's forecast into the `group_metrics` rows. Small counts are hidden as
//! docs/privacy.md says.

use chrono::NaiveDate;

use super::effects::{self, Effect, EffectFactor, WaveCohort};
use super::groups::GroupRow;
use super::survival::{forecast, kaplan_meier, wave_spells, Curve, Dated, Forecast, Spell};
use super::table::{Col, Kind, Table, Value};
use crate::config::Config;
use crate::privacy::Count;
use crate::schema::ALL;

/// The days of wave at which `share_by_day_*` is read.
pub const SHARE_DAYS: [i64; 3] = [14, 28, 42];

/// One row of `time_to_enroll`: a day of a Kaplan–Meier curve with an enrollment.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeRow {
    /// The workload.
    pub workload: String,
    /// The wave.
    pub wave: String,
    /// A shown group, or `(all)`.
    pub group: String,
    /// Days since the wave's start.
    pub day: i64,
    /// People at risk that day (hidden when 1 to `min_group_size − 1`).
    pub at_risk: Count,
    /// Of them, people who enrolled that day (hidden likewise).
    pub enrolled_on_day: Count,
    /// 1 − S(day).
    pub share_enrolled: f64,
    /// Its 95 % band (Greenwood, log(−log)); empty where S is 0 or 1.
    pub low: Option<f64>,
    /// Its 95 % band.
    pub high: Option<f64>,
}

impl Table for TimeRow {
    const NAME: &'static str = "time_to_enroll";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count as N, Rate};
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("group", |r| Value::str(&r.group)),
            Col::of("day", N, |r| Value::Int(Some(r.day))),
            Col::of("at_risk", N, |r| Value::Int(r.at_risk.shown())),
            Col::of("enrolled_on_day", N, |r| {
                Value::Int(r.enrolled_on_day.shown())
            }),
            Col::of("share_enrolled", Rate, |r| {
                Value::Float(Some(r.share_enrolled))
            }),
            Col::of("low", Rate, |r| Value::Float(r.low)),
            Col::of("high", Rate, |r| Value::Float(r.high)),
        ]
    }
}

/// Why an `effects` row shows no ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectNote {
    /// Exposed or unexposed person-weeks are fewer than `min_group_size`.
    FewPersonWeeks,
    /// No stratum has people on both sides, or a side has no enrollment.
    NoComparison,
}

impl EffectNote {
    /// The note as the table writes it.
    pub fn text(self) -> &'static str {
        match self {
            EffectNote::FewPersonWeeks => {
                "fewer person-weeks than min_group_size on a side: not shown"
            }
            EffectNote::NoComparison => {
                "no week with people on both sides, or no enrollment on a side"
            }
        }
    }
}

/// One row of `effects`.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectRow {
    /// The workload.
    pub workload: String,
    /// The wave, or `(all)` for the row pooling the workload's waves.
    pub wave: String,
    /// The factor, narrowed to a method or channel or not.
    pub factor: EffectFactor,
    /// Mantel–Haenszel risk ratio of enrolling in a week, exposed against not yet.
    pub risk_ratio: Option<f64>,
    /// Its Greenland–Robins 95 % interval.
    pub interval: Option<(f64, f64)>,
    /// Strata (wave, week) with people on both sides.
    pub strata: i64,
    /// Exposed person-weeks in those strata.
    pub exposed_person_weeks: Count,
    /// Unexposed person-weeks in those strata.
    pub unexposed_person_weeks: Count,
    /// Why the ratio is empty, if it is.
    pub note: Option<EffectNote>,
}

impl Table for EffectRow {
    const NAME: &'static str = "effects";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count as N, Number};
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("factor", |r| Value::Text(Some(r.factor.name()))),
            Col::of("risk_ratio", Number, |r| Value::Float(r.risk_ratio)),
            Col::of("risk_ratio_low", Number, |r| {
                Value::Float(r.interval.map(|i| i.0))
            }),
            Col::of("risk_ratio_high", Number, |r| {
                Value::Float(r.interval.map(|i| i.1))
            }),
            Col::of("strata", N, |r| Value::Int(Some(r.strata))),
            Col::of("exposed_person_weeks", N, |r| {
                Value::Int(r.exposed_person_weeks.shown())
            }),
            Col::of("unexposed_person_weeks", N, |r| {
                Value::Int(r.unexposed_person_weeks.shown())
            }),
            Col::text("note", |r| Value::opt_str(r.note.map(EffectNote::text))),
        ]
    }
}

/// A wave's curves as of a day: its `(all)` curve and one per shown group.
struct WaveCurves {
    wave: usize,
    all: Curve,
    groups: Vec<(String, Curve)>,
}

fn curves_of(cfg: &Config, as_of: NaiveDate, w: &WaveCohort) -> WaveCurves {
    let (spells, horizon) = wave_spells(cfg.timezone, as_of, w);
    // One pass buckets the spells by label (the wave's labels are sorted by name).
    let mut of: Vec<Vec<Spell>> = vec![Vec::new(); w.labels.len()];
    for (p, s) in w.people.iter().zip(&spells) {
        of[p.label as usize].push(*s);
    }
    let groups = w
        .labels
        .iter()
        .zip(of)
        .filter(|(_, spells)| !spells.is_empty())
        .map(|(label, spells)| (label.clone(), kaplan_meier(&spells, horizon)))
        .collect();
    WaveCurves {
        wave: w.wave,
        all: kaplan_meier(&spells, horizon),
        groups,
    }
}

/// `time_to_enroll` as of `as_of`, per workload and wave in config order: the wave's
/// shown groups by name, then `(all)`.
pub fn time_rows(cfg: &Config, as_of: NaiveDate, cohort: &[WaveCohort]) -> Vec<TimeRow> {
    let min = i64::from(cfg.thresholds.min_group_size);
    let mut out = Vec::new();
    for w in cohort {
        let wave = &cfg.waves[w.wave];
        let c = curves_of(cfg, as_of, w);
        let all = std::iter::once((ALL.to_string(), c.all));
        for (group, curve) in c.groups.into_iter().chain(all) {
            for p in &curve.points {
                out.push(TimeRow {
                    workload: cfg.workload_of(wave).to_string(),
                    wave: wave.name.clone(),
                    group: group.clone(),
                    day: p.day,
                    at_risk: Count::guarded(p.at_risk, min),
                    enrolled_on_day: Count::guarded(p.enrolled_on_day, min),
                    share_enrolled: p.share_enrolled,
                    low: p.low,
                    high: p.high,
                });
            }
        }
    }
    out
}

/// Fills `median_days_to_enroll`, `share_by_day_*` (every shown row of a wave) and the
/// forecast (each wave's `(all)` row) into `rows`, computed as of `as_of` — D for
/// `group_metrics`, D − 7 for last week's. Only the waves of `cohort` that started by
/// `as_of` count.
pub fn add_to_groups(cfg: &Config, as_of: NaiveDate, cohort: &[WaveCohort], rows: &mut [GroupRow]) {
    let curves: Vec<WaveCurves> = cohort
        .iter()
        .filter(|w| w.start <= as_of)
        .map(|w| curves_of(cfg, as_of, w))
        .collect();
    for c in &curves {
        let wave = &cfg.waves[c.wave];
        let same: Vec<&WaveCurves> = curves
            .iter()
            .filter(|o| cfg.waves[o.wave].workload == wave.workload)
            .collect();
        let earlier: Vec<Dated<'_>> = same
            .iter()
            .map(|o| Dated {
                start: cfg.waves[o.wave].start,
                curve: &o.all,
            })
            .collect();
        let this = Dated {
            start: wave.start,
            curve: &c.all,
        };
        let predicted = forecast(this, &earlier, wave.final_share());
        let mut from: Vec<usize> = match &predicted {
            Forecast::Range(r) => r.from.iter().map(|&k| same[k].wave).collect(),
            _ => Vec::new(),
        };
        from.sort_unstable();
        for row in rows.iter_mut().filter(|r| r.wave == wave.name) {
            let Some(v) = row.values.as_mut() else {
                continue;
            };
            let curve = if row.group == ALL {
                v.forecast = Some(predicted.clone());
                v.forecast_from = from.iter().map(|&k| cfg.waves[k].name.clone()).collect();
                &c.all
            } else {
                match c.groups.iter().find(|(g, _)| *g == row.group) {
                    Some((_, curve)) => curve,
                    None => continue,
                }
            };
            v.median_days_to_enroll = curve.median_days_to_enroll();
            v.share_by_day = SHARE_DAYS.map(|t| curve.share_by_day(t));
        }
    }
}

/// `effects`: per workload, a row per wave and factor of `factors` (the cohort's),
/// then the rows pooling the workload's waves; a row with fewer than
/// `min_group_size` person-weeks on a side shows no ratio.
pub fn effect_rows(
    cfg: &Config,
    as_of: NaiveDate,
    factors: &[EffectFactor],
    cohort: &[WaveCohort],
) -> Vec<EffectRow> {
    let min = i64::from(cfg.thresholds.min_group_size);
    let mut out = Vec::new();
    for (w, workload) in cfg.workloads.iter().enumerate() {
        let of = || cohort.iter().filter(|c| cfg.waves[c.wave].workload == w);
        if of().next().is_none() {
            continue;
        }
        let first = out.len();
        for Effect {
            wave,
            factor,
            estimate,
        } in effects::effects(cfg.timezone, as_of, factors, of())
        {
            let exposed = Count::guarded(estimate.exposed_person_weeks, min);
            let unexposed = Count::guarded(estimate.unexposed_person_weeks, min);
            let few = exposed.is_few() || unexposed.is_few();
            let (risk_ratio, interval) = if few {
                (None, None)
            } else {
                (estimate.risk_ratio, estimate.interval)
            };
            let note = if few {
                Some(EffectNote::FewPersonWeeks)
            } else if risk_ratio.is_none() {
                Some(EffectNote::NoComparison)
            } else {
                None
            };
            out.push(EffectRow {
                workload: workload.name.clone(),
                wave: wave.map_or_else(|| ALL.to_string(), |k| cfg.waves[k].name.clone()),
                factor,
                risk_ratio,
                interval,
                strata: estimate.strata,
                exposed_person_weeks: exposed,
                unexposed_person_weeks: unexposed,
                note,
            });
        }
        hide_derived_person_weeks(&mut out[first..]);
    }
    out
}

/// The pooled `(all)` rows of one workload's `effects` hide a side's person-weeks
/// when a wave's row of the same factor hides that side's few: the pooled count
/// minus the shown waves' would give them back (docs/privacy.md, "Derived rows").
fn hide_derived_person_weeks(rows: &mut [EffectRow]) {
    let (waves, pooled): (Vec<&mut EffectRow>, Vec<&mut EffectRow>) =
        rows.iter_mut().partition(|r| r.wave != ALL);
    for p in pooled {
        let parts = || waves.iter().filter(|w| w.factor == p.factor);
        if parts().any(|w| w.exposed_person_weeks.is_few()) && !p.exposed_person_weeks.is_few() {
            p.exposed_person_weeks = Count::Derived;
        }
        if parts().any(|w| w.unexposed_person_weeks.is_few()) && !p.unexposed_person_weeks.is_few()
        {
            p.unexposed_person_weeks = Count::Derived;
        }
    }
}

/// The forecast in the words of a `group_metrics` cell: `reached`, or a day.
pub fn forecast_cells(
    f: Option<&Forecast>,
) -> (Option<String>, Option<NaiveDate>, Option<NaiveDate>) {
    match f {
        Some(Forecast::Reached) => (Some("reached".to_string()), None, None),
        Some(Forecast::Range(r)) => (
            Some(r.likely.format("%Y-%m-%d").to_string()),
            Some(r.low),
            Some(r.high),
        ),
        _ => (None, None, None),
    }
}

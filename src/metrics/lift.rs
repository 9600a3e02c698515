//! `lift`: per wave and overall, how enrollment differs between people
//! who opened an email and who did not, and who trained and who did not — with Wilson
//! intervals, the difference and the two-proportion z-test p-value.
//!
//! Observational: people who open emails or train may be keener to begin with. A side
//! with fewer than `min_group_size` people (but not none) has its enrolled counts and
//! rates left empty on both sides, since either would narrow to those few people; and
//! the overall row of that factor hides them too, since it minus the other waves would
//! give them away (docs/privacy.md).

use polars::prelude::*;

use super::frames::col_names::*;
use super::people::{Persons, SUPPRESSED};
use super::stats;
use super::table::{Col, Kind, Table, Value};
use crate::config::Config;
use crate::error::Error;
use crate::schema::ALL;

/// The factors whose lift is measured, with their persons column.
const FACTORS: [(Factor, &str); 2] = [
    (Factor::OpenedEmail, "opener"),
    (Factor::Trained, "trained"),
];

/// One comparison measured per wave: its factor, the method or channel it narrows the
/// factor to (`trained:<method>`), and the persons column saying who has it.
pub struct Measure {
    /// The factor.
    pub factor: Factor,
    /// The method or channel, if the factor is narrowed to one.
    pub label: Option<String>,
    /// The persons column (a flag).
    pub column: String,
}

/// The overall row holds every wave's people: where a wave's row hides a small side,
/// the overall row minus the other waves would give it away, so it hides its figures
/// too (docs/privacy.md, "Derived rows"). `rows` are one workload's.
fn hide_what_waves_hide(rows: &mut [LiftRow]) {
    let keys: Vec<(Factor, Option<String>)> = rows
        .iter()
        .filter(|r| r.wave != ALL && r.note == Some(LiftNote::SideTooSmall))
        .map(|r| (r.factor, r.label.clone()))
        .collect();
    for (factor, label) in keys {
        let overall = rows
            .iter_mut()
            .find(|r| r.wave == ALL && r.factor == factor && r.label == label && r.note.is_none());
        if let Some(row) = overall {
            let (n_with, n_without) = (row.with.n, row.without.n);
            *row = LiftRow::empty(ALL, factor, LiftNote::WaveSideTooSmall);
            row.label = label;
            row.with.n = n_with;
            row.without.n = n_without;
        }
    }
}

/// Builds `lift`: `opened_email` and `trained`, then one `trained:<method>` row per
/// way to learn when they are configured.
pub fn lift_rows(cfg: &Config, persons: &Persons) -> Result<Vec<LiftRow>, Error> {
    let mut measures: Vec<Measure> = FACTORS
        .iter()
        .map(|&(factor, column)| Measure {
            factor,
            label: None,
            column: column.to_string(),
        })
        .collect();
    measures.extend(super::methods::lift_measures(persons));
    measured_rows(cfg, persons, &measures)
}

/// The `lift` rows of `measures`: per workload, per wave then overall, one row per
/// measure, small sides hidden as `lift` hides them.
pub fn measured_rows(
    cfg: &Config,
    persons: &Persons,
    measures: &[Measure],
) -> Result<Vec<LiftRow>, Error> {
    let err = |e| Error::compute("lift", e);
    let mut aggs = vec![
        len().cast(DataType::Int64).alias("n"),
        col("enrolled")
            .cast(DataType::Int64)
            .sum()
            .alias("enrolled"),
    ];
    for (j, m) in measures.iter().enumerate() {
        aggs.push(
            col(m.column.as_str())
                .cast(DataType::Int64)
                .sum()
                .alias(format!("n_{j}")),
        );
        aggs.push(
            col(m.column.as_str())
                .and(col("enrolled"))
                .cast(DataType::Int64)
                .sum()
                .alias(format!("e_{j}")),
        );
    }
    // Every figure is a count: the people are grouped once (by wave and whether it is
    // suppressed), and each wave's row and the workload's overall row (its waves that
    // are not suppressed) are sums of those few rows.
    let names: Vec<String> = ["n".to_string(), "enrolled".to_string()]
        .into_iter()
        .chain((0..measures.len()).flat_map(|j| [format!("n_{j}"), format!("e_{j}")]))
        .collect();
    let by_wave = persons
        .frame
        .clone()
        .lazy()
        .group_by([col(WORKLOAD), col(WAVE), col(SUPPRESSED)])
        .agg(aggs);
    let overall = by_wave
        .clone()
        .filter(col(SUPPRESSED).not())
        .with_column(lit(ALL).alias(WAVE));
    let df = concat([by_wave, overall], UnionArgs::default())
        .map_err(err)?
        .group_by([col(WORKLOAD), col(WAVE)])
        .agg(
            names
                .iter()
                .map(|c| col(c.as_str()).sum())
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(err)?;
    let workloads = df.column(WORKLOAD).and_then(|c| c.str()).map_err(err)?;
    let waves = df.column(WAVE).and_then(|c| c.str()).map_err(err)?;
    let get = |name: &str, i: usize| -> Result<i64, Error> {
        Ok(df
            .column(name)
            .and_then(|c| c.i64())
            .map_err(err)?
            .get(i)
            .unwrap_or(0))
    };
    let suppressed = persons.suppressed_waves();
    let min = i64::from(cfg.thresholds.min_group_size);
    let mut out = Vec::new();
    for (w, workload) in cfg.workloads.iter().enumerate() {
        let mut rows = Vec::new();
        let order = cfg.waves_of(w).map(|(_, x)| x.name.as_str()).chain([ALL]);
        for wave in order {
            let row = (0..df.height()).find(|&i| {
                waves.get(i) == Some(wave) && workloads.get(i) == Some(workload.name.as_str())
            });
            for (j, m) in measures.iter().enumerate() {
                let factor = m.factor;
                let mut lift = match row.filter(|_| !suppressed.contains(wave)) {
                    None => LiftRow::empty(wave, factor, LiftNote::WaveSuppressed),
                    Some(i) => {
                        let (n, enrolled) = (get("n", i)?, get("enrolled", i)?);
                        let (n_with, e_with) =
                            (get(&format!("n_{j}"), i)?, get(&format!("e_{j}"), i)?);
                        let (n_without, e_without) = (n - n_with, enrolled - e_with);
                        let narrow = |k: i64| k > 0 && k < min;
                        if narrow(n_with) || narrow(n_without) {
                            LiftRow::sides(wave, factor, n_with, n_without)
                        } else {
                            LiftRow::full(wave, factor, n_with, e_with, n_without, e_without)
                        }
                    }
                };
                lift.label = m.label.clone();
                rows.push(lift);
            }
        }
        hide_what_waves_hide(&mut rows);
        for mut row in rows {
            row.workload = workload.name.clone();
            out.push(row);
        }
    }
    Ok(out)
}

/// The factors whose lift is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// Opened (or clicked) a rollout email.
    OpenedEmail,
    /// Trained (attended minutes over the threshold).
    Trained,
    /// Reached by a channel beyond email; always narrowed to one, `channel:<name>`.
    Channel,
}

impl Factor {
    /// The factor as the table writes it.
    pub fn name(self) -> &'static str {
        match self {
            Factor::OpenedEmail => "opened_email",
            Factor::Trained => "trained",
            Factor::Channel => "channel",
        }
    }
}

/// A factor as the tables write it: `trained`, or narrowed to a method or channel,
/// `trained:<method>`, `channel:<name>`.
pub fn factor_name(factor: Factor, label: Option<&str>) -> std::borrow::Cow<'static, str> {
    match label {
        None => factor.name().into(),
        Some(l) => format!("{}:{l}", factor.name()).into(),
    }
}

/// Why a `lift` row's rates are empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiftNote {
    /// The wave is suppressed.
    WaveSuppressed,
    /// A side has 1 to min_group_size − 1 people.
    SideTooSmall,
    /// A wave's side has 1 to min_group_size − 1 people: the overall row would give
    /// that side's enrolled count away by subtraction.
    WaveSideTooSmall,
}

impl LiftNote {
    /// The note as the table writes it.
    pub fn text(self) -> &'static str {
        match self {
            LiftNote::WaveSuppressed => {
                "wave suppressed: fewer eligible people than min_group_size"
            }
            LiftNote::SideTooSmall => {
                "a side has fewer people than min_group_size: rates not shown"
            }
            LiftNote::WaveSideTooSmall => {
                "a wave's side has fewer people than min_group_size: rates not shown, as they would reveal it"
            }
        }
    }
}

/// One side of a comparison: people with (or without) the factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    /// People.
    pub n: Option<i64>,
    /// Of them, enrolled.
    pub enrolled: Option<i64>,
    /// enrolled / n.
    pub rate: Option<f64>,
    /// Wilson 95 % interval of `rate`.
    pub interval: Option<(f64, f64)>,
}

/// One row of `lift`.
#[derive(Debug, Clone, PartialEq)]
pub struct LiftRow {
    /// The workload.
    pub workload: String,
    /// Wave name, or `(all)`.
    pub wave: String,
    /// The factor.
    pub factor: Factor,
    /// The training method (or channel) the factor is narrowed to: written
    /// `trained:<method>`.
    pub label: Option<String>,
    /// People with the factor.
    pub with: Side,
    /// People without it.
    pub without: Side,
    /// rate with − rate without.
    pub difference: Option<f64>,
    /// Two-sided p-value of the pooled two-proportion z-test.
    pub p_value: Option<f64>,
    /// Why rates are empty, if they are.
    pub note: Option<LiftNote>,
}

impl Table for LiftRow {
    const NAME: &'static str = "lift";

    fn columns() -> Vec<Col<Self>> {
        use Kind::{Count, Number, Points, Rate};
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("factor", |r| Value::Text(Some(r.factor_name()))),
            Col::of("n_with", Count, |r| Value::Int(r.with.n)),
            Col::of("enrolled_with", Count, |r| Value::Int(r.with.enrolled)),
            Col::of("rate_with", Rate, |r| Value::Float(r.with.rate)),
            Col::of("rate_with_low", Rate, |r| {
                Value::Float(r.with.interval.map(|i| i.0))
            }),
            Col::of("rate_with_high", Rate, |r| {
                Value::Float(r.with.interval.map(|i| i.1))
            }),
            Col::of("n_without", Count, |r| Value::Int(r.without.n)),
            Col::of("enrolled_without", Count, |r| {
                Value::Int(r.without.enrolled)
            }),
            Col::of("rate_without", Rate, |r| Value::Float(r.without.rate)),
            Col::of("rate_without_low", Rate, |r| {
                Value::Float(r.without.interval.map(|i| i.0))
            }),
            Col::of("rate_without_high", Rate, |r| {
                Value::Float(r.without.interval.map(|i| i.1))
            }),
            Col::of("difference", Points, |r| Value::Float(r.difference)),
            Col::of("p_value", Number, |r| Value::Float(r.p_value)),
            Col::text("note", |r| Value::opt_str(r.note.map(LiftNote::text))),
        ]
    }
}

impl LiftRow {
    /// The factor as the table writes it: `trained`, or `trained:<method>`.
    pub fn factor_name(&self) -> std::borrow::Cow<'static, str> {
        factor_name(self.factor, self.label.as_deref())
    }

    fn empty(wave: &str, factor: Factor, note: LiftNote) -> Self {
        let nobody = Side {
            n: None,
            enrolled: None,
            rate: None,
            interval: None,
        };
        LiftRow {
            workload: String::new(),
            wave: wave.to_string(),
            factor,
            label: None,
            with: nobody,
            without: nobody,
            difference: None,
            p_value: None,
            note: Some(note),
        }
    }

    fn sides(wave: &str, factor: Factor, n_with: i64, n_without: i64) -> Self {
        let mut row = LiftRow::empty(wave, factor, LiftNote::SideTooSmall);
        row.with.n = Some(n_with);
        row.without.n = Some(n_without);
        row
    }

    fn full(
        wave: &str,
        factor: Factor,
        n_with: i64,
        e_with: i64,
        n_without: i64,
        e_without: i64,
    ) -> Self {
        let side = |e: i64, n: i64| Side {
            n: Some(n),
            enrolled: Some(e),
            rate: stats::rate(e, n),
            interval: stats::wilson(e, n),
        };
        let (with, without) = (side(e_with, n_with), side(e_without, n_without));
        LiftRow {
            workload: String::new(),
            wave: wave.to_string(),
            factor,
            label: None,
            difference: with.rate.zip(without.rate).map(|(a, b)| a - b),
            p_value: stats::two_proportion_p(e_with, n_with, e_without, n_without),
            with,
            without,
            note: None,
        }
    }
}

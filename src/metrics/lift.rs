//! `lift` (SPEC §4): per wave and overall, how enrollment differs between people
//! who opened an email and who did not, and who trained and who did not — with Wilson
//! intervals, the difference and the two-proportion z-test p-value.
//!
//! Observational: people who open emails or train may be keener to begin with. A side
//! with fewer than `min_group_size` people (but not none) has its enrolled counts and
//! rates left empty on both sides, since either would narrow to those few people.

use polars::prelude::*;

use super::frames::col_names::*;
use super::people::{with_levels, Persons};
use super::stats;
use crate::config::Config;
use crate::error::Error;
use crate::schema::ALL;

/// The factors whose lift is measured: (name in the table, persons column).
const FACTORS: [(&str, &str); 2] = [("opened_email", "opener"), ("trained", "trained")];

/// Builds `lift`.
pub fn lift_frame(cfg: &Config, persons: &Persons) -> Result<DataFrame, Error> {
    let err = |e| Error::compute("lift", e);
    let mut aggs = vec![
        len().cast(DataType::Int64).alias("n"),
        col("enrolled")
            .cast(DataType::Int64)
            .sum()
            .alias("enrolled"),
    ];
    for (name, column) in FACTORS {
        aggs.push(
            col(column)
                .cast(DataType::Int64)
                .sum()
                .alias(format!("n_{name}")),
        );
        aggs.push(
            col(column)
                .and(col("enrolled"))
                .cast(DataType::Int64)
                .sum()
                .alias(format!("e_{name}")),
        );
    }
    let df = with_levels(persons.frame.clone().lazy(), true)?
        .filter(col("key_group").eq(lit(ALL)))
        .group_by([col(WAVE)])
        .agg(aggs)
        .collect()
        .map_err(err)?;
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
    let mut out = LiftColumns::default();
    let order = cfg.waves.iter().map(|w| w.name.as_str()).chain([ALL]);
    for wave in order {
        let row = (0..df.height()).find(|&i| waves.get(i) == Some(wave));
        for (name, _) in FACTORS {
            out.wave.push(wave.to_string());
            out.factor.push(name);
            let Some(i) = row.filter(|_| !suppressed.contains(wave)) else {
                out.push_empty("wave suppressed: fewer eligible people than min_group_size");
                continue;
            };
            let (n, enrolled) = (get("n", i)?, get("enrolled", i)?);
            let (n_with, e_with) = (get(&format!("n_{name}"), i)?, get(&format!("e_{name}"), i)?);
            let (n_without, e_without) = (n - n_with, enrolled - e_with);
            let narrow = |k: i64| k > 0 && k < min;
            if narrow(n_with) || narrow(n_without) {
                out.push_sides(n_with, n_without);
                continue;
            }
            out.push_full(n_with, e_with, n_without, e_without);
        }
    }
    out.into_frame().map_err(err)
}

#[derive(Default)]
struct LiftColumns {
    wave: Vec<String>,
    factor: Vec<&'static str>,
    n_with: Vec<Option<i64>>,
    enrolled_with: Vec<Option<i64>>,
    rate_with: Vec<Option<f64>>,
    rate_with_low: Vec<Option<f64>>,
    rate_with_high: Vec<Option<f64>>,
    n_without: Vec<Option<i64>>,
    enrolled_without: Vec<Option<i64>>,
    rate_without: Vec<Option<f64>>,
    rate_without_low: Vec<Option<f64>>,
    rate_without_high: Vec<Option<f64>>,
    difference: Vec<Option<f64>>,
    p_value: Vec<Option<f64>>,
    note: Vec<Option<String>>,
}

impl LiftColumns {
    fn push_empty(&mut self, note: &str) {
        self.n_with.push(None);
        self.n_without.push(None);
        self.push_no_rates(note);
    }

    fn push_sides(&mut self, n_with: i64, n_without: i64) {
        self.n_with.push(Some(n_with));
        self.n_without.push(Some(n_without));
        self.push_no_rates("a side has fewer people than min_group_size: rates not shown");
    }

    fn push_no_rates(&mut self, note: &str) {
        for v in [&mut self.enrolled_with, &mut self.enrolled_without] {
            v.push(None);
        }
        for v in [
            &mut self.rate_with,
            &mut self.rate_with_low,
            &mut self.rate_with_high,
            &mut self.rate_without,
            &mut self.rate_without_low,
            &mut self.rate_without_high,
            &mut self.difference,
            &mut self.p_value,
        ] {
            v.push(None);
        }
        self.note.push(Some(note.to_string()));
    }

    fn push_full(&mut self, n_with: i64, e_with: i64, n_without: i64, e_without: i64) {
        let (r1, r0) = (
            stats::rate(e_with, n_with),
            stats::rate(e_without, n_without),
        );
        let (i1, i0) = (
            stats::wilson(e_with, n_with),
            stats::wilson(e_without, n_without),
        );
        self.n_with.push(Some(n_with));
        self.enrolled_with.push(Some(e_with));
        self.rate_with.push(r1);
        self.rate_with_low.push(i1.map(|i| i.0));
        self.rate_with_high.push(i1.map(|i| i.1));
        self.n_without.push(Some(n_without));
        self.enrolled_without.push(Some(e_without));
        self.rate_without.push(r0);
        self.rate_without_low.push(i0.map(|i| i.0));
        self.rate_without_high.push(i0.map(|i| i.1));
        self.difference.push(r1.zip(r0).map(|(a, b)| a - b));
        self.p_value.push(stats::two_proportion_p(
            e_with, n_with, e_without, n_without,
        ));
        self.note.push(None);
    }

    fn into_frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("wave".into(), self.wave),
            Column::new("factor".into(), self.factor),
            Column::new("n_with".into(), self.n_with),
            Column::new("enrolled_with".into(), self.enrolled_with),
            Column::new("rate_with".into(), self.rate_with),
            Column::new("rate_with_low".into(), self.rate_with_low),
            Column::new("rate_with_high".into(), self.rate_with_high),
            Column::new("n_without".into(), self.n_without),
            Column::new("enrolled_without".into(), self.enrolled_without),
            Column::new("rate_without".into(), self.rate_without),
            Column::new("rate_without_low".into(), self.rate_without_low),
            Column::new("rate_without_high".into(), self.rate_without_high),
            Column::new("difference".into(), self.difference),
            Column::new("p_value".into(), self.p_value),
            Column::new("note".into(), self.note),
        ])
    }
}

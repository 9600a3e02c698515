//! `ticket_categories`: per wave (and overall) and category, the tickets of
//! eligible people opened by D, their share of the wave's tickets, and the median
//! hours to resolve those resolved by D. Suppressed waves are left out; categories with
//! fewer than `min_group_size` tickets are folded into `(other categories)`
//! (docs/metrics.md, "ticket_categories"; docs/privacy.md).

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::frames::{
    col_names::{WAVE, WORKLOAD},
    Frames,
};
use super::people::{tickets_by_d, with_levels, Cutoffs, Persons, LABEL, SUPPRESSED};
use super::table::{Col, Kind, Table, Value};
use crate::config::Config;
use crate::error::Error;
use crate::privacy::{fold, FoldNames, WaveFold};
use crate::schema::ALL;

/// One row of `ticket_categories`.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
    /// The workload.
    pub workload: String,
    /// Wave name, or `(all)`.
    pub wave: String,
    /// Ticket category.
    pub category: String,
    /// Tickets of the wave's eligible people opened by D.
    pub tickets: i64,
    /// Share of the wave's tickets.
    pub share: Option<f64>,
    /// Median hours to resolve, over those resolved by D.
    pub median_resolution_hours: Option<f64>,
}

impl Table for CategoryRow {
    const NAME: &'static str = "ticket_categories";

    fn columns() -> Vec<Col<Self>> {
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("category", |r| Value::str(&r.category)),
            Col::of("tickets", Kind::Count, |r| Value::Int(Some(r.tickets))),
            Col::of("share", Kind::Rate, |r| Value::Float(r.share)),
            Col::of("median_resolution_hours", Kind::Number, |r| {
                Value::Float(r.median_resolution_hours)
            }),
        ]
    }
}

/// The label each category is shown under, per wave and for `(all)`: categories with
/// fewer than `min_group_size` tickets in a wave are folded into `(other categories)`
/// (merged into the smallest remaining category when the fold is still too small); at
/// the `(all)` level, a category is folded too when its `(all)` row minus the waves'
/// rows would give a hidden count away (docs/privacy.md, "Small counts").
fn category_labels(cfg: &Config, levels: LazyFrame) -> Result<DataFrame, Error> {
    let err = |e| Error::compute("ticket_categories", e);
    let counts = levels
        .group_by([col(WAVE), col("category")])
        .agg([len().cast(DataType::Int64).alias("n")])
        .collect()
        .map_err(err)?;
    let waves = counts.column(WAVE).and_then(|c| c.str()).map_err(err)?;
    let categories = counts
        .column("category")
        .and_then(|c| c.str())
        .map_err(err)?;
    let ns = counts.column("n").and_then(|c| c.i64()).map_err(err)?;
    let mut sizes: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for i in 0..counts.height() {
        if let (Some(w), Some(c), Some(n)) = (waves.get(i), categories.get(i), ns.get(i)) {
            sizes
                .entry(w.to_string())
                .or_default()
                .insert(c.to_string(), n);
        }
    }
    let min = i64::from(cfg.thresholds.min_group_size);
    let none = BTreeSet::new();
    let mut folds: BTreeMap<String, WaveFold> = sizes
        .iter()
        .filter(|(w, _)| *w != ALL)
        .map(|(w, s)| (w.clone(), fold(s, min, FoldNames::CATEGORIES, &none)))
        .collect();
    // Over all waves a category stands alone unless (a) it hosts a merged fold in some
    // wave (its count there would give the fold's away), or (b) the tickets it has in
    // the waves that fold it sum to 1..min − 1 (the `(all)` row minus the waves that
    // show it would give that sum away).
    let mut hidden: BTreeMap<&str, i64> = BTreeMap::new();
    let mut forced: BTreeSet<String> = BTreeSet::new();
    for (wave, f) in &folds {
        for (category, label) in &f.labels {
            if label == category {
                continue;
            }
            if *label == format!("{category} {}", FoldNames::CATEGORIES.merged) {
                forced.insert(category.clone());
            } else {
                *hidden.entry(category).or_insert(0) += sizes[wave][category];
            }
        }
    }
    forced.extend(
        hidden
            .into_iter()
            .filter(|&(_, n)| n > 0 && n < min)
            .map(|(c, _)| c.to_string()),
    );
    if let Some(all) = sizes.get(ALL) {
        folds.insert(
            ALL.to_string(),
            fold(all, min, FoldNames::CATEGORIES, &forced),
        );
    }
    let (mut w, mut c, mut l) = (Vec::new(), Vec::new(), Vec::new());
    for (wave, f) in &folds {
        for (category, label) in &f.labels {
            w.push(wave.clone());
            c.push(category.clone());
            l.push(label.clone());
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new(WAVE.into(), w),
        Column::new("category".into(), c),
        Column::new("category_label".into(), l),
    ])
    .map_err(err)
}

/// Builds `ticket_categories`: per workload, its waves in config order then `(all)`;
/// within a wave, most tickets first, then by category; small categories folded (see
/// [`category_labels`]).
pub fn category_rows(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<Vec<CategoryRow>, Error> {
    let mut out = Vec::new();
    for (w, workload) in cfg.workloads.iter().enumerate() {
        out.extend(
            workload_categories(f, cfg, cut, persons, w)?
                .into_iter()
                .map(|mut r| {
                    r.workload = workload.name.clone();
                    r
                }),
        );
    }
    Ok(out)
}

/// The rows of one workload.
fn workload_categories(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
    w: usize,
) -> Result<Vec<CategoryRow>, Error> {
    let err = |e| Error::compute("ticket_categories", e);
    let tickets = tickets_by_d(f, cut, persons).filter(
        col(SUPPRESSED)
            .not()
            .and(col(WORKLOAD).eq(lit(cfg.workloads[w].name.as_str()))),
    );
    let wave_order: Vec<String> = cfg
        .waves_of(w)
        .map(|(_, x)| x.name.clone())
        .chain([ALL.to_string()])
        .collect();
    let order_df = DataFrame::new_infer_height(vec![
        Column::new(WAVE.into(), wave_order.clone()),
        Column::new(
            "wave_order".into(),
            (0..wave_order.len() as i64).collect::<Vec<_>>(),
        ),
    ])
    .map_err(err)?;
    // Every ticket twice: under its wave, and under `(all)`.
    let levels = with_levels(tickets, LABEL, true)?.filter(col("key_group").eq(lit(ALL)));
    let labels = category_labels(cfg, levels.clone())?;
    let df = levels
        .join(
            labels.lazy(),
            [col(WAVE), col("category")],
            [col(WAVE), col("category")],
            JoinArgs::new(JoinType::Inner),
        )
        .drop(Selector::ByName {
            names: ["category".into()].into(),
            strict: true,
        })
        .rename(["category_label"], ["category"], true)
        .group_by([col(WAVE), col("category")])
        .agg([
            len().cast(DataType::Int64).alias("tickets"),
            col("hours")
                .filter(col("resolved_at").lt(lit(cut.d)))
                .median()
                .alias("median_resolution_hours"),
        ])
        .with_column(
            (col("tickets").cast(DataType::Float64)
                / col("tickets")
                    .sum()
                    .over([col(WAVE)])
                    .map_err(err)?
                    .cast(DataType::Float64))
            .alias("share"),
        )
        .join(
            order_df.lazy(),
            [col(WAVE)],
            [col(WAVE)],
            JoinArgs::new(JoinType::Left),
        )
        .sort_by_exprs(
            [col("wave_order"), col("tickets"), col("category")],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, true, false])
                .with_maintain_order(true),
        )
        .select([
            col(WAVE),
            col("category"),
            col("tickets"),
            col("share"),
            col("median_resolution_hours"),
        ])
        .collect()
        .map_err(err)?;
    let text = |name: &str| df.column(name).and_then(|c| c.str()).map_err(err);
    let (waves, categories) = (text(WAVE)?, text("category")?);
    let tickets = df.column("tickets").and_then(|c| c.i64()).map_err(err)?;
    let number = |name: &str| df.column(name).and_then(|c| c.f64()).map_err(err);
    let (share, hours) = (number("share")?, number("median_resolution_hours")?);
    Ok((0..df.height())
        .map(|i| CategoryRow {
            workload: String::new(),
            wave: waves.get(i).unwrap_or_default().to_string(),
            category: categories.get(i).unwrap_or_default().to_string(),
            tickets: tickets.get(i).unwrap_or(0),
            share: share.get(i),
            median_resolution_hours: hours.get(i),
        })
        .collect())
}

//! `ticket_categories`: per wave (and overall) and category, the tickets of
//! eligible people opened by D, their share of the wave's tickets, and the median
//! hours to resolve those resolved by D. Suppressed waves are left out.

use polars::prelude::*;

use super::frames::{col_names::WAVE, Frames};
use super::people::{tickets_by_d, with_levels, Cutoffs, Persons, SUPPRESSED};
use super::table::{Col, Kind, Table, Value};
use crate::config::Config;
use crate::error::Error;
use crate::schema::ALL;

/// One row of `ticket_categories`.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
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

/// Builds `ticket_categories`: waves in config order then `(all)`; within a wave,
/// most tickets first, then by category.
pub fn category_rows(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<Vec<CategoryRow>, Error> {
    let err = |e| Error::compute("ticket_categories", e);
    let tickets = tickets_by_d(f, cut, persons).filter(col(SUPPRESSED).not());
    let wave_order: Vec<String> = cfg
        .waves
        .iter()
        .map(|w| w.name.clone())
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
    let df = with_levels(tickets, true)?
        .filter(col("key_group").eq(lit(ALL)))
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
            wave: waves.get(i).unwrap_or_default().to_string(),
            category: categories.get(i).unwrap_or_default().to_string(),
            tickets: tickets.get(i).unwrap_or(0),
            share: share.get(i),
            median_resolution_hours: hours.get(i),
        })
        .collect())
}

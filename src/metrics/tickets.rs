//! `ticket_categories` (SPEC §4): per wave (and overall) and category, the tickets of
//! eligible people opened by D, their share of the wave's tickets, and the median
//! hours to resolve those resolved by D. Suppressed waves are left out.

use polars::prelude::*;

use super::frames::{col_names::WAVE, Frames};
use super::people::{tickets_by_d, with_levels, Cutoffs, Persons, SUPPRESSED};
use crate::config::Config;
use crate::error::Error;
use crate::schema::ALL;

/// Builds `ticket_categories`: waves in config order then `(all)`; within a wave,
/// most tickets first, then by category.
pub fn categories_frame(
    f: &Frames,
    cfg: &Config,
    cut: &Cutoffs,
    persons: &Persons,
) -> Result<DataFrame, Error> {
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
    with_levels(tickets, true)?
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
        .map_err(err)
}

//! `data_quality` (SPEC §4): one row per source with the row accounting of the
//! quality stage, and on the roster row the people left out of the metrics: those with
//! no wave (`unassigned`), the leavers by D (`left`), and those of suppressed waves
//! (`suppressed`). `matched_by_name` counts event rows whose person was found by
//! display name.

use chrono::NaiveDate;
use polars::prelude::*;

use super::people::Persons;
use crate::error::Error;
use crate::quality::Dataset;
use crate::schema::Source;

/// Builds `data_quality`.
pub fn quality_frame(
    data: &Dataset,
    as_of: NaiveDate,
    persons: &Persons,
) -> Result<DataFrame, Error> {
    let err = |e| Error::compute("data_quality", e);
    let roster = &data.roster;
    let unassigned = roster.wave.iter().filter(|w| w.is_none()).count() as i64;
    let left = roster
        .left_on
        .iter()
        .filter(|d| d.is_some_and(|d| d <= as_of))
        .count() as i64;
    let suppressed = persons
        .frame
        .column(super::people::SUPPRESSED)
        .and_then(|c| c.bool())
        .map_err(err)?
        .sum()
        .unwrap_or(0) as i64;
    let counts: Vec<_> = Source::ALL.iter().map(|s| (*s, &data.counts[s])).collect();
    let n = |f: &dyn Fn(&crate::quality::SourceCounts) -> u64| -> Vec<i64> {
        counts.iter().map(|(_, c)| f(c) as i64).collect()
    };
    let roster_only = |v: i64| -> Vec<Option<i64>> {
        counts
            .iter()
            .map(|(s, _)| (*s == Source::Roster).then_some(v))
            .collect()
    };
    DataFrame::new_infer_height(vec![
        Column::new(
            "source".into(),
            counts.iter().map(|(s, _)| s.name()).collect::<Vec<_>>(),
        ),
        Column::new("rows_read".into(), n(&|c| c.rows_read)),
        Column::new("rows_accepted".into(), n(&|c| c.rows_accepted)),
        Column::new("rows_quarantined".into(), n(&|c| c.rows_quarantined)),
        Column::new("unmatched_users".into(), n(&|c| c.unmatched_users)),
        Column::new("duplicates_removed".into(), n(&|c| c.duplicates_removed)),
        Column::new("unassigned".into(), roster_only(unassigned)),
        Column::new("left".into(), roster_only(left)),
        Column::new("suppressed".into(), roster_only(suppressed)),
        Column::new("matched_by_name".into(), n(&|c| c.matched_by_name)),
    ])
    .map_err(err)
}

//! `data_quality`: one row per source with the row accounting of the
//! quality stage, and on the roster row the people left out of the metrics: those with
//! no wave (`unassigned`), the leavers by D (`left`), and those of suppressed waves
//! (`suppressed`). `matched_by_name` counts event rows whose person was found by
//! display name.

use chrono::NaiveDate;

use super::people::Persons;
use super::table::{Col, Kind, Table, Value};
use crate::dataset::Dataset;
use crate::error::Error;
use crate::schema::Source;

/// One row of `data_quality`: a source's row accounting; on the roster row, the people
/// left out of the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityRow {
    /// The source.
    pub source: Source,
    /// Data rows read, header excluded.
    pub rows_read: i64,
    /// Rows accepted.
    pub rows_accepted: i64,
    /// Rows quarantined.
    pub rows_quarantined: i64,
    /// Distinct ids not on the roster.
    pub unmatched_users: i64,
    /// Accepted rows that repeat an earlier one.
    pub duplicates_removed: i64,
    /// Roster: people with no wave.
    pub unassigned: Option<i64>,
    /// Roster: leavers by D.
    pub left: Option<i64>,
    /// Roster: eligible people of suppressed waves.
    pub suppressed: Option<i64>,
    /// Accepted rows whose person was found by display name.
    pub matched_by_name: i64,
    /// Roster: people whose group (or cut value) was written otherwise than it is
    /// shown (case, spacing, Unicode form) and merged with it.
    pub labels_merged: Option<i64>,
    /// Snapshot sources: the snapshot files used.
    pub snapshots: Option<i64>,
    /// Snapshot sources: the day of the first.
    pub first_snapshot: Option<NaiveDate>,
    /// Snapshot sources: the day of the last.
    pub last_snapshot: Option<NaiveDate>,
}

impl Table for QualityRow {
    const NAME: &'static str = "data_quality";

    fn columns() -> Vec<Col<Self>> {
        use Kind::Count;
        vec![
            // Sources are read once for every workload: their rows say `(all)`.
            Col::text("workload", |_| Value::str(crate::schema::ALL)),
            Col::text("source", |r| Value::str(r.source.name())),
            Col::of("rows_read", Count, |r| Value::Int(Some(r.rows_read))),
            Col::of("rows_accepted", Count, |r| {
                Value::Int(Some(r.rows_accepted))
            }),
            Col::of("rows_quarantined", Count, |r| {
                Value::Int(Some(r.rows_quarantined))
            }),
            Col::of("unmatched_users", Count, |r| {
                Value::Int(Some(r.unmatched_users))
            }),
            Col::of("duplicates_removed", Count, |r| {
                Value::Int(Some(r.duplicates_removed))
            }),
            Col::of("unassigned", Count, |r| Value::Int(r.unassigned)),
            Col::of("left", Count, |r| Value::Int(r.left)),
            Col::of("suppressed", Count, |r| Value::Int(r.suppressed)),
            Col::of("matched_by_name", Count, |r| {
                Value::Int(Some(r.matched_by_name))
            }),
            Col::of("labels_merged", Count, |r| Value::Int(r.labels_merged)),
            Col::of("snapshots", Count, |r| Value::Int(r.snapshots)),
            Col::of("first_snapshot", Kind::Date, |r| {
                Value::Date(r.first_snapshot)
            }),
            Col::of("last_snapshot", Kind::Date, |r| {
                Value::Date(r.last_snapshot)
            }),
        ]
    }
}

/// Builds `data_quality`: one row per source, in the order sources are read.
pub fn quality_rows(
    data: &Dataset,
    as_of: NaiveDate,
    persons: &Persons,
) -> Result<Vec<QualityRow>, Error> {
    let err = |e| Error::compute("data_quality", e);
    let roster = &data.roster;
    // People with no wave in any workload: left out of every wave figure.
    let unassigned = (0..roster.len())
        .filter(|&p| roster.waves.iter().all(|w| w[p].is_none()))
        .count() as i64;
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
    Ok(data
        .accounted_sources()
        .map(|source| {
            let c = &data.counts[&source];
            let roster_only = |v: i64| (source == Source::Roster).then_some(v);
            QualityRow {
                source,
                rows_read: c.rows_read as i64,
                rows_accepted: c.rows_accepted as i64,
                rows_quarantined: c.rows_quarantined as i64,
                unmatched_users: c.unmatched_users as i64,
                duplicates_removed: c.duplicates_removed as i64,
                unassigned: roster_only(unassigned),
                left: roster_only(left),
                suppressed: roster_only(suppressed),
                matched_by_name: c.matched_by_name as i64,
                labels_merged: roster_only(data.labels_merged as i64),
                snapshots: data.snapshots.get(&source).map(|s| s.files as i64),
                first_snapshot: data.snapshots.get(&source).map(|s| s.first),
                last_snapshot: data.snapshots.get(&source).map(|s| s.last),
            }
        })
        .collect())
}

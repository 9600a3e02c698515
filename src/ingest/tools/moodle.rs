//! Moodle course completions, as the site-wide Course completion report
//! (`report_coursecompletion`, Site administration > Reports > Course completion >
//! **Export csv**) writes them: one row per learner and course.
//!
//! Headers `Fullname, Email, Course, Time started, Time completed, Complete`. The
//! person is `Email`, the course `Course`, `completed_at` the `Time completed`, which
//! Moodle writes in the site's long form (`Thursday, 19 November 2026, 10:21 AM`, in
//! the site's zone: read in the rollout's), `-` when there is none. A row whose
//! `Complete` is `No` (or with no completion time) is quarantined: the learner
//! started the course but has not finished it.

use chrono::NaiveDateTime;

use crate::error::Error;
use crate::ingest::table::{
    column_cells, find_header, lines, map_rows, parse_table, Adapted, Ctx, Out,
};
use crate::schema::{COMPLETED_AT, COURSE, USER_ID};

/// The report's headers for each canonical column.
pub const ALIASES: &[(&str, &[&str])] = &[
    (USER_ID, &["Email"]),
    (COURSE, &["Course"]),
    (COMPLETED_AT, &["Time completed"]),
];

/// Headers that tell the report (for `auto`), squashed: all of them.
pub const SIGNATURE: &[&str] = &["fullname", "email", "course", "timecompleted", "complete"];

/// Reads one exported report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let (first, offset) = lines(text)
        .find(|(_, _, l)| !l.trim().is_empty())
        .map_or((1, 0), |(n, o, _)| (n, o));
    let table = parse_table(&text[offset..], first);
    let map = ctx.map_table(&table, ALIASES, &[])?;
    let c_done = ctx.ix(COMPLETED_AT).and_then(|i| map[i]);
    let c_complete = find_header(&table.headers, "Complete");
    // The long form is read here; any other shape (a re-saved sheet's `11/19/2026`)
    // goes through the usual date reading.
    let other: Vec<String> = column_cells(&table, c_done)
        .into_iter()
        .filter(|c| long_form(c).is_none())
        .collect();
    let dates = ctx.dates(other.iter().map(String::as_str), false)?;
    let mut rows = map_rows(ctx, &table, &map, &[COMPLETED_AT], &dates);
    let i_done = ctx.ix(COMPLETED_AT);
    for (out, row) in rows.iter_mut().zip(&table.rows) {
        let Out::Row { fields, .. } = out else {
            continue;
        };
        let done = row.get(c_done);
        let complete = row.get(c_complete);
        let reason = if complete.eq_ignore_ascii_case("no") {
            Some("not a completion: `Complete` is `No` (started, not finished)".to_string())
        } else if done.is_empty() || done == "-" {
            Some("not a completion: no `Time completed`".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            super::quarantine(out, reason);
        } else if let (Some(i), Some(t)) = (i_done, long_form(&done)) {
            fields[i] = t.format("%Y-%m-%dT%H:%M:%S").to_string();
        }
    }
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

/// Moodle's long form in English (`Thursday, 19 November 2026, 10:21 AM`, the
/// weekday optional, day and hour with or without a leading zero).
fn long_form(cell: &str) -> Option<NaiveDateTime> {
    let s = cell.trim();
    let body = match s.split_once(", ") {
        Some((day, rest)) if day.chars().all(char::is_alphabetic) => rest,
        _ => s,
    };
    NaiveDateTime::parse_from_str(body, "%d %B %Y, %I:%M %p").ok()
}

#[cfg(test)]
mod tests {
    use super::long_form;

    #[test]
    fn reads_moodles_long_form() {
        let at = |s: &str| long_form(s).map(|t| t.format("%Y-%m-%dT%H:%M").to_string());
        assert_eq!(
            at("Thursday, 19 November 2026, 10:21 AM").as_deref(),
            Some("2026-11-19T10:21")
        );
        assert_eq!(
            at("Monday, 2 November 2026, 3:05 PM").as_deref(),
            Some("2026-11-02T15:05")
        );
        assert_eq!(
            at("19 November 2026, 12:00 AM").as_deref(),
            Some("2026-11-19T00:00")
        );
        assert_eq!(at("-"), None);
        assert_eq!(at("2026-11-19 10:21"), None);
    }
}

//! Cornerstone OnDemand transcript reports (Reporting > a custom transcript report >
//! Export to CSV) as completions: one row per learner and training.
//!
//! Headers are the report's field labels, either plain (`User ID, User Full Name,
//! Training Title, Training Type, Transcript Status, Transcript Completed Date`) or,
//! from the reporting API and newer report builders, with their object's name in
//! front (`User - Email, Training - Training Title, Transcript - Transcript Status,
//! Transcript - Transcript Completed Date`). The person is the user's email, else
//! their user id; the course the training title; `completed_at` the transcript's
//! completed date, in the portal's local time (read in the rollout's zone).
//!
//! A transcript row is a completion only when its status is a completed one
//! (`Completed`, `Completed (Equivalency)`, ...): the others (`In Progress`,
//! `Registered`, `Withdrawn`, ...) are quarantined with their status. So are
//! instructor-led sessions and events (`Training Type` `Session` or `Event`), which
//! are attendance, not self-paced learning: read them as training.

use crate::error::Error;
use crate::ingest::table::{find_header, read_simple, Adapted, Ctx, Out, Simple};
use crate::schema::{COMPLETED_AT, COURSE, USER_ID};

/// The report's headers for each canonical column, most specific first.
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        USER_ID,
        &[
            "User - Email",
            "User Email",
            "Email",
            "Work Email Address",
            "User - User ID",
            "User ID",
        ],
    ),
    (COURSE, &["Training - Training Title", "Training Title"]),
    (
        COMPLETED_AT,
        &[
            "Transcript - Transcript Completed Date",
            "Transcript Completed Date",
            "Completed Date",
            "Completion Date",
        ],
    ),
];

/// The transcript's status, most specific first.
const STATUS: &[&str] = &["Transcript - Transcript Status", "Transcript Status"];
/// The training's type.
const TYPE: &[&str] = &["Training - Training Type", "Training Type"];
/// Training types that are attended, not learned alone.
const INSTRUCTOR_LED: &[&str] = &["session", "event"];

/// Headers that tell a Cornerstone transcript report (for `auto`), squashed.
pub const SIGNATURE: &[&str] = &[
    "transcriptcompleteddate",
    "transcripttranscriptcompleteddate",
    "transcriptstatus",
    "transcripttranscriptstatus",
];

/// Reads one transcript report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let Simple {
        table, mut rows, ..
    } = read_simple(ctx, text, ALIASES, &[COMPLETED_AT], &[], false)?;
    let first = |names: &[&str]| names.iter().find_map(|n| find_header(&table.headers, n));
    let (status, kind) = (first(STATUS), first(TYPE));
    for (out, row) in rows.iter_mut().zip(&table.rows) {
        let Out::Row { line, raw, .. } = out else {
            continue;
        };
        let state = row.get(status);
        let reason = if status.is_some() && !state.to_lowercase().starts_with("complet") {
            Some(format!(
                "not a completion: the transcript's status is `{state}`"
            ))
        } else if INSTRUCTOR_LED.contains(&row.get(kind).to_lowercase().as_str()) {
            Some(format!(
                "an instructor-led {} (`Training Type`), not self-paced learning: read it as training",
                row.get(kind).to_lowercase()
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            *out = Out::Bad {
                line: *line,
                reason,
                raw: std::mem::take(raw),
            };
        }
    }
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

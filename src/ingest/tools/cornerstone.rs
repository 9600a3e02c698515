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
//! A report run from the portal writes its title and filters on the lines above the
//! header (public code reading these exports skips six of them): the header is the
//! first of the first 40 lines that names a transcript's status, completed date or
//! training title, and line numbers stay the file's. Spanish portals write Spanish
//! labels (`Identificación de usuario`, `Título de la capacitación`, `Estado del
//! expediente`, `Fecha de finalización de expediente`, `Tipo de capacitación`).
//!
//! A transcript row is a completion only when its status is a completed one
//! (`Completed`, `Completed (Equivalency)`, ...): the others (`In Progress`,
//! `Registered`, `Withdrawn`, ...) are quarantined with their status. So are
//! instructor-led sessions and events (`Training Type` `Session` or `Event`), which
//! are attendance, not self-paced learning: read them as training.

use crate::error::Error;
use crate::ingest::table::{
    column_cells, find_header, lines, map_rows, parse_table, squash, Adapted, Ctx, Out,
};
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
            "Identificación de usuario",
        ],
    ),
    (
        COURSE,
        &[
            "Training - Training Title",
            "Training Title",
            "Título de la capacitación",
        ],
    ),
    (
        COMPLETED_AT,
        &[
            "Transcript - Transcript Completed Date",
            "Transcript Completed Date",
            "Completed Date",
            "Completion Date",
            "Fecha de finalización de expediente",
        ],
    ),
];

/// The transcript's status, most specific first.
const STATUS: &[&str] = &[
    "Transcript - Transcript Status",
    "Transcript Status",
    "Estado del expediente",
];
/// The training's type.
const TYPE: &[&str] = &[
    "Training - Training Type",
    "Training Type",
    "Tipo de capacitación",
];
/// Training types that are attended, not learned alone.
const INSTRUCTOR_LED: &[&str] = &["session", "event"];

/// Headers that tell a Cornerstone transcript report (for `auto`), squashed.
pub const SIGNATURE: &[&str] = &[
    "transcriptcompleteddate",
    "transcripttranscriptcompleteddate",
    "transcriptstatus",
    "transcripttranscriptstatus",
    "estadodelexpediente",
    "fechadefinalizacióndeexpediente",
];

/// Squashed headers one of which the header row holds (the report's preamble holds
/// none).
const HEADER_MARKS: &[&str] = &[
    "transcriptcompleteddate",
    "transcripttranscriptcompleteddate",
    "transcriptstatus",
    "transcripttranscriptstatus",
    "trainingtitle",
    "trainingtrainingtitle",
    "estadodelexpediente",
    "títulodelacapacitación",
];

/// Reads one transcript report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    // The header: the first line naming a transcript column, else the first
    // non-blank line (a file that names none is then told what is missing).
    let mut non_blank = lines(text).filter(|(_, _, l)| !l.trim().is_empty());
    let first_line = non_blank.next().map_or((1, 0), |(n, o, _)| (n, o));
    let (first, offset) = lines(text)
        .take(40)
        .find(|(_, _, l)| {
            l.split([',', '\t', ';'])
                .any(|c| HEADER_MARKS.contains(&squash(c).as_str()))
        })
        .map_or(first_line, |(n, o, _)| (n, o));
    let table = parse_table(&text[offset..], first);
    let map = ctx.map_table(&table, ALIASES, &[])?;
    let date_cells: Vec<String> = ctx
        .ix(COMPLETED_AT)
        .map(|i| column_cells(&table, map[i]))
        .unwrap_or_default();
    let dates = ctx.dates(date_cells.iter().map(String::as_str), false)?;
    let mut rows = map_rows(ctx, &table, &map, &[COMPLETED_AT], &dates);
    let first = |names: &[&str]| names.iter().find_map(|n| find_header(&table.headers, n));
    let (status, kind) = (first(STATUS), first(TYPE));
    for (out, row) in rows.iter_mut().zip(&table.rows) {
        if !matches!(out, Out::Row { .. }) {
            continue;
        }
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
            super::quarantine(out, reason);
        }
    }
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

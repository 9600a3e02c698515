//! Zendesk "Reporting > Export" ticket CSV as tickets: `Id`, `Requester email`,
//! `Created at`, `Solved at`, `Status`, `Ticket type`, `Group`, ...
//!
//! Times are the account's local time (read in the rollout's zone unless they carry
//! an offset).

use crate::error::Error;
use crate::schema::{CATEGORY, OPENED_AT, RESOLVED_AT, STATUS, TICKET_ID, USER_ID};

use crate::ingest::table::{read_simple, Adapted, Ctx};

/// Zendesk's headers for each canonical column.
pub const ALIASES: &[(&str, &[&str])] = &[
    (TICKET_ID, &["Id", "Ticket ID", "Ticket Id"]),
    (
        USER_ID,
        &["Requester email", "Requester Email", "Requester"],
    ),
    (
        OPENED_AT,
        &["Created at", "Created", "Ticket created - Timestamp"],
    ),
    (
        RESOLVED_AT,
        &["Solved at", "Solved", "Ticket solved - Timestamp"],
    ),
    (CATEGORY, &["Ticket type", "Type", "Category", "Group"]),
    (STATUS, &["Status", "Ticket status"]),
];

/// Reads one Zendesk ticket export.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let rows = read_simple(ctx, text, ALIASES, &[OPENED_AT, RESOLVED_AT], &[], false)?.rows;
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

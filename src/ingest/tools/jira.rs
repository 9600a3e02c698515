//! Jira Service Management "Export > Export Excel CSV (all fields)" as tickets.
//!
//! The export starts with a UTF-8 BOM, repeats a header once per value
//! (`Labels,Labels,Labels`; `Watchers,...`), writes custom fields as
//! `Custom field (Request Type)` and dates as `09/Oct/25 1:42 PM` in the exporting
//! user's zone (read in the rollout's zone).

use crate::error::Error;
use crate::schema::{CATEGORY, OPENED_AT, RESOLVED_AT, STATUS, TICKET_ID, USER_ID};

use crate::ingest::table::{read_simple, Adapted, Ctx};

/// Jira's headers for each canonical column.
pub const ALIASES: &[(&str, &[&str])] = &[
    (TICKET_ID, &["Issue key", "Key"]),
    (
        USER_ID,
        &[
            "Custom field (Reporter email)",
            "Reporter email",
            "Reporter Email",
            "Reporter",
        ],
    ),
    (OPENED_AT, &["Created"]),
    (RESOLVED_AT, &["Resolved", "Resolution date"]),
    (
        CATEGORY,
        &[
            "Custom field (Request Type)",
            "Custom field (Customer Request Type)",
            "Request Type",
            "Issue Type",
        ],
    ),
    (STATUS, &["Status"]),
];

/// Reads one Jira CSV export.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let rows = read_simple(ctx, text, ALIASES, &[OPENED_AT, RESOLVED_AT], &[], false)?.rows;
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

//! The data model every stage after ingest shares: the clean [`Dataset`] that
//! `quality` hands on (the roster, each source's rows of roster people, the row
//! accounting, the quarantined rows) and that `metrics` and `report` read.
//!
//! People are numbered by their position in the roster (`pid`); instants are
//! milliseconds since the epoch in UTC; every vector of a source is one column, in the
//! order the source's doc gives.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::ingest::InputFile;
use crate::schema::Source;

/// The roster: one entry per person, indexed by person id (`pid`).
#[derive(Debug, Default, Clone)]
pub struct Roster {
    /// Normalised user id (NFKC, invisible characters removed, trimmed, lowercase).
    pub user_id: Vec<String>,
    /// The `group_by` value, as most of the group's people write it (labels that
    /// differ only by case, spaces or Unicode form are one group).
    pub group: Vec<String>,
    /// Index into `Config::waves`; `None` when the person has no wave (unassigned).
    pub wave: Vec<Option<u32>>,
    /// The day the person left, if any.
    pub left_on: Vec<Option<NaiveDate>>,
    /// Marked as a champion.
    pub champion: Vec<bool>,
    /// Display name, as written.
    pub display_name: Vec<String>,
    /// Normalised mail address (empty when none), for events that use it.
    pub mail: Vec<String>,
}

impl Roster {
    /// Number of people.
    pub fn len(&self) -> usize {
        self.user_id.len()
    }

    /// True when the roster has nobody.
    pub fn is_empty(&self) -> bool {
        self.user_id.is_empty()
    }
}

/// Device enrollments of roster people (one per device row kept), in order of
/// person and instant.
#[derive(Debug, Default, Clone)]
pub struct Enrollments {
    /// The person.
    pub pid: Vec<u32>,
    /// When the device enrolled, ms since the epoch (UTC).
    pub enrolled_at: Vec<i64>,
}

/// The five email events (docs/inputs.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EmailEvent {
    /// Handed to the mail system.
    Sent,
    /// Accepted by the recipient's server.
    Delivered,
    /// Opened.
    Open,
    /// A link clicked (counts as an open).
    Click,
    /// Bounced.
    Bounce,
}

impl EmailEvent {
    /// Every event, in funnel order.
    pub const ALL: [EmailEvent; 5] = [
        EmailEvent::Sent,
        EmailEvent::Delivered,
        EmailEvent::Open,
        EmailEvent::Click,
        EmailEvent::Bounce,
    ];

    /// The event's canonical name.
    pub fn name(self) -> &'static str {
        match self {
            EmailEvent::Sent => "sent",
            EmailEvent::Delivered => "delivered",
            EmailEvent::Open => "open",
            EmailEvent::Click => "click",
            EmailEvent::Bounce => "bounce",
        }
    }

    /// The event a cell names, in any case and with spaces around.
    pub fn parse(cell: &str) -> Option<EmailEvent> {
        let cell = cell.trim();
        EmailEvent::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(cell))
    }
}

/// Email events of roster people, in order of person, campaign, event and instant
/// (so that a person's events of a campaign are together).
#[derive(Debug, Default, Clone)]
pub struct EmailEvents {
    /// The person.
    pub pid: Vec<u32>,
    /// Index into `campaigns`.
    pub campaign: Vec<u32>,
    /// The event.
    pub event: Vec<EmailEvent>,
    /// When, ms since the epoch (UTC).
    pub at: Vec<i64>,
    /// An open flagged by the sender as a machine prefetch.
    pub machine_open: Vec<bool>,
    /// Campaign names, by index.
    pub campaigns: Vec<String>,
}

/// Training attendance intervals of roster people, in order of person, session and
/// joining instant.
#[derive(Debug, Default, Clone)]
pub struct Attendance {
    /// The person.
    pub pid: Vec<u32>,
    /// Index into `sessions`.
    pub session: Vec<u32>,
    /// Joined, ms since the epoch (UTC).
    pub joined_at: Vec<i64>,
    /// Left, ms since the epoch (UTC); never before `joined_at`.
    pub left_at: Vec<i64>,
    /// Session names, by index.
    pub sessions: Vec<String>,
}

/// Help-desk tickets of roster people, one per ticket id (its last state).
#[derive(Debug, Default, Clone)]
pub struct Tickets {
    /// The person.
    pub pid: Vec<u32>,
    /// The ticket's id.
    pub ticket_id: Vec<String>,
    /// Opened, ms since the epoch (UTC).
    pub opened_at: Vec<i64>,
    /// Resolved, ms since the epoch (UTC), if it was.
    pub resolved_at: Vec<Option<i64>>,
    /// Category (`uncategorised` when empty).
    pub category: Vec<String>,
}

/// A row that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    /// The file it came from.
    pub file: PathBuf,
    /// The line it starts on.
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
    /// The row as it stood.
    pub raw: String,
}

/// An id that events name but the roster does not (neither as a `user_id`, a
/// `mail` nor a display name), and how many accepted rows of its source carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedId {
    /// The id, normalised as ids are compared.
    pub id: String,
    /// Accepted rows that carry it, duplicates included.
    pub rows: u64,
}

/// The row accounting of one source (the `data_quality` table).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SourceCounts {
    /// Whether the config has a table for this source.
    pub configured: bool,
    /// Data rows read, header excluded.
    pub rows_read: u64,
    /// Rows accepted (duplicates and unmatched included).
    pub rows_accepted: u64,
    /// Rows quarantined.
    pub rows_quarantined: u64,
    /// Distinct normalised ids not on the roster.
    pub unmatched_users: u64,
    /// Accepted rows that repeat an earlier one.
    pub duplicates_removed: u64,
    /// Accepted rows whose person was found by display name.
    pub matched_by_name: u64,
}

/// Everything the sources said, cleaned.
#[derive(Debug, Default)]
pub struct Dataset {
    /// The people.
    pub roster: Roster,
    /// Their devices' enrollments.
    pub enrollments: Enrollments,
    /// Their email events.
    pub email: EmailEvents,
    /// Their training attendance.
    pub training: Attendance,
    /// Their tickets.
    pub tickets: Tickets,
    /// Row accounting per source.
    pub counts: BTreeMap<Source, SourceCounts>,
    /// Rejected rows per source, in file and line order.
    pub quarantine: BTreeMap<Source, Vec<QuarantinedRow>>,
    /// Every input file read.
    pub files: Vec<InputFile>,
    /// Per event source, every unmatched id: most rows first, then by id
    /// (`quarantine/unmatched.csv`).
    pub unmatched: BTreeMap<Source, Vec<UnmatchedId>>,
    /// Things the user should know that are not row errors.
    pub notes: Vec<String>,
    /// The latest accepted event timestamp (ms, UTC), the default as-of day's source.
    pub latest_event_ms: Option<i64>,
    /// Roster people whose group cell was written otherwise than the group is shown
    /// (another case, spaces, Unicode form or invisible characters: docs/inputs.md,
    /// "Groups and waves"), and so merged into it.
    pub labels_merged: u64,
}

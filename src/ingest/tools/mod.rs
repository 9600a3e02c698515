//! One adapter per tool export: each maps its tool's layout, header names (in every
//! language it is known in) and date shapes to canonical rows, with the plumbing of
//! `ingest::table` and `ingest::dates`. An adapter judges no value: the rules live in
//! `quality`.

pub mod cornerstone;
pub mod entra;
pub mod intune;
pub mod jira;
pub mod m365;
pub mod mailchimp;
pub mod mailchimp_csv;
pub mod meetings;
pub mod moodle;
pub mod sendgrid;
pub mod servicenow;
pub mod sessions;
pub mod surveys;
pub mod teams;
pub mod viva_engage;
pub mod zendesk;
pub mod zoom;

use crate::ingest::table::Out;

/// Turns a handed-on row into a quarantined one with `reason`, keeping its line and
/// raw text (an adapter's own rule, e.g. a transcript that is not completed).
pub(crate) fn quarantine(out: &mut Out, reason: String) {
    if let Out::Row { line, raw, .. } = out {
        *out = Out::Bad {
            line: *line,
            reason,
            raw: std::mem::take(raw),
        };
    }
}

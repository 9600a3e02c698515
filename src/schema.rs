//! Names that several stages share: the sources and their canonical columns (the
//! five every rollout has, then the channel and after-enrollment ones), the table
//! names, the `(all)` labels. One place, so a renamed column cannot drift.

use std::fmt;

/// One of the inputs of a rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Who is in the rollout: one row per person.
    Roster,
    /// Device enrollments: one row per device.
    Enrollments,
    /// Email engagement events.
    Email,
    /// Training attendance intervals.
    Training,
    /// Help-desk tickets.
    Tickets,
    /// Communication beyond email: one row per person reached by a channel (a post's
    /// or page's view, a kickoff meeting attended, a QR scan).
    Touchpoints,
    /// Self-paced course completions (an LMS export).
    Completions,
    /// Each person's last use of each workload (a usage report).
    Usage,
    /// Answers to the after-enrollment survey, identified or anonymous.
    Survey,
}

impl Source {
    /// The five sources every rollout's report accounts for, in the order they are
    /// read and reported (the `data_quality` rows).
    pub const ALL: [Source; 5] = [
        Source::Roster,
        Source::Enrollments,
        Source::Email,
        Source::Training,
        Source::Tickets,
    ];

    /// The optional sources of channels beyond email, ways to learn and what
    /// happens after enrollment (docs/inputs.md, "Touchpoints" to "Survey"), in the
    /// order they are read.
    pub const ENGAGEMENT: [Source; 4] = [
        Source::Touchpoints,
        Source::Completions,
        Source::Usage,
        Source::Survey,
    ];

    /// Every source: [`Source::ALL`], then [`Source::ENGAGEMENT`].
    pub const EVERY: [Source; 9] = [
        Source::Roster,
        Source::Enrollments,
        Source::Email,
        Source::Training,
        Source::Tickets,
        Source::Touchpoints,
        Source::Completions,
        Source::Usage,
        Source::Survey,
    ];

    /// The source's name in the config (`[sources.<name>]`), in `data_quality` and in
    /// `quarantine/<name>.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Roster => "roster",
            Source::Enrollments => "enrollments",
            Source::Email => "email",
            Source::Training => "training",
            Source::Tickets => "tickets",
            Source::Touchpoints => "touchpoints",
            Source::Completions => "completions",
            Source::Usage => "usage",
            Source::Survey => "survey",
        }
    }

    /// Whether the source's exports are snapshots of a state (a folder of them is its
    /// history), rather than logs of events.
    pub fn has_snapshots(self) -> bool {
        matches!(
            self,
            Source::Roster | Source::Enrollments | Source::Tickets | Source::Usage
        )
    }

    /// The source named `name`, if any.
    pub fn from_name(name: &str) -> Option<Source> {
        Source::EVERY.into_iter().find(|s| s.name() == name)
    }

    /// The canonical columns a file of this source must have. For the roster, the
    /// `group_by` column comes on top of these; a survey reads the `group_by` column
    /// when present (the group of an anonymous response).
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Source::Roster => &[USER_ID],
            Source::Enrollments => &[USER_ID, ENROLLED_AT],
            Source::Email => &[USER_ID, CAMPAIGN, EVENT, TIMESTAMP],
            Source::Training => &[USER_ID, SESSION, JOINED_AT, LEFT_AT],
            Source::Tickets => &[TICKET_ID, USER_ID, OPENED_AT],
            Source::Touchpoints => &[USER_ID, CHANNEL, TIMESTAMP],
            Source::Completions => &[USER_ID, COURSE, COMPLETED_AT],
            Source::Usage => &[USER_ID, WORKLOAD, LAST_ACTIVE],
            Source::Survey => &[SUBMITTED_AT, SCORE],
        }
    }

    /// The canonical columns this source reads when present.
    pub fn optional(self) -> &'static [&'static str] {
        match self {
            Source::Roster => &[WAVE, LEFT_ON, DISPLAY_NAME, MAIL, CHAMPION, LOCATION],
            Source::Enrollments => &[DEVICE_ID, OS, COMPLIANT, LAST_CHECK_IN, WORKLOAD],
            Source::Email => &[MACHINE_OPEN],
            Source::Training => &[],
            Source::Tickets => &[RESOLVED_AT, CATEGORY, STATUS],
            Source::Touchpoints => &[CAMPAIGN],
            Source::Completions | Source::Usage => &[],
            Source::Survey => &[USER_ID, COMMENT],
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A person's id: an email address or UPN, matched trimmed and lowercased.
pub const USER_ID: &str = "user_id";
/// Roster: the person's wave, overriding the wave's `groups` list.
pub const WAVE: &str = "wave";
/// Roster: the day the person left; leavers on or before the as-of day are not eligible.
pub const LEFT_ON: &str = "left_on";
/// Roster: the person's name, for exports that name people only by name.
pub const DISPLAY_NAME: &str = "display_name";
/// Roster: the person's mail address when it differs from `user_id`.
pub const MAIL: &str = "mail";
/// Roster: true/yes/1 for a rollout champion.
pub const CHAMPION: &str = "champion";
/// Roster: office or site.
pub const LOCATION: &str = "location";
/// Enrollments: when the device enrolled.
pub const ENROLLED_AT: &str = "enrolled_at";
/// Enrollments: the device.
pub const DEVICE_ID: &str = "device_id";
/// Enrollments: the device's operating system.
pub const OS: &str = "os";
/// Enrollments: the device's compliance state.
pub const COMPLIANT: &str = "compliant";
/// Enrollments: when the device last checked in with the management service.
pub const LAST_CHECK_IN: &str = "last_check_in";
/// Enrollments and usage: the workload adopted (a `[[workloads]]` name), when the
/// export says.
pub const WORKLOAD: &str = "workload";
/// Email and touchpoints: the campaign an event belongs to.
pub const CAMPAIGN: &str = "campaign";
/// Email: sent, delivered, open, click or bounce.
pub const EVENT: &str = "event";
/// Email and touchpoints: when the event happened.
pub const TIMESTAMP: &str = "timestamp";
/// Email: true when an open is a machine prefetch (Apple Mail Privacy Protection).
pub const MACHINE_OPEN: &str = "machine_open";
/// Training: the session attended.
pub const SESSION: &str = "session";
/// Training: when the person joined.
pub const JOINED_AT: &str = "joined_at";
/// Training: when the person left.
pub const LEFT_AT: &str = "left_at";
/// Tickets: the ticket's id.
pub const TICKET_ID: &str = "ticket_id";
/// Tickets: when it was opened.
pub const OPENED_AT: &str = "opened_at";
/// Tickets: when it was resolved, if it was.
pub const RESOLVED_AT: &str = "resolved_at";
/// Tickets: its category.
pub const CATEGORY: &str = "category";
/// Tickets: its state.
pub const STATUS: &str = "status";
/// Touchpoints: how the person was reached (free text, compared lowercased).
pub const CHANNEL: &str = "channel";
/// Completions: the course completed.
pub const COURSE: &str = "course";
/// Completions: when it was completed.
pub const COMPLETED_AT: &str = "completed_at";
/// Usage: the day the person last used the workload (empty: no use seen).
pub const LAST_ACTIVE: &str = "last_active";
/// Survey: when the response was submitted.
pub const SUBMITTED_AT: &str = "submitted_at";
/// Survey: the score given, a whole number on the `[survey] scale`.
pub const SCORE: &str = "score";
/// Survey: the free-text comment (never shown to sponsors).
pub const COMMENT: &str = "comment";

/// The channel a Teams or Zoom attendance file read as touchpoints gives.
pub const MEETING: &str = "meeting";
/// The training method of sessions that match no `[[training_methods]]`.
pub const INSTRUCTOR_LED: &str = "instructor-led";
/// The training method of completions.
pub const SELF_PACED: &str = "self-paced";

/// The group (and wave) label of a row that sums all groups (or all waves).
pub const ALL: &str = "(all)";
/// The label of a wave's folded small groups.
pub const SMALL_GROUPS: &str = "(small groups)";

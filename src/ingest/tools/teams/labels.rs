//! The labels of Teams attendance reports, as data: each column's role and every
//! label it is known by, per language, with where each came from in
//! docs/exports.md ("Labels in other languages"). The reader in `mod.rs` maps
//! header cells to roles with [`role`]; what no label names is left to
//! `structure.rs`.

use crate::ingest::table::{squash, Table};

/// What a column of an attendance report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Name,
    Action,
    Stamp,
    /// A join time of one interval (activities, 2021–22 reports).
    Join,
    Leave,
    /// The first join and last leave of a person (2022+ participants).
    FirstJoin,
    LastLeave,
    Email,
    Upn,
    /// The meeting's title, a key of the summary block.
    Title,
}

/// Every label known, as `(role, language, label)`: English, then each translation
/// with its language. Where each was seen is in docs/exports.md ("Labels in other
/// languages"); languages with none found (Dutch, Italian, Japanese, Chinese, ...)
/// are read by structure.
const LABELS: &[(Role, &str, &str)] = &[
    (Role::Name, "en", "Full Name"),
    (Role::Name, "en", "Name"),
    (Role::Action, "en", "User Action"),
    (Role::Stamp, "en", "Timestamp"),
    (Role::Join, "en", "Join Time"),
    (Role::Leave, "en", "Leave Time"),
    (Role::FirstJoin, "en", "First Join"),
    (Role::FirstJoin, "en", "First Join (UTC)"),
    (Role::LastLeave, "en", "Last Leave"),
    (Role::LastLeave, "en", "Last Leave (UTC)"),
    (Role::Email, "en", "Email"),
    (Role::Upn, "en", "Participant ID (UPN)"),
    (Role::Upn, "en", "UPN"),
    (Role::Title, "en", "Meeting Title"),
    (Role::Title, "en", "Title"),
    // A live event's attendee report (`AttendeeReport.csv`, a list of actions):
    // renefb/teams-report-converter. Its times are UTC, as the header says.
    (Role::Name, "en", "FullName"),
    (Role::Action, "en", "Action"),
    (Role::Stamp, "en", "UtcEventTimestamp"),
    (Role::Email, "en", "ParticipantId"),
    // French: Necrelox/Auto_Presence (2021 report).
    (Role::Name, "fr", "Nom complet"),
    (Role::Name, "fr", "Nom"),
    (Role::Join, "fr", "Heure d'arrivée"),
    (Role::Leave, "fr", "Heure de départ"),
    (Role::Email, "fr", "E-mail"),
    (Role::Title, "fr", "Titre de la réunion"),
    // Portuguese: RenatoJardimParducci/ExemploGit3SIB2021 (2020), public parsers of
    // pt-BR 2021 and 2022+ reports.
    (Role::Name, "pt", "Nome Completo"),
    (Role::Name, "pt", "Nome"),
    (Role::Action, "pt", "Atividade"),
    (Role::Stamp, "pt", "Data e hora"),
    (Role::Join, "pt", "Horário de Entrada"),
    (Role::Leave, "pt", "Horário de Saída"),
    (Role::FirstJoin, "pt", "Primeiro ingresso"),
    (Role::FirstJoin, "pt", "Primeira Entrada"),
    (Role::LastLeave, "pt", "Última saída"),
    (Role::Upn, "pt", "ID do participante (UPN)"),
    (Role::Title, "pt", "Título da reunião"),
    // Indonesian: hamonangann/presence-script.
    (Role::Name, "id", "Nama"),
    // German: public code that parses German 2022+ reports.
    (Role::FirstJoin, "de", "Erster Beitritt"),
    (Role::LastLeave, "de", "Letztes Verlassen"),
    (Role::Join, "de", "Beitreten"),
    (Role::Leave, "de", "Verlassen"),
    (Role::Upn, "de", "Teilnehmer-ID (UPN)"),
    (Role::Title, "de", "Besprechungstitel"),
    // Spanish: public code that reads es 2022+ reports.
    (Role::FirstJoin, "es", "Primera entrada"),
    (Role::Upn, "es", "Id. de participante (UPN)"),
    // Polish: the report of issue 15, public code that re-exports pl reports.
    (Role::Name, "pl", "Imię i nazwisko"),
    (Role::FirstJoin, "pl", "Pierwsze dołączenie"),
    (Role::LastLeave, "pl", "Ostatnie wyjście"),
    (Role::Email, "pl", "Adres e-mail"),
    (Role::Upn, "pl", "Identyfikator uczestnika (UPN)"),
    // Polish 2020 lists and 2021–22 reports: maciej-radziejewski/get-attendance.
    (Role::Stamp, "pl", "Znacznik czasu"),
    (Role::Join, "pl", "Godzina dołączenia"),
    (Role::Leave, "pl", "Godzina opuszczenia"),
];

/// Actions that start and end an interval (2020 lists), lowercase prefixes.
pub(super) const JOINED: &[&str] = &["joined", "entrou"];

pub(super) const LEFT: &[&str] = &["left", "saiu"];

/// The role of a header cell, and whether its label is a translation.
pub(super) fn role(cell: &str) -> Option<(Role, bool)> {
    let c = squash(cell);
    if c.is_empty() {
        return None;
    }
    LABELS
        .iter()
        .find(|(_, _, label)| squash(label) == c)
        .map(|(role, lang, _)| (*role, *lang != "en"))
}

/// Every label of `role`, English first.
pub(super) fn labels(role: Role) -> Vec<&'static str> {
    LABELS
        .iter()
        .filter(|(r, _, _)| *r == role)
        .map(|(_, _, l)| *l)
        .collect()
}

/// Whether a header cell names the participant id in any language: `(UPN)` is kept
/// untranslated.
pub(super) fn is_upn_label(cell: &str) -> bool {
    let c = squash(cell);
    c.ends_with("upn") || role(cell).is_some_and(|(r, _)| r == Role::Upn)
}

/// The position of the first header with `role`.
pub(super) fn column(table: &Table, want: Role) -> Option<usize> {
    table
        .headers
        .iter()
        .position(|h| role(h).is_some_and(|(r, _)| r == want))
        .or_else(|| {
            (want == Role::Upn)
                .then(|| table.headers.iter().position(|h| is_upn_label(h)))
                .flatten()
        })
}

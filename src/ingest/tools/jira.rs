//! Jira Service Management "Export > Export Excel CSV (all fields)" as tickets.
//!
//! The export starts with a UTF-8 BOM, repeats a header once per value
//! (`Labels,Labels,Labels`; `Watchers,...`), writes custom fields as
//! `Custom field (Request Type)` and dates as `09/Oct/25 1:42 PM` in the exporting
//! user's zone (read in the rollout's zone). Headers and month abbreviations follow
//! the exporting user's language (`Clave de incidencia`, `18/jul/26 9:10 AM`;
//! `Vorgangsschlüssel`, `18/Dez/26 09:10`; `Clé de ticket`, `18/févr./26 09:10`):
//! [`ALIASES`] holds English, Spanish, German and French, each label's source in
//! docs/exports.md.

use crate::error::Error;
use crate::schema::{CATEGORY, OPENED_AT, RESOLVED_AT, STATUS, TICKET_ID, USER_ID};

use crate::ingest::table::{read_simple, Adapted, Ctx};

/// Jira's headers for each canonical column: English, then Spanish, German and
/// French.
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        TICKET_ID,
        &[
            "Issue key",
            "Key",
            "Clave de incidencia",
            "Clave",
            "Vorgangsschlüssel",
            "Schlüssel",
            "Clé de ticket",
            "Clé",
        ],
    ),
    (
        USER_ID,
        &[
            "Custom field (Reporter email)",
            "Reporter email",
            "Reporter Email",
            "Reporter",
            "Informador",
            "Autor",
            "Rapporteur",
        ],
    ),
    (
        OPENED_AT,
        &["Created", "Creada", "Erstellt", "Création", "Créé"],
    ),
    (
        RESOLVED_AT,
        &[
            "Resolved",
            "Resolution date",
            "Resuelta",
            "Erledigt",
            "Résolu",
            "Résolue",
        ],
    ),
    (
        CATEGORY,
        &[
            "Custom field (Request Type)",
            "Custom field (Customer Request Type)",
            "Request Type",
            "Issue Type",
            "Tipo de Incidencia",
            "Vorgangstyp",
            "Type de ticket",
        ],
    ),
    (STATUS, &["Status", "Estado", "État", "Statut"]),
];

/// Headers that only a Jira export has, squashed (see `table::squash`), in each
/// language of [`ALIASES`]: `format = "auto"` recognises Jira by any of them.
pub const SIGNATURE: &[&str] = &[
    "issuekey",
    "clavedeincidencia",
    "vorgangsschlüssel",
    "clédeticket",
];

/// Reads one Jira CSV export.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let rows = read_simple(ctx, text, ALIASES, &[OPENED_AT, RESOLVED_AT], &[], false)?.rows;
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

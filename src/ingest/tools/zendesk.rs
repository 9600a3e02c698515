//! Zendesk "Reporting > Export" ticket CSV as tickets: `Id`, `Requester email`,
//! `Created at`, `Solved at`, `Status`, `Ticket type`, `Group`, ...
//!
//! Times are the account's local time (read in the rollout's zone unless they carry
//! an offset).

use crate::error::Error;
use crate::schema::{CATEGORY, OPENED_AT, RESOLVED_AT, STATUS, TICKET_ID, USER_ID};

use crate::ingest::table::{read_simple, Adapted, Ctx};

/// Zendesk's headers for each canonical column: English, then Spanish, German and
/// French.
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        TICKET_ID,
        &[
            "Id",
            "Ticket ID",
            "Ticket Id",
            "ID del ticket",
            "Ticket-ID",
            "ID du ticket",
        ],
    ),
    (
        USER_ID,
        &[
            "Requester email",
            "Requester Email",
            "Requester",
            "Correo electrónico del solicitante",
            "Solicitante",
            "E-Mail-Adresse des Anfragenden",
            "Anfragender",
            "E-mail du demandeur",
            "Demandeur",
        ],
    ),
    (
        OPENED_AT,
        &[
            "Created at",
            "Created",
            "Ticket created - Timestamp",
            "Creado",
            "Erstellt",
            "Créé",
        ],
    ),
    (
        RESOLVED_AT,
        &[
            "Solved at",
            "Solved",
            "Ticket solved - Timestamp",
            "Resuelto",
            "Gelöst",
            "Résolu",
        ],
    ),
    (
        CATEGORY,
        &[
            "Ticket type",
            "Type",
            "Category",
            "Group",
            "Tipo de ticket",
            "Tickettyp",
            "Type de ticket",
        ],
    ),
    (STATUS, &["Status", "Ticket status", "Estado", "Statut"]),
];

/// Sets of headers, squashed, that together say Zendesk, in each language of
/// [`ALIASES`].
pub const SIGNATURE: &[&[&str]] = &[
    &["requesteremail"],
    &["id", "requester", "createdat"],
    &["correoelectrónicodelsolicitante"],
    &["id", "solicitante", "creado"],
    &["emailadressedesanfragenden"],
    &["id", "anfragender", "erstellt"],
    &["emaildudemandeur"],
    &["id", "demandeur", "créé"],
];

/// Reads one Zendesk ticket export.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let rows = read_simple(ctx, text, ALIASES, &[OPENED_AT, RESOLVED_AT], &[], false)?.rows;
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

//! ServiceNow incident list "Export > CSV" as tickets.
//!
//! Fields are all quoted or none, may hold newlines, and say `?` or `null` when
//! empty; `caller_id` is a display name, `Name (netid)` or an email (matched by
//! `quality`). Dates are the instance's local time: `2019-07-29 11:48:43`,
//! `29-02-2016 01:16` or, re-saved by a spreadsheet, `3/17/2025 6:04`. An audit
//! export has one row per update of a ticket (`sys_mod_count`): the rows of a ticket
//! are handed on in update order, so that `quality` keeps its latest state.

use std::collections::HashMap;

use crate::error::Error;
use crate::schema::{CATEGORY, OPENED_AT, RESOLVED_AT, STATUS, TICKET_ID, USER_ID};

use crate::ingest::table::{find_header, read_simple, Adapted, Ctx, Simple};

/// ServiceNow's headers (field names, or the list's labels in English, Spanish,
/// German and French) for each canonical column.
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        TICKET_ID,
        &["number", "Number", "Incident", "Número", "Nummer", "Numéro"],
    ),
    (
        USER_ID,
        &[
            "caller_id.email",
            "caller_id",
            "Caller",
            "opened_by",
            "Opened by",
            "Autor de la llamada",
            "Llamante",
            "Anrufer",
            "Appelant",
        ],
    ),
    (
        OPENED_AT,
        &[
            "opened_at",
            "Opened",
            "sys_created_on",
            "Created",
            "Abierto",
            "Geöffnet",
            "Ouvert",
        ],
    ),
    (
        RESOLVED_AT,
        &[
            "resolved_at",
            "Resolved",
            "closed_at",
            "Closed",
            "Resuelto",
            "Gelöst",
            "Résolu",
        ],
    ),
    (
        CATEGORY,
        &[
            "category",
            "Category",
            "subcategory",
            "Categoría",
            "Kategorie",
            "Catégorie",
        ],
    ),
    (
        STATUS,
        &[
            "state",
            "State",
            "incident_state",
            "Incident state",
            "Estado",
            "Status",
            "État",
        ],
    ),
];

/// Pairs of headers, squashed, that together say ServiceNow (its number beside its
/// opened date or caller, in each language of [`ALIASES`]), and headers that alone do.
pub const SIGNATURE: &[&[&str]] = &[
    &["callerid"],
    &["sysmodcount"],
    &["incidentstate"],
    &["calleridemail"],
    &["number", "openedat"],
    &["number", "opened", "caller"],
    &["número", "abierto"],
    &["nummer", "geöffnet"],
    &["numéro", "ouvert"],
];

/// Reads one ServiceNow incident export.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let Simple {
        table,
        map,
        rows,
        dates,
    } = read_simple(
        ctx,
        text,
        ALIASES,
        &[OPENED_AT, RESOLVED_AT],
        &["closed_at", "Closed"],
        false,
    )?;
    // `resolved_at` may be empty on a closed ticket that has `closed_at`.
    let closed = ["closed_at", "Closed"]
        .iter()
        .find_map(|h| find_header(&table.headers, h));
    let c_resolved = ctx.ix(RESOLVED_AT);
    let mod_count = ["sys_mod_count", "Updates"]
        .iter()
        .find_map(|h| find_header(&table.headers, h));
    let c_ticket = ctx.ix(TICKET_ID).expect("tickets want ticket_id");
    let mut rows: Vec<_> = rows.into_iter().zip(&table.rows).collect();
    if let (Some(c_res), Some(closed)) = (c_resolved, closed) {
        if map[c_res] != Some(closed) {
            for (out, row) in &mut rows {
                if let crate::ingest::table::Out::Row { fields, .. } = out {
                    if fields[c_res].is_empty() {
                        fields[c_res] = dates.iso(&row.get(Some(closed)));
                    }
                }
            }
        }
    }
    if let Some(mc) = mod_count {
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        let key = |out: &crate::ingest::table::Out,
                   row: &crate::ingest::table::TableRow,
                   fs: &mut HashMap<String, usize>| {
            let ticket = match out {
                crate::ingest::table::Out::Row { fields, .. } => fields[c_ticket].clone(),
                crate::ingest::table::Out::Bad { .. } => String::new(),
            };
            let n = fs.len();
            let seen = *fs.entry(ticket).or_insert(n);
            let count: i64 = row.get(Some(mc)).parse().unwrap_or(-1);
            (seen, count)
        };
        let mut keyed: Vec<_> = rows
            .into_iter()
            .map(|(out, row)| (key(&out, row, &mut first_seen), out, row))
            .collect();
        keyed.sort_by_key(|(k, _, _)| *k);
        rows = keyed.into_iter().map(|(_, out, row)| (out, row)).collect();
    }
    Ok(Adapted {
        rows: rows.into_iter().map(|(out, _)| out).collect(),
        notes: Vec::new(),
    })
}

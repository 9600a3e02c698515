//! Entra "Users > All users > Download users" (and the Microsoft 365 admin center's
//! "Users > Active users > Export users") as the roster.
//!
//! Entra writes property names (`userPrincipalName`, `displayName`, `department`,
//! `officeLocation`, `accountEnabled`, `userType`); the admin center writes labels
//! (`User principal name`, `Display name`, `Department`, `Office`). Either reads,
//! and `group_by` may name either spelling of a column. Guests
//! (`userType = Guest`, `..#EXT#@tenant.onmicrosoft.com`) are not the organisation's
//! people: they are quarantined with that reason. A cell that starts with `=` is
//! never passed on as a formula (see `table::clean`).

use crate::error::Error;
use crate::schema::{DISPLAY_NAME, LOCATION, MAIL, USER_ID};

use crate::ingest::table::{find_header, map_rows, parse_table, Adapted, Ctx, Out};

/// Entra property names and admin-center labels for each canonical column.
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        USER_ID,
        &[
            "userPrincipalName",
            "User principal name",
            "UPN",
            "Username",
        ],
    ),
    (DISPLAY_NAME, &["displayName", "Display name"]),
    (MAIL, &["mail", "Email", "Primary email address"]),
    (LOCATION, &["officeLocation", "Office", "city", "City"]),
];

/// The same column as Entra and the admin center name it, for `group_by`.
const SPELLINGS: &[&[&str]] = &[
    &["officeLocation", "Office"],
    &["country", "Country or region", "Country/Region"],
    &["state", "State or province"],
    &["jobTitle", "Title", "Job title"],
    &["companyName", "Company", "Company name"],
    &["usageLocation", "Usage location"],
    &["streetAddress", "Street address"],
    &["postalCode", "Postal code", "ZIP or postal code"],
];

/// Reads one Entra or admin-center user export.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let table = parse_table(text, 1);
    let group_by = &ctx.wanted[ctx.n_required - 1];
    let mut aliases: Vec<(&str, &[&str])> = ALIASES.to_vec();
    if let Some(spellings) = SPELLINGS.iter().find(|s| {
        s.iter()
            .any(|n| crate::ingest::table::squash(n) == crate::ingest::table::squash(group_by))
    }) {
        aliases.push((group_by.as_str(), *spellings));
    }
    let map = ctx.map(&table.headers, &aliases)?;
    let dates = ctx.dates(std::iter::empty::<&str>(), false)?;
    let mut rows = map_rows(ctx, &table, &map, &[], &dates);
    let user_type = find_header(&table.headers, "userType")
        .or_else(|| find_header(&table.headers, "User type"));
    let c_user = ctx.ix(USER_ID).expect("the roster wants user_id");
    let mut guests = 0usize;
    for (out, row) in rows.iter_mut().zip(&table.rows) {
        let Out::Row { fields, line, raw } = out else {
            continue;
        };
        let guest = row.get(user_type).eq_ignore_ascii_case("guest")
            || fields[c_user].to_ascii_uppercase().contains("#EXT#");
        if guest {
            guests += 1;
            *out = Out::Bad {
                line: *line,
                reason:
                    "a guest account (userType Guest, #EXT#): not one of the organisation's people"
                        .to_string(),
                raw: std::mem::take(raw),
            };
        }
    }
    let mut notes = Vec::new();
    if guests > 0 {
        notes.push(format!(
            "{}: {guests} guest accounts quarantined (not part of the rollout)",
            ctx.path.display()
        ));
    }
    Ok(Adapted { rows, notes })
}

//! Intune "Devices > All devices > Export" (`DevicesWithInventory_*.csv`) as
//! enrollments: one row per device.
//!
//! The export writes UTC (`2024-01-15 09:23:11.0000000`); a copy re-saved by a
//! spreadsheet writes `11/3/2023 4:12:31 PM`, still UTC. Older exports say
//! `Azure AD Device ID`. `Compliance` and `Last check-in` (`lastSyncDateTime` in the
//! Graph export) give the device's health. A device with no primary user (a shared
//! or kiosk device) belongs to nobody: it is quarantined with that reason and counted
//! in a note.

use crate::error::Error;
use crate::schema::{COMPLIANT, DEVICE_ID, ENROLLED_AT, LAST_CHECK_IN, OS, USER_ID};

use crate::ingest::table::{read_simple, Adapted, Ctx, Out};

/// Intune's headers for each canonical column, most specific first.
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        USER_ID,
        &[
            "Primary user UPN",
            "Primary user email address",
            "userPrincipalName",
            "User principal name",
            "UPN",
        ],
    ),
    (
        ENROLLED_AT,
        &[
            "Enrollment date",
            "Enrolled date",
            "enrolledDateTime",
            "Enrollment date (UTC)",
        ],
    ),
    (
        DEVICE_ID,
        &[
            "Device ID",
            "Azure AD Device ID",
            "Microsoft Entra Device ID",
            "Entra Device ID",
            "Intune Device ID",
        ],
    ),
    (
        OS,
        &["OS", "Operating system", "operatingSystem", "Platform"],
    ),
    (
        COMPLIANT,
        &["Compliance", "complianceState", "Compliance state"],
    ),
    (
        LAST_CHECK_IN,
        &[
            "Last check-in",
            "lastSyncDateTime",
            "Last sync date time",
            "Last check in",
        ],
    ),
];

/// Reads one Intune device export.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let crate::ingest::table::Simple {
        table,
        map,
        mut rows,
        ..
    } = read_simple(ctx, text, ALIASES, &[ENROLLED_AT, LAST_CHECK_IN], &[], true)?;
    // A device whose UPN is empty may still name its user by email.
    let email = crate::ingest::table::find_header(&table.headers, "Primary user email address");
    let c_user = ctx.ix(USER_ID).expect("enrollments want user_id");
    let mut shared = 0usize;
    for (out, row) in rows.iter_mut().zip(&table.rows) {
        let Out::Row { fields, line, raw } = out else {
            continue;
        };
        if fields[c_user].is_empty() {
            fields[c_user] = row.get(email);
        }
        if fields[c_user].is_empty() && map[c_user].is_some() {
            shared += 1;
            *out = Out::Bad {
                line: *line,
                reason: "the device has no primary user (a shared or kiosk device): no person to count it for".to_string(),
                raw: std::mem::take(raw),
            };
        }
    }
    let mut notes = Vec::new();
    if shared > 0 {
        notes.push(format!(
            "{}: {shared} devices have no primary user (shared devices): quarantined, not counted for anyone",
            ctx.path.display()
        ));
    }
    Ok(Adapted { rows, notes })
}

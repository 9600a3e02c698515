//! A Viva Engage (Yammer) network data export's `Messages.csv` read as touchpoints:
//! each message a person posted in a community is that person reached on channel
//! `viva engage`, at the message's `created_at`, with the community (`group_name`)
//! as its campaign.
//!
//! The export (Network Admin > Governance and Compliance > Data Export, or the API) is a
//! ZIP of one CSV per model; `Messages.csv` has one row per message with lower-case
//! headers (`id, replied_to_id, thread_id, conversation_id, group_id, group_name,
//! participants, in_private_group, in_private_conversation, sender_id, sender_type,
//! sender_name, sender_email, body, api_url, attachments, deleted_by_id,
//! deleted_by_type, created_at, deleted_at`, and in newer exports `title`,
//! `message_type`, ...). The person is `sender_email`. Only authors are in it: who
//! read a post is in no per-person export (docs/exports.md).
//!
//! Quarantined, with the reason: a deleted message (`deleted_at` set), a message in a
//! private conversation (no community reached anyone), and one not sent by a user
//! (`sender_type` other than `user`, e.g. a bot). `created_at` is UTC; the REST API's
//! `2026/11/18 09:30:00 +0000` is read as well as ISO 8601 and the usual exports'
//! dates.

use crate::error::Error;
use crate::ingest::table::{column_cells, find_header, lines, parse_table, Adapted, Ctx, Out};
use crate::schema::{CAMPAIGN, CHANNEL, TIMESTAMP, USER_ID};

/// The channel a Viva Engage message reaches its author on.
pub const CHANNEL_NAME: &str = "viva engage";

/// The export's headers for each canonical column.
pub const ALIASES: &[(&str, &[&str])] = &[
    (USER_ID, &["sender_email"]),
    (TIMESTAMP, &["created_at"]),
    (CAMPAIGN, &["group_name"]),
];

/// Headers that tell a `Messages.csv` (for `auto`), squashed: all of them.
pub const SIGNATURE: &[&str] = &["senderemail", "threadid", "inprivateconversation"];

/// Reads one `Messages.csv`.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let (first, offset) = lines(text)
        .find(|(_, _, l)| !l.trim().is_empty())
        .map_or((1, 0), |(n, o, _)| (n, o));
    let table = parse_table(&text[offset..], first);
    let map = ctx.map_table(&table, ALIASES, &[CHANNEL])?;
    let col = |name: &str| ctx.ix(name).and_then(|i| map[i]);
    let (c_user, c_at, c_campaign) = (col(USER_ID), col(TIMESTAMP), col(CAMPAIGN));
    let header = |name: &str| find_header(&table.headers, name);
    let (c_deleted, c_private, c_sender_type) = (
        header("deleted_at"),
        header("in_private_conversation"),
        header("sender_type"),
    );
    let cells: Vec<String> = column_cells(&table, c_at)
        .iter()
        .map(|c| api_time(c).unwrap_or_else(|| c.clone()))
        .collect();
    let dates = ctx.dates(cells.iter().map(String::as_str), true)?;
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let bad = |reason: String| Out::Bad {
                line: row.line,
                reason,
                raw: row.raw.clone(),
            };
            if let Err(reason) = row.shape(table.headers.len()) {
                return bad(reason);
            }
            if !row.get(c_deleted).is_empty() {
                return bad(format!(
                    "a deleted message (`deleted_at` {}): it no longer reaches anyone",
                    row.get(c_deleted)
                ));
            }
            if row.get(c_private).eq_ignore_ascii_case("true") {
                return bad(
                    "a message in a private conversation (`in_private_conversation` true), not a post in a community"
                        .to_string(),
                );
            }
            let sender = row.get(c_sender_type);
            if !sender.is_empty() && !sender.eq_ignore_ascii_case("user") {
                return bad(format!(
                    "sent by a `{sender}` (`sender_type`), not a person"
                ));
            }
            let at = row.get(c_at);
            let mut fields = ctx.blank();
            ctx.set(&mut fields, USER_ID, row.get(c_user));
            ctx.set(&mut fields, CHANNEL, CHANNEL_NAME);
            ctx.set(
                &mut fields,
                TIMESTAMP,
                api_time(&at).unwrap_or_else(|| dates.iso(&at)),
            );
            ctx.set(&mut fields, CAMPAIGN, row.get(c_campaign));
            Out::Row {
                line: row.line,
                fields,
                raw: row.raw.clone(),
            }
        })
        .collect();
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

/// The REST API's time (`2026/11/18 09:30:00 +0000`) as ISO 8601
/// (`2026-11-18T09:30:00+00:00`, `Z` for UTC); `None` for any other shape.
fn api_time(cell: &str) -> Option<String> {
    let s = cell.trim();
    let (date, rest) = s.split_once(' ')?;
    let (time, offset) = rest.split_once(' ')?;
    let d: Vec<&str> = date.split('/').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let t: Vec<&str> = time.split(':').collect();
    let ok = d.len() == 3
        && digits(d[0], 4)
        && digits(d[1], 2)
        && digits(d[2], 2)
        && t.len() == 3
        && t.iter().all(|p| digits(p, 2))
        && offset.len() == 5
        && matches!(offset.as_bytes()[0], b'+' | b'-')
        && digits(&offset[1..], 4);
    if !ok {
        return None;
    }
    let zone = if &offset[1..] == "0000" {
        "Z".to_string()
    } else {
        format!("{}:{}", &offset[..3], &offset[3..])
    };
    Some(format!("{}-{}-{}T{time}{zone}", d[0], d[1], d[2]))
}

#[cfg(test)]
mod tests {
    use super::api_time;

    #[test]
    fn the_rest_api_time_becomes_iso() {
        assert_eq!(
            api_time("2026/11/18 09:30:00 +0000").as_deref(),
            Some("2026-11-18T09:30:00Z")
        );
        assert_eq!(
            api_time("2026/11/18 09:30:00 -0500").as_deref(),
            Some("2026-11-18T09:30:00-05:00")
        );
        // Anything else is left to the usual date reading.
        assert_eq!(api_time("2026-11-18T09:30:00Z"), None);
        assert_eq!(api_time("2026/11/18 9:30:00 +0000"), None);
        assert_eq!(api_time("18/11/2026 09:30:00 +0000"), None);
    }
}

//! Zoom participant reports ("Reports > Usage > Participants > Export", or a
//! meeting's "Export with meeting data") as training intervals.
//!
//! With meeting data the file opens with a meeting block (`Meeting ID, Topic,
//! Start Time, End Time, ...` and one value row), a blank line, then the
//! participants: `Name (Original Name), User Email, Join Time, Leave Time,
//! Duration (Minutes), Guest` (`Total Duration (Minutes)` with "show unique users").
//! Dates are `03/08/2022 09:49:29 AM`, month-first whatever the locale (a
//! `date_order` setting overrides that), in the account's zone (read in the
//! rollout's zone). Guests have no email: they are named by their name. Admin reports may
//! repeat a header: the first one is read. The session is the topic, else the file
//! name.

use crate::error::Error;
use crate::schema::{JOINED_AT, LEFT_AT, SESSION, USER_ID};

use super::table::{find_header, lines, parse_table, squash, Adapted, Ctx, Out};

/// Reads one Zoom participant report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let all: Vec<(u64, usize, &str)> = lines(text).collect();
    let squashed = |l: &str| -> Vec<String> {
        let t = parse_table(l, 1);
        t.headers.iter().map(|h| squash(h)).collect()
    };
    let mut topic = None;
    let mut start = None;
    for (i, (n, offset, l)) in all.iter().enumerate() {
        let c = squashed(l);
        if c.iter().any(|x| x == "topic") && c.iter().any(|x| x == "meetingid") {
            let end = all.get(i + 2).map_or(text.len(), |(_, o, _)| *o);
            let block = parse_table(&text[*offset..end], *n);
            let t = find_header(&block.headers, "Topic");
            topic = block
                .rows
                .first()
                .map(|r| r.get(t))
                .filter(|s| !s.is_empty());
        }
        if c.iter().any(|x| x == "jointime") && c.iter().any(|x| x == "leavetime") {
            start = Some((*n, *offset));
            break;
        }
    }
    let (first, offset) = start.unwrap_or((1, 0));
    let table = parse_table(&text[offset..], first);
    let session = topic.unwrap_or_else(|| {
        ctx.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let aliases: &[(&str, &[&str])] = &[
        (
            USER_ID,
            &[
                "User Email",
                "Email",
                "Name (Original Name)",
                "Name",
                "Participant",
            ],
        ),
        (JOINED_AT, &["Join Time", "Join time"]),
        (LEFT_AT, &["Leave Time", "Leave time"]),
    ];
    let map = ctx.map_providing(&table.headers, aliases, &[SESSION])?;
    let h = |n: &str| find_header(&table.headers, n);
    let email = h("User Email").or_else(|| h("Email"));
    let name = h("Name (Original Name)")
        .or_else(|| h("Name"))
        .or_else(|| h("Participant"));
    let (c_join, c_left) = (
        ctx.ix(JOINED_AT).expect("training wants joined_at"),
        ctx.ix(LEFT_AT).expect("training wants left_at"),
    );
    let c_session = ctx.ix(SESSION).and_then(|i| map[i]);
    let cells: Vec<String> = table
        .rows
        .iter()
        .flat_map(|r| [r.get(map[c_join]), r.get(map[c_left])])
        .collect();
    let dates = ctx.dates_or(
        cells.iter().map(String::as_str),
        false,
        Some(crate::config::DateOrder::Mdy),
    )?;
    let mut rows = Vec::new();
    for row in &table.rows {
        if let Err(reason) = row.shape(table.headers.len()) {
            rows.push(Out::Bad {
                line: row.line,
                reason,
                raw: row.raw.clone(),
            });
            continue;
        }
        let mut id = row.get(if ctx.cfg.columns.contains_key(USER_ID) {
            ctx.ix(USER_ID).and_then(|i| map[i])
        } else {
            email
        });
        if id.is_empty() {
            id = row.get(name);
        }
        let mut fields = ctx.blank();
        ctx.set(&mut fields, USER_ID, id);
        let s = row.get(c_session);
        ctx.set(
            &mut fields,
            SESSION,
            if s.is_empty() { session.clone() } else { s },
        );
        ctx.set(&mut fields, JOINED_AT, dates.iso(&row.get(map[c_join])));
        ctx.set(&mut fields, LEFT_AT, dates.iso(&row.get(map[c_left])));
        rows.push(Out::Row {
            line: row.line,
            fields,
            raw: row.raw.clone(),
        });
    }
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

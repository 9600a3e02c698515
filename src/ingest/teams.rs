//! Microsoft Teams attendance reports as training intervals, every generation:
//!
//! 1. 2020 `meetingAttendanceList.csv`: `Full Name`, `User Action` (`Joined`,
//!    `Joined before`, `Left`), `Timestamp`, one row per action. Each `Joined` is
//!    paired with the person's next `Left`; someone still present at download has no
//!    `Left` and is counted until the last timestamp of the file. Every action row is
//!    handed on as the interval it belongs to, so a `Left` row repeats its `Joined`
//!    row's interval and `quality` counts it as a duplicate: rows stay accounted for.
//! 2. 2021–22: a `Meeting Summary` block (`Meeting Title`, start and end), then
//!    `Full Name, Join Time, Leave Time, Duration, Email, Role, Participant ID (UPN)`.
//! 3. 2022+: sections `1. Summary`, `2. Participants` (`Name, First Join, Last Leave,
//!    In-Meeting Duration, Email, Participant ID (UPN), Role`) and
//!    `3. In-Meeting Activities` (`Name, Join Time, Leave Time, Duration, ...`). The
//!    activities (one row per join) are read when present, else the participants.
//!
//! Files are usually UTF-16 with tabs; dates follow the downloader's locale
//! (`15/11/22, 09:30:17` or `7/20/23, 4:30:36 PM`), read in the rollout's zone. The
//! person is their UPN, else their email, else their name. The session is the
//! summary's meeting title, else the file name.

use std::collections::HashMap;

use crate::error::Error;
use crate::schema::{JOINED_AT, LEFT_AT, SESSION, USER_ID};

use super::table::{find_header, lines, parse_table, squash, Adapted, Ctx, Out, Table};

/// Reads one attendance report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let all: Vec<(u64, usize, &str)> = lines(text).collect();
    let cells = |l: &str| -> Vec<String> { l.split(['\t', ',', ';']).map(squash).collect() };
    let title = all.iter().find_map(|(_, _, l)| {
        let mut parts = l.split('\t');
        let key = squash(parts.next()?);
        (key == "meetingtitle" || key == "title")
            .then(|| parts.next().map(|v| v.trim().trim_matches('"').to_string()))
            .flatten()
            .filter(|v| !v.is_empty())
    });
    let session = title.unwrap_or_else(|| {
        ctx.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    // Each table starts at a header line and ends at a blank or section-title line.
    let mut tables: Vec<Table> = Vec::new();
    for (i, (n, offset, l)) in all.iter().enumerate() {
        let c = cells(l);
        let is_header = c.iter().any(|x| x == "fullname" || x == "name")
            && c.iter().any(|x| {
                matches!(
                    x.as_str(),
                    "useraction" | "jointime" | "firstjoin" | "timestamp"
                )
            });
        if !is_header {
            continue;
        }
        let end = all[i + 1..]
            .iter()
            .find(|(_, _, l)| is_section_break(l))
            .map_or(text.len(), |(_, o, _)| *o);
        tables.push(parse_table(&text[*offset..end], *n));
    }
    let has = |t: &Table, h: &str| find_header(&t.headers, h).is_some();
    if let Some(t) = tables.iter().find(|t| has(t, "User Action")) {
        return read_actions(ctx, t, &session);
    }
    let participants = tables.iter().find(|t| has(t, "First Join"));
    let intervals = tables
        .iter()
        .find(|t| has(t, "Join Time") && has(t, "Leave Time"))
        .or(participants);
    let Some(t) = intervals else {
        // No table: let the usual missing-column error name what was found.
        let t = parse_table(text, 1);
        ctx.map_providing(
            &t.headers,
            &[(JOINED_AT, &["Join Time", "First Join", "Timestamp"])],
            &[SESSION, LEFT_AT, USER_ID],
        )?;
        return Ok(Adapted::default());
    };
    read_intervals(ctx, t, participants, &session)
}

/// A blank line, or a section title such as `3. In-Meeting Activities`.
fn is_section_break(line: &str) -> bool {
    let t = line
        .trim()
        .trim_matches(|c| c == '\t' || c == ',' || c == '"');
    t.is_empty()
        || (t.len() > 3
            && t.as_bytes()[0].is_ascii_digit()
            && t[1..].starts_with(". ")
            && !t.contains('\t'))
}

/// The person of a row: UPN, else email, else name.
fn person(
    row: &super::table::TableRow,
    upn: Option<usize>,
    email: Option<usize>,
    name: Option<usize>,
) -> String {
    let upn = row.get(upn);
    if upn.contains('@') {
        return upn;
    }
    let email = row.get(email);
    if !email.is_empty() {
        return email;
    }
    row.get(name)
}

fn read_intervals(
    ctx: &Ctx<'_>,
    t: &Table,
    participants: Option<&Table>,
    session: &str,
) -> Result<Adapted, Error> {
    let aliases: &[(&str, &[&str])] = &[
        (
            USER_ID,
            &["Participant ID (UPN)", "Email", "Full Name", "Name"],
        ),
        (JOINED_AT, &["Join Time", "First Join", "Join time"]),
        (LEFT_AT, &["Leave Time", "Last Leave", "Leave time"]),
        (SESSION, &["Meeting Title"]),
    ];
    let map = ctx.map_providing(&t.headers, aliases, &[SESSION])?;
    let h = |name: &str| find_header(&t.headers, name);
    let (upn, email) = (h("Participant ID (UPN)"), h("Email"));
    let name = h("Full Name").or_else(|| h("Name"));
    let (c_join, c_left) = (
        ctx.ix(JOINED_AT).expect("training wants joined_at"),
        ctx.ix(LEFT_AT).expect("training wants left_at"),
    );
    // Activities may lack email and UPN: take them from the participants by name.
    let mut ids: HashMap<String, String> = HashMap::new();
    if let Some(p) = participants {
        let ph = |n: &str| find_header(&p.headers, n);
        let pname = ph("Name").or_else(|| ph("Full Name"));
        for row in &p.rows {
            let id = person(row, ph("Participant ID (UPN)"), ph("Email"), pname);
            ids.entry(row.get(pname)).or_insert(id);
        }
    }
    let cells: Vec<String> = t
        .rows
        .iter()
        .flat_map(|r| [r.get(map[c_join]), r.get(map[c_left])])
        .collect();
    let dates = ctx.dates(cells.iter().map(String::as_str), false)?;
    let mut rows = Vec::new();
    for row in &t.rows {
        if let Err(reason) = row.shape(t.headers.len()) {
            rows.push(Out::Bad {
                line: row.line,
                reason,
                raw: row.raw.clone(),
            });
            continue;
        }
        let mut id = person(row, upn, email, name);
        if !id.contains('@') {
            if let Some(found) = ids.get(&row.get(name)) {
                id = found.clone();
            }
        }
        let mut fields = ctx.blank();
        ctx.set(&mut fields, USER_ID, id);
        ctx.set(&mut fields, SESSION, session);
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

fn read_actions(ctx: &Ctx<'_>, t: &Table, session: &str) -> Result<Adapted, Error> {
    let h = |name: &str| find_header(&t.headers, name);
    let (name, action, stamp) = (h("Full Name"), h("User Action"), h("Timestamp"));
    let email = h("Email").or_else(|| h("UPN"));
    if stamp.is_none() {
        ctx.map_providing(
            &t.headers,
            &[(JOINED_AT, &["Timestamp"])],
            &[SESSION, LEFT_AT, USER_ID],
        )?;
    }
    let cells: Vec<String> = t.rows.iter().map(|r| r.get(stamp)).collect();
    let dates = ctx.dates(cells.iter().map(String::as_str), false)?;
    let iso: Vec<String> = cells.iter().map(|c| dates.iso(c)).collect();
    // The end of the meeting as the file knows it: its last timestamp (ISO sorts).
    let end = iso
        .iter()
        .filter(|s| !s.is_empty())
        .max()
        .cloned()
        .unwrap_or_default();
    // Pair each person's actions in file order: row index -> (joined, left).
    let mut interval: Vec<Option<(String, String)>> = vec![None; t.rows.len()];
    let mut bad: Vec<Option<String>> = vec![None; t.rows.len()];
    let mut open: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in t.rows.iter().enumerate() {
        if let Err(reason) = row.shape(t.headers.len()) {
            bad[i] = Some(reason);
            continue;
        }
        let who = crate::quality::norm_name(&row.get(name));
        let act = row.get(action).to_ascii_lowercase();
        if act.starts_with("joined") {
            open.entry(who).or_default().push(i);
        } else if act.starts_with("left") {
            match open
                .get_mut(&who)
                .and_then(|v| (!v.is_empty()).then(|| v.remove(0)))
            {
                Some(j) => {
                    let pair = (iso[j].clone(), iso[i].clone());
                    interval[j] = Some(pair.clone());
                    interval[i] = Some(pair);
                }
                None => {
                    bad[i] = Some("`Left` with no `Joined` before it for this person".to_string())
                }
            }
        } else {
            bad[i] = Some(format!(
                "unknown user action `{}` (expected Joined, Joined before or Left)",
                row.get(action)
            ));
        }
    }
    // Still in the meeting at download: until the file's last timestamp.
    for pending in open.values() {
        for &j in pending {
            interval[j] = Some((iso[j].clone(), end.clone()));
        }
    }
    let mut rows = Vec::new();
    for (i, row) in t.rows.iter().enumerate() {
        match (&bad[i], &interval[i]) {
            (Some(reason), _) => rows.push(Out::Bad {
                line: row.line,
                reason: reason.clone(),
                raw: row.raw.clone(),
            }),
            (None, Some((joined, left))) => {
                let mut fields = ctx.blank();
                let id = row.get(email);
                ctx.set(
                    &mut fields,
                    USER_ID,
                    if id.is_empty() { row.get(name) } else { id },
                );
                ctx.set(&mut fields, SESSION, session);
                ctx.set(&mut fields, JOINED_AT, joined.clone());
                ctx.set(&mut fields, LEFT_AT, left.clone());
                rows.push(Out::Row {
                    line: row.line,
                    fields,
                    raw: row.raw.clone(),
                });
            }
            (None, None) => rows.push(Out::Bad {
                line: row.line,
                reason: "an action that pairs with nothing".to_string(),
                raw: row.raw.clone(),
            }),
        }
    }
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

//! Zoom participant reports ("Reports > Usage > Participants > Export", or a
//! meeting's "Export with meeting data") and webinar attendee reports as training
//! intervals.
//!
//! With meeting data the file opens with a meeting block (`Meeting ID, Topic, Start
//! Time, End Time, ...`, or since 2023 `Topic, ID, Host, Duration (minutes), Start
//! time, ...`) and one value row, a blank line, then the participants: `Name
//! (Original Name), User Email, Join Time, Leave Time, Duration (Minutes), Guest`.
//! "Show unique users" writes `Total Duration (Minutes)` and no join or leave time:
//! a person then attended from the meeting's start for their total duration. The
//! usage report of many meetings repeats `User Email` (the host's, then the
//! participant's) and `Topic` on every row: the email after the participant's name,
//! and the row's topic, are read. A webinar attendee report has sections (`Host
//! Details`, `Panelist Details`, `Attendee Details`) each with its own header
//! (`Attended, User Name (Original Name), Email, Join Time, ...`); registrants who
//! did not attend (`Attended` = `No`, times `--`) are quarantined with that reason.
//!
//! A report downloaded in Italian (`Argomento`, `Ora di inizio`, `Nome (nome
//! originale)`, `E-mail`, `Ora di ingresso`, `Ora di uscita`, `Durata (minuti)`) is
//! read the same way (docs/exports.md, "Zoom").
//!
//! Dates are `03/08/2022 09:49:29 AM` or `Mar 22, 2025 19:13:27`, month-first
//! unless the values decide otherwise, a 24-hour clock shows an account set to a
//! day-first layout (`15/08/2022 01:27`), or the labels are Italian (day-first, AM/PM
//! or not); a `date_order` setting overrides that.
//! They are in the account's zone (read in the rollout's zone). Guests have no
//! email: they are named by their name (`iPhone (Ann Lee)` matches Ann Lee). The session is the row's topic, else the
//! meeting block's, else the file name; `columns.user_id`/`columns.session` override.

use chrono::{Duration, NaiveDateTime};

use crate::config::DateOrder;
use crate::error::Error;
use crate::schema::{JOINED_AT, LEFT_AT, SESSION, USER_ID};

use super::sessions::{bad, configured, file_session, locale_order, Interval};
use crate::ingest::dates::parse_iso;
use crate::ingest::table::{
    find_header, lines, parse_table, squash, Adapted, Ctx, Table, TableRow,
};

/// Headers naming the participant, most specific first (English, then Italian:
/// see docs/exports.md, "Zoom", for where each label was seen).
const NAMES: &[&str] = &[
    "Name (Original Name)",
    "User Name (Original Name)",
    "Participant",
    "Name",
    "User Name",
    "Nome (nome originale)",
];
const EMAILS: &[&str] = &["User Email", "Email", "E-mail"];
const JOINS: &[&str] = &["Join Time", "Ora di ingresso"];
const LEAVES: &[&str] = &["Leave Time", "Ora di uscita"];
const DURATIONS: &[&str] = &[
    "Total Duration (Minutes)",
    "Duration (Minutes)",
    "Time in Session (minutes)",
    "Durata (minuti)",
];
/// The meeting block's topic and start, and a usage report's per-row topic.
const TOPICS: &[&str] = &["Topic", "Argomento"];
const STARTS: &[&str] = &["Start Time", "Actual Start Time", "Ora di inizio"];
/// Labels of a report downloaded in a language other than English. Every public
/// Italian report seen writes its dates day-first, also with AM/PM (`19/09/2025
/// 01:58:39 PM`), so such a report is read day-first unless its values decide.
const TRANSLATED: &[&str] = &["Argomento", "Nome (nome originale)", "Ora di ingresso"];

/// The meeting a report is about, from its meeting block.
#[derive(Default)]
struct Meeting {
    topic: Option<String>,
    start: Option<String>,
}

/// Reads one Zoom participant or attendee report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let all: Vec<(u64, usize, &str)> = lines(text).collect();
    let squashed = |l: &str| -> Vec<String> {
        let t = parse_table(l, 1);
        t.headers.iter().map(|h| squash(h)).collect()
    };
    let mut meeting = Meeting::default();
    let mut starts = Vec::new();
    let mut translated = false;
    for (i, (_, _, l)) in all.iter().enumerate() {
        let c = squashed(l);
        let any = |ns: &[&str]| ns.iter().any(|n| c.iter().any(|x| squash(n) == *x));
        if any(TOPICS) && !any(JOINS) && !any(NAMES) {
            // The meeting block: its header, then the first non-blank line.
            if let Some((_, _, value)) = all[i + 1..].iter().find(|(_, _, l)| !l.trim().is_empty())
            {
                let block = parse_table(&format!("{l}\n{value}"), 1);
                let cell = |names: &[&str]| {
                    block
                        .rows
                        .first()
                        .map(|r| r.get(find_any(&block, names)))
                        .filter(|s| !s.is_empty())
                };
                meeting.topic = cell(TOPICS);
                meeting.start = cell(STARTS);
                translated |= any(TRANSLATED);
            }
            continue;
        }
        if any(NAMES) && (any(JOINS) || any(DURATIONS)) {
            translated |= any(TRANSLATED);
            starts.push(i);
        }
    }
    // Each table runs from its header to a blank line, a section title (a line of one
    // cell, `Attendee Details,`) or the next header.
    let mut tables = Vec::new();
    for (k, &i) in starts.iter().enumerate() {
        let (n, offset, _) = all[i];
        let stop = starts.get(k + 1).copied().unwrap_or(all.len());
        let end = all[i + 1..stop]
            .iter()
            .find(|(_, _, l)| {
                let t = parse_table(l, 1);
                t.headers.iter().filter(|h| !h.is_empty()).count() <= 1
            })
            .or(all.get(stop))
            .map_or(text.len(), |(_, o, _)| *o);
        tables.push(parse_table(&text[offset..end], n));
    }
    if tables.is_empty() {
        // No participants table: the usual missing-column error names what was found.
        let t = parse_table(text, 1);
        ctx.map_providing(&t.headers, &[(JOINED_AT, JOINS)], &[SESSION, USER_ID])?;
        return Ok(Adapted::default());
    }
    let session = meeting.topic.clone().unwrap_or_else(|| file_session(ctx));
    // Every time the file writes weighs in the date order (a usage report's
    // `Creation Time` may decide it when the join times do not).
    let cells: Vec<String> = tables
        .iter()
        .flat_map(|t| {
            let times: Vec<usize> = (0..t.headers.len())
                .filter(|&i| {
                    let h = squash(&t.headers[i]);
                    h.contains("time") || JOINS.iter().chain(LEAVES).any(|n| squash(n) == h)
                })
                .collect();
            t.rows
                .iter()
                .flat_map(move |r| times.clone().into_iter().map(|i| r.get(Some(i))))
        })
        .chain(meeting.start.clone())
        .collect();
    // Month-first unless the values decide, or a 24-hour clock says the account is
    // not set to the US layout, or the labels are Italian (see `TRANSLATED`).
    let hint = if translated {
        Some(DateOrder::Dmy)
    } else {
        locale_order(false, cells.iter().map(String::as_str)).or(Some(DateOrder::Mdy))
    };
    let dates = ctx.dates_or(cells.iter().map(String::as_str), false, hint)?;
    let mut rows = Vec::new();
    for t in &tables {
        rows.extend(read_table(ctx, t, &meeting, &session, &dates)?);
    }
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

/// The first header of `t` among `names`, in their order.
fn find_any(t: &Table, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| find_header(&t.headers, n))
}

fn read_table(
    ctx: &Ctx<'_>,
    t: &Table,
    meeting: &Meeting,
    session: &str,
    dates: &crate::ingest::dates::IsoWriter,
) -> Result<Vec<crate::ingest::table::Out>, Error> {
    let unique = find_any(t, JOINS).is_none();
    let provides: &[&str] = if unique {
        &[SESSION, USER_ID, JOINED_AT, LEFT_AT]
    } else {
        &[SESSION, USER_ID]
    };
    let map = ctx.map_providing(
        &t.headers,
        &[(JOINED_AT, JOINS), (LEFT_AT, LEAVES)],
        provides,
    )?;
    let (c_join, c_left) = (
        map[ctx.ix(JOINED_AT).expect("training wants joined_at")],
        map[ctx.ix(LEFT_AT).expect("training wants left_at")],
    );
    let name = find_any(t, NAMES);
    // The participant's email: the first email header after their name (a usage
    // report writes the host's `User Email` before it).
    let email = name
        .and_then(|n| {
            t.headers
                .iter()
                .enumerate()
                .skip(n)
                .find(|(_, h)| EMAILS.iter().any(|e| squash(e) == squash(h)))
                .map(|(i, _)| i)
        })
        .or_else(|| find_any(t, EMAILS));
    let duration = DURATIONS
        .iter()
        .find_map(|d| t.headers.iter().rposition(|h| squash(h) == squash(d)));
    let attended = find_header(&t.headers, "Attended");
    let user = configured(ctx, &t.headers, USER_ID);
    let own_session = configured(ctx, &t.headers, SESSION).or_else(|| find_any(t, TOPICS));
    let start = meeting.start.as_deref().map(|s| dates.iso(s));
    let mut rows = Vec::new();
    for row in &t.rows {
        if let Err(reason) = row.shape(t.headers.len()) {
            rows.push(bad(row, reason));
            continue;
        }
        if row.get(attended).eq_ignore_ascii_case("no") {
            rows.push(bad(row, "registered but did not attend (Attended = No)"));
            continue;
        }
        let mut id = row.get(user.or(email));
        if id.is_empty() && user.is_none() {
            id = row.get(name);
        }
        let own = row.get(own_session);
        let session = if own.is_empty() {
            session.to_string()
        } else {
            own
        };
        let (joined, left) = if unique {
            match unique_interval(row, start.as_deref(), duration) {
                Ok(pair) => pair,
                Err(reason) => {
                    rows.push(bad(row, reason));
                    continue;
                }
            }
        } else {
            (row.get(c_join), row.get(c_left))
        };
        rows.push(
            Interval {
                user: id,
                session: &session,
                joined: &joined,
                left: &left,
            }
            .out(ctx, row, dates),
        );
    }
    Ok(rows)
}

/// A "show unique users" row's interval: from the meeting's start (ISO) for the
/// row's total duration.
fn unique_interval(
    row: &TableRow,
    start: Option<&str>,
    duration: Option<usize>,
) -> Result<(String, String), String> {
    let start = start.and_then(parse_iso).map(|(t, _)| t).ok_or(
        "no join time, and no meeting start to count from: export the report \"with meeting data\"",
    )?;
    let minutes: f64 = row.get(duration).parse().map_err(|_| {
        format!(
            "no join time, and the duration `{}` is not a number of minutes",
            row.get(duration)
        )
    })?;
    let left: NaiveDateTime = start + Duration::seconds((minutes * 60.0).round() as i64);
    let iso = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    Ok((iso(start), iso(left)))
}

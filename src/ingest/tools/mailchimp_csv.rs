//! Mailchimp's campaign report CSVs as email events (`format = "mailchimp"`, told
//! from the JSON report by content).
//!
//! Two kinds are read:
//!
//! - the member lists of a report's activity ("Reports > View report > Activity >
//!   Opened / Clicked / Bounced / Sent to / Didn't open > Export"): `Email Address,
//!   First Name, Last Name, ...`, one row per recipient. The file says which
//!   activity it lists only by its name (`opened.csv`, `clicked_members.csv`), so the
//!   event comes from the file name; an `Action`/`Activity` column, when present,
//!   wins.
//! - the campaign report export ("Reports > View report > Download > Export as
//!   CSV"): `Key:,value` lines (`Title:`, `Delivery Date/Time:`), then the
//!   subscriber activity table with per-person `Opens` and `Clicks` counts. Each row
//!   gives a `sent`, plus an `open` and a `click` when its counts say so.
//!
//! The time is the row's own (`Timestamp`, `Time`, `Open Time`, ...) when it has
//! one, else the report's delivery time, else a date in the file's or folder's name
//! (`2024-01-15 Kickoff/opened.csv`, the day's start); a row with none of these is
//! quarantined with that reason (uptake does not invent a time). Times are the account's local time (read in the rollout's zone). The
//! campaign is `campaign_from` (a column or a `Key:` of the report), else a
//! `Campaign` column, else the report's title, else the file name without its
//! activity word (or the folder's name when nothing is left: `Kickoff/opened.csv`).

use crate::error::Error;
use crate::schema::{CAMPAIGN, EVENT, TIMESTAMP, USER_ID};

use super::sessions::bad;
use crate::ingest::dates::{parse_iso, parse_local};
use crate::ingest::table::{find_header, lines, parse_table, squash, Adapted, Ctx, Out, TableRow};

/// Headers of the recipient's address.
const EMAILS: &[&str] = &["Email Address", "Email", "E-mail Address", "email_address"];
/// Headers of a row's own time.
const TIMES: &[&str] = &[
    "Timestamp",
    "Time",
    "Date",
    "Activity Time",
    "Activity Date",
    "Open Time",
    "Open Date",
    "Click Time",
    "Click Date",
    "Bounce Time",
    "Bounce Date",
];
/// Headers of a row's activity.
const ACTIONS: &[&str] = &["Action", "Activity", "Event"];
/// `Key:` lines of a report that give its title, and its delivery time.
const TITLE_KEYS: &[&str] = &[
    "title",
    "campaigntitle",
    "campaignname",
    "subjectline",
    "subject",
];
const SENT_KEYS: &[&str] = &[
    "deliverydatetime",
    "deliverydate",
    "sendtime",
    "senddate",
    "sent",
    "datesent",
];

/// What a word of a file name or an activity cell means, if anything uptake
/// measures: `Some(None)` for an activity it does not measure (unsubscribes).
fn activity(word: &str) -> Option<Option<&'static str>> {
    let w = squash(word);
    let has = |s: &str| w.contains(s);
    if has("notopen") || has("didntopen") || has("unopen") || has("notclick") || has("didntclick") {
        // Not opened (or not clicked): still recipients.
        return Some(Some("sent"));
    }
    if has("unsub") || has("abuse") || has("complain") || has("forward") {
        return Some(None);
    }
    if has("click") {
        Some(Some("click"))
    } else if has("open") {
        Some(Some("open"))
    } else if has("bounce") || has("cleaned") {
        Some(Some("bounce"))
    } else if has("sent") || has("recipient") || has("deliver") {
        Some(Some("sent"))
    } else {
        None
    }
}

/// Reads one campaign report CSV.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let all: Vec<(u64, usize, &str)> = lines(text).collect();
    let header_at = all.iter().position(|(_, _, l)| {
        let t = parse_table(l, 1);
        EMAILS.iter().any(|e| find_header(&t.headers, e).is_some())
    });
    let Some(h) = header_at else {
        // No address column: the usual missing-column error names what was found.
        let t = parse_table(text, 1);
        ctx.map_providing(
            &t.headers,
            &[(USER_ID, EMAILS)],
            &[CAMPAIGN, EVENT, TIMESTAMP],
        )?;
        return Ok(Adapted::default());
    };
    // The report's `Key:,value` lines before the table.
    let mut keys: Vec<(String, String)> = Vec::new();
    for (_, _, l) in &all[..h] {
        let t = parse_table(l, 1);
        let cells: Vec<&String> = t.headers.iter().filter(|c| !c.is_empty()).collect();
        if let [k, v, ..] = cells.as_slice() {
            keys.push((squash(k), crate::ingest::table::clean(v)));
        }
    }
    let key = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| keys.iter().find(|(k, v)| k == n && !v.is_empty()))
            .map(|(_, v)| v.clone())
    };
    let (n, offset, _) = all[h];
    let end = all[h + 1..]
        .iter()
        .find(|(_, _, l)| {
            let t = parse_table(l, 1);
            t.headers.iter().filter(|c| !c.is_empty()).count() <= 1
        })
        .map_or(text.len(), |(_, o, _)| *o);
    let table = parse_table(&text[offset..end], n);
    let map = ctx.map_providing(
        &table.headers,
        &[(USER_ID, EMAILS)],
        &[CAMPAIGN, EVENT, TIMESTAMP],
    )?;
    let c_user = map[ctx.ix(USER_ID).expect("email wants user_id")];
    let find_any = |names: &[&str]| names.iter().find_map(|n| find_header(&table.headers, n));
    let c_time = find_any(TIMES);
    let c_action = find_any(ACTIONS);
    let (c_opens, c_clicks) = (
        find_any(&["Opens", "Open Count"]),
        find_any(&["Clicks", "Click Count"]),
    );
    let from = ctx.cfg.campaign_from.as_deref();
    let c_campaign = from
        .and_then(|f| find_header(&table.headers, f))
        .or_else(|| find_any(&["Campaign", "Campaign Title", "Campaign Name"]));
    let campaign = from
        .and_then(|f| key(&[squash(f).as_str()]))
        .or_else(|| key(TITLE_KEYS))
        .unwrap_or_else(|| file_campaign(ctx));
    let file_event = ctx
        .path
        .file_stem()
        .and_then(|s| activity(&s.to_string_lossy()));
    let cells: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.get(c_time))
        .chain(key(SENT_KEYS))
        .collect();
    let dates = ctx.dates(cells.iter().map(String::as_str), false)?;
    let sent_at = key(SENT_KEYS)
        .map(|s| dates.iso(&s))
        .or_else(|| name_date(ctx));
    let mut rows = Vec::new();
    for row in &table.rows {
        if let Err(reason) = row.shape(table.headers.len()) {
            rows.push(bad(row, reason));
            continue;
        }
        let own = dates.iso(&row.get(c_time));
        let at = if readable(&own) {
            Some(own)
        } else {
            sent_at.clone()
        };
        let Some(at) = at else {
            rows.push(bad(
                row,
                "no time: the row has none and the report no delivery time (export the campaign report, or add a Timestamp column)",
            ));
            continue;
        };
        let campaign = Some(row.get(c_campaign))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| campaign.clone());
        let event = |kind: &str| {
            let mut fields = ctx.blank();
            ctx.set(&mut fields, USER_ID, row.get(c_user));
            ctx.set(&mut fields, CAMPAIGN, campaign.clone());
            ctx.set(&mut fields, EVENT, kind);
            ctx.set(&mut fields, TIMESTAMP, at.clone());
            Out::Row {
                line: row.line,
                fields,
                raw: row.raw.clone(),
            }
        };
        let counted = |c: Option<usize>| row.get(c).parse::<f64>().is_ok_and(|n| n > 0.0);
        if c_action.is_some() {
            match activity(&row.get(c_action)) {
                Some(Some(kind)) => rows.push(event(kind)),
                _ => rows.push(unmeasured(row, &row.get(c_action))),
            }
        } else if c_opens.is_some() || c_clicks.is_some() {
            rows.push(event("sent"));
            if counted(c_opens) {
                rows.push(event("open"));
            }
            if counted(c_clicks) {
                rows.push(event("click"));
            }
        } else {
            match file_event {
                Some(Some(kind)) => rows.push(event(kind)),
                Some(None) => rows.push(unmeasured(row, &super::sessions::file_session(ctx))),
                None => rows.push(bad(
                    row,
                    "the file does not say which activity it lists: name it after the report's list (opened.csv, clicked.csv, bounced.csv, sent.csv)",
                )),
            }
        }
    }
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

fn unmeasured(row: &TableRow, what: &str) -> Out {
    bad(
        row,
        format!(
            "Mailchimp activity `{what}` is not one uptake measures (sent, open, click, bounce)"
        ),
    )
}

/// Whether `iso` (an ISO writer's output) is a time `quality` will read.
fn readable(iso: &str) -> bool {
    !iso.is_empty() && (parse_iso(iso).is_some() || parse_local(iso).is_some())
}

/// A date in the file's or its folder's name (`opened_2024-01-15.csv`,
/// `2024_01_15 Kickoff/opened.csv`), as the day's start.
fn name_date(ctx: &Ctx<'_>) -> Option<String> {
    let names = [
        ctx.path.file_name(),
        ctx.path.parent().and_then(|p| p.file_name()),
    ];
    names.into_iter().flatten().find_map(|n| {
        let n = n.to_string_lossy().replace('_', "-");
        (0..n.len().saturating_sub(9))
            .filter(|&i| n.is_char_boundary(i) && n.is_char_boundary(i + 10))
            .find_map(|i| {
                let d = &n[i..i + 10];
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
            })
            .map(|d| format!("{d}T00:00:00"))
    })
}

/// The campaign a file's name gives: its stem without the activity words, else the
/// folder's name.
fn file_campaign(ctx: &Ctx<'_>) -> String {
    let stem = super::sessions::file_session(ctx);
    let kept: Vec<&str> = stem
        .split(['_', '-', ' ', '.'])
        .filter(|w| {
            !w.is_empty()
                && activity(w).is_none()
                && !w.bytes().all(|b| b.is_ascii_digit())
                && !matches!(
                    squash(w).as_str(),
                    "members" | "export" | "to" | "not" | "didnt"
                )
        })
        .collect();
    if kept.is_empty() {
        ctx.path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(stem)
    } else {
        kept.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_words_of_file_names() {
        assert_eq!(activity("opened"), Some(Some("open")));
        assert_eq!(activity("not_opened"), Some(Some("sent")));
        assert_eq!(activity("Didn't open"), Some(Some("sent")));
        assert_eq!(activity("clicked_members"), Some(Some("click")));
        assert_eq!(activity("hard_bounces"), Some(Some("bounce")));
        assert_eq!(activity("sent_to"), Some(Some("sent")));
        assert_eq!(activity("unsubscribed"), Some(None));
        assert_eq!(activity("kickoff"), None);
    }
}

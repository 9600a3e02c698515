//! A Teams or Zoom attendance file read as touchpoints: a meeting reaches the people
//! who attended it (a kickoff town hall, an enrollment Q&A).
//!
//! The file is read by its training adapter (`teams/`, `zoom.rs`), every layout and
//! language they know, as attendance intervals; each attendee of a meeting then
//! gives one touchpoint, on channel `meeting`, at their first join, with the
//! meeting's title (the session) as its campaign. Every interval row is handed on
//! as its attendee's touchpoint, so a person who joined twice gives two identical
//! rows and `quality` counts the second as a duplicate: rows stay accounted for.
//! `columns = { timestamp = "…" }` names the join column and `campaign` the title's
//! column, as `joined_at` and `session` do for training.

use std::collections::{BTreeMap, HashMap};

use crate::config::{RosterColumns, Tool};
use crate::error::Error;
use crate::ingest::dates::parse_iso;
use crate::ingest::table::{Adapted, Ctx, Out};
use crate::ingest::wanted_columns;
use crate::normalize::norm_id;
use crate::schema::{Source, CAMPAIGN, CHANNEL, JOINED_AT, MEETING, SESSION, TIMESTAMP, USER_ID};

use super::{teams, zoom};

/// Reads one Teams or Zoom attendance file as touchpoints.
pub fn read(tool: Tool, ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    // The attendance adapters read training's columns: the touchpoints' `columns`
    // say which of them they map.
    let mut cfg = ctx.cfg.clone();
    cfg.columns = ctx
        .cfg
        .columns
        .iter()
        .filter_map(|(k, v)| {
            let k = match k.as_str() {
                TIMESTAMP => JOINED_AT,
                CAMPAIGN => SESSION,
                USER_ID => USER_ID,
                _ => return None,
            };
            Some((k.to_string(), v.clone()))
        })
        .collect::<BTreeMap<_, _>>();
    let (wanted, n_required) = wanted_columns(Source::Training, &RosterColumns::grouped_by(""));
    let attendance = Ctx {
        source: ctx.source,
        cfg: &cfg,
        path: ctx.path,
        wanted: &wanted,
        n_required,
    };
    let adapted = match tool {
        Tool::Teams => teams::read(&attendance, text)?,
        _ => zoom::read(&attendance, text)?,
    };
    let ix = |name: &str| {
        attendance
            .ix(name)
            .expect("training's columns hold the person, session and join")
    };
    let (c_user, c_session, c_join) = (ix(USER_ID), ix(SESSION), ix(JOINED_AT));
    // Each attendee's first join per meeting: the join written earliest.
    let mut first: HashMap<(String, &str), (i64, &str)> = HashMap::new();
    for out in &adapted.rows {
        if let Out::Row { fields, .. } = out {
            let Some(at) = instant(&fields[c_join]) else {
                continue;
            };
            let key = (norm_id(&fields[c_user]), fields[c_session].as_str());
            let entry = first.entry(key).or_insert((at, &fields[c_join]));
            if at < entry.0 {
                *entry = (at, &fields[c_join]);
            }
        }
    }
    let rows = adapted
        .rows
        .iter()
        .map(|out| match out {
            Out::Row { line, fields, raw } => {
                let key = (norm_id(&fields[c_user]), fields[c_session].as_str());
                let joined = first.get(&key).map_or(fields[c_join].as_str(), |f| f.1);
                let mut touchpoint = ctx.blank();
                ctx.set(&mut touchpoint, USER_ID, fields[c_user].as_str());
                ctx.set(&mut touchpoint, CHANNEL, MEETING);
                ctx.set(&mut touchpoint, TIMESTAMP, joined);
                ctx.set(&mut touchpoint, CAMPAIGN, fields[c_session].as_str());
                Out::Row {
                    line: *line,
                    fields: touchpoint,
                    raw: raw.clone(),
                }
            }
            bad => bad.clone(),
        })
        .collect();
    Ok(Adapted {
        rows,
        notes: adapted.notes,
    })
}

/// An ISO 8601 cell as seconds on one scale for comparing joins of one file: exact
/// with an offset, as written without (the file's times share one zone).
fn instant(cell: &str) -> Option<i64> {
    let (naive, offset) = parse_iso(cell.trim())?;
    Some(naive.and_utc().timestamp() - offset.unwrap_or(0))
}

//! Survey exports as survey responses: Microsoft Forms, SurveyMonkey and Qualtrics
//! CSVs, one row per response (`layouts.rs` holds each tool's header rows and the
//! columns it writes about a response rather than answers; `qualtrics.rs` what only
//! Qualtrics writes: previews, tests and spam, and the zone of its times).
//!
//! Each tool writes a few columns about the response (an id, start and end times,
//! the respondent's email), then one column per question, headed by its text (or,
//! in Qualtrics, its id, with the text on the second header row). From a response,
//! uptake reads:
//! - `submitted_at`: the tool's completion time;
//! - `user_id`: the respondent's email when the survey records it (Forms writes
//!   `anonymous` when it does not: read as no one);
//! - `score`: the question `columns = { score = "…" }` names (its header, or in
//!   Qualtrics and SurveyMonkey its text on a later header row); without that, the
//!   first question whose answers are all whole numbers (a rating, a 0–10
//!   recommendation), and a note says which question was taken. When no question is
//!   so, the run stops with a config error giving the `columns` line to write;
//! - the group column (the config's `group_by`): `columns` names it, else the
//!   column headed by that name (an anonymous response is counted under it);
//! - `comment`: only the question `columns = { comment = "…" }` names. Free text
//!   can name people: uptake never guesses which column holds it.
//!
//! An adapter judges no value: an answer off the scale, or not a number, is
//! quarantined by `quality`.

mod layouts;
mod qualtrics;

use crate::config::Tool;
use crate::error::{toml_string, Error, MissingColumn};
use crate::ingest::table::{find_header, lines, parse_table, Adapted, Ctx, Out, Table};
use crate::schema::{Source, COMMENT, SCORE, SUBMITTED_AT, USER_ID};

use layouts::Layout;

/// The Forms, SurveyMonkey and Qualtrics headers that tell their exports (for
/// `auto`), squashed: each set is all present in one tool's export.
pub const SIGNATURES: &[(Tool, &[&str])] = &[
    (Tool::Qualtrics, &["startdate", "enddate", "responseid"]),
    (Tool::SurveyMonkey, &["respondentid", "collectorid"]),
    (
        Tool::Forms,
        &["id", "starttime", "completiontime", "email", "name"],
    ),
];

/// Reads one survey export of `tool`.
pub fn read(tool: Tool, ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let layout = Layout::of(tool);
    let (first, offset) = lines(text)
        .find(|(_, _, l)| !l.trim().is_empty())
        .map_or((1, 0), |(n, o, _)| (n, o));
    let mut table = parse_table(&text[offset..], first);
    // The header rows after the first: question texts, kinds of answer, import ids.
    let labels = layout.header_rows(&mut table);
    let find = |header: &str| {
        find_header(&table.headers, header)
            .or_else(|| labels.iter().find_map(|row| find_header(row, header)))
    };
    // A column `columns` maps must be there.
    let configured = |canonical: &str| -> Result<Option<usize>, Error> {
        let Some(header) = ctx.cfg.columns.get(canonical) else {
            return Ok(None);
        };
        match find(header) {
            Some(j) => Ok(Some(j)),
            None => Err(Error::MissingColumn(Box::new(MissingColumn {
                source_name: ctx.source.name().to_string(),
                file: ctx.path.to_path_buf(),
                column: canonical.to_string(),
                config_key: Some(header.clone()),
                found: table.headers.clone(),
                closest: crate::ingest::closest_header(header, &table.headers),
                suggestion: Vec::new(),
                named_by: None,
            }))),
        }
    };
    let any = |names: &[&str]| names.iter().find_map(|n| find_header(&table.headers, n));
    let user = configured(USER_ID)?.or_else(|| any(layout.user));
    let submitted = match configured(SUBMITTED_AT)?.or_else(|| any(layout.submitted)) {
        Some(j) => j,
        None => {
            return Err(Error::MissingColumn(Box::new(MissingColumn {
                source_name: ctx.source.name().to_string(),
                file: ctx.path.to_path_buf(),
                column: SUBMITTED_AT.to_string(),
                config_key: None,
                found: table.headers.clone(),
                closest: crate::ingest::closest_header(layout.submitted[0], &table.headers),
                suggestion: Vec::new(),
                named_by: None,
            })))
        }
    };
    let group_by = group_column(ctx);
    let group = match group_by {
        Some(name) => configured(name)?.or_else(|| find(name)),
        None => None,
    };
    let comment = configured(COMMENT)?;
    let taken = [Some(submitted), user, group, comment];
    let (score, chosen) = match configured(SCORE)? {
        Some(j) => (j, None),
        None => {
            let questions: Vec<usize> = (0..table.headers.len())
                .filter(|j| !taken.contains(&Some(*j)) && !layout.is_metadata(&table.headers[*j]))
                .collect();
            match questions
                .iter()
                .copied()
                .find(|&j| whole_numbers(&table, j))
            {
                Some(j) => (j, Some(j)),
                None => return Err(no_score(ctx, &table, &labels, &questions)),
            }
        }
    };
    let mut notes = Vec::new();
    if let Some(j) = chosen {
        let text = question_text(&table, &labels, j);
        notes.push(format!(
            "{}: the score is the answers to “{text}”, the first question answered with whole numbers; to take another, write columns = {{ score = {} }}",
            ctx.path.display(),
            toml_string(&text)
        ));
    }
    let date_cells: Vec<String> = table.rows.iter().map(|r| r.get(Some(submitted))).collect();
    let dates = ctx.dates_or(
        date_cells.iter().map(String::as_str),
        false,
        layout.date_order,
    )?;
    let zone = qualtrics::zone(tool, &labels, submitted);
    let status = (tool == Tool::Qualtrics)
        .then(|| find_header(&table.headers, "Status"))
        .flatten();
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let bad = |reason: String| Out::Bad {
            line: row.line,
            reason,
            raw: row.raw.clone(),
        };
        if let Err(reason) = row.shape(table.headers.len()) {
            rows.push(bad(reason));
            continue;
        }
        if let Some(reason) = qualtrics::not_a_response(&row.get(status)) {
            rows.push(bad(reason));
            continue;
        }
        let mut who = row.get(user);
        if who.eq_ignore_ascii_case("anonymous") {
            who.clear();
        }
        let written = dates.iso(&row.get(Some(submitted)));
        let mut fields = ctx.blank();
        ctx.set(&mut fields, SUBMITTED_AT, qualtrics::in_zone(zone, written));
        ctx.set(&mut fields, SCORE, row.get(Some(score)));
        ctx.set(&mut fields, USER_ID, who);
        ctx.set(&mut fields, COMMENT, row.get(comment));
        if let Some(name) = group_by {
            ctx.set(&mut fields, name, row.get(group));
        }
        rows.push(Out::Row {
            line: row.line,
            fields,
            raw: row.raw.clone(),
        });
    }
    Ok(Adapted { rows, notes })
}

/// The survey's group column: the wanted column that is none of the survey's
/// canonical ones (the config's `group_by`).
fn group_column<'c>(ctx: &'c Ctx<'_>) -> Option<&'c str> {
    let canonical = [Source::Survey.required(), Source::Survey.optional()].concat();
    ctx.wanted
        .iter()
        .map(String::as_str)
        .find(|w| !canonical.contains(w))
}

/// Whether column `j` has answers and every one is a whole number (`4`, `4.0`).
fn whole_numbers(table: &Table, j: usize) -> bool {
    let mut any = false;
    for row in &table.rows {
        let cell = row.get(Some(j));
        if cell.is_empty() {
            continue;
        }
        match cell.parse::<f64>() {
            Ok(v) if v.is_finite() && v.fract() == 0.0 => any = true,
            _ => return false,
        }
    }
    any
}

/// A question's text: its header, or where the tool writes the text on a later
/// header row (Qualtrics: `Q3` over the question), that text.
fn question_text(table: &Table, labels: &[Vec<String>], j: usize) -> String {
    let header = table.headers[j].clone();
    match labels.first().and_then(|row| row.get(j)) {
        Some(text) if !text.trim().is_empty() && !text.trim().starts_with('{') => {
            if header.trim().is_empty() || layouts::is_question_id(&header) {
                text.trim().to_string()
            } else {
                header
            }
        }
        _ => header,
    }
}

/// The error when no question is answered with whole numbers: the questions found,
/// and the `columns` line that names the score question.
fn no_score(ctx: &Ctx<'_>, table: &Table, labels: &[Vec<String>], questions: &[usize]) -> Error {
    let texts: Vec<String> = questions
        .iter()
        .map(|&j| question_text(table, labels, j))
        .collect();
    let shown: String = texts.join(" | ").chars().take(200).collect();
    let example = texts.first().map_or("<question>", String::as_str);
    Error::config(
        &ctx.cfg.config_file,
        format!("sources.{}.columns.{SCORE}", ctx.source.name()),
        format!(
            "{}: no question is answered with whole numbers, so which one is the score is not known (questions: {shown})",
            ctx.path.display()
        ),
    )
    .with_help(format!(
        "name the score question: [sources.{}] columns = {{ score = {} }}",
        ctx.source.name(),
        toml_string(example)
    ))
    .with_help("or export the answers as numbers (SurveyMonkey: \"Numerical value\"; Qualtrics: \"Use numeric values\")")
}

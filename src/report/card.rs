//! The Teams card: the [`View`] in, `teams_card.json` out — the headline and one line
//! per wave as an Adaptive Card (schema 1.5), wrapped in the message a Teams channel
//! webhook takes, so the file can be posted as it is (docs/outputs.md,
//! "teams_card.json").
//!
//! Every text from the data (rollout and wave names) is a `TextRun`, which card hosts
//! show as written (a `TextBlock` would read it as Markdown, so a wave named
//! `[x](…)` would become a link). Teams refuses webhook messages over 28 KB: when a
//! rollout has so many waves that the card would pass that, the last waves give way
//! to a line saying how many more the report holds. Only group figures reach the
//! card: no person is named.

use serde_json::{json, Value as Json};

use super::digest::Headline;
use super::format::plural;
use super::view::{GroupLine, View};

/// The card schema's address, which card designers and validators read.
const SCHEMA: &str = "http://adaptivecards.io/schemas/adaptive-card.json";
/// The largest message Teams accepts from a webhook is 28 KB; this leaves room for
/// the host's own envelope.
const MAX_BYTES: usize = 27 * 1024;

/// A run of text, shown as written.
fn run(text: &str) -> Json {
    json!({ "type": "TextRun", "text": text })
}

/// A block of runs.
fn block(inlines: Vec<Json>) -> Json {
    json!({ "type": "RichTextBlock", "inlines": inlines })
}

/// The card colour of a status (table name).
fn colour(status: &str) -> &'static str {
    match status {
        "on_track" => "Good",
        "at_risk" => "Warning",
        "behind" => "Attention",
        _ => "Default",
    }
}

/// A status in its colour.
fn status_run(status: &str, label: &str) -> Json {
    json!({ "type": "TextRun", "text": label, "weight": "Bolder", "color": colour(status) })
}

/// A table cell holding one block.
fn cell(inlines: Vec<Json>) -> Json {
    json!({ "type": "TableCell", "items": [block(inlines)] })
}

/// The table's header row.
fn header_row() -> Json {
    let bold = |t: &str| json!({ "type": "TextRun", "text": t, "weight": "Bolder" });
    let cells: Vec<Json> = ["Wave", "Status", "Enrolled", "Target today"]
        .iter()
        .map(|t| cell(vec![bold(t)]))
        .collect();
    json!({ "type": "TableRow", "cells": cells })
}

/// One wave: name, status, enrolled of eligible, today's target.
fn wave_row(line: &GroupLine) -> Json {
    json!({
        "type": "TableRow",
        "cells": [
            cell(vec![run(&line.wave)]),
            cell(vec![status_run(line.status, line.status_label)]),
            cell(vec![run(&line.enrolled_of_text)]),
            cell(vec![run(&line.target_text)]),
        ],
    })
}

/// The card with the first `waves` waves of the view.
fn card(view: &View, headline: &Headline, waves: usize) -> Json {
    let mut headline_runs = vec![run(&headline.figures)];
    if headline.shown {
        headline_runs.push(run(": "));
        headline_runs.push(status_run(headline.status, headline.status_label));
    }
    headline_runs.push(run("."));
    let mut body = vec![
        json!({
            "type": "RichTextBlock",
            "inlines": [{ "type": "TextRun", "text": headline.title, "size": "Large", "weight": "Bolder" }],
        }),
        block(headline_runs),
    ];
    if let Some(change) = &headline.change {
        body.push(block(vec![
            json!({ "type": "TextRun", "text": format!("{change}."), "isSubtle": true }),
        ]));
    }
    if !view.waves.is_empty() {
        let mut rows = vec![header_row()];
        rows.extend(view.waves.iter().take(waves).map(|w| wave_row(&w.line)));
        body.push(json!({
            "type": "Table",
            "spacing": "Medium",
            "firstRowAsHeader": true,
            "showGridLines": false,
            "columns": [{ "width": 3 }, { "width": 2 }, { "width": 3 }, { "width": 2 }],
            "rows": rows,
        }));
    }
    let more = view.waves.len().saturating_sub(waves);
    if more > 0 {
        body.push(block(vec![run(&format!(
            "And {} in the report.",
            plural(more as i64, "more wave", "more waves")
        ))]));
    }
    body.push(json!({
        "type": "RichTextBlock",
        "spacing": "Medium",
        "inlines": [{
            "type": "TextRun",
            "text": format!(
                "Groups under {} eligible people are folded together; figures count people enrolled by the end of {} ({}).",
                view.min_group_size, view.as_of, view.timezone
            ),
            "size": "Small",
            "isSubtle": true,
        }],
    }));
    json!({
        "$schema": SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.5",
        "fallbackText": format!("{}: {}.", headline.title, headline.figures),
        "body": body,
    })
}

/// The message a Teams webhook takes: one Adaptive Card attachment.
fn message(card: Json) -> Json {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// Renders `teams_card.json`: the webhook message holding the card, as compact JSON
/// on one line (what is posted is what counts against Teams' limit), with as many
/// waves as fit in a Teams message.
pub fn render(view: &View) -> String {
    let headline = Headline::of(view);
    let text = |waves: usize| {
        serde_json::to_string(&message(card(view, &headline, waves)))
            .expect("a JSON value always serialises")
            + "\n"
    };
    let all = text(view.waves.len());
    if all.len() <= MAX_BYTES {
        return all;
    }
    // The most waves that fit (at least none: the headline is always sent).
    let (mut lo, mut hi) = (0, view.waves.len() - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if text(mid).len() <= MAX_BYTES {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    text(lo)
}

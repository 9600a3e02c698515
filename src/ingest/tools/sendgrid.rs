//! SendGrid Event Webhook JSON as email events: a JSON array of events, or one
//! event object per line (as a webhook receiver usually stores them).
//!
//! Each event has `email`, `timestamp` (Unix seconds, UTC) and `event`; SendGrid's
//! events map onto uptake's five: `processed` is sent, `delivered`, `open`, `click`
//! and `bounce` keep their names, and `dropped` (SendGrid would not send it) counts
//! as a bounce. `deferred` (a retry), `spamreport`, `unsubscribe` and the group
//! (un)subscribes say nothing uptake measures: they are quarantined with that
//! reason, so every event is still accounted for. The campaign is `campaign_from`
//! (`category` or `marketing_campaign_name`, or any event field); by default
//! `marketing_campaign_name` when the event has one, else its category. A category
//! may be an array: its first element is the campaign. `sg_machine_open` marks Apple
//! Mail Privacy Protection prefetches, handed on as `machine_open`.

use serde_json::Value;

use crate::error::Error;
use crate::schema::{CAMPAIGN, EVENT, MACHINE_OPEN, TIMESTAMP, USER_ID};

use crate::ingest::table::{Adapted, Ctx, Out};

/// Reads one file of SendGrid events.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let events = json_objects(ctx, text)?;
    let rows = events
        .into_iter()
        .map(|(line, raw, parsed)| match parsed {
            Ok(v) => map_event(ctx, line, &v),
            Err(reason) => Out::Bad { line, reason, raw },
        })
        .collect();
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

fn map_event(ctx: &Ctx<'_>, line: u64, v: &Value) -> Out {
    let raw = v.to_string();
    let bad = |reason: String| Out::Bad {
        line,
        reason,
        raw: raw.clone(),
    };
    let Some(obj) = v.as_object() else {
        return bad("not a JSON object".to_string());
    };
    let text = |k: &str| -> String {
        match obj.get(k) {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Array(a)) => a
                .iter()
                .find_map(|x| x.as_str().map(|s| s.trim().to_string()))
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    let kind = text("event");
    let event = match kind.to_ascii_lowercase().as_str() {
        "processed" => "sent",
        "delivered" => "delivered",
        "open" => "open",
        "click" => "click",
        "bounce" | "dropped" => "bounce",
        "" => "",
        other => {
            return bad(format!(
                "SendGrid event `{other}` is not one uptake measures (processed, delivered, open, click, bounce, dropped)"
            ))
        }
    };
    let timestamp = match obj.get("timestamp") {
        Some(Value::Number(n)) => n
            .as_f64()
            .and_then(|s| chrono::DateTime::from_timestamp_millis((s * 1000.0).round() as i64))
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default(),
        Some(Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(secs) => chrono::DateTime::from_timestamp(secs, 0)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default(),
            Err(_) => s.trim().to_string(),
        },
        _ => String::new(),
    };
    let campaign = match ctx.cfg.campaign_from.as_deref() {
        Some(field) => text(field),
        None => {
            let name = text("marketing_campaign_name");
            if name.is_empty() {
                text("category")
            } else {
                name
            }
        }
    };
    let machine = matches!(obj.get("sg_machine_open"), Some(Value::Bool(true)))
        || text("sg_machine_open").eq_ignore_ascii_case("true");
    let mut fields = ctx.blank();
    ctx.set(&mut fields, USER_ID, text("email"));
    ctx.set(&mut fields, CAMPAIGN, campaign);
    ctx.set(&mut fields, EVENT, event);
    ctx.set(&mut fields, TIMESTAMP, timestamp);
    ctx.set(&mut fields, MACHINE_OPEN, if machine { "true" } else { "" });
    Out::Row { line, fields, raw }
}

/// One JSON value of a file: its line, its text, and the value or why it is not one.
pub type JsonItem = (u64, String, Result<Value, String>);

/// The objects of a JSON array, or of one-object-per-line JSON, each with the line it
/// starts on. A line of NDJSON that does not parse is an `Err` with the reason; a
/// broken array stops the file with an error naming the line.
pub fn json_objects(ctx: &Ctx<'_>, text: &str) -> Result<Vec<JsonItem>, Error> {
    // The line of a byte offset, by binary search: counting from the start for every
    // object made a 60,000-event export take minutes.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_of = |offset: usize| newlines.partition_point(|&n| n < offset) as u64 + 1;
    let trimmed = text.trim_start();
    let mut out = Vec::new();
    if trimmed.starts_with('[') {
        let mut pos = text.len() - trimmed.len() + 1;
        loop {
            let rest = &text[pos..];
            pos += rest.len()
                - rest
                    .trim_start_matches(|c: char| c.is_whitespace() || c == ',')
                    .len();
            if pos >= text.len() || text[pos..].starts_with(']') {
                break;
            }
            let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
            match stream.next() {
                Some(Ok(v)) => {
                    let end = pos + stream.byte_offset();
                    out.push((line_of(pos), text[pos..end].to_string(), Ok(v)));
                    pos = end;
                }
                Some(Err(e)) => {
                    return Err(Error::Unreadable {
                        file: ctx.path.to_path_buf(),
                        message: format!(
                            "the JSON array is not valid near line {}: {e}",
                            line_of(pos)
                        ),
                    })
                }
                None => break,
            }
        }
        return Ok(out);
    }
    // One object, pretty-printed over many lines (a saved API response).
    if trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            let start = text.len() - trimmed.len();
            return Ok(vec![(
                line_of(start),
                trimmed.trim_end().to_string(),
                Ok(v),
            )]);
        }
    }
    for (n, _, l) in crate::ingest::table::lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        let parsed =
            serde_json::from_str::<Value>(l).map_err(|e| format!("not a JSON object: {e}"));
        out.push((n, l.to_string(), parsed));
    }
    Ok(out)
}

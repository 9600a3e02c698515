//! Mailchimp's Marketing API `email-activity` report (`GET /reports/{campaign_id}/
//! email-activity`) as email events: `emails[]`, each with `email_address`,
//! `campaign_id` and `activity[]` of `{action, timestamp}` (`open`, `click`,
//! `bounce`; UTC). A file may hold one report, an array of reports, or one report per
//! line.
//!
//! The report has no send time: every recipient is handed on as one `sent` event at
//! the report's `send_time` when it has one, else at the earliest activity of the
//! file (so people who opened nothing still count as recipients), and each activity
//! as one event. The campaign is `campaign_from` when set (a field of the email or
//! report, such as `campaign_title`), else `campaign_id`.

use serde_json::Value;

use crate::error::Error;
use crate::schema::{CAMPAIGN, EVENT, TIMESTAMP, USER_ID};

use super::sendgrid::json_objects;
use crate::ingest::table::{Adapted, Ctx, Out};

/// Reads one Mailchimp file: JSON (the email-activity report) or CSV (the campaign
/// report's exports), told apart by its first character.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    if text.trim_start().starts_with(['[', '{']) {
        read_json(ctx, text)
    } else {
        super::mailchimp_csv::read(ctx, text)
    }
}

/// Reads one email-activity report file.
fn read_json(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let items = json_objects(ctx, text)?;
    let mut rows = Vec::new();
    // The line of each email: its `"email_address"` key, in order.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let mut email_lines = text
        .match_indices("\"email_address\"")
        .map(|(o, _)| newlines.partition_point(|&n| n < o) as u64 + 1);
    let mut notes = Vec::new();
    for (line, raw, parsed) in items {
        let report = match parsed {
            Ok(v) => v,
            Err(reason) => {
                rows.push(Out::Bad { line, reason, raw });
                continue;
            }
        };
        let reports: Vec<&Value> = match &report {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        for report in reports {
            let emails: Vec<&Value> = match report.get("emails") {
                Some(Value::Array(a)) => a.iter().collect(),
                _ if report.get("email_address").is_some() => vec![report],
                _ => Vec::new(),
            };
            let earliest = emails
                .iter()
                .flat_map(|e| activities(e))
                .filter_map(|a| a.get("timestamp").and_then(Value::as_str))
                .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .min()
                .map(|t| t.to_rfc3339());
            let send_time = report
                .get("send_time")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or(earliest.clone());
            if report.get("send_time").is_none() && earliest.is_some() {
                notes.push(format!(
                    "{}: the email-activity report has no send time: recipients are counted as sent at the first activity",
                    ctx.path.display()
                ));
            }
            for email in emails {
                let eline = email_lines.next().unwrap_or(line);
                let field = |k: &str| -> String {
                    email
                        .get(k)
                        .or_else(|| report.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .trim()
                        .to_string()
                };
                let address = field("email_address");
                let campaign = field(ctx.cfg.campaign_from.as_deref().unwrap_or("campaign_id"));
                let event = |kind: &str, at: String| {
                    let mut fields = ctx.blank();
                    ctx.set(&mut fields, USER_ID, address.clone());
                    ctx.set(&mut fields, CAMPAIGN, campaign.clone());
                    ctx.set(&mut fields, EVENT, kind);
                    ctx.set(&mut fields, TIMESTAMP, at);
                    fields
                };
                let raw = email.to_string();
                rows.push(Out::Row {
                    line: eline,
                    fields: event("sent", send_time.clone().unwrap_or_default()),
                    raw: raw.clone(),
                });
                for a in activities(email) {
                    let action = a.get("action").and_then(Value::as_str).unwrap_or("");
                    let at = a.get("timestamp").and_then(Value::as_str).unwrap_or("");
                    let kind = match action {
                        "open" | "click" | "bounce" => action,
                        other => {
                            rows.push(Out::Bad {
                                line: eline,
                                reason: format!(
                                    "Mailchimp action `{other}` is not one uptake measures (open, click, bounce)"
                                ),
                                raw: a.to_string(),
                            });
                            continue;
                        }
                    };
                    rows.push(Out::Row {
                        line: eline,
                        fields: event(kind, at.to_string()),
                        raw: a.to_string(),
                    });
                }
            }
        }
    }
    notes.dedup();
    Ok(Adapted { rows, notes })
}

fn activities(email: &Value) -> Vec<&Value> {
    match email.get("activity") {
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

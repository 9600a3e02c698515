//! What only Qualtrics writes: responses that are no one's answer (a survey
//! preview, a test, spam) in its `Status` column, and the zone its times are in,
//! named on its import-id header row (`{"ImportId":"recordedDate","timeZone":
//! "America/Denver"}`).

use chrono_tz::Tz;

use crate::config::Tool;
use crate::ingest::dates::parse_iso;

/// The zone of the completion times (column `submitted`), when a Qualtrics export's
/// import-id row names one.
pub(super) fn zone(tool: Tool, labels: &[Vec<String>], submitted: usize) -> Option<Tz> {
    if tool != Tool::Qualtrics {
        return None;
    }
    let cell = labels
        .iter()
        .filter_map(|row| row.get(submitted))
        .find(|c| c.contains("ImportId"))?;
    let (_, rest) = cell.split_once("\"timeZone\"")?;
    let name = rest.split('"').nth(1)?;
    match name {
        "Z" | "UTC" => Some(Tz::UTC),
        n => n.parse().ok(),
    }
}

/// The reason a response is not a person's answer, from its `Status`: a preview,
/// a test or spam (the labels Qualtrics writes when exporting choice text).
pub(super) fn not_a_response(status: &str) -> Option<String> {
    let s = status.to_lowercase();
    ["preview", "test", "spam"]
        .iter()
        .any(|w| s.contains(w))
        .then(|| format!("not a respondent's answer: the response's Status is `{status}`"))
}

/// An ISO 8601 time written without an offset, read in `zone` and written with
/// one (UTC); any other cell as it is.
pub(super) fn in_zone(zone: Option<Tz>, iso: String) -> String {
    let Some(tz) = zone else {
        return iso;
    };
    match parse_iso(&iso) {
        Some((naive, None)) => {
            let ms = crate::calendar::local_to_utc_ms(tz, naive);
            chrono::DateTime::from_timestamp_millis(ms)
                .map_or(iso, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        }
        _ => iso,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_id_row_names_the_zone() {
        let labels = vec![
            vec!["Start Date".to_string(), "Recorded Date".to_string()],
            vec![
                "{\"ImportId\":\"startDate\",\"timeZone\":\"America/Denver\"}".to_string(),
                "{\"ImportId\":\"recordedDate\",\"timeZone\":\"Europe/Paris\"}".to_string(),
            ],
        ];
        let tz = zone(Tool::Qualtrics, &labels, 1);
        assert_eq!(tz, Some(chrono_tz::Europe::Paris));
        assert_eq!(zone(Tool::Forms, &labels, 1), None);
        // 10:00 in Paris in November is 09:00 UTC.
        assert_eq!(
            in_zone(tz, "2026-11-18 10:00:00".to_string()),
            "2026-11-18T09:00:00Z"
        );
        assert_eq!(
            in_zone(tz, "2026-11-18T10:00:00Z".to_string()),
            "2026-11-18T10:00:00Z"
        );
        assert_eq!(in_zone(None, "x".to_string()), "x");
        assert!(not_a_response("Survey Preview").is_some());
        assert!(not_a_response("IP Address").is_none());
    }
}

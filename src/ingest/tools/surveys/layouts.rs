//! Each survey tool's export as data: its header rows, the columns it writes about a
//! response (not answers), where the respondent and the completion time are, and
//! the order of its numeric dates (docs/exports.md, "Surveys").

use crate::config::{DateOrder, Tool};
use crate::ingest::table::{squash, Table};

/// How one tool writes its responses.
pub(super) struct Layout {
    tool: Tool,
    /// The respondent's email, most specific first.
    pub(super) user: &'static [&'static str],
    /// The completion time, most specific first.
    pub(super) submitted: &'static [&'static str],
    /// Columns about the response, squashed.
    metadata: &'static [&'static str],
    /// Header beginnings of further such columns, as written (any case).
    prefixes: &'static [&'static str],
    /// The order of numeric dates when the file's values do not decide it.
    pub(super) date_order: Option<DateOrder>,
}

const FORMS: Layout = Layout {
    tool: Tool::Forms,
    user: &["Email"],
    submitted: &["Completion time"],
    metadata: &[
        "id",
        "starttime",
        "completiontime",
        "email",
        "name",
        "lastmodifiedtime",
        "totalpoints",
        "quizfeedback",
    ],
    // A quiz writes each question's points and feedback beside it.
    prefixes: &["Points - ", "Feedback - "],
    date_order: None,
};

const SURVEYMONKEY: Layout = Layout {
    tool: Tool::SurveyMonkey,
    user: &["Email Address"],
    submitted: &["End Date"],
    metadata: &[
        "respondentid",
        "collectorid",
        "startdate",
        "enddate",
        "ipaddress",
        "emailaddress",
        "firstname",
        "lastname",
    ],
    prefixes: &["Custom Data"],
    // The US layout SurveyMonkey writes by default (`01/15/2024 10:21:37 AM`).
    date_order: Some(DateOrder::Mdy),
};

const QUALTRICS: Layout = Layout {
    tool: Tool::Qualtrics,
    user: &["RecipientEmail", "Recipient Email"],
    submitted: &["RecordedDate", "Recorded Date", "EndDate", "End Date"],
    metadata: &[
        "startdate",
        "enddate",
        "status",
        "ipaddress",
        "progress",
        "durationinseconds",
        "finished",
        "recordeddate",
        "responseid",
        "recipientlastname",
        "recipientfirstname",
        "recipientemail",
        "externalreference",
        "externaldatareference",
        "locationlatitude",
        "locationlongitude",
        "distributionchannel",
        "userlanguage",
    ],
    // Qualtrics' own fields (`Q_RecaptchaScore`, `Q_RelevantIDDuplicate`, ...).
    prefixes: &["Q_"],
    date_order: None,
};

impl Layout {
    /// The layout of `tool`'s export (a survey tool).
    pub(super) fn of(tool: Tool) -> &'static Layout {
        match tool {
            Tool::SurveyMonkey => &SURVEYMONKEY,
            Tool::Qualtrics => &QUALTRICS,
            _ => &FORMS,
        }
    }

    /// Whether a column is about the response, not an answer.
    pub(super) fn is_metadata(&self, header: &str) -> bool {
        let h = header.trim();
        self.metadata.contains(&squash(h).as_str())
            || self.prefixes.iter().any(|p| {
                h.get(..p.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(p))
            })
    }

    /// Takes the header rows after the first out of `table`'s rows and hands them
    /// back: SurveyMonkey's kinds of answer (`Response`, `Open-Ended Response`, each
    /// choice of a multiple-answer question), Qualtrics' question texts and import
    /// ids (`{"ImportId":"QID3"}`; exports before 2017 have no such row). Forms
    /// writes one header row.
    pub(super) fn header_rows(&self, table: &mut Table) -> Vec<Vec<String>> {
        let col = |names: &[&str]| {
            table
                .headers
                .iter()
                .position(|h| names.contains(&squash(h).as_str()))
        };
        let mut out = Vec::new();
        match self.tool {
            Tool::SurveyMonkey => {
                // The second row has no respondent id.
                let id = col(&["respondentid"]);
                if table.rows.first().is_some_and(|r| r.get(id).is_empty()) {
                    out.push(table.rows.remove(0).cells);
                }
            }
            Tool::Qualtrics => {
                // The second row has the label `Response ID` where responses have
                // an id (`R_1a2B3c`).
                let id = col(&["responseid"]);
                if table
                    .rows
                    .first()
                    .is_some_and(|r| !r.get(id).starts_with("R_"))
                {
                    out.push(table.rows.remove(0).cells);
                    let import = |r: &crate::ingest::table::TableRow| {
                        r.cells
                            .iter()
                            .any(|c| c.trim_start().starts_with("{\"ImportId\""))
                    };
                    if table.rows.first().is_some_and(import) {
                        out.push(table.rows.remove(0).cells);
                    }
                }
            }
            _ => {}
        }
        out
    }
}

/// Whether a header is a Qualtrics question id (`Q3`, `Q3_1`, `QID12`, `Q2.1`)
/// rather than the question's text.
pub(super) fn is_question_id(header: &str) -> bool {
    let h = header.trim();
    let rest = h.strip_prefix("QID").or_else(|| h.strip_prefix('Q'));
    rest.is_some_and(|r| {
        r.starts_with(|c: char| c.is_ascii_digit())
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_and_question_ids() {
        assert!(FORMS.is_metadata("Completion time"));
        assert!(FORMS.is_metadata("Points - How satisfied are you?"));
        assert!(!FORMS.is_metadata("Feedback on the rollout"));
        assert!(!FORMS.is_metadata("How satisfied are you?"));
        assert!(SURVEYMONKEY.is_metadata("Custom Data 1"));
        assert!(QUALTRICS.is_metadata("Duration (in seconds)"));
        assert!(QUALTRICS.is_metadata("Q_RecaptchaScore"));
        assert!(!QUALTRICS.is_metadata("Q1"));
        for id in ["Q1", "Q3_1", "QID12", "Q2.1"] {
            assert!(is_question_id(id), "{id}");
        }
        for text in ["Quality of the help", "Q", "Department"] {
            assert!(!is_question_id(text), "{text}");
        }
    }
}

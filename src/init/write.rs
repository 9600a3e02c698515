//! The config `uptake init` writes, as commented TOML text.
//!
//! Takes a [`Draft`] (every value already chosen, with why); hands on the text.
//! What init read from the files is written as it is; what it guessed carries a
//! `GUESS` comment, and what only the user can know (the target curves) a
//! `PLACEHOLDER` one, so that both can be found with a search.

use std::fmt::Write as _;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::config::{DateOrder, Phase, Thresholds};
use crate::schema::Source;

use super::plan::{SurveyPlan, WorkloadPlan};
use super::scan::Layout;

/// The target curve written for every wave until the user sets the plan's own.
pub const PLACEHOLDER_CURVE: &str = "[[0, 0.0], [14, 0.5], [28, 0.8], [42, 0.95]]";

/// One source table to write.
#[derive(Debug, Clone)]
pub struct SourceDraft {
    /// The source.
    pub source: Source,
    /// Its path as written (relative to the config's folder; a folder ends in `/`).
    pub path: String,
    /// Its layout.
    pub layout: Layout,
    /// Dated snapshots of a state.
    pub snapshots: bool,
    /// The day order, why, and whether it is a guess.
    pub date_order: Option<(DateOrder, String, bool)>,
    /// Its workload's name, when several workloads are configured.
    pub workload: Option<String>,
    /// What it holds, in words (files, rows, days).
    pub about: String,
}

/// One wave to write.
#[derive(Debug, Clone)]
pub struct WaveDraft {
    /// Its name.
    pub name: String,
    /// Its workload, when several are configured.
    pub workload: Option<String>,
    /// Its first day.
    pub start: NaiveDate,
    /// Its groups (empty when a roster wave column says who is in it).
    pub groups: Vec<String>,
    /// Where the start comes from, and whether it is a guess.
    pub why: String,
    /// Whether the start is a guess (no enrollment to take it from).
    pub guessed: bool,
}

/// One campaign to write.
#[derive(Debug, Clone)]
pub struct CampaignDraft {
    /// Its name, as the email events carry it.
    pub name: String,
    /// Its phase, guessed from the name.
    pub phase: Phase,
    /// Why that phase.
    pub phase_why: String,
    /// The wave most of its recipients are in.
    pub wave: String,
    /// Why that wave.
    pub wave_why: String,
}

/// Everything the config says.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Lines of the opening comment.
    pub preamble: Vec<String>,
    /// `rollout.name`.
    pub name: String,
    /// Why `rollout.name` is what it is, when not the folder's name.
    pub name_why: Option<String>,
    /// `[survey]`, when a survey is placed.
    pub survey: Option<SurveyPlan>,
    /// `rollout.timezone`, and why.
    pub timezone: Option<(Tz, String)>,
    /// `rollout.group_by`, and why.
    pub group_by: (String, String),
    /// `rollout.cuts`, written as they are (the proposal reads wave columns this way).
    pub cuts: Vec<String>,
    /// Roster columns proposed as cuts, written commented out.
    pub cut_ideas: Vec<String>,
    /// The source tables.
    pub sources: Vec<SourceDraft>,
    /// `[[workloads]]`.
    pub workloads: Vec<WorkloadPlan>,
    /// `[[waves]]`.
    pub waves: Vec<WaveDraft>,
    /// `[[campaigns]]`.
    pub campaigns: Vec<CampaignDraft>,
}

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A list of TOML strings.
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A comment's text on one line.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The config's text.
pub fn render(d: &Draft) -> String {
    let mut t = String::new();
    for line in &d.preamble {
        let _ = writeln!(t, "# {}", one_line(line));
    }
    let _ = writeln!(t, "\n[rollout]");
    match &d.name_why {
        Some(why) => {
            let _ = writeln!(t, "name = {}  # GUESS: {}", quote(&d.name), one_line(why));
        }
        None => {
            let _ = writeln!(t, "name = {}", quote(&d.name));
        }
    }
    match &d.timezone {
        Some((tz, why)) => {
            let _ = writeln!(
                t,
                "timezone = {}  # GUESS: {}",
                quote(tz.name()),
                one_line(why)
            );
        }
        None => {
            let _ = writeln!(
                t,
                "# timezone = \"Europe/Paris\"  # no timestamp carries an offset: UTC until you set your zone (an IANA name)"
            );
        }
    }
    let _ = writeln!(
        t,
        "group_by = {}  # {}",
        quote(&d.group_by.0),
        one_line(&d.group_by.1)
    );
    if !d.cuts.is_empty() {
        let _ = writeln!(t, "cuts = {}", list(&d.cuts));
    }
    if !d.cut_ideas.is_empty() {
        let _ = writeln!(
            t,
            "# cuts = {}  # more roster columns to break each wave down by: uncomment to use",
            list(&d.cut_ideas)
        );
    }
    let _ = writeln!(
        t,
        "# as_of = \"YYYY-MM-DD\"  # default: the day of the latest event in the exports"
    );
    let th = Thresholds::default();
    let _ = writeln!(
        t,
        "\n[thresholds]  # the defaults: change them to your plan's"
    );
    let _ = writeln!(t, "training_min_minutes = {}", th.training_min_minutes);
    let _ = writeln!(t, "at_risk_margin = {:.2}", th.at_risk_margin);
    let _ = writeln!(t, "min_group_size = {}", th.min_group_size);
    if let Some(survey) = &d.survey {
        let (low, high) = survey.scale;
        let _ = writeln!(t, "\n[survey]");
        let _ = writeln!(
            t,
            "scale = [{low}, {high}]  # GUESS: {}",
            one_line(&survey.why)
        );
        match survey.satisfied_from {
            Some(s) => {
                let _ = writeln!(t, "satisfied_from = {s}  # PLACEHOLDER: the score from which a respondent is satisfied");
            }
            None => {
                let _ = writeln!(t, "# satisfied_from = {}  # the default on this scale: the score from which a respondent is satisfied", if (low, high) == (0, 10) { 9 } else { 4 });
            }
        }
    }

    let several = d
        .sources
        .iter()
        .filter(|s| s.source == Source::Enrollments)
        .count()
        > 1;
    for s in &d.sources {
        let _ = writeln!(t, "\n# {}", one_line(&s.about));
        if s.source == Source::Enrollments && several {
            let _ = writeln!(t, "[[sources.enrollments]]");
        } else {
            let _ = writeln!(t, "[sources.{}]", s.source.name());
        }
        let _ = writeln!(t, "path = {}", quote(&s.path));
        let _ = writeln!(
            t,
            "format = {}  # {}",
            quote(s.layout.format_name()),
            s.layout.label()
        );
        if s.snapshots {
            let _ = writeln!(t, "snapshots = true  # dated exports, one per day in their names: the history of its state");
        }
        if let Some((order, why, guess)) = &s.date_order {
            let name = match order {
                DateOrder::Dmy => "dmy",
                DateOrder::Mdy => "mdy",
            };
            let mark = if *guess { "GUESS: " } else { "" };
            let _ = writeln!(t, "date_order = {}  # {mark}{}", quote(name), one_line(why));
        }
        if let Some(w) = &s.workload {
            let _ = writeln!(t, "workload = {}", quote(w));
        }
    }

    for w in &d.workloads {
        let _ = writeln!(t, "\n[[workloads]]  # {}", one_line(&w.why));
        let _ = writeln!(t, "name = {}", quote(&w.name));
        if let Some(c) = &w.wave_column {
            let _ = writeln!(
                t,
                "wave_column = {}  # the roster column naming this workload's wave",
                quote(c)
            );
        }
    }

    for w in &d.waves {
        let mark = if w.guessed { "GUESS: " } else { "" };
        let _ = writeln!(t, "\n[[waves]]  # {mark}{}", one_line(&w.why));
        let _ = writeln!(t, "name = {}", quote(&w.name));
        if let Some(wl) = &w.workload {
            let _ = writeln!(t, "workload = {}", quote(wl));
        }
        let _ = writeln!(t, "start = \"{}\"", w.start);
        if !w.groups.is_empty() {
            let _ = writeln!(t, "groups = {}", list(&w.groups));
        }
        let _ = writeln!(
            t,
            "enrollment_target = {PLACEHOLDER_CURVE}  # PLACEHOLDER: (days since start, share enrolled) from your plan"
        );
        let _ = writeln!(
            t,
            "# email_open_target = 0.60  # PLACEHOLDER: share of recipients who should open"
        );
        let _ = writeln!(
            t,
            "# training_target = 0.50  # PLACEHOLDER: share of eligible people who should train"
        );
        let _ = writeln!(
            t,
            "# tickets_per_100_target = 15.0  # PLACEHOLDER: ceiling on tickets per 100 enrolled"
        );
    }

    for c in &d.campaigns {
        let _ = writeln!(t, "\n[[campaigns]]");
        let _ = writeln!(t, "name = {}", quote(&c.name));
        let _ = writeln!(
            t,
            "phase = {}  # GUESS: {}",
            quote(c.phase.name()),
            one_line(&c.phase_why)
        );
        let _ = writeln!(
            t,
            "wave = {}  # GUESS: {}",
            quote(&c.wave),
            one_line(&c.wave_why)
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_as_toml_reads_them() {
        for s in [
            "plain",
            "a \"quoted\" name",
            "back\\slash",
            "tab\there",
            "Zoé",
        ] {
            let text = format!("x = {}", quote(s));
            let v: toml::Table = toml::from_str(&text).unwrap();
            assert_eq!(v["x"].as_str(), Some(s));
        }
    }
}

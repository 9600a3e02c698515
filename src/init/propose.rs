//! The waves and campaigns `uptake init` proposes, from the data itself.
//!
//! Takes the [`Plan`]; writes a provisional config of its sources (waves that span
//! every day, so that no row is refused for its year) and reads it with the stage
//! `uptake run` reads with (`quality::ingest`), so that people are matched exactly
//! as a run matches them. From that data it hands on a [`Draft`]: one wave per group
//! (or per value of a roster wave column) starting the Monday on or before its
//! first enrollment, and the email campaigns with their phase guessed from their
//! names and their wave from their recipients (docs/init.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;

use crate::calendar::{date_of, monday_of};
use crate::config::{self, Phase};
use crate::dataset::Dataset;
use crate::error::Error;
use crate::progress::Progress;
use crate::quality;

use super::plan::{Plan, SourceTable};
use super::scan::Scan;
use super::write::{render, CampaignDraft, Draft, SourceDraft, WaveDraft};

/// Words in a campaign's name that say its phase, tried in this order (a name with
/// `post` and `enrollment` is a follow-up). A word ending in `*` is a prefix.
const PHASE_WORDS: &[(Phase, &[&str])] = &[
    (
        Phase::PostEnrollment,
        &[
            "post",
            "postenrol*",
            "after",
            "followup",
            "follow",
            "survey*",
            "feedback",
            "thanks",
            "thank",
        ],
    ),
    (
        Phase::PreEnrollment,
        &[
            "pre",
            "preenrol*",
            "prep*",
            "readiness",
            "ready",
            "heads",
            "headsup",
            "savethedate",
        ],
    ),
    (
        Phase::Kickoff,
        &[
            "kickoff*",
            "kick",
            "launch*",
            "announce*",
            "intro*",
            "lancement",
            "teaser",
        ],
    ),
    (
        Phase::Enrollment,
        &[
            "enrol*",
            "remind*",
            "deadline",
            "rappel",
            "nudge*",
            "inscri*",
            "lastchance",
            "action",
        ],
    ),
];

/// The phase a campaign's name says, and why; `enrollment` when it says none.
pub fn guess_phase(name: &str) -> (Phase, String) {
    let tokens: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    // `pre-enrollment` and `pre enrollment` as one word as well.
    let mut words = tokens.clone();
    words.extend(tokens.windows(2).map(|w| format!("{}{}", w[0], w[1])));
    for (phase, patterns) in PHASE_WORDS {
        for p in *patterns {
            let hit = words.iter().find(|w| match p.strip_suffix('*') {
                Some(prefix) => w.starts_with(prefix),
                None => *w == p,
            });
            if let Some(w) = hit {
                return (*phase, format!("the name says `{w}`"));
            }
        }
    }
    (
        Phase::Enrollment,
        "no phase word in the name: enrollment until you say otherwise".to_string(),
    )
}

/// The path of `target` as written in a config in folder `base`: relative when both
/// resolve under one folder other than the root, else absolute; `/` between parts, a
/// folder ending in `/`.
pub fn config_path(base: &Path, target: &Path, folder: bool) -> String {
    let abs = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (b, t) = (abs(base), abs(target));
    let bc: Vec<Component> = b.components().collect();
    let tc: Vec<Component> = t.components().collect();
    let common = bc.iter().zip(&tc).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    // Sharing the root alone is sharing nothing: `/srv/x.csv`, not `../../srv/x.csv`.
    let shared = bc[..common]
        .iter()
        .any(|c| matches!(c, Component::Normal(_)));
    if !shared {
        parts.push(t.display().to_string());
    } else {
        parts.extend(std::iter::repeat_n("..".to_string(), bc.len() - common));
        parts.extend(
            tc[common..]
                .iter()
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        );
    }
    let mut s = parts.join("/");
    if s.is_empty() {
        s = ".".to_string();
    }
    if folder && !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// What a table holds, in words, for the comment above it.
fn about(t: &SourceTable, scan: &Scan) -> String {
    let rows: u64 = t.files.iter().map(|&i| scan.found[i].rows).sum();
    let spans: Vec<(NaiveDate, NaiveDate)> =
        t.files.iter().filter_map(|&i| scan.found[i].span).collect();
    let first = spans.iter().map(|s| s.0).min();
    let last = spans.iter().map(|s| s.1).max();
    let files = if t.files.len() == 1 {
        scan.found[t.files[0]].rel.clone()
    } else {
        format!("{} files", t.files.len())
    };
    let days = match (first, last) {
        (Some(a), Some(b)) => format!(", {a} to {b}"),
        _ => String::new(),
    };
    format!("{}: {files}, {rows} rows{days}", t.source)
}

/// The source tables as written in a config at `out`.
fn source_drafts(out: &Path, plan: &Plan, scan: &Scan) -> Vec<SourceDraft> {
    let base = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    plan.tables
        .iter()
        .map(|t| SourceDraft {
            source: t.source,
            path: config_path(base, &t.path, t.path.is_dir()),
            layout: t.layout,
            snapshots: t.snapshots,
            date_order: t.date_order.clone(),
            workload: t.workload.map(|w| plan.workloads[w].name.clone()),
            about: about(t, scan),
        })
        .collect()
}

/// The roster columns that name a wave: each workload's `wave_column`, or the
/// canonical `wave` column of a rollout with one workload.
fn wave_columns(plan: &Plan, scan: &Scan) -> Vec<Option<String>> {
    if plan.workloads.is_empty() {
        let roster = &scan.found[plan.roster().files[0]];
        let wave = crate::ingest::table::find_header(&roster.headers, crate::schema::WAVE)
            .map(|j| roster.headers[j].clone());
        vec![wave]
    } else {
        plan.workloads
            .iter()
            .map(|w| w.wave_column.clone())
            .collect()
    }
}

/// Reads the plan's sources with provisional waves; returns the data.
fn read_data(out: &Path, name: &str, plan: &Plan, scan: &Scan) -> Result<Dataset, Error> {
    let cuts: Vec<String> = wave_columns(plan, scan).into_iter().flatten().collect();
    let workloads: Vec<Option<String>> = if plan.workloads.is_empty() {
        vec![None]
    } else {
        plan.workloads
            .iter()
            .map(|w| Some(w.name.clone()))
            .collect()
    };
    // Two waves a workload, one at each end of the calendar: every event is within
    // two years before the first and twenty after the last.
    let mut waves = Vec::new();
    for (w, workload) in workloads.iter().enumerate() {
        for (k, start) in [(0, (1900, 1, 1)), (1, (2999, 12, 30))] {
            waves.push(WaveDraft {
                name: format!("init probe {w}.{k}"),
                workload: workload.clone(),
                start: NaiveDate::from_ymd_opt(start.0, start.1, start.2).expect("a valid day"),
                groups: Vec::new(),
                why: String::new(),
                guessed: false,
            });
        }
    }
    let draft = Draft {
        preamble: Vec::new(),
        name: name.to_string(),
        name_why: None,
        survey: plan.survey.clone(),
        timezone: plan.timezone.clone(),
        group_by: (plan.group_by.clone(), String::new()),
        cuts,
        cut_ideas: Vec::new(),
        sources: source_drafts(out, plan, scan),
        workloads: plan.workloads.clone(),
        waves,
        campaigns: Vec::new(),
    };
    let cfg = config::parse(out, &render(&draft))?;
    quality::ingest(&cfg, None, &Progress::hidden())
}

/// Everything the config will say.
pub fn propose(dir: &Path, out: &Path, plan: &Plan, scan: &Scan) -> Result<Draft, Error> {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Rollout".to_string());
    let name = plan.name.as_ref().map_or(name, |(n, _)| n.clone());
    let data = read_data(out, &name, plan, scan)?;
    let tz = plan.timezone.as_ref().map_or(Tz::UTC, |(tz, _)| *tz);
    let columns = wave_columns(plan, scan);
    let n_workloads = columns.len();
    let several = !plan.workloads.is_empty();

    // The last day anything happened, and the first.
    let mut instants: Vec<i64> = Vec::new();
    instants.extend(data.enrollments.enrolled_at.iter().copied());
    instants.extend(data.email.first_instant());
    instants.extend(data.training.joined_at.iter().copied());
    instants.extend(data.tickets.opened_at.iter().copied());
    let first_day = instants.iter().min().map(|&ms| date_of(tz, ms));
    let last_day = data.latest_event_ms.map(|ms| date_of(tz, ms)).or(first_day);

    let mut waves: Vec<WaveDraft> = Vec::new();
    // Per workload, each person's wave: an index into `waves`.
    let mut member: Vec<Vec<Option<usize>>> = Vec::with_capacity(n_workloads);
    let mut cut_at = 0usize;
    for (w, column) in columns.iter().enumerate() {
        let keys: Vec<&str> = match column {
            Some(_) => {
                let k = cut_at;
                cut_at += 1;
                data.roster.cuts[k].iter().collect()
            }
            None => data.roster.group.iter().collect(),
        };
        let mut first: BTreeMap<&str, i64> = BTreeMap::new();
        for (i, &pid) in data.enrollments.pid.iter().enumerate() {
            if data.enrollments.workload[i] as usize != w {
                continue;
            }
            let key = keys[pid as usize];
            if key.trim().is_empty() {
                continue;
            }
            let at = data.enrollments.enrolled_at[i];
            first
                .entry(key)
                .and_modify(|m| *m = (*m).min(at))
                .or_insert(at);
        }
        let any_enrolled = !first.is_empty();
        let all: BTreeSet<&str> = keys
            .iter()
            .copied()
            .filter(|k| !k.trim().is_empty())
            .collect();
        let workload = several.then(|| plan.workloads[w].name.clone());
        let mut these: Vec<(String, WaveDraft)> = Vec::new();
        for key in all {
            let (start, why, guessed) = match first.get(key) {
                Some(&ms) => {
                    let day = date_of(tz, ms);
                    (
                        monday_of(day),
                        format!("starts the Monday on or before its first enrollment, {day}"),
                        false,
                    )
                }
                None if any_enrolled => {
                    let after = last_day
                        .and_then(|d| monday_of(d).checked_add_days(Days::new(7)))
                        .unwrap_or_else(today_monday);
                    (after, "nobody in it has enrolled yet: it starts after the last day of the exports until you set its planned start".to_string(), true)
                }
                None => {
                    let day = first_day.map_or_else(today_monday, monday_of);
                    (day, "no enrollment to take its start from: the Monday of the first event of the exports, until you set its planned start".to_string(), true)
                }
            };
            let what = if column.is_some() {
                format!(
                    "a value of the roster's `{}` column",
                    column.as_deref().unwrap_or("")
                )
            } else {
                "one wave per group".to_string()
            };
            these.push((
                key.to_string(),
                WaveDraft {
                    name: key.to_string(),
                    workload: workload.clone(),
                    start,
                    groups: if column.is_some() {
                        Vec::new()
                    } else {
                        vec![key.to_string()]
                    },
                    why: format!("{what}; {why}"),
                    guessed,
                },
            ));
        }
        these.sort_by(|a, b| a.1.start.cmp(&b.1.start).then(a.0.cmp(&b.0)));
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (key, mut wave) in these {
            // A wave named by a roster column is named as the column says; a wave
            // per group is named after its workload too (wave names are unique).
            if several && column.is_none() {
                wave.name = format!("{}: {}", plan.workloads[w].name, wave.name);
            }
            index.insert(key, waves.len());
            waves.push(wave);
        }
        member.push(keys.iter().map(|k| index.get(*k).copied()).collect());
    }
    let campaigns = campaigns(&data, &waves, &member);

    let found = scan.found.len();
    let mut preamble = vec![
        format!(
            "Written by `uptake init` from the {found} exports it recognised under {}.",
            dir.display()
        ),
        "Lines marked GUESS were inferred from the files and PLACEHOLDER lines only you can set:"
            .to_string(),
        "check both (search for them), then run `uptake validate` and `uptake run` with this file."
            .to_string(),
        "How each value was chosen: docs/init.md.".to_string(),
    ];
    if plan.workloads.is_empty() {
        preamble.push(
            "One workload: the rollout's own (add [[workloads]] to follow several).".to_string(),
        );
    }
    Ok(Draft {
        preamble,
        name,
        name_why: plan.name.as_ref().map(|(_, why)| why.clone()),
        survey: plan.survey.clone(),
        timezone: plan.timezone.clone(),
        group_by: (plan.group_by.clone(), plan.group_why.clone()),
        cuts: Vec::new(),
        cut_ideas: plan.cuts.clone(),
        sources: source_drafts(out, plan, scan),
        workloads: plan.workloads.clone(),
        waves,
        campaigns,
    })
}

/// This week's Monday (when the exports hold no day at all).
fn today_monday() -> NaiveDate {
    monday_of(chrono::Utc::now().date_naive())
}

/// The email campaigns: each one's phase from its name, its wave the one most of
/// its recipients are in (of any workload).
fn campaigns(
    data: &Dataset,
    waves: &[WaveDraft],
    member: &[Vec<Option<usize>>],
) -> Vec<CampaignDraft> {
    let email = &data.email;
    let mut recipients: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); email.campaigns.len()];
    for (pid, campaign) in email.pairs() {
        recipients[campaign as usize].insert(pid);
    }
    let mut out = Vec::new();
    for (c, name) in email.campaigns.iter().enumerate() {
        if name.trim().is_empty() || waves.is_empty() {
            continue;
        }
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for &pid in &recipients[c] {
            for m in member {
                if let Some(Some(wave)) = m.get(pid as usize) {
                    *counts.entry(*wave).or_insert(0) += 1;
                }
            }
        }
        let best = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(&w, &n)| (w, n));
        let (wave, wave_why) = match best {
            Some((w, n)) => (
                waves[w].name.clone(),
                format!(
                    "{n} of its {} recipients are in this wave",
                    recipients[c].len()
                ),
            ),
            None => (
                waves[0].name.clone(),
                "none of its recipients is in a wave: the first wave, until you say which"
                    .to_string(),
            ),
        };
        let (phase, phase_why) = guess_phase(name);
        out.push(CampaignDraft {
            name: name.trim().to_string(),
            phase,
            phase_why,
            wave,
            wave_why,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_guessed_from_campaign_names() {
        for (name, phase) in [
            ("w1-kickoff", Phase::Kickoff),
            ("w1-pre-enrollment", Phase::PreEnrollment),
            ("w1-enrollment", Phase::Enrollment),
            ("w1-post-enrollment", Phase::PostEnrollment),
            ("Wave 2 – Launch announcement", Phase::Kickoff),
            ("Reminder: enrol your phone", Phase::Enrollment),
            ("Get ready for Intune", Phase::PreEnrollment),
            ("Post enrolment survey", Phase::PostEnrollment),
            ("Newsletter 7", Phase::Enrollment),
        ] {
            assert_eq!(guess_phase(name).0, phase, "{name}");
        }
        assert!(guess_phase("Newsletter 7").1.contains("no phase word"));
    }

    #[test]
    fn config_paths_are_relative_to_the_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let exports = dir.path().join("exports");
        std::fs::create_dir_all(exports.join("roster")).unwrap();
        std::fs::write(exports.join("a.csv"), "x").unwrap();
        assert_eq!(
            config_path(&exports, &exports.join("a.csv"), false),
            "a.csv"
        );
        assert_eq!(
            config_path(&exports, &exports.join("roster"), true),
            "roster/"
        );
        let elsewhere = dir.path().join("cfg");
        std::fs::create_dir_all(&elsewhere).unwrap();
        assert_eq!(
            config_path(&elsewhere, &exports.join("a.csv"), false),
            "../exports/a.csv"
        );
        // Only the root in common: absolute.
        assert_eq!(config_path(&elsewhere, Path::new("/usr"), true), "/usr/");
    }
}

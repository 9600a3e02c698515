//! The "after enrollment" part of the view: the `after_enrollment` rows in, their
//! figures formatted for the page's compact section, the funnel's later steps and
//! the digest's one sentence per wave that misses a health, use or satisfaction
//! target (docs/metrics.md, "after_enrollment"). Formats through [`super::format`]
//! only; no comment and no person ever passes through here.

use serde::Serialize;

use super::format::{count, one_decimal, pct};
use crate::config::Config;
use crate::metrics::after::{AfterRow, AfterValues};
use crate::metrics::stats::EPS;
use crate::schema::ALL;

/// One shown `after_enrollment` row, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct AfterLine {
    /// The workload.
    pub workload: String,
    /// Wave name, or `(all)`.
    pub wave: String,
    /// Group label, or `(all)`.
    pub group: String,
    /// False for a suppressed wave's row.
    pub shown: bool,
    /// `healthy` and `health_rate`: `5 (45.5 %)`.
    pub healthy_text: String,
    /// `lapsed`.
    pub lapsed_text: String,
    /// `active` and `active_rate`.
    pub active_text: String,
    /// `responses` and `response_rate`.
    pub responses_text: String,
    /// `satisfied_share` with its interval, or `–`.
    pub satisfied_text: String,
    /// `mean_score` with its interval, or `–`.
    pub mean_text: String,
    /// `nps`, or `–`.
    pub nps_text: String,
}

/// A wave's (or the overall row's) later funnel steps, as counts of people; `None`
/// where the data does not exist or is not shown.
#[derive(Debug, Clone, Serialize)]
pub struct AfterSteps {
    /// The workload.
    pub workload: String,
    /// Wave name, or `(all)`.
    pub wave: String,
    /// Healthy people.
    pub healthy: Option<i64>,
    /// Active people.
    pub active: Option<i64>,
    /// Satisfied respondents.
    pub satisfied: Option<i64>,
}

/// What the page, the funnel and the digest show of what follows enrollment.
#[derive(Debug, Clone, Serialize)]
pub struct AfterSection {
    /// Every row, in table order (groups, each wave's `(all)`, overall).
    pub lines: Vec<AfterLine>,
    /// Whether any row has device health, use, or survey figures.
    pub health: bool,
    /// Whether any row has use figures.
    pub usage: bool,
    /// Whether there is a survey.
    pub survey: bool,
    /// Each wave's `(all)` row and each workload's overall row, for the funnel.
    pub steps: Vec<AfterSteps>,
    /// One sentence per wave whose `(all)` row misses a health, use or satisfaction
    /// target.
    pub missed: Vec<String>,
}

/// `n (rate)`, or `–` when `n` is empty.
fn with_rate(n: Option<i64>, rate: Option<f64>) -> String {
    match n {
        Some(_) => format!("{} ({})", count(n), pct(rate)),
        None => count(None),
    }
}

fn line(r: &AfterRow) -> AfterLine {
    let v = r.values.as_ref();
    let get = |f: fn(&AfterValues) -> Option<i64>| v.and_then(f);
    let rate = |f: fn(&AfterValues) -> Option<f64>| v.and_then(f);
    let scores = v.and_then(AfterValues::scores);
    let interval = |text: String, i: Option<(f64, f64)>, fmt: fn(Option<f64>) -> String| match i {
        Some((lo, hi)) => format!("{text} ({}–{})", fmt(Some(lo)), fmt(Some(hi))),
        None => text,
    };
    AfterLine {
        workload: r.workload.clone(),
        wave: r.wave.clone(),
        group: r.group.clone(),
        shown: v.is_some(),
        healthy_text: with_rate(get(|v| v.healthy), rate(AfterValues::health_rate)),
        lapsed_text: count(get(|v| v.lapsed)),
        active_text: with_rate(get(|v| v.active), rate(AfterValues::active_rate)),
        responses_text: match rate(AfterValues::response_rate) {
            Some(_) => with_rate(
                get(AfterValues::responses),
                rate(AfterValues::response_rate),
            ),
            None => count(get(AfterValues::responses)),
        },
        satisfied_text: scores.map_or_else(
            || count(None),
            |s| {
                interval(
                    pct(rate(AfterValues::satisfied_share)),
                    s.satisfied_interval,
                    pct,
                )
            },
        ),
        mean_text: scores.map_or_else(
            || count(None),
            |s| interval(one_decimal(Some(s.mean)), s.mean_interval, one_decimal),
        ),
        nps_text: one_decimal(scores.and_then(|s| s.nps)),
    }
}

/// The wave's misses, in words: `health 45.5 % (target 80.0 %)`.
fn misses(cfg: &Config, r: &AfterRow) -> Vec<String> {
    let (Some(v), Some(wave)) = (
        r.values.as_ref(),
        cfg.waves.iter().find(|w| w.name == r.wave),
    ) else {
        return Vec::new();
    };
    let checks = [
        ("healthy devices", v.health_rate(), wave.health_target),
        ("active use", v.active_rate(), wave.active_target),
        (
            "satisfied respondents",
            v.satisfied_share(),
            wave.satisfaction_target,
        ),
    ];
    checks
        .into_iter()
        .filter_map(|(what, rate, target)| match (rate, target) {
            (Some(r), Some(t)) if r < t - EPS => {
                Some(format!("{what} {} (target {})", pct(Some(r)), pct(Some(t))))
            }
            _ => None,
        })
        .collect()
}

/// The section, or `None` when the rollout has no device health, usage or survey
/// figures at all (then the page shows nothing of it).
pub fn after_section(cfg: &Config, rows: &[AfterRow]) -> Option<AfterSection> {
    let any = |f: fn(&AfterValues) -> bool| rows.iter().filter_map(|r| r.values.as_ref()).any(f);
    let health = any(|v| v.healthy.is_some() || v.lapsed.is_some());
    let usage = any(|v| v.active.is_some());
    let survey = any(|v| v.survey.is_some());
    if !(health || usage || survey) {
        return None;
    }
    let several = cfg.workloads.len() > 1;
    let mut steps = Vec::new();
    let mut missed = Vec::new();
    for r in rows.iter().filter(|r| r.group == ALL) {
        let Some(v) = r.values.as_ref() else { continue };
        steps.push(AfterSteps {
            workload: r.workload.clone(),
            wave: r.wave.clone(),
            healthy: v.healthy,
            active: v.active,
            satisfied: v.scores().map(|s| s.satisfied),
        });
        if r.wave == ALL {
            continue;
        }
        let m = misses(cfg, r);
        if !m.is_empty() {
            let of = if several {
                format!(" ({})", r.workload)
            } else {
                String::new()
            };
            missed.push(format!(
                "{}{of}, after enrollment: {} — below target.",
                r.wave,
                m.join(", ")
            ));
        }
    }
    Some(AfterSection {
        lines: rows.iter().map(line).collect(),
        health,
        usage,
        survey,
        steps,
        missed,
    })
}

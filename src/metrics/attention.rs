//! `attention`: the groups that need targeted messaging, derived from the
//! `group_metrics` rows — at risk or behind, or missing an email, training or ticket
//! target — with a diagnosis and the action that usually helps (docs/metrics.md,
//! "attention").

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::after::{AfterRow, AfterValues};
use super::groups::{GroupRow, GroupValues};
use super::stats::{self, Status};
use super::table::{Col, Kind, Table, Value};
use crate::config::Config;
use crate::schema::ALL;

/// Why a group is behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Diagnosis {
    /// The emails were not opened (open rate under its target).
    Awareness,
    /// People did not train (training rate under its target).
    Knowledge,
    /// The help desk is swamped (tickets per 100 enrolled over the ceiling).
    Support,
    /// Informed and trained, yet not enrolling.
    Adoption,
    /// Enrolled devices are not healthy (health rate under its target).
    Health,
    /// People do not use the workload (active rate under its target).
    Use,
    /// Respondents are not satisfied (satisfied share under its target).
    Experience,
}

impl Diagnosis {
    /// The diagnosis as the table writes it.
    pub fn name(self) -> &'static str {
        match self {
            Diagnosis::Awareness => "awareness",
            Diagnosis::Knowledge => "knowledge",
            Diagnosis::Support => "support",
            Diagnosis::Adoption => "adoption",
            Diagnosis::Health => "health",
            Diagnosis::Use => "use",
            Diagnosis::Experience => "experience",
        }
    }

    /// What the diagnosis asks the communications team to do.
    pub fn action(self) -> &'static str {
        match self {
            Diagnosis::Awareness => {
                "executive-sponsor message and other channels (Teams post, manager cascade, intranet)"
            }
            Diagnosis::Knowledge => "targeted training sessions for this group",
            Diagnosis::Support => "help-desk briefing and an FAQ for the top issues",
            Diagnosis::Adoption => "champions and manager follow-up",
            Diagnosis::Health => {
                "device compliance clinic and help-desk follow-up of non-compliant and silent devices"
            }
            Diagnosis::Use => "usage tips and a champions' show and tell",
            Diagnosis::Experience => {
                "read the comments, fix the top complaint, tell people what changed"
            }
        }
    }
}

/// Remarks on a group in the attention list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remark {
    /// Nobody in the group is a champion.
    NoChampion,
}

impl Remark {
    /// The remark as the table writes it.
    pub fn text(self) -> &'static str {
        match self {
            Remark::NoChampion => "no champion in this group",
        }
    }
}

/// One row of `attention`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionRow {
    /// The workload the group is behind on.
    pub workload: String,
    /// Wave name.
    pub wave: String,
    /// Shown group label.
    pub group: String,
    /// The group's standing.
    pub status: Status,
    /// enrollment_rate − target_rate.
    pub gap: Option<f64>,
    /// People short of today's target.
    pub missing_users: i64,
    /// The diagnoses, in order.
    pub diagnosis: Vec<Diagnosis>,
    /// A remark, if any.
    pub note: Option<Remark>,
}

impl AttentionRow {
    /// The diagnoses as the table writes them, `;`-joined.
    pub fn diagnosis_text(&self) -> String {
        let names: Vec<&str> = self.diagnosis.iter().map(|d| d.name()).collect();
        names.join(";")
    }

    /// The actions of the diagnoses, `; `-joined.
    pub fn action_text(&self) -> String {
        let actions: Vec<&str> = self.diagnosis.iter().map(|d| d.action()).collect();
        actions.join("; ")
    }
}

impl Table for AttentionRow {
    const NAME: &'static str = "attention";

    fn columns() -> Vec<Col<Self>> {
        vec![
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("wave", |r| Value::str(&r.wave)),
            Col::text("group", |r| Value::str(&r.group)),
            Col::text("status", |r| Value::str(r.status.name())),
            Col::of("gap", Kind::Points, |r| Value::Float(r.gap)),
            Col::of("missing_users", Kind::Count, |r| {
                Value::Int(Some(r.missing_users))
            }),
            Col::text("diagnosis", |r| Value::owned(r.diagnosis_text())),
            Col::text("action", |r| Value::owned(r.action_text())),
            Col::text("note", |r| {
                Value::Text(r.note.map(|n| Cow::Borrowed(n.text())))
            }),
        ]
    }
}

/// The attention list: shown groups (not `(all)` rows) at risk or behind, or missing
/// an email, training or ticket target, or (from `after`, the `after_enrollment`
/// rows) a health, active-use or satisfaction target; ordered by `missing_users`
/// descending, then gap, wave order and group.
pub fn attention_rows(cfg: &Config, rows: &[GroupRow], after: &[AfterRow]) -> Vec<AttentionRow> {
    let after: BTreeMap<(&str, &str, &str), &AfterValues> = after
        .iter()
        .filter_map(|r| {
            let key = (r.workload.as_str(), r.wave.as_str(), r.group.as_str());
            Some((key, r.values.as_ref()?))
        })
        .collect();
    struct Item<'a> {
        wave_ix: usize,
        row: &'a GroupRow,
        v: &'a GroupValues,
        diagnosis: Vec<Diagnosis>,
    }
    let mut items: Vec<Item<'_>> = Vec::new();
    for row in rows {
        let (Some(v), false) = (row.values.as_ref(), row.group == ALL) else {
            continue;
        };
        let Some(wave_ix) = cfg.waves.iter().position(|w| w.name == row.wave) else {
            continue;
        };
        let wave = &cfg.waves[wave_ix];
        let below = |rate: Option<f64>, target: Option<f64>| match (rate, target) {
            (Some(r), Some(t)) => r < t - stats::EPS,
            _ => false,
        };
        let mut diagnosis = Vec::new();
        // With touchpoints, awareness is judged on reach (any channel), not on email
        // alone (docs/metrics.md, "attention").
        let heard = if v.reached.is_some() {
            v.reach_rate()
        } else {
            v.open_rate()
        };
        if below(heard, wave.email_open_target) {
            diagnosis.push(Diagnosis::Awareness);
        }
        if below(v.training_rate(), wave.training_target) {
            diagnosis.push(Diagnosis::Knowledge);
        }
        if let (Some(r), Some(t)) = (v.tickets_per_100_enrolled(), wave.tickets_per_100_target) {
            if r > t + stats::EPS {
                diagnosis.push(Diagnosis::Support);
            }
        }
        let lagging = matches!(row.status, Status::AtRisk | Status::Behind);
        if diagnosis.is_empty() && lagging {
            diagnosis.push(Diagnosis::Adoption);
        }
        // What follows enrollment: diagnosed beside the enrollment's own diagnoses.
        if let Some(a) = after.get(&(row.workload.as_str(), row.wave.as_str(), row.group.as_str()))
        {
            if below(a.health_rate(), wave.health_target) {
                diagnosis.push(Diagnosis::Health);
            }
            if below(a.active_rate(), wave.active_target) {
                diagnosis.push(Diagnosis::Use);
            }
            if below(a.satisfied_share(), wave.satisfaction_target) {
                diagnosis.push(Diagnosis::Experience);
            }
        }
        if diagnosis.is_empty() {
            continue;
        }
        items.push(Item {
            wave_ix,
            row,
            v,
            diagnosis,
        });
    }
    items.sort_by(|a, b| {
        b.v.missing_users()
            .cmp(&a.v.missing_users())
            .then_with(|| {
                let (ga, gb) = (a.v.gap().unwrap_or(0.0), b.v.gap().unwrap_or(0.0));
                ga.total_cmp(&gb)
            })
            .then_with(|| a.wave_ix.cmp(&b.wave_ix))
            .then_with(|| a.row.group.cmp(&b.row.group))
    });
    items
        .into_iter()
        .map(|i| AttentionRow {
            workload: i.row.workload.clone(),
            wave: i.row.wave.clone(),
            group: i.row.group.clone(),
            status: i.row.status,
            gap: i.v.gap(),
            missing_users: i.v.missing_users(),
            diagnosis: i.diagnosis,
            note: (i.v.champions == 0).then_some(Remark::NoChampion),
        })
        .collect()
}

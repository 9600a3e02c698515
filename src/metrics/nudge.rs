//! The nudge lists, private to the communications team: per wave, the eligible people
//! not yet enrolled in the wave's workload as of D, with their group, the workload,
//! every workload they are eligible in and have not adopted, whether they opened a
//! rollout email and whether they trained, the channels that reached them and the
//! ways they trained by, and the message that fits (docs/metrics.md, "Nudge lists"). Takes the run's [`Persons`] (one row per person and workload) and
//! the roster's names; hands the report one row per person and wave. The only table
//! that names people: the report writes it under `private/`, owner-only, and only with
//! `--user-lists`.

use std::collections::{BTreeMap, HashMap};

use super::channels::{channel_column, flags_of, pids_of};
use super::frames::col_names::WORKLOAD;
use super::methods::method_column;
use super::people::Persons;
use super::table::{Col, Table, Value};
use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;

/// One person to nudge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NudgeRow {
    /// Their group (as on the roster, not folded: the list is private).
    pub group: String,
    /// The message that fits where they stopped.
    pub message: &'static str,
    /// Their display name.
    pub display_name: String,
    /// Their id.
    pub user_id: String,
    /// Opened (or clicked) a rollout email by D.
    pub opened_email: bool,
    /// Trained by D.
    pub trained: bool,
    /// The channels that reached them by D (`email`: an open or click), in the
    /// `channels` table's order.
    pub reached_by: Vec<String>,
    /// The training methods they trained by, by D, in the `training_methods` table's
    /// order.
    pub trained_by: Vec<String>,
    /// The wave's workload.
    pub workload: String,
    /// Every workload (config order) the person is eligible in and not enrolled in by
    /// D: the wave's own, and those where they are behind as well.
    pub not_yet_adopted: Vec<String>,
}

/// The suggested message for a person not yet enrolled: `heard` is an email opened or
/// clicked, or any touchpoint (a meeting, a post, a page): someone reached by the
/// kickoff meeting has heard, even if they never opened an email.
pub fn message(recipient: bool, heard: bool, trained: bool) -> &'static str {
    match (recipient, heard, trained) {
        (_, _, true) => "help: offer a hands-on session or a help-desk call to finish enrolling",
        (_, true, false) => "training invitation: invite them to the next session",
        (true, false, false) => {
            "awareness: reach them through their manager or Teams, not email again"
        }
        (false, false, false) => {
            "awareness: no rollout email reached them; check the distribution list"
        }
    }
}

fn yes_no(b: bool) -> Value<'static> {
    Value::str(if b { "yes" } else { "no" })
}

impl Table for NudgeRow {
    const NAME: &'static str = "nudge";

    fn columns() -> Vec<Col<Self>> {
        vec![
            Col::text("user_id", |r| Value::str(&r.user_id)),
            Col::text("display_name", |r| Value::str(&r.display_name)),
            Col::text("group", |r| Value::str(&r.group)),
            Col::text("opened_email", |r| yes_no(r.opened_email)),
            Col::text("trained", |r| yes_no(r.trained)),
            Col::text("suggested_message", |r| Value::str(r.message)),
            Col::text("workload", |r| Value::str(&r.workload)),
            Col::text("not_yet_adopted", |r| {
                Value::owned(r.not_yet_adopted.join(ADOPTED_SEPARATOR))
            }),
            Col::text("reached_by", |r| {
                Value::owned(r.reached_by.join(ADOPTED_SEPARATOR))
            }),
            Col::text("trained_by", |r| {
                Value::owned(r.trained_by.join(ADOPTED_SEPARATOR))
            }),
        ]
    }
}

/// How `not_yet_adopted`, `reached_by` and `trained_by` join their names.
pub const ADOPTED_SEPARATOR: &str = "; ";

/// The people of each wave not yet enrolled in its workload, by wave name (config
/// order is the caller's), each wave's list sorted by group, message and name. A
/// person's `not_yet_adopted` lists, in config order, every workload they are eligible
/// in (a wave of it holds them on D) and not enrolled in by D.
pub fn nudge_rows(
    cfg: &Config,
    data: &Dataset,
    persons: &Persons,
) -> Result<Vec<(String, NudgeRow)>, Error> {
    let facts = persons.facts()?;
    let order: BTreeMap<&str, usize> = cfg
        .workloads
        .iter()
        .enumerate()
        .map(|(i, w)| (w.name.as_str(), i))
        .collect();
    let mut behind: BTreeMap<u32, Vec<(usize, &str)>> = BTreeMap::new();
    for p in facts.iter().filter(|p| !p.enrolled) {
        let rank = order
            .get(p.workload.as_str())
            .copied()
            .unwrap_or(usize::MAX);
        behind
            .entry(p.pid)
            .or_default()
            .push((rank, p.workload.as_str()));
    }
    for workloads in behind.values_mut() {
        workloads.sort_unstable();
        workloads.dedup();
    }
    let ways = ways_of(persons)?;
    let mut out: Vec<(String, NudgeRow)> = facts
        .iter()
        .filter(|p| !p.enrolled)
        .map(|p| {
            let i = p.pid as usize;
            let (reached_by, trained_by) = ways
                .get(&(p.pid, p.workload.as_str()))
                .cloned()
                .unwrap_or_default();
            let heard = p.opener || !reached_by.is_empty();
            let row = NudgeRow {
                group: p.group.clone(),
                message: message(p.recipient, heard, p.trained),
                display_name: data.roster.display_name[i].to_string(),
                user_id: data.roster.user_id[i].to_string(),
                opened_email: p.opener,
                trained: p.trained,
                reached_by,
                trained_by,
                workload: p.workload.clone(),
                not_yet_adopted: behind
                    .get(&p.pid)
                    .map(|w| w.iter().map(|(_, name)| name.to_string()).collect())
                    .unwrap_or_default(),
            };
            (p.wave.clone(), row)
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Per (person, workload): the channels that reached them and the methods they
/// trained by, read from the per-person flags (`reached_by<k>`, `trained_by<m>`).
type Ways<'a> = HashMap<(u32, &'a str), (Vec<String>, Vec<String>)>;

fn ways_of(persons: &Persons) -> Result<Ways<'_>, Error> {
    let df = &persons.frame;
    let names = &persons.engagement;
    let pids = pids_of(df)?;
    let workloads = df
        .column(WORKLOAD)
        .and_then(|c| c.str())
        .map_err(|e| Error::compute("nudge lists", e))?;
    let named = |columns: &[Vec<bool>], names: &[String], i: usize| -> Vec<String> {
        columns
            .iter()
            .zip(names)
            .filter(|(flags, _)| flags[i])
            .map(|(_, n)| n.clone())
            .collect()
    };
    let channels = (0..names.channels.len())
        .map(|k| flags_of(df, &channel_column(k)))
        .collect::<Result<Vec<_>, _>>()?;
    let methods = (0..names.methods.len())
        .map(|m| flags_of(df, &method_column(m)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..df.height())
        .filter_map(|i| {
            let key = (pids[i], workloads.get(i)?);
            let ways = (
                named(&channels, &names.channels, i),
                named(&methods, &names.methods, i),
            );
            Some((key, ways))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_the_funnel() {
        assert!(message(false, false, false).starts_with("awareness"));
        assert!(message(true, false, false).starts_with("awareness"));
        assert!(message(true, true, false).starts_with("training"));
        assert!(message(true, true, true).starts_with("help"));
    }
}

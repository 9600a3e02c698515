//! The private nudge lists (`--user-lists`): per wave, the eligible people not yet
//! enrolled, with their group, whether they opened a rollout email and whether they
//! trained, and the message that fits. The only output that names people: written
//! under `private/` with owner-only permissions, never linked from the sponsor page.

use std::path::Path;

use polars::prelude::*;

use crate::config::Config;
use crate::error::Error;
use crate::metrics::frames::col_names::{GROUP, PID, WAVE};
use crate::metrics::Tables;
use crate::output::{restrict, write_text_csv};
use crate::quality::Dataset;

/// The suggested message for a person not yet enrolled.
fn message(recipient: bool, opener: bool, trained: bool) -> &'static str {
    match (recipient, opener, trained) {
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

/// A wave name made safe as part of a file name: letters, digits, `-` and `_`
/// only (so no `/`, `..` or drive letter can lead outside the folder), at most 64
/// characters (file systems allow 255 bytes).
pub fn file_stem(wave: &str) -> String {
    wave.chars()
        .take(64)
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One file stem per wave, in wave order, never the same twice (ignoring case):
/// `Wave 1` and `Wave_1` would otherwise write one file over the other.
pub fn file_stems<'a>(waves: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut used = std::collections::BTreeSet::new();
    waves
        .into_iter()
        .map(|w| {
            let base = file_stem(w);
            let mut stem = base.clone();
            let mut n = 1;
            while !used.insert(stem.to_lowercase()) {
                n += 1;
                stem = format!("{base}_{n}");
            }
            stem
        })
        .collect()
}

/// Writes `private/nudge_<wave>.csv` for every wave into `dir` (created 0700, files
/// 0600 on Unix).
pub fn write(dir: &Path, cfg: &Config, data: &Dataset, tables: &Tables) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    restrict(dir, 0o700)?;
    let err = |e| Error::compute("nudge lists", e);
    let df = tables
        .persons
        .frame
        .clone()
        .lazy()
        .filter(col("enrolled").not())
        .collect()
        .map_err(err)?;
    let pid = df.column(PID).and_then(|c| c.u32()).map_err(err)?;
    let wave = df.column(WAVE).and_then(|c| c.str()).map_err(err)?;
    let group = df.column(GROUP).and_then(|c| c.str()).map_err(err)?;
    let flag = |name: &str| df.column(name).and_then(|c| c.bool()).map_err(err);
    let (recipient, opener, trained) = (flag("recipient")?, flag("opener")?, flag("trained")?);
    let stems = file_stems(cfg.waves.iter().map(|w| w.name.as_str()));
    for (w, stem) in cfg.waves.iter().zip(stems) {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for i in 0..df.height() {
            if wave.get(i) != Some(w.name.as_str()) {
                continue;
            }
            let Some(p) = pid.get(i) else { continue };
            let p = p as usize;
            let (r, o, t) = (
                recipient.get(i).unwrap_or(false),
                opener.get(i).unwrap_or(false),
                trained.get(i).unwrap_or(false),
            );
            rows.push(vec![
                group.get(i).unwrap_or("").to_string(),
                message(r, o, t).to_string(),
                data.roster.display_name[p].clone(),
                data.roster.user_id[p].clone(),
                if o { "yes" } else { "no" }.to_string(),
                if t { "yes" } else { "no" }.to_string(),
            ]);
        }
        rows.sort();
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                vec![
                    r[3].clone(),
                    r[2].clone(),
                    r[0].clone(),
                    r[4].clone(),
                    r[5].clone(),
                    r[1].clone(),
                ]
            })
            .collect();
        let path = dir.join(format!("nudge_{stem}.csv"));
        write_text_csv(
            &path,
            &[
                "user_id",
                "display_name",
                "group",
                "opened_email",
                "trained",
                "suggested_message",
            ],
            &rows,
        )?;
        restrict(&path, 0o600)?;
    }
    Ok(())
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
        assert_eq!(file_stem("Wave 1/../x"), "Wave_1____x");
        assert_eq!(
            file_stems(["Wave 1", "Wave_1", "wave_1", "..", "/"]),
            ["Wave_1", "Wave_1_2", "wave_1_3", "__", "_"]
        );
        assert_eq!(file_stem(&"é".repeat(300)).chars().count(), 64);
    }
}

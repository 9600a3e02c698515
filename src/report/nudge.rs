//! The private nudge lists (`--user-lists`): per wave, the eligible people not yet
//! enrolled in its workload, with their group, the workload and every workload they
//! have not yet adopted, whether they opened a rollout email and whether they trained,
//! and the message that fits. The only output that names people: written
//! under `private/` with owner-only permissions, never linked from the sponsor page.

use std::path::Path;

use super::tables::to_csv;
use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;
use crate::metrics::nudge::{nudge_rows, NudgeRow};
use crate::metrics::table::Rows;
use crate::metrics::Tables;
use crate::output::{restrict, write_file};

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
    let rows = nudge_rows(cfg, data, &tables.persons)?;
    let stems = file_stems(cfg.waves.iter().map(|w| w.name.as_str()));
    for (w, stem) in cfg.waves.iter().zip(stems) {
        let of_wave: Vec<NudgeRow> = rows
            .iter()
            .filter(|(wave, _)| *wave == w.name)
            .map(|(_, row)| row.clone())
            .collect();
        let path = dir.join(format!("nudge_{stem}.csv"));
        let table = Rows {
            name: "nudge",
            rows: &of_wave,
        };
        write_file(&path, to_csv(&table).as_bytes())?;
        restrict(&path, 0o600)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("Wave 1/../x"), "Wave_1____x");
        assert_eq!(
            file_stems(["Wave 1", "Wave_1", "wave_1", "..", "/"]),
            ["Wave_1", "Wave_1_2", "wave_1_3", "__", "_"]
        );
        assert_eq!(file_stem(&"é".repeat(300)).chars().count(), 64);
    }
}

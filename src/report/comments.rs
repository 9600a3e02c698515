//! The private survey comments (`--user-lists`): per wave, `private/comments_<wave>.csv`
//! with each counted response's comment, its score and the group it is shown under —
//! no id, no name, no time. Comments are the respondents' own words, so they never
//! reach a sponsor-facing file; like the nudge lists these are owner-only (0600 in a
//! 0700 folder).

use std::path::Path;

use super::nudge::file_stems;
use super::tables::to_csv;
use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;
use crate::metrics::after::comment_rows;
use crate::metrics::people::Cutoffs;
use crate::metrics::table::Rows;
use crate::metrics::Tables;
use crate::output::{restrict, write_file};

/// Writes `comments_<wave>.csv` into `dir` for every wave when the survey is
/// configured (a wave with no comment gets a file with its header only).
pub fn write(dir: &Path, cfg: &Config, data: &Dataset, tables: &Tables) -> Result<(), Error> {
    if !cfg.sources.contains_key(&crate::schema::Source::Survey) {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    restrict(dir, 0o700)?;
    let cut = Cutoffs::new(cfg, tables.as_of);
    let rows = comment_rows(data, &cut, &tables.persons)?;
    let stems = file_stems(cfg.waves.iter().map(|w| w.name.as_str()));
    for (w, stem) in cfg.waves.iter().zip(stems) {
        let of_wave = rows.get(&w.name).map_or(&[][..], Vec::as_slice);
        let path = dir.join(format!("comments_{stem}.csv"));
        let table = Rows {
            name: "comments",
            rows: of_wave,
        };
        write_file(&path, to_csv(&table).as_bytes())?;
        restrict(&path, 0o600)?;
    }
    Ok(())
}

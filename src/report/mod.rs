//! Report: the computed tables in, the report folder out (docs/outputs.md, docs/report-folder.md).
//!
//! Writes `tables/` (CSV, Parquet, Arrow IPC), `charts/` (each chart as SVG and
//! PNG), `index.html` (the sponsor page), `summary.md` and `lessons.md`,
//! `workbook.xlsx`, `digest.eml` and `teams_card.json`,
//! `quarantine/<source>.csv` (every rejected row with file, line and reason), with
//! `--user-lists` the private nudge lists and survey comments, and `manifest.json` (inputs with sha256 and
//! row counts, the config, the as-of day, the version) into a temporary folder, then
//! moves it into place whole (see `output`).

pub mod after_view;
pub mod card;
pub mod charts;
pub mod comments;
pub mod digest;
pub mod format;
pub mod html;
pub mod markdown;
pub mod nudge;
pub mod reach;
pub mod tables;
pub mod view;
pub mod workbook;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;
use crate::metrics::Tables;
use crate::output::{restrict, write_file, write_text_csv, ReportDir};
use crate::schema::Source;

/// Writes the whole report for `as_of` under `out`; returns its final folder. An
/// I/O error is an [`Error::Write`] naming `out`.
/// What a run adds to its tables: the as-of day and where it came from, what it must
/// say in words, and whether the private nudge lists are wanted.
pub struct Run<'a> {
    /// The as-of day.
    pub as_of: NaiveDate,
    /// Where it came from (`--as-of`, `rollout.as_of`, `latest event`).
    pub as_of_from: &'a str,
    /// Sentences the page and the digest must carry (too many rows quarantined, a
    /// stale snapshot, a mistyped latest date).
    pub warnings: &'a [String],
    /// `--user-lists`.
    pub user_lists: bool,
}

pub fn write(
    out: &Path,
    cfg: &Config,
    data: &Dataset,
    tables: &Tables,
    run: Run<'_>,
) -> Result<PathBuf, Error> {
    let Run {
        as_of,
        as_of_from,
        warnings,
        user_lists,
    } = run;
    let dir = ReportDir::begin(out, as_of).map_err(|e| e.writing_report(out))?;
    let written = (|| -> Result<(), Error> {
        let (tables_dir, quarantine_dir) = (dir.subdir("tables")?, dir.subdir("quarantine")?);
        let charts_dir = dir.subdir("charts")?;
        let view = view::View::build(cfg, tables, as_of_from, warnings);
        // The tables and quarantine files, the charts and the workbook need nothing of
        // each other: made side by side (most of this step is one thread's work
        // otherwise). Their results are looked at in the order they were once made one
        // after another, so the first error is the same.
        let (files, (charts, xlsx)) = rayon::join(
            || -> Result<(), Error> {
                for table in tables.written() {
                    tables::write_table(&tables_dir, table.as_ref())?;
                }
                write_quarantine(&quarantine_dir, cfg, data)
            },
            || {
                rayon::join(
                    || charts::draw_all(&view),
                    || workbook::render(&view, &tables.written(), cfg.timezone, as_of),
                )
            },
        );
        files?;
        write_charts(&charts_dir, &charts)?;
        let index = dir.path().join("index.html");
        let page = html::render(&view, &charts).map_err(|e| {
            Error::io(
                &index,
                std::io::Error::other(format!("rendering the page: {e:#}")),
            )
        })?;
        write_file(&index, page.as_bytes())?;
        for (name, text) in [
            ("summary.md", markdown::summary(&view)),
            ("lessons.md", markdown::lessons(&view)),
        ] {
            let path = dir.path().join(name);
            let text = text.map_err(|e| {
                Error::io(
                    &path,
                    std::io::Error::other(format!("rendering {name}: {e:#}")),
                )
            })?;
            write_file(&path, text.as_bytes())?;
        }
        write_messages(dir.path(), cfg, xlsx, &view, &charts, as_of)?;
        if user_lists {
            nudge::write(&dir.path().join("private"), cfg, data, tables)?;
            comments::write(&dir.path().join("private"), cfg, data, tables)?;
        }
        let mut manifest = manifest(cfg, data, tables, as_of, as_of_from);
        manifest.documents = documents(dir.path())?;
        let json = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::io(&dir.path().join("manifest.json"), std::io::Error::other(e)))?;
        write_file(
            &dir.path().join("manifest.json"),
            format!("{json}\n").as_bytes(),
        )?;
        Ok(())
    })();
    written
        .and_then(|()| dir.commit())
        .map_err(|e| e.writing_report(out))
}

/// `workbook.xlsx`, `digest.eml` and `teams_card.json`: the figures for spreadsheets,
/// a mail program and a Teams channel (docs/outputs.md).
fn write_messages(
    dir: &Path,
    cfg: &Config,
    xlsx: Result<Vec<u8>, rust_xlsxwriter::XlsxError>,
    view: &view::View,
    charts: &[charts::Chart],
    as_of: NaiveDate,
) -> Result<(), Error> {
    let rendering = |name: &str, e: &dyn std::fmt::Display| {
        Error::io(
            &dir.join(name),
            std::io::Error::other(format!("rendering {name}: {e}")),
        )
    };
    let xlsx = xlsx.map_err(|e| rendering("workbook.xlsx", &e))?;
    write_file(&dir.join("workbook.xlsx"), &xlsx)?;
    let eml = digest::render(view, charts, cfg.timezone, as_of)
        .map_err(|e| rendering("digest.eml", &e))?;
    write_file(&dir.join("digest.eml"), &eml)?;
    write_file(&dir.join("teams_card.json"), card::render(view).as_bytes())
}

/// `charts/<name>.svg` and `.png` for every chart that has data.
fn write_charts(dir: &Path, charts: &[charts::Chart]) -> Result<(), Error> {
    for chart in charts {
        if let charts::Rendered::Drawn { svg, png } = &chart.rendered {
            let svg = charts::svg_with_font(svg);
            write_file(&dir.join(format!("{}.svg", chart.name)), svg.as_bytes())?;
            write_file(&dir.join(format!("{}.png", chart.name)), png)?;
        }
    }
    Ok(())
}

/// `quarantine/<source>.csv` for every configured source (a header alone when
/// nothing was rejected, so the folder always says the same thing), and
/// `quarantine/unmatched.csv`: every id the events name that is not on the roster,
/// with its source and the rows that carry it. The rows are the inputs' rows as they
/// stood and the ids name people: owner-only, like the nudge lists, and not
/// sponsor-facing.
fn write_quarantine(dir: &Path, cfg: &Config, data: &Dataset) -> Result<(), Error> {
    restrict(dir, 0o700)?;
    let unmatched: Vec<Vec<String>> = data
        .unmatched
        .iter()
        .flat_map(|(source, ids)| {
            ids.iter()
                .map(|u| vec![source.name().to_string(), u.id.clone(), u.rows.to_string()])
        })
        .collect();
    let path = dir.join("unmatched.csv");
    write_text_csv(&path, &["source", "user_id", "rows"], &unmatched)?;
    restrict(&path, 0o600)?;
    for source in Source::EVERY {
        if !cfg.sources.contains_key(&source) {
            continue;
        }
        let rows: Vec<Vec<String>> = data.quarantine[&source]
            .iter()
            .map(|q| {
                vec![
                    q.file.display().to_string(),
                    q.line.to_string(),
                    q.reason.clone(),
                    q.raw.clone(),
                ]
            })
            .collect();
        let path = dir.join(format!("{}.csv", source.name()));
        write_text_csv(&path, &["file", "line", "reason", "row"], &rows)?;
        restrict(&path, 0o600)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    rollout: &'a str,
    as_of: String,
    as_of_from: &'a str,
    timezone: &'a str,
    config: ConfigEntry,
    inputs: Vec<InputEntry>,
    sources: Vec<SourceEntry>,
    tables: Vec<TableEntry>,
    documents: Vec<DocumentEntry>,
    notes: &'a [String],
}

/// A document of the report a reader opens, as written.
#[derive(Serialize)]
struct DocumentEntry {
    file: &'static str,
    bytes: u64,
    sha256: String,
}

/// The documents the manifest records: what sponsors and operations open.
const DOCUMENTS: [&str; 6] = [
    "index.html",
    "summary.md",
    "lessons.md",
    "workbook.xlsx",
    "digest.eml",
    "teams_card.json",
];

fn documents(dir: &Path) -> Result<Vec<DocumentEntry>, Error> {
    DOCUMENTS
        .iter()
        .map(|&file| {
            let path = dir.join(file);
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            Ok(DocumentEntry {
                file,
                bytes: bytes.len() as u64,
                sha256: crate::ingest::text::hex(&Sha256::digest(&bytes)),
            })
        })
        .collect()
}

#[derive(Serialize)]
struct ConfigEntry {
    path: String,
    sha256: String,
    text: String,
}

#[derive(Serialize)]
struct InputEntry {
    source: &'static str,
    path: String,
    sha256: String,
    rows: u64,
}

#[derive(Serialize)]
struct SourceEntry {
    source: &'static str,
    configured: bool,
    rows_read: u64,
    rows_accepted: u64,
    rows_quarantined: u64,
    unmatched_users: u64,
    duplicates_removed: u64,
    matched_by_name: u64,
}

#[derive(Serialize)]
struct TableEntry {
    name: &'static str,
    rows: usize,
    columns: Vec<String>,
}

fn manifest<'a>(
    cfg: &'a Config,
    data: &'a Dataset,
    tables: &Tables,
    as_of: NaiveDate,
    as_of_from: &'a str,
) -> Manifest<'a> {
    let sha = Sha256::digest(cfg.text.as_bytes());
    Manifest {
        tool: "uptake",
        version: env!("CARGO_PKG_VERSION"),
        rollout: &cfg.name,
        as_of: as_of.to_string(),
        as_of_from,
        timezone: cfg.timezone.name(),
        config: ConfigEntry {
            path: cfg.path.display().to_string(),
            sha256: sha.iter().map(|b| format!("{b:02x}")).collect(),
            text: cfg.text.clone(),
        },
        inputs: data
            .files
            .iter()
            .map(|f| InputEntry {
                source: f.source.name(),
                path: f.path.display().to_string(),
                sha256: f.sha256.clone(),
                rows: f.rows,
            })
            .collect(),
        sources: data
            .accounted_sources()
            .map(|s| {
                let c = &data.counts[&s];
                SourceEntry {
                    source: s.name(),
                    configured: c.configured,
                    rows_read: c.rows_read,
                    rows_accepted: c.rows_accepted,
                    rows_quarantined: c.rows_quarantined,
                    unmatched_users: c.unmatched_users,
                    duplicates_removed: c.duplicates_removed,
                    matched_by_name: c.matched_by_name,
                }
            })
            .collect(),
        tables: tables
            .written()
            .iter()
            .map(|t| TableEntry {
                name: t.name(),
                rows: t.height(),
                columns: t.header().iter().map(|(c, _)| c.to_string()).collect(),
            })
            .collect(),
        documents: Vec::new(),
        notes: &data.notes,
    }
}

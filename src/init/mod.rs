//! `uptake init DIR`: a folder of exports in, a working, commented config out.
//!
//! The steps, in the order data flows: [`scan`] walks the folder and reads every
//! file with the reader `uptake run` would use (which tool wrote it, which source
//! it feeds, its rows, days, encoding, language); [`plan`] groups the files into
//! source tables (snapshots, workloads, the roster and its group column, day orders,
//! the zone); [`propose`] reads the data through `quality` as a run does and
//! proposes the waves and campaigns; [`write`] renders the config. This file checks
//! the command line (never overwrite without `--force`), writes the config whole
//! and says what was found, what was not placed and why, and what to run next.
//! docs/init.md describes every rule.

pub mod plan;
pub mod propose;
pub mod scan;
pub mod write;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::InitArgs;
use crate::config;
use crate::error::Error;
use crate::Outcome;

/// What `uptake init` found and wrote.
#[derive(Debug)]
pub struct Report {
    /// The config written.
    pub config: PathBuf,
    /// Its text.
    pub text: String,
    /// The lines to print.
    pub lines: Vec<String>,
}

/// Runs `uptake init`.
pub fn run(args: &InitArgs) -> Result<Outcome, Error> {
    let report = init(&args.dir, args.out.as_deref(), args.force)?;
    Ok(Outcome {
        lines: report.lines,
    })
}

/// Recognises every export under `dir` and writes the config to `out` (default:
/// `dir/uptake.toml`); an existing file is replaced only with `force`.
pub fn init(dir: &Path, out: Option<&Path>, force: bool) -> Result<Report, Error> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a folder: `uptake init` reads a folder of exports\nhelp: pass the folder the roster, device, email, training and ticket exports are in",
            dir.display()
        )));
    }
    let out = out.map_or_else(|| dir.join("uptake.toml"), Path::to_path_buf);
    if out.is_dir() {
        return Err(Error::Usage(format!(
            "{}: is a folder: --out names the config file to write\nhelp: pass e.g. --out {}",
            out.display(),
            out.join("uptake.toml").display()
        )));
    }
    if out.exists() && !force {
        return Err(exists(&out));
    }
    let mut scan = scan::scan(dir, &out)?;
    let plan = plan::plan(dir, &mut scan)?;
    let draft = propose::propose(dir, &out, &plan, &scan)?;
    let text = write::render(&draft);
    // What init writes must read as a config: anything else is a bug here.
    config::parse(&out, &text)?;
    save(&out, &text, force)?;
    let lines = lines(dir, &out, &scan, &plan, &draft);
    Ok(Report {
        config: out,
        text,
        lines,
    })
}

/// The error for an existing config.
fn exists(out: &Path) -> Error {
    Error::Usage(format!(
        "{}: a config already exists there: `uptake init` never overwrites one\nhelp: pass --force to replace it, or --out <file> to write the new config elsewhere",
        out.display()
    ))
}

/// Writes the config whole: to a file beside it, then moved into place; without
/// `force` the move never replaces a file that appeared meanwhile.
fn save(out: &Path, text: &str, force: bool) -> Result<(), Error> {
    let name = out.file_name().map_or_else(
        || "uptake.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = out.with_file_name(format!(".{name}.{}.init", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .map_err(|e| Error::io(&tmp, e));
    let placed = written.and_then(|()| {
        if force {
            std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
        } else {
            // A link fails when the name exists: never a file replaced.
            std::fs::hard_link(&tmp, out).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    exists(out)
                } else {
                    Error::io(out, e)
                }
            })
        }
    });
    let _ = std::fs::remove_file(&tmp);
    placed
}

/// What init prints: a line per file found, what was not placed and why, what the
/// config says, and the next commands.
fn lines(
    dir: &Path,
    out: &Path,
    scan: &scan::Scan,
    plan: &plan::Plan,
    draft: &write::Draft,
) -> Vec<String> {
    let mut lines = vec![format!(
        "found {} exports under {}:",
        scan.found.len(),
        dir.display()
    )];
    let width = scan
        .found
        .iter()
        .map(|f| f.rel.chars().count())
        .max()
        .unwrap_or(0);
    for f in &scan.found {
        let mut parts = vec![
            format!("{} ({})", f.layout.label(), f.layout.format_name()),
            format!("{} rows", f.rows),
        ];
        if let Some((a, b)) = f.span {
            parts.push(format!("{a} to {b}"));
        }
        parts.push(f.encoding.to_string());
        if let Some(lang) = f.language {
            parts.push(lang.to_string());
        }
        if f.order == scan::Order::Undecided {
            parts.push("dates read either way".to_string());
        }
        lines.push(format!(
            "  {:<width$}  {:<11}  {}",
            f.rel,
            f.source.name(),
            parts.join(", ")
        ));
    }
    let mut unplaced: Vec<&scan::Unplaced> = scan.unplaced.iter().chain(&plan.left_out).collect();
    unplaced.sort_by(|a, b| a.rel.cmp(&b.rel));
    if !unplaced.is_empty() {
        lines.push(format!("not placed ({}):", unplaced.len()));
        for u in unplaced {
            lines.push(format!("  {}: {}", u.rel, u.reason));
        }
    }
    lines.extend(plan.notes.iter().map(|n| format!("note: {n}")));
    let guessed_waves = draft.waves.iter().filter(|w| w.guessed).count();
    lines.push(format!("wrote {}:", out.display()));
    let sources: Vec<String> = draft
        .sources
        .iter()
        .map(|s| {
            let mut d = format!("{} = {}", s.source.name(), s.path);
            if s.snapshots {
                d.push_str(" (snapshots)");
            }
            d
        })
        .collect();
    lines.push(format!("  sources: {}", sources.join("; ")));
    lines.push(format!(
        "  group_by = \"{}\" ({})",
        draft.group_by.0, draft.group_by.1
    ));
    if !draft.workloads.is_empty() {
        let names: Vec<&str> = draft.workloads.iter().map(|w| w.name.as_str()).collect();
        lines.push(format!("  workloads: {}", names.join(", ")));
    }
    lines.push(format!(
        "  {} waves{}; every target curve is a PLACEHOLDER to replace with your plan's",
        draft.waves.len(),
        if guessed_waves > 0 {
            format!(" ({guessed_waves} with a guessed start: nobody in them has enrolled)")
        } else {
            String::new()
        }
    ));
    if !draft.campaigns.is_empty() {
        lines.push(format!(
            "  {} campaigns, their phase and wave GUESSED from their names and recipients",
            draft.campaigns.len()
        ));
    }
    match &draft.timezone {
        Some((tz, _)) => lines.push(format!(
            "  timezone = \"{}\" (GUESSED from the timestamps' offsets)",
            tz.name()
        )),
        None => lines.push(
            "  timezone: UTC (no timestamp says otherwise): set rollout.timezone to your zone"
                .to_string(),
        ),
    }
    for (s, (_, why, guess)) in draft
        .sources
        .iter()
        .filter_map(|s| s.date_order.as_ref().map(|o| (s, o)))
    {
        if *guess {
            lines.push(format!("  {}: date_order GUESSED: {why}", s.source.name()));
        }
    }
    lines.push("next:".to_string());
    lines.push(format!("  uptake validate --config {}", out.display()));
    lines.push(format!("  uptake run --config {}", out.display()));
    lines
}

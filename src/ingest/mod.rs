//! Ingest: a source's files in, canonical rows out, one at a time.
//!
//! This stage finds a source's files (a file, or every file of a folder in name
//! order), opens each one (BOM, delimiter), maps its headers to the canonical columns
//! of docs/inputs.md (exact name, then case-insensitive; `columns = { .. }` overrides) and
//! hands every data row, with its file and line, to the caller. It judges no value:
//! the rules (required values, dates, events, duplicates, matching people) live in
//! `quality`. A row whose shape is wrong (more or fewer fields than the header, bytes
//! that are not UTF-8) is handed on as a [`Row::Malformed`] so that it is quarantined,
//! not lost. A missing file or required column stops the run with a message naming
//! the file, the column, the headers found and the closest one.
//!
//! `format` picks the reader: `canonical.rs` for uptake's own CSV, one adapter per
//! tool under `tools/` (`intune.rs`, `entra.rs`, `sendgrid.rs`, `mailchimp.rs`,
//! `teams/`, `zoom.rs`, `servicenow.rs`, `zendesk.rs`, `jira.rs`, `m365.rs`,
//! `cornerstone.rs`, `moodle.rs`, `surveys/`; `meetings.rs` reads a Teams or Zoom
//! file as touchpoints, `viva_engage.rs` a Viva Engage `Messages.csv`) that maps the tool's layout, headers and date formats to canonical
//! rows, and `detect.rs` for `auto`. The plumbing the adapters share sits beside them: `table.rs` (sections,
//! header aliases, cells), `shape.rs` (what a cell's value is), `dates.rs`
//! (timestamps in every layout), `text.rs` (encodings).

pub mod canonical;
pub mod dates;
pub mod detect;
pub(crate) mod records;
pub mod shape;
pub mod snapshots;
pub mod table;
pub mod text;
pub mod tools;

use std::path::{Path, PathBuf};

use crate::config::{Format, RosterColumns, SourceConfig, Tool};
use crate::error::Error;
use crate::schema::Source;
use tools::{
    cornerstone, entra, intune, jira, m365, mailchimp, meetings, moodle, sendgrid, servicenow,
    surveys, teams, viva_engage, zendesk, zoom,
};

pub use canonical::{read_file, FileRead, Row};

/// One input file as the manifest records it.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The source it belongs to.
    pub source: Source,
    /// Its path.
    pub path: PathBuf,
    /// sha256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// What the reader noticed that the user should know (the tool `auto` chose,
    /// shared devices, ...), one sentence each.
    pub notes: Vec<String>,
}

/// The files of a source: the path itself, or every file in the folder in name
/// order (hidden files, such as `.DS_Store`, and sub-folders are skipped). A path,
/// or a file of the folder, that is neither a regular file nor a folder (a FIFO,
/// which would never end; a device; a socket) is an error that names it.
pub fn list_files(source: Source, cfg: &SourceConfig) -> Result<Vec<PathBuf>, Error> {
    let path = &cfg.path;
    let missing = |detail: &str| Error::MissingInput {
        source_name: source.name().to_string(),
        path: path.clone(),
        detail: detail.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => missing("no such file or folder"),
        _ => Error::io(path, e),
    })?;
    if !meta.is_dir() {
        regular(source, path, &meta)?;
        return Ok(vec![path.clone()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let file = entry.path();
        // Through a symlink to what it names.
        let meta = std::fs::metadata(&file).map_err(|e| Error::io(&file, e))?;
        if meta.is_dir() {
            continue;
        }
        regular(source, &file, &meta)?;
        files.push(file);
    }
    if files.is_empty() {
        return Err(missing("the folder holds no file"));
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Refuses what is not a regular file: reading a FIFO waits for a writer forever,
/// reading a device never ends or reads what is not an export.
fn regular(source: Source, path: &Path, meta: &std::fs::Metadata) -> Result<(), Error> {
    if meta.is_file() {
        return Ok(());
    }
    let what = special_kind(&meta.file_type());
    Err(Error::Unreadable {
        file: path.to_path_buf(),
        message: format!(
            "is {what}, not a regular file or folder: uptake reads exported files only\nhelp: point `[sources.{}] path` at an export, or at a folder of exports",
            source.name()
        ),
    })
}

/// What a file that is neither regular nor a folder is, in words.
#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// What a file that is neither regular nor a folder is, in words.
#[cfg(not(unix))]
fn special_kind(_t: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// The canonical columns a source reads, in a fixed order: required, then optional.
/// The roster's required columns are `user_id`, the `rollout.cuts` columns and, last,
/// the `group_by` column; its optional ones add each workload's `wave_column`. A
/// survey's optional ones end with the `group_by` column (the group an anonymous
/// response gives).
pub fn wanted_columns(source: Source, roster: &RosterColumns) -> (Vec<String>, usize) {
    let mut names: Vec<String> = source.required().iter().map(|s| s.to_string()).collect();
    if source == Source::Roster {
        for c in roster.cuts.iter().chain([&roster.group_by]) {
            if !names.contains(c) {
                names.push(c.clone());
            }
        }
    }
    let n_required = names.len();
    let optional = source.optional().iter().map(|s| s.to_string());
    let waves = roster.wave_columns.iter().cloned();
    let group = std::iter::once(roster.group_by.clone()).filter(|_| source == Source::Survey);
    for c in optional
        .chain(waves.filter(|_| source == Source::Roster))
        .chain(group)
    {
        if !names.contains(&c) {
            names.push(c);
        }
    }
    (names, n_required)
}

/// The header among `found` most like `wanted`, when one is close enough to suggest.
pub fn closest_header(wanted: &str, found: &[String]) -> Option<String> {
    let norm = |s: &str| {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    let w = norm(wanted);
    found
        .iter()
        .map(|h| {
            let n = norm(h);
            let mut score = strsim::jaro_winkler(&w, &n);
            if !w.is_empty() && (n.contains(&w) || w.contains(&n)) && !n.is_empty() {
                score = score.max(0.9);
            }
            (score, h)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h.clone())
}

/// Opens every file of `source`; hands each row to `parse` (on several threads at once
/// for large canonical files) and each result, in file order, to `apply` with its
/// file. Returns the files read.
pub fn read_source<T: Send>(
    source: Source,
    cfg: &SourceConfig,
    roster: &RosterColumns,
    parse: impl Fn(Row<'_>) -> T + Sync,
    apply: impl FnMut(&Path, T),
) -> Result<Vec<InputFile>, Error> {
    read_source_hinted(source, cfg, roster, parse, None, apply)
}

/// [`read_source`], with the rows of canonical files shown to `hint` a few rows
/// before they are parsed (see [`canonical::Hint`]); tool exports are read without.
pub fn read_source_hinted<T: Send>(
    source: Source,
    cfg: &SourceConfig,
    roster: &RosterColumns,
    parse: impl Fn(Row<'_>) -> T + Sync,
    hint: Option<canonical::Hint<'_>>,
    mut apply: impl FnMut(&Path, T),
) -> Result<Vec<InputFile>, Error> {
    let (wanted, n_required) = wanted_columns(source, roster);
    let mut out = Vec::new();
    for path in list_files(source, cfg)? {
        let mut notes = Vec::new();
        let tool = match cfg.format {
            Format::Canonical => None,
            Format::Tool(tool) => Some(tool),
            Format::Auto => {
                let (text, _, _) = text::read_text(&path)?;
                let found = detect::detect(&text);
                match found {
                    Some(tool) => notes.push(format!(
                        "format auto: read as a {} export ({})",
                        detect::label(tool),
                        tool.name()
                    )),
                    None => notes.push(
                        "format auto: no tool recognised from the headers: read as canonical CSV"
                            .to_string(),
                    ),
                }
                found
            }
        };
        let mut apply_here = |t: T| apply(&path, t);
        let read = match tool {
            None => {
                let read = read_file(
                    source,
                    cfg,
                    &path,
                    &wanted,
                    n_required,
                    (&parse, hint),
                    &mut apply_here,
                )?;
                notes.extend(read.notes.iter().cloned());
                read
            }
            Some(tool) => {
                let ctx = table::Ctx {
                    source,
                    cfg,
                    path: &path,
                    wanted: &wanted,
                    n_required,
                };
                let (read, more) = read_export(tool, &ctx, |row| apply_here(parse(row)))?;
                notes.extend(more);
                read
            }
        };
        out.push(InputFile {
            source,
            path: path.clone(),
            sha256: read.sha256,
            rows: read.rows,
            notes,
        });
    }
    Ok(out)
}

/// Reads one tool export with its adapter and hands each row on.
fn read_export(
    tool: Tool,
    ctx: &table::Ctx<'_>,
    mut visit: impl FnMut(Row<'_>),
) -> Result<(FileRead, Vec<String>), Error> {
    if !tool.feeds(ctx.source) {
        let feeds: Vec<&str> = tool.sources().iter().map(|s| s.name()).collect();
        return Err(Error::Unreadable {
            file: ctx.path.to_path_buf(),
            message: format!(
                "this looks like a {} export, which is {} data, not {}",
                detect::label(tool),
                feeds.join(" or "),
                ctx.source.name()
            ),
        });
    }
    let (text, sha256, decoded) = text::read_text(ctx.path)?;
    let mut notes: Vec<String> = decoded.note(ctx.path).into_iter().collect();
    let adapted = match tool {
        Tool::Teams | Tool::Zoom if ctx.source == Source::Touchpoints => {
            meetings::read(tool, ctx, &text)?
        }
        Tool::Intune => intune::read(ctx, &text)?,
        Tool::Entra => entra::read(ctx, &text)?,
        Tool::SendGrid => sendgrid::read(ctx, &text)?,
        Tool::Mailchimp => mailchimp::read(ctx, &text)?,
        Tool::Teams => teams::read(ctx, &text)?,
        Tool::Zoom => zoom::read(ctx, &text)?,
        Tool::ServiceNow => servicenow::read(ctx, &text)?,
        Tool::Zendesk => zendesk::read(ctx, &text)?,
        Tool::Jira => jira::read(ctx, &text)?,
        Tool::M365ActiveUsers => m365::read(ctx, &text)?,
        Tool::Cornerstone => cornerstone::read(ctx, &text)?,
        Tool::Moodle => moodle::read(ctx, &text)?,
        Tool::VivaEngage => viva_engage::read(ctx, &text)?,
        Tool::Forms | Tool::SurveyMonkey | Tool::Qualtrics => surveys::read(tool, ctx, &text)?,
    };
    let identity: Vec<Option<usize>> = (0..ctx.wanted.len()).map(Some).collect();
    let mut record = csv::ByteRecord::new();
    let rows = adapted.rows.len() as u64;
    for out in adapted.rows {
        match out {
            table::Out::Row { line, fields, raw } => {
                record.clear();
                for f in &fields {
                    record.push_field(f.as_bytes());
                }
                visit(Row::Cells(canonical::Cells::adapted(
                    line, &record, &identity, &raw,
                )));
            }
            table::Out::Bad { line, reason, raw } => visit(Row::Malformed { line, reason, raw }),
        }
    }
    notes.extend(adapted.notes);
    Ok((
        FileRead {
            sha256,
            rows,
            notes: Vec::new(),
        },
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_header_finds_near_names() {
        let found: Vec<String> = ["UPN", "EnrolledDateTime", "DeviceName"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            closest_header("enrolled_at", &found).as_deref(),
            Some("EnrolledDateTime")
        );
        assert_eq!(closest_header("campaign", &found), None);
        let found = vec!["User Id".to_string(), "Dept".to_string()];
        assert_eq!(
            closest_header("user_id", &found).as_deref(),
            Some("User Id")
        );
    }

    #[test]
    fn roster_wants_its_group_column_as_required() {
        let (names, n) = wanted_columns(Source::Roster, &RosterColumns::grouped_by("department"));
        assert_eq!(&names[..n], ["user_id", "department"]);
        assert!(names.contains(&"left_on".to_string()));
        // A group_by that is also an optional column is not asked for twice.
        let (names, _) = wanted_columns(Source::Roster, &RosterColumns::grouped_by("location"));
        assert_eq!(names.iter().filter(|c| *c == "location").count(), 1);
    }
}

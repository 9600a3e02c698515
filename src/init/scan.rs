//! The walk of `uptake init`: every file under a folder, and what each one is.
//!
//! Takes the folder; hands back, for each file it recognises, the source it feeds,
//! the layout it is in (a tool's export, told by its headers as `format = "auto"`
//! tells it, or uptake's canonical CSV, told by its canonical headers), and what
//! reading it as that gave: rows, first and last day, encoding, language, what its
//! numeric dates say of their order, and the UTC offsets its timestamps carry. Each
//! file is read by the very readers `uptake run` uses, so a file it places is a file
//! the run reads. A file it cannot place comes back with the reason (docs/init.md).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::{DateOrder, Format, RosterColumns, SourceConfig, Tool};
use crate::error::Error;
use crate::ingest::dates::{order_evidence, parse_iso, parse_local, OrderEvidence};
use crate::ingest::snapshots::day_in_name;
use crate::ingest::table::{find_header, parse_table, squash};
use crate::ingest::{detect, read_source, text, wanted_columns, Row};
use crate::schema::{self, Source};

/// How much of a file is read to tell what it is (headers, language, encoding).
const HEAD: usize = 1 << 20;

/// The layout of a file: a tool's export or uptake's canonical CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layout {
    /// uptake's own CSV layout, told by its canonical headers.
    Canonical,
    /// A tool's export, told by its headers.
    Tool(Tool),
}

impl Layout {
    /// The name written in `format = "..."`.
    pub fn format_name(self) -> &'static str {
        match self {
            Layout::Canonical => "canonical",
            Layout::Tool(t) => t.name(),
        }
    }

    /// The layout in words.
    pub fn label(self) -> &'static str {
        match self {
            Layout::Canonical => "uptake's canonical CSV",
            Layout::Tool(t) => detect::label(t),
        }
    }

    fn format(self) -> Format {
        match self {
            Layout::Canonical => Format::Canonical,
            Layout::Tool(t) => Format::Tool(t),
        }
    }
}

/// What a file's numeric dates say of their order (day-first or month-first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Nothing to set: the dates are ISO 8601, or the tool's reader decides from the
    /// values.
    Free,
    /// A canonical file whose dates are not ISO 8601 and whose values decide the
    /// order: the config must still say it (canonical files are read in the order
    /// the config sets).
    Decided(DateOrder),
    /// Values that read either way (`3/4/2026`) and none that decides.
    Undecided,
}

/// A file recognised as an export of a source.
#[derive(Debug, Clone)]
pub struct Found {
    /// The file.
    pub path: PathBuf,
    /// Its path relative to the folder walked, for what init prints.
    pub rel: String,
    /// The source it feeds.
    pub source: Source,
    /// Its layout.
    pub layout: Layout,
    /// The encoding it was decoded from.
    pub encoding: &'static str,
    /// The language of its labels, when not English.
    pub language: Option<&'static str>,
    /// Its first header row.
    pub headers: Vec<String>,
    /// The day in its name, if any (a snapshot's day).
    pub day: Option<NaiveDate>,
    /// Data rows read.
    pub rows: u64,
    /// The first and last day of its main date column (`enrolled_at`, `timestamp`,
    /// `joined_at`, `opened_at`), as written.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// What its dates say of their order.
    pub order: Order,
    /// UTC offsets its timestamps carry: (UTC day, offset in seconds), each once.
    pub offsets: BTreeSet<(NaiveDate, i32)>,
    /// The values of a canonical enrollment or usage file's `workload` column, with
    /// how many rows carry each.
    pub workloads: BTreeMap<String, u64>,
    /// A survey's scores: the lowest and highest whole number read, if any.
    pub scores: Option<(u32, u32)>,
    /// The roster column init reads this roster file's groups from (rosters only).
    pub group_column: Option<String>,
}

impl Found {
    /// `path` as an export of `source` in `layout`, not read yet: UTF-8, English, no
    /// header, no day, no row.
    pub fn new(path: &Path, source: Source, layout: Layout) -> Found {
        Found {
            path: path.to_path_buf(),
            rel: String::new(),
            source,
            layout,
            encoding: "UTF-8",
            language: None,
            headers: Vec::new(),
            day: None,
            rows: 0,
            span: None,
            order: Order::Free,
            offsets: BTreeSet::new(),
            workloads: BTreeMap::new(),
            scores: None,
            group_column: None,
        }
    }
}

/// A file init could not place, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    /// Its path relative to the folder walked.
    pub rel: String,
    /// Why.
    pub reason: String,
}

/// Everything under the folder.
#[derive(Debug, Default)]
pub struct Scan {
    /// The recognised files, in path order.
    pub found: Vec<Found>,
    /// The files init could not place, in path order.
    pub unplaced: Vec<Unplaced>,
    /// Per folder, how many regular files it holds that a source's `path` to the
    /// folder would read (placed or not).
    pub folder_files: BTreeMap<PathBuf, usize>,
}

/// Walks `dir` (recursively) and reads every file in it, leaving out `skip` (the
/// config being written), hidden files, configs (`*.toml`) and uptake's own report
/// folders (a folder holding a `manifest.json`).
pub fn scan(dir: &Path, skip: &Path) -> Result<Scan, Error> {
    let mut files = Vec::new();
    let mut scan = Scan::default();
    walk(dir, skip, &mut files, &mut scan)?;
    files.sort();
    for path in files {
        let rel = relative(dir, &path);
        match recognise(&path) {
            Ok(found) if found.layout == Layout::Tool(Tool::M365ActiveUsers) => {
                // Which product's use counts for which workload is the user's to say
                // (docs/init.md, "What init recognises").
                scan.unplaced.push(Unplaced {
                    rel,
                    reason: format!(
                        "a usage export ({}): which product's use counts for which workload only you can say: add [sources.usage] with format = \"m365_active_users\" and products = {{ \"OneDrive\" = \"<workload>\" }} by hand (docs/inputs.md, \"Usage\")",
                        found.layout.label(),
                    ),
                });
            }
            Ok(mut found) => {
                found.rel = rel.clone();
                match read_found(&mut found, None) {
                    Ok(()) => scan.found.push(found),
                    Err(reason) => scan.unplaced.push(Unplaced { rel, reason }),
                }
            }
            Err(reason) => scan.unplaced.push(Unplaced { rel, reason }),
        }
    }
    Ok(scan)
}

/// The path of `path` under `dir`, with `/` between folders.
fn relative(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(dir: &Path, skip: &Path, files: &mut Vec<PathBuf>, scan: &mut Scan) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut here = Vec::new();
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(link) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        // Through a link to a file, never to a folder (a loop would never end).
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                scan.unplaced.push(Unplaced {
                    rel: relative(dir, &path),
                    reason: format!("cannot be read: {e}"),
                });
                continue;
            }
        };
        if meta.is_dir() {
            if !link.file_type().is_symlink() {
                folders.push(path);
            }
            continue;
        }
        if name == "manifest.json" {
            // An uptake report's folder: its tables are not exports.
            return Ok(());
        }
        if !meta.is_file() {
            // A FIFO would never end, a device never hold an export.
            here.push(None);
            scan.unplaced.push(Unplaced {
                rel: path.display().to_string(),
                reason: "not a regular file (a FIFO, a device or a socket): uptake reads exported files only".to_string(),
            });
            continue;
        }
        if same_file(&path, skip) || name.to_ascii_lowercase().ends_with(".toml") {
            continue;
        }
        here.push(Some(path));
    }
    scan.folder_files.insert(dir.to_path_buf(), here.len());
    files.extend(here.into_iter().flatten());
    folders.sort();
    for f in folders {
        walk(&f, skip, files, scan)?;
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// What `path` is, from its first bytes: the tool whose headers it has, else the
/// canonical source whose required columns it has; the reason when neither.
pub fn recognise(path: &Path) -> Result<Found, String> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEAD as u64).read_to_end(&mut head))
        .map_err(|e| format!("cannot be read: {e}"))?;
    if head.is_empty() {
        return Err("an empty file".to_string());
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"%PDF") {
        return Err("a workbook, archive or PDF, not a text export: export it as CSV".to_string());
    }
    let decoded = text::decode(&head);
    let binary = decoded.text.chars().take(4096).any(|c| {
        c == '\0' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1a'))
    });
    if binary {
        return Err("not a text file: uptake reads CSV and JSON exports".to_string());
    }
    let body = decoded.text.as_str();
    let headers = parse_table(first_lines(body, 1), 1).headers;
    let (source, layout) = match detect::detect(body) {
        Some(tool) => (tool.source(), Layout::Tool(tool)),
        None => (canonical_source(&headers)?, Layout::Canonical),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut found = Found::new(path, source, layout);
    found.encoding = decoded.encoding;
    // A canonical file's headers are uptake's own: its names are no language.
    found.language = match layout {
        Layout::Tool(_) => language(body),
        Layout::Canonical => None,
    };
    found.headers = headers;
    found.day = day_in_name(&name);
    Ok(found)
}

/// The first `n` lines of `text`.
fn first_lines(text: &str, n: usize) -> &str {
    let end = text
        .match_indices('\n')
        .nth(n.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// The canonical source whose required columns the headers hold (the roster: a
/// `user_id` and none of the others' columns).
fn canonical_source(headers: &[String]) -> Result<Source, String> {
    if headers.len() < 2 {
        return Err(
            "not a delimited export: its first line has no comma, tab or semicolon".to_string(),
        );
    }
    let has = |c: &str| find_header(headers, c).is_some();
    // Email before touchpoints (both have `user_id` and `timestamp`); any other
    // file with a `user_id` is a roster, so every other source is tried first.
    for source in [
        Source::Email,
        Source::Training,
        Source::Tickets,
        Source::Enrollments,
        Source::Touchpoints,
        Source::Completions,
        Source::Usage,
        Source::Survey,
    ] {
        if source.required().iter().all(|c| has(c)) {
            return Ok(source);
        }
    }
    if has(schema::USER_ID) {
        return Ok(Source::Roster);
    }
    let shown: String = headers.join(", ").chars().take(200).collect();
    Err(format!(
        "no tool's export and no canonical layout: a canonical file needs a `user_id` column (headers found: {shown})"
    ))
}

/// Labels that say which language an export was downloaded in, squashed (see
/// `table::squash`), as the tools write them (docs/exports.md, "Labels in other
/// languages").
const LANGUAGE_LABELS: &[(&str, &[&str])] = &[
    (
        "French",
        &[
            "nomcomplet",
            "heuredarrivée",
            "heurededépart",
            "titredelaréunion",
            "résumé",
            "clédeticket",
            "rapporteur",
            "création",
            "numéro",
            "ouvert",
            "appelant",
            "état",
            "demandeur",
            "créé",
            "statut",
            "résolu",
            "catégorie",
        ],
    ),
    (
        "German",
        &[
            "vollständigername",
            "teilnehmer",
            "zusammenfassung",
            "vorgangsschlüssel",
            "autor",
            "erstellt",
            "erledigt",
            "nummer",
            "geöffnet",
            "anrufer",
            "kategorie",
            "anwesenheitsbericht",
            "erstebeitritt",
            "letzteverlassen",
            "teilnehmerid",
        ],
    ),
    (
        "Spanish",
        &[
            "nombrecompleto",
            "resumen",
            "clavedeincidencia",
            "informador",
            "creada",
            "resuelta",
            "solicitante",
            "creado",
            "estado",
            "participantes",
            "primeraunión",
            "últimasalida",
            "horadeentrada",
        ],
    ),
    (
        "Portuguese",
        &[
            "nomecompleto",
            "atividade",
            "dataehora",
            "horáriodeentrada",
            "horáriodesaída",
            "primeiroingresso",
            "últimasaída",
            "participantes",
        ],
    ),
    (
        "Italian",
        &[
            "nomecompleto",
            "partecipanti",
            "riepilogo",
            "riepilogodellariunione",
            "oradiingresso",
            "oradiuscita",
            "indirizzoemail",
            "ruolo",
            "primoingresso",
            "ultimauscita",
        ],
    ),
    (
        "Polish",
        &[
            "imięinazwisko",
            "pierwszedołączenie",
            "ostatniewyjście",
            "uczestnicy",
            "podsumowanie",
            "identyfikatoruczestnikaupn",
        ],
    ),
];

/// The language of a file's labels when not English: the language most of its
/// known labels are in (Portuguese and Italian share `Nome completo`: the other
/// labels decide), or Japanese, Chinese or Korean from the script of its text.
pub fn language(text: &str) -> Option<&'static str> {
    let mut cells = BTreeSet::new();
    for line in text.lines().take(40) {
        for cell in line.split([',', '\t', ';']) {
            let s = squash(cell.trim_matches('"'));
            // Section titles are numbered: `2. Participantes`.
            let s = s
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .to_string();
            cells.insert(s);
        }
    }
    let mut best: Option<(&'static str, usize)> = None;
    for (lang, labels) in LANGUAGE_LABELS {
        let n = labels.iter().filter(|l| cells.contains(**l)).count();
        if n > 0 && best.is_none_or(|(_, m)| n > m) {
            best = Some((lang, n));
        }
    }
    if let Some((lang, _)) = best {
        return Some(lang);
    }
    let head: String = text.chars().take(8192).collect();
    let kana = head.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c));
    let hangul = head.chars().any(|c| ('\u{ac00}'..='\u{d7af}').contains(&c));
    let han = head.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if kana {
        Some("Japanese")
    } else if hangul {
        Some("Korean")
    } else if han {
        Some("Chinese")
    } else {
        None
    }
}

/// The column of a source whose first and last day init shows.
fn main_date(source: Source) -> Option<&'static str> {
    match source {
        Source::Roster => None,
        Source::Enrollments => Some(schema::ENROLLED_AT),
        Source::Email => Some(schema::TIMESTAMP),
        Source::Training => Some(schema::JOINED_AT),
        Source::Tickets => Some(schema::OPENED_AT),
        Source::Touchpoints => Some(schema::TIMESTAMP),
        Source::Completions => Some(schema::COMPLETED_AT),
        Source::Usage => Some(schema::LAST_ACTIVE),
        Source::Survey => Some(schema::SUBMITTED_AT),
    }
}

/// Whether a canonical column holds dates or timestamps.
fn is_date_column(name: &str) -> bool {
    name.ends_with("_at")
        || name == schema::TIMESTAMP
        || name == schema::LEFT_ON
        || name == schema::LAST_ACTIVE
}

/// The source config that reads `path` alone as `layout`.
pub fn source_config(
    source: Source,
    path: &Path,
    layout: Layout,
    date_order: Option<DateOrder>,
) -> SourceConfig {
    SourceConfig {
        path: path.to_path_buf(),
        format: layout.format(),
        columns: BTreeMap::new(),
        date_format: None,
        date_order,
        campaign_from: None,
        products: BTreeMap::new(),
        snapshots: false,
        workload: None,
        key: format!("sources.{}", source.name()),
        config_file: PathBuf::from("uptake.toml"),
    }
}

/// Reads a recognised file with the reader `uptake run` uses for its layout, in
/// `order` when given: its rows, its first and last day, what its dates say of
/// their order and its offsets. A roster is read with its proposed group column.
/// The reader's error, when it refuses the file, is the reason it is not placed.
pub fn read_found(found: &mut Found, order: Option<DateOrder>) -> Result<(), String> {
    if found.source == Source::Roster && found.group_column.is_none() {
        let Some((column, _)) = super::plan::group_column(&found.headers, &roster_table(found))
        else {
            let shown: String = found.headers.join(", ").chars().take(200).collect();
            return Err(format!(
                "a roster with no group column: no `department`, no location, and no column of {}-{} distinct values shared by several people (headers found: {shown})",
                super::plan::GROUP_VALUES.0,
                super::plan::GROUP_VALUES.1
            ));
        };
        found.group_column = Some(column);
    }
    let group = found
        .group_column
        .clone()
        .unwrap_or_else(|| "group".to_string());
    let roster = RosterColumns::grouped_by(&group);
    let (wanted, _) = wanted_columns(found.source, &roster);
    let dates: Vec<usize> = (0..wanted.len())
        .filter(|&i| is_date_column(&wanted[i]))
        .collect();
    let main = main_date(found.source).and_then(|m| wanted.iter().position(|w| w == m));
    let workload = wanted.iter().position(|w| w == schema::WORKLOAD);
    let score = wanted.iter().position(|w| w == schema::SCORE);
    let cfg = source_config(found.source, &found.path, found.layout, order);
    let mut cells: Vec<(Vec<String>, String, Option<u32>)> = Vec::new();
    let parse = |row: Row<'_>| match row {
        Row::Cells(c) => Some((
            dates
                .iter()
                .map(|&i| c.get(i).trim().to_string())
                .collect::<Vec<_>>(),
            workload.map_or_else(String::new, |i| c.get(i).trim().to_string()),
            score.and_then(|i| crate::quality::whole_score(c.get(i)).ok()),
        )),
        Row::Malformed { .. } => None,
    };
    let read = read_source(found.source, &cfg, &roster, parse, |_, r| {
        if let Some(r) = r {
            cells.push(r);
        }
    });
    let files = match read {
        Ok(files) => files,
        Err(Error::Config { key, .. }) if key.ends_with("date_order") && order.is_none() => {
            // The file's dates read either way: read it as day-first to count it; the
            // plan settles the order.
            read_found(found, Some(DateOrder::Dmy))?;
            found.order = Order::Undecided;
            return Ok(());
        }
        Err(e) => return Err(first_line(&format!("{e:#}"))),
    };
    found.rows = files.iter().map(|f| f.rows).sum();
    let main_at = main.and_then(|m| dates.iter().position(|&i| i == m));
    let mut local = Vec::new();
    let mut days = Vec::new();
    found.offsets.clear();
    found.workloads.clear();
    found.scores = None;
    for (row, wl, score) in &cells {
        for (k, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let day = match parse_iso(cell) {
                Some((naive, offset)) => {
                    if let Some(off) = offset.filter(|o| *o != 0) {
                        let utc = naive - chrono::Duration::seconds(off);
                        found.offsets.insert((utc.date(), off as i32));
                    }
                    Some(naive.date())
                }
                None => {
                    local.push(cell.as_str());
                    parse_local(cell)
                        .and_then(|l| l.naive(order.unwrap_or(DateOrder::Dmy)))
                        .map(|n| n.date())
                }
            };
            if Some(k) == main_at {
                days.extend(day);
            }
        }
        if !wl.is_empty() {
            *found.workloads.entry(wl.clone()).or_default() += 1;
        }
        if let Some(v) = *score {
            found.scores = Some(
                found
                    .scores
                    .map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))),
            );
        }
    }
    found.span = days.iter().min().copied().zip(days.iter().max().copied());
    if found.layout == Layout::Canonical && order.is_none() {
        // The canonical reader reads locale dates only in the order the config sets.
        found.order = match order_evidence(local.iter().copied()) {
            OrderEvidence::DayFirst => Order::Decided(DateOrder::Dmy),
            OrderEvidence::MonthFirst | OrderEvidence::UsClock => Order::Decided(DateOrder::Mdy),
            OrderEvidence::Undecided | OrderEvidence::Conflicting => Order::Undecided,
            OrderEvidence::Irrelevant => Order::Free,
        };
        if let Order::Decided(o) = found.order {
            if o != DateOrder::Dmy {
                // The days shown were read day-first.
                return read_found_in(found, o);
            }
        }
    }
    Ok(())
}

/// Reads `found` again in `order`, keeping what it said of its order.
fn read_found_in(found: &mut Found, order: DateOrder) -> Result<(), String> {
    let said = found.order;
    read_found(found, Some(order))?;
    found.order = said;
    Ok(())
}

/// The first line of an error message (the rest are `help:` lines for a config).
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    line.chars().take(300).collect()
}

/// A roster file's table, as written (for its columns and their values).
pub fn roster_table(found: &Found) -> crate::ingest::table::Table {
    match text::read_text(&found.path) {
        Ok((t, _, _)) => parse_table(&t, 1),
        Err(_) => crate::ingest::table::Table::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_sources_are_told_by_their_required_columns() {
        let h = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            canonical_source(&h("user_id,department")),
            Ok(Source::Roster)
        );
        assert_eq!(
            canonical_source(&h("user_id,device_id,enrolled_at")),
            Ok(Source::Enrollments)
        );
        assert_eq!(
            canonical_source(&h("user_id,campaign,event,timestamp")),
            Ok(Source::Email)
        );
        assert_eq!(
            canonical_source(&h("user_id,session,joined_at,left_at")),
            Ok(Source::Training)
        );
        assert_eq!(
            canonical_source(&h("ticket_id,user_id,opened_at")),
            Ok(Source::Tickets)
        );
        // Each engagement source by its own columns, never as a roster (which any
        // other file with a `user_id` is).
        assert_eq!(
            canonical_source(&h("user_id,channel,timestamp,campaign")),
            Ok(Source::Touchpoints)
        );
        assert_eq!(
            canonical_source(&h("user_id,course,completed_at")),
            Ok(Source::Completions)
        );
        assert_eq!(
            canonical_source(&h("user_id,workload,last_active")),
            Ok(Source::Usage)
        );
        assert_eq!(
            canonical_source(&h("submitted_at,score,user_id,department,comment")),
            Ok(Source::Survey)
        );
        assert_eq!(
            canonical_source(&h("submitted_at,score")),
            Ok(Source::Survey)
        );
        let e = canonical_source(&h("name,amount")).unwrap_err();
        assert!(e.contains("`user_id`") && e.contains("name, amount"), "{e}");
        assert!(canonical_source(&h("just one column")).is_err());
    }

    #[test]
    fn languages_are_told_by_their_labels_or_script() {
        assert_eq!(
            language("Nom complet,Heure d'arrivée,E-mail\n"),
            Some("French")
        );
        assert_eq!(
            language("Zusammenfassung,Vorgangsschlüssel,Autor,Erstellt\n"),
            Some("German")
        );
        assert_eq!(language("1. Podsumowanie\n2. Uczestnicy\n"), Some("Polish"));
        assert_eq!(
            language("1. 概要\n会議のタイトル\tテスト\n"),
            Some("Japanese")
        );
        assert_eq!(
            language("user_id,department\nzoé@x.fr,Comptabilité\n"),
            None
        );
        // `Participants` is English as well as French; `Nome completo` is Italian as
        // well as Portuguese: the other labels decide.
        assert_eq!(language("Meeting ID,Topic,Participants\n"), None);
        assert_eq!(
            language("Nome completo\tOra di ingresso\tOra di uscita\n"),
            Some("Italian")
        );
    }
}

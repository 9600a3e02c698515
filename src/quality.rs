//! Quality: canonical rows in, a clean [`Dataset`] out, with every rejected row
//! quarantined and every row counted.
//!
//! This stage owns the rules of docs/inputs.md. It normalises ids (NFKC, invisible
//! characters removed, trimmed, lowercase) and merges group labels written several
//! ways (see `normalize`); parses dates and timestamps (naive ones in the rollout's
//! zone); rejects a row that misses a required value, has an unparseable date, an
//! unknown email event, `left_at` before `joined_at`, `resolved_at` before
//! `opened_at`, or repeats a roster user with a conflicting group; removes exact
//! duplicates (and keeps a ticket's last state); and matches each event to a roster
//! person by `user_id`, then `mail`, then display name (a name that fits two people
//! is quarantined, never guessed). Events of people not on the roster are accepted,
//! counted as unmatched and left out of the metrics.
//!
//! For every source, `rows_read = rows_accepted + rows_quarantined`; the counts and
//! the quarantined rows are handed on with the data.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use compact_str::CompactString;
use rayon::slice::ParallelSliceMut;

use crate::config::{Config, RosterColumns, SourceConfig};
use crate::dataset::{
    Attendance, Dataset, EmailEvent, EmailEvents, Enrollments, EventAt, QuarantinedRow, Roster,
    SourceCounts, Tickets, UnmatchedId, LATEST_ROWS,
};
use crate::error::Error;
use crate::ingest::{self, dates::TimeParser, wanted_columns, InputFile, Row};
use crate::normalize::{label_key, label_spelling, norm_id, norm_id_cow, norm_name, word_key};
use crate::progress::{Progress, Rows};
use crate::schema::{self, Source};

/// Reads and cleans every configured source.
pub fn ingest(cfg: &Config, progress: &Progress) -> Result<Dataset, Error> {
    let mut data = Dataset::default();
    for source in Source::ALL {
        data.counts.insert(source, SourceCounts::default());
        data.quarantine.insert(source, Vec::new());
    }
    let roster_cfg = cfg
        .source(Source::Roster)
        .expect("the config check requires a roster");
    let mut tally = Tally::new(Source::Roster);
    let files = read_roster(cfg, roster_cfg, &mut data, &mut tally, progress)?;
    note_empty_files(Source::Roster, &files, &mut data.notes);
    tally.finish(&mut data, files);

    let matcher = Matcher::new(&data.roster);
    let roster_columns = cfg.roster_columns();
    for source in [
        Source::Enrollments,
        Source::Email,
        Source::Training,
        Source::Tickets,
    ] {
        let tables = cfg.tables(source);
        if tables.is_empty() {
            continue;
        }
        let mut tally = Tally::new(source);
        let parsers: Vec<TimeParser> = tables
            .iter()
            .map(|t| {
                TimeParser::new(cfg.timezone, t.date_format.as_deref())
                    .with_order(t.date_order)
                    .since(first_day(cfg))
                    .until(cfg.horizon())
            })
            .collect();
        let reads: Vec<Read<'_>> = tables
            .iter()
            .zip(&parsers)
            .map(|(table, parser)| Read {
                cfg: table,
                roster: &roster_columns,
                matcher: &matcher,
                parser,
            })
            .collect();
        let bar = progress.rows(source.name());
        let mut ctx = EventCtx {
            tally: &mut tally,
            unmatched: FastMap::default(),
            unmatched_rows: Vec::new(),
            n_roster: data.roster.len() as u32,
            latest: &mut data.latest_event_ms,
            latest_rows: &mut data.latest_events,
            bar: &bar,
        };
        let files = match source {
            Source::Enrollments => read_enrollments(cfg, &reads, &mut ctx, &mut data.enrollments)?,
            Source::Email => read_email(&reads[0], &mut ctx, &mut data.email)?,
            Source::Training => read_training(&reads[0], &mut ctx, &mut data.training)?,
            Source::Tickets => read_tickets(&reads[0], &mut ctx, &mut data.tickets)?,
            Source::Roster => unreachable!("the roster is read first"),
        };
        let unmatched = ctx.unmatched.len() as u64;
        data.unmatched.insert(source, ctx.unmatched_ids());
        bar.finish();
        note_empty_files(source, &files, &mut data.notes);
        tally.counts.unmatched_users = unmatched;
        tally.finish(&mut data, files);
    }
    Ok(data)
}

/// The first day an event of this rollout can fall on: two years before the first
/// wave starts. An earlier one is a mistyped year (`1926`, `0026-10-01`).
fn first_day(cfg: &Config) -> Option<NaiveDate> {
    let first = cfg.waves.iter().map(|w| w.start).min()?;
    Some(
        first
            .checked_sub_months(chrono::Months::new(24))
            .unwrap_or(NaiveDate::MIN),
    )
}

/// A hash map with a fast hasher (the keys are ids and names read from the inputs).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

// ---- accounting -----------------------------------------------------------------

/// A file with no data row is not an error (a week with no tickets), but worth a word.
fn note_empty_files(source: Source, files: &[InputFile], notes: &mut Vec<String>) {
    for f in files.iter().filter(|f| f.rows == 0) {
        notes.push(format!("{source}: {} has no data rows", f.path.display()));
    }
}

struct Tally {
    source: Source,
    counts: SourceCounts,
    quarantine: Vec<QuarantinedRow>,
}

impl Tally {
    fn new(source: Source) -> Self {
        Tally {
            source,
            counts: SourceCounts {
                configured: true,
                ..SourceCounts::default()
            },
            quarantine: Vec::new(),
        }
    }

    fn reject(&mut self, file: &Path, rejected: Rejected) {
        self.quarantine.push(QuarantinedRow {
            file: file.to_path_buf(),
            line: rejected.line,
            reason: rejected.reason,
            raw: rejected.raw,
        });
    }

    fn finish(mut self, data: &mut Dataset, files: Vec<InputFile>) {
        self.counts.rows_read = files.iter().map(|f| f.rows).sum();
        self.counts.rows_quarantined = self.quarantine.len() as u64;
        self.counts.rows_accepted = self.counts.rows_read - self.counts.rows_quarantined;
        data.counts.insert(self.source, self.counts);
        data.quarantine.insert(self.source, self.quarantine);
        // The same note from many files of a folder (one Teams report per session)
        // is said once, with the number of files.
        let mut notes: BTreeMap<&str, usize> = BTreeMap::new();
        let mut order = Vec::new();
        for note in files.iter().flat_map(|f| &f.notes) {
            let n = notes.entry(note.as_str()).or_insert(0);
            if *n == 0 {
                order.push(note.as_str());
            }
            *n += 1;
        }
        for note in order {
            let n = notes[note];
            data.notes.push(if n > 1 {
                format!("{}: {note} ({n} files)", self.source)
            } else {
                format!("{}: {note}", self.source)
            });
        }
        data.files.extend(files);
    }
}

// ---- reading rows -----------------------------------------------------------------

/// A row that cannot be used: where it starts, why, and the row as it stood (its
/// file is known to the caller).
struct Rejected {
    line: u64,
    reason: String,
    raw: String,
}

/// Runs `f` on a well-formed row's cells; a malformed row, or one `f` refuses, is
/// rejected with the reason.
fn parse_row<R>(
    row: Row<'_>,
    f: impl FnOnce(&ingest::canonical::Cells<'_>) -> Result<R, String>,
) -> Result<R, Rejected> {
    match row {
        Row::Malformed { line, reason, raw } => Err(Rejected { line, reason, raw }),
        Row::Cells(c) => f(&c).map_err(|reason| Rejected {
            line: c.line,
            reason,
            raw: c.raw(),
        }),
    }
}

/// Looks up the wanted columns of a source by name.
struct Cols {
    names: Vec<String>,
}

impl Cols {
    fn new(source: Source, roster: &RosterColumns) -> Self {
        Cols {
            names: wanted_columns(source, roster).0,
        }
    }

    fn ix(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("every canonical column is in the wanted list")
    }
}

fn required<'c>(value: &'c str, column: &str) -> Result<&'c str, String> {
    let v = value.trim();
    if v.is_empty() {
        Err(format!("missing required value `{column}`"))
    } else {
        Ok(v)
    }
}

fn timestamp(parser: &TimeParser, value: &str, column: &str) -> Result<i64, String> {
    parser
        .instant(required(value, column)?)
        .map_err(|e| format!("`{column}`: {e}"))
}

/// A yes/no cell: true, yes, y, 1 or x (any case).
fn flag(s: &str) -> bool {
    let s = s.trim();
    ["true", "yes", "y", "1", "x"]
        .iter()
        .any(|yes| s.eq_ignore_ascii_case(yes))
}

// ---- the roster -----------------------------------------------------------------

/// A label as a roster cell writes it: cleaned, whether the cell was written exactly
/// so, and what makes it the same label as another spelling (`normalize::label_key`).
struct Label {
    spelling: String,
    clean: bool,
    key: String,
}

impl Label {
    fn of(cell: &str) -> Label {
        let spelling = label_spelling(cell);
        Label {
            clean: spelling == cell,
            key: label_key(&spelling),
            spelling,
        }
    }
}

/// One roster row, parsed.
struct RosterRow {
    line: u64,
    id: String,
    /// The group.
    group: Label,
    left_on: Option<NaiveDate>,
    /// Per workload, the cell naming its wave (empty when none).
    wave_cells: Vec<Label>,
    /// A `wave` cell that no workload reads.
    stray_wave: bool,
    /// Per cut, the person's value.
    cuts: Vec<Label>,
    champion: bool,
    name: String,
    mail: String,
    /// The row as it stood, should it turn out to conflict with an earlier one.
    raw: String,
}

/// The group labels of the roster's people: each spelling, in the order the kept
/// people first write it, and the label it is a spelling of.
#[derive(Default)]
struct Labels {
    keys: Interner,
    spellings: Interner,
    /// Spelling -> key.
    key_of: Vec<u32>,
    /// Per person: the spelling, and whether the cell was written exactly so.
    person: Vec<(u32, bool)>,
}

impl Labels {
    /// The person numbered next writes `spelling` (of label `key`).
    fn push(&mut self, key: u32, spelling: &str, clean: bool) {
        let s = self.spellings.get(spelling);
        if s as usize == self.key_of.len() {
            self.key_of.push(key);
        }
        self.person.push((s, clean));
    }

    fn key_of_person(&self, pid: usize) -> u32 {
        self.key_of[self.person[pid].0 as usize]
    }

    /// Each person's group as shown: the spelling most of the label's people write,
    /// the first written among those tied. Returns the groups, the number of people
    /// whose cell was written otherwise, and a note per label written several ways.
    fn resolve(self, what: &str) -> (Vec<String>, u64, Vec<String>) {
        let mut count = vec![0u64; self.spellings.names.len()];
        for &(s, _) in &self.person {
            count[s as usize] += 1;
        }
        let mut best: Vec<Option<u32>> = vec![None; self.keys.names.len()];
        let mut variants: Vec<Vec<u32>> = vec![Vec::new(); self.keys.names.len()];
        for (s, &k) in self.key_of.iter().enumerate() {
            let (s, k) = (s as u32, k as usize);
            variants[k].push(s);
            if best[k].is_none_or(|b| count[s as usize] > count[b as usize]) {
                best[k] = Some(s);
            }
        }
        let shown = |k: u32| best[k as usize].expect("every label has a spelling");
        let merged = self
            .person
            .iter()
            .filter(|&&(s, clean)| !clean || s != shown(self.key_of[s as usize]))
            .count() as u64;
        let mut notes = Vec::new();
        for (k, mut spellings) in variants.into_iter().enumerate() {
            if spellings.len() < 2 {
                continue;
            }
            let b = shown(k as u32);
            spellings.retain(|&s| s != b);
            spellings.sort_by_key(|&s| std::cmp::Reverse(count[s as usize]));
            const LISTED: usize = 5;
            let mut listed: Vec<String> = spellings
                .iter()
                .take(LISTED)
                .map(|&s| {
                    let n = count[s as usize];
                    let people = if n == 1 { "person" } else { "people" };
                    format!("`{}` ({n} {people})", self.spellings.names[s as usize])
                })
                .collect();
            if spellings.len() > LISTED {
                listed.push(format!("{} more spellings", spellings.len() - LISTED));
            }
            notes.push(format!(
                "roster: {what} `{}` is also written {}: read as one, shown as most of its people write it",
                self.spellings.names[b as usize],
                listed.join(", ")
            ));
        }
        let groups = self
            .person
            .iter()
            .map(|&(s, _)| {
                let b = shown(self.key_of[s as usize]);
                self.spellings.names[b as usize].clone()
            })
            .collect();
        (groups, merged, notes)
    }
}

fn read_roster(
    cfg: &Config,
    src: &SourceConfig,
    data: &mut Dataset,
    tally: &mut Tally,
    progress: &Progress,
) -> Result<Vec<InputFile>, Error> {
    let columns = cfg.roster_columns();
    let cols = Cols::new(Source::Roster, &columns);
    let (c_id, c_group) = (cols.ix(schema::USER_ID), cols.ix(&cfg.group_by));
    let (c_wave, c_left) = (cols.ix(schema::WAVE), cols.ix(schema::LEFT_ON));
    let (c_name, c_champion) = (cols.ix(schema::DISPLAY_NAME), cols.ix(schema::CHAMPION));
    let c_mail = cols.ix(schema::MAIL);
    let c_cuts: Vec<usize> = cfg.cuts.iter().map(|c| cols.ix(c)).collect();
    // The column naming each workload's wave: its `wave_column`, or the canonical
    // `wave` column when the rollout has one workload.
    let c_waves: Vec<Option<usize>> = cfg
        .workloads
        .iter()
        .map(|w| match &w.wave_column {
            Some(column) => Some(cols.ix(column)),
            None if cfg.workloads.len() == 1 => Some(c_wave),
            None => None,
        })
        .collect();
    let wave_column_read = c_waves.contains(&Some(c_wave));
    let parser =
        TimeParser::new(cfg.timezone, src.date_format.as_deref()).with_order(src.date_order);
    // Groups and waves are matched as labels: case, spaces and Unicode form aside.
    // Per workload: group -> wave, and the waves' keys.
    let group_wave: Vec<HashMap<String, u32>> = (0..cfg.workloads.len())
        .map(|w| {
            cfg.waves_of(w)
                .flat_map(|(i, x)| x.groups.iter().map(move |g| (label_key(g), i as u32)))
                .collect()
        })
        .collect();
    let wave_keys: Vec<Vec<(usize, String)>> = (0..cfg.workloads.len())
        .map(|w| {
            cfg.waves_of(w)
                .map(|(i, x)| (i, label_key(&x.name)))
                .collect()
        })
        .collect();
    // Per user: the person kept, whose line and wave cells are below.
    let mut seen: FastMap<String, u32> = FastMap::default();
    seen.reserve(rows_guess(Source::Roster, src));
    let (mut kept_line, mut kept_waves) = (Vec::new(), Vec::new());
    let mut labels = Labels::default();
    let mut cut_labels: Vec<Labels> = cfg.cuts.iter().map(|_| Labels::default()).collect();
    // Unknown waves by workload and label: the first spelling and how many people.
    let mut unknown_waves: BTreeMap<(usize, String), (String, u64)> = BTreeMap::new();
    // A `wave` cell that no workload reads (several workloads, none naming the column).
    let mut stray_wave_column = false;
    let roster = &mut data.roster;
    roster.waves = vec![Vec::new(); cfg.workloads.len()];
    let bar = progress.rows("roster");
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let id = norm_id(required(c.get(c_id), schema::USER_ID)?);
            if id.is_empty() {
                return Err(format!("missing required value `{}`", schema::USER_ID));
            }
            let group = Label::of(c.get(c_group));
            if group.spelling.is_empty() {
                return Err(format!("missing required value `{}`", cfg.group_by));
            }
            let left_on = match c.get(c_left).trim() {
                "" => None,
                v => Some(
                    parser
                        .date(v)
                        .map_err(|e| format!("`{}`: {e}", schema::LEFT_ON))?,
                ),
            };
            let wave_cells: Vec<Label> = c_waves
                .iter()
                .map(|w| Label::of(w.map_or("", |i| c.get(i))))
                .collect();
            Ok(RosterRow {
                line: c.line,
                id,
                group,
                left_on,
                wave_cells,
                stray_wave: !wave_column_read && !c.get(c_wave).trim().is_empty(),
                cuts: c_cuts.iter().map(|&i| Label::of(c.get(i))).collect(),
                champion: flag(c.get(c_champion)),
                name: c.get(c_name).trim().to_string(),
                mail: norm_id(c.get(c_mail)),
                raw: c.raw(),
            })
        })
    };
    let apply = |path: &Path, parsed: Result<RosterRow, Rejected>| {
        bar.inc();
        let r = match parsed {
            Ok(r) => r,
            Err(rejected) => return tally.reject(path, rejected),
        };
        stray_wave_column |= r.stray_wave;
        let key = labels.keys.get(&r.group.key);
        if let Some(&pid) = seen.get(&r.id) {
            let pid = pid as usize;
            let kept: &Vec<Label> = &kept_waves[pid];
            let same_group = labels.key_of_person(pid) == key;
            let other_wave = kept.iter().zip(&r.wave_cells).find(|(a, b)| a.key != b.key);
            if !same_group || other_wave.is_some() {
                let what = match other_wave {
                    Some((kept, _)) if same_group => format!("wave `{}`", kept.spelling),
                    _ => {
                        let spelling = labels.person[pid].0 as usize;
                        format!("group `{}`", labels.spellings.names[spelling])
                    }
                };
                let reason = format!(
                    "duplicate user_id `{}` with a conflicting group: line {} has {what}",
                    r.id, kept_line[pid]
                );
                return tally.reject(
                    path,
                    Rejected {
                        line: r.line,
                        reason,
                        raw: r.raw,
                    },
                );
            }
            tally.counts.duplicates_removed += 1;
            return;
        }
        for (w, cell) in r.wave_cells.iter().enumerate() {
            let wave = if cell.spelling.is_empty() {
                group_wave[w].get(&r.group.key).copied()
            } else {
                let found = wave_keys[w]
                    .iter()
                    .find(|(_, k)| *k == cell.key)
                    .map(|&(i, _)| i as u32);
                if found.is_none() {
                    unknown_waves
                        .entry((w, cell.key.clone()))
                        .or_insert_with(|| (cell.spelling.clone(), 0))
                        .1 += 1;
                }
                found
            };
            roster.waves[w].push(wave);
        }
        for (k, value) in r.cuts.into_iter().enumerate() {
            let cuts = &mut cut_labels[k];
            let key = cuts.keys.get(&value.key);
            cuts.push(key, &value.spelling, value.clean);
        }
        seen.insert(r.id.clone(), roster.len() as u32);
        kept_line.push(r.line);
        kept_waves.push(r.wave_cells);
        labels.push(key, &r.group.spelling, r.group.clean);
        roster.user_id.push(r.id);
        roster.left_on.push(r.left_on);
        roster.champion.push(r.champion);
        roster.display_name.push(r.name);
        roster.mail.push(r.mail);
    };
    let files = ingest::read_source(Source::Roster, src, &columns, parse, apply)?;
    bar.finish();
    if stray_wave_column {
        return Err(Error::config(
            &src.config_file,
            "workloads",
            "the roster has a `wave` column, but with several workloads a wave column must say which workload it is for",
        )
        .with_help("set wave_column = \"wave\" on the [[workloads]] entry it belongs to (and a column of its own on each other workload)"));
    }
    let (groups, merged, notes) = labels.resolve("group");
    data.roster.group = groups;
    data.labels_merged = merged;
    data.notes.extend(notes);
    for (cut, values) in cfg.cuts.iter().zip(cut_labels) {
        let (values, _, notes) = values.resolve(cut);
        data.roster.cuts.push(values);
        data.notes.extend(notes);
    }
    for ((w, _), (wave, n)) in unknown_waves {
        let of = if cfg.workloads.len() > 1 {
            format!(" of workload `{}`", cfg.workloads[w].name)
        } else {
            String::new()
        };
        data.notes.push(format!(
            "roster: {n} people have wave `{wave}`, which no [[waves]] entry{of} names: they are counted as unassigned"
        ));
    }
    Ok(files)
}

// ---- matching people ------------------------------------------------------------

/// Who an event's user cell names.
enum Found {
    /// A roster person, found by id or mail (`false`) or by display name (`true`).
    Person(u32, bool),
    /// Nobody on the roster: the normalised id.
    Unknown(String),
}

/// Finds roster people by id, mail or display name. Read-only, so that rows can be
/// matched on several threads at once.
struct Matcher {
    by_id: FastMap<String, u32>,
    by_mail: FastMap<String, Option<u32>>,
    by_name: FastMap<String, Option<u32>>,
    /// Names by their words in any order (`Mustermann Max` is `Max Mustermann`).
    by_words: FastMap<String, Option<u32>>,
}

impl Matcher {
    fn new(roster: &Roster) -> Self {
        let mut by_id = FastMap::default();
        by_id.reserve(roster.len());
        for (pid, id) in roster.user_id.iter().enumerate() {
            by_id.insert(id.clone(), pid as u32);
        }
        let mut by_mail: FastMap<String, Option<u32>> = FastMap::default();
        by_mail.reserve(roster.len());
        for (pid, mail) in roster.mail.iter().enumerate() {
            if mail.is_empty() || by_id.get(mail) == Some(&(pid as u32)) {
                continue;
            }
            by_mail
                .entry(mail.clone())
                .and_modify(|e| *e = None)
                .or_insert(Some(pid as u32));
        }
        let mut by_name: FastMap<String, Option<u32>> = FastMap::default();
        let mut by_words: FastMap<String, Option<u32>> = FastMap::default();
        by_name.reserve(roster.len());
        by_words.reserve(roster.len());
        for (pid, name) in roster.display_name.iter().enumerate() {
            let key = norm_name(name);
            if key.is_empty() {
                continue;
            }
            for (map, key) in [(&mut by_words, word_key(&key)), (&mut by_name, key)] {
                map.entry(key)
                    .and_modify(|e| *e = None)
                    .or_insert(Some(pid as u32));
            }
        }
        Matcher {
            by_id,
            by_mail,
            by_name,
            by_words,
        }
    }

    fn by_id_or_mail(&self, id: &str) -> Option<Result<u32, String>> {
        if let Some(&p) = self.by_id.get(id) {
            return Some(Ok(p));
        }
        match self.by_mail.get(id) {
            Some(Some(p)) => Some(Ok(*p)),
            Some(None) => Some(Err(format!("mail `{id}` belongs to several roster people"))),
            None => None,
        }
    }

    /// The person a (required) user cell names; `Err` is the quarantine reason: the
    /// cell is empty, or names several roster people.
    fn find(&self, cell: &str) -> Result<Found, String> {
        let cell = required(cell, schema::USER_ID)?;
        let id = norm_id_cow(cell);
        if let Some(found) = self.by_id_or_mail(&id) {
            return found.map(|p| Found::Person(p, false));
        }
        // `Name (id)`: the id in parentheses first.
        if let Some(inner) = id
            .rsplit_once('(')
            .and_then(|(_, r)| r.strip_suffix(')'))
            .map(str::trim)
        {
            if let Some(found) = self.by_id_or_mail(inner) {
                return found.map(|p| Found::Person(p, false));
            }
        }
        if !id.contains('@') {
            // The name as written, then its words in any order (`Mustermann Max`),
            // then the name in parentheses (Zoom's `iPhone (Ann Lee)`).
            let key = norm_name(cell);
            let inner = cell
                .rsplit_once('(')
                .and_then(|(_, r)| r.strip_suffix(')'))
                .map(norm_name)
                .unwrap_or_default();
            let tries = [
                (&self.by_name, key.clone()),
                (&self.by_words, word_key(&key)),
                (&self.by_name, inner),
            ];
            for (map, key) in tries {
                match map.get(&key) {
                    Some(Some(p)) => return Ok(Found::Person(*p, true)),
                    Some(None) => return Err(format!("name `{cell}` fits several roster people")),
                    None => {}
                }
            }
        }
        Ok(Found::Unknown(id.into_owned()))
    }
}

// ---- event sources --------------------------------------------------------------

/// What the readers of an event source look rows up in (shared by every thread).
struct Read<'a> {
    cfg: &'a SourceConfig,
    roster: &'a RosterColumns,
    matcher: &'a Matcher,
    parser: &'a TimeParser,
}

/// What the readers of an event source keep as rows arrive, in file order.
struct EventCtx<'a> {
    tally: &'a mut Tally,
    /// Ids not on the roster, numbered from `n_roster` on in first-seen order.
    unmatched: FastMap<String, u32>,
    /// The accepted rows that carry each unmatched id, by its number past the roster.
    unmatched_rows: Vec<u64>,
    n_roster: u32,
    latest: &'a mut Option<i64>,
    latest_rows: &'a mut Vec<EventAt>,
    bar: &'a Rows,
}

impl EventCtx<'_> {
    /// Reads `source`: `parse` turns each row into whom it names, the instant it
    /// shows activity at (for the default as-of day) and the rest; a rejected row is
    /// quarantined, an accepted one handed to `keep` in file order with its person's
    /// number (see [`EventCtx::uid`]).
    fn read_rows<R: Send>(
        &mut self,
        source: Source,
        read: &Read<'_>,
        parse: impl Fn(Row<'_>) -> Result<(Found, i64, R), Rejected> + Sync,
        mut keep: impl FnMut(&mut SourceCounts, (u32, bool), R),
    ) -> Result<Vec<InputFile>, Error> {
        let parse = |row: Row<'_>| (row.line(), parse(row));
        ingest::read_source(
            source,
            read.cfg,
            read.roster,
            parse,
            |path, (line, parsed)| {
                self.bar.inc();
                match parsed {
                    Err(rejected) => self.tally.reject(path, rejected),
                    Ok((found, seen, row)) => {
                        self.saw(seen, source, path, line);
                        let who = self.uid(found);
                        keep(&mut self.tally.counts, who, row);
                    }
                }
            },
        )
    }

    /// An accepted row at `line` of `path` shows activity at `ms`: keep the latest
    /// instant, and the latest rows (the first read among rows of one instant).
    fn saw(&mut self, ms: i64, source: Source, path: &Path, line: u64) {
        *self.latest = Some(self.latest.map_or(ms, |l| l.max(ms)));
        let top = &mut *self.latest_rows;
        if top.len() == LATEST_ROWS && top.last().is_some_and(|l| l.ms >= ms) {
            return;
        }
        let at = top.partition_point(|e| e.ms >= ms);
        top.insert(
            at,
            EventAt {
                ms,
                source,
                file: path.to_path_buf(),
                line,
            },
        );
        top.truncate(LATEST_ROWS);
    }

    /// A number for whoever the row names: the person's id for a roster person, a
    /// number past the roster for an unknown id (the same for each mention of it);
    /// and whether the person was found by name.
    fn uid(&mut self, found: Found) -> (u32, bool) {
        match found {
            Found::Person(p, by_name) => (p, by_name),
            Found::Unknown(id) => {
                let next = self.n_roster + self.unmatched.len() as u32;
                let uid = *self.unmatched.entry(id).or_insert(next);
                let k = (uid - self.n_roster) as usize;
                if k == self.unmatched_rows.len() {
                    self.unmatched_rows.push(0);
                }
                self.unmatched_rows[k] += 1;
                (uid, false)
            }
        }
    }
}

impl EventCtx<'_> {
    /// Every unmatched id with the accepted rows that carry it: most rows first,
    /// then by id.
    fn unmatched_ids(&self) -> Vec<UnmatchedId> {
        let mut ids: Vec<UnmatchedId> = self
            .unmatched
            .iter()
            .map(|(id, &uid)| UnmatchedId {
                id: id.clone(),
                rows: self.unmatched_rows[(uid - self.n_roster) as usize],
            })
            .collect();
        ids.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.id.cmp(&b.id)));
        ids
    }
}

/// The rows an event source accepted, in file order, before duplicates are removed:
/// whom each names, whether by name, and the key that says which rows repeat.
struct Accepted<K> {
    /// Each row's key and its number in file order.
    keys: Vec<(K, u32)>,
    uid: Vec<u32>,
    by_name: Vec<bool>,
}

impl<K: Ord + Send> Accepted<K> {
    /// Room for about `rows` rows (a guess from the files' sizes: room not used is
    /// never touched, so it costs no memory).
    fn with_capacity(rows: usize) -> Self {
        Accepted {
            keys: Vec::with_capacity(rows),
            uid: Vec::with_capacity(rows),
            by_name: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, (uid, by_name): (u32, bool), key: K) {
        self.keys.push((key, self.uid.len() as u32));
        self.uid.push(uid);
        self.by_name.push(by_name);
    }

    /// The rows to keep, in key order: the first of each key, of a roster person.
    /// Counts the duplicates removed and the rows kept that were matched by name.
    fn keep(&mut self, n_roster: u32, counts: &mut SourceCounts) -> Vec<(K, u32)> {
        // Sorting by (key, row) puts each key's first row first; sorting is the
        // cheapest way to find repeats among millions of rows, and runs on every core.
        // Everything is done in place: at a million people these are tens of millions
        // of rows.
        let mut rows = std::mem::take(&mut self.keys);
        rows.par_sort_unstable();
        let before = rows.len();
        rows.dedup_by(|later, first| later.0 == first.0);
        counts.duplicates_removed += (before - rows.len()) as u64;
        rows.retain(|&(_, row)| self.uid[row as usize] < n_roster);
        counts.matched_by_name += rows
            .iter()
            .filter(|&&(_, row)| self.by_name[row as usize])
            .count() as u64;
        rows
    }
}

/// A guess at the rows of a source's files from their size (rows are rarely under
/// 40 bytes), for reserving room up front; 0 when the files cannot be listed (the
/// reader then says why).
fn rows_guess(source: Source, cfg: &SourceConfig) -> usize {
    ingest::list_files(source, cfg)
        .map(|files| {
            files
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len() as usize / 40)
                .sum()
        })
        .unwrap_or(0)
}

/// Interns strings to dense indices, in first-seen order.
#[derive(Default)]
struct Interner {
    ids: FastMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn get(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.ids.insert(s.to_string(), i);
        self.names.push(s.to_string());
        i
    }
}

/// Reads every enrollments table (one per workload's export, or one for all). A row's
/// workload is its `workload` cell, else its table's `workload`, else the only
/// workload; a row naming no configured workload is quarantined.
fn read_enrollments(
    cfg: &Config,
    reads: &[Read<'_>],
    ctx: &mut EventCtx<'_>,
    out: &mut Enrollments,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Enrollments, reads[0].roster);
    let (c_id, c_at) = (cols.ix(schema::USER_ID), cols.ix(schema::ENROLLED_AT));
    let (c_dev, c_os, c_comp) = (
        cols.ix(schema::DEVICE_ID),
        cols.ix(schema::OS),
        cols.ix(schema::COMPLIANT),
    );
    let c_workload = cols.ix(schema::WORKLOAD);
    // A row repeats another when the person, workload, instant, device, OS and
    // compliance agree.
    type Key = (u32, u32, i64, CompactString, CompactString, CompactString);
    let guess = reads
        .iter()
        .map(|r| rows_guess(Source::Enrollments, r.cfg))
        .sum();
    let mut accepted: Accepted<Key> = Accepted::with_capacity(guess);
    let mut files = Vec::new();
    for read in reads {
        let default = read
            .cfg
            .workload
            .or((cfg.workloads.len() == 1).then_some(0));
        let parse = |row: Row<'_>| {
            parse_row(row, |c| {
                let found = read.matcher.find(c.get(c_id))?;
                let at = timestamp(read.parser, c.get(c_at), schema::ENROLLED_AT)?;
                let workload = match c.get(c_workload).trim() {
                    "" => default.ok_or_else(|| {
                        format!(
                            "no workload: the row's `workload` is empty and [{}] sets none",
                            read.cfg.key
                        )
                    })?,
                    name => cfg
                        .workloads
                        .iter()
                        .position(|w| w.name.eq_ignore_ascii_case(name))
                        .ok_or_else(|| {
                            format!("`workload`: `{name}` is not a [[workloads]] name")
                        })?,
                } as u32;
                let device = (
                    CompactString::from(c.get(c_dev).trim()),
                    CompactString::from(c.get(c_os).trim()),
                    CompactString::from(c.get(c_comp).trim()).to_ascii_lowercase(),
                );
                Ok((found, at, (workload, at, device)))
            })
        };
        files.extend(ctx.read_rows(
            Source::Enrollments,
            read,
            parse,
            |_, who, (workload, at, device)| {
                let (device, os, compliant) = device;
                accepted.push(who, (who.0, workload, at, device, os, compliant));
            },
        )?);
    }
    for ((pid, workload, at, ..), _) in accepted.keep(ctx.n_roster, &mut ctx.tally.counts) {
        out.pid.push(pid);
        out.workload.push(workload);
        out.enrolled_at.push(at);
    }
    Ok(files)
}

fn read_email(
    read: &Read<'_>,
    ctx: &mut EventCtx<'_>,
    out: &mut EmailEvents,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Email, read.roster);
    let (c_id, c_campaign) = (cols.ix(schema::USER_ID), cols.ix(schema::CAMPAIGN));
    let (c_event, c_ts) = (cols.ix(schema::EVENT), cols.ix(schema::TIMESTAMP));
    let c_machine = cols.ix(schema::MACHINE_OPEN);
    let mut campaigns = Interner::default();
    for name in &out.campaigns {
        campaigns.get(name);
    }
    // A row repeats another when the person, campaign, event, instant and the
    // machine-open flag agree.
    type Key = (u32, u32, EmailEvent, i64, bool);
    let mut accepted: Accepted<Key> = Accepted::with_capacity(rows_guess(Source::Email, read.cfg));
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let found = read.matcher.find(c.get(c_id))?;
            // Inline up to 24 bytes: no allocation per row for a campaign's name.
            let campaign = CompactString::from(required(c.get(c_campaign), schema::CAMPAIGN)?);
            let event_cell = required(c.get(c_event), schema::EVENT)?;
            let event = EmailEvent::parse(event_cell).ok_or_else(|| {
                format!("unknown event `{event_cell}` (expected sent, delivered, open, click or bounce)")
            })?;
            let at = timestamp(read.parser, c.get(c_ts), schema::TIMESTAMP)?;
            Ok((found, at, (campaign, event, at, flag(c.get(c_machine)))))
        })
    };
    let files = ctx.read_rows(Source::Email, read, parse, |_, who, row| {
        let (campaign, event, at, machine) = row;
        let campaign = campaigns.get(&campaign);
        accepted.push(who, (who.0, campaign, event, at, machine));
    })?;
    // The key holds every column the events keep: read them back from it.
    for ((pid, campaign, event, at, machine), _) in
        accepted.keep(ctx.n_roster, &mut ctx.tally.counts)
    {
        out.pid.push(pid);
        out.campaign.push(campaign);
        out.event.push(event);
        out.at.push(at);
        out.machine_open.push(machine);
    }
    out.campaigns = campaigns.names;
    Ok(files)
}

fn read_training(
    read: &Read<'_>,
    ctx: &mut EventCtx<'_>,
    out: &mut Attendance,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Training, read.roster);
    let (c_id, c_session) = (cols.ix(schema::USER_ID), cols.ix(schema::SESSION));
    let (c_join, c_left) = (cols.ix(schema::JOINED_AT), cols.ix(schema::LEFT_AT));
    let mut sessions = Interner::default();
    // A row repeats another when the person, session and both instants agree.
    type Key = (u32, u32, i64, i64);
    let mut accepted: Accepted<Key> =
        Accepted::with_capacity(rows_guess(Source::Training, read.cfg));
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let found = read.matcher.find(c.get(c_id))?;
            let session = CompactString::from(required(c.get(c_session), schema::SESSION)?);
            let joined = timestamp(read.parser, c.get(c_join), schema::JOINED_AT)?;
            let left = timestamp(read.parser, c.get(c_left), schema::LEFT_AT)?;
            if left < joined {
                return Err("`left_at` is before `joined_at`".to_string());
            }
            Ok((found, left, (session, joined, left)))
        })
    };
    let files = ctx.read_rows(Source::Training, read, parse, |_, who, row| {
        let (session, joined, left) = row;
        let session = sessions.get(&session);
        accepted.push(who, (who.0, session, joined, left));
    })?;
    for ((pid, session, joined, left), _) in accepted.keep(ctx.n_roster, &mut ctx.tally.counts) {
        out.pid.push(pid);
        out.session.push(session);
        out.joined_at.push(joined);
        out.left_at.push(left);
    }
    out.sessions = sessions.names;
    Ok(files)
}

fn read_tickets(
    read: &Read<'_>,
    ctx: &mut EventCtx<'_>,
    out: &mut Tickets,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Tickets, read.roster);
    let (c_ticket, c_id) = (cols.ix(schema::TICKET_ID), cols.ix(schema::USER_ID));
    let (c_open, c_resolved) = (cols.ix(schema::OPENED_AT), cols.ix(schema::RESOLVED_AT));
    let c_category = cols.ix(schema::CATEGORY);
    struct Ticket {
        id: String,
        written: String,
        opened: i64,
        resolved: Option<i64>,
        category: String,
    }
    // Every accepted ticket's last state, by id, in first-seen order; the uid says
    // whether it belongs to a roster person.
    struct Last {
        uid: u32,
        by_name: bool,
        opened: i64,
        resolved: Option<i64>,
        category: String,
    }
    // Ticket ids in first-seen order, with the spelling first seen.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut last: FastMap<String, Last> = FastMap::default();
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let written = required(c.get(c_ticket), schema::TICKET_ID)?;
            // Ticket ids compare as ids do: `INC0012` and `inc0012` are one ticket.
            let id = norm_id(written);
            if id.is_empty() {
                return Err(format!("missing required value `{}`", schema::TICKET_ID));
            }
            let written = written.to_string();
            let found = read.matcher.find(c.get(c_id))?;
            let opened = timestamp(read.parser, c.get(c_open), schema::OPENED_AT)?;
            let resolved = match c.get(c_resolved).trim() {
                "" => None,
                v => Some(
                    read.parser
                        .instant(v)
                        .map_err(|e| format!("`{}`: {e}", schema::RESOLVED_AT))?,
                ),
            };
            if resolved.is_some_and(|r| r < opened) {
                return Err("`resolved_at` is before `opened_at`".to_string());
            }
            let category = match c.get(c_category).trim() {
                "" => "uncategorised".to_string(),
                v => v.to_string(),
            };
            let seen = resolved.unwrap_or(opened).max(opened);
            let ticket = Ticket {
                id,
                written,
                opened,
                resolved,
                category,
            };
            Ok((found, seen, ticket))
        })
    };
    let files = ctx.read_rows(Source::Tickets, read, parse, |counts, (uid, by_name), t| {
        let state = Last {
            uid,
            by_name,
            opened: t.opened,
            resolved: t.resolved,
            category: t.category,
        };
        if last.insert(t.id.clone(), state).is_some() {
            counts.duplicates_removed += 1;
        } else {
            order.push((t.id, t.written));
        }
    })?;
    for (key, ticket) in order {
        let Some(state) = last.remove(&key) else {
            continue;
        };
        if state.uid >= ctx.n_roster {
            continue;
        }
        if state.by_name {
            ctx.tally.counts.matched_by_name += 1;
        }
        out.pid.push(state.uid);
        out.ticket_id.push(ticket);
        out.opened_at.push(state.opened);
        out.resolved_at.push(state.resolved);
        out.category.push(state.category);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        for yes in ["true", "Yes", "1", "Y", "x"] {
            assert!(flag(yes), "{yes}");
        }
        for no in ["", "false", "no", "0", "maybe"] {
            assert!(!flag(no), "{no}");
        }
    }

    #[test]
    fn events_parse_in_any_case() {
        assert_eq!(EmailEvent::parse(" OPEN "), Some(EmailEvent::Open));
        assert_eq!(EmailEvent::parse("Click"), Some(EmailEvent::Click));
        assert_eq!(EmailEvent::parse("forwarded"), None);
    }
}

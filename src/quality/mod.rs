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
//!
//! `roster.rs` reads the roster (labels, waves per workload, cuts, snapshots),
//! `matcher.rs` finds the person an event names, `events.rs` reads the event sources,
//! `engagement.rs` the channels beyond email, completions, usage and the survey;
//! this file holds the accounting and the row plumbing they share.

mod engagement;
mod events;
mod matcher;
mod roster;

/// How a survey score cell reads as a whole number (for `uptake init`'s scale).
pub(crate) use engagement::whole_score;
use engagement::{read_completions, read_survey, read_touchpoints, read_usage, roster_groups};
use events::{read_email, read_enrollments, read_tickets, read_training};
use matcher::{Found, Matcher};
use roster::read_roster;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use compact_str::CompactString;
use rayon::slice::ParallelSliceMut;

use crate::config::{Config, RosterColumns, SourceConfig};
use crate::dataset::{
    Attendance, Completions, Dataset, EmailEvent, EmailEvents, Enrollments, EventAt, LabelColumn,
    QuarantinedRow, Roster, SnapshotSpan, SourceCounts, SurveyResponses, Texts, Tickets,
    Touchpoints, UnmatchedId, Usage, LATEST_ROWS,
};
use crate::error::Error;
use crate::ingest::{self, dates::TimeParser, wanted_columns, InputFile, Row};
use crate::normalize::{
    label_key, label_spelling, norm_id, norm_id_cow, norm_name, trim, word_key,
};
use crate::progress::{Progress, Rows};
use crate::schema::{self, Source};

/// Reads and cleans every configured source. `as_of`, when known, is the day the
/// snapshot sources are read as of (snapshots dated after it are not read); the
/// event logs are read whole either way.
pub fn ingest(
    cfg: &Config,
    as_of: Option<NaiveDate>,
    progress: &Progress,
) -> Result<Dataset, Error> {
    let mut data = Dataset::default();
    for source in Source::EVERY {
        data.counts.insert(source, SourceCounts::default());
        data.quarantine.insert(source, Vec::new());
    }
    // The roster first: every other source is matched against it.
    debug_assert_eq!(Source::EVERY[0], Source::Roster);
    let roster_cfg = cfg
        .source(Source::Roster)
        .expect("the config check requires a roster");
    let mut tally = Tally::new(Source::Roster);
    let files = read_roster(cfg, roster_cfg, as_of, &mut data, &mut tally, progress)
        .map_err(|e| roster::named_by_config(cfg, e))?;
    note_empty_files(Source::Roster, &files, &mut data.notes);
    tally.finish(&mut data, files);

    // The matcher borrows the roster's ids while the other sources are read.
    let roster = std::mem::take(&mut data.roster);
    let matcher = Matcher::new(&roster);
    let shared = Shared {
        cfg,
        as_of,
        roster: &roster,
        matcher: &matcher,
        columns: cfg.roster_columns(),
        progress,
    };
    // Each source is parsed on every core but its rows are applied (matched, checked,
    // kept) on one thread: two sources read side by side keep both cores busy. The
    // largest, email, starts first; the results are taken in source order, so that
    // the notes, the accounting, the latest rows and the first error are those of a
    // reading one source after another.
    let mut sources: Vec<Source> = Source::EVERY
        .into_iter()
        .skip(1)
        .filter(|s| !cfg.tables(*s).is_empty())
        .collect();
    sources.sort_by_key(|s| *s != Source::Email);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let reads: Vec<(Source, Result<SourceRead, Error>)> = std::thread::scope(|scope| {
        let worker = || {
            let mut done = Vec::new();
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&source) = sources.get(k) else {
                    return done;
                };
                done.push((source, shared.read(source)));
            }
        };
        let other = scope.spawn(worker);
        let mut all = worker();
        all.extend(
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        all
    });
    let mut reads: BTreeMap<Source, Result<SourceRead, Error>> = reads.into_iter().collect();
    for source in Source::EVERY.into_iter().skip(1) {
        let Some(read) = reads.remove(&source) else {
            continue;
        };
        read?.finish(&mut data);
    }
    drop(matcher);
    // Only the matcher reads the roster's mails: they go before the metrics, whose
    // peak would otherwise hold them (tens of MB at a million people).
    data.roster = Roster {
        mail: Texts::default(),
        ..roster
    };
    data.session_methods = data
        .training
        .sessions
        .iter()
        .map(|s| cfg.training_method(s).map(|m| m as u32))
        .collect();
    Ok(data)
}

/// Asks the processor to bring the cache line holding `at` in (the id tables of the
/// roster and the matcher fetch a row's line some rows before it is looked up); a
/// no-op elsewhere than on x86-64.
#[inline]
fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults and reads nothing into the
    // program, whatever the address (and SSE, which it needs, is in every x86-64).
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(at as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
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

/// What every event source is read against: the roster, its matcher and the config.
struct Shared<'a> {
    cfg: &'a Config,
    as_of: Option<NaiveDate>,
    roster: &'a Roster,
    matcher: &'a Matcher<'a>,
    columns: RosterColumns,
    progress: &'a Progress,
}

/// An event source as read, before it joins the dataset.
struct SourceRead {
    source: Source,
    tally: Tally,
    files: Vec<InputFile>,
    rows: EventRows,
    unmatched: Vec<UnmatchedId>,
    span: Option<SnapshotSpan>,
    latest: Option<i64>,
    latest_rows: Vec<EventAt>,
}

/// The kept rows of one event source.
enum EventRows {
    Enrollments(Enrollments),
    Email(EmailEvents),
    Training(Attendance),
    Tickets(Tickets),
    Touchpoints(Touchpoints),
    Completions(Completions),
    Usage(Usage),
    Survey(SurveyResponses),
}

impl Shared<'_> {
    /// Reads one configured event source whole.
    fn read(&self, source: Source) -> Result<SourceRead, Error> {
        let (cfg, as_of) = (self.cfg, self.as_of);
        let tables = cfg.tables(source);
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
                roster: &self.columns,
                matcher: self.matcher,
                parser,
            })
            .collect();
        let bar = self.progress.rows(source.name());
        let mut ctx = EventCtx {
            tally: &mut tally,
            unmatched: FastMap::default(),
            unmatched_rows: Vec::new(),
            n_roster: self.roster.len() as u32,
            latest: None,
            latest_rows: Vec::new(),
            bar: &bar,
            spans: Vec::new(),
        };
        fn into<T: Default>(
            read: impl FnOnce(&mut T) -> Result<Vec<InputFile>, Error>,
            rows: fn(T) -> EventRows,
        ) -> Result<(Vec<InputFile>, EventRows), Error> {
            let mut out = T::default();
            let files = read(&mut out)?;
            Ok((files, rows(out)))
        }
        let c = &mut ctx;
        let (files, rows) = match source {
            Source::Enrollments => into(
                |out| read_enrollments(cfg, &reads, as_of, c, out),
                EventRows::Enrollments,
            )?,
            Source::Email => into(|out| read_email(&reads[0], c, out), EventRows::Email)?,
            Source::Training => into(|out| read_training(&reads[0], c, out), EventRows::Training)?,
            Source::Tickets => into(
                |out| read_tickets(&reads[0], as_of, c, out),
                EventRows::Tickets,
            )?,
            Source::Touchpoints => into(
                |out| read_touchpoints(&reads[0], c, out),
                EventRows::Touchpoints,
            )?,
            Source::Completions => into(
                |out| read_completions(&reads[0], c, out),
                EventRows::Completions,
            )?,
            Source::Usage => into(
                |out| read_usage(cfg, &reads[0], as_of, c, out),
                EventRows::Usage,
            )?,
            Source::Survey => {
                let groups = roster_groups(self.roster);
                into(
                    |out| read_survey(&reads[0], (&cfg.survey, &groups), c, out),
                    EventRows::Survey,
                )?
            }
            Source::Roster => unreachable!("the roster is read first"),
        };
        let unmatched_users = ctx.unmatched.len() as u64;
        let unmatched = ctx.unmatched_ids();
        // Several tables of one source (a workload's exports each): every snapshot
        // used, from the earliest to the latest day.
        let span = std::mem::take(&mut ctx.spans)
            .into_iter()
            .reduce(|a, b| SnapshotSpan {
                files: a.files + b.files,
                first: a.first.min(b.first),
                last: a.last.max(b.last),
            });
        let (latest, latest_rows) = (ctx.latest, std::mem::take(&mut ctx.latest_rows));
        drop(ctx);
        tally.counts.unmatched_users = unmatched_users;
        bar.finish();
        Ok(SourceRead {
            source,
            tally,
            files,
            rows,
            unmatched,
            span,
            latest,
            latest_rows,
        })
    }
}

impl SourceRead {
    /// Puts the source's rows, accounting, notes and latest rows into `data`, as if it
    /// had been read after the sources before it.
    fn finish(self, data: &mut Dataset) {
        let source = self.source;
        match self.rows {
            EventRows::Enrollments(rows) => data.enrollments = rows,
            EventRows::Email(rows) => data.email = rows,
            EventRows::Training(rows) => data.training = rows,
            EventRows::Tickets(rows) => data.tickets = rows,
            EventRows::Touchpoints(rows) => data.touchpoints = rows,
            EventRows::Completions(rows) => data.completions = rows,
            EventRows::Usage(rows) => data.usage = rows,
            EventRows::Survey(rows) => data.survey = rows,
        }
        data.unmatched.insert(source, self.unmatched);
        if let Some(span) = self.span {
            data.snapshots.insert(source, span);
        }
        if let Some(ms) = self.latest {
            data.latest_event_ms = Some(data.latest_event_ms.map_or(ms, |l| l.max(ms)));
        }
        // This source's latest rows come after those of the sources before it among
        // rows of one instant, as they would reading one source after another.
        for row in self.latest_rows {
            keep_latest(&mut data.latest_events, row);
        }
        note_empty_files(source, &self.files, &mut data.notes);
        self.tally.finish(data, self.files);
    }
}

/// Keeps `row` among the [`LATEST_ROWS`] latest rows in `top` (latest first; among
/// rows of one instant, the first kept stays first).
fn keep_latest(top: &mut Vec<EventAt>, row: EventAt) {
    if top.len() == LATEST_ROWS && top.last().is_some_and(|l| l.ms >= row.ms) {
        return;
    }
    let at = top.partition_point(|e| e.ms >= row.ms);
    top.insert(at, row);
    top.truncate(LATEST_ROWS);
}

use crate::FastMap;

/// The uid of a row that names no one (an anonymous survey response): past every
/// roster person and every unmatched id.
const NOBODY: u32 = u32::MAX;

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

    /// The column's index, when the source reads it.
    fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    fn ix(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("every canonical column is in the wanted list")
    }
}

fn required<'c>(value: &'c str, column: &str) -> Result<&'c str, String> {
    let v = trim(value);
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
    let s = trim(s);
    ["true", "yes", "y", "1", "x"]
        .iter()
        .any(|yes| s.eq_ignore_ascii_case(yes))
}

// ---- event sources --------------------------------------------------------------

/// What the readers of an event source look rows up in (shared by every thread).
struct Read<'a> {
    cfg: &'a SourceConfig,
    roster: &'a RosterColumns,
    matcher: &'a Matcher<'a>,
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
    /// The latest instant an accepted row shows activity at.
    latest: Option<i64>,
    /// The latest rows (see [`keep_latest`]).
    latest_rows: Vec<EventAt>,
    bar: &'a Rows,
    /// The snapshots each table of a snapshot source used.
    spans: Vec<SnapshotSpan>,
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
        keep: impl FnMut(&mut SourceCounts, (u32, bool), R),
    ) -> Result<Vec<InputFile>, Error> {
        let parse = |row: Row<'_>| parse(row).map(|(found, ms, r)| (found, Some(ms), r));
        self.read_states(source, read, parse, keep)
    }

    /// [`EventCtx::read_rows`] for rows that may show no activity (`None`): a
    /// usage row's last use is a state, not an event, and never sets the as-of day.
    fn read_states<R: Send>(
        &mut self,
        source: Source,
        read: &Read<'_>,
        parse: impl Fn(Row<'_>) -> Result<(Found, Option<i64>, R), Rejected> + Sync,
        mut keep: impl FnMut(&mut SourceCounts, (u32, bool), R),
    ) -> Result<Vec<InputFile>, Error> {
        let parse = |row: Row<'_>| (row.line(), parse(row));
        // Every event row's user cell is matched as an id first: its table line and
        // text are fetched a few rows ahead (`Matcher::prefetch`), which changes no
        // answer.
        // Only while rows come in no order of person: in order, the matcher's
        // look-ahead finds them in the cache already.
        let user = Cols::new(source, read.roster).position(schema::USER_ID);
        let wanted = || !read.matcher.in_order();
        let show = |cell: &str, ahead| read.matcher.prefetch(cell, ahead);
        let hint = user.map(|column| ingest::canonical::Hint {
            wanted: &wanted,
            column,
            show: &show,
        });
        ingest::read_source_hinted(
            source,
            read.cfg,
            read.roster,
            parse,
            hint,
            |path, (line, parsed)| {
                self.bar.inc();
                match parsed {
                    Err(rejected) => self.tally.reject(path, rejected),
                    Ok((found, seen, row)) => {
                        if let Some(ms) = seen {
                            self.saw(ms, source, path, line);
                        }
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
        self.latest = Some(self.latest.map_or(ms, |l| l.max(ms)));
        let top = &mut self.latest_rows;
        if top.len() == LATEST_ROWS && top.last().is_some_and(|l| l.ms >= ms) {
            return; // not among the latest: no path copied
        }
        keep_latest(
            top,
            EventAt {
                ms,
                source,
                file: path.to_path_buf(),
                line,
            },
        );
    }

    /// A number for whoever the row names: the person's id for a roster person, a
    /// number past the roster for an unknown id (the same for each mention of it),
    /// [`NOBODY`] for a row that names no one; and whether the person was found by
    /// name.
    fn uid(&mut self, found: Found) -> (u32, bool) {
        match found {
            Found::Person(p, by_name) => (p, by_name),
            Found::Nobody => (NOBODY, false),
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
/// the key that says which rows repeat (it starts with whom the row names) and
/// whether the person was found by name.
///
/// Whom a row names is read back from its key ([`Named`]) rather than kept beside
/// it: at a million people these are tens of millions of rows, and every byte a
/// row holds is fresh memory the kernel has to zero before it is used.
struct Accepted<K> {
    /// Each row's key and its number in file order.
    keys: Vec<(K, u32)>,
    by_name: Vec<bool>,
}

/// A dedup key that starts with the number of the person its row names (see
/// [`EventCtx::uid`]).
trait Named {
    /// The person's number.
    fn uid(&self) -> u32;
}

/// Every tuple key of the event sources starts with the person's number.
macro_rules! named_tuple {
    ($($t:ident),+) => {
        impl<$($t),+> Named for (u32, $($t),+) {
            fn uid(&self) -> u32 {
                self.0
            }
        }
    };
}
named_tuple!(B, C);
named_tuple!(B, C, D);
named_tuple!(B, C, D, E);
named_tuple!(B, C, D, E, F, G);

impl<K: Ord + Send + Named> Accepted<K> {
    /// Room for about `rows` rows (a guess from the files' sizes: room not used is
    /// never touched, so it costs no memory).
    fn with_capacity(rows: usize) -> Self {
        Accepted {
            keys: Vec::with_capacity(rows),
            by_name: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, (uid, by_name): (u32, bool), key: K) {
        debug_assert_eq!(uid, key.uid(), "a key starts with whom its row names");
        self.keys.push((key, self.by_name.len() as u32));
        self.by_name.push(by_name);
    }

    /// The rows to keep, in key order: the first of each key, of a roster person.
    /// Counts the duplicates removed and the rows kept that were matched by name.
    fn keep(&mut self, n_roster: u32, counts: &mut SourceCounts) -> Vec<(K, u32)> {
        self.keep_if(counts, |uid| uid < n_roster)
    }

    /// [`Accepted::keep`] of the rows whose uid `wanted` says to keep (a survey also
    /// keeps the responses of [`NOBODY`]).
    fn keep_if(
        &mut self,
        counts: &mut SourceCounts,
        wanted: impl Fn(u32) -> bool,
    ) -> Vec<(K, u32)> {
        // Sorting by (key, row) puts each key's first row first; sorting is the
        // cheapest way to find repeats among millions of rows, and runs on every core.
        // Everything is done in place: at a million people these are tens of millions
        // of rows.
        let mut rows = std::mem::take(&mut self.keys);
        sort_by_person(&mut rows);
        let before = rows.len();
        rows.dedup_by(|later, first| later.0 == first.0);
        counts.duplicates_removed += (before - rows.len()) as u64;
        rows.retain(|(key, _)| wanted(key.uid()));
        counts.matched_by_name += rows
            .iter()
            .filter(|&&(_, row)| self.by_name[row as usize])
            .count() as u64;
        self.by_name = Vec::new();
        rows
    }
}

/// Below this many rows [`sort_by_person`] sorts the rows as they are.
const BUCKET_FROM: usize = if cfg!(test) { 64 } else { 1 << 16 };

/// How many ranges of people [`sort_by_person`] sorts apart, as a power of two.
const BUCKET_BITS: u32 = 10;

/// Sorts rows by (key, row number), as `par_sort_unstable` does, in two steps: the
/// rows are first moved, in place, into ranges of people (a range of 2^k people
/// each, counted, then each row swapped into its range's next free place: keys start
/// with the person's number, so every row of one range sorts before every row of the
/// next), then each range is sorted on its own, on every core. A file in time order
/// lists people in no order, and a comparison sort of tens of millions of such rows
/// spends most of its time on the first splits, which the one pass here replaces;
/// each range then fits the processor's caches. No memory beyond a count per range.
fn sort_by_person<K: Ord + Send + Named>(rows: &mut [(K, u32)]) {
    use rayon::iter::{IntoParallelIterator, ParallelIterator};
    if rows.len() < BUCKET_FROM {
        rows.par_sort_unstable();
        return;
    }
    // Ranges of 2^shift people, the highest number (past the roster for unmatched
    // ids) in the last but one; the rows of no one ([`NOBODY`]) in the last.
    let top = rows
        .iter()
        .map(|(k, _)| k.uid())
        .filter(|&uid| uid != NOBODY)
        .max()
        .unwrap_or(0);
    let shift = (u32::BITS - top.leading_zeros()).saturating_sub(BUCKET_BITS);
    let nobody = (top >> shift) as usize + 1;
    let range_of = |key: &K| match key.uid() {
        NOBODY => nobody,
        uid => (uid >> shift) as usize,
    };
    let mut ends = vec![0usize; nobody + 1];
    for (key, _) in rows.iter() {
        ends[range_of(key)] += 1;
    }
    let sizes = ends.clone();
    let mut total = 0;
    for end in &mut ends {
        total += *end;
        *end = total;
    }
    // `next[r]`: the first place of range `r` not yet holding one of its rows.
    let mut next: Vec<usize> = ends.iter().zip(&sizes).map(|(e, s)| e - s).collect();
    for r in 0..ends.len() {
        while next[r] < ends[r] {
            let to = range_of(&rows[next[r]].0);
            if to == r {
                next[r] += 1;
            } else {
                rows.swap(next[r], next[to]);
                next[to] += 1;
            }
        }
    }
    let mut ranges = Vec::with_capacity(sizes.len());
    let mut rest = rows;
    for &size in &sizes {
        let (range, tail) = rest.split_at_mut(size);
        ranges.push(range);
        rest = tail;
    }
    // A range of most rows (everyone one person, or no one) is sorted on every core.
    let large = total / 8;
    ranges.into_par_iter().for_each(|range| {
        if range.len() > large {
            range.par_sort_unstable();
        } else {
            range.sort_unstable();
        }
    });
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
    /// The index last handed out: exports list a person's rows of one campaign or
    /// session together, so most rows name the string the row before named, and a
    /// comparison is cheaper than hashing it again.
    last: Option<u32>,
}

impl Interner {
    fn get(&mut self, s: &str) -> u32 {
        if let Some(i) = self.last.filter(|&i| self.names[i as usize] == s) {
            return i;
        }
        let i = match self.ids.get(s) {
            Some(&i) => i,
            None => {
                let i = self.names.len() as u32;
                self.ids.insert(s.to_string(), i);
                self.names.push(s.to_string());
                i
            }
        };
        self.last = Some(i);
        i
    }
}

/// The files a source is read from, each as its own source config: the source itself,
/// or with `snapshots = true` each dated snapshot on or before `as_of`, oldest first,
/// with the span they cover (docs/inputs.md, "Snapshots").
pub(super) fn snapshot_parts(
    source: Source,
    cfg: &SourceConfig,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<SourceConfig>, Option<SnapshotSpan>), Error> {
    if !cfg.snapshots {
        return Ok((vec![cfg.clone()], None));
    }
    let snaps = ingest::snapshots::snapshots(source, cfg, as_of)?;
    let span = match (snaps.first(), snaps.last()) {
        (Some(first), Some(last)) => Some(SnapshotSpan {
            files: snaps.len(),
            first: first.day,
            last: last.day,
        }),
        _ => None,
    };
    let parts = snaps
        .into_iter()
        .map(|snap| SourceConfig {
            path: snap.path,
            ..cfg.clone()
        })
        .collect();
    Ok((parts, span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Sorting by ranges of people gives the order the plain sort gives: no rows,
    /// one, fewer than [`BUCKET_FROM`] and more, every row one person's, people
    /// past 2^[`BUCKET_BITS`] and below, the rows of no one ([`NOBODY`]) and of
    /// ids past the roster, rows in people's order, in no order and in reverse,
    /// with repeated keys.
    #[test]
    fn sorting_by_ranges_of_people_is_sorting() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        let mut cases: Vec<Vec<(u32, u32, u32)>> = vec![vec![], vec![(3, 1, 1)]];
        for (n, people) in [
            (40, 5),
            (65, 1),
            (200, 1),
            (1000, 7),
            (5000, 3000),
            (20_000, 1 << 20),
        ] {
            let shuffled: Vec<(u32, u32, u32)> = (0..n)
                .map(|_| (next() % people, next() % 3, next() % 4))
                .collect();
            let mut ordered = shuffled.clone();
            ordered.sort_unstable();
            let reversed: Vec<_> = ordered.iter().rev().copied().collect();
            // A tenth of the rows no one's, some past the roster (numbers to 2^31).
            let mixed: Vec<_> = shuffled
                .iter()
                .map(|&(p, a, b)| match next() % 10 {
                    0 => (NOBODY, a, b),
                    1 => (p | 1 << 31, a, b),
                    _ => (p, a, b),
                })
                .collect();
            cases.extend([shuffled, ordered, reversed, mixed]);
        }
        cases.push(vec![(NOBODY, 1, 1); 300]);
        for keys in cases {
            let rows: Vec<((u32, u32, u32), u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (k, i as u32))
                .collect();
            let mut want = rows.clone();
            want.sort_unstable();
            let mut got = rows;
            sort_by_person(&mut got);
            assert!(got == want, "{} rows", want.len());
        }
    }

    /// Sources read side by side keep their own latest rows; merged in source order
    /// they must be the rows one reading after another keeps, ties and all.
    #[test]
    fn latest_rows_merged_in_source_order_are_those_of_one_reading() {
        // Instants with many ties (ms 0..5) and more rows than are kept.
        let sources = [Source::Enrollments, Source::Email, Source::Training];
        let rows = |source: Source, seed: u64| -> Vec<EventAt> {
            (0..40u64)
                .map(|line| EventAt {
                    ms: ((line * 7 + seed * 3) % 5) as i64,
                    source,
                    file: PathBuf::from(format!("{source}.csv")),
                    line,
                })
                .collect()
        };
        let mut one_reading = Vec::new();
        let mut merged = Vec::new();
        for (k, &source) in sources.iter().enumerate() {
            let mut own = Vec::new();
            for row in rows(source, k as u64) {
                keep_latest(&mut one_reading, row.clone());
                keep_latest(&mut own, row);
            }
            for row in own {
                keep_latest(&mut merged, row);
            }
        }
        assert_eq!(one_reading.len(), LATEST_ROWS);
        assert_eq!(merged, one_reading);
        // The latest instant is 4; among its rows the first source read comes first.
        assert_eq!(merged[0].ms, 4);
        assert_eq!(merged[0].source, Source::Enrollments);
    }

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
    fn interned_strings_keep_their_first_seen_numbers() {
        let mut names = Interner::default();
        let got: Vec<u32> = ["b", "b", "a", "b", "a", "a", "c", "b"]
            .iter()
            .map(|s| names.get(s))
            .collect();
        assert_eq!(got, [0, 0, 1, 0, 1, 1, 2, 0]);
        assert_eq!(names.names, ["b", "a", "c"]);
    }

    #[test]
    fn events_parse_in_any_case() {
        assert_eq!(EmailEvent::parse(" OPEN "), Some(EmailEvent::Open));
        assert_eq!(EmailEvent::parse("Click"), Some(EmailEvent::Click));
        assert_eq!(EmailEvent::parse("forwarded"), None);
    }
}

//! Quality: canonical rows in, a clean [`Dataset`] out, with every rejected row
//! quarantined and every row counted.
//!
//! This stage owns the rules of SPEC §3. It trims and lowercases ids; parses dates and
//! timestamps (naive ones in the rollout's zone); rejects a row that misses a required
//! value, has an unparseable date, an unknown email event, `left_at` before
//! `joined_at`, `resolved_at` before `opened_at`, or repeats a roster user with a
//! conflicting group; removes exact duplicates (and keeps a ticket's last state); and
//! matches each event to a roster person by `user_id`, then `mail`, then display name
//! (a name that fits two people is quarantined, never guessed). Events of people not
//! on the roster are accepted, counted as unmatched and left out of the metrics.
//!
//! For every source, `rows_read = rows_accepted + rows_quarantined`; the counts and
//! the quarantined rows are handed on with the data.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::{Config, SourceConfig};
use crate::error::Error;
use crate::ingest::{self, dates::TimeParser, wanted_columns, InputFile, Row};
use crate::progress::Progress;
use crate::schema::{self, Source};

/// The roster: one entry per person, indexed by person id (`pid`).
#[derive(Debug, Default, Clone)]
pub struct Roster {
    /// Normalised user id (trimmed, lowercase).
    pub user_id: Vec<String>,
    /// The `group_by` value.
    pub group: Vec<String>,
    /// Index into `Config::waves`; `None` when the person has no wave (unassigned).
    pub wave: Vec<Option<u32>>,
    /// The day the person left, if any.
    pub left_on: Vec<Option<NaiveDate>>,
    /// Marked as a champion.
    pub champion: Vec<bool>,
    /// Display name, as written.
    pub display_name: Vec<String>,
    /// Normalised mail address (empty when none), for events that use it.
    pub mail: Vec<String>,
}

impl Roster {
    /// Number of people.
    pub fn len(&self) -> usize {
        self.user_id.len()
    }

    /// True when the roster has nobody.
    pub fn is_empty(&self) -> bool {
        self.user_id.is_empty()
    }
}

/// Device enrollments of roster people (one per device row kept).
#[derive(Debug, Default, Clone)]
pub struct Enrollments {
    /// The person.
    pub pid: Vec<u32>,
    /// When the device enrolled, ms since the epoch (UTC).
    pub enrolled_at: Vec<i64>,
}

/// The five email events of SPEC §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EmailEvent {
    /// Handed to the mail system.
    Sent,
    /// Accepted by the recipient's server.
    Delivered,
    /// Opened.
    Open,
    /// A link clicked (counts as an open).
    Click,
    /// Bounced.
    Bounce,
}

impl EmailEvent {
    /// Every event, in funnel order.
    pub const ALL: [EmailEvent; 5] = [
        EmailEvent::Sent,
        EmailEvent::Delivered,
        EmailEvent::Open,
        EmailEvent::Click,
        EmailEvent::Bounce,
    ];

    /// The event's canonical name.
    pub fn name(self) -> &'static str {
        match self {
            EmailEvent::Sent => "sent",
            EmailEvent::Delivered => "delivered",
            EmailEvent::Open => "open",
            EmailEvent::Click => "click",
            EmailEvent::Bounce => "bounce",
        }
    }

    fn parse(cell: &str) -> Option<EmailEvent> {
        let cell = cell.trim();
        EmailEvent::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(cell))
    }
}

/// Email events of roster people.
#[derive(Debug, Default, Clone)]
pub struct EmailEvents {
    /// The person.
    pub pid: Vec<u32>,
    /// Index into `campaigns`.
    pub campaign: Vec<u32>,
    /// The event.
    pub event: Vec<EmailEvent>,
    /// When, ms since the epoch (UTC).
    pub at: Vec<i64>,
    /// An open flagged by the sender as a machine prefetch.
    pub machine_open: Vec<bool>,
    /// Campaign names, by index.
    pub campaigns: Vec<String>,
}

/// Training attendance intervals of roster people.
#[derive(Debug, Default, Clone)]
pub struct Attendance {
    /// The person.
    pub pid: Vec<u32>,
    /// Index into `sessions`.
    pub session: Vec<u32>,
    /// Joined, ms since the epoch (UTC).
    pub joined_at: Vec<i64>,
    /// Left, ms since the epoch (UTC); never before `joined_at`.
    pub left_at: Vec<i64>,
    /// Session names, by index.
    pub sessions: Vec<String>,
}

/// Help-desk tickets of roster people, one per ticket id (its last state).
#[derive(Debug, Default, Clone)]
pub struct Tickets {
    /// The person.
    pub pid: Vec<u32>,
    /// The ticket's id.
    pub ticket_id: Vec<String>,
    /// Opened, ms since the epoch (UTC).
    pub opened_at: Vec<i64>,
    /// Resolved, ms since the epoch (UTC), if it was.
    pub resolved_at: Vec<Option<i64>>,
    /// Category (`uncategorised` when empty).
    pub category: Vec<String>,
}

/// A row that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    /// The file it came from.
    pub file: PathBuf,
    /// The line it starts on.
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
    /// The row as it stood.
    pub raw: String,
}

/// The row accounting of one source (SPEC §4 `data_quality`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SourceCounts {
    /// Whether the config has a table for this source.
    pub configured: bool,
    /// Data rows read, header excluded.
    pub rows_read: u64,
    /// Rows accepted (duplicates and unmatched included).
    pub rows_accepted: u64,
    /// Rows quarantined.
    pub rows_quarantined: u64,
    /// Distinct normalised ids not on the roster.
    pub unmatched_users: u64,
    /// Accepted rows that repeat an earlier one.
    pub duplicates_removed: u64,
    /// Accepted rows whose person was found by display name.
    pub matched_by_name: u64,
}

/// Everything the sources said, cleaned.
#[derive(Debug, Default)]
pub struct Dataset {
    /// The people.
    pub roster: Roster,
    /// Their devices' enrollments.
    pub enrollments: Enrollments,
    /// Their email events.
    pub email: EmailEvents,
    /// Their training attendance.
    pub training: Attendance,
    /// Their tickets.
    pub tickets: Tickets,
    /// Row accounting per source.
    pub counts: BTreeMap<Source, SourceCounts>,
    /// Rejected rows per source, in file and line order.
    pub quarantine: BTreeMap<Source, Vec<QuarantinedRow>>,
    /// Every input file read.
    pub files: Vec<InputFile>,
    /// Things the user should know that are not row errors.
    pub notes: Vec<String>,
    /// The latest accepted event timestamp (ms, UTC), the default as-of day's source.
    pub latest_event_ms: Option<i64>,
}

/// Reads and cleans every configured source.
pub fn ingest(cfg: &Config, progress: &Progress) -> Result<Dataset, Error> {
    let mut data = Dataset::default();
    for source in Source::ALL {
        data.counts.insert(source, SourceCounts::default());
        data.quarantine.insert(source, Vec::new());
    }
    let roster_cfg = &cfg.sources[&Source::Roster];
    let mut tally = Tally::new(Source::Roster);
    let files = read_roster(cfg, roster_cfg, &mut data, &mut tally, progress)?;
    note_empty_files(Source::Roster, &files, &mut data.notes);
    tally.finish(&mut data, files);

    let mut matcher = Matcher::new(&data.roster);
    for source in [
        Source::Enrollments,
        Source::Email,
        Source::Training,
        Source::Tickets,
    ] {
        let Some(src_cfg) = cfg.sources.get(&source) else {
            continue;
        };
        let mut tally = Tally::new(source);
        let parser = TimeParser::new(cfg.timezone, src_cfg.date_format.as_deref())
            .with_order(src_cfg.date_order)
            .until(cfg.horizon());
        let mut ctx = EventCtx {
            matcher: &mut matcher,
            parser: &parser,
            tally: &mut tally,
            latest: &mut data.latest_event_ms,
        };
        let bar = progress.rows(source.name());
        let files = match source {
            Source::Enrollments => read_enrollments(
                src_cfg,
                &cfg.group_by,
                &mut ctx,
                &mut data.enrollments,
                &bar,
            )?,
            Source::Email => read_email(src_cfg, &cfg.group_by, &mut ctx, &mut data.email, &bar)?,
            Source::Training => {
                read_training(src_cfg, &cfg.group_by, &mut ctx, &mut data.training, &bar)?
            }
            Source::Tickets => {
                read_tickets(src_cfg, &cfg.group_by, &mut ctx, &mut data.tickets, &bar)?
            }
            Source::Roster => unreachable!("the roster is read first"),
        };
        bar.finish();
        note_empty_files(source, &files, &mut data.notes);
        let by_source = matcher.take_unmatched();
        tally.counts.unmatched_users = by_source;
        tally.finish(&mut data, files);
    }
    Ok(data)
}

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

    fn reject(&mut self, file: &Path, line: u64, reason: String, raw: String) {
        self.quarantine.push(QuarantinedRow {
            file: file.to_path_buf(),
            line,
            reason,
            raw,
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

/// Looks up the wanted columns of a source by name.
struct Cols {
    names: Vec<String>,
}

impl Cols {
    fn new(source: Source, group_by: &str) -> Self {
        Cols {
            names: wanted_columns(source, group_by).0,
        }
    }

    fn ix(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("every canonical column is in the wanted list")
    }
}

/// Splits a read row into its cells, or quarantines it when malformed.
fn cells<'a>(tally: &mut Tally, path: &Path, row: Row<'a>) -> Option<ingest::canonical::Cells<'a>> {
    match row {
        Row::Cells(c) => Some(c),
        Row::Malformed { line, reason, raw } => {
            tally.reject(path, line, reason, raw);
            None
        }
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

/// Normalises an id or mail: trimmed, lowercase.
pub fn norm_id(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Normalises a display name: `Last, First` becomes `first last`, parenthesised
/// parts are dropped, case and spacing are folded.
pub fn norm_name(s: &str) -> String {
    let mut base = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => base.push(c),
            _ => {}
        }
    }
    let ordered = match base.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => format!("{first} {last}"),
        _ => base,
    };
    ordered
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A yes/no cell: true, yes, y, 1 or x (any case).
fn flag(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "y" | "1" | "x"
    )
}

// ---- the roster -----------------------------------------------------------------

fn read_roster(
    cfg: &Config,
    src: &SourceConfig,
    data: &mut Dataset,
    tally: &mut Tally,
    progress: &Progress,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Roster, &cfg.group_by);
    let (c_id, c_group) = (cols.ix(schema::USER_ID), cols.ix(&cfg.group_by));
    let (c_wave, c_left) = (cols.ix(schema::WAVE), cols.ix(schema::LEFT_ON));
    let (c_name, c_champion) = (cols.ix(schema::DISPLAY_NAME), cols.ix(schema::CHAMPION));
    let c_mail = cols.ix(schema::MAIL);
    let parser =
        TimeParser::new(cfg.timezone, src.date_format.as_deref()).with_order(src.date_order);
    let group_wave: HashMap<String, u32> = cfg
        .waves
        .iter()
        .enumerate()
        .flat_map(|(i, w)| w.groups.iter().map(move |g| (g.to_lowercase(), i as u32)))
        .collect();
    // Per user: (line, group, wave cell) of the row kept.
    let mut seen: HashMap<String, (u64, String, String)> = HashMap::new();
    let mut unknown_waves: BTreeMap<String, u64> = BTreeMap::new();
    let roster = &mut data.roster;
    let bar = progress.rows("roster");
    let files = ingest::read_source(Source::Roster, src, &cfg.group_by, |path, row| {
        bar.inc();
        let Some(c) = cells(tally, path, row) else {
            return;
        };
        let parsed = (|| {
            let id = norm_id(required(c.get(c_id), schema::USER_ID)?);
            let group = required(c.get(c_group), &cfg.group_by)?.to_string();
            let left_on = match c.get(c_left).trim() {
                "" => None,
                v => Some(
                    parser
                        .date(v)
                        .map_err(|e| format!("`{}`: {e}", schema::LEFT_ON))?,
                ),
            };
            Ok::<_, String>((id, group, left_on))
        })();
        let (id, group, left_on) = match parsed {
            Ok(v) => v,
            Err(reason) => return tally.reject(path, c.line, reason, c.raw()),
        };
        let wave_cell = c.get(c_wave).trim().to_string();
        if let Some((line, kept_group, kept_wave)) = seen.get(&id) {
            if *kept_group != group || !kept_wave.eq_ignore_ascii_case(&wave_cell) {
                let what = if *kept_group != group {
                    format!("group `{kept_group}`")
                } else {
                    format!("wave `{kept_wave}`")
                };
                let reason = format!(
                    "duplicate user_id `{id}` with a conflicting group: line {line} has {what}"
                );
                return tally.reject(path, c.line, reason, c.raw());
            }
            tally.counts.duplicates_removed += 1;
            return;
        }
        let wave = if wave_cell.is_empty() {
            group_wave.get(&group.to_lowercase()).copied()
        } else {
            let found = cfg
                .waves
                .iter()
                .position(|w| w.name.eq_ignore_ascii_case(&wave_cell));
            if found.is_none() {
                *unknown_waves.entry(wave_cell.clone()).or_insert(0) += 1;
            }
            found.map(|i| i as u32)
        };
        seen.insert(id.clone(), (c.line, group.clone(), wave_cell));
        roster.user_id.push(id);
        roster.group.push(group);
        roster.wave.push(wave);
        roster.left_on.push(left_on);
        roster.champion.push(flag(c.get(c_champion)));
        roster.display_name.push(c.get(c_name).trim().to_string());
        roster.mail.push(norm_id(c.get(c_mail)));
    })?;
    bar.finish();
    for (wave, n) in unknown_waves {
        data.notes.push(format!(
            "roster: {n} people have wave `{wave}`, which no [[waves]] entry names: they are counted as unassigned"
        ));
    }
    Ok(files)
}

// ---- matching people ------------------------------------------------------------

/// Who an event's user cell names.
enum Who {
    /// A roster person, found by id or mail (`false`) or by display name (`true`).
    Person(u32, bool),
    /// Nobody on the roster; the id is counted once per source.
    Unmatched(u32),
    /// A name or mail that fits several roster people.
    Ambiguous(String),
}

/// Finds roster people by id, mail or display name.
struct Matcher {
    by_id: HashMap<String, u32>,
    by_mail: HashMap<String, Option<u32>>,
    by_name: HashMap<String, Option<u32>>,
    unmatched: HashMap<String, u32>,
    n: u32,
}

impl Matcher {
    fn new(roster: &Roster) -> Self {
        let mut by_id = HashMap::with_capacity(roster.len());
        for (pid, id) in roster.user_id.iter().enumerate() {
            by_id.insert(id.clone(), pid as u32);
        }
        let mut by_mail: HashMap<String, Option<u32>> = HashMap::new();
        for (pid, mail) in roster.mail.iter().enumerate() {
            if mail.is_empty() || by_id.get(mail) == Some(&(pid as u32)) {
                continue;
            }
            by_mail
                .entry(mail.clone())
                .and_modify(|e| *e = None)
                .or_insert(Some(pid as u32));
        }
        let mut by_name: HashMap<String, Option<u32>> = HashMap::new();
        for (pid, name) in roster.display_name.iter().enumerate() {
            let key = norm_name(name);
            if key.is_empty() {
                continue;
            }
            by_name
                .entry(key)
                .and_modify(|e| *e = None)
                .or_insert(Some(pid as u32));
        }
        Matcher {
            by_id,
            by_mail,
            by_name,
            unmatched: HashMap::new(),
            n: roster.len() as u32,
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

    fn resolve(&mut self, cell: &str) -> Who {
        let id = norm_id(cell);
        match self.by_id_or_mail(&id) {
            Some(Ok(p)) => return Who::Person(p, false),
            Some(Err(why)) => return Who::Ambiguous(why),
            None => {}
        }
        // `Name (id)`: the id in parentheses first.
        if let Some(inner) = id
            .rsplit_once('(')
            .and_then(|(_, r)| r.strip_suffix(')'))
            .map(str::trim)
        {
            match self.by_id_or_mail(inner) {
                Some(Ok(p)) => return Who::Person(p, false),
                Some(Err(why)) => return Who::Ambiguous(why),
                None => {}
            }
        }
        if !id.contains('@') {
            let key = norm_name(cell);
            match self.by_name.get(&key) {
                Some(Some(p)) => return Who::Person(*p, true),
                Some(None) => {
                    return Who::Ambiguous(format!(
                        "name `{}` fits several roster people",
                        cell.trim()
                    ))
                }
                None => {}
            }
        }
        let next = self.n + self.unmatched.len() as u32;
        Who::Unmatched(*self.unmatched.entry(id).or_insert(next))
    }

    /// The number of distinct unmatched ids seen since the last call (one source).
    fn take_unmatched(&mut self) -> u64 {
        let n = self.unmatched.len() as u64;
        self.unmatched.clear();
        n
    }
}

// ---- event sources --------------------------------------------------------------

struct EventCtx<'a> {
    matcher: &'a mut Matcher,
    parser: &'a TimeParser,
    tally: &'a mut Tally,
    latest: &'a mut Option<i64>,
}

impl EventCtx<'_> {
    /// Resolves the user cell; `Err` carries the quarantine reason.
    fn who(&mut self, cell: &str) -> Result<Who, String> {
        let v = required(cell, schema::USER_ID)?;
        match self.matcher.resolve(v) {
            Who::Ambiguous(why) => Err(why),
            who => Ok(who),
        }
    }

    fn saw(&mut self, ms: i64) {
        *self.latest = Some(self.latest.map_or(ms, |l| l.max(ms)));
    }

    /// Records an accepted row: counts a duplicate or a name match, and returns the
    /// person when the row is new and theirs.
    fn accept<K: std::hash::Hash + Eq>(
        &mut self,
        who: Who,
        key: K,
        seen: &mut HashSet<K>,
    ) -> Option<u32> {
        if !seen.insert(key) {
            self.tally.counts.duplicates_removed += 1;
            return None;
        }
        match who {
            Who::Person(p, by_name) => {
                if by_name {
                    self.tally.counts.matched_by_name += 1;
                }
                Some(p)
            }
            _ => None,
        }
    }
}

fn uid(who: &Who) -> u32 {
    match who {
        Who::Person(p, _) | Who::Unmatched(p) => *p,
        Who::Ambiguous(_) => u32::MAX,
    }
}

/// Interns strings to dense indices, in first-seen order.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
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

fn read_enrollments(
    src: &SourceConfig,
    group_by: &str,
    ctx: &mut EventCtx<'_>,
    out: &mut Enrollments,
    bar: &crate::progress::Rows,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Enrollments, group_by);
    let (c_id, c_at) = (cols.ix(schema::USER_ID), cols.ix(schema::ENROLLED_AT));
    let (c_dev, c_os, c_comp) = (
        cols.ix(schema::DEVICE_ID),
        cols.ix(schema::OS),
        cols.ix(schema::COMPLIANT),
    );
    let mut strings = Interner::default();
    let mut seen = HashSet::new();
    ingest::read_source(Source::Enrollments, src, group_by, |path, row| {
        bar.inc();
        let Some(c) = cells(ctx.tally, path, row) else {
            return;
        };
        let parsed = ctx.who(c.get(c_id)).and_then(|who| {
            Ok((
                who,
                timestamp(ctx.parser, c.get(c_at), schema::ENROLLED_AT)?,
            ))
        });
        let (who, at) = match parsed {
            Ok(v) => v,
            Err(reason) => return ctx.tally.reject(path, c.line, reason, c.raw()),
        };
        ctx.saw(at);
        let key = (
            uid(&who),
            at,
            strings.get(c.get(c_dev).trim()),
            strings.get(c.get(c_os).trim()),
            strings.get(&c.get(c_comp).trim().to_ascii_lowercase()),
        );
        if let Some(pid) = ctx.accept(who, key, &mut seen) {
            out.pid.push(pid);
            out.enrolled_at.push(at);
        }
    })
}

fn read_email(
    src: &SourceConfig,
    group_by: &str,
    ctx: &mut EventCtx<'_>,
    out: &mut EmailEvents,
    bar: &crate::progress::Rows,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Email, group_by);
    let (c_id, c_campaign) = (cols.ix(schema::USER_ID), cols.ix(schema::CAMPAIGN));
    let (c_event, c_ts) = (cols.ix(schema::EVENT), cols.ix(schema::TIMESTAMP));
    let c_machine = cols.ix(schema::MACHINE_OPEN);
    let mut campaigns = Interner::default();
    for name in &out.campaigns {
        campaigns.get(name);
    }
    let mut seen = HashSet::new();
    let files = ingest::read_source(Source::Email, src, group_by, |path, row| {
        bar.inc();
        let Some(c) = cells(ctx.tally, path, row) else {
            return;
        };
        let parsed = (|| {
            let who = ctx.who(c.get(c_id))?;
            let campaign = required(c.get(c_campaign), schema::CAMPAIGN)?;
            let event_cell = required(c.get(c_event), schema::EVENT)?;
            let event = EmailEvent::parse(event_cell).ok_or_else(|| {
                format!("unknown event `{event_cell}` (expected sent, delivered, open, click or bounce)")
            })?;
            let at = timestamp(ctx.parser, c.get(c_ts), schema::TIMESTAMP)?;
            Ok::<_, String>((who, campaign, event, at))
        })();
        let (who, campaign, event, at) = match parsed {
            Ok(v) => v,
            Err(reason) => return ctx.tally.reject(path, c.line, reason, c.raw()),
        };
        ctx.saw(at);
        let campaign = campaigns.get(campaign);
        let machine = flag(c.get(c_machine));
        let key = (uid(&who), campaign, event, at, machine);
        if let Some(pid) = ctx.accept(who, key, &mut seen) {
            out.pid.push(pid);
            out.campaign.push(campaign);
            out.event.push(event);
            out.at.push(at);
            out.machine_open.push(machine);
        }
    })?;
    out.campaigns = campaigns.names;
    Ok(files)
}

fn read_training(
    src: &SourceConfig,
    group_by: &str,
    ctx: &mut EventCtx<'_>,
    out: &mut Attendance,
    bar: &crate::progress::Rows,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Training, group_by);
    let (c_id, c_session) = (cols.ix(schema::USER_ID), cols.ix(schema::SESSION));
    let (c_join, c_left) = (cols.ix(schema::JOINED_AT), cols.ix(schema::LEFT_AT));
    let mut sessions = Interner::default();
    let mut seen = HashSet::new();
    let files = ingest::read_source(Source::Training, src, group_by, |path, row| {
        bar.inc();
        let Some(c) = cells(ctx.tally, path, row) else {
            return;
        };
        let parsed = (|| {
            let who = ctx.who(c.get(c_id))?;
            let session = required(c.get(c_session), schema::SESSION)?;
            let joined = timestamp(ctx.parser, c.get(c_join), schema::JOINED_AT)?;
            let left = timestamp(ctx.parser, c.get(c_left), schema::LEFT_AT)?;
            if left < joined {
                return Err("`left_at` is before `joined_at`".to_string());
            }
            Ok::<_, String>((who, session, joined, left))
        })();
        let (who, session, joined, left) = match parsed {
            Ok(v) => v,
            Err(reason) => return ctx.tally.reject(path, c.line, reason, c.raw()),
        };
        ctx.saw(left);
        let session = sessions.get(session);
        let key = (uid(&who), session, joined, left);
        if let Some(pid) = ctx.accept(who, key, &mut seen) {
            out.pid.push(pid);
            out.session.push(session);
            out.joined_at.push(joined);
            out.left_at.push(left);
        }
    })?;
    out.sessions = sessions.names;
    Ok(files)
}

fn read_tickets(
    src: &SourceConfig,
    group_by: &str,
    ctx: &mut EventCtx<'_>,
    out: &mut Tickets,
    bar: &crate::progress::Rows,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Tickets, group_by);
    let (c_ticket, c_id) = (cols.ix(schema::TICKET_ID), cols.ix(schema::USER_ID));
    let (c_open, c_resolved) = (cols.ix(schema::OPENED_AT), cols.ix(schema::RESOLVED_AT));
    let c_category = cols.ix(schema::CATEGORY);
    // Every accepted ticket's last state, by id, in first-seen order; the uid says
    // whether it belongs to a roster person.
    struct Last {
        uid: u32,
        person: Option<u32>,
        by_name: bool,
        opened: i64,
        resolved: Option<i64>,
        category: String,
    }
    let mut order: Vec<String> = Vec::new();
    let mut last: HashMap<String, Last> = HashMap::new();
    let n_roster = ctx.matcher.n;
    let files = ingest::read_source(Source::Tickets, src, group_by, |path, row| {
        bar.inc();
        let Some(c) = cells(ctx.tally, path, row) else {
            return;
        };
        let parsed = (|| {
            let ticket = required(c.get(c_ticket), schema::TICKET_ID)?.to_string();
            let who = ctx.who(c.get(c_id))?;
            let opened = timestamp(ctx.parser, c.get(c_open), schema::OPENED_AT)?;
            let resolved = match c.get(c_resolved).trim() {
                "" => None,
                v => Some(
                    ctx.parser
                        .instant(v)
                        .map_err(|e| format!("`{}`: {e}", schema::RESOLVED_AT))?,
                ),
            };
            if resolved.is_some_and(|r| r < opened) {
                return Err("`resolved_at` is before `opened_at`".to_string());
            }
            Ok::<_, String>((ticket, who, opened, resolved))
        })();
        let (ticket, who, opened, resolved) = match parsed {
            Ok(v) => v,
            Err(reason) => return ctx.tally.reject(path, c.line, reason, c.raw()),
        };
        ctx.saw(resolved.unwrap_or(opened).max(opened));
        let category = match c.get(c_category).trim() {
            "" => "uncategorised".to_string(),
            v => v.to_string(),
        };
        let (person, by_name) = match who {
            Who::Person(p, by_name) => (Some(p), by_name),
            _ => (None, false),
        };
        let state = Last {
            uid: uid(&who),
            person,
            by_name,
            opened,
            resolved,
            category,
        };
        if last.insert(ticket.clone(), state).is_some() {
            ctx.tally.counts.duplicates_removed += 1;
        } else {
            order.push(ticket);
        }
    })?;
    for ticket in order {
        let Some(state) = last.remove(&ticket) else {
            continue;
        };
        debug_assert!(state.person.is_none() || state.uid < n_roster);
        if state.by_name {
            ctx.tally.counts.matched_by_name += 1;
        }
        if let Some(pid) = state.person {
            out.pid.push(pid);
            out.ticket_id.push(ticket);
            out.opened_at.push(state.opened);
            out.resolved_at.push(state.resolved);
            out.category.push(state.category);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_last_first_and_ids() {
        assert_eq!(norm_name("Martin, Anne"), "anne martin");
        assert_eq!(norm_name("  Anne   MARTIN "), "anne martin");
        assert_eq!(norm_name("Anne Martin (amartin)"), "anne martin");
        assert_eq!(
            norm_id("  Anne.Martin@Contoso.COM "),
            "anne.martin@contoso.com"
        );
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
    fn events_parse_in_any_case() {
        assert_eq!(EmailEvent::parse(" OPEN "), Some(EmailEvent::Open));
        assert_eq!(EmailEvent::parse("Click"), Some(EmailEvent::Click));
        assert_eq!(EmailEvent::parse("forwarded"), None);
    }
}

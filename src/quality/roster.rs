//! The roster: people, their groups (labels written several ways read as one), their
//! waves per workload, their cut values, and, from snapshot folders, their history
//! (docs/inputs.md, "People" and "Snapshots").

use std::cell::RefCell;
use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::*;

/// A label as a roster cell writes it: cleaned, whether the cell was written exactly
/// so, and what makes it the same label as another spelling (`normalize::label_key`).
#[derive(Debug, Clone)]
struct Label {
    spelling: String,
    clean: bool,
    key: String,
}

/// How many distinct cells each reading thread remembers the [`Label`] of: labels
/// (groups, waves, cut values) are few and repeat on every row; past this many, a
/// column is not a label column in practice and is worked out cell by cell.
const LABELS_REMEMBERED: usize = 4096;

/// The labels of the cells one [`Reader`] reads, numbered as first worked out. A
/// row holds its labels' numbers, so that the rows parsed on every thread share the
/// labels without counting references to them: a shared count is written by each
/// thread that takes or lets go of a row, and on two cores each write waited for
/// the other core.
struct LabelBook {
    /// Tells this book's numbers from another book's in a thread's cache.
    id: u64,
    all: Mutex<Vec<Arc<Label>>>,
}

impl LabelBook {
    fn new() -> Self {
        static BOOKS: AtomicU64 = AtomicU64::new(0);
        LabelBook {
            id: BOOKS.fetch_add(1, Ordering::Relaxed),
            all: Mutex::default(),
        }
    }

    /// The number of the label of a cell, and whether the label is empty: worked
    /// out once per distinct cell and thread (the normalisation is the costly part
    /// of reading a roster row).
    fn number(&self, cell: &str) -> (u32, bool) {
        thread_local! {
            static SEEN: RefCell<(u64, Numbers)> = RefCell::default();
        }
        SEEN.with_borrow_mut(|(book, seen)| {
            if *book != self.id {
                seen.clear();
                *book = self.id;
            }
            if let Some(&known) = seen.get(cell) {
                return known;
            }
            let label = Label::work_out(cell);
            let empty = label.spelling.is_empty();
            let mut all = self.all.lock().unwrap_or_else(PoisonError::into_inner);
            all.push(Arc::new(label));
            let known = ((all.len() - 1) as u32, empty);
            drop(all);
            if seen.len() < LABELS_REMEMBERED {
                seen.insert(cell.into(), known);
            }
            known
        })
    }
}

/// A thread's numbers of the cells it has read (of one [`LabelBook`]), and whether
/// each label is empty.
type Numbers = FastMap<Box<str>, (u32, bool)>;

/// The labels of a [`LabelBook`] on the thread that applies the rows, taken from
/// the book (under its lock) only when a row names one not taken yet.
#[derive(Default)]
struct Shelf(Vec<Arc<Label>>);

impl Shelf {
    /// Takes from `book` the labels `r` names.
    fn take(&mut self, book: &LabelBook, r: &RosterRow) {
        let top = r.labels().max().unwrap_or(0) as usize;
        if top >= self.0.len() {
            let all = book.all.lock().unwrap_or_else(PoisonError::into_inner);
            self.0.extend(all[self.0.len()..].iter().cloned());
        }
    }
}

impl std::ops::Index<u32> for Shelf {
    type Output = Label;

    fn index(&self, n: u32) -> &Label {
        &self.0[n as usize]
    }
}

/// Per label number, what was worked out from the label the first time.
struct ByLabel<T>(Vec<Option<T>>);

impl<T: Copy> ByLabel<T> {
    fn new() -> Self {
        ByLabel(Vec::new())
    }

    fn get_or(&mut self, n: u32, work_out: impl FnOnce() -> T) -> T {
        let n = n as usize;
        if n >= self.0.len() {
            self.0.resize(n + 1, None);
        }
        *self.0[n].get_or_insert_with(work_out)
    }
}

impl Label {
    fn work_out(cell: &str) -> Label {
        let spelling = label_spelling(cell);
        Label {
            clean: spelling == cell,
            key: label_key(&spelling),
            spelling,
        }
    }
}

/// One roster row, parsed.
#[derive(Debug)]
struct RosterRow {
    line: u64,
    /// The hash of the id (see [`IdHasher`]).
    hash: u64,
    /// The id, the display name, the mail and the row as it stood (should it turn
    /// out to conflict with an earlier one), end to end: one allocation per row.
    text: String,
    /// Where the id, the name and the mail end in `text`.
    ends: [usize; 3],
    /// The group's label (its number in the [`LabelBook`]).
    group: u32,
    left_on: Option<NaiveDate>,
    /// Per workload, the label of the cell naming its wave (empty when none).
    wave_cells: Vec<u32>,
    /// A `wave` cell that no workload reads.
    stray_wave: bool,
    /// Per cut, the label of the person's value.
    cuts: Vec<u32>,
    champion: bool,
}

impl RosterRow {
    /// The normalised id.
    fn id(&self) -> &str {
        &self.text[..self.ends[0]]
    }

    /// The display name, trimmed.
    fn name(&self) -> &str {
        &self.text[self.ends[0]..self.ends[1]]
    }

    /// The normalised mail (empty when none).
    fn mail(&self) -> &str {
        &self.text[self.ends[1]..self.ends[2]]
    }

    /// The numbers of the row's labels.
    fn labels(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.group)
            .chain(self.wave_cells.iter().copied())
            .chain(self.cuts.iter().copied())
    }

    /// The row as it stood in the file.
    fn raw(&self) -> String {
        self.text[self.ends[2]..].to_string()
    }

    /// Lets go of the row as it stood (a row kept for long is never quarantined).
    fn forget_raw(&mut self) {
        self.text.truncate(self.ends[2]);
        self.text.shrink_to_fit();
    }
}

/// The group labels of the roster's people: each spelling, in the order the kept
/// people first write it, and the label it is a spelling of.
struct Labels {
    keys: Interner,
    spellings: Interner,
    /// Spelling -> key.
    key_of: Vec<u32>,
    /// Per person: the spelling, and whether the cell was written exactly so.
    person: Vec<(u32, bool)>,
    /// Per label number: its key and spelling.
    numbered: ByLabel<(u32, u32)>,
}

impl Labels {
    fn new() -> Self {
        Labels {
            keys: Interner::default(),
            spellings: Interner::default(),
            key_of: Vec::new(),
            person: Vec::new(),
            numbered: ByLabel::new(),
        }
    }

    /// The person numbered next writes `label`, numbered `n`.
    fn push(&mut self, n: u32, label: &Label) {
        let (_, s) = self.numbered.get_or(n, || {
            let key = self.keys.get(&label.key);
            let s = self.spellings.get(&label.spelling);
            if s as usize == self.key_of.len() {
                self.key_of.push(key);
            }
            (key, s)
        });
        self.person.push((s, label.clean));
    }

    /// Each person's group as shown: the spelling most of the label's people write,
    /// the first written among those tied. Returns the groups, the number of people
    /// whose cell was written otherwise, and a note per label written several ways.
    fn resolve(self, what: &str) -> (LabelColumn, u64, Vec<String>) {
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
        // A person's group is their label's shown spelling: one name per label, and
        // per person the label's number (no String per person).
        let names = (0..self.keys.names.len() as u32)
            .map(|k| self.spellings.names[shown(k) as usize].clone())
            .collect();
        let codes = self
            .person
            .iter()
            .map(|&(s, _)| self.key_of[s as usize])
            .collect();
        let groups = LabelColumn::new(names, codes).expect("every spelling has a label");
        (groups, merged, notes)
    }
}

/// How roster rows become the people of the run: the column positions, the date
/// parser, the waves of each workload by group and by name.
struct Reader<'a> {
    cfg: &'a Config,
    columns: RosterColumns,
    c_id: usize,
    c_group: usize,
    c_wave: usize,
    c_left: usize,
    c_name: usize,
    c_champion: usize,
    c_mail: usize,
    c_cuts: Vec<usize>,
    /// The column naming each workload's wave: its `wave_column`, or the canonical
    /// `wave` column when the rollout has one workload.
    c_waves: Vec<Option<usize>>,
    wave_column_read: bool,
    parser: TimeParser,
    hasher: IdHasher,
    book: LabelBook,
    /// Per workload: group key -> wave.
    group_wave: Vec<FastMap<String, u32>>,
    /// Per workload: (wave, its key).
    wave_keys: Vec<Vec<(usize, String)>>,
}

impl<'a> Reader<'a> {
    fn new(cfg: &'a Config, src: &SourceConfig) -> Self {
        let columns = cfg.roster_columns();
        let cols = Cols::new(Source::Roster, &columns);
        let c_wave = cols.ix(schema::WAVE);
        let c_waves: Vec<Option<usize>> = cfg
            .workloads
            .iter()
            .map(|w| match &w.wave_column {
                Some(column) => Some(cols.ix(column)),
                None if cfg.workloads.len() == 1 => Some(c_wave),
                None => None,
            })
            .collect();
        // Groups and waves are matched as labels: case, spaces and Unicode form aside.
        let group_wave = (0..cfg.workloads.len())
            .map(|w| {
                cfg.waves_of(w)
                    .flat_map(|(i, x)| x.groups.iter().map(move |g| (label_key(g), i as u32)))
                    .collect()
            })
            .collect();
        let wave_keys = (0..cfg.workloads.len())
            .map(|w| {
                cfg.waves_of(w)
                    .map(|(i, x)| (i, label_key(&x.name)))
                    .collect()
            })
            .collect();
        Reader {
            cfg,
            c_id: cols.ix(schema::USER_ID),
            c_group: cols.ix(&cfg.group_by),
            c_wave,
            c_left: cols.ix(schema::LEFT_ON),
            c_name: cols.ix(schema::DISPLAY_NAME),
            c_champion: cols.ix(schema::CHAMPION),
            c_mail: cols.ix(schema::MAIL),
            c_cuts: cfg.cuts.iter().map(|c| cols.ix(c)).collect(),
            wave_column_read: c_waves.contains(&Some(c_wave)),
            c_waves,
            parser: TimeParser::new(cfg.timezone, src.date_format.as_deref())
                .with_order(src.date_order),
            hasher: IdHasher::default(),
            book: LabelBook::new(),
            group_wave,
            wave_keys,
            columns,
        }
    }

    /// One row's cells as a roster row, or why it cannot be one.
    fn parse(&self, row: Row<'_>) -> Result<RosterRow, Rejected> {
        parse_row(row, |c| {
            let id = norm_id_cow(required(c.get(self.c_id), schema::USER_ID)?);
            if id.is_empty() {
                return Err(format!("missing required value `{}`", schema::USER_ID));
            }
            let (group, empty) = self.book.number(c.get(self.c_group));
            if empty {
                return Err(format!("missing required value `{}`", self.cfg.group_by));
            }
            let left_on = match c.get(self.c_left).trim() {
                "" => None,
                v => Some(
                    self.parser
                        .date(v)
                        .map_err(|e| format!("`{}`: {e}", schema::LEFT_ON))?,
                ),
            };
            let name = c.get(self.c_name).trim();
            let mail = norm_id_cow(c.get(self.c_mail));
            let mut text = String::with_capacity(id.len() + name.len() + mail.len() + 128);
            let mut ends = [0; 3];
            for (end, part) in ends.iter_mut().zip([&*id, name, &*mail]) {
                text.push_str(part);
                *end = text.len();
            }
            c.push_raw(&mut text);
            Ok(RosterRow {
                line: c.line,
                hash: self.hasher.hash_one(&*id),
                text,
                ends,
                group,
                left_on,
                wave_cells: self
                    .c_waves
                    .iter()
                    .map(|w| self.book.number(w.map_or("", |i| c.get(i))).0)
                    .collect(),
                stray_wave: !self.wave_column_read && !c.get(self.c_wave).trim().is_empty(),
                cuts: self
                    .c_cuts
                    .iter()
                    .map(|&i| self.book.number(c.get(i)).0)
                    .collect(),
                champion: flag(c.get(self.c_champion)),
            })
        })
    }
}

/// The people of one roster file (or of a folder read as one roster): the first row
/// of each user, against which a later row is a duplicate or a conflict. People are
/// found by their id in the roster being built (a table of their numbers), and their
/// first row's line, group and wave cells are kept by number.
struct Seen {
    /// The roster's people by the hash of their id (see [`Slots`]).
    ids: Slots,
    /// Per person: the line of the row kept.
    line: Vec<u64>,
    /// Per person: the group of the row kept.
    group: Vec<u32>,
    /// Per person and workload (person-major): the wave cell of the row kept.
    waves: Vec<u32>,
    workloads: usize,
    /// The labels the rows name.
    shelf: Shelf,
}

/// What a row is against the rows before it in its file.
enum Verdict {
    /// The first row of its user.
    New,
    /// The same user, group and waves again.
    Duplicate,
    /// The same user with another group or wave: the reason.
    Conflict(String),
}

impl Seen {
    /// Room for about `people` people (see [`Builder::new`]): a table that grows
    /// hashes every id again.
    fn new(workloads: usize, people: usize) -> Self {
        Seen {
            ids: Slots::with_capacity(people),
            line: Vec::with_capacity(people),
            group: Vec::with_capacity(people),
            waves: Vec::with_capacity(people * workloads),
            workloads,
            shelf: Shelf::default(),
        }
    }

    /// What `r` is against the people of `ids` (the roster's ids so far), its labels
    /// taken onto the shelf.
    fn judge(&self, ids: &Texts, r: &RosterRow) -> Verdict {
        let id = r.id();
        let Some(p) = self.ids.find(r.hash, |p| &ids[p as usize] == id) else {
            return Verdict::New;
        };
        let p = p as usize;
        let waves = &self.waves[p * self.workloads..(p + 1) * self.workloads];
        verdict(self.line[p], self.group[p], waves, r, &self.shelf)
    }

    /// Keeps `r`, the row of the person last added to `ids`.
    fn keep(&mut self, ids: &Texts, hasher: &IdHasher, r: &RosterRow) {
        let p = ids.len() - 1;
        self.ids
            .insert(r.hash, p as u32, |q| hasher.hash_one(&ids[q as usize]));
        self.line.push(r.line);
        self.group.push(r.group);
        self.waves.extend(&r.wave_cells);
    }
}

/// The hash of roster ids, worked out while rows are parsed (on every core) and
/// used by [`Seen`] to find a row's user.
type IdHasher = foldhash::fast::RandomState;

/// Person numbers by the hash of their id, open addressing with linear probing: a
/// slot holds the hash's upper half (its tag) and the number plus one (0: empty).
/// One slot per person in a table at most half full, so that a look-up reads one
/// cache line, which [`Slots::fetch`] asks for a few rows ahead: at a million
/// people every look-up of a general hash table was a cache miss or two (its
/// control bytes, then its slot), on the one thread that applies the rows.
struct Slots {
    slots: Vec<u64>,
    len: usize,
}

impl Slots {
    /// Room for at least half of `people` without growing (the guess of
    /// [`rows_guess`] is about twice the rows of a roster).
    fn with_capacity(people: usize) -> Self {
        Slots {
            slots: vec![0; people.max(8).next_power_of_two()],
            len: 0,
        }
    }

    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    fn tag(hash: u64) -> u64 {
        hash & !u64::from(u32::MAX)
    }

    /// Fetches the line a look-up of `hash` starts on into the cache.
    fn fetch(&self, hash: u64) {
        prefetch(&self.slots[self.home(hash)]);
    }

    /// The person whose id hashes to `hash` and for whom `is` holds.
    fn find(&self, hash: u64, is: impl Fn(u32) -> bool) -> Option<u32> {
        let (mask, tag) = (self.slots.len() - 1, Self::tag(hash));
        let mut i = self.home(hash);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot & !u64::from(u32::MAX) == tag {
                let p = (slot as u32) - 1;
                if is(p) {
                    return Some(p);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds person `p` (not in the table), whose id hashes to `hash`; `rehash` hashes
    /// a person's id again when the table grows.
    fn insert(&mut self, hash: u64, p: u32, rehash: impl Fn(u32) -> u64) {
        if (self.len + 1) * 2 > self.slots.len() {
            let grown = vec![0; self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, grown);
            for slot in old.into_iter().filter(|&s| s != 0) {
                self.put(rehash((slot as u32) - 1), slot);
            }
        }
        self.put(hash, Self::tag(hash) | u64::from(p + 1));
        self.len += 1;
    }

    fn put(&mut self, hash: u64, slot: u64) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }
}

/// What `r` is against the kept row of its user in the same file: its line, group
/// and wave labels per workload (numbers of labels on `shelf`).
fn verdict(line: u64, group: u32, waves: &[u32], r: &RosterRow, shelf: &Shelf) -> Verdict {
    let (group, r_group) = (&shelf[group], &shelf[r.group]);
    let other_wave = waves
        .iter()
        .zip(&r.wave_cells)
        .map(|(&kept, &cell)| (&shelf[kept], &shelf[cell]))
        .find(|(kept, cell)| kept.key != cell.key);
    if group.key == r_group.key && other_wave.is_none() {
        return Verdict::Duplicate;
    }
    let what = match other_wave {
        Some((kept, _)) if group.key == r_group.key => format!("wave `{}`", kept.spelling),
        _ => format!("group `{}`", group.spelling),
    };
    Verdict::Conflict(format!(
        "duplicate user_id `{}` with a conflicting group: line {line} has {what}",
        r.id()
    ))
}

/// Builds the roster from the people's rows, in order: their waves per workload,
/// their cut values, and their groups and values as most people write them.
struct Builder {
    labels: Labels,
    cut_labels: Vec<Labels>,
    /// Unknown waves by workload and label: the first spelling and how many people.
    unknown_waves: BTreeMap<(usize, String), (String, u64)>,
    /// A `wave` cell that no workload reads (several workloads, none naming the column).
    stray_wave_column: bool,
    /// Per workload: the wave of each group label (for people whose wave cell is
    /// empty), and of each wave cell's label (`None`: no wave names it).
    wave_of_group: Vec<ByLabel<Option<u32>>>,
    wave_of_cell: Vec<ByLabel<Option<u32>>>,
}

impl Builder {
    /// A builder for about `people` people (a guess from the files' sizes, at least
    /// as many as there are: room not used is never touched, so it costs no memory,
    /// while a column that outgrows its room is copied and touched twice) whose ids,
    /// names and mails take at most `bytes` bytes each.
    fn new(cfg: &Config, roster: &mut Roster, people: usize, bytes: usize) -> Self {
        roster.waves = vec![Vec::with_capacity(people); cfg.workloads.len()];
        roster.user_id = Texts::with_capacity(people, bytes);
        roster.display_name = Texts::with_capacity(people, bytes);
        roster.mail = Texts::with_capacity(people, bytes);
        roster.left_on.reserve(people);
        roster.joined_on.reserve(people);
        roster.champion.reserve(people);
        Builder {
            labels: Labels::new(),
            cut_labels: cfg.cuts.iter().map(|_| Labels::new()).collect(),
            unknown_waves: BTreeMap::new(),
            stray_wave_column: false,
            wave_of_group: cfg.workloads.iter().map(|_| ByLabel::new()).collect(),
            wave_of_cell: cfg.workloads.iter().map(|_| ByLabel::new()).collect(),
        }
    }

    /// Adds the person of `r` (its labels on `shelf`), with the day they joined the
    /// roster (from snapshots).
    fn push(
        &mut self,
        reader: &Reader<'_>,
        shelf: &Shelf,
        roster: &mut Roster,
        r: &RosterRow,
        joined: Option<NaiveDate>,
    ) {
        self.stray_wave_column |= r.stray_wave;
        let group = &shelf[r.group];
        for (w, &n) in r.wave_cells.iter().enumerate() {
            let cell = &shelf[n];
            let wave = if cell.spelling.is_empty() {
                self.wave_of_group[w]
                    .get_or(r.group, || reader.group_wave[w].get(&group.key).copied())
            } else {
                let found = self.wave_of_cell[w].get_or(n, || {
                    reader.wave_keys[w]
                        .iter()
                        .find(|(_, k)| *k == cell.key)
                        .map(|&(i, _)| i as u32)
                });
                if found.is_none() {
                    self.unknown_waves
                        .entry((w, cell.key.clone()))
                        .or_insert_with(|| (cell.spelling.clone(), 0))
                        .1 += 1;
                }
                found
            };
            roster.waves[w].push(wave);
        }
        for (values, &n) in self.cut_labels.iter_mut().zip(&r.cuts) {
            values.push(n, &shelf[n]);
        }
        self.labels.push(r.group, group);
        roster.user_id.push(r.id());
        roster.left_on.push(r.left_on);
        roster.joined_on.push(joined);
        roster.champion.push(r.champion);
        roster.display_name.push(r.name());
        roster.mail.push(r.mail());
    }

    /// Resolves the labels and says what the user should know.
    fn finish(self, cfg: &Config, src: &SourceConfig, data: &mut Dataset) -> Result<(), Error> {
        if self.stray_wave_column {
            // One workload reading its waves from another column, or several
            // workloads none of which names `wave`: the column would be ignored.
            let (message, help) = match cfg.workloads.as_slice() {
                [only] => (
                    format!(
                        "the roster has a `wave` column, but the workload `{}` reads its waves from `{}`",
                        only.name,
                        only.wave_column.as_deref().unwrap_or("wave"),
                    ),
                    "set wave_column = \"wave\" on the [[workloads]] entry, or remove the roster's `wave` column",
                ),
                _ => (
                    "the roster has a `wave` column, but with several workloads a wave column must say which workload it is for".to_string(),
                    "set wave_column = \"wave\" on the [[workloads]] entry it belongs to (and a column of its own on each other workload)",
                ),
            };
            return Err(Error::config(&src.config_file, "workloads", message).with_help(help));
        }
        let (groups, merged, notes) = self.labels.resolve("group");
        data.roster.group = groups;
        data.labels_merged = merged;
        data.notes.extend(notes);
        for (cut, values) in cfg.cuts.iter().zip(self.cut_labels) {
            let (values, _, notes) = values.resolve(cut);
            data.roster.cuts.push(values);
            data.notes.extend(notes);
        }
        for ((w, _), (wave, n)) in self.unknown_waves {
            let of = if cfg.workloads.len() > 1 {
                format!(" of workload `{}`", cfg.workloads[w].name)
            } else {
                String::new()
            };
            data.notes.push(format!(
                "roster: {n} people have wave `{wave}`, which no [[waves]] entry{of} names: they are counted as unassigned"
            ));
        }
        Ok(())
    }
}

/// A roster column the config requires (`rollout.group_by`, a cut of
/// `rollout.cuts`) that the roster lacks: the error names the key that asks for it,
/// so that its help can offer changing the key beside mapping a header. Other errors
/// pass unchanged.
pub(super) fn named_by_config(cfg: &Config, mut e: Error) -> Error {
    if let Error::MissingColumn(m) = &mut e {
        if m.column == cfg.group_by {
            m.named_by = Some("rollout.group_by");
        } else if cfg.cuts.contains(&m.column) {
            m.named_by = Some("rollout.cuts");
        }
    }
    e
}

/// How many rows [`read_roster`] holds back, so that each row's table line is
/// fetched this many rows before the row is judged.
const AHEAD: usize = 8;

/// Applies parsed rows to the roster being built, in order, each a few rows after
/// it arrives (see [`AHEAD`]).
struct Applier<'r, 'c> {
    reader: &'r Reader<'c>,
    seen: Seen,
    builder: Builder,
    /// The rows held back, in order, all of `file`.
    ahead: VecDeque<Result<RosterRow, Rejected>>,
    file: PathBuf,
}

impl Applier<'_, '_> {
    /// Takes the next row, of `path`, and applies the one held back longest.
    fn row(
        &mut self,
        roster: &mut Roster,
        tally: &mut Tally,
        path: &Path,
        parsed: Result<RosterRow, Rejected>,
    ) {
        if path.as_os_str() != self.file.as_os_str() {
            self.flush(roster, tally);
            self.file = path.to_path_buf();
        }
        if let Ok(r) = &parsed {
            self.seen.ids.fetch(r.hash);
        }
        self.ahead.push_back(parsed);
        if self.ahead.len() > AHEAD {
            self.settle_next(roster, tally);
        }
    }

    /// Applies every row held back.
    fn flush(&mut self, roster: &mut Roster, tally: &mut Tally) {
        while !self.ahead.is_empty() {
            self.settle_next(roster, tally);
        }
    }

    /// Applies the row held back longest: a new person is added, a duplicate
    /// counted, a conflict or a row that is not one quarantined.
    fn settle_next(&mut self, roster: &mut Roster, tally: &mut Tally) {
        let Some(parsed) = self.ahead.pop_front() else {
            return;
        };
        let r = match parsed {
            Ok(r) => r,
            Err(rejected) => return tally.reject(&self.file, rejected),
        };
        let seen = &mut self.seen;
        seen.shelf.take(&self.reader.book, &r);
        match seen.judge(&roster.user_id, &r) {
            Verdict::New => {
                self.builder
                    .push(self.reader, &seen.shelf, roster, &r, None);
                seen.keep(&roster.user_id, &self.reader.hasher, &r);
            }
            Verdict::Duplicate => tally.counts.duplicates_removed += 1,
            Verdict::Conflict(reason) => tally.reject(
                &self.file,
                Rejected {
                    line: r.line,
                    reason,
                    raw: r.raw(),
                },
            ),
        }
    }
}

/// Reads the roster: one file, a folder read as one roster, or — with
/// `snapshots = true` — a folder of dated snapshots read as its history as of `as_of`
/// (see [`read_snapshots`]).
pub(super) fn read_roster(
    cfg: &Config,
    src: &SourceConfig,
    as_of: Option<NaiveDate>,
    data: &mut Dataset,
    tally: &mut Tally,
    progress: &Progress,
) -> Result<Vec<InputFile>, Error> {
    if src.snapshots {
        return read_snapshots(cfg, src, as_of, data, tally, progress);
    }
    let reader = Reader::new(cfg, src);
    let rows = rows_guess(Source::Roster, src);
    let bytes = rows * 40;
    let mut applier = Applier {
        reader: &reader,
        builder: Builder::new(cfg, &mut data.roster, rows, bytes),
        seen: Seen::new(cfg.workloads.len(), rows),
        ahead: VecDeque::with_capacity(AHEAD + 1),
        file: PathBuf::new(),
    };
    let roster = &mut data.roster;
    let bar = progress.rows("roster");
    let files = ingest::read_source(
        Source::Roster,
        src,
        &reader.columns,
        |row| reader.parse(row),
        |path: &Path, parsed: Result<RosterRow, Rejected>| {
            bar.inc();
            applier.row(roster, tally, path, parsed);
        },
    )?;
    applier.flush(roster, tally);
    bar.finish();
    applier.builder.finish(cfg, src, data)?;
    Ok(files)
}

/// One person's history over the snapshots read.
struct History {
    /// Their row in the latest snapshot that holds them.
    row: RosterRow,
    /// The first snapshot of their latest stretch of presence.
    since: NaiveDate,
    /// The last snapshot that holds them.
    last: NaiveDate,
}

/// Reads a roster snapshot folder as its history: the roster as of `as_of` is its
/// latest snapshot on or before it (the earliest when `as_of` precedes them all);
/// everyone's group, wave, champion flag and columns come from their latest snapshot;
/// a person absent from a later snapshot left on that snapshot's day (an earlier
/// `left_on` wins); a person who first appears after the first snapshot joined on
/// that day; a group that changes between snapshots is a move, not a conflict
/// (conflicts exist only inside one snapshot). One row per person is kept, not one
/// per snapshot (docs/inputs.md, "Snapshots").
fn read_snapshots(
    cfg: &Config,
    src: &SourceConfig,
    as_of: Option<NaiveDate>,
    data: &mut Dataset,
    tally: &mut Tally,
    progress: &Progress,
) -> Result<Vec<InputFile>, Error> {
    let all = ingest::snapshots::snapshots(Source::Roster, src, None)?;
    let mut used: Vec<ingest::snapshots::Snapshot> = all
        .iter()
        .filter(|s| as_of.is_none_or(|d| s.day <= d))
        .cloned()
        .collect();
    if used.is_empty() {
        if let Some(first) = all.first() {
            data.notes.push(format!(
                "roster: the as-of day comes before every snapshot: the earliest, of {}, is used",
                first.day
            ));
            used.push(first.clone());
        }
    }
    let reader = Reader::new(cfg, src);
    let bar = progress.rows("roster");
    let mut shelf = Shelf::default();
    // People in order of first appearance, with their histories.
    let mut order: Vec<String> = Vec::new();
    let mut history: FastMap<String, History> = FastMap::default();
    let mut files = Vec::new();
    for snap in &used {
        let file_cfg = SourceConfig {
            path: snap.path.clone(),
            ..src.clone()
        };
        // The snapshot before this one, if any: a person it lacks is back after an
        // absence.
        let previous = used
            .iter()
            .take_while(|s| s.day < snap.day)
            .last()
            .map(|s| s.day);
        let apply = |path: &Path, parsed: Result<RosterRow, Rejected>| {
            bar.inc();
            let mut r = match parsed {
                Ok(r) => r,
                Err(rejected) => return tally.reject(path, rejected),
            };
            // A person's history holds their first row of the newest snapshot read
            // so far: a second row of theirs in this snapshot is judged against it.
            shelf.take(&reader.book, &r);
            let judged = match history.get(r.id()) {
                Some(h) if h.last == snap.day => {
                    let k = &h.row;
                    verdict(k.line, k.group, &k.wave_cells, &r, &shelf)
                }
                _ => Verdict::New,
            };
            match judged {
                Verdict::New => {}
                Verdict::Duplicate => {
                    tally.counts.duplicates_removed += 1;
                    return;
                }
                Verdict::Conflict(reason) => {
                    return tally.reject(
                        path,
                        Rejected {
                            line: r.line,
                            reason,
                            raw: r.raw(),
                        },
                    )
                }
            }
            r.forget_raw();
            match history.get_mut(r.id()) {
                Some(h) => {
                    // Back after an absence: a new stretch of presence.
                    if previous != Some(h.last) {
                        h.since = snap.day;
                    }
                    h.last = snap.day;
                    h.row = r;
                }
                None => {
                    order.push(r.id().to_string());
                    history.insert(
                        r.id().to_string(),
                        History {
                            row: r,
                            since: snap.day,
                            last: snap.day,
                        },
                    );
                }
            }
        };
        files.extend(ingest::read_source(
            Source::Roster,
            &file_cfg,
            &reader.columns,
            |row| reader.parse(row),
            apply,
        )?);
    }
    bar.finish();
    let (Some(first), Some(last)) = (used.first(), used.last()) else {
        return Ok(files);
    };
    let (first, last) = (first.day, last.day);
    let people = order.len();
    let bytes = history.values().map(|h| h.row.ends[2]).sum();
    let mut builder = Builder::new(cfg, &mut data.roster, people, bytes);
    for id in order {
        let Some(mut h) = history.remove(&id) else {
            continue;
        };
        if h.last < last {
            // Gone from the snapshots after `h.last`: left on the first of them.
            let gone = used
                .iter()
                .find(|s| s.day > h.last)
                .map(|s| s.day)
                .expect("a later snapshot exists");
            h.row.left_on = Some(h.row.left_on.map_or(gone, |d| d.min(gone)));
        }
        let joined = (h.since > first).then_some(h.since);
        builder.push(&reader, &shelf, &mut data.roster, &h.row, joined);
    }
    builder.finish(cfg, src, data)?;
    data.snapshots.insert(
        Source::Roster,
        SnapshotSpan {
            files: used.len(),
            first,
            last,
        },
    );
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two books read on one thread keep their own numbers; a label is worked out
    /// once per cell while few, and cells past the remembered are still numbered.
    #[test]
    fn label_books_number_their_own_labels() {
        let (a, b) = (LabelBook::new(), LabelBook::new());
        assert_eq!(a.number(" Sales "), (0, false));
        assert_eq!(a.number(""), (1, true));
        // The thread's cache holds a's cells: b numbers from 0 all the same.
        assert_eq!(b.number("Ops"), (0, false));
        assert_eq!(b.number(" Sales "), (1, false));
        // Back to a: the thread's cache held b's cells, so the cell is worked out
        // again (another number for the same label), then remembered.
        assert_eq!(a.number(" Sales "), (2, false));
        assert_eq!(a.number(" Sales "), (2, false));
        assert_eq!(a.all.lock().unwrap().len(), 3);
        for i in 0..LABELS_REMEMBERED + 2 {
            a.number(&format!("g{i}"));
        }
        // 3 + 4098 labels; past the remembered 4096 (of which 1 is " Sales "), a
        // cell is worked out and numbered anew each time.
        let again = a.number(&format!("g{}", LABELS_REMEMBERED + 1)).0;
        assert_eq!(again as usize, 3 + LABELS_REMEMBERED + 2);
        assert_eq!(a.number("g7"), (10, false));
        let row = RosterRow {
            line: 2,
            hash: 0,
            text: String::new(),
            ends: [0; 3],
            group: 2,
            left_on: None,
            wave_cells: vec![1],
            stray_wave: false,
            cuts: vec![again],
            champion: false,
        };
        let mut shelf = Shelf::default();
        shelf.take(&a, &row);
        assert_eq!(shelf.0.len(), again as usize + 1);
        let sales = &shelf[2];
        assert_eq!(
            (&*sales.spelling, sales.clean, &*sales.key),
            ("Sales", false, "sales")
        );
        assert!(shelf[1].spelling.is_empty());
        assert_eq!(shelf[again].spelling, format!("g{}", LABELS_REMEMBERED + 1));
    }

    /// People found by hash and id: from a table with room for a few, grown twice,
    /// with ids whose hashes share a home slot, a tag, or the whole hash.
    #[test]
    fn slots_find_every_person_kept_and_no_other() {
        let mut slots = Slots::with_capacity(1);
        // Hashes given by hand: person p's "id" is p; 3 and 4 share a home slot
        // (the same low bits) but not a tag, 5 shares 2's whole hash.
        let hash = |p: u32| match p {
            3 => 0x0000_0001_0000_0005,
            4 => 0x0000_0002_0000_0005,
            5 => 0x0000_0002_0000_0002,
            p => u64::from(p) << 32 | u64::from(p),
        };
        assert_eq!(hash(2), hash(5));
        for p in 0..40 {
            slots.insert(hash(p), p, hash);
            for q in 0..=p {
                assert_eq!(slots.find(hash(q), |x| x == q), Some(q), "{q} of {p}");
            }
            assert_eq!(slots.find(hash(p + 1), |x| x == p + 1), None);
        }
        assert_eq!(slots.len, 40);
        // Grown from 8 slots to 128, never more than half full.
        assert_eq!(slots.slots.len(), 128);
        // The same hash, another id: not found.
        assert_eq!(slots.find(hash(2), |x| x == 41), None);
    }
}

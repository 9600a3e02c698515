//! Matching people: the roster person an event's user cell names, by id, mail or
//! display name (docs/inputs.md, "People").
//!
//! Takes the roster; hands each event row's user cell on as a person's number, an
//! unknown id, or the reason it names several people. The tables hold only people's
//! numbers: a key is compared against the roster's own text (ids, mails) or against
//! the name keys the matcher keeps end to end, so that a million people are not a
//! million owned map keys, and a lookup hashes the cell's bytes without copying them.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rayon::prelude::*;

use super::*;
use crate::ingest::canonical::Ahead;

/// Who an event's user cell names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Found {
    /// A roster person, found by id or mail (`false`) or by display name (`true`).
    Person(u32, bool),
    /// Nobody on the roster: the normalised id.
    Unknown(String),
    /// No one: the row names no person (an anonymous survey response).
    Nobody,
}

/// Marks a table entry whose key several people share (the number is the first's).
const SHARED: u32 = 1 << 31;

/// People by a text key: each entry holds a person's number (with [`SHARED`] when
/// another person has the same key); the key itself is read from a [`Texts`] column
/// at that number. The name tables, probed only for cells that are no id, are these;
/// the id and mail tables, probed for every row, are [`Lines`].
struct Index(HashTable<u32>);

impl Index {
    fn with_capacity(n: usize) -> Self {
        Index(HashTable::with_capacity(n))
    }

    /// Adds person `pid` under its key `keys[pid]`; a key met before marks its entry
    /// shared, whatever the order of insertion, and is answered with the number of
    /// the first person who has it.
    fn add(&mut self, hasher: &Hasher, keys: &Texts, pid: u32) -> Option<u32> {
        let key = &keys[pid as usize];
        let hash = hasher.hash_one(key);
        let rehash = |p: &u32| hasher.hash_one(&keys[(p & !SHARED) as usize]);
        match self
            .0
            .find_mut(hash, |p| &keys[(p & !SHARED) as usize] == key)
        {
            Some(p) => {
                *p |= SHARED;
                Some(*p & !SHARED)
            }
            None => {
                self.0.insert_unique(hash, pid, rehash);
                None
            }
        }
    }

    /// The entry of `key`: `Ok(pid)` for one person, `Err(())` for several.
    fn get(&self, hasher: &Hasher, keys: &Texts, key: &str) -> Option<Result<u32, ()>> {
        let hash = hasher.hash_one(key);
        let p = *self
            .0
            .find(hash, |p| &keys[(p & !SHARED) as usize] == key)?;
        Some(if p & SHARED == 0 { Ok(p) } else { Err(()) })
    }
}

/// An entry of a [`Lines`] table: a person's number, where the key lies in the
/// column's text, and part of the key's hash. A key of another length, or of
/// another hash, is told apart without reading its bytes.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct Slot {
    /// The high half of the key's hash, never 0: 0 marks an empty slot.
    tag: u32,
    /// The person's number, with [`SHARED`] when marked.
    pid: u32,
    /// Where the key starts in the column's text, or [`FAR`] past what a `u32` holds.
    start: u32,
    len: u32,
}

/// A key that starts past what a `u32` holds: read through the column's offsets.
const FAR: u32 = u32::MAX;

impl Slot {
    /// The entry of person `pid`, whose key is `keys[pid]`.
    fn new(keys: &Texts, pid: u32, tag: u32) -> Self {
        let span = keys.span(pid as usize);
        match (u32::try_from(span.start), u32::try_from(span.len())) {
            (Ok(start), Ok(len)) if start != FAR => Slot {
                tag,
                pid,
                start,
                len,
            },
            _ => Slot {
                tag,
                pid,
                start: FAR,
                len: 0,
            },
        }
    }

    /// True when the entry's key is `key`: always the key's bytes compared, never
    /// the hash alone.
    fn is(&self, keys: &Texts, key: &str) -> bool {
        if self.start == FAR {
            return &keys[(self.pid & !SHARED) as usize] == key;
        }
        let start = self.start as usize;
        self.len as usize == key.len() && keys.bytes(start..start + key.len()) == key.as_bytes()
    }
}

/// Slots in a [`Line`]: 16 bytes each, a cache line's worth.
const SLOTS: usize = 4;

/// A cache line of slots, filled from the first: the first empty slot ends a probe.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Line([Slot; SLOTS]);

/// People by a text key, as [`Index`] answers, laid out so that a probe reads one
/// cache line of the table and then the key's text: every event row probes the id
/// table at a random place, and at a million people each read of a table is a
/// cache miss (a general hash table reads its control bytes, then the slot, then
/// the column's offsets, then the text; most of a row's matching time with rows
/// in no order of person). A key hashes to a line; a full line sends the probe on
/// to the next one (at most three quarters of the slots are ever taken, so most
/// probes read one line), and an entry's key bytes are compared only when its tag
/// (the hash's high half) and length are the probe's.
struct Lines {
    lines: Vec<Line>,
    /// Slots taken.
    len: usize,
}

impl Lines {
    /// Room for `n` keys (more grow the table).
    fn with_capacity(n: usize) -> Self {
        Lines {
            lines: vec![Line::default(); Self::lines_for(n)],
            len: 0,
        }
    }

    /// A power of two of lines with a quarter of their slots free or more, so that
    /// a probe always meets an empty slot.
    fn lines_for(n: usize) -> usize {
        n.div_ceil(SLOTS - 1).max(1).next_power_of_two()
    }

    fn tag(hash: u64) -> u32 {
        ((hash >> 32) as u32).max(1)
    }

    /// The slot holding `key` (`Ok`), or the empty slot where it would go (`Err`),
    /// as (line, slot).
    fn probe(&self, hash: u64, keys: &Texts, key: &str) -> Result<(usize, usize), (usize, usize)> {
        let tag = Self::tag(hash);
        let mask = self.lines.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            for (s, slot) in self.lines[i].0.iter().enumerate() {
                if slot.tag == 0 {
                    return Err((i, s));
                }
                if slot.tag == tag && slot.is(keys, key) {
                    return Ok((i, s));
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds person `pid` under its key `keys[pid]`, as [`Index::add`] does.
    fn add(&mut self, hasher: &Hasher, keys: &Texts, pid: u32) -> Option<u32> {
        self.add_hashed(hasher, hasher.hash_one(&keys[pid as usize]), keys, pid)
    }

    /// [`Lines::add`] with the key's hash given (tests give every key the same, in a
    /// table made at its size: growing places the entries by `hasher`'s hashes).
    fn add_hashed(&mut self, hasher: &Hasher, hash: u64, keys: &Texts, pid: u32) -> Option<u32> {
        match self.probe(hash, keys, &keys[pid as usize]) {
            Ok((i, s)) => {
                let slot = &mut self.lines[i].0[s];
                slot.pid |= SHARED;
                Some(slot.pid & !SHARED)
            }
            Err(mut at) => {
                if Self::lines_for(self.len + 1) > self.lines.len() {
                    self.grow(hasher, keys);
                    at = self.probe(hash, keys, &keys[pid as usize]).unwrap_err();
                }
                self.lines[at.0].0[at.1] = Slot::new(keys, pid, Self::tag(hash));
                self.len += 1;
                None
            }
        }
    }

    /// Twice the lines, every entry placed again by its key's hash.
    fn grow(&mut self, hasher: &Hasher, keys: &Texts) {
        let old = std::mem::replace(
            &mut self.lines,
            vec![Line::default(); Self::lines_for(self.len + 1)],
        );
        for slot in old.iter().flat_map(|line| line.0.iter()) {
            if slot.tag == 0 {
                continue;
            }
            let key = &keys[(slot.pid & !SHARED) as usize];
            let hash = hasher.hash_one(key);
            if let Err((i, s)) = self.probe(hash, keys, key) {
                self.lines[i].0[s] = Slot {
                    tag: Self::tag(hash),
                    ..*slot
                };
            }
        }
    }

    /// The entry of `key`, as [`Index::get`] answers.
    fn get(&self, hasher: &Hasher, keys: &Texts, key: &str) -> Option<Result<u32, ()>> {
        self.get_hashed(hasher.hash_one(key), keys, key)
    }

    /// Starts fetching what a probe for a key of this hash and length will read:
    /// [`Ahead::Far`] the line it starts on; [`Ahead::Near`] (the line by then in
    /// the cache) the text of the entries there whose tag and length are the key's.
    /// Reads nothing that a probe would not, and changes nothing.
    fn prefetch(&self, hash: u64, keys: &Texts, len: usize, ahead: Ahead) {
        let line = &self.lines[hash as usize & (self.lines.len() - 1)];
        match ahead {
            Ahead::Far => prefetch(line as *const Line as *const u8),
            Ahead::Near => {
                let tag = Self::tag(hash);
                for slot in line.0.iter().take_while(|s| s.tag != 0) {
                    if slot.tag == tag && slot.start != FAR && slot.len as usize == len {
                        let start = slot.start as usize;
                        prefetch(keys.bytes(start..start + len).as_ptr());
                    }
                }
            }
        }
    }

    /// [`Lines::get`] with the key's hash given.
    fn get_hashed(&self, hash: u64, keys: &Texts, key: &str) -> Option<Result<u32, ()>> {
        let (i, s) = self.probe(hash, keys, key).ok()?;
        let p = self.lines[i].0[s].pid;
        Some(if p & SHARED == 0 { Ok(p) } else { Err(()) })
    }
}

/// The hash of the matcher's tables (foldhash: keys are short ids and names).
type Hasher = foldhash::fast::RandomState;

/// Finds roster people by id, mail or display name. Read-only, so that rows can be
/// matched on several threads at once.
pub(super) struct Matcher<'r> {
    roster: &'r Roster,
    hasher: Hasher,
    by_id: Lines,
    /// One bit per person: set when another roster person has the same id, so that
    /// `by_id` does not answer with this person for it.
    shared_ids: Vec<u64>,
    /// Mails that are not their own person's id.
    by_mail: Lines,
    /// Each person's normalised name ([`norm_name`]), empty when none.
    names: Texts,
    by_name: Index,
    /// Each person's name words in sorted order ([`word_key`]): `Mustermann Max`
    /// is `Max Mustermann`.
    words: Texts,
    by_words: Index,
    /// This matcher's number among those made in the process: what a thread's
    /// [`LAST`] answer belongs to (a later matcher may sit at the same address).
    generation: u64,
}

/// Matchers made so far in the process.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A thread's last answer: the matcher's generation, the cell as written and what it
/// found; the last person the thread found with that matcher, and how many lookups
/// in a row found nobody in the [`LOOKAHEAD`] after the person before.
struct Answer {
    generation: u64,
    cell: String,
    found: Result<Found, String>,
    person: Option<u32>,
    missed: u32,
}

thread_local! {
    /// Exports list a person's rows together (an email log by person, a device list
    /// by user), so the cell a thread matched last is often the next one: the same
    /// cell gets the same answer without normalising, hashing and comparing again.
    static LAST: std::cell::RefCell<Option<Answer>> = const { std::cell::RefCell::new(None) };
}

/// How many people after the one a thread found last are compared with the next id
/// before the id is looked up (see [`Matcher::next_by_id`]).
const LOOKAHEAD: u32 = 4;

/// After this many lookups in a row whose person was not among the [`LOOKAHEAD`]
/// after the one before, a thread stops looking ahead (until a person is again):
/// an export in time order lists people in no order, and there the comparisons,
/// each at a random place of the roster's ids, never find anyone and cost about as
/// much as the lookup itself. The answers do not depend on it (see
/// [`Matcher::next_by_id`]).
const AHEAD_GIVE_UP: u32 = 8;

/// People per piece of the roster whose name keys one thread makes.
const NAMES_PER_PIECE: usize = 1 << 14;

impl<'r> Matcher<'r> {
    /// The id and mail tables are built on one thread while the name keys (the
    /// costlier part: NFKC and accents per person) are made on the others. A key met
    /// twice is shared whatever the order of insertion, so the tables do not depend
    /// on how the work is split.
    pub(super) fn new(roster: &'r Roster) -> Self {
        let hasher = Hasher::default();
        let n = roster.len();
        let ((by_id, shared_ids, by_mail), (names, words)) = rayon::join(
            || {
                let mut by_id = Lines::with_capacity(n);
                let mut shared_ids = vec![0u64; n.div_ceil(64)];
                for pid in 0..n as u32 {
                    if let Some(first) = by_id.add(&hasher, &roster.user_id, pid) {
                        for p in [first, pid] {
                            shared_ids[p as usize / 64] |= 1 << (p % 64);
                        }
                    }
                }
                // Counted first, so that the mail table is made at its size.
                let mails: Vec<u32> = (0..n as u32)
                    .filter(|&pid| {
                        let mail = &roster.mail[pid as usize];
                        !mail.is_empty()
                            && by_id.get(&hasher, &roster.user_id, mail) != Some(Ok(pid))
                    })
                    .collect();
                let mut by_mail = Lines::with_capacity(mails.len());
                for pid in mails {
                    by_mail.add(&hasher, &roster.mail, pid);
                }
                (by_id, shared_ids, by_mail)
            },
            || {
                let pieces: Vec<(Texts, Texts)> = (0..n.div_ceil(NAMES_PER_PIECE))
                    .into_par_iter()
                    .map(|k| {
                        let people = k * NAMES_PER_PIECE..n.min((k + 1) * NAMES_PER_PIECE);
                        let mut names = Texts::default();
                        let mut words = Texts::default();
                        for pid in people {
                            let key = norm_name(&roster.display_name[pid]);
                            names.push(&key);
                            words.push(&word_key(&key));
                        }
                        (names, words)
                    })
                    .collect();
                let bytes = pieces.iter().map(|(n, _)| n.text_len()).sum();
                let mut names = Texts::with_capacity(n, bytes);
                let mut words = Texts::with_capacity(n, bytes);
                for (n, w) in &pieces {
                    names.extend_from(n);
                    words.extend_from(w);
                }
                (names, words)
            },
        );
        let (by_name, by_words) = rayon::join(
            || index_nonempty(&hasher, &names),
            || index_nonempty(&hasher, &words),
        );
        Matcher {
            roster,
            hasher,
            by_id,
            shared_ids,
            by_mail,
            names,
            by_name,
            words,
            by_words,
            generation: GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    fn by_id_or_mail(&self, id: &str) -> Option<Result<u32, String>> {
        if let Some(Ok(p)) = self.by_id.get(&self.hasher, &self.roster.user_id, id) {
            return Some(Ok(p));
        }
        match self.by_mail.get(&self.hasher, &self.roster.mail, id)? {
            Ok(p) => Some(Ok(p)),
            Err(()) => Some(Err(format!("mail `{id}` belongs to several roster people"))),
        }
    }

    /// The person a (required) user cell names; `Err` is the quarantine reason: the
    /// cell is empty, or names several roster people.
    pub(super) fn find(&self, cell: &str) -> Result<Found, String> {
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            match &mut *last {
                Some(last) if last.generation == self.generation && last.cell == cell => {
                    last.found.clone()
                }
                Some(last) => {
                    if last.generation != self.generation {
                        last.generation = self.generation;
                        last.person = None;
                        last.missed = 0;
                    }
                    last.cell.clear();
                    last.cell.push_str(cell);
                    let near = last.person.filter(|_| last.missed < AHEAD_GIVE_UP);
                    last.found = self.look_up(cell, near);
                    // Whether looking ahead finds (or would have found) this person:
                    // told from the answer, so that it resumes once people come in
                    // roster order again.
                    let ahead = match (&last.found, last.person) {
                        (Ok(Found::Person(q, false)), Some(p)) => *q > p && *q - p <= LOOKAHEAD,
                        _ => false,
                    };
                    last.missed = if ahead {
                        0
                    } else {
                        last.missed.saturating_add(1)
                    };
                    if let Ok(Found::Person(p, _)) = last.found {
                        last.person = Some(p);
                    }
                    last.found.clone()
                }
                None => {
                    let found = self.look_up(cell, None);
                    let person = match found {
                        Ok(Found::Person(p, _)) => Some(p),
                        _ => None,
                    };
                    *last = Some(Answer {
                        generation: self.generation,
                        cell: cell.to_string(),
                        found: found.clone(),
                        person,
                        missed: 0,
                    });
                    found
                }
            }
        })
    }

    /// The person among the [`LOOKAHEAD`] after `p` in roster order whose id is
    /// `id`, when no other person has that id: the person `by_id` finds for it.
    /// Exports list people in the roster's order as often as not (both come from
    /// the same directory), so the next person's id is most often the next row's;
    /// comparing it with the people just after the last one found reads memory in
    /// order, where a lookup reads the table and the roster's text at random
    /// places: at a million people, most of a lookup's time is waiting for them.
    fn next_by_id(&self, p: u32, id: &str) -> Option<u32> {
        let ids = &self.roster.user_id;
        let end = (p as usize + 1 + LOOKAHEAD as usize).min(ids.len());
        (p as usize + 1..end)
            .find(|&q| &ids[q] == id)
            .filter(|&q| self.shared_ids[q / 64] & (1 << (q % 64)) == 0)
            .map(|q| q as u32)
    }

    /// [`Matcher::find`] without the thread's last answer; `near` is the person the
    /// thread found last (see [`Matcher::next_by_id`]).
    /// Whether this thread's last look-ups found their people in roster order (or
    /// the same cell again), so that the next ones are likely found without a
    /// cache miss: see [`AHEAD_GIVE_UP`].
    pub(super) fn in_order(&self) -> bool {
        LAST.with(|last| {
            last.borrow()
                .as_ref()
                .is_some_and(|l| l.generation == self.generation && l.missed < AHEAD_GIVE_UP)
        })
    }

    /// Starts fetching the id table's line ([`Ahead::Far`]) or the roster text
    /// ([`Ahead::Near`]) that matching `cell` as an id will read, for a row parsed
    /// soon: with rows in no order of person every look-up is a cache miss or two,
    /// and fetched ahead they overlap with the parsing of the rows before. Changes
    /// no answer (docs/inputs.md, "People").
    pub(super) fn prefetch(&self, cell: &str, ahead: Ahead) {
        // The cell as written, not normalised: ids are mostly written as the
        // roster has them, and normalising every cell twice more cost what the
        // fetching saved. A cell written otherwise is fetched in vain, no more.
        let id = cell.trim();
        if id.is_empty() {
            return;
        }
        let hash = self.hasher.hash_one(id);
        self.by_id
            .prefetch(hash, &self.roster.user_id, id.len(), ahead);
    }

    fn look_up(&self, cell: &str, near: Option<u32>) -> Result<Found, String> {
        let cell = required(cell, schema::USER_ID)?;
        let id = norm_id_cow(cell);
        if let Some(p) = near.and_then(|p| self.next_by_id(p, &id)) {
            return Ok(Found::Person(p, false));
        }
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
            let words = word_key(&key);
            let tries = [
                (&self.by_name, &self.names, &key),
                (&self.by_words, &self.words, &words),
                (&self.by_name, &self.names, &inner),
            ];
            for (index, keys, key) in tries {
                match index.get(&self.hasher, keys, key) {
                    Some(Ok(p)) => return Ok(Found::Person(p, true)),
                    Some(Err(())) => {
                        return Err(format!("name `{cell}` fits several roster people"))
                    }
                    None => {}
                }
            }
        }
        Ok(Found::Unknown(id.into_owned()))
    }
}

/// The people whose key in `keys` is not empty, by that key.
fn index_nonempty(hasher: &Hasher, keys: &Texts) -> Index {
    let mut index = Index::with_capacity(keys.len());
    for pid in 0..keys.len() {
        if !keys[pid].is_empty() {
            index.add(hasher, keys, pid as u32);
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(people: &[(&str, &str, &str)]) -> Roster {
        Roster {
            user_id: people.iter().map(|p| p.0).collect(),
            display_name: people.iter().map(|p| p.1).collect(),
            mail: people.iter().map(|p| p.2).collect(),
            ..Roster::default()
        }
    }

    fn who(m: &Matcher<'_>, cell: &str) -> Result<Option<(u32, bool)>, String> {
        m.find(cell).map(|f| match f {
            Found::Person(p, by_name) => Some((p, by_name)),
            _ => None,
        })
    }

    /// The same cell twice in a row gets the same answer, and a thread's last answer
    /// never leaks into another matcher's, even one made in the same place after it.
    #[test]
    fn a_cell_met_again_gets_its_own_matchers_answer() {
        let first = roster(&[("u1", "Anne Martin", ""), ("u2", "Zoé Durand", "")]);
        let m = Matcher::new(&first);
        assert_eq!(who(&m, "u2"), Ok(Some((1, false))));
        assert_eq!(who(&m, "u2"), Ok(Some((1, false))));
        assert_eq!(who(&m, "u2 "), Ok(Some((1, false))));
        drop(m);
        // The next week's roster: `u2` is now the first person, `u1` has left.
        let second = roster(&[("u2", "Zoé Durand", ""), ("u3", "Léa Roux", "")]);
        let m = Matcher::new(&second);
        assert_eq!(who(&m, "u2 "), Ok(Some((0, false))));
        assert!(matches!(m.find("u1"), Ok(Found::Unknown(id)) if id == "u1"));
        assert!(matches!(m.find("u1"), Ok(Found::Unknown(id)) if id == "u1"));
        assert_eq!(who(&m, "Léa Roux"), Ok(Some((1, true))));
    }

    /// A person found after the one found before in roster order is the one the
    /// tables find, even when the id is shared (then the row is looked up, and the
    /// mail finds nobody) or the person is further than the lookahead.
    #[test]
    fn people_found_in_roster_order_are_those_the_tables_find() {
        let r = roster(&[
            ("u1", "Anne Martin", "anne@x.com"),
            ("u2", "Zoé Durand", "u2@x.com"),
            ("u3", "Léa Roux", "u3@x.com"),
            ("u2", "Marc Petit", "marc@x.com"),
            ("u5", "Paul Blanc", "u5@x.com"),
            ("u6", "Lina Noir", "u6@x.com"),
            ("u7", "Hugo Vert", "u7@x.com"),
            ("u8", "Emma Gris", "u8@x.com"),
            ("u9", "Noah Brun", "u9@x.com"),
        ]);
        let m = Matcher::new(&r);
        // u2 is two people's id: not found by id (by neither), nor by position.
        let order = ["u1", "u2", "u3", "u5", "u9", "u8", "u6", "U7 "];
        let expected = [
            Some(0),
            None,
            Some(2),
            Some(4),
            Some(8),
            Some(7),
            Some(5),
            Some(6),
        ];
        for (cell, want) in order.iter().zip(expected) {
            let got = match m.find(cell) {
                Ok(Found::Person(p, false)) => Some(p),
                Ok(Found::Unknown(_)) => None,
                other => panic!("{cell}: {other:?}"),
            };
            assert_eq!(got, want, "{cell}");
            // The same answer with the thread's last person anywhere, or none.
            for near in [None, Some(0), Some(1), Some(3), Some(7)] {
                let again = m.look_up(cell, near);
                assert_eq!(again, m.look_up(cell, None), "{cell} after {near:?}");
            }
        }
    }

    /// Rows in no order of person (a time-ordered export) get the answers the tables
    /// give, while the thread gives up looking ahead and when it takes it up again
    /// for rows in roster order.
    #[test]
    fn rows_in_any_order_get_the_tables_answers() {
        let people: Vec<(String, String, String)> = (0..40)
            .map(|i| (format!("u{i}"), format!("Person {i}"), String::new()))
            .collect();
        let people: Vec<(&str, &str, &str)> = people
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        let r = roster(&people);
        let m = Matcher::new(&r);
        // Far apart (steps of 17 modulo 40: never within the look-ahead), then in
        // roster order, then an unknown id, then far apart again.
        let scattered = (0..40).map(|i| format!("u{}", i * 17 % 40));
        let ordered = (0..40).map(|i| format!("u{i}"));
        let cells: Vec<String> = scattered
            .clone()
            .chain(ordered)
            .chain(["nobody".to_string()])
            .chain(scattered)
            .collect();
        for cell in &cells {
            assert_eq!(m.find(cell), m.look_up(cell, None), "{cell}");
        }
        let gave_up = LAST.with_borrow(|last| last.as_ref().map(|a| a.missed));
        assert!(gave_up >= Some(AHEAD_GIVE_UP), "{gave_up:?}");
    }

    /// A mail or a name two people share names neither (the row is quarantined);
    /// one person's own id, mail or name finds them.
    #[test]
    fn shared_keys_find_nobody_and_own_keys_find_their_person() {
        let r = roster(&[
            ("u1", "Anne Martin", "anne@x.com"),
            ("u2", "Anne Martin", "shared@x.com"),
            ("u3", "Zoé Durand", "shared@x.com"),
            ("u4@x.com", "", "u4@x.com"),
        ]);
        let m = Matcher::new(&r);
        assert_eq!(who(&m, " U1 "), Ok(Some((0, false))));
        assert_eq!(who(&m, "anne@x.com"), Ok(Some((0, false))));
        assert_eq!(who(&m, "u4@x.com"), Ok(Some((3, false))));
        assert_eq!(who(&m, "Martin, Anne (u2)"), Ok(Some((1, false))));
        assert!(who(&m, "shared@x.com").unwrap_err().contains("several"));
        assert!(who(&m, "Anne Martin").unwrap_err().contains("several"));
        assert_eq!(who(&m, "Durand Zoe"), Ok(Some((2, true))));
        assert_eq!(who(&m, "iPhone (Zoé Durand)"), Ok(Some((2, true))));
        assert!(matches!(m.find("nobody@x.com"), Ok(Found::Unknown(id)) if id == "nobody@x.com"));
        assert!(m.find("  ").is_err());
    }

    /// Keys shared or not, of the same length as another, a prefix of another,
    /// empty, absent, longer than a cache line, and more than a line holds.
    fn test_keys() -> Texts {
        let long = "x".repeat(100);
        let longer = format!("{long}y");
        let mut keys: Vec<String> = ["u1", "u2", "u10", "", "u1", "zoé", "u2x", "zo"]
            .into_iter()
            .map(String::from)
            .chain([long.clone(), longer, long])
            .collect();
        keys.extend((0..40).map(|i| format!("p{i}@x.com")));
        keys.extend((0..10).map(|i| format!("p{}@x.com", i * 3)));
        keys.into_iter().collect()
    }

    fn test_probes() -> Vec<String> {
        let long = "x".repeat(100);
        let mut probes: Vec<String> = [
            "u1", "u2", "u10", "", "zoé", "zo", "u2x", "u", "u3", "zoe", "u100",
        ]
        .into_iter()
        .map(String::from)
        .chain([
            long.clone(),
            format!("{long}y"),
            format!("{long}z"),
            "x".repeat(99),
        ])
        .collect();
        probes.extend((0..50).map(|i| format!("p{i}@x.com")));
        probes
    }

    /// The cache-line table answers every probe as the general one does: built at
    /// its size or grown from nothing, with the keys' own hashes, with every key
    /// given the same hash (one line overflowing into the next, wrapping round, tags
    /// all equal: only the bytes tell keys apart), and read through the column's
    /// offsets (the fallback for keys past a `u32`).
    #[test]
    fn lines_answer_as_the_general_table() {
        let keys = test_keys();
        let n = keys.len() as u32;
        let hasher = Hasher::default();
        let mut plain = Index::with_capacity(0);
        let mut sized = Lines::with_capacity(keys.len());
        let mut grown = Lines::with_capacity(0);
        let mut same = Lines::with_capacity(keys.len());
        // Lands on the last line, so that the probes wrap round to the first.
        let one_hash = u64::MAX;
        for pid in 0..n {
            let first = plain.add(&hasher, &keys, pid);
            assert_eq!(sized.add(&hasher, &keys, pid), first, "{pid}");
            assert_eq!(grown.add(&hasher, &keys, pid), first, "{pid}");
            assert_eq!(
                same.add_hashed(&hasher, one_hash, &keys, pid),
                first,
                "{pid}"
            );
        }
        assert!(grown.lines.len() > 1 && same.lines.len() > 2);
        let mut far = Lines::with_capacity(keys.len());
        for pid in 0..n {
            far.add(&hasher, &keys, pid);
        }
        for slot in far.lines.iter_mut().flat_map(|line| line.0.iter_mut()) {
            if slot.tag != 0 {
                slot.start = FAR;
                slot.len = 0;
            }
        }
        // Fetching ahead reads only what a probe would (no slice out of the text,
        // far keys skipped) and changes no answer.
        for key in &test_probes() {
            let key: &str = key;
            for ahead in [Ahead::Far, Ahead::Near] {
                for table in [&sized, &grown, &far] {
                    table.prefetch(hasher.hash_one(key), &keys, key.len(), ahead);
                }
                same.prefetch(one_hash, &keys, key.len(), ahead);
            }
        }
        for key in &test_probes() {
            let want = plain.get(&hasher, &keys, key);
            assert_eq!(sized.get(&hasher, &keys, key), want, "{key:?}");
            assert_eq!(grown.get(&hasher, &keys, key), want, "{key:?}");
            assert_eq!(same.get_hashed(one_hash, &keys, key), want, "{key:?}");
            assert_eq!(far.get(&hasher, &keys, key), want, "{key:?}");
        }
        // The answers, worked out by hand: `u1` is two people's, `u10` one's, the
        // 100 `x` two people's (8 and 10), `p3@x.com` two people's (14 and 51),
        // `p4@x.com` one's (8 + 3 + 4 = 15).
        let got = |key: &str| sized.get(&hasher, &keys, key);
        assert_eq!(got("u1"), Some(Err(())));
        assert_eq!(got("u10"), Some(Ok(2)));
        assert_eq!(got(""), Some(Ok(3)));
        assert_eq!(got(&"x".repeat(100)), Some(Err(())));
        assert_eq!(got(&format!("{}y", "x".repeat(100))), Some(Ok(9)));
        assert_eq!(got("p3@x.com"), Some(Err(())));
        assert_eq!(got("p4@x.com"), Some(Ok(15)));
        assert_eq!(got("u"), None);
        assert_eq!(got("p45@x.com"), None);
    }

    /// A larger roster's worth of ids (lines overflowing by chance, as at a million
    /// people): every id and some absent ones get the general table's answers.
    #[test]
    fn lines_answer_as_the_general_table_at_scale() {
        let keys: Texts = (0..20_000)
            .map(|i| format!("person.{}{}@contoso.com", i % 7_919, i / 7_919))
            .chain((0..500).map(|i| format!("person.{i}0@contoso.com")))
            .collect();
        let hasher = Hasher::default();
        let mut plain = Index::with_capacity(keys.len());
        let mut lines = Lines::with_capacity(keys.len());
        for pid in 0..keys.len() as u32 {
            assert_eq!(
                lines.add(&hasher, &keys, pid),
                plain.add(&hasher, &keys, pid)
            );
        }
        let mut shared = 0;
        for i in 0..25_000 {
            let key = format!("person.{}{}@contoso.com", i % 7_919, i / 7_919);
            let want = plain.get(&hasher, &keys, &key);
            shared += usize::from(want == Some(Err(())));
            assert_eq!(lines.get(&hasher, &keys, &key), want, "{key}");
        }
        // The 500 added ids are those of the first 500 people: each shared once.
        assert_eq!(shared, 500);
    }
}

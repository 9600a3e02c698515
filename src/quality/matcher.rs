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

/// An entry of an [`Index`]: a person's number (with [`SHARED`] when another person
/// has the same key), from which the entry reads its key in a [`Texts`] column.
trait Entry: Copy {
    /// The entry of person `pid`, whose key is `keys[pid]`.
    fn new(keys: &Texts, pid: u32) -> Self;
    /// The person's number, with [`SHARED`] when marked.
    fn pid(&self) -> u32;
    /// Marks the entry shared.
    fn share(&mut self);
    /// True when the entry's key is `key`.
    fn is(&self, keys: &Texts, key: &str) -> bool;
}

/// The plain entry: the person's number alone; the key is found through the
/// column's offsets.
impl Entry for u32 {
    fn new(_: &Texts, pid: u32) -> Self {
        pid
    }

    fn pid(&self) -> u32 {
        *self
    }

    fn share(&mut self) {
        *self |= SHARED;
    }

    fn is(&self, keys: &Texts, key: &str) -> bool {
        &keys[(self & !SHARED) as usize] == key
    }
}

/// An entry that also says where its key lies in the column's text. Every event row
/// probes the id table at a random place: at a million people, the column's offsets
/// are a cache miss of their own on each probe, on top of the table's slot and the
/// key's bytes (a quarter of the probe's time with rows in no order of person); a
/// key of another length is told apart without reading its bytes at all. The table
/// is three times the size of one of plain numbers, so the name tables, probed only
/// for cells that are no id, keep plain numbers.
#[derive(Clone, Copy)]
struct Spanned {
    pid: u32,
    /// Where the key starts in the column's text, or [`FAR`] past what a `u32` holds.
    start: u32,
    len: u32,
}

/// A key that starts past what a `u32` holds: read through the offsets as a plain
/// entry does.
const FAR: u32 = u32::MAX;

impl Entry for Spanned {
    fn new(keys: &Texts, pid: u32) -> Self {
        let span = keys.span(pid as usize);
        match (u32::try_from(span.start), u32::try_from(span.len())) {
            (Ok(start), Ok(len)) if start != FAR => Spanned { pid, start, len },
            _ => Spanned {
                pid,
                start: FAR,
                len: 0,
            },
        }
    }

    fn pid(&self) -> u32 {
        self.pid
    }

    fn share(&mut self) {
        self.pid |= SHARED;
    }

    fn is(&self, keys: &Texts, key: &str) -> bool {
        if self.start == FAR {
            return self.pid.is(keys, key);
        }
        let start = self.start as usize;
        self.len as usize == key.len() && keys.bytes(start..start + key.len()) == key.as_bytes()
    }
}

/// People by a text key: each entry holds a person's number (with [`SHARED`] when
/// another person has the same key); the key itself is read from a [`Texts`] column
/// at that number.
struct Index<E = u32>(HashTable<E>);

impl<E: Entry> Index<E> {
    fn with_capacity(n: usize) -> Self {
        Index(HashTable::with_capacity(n))
    }

    /// Adds person `pid` under its key `keys[pid]`; a key met before marks its entry
    /// shared, whatever the order of insertion, and is answered with the number of
    /// the first person who has it.
    fn add(&mut self, hasher: &Hasher, keys: &Texts, pid: u32) -> Option<u32> {
        let key = &keys[pid as usize];
        let hash = hasher.hash_one(key);
        let rehash = |e: &E| hasher.hash_one(&keys[(e.pid() & !SHARED) as usize]);
        match self.0.find_mut(hash, |e| e.is(keys, key)) {
            Some(e) => {
                e.share();
                Some(e.pid() & !SHARED)
            }
            None => {
                self.0.insert_unique(hash, E::new(keys, pid), rehash);
                None
            }
        }
    }

    /// The entry of `key`: `Ok(pid)` for one person, `Err(())` for several.
    fn get(&self, hasher: &Hasher, keys: &Texts, key: &str) -> Option<Result<u32, ()>> {
        let hash = hasher.hash_one(key);
        let p = self.0.find(hash, |e| e.is(keys, key))?.pid();
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
    by_id: Index<Spanned>,
    /// One bit per person: set when another roster person has the same id, so that
    /// `by_id` does not answer with this person for it.
    shared_ids: Vec<u64>,
    /// Mails that are not their own person's id.
    by_mail: Index<Spanned>,
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
                let mut by_id = Index::with_capacity(n);
                let mut shared_ids = vec![0u64; n.div_ceil(64)];
                for pid in 0..n as u32 {
                    if let Some(first) = by_id.add(&hasher, &roster.user_id, pid) {
                        for p in [first, pid] {
                            shared_ids[p as usize / 64] |= 1 << (p % 64);
                        }
                    }
                }
                let mut by_mail = Index::with_capacity(0);
                for (pid, mail) in roster.mail.iter().enumerate() {
                    let own = by_id.get(&hasher, &roster.user_id, mail) == Some(Ok(pid as u32));
                    if mail.is_empty() || own {
                        continue;
                    }
                    by_mail.add(&hasher, &roster.mail, pid as u32);
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

    /// The entries that say where their key lies answer every probe as the plain
    /// entries do (and as their fallback for keys past a `u32` does): keys shared or
    /// not, of the same length as another, a prefix of another, empty or absent.
    #[test]
    fn spanned_entries_answer_as_plain_ones() {
        let keys: Texts = ["u1", "u2", "u10", "", "u1", "zoé", "u2x", "zo"]
            .into_iter()
            .collect();
        let hasher = Hasher::default();
        let mut plain: Index<u32> = Index::with_capacity(0);
        let mut spanned: Index<Spanned> = Index::with_capacity(0);
        let mut far: Index<Far> = Index::with_capacity(0);
        for pid in 0..keys.len() as u32 {
            let first = plain.add(&hasher, &keys, pid);
            assert_eq!(spanned.add(&hasher, &keys, pid), first, "{pid}");
            assert_eq!(far.add(&hasher, &keys, pid), first, "{pid}");
        }
        let probes = [
            "u1", "u2", "u10", "", "zoé", "zo", "u2x", "u", "u3", "zoe", "u100",
        ];
        for key in probes {
            let want = plain.get(&hasher, &keys, key);
            assert_eq!(spanned.get(&hasher, &keys, key), want, "{key:?}");
            assert_eq!(far.get(&hasher, &keys, key), want, "{key:?}");
        }
        // The old answers, worked out by hand: `u1` is two people's, `u10` one's.
        assert_eq!(plain.get(&hasher, &keys, "u1"), Some(Err(())));
        assert_eq!(plain.get(&hasher, &keys, "u10"), Some(Ok(2)));
        assert_eq!(plain.get(&hasher, &keys, "u"), None);
    }

    /// A spanned entry whose key lies past what a `u32` holds (a text of 4 GiB,
    /// too big to build in a test): the same entry, forced onto its fallback.
    #[derive(Clone, Copy)]
    struct Far(Spanned);

    impl Entry for Far {
        fn new(keys: &Texts, pid: u32) -> Self {
            let mut e = Spanned::new(keys, pid);
            e.start = FAR;
            Far(e)
        }

        fn pid(&self) -> u32 {
            self.0.pid()
        }

        fn share(&mut self) {
            self.0.share()
        }

        fn is(&self, keys: &Texts, key: &str) -> bool {
            self.0.is(keys, key)
        }
    }
}

//! The data model every stage after ingest shares: the clean [`Dataset`] that
//! `quality` hands on (the roster, each source's rows of roster people, the row
//! accounting, the quarantined rows) and that `metrics` and `report` read.
//!
//! People are numbered by their position in the roster (`pid`); instants are
//! milliseconds since the epoch in UTC; every vector of a source is one column, in the
//! order the source's doc gives. The optional sources of channels, ways to learn and
//! what follows enrollment are [`Touchpoints`], [`Completions`], [`Usage`] and
//! [`SurveyResponses`], empty when not configured (docs/inputs.md, "Touchpoints" to
//! "Survey", says what each row means).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use chrono::NaiveDate;
use polars::prelude::{
    ChunkedArray, Column, DataType, Int32Type, Int64Chunked, Int64Type, IntoColumn,
    PolarsNumericType, PolarsResult, UInt32Chunked,
};
use polars_arrow::bitmap::{Bitmap, MutableBitmap};
use rayon::prelude::*;

use crate::ingest::InputFile;
use crate::schema::Source;

/// The roster: one entry per person, indexed by person id (`pid`).
#[derive(Debug, Default, Clone)]
pub struct Roster {
    /// Normalised user id (NFKC, invisible characters removed, trimmed, lowercase).
    pub user_id: Texts,
    /// The `group_by` value, as most of the group's people write it (labels that
    /// differ only by case, spaces or Unicode form are one group).
    pub group: LabelColumn,
    /// Per workload (index into `Config::workloads`), each person's wave: an index into
    /// `Config::waves` of a wave of that workload; `None` when the person has no wave
    /// of that workload (unassigned).
    pub waves: Vec<Vec<Option<u32>>>,
    /// Per cut (index into `Config::cuts`), each person's value of that roster column.
    pub cuts: Vec<LabelColumn>,
    /// The day the person left, if any (from `left_on`, or from disappearing from the
    /// roster's snapshots).
    pub left_on: Vec<Option<NaiveDate>>,
    /// The day the person joined the roster, when snapshots show it (they first
    /// appear in a snapshot after the first); `None` otherwise.
    pub joined_on: Vec<Option<NaiveDate>>,
    /// Marked as a champion.
    pub champion: Vec<bool>,
    /// Display name, as written.
    pub display_name: Texts,
    /// Normalised mail address (empty when none), for events that use it: read
    /// while the events are matched, and emptied once they are (no figure reads it).
    pub mail: Texts,
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

/// A column of text, one entry per person, held end to end in one buffer: a
/// million short ids cost their bytes and one offset each, not a heap block and a
/// 24-byte header each. `texts[i]` is entry `i`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Texts {
    text: String,
    /// Where each entry ends in `text` (it starts where the one before ends).
    ends: Vec<usize>,
}

impl Texts {
    /// Room for `n` entries of `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        Texts {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(n),
        }
    }

    /// Adds an entry at the end.
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    /// Entry `i`, `None` past the end.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of all entries together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The entries in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| &self[i])
    }

    /// Where entry `i` lies in the text of all entries (for [`Texts::bytes`]);
    /// panics past the end, as a slice does.
    pub fn span(&self, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        start..self.ends[i]
    }

    /// The bytes of the text of all entries in `range` (a [`Texts::span`] or part
    /// of one); empty when the range lies outside the text.
    pub fn bytes(&self, range: std::ops::Range<usize>) -> &[u8] {
        self.text.as_bytes().get(range).unwrap_or_default()
    }

    /// Appends the entries of `other`.
    pub fn extend_from(&mut self, other: &Texts) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }
}

impl std::ops::Index<usize> for Texts {
    type Output = str;

    /// Entry `i`; panics past the end, as a slice does.
    fn index(&self, i: usize) -> &str {
        &self.text[self.span(i)]
    }
}

impl<S: AsRef<str>> FromIterator<S> for Texts {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let mut texts = Texts::default();
        for s in items {
            texts.push(s.as_ref());
        }
        texts
    }
}

/// A column of labels (groups, cut values), one per person, held as a number per
/// person into the list of the column's distinct labels: a million people of a few
/// dozen groups cost four bytes each, not a heap block and a 24-byte header each.
/// `column[i]` is person `i`'s label.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LabelColumn {
    /// The distinct labels.
    names: Vec<String>,
    /// Per person, an index into `names`.
    codes: Vec<u32>,
}

impl LabelColumn {
    /// The column whose entry `i` is `names[codes[i]]`; `None` when a code has no
    /// label.
    pub fn new(names: Vec<String>, codes: Vec<u32>) -> Option<Self> {
        codes
            .iter()
            .all(|&c| (c as usize) < names.len())
            .then_some(LabelColumn { names, codes })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Entry `i`, `None` past the end.
    pub fn get(&self, i: usize) -> Option<&str> {
        let code = *self.codes.get(i)?;
        Some(&self.names[code as usize])
    }

    /// The entries in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + '_ {
        self.codes.iter().map(|&c| self.names[c as usize].as_str())
    }
}

impl std::ops::Index<usize> for LabelColumn {
    type Output = str;

    /// Entry `i`; panics past the end, as a slice does.
    fn index(&self, i: usize) -> &str {
        &self.names[self.codes[i] as usize]
    }
}

impl<S: AsRef<str>> FromIterator<S> for LabelColumn {
    /// The column of these entries, each distinct label listed once.
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let mut column = LabelColumn::default();
        let mut code: crate::FastMap<String, u32> = Default::default();
        for s in items {
            let s = s.as_ref();
            let c = match code.get(s) {
                Some(&c) => c,
                None => {
                    let c = column.names.len() as u32;
                    code.insert(s.to_string(), c);
                    column.names.push(s.to_string());
                    c
                }
            };
            column.codes.push(c);
        }
        column
    }
}

/// Device enrollments of roster people (one per device row kept), in order of
/// person and instant. A row's `device_id` tells its devices apart while they are
/// read (docs/inputs.md, "Devices"); no figure reads it after, so it is not kept.
#[derive(Debug, Default, Clone)]
pub struct Enrollments {
    /// The person.
    pub pid: Vec<u32>,
    /// The workload enrolled in, an index into `Config::workloads`.
    pub workload: Vec<u32>,
    /// Its compliance state (as of D for snapshots), when the export gives one.
    pub compliant: Vec<Option<bool>>,
    /// Its last check-in, ms since the epoch (as of D for snapshots), when given.
    pub last_check_in: Vec<Option<i64>>,
    /// The day it vanished from the device snapshots (removed), if it did.
    pub removed_on: Vec<Option<NaiveDate>>,
    /// When the device enrolled, ms since the epoch (UTC).
    pub enrolled_at: Vec<i64>,
}

/// The five email events (docs/inputs.md).
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

    /// The event a cell names, in any case and with spaces around.
    pub fn parse(cell: &str) -> Option<EmailEvent> {
        let cell = cell.trim();
        EmailEvent::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(cell))
    }
}

/// One email row as kept (after its repeats are removed): the person, the campaign
/// (an index into [`EmailEvents::campaigns`]), the event, its instant (ms since the
/// epoch, UTC), and whether it is an open flagged by the sender as a machine prefetch.
pub type EmailRow = (u32, u32, EmailEvent, i64, bool);

/// Email events of roster people, reduced as they are read to each person's first
/// instants per campaign (docs/metrics.md, "group_metrics" and "campaigns"): every email figure is a count of
/// these instants before a cut-off, so the millions of rows are not kept. The columns
/// are polars arrays so that the metrics' frames share them rather than copy them.
#[derive(Debug, Clone)]
pub struct EmailEvents {
    /// One entry per person and campaign they have any event of, in order of person
    /// then campaign: the person (`pid`).
    pub pid: UInt32Chunked,
    /// The pair's campaign (`campaign`), an index into `campaigns`.
    pub campaign: UInt32Chunked,
    /// The pair's first instant (null: never) the person `received` it (any event but
    /// a bounce), `opened` it (a click, or an open not flagged as a machine prefetch),
    /// `clicked`, `bounced`, and was `sent` it (a sent or delivered event), in that
    /// order, held as `clock` says (Int32 or Int64; read them with
    /// [`EmailClock::values`]).
    pub firsts: Box<[Column; 5]>,
    /// How `firsts` hold their instants.
    pub clock: EmailClock,
    /// One entry per person with any email event, in person order (`pid`).
    pub person_pid: UInt32Chunked,
    /// The person's first instant over all campaigns that they received an email
    /// (`first_received`) and opened one (`first_opened`), in that order (ms since the
    /// epoch).
    pub person_firsts: Box<[Int64Chunked; 2]>,
    /// Campaign names, by index.
    pub campaigns: Vec<String>,
}

/// No events: every column empty, named and typed (a rollout may have no email
/// source).
impl Default for EmailEvents {
    fn default() -> Self {
        EmailEvents::from_sorted::<EmailRow>(&[], |&r| r, Vec::new())
    }
}

impl EmailEvents {
    /// The names of [`EmailEvents::firsts`].
    pub const FIRSTS: [&str; 5] = ["received", "opened", "clicked", "bounced", "sent"];
    /// The names of [`EmailEvents::person_firsts`].
    pub const PERSON_FIRSTS: [&str; 2] = ["first_received", "first_opened"];

    /// Reduces kept rows (each read by `row`) to the first instants. `rows` must come
    /// grouped by person and campaign, the persons ascending and each person's
    /// campaigns ascending (as sorted dedup keys that begin with those two come).
    ///
    /// Tens of millions of rows at a million people: they are cut at persons into
    /// pieces reduced side by side. A first walk counts each piece's pairs and persons
    /// and the instants' range, so that every column is allocated once at its size
    /// and the clock is the one the whole would fit; a second writes each piece's
    /// firsts at its offset in the columns. The result does not depend on the pieces.
    pub fn from_sorted<T: Sync>(
        rows: &[T],
        row: impl Fn(&T) -> EmailRow + Sync,
        campaigns: Vec<String>,
    ) -> EmailEvents {
        // Several pieces per thread, so that a thread slowed by other work on the
        // machine leaves its share to the others; none so small that it costs more to
        // hand out than to walk.
        const ROWS_PER_PIECE: usize = 1 << 16;
        let pieces = (rows.len() / ROWS_PER_PIECE).clamp(1, 4 * rayon::current_num_threads());
        EmailEvents::in_pieces(rows, row, campaigns, pieces)
    }

    /// [`EmailEvents::from_sorted`] with the rows cut into about `pieces` pieces.
    fn in_pieces<T: Sync>(
        rows: &[T],
        row: impl Fn(&T) -> EmailRow + Sync,
        campaigns: Vec<String>,
        pieces: usize,
    ) -> EmailEvents {
        let pieces = person_pieces(rows, |r| row(r).0, pieces);
        let counted: Vec<Counted> = pieces
            .par_iter()
            .map(|piece| Counted::of(rows[piece.clone()].iter().map(&row)))
            .collect();
        let fit = counted.iter().fold(Fit::EMPTY, |all, c| all.and(c.fit));
        let (clock, packed) = fit.clock();
        let walk = Walk {
            rows,
            row: &row,
            pieces: &pieces,
            counted: &counted,
        };
        let reduced = if packed {
            walk.reduce::<Int32Type>(|at| clock.held(at) as i32)
        } else {
            walk.reduce::<Int64Type>(|at| at)
        };
        let (pair_pid, pair_campaign, firsts, person_pid, person_firsts) = reduced;
        let ids = |name: &str, v: Vec<u32>| UInt32Chunked::from_vec(name.into(), v);
        EmailEvents {
            pid: ids("pid", pair_pid),
            campaign: ids("campaign", pair_campaign),
            firsts: Box::new(firsts),
            clock,
            person_pid: ids("pid", person_pid),
            person_firsts: Box::new(person_firsts),
            campaigns,
        }
    }

    /// Each (person, campaign) pair with any event, in order of person then campaign.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.pid
            .into_no_null_iter()
            .zip(self.campaign.into_no_null_iter())
    }

    /// Each person's first real open (a click, or an open not flagged as a machine
    /// prefetch), of those who have one, in person order.
    pub fn first_opens(&self) -> impl Iterator<Item = (u32, i64)> + '_ {
        self.person_pid
            .into_no_null_iter()
            .zip(self.person_firsts[1].iter())
            .filter_map(|(pid, at)| Some((pid, at?)))
    }

    /// The earliest instant of any kept event (every event is a receipt or a bounce).
    pub fn first_instant(&self) -> Option<i64> {
        let [received, _, _, bounced, _] = &*self.firsts;
        let held = |c| EmailClock::values(c).ok().into_iter().flatten().flatten();
        let first = held(received).chain(held(bounced)).min();
        first.map(|v| self.clock.instant(v))
    }
}

/// `rows` (ordered by person, as `pid` reads them) cut into at most `pieces` ranges of
/// about equal length, each ending where a person's rows end: a person's rows are
/// never split, so each piece reduces its persons whole. Empty for no rows.
fn person_pieces<T>(rows: &[T], pid: impl Fn(&T) -> u32, pieces: usize) -> Vec<Range<usize>> {
    let pieces = pieces.max(1);
    let mut cut = Vec::with_capacity(pieces);
    let mut start = 0;
    for k in 1..=pieces {
        let mut end = (rows.len() * k / pieces).max(start);
        if end > start && end < rows.len() {
            // On to the end of the last person's rows.
            let last = pid(&rows[end - 1]);
            end += rows[end..].partition_point(|r| pid(r) == last);
        }
        if end > start {
            cut.push(start..end);
            start = end;
        }
    }
    cut
}

/// What the first walk finds in a piece of rows: its pairs, its persons, and its
/// instants' range.
struct Counted {
    pairs: usize,
    persons: usize,
    fit: Fit,
}

impl Counted {
    fn of(rows: impl Iterator<Item = EmailRow>) -> Counted {
        let (mut pairs, mut persons) = (0, 0);
        let mut fit = Fit::EMPTY;
        let mut last: Option<(u32, u32)> = None;
        for (pid, campaign, _, at, _) in rows {
            debug_assert!(last.is_none_or(|l| l <= (pid, campaign)), "rows in order");
            persons += usize::from(last.map(|l| l.0) != Some(pid));
            pairs += usize::from(last != Some((pid, campaign)));
            last = Some((pid, campaign));
            fit.add(at);
        }
        Counted {
            pairs,
            persons,
            fit,
        }
    }
}

/// The earliest and latest of some instants and which of [`Fit::STEPS`] divide
/// every one of them: all [`EmailClock`] needs to know of them, the same whether
/// gathered at once or in pieces then joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fit {
    min: i64,
    max: i64,
    divides: [bool; 3],
}

impl Fit {
    /// The steps a clock may take, coarsest first (ms).
    const STEPS: [i64; 3] = [60_000, 1_000, 1];
    /// No instant.
    const EMPTY: Fit = Fit {
        min: i64::MAX,
        max: i64::MIN,
        divides: [true; 3],
    };

    fn add(&mut self, at: i64) {
        (self.min, self.max) = (self.min.min(at), self.max.max(at));
        for (d, step) in self.divides.iter_mut().zip(Fit::STEPS) {
            *d &= at.rem_euclid(step) == 0;
        }
    }

    /// The instants of both.
    fn and(self, other: Fit) -> Fit {
        Fit {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
            divides: std::array::from_fn(|k| self.divides[k] && other.divides[k]),
        }
    }

    /// The clock with the coarsest step that holds every instant exactly in 32 bits,
    /// or the 64-bit default when none does (`false`).
    fn clock(self) -> (EmailClock, bool) {
        if self.min > self.max {
            return (EmailClock::default(), false);
        }
        let span = self.max.abs_diff(self.min);
        Fit::STEPS
            .into_iter()
            .zip(self.divides)
            // The base is itself an instant, so a step dividing every instant divides
            // every instant's distance from it.
            .find(|&(step, divides)| divides && span / step as u64 <= i32::MAX as u64)
            .map_or((EmailClock::default(), false), |(step, _)| {
                (
                    EmailClock {
                        base: self.min,
                        step,
                    },
                    true,
                )
            })
    }
}

/// What [`EmailEvents::from_sorted`] builds: each pair's person and campaign and
/// firsts, and each person's pid and firsts.
type Reduced = (Vec<u32>, Vec<u32>, [Column; 5], Vec<u32>, [Int64Chunked; 2]);

/// [`EmailEvents::from_sorted`]'s second walk: the rows, how to read one, the pieces
/// and what the first walk counted in each.
struct Walk<'a, T, R> {
    rows: &'a [T],
    row: &'a R,
    pieces: &'a [Range<usize>],
    counted: &'a [Counted],
}

/// Where one piece writes its pairs and persons: its stretch of each column.
struct Stretch<'a, N> {
    pid: &'a mut [u32],
    campaign: &'a mut [u32],
    firsts: [&'a mut [N]; 5],
    person_pid: &'a mut [u32],
    person_firsts: [&'a mut [i64]; 2],
}

/// Which of a piece's pair firsts (5 columns) and person firsts (2) are not null.
type Valid = ([MutableBitmap; 5], [MutableBitmap; 2]);

impl<T: Sync, R: Fn(&T) -> EmailRow + Sync> Walk<'_, T, R> {
    /// The columns, the firsts held as `hold` says in polars type `N`: each piece
    /// reduced into its stretch of them, side by side.
    fn reduce<N>(&self, hold: impl Fn(i64) -> N::Native + Sync) -> Reduced
    where
        N: PolarsNumericType,
        ChunkedArray<N>: IntoColumn,
    {
        let pairs: Vec<usize> = self.counted.iter().map(|c| c.pairs).collect();
        let persons: Vec<usize> = self.counted.iter().map(|c| c.persons).collect();
        let sized = |sizes: &[usize]| sizes.iter().sum::<usize>();
        let (mut pid, mut campaign) = (vec![0; sized(&pairs)], vec![0; sized(&pairs)]);
        let mut firsts: [Vec<N::Native>; 5] =
            std::array::from_fn(|_| vec![N::Native::default(); sized(&pairs)]);
        let mut person_pid = vec![0; sized(&persons)];
        let mut person_firsts: [Vec<i64>; 2] = std::array::from_fn(|_| vec![0; sized(&persons)]);
        let stretches = {
            let mut pid = stretches_of(&mut pid, &pairs);
            let mut campaign = stretches_of(&mut campaign, &pairs);
            let mut firsts = firsts.each_mut().map(|f| stretches_of(f, &pairs));
            let mut person_pid = stretches_of(&mut person_pid, &persons);
            let mut person_firsts = person_firsts.each_mut().map(|f| stretches_of(f, &persons));
            let mut next = || {
                const ONE_EACH: &str = "one stretch of each column per piece";
                Stretch {
                    pid: pid.next().expect(ONE_EACH),
                    campaign: campaign.next().expect(ONE_EACH),
                    firsts: firsts.each_mut().map(|f| f.next().expect(ONE_EACH)),
                    person_pid: person_pid.next().expect(ONE_EACH),
                    person_firsts: person_firsts.each_mut().map(|f| f.next().expect(ONE_EACH)),
                }
            };
            self.pieces.iter().map(|_| next()).collect::<Vec<_>>()
        };
        let valid: Vec<Valid> = self
            .pieces
            .par_iter()
            .zip(stretches)
            .map(|(piece, out)| reduce(self.rows[piece.clone()].iter().map(self.row), out, &hold))
            .collect();
        let (pair_valid, person_valid): (Vec<_>, Vec<_>) = valid.into_iter().unzip();
        let mut pair_valid = joined_bitmaps(pair_valid);
        let mut person_valid = joined_bitmaps(person_valid);
        let mut k = 0..;
        let firsts = firsts.map(|values| {
            let k = k.next().expect("five columns");
            let name = EmailEvents::FIRSTS[k].into();
            let valid = std::mem::take(&mut pair_valid[k]);
            ChunkedArray::<N>::from_vec_validity(name, values, valid).into_column()
        });
        let mut k = 0..;
        let person_firsts = person_firsts.map(|values| {
            let k = k.next().expect("two columns");
            let name = EmailEvents::PERSON_FIRSTS[k].into();
            Int64Chunked::from_vec_validity(name, values, std::mem::take(&mut person_valid[k]))
        });
        (pid, campaign, firsts, person_pid, person_firsts)
    }
}

/// `column` cut into consecutive stretches of `sizes`.
fn stretches_of<'a, X>(
    mut column: &'a mut [X],
    sizes: &[usize],
) -> std::vec::IntoIter<&'a mut [X]> {
    let stretches: Vec<&mut [X]> = sizes
        .iter()
        .map(|&n| {
            let (stretch, rest) = std::mem::take(&mut column).split_at_mut(n);
            column = rest;
            stretch
        })
        .collect();
    stretches.into_iter()
}

/// Each column's validity over the pieces, one after another: none where every value
/// is set, as a polars builder leaves it.
fn joined_bitmaps<const K: usize>(pieces: Vec<[MutableBitmap; K]>) -> [Option<Bitmap>; K] {
    let mut joined: [MutableBitmap; K] = std::array::from_fn(|_| MutableBitmap::new());
    for piece in pieces {
        for (all, part) in joined.iter_mut().zip(piece) {
            all.extend_from_slice(part.as_slice(), 0, part.len());
        }
    }
    joined.map(|all| (all.unset_bits() > 0).then(|| all.into()))
}

/// One piece's firsts (its `rows`, whole persons) written into its stretch `out` of
/// the columns, the pairs' held as `hold` says; which are not null.
fn reduce<N: Copy + Default>(
    rows: impl Iterator<Item = EmailRow>,
    out: Stretch<'_, N>,
    hold: impl Fn(i64) -> N,
) -> Valid {
    let pairs = out.pid.len();
    let persons = out.person_pid.len();
    let mut valid = std::array::from_fn(|_| MutableBitmap::with_capacity(pairs));
    let mut person_valid = std::array::from_fn(|_| MutableBitmap::with_capacity(persons));
    let (received, opened, clicked, bounced, sent) = (0, 1, 2, 3, 4);
    let earliest = |slot: &mut Option<i64>, at: i64| {
        *slot = Some(slot.map_or(at, |s| s.min(at)));
    };
    // The pair being reduced, its firsts, and its person's firsts so far; where the
    // next pair and person go.
    let mut current: Option<(u32, u32)> = None;
    let mut firsts = [None; 5];
    let mut person = [None; 2];
    let (mut pair_at, mut person_at) = (0, 0);
    let Stretch {
        pid: pair_pid,
        campaign: pair_campaign,
        firsts: mut kinds,
        person_pid,
        person_firsts: mut person_kinds,
    } = out;
    let mut end_pair = |(pid, campaign), firsts: [Option<i64>; 5]| {
        pair_pid[pair_at] = pid;
        pair_campaign[pair_at] = campaign;
        for ((column, valid), first) in kinds.iter_mut().zip(&mut valid).zip(firsts) {
            column[pair_at] = first.map_or_else(N::default, &hold);
            valid.push(first.is_some());
        }
        pair_at += 1;
    };
    let mut end_person = |pid, person: [Option<i64>; 2]| {
        person_pid[person_at] = pid;
        for ((column, valid), first) in person_kinds.iter_mut().zip(&mut person_valid).zip(person) {
            column[person_at] = first.unwrap_or_default();
            valid.push(first.is_some());
        }
        person_at += 1;
    };
    for (pid, campaign, event, at, machine) in rows {
        if current != Some((pid, campaign)) {
            if let Some(pair) = current {
                end_pair(pair, std::mem::take(&mut firsts));
                if pair.0 != pid {
                    end_person(pair.0, std::mem::take(&mut person));
                }
            }
            current = Some((pid, campaign));
        }
        if event != EmailEvent::Bounce {
            earliest(&mut firsts[received], at);
            earliest(&mut person[0], at);
        }
        if event == EmailEvent::Click || (event == EmailEvent::Open && !machine) {
            earliest(&mut firsts[opened], at);
            earliest(&mut person[1], at);
        }
        match event {
            EmailEvent::Click => earliest(&mut firsts[clicked], at),
            EmailEvent::Bounce => earliest(&mut firsts[bounced], at),
            EmailEvent::Sent | EmailEvent::Delivered => earliest(&mut firsts[sent], at),
            EmailEvent::Open => {}
        }
    }
    if let Some(pair) = current {
        end_pair(pair, firsts);
        end_person(pair.0, person);
    }
    (valid, person_valid)
}

/// How [`EmailEvents::firsts`] hold their instants: a held value `v` stands for the
/// instant `base + v × step` ms since the epoch. Most exports give whole seconds or
/// minutes within a few years, so the values fit 32 bits exactly and the firsts,
/// kept for the whole run, take half the memory of 64-bit instants; when some do
/// not fit, the columns hold the instants themselves (base 0, step 1, 64-bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailClock {
    /// The instant a held 0 stands for, ms since the epoch.
    pub base: i64,
    /// The ms one held unit stands for (1, 1 000 or 60 000).
    pub step: i64,
}

impl Default for EmailClock {
    fn default() -> Self {
        EmailClock { base: 0, step: 1 }
    }
}

impl EmailClock {
    /// The value an instant is held as (the instant one of those the clock was made
    /// to hold).
    fn held(self, at: i64) -> i64 {
        (at - self.base) / self.step
    }

    /// The instant a held value stands for.
    pub fn instant(self, held: i64) -> i64 {
        self.base + held * self.step
    }

    /// The held values below this are exactly those whose instants are before `at`.
    pub fn bound(self, at: i64) -> i64 {
        let from_base = at.saturating_sub(self.base);
        let (q, r) = (
            from_base.div_euclid(self.step),
            from_base.rem_euclid(self.step),
        );
        q + i64::from(r != 0)
    }

    /// A column of [`EmailEvents::firsts`] (or its copy in a frame), its held values
    /// widened to 64 bits.
    pub fn values(column: &Column) -> PolarsResult<impl Iterator<Item = Option<i64>> + '_> {
        // One of the two is a column's iterator, the other empty.
        let packed = match column.dtype() {
            DataType::Int32 => Some(column.i32()?.iter().map(|v| v.map(i64::from))),
            _ => None,
        };
        let wide = if packed.is_none() {
            Some(column.i64()?.iter())
        } else {
            None
        };
        Ok(packed
            .into_iter()
            .flatten()
            .chain(wide.into_iter().flatten()))
    }
}

/// Training attendance intervals of roster people, in order of person, session and
/// joining instant.
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

/// Touchpoints of roster people: each channel beyond email that reached them, one
/// row per (person, channel, instant, campaign) kept, in order of person, channel,
/// instant and campaign. A person is reached by a channel from the first instant.
#[derive(Debug, Default, Clone)]
pub struct Touchpoints {
    /// The person.
    pub pid: Vec<u32>,
    /// Index into `channels`.
    pub channel: Vec<u32>,
    /// When, ms since the epoch (UTC).
    pub at: Vec<i64>,
    /// Index into `campaigns`, when the row names a campaign (the same names as the
    /// email events' and `[[campaigns]]`: a campaign reaches whoever any of its
    /// channels reached).
    pub campaign: Vec<Option<u32>>,
    /// Channel names, by index: lowercase, spaces made one (`viva engage`);
    /// `meeting` for Teams and Zoom attendance files.
    pub channels: Vec<String>,
    /// Campaign names as written (trimmed), by index.
    pub campaigns: Vec<String>,
}

/// Self-paced course completions of roster people (training method `self-paced`),
/// in order of person, course and instant.
#[derive(Debug, Default, Clone)]
pub struct Completions {
    /// The person.
    pub pid: Vec<u32>,
    /// Index into `courses`.
    pub course: Vec<u32>,
    /// When completed, ms since the epoch (UTC).
    pub at: Vec<i64>,
    /// Course names as written (trimmed), by index.
    pub courses: Vec<String>,
}

/// Each roster person's last use of each workload, as of the as-of day: one entry per
/// (person, workload) the usage source names, in order of person and workload.
/// Without snapshots, the latest `last_active` of the person's rows; with snapshots,
/// that of the latest snapshot (on or before the as-of day) that holds the person and
/// workload. A person with no entry for a workload is not in the usage report.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    /// The person.
    pub pid: Vec<u32>,
    /// The workload, an index into `Config::workloads`.
    pub workload: Vec<u32>,
    /// The day of the last use, in the rollout's zone; `None` when the report shows
    /// no use at all (the Active Users report leaves a product never used empty).
    pub last_active: Vec<Option<NaiveDate>>,
}

/// After-enrollment survey responses: identified ones (of roster people) and
/// anonymous ones (of a group), in order of person (anonymous last), group, instant.
/// A person who answered twice has two responses. Comments are kept for
/// `private/comments_<wave>.csv` only: nothing sponsor-facing may show them.
#[derive(Debug, Default, Clone)]
pub struct SurveyResponses {
    /// The respondent; `None` for an anonymous response.
    pub pid: Vec<Option<u32>>,
    /// An anonymous response's group (the roster's spelling of its `group_by`
    /// value); `None` for an identified one, whose group is the roster's.
    pub group: Vec<Option<String>>,
    /// The score, on the `[survey] scale`.
    pub score: Vec<u32>,
    /// When submitted, ms since the epoch (UTC).
    pub at: Vec<i64>,
    /// The free-text comment, if any.
    pub comment: Vec<Option<String>>,
}

impl SurveyResponses {
    /// Number of responses.
    pub fn len(&self) -> usize {
        self.score.len()
    }

    /// True when there is no response.
    pub fn is_empty(&self) -> bool {
        self.score.is_empty()
    }
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

/// An accepted event row and the instant it shows activity at (the instant the
/// as-of day is taken from when none is given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventAt {
    /// The instant, ms since the epoch (UTC).
    pub ms: i64,
    /// The source of the row.
    pub source: Source,
    /// Its file.
    pub file: PathBuf,
    /// Its line.
    pub line: u64,
}

/// How many of the latest event rows [`Dataset::latest_events`] keeps.
pub const LATEST_ROWS: usize = 16;

/// A latest event this many days after every other one stands apart from the rest:
/// most likely a mistyped date (`2027-11-02` in a 2026 rollout).
pub const APART_DAYS: i64 = 28;

/// A source with more than this share of its rows quarantined is called out in
/// words.
pub const CALLOUT_SHARE: f64 = 0.05;

/// An id that events name but the roster does not (neither as a `user_id`, a
/// `mail` nor a display name), and how many accepted rows of its source carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedId {
    /// The id, normalised as ids are compared.
    pub id: String,
    /// Accepted rows that carry it, duplicates included.
    pub rows: u64,
}

/// The row accounting of one source (the `data_quality` table).
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

/// The snapshot files a source's figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotSpan {
    /// Files used (those dated on or before the as-of day).
    pub files: usize,
    /// The day of the first.
    pub first: NaiveDate,
    /// The day of the last.
    pub last: NaiveDate,
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
    /// The channels beyond email that reached them.
    pub touchpoints: Touchpoints,
    /// Their self-paced course completions.
    pub completions: Completions,
    /// Their last use of each workload.
    pub usage: Usage,
    /// The survey's responses.
    pub survey: SurveyResponses,
    /// Per session of `training.sessions`, its training method: an index into
    /// `Config::training_methods` (the first whose globs match the session's name);
    /// `None` for an instructor-led session.
    pub session_methods: Vec<Option<u32>>,
    /// Row accounting per source.
    pub counts: BTreeMap<Source, SourceCounts>,
    /// Rejected rows per source, in file and line order.
    pub quarantine: BTreeMap<Source, Vec<QuarantinedRow>>,
    /// Every input file read.
    pub files: Vec<InputFile>,
    /// Per source read from snapshots: the snapshots used.
    pub snapshots: BTreeMap<Source, SnapshotSpan>,
    /// Per event source, every unmatched id: most rows first, then by id
    /// (`quarantine/unmatched.csv`).
    pub unmatched: BTreeMap<Source, Vec<UnmatchedId>>,
    /// Things the user should know that are not row errors.
    pub notes: Vec<String>,
    /// The latest accepted event timestamp (ms, UTC), the default as-of day's source.
    pub latest_event_ms: Option<i64>,
    /// The latest accepted event rows, latest first (the first read among rows of
    /// one instant), at most [`LATEST_ROWS`].
    pub latest_events: Vec<EventAt>,
    /// Roster people whose group cell was written otherwise than the group is shown
    /// (another case, spaces, Unicode form or invisible characters: docs/inputs.md,
    /// "Groups and waves"), and so merged into it.
    pub labels_merged: u64,
}

impl Dataset {
    /// The sources a run accounts for, in reading order: the five core sources always
    /// (one not configured reads as no rows), the optional ones when configured.
    pub fn accounted_sources(&self) -> impl Iterator<Item = Source> + '_ {
        Source::EVERY
            .into_iter()
            .filter(|s| Source::ALL.contains(s) || self.counts.get(s).is_some_and(|c| c.configured))
    }

    /// One sentence per source with more than [`CALLOUT_SHARE`] of its rows
    /// quarantined: the share, the rows, the most frequent kind of reason (values
    /// shown as `…`, so that the sentence names no person) and where the rows are.
    /// For the terminal, the page and `summary.md`.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (source, c) in &self.counts {
            if !c.configured
                || c.rows_read == 0
                || (c.rows_quarantined as f64) <= CALLOUT_SHARE * c.rows_read as f64
            {
                continue;
            }
            let (q, read) = (c.rows_quarantined, c.rows_read);
            let pct = 100.0 * q as f64 / read as f64;
            let pct = if pct < 10.0 {
                format!("{pct:.1}")
            } else if q < read {
                format!("{}", (pct.round() as u64).min(99))
            } else {
                "100".to_string()
            };
            let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
            for row in self.quarantine.get(source).into_iter().flatten() {
                *kinds.entry(reason_kind(*source, &row.reason)).or_insert(0) += 1;
            }
            let most = kinds
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(kind, n)| {
                    if *n == q {
                        format!(" — all for “{kind}”")
                    } else {
                        let rows = if *n == 1 { "row" } else { "rows" };
                        format!(" — most for “{kind}” ({n} {rows})")
                    }
                })
                .unwrap_or_default();
            out.push(format!(
                "{source}: {pct} % of rows ({q} of {read}) were quarantined{most}; see quarantine/{}.csv",
                source.name()
            ));
        }
        out
    }

    /// When the latest event stands [`APART_DAYS`] or more after every other event
    /// (the rows of its own day aside), a sentence saying which file and line gave
    /// the as-of day and that it looks mistyped; `None` otherwise. `tz` is the
    /// rollout's zone, in which the day is told. Only the data decides: the same
    /// inputs give the same sentence.
    pub fn latest_event_warning(&self, tz: chrono_tz::Tz) -> Option<String> {
        let top = &self.latest_events;
        let latest = top.first()?;
        let day = crate::calendar::MS_PER_DAY;
        // The rows of the latest event's day; all kept rows on one day is a busy day.
        let same_day = top.iter().take_while(|e| latest.ms - e.ms < day).count();
        let before = top.get(same_day)?;
        let gap = (latest.ms - before.ms) / day;
        if gap < APART_DAYS {
            return None;
        }
        let more = match same_day - 1 {
            0 => String::new(),
            1 => " (and 1 more row that day)".to_string(),
            n => format!(" (and {n} more rows that day)"),
        };
        Some(format!(
            "the as-of day {} comes from {} line {} ({}){more}, {gap} days after every other event: it looks mistyped; check that row, or pass --as-of (or set rollout.as_of)",
            crate::calendar::date_of(tz, latest.ms),
            latest.file.display(),
            latest.line,
            latest.source,
        ))
    }
}

/// A quarantine reason with the values it quotes shown as `…` (the names of the
/// source's columns kept), so that reasons of one kind count together and can be
/// shown where people must not be named.
fn reason_kind(source: Source, reason: &str) -> String {
    let columns: Vec<&str> = source
        .required()
        .iter()
        .chain(source.optional())
        .copied()
        .collect();
    let mut out = String::with_capacity(reason.len());
    let mut parts = reason.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut quoted = true;
    for part in parts {
        if quoted {
            out.push('`');
            out.push_str(if columns.contains(&part) { part } else { "…" });
            out.push('`');
        } else {
            out.push_str(part);
        }
        quoted = !quoted;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reduces one person's rows of campaign 0 (each a sent event) and reads the
    /// `sent` first and the campaign's two persons' firsts back as instants.
    fn clocked(instants: &[i64]) -> (EmailClock, DataType, Vec<Option<i64>>) {
        let rows: Vec<EmailRow> = instants
            .iter()
            .enumerate()
            .map(|(pid, &at)| (pid as u32, 0, EmailEvent::Sent, at, false))
            .collect();
        let e = EmailEvents::from_sorted(&rows, |&r| r, vec!["c".into()]);
        let values = EmailClock::values(&e.firsts[4]).unwrap();
        let back = values.map(|v| v.map(|v| e.clock.instant(v))).collect();
        (e.clock, e.firsts[4].dtype().clone(), back)
    }

    #[test]
    fn email_firsts_are_held_in_32_bits_only_when_every_instant_fits_exactly() {
        const MIN: i64 = 60_000;
        const DAY: i64 = 24 * 60 * MIN;
        let t0 = 1_767_225_600_000; // 2026-01-01T00:00Z
                                    // Whole minutes: step one minute from the earliest instant.
        let minutes = [t0 + 5 * MIN, t0, t0 + 3 * 365 * DAY];
        let (clock, dtype, back) = clocked(&minutes);
        assert_eq!(
            (clock, dtype),
            (
                EmailClock {
                    base: t0,
                    step: MIN
                },
                DataType::Int32
            )
        );
        assert_eq!(back, minutes.map(Some));
        // One instant at a whole second: step one second.
        let seconds = [t0 + 1_000, t0 + MIN];
        let (clock, dtype, _) = clocked(&seconds);
        assert_eq!((clock.step, dtype), (1_000, DataType::Int32));
        // Milliseconds within 24 days fit 32 bits (2^31 ms is 24.8 days) ...
        let ms = [t0 + 1, t0 + 24 * DAY];
        let (clock, dtype, back) = clocked(&ms);
        assert_eq!((clock.step, dtype), (1, DataType::Int32));
        assert_eq!(back, ms.map(Some));
        // ... over 25 days they do not: the instants themselves, 64-bit.
        let wide = [t0 + 1, t0 + 25 * DAY, -7];
        let (clock, dtype, back) = clocked(&wide);
        assert_eq!((clock, dtype), (EmailClock::default(), DataType::Int64));
        assert_eq!(back, wide.map(Some));
        // Whole minutes before 1970 (negative instants) still divide exactly.
        let (clock, _, back) = clocked(&[-MIN, -3 * MIN]);
        assert_eq!(
            clock,
            EmailClock {
                base: -3 * MIN,
                step: MIN
            }
        );
        assert_eq!(back, [Some(-MIN), Some(-3 * MIN)]);
    }

    /// Rows as sorted dedup keys give them: `people` persons (pids spread out, some
    /// with many rows), each with rows of up to three campaigns of every event, at
    /// instants `at(i)` for the row's number `i`.
    fn sorted_rows(people: u32, at: impl Fn(u64) -> i64) -> Vec<EmailRow> {
        let mut rows = Vec::new();
        let mut state = 7_u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % n
        };
        for p in 0..people {
            // Every fifth person has a long run of rows: pieces must not cut it.
            let n = if p % 5 == 2 { 40 + next(60) } else { next(6) };
            for _ in 0..n {
                let event = EmailEvent::ALL[next(5) as usize];
                let i = rows.len() as u64;
                rows.push((3 * p + 1, next(3) as u32, event, at(i), next(2) == 1));
            }
        }
        rows.sort_unstable_by_key(|r| (r.0, r.1, r.3, r.2, r.4));
        rows.dedup();
        rows
    }

    /// Every column of `e`, its name, type, values, nulls and whether it carries a
    /// validity mask (a polars builder carries one only when some value is null).
    fn columns_of(e: &EmailEvents) -> Vec<(String, DataType, Vec<Option<i64>>, bool)> {
        let ids = [&e.pid, &e.campaign, &e.person_pid].map(|c| c.clone().into_column());
        let person = e.person_firsts.iter().map(|c| c.clone().into_column());
        let all: Vec<Column> = ids
            .into_iter()
            .chain(e.firsts.iter().cloned())
            .chain(person)
            .collect();
        all.iter()
            .map(|c| {
                let s = c.as_materialized_series();
                let chunks = s.chunks();
                assert_eq!(chunks.len(), 1, "{}: one chunk", c.name());
                let masked = chunks[0].validity().is_some();
                assert_eq!(
                    masked,
                    c.null_count() > 0,
                    "{}: a mask only with nulls",
                    c.name()
                );
                let wide = c.cast(&DataType::Int64).unwrap();
                let values = wide.i64().unwrap().iter().collect();
                (c.name().to_string(), c.dtype().clone(), values, masked)
            })
            .collect()
    }

    #[test]
    fn email_rows_reduce_in_pieces_as_in_one() {
        const MIN: i64 = 60_000;
        let t0 = 1_767_225_600_000; // 2026-01-01T00:00Z
        let inputs: Vec<(&str, Vec<EmailRow>)> = vec![
            ("no rows", vec![]),
            ("one row", vec![(4, 2, EmailEvent::Open, t0, true)]),
            // One person: however many pieces are asked for, one piece.
            ("one person", sorted_rows(1, |i| t0 + i as i64 * MIN)),
            (
                "whole minutes",
                sorted_rows(300, |i| t0 + (i as i64 % 97) * MIN),
            ),
            // Whole minutes but for the last row, in the last piece: the whole takes
            // one-second steps, as the last piece alone would and the others would not.
            ("one second off", {
                let mut rows = sorted_rows(300, |i| t0 + (i as i64 % 97) * MIN);
                rows.last_mut().unwrap().3 += 1_000;
                rows
            }),
            // Milliseconds over 60 days: no 32-bit clock, the 64-bit instants (with
            // many pieces, each alone spans less than 24.8 days and would fit).
            ("64-bit", sorted_rows(300, |i| t0 + i as i64 * 3_600_007)),
            // Bounces only (no receipt: received and opened null) and machine opens
            // only (received, never opened).
            ("bounces only", {
                let rows = sorted_rows(50, |i| t0 + i as i64 * MIN);
                rows.iter()
                    .map(|r| (r.0, r.1, EmailEvent::Bounce, r.3, r.4))
                    .collect()
            }),
            ("machine opens only", {
                let rows = sorted_rows(50, |i| t0 + i as i64 * MIN);
                rows.iter()
                    .map(|r| (r.0, r.1, EmailEvent::Open, r.3, true))
                    .collect()
            }),
        ];
        for (what, mut rows) in inputs {
            rows.sort_unstable_by_key(|r| (r.0, r.1, r.3, r.2, r.4));
            rows.dedup();
            let whole = EmailEvents::in_pieces(&rows, |&r| r, vec!["c".into()], 1);
            let expected = columns_of(&whole);
            for pieces in [2, 3, 7, 64, rows.len() + 5] {
                let e = EmailEvents::in_pieces(&rows, |&r| r, vec!["c".into()], pieces);
                assert_eq!(e.clock, whole.clock, "{what}, {pieces} pieces");
                assert_eq!(columns_of(&e), expected, "{what}, {pieces} pieces");
            }
            let persons = rows
                .iter()
                .map(|r| r.0)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            assert_eq!(whole.person_pid.len(), persons, "{what}");
        }
        let clock_of = |rows: &[EmailRow]| EmailEvents::in_pieces(rows, |&r| r, vec![], 1).clock;
        let one_second_off = {
            let mut rows = sorted_rows(300, |i| t0 + (i as i64 % 97) * MIN);
            rows.last_mut().unwrap().3 += 1_000;
            rows
        };
        assert_eq!(clock_of(&one_second_off).step, 1_000);
        let wide = sorted_rows(300, |i| t0 + i as i64 * 3_600_007);
        assert_eq!(clock_of(&wide), EmailClock::default());
        assert_eq!(EmailEvents::default().firsts[0].dtype(), &DataType::Int64);
    }

    #[test]
    fn pieces_end_where_a_persons_rows_end() {
        let rows = sorted_rows(200, |i| i as i64);
        let pid = |r: &EmailRow| r.0;
        for pieces in [0, 1, 2, 3, 5, 16, 100, rows.len(), rows.len() + 9] {
            let cut = person_pieces(&rows, pid, pieces);
            assert!(cut.len() <= pieces.max(1), "{pieces}: at most that many");
            // Consecutive, non-empty, covering every row.
            assert_eq!(cut.first().map(|c| c.start), Some(0));
            assert_eq!(cut.last().map(|c| c.end), Some(rows.len()));
            assert!(cut.windows(2).all(|w| w[0].end == w[1].start));
            assert!(cut.iter().all(|c| !c.is_empty()));
            // No person on both sides of a cut.
            for c in &cut[1..] {
                assert_ne!(rows[c.start - 1].0, rows[c.start].0, "{pieces}: {c:?}");
            }
        }
        // Two pieces of about half the rows each: the person at the middle goes
        // whole into the first.
        let cut = person_pieces(&rows, pid, 2);
        let middle = rows.len() / 2;
        assert!(cut[0].end >= middle && rows[cut[0].end - 1].0 == rows[middle - 1].0);
        // One person: one piece; no rows: none.
        let one = vec![(0, 0, EmailEvent::Sent, 0, false); 10];
        assert_eq!(person_pieces(&one, pid, 4), vec![0..10]);
        assert!(person_pieces(&[] as &[EmailRow], pid, 4).is_empty());
    }

    #[test]
    fn a_held_first_is_before_a_cut_off_exactly_when_its_instant_is() {
        let clock = EmailClock {
            base: 1_000,
            step: 60_000,
        };
        // Held 0, 1, 2 stand for 1 000, 61 000, 121 000.
        for (d, below) in [
            (1_000, 0),
            (1_001, 1),
            (61_000, 1),
            (61_001, 2),
            (0, 0),
            (-59_000, -1),
        ] {
            assert_eq!(clock.bound(d), below, "cut-off {d}");
            for held in -3..4 {
                assert_eq!(
                    held < clock.bound(d),
                    clock.instant(held) < d,
                    "{held} vs {d}"
                );
            }
        }
    }

    #[test]
    fn texts_hold_each_entry_whole_and_in_order() {
        let mut a: Texts = ["ann@x.com", "", "bob"].into_iter().collect();
        assert_eq!(a.len(), 3);
        assert_eq!((&a[0], &a[1], &a[2]), ("ann@x.com", "", "bob"));
        assert_eq!(a.get(3), None);
        let b: Texts = ["zoé", "c"].into_iter().collect();
        a.extend_from(&b);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            ["ann@x.com", "", "bob", "zoé", "c"]
        );
        assert_eq!(a.text_len(), 9 + 3 + 4 + 1);
        // `zoé` is four bytes after "ann@x.com" (9) and "bob" (3).
        assert_eq!(a.span(3), 12..16);
        assert_eq!(a.bytes(a.span(3)), "zoé".as_bytes());
        assert_eq!(a.span(1), 9..9);
        assert_eq!(a.bytes(15..20), b"");
        assert!(Texts::default().is_empty());
    }

    #[test]
    fn label_columns_give_each_person_their_label() {
        let c: LabelColumn = ["IT", "Sales", "IT", ""].into_iter().collect();
        assert_eq!(c.len(), 4);
        assert_eq!((&c[0], &c[1], &c[2], &c[3]), ("IT", "Sales", "IT", ""));
        assert_eq!(c.get(4), None);
        assert_eq!(
            c.iter().rev().collect::<Vec<_>>(),
            ["", "IT", "Sales", "IT"]
        );
        // Two distinct labels and the empty one: three names for four people.
        assert_eq!(c.names.len(), 3);
        let made = LabelColumn::new(vec!["a".into(), "b".into()], vec![1, 0, 1]).unwrap();
        assert_eq!(made.iter().collect::<Vec<_>>(), ["b", "a", "b"]);
        assert_eq!(LabelColumn::new(vec!["a".into()], vec![0, 1]), None);
        assert!(LabelColumn::default().is_empty());
    }

    fn with_quarantine(source: Source, read: u64, reasons: &[&str]) -> Dataset {
        let mut data = Dataset::default();
        data.counts.insert(
            source,
            SourceCounts {
                configured: true,
                rows_read: read,
                rows_quarantined: reasons.len() as u64,
                rows_accepted: read - reasons.len() as u64,
                ..SourceCounts::default()
            },
        );
        data.quarantine.insert(
            source,
            reasons
                .iter()
                .enumerate()
                .map(|(i, r)| QuarantinedRow {
                    file: PathBuf::from("email.csv"),
                    line: i as u64 + 2,
                    reason: r.to_string(),
                    raw: String::new(),
                })
                .collect(),
        );
        data
    }

    /// One stray quote emptied an export with exit 0 and nothing warned. A source
    /// with over 5 % of its rows quarantined is said in words, naming nobody.
    // See: issue 12, finding 5.
    #[test]
    fn a_source_with_many_quarantined_rows_is_called_out_in_words() {
        // 2 of 3 rows: 67 %, both `name … fits several` (the names masked).
        let data = with_quarantine(
            Source::Email,
            3,
            &[
                "name `Ann Lee` fits several roster people",
                "name `Bo Ek` fits several roster people",
            ],
        );
        assert_eq!(
            data.warnings(),
            ["email: 67 % of rows (2 of 3) were quarantined — all for “name `…` fits several roster people”; see quarantine/email.csv"]
        );
        // 3 of 40 rows: 7.5 %, two kinds; a column name is kept.
        let data = with_quarantine(
            Source::Email,
            40,
            &[
                "`timestamp`: `31/02` is not an ISO 8601 date or timestamp",
                "missing required value `campaign`",
                "`timestamp`: `soon` is not an ISO 8601 date or timestamp",
            ],
        );
        assert_eq!(
            data.warnings(),
            ["email: 7.5 % of rows (3 of 40) were quarantined — most for “`timestamp`: `…` is not an ISO 8601 date or timestamp” (2 rows); see quarantine/email.csv"]
        );
        // 1 of 20 rows is 5 %: not over, not said.
        assert!(with_quarantine(Source::Email, 20, &["x"])
            .warnings()
            .is_empty());
    }

    fn event(day: u32, line: u64) -> EventAt {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
            + chrono::Days::new(u64::from(day));
        EventAt {
            ms: d
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis(),
            source: Source::Email,
            file: PathBuf::from("email.csv"),
            line,
        }
    }

    /// A typo within the horizon (`2027-11-02` in a 2026 rollout) became the
    /// as-of day without a word.
    // See: issue 12, finding 7.
    #[test]
    fn a_latest_event_that_stands_apart_is_said_with_its_file_and_line() {
        let mut data = Dataset {
            latest_events: vec![event(366, 41), event(19, 7), event(18, 3)],
            ..Dataset::default()
        };
        assert_eq!(
            data.latest_event_warning(chrono_tz::UTC).as_deref(),
            Some("the as-of day 2027-11-02 comes from email.csv line 41 (email), 347 days after every other event: it looks mistyped; check that row, or pass --as-of (or set rollout.as_of)")
        );
        // Two rows on that day: still apart, and said.
        data.latest_events = vec![event(366, 41), event(366, 42), event(19, 7)];
        let w = data.latest_event_warning(chrono_tz::UTC).unwrap();
        assert!(
            w.contains("line 41 (email) (and 1 more row that day), 347 days"),
            "{w}"
        );
        // The latest events close together: nothing to say.
        data.latest_events = vec![event(20, 41), event(19, 7), event(2, 1)];
        assert_eq!(data.latest_event_warning(chrono_tz::UTC), None);
        // A busy last day (every row kept is on it): nothing to say.
        data.latest_events = (0..LATEST_ROWS as u64).map(|l| event(366, l)).collect();
        assert_eq!(data.latest_event_warning(chrono_tz::UTC), None);
    }
}

//! Privacy: which label each group (or ticket category, or cut value) is shown under,
//! which waves are suppressed, and which small counts are hidden, so that no number a
//! sponsor sees can be narrowed to fewer than `min_group_size` people
//! (docs/privacy.md).
//!
//! Takes the eligible count of every group of a wave; hands the metrics stage a
//! [`WaveFold`]: the shown label of every group and whether the wave is suppressed.
//! Groups under the threshold are folded into `(small groups)`; a fold still under
//! the threshold is merged into the wave's smallest remaining group (fewest eligible,
//! then by name) as `<group> (+ small groups)`. Because every shown row then holds at
//! least `min_group_size` people and the wave's `(all)` row is their exact sum, no
//! difference of shown numbers isolates fewer people. A wave under the threshold is
//! suppressed whole and left out of every overall figure. Ticket categories fold the
//! same way by their ticket counts ([`FoldNames::CATEGORIES`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::schema::SMALL_GROUPS;

/// How one wave's groups are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveFold {
    /// Group → the label its people are counted under.
    pub labels: BTreeMap<String, String>,
    /// The wave has fewer eligible people than the threshold: show nothing of it.
    pub suppressed: bool,
}

/// How a fold names what it folds: the fold's own label, and what a merged label adds
/// to its host (`<host> (+ small groups)`).
#[derive(Debug, Clone, Copy)]
pub struct FoldNames {
    /// The label of the fold: `(small groups)`.
    pub fold: &'static str,
    /// What is added to the host's name when the fold is merged into it.
    pub merged: &'static str,
}

impl FoldNames {
    /// Groups of a wave.
    pub const GROUPS: FoldNames = FoldNames {
        fold: SMALL_GROUPS,
        merged: "(+ small groups)",
    };
    /// Ticket categories of a wave.
    pub const CATEGORIES: FoldNames = FoldNames {
        fold: "(other categories)",
        merged: "(+ other categories)",
    };
    /// Values of a cut (a roster column) in a wave.
    pub const CUTS: FoldNames = FoldNames {
        fold: "(small values)",
        merged: "(+ small values)",
    };

    /// Whether `label` is this kind of fold, or a host with a fold merged into it.
    pub fn is_fold(self, label: &str) -> bool {
        label == self.fold || label.ends_with(&format!(" {}", self.merged))
    }
}

/// A count of people (or tickets) as a sponsor-facing table shows it: the number, or
/// hidden because it is 1 to `min_group_size − 1` (docs/privacy.md, "Small counts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Shown.
    Of(i64),
    /// Hidden: 1 to `min_group_size − 1`.
    Few,
    /// Hidden, though not few itself: a row inside this one hides a few, and this
    /// count minus the shown rows would give them back ("Derived rows").
    Derived,
}

impl Count {
    /// `n`, hidden when it is 1 to `min − 1`.
    pub fn guarded(n: i64, min: i64) -> Count {
        if n > 0 && n < min {
            Count::Few
        } else {
            Count::Of(n)
        }
    }

    /// The number, when shown.
    pub fn shown(self) -> Option<i64> {
        match self {
            Count::Of(n) => Some(n),
            Count::Few | Count::Derived => None,
        }
    }

    /// Whether it is hidden.
    pub fn is_few(self) -> bool {
        self == Count::Few
    }
}

/// Folds the groups of one wave, given each group's eligible count.
pub fn fold_groups(sizes: &BTreeMap<String, i64>, min_group_size: i64) -> WaveFold {
    fold(
        sizes,
        min_group_size,
        FoldNames::GROUPS,
        &Default::default(),
    )
}

/// Folds the labels of `sizes`: those under `min_group_size`, and those in `forced`
/// (labels that must not stand alone, e.g. a ticket category folded in some wave),
/// into `names.fold`; a fold still under the threshold is merged into the smallest
/// remaining label (fewest, then by name). `suppressed` when the total is under the
/// threshold.
pub fn fold(
    sizes: &BTreeMap<String, i64>,
    min_group_size: i64,
    names: FoldNames,
    forced: &std::collections::BTreeSet<String>,
) -> WaveFold {
    let total: i64 = sizes.values().sum();
    let is_small = |g: &String, n: i64| n < min_group_size || forced.contains(g);
    let small: Vec<&String> = sizes
        .iter()
        .filter(|(g, &n)| is_small(g, n))
        .map(|(g, _)| g)
        .collect();
    let mut labels: BTreeMap<String, String> =
        sizes.keys().map(|g| (g.clone(), g.clone())).collect();
    if !small.is_empty() {
        let folded: i64 = small.iter().map(|g| sizes[*g]).sum();
        let smallest_remaining = sizes
            .iter()
            .filter(|(g, &n)| !is_small(g, n))
            .min_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0)))
            .map(|(g, _)| g.clone());
        let label = match smallest_remaining {
            Some(host) if folded < min_group_size => {
                let merged = format!("{host} {}", names.merged);
                labels.insert(host, merged.clone());
                merged
            }
            _ => names.fold.to_string(),
        };
        for g in small {
            labels.insert(g.clone(), label.clone());
        }
    }
    WaveFold {
        labels,
        suppressed: total < min_group_size,
    }
}

// ---- across partitions ------------------------------------------------------------

/// One eligible person in one wave, as the guard sees them: the wave (an index), the
/// person, their group and their value of each cut.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    /// The wave, an index into the waves given to [`protect`].
    pub wave: usize,
    /// The person (the same number in every workload's wave).
    pub pid: u32,
    /// Their group.
    pub group: &'a str,
    /// Their value of each cut.
    pub cuts: Vec<&'a str>,
}

/// How every wave is shown: its groups' fold (and whether it is suppressed), and each
/// cut's fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Per wave: the fold of its groups.
    pub groups: Vec<WaveFold>,
    /// Per wave, per cut: the fold of the cut's values.
    pub cuts: Vec<Vec<WaveFold>>,
}

/// A row of a sponsor-facing table, as a set of people: a wave's `(all)` row, one of
/// its groups, one value of one of its cuts, or a workload's overall `(all)` row (the
/// people of its shown waves), keyed as wave `n_waves + workload`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RowKey {
    wave: usize,
    /// 0: the wave's `(all)`; 1: a group; 2 + k: cut k.
    dimension: usize,
    label: String,
}

/// Folds every wave's groups and cut values so that no two shown rows — of one wave
/// (a group and a cut value, two cuts' values) or of two waves (of two workloads, which
/// count the same people) — differ by 1 to `min − 1` people when one holds the other:
/// subtracting them would describe those few people (docs/privacy.md, "Across
/// partitions"). Each wave's groups and values are first folded by size as
/// [`fold`] does; then, while two rows nest with a small difference, a cut value is
/// folded (or the cut's fold absorbs its smallest remaining value), else a group, else
/// the wave of the later workload is suppressed. A workload's overall row is a row
/// too: two workloads' overall rows (or one and another workload's wave) that nest
/// with a small difference are parted by suppressing the smallest shown wave of the
/// smaller side's workload, which widens the difference by at least `min`.
/// `workload_of` gives each wave's workload; `n_cuts` is the number of cuts; a
/// wave's `(all)` row holds its members.
pub fn protect(workload_of: &[usize], n_cuts: usize, members: &[Member<'_>], min: i64) -> Shown {
    let n_waves = workload_of.len();
    // Sizes per wave: of each group, and of each value of each cut.
    let mut group_sizes: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); n_waves];
    let mut cut_sizes: Vec<Vec<BTreeMap<String, i64>>> =
        vec![vec![BTreeMap::new(); n_cuts]; n_waves];
    // Counted without a String per member: most members' names are already keys.
    let count = |sizes: &mut BTreeMap<String, i64>, name: &str| match sizes.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            sizes.insert(name.to_string(), 1);
        }
    };
    for m in members {
        count(&mut group_sizes[m.wave], m.group);
        for (k, v) in m.cuts.iter().enumerate() {
            count(&mut cut_sizes[m.wave][k], v);
        }
    }
    let mut forced_groups: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n_waves];
    let mut forced_cuts: Vec<Vec<BTreeSet<String>>> = vec![vec![BTreeSet::new(); n_cuts]; n_waves];
    let mut suppressed: BTreeSet<usize> = BTreeSet::new();
    // Everyone in one wave of one workload, no cuts: the folds alone hold.
    let waves_per_person_can_differ = n_cuts > 0 || {
        let mut waves_of: BTreeMap<u32, usize> = BTreeMap::new();
        members.iter().any(|m| {
            let n = waves_of.entry(m.pid).or_insert(0);
            *n += 1;
            *n > 1
        })
    };
    let mut prepared: Option<Prepared<'_>> = None;
    loop {
        let shown = Shown {
            groups: (0..n_waves)
                .map(|w| {
                    let mut f = fold(&group_sizes[w], min, FoldNames::GROUPS, &forced_groups[w]);
                    f.suppressed |= suppressed.contains(&w);
                    f
                })
                .collect(),
            cuts: (0..n_waves)
                .map(|w| {
                    (0..n_cuts)
                        .map(|k| fold(&cut_sizes[w][k], min, FoldNames::CUTS, &forced_cuts[w][k]))
                        .collect()
                })
                .collect(),
        };
        if !waves_per_person_can_differ {
            return shown;
        }
        let prepared = prepared
            .get_or_insert_with(|| Prepared::new(members, &group_sizes, &cut_sizes, n_cuts));
        let Some((inner, outer)) = first_nesting(&shown, workload_of, prepared, min) else {
            return shown;
        };
        // Fold what can be folded: a cut value before a group, the bigger row first.
        let cut_row = |r: &RowKey| r.dimension >= 2;
        let group_row = |r: &RowKey| r.dimension == 1;
        let target = [&outer, &inner]
            .into_iter()
            .find(|r| cut_row(r))
            .or_else(|| [&outer, &inner].into_iter().find(|r| group_row(r)));
        let progressed = match target {
            Some(r) if cut_row(r) => {
                let k = r.dimension - 2;
                force(
                    &cut_sizes[r.wave][k],
                    &mut forced_cuts[r.wave][k],
                    &r.label,
                    FoldNames::CUTS,
                )
            }
            Some(r) => force(
                &group_sizes[r.wave],
                &mut forced_groups[r.wave],
                &r.label,
                FoldNames::GROUPS,
            ),
            None => false,
        };
        if !progressed {
            let wave = if inner.wave >= n_waves {
                // A workload's overall row inside another row: hide its smallest
                // shown wave, so that it loses at least `min` people.
                let workload = inner.wave - n_waves;
                (0..n_waves)
                    .filter(|&w| workload_of[w] == workload && !suppressed.contains(&w))
                    .min_by_key(|&w| (group_sizes[w].values().sum::<i64>(), w))
            } else if outer.wave >= n_waves {
                // A wave's row inside another workload's overall row: hide the wave.
                Some(inner.wave)
            } else {
                // Two waves' rows that no fold can part: hide the later wave.
                Some(inner.wave.max(outer.wave))
            };
            match wave {
                Some(w) => {
                    suppressed.insert(w);
                }
                // Not reached: a row with people has a shown wave.
                None => return shown,
            }
        }
    }
}

/// Makes `label` stop standing alone in its partition: a plain value joins the fold; a
/// fold (or a host with a fold merged into it) absorbs the smallest value still
/// standing. False when nothing is left to fold.
fn force(
    sizes: &BTreeMap<String, i64>,
    forced: &mut BTreeSet<String>,
    label: &str,
    names: FoldNames,
) -> bool {
    if !names.is_fold(label) {
        return forced.insert(label.to_string());
    }
    let candidate = sizes
        .iter()
        .filter(|(v, _)| !forced.contains(*v))
        .min_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0)))
        .map(|(v, _)| v.clone());
    match candidate {
        Some(v) => forced.insert(v),
        None => false,
    }
}

/// The members as [`first_nesting`] reads them, prepared once: each member's group and
/// cut values as indexes into the wave's sorted names, members ordered by person.
struct Prepared<'m> {
    /// Per wave: its groups' names, sorted (the keys of its group sizes).
    group_names: Vec<Vec<&'m str>>,
    /// Per wave, per cut: the cut's values, sorted.
    cut_names: Vec<Vec<Vec<&'m str>>>,
    /// Per member, in person order (a stable sort: a person's members keep their
    /// order): (person, wave, group index).
    rows: Vec<(u32, usize, u32)>,
    /// Per member in the same order, `n_cuts` value indexes.
    cut_ix: Vec<u32>,
}

impl<'m> Prepared<'m> {
    fn new(
        members: &[Member<'_>],
        group_sizes: &'m [BTreeMap<String, i64>],
        cut_sizes: &'m [Vec<BTreeMap<String, i64>>],
        n_cuts: usize,
    ) -> Prepared<'m> {
        let names = |m: &'m BTreeMap<String, i64>| m.keys().map(String::as_str).collect();
        let group_names: Vec<Vec<&str>> = group_sizes.iter().map(names).collect();
        let cut_names: Vec<Vec<Vec<&str>>> = cut_sizes
            .iter()
            .map(|cuts| cuts.iter().map(names).collect())
            .collect();
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by_key(|&i| members[i].pid);
        // Every name is a key of the sizes counted from these same members.
        let ix = |names: &[&str], v: &str| names.binary_search(&v).unwrap_or_default() as u32;
        let mut rows = Vec::with_capacity(members.len());
        let mut cut_ix = Vec::with_capacity(members.len() * n_cuts);
        for i in order {
            let m = &members[i];
            rows.push((m.pid, m.wave, ix(&group_names[m.wave], m.group)));
            for (k, v) in m.cuts.iter().enumerate() {
                cut_ix.push(ix(&cut_names[m.wave][k], v));
            }
        }
        Prepared {
            group_names,
            cut_names,
            rows,
            cut_ix,
        }
    }
}

/// How often each shown row holds a person, and each pair of rows a person together:
/// a square table when the rows are few, else a map of the pairs that occur.
enum PairCounts {
    Dense(usize, Vec<u32>),
    Sparse(HashMap<(u32, u32), u32, foldhash::fast::RandomState>),
}

impl PairCounts {
    /// Up to this many rows, the square table (at most 64 MiB).
    const DENSE_ROWS: usize = 4096;

    fn new(n: usize) -> PairCounts {
        if n <= Self::DENSE_ROWS {
            PairCounts::Dense(n, vec![0; n * n])
        } else {
            PairCounts::Sparse(HashMap::default())
        }
    }

    fn add(&mut self, a: u32, b: u32) {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        match self {
            PairCounts::Dense(n, c) => c[a as usize * *n + b as usize] += 1,
            PairCounts::Sparse(m) => *m.entry((a, b)).or_insert(0) += 1,
        }
    }

    /// Every pair (a ≤ b) held together by at least one person, with its count.
    fn pairs(&self) -> Vec<(u32, u32, u32)> {
        match self {
            PairCounts::Dense(n, c) => (0..*n)
                .flat_map(|a| (a..*n).map(move |b| (a, b)))
                .filter_map(|(a, b)| {
                    let k = c[a * n + b];
                    (k > 0).then_some((a as u32, b as u32, k))
                })
                .collect(),
            PairCounts::Sparse(m) => m.iter().map(|(&(a, b), &k)| (a, b, k)).collect(),
        }
    }
}

/// The first pair of shown rows (in a fixed order) where one holds the other and they
/// differ by 1 to `min − 1` people: (the smaller, the bigger).
fn first_nesting(
    shown: &Shown,
    workload_of: &[usize],
    members: &Prepared<'_>,
    min: i64,
) -> Option<(RowKey, RowKey)> {
    let n_waves = workload_of.len();
    let mut ids: BTreeMap<RowKey, u32> = BTreeMap::new();
    let mut keys: Vec<RowKey> = Vec::new();
    let mut id = |key: RowKey| -> u32 {
        *ids.entry(key.clone()).or_insert_with(|| {
            keys.push(key);
            keys.len() as u32 - 1
        })
    };
    // Per shown wave, the row of each of its parts: the workload's and the wave's
    // (all), each group's and each cut value's shown label. The rows are found once
    // per wave and name, not once per member.
    struct WaveRows {
        workload: u32,
        all: u32,
        groups: Vec<u32>,
        cuts: Vec<Vec<u32>>,
    }
    let wave_rows: Vec<Option<WaveRows>> = (0..n_waves)
        .map(|w| {
            let groups = &shown.groups[w];
            if groups.suppressed {
                return None;
            }
            Some(WaveRows {
                workload: id(RowKey {
                    wave: n_waves + workload_of[w],
                    dimension: 0,
                    label: String::new(),
                }),
                all: id(RowKey {
                    wave: w,
                    dimension: 0,
                    label: String::new(),
                }),
                groups: members.group_names[w]
                    .iter()
                    .map(|g| {
                        id(RowKey {
                            wave: w,
                            dimension: 1,
                            label: groups.labels[*g].clone(),
                        })
                    })
                    .collect(),
                cuts: members.cut_names[w]
                    .iter()
                    .enumerate()
                    .map(|(k, values)| {
                        values
                            .iter()
                            .map(|v| {
                                id(RowKey {
                                    wave: w,
                                    dimension: 2 + k,
                                    label: shown.cuts[w][k].labels[*v].clone(),
                                })
                            })
                            .collect()
                    })
                    .collect(),
            })
        })
        .collect();
    let n_cuts = members.cut_names.first().map_or(0, Vec::len);
    // Each person's rows, over every wave they are in (members come by person).
    let mut size = vec![0i64; keys.len()];
    let mut both = PairCounts::new(keys.len());
    let mut rows: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < members.rows.len() {
        let pid = members.rows[i].0;
        rows.clear();
        while i < members.rows.len() && members.rows[i].0 == pid {
            let (_, wave, group) = members.rows[i];
            if let Some(r) = &wave_rows[wave] {
                rows.extend([r.workload, r.all, r.groups[group as usize]]);
                let cut_ix = &members.cut_ix[i * n_cuts..(i + 1) * n_cuts];
                rows.extend(cut_ix.iter().zip(&r.cuts).map(|(&v, c)| c[v as usize]));
            }
            i += 1;
        }
        for (j, &a) in rows.iter().enumerate() {
            size[a as usize] += 1;
            for &b in &rows[j + 1..] {
                both.add(a, b);
            }
        }
    }
    let mut found: Option<(RowKey, RowKey)> = None;
    for (a, b, n) in both.pairs() {
        let n = i64::from(n);
        let (ka, kb) = (&keys[a as usize], &keys[b as usize]);
        // One wave's (all) row against its own rows: the folds already part them.
        if ka.wave == kb.wave && (ka.dimension == 0 || kb.dimension == 0) {
            continue;
        }
        let (sa, sb) = (size[a as usize], size[b as usize]);
        let (inner, outer, gap) = if n == sa && sa < sb {
            (ka, kb, sb - sa)
        } else if n == sb && sb < sa {
            (kb, ka, sa - sb)
        } else {
            continue;
        };
        if gap < min && found.as_ref().is_none_or(|f| (inner, outer) < (&f.0, &f.1)) {
            found = Some((inner.clone(), outer.clone()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(g, n)| (g.to_string(), *n)).collect()
    }

    #[test]
    fn large_groups_keep_their_names() {
        let f = fold_groups(&sizes(&[("Finance", 12), ("HR", 5)]), 5);
        assert_eq!(f.labels["Finance"], "Finance");
        assert_eq!(f.labels["HR"], "HR");
        assert!(!f.suppressed);
    }

    #[test]
    fn small_groups_fold_together_when_the_fold_is_large_enough() {
        // 3 + 2 = 5 >= 5: one "(small groups)" row.
        let f = fold_groups(&sizes(&[("Finance", 12), ("Legal", 3), ("PR", 2)]), 5);
        assert_eq!(f.labels["Legal"], "(small groups)");
        assert_eq!(f.labels["PR"], "(small groups)");
        assert_eq!(f.labels["Finance"], "Finance");
    }

    #[test]
    fn a_small_fold_merges_into_the_smallest_remaining_group() {
        // 3 < 5: merged into the smallest of HR (6) and IT (6) by name: HR.
        let f = fold_groups(
            &sizes(&[("Finance", 12), ("HR", 6), ("IT", 6), ("Legal", 3)]),
            5,
        );
        assert_eq!(f.labels["Legal"], "HR (+ small groups)");
        assert_eq!(f.labels["HR"], "HR (+ small groups)");
        assert_eq!(f.labels["IT"], "IT");
    }

    proptest::proptest! {
        #[test]
        fn every_shown_label_holds_at_least_the_threshold(
            raw in proptest::collection::vec(1i64..40, 0..12),
            min in 1i64..20,
        ) {
            let s: BTreeMap<String, i64> =
                raw.iter().enumerate().map(|(i, n)| (format!("g{i:02}"), *n)).collect();
            let f = fold_groups(&s, min);
            proptest::prop_assert_eq!(f.labels.len(), s.len());
            let mut totals: BTreeMap<&String, i64> = BTreeMap::new();
            for (g, label) in &f.labels {
                *totals.entry(label).or_insert(0) += s[g];
            }
            let total: i64 = s.values().sum();
            proptest::prop_assert_eq!(f.suppressed, total < min);
            if !f.suppressed {
                for (label, n) in totals {
                    proptest::prop_assert!(n >= min, "{} shows {} < {}", label, n, min);
                }
            }
        }
    }

    #[test]
    fn categories_fold_under_their_own_names_and_forced_ones_too() {
        // vip-laptop (1) is small; printer (9) is forced (folded in another wave):
        // fold = 1 + 9 = 10 >= 5, so one "(other categories)" row; network stays.
        let forced = ["printer".to_string()].into_iter().collect();
        let f = fold(
            &sizes(&[("network", 12), ("printer", 9), ("vip-laptop", 1)]),
            5,
            FoldNames::CATEGORIES,
            &forced,
        );
        assert_eq!(f.labels["vip-laptop"], "(other categories)");
        assert_eq!(f.labels["printer"], "(other categories)");
        assert_eq!(f.labels["network"], "network");
        // A fold of 1 merges into the smallest remaining category.
        let f = fold(
            &sizes(&[("network", 12), ("login", 6), ("vip-laptop", 1)]),
            5,
            FoldNames::CATEGORIES,
            &Default::default(),
        );
        assert_eq!(f.labels["vip-laptop"], "login (+ other categories)");
        assert_eq!(f.labels["login"], "login (+ other categories)");
    }

    #[test]
    fn pair_counts_agree_as_a_table_and_as_a_map() {
        // Rows 0..5; pairs given in either order, a pair of a row with itself too.
        let adds = [(1, 3), (3, 1), (0, 4), (2, 2), (4, 0), (4, 0), (1, 2)];
        let mut dense = PairCounts::new(5);
        let mut sparse = PairCounts::Sparse(HashMap::default());
        for (a, b) in adds {
            dense.add(a, b);
            sparse.add(a, b);
        }
        let mut from_map = sparse.pairs();
        from_map.sort();
        // (0,4) three times, (1,2) once, (1,3) twice, (2,2) once.
        assert_eq!(dense.pairs(), [(0, 4, 3), (1, 2, 1), (1, 3, 2), (2, 2, 1)]);
        assert_eq!(from_map, dense.pairs());
        assert!(matches!(
            PairCounts::new(PairCounts::DENSE_ROWS + 1),
            PairCounts::Sparse(_)
        ));
    }

    #[test]
    fn counts_of_one_to_the_threshold_are_hidden() {
        assert_eq!(Count::guarded(0, 5), Count::Of(0));
        assert_eq!(Count::guarded(1, 5), Count::Few);
        assert_eq!(Count::guarded(4, 5), Count::Few);
        assert_eq!(Count::guarded(5, 5), Count::Of(5));
        assert_eq!(Count::guarded(4, 5).shown(), None);
    }

    #[test]
    fn a_wave_under_the_threshold_is_suppressed() {
        let f = fold_groups(&sizes(&[("Legal", 3)]), 5);
        assert!(f.suppressed);
        assert_eq!(f.labels["Legal"], "(small groups)");
        assert!(fold_groups(&BTreeMap::new(), 5).suppressed);
    }

    /// Members of `wave`, one group named after the wave, for each pid of `pids`.
    fn members(
        wave: usize,
        group: &'static str,
        pids: impl Iterator<Item = u32>,
    ) -> Vec<Member<'static>> {
        pids.map(|pid| Member {
            wave,
            pid,
            group,
            cuts: Vec::new(),
        })
        .collect()
    }

    #[test]
    fn a_wave_inside_another_workloads_overall_row_by_a_few_is_suppressed() {
        // Workload A: wave 0 = people 0..10, wave 1 = 10..20 (overall: 20 people).
        // Workload B: wave 2 = people 0..17 (17; overall the same 17).
        // Wave 2 holds wave 0 with 7 more (≥ 5: fine) and crosses wave 1; but it sits
        // inside A's overall row with 20 − 17 = 3 people between: subtracting would
        // describe people 17, 18, 19. No group or cut can part them, so wave 2 goes.
        let mut m = members(0, "G0", 0..10);
        m.extend(members(1, "G1", 10..20));
        m.extend(members(2, "G2", 0..17));
        let shown = protect(&[0, 0, 1], 0, &m, 5);
        let hidden: Vec<bool> = shown.groups.iter().map(|f| f.suppressed).collect();
        assert_eq!(hidden, [false, false, true]);
    }

    #[test]
    fn a_workloads_overall_row_inside_another_by_a_few_loses_its_smallest_wave() {
        // Workload A: wave 0 = 0..10, wave 1 = 10..20 (overall 20).
        // Workload B: wave 2 = {0, 1, 2, 10, 11, 12} (6), wave 3 = {3..8, 13..18} (10),
        // each crossing A's waves; B's overall (16) sits inside A's (20) with 4
        // between. B's smallest wave (wave 2, 6 people) is suppressed: B's overall is
        // then wave 3's 10 people, 10 fewer than A's — no small difference left.
        let mut m = members(0, "G0", 0..10);
        m.extend(members(1, "G1", 10..20));
        m.extend(members(2, "G2", (0..3).chain(10..13)));
        m.extend(members(3, "G3", (3..8).chain(13..18)));
        let shown = protect(&[0, 0, 1, 1], 0, &m, 5);
        let hidden: Vec<bool> = shown.groups.iter().map(|f| f.suppressed).collect();
        assert_eq!(hidden, [false, false, true, false]);
        // With the threshold at 4, the 4 people between are enough: nothing goes.
        let shown = protect(&[0, 0, 1, 1], 0, &m, 4);
        assert!(shown.groups.iter().all(|f| !f.suppressed));
    }
}

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

use std::collections::BTreeMap;

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
}

/// A count of people (or tickets) as a sponsor-facing table shows it: the number, or
/// hidden because it is 1 to `min_group_size − 1` (docs/privacy.md, "Small counts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Shown.
    Of(i64),
    /// Hidden: 1 to `min_group_size − 1`.
    Few,
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
            Count::Few => None,
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
}

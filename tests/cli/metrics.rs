//! The hand-worked fixture (tests/fixtures/handworked): every `group_metrics` cell
//! derived by hand below, and the other tables' key cells.
//!
//! D = 2026-11-20 in Europe/Paris (UTC+1 in November): the day ends at 23:00Z;
//! D-7 ends 2026-11-13T23:00Z, D-14 ends 2026-11-06T23:00Z. min_group_size = 3.
//!
//! W1 starts 2026-10-19: t = 32 days; target = 0.8 + (32-28)/14 * 0.2 = 0.857142857.
//! W2 starts 2026-11-09: t = 11 days; target = 0.2 + (11-7)/14 * 0.4 = 0.314285714.
//!
//! Finance (f1-f5), 5 eligible:
//!   enrolled: f1 (two devices, earliest 10-20), f2 (11-10), f3 (naive 23:50 local = 22:50Z,
//!   inside D); not f4 (23:30Z = 00:30 local on the 21st), not f5 -> 3 of 5 = 0.6.
//!   gap 0.6 - 0.857143 = -0.257143 -> behind.
//!   recipients f1 f2 f3 f4 (sent) = 4; openers f1 (open), f2 (click) = 2 (f4's open is a
//!   machine prefetch) -> 0.5. trained: f1 union 10:00-10:40 = 40 min, f2 20+15 = 35,
//!   f3 20+5 = 25 (no), f4 after D -> 2 = 0.4. tickets T1 T2 T3 = 3 (T4 after D);
//!   per 100 enrolled = 100; median over T1 4 h, T2 24 h (its last state) = 14.
//!   champions f1 = 1; enrolled by D-7: f1 f2 = 2; by D-14: f1 = 1.
//!   forecast: need ceil(1.0*5) = 5; pace (3-1)/14; ceil(2/(2/14)) = 14 days -> 2026-12-04.
//! Legal (l1) has 1 < 3 people: the fold (1) is too small, so it merges into the
//! smallest remaining group, HR (4): "HR (+ small groups)", 5 eligible:
//!   enrolled h1 (00:30+02:00 on the 21st = 22:30Z), h2 (10-30, a duplicate row), l1 = 3.
//!   recipients h1 h3 l1 (sent) + h2 (an open under her mail hana@example.org) = 4;
//!   openers h2, l1 = 2 (h1 opened after D) -> 0.5. trained h1 60, l1 exactly 30 = 2
//!   (h2 29 min). tickets T5 = 1, resolved after D -> no median. champions 0.
//!   by D-7: h2 l1 = 2; by D-14: h2 l1 = 2; pace 1/14 -> 28 days -> 2026-12-18.
//! W1 (all): 10 eligible, 6 enrolled, recipients 8, openers 4, trained 4, tickets 4
//!   (per 100 = 66.67, median 14), champions 1, by D-7 4, by D-14 3:
//!   need 10, pace 3/14, ceil(4*14/3) = ceil(18.67) = 19 days -> 2026-12-09.
//! Sales (s1-s4; s5 left on 11-15 so is not eligible, s4 leaves 11-21 so is), 4 eligible:
//!   enrolled s1 (11-09), s2 (id written "  S2@Example.COM "), s4 (11-18) = 3 -> 0.75;
//!   gap +0.435714 -> on_track. recipients s1 (delivered) s2 s3 = 3; openers s1 s3 = 2.
//!   trained s1 (joined 23:00 local on D: counts, 60 min) and s3 (45) = 2 -> 0.5.
//!   tickets T6 = 1 (T7 is the leaver's), median 2.5 h. champions s2. by D-7: s1 s2 = 2;
//!   by D-14: 0. need ceil(0.6*4) = 3 <= 3 -> reached.
//! Overall: 14 eligible, 9 enrolled = 0.642857; target (10*0.857143 + 4*0.314286)/14
//!   = 0.702041; gap -0.059184 -> at_risk. recipients 11, openers 6, trained 6,
//!   tickets 5 (per 100 = 55.56; median of 2.5, 4, 24 = 4), champions 2, by D-7 6.

use crate::util::{check, copy_fixture, find, read_table, run_ok};

fn report() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = copy_fixture("handworked");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    (dir, report)
}

#[test]
fn group_metrics_match_the_hand_worked_cells() {
    let (_dir, report) = report();
    let rows = read_table(&report.join("tables/group_metrics.csv"));
    let order: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["wave"].clone(), r["group"].clone()))
        .collect();
    let want_order = [
        ("W1", "Finance"),
        ("W1", "HR (+ small groups)"),
        ("W1", "(all)"),
        ("W2", "Sales"),
        ("W2", "(all)"),
        ("(all)", "(all)"),
    ];
    assert_eq!(
        order,
        want_order
            .iter()
            .map(|(w, g)| (w.to_string(), g.to_string()))
            .collect::<Vec<_>>()
    );
    let t1 = "0.857142857142857";
    check(
        find(&rows, "W1", "Finance"),
        &[
            ("eligible", "5"),
            ("enrolled", "3"),
            ("enrollment_rate", "0.6"),
            ("enrollment_rate_low", "0.230724279"),
            ("enrollment_rate_high", "0.882379227"),
            ("target_rate", t1),
            ("gap", "-0.257142857142857"),
            ("status", "behind"),
            ("recipients", "4"),
            ("openers", "2"),
            ("open_rate", "0.5"),
            ("trained", "2"),
            ("training_rate", "0.4"),
            ("tickets", "3"),
            ("tickets_per_100_enrolled", "100"),
            ("median_resolution_hours", "14"),
            ("champions", "1"),
            ("enrolled_7d_ago", "2"),
            ("projected_target_date", "2026-12-04"),
        ],
    );
    check(
        find(&rows, "W1", "HR (+ small groups)"),
        &[
            ("eligible", "5"),
            ("enrolled", "3"),
            ("enrollment_rate", "0.6"),
            ("target_rate", t1),
            ("status", "behind"),
            ("recipients", "4"),
            ("openers", "2"),
            ("open_rate", "0.5"),
            ("trained", "2"),
            ("training_rate", "0.4"),
            ("tickets", "1"),
            ("tickets_per_100_enrolled", "33.333333333"),
            ("median_resolution_hours", ""),
            ("champions", "0"),
            ("enrolled_7d_ago", "2"),
            ("projected_target_date", "2026-12-18"),
        ],
    );
    check(
        find(&rows, "W1", "(all)"),
        &[
            ("eligible", "10"),
            ("enrolled", "6"),
            ("enrollment_rate", "0.6"),
            ("enrollment_rate_low", "0.312673768"),
            ("enrollment_rate_high", "0.831819671"),
            ("target_rate", t1),
            ("status", "behind"),
            ("recipients", "8"),
            ("openers", "4"),
            ("trained", "4"),
            ("tickets", "4"),
            ("tickets_per_100_enrolled", "66.666666667"),
            ("median_resolution_hours", "14"),
            ("champions", "1"),
            ("enrolled_7d_ago", "4"),
            ("projected_target_date", "2026-12-09"),
        ],
    );
    for group in ["Sales", "(all)"] {
        check(
            find(&rows, "W2", group),
            &[
                ("eligible", "4"),
                ("enrolled", "3"),
                ("enrollment_rate", "0.75"),
                ("enrollment_rate_low", "0.30064184"),
                ("enrollment_rate_high", "0.954412740"),
                ("target_rate", "0.314285714285714"),
                ("gap", "0.435714285714286"),
                ("status", "on_track"),
                ("recipients", "3"),
                ("openers", "2"),
                ("open_rate", "0.666666666667"),
                ("trained", "2"),
                ("training_rate", "0.5"),
                ("tickets", "1"),
                ("tickets_per_100_enrolled", "33.333333333"),
                ("median_resolution_hours", "2.5"),
                ("champions", "1"),
                ("enrolled_7d_ago", "2"),
                ("projected_target_date", "reached"),
            ],
        );
    }
    check(
        find(&rows, "(all)", "(all)"),
        &[
            ("eligible", "14"),
            ("enrolled", "9"),
            ("enrollment_rate", "0.642857142857143"),
            ("enrollment_rate_low", "0.387644229"),
            ("enrollment_rate_high", "0.836552683"),
            ("target_rate", "0.702040816326531"),
            ("gap", "-0.059183673469388"),
            ("status", "at_risk"),
            ("recipients", "11"),
            ("openers", "6"),
            ("open_rate", "0.545454545454545"),
            ("trained", "6"),
            ("training_rate", "0.428571428571429"),
            ("tickets", "5"),
            ("tickets_per_100_enrolled", "55.555555556"),
            ("median_resolution_hours", "4"),
            ("champions", "2"),
            ("enrolled_7d_ago", "6"),
            ("projected_target_date", ""),
        ],
    );
}

#[test]
fn attention_lists_the_groups_with_diagnosis_and_action() {
    let (_dir, report) = report();
    let rows = read_table(&report.join("tables/attention.csv"));
    // Finance: behind, open 0.5 < 0.6, trained 0.4 < 0.5, 100 tickets/100 > 50;
    //   missing ceil(0.857143*5) - 3 = 5 - 3 = 2.
    // HR (+ small groups): behind, open 0.5 < 0.6, trained 0.4 < 0.5; missing 2; no champion.
    // Sales: on track but trained 0.5 < 0.6; missing max(0, ceil(0.314286*4) - 3) = 0.
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["group"].as_str(),
                r["status"].as_str(),
                r["missing_users"].as_str(),
                r["diagnosis"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Finance", "behind", "2", "awareness;knowledge;support"),
            ("HR (+ small groups)", "behind", "2", "awareness;knowledge"),
            ("Sales", "on_track", "0", "knowledge"),
        ]
    );
    assert_eq!(rows[1]["note"], "no champion in this group");
    assert!(rows[0]["action"].contains("executive-sponsor"));
    assert!(rows[2]["action"].contains("targeted training"));
}

#[test]
fn data_quality_counts_the_fixture() {
    let (_dir, report) = report();
    let rows = read_table(&report.join("tables/data_quality.csv"));
    let header: Vec<&String> = rows[0].keys().collect();
    assert_eq!(header.len(), 15);
    let get = |s: &str| rows.iter().find(|r| r["source"] == s).unwrap();
    // 17 roster rows, f1 twice (1 duplicate); c1 unassigned; s5 left by D (s4 after).
    check(
        get("roster"),
        &[
            ("rows_read", "17"),
            ("rows_accepted", "17"),
            ("rows_quarantined", "0"),
            ("duplicates_removed", "1"),
            ("unassigned", "1"),
            ("left", "1"),
            ("suppressed", "0"),
        ],
    );
    check(
        get("enrollments"),
        &[("rows_read", "14"), ("duplicates_removed", "1")],
    );
    // T2 twice (its last state kept); stranger@example.com is not on the roster.
    check(
        get("tickets"),
        &[
            ("rows_read", "9"),
            ("duplicates_removed", "1"),
            ("unmatched_users", "1"),
        ],
    );
}

/// `group_metrics_week_ago`: the run's cohort (the people eligible on D = 2026-11-20,
/// under D's labels) with its figures cut at the end of D − 7 = 2026-11-13. s5, who left
/// on 11-15, is not in it (she is not in D's cohort); Legal's l1 stays merged into
/// `HR (+ small groups)` as on D. See docs/privacy.md, "One cohort per run".
#[test]
fn week_ago_table_describes_the_same_people_a_week_earlier() {
    let (_dir, report) = report();
    let rows = read_table(&report.join("tables/group_metrics_week_ago.csv"));
    let today = read_table(&report.join("tables/group_metrics.csv"));
    // Same labels, same people: every row's eligible count is today's.
    for (then, now) in rows.iter().zip(&today) {
        assert_eq!(
            (&then["wave"], &then["group"]),
            (&now["wave"], &now["group"])
        );
        assert_eq!(then["eligible"], now["eligible"]);
    }
    // W1 at t = 11-13 - 10-19 = 25 days: 0.5 + 11/14 * 0.3 = 0.735714.
    let t1 = "0.735714285714286";
    // Finance (f1..f5): enrolled f1 (10-20), f2 (11-10) = 2 -> 0.4; gap -0.335714 ->
    // behind. Recipients f1..f4 = 4; openers f1 (open), f2 (click) = 2 (f4's open is a
    // machine prefetch). Trained f1 (40 min), f2 (20 + 15) = 2; f3 has 25. Tickets
    // opened by 11-13: T1, T2 = 2 -> 100 per 100 enrolled; resolved by then: T1 4 h,
    // T2 24 h -> median 14. enrolled_7d_ago (11-06): f1 = 1. Pace (2 - 1) / 14 a day;
    // need ceil(1.0 * 5) = 5: ceil(3 * 14) = 42 days -> 2026-12-25.
    check(
        find(&rows, "W1", "Finance"),
        &[
            ("eligible", "5"),
            ("enrolled", "2"),
            ("enrollment_rate", "0.4"),
            ("target_rate", t1),
            ("gap", "-0.335714285714286"),
            ("status", "behind"),
            ("recipients", "4"),
            ("openers", "2"),
            ("trained", "2"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "100"),
            ("median_resolution_hours", "14"),
            ("champions", "1"),
            ("enrolled_7d_ago", "1"),
            ("projected_target_date", "2026-12-25"),
        ],
    );
    // HR (+ small groups) (h1..h4, l1): enrolled h2 (10-30), l1 (10-21) = 2 (h1 only on
    // D). Recipients h1, h2 (hana@ open), h3, l1 = 4; openers h2, l1 = 2 (h1 opens on
    // 11-21). Trained h1 (60), l1 (30) = 2; h2 has 29. No ticket yet (T5 on 11-19).
    // enrolled_7d_ago 2 and 14 days before 11-13 also 2: no pace, no date.
    check(
        find(&rows, "W1", "HR (+ small groups)"),
        &[
            ("eligible", "5"),
            ("enrolled", "2"),
            ("status", "behind"),
            ("recipients", "4"),
            ("openers", "2"),
            ("trained", "2"),
            ("tickets", "0"),
            ("tickets_per_100_enrolled", "0"),
            ("median_resolution_hours", ""),
            ("champions", "0"),
            ("enrolled_7d_ago", "2"),
            ("projected_target_date", ""),
        ],
    );
    // W1 (all): 4 of 10; 14 days earlier 3 (f1, h2, l1): pace 1/14, need 10:
    // ceil(6 * 14) = 84 days -> 2027-02-05.
    check(
        find(&rows, "W1", "(all)"),
        &[
            ("eligible", "10"),
            ("enrolled", "4"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "50"),
            ("median_resolution_hours", "14"),
            ("enrolled_7d_ago", "3"),
            ("projected_target_date", "2027-02-05"),
        ],
    );
    // W2 at t = 4: 4/7 * 0.2 = 0.114286. Sales (s1..s4): enrolled s1 (11-09), s2 (11-12)
    // = 2 -> 0.5, on track. Recipients s1, s2, s3 = 3; openers s1, s3 = 2. Trained s3
    // (45 min on 11-12) = 1. Tickets T6 (s1) = 1 (T7 is s5's: not in the cohort) -> 50
    // per 100; median 2.5 h. Need ceil(0.6 * 4) = 3; pace 2/14: ceil(1 * 7) = 7 days ->
    // 2026-11-20.
    for group in ["Sales", "(all)"] {
        check(
            find(&rows, "W2", group),
            &[
                ("eligible", "4"),
                ("enrolled", "2"),
                ("enrollment_rate", "0.5"),
                ("target_rate", "0.114285714285714"),
                ("status", "on_track"),
                ("recipients", "3"),
                ("openers", "2"),
                ("trained", "1"),
                ("training_rate", "0.25"),
                ("tickets", "1"),
                ("tickets_per_100_enrolled", "50"),
                ("median_resolution_hours", "2.5"),
                ("champions", "1"),
                ("enrolled_7d_ago", "0"),
                ("projected_target_date", "2026-11-20"),
            ],
        );
    }
    // Overall: 6 of 14 = 0.428571; target (0.735714 * 10 + 0.114286 * 4) / 14 =
    // 0.558163; gap -0.129592 -> behind. Tickets 3, median of 4, 24, 2.5 h = 4.
    check(
        find(&rows, "(all)", "(all)"),
        &[
            ("eligible", "14"),
            ("enrolled", "6"),
            ("target_rate", "0.558163265306122"),
            ("status", "behind"),
            ("recipients", "11"),
            ("openers", "6"),
            ("trained", "5"),
            ("tickets", "3"),
            ("median_resolution_hours", "4"),
            ("champions", "2"),
        ],
    );
}

#[test]
fn weekly_progress_rows_count_the_runs_cohort_week_by_week() {
    let (_dir, report) = report();
    let rows = read_table(&report.join("tables/weekly_progress.csv"));
    let week = |wave: &str, group: &str, k: &str| {
        rows.iter()
            .find(|r| r["wave"] == wave && r["group"] == group && r["week_of_wave"] == k)
            .unwrap_or_else(|| panic!("no week {k} of {wave}/{group}"))
    };
    // W2 starts Monday 2026-11-09. Every week counts D's cohort: s1..s4 (s5 left on
    // 11-15, before D, so is in no week; s4 leaves 11-21, after D): 4 eligible; enrolled
    // by 11-15: s1 (11-09), s2 (11-12) = 2 -> 0.5; target at t = 6: 6/7 * 0.2 = 0.171429;
    // tickets of the cohort opened 11-09..11-15: T6 (s1); not T7 (s5's).
    check(
        week("W2", "Sales", "0"),
        &[
            ("week_start", "2026-11-09"),
            ("as_of", "2026-11-15"),
            ("eligible", "4"),
            ("enrolled", "2"),
            ("enrollment_rate", "0.5"),
            ("target_rate", "0.171428571428571"),
            ("tickets", "1"),
        ],
    );
    // Week 1 ends at D (Friday 11-20): the figures of group_metrics.
    check(
        week("W2", "Sales", "1"),
        &[
            ("as_of", "2026-11-20"),
            ("eligible", "4"),
            ("enrolled", "3"),
            ("target_rate", "0.314285714285714"),
            ("tickets", "0"),
        ],
    );
    // W1 starts 2026-10-19; week 0 ends 10-25: f1 (10-20) enrolled, T1 opened 10-20.
    check(
        week("W1", "Finance", "0"),
        &[("as_of", "2026-10-25"), ("enrolled", "1"), ("tickets", "1")],
    );
    // Week 3 ends 11-15: f1, f2 (11-10) = 2. Week 4 ends at D: 3 (f3 at 23:50 local).
    check(week("W1", "Finance", "3"), &[("enrolled", "2")]);
    check(
        week("W1", "Finance", "4"),
        &[("as_of", "2026-11-20"), ("enrolled", "3")],
    );
    check(
        week("W1", "(all)", "4"),
        &[("eligible", "10"), ("enrolled", "6")],
    );
    // The same 10 people in every week of W1, the same 4 in every week of W2.
    for r in rows.iter().filter(|r| r["group"] == "(all)") {
        let want = if r["wave"] == "W1" { "10" } else { "4" };
        assert_eq!(r["eligible"], want, "{r:?}");
    }
}

//! The hand-worked fixture with two workloads and a cut (tests/fixtures/workloads):
//! every cell of `group_metrics`, `cut_metrics`, `attention`, `lift` and
//! `weekly_progress` that workloads and cuts affect, derived by hand below, and the
//! nudge lists that say which workloads a person has not adopted.
//!
//! D = 2026-11-20 in UTC: "by D" is before 2026-11-21T00:00Z, "by D − 7" before
//! 11-14T00:00Z, "by D − 14" before 11-07T00:00Z. min_group_size k = 3.
//!
//! Two workloads. MDM's waves come from the roster column `mdm_wave` (`m1` reads as
//! M1); its export is mdm.csv (table `workload = "MDM"`). KFM's waves list groups;
//! adoption.csv names each row's workload (`KFM`, `kfm`, and one `mdm` row, h2's).
//! Two adoption.csv rows are quarantined: f5's `Teams Phone` (no such workload) and
//! b1's empty `workload` (the table sets none).
//!
//! ```text
//!        group    location mdm_wave  MDM enrolled        KFM wave  KFM enrolled          email  trained  tickets
//! f1     Finance  Lyon     M1        10-20 (day 1)       K1        11-04 (day 2)         open   45 min   T1 4 h   champion
//! f2     Finance  Lyon     M1        10-27 (day 8)       K1        11-10 (day 8)         open   25 min
//! f3     Finance  Lyon     m1        11-03 (day 15)      K1        -                     sent   45 min   T2 24 h
//! f4     Finance  Paris    M1        11-10 (day 22)      K1        11-18 (day 16)        sent
//! f5     Finance  Paris    M1        - (Teams Phone row) K1        11-03 (day 1)         open   45 min
//! f6     Finance  Paris    M1        -                   K1        11-19 (day 17)        -
//! l1     Legal    Nice     M1        10-21 (day 2)       K3        11-17                 open   45 min
//! l2     Legal    Nice     M1        11-17 (day 29)      K3        -                     sent
//! b1     Board    Nice     M1        - (empty workload)  -         -                     -                         champion
//! h1     HR       Nice     M2        11-10 (day 1)       K2        -                     open   45 min   T3 open
//! h2     HR       Nice     M2        11-19 (day 10)      K2        -                     open
//! h3     HR       Nice     M2        -                   K2        11-17 (day 1)         sent
//! h4     HR       Nice     M2        -                   K2        11-18 (day 2)         sent   20 + 15
//! h5     HR       Paris    M2        -                   K2        11-12 (before: day 0) -
//! s1     Sales    Paris    M2        11-09 (day 0)       K1        -                     open   45 min   T4 2 h   champion
//! s2     Sales    Paris    M2        11-12 (day 3)       K1        -                     open
//! s3     Sales    Paris    M2        11-18 (day 9)       K1        -                     sent
//! s4     Sales    Lyon     M2        -                   K1        11-05 (day 3)         open   45 min
//! s5     Sales    Lyon     M2        -                   K1        11-12 (day 10)        sent            T5 6 h
//! s6     Sales    Lyon     M2        -                   K1        - (11-21: after D)    -       (leaves 11-21: eligible)
//! f7 (Finance, M1) left 11-10 and s7 (Sales, M2) left 11-18: in no figure, nor are
//! their enrollments, emails, training or ticket T6. c1 (Contractors) has no wave in
//! either workload (unassigned) and T7 is theirs.
//! ```
//! Days count from the wave's start: M1 2026-10-19, M2 11-09, K1 11-02, K2 and K3 11-16.
//! f5 is ahead on KFM (K1's first) and behind on MDM; s1 the other way round.
//!
//! Waves and folds (k = 3):
//! - M1: Finance f1–f6 (6), Legal l1 l2 (2), Board b1 (1): 2 + 1 = 3 ≥ 3 folds into
//!   `(small groups)` {l1, l2, b1}. M2: HR h1–h5 (5), Sales s1–s6 (6).
//! - K1: Finance (6), Sales (6). K2: HR (5). K3: Legal (2) < 3: suppressed, left out of
//!   KFM's overall row (data_quality `suppressed` = 2).
//! - Location before the guard: M1 Lyon {f1 f2 f3}, Nice {l1 l2 b1}, Paris {f4 f5 f6};
//!   M2 Nice {h1–h4} (4), Paris {h5 s1 s2 s3} (4), Lyon {s4 s5 s6} (3); K1 Lyon
//!   {f1 f2 f3 s4 s5 s6}, Paris {f4 f5 f6 s1 s2 s3}; K2 Nice {h1–h4} (4) and Paris {h5}
//!   (1 < 3, merged into the smallest remaining value): `Nice (+ small values)`.
//! - The guard (docs/privacy.md): M2's Nice {h1–h4} lies inside M2's HR {h1–h5} (and
//!   K2's rows, also {h1–h5}) with 1 person between them: subtracting would describe
//!   h5. Nice is folded: `(small values)` = {h1–h4}, still 1 short of HR, so the fold
//!   absorbs the smallest value still standing, Lyon (3): `(small values)` = {h1–h4,
//!   s4 s5 s6} (7), Paris {h5 s1 s2 s3} (4). No other pair of shown rows nests with 1
//!   or 2 people between: M1's Lyon, Paris and Nice are 3 short of Finance, K1's rows
//!   and (small groups); M2's Lyon was 3 short of Sales; M1 Finance = K1 Finance, M2
//!   Sales = K1 Sales and M2 HR = K2's rows are the same people (a difference of 0).
//!   KFM's overall row (17: K1 + K2) lies inside MDM's (20) with l1 l2 b1 between: 3,
//!   not under k.
//!
//! Targets at D: M1 t = 32: 0.8 + 4/14 × 0.2 = 0.857142857; M2 t = 11: 0.2 + 4/14 ×
//! 0.4 = 0.314285714; K1 t = 18: 0.5 + 4/14 × 0.5 = 0.642857143; K2 t = 4: 4/7 × 0.35
//! = 0.2. Wilson intervals are those of docs/metrics.md's formula (z = 1.959964).

use std::collections::BTreeMap;

use crate::digests::NUDGE_HEADER;
use crate::util::check;
use crate::util::{copy_fixture, read_csv, read_table, run_ok};

type Row = BTreeMap<String, String>;

const M1_TARGET: &str = "0.857142857142857";
const M2_TARGET: &str = "0.314285714285714";
const K1_TARGET: &str = "0.642857142857143";

fn report() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = copy_fixture("workloads");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &["--user-lists"],
    );
    (dir, report)
}

fn table(report: &std::path::Path, name: &str) -> Vec<Row> {
    read_table(&report.join(format!("tables/{name}.csv")))
}

/// The row of `workload`, `wave` and `key` (a group, or a cut's value).
fn find<'a>(rows: &'a [Row], workload: &str, wave: &str, key: &str) -> &'a Row {
    rows.iter()
        .find(|r| {
            r["workload"] == workload
                && r["wave"] == wave
                && r.get("group")
                    .or_else(|| r.get("value"))
                    .map(String::as_str)
                    == Some(key)
        })
        .unwrap_or_else(|| panic!("no row {workload}/{wave}/{key}"))
}

/// The (workload, wave, group-or-value) of every row, in order.
fn keys(rows: &[Row], key: &str) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|r| (r["workload"].clone(), r["wave"].clone(), r[key].clone()))
        .collect()
}

fn owned(keys: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    keys.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn group_metrics_are_per_workload_and_match_the_hand_worked_cells() {
    let (_dir, report) = report();
    let rows = table(&report, "group_metrics");
    // Per workload (config order): its waves with their groups by name, each wave's
    // (all), then the workload's own overall row; no row adds the workloads together.
    assert_eq!(
        keys(&rows, "group"),
        owned(&[
            ("MDM", "M1", "(small groups)"),
            ("MDM", "M1", "Finance"),
            ("MDM", "M1", "(all)"),
            ("MDM", "M2", "HR"),
            ("MDM", "M2", "Sales"),
            ("MDM", "M2", "(all)"),
            ("MDM", "(all)", "(all)"),
            ("KFM", "K1", "Finance"),
            ("KFM", "K1", "Sales"),
            ("KFM", "K1", "(all)"),
            ("KFM", "K2", "HR"),
            ("KFM", "K2", "(all)"),
            ("KFM", "K3", "(small groups)"),
            ("KFM", "K3", "(all)"),
            ("KFM", "(all)", "(all)"),
        ])
    );
    // MDM, M1 Finance (f1–f6): enrolled in MDM f1 f2 f3 f4 = 4 of 6 = 0.666667 (f5's
    // only MDM row is the quarantined Teams Phone one); gap 0.666667 − 0.857143 =
    // −0.190476 -> behind. Recipients f1–f5 = 5, openers f1 f2 f5 = 3 -> 0.6; trained
    // f1 f3 f5 = 3 (f2 has 25 min) -> 0.5; tickets T1 T2 = 2 -> 100 × 2/4 = 50, median
    // of 4 h and 24 h = 14. Champion f1. By D − 7: f1–f4 = 4 (f4 on 11-10); by D − 14:
    // f1 f2 f3 = 3. Need ceil(1.0 × 6) = 6, pace (4 − 3)/14: ceil(2 × 14) = 28 days ->
    // 2026-12-18. Kaplan–Meier: events on days 1, 8, 15, 22 of 6 at risk, S = 5/6, 4/6,
    // 3/6, 2/6: median day 15 (S = 0.5); by day 14 1 − 4/6 = 0.333333, by day 28
    // 1 − 2/6 = 0.666667; M1 has run 32 < 42 days: no share by day 42.
    check(
        find(&rows, "MDM", "M1", "Finance"),
        &[
            ("eligible", "6"),
            ("enrolled", "4"),
            ("enrollment_rate", "0.666666666667"),
            ("enrollment_rate_low", "0.299993313"),
            ("enrollment_rate_high", "0.903228590"),
            ("target_rate", M1_TARGET),
            ("gap", "-0.190476190476"),
            ("status", "behind"),
            ("recipients", "5"),
            ("openers", "3"),
            ("open_rate", "0.6"),
            ("trained", "3"),
            ("training_rate", "0.5"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "50"),
            ("median_resolution_hours", "14"),
            ("champions", "1"),
            ("enrolled_7d_ago", "4"),
            ("projected_target_date", "2026-12-18"),
            ("median_days_to_enroll", "15"),
            ("share_by_day_14", "0.333333333333"),
            ("share_by_day_28", "0.666666666667"),
            ("share_by_day_42", ""),
        ],
    );
    // M1 (small groups) {l1, l2, b1}: enrolled l1 l2 = 2 of 3 -> behind (−0.190476);
    // recipients l1 l2, opener l1 -> 0.5; trained l1 -> 0.333333; no ticket -> 0 per
    // 100, no median; champion b1. By D − 7 and D − 14: l1 = 1. Need 3, pace 1/14: 14
    // days -> 2026-12-04. KM: days 2 and 29 of 3: S = 2/3, 1/3: median day 29.
    check(
        find(&rows, "MDM", "M1", "(small groups)"),
        &[
            ("eligible", "3"),
            ("enrolled", "2"),
            ("enrollment_rate_low", "0.207659599"),
            ("enrollment_rate_high", "0.938508056"),
            ("status", "behind"),
            ("recipients", "2"),
            ("openers", "1"),
            ("open_rate", "0.5"),
            ("trained", "1"),
            ("training_rate", "0.333333333333"),
            ("tickets", "0"),
            ("tickets_per_100_enrolled", "0"),
            ("median_resolution_hours", ""),
            ("champions", "1"),
            ("enrolled_7d_ago", "1"),
            ("projected_target_date", "2026-12-04"),
            ("median_days_to_enroll", "29"),
            ("share_by_day_28", "0.333333333333"),
        ],
    );
    // M1 (all): 6 of 9; recipients 7, openers 4 -> 0.571429; trained 4 -> 0.444444;
    // tickets 2 -> 33.33 per 100, median 14; champions 2; by D − 7: 5, by D − 14: 4.
    // Need 9, pace 2/14: ceil(3 × 7) = 21 days -> 2026-12-11. KM: days 1 2 8 15 22 29
    // of 9: S = 8/9 7/9 6/9 5/9 4/9 3/9; median day 22; by 14: 1/3, by 28: 5/9. No
    // earlier MDM wave: no forecast (K1 is KFM's).
    check(
        find(&rows, "MDM", "M1", "(all)"),
        &[
            ("eligible", "9"),
            ("enrolled", "6"),
            ("enrollment_rate_low", "0.354202134"),
            ("enrollment_rate_high", "0.879416183"),
            ("target_rate", M1_TARGET),
            ("status", "behind"),
            ("recipients", "7"),
            ("openers", "4"),
            ("trained", "4"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "33.3333333333"),
            ("median_resolution_hours", "14"),
            ("champions", "2"),
            ("enrolled_7d_ago", "5"),
            ("projected_target_date", "2026-12-11"),
            ("median_days_to_enroll", "22"),
            ("share_by_day_14", "0.333333333333"),
            ("share_by_day_28", "0.555555555556"),
            ("forecast_date", ""),
        ],
    );
    // M2 HR (h1–h5): enrolled in MDM h1 and h2 (from adoption.csv's `mdm` row) = 2 of
    // 5 = 0.4; gap +0.085714 -> on_track. Recipients h1–h4, openers h1 h2 -> 0.5;
    // trained h1, h4 (20 + 15 min) -> 0.4; T3 unresolved: 1 ticket, 50 per 100, no
    // median. No champion. By D − 7: h1; by D − 14: none. Need ceil(0.6 × 5) = 3, pace
    // 2/14: ceil(1 × 7) = 7 days -> 2026-11-27. KM: days 1, 10 of 5: S = 4/5, 3/5.
    check(
        find(&rows, "MDM", "M2", "HR"),
        &[
            ("eligible", "5"),
            ("enrolled", "2"),
            ("enrollment_rate", "0.4"),
            ("target_rate", M2_TARGET),
            ("gap", "0.0857142857143"),
            ("status", "on_track"),
            ("recipients", "4"),
            ("openers", "2"),
            ("trained", "2"),
            ("tickets", "1"),
            ("tickets_per_100_enrolled", "50"),
            ("median_resolution_hours", ""),
            ("champions", "0"),
            ("enrolled_7d_ago", "1"),
            ("projected_target_date", "2026-11-27"),
            ("median_days_to_enroll", ""),
            ("share_by_day_14", ""),
        ],
    );
    // M2 Sales (s1–s6): MDM s1 s2 s3 = 3 of 6 = 0.5; gap +0.185714 -> on_track.
    // Recipients s1–s5, openers s1 s2 s4 -> 0.6; trained s1 s4 -> 0.333333; T4 2 h, T5
    // 6 h: 2 tickets, 66.67 per 100, median 4. Champion s1. By D − 7: s1 s2. Need
    // ceil(0.6 × 6) = 4, pace 3/14: ceil(14/3) = 5 days -> 2026-11-25. KM: days 0 3 9
    // of 6: S = 5/6 4/6 3/6: median day 9.
    check(
        find(&rows, "MDM", "M2", "Sales"),
        &[
            ("eligible", "6"),
            ("enrolled", "3"),
            ("enrollment_rate", "0.5"),
            ("enrollment_rate_low", "0.187616305"),
            ("enrollment_rate_high", "0.812383695"),
            ("gap", "0.185714285714"),
            ("status", "on_track"),
            ("recipients", "5"),
            ("openers", "3"),
            ("trained", "2"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "66.6666666667"),
            ("median_resolution_hours", "4"),
            ("champions", "1"),
            ("enrolled_7d_ago", "2"),
            ("projected_target_date", "2026-11-25"),
            ("median_days_to_enroll", "9"),
        ],
    );
    // M2 (all): 5 of 11 = 0.454545; gap +0.140260 -> on_track; recipients 9, openers 5,
    // trained 4; tickets 3 -> 60 per 100, median of 2 h and 6 h = 4; champion s1; by
    // D − 7: s1 h1 s2 = 3. Need ceil(0.6 × 11) = 7, pace 5/14: ceil(2 × 14/5) = 6 days
    // -> 2026-11-26.
    // Forecast: t0 = 11, 1 − S(11) = 5/11 < 0.6. The only earlier wave of MDM is M1
    // (observed 32 > 11 days, S_M1(11) = 6/9): S(t) = 6/11 × S_M1(t) / (6/9); day 15:
    // 6/11 × 5/6 = 5/11 (1 − S = 0.545); day 22: 6/11 × 4/6 = 4/11 (0.636 ≥ 0.6) ->
    // start + 22 = 2026-12-01, and low = high. K1, KFM's, started earlier too and
    // would have lent day 17 (S_K1 = 7/12 at 11, 5/12 at 17: 6/11 × 5/7 = 0.390, 1 − S
    // = 0.610), making the date 11-26: it must not count.
    check(
        find(&rows, "MDM", "M2", "(all)"),
        &[
            ("eligible", "11"),
            ("enrolled", "5"),
            ("enrollment_rate", "0.454545454545"),
            ("enrollment_rate_low", "0.212712715"),
            ("enrollment_rate_high", "0.719908464"),
            ("gap", "0.14025974026"),
            ("status", "on_track"),
            ("recipients", "9"),
            ("openers", "5"),
            ("open_rate", "0.555555555556"),
            ("trained", "4"),
            ("tickets", "3"),
            ("tickets_per_100_enrolled", "60"),
            ("median_resolution_hours", "4"),
            ("champions", "1"),
            ("enrolled_7d_ago", "3"),
            ("projected_target_date", "2026-11-26"),
            ("forecast_date", "2026-12-01"),
            ("forecast_low", "2026-12-01"),
            ("forecast_high", "2026-12-01"),
        ],
    );
    // MDM overall: M1 + M2 = 20 people, 11 enrolled = 0.55; target (9 × 0.857143 + 11 ×
    // 0.314286) / 20 = 0.558571; gap −0.008571 -> at_risk. Recipients 16, openers 9,
    // trained 8; tickets 5 (T1–T5) -> 100 × 5/11 = 45.45, median of 2, 4, 6, 24 = 5;
    // champions 3; by D − 7: 8.
    check(
        find(&rows, "MDM", "(all)", "(all)"),
        &[
            ("eligible", "20"),
            ("enrolled", "11"),
            ("enrollment_rate", "0.55"),
            ("enrollment_rate_low", "0.342085341"),
            ("enrollment_rate_high", "0.741802143"),
            ("target_rate", "0.558571428571"),
            ("gap", "-0.00857142857143"),
            ("status", "at_risk"),
            ("recipients", "16"),
            ("openers", "9"),
            ("trained", "8"),
            ("tickets", "5"),
            ("tickets_per_100_enrolled", "45.4545454545"),
            ("median_resolution_hours", "5"),
            ("champions", "3"),
            ("enrolled_7d_ago", "8"),
            ("projected_target_date", ""),
        ],
    );
    // KFM, K1 Finance (f1–f6): enrolled in KFM f1 f2 f4 f5 f6 = 5 of 6 = 0.833333 (f3
    // only in MDM); gap +0.190476 -> on_track. The same email, training, tickets and
    // champion as M1's Finance (they are the person's): 5, 3, 3, 2 -> 100 × 2/5 = 40
    // per 100, median 14; 1. By D − 7: f5 f1 f2 = 3; by D − 14: f5 f1 = 2. Need 6, pace
    // 3/14: ceil(14/3) = 5 days -> 2026-11-25. KM: days 1 2 8 16 17 of 6: S = 5/6 4/6
    // 3/6 ...: median day 8; by day 14: 0.5.
    check(
        find(&rows, "KFM", "K1", "Finance"),
        &[
            ("eligible", "6"),
            ("enrolled", "5"),
            ("enrollment_rate", "0.833333333333"),
            ("enrollment_rate_low", "0.436497175"),
            ("enrollment_rate_high", "0.969946631"),
            ("target_rate", K1_TARGET),
            ("gap", "0.190476190476"),
            ("status", "on_track"),
            ("recipients", "5"),
            ("openers", "3"),
            ("trained", "3"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "40"),
            ("median_resolution_hours", "14"),
            ("champions", "1"),
            ("enrolled_7d_ago", "3"),
            ("projected_target_date", "2026-11-25"),
            ("median_days_to_enroll", "8"),
            ("share_by_day_14", "0.5"),
        ],
    );
    // K1 Sales (s1–s6): KFM s4 s5 = 2 of 6 = 0.333333 (s6's row is dated after D); gap
    // −0.309524 -> behind. Recipients 5, openers 3, trained 2; T4 T5 -> 100 per 100,
    // median 4; champion s1. By D − 7: s4 s5 = 2; by D − 14: s4. Need 6, pace 1/14:
    // 4 × 14 = 56 days -> 2027-01-15. KM: days 3, 10 of 6: S = 5/6, 4/6; by day 14
    // 0.333333; no median.
    check(
        find(&rows, "KFM", "K1", "Sales"),
        &[
            ("eligible", "6"),
            ("enrolled", "2"),
            ("enrollment_rate_low", "0.096771410"),
            ("enrollment_rate_high", "0.700006687"),
            ("gap", "-0.309523809524"),
            ("status", "behind"),
            ("recipients", "5"),
            ("openers", "3"),
            ("trained", "2"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "100"),
            ("median_resolution_hours", "4"),
            ("champions", "1"),
            ("enrolled_7d_ago", "2"),
            ("projected_target_date", "2027-01-15"),
            ("median_days_to_enroll", ""),
            ("share_by_day_14", "0.333333333333"),
        ],
    );
    // K1 (all): 7 of 12 = 0.583333; gap −0.059524 -> at_risk; recipients 10, openers 6,
    // trained 5; tickets 4 -> 57.14 per 100, median of 2, 4, 6, 24 = 5; champions 2; by
    // D − 7: 5, by D − 14: 3. Need 12, pace 4/14: ceil(5 × 14/4) = 18 days ->
    // 2026-12-08. KM: days 1 2 3 8 10 16 17 of 12: S(16) = 6/12: median day 16; by day
    // 14: 1 − 7/12 = 0.416667. No earlier KFM wave: no forecast (M1, MDM's, started
    // earlier but does not count).
    check(
        find(&rows, "KFM", "K1", "(all)"),
        &[
            ("eligible", "12"),
            ("enrolled", "7"),
            ("enrollment_rate", "0.583333333333"),
            ("enrollment_rate_low", "0.319511311"),
            ("enrollment_rate_high", "0.806739688"),
            ("gap", "-0.0595238095238"),
            ("status", "at_risk"),
            ("recipients", "10"),
            ("openers", "6"),
            ("trained", "5"),
            ("tickets", "4"),
            ("tickets_per_100_enrolled", "57.1428571429"),
            ("median_resolution_hours", "5"),
            ("champions", "2"),
            ("enrolled_7d_ago", "5"),
            ("projected_target_date", "2026-12-08"),
            ("median_days_to_enroll", "16"),
            ("share_by_day_14", "0.416666666667"),
            ("forecast_date", ""),
        ],
    );
    // K2 HR = K2 (all) (h1–h5): KFM h3 h4 h5 = 3 of 5 = 0.6 (h5 before the start counts);
    // target 0.2, gap +0.4 -> on_track. Recipients 4, openers 2, trained 2; T3 -> 33.33
    // per 100, no median; no champion. By D − 7: h5 (11-12). Need ceil(0.35 × 5) = 2
    // <= 3 -> reached. KM: days 0 1 2 of 5: S = 4/5 3/5 2/5: median day 2; 1 − S(4) =
    // 0.6 >= 0.35: the forecast is reached.
    for group in ["HR", "(all)"] {
        check(
            find(&rows, "KFM", "K2", group),
            &[
                ("eligible", "5"),
                ("enrolled", "3"),
                ("enrollment_rate", "0.6"),
                ("enrollment_rate_low", "0.230724279"),
                ("enrollment_rate_high", "0.882379227"),
                ("target_rate", "0.2"),
                ("gap", "0.4"),
                ("status", "on_track"),
                ("recipients", "4"),
                ("openers", "2"),
                ("trained", "2"),
                ("tickets", "1"),
                ("tickets_per_100_enrolled", "33.3333333333"),
                ("median_resolution_hours", ""),
                ("champions", "0"),
                ("enrolled_7d_ago", "1"),
                ("projected_target_date", "reached"),
                ("median_days_to_enroll", "2"),
            ],
        );
    }
    assert_eq!(
        find(&rows, "KFM", "K2", "(all)")["forecast_date"],
        "reached"
    );
    // K3 (Legal, 2 < 3): suppressed, every figure empty.
    for group in ["(small groups)", "(all)"] {
        let r = find(&rows, "KFM", "K3", group);
        assert_eq!(r["status"], "suppressed");
        for (col, cell) in r {
            if !["workload", "wave", "group", "status"].contains(&col.as_str()) {
                assert_eq!(cell, "", "K3/{group} {col}");
            }
        }
    }
    // KFM overall: K1 + K2 = 17 (K3 left out), 10 enrolled = 0.588235; target (12 ×
    // 0.642857 + 5 × 0.2) / 17 = 0.512605; gap +0.075630 -> on_track. Recipients 14,
    // openers 8, trained 7; tickets 5 -> 50 per 100, median 5; champions 2 (b1 has no
    // KFM wave); by D − 7: 6.
    check(
        find(&rows, "KFM", "(all)", "(all)"),
        &[
            ("eligible", "17"),
            ("enrolled", "10"),
            ("enrollment_rate", "0.588235294118"),
            ("enrollment_rate_low", "0.360054425"),
            ("enrollment_rate_high", "0.783889433"),
            ("target_rate", "0.512605042017"),
            ("gap", "0.0756302521008"),
            ("status", "on_track"),
            ("recipients", "14"),
            ("openers", "8"),
            ("trained", "7"),
            ("tickets", "5"),
            ("tickets_per_100_enrolled", "50"),
            ("median_resolution_hours", "5"),
            ("champions", "2"),
            ("enrolled_7d_ago", "6"),
        ],
    );
}

#[test]
fn cut_metrics_fold_the_location_that_nearly_coincides_with_a_group() {
    let (_dir, report) = report();
    let rows = table(&report, "cut_metrics");
    // Per cut, per workload and wave: the values as shown by name, then (all). M2's
    // Nice is gone (the guard folded it with Lyon); K2 merged Paris (1) into Nice.
    assert_eq!(
        keys(&rows, "value"),
        owned(&[
            ("MDM", "M1", "Lyon"),
            ("MDM", "M1", "Nice"),
            ("MDM", "M1", "Paris"),
            ("MDM", "M1", "(all)"),
            ("MDM", "M2", "(small values)"),
            ("MDM", "M2", "Paris"),
            ("MDM", "M2", "(all)"),
            ("KFM", "K1", "Lyon"),
            ("KFM", "K1", "Paris"),
            ("KFM", "K1", "(all)"),
            ("KFM", "K2", "Nice (+ small values)"),
            ("KFM", "K2", "(all)"),
            ("KFM", "K3", "(small values)"),
            ("KFM", "K3", "(all)"),
        ])
    );
    assert!(rows.iter().all(|r| r["cut"] == "location"));
    // M1 Lyon {f1 f2 f3}: all three enrolled in MDM -> 1.0, gap +0.142857 -> on_track;
    // recipients 3, openers f1 f2 -> 0.666667; trained f1 f3 -> 0.666667; T1 T2 -> 100
    // × 2/3 = 66.67.
    check(
        find(&rows, "MDM", "M1", "Lyon"),
        &[
            ("eligible", "3"),
            ("enrolled", "3"),
            ("enrollment_rate", "1"),
            ("enrollment_rate_low", "0.438502964"),
            ("enrollment_rate_high", "1"),
            ("target_rate", M1_TARGET),
            ("gap", "0.142857142857"),
            ("status", "on_track"),
            ("recipients", "3"),
            ("openers", "2"),
            ("open_rate", "0.666666666667"),
            ("trained", "2"),
            ("training_rate", "0.666666666667"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "66.6666666667"),
        ],
    );
    // M1 Nice {l1 l2 b1} = M1's (small groups): 2 of 3, behind; 2, 1, 0.5; 1; 0, 0.
    check(
        find(&rows, "MDM", "M1", "Nice"),
        &[
            ("eligible", "3"),
            ("enrolled", "2"),
            ("status", "behind"),
            ("recipients", "2"),
            ("openers", "1"),
            ("trained", "1"),
            ("tickets", "0"),
            ("tickets_per_100_enrolled", "0"),
        ],
    );
    // M1 Paris {f4 f5 f6}: MDM f4 = 1 of 3 -> 0.333333, gap −0.523810 -> behind;
    // recipients f4 f5, opener f5 -> 0.5; trained f5 -> 0.333333; no ticket.
    check(
        find(&rows, "MDM", "M1", "Paris"),
        &[
            ("eligible", "3"),
            ("enrolled", "1"),
            ("enrollment_rate_low", "0.061491944"),
            ("enrollment_rate_high", "0.792340401"),
            ("gap", "-0.52380952381"),
            ("status", "behind"),
            ("recipients", "2"),
            ("openers", "1"),
            ("open_rate", "0.5"),
            ("trained", "1"),
            ("tickets", "0"),
        ],
    );
    // M2 (small values) {h1–h4, s4 s5 s6}: MDM h1 h2 = 2 of 7 = 0.285714; gap −0.028571
    // -> at_risk. Recipients h1–h4 s4 s5 = 6, openers h1 h2 s4 = 3 -> 0.5; trained h1
    // h4 s4 = 3 -> 0.428571; T3 (h1) T5 (s5) = 2 -> 100 per 100.
    check(
        find(&rows, "MDM", "M2", "(small values)"),
        &[
            ("eligible", "7"),
            ("enrolled", "2"),
            ("enrollment_rate", "0.285714285714"),
            ("enrollment_rate_low", "0.082218923"),
            ("enrollment_rate_high", "0.641065550"),
            ("target_rate", M2_TARGET),
            ("gap", "-0.0285714285714"),
            ("status", "at_risk"),
            ("recipients", "6"),
            ("openers", "3"),
            ("open_rate", "0.5"),
            ("trained", "3"),
            ("training_rate", "0.428571428571"),
            ("tickets", "2"),
            ("tickets_per_100_enrolled", "100"),
        ],
    );
    // M2 Paris {h5 s1 s2 s3}: MDM s1 s2 s3 = 3 of 4 = 0.75, gap +0.435714 -> on_track;
    // recipients s1 s2 s3, openers s1 s2 -> 0.666667; trained s1 -> 0.25; T4 -> 33.33.
    check(
        find(&rows, "MDM", "M2", "Paris"),
        &[
            ("eligible", "4"),
            ("enrolled", "3"),
            ("enrollment_rate", "0.75"),
            ("gap", "0.435714285714"),
            ("status", "on_track"),
            ("recipients", "3"),
            ("openers", "2"),
            ("open_rate", "0.666666666667"),
            ("trained", "1"),
            ("training_rate", "0.25"),
            ("tickets", "1"),
            ("tickets_per_100_enrolled", "33.3333333333"),
        ],
    );
    // K1 Lyon {f1 f2 f3 s4 s5 s6}: KFM f1 f2 s4 s5 = 4 of 6, gap +0.023810 -> on_track;
    // recipients f1 f2 f3 s4 s5 = 5, openers f1 f2 s4 = 3 -> 0.6; trained f1 f3 s4 =
    // 3 -> 0.5; T1 T2 T5 = 3 -> 75 per 100.
    check(
        find(&rows, "KFM", "K1", "Lyon"),
        &[
            ("eligible", "6"),
            ("enrolled", "4"),
            ("target_rate", K1_TARGET),
            ("gap", "0.0238095238095"),
            ("status", "on_track"),
            ("recipients", "5"),
            ("openers", "3"),
            ("open_rate", "0.6"),
            ("trained", "3"),
            ("training_rate", "0.5"),
            ("tickets", "3"),
            ("tickets_per_100_enrolled", "75"),
        ],
    );
    // K1 Paris {f4 f5 f6 s1 s2 s3}: KFM f4 f5 f6 = 3 of 6 = 0.5, gap −0.142857 ->
    // behind; recipients f4 f5 s1 s2 s3 = 5, openers f5 s1 s2 = 3; trained f5 s1 = 2;
    // T4 -> 33.33 per 100.
    check(
        find(&rows, "KFM", "K1", "Paris"),
        &[
            ("eligible", "6"),
            ("enrolled", "3"),
            ("enrollment_rate", "0.5"),
            ("gap", "-0.142857142857"),
            ("status", "behind"),
            ("recipients", "5"),
            ("openers", "3"),
            ("trained", "2"),
            ("training_rate", "0.333333333333"),
            ("tickets", "1"),
            ("tickets_per_100_enrolled", "33.3333333333"),
        ],
    );
    // K2 Nice (+ small values) {h1–h5} = K2's HR: 3 of 5, on_track; 4, 2; 2; 1.
    check(
        find(&rows, "KFM", "K2", "Nice (+ small values)"),
        &[
            ("eligible", "5"),
            ("enrolled", "3"),
            ("status", "on_track"),
            ("recipients", "4"),
            ("openers", "2"),
            ("trained", "2"),
            ("tickets", "1"),
        ],
    );
    // Each wave's (all) row per cut is its group_metrics (all) row, figure for figure.
    let groups = table(&report, "group_metrics");
    for r in rows.iter().filter(|r| r["value"] == "(all)") {
        let g = find(&groups, &r["workload"], &r["wave"], "(all)");
        for (col, cell) in r {
            if !["cut", "value"].contains(&col.as_str()) {
                assert_eq!(cell, &g[col], "{}/{} {col}", r["workload"], r["wave"]);
            }
        }
    }
    // K3 is suppressed in cut_metrics too.
    for value in ["(small values)", "(all)"] {
        let r = find(&rows, "KFM", "K3", value);
        assert_eq!(
            (r["status"].as_str(), r["eligible"].as_str()),
            ("suppressed", "")
        );
    }
}

#[test]
fn attention_says_which_workload_a_group_is_behind_on() {
    let (_dir, report) = report();
    let rows = table(&report, "attention");
    // M1 (open 0.6, training 0.5, 40 tickets per 100):
    //   Finance: behind; open 0.6 and training 0.5 meet their targets; 50 > 40 ->
    //   support. missing ceil(0.857143 × 6) − 4 = 6 − 4 = 2.
    //   (small groups): behind; open 0.5 < 0.6 awareness, training 0.333 < 0.5
    //   knowledge; missing ceil(0.857143 × 3) − 2 = 3 − 2 = 1.
    // M2 (open 0.5, training 0.4, 60 per 100): HR meets every target and is on track:
    //   not listed. Sales: on track, training 0.333 < 0.4 knowledge, 66.67 > 60
    //   support; missing max(0, ceil(0.314286 × 6) − 3) = max(0, 2 − 3) = 0.
    // K1 (open 0.5, training 0.5, 50 per 100): Finance on track, 0.6, 0.5 and 40: not
    //   listed. Sales: behind; training 0.333 < 0.5 knowledge, 100 > 50 support;
    //   missing ceil(0.642857 × 6) − 2 = 4 − 2 = 2.
    // K2 (open 0.6, training 0.5, no ticket ceiling): HR on track, open 0.5 awareness,
    //   training 0.4 knowledge; missing max(0, ceil(0.2 × 5) − 3) = 0; no champion.
    // K3 is suppressed: nothing to list.
    // Ordered by missing desc, then gap (K1 Sales −0.31 before M1 Finance −0.19), wave.
    let got: Vec<[&str; 6]> = rows
        .iter()
        .map(|r| {
            [
                r["workload"].as_str(),
                r["wave"].as_str(),
                r["group"].as_str(),
                r["status"].as_str(),
                r["missing_users"].as_str(),
                r["diagnosis"].as_str(),
            ]
        })
        .collect();
    assert_eq!(
        got,
        [
            ["KFM", "K1", "Sales", "behind", "2", "knowledge;support"],
            ["MDM", "M1", "Finance", "behind", "2", "support"],
            [
                "MDM",
                "M1",
                "(small groups)",
                "behind",
                "1",
                "awareness;knowledge"
            ],
            ["MDM", "M2", "Sales", "on_track", "0", "knowledge;support"],
            ["KFM", "K2", "HR", "on_track", "0", "awareness;knowledge"],
        ]
    );
    assert_eq!(rows[4]["note"], "no champion in this group");
    assert!(rows[..4].iter().all(|r| r["note"].is_empty()));
    check(&rows[0], &[("gap", "-0.309523809524")]);
}

#[test]
fn lift_is_per_workload_and_each_side_counts_that_workloads_enrollments() {
    let (_dir, report) = report();
    let rows = table(&report, "lift");
    let lift = |workload: &str, wave: &str, factor: &str| {
        rows.iter()
            .find(|r| r["workload"] == workload && r["wave"] == wave && r["factor"] == factor)
            .unwrap_or_else(|| panic!("no lift row {workload}/{wave}/{factor}"))
    };
    let order: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["workload"].as_str(),
                r["wave"].as_str(),
                r["factor"].as_str(),
            )
        })
        .collect();
    let mut want = Vec::new();
    for (workload, waves) in [
        ("MDM", &["M1", "M2", "(all)"][..]),
        ("KFM", &["K1", "K2", "K3", "(all)"]),
    ] {
        for wave in waves {
            for factor in ["opened_email", "trained"] {
                want.push((workload, *wave, factor));
            }
        }
    }
    assert_eq!(order, want);
    // M1: openers {f1 f2 f5 l1}, of whom MDM-enrolled f1 f2 l1 = 3 of 4; the others
    // {f3 f4 f6 l2 b1}: f3 f4 l2 = 3 of 5. 0.75 − 0.6 = 0.15; pooled 6/9: z = 0.15 /
    // √(2/9 × (1/4 + 1/5)) = 0.474342, p = 0.635256. Trained {f1 f3 f5 l1}: f1 f3 l1 =
    // 3 of 4; untrained f2 f4 l2 = 3 of 5: the same figures.
    for factor in ["opened_email", "trained"] {
        check(
            lift("MDM", "M1", factor),
            &[
                ("n_with", "4"),
                ("enrolled_with", "3"),
                ("rate_with", "0.75"),
                ("n_without", "5"),
                ("enrolled_without", "3"),
                ("rate_without", "0.6"),
                ("difference", "0.15"),
                ("p_value", "0.635256296"),
            ],
        );
    }
    // M2: openers {h1 h2 s1 s2 s4}: h1 h2 s1 s2 = 4 of 5; the other 6: s3 = 1 -> p
    // 0.035682. Trained {h1 h4 s1 s4}: h1 s1 = 2 of 4; the other 7: h2 s2 s3 = 3.
    check(
        lift("MDM", "M2", "opened_email"),
        &[
            ("n_with", "5"),
            ("enrolled_with", "4"),
            ("n_without", "6"),
            ("enrolled_without", "1"),
            ("difference", "0.633333333333"),
            ("p_value", "0.035682329"),
        ],
    );
    check(
        lift("MDM", "M2", "trained"),
        &[
            ("n_with", "4"),
            ("enrolled_with", "2"),
            ("n_without", "7"),
            ("enrolled_without", "3"),
            ("p_value", "0.818970849"),
        ],
    );
    // MDM overall: openers 9, 7 enrolled; 11 others, 4. Trained 8, 5; 12 others, 6.
    check(
        lift("MDM", "(all)", "opened_email"),
        &[
            ("n_with", "9"),
            ("enrolled_with", "7"),
            ("n_without", "11"),
            ("enrolled_without", "4"),
            ("p_value", "0.064011937"),
        ],
    );
    check(
        lift("MDM", "(all)", "trained"),
        &[
            ("n_with", "8"),
            ("enrolled_with", "5"),
            ("n_without", "12"),
            ("enrolled_without", "6"),
            ("p_value", "0.581988900"),
        ],
    );
    // K1: the same openers' facts, KFM's enrollments. Openers {f1 f2 f5 s1 s2 s4}: f1 f2
    // f5 s4 = 4 of 6; the others {f3 f4 f6 s3 s5 s6}: f4 f6 s5 = 3 of 6. Trained {f1 f3
    // f5 s1 s4}: f1 f5 s4 = 3 of 5; untrained 7: f2 f4 f6 s5 = 4.
    check(
        lift("KFM", "K1", "opened_email"),
        &[
            ("n_with", "6"),
            ("enrolled_with", "4"),
            ("n_without", "6"),
            ("enrolled_without", "3"),
            ("difference", "0.166666666667"),
            ("p_value", "0.558184649"),
        ],
    );
    check(
        lift("KFM", "K1", "trained"),
        &[
            ("n_with", "5"),
            ("enrolled_with", "3"),
            ("n_without", "7"),
            ("enrolled_without", "4"),
            ("p_value", "0.921158650"),
        ],
    );
    // K2: openers h1 h2 = 2 and trained h1 h4 = 2: sides of 1..k − 1 people keep their
    // n and show nothing else; so does KFM's overall row (openers 6 + 2 = 8 of 17,
    // trained 5 + 2 = 7), since it minus K1 would give K2's sides away. K3 is
    // suppressed.
    for factor in ["opened_email", "trained"] {
        let k2 = lift("KFM", "K2", factor);
        assert_eq!(
            (
                k2["n_with"].as_str(),
                k2["n_without"].as_str(),
                k2["enrolled_with"].as_str()
            ),
            ("2", "3", "")
        );
        let k3 = lift("KFM", "K3", factor);
        assert_eq!(
            (k3["n_with"].as_str(), k3["enrolled_with"].as_str()),
            ("", "")
        );
        assert!(k3["note"].starts_with("wave suppressed"), "{k3:?}");
    }
    let all = |factor| {
        let r = lift("KFM", "(all)", factor);
        (
            r["n_with"].clone(),
            r["n_without"].clone(),
            r["enrolled_with"].clone(),
            r["p_value"].clone(),
        )
    };
    assert_eq!(
        all("opened_email"),
        ("8".into(), "9".into(), String::new(), String::new())
    );
    assert_eq!(
        all("trained"),
        ("7".into(), "10".into(), String::new(), String::new())
    );
}

#[test]
fn weekly_progress_counts_each_workloads_cohort_in_each_workloads_weeks() {
    let (_dir, report) = report();
    let rows = table(&report, "weekly_progress");
    let week = |workload: &str, wave: &str, group: &str, k: &str| {
        rows.iter()
            .find(|r| {
                r["workload"] == workload
                    && r["wave"] == wave
                    && r["group"] == group
                    && r["week_of_wave"] == k
            })
            .unwrap_or_else(|| panic!("no week {k} of {workload}/{wave}/{group}"))
    };
    // M1 (all), 9 people, weeks ending 10-25, 11-01, 11-08, 11-15 and D: MDM-enrolled
    // f1 l1 = 2; + f2 = 3; + f3 = 4; + f4 = 5; + l2 = 6. Targets at t = 6, 13, 20, 27,
    // 32: 6/14 × 0.5 = 0.214286; 0.464286; 0.5 + 6/14 × 0.3 = 0.628571; 0.778571;
    // 0.857143. Tickets opened: T1 (10-21) in week 0, T2 (11-04) in week 2.
    for (k, as_of, enrolled, target, tickets) in [
        ("0", "2026-10-25", "2", "0.214285714286", "1"),
        ("1", "2026-11-01", "3", "0.464285714286", "0"),
        ("2", "2026-11-08", "4", "0.628571428571", "1"),
        ("3", "2026-11-15", "5", "0.778571428571", "0"),
        ("4", "2026-11-20", "6", M1_TARGET, "0"),
    ] {
        check(
            week("MDM", "M1", "(all)", k),
            &[
                ("as_of", as_of),
                ("eligible", "9"),
                ("enrolled", enrolled),
                ("target_rate", target),
                ("tickets", tickets),
            ],
        );
    }
    // M2 (all), 11 people: by 11-15 s1 h1 s2 = 3, target 6/7 × 0.2 = 0.171429, tickets
    // T4 T3 = 2; by D 5, T5 = 1. HR: h1 then h1 h2; Sales: s1 s2 then s1 s2 s3.
    check(
        week("MDM", "M2", "(all)", "0"),
        &[
            ("week_start", "2026-11-09"),
            ("as_of", "2026-11-15"),
            ("eligible", "11"),
            ("enrolled", "3"),
            ("enrollment_rate", "0.272727272727"),
            ("target_rate", "0.171428571429"),
            ("tickets", "2"),
        ],
    );
    check(
        week("MDM", "M2", "(all)", "1"),
        &[("as_of", "2026-11-20"), ("enrolled", "5"), ("tickets", "1")],
    );
    check(
        week("MDM", "M2", "HR", "0"),
        &[("enrolled", "1"), ("tickets", "1")],
    );
    check(
        week("MDM", "M2", "Sales", "1"),
        &[("enrolled", "3"), ("tickets", "1")],
    );
    // K1 (all), 12 people, weeks ending 11-08, 11-15 and D: KFM-enrolled f5 f1 s4 = 3;
    // + f2 s5 = 5; + f4 f6 = 7. Targets at t = 6, 13, 18: 0.214286, 0.464286, 0.642857.
    // Tickets: T2 (11-04), T4 (11-10), T5 (11-19): one a week; T1 (10-21) is before K1's
    // first week. K1 Finance: f5 f1 = 2; + f2 = 3; + f4 f6 = 5.
    for (k, enrolled, target, finance) in [
        ("0", "3", "0.214285714286", "2"),
        ("1", "5", "0.464285714286", "3"),
        ("2", "7", K1_TARGET, "5"),
    ] {
        check(
            week("KFM", "K1", "(all)", k),
            &[
                ("eligible", "12"),
                ("enrolled", enrolled),
                ("target_rate", target),
                ("tickets", "1"),
            ],
        );
        check(week("KFM", "K1", "Finance", k), &[("enrolled", finance)]);
    }
    // K2: one week (11-16 to D): h3 h4 and h5 (before the start) = 3 of 5; target 0.2;
    // T3 was opened before the week.
    check(
        week("KFM", "K2", "(all)", "0"),
        &[
            ("week_start", "2026-11-16"),
            ("as_of", "2026-11-20"),
            ("eligible", "5"),
            ("enrolled", "3"),
            ("target_rate", "0.2"),
            ("tickets", "0"),
        ],
    );
    // K3 keeps its week and shows nothing.
    let k3 = week("KFM", "K3", "(all)", "0");
    assert_eq!((k3["eligible"].as_str(), k3["enrolled"].as_str()), ("", ""));
    // The same people in every week of a series.
    for r in rows
        .iter()
        .filter(|r| r["group"] == "(all)" && r["wave"] != "K3")
    {
        let want = match r["wave"].as_str() {
            "M1" => "9",
            "M2" => "11",
            "K1" => "12",
            _ => "5",
        };
        assert_eq!(r["eligible"], want, "{r:?}");
    }
}

#[test]
fn rows_naming_no_configured_workload_are_quarantined_and_counted() {
    let (_dir, report) = report();
    let quality = table(&report, "data_quality");
    let get = |s: &str| quality.iter().find(|r| r["source"] == s).unwrap();
    // mdm.csv 13 rows + adoption.csv 16 = 29 read; f5's `Teams Phone` and b1's empty
    // workload quarantined. Roster: 23 rows; c1 has no wave in either workload; f7 and
    // s7 left by D (s6 leaves after); K3's l1 l2 are suppressed.
    check(
        get("enrollments"),
        &[
            ("rows_read", "29"),
            ("rows_accepted", "27"),
            ("rows_quarantined", "2"),
        ],
    );
    check(
        get("roster"),
        &[
            ("rows_read", "23"),
            ("unassigned", "1"),
            ("left", "2"),
            ("suppressed", "2"),
        ],
    );
    let quarantine = read_table(&report.join("quarantine/enrollments.csv"));
    let reasons: Vec<(&str, &str)> = quarantine
        .iter()
        .map(|r| (r["line"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("6", "`workload`: `Teams Phone` is not a [[workloads]] name"),
            (
                "7",
                "no workload: the row's `workload` is empty and [sources.enrollments[1]] sets none"
            ),
        ]
    );
}

#[test]
fn nudge_lists_say_which_workloads_a_person_has_not_adopted() {
    let (_dir, report) = report();
    let list = |wave: &str| read_csv(&report.join(format!("private/nudge_{wave}.csv")));
    let m1 = list("M1");
    assert_eq!(m1[0], NUDGE_HEADER);
    // (user, workload, not_yet_adopted) of each wave, by group, message, name. Not
    // enrolled in MDM by D: M1 b1 f5 f6; M2 h3 h4 h5 s4 s5 s6. Not in KFM: K1 f3 s1 s2
    // s3 s6; K2 h1 h2; K3 l2 (the list is private: a suppressed wave has one too).
    // f5 is ahead on KFM (its first in K1), so only MDM is hers to adopt; s1, ahead
    // on MDM (M2's first), has only KFM left; s6 has adopted neither.
    let people = |rows: &[Vec<String>]| -> Vec<(String, String, String)> {
        rows[1..]
            .iter()
            .map(|r| (r[0].replace("@example.com", ""), r[6].clone(), r[7].clone()))
            .collect()
    };
    let mdm = |id: &str| (id.to_string(), "MDM".to_string(), "MDM".to_string());
    let kfm = |id: &str| (id.to_string(), "KFM".to_string(), "KFM".to_string());
    let both = |id: &str, w: &str| (id.to_string(), w.to_string(), "MDM; KFM".to_string());
    assert_eq!(people(&m1), [mdm("b1"), mdm("f6"), mdm("f5")]);
    assert_eq!(
        people(&list("M2")),
        [
            mdm("h5"),
            mdm("h3"),
            mdm("h4"),
            both("s6", "MDM"),
            mdm("s5"),
            mdm("s4")
        ]
    );
    assert_eq!(
        people(&list("K1")),
        [
            kfm("f3"),
            both("s6", "KFM"),
            kfm("s3"),
            kfm("s1"),
            kfm("s2")
        ]
    );
    assert_eq!(people(&list("K2")), [kfm("h1"), kfm("h2")]);
    assert_eq!(people(&list("K3")), [kfm("l2")]);
}

//! The hand-worked fixture of what follows enrollment (tests/fixtures/after): every
//! `after_enrollment` cell derived by hand below, the attention list's new
//! diagnoses, and the private comments.
//!
//! D = 2026-11-20 in UTC, `active_days` = 30: a check-in counts from the end of
//! D − 30 (2026-10-22T00:00Z) to the end of D (2026-11-21T00:00Z); a use counts on the
//! 30 days 2026-10-22 … 2026-11-20; "enrolled by D − 30" means before 2026-10-22T00:00Z.
//! min_group_size = 5; the survey's scale is 0–10, satisfied from 9.
//!
//! A (a01–a20), 20 eligible, 7 enrolled (a01–a07):
//!   a01 compliant, checked in 11-18                          -> healthy
//!   a02 compliant but stale (checked in 10-10), enrolled 10-05 -> not healthy; lapsed
//!   a03 two devices: a phone not compliant (11-19), a laptop compliant (11-15)
//!                                                            -> healthy (one device is)
//!   a04 not compliant, checked in 11-19                      -> neither
//!   a05 enrolled 11-10, no check-in: enrolled after D − 30   -> neither
//!   a06 compliant, checked in 10-22T00:00Z, the window's first instant -> healthy
//!   a07 compliant, checked in 10-21T23:59Z, a minute too early -> lapsed
//!   healthy 3, health_rate 3/7 = 0.428571, lapsed 2.
//!   usage: a01 11-20 and a02 10-22 (the window's first day) active; a03 10-21 (one
//!   day too early) and a04 (empty: never used) not -> active 2, active_rate 2/20 = 0.1.
//!   survey: a01 answered twice (6 on 11-02, then 10 on 11-10: the latest counts),
//!   a02 3, a03 8, a09 7 (eligible, not enrolled); a05's answer on 11-21 is after D
//!   -> 4 responses, all identified: response_rate 4/7 = 0.571429. 4 < 5 responses:
//!   the count only, every score figure empty.
//! B (b1–b6), 6 eligible, 4 enrolled (b1–b4):
//!   b1 compliant, checked in on D at 12:00 -> healthy; b2 compliant, 11-01 -> healthy;
//!   b3 not compliant, 11-19 -> neither; b4 compliant, never checked in, enrolled 10-03
//!   -> lapsed. healthy 2, health_rate 2/4 = 0.5, lapsed 1.
//!   usage: b1 11-19, b2 11-01 active; b3 09-30 not -> active 2, 2/6 = 0.333333.
//!   survey: b1 10, b2 9, b3 6, b4 8 identified, and two anonymous responses whose
//!   department cell is B: 9 and 0 -> 6 responses, 4 identified: response_rate 4/4 = 1.
//!   scores 10 9 6 8 9 0: mean 42/6 = 7; deviations 3 2 −1 1 2 −7, squares sum 68,
//!   s² = 68/5 = 13.6, s/√6 = 1.505545; t(0.975, 5) = 2.570582, half = 3.870127
//!   -> (3.129873, 10.870127), the high end kept on the scale: 10.
//!   satisfied (≥ 9): 10 9 9 = 3 of 6 = 0.5; Wilson(3, 6) = (0.187616, 0.812384).
//!   NPS: promoters (9–10) 3, detractors (0–6) 6 and 0 = 2, one passive (8):
//!   100 × (3 − 2)/6 = 16.666667.
//! C (c1–c5), 5 eligible, none enrolled: healthy 0, health_rate empty (0 enrolled),
//!   lapsed 0, active 0 (0/5 = 0); c1 answered 5 on 11-08: 1 response, identified, its
//!   response_rate empty (0 enrolled); 1 < 5: the count only.
//! W1 (all): 31 eligible, 11 enrolled, healthy 5 (5/11 = 0.454545), lapsed 3, active
//!   4 (4/31 = 0.129032), 11 responses, 9 identified (9/11 = 0.818182). A (4) and C
//!   (1) hide their scores and pool 5 responses: (all) minus B gives the pooled
//!   scores of 5 people, so B keeps its figures and the wave shows its own
//!   (docs/privacy.md, "Survey scores"). Its 11 scores 10 3 8 7 | 10 9 6 8 9 0 | 5:
//!   sum 75, mean 75/11 = 6.818182; Σx² = 609, Σ(x − mean)² = 609 − 75²/11 =
//!   97.636364, s² = 9.763636, s/√11 = 0.942127; t(0.975, 10) = 2.228139, half =
//!   2.099190 -> (4.718992, 8.917372). Satisfied (≥ 9) 10 10 9 9 = 4 of 11 = 0.363636,
//!   Wilson(4, 11) = (0.151665, 0.646199). NPS: promoters 4, detractors 3 6 0 5 = 4:
//!   100 × 0/11 = 0. The overall row is the same people.
//!
//! Attention: W1 is at day 50, target 0.5 + 22/28 × 0.5 = 0.892857. A: 7/20 = 0.35,
//! behind -> adoption; health 0.43 < 0.8; use 0.1 < 0.5; its satisfaction is not
//! shown, so no experience. B: 4/6 = 0.67, behind -> adoption; health 0.5 < 0.8; use
//! 0.33 < 0.5; satisfied 0.5 < 0.6 -> experience. C: 0/5 behind -> adoption; health
//! not known (none enrolled); use 0 < 0.5.

use crate::util::{check, copy_fixture, find, read_csv, read_table, run_ok, sponsor_files};

const NO_SCORES: [(&str, &str); 7] = [
    ("mean_score", ""),
    ("mean_score_low", ""),
    ("mean_score_high", ""),
    ("satisfied_share", ""),
    ("satisfied_share_low", ""),
    ("satisfied_share_high", ""),
    ("nps", ""),
];

#[test]
fn after_enrollment_matches_the_hand_worked_cells() {
    let dir = copy_fixture("after");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &["--user-lists"],
    );
    let rows = read_table(&report.join("tables/after_enrollment.csv"));
    let order: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["wave"].as_str(), r["group"].as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("W1", "A"),
            ("W1", "B"),
            ("W1", "C"),
            ("W1", "(all)"),
            ("(all)", "(all)")
        ]
    );
    let a = find(&rows, "W1", "A");
    check(
        a,
        &[
            ("eligible", "20"),
            ("enrolled", "7"),
            ("healthy", "3"),
            ("health_rate", "0.428571428571"),
            ("lapsed", "2"),
            ("active", "2"),
            ("active_rate", "0.1"),
            ("responses", "4"),
            ("response_rate", "0.571428571429"),
        ],
    );
    check(a, &NO_SCORES);
    check(
        find(&rows, "W1", "B"),
        &[
            ("eligible", "6"),
            ("enrolled", "4"),
            ("healthy", "2"),
            ("health_rate", "0.5"),
            ("lapsed", "1"),
            ("active", "2"),
            ("active_rate", "0.333333333333"),
            ("responses", "6"),
            ("response_rate", "1"),
            ("mean_score", "7"),
            ("mean_score_low", "3.129873"),
            ("mean_score_high", "10"),
            ("satisfied_share", "0.5"),
            ("satisfied_share_low", "0.187616"),
            ("satisfied_share_high", "0.812384"),
            ("nps", "16.666667"),
        ],
    );
    let c = find(&rows, "W1", "C");
    check(
        c,
        &[
            ("eligible", "5"),
            ("enrolled", "0"),
            ("healthy", "0"),
            ("health_rate", ""),
            ("lapsed", "0"),
            ("active", "0"),
            ("active_rate", "0"),
            ("responses", "1"),
            ("response_rate", ""),
        ],
    );
    check(c, &NO_SCORES);
    for wave in ["W1", "(all)"] {
        check(
            find(&rows, wave, "(all)"),
            &[
                ("eligible", "31"),
                ("enrolled", "11"),
                ("healthy", "5"),
                ("health_rate", "0.454545454545"),
                ("lapsed", "3"),
                ("active", "4"),
                ("active_rate", "0.129032258065"),
                ("responses", "11"),
                ("response_rate", "0.818181818182"),
                ("mean_score", "6.818182"),
                ("mean_score_low", "4.718992"),
                ("mean_score_high", "8.917372"),
                ("satisfied_share", "0.363636"),
                ("satisfied_share_low", "0.151665"),
                ("satisfied_share_high", "0.646199"),
                ("nps", "0"),
            ],
        );
    }

    let attention = read_table(&report.join("tables/attention.csv"));
    check(
        find(&attention, "W1", "A"),
        &[("diagnosis", "adoption;health;use")],
    );
    check(
        find(&attention, "W1", "C"),
        &[("diagnosis", "adoption;use")],
    );
    let b = find(&attention, "W1", "B");
    check(b, &[("diagnosis", "adoption;health;use;experience")]);
    assert!(b["action"].contains("device compliance clinic"), "{b:?}");
    assert!(b["action"].contains("read the comments"), "{b:?}");

    // The comments of the responses counted, by group, without ids or times; a01's
    // first answer (replaced) and a05's (after D) are not among them.
    let comments = read_csv(&report.join("private/comments_W1.csv"));
    assert_eq!(
        comments,
        [
            vec!["group", "score", "comment"],
            vec!["A", "3", "Lento al arrancar"],
            vec!["B", "0", "Password prompts every day"],
            vec!["B", "9", "Ça marche bien"],
        ]
    );
    // The attack of docs/privacy.md finds nothing, and finds the scores of too few
    // responses when a table shows them: on A (4 responses) or on C (1).
    assert_eq!(crate::attack::attack(&report, 5), Vec::<String>::new());
    let path = report.join("tables/after_enrollment.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in [
        (",A,20,7,3,0.428571428571,2,2,0.1,4,0.571428571429,", "7.5"),
        (",C,5,0,0,,0,0,0,1,,", "5"),
    ] {
        assert!(text.contains(from), "{from} not in\n{text}");
        std::fs::write(&path, text.replacen(from, &format!("{from}{to}"), 1)).unwrap();
        assert!(!crate::attack::attack(&report, 5).is_empty(), "{from}");
    }
    std::fs::write(&path, &text).unwrap();

    // The digest gives the wave one sentence for its missed targets (health 5/11 =
    // 45.5 % < 80 %, use 4/31 = 12.9 % < 50 %, satisfied 4/11 = 36.4 % < 60 %);
    // the page has the section with B's figures and none of A's scores.
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(
        summary.contains(
            "- W1, after enrollment: healthy devices 45.5 % (target 80.0 %), active use 12.9 % (target 50.0 %), satisfied respondents 36.4 % (target 60.0 %) — below target."
        ),
        "{summary}"
    );
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    let section = &page[page
        .find("<section id=\"after\">")
        .expect("an after section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("50.0 % (18.8 %–81.2 %)"), "{section}");
    assert!(
        section.contains("7.0 (3.1–10.0)") && section.contains("16.7"),
        "{section}"
    );

    // No comment reaches a sponsor-facing file.
    for file in sponsor_files(&report) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for words in ["Lento", "Password prompts", "marche bien", "first thoughts"] {
            assert!(!text.contains(words), "{} shows {words}", file.display());
        }
    }
}

#[test]
fn after_enrollment_is_empty_where_its_sources_are_absent() {
    // The hand-worked enrollment fixture has no compliance, no check-in, no usage and
    // no survey: every figure after `enrolled` is empty, not zero.
    let dir = copy_fixture("handworked");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    let rows = read_table(&report.join("tables/after_enrollment.csv"));
    let fin = find(&rows, "W1", "Finance");
    check(fin, &[("eligible", "5"), ("enrolled", "3")]);
    for col in [
        "healthy",
        "health_rate",
        "lapsed",
        "active",
        "active_rate",
        "responses",
    ] {
        assert_eq!(fin[col], "", "{col}");
    }
    check(fin, &NO_SCORES);
    // Nor does the page grow a section of empty figures.
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(!page.contains("<section id=\"after\">"));
}

#[test]
fn an_anonymous_answer_counts_only_where_its_group_lies_in_one_wave() {
    // The hand-worked fixture with a second workload, "KFM", whose waves come from a
    // roster column that splits groups A and B: a01–a10, b1–b3 and all of C in K1,
    // a11–a20 and b4–b6 in K2. The two anonymous answers name group B, which lies in
    // one wave of "After rollout" (W1) but in two of KFM: there they cannot be placed,
    // so KFM counts only the 9 identified eligible answers (a01, a02, a03, a09, b1–b4,
    // c1), while "After rollout" keeps its 11 (9 + the 2 anonymous). Before the fix
    // the two landed in whichever KFM wave the last person of B was in (K2: 3, and
    // KFM 11).
    let dir = copy_fixture("after");
    let roster = dir.path().join("roster.csv");
    let mut out = String::from("user_id,department,kfm_wave\n");
    for row in read_csv(&roster).iter().skip(1) {
        let (id, group) = (&row[0], &row[1]);
        let n: u32 = id
            .trim_start_matches(['a', 'b', 'c'])
            .split('@')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let wave = if (group == "A" && n <= 10) || (group == "B" && n <= 3) || group == "C" {
            "K1"
        } else {
            "K2"
        };
        out.push_str(&format!("{id},{group},{wave}\n"));
    }
    std::fs::write(&roster, out).unwrap();
    let config = dir.path().join("uptake.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(
        "[[waves]]\nname = \"W1\"\n",
        "[[workloads]]\nname = \"After rollout\"\n[[workloads]]\nname = \"KFM\"\n\
         wave_column = \"kfm_wave\"\n\n[[waves]]\nname = \"K1\"\nworkload = \"KFM\"\n\
         start = \"2026-10-01\"\nenrollment_target = [[28, 0.5]]\n[[waves]]\nname = \"K2\"\nworkload = \"KFM\"\n\
         start = \"2026-10-01\"\nenrollment_target = [[28, 0.5]]\n\n[[waves]]\nname = \"W1\"\nworkload = \"After rollout\"\n",
    );
    let text = text.replace(
        "[sources.enrollments]\npath = \"enrollments.csv\"\n",
        "[sources.enrollments]\npath = \"enrollments.csv\"\nworkload = \"After rollout\"\n",
    );
    std::fs::write(&config, text).unwrap();
    let report = run_ok(&config, &dir.path().join("out"), &[]);
    let rows = read_table(&report.join("tables/after_enrollment.csv"));
    let total = |workload: &str| {
        rows.iter()
            .find(|r| r["workload"] == workload && r["wave"] == "(all)")
            .unwrap_or_else(|| panic!("no overall row of {workload}"))["responses"]
            .clone()
    };
    assert_eq!(total("After rollout"), "11");
    assert_eq!(total("KFM"), "9");
    // Each KFM wave holds its own identified answers: K1 a01, a02, a03, a09, b1–b3,
    // c1; K2 b4.
    let wave = |name: &str| {
        rows.iter()
            .find(|r| r["workload"] == "KFM" && r["wave"] == name && r["group"] == "(all)")
            .unwrap()["responses"]
            .clone()
    };
    assert_eq!(wave("K1"), "8");
    assert_eq!(wave("K2"), "1");
}

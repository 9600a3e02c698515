//! The channels fixture (tests/fixtures/channels): reach beyond email and the ways to
//! learn, every new cell derived by hand below.
//!
//! D = 2026-11-20 in UTC; min_group_size = 3; training_min_minutes = 30. One wave, W1
//! (start 2026-11-02, target 1.0 from day 14), one group, Ops: p1…p8, 8 eligible.
//! Enrolled by D: p1 p2 p3 p4 p7 = 5.
//!
//! Reach (an email open or click, or any touchpoint, by D):
//!   p1 email open only; p2 viva engage only (written `Viva  Engage`); p3 email click
//!   and meeting (both); p4 meeting (`Meeting`); p5 meeting; p6 viva engage and
//!   meeting; p7 nothing; p8 only sent an email (no open) and a meeting on 11-21,
//!   after D -> not reached. reached = p1..p6 = 6; reach_rate 6/8 = 0.75.
//!   recipients p1 p3 p8 = 3, openers p1 p3 = 2: open_rate 0.666667.
//! channels (W1, and (all) the same with one wave):
//!   email: p1 p3 = 2 < 3 -> no figures. viva engage: p2 p6 = 2 -> no figures.
//!   meeting: p3 p4 p5 p6 = 4, reach_rate 0.5; enrolled among them p3 p4 = 2/4 = 0.5;
//!   not reached p1 p2 p7 p8, enrolled p1 p2 p7 = 3/4 = 0.75; difference -0.25;
//!   pooled 5/8: z = -0.25 / sqrt(0.625 × 0.375 × (1/4 + 1/4)) = -0.7303 -> p 0.465209.
//! attention: gap 5/8 − 1.0 = -0.375 -> behind. email_open_target 0.7: open_rate
//!   0.667 would say `awareness`, but with touchpoints reach (0.75) is judged -> none,
//!   so the diagnosis is `adoption`.
//!
//! Ways to learn (`brown bag` = brown-bag*, then `lunch` = *lunch*):
//!   p1 Basics 40 min (instructor-led); p2 a completion on 11-10 only (self-paced);
//!   p3 "brown-bag lunch" 45 min: both globs match, the first entry wins -> brown bag;
//!   p4 "Friday lunch" 30 min -> lunch; p5 Basics 20 + brown-bag lunch 15 = 35 ->
//!   trained, but by neither method alone; p6 Basics 30 -> instructor-led; p7 a
//!   completion on 11-25, after D -> not trained; p8 Basics 60 -> instructor-led.
//!   trained = p1 p2 p3 p4 p5 p6 p8 = 7 (p2 by completion alone); training_rate 0.875.
//! training_methods: brown bag 1 (p3), lunch 1 (p4), self-paced 1 (p2): < 3 -> empty.
//!   instructor-led p1 p6 p8 = 3, share 3/8 = 0.375, enrolled p1 = 1/3.
//! lift trained:instructor-led: with 3 (1 enrolled, 0.333333), without p2 p3 p4 p5 p7
//!   = 5 (4 enrolled, 0.8), difference -0.466667.

use std::collections::BTreeMap;

use crate::util::{copy_fixture, read_table, run_ok};

type Row = BTreeMap<String, String>;

fn tables() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, report) = report_of("channels", &[]);
    (dir, report.join("tables"))
}

/// The report of a fixture run with `args`, and the folder that holds both.
fn report_of(fixture: &str, args: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = copy_fixture(fixture);
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        args,
    );
    (dir, report)
}

fn row<'a>(rows: &'a [Row], key: &str, wave: &str, value: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["wave"] == wave && r[key] == value)
        .unwrap_or_else(|| panic!("no row {wave}/{value}"))
}

fn cells(r: &Row, names: &[&str]) -> Vec<String> {
    names.iter().map(|n| r[*n].clone()).collect()
}

#[test]
fn reach_counts_email_opens_and_every_touchpoint_by_d() {
    let (_dir, tables) = tables();
    let groups = read_table(&tables.join("group_metrics.csv"));
    for (wave, group) in [("W1", "Ops"), ("W1", "(all)"), ("(all)", "(all)")] {
        let r = groups
            .iter()
            .find(|r| r["wave"] == wave && r["group"] == group)
            .unwrap();
        let got = cells(
            r,
            &[
                "eligible",
                "enrolled",
                "openers",
                "open_rate",
                "reached",
                "reach_rate",
                "trained",
                "training_rate",
            ],
        );
        assert_eq!(
            got,
            ["8", "5", "2", "0.666666666667", "6", "0.75", "7", "0.875"],
            "{wave}/{group}"
        );
    }
}

#[test]
fn channels_show_reach_and_lift_and_blank_a_channel_that_reached_few() {
    let (_dir, tables) = tables();
    let channels = read_table(&tables.join("channels.csv"));
    let order: Vec<_> = channels
        .iter()
        .map(|r| format!("{}/{}", r["wave"], r["channel"]))
        .collect();
    assert_eq!(
        order,
        [
            "W1/email",
            "W1/meeting",
            "W1/viva engage",
            "(all)/email",
            "(all)/meeting",
            "(all)/viva engage"
        ]
    );
    let figures = [
        "reached",
        "reach_rate",
        "enrolled_rate_reached",
        "enrolled_rate_not_reached",
        "difference",
        "p_value",
    ];
    for wave in ["W1", "(all)"] {
        let meeting = row(&channels, "channel", wave, "meeting");
        assert_eq!(
            cells(meeting, &figures),
            ["4", "0.5", "0.5", "0.75", "-0.25", "0.465208818452"]
        );
        for few in ["email", "viva engage"] {
            let r = row(&channels, "channel", wave, few);
            assert!(
                figures.iter().all(|f| r[*f].is_empty()),
                "{wave}/{few}: {r:?}"
            );
        }
    }
}

#[test]
fn awareness_is_judged_on_reach_when_touchpoints_are_configured() {
    let (_dir, tables) = tables();
    let attention = read_table(&tables.join("attention.csv"));
    assert_eq!(attention.len(), 1);
    assert_eq!(
        cells(&attention[0], &["group", "status", "diagnosis"]),
        ["Ops", "behind", "adoption"]
    );
}

#[test]
fn training_methods_count_completions_and_the_first_matching_glob() {
    let (_dir, tables) = tables();
    let methods = read_table(&tables.join("training_methods.csv"));
    let order: Vec<_> = methods
        .iter()
        .filter(|r| r["wave"] == "W1")
        .map(|r| r["method"].clone())
        .collect();
    assert_eq!(
        order,
        ["brown bag", "lunch", "instructor-led", "self-paced"]
    );
    for wave in ["W1", "(all)"] {
        let led = row(&methods, "method", wave, "instructor-led");
        assert_eq!(
            cells(led, &["trained", "share", "enrolled_rate"]),
            ["3", "0.375", "0.333333333333"]
        );
        for few in ["brown bag", "lunch", "self-paced"] {
            let r = row(&methods, "method", wave, few);
            assert_eq!(
                cells(r, &["trained", "share", "enrolled_rate"]),
                ["", "", ""]
            );
        }
    }
    let lift = read_table(&tables.join("lift.csv"));
    let factors: Vec<_> = lift
        .iter()
        .filter(|r| r["wave"] == "W1")
        .map(|r| (r["factor"].clone(), r["n_with"].clone()))
        .collect();
    let expected = [
        ("opened_email", "2"),
        ("trained", "7"),
        ("trained:brown bag", "1"),
        ("trained:lunch", "1"),
        ("trained:instructor-led", "3"),
        ("trained:self-paced", "1"),
    ];
    assert_eq!(
        factors,
        expected.map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let led = row(&lift, "factor", "W1", "trained:instructor-led");
    assert_eq!(
        cells(
            led,
            &[
                "enrolled_with",
                "rate_with",
                "n_without",
                "enrolled_without",
                "rate_without",
                "difference"
            ]
        ),
        ["1", "0.333333333333", "5", "4", "0.8", "-0.466666666667"]
    );
}

#[test]
fn the_page_and_the_lessons_show_reach_and_the_ways_to_learn() {
    let (_dir, tables) = tables();
    let report = tables.parent().unwrap();
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(page.contains("Funnel: eligible, reached, trained, enrolled"));
    assert!(page.contains(r#"<section id="channels">"#));
    let lessons = std::fs::read_to_string(report.join("lessons.md")).unwrap();
    // The one channel shown (meeting) and the one method shown (instructor-led).
    assert!(
        lessons.contains(
            "- W1: people reached by meeting enrolled at 50.0 % against 75.0 % for those it \
             did not reach (−25.0 pts, p-value 0.465); of the ways to learn, instructor-led \
             went with the highest enrollment (33.3 % of the 3 it trained)."
        ),
        "{lessons}"
    );
    assert!(lessons.contains("This is observational too"));
}

/// The campaign_reach fixture (tests/fixtures/campaign_reach): D = 2026-11-20 UTC,
/// min_group_size 3. W1 = Ops p1…p10 (10 eligible), W2 = Eng q1…q3 (3 eligible).
/// Campaigns: `kickoff` (W1, planned 11-02) and `town-hall` (W1, planned 11-09) in the
/// config; `faq` and `poster` only in the touchpoints (their people: every wave's).
///
/// kickoff: email sent to p1…p8 on 11-02 -> recipients 8, reach 8/10 = 0.8;
///   opens p1 p2 p3, clicks p1 p2 p4 -> openers p1…p4 = 4, open_rate 0.5, clicks 3;
///   touchpoints: meeting p3 (also opened: once) p5 p6 p7, and q1 (W2: not the
///   campaign's wave, not counted); intranet p4 (also clicked: once).
///   reached = p1…p7 = 7, reach_rate 7/10 = 0.7; 7 − 4 openers = 3, not few.
///   first_sent 11-02, days_late 0.
/// town-hall (touchpoints only, in the config): meeting p8 p9 p10, viva engage p10
///   again (once), p1 on 11-21 (after D) -> reached 3, reach_rate 0.3; recipients,
///   openers, clicks, bounces 0, reach 0/10 = 0, open_rate and first_sent empty.
/// faq (only the touchpoints name it): intranet p1 (W1) q1 q2 (W2) -> reached 3,
///   no reach_rate (no wave).
/// poster: p2 p3 -> 2 < 3 -> empty, with the few-people note.
/// (p6's intranet view names no campaign: it counts for no campaign.)
#[test]
fn campaign_reach_counts_each_person_once_over_email_and_touchpoints() {
    let (_dir, report) = report_of("campaign_reach", &["--user-lists"]);
    let campaigns = read_table(&report.join("tables/campaigns.csv"));
    let names: Vec<&str> = campaigns.iter().map(|r| r["campaign"].as_str()).collect();
    assert_eq!(names, ["kickoff", "town-hall", "faq", "poster"]);
    let columns = [
        "recipients",
        "openers",
        "open_rate",
        "clicks",
        "bounces",
        "reach",
        "reached",
        "reach_rate",
        "first_sent",
        "days_late",
    ];
    let expected = [
        [
            "8",
            "4",
            "0.5",
            "3",
            "0",
            "0.8",
            "7",
            "0.7",
            "2026-11-02",
            "0",
        ],
        ["0", "0", "", "0", "0", "0", "3", "0.3", "", ""],
        ["0", "0", "", "0", "0", "", "3", "", "", ""],
        ["0", "0", "", "0", "0", "", "", "", "", ""],
    ];
    for (r, want) in campaigns.iter().zip(expected) {
        assert_eq!(cells(r, &columns), want, "{}", r["campaign"]);
    }
    assert_eq!(campaigns[0]["note"], "");
    assert!(campaigns[3]["note"].starts_with("counts of fewer people"));
    // The page's campaign table adds the reach by any channel: kickoff 7 (70.0 %),
    // poster < 3.
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    let table = &page[page.find(r#"<section id="campaigns">"#).unwrap()..];
    assert!(table.contains("<th class=\"n\">Reached, any channel</th>"));
    assert!(table
        .contains("<td class=\"n\">80.0 %</td><td class=\"n\">7</td><td class=\"n\">70.0 %</td>"));
    assert!(table.contains("<td class=\"n\">&lt; 3</td><td class=\"n\">–</td>"));

    // The nudge list says which channels reached each person not yet enrolled:
    // p3 opened kickoff, met at its meeting and saw the poster; p4 clicked and read
    // the intranet; p10 met at the town hall and saw it on Viva Engage.
    let w1 = crate::util::read_csv(&report.join("private/nudge_W1.csv"));
    let at = |name: &str| w1[0].iter().position(|c| c == name).unwrap();
    let by: BTreeMap<&str, &str> = w1[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[at("reached_by")].as_str()))
        .collect();
    assert_eq!(by["p3@example.com"], "email; meeting; poster");
    assert_eq!(by["p4@example.com"], "email; intranet");
    assert_eq!(by["p10@example.com"], "meeting; viva engage");
    assert!(w1[1..].iter().all(|r| r[at("trained_by")].is_empty()));
    // Someone the meeting reached has heard, though they never opened an email: the
    // message is the training invitation, not "awareness … not email again".
    let message = |id: &str| {
        w1[1..]
            .iter()
            .find(|r| r[0] == id)
            .map(|r| r[at("suggested_message")].clone())
            .unwrap()
    };
    for id in ["p7@example.com", "p10@example.com"] {
        assert!(message(id).starts_with("training invitation"), "{id}");
    }
}

/// The channels fixture's one campaign, `kickoff` (no [[campaigns]]: every wave's
/// people): opened by p1 (open) and p3 (click), met at its meeting by p3 and p4 ->
/// reached p1 p3 p4 = 3, p3 once; openers 2 < 3 are hidden, so 3 shows (nothing
/// shown to subtract it from). Nudge lists: p5 met (trained by 35 minutes over two
/// methods: by neither), p6 met and read Viva Engage (Basics 30 min: instructor-led),
/// p8 only sent an email and met after D (Basics 60 min).
#[test]
fn the_channels_fixture_campaign_and_nudge_lists() {
    let (_dir, report) = report_of("channels", &["--user-lists"]);
    let campaigns = read_table(&report.join("tables/campaigns.csv"));
    assert_eq!(
        cells(
            &campaigns[0],
            &["campaign", "recipients", "openers", "reached"]
        ),
        ["kickoff", "3", "", "3"]
    );
    let w1 = crate::util::read_table(&report.join("private/nudge_W1.csv"));
    let ways: Vec<Vec<String>> = w1
        .iter()
        .map(|r| cells(r, &["user_id", "reached_by", "trained_by"]))
        .collect();
    assert_eq!(
        ways,
        [
            ["p8@example.com", "", "instructor-led"],
            ["p5@example.com", "meeting", ""],
            ["p6@example.com", "meeting; viva engage", "instructor-led"],
        ]
    );
}

/// The channels chart of the channels fixture: one wave, three channels. meeting
/// reached 4 of 8 (50.0 %) with a lift of −25.0 pts (both worked out above) and is
/// drawn; email and viva engage reached 2 each (25.0 %, fewer than 3): neither a bar
/// nor a figure, "not shown" for the reach and for the lift. A rollout without
/// touchpoints has no such chart.
#[test]
fn the_channels_chart_draws_shown_figures_only() {
    let (_dir, tables) = tables();
    let report = tables.parent().unwrap();
    let svg = std::fs::read_to_string(report.join("charts/channels.svg")).unwrap();
    let png = std::fs::read(report.join("charts/channels.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    for label in ["W1 · email", "W1 · meeting", "W1 · viva engage"] {
        assert!(svg.contains(label), "{label}");
    }
    assert!(svg.contains("\n50.0 %\n") && svg.contains("\n\u{2212}25.0 pts\n"));
    assert!(!svg.contains("25.0 %"), "a hidden reach is written");
    assert_eq!(svg.matches("\nnot shown\n").count(), 4);
    // One bar: meeting's (the legend's swatch is the other blue rectangle).
    assert_eq!(svg.matches("fill=\"#0072B2\"").count(), 2, "{svg}");
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    let section = &page[page.find(r#"<section id="channels">"#).unwrap()..];
    assert!(section.contains(r#"<figure class="chart-figure" id="chart-channels">"#));

    let (_plain, report) = report_of("handworked", &[]);
    assert!(!report.join("charts/channels.svg").exists());
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(!page.contains("chart-channels"));
}

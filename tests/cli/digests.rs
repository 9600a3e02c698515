//! `summary.md`, `lessons.md` and the private nudge lists on the hand-worked fixture
//! (its arithmetic is in tests/cli/metrics.rs).

use std::path::Path;

use crate::util::{copy_fixture, read_csv, run_ok, sponsor_files};

/// The columns of `private/nudge_<wave>.csv` (docs/metrics.md, "Nudge lists").
pub(crate) const NUDGE_HEADER: [&str; 10] = [
    "user_id",
    "display_name",
    "group",
    "opened_email",
    "trained",
    "suggested_message",
    "workload",
    "not_yet_adopted",
    "reached_by",
    "trained_by",
];

fn roster_ids() -> Vec<String> {
    read_csv(&crate::util::fixture("handworked").join("roster.csv"))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect()
}

#[test]
fn summary_gives_the_headline_waves_and_actions() {
    let dir = copy_fixture("handworked");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    let text = std::fs::read_to_string(report.join("summary.md")).unwrap();
    // 9 of 14 = 64.3 %; target 0.702041 = 70.2 %; gap -5.9 pts -> at risk.
    assert!(
        text.contains("**64.3 % enrolled (9 of 14 people) against a target of 70.2 %: at risk.**"),
        "{text}"
    );
    // As of D-7, the same 14 people: W1 4 of 10 (f1 f2 h2 l1), W2 2 of 4 (s1 s2):
    // 6 of 14 = 42.9 %; 9/14 - 6/14 = 3/14 = +21.4 pts; 3 people enrolled in the week.
    assert!(
        text.contains("+21.4 pts since last week (3 people enrolled in the week)"),
        "{text}"
    );
    assert!(
        text.contains("| W1 | 2026-10-19 | 60.0 % (6 / 10) | 85.7 % | behind |"),
        "{text}"
    );
    assert!(
        text.contains("| W2 | 2026-11-09 | 75.0 % (3 / 4) | 31.4 % | on track |"),
        "{text}"
    );
    assert!(
        text.contains("1. **W1 · Finance**: 2 people short of target"),
        "{text}"
    );
    assert!(text.contains("- **W1** is behind"), "{text}");
}

#[test]
fn lessons_cover_waves_campaigns_training_and_the_help_desk() {
    let dir = copy_fixture("handworked");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    let text = std::fs::read_to_string(report.join("lessons.md")).unwrap();
    for heading in [
        "## What went well",
        "## What to improve",
        "## Wave against wave",
        "## The communication plan, phase by phase",
        "## What training and email did to enrollment",
        "## What to brief the help desk on before the next wave",
    ] {
        assert!(text.contains(heading), "{heading} missing:\n{text}");
    }
    // w1-kickoff planned 2026-10-05, first sent 2026-10-05; w2-kickoff planned
    // 2026-10-28, first sent 2026-10-30: two days late.
    assert!(
        text.contains(
            "w2-kickoff went out 2 days late (planned 2026-10-28, first sent 2026-10-30)"
        ),
        "{text}"
    );
    assert!(text.contains("observational"), "{text}");
    // Tickets of eligible people by D: W1 enrollment T1 T2 T5, mfa T3; W2 mfa T6. With
    // min_group_size 3, W1's mfa (1) merges into enrollment, W2's mfa (1) is W2's
    // "(other categories)"; so neither category can stand alone over all waves (all
    // minus W1 would give W1's mfa away): 5 tickets in "(other categories)".
    assert!(
        text.contains("- **(other categories)**: 5 tickets (100.0 % of all)"),
        "{text}"
    );
}

#[test]
fn nudge_lists_only_with_the_flag_and_owner_only() {
    let dir = copy_fixture("handworked");
    let config = dir.path().join("uptake.toml");
    let plain = run_ok(&config, &dir.path().join("plain"), &[]);
    assert!(!plain.join("private").exists());

    let report = run_ok(&config, &dir.path().join("lists"), &["--user-lists"]);
    let w1 = read_csv(&report.join("private/nudge_W1.csv"));
    assert_eq!(w1[0], NUDGE_HEADER);
    // Not enrolled by D in W1: f4 (emailed, machine open only), f5 (nothing), h3 (emailed),
    // h4 (nothing); by group, then message, then name.
    let ids: Vec<&str> = w1[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        [
            "f5@example.com",
            "f4@example.com",
            "h4@example.com",
            "h3@example.com"
        ]
    );
    assert!(w1[1][5].starts_with("awareness: no rollout email"));
    assert!(w1[2][5].starts_with("awareness: reach them"));
    // W2: s3 opened and trained (45 min) but has not enrolled: help.
    let w2 = read_csv(&report.join("private/nudge_W2.csv"));
    assert_eq!(w2[1][0], "s3@example.com");
    assert_eq!((w2[1][3].as_str(), w2[1][4].as_str()), ("yes", "yes"));
    assert!(w2[1][5].starts_with("help"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&report.join("private")), 0o700);
        assert_eq!(mode(&report.join("private/nudge_W1.csv")), 0o600);
    }
}

#[test]
fn no_sponsor_facing_file_names_a_person() {
    let dir = copy_fixture("handworked");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &["--user-lists"],
    );
    let ids = roster_ids();
    let files = sponsor_files(&report);
    assert!(files.len() > 20, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{} names {id}", file.display());
        }
        for name in ["fay one", "hana two", "sam one"] {
            assert!(!text.contains(name), "{} names {name}", file.display());
        }
    }
}

/// "Biggest gains" lists the largest first (it once kept table order: +34.4, +5.5,
/// +18.0 points on this rollout).
#[test]
fn the_biggest_gains_come_largest_first() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::util::generate(&dir.path().join("rollout"), 1500, 21);
    let report = run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let text = std::fs::read_to_string(report.join("summary.md")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("- Biggest gains: "))
        .unwrap_or_else(|| panic!("no gains line:\n{text}"));
    let points: Vec<f64> = line
        .split(" pts)")
        .filter_map(|p| p.rsplit("(+").next()?.parse().ok())
        .collect();
    assert!(points.len() >= 3, "{line}");
    assert!(points.windows(2).all(|w| w[0] >= w[1]), "{line}");
}

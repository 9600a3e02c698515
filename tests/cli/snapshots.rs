//! Snapshot folders (docs/inputs.md, "Snapshots"): the hand-worked fixture
//! tests/fixtures/snapshots, read as of a snapshot day and two days between snapshots, every affected
//! cell worked out below; the config errors; device and ticket histories.
//!
//! The roster folder holds four weekly Entra exports:
//! - 11-06: a1..a4 Sales; m1, s1..s3 Support; l1 Sales; l2 Support (`left_on` 11-10).
//! - "11-13 (exported 11-14)": two dates in the name, so its day is 11-13. m1 moved to
//!   Sales; j1 joins Support; the rest as before.
//! - 11-20: l1 and l2 are gone; c1 appears, twice (Sales, then Support: a conflict
//!   inside one snapshot, the second row quarantined).
//! - 11-27: after either as-of day, never read; f1 appears only there.
//!
//! Enrollments: a1 11-03, a2 11-10, m1 11-12, l1 11-05, j1 11-18, s1 11-19, f1 11-21.
//! W1 starts 11-02 (groups Sales, Support); target [[14, 0.5], [28, 1.0]]; k = 3.

use std::path::Path;

use crate::util::{read_table, run_ok, uptake};

type Row = std::collections::BTreeMap<String, String>;

/// A copy of the fixture, its roster folder included.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = crate::util::fixture("snapshots");
    for sub in ["", "roster"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(from.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.path().is_file() {
                std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

fn run(dir: &Path, as_of: &str) -> std::path::PathBuf {
    run_ok(
        &dir.join("uptake.toml"),
        &dir.join(format!("out-{as_of}")),
        &["--as-of", as_of],
    )
}

fn row<'a>(rows: &'a [Row], group: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["wave"] == "W1" && r["group"] == group)
        .unwrap_or_else(|| panic!("no row {group}"))
}

fn cells(r: &Row, want: &[(&str, &str)]) {
    for (col, v) in want {
        assert_eq!(r[*col], *v, "{}: {col}", r["group"]);
    }
}

#[test]
fn as_of_the_20th_the_roster_is_the_snapshot_of_the_20th_with_its_history() {
    let dir = fixture();
    let report = run(dir.path(), "2026-11-20");
    let rows = read_table(&report.join("tables/group_metrics.csv"));
    // Roster as of 11-20: its snapshot. Sales: a1..a4, m1 (moved from Support on
    // 11-13: no conflict), c1 (its first row; the Support row is quarantined) = 6.
    // Support: s1..s3, j1 = 4. l1 left on 11-20 (gone from that snapshot), l2 on
    // 11-10 (its own left_on, earlier than 11-20): neither is eligible.
    // Enrolled by 11-20: Sales a1 a2 m1 = 3 -> 0.5; Support j1 s1 = 2 -> 0.5.
    // t = 18: target 0.5 + 4/14 * 0.5 = 0.642857; gap -0.142857 -> behind.
    // By 11-13 (the same people): Sales a1 a2 m1 = 3; Support none.
    cells(
        row(&rows, "Sales"),
        &[
            ("eligible", "6"),
            ("enrolled", "3"),
            ("enrollment_rate", "0.5"),
            ("target_rate", "0.642857142857"),
            ("status", "behind"),
            ("enrolled_7d_ago", "3"),
        ],
    );
    cells(
        row(&rows, "Support"),
        &[
            ("eligible", "4"),
            ("enrolled", "2"),
            ("enrolled_7d_ago", "0"),
        ],
    );
    cells(
        row(&rows, "(all)"),
        &[("eligible", "10"), ("enrolled", "5")],
    );
    // data_quality: 3 snapshots used (11-06, 11-13, 11-20; 11-27 is after D), 10 + 11
    // + 11 = 32 rows read, 1 quarantined (c1's conflict); the 2 leavers; f1's
    // enrollment names nobody on the roster as of D.
    let dq = read_table(&report.join("tables/data_quality.csv"));
    let get = |s: &str| dq.iter().find(|r| r["source"] == s).unwrap();
    cells(
        get("roster"),
        &[
            ("rows_read", "32"),
            ("rows_quarantined", "1"),
            ("duplicates_removed", "0"),
            ("left", "2"),
            ("snapshots", "3"),
            ("first_snapshot", "2026-11-06"),
            ("last_snapshot", "2026-11-20"),
        ],
    );
    cells(
        get("enrollments"),
        &[("unmatched_users", "1"), ("snapshots", "")],
    );
    let quarantined = std::fs::read_to_string(report.join("quarantine/roster.csv")).unwrap();
    assert!(
        quarantined.contains("duplicate user_id `c1@x.org` with a conflicting group"),
        "{quarantined}"
    );
    // The snapshot after D was not read: it is not among the inputs.
    let manifest = std::fs::read_to_string(report.join("manifest.json")).unwrap();
    assert!(!manifest.contains("2026-11-27"), "{manifest}");
    assert!(
        manifest.contains("2026-11-13 (exported 2026-11-14)"),
        "{manifest}"
    );
}

#[test]
fn as_of_the_24th_the_snapshot_of_the_27th_is_not_read_yet() {
    let dir = fixture();
    let report = run(dir.path(), "2026-11-24");
    let rows = read_table(&report.join("tables/group_metrics.csv"));
    // Roster as of 11-24: the snapshot of 11-20 (11-27 is after D). The same people as
    // on the 20th: Sales 6, Support 4. f1 exists only in the 11-27 snapshot, so its
    // enrollment of 11-21 names nobody on the roster yet (unmatched, not counted).
    // Enrolled by 11-24: Sales a1 a2 m1 = 3 -> 0.5; Support j1 s1 = 2 -> 0.5.
    // t = 22: target 0.5 + 8/14 * 0.5 = 0.785714 -> both behind.
    // By 11-17 (D - 7): Sales a1 a2 m1 = 3 (l1 enrolled too but has left: not in
    // D's cohort); Support none (j1 11-18, s1 11-19).
    cells(
        row(&rows, "Sales"),
        &[
            ("eligible", "6"),
            ("enrolled", "3"),
            ("target_rate", "0.785714285714"),
            ("status", "behind"),
            ("enrolled_7d_ago", "3"),
        ],
    );
    cells(
        row(&rows, "Support"),
        &[
            ("eligible", "4"),
            ("enrolled", "2"),
            ("enrolled_7d_ago", "0"),
        ],
    );
    let dq = read_table(&report.join("tables/data_quality.csv"));
    let get = |s: &str| dq.iter().find(|r| r["source"] == s).unwrap();
    cells(
        get("roster"),
        &[("snapshots", "3"), ("last_snapshot", "2026-11-20")],
    );
    cells(get("enrollments"), &[("unmatched_users", "1")]);
    // The newest snapshot is 4 days old: no staleness warning.
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(!summary.contains("Read with care"), "{summary}");
}

#[test]
fn as_of_the_17th_the_roster_is_the_snapshot_of_the_13th() {
    let dir = fixture();
    let report = run(dir.path(), "2026-11-17");
    let rows = read_table(&report.join("tables/group_metrics.csv"));
    // Roster as of 11-17: the latest snapshot on or before it, 11-13. Sales: a1..a4, m1
    // (already moved), l1 (still there) = 6; Support: s1..s3, j1 = 4 (l2 left 11-10).
    // c1 is not on the roster yet. Enrolled by 11-17: Sales a1 a2 m1 l1 = 4 -> 0.666667;
    // Support none (j1 11-18, s1 11-19). t = 15: target 0.5 + 1/14 * 0.5 = 0.535714:
    // Sales on track (+0.130952), Support behind; W1 4 of 10.
    cells(
        row(&rows, "Sales"),
        &[
            ("eligible", "6"),
            ("enrolled", "4"),
            ("target_rate", "0.535714285714"),
            ("status", "on_track"),
        ],
    );
    cells(
        row(&rows, "Support"),
        &[("eligible", "4"), ("enrolled", "0"), ("status", "behind")],
    );
    cells(
        row(&rows, "(all)"),
        &[("eligible", "10"), ("enrolled", "4")],
    );
    let dq = read_table(&report.join("tables/data_quality.csv"));
    let roster = dq.iter().find(|r| r["source"] == "roster").unwrap();
    // Two snapshots (11-06, 11-13): 10 + 11 = 21 rows, nothing quarantined.
    cells(
        roster,
        &[
            ("rows_read", "21"),
            ("rows_quarantined", "0"),
            ("left", "1"),
            ("snapshots", "2"),
            ("last_snapshot", "2026-11-13"),
        ],
    );
    // j1 joined on 11-13, after the first snapshot: the time to enroll counts them
    // from day 11 of the wave. Support's curve: s1..s3 at risk from day 0 and
    // censored at day 15, j1 from day 11: no enrollment by 11-17, so no point.
    let km = read_table(&report.join("tables/time_to_enroll.csv"));
    assert!(km.iter().all(|r| r["group"] != "Support"), "{km:?}");
}

#[test]
fn a_stale_newest_snapshot_is_said_in_words() {
    let dir = fixture();
    // As of 12-10 the newest roster snapshot (11-27) is 13 days old: more than 8.
    let out = uptake()
        .args(["run", "--as-of", "2026-12-10", "--config"])
        .arg(dir.path().join("uptake.toml"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the newest roster snapshot is of 2026-11-27, 13 days before"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(dir.path().join("out/latest/summary.md")).unwrap();
    assert!(
        summary.contains("newest roster snapshot is of 2026-11-27"),
        "{summary}"
    );
    let page = std::fs::read_to_string(dir.path().join("out/latest/index.html")).unwrap();
    assert!(page.contains("newest roster snapshot is of 2026-11-27"));
    // As of 11-20 the newest (11-20) is current: no such warning.
    let report = run(dir.path(), "2026-11-20");
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(!summary.contains("snapshot"), "{summary}");
}

/// Runs `uptake validate` and returns (exit code, stderr).
fn validate(dir: &Path) -> (i32, String) {
    let out = uptake()
        .args(["validate", "--config"])
        .arg(dir.join("uptake.toml"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_snapshot_without_a_day_or_two_of_one_day_are_config_errors() {
    let dir = fixture();
    let roster = dir.path().join("roster");
    std::fs::write(roster.join("latest export.csv"), "user_id,department\n").unwrap();
    let (code, err) = validate(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sources.roster.snapshots"), "{err}");
    assert!(err.contains("latest export.csv"), "{err}");
    std::fs::remove_file(roster.join("latest export.csv")).unwrap();
    std::fs::write(
        roster.join("entra_20261120_again.csv"),
        "user_id,department\n",
    )
    .unwrap();
    let (code, err) = validate(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("are both snapshots of 2026-11-20"), "{err}");
}

#[test]
fn snapshots_are_refused_on_an_event_log() {
    let dir = fixture();
    let cfg = dir.path().join("uptake.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace(
            "[[waves]]",
            "[sources.email]\npath = \"e/\"\nsnapshots = true\n\n[[waves]]",
        ),
    )
    .unwrap();
    let (code, err) = validate(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sources.email.snapshots"), "{err}");
    assert!(err.contains("a log of events"), "{err}");
}

#[test]
fn devices_and_tickets_read_as_histories() {
    let dir = fixture();
    let d = dir.path();
    std::fs::create_dir_all(d.join("devices")).unwrap();
    std::fs::create_dir_all(d.join("tickets")).unwrap();
    let head = "user_id,device_id,enrolled_at,compliant,last_check_in\n";
    // D1 (a1): seen 11-06 with a later enrolled_at, 11-13 with the earlier one: its
    // enrollment is the earliest, 11-03; non-compliant on 11-13, compliant on 11-20.
    // D2 (a2): only on 11-06: removed on 11-13. D3 (s1): from 11-20, stale check-in.
    std::fs::write(
        d.join("devices/intune_2026-11-06.csv"),
        format!("{head}a1@x.org,D1,2026-11-04T09:00:00Z,compliant,2026-11-06T08:00:00Z\na2@x.org,D2,2026-11-10T09:00:00Z,compliant,2026-11-06T08:00:00Z\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("devices/intune_2026-11-13.csv"),
        format!("{head}a1@x.org,D1,2026-11-03T09:00:00Z,noncompliant,2026-11-13T08:00:00Z\na1@x.org,D1,2026-11-03T09:00:00Z,noncompliant,2026-11-13T08:00:00Z\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("devices/intune_2026-11-20.csv"),
        format!("{head}a1@x.org,D1,2026-11-03T09:00:00Z,In grace period,2026-11-20T08:00:00Z\ns1@x.org,D3,2026-11-19T09:00:00Z,compliant,2026-10-01T08:00:00Z\n"),
    )
    .unwrap();
    let head = "ticket_id,user_id,opened_at,resolved_at,category\n";
    // T1: open in the 11-13 export, resolved in the 11-20 one (with a later-written
    // opened_at): its state as of 11-20 is resolved, opened at the earliest seen.
    std::fs::write(
        d.join("tickets/itsm_2026-11-13.csv"),
        format!("{head}T1,a1@x.org,2026-11-12T09:00:00Z,,enrollment\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("tickets/itsm_2026-11-20.csv"),
        format!("{head}t1,a1@x.org,2026-11-12T10:00:00Z,2026-11-12T19:00:00Z,enrollment\n"),
    )
    .unwrap();
    let cfg = d.join("uptake.toml");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "[sources.enrollments]\npath = \"enrollments.csv\"",
        "[sources.enrollments]\npath = \"devices/\"\nsnapshots = true\n[sources.tickets]\npath = \"tickets/\"\nsnapshots = true",
    );
    std::fs::write(&cfg, text).unwrap();
    let (_, data) = uptake::load(
        Some(&cfg),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 20),
        &uptake::progress::Progress::hidden(),
    )
    .unwrap();
    let e = &data.enrollments;
    // Each person here has one device: D1 is a1's, D2 a2's, D3 s1's.
    let dev = |id: &str| {
        let user = match id {
            "D1" => "a1@x.org",
            "D2" => "a2@x.org",
            _ => "s1@x.org",
        };
        let pid = data.roster.user_id.iter().position(|u| u == user).unwrap();
        e.pid.iter().position(|&p| p as usize == pid).unwrap()
    };
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let ms = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(e.pid.len(), 3);
    let d1 = dev("D1");
    assert_eq!(e.enrolled_at[d1], ms("2026-11-03T09:00:00Z"));
    assert_eq!(e.compliant[d1], Some(true));
    assert_eq!(e.last_check_in[d1], Some(ms("2026-11-20T08:00:00Z")));
    assert_eq!(e.removed_on[d1], None);
    assert_eq!(e.removed_on[dev("D2")], day(2026, 11, 13));
    assert_eq!(e.last_check_in[dev("D3")], Some(ms("2026-10-01T08:00:00Z")));
    // One identical repeat inside the 11-13 snapshot; the same device in several
    // snapshots is history, not a duplicate.
    let counts = &data.counts[&uptake::schema::Source::Enrollments];
    assert_eq!(counts.duplicates_removed, 1);
    let span = data.snapshots[&uptake::schema::Source::Enrollments];
    assert_eq!(
        (span.files, span.first, span.last),
        (3, day(2026, 11, 6).unwrap(), day(2026, 11, 20).unwrap())
    );
    let t = &data.tickets;
    assert_eq!(t.pid.len(), 1);
    assert_eq!(t.opened_at[0], ms("2026-11-12T09:00:00Z"));
    assert_eq!(t.resolved_at[0], Some(ms("2026-11-12T19:00:00Z")));
    assert_eq!(
        data.counts[&uptake::schema::Source::Tickets].duplicates_removed,
        0
    );
}

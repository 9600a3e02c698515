//! Bad rows of every kind in every source: each is quarantined with its file, line
//! and reason, and every source's counts reconcile.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{copy_fixture, read_csv, read_table, run_ok};

/// Every source canonical, one wave of group `G` (also used by `properties.rs`).
pub const CONFIG: &str = r#"
[rollout]
name = "Bad rows"
as_of = "2026-11-20"
timezone = "Europe/Paris"
[thresholds]
min_group_size = 1
[sources.roster]
path = "roster.csv"
[sources.enrollments]
path = "enrollments.csv"
[sources.email]
path = "email.csv"
[sources.training]
path = "training.csv"
[sources.tickets]
path = "tickets.csv"
[[waves]]
name = "W"
start = "2026-11-02"
groups = ["G"]
enrollment_target = [[14, 1.0]]
"#;

/// Writes the bad-rows rollout; the roster has a BOM and CRLF line ends, training is
/// semicolon-separated, tickets hold a byte that is not UTF-8.
fn write_rollout(dir: &Path) {
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    w("uptake.toml", CONFIG.as_bytes());
    let roster = [
        "user_id,group,display_name,mail,left_on", // line 1
        "a@x.com,G,Ann Lee,,",                     // 2 ok
        ",G,,,",                                   // 3 missing user_id
        "b@x.com,,,,",                             // 4 missing group
        "c@x.com,G,,,notadate",                    // 5 bad left_on
        "a@x.com,H,,,",                            // 6 conflicting group
        " A@X.COM ,G,,,",                          // 7 duplicate of line 2
        "d@x.com,G",                               // 8 too few fields
        "e@x.com,G,Eve Stone,,",                   // 9 ok
        "f@x.com,G,ann  lee,,",                    // 10 ok (a second Ann Lee)
        "g@x.com,G,\"Multi\r\nLine\",,",           // 11-12 ok, one record
        "h@x.com,G,,,2026-11-30",                  // 13 ok
    ]
    .join("\r\n");
    w(
        "roster.csv",
        &[b"\xEF\xBB\xBF".as_slice(), roster.as_bytes(), b"\r\n"].concat(),
    );
    w(
        "enrollments.csv",
        b"user_id,enrolled_at
a@x.com,2026-11-20T10:00:00Z
,2026-11-20
a@x.com,yesterday
a@x.com,
zed@x.com,2026-11-20T10:00:00Z
a@x.com,2026-11-20T10:00:00Z
A@x.com,2026-11-20T11:00:00+01:00
",
    );
    w(
        "email.csv",
        b"user_id,campaign,event,timestamp
a@x.com,c1,sent,2026-11-01 09:00
a@x.com,c1,forwarded,2026-11-01 09:00
a@x.com,,open,2026-11-01 09:00
Ann Lee,c1,open,2026-11-01 10:00
\"Stone, Eve\",c1,open,2026-11-01 10:00
",
    );
    w(
        "training.csv",
        b"user_id;session;joined_at;left_at
a@x.com;S;2026-11-01 10:00;2026-11-01 11:00
a@x.com;S;2026-11-01 10:00;2026-11-01 09:00
a@x.com;;2026-11-01 10:00;2026-11-01 11:00
",
    );
    // A UTF-8 file (its `é` is UTF-8) with a corrupt byte: that row is quarantined. A
    // file with no UTF-8 beyond ASCII would be read as a legacy code page instead.
    w(
        "tickets.csv",
        b"ticket_id,user_id,opened_at,resolved_at
T1,a@x.com,2026-11-01 10:00,2026-11-01 09:00
T2,a@x.com,2026-11-01 10:00,soon
,a@x.com,2026-11-01 10:00,
T3,a@x.com,2026-11-01 10:00,
T3,a@x.com,2026-11-01 10:00,2026-11-02 10:00
T4,a@x.com,2026-11-01 10:00,\xc3\xa9\xff
",
    );
}

/// (line, reason fragment) of each quarantined row, per source.
fn expected() -> BTreeMap<&'static str, Vec<(u64, &'static str)>> {
    BTreeMap::from([
        (
            "roster",
            vec![
                (3, "missing required value `user_id`"),
                (4, "missing required value `group`"),
                (5, "`left_on`: `notadate` is not an ISO 8601"),
                (
                    6,
                    "duplicate user_id `a@x.com` with a conflicting group: line 2 has group `G`",
                ),
                (8, "the row has 2 fields where the header has 5"),
            ],
        ),
        (
            "enrollments",
            vec![
                (3, "missing required value `user_id`"),
                (4, "`enrolled_at`: `yesterday` is not an ISO 8601"),
                (5, "missing required value `enrolled_at`"),
            ],
        ),
        (
            "email",
            vec![
                (3, "unknown event `forwarded`"),
                (4, "missing required value `campaign`"),
                (5, "name `Ann Lee` fits several roster people"),
            ],
        ),
        (
            "training",
            vec![
                (3, "`left_at` is before `joined_at`"),
                (4, "missing required value `session`"),
            ],
        ),
        (
            "tickets",
            vec![
                (2, "`resolved_at` is before `opened_at`"),
                (3, "`resolved_at`: `soon` is not an ISO 8601"),
                (4, "missing required value `ticket_id`"),
                (7, "column `resolved_at` is not valid UTF-8 text"),
            ],
        ),
    ])
}

#[test]
fn every_bad_row_is_quarantined_with_its_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_rollout(dir.path());
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    for (source, rows) in expected() {
        let q = read_csv(&report.join(format!("quarantine/{source}.csv")));
        assert_eq!(q[0], ["file", "line", "reason", "row"]);
        let got: Vec<(u64, String)> = q[1..]
            .iter()
            .map(|r| (r[1].parse().unwrap(), r[2].clone()))
            .collect();
        assert_eq!(got.len(), rows.len(), "{source}: {got:?}");
        for ((line, reason), (want_line, want)) in got.iter().zip(&rows) {
            assert_eq!(line, want_line, "{source}: {reason}");
            assert!(
                reason.contains(want),
                "{source} line {line}: {reason:?} lacks {want:?}"
            );
        }
        for r in &q[1..] {
            assert!(r[0].ends_with(".csv"), "{source}: file column {:?}", r[0]);
        }
    }
}

#[test]
fn counts_reconcile_for_every_source() {
    let dir = tempfile::tempdir().unwrap();
    write_rollout(dir.path());
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    let dq = read_table(&report.join("tables/data_quality.csv"));
    let row = |s: &str| dq.iter().find(|r| r["source"] == s).unwrap().clone();
    // (read, accepted, quarantined, unmatched, duplicates, matched by name)
    let want = [
        // 11 records (the quoted line break makes lines 11-12 one record): 5 bad, 1 duplicate.
        ("roster", ["11", "6", "5", "0", "1", "0"]),
        // zed@x.com unmatched; two duplicates of a@x.com at 10:00Z (one written +01:00).
        ("enrollments", ["7", "4", "3", "1", "2", "0"]),
        // "Stone, Eve" matched by display name.
        ("email", ["5", "2", "3", "0", "0", "1"]),
        ("training", ["3", "1", "2", "0", "0", "0"]),
        // T3 twice: the last state kept, one duplicate.
        ("tickets", ["6", "2", "4", "0", "1", "0"]),
    ];
    for (source, [read, acc, quar, unm, dup, name]) in want {
        let r = row(source);
        let got = [
            &r["rows_read"],
            &r["rows_accepted"],
            &r["rows_quarantined"],
            &r["unmatched_users"],
            &r["duplicates_removed"],
            &r["matched_by_name"],
        ];
        assert_eq!(got, [read, acc, quar, unm, dup, name], "{source}");
        let (read, acc, quar): (u64, u64, u64) = (
            r["rows_read"].parse().unwrap(),
            r["rows_accepted"].parse().unwrap(),
            r["rows_quarantined"].parse().unwrap(),
        );
        assert_eq!(read, acc + quar, "{source} does not reconcile");
    }
    // h@x.com leaves after D; nobody has left by D; everybody is in wave W.
    let roster = row("roster");
    assert_eq!(
        (roster["left"].as_str(), roster["unassigned"].as_str()),
        ("0", "0")
    );
}

/// A ticket opened in 9999 (a mistyped year) once became the as-of day, and the
/// weekly tables ran for eight thousand years: the run did not end. It is
/// quarantined with the reason, and the as-of day comes from the other events.
// See: issue 8 (found while testing faults).
#[test]
fn an_event_decades_after_the_waves_is_quarantined_not_taken_as_the_as_of_day() {
    let dir = copy_fixture("handworked");
    let cfg = dir.path().join("uptake.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replacen("as_of = \"2026-11-20\"\n", "", 1)).unwrap();
    let tickets = dir.path().join("tickets.csv");
    let mut text = std::fs::read_to_string(&tickets).unwrap();
    text.push_str("T99,f1@example.com,9999-12-31 10:00:00,,enrollment,open\n");
    std::fs::write(&tickets, text).unwrap();
    let report = run_ok(&cfg, &dir.path().join("out"), &[]);
    let q = read_csv(&report.join("quarantine/tickets.csv"));
    let row = q
        .iter()
        .find(|r| r[3].starts_with("T99"))
        .expect("quarantined");
    assert!(row[2].contains("is after 2046-11-09"), "{}", row[2]);
    assert_ne!(
        report.canonicalize().unwrap().file_name().unwrap(),
        "9999-12-31"
    );
}

/// A roster folder read as one roster: its rows are judged in file order, across the
/// boundary between its files and however close together a user's rows stand (the
/// roster holds a few rows back before judging them, see `read_roster`).
#[test]
fn a_roster_folder_is_judged_row_by_row_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = CONFIG.replace("path = \"roster.csv\"", "path = \"roster\"");
    std::fs::write(dir.path().join("uptake.toml"), config).unwrap();
    let roster = dir.path().join("roster");
    std::fs::create_dir(&roster).unwrap();
    // a.csv: p01..p12 on lines 2-13, then p03 again in another group (line 14).
    let mut a = String::from("user_id,group\n");
    for p in 1..=12 {
        a.push_str(&format!("p{p:02},G\n"));
    }
    a.push_str("p03,H\n");
    std::fs::write(roster.join("a.csv"), a).unwrap();
    // b.csv: p12 (a.csv's last person) in another group, a row without an id, p12
    // again as first written (a duplicate), p13 new and at once again (a duplicate),
    // then written otherwise in another group.
    std::fs::write(
        roster.join("b.csv"),
        "user_id,group\np12,H\n,G\np12,G\np13,G\np13,G\n P13 ,H\n",
    )
    .unwrap();
    for (name, text) in [
        (
            "enrollments.csv",
            "user_id,enrolled_at\np01,2026-11-03 10:00\n",
        ),
        ("email.csv", "user_id,campaign,event,timestamp\n"),
        ("training.csv", "user_id,session,joined_at,left_at\n"),
        ("tickets.csv", "ticket_id,user_id,opened_at,resolved_at\n"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    let q = read_csv(&report.join("quarantine/roster.csv"));
    let got: Vec<(String, &str, &str)> = q[1..]
        .iter()
        .map(|r| {
            let file = Path::new(&r[0]).file_name().unwrap();
            (file.to_string_lossy().into_owned(), &*r[1], &*r[2])
        })
        .collect();
    let conflict = |id: &str, line: u32| {
        format!("duplicate user_id `{id}` with a conflicting group: line {line} has group `G`")
    };
    assert_eq!(
        got,
        [
            ("a.csv".to_string(), "14", &*conflict("p03", 4)),
            ("b.csv".to_string(), "2", &*conflict("p12", 13)),
            ("b.csv".to_string(), "3", "missing required value `user_id`"),
            ("b.csv".to_string(), "7", &*conflict("p13", 5)),
        ]
    );
    assert_eq!(q[1][3], "p03,H");
    assert_eq!(q[4][3], " P13 ,H");
    let dq = read_table(&report.join("tables/data_quality.csv"));
    let r = dq.iter().find(|r| r["source"] == "roster").unwrap();
    // 13 + 6 rows: 4 quarantined, 15 accepted (13 people, then p12 and p13 again as
    // duplicates).
    let got = [
        &r["rows_read"],
        &r["rows_accepted"],
        &r["rows_quarantined"],
        &r["duplicates_removed"],
    ];
    assert_eq!(got, ["19", "15", "4", "2"]);
}

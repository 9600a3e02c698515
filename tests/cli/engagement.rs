//! The sources of channels, ways to learn and what follows enrollment, read into the
//! clean data (docs/inputs.md, "Touchpoints" to "Survey"): each reader's rows kept,
//! its quarantine reasons, duplicates, unmatched ids and row accounting, on small
//! hand-written canonical files.

use std::path::Path;

use chrono::NaiveDate;
use uptake::dataset::{Dataset, SourceCounts};
use uptake::progress::Progress;
use uptake::schema::Source;

use crate::util::uptake;

/// Ann (pid 0, Finance), Bob Lee (pid 1, Finance), Cy (pid 2, Sales).
const ROSTER: &str = "user_id,department,display_name\n\
ann@x.org,Finance,Ann Kay\n\
bob@x.org,Finance,Bob Lee\n\
cy@x.org,Sales,Cy Diaz\n";

const CONFIG: &str = r#"
[rollout]
name = "Contoso"
group_by = "department"
timezone = "UTC"

[sources.roster]
path = "roster.csv"

[[workloads]]
name = "Intune MDM"
[[workloads]]
name = "OneDrive KFM"

[[waves]]
name = "Wave 1"
workload = "Intune MDM"
start = "2026-09-07"
groups = ["Finance", "Sales"]
enrollment_target = [[14, 0.5]]
"#;

/// Writes the roster, the config with `extra` tables, and `files`; reads it all as
/// of `as_of`.
fn load(dir: &Path, extra: &str, files: &[(&str, &str)], as_of: Option<NaiveDate>) -> Dataset {
    std::fs::write(dir.join("roster.csv"), ROSTER).unwrap();
    std::fs::write(dir.join("uptake.toml"), format!("{CONFIG}{extra}")).unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let (_, data) = uptake::load(Some(&dir.join("uptake.toml")), as_of, &Progress::hidden())
        .unwrap_or_else(|e| panic!("{e}"));
    data
}

/// (read, accepted, quarantined, duplicates, unmatched, by name), checking that
/// every row read is accepted or quarantined.
fn counts(c: &SourceCounts) -> (u64, u64, u64, u64, u64, u64) {
    assert_eq!(c.rows_read, c.rows_accepted + c.rows_quarantined);
    (
        c.rows_read,
        c.rows_accepted,
        c.rows_quarantined,
        c.duplicates_removed,
        c.unmatched_users,
        c.matched_by_name,
    )
}

fn reasons(data: &Dataset, source: Source) -> Vec<(u64, String)> {
    data.quarantine[&source]
        .iter()
        .map(|q| (q.line, q.reason.clone()))
        .collect()
}

fn ms(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn touchpoints_are_matched_interned_and_deduplicated() {
    let dir = tempfile::tempdir().unwrap();
    let text = "user_id,channel,timestamp,campaign\n\
ann@x.org,Viva  Engage,2026-10-01T09:00:00Z,Kickoff\n\
ANN@x.org,viva engage,2026-10-01T09:00:00Z,Kickoff\n\
bob@x.org,,2026-10-01T09:00:00Z,\n\
bob@x.org,poster,yesterday,\n\
zed@x.org,poster,2026-10-02T09:00:00Z,\n\
Bob Lee,QR,2026-10-03T08:00:00Z,\n";
    let data = load(
        dir.path(),
        "[sources.touchpoints]\npath = \"touchpoints.csv\"\n",
        &[("touchpoints.csv", text)],
        None,
    );
    // 6 rows: lines 4 and 5 quarantined; line 3 repeats line 2 (ids and channels
    // compare normalised); zed is not on the roster; Bob Lee is found by name.
    assert_eq!(
        counts(&data.counts[&Source::Touchpoints]),
        (6, 4, 2, 1, 1, 1)
    );
    assert_eq!(
        reasons(&data, Source::Touchpoints),
        [
            (4, "missing required value `channel`".to_string()),
            (
                5,
                "`timestamp`: `yesterday` is not an ISO 8601 date or timestamp".to_string()
            ),
        ]
    );
    let t = &data.touchpoints;
    assert_eq!(t.pid, [0, 1]);
    let channels: Vec<&str> = t
        .channel
        .iter()
        .map(|&c| t.channels[c as usize].as_str())
        .collect();
    assert_eq!(channels, ["viva engage", "qr"]);
    assert_eq!(
        t.at,
        [ms("2026-10-01T09:00:00Z"), ms("2026-10-03T08:00:00Z")]
    );
    assert_eq!(t.campaign[1], None);
    assert_eq!(t.campaigns[t.campaign[0].unwrap() as usize], "Kickoff");
    assert_eq!(data.unmatched[&Source::Touchpoints][0].id, "zed@x.org");
}

#[test]
fn completions_keep_each_completion_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = "user_id,course,completed_at\n\
ann@x.org,Intune basics,2026-10-05T10:00:00Z\n\
ann@x.org,Intune basics,2026-10-05T10:00:00Z\n\
ann@x.org,Intune basics,2026-10-20T10:00:00Z\n\
bob@x.org,,2026-10-05T10:00:00Z\n\
bob@x.org,Intune basics,31/31/2026\n";
    let data = load(
        dir.path(),
        "[sources.completions]\npath = \"completions.csv\"\n",
        &[("completions.csv", text)],
        None,
    );
    // 5 rows: 2 quarantined; line 3 repeats line 2; Ann's second completion, at
    // another instant, is kept.
    assert_eq!(
        counts(&data.counts[&Source::Completions]),
        (5, 3, 2, 1, 0, 0)
    );
    let r = reasons(&data, Source::Completions);
    assert_eq!(r[0], (5, "missing required value `course`".to_string()));
    assert_eq!(r[1].0, 6);
    assert!(r[1].1.starts_with("`completed_at`: `31/31/2026`"), "{r:?}");
    let c = &data.completions;
    assert_eq!(c.pid, [0, 0]);
    assert_eq!(c.courses, ["Intune basics"]);
    assert_eq!(
        c.at,
        [ms("2026-10-05T10:00:00Z"), ms("2026-10-20T10:00:00Z")]
    );
}

#[test]
fn usage_keeps_each_persons_latest_use_per_configured_workload() {
    let dir = tempfile::tempdir().unwrap();
    let text = "user_id,workload,last_active\n\
ann@x.org,Intune MDM,2026-11-10\n\
ann@x.org,intune mdm,2026-11-12\n\
ann@x.org,OneDrive KFM,\n\
bob@x.org,Teams,2026-11-01\n\
bob@x.org,Intune MDM,not a date\n\
bob@x.org,Intune MDM,2026-11-03\n\
bob@x.org,Intune MDM,2026-11-03\n";
    let data = load(
        dir.path(),
        "[sources.usage]\npath = \"usage.csv\"\n",
        &[("usage.csv", text)],
        None,
    );
    // 7 rows: Teams is no workload, `not a date` no day (2 quarantined); Bob's
    // last row repeats the one before.
    assert_eq!(counts(&data.counts[&Source::Usage]), (7, 5, 2, 1, 0, 0));
    let r = reasons(&data, Source::Usage);
    assert_eq!(
        r[0],
        (
            5,
            "`workload`: `Teams` is not a [[workloads]] name".to_string()
        )
    );
    assert_eq!(r[1].0, 6);
    assert!(r[1].1.starts_with("`last_active`:"), "{r:?}");
    let u = &data.usage;
    // Ann's two Intune MDM days: the later; her OneDrive KFM row shows no use.
    assert_eq!(u.pid, [0, 0, 1]);
    assert_eq!(u.workload, [0, 1, 0]);
    assert_eq!(
        u.last_active,
        [Some(day(2026, 11, 12)), None, Some(day(2026, 11, 3))]
    );
    // A usage row is a state, not an event: no latest event comes from it.
    assert_eq!(data.latest_event_ms, None);
}

#[test]
fn usage_snapshots_are_read_as_of_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let head = "user_id,workload,last_active\n";
    let files = [
        (
            "usage/usage_2026-11-06.csv",
            format!("{head}ann@x.org,Intune MDM,2026-11-04\nbob@x.org,Intune MDM,2026-11-05\n"),
        ),
        (
            "usage/usage_2026-11-13.csv",
            format!("{head}ann@x.org,Intune MDM,2026-11-12\nann@x.org,Intune MDM,2026-11-12\n"),
        ),
        (
            "usage/usage_2026-11-20.csv",
            format!("{head}ann@x.org,Intune MDM,2026-11-19\n"),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let extra = "[sources.usage]\npath = \"usage/\"\nsnapshots = true\n";
    // As of 11-13 the 11-20 snapshot is not read: Ann's use is that of the 11-13
    // snapshot; Bob, absent from it, keeps that of the latest snapshot that holds
    // him (11-06). The repeat inside 11-13 is a duplicate; Ann in two snapshots is
    // history, not one.
    let data = load(dir.path(), extra, &files, Some(day(2026, 11, 13)));
    assert_eq!(counts(&data.counts[&Source::Usage]), (4, 4, 0, 1, 0, 0));
    assert_eq!(data.usage.pid, [0, 1]);
    assert_eq!(
        data.usage.last_active,
        [Some(day(2026, 11, 12)), Some(day(2026, 11, 5))]
    );
    let span = data.snapshots[&Source::Usage];
    assert_eq!((span.files, span.last), (2, day(2026, 11, 13)));
    // As of 11-20, the newest snapshot counts.
    let data = load(dir.path(), extra, &files, Some(day(2026, 11, 20)));
    assert_eq!(data.usage.last_active[0], Some(day(2026, 11, 19)));
}

#[test]
fn survey_responses_identified_and_anonymous() {
    let dir = tempfile::tempdir().unwrap();
    let text = "submitted_at,score,user_id,department,comment\n\
2026-11-02T10:00:00Z,5,ann@x.org,,\"Great, quick\"\n\
2026-11-02T11:00:00Z,4,,finance ,\n\
2026-11-02T12:00:00Z,6,bob@x.org,,\n\
2026-11-02T12:00:00Z,good,bob@x.org,,\n\
2026-11-02T13:00:00Z,3,,,\n\
2026-11-02T13:00:00Z,3,,Marketing,\n\
2026-11-02T11:00:00Z,4,,Finance,\n\
2026-11-03T09:00:00Z,2,zed@x.org,,\n\
2026-11-03T09:00:00Z,4.0,cy@x.org,,\n";
    let data = load(
        dir.path(),
        "[sources.survey]\npath = \"survey.csv\"\n",
        &[("survey.csv", text)],
        None,
    );
    // 9 rows: lines 4 to 7 quarantined (off the scale of 1 to 5, not a number, an
    // anonymous response with no group, a group not on the roster); line 8 repeats
    // line 3 (the group compares as labels do); zed is unmatched.
    assert_eq!(counts(&data.counts[&Source::Survey]), (9, 5, 4, 1, 1, 0));
    assert_eq!(
        reasons(&data, Source::Survey),
        [
            (
                4,
                "`score`: 6 is outside the scale 1 to 5 ([survey] scale)".to_string()
            ),
            (5, "`score`: `good` is not a number".to_string()),
            (
                6,
                "an anonymous response (no `user_id`) with no `department`: it counts for no one"
                    .to_string()
            ),
            (
                7,
                "`department`: `Marketing` is not a group of the roster".to_string()
            ),
        ]
    );
    // Identified first (by person), anonymous last.
    let s = &data.survey;
    assert_eq!(s.pid, [Some(0), Some(2), None]);
    assert_eq!(s.group, [None, None, Some("Finance".to_string())]);
    assert_eq!(s.score, [5, 4, 4]);
    assert_eq!(s.comment[0].as_deref(), Some("Great, quick"));
    assert_eq!(s.at[2], ms("2026-11-02T11:00:00Z"));
}

#[test]
fn a_zero_to_ten_scale_takes_zero_and_ten() {
    let dir = tempfile::tempdir().unwrap();
    let text = "submitted_at,score,user_id\n\
2026-11-02T10:00:00Z,0,ann@x.org\n\
2026-11-02T10:00:00Z,10,bob@x.org\n\
2026-11-02T10:00:00Z,11,cy@x.org\n";
    let data = load(
        dir.path(),
        "[sources.survey]\npath = \"survey.csv\"\n[survey]\nscale = [0, 10]\n",
        &[("survey.csv", text)],
        None,
    );
    assert_eq!(data.survey.score, [0, 10]);
    assert_eq!(data.quarantine[&Source::Survey][0].line, 4);
}

#[test]
fn sessions_get_their_training_method() {
    let dir = tempfile::tempdir().unwrap();
    let text = "user_id,session,joined_at,left_at\n\
ann@x.org,Brown bag: Intune on your phone,2026-10-01T12:00:00Z,2026-10-01T12:45:00Z\n\
bob@x.org,Intune onboarding (Finance),2026-10-02T09:00:00Z,2026-10-02T10:00:00Z\n";
    let data = load(
        dir.path(),
        "[sources.training]\npath = \"attendance.csv\"\n\
[[training_methods]]\nname = \"brown bag\"\nsessions = [\"brown bag*\"]\n",
        &[("attendance.csv", text)],
        None,
    );
    let methods: Vec<(String, Option<u32>)> = data
        .training
        .sessions
        .iter()
        .cloned()
        .zip(data.session_methods.iter().copied())
        .collect();
    assert_eq!(
        methods,
        [
            ("Brown bag: Intune on your phone".to_string(), Some(0)),
            ("Intune onboarding (Finance)".to_string(), None),
        ]
    );
}

#[test]
fn generated_rollouts_with_channels_and_after_validate() {
    for (flags, users) in [
        (&["--workloads", "3"][..], 400),
        (&["--snapshots"][..], 300),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let status = uptake()
            .args(["generate", "--channels", "--after", "--users"])
            .arg(users.to_string())
            .arg("--out")
            .arg(&data)
            .args(flags)
            .output()
            .unwrap();
        assert!(status.status.success());
        let out = uptake()
            .args(["validate", "--config"])
            .arg(data.join("uptake.toml"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut quarantined = 0;
        for source in ["touchpoints", "completions", "usage", "survey"] {
            let line = stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{source} ")))
                .unwrap_or_else(|| panic!("no {source} line in\n{stdout}"));
            // `N rows read = A accepted + Q quarantined`: N = A + Q.
            let n: Vec<u64> = line
                .split_whitespace()
                .filter_map(|w| w.trim_end_matches(';').parse().ok())
                .collect();
            assert_eq!(n[0], n[1] + n[2], "{line}");
            quarantined += n[2];
        }
        // The generator plants bad rows (a score off the scale, an unknown workload):
        // they are quarantined, not lost.
        assert!(quarantined > 0, "{stdout}");
        // The same people's use in the admin center's Active Users report: read
        // with its format alone, OneDrive counting for the `OneDrive KFM` workload
        // (named after it), the other products noted, not read.
        if flags.contains(&"--workloads") {
            let cfg = data.join("uptake.toml");
            let text = std::fs::read_to_string(&cfg).unwrap().replace(
                "path = \"usage.csv\"\nformat = \"canonical\"",
                "path = \"m365_active_users.csv\"\nformat = \"m365_active_users\"",
            );
            std::fs::write(&cfg, text).unwrap();
            let (cfg, read) = uptake::load(Some(&cfg), None, &Progress::hidden())
                .unwrap_or_else(|e| panic!("{e}"));
            let kfm = cfg
                .workloads
                .iter()
                .position(|w| w.name == "OneDrive KFM")
                .unwrap();
            assert!(!read.usage.pid.is_empty());
            assert!(read.usage.workload.iter().all(|&w| w as usize == kfm));
            let c = &read.counts[&Source::Usage];
            assert_eq!(c.rows_read, c.rows_accepted + c.rows_quarantined);
            assert!(
                read.notes
                    .iter()
                    .any(|n| n.contains("products count for no workload")),
                "{:?}",
                read.notes
            );
        }
    }
}

/// A `generate --channels --after` rollout quarantines rows of every new source: each
/// rejected row must reach `quarantine/<source>.csv`, and `data_quality` and the
/// manifest must account for the source. Before, the report wrote them for the five
/// core sources only, so the touchpoints', usage's and survey's rejected rows were
/// counted on the terminal and then lost.
#[test]
fn every_configured_source_has_its_quarantine_file_and_accounting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rollout");
    crate::util::uptake()
        .args([
            "generate",
            "--channels",
            "--after",
            "--users",
            "800",
            "--seed",
            "5",
        ])
        .arg("--out")
        .arg(&data)
        .assert()
        .success();
    let report = crate::util::run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let quality = crate::util::read_table(&report.join("tables/data_quality.csv"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("manifest.json")).unwrap())
            .unwrap();
    for source in ["touchpoints", "completions", "usage", "survey"] {
        let row = quality
            .iter()
            .find(|r| r["source"] == source)
            .unwrap_or_else(|| panic!("data_quality has no `{source}` row"));
        let n = |c: &str| row[c].parse::<u64>().unwrap();
        assert_eq!(
            n("rows_read"),
            n("rows_accepted") + n("rows_quarantined"),
            "{source}"
        );
        let file = report.join(format!("quarantine/{source}.csv"));
        let lines =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Header, then one record per quarantined row (none spans lines here).
        assert_eq!(
            lines.lines().count() as u64 - 1,
            n("rows_quarantined"),
            "{source}"
        );
        assert!(
            manifest["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["source"] == source),
            "manifest lacks {source}"
        );
    }
    // The generator plants bad rows in these three: the test is not vacuous.
    for source in ["touchpoints", "usage", "survey"] {
        let row = quality.iter().find(|r| r["source"] == source).unwrap();
        assert_ne!(row["rows_quarantined"], "0", "{source}");
    }
}

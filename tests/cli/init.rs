//! `uptake init` (docs/init.md): every export layout told from its fixture, a mixed
//! folder, files it cannot place, an existing config, two rosters, a folder with no
//! roster, and round trips through `uptake generate` (one file per source,
//! `--snapshots`, `--workloads 3`): the config init writes gives the same
//! group_metrics as the generator's own wherever the waves match.
//!
//! When "the waves match": a group_metrics row of one group (not `(all)`, not a
//! folded `(small groups)` row) matches a row of the other run when both are of the
//! same workload (names compared case aside; a rollout of one workload has one),
//! the same group, and waves starting the same day; for a workload whose waves come
//! from a roster column, the same wave name as well (the column's value). A matched
//! row must agree on every column except the wave's name, the workload's label and
//! those computed from the target curve (init writes a placeholder curve):
//! `target_rate`, `gap`, `status`, `projected_target_date`, `forecast_*`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::util::{fixture, read_table, run_ok, uptake};

/// Copies folder `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let path = e.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(e.file_name()));
        } else {
            std::fs::copy(&path, to.join(e.file_name())).unwrap();
        }
    }
}

/// Runs `uptake init` with `args`; returns (exit code, stdout, stderr).
fn init(args: &[&str]) -> (i32, String, String) {
    let out = uptake().arg("init").args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn init_ok(dir: &Path) -> String {
    let (code, stdout, stderr) = init(&[dir.to_str().unwrap()]);
    assert_eq!(code, 0, "uptake init failed:\n{stdout}\n{stderr}");
    stdout
}

fn validate_ok(config: &Path) -> String {
    let out = uptake()
        .args(["validate", "--config"])
        .arg(config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "uptake validate refused init's config:\n{}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(config).unwrap()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The line init prints for the file at `rel`.
fn line_of<'a>(stdout: &'a str, rel: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{rel} ")))
        .unwrap_or_else(|| panic!("no line for {rel}:\n{stdout}"))
}

#[test]
fn every_export_layout_is_recognised_from_its_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("exports");
    copy_tree(&fixture("exports"), &root);
    let stdout = init_ok(&root);
    // The fixture folder, and the source and format every file in it is.
    let expect: &[(&str, &str, &str)] = &[
        ("entra", "roster", "entra"),
        ("intune", "enrollments", "intune"),
        ("jira", "tickets", "jira"),
        ("mailchimp", "email", "mailchimp"),
        ("roster", "roster", "canonical"),
        ("sendgrid", "email", "sendgrid"),
        ("servicenow", "tickets", "servicenow"),
        ("teams", "training", "teams"),
        ("zendesk", "tickets", "zendesk"),
        ("zoom", "training", "zoom"),
        ("cornerstone", "completions", "cornerstone"),
        ("moodle", "completions", "moodle"),
        ("qualtrics", "survey", "qualtrics"),
        ("surveymonkey", "survey", "surveymonkey"),
        ("viva-engage", "touchpoints", "viva_engage"),
    ];
    // Told, and not placed, with why: which product of the Active Users report
    // counts for which workload only the user can say; the Forms fixture answers its
    // questions in words, so the reader cannot tell which one is the score.
    let unplaced: &[(&str, &str)] = &[
        ("m365", "a usage export (Microsoft 365 Active Users detail): which product's use counts for which workload only you can say"),
        ("forms", "`sources.survey.columns.score`"),
    ];
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    walk(&root, &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != "uptake.toml"));
    assert!(files.len() > 40, "the fixtures: {}", files.len());
    for f in &files {
        let rel: Vec<String> = f
            .strip_prefix(&root)
            .unwrap()
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let top = &rel[0];
        if let Some((_, why)) = unplaced.iter().find(|(folder, _)| top == folder) {
            let said = format!("\n  {}: ", rel.join("/"));
            let line = stdout[stdout
                .find(&said)
                .unwrap_or_else(|| panic!("{said}:\n{stdout}"))..]
                .lines()
                .nth(1)
                .unwrap();
            assert!(line.contains(why), "{}: {line}", rel.join("/"));
            continue;
        }
        let (_, source, format) = expect
            .iter()
            .find(|(folder, ..)| top == folder || top.starts_with(&format!("{folder}-")))
            .unwrap_or_else(|| panic!("no expectation for {top}"));
        let line = line_of(&stdout, &rel.join("/"));
        assert!(
            line.contains(&format!(" {source} ")) && line.contains(&format!("({format})")),
            "{}: expected {source} ({format}): {line}",
            rel.join("/")
        );
    }
    // Encodings and the languages of the labels, where not English.
    for (rel, says) in [
        ("jira-de/Jira.csv", "German"),
        ("zendesk-fr/tickets.csv", "French"),
        ("teams/gen2-it/Formazione Intune.csv", "Italian"),
        ("teams/structure-ja/report.csv", "UTF-16BE, Japanese"),
        ("teams/gen3-pl-resaved/raport.csv", "windows-1250, Polish"),
        ("teams/gen1/meetingAttendanceList.csv", "UTF-16LE"),
    ] {
        assert!(line_of(&stdout, rel).contains(says), "{rel}: {says}");
    }
    for (rel, english) in [
        ("zoom/participants_81234567890.csv", "UTF-8"),
        ("roster/people.csv", "UTF-8"),
    ] {
        assert!(
            line_of(&stdout, rel).trim_end().ends_with(english),
            "{rel} is in English: {}",
            line_of(&stdout, rel)
        );
    }
    // Rosters in several places: the folder with the most files (roster/, two
    // canonical files read as one roster) is read, each other said why not.
    for other in ["entra/m365_users.csv", "entra/exportUsers_2024-1-20.csv"] {
        assert!(
            stdout.contains(&format!("{other}: a second roster")),
            "{other}:\n{stdout}"
        );
    }
    assert!(root.join("uptake.toml").is_file());
}

/// A folder of exports of one rollout as they come from the tools, beside
/// uptake's own layouts: the hand-worked roster (canonical), enrollments
/// (canonical, in a folder of dated weekly exports), email (canonical), the tickets
/// as a Zendesk export and training as a Teams report, and two files init cannot
/// place.
fn mixed_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let hw = fixture("handworked");
    let d = dir.path();
    std::fs::copy(hw.join("roster.csv"), d.join("people.csv")).unwrap();
    std::fs::copy(hw.join("email.csv"), d.join("email.csv")).unwrap();
    std::fs::copy(hw.join("training.csv"), d.join("attendance.csv")).unwrap();
    std::fs::create_dir_all(d.join("tickets")).unwrap();
    std::fs::copy(
        fixture("exports/zendesk/tickets.csv"),
        d.join("tickets/zendesk.csv"),
    )
    .unwrap();
    std::fs::create_dir_all(d.join("teams")).unwrap();
    std::fs::copy(
        fixture("exports/teams/gen2/Intune onboarding - Attendance report.csv"),
        d.join("teams/onboarding.csv"),
    )
    .unwrap();
    // The enrollments as two weekly exports: the first one's rows, then all.
    let enrollments = std::fs::read_to_string(hw.join("enrollments.csv")).unwrap();
    let lines: Vec<&str> = enrollments.lines().collect();
    std::fs::create_dir_all(d.join("devices")).unwrap();
    let half = lines[..=lines.len() / 2].join("\n") + "\n";
    std::fs::write(d.join("devices/devices_2026-11-13.csv"), half).unwrap();
    std::fs::write(d.join("devices/devices_2026-11-20.csv"), &enrollments).unwrap();
    std::fs::write(d.join("budget.csv"), "name,amount\nlaptops,1200\n").unwrap();
    std::fs::write(d.join("slides.pdf"), b"%PDF-1.4 not an export").unwrap();
    dir
}

#[test]
fn a_mixed_folder_becomes_a_config_that_validates_and_runs() {
    let dir = mixed_folder();
    let d = dir.path();
    let stdout = init_ok(d);
    for (rel, source, format) in [
        ("people.csv", "roster", "canonical"),
        ("email.csv", "email", "canonical"),
        ("devices/devices_2026-11-13.csv", "enrollments", "canonical"),
        ("devices/devices_2026-11-20.csv", "enrollments", "canonical"),
        ("tickets/zendesk.csv", "tickets", "zendesk"),
        ("teams/onboarding.csv", "training", "teams"),
    ] {
        let line = line_of(&stdout, rel);
        assert!(
            line.contains(&format!(" {source} ")) && line.contains(&format!("({format})")),
            "{rel}: {line}"
        );
    }
    // Two training exports in two places: the one read, the other said why not.
    assert!(
        stdout.contains("attendance.csv: training exports in another place as well")
            || stdout.contains("teams/onboarding.csv: training exports in another place as well"),
        "{stdout}"
    );
    assert!(stdout.contains("budget.csv: no tool's export and no canonical layout"));
    assert!(stdout.contains("slides.pdf: a workbook, archive or PDF"));
    assert!(stdout.contains("uptake validate --config"));
    assert!(stdout.contains("uptake run --config"));
    let text = std::fs::read_to_string(d.join("uptake.toml")).unwrap();
    // The dated device exports are snapshots; the hand-worked roster's group column.
    assert!(
        text.contains("path = \"devices/\"\nformat = \"canonical\"  # uptake's canonical CSV\nsnapshots = true"),
        "{text}"
    );
    assert!(text.contains("group_by = \"department\""), "{text}");
    assert!(text.contains("format = \"zendesk\""), "{text}");
    assert!(text.contains("PLACEHOLDER"), "{text}");
    validate_ok(&d.join("uptake.toml"));
    run_ok(&d.join("uptake.toml"), &d.join("out"), &[]);
}

#[test]
fn an_existing_config_is_never_replaced_without_force() {
    let dir = mixed_folder();
    let d = dir.path();
    let config = d.join("uptake.toml");
    std::fs::write(&config, "# mine\n").unwrap();
    let (code, _, stderr) = init(&[d.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("uptake.toml: a config already exists there"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
    // --out elsewhere leaves it too; --force replaces it.
    let other = d.join("cfg/other.toml");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    let (code, _, stderr) = init(&[d.to_str().unwrap(), "--out", other.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&other).unwrap();
    assert!(text.contains("path = \"../people.csv\""), "{text}");
    validate_ok(&other);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
    let (code, _, stderr) = init(&[d.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(&config)
        .unwrap()
        .contains("[sources.roster]"));
}

#[test]
fn a_folder_without_a_roster_says_what_a_roster_needs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("handworked/email.csv"), d.join("email.csv")).unwrap();
    // A people list with no group column is no roster either.
    std::fs::write(
        d.join("people.csv"),
        "user_id,display_name\na@x.com,Ann Lee\nb@x.com,Bob Ray\n",
    )
    .unwrap();
    let (code, _, stderr) = init(&[d.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    for says in [
        "no roster found",
        "`user_id`",
        "group column",
        "email.csv: email (canonical)",
        "people.csv: a roster with no group column",
        "headers found: user_id, display_name",
    ] {
        assert!(stderr.contains(says), "stderr lacks {says:?}:\n{stderr}");
    }
    assert!(!d.join("uptake.toml").exists());
}

/// Two rosters: dated exports of one roster in a folder of their own are its
/// snapshots (read as its history); two roster files among the other exports are two
/// rosters, of which the latest (dated) or the larger is read and the other listed as
/// not placed, with why.
#[test]
fn two_rosters_are_snapshots_in_a_folder_of_their_own_else_one_is_read() {
    let dir = mixed_folder();
    let d = dir.path();
    let roster = std::fs::read_to_string(d.join("people.csv")).unwrap();
    std::fs::remove_file(d.join("people.csv")).unwrap();
    std::fs::create_dir_all(d.join("roster")).unwrap();
    std::fs::write(d.join("roster/entra_2026-11-13.csv"), &roster).unwrap();
    std::fs::write(d.join("roster/entra_2026-11-20.csv"), &roster).unwrap();
    let stdout = init_ok(d);
    let text = std::fs::read_to_string(d.join("uptake.toml")).unwrap();
    assert!(
        text.contains("[sources.roster]\npath = \"roster/\"\nformat = \"canonical\"  # uptake's canonical CSV\nsnapshots = true"),
        "{text}"
    );
    assert!(stdout.contains("roster = roster/ (snapshots)"), "{stdout}");
    validate_ok(&d.join("uptake.toml"));

    // The same two files among the other exports: the later one is read.
    for name in ["entra_2026-11-13.csv", "entra_2026-11-20.csv"] {
        std::fs::rename(d.join("roster").join(name), d.join(name)).unwrap();
    }
    let stdout = {
        let (code, stdout, stderr) = init(&[d.to_str().unwrap(), "--force"]);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    assert!(
        stdout.contains(
            "entra_2026-11-13.csv: an older snapshot of the roster than entra_2026-11-20.csv"
        ),
        "{stdout}"
    );
    let text = std::fs::read_to_string(d.join("uptake.toml")).unwrap();
    assert!(text.contains("path = \"entra_2026-11-20.csv\""), "{text}");
    validate_ok(&d.join("uptake.toml"));
}

type Row = BTreeMap<String, String>;

/// A row's key for matching: (workload, group, wave start, wave name where a roster
/// column names the waves).
type Key = (String, String, String, String);

/// Per wave name: (workload, start), and per workload whether a roster column
/// names its waves.
fn waves_of(config: &Path) -> (BTreeMap<String, (String, String)>, BTreeSet<String>) {
    let t: toml::Table = toml::from_str(&std::fs::read_to_string(config).unwrap()).unwrap();
    let mut by_column = BTreeSet::new();
    for w in t
        .get("workloads")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        if w.get("wave_column").is_some() {
            by_column.insert(w["name"].as_str().unwrap().to_lowercase());
        }
    }
    let waves = t["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let workload = w
                .get("workload")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_lowercase();
            (
                w["name"].as_str().unwrap().to_string(),
                (workload, w["start"].as_str().unwrap().to_string()),
            )
        })
        .collect();
    (waves, by_column)
}

/// group_metrics rows of one group, keyed as "the waves match" says (see the top).
fn keyed(config: &Path, report: &Path) -> BTreeMap<Key, Row> {
    let (waves, by_column) = waves_of(config);
    let mut out = BTreeMap::new();
    for r in read_table(&report.join("tables/group_metrics.csv")) {
        // `(all)`, `(small groups)` and `X (+ small groups)` depend on which groups
        // share a wave: not one group's row.
        if r["group"].starts_with('(') || r["group"].contains("(+") {
            continue;
        }
        let (workload, start) = waves[&r["wave"]].clone();
        let wave = if by_column.contains(&workload) {
            r["wave"].clone()
        } else {
            String::new()
        };
        out.insert((workload, r["group"].clone(), start, wave), r);
    }
    out
}

/// The columns computed from the target curve (init's is a placeholder), or naming
/// the wave or the rollout.
const NOT_COMPARED: &[&str] = &[
    "workload",
    "wave",
    "target_rate",
    "gap",
    "status",
    "projected_target_date",
    "forecast_date",
    "forecast_low",
    "forecast_high",
];

/// `uptake generate` with `flags`, its config set aside, `uptake init`, then both
/// configs run: matched rows agree. Returns the matched rows' keys, init's config
/// and what `uptake validate` said of it.
fn round_trip(flags: &[&str]) -> (Vec<Key>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    uptake()
        .args(["generate", "--users", "400", "--seed", "3", "--out"])
        .arg(&data)
        .args(flags)
        .assert()
        .success();
    let original = dir.path().join("original.toml");
    std::fs::copy(data.join("uptake.toml"), &original).unwrap();
    std::fs::remove_file(data.join("uptake.toml")).unwrap();
    // The original reads the files relative to itself: next to them.
    let original_beside = data.join("original.toml");
    std::fs::rename(&original, &original_beside).unwrap();
    let stdout = init_ok(&data);
    assert!(!stdout.contains("original.toml"), "a config is no export");
    let config = data.join("uptake.toml");
    let said = validate_ok(&config);
    let text = std::fs::read_to_string(&config).unwrap();
    // Init leaves as_of to the latest event; the numbers compared are those of the
    // original's day.
    let original_text = std::fs::read_to_string(&original_beside).unwrap();
    let as_of = original_text
        .lines()
        .find_map(|l| l.strip_prefix("as_of = \""))
        .and_then(|l| l.split('"').next())
        .expect("the generated config sets as_of")
        .to_string();
    let old = run_ok(&original_beside, &dir.path().join("old"), &[]);
    let new = run_ok(&config, &dir.path().join("new"), &["--as-of", &as_of]);
    // Every source the original reads, init's config reads alike.
    let counts = |report: &Path| -> BTreeMap<String, Vec<String>> {
        read_table(&report.join("tables/data_quality.csv"))
            .into_iter()
            .filter(|r| r["workload"] == "(all)")
            .map(|r| {
                let said = [
                    "rows_read",
                    "rows_accepted",
                    "rows_quarantined",
                    "unmatched_users",
                    "duplicates_removed",
                ]
                .map(|c| r[c].clone());
                (r["source"].clone(), said.to_vec())
            })
            .collect()
    };
    assert_eq!(counts(&old), counts(&new), "{flags:?}: data_quality");
    let mut old_rows = keyed(&original_beside, &old);
    let new_rows = keyed(&config, &new);
    // One workload: the label is the rollout's name, which init takes from the folder.
    let one = |rows: &BTreeMap<_, _>| {
        rows.keys()
            .map(|k: &Key| k.0.clone())
            .collect::<BTreeSet<_>>()
            .len()
            == 1
    };
    let single = one(&old_rows) && one(&new_rows);
    if single {
        old_rows = old_rows
            .into_iter()
            .map(|((_, g, s, w), r)| ((String::new(), g, s, w), r))
            .collect();
    }
    let mut matched = Vec::new();
    for (key, new_row) in &new_rows {
        let key = if single {
            (String::new(), key.1.clone(), key.2.clone(), key.3.clone())
        } else {
            key.clone()
        };
        let Some(old_row) = old_rows.get(&key) else {
            continue;
        };
        matched.push(key.clone());
        for (col, v) in new_row {
            if NOT_COMPARED.contains(&col.as_str()) {
                continue;
            }
            assert_eq!(v, &old_row[col], "{flags:?} {key:?}: {col}");
        }
    }
    (matched, text, said)
}

#[test]
fn a_generated_rollout_round_trips_through_init() {
    // With 400 people (seed 3), five groups' first enrollments fall in the week
    // their planned wave starts, so init's waves start the same Monday.
    let (matched, text, _) = round_trip(&[]);
    assert!(matched.len() >= 3, "{matched:?}");
    assert!(!text.contains("\n[[workloads]]"), "{text}");
}

#[test]
fn a_generated_rollout_with_snapshots_round_trips_through_init() {
    let (matched, text, _) = round_trip(&["--snapshots"]);
    assert!(matched.len() >= 3, "{matched:?}");
    for folder in ["roster/", "devices/", "tickets/"] {
        assert!(
            text.contains(&format!("path = \"{folder}\"\nformat = \"canonical\"  # uptake's canonical CSV\nsnapshots = true")),
            "{folder}: {text}"
        );
    }
}

/// Regression: canonical touchpoints, completions, usage and survey files have a
/// `user_id` column and were taken for rosters (the one with the most rows was
/// kept, so the generated touchpoints became the roster, grouped by `channel`).
/// They are now told by their own columns and placed; the usage rows name the
/// rollout, whose name init takes from them; the survey's scale is the one its
/// scores fit.
#[test]
fn a_generated_rollout_with_channels_and_after_enrollment_round_trips_through_init() {
    let (matched, text, _) = round_trip(&["--channels", "--after"]);
    assert!(matched.len() >= 3, "{matched:?}");
    assert!(text.contains("path = \"roster.csv\""), "{text}");
    assert!(text.contains("group_by = \"department\""), "{text}");
    for (source, file) in [
        ("touchpoints", "touchpoints.csv"),
        ("completions", "completions.csv"),
        ("usage", "usage.csv"),
        ("survey", "survey.csv"),
    ] {
        assert!(
            text.contains(&format!("[sources.{source}]\npath = \"{file}\"\n")),
            "{source}: {text}"
        );
    }
    // The 400 people's scores run from 2 to 5: on the 1–5 scale.
    assert!(
        text.contains(
            "\n[survey]\nscale = [1, 5]  # GUESS: the scores of survey.csv run from 2 to 5\n"
        ),
        "{text}"
    );
}

#[test]
fn a_generated_rollout_of_three_workloads_round_trips_through_init() {
    // Intune MDM (its Intune export) and App protection have a wave per group, and
    // rows of both match. OneDrive KFM's waves are the roster's `kfm_wave` values:
    // the generator's early adopters enrol before their wave's planned start, so
    // its waves start earlier than planned and none matches; they must still be
    // named by the column's values, or nobody would be in them.
    let (matched, text, said) = round_trip(&["--workloads", "3"]);
    let workloads: BTreeSet<&str> = matched.iter().map(|k| k.0.as_str()).collect();
    assert!(
        workloads.contains("intune mdm") && workloads.contains("app protection"),
        "{matched:?}"
    );
    assert!(text.contains("wave_column = \"kfm_wave\""), "{text}");
    for wave in ["KFM 1", "KFM 2", "KFM 3"] {
        assert!(
            text.contains(&format!("name = \"{wave}\"\n")),
            "{wave}: {text}"
        );
    }
    assert!(!said.contains("counted as unassigned"), "{said}");
    assert!(text.contains("format = \"intune\""), "{text}");
}

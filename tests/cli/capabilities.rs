//! `uptake generate` with the capability flags (`--workloads`, `--cuts`,
//! `--snapshots`, `--channels`, `--after`), end to end: what the command says it
//! wrote, and runs over the rollouts whose config keys uptake already reads. The
//! files' shapes are checked by the generator's own tests (src/generate/tests.rs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::util::{read_table, run_ok, uptake};

/// `uptake generate --users N --seed S --out DATA FLAGS...`; returns DATA.
fn generate(data: &Path, users: u32, seed: u64, flags: &[&str]) -> PathBuf {
    uptake()
        .args(["generate", "--users", &users.to_string()])
        .args(["--seed", &seed.to_string()])
        .args(flags)
        .arg("--out")
        .arg(data)
        .assert()
        .success();
    data.to_path_buf()
}

#[test]
fn a_three_workload_rollout_runs_with_each_workload_on_its_own_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(&dir.path().join("r"), 2000, 4, &["--workloads", "3"]);
    let report = run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let rows = read_table(&report.join("tables/group_metrics.csv"));
    let workloads: BTreeSet<&str> = rows.iter().map(|r| r["workload"].as_str()).collect();
    assert_eq!(
        workloads,
        BTreeSet::from(["App protection", "Intune MDM", "OneDrive KFM"])
    );
    // KFM 3 starts after the as-of day; the first workload's waves have all started.
    let status = |wave: &str| {
        let row = rows
            .iter()
            .find(|r| r["wave"] == wave && r["group"] == "(all)");
        row.unwrap_or_else(|| panic!("no {wave}"))["status"].clone()
    };
    assert_eq!(status("KFM 3"), "not_started");
    for wave in ["Wave 1", "Wave 2", "Wave 3", "Wave 4", "MAM 1", "KFM 1"] {
        assert_ne!(status(wave), "not_started", "{wave}");
    }
    // The Intune export's shared devices belong to nobody: quarantined as such.
    let q = std::fs::read_to_string(report.join("quarantine/enrollments.csv")).unwrap();
    assert!(q.contains("no primary user"), "{q}");
    for r in read_table(&report.join("tables/data_quality.csv")) {
        let n = |c: &str| r[c].parse::<u64>().unwrap();
        let (read, accepted, quarantined) =
            (n("rows_read"), n("rows_accepted"), n("rows_quarantined"));
        assert_eq!(read, accepted + quarantined, "{}", r["source"]);
    }
}

#[test]
fn a_rollout_with_workloads_and_cuts_reads_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(
        &dir.path().join("r"),
        2000,
        6,
        &["--workloads", "4", "--cuts"],
    );
    uptake()
        .arg("validate")
        .arg("--config")
        .arg(data.join("uptake.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("is valid; every input was read"))
        .stdout(predicate::str::contains("enrollments 0 rows").not());
}

/// `uptake run` on a rollout with three workloads and cuts: every cut is in the
/// tables. (Regression: the tickets' frame once dropped the cut labels, so
/// `cut_metrics` could not count tickets per cut value.)
#[test]
fn a_rollout_with_cuts_runs_with_every_cut_in_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(
        &dir.path().join("r"),
        2000,
        6,
        &["--workloads", "3", "--cuts"],
    );
    let report = run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let rows = read_table(&report.join("tables/cut_metrics.csv"));
    let cuts: BTreeSet<&str> = rows.iter().map(|r| r["cut"].as_str()).collect();
    assert_eq!(cuts, BTreeSet::from(["cost_center", "location"]));
    // The satellite offices and the tiny cost centres are folded.
    assert!(rows.iter().any(|r| r["value"].contains("small values")));
    assert!(!rows
        .iter()
        .any(|r| ["Luxembourg", "Monaco", "Ajaccio"].contains(&r["value"].as_str())));
}

#[test]
fn generate_lists_every_file_and_snapshot_folder_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("r");
    let flags = [
        "--snapshots",
        "--channels",
        "--after",
        "--cuts",
        "--workloads",
        "2",
    ];
    let out = uptake()
        .args(["generate", "--users", "300", "--out"])
        .arg(&data)
        .args(flags)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "with 2 workloads, cuts, weekly snapshots, channels, after-enrollment data",
        ));
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for folder in ["roster", "devices", "tickets", "usage"] {
        let line = format!("{}/ (12 weekly snapshots, ", data.join(folder).display());
        assert!(stdout.contains(&line), "{line}\n{stdout}");
        assert_eq!(std::fs::read_dir(data.join(folder)).unwrap().count(), 12);
    }
    for file in [
        "app_protection.csv",
        "touchpoints.csv",
        "completions.csv",
        "m365_active_users.csv",
        "survey.csv",
    ] {
        assert!(
            stdout.contains(&data.join(file).display().to_string()),
            "{file}"
        );
    }
    assert!(!data.join("roster.csv").exists() && !data.join("enrollments.csv").exists());
}

#[test]
fn generate_refuses_a_workload_count_it_cannot_write() {
    for n in ["0", "5"] {
        uptake()
            .args([
                "generate",
                "--users",
                "10",
                "--out",
                "unused",
                "--workloads",
                n,
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--workloads"));
    }
}

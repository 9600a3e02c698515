//! `uptake run`, `validate` and `generate` end to end, as a user runs them.

use std::path::Path;

use predicates::prelude::*;

use crate::util::{copy_fixture, read_table, run_ok, uptake, TABLES};

fn assert_reconciles(report: &Path) {
    for r in read_table(&report.join("tables/data_quality.csv")) {
        let n = |c: &str| r[c].parse::<u64>().unwrap();
        assert_eq!(
            n("rows_read"),
            n("rows_accepted") + n("rows_quarantined"),
            "{}",
            r["source"]
        );
    }
}

#[test]
fn runs_the_shipped_sample_with_no_config() {
    let out = tempfile::tempdir().unwrap();
    uptake()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("run")
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "report as of 2026-11-20 (rollout.as_of)",
        ));
    let report = out.path().join("2026-11-20");
    for t in TABLES {
        for ext in ["csv", "parquet", "arrow"] {
            assert!(
                report.join(format!("tables/{t}.{ext}")).is_file(),
                "{t}.{ext}"
            );
        }
    }
    assert!(report.join("manifest.json").is_file());
    assert_eq!(
        std::fs::read_link(out.path().join("latest")).unwrap(),
        Path::new("2026-11-20")
    );
    assert_reconciles(&report);
}

#[test]
fn a_generated_rollout_runs_and_gives_byte_identical_tables() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rollout");
    uptake()
        .args(["generate", "--users", "2500", "--seed", "11", "--out"])
        .arg(&data)
        .assert()
        .success();
    let config = data.join("uptake.toml");
    let first = run_ok(&config, &dir.path().join("a"), &[]);
    let second = run_ok(&config, &dir.path().join("b"), &[]);
    for t in TABLES {
        for ext in ["csv", "parquet", "arrow"] {
            let name = format!("tables/{t}.{ext}");
            assert_eq!(
                std::fs::read(first.join(&name)).unwrap(),
                std::fs::read(second.join(&name)).unwrap(),
                "{name} differs between two runs"
            );
        }
    }
    assert_reconciles(&first);
    // The generator sprinkles bad rows into every source: each one is quarantined.
    for source in ["roster", "enrollments", "email", "training", "tickets"] {
        let q = std::fs::read_to_string(first.join(format!("quarantine/{source}.csv"))).unwrap();
        assert!(q.lines().count() > 1, "{source}: no quarantined row");
    }
}

#[test]
fn as_of_flag_overrides_the_config() {
    let dir = copy_fixture("handworked");
    let out = dir.path().join("out");
    uptake()
        .arg("run")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .args(["--as-of", "2026-11-13", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("as of 2026-11-13 (--as-of)"));
    assert!(out.join("2026-11-13/tables/group_metrics.csv").is_file());
}

#[test]
fn a_failed_run_leaves_the_previous_report_whole() {
    let dir = copy_fixture("handworked");
    let out = dir.path().join("out");
    let config = dir.path().join("uptake.toml");
    let report = run_ok(&config, &out, &[]);
    let before = std::fs::read(report.join("tables/group_metrics.csv")).unwrap();
    std::fs::remove_file(dir.path().join("tickets.csv")).unwrap();
    uptake()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read(out.join("2026-11-20/tables/group_metrics.csv")).unwrap(),
        before
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["2026-11-20", "latest"]);
}

#[test]
fn validate_reads_everything_and_writes_nothing() {
    let dir = copy_fixture("handworked");
    let before: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    uptake()
        .current_dir(dir.path())
        .args(["validate", "--config", "uptake.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("every input was read"))
        .stdout(predicate::str::contains("tickets"));
    let after: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(before.len(), after.len());
}

#[test]
fn manifest_lists_inputs_with_hashes_and_counts() {
    let dir = copy_fixture("handworked");
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["as_of"], "2026-11-20");
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 5);
    let roster = inputs.iter().find(|i| i["source"] == "roster").unwrap();
    assert_eq!(roster["rows"], 17);
    assert_eq!(roster["sha256"].as_str().unwrap().len(), 64);
    assert!(manifest["config"]["text"]
        .as_str()
        .unwrap()
        .contains("Hand-worked"));
}

/// The sources after the roster are read two at a time, email first; when several
/// fail, the error is the one of the earliest in source order (enrollments before
/// email before tickets), as when they were read one after another.
#[test]
fn of_several_failing_sources_the_first_in_source_order_is_reported() {
    let dir = copy_fixture("handworked");
    for file in ["tickets.csv", "email.csv", "enrollments.csv"] {
        std::fs::remove_file(dir.path().join(file)).unwrap();
    }
    let run = uptake()
        .arg("run")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(err.contains("enrollments.csv"), "{err}");
    assert!(!err.contains("email.csv"), "{err}");
    assert!(!err.contains("tickets.csv"), "{err}");
}

//! Golden tables of a generated rollout with three workloads and cuts: every table,
//! byte for byte, in tests/golden/workloads/.
//!
//! The rollout is `uptake generate --users 1200 --seed 41 --workloads 3 --cuts`:
//! Intune MDM and App protection phased by department, OneDrive KFM by the roster's
//! `kfm_wave` column, each with its own export, and the cuts `location` and
//! `cost_center`. When a change to the metrics is intended, rewrite the files with
//! `UPTAKE_UPDATE_GOLDEN=1 cargo test --release --test cli golden` and review the diff
//! like code.

use std::path::Path;

use crate::util::{check_golden, run_ok, uptake, TABLES};

#[test]
fn tables_of_a_generated_three_workload_rollout_with_cuts_match_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rollout");
    uptake()
        .args(["generate", "--users", "1200", "--seed", "41"])
        .args(["--workloads", "3", "--cuts", "--out"])
        .arg(&data)
        .assert()
        .success();
    let report = run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/workloads");
    for table in TABLES {
        let got = std::fs::read_to_string(report.join(format!("tables/{table}.csv"))).unwrap();
        check_golden(&golden.join(format!("{table}.csv")), &got);
    }
    // Three workloads, each with its waves and its own overall row, and both cuts.
    let groups = std::fs::read_to_string(golden.join("group_metrics.csv")).unwrap();
    for workload in ["Intune MDM", "App protection", "OneDrive KFM"] {
        assert!(
            groups.contains(&format!("\n{workload},(all),(all),")),
            "{workload}"
        );
    }
    let cuts = std::fs::read_to_string(golden.join("cut_metrics.csv")).unwrap();
    assert!(cuts.contains(",location,") && cuts.contains(",cost_center,"));
}

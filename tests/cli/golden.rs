//! Golden files: every table of a generated rollout, byte for byte.
//!
//! The rollout is `uptake generate --users 1500 --seed 21`. When a change to the
//! metrics is intended, rewrite the files with `UPTAKE_UPDATE_GOLDEN=1 cargo test
//! --release --test cli golden` and review the diff like code.

use std::path::Path;

use crate::util::{check_golden, run_ok, uptake, TABLES};

#[test]
fn tables_of_a_generated_rollout_match_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rollout");
    uptake()
        .args(["generate", "--users", "1500", "--seed", "21", "--out"])
        .arg(&data)
        .assert()
        .success();
    let report = run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for table in TABLES {
        let got = std::fs::read_to_string(report.join(format!("tables/{table}.csv"))).unwrap();
        check_golden(&golden.join(format!("{table}.csv")), &got);
    }
}

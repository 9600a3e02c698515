//! Golden files: every table of a generated rollout, byte for byte.
//!
//! The rollout is `uptake generate --users 1500 --seed 21`. When a change to the
//! metrics is intended, rewrite the files with `UPTAKE_UPDATE_GOLDEN=1 cargo test
//! --release --test cli golden` and review the diff like code.

use std::path::Path;

use crate::util::{run_ok, uptake, TABLES};

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
    let update = std::env::var_os("UPTAKE_UPDATE_GOLDEN").is_some();
    for table in TABLES {
        let got = std::fs::read_to_string(report.join(format!("tables/{table}.csv"))).unwrap();
        let path = golden.join(format!("{table}.csv"));
        if update {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (set UPTAKE_UPDATE_GOLDEN=1 to create)",
                path.display()
            )
        });
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(g, w)| g != w)
                .map_or_else(|| "a line count".to_string(), |i| format!("line {}", i + 1));
            panic!("{table}.csv differs from its golden file at {line}");
        }
    }
}

//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Every table a run writes under `tables/`.
pub const TABLES: [&str; 14] = [
    "group_metrics",
    "cut_metrics",
    "weekly_progress",
    "attention",
    "lift",
    "campaigns",
    "ticket_categories",
    "time_to_enroll",
    "effects",
    "data_quality",
    "channels",
    "training_methods",
    "after_enrollment",
    "group_metrics_week_ago",
];

/// The `uptake` binary built with these tests.
pub fn uptake() -> Command {
    let mut cmd = Command::cargo_bin("uptake").expect("the uptake binary is built");
    cmd.env_remove("CI");
    cmd
}

/// A fixture folder under tests/fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a fixture into a fresh temp folder (so a test can alter it) and returns
/// the folder.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(fixture(name)).expect("fixture exists") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    dir
}

/// Reads a CSV file into rows of cells (header included).
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| rec.expect("record").iter().map(str::to_string).collect())
        .collect()
}

/// A table as a list of maps from column name to cell.
pub fn read_table(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let rows = read_csv(path);
    let header = rows[0].clone();
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// Compares `got` with the golden file at `path`, or rewrites the file when
/// `UPTAKE_UPDATE_GOLDEN` is set. A difference names the first differing line.
pub fn check_golden(path: &Path, got: &str) {
    if std::env::var_os("UPTAKE_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("a golden file has a folder")).unwrap();
        std::fs::write(path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(path).unwrap_or_else(|e| {
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
        panic!(
            "{} differs from what the run wrote at {line}",
            path.display()
        );
    }
}

/// Runs `uptake run` on `config` into `out` and asserts success.
pub fn run_ok(config: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let mut cmd = uptake();
    cmd.arg("run")
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out);
    cmd.args(extra);
    let output = cmd.output().expect("runs");
    assert!(
        output.status.success(),
        "uptake run failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    out.join("latest")
}

/// The path of the `uptake` binary built with these tests (for `std::process`).
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("uptake")
}

/// `uptake generate --users N --seed S --out DATA`; returns DATA.
pub fn generate(data: &Path, users: u32, seed: u64) -> PathBuf {
    uptake()
        .args(["generate", "--users", &users.to_string()])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(data)
        .assert()
        .success();
    data.to_path_buf()
}

/// Whether the tests run as root (for whom file permissions do not stop a read or
/// a write).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// A folder no file can be added to or removed from, for as long as the guard
/// lives: `chattr +i` as root (permissions do not stop root), mode 0555 otherwise.
pub struct Immutable {
    path: PathBuf,
    chattr: bool,
}

impl Immutable {
    /// Makes `path` unwritable; `None` when this machine offers no way to.
    pub fn new(path: &Path) -> Option<Immutable> {
        if is_root() {
            let ok = std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            return ok.then(|| Immutable {
                path: path.to_path_buf(),
                chattr: true,
            });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).ok()?;
            Some(Immutable {
                path: path.to_path_buf(),
                chattr: false,
            })
        }
        #[cfg(not(unix))]
        None
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        if self.chattr {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.path)
                .status();
        } else {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ =
                    std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o755));
            }
        }
    }
}

/// Every file of the report a sponsor may see: all but `quarantine/` and `private/`
/// (the two that name people, owner-only).
pub fn sponsor_files(report: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![report.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "quarantine" && name != "private" {
                    stack.push(p);
                }
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every file under `dir`, recursively, sorted.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The row of a table for (wave, group); panics naming them when there is none.
pub fn find<'a>(
    rows: &'a [std::collections::BTreeMap<String, String>],
    wave: &str,
    group: &str,
) -> &'a std::collections::BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["wave"] == wave && r["group"] == group)
        .unwrap_or_else(|| panic!("no row {wave}/{group}"))
}

/// Checks one row of a hand-worked fixture: expected cells as strings; numbers
/// compared to 1e-6, anything else exactly.
pub fn check(row: &std::collections::BTreeMap<String, String>, expected: &[(&str, &str)]) {
    for (col, want) in expected {
        let got = &row[*col];
        match (got.parse::<f64>(), want.parse::<f64>()) {
            (Ok(g), Ok(w)) => assert!(
                (g - w).abs() < 1e-6,
                "{}/{} {col}: got {got}, want {want}",
                row["wave"],
                row["group"]
            ),
            _ => assert_eq!(got, want, "{}/{} {col}", row["wave"], row["group"]),
        }
    }
}

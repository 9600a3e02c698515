//! Faults (issue 8, point 4): a run killed at any moment, a run whose target is
//! read-only or full. Each leaves the previous report whole, nothing half-written
//! under a final name, and `latest` pointing at a whole report.
//!
//! Tests run as root here, where permissions do not stop a write: a read-only
//! target is made with `chattr +i` or a read-only bind mount (in a private mount
//! namespace, `unshare -m`), a full disk with a small tmpfs there, or with a file
//! size limit (`prlimit --fsize`, SIGXFSZ ignored) anywhere. A fault that cannot be
//! provoked on this machine is said on stderr, with what was tried.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::util::{all_files, bin, copy_fixture, generate, run_ok, Immutable};

/// Every file under `dir` (relative path -> sha256), following no symlink.
pub fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    all_files(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            let sha = Sha256::digest(std::fs::read(&p).unwrap());
            (rel, uptake::ingest::text::hex(&sha))
        })
        .collect()
}

/// The names in `out` that a user sees (hidden temporary folders left aside).
fn visible(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// The report folder is whole (every file of `want`, byte for byte), it is the only
/// folder under a final name, and `latest` points at it.
fn assert_whole(out: &Path, day: &str, want: &BTreeMap<String, String>, when: &str) {
    assert_eq!(visible(out), [day, "latest"], "{when}");
    assert_eq!(
        std::fs::read_link(out.join("latest")).unwrap(),
        Path::new(day),
        "{when}"
    );
    let got = snapshot(&out.join(day));
    if &got != want {
        let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
        let changed: Vec<_> = want
            .iter()
            .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
            .map(|(k, _)| k)
            .collect();
        panic!("{when}: the report is not whole: missing {missing:?}, changed {changed:?}");
    }
}

/// A small deterministic generator of kill moments (xorshift).
struct Moments(u64);

impl Moments {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_previous_report_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(&dir.path().join("rollout"), 20000, 1);
    let config = data.join("uptake.toml");
    let out = dir.path().join("out");
    run_ok(&config, &out, &[]);
    let day = "2026-11-20";
    let want = snapshot(&out.join(day));
    assert!(want.len() > 30, "{want:?}");

    let started = Instant::now();
    run_ok(&config, &out, &[]);
    let full = started.elapsed();
    assert_whole(&out, day, &want, "after a whole second run");

    // Kill moments spread over the whole run (one per slot of 1/16 of it, a little
    // past its end too), each at a random point of its slot, then as many again in
    // its last quarter, where the report is moved into place. A run that ends before
    // its kill (a busy machine runs faster or slower than the timed run) is started
    // again and killed after half the time, so every kill lands during a run.
    const KILLS: u32 = 32;
    let mut moments = Moments(0x2545_F491_4F6C_DD1D);
    let mut killed_during_a_run = 0;
    for i in 0..KILLS {
        let slot = f64::from(i % 16) + moments.next_fraction();
        let fraction = if i < 16 {
            slot / 16.0 * 1.1
        } else {
            0.75 + slot / 16.0 * 0.3
        };
        let mut delay = full.mul_f64(fraction);
        for _attempt in 0..8 {
            let mut child = Command::new(bin())
                .arg("run")
                .arg("--config")
                .arg(&config)
                .arg("--out")
                .arg(&out)
                .env_remove("CI")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let still_running = child.try_wait().unwrap().is_none();
            child.kill().unwrap(); // SIGKILL: no destructor, no cleanup runs
            child.wait().unwrap();
            let when = format!("killed after {delay:?} of a {full:?} run");
            assert_whole(&out, day, &want, &when);
            if still_running {
                killed_during_a_run += 1;
                break;
            }
            delay /= 2;
        }
    }
    assert!(
        killed_during_a_run >= KILLS / 2,
        "only {killed_during_a_run} of {KILLS} kills landed during a run"
    );
    // The next run clears what the killed runs left aside.
    run_ok(&config, &out, &[]);
    assert_whole(&out, day, &want, "after a run that follows the kills");
    let hidden: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "leftovers of killed runs: {hidden:?}");
}

/// Runs `uptake run` with `wrap` in front of it (a command and its arguments, or
/// nothing); returns the exit code and stderr.
fn run_wrapped(wrap: &[&str], config: &Path, out: &Path) -> (Option<i32>, String) {
    let (program, args): (PathBuf, Vec<String>) = match wrap.split_first() {
        Some((p, rest)) => (
            PathBuf::from(p),
            rest.iter()
                .map(|s| s.to_string())
                .chain([bin().display().to_string()])
                .collect(),
        ),
        None => (bin(), Vec::new()),
    };
    let output = Command::new(program)
        .args(args)
        .arg("run")
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out)
        .env_remove("CI")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A failed write: exit 1, a message naming `--out` and what to do, the previous
/// report as it was, no temporary folder left.
fn assert_failed_write(
    code: Option<i32>,
    stderr: &str,
    out: &Path,
    want: &BTreeMap<String, String>,
    fix: &str,
) {
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write the report into {}", out.display())),
        "{stderr}"
    );
    assert!(stderr.contains(fix), "{stderr}");
    assert!(stderr.contains("the previous report"), "{stderr}");
    assert_whole(out, "2026-11-20", want, stderr);
    let hidden: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".uptake-"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// Whether `unshare -m` (a private mount namespace) works here.
pub fn can_unshare() -> bool {
    Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_run_into_a_read_only_folder_exits_1_and_leaves_the_previous_report() {
    let dir = copy_fixture("handworked");
    let config = dir.path().join("uptake.toml");
    let out = dir.path().join("out");
    run_ok(&config, &out, &[]);
    let want = snapshot(&out.join("2026-11-20"));
    let mut provoked = 0;

    // 1. The folder made immutable (root) or read-only (anyone else).
    match Immutable::new(&out) {
        Some(_guard) => {
            let (code, stderr) = run_wrapped(&[], &config, &out);
            assert_failed_write(code, &stderr, &out, &want, "make");
            provoked += 1;
        }
        None => eprintln!("note: neither chattr +i nor chmod makes a folder read-only here"),
    }

    // 2. A read-only bind mount of the folder, in a private mount namespace.
    if can_unshare() {
        let script =
            r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@""#;
        let o = out.display().to_string();
        let (code, stderr) = run_wrapped(
            &["unshare", "-m", "sh", "-c", script, "sh", &o],
            &config,
            &out,
        );
        assert_failed_write(code, &stderr, &out, &want, "make");
        assert!(stderr.contains("Read-only file system"), "{stderr}");
        provoked += 1;
    } else {
        eprintln!("note: unshare -m is not allowed here: the read-only mount case is not run");
    }
    assert!(
        provoked > 0,
        "no way to make a read-only folder on this machine"
    );
}

#[test]
fn a_run_onto_a_full_disk_exits_1_and_leaves_the_previous_report() {
    let dir = copy_fixture("handworked");
    let config = dir.path().join("uptake.toml");
    let out = dir.path().join("out");
    run_ok(&config, &out, &[]);
    let want = snapshot(&out.join("2026-11-20"));

    // 1. A file size limit: the first file over it cannot be written (EFBIG), at
    // different points of the report for different limits.
    for limit in [1_000, 20_000, 100_000] {
        let script = r#"trap '' XFSZ; exec prlimit --fsize="$1" -- "${@:2}""#;
        let l = limit.to_string();
        let (code, stderr) = run_wrapped(&["bash", "-c", script, "bash", &l], &config, &out);
        assert_failed_write(code, &stderr, &out, &want, "free space");
    }

    // 2. A real full disk: the report folder on a tmpfs with a little room left.
    if !can_unshare() {
        eprintln!("note: unshare -m is not allowed here: the full tmpfs case is not run");
        return;
    }
    for room_kib in [0, 64, 512] {
        let mnt = dir.path().join(format!("tmpfs-{room_kib}"));
        let copy = dir.path().join(format!("after-{room_kib}"));
        std::fs::create_dir_all(&mnt).unwrap();
        std::fs::create_dir_all(&copy).unwrap();
        // First run fills a roomy tmpfs; then it is shrunk to what is used plus
        // `room`; the second run must fail; the tmpfs is copied out for checking.
        let script = r#"
            set -e
            bin="$1"; config="$2"; mnt="$3"; copy="$4"; room="$5"
            mount -t tmpfs -o size=64m tmpfs "$mnt"
            "$bin" run --config "$config" --out "$mnt" > /dev/null
            used=$(df -k --output=used "$mnt" | tail -1 | tr -d ' ')
            mount -o remount,size=$((used + room))k "$mnt"
            set +e
            "$bin" run --config "$config" --out "$mnt" 2> "$copy.stderr"
            echo $? > "$copy.code"
            cp -a "$mnt/." "$copy/"
        "#;
        let status = Command::new("unshare")
            .args(["-m", "sh", "-c", script, "sh"])
            .arg(bin())
            .arg(&config)
            .arg(&mnt)
            .arg(&copy)
            .arg(room_kib.to_string())
            .env_remove("CI")
            .status()
            .unwrap();
        assert!(status.success());
        let code = std::fs::read_to_string(copy.with_extension("code")).unwrap();
        let stderr = std::fs::read_to_string(copy.with_extension("stderr")).unwrap();
        let stderr = stderr.replace(&mnt.display().to_string(), &copy.display().to_string());
        assert_failed_write(
            code.trim().parse().ok(),
            &stderr,
            &copy,
            &want,
            "free space",
        );
        assert!(stderr.contains("No space left on device"), "{stderr}");
    }
}

/// Writes a lock of uptake's for a run of another host (or container), its
/// temporary folder with a file in it, and sets the lock's age.
fn foreign_run(out: &Path, stem: &str, age: std::time::Duration) -> PathBuf {
    let lock = out.join(format!("{stem}.lock"));
    std::fs::write(
        &lock,
        "uptake report lock\nhost=ci_runner_7\nboot=another-boot\npidns=pid:[4026532999]\npid=4000000\nstart=123\n",
    )
    .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - age)
        .unwrap();
    let tmp = out.join(format!("{stem}.tmp"));
    std::fs::create_dir_all(tmp.join("tables")).unwrap();
    std::fs::write(tmp.join("tables/group_metrics.csv"), "being written\n").unwrap();
    tmp
}

/// Two runs on different hosts or containers sharing `--out` deleted each other's
/// temporary folder (a pid not running here was taken for a dead run), and one
/// exited 0 with a report of 14 files instead of 43. A temporary folder is removed
/// only when its lock proves its run gone: here, not rewritten for an hour.
// See: issue 12, finding 8.
#[test]
fn a_run_never_removes_the_temporary_folder_of_a_live_run_elsewhere() {
    let dir = copy_fixture("handworked");
    let config = dir.path().join("uptake.toml");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // Named as an older uptake named its folders, `.uptake-<D>-<pid>`, and as the
    // host-and-pid names of today.
    let live_old = foreign_run(&out, ".uptake-2026-11-20-4000000", Duration::from_secs(5));
    let live = foreign_run(
        &out,
        ".uptake-2026-11-20-ci_runner_7-4000000-0000beef",
        Duration::from_secs(5),
    );
    let gone = foreign_run(
        &out,
        ".uptake-2026-11-20-ci_runner_7-4000001-0000cafe",
        Duration::from_secs(3600),
    );
    run_ok(&config, &out, &[]);
    for tmp in [&live_old, &live] {
        assert_eq!(
            std::fs::read_to_string(tmp.join("tables/group_metrics.csv")).unwrap(),
            "being written\n",
            "{}",
            tmp.display()
        );
    }
    assert!(!gone.exists(), "a run gone for an hour leaves nothing");
    assert!(!gone.with_extension("lock").exists());
    assert_eq!(visible(&out), ["2026-11-20", "latest"]);
}

/// A real folder named `latest` with a user's file in it was deleted without a
/// word, and a day folder uptake did not write was replaced. Each is an error that
/// names it (exit 1), and is left as it was.
// See: issue 12, finding 8.
#[test]
fn a_latest_or_a_day_folder_uptake_did_not_write_is_left_as_it_was() {
    let dir = copy_fixture("handworked");
    let config = dir.path().join("uptake.toml");
    let out = dir.path().join("out");
    for (name, file) in [("latest", "notes.txt"), ("2026-11-20", "budget.xlsx")] {
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(out.join(name)).unwrap();
        std::fs::write(out.join(name).join(file), "the user's own\n").unwrap();
        let (code, stderr) = run_wrapped(&[], &config, &out);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("{}: is a folder", out.join(name).display())),
            "{stderr}"
        );
        assert!(stderr.contains("uptake never replaces or deletes what it did not write"));
        assert_eq!(
            std::fs::read_to_string(out.join(name).join(file)).unwrap(),
            "the user's own\n"
        );
        let names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [name], "nothing else is written");
    }
}

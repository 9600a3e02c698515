//! Output: the report folder, built aside and moved into place whole
//! (docs/report-folder.md).
//!
//! A run takes a lock (`lock.rs`) and writes into
//! `<out>/.uptake-<D>-<host>-<pid>-<nonce>.tmp/`; only when every file is written
//! does it move the folder to `<out>/<D>/` and point `<out>/latest` at it. When a
//! report of that day exists, the two folders are swapped in one atomic step (Linux
//! `renameat2(RENAME_EXCHANGE)`) and the previous one removed after; where the swap
//! is not to be had, the previous report is moved aside first (`….old`), and a run
//! killed between the two moves leaves it there, from where the next run puts it
//! back. A run that fails or is killed leaves the previous report whole and nothing
//! under a final name; a failed run removes its temporary folder, and a later run
//! removes what a killed run left once its lock proves it gone. uptake never removes
//! or moves what it did not write: a `<D>` folder without uptake's manifest, or a
//! `latest` that is not uptake's link, stops the run with an error naming it. This
//! module also owns the rules every written cell follows: spreadsheet formulas
//! neutralised in CSV.

mod lock;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::Error;
use lock::{Lock, Owner};

/// A report folder under construction.
pub struct ReportDir {
    out: PathBuf,
    name: String,
    /// `.uptake-<D>-<host>-<pid>-<nonce>`: the names of this run's leftovers.
    stem: String,
    tmp: PathBuf,
    committed: bool,
    /// Dropped (stopped and removed) after the temporary folder is.
    _lock: Lock,
}

impl ReportDir {
    /// Starts the report for day `as_of` under `out` (created if needed). Fails,
    /// writing nothing, when `<out>/<D>` or `<out>/latest` is not uptake's.
    pub fn begin(out: &Path, as_of: NaiveDate) -> Result<ReportDir, Error> {
        if out.exists() && !out.is_dir() {
            let e = std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "it is a file, not a folder",
            );
            return Err(Error::io(out, e));
        }
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let name = as_of.format("%Y-%m-%d").to_string();
        check_day(&out.join(&name))?;
        check_latest(&out.join("latest"))?;
        let me = Owner::me();
        // A name no other run has: the host, the pid, and a nonce for two
        // containers whose host and pid agree; the lock is created only if new.
        let (stem, lock) = {
            let mut tries = 0;
            loop {
                let stem = format!(
                    ".uptake-{name}-{}-{}-{:08x}",
                    me.host,
                    me.pid,
                    lock::nonce().wrapping_add(tries)
                );
                let path = out.join(format!("{stem}.lock"));
                match Lock::take(&path, &me) {
                    Ok(lock) => break (stem, lock),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 16 => {
                        tries += 1;
                    }
                    Err(e) => return Err(Error::io(&path, e)),
                }
            }
        };
        recover(out, &me, lock.path());
        let tmp = out.join(format!("{stem}.tmp"));
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(ReportDir {
            out: out.to_path_buf(),
            name,
            stem,
            tmp,
            committed: false,
            _lock: lock,
        })
    }

    /// The folder to write into (temporary until [`ReportDir::commit`]).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// A sub-folder of the report, created.
    pub fn subdir(&self, name: &str) -> Result<PathBuf, Error> {
        let dir = self.tmp.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(dir)
    }

    /// Moves the finished report into place and points `latest` at it; returns
    /// its final path.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let target = self.out.join(&self.name);
        // Checked again: a folder put there since the run began is not replaced.
        check_day(&target)?;
        check_latest(&self.out.join("latest"))?;
        let had_previous = target.symlink_metadata().is_ok();
        let link = self.out.join(format!("{}.latest", self.stem));
        if had_previous && exchange(&self.tmp, &target).is_ok() {
            // The new report is in place; `tmp` now holds the previous one.
            self.committed = true;
            // The new report is in place: failing to remove the old one must not
            // fail the run (the next run removes what is left, see `recover`).
            let _ = std::fs::remove_dir_all(&self.tmp);
            point_latest(&self.out, &self.name, &link)?;
            return Ok(target);
        }
        let old = self.out.join(format!("{}.old", self.stem));
        if had_previous {
            std::fs::rename(&target, &old).map_err(|e| Error::io(&target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &target) {
            if had_previous {
                // Put the previous report back; nothing else to do if that fails too.
                let _ = std::fs::rename(&old, &target);
            }
            return Err(Error::io(&target, e));
        }
        self.committed = true;
        if had_previous {
            let _ = remove_any(&old);
        }
        point_latest(&self.out, &self.name, &link)?;
        Ok(target)
    }
}

/// A report's day folder is uptake's when it holds a `manifest.json` whose `tool`
/// is `uptake`: anything else standing at `<out>/<D>` is refused, never replaced.
fn check_day(day: &Path) -> Result<(), Error> {
    let meta = match day.symlink_metadata() {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(day, e)),
    };
    let what = if meta.is_dir() {
        let manifest = std::fs::read_to_string(day.join("manifest.json")).ok();
        let ours = manifest
            .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
            .is_some_and(|v| v["tool"] == "uptake");
        if ours {
            return Ok(());
        }
        "a folder with no uptake manifest.json, so not a report uptake wrote"
    } else if meta.file_type().is_symlink() {
        "a link, not a report folder uptake wrote"
    } else {
        "a file, not a report folder uptake wrote"
    };
    Err(Error::Foreign {
        path: day.to_path_buf(),
        what: what.to_string(),
    })
}

/// `<out>/latest` is uptake's when it is a link to a day's folder (a text file
/// naming the day, where links are not to be had): anything else is refused.
fn check_latest(link: &Path) -> Result<(), Error> {
    let meta = match link.symlink_metadata() {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(link, e)),
    };
    let is_day = |s: &str| s.len() == 10 && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
    let what = if meta.file_type().is_symlink() {
        let target = std::fs::read_link(link).map_err(|e| Error::io(link, e))?;
        if target.to_str().is_some_and(is_day) {
            return Ok(());
        }
        format!(
            "a link to `{}`, not to a report's day folder",
            target.display()
        )
    } else if meta.is_dir() {
        "a folder, not the link to the latest report uptake writes".to_string()
    } else {
        let text = std::fs::read_to_string(link).unwrap_or_default();
        if cfg!(not(unix)) && is_day(text.trim()) {
            return Ok(());
        }
        "a file, not the link to the latest report uptake writes".to_string()
    };
    Err(Error::Foreign {
        path: link.to_path_buf(),
        what,
    })
}

/// Swaps two paths in one step, so that neither is ever missing. Linux only;
/// elsewhere, or on a file system without the call, an error (the caller falls back
/// to two renames).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes a folder, or a file or symlink standing where a report folder was.
fn remove_any(path: &Path) -> std::io::Result<()> {
    match path.symlink_metadata() {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Cleans up after runs that are gone: puts back a previous report left aside
/// (when its day has no report), and removes their temporary folders and links,
/// then their locks. Only what a lock of uptake's covers is touched, and only when
/// the lock proves its run gone (see `lock.rs`), so that runs on several hosts or
/// containers sharing `--out` never undo each other. Best effort: a leftover that
/// cannot be removed is hidden and harmless.
fn recover(out: &Path, me: &Owner, mine: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    for name in &names {
        let Some(stem) = name.strip_suffix(".lock") else {
            continue;
        };
        let Some(day) = leftover_day(stem) else {
            continue;
        };
        let lock = out.join(name);
        if lock == mine || !lock::abandoned(&lock, mine, me) {
            continue;
        }
        let old = out.join(format!("{stem}.old"));
        let target = out.join(day);
        if old.is_dir() && target.symlink_metadata().is_err() {
            let _ = std::fs::rename(&old, &target);
        }
        let removed = ["tmp", "old", "latest"]
            .iter()
            .all(|ext| remove_any(&out.join(format!("{stem}.{ext}"))).is_ok());
        if removed {
            let _ = std::fs::remove_file(&lock);
        }
    }
}

/// The day of a leftover's stem `.uptake-<D>-<host>-<pid>-<nonce>`.
fn leftover_day(stem: &str) -> Option<&str> {
    let rest = stem.strip_prefix(".uptake-")?;
    let day = rest.get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    rest[10..].starts_with('-').then_some(day)
}

impl Drop for ReportDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Points `<out>/latest` at `<out>/<name>`: a relative symlink made at `link` and
/// renamed over `latest`, so that it is never missing or half-made.
#[cfg(unix)]
fn point_latest(out: &Path, name: &str, link: &Path) -> Result<(), Error> {
    let latest = out.join("latest");
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(name, link).map_err(|e| Error::io(link, e))?;
    std::fs::rename(link, &latest).map_err(|e| {
        let _ = std::fs::remove_file(link);
        Error::io(&latest, e)
    })
}

/// Where symlinks are not to be had, `latest` is a text file naming the folder.
#[cfg(not(unix))]
fn point_latest(out: &Path, name: &str, _link: &Path) -> Result<(), Error> {
    let link = out.join("latest");
    std::fs::write(&link, format!("{name}\n")).map_err(|e| Error::io(&link, e))
}

/// Sets the permission bits of `path` (Unix; elsewhere nothing): the outputs that
/// name people are owner-only (folders 0700, files 0600).
#[cfg(unix)]
pub fn restrict(path: &Path, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(path, e))
}

/// Sets the permission bits of `path` (Unix; elsewhere nothing).
#[cfg(not(unix))]
pub fn restrict(_path: &Path, _mode: u32) -> Result<(), Error> {
    Ok(())
}

/// Writes `bytes` to `path`, naming the path in the error.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// A text cell made safe for a spreadsheet: a cell that starts with `=`, `+`, `-`,
/// `@`, tab or carriage return would be run as a formula, so it gets a leading `'`.
/// Numbers are written by their own writer and never pass through here.
pub fn safe_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Writes a CSV of text rows (header first) with every cell made formula-safe.
pub fn write_text_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    w.write_record(header).map_err(io)?;
    for row in rows {
        w.write_record(row.iter().map(|c| safe_cell(c).into_owned()))
            .map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    write_file(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(safe_cell("Finance"), "Finance");
        assert_eq!(safe_cell(""), "");
    }

    /// Writes what makes a report folder uptake's, and `text` in `a.txt`.
    fn write_report(dir: &Path, text: &[u8]) {
        write_file(&dir.join("manifest.json"), b"{\"tool\": \"uptake\"}\n").unwrap();
        write_file(&dir.join("a.txt"), text).unwrap();
    }

    /// The names under `root` (hidden ones included), sorted.
    fn names(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_replaces_the_day_and_points_latest() {
        let root = tempfile_dir("out");
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let r = ReportDir::begin(&root, d).unwrap();
        write_report(r.path(), b"first");
        let final_path = r.commit().unwrap();
        assert_eq!(std::fs::read(final_path.join("a.txt")).unwrap(), b"first");
        // Nothing left beside the report: no temporary folder, no lock.
        assert_eq!(names(&root), ["2026-11-20", "latest"]);

        // A failed second run leaves the first whole and nothing of its own.
        let r = ReportDir::begin(&root, d).unwrap();
        write_file(&r.path().join("a.txt"), b"half").unwrap();
        drop(r);
        assert_eq!(
            std::fs::read(root.join("2026-11-20/a.txt")).unwrap(),
            b"first"
        );
        assert_eq!(names(&root), ["2026-11-20", "latest"]);

        let r = ReportDir::begin(&root, d).unwrap();
        write_file(&r.path().join("b.txt"), b"second").unwrap();
        write_report(r.path(), b"second");
        r.commit().unwrap();
        assert_eq!(std::fs::read(root.join("latest/b.txt")).unwrap(), b"second");
        assert_eq!(names(&root), ["2026-11-20", "latest"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Two runs of one process (so of one host and pid, as two containers can be)
    /// building the same day: the second once removed the first's temporary folder
    /// as it began.
    // See: issue 12, finding 8.
    #[test]
    fn two_runs_of_one_host_and_pid_keep_their_own_folders() {
        let root = tempfile_dir("twins");
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let first = ReportDir::begin(&root, d).unwrap();
        write_report(first.path(), b"first");
        let second = ReportDir::begin(&root, d).unwrap();
        write_report(second.path(), b"second");
        assert_ne!(first.path(), second.path());
        assert_eq!(std::fs::read(first.path().join("a.txt")).unwrap(), b"first");
        first.commit().unwrap();
        second.commit().unwrap();
        assert_eq!(std::fs::read(root.join("latest/a.txt")).unwrap(), b"second");
        assert_eq!(names(&root), ["2026-11-20", "latest"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Writes the leftovers of a run of `owner` for `day`: its lock (set `age` into
    /// the past), and a temporary folder with a file in it.
    fn leftovers(root: &Path, day: &str, owner: &Owner, age: std::time::Duration) -> String {
        let stem = format!(".uptake-{day}-{}-{}-0000beef", owner.host, owner.pid);
        let lock = root.join(format!("{stem}.lock"));
        std::fs::write(&lock, owner.text()).unwrap();
        let then = std::time::SystemTime::now() - age;
        std::fs::File::options()
            .write(true)
            .open(&lock)
            .unwrap()
            .set_modified(then)
            .unwrap();
        let tmp = root.join(format!("{stem}.tmp"));
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join("index.html"), b"half").unwrap();
        stem
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_later_run_clears_what_gone_runs_left_and_nothing_else() {
        let root = tempfile_dir("recover");
        let me = Owner::me();
        let fresh = std::time::Duration::from_secs(1);
        let day = root.join("2026-11-20");
        // A run of this machine killed between moving the previous report aside and
        // moving its own in (the fallback without an atomic swap): the day has no
        // report, and the one aside is put back.
        let dead = Owner {
            pid: u32::MAX - 7,
            ..me.clone()
        };
        let stem = leftovers(&root, "2026-11-20", &dead, fresh);
        let aside = root.join(format!("{stem}.old"));
        std::fs::create_dir_all(&aside).unwrap();
        std::fs::write(aside.join("a.txt"), b"previous").unwrap();
        std::os::unix::fs::symlink("x", root.join(format!("{stem}.latest"))).unwrap();
        // A live run of another host (or container): its lock is fresh; and one gone
        // for an hour. And a folder named like a leftover with no lock of uptake's.
        let elsewhere = Owner {
            host: "elsewhere".into(),
            boot: "another-boot".into(),
            pid: 4_000_000,
            ..me.clone()
        };
        let live = leftovers(&root, "2026-11-21", &elsewhere, fresh);
        let stale = leftovers(
            &root,
            "2026-11-22",
            &elsewhere,
            std::time::Duration::from_secs(3600),
        );
        let foreign = root.join(".uptake-2026-11-23-user.tmp");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(root.join(".uptake-2026-11-23-user.lock"), b"not a lock\n").unwrap();

        let run = ReportDir::begin(&root, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).unwrap();
        assert_eq!(std::fs::read(day.join("a.txt")).unwrap(), b"previous");
        let left = names(&root);
        let mine = run.stem.clone();
        let want = [
            format!("{mine}.lock"),
            format!("{mine}.tmp"),
            ".uptake-2026-11-23-user.lock".to_string(),
            ".uptake-2026-11-23-user.tmp".to_string(),
            format!("{live}.lock"),
            format!("{live}.tmp"),
            "2026-11-20".to_string(),
        ];
        let mut want = want.to_vec();
        want.sort();
        assert_eq!(left, want, "{stem} and {stale} should be gone");
        drop(run);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A real folder named `latest` with a user's file in it was deleted without a
    /// word; a day folder uptake did not write was replaced. Both are errors that
    /// name them, and nothing is written.
    // See: issue 12, finding 8.
    #[test]
    #[cfg(unix)]
    fn a_latest_or_a_day_folder_uptake_did_not_write_is_refused() {
        let root = tempfile_dir("foreign");
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        std::fs::create_dir_all(root.join("latest")).unwrap();
        std::fs::write(root.join("latest/notes.txt"), b"mine").unwrap();
        let e = ReportDir::begin(&root, d).err().unwrap().to_string();
        assert!(
            e.contains("latest: is a folder, not the link to the latest report uptake writes"),
            "{e}"
        );
        assert_eq!(names(&root), ["latest"]);
        std::fs::remove_dir_all(root.join("latest")).unwrap();
        std::os::unix::fs::symlink("/home", root.join("latest")).unwrap();
        let e = ReportDir::begin(&root, d).err().unwrap().to_string();
        assert!(e.contains("latest: is a link to `/home`"), "{e}");
        std::fs::remove_file(root.join("latest")).unwrap();

        std::fs::create_dir_all(root.join("2026-11-20")).unwrap();
        std::fs::write(root.join("2026-11-20/budget.xlsx"), b"mine").unwrap();
        let e = ReportDir::begin(&root, d).err().unwrap().to_string();
        assert!(
            e.contains("2026-11-20: is a folder with no uptake manifest.json"),
            "{e}"
        );
        assert_eq!(names(&root), ["2026-11-20"]);
        assert_eq!(
            std::fs::read(root.join("2026-11-20/budget.xlsx")).unwrap(),
            b"mine"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn leftovers_are_recognised_by_name() {
        assert_eq!(
            leftover_day(".uptake-2026-11-20-host-41-0000beef"),
            Some("2026-11-20")
        );
        assert_eq!(leftover_day(".uptake-2026-11-2"), None);
        assert_eq!(leftover_day("2026-11-20"), None);
        assert_eq!(leftover_day(".uptake-notes"), None);
    }

    fn tempfile_dir(what: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("uptake-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }
}

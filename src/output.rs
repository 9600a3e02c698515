//! Output: the report folder, built aside and moved into place whole.
//!
//! A run writes into `<out>/.uptake-<D>-<pid>.tmp/` and, only when every file is
//! written, moves it to `<out>/<D>/` and points `<out>/latest` at it. When a report
//! of that day exists, the two folders are swapped in one atomic step (Linux
//! `renameat2(RENAME_EXCHANGE)`) and the previous one removed after; where the swap
//! is not to be had, the previous report is moved aside first, and a run killed
//! between the two moves leaves it under `.uptake-<D>-<pid>.old`, from where the next
//! run puts it back. A run that fails or is killed leaves the previous report whole
//! and nothing under a final name; a failed run removes its temporary folder, and the
//! next run removes the temporary folders of runs that were killed. This module also
//! owns the rules every written cell follows: spreadsheet formulas neutralised in CSV.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::Error;

/// A report folder under construction.
pub struct ReportDir {
    out: PathBuf,
    name: String,
    tmp: PathBuf,
    committed: bool,
}

impl ReportDir {
    /// Starts the report for day `as_of` under `out` (created if needed).
    pub fn begin(out: &Path, as_of: NaiveDate) -> Result<ReportDir, Error> {
        if out.exists() && !out.is_dir() {
            let e = std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "it is a file, not a folder",
            );
            return Err(Error::io(out, e));
        }
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        recover(out);
        let name = as_of.format("%Y-%m-%d").to_string();
        let tmp = out.join(format!(".uptake-{name}-{}.tmp", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(ReportDir {
            out: out.to_path_buf(),
            name,
            tmp,
            committed: false,
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
        let had_previous = target.symlink_metadata().is_ok();
        if had_previous && exchange(&self.tmp, &target).is_ok() {
            // The new report is in place; `tmp` now holds the previous one.
            self.committed = true;
            // The new report is in place: failing to remove the old one must not
            // fail the run (the next run removes what is left, see `recover`).
            let _ = std::fs::remove_dir_all(&self.tmp);
            point_latest(&self.out, &self.name)?;
            return Ok(target);
        }
        let old = self
            .out
            .join(format!(".uptake-{}-{}.old", self.name, std::process::id()));
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
        point_latest(&self.out, &self.name)?;
        Ok(target)
    }
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

/// Cleans up after runs that were killed: puts back a previous report left aside
/// (when its day has no report), and removes their temporary folders and links.
/// Only the leftovers of processes that no longer run are touched, so that two runs
/// into one folder do not undo each other. Best effort: a leftover that cannot be
/// removed is hidden and harmless.
fn recover(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    for name in names {
        let Some((stem, pid)) = leftover(&name) else {
            continue;
        };
        if pid == std::process::id() || process_runs(pid) {
            continue;
        }
        let path = out.join(&name);
        if name.ends_with(".old") {
            let day = out.join(stem);
            if day.symlink_metadata().is_err() && std::fs::rename(&path, &day).is_ok() {
                continue;
            }
        }
        let _ = remove_any(&path);
    }
}

/// `(day, pid)` of a leftover: `.uptake-<day>-<pid>.tmp` or `.old`, or
/// `.latest-<pid>.tmp` (whose day is empty).
fn leftover(name: &str) -> Option<(&str, u32)> {
    if let Some(pid) = name
        .strip_prefix(".latest-")
        .and_then(|r| r.strip_suffix(".tmp"))
    {
        return Some(("", pid.parse().ok()?));
    }
    let rest = name.strip_prefix(".uptake-")?;
    let rest = rest
        .strip_suffix(".tmp")
        .or_else(|| rest.strip_suffix(".old"))?;
    let (day, pid) = rest.rsplit_once('-')?;
    Some((day, pid.parse().ok()?))
}

/// Whether process `pid` runs (on systems without /proc, assume it does).
fn process_runs(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

impl Drop for ReportDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Points `<out>/latest` at `<out>/<name>`: a relative symlink, swapped in with a
/// rename so that it is never missing or half-made.
#[cfg(unix)]
fn point_latest(out: &Path, name: &str) -> Result<(), Error> {
    let link = out.join("latest");
    let tmp = out.join(format!(".latest-{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(name, &tmp).map_err(|e| Error::io(&tmp, e))?;
    if link.is_dir() && !link.is_symlink() {
        std::fs::remove_dir_all(&link).map_err(|e| Error::io(&link, e))?;
    }
    std::fs::rename(&tmp, &link).map_err(|e| Error::io(&link, e))
}

/// Where symlinks are not to be had, `latest` is a text file naming the folder.
#[cfg(not(unix))]
fn point_latest(out: &Path, name: &str) -> Result<(), Error> {
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

    #[test]
    fn commit_replaces_the_day_and_points_latest() {
        let root = std::env::temp_dir().join(format!("uptake-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let r = ReportDir::begin(&root, d).unwrap();
        write_file(&r.path().join("a.txt"), b"first").unwrap();
        let final_path = r.commit().unwrap();
        assert_eq!(std::fs::read(final_path.join("a.txt")).unwrap(), b"first");

        // A failed second run leaves the first whole and no temporary folder.
        let r = ReportDir::begin(&root, d).unwrap();
        write_file(&r.path().join("a.txt"), b"half").unwrap();
        drop(r);
        assert_eq!(
            std::fs::read(root.join("2026-11-20/a.txt")).unwrap(),
            b"first"
        );
        let names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");

        let r = ReportDir::begin(&root, d).unwrap();
        write_file(&r.path().join("b.txt"), b"second").unwrap();
        r.commit().unwrap();
        assert!(!root.join("2026-11-20/a.txt").exists());
        assert_eq!(std::fs::read(root.join("latest/b.txt")).unwrap(), b"second");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_later_run_puts_back_a_report_left_aside_and_clears_leftovers() {
        let root = tempfile_dir("recover");
        let day = root.join("2026-11-20");
        // A run killed between moving the previous report aside and moving its own
        // in (the fallback without an atomic swap): the day has no report.
        let dead = u32::MAX - 7;
        let aside = root.join(format!(".uptake-2026-11-20-{dead}.old"));
        std::fs::create_dir_all(&aside).unwrap();
        std::fs::write(aside.join("a.txt"), b"previous").unwrap();
        let half = root.join(format!(".uptake-2026-11-21-{dead}.tmp"));
        std::fs::create_dir_all(&half).unwrap();
        std::os::unix::fs::symlink("x", root.join(format!(".latest-{dead}.tmp"))).unwrap();
        // A leftover of a process that still runs (this one) is not touched.
        let mine = root.join(format!(".uptake-2026-11-19-{}.tmp", std::process::id()));
        std::fs::create_dir_all(&mine).unwrap();
        recover(&root);
        assert_eq!(std::fs::read(day.join("a.txt")).unwrap(), b"previous");
        assert!(!aside.exists() && !half.exists());
        assert!(root
            .join(format!(".latest-{dead}.tmp"))
            .symlink_metadata()
            .is_err());
        assert!(mine.exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn leftovers_are_recognised_by_name() {
        assert_eq!(
            leftover(".uptake-2026-11-20-41.tmp"),
            Some(("2026-11-20", 41))
        );
        assert_eq!(
            leftover(".uptake-2026-11-20-41.old"),
            Some(("2026-11-20", 41))
        );
        assert_eq!(leftover(".latest-41.tmp"), Some(("", 41)));
        assert_eq!(leftover("2026-11-20"), None);
        assert_eq!(leftover(".uptake-notes.txt"), None);
    }

    fn tempfile_dir(what: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("uptake-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }
}

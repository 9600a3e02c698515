//! Output: the report folder, built aside and moved into place whole.
//!
//! A run writes into `<out>/.uptake-<D>-<pid>.tmp/` and, only when every file is
//! written, renames it to `<out>/<D>/` (the previous report of that day is moved
//! aside first and removed after) and points `<out>/latest` at it. A run that fails
//! or is killed leaves the previous report whole and nothing under a final name; a
//! failed run removes its temporary folder. This module also owns the rules every
//! written cell follows: spreadsheet formulas neutralised in CSV.

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
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
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
        let old = self
            .out
            .join(format!(".uptake-{}-{}.old", self.name, std::process::id()));
        let had_previous = target.exists();
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
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        point_latest(&self.out, &self.name)?;
        Ok(target)
    }
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
}

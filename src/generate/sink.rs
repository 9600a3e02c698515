//! The files the generator writes: one [`Sink`] per CSV file (its header, its rows,
//! the bad rows sprinkled into it), [`Weekly`] for a folder of weekly snapshots, and
//! the [`Layout`] of every source. Takes rows as lists of cells; hands back each
//! file's path and data-row count.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::util::{mangle, stream};
use super::SnapshotFolder;
use Bad::{
    Conflict, Duplicate, EmptyId, MixedCase, OutOfScale, Stranger, Swap, UnknownEvent,
    UnknownWorkload, Unparseable,
};

/// Share of rows, per file, followed (or replaced) by a bad row.
const BAD_ROW_RATE: f64 = 0.003;
const BAD_TIMES: [&str; 3] = ["2026-13-45 25:00", "yesterday", "31/02/2026 9h"];
/// Scores a survey export can hold that no scale of 1 to 5 allows.
const BAD_SCORES: [&str; 3] = ["6", "0", "five"];

/// The bad rows of most exports: ids missing, mistyped or of a stranger, timestamps
/// that do not parse, rows written twice.
pub(super) const COMMON: &[Bad] = &[EmptyId, Unparseable, Duplicate, Stranger, MixedCase];

/// Kinds of bad input sprinkled into the sources; each source lists those that apply.
#[derive(Clone, Copy)]
pub(super) enum Bad {
    /// An extra copy of the row with an empty `user_id` (and an empty second id
    /// column, where the export has one: Intune's shared devices).
    EmptyId,
    /// An extra copy with an unparseable timestamp.
    Unparseable,
    /// An extra copy with the email event `forwarded`.
    UnknownEvent,
    /// An extra copy with `left_at` before `joined_at`.
    Swap,
    /// The row written twice, identically.
    Duplicate,
    /// An extra copy whose user is not on the roster.
    Stranger,
    /// The row with its id in mixed case with stray spaces (it must still match).
    MixedCase,
    /// An extra roster row for the same user with another department.
    Conflict,
    /// An extra copy naming a workload the config does not have.
    UnknownWorkload,
    /// An extra copy with a score outside the survey's scale.
    OutOfScale,
}

/// One source's file shape: its header, the columns that bad rows alter (the id, the
/// timestamps, the event, group, workload or score), and the kinds of bad rows it gets.
#[derive(Clone)]
pub(super) struct Layout {
    pub(super) header: String,
    pub(super) id: usize,
    /// A second column naming the person (Intune's `Primary user email address`).
    pub(super) alt_id: Option<usize>,
    pub(super) times: &'static [usize],
    pub(super) other: usize,
    pub(super) modes: &'static [Bad],
    /// Every cell quoted and a BOM first, as the Intune admin center writes.
    pub(super) quote_all: bool,
}

impl Layout {
    pub(super) fn new(
        header: &str,
        id: usize,
        times: &'static [usize],
        other: usize,
        modes: &'static [Bad],
    ) -> Layout {
        Layout {
            header: header.to_string(),
            id,
            alt_id: None,
            times,
            other,
            modes,
            quote_all: false,
        }
    }

    /// The layout with more columns at the end of the header.
    pub(super) fn and(mut self, columns: &[&str]) -> Layout {
        for c in columns {
            self.header.push(',');
            self.header.push_str(c);
        }
        self
    }
}

/// The roster: `left_on` unless the roster is a set of snapshots (real exports never
/// carry one), then any further columns.
pub(super) fn roster(left_on: bool, more: &[&str]) -> Layout {
    let header = match left_on {
        true => "user_id,display_name,mail,department,location,champion,left_on",
        false => "user_id,display_name,mail,department,location,champion",
    };
    Layout::new(
        header,
        0,
        &[],
        3,
        &[EmptyId, Conflict, Duplicate, MixedCase],
    )
    .and(more)
}
/// Canonical device enrollments.
pub(super) fn enrollments() -> Layout {
    Layout::new(
        "user_id,device_id,os,enrolled_at,compliant",
        0,
        &[3],
        0,
        COMMON,
    )
}
/// Email events.
pub(super) fn email() -> Layout {
    Layout::new(
        "user_id,campaign,event,timestamp,machine_open",
        0,
        &[3],
        2,
        &[
            EmptyId,
            Unparseable,
            UnknownEvent,
            Duplicate,
            Stranger,
            MixedCase,
        ],
    )
}
/// Training attendance.
pub(super) fn training() -> Layout {
    Layout::new(
        "user_id,session,joined_at,left_at",
        0,
        &[2, 3],
        0,
        &[EmptyId, Unparseable, Swap, Duplicate, Stranger, MixedCase],
    )
}
/// Help-desk tickets.
pub(super) fn tickets() -> Layout {
    Layout::new(
        "ticket_id,user_id,opened_at,resolved_at,category,status",
        1,
        &[2],
        0,
        COMMON,
    )
}
/// An event log of a person, a label and a timestamp (touchpoints, completions):
/// `header` has the id first, the label second and the time third.
pub(super) fn log(header: &str) -> Layout {
    Layout::new(header, 0, &[2], 1, COMMON)
}

/// One CSV file being written. It has its own random stream for the bad rows, so that
/// sprinkling them does not shift the data.
pub(super) struct Sink {
    path: PathBuf,
    out: BufWriter<File>,
    layout: Layout,
    rows: u64,
    bad: usize,
    rng: ChaCha8Rng,
    groups: Vec<String>,
}

impl Sink {
    /// Creates `dir/file` with `layout`'s header; `k` picks the bad rows' stream, and
    /// `groups` are the departments a conflicting roster row may name.
    pub(super) fn create(
        dir: &Path,
        file: &str,
        layout: Layout,
        (seed, k): (u64, u64),
        groups: &[String],
    ) -> io::Result<Sink> {
        let path = dir.join(file);
        let capacity = if file.contains('/') { 1 << 16 } else { 1 << 18 };
        let mut out = BufWriter::with_capacity(capacity, File::create(&path)?);
        if layout.quote_all {
            out.write_all("\u{feff}".as_bytes())?;
            let quoted: Vec<String> = layout
                .header
                .split(',')
                .map(|h| format!("\"{h}\""))
                .collect();
            writeln!(out, "{}", quoted.join(","))?;
        } else {
            writeln!(out, "{}", layout.header)?;
        }
        Ok(Sink {
            path,
            out,
            layout,
            rows: 0,
            bad: 0,
            rng: stream(seed, k),
            groups: groups.to_vec(),
        })
    }

    /// Writes a good row, now and then with a bad one (see [`Bad`]).
    pub(super) fn row(&mut self, fields: &[&str]) -> io::Result<()> {
        if !self.rng.random_bool(BAD_ROW_RATE) {
            return self.emit(fields);
        }
        let Layout {
            id,
            alt_id,
            times,
            other,
            modes,
            ..
        } = self.layout;
        // Cycle through the kinds first so that even small files get each of them.
        let mode = match modes.get(self.bad) {
            Some(&mode) => mode,
            None => *modes.choose(&mut self.rng).expect("every layout has modes"),
        };
        self.bad += 1;
        let mut bad: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        match mode {
            MixedCase => {
                bad[id] = mangle(&bad[id]);
                return self.emit(&bad.iter().map(String::as_str).collect::<Vec<_>>());
            }
            Duplicate => {}
            EmptyId => {
                bad[id].clear();
                if let Some(alt) = alt_id {
                    bad[alt].clear();
                }
            }
            Unparseable => {
                bad[times[0]] = BAD_TIMES.choose(&mut self.rng).expect("some").to_string()
            }
            UnknownEvent => bad[other] = "forwarded".to_string(),
            Swap => bad.swap(times[0], times[1]),
            Stranger => {
                bad[id] = format!(
                    "former.employee{}@contoso.com",
                    self.rng.random_range(1..=40)
                )
            }
            Conflict => {
                let moved = self.groups.iter().find(|g| **g != bad[other]);
                bad[other] = moved.cloned().unwrap_or_else(|| "Unknown".to_string());
            }
            UnknownWorkload => bad[other] = "Defender for Endpoint".to_string(),
            OutOfScale => bad[other] = BAD_SCORES.choose(&mut self.rng).expect("some").to_string(),
        }
        self.emit(fields)?;
        self.emit(&bad.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// One CSV line; a field holding a comma, quote or line break is quoted (every
    /// field, for a layout that quotes all).
    fn emit(&mut self, fields: &[&str]) -> io::Result<()> {
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                self.out.write_all(b",")?;
            }
            if self.layout.quote_all || f.contains([',', '"', '\n', '\r']) {
                write!(self.out, "\"{}\"", f.replace('"', "\"\""))?;
            } else {
                self.out.write_all(f.as_bytes())?;
            }
        }
        self.out.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes the file; its path and data-row count.
    pub(super) fn finish(mut self) -> io::Result<(PathBuf, u64)> {
        self.out.flush()?;
        Ok((self.path, self.rows))
    }
}

/// A folder of weekly snapshots of one export: one [`Sink`] per snapshot day, each
/// named `<prefix>_<YYYY-MM-DD>.csv`.
pub(super) struct Weekly {
    dir: PathBuf,
    /// The snapshot days, oldest first.
    pub(super) days: Vec<NaiveDate>,
    /// The file of each day.
    pub(super) sinks: Vec<Sink>,
}

impl Weekly {
    /// Creates `out/folder/` and one file per day of `days`; `k` is the first of the
    /// bad rows' streams (one per file: `k`, `k + 1`, ...).
    pub(super) fn create(
        out: &Path,
        (folder, prefix): (&str, &str),
        layout: &Layout,
        days: &[NaiveDate],
        (seed, k): (u64, u64),
        groups: &[String],
    ) -> io::Result<Weekly> {
        let dir = out.join(folder);
        std::fs::create_dir_all(&dir)?;
        let mut sinks = Vec::with_capacity(days.len());
        for (j, day) in days.iter().enumerate() {
            let file = format!("{folder}/{prefix}_{day}.csv");
            sinks.push(Sink::create(
                out,
                &file,
                layout.clone(),
                (seed, k + j as u64),
                groups,
            )?);
        }
        Ok(Weekly {
            dir,
            days: days.to_vec(),
            sinks,
        })
    }

    /// Flushes every file.
    pub(super) fn finish(self) -> io::Result<SnapshotFolder> {
        let files = self
            .sinks
            .into_iter()
            .map(Sink::finish)
            .collect::<io::Result<Vec<_>>>()?;
        Ok(SnapshotFolder {
            path: self.dir,
            files,
        })
    }
}

/// Where one export goes: a single file, or a folder of weekly snapshots.
pub(super) enum Target {
    One(Box<Sink>),
    Weekly(Weekly),
}

impl Target {
    /// Flushes the file (or every snapshot) into the summary.
    pub(super) fn finish(self, summary: &mut super::GenerateSummary) -> io::Result<()> {
        match self {
            Target::One(sink) => summary.files.push(sink.finish()?),
            Target::Weekly(weekly) => summary.snapshots.push(weekly.finish()?),
        }
        Ok(())
    }
}

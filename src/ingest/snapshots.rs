//! Snapshot folders: the files of a source whose exports are its state on the day
//! they were taken (a roster, a device list, a ticket list), each dated by its name
//! (docs/inputs.md, "Snapshots").
//!
//! Takes a source's config; hands back its files in order of their days, with the day
//! of each, leaving out those dated after the as-of day. A file with no date in its
//! name, or two files of one day, is a config error naming the file.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::config::SourceConfig;
use crate::error::Error;
use crate::schema::Source;

/// One snapshot file and the day it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The day in its name.
    pub day: NaiveDate,
    /// The file.
    pub path: PathBuf,
}

/// The first date in a file name: `YYYY-MM-DD`, `YYYY_MM_DD` or `YYYYMMDD` (eight
/// digits that stand alone: not part of a longer run of digits). `None` when the name
/// holds no such valid date.
pub fn day_in_name(name: &str) -> Option<NaiveDate> {
    let b = name.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let num = |from: usize, len: usize| -> Option<u32> { name.get(from..from + len)?.parse().ok() };
    for i in 0..b.len() {
        if !digit(i) || (i > 0 && digit(i - 1)) {
            continue;
        }
        // YYYY-MM-DD or YYYY_MM_DD.
        let separated = (0..4).all(|k| digit(i + k))
            && matches!(b.get(i + 4), Some(b'-' | b'_'))
            && b.get(i + 7) == b.get(i + 4)
            && (5..7).all(|k| digit(i + k))
            && (8..10).all(|k| digit(i + k))
            && !digit(i + 10);
        let date = if separated {
            NaiveDate::from_ymd_opt(num(i, 4)? as i32, num(i + 5, 2)?, num(i + 8, 2)?)
        } else if (0..8).all(|k| digit(i + k)) && !digit(i + 8) {
            NaiveDate::from_ymd_opt(num(i, 4)? as i32, num(i + 4, 2)?, num(i + 6, 2)?)
        } else {
            None
        };
        if date.is_some() {
            return date;
        }
    }
    None
}

/// The snapshot files of `source`, in order of their days; those dated after `as_of`
/// (when given) are left out. A file with no date in its name, or a second file of a
/// day, is a config error (exit 2) naming the file and the source's key.
pub fn snapshots(
    source: Source,
    cfg: &SourceConfig,
    as_of: Option<NaiveDate>,
) -> Result<Vec<Snapshot>, Error> {
    let mut out: Vec<Snapshot> = Vec::new();
    for path in super::list_files(source, cfg)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(day) = day_in_name(&name) else {
            return Err(Error::config(
                &cfg.config_file,
                format!("{}.snapshots", cfg.key),
                format!(
                    "{}: a snapshot's name must say the day it was taken",
                    path.display()
                ),
            )
            .with_help("name it with its day, e.g. entra_2026-11-20.csv (YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD), or remove snapshots = true"));
        };
        if let Some(other) = out.iter().find(|s| s.day == day) {
            return Err(Error::config(
                &cfg.config_file,
                format!("{}.snapshots", cfg.key),
                format!(
                    "{} and {} are both snapshots of {day}",
                    other.path.display(),
                    path.display()
                ),
            )
            .with_help("keep one export per day in the folder"));
        }
        out.push(Snapshot { day, path });
    }
    out.sort_by_key(|s| s.day);
    if let Some(d) = as_of {
        out.retain(|s| s.day <= d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn the_first_date_of_a_name_is_its_day() {
        assert_eq!(day_in_name("entra_2026-11-20.csv"), d(2026, 11, 20));
        assert_eq!(day_in_name("entra_2026_11_20.csv"), d(2026, 11, 20));
        assert_eq!(day_in_name("export-20261120.csv"), d(2026, 11, 20));
        // Two dates: the first one.
        assert_eq!(
            day_in_name("roster 2026-11-13 (re-saved 2026-11-20).csv"),
            d(2026, 11, 13)
        );
        // Mixed separators, impossible days and longer digit runs are not dates.
        assert_eq!(day_in_name("2026-11_20.csv"), None);
        assert_eq!(day_in_name("roster_2026-02-30.csv"), None);
        assert_eq!(day_in_name("id_1234567890.csv"), None);
        assert_eq!(day_in_name("roster.csv"), None);
        // A bad candidate first, a good one later.
        assert_eq!(day_in_name("v20261399_2026-11-20.csv"), d(2026, 11, 20));
    }
}

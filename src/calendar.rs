//! Calendar arithmetic in the rollout's zone: instants (ms since the epoch, UTC) to
//! local days and back, the end of a day, epoch days, Mondays.
//!
//! One module for ingest (reading naive local times) and metrics (cut-offs at the end
//! of day D, weeks of a wave) alike. Local times that a daylight-saving change makes
//! ambiguous (the repeated hour in autumn) take the earlier instant; local times that
//! do not exist (the skipped hour in spring) are read with the offset in force before
//! the change, so 02:30 on the spring-forward day is 03:30 summer time. "End of day D"
//! is the instant local midnight after D begins: an event counts by D when it is
//! strictly before it (docs/inputs.md, "Time").

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 86_400_000;

/// The instant a naive local time in `tz` names (see the module doc for the
/// daylight-saving rules).
pub fn local_to_utc_ms(tz: Tz, naive: NaiveDateTime) -> i64 {
    use chrono::LocalResult;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt.timestamp_millis(),
        LocalResult::Ambiguous(earlier, _) => earlier.timestamp_millis(),
        LocalResult::None => {
            // In the skipped hour: use the offset in force a day before.
            let before = naive - chrono::Duration::days(1);
            let offset = tz.offset_from_utc_datetime(&before).fix().local_minus_utc() as i64;
            naive.and_utc().timestamp_millis() - offset * 1000
        }
    }
}

/// Days a thread-safe cache remembers ([`DayOffsets`]): about eleven years.
const CACHED_DAYS: usize = 1 << 12;

/// A cache of the zone's UTC offset per local day, for reading naive local times
/// without searching the zone's transitions for each one (most cells of a large
/// rollout are such times). A day is cached only when every local time in it has
/// one and the same offset, checked at each local hour from 00:00 to 23:00 and at
/// 23:59:59; a day with a daylight-saving change (or one a zone's history makes odd)
/// is left to [`local_to_utc_ms`] at every call, so the answers are those of
/// [`local_to_utc_ms`] exactly, as long as no zone changes its offset and back
/// within one hour, which none in the tz database does.
///
/// Direct-mapped on the epoch day, filled lazily; shared by the threads that parse
/// a source (a slot is one atomic word: a day and its offset, or nothing).
pub struct DayOffsets {
    tz: Tz,
    slots: Box<[std::sync::atomic::AtomicU64]>,
}

/// A slot no day fills: its day, `i32::MIN`, is no day a date can have.
const EMPTY_SLOT: u64 = (i32::MIN as u32 as u64) << 32;
/// The offset of a day that is not uniform (a real offset is under a day).
const NOT_UNIFORM: i32 = i32::MIN;

impl DayOffsets {
    /// An empty cache for `tz`.
    pub fn new(tz: Tz) -> Self {
        DayOffsets {
            tz,
            slots: (0..CACHED_DAYS)
                .map(|_| std::sync::atomic::AtomicU64::new(EMPTY_SLOT))
                .collect(),
        }
    }

    /// The zone's offset east of UTC in seconds on local day `day` (days since
    /// 1970-01-01), when it is the same all day; `None` on a day of a change.
    pub fn uniform(&self, day: i32) -> Option<i32> {
        use std::sync::atomic::Ordering::Relaxed;
        let slot = &self.slots[day.rem_euclid(CACHED_DAYS as i32) as usize];
        let bits = slot.load(Relaxed);
        let offset = if (bits >> 32) as u32 as i32 == day && bits != EMPTY_SLOT {
            bits as u32 as i32
        } else {
            let offset = self.compute(day).unwrap_or(NOT_UNIFORM);
            slot.store(
                u64::from(day as u32) << 32 | u64::from(offset as u32),
                Relaxed,
            );
            offset
        };
        (offset != NOT_UNIFORM).then_some(offset)
    }

    fn compute(&self, day: i32) -> Option<i32> {
        use chrono::{LocalResult, Offset};
        let date = NaiveDate::from_num_days_from_ce_opt(day.checked_add(719_163)?)?;
        let times = (0..24)
            .map(|h| NaiveTime::from_hms_opt(h, 0, 0))
            .chain([NaiveTime::from_hms_opt(23, 59, 59)]);
        let mut offset = None;
        for time in times {
            let LocalResult::Single(o) = self.tz.offset_from_local_datetime(&date.and_time(time?))
            else {
                return None;
            };
            let o = o.fix().local_minus_utc();
            if offset.is_some_and(|before| before != o) {
                return None;
            }
            offset = Some(o);
        }
        offset
    }
}

impl Clone for DayOffsets {
    /// A new, empty cache for the same zone.
    fn clone(&self) -> Self {
        DayOffsets::new(self.tz)
    }
}

impl std::fmt::Debug for DayOffsets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DayOffsets").field("tz", &self.tz).finish()
    }
}

/// The first instant after day `d` in `tz`: local midnight starting `d + 1`.
/// An event counts "by the end of day D" when its instant is strictly before this.
pub fn end_of_day_ms(tz: Tz, d: NaiveDate) -> i64 {
    let next = d.checked_add_days(Days::new(1)).unwrap_or(d);
    local_to_utc_ms(tz, next.and_time(NaiveTime::MIN))
}

/// The calendar day of instant `ms` in `tz`.
pub fn date_of(tz: Tz, ms: i64) -> NaiveDate {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(utc) => utc.with_timezone(&tz).date_naive(),
        None => NaiveDate::MIN,
    }
}

/// Days since 1970-01-01 of `d` (polars' Date representation).
pub fn epoch_days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a valid date")).num_days() as i32
}

/// The Monday of `d`'s ISO week.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached offsets give the instant `local_to_utc_ms` gives, every 20 minutes
    /// over three years, in zones with changes at 01:00Z (Paris), at local 02:00
    /// (New York), of half an hour (Lord Howe), at midnight (Santiago) and none
    /// (Kolkata); a day of a change is never cached.
    #[test]
    fn cached_day_offsets_agree_with_the_zone() {
        for tz in [
            chrono_tz::Europe::Paris,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::America::Santiago,
            chrono_tz::Asia::Kolkata,
        ] {
            let days = DayOffsets::new(tz);
            let first = epoch_days(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
            let mut changes = 0;
            for day in first..first + 3 * 366 {
                for pass in 0..2 {
                    let cached = days.uniform(day);
                    changes += usize::from(cached.is_none() && pass == 0);
                    let date = NaiveDate::from_num_days_from_ce_opt(day + 719_163).unwrap();
                    for minute in (0..24 * 60).step_by(20) {
                        let naive =
                            date.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minute);
                        let exact = local_to_utc_ms(tz, naive);
                        if let Some(offset) = cached {
                            let local = naive.and_utc().timestamp_millis();
                            assert_eq!(local - i64::from(offset) * 1000, exact, "{tz} {naive}");
                        }
                    }
                }
            }
            let expected = if tz == chrono_tz::Asia::Kolkata { 0 } else { 6 };
            assert_eq!(changes, expected, "{tz}");
        }
    }

    #[test]
    fn mondays() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(monday_of(d("2026-09-09")), d("2026-09-07"));
        assert_eq!(monday_of(d("2026-09-07")), d("2026-09-07"));
        assert_eq!(monday_of(d("2026-09-13")), d("2026-09-07"));
    }
}

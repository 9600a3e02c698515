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

    #[test]
    fn mondays() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(monday_of(d("2026-09-09")), d("2026-09-07"));
        assert_eq!(monday_of(d("2026-09-07")), d("2026-09-07"));
        assert_eq!(monday_of(d("2026-09-13")), d("2026-09-07"));
    }
}

//! Dates and timestamps as exports write them, turned into instants.
//!
//! Every timestamp becomes milliseconds since the Unix epoch in UTC; a timestamp
//! without an offset is read in the rollout's zone (or UTC for exports known to
//! write UTC). ISO 8601 is parsed by hand — it is most of the cells of a large rollout
//! — and a source's `date_format` (chrono syntax) is tried first when set.
//!
//! Local times that a daylight-saving change makes ambiguous (the repeated hour in
//! autumn) take the earlier instant; local times that do not exist (the skipped hour
//! in spring) are read with the offset in force before the change, so 02:30 on the
//! spring-forward day is 03:30 summer time. "End of day D" is the instant local
//! midnight after D begins: an event counts by D when it is strictly before it.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use crate::config::DateOrder;

pub use crate::calendar::{date_of, end_of_day_ms, epoch_days, local_to_utc_ms, MS_PER_DAY};

use crate::calendar::DayOffsets;

/// Parses the date and timestamp cells of one source.
#[derive(Debug, Clone)]
pub struct TimeParser {
    tz: Tz,
    format: Option<Custom>,
    order: Option<DateOrder>,
    until: Option<(i64, NaiveDate)>,
    since: Option<(i64, NaiveDate)>,
    /// The zone's offset per local day, for the naive times of [`fixed_iso`].
    days: DayOffsets,
}

#[derive(Debug, Clone)]
struct Custom {
    pattern: String,
    has_offset: bool,
    has_time: bool,
}

impl TimeParser {
    /// A parser reading naive times in `tz`, trying `date_format` before ISO 8601.
    pub fn new(tz: Tz, date_format: Option<&str>) -> Self {
        let format = date_format.map(|f| Custom {
            pattern: f.to_string(),
            has_offset: f.contains("%z") || f.contains("%:z") || f.contains("%#z"),
            has_time: ["%H", "%I", "%M", "%T", "%R", "%X", "%c", "%s", "%k", "%l"]
                .iter()
                .any(|s| f.contains(s)),
        });
        TimeParser {
            tz,
            format,
            order: None,
            until: None,
            since: None,
            days: DayOffsets::new(tz),
        }
    }

    /// Refuses instants after the end of day `last` (see `Config::horizon`).
    pub fn until(mut self, last: Option<NaiveDate>) -> Self {
        self.until = last.map(|d| (end_of_day_ms(self.tz, d), d));
        self
    }

    /// Refuses instants before the start of day `first` (see `quality`: two years
    /// before the first wave starts).
    pub fn since(mut self, first: Option<NaiveDate>) -> Self {
        self.since = first.map(|d| (local_to_utc_ms(self.tz, d.and_time(NaiveTime::MIN)), d));
        self
    }

    /// The instant (ms since the epoch, UTC) a timestamp cell names, when it is
    /// within the days set with [`TimeParser::since`] and [`TimeParser::until`].
    pub fn instant(&self, cell: &str) -> Result<i64, String> {
        let ms = self.instant_any(cell)?;
        let shown = || cell.trim().chars().take(40).collect::<String>();
        match (self.since, self.until) {
            (Some((limit, day)), _) if ms < limit => Err(format!(
                "`{}` is before {day}, more than two years before the first wave starts: a mistyped year?",
                shown()
            )),
            (_, Some((limit, day))) if ms >= limit => Err(format!(
                "`{}` is after {day}, decades past the rollout's waves: a mistyped year?",
                shown()
            )),
            _ => Ok(ms),
        }
    }

    /// Also reads locale layouts (`15/11/2026 09:30`, `09/Oct/25 1:42 PM`) of any
    /// file of a source that sets `date_order`, numeric dates in that order.
    pub fn with_order(mut self, order: Option<DateOrder>) -> Self {
        self.order = order;
        self
    }

    fn instant_any(&self, cell: &str) -> Result<i64, String> {
        let s = crate::normalize::trim(cell);
        if let Some(custom) = &self.format {
            if let Some(ms) = self.custom_instant(custom, s) {
                return Ok(ms);
            }
        } else if let Some(ms) = self.fixed_instant(s) {
            return Ok(ms);
        }
        match parse_iso(s) {
            Some((naive, Some(offset_s))) => {
                Ok(naive.and_utc().timestamp_millis() - offset_s * 1000)
            }
            Some((naive, None)) => Ok(local_to_utc_ms(self.tz, naive)),
            None => match self
                .order
                .and_then(|order| parse_local(s).and_then(|l| l.naive(order)))
            {
                Some(naive) => Ok(local_to_utc_ms(self.tz, naive)),
                None => Err(self.describe_failure(s)),
            },
        }
    }

    /// The calendar day a date cell names. A timestamp is accepted too: its day in
    /// the rollout's zone.
    pub fn date(&self, cell: &str) -> Result<NaiveDate, String> {
        let s = cell.trim();
        if let Some(custom) = &self.format {
            if !custom.has_time {
                if let Ok(d) = NaiveDate::parse_from_str(s, &custom.pattern) {
                    return Ok(d);
                }
            }
        }
        if s.len() == 10 {
            if let Some((naive, None)) = parse_iso(s) {
                return Ok(naive.date());
            }
        }
        self.instant(s).map(|ms| date_of(self.tz, ms))
    }

    /// The instant of a cell in one of the layouts [`fixed_iso`] reads, without
    /// building a date and a time and searching the zone's transitions: `None` when
    /// the cell is in another layout, or names a naive time on a day the zone
    /// changes its offset (the general path reads those).
    fn fixed_instant(&self, s: &str) -> Option<i64> {
        let (day, ms, offset) = fixed_iso(s.as_bytes())?;
        let offset = match offset {
            Some(offset) => offset,
            None => self.days.uniform(day)?,
        };
        Some((i64::from(day) * 86_400 - i64::from(offset)) * 1000 + i64::from(ms))
    }

    fn custom_instant(&self, custom: &Custom, s: &str) -> Option<i64> {
        if custom.has_offset {
            chrono::DateTime::parse_from_str(s, &custom.pattern)
                .ok()
                .map(|dt| dt.timestamp_millis())
        } else if custom.has_time {
            NaiveDateTime::parse_from_str(s, &custom.pattern)
                .ok()
                .map(|n| local_to_utc_ms(self.tz, n))
        } else {
            NaiveDate::parse_from_str(s, &custom.pattern)
                .ok()
                .map(|d| local_to_utc_ms(self.tz, d.and_time(NaiveTime::MIN)))
        }
    }

    fn describe_failure(&self, s: &str) -> String {
        let shown: String = s.chars().take(40).collect();
        match &self.format {
            Some(c) => format!(
                "`{shown}` is not a date in the format `{}` nor ISO 8601",
                c.pattern
            ),
            None if s.is_empty() => "empty date".to_string(),
            None => format!("`{shown}` is not an ISO 8601 date or timestamp"),
        }
    }
}

/// Parses ISO 8601: `YYYY-MM-DD`, then optionally `T` or a space, `HH:MM`,
/// `:SS`, `.fraction`, and an offset `Z`, `±HH:MM`, `±HHMM` or `±HH` (optionally
/// after a space). Returns the wall-clock time and the offset in seconds, if any.
pub fn parse_iso(s: &str) -> Option<(NaiveDateTime, Option<i64>)> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    if b.len() == 10 {
        return Some((date.and_time(NaiveTime::MIN), None));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let mut i = 16;
    let mut second = 0;
    let mut nanos = 0u32;
    if b.len() >= 19 && b[16] == b':' {
        second = digits(&b[17..19])?;
        i = 19;
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
            // Keep nanosecond precision at most; further digits are dropped.
            let frac = &b[start..i.min(start + 9)];
            nanos = digits(frac)? * 10u32.pow(9 - frac.len() as u32);
        }
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)?;
    let naive = date.and_time(time);
    let rest = &b[i..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let offset = match rest {
        [] => None,
        [b'Z'] | [b'z'] => Some(0),
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (h, m) = match tail {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) as i64;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => return None,
    };
    Some((naive, offset))
}

/// The common layouts of [`parse_iso`], read by position: `YYYY-MM-DD`, then
/// optionally `T` or a space and `HH:MM:SS` with, optionally, a fraction of up to nine
/// digits after `.` or `,` (JavaScript's and many APIs' `.123`), then optionally `Z`
/// or `±HH:MM`. Returns the day (since 1970-01-01), the milliseconds into it (a
/// fraction's further digits dropped) and the offset in seconds if any, exactly as
/// [`parse_iso`] reads the cell; `None` for anything else (other offsets, a longer
/// fraction, a bad date), which [`parse_iso`] then reads or refuses.
fn fixed_iso(b: &[u8]) -> Option<(i32, u32, Option<i32>)> {
    let two = |i: usize| -> Option<u32> {
        let (h, l) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (h < 10 && l < 10).then_some(u32::from(h) * 10 + u32::from(l))
    };
    if (b.len() != 10 && b.len() < 19) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = two(0)? * 100 + two(2)?;
    let (month, day) = (two(5)?, two(8)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year as i32, month, day);
    if b.len() == 10 {
        return Some((days, 0, None));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    if hour > 23 || minute > 59 {
        return None;
    }
    // A leap second (or any second past 59) is read as 59, as `parse_iso` does.
    let mut ms = (hour * 3600 + minute * 60 + second.min(59)) * 1000;
    let mut rest = &b[19..];
    if let [b'.' | b',', tail @ ..] = rest {
        let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        // The first three digits are the milliseconds (`.5` is 500).
        let millis = tail[..n.min(3)]
            .iter()
            .fold(0, |v, &c| v * 10 + u32::from(c - b'0'));
        ms += millis * 10u32.pow(3 - n.min(3) as u32);
        rest = &tail[n..];
    }
    let offset = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |c: u8| (c.is_ascii_digit()).then_some(u32::from(c - b'0'));
            let h = digit(*h1)? * 10 + digit(*h2)?;
            let m = digit(*m1)? * 10 + digit(*m2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) as i32;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => return None,
    };
    Some((days, ms, offset))
}

/// Days in `month` of `year` (proleptic Gregorian, as chrono's dates).
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

// ---- locale layouts of tool exports ---------------------------------------------

/// A date or timestamp as a tool wrote it in the downloader's locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalStamp {
    /// Year first or a month name: the order is not in doubt.
    Known(NaiveDateTime),
    /// `a/b/year time`: day-first or month-first, to be decided.
    Numeric {
        /// The first field.
        a: u32,
        /// The second field.
        b: u32,
        /// The year (two-digit years are 2000 + yy below 70, else 1900 + yy).
        year: i32,
        /// The time of day (midnight when none).
        time: NaiveTime,
    },
}

impl LocalStamp {
    /// The wall-clock time, reading a numeric date in `order`.
    pub fn naive(self, order: DateOrder) -> Option<NaiveDateTime> {
        match self {
            LocalStamp::Known(n) => Some(n),
            LocalStamp::Numeric { a, b, year, time } => {
                let (d, m) = match order {
                    DateOrder::Dmy => (a, b),
                    DateOrder::Mdy => (b, a),
                };
                NaiveDate::from_ymd_opt(year, m, d).map(|date| date.and_time(time))
            }
        }
    }
}

/// Parses the locale layouts seen in exports: `11/3/2023 4:12:31 PM`,
/// `15/11/22, 09:30:17`, `29-02-2016 01:16`, `29.02.2016`, `09/Oct/25 1:42 PM`,
/// `2023/11/03 16:12`. ISO 8601 is not this function's: see [`parse_iso`].
pub fn parse_local(cell: &str) -> Option<LocalStamp> {
    // East Asian dates mark year, month and day with characters (`2025年3月10日`).
    let s: String = cell
        .trim()
        .chars()
        .filter(|c| *c != '日')
        .map(|c| match c {
            '年' | '月' => '/',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    // A weekday before the date (`Mon Jan 15, 2024 09:00 am`) says nothing more.
    let s = match s.split_once(' ') {
        Some((first, rest)) if weekday(first) => rest.trim_start().to_string(),
        _ => s,
    };
    if let Some(stamp) = parse_month_first(&s) {
        return Some(stamp);
    }
    // The date ends at a space, a comma, or an ISO-like `T` between digits (not
    // the `T` of `OCT`).
    let b = s.as_bytes();
    let cut = s.char_indices().find(|&(i, c)| {
        c == ' '
            || c == ','
            || (c == 'T'
                && i > 0
                && b[i - 1].is_ascii_digit()
                && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    let (date, rest) = match cut {
        Some((i, _)) => (&s[..i], s[i..].trim_start_matches([' ', ',', 'T'])),
        None => (s.as_str(), ""),
    };
    let sep = date.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = date.split(sep).collect();
    let [p1, p2, p3] = parts.as_slice() else {
        return None;
    };
    let time = parse_clock(strip_connector(rest))?;
    let num = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    if p1.len() == 4 {
        let date = NaiveDate::from_ymd_opt(num(p1, 4)? as i32, num(p2, 2)?, num(p3, 2)?)?;
        return Some(LocalStamp::Known(date.and_time(time)));
    }
    let year = match p3.len() {
        4 => num(p3, 4)? as i32,
        2 => {
            let yy = num(p3, 2)? as i32;
            if yy < 70 {
                2000 + yy
            } else {
                1900 + yy
            }
        }
        _ => return None,
    };
    let a = num(p1, 2)?;
    if let Some(month) = month_number(p2) {
        let date = NaiveDate::from_ymd_opt(year, month, a)?;
        return Some(LocalStamp::Known(date.and_time(time)));
    }
    let b = num(p2, 2)?;
    if sep == '.' {
        // Dotted dates are day-first wherever they are written (de, ru, pl, ...).
        let date = NaiveDate::from_ymd_opt(year, b, a)?;
        return Some(LocalStamp::Known(date.and_time(time)));
    }
    Some(LocalStamp::Numeric { a, b, year, time })
}

/// `Aug 12, 2026 10:00 AM`, `Mar 22, 2025 19:13:27` (Zoom, Mailchimp): month name,
/// day, year, then the time.
fn parse_month_first(s: &str) -> Option<LocalStamp> {
    let mut words = s.splitn(4, ' ');
    let month = month_number(words.next()?)?;
    let day: u32 = words.next()?.trim_end_matches(',').parse().ok()?;
    let year_word = words.next()?.trim_end_matches(',');
    if year_word.len() != 4 {
        return None;
    }
    let year: i32 = year_word.parse().ok()?;
    let time = parse_clock(strip_connector(words.next().unwrap_or("")))?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(LocalStamp::Known(date.and_time(time)))
}

/// The word some locales put between the date and the time (`13/04/2021 à 09:01:31`,
/// `... at 9:01 AM`, `... um 09:01`, `... às 09:01`), removed.
fn strip_connector(rest: &str) -> &str {
    let rest = rest.trim_start();
    for word in ["à ", "at ", "um ", "às ", "a las ", "a les ", "om "] {
        if let Some(r) = rest.strip_prefix(word) {
            return r.trim_start();
        }
    }
    rest
}

/// An English weekday name, whole or abbreviated, with or without a comma.
fn weekday(word: &str) -> bool {
    let w = word.trim_end_matches(',').to_ascii_lowercase();
    w.len() >= 3
        && [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        .iter()
        .any(|d| d.starts_with(&w))
}

/// `H:MM[:SS[.frac]] [AM|PM]`, or nothing (midnight).
fn parse_clock(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    if s.is_empty() {
        return Some(NaiveTime::MIN);
    }
    // Chinese and Japanese write the half of the day before the time (`下午 4:30`).
    for (mark, half) in [
        ("上午", "AM"),
        ("午前", "AM"),
        ("下午", "PM"),
        ("午後", "PM"),
    ] {
        if let Some(rest) = s.strip_prefix(mark) {
            return parse_clock(&format!("{} {half}", rest.trim()));
        }
    }
    // `9:10 AM`, `9:10 am`, `9:10 a.m.`, and the Spanish `9:10 a. m.`.
    let lower = s.to_ascii_lowercase().replace('.', "").replace(" m", "m");
    let (clock, meridiem) = if let Some(c) = lower.strip_suffix("am") {
        (c.trim().to_string(), Some(false))
    } else if let Some(c) = lower.strip_suffix("pm") {
        (c.trim().to_string(), Some(true))
    } else {
        // Keep the fraction's dot when there is no AM/PM.
        (s.to_string(), None)
    };
    let mut fields = clock.split(':');
    let h: u32 = fields.next()?.trim().parse().ok()?;
    let m: u32 = fields.next()?.trim().parse().ok()?;
    let (sec, nanos) = match fields.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once(['.', ',']).unwrap_or((sec, ""));
            let whole: u32 = whole.trim().parse().ok()?;
            // Digits only before cutting at nine: a cut inside a character panics.
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let frac = &frac[..frac.len().min(9)];
            let nanos = if frac.is_empty() {
                0
            } else {
                frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32)
            };
            (whole, nanos)
        }
    };
    if fields.next().is_some() {
        return None;
    }
    let h = match meridiem {
        None => h,
        Some(_) if h == 0 || h > 12 => return None,
        Some(false) => h % 12,
        Some(true) => h % 12 + 12,
    };
    NaiveTime::from_hms_nano_opt(h, m, sec, nanos)
}

/// Month names and abbreviations as exports write them in the languages their
/// tools ship in, each matched as a prefix of the word (`sept`, `juillet`, `févr`):
/// English, Spanish, German, French, Italian, Portuguese, Dutch, Polish. See
/// docs/exports.md, "Dates", for where each came from. No prefix is one of another
/// month's (the table test checks it).
const MONTHS: &[(&str, u32)] = &[
    // English (and the prefixes other languages share with it).
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // Spanish: ene, abr, ago, dic (feb, mar, may, jun, jul, sep, oct, nov as above).
    ("ene", 1),
    ("abr", 4),
    ("ago", 8),
    ("dic", 12),
    // German: mär/mrz, mai, okt, dez.
    ("mär", 3),
    ("mrz", 3),
    ("mai", 5),
    ("okt", 10),
    ("dez", 12),
    // French: janv, févr/fevr, mars, avr, mai, juin, juil, août/aout, sept, oct,
    // nov, déc.
    ("fév", 2),
    ("fev", 2),
    ("avr", 4),
    ("juin", 6),
    ("juil", 7),
    ("aoû", 8),
    ("aou", 8),
    ("déc", 12),
    // Italian: gen, mag, giu, lug, set, ott.
    ("gen", 1),
    ("mag", 5),
    ("giu", 6),
    ("lug", 7),
    ("set", 9),
    ("ott", 10),
    // Portuguese: out (fev, abr, mai, ago, set, dez as above).
    ("out", 10),
    // Dutch: mrt, mei (okt as above).
    ("mrt", 3),
    ("mei", 5),
    // Polish: sty, lut, kwi, cze, lip, wrz, paź/paz, lis, gru (mar, maj as prefixes).
    ("sty", 1),
    ("lut", 2),
    ("kwi", 4),
    ("maj", 5),
    ("cze", 6),
    ("lip", 7),
    ("sie", 8),
    ("wrz", 9),
    ("paź", 10),
    ("paz", 10),
    ("lis", 11),
    ("gru", 12),
];

/// The month a word names (`Oct`, `jul`, `Dez`, `févr.`), in any language of
/// [`MONTHS`]; a trailing dot is an abbreviation's and does not count.
fn month_number(s: &str) -> Option<u32> {
    let word = s.strip_suffix('.').unwrap_or(s);
    if word.chars().count() < 3 || !word.chars().all(char::is_alphabetic) {
        return None;
    }
    let lower = word.to_lowercase();
    // The longest prefix wins (`juin` over `jun`: both June, but `juil` is July).
    MONTHS
        .iter()
        .filter(|(m, _)| lower.starts_with(m))
        .max_by_key(|(m, _)| m.len())
        .map(|(_, n)| *n)
}

/// What the numeric dates of one file say about their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvidence {
    /// Some value has a first field over 12 (and none a second field over 12).
    DayFirst,
    /// Some value has a second field over 12 (and none a first field over 12).
    MonthFirst,
    /// Values of both kinds: the file contradicts itself.
    Conflicting,
    /// Only values such as `3/4/2026`, which read either way.
    Undecided,
    /// Only values that read either way, every one with a time written with a
    /// capital `AM`/`PM`: the en-US layout (`11/4/2020, 9:50:12 AM`), month-first.
    /// Day-first locales write a 24-hour clock (en-GB) or a lower-case am/pm (en-AU).
    UsClock,
    /// No value depends on the order.
    Irrelevant,
}

/// Weighs the date cells of one file (see [`OrderEvidence`]).
pub fn order_evidence<'c>(cells: impl IntoIterator<Item = &'c str>) -> OrderEvidence {
    let (mut day_first, mut month_first, mut either) = (false, false, false);
    let mut us_clock = true;
    for cell in cells {
        if let Some(LocalStamp::Numeric { a, b, .. }) = parse_local(cell) {
            let t = cell.trim_end();
            us_clock &= t.ends_with("AM") || t.ends_with("PM");
            match (a > 12, b > 12) {
                (true, false) => day_first = true,
                (false, true) => month_first = true,
                (false, false) if a != b => either = true,
                _ => {}
            }
        }
    }
    match (day_first, month_first, either) {
        (true, true, _) => OrderEvidence::Conflicting,
        (true, false, _) => OrderEvidence::DayFirst,
        (false, true, _) => OrderEvidence::MonthFirst,
        (false, false, true) if us_clock => OrderEvidence::UsClock,
        (false, false, true) => OrderEvidence::Undecided,
        (false, false, false) => OrderEvidence::Irrelevant,
    }
}

/// Rewrites a tool's date cells as ISO 8601 text for `quality` to read.
#[derive(Debug, Clone, Copy)]
pub struct IsoWriter {
    /// The order numeric dates are read in.
    pub order: DateOrder,
    /// The tool writes UTC: naive times get a `Z`.
    pub utc: bool,
}

impl IsoWriter {
    /// The cell as ISO 8601; a cell in no known layout is returned as it is, so that
    /// `quality` quarantines it with its own words (or reads it with `date_format`).
    pub fn iso(&self, cell: &str) -> String {
        let s = cell.trim();
        if s.is_empty() {
            return String::new();
        }
        if let Some((naive, offset)) = parse_iso(s) {
            return match offset {
                // A day alone takes a time before the `Z` (`2026-03-12Z` is no ISO).
                None if self.utc && s.len() == 10 => {
                    format!("{}Z", naive.format("%Y-%m-%dT%H:%M:%S"))
                }
                None if self.utc => format!("{s}Z"),
                _ => s.to_string(),
            };
        }
        match parse_local(s).and_then(|l| l.naive(self.order)) {
            Some(n) => {
                let mut out = n.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
                if self.utc {
                    out.push('Z');
                }
                out
            }
            None => s.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn iso_with_and_without_offset() {
        let p = TimeParser::new(Paris, None);
        // Paris is UTC+1 in November: a naive 23:50 local is 22:50Z.
        assert_eq!(
            p.instant("2026-11-20T23:50:00").unwrap(),
            ms("2026-11-20T22:50:00Z")
        );
        assert_eq!(
            p.instant("2026-11-20 23:50").unwrap(),
            ms("2026-11-20T22:50:00Z")
        );
        assert_eq!(
            p.instant("2026-11-20T23:30:00Z").unwrap(),
            ms("2026-11-20T23:30:00Z")
        );
        assert_eq!(
            p.instant("2026-11-21T00:30:00+02:00").unwrap(),
            ms("2026-11-20T22:30:00Z")
        );
        assert_eq!(
            p.instant("2026-11-21T00:30:00+0200").unwrap(),
            ms("2026-11-20T22:30:00Z")
        );
        assert_eq!(
            p.instant("2026-11-20T19:30:00-05").unwrap(),
            ms("2026-11-21T00:30:00Z")
        );
        assert_eq!(
            p.instant(" 2026-11-20T10:00:00.250Z ").unwrap(),
            ms("2026-11-20T10:00:00.250Z")
        );
        assert_eq!(
            p.instant("2024-01-15 09:23:11.0000000 Z").unwrap(),
            ms("2024-01-15T09:23:11Z")
        );
        // A date alone is local midnight.
        assert_eq!(p.instant("2026-11-20").unwrap(), ms("2026-11-19T23:00:00Z"));
    }

    /// The fixed layouts read by position give what the general reader gives, or
    /// leave the cell to it: every day of years 0, 1900, 2000, 2024 and 9999 at
    /// times around the zone's changes, with and without offsets, and cells that
    /// are nearly the layout.
    #[test]
    fn fixed_layouts_read_as_the_general_reader_does() {
        let general = |p: &TimeParser, s: &str| match parse_iso(s) {
            Some((naive, Some(offset))) => Some(naive.and_utc().timestamp_millis() - offset * 1000),
            Some((naive, None)) => Some(local_to_utc_ms(p.tz, naive)),
            None => None,
        };
        let p = TimeParser::new(Paris, None);
        let mut cells = Vec::new();
        for year in [0, 1900, 2000, 2024, 2026, 9999] {
            for d in (1..=366).filter_map(|ordinal| NaiveDate::from_yo_opt(year, ordinal)) {
                cells.push(d.format("%Y-%m-%d").to_string());
                cells.push(d.format("%Y-%m-%d 11:22:33").to_string());
            }
        }
        for day in [
            "2026-03-29",
            "2026-10-25",
            "2026-10-24",
            "2024-02-29",
            "2026-12-31",
        ] {
            for time in [
                "00:00:00",
                "01:59:59",
                "02:00:00",
                "02:30:00",
                "02:59:59",
                "03:00:00",
                "23:59:59",
                "23:59:60",
                "12:00:99",
                "11:22:33.5",
                "00:00:00.001",
                "23:59:59.999999",
                "02:30:00,75",
                "23:59:60.5",
            ] {
                for sep in [" ", "T", "t"] {
                    for tail in ["", "Z", "z", "+02:00", "-05:30", "+23:59", "+00:00"] {
                        cells.push(format!("{day}{sep}{time}{tail}"));
                    }
                }
            }
        }
        cells.extend(
            [
                "2026-02-29",
                "2025-02-29",
                "2026-13-01",
                "2026-00-10",
                "2026-04-31",
                "2026-11-00",
                "2026-11-20 24:00:00",
                "2026-11-20 23:60:00",
                "2026-11-20 10:00:00+24:00",
                "2026-11-20 10:00:00+02:60",
                "2026-11-20 10:00:00+0200",
                "2026-11-20 10:00:00 Z",
                "2026-11-20 10:00",
                "2026-11-20 10:00:00.5",
                "2026-11-20 10:00:00.",
                "2026-11-20 10:00:00.5Z",
                "2026-11-20 10:00:00,25+02:00",
                "2026-11-20T10:00:00.123Z",
                "2026-11-20T10:00:00.1239",
                "2026-11-20T10:00:00.999999999-05:30",
                "2026-11-20T10:00:00.1234567890Z",
                "2026-11-20T10:00:00.12a",
                "2026-11-20T10:00:00.-1",
                "2026-11-20T23:59:60.999Z",
                "1969-12-31T23:59:59.999Z",
                "1969-12-31 23:59:59.5",
                "2026-11-20x10:00:00",
                "2026-11-20 10-00:00",
                "2026-11-20 10:00:00*02:00",
                "2026-11-20 10:00:00+02-00",
                "2026/11/20",
                "+026-11-20",
                "2026-1-120",
                "2026-11-20 1a:00:00",
                "2026-11-20 10:00:0a",
                "2026-11-20 10:00:00+0a:00",
                "2026-11-20 10:00:00Y",
            ]
            .map(String::from),
        );
        let mut fixed = 0;
        for cell in &cells {
            if let Some(ms) = p.fixed_instant(cell) {
                fixed += 1;
                assert_eq!(Some(ms), general(&p, cell), "{cell}");
            }
            // Whatever path reads it, the answer is the general reader's.
            assert_eq!(p.instant_any(cell).ok(), general(&p, cell), "{cell}");
        }
        assert!(fixed > 2000, "{fixed}");
        // The days of the changes are left to the general path.
        assert_eq!(p.fixed_instant("2026-03-29 12:00:00"), None);
        assert_eq!(p.fixed_instant("2026-10-25 12:00:00"), None);
        assert!(p.fixed_instant("2026-10-24 12:00:00").is_some());
    }

    #[test]
    fn end_of_day_in_zone_splits_the_edge_cases() {
        // D = 2026-11-20 in Paris ends at 2026-11-20T23:00Z.
        let p = TimeParser::new(Paris, None);
        let end = end_of_day_ms(Paris, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        assert_eq!(end, ms("2026-11-20T23:00:00Z"));
        // naive 23:50 local: inside D.
        assert!(p.instant("2026-11-20T23:50:00").unwrap() < end);
        // 23:30Z is 00:30 on the 21st in Paris: after D.
        assert!(p.instant("2026-11-20T23:30:00Z").unwrap() >= end);
        // 00:30+02:00 on the 21st is 22:30Z on the 20th: inside D.
        assert!(p.instant("2026-11-21T00:30:00+02:00").unwrap() < end);
    }

    #[test]
    fn daylight_saving_gaps_and_overlaps() {
        // 2026-03-29 02:30 does not exist in Paris: read with +01:00 -> 01:30Z.
        let p = TimeParser::new(Paris, None);
        assert_eq!(
            p.instant("2026-03-29T02:30:00").unwrap(),
            ms("2026-03-29T01:30:00Z")
        );
        // 2026-10-25 02:30 happens twice: the earlier, +02:00 -> 00:30Z.
        assert_eq!(
            p.instant("2026-10-25T02:30:00").unwrap(),
            ms("2026-10-25T00:30:00Z")
        );
        // The day of the autumn change has 25 hours.
        let d = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        let start = end_of_day_ms(Paris, d.pred_opt().unwrap());
        assert_eq!(end_of_day_ms(Paris, d) - start, 25 * 3_600_000);
    }

    #[test]
    fn custom_formats() {
        let p = TimeParser::new(Paris, Some("%m/%d/%Y %I:%M:%S %p"));
        assert_eq!(
            p.instant("11/3/2023 4:12:31 PM").unwrap(),
            ms("2023-11-03T15:12:31Z")
        );
        // ISO still reads when the custom format does not fit.
        assert_eq!(
            p.instant("2023-11-03T15:12:31Z").unwrap(),
            ms("2023-11-03T15:12:31Z")
        );
        let p = TimeParser::new(Paris, Some("%d/%m/%Y"));
        assert_eq!(
            p.date("15/11/2026").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
        );
        let p = TimeParser::new(Paris, Some("%Y-%m-%d %H:%M:%S %z"));
        assert_eq!(
            p.instant("2026-11-20 10:00:00 +0000").unwrap(),
            ms("2026-11-20T10:00:00Z")
        );
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        let p = TimeParser::new(Paris, None);
        for bad in [
            "",
            "yesterday",
            "2026-13-45 25:00",
            "2026-02-30",
            "2026-11-20T25:00",
            "2026-11-20T10:00+2:00",
            "2026-11-20X10:00",
            "20/11/2026",
        ] {
            assert!(p.instant(bad).is_err(), "{bad:?} should not parse");
        }
        assert!(p.instant("yesterday").unwrap_err().contains("`yesterday`"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,40}") {
            let p = TimeParser::new(Paris, Some("%d/%m/%Y %H:%M"));
            let _ = p.instant(&s);
            let _ = p.date(&s);
        }

        #[test]
        fn iso_round_trips(secs in 0i64..4_000_000_000) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            let p = TimeParser::new(Paris, None);
            proptest::prop_assert_eq!(p.instant(&t.to_rfc3339()).unwrap(), secs * 1000);
            let local = t.with_timezone(&Paris).naive_local().format("%Y-%m-%d %H:%M:%S").to_string();
            let back = p.instant(&local).unwrap();
            // A local time repeated by the autumn change reads as the earlier instant.
            proptest::prop_assert!(back == secs * 1000 || back == secs * 1000 - 3_600_000);
        }
    }

    #[test]
    fn dates_accept_timestamps_in_zone() {
        let p = TimeParser::new(Paris, None);
        assert_eq!(
            p.date("2026-11-20").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
        );
        assert_eq!(
            p.date("2026-11-20T23:30:00Z").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
        );
        assert_eq!(epoch_days(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
    }

    fn local(s: &str, order: DateOrder) -> String {
        parse_local(s)
            .and_then(|l| l.naive(order))
            .map(|n| n.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "none".to_string())
    }

    #[test]
    fn date_order_reads_locale_layouts_of_any_file() {
        let p = TimeParser::new(Paris, None).with_order(Some(DateOrder::Dmy));
        assert_eq!(
            p.instant("15/11/2026 09:30").unwrap(),
            ms("2026-11-15T08:30:00Z")
        );
        assert_eq!(
            p.date("3/4/2026").unwrap(),
            NaiveDate::from_ymd_opt(2026, 4, 3).unwrap()
        );
        assert!(TimeParser::new(Paris, None).instant("15/11/2026").is_err());
    }

    #[test]
    fn locale_layouts_of_exports() {
        use DateOrder::{Dmy, Mdy};
        assert_eq!(local("11/3/2023 4:12:31 PM", Mdy), "2023-11-03 16:12:31");
        assert_eq!(local("11/4/2020, 9:50:12 AM", Mdy), "2020-11-04 09:50:12");
        assert_eq!(local("15/11/22, 09:30:17", Dmy), "2022-11-15 09:30:17");
        assert_eq!(
            local("7/20/23, 4:30:36\u{202f}PM", Mdy),
            "2023-07-20 16:30:36"
        );
        assert_eq!(local("29-02-2016 01:16", Dmy), "2016-02-29 01:16:00");
        assert_eq!(local("3/17/2025 6:04", Mdy), "2025-03-17 06:04:00");
        assert_eq!(local("09/Oct/25 1:42 PM", Mdy), "2025-10-09 13:42:00");
        assert_eq!(local("09/Oct/25 12:05 AM", Dmy), "2025-10-09 00:05:00");
        assert_eq!(local("2023/11/03 16:12", Dmy), "2023-11-03 16:12:00");
        assert_eq!(local("29.02.2016", Dmy), "2016-02-29 00:00:00");
        // Dots are day-first whatever the order says.
        assert_eq!(local("11.12.2020 12:27:24", Mdy), "2020-12-11 12:27:24");
        assert_eq!(local("13/04/2021 à 09:01:31", Dmy), "2021-04-13 09:01:31");
        assert_eq!(local("Aug 12, 2026 10:00 AM", Dmy), "2026-08-12 10:00:00");
        assert_eq!(local("Mar 22, 2025 19:13:27", Dmy), "2025-03-22 19:13:27");
        assert_eq!(
            local("Mon Jan 15, 2024 09:00 am", Dmy),
            "2024-01-15 09:00:00"
        );
        // Month abbreviations of other languages (Jira in Spanish, German, French).
        assert_eq!(local("18/jul/26 9:10 AM", Mdy), "2026-07-18 09:10:00");
        assert_eq!(local("18/Dez/26 09:10", Mdy), "2026-12-18 09:10:00");
        assert_eq!(local("18/févr./26 09:10", Mdy), "2026-02-18 09:10:00");
        assert_eq!(local("18/ene/26 9:10 a. m.", Mdy), "2026-01-18 09:10:00");
        assert_eq!(local("18/dic/26 9:10 p. m.", Mdy), "2026-12-18 21:10:00");
        assert_eq!(local("02/Mär/26 17:00", Mdy), "2026-03-02 17:00:00");
        assert_eq!(local("02/juil./26 17:00", Mdy), "2026-07-02 17:00:00");
        assert_eq!(local("02/août/26 17:00", Mdy), "2026-08-02 17:00:00");
        assert_eq!(local("02/Okt/26 17:00", Mdy), "2026-10-02 17:00:00");
        // East Asian year, month and day marks, and halves of the day before the time.
        assert_eq!(local("2025年3月10日 8:00:48", Dmy), "2025-03-10 08:00:48");
        assert_eq!(local("2025/3/10 下午 4:30:36", Dmy), "2025-03-10 16:30:36");
        assert_eq!(local("2025/3/10 午前 9:05", Dmy), "2025-03-10 09:05:00");
        // An upper-case month is no ISO `T`.
        assert_eq!(local("09/OCT/25 1:42 PM", Mdy), "2025-10-09 13:42:00");
        assert_eq!(local("13/13/2020", Dmy), "none");
        assert_eq!(local("yesterday", Dmy), "none");
        assert_eq!(local("1/2/2020 13:00 PM", Dmy), "none");
    }

    /// Every month is found from its abbreviation in every language of the table,
    /// and no abbreviation is the prefix of another month's.
    #[test]
    fn month_table_is_unambiguous() {
        for (a, m) in MONTHS {
            for (b, n) in MONTHS {
                if m != n && b.starts_with(a) {
                    // A longer prefix of another month must win over the shorter.
                    assert_eq!(month_number(b), Some(*n), "{a} is a prefix of {b}");
                }
            }
            assert_eq!(month_number(a), Some(*m), "{a}");
        }
        for (word, month) in [
            ("enero", 1),
            ("Februar", 2),
            ("März", 3),
            ("avril", 4),
            ("mayo", 5),
            ("juin", 6),
            ("juillet", 7),
            ("agosto", 8),
            ("sept.", 9),
            ("octubre", 10),
            ("noviembre", 11),
            ("décembre", 12),
            ("Dezember", 12),
        ] {
            assert_eq!(month_number(word), Some(month), "{word}");
        }
        assert_eq!(month_number("ma"), None);
        assert_eq!(month_number("x.y"), None);
    }

    #[test]
    fn the_file_decides_the_order_when_it_can() {
        use OrderEvidence::*;
        assert_eq!(order_evidence(["1/2/2020", "15/2/2020"]), DayFirst);
        assert_eq!(
            order_evidence(["1/2/2020", "2/15/2020 1:00 PM"]),
            MonthFirst
        );
        assert_eq!(order_evidence(["1/2/2020", "3/4/2020"]), Undecided);
        assert_eq!(
            order_evidence(["1/2/2020 9:00 AM", "3/4/2020 1:00 PM"]),
            UsClock
        );
        assert_eq!(
            order_evidence(["1/2/2020 9:00 am", "3/4/2020 13:00"]),
            Undecided
        );
        assert_eq!(order_evidence(["15/2/2020", "2/15/2020"]), Conflicting);
        assert_eq!(
            order_evidence(["2020-01-02", "09/Oct/25 1:42 PM", "5/5/2020", ""]),
            Irrelevant
        );
    }

    #[test]
    fn iso_writer_marks_utc_tools() {
        let w = IsoWriter {
            order: DateOrder::Mdy,
            utc: true,
        };
        assert_eq!(
            w.iso("2024-01-15 09:23:11.0000000"),
            "2024-01-15 09:23:11.0000000Z"
        );
        assert_eq!(w.iso("11/3/2023 4:12:31 PM"), "2023-11-03T16:12:31Z");
        assert_eq!(
            w.iso("2024-01-15T09:23:11+02:00"),
            "2024-01-15T09:23:11+02:00"
        );
        assert_eq!(w.iso(" "), "");
        assert_eq!(w.iso("soon"), "soon");
        let p = TimeParser::new(Paris, None);
        assert_eq!(
            p.instant(&w.iso("2024-01-15 09:23:11.0000000")).unwrap(),
            ms("2024-01-15T09:23:11Z")
        );
    }

    /// Found by the `dates` fuzz target: a day alone in an export that writes UTC
    /// became `2026-03-12Z`, which no parser reads, so the row was quarantined.
    #[test]
    fn a_utc_day_alone_is_rewritten_as_iso() {
        let w = IsoWriter {
            order: DateOrder::Dmy,
            utc: true,
        };
        assert_eq!(w.iso("2026-03-12"), "2026-03-12T00:00:00Z");
        assert!(parse_iso(&w.iso("2026-03-12")).is_some());
        assert_eq!(w.iso("2026-03-12 10:00"), "2026-03-12 10:00Z");
    }

    /// Found by the `enrollments` fuzz target: a fraction of a second holding a
    /// character of several bytes (`09:30:00.1†`) was cut inside it: a panic.
    #[test]
    fn a_fraction_with_a_wide_character_is_no_time() {
        assert_eq!(parse_local("3/4/2026 09:30:00.12345678†"), None);
        assert_eq!(parse_local("3/4/2026 09:30:00.1†"), None);
        assert!(parse_local("3/4/2026 09:30:00.123").is_some());
    }

    /// An email "sent" in 1926 gave `days_late` -36525; an enrollment on
    /// `0026-10-01` counted. An instant before the day set with `since` is refused
    /// as a mistyped year, as one after `until` is.
    // See: issue 12, finding 7.
    #[test]
    fn instants_more_than_two_years_before_the_waves_are_mistyped_years() {
        let first = NaiveDate::from_ymd_opt(2024, 9, 7);
        let p = TimeParser::new(Paris, None)
            .since(first)
            .until(NaiveDate::from_ymd_opt(2046, 9, 7));
        for typo in [
            "1926-10-01 09:00",
            "0026-10-01",
            "2024-09-06T23:59:59+02:00",
        ] {
            let e = p.instant(typo).unwrap_err();
            assert!(
                e.contains("is before 2024-09-07, more than two years before the first wave"),
                "{typo}: {e}"
            );
        }
        assert!(p.instant("2024-09-07 00:00").is_ok());
        assert!(p.instant("2046-09-07 23:59").is_ok());
        assert!(p
            .instant("2046-09-08")
            .unwrap_err()
            .contains("mistyped year"));
    }
}

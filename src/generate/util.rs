//! Calendar and random helpers shared by the generator's parts: the fixed calendar
//! of the made-up rollout (its first wave start and as-of day), Europe/Paris offsets,
//! the timestamp shapes the exports write, and small draws (exponential, normal, a
//! GUID). Nothing here keeps state.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}
/// The first wave's start, a Monday.
pub(super) fn base_day() -> NaiveDate {
    date(2026, 9, 7)
}
pub(super) fn as_of() -> NaiveDate {
    date(2026, 11, 20)
}
pub(super) fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}
pub(super) fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}
pub(super) fn at(d: NaiveDate, hour: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour of the day"))
}

/// UTC offset of Europe/Paris at a local time, in hours: summer time (+2) from the last
/// Sunday of March 02:00 to the last Sunday of October 03:00, else +1. The repeated
/// hour in October is read as summer time.
pub(super) fn paris_offset(local: NaiveDateTime) -> i64 {
    let last_sunday = |month: u32| {
        let last = date(local.year(), month + 1, 1)
            .pred_opt()
            .expect("not 1 Jan");
        last - days(i64::from(last.weekday().num_days_from_sunday()))
    };
    if (at(last_sunday(3), 2)..at(last_sunday(10), 3)).contains(&local) {
        2
    } else {
        1
    }
}
/// `2026-09-10T10:00:00+02:00`.
pub(super) fn with_offset(t: NaiveDateTime) -> String {
    format!("{}T{}+0{}:00", t.date(), t.time(), paris_offset(t))
}
/// `2026-09-15T08:12:03Z`.
pub(super) fn utc(local: NaiveDateTime) -> String {
    let t = local - TimeDelta::hours(paris_offset(local));
    format!("{}T{}Z", t.date(), t.time())
}
/// `a` with probability `p`, else `b`.
pub(super) fn pick<'a>(rng: &mut ChaCha8Rng, p: f64, a: &'a str, b: &'a str) -> &'a str {
    if rng.random_bool(p) {
        a
    } else {
        b
    }
}
pub(super) fn exponential(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}
pub(super) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v) = (1.0 - rng.random::<f64>(), rng.random::<f64>());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
/// A random time between 08:00 and 18:00 local on `d`.
pub(super) fn work_time(rng: &mut ChaCha8Rng, d: NaiveDate) -> NaiveDateTime {
    at(d, 8) + secs(rng.random_range(0..36_000))
}
/// Most weekend activity moves to the Monday.
pub(super) fn weekday(rng: &mut ChaCha8Rng, t: NaiveDateTime) -> NaiveDateTime {
    let skip = match t.weekday() {
        Weekday::Sat => 2,
        Weekday::Sun => 1,
        _ => 0,
    };
    if skip > 0 && rng.random_bool(0.85) {
        t + days(skip)
    } else {
        t
    }
}
/// A GUID-shaped device id.
pub(super) fn guid(rng: &mut ChaCha8Rng) -> String {
    let (a, b): (u64, u64) = (rng.random(), rng.random());
    let (a1, a2, a3, b1) = (a >> 32, (a >> 16) & 0xffff, a & 0xfff, (b >> 48) | 0x8000);
    format!(
        "{a1:08x}-{a2:04x}-4{a3:03x}-{b1:04x}-{:012x}",
        b & 0xffff_ffff_ffff
    )
}
/// `anne.martin42@contoso.com` becomes `  Anne.Martin42@Contoso.Com `.
pub(super) fn mangle(id: &str) -> String {
    let mut out = String::from("  ");
    let mut upper = true;
    for ch in id.chars() {
        if upper {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        upper = matches!(ch, '.' | '@');
    }
    out + " "
}
/// A TOML basic string.
pub(super) fn toml_str(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => out.extend(['\\', c]),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out + "\""
}

/// A random stream of its own for one part of the generator, so that turning a part
/// on never shifts the draws of another: the seed mixed with the part's `tag`.
pub(super) fn stream(seed: u64, tag: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}
/// `2026-09-15 06:12:03.0000000`: the UTC timestamps of the Intune export.
pub(super) fn intune_time(local: NaiveDateTime) -> String {
    let t = local - TimeDelta::hours(paris_offset(local));
    format!("{} {}.0000000", t.date(), t.time())
}

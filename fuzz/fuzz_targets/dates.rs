//! Timestamp and date parsing (`uptake::ingest::dates`): ISO 8601, the locale
//! layouts of tool exports, a source's own `date_format` (taken from the input's
//! first line when the option byte asks), daylight-saving gaps and folds.
#![no_main]

use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use uptake::config::DateOrder;
use uptake::ingest::dates::{self, IsoWriter, TimeParser};

const ZONES: [Tz; 4] = [
    Tz::UTC,
    Tz::Europe__Paris,
    Tz::America__St_Johns,
    Tz::Pacific__Apia,
];

fuzz_target!(|data: &[u8]| {
    let [opts, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let tz = ZONES[usize::from(opts & 3)];
    let order = match (opts >> 2) & 3 {
        1 => Some(DateOrder::Dmy),
        2 => Some(DateOrder::Mdy),
        _ => None,
    };
    let (format, cells) = if opts & 16 != 0 {
        match text.split_once('\n') {
            Some((f, cells)) => (Some(f), cells),
            None => (None, text.as_ref()),
        }
    } else {
        (None, text.as_ref())
    };
    let parser = TimeParser::new(tz, format).with_order(order);
    let lines: Vec<&str> = cells.lines().collect();
    for cell in &lines {
        if let Ok(ms) = parser.instant(cell) {
            let day = dates::date_of(tz, ms);
            let _ = dates::epoch_days(day);
            let _ = dates::end_of_day_ms(tz, day);
        }
        if let Ok(day) = parser.date(cell) {
            let _ = dates::epoch_days(day);
            let _ = dates::end_of_day_ms(tz, day);
        }
        if let Some((naive, _)) = dates::parse_iso(cell) {
            let _ = dates::local_to_utc_ms(tz, naive);
        }
        if let Some(stamp) = dates::parse_local(cell) {
            let _ = stamp.naive(DateOrder::Dmy);
            let _ = stamp.naive(DateOrder::Mdy);
        }
        for utc in [false, true] {
            for order in [DateOrder::Dmy, DateOrder::Mdy] {
                let iso = IsoWriter { order, utc }.iso(cell);
                // What the writer makes of a date it understood reads back.
                if iso != cell.trim() {
                    assert!(
                        dates::parse_iso(&iso).is_some(),
                        "{cell:?} was rewritten as {iso:?}, which is not ISO 8601"
                    );
                }
            }
        }
    }
    let _ = dates::order_evidence(lines.iter().copied());
});

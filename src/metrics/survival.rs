//! Time to enroll: the Kaplan–Meier curve of the days from a wave's start to each
//! person's first enrollment, with its Greenwood log(−log) 95 % band, the median and
//! the share enrolled by a given day; and the forecast of the day a wave reaches its
//! final target, read off the curves of the waves that started before it
//! (docs/metrics.md, "Time to enroll, forecasts and effects").
//!
//! Takes one [`Spell`] per person of the run's cohort (whole local days since the
//! wave's start: the day they entered, the day they enrolled or were last seen) and
//! hands back a [`Curve`]: one [`Point`] per day with an enrollment, which the report
//! turns into the `time_to_enroll` table and chart, `median_days_to_enroll` and
//! `share_by_day_*` of `group_metrics`, and the forecast's [`Forecast`]. Pure
//! functions over plain vectors; [`wave_spells`] builds the spells of each wave from
//! the cohort that [`super::effects::cohort`] reads out of the dataset.

use chrono::NaiveDate;

use super::effects::WaveCohort;
use super::stats::{EPS, Z95};
use crate::calendar::{date_of, end_of_day_ms};

/// One person's time under observation, in whole days since the wave's start.
///
/// The person is at risk of enrolling on every day `t` with `entry ≤ t ≤ exit`. When
/// `enrolled`, `exit` is the day of their first enrollment (an event); otherwise it is
/// the last day they were seen not enrolled (censored), which for the run's cohort is
/// D − start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    /// The first day at risk: 0, or the day the person joined the roster when that
    /// is after the wave's start (late entry). Negative values count as 0.
    pub entry: i64,
    /// The day of the first enrollment, or of censoring.
    pub exit: i64,
    /// Whether `exit` is an enrollment.
    pub enrolled: bool,
}

impl Spell {
    /// A spell of someone at risk from the wave's start.
    pub fn from_start(exit: i64, enrolled: bool) -> Self {
        Spell {
            entry: 0,
            exit,
            enrolled,
        }
    }
}

/// One day of a Kaplan–Meier curve on which at least one person enrolled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Days since the wave's start.
    pub day: i64,
    /// People at risk that day: entered by it, neither enrolled nor censored before.
    pub at_risk: i64,
    /// Of them, people who enrolled that day.
    pub enrolled_on_day: i64,
    /// S(day): the estimated share not yet enrolled at the end of the day.
    pub survival: f64,
    /// 1 − S(day).
    pub share_enrolled: f64,
    /// Lower end of the 95 % band of `share_enrolled`; `None` where S is 0 or 1.
    pub low: Option<f64>,
    /// Upper end of the 95 % band of `share_enrolled`; `None` where S is 0 or 1.
    pub high: Option<f64>,
}

/// A Kaplan–Meier curve of time to enroll, observed up to day `horizon` (D − start).
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// D − start: the last day observed. Negative while the wave has not started.
    pub horizon: i64,
    /// People in the cohort (every spell given, whether or not ever at risk).
    pub people: i64,
    /// One point per day with an enrollment, in day order.
    pub points: Vec<Point>,
}

/// The Kaplan–Meier estimate of time to enroll from `spells`, observed up to day
/// `horizon` (docs/metrics.md, "time_to_enroll").
///
/// S(t) = Π over event days u ≤ t of (1 − d_u / n_u), with n_u the people at risk on
/// day u (`entry ≤ u ≤ exit`: someone censored on u is still at risk that day) and d_u
/// their enrollments. The band is Greenwood's variance on the log(−log) scale:
/// V = Σ d/(n(n − d)) / (ln S)², S^exp(±z√V) with z = 1.959964 (Kalbfleisch and
/// Prentice, *The Statistical Analysis of Failure Time Data*, 2nd ed., §4.3), empty
/// where S is 0 or 1.
///
/// Spells are made consistent rather than refused: an entry before the start counts
/// from day 0; an enrollment or censoring after `horizon` is censored at `horizon`
/// (it was not seen by D); an enrollment before the person entered counts on their
/// entry day; someone entering after `horizon` is never at risk.
pub fn kaplan_meier(spells: &[Spell], horizon: i64) -> Curve {
    let mut entries = Vec::with_capacity(spells.len());
    let mut exits = Vec::with_capacity(spells.len());
    let mut events = Vec::new();
    for s in spells {
        let entry = s.entry.max(0);
        if entry > horizon {
            continue;
        }
        let (exit, enrolled) = if s.exit > horizon {
            (horizon, false)
        } else {
            (s.exit.max(entry), s.enrolled)
        };
        entries.push(entry);
        exits.push(exit);
        if enrolled {
            events.push(exit);
        }
    }
    entries.sort_unstable();
    exits.sort_unstable();
    events.sort_unstable();

    let mut points = Vec::new();
    let (mut entered, mut gone) = (0usize, 0usize);
    let mut survival = 1.0f64;
    // Σ d/(n(n − d)); infinite once everyone at risk on some day enrolled (S = 0).
    let mut greenwood = 0.0f64;
    let mut k = 0;
    while k < events.len() {
        let day = events[k];
        let d = events[k..].iter().take_while(|&&e| e == day).count();
        k += d;
        while entered < entries.len() && entries[entered] <= day {
            entered += 1;
        }
        while gone < exits.len() && exits[gone] < day {
            gone += 1;
        }
        let n = (entered - gone) as i64;
        let d = d as i64;
        survival *= 1.0 - d as f64 / n as f64;
        greenwood += if n > d {
            d as f64 / (n as f64 * (n - d) as f64)
        } else {
            f64::INFINITY
        };
        let band = log_log_band(survival, greenwood);
        points.push(Point {
            day,
            at_risk: n,
            enrolled_on_day: d,
            survival,
            share_enrolled: 1.0 - survival,
            low: band.map(|b| b.0),
            high: band.map(|b| b.1),
        });
    }
    Curve {
        horizon,
        people: spells.len() as i64,
        points,
    }
}

/// The 95 % band of 1 − S from S and the Greenwood sum, on the log(−log) scale;
/// `None` where S is 0 or 1 (no band there) or the variance is not finite.
fn log_log_band(survival: f64, greenwood: f64) -> Option<(f64, f64)> {
    if !(survival > 0.0 && survival < 1.0 && greenwood.is_finite()) {
        return None;
    }
    let ln = survival.ln();
    let v = greenwood / (ln * ln);
    let e = (Z95 * v.sqrt()).exp();
    // S^e < S < S^(1/e) since 0 < S < 1 and e ≥ 1; the share's band is the mirror.
    Some((1.0 - survival.powf(1.0 / e), 1.0 - survival.powf(e)))
}

impl Curve {
    /// S(t): the estimated share not yet enrolled at the end of day `t` (1 before the
    /// first enrollment). Beyond the horizon it stays at its last value; use
    /// [`Curve::share_by_day`] where the horizon matters.
    pub fn survival_at(&self, t: i64) -> f64 {
        let k = self.points.partition_point(|p| p.day <= t);
        match k {
            0 => 1.0,
            k => self.points[k - 1].survival,
        }
    }

    /// `share_by_day_<t>` of `group_metrics`: 1 − S(t), or `None` when the wave has not
    /// run `t` days by D (t > D − start) or `t` is negative.
    pub fn share_by_day(&self, t: i64) -> Option<f64> {
        (0..=self.horizon)
            .contains(&t)
            .then(|| 1.0 - self.survival_at(t))
    }

    /// `median_days_to_enroll`: the first day with S ≤ 0.5 (within 1e-9, so that 4 of
    /// 8 is a half); `None` when S stays above it.
    pub fn median_days_to_enroll(&self) -> Option<i64> {
        self.points
            .iter()
            .find(|p| p.survival <= 0.5 + EPS)
            .map(|p| p.day)
    }
}

/// A wave's curve with the day it started, for the forecast.
#[derive(Debug, Clone, Copy)]
pub struct Dated<'a> {
    /// The wave's start.
    pub start: NaiveDate,
    /// Its curve as of D.
    pub curve: &'a Curve,
}

/// `forecast_date`, `forecast_low`, `forecast_high` of a wave's `(all)` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forecast {
    /// The wave already reaches its final target share.
    Reached,
    /// The days the earlier waves' curves say it reaches it.
    Range(ForecastRange),
    /// No earlier wave to learn from (or none of them reaches the target): the report
    /// falls back to the 14-day pace.
    Unknown,
}

/// When a wave reaches its final target, judging by the earlier waves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastRange {
    /// `forecast_date`: start + the median of the projected days (the lower middle
    /// one when their number is even).
    pub likely: NaiveDate,
    /// `forecast_low`: start + the earliest projected day.
    pub low: NaiveDate,
    /// `forecast_high`: start + the latest projected day.
    pub high: NaiveDate,
    /// The positions in `earlier` of the waves that gave a day, in that order.
    pub from: Vec<usize>,
}

/// The forecast of the day `wave` reaches `final_share` (docs/metrics.md,
/// "Forecast").
///
/// With t₀ = D − start: `Reached` when 1 − S(t₀) ≥ `final_share`. Otherwise each wave
/// of `earlier` that started before `wave`, has been observed longer (its own
/// D − start′ > t₀) and has S′(t₀) > 0 lends its conditional curve: S(t) = S(t₀) ×
/// S′(t) / S′(t₀) for t = t₀ + 1 … D − start′, and gives the first t at which
/// 1 − S(t) ≥ `final_share` (none if it never does). The range is start + the median
/// (lower middle), minimum and maximum of those days; with no day at all, `Unknown`.
/// `earlier` may hold every wave of the same workload, `wave` included: those
/// starting on or after `wave`'s start are skipped here.
pub fn forecast(wave: Dated<'_>, earlier: &[Dated<'_>], final_share: f64) -> Forecast {
    let t0 = wave.curve.horizon;
    let s0 = wave.curve.survival_at(t0);
    let reaches = |s: f64| 1.0 - s >= final_share - EPS;
    if reaches(s0) {
        return Forecast::Reached;
    }
    let mut days: Vec<(i64, usize)> = Vec::new();
    for (k, other) in earlier.iter().enumerate() {
        let c = other.curve;
        if other.start >= wave.start || c.horizon <= t0 {
            continue;
        }
        let base = c.survival_at(t0);
        if base <= 0.0 {
            continue;
        }
        // S′ only changes on its event days, so the first day the projection reaches
        // the target is an event day of S′ after t₀ (or never).
        let first = c
            .points
            .iter()
            .filter(|p| p.day > t0 && p.day <= c.horizon)
            .find(|p| reaches(s0 * p.survival / base))
            .map(|p| p.day);
        if let Some(day) = first {
            days.push((day, k));
        }
    }
    if days.is_empty() {
        return Forecast::Unknown;
    }
    let from = days.iter().map(|&(_, k)| k).collect();
    let mut sorted: Vec<i64> = days.iter().map(|&(d, _)| d).collect();
    sorted.sort_unstable();
    let at = |t: i64| {
        u64::try_from(t)
            .ok()
            .and_then(|t| wave.start.checked_add_days(chrono::Days::new(t)))
    };
    let (likely, low, high) = (
        at(sorted[(sorted.len() - 1) / 2]),
        at(sorted[0]),
        at(sorted[sorted.len() - 1]),
    );
    match (likely, low, high) {
        (Some(likely), Some(low), Some(high)) => Forecast::Range(ForecastRange {
            likely,
            low,
            high,
            from,
        }),
        _ => Forecast::Unknown,
    }
}

/// The spells of a wave's cohort as of `as_of`: entry at the wave's start, or on the
/// day the person joined the roster (from snapshots) when that is later; the local
/// day of the first enrollment when it is before the end of `as_of`
/// (t = max(0, day − start)), else censored at `as_of` − start. The curve's horizon
/// is `as_of` − start.
pub fn wave_spells(tz: chrono_tz::Tz, as_of: NaiveDate, wave: &WaveCohort) -> (Vec<Spell>, i64) {
    let horizon = (as_of - wave.start).num_days();
    let end = end_of_day_ms(tz, as_of);
    let spells = wave
        .people
        .iter()
        .map(|p| {
            let entry = p
                .joined
                .map_or(0, |d| (d - wave.start).num_days().clamp(0, horizon.max(0)));
            match p.enrolled_at().filter(|&ms| ms < end) {
                Some(ms) => Spell {
                    entry,
                    exit: (date_of(tz, ms) - wave.start).num_days().max(entry),
                    enrolled: true,
                },
                None => Spell {
                    entry,
                    exit: horizon.max(entry),
                    enrolled: false,
                },
            }
        })
        .collect();
    (spells, horizon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    fn enrolled(day: i64) -> Spell {
        Spell::from_start(day, true)
    }

    fn censored(day: i64) -> Spell {
        Spell::from_start(day, false)
    }

    fn late(entry: i64, exit: i64, enrolled: bool) -> Spell {
        Spell {
            entry,
            exit,
            enrolled,
        }
    }

    /// (day, at_risk, enrolled_on_day) of each point.
    fn table(c: &Curve) -> Vec<(i64, i64, i64)> {
        c.points
            .iter()
            .map(|p| (p.day, p.at_risk, p.enrolled_on_day))
            .collect()
    }

    /// Eight people observed for 10 days: enrollments on days 1, 2, 2 (a tie), 4, 5
    /// and 7; one censored on day 4 (the day of an enrollment: still at risk that
    /// day), one at the horizon.
    fn eight() -> Curve {
        let spells = [
            enrolled(2),
            censored(10),
            enrolled(1),
            enrolled(5),
            censored(4),
            enrolled(2),
            enrolled(7),
            enrolled(4),
        ];
        kaplan_meier(&spells, 10)
    }

    #[test]
    fn kaplan_meier_of_eight_people_by_hand() {
        // day n d  S                     Greenwood Σ d/(n(n−d))
        //  1  8 1  7/8          = 0.875  1/56            = 0.017857
        //  2  7 2  0.875·5/7    = 0.625  + 2/35          = 0.075
        //  4  5 1  0.625·4/5    = 0.5    + 1/20          = 0.125
        //  5  3 1  0.5·2/3      = 1/3    + 1/6           = 0.291667
        //  7  2 1  (1/3)·1/2    = 1/6    + 1/2           = 0.791667
        // Day 4: at risk are the enrollments on 4, 5, 7 and the censored on 4 and 10.
        let c = eight();
        let want = [(1, 8, 1), (2, 7, 2), (4, 5, 1), (5, 3, 1), (7, 2, 1)];
        assert_eq!(table(&c), want);
        let s: Vec<f64> = c.points.iter().map(|p| p.survival).collect();
        for (got, want) in s.iter().zip([0.875, 0.625, 0.5, 1.0 / 3.0, 1.0 / 6.0]) {
            assert!(close(*got, want), "{s:?}");
        }
        // Bands, e.g. day 1: V = 0.017857 / ln(0.875)² = 0.017857 / 0.017831 = 1.001487;
        // e = exp(1.959964·√V) = 7.109419; low = 1 − 0.875^(1/e) = 0.018607,
        // high = 1 − 0.875^e = 0.613000.
        // Day 4: V = 0.125 / ln(0.5)² = 0.260171; e = exp(1.959964·0.510070) = 2.717516;
        // low = 1 − 0.5^(1/2.717516) = 0.225135, high = 1 − 0.5^2.717516 = 0.847964.
        let want = [
            (0.125, 0.018_607, 0.613_000),
            (0.375, 0.139_302, 0.770_667),
            (0.5, 0.225_135, 0.847_964),
            (2.0 / 3.0, 0.342_418, 0.943_824),
            (5.0 / 6.0, 0.491_860, 0.991_280),
        ];
        for (p, (share, low, high)) in c.points.iter().zip(want) {
            assert!(close(p.share_enrolled, share), "{p:?}");
            assert!(close(p.low.unwrap(), low), "{p:?}");
            assert!(close(p.high.unwrap(), high), "{p:?}");
        }
        // S(4) = 0.5: the median is the first day with S ≤ 0.5, day 4 (not day 5,
        // the first with S < 0.5).
        assert_eq!(c.median_days_to_enroll(), Some(4));
        // Between event days S holds: day 3 is still 0.625; day 10 is 1/6.
        assert!(close(c.share_by_day(3).unwrap(), 0.375));
        assert!(close(c.share_by_day(10).unwrap(), 5.0 / 6.0));
        assert_eq!(c.share_by_day(0), Some(0.0));
        // The wave has not run 11 days.
        assert_eq!(c.share_by_day(11), None);
        assert_eq!(c.people, 8);
    }

    #[test]
    fn no_band_where_everyone_at_risk_enrolled() {
        // Day 0: 3 at risk, 1 enrolls (S = 2/3); day 2: the 2 left both enroll (S = 0).
        let c = kaplan_meier(&[enrolled(0), enrolled(2), enrolled(2)], 5);
        assert!(c.points[0].low.is_some());
        let last = c.points[1];
        assert_eq!((last.at_risk, last.enrolled_on_day), (2, 2));
        assert_eq!(last.share_enrolled, 1.0);
        assert_eq!((last.low, last.high), (None, None));
        assert_eq!(c.median_days_to_enroll(), Some(2));
    }

    #[test]
    fn nobody_enrolled_gives_no_points_and_no_median() {
        let c = kaplan_meier(&[censored(9), censored(9)], 9);
        assert!(c.points.is_empty());
        assert_eq!(c.median_days_to_enroll(), None);
        assert_eq!(c.share_by_day(7), Some(0.0));
        let empty = kaplan_meier(&[], -3);
        assert_eq!(empty.share_by_day(0), None);
    }

    #[test]
    fn late_entry_joins_the_risk_set_on_its_day() {
        // Two from the start enroll on days 1 and 6; one joins the roster on day 3
        // and is censored at 8. Day 1: n = 2 (the joiner is not yet there), S = 1/2.
        // Day 6: n = 2 (the second starter and the joiner), S = 1/2 · 1/2 = 1/4.
        let c = kaplan_meier(&[enrolled(1), enrolled(6), late(3, 8, false)], 8);
        assert_eq!(table(&c), [(1, 2, 1), (6, 2, 1)]);
        assert_eq!((c.survival_at(1), c.survival_at(6)), (0.5, 0.25));
    }

    #[test]
    fn inconsistent_spells_are_made_consistent() {
        // An enrollment after the horizon was not seen by D: censored at 5. One
        // before entry counts on the entry day; an entry after the horizon never
        // counts; an entry before the start counts from 0.
        let spells = [
            enrolled(9),
            late(2, 1, true),
            late(7, 7, true),
            late(-4, 3, true),
        ];
        // Day 2: the three kept are at risk, one enrolls; day 3: two, one enrolls.
        assert_eq!(table(&kaplan_meier(&spells, 5)), [(2, 3, 1), (3, 2, 1)]);
    }

    /// A curve of `n` people: one enrollment on each of `days` (a day given twice is
    /// a tie), the rest censored at `horizon`.
    fn curve(n: i64, days: &[i64], horizon: i64) -> Curve {
        let mut spells: Vec<Spell> = days.iter().map(|&d| enrolled(d)).collect();
        let rest = n - spells.len() as i64;
        spells.extend((0..rest).map(|_| censored(horizon)));
        kaplan_meier(&spells, horizon)
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The wave forecast: started 2026-10-19, D − start = 10, 4 of 10 enrolled by
    /// then (days 2, 5, 5, 9): S(10) = 0.6.
    fn current() -> Curve {
        curve(10, &[2, 5, 5, 9], 10)
    }

    #[test]
    fn forecast_is_reached_when_the_share_is_already_there() {
        // 1 − S(10) = 0.4 ≥ 0.4.
        let c = current();
        let now = Dated {
            start: day("2026-10-19"),
            curve: &c,
        };
        assert_eq!(forecast(now, &[], 0.4), Forecast::Reached);
        assert_eq!(forecast(now, &[], 0.9), Forecast::Unknown);
    }

    #[test]
    fn forecast_ranges_over_the_earlier_waves() {
        let c = current();
        let now = Dated {
            start: day("2026-10-19"),
            curve: &c,
        };
        // Wave A (started 42 days earlier, horizon 52): 10 people enrolling on days
        // 3, 6, 8, 10, 10 (S_A(10) = 0.5), then 15, 20, 25, 30, 35 (S_A = 0.4, 0.3,
        // 0.2, 0.1, 0). Projected S(t) = 0.6 · S_A(t) / 0.5: 0.48, 0.36, 0.24, 0.12, 0
        // on days 15 … 35; 1 − S ≥ 0.9 first on day 35.
        let a = curve(10, &[3, 6, 8, 10, 10, 15, 20, 25, 30, 35], 52);
        // Wave B (started 21 days earlier, horizon 31): 10 people, 1, 4, 7, 9 (S_B(10)
        // = 0.6), then 12, 14, 16, 18, 20 (S_B = 0.5 … 0.1), one never. Projected
        // S = 0.6 · S_B / 0.6 = S_B: ≤ 0.1 first on day 20.
        let b_first = [1, 4, 7, 9, 12, 14, 16, 18];
        let b = curve(10, &[&b_first[..], &[20]].concat(), 31);
        // Wave C started after this one: not a lesson. Wave D was observed only 10
        // days (not longer than t₀). Wave E: everyone enrolled by day 10 (S_E(10) = 0).
        // Wave F never reaches the share: no day.
        let c_later = curve(10, &[1; 9], 3);
        let d_short = curve(10, &[1; 5], 10);
        let e_done = curve(4, &[2; 4], 40);
        let f_slow = curve(10, &[1, 1, 20], 40);
        let dated = |s: &str, c| Dated {
            start: day(s),
            curve: c,
        };
        let earlier = [
            dated("2026-09-07", &a),
            dated("2026-09-28", &b),
            dated("2026-11-09", &c_later),
            dated("2026-10-09", &d_short),
            dated("2026-09-01", &e_done),
            dated("2026-09-02", &f_slow),
        ];
        // Days {35 (A), 20 (B)}: even, so the lower middle, 20 → 2026-11-08; low
        // 2026-11-08, high 2026-10-19 + 35 = 2026-11-23.
        let Forecast::Range(r) = forecast(now, &earlier, 0.9) else {
            panic!("a range")
        };
        assert_eq!(r.likely, day("2026-11-08"));
        assert_eq!((r.low, r.high), (day("2026-11-08"), day("2026-11-23")));
        assert_eq!(r.from, [0, 1]);
        // Only wave A: one day, 35.
        let Forecast::Range(r) = forecast(now, &earlier[..1], 0.9) else {
            panic!("a range")
        };
        assert_eq!(
            (r.likely, r.low, r.high),
            (day("2026-11-23"), day("2026-11-23"), day("2026-11-23"))
        );
        // Three waves: A (35), B (20) and a copy of B shifted to give day 25 → sorted
        // 20, 25, 35: the median is 25 → 2026-11-13.
        let b25 = curve(10, &[&b_first[..], &[25]].concat(), 31);
        let three = [earlier[0], earlier[1], dated("2026-09-14", &b25)];
        let Forecast::Range(r) = forecast(now, &three, 0.9) else {
            panic!("a range")
        };
        assert_eq!(r.likely, day("2026-11-13"));
        // No earlier wave that can teach: C, D, E and F alone.
        assert_eq!(forecast(now, &earlier[2..], 0.9), Forecast::Unknown);
    }

    proptest! {
        #[test]
        fn survival_falls_and_the_band_brackets_it(
            raw in proptest::collection::vec((0i64..6, 0i64..30, any::<bool>()), 0..60),
            horizon in 0i64..30,
        ) {
            let spells: Vec<Spell> = raw
                .iter()
                .map(|&(entry, exit, enrolled)| late(entry, exit, enrolled))
                .collect();
            let c = kaplan_meier(&spells, horizon);
            let mut last = 1.0;
            for p in &c.points {
                prop_assert!(p.survival <= last + 1e-12);
                prop_assert!((0.0..=1.0).contains(&p.survival));
                prop_assert!(p.enrolled_on_day >= 1 && p.enrolled_on_day <= p.at_risk);
                prop_assert!(p.day <= horizon);
                last = p.survival;
                if let (Some(lo), Some(hi)) = (p.low, p.high) {
                    prop_assert!(0.0 <= lo && lo <= p.share_enrolled + 1e-12);
                    prop_assert!(p.share_enrolled <= hi + 1e-12 && hi <= 1.0);
                } else {
                    prop_assert!(p.survival == 0.0 || p.survival == 1.0);
                }
            }
            let days: Vec<i64> = c.points.iter().map(|p| p.day).collect();
            prop_assert!(days.windows(2).all(|w| w[0] < w[1]));
        }
    }
}

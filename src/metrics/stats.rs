//! The arithmetic of docs/metrics.md that is not counting: Wilson intervals, the
//! two-proportion z-test, target curves, statuses, forecasts.
//!
//! Comparisons that decide a status or a count of people use a tolerance of 1e-9, so
//! that `0.7 × 10` is 7 people (not 8, as `ceil(7.000000000000001)` would say) and a
//! gap of exactly the margin is `at_risk`, as the hand-worked arithmetic says.

use chrono::NaiveDate;

/// z for a two-sided 95 % interval (docs/metrics.md, "Arithmetic").
pub const Z95: f64 = 1.959964;

/// Tolerance for float comparisons that decide statuses and people counts.
pub const EPS: f64 = 1e-9;

/// `ceil(x)` that treats values within [`EPS`] above an integer as that integer.
pub fn ceil_people(x: f64) -> i64 {
    (x - EPS).ceil() as i64
}

/// `k / n`, or `None` when `n` is 0.
pub fn rate(k: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| k as f64 / n as f64)
}

/// The Wilson score interval of `k` successes in `n` trials at z = [`Z95`];
/// `None` when `n` is 0. Always within 0..1 and around `k / n`.
pub fn wilson(k: i64, n: i64) -> Option<(f64, f64)> {
    if n <= 0 {
        return None;
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

/// The two-sided p-value of the pooled two-proportion z-test of `k1/n1` against
/// `k2/n2`; `None` when a group is empty or the pooled rate is 0 or 1 (no variance).
pub fn two_proportion_p(k1: i64, n1: i64, k2: i64, n2: i64) -> Option<f64> {
    if n1 <= 0 || n2 <= 0 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let pooled = (k1 + k2) as f64 / (n1f + n2f);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return None;
    }
    let z = (k1 as f64 / n1f - k2 as f64 / n2f) / se;
    Some((2.0 * normal_sf(z.abs())).min(1.0))
}

/// The standard normal's upper tail, P(Z > x), through libm's `erfc` (full double
/// precision, also far in the tail).
fn normal_sf(x: f64) -> f64 {
    0.5 * libm::erfc(x / std::f64::consts::SQRT_2)
}

/// The target share at `t` days since the wave's start: linear between the curve's
/// points, `(0, 0)` implied when the curve does not start at day 0, constant after
/// the last point, 0 before the start.
pub fn target_at(curve: &[(i64, f64)], t: i64) -> f64 {
    if t < 0 {
        return 0.0;
    }
    let mut prev = (0i64, 0.0f64);
    for &(day, share) in curve {
        if t <= day {
            if day == prev.0 {
                return share;
            }
            let f = (t - prev.0) as f64 / (day - prev.0) as f64;
            return prev.1 + f * (share - prev.1);
        }
        prev = (day, share);
    }
    prev.1
}

/// A group's standing against its target (docs/metrics.md, `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// The wave has not started (t < 0).
    NotStarted,
    /// At or above target.
    OnTrack,
    /// Under target by at most the at-risk margin.
    AtRisk,
    /// Further under target.
    Behind,
    /// Too few people to show (docs/privacy.md).
    Suppressed,
}

impl Status {
    /// The status as the tables write it.
    pub fn name(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::Behind => "behind",
            Status::Suppressed => "suppressed",
        }
    }

    /// The status of a gap (rate − target) once the wave has started.
    pub fn of_gap(gap: f64, margin: f64) -> Status {
        if gap >= -EPS {
            Status::OnTrack
        } else if gap >= -margin - EPS {
            Status::AtRisk
        } else {
            Status::Behind
        }
    }
}

/// The day the final target is reached at the last 14 days' pace (docs/metrics.md,
/// `projected_target_date`): `Some("reached")`, a date, or `None` when the pace is 0.
pub fn projected_target_date(
    as_of: NaiveDate,
    final_share: f64,
    eligible: i64,
    enrolled: i64,
    enrolled_14d_ago: i64,
) -> Option<String> {
    let need = ceil_people(final_share * eligible as f64);
    if enrolled >= need {
        return Some("reached".to_string());
    }
    let pace = (enrolled - enrolled_14d_ago) as f64 / 14.0;
    if pace <= 0.0 {
        return None;
    }
    let days = ceil_people((need - enrolled) as f64 / pace);
    as_of
        .checked_add_days(chrono::Days::new(days as u64))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// The 95 % t interval of a mean (docs/metrics.md, `mean_score`): mean ± t(0.975,
/// n − 1) × s / √n, with s the sample standard deviation; `None` with fewer than two
/// values (no spread to measure).
pub fn t_interval(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let half = t_quantile_975(nf - 1.0) * (var / nf).sqrt();
    Some((mean - half, mean + half))
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom: the `t` at which
/// P(T ≤ t) = 0.975, found by bisection on the distribution function (exact to
/// 1e-12; df = 3 gives 3.182446, df = 19 gives 2.093024).
pub fn t_quantile_975(df: f64) -> f64 {
    // P(T > t) = I_{df/(df+t²)}(df/2, 1/2) / 2: the upper tail is 0.025 where the
    // regularised incomplete beta is 0.05. It falls as t grows.
    let tail = |t: f64| 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    let (mut lo, mut hi) = (0.0f64, 1.0e4f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > 0.025 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The regularised incomplete beta function I_x(a, b), by its continued fraction
/// (modified Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the
/// fraction converges slowly.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front =
        libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta function (Numerical Recipes'
/// `betacf`).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    // Keeps a denominator off zero, as the modified Lentz method asks.
    let off_zero = |v: f64| if v.abs() < 1e-300 { 1e-300 } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / off_zero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // The fraction's even and odd terms, each one Lentz step.
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        let mut del = 1.0;
        for aa in [even, odd] {
            d = 1.0 / off_zero(1.0 + aa * d);
            c = off_zero(1.0 + aa / c);
            del = d * c;
            h *= del;
        }
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn wilson_matches_hand_arithmetic() {
        // k=3, n=5: p=0.6, z²=3.841459; denom=1+z²/5=1.768292;
        // center=(0.6+z²/10)/denom=0.984146/1.768292=0.556552;
        // half=z*sqrt(0.24/5+z²/100)/denom=1.959964*0.293965/1.768292=0.325828
        // -> (0.230724, 0.882379)
        let (lo, hi) = wilson(3, 5).unwrap();
        assert!(close(lo, 0.230_724), "{lo}");
        assert!(close(hi, 0.882_379), "{hi}");
        let (lo, hi) = wilson(0, 10).unwrap();
        assert_eq!(lo, 0.0);
        // k=0: center = half = (z²/20)/(1+z²/10) = 0.192073/1.384146 = 0.138766
        assert!(close(hi, 0.277_533), "{hi}");
        assert_eq!(wilson(1, 0), None);
        let (lo, hi) = wilson(10, 10).unwrap();
        assert!(close(lo, 0.722_467) && close(hi, 1.0));
    }

    #[test]
    fn z_test_p_values() {
        // 60/100 vs 40/100: pooled 0.5, se=sqrt(0.25*0.02)=0.070711, z=2.828427, p=0.004678
        assert!(close(
            two_proportion_p(60, 100, 40, 100).unwrap(),
            0.004_678
        ));
        assert!(close(two_proportion_p(5, 10, 5, 10).unwrap(), 1.0));
        assert_eq!(two_proportion_p(0, 10, 0, 5), None);
        assert_eq!(two_proportion_p(1, 0, 0, 5), None);
    }

    #[test]
    fn target_curve_interpolates_with_implied_origin() {
        let c = [(14, 0.5), (28, 0.8), (42, 0.95)];
        assert_eq!(target_at(&c, -1), 0.0);
        assert_eq!(target_at(&c, 0), 0.0);
        assert!(close(target_at(&c, 7), 0.25));
        assert!(close(target_at(&c, 21), 0.65));
        assert!(close(target_at(&c, 42), 0.95));
        assert!(close(target_at(&c, 100), 0.95));
        let c = [(0, 0.1), (10, 0.6)];
        assert!(close(target_at(&c, 0), 0.1));
        assert!(close(target_at(&c, 5), 0.35));
    }

    #[test]
    fn statuses_at_the_edges() {
        assert_eq!(Status::of_gap(0.0, 0.1), Status::OnTrack);
        // 0.7 - 0.8 = -0.10000000000000009 is exactly the margin: at risk.
        assert_eq!(Status::of_gap(0.7 - 0.8, 0.1), Status::AtRisk);
        assert_eq!(Status::of_gap(-0.1001, 0.1), Status::Behind);
    }

    #[test]
    fn people_counts_do_not_suffer_float_noise() {
        assert_eq!(ceil_people(0.7 * 10.0), 7);
        assert_eq!(ceil_people(0.95 * 21.0), 20);
        assert_eq!(ceil_people(0.0), 0);
    }

    proptest::proptest! {
        #[test]
        fn wilson_brackets_the_rate(n in 1i64..100_000, k_frac in 0.0f64..=1.0) {
            let k = ((n as f64) * k_frac).floor() as i64;
            let (lo, hi) = wilson(k, n).unwrap();
            let p = k as f64 / n as f64;
            proptest::prop_assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
            proptest::prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12);
        }

        #[test]
        fn targets_stay_between_the_curve_points(t in -50i64..400) {
            let c = [(14, 0.5), (28, 0.8), (42, 0.95)];
            let v = target_at(&c, t);
            proptest::prop_assert!((0.0..=0.95).contains(&v));
            proptest::prop_assert!(target_at(&c, t + 1) >= v);
        }

        #[test]
        fn p_values_are_probabilities(k1 in 0i64..50, n1 in 50i64..100, k2 in 0i64..50, n2 in 50i64..100) {
            if let Some(p) = two_proportion_p(k1, n1, k2, n2) {
                proptest::prop_assert!((0.0..=1.0).contains(&p));
            }
        }
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        // Student's t, two-sided 95 %: df 1 -> 12.706205, 3 -> 3.182446,
        // 19 -> 2.093024, 100 -> 1.983972; large df tends to z.
        for (df, t) in [
            (1.0, 12.706_205),
            (3.0, 3.182_446),
            (19.0, 2.093_024),
            (100.0, 1.983_972),
        ] {
            let got = t_quantile_975(df);
            assert!(close(got, t), "df {df}: {got}");
        }
        assert!((t_quantile_975(1e6) - Z95).abs() < 1e-4);
        // 4, 5, 3, 2: mean 3.5, s² = (0.25+2.25+0.25+2.25)/3 = 5/3, s/√4 = 0.645497;
        // half = 3.182446 × 0.645497 = 2.054260 -> (1.445740, 5.554260).
        let (lo, hi) = t_interval(&[4.0, 5.0, 3.0, 2.0]).unwrap();
        assert!(close(lo, 1.445_740) && close(hi, 5.554_260), "{lo} {hi}");
        assert_eq!(t_interval(&[4.0]), None);
    }

    #[test]
    fn forecast() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        // need = ceil(0.95*100)=95; pace=(50-36)/14=1/day; 45 days -> 2027-01-04
        assert_eq!(
            projected_target_date(d, 0.95, 100, 50, 36).as_deref(),
            Some("2027-01-04")
        );
        assert_eq!(
            projected_target_date(d, 0.95, 100, 95, 80).as_deref(),
            Some("reached")
        );
        assert_eq!(projected_target_date(d, 0.95, 100, 50, 50), None);
    }
}

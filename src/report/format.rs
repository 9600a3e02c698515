//! Every way a figure is written for a reader: shares as percentages, changes in
//! points, counts with thousands separators, hours with one decimal, status words,
//! plurals. The view, the charts and the templates' filters all call these, so a
//! figure reads the same on the page, in the charts and in the digests.

use crate::metrics::Status;

/// The mark of a figure that is empty (no denominator, not shown).
pub const EMPTY: &str = "–";

/// A share as a reader reads it: `71.5 %` (one decimal; `–` when empty).
pub fn pct(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{:.1} %", 100.0 * r),
        _ => EMPTY.to_string(),
    }
}

/// A change of share in percentage points, signed: `+2.3 pts`, `−0.4 pts`.
pub fn points(delta: Option<f64>) -> String {
    match delta {
        Some(d) if d.is_finite() => {
            let p = 100.0 * d;
            // Round first so that a tiny negative change does not print as "−0.0".
            let rounded = (p * 10.0).round() / 10.0;
            if rounded > 0.0 {
                format!("+{rounded:.1} pts")
            } else if rounded < 0.0 {
                format!("\u{2212}{:.1} pts", -rounded)
            } else {
                "±0.0 pts".to_string()
            }
        }
        _ => EMPTY.to_string(),
    }
}

/// An integer with thousands separators: `12,345`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("\u{2212}{out}")
    } else {
        out
    }
}

/// A count that may be empty: `12,345` or `–`.
pub fn count(n: Option<i64>) -> String {
    n.map_or_else(|| EMPTY.to_string(), thousands)
}

/// A number with one decimal, or `–`.
pub fn one_decimal(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.1}"),
        _ => EMPTY.to_string(),
    }
}

/// A p-value as a reader can take it: `< 0.001`, `0.042`, or `–`.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".to_string(),
        Some(p) => format!("{p:.3}"),
        None => EMPTY.to_string(),
    }
}

/// How a status reads, everywhere a reader sees it.
pub fn status_words(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "not started",
        Status::OnTrack => "on track",
        Status::AtRisk => "at risk",
        Status::Behind => "behind",
        Status::Suppressed => "too small to show",
    }
}

/// `n` followed by the noun in the number it takes: `1 campaign`, `3 campaigns`,
/// `1 person`, `2 people` (thousands separated).
pub fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percent_with_one_decimal() {
        assert_eq!(pct(Some(0.715)), "71.5 %");
        assert_eq!(pct(Some(1.0)), "100.0 %");
        assert_eq!(pct(None), "–");
        assert_eq!(pct(Some(f64::NAN)), "–");
    }

    #[test]
    fn changes_read_as_signed_points() {
        assert_eq!(points(Some(0.023)), "+2.3 pts");
        assert_eq!(points(Some(-0.004)), "\u{2212}0.4 pts");
        assert_eq!(points(Some(-0.0001)), "±0.0 pts");
        assert_eq!(points(None), "–");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-4200), "\u{2212}4,200");
    }

    #[test]
    fn plurals_agree_with_their_number() {
        assert_eq!(plural(1, "campaign", "campaigns"), "1 campaign");
        assert_eq!(plural(0, "campaign", "campaigns"), "0 campaigns");
        assert_eq!(plural(1200, "person", "people"), "1,200 people");
    }

    #[test]
    fn p_values_read_plainly() {
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(p_value(Some(0.04213)), "0.042");
        assert_eq!(p_value(None), "–");
    }
}

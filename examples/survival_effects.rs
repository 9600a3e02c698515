//! Prints uptake's time-to-enroll curves, medians, shares by day, forecasts and
//! effects of a rollout, one figure a line, in the format of
//! `benches/check_survival_effects.py`, so that the two can be compared with `diff`:
//!
//! ```text
//! cargo run --release --example survival_effects -- ROLLOUT/uptake.toml > rust.txt
//! python3 benches/check_survival_effects.py ROLLOUT > python.txt
//! diff rust.txt python.txt
//! ```
//!
//! Figures are of each unsuppressed wave's whole cohort (`(all)`, before privacy
//! blanking), as of the config's as-of day (else the latest event's day).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use uptake::metrics::effects::{cohort, effects};
use uptake::metrics::survival::{forecast, kaplan_meier, wave_spells, Curve, Dated, Forecast};
use uptake::progress::Progress;

fn num(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.9}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(config) = std::env::args_os().nth(1).map(PathBuf::from) else {
        return Err("usage: survival_effects CONFIG".into());
    };
    let (cfg, data) = uptake::load(Some(&config), None, &Progress::hidden())?;
    let (as_of, _) = uptake::resolve_as_of(None, &cfg, &data)?;
    let tz = cfg.timezone;
    let c = cohort(&cfg, &data, as_of).expect("the cohort");
    let waves = &c.waves;
    let mut out = String::new();
    let mut curves: Vec<(usize, Curve)> = Vec::new();
    for w in waves {
        let name = &cfg.waves[w.wave].name;
        let (spells, horizon) = wave_spells(tz, as_of, w);
        let c = kaplan_meier(&spells, horizon);
        for p in &c.points {
            writeln!(
                out,
                "km\t{name}\t{}\t{}\t{}\t{:.9}\t{}\t{}",
                p.day,
                p.at_risk,
                p.enrolled_on_day,
                p.share_enrolled,
                num(p.low),
                num(p.high)
            )?;
        }
        let median = c.median_days_to_enroll();
        let median = median.map_or("-".to_string(), |d| d.to_string());
        writeln!(out, "median\t{name}\t{median}")?;
        for t in [14, 28, 42] {
            writeln!(out, "share_by_day\t{name}\t{t}\t{}", num(c.share_by_day(t)))?;
        }
        curves.push((w.wave, c));
    }
    let dated: Vec<Dated> = curves
        .iter()
        .map(|(i, c)| Dated {
            start: cfg.waves[*i].start,
            curve: c,
        })
        .collect();
    for (k, (wave, _)) in curves.iter().enumerate() {
        let w = &cfg.waves[*wave];
        // Every wave may be passed: the forecast learns only from those that started
        // earlier.
        let f = forecast(dated[k], &dated, w.final_share());
        let text = match f {
            Forecast::Reached => "reached".to_string(),
            Forecast::Range(r) => format!("{}\t{}\t{}", r.likely, r.low, r.high),
            Forecast::Unknown => "-".to_string(),
        };
        writeln!(out, "forecast\t{}\t{text}", w.name)?;
    }
    for e in effects(tz, as_of, &c.factors, waves) {
        let wave = e.wave.map_or("(all)", |i| cfg.waves[i].name.as_str());
        let est = e.estimate;
        writeln!(
            out,
            "effect\t{wave}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            e.factor.name(),
            num(est.risk_ratio),
            num(est.interval.map(|i| i.0)),
            num(est.interval.map(|i| i.1)),
            est.strata,
            est.exposed_person_weeks,
            est.unexposed_person_weeks
        )?;
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

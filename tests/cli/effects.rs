//! Time to enroll and effects checked against truth (issue 19): rollouts generated
//! with a planted weekly risk ratio of enrolling once trained, read back through
//! ingest, must give Mantel–Haenszel intervals that cover it; a planted keenness must
//! show up as bias in the naive `lift`; and an independent implementation
//! (benches/check_survival_effects.py, plain Python) must find the same figures.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use uptake::config::Config;
use uptake::dataset::Dataset;
use uptake::generate::{generate_planted, GenerateOptions, Planted};
use uptake::metrics::effects::{cohort, effects, Estimate};
use uptake::metrics::lift::Factor;
use uptake::metrics::survival::{forecast, kaplan_meier, wave_spells, Curve, Dated, Forecast};
use uptake::progress::Progress;

use crate::util::uptake;

/// Small rollouts: 1500 people in 4 waves (the fourth has run one week by D).
const USERS: usize = 1500;
const PLANTED_TRAINED: f64 = 2.0;
/// Keenness strong enough that the people who train are clearly keener.
const SELECTION: f64 = 1.0;

/// Generates a rollout into a temp folder and reads it back as `uptake run` would.
fn rollout(seed: u64, planted: Planted) -> (Config, Dataset, NaiveDate) {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = GenerateOptions {
        users: USERS,
        seed,
        out: dir.path().to_path_buf(),
    };
    generate_planted(&opts, &planted).expect("generated");
    let (cfg, data) = uptake::load(
        Some(&dir.path().join("uptake.toml")),
        None,
        &Progress::hidden(),
    )
    .expect("read");
    let (as_of, _) = uptake::resolve_as_of(None, &cfg, &data).expect("as of");
    (cfg, data, as_of)
}

fn trained(selection: Option<f64>) -> Planted {
    Planted {
        trained: Some(PLANTED_TRAINED),
        selection,
        ..Planted::default()
    }
}

/// The `(all)` row of `effects` for `trained`: every wave's strata pooled.
fn pooled_trained(cfg: &Config, data: &Dataset, as_of: NaiveDate) -> Estimate {
    let waves = cohort(cfg, data, as_of).expect("the cohort");
    effects(cfg.timezone, as_of, &waves)
        .into_iter()
        .find(|e| e.wave.is_none() && e.factor == Factor::Trained)
        .expect("a pooled trained row")
        .estimate
}

/// The naive lift of the report's `lift` table, overall: the enrolled rate of the
/// trained over that of the others.
fn naive_trained_ratio(cfg: &Config, data: &Dataset, as_of: NaiveDate) -> f64 {
    let tables = uptake::metrics::compute(cfg, data, as_of).expect("tables");
    let row = tables
        .lift
        .iter()
        .find(|r| r.wave == "(all)" && r.factor == Factor::Trained)
        .expect("an overall lift row");
    row.with.rate.expect("a rate with") / row.without.rate.expect("a rate without")
}

#[test]
fn the_interval_covers_the_planted_training_effect_in_at_least_17_of_20_seeds() {
    let mut covered = 0;
    let mut seen = Vec::new();
    for seed in 1..=20 {
        let (cfg, data, as_of) = rollout(seed, trained(None));
        let e = pooled_trained(&cfg, &data, as_of);
        let (lo, hi) = e.interval.expect("an interval");
        // Every complete week of waves 1-3 after the first training (9 + 6 + 3).
        assert_eq!(e.strata, 18, "seed {seed}");
        if (lo..=hi).contains(&PLANTED_TRAINED) {
            covered += 1;
        }
        seen.push((seed, e.risk_ratio.expect("a ratio"), lo, hi));
    }
    // A 95 % interval misses now and then; 17 of 20 is what the issue asks. The
    // estimates also centre on the truth: their geometric mean is within 10 %.
    assert!(covered >= 17, "covered in {covered} of 20: {seen:?}");
    let mean_log = seen.iter().map(|s| s.1.ln()).sum::<f64>() / seen.len() as f64;
    assert!(
        (mean_log.exp() / PLANTED_TRAINED - 1.0).abs() < 0.10,
        "geometric mean {}: {seen:?}",
        mean_log.exp()
    );
}

#[test]
fn planted_keenness_inflates_the_naive_lift_and_the_stratified_estimate_alike() {
    // The same planted effect with and without keenness: what the naive lift reads
    // off the planted effect alone, and what it reads when keener people also train.
    let (mut inflated, mut ratio_without, mut ratio_with, mut mh_above) = (0, 0.0, 0.0, 0);
    let mut seen = Vec::new();
    for seed in 1..=20 {
        let (cfg, data, as_of) = rollout(seed, trained(None));
        let honest = naive_trained_ratio(&cfg, &data, as_of);
        let (cfg, data, as_of) = rollout(seed, trained(Some(SELECTION)));
        let keen = naive_trained_ratio(&cfg, &data, as_of);
        let mh = pooled_trained(&cfg, &data, as_of);
        if keen > honest {
            inflated += 1;
        }
        // Stratifying by wave and week does not remove keenness: the design controls
        // for time in the rollout only, as the report says.
        if mh.interval.is_some_and(|(lo, _)| lo > PLANTED_TRAINED) {
            mh_above += 1;
        }
        ratio_without += honest / 20.0;
        ratio_with += keen / 20.0;
        seen.push((seed, honest, keen, mh.risk_ratio));
    }
    assert!(
        inflated >= 18,
        "naive lift inflated in {inflated} of 20: {seen:?}"
    );
    assert!(
        ratio_with > 1.3 * ratio_without,
        "mean naive ratio {ratio_with} with keenness, {ratio_without} without: {seen:?}"
    );
    assert!(
        mh_above >= 15,
        "stratified interval above the truth in {mh_above} of 20: {seen:?}"
    );
}

/// The figures of benches/check_survival_effects.py, by key.
fn python_figures(rollout: &Path) -> BTreeMap<String, Vec<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/check_survival_effects.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(rollout)
        .output()
        .expect("python3 runs (the machine has CPython 3.11)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut figures = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<String> = line.split('\t').map(str::to_string).collect();
        let key_len = match f[0].as_str() {
            "km" | "share_by_day" | "effect" => 3,
            _ => 2,
        };
        let key = f[..key_len].join("|");
        assert!(
            figures.insert(key, f[key_len..].to_vec()).is_none(),
            "{line}"
        );
    }
    figures
}

fn same(key: &str, python: &str, rust: Option<f64>) {
    match (python, rust) {
        ("-", None) => {}
        (p, Some(r)) => {
            let p: f64 = p.parse().unwrap_or_else(|_| panic!("{key}: `{p}`"));
            assert!((p - r).abs() < 1e-8, "{key}: python {p}, uptake {r}");
        }
        (p, None) => panic!("{key}: python {p}, uptake empty"),
    }
}

#[test]
fn an_independent_python_implementation_finds_the_same_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = GenerateOptions {
        users: 800,
        seed: 77,
        out: dir.path().to_path_buf(),
    };
    let planted = Planted {
        trained: Some(2.0),
        opened: Some(1.3),
        selection: Some(0.5),
    };
    generate_planted(&opts, &planted).expect("generated");
    let mut python = python_figures(dir.path());
    let (cfg, data) = uptake::load(
        Some(&dir.path().join("uptake.toml")),
        None,
        &Progress::hidden(),
    )
    .expect("read");
    let (as_of, _) = uptake::resolve_as_of(None, &cfg, &data).expect("as of");
    let waves = cohort(&cfg, &data, as_of).expect("the cohort");
    let mut take = |key: String| {
        python
            .remove(&key)
            .unwrap_or_else(|| panic!("python has no {key}"))
    };

    let mut curves: Vec<(NaiveDate, Curve)> = Vec::new();
    for w in &waves {
        let name = &cfg.waves[w.wave].name;
        let (spells, horizon) = wave_spells(cfg.timezone, as_of, w);
        let c = kaplan_meier(&spells, horizon);
        for p in &c.points {
            let key = format!("km|{name}|{}", p.day);
            let v = take(key.clone());
            assert_eq!(
                v[..2],
                [p.at_risk.to_string(), p.enrolled_on_day.to_string()],
                "{key}"
            );
            same(&key, &v[2], Some(p.share_enrolled));
            same(&key, &v[3], p.low);
            same(&key, &v[4], p.high);
        }
        let median = c
            .median_days_to_enroll()
            .map_or("-".into(), |d| d.to_string());
        assert_eq!(take(format!("median|{name}")), [median], "{name}");
        for t in [14, 28, 42] {
            let key = format!("share_by_day|{name}|{t}");
            same(&key, &take(key.clone())[0], c.share_by_day(t));
        }
        curves.push((w.start, c));
    }
    let dated: Vec<Dated> = curves
        .iter()
        .map(|(start, curve)| Dated {
            start: *start,
            curve,
        })
        .collect();
    for (k, w) in waves.iter().enumerate() {
        let name = &cfg.waves[w.wave].name;
        let got = match forecast(dated[k], &dated, cfg.waves[w.wave].final_share()) {
            Forecast::Reached => vec!["reached".to_string()],
            Forecast::Range(r) => [r.likely, r.low, r.high]
                .iter()
                .map(ToString::to_string)
                .collect(),
            Forecast::Unknown => vec!["-".to_string()],
        };
        assert_eq!(take(format!("forecast|{name}")), got, "{name}");
    }
    for e in effects(cfg.timezone, as_of, &waves) {
        let wave = e.wave.map_or("(all)", |i| cfg.waves[i].name.as_str());
        let key = format!("effect|{wave}|{}", e.factor.name());
        let v = take(key.clone());
        let est = e.estimate;
        same(&key, &v[0], est.risk_ratio);
        same(&key, &v[1], est.interval.map(|i| i.0));
        same(&key, &v[2], est.interval.map(|i| i.1));
        let counts = [
            est.strata,
            est.exposed_person_weeks,
            est.unexposed_person_weeks,
        ];
        assert_eq!(v[3..], counts.map(|c| c.to_string()), "{key}");
    }
    assert!(python.is_empty(), "python has more figures: {python:?}");
}

#[test]
fn generate_plants_effects_only_when_asked_and_refuses_a_factor_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain");
    let planted = dir.path().join("planted");
    uptake()
        .args(["generate", "--users", "300", "--seed", "5", "--out"])
        .arg(&plain)
        .assert()
        .success();
    let out = uptake()
        .args([
            "generate",
            "--users",
            "300",
            "--seed",
            "5",
            "--effect",
            "trained=2.0",
        ])
        .args(["--effect", "opened=1.3", "--selection", "0.5", "--out"])
        .arg(&planted)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains(
            "planted weekly risk ratios of enrolling: trained 2, opened 1.3; selection 0.5"
        ),
        "{stdout}"
    );
    let toml = std::fs::read_to_string(planted.join("uptake.toml")).expect("config");
    assert!(toml.contains("trained = 2.0, opened = 1.3") && toml.contains("(selection): 0.5"));
    let plain_toml = std::fs::read_to_string(plain.join("uptake.toml")).expect("config");
    assert!(!plain_toml.contains("Planted"));
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).expect("written");
    assert_ne!(
        read(&plain, "enrollments.csv"),
        read(&planted, "enrollments.csv")
    );

    let out = uptake()
        .args([
            "generate",
            "--users",
            "10",
            "--effect",
            "trained=2",
            "--effect",
        ])
        .args(["trained=3", "--out"])
        .arg(dir.path().join("twice"))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("--effect trained is given twice"),
        "{stderr}"
    );
    assert!(!dir.path().join("twice").exists());
}

/// A self-paced completion trains (docs/metrics.md, "trained"), so it is when a person
/// became exposed to training in `effects`: p2 of the channels fixture trained only by
/// completing the course on 2026-11-10 15:00 UTC (no attended session). Before, the
/// exposure came from attended minutes alone and p2 was never exposed.
#[test]
fn a_completion_is_the_moment_of_training_in_effects() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/channels/uptake.toml");
    let (cfg, data) = uptake::load(Some(&config), None, &Progress::hidden()).expect("read");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let cohort = cohort(&cfg, &data, as_of).expect("cohort");
    let p2 = data
        .roster
        .user_id
        .iter()
        .position(|id| id == "p2@example.com")
        .expect("p2 on the roster") as u32;
    let person = cohort
        .iter()
        .flat_map(|w| &w.people)
        .find(|p| p.pid == p2)
        .expect("p2 in the cohort");
    let completed = chrono::NaiveDate::from_ymd_opt(2026, 11, 10)
        .unwrap()
        .and_hms_opt(15, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    assert_eq!(person.trained, Some(completed));
}

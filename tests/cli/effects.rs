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
use uptake::generate::{generate_planted, generate_with, Features, GenerateOptions, Planted};
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
    let c = cohort(cfg, data, as_of).expect("the cohort");
    effects(cfg.timezone, as_of, &c.factors, &c.waves)
        .into_iter()
        .find(|e| e.wave.is_none() && e.factor.name() == "trained")
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
    same_as_python(dir.path());
}

/// With `--channels` (touchpoints, completions, a brown-bag method): the effects of
/// every method and channel as well, on two held-out seeds.
#[test]
fn an_independent_python_implementation_finds_the_same_effects_per_method_and_channel() {
    for seed in [78, 79] {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = GenerateOptions {
            users: 800,
            seed,
            out: dir.path().to_path_buf(),
        };
        let features = Features {
            channels: true,
            ..Features::default()
        };
        generate_with(&opts, &trained(None), &features).expect("generated");
        let factors = same_as_python(dir.path());
        for f in [
            "trained:brown bag",
            "trained:instructor-led",
            "trained:self-paced",
            "channel:intranet",
            "channel:meeting",
        ] {
            assert!(
                factors.iter().any(|g| g == f),
                "seed {seed}: {f} in {factors:?}"
            );
        }
    }
}

/// Every figure of the rollout in `dir` against benches/check_survival_effects.py;
/// hands back the factors of `effects`.
fn same_as_python(dir: &Path) -> Vec<String> {
    let mut python = python_figures(dir);
    let (cfg, data) =
        uptake::load(Some(&dir.join("uptake.toml")), None, &Progress::hidden()).expect("read");
    let (as_of, _) = uptake::resolve_as_of(None, &cfg, &data).expect("as of");
    let c = cohort(&cfg, &data, as_of).expect("the cohort");
    let waves = &c.waves;
    let mut take = |key: String| {
        python
            .remove(&key)
            .unwrap_or_else(|| panic!("python has no {key}"))
    };

    let mut curves: Vec<(NaiveDate, Curve)> = Vec::new();
    for w in waves {
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
    for e in effects(cfg.timezone, as_of, &c.factors, waves) {
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
    c.factors.iter().map(|f| f.name().into_owned()).collect()
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
    let (wave, i) = cohort
        .waves
        .iter()
        .find_map(|w| Some((w, w.people.iter().position(|p| p.pid == p2)?)))
        .expect("p2 in the cohort");
    let completed = chrono::NaiveDate::from_ymd_opt(2026, 11, 10)
        .unwrap()
        .and_hms_opt(15, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    // `trained` is the cohort's second factor.
    assert_eq!(cohort.factors[1].name(), "trained");
    assert_eq!(wave.exposure(i, 1), Some(completed));
}

/// The effects fixture (tests/fixtures/effects): one wave, W1, starting Monday
/// 2026-11-02 in UTC, D = Sunday 2026-11-22, so three complete weeks: w0 = 2–8 Nov,
/// w1 = 9–15 Nov, w2 = 16–22 Nov. Ops, u01…u12, all eligible. min_group_size 3,
/// training_min_minutes 30; one configured method, `brown bag` (brown-bag*), the
/// rest instructor-led; no completions, so no `self-paced`.
///
/// Enrolled: u12 in w0 (4 Nov); u01 u02 u05 u06 in w1; u03 u07 in w2; the rest never.
/// Exposures:
///   brown bag — u01 40 min on 3 Nov (30 reached 12:30), u02 30 min on 4 Nov, u03
///   20 min on 3 Nov + 15 min of another brown-bag session on 5 Nov (30 at 12:10),
///   u04 two overlapping stretches on 6 Nov, [12:00, 12:20] ∪ [12:10, 12:45] = 45 min
///   (30 at 12:30), u09 on 17 Nov (in w2: exposed from w3 on, which is past D).
///   instructor-led — u05, Basics 40 min on 4 Nov.
///   intranet — u05 3 Nov, u01 4 Nov (again 12 Nov: the first counts), u08 6 Nov
///   (written `Intranet`), u07 10 Nov (in w1: exposed from w2), u09 25 Nov (after D).
/// w0: nobody exposed before 2 Nov, so no stratum counts for any factor.
///
/// trained:brown bag —
///   w1, at risk u01…u11 (u12 enrolled in w0), N = 11: exposed u01–u04, n₁ = 4,
///   a = 2 (u01 u02); unexposed u05–u11, n₀ = 7, c = 2 (u05 u06).
///   w2, at risk u03 u04 u07…u11, N = 7: exposed u03 u04, n₁ = 2, a = 1 (u03);
///   unexposed u07…u11, n₀ = 5, c = 1 (u07).
///   Σ a·n₀/N = 14/11 + 5/7 = 153/77 = 1.987013; Σ c·n₁/N = 8/11 + 2/7 = 78/77 = 1.012987;
///   RR = 153/78 = 1.961538. Σ (n₁n₀(a+c) − acN)/N² = (112 − 44)/121 + (20 − 7)/49
///   = 0.561983 + 0.265306 = 0.827290; V = 0.827290 / (1.987013 · 1.012987) = 0.411011,
///   √V = 0.641101; exp(ln 1.961538 ∓ 1.959964 · 0.641101) = (0.558330, 6.891330).
///   Person-weeks 4 + 2 = 6 exposed, 7 + 5 = 12 unexposed; 2 strata.
/// channel:intranet —
///   w1, N = 11: exposed u01 u05 u08, n₁ = 3, a = 2 (u01 u05); unexposed u02 u03 u04
///   u06 u07 u09 u10 u11, n₀ = 8, c = 2 (u02 u06).
///   w2, N = 7: exposed u07 u08, n₁ = 2, a = 1 (u07); unexposed u03 u04 u09 u10 u11,
///   n₀ = 5, c = 1 (u03).
///   Σ a·n₀/N = 16/11 + 5/7 = 167/77 = 2.168831; Σ c·n₁/N = 6/11 + 2/7 = 64/77 = 0.831169;
///   RR = 167/64 = 2.609375. Σ (…)/N² = (96 − 44)/121 + 13/49 = 0.429752 + 0.265306
///   = 0.695058; V = 0.695058 / (2.168831 · 0.831169) = 0.385573, √V = 0.620945;
///   exp(ln 2.609375 ∓ 1.959964 · 0.620945) = (0.772658, 8.812229).
///   Person-weeks 3 + 2 = 5 exposed, 8 + 5 = 13 unexposed.
/// trained:instructor-led — w1 only: exposed u05 (n₁ = 1, enrolls), 10 unexposed;
///   1 exposed person-week < 3: no ratio, the count shown as empty.
/// The wave's rows and the `(all)` rows are the same (one wave).
#[test]
fn a_method_and_a_channel_by_hand() {
    let dir = crate::util::copy_fixture("effects");
    let out = dir.path().join("out");
    let report = crate::util::run_ok(&dir.path().join("uptake.toml"), &out, &[]);
    let rows = crate::util::read_table(&report.join("tables/effects.csv"));
    let factors: Vec<&str> = rows
        .iter()
        .filter(|r| r["wave"] == "W1")
        .map(|r| r["factor"].as_str())
        .collect();
    // opened_email, trained, the methods as training_methods orders them, then the
    // channels but email; no self-paced (no completions), no other channel.
    assert_eq!(
        factors,
        [
            "opened_email",
            "trained",
            "trained:brown bag",
            "trained:instructor-led",
            "channel:intranet"
        ]
    );
    let num = |r: &std::collections::BTreeMap<String, String>, k: &str| -> f64 {
        r[k].parse().unwrap_or_else(|_| panic!("{k} = `{}`", r[k]))
    };
    for wave in ["W1", "(all)"] {
        let get = |f: &str| {
            rows.iter()
                .find(|r| r["wave"] == wave && r["factor"] == f)
                .unwrap_or_else(|| panic!("no {wave}/{f}"))
        };
        for (factor, rr, lo, hi, pw) in [
            (
                "trained:brown bag",
                1.961538,
                0.558330,
                6.891330,
                ("6", "12"),
            ),
            (
                "channel:intranet",
                2.609375,
                0.772658,
                8.812229,
                ("5", "13"),
            ),
        ] {
            let r = get(factor);
            for (k, want) in [
                ("risk_ratio", rr),
                ("risk_ratio_low", lo),
                ("risk_ratio_high", hi),
            ] {
                let got = num(r, k);
                assert!((got - want).abs() < 2e-6, "{wave} {factor} {k}: {got}");
            }
            assert_eq!(r["strata"], "2", "{wave} {factor}");
            assert_eq!(
                (
                    r["exposed_person_weeks"].as_str(),
                    r["unexposed_person_weeks"].as_str()
                ),
                pw,
                "{wave} {factor}"
            );
        }
        let few = get("trained:instructor-led");
        assert_eq!(few["risk_ratio"], "", "{wave}");
        assert_eq!(few["exposed_person_weeks"], "", "{wave}");
        assert_eq!(few["unexposed_person_weeks"], "10", "{wave}");
        assert!(few["note"].contains("person-weeks"), "{few:?}");
    }
    // The page and the lessons name the new rows in words.
    let page = std::fs::read_to_string(report.join("index.html")).expect("page");
    let lessons = std::fs::read_to_string(report.join("lessons.md")).expect("lessons");
    for text in [&page, &lessons] {
        assert!(text.contains("trained by brown bag"), "{text}");
        assert!(text.contains("reached via intranet"), "{text}");
    }
    assert!(lessons.contains(
        "People who had been reached via intranet were 2.61 times as likely to enroll in a given week (95 % interval 0.77 – 8.81)"
    ));
    // Each effect stands beside the naive difference of its own `lift` row: for a
    // method, the `trained:<method>` row (it once showed "–" for every method).
    let lift = crate::util::read_table(&report.join("tables/lift.csv"));
    let brown = lift
        .iter()
        .find(|r| r["wave"] == "W1" && r["factor"] == "trained:brown bag")
        .expect("a lift row for brown bag");
    let d: f64 = brown["difference"].parse().expect("a shown difference");
    let naive = if d >= 0.0 {
        format!("+{:.1} pts", 100.0 * d)
    } else {
        format!("\u{2212}{:.1} pts", -100.0 * d)
    };
    let effects_section = &page[page.find("What helped, once timing").expect("effects")..];
    let row = &effects_section[effects_section
        .find("<td>trained by brown bag</td>")
        .expect("the brown bag row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.ends_with(&format!("{naive}</td>")), "{row}");
}

/// Without `[[training_methods]]`, completions or touchpoints, `effects` has only
/// `opened_email` and `trained`: a method or channel absent from the run has no row.
#[test]
fn a_method_or_channel_absent_from_the_run_has_no_row() {
    let dir = crate::util::copy_fixture("effects");
    let config = dir.path().join("uptake.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let cut = text
        .replace("[sources.touchpoints]\npath = \"touchpoints.csv\"\n", "")
        .replace(
            "[[training_methods]]\nname = \"brown bag\"\nsessions = [\"brown-bag*\"]\n",
            "",
        );
    assert_ne!(cut, text);
    std::fs::write(&config, cut).expect("written");
    let report = crate::util::run_ok(&config, &dir.path().join("out"), &[]);
    let rows = crate::util::read_table(&report.join("tables/effects.csv"));
    let factors: Vec<&str> = rows.iter().map(|r| r["factor"].as_str()).collect();
    assert_eq!(
        factors,
        ["opened_email", "trained", "opened_email", "trained"]
    );
}

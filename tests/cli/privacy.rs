//! docs/privacy.md on real runs: folding, merging, suppression, and a search for any
//! difference of shown numbers that would single out fewer than `min_group_size`.

use std::collections::BTreeMap;

use crate::util::{copy_fixture, generate, read_table, run_ok};

type Row = BTreeMap<String, String>;

/// Every sum of a subset of `sizes` subtracted from `total` is 0 or at least `min`.
fn no_subset_narrows(total: i64, sizes: &[i64], min: i64) -> Result<(), String> {
    assert!(sizes.len() <= 20, "too many rows to enumerate");
    for mask in 0u32..(1 << sizes.len()) {
        let subset: i64 = (0..sizes.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| sizes[i])
            .sum();
        let rest = total - subset;
        if rest != 0 && rest < min {
            return Err(format!("{total} - {subset} = {rest} < {min}"));
        }
    }
    Ok(())
}

fn eligible(r: &Row) -> Option<i64> {
    r["eligible"].parse().ok()
}

/// Checks group_metrics of a report against docs/privacy.md.
fn check_privacy(rows: &[Row], min: i64) {
    let mut waves: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r["wave"] != "(all)") {
        waves.entry(r["wave"].as_str()).or_default().push(r);
    }
    let mut wave_totals = Vec::new();
    for (wave, rows) in &waves {
        let all = rows
            .iter()
            .find(|r| r["group"] == "(all)")
            .expect("wave (all) row");
        let groups: Vec<&&Row> = rows.iter().filter(|r| r["group"] != "(all)").collect();
        if all["status"] == "suppressed" {
            for r in rows {
                assert_eq!(r["status"], "suppressed", "{wave}");
                for (k, v) in r.iter() {
                    if !["workload", "wave", "group", "status"].contains(&k.as_str()) {
                        assert_eq!(v, "", "{wave}/{}: {k} shown", r["group"]);
                    }
                }
            }
            continue;
        }
        let sizes: Vec<i64> = groups.iter().map(|r| eligible(r).unwrap()).collect();
        for (r, n) in groups.iter().zip(&sizes) {
            assert!(*n >= min, "{wave}/{} shows {n} people", r["group"]);
        }
        let total = eligible(all).unwrap();
        assert_eq!(
            total,
            sizes.iter().sum::<i64>(),
            "{wave}: groups do not sum to (all)"
        );
        for col in [
            "enrolled",
            "recipients",
            "openers",
            "trained",
            "tickets",
            "champions",
        ] {
            let sum: i64 = groups.iter().map(|r| r[col].parse::<i64>().unwrap()).sum();
            assert_eq!(all[col].parse::<i64>().unwrap(), sum, "{wave}: {col}");
        }
        no_subset_narrows(total, &sizes, min).unwrap_or_else(|e| panic!("{wave}: {e}"));
        wave_totals.push(total);
    }
    let overall = rows
        .iter()
        .find(|r| r["wave"] == "(all)")
        .expect("overall row");
    let total = eligible(overall).unwrap_or(0);
    assert_eq!(
        total,
        wave_totals.iter().sum::<i64>(),
        "overall is not the sum of shown waves"
    );
    no_subset_narrows(total, &wave_totals, min).unwrap();
}

#[test]
fn a_small_wave_is_suppressed_and_left_out_of_the_overall_row() {
    let dir = copy_fixture("handworked");
    let cfg = dir.path().join("uptake.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace("min_group_size = 3", "min_group_size = 5"),
    )
    .unwrap();
    let report = run_ok(&cfg, &dir.path().join("out"), &[]);
    let rows = read_table(&report.join("tables/group_metrics.csv"));
    let keys: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["wave"].as_str(),
                r["group"].as_str(),
                r["status"].as_str(),
                r["eligible"].as_str(),
            )
        })
        .collect();
    // W1: Finance 5 stays; HR 4 + Legal 1 = 5 fold into "(small groups)".
    // W2: Sales 4 < 5: the wave is suppressed and the overall row counts W1 only.
    assert_eq!(
        keys,
        [
            ("W1", "(small groups)", "behind", "5"),
            ("W1", "Finance", "behind", "5"),
            ("W1", "(all)", "behind", "10"),
            ("W2", "(small groups)", "suppressed", ""),
            ("W2", "(all)", "suppressed", ""),
            ("(all)", "(all)", "behind", "10"),
        ]
    );
    check_privacy(&rows, 5);
    let dq = read_table(&report.join("tables/data_quality.csv"));
    assert_eq!(dq[0]["suppressed"], "4");
    let campaigns = read_table(&report.join("tables/campaigns.csv"));
    let w2 = campaigns
        .iter()
        .find(|c| c["campaign"] == "w2-kickoff")
        .unwrap();
    assert_eq!(
        (w2["recipients"].as_str(), w2["openers"].as_str()),
        ("", "")
    );
    let categories = read_table(&report.join("tables/ticket_categories.csv"));
    assert!(categories.iter().all(|c| c["wave"] != "W2"));
    let lift = read_table(&report.join("tables/lift.csv"));
    assert!(lift
        .iter()
        .filter(|l| l["wave"] == "W2")
        .all(|l| l["n_with"].is_empty()));
    let weekly = read_table(&report.join("tables/weekly_progress.csv"));
    assert!(weekly
        .iter()
        .filter(|w| w["wave"] == "W2")
        .all(|w| w["enrolled"].is_empty()));
}

#[test]
fn no_shown_number_narrows_to_fewer_than_the_threshold_on_generated_rollouts() {
    let dir = tempfile::tempdir().unwrap();
    for (users, seed, min) in [(300, 1, 5), (900, 2, 10), (2000, 3, 25)] {
        let data = generate(&dir.path().join(format!("r{seed}")), users, seed);
        let cfg = data.join("uptake.toml");
        let text = std::fs::read_to_string(&cfg).unwrap();
        std::fs::write(
            &cfg,
            text.replace("min_group_size = 5", &format!("min_group_size = {min}")),
        )
        .unwrap();
        let report = run_ok(&cfg, &dir.path().join(format!("out{seed}")), &[]);
        let rows = read_table(&report.join("tables/group_metrics.csv"));
        check_privacy(&rows, min);
        let week_ago = read_table(&report.join("tables/group_metrics_week_ago.csv"));
        check_privacy(&week_ago, min);
    }
}

#[test]
fn the_subset_search_finds_a_narrowing_difference() {
    // A wave of 12 shown as groups of 7 and 5 is safe at 5; a row of 3 is not.
    assert!(no_subset_narrows(12, &[7, 5], 5).is_ok());
    assert!(no_subset_narrows(10, &[7, 3], 5).is_err());
}

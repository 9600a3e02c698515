//! The privacy attack (docs/privacy.md): a hostile reader of every sponsor-facing table
//! subtracts every pair of shown figures whose populations nest — the same label at D
//! and D − 7, consecutive weeks of `weekly_progress`, a total and its parts, the `lift`
//! overall row and its waves, a category over all waves and the waves that show it —
//! and looks for a difference of 1 to `min_group_size − 1` people (or tickets); it also
//! looks for small counts shown outright (campaigns, categories, `lift` sides) and for
//! figures in the digests that no table holds. Every cut of `cut_metrics` is attacked
//! like the groups (a wave's total and its values). All of it per workload: each
//! workload has its own waves and its own overall row.
//!
//! [`attack`] reads a report folder only, so it can be pointed at a report of any
//! build (see `an_older_build_can_be_attacked_too`). [`nesting`] also reads the
//! rollout's own files (the config and the roster) as ground truth: it rebuilds the
//! people of every shown row of `group_metrics` and `cut_metrics` and looks for two
//! rows — of one wave (a group and a cut's value, two cuts' values), of two workloads'
//! waves, or two workloads' overall rows — where one holds the other and they differ by
//! 1 to `min_group_size − 1` people: their difference (in openers, trained, tickets,
//! champions, which are the person's whatever the workload) describes those people.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::{copy_fixture, generate, read_table, run_ok, uptake};

type Row = BTreeMap<String, String>;

const ALL: &str = "(all)";

/// A row's workload (empty in a report of a build before workloads).
fn wl(r: &Row) -> &str {
    r.get("workload").map_or("", String::as_str)
}

fn int(r: &Row, col: &str) -> Option<i64> {
    r.get(col).and_then(|v| v.parse().ok())
}

fn small(d: i64, min: i64) -> bool {
    d > 0 && d < min
}

/// A group label with a merged fold's suffix taken off: `HR (+ small groups)` -> `HR`.
fn host(label: &str) -> &str {
    label
        .strip_suffix(" (+ small groups)")
        .or_else(|| label.strip_suffix(" (+ other categories)"))
        .or_else(|| label.strip_suffix(" (+ small values)"))
        .unwrap_or(label)
}

/// Every violation the attack finds in the report at `report`, in words.
pub fn attack(report: &Path, min: i64) -> Vec<String> {
    let table = |name: &str| read_table(&report.join(format!("tables/{name}.csv")));
    let mut found = Vec::new();
    let today = table("group_metrics");
    let week_ago = table("group_metrics_week_ago");
    groups(&today, "group_metrics", min, &mut found);
    groups(&week_ago, "group_metrics_week_ago", min, &mut found);
    same_label_over_time(&today, &week_ago, min, &mut found);
    weeks(&table("weekly_progress"), &today, min, &mut found);
    lift(&table("lift"), min, &mut found);
    campaigns(&table("campaigns"), min, &mut found);
    categories(&table("ticket_categories"), min, &mut found);
    if report.join("tables/cut_metrics.csv").exists() {
        cuts(&table("cut_metrics"), &today, min, &mut found);
    }
    // Channels beyond email and ways to learn (absent from older builds' reports).
    for (name, key, count) in [
        ("channels", "channel", "reached"),
        ("training_methods", "method", "trained"),
    ] {
        if report.join(format!("tables/{name}.csv")).exists() {
            reach_counts(&table(name), (name, key, count), &today, min, &mut found);
        }
    }
    digests(report, &today, &table("ticket_categories"), &mut found);
    if report.join("tables/effects.csv").exists() {
        effects(&table("effects"), min, &mut found);
    }
    // What follows enrollment (a build before it wrote no such table).
    if report.join("tables/after_enrollment.csv").exists() {
        let after = table("after_enrollment");
        groups_of(&after, "after_enrollment", &AFTER_COUNTS, min, &mut found);
        scores(&after, min, &mut found);
    }
    found
}

/// `effects`: no side of 1..min − 1 person-weeks shown, and a pooled `(all)` row's
/// person-weeks minus its waves' shown ones leave nothing, or at least `min`.
fn effects(rows: &[Row], min: i64, found: &mut Vec<String>) {
    for side in ["exposed_person_weeks", "unexposed_person_weeks"] {
        for r in rows {
            if let Some(n) = int(r, side).filter(|&n| small(n, min)) {
                found.push(format!(
                    "effects {}/{}/{}: {side} {n}",
                    wl(r),
                    r["wave"],
                    r["factor"]
                ));
            }
        }
        for total in rows.iter().filter(|r| r["wave"] == ALL) {
            let Some(all) = int(total, side) else {
                continue;
            };
            let shown: i64 = rows
                .iter()
                .filter(|r| r["wave"] != ALL && wl(r) == wl(total))
                .filter(|r| r["factor"] == total["factor"])
                .filter_map(|r| int(r, side))
                .sum();
            if small(all - shown, min) {
                found.push(format!(
                    "effects {}/(all)/{}: {side} {all} minus the waves' {shown}",
                    wl(total),
                    total["factor"]
                ));
            }
        }
    }
}

/// `channels` and `training_methods`: no count of 1..min − 1 people; no enrolled rate
/// among them shown when the people left out of the wave are that few (the wave's
/// enrolled total would give theirs away); and an overall count minus the waves that
/// show theirs leaves nothing, or at least `min` people.
fn reach_counts(
    rows: &[Row],
    (name, key, count): (&str, &str, &str),
    today: &[Row],
    min: i64,
    found: &mut Vec<String>,
) {
    let eligible = |workload: &str, wave: &str| {
        today
            .iter()
            .find(|g| wl(g) == workload && g["wave"] == wave && g["group"] == ALL)
            .and_then(|g| int(g, "eligible"))
    };
    let rate = if name == "channels" {
        "enrolled_rate_reached"
    } else {
        "enrolled_rate"
    };
    for r in rows {
        let what = format!("{name} {}/{}/{}", wl(r), r["wave"], r[key]);
        let Some(n) = int(r, count) else { continue };
        if small(n, min) {
            found.push(format!("{what}: {count} {n}"));
        }
        let rest = eligible(wl(r), &r["wave"]).map(|e| e - n);
        if let (Some(rest), false) = (rest, r[rate].is_empty()) {
            if small(rest, min) {
                found.push(format!("{what}: {rate} shown with {rest} people left out"));
            }
        }
    }
    let keys: BTreeSet<(&str, &str)> = rows.iter().map(|r| (wl(r), r[key].as_str())).collect();
    for (workload, value) in keys {
        let of: Vec<&Row> = rows
            .iter()
            .filter(|r| wl(r) == workload && r[key] == value)
            .collect();
        let Some(total) = of
            .iter()
            .find(|r| r["wave"] == ALL)
            .and_then(|r| int(r, count))
        else {
            continue;
        };
        let waves: Vec<&&Row> = of.iter().filter(|r| r["wave"] != ALL).collect();
        let shown: i64 = waves.iter().filter_map(|r| int(r, count)).sum();
        if waves.iter().any(|r| int(r, count).is_none()) && small(total - shown, min) {
            found.push(format!(
                "{name} {workload}/(all)/{value}: {count} {total} minus the waves' {shown} gives away {}",
                total - shown
            ));
        }
    }
}

/// The counts of `after_enrollment` that add up like `group_metrics`' counts.
const AFTER_COUNTS: [&str; 6] = [
    "eligible",
    "enrolled",
    "healthy",
    "lapsed",
    "active",
    "responses",
];

/// The survey's score figures: shown only on rows with at least `min` responses, and
/// a shown total's hidden parts (the groups of a wave, the waves of the overall row)
/// pool none or at least `min` responses — else the total minus its shown parts
/// gives the hidden scores back.
fn scores(rows: &[Row], min: i64, found: &mut Vec<String>) {
    let shown = |r: &Row| !r["mean_score"].is_empty();
    for r in rows.iter().filter(|r| shown(r)) {
        let n = int(r, "responses").unwrap_or(0);
        if n < min {
            found.push(format!(
                "after_enrollment: {}/{}/{} shows the scores of {n} responses",
                wl(r),
                r["wave"],
                r["group"]
            ));
        }
    }
    // Per workload, the responses of the hidden groups of waves whose (all) row
    // hides its scores too.
    let mut hidden_of_waves: BTreeMap<&str, i64> = BTreeMap::new();
    for total in rows
        .iter()
        .filter(|r| r["wave"] != ALL && r["group"] == ALL)
    {
        let h: i64 = rows
            .iter()
            .filter(|r| wl(r) == wl(total) && r["wave"] == total["wave"] && r["group"] != ALL)
            .filter(|r| !shown(r))
            .filter_map(|r| int(r, "responses"))
            .sum();
        if shown(total) && small(h, min) {
            found.push(format!(
                "after_enrollment: {}/{} (all) shows scores that give away {h} hidden responses",
                wl(total),
                total["wave"]
            ));
        }
        if !shown(total) {
            *hidden_of_waves.entry(wl(total)).or_default() += h;
        }
    }
    for overall in rows.iter().filter(|r| r["wave"] == ALL) {
        let h = hidden_of_waves.get(wl(overall)).copied().unwrap_or(0);
        if shown(overall) && small(h, min) {
            found.push(format!(
                "after_enrollment: {}'s overall row shows scores that give away {h} hidden responses",
                wl(overall)
            ));
        }
    }
}

/// Shown groups hold at least `min` people; every wave's `(all)` row is the sum of its
/// groups for every count; the overall row is the sum of the shown waves.
fn groups(rows: &[Row], name: &str, min: i64, found: &mut Vec<String>) {
    let mut counts = CUT_COUNTS.to_vec();
    counts.extend(["champions", "enrolled_7d_ago"]);
    groups_of(rows, name, &counts, min, found);
}

/// [`groups`] over the given count columns.
fn groups_of(rows: &[Row], name: &str, counts: &[&str], min: i64, found: &mut Vec<String>) {
    let mut waves: BTreeMap<(&str, &str), Vec<&Row>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r["wave"] != ALL) {
        waves
            .entry((wl(r), r["wave"].as_str()))
            .or_default()
            .push(r);
    }
    let mut overall_parts: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for ((workload, wave), rows) in &waves {
        let what = format!("{workload}/{wave}");
        if let Some(total) = shown_partition(name, &what, rows, "group", counts, min, found) {
            overall_parts.entry(workload).or_default().push(total);
        }
    }
    for overall in rows.iter().filter(|r| r["wave"] == ALL) {
        let workload = wl(overall);
        let parts: Vec<&&Row> = overall_parts
            .get(workload)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        sums(
            name,
            &format!("{workload}/{ALL}"),
            overall,
            &parts,
            counts,
            min,
            found,
        );
    }
}

/// The counts `cut_metrics` shares with `group_metrics`.
const CUT_COUNTS: [&str; 6] = [
    "eligible",
    "enrolled",
    "recipients",
    "openers",
    "trained",
    "tickets",
];

/// One partition of a wave (its groups, or one cut's values; `key` is the label's
/// column): unless the wave is suppressed (then nothing of it may show), its shown
/// labels hold at least `min` people and its `(all)` row is their exact sum. The
/// `(all)` row of a wave that shows, if any.
fn shown_partition<'a>(
    name: &str,
    what: &str,
    rows: &[&'a Row],
    key: &str,
    counts: &[&str],
    min: i64,
    found: &mut Vec<String>,
) -> Option<&'a Row> {
    let Some(total) = rows.iter().find(|r| r[key] == ALL).copied() else {
        found.push(format!("{name}: {what} has no (all) row"));
        return None;
    };
    let parts: Vec<&&Row> = rows.iter().filter(|r| r[key] != ALL).collect();
    if int(total, "eligible").is_none() {
        if parts.iter().any(|r| int(r, "eligible").is_some()) {
            found.push(format!("{name}: {what} is suppressed but shows a {key}"));
        }
        return None;
    }
    for r in &parts {
        match int(r, "eligible") {
            Some(n) if n < min => found.push(format!("{name}: {what}/{} shows {n} people", r[key])),
            None => found.push(format!("{name}: {what}/{} is blank", r[key])),
            _ => {}
        }
    }
    sums(name, what, total, &parts, counts, min, found);
    Some(total)
}

/// Per workload, wave and cut: shown values hold at least `min` people and the wave's
/// `(all)` row is their exact sum; the `(all)` row is the wave's `group_metrics` total.
fn cuts(rows: &[Row], today: &[Row], min: i64, found: &mut Vec<String>) {
    let mut partitions: BTreeMap<(&str, &str, &str), Vec<&Row>> = BTreeMap::new();
    for r in rows {
        partitions
            .entry((wl(r), r["wave"].as_str(), r["cut"].as_str()))
            .or_default()
            .push(r);
    }
    for ((workload, wave, cut), rows) in partitions {
        let what = format!("{workload}/{wave}/{cut}");
        let Some(total) = shown_partition(
            "cut_metrics",
            &what,
            &rows,
            "value",
            &CUT_COUNTS,
            min,
            found,
        ) else {
            continue;
        };
        let group_total = today
            .iter()
            .find(|g| wl(g) == workload && g["wave"] == wave && g["group"] == ALL);
        match group_total {
            Some(g) => {
                for col in CUT_COUNTS {
                    if total[col] != g[col] {
                        found.push(format!(
                            "cut_metrics: {what} (all) {col} {} against {} in group_metrics",
                            total[col], g[col]
                        ));
                    }
                }
            }
            None => found.push(format!("cut_metrics: {what} has no wave in group_metrics")),
        }
    }
}

/// `total`'s counts minus its shown parts: nothing left (a part hidden behind a total
/// would be given away), or at least `min` when some part hides its count.
fn sums(
    name: &str,
    what: &str,
    total: &Row,
    parts: &[&&Row],
    counts: &[&str],
    min: i64,
    found: &mut Vec<String>,
) {
    for col in counts {
        let Some(t) = int(total, col) else { continue };
        let shown: i64 = parts.iter().filter_map(|r| int(r, col)).sum();
        let rest = t - shown;
        if rest != 0 && (small(rest, min) || parts.iter().all(|r| int(r, col).is_some())) {
            found.push(format!(
                "{name}: {what} {col} {t} minus its parts' {shown} = {rest}"
            ));
        }
    }
}

/// The same label at D and at D − 7 must count the same people (or differ by at
/// least `min`): a label at D − 7 must exist at D, and a merged label is compared with
/// its host's.
fn same_label_over_time(today: &[Row], week_ago: &[Row], min: i64, found: &mut Vec<String>) {
    for then in week_ago {
        let Some(n_then) = int(then, "eligible") else {
            continue;
        };
        let now = today.iter().find(|r| {
            wl(r) == wl(then)
                && r["wave"] == then["wave"]
                && host(&r["group"]) == host(&then["group"])
        });
        let Some(now) = now else {
            found.push(format!(
                "{}/{} is shown as of D - 7 but has no row at D",
                then["wave"], then["group"]
            ));
            continue;
        };
        let n_now = int(now, "eligible").unwrap_or(0);
        if small((n_then - n_now).abs(), min) {
            found.push(format!(
                "{}/{}: {n_then} people as of D - 7 against {n_now} ({}) at D",
                then["wave"], then["group"], now["group"]
            ));
        }
    }
}

/// Consecutive weeks of a series, and its last week against `group_metrics`.
fn weeks(rows: &[Row], today: &[Row], min: i64, found: &mut Vec<String>) {
    let mut series: BTreeMap<(&str, &str, &str), Vec<&Row>> = BTreeMap::new();
    for r in rows {
        series
            .entry((wl(r), r["wave"].as_str(), r["group"].as_str()))
            .or_default()
            .push(r);
    }
    for ((workload, wave, group), mut weeks) in series {
        weeks.sort_by_key(|r| int(r, "week_of_wave"));
        for pair in weeks.windows(2) {
            if let (Some(a), Some(b)) = (int(pair[0], "eligible"), int(pair[1], "eligible")) {
                if small((a - b).abs(), min) {
                    found.push(format!(
                        "weekly_progress {wave}/{group}: {a} then {b} people in week {}",
                        pair[1]["week_of_wave"]
                    ));
                }
            }
        }
        let last = weeks.last().and_then(|r| int(r, "eligible"));
        let now = today
            .iter()
            .find(|r| wl(r) == workload && r["wave"] == wave && host(&r["group"]) == host(group))
            .and_then(|r| int(r, "eligible"));
        if let (Some(a), Some(b)) = (last, now) {
            if small((a - b).abs(), min) {
                found.push(format!(
                    "weekly_progress {wave}/{group}: last week {a} against {b} in group_metrics"
                ));
            }
        }
    }
}

/// A side of 1..min − 1 people shows no enrolled count; the overall row minus the
/// waves' shown sides leaves nothing, or at least `min` people.
fn lift(rows: &[Row], min: i64, found: &mut Vec<String>) {
    for r in rows {
        for (n, e) in [
            ("n_with", "enrolled_with"),
            ("n_without", "enrolled_without"),
        ] {
            if let (Some(n), Some(_)) = (int(r, n), int(r, e)) {
                if small(n, min) {
                    found.push(format!(
                        "lift {}/{}: {e} shown for {n} people",
                        r["wave"], r["factor"]
                    ));
                }
            }
        }
    }
    let factors: BTreeSet<(&str, &str)> =
        rows.iter().map(|r| (wl(r), r["factor"].as_str())).collect();
    for (workload, factor) in factors {
        let of: Vec<&Row> = rows
            .iter()
            .filter(|r| wl(r) == workload && r["factor"] == factor)
            .collect();
        let Some(overall) = of.iter().find(|r| r["wave"] == ALL) else {
            continue;
        };
        let waves: Vec<&&Row> = of
            .iter()
            .filter(|r| r["wave"] != ALL && int(r, "n_with").is_some())
            .collect();
        for (n, e) in [
            ("n_with", "enrolled_with"),
            ("n_without", "enrolled_without"),
        ] {
            let Some(total) = int(overall, e) else {
                continue;
            };
            let hidden: Vec<&&&Row> = waves.iter().filter(|r| int(r, e).is_none()).collect();
            let hidden_people: i64 = hidden.iter().filter_map(|r| int(r, n)).sum();
            let shown: i64 = waves.iter().filter_map(|r| int(r, e)).sum();
            if !hidden.is_empty() && small(hidden_people, min) {
                found.push(format!(
                    "lift {workload}/(all)/{factor}: {e} {total} minus the waves' {shown} gives away {} \
                     of {hidden_people} hidden people",
                    total - shown
                ));
            }
        }
    }
}

/// No campaign shows a count of 1..min − 1 people, nor a reach by any channel that
/// exceeds its shown openers (a part of it) by 1..min − 1 people.
fn campaigns(rows: &[Row], min: i64, found: &mut Vec<String>) {
    for r in rows {
        for col in ["recipients", "openers", "clicks", "bounces", "reached"] {
            if let Some(n) = int(r, col).filter(|&n| small(n, min)) {
                found.push(format!("campaigns {}: {col} {n}", r["campaign"]));
            }
        }
        if let (Some(all), Some(part)) = (int(r, "reached"), int(r, "openers")) {
            if small(all - part, min) {
                found.push(format!(
                    "campaigns {}: reached {all} − openers {part}",
                    r["campaign"]
                ));
            }
        }
    }
}

/// No named category shows 1..min − 1 tickets; a category over all waves minus the
/// waves that show it leaves nothing, or at least `min` tickets.
fn categories(rows: &[Row], min: i64, found: &mut Vec<String>) {
    let is_fold = |c: &str| c == "(other categories)";
    for r in rows {
        if let Some(n) = int(r, "tickets").filter(|&n| small(n, min)) {
            if !is_fold(&r["category"]) {
                found.push(format!(
                    "ticket_categories {}/{}: {n} tickets",
                    r["wave"], r["category"]
                ));
            }
        }
    }
    for all in rows.iter().filter(|r| r["wave"] == ALL) {
        let c = all["category"].as_str();
        if is_fold(c) {
            continue;
        }
        let Some(total) = int(all, "tickets") else {
            continue;
        };
        let shown: i64 = rows
            .iter()
            .filter(|r| wl(r) == wl(all) && r["wave"] != ALL && r["category"] == c)
            .filter_map(|r| int(r, "tickets"))
            .sum();
        if small(total - shown, min) {
            found.push(format!(
                "ticket_categories (all)/{c}: {total} minus the waves' {shown}"
            ));
        }
    }
}

/// Every "N of M people" and "(N / M)" in summary.md is a `group_metrics` row's, and
/// every category figure in lessons.md is an `(all)` row of `ticket_categories`: the
/// digests show no figure the tables (checked above) do not.
fn digests(report: &Path, today: &[Row], categories: &[Row], found: &mut Vec<String>) {
    let pairs: BTreeSet<(String, String)> = today
        .iter()
        .filter_map(|r| Some((r.get("enrolled")?.clone(), r.get("eligible")?.clone())))
        .collect();
    let plain = |s: &str| s.replace(',', "");
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap_or_default();
    for line in summary.lines() {
        for cell in line.split('(').skip(1) {
            if let Some((a, rest)) = cell.split_once(" / ") {
                let b = rest.split(')').next().unwrap_or("");
                if !pairs.contains(&(plain(a), plain(b))) {
                    found.push(format!("summary.md shows ({a} / {b}), in no table"));
                }
            }
        }
    }
    let lessons = std::fs::read_to_string(report.join("lessons.md")).unwrap_or_default();
    for line in lessons.lines() {
        let Some(rest) = line.strip_prefix("- **") else {
            continue;
        };
        let Some((name, tail)) = rest.split_once("**: ") else {
            continue;
        };
        let Some(n) = tail.split(' ').next() else {
            continue;
        };
        if !tail.contains(" ticket") {
            continue;
        }
        let name = name.replace('\\', "");
        let known = categories
            .iter()
            .any(|r| r["wave"] == ALL && r["category"] == name && r["tickets"] == plain(n));
        if !known {
            found.push(format!(
                "lessons.md shows {n} tickets for {name}, in no table"
            ));
        }
    }
}

// ---- ground truth: the people of every shown row -----------------------------------

/// A label as uptake compares labels: spaces collapsed, lower case.
fn label(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One person of the roster eligible on D: their group and cut values (as labels).
struct Person {
    group: String,
    cuts: Vec<String>,
}

/// The rollout as its own files describe it: who is eligible on D, and in which wave
/// of each workload.
struct Truth {
    people: Vec<Person>,
    /// The cuts, in config order.
    cuts: Vec<String>,
    /// (workload, wave) -> the people (indices into `people`) in that wave.
    waves: BTreeMap<(String, String), BTreeSet<u32>>,
}

/// Reads the config at `config` and its roster: a person is eligible on D when their
/// `left_on` is empty or after D; a workload's wave is its `wave_column`'s value, else
/// the wave whose `groups` hold the person's group. Rows without a `user_id`, and later
/// rows of a user_id already read, are left out (as uptake quarantines them).
fn truth(config: &Path, as_of: &str) -> Truth {
    let text = std::fs::read_to_string(config).unwrap();
    let cfg: toml::Table = text.parse().unwrap();
    let s = |v: &toml::Value| v.as_str().unwrap().to_string();
    let rollout = cfg["rollout"].as_table().unwrap();
    let group_by = s(&rollout["group_by"]);
    let cuts: Vec<String> = rollout
        .get("cuts")
        .and_then(|c| c.as_array())
        .map(|c| c.iter().map(s).collect())
        .unwrap_or_default();
    let roster_path = s(&cfg["sources"]["roster"]["path"]);
    let empty = Vec::new();
    let workloads: Vec<(String, Option<String>)> = cfg
        .get("workloads")
        .and_then(|w| w.as_array())
        .unwrap_or(&empty)
        .iter()
        .map(|w| (s(&w["name"]), w.get("wave_column").map(s)))
        .collect();
    let one = vec![(s(&rollout["name"]), None)];
    let workloads = if workloads.is_empty() { one } else { workloads };
    // (workload, wave name, group labels)
    let waves: Vec<(String, String, Vec<String>)> = cfg["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let workload = w.get("workload").map_or_else(|| workloads[0].0.clone(), s);
            let groups = w
                .get("groups")
                .and_then(|g| g.as_array())
                .map(|g| g.iter().map(|g| label(g.as_str().unwrap())).collect())
                .unwrap_or_default();
            (workload, s(&w["name"]), groups)
        })
        .collect();
    let mut reader = csv::Reader::from_path(config.parent().unwrap().join(roster_path)).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (id, group, left) = (
        col("user_id").unwrap(),
        col(&group_by).unwrap(),
        col("left_on"),
    );
    let cut_cols: Vec<usize> = cuts.iter().map(|c| col(c).unwrap()).collect();
    let mut seen = BTreeSet::new();
    let mut truth = Truth {
        people: Vec::new(),
        cuts: cuts.clone(),
        waves: BTreeMap::new(),
    };
    for record in reader.records() {
        let record = record.unwrap();
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let user = cell(id).to_lowercase();
        if user.is_empty() || !seen.insert(user) {
            continue;
        }
        if left.is_some_and(|l| !cell(l).is_empty() && cell(l) <= as_of) {
            continue;
        }
        let pid = truth.people.len() as u32;
        let person = Person {
            group: label(cell(group)),
            cuts: cut_cols.iter().map(|&c| label(cell(c))).collect(),
        };
        for (workload, column) in &workloads {
            let wave = waves.iter().find(|(w, name, groups)| {
                w == workload
                    && match column {
                        Some(c) => col(c).is_some_and(|c| label(cell(c)) == label(name)),
                        None => groups.contains(&person.group),
                    }
            });
            if let Some((_, name, _)) = wave {
                truth
                    .waves
                    .entry((workload.clone(), name.clone()))
                    .or_default()
                    .insert(pid);
            }
        }
        truth.people.push(person);
    }
    truth
}

/// The people under each shown label of one partition of a wave (its groups, or one
/// cut's values): a label names its host's people; `(small …)` holds everyone whose
/// value no label names, and so does a host with `(+ small …)` when no fold row stands.
fn partition(
    members: &BTreeSet<u32>,
    value: impl Fn(u32) -> String,
    labels: &[&str],
    fold: &str,
    merged: &str,
) -> Result<BTreeMap<String, BTreeSet<u32>>, String> {
    let suffix = format!(" {merged}");
    let named: BTreeMap<String, &str> = labels
        .iter()
        .filter(|l| **l != fold)
        .map(|l| (label(l.strip_suffix(&suffix).unwrap_or(l)), *l))
        .collect();
    let fold_label = labels
        .iter()
        .find(|l| **l == fold)
        .or_else(|| labels.iter().find(|l| l.ends_with(&suffix)));
    let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for &p in members {
        let v = value(p);
        let shown = match named.get(&v) {
            Some(l) => *l,
            None => *fold_label.ok_or_else(|| format!("`{v}` is under no label of {labels:?}"))?,
        };
        out.entry(shown.to_string()).or_default().insert(p);
    }
    Ok(out)
}

/// Every pair of shown rows of `group_metrics` and `cut_metrics` (over all waves and
/// workloads, overall rows included) whose people, rebuilt from the rollout's own
/// files at `config` as of `as_of`, nest with a difference of 1 to `min − 1`; and every
/// shown row whose `eligible` is not the number of its people.
pub fn nesting(report: &Path, config: &Path, as_of: &str, min: i64) -> Vec<String> {
    let table = |name: &str| read_table(&report.join(format!("tables/{name}.csv")));
    let truth = truth(config, as_of);
    let groups = table("group_metrics");
    let cuts = if truth.cuts.is_empty() {
        Vec::new()
    } else {
        table("cut_metrics")
    };
    let mut found = Vec::new();
    // Every shown row: its name and its people.
    let mut rows: Vec<(String, BTreeSet<u32>, i64)> = Vec::new();
    let mut overall: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for ((workload, wave), members) in &truth.waves {
        let of_wave: Vec<&Row> = groups
            .iter()
            .filter(|r| wl(r) == workload && &r["wave"] == wave)
            .collect();
        let Some(total) = of_wave.iter().find(|r| r["group"] == ALL) else {
            found.push(format!("{workload}/{wave} has people but no row"));
            continue;
        };
        let Some(n) = int(total, "eligible") else {
            continue; // suppressed: nothing shown
        };
        overall
            .entry(workload.clone())
            .or_default()
            .extend(members.iter().copied());
        rows.push((format!("{workload}/{wave}/(all)"), members.clone(), n));
        // Each partition of the wave: its name, its rows, and the cut (None: groups).
        let mut dims: Vec<(String, Vec<&Row>, Option<usize>)> =
            vec![("group".into(), of_wave, None)];
        for (k, cut) in truth.cuts.iter().enumerate() {
            let of: Vec<&Row> = cuts
                .iter()
                .filter(|r| wl(r) == workload && &r["wave"] == wave && &r["cut"] == cut)
                .collect();
            dims.push((cut.clone(), of, Some(k)));
        }
        for (dim, of, k) in dims {
            let (key, fold, merged) = match k {
                None => ("group", "(small groups)", "(+ small groups)"),
                Some(_) => ("value", "(small values)", "(+ small values)"),
            };
            let labels: Vec<&str> = of
                .iter()
                .map(|r| r[key].as_str())
                .filter(|l| *l != ALL)
                .collect();
            let value = |p: u32| {
                let person = &truth.people[p as usize];
                k.map_or_else(|| person.group.clone(), |k| person.cuts[k].clone())
            };
            match partition(members, value, &labels, fold, merged) {
                Ok(parts) => {
                    for r in of.iter().filter(|r| r[key] != ALL) {
                        let people = parts.get(&r[key]).cloned().unwrap_or_default();
                        let n = int(r, "eligible").unwrap_or(-1);
                        rows.push((format!("{workload}/{wave}/{dim}={}", r[key]), people, n));
                    }
                }
                Err(e) => found.push(format!("{workload}/{wave}/{dim}: {e}")),
            }
        }
    }
    for (workload, people) in overall {
        let n = groups
            .iter()
            .find(|r| wl(r) == workload && r["wave"] == ALL)
            .and_then(|r| int(r, "eligible"))
            .unwrap_or(-1);
        rows.push((format!("{workload}/(all)"), people, n));
    }
    for (name, people, n) in &rows {
        if people.len() as i64 != *n {
            found.push(format!(
                "{name}: shows {n} people, the rollout's files give {}",
                people.len()
            ));
        }
    }
    for (i, (a, pa, _)) in rows.iter().enumerate() {
        for (b, pb, _) in &rows[i + 1..] {
            let (inner, outer, ni, no) = if pa.len() <= pb.len() {
                (pa, pb, a, b)
            } else {
                (pb, pa, b, a)
            };
            let gap = (outer.len() - inner.len()) as i64;
            if small(gap, min) && inner.is_subset(outer) {
                found.push(format!(
                    "{no} ({}) holds {ni} ({}): {gap} people apart",
                    outer.len(),
                    inner.len()
                ));
            }
        }
    }
    found
}

// ---- the attack on real runs ------------------------------------------------------

/// Sets `min_group_size` in a generated rollout's config.
fn with_threshold(config: &Path, min: i64) {
    let text = std::fs::read_to_string(config).unwrap();
    std::fs::write(
        config,
        text.replace("min_group_size = 5", &format!("min_group_size = {min}")),
    )
    .unwrap();
}

/// Generates one rollout per `(users, seed, min)` with the generator's `flags`, sets
/// its threshold to `min`, runs it as of each day of `as_ofs`, hands each report to
/// `check` (the test's own assertions), and fails on anything [`attack`] finds.
fn attack_generated(
    flags: &[&str],
    cases: &[(u32, u64, i64)],
    as_ofs: &[&str],
    check: impl Fn(&Path, u32, i64),
) {
    let dir = tempfile::tempdir().unwrap();
    for &(users, seed, min) in cases {
        let data = dir.path().join(format!("r{seed}"));
        uptake()
            .arg("generate")
            .args(flags)
            .args(["--users", &users.to_string()])
            .args(["--seed", &seed.to_string(), "--out"])
            .arg(&data)
            .assert()
            .success();
        let cfg = data.join("uptake.toml");
        with_threshold(&cfg, min);
        for as_of in as_ofs {
            let out = dir.path().join(format!("out{seed}-{as_of}"));
            let report = run_ok(&cfg, &out, &["--as-of", as_of]);
            check(&report, users, min);
            let found = attack(&report, min);
            assert!(
                found.is_empty(),
                "{users} people, min {min}, as of {as_of}:\n{}",
                found.join("\n")
            );
        }
    }
}

#[test]
fn no_shown_figure_narrows_to_fewer_than_the_threshold_on_generated_rollouts() {
    // Generated rollouts have leavers (some in the last week), departments of every
    // size (some under every threshold below), waves not started, bounces and
    // categories of one ticket.
    attack_generated(
        &[],
        &[(300, 11, 3), (600, 12, 5), (1500, 13, 10), (2500, 14, 25)],
        &["2026-10-01", "2026-11-20"],
        |_, _, _| {},
    );
}

#[test]
fn channels_and_training_methods_show_no_small_count_on_generated_rollouts() {
    // `generate --channels`: meetings, intranet and Viva Engage touchpoints reaching
    // overlapping people, brown bags and self-paced completions, with small
    // departments and leavers as above.
    attack_generated(
        &["--channels"],
        &[(300, 21, 3), (600, 22, 5), (1500, 23, 10)],
        &["2026-10-01", "2026-11-20"],
        |report, _, _| {
            assert!(
                !read_table(&report.join("tables/channels.csv")).is_empty(),
                "the channels table of a rollout with touchpoints has rows"
            );
        },
    );
}

/// Rollouts generated with what follows enrollment (device health, usage, a survey
/// with anonymous responses): the `after_enrollment` counts add up, and no survey
/// score shows for, or gives away, fewer than the threshold's responses.
#[test]
fn after_enrollment_figures_give_no_small_group_away_on_generated_rollouts() {
    // As of the generated config's own day.
    attack_generated(
        &["--after"],
        &[(400, 31, 5), (1200, 32, 10), (1200, 33, 25)],
        &["2026-11-20"],
        |report, users, min| {
            let after = read_table(&report.join("tables/after_enrollment.csv"));
            // The figures exist: the test is not vacuous.
            assert!(after.iter().any(|r| !r["healthy"].is_empty()));
            assert!(after.iter().any(|r| !r["active"].is_empty()));
            assert!(after.iter().any(|r| !r["mean_score"].is_empty()));
            // A wave's total with enough responses shows its scores: groups that hide
            // theirs are made to pool enough by hiding more groups, never the wave's
            // total (it once hid Wave 2's 149 responses to cover Risk's 7).
            for total in after
                .iter()
                .filter(|r| r["wave"] != ALL && r["group"] == ALL)
            {
                if total["responses"].parse::<i64>().is_ok_and(|n| n >= min) {
                    assert!(
                        !total["mean_score"].is_empty(),
                        "{users} people, min {min}: {} hides its scores",
                        total["wave"]
                    );
                }
            }
        },
    );
}

/// A generated three-workload rollout with cuts, `users` people, as of `as_of`, at
/// threshold `min`: what [`attack`] and [`nesting`] find.
fn attack_three_workloads(dir: &Path, users: u32, seed: u64, min: i64, as_of: &str) -> Vec<String> {
    let data = dir.join(format!("r{seed}"));
    if !data.exists() {
        uptake()
            .args(["generate", "--users", &users.to_string()])
            .args(["--seed", &seed.to_string(), "--workloads", "3", "--cuts"])
            .arg("--out")
            .arg(&data)
            .assert()
            .success();
        with_threshold(&data.join("uptake.toml"), min);
    }
    let cfg = data.join("uptake.toml");
    let report = run_ok(
        &cfg,
        &dir.join(format!("out{seed}-{as_of}")),
        &["--as-of", as_of],
    );
    let mut found = attack(&report, min);
    found.extend(nesting(&report, &cfg, as_of, min));
    found
}

/// Issue 16's proof found that two workloads' overall rows can nest: a person with no
/// wave of OneDrive KFM (no `kfm_wave`) is in Intune MDM's overall row and not in
/// KFM's, and `recipients`, `openers`, `trained`, `tickets` and `champions` are the
/// person's whatever the workload. In `generate --users 600 --seed 32 --workloads 3
/// --cuts`, as of 2026-11-20 at k = 5: Intune MDM (all) 589 people, 487 openers, 216
/// trained, 68 tickets; OneDrive KFM (all) 585, 484, 214, 67: the 4 people with no KFM
/// wave are 3 openers, 2 trained and 1 ticket. The guard (`privacy::protect`)
/// compared waves' rows only, never a workload's overall row; it now hides the
/// smallest wave of the smaller workload, which parts the two rows by at least k.
#[test]
fn two_workloads_overall_rows_do_not_nest_within_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let found = attack_three_workloads(dir.path(), 600, 32, 5, "2026-11-20");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_two_shown_rows_of_cuts_and_workloads_nest_within_the_threshold() {
    // Three workloads on different schedules (Intune MDM and App protection by groups,
    // OneDrive KFM by the roster's kfm_wave column) and the cuts location and
    // cost_center, whose values cross the departments.
    let dir = tempfile::tempdir().unwrap();
    let mut all = Vec::new();
    for (users, seed, min) in [(300, 31, 3), (600, 32, 5), (900, 33, 5), (1500, 34, 10)] {
        for as_of in ["2026-10-01", "2026-11-20"] {
            let found = attack_three_workloads(dir.path(), users, seed, min, as_of);
            if !found.is_empty() {
                all.push(format!(
                    "{users} people, seed {seed}, min {min}, as of {as_of}:\n  {}",
                    found.join("\n  ")
                ));
            }
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

/// A tiny rollout for the findings of issue 12, written out: wave W1 with group A (6
/// people) and B (8), wave W2 with group C (12). `extra` rows are appended per file.
fn scenario(
    dir: &Path,
    min: i64,
    roster_extra: &str,
    extra: &[(&str, &str)],
) -> std::path::PathBuf {
    let mut roster = String::from("user_id,department,champion,left_on\n");
    for (group, n) in [("A", 6), ("B", 8), ("C", 12)] {
        for i in 1..=n {
            roster.push_str(&format!("{group}{i}@x.org,{group},,\n"));
        }
    }
    roster.push_str(roster_extra);
    let mut files = BTreeMap::from([
        ("roster.csv", roster),
        (
            "enrollments.csv",
            "user_id,enrolled_at\nB1@x.org,2026-11-02T09:00:00Z\nC1@x.org,2026-11-03T09:00:00Z\n"
                .to_string(),
        ),
        (
            "email.csv",
            "user_id,campaign,event,timestamp\n".to_string(),
        ),
        (
            "training.csv",
            "user_id,session,joined_at,left_at\n".to_string(),
        ),
        (
            "tickets.csv",
            "ticket_id,user_id,opened_at,resolved_at,category\n".to_string(),
        ),
    ]);
    for (file, rows) in extra {
        files.get_mut(file).expect("a known file").push_str(rows);
    }
    for (file, text) in &files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let config = format!(
        r#"[rollout]
name = "Attack"
as_of = "2026-11-20"
group_by = "department"
[thresholds]
min_group_size = {min}
[sources.roster]
path = "roster.csv"
[sources.enrollments]
path = "enrollments.csv"
[sources.email]
path = "email.csv"
[sources.training]
path = "training.csv"
[sources.tickets]
path = "tickets.csv"
[[waves]]
name = "W1"
start = "2026-11-02"
groups = ["A", "B", "X"]
enrollment_target = [[28, 0.9]]
[[waves]]
name = "W2"
start = "2026-11-02"
groups = ["C"]
enrollment_target = [[28, 0.9]]
[[campaigns]]
name = "w1-kickoff"
phase = "kickoff"
wave = "W1"
"#
    );
    std::fs::write(dir.join("uptake.toml"), config).unwrap();
    dir.join("uptake.toml")
}

/// Runs the scenario and asserts the attack finds nothing.
fn safe(dir: &Path, config: &Path, min: i64) {
    let report = run_ok(config, &dir.join("out"), &[]);
    let found = attack(&report, min);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Issue 12, finding 1: a group of 6 loses one person during the week; the leaver
/// had enrolled, opened, trained, called the help desk and was a champion. Last week's
/// row must not count them (one cohort), or the difference is exactly that person.
/// See: issue 12.
#[test]
fn a_leaver_cannot_be_read_off_the_week_over_week_difference() {
    let dir = tempfile::tempdir().unwrap();
    let config = scenario(
        dir.path(),
        5,
        "A7@x.org,A,yes,2026-11-17\n",
        &[
            ("enrollments.csv", "A7@x.org,2026-11-03T09:00:00Z\n"),
            (
                "email.csv",
                "A7@x.org,w1-kickoff,open,2026-11-02T09:00:00Z\n",
            ),
            (
                "training.csv",
                "A7@x.org,Basics,2026-11-04T09:00:00Z,2026-11-04T10:00:00Z\n",
            ),
            (
                "tickets.csv",
                "T1,A7@x.org,2026-11-05T09:00:00Z,2026-11-05T19:00:00Z,enrollment\n",
            ),
        ],
    );
    let report = run_ok(&config, &dir.path().join("out"), &[]);
    let then = read_table(&report.join("tables/group_metrics_week_ago.csv"));
    let a = then.iter().find(|r| r["group"] == "A").unwrap();
    // The cohort of D: A1..A6 (A7 left on 11-17, before D). None of them enrolled,
    // opened, trained or called by 11-13, so last week's row is all zeros but for the
    // six people.
    assert_eq!(
        (
            a["eligible"].as_str(),
            a["enrolled"].as_str(),
            a["champions"].as_str()
        ),
        ("6", "0", "0")
    );
    assert_eq!((a["tickets"].as_str(), a["trained"].as_str()), ("0", "0"));
    safe(dir.path(), &config, 5);
}

/// Issue 12, finding 2: a 3-person group X that was merged into A last week has left
/// entirely this week. Labels are decided once, on D, so last week's A is D's A.
#[test]
fn a_fold_that_changes_over_the_week_gives_no_small_group_away() {
    let dir = tempfile::tempdir().unwrap();
    let leavers =
        "X1@x.org,X,yes,2026-11-16\nX2@x.org,X,yes,2026-11-16\nX3@x.org,X,yes,2026-11-16\n";
    let config = scenario(
        dir.path(),
        5,
        leavers,
        &[(
            "enrollments.csv",
            "X1@x.org,2026-11-03T09:00:00Z\nX2@x.org,2026-11-03T09:00:00Z\nX3@x.org,2026-11-03T09:00:00Z\n",
        )],
    );
    let report = run_ok(&config, &dir.path().join("out"), &[]);
    let then = read_table(&report.join("tables/group_metrics_week_ago.csv"));
    let labels: Vec<&str> = then
        .iter()
        .filter(|r| r["wave"] == "W1")
        .map(|r| r["group"].as_str())
        .collect();
    assert_eq!(labels, ["A", "B", "(all)"]);
    let weekly = read_table(&report.join("tables/weekly_progress.csv"));
    assert!(weekly.iter().all(|r| !r["group"].contains("small")));
    safe(dir.path(), &config, 5);
}

/// Issue 12, finding 3: W1's openers are 3 (a side too small to show), all enrolled;
/// the overall row minus W2 would give their enrolled count away.
#[test]
fn the_overall_lift_row_hides_what_a_waves_row_hides() {
    let dir = tempfile::tempdir().unwrap();
    let opens: String = ["A1", "A2", "A3", "C2", "C3", "C4", "C5", "C6"]
        .iter()
        .map(|p| format!("{p}@x.org,w1-kickoff,open,2026-11-02T09:00:00Z\n"))
        .collect();
    let enrolled: String = ["A1", "A2", "A3", "C2", "C3"]
        .iter()
        .map(|p| format!("{p}@x.org,2026-11-04T09:00:00Z\n"))
        .collect();
    let config = scenario(
        dir.path(),
        5,
        "",
        &[("email.csv", &opens), ("enrollments.csv", &enrolled)],
    );
    let report = run_ok(&config, &dir.path().join("out"), &[]);
    let lift = read_table(&report.join("tables/lift.csv"));
    let row = |w: &str| {
        lift.iter()
            .find(|r| r["wave"] == w && r["factor"] == "opened_email")
            .unwrap()
    };
    // W1: 3 openers (A1..A3) < 5: their side is hidden. Overall: 8 openers, but shown
    // it would be "5 of 8 enrolled", minus W2's 2 of 5 = W1's 3 of 3.
    assert_eq!(row("W1")["n_with"], "3");
    assert_eq!(row("W1")["enrolled_with"], "");
    assert_eq!(row("W2")["enrolled_with"], "2");
    assert_eq!(row(ALL)["n_with"], "8");
    assert_eq!(row(ALL)["enrolled_with"], "");
    safe(dir.path(), &config, 5);
}

/// Issue 12, finding 4: a campaign that reached one person, and a category of one
/// ticket (`vip-laptop`), show no count; the category is folded.
#[test]
fn small_campaigns_and_categories_show_no_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut tickets: String = (1..=6)
        .map(|i| format!("T{i},B{i}@x.org,2026-11-05T09:00:00Z,2026-11-05T10:00:00Z,enrollment\n"))
        .collect();
    tickets.push_str("T9,A1@x.org,2026-11-05T09:00:00Z,2026-11-05T19:00:00Z,vip-laptop\n");
    let config = scenario(
        dir.path(),
        5,
        "",
        &[
            (
                "email.csv",
                "A1@x.org,w1-kickoff,open,2026-11-02T09:00:00Z\n",
            ),
            ("tickets.csv", &tickets),
        ],
    );
    let report = run_ok(&config, &dir.path().join("out"), &[]);
    let campaigns = read_table(&report.join("tables/campaigns.csv"));
    assert_eq!(campaigns[0]["recipients"], "");
    assert_eq!(campaigns[0]["open_rate"], "");
    assert_eq!(campaigns[0]["reach"], "");
    let categories = read_table(&report.join("tables/ticket_categories.csv"));
    assert!(categories.iter().all(|r| r["category"] != "vip-laptop"));
    let lessons = std::fs::read_to_string(report.join("lessons.md")).unwrap();
    assert!(!lessons.contains("vip-laptop"), "{lessons}");
    safe(dir.path(), &config, 5);
}

/// The attack is not blind: doctored tables with each kind of leak are caught.
#[test]
fn the_attack_finds_each_kind_of_leak_in_doctored_tables() {
    let dir = tempfile::tempdir().unwrap();
    let config = scenario(dir.path(), 5, "", &[]);
    let report = run_ok(&config, &dir.path().join("out"), &[]);
    assert!(attack(&report, 5).is_empty());
    let doctor = |table: &str, from: &str, to: &str| {
        let path = report.join(format!("tables/{table}.csv"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{table}: {from:?} not in\n{text}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let found = attack(&report, 5);
        std::fs::write(&path, text).unwrap();
        found
    };
    // Last week's A counted a leaver: 7 people against 6.
    assert!(!doctor("group_metrics_week_ago", "W1,A,6,", "W1,A,7,").is_empty());
    // A week of W2 counted 8 people, the next 7.
    assert!(!doctor(
        "weekly_progress",
        "W2,C,2026-11-02,0,2026-11-08,12,",
        "W2,C,2026-11-02,0,2026-11-08,13,"
    )
    .is_empty());
    // A campaign shows 2 recipients.
    assert!(!doctor(
        "campaigns",
        "w1-kickoff,kickoff,W1,0,",
        "w1-kickoff,kickoff,W1,2,"
    )
    .is_empty());
    // A wave's (all) row is not the sum of its groups.
    assert!(!doctor("group_metrics", "W1,(all),14,", "W1,(all),16,").is_empty());
}

/// The ground truth is the hand-worked fixture's (tests/cli/workloads.rs): every shown
/// row's people are rebuilt, nothing nests under k = 3, and the attack sees what it
/// must at a higher k and in a doctored `cut_metrics`.
#[test]
fn the_nesting_attack_rebuilds_the_hand_worked_rows() {
    let dir = copy_fixture("workloads");
    let cfg = dir.path().join("uptake.toml");
    let report = run_ok(&cfg, &dir.path().join("out"), &[]);
    assert!(attack(&report, 3).is_empty());
    assert_eq!(
        nesting(&report, &cfg, "2026-11-20", 3),
        Vec::<String>::new()
    );
    // Read at k = 4: MDM's overall row (20 people) holds KFM's (17) with l1, l2 (K3 is
    // suppressed) and b1 (no KFM wave) between; M1's Lyon {f1 f2 f3} lies in K1's
    // Finance {f1..f6}.
    let found = nesting(&report, &cfg, "2026-11-20", 4);
    for want in [
        "MDM/(all) (20) holds KFM/(all) (17): 3 people apart",
        "KFM/K1/group=Finance (6) holds MDM/M1/location=Lyon (3): 3 people apart",
    ] {
        assert!(
            found.iter().any(|f| f == want),
            "{want}\n{}",
            found.join("\n")
        );
    }
    // A value counted one person too many: its wave's sum and its people disagree.
    let path = report.join("tables/cut_metrics.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("MDM,M1,location,Lyon,3,", "MDM,M1,location,Lyon,4,", 1),
    )
    .unwrap();
    assert!(!attack(&report, 3).is_empty());
    assert!(!nesting(&report, &cfg, "2026-11-20", 3).is_empty());
}

/// Shows what the attack finds in a report of another build (the binary named by
/// `UPTAKE_ATTACK_BIN`), e.g. the commit before one cohort per run; run with
/// `UPTAKE_ATTACK_BIN=/path/to/old/uptake cargo test --release --test cli attack --
/// --ignored --nocapture`.
#[test]
#[ignore = "needs UPTAKE_ATTACK_BIN: another build to attack"]
fn an_older_build_can_be_attacked_too() {
    let bin = std::env::var("UPTAKE_ATTACK_BIN").expect("UPTAKE_ATTACK_BIN");
    let dir = tempfile::tempdir().unwrap();
    let mut total = 0;
    for (users, seed, min) in [(300, 11, 3), (600, 12, 5), (1500, 13, 10), (2500, 14, 25)] {
        let data = generate(&dir.path().join(format!("r{seed}")), users, seed);
        let cfg = data.join("uptake.toml");
        with_threshold(&cfg, min);
        let out = dir.path().join(format!("out{seed}"));
        let status = std::process::Command::new(&bin)
            .args(["run", "--config"])
            .arg(&cfg)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        let found = attack(&out.join("latest"), min);
        println!("{users} people, min {min}: {} findings", found.len());
        for f in found.iter().take(8) {
            println!("  {f}");
        }
        total += found.len();
    }
    assert!(total > 0, "the older build shows no leak");
}

/// Campaigns reached through several channels (tests/fixtures/campaign_reach, worked
/// out in tests/cli/channels.rs): `kickoff` reached 7, of whom 4 opened its email.
/// Without p5's meeting it reaches 6: 2 more than its openers, the two people only a
/// touchpoint reached, so `reached` is not shown. The attack sees a doctored reach.
#[test]
fn a_campaigns_reach_gives_away_no_few_people_reached_only_by_touchpoints() {
    let dir = copy_fixture("campaign_reach");
    let cfg = dir.path().join("uptake.toml");
    let report = run_ok(&cfg, &dir.path().join("out"), &[]);
    assert!(attack(&report, 3).is_empty());
    let path = report.join("tables/campaigns.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen(",0.8,7,0.7,", ",0.8,5,0.5,", 1)).unwrap();
    let found = attack(&report, 3);
    assert_eq!(found, ["campaigns kickoff: reached 5 − openers 4"]);

    let touchpoints = dir.path().join("touchpoints.csv");
    let rows = std::fs::read_to_string(&touchpoints).unwrap();
    let without_p5 = rows.replace("p5@example.com,meeting,2026-11-02 11:00:00,kickoff\n", "");
    assert_ne!(rows, without_p5);
    std::fs::write(&touchpoints, without_p5).unwrap();
    let report = run_ok(&cfg, &dir.path().join("again"), &[]);
    let kickoff = &read_table(&report.join("tables/campaigns.csv"))[0];
    assert_eq!(
        (kickoff["openers"].as_str(), kickoff["reached"].as_str()),
        ("4", "")
    );
    assert_eq!(kickoff["reach_rate"], "");
    assert!(kickoff["note"].starts_with("counts of fewer people"));
    assert!(attack(&report, 3).is_empty());
    // The page says neither 6 nor "< 3" (6 is not few): the cell is empty.
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(page.contains(
        "<td class=\"n\">4</td><td class=\"n\">50.0 %</td><td class=\"n\">80.0 %</td>\
         <td class=\"n\">–</td><td class=\"n\">–</td>"
    ));
}

//! Tests of the generator: determinism, the files and their shapes, and what each
//! optional capability promises.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeDelta};
use sha2::{Digest, Sha256};

use super::person::attended_for;
use super::util::{as_of, at, date, mangle, toml_str, utc, with_offset};
use super::*;

fn run(users: usize, seed: u64, tag: &str) -> (PathBuf, GenerateSummary) {
    let out = std::env::temp_dir().join(format!("uptake-gen-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let summary = generate(&GenerateOptions {
        users,
        seed,
        out: out.clone(),
    });
    (out, summary.expect("generate"))
}

fn contents(summary: &GenerateSummary) -> Vec<Vec<u8>> {
    summary
        .files
        .iter()
        .map(|(p, _)| std::fs::read(p).expect("written"))
        .collect()
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let (a, first) = run(2000, 7, "a");
    let (b, second) = run(2000, 7, "b");
    let (c, third) = run(2000, 8, "c");
    assert_eq!(contents(&first), contents(&second));
    let (x, z) = (contents(&first), contents(&third));
    for k in 1..6 {
        assert_ne!(x[k], z[k], "{:?} ignores the seed", first.files[k].0);
    }
    for dir in [a, b, c] {
        std::fs::remove_dir_all(dir).expect("cleanup");
    }
}

#[test]
fn files_have_the_canonical_headers_and_counted_rows() {
    let (dir, summary) = run(3000, 1, "headers");
    let names: Vec<_> = summary
        .files
        .iter()
        .map(|(p, _)| p.file_name().expect("name"))
        .collect();
    let csvs = [
        "roster",
        "enrollments",
        "email_events",
        "attendance",
        "tickets",
    ];
    assert_eq!(names[0], "uptake.toml");
    assert_eq!(summary.files[0].1, 0);
    let layouts = [
        sink::roster(true, &[]),
        sink::enrollments(),
        sink::email(),
        sink::training(),
        sink::tickets(),
    ];
    for (k, layout) in layouts.iter().enumerate() {
        let (path, rows) = &summary.files[k + 1];
        assert_eq!(
            names[k + 1].to_str(),
            Some(format!("{}.csv", csvs[k]).as_str())
        );
        let text = std::fs::read_to_string(path).expect("written");
        assert_eq!(text.lines().next(), Some(layout.header.as_str()));
        assert_eq!(text.lines().count() as u64, rows + 1, "{path:?}");
        assert!(*rows > 0, "{path:?} is empty");
    }
    let toml = std::fs::read_to_string(&summary.files[0].0).expect("config");
    assert!(toml.contains(&format!("as_of = \"{}\"", as_of())));
    assert!(toml.contains("group_by = \"department\"") && toml.contains("[[campaigns]]"));
    std::fs::remove_dir_all(dir).expect("cleanup");
}

#[test]
fn tiny_and_empty_rosters_still_write_every_file() {
    for users in [0, 1, 7] {
        let (dir, summary) = run(users, 3, &format!("tiny{users}"));
        assert_eq!(summary.files.len(), 6);
        std::fs::remove_dir_all(dir).expect("cleanup");
    }
}

#[test]
fn planted_rollouts_are_a_pure_function_of_seed_and_effects() {
    let planted = |selection| Planted {
        trained: Some(2.0),
        opened: None,
        selection,
    };
    let gen = |tag: &str, p: &Planted| {
        let out = std::env::temp_dir().join(format!("uptake-gen-{}-{tag}", std::process::id()));
        let opts = GenerateOptions {
            users: 400,
            seed: 9,
            out: out.clone(),
        };
        let files = contents(&generate_planted(&opts, p).expect("generate"));
        std::fs::remove_dir_all(out).expect("cleanup");
        files
    };
    let (a, b) = (gen("pa", &planted(None)), gen("pb", &planted(None)));
    assert_eq!(a, b);
    assert_ne!(a, gen("pc", &planted(Some(1.0))));
    assert_ne!(a[2], gen("pd", &Planted::default())[2]);
    assert!(!Planted::default().active() && planted(None).active());
}

#[test]
fn training_reaches_the_threshold_inside_the_union_of_intervals() {
    let t = |m: i64| at(date(2026, 9, 8), 10) + TimeDelta::minutes(m);
    // [0, 20] and [10, 40] overlap: the union holds 30 minutes at minute 30.
    assert_eq!(
        attended_for(&[(t(10), t(40)), (t(0), t(20))], 30),
        Some(t(30))
    );
    // Dropped from minute 15 to 20: 15 + 15 minutes at minute 35.
    assert_eq!(
        attended_for(&[(t(0), t(15)), (t(20), t(60))], 30),
        Some(t(35))
    );
    // A second device inside the first interval adds nothing.
    assert_eq!(attended_for(&[(t(0), t(29)), (t(5), t(20))], 30), None);
}

#[test]
fn offsets_follow_paris_summer_time() {
    let local = |m, d| with_offset(at(date(2026, m, d), 10));
    assert_eq!(local(9, 10), "2026-09-10T10:00:00+02:00");
    assert_eq!(local(10, 24), "2026-10-24T10:00:00+02:00");
    assert_eq!(local(10, 26), "2026-10-26T10:00:00+01:00");
    assert_eq!(local(3, 30), "2026-03-30T10:00:00+02:00");
    assert_eq!(utc(at(date(2026, 11, 20), 10)), "2026-11-20T09:00:00Z");
}

#[test]
fn ids_are_mangled_like_a_hand_typed_export() {
    assert_eq!(
        mangle("anne.martin42@contoso.com"),
        "  Anne.Martin42@Contoso.Com "
    );
    assert_eq!(toml_str("R&D \"x\""), "\"R&D \\\"x\\\"\"");
}

// ---- the optional capabilities ------------------------------------------------

/// A rollout written into a temp folder that goes away with it.
struct Rollout {
    dir: tempfile::TempDir,
    summary: GenerateSummary,
}

impl Rollout {
    fn new(users: usize, seed: u64, features: Features) -> Rollout {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = GenerateOptions {
            users,
            seed,
            out: dir.path().join("r"),
        };
        let summary = generate_with(&opts, &Planted::default(), &features).expect("generate");
        Rollout { dir, summary }
    }
    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join("r").join(file)
    }
    fn text(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }
    /// A CSV file's rows as maps from header to cell (a BOM dropped).
    fn table(&self, file: &str) -> Vec<BTreeMap<String, String>> {
        read_table(&self.path(file))
    }
    /// Every file written, snapshots included, with its bytes.
    fn bytes(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let folders = self.summary.snapshots.iter().flat_map(|f| &f.files);
        let files = self.summary.files.iter().chain(folders);
        files
            .map(|(p, _)| {
                let name = p
                    .strip_prefix(self.dir.path())
                    .expect("inside")
                    .to_path_buf();
                (name, std::fs::read(p).expect("written"))
            })
            .collect()
    }
    /// The config, checked as `uptake run` checks it.
    fn config(&self) -> crate::config::Config {
        let path = self.path("uptake.toml");
        crate::config::parse(&path, &self.text("uptake.toml")).expect("the config is valid")
    }
}

fn read_table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{path:?}: {e}"));
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn features(f: impl FnOnce(&mut Features)) -> Features {
    let mut out = Features::default();
    f(&mut out);
    out
}

fn all() -> Features {
    Features {
        workloads: MAX_WORKLOADS,
        cuts: true,
        snapshots: true,
        channels: true,
        after: true,
    }
}

/// A person's id as the roster keys them: trimmed, lowercased, an alias (`mail`)
/// taken back to the `user_id`.
fn ids(roster: &[BTreeMap<String, String>]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for r in roster {
        let id = r["user_id"].trim().to_lowercase();
        if !id.is_empty() {
            out.insert(r["mail"].trim().to_lowercase(), id.clone());
            out.insert(id.clone(), id);
        }
    }
    out
}

#[test]
fn without_options_every_file_keeps_the_bytes_of_earlier_versions() {
    // sha256 of each file of `uptake generate --users 500 --seed 9`, written by the
    // version before the optional capabilities (commit a22a31d).
    const WANT: [(&str, &str); 6] = [
        (
            "uptake.toml",
            "a34a26c143f134f90010bb0e058ac15e53bbecb1267ebd40492deb32d060f027",
        ),
        (
            "roster.csv",
            "f0a3a544623c5454ef2f9b3b057a0a78f8158ee359c549e904376e7d4b121800",
        ),
        (
            "enrollments.csv",
            "1d82ad522ac2314d6104cd845a3c7bc2aea98efa7017a935e70f68427a939308",
        ),
        (
            "email_events.csv",
            "a192cb4aa8f363677ab7012e9b2d0fb49c6e5222ff301351323089c2a6c40ca3",
        ),
        (
            "attendance.csv",
            "2f4626056579b7eda94e0c7dd700bce843efa416308f6c6b3d04bb30c3c3b263",
        ),
        (
            "tickets.csv",
            "6a5a9b524f1493c429b82d6cdfa71a62465fbeee6b3f22ca5c7b749011e54def",
        ),
    ];
    let r = Rollout::new(500, 9, Features::default());
    let written: Vec<_> = r.summary.files.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(written.len(), WANT.len());
    assert!(r.summary.snapshots.is_empty());
    for (path, (file, want)) in written.iter().zip(WANT) {
        assert_eq!(path, &r.path(file));
        let bytes = std::fs::read(path).expect("written");
        let got: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, want, "{file} changed");
    }
}

#[test]
fn every_option_is_a_pure_function_of_users_and_seed() {
    let (a, b, c) = (
        Rollout::new(600, 5, all()),
        Rollout::new(600, 5, all()),
        Rollout::new(600, 6, all()),
    );
    let (x, y, z) = (a.bytes(), b.bytes(), c.bytes());
    // uptake.toml, 5 sources (3 of them as 12 snapshots), 3 further exports, 2 channel
    // files, usage (12 snapshots), the admin center report and the survey.
    assert_eq!(
        x.len(),
        1 + 2 + 3 + 2 + 2 + 4 * 12,
        "{:?}",
        x.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(x, y);
    let differ = x.iter().zip(&z).filter(|(p, q)| p.1 != q.1).count();
    assert!(differ > x.len() / 2, "only {differ} files follow the seed");
}

#[test]
fn an_option_leaves_the_files_it_does_not_touch_as_they_were() {
    let base = Rollout::new(1500, 3, Features::default());
    let same = |r: &Rollout, files: &[&str]| {
        for f in files {
            assert_eq!(base.text(f), r.text(f), "{f} changed");
        }
    };
    // Cuts only add roster columns.
    let cuts = Rollout::new(1500, 3, features(|f| f.cuts = true));
    same(
        &cuts,
        &[
            "enrollments.csv",
            "email_events.csv",
            "attendance.csv",
            "tickets.csv",
        ],
    );
    let (old, new) = (base.table("roster.csv"), cuts.table("roster.csv"));
    assert_eq!(old.len(), new.len());
    for (o, n) in old.iter().zip(&new) {
        assert_eq!(o["user_id"], n["user_id"]);
        assert_eq!(o["department"], n["department"]);
    }
    // After-enrollment data adds device columns and files; the people do as before.
    let after = Rollout::new(1500, 3, features(|f| f.after = true));
    same(
        &after,
        &[
            "roster.csv",
            "email_events.csv",
            "attendance.csv",
            "tickets.csv",
        ],
    );
    let (old, new) = (
        base.table("enrollments.csv"),
        after.table("enrollments.csv"),
    );
    assert_eq!(old.len(), new.len());
    for (o, n) in old.iter().zip(&new) {
        for column in ["user_id", "device_id", "os", "enrolled_at", "compliant"] {
            assert_eq!(o[column], n[column]);
        }
    }
}

#[test]
fn a_workload_count_outside_one_to_four_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = GenerateOptions {
        users: 10,
        seed: 1,
        out: dir.path().join("r"),
    };
    for n in [0, MAX_WORKLOADS + 1] {
        let f = features(|f| f.workloads = n);
        let err = generate_with(&opts, &Planted::default(), &f)
            .err()
            .expect("refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{n}");
    }
}

#[test]
fn three_workloads_run_on_their_own_schedules_with_their_own_exports() {
    let r = Rollout::new(3000, 12, features(|f| f.workloads = 3));
    let cfg = r.config();
    let names: Vec<&str> = cfg.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["Intune MDM", "App protection", "OneDrive KFM"]);
    assert_eq!(cfg.workloads[2].wave_column.as_deref(), Some("kfm_wave"));
    let starts =
        |w: usize| -> Vec<NaiveDate> { cfg.waves_of(w).map(|(_, wave)| wave.start).collect() };
    let (mdm, mam, kfm) = (starts(0), starts(1), starts(2));
    assert_eq!((mdm.len(), mam.len(), kfm.len()), (4, 3, 3));
    assert!(mdm.iter().all(|s| !mam.contains(s) && !kfm.contains(s)));
    assert!(mam.iter().all(|s| !kfm.contains(s)));
    assert!(
        kfm.iter().any(|&s| s > as_of()),
        "no KFM wave is still to start"
    );
    // A department is in one wave per workload, and waves regroup departments.
    let groups = |w: usize| -> Vec<Vec<String>> {
        cfg.waves_of(w)
            .map(|(_, wave)| wave.groups.clone())
            .collect()
    };
    assert_ne!(groups(0)[0], groups(1)[0]);
    assert!(
        groups(2).iter().all(Vec::is_empty),
        "KFM goes by the roster column"
    );
    // One enrollments table per workload; the first is the Intune export.
    let tables = &cfg.sources[&crate::schema::Source::Enrollments];
    let formats: Vec<_> = tables.iter().map(|t| (t.format, t.workload)).collect();
    use crate::config::{Format, Tool};
    assert_eq!(
        formats,
        [
            (Format::Tool(Tool::Intune), Some(0)),
            (Format::Canonical, Some(1)),
            (Format::Canonical, Some(2)),
        ]
    );
    let intune = r.text("DevicesWithInventory_2026-11-20.csv");
    assert!(intune.starts_with("\u{feff}\"Device ID\",\"Device name\",\"Enrollment date\""));
    // The roster names each person's KFM wave (or none); champions pilot it.
    let roster = r.table("roster.csv");
    let cells: BTreeSet<String> = roster
        .iter()
        .map(|p| p["kfm_wave"].to_lowercase())
        .collect();
    assert_eq!(
        cells,
        ["", "kfm 1", "kfm 2", "kfm 3"].map(String::from).into(),
        "{cells:?}"
    );
    assert!(roster
        .iter()
        .filter(|p| p["champion"] == "yes")
        .all(|p| p["kfm_wave"] == "KFM 1"));
    // Some people are ahead on one workload and behind on another: enrolled in
    // workload A and not B, and the other way round.
    let who = ids(&roster);
    let adopters = |file: &str, column: &str| -> BTreeSet<String> {
        r.table(file)
            .iter()
            .filter_map(|row| who.get(&row[column].trim().to_lowercase()).cloned())
            .collect()
    };
    let first = adopters("DevicesWithInventory_2026-11-20.csv", "Primary user UPN");
    let second = adopters("app_protection.csv", "user_id");
    let third = adopters("onedrive_kfm.csv", "user_id");
    for (a, b) in [(&first, &second), (&second, &third), (&first, &third)] {
        assert!(a.difference(b).count() > 50 && b.difference(a).count() > 50);
        assert!(a.intersection(b).count() > 100);
    }
}

#[test]
fn four_workloads_end_with_defender_whose_export_names_its_workload() {
    let r = Rollout::new(3000, 13, features(|f| f.workloads = 4));
    assert_eq!(r.config().workloads.len(), 4);
    let rows = r.table("defender.csv");
    let named: BTreeSet<&str> = rows.iter().map(|row| row["workload"].as_str()).collect();
    assert!(
        named.contains("Defender") && named.contains("defender"),
        "{named:?}"
    );
    let text = r.text("uptake.toml");
    assert_eq!(text.matches("[[sources.enrollments]]").count(), 4);
    assert!(text.contains("name = \"Defender 3\"\nworkload = \"Defender\"\nstart = \"2026-12-14\""));
}

#[test]
fn cuts_give_sites_and_cost_centres_that_the_privacy_rules_must_fold() {
    let r = Rollout::new(4000, 21, features(|f| f.cuts = true));
    assert_eq!(r.config().cuts, ["location", "cost_center"]);
    let roster = r.table("roster.csv");
    let mut by_site: BTreeMap<&str, usize> = BTreeMap::new();
    let mut centres: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut depts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for p in &roster {
        if !seen.insert(p["user_id"].trim().to_lowercase()) {
            continue; // a sprinkled duplicate or conflicting row
        }
        *by_site.entry(&p["location"]).or_default() += 1;
        *depts.entry(&p["department"]).or_default() += 1;
        *centres
            .entry(&p["cost_center"])
            .or_default()
            .entry(&p["department"])
            .or_default() += 1;
    }
    // Sites of very different sizes, three of them tiny.
    let tiny: Vec<_> = by_site.iter().filter(|(_, &n)| n < 5).collect();
    assert_eq!(tiny.len(), 3, "{by_site:?}");
    assert!(by_site.values().max() > Some(&400));
    // Cost centres cut across departments; two hold a handful of people.
    let size = |c: &BTreeMap<&str, usize>| c.values().sum::<usize>();
    assert!(centres.values().filter(|c| c.len() >= 3).count() >= 3);
    assert_eq!(
        centres.values().filter(|c| size(c) < 5).count(),
        2,
        "{centres:?}"
    );
    // Two are a whole department and one to three people of others.
    let near = centres
        .values()
        .filter(|c| {
            let (top, n) = c.iter().max_by_key(|(_, &n)| n).expect("people");
            n == &depts[top] && (1..=3).contains(&(size(c) - n))
        })
        .count();
    assert_eq!(near, 2, "{centres:?}");
}

#[test]
fn snapshots_hold_movers_leavers_joiners_and_retired_devices() {
    let r = Rollout::new(3000, 42, features(|f| f.snapshots = true));
    let folder = |name: &str| -> &SnapshotFolder {
        let f = r.summary.snapshots.iter().find(|f| f.path.ends_with(name));
        f.unwrap_or_else(|| panic!("no {name}/"))
    };
    let (roster, devices, tickets) = (folder("roster"), folder("devices"), folder("tickets"));
    // One snapshot per Friday from 2026-09-04 up to the as-of day.
    let fridays: Vec<String> = (0..12)
        .map(|k| (date(2026, 9, 4) + TimeDelta::days(7 * k)).to_string())
        .collect();
    assert_eq!(fridays.last().map(String::as_str), Some("2026-11-20"));
    for (folder, prefix) in [(roster, "entra"), (devices, "intune"), (tickets, "itsm")] {
        let names: Vec<String> = folder
            .files
            .iter()
            .map(|(p, _)| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        let want: Vec<String> = fridays
            .iter()
            .map(|d| format!("{prefix}_{d}.csv"))
            .collect();
        assert_eq!(names, want);
    }
    assert!(!r.path("roster.csv").exists() && !r.path("enrollments.csv").exists());
    let toml = r.text("uptake.toml");
    for path in ["roster/", "devices/", "tickets/"] {
        assert!(toml.contains(&format!(
            "path = \"{path}\"\nformat = \"canonical\"\nsnapshots = true"
        )));
    }
    // Each roster snapshot: who is there, in which department. No `left_on` column.
    let snaps: Vec<BTreeMap<String, String>> = roster
        .files
        .iter()
        .map(|(p, _)| {
            let rows = read_table(p);
            assert!(!rows[0].contains_key("left_on"));
            let mut people = BTreeMap::new();
            for row in rows {
                let id = row["user_id"].trim().to_lowercase();
                if !id.is_empty() {
                    people.entry(id).or_insert(row["department"].clone());
                }
            }
            people
        })
        .collect();
    let pairs = || snaps.windows(2);
    let movers = pairs()
        .map(|w| {
            w[0].iter()
                .filter(|(id, d)| w[1].get(*id).is_some_and(|e| e != *d))
                .count()
        })
        .sum::<usize>();
    let leavers = pairs()
        .map(|w| w[0].keys().filter(|id| !w[1].contains_key(*id)).count())
        .sum::<usize>();
    let joiners = pairs()
        .map(|w| w[1].keys().filter(|id| !w[0].contains_key(*id)).count())
        .sum::<usize>();
    // 3 % move, 2.5 % join, 2 % leave (two thirds of them between the first and the
    // last snapshot): about 85, 70 and 35 of 3 000.
    assert!((40..150).contains(&movers), "{movers} movers");
    assert!((40..120).contains(&joiners), "{joiners} joiners");
    assert!((15..70).contains(&leavers), "{leavers} leavers");
    // A joiner did nothing before joining: no email before the snapshot before the
    // one they first appear in.
    let email = r.table("email_events.csv");
    let who = ids(&read_table(&roster.files[11].0));
    let mut first_seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (k, snap) in snaps.iter().enumerate().skip(1) {
        for id in snap.keys().filter(|id| !snaps[k - 1].contains_key(*id)) {
            first_seen.entry(id).or_insert(&fridays[k - 1]);
        }
    }
    let mut checked = 0;
    for e in &email {
        let Some(id) = who.get(&e["user_id"].trim().to_lowercase()) else {
            continue;
        };
        if let Some(&before) = first_seen.get(id.as_str()) {
            if e["timestamp"].starts_with("2026-") {
                assert!(
                    &e["timestamp"][..10] > before,
                    "{id} got email before joining"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    // Devices: present from enrollment, as of each Friday; some retired (gone while
    // their owner stays), some stale, some non-compliant, some changing state.
    let devs: Vec<BTreeMap<String, BTreeMap<String, String>>> = devices
        .files
        .iter()
        .map(|(p, _)| {
            let rows = read_table(p);
            assert!(rows[0].contains_key("compliant") && rows[0].contains_key("last_check_in"));
            rows.into_iter()
                .map(|d| (d["device_id"].clone(), d))
                .collect()
        })
        .collect();
    let mut retired = 0;
    for k in 0..11 {
        for (device, row) in &devs[k] {
            let owner = row["user_id"].trim().to_lowercase();
            let owner = who.get(&owner).cloned().unwrap_or(owner);
            if !devs[k + 1].contains_key(device) && snaps[k + 1].contains_key(&owner) {
                retired += 1;
            }
        }
    }
    assert!(retired > 10, "{retired} retired devices");
    let last = &devs[11];
    let stale = last
        .values()
        .filter(|d| d["last_check_in"].as_str() < "2026-10-21")
        .count();
    let noncompliant = last.values().filter(|d| d["compliant"] == "false").count();
    let changed = devs[10]
        .iter()
        .filter(|(id, d)| {
            last.get(*id)
                .is_some_and(|e| e["compliant"] != d["compliant"])
        })
        .count();
    assert!(
        stale > 10 && noncompliant > 100 && changed > 0,
        "{stale} {noncompliant} {changed}"
    );
    assert!(
        devs.windows(2).all(|w| w[0].len() < w[1].len() + 60),
        "devices come and go slowly"
    );
    // Tickets: each snapshot has each ticket's state then; some get resolved.
    let states: Vec<BTreeMap<String, String>> = tickets
        .files
        .iter()
        .map(|(p, _)| {
            read_table(p)
                .into_iter()
                .map(|t| (t["ticket_id"].clone(), t["status"].clone()))
                .collect()
        })
        .collect();
    let resolved_later = states
        .windows(2)
        .map(|w| {
            w[0].iter()
                .filter(|(t, s)| *s != "resolved" && w[1].get(*t).is_some_and(|n| n == "resolved"))
                .count()
        })
        .sum::<usize>();
    assert!(resolved_later > 20, "{resolved_later}");
}

#[test]
fn channels_reach_people_beyond_email_and_train_them_two_more_ways() {
    let r = Rollout::new(3000, 8, features(|f| f.channels = true));
    let toml = r.text("uptake.toml");
    assert!(toml.contains("[sources.touchpoints]\npath = \"touchpoints.csv\""));
    assert!(toml.contains("[sources.completions]\npath = \"completions.csv\""));
    assert!(
        toml.contains("[[training_methods]]\nname = \"brown bag\"\nsessions = [\"Brown bag*\"]")
    );
    let roster = r.table("roster.csv");
    let who = ids(&roster);
    let dept: BTreeMap<&str, &str> = roster
        .iter()
        .map(|p| (p["user_id"].as_str(), p["department"].as_str()))
        .collect();
    let openers: BTreeSet<String> = r
        .table("email_events.csv")
        .iter()
        .filter(|e| {
            matches!(e["event"].to_lowercase().as_str(), "open" | "click")
                && e["machine_open"].is_empty()
        })
        .filter_map(|e| who.get(&e["user_id"].trim().to_lowercase()).cloned())
        .collect();
    let touchpoints = r.table("touchpoints.csv");
    assert_eq!(
        touchpoints[0].keys().collect::<Vec<_>>(),
        ["campaign", "channel", "timestamp", "user_id"]
    );
    let spelled: BTreeSet<&str> = touchpoints.iter().map(|t| t["channel"].as_str()).collect();
    let channels: BTreeSet<String> = spelled.iter().map(|c| c.to_lowercase()).collect();
    assert_eq!(
        channels,
        ["intranet", "meeting", "poster", "viva engage"]
            .map(String::from)
            .into()
    );
    assert!(spelled.contains("Viva Engage") && spelled.contains("viva engage"));
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &touchpoints {
        if let Some(id) = who.get(&t["user_id"].trim().to_lowercase()) {
            reached
                .entry(id.clone())
                .or_default()
                .insert(t["channel"].to_lowercase());
        }
    }
    let only_other = reached.keys().filter(|id| !openers.contains(*id)).count();
    let several = reached.values().filter(|c| c.len() >= 2).count();
    let both = reached.keys().filter(|id| openers.contains(*id)).count();
    assert!(
        only_other > 100 && several > 100 && both > 300,
        "{only_other} {several} {both}"
    );
    // A meeting shares its campaign's name with the email campaign.
    assert!(touchpoints
        .iter()
        .any(|t| t["channel"] == "meeting" && t["campaign"] == "w1-kickoff"));
    // Some departments ignore email but go to the meetings.
    let mut per: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for p in &roster {
        let id = p["user_id"].as_str();
        let e = per.entry(dept[id]).or_default();
        e.0 += 1;
        e.1 += usize::from(openers.contains(id));
        e.2 += usize::from(reached.get(id).is_some_and(|c| c.contains("meeting")));
    }
    let ignoring = per
        .values()
        .filter(|&&(n, open, meet)| n >= 30 && open * 10 < n * 4 && meet * 10 > n * 5)
        .count();
    assert!(ignoring >= 1, "{per:?}");
    // Trained by a brown bag, by the course, or both ways.
    let attendance = r.table("attendance.csv");
    let brown: BTreeSet<String> = attendance
        .iter()
        .filter(|a| a["session"].starts_with("Brown bag "))
        .filter_map(|a| who.get(&a["user_id"].trim().to_lowercase()).cloned())
        .collect();
    let sessions: BTreeSet<String> = attendance
        .iter()
        .filter(|a| a["session"].starts_with('W'))
        .filter_map(|a| who.get(&a["user_id"].trim().to_lowercase()).cloned())
        .collect();
    let completions = r.table("completions.csv");
    assert_eq!(
        completions[0].keys().collect::<Vec<_>>(),
        ["completed_at", "course", "user_id"]
    );
    let completed: BTreeSet<String> = completions
        .iter()
        .filter_map(|c| who.get(&c["user_id"].trim().to_lowercase()).cloned())
        .collect();
    assert!(
        brown.len() > 100 && completed.len() > 200,
        "{} {}",
        brown.len(),
        completed.len()
    );
    assert!(completed.intersection(&sessions).count() > 30);
    assert!(completed.intersection(&brown).count() > 10);
    assert!(
        completed.difference(&sessions).count() > 100,
        "trained only by the course"
    );
}

#[test]
fn after_enrollment_devices_use_and_the_survey_tell_the_rest() {
    let r = Rollout::new(4000, 17, features(|f| f.after = true));
    let toml = r.text("uptake.toml");
    for needle in [
        "active_days = 30\n\n[survey]\nscale = [1, 5]\nsatisfied_from = 4",
        "[sources.usage]\npath = \"usage.csv\"",
        "[sources.survey]\npath = \"survey.csv\"",
        "health_target = 0.85\nactive_target = 0.7\nsatisfaction_target = 0.6",
    ] {
        assert!(toml.contains(needle), "{needle}");
    }
    // Devices: some stale (no check-in for 30 days), some non-compliant, and people
    // with two devices of which one is healthy.
    let devices = r.table("enrollments.csv");
    let healthy = |d: &BTreeMap<String, String>| {
        d["compliant"] == "true" && d["last_check_in"].as_str() >= "2026-10-21"
    };
    let stale = devices
        .iter()
        .filter(|d| d["last_check_in"].as_str() < "2026-10-21")
        .count();
    let noncompliant = devices.iter().filter(|d| d["compliant"] == "false").count();
    assert!(stale > 30 && noncompliant > 200, "{stale} {noncompliant}");
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for d in &devices {
        let e = per.entry(d["user_id"].as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(healthy(d));
    }
    assert!(per.values().filter(|&&(n, h)| n == 2 && h == 1).count() > 20);
    // Never a check-in before enrolling (rows whose enrollment is a sprinkled bad
    // timestamp aside).
    let good = |d: &&BTreeMap<String, String>| d["enrolled_at"].ends_with('Z');
    assert!(devices
        .iter()
        .filter(good)
        .all(|d| d["last_check_in"] >= d["enrolled_at"]));
    // Use: one row per adopter, some active lately, some not for 30 days.
    let usage = r.table("usage.csv");
    assert!(usage
        .iter()
        .all(|u| u["workload"] == "Contoso Intune rollout"
            || u["workload"] == "Defender for Endpoint"));
    let lapsed = usage
        .iter()
        .filter(|u| u["last_active"].as_str() < "2026-10-21")
        .count();
    assert!(
        lapsed > 50 && lapsed < usage.len() / 2,
        "{lapsed} of {}",
        usage.len()
    );
    // The admin center report, as Microsoft documents its columns.
    let report = r.text("m365_active_users.csv");
    let header: Vec<&str> = report.lines().next().expect("header").split(',').collect();
    assert_eq!(header.len(), 24);
    assert_eq!(
        &header[..3],
        ["Report Refresh Date", "User Principal Name", "Display Name"]
    );
    assert_eq!(header[12], "OneDrive Last Activity Date");
    assert!(
        report.lines().skip(1).any(|l| l.contains(",True,2026-")),
        "no deleted user"
    );
    // The survey: scores 1 to 5, anonymous answers with a department, comments in
    // English and French, response rates that differ by department.
    let survey = r.table("survey.csv");
    let scores: BTreeSet<&str> = survey.iter().map(|s| s["score"].as_str()).collect();
    for s in ["1", "2", "3", "4", "5"] {
        assert!(scores.contains(s), "{scores:?}");
    }
    let anonymous = survey.iter().filter(|s| s["user_id"].is_empty()).count();
    assert!(
        anonymous * 10 > survey.len() && anonymous * 3 < survey.len(),
        "{anonymous}"
    );
    assert!(survey.iter().all(|s| !s["department"].is_empty()));
    let comments: Vec<&str> = survey.iter().map(|s| s["comment"].as_str()).collect();
    assert!(comments
        .iter()
        .any(|c| c.contains("merci") || c.contains("été")));
    assert!(comments.iter().any(|c| c.contains("the ")));
    assert!(
        comments.iter().any(|c| c.contains('\n')),
        "no comment over two lines"
    );
    // Answers of identified people per enrolled person, by department.
    let roster = r.table("roster.csv");
    let who = ids(&roster);
    let mut dept: BTreeMap<String, &str> = BTreeMap::new();
    for p in &roster {
        dept.entry(p["user_id"].trim().to_lowercase())
            .or_insert(p["department"].as_str());
    }
    let people = |rows: &[BTreeMap<String, String>]| -> BTreeSet<String> {
        rows.iter()
            .filter_map(|row| who.get(&row["user_id"].trim().to_lowercase()).cloned())
            .collect()
    };
    let mut per_dept: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for id in people(&devices) {
        per_dept.entry(dept[&id]).or_default().0 += 1;
    }
    for id in people(&survey) {
        per_dept.entry(dept[&id]).or_default().1 += 1;
    }
    let rates: Vec<f64> = per_dept
        .values()
        .filter(|&&(n, _)| n >= 50)
        .map(|&(n, k)| k as f64 / n as f64)
        .collect();
    let spread =
        rates.iter().cloned().fold(0.0, f64::max) - rates.iter().cloned().fold(1.0, f64::min);
    assert!(spread > 0.1, "{rates:?}");
}

#[test]
fn the_new_files_get_bad_rows_too() {
    let r = Rollout::new(8000, 2, all());
    let has = |file: &str, column: &str, f: &dyn Fn(&str) -> bool| {
        r.table(file).iter().any(|row| f(&row[column]))
    };
    let stranger = |c: &str| c.starts_with("former.employee");
    assert!(has("touchpoints.csv", "user_id", &stranger));
    assert!(has("completions.csv", "user_id", &|c| c.is_empty()));
    assert!(has("survey.csv", "score", &|c| ["6", "0", "five"].contains(&c)));
    assert!(has("defender.csv", "workload", &|c| c
        == "Defender for Endpoint"));
    assert!(has("app_protection.csv", "enrolled_at", &|c| !c
        .starts_with("2026-")));
    assert!(has("m365_active_users.csv", "User Principal Name", &|c| c
        .is_empty()));
    // A shared device: no UPN and no email.
    let shared = (0..12).any(|k| {
        let day = date(2026, 9, 4) + TimeDelta::days(7 * k);
        let rows = r.table(&format!("devices/intune_{day}.csv"));
        rows.iter()
            .any(|d| d["Primary user UPN"].is_empty() && d["Primary user email address"].is_empty())
    });
    assert!(shared);
    // A conflict inside one roster snapshot: the same person in two departments.
    let conflict = (0..12).any(|k| {
        let day = date(2026, 9, 4) + TimeDelta::days(7 * k);
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        r.table(&format!("roster/entra_{day}.csv")).iter().any(|p| {
            let id = p["user_id"].trim().to_lowercase();
            !id.is_empty()
                && seen
                    .insert(id, p["department"].clone())
                    .is_some_and(|d| d != p["department"])
        })
    });
    assert!(conflict);
}

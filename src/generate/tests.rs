//! Tests of the generator: determinism, the files and their shapes, and what each
//! optional capability promises.

use std::path::PathBuf;

use chrono::TimeDelta;

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

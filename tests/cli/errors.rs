//! Errors a user can hit: each names the thing to fix and exits with the right code.

use predicates::prelude::*;

use crate::util::{copy_fixture, uptake};

#[test]
fn bad_command_line_exits_2() {
    uptake()
        .arg("run")
        .arg("--as-of")
        .arg("20/11/2026")
        .assert()
        .code(2);
    uptake().arg("frobnicate").assert().code(2);
}

#[test]
fn config_errors_name_the_key_and_exit_2() {
    let cases = [
        (
            "min_group_size = 3",
            "min_group_size = 3\nmin_size = 2",
            "`thresholds.min_size`",
        ),
        ("wave = \"W2\"", "wave = \"W9\"", "unknown wave `W9`"),
        (
            "phase = \"kickoff\"\nwave = \"W1\"",
            "phase = \"launch\"\nwave = \"W1\"",
            "unknown phase `launch`",
        ),
        ("[28, 0.8]", "[10, 0.8]", "not increasing in days"),
        (
            "[42, 1.0]",
            "[42, 1.5]",
            "`waves[0].enrollment_target[2]`: 1.5 is not a share",
        ),
        ("Europe/Paris", "Europe/Parsi", "`rollout.timezone`"),
        (
            "path = \"tickets.csv\"",
            "",
            "`sources.tickets.path`: missing",
        ),
    ];
    for (from, to, expected) in cases {
        let dir = copy_fixture("handworked");
        let cfg = dir.path().join("uptake.toml");
        let text = std::fs::read_to_string(&cfg).unwrap();
        assert!(text.contains(from), "fixture lacks {from:?}");
        std::fs::write(&cfg, text.replacen(from, to, 1)).unwrap();
        uptake()
            .arg("run")
            .arg("--config")
            .arg(&cfg)
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
        assert!(
            !dir.path().join("out").exists(),
            "a config error wrote output"
        );
    }
}

#[test]
fn missing_config_file_exits_2() {
    uptake()
        .args(["validate", "--config", "/nonexistent/uptake.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the config"));
}

#[test]
fn missing_input_file_names_source_and_path() {
    let dir = copy_fixture("handworked");
    std::fs::remove_file(dir.path().join("email.csv")).unwrap();
    uptake()
        .arg("run")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "email.csv: no such file or folder",
        ))
        .stderr(predicate::str::contains("[sources.email] path"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn missing_column_names_file_column_found_and_closest() {
    let dir = copy_fixture("handworked");
    let path = dir.path().join("enrollments.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("enrolled_at", "EnrolledDateTime", 1)).unwrap();
    uptake()
        .arg("validate")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "enrollments.csv: missing required column `enrolled_at`",
        ))
        .stderr(predicate::str::contains(
            "found: user_id, device_id, EnrolledDateTime",
        ))
        .stderr(predicate::str::contains(
            "help: a header with a similar name exists: `EnrolledDateTime`",
        ))
        .stderr(predicate::str::contains(
            "columns = { enrolled_at = \"EnrolledDateTime\" }",
        ));
}

#[test]
fn mapped_columns_are_honoured() {
    let dir = copy_fixture("handworked");
    let path = dir.path().join("enrollments.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("enrolled_at", "EnrolledDateTime", 1)).unwrap();
    let cfg = dir.path().join("uptake.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replacen(
            "path = \"enrollments.csv\"",
            "path = \"enrollments.csv\"\ncolumns = { enrolled_at = \"EnrolledDateTime\" }",
            1,
        ),
    )
    .unwrap();
    uptake()
        .arg("validate")
        .arg("--config")
        .arg(&cfg)
        .assert()
        .success();
}

#[test]
fn a_binary_file_is_refused_by_name_and_an_empty_one_is_noted() {
    let dir = copy_fixture("handworked");
    let bytes: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join("email.csv"), bytes).unwrap();
    uptake()
        .arg("validate")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "email.csv: does not look like a CSV text file",
        ));

    let dir = copy_fixture("handworked");
    std::fs::write(dir.path().join("training.csv"), b"").unwrap();
    std::fs::write(
        dir.path().join("tickets.csv"),
        b"ticket_id,user_id,opened_at\n",
    )
    .unwrap();
    uptake()
        .arg("validate")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("training.csv has no data rows"))
        .stdout(predicate::str::contains("tickets.csv has no data rows"));
}

#[test]
fn an_as_of_day_before_every_wave_is_refused() {
    let dir = copy_fixture("handworked");
    uptake()
        .arg("run")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .args(["--as-of", "2025-11-20", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`--as-of`: 2025-11-20 is before every wave: the first, `W1`, starts 2026-10-19",
        ));
    assert!(!dir.path().join("out").exists());
}

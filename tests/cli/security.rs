//! Security (issue 8, point 5): formulas neutralised in every CSV cell written,
//! every string escaped in HTML, SVG and the Markdown digests, no name from the
//! config or the data leading a write outside `--out`, no person named in a
//! sponsor-facing file of a generated rollout.

use std::collections::HashSet;
use std::path::Path;

use polars::prelude::*;

use crate::report::balanced_tags;
use crate::util::{all_files, copy_fixture, generate, read_csv, run_ok, sponsor_files};

/// Replaces every `from` with `to` in the fixture file `name`.
fn replace_in(dir: &Path, name: &str, pairs: &[(&str, &str)]) {
    let path = dir.join(name);
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in pairs {
        assert!(text.contains(from), "{name} lacks {from:?}");
        text = text.replace(from, to);
    }
    std::fs::write(&path, text).unwrap();
}

/// Payloads a hostile (or careless) export or config can carry.
const SCRIPT: &str = "<script>alert(\"x\")</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";
const SVG: &str = "<svg onload=alert(2)>";

/// The hand-worked fixture with formulas and markup in every string that reaches
/// an output: rollout, wave, group, campaign, session and category names, a
/// person's id and name (in the nudge list), a quarantined row. Nothing is folded
/// (`min_group_size = 1`), so that every hostile name reaches the outputs.
fn hostile() -> tempfile::TempDir {
    let dir = copy_fixture("handworked");
    let d = dir.path();
    let wave = "=1+1 <i>W1</i> & \\\"one\\\"";
    replace_in(
        d,
        "uptake.toml",
        &[
            (
                "name = \"Hand-worked rollout\"",
                &format!("name = \"{} & Co\"", SCRIPT.replace('"', "\\\"")),
            ),
            ("min_group_size = 3", "min_group_size = 1"),
            ("\"W1\"", &format!("\"{wave}\"")),
            ("\"Finance\"", "\"@SUM(1+1)<script>\""),
            ("\"HR\"", "\"-2+3 \\\"HR\\\"\""),
            ("\"Sales\"", "\"+cmd|' /C calc'!A0\""),
            (
                "\"w1-kickoff\"",
                "\"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\"",
            ),
        ],
    );
    replace_in(
        d,
        "roster.csv",
        &[
            (",Finance,", ",@SUM(1+1)<script>,"),
            (",HR,", ",\"-2+3 \"\"HR\"\"\","),
            (",Sales,", ",+cmd|' /C calc'!A0,"),
        ],
    );
    let roster = d.join("roster.csv");
    let mut text = std::fs::read_to_string(&roster).unwrap();
    text.push_str("=evil@example.com,\"=HYPERLINK(\"\"http://x\"\")\",,@SUM(1+1)<script>,,\n");
    std::fs::write(&roster, text).unwrap();
    replace_in(
        d,
        "email.csv",
        &[(
            ",w1-kickoff,",
            ",\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",",
        )],
    );
    replace_in(d, "training.csv", &[(",Basics A,", &format!(",{IMG},"))]);
    replace_in(
        d,
        "tickets.csv",
        &[(",enrollment,", &format!(",-cmd {SVG},"))],
    );
    let tickets = d.join("tickets.csv");
    let mut text = std::fs::read_to_string(&tickets).unwrap();
    text.push_str("=T9,@f1@example.com,not a date,,+x,\n");
    std::fs::write(&tickets, text).unwrap();
    dir
}

#[test]
fn every_csv_cell_written_is_formula_safe() {
    let dir = hostile();
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &["--user-lists"],
    );
    let csvs: Vec<_> = all_files(&report)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    // Every table, every quarantine file, every nudge list.
    assert!(csvs.len() >= 8 + 5 + 2, "{csvs:?}");
    let mut neutralised = 0;
    for path in &csvs {
        for (i, row) in read_csv(path).iter().enumerate() {
            for cell in row {
                if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    assert!(
                        cell.parse::<f64>().is_ok(),
                        "{}:{}: a spreadsheet would run {cell:?}",
                        path.display(),
                        i + 1
                    );
                }
                neutralised += usize::from(cell.starts_with("'=") || cell.starts_with("'@"));
            }
        }
    }
    // The hostile names did reach the files (the check above is not vacuous).
    assert!(neutralised > 10, "{neutralised}");
    let nudge: String = all_files(&report.join("private"))
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(nudge.contains("'=evil@example.com"), "{nudge}");
    let quarantine = std::fs::read_to_string(report.join("quarantine/tickets.csv")).unwrap();
    assert!(quarantine.contains("'=T9"), "{quarantine}");
}

#[test]
fn every_string_is_escaped_in_the_page_the_charts_and_the_digests() {
    let dir = hostile();
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    let raw = [SCRIPT, "<script>", IMG, SVG, "<i>W1</i>"];
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    balanced_tags(&html);
    for p in raw {
        assert!(!html.contains(p), "index.html holds {p:?} unescaped");
    }
    for shown in [
        "&lt;script&gt;alert",
        "&lt;svg onload=alert(2)&gt;",
        "&lt;i&gt;W1&lt;",
    ] {
        assert!(html.contains(shown), "index.html does not show {shown:?}");
    }
    let svgs: Vec<_> = all_files(&report.join("charts"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert!(svgs.len() >= 4);
    let mut shown = 0;
    for svg in &svgs {
        let text = std::fs::read_to_string(svg).unwrap();
        balanced_tags(&text);
        for p in raw {
            assert!(!text.contains(p), "{} holds {p:?} unescaped", svg.display());
        }
        // (Cut to the label column with an ellipsis, but escaped.)
        shown += text.matches("SUM(1+1)&lt;").count();
    }
    assert!(shown > 0, "no chart shows the hostile group name");
    for md in ["summary.md", "lessons.md"] {
        let text = std::fs::read_to_string(report.join(md)).unwrap();
        for p in raw {
            assert!(!text.contains(p), "{md} holds {p:?} unescaped");
        }
    }
}

#[test]
fn no_name_in_the_config_or_the_data_leads_a_write_outside_out() {
    let dir = copy_fixture("handworked");
    let d = dir.path();
    replace_in(
        d,
        "uptake.toml",
        &[
            ("\"W1\"", "\"../../escape\""),
            ("\"W2\"", "\"/tmp/x/../../W2\""),
        ],
    );
    replace_in(d, "roster.csv", &[(",Finance,", ",../../Finance,")]);
    let before: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let out = d.join("out");
    let report = run_ok(&d.join("uptake.toml"), &out, &["--user-lists"]);
    let mut after: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    after.retain(|p| !before.contains(p));
    assert_eq!(
        after,
        std::slice::from_ref(&out),
        "the run wrote beside --out"
    );
    let private: Vec<String> = std::fs::read_dir(report.join("private"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(private.len(), 2, "{private:?}");
    for name in &private {
        assert!(name.starts_with("nudge_") && !name.contains(".."), "{name}");
    }
    assert!(!d.join("escape").exists() && !Path::new("/tmp/W2").exists());

    // Two waves whose names make the same file name get a file each.
    let dir = copy_fixture("handworked");
    replace_in(
        dir.path(),
        "uptake.toml",
        &[("\"W1\"", "\"Wave 1\""), ("\"W2\"", "\"Wave_1\"")],
    );
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &["--user-lists"],
    );
    let first = read_csv(&report.join("private/nudge_Wave_1.csv"));
    let second = read_csv(&report.join("private/nudge_Wave_1_2.csv"));
    assert!(first.iter().any(|r| r[0] == "f5@example.com"));
    assert!(second.iter().any(|r| r[0] == "s3@example.com"));
}

/// The text of a sponsor-facing file: tables in Parquet and Arrow decoded to CSV, the
/// workbook's cells, the email's decoded headers and parts.
fn text_of(path: &Path) -> Option<String> {
    let ext = path.extension()?.to_str()?;
    let mut df = match ext {
        "parquet" => ParquetReader::new(std::fs::File::open(path).ok()?)
            .finish()
            .ok()?,
        "arrow" => IpcReader::new(std::fs::File::open(path).ok()?)
            .finish()
            .ok()?,
        "png" => return None, // pixels; the same text is checked in the SVG
        "xlsx" => return Some(crate::outputs::workbook_text(path)),
        "eml" => return Some(crate::outputs::email_text(path)),
        _ => return Some(String::from_utf8_lossy(&std::fs::read(path).ok()?).into_owned()),
    };
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes).finish(&mut df).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[test]
fn no_sponsor_facing_file_of_a_generated_rollout_names_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(&dir.path().join("rollout"), 3000, 7);
    let report = run_ok(
        &data.join("uptake.toml"),
        &dir.path().join("out"),
        &["--user-lists"],
    );
    let roster = read_csv(&data.join("roster.csv"));
    let col = |name: &str| roster[0].iter().position(|h| h == name).unwrap();
    let (c_id, c_mail, c_name) = (col("user_id"), col("mail"), col("display_name"));
    let mut ids: HashSet<String> = HashSet::new();
    let mut names: HashSet<String> = HashSet::new();
    for r in &roster[1..] {
        for c in [c_id, c_mail] {
            if let Some(v) = r.get(c).filter(|v| !v.trim().is_empty()) {
                ids.insert(v.trim().to_lowercase());
            }
        }
        if let Some(v) = r.get(c_name).filter(|v| v.contains(' ')) {
            names.insert(
                v.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase(),
            );
        }
    }
    assert!(
        ids.len() > 2500 && names.len() > 2000,
        "{} {}",
        ids.len(),
        names.len()
    );
    let files = sponsor_files(&report);
    assert!(files
        .iter()
        .any(|f| f.ends_with("tables/group_metrics.parquet")));
    let mut checked = 0;
    for file in &files {
        let Some(text) = text_of(file) else { continue };
        checked += 1;
        let text = text.to_lowercase();
        let id_char = |c: char| c.is_alphanumeric() || "@._+-'".contains(c);
        for token in text.split(|c: char| !id_char(c)) {
            assert!(!ids.contains(token), "{} names {token}", file.display());
        }
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
            .filter(|w| !w.is_empty())
            .collect();
        for n in [2, 3] {
            for w in words.windows(n) {
                let candidate = w.join(" ");
                assert!(
                    !names.contains(&candidate),
                    "{} names {candidate}",
                    file.display()
                );
            }
        }
    }
    assert!(checked > 30, "{checked}");
    // The search itself finds people where they are: the private nudge lists.
    let nudge = all_files(&report.join("private"));
    let text = std::fs::read_to_string(&nudge[0]).unwrap().to_lowercase();
    assert!(text.split([',', '\n']).any(|t| ids.contains(t)));
}

/// `uptake validate --config config`, which must fail with exit 1; its stderr.
fn validate_fails(config: &Path) -> String {
    let output = crate::util::uptake()
        .args(["validate", "--config"])
        .arg(config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    stderr
}

/// A source path naming a file that is not a CSV (here a copy of a shadow file)
/// once printed its first line in the error ("found: root:$6$..."). The error names
/// the file and says what is wrong without quoting it; a header row of a real CSV
/// is quoted no further than its first 200 characters.
// See: issue 12, finding 8.
#[test]
fn an_error_never_quotes_a_secret_file_or_more_than_200_characters() {
    let dir = copy_fixture("handworked");
    let d = dir.path();
    let secret =
        "root:$6$s4ltS4lt$W0rkedOutHashOfTheRootPassword0123456789abcdef:19000:0:99999:7:::";
    std::fs::write(
        d.join("shadow"),
        format!("{secret}\ndaemon:*:19000:0:99999:7:::\n"),
    )
    .unwrap();
    replace_in(
        d,
        "uptake.toml",
        &[("path = \"roster.csv\"", "path = \"shadow\"")],
    );
    let stderr = validate_fails(&d.join("uptake.toml"));
    assert!(
        stderr.contains("shadow: does not look like a CSV export"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("s4lt") && !stderr.contains("root"),
        "{stderr}"
    );

    // A CSV whose header row is long: at most its first 200 characters are quoted.
    let long: Vec<String> = (0..40)
        .map(|i| format!("column_{i:02}_of_a_long_export"))
        .collect();
    std::fs::write(d.join("roster.csv"), format!("{}\nx\n", long.join(","))).unwrap();
    replace_in(
        d,
        "uptake.toml",
        &[("path = \"shadow\"", "path = \"roster.csv\"")],
    );
    let stderr = validate_fails(&d.join("uptake.toml"));
    let quoted: usize = long
        .iter()
        .filter(|c| stderr.contains(c.as_str()))
        .map(|c| c.len() + 2)
        .sum();
    assert!(
        (100..=202).contains(&quoted),
        "{quoted} characters quoted: {stderr}"
    );
    assert!(stderr.contains("more headers, not shown)"), "{stderr}");
}

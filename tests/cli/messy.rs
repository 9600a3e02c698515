//! Messy files (issue 12, findings 5-8; docs/inputs.md): stray quotes, labels and
//! ids written several ways, unmatched ids listed, mistyped years, and a source with
//! many bad rows called out in words.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use uptake::config::{Format, SourceConfig, Tool};
use uptake::ingest::{read_source, wanted_columns, Row};
use uptake::schema::Source;

use crate::util::{generate, read_csv, read_table, run_ok};

/// The data_quality row of `source`, as numbers.
fn quality(report: &Path, source: &str) -> BTreeMap<String, String> {
    read_table(&report.join("tables/data_quality.csv"))
        .into_iter()
        .find(|r| r["source"] == source)
        .unwrap_or_else(|| panic!("no data_quality row for {source}"))
}

/// One stray quote in a 20 000-row email export once made the rest of the file one
/// quarantined row ("2 rows read = 1 accepted + 1 quarantined") and every open rate
/// 0, with exit 0 and no warning. Its line alone is quarantined, with the reason,
/// and every other row is read.
// See: issue 12, finding 5.
#[test]
fn one_stray_quote_quarantines_its_line_and_the_rest_of_the_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(&dir.path().join("rollout"), 2000, 5);
    // The generator writes a few bad rows of its own.
    let before = run_ok(&data.join("uptake.toml"), &dir.path().join("before"), &[]);
    let bad_before: u64 = quality(&before, "email")["rows_quarantined"]
        .parse()
        .unwrap();
    let email = data.join("email_events.csv");
    let text = std::fs::read_to_string(&email).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let total = lines.len() as u64 - 1;
    assert!(total > 15_000, "{total} rows");
    // Line 5 001 of the file: `user,"w4-kickoff,delivered,...` (the quote never closes
    // on its line; the next quote in the file is far below).
    let stray = 5_000;
    let (user, rest) = lines[stray].split_once(',').unwrap();
    lines[stray] = format!("{user},\"{rest}");
    // A quoted campaign name further on: the stray quote would close on it.
    let (user, rest) = lines[9_000].split_once(',').unwrap();
    let (campaign, rest) = rest.split_once(',').unwrap();
    lines[9_000] = format!("{user},\"{campaign}\",{rest}");
    std::fs::write(&email, lines.join("\n") + "\n").unwrap();

    let report = run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let q = read_csv(&report.join("quarantine/email.csv"));
    let strays: Vec<&Vec<String>> = q.iter().filter(|r| r[2].contains("stray")).collect();
    assert_eq!(strays.len(), 1, "{:?}", &q[..q.len().min(3)]);
    assert_eq!(strays[0][1], (stray + 1).to_string());
    assert!(strays[0][2].starts_with("a stray quote: the quote that opens `campaign`"));
    assert_eq!(strays[0][3], lines[stray]);
    let row = quality(&report, "email");
    assert_eq!(row["rows_read"], total.to_string());
    assert_eq!(row["rows_quarantined"], (bad_before + 1).to_string());
    assert_eq!(row["rows_accepted"], (total - bad_before - 1).to_string());
}

/// Reads `text` as a Zendesk export and renders each row as `line: ticket_id` or
/// `line: QUARANTINE reason`.
fn read_zendesk(dir: &Path, text: &str) -> Vec<String> {
    let path = dir.join("zendesk.csv");
    std::fs::write(&path, text).unwrap();
    let cfg = SourceConfig {
        path: path.clone(),
        format: Format::Tool(Tool::Zendesk),
        columns: BTreeMap::new(),
        date_format: None,
        date_order: None,
        campaign_from: None,
        config_file: PathBuf::from("uptake.toml"),
    };
    let (wanted, _) = wanted_columns(Source::Tickets, "department");
    let ticket = wanted.iter().position(|w| w == "ticket_id").unwrap();
    let describe = |row: Row<'_>| match row {
        Row::Cells(c) => format!("{}: {}", c.line, c.get(ticket)),
        Row::Malformed { line, reason, .. } => format!("{line}: QUARANTINE {reason}"),
    };
    let mut out = Vec::new();
    read_source(Source::Tickets, &cfg, "department", describe, |_, r| {
        out.push(r)
    })
    .unwrap();
    out
}

/// The same in a tool export: the line is one quarantined row, the rows after it
/// are read (a subject written over two lines is still one row).
// See: issue 12, finding 5.
#[test]
fn a_stray_quote_in_a_tool_export_is_one_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let header = "Id,Requester,Requester email,Subject,Status,Created at,Solved at";
    let text = format!(
        "{header}\n\
         101,Ann Lee,ann@x.com,\"Laptop,open,2024-01-16 08:30:00 +0100,\n\
         102,Bob Ray,bob@x.com,\"Outlook asks\nagain\",open,2024-01-17 09:00:00 +0100,\n\
         103,Cy Po,cy@x.com,VPN,open,2024-01-18 09:00:00 +0100,\n"
    );
    let rows = read_zendesk(dir.path(), &text);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].starts_with("2: QUARANTINE a stray quote: the quote that opens `Subject`"),
        "{}",
        rows[0]
    );
    assert_eq!(rows[1..], ["3: 102", "5: 103"]);
}

/// Runs `uptake validate` on `config`; a run still going after two minutes is
/// killed and reported as hung (a FIFO once made it wait forever).
fn validate_or_hang(config: &Path) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(crate::util::bin())
        .args(["validate", "--config"])
        .arg(config)
        .env_remove("CI")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..1200 {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status.code(), stderr);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("uptake validate hung on {}", config.display());
}

/// A FIFO as a source path made the run wait forever; a FIFO inside a source's
/// folder was skipped without a word. Both are errors that name the path.
// See: issue 12, finding 8.
#[test]
#[cfg(unix)]
fn a_fifo_as_a_source_path_is_an_error_that_names_it() {
    let dir = crate::util::copy_fixture("handworked");
    let d = dir.path();
    let fifo = d.join("email.csv");
    std::fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (code, stderr) = validate_or_hang(&d.join("uptake.toml"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: is a FIFO (named pipe), not a regular file or folder",
            fifo.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: point `[sources.email] path`"),
        "{stderr}"
    );

    // In a folder of exports.
    std::fs::remove_file(&fifo).unwrap();
    let folder = d.join("tickets");
    std::fs::create_dir(&folder).unwrap();
    std::fs::rename(d.join("tickets.csv"), folder.join("a.csv")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(folder.join("b.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    let config = d.join("uptake.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replace("[sources.email]\npath = \"email.csv\"\n", "")
        .replace("path = \"tickets.csv\"", "path = \"tickets\"");
    std::fs::write(&config, text).unwrap();
    let (code, stderr) = validate_or_hang(&config);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("b.csv: is a FIFO"), "{stderr}");
}

//! Property: whatever mix of good and bad rows a source holds, every row is counted
//! once, every bad row is quarantined and every good row accepted.

use proptest::prelude::*;
use uptake::progress::Progress;
use uptake::schema::Source;

const CONFIG: &str = r#"
[rollout]
as_of = "2026-11-20"
timezone = "Europe/Paris"
[sources.roster]
path = "roster.csv"
[sources.tickets]
path = "tickets.csv"
[[waves]]
name = "W"
start = "2026-11-02"
groups = ["G"]
enrollment_target = [[14, 1.0]]
"#;

/// One tickets row: good, or broken in one of the ways quarantine must catch.
#[derive(Debug, Clone)]
enum Kind {
    Good,
    NoTicketId,
    NoUser,
    BadOpened,
    ResolvedBeforeOpened,
    TooFewFields,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => Just(Kind::Good),
        1 => Just(Kind::NoTicketId),
        1 => Just(Kind::NoUser),
        1 => Just(Kind::BadOpened),
        1 => Just(Kind::ResolvedBeforeOpened),
        1 => Just(Kind::TooFewFields),
    ]
}

/// A category cell with characters that need quoting: commas, quotes, line breaks.
fn category() -> impl Strategy<Value = String> {
    "[a-z ,\"\n=+-]{0,12}"
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_row_is_accepted_or_quarantined_as_it_deserves(
        rows in proptest::collection::vec((kind(), category(), 0u32..5, any::<bool>()), 0..60),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("uptake.toml"), CONFIG).unwrap();
        let roster: String = (0..5).map(|i| format!("u{i}@x.com,G\n")).collect();
        std::fs::write(dir.path().join("roster.csv"), format!("user_id,group\n{roster}")).unwrap();
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        text.push_str("ticket_id,user_id,opened_at,resolved_at,category");
        text.push_str(nl);
        let (mut good, mut bad) = (0u64, 0u64);
        for (i, (k, cat, user, resolved)) in rows.iter().enumerate() {
            let id = format!("T{i}");
            let user = format!("U{user}@X.com");
            let (opened, res) = ("2026-11-10 09:00", if *resolved { "2026-11-11 09:00" } else { "" });
            let line = match k {
                Kind::Good => format!("{id},{user},{opened},{res},{}", quote(cat)),
                Kind::NoTicketId => format!(",{user},{opened},{res},{}", quote(cat)),
                Kind::NoUser => format!("{id}, ,{opened},{res},{}", quote(cat)),
                Kind::BadOpened => format!("{id},{user},2026-11-10 25:61,{res},{}", quote(cat)),
                Kind::ResolvedBeforeOpened => format!("{id},{user},{opened},2026-11-09 09:00,{}", quote(cat)),
                Kind::TooFewFields => format!("{id},{user}"),
            };
            if matches!(k, Kind::Good) { good += 1 } else { bad += 1 }
            text.push_str(&line);
            text.push_str(nl);
        }
        std::fs::write(dir.path().join("tickets.csv"), text).unwrap();
        let (_, data) = uptake::load(Some(&dir.path().join("uptake.toml")), None, &Progress::hidden()).unwrap();
        let c = &data.counts[&Source::Tickets];
        prop_assert_eq!(c.rows_read, good + bad);
        prop_assert_eq!(c.rows_quarantined, bad);
        prop_assert_eq!(c.rows_accepted, good);
        prop_assert_eq!(data.quarantine[&Source::Tickets].len() as u64, bad);
        prop_assert_eq!(data.tickets.ticket_id.len() as u64, good);
        for q in &data.quarantine[&Source::Tickets] {
            prop_assert!(q.line >= 2, "line {}", q.line);
        }
    }
}

// ---- every source, any encoding, any row ------------------------------------------

/// How a row of the mixed-file property is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// A good row: accepted.
    Good,
    /// A good row with a 100,000-character free-text cell: accepted.
    Huge,
    /// A good row with a stray `"` inside a free-text cell: accepted.
    Stray,
    /// A good row with an accented free-text cell: accepted in every encoding (a
    /// Latin-1 file is read in the legacy code page its bytes read as text in).
    Accent,
    /// A required value blank: quarantined.
    Blank,
    /// A date that is no date: quarantined.
    BadDate,
    /// Fewer fields than the header: quarantined.
    Short,
    /// A non-empty field past the header: quarantined.
    Long,
}

/// How a whole file is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FileKind {
    Rows,
    Empty,
    HeaderOnly,
    /// Random bytes: the run refuses the file by name, or reads it and accounts
    /// for every row it finds.
    Noise,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Enc {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
    Latin1,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        4 => Just(Shape::Good),
        1 => Just(Shape::Huge),
        1 => Just(Shape::Stray),
        1 => Just(Shape::Accent),
        1 => Just(Shape::Blank),
        1 => Just(Shape::BadDate),
        1 => Just(Shape::Short),
        1 => Just(Shape::Long),
    ]
}

fn file_kind() -> impl Strategy<Value = FileKind> {
    prop_oneof![
        8 => Just(FileKind::Rows),
        1 => Just(FileKind::Empty),
        1 => Just(FileKind::HeaderOnly),
        1 => Just(FileKind::Noise),
    ]
}

fn encoding() -> impl Strategy<Value = Enc> {
    prop_oneof![
        Just(Enc::Utf8),
        Just(Enc::Utf8Bom),
        Just(Enc::Utf16LeBom),
        Just(Enc::Utf16BeBom),
        Just(Enc::Latin1),
    ]
}

/// A source's file: kind, encoding, line ends, rows, noise bytes.
type SourceFile = (FileKind, Enc, bool, Vec<(Shape, u8)>, Vec<u8>);

fn source_file() -> impl Strategy<Value = SourceFile> {
    (
        file_kind(),
        encoding(),
        any::<bool>(),
        proptest::collection::vec((shape(), any::<u8>()), 0..25),
        proptest::collection::vec(any::<u8>(), 0..400),
    )
}

/// The header of a source's file, its free-text column and its date column.
fn layout(source: Source) -> (&'static str, usize, Option<usize>) {
    match source {
        Source::Roster => ("user_id,group,display_name,left_on", 2, Some(3)),
        Source::Enrollments => ("user_id,enrolled_at,device_id", 2, Some(1)),
        Source::Email => ("user_id,campaign,event,timestamp", 1, Some(3)),
        Source::Training => ("user_id,session,joined_at,left_at", 1, Some(2)),
        Source::Tickets => ("ticket_id,user_id,opened_at,category", 3, Some(2)),
        other => unreachable!("{other}: this test writes the sources of Source::ALL"),
    }
}

/// The cells of a good row `i` of `source` (user `u{k}`).
fn good_cells(source: Source, i: usize, k: u8) -> Vec<String> {
    let user = format!("u{}@x.com", k % 8);
    let day = format!("2026-11-{:02}T09:00:00Z", 2 + k % 9);
    match source {
        Source::Roster => vec![
            format!("u{i}@x.com"),
            "G".into(),
            format!("Person {i}"),
            String::new(),
        ],
        Source::Enrollments => vec![user, day, format!("D{i}")],
        Source::Email => vec![user, "c1".into(), "open".into(), day],
        Source::Training => vec![
            user,
            "S1".into(),
            day.clone(),
            day.replace("09:00", "10:00"),
        ],
        Source::Tickets => vec![format!("T{i}"), user, day, "enrollment".into()],
        other => unreachable!("{other}: this test writes the sources of Source::ALL"),
    }
}

/// A CSV cell, quoted when it must be.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes a source's file; returns (rows written, lines of rows that must be
/// quarantined, lines of rows that must be accepted), or `None` for noise.
fn write_source(
    path: &std::path::Path,
    source: Source,
    f: &SourceFile,
) -> Option<(u64, Vec<u64>, Vec<u64>)> {
    let (kind, enc, crlf, rows, noise) = f;
    if *kind == FileKind::Noise {
        std::fs::write(path, noise).unwrap();
        return None;
    }
    let nl = if *crlf { "\r\n" } else { "\n" };
    let (header, free, date) = layout(source);
    let mut text = String::new();
    if *kind != FileKind::Empty {
        text.push_str(header);
        text.push_str(nl);
    }
    let (mut quarantined, mut accepted) = (Vec::new(), Vec::new());
    let rows: &[(Shape, u8)] = if *kind == FileKind::Rows { rows } else { &[] };
    for (i, (shape, k)) in rows.iter().enumerate() {
        let line = i as u64 + 2;
        let mut cells = good_cells(source, i, *k);
        match shape {
            Shape::Good => {}
            Shape::Huge => cells[free] = "x".repeat(100_000),
            Shape::Stray => cells[free] = format!("{}a\"b", cells[free]),
            Shape::Accent => cells[free] = format!("{} Zoë Müller", cells[free]),
            Shape::Blank => cells[0] = "  ".into(),
            Shape::BadDate => cells[date.unwrap_or(0)] = "31/31/2026 25:00".into(),
            Shape::Short => cells.truncate(1),
            Shape::Long => cells.push("extra".into()),
        }
        let must_quarantine = matches!(
            shape,
            Shape::Blank | Shape::BadDate | Shape::Short | Shape::Long
        );
        if must_quarantine {
            quarantined.push(line);
        } else {
            accepted.push(line);
        }
        // A stray quote is written bare (not as a quoted field): the reader keeps it.
        let joined: Vec<String> = cells
            .iter()
            .map(|c| {
                if *shape == Shape::Stray {
                    c.clone()
                } else {
                    cell(c)
                }
            })
            .collect();
        text.push_str(&joined.join(","));
        text.push_str(nl);
    }
    let bytes: Vec<u8> = match enc {
        Enc::Utf8 => text.into_bytes(),
        Enc::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Enc::Utf16LeBom => std::iter::once(0xFEFFu16)
            .chain(text.encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect(),
        Enc::Utf16BeBom => std::iter::once(0xFEFFu16)
            .chain(text.encode_utf16())
            .flat_map(u16::to_be_bytes)
            .collect(),
        Enc::Latin1 => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect(),
    };
    std::fs::write(path, bytes).unwrap();
    Some((rows.len() as u64, quarantined, accepted))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Whatever the five files hold (mixed encodings, stray quotes, huge cells,
    /// empty and header-only files, binary noise), the run either refuses a file
    /// of noise by name (exit 1) or accounts for every row: rows read = accepted +
    /// quarantined, each bad row quarantined at its line with a reason, each good
    /// row accepted, and the data_quality table, the manifest, the quarantine files
    /// and the run's own summary lines all say the same.
    #[test]
    fn every_row_of_every_source_is_accounted_for_and_the_report_reconciles(
        files in proptest::collection::vec(source_file(), 5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("uptake.toml"), crate::quarantine::CONFIG).unwrap();
        let mut expected = Vec::new();
        for (source, f) in Source::ALL.into_iter().zip(&files) {
            let path = dir.path().join(format!("{}.csv", source.name()));
            expected.push((source, path.clone(), write_source(&path, source, f)));
        }
        let out = dir.path().join("out");
        let output = crate::util::uptake()
            .arg("run").arg("--config").arg(dir.path().join("uptake.toml"))
            .arg("--out").arg(&out)
            .output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() != Some(0) {
            // Only a file of noise may stop the run, and the message names it.
            prop_assert_eq!(output.status.code(), Some(1), "{}", stderr);
            let named = expected.iter().any(|(_, p, e)| e.is_none() && stderr.contains(&p.display().to_string()));
            prop_assert!(named, "a run failed on a file that is not noise: {}", stderr);
            prop_assert!(!out.join("latest").exists());
            return Ok(());
        }
        let report = out.join("latest");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let quality = crate::util::read_table(&report.join("tables/data_quality.csv"));
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(report.join("manifest.json")).unwrap()).unwrap();
        for (source, path, exp) in &expected {
            let name = source.name();
            let row = quality.iter().find(|r| r["source"] == name).unwrap();
            let n = |c: &str| row[c].parse::<u64>().unwrap();
            let (read, accepted, quarantined) = (n("rows_read"), n("rows_accepted"), n("rows_quarantined"));
            prop_assert_eq!(read, accepted + quarantined, "{}", name);
            let m = manifest["sources"].as_array().unwrap().iter().find(|s| s["source"] == name).unwrap();
            prop_assert_eq!(m["rows_read"].as_u64(), Some(read));
            prop_assert_eq!(m["rows_quarantined"].as_u64(), Some(quarantined));
            let line = format!("{name} {read} rows read = {accepted} accepted + {quarantined} quarantined;");
            let said = stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ").starts_with(&line));
            prop_assert!(said, "{} not in\n{}", line, stdout);
            let q = crate::util::read_csv(&report.join(format!("quarantine/{name}.csv")));
            prop_assert_eq!(q.len() as u64 - 1, quarantined, "{}", name);
            let mut lines = Vec::new();
            for r in &q[1..] {
                prop_assert_eq!(&r[0], &path.display().to_string());
                prop_assert!(!r[2].trim().is_empty(), "{}: a row without a reason", name);
                lines.push(r[1].parse::<u64>().unwrap());
            }
            let Some((written, bad, good)) = exp else { continue };
            prop_assert_eq!(read, *written, "{}", name);
            let mut bad = bad.clone();
            bad.sort_unstable();
            lines.sort_unstable();
            // Roster rows may also be refused as duplicates; events never are.
            prop_assert_eq!(&lines, &bad, "{}: quarantined lines", name);
            for g in good {
                prop_assert!(!lines.contains(g), "{}: good line {} quarantined", name, g);
            }
        }
    }
}

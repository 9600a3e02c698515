//! `workbook.xlsx`, `digest.eml` and `teams_card.json` (issue 13, steps 5–6), read back
//! as their readers would: the workbook with calamine (and its XML for what calamine
//! does not expose), the email with mail-parser, the card against the Adaptive Card
//! 1.5 JSON schema committed in tests/fixtures/schemas/. The figures are the
//! hand-worked fixture's (tests/cli/metrics.rs works them out).

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use mail_parser::{MessageParser, MimeHeaders, PartType};

use crate::util::{copy_fixture, read_csv, run_ok, TABLES};

/// Runs the hand-worked fixture (as altered by `edit`) and returns the report.
fn handworked(edit: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf) {
    let dir = copy_fixture("handworked");
    edit(dir.path());
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    (dir, report)
}

/// Replaces every `from` with `to` in the file at `path`.
fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

fn open_workbook(report: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(report.join("workbook.xlsx")).expect("the workbook opens")
}

/// A file of the workbook's zip (the XML calamine does not interpret).
fn workbook_part(report: &Path, name: &str) -> String {
    let file = std::fs::File::open(report.join("workbook.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Excel's serial day number of a `YYYY-MM-DD` day (1900 system).
fn serial(day: &str) -> f64 {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    (d - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

#[test]
fn workbook_has_the_summary_first_then_every_table_as_its_csv_says() {
    let (_dir, report) = handworked(|_| {});
    let mut wb = open_workbook(&report);
    let mut expected = vec!["Summary".to_string()];
    expected.extend(TABLES.iter().map(|t| t.to_string()));
    assert_eq!(wb.sheet_names(), expected);

    // Every cell of every table sheet is the CSV's cell, typed: numbers as numbers,
    // days as dates, text as text (without the CSV's formula guard), empty as empty.
    let mut kinds = BTreeMap::new();
    for table in TABLES {
        let csv = read_csv(&report.join(format!("tables/{table}.csv")));
        let range = wb.worksheet_range(table).unwrap();
        assert_eq!(range.height(), csv.len(), "{table}: rows (header included)");
        for (i, csv_row) in csv.iter().enumerate() {
            for (j, want) in csv_row.iter().enumerate() {
                let got = range.get((i, j)).unwrap_or(&Data::Empty);
                let at = format!("{table} row {i} column {j}");
                match got {
                    Data::Empty => assert_eq!(want, "", "{at}"),
                    Data::String(s) => {
                        assert!(
                            want == s || *want == format!("'{s}"),
                            "{at}: {s:?} {want:?}"
                        )
                    }
                    Data::Float(x) => assert_eq!(want.parse::<f64>().ok(), Some(*x), "{at}"),
                    Data::Bool(b) => assert_eq!(want, &b.to_string(), "{at}"),
                    Data::DateTime(d) => assert_eq!(d.as_f64(), serial(want), "{at}"),
                    other => panic!("{at}: unexpected {other:?}"),
                }
                let kind = match got {
                    Data::Empty => "empty",
                    Data::String(_) => "text",
                    Data::DateTime(_) => "date",
                    _ => "number",
                };
                *kinds.entry(kind).or_insert(0) += 1;
            }
        }
    }
    // Text, numbers, days and empty cells all occur (the check above is not vacuous).
    assert!(kinds.len() >= 4, "{kinds:?}");

    // The number format follows the column's kind.
    let styles = wb.worksheet_style("group_metrics").unwrap();
    let csv = read_csv(&report.join("tables/group_metrics.csv"));
    let col = |name: &str| csv[0].iter().position(|h| h == name).unwrap();
    let format = |row: usize, name: &str| {
        styles
            .get((row as u32, col(name) as u32))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.clone())
            .unwrap_or_default()
    };
    let w1 = csv
        .iter()
        .position(|r| r[1] == "W1" && r[2] == "(all)")
        .unwrap();
    // W1 (all): 6 of 10 enrolled = 0.6, shown 60.0%; gap 0.6 - 0.857 in points.
    assert_eq!(
        wb.worksheet_range("group_metrics")
            .unwrap()
            .get((w1, col("enrollment_rate"))),
        Some(&Data::Float(0.6))
    );
    assert_eq!(format(w1, "enrollment_rate"), "0.0%");
    assert_eq!(format(w1, "target_rate"), "0.0%");
    assert_eq!(format(w1, "gap"), "+0.0%;-0.0%;0.0%");
    assert_eq!(format(w1, "eligible"), "#,##0");
    assert_eq!(format(w1, "group"), "@");
    assert_eq!(
        format(w1, "tickets_per_100_enrolled"),
        "[=0]0.0;[<0.0001]0.0E+00;#,##0.0###"
    );
    let weekly = wb.worksheet_style("weekly_progress").unwrap();
    let week_start = read_csv(&report.join("tables/weekly_progress.csv"))[0]
        .iter()
        .position(|h| h == "week_start")
        .unwrap();
    assert_eq!(
        weekly
            .get((1, week_start as u32))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str()),
        Some("yyyy-mm-dd")
    );

    // Header frozen, filter on, columns sized, on every table sheet (sheet 1 is the
    // Summary).
    for (k, table) in TABLES.iter().enumerate() {
        let xml = workbook_part(&report, &format!("xl/worksheets/sheet{}.xml", k + 2));
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{table}: no frozen header"
        );
        assert!(xml.contains("<autoFilter ref=\"A1:"), "{table}: no filter");
        let widths: Vec<f64> = xml
            .split("width=\"")
            .skip(1)
            .map(|w| w.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert!(!widths.is_empty(), "{table}: columns not sized");
        assert!(
            widths.iter().all(|w| (9.0..=61.0).contains(w)),
            "{table}: {widths:?}"
        );
    }
}

#[test]
fn summary_sheet_gives_the_headline_and_the_waves() {
    let (_dir, report) = handworked(|_| {});
    let mut wb = open_workbook(&report);
    let summary = wb.worksheet_range("Summary").unwrap();
    assert_eq!(
        summary.get((0, 0)),
        Some(&Data::String(
            "Hand-worked rollout: week to 2026-11-20".into()
        ))
    );
    let rows: BTreeMap<String, Data> = summary
        .rows()
        .filter_map(|r| match (&r[0], r.get(1)) {
            (Data::String(label), Some(v)) => Some((label.clone(), v.clone())),
            _ => None,
        })
        .collect();
    // 9 of 14 enrolled; target 0.702041; +21.4 pts since last week (the same 14
    // people: 6 of them enrolled a week ago, 42.9 %).
    assert_eq!(rows["Enrolled"], Data::Float(9.0 / 14.0));
    assert_eq!(rows["People enrolled"], Data::Float(9.0));
    assert_eq!(rows["People eligible"], Data::Float(14.0));
    assert_eq!(rows["Status"], Data::String("at risk".into()));
    match &rows["Since last week"] {
        Data::Float(x) => assert!((x - (9.0 / 14.0 - 6.0 / 14.0)).abs() < 1e-12, "{x}"),
        other => panic!("{other:?}"),
    }
    match &rows["As of"] {
        Data::DateTime(d) => assert_eq!(d.as_f64(), serial("2026-11-20")),
        other => panic!("{other:?}"),
    }
    // The waves, after their header: W1 6 of 10 behind, W2 3 of 4 on track.
    let header = summary
        .rows()
        .position(|r| r[0] == Data::String("Wave".into()))
        .unwrap();
    let wave = |k: usize| summary.rows().nth(header + k).unwrap().to_vec();
    let w1 = wave(1);
    assert_eq!(w1[0], Data::String("W1".into()));
    assert!(matches!(&w1[1], Data::DateTime(d) if d.as_f64() == serial("2026-10-19")));
    assert_eq!((&w1[2], &w1[3]), (&Data::Float(10.0), &Data::Float(6.0)));
    assert_eq!(w1[7], Data::String("behind".into()));
    let w2 = wave(2);
    assert_eq!(w2[0], Data::String("W2".into()));
    assert_eq!(w2[4], Data::Float(0.75));
    assert_eq!(w2[7], Data::String("on track".into()));
}

#[test]
fn text_that_looks_like_a_formula_is_stored_as_text_never_as_a_formula() {
    let formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let (_dir, report) = handworked(|d| {
        replace(
            &d.join("roster.csv"),
            ",Finance,",
            ",\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",",
        );
        replace(
            &d.join("uptake.toml"),
            "\"Finance\"",
            "\"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\"",
        );
        replace(&d.join("roster.csv"), ",Sales,", ",@SUM(1+1),");
        replace(&d.join("uptake.toml"), "\"Sales\"", "\"@SUM(1+1)\"");
    });
    let mut wb = open_workbook(&report);
    let mut seen = 0;
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        seen += range
            .used_cells()
            .filter(|(_, _, v)| matches!(v, Data::String(s) if s == formula || s == "@SUM(1+1)"))
            .count();
        let formulas = wb.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} holds a formula"
        );
    }
    // Both names are in group_metrics, weekly_progress, attention, the week-ago
    // table: as text.
    assert!(seen >= 6, "{seen}");
    for k in 1..=TABLES.len() + 1 {
        let xml = workbook_part(&report, &format!("xl/worksheets/sheet{k}.xml"));
        assert!(!xml.contains("<f>"), "sheet{k} holds a formula");
    }
}

/// The parsed email of a report.
fn email(report: &Path) -> Vec<u8> {
    std::fs::read(report.join("digest.eml")).unwrap()
}

#[test]
fn digest_is_a_draft_with_text_html_and_the_progress_chart_inline() {
    let (_dir, report) = handworked(|_| {});
    let raw = email(&report);
    let msg = MessageParser::default()
        .parse(&raw)
        .expect("a MIME message");
    assert_eq!(
        msg.subject(),
        Some("Hand-worked rollout: week to 2026-11-20 \u{2014} 64.3 % enrolled, at risk")
    );
    // The first instant after 2026-11-20 in Paris (UTC+1 in November).
    assert_eq!(
        msg.date().map(|d| d.to_rfc3339()),
        Some("2026-11-21T00:00:00+01:00".to_string())
    );
    assert!(msg.to().is_none() && msg.cc().is_none() && msg.bcc().is_none());
    assert!(msg.from().is_none() && msg.message_id().is_none());
    assert_eq!(
        msg.header_raw("X-Unsent").map(str::trim),
        Some("1"),
        "mail programs open the file as a message to send"
    );
    assert_eq!(msg.header_raw("MIME-Version").map(str::trim), Some("1.0"));

    // multipart/related [ multipart/alternative [ text/plain, text/html ], image/png ]
    let root = msg.root_part();
    let ct = root.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("related")));
    assert_eq!(ct.attribute("type"), Some("multipart/alternative"));
    let PartType::Multipart(children) = &root.body else {
        panic!("the root is not multipart")
    };
    assert_eq!(children.len(), 2);
    let alternative = msg.part(children[0]).unwrap();
    assert!(alternative.is_content_type("multipart", "alternative"));
    let PartType::Multipart(bodies) = &alternative.body else {
        panic!("no alternative parts")
    };
    let kinds: Vec<_> = bodies
        .iter()
        .map(|&i| {
            let ct = msg.part(i).unwrap().content_type().unwrap();
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or(""))
        })
        .collect();
    assert_eq!(kinds, ["text/plain", "text/html"]);

    let text = msg.body_text(0).unwrap();
    assert!(
        text.contains("64.3 % enrolled (9 of 14 people) against a target of 70.2 %: at risk."),
        "{text}"
    );
    assert!(
        text.contains("+21.4 pts since last week (3 people enrolled in the week)."),
        "{text}"
    );
    assert!(
        text.contains("- W1 (from 2026-10-19): behind; enrolled 60.0 % (6 / 10)"),
        "{text}"
    );
    assert!(
        text.contains("1. W1 / Finance: 2 people short of target"),
        "{text}"
    );

    let html = msg.body_html(0).unwrap();
    crate::report::balanced_tags(&html);
    assert!(
        html.contains(
            "<strong>64.3 % enrolled (9 of 14 people) against a target of 70.2 %</strong>"
        ),
        "{html}"
    );
    assert!(html.contains("src=\"cid:wave_progress@uptake\""), "{html}");
    for banned in [
        "<style",
        "<script",
        "<link",
        "url(",
        "src=\"http",
        "src='http",
    ] {
        assert!(!html.contains(banned), "the HTML holds {banned}");
    }
    assert_eq!(html.matches("<img ").count(), 1, "one image: the chart");

    let png = msg.part(children[1]).unwrap();
    assert!(png.is_content_type("image", "png"));
    assert_eq!(png.content_id(), Some("wave_progress@uptake"));
    assert_eq!(png.content_disposition().map(|d| d.ctype()), Some("inline"));
    assert!(png.contents().starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        png.contents(),
        std::fs::read(report.join("charts/wave_progress.png")).unwrap()
    );

    // Lines end in CRLF and keep within RFC 5322's 78 characters.
    let text = String::from_utf8(raw).expect("7-bit clean");
    assert!(text.is_ascii());
    for line in text.split("\r\n") {
        assert!(!line.contains('\n'), "a bare LF");
        assert!(line.len() <= 78, "{} characters: {line}", line.len());
    }
}

#[test]
fn a_subject_in_any_language_is_encoded_and_cannot_add_a_header() {
    let name = "Déploiement 東京 שלום";
    let (_dir, report) = handworked(|d| {
        replace(
            &d.join("uptake.toml"),
            "name = \"Hand-worked rollout\"",
            &format!("name = \"{name}\\r\\nBcc: boss@example.com\""),
        );
    });
    let raw = email(&report);
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.is_ascii(), "headers are RFC 2047 encoded");
    assert!(text.contains("=?utf-8?"), "no encoded word");
    let msg = MessageParser::default().parse(&raw).unwrap();
    assert!(msg.bcc().is_none(), "a name added a header");
    let headers = &text[..text.find("\r\n\r\n").unwrap()];
    assert!(!headers.contains("\r\nBcc:"), "{headers}");
    let subject = msg.subject().unwrap();
    assert!(
        subject.starts_with(&format!(
            "{name}  Bcc: boss@example.com: week to 2026-11-20"
        )),
        "{subject}"
    );
    // The same name, in the body and the card, as written.
    assert!(msg.body_html(0).unwrap().contains(name));
    let card = std::fs::read_to_string(report.join("teams_card.json")).unwrap();
    assert!(card.contains(name));
}

/// The Adaptive Card 1.5 schema (from the AdaptiveCards repository, MIT licence).
fn card_validator() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas/adaptive-card-1.5.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft6::new(&schema).expect("the schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, card: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(card)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The card inside the webhook message, after checking the message's shape.
fn card_of(report: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(report.join("teams_card.json")).unwrap();
    let message: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(message["type"], "message");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    attachments[0]["content"].clone()
}

/// Every text run of a card, in order.
fn runs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if m.get("type").and_then(|t| t.as_str()) == Some("TextRun") {
                out.push(m["text"].as_str().unwrap().to_string());
            }
            m.values().for_each(|v| runs(v, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| runs(v, out)),
        _ => {}
    }
}

#[test]
fn teams_card_is_an_adaptive_card_1_5_the_schema_accepts() {
    let (_dir, report) = handworked(|_| {});
    let card = card_of(&report);
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.5");
    let validator = card_validator();
    assert_valid(&validator, &card);

    let mut texts = Vec::new();
    runs(&card, &mut texts);
    let all = texts.concat();
    assert!(
        all.contains("Hand-worked rollout: week to 2026-11-20"),
        "{texts:?}"
    );
    assert!(
        all.contains("64.3 % enrolled (9 of 14 people) against a target of 70.2 %: at risk."),
        "{texts:?}"
    );
    // One line per wave after the table's header: status, enrolled, target.
    let table = card["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "Table")
        .unwrap();
    let rows: Vec<Vec<String>> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut t = Vec::new();
            runs(r, &mut t);
            t
        })
        .collect();
    assert_eq!(
        rows,
        [
            vec!["Wave", "Status", "Enrolled", "Target today"],
            vec!["W1", "behind", "60.0 % (6 / 10)", "85.7 %"],
            vec!["W2", "on track", "75.0 % (3 / 4)", "31.4 %"],
        ]
    );

    // The validator does reject what Teams would: an unknown element, a TextRun
    // with a property it does not have, a card without its type.
    let mut bad = card.clone();
    bad["body"][0]["type"] = "Bogus".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = card.clone();
    bad["body"][1]["inlines"][0]["colour"] = "Good".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = card;
    bad.as_object_mut().unwrap().remove("type");
    bad["body"] = serde_json::json!("not a list");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn a_card_with_more_waves_than_a_teams_message_holds_says_how_many_are_left_out() {
    let (_dir, report) = handworked(|d| {
        let config = d.join("uptake.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        // 60 waves with long names and no people (shown as too small): about 1 KB
        // each in the card, over Teams' 28 KB.
        for k in 0..60 {
            text.push_str(&format!(
                "\n[[waves]]\nname = \"Wave {k:02} [x](http://evil.example) {}\"\nstart = \"2026-12-01\"\ngroups = [\"Nobody {k}\"]\nenrollment_target = [[14, 0.5]]\n",
                "long name ".repeat(40)
            ));
        }
        std::fs::write(&config, text).unwrap();
    });
    let bytes = std::fs::read(report.join("teams_card.json")).unwrap();
    assert!(bytes.len() <= 28 * 1024, "{} bytes", bytes.len());
    let card = card_of(&report);
    assert_valid(&card_validator(), &card);
    let mut texts = Vec::new();
    runs(&card, &mut texts);
    let shown = texts.iter().filter(|t| t.starts_with("Wave ")).count()
        + texts.iter().filter(|t| *t == "W1" || *t == "W2").count();
    let more = texts
        .iter()
        .find_map(|t| {
            t.strip_prefix("And ")?
                .strip_suffix(" more waves in the report.")
        })
        .expect("a line says how many waves are left out");
    assert_eq!(shown + more.parse::<usize>().unwrap(), 62, "{texts:?}");
    assert!(shown > 10, "{shown}");
    // A name that is Markdown is a text run, shown as written, never a link.
    assert!(texts.iter().any(|t| t.contains("[x](http://evil.example)")));
}

#[test]
fn workbook_digest_and_card_are_byte_identical_on_a_rerun() {
    let dir = copy_fixture("handworked");
    let config = dir.path().join("uptake.toml");
    let first = run_ok(&config, &dir.path().join("a"), &[]);
    let second = run_ok(&config, &dir.path().join("b"), &[]);
    for name in ["workbook.xlsx", "digest.eml", "teams_card.json"] {
        let a = std::fs::read(first.join(name)).unwrap();
        let b = std::fs::read(second.join(name)).unwrap();
        assert!(!a.is_empty(), "{name} is empty");
        assert!(a == b, "{name} differs between two runs of the same inputs");
    }
    // The workbook's creation time is the end of the as-of day, not the clock.
    let core = workbook_part(&first, "docProps/core.xml");
    assert!(
        core.contains(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-11-20T23:00:00Z</dcterms:created>"
        ),
        "{core}"
    );
}

/// What a reader of the workbook sees: every cell of every sheet, one per line. (The
/// privacy tests search it for people, tests/cli/security.rs.)
pub fn workbook_text(path: &Path) -> String {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).expect("the workbook opens");
    let mut cells = String::new();
    for sheet in wb.sheet_names() {
        for (_, _, v) in wb.worksheet_range(&sheet).unwrap().used_cells() {
            cells.push_str(&v.to_string());
            cells.push('\n');
        }
    }
    cells
}

/// What a reader of the email sees: its headers decoded, then its text and HTML parts
/// (the PNG is pixels; its text is checked in the chart's SVG).
pub fn email_text(path: &Path) -> String {
    let raw = std::fs::read(path).unwrap();
    let msg = MessageParser::default()
        .parse(&raw)
        .expect("a MIME message");
    let mut text = String::new();
    for header in msg.headers() {
        let value = match header.value() {
            mail_parser::HeaderValue::Text(t) => t.to_string(),
            other => format!("{other:?}"),
        };
        text.push_str(&format!("{}: {value}\n", header.name()));
    }
    for part in msg.text_bodies().chain(msg.html_bodies()) {
        text.push_str(part.text_contents().unwrap_or_default());
        text.push('\n');
    }
    text
}

#[test]
fn the_readers_of_the_workbook_and_the_email_see_the_figures() {
    // The texts the privacy search reads are the files' contents, decoded.
    let (_dir, report) = handworked(|_| {});
    let cells = workbook_text(&report.join("workbook.xlsx"));
    assert!(
        cells.contains("Hand-worked rollout: week to 2026-11-20"),
        "{cells}"
    );
    assert!(cells.contains("Finance"), "{cells}");
    let mail = email_text(&report.join("digest.eml"));
    assert!(
        mail.contains("Subject: Hand-worked rollout: week to 2026-11-20"),
        "{mail}"
    );
    assert!(
        mail.contains("9 of 14 people") && mail.contains("<strong>W1</strong>"),
        "{mail}"
    );
}

#[test]
fn a_rollout_too_small_to_show_still_gets_a_workbook_a_digest_and_a_card() {
    // Every wave under 100 eligible people: every row suppressed, no chart drawn.
    let (_dir, report) = handworked(|d| {
        replace(
            &d.join("uptake.toml"),
            "min_group_size = 3",
            "min_group_size = 100",
        );
    });
    let raw = email(&report);
    let msg = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("Hand-worked rollout: week to 2026-11-20 \u{2014} no wave large enough to show yet")
    );
    // No chart to show: the text and the HTML alone, and no image referenced.
    assert!(msg.root_part().is_content_type("multipart", "alternative"));
    assert!(!report.join("charts/wave_progress.png").exists());
    let html = msg.body_html(0).unwrap();
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("No wave has enough eligible people to show figures yet."));
    assert!(html.contains("too small to show"), "{html}");

    let card = card_of(&report);
    assert_valid(&card_validator(), &card);
    let mut texts = Vec::new();
    runs(&card, &mut texts);
    assert!(texts.iter().any(|t| t == "too small to show"), "{texts:?}");

    // The workbook's waves are there, their figures empty.
    let mut wb = open_workbook(&report);
    let summary = wb.worksheet_range("Summary").unwrap();
    let w1 = summary
        .rows()
        .find(|r| r[0] == Data::String("W1".into()))
        .unwrap();
    assert_eq!(w1[2], Data::Empty, "eligible of a suppressed wave");
    assert_eq!(w1[7], Data::String("too small to show".into()));
}

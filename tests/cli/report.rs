//! The sponsor page and the charts: sections and figures, escaping of hostile
//! names, every chart as SVG and PNG, no person named, golden SVG structure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{check_golden, copy_fixture, fixture, read_table, run_ok};

const CHARTS: [&str; 6] = [
    "wave_progress",
    "group_gaps",
    "funnel",
    "helpdesk",
    "lift",
    "time_to_enroll",
];

/// Elements that have no end tag in HTML.
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];

/// Checks that every start tag has its end tag, properly nested; `<style>` is
/// raw text. Returns the tag names in document order. A small strict checker:
/// browsers repair what it rejects, which is exactly what we must not rely on.
pub fn balanced_tags(html: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").expect("comment closed");
            rest = &rest[end + 3..];
            continue;
        }
        let end = rest.find('>').expect("tag closed");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> with nothing open"));
            assert_eq!(open, name.trim(), "</{name}> closes <{open}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "bad tag <{tag}>");
        seen.push(name.clone());
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest.find("</style>").expect("style closed");
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
    seen
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `<text>` contents of an SVG, in order.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').expect("text tag") + 1..];
            body[..body.find("</text>").expect("text closed")]
                .trim()
                .to_string()
        })
        .collect()
}

fn run_handworked() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let report = run_ok(
        &fixture("handworked").join("uptake.toml"),
        &out.path().join("out"),
        &[],
    );
    (out, report)
}

#[test]
fn page_is_well_formed_with_every_section_and_the_headline_figures() {
    let (_out, report) = run_handworked();
    let html = read(&report.join("index.html"));
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    let tags = balanced_tags(&html);
    for id in [
        "summary",
        "progress",
        "attention",
        "groups",
        "funnel",
        "lift",
        "helpdesk",
        "quality",
        "method",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    // Overall: 9 of 14 eligible enrolled = 64.3 %; the as-of day and the
    // week-ago day are shown as YYYY-MM-DD.
    assert!(html.contains(">64.3 %<"), "overall rate");
    assert!(html.contains("9 of 14 eligible people"));
    assert!(html.contains("2026-11-20") && html.contains("2026-11-13"));
    // The method states the privacy threshold and that machine opens do not count.
    assert!(html.contains("Groups under 3 eligible people are folded"));
    assert!(html.contains("machine prefetches"));
    assert!(html.contains("Observational, not an experiment"));
    // Self-contained: no script, nothing fetched.
    assert!(!tags
        .iter()
        .any(|t| t == "script" || t == "link" || t == "img"));
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert!(!html.contains("https://"));
    // Every chart is inline, without an XML prolog.
    assert_eq!(html.matches("<svg ").count(), CHARTS.len());
    assert!(!html.contains("<?xml"));
    // Print layout: a page per section.
    assert!(html.contains("@media print") && html.contains("break-before: page"));
}

#[test]
fn every_chart_is_written_as_svg_and_png() {
    let (_out, report) = run_handworked();
    for name in CHARTS {
        let svg = read(&report.join(format!("charts/{name}.svg")));
        assert!(svg.trim_start().starts_with("<svg"), "{name}");
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
        balanced_tags(&svg);
        let png = std::fs::read(report.join(format!("charts/{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        // Text is set in the embedded font's family, with CSS fallbacks.
        assert!(svg.contains("font-family=\"DejaVu Sans, Verdana, sans-serif\""));
    }
}

#[test]
fn no_person_is_named_in_the_page_or_the_charts() {
    let (_out, report) = run_handworked();
    let mut files = vec![read(&report.join("index.html"))];
    for name in CHARTS {
        files.push(read(&report.join(format!("charts/{name}.svg"))));
    }
    let roster = read_table(&fixture("handworked").join("roster.csv"));
    for person in &roster {
        for key in ["user_id", "display_name", "mail"] {
            let value = &person[key];
            if value.is_empty() {
                continue;
            }
            for (i, f) in files.iter().enumerate() {
                assert!(!f.contains(value.as_str()), "{key} {value} in file {i}");
                // The local part of an id alone would name the person too.
                let local = value.split('@').next().unwrap();
                if key != "display_name" {
                    assert!(!f.contains(&format!("{local}@")), "{value} in file {i}");
                }
            }
        }
    }
}

/// Writes the hand-worked fixture with its groups renamed to hostile names and
/// three people in a right-to-left named group.
fn hostile_fixture() -> (tempfile::TempDir, BTreeMap<&'static str, String>) {
    let dir = copy_fixture("handworked");
    let long: String = "Regional Sales & Business Development "
        .repeat(6)
        .chars()
        .take(200)
        .collect();
    let names = BTreeMap::from([
        ("Finance", "<script>alert(1)</script>".to_string()),
        ("HR", "R&D \"Ops\" & Co's".to_string()),
        ("Sales", long),
        ("RTL", "מכירות ושיווק".to_string()),
    ]);
    let csv_cell = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let toml_str = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let roster = dir.path().join("roster.csv");
    let mut text = String::new();
    for (i, line) in read(&roster).lines().enumerate() {
        let mut line = line.to_string();
        if i > 0 {
            for (from, to) in &names {
                line = line.replace(&format!(",{from},"), &format!(",{},", csv_cell(to)));
            }
        }
        text.push_str(&line);
        text.push('\n');
    }
    for k in 1..=3 {
        text.push_str(&format!(
            "r{k}@example.com,Rami {k},,{},,\n",
            csv_cell(&names["RTL"])
        ));
    }
    std::fs::write(&roster, text).unwrap();
    let config = dir.path().join("uptake.toml");
    let mut toml = read(&config);
    toml = toml.replace(
        "groups = [\"Finance\", \"HR\", \"Legal\"]",
        &format!(
            "groups = [{}, {}, \"Legal\", {}]",
            toml_str(&names["Finance"]),
            toml_str(&names["HR"]),
            toml_str(&names["RTL"])
        ),
    );
    toml = toml.replace(
        "groups = [\"Sales\"]",
        &format!("groups = [{}]", toml_str(&names["Sales"])),
    );
    std::fs::write(&config, toml).unwrap();
    (dir, names)
}

#[test]
fn hostile_group_names_are_escaped_and_laid_out() {
    let (dir, names) = hostile_fixture();
    let out = dir.path().join("out");
    let report = run_ok(&dir.path().join("uptake.toml"), &out, &[]);
    let html = read(&report.join("index.html"));
    balanced_tags(&html);
    assert!(!html.contains("<script"), "a script tag got through");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(
        html.contains("R&amp;D &quot;Ops&quot; &amp; Co&#x27;s")
            || html.contains("R&amp;D &quot;Ops&quot; &amp; Co&#39;s")
    );
    // The long name is shown whole in the tables (escaped), and isolated as
    // right-to-left text is.
    assert!(html.contains(&names["Sales"].replace('&', "&amp;")));
    // (Its three people are merged with the one-person Legal fold.)
    assert!(html.contains(&format!("<bdi>{} (+ small groups)</bdi>", names["RTL"])));

    for name in CHARTS {
        let svg = read(&report.join(format!("charts/{name}.svg")));
        balanced_tags(&svg);
        assert!(!svg.contains("<script"), "{name}");
    }
    let gaps = read(&report.join("charts/group_gaps.svg"));
    let texts = svg_texts(&gaps);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("&lt;script&gt;alert(1)&lt;/script&gt;")),
        "{texts:?}"
    );
    assert!(texts
        .iter()
        .any(|t| t.contains("R&amp;D &quot;Ops&quot; &amp; Co&apos;s")));
    assert!(texts.iter().any(|t| t.contains(&names["RTL"])));
    // The 200-character name is cut to the label column with an ellipsis.
    let long = texts
        .iter()
        .find(|t| t.contains("Regional Sales"))
        .expect("the long group is labelled");
    assert!(long.ends_with('…') && long.chars().count() < 60, "{long}");
}

#[test]
fn a_chart_without_data_is_skipped_and_the_page_says_why() {
    let dir = copy_fixture("handworked");
    let tickets = dir.path().join("tickets.csv");
    let header = read(&tickets).lines().next().unwrap().to_string();
    std::fs::write(&tickets, format!("{header}\n")).unwrap();
    let report = run_ok(
        &dir.path().join("uptake.toml"),
        &dir.path().join("out"),
        &[],
    );
    assert!(!report.join("charts/helpdesk.svg").exists());
    assert!(!report.join("charts/helpdesk.png").exists());
    assert!(report.join("charts/wave_progress.png").exists());
    let html = read(&report.join("index.html"));
    balanced_tags(&html);
    assert!(html.contains("No help-desk tickets up to the as-of day."));
}

/// The structure of an SVG: each element name with its count, then every text.
fn svg_structure(svg: &str) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for name in balanced_tags(svg) {
        *counts.entry(name).or_default() += 1;
    }
    let mut out = String::new();
    for (name, n) in counts {
        out.push_str(&format!("<{name}> x{n}\n"));
    }
    for t in svg_texts(svg) {
        out.push_str(&format!("text: {t}\n"));
    }
    out
}

/// Golden structure of the hand-worked charts: which elements and which words.
/// Positions are left out on purpose (a font or margin change moves them). When
/// a change is intended, rewrite with `UPTAKE_UPDATE_GOLDEN=1 cargo test
/// --release --test cli report` and review the diff.
#[test]
fn chart_structure_matches_the_golden_files() {
    let (_out, report) = run_handworked();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/charts");
    for name in CHARTS {
        let got = svg_structure(&read(&report.join(format!("charts/{name}.svg"))));
        check_golden(&golden.join(format!("{name}.txt")), &got);
    }
}

#[test]
fn same_inputs_give_byte_identical_charts_and_page() {
    let (_a, first) = run_handworked();
    let (_b, second) = run_handworked();
    for file in CHARTS
        .iter()
        .flat_map(|n| [format!("charts/{n}.svg"), format!("charts/{n}.png")])
        .chain(["index.html".to_string()])
    {
        assert_eq!(
            std::fs::read(first.join(&file)).unwrap(),
            std::fs::read(second.join(&file)).unwrap(),
            "{file}"
        );
    }
}

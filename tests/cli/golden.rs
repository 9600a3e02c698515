//! Golden files: every table of a generated rollout, byte for byte, and the page and
//! digests a reader sees.
//!
//! The rollout is `uptake generate --users 1500 --seed 21`. When a change to the
//! metrics or the wording is intended, rewrite the files with `UPTAKE_UPDATE_GOLDEN=1
//! cargo test --release --test cli golden` and review the diff like code.

use std::path::Path;

use crate::util::{check_golden, run_ok, uptake, TABLES};

/// The page with what other golden files already hold taken out: each chart's inline
/// SVG (tests/golden/charts/), the embedded font, and the version.
fn page_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 4);
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</svg>")
            .map_or(rest.len(), |e| start + e + "</svg>".len());
        out.push_str("<svg>[chart]</svg>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    let out = match (out.find("@font-face"), out.find("format(\"truetype\"); }")) {
        (Some(a), Some(b)) if a < b => format!(
            "{}@font-face [font]{}",
            &out[..a],
            &out[b + "format(\"truetype\"); }".len()..]
        ),
        _ => out,
    };
    out.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn tables_page_and_digests_of_a_generated_rollout_match_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rollout");
    uptake()
        .args(["generate", "--users", "1500", "--seed", "21", "--out"])
        .arg(&data)
        .assert()
        .success();
    let report = run_ok(&data.join("uptake.toml"), &dir.path().join("out"), &[]);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for table in TABLES {
        let got = std::fs::read_to_string(report.join(format!("tables/{table}.csv"))).unwrap();
        check_golden(&golden.join(format!("{table}.csv")), &got);
    }
    for digest in ["summary.md", "lessons.md"] {
        let got = std::fs::read_to_string(report.join(digest)).unwrap();
        check_golden(&golden.join(digest), &got);
    }
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    check_golden(&golden.join("index.html"), &page_text(&page));
}

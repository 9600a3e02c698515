//! docs/config.md kept in step with the config reader: every key the config takes is
//! documented there, every key documented is taken, every source's columns are listed
//! as `src/schema.rs` has them, and the example at the top is accepted and uses every
//! key.
//!
//! The keys are not listed here by hand, where they would drift as the page does: they
//! are asked of the reader itself. Every config table refuses unknown keys and, doing
//! so, lists the keys it takes (`unknown field `zz_probe`, expected one of `name`,
//! ...`). Putting a probe key into each table in turn, and into each of its keys as a
//! table or an array of tables, walks the whole tree the reader accepts. A key added to
//! `src/config.rs` is found this way without touching this file, and fails the test
//! until the page documents it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use uptake::schema::Source;

/// A key no config table takes.
const PROBE: &str = "zz_probe";

/// The smallest config the reader accepts: every probe is added to it.
const BASE: &str = r#"
[rollout]
[sources.roster]
path = "roster.csv"
[[waves]]
name = "W"
start = "2026-01-05"
enrollment_target = [[7, 1.0]]
"#;

/// What stands for every source's name in `[sources.<name>]`.
const ANY_SOURCE: &str = "<name>";

/// How a table is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    /// `[a.b]`.
    Table,
    /// `[[a.b]]`.
    Array,
}

/// What the reader accepts, found by probing.
#[derive(Debug, Default)]
struct Accepted {
    /// Every table that takes keys, as written (`sources.enrollments` as an array too).
    tables: BTreeSet<(Vec<String>, Shape)>,
    /// Every key that holds a value, by its table's path (sources' names as
    /// [`ANY_SOURCE`]).
    keys: BTreeMap<String, BTreeSet<String>>,
    /// The names of `[sources.<name>]`.
    sources: BTreeSet<String>,
}

/// The reader's message for `doc`, if it refuses it.
fn refusal(doc: &toml::Table) -> Option<String> {
    let text = toml::to_string(doc).expect("a TOML table serialises");
    uptake::config::parse(Path::new("uptake.toml"), &text)
        .err()
        .map(|e| e.to_string())
}

/// The keys a refusal of the probe lists, or `None` when the refusal is of another
/// kind (the probe stood where no table of keys is taken).
fn listed_keys(message: &str) -> Option<Vec<String>> {
    let rest = message.split(&format!("unknown field `{PROBE}`")).nth(1)?;
    let line = rest.lines().next().unwrap_or("");
    Some(
        line.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect(),
    )
}

/// The table at `path` in `doc` (the first entry of an array of tables).
fn table_at<'a>(doc: &'a mut toml::Table, path: &[String]) -> &'a mut toml::Table {
    let mut t = doc;
    for k in path {
        t = match t.get_mut(k).expect("the path exists") {
            toml::Value::Table(t) => t,
            toml::Value::Array(a) => match a.first_mut() {
                Some(toml::Value::Table(t)) => t,
                _ => panic!("`{k}` is not an array of tables"),
            },
            _ => panic!("`{k}` is not a table"),
        };
    }
    t
}

/// The keys the table at `path` of `doc` takes, as the reader lists them.
fn keys_of(doc: &toml::Table, path: &[String]) -> Option<Vec<String>> {
    let mut probed = doc.clone();
    table_at(&mut probed, path).insert(PROBE.into(), toml::Value::Integer(1));
    listed_keys(&refusal(&probed)?)
}

/// `path` as the page names its table: a source's name is [`ANY_SOURCE`].
fn page_path(path: &[String]) -> String {
    let mut parts: Vec<&str> = path.iter().map(String::as_str).collect();
    if parts.len() >= 2 && parts[0] == "sources" {
        parts[1] = ANY_SOURCE;
    }
    parts.join(".")
}

/// The heading the page gives the table at `path` written as `shape`: `[rollout]`,
/// `[[waves]]`, `[sources.<name>]`, and `[[sources.enrollments]]` for the one source
/// that may be several tables.
fn heading(path: &[String], shape: Shape) -> String {
    match shape {
        Shape::Table => format!("[{}]", page_path(path)),
        Shape::Array if path.first().is_some_and(|p| p == "sources") => {
            format!("[[{}]]", path.join("."))
        }
        Shape::Array => format!("[[{}]]", page_path(path)),
    }
}

/// Walks the table at `path` of `doc` (which holds it): records its keys and walks
/// those that are tables themselves.
fn walk(doc: &toml::Table, path: &[String], accepted: &mut Accepted) {
    let keys =
        keys_of(doc, path).unwrap_or_else(|| panic!("`{}` is a table of keys", path.join(".")));
    for key in keys {
        let mut inner = path.to_vec();
        inner.push(key.clone());
        let mut doc = doc.clone();
        let existing = table_at(&mut doc, path).get(&key).cloned();
        let is_table = |v: &toml::Value| match v {
            toml::Value::Table(_) => true,
            toml::Value::Array(a) => matches!(a.first(), Some(toml::Value::Table(_))),
            _ => false,
        };
        // A key BASE already sets keeps its value: a table is walked, anything else
        // is a value. A key it does not set is tried as a table, then as an array.
        let tries: Vec<(toml::Value, Shape)> = match existing {
            Some(v) if is_table(&v) => {
                let shape = match v {
                    toml::Value::Table(_) => Shape::Table,
                    _ => Shape::Array,
                };
                vec![(v, shape)]
            }
            Some(_) => Vec::new(),
            None => vec![
                (toml::Value::Table(toml::Table::new()), Shape::Table),
                (
                    toml::Value::Array(vec![toml::Value::Table(toml::Table::new())]),
                    Shape::Array,
                ),
            ],
        };
        let mut walked = false;
        for (value, shape) in tries {
            let mut with = doc.clone();
            table_at(&mut with, path).insert(key.clone(), value);
            if keys_of(&with, &inner).is_none() {
                continue;
            }
            accepted.tables.insert((inner.clone(), shape));
            if path.len() == 1 && path[0] == "sources" {
                accepted.sources.insert(key.clone());
            }
            if !walked {
                walk(&with, &inner, accepted);
                walked = true;
            }
        }
        if !walked {
            accepted
                .keys
                .entry(page_path(path))
                .or_default()
                .insert(key);
        }
    }
}

/// Everything the reader accepts.
fn accepted() -> Accepted {
    let base: toml::Table = BASE.parse().expect("BASE is TOML");
    assert_eq!(refusal(&base), None, "BASE is a valid config");
    let mut accepted = Accepted::default();
    walk(&base, &[], &mut accepted);
    accepted
}

/// docs/config.md, read as sections: each heading's text (backticks removed) and the
/// first cells of its table rows that are one `key` in backticks, with the second cell.
struct Page {
    text: String,
    sections: Vec<Section>,
}

struct Section {
    /// The `##` heading it is under.
    parent: String,
    /// Its own heading.
    heading: String,
    /// (key, second cell) of each row whose first cell is one key in backticks.
    rows: Vec<(String, String)>,
}

fn page() -> Page {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md");
    let text = std::fs::read_to_string(&path).expect("docs/config.md exists");
    let mut sections: Vec<Section> = Vec::new();
    let mut parent = String::new();
    for line in text.lines() {
        if let Some(h) = line
            .strip_prefix("## ")
            .or_else(|| line.strip_prefix("### "))
        {
            let h = h.trim().replace('`', "");
            if line.starts_with("## ") {
                parent = h.clone();
            }
            sections.push(Section {
                parent: parent.clone(),
                heading: h,
                rows: Vec::new(),
            });
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !line.starts_with('|') {
            continue;
        }
        let Some(key) = cells[1]
            .strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .filter(|k| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        else {
            continue;
        };
        if let Some(s) = sections.last_mut() {
            s.rows.push((key.to_string(), cells[2].to_string()));
        }
    }
    Page { text, sections }
}

impl Page {
    /// The keys the sections headed `heading` document.
    fn keys_under(&self, heading: &str) -> BTreeSet<String> {
        self.sections
            .iter()
            .filter(|s| s.heading == heading)
            .flat_map(|s| s.rows.iter().map(|(k, _)| k.clone()))
            .collect()
    }

    /// The example config: the first ```toml block.
    fn example(&self) -> &str {
        let start = self
            .text
            .find("```toml\n")
            .expect("the page has an example")
            + 8;
        let len = self.text[start..].find("```").expect("the example ends");
        &self.text[start..start + len]
    }
}

/// The key paths (`rollout.as_of`, `sources.<name>.path`) `doc` sets, tables walked
/// where the reader takes tables of keys.
fn keys_set(table: &toml::Table, path: &[String], accepted: &Accepted, out: &mut BTreeSet<String>) {
    for (key, value) in table {
        let mut inner = path.to_vec();
        inner.push(key.clone());
        let is_table = |shape| accepted.tables.contains(&(inner.clone(), shape));
        match value {
            toml::Value::Table(t) if is_table(Shape::Table) => keys_set(t, &inner, accepted, out),
            toml::Value::Array(a) if is_table(Shape::Array) => {
                for t in a.iter().filter_map(toml::Value::as_table) {
                    keys_set(t, &inner, accepted, out);
                }
            }
            _ => {
                out.insert(format!("{}.{key}", page_path(path)));
            }
        }
    }
}

#[test]
fn the_probe_finds_the_keys_the_reader_takes() {
    // If the reader's refusals stopped listing keys, the page checks below would have
    // nothing to check: these keys exist and must be found.
    let a = accepted();
    for (table, key) in [
        ("rollout", "as_of"),
        ("thresholds", "min_group_size"),
        ("sources.<name>", "path"),
        ("sources.<name>", "columns"),
        ("workloads", "wave_column"),
        ("waves", "enrollment_target"),
        ("campaigns", "planned"),
    ] {
        assert!(
            a.keys.get(table).is_some_and(|k| k.contains(key)),
            "{table}.{key} not found: {:?}",
            a.keys
        );
    }
    assert!(a
        .tables
        .contains(&(vec!["sources".into(), "enrollments".into()], Shape::Array)));
    assert!(!a
        .tables
        .contains(&(vec!["sources".into(), "roster".into()], Shape::Array)));
    let names: BTreeSet<String> = Source::ALL.iter().map(|s| s.name().to_string()).collect();
    assert!(a.sources.is_superset(&names), "{:?}", a.sources);
}

#[test]
fn every_config_key_is_documented_and_every_documented_key_is_taken() {
    let a = accepted();
    let page = page();
    let mut wrong = Vec::new();

    // Each table has its heading, and each heading that names a table names one.
    let headings: BTreeSet<String> = a
        .tables
        .iter()
        .filter(|(path, _)| a.keys.contains_key(&page_path(path)))
        .map(|(path, shape)| heading(path, *shape))
        .collect();
    for h in &headings {
        if !page.sections.iter().any(|s| &s.heading == h) {
            wrong.push(format!("no heading `{h}`"));
        }
    }
    for s in &page.sections {
        if s.heading.starts_with('[') && !headings.contains(&s.heading) {
            wrong.push(format!(
                "heading `{}` names no table the config takes",
                s.heading
            ));
        }
    }

    // Each key is a row under its table's heading, and each row there is a key.
    for (table, keys) in &a.keys {
        let documented = page.keys_under(&format!("[{table}]"));
        let documented = documented
            .union(&page.keys_under(&format!("[[{table}]]")))
            .cloned()
            .collect::<BTreeSet<_>>();
        for k in keys.difference(&documented) {
            wrong.push(format!("`{table}.{k}` is taken but not documented"));
        }
        for k in documented.difference(keys) {
            wrong.push(format!("`{table}.{k}` is documented but not taken"));
        }
    }
    for s in &page.sections {
        let table = s.heading.trim_start_matches('[').trim_end_matches(']');
        if s.heading.starts_with('[') && !s.rows.is_empty() && !a.keys.contains_key(table) {
            wrong.push(format!("`{}` documents keys of no table", s.heading));
        }
    }
    assert!(wrong.is_empty(), "docs/config.md:\n{}", wrong.join("\n"));
}

#[test]
fn every_source_lists_its_columns_as_the_schema_has_them() {
    let a = accepted();
    let page = page();
    let mut wrong = Vec::new();
    let listed: BTreeSet<&str> = page
        .sections
        .iter()
        .filter(|s| s.parent == "Sources and their columns" && s.heading != s.parent)
        .map(|s| s.heading.as_str())
        .collect();
    for name in &a.sources {
        let Some(source) = Source::from_name(name) else {
            wrong.push(format!("`sources.{name}` is no source of src/schema.rs"));
            continue;
        };
        if !listed.contains(name.as_str()) {
            wrong.push(format!(
                "no `### {name}` under \"Sources and their columns\""
            ));
            continue;
        }
        let rows: BTreeMap<&str, &str> = page
            .sections
            .iter()
            .filter(|s| s.parent == "Sources and their columns" && &s.heading == name)
            .flat_map(|s| s.rows.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .collect();
        let columns = source
            .required()
            .iter()
            .map(|c| (*c, "yes"))
            .chain(source.optional().iter().map(|c| (*c, "no")));
        let mut want = BTreeSet::new();
        for (column, required) in columns {
            want.insert(column);
            match rows.get(column) {
                None => wrong.push(format!("{name}: column `{column}` is not listed")),
                Some(r) if *r != required => wrong.push(format!(
                    "{name}: column `{column}` is listed as required `{r}`, the schema says `{required}`"
                )),
                Some(_) => {}
            }
        }
        for column in rows.keys().filter(|c| !want.contains(*c)) {
            wrong.push(format!(
                "{name}: `{column}` is listed but is no column of the source"
            ));
        }
    }
    for name in listed {
        if !a.sources.contains(name) {
            wrong.push(format!("`### {name}` is no source the config takes"));
        }
    }
    assert!(wrong.is_empty(), "docs/config.md:\n{}", wrong.join("\n"));
}

#[test]
fn the_example_config_is_accepted_and_uses_every_key() {
    let a = accepted();
    let page = page();
    let example = page.example();
    if let Err(e) = uptake::config::parse(Path::new("uptake.toml"), example) {
        panic!("the example in docs/config.md is refused:\n{e}");
    }
    let doc: toml::Table = example.parse().expect("the example is TOML");
    let mut set = BTreeSet::new();
    keys_set(&doc, &[], &a, &mut set);
    let missing: Vec<String> = a
        .keys
        .iter()
        .flat_map(|(table, keys)| keys.iter().map(move |k| format!("{table}.{k}")))
        .filter(|k| !set.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "the example in docs/config.md does not use: {}",
        missing.join(", ")
    );
}

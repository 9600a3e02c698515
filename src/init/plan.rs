//! From recognised files to source tables: which files make one source's `path`,
//! which are snapshots, which roster is read, its group column, the workloads, the
//! wave columns, the day order and the time zone (docs/init.md says each rule).
//!
//! Takes the [`Scan`]; hands on a [`Plan`] that the proposal reads the data with,
//! and the recognised files it leaves out, each with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::config::{DateOrder, Tool};
use crate::error::Error;
use crate::ingest::shape::{column_shape, Shape};
use crate::ingest::table::{find_header, squash, Table};
use crate::normalize::label_key;
use crate::schema::Source;

#[cfg(test)]
use super::scan::Found;
use super::scan::{read_found, roster_table, Layout, Order, Scan, Unplaced};

/// The fewest and most distinct values a column may have to be proposed as the
/// group column when it is neither `department` nor a location.
pub const GROUP_VALUES: (usize, usize) = (2, 200);

/// The most distinct values a column may have to be proposed as a cut.
const CUT_VALUES: usize = 50;

/// Roster columns that name or identify a person, never a group: the canonical
/// ones and the Entra / Microsoft 365 spellings (squashed).
const PERSON_COLUMNS: &[&str] = &[
    "userid",
    "displayname",
    "mail",
    "lefton",
    "champion",
    "userprincipalname",
    "upn",
    "username",
    "email",
    "primaryemailaddress",
    "givenname",
    "surname",
    "firstname",
    "lastname",
    "objectid",
    "id",
    "usertype",
    "accountenabled",
    "blockcredential",
    "proxyaddresses",
    "mobilephone",
    "telephonenumber",
    "phonenumber",
    "fax",
    "streetaddress",
    "postalcode",
];

/// Location columns, after `department`, in the order they are tried.
const LOCATION_COLUMNS: &[&str] = &["location", "officeLocation", "Office", "site"];

/// Roster columns worth breaking waves down by, tried first among the cuts.
const CUT_COLUMNS: &[&str] = &[
    "location",
    "cost_center",
    "costcenter",
    "country",
    "city",
    "office",
    "officeLocation",
    "company",
    "companyName",
    "region",
    "site",
    "division",
    "business_unit",
];

/// One `[sources.x]` table to write.
#[derive(Debug, Clone)]
pub struct SourceTable {
    /// The source.
    pub source: Source,
    /// The layout of its files.
    pub layout: Layout,
    /// Its files, indices into `Scan::found`.
    pub files: Vec<usize>,
    /// The file, or the folder of its files.
    pub path: PathBuf,
    /// Whether its files are dated snapshots of a state.
    pub snapshots: bool,
    /// The day order to set, why, and whether it is a guess.
    pub date_order: Option<(DateOrder, String, bool)>,
    /// Its workload (an index into `Plan::workloads`), when written per table.
    pub workload: Option<usize>,
}

/// One `[[workloads]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadPlan {
    /// Its name.
    pub name: String,
    /// The roster column naming its waves.
    pub wave_column: Option<String>,
    /// Where the name comes from, in words.
    pub why: String,
}

/// The `[survey]` init writes: the scale the scores read fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyPlan {
    /// The scale's lowest and highest score.
    pub scale: (u32, u32),
    /// The score from which a respondent is satisfied, on a scale with no default
    /// (a placeholder); `None` on 1–5 and 0–10, whose defaults apply.
    pub satisfied_from: Option<u32>,
    /// What the scores read were.
    pub why: String,
}

/// What init will write, before the data is read for the waves.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every table, the roster first, then in source order.
    pub tables: Vec<SourceTable>,
    /// The roster column that defines a group.
    pub group_by: String,
    /// Why it was chosen.
    pub group_why: String,
    /// Roster columns that could serve as cuts (proposed commented out).
    pub cuts: Vec<String>,
    /// The workloads; empty when the rollout has one and no wave column of its own.
    pub workloads: Vec<WorkloadPlan>,
    /// The rollout's zone, and why; `None` when nothing says it.
    pub timezone: Option<(Tz, String)>,
    /// The rollout's name when a canonical usage file names its one workload, and why.
    pub name: Option<(String, String)>,
    /// `[survey]` when a survey is placed: its scale, the score from which a
    /// respondent is satisfied (`None`: the scale's default), and why.
    pub survey: Option<SurveyPlan>,
    /// Recognised files left out, and why.
    pub left_out: Vec<Unplaced>,
    /// Things the user should know, one sentence each.
    pub notes: Vec<String>,
}

impl Plan {
    /// The roster's table.
    pub fn roster(&self) -> &SourceTable {
        &self.tables[0]
    }

    /// The tables of a source.
    pub fn tables_of(&self, source: Source) -> impl Iterator<Item = &SourceTable> {
        self.tables.iter().filter(move |t| t.source == source)
    }
}

/// The column a roster's groups are read from: `department`, then a location
/// column, then the first column whose values look like labels with 2–200
/// distinct values, some shared; with why. `None` when there is none.
pub fn group_column(headers: &[String], table: &Table) -> Option<(String, String)> {
    if let Some(j) = find_header(headers, "department").filter(|&j| filled(table, j)) {
        return Some((
            headers[j].clone(),
            format!("the roster's `{}` column", headers[j]),
        ));
    }
    for name in LOCATION_COLUMNS {
        if let Some(j) = find_header(headers, name).filter(|&j| filled(table, j)) {
            return Some((
                headers[j].clone(),
                format!(
                    "no department column: the roster's location column `{}`",
                    headers[j]
                ),
            ));
        }
    }
    (0..headers.len())
        .find(|&j| label_column(headers, table, j, GROUP_VALUES.1))
        .map(|j| {
            (
                headers[j].clone(),
                format!(
                    "no department or location column: `{}`, the first column with {}–{} distinct values",
                    headers[j], GROUP_VALUES.0, GROUP_VALUES.1
                ),
            )
        })
}

/// Whether column `j` has a value somewhere.
fn filled(table: &Table, j: usize) -> bool {
    table.rows.iter().any(|r| !r.get(Some(j)).is_empty())
}

/// The distinct values of column `j` (as labels: case and spaces aside), and how many
/// rows have one.
fn distinct(table: &Table, j: usize) -> (BTreeSet<String>, usize) {
    let mut values = BTreeSet::new();
    let mut n = 0;
    for r in &table.rows {
        let v = r.get(Some(j));
        if !v.is_empty() {
            values.insert(label_key(&v));
            n += 1;
        }
    }
    (values, n)
}

/// Whether a header names a wave column.
fn is_wave_column(h: &str) -> bool {
    squash(h).contains("wave")
}

/// Whether column `j` holds labels people share: text (not dates, addresses or
/// ids), not a person's name or id, with 2 to `most` distinct values, some shared.
fn label_column(headers: &[String], table: &Table, j: usize, most: usize) -> bool {
    let h = &headers[j];
    if h.trim().is_empty() || PERSON_COLUMNS.contains(&squash(h).as_str()) || is_wave_column(h) {
        return false;
    }
    if column_shape(table, j) != Some(Shape::Text) {
        return false;
    }
    let (values, n) = distinct(table, j);
    (GROUP_VALUES.0..=most).contains(&values.len()) && values.len() < n
}

/// Roster columns other than the group column that could break waves down: the
/// usual names first, then any label column with at most 50 values; three at most.
fn cut_columns(headers: &[String], table: &Table, group_by: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let ok = |j: usize| {
        label_column(headers, table, j, CUT_VALUES) && squash(&headers[j]) != squash(group_by)
    };
    for name in CUT_COLUMNS {
        if let Some(j) = find_header(headers, name).filter(|&j| ok(j)) {
            if !out.contains(&headers[j]) {
                out.push(headers[j].clone());
            }
        }
    }
    for (j, h) in headers.iter().enumerate() {
        if ok(j) && !out.contains(h) {
            out.push(h.clone());
        }
    }
    out.truncate(3);
    out
}

/// The files of a group, and what they have in common.
struct Group {
    source: Source,
    layout: Layout,
    folder: PathBuf,
    files: Vec<usize>,
}

/// Groups the recognised files into source tables, picks the roster, its group
/// column, the workloads and wave columns, the day orders and the zone. A folder
/// with no usable roster is an error that says what a roster needs.
pub fn plan(dir: &Path, scan: &mut Scan) -> Result<Plan, Error> {
    let mut left_out = Vec::new();
    let mut notes = Vec::new();
    let mut groups: BTreeMap<(Source, Layout, PathBuf), Vec<usize>> = BTreeMap::new();
    for (i, f) in scan.found.iter().enumerate() {
        let folder = f.path.parent().unwrap_or(Path::new("")).to_path_buf();
        groups
            .entry((f.source, f.layout, folder))
            .or_default()
            .push(i);
    }
    let groups: Vec<Group> = groups
        .into_iter()
        .map(|((source, layout, folder), files)| Group {
            source,
            layout,
            folder,
            files,
        })
        .collect();

    let mut candidates: Vec<SourceTable> = Vec::new();
    for g in groups {
        let found = &scan.found;
        let days: BTreeSet<NaiveDate> = g.files.iter().filter_map(|&i| found[i].day).collect();
        let dated = days.len() == g.files.len();
        let whole_folder = scan.folder_files.get(&g.folder) == Some(&g.files.len());
        let table = |files: Vec<usize>, path: PathBuf, snapshots: bool| SourceTable {
            source: g.source,
            layout: g.layout,
            files,
            path,
            snapshots,
            date_order: None,
            workload: None,
        };
        if g.files.len() == 1 {
            let i = g.files[0];
            candidates.push(table(g.files, found[i].path.clone(), false));
        } else if whole_folder {
            let snapshots = g.source.has_snapshots() && dated;
            if g.source.has_snapshots() && !dated {
                notes.push(format!(
                    "{}: the {} files of this folder are read as one {} export (their names do not each carry a day of their own, so they are not snapshots)",
                    rel(dir, &g.folder),
                    g.files.len(),
                    g.source
                ));
            }
            candidates.push(table(g.files, g.folder.clone(), snapshots));
        } else if g.source == Source::Enrollments && !dated {
            // Several device or adoption exports side by side: one table each (one
            // per workload, see below).
            for i in g.files {
                candidates.push(table(vec![i], found[i].path.clone(), false));
            }
        } else {
            // A folder that holds other exports too: one file of the group is read.
            let keep = if g.source.has_snapshots() && dated {
                *g.files
                    .iter()
                    .max_by_key(|&&i| found[i].day)
                    .expect("a group has files")
            } else {
                *g.files
                    .iter()
                    .max_by_key(|&&i| (found[i].rows, std::cmp::Reverse(i)))
                    .expect("a group has files")
            };
            for &i in g.files.iter().filter(|&&i| i != keep) {
                let reason = if g.source.has_snapshots() && dated {
                    format!(
                        "an older snapshot of the {} than {}: the folder holds other exports too, so only the latest is read; move the dated exports into a folder of their own to read them as its history (snapshots = true)",
                        g.source, found[keep].rel
                    )
                } else {
                    format!(
                        "a second {} export beside {} in a folder that holds other exports too: a source reads one file, or one folder of its own; move the {} exports into a folder of their own",
                        g.source, found[keep].rel, g.source
                    )
                };
                left_out.push(Unplaced {
                    rel: found[i].rel.clone(),
                    reason,
                });
            }
            candidates.push(table(vec![keep], found[keep].path.clone(), false));
        }
    }

    // One table per source, but for enrollments (one per workload).
    let mut tables: Vec<SourceTable> = Vec::new();
    for source in Source::EVERY {
        let mut of: Vec<SourceTable> = candidates
            .iter()
            .filter(|t| t.source == source)
            .cloned()
            .collect();
        if source == Source::Enrollments || of.len() <= 1 {
            // Device enrollment first: the workload other workloads usually follow.
            of.sort_by_key(|t| (t.layout != Layout::Tool(Tool::Intune), t.path.clone()));
            tables.extend(of);
            continue;
        }
        let weight = |t: &SourceTable| {
            let rows: u64 = t.files.iter().map(|&i| scan.found[i].rows).sum();
            (t.files.len(), rows)
        };
        of.sort_by(|a, b| weight(b).cmp(&weight(a)).then(a.path.cmp(&b.path)));
        let kept = of.remove(0);
        let kept_rel = rel(dir, &kept.path);
        for t in of {
            let why = if source == Source::Roster {
                format!(
                    "a second roster: uptake reads one roster (dated exports of one roster in a folder of their own are its snapshots); {kept_rel} was kept, with more files or rows"
                )
            } else {
                format!(
                    "{source} exports in another place as well: a source reads one file or one folder; {kept_rel} was kept, with more files or rows; move these into it to read them too"
                )
            };
            for &i in &t.files {
                left_out.push(Unplaced {
                    rel: scan.found[i].rel.clone(),
                    reason: why.clone(),
                });
            }
        }
        tables.push(kept);
    }
    let Some(roster) = tables.iter().position(|t| t.source == Source::Roster) else {
        return Err(no_roster(dir, scan));
    };
    tables[..=roster].rotate_right(1);

    // The group column, from the roster's latest file.
    let latest = *tables[0]
        .files
        .iter()
        .max_by_key(|&&i| (scan.found[i].day, i))
        .expect("a table has files");
    let roster_file = &scan.found[latest];
    let table = roster_table(roster_file);
    let (group_by, group_why) = group_column(&roster_file.headers, &table)
        .expect("a roster file is placed only with a group column");
    let cuts = cut_columns(&roster_file.headers, &table, &group_by);

    let workloads = workloads(&mut tables, scan, &roster_file.headers, &mut notes);
    let name = usage_workloads(&tables, scan, &workloads, &mut notes);
    let survey = tables
        .iter()
        .find(|t| t.source == Source::Survey)
        .map(|t| survey_scale(t, scan));
    date_orders(&mut tables, scan);
    let timezone = timezone(scan);
    Ok(Plan {
        tables,
        group_by,
        group_why,
        cuts,
        workloads,
        timezone,
        name,
        survey,
        left_out,
        notes,
    })
}

/// A usage row names its workload, which must be a configured one (else it is
/// quarantined). With one workload, which is named after the rollout, a usage file
/// naming one workload names the rollout: that name is returned, with why. Values
/// no workload has are told in a note.
fn usage_workloads(
    tables: &[SourceTable],
    scan: &Scan,
    workloads: &[WorkloadPlan],
    notes: &mut Vec<String>,
) -> Option<(String, String)> {
    let usage = tables.iter().find(|t| t.source == Source::Usage)?;
    let mut rows: BTreeMap<&str, u64> = BTreeMap::new();
    for &i in &usage.files {
        for (v, n) in &scan.found[i].workloads {
            *rows.entry(v.as_str()).or_default() += n;
        }
    }
    let rel = &scan.found[usage.files[0]].rel;
    let total: u64 = rows.values().sum();
    // With one workload, the value most rows name, when more than half do.
    let name = workloads
        .is_empty()
        .then(|| {
            rows.iter()
                .max_by_key(|&(v, n)| (*n, std::cmp::Reverse(*v)))
        })
        .flatten()
        .filter(|&(_, &n)| 2 * n > total)
        .map(|(v, _)| (*v).to_string());
    let known = |v: &str| match &name {
        Some(n) => n == v,
        None => workloads.iter().any(|w| w.name.eq_ignore_ascii_case(v)),
    };
    let unknown: Vec<String> = rows
        .iter()
        .filter(|(v, _)| !known(v))
        .map(|(v, n)| format!("`{v}` ({n} {})", if *n == 1 { "row" } else { "rows" }))
        .collect();
    if !unknown.is_empty() {
        notes.push(format!(
            "{rel}: its `workload` column also names {} that no workload of this config has: those rows will be quarantined until the names match ([[workloads]], docs/inputs.md \"Usage\")",
            unknown.join(", ")
        ));
    }
    name.map(|n| {
        (
            n,
            format!("the workload most rows of {rel} name: with one workload, usage rows name the rollout"),
        )
    })
}

/// The survey scale the scores read fit: 1–5 when they all are on it, else 0–10
/// when they all are on that and reach 0, 9 or 10, else their own range, with a
/// placeholder for the score from which a respondent is satisfied (the top quarter).
fn survey_scale(t: &SourceTable, scan: &Scan) -> SurveyPlan {
    let range = t
        .files
        .iter()
        .filter_map(|&i| scan.found[i].scores)
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    let rel = &scan.found[t.files[0]].rel;
    let Some((lo, hi)) = range else {
        return SurveyPlan {
            scale: (1, 5),
            satisfied_from: None,
            why: format!("{rel} holds no score to tell its scale by: the default"),
        };
    };
    let why = format!("the scores of {rel} run from {lo} to {hi}");
    let (scale, satisfied_from) = if lo >= 1 && hi <= 5 {
        ((1, 5), None)
    } else if hi <= 10 && (lo == 0 || hi >= 9) {
        ((0, 10), None)
    } else {
        // Another scale (1–7, 1–100): its bounds as read, which must go up.
        let (low, high) = if lo < hi { (lo, hi) } else { (0, hi.max(1)) };
        ((low, high), Some(high - (high - low) / 4))
    };
    SurveyPlan {
        scale,
        satisfied_from,
        why,
    }
}

/// `path` relative to `dir`, for messages.
fn rel(dir: &Path, path: &Path) -> String {
    let r = path.strip_prefix(dir).unwrap_or(path).display().to_string();
    if r.is_empty() {
        ".".to_string()
    } else {
        r
    }
}

/// The error for a folder with no usable roster: what a roster needs and what the
/// folder held.
fn no_roster(dir: &Path, scan: &Scan) -> Error {
    let mut found: Vec<String> = scan
        .found
        .iter()
        .map(|f| format!("  {}: {} ({})", f.rel, f.source, f.layout.format_name()))
        .collect();
    found.extend(
        scan.unplaced
            .iter()
            .map(|u| format!("  {}: {}", u.rel, u.reason)),
    );
    if found.is_empty() {
        found.push("  no file".to_string());
    }
    Error::Unreadable {
        file: dir.to_path_buf(),
        message: format!(
            "no roster found: a roster is a CSV with a `user_id` column (the person's email or UPN) and a group column (`department`, a location, or any column of {}–{} distinct values), or an Entra / Microsoft 365 user export with a department or office\nfound:\n{}\nhelp: add the roster export to the folder and run `uptake init` again",
            GROUP_VALUES.0,
            GROUP_VALUES.1,
            found.join("\n")
        ),
    }
}

/// The workload a table's rows belong to, named after its export: Intune's device
/// list is device enrollment; another export is named after its file or folder.
fn workload_name(t: &SourceTable, scan: &Scan) -> String {
    if t.layout == Layout::Tool(Tool::Intune) {
        return "Intune MDM".to_string();
    }
    let stem = if t.files.len() > 1 {
        t.path.file_name()
    } else {
        t.path.file_stem()
    }
    .map(|s| s.to_string_lossy().into_owned())
    .unwrap_or_default();
    let _ = scan;
    humanise(&stem)
}

/// `onedrive_kfm_2026-11-20` -> `Onedrive kfm`: the name without its day, digits and
/// separators.
fn humanise(stem: &str) -> String {
    let words: Vec<&str> = stem
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let joined = words.join(" ").to_lowercase();
    let mut chars = joined.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Enrollments".to_string(),
    }
}

/// The workloads: one per enrollment table, or the values of a canonical export's
/// `workload` column; and the roster's wave columns, each given to the workload its
/// name points at (`kfm_wave` to a workload whose name or export says `kfm`).
fn workloads(
    tables: &mut [SourceTable],
    scan: &Scan,
    roster_headers: &[String],
    notes: &mut Vec<String>,
) -> Vec<WorkloadPlan> {
    let mut out: Vec<WorkloadPlan> = Vec::new();
    let add = |out: &mut Vec<WorkloadPlan>, name: String, why: String| -> usize {
        if let Some(i) = out.iter().position(|w| w.name.eq_ignore_ascii_case(&name)) {
            return i;
        }
        out.push(WorkloadPlan {
            name,
            wave_column: None,
            why,
        });
        out.len() - 1
    };
    let enrollment: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].source == Source::Enrollments)
        .collect();
    let mut per_table = Vec::new();
    let mut column_values = false;
    for &ti in &enrollment {
        let t = &tables[ti];
        let values: BTreeSet<String> = t
            .files
            .iter()
            .flat_map(|&i| scan.found[i].workloads.keys().cloned())
            .collect();
        if values.is_empty() {
            per_table.push((ti, Some(workload_name(t, scan))));
        } else {
            column_values = true;
            for v in values {
                let why = format!(
                    "a value of the `workload` column of {}",
                    scan.found[t.files[0]].rel
                );
                add(&mut out, v, why);
            }
            per_table.push((ti, None));
        }
    }
    let several = column_values || per_table.len() > 1;
    if several {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for (ti, name) in per_table {
            let Some(base) = name else { continue };
            // Two exports that are named alike are two workloads still.
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name.to_lowercase()) {
                name = format!("{base} {n}");
                n += 1;
            }
            taken.insert(name.to_lowercase());
            let why = format!("named after {}", rel_name(&tables[ti].path));
            let w = add(&mut out, name, why);
            tables[ti].workload = Some(w);
        }
    }
    // Wave columns.
    let wave_cols: Vec<&String> = roster_headers
        .iter()
        .filter(|h| is_wave_column(h))
        .collect();
    for h in wave_cols {
        let plain = squash(h) == "wave";
        let hint = squash(h).replace("wave", "");
        let target = if plain {
            if out.is_empty() {
                None // the canonical `wave` column of the only workload
            } else {
                out.iter().position(|w| w.wave_column.is_none())
            }
        } else {
            let by_name = out.iter().position(|w| {
                w.wave_column.is_none() && !hint.is_empty() && squash(&w.name).contains(&hint)
            });
            let by_path = || {
                tables
                    .iter()
                    .filter(|t| t.source == Source::Enrollments)
                    .find(|t| !hint.is_empty() && squash(&rel_name(&t.path)).contains(&hint))
                    .and_then(|t| t.workload)
                    .filter(|&w| out[w].wave_column.is_none())
            };
            by_name.or_else(by_path)
        };
        match target {
            Some(w) => out[w].wave_column = Some(h.clone()),
            None if plain && out.is_empty() => {}
            None => notes.push(format!(
                "roster: `{h}` looks like a wave column, but no workload's name or export says which workload it is for: it is not used; set wave_column = \"{h}\" on its [[workloads]] entry"
            )),
        }
    }
    out
}

/// The last part of a path.
fn rel_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// The day order of each table: the order its canonical files' values decide
/// (canonical files are read in the order the config sets), else, where a file's
/// values read either way, the order most files of the folder decided, else
/// day-first; the last two are guesses.
fn date_orders(tables: &mut [SourceTable], scan: &mut Scan) {
    let decided: Vec<DateOrder> = scan
        .found
        .iter()
        .filter_map(|f| match f.order {
            Order::Decided(o) => Some(o),
            _ => None,
        })
        .collect();
    let mdy = decided.iter().filter(|o| **o == DateOrder::Mdy).count();
    let guess = if mdy * 2 > decided.len() {
        DateOrder::Mdy
    } else {
        DateOrder::Dmy
    };
    for t in tables.iter_mut() {
        let orders: Vec<Order> = t.files.iter().map(|&i| scan.found[i].order).collect();
        let dmy = orders
            .iter()
            .filter(|o| **o == Order::Decided(DateOrder::Dmy))
            .count();
        let mdy = orders
            .iter()
            .filter(|o| **o == Order::Decided(DateOrder::Mdy))
            .count();
        let undecided: Vec<usize> = t
            .files
            .iter()
            .copied()
            .filter(|&i| scan.found[i].order == Order::Undecided)
            .collect();
        t.date_order = if dmy + mdy > 0 {
            let o = if mdy > dmy {
                DateOrder::Mdy
            } else {
                DateOrder::Dmy
            };
            Some((
                o,
                "its dates are not ISO 8601 and their values decide the order".to_string(),
                false,
            ))
        } else if !undecided.is_empty() {
            let names: Vec<&str> = undecided
                .iter()
                .map(|&i| scan.found[i].rel.as_str())
                .collect();
            let why = format!(
                "{} has dates such as 3/4/2026 that read either way; {}",
                names.join(", "),
                if decided.is_empty() {
                    "no file decides: day-first is the more common order".to_string()
                } else {
                    "the order most other exports decided".to_string()
                }
            );
            Some((guess, why, true))
        } else {
            None
        };
        if let Some((o, _, _)) = t.date_order {
            if o != DateOrder::Dmy {
                // The days shown were read day-first.
                for &i in &undecided {
                    let f = &mut scan.found[i];
                    let said = f.order;
                    if read_found(f, Some(o)).is_ok() {
                        f.order = said;
                    }
                }
            }
        }
    }
}

/// Zones tried first, in order, when several fit the offsets the exports carry
/// (zones that share rules give the same instants: the best-known name is written).
const COMMON_ZONES: &[&str] = &[
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Warsaw",
    "Europe/Stockholm",
    "Europe/Helsinki",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Jakarta",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Perth",
    "Pacific/Auckland",
    "Africa/Johannesburg",
    "Africa/Lagos",
];

/// The rollout's zone from the UTC offsets the exports' timestamps carry: the first
/// zone whose offset was each one on its day (tried at noon UTC), the common zones
/// first. `None` when no timestamp carries an offset other than UTC's.
pub fn timezone(scan: &Scan) -> Option<(Tz, String)> {
    let seen: BTreeSet<(NaiveDate, i32)> = scan
        .found
        .iter()
        .flat_map(|f| f.offsets.iter().copied())
        .collect();
    if seen.is_empty() {
        return None;
    }
    let fits = |tz: Tz| {
        seen.iter().all(|&(day, off)| {
            let noon = day.and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon"));
            tz.offset_from_utc_datetime(&noon).fix().local_minus_utc() == off
        })
    };
    let named = COMMON_ZONES.iter().filter_map(|n| n.parse::<Tz>().ok());
    let rest = chrono_tz::TZ_VARIANTS
        .iter()
        .copied()
        .filter(|tz| tz.name().contains('/') && !tz.name().starts_with("Etc/"));
    let tz = named.chain(rest).find(|&tz| fits(tz))?;
    let offsets: BTreeSet<i32> = seen.iter().map(|&(_, o)| o).collect();
    let shown: Vec<String> = offsets.iter().map(|&o| offset_text(o)).collect();
    let files: BTreeSet<&str> = scan
        .found
        .iter()
        .filter(|f| !f.offsets.is_empty())
        .map(|f| f.rel.as_str())
        .collect();
    let files: Vec<&str> = files.into_iter().take(3).collect();
    Some((
        tz,
        format!(
            "the offsets of the timestamps in {} ({}) fit it on every day they fall on",
            files.join(", "),
            shown.join(", ")
        ),
    ))
}

/// `+02:00`.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let m = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::table::parse_table;

    #[test]
    fn the_group_column_is_department_then_location_then_a_label_column() {
        let t = parse_table(
            "user_id,department,location\na@x.com,Sales,Paris\nb@x.com,HR,Paris\n",
            1,
        );
        assert_eq!(group_column(&t.headers, &t).unwrap().0, "department");
        let t = parse_table(
            "userPrincipalName,officeLocation\na@x.com,Paris\nb@x.com,Lyon\n",
            1,
        );
        assert_eq!(group_column(&t.headers, &t).unwrap().0, "officeLocation");
        // Names are unique, addresses are addresses: `team` is the first label column.
        let t = parse_table(
            "user_id,display_name,joined,team\na@x.com,Ann Lee,2026-01-05,Blue\nb@x.com,Bob Ray,2026-01-05,Blue\nc@x.com,Cy Ho,2026-02-05,Red\n",
            1,
        );
        assert_eq!(group_column(&t.headers, &t).unwrap().0, "team");
        // Every value its own: no group column.
        let t = parse_table(
            "user_id,display_name\na@x.com,Ann Lee\nb@x.com,Bob Ray\n",
            1,
        );
        assert_eq!(group_column(&t.headers, &t), None);
    }

    #[test]
    fn zones_are_told_by_their_offsets_through_the_year() {
        let mut scan = Scan::default();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let found = |offsets: &[(NaiveDate, i32)]| {
            let mut found = test_found();
            found.offsets = offsets.iter().copied().collect();
            found
        };
        // +02:00 in October, +01:00 in November: central European time.
        scan.found
            .push(found(&[(d(10, 6), 7200), (d(11, 3), 3600)]));
        assert_eq!(timezone(&scan).unwrap().0, chrono_tz::Europe::Paris);
        // -05:00 in January, -04:00 in July: US Eastern.
        scan.found = vec![found(&[(d(1, 6), -18000), (d(7, 6), -14400)])];
        assert_eq!(timezone(&scan).unwrap().0, chrono_tz::America::New_York);
        scan.found = vec![found(&[])];
        assert_eq!(timezone(&scan), None);
    }

    fn test_found() -> Found {
        Found::new(Path::new("x.csv"), Source::Training, Layout::Canonical)
    }

    #[test]
    fn the_survey_scale_is_the_one_its_scores_fit() {
        let scale = |scores: Option<(u32, u32)>| {
            let mut found = test_found();
            found.rel = "survey.csv".to_string();
            found.scores = scores;
            let scan = Scan {
                found: vec![found],
                ..Scan::default()
            };
            let table = SourceTable {
                source: Source::Survey,
                layout: Layout::Canonical,
                files: vec![0],
                path: PathBuf::from("survey.csv"),
                snapshots: false,
                date_order: None,
                workload: None,
            };
            let p = survey_scale(&table, &scan);
            (p.scale, p.satisfied_from)
        };
        // On 1-5 (even when nobody gave 1 or 5), and on 0-10 (a 0, a 9 or a 10 is
        // seen): the defaults apply.
        assert_eq!(scale(Some((2, 5))), ((1, 5), None));
        assert_eq!(scale(Some((1, 3))), ((1, 5), None));
        assert_eq!(scale(Some((0, 4))), ((0, 10), None));
        assert_eq!(scale(Some((3, 10))), ((0, 10), None));
        assert_eq!(scale(Some((6, 9))), ((0, 10), None));
        // 1-7: not 0-10 (a 7-point scale read as 0-10 would count nobody satisfied);
        // its own bounds, satisfied from the top quarter: 7 - (7 - 1) / 4 = 6.
        assert_eq!(scale(Some((1, 7))), ((1, 7), Some(6)));
        // 1-100: 100 - 99 / 4 = 76.
        assert_eq!(scale(Some((1, 100))), ((1, 100), Some(76)));
        // One score off both scales: a scale must go up, from 0.
        assert_eq!(scale(Some((12, 12))), ((0, 12), Some(9)));
        // No score at all: the default.
        assert_eq!(scale(None), ((1, 5), None));
    }

    #[test]
    fn workload_names_come_from_the_export() {
        assert_eq!(humanise("onedrive_kfm"), "Onedrive kfm");
        assert_eq!(humanise("app-protection_2026-11-20"), "App protection");
        assert_eq!(humanise("2026"), "Enrollments");
    }
}

//! What the tool adapters share: delimited sections with their lines, header
//! aliases resolved to canonical columns, dates rewritten as ISO 8601, cells cleaned.
//!
//! An adapter reads a whole export (tool exports are small next to a rollout's
//! canonical files), finds its table or tables, and hands back one [`Out`] per row it
//! counts: a canonical record in the order of the wanted columns, or a row it cannot
//! use with the reason. It applies no rule of `quality`.

use std::io::Read;
use std::path::Path;

use crate::config::{DateOrder, SourceConfig};
use crate::error::{Error, MissingColumn};
use crate::schema::Source;

use super::closest_header;
use super::dates::{order_evidence, IsoWriter, OrderEvidence};
use super::records::{stray_reason, Part, Splitter};
use super::shape::{column_shape, Shape};

/// One row an adapter hands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// A canonical record: cells in the order of the wanted columns.
    Row {
        /// The line (or, for JSON, the line of the object) it comes from.
        line: u64,
        /// Cells by wanted column.
        fields: Vec<String>,
        /// The row as it stood in the export, for the quarantine file.
        raw: String,
    },
    /// A row that cannot be used: it is quarantined with the reason.
    Bad {
        /// Its line.
        line: u64,
        /// Why.
        reason: String,
        /// The row as it stood.
        raw: String,
    },
}

/// What an adapter hands back for one file.
#[derive(Debug, Default)]
pub struct Adapted {
    /// One entry per row counted as read, in the order `quality` should see them.
    pub rows: Vec<Out>,
    /// Things the user should know, one sentence each.
    pub notes: Vec<String>,
}

/// What an adapter knows about the file it reads.
pub struct Ctx<'a> {
    /// The source the file feeds.
    pub source: Source,
    /// The source's config (`columns`, `date_order`, `campaign_from`).
    pub cfg: &'a SourceConfig,
    /// The file.
    pub path: &'a Path,
    /// The canonical columns wanted, required first.
    pub wanted: &'a [String],
    /// How many of `wanted` are required.
    pub n_required: usize,
}

impl Ctx<'_> {
    /// The position of canonical column `name` among the wanted ones.
    pub fn ix(&self, name: &str) -> Option<usize> {
        self.wanted.iter().position(|w| w == name)
    }

    /// An empty record.
    pub fn blank(&self) -> Vec<String> {
        vec![String::new(); self.wanted.len()]
    }

    /// Sets canonical column `name` of `record`, when the source wants it.
    pub fn set(&self, record: &mut [String], name: &str, value: impl Into<String>) {
        if let Some(i) = self.ix(name) {
            record[i] = value.into();
        }
    }

    /// The header position of each wanted column: the config's `columns` first, then
    /// the tool's `aliases`, then the canonical name itself (each exact, then ignoring
    /// case, spaces and punctuation). A required column, or one the config maps, that is
    /// nowhere is an [`Error::MissingColumn`].
    pub fn map(
        &self,
        headers: &[String],
        aliases: &[(&str, &[&str])],
    ) -> Result<Vec<Option<usize>>, Error> {
        self.map_providing(headers, aliases, &[])
    }

    /// [`Ctx::map`] for an adapter that `provides` some required columns itself (a
    /// Teams session from the meeting title): they are not required of the headers.
    pub fn map_providing(
        &self,
        headers: &[String],
        aliases: &[(&str, &[&str])],
        provides: &[&str],
    ) -> Result<Vec<Option<usize>>, Error> {
        let mut map = Vec::with_capacity(self.wanted.len());
        for (i, canonical) in self.wanted.iter().enumerate() {
            let configured = self.cfg.columns.get(canonical);
            let tool: &[&str] = aliases
                .iter()
                .find(|(c, _)| c == canonical)
                .map_or(&[], |(_, a)| a);
            // The tool's own names first: a loose match on the canonical name could
            // take another column (Intune's `UserId`, a GUID, for `user_id`).
            let found = match configured {
                Some(header) => find_header(headers, header),
                None => tool
                    .iter()
                    .copied()
                    .chain(std::iter::once(canonical.as_str()))
                    .find_map(|h| find_header(headers, h)),
            };
            let needed = (i < self.n_required && !provides.contains(&canonical.as_str()))
                || configured.is_some();
            if found.is_none() && needed && headers.len() < 2 {
                // One field: not a delimited file at all (`/etc/shadow`, a text
                // file). Its first line is not quoted: it may be anything.
                return Err(Error::Unreadable {
                    file: self.path.to_path_buf(),
                    message: format!(
                        "does not look like a CSV export: its first line has no comma, tab or semicolon, and a {} file needs a column `{canonical}`\nhelp: check `[sources.{}] path` and that the file is exported as CSV",
                        self.source.name(),
                        self.source.name()
                    ),
                });
            }
            if found.is_none() && needed {
                let looked_for = configured
                    .map(String::as_str)
                    .or(tool.first().copied())
                    .unwrap_or(canonical);
                return Err(Error::MissingColumn(Box::new(MissingColumn {
                    source_name: self.source.name().to_string(),
                    file: self.path.to_path_buf(),
                    column: canonical.clone(),
                    config_key: configured.cloned(),
                    found: headers.to_vec(),
                    closest: closest_header(looked_for, headers),
                    suggestion: Vec::new(),
                    named_by: None,
                })));
            }
            map.push(found);
        }
        Ok(map)
    }

    /// [`Ctx::map_providing`] for a parsed table: when a required column is missing,
    /// the error's help gives the `columns` line that reads the file, the headers
    /// told from their values ([`Ctx::suggest`]).
    pub fn map_table(
        &self,
        table: &Table,
        aliases: &[(&str, &[&str])],
        provides: &[&str],
    ) -> Result<Vec<Option<usize>>, Error> {
        self.map_providing(&table.headers, aliases, provides)
            .map_err(|e| match e {
                Error::MissingColumn(mut m) => {
                    m.suggestion = self.suggest(table, aliases, provides);
                    Error::MissingColumn(m)
                }
                other => other,
            })
    }

    /// The header of each required column the tool's names do not find, told from
    /// the values under it: a date or time column (`*_at`, `timestamp`) takes the
    /// next column of timestamps, `user_id` the first column of email addresses,
    /// `ticket_id` the first column of distinct ids (`HELP-42`, `INC0010001`,
    /// `1042`). Empty when any missing column cannot be told: the help then names
    /// no header it is not sure of.
    pub fn suggest(
        &self,
        table: &Table,
        aliases: &[(&str, &[&str])],
        provides: &[&str],
    ) -> Vec<(String, String)> {
        let found = |canonical: &str| -> Option<usize> {
            match self.cfg.columns.get(canonical) {
                Some(h) => find_header(&table.headers, h),
                None => aliases
                    .iter()
                    .find(|(c, _)| *c == canonical)
                    .map_or(&[][..], |(_, a)| *a)
                    .iter()
                    .copied()
                    .chain(std::iter::once(canonical))
                    .find_map(|h| find_header(&table.headers, h)),
            }
        };
        let mut used: Vec<usize> = self.wanted.iter().filter_map(|c| found(c)).collect();
        let shapes: Vec<Option<Shape>> = (0..table.headers.len())
            .map(|j| column_shape(table, j))
            .collect();
        let mut out = Vec::new();
        for canonical in &self.wanted[..self.n_required] {
            if provides.contains(&canonical.as_str()) || found(canonical).is_some() {
                continue;
            }
            let want = if canonical.ends_with("_at") || canonical == "timestamp" {
                Shape::Stamp
            } else if canonical == "user_id" {
                Shape::Email
            } else if canonical == "ticket_id" {
                Shape::Id
            } else {
                return Vec::new();
            };
            let Some(j) = (0..shapes.len()).find(|j| {
                !used.contains(j) && shapes[*j] == Some(want) && !table.headers[*j].is_empty()
            }) else {
                return Vec::new();
            };
            used.push(j);
            out.push((canonical.clone(), table.headers[j].clone()));
        }
        out
    }

    /// Decides how this file writes its numeric dates: from its own values when they
    /// decide it (a first field over 12 is day-first), else from `date_order`, else
    /// from the en-US clock (`9:50:12 AM`) when every value has one; a file that
    /// cannot decide with no setting is a config error naming the file and key.
    pub fn dates<'c>(
        &self,
        cells: impl IntoIterator<Item = &'c str>,
        utc: bool,
    ) -> Result<IsoWriter, Error> {
        self.dates_or(cells, utc, None)
    }

    /// [`Ctx::dates`] for a tool that writes one order whatever the locale (Zoom's
    /// reports are month-first): `default` stands where the values do not decide.
    pub fn dates_or<'c>(
        &self,
        cells: impl IntoIterator<Item = &'c str>,
        utc: bool,
        default: Option<DateOrder>,
    ) -> Result<IsoWriter, Error> {
        let configured = self.cfg.date_order.or(default);
        let order = match (order_evidence(cells), configured) {
            (OrderEvidence::DayFirst, _) => DateOrder::Dmy,
            (OrderEvidence::MonthFirst, _) => DateOrder::Mdy,
            (OrderEvidence::Irrelevant, c) => c.unwrap_or(DateOrder::Mdy),
            (OrderEvidence::UsClock, c) => c.unwrap_or(DateOrder::Mdy),
            (OrderEvidence::Undecided | OrderEvidence::Conflicting, Some(c)) => c,
            (evidence, None) => {
                let why = if evidence == OrderEvidence::Conflicting {
                    "has dates that are day-first (a first field over 12) and others that are month-first"
                } else {
                    "has dates such as 3/4/2026 that read day-first or month-first, and none that decides"
                };
                return Err(Error::config(
                    &self.cfg.config_file,
                    format!("sources.{}.date_order", self.source.name()),
                    format!("{} {why}", self.path.display()),
                )
                .with_help(format!(
                    "set date_order = \"dmy\" (15/11/2026) or \"mdy\" (11/15/2026) in [sources.{}]",
                    self.source.name()
                )));
            }
        };
        Ok(IsoWriter { order, utc })
    }
}

/// The position of `wanted` in `headers`: exact, then ignoring case, spaces and
/// punctuation.
pub fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    let wanted = wanted.trim();
    headers
        .iter()
        .position(|h| h == wanted)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(wanted)))
        .or_else(|| {
            let w = squash(wanted);
            headers.iter().position(|h| squash(h) == w)
        })
}

/// Lowercase letters and digits only: `Participant ID (UPN)` -> `participantidupn`.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A cell as the metrics should see it: trimmed; a tool's "no value" (`?`, `null`,
/// `NULL`, `(null)`, `N/A`, `-`, `--`) empty; a spreadsheet formula wrapper (`="0123"`) unwrapped
/// and a leading `=` dropped, so that a formula is never passed on.
pub fn clean(cell: &str) -> String {
    let s = cell.trim();
    if matches!(
        s.to_ascii_lowercase().as_str(),
        "?" | "null" | "(null)" | "n/a" | "-" | "--"
    ) {
        return String::new();
    }
    if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        return inner.to_string();
    }
    s.trim_start_matches('=').trim().to_string()
}

/// A delimited table with the line of each row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The header row, trimmed.
    pub headers: Vec<String>,
    /// The data rows.
    pub rows: Vec<TableRow>,
    /// Where its header starts in the text it was cut from (0 when not cut).
    pub start: usize,
}

/// One data row of a [`Table`].
#[derive(Debug, Clone)]
pub struct TableRow {
    /// The line it starts on, in the whole file.
    pub line: u64,
    /// Its cells, as written (untrimmed, unquoted).
    pub cells: Vec<String>,
    /// The row re-joined, for the quarantine file.
    pub raw: String,
    /// Why the line is not a row: it opens a stray quote.
    stray: Option<String>,
}

impl TableRow {
    /// Cell `i`, cleaned (see [`clean`]); empty when absent.
    pub fn get(&self, i: Option<usize>) -> String {
        i.and_then(|i| self.cells.get(i))
            .map_or_else(String::new, |c| clean(c))
    }

    /// Whether the row has the header's shape; the reason when not (a line that
    /// opens a stray quote never has).
    pub fn shape(&self, n_headers: usize) -> Result<(), String> {
        if let Some(reason) = &self.stray {
            return Err(reason.clone());
        }
        let extra_empty = self
            .cells
            .iter()
            .skip(n_headers)
            .all(|c| c.trim().is_empty());
        if self.cells.len() < n_headers || !extra_empty {
            Err(format!(
                "the row has {} fields where the header has {n_headers}",
                self.cells.len()
            ))
        } else {
            Ok(())
        }
    }
}

/// Parses `text`, whose first line is a header, as a delimited table (delimiter
/// sniffed from the header). `first_line` is the file line of the header. Blank lines
/// end nothing and are not rows. A line that opens a stray quote is a row of its own
/// with no cells, which [`TableRow::shape`] refuses with the reason; reading resumes
/// on the next line (see `records.rs`).
pub fn parse_table(text: &str, first_line: u64) -> Table {
    let bytes = text.as_bytes();
    let delimiter = super::canonical::sniff_delimiter(bytes);
    let mut table = Table::default();
    // The header: the first record that is not blank, read as the csv crate reads it.
    let mut reader = csv_reader(delimiter, bytes);
    let mut record = csv::ByteRecord::new();
    let mut found = false;
    while let Ok(true) = reader.read_byte_record(&mut record) {
        let cells = cells_of(&record);
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        table.headers = cells
            .iter()
            .map(|h| {
                h.trim()
                    .trim_matches('\u{feff}')
                    .trim_matches('"')
                    .to_string()
            })
            .collect();
        found = true;
        break;
    }
    if !found {
        return table;
    }
    let (pos, line) = (
        reader.position().byte() as usize,
        first_line - 1 + reader.position().line(),
    );
    let rest = &bytes[pos.min(bytes.len())..];
    let splitter = Splitter {
        delimiter,
        fields: Some(table.headers.len()),
        piece: usize::MAX,
    };
    let mut part_line = line;
    for part in splitter.split(rest, true).0 {
        let (Part::Records { from, to } | Part::Stray { from, to, .. }) = part;
        let chunk = &rest[from..to];
        match part {
            Part::Stray { field, .. } => {
                let column = table.headers.get(field).map_or("?", String::as_str);
                table.rows.push(TableRow {
                    line: part_line,
                    cells: Vec::new(),
                    raw: super::canonical::line_text(chunk),
                    stray: Some(stray_reason(column, table.headers.len())),
                });
            }
            Part::Records { .. } => {
                let mut reader = csv_reader(delimiter, chunk);
                while let Ok(true) = reader.read_byte_record(&mut record) {
                    let (start, at) = record
                        .position()
                        .map_or((0, 1), |p| (p.byte() as usize, p.line()));
                    // The csv crate skips blank lines without counting them.
                    let blank = chunk[start.min(chunk.len())..]
                        .iter()
                        .take_while(|&&c| c == b'\n')
                        .count() as u64;
                    let cells = cells_of(&record);
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    let raw = join(&cells);
                    table.rows.push(TableRow {
                        line: part_line - 1 + at + blank,
                        cells,
                        raw,
                        stray: None,
                    });
                }
            }
        }
        part_line += memchr::memchr_iter(b'\n', chunk).count() as u64;
    }
    table
}

/// A record's cells as text, each without the `\r` of a CRLF line end.
fn cells_of(record: &csv::ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|c| {
            let c = String::from_utf8_lossy(c);
            c.strip_suffix('\r').unwrap_or(&c).to_string()
        })
        .collect()
}

/// Cells re-joined as one CSV line.
pub fn join(cells: &[String]) -> String {
    join_fields(cells.iter().map(|c| c.as_bytes()))
}

/// Fields re-joined as one CSV line (fields quoted where needed), lossy UTF-8.
pub fn join_fields<'f>(fields: impl Iterator<Item = &'f [u8]>) -> String {
    let mut out = String::new();
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let s = String::from_utf8_lossy(f);
        if s.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&s);
        }
    }
    out
}

/// A csv reader of records (the header is read as the first record).
pub fn csv_reader<R: Read>(delimiter: u8, input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Records end at `\n` only, so that a CRLF file's line numbers stay exact
        // (the csv crate counts the `\n` of a CRLF late); the `\r` is cut below.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(input)
}

/// The lines of `text` with their numbers (1-based) and byte offsets.
pub fn lines(text: &str) -> impl Iterator<Item = (u64, usize, &str)> {
    let mut offset = 0;
    text.split('\n').enumerate().map(move |(i, l)| {
        let start = offset;
        offset += l.len() + 1;
        (i as u64 + 1, start, l.trim_end_matches('\r'))
    })
}

/// Maps every row of `table` with `map` (from [`Ctx::map`]), rewriting the wanted
/// columns named in `date_columns` with `dates`. A row of the wrong shape is
/// [`Out::Bad`].
pub fn map_rows(
    ctx: &Ctx<'_>,
    table: &Table,
    map: &[Option<usize>],
    date_columns: &[&str],
    dates: &IsoWriter,
) -> Vec<Out> {
    let date_ix: Vec<usize> = date_columns.iter().filter_map(|c| ctx.ix(c)).collect();
    table
        .rows
        .iter()
        .map(|row| {
            if let Err(reason) = row.shape(table.headers.len()) {
                return Out::Bad {
                    line: row.line,
                    reason,
                    raw: row.raw.clone(),
                };
            }
            let fields = map
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let v = row.get(*h);
                    if date_ix.contains(&i) {
                        dates.iso(&v)
                    } else {
                        v
                    }
                })
                .collect();
            Out::Row {
                line: row.line,
                fields,
                raw: row.raw.clone(),
            }
        })
        .collect()
}

/// The cells of `column` (a header position) over the rows, cleaned, for deciding
/// the date order.
pub fn column_cells(table: &Table, column: Option<usize>) -> Vec<String> {
    table.rows.iter().map(|r| r.get(column)).collect()
}

/// A one-table export (Intune, Entra, ServiceNow, Zendesk, Jira): its table from the
/// first non-blank line, the header positions of the wanted columns, and its rows
/// mapped with `date_columns` rewritten as ISO 8601 (`utc` for tools that write UTC).
/// The dates of `more_dates` (headers the adapter reads itself) weigh in deciding the
/// file's date order, and the writer is handed back for them.
pub fn read_simple(
    ctx: &Ctx<'_>,
    text: &str,
    aliases: &[(&str, &[&str])],
    date_columns: &[&str],
    more_dates: &[&str],
    utc: bool,
) -> Result<Simple, Error> {
    let (first, offset) = lines(text)
        .find(|(_, _, l)| !l.trim().is_empty())
        .map_or((1, 0), |(n, o, _)| (n, o));
    let table = parse_table(&text[offset..], first);
    let map = ctx.map_table(&table, aliases, &[])?;
    let date_cells: Vec<String> = date_columns
        .iter()
        .filter_map(|c| ctx.ix(c))
        .flat_map(|i| column_cells(&table, map[i]))
        .chain(
            more_dates
                .iter()
                .flat_map(|h| column_cells(&table, find_header(&table.headers, h))),
        )
        .collect();
    let dates = ctx.dates(date_cells.iter().map(String::as_str), utc)?;
    let rows = map_rows(ctx, &table, &map, date_columns, &dates);
    Ok(Simple {
        table,
        map,
        rows,
        dates,
    })
}

/// What [`read_simple`] read.
pub struct Simple {
    /// The export's table.
    pub table: Table,
    /// The header position of each wanted column.
    pub map: Vec<Option<usize>>,
    /// One entry per data row.
    pub rows: Vec<Out>,
    /// How the file's dates read.
    pub dates: IsoWriter,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_keep_file_lines_and_skip_blank_lines() {
        let t = parse_table("A\tB\r\n1\t\"x\r\ny\"\r\n\r\n2\t3\r\n", 5);
        assert_eq!(t.headers, ["A", "B"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 6);
        assert_eq!(t.rows[0].cells[1], "x\r\ny");
        assert_eq!(t.rows[1].line, 9);
    }

    /// A tool export with one stray quote once lost every row after it.
    // See: issue 12, finding 5.
    #[test]
    fn a_stray_quote_in_an_export_is_one_bad_line_and_reading_resumes() {
        let t = parse_table(
            "Id,Subject,Status\n1,\"Laptop,open\n2,\"Two\nlines\",solved\n3,x,open\n",
            1,
        );
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].line, 2);
        let e = t.rows[0].shape(3).unwrap_err();
        assert!(
            e.contains("a stray quote") && e.contains("`Subject`"),
            "{e}"
        );
        assert_eq!(t.rows[0].raw, "1,\"Laptop,open");
        assert_eq!(
            (t.rows[1].line, t.rows[1].cells[1].as_str()),
            (3, "Two\nlines")
        );
        assert!(t.rows[1].shape(3).is_ok());
        assert_eq!((t.rows[2].line, t.rows[2].cells[0].as_str()), (5, "3"));
    }

    #[test]
    fn cleans_tool_blanks_and_formulas() {
        assert_eq!(clean(" ? "), "");
        assert_eq!(clean("NULL"), "");
        assert_eq!(clean("=\"0123\""), "0123");
        assert_eq!(clean("=HYPERLINK(\"x\")"), "HYPERLINK(\"x\")");
        assert_eq!(clean("Anne"), "Anne");
    }

    #[test]
    fn headers_match_loosely() {
        let h: Vec<String> = ["Participant ID (UPN)", "Join Time"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(find_header(&h, "participant id (upn)"), Some(0));
        assert_eq!(find_header(&h, "JoinTime"), Some(1));
        assert_eq!(find_header(&h, "Leave Time"), None);
    }
}

//! Reading one delimited file: encoding, delimiter, header mapping, rows with lines.
//!
//! The file is read in blocks (never held whole) and hashed for the manifest as it
//! is read. A block of UTF-8 text with no quote character in it is split at its line
//! ends and its rows are parsed on every core at once: with no quotes, every line end
//! ends a row. Anything else (a quoted field, which may hold a line end; UTF-16, which
//! is decoded first) is parsed row by row with the `csv` crate, so quoted fields with
//! commas and newlines, CRLF, tabs or semicolons and a byte-order mark all read as a
//! person would expect. Either way every record keeps the line it starts on, and the
//! caller sees the rows in file order.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::SourceConfig;
use crate::error::Error;
use crate::schema::Source;

use super::closest_header;
use super::text::{hex, sniff_encoding, Encoding, Utf16Reader};

/// How much of a file is read at a time (and parsed in parallel when it can be);
/// tiny in unit tests, so that they cross block and piece boundaries.
const BLOCK: usize = if cfg!(test) { 1 << 10 } else { 4 << 20 };
/// The share of a block one thread parses at a time.
const PIECE: usize = if cfg!(test) { 100 } else { 128 << 10 };

/// One data row handed to the caller.
pub enum Row<'a> {
    /// A well-formed row: its cells by canonical column.
    Cells(Cells<'a>),
    /// A row that cannot be read as a row of the header: quarantine it.
    Malformed {
        /// The line the row starts on.
        line: u64,
        /// Why it cannot be read.
        reason: String,
        /// The row as it stood, for the quarantine file.
        raw: String,
    },
}

/// The fields of a row: a record the `csv` crate parsed, or slices of a block of text
/// with no quotes in it.
#[derive(Clone, Copy)]
enum Fields<'a> {
    Record(&'a csv::ByteRecord),
    Slices(&'a [&'a [u8]]),
}

impl<'a> Fields<'a> {
    fn get(self, j: usize) -> Option<&'a [u8]> {
        match self {
            Fields::Record(r) => r.get(j),
            Fields::Slices(s) => s.get(j).copied(),
        }
    }

    fn join(self) -> String {
        match self {
            Fields::Record(r) => join_fields(r.iter()),
            Fields::Slices(s) => join_fields(s.iter().copied()),
        }
    }
}

/// The cells of one well-formed row, looked up by the position of a canonical column
/// in the list the reader was given (see `ingest::wanted_columns`).
pub struct Cells<'a> {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    fields: Fields<'a>,
    map: &'a [Option<usize>],
    raw: Option<&'a str>,
}

impl<'a> Cells<'a> {
    /// The cell of wanted column `i`, untrimmed; `""` when the file lacks the column.
    pub fn get(&self, i: usize) -> &'a str {
        self.map
            .get(i)
            .copied()
            .flatten()
            .and_then(|j| self.fields.get(j))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// The row as it stood in the file, re-joined as CSV (for the quarantine file).
    pub fn raw(&self) -> String {
        match self.raw {
            Some(raw) => raw.to_string(),
            None => self.fields.join(),
        }
    }

    /// A row a tool adapter made: `record` holds the wanted columns in order, `raw`
    /// the row as the export wrote it.
    pub(crate) fn adapted(
        line: u64,
        record: &'a csv::ByteRecord,
        map: &'a [Option<usize>],
        raw: &'a str,
    ) -> Self {
        Cells {
            line,
            fields: Fields::Record(record),
            map,
            raw: Some(raw),
        }
    }
}

/// What reading one file found.
pub struct FileRead {
    /// sha256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// Data rows read.
    pub rows: u64,
}

/// What a file's rows are checked against, once its header is read.
struct Shape<'a> {
    path: &'a Path,
    delimiter: u8,
    n_headers: usize,
    headers: &'a [String],
    map: &'a [Option<usize>],
    /// The file has no header row: every row is malformed.
    headerless: bool,
}

impl Shape<'_> {
    /// Judges one row's fields: a row of the header, or why not (with the row).
    fn row<'r>(&'r self, line: u64, fields: Fields<'r>, utf8_checked: bool) -> Row<'r> {
        let malformed = |reason: String| Row::Malformed {
            line,
            reason,
            raw: fields.join(),
        };
        if self.headerless {
            return malformed("the file has no header row".to_string());
        }
        let (len, extra_is_empty) = match fields {
            Fields::Record(r) => (r.len(), r.iter().skip(self.n_headers).all(<[u8]>::is_empty)),
            Fields::Slices(s) => (s.len(), s.iter().skip(self.n_headers).all(|f| f.is_empty())),
        };
        if len < self.n_headers || !extra_is_empty {
            return malformed(format!(
                "the row has {len} fields where the header has {}",
                self.n_headers
            ));
        }
        if !utf8_checked {
            if let Fields::Record(r) = fields {
                if let Some(bad) = r.iter().position(|f| std::str::from_utf8(f).is_err()) {
                    return malformed(format!(
                        "column `{}` is not valid UTF-8 text",
                        self.headers.get(bad).map_or("?", String::as_str)
                    ));
                }
            }
        }
        Row::Cells(Cells {
            line,
            fields,
            map: self.map,
            raw: None,
        })
    }
}

/// Reads `path` as a file of `source`. Each data row goes to `parse`, which may run
/// on several threads at once, and each result, in file order, to `apply`. `wanted`
/// lists canonical columns, the first `n_required` of which must be present.
pub fn read_file<T: Send>(
    source: Source,
    cfg: &SourceConfig,
    path: &Path,
    wanted: &[String],
    n_required: usize,
    parse: &(dyn Fn(Row<'_>) -> T + Sync),
    apply: &mut dyn FnMut(T),
) -> Result<FileRead, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut input = HashingReader {
        inner: file,
        hasher: &mut hasher,
    };
    let mut buf = Vec::with_capacity(BLOCK);
    let mut eof = fill(&mut input, &mut buf, BLOCK).map_err(|e| Error::io(path, e))?;
    let (encoding, bom) = sniff_encoding(&buf);
    let mut rows = 0u64;
    if encoding != Encoding::Utf8 {
        let head = Cursor::new(&buf[bom..]);
        let decoded: Box<dyn Read + '_> = Box::new(Utf16Reader::new(
            head.chain(&mut input),
            encoding == Encoding::Utf16Be,
        ));
        let mut decoded = BufReader::with_capacity(1 << 16, decoded);
        let head = decoded.fill_buf().map_err(|e| Error::io(path, e))?;
        // A UTF-8 BOM left after decoding (UTF-16 files re-saved) is not text.
        let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let delimiter = sniff_delimiter(&head[bom..]);
        decoded.consume(bom);
        let mut reader = csv_reader(delimiter, true, decoded);
        let (headers, map) = read_header(source, cfg, path, wanted, n_required, &mut reader)?;
        let shape = shape(path, delimiter, &headers, &map);
        rows = read_records(&shape, &mut reader, 0, &mut |row| apply(parse(row)))?;
        let mut rest = reader.into_inner();
        std::io::copy(&mut rest, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
        drop(rest);
        return Ok(FileRead {
            sha256: hex(&hasher.finalize()),
            rows,
        });
    }

    // UTF-8: the header from the first block, then block by block.
    let delimiter = sniff_delimiter(&buf[bom..]);
    let mut header_reader = csv_reader(delimiter, true, &buf[bom..]);
    let (headers, map) = read_header(source, cfg, path, wanted, n_required, &mut header_reader)?;
    let after_header = header_reader.position().clone();
    drop(header_reader);
    let shape = shape(path, delimiter, &headers, &map);
    let mut pos = bom + after_header.byte() as usize;
    let mut line = after_header.line();
    if !eof && pos >= buf.len() {
        return Err(Error::Unreadable {
            file: path.to_path_buf(),
            message: format!(
                "its header row does not end within the first {} MiB (a quote left open?)",
                BLOCK >> 20
            ),
        });
    }
    let mut sequential = false;
    while !sequential {
        if !eof && buf.len() - pos < BLOCK {
            buf.drain(..pos);
            pos = 0;
            eof = fill(&mut input, &mut buf, BLOCK).map_err(|e| Error::io(path, e))?;
        }
        let avail = &buf[pos..];
        if avail.is_empty() {
            break;
        }
        let end = if eof {
            avail.len()
        } else {
            match memchr::memrchr(b'\n', avail) {
                Some(i) => i + 1,
                None => {
                    sequential = true; // a line longer than a block
                    break;
                }
            }
        };
        let chunk = &avail[..end];
        if memchr::memchr(b'"', chunk).is_some() {
            // A quoted field may hold a line end: from here on, row by row.
            sequential = true;
            break;
        }
        rows += if std::str::from_utf8(chunk).is_ok() {
            read_unquoted(&shape, chunk, line, parse, apply)
        } else {
            // No quotes, so every line end ends a row: this chunk alone, row by row,
            // finds the bytes that are not text.
            let mut reader = csv_reader(delimiter, false, chunk);
            read_records(&shape, &mut reader, line - 1, &mut |row| apply(parse(row)))?
        };
        line += memchr::memchr_iter(b'\n', chunk).count() as u64;
        pos += end;
    }
    if sequential {
        let rest = Cursor::new(&buf[pos..]).chain(&mut input);
        let mut reader = csv_reader(delimiter, false, rest);
        rows += read_records(&shape, &mut reader, line - 1, &mut |row| apply(parse(row)))?;
    }
    // Hash whatever the parser did not need to read (nothing, normally).
    std::io::copy(&mut input, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    Ok(FileRead {
        sha256: hex(&hasher.finalize()),
        rows,
    })
}

/// Reads from `input` until `buf` holds at least `want` bytes; true at end of file.
fn fill(input: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let before = buf.len();
        let need = (want - before) as u64;
        input.by_ref().take(need).read_to_end(buf)?;
        if buf.len() == before {
            return Ok(true);
        }
    }
    Ok(false)
}

fn csv_reader<R: Read>(delimiter: u8, has_headers: bool, input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(true)
        .delimiter(delimiter)
        // Records end at `\n` only, so that a CRLF file's line numbers stay exact
        // (the csv crate counts the `\n` of a CRLF late); the `\r` is cut below.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(input)
}

fn shape<'a>(
    path: &'a Path,
    delimiter: u8,
    headers: &'a [String],
    map: &'a [Option<usize>],
) -> Shape<'a> {
    Shape {
        path,
        delimiter,
        n_headers: headers.len(),
        headers,
        map,
        headerless: headers.iter().all(|h| h.is_empty()),
    }
}

/// Reads the header row and maps the wanted columns to it.
fn read_header<R: Read>(
    source: Source,
    cfg: &SourceConfig,
    path: &Path,
    wanted: &[String],
    n_required: usize,
    reader: &mut csv::Reader<R>,
) -> Result<(Vec<String>, Vec<Option<usize>>), Error> {
    let raw_headers = reader.byte_headers().map_err(|e| csv_error(path, e))?;
    let binary = raw_headers.iter().any(|h| match std::str::from_utf8(h) {
        Ok(text) => text
            .chars()
            .any(|c| c.is_control() && c != '\t' && c != '\r'),
        Err(_) => true,
    });
    if binary {
        return Err(Error::Unreadable {
            file: path.to_path_buf(),
            message: format!(
                "does not look like a CSV text file: its first line is not text\nhelp: check `[sources.{}] path` and that the file is exported as CSV",
                source.name()
            ),
        });
    }
    let headers: Vec<String> = raw_headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let map = if headers.iter().all(|h| h.is_empty()) {
        vec![None; wanted.len()]
    } else {
        map_headers(source, cfg, path, &headers, wanted, n_required)?
    };
    Ok((headers, map))
}

/// Reads records one by one with the `csv` crate; `line_offset` is added to the
/// reader's own line numbers. Returns the number of data rows.
fn read_records<R: Read>(
    shape: &Shape<'_>,
    reader: &mut csv::Reader<R>,
    line_offset: u64,
    visit: &mut dyn FnMut(Row<'_>),
) -> Result<u64, Error> {
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(shape.path, e))?
    {
        strip_carriage_return(&mut record);
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line of a CRLF file: not a row
        }
        rows += 1;
        let line = line_offset + record.position().map_or(rows + 1, |p| p.line());
        visit(shape.row(line, Fields::Record(&record), false));
    }
    Ok(rows)
}

/// Parses a chunk of valid UTF-8 with no quotes, whose first line is `line`: split in
/// pieces at line ends, parsed on every core, applied in order. Returns the rows.
fn read_unquoted<T: Send>(
    shape: &Shape<'_>,
    chunk: &[u8],
    line: u64,
    parse: &(dyn Fn(Row<'_>) -> T + Sync),
    apply: &mut dyn FnMut(T),
) -> u64 {
    let mut pieces = Vec::with_capacity(chunk.len() / PIECE + 1);
    let (mut from, mut first_line) = (0usize, line);
    while from < chunk.len() {
        let cut = (from + PIECE).min(chunk.len());
        let to = match memchr::memchr(b'\n', &chunk[cut.saturating_sub(1)..]) {
            Some(i) if cut < chunk.len() => cut.saturating_sub(1) + i + 1,
            _ => chunk.len(),
        };
        let piece = &chunk[from..to];
        pieces.push((piece, first_line));
        first_line += memchr::memchr_iter(b'\n', piece).count() as u64;
        from = to;
    }
    let parsed: Vec<Vec<T>> = pieces
        .into_par_iter()
        .map(|(piece, first_line)| {
            let mut out = Vec::new();
            let mut fields: Vec<&[u8]> = Vec::with_capacity(shape.n_headers + 1);
            for (k, text) in piece.split(|&b| b == b'\n').enumerate() {
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                if text.is_empty() {
                    continue; // a blank line (or the end of the last one): not a row
                }
                fields.clear();
                fields.extend(text.split(|&b| b == shape.delimiter));
                let line = first_line + k as u64;
                out.push(parse(shape.row(line, Fields::Slices(&fields), true)));
            }
            out
        })
        .collect();
    let mut rows = 0u64;
    for out in parsed {
        rows += out.len() as u64;
        out.into_iter().for_each(&mut *apply);
    }
    rows
}

/// Cuts the `\r` that ends the last field of a CRLF line.
fn strip_carriage_return(record: &mut csv::ByteRecord) {
    let Some(last) = record.iter().next_back() else {
        return;
    };
    if let Some(cut) = last.strip_suffix(b"\r") {
        let cut = cut.to_vec();
        record.truncate(record.len() - 1);
        record.push_field(&cut);
    }
}

/// Maps each wanted canonical column to a position in `headers`.
fn map_headers(
    source: Source,
    cfg: &SourceConfig,
    path: &Path,
    headers: &[String],
    wanted: &[String],
    n_required: usize,
) -> Result<Vec<Option<usize>>, Error> {
    let mut map = Vec::with_capacity(wanted.len());
    for (i, canonical) in wanted.iter().enumerate() {
        let mapped = cfg.columns.get(canonical);
        let header = mapped.map_or(canonical.as_str(), String::as_str).trim();
        let found = headers
            .iter()
            .position(|h| h == header)
            .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(header)));
        if found.is_none() && (i < n_required || mapped.is_some()) {
            return Err(Error::MissingColumn(Box::new(
                crate::error::MissingColumn {
                    source_name: source.name().to_string(),
                    file: path.to_path_buf(),
                    column: canonical.clone(),
                    config_key: mapped.cloned(),
                    found: headers.to_vec(),
                    closest: closest_header(header, headers),
                },
            )));
        }
        map.push(found);
    }
    Ok(map)
}

/// The delimiter of a file from its first line: the most frequent of comma, tab and
/// semicolon outside quotes; comma when none appears.
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b'\t' if !quoted => counts[1] += 1,
            b';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b'\t', b';'][best]
    }
}

/// Fields re-joined as one CSV line (fields quoted where needed), lossy UTF-8.
fn join_fields<'f>(fields: impl Iterator<Item = &'f [u8]>) -> String {
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

fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::Unreadable {
            file: path.to_path_buf(),
            message: format!("cannot be read as CSV: {other:?}"),
        },
    }
}

/// Hashes every byte read through it.
struct HashingReader<'h, R> {
    inner: R,
    hasher: &'h mut Sha256,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\r\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;\"c,d\"\n"), b';');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    fn config() -> SourceConfig {
        SourceConfig {
            path: std::path::PathBuf::from("t.csv"),
            format: crate::config::Format::Canonical,
            columns: Default::default(),
            date_format: None,
            date_order: None,
            campaign_from: None,
            config_file: std::path::PathBuf::from("uptake.toml"),
        }
    }

    /// Every row of `bytes` as `line: cells` or `line: ! reason | raw`, read by
    /// `read_file` (blocks in parallel where it can).
    fn by_blocks(bytes: &[u8]) -> Result<Vec<String>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
        let (wanted, n) = super::super::wanted_columns(Source::Tickets, "department");
        let mut out = Vec::new();
        let read = read_file(
            Source::Tickets,
            &config(),
            &path,
            &wanted,
            n,
            &|row| describe(&wanted, row),
            &mut |s| out.push(s),
        )
        .map_err(|e| e.to_string())?;
        assert_eq!(read.rows as usize, out.len());
        assert_eq!(read.sha256, hex(&Sha256::digest(bytes)));
        Ok(out)
    }

    /// The same, read row by row with the `csv` crate as one stream.
    fn by_rows(bytes: &[u8]) -> Result<Vec<String>, String> {
        let (wanted, n) = super::super::wanted_columns(Source::Tickets, "department");
        let path = Path::new("t.csv");
        let mut reader = csv_reader(b',', true, bytes);
        let (headers, map) = read_header(Source::Tickets, &config(), path, &wanted, n, &mut reader)
            .map_err(|e| e.to_string())?;
        let shape = shape(path, b',', &headers, &map);
        let mut out = Vec::new();
        read_records(&shape, &mut reader, 0, &mut |row| {
            out.push(describe(&wanted, row))
        })
        .map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn describe(wanted: &[String], row: Row<'_>) -> String {
        match row {
            Row::Cells(c) => {
                let cells: Vec<&str> = (0..wanted.len()).map(|i| c.get(i)).collect();
                format!("{}: {} | {}", c.line, cells.join(","), c.raw())
            }
            Row::Malformed { line, reason, raw } => format!("{line}: ! {reason} | {raw}"),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Files with no quotes (read in parallel blocks) give exactly the rows, lines,
        /// quarantine reasons and raw text of reading them row by row: short and long
        /// rows, CRLF and blank CRLF lines, bytes that are not UTF-8, empty cells, rows
        /// that cross block and piece boundaries.
        #[test]
        fn blocks_read_like_rows(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    6 => proptest::collection::vec("[a-zA-Z0-9 :@.-]{0,12}", 6..=6)
                        .prop_map(|f| f.join(",").into_bytes()),
                    1 => proptest::collection::vec("[a-z0-9]{0,5}", 1..9)
                        .prop_map(|f| f.join(",").into_bytes()),
                    1 => proptest::collection::vec(proptest::num::u8::ANY, 0..30)
                        .prop_map(|b| b.into_iter().filter(|&c| c != b'"' && c != b'\n').collect()),
                    1 => proptest::strategy::Just(b"\r".to_vec()),
                    1 => proptest::strategy::Just("é,ü,ß,日本,,".as_bytes().to_vec()),
                ],
                0..400,
            ),
            crlf in proptest::bool::ANY,
            final_newline in proptest::bool::ANY,
        ) {
            let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let mut bytes = b"ticket_id,user_id,opened_at,resolved_at,category,status".to_vec();
            for l in &lines {
                bytes.extend_from_slice(end);
                bytes.extend_from_slice(l);
            }
            if final_newline {
                bytes.extend_from_slice(end);
            }
            // A line of only `\n` is skipped by both readers, but the csv crate
            // numbers the next row from the blank line: not compared here.
            prop_assume!(!bytes.windows(2).any(|w| w == b"\n\n"));
            prop_assert_eq!(by_blocks(&bytes), by_rows(&bytes));
        }
    }

    #[test]
    fn blank_lines_keep_line_numbers_exact() {
        let bytes = b"ticket_id,user_id,opened_at\n\nT1,a,2026-01-01\n\n\nT2,b,2026-01-02\n";
        let rows = by_blocks(bytes).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].starts_with("3: T1,"), "{rows:?}");
        assert!(rows[1].starts_with("6: T2,"), "{rows:?}");
    }

    #[test]
    fn quoted_files_read_row_by_row_from_the_first_quote() {
        // The quote comes after the first block: rows before it are read by blocks,
        // the rest row by row, with one numbering throughout.
        let mut bytes = b"ticket_id,user_id,opened_at\n".to_vec();
        for i in 0..200 {
            bytes.extend_from_slice(format!("T{i},u{i},2026-01-01\n").as_bytes());
        }
        bytes.extend_from_slice(b"\"T,x\",\"line\nbreak\",2026-01-02\nTlast,z,2026-01-03\n");
        let rows = by_blocks(&bytes).unwrap();
        assert_eq!(rows, by_rows(&bytes).unwrap());
        assert_eq!(rows.len(), 202);
        assert!(
            rows[200].starts_with("202: T,x,line\nbreak,"),
            "{}",
            rows[200]
        );
        assert!(rows[201].starts_with("204: Tlast,"), "{}", rows[201]);
    }

    #[test]
    fn joins_records_as_csv() {
        let r = csv::ByteRecord::from(vec!["a", "b,c", "say \"hi\""]);
        assert_eq!(join_fields(r.iter()), "a,\"b,c\",\"say \"\"hi\"\"\"");
    }
}

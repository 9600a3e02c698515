//! Reading one delimited file: encoding, delimiter, header mapping, rows with lines.
//!
//! The file is streamed (never held whole), hashed for the manifest as it is read,
//! decoded from UTF-16 when it is (see `text`), and parsed with the `csv` crate, so
//! quoted fields with commas and newlines, CRLF, tabs or semicolons and a byte-order
//! mark all read as a person would expect, and every record keeps the line it starts
//! on.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::config::SourceConfig;
use crate::error::Error;
use crate::schema::Source;

use super::closest_header;
use super::text::{hex, sniff_encoding, Encoding, Utf16Reader};

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

/// The cells of one well-formed row, looked up by the position of a canonical column
/// in the list the reader was given (see `ingest::wanted_columns`).
pub struct Cells<'a> {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    record: &'a csv::ByteRecord,
    map: &'a [Option<usize>],
    raw: Option<&'a str>,
}

impl<'a> Cells<'a> {
    /// The cell of wanted column `i`, untrimmed; `""` when the file lacks the column.
    pub fn get(&self, i: usize) -> &str {
        self.map
            .get(i)
            .copied()
            .flatten()
            .and_then(|j| self.record.get(j))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// The row as it stood in the file, re-joined as CSV (for the quarantine file).
    pub fn raw(&self) -> String {
        match self.raw {
            Some(raw) => raw.to_string(),
            None => join_record(self.record),
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
            record,
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

/// Reads `path` as a file of `source`, handing each data row to `visit`. `wanted`
/// lists canonical columns, the first `n_required` of which must be present.
pub fn read_file(
    source: Source,
    cfg: &SourceConfig,
    path: &Path,
    wanted: &[String],
    n_required: usize,
    mut visit: impl FnMut(Row<'_>),
) -> Result<FileRead, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut raw = BufReader::with_capacity(
        1 << 16,
        HashingReader {
            inner: file,
            hasher: &mut hasher,
        },
    );
    let head = raw.fill_buf().map_err(|e| Error::io(path, e))?;
    let (encoding, bom) = sniff_encoding(head);
    raw.consume(bom);
    let decoded: Box<dyn Read + '_> = match encoding {
        Encoding::Utf8 => Box::new(raw),
        Encoding::Utf16Le => Box::new(Utf16Reader::new(raw, false)),
        Encoding::Utf16Be => Box::new(Utf16Reader::new(raw, true)),
    };
    let mut buffered = BufReader::with_capacity(1 << 16, decoded);
    let head = buffered.fill_buf().map_err(|e| Error::io(path, e))?;
    // A UTF-8 BOM left after decoding (UTF-16 files re-saved) is not text.
    let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let delimiter = sniff_delimiter(&head[bom..]);
    buffered.consume(bom);

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        // Records end at `\n` only, so that a CRLF file's line numbers stay exact
        // (the csv crate counts the `\n` of a CRLF late); the `\r` is cut below.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(buffered);
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
    let empty_file = headers.iter().all(|h| h.is_empty());
    let map = if empty_file {
        vec![None; wanted.len()]
    } else {
        map_headers(source, cfg, path, &headers, wanted, n_required)?
    };

    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        strip_carriage_return(&mut record);
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line of a CRLF file: not a row
        }
        rows += 1;
        let line = record.position().map_or(rows + 1, |p| p.line());
        if empty_file {
            visit(Row::Malformed {
                line,
                reason: "the file has no header row".to_string(),
                raw: join_record(&record),
            });
            continue;
        }
        let extra_is_empty = record.iter().skip(headers.len()).all(<[u8]>::is_empty);
        if record.len() < headers.len() || !extra_is_empty {
            visit(Row::Malformed {
                line,
                reason: format!(
                    "the row has {} fields where the header has {}",
                    record.len(),
                    headers.len()
                ),
                raw: join_record(&record),
            });
            continue;
        }
        if let Some(bad) = record.iter().position(|f| std::str::from_utf8(f).is_err()) {
            visit(Row::Malformed {
                line,
                reason: format!(
                    "column `{}` is not valid UTF-8 text",
                    headers.get(bad).map_or("?", String::as_str)
                ),
                raw: join_record(&record),
            });
            continue;
        }
        visit(Row::Cells(Cells {
            line,
            record: &record,
            map: &map,
            raw: None,
        }));
    }
    // Hash whatever the parser did not need to read (nothing, normally).
    let mut inner = reader.into_inner();
    std::io::copy(&mut inner, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    drop(inner);
    Ok(FileRead {
        sha256: hex(&hasher.finalize()),
        rows,
    })
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

/// A record re-joined as one CSV line (fields quoted where needed), lossy UTF-8.
fn join_record(record: &csv::ByteRecord) -> String {
    let mut out = String::new();
    for (i, f) in record.iter().enumerate() {
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

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\r\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;\"c,d\"\n"), b';');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    #[test]
    fn joins_records_as_csv() {
        let r = csv::ByteRecord::from(vec!["a", "b,c", "say \"hi\""]);
        assert_eq!(join_record(&r), "a,\"b,c\",\"say \"\"hi\"\"\"");
    }
}

//! Where the records of delimited text begin and end, and which lines open a stray
//! quote (docs/inputs.md, "Files").
//!
//! Takes bytes that begin at a record's start and hands back, in file order, runs of
//! whole records (cut into pieces of about a given size, so that they can be parsed
//! on every core) and the lines that open a stray quote. Records end where the `csv`
//! crate ends them: outside quotes at every line end; a quote opens a field only at
//! the field's start; a doubled quote inside is a quote character; a quote that
//! closes anywhere but before a delimiter or a line end leaves the rest of the field
//! as text.
//!
//! A quoted field may hold line ends, but one stray quote (`...,"w4-kickoff,sent,...`)
//! would make the rest of the file one field. So a record that runs across lines is
//! read whole only when every quote in it closes as a field's quote should (right
//! before a delimiter, a line end or the end of the file), it ends within
//! [`STRAY_LIMIT`] bytes of its start, and it has the header's fields (extra empty
//! fields aside). Otherwise its first line is a stray quote: the caller quarantines
//! that line alone, and reading resumes on the next line. Each record is scanned
//! once, and a stray one no further than the limit, so that the cost stays linear
//! however long a row is.

use memchr::{memchr, memchr2, memrchr};

/// How far a record that runs across lines may go before its first quote is taken
/// for a stray one; small in unit tests, so that they reach it.
pub(crate) const STRAY_LIMIT: usize = if cfg!(test) { 256 } else { 64 << 10 };

/// One stretch of the bytes split, in order; offsets are into those bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Whole records, from `from` to `to`.
    Records {
        /// The first record's first byte.
        from: usize,
        /// Past the last record's line end (or the end of the text).
        to: usize,
    },
    /// A line whose quote is a stray one: quarantine it alone.
    Stray {
        /// The line's first byte.
        from: usize,
        /// Past its line end.
        to: usize,
        /// The field (by position) the stray quote opens.
        field: usize,
    },
}

/// How to split: the delimiter, the header's number of fields (`None` reads every
/// record as the `csv` crate would, stray quotes and all: for a header), and about
/// how many bytes each [`Part::Records`] should hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Splitter {
    /// The field delimiter.
    pub delimiter: u8,
    /// The header's fields, against which records that run across lines are judged.
    pub fields: Option<usize>,
    /// The size a run of records is cut at (at the next record's end).
    pub piece: usize,
}

impl Splitter {
    /// Splits `bytes`, which begin at a record's start, into parts; returns them and
    /// where the last whole record ends. Unless `eof`, a record that may go on past
    /// `bytes` is left out (the caller reads on and splits again from its start).
    pub(crate) fn split(&self, bytes: &[u8], eof: bool) -> (Vec<Part>, usize) {
        let n = bytes.len();
        let mut out = Parts {
            parts: Vec::with_capacity(n / self.piece.max(1) + 2),
            from: 0,
            piece: self.piece.max(1),
        };
        let mut i = 0usize;
        while i < n {
            let Some(q) = memchr(b'"', &bytes[i..]).map(|k| i + k) else {
                // No quote left: every line end ends a record; the last line is whole
                // only at the end of the file.
                let end = if eof {
                    n
                } else {
                    memrchr(b'\n', &bytes[i..]).map_or(i, |k| i + k + 1)
                };
                out.lines(bytes, end);
                i = end;
                break;
            };
            // Lines before the quote's line are records of their own.
            let start = memrchr(b'\n', &bytes[i..q]).map_or(i, |k| i + k + 1);
            out.lines(bytes, start);
            match self.scan(bytes, start, eof) {
                Scan::Whole(end) => {
                    out.record(end);
                    i = end;
                }
                Scan::Stray { line_end, field } => {
                    out.close(start);
                    out.parts.push(Part::Stray {
                        from: start,
                        to: line_end,
                        field,
                    });
                    out.from = line_end;
                    i = line_end;
                }
                Scan::More => {
                    i = start;
                    break;
                }
            }
        }
        out.close(i);
        (out.parts, i)
    }

    /// Reads the record that starts at `start` to its end.
    fn scan(&self, bytes: &[u8], start: usize, eof: bool) -> Scan {
        let n = bytes.len();
        let d = self.delimiter;
        let limit = start.saturating_add(STRAY_LIMIT);
        let mut r = Record {
            start,
            field: 0,
            spans: None,
            improper: false,
        };
        let mut p = start;
        loop {
            // `p` is the first byte of field number `r.field`.
            if r.spans.is_some() && self.fields.is_some_and(|f| r.field >= f) {
                // A field past the header's that is surely not empty (a quoted one
                // may be `""`; a lone `\r` may be the end of a CRLF line).
                let filled = match bytes.get(p) {
                    None | Some(b'\n' | b'\r') => false,
                    Some(b'"') => !matches!(bytes.get(p + 1), None | Some(b'"' | b'\r')),
                    Some(&b) => b != d,
                };
                if filled {
                    return self.stray(bytes, &r);
                }
            }
            if p == n {
                return if eof {
                    self.finish(bytes, &r, n)
                } else {
                    self.more(bytes, &r, limit)
                };
            }
            if bytes[p] == b'"' {
                let mut k = p + 1;
                let next = loop {
                    let Some(close) = memchr(b'"', &bytes[k..]).map(|j| k + j) else {
                        r.runs_across(&bytes[k..]);
                        if !eof {
                            return self.more(bytes, &r, limit);
                        }
                        r.improper = true; // never closes: the field runs to the end
                        return self.finish(bytes, &r, n);
                    };
                    r.runs_across(&bytes[k..close]);
                    if self.judged(&r) && (close >= limit || r.improper) {
                        return self.stray(bytes, &r);
                    }
                    match bytes.get(close + 1) {
                        Some(b'"') => k = close + 2,
                        Some(&b) if b == d => break After::NextField(close + 2),
                        Some(b'\n') => return self.finish(bytes, &r, close + 2),
                        Some(b'\r') => match bytes.get(close + 2) {
                            Some(b'\n') => return self.finish(bytes, &r, close + 3),
                            Some(_) => break After::Text(close + 1),
                            None if eof => return self.finish(bytes, &r, n),
                            None => return self.more(bytes, &r, limit),
                        },
                        None if eof => return self.finish(bytes, &r, n),
                        None => return self.more(bytes, &r, limit),
                        // Closed mid-field: the rest of the field is text.
                        Some(_) => break After::Text(close + 1),
                    }
                };
                match next {
                    After::NextField(at) => {
                        r.field += 1;
                        p = at;
                        continue;
                    }
                    After::Text(at) => {
                        r.improper = true;
                        if self.judged(&r) {
                            return self.stray(bytes, &r);
                        }
                        p = at;
                    }
                }
            }
            // An unquoted field, or the rest of one whose quote closed mid-field:
            // quotes are text here.
            match memchr2(d, b'\n', &bytes[p..]).map(|j| p + j) {
                None if eof => return self.finish(bytes, &r, n),
                None => return self.more(bytes, &r, limit),
                Some(e) if bytes[e] == b'\n' => return self.finish(bytes, &r, e + 1),
                Some(e) => {
                    r.field += 1;
                    p = e + 1;
                }
            }
        }
    }

    /// Whether the record is one to judge: it runs across lines, and there is a
    /// header to judge it against.
    fn judged(&self, r: &Record) -> bool {
        r.spans.is_some() && self.fields.is_some()
    }

    /// The record ends at `end`: whole, unless it runs across lines and breaks a rule.
    fn finish(&self, bytes: &[u8], r: &Record, end: usize) -> Scan {
        match self.fields {
            Some(n)
                if r.spans.is_some()
                    && (r.improper
                        || end - r.start > STRAY_LIMIT
                        || !fits(&bytes[r.start..end], self.delimiter, n)) =>
            {
                self.stray(bytes, r)
            }
            _ => Scan::Whole(end),
        }
    }

    /// The record goes on past the bytes at hand: read on, unless it already runs
    /// across lines past the limit.
    fn more(&self, bytes: &[u8], r: &Record, limit: usize) -> Scan {
        if self.judged(r) && bytes.len() >= limit {
            self.stray(bytes, r)
        } else {
            Scan::More
        }
    }

    fn stray(&self, bytes: &[u8], r: &Record) -> Scan {
        let line_end = memchr(b'\n', &bytes[r.start..]).map_or(bytes.len(), |k| r.start + k + 1);
        Scan::Stray {
            line_end,
            field: r.spans.unwrap_or(r.field),
        }
    }
}

/// What scanning one record found.
enum Scan {
    /// A whole record, ending here.
    Whole(usize),
    /// Its first line opens a stray quote.
    Stray { line_end: usize, field: usize },
    /// It may go on past the bytes at hand.
    More,
}

/// Where reading goes after a quoted field's closing quote.
enum After {
    /// The field ended before a delimiter: the next field starts here.
    NextField(usize),
    /// The quote closed mid-field: the field goes on here, as text.
    Text(usize),
}

/// What is known of the record being scanned.
struct Record {
    start: usize,
    /// The field being read.
    field: usize,
    /// The field whose quote first ran across a line end.
    spans: Option<usize>,
    /// A quote closed anywhere but before a delimiter or a line end, or never.
    improper: bool,
}

impl Record {
    /// Notes that the quoted text `inside` of the current field runs across a line.
    fn runs_across(&mut self, inside: &[u8]) {
        if self.spans.is_none() && memchr(b'\n', inside).is_some() {
            self.spans = Some(self.field);
        }
    }
}

/// The parts being built: runs of whole records cut at about `piece` bytes.
struct Parts {
    parts: Vec<Part>,
    /// Where the run being built starts.
    from: usize,
    piece: usize,
}

impl Parts {
    /// The records up to `end` are lines with no quote: cut the run at the first
    /// line end past each `piece` bytes.
    fn lines(&mut self, bytes: &[u8], end: usize) {
        while end - self.from >= self.piece {
            let at = self.from + self.piece - 1;
            match memchr(b'\n', &bytes[at..end]) {
                Some(k) if at + k + 1 < end => {
                    self.parts.push(Part::Records {
                        from: self.from,
                        to: at + k + 1,
                    });
                    self.from = at + k + 1;
                }
                _ => break,
            }
        }
    }

    /// A record ends at `end`.
    fn record(&mut self, end: usize) {
        if end - self.from >= self.piece {
            self.close(end);
        }
    }

    /// Ends the run being built at `end`.
    fn close(&mut self, end: usize) {
        if end > self.from {
            self.parts.push(Part::Records {
                from: self.from,
                to: end,
            });
        }
        self.from = end;
    }
}

/// Whether a record's bytes make a row of a header of `n` fields: at least `n`
/// fields, any past the `n`-th empty (the `\r` of a CRLF line end is not a field's).
pub(crate) fn fits(record: &[u8], delimiter: u8, n: usize) -> bool {
    let mut reader = super::table::csv_reader(delimiter, record);
    let mut fields = csv::ByteRecord::new();
    if !matches!(reader.read_byte_record(&mut fields), Ok(true)) {
        return n == 0;
    }
    let last = fields.len().saturating_sub(1);
    fields.len() >= n
        && fields
            .iter()
            .enumerate()
            .skip(n)
            .all(|(i, f)| f.is_empty() || (i == last && f == b"\r"))
}

/// The quarantine reason of a line that opens a stray quote in `column`, in a file
/// whose header has `n` fields.
pub(crate) fn stray_reason(column: &str, n: usize) -> String {
    let limit = if STRAY_LIMIT >= 1024 {
        format!("{} KiB", STRAY_LIMIT >> 10)
    } else {
        format!("{STRAY_LIMIT} bytes")
    };
    format!(
        "a stray quote: the quote that opens `{column}` runs past the end of this line without closing into a row of the header's {n} fields within {limit}; this line is set aside and reading resumes on the next one"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, fields: usize) -> Vec<Part> {
        let s = Splitter {
            delimiter: b',',
            fields: Some(fields),
            piece: 1 << 20,
        };
        s.split(text.as_bytes(), true).0
    }

    #[test]
    fn a_quote_that_runs_on_is_a_stray_on_its_line_alone() {
        let text = "a,\"b,c\nd,e,f\ng,\"h\"\n";
        assert_eq!(
            split(text, 3),
            [
                Part::Stray {
                    from: 0,
                    to: 7,
                    field: 1
                },
                Part::Records { from: 7, to: 19 },
            ]
        );
    }

    #[test]
    fn a_well_formed_record_across_lines_is_whole() {
        let text = "a,\"b\nc\",d\ne,f,g\n";
        assert_eq!(split(text, 3), [Part::Records { from: 0, to: 16 }]);
        // The same record where the header has 4 fields: a stray quote.
        assert!(matches!(split(text, 4)[0], Part::Stray { to: 5, .. }));
    }

    #[test]
    fn a_record_across_lines_past_the_limit_is_a_stray() {
        let long = "x\n".repeat(STRAY_LIMIT);
        let text = format!("a,\"{long}\",c\nd,e,f\n");
        let parts = split(&text, 3);
        assert_eq!(
            parts[0],
            Part::Stray {
                from: 0,
                to: 5,
                field: 1
            }
        );
        // A long record on one line is no stray, however long.
        let text = format!("a,\"{}\",c\n", "x".repeat(3 * STRAY_LIMIT));
        assert_eq!(
            split(&text, 3),
            [Part::Records {
                from: 0,
                to: text.len()
            }]
        );
    }

    #[test]
    fn a_header_is_read_as_the_csv_crate_reads_it() {
        let s = Splitter {
            delimiter: b',',
            fields: None,
            piece: 1 << 20,
        };
        let (parts, end) = s.split(b"\"a\nb,c\n", true);
        assert_eq!(parts, [Part::Records { from: 0, to: 7 }]);
        assert_eq!(end, 7);
    }

    #[test]
    fn fits_counts_fields_and_allows_empty_extras() {
        assert!(fits(b"a,b,c\n", b',', 3));
        assert!(fits(b"a,b,c,,\r\n", b',', 3));
        assert!(!fits(b"a,b\n", b',', 3));
        assert!(!fits(b"a,b,c,d\n", b',', 3));
    }
}

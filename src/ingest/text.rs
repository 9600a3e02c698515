//! Text encodings of export files, detected rather than configured.
//!
//! Admin portals write UTF-8 with or without a byte-order mark; Teams attendance
//! reports and other Windows exports write UTF-16 (little- or big-endian, usually
//! with a BOM, sometimes without); a spreadsheet re-saved as plain "CSV" writes
//! Windows-1252. This module finds which from the first bytes and hands the rest of
//! ingest UTF-8 text, streamed for the canonical reader ([`Utf16Reader`]) or whole
//! for the tool adapters ([`read_text`]).

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// The encoding of a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (or ASCII).
    Utf8,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

/// The encoding of a file from its first bytes, and the length of its byte-order
/// mark (0 when it has none). Without a BOM, UTF-16 shows as a zero byte in every
/// other position of ASCII text (headers are ASCII in every export we read).
pub fn sniff_encoding(head: &[u8]) -> (Encoding, usize) {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Encoding::Utf8, 3);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return (Encoding::Utf16Le, 2);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return (Encoding::Utf16Be, 2);
    }
    let pairs = head.len().min(512) / 2;
    if pairs < 2 {
        return (Encoding::Utf8, 0);
    }
    let (mut even_zero, mut odd_zero) = (0usize, 0usize);
    for pair in head[..pairs * 2].chunks_exact(2) {
        even_zero += usize::from(pair[0] == 0);
        odd_zero += usize::from(pair[1] == 0);
    }
    // Mostly-ASCII UTF-16: nearly every pair has one zero byte, always on one side.
    if odd_zero * 10 >= pairs * 7 && even_zero * 10 < pairs {
        (Encoding::Utf16Le, 0)
    } else if even_zero * 10 >= pairs * 7 && odd_zero * 10 < pairs {
        (Encoding::Utf16Be, 0)
    } else {
        (Encoding::Utf8, 0)
    }
}

/// A reader that turns UTF-16 bytes (BOM already consumed) into UTF-8 as it goes.
/// Unpaired surrogates become U+FFFD.
pub struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    /// Decodes `inner` as UTF-16 of the given byte order.
    pub fn new(inner: R, big_endian: bool) -> Self {
        let encoding = if big_endian {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        Utf16Reader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            out: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.pos < self.out.len() {
                let n = (self.out.len() - self.pos).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            let mut raw = [0u8; 8192];
            let n = self.inner.read(&mut raw)?;
            let last = n == 0;
            let room = self.decoder.max_utf8_buffer_length(n).unwrap_or(4 * n + 16);
            self.out.clear();
            self.out.resize(room, 0);
            self.pos = 0;
            // The buffer is as large as the decoder can need: it reads all of `raw`.
            let (_, _, written, _) = self.decoder.decode_to_utf8(&raw[..n], &mut self.out, last);
            self.out.truncate(written);
            self.done = last;
        }
    }
}

/// A whole file as text, with the sha256 of its bytes (lowercase hex) and the
/// encoding it was found in. Bytes that are not UTF-8 (and not UTF-16) are read as
/// Windows-1252, which is what a spreadsheet's plain "CSV" save writes.
pub fn read_text(path: &Path) -> Result<(String, String, &'static str), Error> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    let sha = hex(&Sha256::digest(&bytes));
    let (encoding, bom) = sniff_encoding(&bytes);
    let body = &bytes[bom..];
    let (text, name) = match encoding {
        Encoding::Utf16Le => (
            encoding_rs::UTF_16LE
                .decode_without_bom_handling(body)
                .0
                .into_owned(),
            "UTF-16LE",
        ),
        Encoding::Utf16Be => (
            encoding_rs::UTF_16BE
                .decode_without_bom_handling(body)
                .0
                .into_owned(),
            "UTF-16BE",
        ),
        Encoding::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => (s.to_string(), "UTF-8"),
            Err(_) => (
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(body)
                    .0
                    .into_owned(),
                "Windows-1252",
            ),
        },
    };
    // A BOM written twice (a UTF-8 BOM inside UTF-16, or one re-saved) is not text.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok((text, sha, name))
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, big: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            out.extend_from_slice(&if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn sniffs_boms_and_bare_utf16() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFa,b"), (Encoding::Utf8, 3));
        assert_eq!(sniff_encoding(b"a,b\n1,2"), (Encoding::Utf8, 0));
        let text = "Full Name\tUser Action\tTimestamp\r\n";
        assert_eq!(
            sniff_encoding(&utf16(text, false, true)),
            (Encoding::Utf16Le, 2)
        );
        assert_eq!(
            sniff_encoding(&utf16(text, true, true)),
            (Encoding::Utf16Be, 2)
        );
        assert_eq!(
            sniff_encoding(&utf16(text, false, false)),
            (Encoding::Utf16Le, 0)
        );
        assert_eq!(
            sniff_encoding(&utf16(text, true, false)),
            (Encoding::Utf16Be, 0)
        );
    }

    #[test]
    fn utf16_reader_streams_utf8() {
        let text = "Name\tÉmilie Dübois\r\n".repeat(2000);
        for big in [false, true] {
            let bytes = utf16(&text, big, false);
            let mut out = String::new();
            Utf16Reader::new(&bytes[..], big)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
    }
}

//! Text encodings of export files, detected rather than configured.
//!
//! Admin portals write UTF-8 with or without a byte-order mark; Teams attendance
//! reports and other Windows exports write UTF-16 (little- or big-endian, usually
//! with a BOM, sometimes without); a spreadsheet re-saved as plain "CSV" writes
//! Windows-1252. This module finds which from the first bytes and hands the rest of
//! ingest UTF-8 text, decoded whole ([`decode_utf16`], [`read_text`]).

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

/// UTF-16 bytes (BOM already cut) as UTF-8 text; unpaired surrogates become U+FFFD.
pub fn decode_utf16(bytes: &[u8], big_endian: bool) -> String {
    let encoding = if big_endian {
        encoding_rs::UTF_16BE
    } else {
        encoding_rs::UTF_16LE
    };
    encoding.decode_without_bom_handling(bytes).0.into_owned()
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
        Encoding::Utf16Le => (decode_utf16(body, false), "UTF-16LE"),
        Encoding::Utf16Be => (decode_utf16(body, true), "UTF-16BE"),
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
    fn utf16_decodes_to_utf8() {
        let text = "Name\tÉmilie Dübois 日本\r\n".repeat(2000);
        for big in [false, true] {
            assert_eq!(decode_utf16(&utf16(&text, big, false), big), text);
        }
        // An unpaired surrogate is replaced, not an error.
        assert_eq!(decode_utf16(&[0x00, 0xD8, 0x41, 0x00], false), "\u{FFFD}A");
    }
}

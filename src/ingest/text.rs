//! Text encodings of export files, detected rather than configured.
//!
//! Admin portals write UTF-8 with or without a byte-order mark; Teams attendance
//! reports and other Windows exports write UTF-16 (little- or big-endian, usually
//! with a BOM, sometimes without); a spreadsheet re-saved as plain "CSV" writes the
//! legacy code page of the machine that saved it (Windows-1250 in Central Europe,
//! 1251 for Cyrillic, 1252 in Western Europe, ...) with no mark of which. This module
//! finds which: a BOM or the zero bytes of UTF-16 first, then UTF-8 if the bytes are
//! valid UTF-8, else the code page whose decoding reads most like text (chardetng,
//! Firefox's detector). It hands the rest of ingest UTF-8 text ([`decode`],
//! [`read_text`]) and the name of the encoding it chose, for the run's notes (see
//! docs/exports.md, "Encodings").

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

/// Whether bytes that begin a file (`complete` when they are the whole file) are in a
/// legacy code page: they are not UTF-8 (a character cut at the end of an
/// incomplete head does not count), hold no character that is valid UTF-8 beyond
/// ASCII (a UTF-8 file with a corrupt byte is UTF-8: the rows holding the byte are
/// quarantined), and no control byte that text never holds (a binary file is
/// refused as not text, not decoded).
pub fn is_legacy(head: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => return false,
        Err(e) if !complete && e.error_len().is_none() => return false,
        Err(_) => {}
    }
    let wide_utf8 = head.utf8_chunks().any(|chunk| !chunk.valid().is_ascii());
    let binary = head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A));
    !wide_utf8 && !binary
}

/// Bytes that are neither UTF-8 nor UTF-16, decoded in the legacy code page they
/// read best in: chardetng weighs every candidate (the Windows code pages, ISO 8859,
/// KOI8, the East Asian multi-byte ones) by how natural the decoded letters are
/// next to each other. Should its guess still hold bytes it cannot decode,
/// Windows-1252, which maps all but five bytes, reads them. Returns the text and the
/// code page's name (`windows-1250`, ...).
pub fn decode_legacy(bytes: &[u8]) -> (String, &'static str) {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(None, true);
    // A guess of UTF-8 or UTF-16 cannot stand here: the bytes were not that.
    let candidates = [guess, encoding_rs::WINDOWS_1252];
    for encoding in candidates {
        if encoding == encoding_rs::UTF_8 || encoding == encoding_rs::UTF_16LE {
            continue;
        }
        let (text, malformed) = encoding.decode_without_bom_handling(bytes);
        if !malformed || encoding == encoding_rs::WINDOWS_1252 {
            return (text.into_owned(), encoding.name());
        }
    }
    unreachable!("Windows-1252 is the last candidate and always returns")
}

/// A file's bytes as text: what encoding it is in, and whether that was guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The encoding's name: `UTF-8`, `UTF-16LE`, `UTF-16BE`, or a legacy code page
    /// (`windows-1250`, ...).
    pub encoding: &'static str,
    /// Whether the encoding is a legacy code page guessed from the bytes (no mark
    /// and no valid UTF says which): the run's notes say so.
    pub guessed: bool,
}

impl Decoded {
    /// What the run's notes say of how `file` was decoded, when that is worth
    /// saying (UTF-8 goes without saying).
    pub fn note(&self, file: &Path) -> Option<String> {
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        if self.guessed {
            Some(format!(
                "{name}: not UTF-8 nor UTF-16: decoded as {}, the code page its bytes read as text in",
                self.encoding
            ))
        } else if self.encoding != "UTF-8" {
            Some(format!("read as {}", self.encoding))
        } else {
            None
        }
    }
}

/// Decodes a whole file's bytes (see the module doc for the order of the tests).
pub fn decode(bytes: &[u8]) -> Decoded {
    let (encoding, bom) = sniff_encoding(bytes);
    let body = &bytes[bom..];
    let (text, name, guessed) = match encoding {
        Encoding::Utf16Le => (decode_utf16(body, false), "UTF-16LE", false),
        Encoding::Utf16Be => (decode_utf16(body, true), "UTF-16BE", false),
        Encoding::Utf8 if is_legacy(body, true) => {
            let (text, name) = decode_legacy(body);
            (text, name, true)
        }
        // UTF-8, perhaps with a corrupt byte (replaced) or binary (refused later).
        Encoding::Utf8 => (String::from_utf8_lossy(body).into_owned(), "UTF-8", false),
    };
    // A BOM written twice (a UTF-8 BOM inside UTF-16, or one re-saved) is not text.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Decoded {
        text,
        encoding: name,
        guessed,
    }
}

/// A whole file as text, with the sha256 of its bytes (lowercase hex) and how it was
/// decoded (see [`decode`]).
pub fn read_text(path: &Path) -> Result<(String, String, Decoded), Error> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    let sha = hex(&Sha256::digest(&bytes));
    let mut decoded = decode(&bytes);
    let text = std::mem::take(&mut decoded.text);
    Ok((text, sha, decoded))
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

    /// Text of a spreadsheet re-save in each code page: the legacy encoding is found
    /// from what decodes as text, and named.
    #[test]
    fn legacy_code_pages_are_told_apart_by_what_reads_as_text() {
        let cases = [
            (
                encoding_rs::WINDOWS_1250,
                "Imię i nazwisko;Pierwsze dołączenie;Ostatnie wyjście;Czas udziału w spotkaniu\r\n\
                 Łukasz Żółkiewski;10.03.2025 08:00;10.03.2025 09:00;1 godz.\r\n\
                 Małgorzata Wąsik;10.03.2025 08:05;10.03.2025 08:55;50 min\r\n",
            ),
            (
                encoding_rs::WINDOWS_1251,
                "user_id,department\r\nivan@contoso.bg,Счетоводство\r\n\
                 petar@contoso.bg,Човешки ресурси\r\nmaria@contoso.bg,Продажби и маркетинг\r\n",
            ),
            (
                encoding_rs::WINDOWS_1252,
                "user_id;département\r\nzoe@contoso.fr;Comptabilité générale\r\n\
                 hugo@contoso.fr;Ressources humaines et développement\r\n",
            ),
        ];
        for (encoding, text) in cases {
            let (bytes, _, unmappable) = encoding.encode(text);
            assert!(!unmappable, "{}", encoding.name());
            let decoded = decode(&bytes);
            assert_eq!(decoded.encoding, encoding.name());
            assert!(decoded.guessed);
            assert_eq!(decoded.text, text);
            assert!(decoded
                .note(Path::new("x.csv"))
                .is_some_and(|n| n.contains(encoding.name())));
        }
        // UTF-8 with a corrupt byte stays UTF-8; a binary file is not decoded.
        let mut corrupt = "user_id,group\nzoé@x.fr,Comptabilité\n".as_bytes().to_vec();
        corrupt.push(0xFF);
        assert!(!is_legacy(&corrupt, true));
        assert!(!is_legacy(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff", true));
        assert!(is_legacy(b"a,b\n\xe9,\xe8\n", true));
        // A head cut inside a UTF-8 character is not legacy when more follows.
        assert!(!is_legacy("aé".as_bytes().split_last().unwrap().1, false));
        // Valid UTF-8 is UTF-8, with or without BOM; UTF-16 is named, not guessed.
        let plain = decode("a,é\n".as_bytes());
        assert_eq!((plain.encoding, plain.guessed), ("UTF-8", false));
        assert_eq!(plain.note(Path::new("x.csv")), None);
        assert_eq!(decode(b"\xEF\xBB\xBFa,b").text, "a,b");
        let wide = decode(&utf16("a\tb\r\n", false, true));
        assert_eq!(
            wide.note(Path::new("x.csv")).as_deref(),
            Some("read as UTF-16LE")
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

//! Normalisation of what exports write several ways: the ids, mail addresses and
//! display names by which they name people, and the group and wave labels by which
//! they place them, so that the same person or group is found however an export
//! writes it (docs/inputs.md, "People" and "Groups and waves"). Used by `quality` to
//! match people and merge labels, by `config` to match wave and group names, and by
//! the tool adapters that read names.
//!
//! Everything compared is first put in Unicode NFKC form (a decomposed `é` from
//! macOS is the composed one, a full-width `Ａ` is `A`) with the characters that do
//! not show removed: control characters, zero-width spaces and joiners, byte-order
//! marks, soft hyphens and direction marks.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// Whether `c` does not show in a label: a control character, a zero-width
/// character, a byte-order mark, a soft hyphen or a direction mark.
pub fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
        )
}

/// `s` in NFKC form without the characters that do not show. ASCII text (most
/// of what exports hold) is in every normal form already: only its control
/// characters go.
fn visible_nfkc(s: &str) -> String {
    if s.is_ascii() {
        return s.chars().filter(|c| !c.is_ascii_control()).collect();
    }
    s.chars().filter(|c| !invisible(*c)).nfkc().collect()
}

/// `s` without the whitespace around it, as [`str::trim`] cuts it, but without
/// looking at its characters when it starts and ends with printable ASCII (most
/// cells do; `str::trim` decodes and classifies a character at each end).
pub fn trim(s: &str) -> &str {
    let outer = |b: u8| b < 0x80 && !matches!(b, b' ' | b'\t'..=b'\r');
    match s.as_bytes() {
        [first, .., last] if outer(*first) && outer(*last) => s,
        [only] if outer(*only) => s,
        _ => s.trim(),
    }
}

/// Normalises an id or mail: NFKC, invisible characters removed, trimmed, lowercase.
pub fn norm_id(s: &str) -> String {
    visible_nfkc(s).trim().to_lowercase()
}

/// [`norm_id`] without a copy when the id is already trimmed lowercase printable
/// ASCII (the usual case, read once per event row).
pub fn norm_id_cow(s: &str) -> Cow<'_, str> {
    let t = trim(s);
    if t.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(norm_id(t))
    }
}

/// How a group or wave label is written, for display: invisible characters
/// removed, NFC form (case, accents and full-width letters kept), surrounding spaces
/// trimmed and inner runs of spaces made one.
pub fn label_spelling(s: &str) -> String {
    let composed: String = if s.is_ascii() {
        s.chars().filter(|c| !c.is_ascii_control()).collect()
    } else {
        s.chars().filter(|c| !invisible(*c)).nfc().collect()
    };
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What makes two group or wave labels the same: [`label_spelling`] in NFKC form and
/// lowercase, so that `Sales`, `SALES`, `sales ` and `Ｓａｌｅｓ` are one label.
pub fn label_key(s: &str) -> String {
    visible_nfkc(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `c` is an accent that a name is matched without: a mark of the blocks of
/// diacritics that Latin, Greek and Cyrillic letters take (the marks of other
/// scripts, such as Devanagari's vowel signs, are part of the word and stay).
fn accent(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Normalises a display name for matching: NFKC, invisible characters removed,
/// accents dropped (`Zoé` is `Zoe`; a letter such as `ø` or `ß` stays), `Last, First`
/// made `first last`, parenthesised and bracketed parts (`(External)`, `[Contoso]`)
/// dropped, case and spacing folded.
pub fn norm_name(s: &str) -> String {
    let plain: String = if s.is_ascii() {
        s.chars().filter(|c| !c.is_ascii_control()).collect()
    } else {
        s.chars()
            .filter(|c| !invisible(*c))
            .nfkd()
            .filter(|c| !accent(*c))
            .nfc()
            .collect()
    };
    let mut base = String::with_capacity(plain.len());
    let mut depth = 0usize;
    for c in plain.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => base.push(c),
            _ => {}
        }
    }
    let ordered = match base.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => format!("{first} {last}"),
        _ => base,
    };
    ordered
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A normalised name's words in sorted order, so that word order does not count.
pub fn word_key(name: &str) -> String {
    let mut words: Vec<&str> = name.split(' ').collect();
    words.sort_unstable();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick trim cuts what `str::trim` cuts, whatever the ends are.
    #[test]
    fn trim_is_str_trim() {
        let ends = [
            "", "a", " ", "\t", "\r\n", "\x0b", "\x0c", "\x1f", "\u{a0}", "é", "\u{3000}",
            "\u{85}", "~",
        ];
        for a in ends {
            for mid in ["", "x", "a b", " ", "é"] {
                for b in ends {
                    let s = format!("{a}{mid}{b}");
                    assert_eq!(trim(&s), s.trim(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn names_normalise_last_first_and_ids() {
        assert_eq!(norm_name("Martin, Anne"), "anne martin");
        assert_eq!(norm_name("  Anne   MARTIN "), "anne martin");
        assert_eq!(norm_name("Anne Martin (amartin)"), "anne martin");
        assert_eq!(norm_name("[Contoso] Anne Martin (External)"), "anne martin");
        assert_eq!(word_key("martin anne"), "anne martin");
        assert_eq!(
            norm_id("  Anne.Martin@Contoso.COM "),
            "anne.martin@contoso.com"
        );
    }

    /// Ids with a zero-width space, a BOM inside, full-width letters or a decomposed
    /// accent went unmatched; names differing by accents did not fit.
    // See: issue 12, finding 6.
    #[test]
    fn ids_and_names_compare_after_nfkc_without_invisible_characters() {
        let id = "zoé.durand@contoso.com";
        for written in [
            "zo\u{e9}.durand@contoso.com",
            "zoe\u{301}.durand@contoso.com",
            "zo\u{e9}.du\u{200b}rand@contoso.com",
            "\u{feff}zo\u{e9}.durand@contoso.com",
            "zo\u{e9}.durand@\u{ff43}ontoso.com",
            "ZO\u{c9}.Durand@Contoso.com\r",
        ] {
            assert_eq!(norm_id(written), id, "{written:?}");
            assert_eq!(norm_id_cow(written), id, "{written:?}");
        }
        assert_eq!(norm_id_cow("ann@x.com"), "ann@x.com");
        assert!(matches!(norm_id_cow(" ann@x.com "), Cow::Borrowed(_)));
        let zoe = norm_name("Zoé Durand");
        assert_eq!(zoe, "zoe durand");
        assert_eq!(norm_name("Zoe Durand"), zoe);
        assert_eq!(norm_name("Durand, Zoe"), zoe);
        assert_eq!(norm_name("Durand, Zoe\u{301}"), zoe);
        assert_eq!(norm_name("Ｚｏé\u{200b} Durand"), zoe);
        // Letters that are no accented base letter, and other scripts' marks, stay.
        assert_eq!(norm_name("Søren Ørsted"), "søren ørsted");
        assert_eq!(norm_name("विकास"), "विकास");
    }

    #[test]
    fn labels_that_differ_by_case_spaces_or_form_share_a_key() {
        let key = label_key("Sales");
        for written in [
            "SALES",
            "sales ",
            "  Sales",
            "Ｓａｌｅｓ",
            "Sa\u{200b}les",
            "\u{feff}Sales",
        ] {
            assert_eq!(label_key(written), key, "{written:?}");
        }
        assert_eq!(label_key("Field  Sales"), label_key(" field sales"));
        assert_ne!(label_key("Sales"), label_key("Sales EU"));
        // Accents make another label: `Équipe` and `Equipe` are written apart.
        assert_ne!(label_key("Équipe"), label_key("Equipe"));
        assert_eq!(label_key("E\u{301}quipe"), label_key("Équipe"));
        // The spelling keeps case and accents, in composed form.
        assert_eq!(label_spelling("  Field\u{a0} Sales "), "Field Sales");
        assert_eq!(label_spelling("E\u{301}quipe"), "Équipe");
    }
}

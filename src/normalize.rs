//! Normalisation of the ids, mail addresses and display names by which exports name
//! people, so that the same person is found however an export writes them
//! (docs/inputs.md, "People"). Used by `quality` to match people and by the tool
//! adapters that read names.

use std::borrow::Cow;

/// Normalises an id or mail: trimmed, lowercase.
pub fn norm_id(s: &str) -> String {
    s.trim().to_lowercase()
}

/// [`norm_id`] without a copy when the id is already trimmed lowercase ASCII (the
/// usual case, read once per event row).
pub fn norm_id_cow(s: &str) -> Cow<'_, str> {
    let t = s.trim();
    if t.is_ascii() && !t.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(t.to_lowercase())
    }
}

/// Normalises a display name: `Last, First` becomes `first last`, parenthesised
/// and bracketed parts (`(External)`, `[Contoso]`) are dropped, case and spacing are
/// folded.
pub fn norm_name(s: &str) -> String {
    let mut base = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
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
}

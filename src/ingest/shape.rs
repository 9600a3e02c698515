//! What the values of an export's cells look like (a timestamp, an email address, a
//! length of time, an id, text), for reading a table whose labels are not known:
//! the Teams reader's structure (`tools/teams/structure.rs`) and the `columns` line
//! a missing-column error suggests (`table::Ctx::suggest`) tell columns apart by it.

use super::dates::{parse_iso, parse_local};
use super::table::{clean, Table};

/// What a cell's value looks like, for reading a table whose labels are not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A date with a time, or a date (`3/10/25, 8:00:48 AM`, `2025-03-10 08:00`).
    Stamp,
    /// An email address or UPN.
    Email,
    /// A length of time (`1h 2m 3s`, `57m 44s`, `2 h 44 m`, `59 Min. 0 Sek.`).
    Duration,
    /// An id: letters then digits, perhaps with a dash (`HELP-42`, `INC0010001`), or
    /// digits alone.
    Id,
    /// Anything else: a name, a role, a status.
    Text,
}

/// The shape of one cell; `None` when it is empty.
pub fn cell_shape(cell: &str) -> Option<Shape> {
    let c = clean(cell);
    if c.is_empty() {
        return None;
    }
    if parse_iso(&c).is_some() || parse_local(&c).is_some() {
        return Some(Shape::Stamp);
    }
    if let Some((local, domain)) = c.split_once('@') {
        if !local.is_empty() && domain.contains('.') && !c.contains(char::is_whitespace) {
            return Some(Shape::Email);
        }
    }
    let letters = c.trim_start_matches(|ch: char| ch.is_ascii_alphabetic());
    let letters = letters.strip_prefix('-').unwrap_or(letters);
    if !letters.is_empty() && letters.len() <= 12 && letters.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Shape::Id);
    }
    let duration = c.chars().next().is_some_and(|ch| ch.is_ascii_digit())
        && c.chars().any(char::is_alphabetic)
        && c.split_whitespace()
            .all(|w| w.chars().all(|ch| ch.is_alphanumeric() || ch == '.'))
        && c.split_whitespace().count() <= 8;
    Some(if duration {
        Shape::Duration
    } else {
        Shape::Text
    })
}

/// The shape most of a column's non-empty cells have (three in five at least), when
/// at least half its rows have a value; `None` otherwise.
pub fn column_shape(table: &Table, column: usize) -> Option<Shape> {
    let shapes: Vec<Shape> = table
        .rows
        .iter()
        .filter_map(|r| r.cells.get(column).and_then(|c| cell_shape(c)))
        .collect();
    if shapes.is_empty() || shapes.len() * 2 < table.rows.len() {
        return None;
    }
    [
        Shape::Stamp,
        Shape::Email,
        Shape::Duration,
        Shape::Id,
        Shape::Text,
    ]
    .into_iter()
    .find(|s| shapes.iter().filter(|x| *x == s).count() * 5 >= shapes.len() * 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_have_shapes() {
        for (cell, shape) in [
            ("3/10/25, 8:00:48 AM", Some(Shape::Stamp)),
            ("06.10.26, 18:01:00", Some(Shape::Stamp)),
            ("2025-03-10 08:00:48", Some(Shape::Stamp)),
            ("18/jul/26 9:10 AM", Some(Shape::Stamp)),
            ("anna.nowak@contoso.pl", Some(Shape::Email)),
            ("1h 2m 3s", Some(Shape::Duration)),
            ("59 Min. 0 Sek.", Some(Shape::Duration)),
            ("2\u{a0}h 44\u{a0}m", Some(Shape::Duration)),
            ("HELP-42", Some(Shape::Id)),
            ("INC0010001", Some(Shape::Id)),
            ("1042", Some(Shape::Id)),
            ("Anna Nowak", Some(Shape::Text)),
            ("Organizator", Some(Shape::Text)),
            (" ", None),
        ] {
            assert_eq!(cell_shape(cell), shape, "{cell:?}");
        }
    }
}

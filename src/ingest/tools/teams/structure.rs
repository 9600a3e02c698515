//! Teams reports read by their structure, when their labels are not known or only
//! in part: tables found by the shape of their values (two timestamp columns, or
//! one and a column of action words for 2020 lists), and the columns of a table
//! told by what their values are. Hands `mod.rs` the table and the columns to read
//! (a `Layout` or an `ActionList`); the run's note says which were taken.

use std::collections::HashMap;

use crate::ingest::shape::{cell_shape, column_shape, Shape};
use crate::ingest::table::{lines, Ctx, Table};
use crate::schema::{SESSION, USER_ID};

use super::labels::{is_upn_label, role, Role};
use super::{cells, is_section_break, section_end, summary, table_at, ActionList, Layout, Who};
use crate::ingest::tools::sessions::configured;

/// The report read by its structure: the tables whose header row (three cells or
/// more, none of them a time or an address) is followed by rows holding two
/// timestamps; the last of them is read (the activities when a report has both),
/// the first is the participants, where a person's UPN and email are found by name.
/// `None` when no table has that shape.
pub(super) fn by_structure(
    ctx: &Ctx<'_>,
    text: &str,
    all: &[(u64, usize, &str)],
) -> Option<(Layout, Vec<(String, String)>)> {
    let found = shaped_tables(text, all);
    let (last, last_shapes) = found.last()?;
    let first_start = found.first().map_or(text.len(), |(t, _)| t.start);
    let participants = (found.len() > 1).then(|| {
        let (t, s) = &found[0];
        (t.clone(), s.who(ctx, t))
    });
    let layout = Layout {
        table: last.clone(),
        join: last_shapes.stamps[0],
        leave: last_shapes.stamps[1],
        who: last_shapes.who(ctx, last),
        participants,
        translated: true,
    };
    Some((layout, summary(all, first_start)))
}

/// The tables of a report told by their shape: a header row of three cells or
/// more, none a time, an address or an id, over rows with two columns of
/// timestamps and a column of names or addresses.
fn shaped_tables(text: &str, all: &[(u64, usize, &str)]) -> Vec<(Table, Shapes)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let (n, offset, l) = all[i];
        if !labelled(l) {
            i += 1;
            continue;
        }
        let t = table_at(text, all, i, n, offset);
        let shapes = Shapes::of(&t);
        if shapes.stamps.len() >= 2 && (shapes.name.is_some() || !shapes.emails.is_empty()) {
            found.push((t, shapes));
        }
        // Tables do not nest: the next one starts after this section.
        i = section_end(all, i).max(i + 1);
    }
    found
}

/// Whether a line can be a table's header: three cells or more, none a time, an
/// address or an id (header labels are words).
fn labelled(line: &str) -> bool {
    let header = cells(line);
    header.iter().filter(|c| !c.is_empty()).count() >= 3
        && header
            .iter()
            .all(|c| !matches!(cell_shape(c), Some(Shape::Stamp | Shape::Email | Shape::Id)))
}

/// Whether `text` is a Teams attendance report in a language whose labels may not
/// be known, for `format = "auto"`: a header cell ending in `(UPN)`, a header of
/// translated labels (first join and last leave, or name and action), or a table of
/// two timestamp columns after numbered sections (`1. …`, `2. …`) or a summary
/// block of key/value lines (a Zoom meeting block is a header and a row; a canonical
/// file has neither).
pub fn recognise(text: &str) -> bool {
    let all: Vec<(u64, usize, &str)> = lines(text).take(2000).collect();
    let labelled = all.iter().any(|(_, _, l)| {
        let c = cells(l);
        let roles: Vec<(Role, bool)> = c.iter().filter_map(|x| role(x)).collect();
        let has = |r: Role| roles.iter().any(|(x, tr)| *x == r && *tr);
        c.iter()
            .any(|x| x.to_ascii_uppercase().replace(' ', "").ends_with("(UPN)"))
            || (has(Role::FirstJoin) && has(Role::LastLeave))
            || (has(Role::Name) && has(Role::Action))
    });
    if labelled {
        return true;
    }
    // A 2020 list: names first, no address anywhere (a canonical email file has one).
    if let Some((t, list)) = action_list("", text, &all) {
        if list.name == Some(0)
            && (0..t.headers.len()).all(|j| column_shape(&t, j) != Some(Shape::Email))
        {
            return true;
        }
    }
    let Some((table, _)) = shaped_tables(text, &all).into_iter().next() else {
        return false;
    };
    let sections = all
        .iter()
        .filter(|(_, _, l)| !l.trim().is_empty() && is_section_break(l))
        .count();
    sections >= 2 || summary(&all, table.start).len() >= 2
}

/// What the columns of a table hold, told from their values.
struct Shapes {
    /// The columns of timestamps, in order.
    stamps: Vec<usize>,
    /// The columns of email addresses, in order.
    emails: Vec<usize>,
    /// The first column of text.
    name: Option<usize>,
}

impl Shapes {
    fn of(t: &Table) -> Shapes {
        let shapes: Vec<Option<Shape>> = (0..t.headers.len()).map(|j| column_shape(t, j)).collect();
        let of = |want: Shape| -> Vec<usize> {
            (0..shapes.len())
                .filter(|j| shapes[*j] == Some(want))
                .collect()
        };
        Shapes {
            stamps: of(Shape::Stamp),
            emails: of(Shape::Email),
            name: of(Shape::Text).first().copied(),
        }
    }

    /// The person's columns: a header ending in `(UPN)` is the UPN; else, of two
    /// email columns, the second (every layout writes the email before the UPN).
    fn who(&self, ctx: &Ctx<'_>, t: &Table) -> Who {
        let upn = t
            .headers
            .iter()
            .position(|h| is_upn_label(h))
            .or_else(|| (self.emails.len() > 1).then(|| self.emails[1]));
        let email = self.emails.iter().copied().find(|e| Some(*e) != upn);
        Who {
            upn,
            email,
            name: self.name,
            user: configured(ctx, &t.headers, USER_ID),
            session: configured(ctx, &t.headers, SESSION),
        }
    }
}

/// A 2020 list whose labels are not known, told by its shape: one column of
/// timestamps, a first column of names, and a column of a few action words. A
/// person's first action is a join (they cannot leave before they come), so the
/// words found more often after a person's first row than as it are the leaves,
/// the others joins (`Joined`, `Joined before`).
pub(super) fn action_list(
    file: &str,
    text: &str,
    all: &[(u64, usize, &str)],
) -> Option<(Table, ActionList)> {
    let mut next = 0;
    for (i, (n, offset, l)) in all.iter().enumerate() {
        if i < next || !labelled(l) {
            continue;
        }
        next = section_end(all, i);
        let t = table_at(text, all, i, *n, *offset);
        let shapes: Vec<Option<Shape>> =
            (0..t.headers.len()).map(|j| column_shape(&t, j)).collect();
        let stamps: Vec<usize> = (0..shapes.len())
            .filter(|j| shapes[*j] == Some(Shape::Stamp))
            .collect();
        let texts: Vec<usize> = (0..shapes.len())
            .filter(|j| shapes[*j] == Some(Shape::Text))
            .collect();
        let ([stamp], Some(&name)) = (stamps.as_slice(), texts.first()) else {
            continue;
        };
        let words = |j: usize| -> Vec<String> {
            let mut w: Vec<String> = t
                .rows
                .iter()
                .map(|r| r.get(Some(j)).to_lowercase())
                .collect();
            w.sort();
            w.dedup();
            w
        };
        let Some(action) = texts[1..]
            .iter()
            .copied()
            .find(|j| (2..=4).contains(&words(*j).len()))
        else {
            continue;
        };
        let mut first: HashMap<String, usize> = HashMap::new();
        let mut later: HashMap<String, usize> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for row in &t.rows {
            let person = crate::normalize::norm_name(&row.get(Some(name)));
            let act = row.get(Some(action)).to_lowercase();
            let tally = if seen.insert(person) {
                &mut first
            } else {
                &mut later
            };
            *tally.entry(act).or_insert(0) += 1;
        }
        let leaves: Vec<String> = words(action)
            .into_iter()
            .filter(|w| later.get(w).copied().unwrap_or(0) > first.get(w).copied().unwrap_or(0))
            .collect();
        let note = format!(
            "{file}: read by its structure (its labels are not known): a list of actions, time `{}`, action `{}` (ending an interval: {}), person `{}`",
            t.headers[*stamp],
            t.headers[action],
            if leaves.is_empty() { "none".to_string() } else { leaves.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ") },
            t.headers[name],
        );
        let list = ActionList {
            action: Some(action),
            stamp: Some(*stamp),
            name: Some(name),
            leaves: Some((leaves, note)),
        };
        return Some((t, list));
    }
    None
}

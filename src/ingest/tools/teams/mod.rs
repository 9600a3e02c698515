//! Microsoft Teams attendance reports as training intervals, every generation:
//!
//! 1. 2020 `meetingAttendanceList.csv`: `Full Name`, `User Action` (`Joined`,
//!    `Joined before`, `Left`), `Timestamp`, one row per action. Each `Joined` is
//!    paired with the person's next `Left`; a second `Joined` with no `Left` between
//!    ends the first interval (the person dropped out unrecorded); someone still
//!    present at download has no `Left` and is counted until the last timestamp of
//!    the file. Every action row is handed on as the interval it belongs to, so a
//!    `Left` row repeats its `Joined` row's interval and `quality` counts it as a
//!    duplicate: rows stay accounted for. A live event's attendee report
//!    (`AttendeeReport.csv`: `SessionId, ParticipantId, FullName, UserAgent,
//!    UtcEventTimestamp, Action, Role`) is such a list too, its times UTC.
//! 2. 2021–22: a `Meeting Summary` block (`Meeting Title`, start and end), then
//!    `Full Name, Join Time, Leave Time, Duration, Email, Role, Participant ID (UPN)`.
//! 3. 2022+: sections `1. Summary`, `2. Participants` (`Name, First Join, Last Leave,
//!    In-Meeting Duration, Email, Participant ID (UPN), Role`) and
//!    `3. In-Meeting Activities` (`Name, Join Time, Leave Time, Duration, ...`). The
//!    activities (one row per join) are read when present, else the participants.
//!
//! Labels follow the downloader's language: `labels.rs` holds them per language, each
//! from a real export, public code that reads one, or Microsoft's documentation
//! (docs/exports.md says which). A report whose labels are not known, or only in
//! part, is read by its structure (`structure.rs`): the table
//! whose rows hold two columns of timestamps is the participants (the last such
//! table, the in-meeting activities); its first timestamp column is the join, the
//! second the leave, its email-shaped columns the email and then the UPN, its first
//! text column the name; the summary's first text value is the meeting title. The
//! run's notes say which file was read so and which columns were taken.
//!
//! Files are usually UTF-16 with tabs; dates follow the downloader's regional
//! format (`15/11/22, 09:30:17`, `7/20/23, 4:30:36 PM`, `13/04/2021 à 09:01:31`),
//! read in the rollout's zone (UTC when the header says `(UTC)`), their order
//! decided from the values and the summary's start and end, else from `date_order`,
//! else from the clock (see `sessions::locale_order`): never from the labels alone,
//! since a Polish report can carry US dates. The person is their UPN, else their
//! email, else their name; the session is the summary's meeting title, else the file
//! name. `columns.user_id` and `columns.session` override both, and `columns` maps
//! any header the reader does not find.

use std::collections::HashMap;

use crate::error::{Error, MissingColumn};
use crate::schema::{JOINED_AT, LEFT_AT, SESSION, USER_ID};

mod labels;
mod structure;

pub use structure::recognise;

use labels::{column, is_upn_label, labels, role, Role, JOINED, LEFT};
use structure::{action_list, by_structure};

use super::sessions::{bad, configured, file_session, locale_order, Interval};
use crate::ingest::shape::{cell_shape, Shape};
use crate::ingest::table::{clean, find_header, lines, parse_table, Adapted, Ctx, Table, TableRow};

/// The cells of a line of the report, split at its delimiter (tab, else the most
/// frequent of semicolon and comma), unquoted and trimmed.
fn cells(line: &str) -> Vec<&str> {
    let delimiter = if line.contains('\t') {
        '\t'
    } else if line.matches(';').count() >= line.matches(',').count() && line.contains(';') {
        ';'
    } else {
        ','
    };
    line.split(delimiter)
        .map(|c| c.trim().trim_matches('"').trim())
        .collect()
}

/// The summary's key/value rows before `end` (a byte offset): `(key, value)`.
fn summary(all: &[(u64, usize, &str)], end: usize) -> Vec<(String, String)> {
    all.iter()
        .take_while(|(_, o, _)| *o < end)
        .filter_map(|(_, _, l)| {
            let c: Vec<&str> = cells(l).into_iter().filter(|c| !c.is_empty()).collect();
            match c.as_slice() {
                [key, value] => Some((key.to_string(), value.to_string())),
                _ => None,
            }
        })
        .collect()
}

/// The meeting's title from the summary: the value of a known title key, else (read
/// by structure) the first value that is text, not a number, time, length or address.
fn title(rows: &[(String, String)], by_structure: bool) -> Option<String> {
    let known = rows
        .iter()
        .find(|(k, _)| role(k).is_some_and(|(r, _)| r == Role::Title))
        .map(|(_, v)| clean(v));
    match known {
        Some(t) if !t.is_empty() => Some(t),
        Some(_) => None,
        None if by_structure => rows
            .iter()
            .find(|(_, v)| cell_shape(v) == Some(Shape::Text))
            .map(|(_, v)| clean(v)),
        None => None,
    }
}

/// Reads one attendance report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let all: Vec<(u64, usize, &str)> = lines(text).collect();
    // The headers `columns` maps make a header line too, whatever their language.
    let mapped: Vec<&str> = [JOINED_AT, LEFT_AT, USER_ID]
        .iter()
        .filter_map(|c| ctx.cfg.columns.get(*c).map(String::as_str))
        .collect();
    // Each table starts at a header line and ends at a blank or section-title line.
    let mut tables: Vec<Table> = Vec::new();
    for (i, (n, offset, l)) in all.iter().enumerate() {
        let line_cells: Vec<String> = cells(l).into_iter().map(str::to_string).collect();
        let roles: Vec<Role> = line_cells
            .iter()
            .filter_map(|c| role(c).map(|(r, _)| r))
            .collect();
        let has = |r: Role| roles.contains(&r);
        let configured_here = mapped
            .iter()
            .filter(|h| find_header(&line_cells, h).is_some())
            .count();
        let is_header = (has(Role::Name)
            && (has(Role::Action) || has(Role::Join) || has(Role::FirstJoin)))
            || (has(Role::Join) && has(Role::Leave))
            || (has(Role::FirstJoin) && has(Role::LastLeave))
            || (configured_here > 0 && configured_here == mapped.len());
        if !is_header {
            continue;
        }
        tables.push(table_at(text, &all, i, *n, *offset));
    }
    if let Some(t) = tables.iter().find(|t| column(t, Role::Action).is_some()) {
        let rows = summary(&all, text.len());
        let session = title(&rows, false).unwrap_or_else(|| file_session(ctx));
        return read_actions(ctx, t, &session, &ActionList::by_labels(t));
    }
    let participants = tables.iter().find(|t| column(t, Role::FirstJoin).is_some());
    let intervals = tables
        .iter()
        .rev()
        .find(|t| column(t, Role::Join).is_some() && column(t, Role::Leave).is_some())
        .or(participants)
        .or(tables.last());
    let structure = by_structure(ctx, text, &all);
    let by_labels = match intervals {
        // The labels found only the participants, and an activities table whose
        // labels are not known follows them: the structure reads the activities.
        Some(t)
            if column(t, Role::Join).is_none()
                && structure
                    .as_ref()
                    .is_some_and(|(l, _)| l.table.start > t.start) =>
        {
            None
        }
        Some(t) => {
            let first = tables.first().map_or(text.len(), |t| t.start);
            let rows = summary(&all, first);
            let session = title(&rows, true).unwrap_or_else(|| file_session(ctx));
            match Layout::by_labels(ctx, t, participants) {
                Ok(layout) => return read_intervals(ctx, &layout, &rows, &session, Vec::new()),
                Err(e) => Some(e),
            }
        }
        None => None,
    };
    // A header that `columns` maps and the file lacks is an error, not a guess.
    if let Some(Error::MissingColumn(m)) = &by_labels {
        if m.config_key.is_some() {
            return Err(by_labels.expect("matched just above"));
        }
    }
    // Labels unknown, or known in part: the structure decides.
    if let Some((mut layout, rows)) = structure {
        // `columns` wins over the structure's choice, and names what it maps.
        let map = ctx.map_providing(
            &layout.table.headers,
            &[],
            &[SESSION, USER_ID, JOINED_AT, LEFT_AT],
        )?;
        let mapped = |c: &str| ctx.ix(c).and_then(|i| map[i]);
        layout.join = mapped(JOINED_AT).unwrap_or(layout.join);
        layout.leave = mapped(LEFT_AT).unwrap_or(layout.leave);
        let session = title(&rows, true).unwrap_or_else(|| file_session(ctx));
        let note = layout.note(ctx);
        return read_intervals(ctx, &layout, &rows, &session, vec![note]);
    }
    // A 2020 list of actions whose labels are not known.
    if by_labels.is_none() {
        let file = ctx
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        if let Some((t, list)) = action_list(&file, text, &all) {
            return read_actions(ctx, &t, &file_session(ctx), &list);
        }
    }
    Err(by_labels.unwrap_or_else(|| no_table(ctx, &all)))
}

/// The table whose header is line `i` (number `n`, at byte `offset`), to the next
/// blank line or section title.
fn table_at(text: &str, all: &[(u64, usize, &str)], i: usize, n: u64, offset: usize) -> Table {
    let end = all
        .get(section_end(all, i))
        .map_or(text.len(), |(_, o, _)| *o);
    let mut t = parse_table(&text[offset..end], n);
    t.start = offset;
    t
}

/// The index of the line that ends the section line `i` is in (a blank line or a
/// section title after it), or the number of lines.
fn section_end(all: &[(u64, usize, &str)], i: usize) -> usize {
    all[i + 1..]
        .iter()
        .position(|(_, _, l)| is_section_break(l))
        .map_or(all.len(), |k| i + 1 + k)
}

/// Which columns of which table a report's intervals are read from.
struct Layout {
    table: Table,
    join: usize,
    leave: usize,
    who: Who,
    /// The participants, when the intervals are the activities: a person's ids by
    /// name.
    participants: Option<(Table, Who)>,
    /// The labels are not English (or not known): no day-first hint from English.
    translated: bool,
}

impl Layout {
    /// The layout the labels give (and `columns`, which wins); an error naming the
    /// missing column when they do not give the join and leave.
    fn by_labels(ctx: &Ctx<'_>, t: &Table, participants: Option<&Table>) -> Result<Layout, Error> {
        let joins: Vec<&str> = [labels(Role::Join), labels(Role::FirstJoin)].concat();
        let leaves: Vec<&str> = [labels(Role::Leave), labels(Role::LastLeave)].concat();
        let aliases: &[(&str, &[&str])] = &[(JOINED_AT, &joins), (LEFT_AT, &leaves)];
        let map = ctx.map_table(t, aliases, &[SESSION, USER_ID])?;
        let (Some(join), Some(leave)) = (
            map[ctx.ix(JOINED_AT).expect("training wants joined_at")],
            map[ctx.ix(LEFT_AT).expect("training wants left_at")],
        ) else {
            unreachable!("joined_at and left_at are required of the headers")
        };
        let participants = participants
            .filter(|p| p.start != t.start)
            .map(|p| (p.clone(), Who::of(ctx, p)));
        Ok(Layout {
            table: t.clone(),
            join,
            leave,
            who: Who::of(ctx, t),
            participants,
            translated: t.headers.iter().any(|h| role(h).is_some_and(|(_, tr)| tr)),
        })
    }

    /// The run's note for a report read by structure: which columns were taken.
    fn note(&self, ctx: &Ctx<'_>) -> String {
        let h = |i: Option<usize>| {
            i.and_then(|i| self.table.headers.get(i))
                .map_or_else(|| "(none)".to_string(), |h| format!("`{h}`"))
        };
        let file = ctx
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        format!(
            "{file}: read by its structure (its labels are not known): join {}, leave {}, person {}",
            h(Some(self.join)),
            h(Some(self.leave)),
            h(self.who.user.or(self.who.upn).or(self.who.email).or(self.who.name)),
        )
    }
}

/// No table of a report could be found, by labels or by structure: the missing
/// column error names the most table-like line's cells and, from the Teams column
/// order (name, join, leave, ...), the `columns` line to write.
fn no_table(ctx: &Ctx<'_>, all: &[(u64, usize, &str)]) -> Error {
    let best = all
        .iter()
        .map(|(_, _, l)| cells(l))
        .filter(|c| {
            c.iter()
                .all(|x| !matches!(cell_shape(x), Some(Shape::Stamp | Shape::Email)))
        })
        .max_by_key(|c| c.iter().filter(|x| !x.is_empty()).count())
        .unwrap_or_default();
    let found: Vec<String> = best.iter().map(|c| c.to_string()).collect();
    let mut suggestion = Vec::new();
    if found.len() >= 3 && found[1..3].iter().all(|c| !c.is_empty()) {
        suggestion.push((JOINED_AT.to_string(), found[1].clone()));
        suggestion.push((LEFT_AT.to_string(), found[2].clone()));
        if let Some(upn) = found.iter().find(|c| is_upn_label(c)) {
            suggestion.push((USER_ID.to_string(), upn.clone()));
        }
    }
    Error::MissingColumn(Box::new(MissingColumn {
        source_name: ctx.source.name().to_string(),
        file: ctx.path.to_path_buf(),
        column: JOINED_AT.to_string(),
        config_key: ctx.cfg.columns.get(JOINED_AT).cloned(),
        found: found.clone(),
        closest: crate::ingest::closest_header("Join Time", &found),
        suggestion,
        named_by: None,
    }))
}

/// A blank line, or a section title such as `3. In-Meeting Activities`.
fn is_section_break(line: &str) -> bool {
    let t = line
        .trim()
        .trim_matches(|c| c == '\t' || c == ',' || c == ';' || c == '"');
    t.is_empty()
        || (t.len() > 3
            && t.as_bytes()[0].is_ascii_digit()
            && t[1..].starts_with(". ")
            && !t.contains('\t'))
}

/// Whether the join header says its times are UTC (`First Join (UTC)`).
fn says_utc(t: &Table, join: usize) -> bool {
    t.headers
        .get(join)
        .is_some_and(|h| h.to_ascii_uppercase().contains("UTC"))
}

/// Where a table's people and sessions come from.
struct Who {
    upn: Option<usize>,
    email: Option<usize>,
    name: Option<usize>,
    /// `columns.user_id`, when set: it alone names the person.
    user: Option<usize>,
    /// `columns.session`, when set: a row's own session.
    session: Option<usize>,
}

impl Who {
    fn of(ctx: &Ctx<'_>, t: &Table) -> Who {
        Who {
            upn: column(t, Role::Upn),
            email: column(t, Role::Email),
            name: column(t, Role::Name),
            user: configured(ctx, &t.headers, USER_ID),
            session: configured(ctx, &t.headers, SESSION),
        }
    }

    /// The person of a row: the configured column, else UPN, else email, else name.
    fn person(&self, row: &TableRow) -> String {
        if self.user.is_some() {
            return row.get(self.user);
        }
        let upn = row.get(self.upn);
        if upn.contains('@') {
            return upn;
        }
        let email = row.get(self.email);
        if !email.is_empty() {
            return email;
        }
        row.get(self.name)
    }

    /// The session of a row: its own (configured) cell, else the file's.
    fn session(&self, row: &TableRow, file: &str) -> String {
        let own = row.get(self.session);
        if own.is_empty() {
            file.to_string()
        } else {
            own
        }
    }
}

/// The intervals of a report's table, as `layout` says to read them. `summary`
/// (its start and end) weighs in deciding the date order; `notes` go to the run.
fn read_intervals(
    ctx: &Ctx<'_>,
    layout: &Layout,
    summary: &[(String, String)],
    session: &str,
    notes: Vec<String>,
) -> Result<Adapted, Error> {
    let Layout {
        table: t,
        join: c_join,
        leave: c_left,
        who,
        ..
    } = layout;
    let (c_join, c_left) = (Some(*c_join), Some(*c_left));
    // Activities may lack email and UPN: take them from the participants by name.
    let mut ids: HashMap<String, String> = HashMap::new();
    if let Some((p, pwho)) = &layout.participants {
        for row in &p.rows {
            ids.entry(row.get(pwho.name))
                .or_insert_with(|| pwho.person(row));
        }
    }
    let mut cells: Vec<String> = t
        .rows
        .iter()
        .flat_map(|r| [r.get(c_join), r.get(c_left)])
        .collect();
    cells.extend(
        summary
            .iter()
            .filter(|(_, v)| cell_shape(v) == Some(Shape::Stamp))
            .map(|(_, v)| clean(v)),
    );
    let hint = locale_order(layout.translated, cells.iter().map(String::as_str));
    let utc = says_utc(t, layout.join);
    let dates = ctx.dates_or(cells.iter().map(String::as_str), utc, hint)?;
    // A spreadsheet re-save pads the header with empty cells: they are no columns.
    let width = t
        .headers
        .iter()
        .rposition(|h| !h.is_empty())
        .map_or(0, |p| p + 1);
    let mut rows = Vec::new();
    for row in &t.rows {
        if let Err(reason) = row.shape(width) {
            rows.push(bad(row, reason));
            continue;
        }
        // A row with no UPN of its own takes the one the participants give its name
        // (the activities of 2022+ reports have an email at most).
        let mut user = who.person(row);
        if who.user.is_none() && !row.get(who.upn).contains('@') {
            if let Some(found) = ids.get(&row.get(who.name)) {
                if found.contains('@') || !user.contains('@') {
                    user.clone_from(found);
                }
            }
        }
        let session = who.session(row, session);
        let joined = row.get(c_join);
        let left = with_date_of(&row.get(c_left), &joined);
        rows.push(
            Interval {
                user,
                session: &session,
                joined: &joined,
                left: &left,
            }
            .out(ctx, row, &dates),
        );
    }
    Ok(Adapted { rows, notes })
}

/// A leave time written without its date (`11:02:00 AM` after a join of
/// `2/7/26, 10:00:05 AM`) takes the join's date; any other value is kept.
fn with_date_of(leave: &str, join: &str) -> String {
    let clock_only = !leave.is_empty()
        && leave.contains(':')
        && !leave.contains(['/', '-', '.'])
        && leave.chars().next().is_some_and(|c| c.is_ascii_digit());
    if !clock_only || cell_shape(join) != Some(Shape::Stamp) {
        return leave.to_string();
    }
    // The join's date is what comes before its time (`2/7/26, ` or `2026-02-07 `).
    let cut = join
        .char_indices()
        .find(|&(i, c)| (c == ' ' || c == ',') && join[..i].chars().any(|d| d.is_ascii_digit()))
        .map_or(join.len(), |(i, _)| i);
    format!("{}{}", &join[..cut], &format!(" {leave}"))
}

/// The columns of a 2020 action list, and its action words when read by structure.
struct ActionList {
    action: Option<usize>,
    stamp: Option<usize>,
    name: Option<usize>,
    /// The words (lowercase) that end an interval, and the note to give, when the
    /// list was read by structure; `None`: the known words (`JOINED`, `LEFT`).
    leaves: Option<(Vec<String>, String)>,
}

impl ActionList {
    fn by_labels(t: &Table) -> ActionList {
        ActionList {
            action: column(t, Role::Action),
            stamp: column(t, Role::Stamp),
            name: column(t, Role::Name),
            leaves: None,
        }
    }

    /// Whether `act` (lowercase) starts an interval, ends one, or is unknown.
    fn kind(&self, act: &str) -> Option<bool> {
        match &self.leaves {
            Some((leaves, _)) => Some(!leaves.iter().any(|l| l == act)),
            None if JOINED.iter().any(|a| act.starts_with(a)) => Some(true),
            None if LEFT.iter().any(|a| act.starts_with(a)) => Some(false),
            None => None,
        }
    }
}

fn read_actions(
    ctx: &Ctx<'_>,
    t: &Table,
    session: &str,
    list: &ActionList,
) -> Result<Adapted, Error> {
    let (action, stamp) = (list.action, list.stamp);
    let mut who = Who::of(ctx, t);
    who.name = who.name.or(list.name);
    if stamp.is_none() {
        ctx.map_providing(
            &t.headers,
            &[(JOINED_AT, &["Timestamp"])],
            &[SESSION, LEFT_AT, USER_ID],
        )?;
    }
    let cells: Vec<String> = t.rows.iter().map(|r| r.get(stamp)).collect();
    let translated = t.headers.iter().any(|h| role(h).is_some_and(|(_, tr)| tr));
    let hint = locale_order(translated, cells.iter().map(String::as_str));
    // A live event's `UtcEventTimestamp` says its times are UTC.
    let utc = stamp.is_some_and(|s| says_utc(t, s));
    let dates = ctx.dates_or(cells.iter().map(String::as_str), utc, hint)?;
    // Pair each person's actions in file order: row index -> (joined, left), as
    // written (the writer rewrites them when the rows are handed on).
    let end = cells
        .iter()
        .filter(|c| !c.is_empty())
        .max_by_key(|c| dates.iso(c))
        .cloned()
        .unwrap_or_default();
    let mut interval: Vec<Option<(usize, usize)>> = vec![None; t.rows.len()];
    let mut bad_rows: Vec<Option<String>> = vec![None; t.rows.len()];
    let mut open: HashMap<String, usize> = HashMap::new();
    for (i, row) in t.rows.iter().enumerate() {
        if let Err(reason) = row.shape(t.headers.len()) {
            bad_rows[i] = Some(reason);
            continue;
        }
        let person = crate::normalize::norm_name(&row.get(who.name));
        let act = row.get(action).to_lowercase();
        let kind = list.kind(&act);
        if kind == Some(true) {
            // A second join with no leave between: the first interval ended unseen.
            if let Some(j) = open.insert(person, i) {
                interval[j] = Some((j, i));
            }
        } else if kind == Some(false) {
            match open.remove(&person) {
                Some(j) => {
                    interval[j] = Some((j, i));
                    interval[i] = Some((j, i));
                }
                None => {
                    bad_rows[i] =
                        Some("`Left` with no `Joined` before it for this person".to_string())
                }
            }
        } else {
            bad_rows[i] = Some(format!(
                "unknown user action `{}` (expected Joined, Joined before or Left)",
                row.get(action)
            ));
        }
    }
    let mut rows = Vec::new();
    for (i, row) in t.rows.iter().enumerate() {
        if let Some(reason) = &bad_rows[i] {
            rows.push(bad(row, reason.clone()));
            continue;
        }
        // Still in the meeting at download: until the file's last timestamp.
        let (joined, left) = match interval[i] {
            Some((j, l)) => (cells[j].as_str(), cells[l].as_str()),
            None => (cells[i].as_str(), end.as_str()),
        };
        let session = who.session(row, session);
        let user = if who.user.is_some() {
            who.person(row)
        } else {
            let id = row.get(who.email.or(who.upn));
            if id.is_empty() {
                row.get(who.name)
            } else {
                id
            }
        };
        rows.push(
            Interval {
                user,
                session: &session,
                joined,
                left,
            }
            .out(ctx, row, &dates),
        );
    }
    Ok(Adapted {
        rows,
        notes: list.leaves.iter().map(|(_, note)| note.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_know_their_language() {
        assert_eq!(role("Full Name"), Some((Role::Name, false)));
        assert_eq!(role("Nom complet"), Some((Role::Name, true)));
        assert_eq!(role("Heure d'arrivée"), Some((Role::Join, true)));
        assert_eq!(role("first join"), Some((Role::FirstJoin, false)));
        assert_eq!(role("Participant ID (UPN)"), Some((Role::Upn, false)));
        assert_eq!(role("Duration"), None);
    }

    #[test]
    fn section_titles_and_blank_lines_end_tables() {
        assert!(is_section_break("3. In-Meeting Activities"));
        assert!(is_section_break("2. Participantes"));
        assert!(is_section_break("\t\t"));
        assert!(!is_section_break("Ann Lee\t1/2/23, 9:00 AM"));
    }
}

//! Microsoft Teams attendance reports as training intervals, every generation:
//!
//! 1. 2020 `meetingAttendanceList.csv`: `Full Name`, `User Action` (`Joined`,
//!    `Joined before`, `Left`), `Timestamp`, one row per action. Each `Joined` is
//!    paired with the person's next `Left`; a second `Joined` with no `Left` between
//!    ends the first interval (the person dropped out unrecorded); someone still
//!    present at download has no `Left` and is counted until the last timestamp of
//!    the file. Every action row is handed on as the interval it belongs to, so a
//!    `Left` row repeats its `Joined` row's interval and `quality` counts it as a
//!    duplicate: rows stay accounted for.
//! 2. 2021–22: a `Meeting Summary` block (`Meeting Title`, start and end), then
//!    `Full Name, Join Time, Leave Time, Duration, Email, Role, Participant ID (UPN)`.
//! 3. 2022+: sections `1. Summary`, `2. Participants` (`Name, First Join, Last Leave,
//!    In-Meeting Duration, Email, Participant ID (UPN), Role`) and
//!    `3. In-Meeting Activities` (`Name, Join Time, Leave Time, Duration, ...`). The
//!    activities (one row per join) are read when present, else the participants.
//!
//! Labels follow the downloader's language: [`LABELS`] holds the English ones and
//! every translation seen in real exports. Files are usually UTF-16 with tabs;
//! dates follow the downloader's locale (`15/11/22, 09:30:17`, `7/20/23, 4:30:36
//! PM`, `13/04/2021 à 09:01:31`), read in the rollout's zone (UTC when the header
//! says `(UTC)`). When the values do not decide the order, translated labels or a
//! 24-hour clock mean day-first (see `sessions::locale_order`). The person is their
//! UPN, else their email, else their name; the session is the summary's meeting
//! title, else the file name. `columns.user_id` and `columns.session` override both.

use std::collections::HashMap;

use crate::error::Error;
use crate::schema::{JOINED_AT, LEFT_AT, SESSION, USER_ID};

use super::sessions::{bad, configured, file_session, locale_order, Interval};
use crate::ingest::table::{lines, parse_table, squash, Adapted, Ctx, Table, TableRow};

/// What a column of an attendance report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Name,
    Action,
    Stamp,
    /// A join time of one interval (activities, 2021–22 reports).
    Join,
    Leave,
    /// The first join and last leave of a person (2022+ participants).
    FirstJoin,
    LastLeave,
    Email,
    Upn,
}

/// Each role's labels: English, then the translations found in real exports
/// (French: Necrelox/Auto_Presence; Portuguese: RenatoJardimParducci's 2020 lists
/// and a pt-BR 2022+ sample; Indonesian `Nama`: hamonangann/presence-script).
/// German, Spanish, Dutch and Japanese labels were not found in any public export,
/// so they are not guessed here; `columns` maps them.
const LABELS: &[(Role, &[&str], &[&str])] = &[
    (
        Role::Name,
        &["Full Name", "Name"],
        &["Nom complet", "Nom", "Nome Completo", "Nome", "Nama"],
    ),
    (Role::Action, &["User Action"], &["Atividade"]),
    (Role::Stamp, &["Timestamp"], &["Data e hora"]),
    (Role::Join, &["Join Time"], &["Heure d'arrivée"]),
    (Role::Leave, &["Leave Time"], &["Heure de départ"]),
    (
        Role::FirstJoin,
        &["First Join", "First Join (UTC)"],
        &["Primeiro ingresso"],
    ),
    (
        Role::LastLeave,
        &["Last Leave", "Last Leave (UTC)"],
        &["Última saída"],
    ),
    (Role::Email, &["Email"], &["E-mail"]),
    (
        Role::Upn,
        &["Participant ID (UPN)", "UPN"],
        &["ID do participante (UPN)"],
    ),
];

/// The summary keys that hold the meeting's title, squashed.
const TITLE_KEYS: &[&str] = &[
    "meetingtitle",
    "title",
    "titredelaréunion",
    "títulodareunião",
];

/// Actions that start and end an interval (2020 lists), lowercase prefixes.
const JOINED: &[&str] = &["joined", "entrou"];
const LEFT: &[&str] = &["left", "saiu"];

/// The role of a header cell, and whether its label is a translation.
fn role(cell: &str) -> Option<(Role, bool)> {
    let c = squash(cell);
    LABELS.iter().find_map(|(role, english, translated)| {
        if english.iter().any(|l| squash(l) == c) {
            Some((*role, false))
        } else if translated.iter().any(|l| squash(l) == c) {
            Some((*role, true))
        } else {
            None
        }
    })
}

/// Every label of `role`, English first.
fn labels(role: Role) -> Vec<&'static str> {
    LABELS
        .iter()
        .filter(|(r, _, _)| *r == role)
        .flat_map(|(_, e, t)| e.iter().chain(t.iter()).copied())
        .collect()
}

/// The position of the first header with `role`.
fn column(table: &Table, want: Role) -> Option<usize> {
    table
        .headers
        .iter()
        .position(|h| role(h).is_some_and(|(r, _)| r == want))
        .or_else(|| {
            // Any language keeps `(UPN)` in the participant id's label.
            (want == Role::Upn).then(|| {
                table
                    .headers
                    .iter()
                    .position(|h| squash(h).ends_with("upn"))
            })?
        })
}

/// Reads one attendance report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let all: Vec<(u64, usize, &str)> = lines(text).collect();
    let title = all.iter().find_map(|(_, _, l)| {
        let cells: Vec<&str> = l
            .split(['\t', ',', ';'])
            .map(|c| c.trim().trim_matches('"'))
            .filter(|c| !c.is_empty())
            .collect();
        match cells.as_slice() {
            [key, value] if TITLE_KEYS.contains(&squash(key).as_str()) => {
                Some(crate::ingest::table::clean(value)).filter(|v| !v.is_empty())
            }
            _ => None,
        }
    });
    let session = title.unwrap_or_else(|| file_session(ctx));
    // Each table starts at a header line and ends at a blank or section-title line.
    let mut tables: Vec<Table> = Vec::new();
    for (i, (n, offset, l)) in all.iter().enumerate() {
        let roles: Vec<Role> = l
            .split(['\t', ',', ';'])
            .filter_map(|c| role(c.trim().trim_matches('"')).map(|(r, _)| r))
            .collect();
        let has = |r: Role| roles.contains(&r);
        let is_header = (has(Role::Name)
            && (has(Role::Action) || has(Role::Join) || has(Role::FirstJoin)))
            || (has(Role::Join) && has(Role::Leave))
            || (has(Role::FirstJoin) && has(Role::LastLeave));
        if !is_header {
            continue;
        }
        let end = all[i + 1..]
            .iter()
            .find(|(_, _, l)| is_section_break(l))
            .map_or(text.len(), |(_, o, _)| *o);
        tables.push(parse_table(&text[*offset..end], *n));
    }
    if let Some(t) = tables.iter().find(|t| column(t, Role::Action).is_some()) {
        return read_actions(ctx, t, &session);
    }
    let participants = tables.iter().find(|t| column(t, Role::FirstJoin).is_some());
    let intervals = tables
        .iter()
        .find(|t| column(t, Role::Join).is_some() && column(t, Role::Leave).is_some())
        .or(participants);
    let Some(t) = intervals else {
        // No table: let the usual missing-column error name what was found.
        let t = parse_table(text, 1);
        ctx.map_providing(
            &t.headers,
            &[(JOINED_AT, &["Join Time", "First Join", "Timestamp"])],
            &[SESSION, LEFT_AT, USER_ID],
        )?;
        return Ok(Adapted::default());
    };
    read_intervals(ctx, t, participants, &session)
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

/// Whether any header of `t` is a translated label.
fn translated(t: &Table) -> bool {
    t.headers.iter().any(|h| role(h).is_some_and(|(_, tr)| tr))
}

/// Whether the join header says its times are UTC (`First Join (UTC)`).
fn says_utc(t: &Table, join: Option<usize>) -> bool {
    join.and_then(|i| t.headers.get(i))
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

fn read_intervals(
    ctx: &Ctx<'_>,
    t: &Table,
    participants: Option<&Table>,
    session: &str,
) -> Result<Adapted, Error> {
    let joins: Vec<&str> = [labels(Role::Join), labels(Role::FirstJoin)].concat();
    let leaves: Vec<&str> = [labels(Role::Leave), labels(Role::LastLeave)].concat();
    let aliases: &[(&str, &[&str])] = &[(JOINED_AT, &joins), (LEFT_AT, &leaves)];
    let map = ctx.map_providing(&t.headers, aliases, &[SESSION, USER_ID])?;
    let who = Who::of(ctx, t);
    let (c_join, c_left) = (
        map[ctx.ix(JOINED_AT).expect("training wants joined_at")],
        map[ctx.ix(LEFT_AT).expect("training wants left_at")],
    );
    // Activities may lack email and UPN: take them from the participants by name.
    let mut ids: HashMap<String, String> = HashMap::new();
    if let Some(p) = participants {
        let pwho = Who::of(ctx, p);
        for row in &p.rows {
            ids.entry(row.get(pwho.name))
                .or_insert_with(|| pwho.person(row));
        }
    }
    let cells: Vec<String> = t
        .rows
        .iter()
        .flat_map(|r| [r.get(c_join), r.get(c_left)])
        .collect();
    let hint = locale_order(translated(t), cells.iter().map(String::as_str));
    let dates = ctx.dates_or(cells.iter().map(String::as_str), says_utc(t, c_join), hint)?;
    let mut rows = Vec::new();
    for row in &t.rows {
        if let Err(reason) = row.shape(t.headers.len()) {
            rows.push(bad(row, reason));
            continue;
        }
        let mut user = who.person(row);
        if who.user.is_none() && !user.contains('@') {
            if let Some(found) = ids.get(&row.get(who.name)) {
                user.clone_from(found);
            }
        }
        let session = who.session(row, session);
        let (joined, left) = (row.get(c_join), row.get(c_left));
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
    Ok(Adapted {
        rows,
        notes: Vec::new(),
    })
}

fn read_actions(ctx: &Ctx<'_>, t: &Table, session: &str) -> Result<Adapted, Error> {
    let (action, stamp) = (column(t, Role::Action), column(t, Role::Stamp));
    let who = Who::of(ctx, t);
    if stamp.is_none() {
        ctx.map_providing(
            &t.headers,
            &[(JOINED_AT, &["Timestamp"])],
            &[SESSION, LEFT_AT, USER_ID],
        )?;
    }
    let cells: Vec<String> = t.rows.iter().map(|r| r.get(stamp)).collect();
    let hint = locale_order(translated(t), cells.iter().map(String::as_str));
    let dates = ctx.dates_or(cells.iter().map(String::as_str), false, hint)?;
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
        if JOINED.iter().any(|a| act.starts_with(a)) {
            // A second join with no leave between: the first interval ended unseen.
            if let Some(j) = open.insert(person, i) {
                interval[j] = Some((j, i));
            }
        } else if LEFT.iter().any(|a| act.starts_with(a)) {
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
        notes: Vec::new(),
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

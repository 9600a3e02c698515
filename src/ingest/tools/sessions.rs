//! What the training adapters (`teams/`, `zoom.rs`) share: the session a file is
//! about, the person and session of a row when `columns` names them, the date order a
//! meeting report's locale implies, and the canonical interval row they hand on.

use crate::config::DateOrder;
use crate::schema::{JOINED_AT, LEFT_AT, SESSION, USER_ID};

use crate::ingest::dates::{parse_local, IsoWriter, LocalStamp};
use crate::ingest::table::{find_header, Ctx, Out, TableRow};

/// The session a file stands for when it names none: its file name without the
/// extension.
pub fn file_session(ctx: &Ctx<'_>) -> String {
    ctx.path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The header position of canonical column `name` when the source's `columns`
/// maps it (`columns = { user_id = "Email" }`), so that the mapping wins over the
/// adapter's own choice; `None` when not configured or not in `headers`.
pub fn configured(ctx: &Ctx<'_>, headers: &[String], name: &str) -> Option<usize> {
    ctx.cfg
        .columns
        .get(name)
        .and_then(|h| find_header(headers, h))
}

/// The date order a meeting report's regional format implies, for files whose
/// values do not decide it. A time with an AM/PM leaves the usual rule (`None`): a
/// capital AM/PM on every value is the en-US layout, month-first, whatever the
/// language of the labels (a Polish report can carry US dates), and a lower-case
/// one is left to `date_order`. Without one, a 24-hour clock is day-first (en-US
/// always writes AM/PM; en-GB, en-IN and the rest of the world write a 24-hour clock
/// and day-first dates), and so are labels not in English (every such export found
/// writes day-first).
pub fn locale_order<'c>(
    translated: bool,
    cells: impl IntoIterator<Item = &'c str>,
) -> Option<DateOrder> {
    let mut numeric = false;
    for cell in cells {
        let lower = cell.trim_end().to_ascii_lowercase().replace(['.', ' '], "");
        if lower.ends_with("am") || lower.ends_with("pm") {
            return None;
        }
        numeric |= matches!(parse_local(cell), Some(LocalStamp::Numeric { .. }));
    }
    (numeric || translated).then_some(DateOrder::Dmy)
}

/// One attendance interval, as a canonical training row.
pub struct Interval<'a> {
    /// The person: an email or UPN, else a name.
    pub user: String,
    /// The session.
    pub session: &'a str,
    /// Join time as the file writes it.
    pub joined: &'a str,
    /// Leave time as the file writes it.
    pub left: &'a str,
}

impl Interval<'_> {
    /// The canonical row of `row`, its times rewritten as ISO 8601 with `dates`.
    pub fn out(&self, ctx: &Ctx<'_>, row: &TableRow, dates: &IsoWriter) -> Out {
        let mut fields = ctx.blank();
        ctx.set(&mut fields, USER_ID, self.user.clone());
        ctx.set(&mut fields, SESSION, self.session);
        ctx.set(&mut fields, JOINED_AT, dates.iso(self.joined));
        ctx.set(&mut fields, LEFT_AT, dates.iso(self.left));
        Out::Row {
            line: row.line,
            fields,
            raw: row.raw.clone(),
        }
    }
}

/// The quarantined row for `row` with `reason`.
pub fn bad(row: &TableRow, reason: impl Into<String>) -> Out {
    Out::Bad {
        line: row.line,
        reason: reason.into(),
        raw: row.raw.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_implies_an_order_only_when_it_can() {
        // Labels do not decide: a translated report with a US clock is left to
        // the values (and read month-first when every value has a capital AM/PM).
        assert_eq!(locale_order(true, ["3/4/2021 10:00 AM"]), None);
        assert_eq!(locale_order(true, ["3/4/2021 10:00"]), Some(DateOrder::Dmy));
        assert_eq!(
            locale_order(false, ["11/12/2020, 12:27:24"]),
            Some(DateOrder::Dmy)
        );
        assert_eq!(locale_order(false, ["11/4/2020, 9:50:12 AM"]), None);
        assert_eq!(locale_order(false, ["2020-11-04 09:50"]), None);
    }
}

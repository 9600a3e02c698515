//! The event sources: enrollments, email, training, tickets — each row matched to
//! its person, checked, and deduplicated (docs/inputs.md, "Rows").

use super::engagement::WorkloadNames;
use super::*;
use crate::dataset::EmailRow;

/// One enrollment row, parsed: the workload, the enrollment instant, and the device.
struct DeviceRow {
    workload: u32,
    at: i64,
    device: CompactString,
    os: CompactString,
    compliant: Option<bool>,
    last_check_in: Option<i64>,
}

/// A device's compliance state as the export writes it: `compliant`, `yes`, `true`,
/// `1` and Intune's `In grace period` are compliant; `not evaluated`, `unknown` and
/// an empty cell say nothing; anything else (`noncompliant`, `no`, `error`,
/// `conflict`) is not compliant (docs/inputs.md, "Devices").
fn compliance(cell: &str) -> Option<bool> {
    let cell = cell.trim();
    // ASCII cells (all but a stray few) are matched without a lowercase copy; others
    // are lowercased first, as a letter such as the Kelvin sign lowercases to ASCII.
    if cell.is_ascii() {
        return ascii_compliance(cell);
    }
    ascii_compliance(&cell.to_lowercase())
}

/// [`compliance`] of a trimmed cell, the ASCII letters in any case.
fn ascii_compliance(c: &str) -> Option<bool> {
    const NONE: [&str; 5] = [
        "",
        "not evaluated",
        "notevaluated",
        "unknown",
        "not applicable",
    ];
    const YES: [&str; 7] = [
        "compliant",
        "yes",
        "y",
        "true",
        "1",
        "in grace period",
        "ingraceperiod",
    ];
    if NONE.iter().any(|v| v.eq_ignore_ascii_case(c)) {
        None
    } else {
        Some(YES.iter().any(|v| v.eq_ignore_ascii_case(c)))
    }
}

/// The old form of [`compliance`], kept to check the fast one against.
#[cfg(test)]
fn compliance_by_lowercase(cell: &str) -> Option<bool> {
    let c = cell.trim().to_lowercase();
    match c.as_str() {
        "" | "not evaluated" | "notevaluated" | "unknown" | "not applicable" => None,
        "compliant" | "yes" | "y" | "true" | "1" | "in grace period" | "ingraceperiod" => {
            Some(true)
        }
        _ => Some(false),
    }
}

/// Reads every enrollments table (one per workload's export, or one for all). A row's
/// workload is its `workload` cell, else its table's `workload`, else the only
/// workload; a row naming no configured workload is quarantined. With
/// `snapshots = true` a table's folder is its device list's history (see
/// [`merge_device_snapshots`]).
pub(super) fn read_enrollments(
    cfg: &Config,
    reads: &[Read<'_>],
    as_of: Option<NaiveDate>,
    ctx: &mut EventCtx<'_>,
    out: &mut Enrollments,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Enrollments, reads[0].roster);
    let (c_id, c_at) = (cols.ix(schema::USER_ID), cols.ix(schema::ENROLLED_AT));
    let (c_dev, c_os, c_comp) = (
        cols.ix(schema::DEVICE_ID),
        cols.ix(schema::OS),
        cols.ix(schema::COMPLIANT),
    );
    let (c_workload, c_check) = (cols.ix(schema::WORKLOAD), cols.ix(schema::LAST_CHECK_IN));
    let workloads = WorkloadNames::new(&cfg.workloads);
    let guess = reads
        .iter()
        .map(|r| rows_guess(Source::Enrollments, r.cfg))
        .sum();
    // A row repeats another when the person, workload, instant, device, OS, compliance
    // and last check-in agree. The two texts are not in the key: the device ids (36
    // bytes each, a heap block each as a key's string) are held end to end, the OS
    // names interned, and both compared through the row's number.
    let mut accepted: Vec<(DeviceKey, u32)> = Vec::with_capacity(guess);
    let mut by_name: Vec<bool> = Vec::with_capacity(guess);
    let mut device_ids = Texts::default();
    let mut os_names = Interner::default();
    let mut files = Vec::new();
    for read in reads {
        let default = read
            .cfg
            .workload
            .or((cfg.workloads.len() == 1).then_some(0));
        let parse = |row: Row<'_>| {
            parse_row(row, |c| {
                let found = read.matcher.find(c.get(c_id))?;
                let at = timestamp(read.parser, c.get(c_at), schema::ENROLLED_AT)?;
                let workload = match c.get(c_workload).trim() {
                    "" => default.ok_or_else(|| {
                        format!(
                            "no workload: the row's `workload` is empty and [{}] sets none",
                            read.cfg.key
                        )
                    })? as u32,
                    name => workloads.find(name).ok_or_else(|| {
                        format!("`workload`: `{name}` is not a [[workloads]] name")
                    })?,
                };
                let last_check_in = match c.get(c_check).trim() {
                    "" => None,
                    v => Some(
                        read.parser
                            .instant(v)
                            .map_err(|e| format!("`{}`: {e}", schema::LAST_CHECK_IN))?,
                    ),
                };
                let row = DeviceRow {
                    workload,
                    at,
                    device: CompactString::from(c.get(c_dev).trim()),
                    os: CompactString::from(c.get(c_os).trim()),
                    compliant: compliance(c.get(c_comp)),
                    last_check_in,
                };
                Ok((found, at, row))
            })
        };
        if read.cfg.snapshots {
            files.extend(merge_device_snapshots(read, as_of, ctx, &parse, out)?);
            continue;
        }
        files.extend(
            ctx.read_rows(Source::Enrollments, read, parse, |_, who, d| {
                let key = DeviceKey {
                    pid: who.0,
                    workload: d.workload,
                    at: d.at,
                    last_check_in: d.last_check_in,
                    compliant: d.compliant,
                    os: os_names.get(&d.os),
                };
                accepted.push((key, by_name.len() as u32));
                by_name.push(who.1);
                device_ids.push(&d.device);
            })?,
        );
    }
    // Sorted as the tuple (person, workload, instant, device, OS, compliance, last
    // check-in) and then by row, each repeat follows the row it repeats.
    let same = |a: &(DeviceKey, u32), b: &(DeviceKey, u32)| {
        let (x, y) = (&a.0, &b.0);
        (x.pid, x.workload, x.at)
            .cmp(&(y.pid, y.workload, y.at))
            .then_with(|| device_ids[a.1 as usize].cmp(&device_ids[b.1 as usize]))
            .then_with(|| os_names.names[x.os as usize].cmp(&os_names.names[y.os as usize]))
            .then_with(|| (x.compliant, x.last_check_in).cmp(&(y.compliant, y.last_check_in)))
    };
    accepted.par_sort_unstable_by(|a, b| same(a, b).then(a.1.cmp(&b.1)));
    let before = accepted.len();
    accepted.dedup_by(|later, first| same(later, first).is_eq());
    let counts = &mut ctx.tally.counts;
    counts.duplicates_removed += (before - accepted.len()) as u64;
    accepted.retain(|(key, _)| key.pid < ctx.n_roster);
    counts.matched_by_name += accepted
        .iter()
        .filter(|&&(_, row)| by_name[row as usize])
        .count() as u64;
    let n = accepted.len();
    out.pid.reserve_exact(n);
    out.workload.reserve_exact(n);
    out.enrolled_at.reserve_exact(n);
    out.compliant.reserve_exact(n);
    out.last_check_in.reserve_exact(n);
    out.removed_on.reserve_exact(n);
    for (key, _) in accepted {
        out.pid.push(key.pid);
        out.workload.push(key.workload);
        out.enrolled_at.push(key.at);
        out.compliant.push(key.compliant);
        out.last_check_in.push(key.last_check_in);
        out.removed_on.push(None);
    }
    Ok(files)
}

/// An accepted enrollment row but for its device id and OS name (see
/// [`read_enrollments`]): 40 bytes.
struct DeviceKey {
    pid: u32,
    workload: u32,
    at: i64,
    last_check_in: Option<i64>,
    compliant: Option<bool>,
    /// Index of its OS name.
    os: u32,
}

/// A device over the snapshots read.
struct DeviceHistory {
    pid: u32,
    by_name: bool,
    workload: u32,
    /// Its earliest `enrolled_at` in any snapshot.
    enrolled_at: i64,
    /// Its state in the latest snapshot that holds it.
    compliant: Option<bool>,
    last_check_in: Option<i64>,
    /// The last snapshot that holds it.
    last: NaiveDate,
}

/// Reads one enrollments row: who, when enrolled (as ms), and the device.
type ParseDevice<'a> =
    dyn for<'r> Fn(Row<'r>) -> Result<(Found, i64, DeviceRow), Rejected> + Sync + 'a;

/// A device row's whole content inside one snapshot: user, workload, enrolled at,
/// device, compliant, last check-in.
type DeviceRowKey = (u32, u32, i64, CompactString, Option<bool>, Option<i64>);

/// Reads a device-list snapshot folder as its history as of `as_of` (snapshots dated
/// after it are not read): a device (its person, workload and `device_id`, or its
/// enrollment instant when it has no id) enrolled at its earliest `enrolled_at` in
/// any snapshot; one absent from a later snapshot was removed on that snapshot's day;
/// its compliance and last check-in are those of the latest snapshot that holds it.
/// Identical rows inside one snapshot are duplicates removed; the same device in
/// several snapshots is its history, not a duplicate (docs/inputs.md, "Snapshots").
fn merge_device_snapshots(
    read: &Read<'_>,
    as_of: Option<NaiveDate>,
    ctx: &mut EventCtx<'_>,
    parse: &ParseDevice<'_>,
    out: &mut Enrollments,
) -> Result<Vec<InputFile>, Error> {
    let used = ingest::snapshots::snapshots(Source::Enrollments, read.cfg, as_of)?;
    type DeviceKey = (u32, u32, CompactString, i64);
    let mut order: Vec<DeviceKey> = Vec::new();
    let mut devices: FastMap<DeviceKey, DeviceHistory> = FastMap::default();
    let mut files = Vec::new();
    for snap in &used {
        let file = SourceConfig {
            path: snap.path.clone(),
            ..read.cfg.clone()
        };
        let file_read = Read {
            cfg: &file,
            roster: read.roster,
            matcher: read.matcher,
            parser: read.parser,
        };
        // Identical rows of this snapshot.
        let mut seen: FastMap<DeviceRowKey, ()> = FastMap::default();
        files.extend(ctx.read_rows(
            Source::Enrollments,
            &file_read,
            parse,
            |counts, (uid, by_name), d| {
                let same = (
                    uid,
                    d.workload,
                    d.at,
                    d.device.clone(),
                    d.compliant,
                    d.last_check_in,
                );
                if seen.insert(same, ()).is_some() {
                    counts.duplicates_removed += 1;
                    return;
                }
                let key: DeviceKey = if d.device.is_empty() {
                    (uid, d.workload, d.device.clone(), d.at)
                } else {
                    (uid, d.workload, d.device.clone(), 0)
                };
                match devices.get_mut(&key) {
                    Some(h) => {
                        h.enrolled_at = h.enrolled_at.min(d.at);
                        h.compliant = d.compliant;
                        h.last_check_in = d.last_check_in;
                        h.last = snap.day;
                    }
                    None => {
                        order.push(key.clone());
                        devices.insert(
                            key,
                            DeviceHistory {
                                pid: uid,
                                by_name,
                                workload: d.workload,
                                enrolled_at: d.at,
                                compliant: d.compliant,
                                last_check_in: d.last_check_in,
                                last: snap.day,
                            },
                        );
                    }
                }
            },
        )?);
    }
    let last = used.last().map(|s| s.day);
    for key in order {
        let Some(h) = devices.remove(&key) else {
            continue;
        };
        if h.pid >= ctx.n_roster {
            continue;
        }
        if h.by_name {
            ctx.tally.counts.matched_by_name += 1;
        }
        let removed = (Some(h.last) != last)
            .then(|| used.iter().find(|s| s.day > h.last).map(|s| s.day))
            .flatten();
        out.pid.push(h.pid);
        out.workload.push(h.workload);
        out.enrolled_at.push(h.enrolled_at);
        out.compliant.push(h.compliant);
        out.last_check_in.push(h.last_check_in);
        out.removed_on.push(removed);
    }
    if let (Some(first), Some(last)) = (used.first(), used.last()) {
        ctx.spans.push(SnapshotSpan {
            files: used.len(),
            first: first.day,
            last: last.day,
        });
    }
    Ok(files)
}

/// What says that an email row repeats another: the person, campaign, event,
/// instant and machine-open flag all agree. Ordered as the tuple (person, campaign,
/// instant, event, flag): the kept keys come in person then campaign order, as
/// [`EmailEvents::from_sorted`] takes them.
///
/// The instant, the event and the flag are packed into one 64-bit word held as two
/// `u32` halves, so that the key takes 16 bytes at 4-byte alignment and 20 with its
/// row number, instead of 32 for a tuple with an `i64` (tens of millions of rows at a
/// million people; every byte is fresh memory, zeroed by the kernel, and sorted).
/// The instant keeps 60 bits: [`MailKey::new`] refuses one outside ±2^59 ms (±18
/// million years; no date a timestamp cell can name comes near).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct MailKey {
    pid: u32,
    campaign: u32,
    /// High and low halves of `(at + 2^59) << 4 | event << 1 | machine`.
    high: u32,
    low: u32,
}

impl MailKey {
    /// The bias that makes every instant kept non-negative.
    const BIAS: i64 = 1 << 59;

    /// The key, or `None` for an instant outside ±2^59 ms.
    fn new(pid: u32, campaign: u32, event: EmailEvent, at: i64, machine: bool) -> Option<Self> {
        if !(-Self::BIAS..Self::BIAS).contains(&at) {
            return None;
        }
        let word = ((at + Self::BIAS) as u64) << 4 | (event as u64) << 1 | u64::from(machine);
        Some(MailKey {
            pid,
            campaign,
            high: (word >> 32) as u32,
            low: word as u32,
        })
    }

    /// The row the key stands for.
    fn row(&self) -> EmailRow {
        let word = u64::from(self.high) << 32 | u64::from(self.low);
        let at = (word >> 4) as i64 - Self::BIAS;
        let event = match (word >> 1) & 7 {
            0 => EmailEvent::Sent,
            1 => EmailEvent::Delivered,
            2 => EmailEvent::Open,
            3 => EmailEvent::Click,
            _ => EmailEvent::Bounce,
        };
        (self.pid, self.campaign, event, at, word & 1 == 1)
    }
}

impl Named for MailKey {
    fn uid(&self) -> u32 {
        self.pid
    }
}

pub(super) fn read_email(
    read: &Read<'_>,
    ctx: &mut EventCtx<'_>,
    out: &mut EmailEvents,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Email, read.roster);
    let (c_id, c_campaign) = (cols.ix(schema::USER_ID), cols.ix(schema::CAMPAIGN));
    let (c_event, c_ts) = (cols.ix(schema::EVENT), cols.ix(schema::TIMESTAMP));
    let c_machine = cols.ix(schema::MACHINE_OPEN);
    let mut campaigns = Interner::default();
    for name in &out.campaigns {
        campaigns.get(name);
    }
    let mut accepted: Accepted<MailKey> =
        Accepted::with_capacity(rows_guess(Source::Email, read.cfg));
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let found = read.matcher.find(c.get(c_id))?;
            // Inline up to 24 bytes: no allocation per row for a campaign's name.
            let campaign = CompactString::from(required(c.get(c_campaign), schema::CAMPAIGN)?);
            let event_cell = required(c.get(c_event), schema::EVENT)?;
            // Most cells are the name as written: one comparison each, before the
            // comparisons in any case.
            let exact = EmailEvent::ALL.into_iter().find(|e| e.name() == event_cell);
            let event = exact.or_else(|| EmailEvent::parse(event_cell)).ok_or_else(|| {
                format!("unknown event `{event_cell}` (expected sent, delivered, open, click or bounce)")
            })?;
            let at = timestamp(read.parser, c.get(c_ts), schema::TIMESTAMP)?;
            let machine = flag(c.get(c_machine));
            // The key is made here, its person and campaign set when the row is
            // kept, so that an instant it cannot hold is quarantined.
            let key = MailKey::new(0, 0, event, at, machine)
                .ok_or_else(|| format!("`{}`: the instant is out of range", schema::TIMESTAMP))?;
            Ok((found, at, (campaign, key)))
        })
    };
    let files = ctx.read_rows(Source::Email, read, parse, |_, who, row| {
        let (campaign, key) = row;
        let campaign = campaigns.get(&campaign);
        accepted.push(
            who,
            MailKey {
                pid: who.0,
                campaign,
                ..key
            },
        );
    })?;
    // The key holds every column the events keep, and the kept keys come sorted by
    // person then campaign: they are reduced straight to the first instants.
    let keep = crate::progress::span("email keep");
    let kept = accepted.keep(ctx.n_roster, &mut ctx.tally.counts);
    drop(keep);
    let _reduce = crate::progress::span("email reduce");
    *out = EmailEvents::from_sorted(&kept, |(k, _)| k.row(), campaigns.names);
    Ok(files)
}

pub(super) fn read_training(
    read: &Read<'_>,
    ctx: &mut EventCtx<'_>,
    out: &mut Attendance,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Training, read.roster);
    let (c_id, c_session) = (cols.ix(schema::USER_ID), cols.ix(schema::SESSION));
    let (c_join, c_left) = (cols.ix(schema::JOINED_AT), cols.ix(schema::LEFT_AT));
    let mut sessions = Interner::default();
    // A row repeats another when the person, session and both instants agree.
    type Key = (u32, u32, i64, i64);
    let mut accepted: Accepted<Key> =
        Accepted::with_capacity(rows_guess(Source::Training, read.cfg));
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let found = read.matcher.find(c.get(c_id))?;
            let session = CompactString::from(required(c.get(c_session), schema::SESSION)?);
            let joined = timestamp(read.parser, c.get(c_join), schema::JOINED_AT)?;
            let left = timestamp(read.parser, c.get(c_left), schema::LEFT_AT)?;
            if left < joined {
                return Err("`left_at` is before `joined_at`".to_string());
            }
            Ok((found, left, (session, joined, left)))
        })
    };
    let files = ctx.read_rows(Source::Training, read, parse, |_, who, row| {
        let (session, joined, left) = row;
        let session = sessions.get(&session);
        accepted.push(who, (who.0, session, joined, left));
    })?;
    let kept = accepted.keep(ctx.n_roster, &mut ctx.tally.counts);
    out.pid.reserve_exact(kept.len());
    out.session.reserve_exact(kept.len());
    out.joined_at.reserve_exact(kept.len());
    out.left_at.reserve_exact(kept.len());
    for ((pid, session, joined, left), _) in kept {
        out.pid.push(pid);
        out.session.push(session);
        out.joined_at.push(joined);
        out.left_at.push(left);
    }
    out.sessions = sessions.names;
    Ok(files)
}

pub(super) fn read_tickets(
    read: &Read<'_>,
    as_of: Option<NaiveDate>,
    ctx: &mut EventCtx<'_>,
    out: &mut Tickets,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Tickets, read.roster);
    let (c_ticket, c_id) = (cols.ix(schema::TICKET_ID), cols.ix(schema::USER_ID));
    let (c_open, c_resolved) = (cols.ix(schema::OPENED_AT), cols.ix(schema::RESOLVED_AT));
    let c_category = cols.ix(schema::CATEGORY);
    struct Ticket {
        id: String,
        written: String,
        opened: i64,
        resolved: Option<i64>,
        category: String,
    }
    // Every accepted ticket's last state, by id, in first-seen order; the uid says
    // whether it belongs to a roster person.
    struct Last {
        uid: u32,
        by_name: bool,
        opened: i64,
        resolved: Option<i64>,
        category: String,
    }
    // Ticket ids in first-seen order, with the spelling first seen.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut last: FastMap<String, Last> = FastMap::default();
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let written = required(c.get(c_ticket), schema::TICKET_ID)?;
            // Ticket ids compare as ids do: `INC0012` and `inc0012` are one ticket.
            let id = norm_id(written);
            if id.is_empty() {
                return Err(format!("missing required value `{}`", schema::TICKET_ID));
            }
            let written = written.to_string();
            let found = read.matcher.find(c.get(c_id))?;
            let opened = timestamp(read.parser, c.get(c_open), schema::OPENED_AT)?;
            let resolved = match c.get(c_resolved).trim() {
                "" => None,
                v => Some(
                    read.parser
                        .instant(v)
                        .map_err(|e| format!("`{}`: {e}", schema::RESOLVED_AT))?,
                ),
            };
            if resolved.is_some_and(|r| r < opened) {
                return Err("`resolved_at` is before `opened_at`".to_string());
            }
            let category = match c.get(c_category).trim() {
                "" => "uncategorised".to_string(),
                v => v.to_string(),
            };
            let seen = resolved.unwrap_or(opened).max(opened);
            let ticket = Ticket {
                id,
                written,
                opened,
                resolved,
                category,
            };
            Ok((found, seen, ticket))
        })
    };
    // The files read as one: the source itself, or each snapshot in order of its day
    // (a ticket's state is its row in the latest snapshot, its opening the earliest
    // seen; a ticket repeated inside one file keeps its last row, and the repeats
    // count as duplicates removed, but one in several snapshots is history).
    let (parts, span) = snapshot_parts(Source::Tickets, read.cfg, as_of)?;
    ctx.spans.extend(span);
    let mut files = Vec::new();
    for part in &parts {
        let part_read = Read {
            cfg: part,
            roster: read.roster,
            matcher: read.matcher,
            parser: read.parser,
        };
        let mut in_part: FastMap<String, ()> = FastMap::default();
        files.extend(ctx.read_rows(
            Source::Tickets,
            &part_read,
            parse,
            |counts, (uid, by_name), t| {
                let repeat = in_part.insert(t.id.clone(), ()).is_some();
                let mut state = Last {
                    uid,
                    by_name,
                    opened: t.opened,
                    resolved: t.resolved,
                    category: t.category,
                };
                match last.get(&t.id) {
                    Some(before) => {
                        state.opened = state.opened.min(before.opened);
                        if repeat {
                            counts.duplicates_removed += 1;
                        }
                    }
                    None => order.push((t.id.clone(), t.written)),
                }
                last.insert(t.id, state);
            },
        )?);
    }
    for (key, ticket) in order {
        let Some(state) = last.remove(&key) else {
            continue;
        };
        if state.uid >= ctx.n_roster {
            continue;
        }
        if state.by_name {
            ctx.tally.counts.matched_by_name += 1;
        }
        out.pid.push(state.uid);
        out.ticket_id.push(ticket);
        out.opened_at.push(state.opened);
        out.resolved_at.push(state.resolved);
        out.category.push(state.category);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::EmailClock;

    #[test]
    fn compliance_without_a_lowercase_copy_reads_as_before() {
        let cells = [
            "",
            " ",
            "Compliant",
            " COMPLIANT ",
            "yes",
            "Y",
            "TRUE",
            "1",
            "0",
            "no",
            "In grace period",
            "InGracePeriod",
            "Not Evaluated",
            "notevaluated",
            "UNKNOWN",
            "not applicable",
            "noncompliant",
            "error",
            "conflict",
            "compliant!",
            "yes yes",
            // The Kelvin sign lowercases to `k`: `un\u{212A}nown` is `unknown`.
            "un\u{212A}nown",
            "Ｙes",
            "ÿes",
            "\u{130}n grace period",
        ];
        for cell in cells {
            assert_eq!(compliance(cell), compliance_by_lowercase(cell), "{cell:?}");
        }
        assert_eq!(compliance("un\u{212A}nown"), None);
        assert_eq!(compliance(" In Grace Period"), Some(true));
        assert_eq!(compliance("Noncompliant"), Some(false));
    }

    #[test]
    fn mail_keys_order_as_their_tuples_and_keep_the_row() {
        // The range's ends, around the epoch, and a 2026 instant.
        let (lo, hi) = (-MailKey::BIAS, MailKey::BIAS - 1);
        let ats = [lo, lo + 1, -86_400_000, -1, 0, 1, 1_780_000_000_000, hi];
        let mut tuples = Vec::new();
        for pid in [0, 7, u32::MAX] {
            for campaign in [0, 3, u32::MAX] {
                for event in EmailEvent::ALL {
                    for at in ats {
                        for machine in [false, true] {
                            tuples.push((pid, campaign, event, at, machine));
                        }
                    }
                }
            }
        }
        let key = |t: &EmailRow| MailKey::new(t.0, t.1, t.2, t.3, t.4);
        for t in &tuples {
            let k = key(t).expect("in range");
            assert_eq!(k.row(), *t);
            assert_eq!(k.uid(), t.0);
        }
        // Reversed, then sorted as keys: the order of (person, campaign, instant,
        // event, flag).
        let mut keys: Vec<MailKey> = tuples.iter().rev().filter_map(key).collect();
        keys.sort_unstable();
        let back: Vec<EmailRow> = keys.iter().map(MailKey::row).collect();
        let mut sorted = tuples.clone();
        sorted.sort_unstable_by_key(|t| (t.0, t.1, t.3, t.2, t.4));
        assert_eq!(back, sorted);
        assert_eq!(std::mem::size_of::<(MailKey, u32)>(), 20);
        // Outside the range: no key (the row is quarantined).
        for at in [i64::MIN, lo - 1, hi + 1, i64::MAX] {
            assert_eq!(MailKey::new(0, 0, EmailEvent::Open, at, false), None);
        }
    }

    /// The reduction the frames did before the rows were dropped at reading: each
    /// pair's and each person's earliest instants, over the raw rows as given
    /// (repeats included: a repeat does not change an earliest instant).
    type Reduced = (
        Vec<(u32, u32, [Option<i64>; 5])>,
        Vec<(u32, [Option<i64>; 2])>,
    );
    fn reduced_by_map(rows: &[EmailRow]) -> Reduced {
        let mut pairs: BTreeMap<(u32, u32), [Option<i64>; 5]> = BTreeMap::new();
        let mut people: BTreeMap<u32, [Option<i64>; 2]> = BTreeMap::new();
        let earliest =
            |slot: &mut Option<i64>, at: i64| *slot = Some(slot.map_or(at, |s| s.min(at)));
        for &(pid, campaign, event, at, machine) in rows {
            let f = pairs.entry((pid, campaign)).or_default();
            let p = people.entry(pid).or_default();
            if event != EmailEvent::Bounce {
                earliest(&mut f[0], at);
                earliest(&mut p[0], at);
            }
            if event == EmailEvent::Click || (event == EmailEvent::Open && !machine) {
                earliest(&mut f[1], at);
                earliest(&mut p[1], at);
            }
            match event {
                EmailEvent::Click => earliest(&mut f[2], at),
                EmailEvent::Bounce => earliest(&mut f[3], at),
                EmailEvent::Sent | EmailEvent::Delivered => earliest(&mut f[4], at),
                EmailEvent::Open => {}
            }
        }
        (
            pairs.into_iter().map(|((p, c), f)| (p, c, f)).collect(),
            people.into_iter().collect(),
        )
    }

    /// What [`EmailEvents`] holds, read back as the oracle's shape.
    fn reduced_columns(e: &EmailEvents) -> Reduced {
        let held: Vec<Vec<Option<i64>>> = e
            .firsts
            .iter()
            .map(|c| {
                let values = EmailClock::values(c).unwrap();
                values.map(|v| v.map(|v| e.clock.instant(v))).collect()
            })
            .collect();
        let pairs = e
            .pairs()
            .enumerate()
            .map(|(i, (p, c))| (p, c, std::array::from_fn(|k| held[k][i])))
            .collect();
        let people = e
            .person_pid
            .into_no_null_iter()
            .enumerate()
            .map(|(i, p)| (p, std::array::from_fn(|k| e.person_firsts[k].get(i))))
            .collect();
        (pairs, people)
    }

    #[test]
    fn email_rows_reduce_as_read_to_the_firsts_the_frames_made() {
        use EmailEvent::*;
        const MIN: i64 = 60_000;
        // Person 0, campaign 1: sent 10, delivered 11, a machine open 12 (received, not
        // opened), a real open 20 given twice, a click 25 -> received 10, opened 20,
        // clicked 25, bounced never, sent 10. Campaign 0: a bounce only (5) ->
        // received never, bounced 5. Person 0 overall: received 10, opened 20.
        // Person 2, campaign 3: a click without an open (30), a later open (40) ->
        // received 30, opened 30, clicked 30, sent never. Campaign 1: only a machine
        // open (7), given twice -> received 7, opened never. Person 2 overall:
        // received 7, opened 30. Person 1: a bounce only (3) -> received and opened
        // never, overall too. Person 9 is not on the 5-person roster: dropped.
        let mut rows: Vec<EmailRow> = vec![
            (0, 1, Open, 20 * MIN, false),
            (2, 3, Open, 40 * MIN, false),
            (0, 1, Delivered, 11 * MIN, false),
            (2, 1, Open, 7 * MIN, true),
            (9, 0, Sent, MIN, false),
            (0, 0, Bounce, 5 * MIN, false),
            (0, 1, Click, 25 * MIN, false),
            (1, 2, Bounce, 3 * MIN, false),
            (0, 1, Open, 20 * MIN, false),
            (2, 3, Click, 30 * MIN, false),
            (0, 1, Open, 12 * MIN, true),
            (2, 1, Open, 7 * MIN, true),
            (0, 1, Sent, 10 * MIN, false),
        ];
        let expected_pairs = [
            (0, 0, [None, None, None, Some(5), None]),
            (0, 1, [Some(10), Some(20), Some(25), None, Some(10)]),
            (1, 2, [None, None, None, Some(3), None]),
            (2, 1, [Some(7), None, None, None, None]),
            (2, 3, [Some(30), Some(30), Some(30), None, None]),
        ]
        .map(|(p, c, f)| (p, c, f.map(|t: Option<i64>| t.map(|t| t * MIN))));
        let expected_people = [
            (0, [Some(10), Some(20)]),
            (1, [None, None]),
            (2, [Some(7), Some(30)]),
        ]
        .map(|(p, f)| (p, f.map(|t: Option<i64>| t.map(|t| t * MIN))));
        for turn in 0..2 {
            if turn == 1 {
                rows.reverse();
            }
            let mut accepted: Accepted<MailKey> = Accepted::with_capacity(rows.len());
            for &(pid, campaign, event, at, machine) in &rows {
                let key = MailKey::new(pid, campaign, event, at, machine).expect("in range");
                accepted.push((pid, false), key);
            }
            let mut counts = SourceCounts::default();
            let kept = accepted.keep(5, &mut counts);
            // The repeated open of person 0 and the repeated machine open of person 2.
            assert_eq!(counts.duplicates_removed, 2);
            let names = (0..4).map(|c| format!("c{c}")).collect();
            let e = EmailEvents::from_sorted(&kept, |(k, _)| k.row(), names);
            let on_roster: Vec<EmailRow> = rows.iter().copied().filter(|r| r.0 < 5).collect();
            let oracle = reduced_by_map(&on_roster);
            assert_eq!(reduced_columns(&e), oracle);
            assert_eq!(oracle.0, expected_pairs);
            assert_eq!(oracle.1, expected_people);
            assert_eq!(
                e.first_opens().collect::<Vec<_>>(),
                [(0, 20 * MIN), (2, 30 * MIN)]
            );
            assert_eq!(e.first_instant(), Some(3 * MIN));
            assert_eq!(e.campaigns.len(), 4);
        }
        // No rows: every column empty.
        let e = EmailEvents::default();
        assert_eq!(reduced_columns(&e), (vec![], vec![]));
        assert_eq!(e.first_instant(), None);
        assert_eq!(e.firsts[0].name().as_str(), "received");
    }
}

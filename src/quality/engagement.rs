//! The sources of channels beyond email, ways to learn and what follows enrollment:
//! touchpoints, completions, usage and the survey — each row matched to its person
//! (a survey response may name no one), checked, and deduplicated
//! (docs/inputs.md, "Touchpoints" to "Survey"). Takes canonical rows; hands on
//! [`Touchpoints`], [`Completions`], [`Usage`] and [`SurveyResponses`].

use super::*;
use crate::config::{SurveyScale, Workload};
use crate::dataset::{Completions, SurveyResponses, Touchpoints, Usage};

/// A channel's name as uptake keeps it: lowercase, spaces made one
/// (`Viva  Engage` is `viva engage`).
fn channel_name(cell: &str) -> CompactString {
    if is_plain(cell) && !cell.bytes().any(|b| b.is_ascii_uppercase()) {
        return CompactString::from(cell);
    }
    CompactString::from(label_key(cell))
}

/// [`label_spelling`] of a cell (a campaign's or course's name).
fn spelling(cell: &str) -> CompactString {
    if is_plain(cell) {
        return CompactString::from(cell);
    }
    CompactString::from(label_spelling(cell))
}

/// Whether a cell is already spelled as a label is (see `label_spelling`): printable
/// ASCII, no space around and no two together. Most cells of an export are, and
/// are then taken as they are rather than through the four copies the general
/// form makes (millions of rows).
fn is_plain(cell: &str) -> bool {
    let b = cell.as_bytes();
    b.iter().all(|c| (0x20..0x7f).contains(c))
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !b.windows(2).any(|w| w == b"  ")
}

/// Finds the `[[workloads]]` entry a cell names, as labels compare (docs/inputs.md,
/// "Groups and waves"): the first whose name has the cell's label key. The keys are
/// made once, and a cell written exactly as a workload's name (the usual case) is
/// found without making its key.
pub(super) struct WorkloadNames<'a> {
    names: Vec<&'a str>,
    keys: Vec<String>,
    /// Per workload, the first workload with its key.
    first: Vec<u32>,
}

impl<'a> WorkloadNames<'a> {
    pub(super) fn new(workloads: &'a [Workload]) -> Self {
        let keys: Vec<String> = workloads.iter().map(|w| label_key(&w.name)).collect();
        let first = keys
            .iter()
            .map(|k| keys.iter().position(|o| o == k).unwrap_or(0) as u32)
            .collect();
        WorkloadNames {
            names: workloads.iter().map(|w| w.name.as_str()).collect(),
            keys,
            first,
        }
    }

    /// The workload `cell` names (trimmed), if any.
    pub(super) fn find(&self, cell: &str) -> Option<u32> {
        if let Some(i) = self.names.iter().position(|n| *n == cell) {
            return Some(self.first[i]);
        }
        let key = label_key(cell);
        self.keys.iter().position(|k| *k == key).map(|i| i as u32)
    }
}

/// Reads the touchpoints: who a channel reached, when, and for which campaign. A
/// row repeats another when the person, channel, instant and campaign agree.
pub(super) fn read_touchpoints(
    read: &Read<'_>,
    ctx: &mut EventCtx<'_>,
    out: &mut Touchpoints,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Touchpoints, read.roster);
    let (c_id, c_channel) = (cols.ix(schema::USER_ID), cols.ix(schema::CHANNEL));
    let (c_ts, c_campaign) = (cols.ix(schema::TIMESTAMP), cols.ix(schema::CAMPAIGN));
    let mut channels = Interner::default();
    let mut campaigns = Interner::default();
    type Key = (u32, u32, i64, Option<u32>);
    let mut accepted: Accepted<Key> =
        Accepted::with_capacity(rows_guess(Source::Touchpoints, read.cfg));
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let found = read.matcher.find(c.get(c_id))?;
            let channel = channel_name(required(c.get(c_channel), schema::CHANNEL)?);
            if channel.is_empty() {
                return Err(format!("missing required value `{}`", schema::CHANNEL));
            }
            let at = timestamp(read.parser, c.get(c_ts), schema::TIMESTAMP)?;
            let campaign = spelling(c.get(c_campaign));
            Ok((found, at, (channel, at, campaign)))
        })
    };
    let files = ctx.read_rows(Source::Touchpoints, read, parse, |_, who, row| {
        let (channel, at, campaign) = row;
        let channel = channels.get(&channel);
        let campaign = (!campaign.is_empty()).then(|| campaigns.get(&campaign));
        accepted.push(who, (who.0, channel, at, campaign));
    })?;
    let kept = accepted.keep(ctx.n_roster, &mut ctx.tally.counts);
    out.pid.reserve_exact(kept.len());
    out.channel.reserve_exact(kept.len());
    out.at.reserve_exact(kept.len());
    out.campaign.reserve_exact(kept.len());
    for ((pid, channel, at, campaign), _) in kept {
        out.pid.push(pid);
        out.channel.push(channel);
        out.at.push(at);
        out.campaign.push(campaign);
    }
    out.channels = channels.names;
    out.campaigns = campaigns.names;
    Ok(files)
}

/// Reads the completions: who completed which course, when. A row repeats another
/// when the person, course and instant agree (the same course completed twice, at
/// two instants, is two completions).
pub(super) fn read_completions(
    read: &Read<'_>,
    ctx: &mut EventCtx<'_>,
    out: &mut Completions,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Completions, read.roster);
    let (c_id, c_course) = (cols.ix(schema::USER_ID), cols.ix(schema::COURSE));
    let c_at = cols.ix(schema::COMPLETED_AT);
    let mut courses = Interner::default();
    type Key = (u32, u32, i64);
    let mut accepted: Accepted<Key> =
        Accepted::with_capacity(rows_guess(Source::Completions, read.cfg));
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let found = read.matcher.find(c.get(c_id))?;
            let course = spelling(required(c.get(c_course), schema::COURSE)?);
            let at = timestamp(read.parser, c.get(c_at), schema::COMPLETED_AT)?;
            Ok((found, at, (course, at)))
        })
    };
    let files = ctx.read_rows(Source::Completions, read, parse, |_, who, (course, at)| {
        let course = courses.get(&course);
        accepted.push(who, (who.0, course, at));
    })?;
    let kept = accepted.keep(ctx.n_roster, &mut ctx.tally.counts);
    out.pid.reserve_exact(kept.len());
    out.course.reserve_exact(kept.len());
    out.at.reserve_exact(kept.len());
    for ((pid, course, at), _) in kept {
        out.pid.push(pid);
        out.course.push(course);
        out.at.push(at);
    }
    out.courses = courses.names;
    Ok(files)
}

/// One usage row, parsed: the workload and the day of the last use (`None`: none).
type UsageRow = (u32, Option<NaiveDate>);

/// The workload a usage row names: a `[[workloads]]` name (as labels compare), else
/// the reason to quarantine it.
fn usage_workload(workloads: &WorkloadNames<'_>, cell: &str) -> Result<u32, String> {
    let name = required(cell, schema::WORKLOAD)?;
    workloads
        .find(name)
        .ok_or_else(|| format!("`workload`: `{name}` is not a [[workloads]] name"))
}

/// Reads the usage: each roster person's last use of each workload. Without
/// snapshots, the latest day of the person's rows for the workload (rows that agree
/// in person, workload and day repeat one another); with `snapshots = true`, the
/// day of the latest snapshot on or before `as_of` that holds the person and
/// workload (a folder of weekly reports is their history: the same person in
/// several snapshots is not a duplicate, but two identical rows of one snapshot
/// are). A usage row is a state, not an event: it never sets the as-of day.
pub(super) fn read_usage(
    cfg: &Config,
    read: &Read<'_>,
    as_of: Option<NaiveDate>,
    ctx: &mut EventCtx<'_>,
    out: &mut Usage,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Usage, read.roster);
    let (c_id, c_workload) = (cols.ix(schema::USER_ID), cols.ix(schema::WORKLOAD));
    let c_last = cols.ix(schema::LAST_ACTIVE);
    let workloads = WorkloadNames::new(&cfg.workloads);
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let found = read.matcher.find(c.get(c_id))?;
            let workload = usage_workload(&workloads, c.get(c_workload))?;
            let last = match c.get(c_last).trim() {
                "" => None,
                v => Some(
                    read.parser
                        .date(v)
                        .map_err(|e| format!("`{}`: {e}", schema::LAST_ACTIVE))?,
                ),
            };
            Ok((found, None, (workload, last)))
        })
    };
    let (parts, span) = snapshot_parts(Source::Usage, read.cfg, as_of)?;
    ctx.spans.extend(span);
    // Each part's (person, workload) entries: whether found by name and the last use,
    // with the part's number. Sorted vectors rather than maps: there are as many
    // entries as people.
    let mut state: Vec<UsageState> = Vec::new();
    let mut files = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        let part_read = Read {
            cfg: part,
            roster: read.roster,
            matcher: read.matcher,
            parser: read.parser,
        };
        // This part's rows, in file order: (person, workload, last use, row number).
        let guess = rows_guess(Source::Usage, part);
        let mut rows: Vec<(u32, u32, Option<NaiveDate>, u32)> = Vec::with_capacity(guess);
        let mut by_name: Vec<bool> = Vec::with_capacity(guess);
        files.extend(ctx.read_states(
            Source::Usage,
            &part_read,
            parse,
            |_, (uid, found_by_name), (workload, last): UsageRow| {
                rows.push((uid, workload, last, by_name.len() as u32));
                by_name.push(found_by_name);
            },
        )?);
        // Rows that agree in person, workload and day repeat the first of them; of a
        // (person, workload), the first row read says whether it was found by name,
        // and the latest day is its last use here.
        rows.sort_unstable();
        let before = rows.len();
        rows.dedup_by(|later, first| (later.0, later.1, later.2) == (first.0, first.1, first.2));
        ctx.tally.counts.duplicates_removed += (before - rows.len()) as u64;
        for same in rows.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let first = same.iter().map(|r| r.3).min().unwrap_or(0);
            let last = same[same.len() - 1];
            state.push(UsageState {
                pid: last.0,
                workload: last.1,
                part: k as u32,
                by_name: by_name[first as usize],
                last: last.2,
            });
        }
    }
    // A later snapshot's state replaces an earlier one's; without snapshots there is
    // one part.
    state.sort_unstable_by_key(|s| (s.pid, s.workload, s.part));
    state.dedup_by(|later, earlier| {
        let same = (later.pid, later.workload) == (earlier.pid, earlier.workload);
        if same {
            *earlier = *later;
        }
        same
    });
    state.retain(|s| s.pid < ctx.n_roster);
    ctx.tally.counts.matched_by_name += state.iter().filter(|s| s.by_name).count() as u64;
    out.pid.reserve_exact(state.len());
    out.workload.reserve_exact(state.len());
    out.last_active.reserve_exact(state.len());
    for s in state {
        out.pid.push(s.pid);
        out.workload.push(s.workload);
        out.last_active.push(s.last);
    }
    Ok(files)
}

/// A (person, workload)'s usage in one part of the usage source (see [`read_usage`]).
#[derive(Clone, Copy)]
struct UsageState {
    pid: u32,
    workload: u32,
    /// The part's number: a later part's state replaces an earlier one's.
    part: u32,
    /// Whether the part's first row of it was matched by name.
    by_name: bool,
    /// Its latest last use in the part.
    last: Option<NaiveDate>,
}

/// The roster's groups by their label key, each with the roster's spelling: the
/// group an anonymous survey response gives is one of them.
/// Where two spellings share a key, the one of the later roster row is kept. Each
/// distinct spelling is keyed once (a roster has millions of rows and tens of groups):
/// read from the last row back, the first spelling met for a key is the latest.
pub(super) fn roster_groups(roster: &Roster) -> BTreeMap<String, String> {
    let mut seen: crate::FastSet<&str> = Default::default();
    let mut groups = BTreeMap::new();
    for g in roster.group.iter().rev() {
        if seen.insert(g) {
            groups.entry(label_key(g)).or_insert_with(|| g.to_string());
        }
    }
    groups
}

/// A survey score cell as a whole number (`4.0` is 4), whatever the scale, else the
/// reason to quarantine it.
pub(crate) fn whole_score(cell: &str) -> Result<u32, String> {
    let v = required(cell, schema::SCORE)?;
    let n: f64 = v
        .parse()
        .map_err(|_| format!("`{}`: `{v}` is not a number", schema::SCORE))?;
    if !n.is_finite() || n.fract() != 0.0 || n < 0.0 || n > f64::from(u32::MAX) {
        return Err(format!("`{}`: `{v}` is not a whole number", schema::SCORE));
    }
    Ok(n as u32)
}

/// A survey score: a whole number on the scale, else the reason to quarantine it.
fn score(scale: &SurveyScale, cell: &str) -> Result<u32, String> {
    let n = whole_score(cell)?;
    if !scale.contains(n) {
        return Err(format!(
            "`{}`: {n} is outside the scale {} to {} ([survey] scale)",
            schema::SCORE,
            scale.low,
            scale.high
        ));
    }
    Ok(n)
}

/// Reads the survey's responses. One that names a person (`user_id`) is matched to
/// the roster like any event (an unknown id is counted unmatched and left out); one
/// that names no one is anonymous and must give a roster group in the `group_by`
/// column. A response repeats another when the respondent (or, anonymous, the
/// group), instant, score and comment agree.
pub(super) fn read_survey(
    read: &Read<'_>,
    (scale, groups): (&SurveyScale, &BTreeMap<String, String>),
    ctx: &mut EventCtx<'_>,
    out: &mut SurveyResponses,
) -> Result<Vec<InputFile>, Error> {
    let cols = Cols::new(Source::Survey, read.roster);
    let (c_id, c_at) = (cols.ix(schema::USER_ID), cols.ix(schema::SUBMITTED_AT));
    let (c_score, c_comment) = (cols.ix(schema::SCORE), cols.ix(schema::COMMENT));
    let group_by = read.roster.group_by.as_str();
    let c_group = cols.ix(group_by);
    type Key = (u32, Option<String>, i64, u32, Option<String>);
    let mut accepted: Accepted<Key> = Accepted::with_capacity(rows_guess(Source::Survey, read.cfg));
    let parse = |row: Row<'_>| {
        parse_row(row, |c| {
            let at = timestamp(read.parser, c.get(c_at), schema::SUBMITTED_AT)?;
            let score = score(scale, c.get(c_score))?;
            let (found, group) = if c.get(c_id).trim().is_empty() {
                let written = c.get(c_group).trim();
                if written.is_empty() {
                    return Err(format!(
                        "an anonymous response (no `{}`) with no `{group_by}`: it counts for no one",
                        schema::USER_ID
                    ));
                }
                let group = groups.get(&label_key(written)).ok_or_else(|| {
                    format!("`{group_by}`: `{written}` is not a group of the roster")
                })?;
                (Found::Nobody, Some(group.clone()))
            } else {
                (read.matcher.find(c.get(c_id))?, None)
            };
            let comment = c.get(c_comment).trim();
            let comment = (!comment.is_empty()).then(|| comment.to_string());
            Ok((found, at, (group, at, score, comment)))
        })
    };
    let files = ctx.read_rows(Source::Survey, read, parse, |_, who, row| {
        let (group, at, score, comment) = row;
        accepted.push(who, (who.0, group, at, score, comment));
    })?;
    let n_roster = ctx.n_roster;
    let kept = accepted.keep_if(&mut ctx.tally.counts, |uid| uid < n_roster || uid == NOBODY);
    for ((uid, group, at, score, comment), _) in kept {
        out.pid.push((uid != NOBODY).then_some(uid));
        out.group.push(group);
        out.score.push(score);
        out.at.push(at);
        out.comment.push(comment);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells taken as they are must be those the general forms leave as they are.
    #[test]
    fn plain_cells_are_their_own_label_key_and_spelling() {
        let cells = [
            "meeting",
            "Viva Engage",
            "viva  engage",
            " intranet",
            "intranet ",
            "w1-kickoff",
            "W1 Kickoff",
            "a\tb",
            "a\u{7f}b",
            "Zoé",
            "ｍｅｅｔｉｎｇ",
            "a\u{200B}b",
            "",
            "x",
            "Intune self-service enrollment (e-learning)",
            "  ",
            "a b  c",
            "TEAMS",
        ];
        for cell in cells {
            assert_eq!(channel_name(cell), label_key(cell), "{cell:?}");
            assert_eq!(spelling(cell), label_spelling(cell), "{cell:?}");
        }
        assert!(is_plain("w1-kickoff") && is_plain("Viva Engage"));
        assert!(!is_plain("viva  engage") && !is_plain(" a") && !is_plain("Zoé"));
    }

    fn workload(name: &str) -> Workload {
        Workload {
            name: name.to_string(),
            wave_column: None,
        }
    }

    /// A cell is the first workload with its label key, written exactly or not.
    #[test]
    fn workload_names_find_the_first_workload_of_a_cells_key() {
        // "Teams" and "TEAMS" share a key: both find workload 1, the first.
        let workloads = ["Intune", "Teams", "Copilot", "TEAMS"].map(workload);
        let names = WorkloadNames::new(&workloads);
        let old = |cell: &str| {
            workloads
                .iter()
                .position(|w| label_key(&w.name) == label_key(cell))
                .map(|w| w as u32)
        };
        for cell in [
            "Intune",
            "intune",
            "Teams",
            "TEAMS",
            "teams",
            "Copilot",
            "Ｔｅａｍｓ",
            "Exchange",
            "co pilot",
        ] {
            assert_eq!(names.find(cell), old(cell), "{cell:?}");
        }
        assert_eq!(names.find("TEAMS"), Some(1));
        assert_eq!(names.find("Exchange"), None);
    }

    #[test]
    fn roster_groups_key_each_spelling_and_keep_the_later_rows_spelling() {
        // "Sales" and "SALES " share the key "sales"; the later row (index 3) wins.
        let roster = Roster {
            group: ["Sales", "IT", "Sales", "SALES ", "IT"]
                .into_iter()
                .collect(),
            ..Roster::default()
        };
        let groups = roster_groups(&roster);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups["sales"], "SALES ");
        assert_eq!(groups["it"], "IT");
    }
}

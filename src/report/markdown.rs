//! The two digests in Markdown: `summary.md` for sponsors (short enough to paste into
//! an email or a Teams post) and `lessons.md` for operations.
//!
//! Both are written from the computed tables only: group-level figures that the
//! privacy rules already made safe, never a person. Every name that comes from the
//! data (waves, groups, campaigns, categories) is Markdown-escaped.

use std::fmt::Write as _;

use crate::config::Config;
use crate::metrics::{GroupRow, GroupValues, Status, Tables};
use crate::schema::ALL;

use super::tables::{floats, strings};
use super::view::{pct, thousands as count};

/// A change of share as signed points (`+1.2 pts`, `−0.4 pts`).
fn points(v: f64) -> String {
    super::view::points(Some(v))
}

/// Escapes text from the data for Markdown (and for the HTML a renderer makes of it).
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn status_words(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "not started",
        Status::OnTrack => "on track",
        Status::AtRisk => "at risk",
        Status::Behind => "behind",
        Status::Suppressed => "too small to show",
    }
}

fn find<'a>(rows: &'a [GroupRow], wave: &str, group: &str) -> Option<&'a GroupRow> {
    rows.iter().find(|r| r.wave == wave && r.group == group)
}

fn shown(row: Option<&GroupRow>) -> Option<&GroupValues> {
    row.and_then(|r| r.values.as_ref())
}

/// The change of enrollment rate since D − 7, when both are shown.
fn change(now: Option<&GroupValues>, before: Option<&GroupValues>) -> Option<f64> {
    Some(now?.enrollment_rate()? - before?.enrollment_rate()?)
}

/// `summary.md`: headline, what changed since last week, waves at risk, top actions.
pub fn summary(cfg: &Config, tables: &Tables) -> String {
    let mut out = String::new();
    let rows = &tables.groups;
    let before = &tables.groups_week_ago;
    let _ = writeln!(out, "# {}: week to {}\n", md(&cfg.name), tables.as_of);

    let overall = find(rows, ALL, ALL);
    match shown(overall) {
        Some(v) => {
            let status = overall.map_or(Status::Suppressed, |r| r.status);
            let _ = write!(
                out,
                "**{} enrolled ({} of {} people) against a target of {}: {}.**",
                pct(v.enrollment_rate()),
                count(v.enrolled),
                count(v.eligible),
                pct(Some(v.target_rate)),
                status_words(status)
            );
            if let Some(d) = change(Some(v), shown(find(before, ALL, ALL))) {
                let _ = write!(
                    out,
                    " {} since last week ({} people enrolled in the week).",
                    points(d),
                    count(v.enrolled - v.enrolled_7d_ago)
                );
            }
            out.push_str("\n\n");
        }
        None => out.push_str("**No wave has enough eligible people to show figures yet.**\n\n"),
    }

    out.push_str("| Wave | Start | Enrolled | Target | Status | Since last week | Target date |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for wave in &cfg.waves {
        let row = find(rows, &wave.name, ALL);
        let v = shown(row);
        let status = row.map_or(Status::Suppressed, |r| r.status);
        let (enrolled, target, since, date) = match v {
            Some(v) => (
                format!(
                    "{} ({} / {})",
                    pct(v.enrollment_rate()),
                    count(v.enrolled),
                    count(v.eligible)
                ),
                pct(Some(v.target_rate)),
                change(Some(v), shown(find(before, &wave.name, ALL)))
                    .map_or_else(|| "–".to_string(), points),
                v.projected_target_date
                    .clone()
                    .unwrap_or_else(|| "no recent progress".to_string()),
            ),
            None => ("–".into(), "–".into(), "–".into(), "–".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {enrolled} | {target} | {} | {since} | {date} |",
            md(&wave.name),
            wave.start,
            status_words(status)
        );
    }

    out.push_str("\n## Since last week\n\n");
    let mut changes = Vec::new();
    for wave in &cfg.waves {
        let (Some(now), Some(then)) = (find(rows, &wave.name, ALL), find(before, &wave.name, ALL))
        else {
            continue;
        };
        if now.status != then.status && now.status != Status::Suppressed {
            changes.push(format!(
                "- {} went from {} to {}.",
                md(&wave.name),
                status_words(then.status),
                status_words(now.status)
            ));
        }
    }
    let moved: Vec<String> = rows
        .iter()
        .filter(|r| r.group != ALL && r.wave != ALL)
        .filter_map(|r| {
            let d = change(r.values.as_ref(), shown(find(before, &r.wave, &r.group)))?;
            Some((d, r))
        })
        .filter(|(d, _)| *d >= 0.05)
        .map(|(d, r)| format!("{} · {} ({})", md(&r.wave), md(&r.group), points(d)))
        .take(5)
        .collect();
    if !moved.is_empty() {
        changes.push(format!("- Biggest gains: {}.", moved.join(", ")));
    }
    if changes.is_empty() {
        changes.push("- No wave changed status.".to_string());
    }
    out.push_str(&changes.join("\n"));
    out.push('\n');

    out.push_str("\n## Waves at risk\n\n");
    let mut any = false;
    for wave in &cfg.waves {
        let Some(row) = find(rows, &wave.name, ALL) else {
            continue;
        };
        let Some(v) = row.values.as_ref() else {
            continue;
        };
        if !matches!(row.status, Status::AtRisk | Status::Behind) {
            continue;
        }
        any = true;
        let forecast = match v.projected_target_date.as_deref() {
            Some("reached") => "it has already reached its final target".to_string(),
            Some(d) => format!(
                "at the pace of the last 14 days it reaches its final {} on {d}",
                pct(Some(wave.final_share()))
            ),
            None => format!(
                "with no enrollments in the last 14 days it will not reach its final {} without action",
                pct(Some(wave.final_share()))
            ),
        };
        let _ = writeln!(
            out,
            "- **{}** is {}: {} enrolled against {}; {forecast}.",
            md(&wave.name),
            status_words(row.status),
            pct(v.enrollment_rate()),
            pct(Some(v.target_rate))
        );
    }
    if !any {
        out.push_str("- None: every started wave is on track.\n");
    }

    out.push_str("\n## Top three actions\n\n");
    let attention = tables.frame("attention");
    let mut n = 0;
    if let Some(df) = attention {
        let (waves, groups) = (strings(df, "wave"), strings(df, "group"));
        let (missing, diagnosis) = (floats(df, "missing_users"), strings(df, "diagnosis"));
        let action = strings(df, "action");
        for i in 0..df.height().min(3) {
            n += 1;
            let short = missing[i].unwrap_or(0.0) as i64;
            let why = diagnosis[i].clone().unwrap_or_default().replace(';', ", ");
            let _ = writeln!(
                out,
                "{n}. **{} · {}**: {} people short of target ({why}): {}.",
                md(waves[i].as_deref().unwrap_or("")),
                md(groups[i].as_deref().unwrap_or("")),
                count(short),
                md(action[i].as_deref().unwrap_or(""))
            );
        }
    }
    if n == 0 {
        out.push_str("No group needs targeted messaging this week.\n");
    }
    let _ = write!(
        out,
        "\n_Groups under {} eligible people are folded together; figures count people \
         enrolled by the end of {} ({})._\n",
        cfg.thresholds.min_group_size,
        tables.as_of,
        cfg.timezone.name()
    );
    out
}

/// `lessons.md`: wave against wave at the same week of wave, the communication plan
/// phase by phase, what training did to enrollment, what to brief the help desk on.
pub fn lessons(cfg: &Config, tables: &Tables) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Lessons so far: {}, as of {}\n",
        md(&cfg.name),
        tables.as_of
    );
    let mut well: Vec<String> = Vec::new();
    let mut improve: Vec<String> = Vec::new();

    // Wave against wave, at the same week of each wave's own rollout.
    let curves = wave_curves(cfg, tables);
    let mut table = String::new();
    let max_week = curves.iter().map(|c| c.1.len()).max().unwrap_or(0);
    if max_week > 0 {
        table.push_str("| Week of wave |");
        for (name, _) in &curves {
            let _ = write!(table, " {} |", md(name));
        }
        table.push_str("\n|---|");
        table.push_str(&"---|".repeat(curves.len()));
        table.push('\n');
        for k in 0..max_week {
            let _ = write!(table, "| {k} |");
            for (_, points) in &curves {
                match points.get(k) {
                    Some((Some(rate), target)) => {
                        let _ = write!(table, " {} (target {}) |", pct(Some(*rate)), pct(*target));
                    }
                    _ => table.push_str(" |"),
                }
            }
            table.push('\n');
        }
    }
    for pair in curves.windows(2) {
        let ((a, pa), (b, pb)) = (&pair[0], &pair[1]);
        let common = pa.len().min(pb.len());
        if common == 0 {
            continue;
        }
        let k = common - 1;
        if let ((Some(ra), _), (Some(rb), _)) = (pa[k], pb[k]) {
            let line = format!(
                "By week {k} of its rollout, {} had {} enrolled against {} for {} at the same point ({}).",
                md(b),
                pct(Some(rb)),
                pct(Some(ra)),
                md(a),
                points(rb - ra)
            );
            if rb >= ra + 0.02 {
                well.push(format!("{line} Keep what {} did differently.", md(b)));
            } else if rb <= ra - 0.02 {
                improve.push(format!(
                    "{line} Find out what {} did that {} did not.",
                    md(a),
                    md(b)
                ));
            }
        }
    }

    // The communication plan.
    let mut phases = String::new();
    if let Some(df) = tables.frame("campaigns") {
        let names = strings(df, "campaign");
        let phase = strings(df, "phase");
        let (rec, ope, reach) = (
            floats(df, "recipients"),
            floats(df, "openers"),
            floats(df, "reach"),
        );
        let (late, planned, sent) = (
            floats(df, "days_late"),
            strings(df, "planned"),
            strings(df, "first_sent"),
        );
        for p in crate::config::Phase::ALL {
            let ix: Vec<usize> = (0..df.height())
                .filter(|&i| phase[i].as_deref() == Some(p.name()))
                .collect();
            if ix.is_empty() {
                continue;
            }
            let recipients: f64 = ix.iter().filter_map(|&i| rec[i]).sum();
            let openers: f64 = ix.iter().filter_map(|&i| ope[i]).sum();
            let reaches: Vec<f64> = ix.iter().filter_map(|&i| reach[i]).collect();
            let mean_reach =
                (!reaches.is_empty()).then(|| reaches.iter().sum::<f64>() / reaches.len() as f64);
            let n_late = ix
                .iter()
                .filter(|&&i| late[i].is_some_and(|d| d > 0.0))
                .count();
            let open_rate = (recipients > 0.0).then(|| openers / recipients);
            let _ = writeln!(
                phases,
                "| {} | {} | {} | {} | {} of {} |",
                p.name(),
                ix.len(),
                pct(mean_reach),
                pct(open_rate),
                n_late,
                ix.len()
            );
            if mean_reach.is_some_and(|r| r < 0.9) {
                improve.push(format!(
                    "The {} phase reached only {} of its waves' people on average: check the distribution lists.",
                    p.name(),
                    pct(mean_reach)
                ));
            }
        }
        for i in 0..df.height() {
            if let (Some(d), Some(p), Some(s)) = (late[i], &planned[i], &sent[i]) {
                if d > 0.0 {
                    improve.push(format!(
                        "{} went out {} day{} late (planned {p}, first sent {s}).",
                        md(names[i].as_deref().unwrap_or("")),
                        d as i64,
                        if d as i64 == 1 { "" } else { "s" }
                    ));
                }
            }
        }
        let on_time = (0..df.height())
            .filter(|&i| late[i].is_some_and(|d| d <= 0.0))
            .count();
        if on_time > 0 {
            well.push(format!(
                "{on_time} campaigns went out on or before their planned day."
            ));
        }
    }

    // Waves and groups.
    for row in tables
        .groups
        .iter()
        .filter(|r| r.group == ALL && r.wave != ALL)
    {
        match row.status {
            Status::OnTrack => well.push(format!("{} is on track.", md(&row.wave))),
            Status::Behind => {
                if let Some(v) = &row.values {
                    improve.push(format!(
                        "{} is behind: {} enrolled against {}.",
                        md(&row.wave),
                        pct(v.enrollment_rate()),
                        pct(Some(v.target_rate))
                    ));
                }
            }
            _ => {}
        }
    }

    out.push_str("## What went well\n\n");
    push_bullets(&mut out, &well, "Nothing stands out yet.");
    out.push_str("\n## What to improve\n\n");
    push_bullets(&mut out, &improve, "Nothing stands out yet.");

    out.push_str("\n## Wave against wave\n\n");
    if table.is_empty() {
        out.push_str("No wave has started yet.\n");
    } else {
        out.push_str("Enrollment at the end of each week of a wave's own rollout (week 0 is its start week):\n\n");
        out.push_str(&table);
    }

    out.push_str("\n## The communication plan, phase by phase\n\n");
    if phases.is_empty() {
        out.push_str("No campaign is configured.\n");
    } else {
        out.push_str(
            "| Phase | Campaigns | Mean reach | Open rate | Late |\n|---|---|---|---|---|\n",
        );
        out.push_str(&phases);
    }

    out.push_str("\n## What training and email did to enrollment\n\n");
    out.push_str(&lift_prose(tables));

    out.push_str("\n## What to brief the help desk on before the next wave\n\n");
    out.push_str(&help_desk(cfg, tables));
    out
}

fn push_bullets(out: &mut String, items: &[String], empty: &str) {
    if items.is_empty() {
        let _ = writeln!(out, "- {empty}");
    }
    for item in items {
        let _ = writeln!(out, "- {item}");
    }
}

/// Per wave (config order, shown waves only): (rate, target) at each week of wave.
type Curve = Vec<(Option<f64>, Option<f64>)>;

fn wave_curves(cfg: &Config, tables: &Tables) -> Vec<(String, Curve)> {
    let Some(df) = tables.frame("weekly_progress") else {
        return Vec::new();
    };
    let (waves, groups) = (strings(df, "wave"), strings(df, "group"));
    let (weeks, rates, targets) = (
        floats(df, "week_of_wave"),
        floats(df, "enrollment_rate"),
        floats(df, "target_rate"),
    );
    cfg.waves
        .iter()
        .filter_map(|w| {
            let mut points: Vec<(usize, Option<f64>, Option<f64>)> = (0..df.height())
                .filter(|&i| {
                    waves[i].as_deref() == Some(&w.name) && groups[i].as_deref() == Some(ALL)
                })
                .map(|i| (weeks[i].unwrap_or(0.0) as usize, rates[i], targets[i]))
                .collect();
            points.sort_by_key(|p| p.0);
            let curve: Curve = points.into_iter().map(|(_, r, t)| (r, t)).collect();
            (!curve.is_empty() && curve.iter().any(|p| p.0.is_some()))
                .then(|| (w.name.clone(), curve))
        })
        .collect()
}

fn lift_prose(tables: &Tables) -> String {
    let Some(df) = tables.frame("lift") else {
        return "No lift was computed.\n".to_string();
    };
    let mut out = String::new();
    let (waves, factors) = (strings(df, "wave"), strings(df, "factor"));
    let col = |n: &str| floats(df, n);
    let (rw, rwl, rwh) = (
        col("rate_with"),
        col("rate_with_low"),
        col("rate_with_high"),
    );
    let (ro, rol, roh) = (
        col("rate_without"),
        col("rate_without_low"),
        col("rate_without_high"),
    );
    let (diff, p) = (col("difference"), col("p_value"));
    for i in 0..df.height() {
        if waves[i].as_deref() != Some(ALL) {
            continue;
        }
        let who = match factors[i].as_deref() {
            Some("trained") => ("trained", "did not"),
            _ => ("opened a rollout email", "did not"),
        };
        match (rw[i], ro[i], diff[i]) {
            (Some(a), Some(b), Some(d)) => {
                let p = match p[i] {
                    Some(p) if p < 0.001 => "p < 0.001".to_string(),
                    Some(p) => format!("p = {p:.3}"),
                    None => "no test".to_string(),
                };
                let _ = writeln!(
                    out,
                    "- People who {} enrolled at {} (95 % interval {}–{}) against {} ({}–{}) for those who {}: {} ({p}).",
                    who.0,
                    pct(Some(a)),
                    pct(rwl[i]),
                    pct(rwh[i]),
                    pct(Some(b)),
                    pct(rol[i]),
                    pct(roh[i]),
                    who.1,
                    points(d)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "- Too few people on one side to compare for those who {}.",
                    who.0
                );
            }
        }
    }
    out.push_str(
        "\nThis is observational: people who open emails or train may be keener to begin \
         with, so the difference is a strong hint of what helps, not a measured effect. \
         Per-wave figures are in `tables/lift.csv`.\n",
    );
    out
}

fn help_desk(cfg: &Config, tables: &Tables) -> String {
    let mut out = String::new();
    let next = cfg
        .waves
        .iter()
        .find(|w| w.start > tables.as_of)
        .map(|w| w.name.clone());
    if let Some(df) = tables.frame("ticket_categories") {
        let (waves, cats) = (strings(df, "wave"), strings(df, "category"));
        let (n, share, hours) = (
            floats(df, "tickets"),
            floats(df, "share"),
            floats(df, "median_resolution_hours"),
        );
        let top: Vec<usize> = (0..df.height())
            .filter(|&i| waves[i].as_deref() == Some(ALL))
            .take(3)
            .collect();
        if top.is_empty() {
            out.push_str("No tickets so far.\n");
        } else {
            let _ = writeln!(
                out,
                "Brief the help desk{} on the categories that drew the most tickets so far:\n",
                next.as_deref()
                    .map_or(String::new(), |w| format!(" before {}", md(w)))
            );
            for i in top {
                let _ = writeln!(
                    out,
                    "- **{}**: {} tickets ({} of all), median {} to resolve.",
                    md(cats[i].as_deref().unwrap_or("")),
                    count(n[i].unwrap_or(0.0) as i64),
                    pct(share[i]),
                    hours[i]
                        .map_or_else(|| "– (none resolved)".to_string(), |h| format!("{h:.1} h"))
                );
            }
        }
    }
    let over: Vec<String> = tables
        .groups
        .iter()
        .filter(|r| r.group == ALL && r.wave != ALL)
        .filter_map(|r| {
            let wave = cfg.waves.iter().find(|w| w.name == r.wave)?;
            let rate = r.values.as_ref()?.tickets_per_100_enrolled()?;
            let limit = wave.tickets_per_100_target?;
            (rate > limit).then(|| {
                format!(
                    "{} ({rate:.1} per 100 enrolled against a ceiling of {limit:.1})",
                    md(&r.wave)
                )
            })
        })
        .collect();
    if !over.is_empty() {
        let _ = writeln!(out, "\nOver their ticket ceiling: {}.", over.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_escaped() {
        assert_eq!(md("R&D | <script>"), "R&amp;D \\| &lt;script&gt;");
        assert_eq!(md("a_b*c"), "a\\_b\\*c");
    }
}

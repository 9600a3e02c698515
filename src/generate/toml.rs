//! `uptake.toml` of a generated rollout: the rollout, its thresholds, a table per
//! source, the waves with their targets and the campaigns, as the README's Config
//! section describes; and what each optional capability adds (`cuts`, snapshot
//! folders, `[[workloads]]` and one `[[sources.enrollments]]` per workload, the
//! channel and after-enrollment sources, `[survey]`, `[[training_methods]]`, the
//! after-enrollment targets). Without options the text is that of every earlier
//! version, byte for byte.

use std::io::{self, Write};

use super::person::TRAINED_MINUTES;
use super::util::{as_of, toml_str};
use super::workloads::{Workloads, FIRST_WORKLOAD, KFM_COLUMN};
use super::world::{Wave, World, CURVES, TARGETS};
use super::{Features, Planted};

/// The rollout's name (and, with one workload, the workload's).
pub(super) const ROLLOUT: &str = "Contoso Intune rollout";
/// Per first-workload wave, with `--after`: health, active-use and satisfaction targets.
/// The satisfaction targets sit a little under the generated survey's typical share
/// of satisfied respondents (about two in three), so that the groups with a real
/// complaint stand out rather than every group hovering at its target.
const AFTER_TARGETS: [(f64, f64, f64); 4] = [
    (0.85, 0.7, 0.6),
    (0.8, 0.65, 0.6),
    (0.85, 0.7, 0.65),
    (0.8, 0.6, 0.6),
];
/// Active-use target of the further workloads' waves, with `--after`.
const OTHER_ACTIVE_TARGET: f64 = 0.6;

/// Where the first workload's devices are, and how they read.
pub(super) fn device_source(f: &Features) -> (&'static str, &'static str) {
    let format = if f.workloads > 1 {
        "intune"
    } else {
        "canonical"
    };
    let path = match (f.snapshots, f.workloads > 1) {
        (true, _) => "devices/",
        (false, true) => "DevicesWithInventory_2026-11-20.csv",
        (false, false) => "enrollments.csv",
    };
    (path, format)
}

/// What the config describes.
pub(super) struct Plan<'a> {
    pub(super) world: &'a World,
    pub(super) features: &'a Features,
    pub(super) workloads: Option<&'a Workloads>,
    pub(super) planted: &'a Planted,
}

/// Writes the whole config.
pub(super) fn write_config(out: &mut impl Write, plan: &Plan<'_>) -> io::Result<()> {
    let f = plan.features;
    writeln!(
        out,
        "# Synthetic rollout written by `uptake generate`: every person in it is made up.\n"
    )?;
    writeln!(
        out,
        "[rollout]\nname = {}\nas_of = \"{}\"",
        toml_str(ROLLOUT),
        as_of()
    )?;
    writeln!(
        out,
        "timezone = \"Europe/Paris\"\ngroup_by = \"department\""
    )?;
    if f.cuts {
        writeln!(out, "cuts = [\"location\", \"cost_center\"]")?;
    }
    writeln!(
        out,
        "\n[thresholds]\ntraining_min_minutes = {TRAINED_MINUTES}"
    )?;
    writeln!(out, "at_risk_margin = 0.10\nmin_group_size = 5")?;
    if f.after {
        writeln!(
            out,
            "active_days = 30\n\n[survey]\nscale = [1, 5]\nsatisfied_from = 4"
        )?;
    }
    write_sources(out, plan)?;
    if let Some(wl) = plan.workloads {
        writeln!(out, "\n[[workloads]]\nname = {}", toml_str(FIRST_WORKLOAD))?;
        for extra in &wl.extras {
            writeln!(out, "\n[[workloads]]\nname = {}", toml_str(extra.spec.name))?;
            if extra.spec.by_column {
                writeln!(out, "wave_column = \"{KFM_COLUMN}\"")?;
            }
        }
    }
    write_waves(out, plan)?;
    write_campaigns(out, plan)?;
    if f.channels {
        writeln!(
            out,
            "\n[[training_methods]]\nname = \"brown bag\"\nsessions = [\"Brown bag*\"]"
        )?;
    }
    if plan.planted.active() {
        write_planted(out, plan.planted)?;
    }
    Ok(())
}

/// One `[sources.<name>]` table (or `[[...]]` entry with its workload).
fn source(
    out: &mut impl Write,
    (name, many): (&str, bool),
    (path, format): (&str, &str),
    workload: Option<&str>,
    snapshots: bool,
) -> io::Result<()> {
    match many {
        true => writeln!(out, "[[sources.{name}]]")?,
        false => writeln!(out, "[sources.{name}]")?,
    }
    writeln!(out, "path = {}\nformat = \"{format}\"", toml_str(path))?;
    if let Some(w) = workload {
        writeln!(out, "workload = {}", toml_str(w))?;
    }
    if snapshots {
        writeln!(out, "snapshots = true")?;
    }
    Ok(())
}

fn write_sources(out: &mut impl Write, plan: &Plan<'_>) -> io::Result<()> {
    let f = plan.features;
    let weekly = f.snapshots;
    writeln!(out)?;
    let roster = if weekly { "roster/" } else { "roster.csv" };
    source(out, ("roster", false), (roster, "canonical"), None, weekly)?;
    let devices = device_source(f);
    match plan.workloads {
        None => source(out, ("enrollments", false), devices, None, weekly)?,
        Some(wl) => {
            let first = Some(FIRST_WORKLOAD);
            source(out, ("enrollments", true), devices, first, weekly)?;
            for extra in &wl.extras {
                let (path, name) = (extra.spec.file, Some(extra.spec.name));
                source(out, ("enrollments", true), (path, "canonical"), name, false)?;
            }
        }
    }
    source(
        out,
        ("email", false),
        ("email_events.csv", "canonical"),
        None,
        false,
    )?;
    source(
        out,
        ("training", false),
        ("attendance.csv", "canonical"),
        None,
        false,
    )?;
    let tickets = if weekly { "tickets/" } else { "tickets.csv" };
    source(
        out,
        ("tickets", false),
        (tickets, "canonical"),
        None,
        weekly,
    )?;
    if f.channels {
        let touchpoints = ("touchpoints.csv", "canonical");
        source(out, ("touchpoints", false), touchpoints, None, false)?;
        source(
            out,
            ("completions", false),
            ("completions.csv", "canonical"),
            None,
            false,
        )?;
    }
    if f.after {
        let usage = if weekly { "usage/" } else { "usage.csv" };
        source(out, ("usage", false), (usage, "canonical"), None, weekly)?;
        writeln!(
            out,
            "# The same people's use in the admin center's Active Users report:\n\
             # path = \"m365_active_users.csv\", format = \"m365_active_users\""
        )?;
        source(
            out,
            ("survey", false),
            ("survey.csv", "canonical"),
            None,
            false,
        )?;
    }
    Ok(())
}

/// The first workload's waves, then each further workload's.
fn write_waves(out: &mut impl Write, plan: &Plan<'_>) -> io::Result<()> {
    let (world, f) = (plan.world, plan.features);
    let first = plan.workloads.map(|_| FIRST_WORKLOAD);
    for (w, wave) in world.waves.iter().enumerate() {
        let groups = world.depts.iter().filter(|d| d.wave == Some(w));
        let groups: Vec<&str> = groups.map(|d| d.name.as_str()).collect();
        let (open, train, tickets) = TARGETS[w];
        write_wave(out, wave, first, Some(&groups), CURVES[w])?;
        writeln!(
            out,
            "email_open_target = {open:?}\ntraining_target = {train:?}"
        )?;
        writeln!(out, "tickets_per_100_target = {tickets:?}")?;
        if f.after {
            let (health, active, satisfied) = AFTER_TARGETS[w];
            writeln!(
                out,
                "health_target = {health:?}\nactive_target = {active:?}"
            )?;
            writeln!(out, "satisfaction_target = {satisfied:?}")?;
        }
    }
    for extra in plan.workloads.map_or(&[][..], |wl| &wl.extras) {
        let (open, tickets) = extra.spec.targets;
        for (x, wave) in extra.waves.iter().enumerate() {
            let groups = world
                .depts
                .iter()
                .zip(&extra.dept_wave)
                .filter(|(_, &dw)| dw == Some(x))
                .map(|(d, _)| d.name.as_str())
                .collect::<Vec<_>>();
            let groups = (!extra.spec.by_column).then_some(&groups[..]);
            write_wave(
                out,
                wave,
                Some(extra.spec.name),
                groups,
                extra.spec.curves[x],
            )?;
            writeln!(out, "email_open_target = {open:?}")?;
            writeln!(out, "tickets_per_100_target = {tickets:?}")?;
            if f.after {
                writeln!(out, "active_target = {OTHER_ACTIVE_TARGET:?}")?;
            }
        }
    }
    Ok(())
}

/// A wave's name, workload, start, groups (unless a roster column assigns it) and
/// target curve.
fn write_wave(
    out: &mut impl Write,
    wave: &Wave,
    workload: Option<&str>,
    groups: Option<&[&str]>,
    curve: &[(i64, f64)],
) -> io::Result<()> {
    writeln!(out, "\n[[waves]]\nname = {}", toml_str(&wave.name))?;
    if let Some(w) = workload {
        writeln!(out, "workload = {}", toml_str(w))?;
    }
    writeln!(out, "start = \"{}\"", wave.start)?;
    if let Some(groups) = groups {
        let groups: Vec<String> = groups.iter().map(|g| toml_str(g)).collect();
        writeln!(out, "groups = [{}]", groups.join(", "))?;
    }
    let curve: Vec<String> = curve.iter().map(|(d, s)| format!("[{d}, {s:?}]")).collect();
    writeln!(out, "enrollment_target = [{}]", curve.join(", "))
}

fn write_campaigns(out: &mut impl Write, plan: &Plan<'_>) -> io::Result<()> {
    let extras = plan.workloads.map_or(&[][..], |wl| &wl.extras);
    let waves = plan
        .world
        .waves
        .iter()
        .chain(extras.iter().flat_map(|x| &x.waves));
    for wave in waves {
        for c in &wave.campaigns {
            let (name, phase, planned) = (toml_str(&c.name), c.phase, c.planned);
            writeln!(out, "\n[[campaigns]]\nname = {name}\nphase = \"{phase}\"")?;
            writeln!(
                out,
                "wave = {}\nplanned = \"{planned}\"",
                toml_str(&wave.name)
            )?;
        }
    }
    Ok(())
}

/// Records the planted effects in `uptake.toml`, as comments (the config ignores them).
fn write_planted(out: &mut impl Write, planted: &Planted) -> io::Result<()> {
    let show = |v: Option<f64>| v.map_or("none".to_string(), |v| format!("{v:?}"));
    writeln!(
        out,
        "\n# Planted effects (weekly risk ratios of enrolling): trained = {}, opened = {}",
        show(planted.trained),
        show(planted.opened)
    )?;
    writeln!(
        out,
        "# Hidden keenness (selection): {}",
        show(planted.selection)
    )
}

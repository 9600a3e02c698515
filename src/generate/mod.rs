//! Synthetic rollout for `uptake generate`: a config and the five canonical sources
//! (roster, enrollments, email events, training attendance, help-desk tickets) of a
//! made-up Intune rollout at Contoso, so the pipeline can be demonstrated, tested and
//! benchmarked without anyone's real exports.
//!
//! The data exercises every metric: departments of very different sizes (a
//! few too small to show, one that no wave lists), 3 or 4 waves three weeks apart,
//! departments that ignore email, skip training, enroll early, late or never, or flood
//! the help desk, so that groups end on track, at risk and behind. Training and opened
//! emails really raise the chance and speed of enrolling, so `lift` has something to
//! find. About 0.3 % of each file's rows are bad input of the kinds quarantine and data
//! quality must handle (`sink.rs` lists the kinds).
//!
//! **Planted effects** (`--effect trained=RR`, `--effect opened=RR`, `--selection S`;
//! [`Planted`], [`generate_planted`]) replace how enrollment is drawn, so that the
//! estimators of time to enroll and effects can be checked against a known truth.
//! Each person is followed week by week of their wave (week w starts on local midnight
//! of start + 7w): in week w they enroll, on a working day of it, with chance
//! `(0.15 + 0.03 · wave) · 0.95^w` (later waves faster, every wave slowing down),
//! times RR of each planted factor they were exposed to before the week began — the
//! first real open of a rollout email (not a machine prefetch), or the instant the
//! union of their training intervals reached 30 minutes — times their keenness,
//! capped at 0.95. So the planted RR is exactly the weekly risk ratio the stratified
//! estimator targets. A department's habits act only through how much its people read
//! and train (its base chance of enrolling no longer differs), and each person's taste
//! for reading and for training are drawn apart, so with one factor planted the only
//! thing that ties exposure to enrolling is the planted effect. (Departments that read
//! also tend to train, so with both planted each estimate is pulled a little by the
//! other: that is what the estimator does not control for.) `--selection S` draws a hidden
//! keenness k = exp(S·z − S²/2), z standard normal (mean 1), that multiplies both the
//! chance of training and the weekly chance of enrolling: the confounding no
//! stratification by time removes. A few people, as their department tends to, still
//! enroll before the start (they are in no week). Without these flags, nothing of the
//! above happens and the bytes are those of earlier versions. `uptake.toml` records
//! the planted values in comments.
//!
//! **Optional capabilities** ([`Features`], [`generate_with`]), each composable with
//! the others and with planted effects; without any of them the bytes are those of
//! earlier versions. Each draws from a random stream of its own, so one never shifts
//! another's draws (the main stream's outcomes change only where a capability feeds
//! the person model: a touchpoint or a self-paced course raises the chance of
//! enrolling; a joiner does nothing before joining).
//! - `--workloads N` (1 to 4, `workloads.rs`): "Intune MDM" (the rollout above, its
//!   devices now in the Intune admin center's export layout, `format = "intune"`),
//!   then "App protection", "OneDrive KFM" (waves by the roster column `kfm_wave`) and
//!   "Defender", each with three waves on its own schedule (some not started by the
//!   as-of day), its own groups, targets, campaigns and export; `[[workloads]]`,
//!   `workload` on every wave, one `[[sources.enrollments]]` per workload.
//! - `--cuts` (`cuts.rs`): roster columns `location` (with three satellite offices of
//!   a few people) and `cost_center` (cutting across departments; two nearly equal to
//!   one department; two of a few people); `cuts = ["location", "cost_center"]`.
//! - `--snapshots` (`snapshots.rs`, `devices.rs`): the roster, the devices and the
//!   tickets as folders of weekly exports, one per Friday up to the as-of day
//!   (`roster/entra_2026-09-04.csv`, `devices/intune_...`, `tickets/itsm_...`;
//!   `snapshots = true`): leavers vanish (no `left_on`), joiners appear, movers change
//!   department (often across waves), devices carry `compliant` and `last_check_in` as
//!   of each Friday (canonical columns, or the Intune layout with `--workloads`), some
//!   go stale or non-compliant, some are retired and vanish; each ticket has its state
//!   of that Friday. The single files are not written.
//! - `--channels` (`channels.rs`): `touchpoints.csv` (meeting, intranet, viva engage,
//!   poster), `completions.csv` (a self-paced course), brown bags in the attendance
//!   file, `[[training_methods]]`, `[sources.touchpoints]`, `[sources.completions]`.
//! - `--after` (`after.rs`, `devices.rs`): `compliant` and `last_check_in` on every
//!   device, `usage.csv` (snapshots too with `--snapshots`), the admin center's Active
//!   Users report `m365_active_users.csv`, `survey.csv`; `[sources.usage]`,
//!   `[sources.survey]`, `[survey]`, `active_days` and the after-enrollment targets.
//!
//! The new files get bad rows too, of the kinds that fit them (a shared Intune device
//! with no user, a workload the config does not name, a score off the scale, a
//! conflict inside one roster snapshot).
//!
//! Output is a pure function of `users`, `seed`, the planted effects and the features
//! (ChaCha8, a fixed calendar, no clock, no hash iteration). It is streamed person by
//! person through one `BufWriter` per file (a few dozen with snapshots), so memory
//! does not grow with the number of events.

mod after;
mod channels;
mod cuts;
mod devices;
mod person;
mod sink;
mod snapshots;
#[cfg(test)]
mod tests;
mod toml;
mod util;
mod workloads;
mod world;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use after::After;
use channels::Channels;
use cuts::Cuts;
use devices::{Devices, Shape};
use person::State;
use sink::{Sink, Target, Weekly};
use snapshots::{snapshot_days, Churn};
use toml::Plan;
use util::stream;
use workloads::{Workloads, FIRST_WORKLOAD, KFM_COLUMN};
use world::World;

pub use workloads::MAX_WORKLOADS;

/// What `uptake generate` was asked for.
pub struct GenerateOptions {
    /// Number of people on the roster (before the sprinkled bad rows).
    pub users: usize,
    /// Seed of the random stream: the same users and seed give the same bytes.
    pub seed: u64,
    /// Folder to write into; created if missing, files in it overwritten.
    pub out: PathBuf,
}

/// Effects planted in a rollout (`--effect FACTOR=RR`, `--selection S`), so that the
/// estimators can be checked against a known truth. The default plants nothing and
/// leaves the output as it always was.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Planted {
    /// Weekly risk ratio of enrolling once trained (`--effect trained=RR`).
    pub trained: Option<f64>,
    /// Weekly risk ratio of enrolling once an email was opened (`--effect opened=RR`).
    pub opened: Option<f64>,
    /// Strength of the hidden keenness that raises both training and enrolling
    /// (`--selection S`; 0 is none).
    pub selection: Option<f64>,
}

impl Planted {
    /// Whether anything is planted: the enrollment model of planted effects is used.
    pub fn active(&self) -> bool {
        self.trained.is_some() || self.opened.is_some() || self.selection.is_some()
    }
}

/// Which optional capabilities a rollout exercises (see the module doc). The default
/// is none: the rollout every earlier version wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// How many workloads, 1 to [`MAX_WORKLOADS`] (`--workloads N`).
    pub workloads: usize,
    /// Roster columns `location` and `cost_center` as cuts (`--cuts`).
    pub cuts: bool,
    /// Roster, devices and tickets as weekly snapshot folders (`--snapshots`).
    pub snapshots: bool,
    /// Touchpoints, course completions and brown bags (`--channels`).
    pub channels: bool,
    /// Device health, usage, the admin center report and a survey (`--after`).
    pub after: bool,
}

impl Default for Features {
    fn default() -> Features {
        Features {
            workloads: 1,
            cuts: false,
            snapshots: false,
            channels: false,
            after: false,
        }
    }
}

/// What `generate` wrote.
pub struct GenerateSummary {
    /// Each file written, in writing order, with its data-row count (header excluded;
    /// 0 for `uptake.toml`).
    pub files: Vec<(PathBuf, u64)>,
    /// Each folder of weekly snapshots written (`--snapshots`).
    pub snapshots: Vec<SnapshotFolder>,
}

/// A folder of weekly snapshots of one export.
pub struct SnapshotFolder {
    /// The folder.
    pub path: PathBuf,
    /// Its files, oldest first, with their data-row counts.
    pub files: Vec<(PathBuf, u64)>,
}

impl SnapshotFolder {
    /// Data rows over every file.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|(_, n)| n).sum()
    }
}

/// Writes a rollout of `opts.users` people into `opts.out`: `uptake.toml` and the five
/// canonical CSV sources. The same users and seed always give the same bytes.
pub fn generate(opts: &GenerateOptions) -> io::Result<GenerateSummary> {
    generate_with(opts, &Planted::default(), &Features::default())
}

/// [`generate`] with `planted` effects (see the module doc). With nothing planted the
/// bytes are those of [`generate`]; the same users, seed and effects always give the
/// same bytes.
pub fn generate_planted(opts: &GenerateOptions, planted: &Planted) -> io::Result<GenerateSummary> {
    generate_with(opts, planted, &Features::default())
}

/// [`generate_planted`] with the optional capabilities of `features` (see the module
/// doc). With the default features the bytes are those of [`generate_planted`]; the
/// same users, seed, effects and features always give the same bytes. A workload
/// count outside 1 to [`MAX_WORKLOADS`] is an `InvalidInput` error.
pub fn generate_with(
    opts: &GenerateOptions,
    planted: &Planted,
    features: &Features,
) -> io::Result<GenerateSummary> {
    let f = *features;
    if !(1..=MAX_WORKLOADS).contains(&f.workloads) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} workloads: write 1 to {MAX_WORKLOADS}", f.workloads),
        ));
    }
    let (out, seed) = (&opts.out, opts.seed);
    std::fs::create_dir_all(out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let world = World::new(opts.users, &mut rng);
    let workloads = match f.workloads {
        1 => None,
        n => Some(Workloads::new(&world, n, stream(seed, 1003), out, seed)?),
    };
    let config = out.join("uptake.toml");
    let mut toml = BufWriter::new(File::create(&config)?);
    let plan = Plan {
        world: &world,
        features: &f,
        workloads: workloads.as_ref(),
        planted,
    };
    toml::write_config(&mut toml, &plan)?;
    toml.flush()?;

    let groups: Vec<String> = world.depts.iter().map(|d| d.name.clone()).collect();
    let days = snapshot_days();
    let weekly = |folder: (&str, &str), layout: &sink::Layout, k: u64| {
        Weekly::create(out, folder, layout, &days, (seed, k), &groups)
    };
    let mut more = Vec::new();
    if f.cuts {
        more.push("cost_center");
    }
    if workloads
        .as_ref()
        .is_some_and(|w| w.extras.iter().any(|x| x.spec.by_column))
    {
        more.push(KFM_COLUMN);
    }
    let roster = match f.snapshots {
        false => Target::One(Box::new(Sink::create(
            out,
            "roster.csv",
            sink::roster(true, &more),
            (seed, 1),
            &groups,
        )?)),
        true => Target::Weekly(weekly(
            ("roster", "entra"),
            &sink::roster(false, &more),
            100,
        )?),
    };
    let shape = match (f.workloads > 1, f.after || f.snapshots) {
        (true, _) => Shape::Intune,
        (false, true) => Shape::Health,
        (false, false) => Shape::Canonical,
    };
    let layout = match shape {
        Shape::Canonical => sink::enrollments(),
        Shape::Health => devices::with_health(),
        Shape::Intune => devices::intune(),
    };
    let (device_file, _) = toml::device_source(&f);
    let devices = match f.snapshots {
        false => Target::One(Box::new(Sink::create(
            out,
            device_file,
            layout,
            (seed, 2),
            &groups,
        )?)),
        true => Target::Weekly(weekly(("devices", "intune"), &layout, 200)?),
    };
    let tickets = match f.snapshots {
        false => Target::One(Box::new(Sink::create(
            out,
            "tickets.csv",
            sink::tickets(),
            (seed, 5),
            &groups,
        )?)),
        true => Target::Weekly(weekly(("tickets", "itsm"), &sink::tickets(), 300)?),
    };
    let email = Sink::create(out, "email_events.csv", sink::email(), (seed, 3), &groups)?;
    let training = Sink::create(out, "attendance.csv", sink::training(), (seed, 4), &groups)?;
    let names: Vec<String> = match &workloads {
        None => vec![toml::ROLLOUT.to_string()],
        Some(wl) => std::iter::once(FIRST_WORKLOAD)
            .chain(wl.extras.iter().map(|x| x.spec.name))
            .map(String::from)
            .collect(),
    };
    let after = match f.after {
        false => None,
        true => {
            let weekly = f.snapshots.then_some(&days[..]);
            Some(After::new(
                &world,
                names,
                stream(seed, 1006),
                out,
                (seed, weekly),
            )?)
        }
    };
    let channels = match f.channels {
        false => None,
        true => Some(Channels::new(&world, stream(seed, 1004), out, seed)?),
    };
    let mut st = State {
        next_ticket: rng.random_range(1000..5000),
        rng,
        planted: *planted,
        roster,
        devices: Devices::new(shape, devices, stream(seed, 1005)),
        email,
        training,
        tickets,
        cuts: f.cuts.then(|| Cuts::new(&world, stream(seed, 1001))),
        churn: f.snapshots.then(|| Churn::new(&world, stream(seed, 1002))),
        workloads,
        channels,
        after,
    };
    for i in 0..world.people.len() {
        st.person(&world, i)?;
    }
    let mut summary = GenerateSummary {
        files: vec![(config, 0)],
        snapshots: Vec::new(),
    };
    st.finish(&mut summary)?;
    Ok(summary)
}

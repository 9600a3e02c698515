//! `--workloads N`: a rollout phased by workload as well as by group. The first
//! workload, "Intune MDM", is the rollout without options (its waves, emails,
//! training and devices); the others — "App protection", "OneDrive KFM", "Defender",
//! in that order — each have three waves on a schedule of their own (some starting
//! after the as-of day, so `not_started`), their own campaigns, targets and
//! enrollment export. Takes each person's department, site and first-workload
//! outcome; hands on their waves (and the roster's `kfm_wave` cell), their emails and
//! their rows in each workload's export, all from a stream of its own.
//!
//! "App protection" and "Defender" list departments in their waves (shuffled anew,
//! so a department's waves differ from one workload to the next); "OneDrive KFM"
//! goes site by site through the roster column `kfm_wave` (champions pilot it in the
//! first wave; a few people have no KFM wave). Each department behaves on each
//! workload either as on the first or as another department would, and each person's
//! propensity is their first-workload propensity (their taste for email, whether they
//! enrolled) mixed with a fresh draw (correlation 0.6): so some groups and people are
//! ahead on one workload and behind on another. The exports: `app_protection.csv`
//! (one row per protected app, UTC times), `onedrive_kfm.csv` (one row per PC, local
//! times without an offset) and `defender.csv` (with a `workload` column, now and then
//! naming a workload the config does not have: a row to quarantine).

use std::io;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::cuts::TINY_SITES;
use super::person::Person;
use super::sink::{Bad, Layout, Sink, COMMON};
use super::util::{
    as_of, at, base_day, days, exponential, guid, normal, pick, secs, utc, weekday, with_offset,
    work_time,
};
use super::world::{Campaign, Profile, Wave, World, LOCATIONS, PROFILES};
use super::GenerateSummary;

/// The first workload's name once there are several.
pub(super) const FIRST_WORKLOAD: &str = "Intune MDM";
/// The roster column naming each person's "OneDrive KFM" wave.
pub(super) const KFM_COLUMN: &str = "kfm_wave";
/// Most workloads `--workloads` writes.
pub const MAX_WORKLOADS: usize = 1 + SPECS.len();

/// A further workload as planned.
pub(super) struct Spec {
    pub(super) name: &'static str,
    /// Its waves are `<prefix> 1`, `<prefix> 2`, ...; its campaigns `<tag>1-kickoff`, ...
    pub(super) prefix: &'static str,
    tag: &'static str,
    /// Each wave's start, in days after the first workload's first wave.
    starts: [i64; 3],
    pub(super) curves: [&'static [(i64, f64)]; 3],
    /// Email open and tickets-per-100 targets of every wave.
    pub(super) targets: (f64, f64),
    pub(super) file: &'static str,
    /// Waves by the roster column [`KFM_COLUMN`] (site by site), not by department.
    pub(super) by_column: bool,
}

const SPECS: [Spec; 3] = [
    Spec {
        name: "App protection",
        prefix: "MAM",
        tag: "mam",
        starts: [14, 49, 70],
        curves: [&[(0, 0.0), (14, 0.45), (28, 0.75), (42, 0.9)]; 3],
        targets: (0.55, 12.0),
        file: "app_protection.csv",
        by_column: false,
    },
    Spec {
        name: "OneDrive KFM",
        prefix: "KFM",
        tag: "kfm",
        starts: [28, 56, 84],
        curves: [
            &[(0, 0.0), (7, 0.25), (21, 0.6), (35, 0.85)],
            &[(0, 0.0), (7, 0.3), (21, 0.65), (35, 0.9)],
            &[(0, 0.0), (7, 0.3), (21, 0.65), (35, 0.9)],
        ],
        targets: (0.5, 10.0),
        file: "onedrive_kfm.csv",
        by_column: true,
    },
    Spec {
        name: "Defender",
        prefix: "Defender",
        tag: "def",
        starts: [35, 77, 98],
        curves: [&[(0, 0.0), (14, 0.5), (28, 0.85), (35, 0.95)]; 3],
        targets: (0.6, 8.0),
        file: "defender.csv",
        by_column: false,
    },
];

/// Campaign phases of a further workload's waves: (phase, day from the start).
const PHASES: [(&str, i64); 2] = [("kickoff", -14), ("enrollment", 0)];

/// Bad rows of the export with a `workload` column.
const MODES_WITH_WORKLOAD: &[Bad] = &[
    Bad::UnknownWorkload,
    Bad::EmptyId,
    Bad::Unparseable,
    Bad::Duplicate,
    Bad::Stranger,
    Bad::MixedCase,
];

/// One further workload while the people are written.
pub(super) struct Extra {
    pub(super) spec: &'static Spec,
    pub(super) waves: Vec<Wave>,
    /// Per department: its wave (workloads by department).
    pub(super) dept_wave: Vec<Option<usize>>,
    /// Per site: its wave (the workload by a roster column).
    site_wave: Vec<(&'static str, usize)>,
    /// Per department: how it behaves on this workload.
    profile: Vec<Profile>,
    sink: Sink,
}

/// A person's wave in each further workload.
#[derive(Default)]
pub(super) struct Assigned {
    pub(super) waves: [Option<usize>; 3],
}

/// The further workloads and their stream.
pub(super) struct Workloads {
    pub(super) rng: ChaCha8Rng,
    pub(super) extras: Vec<Extra>,
}

impl Workloads {
    /// Plans workloads 2 to `n` of `world` and opens their exports in `out`.
    pub(super) fn new(
        world: &World,
        n: usize,
        mut rng: ChaCha8Rng,
        out: &Path,
        seed: u64,
    ) -> io::Result<Workloads> {
        let waved: Vec<usize> = (0..world.depts.len())
            .filter(|&d| world.depts[d].wave.is_some())
            .collect();
        let mut extras = Vec::new();
        for (k, spec) in SPECS.iter().enumerate().take(n.saturating_sub(1)) {
            let count = if spec.by_column {
                3
            } else {
                waved.len().clamp(1, 3)
            };
            let waves: Vec<Wave> = (0..count).map(|x| plan_wave(spec, x, &mut rng)).collect();
            let mut order = waved.clone();
            order.shuffle(&mut rng);
            let mut dept_wave = vec![None; world.depts.len()];
            if !spec.by_column {
                for (j, &d) in order.iter().enumerate() {
                    dept_wave[d] = Some(j % count);
                }
            }
            let mut sites: Vec<&'static str> =
                LOCATIONS.iter().chain(&TINY_SITES).copied().collect();
            sites.shuffle(&mut rng);
            let site_wave = sites
                .into_iter()
                .enumerate()
                .map(|(j, s)| (s, j % count))
                .collect();
            let profile = world
                .depts
                .iter()
                .map(|d| match rng.random_bool(0.5) {
                    true => d.profile,
                    false => *PROFILES.choose(&mut rng).expect("some"),
                })
                .collect();
            let layout = match spec.tag {
                "mam" => Layout::new("user_id,device_id,os,enrolled_at,app", 0, &[3], 0, COMMON),
                "kfm" => Layout::new("user_id,device_id,enrolled_at", 0, &[2], 0, COMMON),
                _ => Layout::new(
                    "user_id,device_id,os,enrolled_at,workload",
                    0,
                    &[3],
                    4,
                    MODES_WITH_WORKLOAD,
                ),
            };
            let sink = Sink::create(out, spec.file, layout, (seed, 20 + k as u64), &[])?;
            extras.push(Extra {
                spec,
                waves,
                dept_wave,
                site_wave,
                profile,
                sink,
            });
        }
        Ok(Workloads { rng, extras })
    }

    /// The waves of a person of department `d` (with a first-workload wave when
    /// `waved`) at `site`; pushes their roster cells (`kfm_wave`) onto `more`.
    pub(super) fn assign(
        &mut self,
        (d, waved): (usize, bool),
        site: &str,
        champion: bool,
        more: &mut Vec<String>,
    ) -> Assigned {
        let mut assigned = Assigned::default();
        for (k, extra) in self.extras.iter().enumerate() {
            if !extra.spec.by_column {
                assigned.waves[k] = extra.dept_wave[d];
                continue;
            }
            let (blank, lower) = (self.rng.random_bool(0.01), self.rng.random_bool(0.005));
            let wave = match (waved, champion, blank) {
                (false, _, _) | (true, false, true) => None,
                (true, true, _) => Some(0),
                (true, false, false) => extra
                    .site_wave
                    .iter()
                    .find(|(s, _)| *s == site)
                    .map(|&(_, x)| x),
            };
            assigned.waves[k] = wave;
            let cell = wave.map_or(String::new(), |x| extra.waves[x].name.clone());
            // A hand-kept column: now and then in lower case.
            more.push(if lower { cell.to_lowercase() } else { cell });
        }
        assigned
    }

    /// Whether and when a person of department `d` in wave `x` of further workload `k`
    /// adopts it, given their first open of its emails and their first-workload
    /// enrollment; writes their export rows.
    pub(super) fn enroll(
        &mut self,
        k: usize,
        p: &Person,
        (d, x): (usize, usize),
        opened: Option<NaiveDateTime>,
        first: Option<NaiveDateTime>,
    ) -> io::Result<Option<NaiveDateTime>> {
        let rng = &mut self.rng;
        let extra = &mut self.extras[k];
        let start = extra.waves[x].start;
        let prof = extra.profile[d];
        // Their first-workload propensity, mixed with a fresh one (correlation 0.6).
        let z0 = (p.engaged - 1.0) / 0.23 + if first.is_some() { 0.5 } else { -0.5 };
        let z = 0.6 * z0 + 0.8 * normal(rng);
        let o = if opened.is_some() { 1.0 } else { 0.0 };
        let chance = prof.enroll * (0.35 * z).exp() + (1.0 - prof.enroll) * 0.3 * o;
        let yes = rng.random_bool(chance.clamp(0.02, 0.98));
        let early = rng.random_bool(prof.early.max(0.01));
        let wait = prof.delay * (-0.25 * z).exp() * (1.0 - 0.2 * o) * exponential(rng);
        let ahead = rng.random_range(1..10);
        let offset = if early { -ahead } else { wait.floor() as i64 };
        let when = work_time(rng, start + days(offset));
        let when = weekday(rng, when);
        if !yes || when.date() > as_of() + days(3) || p.absent_on(when.date()) {
            return Ok(None);
        }
        let device = guid(rng);
        let id = p.id(rng).to_string();
        match extra.spec.tag {
            "mam" => {
                let os = pick(rng, 0.6, "iOS", "Android");
                extra.sink.row(&[&id, &device, os, &utc(when), "Outlook"])?;
                if rng.random_bool(0.5) {
                    let later =
                        when + days(rng.random_range(0..5)) + secs(rng.random_range(60..7200));
                    if later.date() <= as_of() + days(3) {
                        let id = p.id(rng).to_string();
                        extra.sink.row(&[&id, &device, os, &utc(later), "Teams"])?;
                    }
                }
            }
            "kfm" => extra.sink.row(&[&id, &device, &when.to_string()])?,
            _ => {
                let os = pick(rng, 0.85, "Windows", "macOS");
                let name = pick(rng, 0.95, extra.spec.name, "defender");
                extra
                    .sink
                    .row(&[&id, &device, os, &with_offset(when), name])?;
            }
        }
        Ok(Some(when))
    }

    /// Flushes every export into the summary.
    pub(super) fn finish(self, summary: &mut GenerateSummary) -> io::Result<()> {
        for extra in self.extras {
            summary.files.push(extra.sink.finish()?);
        }
        Ok(())
    }
}

/// Wave `x` of `spec`: its start and the campaigns sent by the as-of day.
fn plan_wave(spec: &Spec, x: usize, rng: &mut ChaCha8Rng) -> Wave {
    let start: NaiveDate = base_day() + days(spec.starts[x]);
    let mut campaigns = Vec::new();
    for (phase, offset) in PHASES {
        let planned = start + days(offset);
        let late = *[0, 0, 0, 1, 2].choose(rng).expect("some");
        if planned > as_of() {
            continue;
        }
        let sent = at(planned + days(late), 10) + secs(rng.random_range(0..1800));
        campaigns.push(Campaign {
            name: format!("{}{}-{phase}", spec.tag, x + 1),
            phase,
            planned,
            sent,
        });
    }
    Wave {
        name: format!("{} {}", spec.prefix, x + 1),
        start,
        campaigns,
        sessions: Vec::new(),
    }
}

//! Synthetic rollout for `uptake generate`: a config and the five canonical sources
//! (roster, enrollments, email events, training attendance, help-desk tickets) of a
//! made-up Intune rollout at Contoso, so the pipeline can be demonstrated, tested and
//! benchmarked without anyone's real exports.
//!
//! The data exercises the whole of SPEC.md: departments of very different sizes (a
//! few too small to show, one that no wave lists), 3 or 4 waves three weeks apart,
//! departments that ignore email, skip training, enroll early, late or never, or flood
//! the help desk, so that groups end on track, at risk and behind. Training and opened
//! emails really raise the chance and speed of enrolling, so `lift` has something to
//! find. About 0.3 % of each file's rows are bad input of the kinds quarantine and data
//! quality must handle (see [`Bad`]).
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
//! Output is a pure function of `users`, `seed` and the planted effects (ChaCha8, a
//! fixed calendar, no clock, no hash iteration). It is streamed person by person
//! through one `BufWriter` per file, so memory does not grow with the number of
//! events.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use Bad::{Conflict, Duplicate, EmptyId, MixedCase, Stranger, Swap, UnknownEvent, Unparseable};

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

/// What `generate` wrote.
pub struct GenerateSummary {
    /// Each file written, in writing order, with its data-row count (header excluded;
    /// 0 for `uptake.toml`).
    pub files: Vec<(PathBuf, u64)>,
}

/// Share of rows, per file, followed (or replaced) by a bad row.
const BAD_ROW_RATE: f64 = 0.003;
/// `training_min_minutes` of the config written ([`CONFIG_HEAD`]).
const TRAINED_MINUTES: i64 = 30;
/// `uptake.toml` up to the waves: as in SPEC.md section 2.
const CONFIG_HEAD: &str = r#"# Synthetic rollout written by `uptake generate`: every person in it is made up.

[rollout]
name = "Contoso Intune rollout"
as_of = "2026-11-20"
timezone = "Europe/Paris"
group_by = "department"

[thresholds]
training_min_minutes = 30
at_risk_margin = 0.10
min_group_size = 5

[sources.roster]
path = "roster.csv"
format = "canonical"
[sources.enrollments]
path = "enrollments.csv"
format = "canonical"
[sources.email]
path = "email_events.csv"
format = "canonical"
[sources.training]
path = "attendance.csv"
format = "canonical"
[sources.tickets]
path = "tickets.csv"
format = "canonical"
"#;
/// Campaign phases and their planned day relative to the wave start.
const PHASES: [(&str, i64); 4] = [
    ("kickoff", -21),
    ("pre-enrollment", -7),
    ("enrollment", 0),
    ("post-enrollment", 21),
];
/// Training sessions per wave: (day from start, local hour, title).
const SESSIONS: [(i64, u32, &str); 5] = [
    (1, 10, "Intune basics"),
    (3, 14, "Intune basics"),
    (8, 10, "Company Portal walkthrough"),
    (10, 14, "Intune basics"),
    (15, 10, "Intune Q&A"),
];
/// Per wave: the enrollment target curve (days since start, share).
const CURVES: [&[(i64, f64)]; 4] = [
    &[(0, 0.0), (14, 0.5), (28, 0.8), (42, 0.95)],
    &[(0, 0.0), (7, 0.2), (21, 0.55), (35, 0.8), (49, 0.9)],
    &[(0, 0.0), (14, 0.4), (28, 0.7), (42, 0.9)],
    &[(0, 0.0), (7, 0.3), (14, 0.6), (28, 0.9)],
];
/// Per wave: email open, training and tickets-per-100 targets.
const TARGETS: [(f64, f64, f64); 4] = [
    (0.6, 0.5, 15.0),
    (0.55, 0.45, 18.0),
    (0.6, 0.5, 15.0),
    (0.5, 0.4, 20.0),
];
const BAD_TIMES: [&str; 3] = ["2026-13-45 25:00", "yesterday", "31/02/2026 9h"];
/// (category, median resolution hours): tickets around enrollment, then the others.
const ENROLL_CATEGORIES: [(&str, f64); 4] = [
    ("enrollment", 6.0),
    ("enrollment", 6.0),
    ("compliance", 20.0),
    ("app-install", 10.0),
];
const OTHER_CATEGORIES: [(&str, f64); 4] =
    [("mfa", 1.5), ("mfa", 1.5), ("email", 4.0), ("other", 8.0)];

const FIRST: &str = "Anne,Louis,Camille,Hugo,Chloe,Lucas,Emma,Jules,Lea,Nathan,Manon,Thomas,\
    Ines,Arthur,Sarah,Paul,Julie,Maxime,Clara,Antoine,Laura,Nicolas,Marie,Pierre,Sophie,\
    Jean-Luc,Alice,Karim,Fatima,Yann,Elodie,Mehdi,Claire,Olivier,Nadia,David,Helene,Samuel,\
    Aicha,Marc,Lina,Victor,Zoe,Eric,Amina,Bruno,Ana-Maria,Theo";
const LAST: &str = "Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,\
    Simon,Laurent,Lefebvre,Michel,Garcia,David,Bertrand,Roux,Vincent,Fournier,Morel,Girard,\
    Andre,Mercier,Dupont,Lambert,Bonnet,Francois,Martinez,Legrand,Garnier,Faure,Rousseau,\
    Blanc,Guerin,Muller,Henry,Roussel,Nicolas,Perrin,Morin,Mathieu,Clement,Gauthier,Dumont,\
    Lopez,Fontaine,Chevalier,Robin,Masson,Sanchez,Nguyen,Boyer,Denis,Lemaire,Duval,Joly,\
    Benali,Haddad,Schmitt,Da Silva,Meyer,Diallo,Kone";
const DEPARTMENTS: &str = "Finance,HR,Sales,Marketing,Legal,IT,Operations,Logistics,\
    Procurement,R&D,Customer Service,Facilities,Communications,Quality,Compliance,\
    Engineering,Manufacturing,Treasury,Strategy,Security,Data & Analytics,Product,Design,\
    Field Service,Payroll,Risk,Tax,Supply Chain,Retail,Partnerships";
const REGIONS: [&str; 6] = ["North", "South", "East", "West", "EMEA", "APAC"];
const TINY: [&str; 3] = ["Board Office", "Ombudsman", "Works Council"];
const LOCATIONS: [&str; 8] = [
    "Paris", "Lyon", "Lille", "Nantes", "Bordeaux", "Toulouse", "Brussels", "Geneva",
];

/// How a department behaves, so that its groups end on track, at risk or behind.
#[derive(Clone, Copy)]
struct Profile {
    /// Multiplier on the share of people who read the rollout emails.
    email: f64,
    /// Multiplier on the share of people who attend training.
    training: f64,
    /// Share that enrolls without training or opened emails (both raise it).
    enroll: f64,
    /// Typical days from the wave start to enrollment (training and email shorten it).
    delay: f64,
    /// Share of the enrollers who enroll before the wave starts.
    early: f64,
    /// Multiplier on help-desk tickets.
    tickets: f64,
}
const fn profile(email: f64, training: f64, enroll: f64, delay: f64, early: f64) -> Profile {
    let tickets = 1.0;
    Profile {
        email,
        training,
        enroll,
        delay,
        early,
        tickets,
    }
}
/// Eager, steady, ignores email, skips training, late, mostly never, swamped with tickets.
const PROFILES: [Profile; 7] = [
    Profile {
        tickets: 0.8,
        ..profile(1.3, 1.3, 0.93, 7.0, 0.12)
    },
    profile(1.0, 1.0, 0.8, 12.0, 0.03),
    Profile {
        tickets: 1.2,
        ..profile(0.25, 0.9, 0.7, 16.0, 0.0)
    },
    Profile {
        tickets: 1.4,
        ..profile(1.0, 0.08, 0.72, 15.0, 0.0)
    },
    profile(0.9, 0.9, 0.8, 28.0, 0.0),
    profile(0.6, 0.5, 0.25, 30.0, 0.0),
    Profile {
        tickets: 4.5,
        ..profile(1.0, 1.0, 0.75, 14.0, 0.02)
    },
];

/// Kinds of bad input sprinkled into the sources; each source lists those that apply.
#[derive(Clone, Copy)]
enum Bad {
    /// An extra copy of the row with an empty `user_id`.
    EmptyId,
    /// An extra copy with an unparseable timestamp.
    Unparseable,
    /// An extra copy with the email event `forwarded`.
    UnknownEvent,
    /// An extra copy with `left_at` before `joined_at`.
    Swap,
    /// The row written twice, identically.
    Duplicate,
    /// An extra copy whose user is not on the roster.
    Stranger,
    /// The row with its id in mixed case with stray spaces (it must still match).
    MixedCase,
    /// An extra roster row for the same user with another department.
    Conflict,
}

/// One source: its file and header, the columns that bad rows alter (the id, the
/// timestamps, the event or group), and the kinds of bad rows it gets.
struct Layout {
    file: &'static str,
    header: &'static str,
    id: usize,
    times: &'static [usize],
    other: usize,
    modes: &'static [Bad],
}

const ROSTER: Layout = Layout {
    file: "roster.csv",
    header: "user_id,display_name,mail,department,location,champion,left_on",
    id: 0,
    times: &[],
    other: 3,
    modes: &[EmptyId, Conflict, Duplicate, MixedCase],
};
const ENROLLMENTS: Layout = Layout {
    file: "enrollments.csv",
    header: "user_id,device_id,os,enrolled_at,compliant",
    id: 0,
    times: &[3],
    other: 0,
    modes: &[EmptyId, Unparseable, Duplicate, Stranger, MixedCase],
};
const EMAIL: Layout = Layout {
    file: "email_events.csv",
    header: "user_id,campaign,event,timestamp,machine_open",
    id: 0,
    times: &[3],
    other: 2,
    modes: &[
        EmptyId,
        Unparseable,
        UnknownEvent,
        Duplicate,
        Stranger,
        MixedCase,
    ],
};
const TRAINING: Layout = Layout {
    file: "attendance.csv",
    header: "user_id,session,joined_at,left_at",
    id: 0,
    times: &[2, 3],
    other: 0,
    modes: &[EmptyId, Unparseable, Swap, Duplicate, Stranger, MixedCase],
};
const TICKETS: Layout = Layout {
    file: "tickets.csv",
    header: "ticket_id,user_id,opened_at,resolved_at,category,status",
    id: 1,
    times: &[2],
    other: 0,
    modes: &[EmptyId, Unparseable, Duplicate, Stranger, MixedCase],
};

/// Writes a rollout of `opts.users` people into `opts.out`: `uptake.toml` and the five
/// canonical CSV sources. The same users and seed always give the same bytes.
pub fn generate(opts: &GenerateOptions) -> io::Result<GenerateSummary> {
    generate_planted(opts, &Planted::default())
}

/// [`generate`] with `planted` effects (see the module doc). With nothing planted the
/// bytes are those of [`generate`]; the same users, seed and effects always give the
/// same bytes.
pub fn generate_planted(opts: &GenerateOptions, planted: &Planted) -> io::Result<GenerateSummary> {
    std::fs::create_dir_all(&opts.out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let world = World::new(opts.users, &mut rng);
    let config = opts.out.join("uptake.toml");
    let mut toml = BufWriter::new(File::create(&config)?);
    world.write_config(&mut toml)?;
    if planted.active() {
        write_planted(&mut toml, planted)?;
    }
    toml.flush()?;

    let groups: Vec<String> = world.depts.iter().map(|d| d.name.clone()).collect();
    let open = |layout, k| Sink::create(&opts.out, layout, opts.seed, k, &groups);
    let mut st = State {
        next_ticket: rng.random_range(1000..5000),
        rng,
        planted: *planted,
        roster: open(ROSTER, 1)?,
        enrollments: open(ENROLLMENTS, 2)?,
        email: open(EMAIL, 3)?,
        training: open(TRAINING, 4)?,
        tickets: open(TICKETS, 5)?,
    };
    for (i, &d) in world.people.iter().enumerate() {
        st.person(&world, i, &world.depts[usize::from(d)])?;
    }
    let mut files = vec![(config, 0)];
    for sink in [st.roster, st.enrollments, st.email, st.training, st.tickets] {
        files.push(sink.finish()?);
    }
    Ok(GenerateSummary { files })
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}
/// The first wave's start, a Monday.
fn base_day() -> NaiveDate {
    date(2026, 9, 7)
}
fn as_of() -> NaiveDate {
    date(2026, 11, 20)
}
fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}
fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}
fn at(d: NaiveDate, hour: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour of the day"))
}

/// UTC offset of Europe/Paris at a local time, in hours: summer time (+2) from the last
/// Sunday of March 02:00 to the last Sunday of October 03:00, else +1. The repeated
/// hour in October is read as summer time.
fn paris_offset(local: NaiveDateTime) -> i64 {
    let last_sunday = |month: u32| {
        let last = date(local.year(), month + 1, 1)
            .pred_opt()
            .expect("not 1 Jan");
        last - days(i64::from(last.weekday().num_days_from_sunday()))
    };
    if (at(last_sunday(3), 2)..at(last_sunday(10), 3)).contains(&local) {
        2
    } else {
        1
    }
}
/// `2026-09-10T10:00:00+02:00`.
fn with_offset(t: NaiveDateTime) -> String {
    format!("{}T{}+0{}:00", t.date(), t.time(), paris_offset(t))
}
/// `2026-09-15T08:12:03Z`.
fn utc(local: NaiveDateTime) -> String {
    let t = local - TimeDelta::hours(paris_offset(local));
    format!("{}T{}Z", t.date(), t.time())
}
/// `a` with probability `p`, else `b`.
fn pick<'a>(rng: &mut ChaCha8Rng, p: f64, a: &'a str, b: &'a str) -> &'a str {
    if rng.random_bool(p) {
        a
    } else {
        b
    }
}
fn exponential(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v) = (1.0 - rng.random::<f64>(), rng.random::<f64>());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
/// A random time between 08:00 and 18:00 local on `d`.
fn work_time(rng: &mut ChaCha8Rng, d: NaiveDate) -> NaiveDateTime {
    at(d, 8) + secs(rng.random_range(0..36_000))
}
/// Most weekend activity moves to the Monday.
fn weekday(rng: &mut ChaCha8Rng, t: NaiveDateTime) -> NaiveDateTime {
    let skip = match t.weekday() {
        Weekday::Sat => 2,
        Weekday::Sun => 1,
        _ => 0,
    };
    if skip > 0 && rng.random_bool(0.85) {
        t + days(skip)
    } else {
        t
    }
}
/// A GUID-shaped device id.
fn guid(rng: &mut ChaCha8Rng) -> String {
    let (a, b): (u64, u64) = (rng.random(), rng.random());
    let (a1, a2, a3, b1) = (a >> 32, (a >> 16) & 0xffff, a & 0xfff, (b >> 48) | 0x8000);
    format!(
        "{a1:08x}-{a2:04x}-4{a3:03x}-{b1:04x}-{:012x}",
        b & 0xffff_ffff_ffff
    )
}
/// `anne.martin42@contoso.com` becomes `  Anne.Martin42@Contoso.Com `.
fn mangle(id: &str) -> String {
    let mut out = String::from("  ");
    let mut upper = true;
    for ch in id.chars() {
        if upper {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        upper = matches!(ch, '.' | '@');
    }
    out + " "
}
/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => out.extend(['\\', c]),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out + "\""
}

/// A department: roster name, wave (None: listed by no wave, "unassigned"), usual
/// location, behaviour and champion share.
struct Dept {
    name: String,
    wave: Option<usize>,
    location: &'static str,
    profile: Profile,
    champions: f64,
}

/// A campaign as planned and as actually sent.
struct Campaign {
    name: String,
    phase: &'static str,
    planned: NaiveDate,
    sent: NaiveDateTime,
}

struct Wave {
    start: NaiveDate,
    campaigns: Vec<Campaign>,
    sessions: Vec<(String, NaiveDateTime)>,
}

/// Everything fixed before the first person is written.
struct World {
    depts: Vec<Dept>,
    waves: Vec<Wave>,
    /// Department index of each person, in roster order.
    people: Vec<u16>,
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    name_offset: usize,
}

impl World {
    fn new(users: usize, rng: &mut ChaCha8Rng) -> World {
        let n_waves = if users < 1000 { 3 } else { 4 };
        let mut waves = Vec::new();
        for w in 0..n_waves {
            let start = base_day() + days(21 * w as i64);
            let mut campaigns = Vec::new();
            for (phase, offset) in PHASES {
                let planned = start + days(offset);
                if planned > as_of() {
                    continue;
                }
                // Most go out as planned; some a few days late (always one of them).
                let late = if w == 1 && offset == -7 {
                    &3
                } else {
                    [0, 0, 0, 0, 1, 2, 4].choose(rng).expect("non-empty")
                };
                let sent = at(planned + days(*late), 9) + secs(rng.random_range(0..1800));
                let name = format!("w{}-{phase}", w + 1);
                campaigns.push(Campaign {
                    name,
                    phase,
                    planned,
                    sent,
                });
            }
            let sessions = SESSIONS.iter().map(|&(day, hour, title)| {
                let d = start + days(day);
                (format!("W{} {title} {d}", w + 1), at(d, hour))
            });
            let sessions = sessions.collect();
            waves.push(Wave {
                start,
                campaigns,
                sessions,
            });
        }

        // Sizes: a Pareto-like spread, a few tiny departments, 1 % that no wave lists.
        let unassigned = if users >= 50 { users / 100 } else { 0 };
        let tiny = match users {
            0..100 => 0,
            100..1000 => 2,
            _ => 3,
        };
        let tiny_sizes: Vec<usize> = (0..tiny).map(|_| rng.random_range(1..=4)).collect();
        let rest = users - unassigned - tiny_sizes.iter().sum::<usize>();
        let wanted = (20.0 * (users as f64 / 3000.0).powf(0.313)).round() as usize;
        let regular = wanted
            .clamp(3, 200)
            .saturating_sub(tiny)
            .min(rest / 5)
            .max(1);
        let weights: Vec<f64> = (1..=regular)
            .map(|k| (k as f64).powf(-1.1) * (0.3 * normal(rng)).exp())
            .collect();
        let total: f64 = weights.iter().sum();
        let mut sizes: Vec<usize> = weights
            .iter()
            .map(|w| (rest as f64 * w / total) as usize)
            .collect();
        sizes[0] += rest - sizes.iter().sum::<usize>();

        let base: Vec<&str> = DEPARTMENTS.split(',').collect();
        let mut names: Vec<String> = (0..regular.max(base.len()))
            .map(|k| match k / base.len() {
                0 => base[k].to_string(),
                r => format!(
                    "{} {}",
                    base[k % base.len()],
                    REGIONS[(r - 1) % REGIONS.len()]
                ),
            })
            .collect();
        names.shuffle(rng);
        let mut listed: Vec<(String, usize)> = names.into_iter().zip(sizes).collect();
        listed.shuffle(rng);
        listed.extend(TINY.iter().map(|t| t.to_string()).zip(tiny_sizes));
        waves.truncate(listed.len());
        let mut wave_of: Vec<usize> = (0..listed.len()).map(|k| k % waves.len()).collect();
        wave_of.shuffle(rng);
        listed.push(("Contractors".to_string(), unassigned));

        let (mut depts, mut people) = (Vec::new(), Vec::with_capacity(users));
        for (k, (name, size)) in listed.into_iter().enumerate() {
            // The first (regular) departments cover every behaviour; the rest draw one.
            let p = match k {
                0..7 => k,
                _ => *[0, 1, 1, 1, 2, 3, 4, 5, 6].choose(rng).expect("some"),
            };
            let wave = wave_of.get(k).copied();
            let profile = PROFILES[if wave.is_some() { p } else { 1 }];
            let location = LOCATIONS.choose(rng).expect("some");
            let champions = if wave.is_some() && rng.random_bool(0.7) {
                0.03
            } else {
                0.0
            };
            depts.push(Dept {
                name,
                wave,
                location,
                profile,
                champions,
            });
            people.extend(std::iter::repeat_n(k as u16, size));
        }
        people.shuffle(rng);
        let (first, last): (Vec<_>, Vec<_>) =
            (FIRST.split(',').collect(), LAST.split(',').collect());
        let name_offset = rng.random_range(0..first.len() * last.len());
        World {
            depts,
            waves,
            people,
            first,
            last,
            name_offset,
        }
    }

    /// Person `i`'s first name, last name and given names (the first name, then middle
    /// initials once every first × last pair is taken): distinct for every `i`.
    fn name(&self, i: usize) -> (&'static str, &'static str, String) {
        let (first, last) = (&self.first, &self.last);
        let combos = first.len() * last.len();
        let k = (i % combos * 7919 + self.name_offset) % combos; // 7919 is prime: a bijection
        let (first, last) = (first[k % first.len()], last[k / first.len()]);
        let mut given = first.to_string();
        let mut round = i / combos;
        while round > 0 {
            round -= 1;
            given.push_str(&format!(" {}.", char::from(b'A' + (round % 26) as u8)));
            round /= 26;
        }
        (first, last, given)
    }

    /// `uptake.toml` as in SPEC.md section 2.
    fn write_config(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(CONFIG_HEAD.as_bytes())?;
        for (w, wave) in self.waves.iter().enumerate() {
            let in_wave = self.depts.iter().filter(|d| d.wave == Some(w));
            let groups: Vec<String> = in_wave.map(|d| toml_str(&d.name)).collect();
            let curve: Vec<String> = CURVES[w]
                .iter()
                .map(|(d, s)| format!("[{d}, {s:?}]"))
                .collect();
            let (open, train, tickets) = TARGETS[w];
            writeln!(
                out,
                "\n[[waves]]\nname = \"Wave {}\"\nstart = \"{}\"",
                w + 1,
                wave.start
            )?;
            writeln!(out, "groups = [{}]", groups.join(", "))?;
            writeln!(out, "enrollment_target = [{}]", curve.join(", "))?;
            writeln!(
                out,
                "email_open_target = {open:?}\ntraining_target = {train:?}"
            )?;
            writeln!(out, "tickets_per_100_target = {tickets:?}")?;
        }
        for (w, wave) in self.waves.iter().enumerate() {
            for c in &wave.campaigns {
                let (name, phase, planned) = (toml_str(&c.name), c.phase, c.planned);
                writeln!(out, "\n[[campaigns]]\nname = {name}\nphase = \"{phase}\"")?;
                writeln!(out, "wave = \"Wave {}\"\nplanned = \"{planned}\"", w + 1)?;
            }
        }
        Ok(())
    }
}

/// One CSV file being written. It has its own random stream for the bad rows, so that
/// sprinkling them does not shift the data.
struct Sink {
    path: PathBuf,
    out: BufWriter<File>,
    layout: Layout,
    rows: u64,
    bad: usize,
    rng: ChaCha8Rng,
    groups: Vec<String>,
}

impl Sink {
    fn create(
        dir: &Path,
        layout: Layout,
        seed: u64,
        k: u64,
        groups: &[String],
    ) -> io::Result<Sink> {
        let path = dir.join(layout.file);
        let mut out = BufWriter::with_capacity(1 << 18, File::create(&path)?);
        writeln!(out, "{}", layout.header)?;
        let rng = ChaCha8Rng::seed_from_u64(seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let groups = groups.to_vec();
        Ok(Sink {
            path,
            out,
            layout,
            rows: 0,
            bad: 0,
            rng,
            groups,
        })
    }

    /// Writes a good row, now and then with a bad one (see [`Bad`]).
    fn row(&mut self, fields: &[&str]) -> io::Result<()> {
        if !self.rng.random_bool(BAD_ROW_RATE) {
            return self.emit(fields);
        }
        let Layout {
            id,
            times,
            other,
            modes,
            ..
        } = self.layout;
        // Cycle through the kinds first so that even small files get each of them.
        let mode = match modes.get(self.bad) {
            Some(&mode) => mode,
            None => *modes.choose(&mut self.rng).expect("every layout has modes"),
        };
        self.bad += 1;
        let mut bad: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        match mode {
            MixedCase => {
                bad[id] = mangle(&bad[id]);
                return self.emit(&bad.iter().map(String::as_str).collect::<Vec<_>>());
            }
            Duplicate => {}
            EmptyId => bad[id].clear(),
            Unparseable => {
                bad[times[0]] = BAD_TIMES.choose(&mut self.rng).expect("some").to_string()
            }
            UnknownEvent => bad[other] = "forwarded".to_string(),
            Swap => bad.swap(times[0], times[1]),
            Stranger => {
                bad[id] = format!(
                    "former.employee{}@contoso.com",
                    self.rng.random_range(1..=40)
                )
            }
            Conflict => {
                let moved = self.groups.iter().find(|g| **g != bad[other]);
                bad[other] = moved.cloned().unwrap_or_else(|| "Unknown".to_string());
            }
        }
        self.emit(fields)?;
        self.emit(&bad.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// One CSV line; a field holding a comma, quote or line break is quoted.
    fn emit(&mut self, fields: &[&str]) -> io::Result<()> {
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                self.out.write_all(b",")?;
            }
            if f.contains([',', '"', '\n', '\r']) {
                write!(self.out, "\"{}\"", f.replace('"', "\"\""))?;
            } else {
                self.out.write_all(f.as_bytes())?;
            }
        }
        self.out.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> io::Result<(PathBuf, u64)> {
        self.out.flush()?;
        Ok((self.path, self.rows))
    }
}

/// A person's training: the session day that made them trained (the nominal
/// minutes of the unplanted model), and the instant their attended time reached
/// [`TRAINED_MINUTES`] (the union of the intervals written: the exposure of planted
/// effects).
#[derive(Default)]
struct Attended {
    day: Option<NaiveDate>,
    reached: Option<NaiveDateTime>,
}

/// The first instant at which the union of `intervals` (one session's) holds
/// `minutes` minutes.
fn attended_for(
    intervals: &[(NaiveDateTime, NaiveDateTime)],
    minutes: i64,
) -> Option<NaiveDateTime> {
    let mut sorted = intervals.to_vec();
    sorted.sort();
    let need = TimeDelta::minutes(minutes);
    let mut got = TimeDelta::zero();
    let mut covered_to: Option<NaiveDateTime> = None;
    for (from, to) in sorted {
        let from = covered_to.map_or(from, |c| from.max(c));
        if to > from {
            if got + (to - from) >= need {
                return Some(from + (need - got));
            }
            got += to - from;
        }
        covered_to = Some(covered_to.map_or(to, |c| c.max(to)));
    }
    None
}

/// The weekly chance of enrolling, in week `week` of wave `wave` (0-based), of someone
/// exposed to nothing, when effects are planted: later waves go faster (each learned
/// from the one before), and every wave slows down as it goes.
fn weekly_chance(wave: usize, week: i64) -> f64 {
    (0.15 + 0.03 * wave as f64) * 0.95f64.powi(week as i32)
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

/// One roster person while their events are written.
struct Person {
    upn: String,
    /// The `@contoso.fr` alias that some events carry instead of the UPN.
    alias: Option<String>,
    left_on: Option<NaiveDate>,
    profile: Profile,
    /// Personal taste for email, around 1.
    engaged: f64,
    /// Personal taste for training: `engaged`, unless effects are planted (then drawn
    /// on its own, so that reading and training are independent but for keenness).
    training_engaged: f64,
    /// Hidden keenness multiplying the chances of training and of enrolling each
    /// week: 1 unless `--selection` is planted.
    keen: f64,
}

impl Person {
    fn id(&self, rng: &mut ChaCha8Rng) -> &str {
        match &self.alias {
            Some(alias) if rng.random_bool(0.6) => alias,
            _ => &self.upn,
        }
    }
    fn gone_by(&self, d: NaiveDate) -> bool {
        self.left_on.is_some_and(|l| l <= d)
    }
}

/// The random stream and the five open sources.
struct State {
    rng: ChaCha8Rng,
    planted: Planted,
    next_ticket: u64,
    roster: Sink,
    enrollments: Sink,
    email: Sink,
    training: Sink,
    tickets: Sink,
}

impl State {
    fn person(&mut self, world: &World, i: usize, dept: &Dept) -> io::Result<()> {
        let rng = &mut self.rng;
        // A few people share the display name of the one before (with another UPN).
        let twin = i > 0 && (i % 1000 == 500 || rng.random_bool(0.002));
        let (first, last, given) = world.name(if twin { i - 1 } else { i });
        let local = format!("{first}.{last}{}", i + 1)
            .to_lowercase()
            .replace(' ', "");
        let upn = format!("{local}@contoso.com");
        let alias = format!("{}.{last}{}@contoso.fr", &first[..1], i + 1);
        let alias = rng
            .random_bool(0.03)
            .then(|| alias.to_lowercase().replace(' ', ""));
        let display = match rng.random_bool(0.05) {
            true => format!("{last}, {given}"),
            false => format!("{given} {last}"),
        };
        let left_on = rng
            .random_bool(0.02)
            .then(|| date(2026, 8, 15) + days(rng.random_range(0..120)));
        let champion = pick(rng, dept.champions, "yes", "");
        let elsewhere = LOCATIONS.choose(rng).expect("some");
        let location = pick(rng, 0.7, dept.location, elsewhere);
        let left = left_on.map(|d| d.to_string()).unwrap_or_default();
        let mail = alias.as_deref().unwrap_or(&upn);
        self.roster
            .row(&[&upn, &display, mail, &dept.name, location, champion, &left])?;

        let engaged = rng.random_range(0.6..1.4);
        let (training_engaged, keen) = match self.planted.active() {
            false => (engaged, 1.0),
            true => {
                let s = self.planted.selection.unwrap_or(0.0);
                let z = normal(rng);
                // Log-normal with mean 1: selection shifts who trains, not how many.
                (rng.random_range(0.6..1.4), (s * z - s * s / 2.0).exp())
            }
        };
        let person = Person {
            upn,
            alias,
            left_on,
            profile: dept.profile,
            engaged,
            training_engaged,
            keen,
        };
        let Some(w) = dept.wave else {
            // Listed by no wave: some enroll anyway, some call the help desk.
            let day = base_day() + days(rng.random_range(0..(as_of() - base_day()).num_days()));
            let when = work_time(rng, day);
            let enrolled = rng.random_bool(0.6).then_some(when);
            if let Some(when) = enrolled {
                self.devices(&person, when)?;
            }
            return self.tickets(&person, None, enrolled);
        };
        let wave = &world.waves[w];
        let opened = self.emails(&person, wave)?;
        let trained = self.attend(&person, wave)?;
        let enrolled = match self.planted.active() {
            false => self.enroll(&person, wave, opened.is_some(), trained.day)?,
            true => self.enroll_planted(&person, wave, w, opened, trained.reached)?,
        };
        self.tickets(&person, Some(wave.start), enrolled)
    }

    /// Sent, delivered (or bounce), opens and clicks for each campaign of the wave, plus
    /// Apple Mail's prefetch opens. Returns the person's first real open, if any.
    fn emails(&mut self, p: &Person, wave: &Wave) -> io::Result<Option<NaiveDateTime>> {
        const EVENTS: [[&str; 3]; 5] = [
            ["sent", "Sent", "SENT"],
            ["delivered", "Delivered", "DELIVERED"],
            ["open", "Open", "OPEN"],
            ["click", "Click", "CLICK"],
            ["bounce", "Bounce", "BOUNCE"],
        ];
        let rng = &mut self.rng;
        let reader = rng.random_bool((0.65 * p.profile.email * p.engaged).min(0.97));
        let apple = rng.random_bool(0.04);
        let mut opened: Option<NaiveDateTime> = None;
        for c in wave.campaigns.iter().filter(|c| !p.gone_by(c.sent.date())) {
            let mut row = |rng: &mut ChaCha8Rng, ev: usize, t: NaiveDateTime, machine| {
                let case = if rng.random_bool(0.003) {
                    rng.random_range(1..3)
                } else {
                    0
                };
                let id = p.id(rng);
                self.email
                    .row(&[id, &c.name, EVENTS[ev][case], &t.to_string(), machine])
            };
            let sent = c.sent + secs(rng.random_range(0..3600));
            row(rng, 0, sent, "")?;
            if rng.random_bool(0.012) {
                let bounced = sent + secs(rng.random_range(5..900));
                row(rng, 4, bounced, "")?;
                continue;
            }
            let delivered = sent + secs(rng.random_range(1..90));
            row(rng, 1, delivered, "")?;
            if apple {
                let prefetch = delivered + secs(rng.random_range(2..60));
                row(rng, 2, prefetch, "true")?;
            }
            if !rng.random_bool(if reader { 0.7 } else { 0.03 }) {
                continue;
            }
            let mut t = delivered;
            for k in 0..5 {
                t += secs((exponential(rng) * 8.0 * 3600.0) as i64 + 30);
                if k == 0 {
                    opened = Some(opened.map_or(t, |o| o.min(t)));
                }
                row(rng, 2, t, "")?;
                if k == 0 && rng.random_bool(0.3) {
                    let click = t + secs(rng.random_range(5..300));
                    row(rng, 3, click, "")?;
                }
                if !rng.random_bool(0.3) {
                    break;
                }
            }
        }
        Ok(opened)
    }

    /// Attendance at one training session: whole, part, rejoined after a drop, or from
    /// two devices at once. Returns when it made the person trained, if it did.
    fn attend(&mut self, p: &Person, wave: &Wave) -> io::Result<Attended> {
        let rng = &mut self.rng;
        let chance = 0.55 * p.profile.training * p.training_engaged * p.keen;
        if !rng.random_bool(chance.min(0.95)) {
            return Ok(Attended::default());
        }
        let (session, start) = wave.sessions.choose(rng).expect("every wave has sessions");
        if p.gone_by(start.date()) {
            return Ok(Attended::default());
        }
        let join = *start + secs(rng.random_range(-180..300));
        let end = *start + secs(3600 + rng.random_range(-120..180));
        let mut intervals = vec![(join, end)];
        let mut minutes = 60;
        match rng.random_range(0..10) {
            0..=5 => {}
            6 | 7 => {
                minutes = rng.random_range(5..50);
                intervals[0].1 = join + TimeDelta::minutes(minutes);
            }
            8 => {
                let drop = join + TimeDelta::minutes(rng.random_range(10..35));
                intervals = vec![(join, drop), (drop + secs(rng.random_range(30..300)), end)];
            }
            _ => {
                let (from, to) = (rng.random_range(60..600), rng.random_range(0..300));
                intervals.push((join + secs(from), end - secs(to)));
            }
        }
        for &(from, to) in &intervals {
            let id = p.id(rng);
            self.training
                .row(&[id, session, &with_offset(from), &with_offset(to)])?;
        }
        Ok(Attended {
            // The unplanted model has always judged by the session's nominal minutes,
            // which agree with the union except in how exactly they are counted.
            day: (minutes >= TRAINED_MINUTES).then(|| start.date()),
            reached: attended_for(&intervals, TRAINED_MINUTES),
        })
    }

    /// Whether and when the person enrolls: training and opened emails raise the chance
    /// and shorten the wait. Later enrollments are not in the export yet, except for a
    /// few days past the as-of day (which test the cut-off).
    fn enroll(
        &mut self,
        p: &Person,
        wave: &Wave,
        opened: bool,
        trained: Option<NaiveDate>,
    ) -> io::Result<Option<NaiveDateTime>> {
        let rng = &mut self.rng;
        let t = if trained.is_some() { 1.0 } else { 0.0 };
        let o = if opened { 1.0 } else { 0.0 };
        let Profile {
            enroll: base,
            delay,
            early,
            ..
        } = p.profile;
        let chance = base + (1.0 - base) * (0.6 * t + 0.3 * o);
        if !rng.random_bool(if t + o == 0.0 {
            0.75 * chance
        } else {
            chance.min(0.99)
        }) {
            return Ok(None);
        }
        let offset = match rng.random_bool(early) {
            true => -rng.random_range(1.0..10.0),
            false => delay * (1.0 - 0.45 * t - 0.2 * o) * exponential(rng),
        };
        let mut day = wave.start + days(offset.floor() as i64);
        if let Some(trained) = trained.filter(|&d| d > day && rng.random_bool(0.6)) {
            day = trained + days(rng.random_range(0..3));
        }
        let when = work_time(rng, day);
        let when = weekday(rng, when);
        if when.date() > as_of() + days(3) || p.gone_by(when.date()) {
            return Ok(None);
        }
        self.devices(p, when)?;
        Ok(Some(when))
    }

    /// Whether and when the person enrolls when effects are planted: week by week of
    /// the wave, with the weekly chance of [`weekly_chance`] times the planted risk
    /// ratio of each factor the person was exposed to before the week began, times
    /// their keenness; on a working day of that week. A few enroll before the start,
    /// as their department tends to (those are in no week). Enrollments after a few
    /// days past the as-of day are not in the export yet.
    fn enroll_planted(
        &mut self,
        p: &Person,
        wave: &Wave,
        w: usize,
        opened: Option<NaiveDateTime>,
        trained: Option<NaiveDateTime>,
    ) -> io::Result<Option<NaiveDateTime>> {
        let rng = &mut self.rng;
        let last = as_of() + days(3);
        let mut when = None;
        if rng.random_bool(p.profile.early) {
            let day = wave.start - days(rng.random_range(3..10));
            when = Some(work_time(rng, day));
        }
        let mut week = 0;
        while when.is_none() && wave.start + days(7 * week) <= last {
            let begins = wave.start + days(7 * week);
            // Exposed before the week began: on an earlier day (both happen in the day).
            let before = |t: Option<NaiveDateTime>| t.is_some_and(|t| t.date() < begins);
            let mut chance = weekly_chance(w, week) * p.keen;
            if before(trained) {
                chance *= self.planted.trained.unwrap_or(1.0);
            }
            if before(opened) {
                chance *= self.planted.opened.unwrap_or(1.0);
            }
            if rng.random_bool(chance.clamp(0.0, 0.95)) {
                let workdays: Vec<NaiveDate> = (0..7)
                    .map(|k| begins + days(k))
                    .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
                    .collect();
                let day = *workdays.choose(rng).expect("a week has working days");
                when = Some(work_time(rng, day));
            }
            week += 1;
        }
        let Some(when) = when.filter(|t| t.date() <= last && !p.gone_by(t.date())) else {
            return Ok(None);
        };
        self.devices(p, when)?;
        Ok(Some(when))
    }

    /// A laptop, a phone, or (a quarter of people) a laptop then a phone days later.
    fn devices(&mut self, p: &Person, when: NaiveDateTime) -> io::Result<()> {
        let rng = &mut self.rng;
        let laptop = pick(rng, 0.8, "Windows", "macOS");
        let phone = pick(rng, 0.6, "iOS", "Android");
        let later = when + days(rng.random_range(1..12)) + secs(rng.random_range(-3600..3600));
        let devices = match rng.random_range(0..20) {
            0 | 1 => vec![(phone, when)],
            2..=6 if later.date() <= as_of() + days(3) => vec![(laptop, when), (phone, later)],
            _ => vec![(laptop, when)],
        };
        for (os, t) in devices {
            let compliant = pick(rng, 0.9, "true", "false");
            let (id, device) = (p.id(rng).to_string(), guid(rng));
            self.enrollments
                .row(&[&id, &device, os, &utc(t), compliant])?;
        }
        Ok(())
    }

    /// Tickets around enrollment (or a failed attempt), and a background of others.
    fn tickets(
        &mut self,
        p: &Person,
        start: Option<NaiveDate>,
        enrolled: Option<NaiveDateTime>,
    ) -> io::Result<()> {
        let rng = &mut self.rng;
        let load = p.profile.tickets;
        let mut opened = Vec::new();
        match (start, enrolled) {
            (_, Some(e)) if rng.random_bool((0.08 * load).min(1.0)) => {
                for _ in 0..1 + usize::from(rng.random_bool(0.2)) {
                    let c = *ENROLL_CATEGORIES.choose(rng).expect("some");
                    let day = e.date() + days(rng.random_range(0..4));
                    let t = work_time(rng, day);
                    opened.push((c, t.max(e + secs(600))));
                }
            }
            (Some(s), None) if s < as_of() && rng.random_bool((0.04 * load).min(1.0)) => {
                let day = s + days(rng.random_range(0..(as_of() - s).num_days()));
                opened.push((ENROLL_CATEGORIES[0], work_time(rng, day)));
            }
            _ => {}
        }
        if rng.random_bool(0.03) {
            let c = *OTHER_CATEGORIES.choose(rng).expect("some");
            let day = date(2026, 8, 10) + days(rng.random_range(0..=102));
            opened.push((c, work_time(rng, day)));
        }
        for ((category, median), at) in opened {
            let at = weekday(rng, at);
            // Log-normal around the category's median; a few wait on the user for weeks.
            let stuck = if rng.random_bool(0.04) { 15.0 } else { 1.0 };
            let hours = (stuck * median * (1.1 * normal(rng)).exp()).max(0.1);
            let resolved = at + secs((hours * 3600.0) as i64);
            let (resolved, status) = match resolved.date() <= as_of() + days(1) {
                true => (resolved.to_string(), "resolved"),
                false => (String::new(), pick(rng, 0.5, "open", "in-progress")),
            };
            let ticket = format!("INC{:07}", self.next_ticket);
            self.next_ticket += 1;
            let id = p.id(rng).to_string();
            self.tickets
                .row(&[&ticket, &id, &at.to_string(), &resolved, category, status])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(users: usize, seed: u64, tag: &str) -> (PathBuf, GenerateSummary) {
        let out = std::env::temp_dir().join(format!("uptake-gen-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let summary = generate(&GenerateOptions {
            users,
            seed,
            out: out.clone(),
        });
        (out, summary.expect("generate"))
    }

    fn contents(summary: &GenerateSummary) -> Vec<Vec<u8>> {
        summary
            .files
            .iter()
            .map(|(p, _)| std::fs::read(p).expect("written"))
            .collect()
    }

    #[test]
    fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
        let (a, first) = run(2000, 7, "a");
        let (b, second) = run(2000, 7, "b");
        let (c, third) = run(2000, 8, "c");
        assert_eq!(contents(&first), contents(&second));
        let (x, z) = (contents(&first), contents(&third));
        for k in 1..6 {
            assert_ne!(x[k], z[k], "{:?} ignores the seed", first.files[k].0);
        }
        for dir in [a, b, c] {
            std::fs::remove_dir_all(dir).expect("cleanup");
        }
    }

    #[test]
    fn files_have_the_canonical_headers_and_counted_rows() {
        let (dir, summary) = run(3000, 1, "headers");
        let names: Vec<_> = summary
            .files
            .iter()
            .map(|(p, _)| p.file_name().expect("name"))
            .collect();
        let csvs = [
            "roster",
            "enrollments",
            "email_events",
            "attendance",
            "tickets",
        ];
        assert_eq!(names[0], "uptake.toml");
        assert_eq!(summary.files[0].1, 0);
        for (k, layout) in [ROSTER, ENROLLMENTS, EMAIL, TRAINING, TICKETS]
            .iter()
            .enumerate()
        {
            let (path, rows) = &summary.files[k + 1];
            assert_eq!(
                names[k + 1].to_str(),
                Some(format!("{}.csv", csvs[k]).as_str())
            );
            let text = std::fs::read_to_string(path).expect("written");
            assert_eq!(text.lines().next(), Some(layout.header));
            assert_eq!(text.lines().count() as u64, rows + 1, "{path:?}");
            assert!(*rows > 0, "{path:?} is empty");
        }
        let toml = std::fs::read_to_string(&summary.files[0].0).expect("config");
        assert!(toml.contains(&format!("as_of = \"{}\"", as_of())));
        assert!(toml.contains("group_by = \"department\"") && toml.contains("[[campaigns]]"));
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    #[test]
    fn tiny_and_empty_rosters_still_write_every_file() {
        for users in [0, 1, 7] {
            let (dir, summary) = run(users, 3, &format!("tiny{users}"));
            assert_eq!(summary.files.len(), 6);
            std::fs::remove_dir_all(dir).expect("cleanup");
        }
    }

    #[test]
    fn planted_rollouts_are_a_pure_function_of_seed_and_effects() {
        let planted = |selection| Planted {
            trained: Some(2.0),
            opened: None,
            selection,
        };
        let gen = |tag: &str, p: &Planted| {
            let out = std::env::temp_dir().join(format!("uptake-gen-{}-{tag}", std::process::id()));
            let opts = GenerateOptions {
                users: 400,
                seed: 9,
                out: out.clone(),
            };
            let files = contents(&generate_planted(&opts, p).expect("generate"));
            std::fs::remove_dir_all(out).expect("cleanup");
            files
        };
        let (a, b) = (gen("pa", &planted(None)), gen("pb", &planted(None)));
        assert_eq!(a, b);
        assert_ne!(a, gen("pc", &planted(Some(1.0))));
        assert_ne!(a[2], gen("pd", &Planted::default())[2]);
        assert!(!Planted::default().active() && planted(None).active());
    }

    #[test]
    fn training_reaches_the_threshold_inside_the_union_of_intervals() {
        let t = |m: i64| at(date(2026, 9, 8), 10) + TimeDelta::minutes(m);
        // [0, 20] and [10, 40] overlap: the union holds 30 minutes at minute 30.
        assert_eq!(
            attended_for(&[(t(10), t(40)), (t(0), t(20))], 30),
            Some(t(30))
        );
        // Dropped from minute 15 to 20: 15 + 15 minutes at minute 35.
        assert_eq!(
            attended_for(&[(t(0), t(15)), (t(20), t(60))], 30),
            Some(t(35))
        );
        // A second device inside the first interval adds nothing.
        assert_eq!(attended_for(&[(t(0), t(29)), (t(5), t(20))], 30), None);
    }

    #[test]
    fn offsets_follow_paris_summer_time() {
        let local = |m, d| with_offset(at(date(2026, m, d), 10));
        assert_eq!(local(9, 10), "2026-09-10T10:00:00+02:00");
        assert_eq!(local(10, 24), "2026-10-24T10:00:00+02:00");
        assert_eq!(local(10, 26), "2026-10-26T10:00:00+01:00");
        assert_eq!(local(3, 30), "2026-03-30T10:00:00+02:00");
        assert_eq!(utc(at(date(2026, 11, 20), 10)), "2026-11-20T09:00:00Z");
    }

    #[test]
    fn ids_are_mangled_like_a_hand_typed_export() {
        assert_eq!(
            mangle("anne.martin42@contoso.com"),
            "  Anne.Martin42@Contoso.Com "
        );
        assert_eq!(toml_str("R&D \"x\""), "\"R&D \\\"x\\\"\"");
    }
}

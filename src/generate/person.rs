//! The people, one at a time: each roster person's row, then their emails, training,
//! enrollment, devices and tickets, drawn from the main random stream in a fixed
//! order (so that the output without the optional capabilities never changes), then
//! what the optional capabilities add (`--workloads`, `--channels`, `--after`), each
//! from a stream of its own. Takes the [`World`]; hands each row to its file.

use std::io;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Weekday};
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::after::After;
use super::channels::{Channels, Reach};
use super::cuts::Cuts;
use super::devices::{Device, Devices};
use super::sink::{Sink, Target};
use super::snapshots::{write_roster, write_ticket, Churn, Moves, RosterRow, Ticket};
use super::util::{
    as_of, base_day, date, days, exponential, guid, normal, pick, secs, weekday, with_offset,
    work_time,
};
use super::workloads::{Assigned, Workloads};
use super::world::{Profile, Wave, World, LOCATIONS};
use super::{GenerateSummary, Planted};

/// `training_min_minutes` of the config written.
pub(super) const TRAINED_MINUTES: i64 = 30;
/// (category, median resolution hours): tickets around enrollment, then the others.
const ENROLL_CATEGORIES: [(&str, f64); 4] = [
    ("enrollment", 6.0),
    ("enrollment", 6.0),
    ("compliance", 20.0),
    ("app-install", 10.0),
];
const OTHER_CATEGORIES: [(&str, f64); 4] =
    [("mfa", 1.5), ("mfa", 1.5), ("email", 4.0), ("other", 8.0)];

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
pub(super) fn attended_for(
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
pub(super) fn weekly_chance(wave: usize, week: i64) -> f64 {
    (0.15 + 0.03 * wave as f64) * 0.95f64.powi(week as i32)
}

/// The earlier of two instants (or days), either of which may be missing.
pub(super) fn earliest<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One roster person while their events are written.
pub(super) struct Person {
    pub(super) upn: String,
    /// The `@contoso.fr` alias that some events carry instead of the UPN.
    pub(super) alias: Option<String>,
    /// As on the roster.
    pub(super) display: String,
    pub(super) left_on: Option<NaiveDate>,
    /// The day a joiner joined (`--snapshots`): nothing of theirs happens before.
    pub(super) joined_on: Option<NaiveDate>,
    pub(super) profile: Profile,
    /// Personal taste for email, around 1.
    pub(super) engaged: f64,
    /// Personal taste for training: `engaged`, unless effects are planted (then drawn
    /// on its own, so that reading and training are independent but for keenness).
    pub(super) training_engaged: f64,
    /// Hidden keenness multiplying the chances of training and of enrolling each
    /// week: 1 unless `--selection` is planted.
    pub(super) keen: f64,
}

impl Person {
    /// The id an event carries: the UPN, or now and then the alias.
    pub(super) fn id(&self, rng: &mut ChaCha8Rng) -> &str {
        match &self.alias {
            Some(alias) if rng.random_bool(0.6) => alias,
            _ => &self.upn,
        }
    }
    /// Left on or before `d`.
    pub(super) fn gone_by(&self, d: NaiveDate) -> bool {
        self.left_on.is_some_and(|l| l <= d)
    }
    /// `d` is before the day they joined.
    pub(super) fn before_joining(&self, d: NaiveDate) -> bool {
        self.joined_on.is_some_and(|j| d < j)
    }
    /// Not with the company on `d`: left by then, or not joined yet.
    pub(super) fn absent_on(&self, d: NaiveDate) -> bool {
        self.gone_by(d) || self.before_joining(d)
    }
}

/// The random stream, the open sources, and the optional capabilities' parts.
pub(super) struct State {
    pub(super) rng: ChaCha8Rng,
    pub(super) planted: Planted,
    pub(super) next_ticket: u64,
    pub(super) roster: Target,
    pub(super) devices: Devices,
    pub(super) email: Sink,
    pub(super) training: Sink,
    pub(super) tickets: Target,
    pub(super) cuts: Option<Cuts>,
    pub(super) churn: Option<Churn>,
    pub(super) workloads: Option<Workloads>,
    pub(super) channels: Option<Channels>,
    pub(super) after: Option<After>,
}

impl State {
    /// Flushes every file, in the order the summary lists them: the five sources,
    /// then the further workloads' exports, the channels' files and the after-
    /// enrollment files.
    pub(super) fn finish(self, summary: &mut GenerateSummary) -> io::Result<()> {
        self.roster.finish(summary)?;
        self.devices.finish(summary)?;
        summary.files.push(self.email.finish()?);
        summary.files.push(self.training.finish()?);
        self.tickets.finish(summary)?;
        if let Some(workloads) = self.workloads {
            workloads.finish(summary)?;
        }
        if let Some(channels) = self.channels {
            channels.finish(summary)?;
        }
        match self.after {
            Some(after) => after.finish(summary),
            None => Ok(()),
        }
    }

    /// Writes person `i` of `world` and everything they did.
    pub(super) fn person(&mut self, world: &World, i: usize) -> io::Result<()> {
        let d = usize::from(world.people[i]);
        let dept = &world.depts[d];
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

        // The optional capabilities' roster columns and history, each from its stream.
        let mut more: Vec<String> = Vec::new();
        let location = match &mut self.cuts {
            Some(cuts) => {
                let (site, centre) = cuts.person(i, d, location);
                more.push(centre);
                site
            }
            None => location,
        };
        let moves = match &mut self.churn {
            Some(churn) => churn.person(d, left_on),
            None => Moves::default(),
        };
        let assigned = match &mut self.workloads {
            Some(w) => w.assign(
                (d, dept.wave.is_some()),
                location,
                champion == "yes",
                &mut more,
            ),
            None => Assigned::default(),
        };
        let row = RosterRow {
            cells: [&upn, &display, mail, &dept.name, location, champion],
            left: &left,
            more: &more,
            left_on,
            joined_on: moves.joined_on,
            moved: moves
                .moved
                .map(|(old, day)| (world.depts[old].name.as_str(), day)),
        };
        write_roster(&mut self.roster, &row)?;

        let rng = &mut self.rng;
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
            display,
            left_on,
            joined_on: moves.joined_on,
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
            let enrolled = enrolled.filter(|t| !person.before_joining(t.date()));
            if let Some(when) = enrolled {
                self.devices(&person, when)?;
            }
            let tickets = self.tickets(&person, None, enrolled)?;
            return self.beyond(world, &person, (d, None), enrolled, tickets, &assigned);
        };
        let wave = &world.waves[w];
        let opened = self.emails(&person, wave)?;
        let trained = self.attend(&person, wave)?;
        let reach = match &mut self.channels {
            Some(channels) => channels.person(&person, (d, w), world, &mut self.training)?,
            None => Reach::default(),
        };
        let enrolled = match self.planted.active() {
            false => {
                let trained = earliest(trained.day, reach.trained_day);
                let touched = reach.touched;
                self.enroll(&person, wave, opened.is_some(), touched, trained)?
            }
            true => {
                let trained = earliest(trained.reached, reach.trained_at);
                self.enroll_planted(&person, wave, w, opened, trained)?
            }
        };
        let tickets = self.tickets(&person, Some(wave.start), enrolled)?;
        self.beyond(world, &person, (d, Some(w)), enrolled, tickets, &assigned)
    }

    /// What the optional capabilities add once the first workload is done: the other
    /// workloads' emails and enrollments (`--workloads`), then active use and the
    /// survey (`--after`). `at` is the department and the first workload's wave.
    fn beyond(
        &mut self,
        world: &World,
        p: &Person,
        at: (usize, Option<usize>),
        enrolled: Option<NaiveDateTime>,
        tickets: usize,
        assigned: &Assigned,
    ) -> io::Result<()> {
        let mut adopted: Vec<(usize, NaiveDateTime)> =
            enrolled.map(|e| (0, e)).into_iter().collect();
        if let Some(mut wl) = self.workloads.take() {
            let done = self.other_workloads(&mut wl, p, at.0, enrolled, assigned, &mut adopted);
            self.workloads = Some(wl);
            done?;
        }
        match &mut self.after {
            Some(after) => after.person(p, world, at, &adopted, tickets),
            None => Ok(()),
        }
    }

    /// Emails and enrollment for each further workload the person has a wave in. The
    /// emails are drawn as the first workload's are, from the workloads' stream.
    fn other_workloads(
        &mut self,
        wl: &mut Workloads,
        p: &Person,
        d: usize,
        enrolled: Option<NaiveDateTime>,
        assigned: &Assigned,
        adopted: &mut Vec<(usize, NaiveDateTime)>,
    ) -> io::Result<()> {
        for k in 0..wl.extras.len() {
            let Some(x) = assigned.waves[k] else {
                continue;
            };
            std::mem::swap(&mut self.rng, &mut wl.rng);
            let opened = self.emails(p, &wl.extras[k].waves[x]);
            std::mem::swap(&mut self.rng, &mut wl.rng);
            if let Some(t) = wl.enroll(k, p, (d, x), opened?, enrolled)? {
                adopted.push((k + 1, t));
            }
        }
        Ok(())
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
        for c in wave
            .campaigns
            .iter()
            .filter(|c| !p.absent_on(c.sent.date()))
        {
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
        if p.absent_on(start.date()) {
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

    /// Whether and when the person enrolls: training and opened emails (and, with
    /// `--channels`, the other channels: `touched` is 1 for a meeting, 0.5 for a page,
    /// post or poster) raise the chance and shorten the wait. Later enrollments are not in the export yet, except for a
    /// few days past the as-of day (which test the cut-off).
    fn enroll(
        &mut self,
        p: &Person,
        wave: &Wave,
        opened: bool,
        touched: f64,
        trained: Option<NaiveDate>,
    ) -> io::Result<Option<NaiveDateTime>> {
        let rng = &mut self.rng;
        let t = if trained.is_some() { 1.0 } else { 0.0 };
        // A touchpoint (`--channels`) reaches like an opened email, or half as well.
        let o = if opened { 1.0f64 } else { 0.0 }.max(touched);
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
        if when.date() > as_of() + days(3) || p.absent_on(when.date()) {
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
        let Some(when) = when.filter(|t| t.date() <= last && !p.absent_on(t.date())) else {
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
            let device = Device {
                id: &id,
                device: &device,
                os,
                enrolled: t,
                compliant: compliant == "true",
            };
            self.devices.write(p, &device)?;
        }
        Ok(())
    }

    /// Tickets around enrollment (or a failed attempt), and a background of others.
    /// Returns how many were written.
    fn tickets(
        &mut self,
        p: &Person,
        start: Option<NaiveDate>,
        enrolled: Option<NaiveDateTime>,
    ) -> io::Result<usize> {
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
        // Nobody calls the help desk before they joined (only joiners, `--snapshots`).
        opened.retain(|(_, at)| !p.before_joining(at.date()));
        let count = opened.len();
        for ((category, median), at) in opened {
            let at = weekday(rng, at);
            // Log-normal around the category's median; a few wait on the user for weeks.
            let stuck = if rng.random_bool(0.04) { 15.0 } else { 1.0 };
            let hours = (stuck * median * (1.1 * normal(rng)).exp()).max(0.1);
            let resolved = at + secs((hours * 3600.0) as i64);
            let status = match resolved.date() <= as_of() + days(1) {
                true => "resolved",
                false => pick(rng, 0.5, "open", "in-progress"),
            };
            let ticket = format!("INC{:07}", self.next_ticket);
            self.next_ticket += 1;
            let id = p.id(rng).to_string();
            let ticket = Ticket {
                ticket: &ticket,
                id: &id,
                opened: at,
                resolved,
                category,
                status,
            };
            write_ticket(&mut self.tickets, &ticket)?;
        }
        Ok(count)
    }
}

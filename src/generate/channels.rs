//! `--channels`: the communication plan beyond email and the ways to learn beyond
//! instructor-led sessions. Takes each person of a wave; writes their touchpoints
//! (`touchpoints.csv`: `user_id, channel, timestamp, campaign`), their self-paced
//! course completions (`completions.csv`: `user_id, course, completed_at`) and their
//! brown-bag attendance (into `attendance.csv`, sessions named `Brown bag <department>
//! <day>`); hands back how far they were reached and when they were trained that way,
//! which the person model uses as it uses opened emails and sessions. All from a
//! stream of its own.
//!
//! Channels: `meeting` (each wave's kickoff town hall and enrollment Q&A, tagged with
//! the campaign of the same name), `intranet` (page views), `viva engage` (post views,
//! now and then spelled `Viva Engage`), `poster` (QR scans, mostly by frontline
//! departments). Departments that ignore email attend the meetings: some people are
//! reached only by a channel other than email, many by several. The departments that
//! skip sessions take the self-paced course more, and every department has one brown
//! bag: some people are trained both ways.

use std::io;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::person::{attended_for, earliest, Person, TRAINED_MINUTES};
use super::sink::{self, Sink};
use super::util::{as_of, at, days, pick, secs, utc, weekday, with_offset, work_time};
use super::world::World;
use super::GenerateSummary;

/// The self-paced courses: the first, and a short one some take after it.
const COURSES: [&str; 2] = [
    "Intune self-service enrollment (e-learning)",
    "Company Portal in 10 minutes",
];
/// Departments whose people work on the floor and see posters more than email.
const FRONTLINE: [&str; 6] = [
    "Manufacturing",
    "Logistics",
    "Facilities",
    "Retail",
    "Field Service",
    "Supply Chain",
];

/// How a person was reached and trained beyond email and sessions.
#[derive(Default)]
pub(super) struct Reach {
    /// 1 after a meeting, 0.5 after only a page, a post or a poster, else 0.
    pub(super) touched: f64,
    /// The day they were trained by a brown bag or a course, if they were.
    pub(super) trained_day: Option<NaiveDate>,
    /// The instant: a brown bag's minutes reached the threshold, or a completion.
    pub(super) trained_at: Option<NaiveDateTime>,
}

/// The touchpoints, completions and brown bags being written.
pub(super) struct Channels {
    rng: ChaCha8Rng,
    touchpoints: Sink,
    completions: Sink,
    /// Per wave: its meetings (campaign, start).
    meetings: Vec<Vec<(String, NaiveDateTime)>>,
    /// Per department: its brown bag (session name, start), if it has a wave.
    brown_bags: Vec<Option<(String, NaiveDateTime)>>,
    /// Per department: frontline.
    frontline: Vec<bool>,
}

impl Channels {
    /// Plans the meetings and brown bags of `world` and opens the files in `out`.
    pub(super) fn new(
        world: &World,
        mut rng: ChaCha8Rng,
        out: &Path,
        seed: u64,
    ) -> io::Result<Channels> {
        let meetings = world
            .waves
            .iter()
            .enumerate()
            .map(|(w, wave)| {
                [(-14, 11, "kickoff"), (4, 14, "enrollment")]
                    .into_iter()
                    .map(|(day, hour, phase)| {
                        (
                            format!("w{}-{phase}", w + 1),
                            at(wave.start + days(day), hour),
                        )
                    })
                    .filter(|(_, t)| t.date() <= as_of())
                    .collect()
            })
            .collect();
        let brown_bags = world
            .depts
            .iter()
            .map(|d| {
                let wave = &world.waves[d.wave?];
                // Tuesday to Thursday of the wave's first two weeks, at lunch.
                let day = wave.start + days([1, 2, 3, 8, 9, 10][rng.random_range(0..6)]);
                let start = at(day, 12) + TimeDelta::minutes(30);
                (day <= as_of()).then(|| (format!("Brown bag {} {day}", d.name), start))
            })
            .collect();
        let frontline = world
            .depts
            .iter()
            .map(|d| FRONTLINE.iter().any(|f| d.name.starts_with(f)))
            .collect();
        let touchpoints = sink::log("user_id,channel,timestamp,campaign");
        let completions = sink::log("user_id,course,completed_at");
        Ok(Channels {
            touchpoints: Sink::create(out, "touchpoints.csv", touchpoints, (seed, 30), &[])?,
            completions: Sink::create(out, "completions.csv", completions, (seed, 31), &[])?,
            rng,
            meetings,
            brown_bags,
            frontline,
        })
    }

    /// The touchpoints, brown bag and completions of person `p` of department `d`
    /// and wave `w`; brown-bag attendance goes to `training`.
    pub(super) fn person(
        &mut self,
        p: &Person,
        (d, w): (usize, usize),
        world: &World,
        training: &mut Sink,
    ) -> io::Result<Reach> {
        let mut reach = Reach::default();
        let start = world.waves[w].start;
        let (prof, engaged) = (p.profile, p.engaged);
        let rng = &mut self.rng;
        let meet = if prof.email < 0.5 { 0.5 } else { 0.15 } * engaged;
        for (campaign, begins) in &self.meetings[w] {
            if p.absent_on(begins.date()) || !rng.random_bool(meet.min(0.9)) {
                continue;
            }
            let joined = *begins + secs(rng.random_range(-180..600));
            let id = p.id(rng).to_string();
            let channel = pick(rng, 0.8, "meeting", "Meeting");
            self.touchpoints
                .row(&[&id, channel, &with_offset(joined), campaign])?;
            reach.touched = 1.0;
        }
        // Pages, posts and posters from the kickoff to four weeks after the start.
        let (from, to) = (start - days(21), as_of().min(start + days(28)));
        let span = (to - from).num_days().max(0);
        let views = [
            (
                "intranet",
                (0.3 * prof.email.min(1.2) * engaged).min(0.9),
                4,
            ),
            ("viva engage", (0.2 * engaged).min(0.9), 3),
            ("poster", if self.frontline[d] { 0.25 } else { 0.03 }, 1),
        ];
        for (channel, chance, most) in views {
            if !rng.random_bool(chance) {
                continue;
            }
            for _ in 0..rng.random_range(1..=most) {
                let day = from + days(rng.random_range(0..=span));
                let t = work_time(rng, day);
                let t = weekday(rng, t);
                if t.date() > as_of() || p.absent_on(t.date()) {
                    continue;
                }
                let (stamp, campaign, channel) = match channel {
                    "intranet" => (t.to_string(), pick(rng, 0.6, "pre-enrollment", ""), channel),
                    "viva engage" => (
                        with_offset(t),
                        pick(rng, 0.5, "enrollment", ""),
                        pick(rng, 0.7, channel, "Viva Engage"),
                    ),
                    _ => (t.to_string(), "", channel),
                };
                let campaign = match campaign {
                    "" => String::new(),
                    phase => format!("w{}-{phase}", w + 1),
                };
                let id = p.id(rng).to_string();
                self.touchpoints.row(&[&id, channel, &stamp, &campaign])?;
                reach.touched = f64::max(reach.touched, 0.5);
            }
        }
        if let Some((session, begins)) = &self.brown_bags[d] {
            let taste = prof.training.max(0.6) * engaged;
            if !p.absent_on(begins.date()) && rng.random_bool((0.3 * taste).min(0.9)) {
                let join = *begins + secs(rng.random_range(-120..300));
                let minutes = match rng.random_bool(0.6) {
                    true => 45 + rng.random_range(-3..3),
                    false => rng.random_range(10..40),
                };
                let leave = join + TimeDelta::minutes(minutes);
                let id = p.id(rng).to_string();
                training.row(&[&id, session, &with_offset(join), &with_offset(leave)])?;
                if let Some(reached) = attended_for(&[(join, leave)], TRAINED_MINUTES) {
                    reach.trained_at = Some(reached);
                    reach.trained_day = Some(begins.date());
                }
            }
        }
        let course = 0.18 * engaged * if prof.training < 0.5 { 2.5 } else { 1.0 };
        if rng.random_bool(course.min(0.9)) {
            let lo = start - days(7);
            let day = lo + days(rng.random_range(0..=(as_of() - lo).num_days().max(0)));
            let done = work_time(rng, day);
            let done = weekday(rng, done);
            let mut courses = vec![(COURSES[0], done)];
            if rng.random_bool(0.3) {
                courses.push((
                    COURSES[1],
                    done + days(rng.random_range(0..5)) + secs(rng.random_range(60..3600)),
                ));
            }
            for (course, t) in courses {
                if t.date() > as_of() || p.absent_on(t.date()) {
                    continue;
                }
                let id = p.id(rng).to_string();
                self.completions.row(&[&id, course, &utc(t)])?;
                reach.trained_at = earliest(reach.trained_at, Some(t));
                reach.trained_day = earliest(reach.trained_day, Some(t.date()));
            }
        }
        Ok(reach)
    }

    /// Flushes both files into the summary.
    pub(super) fn finish(self, summary: &mut GenerateSummary) -> io::Result<()> {
        summary.files.push(self.touchpoints.finish()?);
        summary.files.push(self.completions.finish()?);
        Ok(())
    }
}

//! `--after`: what happens after enrollment. Takes each person with what they adopted
//! (workload and instant) and how many tickets they opened; writes, from a stream of
//! its own:
//! - `usage.csv` (`user_id, workload, last_active`; a folder of weekly snapshots with
//!   `--snapshots`): most adopters keep using what they adopted, some stop after a
//!   while, some never use it after the first day;
//! - `m365_active_users.csv`: the Microsoft 365 admin center's Active Users detail
//!   report (Reports > Usage > Active Users > Export), with the header names Microsoft
//!   documents for the Graph report `getOffice365ActiveUserDetail`
//!   (<https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail>):
//!   one row per person, leavers marked deleted, a last activity date per product (the
//!   OneDrive one is the "OneDrive KFM" workload's use when that workload exists);
//! - `survey.csv` (`submitted_at, score, user_id, department, comment`): a 1-5
//!   satisfaction survey after enrollment, with response rates that differ by
//!   department, a quarter of the answers anonymous (no `user_id`, the department
//!   given), lower scores where tickets were opened, and free-text comments in English
//!   and French (commas, quotes, accents, now and then a line break).
//!
//! Device health (`compliant`, `last_check_in`) is in `devices.rs`.

use std::io;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::person::Person;
use super::sink::{Bad, Layout, Sink, Target, Weekly, COMMON};
use super::util::{as_of, date, days, normal, pick, work_time};
use super::world::World;
use super::GenerateSummary;

/// The Active Users detail report's columns, in Microsoft's order.
const M365_HEADER: &str = "Report Refresh Date,User Principal Name,Display Name,Is Deleted,\
Deleted Date,Has Exchange License,Has OneDrive License,Has SharePoint License,\
Has Skype For Business License,Has Yammer License,Has Teams License,\
Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,\
Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,\
Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,\
Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,\
Assigned Products";

/// Survey comments by score band (1-2, 3, 4-5), in English then French.
const COMMENTS: [[&[&str]; 2]; 3] = [
    [
        &[
            "Enrollment failed twice, the help desk had to reset my phone.",
            "Company Portal keeps asking me to sign in again",
            "Too many steps for a \"simple\" enrollment",
            "I lost my authenticator codes when the phone was wiped",
            "Nobody told us it would take 40 minutes",
        ],
        &[
            "L'inscription a échoué deux fois, le support a dû réinitialiser mon téléphone.",
            "Trop d'étapes pour une inscription « simple »",
            "Le Portail d'entreprise me demande sans cesse de me reconnecter",
            "Personne ne nous a prévenus que ça prendrait 40 minutes",
        ],
    ],
    [
        &[
            "It works, but the instructions were hard to follow.",
            "OK once done; the email links were confusing",
            "Fine on my laptop, slow on my phone",
        ],
        &[
            "Ça marche, mais les instructions n'étaient pas claires.",
            "Correct une fois fini ; les liens du mail prêtaient à confusion",
            "Bien sur le PC, lent sur le téléphone",
        ],
    ],
    [
        &[
            "Quick and easy, took ten minutes.",
            "The brown bag session made it painless",
            "Great support from our champion, thanks!",
            "Smooth: I didn't even notice it",
        ],
        &[
            "Rapide et simple, dix minutes à peine.",
            "Très pratique, merci à notre ambassadeur !",
            "Aucun souci, tout s'est bien passé",
            "La session d'information a tout rendu facile",
        ],
    ],
];

/// Usage, the admin center report and the survey being written.
pub(super) struct After {
    rng: ChaCha8Rng,
    usage: Target,
    m365: Sink,
    survey: Sink,
    /// The workloads' names, the first workload's first.
    names: Vec<String>,
    /// The workload whose use the report's OneDrive column shows.
    onedrive: Option<usize>,
    /// Per department: the share of its enrolled people who answer the survey.
    respond: Vec<f64>,
}

impl After {
    /// Opens the files in `out` for the workloads `names` (usage as snapshots on
    /// `weekly` days, if given).
    pub(super) fn new(
        world: &World,
        names: Vec<String>,
        mut rng: ChaCha8Rng,
        out: &Path,
        (seed, weekly): (u64, Option<&[NaiveDate]>),
    ) -> io::Result<After> {
        const MODES: &[Bad] = &[
            Bad::EmptyId,
            Bad::Unparseable,
            Bad::UnknownWorkload,
            Bad::Duplicate,
            Bad::Stranger,
            Bad::MixedCase,
        ];
        let layout = Layout::new("user_id,workload,last_active", 0, &[2], 1, MODES);
        let usage = match weekly {
            None => Target::One(Box::new(Sink::create(
                out,
                "usage.csv",
                layout,
                (seed, 40),
                &[],
            )?)),
            Some(days) => Target::Weekly(Weekly::create(
                out,
                ("usage", "usage"),
                &layout,
                days,
                (seed, 400),
                &[],
            )?),
        };
        let m365 = Layout::new(M365_HEADER, 1, &[11], 0, COMMON);
        let survey = Layout::new(
            "submitted_at,score,user_id,department,comment",
            2,
            &[0],
            1,
            &[
                Bad::Unparseable,
                Bad::OutOfScale,
                Bad::Duplicate,
                Bad::Stranger,
                Bad::MixedCase,
            ],
        );
        let respond = world
            .depts
            .iter()
            .map(|_| rng.random_range(0.1..0.6))
            .collect();
        let onedrive = names.iter().position(|n| n.starts_with("OneDrive"));
        Ok(After {
            usage,
            m365: Sink::create(out, "m365_active_users.csv", m365, (seed, 41), &[])?,
            survey: Sink::create(out, "survey.csv", survey, (seed, 42), &[])?,
            rng,
            names,
            onedrive,
            respond,
        })
    }

    /// Person `p` of department `d` (and first-workload wave `w`), who adopted the
    /// workloads `adopted` (index into the names, instant) and opened `tickets`.
    pub(super) fn person(
        &mut self,
        p: &Person,
        world: &World,
        (d, w): (usize, Option<usize>),
        adopted: &[(usize, NaiveDateTime)],
        tickets: usize,
    ) -> io::Result<()> {
        let load = p.profile.tickets;
        let mut onedrive = None;
        for &(k, e) in adopted {
            let use_ = Use::draw(&mut self.rng, e.date(), load);
            if Some(k) == self.onedrive {
                onedrive = Some(use_.last(as_of()));
            }
            let name = &self.names[k];
            match &mut self.usage {
                Target::One(sink) => {
                    if e.date() <= as_of() && !p.absent_on(as_of()) {
                        let id = p.id(&mut self.rng).to_string();
                        sink.row(&[&id, name, &use_.last(as_of()).to_string()])?;
                    }
                }
                Target::Weekly(weekly) => {
                    for (&day, sink) in weekly.days.iter().zip(&mut weekly.sinks) {
                        if e.date() > day || p.absent_on(day) {
                            continue;
                        }
                        let id = p.id(&mut self.rng).to_string();
                        sink.row(&[&id, name, &use_.last(day).to_string()])?;
                    }
                }
            }
        }
        self.m365(p, onedrive)?;
        match (w, adopted.first()) {
            (Some(_), Some(&(0, e))) => self.survey(p, &world.depts[d].name, d, e, tickets),
            _ => Ok(()),
        }
    }

    /// The person's row of the admin center report as of the as-of day.
    fn m365(&mut self, p: &Person, onedrive: Option<NaiveDate>) -> io::Result<()> {
        let rng = &mut self.rng;
        let today = p.left_on.filter(|&l| l <= as_of()).unwrap_or(as_of());
        let recent = |rng: &mut ChaCha8Rng, none: f64, most: i64| {
            let never = rng.random_bool(none);
            let back = rng.random_range(0..=most);
            match never {
                true => String::new(),
                false => (today - days(back)).to_string(),
            }
        };
        let exchange = recent(rng, 0.05, 3);
        let sharepoint = recent(rng, 0.15, 20);
        let yammer_licence = rng.random_bool(0.7);
        let yammer = recent(rng, 0.7, 60);
        let teams = recent(rng, 0.08, 6);
        let web = recent(rng, 0.5, 30);
        let onedrive = onedrive.map(|d| d.min(today).to_string()).unwrap_or(web);
        let assigned = p
            .joined_on
            .unwrap_or_else(|| date(2023, 1, 2) + days(rng.random_range(0..900)))
            .to_string();
        let products = pick(rng, 0.9, "MICROSOFT 365 E3", "MICROSOFT 365 F3");
        let deleted = p.left_on.filter(|&l| l <= as_of());
        let gone = deleted.map(|l| l.to_string()).unwrap_or_default();
        let yes = |b: bool| if b { "True" } else { "False" };
        let yammer = if yammer_licence {
            yammer
        } else {
            String::new()
        };
        let yammer_assigned = if yammer_licence {
            assigned.as_str()
        } else {
            ""
        };
        self.m365.row(&[
            &as_of().to_string(),
            &p.upn,
            &p.display,
            yes(deleted.is_some()),
            &gone,
            "True",
            "True",
            "True",
            "False",
            yes(yammer_licence),
            "True",
            &exchange,
            &onedrive,
            &sharepoint,
            "",
            &yammer,
            &teams,
            &assigned,
            &assigned,
            &assigned,
            "",
            yammer_assigned,
            &assigned,
            products,
        ])
    }

    /// The person's answer to the survey sent after they enrolled (at `e`), if any.
    fn survey(
        &mut self,
        p: &Person,
        department: &str,
        d: usize,
        e: NaiveDateTime,
        tickets: usize,
    ) -> io::Result<()> {
        let rng = &mut self.rng;
        if !rng.random_bool(self.respond[d]) {
            return Ok(());
        }
        let day = e.date() + days(rng.random_range(1..=14));
        let when = work_time(rng, day);
        let anonymous = rng.random_bool(0.25);
        let mean =
            4.1 - 0.35 * (p.profile.tickets - 1.0).min(3.0) - if tickets > 0 { 0.7 } else { 0.0 }
                + 0.3 * (p.engaged - 1.0) / 0.23;
        let score = (mean + 0.9 * normal(rng)).round().clamp(1.0, 5.0) as usize;
        let band = match score {
            1 | 2 => 0,
            3 => 1,
            _ => 2,
        };
        let mut comment = String::new();
        if rng.random_bool(0.35) {
            let language = usize::from(rng.random_bool(0.4));
            let pool = COMMENTS[band][language];
            comment = pool.choose(rng).expect("some").to_string();
            if rng.random_bool(0.05) {
                comment.push('\n');
                comment.push_str(pool.choose(rng).expect("some"));
            }
        }
        if when.date() > as_of() || p.absent_on(when.date()) {
            return Ok(());
        }
        let id = match anonymous {
            true => String::new(),
            false => p.id(rng).to_string(),
        };
        let stamp = when.format("%Y-%m-%d %H:%M:%S").to_string();
        self.survey
            .row(&[&stamp, &score.to_string(), &id, department, &comment])
    }

    /// Flushes every file into the summary.
    pub(super) fn finish(self, summary: &mut GenerateSummary) -> io::Result<()> {
        self.usage.finish(summary)?;
        summary.files.push(self.m365.finish()?);
        summary.files.push(self.survey.finish()?);
        Ok(())
    }
}

/// How one person uses one adopted workload: from the day they adopted it, until the
/// day they stopped (if they did), last seen some days before any export.
struct Use {
    from: NaiveDate,
    stop: Option<NaiveDate>,
    lag: i64,
}

impl Use {
    /// Departments that flood the help desk stop more often.
    fn draw(rng: &mut ChaCha8Rng, from: NaiveDate, load: f64) -> Use {
        let keeps = rng.random_bool((0.85 - 0.08 * (load - 1.0).clamp(0.0, 3.0)).clamp(0.3, 0.95));
        let never = rng.random_bool(0.25);
        let span = (as_of() - from).num_days().max(0);
        let stop_after = rng.random_range(0..=span);
        let lag = rng.random_range(0..4);
        let stop = match (keeps, never) {
            (true, _) => None,
            (false, true) => Some(from),
            (false, false) => Some(from + days(stop_after)),
        };
        Use { from, stop, lag }
    }

    /// The last day of use seen by an export taken on `day`.
    fn last(&self, day: NaiveDate) -> NaiveDate {
        let seen = day - days(self.lag);
        self.stop.map_or(seen, |s| s.min(seen)).max(self.from)
    }
}

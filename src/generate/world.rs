//! The made-up company before anyone's events are drawn: its departments (sizes,
//! behaviours, usual site, wave), the waves with their campaigns and training
//! sessions, and everyone's department and name. Built once from the main random
//! stream; the people are then written one by one (`person.rs`).

use chrono::{NaiveDate, NaiveDateTime};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::util::{as_of, at, base_day, days, normal, secs};

pub(super) const PHASES: [(&str, i64); 4] = [
    ("kickoff", -21),
    ("pre-enrollment", -7),
    ("enrollment", 0),
    ("post-enrollment", 21),
];
/// Training sessions per wave: (day from start, local hour, title).
pub(super) const SESSIONS: [(i64, u32, &str); 5] = [
    (1, 10, "Intune basics"),
    (3, 14, "Intune basics"),
    (8, 10, "Company Portal walkthrough"),
    (10, 14, "Intune basics"),
    (15, 10, "Intune Q&A"),
];
/// Per wave: the enrollment target curve (days since start, share).
pub(super) const CURVES: [&[(i64, f64)]; 4] = [
    &[(0, 0.0), (14, 0.5), (28, 0.8), (42, 0.95)],
    &[(0, 0.0), (7, 0.2), (21, 0.55), (35, 0.8), (49, 0.9)],
    &[(0, 0.0), (14, 0.4), (28, 0.7), (42, 0.9)],
    &[(0, 0.0), (7, 0.3), (14, 0.6), (28, 0.9)],
];
/// Per wave: email open, training and tickets-per-100 targets.
pub(super) const TARGETS: [(f64, f64, f64); 4] = [
    (0.6, 0.5, 15.0),
    (0.55, 0.45, 18.0),
    (0.6, 0.5, 15.0),
    (0.5, 0.4, 20.0),
];
pub(super) const FIRST: &str =
    "Anne,Louis,Camille,Hugo,Chloe,Lucas,Emma,Jules,Lea,Nathan,Manon,Thomas,\
    Ines,Arthur,Sarah,Paul,Julie,Maxime,Clara,Antoine,Laura,Nicolas,Marie,Pierre,Sophie,\
    Jean-Luc,Alice,Karim,Fatima,Yann,Elodie,Mehdi,Claire,Olivier,Nadia,David,Helene,Samuel,\
    Aicha,Marc,Lina,Victor,Zoe,Eric,Amina,Bruno,Ana-Maria,Theo";
pub(super) const LAST: &str =
    "Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,\
    Simon,Laurent,Lefebvre,Michel,Garcia,David,Bertrand,Roux,Vincent,Fournier,Morel,Girard,\
    Andre,Mercier,Dupont,Lambert,Bonnet,Francois,Martinez,Legrand,Garnier,Faure,Rousseau,\
    Blanc,Guerin,Muller,Henry,Roussel,Nicolas,Perrin,Morin,Mathieu,Clement,Gauthier,Dumont,\
    Lopez,Fontaine,Chevalier,Robin,Masson,Sanchez,Nguyen,Boyer,Denis,Lemaire,Duval,Joly,\
    Benali,Haddad,Schmitt,Da Silva,Meyer,Diallo,Kone";
pub(super) const DEPARTMENTS: &str = "Finance,HR,Sales,Marketing,Legal,IT,Operations,Logistics,\
    Procurement,R&D,Customer Service,Facilities,Communications,Quality,Compliance,\
    Engineering,Manufacturing,Treasury,Strategy,Security,Data & Analytics,Product,Design,\
    Field Service,Payroll,Risk,Tax,Supply Chain,Retail,Partnerships";
pub(super) const REGIONS: [&str; 6] = ["North", "South", "East", "West", "EMEA", "APAC"];
pub(super) const TINY: [&str; 3] = ["Board Office", "Ombudsman", "Works Council"];
pub(super) const LOCATIONS: [&str; 8] = [
    "Paris", "Lyon", "Lille", "Nantes", "Bordeaux", "Toulouse", "Brussels", "Geneva",
];

/// How a department behaves, so that its groups end on track, at risk or behind.
#[derive(Clone, Copy)]
pub(super) struct Profile {
    /// Multiplier on the share of people who read the rollout emails.
    pub(super) email: f64,
    /// Multiplier on the share of people who attend training.
    pub(super) training: f64,
    /// Share that enrolls without training or opened emails (both raise it).
    pub(super) enroll: f64,
    /// Typical days from the wave start to enrollment (training and email shorten it).
    pub(super) delay: f64,
    /// Share of the enrollers who enroll before the wave starts.
    pub(super) early: f64,
    /// Multiplier on help-desk tickets.
    pub(super) tickets: f64,
}
pub(super) const fn profile(
    email: f64,
    training: f64,
    enroll: f64,
    delay: f64,
    early: f64,
) -> Profile {
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
pub(super) const PROFILES: [Profile; 7] = [
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

/// A department: roster name, wave (None: listed by no wave, "unassigned"), usual
/// location, behaviour and champion share.
pub(super) struct Dept {
    pub(super) name: String,
    pub(super) wave: Option<usize>,
    pub(super) location: &'static str,
    pub(super) profile: Profile,
    pub(super) champions: f64,
}

/// A campaign as planned and as actually sent.
pub(super) struct Campaign {
    pub(super) name: String,
    pub(super) phase: &'static str,
    pub(super) planned: NaiveDate,
    pub(super) sent: NaiveDateTime,
}

/// A wave: its start, its campaigns and its training sessions.
pub(super) struct Wave {
    /// Its name in the config.
    pub(super) name: String,
    pub(super) start: NaiveDate,
    pub(super) campaigns: Vec<Campaign>,
    pub(super) sessions: Vec<(String, NaiveDateTime)>,
}

/// Everything fixed before the first person is written.
pub(super) struct World {
    pub(super) depts: Vec<Dept>,
    pub(super) waves: Vec<Wave>,
    /// Department index of each person, in roster order.
    pub(super) people: Vec<u16>,
    pub(super) first: Vec<&'static str>,
    pub(super) last: Vec<&'static str>,
    pub(super) name_offset: usize,
}

impl World {
    pub(super) fn new(users: usize, rng: &mut ChaCha8Rng) -> World {
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
                name: format!("Wave {}", w + 1),
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
    /// How many people each department has, in department order.
    pub(super) fn dept_sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.depts.len()];
        for &d in &self.people {
            sizes[usize::from(d)] += 1;
        }
        sizes
    }

    pub(super) fn name(&self, i: usize) -> (&'static str, &'static str, String) {
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
}

//! `--cuts`: the roster columns `location` and `cost_center` a rollout is also broken
//! down by (`cuts = ["location", "cost_center"]`). Takes each person's department and
//! usual site; hands back their site and cost centre, from a stream of its own.
//!
//! The sites are those of the rollout without cuts (of very different sizes, as the
//! departments that sit there are), plus three satellite offices of one to four
//! people each. Cost centres cut across departments: several departments share a home
//! centre, and some of each department's people are charged elsewhere. Two centres
//! nearly coincide with one department (all of it, and one to three people of other
//! departments), and two hold one to four people: so that subtracting one cut's row
//! from another's, or from a department's, would single people out unless the privacy
//! rules fold them.

use rand::seq::SliceRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::world::World;

/// Satellite offices with a handful of people.
pub(super) const TINY_SITES: [&str; 3] = ["Luxembourg", "Monaco", "Ajaccio"];

/// A person picked out by hand: a satellite office, or a cost centre of a few.
#[derive(Clone, Copy)]
enum Special {
    Site(&'static str),
    Centre(usize),
}

/// The sites and cost centres, fixed before the first person is written.
pub(super) struct Cuts {
    rng: ChaCha8Rng,
    /// Cost centre names: the shared ones first, then the dedicated and tiny ones.
    centres: Vec<String>,
    /// How many of `centres` are shared (a department's home or anyone's elsewhere).
    shared: usize,
    /// Per department: its home centre, and the centre that holds all of it, if any.
    home: Vec<usize>,
    dedicated: Vec<Option<usize>>,
    /// People picked out by hand, by roster index (sorted).
    special: Vec<(usize, Special)>,
}

impl Cuts {
    /// Draws the cost centres of `world`'s departments and who is picked out.
    pub(super) fn new(world: &World, mut rng: ChaCha8Rng) -> Cuts {
        let n = world.people.len();
        let sizes = world.dept_sizes();
        let shared = (world.depts.len() / 3).clamp(3, 40);
        let mut centres: Vec<String> = (0..shared)
            .map(|k| format!("FR01-{}", 4100 + 10 * k))
            .collect();
        let home = (0..world.depts.len())
            .map(|_| rng.random_range(0..shared))
            .collect();
        // Two departments with a wave, of a size the privacy rules show, get a centre
        // of their own.
        let mut candidates: Vec<usize> = (0..world.depts.len())
            .filter(|&d| world.depts[d].wave.is_some() && (8..=n / 8).contains(&sizes[d]))
            .collect();
        candidates.shuffle(&mut rng);
        let mut dedicated = vec![None; world.depts.len()];
        for (j, &d) in candidates.iter().take(2).enumerate() {
            dedicated[d] = Some(centres.len());
            centres.push(format!("FR02-{}", 5200 + 10 * j));
        }
        // People picked out by hand: never twice, and never of a department a centre
        // holds whole (so that it stays whole, and its outsiders come from elsewhere).
        let mut special: Vec<(usize, Special)> = Vec::new();
        let mut pick = |rng: &mut ChaCha8Rng, count: usize, what: Special| {
            for _ in 0..count {
                let tries: Vec<usize> = (0..50).map(|_| rng.random_range(0..n.max(1))).collect();
                let fits = |&&i: &&usize| {
                    n > 0
                        && dedicated[usize::from(world.people[i])].is_none()
                        && special.iter().all(|&(j, _)| j != i)
                };
                if let Some(&i) = tries.iter().find(fits) {
                    special.push((i, what));
                }
            }
        };
        for c in dedicated.iter().flatten() {
            let outsiders = rng.random_range(1..=3);
            pick(&mut rng, outsiders, Special::Centre(*c));
        }
        for j in 0..2 {
            let few = rng.random_range(1..=4);
            pick(&mut rng, few, Special::Centre(centres.len()));
            centres.push(format!("FR09-{}", 9910 + 10 * j));
        }
        for site in TINY_SITES {
            let few = rng.random_range(1..=4);
            pick(&mut rng, few, Special::Site(site));
        }
        special.sort_by_key(|&(i, _)| i);
        Cuts {
            rng,
            centres,
            shared,
            home,
            dedicated,
            special,
        }
    }

    /// Person `i` of department `d`, usually at `site`: their site and cost centre.
    pub(super) fn person(
        &mut self,
        i: usize,
        d: usize,
        site: &'static str,
    ) -> (&'static str, String) {
        let elsewhere = self.rng.random_bool(0.15);
        let other = self.rng.random_range(0..self.shared);
        let mut centre = match (self.dedicated[d], elsewhere) {
            (Some(c), _) => c,
            (None, true) => other,
            (None, false) => self.home[d],
        };
        let mut site = site;
        let from = self.special.partition_point(|&(j, _)| j < i);
        for &(_, what) in self.special[from..].iter().take_while(|&&(j, _)| j == i) {
            match what {
                Special::Site(s) => site = s,
                Special::Centre(c) => centre = c,
            }
        }
        (site, self.centres[centre].clone())
    }
}

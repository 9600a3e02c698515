//! Matching people: the roster person an event's user cell names, by id, mail or
//! display name (docs/inputs.md, "People").

use rayon::prelude::*;

use super::*;

/// Who an event's user cell names.
pub(super) enum Found {
    /// A roster person, found by id or mail (`false`) or by display name (`true`).
    Person(u32, bool),
    /// Nobody on the roster: the normalised id.
    Unknown(String),
    /// No one: the row names no person (an anonymous survey response).
    Nobody,
}

/// Finds roster people by id, mail or display name. Read-only, so that rows can be
/// matched on several threads at once.
pub(super) struct Matcher {
    by_id: FastMap<String, u32>,
    by_mail: FastMap<String, Option<u32>>,
    by_name: FastMap<String, Option<u32>>,
    /// Names by their words in any order (`Mustermann Max` is `Max Mustermann`).
    by_words: FastMap<String, Option<u32>>,
}

impl Matcher {
    /// The id and mail maps are built on one thread while the name keys (the
    /// costlier part: NFKC and accents per person) are made on the others. A key met
    /// twice maps to `None` whatever the order of insertion, so the maps do not
    /// depend on how the work is split.
    pub(super) fn new(roster: &Roster) -> Self {
        let ((by_id, by_mail), (by_name, by_words)) = rayon::join(
            || {
                let mut by_id = FastMap::default();
                by_id.reserve(roster.len());
                for (pid, id) in roster.user_id.iter().enumerate() {
                    by_id.insert(id.clone(), pid as u32);
                }
                let mut by_mail: FastMap<String, Option<u32>> = FastMap::default();
                by_mail.reserve(roster.len());
                for (pid, mail) in roster.mail.iter().enumerate() {
                    if mail.is_empty() || by_id.get(mail) == Some(&(pid as u32)) {
                        continue;
                    }
                    by_mail
                        .entry(mail.clone())
                        .and_modify(|e| *e = None)
                        .or_insert(Some(pid as u32));
                }
                (by_id, by_mail)
            },
            || {
                let keys: Vec<Option<(String, String)>> = roster
                    .display_name
                    .par_iter()
                    .map(|name| {
                        let key = norm_name(name);
                        (!key.is_empty()).then(|| (word_key(&key), key))
                    })
                    .collect();
                let mut by_name: FastMap<String, Option<u32>> = FastMap::default();
                let mut by_words: FastMap<String, Option<u32>> = FastMap::default();
                by_name.reserve(roster.len());
                by_words.reserve(roster.len());
                for (pid, keys) in keys.into_iter().enumerate() {
                    let Some((words, key)) = keys else { continue };
                    for (map, key) in [(&mut by_words, words), (&mut by_name, key)] {
                        map.entry(key)
                            .and_modify(|e| *e = None)
                            .or_insert(Some(pid as u32));
                    }
                }
                (by_name, by_words)
            },
        );
        Matcher {
            by_id,
            by_mail,
            by_name,
            by_words,
        }
    }

    fn by_id_or_mail(&self, id: &str) -> Option<Result<u32, String>> {
        if let Some(&p) = self.by_id.get(id) {
            return Some(Ok(p));
        }
        match self.by_mail.get(id) {
            Some(Some(p)) => Some(Ok(*p)),
            Some(None) => Some(Err(format!("mail `{id}` belongs to several roster people"))),
            None => None,
        }
    }

    /// The person a (required) user cell names; `Err` is the quarantine reason: the
    /// cell is empty, or names several roster people.
    pub(super) fn find(&self, cell: &str) -> Result<Found, String> {
        let cell = required(cell, schema::USER_ID)?;
        let id = norm_id_cow(cell);
        if let Some(found) = self.by_id_or_mail(&id) {
            return found.map(|p| Found::Person(p, false));
        }
        // `Name (id)`: the id in parentheses first.
        if let Some(inner) = id
            .rsplit_once('(')
            .and_then(|(_, r)| r.strip_suffix(')'))
            .map(str::trim)
        {
            if let Some(found) = self.by_id_or_mail(inner) {
                return found.map(|p| Found::Person(p, false));
            }
        }
        if !id.contains('@') {
            // The name as written, then its words in any order (`Mustermann Max`),
            // then the name in parentheses (Zoom's `iPhone (Ann Lee)`).
            let key = norm_name(cell);
            let inner = cell
                .rsplit_once('(')
                .and_then(|(_, r)| r.strip_suffix(')'))
                .map(norm_name)
                .unwrap_or_default();
            let tries = [
                (&self.by_name, key.clone()),
                (&self.by_words, word_key(&key)),
                (&self.by_name, inner),
            ];
            for (map, key) in tries {
                match map.get(&key) {
                    Some(Some(p)) => return Ok(Found::Person(*p, true)),
                    Some(None) => return Err(format!("name `{cell}` fits several roster people")),
                    None => {}
                }
            }
        }
        Ok(Found::Unknown(id.into_owned()))
    }
}

//! The config keys of the channels beyond email, the ways to learn and what follows
//! enrollment (docs/inputs.md, "Touchpoints" to "Survey"): `[[training_methods]]`
//! (a name and the session names it covers, as globs), `[survey]` (the scale and the
//! score from which a person is satisfied) and a usage source's `products` (which
//! product of a usage report counts for which workload). Takes them as written;
//! hands `config` the checked values, or an error naming the key.

use super::*;

/// The products of the Microsoft 365 Active Users detail report, each with its
/// `<Product> Last Activity Date` column, in Microsoft's order (docs/exports.md,
/// "Microsoft 365 Active Users").
pub const M365_PRODUCTS: [&str; 6] = [
    "Exchange",
    "OneDrive",
    "SharePoint",
    "Skype For Business",
    "Yammer",
    "Teams",
];

/// One `[[training_methods]]` entry: a way to learn (`brown bag`), told apart by
/// the names of its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingMethod {
    /// Its name, as written.
    pub name: String,
    /// Globs over session names: `*` is any run of characters, `?` one character;
    /// compared as labels are (ignoring case, surrounding and repeated spaces).
    pub sessions: Vec<String>,
}

impl TrainingMethod {
    /// Whether one of the method's globs matches the whole of `session`.
    pub fn matches(&self, session: &str) -> bool {
        let name: Vec<char> = label_key(session).chars().collect();
        self.sessions.iter().any(|glob| {
            let glob: Vec<char> = label_key(glob).chars().collect();
            glob_matches(&glob, &name)
        })
    }
}

impl Config {
    /// The training method of a session: the first `[[training_methods]]` entry, in
    /// config order, one of whose globs matches its name (an index into
    /// `training_methods`); `None` for an instructor-led session, which no method
    /// matches.
    pub fn training_method(&self, session: &str) -> Option<usize> {
        self.training_methods
            .iter()
            .position(|m| m.matches(session))
    }
}

/// Whether `glob` (`*` any run, `?` one character) matches the whole of `text`.
/// Iterative, with one backtracking point per `*`: linear in practice, never
/// exponential.
fn glob_matches(glob: &[char], text: &[char]) -> bool {
    let (mut g, mut t) = (0, 0);
    // The last `*` seen and the text position it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match glob.get(g) {
            Some('*') => {
                star = Some((g, t));
                g += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                g += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` take one more character, and try again.
                Some((sg, st)) => {
                    star = Some((sg, st + 1));
                    g = sg + 1;
                    t = st + 1;
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|&c| c == '*')
}

/// `[survey]`: the scale of the score question and the score from which a
/// respondent is satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyScale {
    /// The lowest score.
    pub low: u32,
    /// The highest score.
    pub high: u32,
    /// Scores from this one up are satisfied.
    pub satisfied_from: u32,
}

impl Default for SurveyScale {
    fn default() -> Self {
        SurveyScale {
            low: 1,
            high: 5,
            satisfied_from: 4,
        }
    }
}

impl SurveyScale {
    /// Whether `score` is on the scale.
    pub fn contains(&self, score: u32) -> bool {
        (self.low..=self.high).contains(&score)
    }

    /// Whether the scale is 0 to 10, the one a Net Promoter Score is read on.
    pub fn is_nps(&self) -> bool {
        (self.low, self.high) == (0, 10)
    }
}

/// `[survey]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSurvey {
    scale: Option<Vec<f64>>,
    satisfied_from: Option<f64>,
}

/// One `[[training_methods]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTrainingMethod {
    name: Option<String>,
    sessions: Option<Vec<String>>,
}

impl Checker<'_> {
    pub(super) fn training_methods(
        &self,
        raw: Vec<RawTrainingMethod>,
    ) -> Result<Vec<TrainingMethod>, Error> {
        let mut out: Vec<TrainingMethod> = Vec::with_capacity(raw.len());
        for (i, m) in raw.into_iter().enumerate() {
            let key = |k: &str| format!("training_methods[{i}].{k}");
            let name = match m.name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => {
                    return Err(self
                        .err(key("name"), "missing: every training method needs a name")
                        .with_help("e.g. name = \"brown bag\""))
                }
            };
            for builtin in [crate::schema::INSTRUCTOR_LED, crate::schema::SELF_PACED] {
                if label_key(&name) == builtin {
                    let what = if builtin == crate::schema::SELF_PACED {
                        "the method of the completions source"
                    } else {
                        "the method of every session no method matches"
                    };
                    return Err(self
                        .err(key("name"), format!("`{name}` is {what}, built in"))
                        .with_help(
                            "name the method otherwise, e.g. \"brown bag\" or \"workshop\"",
                        ));
                }
            }
            if let Some(other) = out
                .iter()
                .position(|o| label_key(&o.name) == label_key(&name))
            {
                return Err(self
                    .err(
                        key("name"),
                        format!("a second training method named `{name}` (see training_methods[{other}])"),
                    )
                    .with_help("list every glob of a method in its one `sessions`"));
            }
            let sessions =
                match m.sessions {
                    Some(s) if !s.is_empty() => s,
                    _ => return Err(self
                        .err(
                            key("sessions"),
                            "missing: the session names this method covers, as globs",
                        )
                        .with_help(
                            "e.g. sessions = [\"Brown bag*\"] (`*` any text, `?` one character)",
                        )),
                };
            for (j, glob) in sessions.iter().enumerate() {
                if glob.trim().is_empty() {
                    return Err(self
                        .err(
                            format!("training_methods[{i}].sessions[{j}]"),
                            "an empty glob matches no session",
                        )
                        .with_help("write a session name, or a pattern such as \"Brown bag*\""));
                }
            }
            out.push(TrainingMethod { name, sessions });
        }
        Ok(out)
    }

    pub(super) fn survey(&self, raw: Option<RawSurvey>) -> Result<SurveyScale, Error> {
        let Some(raw) = raw else {
            return Ok(SurveyScale::default());
        };
        let whole = |key: &str, v: f64| -> Result<u32, Error> {
            if v.fract() == 0.0 && (0.0..=100.0).contains(&v) {
                Ok(v as u32)
            } else {
                Err(self.err(key, format!("{v} is not a whole score from 0 to 100")))
            }
        };
        let (low, high) = match raw.scale.as_deref() {
            None => (1, 5),
            Some(&[low, high]) => {
                let (low, high) = (whole("survey.scale", low)?, whole("survey.scale", high)?);
                if low >= high {
                    return Err(self
                        .err("survey.scale", format!("[{low}, {high}] does not go up"))
                        .with_help("write [lowest, highest], e.g. scale = [1, 5] or [0, 10]"));
                }
                (low, high)
            }
            Some(_) => {
                return Err(self
                    .err("survey.scale", "a scale is [lowest score, highest score]")
                    .with_help("e.g. scale = [1, 5] or scale = [0, 10]"))
            }
        };
        let satisfied_from = match raw.satisfied_from {
            Some(v) => {
                let s = whole("survey.satisfied_from", v)?;
                if !(low..=high).contains(&s) {
                    return Err(self
                        .err(
                            "survey.satisfied_from",
                            format!("{s} is not on the scale {low} to {high}"),
                        )
                        .with_help(format!(
                            "a score from {low} to {high}, e.g. satisfied_from = {}",
                            high - (high - low) / 4
                        )));
                }
                s
            }
            // Satisfied on 1-5: 4 and 5; on 0-10: the promoters, 9 and 10.
            None => match (low, high) {
                (1, 5) => 4,
                (0, 10) => 9,
                _ => {
                    return Err(self
                        .err(
                            "survey.satisfied_from",
                            format!(
                                "missing: on a scale of {low} to {high}, the score from which a person is satisfied"
                            ),
                        )
                        .with_help(format!(
                            "e.g. satisfied_from = {}",
                            high - (high - low) / 4
                        )))
                }
            },
        };
        Ok(SurveyScale {
            low,
            high,
            satisfied_from,
        })
    }

    /// A source's `products` (usage sources only): the table as written, each value
    /// a workload's name; without one, every product of the Active Users report
    /// whose name is a workload's name, or the start of one followed by a space
    /// (`OneDrive` for `OneDrive KFM`), when only one workload fits. An Active Users
    /// report with no product counting for a workload is an error: it would read
    /// nothing.
    pub(super) fn products(
        &self,
        source: Source,
        format: Format,
        raw: Option<BTreeMap<String, String>>,
        key: &str,
        workloads: &[Workload],
    ) -> Result<BTreeMap<String, String>, Error> {
        if source != Source::Usage {
            if raw.is_some() {
                return Err(self.err(
                    key,
                    "only usage sources map a report's products to workloads",
                ));
            }
            return Ok(BTreeMap::new());
        }
        let mut out = BTreeMap::new();
        match raw {
            Some(table) => {
                for (product, workload) in table {
                    let product = product.trim().to_string();
                    if product.is_empty() {
                        return Err(self.err(key, "an empty product name"));
                    }
                    let w = self.workload_named(
                        &format!("{key}.{product}"),
                        workload.trim(),
                        workloads,
                    )?;
                    out.insert(product, workloads[w].name.clone());
                }
            }
            None => {
                for product in M365_PRODUCTS {
                    let p = label_key(product);
                    let fits: Vec<&Workload> = workloads
                        .iter()
                        .filter(|w| {
                            let w = label_key(&w.name);
                            w == p || w.strip_prefix(&p).is_some_and(|rest| rest.starts_with(' '))
                        })
                        .collect();
                    if let [only] = fits.as_slice() {
                        out.insert(product.to_string(), only.name.clone());
                    }
                }
            }
        }
        if out.is_empty() && format == Format::Tool(Tool::M365ActiveUsers) {
            let names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
            return Err(self
                .err(
                    key,
                    format!(
                        "no product of the Active Users report ({}) counts for a workload",
                        M365_PRODUCTS.join(", ")
                    ),
                )
                .with_help(format!(
                    "say which product's use counts for which workload, e.g. products = {{ \"OneDrive\" = \"{}\" }} (the workloads are: {})",
                    names[0],
                    names.join(", ")
                )));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[rollout]
name = "Contoso"
group_by = "department"

[thresholds]
min_group_size = 5

[sources.roster]
path = "roster.csv"

[[workloads]]
name = "Intune MDM"
[[workloads]]
name = "OneDrive KFM"

[[waves]]
name = "Wave 1"
workload = "Intune MDM"
start = "2026-09-07"
groups = ["Finance"]
enrollment_target = [[14, 0.5]]

[[waves]]
name = "KFM 1"
workload = "OneDrive KFM"
start = "2026-10-05"
groups = ["Finance"]
enrollment_target = [[14, 0.5]]
"#;

    fn parse_ok(extra: &str) -> Config {
        parse(Path::new("cfg/uptake.toml"), &format!("{BASE}{extra}"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(extra: &str) -> String {
        match parse(Path::new("cfg/uptake.toml"), &format!("{BASE}{extra}")) {
            Ok(_) => panic!("expected a config error for {extra}"),
            Err(e) => {
                assert_eq!(e.exit_code(), 2, "{e}");
                e.to_string()
            }
        }
    }

    #[test]
    fn the_new_sources_read_with_their_formats() {
        let c = parse_ok(
            r#"
[sources.touchpoints]
path = "teams/"
format = "teams"
[sources.completions]
path = "transcript.csv"
format = "cornerstone"
[sources.usage]
path = "usage/"
format = "m365_active_users"
snapshots = true
[sources.survey]
path = "survey.csv"
format = "qualtrics"
columns = { score = "How satisfied are you?", department = "Dept", comment = "Q7" }
"#,
        );
        let t = c.source(Source::Touchpoints).unwrap();
        assert_eq!(t.format, Format::Tool(Tool::Teams));
        assert_eq!(
            c.source(Source::Completions).unwrap().format,
            Format::Tool(Tool::Cornerstone)
        );
        let u = c.source(Source::Usage).unwrap();
        assert!(u.snapshots);
        // No `products`: OneDrive counts for the workload whose name begins with it.
        assert_eq!(
            u.products,
            BTreeMap::from([("OneDrive".to_string(), "OneDrive KFM".to_string())])
        );
        let s = c.source(Source::Survey).unwrap();
        assert_eq!(s.columns["department"], "Dept");
        // Defaults: 30 active days, a 1-5 scale satisfied from 4, no methods.
        assert_eq!(c.thresholds.active_days, 30);
        assert_eq!(c.survey, SurveyScale::default());
        assert!(c.training_methods.is_empty());
    }

    #[test]
    fn a_tool_of_another_source_names_the_sources_it_feeds() {
        let e = parse_err("[sources.usage]\npath = \"a.csv\"\nformat = \"teams\"\n");
        assert!(
            e.contains("`sources.usage.format`: `teams` exports are training or touchpoints data, not usage"),
            "{e}"
        );
        let e = parse_err("[sources.survey]\npath = \"a.csv\"\nformat = \"typeform\"\n");
        assert!(e.contains("one of: forms, surveymonkey, qualtrics"), "{e}");
    }

    #[test]
    fn snapshots_are_for_usage_but_not_for_event_logs() {
        parse_ok("[sources.usage]\npath = \"usage/\"\nsnapshots = true\n");
        for source in ["touchpoints", "completions", "survey"] {
            let e = parse_err(&format!(
                "[sources.{source}]\npath = \"x/\"\nsnapshots = true\n"
            ));
            assert!(e.contains(&format!("`sources.{source}.snapshots`")), "{e}");
            assert!(e.contains("a log of events"), "{e}");
        }
    }

    #[test]
    fn columns_of_the_new_sources_are_checked() {
        let e = parse_err(
            "[sources.touchpoints]\npath = \"t.csv\"\ncolumns = { channel_name = \"Channel\" }\n",
        );
        assert!(
            e.contains("`sources.touchpoints.columns.channel_name`"),
            "{e}"
        );
        assert!(e.contains("user_id, channel, timestamp, campaign"), "{e}");
        // The survey's group column is the config's `group_by`, not any roster column.
        let e =
            parse_err("[sources.survey]\npath = \"s.csv\"\ncolumns = { location = \"Site\" }\n");
        assert!(e.contains("`sources.survey.columns.location`"), "{e}");
    }

    #[test]
    fn products_map_to_configured_workloads() {
        let c = parse_ok(
            "[sources.usage]\npath = \"u.csv\"\nformat = \"m365_active_users\"\nproducts = { \"Teams\" = \"intune mdm\", \" OneDrive \" = \"OneDrive KFM\" }\n",
        );
        assert_eq!(
            c.source(Source::Usage).unwrap().products,
            BTreeMap::from([
                ("OneDrive".to_string(), "OneDrive KFM".to_string()),
                ("Teams".to_string(), "Intune MDM".to_string()),
            ])
        );
        let e =
            parse_err("[sources.usage]\npath = \"u.csv\"\nproducts = { \"OneDrive\" = \"KFM\" }\n");
        assert!(
            e.contains("`sources.usage.products.OneDrive`: unknown workload `KFM`"),
            "{e}"
        );
        assert!(
            e.contains("the workloads are: Intune MDM, OneDrive KFM"),
            "{e}"
        );
        let e = parse_err("[sources.completions]\npath = \"c.csv\"\nproducts = { \"OneDrive\" = \"OneDrive KFM\" }\n");
        assert!(
            e.contains("`sources.completions.products`: only usage sources"),
            "{e}"
        );
    }

    #[test]
    fn an_active_users_report_with_no_product_for_a_workload_is_an_error() {
        let text = BASE.replace("OneDrive KFM", "Backup");
        let e = parse(
            Path::new("u.toml"),
            &format!("{text}[sources.usage]\npath = \"u.csv\"\nformat = \"m365_active_users\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("`sources.usage.products`: no product of the Active Users report"),
            "{e}"
        );
        assert!(
            e.contains("help: say which product's use counts for which workload, e.g. products = { \"OneDrive\" = \"Intune MDM\" }"),
            "{e}"
        );
        // A canonical usage file names its workloads itself: no products needed.
        parse(
            Path::new("u.toml"),
            &format!("{text}[sources.usage]\npath = \"u.csv\"\n"),
        )
        .unwrap();
    }

    #[test]
    fn active_days_and_after_enrollment_targets_are_checked() {
        let c = parse_ok("").thresholds.active_days;
        assert_eq!(c, 30);
        let text = BASE.replace("min_group_size = 5", "min_group_size = 5\nactive_days = 14");
        let c = parse(Path::new("u.toml"), &text).unwrap();
        assert_eq!(c.thresholds.active_days, 14);
        for bad in ["0", "-3", "4000"] {
            let text = BASE.replace(
                "min_group_size = 5",
                &format!("min_group_size = 5\nactive_days = {bad}"),
            );
            let e = parse(Path::new("u.toml"), &text).unwrap_err().to_string();
            assert!(e.contains("`thresholds.active_days`"), "{e}");
        }
        let text = BASE.replacen(
            "enrollment_target = [[14, 0.5]]",
            "enrollment_target = [[14, 0.5]]\nhealth_target = 0.85\nactive_target = 0.7\nsatisfaction_target = 0.75",
            1,
        );
        let c = parse(Path::new("u.toml"), &text).unwrap();
        let w = &c.waves[0];
        assert_eq!(
            (w.health_target, w.active_target, w.satisfaction_target),
            (Some(0.85), Some(0.7), Some(0.75))
        );
        assert_eq!(c.waves[1].health_target, None);
        for key in ["health_target", "active_target", "satisfaction_target"] {
            let text = BASE.replacen(
                "enrollment_target = [[14, 0.5]]",
                &format!("enrollment_target = [[14, 0.5]]\n{key} = 85"),
                1,
            );
            let e = parse(Path::new("u.toml"), &text).unwrap_err().to_string();
            assert!(
                e.contains(&format!("`waves[0].{key}`: 85 is not a share")),
                "{e}"
            );
        }
    }

    #[test]
    fn survey_scale_and_satisfied_from() {
        let c = parse_ok("[survey]\nscale = [0, 10]\n");
        assert_eq!(
            c.survey,
            SurveyScale {
                low: 0,
                high: 10,
                satisfied_from: 9
            }
        );
        assert!(c.survey.is_nps());
        let c = parse_ok("[survey]\nscale = [1, 7]\nsatisfied_from = 6\n");
        assert_eq!(
            (c.survey.low, c.survey.high, c.survey.satisfied_from),
            (1, 7, 6)
        );
        assert!(c.survey.contains(7) && !c.survey.contains(0) && !c.survey.is_nps());
        let cases = [
            ("scale = [5, 1]", "`survey.scale`: [5, 1] does not go up"),
            (
                "scale = [1, 5, 7]",
                "`survey.scale`: a scale is [lowest score, highest score]",
            ),
            (
                "scale = [1.5, 5]",
                "`survey.scale`: 1.5 is not a whole score",
            ),
            (
                "scale = [1, 5]\nsatisfied_from = 6",
                "`survey.satisfied_from`: 6 is not on the scale 1 to 5",
            ),
            (
                "scale = [1, 7]",
                "`survey.satisfied_from`: missing: on a scale of 1 to 7",
            ),
            ("satisfied = 4", "`survey.satisfied`"),
        ];
        for (text, says) in cases {
            let e = parse_err(&format!("[survey]\n{text}\n"));
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn training_methods_are_named_once_with_globs() {
        let c = parse_ok(
            "[[training_methods]]\nname = \"brown bag\"\nsessions = [\"Brown bag*\", \"lunch & learn ?\"]\n[[training_methods]]\nname = \"workshop\"\nsessions = [\"*workshop*\", \"Brown bag Finance*\"]\n",
        );
        assert_eq!(c.training_methods.len(), 2);
        // Case and spacing do not count; the whole name must match.
        assert_eq!(c.training_method("brown  BAG Finance 2026-09-08"), Some(0));
        assert_eq!(c.training_method("Lunch & Learn 3"), Some(0));
        assert_eq!(c.training_method("Lunch & Learn 12"), None);
        assert_eq!(c.training_method("Intune workshop (HR)"), Some(1));
        assert_eq!(c.training_method("Intune onboarding"), None);
        let cases = [
            ("name = \"brown bag\"\nsessions = [\"a*\"]\n[[training_methods]]\nname = \"Brown  Bag\"\nsessions = [\"b*\"]", "`training_methods[1].name`: a second training method named `Brown  Bag`"),
            ("name = \"Self-Paced\"\nsessions = [\"x\"]", "`training_methods[0].name`: `Self-Paced` is the method of the completions source"),
            ("name = \"instructor-led\"\nsessions = [\"x\"]", "`training_methods[0].name`: `instructor-led` is the method of every session"),
            ("sessions = [\"x\"]", "`training_methods[0].name`: missing"),
            ("name = \"bb\"", "`training_methods[0].sessions`: missing"),
            ("name = \"bb\"\nsessions = []", "`training_methods[0].sessions`: missing"),
            ("name = \"bb\"\nsessions = [\"a*\", \" \"]", "`training_methods[0].sessions[1]`: an empty glob matches no session"),
            ("name = \"bb\"\nsession = [\"a\"]", "`training_methods[0].session`"),
        ];
        for (text, says) in cases {
            let e = parse_err(&format!("[[training_methods]]\n{text}\n"));
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn globs_match_whole_names() {
        let m = |g: &str, t: &str| {
            let g: Vec<char> = g.chars().collect();
            let t: Vec<char> = t.chars().collect();
            glob_matches(&g, &t)
        };
        assert!(m("*", ""));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(m("a*b*c", "abcbc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("**x", "yyx"));
        assert!(!m("abc", "abcd"));
        // No exponential blow-up on many stars.
        let long: String = "a".repeat(5000);
        assert!(!m(&format!("{}b", "*a".repeat(40)), &long));
    }
}

//! The config: TOML text in, a checked [`Config`] out.
//!
//! Every mistake a user can make in the file is caught here, before any input is
//! read, and reported as [`Error::Config`] naming the key (`waves[1].start`) and the
//! fix: unknown keys (serde's `deny_unknown_fields`), unknown waves or phases, a target
//! curve whose days do not increase, a share outside 0..1, a time zone that is not an
//! IANA name, a source with no `path`. Paths are resolved against the config's folder.
//! The stages after this one only ever see a valid `Config`.
//!
//! `engagement.rs` checks the keys of channels, ways to learn and what follows
//! enrollment: `[[training_methods]]`, `[survey]` and a usage source's `products`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use crate::error::Error;
use crate::normalize::label_key;
use crate::schema::Source;

mod engagement;

pub use engagement::{SurveyScale, TrainingMethod, M365_PRODUCTS};

/// A checked config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file.
    pub path: PathBuf,
    /// Its text, as read (the manifest records it).
    pub text: String,
    /// `rollout.name`.
    pub name: String,
    /// `rollout.as_of`, if set.
    pub as_of: Option<NaiveDate>,
    /// `rollout.timezone` (UTC by default).
    pub timezone: Tz,
    /// `rollout.group_by`: the roster column that defines a group.
    pub group_by: String,
    /// `[thresholds]`.
    pub thresholds: Thresholds,
    /// `rollout.cuts`: more roster columns to break each wave down by.
    pub cuts: Vec<String>,
    /// `[[workloads]]`, in config order; one, named after the rollout, when the config
    /// has none.
    pub workloads: Vec<Workload>,
    /// `[sources.*]`, by source: one table each, or several (`[[sources.enrollments]]`,
    /// one per workload's export); a source with no table has no entry.
    pub sources: BTreeMap<Source, Vec<SourceConfig>>,
    /// `[[waves]]`, in config order.
    pub waves: Vec<Wave>,
    /// `[[campaigns]]`, in config order.
    pub campaigns: Vec<Campaign>,
    /// `[[training_methods]]`, in config order: ways to learn told apart by session
    /// names (docs/inputs.md, "Training methods").
    pub training_methods: Vec<TrainingMethod>,
    /// `[survey]`: the survey's scale and the score from which a person is satisfied.
    pub survey: SurveyScale,
}

/// `[thresholds]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// A person is trained from this many attended minutes.
    pub training_min_minutes: f64,
    /// Up to this many points (a fraction) under target is `at_risk`.
    pub at_risk_margin: f64,
    /// Groups smaller than this are folded (docs/privacy.md).
    pub min_group_size: u32,
    /// A device checked in, or a workload used, within this many days before the
    /// as-of day's end is healthy or active (docs/inputs.md, "Usage").
    pub active_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            training_min_minutes: 30.0,
            at_risk_margin: 0.10,
            min_group_size: 5,
            active_days: 30,
        }
    }
}

/// How one source is read.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// The file or folder, resolved against the config's folder.
    pub path: PathBuf,
    /// The export's layout.
    pub format: Format,
    /// Canonical column name → header in the file.
    pub columns: BTreeMap<String, String>,
    /// chrono format of the source's dates and timestamps, if not ISO 8601.
    pub date_format: Option<String>,
    /// Day-first or month-first, for files whose values do not decide it.
    pub date_order: Option<DateOrder>,
    /// Email sources: the field that carries the campaign.
    pub campaign_from: Option<String>,
    /// The source's folder holds dated exports of its state, one per day in the file
    /// names (roster, enrollments, tickets): its history, not one long file
    /// (docs/inputs.md, "Snapshots").
    pub snapshots: bool,
    /// The workload its rows belong to when they do not say (enrollment sources),
    /// an index into `Config::workloads`.
    pub workload: Option<usize>,
    /// Usage sources: product of a usage report (`OneDrive`) → the `[[workloads]]`
    /// name its use counts for, as the config writes it (docs/exports.md, "Microsoft
    /// 365 Active Users"). Empty for every other source.
    pub products: BTreeMap<String, String>,
    /// The key of its table in the config (`sources.enrollments[1]`), for errors.
    pub key: String,
    /// The config file, for errors that name one of this source's keys.
    pub config_file: PathBuf,
}

/// One `[[workloads]]` entry: a thing to adopt with its own waves, targets and exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// Its name.
    pub name: String,
    /// The roster column that names each person's wave of this workload, if any.
    pub wave_column: Option<String>,
}

/// The layout of a source's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// uptake's own CSV layout (docs/inputs.md).
    Canonical,
    /// Recognise the layout from the headers.
    Auto,
    /// A tool's export (see `docs/exports.md`).
    Tool(Tool),
}

/// The tools whose exports uptake reads as they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    /// Intune "Devices > All devices > Export".
    Intune,
    /// Entra "Users > Download users", or the Microsoft 365 admin center's export.
    Entra,
    /// SendGrid Event Webhook JSON.
    SendGrid,
    /// Mailchimp email-activity JSON or campaign report CSV.
    Mailchimp,
    /// Microsoft Teams attendance reports, every generation.
    Teams,
    /// Zoom participant reports.
    Zoom,
    /// ServiceNow incident list export.
    ServiceNow,
    /// Zendesk ticket CSV.
    Zendesk,
    /// Jira Service Management CSV.
    Jira,
    /// The Microsoft 365 admin center's Active Users detail report.
    M365ActiveUsers,
    /// Cornerstone OnDemand transcript report.
    Cornerstone,
    /// Moodle's Course completion report (`report_coursecompletion`) CSV.
    Moodle,
    /// A Viva Engage (Yammer) network data export's `Messages.csv`.
    VivaEngage,
    /// Microsoft Forms responses.
    Forms,
    /// SurveyMonkey responses (CSV, two header rows).
    SurveyMonkey,
    /// Qualtrics responses (CSV, three header rows).
    Qualtrics,
}

impl Tool {
    /// Every tool, in the order `auto` tries them.
    pub const ALL: [Tool; 16] = [
        Tool::Intune,
        Tool::Entra,
        Tool::SendGrid,
        Tool::Mailchimp,
        Tool::Teams,
        Tool::Zoom,
        Tool::ServiceNow,
        Tool::Zendesk,
        Tool::Jira,
        Tool::M365ActiveUsers,
        Tool::Cornerstone,
        Tool::Moodle,
        Tool::VivaEngage,
        Tool::Forms,
        Tool::SurveyMonkey,
        Tool::Qualtrics,
    ];

    /// The name written in `format = "..."`.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Intune => "intune",
            Tool::Entra => "entra",
            Tool::SendGrid => "sendgrid",
            Tool::Mailchimp => "mailchimp",
            Tool::Teams => "teams",
            Tool::Zoom => "zoom",
            Tool::ServiceNow => "servicenow",
            Tool::Zendesk => "zendesk",
            Tool::Jira => "jira",
            Tool::M365ActiveUsers => "m365_active_users",
            Tool::Cornerstone => "cornerstone",
            Tool::Moodle => "moodle",
            Tool::VivaEngage => "viva_engage",
            Tool::Forms => "forms",
            Tool::SurveyMonkey => "surveymonkey",
            Tool::Qualtrics => "qualtrics",
        }
    }

    /// The sources this tool's export feeds, the usual one first: a Teams or Zoom
    /// attendance file is training, or a meeting's touchpoints.
    pub fn sources(self) -> &'static [Source] {
        match self {
            Tool::Intune => &[Source::Enrollments],
            Tool::Entra => &[Source::Roster],
            Tool::SendGrid | Tool::Mailchimp => &[Source::Email],
            Tool::Teams | Tool::Zoom => &[Source::Training, Source::Touchpoints],
            Tool::ServiceNow | Tool::Zendesk | Tool::Jira => &[Source::Tickets],
            Tool::M365ActiveUsers => &[Source::Usage],
            Tool::Cornerstone | Tool::Moodle => &[Source::Completions],
            Tool::VivaEngage => &[Source::Touchpoints],
            Tool::Forms | Tool::SurveyMonkey | Tool::Qualtrics => &[Source::Survey],
        }
    }

    /// The source this tool's export usually feeds.
    pub fn source(self) -> Source {
        self.sources()[0]
    }

    /// Whether this tool's export can feed `source`.
    pub fn feeds(self, source: Source) -> bool {
        self.sources().contains(&source)
    }

    /// The tool named `name`, if any.
    pub fn from_name(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Day-first or month-first dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `15/11/2026`.
    Dmy,
    /// `11/15/2026`.
    Mdy,
}

/// One `[[waves]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Wave {
    /// The wave's name.
    pub name: String,
    /// Its workload, an index into `Config::workloads`.
    pub workload: usize,
    /// Its first day.
    pub start: NaiveDate,
    /// The groups it covers (when the roster has no wave column).
    pub groups: Vec<String>,
    /// `(days since start, share enrolled)`, days strictly increasing, `(0, 0)`
    /// implied when absent.
    pub enrollment_target: Vec<(i64, f64)>,
    /// Share of recipients who should open the emails.
    pub email_open_target: Option<f64>,
    /// Share of eligible people who should be trained.
    pub training_target: Option<f64>,
    /// Ceiling on tickets per 100 enrolled.
    pub tickets_per_100_target: Option<f64>,
    /// Share of enrolled people who should have a healthy device.
    pub health_target: Option<f64>,
    /// Share of eligible people who should be active users of the wave's workload.
    pub active_target: Option<f64>,
    /// Share of survey respondents who should be satisfied.
    pub satisfaction_target: Option<f64>,
}

/// How far past the last wave's start a day can be and still be about this
/// rollout: an event or as-of day later than this is a mistyped year (2206 for
/// 2026), which would otherwise make the as-of day and every weekly table run
/// for centuries.
pub const HORIZON_YEARS: u32 = 20;

/// The roster columns a config asks for beyond the canonical ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterColumns {
    /// `rollout.group_by`.
    pub group_by: String,
    /// `rollout.cuts`.
    pub cuts: Vec<String>,
    /// Each workload's `wave_column`, where set.
    pub wave_columns: Vec<String>,
}

impl RosterColumns {
    /// Only a `group_by` column (for tests and tools that know no config).
    pub fn grouped_by(group_by: &str) -> Self {
        RosterColumns {
            group_by: group_by.to_string(),
            cuts: Vec::new(),
            wave_columns: Vec::new(),
        }
    }
}

impl Config {
    /// The roster columns this config asks for beyond the canonical ones.
    pub fn roster_columns(&self) -> RosterColumns {
        RosterColumns {
            group_by: self.group_by.clone(),
            cuts: self.cuts.clone(),
            wave_columns: self
                .workloads
                .iter()
                .filter_map(|w| w.wave_column.clone())
                .collect(),
        }
    }

    /// The (first) table of a source, if the config has one.
    pub fn source(&self, source: Source) -> Option<&SourceConfig> {
        self.sources.get(&source).and_then(|t| t.first())
    }

    /// Every table of a source (none when the config has none).
    pub fn tables(&self, source: Source) -> &[SourceConfig] {
        self.sources.get(&source).map_or(&[], Vec::as_slice)
    }

    /// The waves of workload `w`, with their indices into `waves`.
    pub fn waves_of(&self, w: usize) -> impl Iterator<Item = (usize, &Wave)> {
        self.waves
            .iter()
            .enumerate()
            .filter(move |(_, x)| x.workload == w)
    }

    /// The name of wave `i`'s workload.
    pub fn workload_of(&self, wave: &Wave) -> &str {
        &self.workloads[wave.workload].name
    }

    /// The last day that can belong to this rollout: [`HORIZON_YEARS`] after the
    /// last wave starts.
    pub fn horizon(&self) -> Option<NaiveDate> {
        let last = self.waves.iter().map(|w| w.start).max()?;
        last.checked_add_months(chrono::Months::new(12 * HORIZON_YEARS))
    }
}

impl Wave {
    /// The last point's share: the share the wave aims for in the end.
    pub fn final_share(&self) -> f64 {
        self.enrollment_target.last().map_or(0.0, |&(_, s)| s)
    }
}

/// A phase of the communication plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Announces the rollout.
    Kickoff,
    /// Prepares people before their enrollment window.
    PreEnrollment,
    /// Asks people to enroll.
    Enrollment,
    /// Follows up after enrollment.
    PostEnrollment,
}

impl Phase {
    /// Every phase, in plan order.
    pub const ALL: [Phase; 4] = [
        Phase::Kickoff,
        Phase::PreEnrollment,
        Phase::Enrollment,
        Phase::PostEnrollment,
    ];

    /// The phase's name in the config and the tables.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Kickoff => "kickoff",
            Phase::PreEnrollment => "pre-enrollment",
            Phase::Enrollment => "enrollment",
            Phase::PostEnrollment => "post-enrollment",
        }
    }
}

/// One `[[campaigns]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// The campaign's name as the email events carry it.
    pub name: String,
    /// Its phase.
    pub phase: Phase,
    /// The wave it addresses (a name from `[[waves]]`).
    pub wave: String,
    /// The day the plan says it goes out.
    pub planned: Option<NaiveDate>,
}

// ---- the file as written ----------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    rollout: RawRollout,
    #[serde(default)]
    thresholds: RawThresholds,
    #[serde(default)]
    sources: RawSources,
    #[serde(default)]
    workloads: Vec<RawWorkload>,
    #[serde(default)]
    waves: Vec<RawWave>,
    #[serde(default)]
    campaigns: Vec<RawCampaign>,
    #[serde(default)]
    training_methods: Vec<engagement::RawTrainingMethod>,
    survey: Option<engagement::RawSurvey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    name: Option<String>,
    wave_column: Option<String>,
}

/// A source given as one table (`[sources.x]`) or several (`[[sources.x]]`).
enum OneOrMany {
    One(RawSource),
    /// The tables as written, read one by one so that an error names its table.
    Many(Vec<toml::Value>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRollout {
    name: Option<String>,
    as_of: Option<String>,
    timezone: Option<String>,
    group_by: Option<String>,
    cuts: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    training_min_minutes: Option<f64>,
    at_risk_margin: Option<f64>,
    min_group_size: Option<i64>,
    active_days: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSources {
    roster: Option<RawSource>,
    enrollments: Option<toml::Value>,
    email: Option<RawSource>,
    training: Option<RawSource>,
    tickets: Option<RawSource>,
    touchpoints: Option<RawSource>,
    completions: Option<RawSource>,
    usage: Option<RawSource>,
    survey: Option<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    path: Option<String>,
    format: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    date_format: Option<String>,
    date_order: Option<String>,
    campaign_from: Option<String>,
    workload: Option<String>,
    snapshots: Option<bool>,
    products: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWave {
    name: Option<String>,
    workload: Option<String>,
    start: Option<String>,
    groups: Option<Vec<String>>,
    enrollment_target: Option<Vec<Vec<f64>>>,
    email_open_target: Option<f64>,
    training_target: Option<f64>,
    tickets_per_100_target: Option<f64>,
    health_target: Option<f64>,
    active_target: Option<f64>,
    satisfaction_target: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    name: Option<String>,
    phase: Option<String>,
    wave: Option<String>,
    planned: Option<String>,
}

// ---- loading and checking -------------------------------------------------------

/// Reads and checks the config at `path`. A file that cannot be read is an
/// [`Error::Config`] too (exit 2): the user named a config that is not there.
pub fn load(path: &Path) -> Result<Config, Error> {
    let cannot = |why: String| {
        Error::config(path, "", format!("cannot read the config: {why}")).with_help(
            "pass the config with --config <file>; `uptake run` alone runs the shipped sample",
        )
    };
    // A FIFO or a device would block or never end: only a regular file of a
    // config's size is read (docs/errors.md).
    let meta = std::fs::metadata(path).map_err(|e| cannot(e.to_string()))?;
    if !meta.is_file() {
        return Err(cannot(
            "it is not a regular file (a folder, a FIFO or a device)".to_string(),
        ));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(cannot(format!(
            "it is {} bytes; a config is a small TOML file (at most {MAX_CONFIG_BYTES} bytes)",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| cannot(e.to_string()))?;
    parse(path, &text)
}

/// The largest config file read: far above any real rollout's, far below a
/// mistaken path to a data file or a disk image.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Checks config `text` as if read from `path` (paths resolve against its folder).
pub fn parse(path: &Path, text: &str) -> Result<Config, Error> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let check = Checker { file: path };
    let dir = path.parent().unwrap_or(Path::new(""));

    let rollout = raw.rollout;
    let timezone = match rollout.timezone.as_deref() {
        None => Tz::UTC,
        Some(name) => check.timezone(name)?,
    };
    let as_of = rollout
        .as_of
        .as_deref()
        .map(|s| check.date("rollout.as_of", s))
        .transpose()?;
    let group_by = rollout.group_by.unwrap_or_else(|| "group".to_string());
    if group_by.trim().is_empty() {
        return Err(check.err("rollout.group_by", "must name a roster column"));
    }

    let name = rollout
        .name
        .unwrap_or_else(|| "Rollout".to_string())
        .trim()
        .to_string();
    let thresholds = check.thresholds(raw.thresholds)?;
    let workloads = check.workloads(raw.workloads, &name)?;
    let cuts = check.cuts(rollout.cuts.unwrap_or_default(), &group_by)?;
    let sources = check.sources(raw.sources, dir, &group_by, &cuts, &workloads)?;
    let waves = check.waves(raw.waves, &workloads)?;
    let campaigns = check.campaigns(raw.campaigns, &waves)?;
    let training_methods = check.training_methods(raw.training_methods)?;
    let survey = check.survey(raw.survey)?;

    Ok(Config {
        path: path.to_path_buf(),
        text: text.to_string(),
        name,
        as_of,
        timezone,
        group_by,
        thresholds,
        cuts,
        workloads,
        sources,
        waves,
        campaigns,
        training_methods,
        survey,
    })
}

/// Turns a TOML or serde error into a config error naming the table and the field.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim().to_string();
    let table = e.span().map(|span| table_at(text, span.start));
    let field = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string)
        .or_else(|| e.span().and_then(|span| key_on_line(text, span.start)));
    let key = match (table, field) {
        (Some(t), Some(f)) if !t.is_empty() => format!("{t}.{f}"),
        (_, Some(f)) => f,
        (Some(t), None) => t,
        (None, None) => String::new(),
    };
    let location = e.span().map(|span| {
        let before = &text.as_bytes()[..span.start.min(text.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        format!(" (line {line})")
    });
    let mut err = Error::config(
        path,
        key,
        format!("{message}{}", location.unwrap_or_default()),
    );
    if message.contains("expected a string") {
        err = err.with_help("write dates and names in quotes, e.g. as_of = \"2026-11-20\"");
    }
    err
}

/// The key of the `key = value` line holding byte `offset` of `text`, when it is a
/// plain key (a value of the wrong type is reported at the value).
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = bytes[..offset]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| key.to_string())
}

/// The `[table]` or `[[table]]` header that governs byte `offset` of `text`, as a
/// dotted key with array indices (`waves[1]`).
fn table_at(text: &str, offset: usize) -> String {
    let mut current = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > offset {
            break;
        }
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts.entry(name.clone()).or_insert(0);
            current = format!("{name}[{n}]");
            *n += 1;
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = name.trim().to_string();
        }
        pos += line.len();
    }
    current
}

struct Checker<'a> {
    file: &'a Path,
}

impl Checker<'_> {
    fn err(&self, key: impl Into<String>, message: impl Into<String>) -> Error {
        Error::config(self.file, key, message)
    }

    fn date(&self, key: &str, s: &str) -> Result<NaiveDate, Error> {
        // Four-digit years only: chrono also reads `-262143-01-01`, at the edge of
        // its calendar, where a week before it does not exist.
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (1000..=9999).contains(&chrono::Datelike::year(d)))
            .ok_or_else(|| {
                self.err(key, format!("`{s}` is not a date"))
                    .with_help("write it as YYYY-MM-DD, e.g. \"2026-11-20\"")
            })
    }

    fn share(&self, key: &str, v: f64) -> Result<f64, Error> {
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(self
                .err(key, format!("{v} is not a share between 0 and 1"))
                .with_help("shares are fractions: write 0.8 for 80 %"))
        }
    }

    fn timezone(&self, name: &str) -> Result<Tz, Error> {
        name.trim().parse::<Tz>().map_err(|_| {
            let mut e = self.err(
                "rollout.timezone",
                format!("`{name}` is not an IANA time zone name"),
            );
            let closest = chrono_tz::TZ_VARIANTS
                .iter()
                .map(|tz| tz.name())
                .map(|n| {
                    (
                        strsim::jaro_winkler(&n.to_lowercase(), &name.to_lowercase()),
                        n,
                    )
                })
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((score, n)) = closest {
                if score > 0.85 {
                    e = e.with_help(format!("a zone with a similar name exists: `{n}`"));
                }
            }
            e.with_help("use a name such as \"Europe/Paris\" or \"America/New_York\"")
        })
    }

    fn thresholds(&self, raw: RawThresholds) -> Result<Thresholds, Error> {
        let mut t = Thresholds::default();
        if let Some(m) = raw.training_min_minutes {
            if !(m.is_finite() && m >= 0.0) {
                return Err(self.err(
                    "thresholds.training_min_minutes",
                    format!("{m} is not a number of minutes (0 or more)"),
                ));
            }
            t.training_min_minutes = m;
        }
        if let Some(m) = raw.at_risk_margin {
            t.at_risk_margin = self.share("thresholds.at_risk_margin", m)?;
        }
        if let Some(n) = raw.min_group_size {
            if !(1..=1_000_000).contains(&n) {
                return Err(self.err(
                    "thresholds.min_group_size",
                    format!("{n} is not a group size (1 or more)"),
                ));
            }
            t.min_group_size = n as u32;
        }
        if let Some(n) = raw.active_days {
            if !(1..=3650).contains(&n) {
                return Err(self
                    .err(
                        "thresholds.active_days",
                        format!("{n} is not a number of days (1 to 3650)"),
                    )
                    .with_help("e.g. active_days = 30: a use within the last 30 days counts"));
            }
            t.active_days = n as u32;
        }
        Ok(t)
    }

    fn workloads(&self, raw: Vec<RawWorkload>, rollout: &str) -> Result<Vec<Workload>, Error> {
        if raw.is_empty() {
            return Ok(vec![Workload {
                name: rollout.to_string(),
                wave_column: None,
            }]);
        }
        let mut out: Vec<Workload> = Vec::with_capacity(raw.len());
        for (i, w) in raw.into_iter().enumerate() {
            let key = |k: &str| format!("workloads[{i}].{k}");
            let name = match w.name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => return Err(self.err(key("name"), "missing: every workload needs a name")),
            };
            if out.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
                return Err(self.err(key("name"), format!("a second workload named `{name}`")));
            }
            let wave_column = match w.wave_column.as_deref().map(str::trim) {
                None => None,
                Some("") => return Err(self.err(key("wave_column"), "an empty column name")),
                Some(c) => {
                    if let Some(other) = out.iter().find(|o| {
                        o.wave_column
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case(c))
                    }) {
                        return Err(self.err(
                            key("wave_column"),
                            format!("`{c}` is already the wave column of `{}`", other.name),
                        ));
                    }
                    Some(c.to_string())
                }
            };
            out.push(Workload { name, wave_column });
        }
        Ok(out)
    }

    fn cuts(&self, raw: Vec<String>, group_by: &str) -> Result<Vec<String>, Error> {
        let mut out: Vec<String> = Vec::with_capacity(raw.len());
        for (i, c) in raw.into_iter().enumerate() {
            let key = format!("rollout.cuts[{i}]");
            let c = c.trim().to_string();
            if c.is_empty() {
                return Err(self.err(key, "an empty column name"));
            }
            if c.eq_ignore_ascii_case(group_by) {
                return Err(self
                    .err(
                        key,
                        format!("`{c}` is already `group_by`: every wave is broken down by it"),
                    )
                    .with_help("list other roster columns, e.g. cuts = [\"location\"]"));
            }
            if out.iter().any(|o| o.eq_ignore_ascii_case(&c)) {
                return Err(self.err(key, format!("`{c}` is listed twice")));
            }
            out.push(c);
        }
        Ok(out)
    }

    fn sources(
        &self,
        raw: RawSources,
        dir: &Path,
        group_by: &str,
        cuts: &[String],
        workloads: &[Workload],
    ) -> Result<BTreeMap<Source, Vec<SourceConfig>>, Error> {
        let mut out = BTreeMap::new();
        let enrollments = match raw.enrollments {
            None => None,
            Some(toml::Value::Array(tables)) => Some(OneOrMany::Many(tables)),
            Some(table) => Some(OneOrMany::One(
                self.raw_source("sources.enrollments", table)?,
            )),
        };
        let pairs = [
            (Source::Roster, raw.roster.map(OneOrMany::One)),
            (Source::Enrollments, enrollments),
            (Source::Email, raw.email.map(OneOrMany::One)),
            (Source::Training, raw.training.map(OneOrMany::One)),
            (Source::Tickets, raw.tickets.map(OneOrMany::One)),
            (Source::Touchpoints, raw.touchpoints.map(OneOrMany::One)),
            (Source::Completions, raw.completions.map(OneOrMany::One)),
            (Source::Usage, raw.usage.map(OneOrMany::One)),
            (Source::Survey, raw.survey.map(OneOrMany::One)),
        ];
        for (source, raw) in pairs {
            let Some(raw) = raw else {
                if source == Source::Roster {
                    return Err(self
                        .err("sources.roster", "the roster is required")
                        .with_help("add [sources.roster] with path = \"roster.csv\""));
                }
                continue;
            };
            let tables: Vec<(String, RawSource)> = match raw {
                OneOrMany::One(t) => vec![(format!("sources.{}", source.name()), t)],
                OneOrMany::Many(values) => values
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let key = format!("sources.{}[{i}]", source.name());
                        self.raw_source(&key, v).map(|t| (key, t))
                    })
                    .collect::<Result<_, _>>()?,
            };
            if tables.is_empty() {
                continue;
            }
            let mut checked = Vec::with_capacity(tables.len());
            for (key, table) in tables {
                let mut cols: Vec<&str> = vec![group_by];
                cols.extend(cuts.iter().map(String::as_str));
                cols.extend(workloads.iter().filter_map(|w| w.wave_column.as_deref()));
                checked.push(self.source(source, table, dir, &cols, &key, workloads)?);
            }
            out.insert(source, checked);
        }
        Ok(out)
    }

    fn source(
        &self,
        source: Source,
        raw: RawSource,
        dir: &Path,
        roster_columns: &[&str],
        table_key: &str,
        workloads: &[Workload],
    ) -> Result<SourceConfig, Error> {
        let key = |k: &str| format!("{table_key}.{k}");
        let path = match raw.path.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() => dir.join(p),
            _ => {
                return Err(self
                    .err(key("path"), "missing: every source needs a path")
                    .with_help(format!(
                        "add path = \"{}.csv\" (a file, or a folder of files) to [sources.{}]",
                        source.name(),
                        source.name()
                    )))
            }
        };
        let format = match raw.format.as_deref().map(str::trim) {
            None | Some("canonical") => Format::Canonical,
            Some("auto") => Format::Auto,
            Some(f) => match Tool::from_name(f) {
                Some(tool) if tool.feeds(source) => Format::Tool(tool),
                Some(tool) => {
                    let feeds: Vec<&str> = tool.sources().iter().map(|s| s.name()).collect();
                    return Err(self
                        .err(
                            key("format"),
                            format!(
                                "`{f}` exports are {} data, not {}",
                                feeds.join(" or "),
                                source.name()
                            ),
                        )
                        .with_help(format!(
                            "move it to [sources.{}], or use format = \"auto\"",
                            tool.source().name()
                        )));
                }
                None => {
                    let names: Vec<&str> = Tool::ALL
                        .iter()
                        .filter(|t| t.feeds(source))
                        .map(|t| t.name())
                        .collect();
                    return Err(self
                        .err(key("format"), format!("unknown format `{f}`"))
                        .with_help(format!(
                            "use \"canonical\", \"auto\" or, for the {} source, one of: {}; see docs/exports.md",
                            source.name(),
                            names.join(", ")
                        )));
                }
            },
        };
        let mut known: Vec<&str> = source.required().to_vec();
        known.extend_from_slice(source.optional());
        if source == Source::Roster {
            known.extend_from_slice(roster_columns);
        }
        if source == Source::Survey {
            // The group of an anonymous response: the `group_by` column.
            known.extend(roster_columns.first().copied());
        }
        for (canonical, header) in &raw.columns {
            if !known.contains(&canonical.as_str()) {
                return Err(self
                    .err(
                        format!("{}.{canonical}", key("columns")),
                        format!("`{canonical}` is not a column of the {} source", source.name()),
                    )
                    .with_help(format!(
                        "map canonical names to headers, e.g. columns = {{ {} = \"{header}\" }}; the {} source's columns are: {}",
                        source.required()[0],
                        source.name(),
                        known.join(", ")
                    )));
            }
            if header.trim().is_empty() {
                return Err(self.err(
                    format!("{}.{canonical}", key("columns")),
                    "an empty header name",
                ));
            }
        }
        if let Some(f) = &raw.date_format {
            check_date_format(f).map_err(|m| self.err(key("date_format"), m))?;
        }
        let date_order = match raw.date_order.as_deref().map(str::trim) {
            None => None,
            Some("dmy") => Some(DateOrder::Dmy),
            Some("mdy") => Some(DateOrder::Mdy),
            Some(o) => {
                return Err(self
                    .err(key("date_order"), format!("unknown date order `{o}`"))
                    .with_help("use \"dmy\" (15/11/2026) or \"mdy\" (11/15/2026)"))
            }
        };
        if raw.campaign_from.is_some() && source != Source::Email {
            return Err(self.err(
                key("campaign_from"),
                "only email sources have a campaign field",
            ));
        }
        let snapshots = raw.snapshots.unwrap_or(false);
        if snapshots && !source.has_snapshots() {
            return Err(self
                .err(
                    key("snapshots"),
                    format!(
                        "the {} source is a log of events, not snapshots of a state: a folder of it is parts of one log",
                        source.name()
                    ),
                )
                .with_help("snapshots = true is for the roster, enrollments, tickets and usage"));
        }
        let workload = match raw.workload.as_deref().map(str::trim) {
            None => None,
            Some(_) if source != Source::Enrollments => {
                return Err(self.err(
                    key("workload"),
                    "only enrollment sources belong to a workload",
                ))
            }
            Some(w) => Some(self.workload_named(&key("workload"), w, workloads)?),
        };
        let products = self.products(source, format, raw.products, &key("products"), workloads)?;
        Ok(SourceConfig {
            path,
            format,
            columns: raw.columns,
            date_format: raw.date_format,
            date_order,
            campaign_from: raw.campaign_from,
            snapshots,
            workload,
            products,
            key: table_key.to_string(),
            config_file: self.file.to_path_buf(),
        })
    }

    /// One source table read from its TOML value; an unknown or mistyped field is an
    /// error naming `key.field`.
    fn raw_source(&self, key: &str, value: toml::Value) -> Result<RawSource, Error> {
        RawSource::deserialize(value).map_err(|e| {
            let message = e.message().trim().to_string();
            let field = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next());
            let key = field.map_or_else(|| key.to_string(), |f| format!("{key}.{f}"));
            self.err(key, message)
        })
    }

    /// The workload `name` names (ignoring case), or an error naming `key`.
    fn workload_named(
        &self,
        key: &str,
        name: &str,
        workloads: &[Workload],
    ) -> Result<usize, Error> {
        workloads
            .iter()
            .position(|w| w.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
                self.err(key, format!("unknown workload `{name}`"))
                    .with_help(format!("the workloads are: {}", known.join(", ")))
            })
    }

    fn waves(&self, raw: Vec<RawWave>, workloads: &[Workload]) -> Result<Vec<Wave>, Error> {
        if raw.is_empty() {
            return Err(self
                .err("waves", "no [[waves]]: a rollout needs at least one wave")
                .with_help("add [[waves]] with name, start, groups and enrollment_target"));
        }
        let mut waves: Vec<Wave> = Vec::with_capacity(raw.len());
        // Per workload, the wave each group belongs to.
        let mut group_owner: BTreeMap<(usize, String), String> = BTreeMap::new();
        for (i, w) in raw.into_iter().enumerate() {
            let key = |k: &str| format!("waves[{i}].{k}");
            let name = match w.name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => return Err(self.err(key("name"), "missing: every wave needs a name")),
            };
            if waves.iter().any(|o| label_key(&o.name) == label_key(&name)) {
                return Err(self.err(key("name"), format!("a second wave named `{name}`")));
            }
            let workload = match w.workload.as_deref().map(str::trim) {
                Some(n) => self.workload_named(&key("workload"), n, workloads)?,
                None if workloads.len() == 1 => 0,
                None => {
                    let known: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
                    return Err(self
                        .err(
                            key("workload"),
                            "missing: with several workloads every wave names its own",
                        )
                        .with_help(format!(
                            "add workload = \"{}\" (the workloads are: {})",
                            known[0],
                            known.join(", ")
                        )));
                }
            };
            let start = match w.start.as_deref() {
                Some(s) => self.date(&key("start"), s)?,
                None => return Err(self.err(key("start"), "missing: the wave's first day")),
            };
            let groups: Vec<String> = w
                .groups
                .unwrap_or_default()
                .into_iter()
                .map(|g| g.trim().to_string())
                .collect();
            for g in &groups {
                if let Some(other) = group_owner.insert((workload, label_key(g)), name.clone()) {
                    let of = if workloads.len() > 1 {
                        format!(" of workload `{}`", workloads[workload].name)
                    } else {
                        String::new()
                    };
                    return Err(self.err(
                        key("groups"),
                        format!(
                            "group `{g}` is already in wave `{other}`{of}: a group belongs to one wave of a workload"
                        ),
                    ));
                }
            }
            let Some(curve) = w.enrollment_target else {
                return Err(self
                    .err(key("enrollment_target"), "missing: the wave's target curve")
                    .with_help(
                        "e.g. enrollment_target = [[0, 0.0], [14, 0.5], [28, 0.8], [42, 0.95]]",
                    ));
            };
            let enrollment_target = self.curve(&key("enrollment_target"), &curve)?;
            let opt_share = |k: &str, v: Option<f64>| v.map(|v| self.share(&key(k), v)).transpose();
            let tickets_per_100_target = match w.tickets_per_100_target {
                Some(v) if !(v.is_finite() && v >= 0.0) => {
                    return Err(self.err(
                        key("tickets_per_100_target"),
                        format!("{v} is not a ticket rate (0 or more per 100 enrolled)"),
                    ))
                }
                v => v,
            };
            waves.push(Wave {
                name,
                workload,
                start,
                groups,
                enrollment_target,
                email_open_target: opt_share("email_open_target", w.email_open_target)?,
                training_target: opt_share("training_target", w.training_target)?,
                tickets_per_100_target,
                health_target: opt_share("health_target", w.health_target)?,
                active_target: opt_share("active_target", w.active_target)?,
                satisfaction_target: opt_share("satisfaction_target", w.satisfaction_target)?,
            });
        }
        Ok(waves)
    }

    fn curve(&self, key: &str, points: &[Vec<f64>]) -> Result<Vec<(i64, f64)>, Error> {
        if points.is_empty() {
            return Err(self.err(key, "an empty target curve"));
        }
        let mut out: Vec<(i64, f64)> = Vec::with_capacity(points.len());
        for (j, p) in points.iter().enumerate() {
            let pkey = format!("{key}[{j}]");
            let &[days, share] = p.as_slice() else {
                return Err(self
                    .err(&pkey, "a point is [days since start, share enrolled]")
                    .with_help("e.g. [14, 0.5]"));
            };
            if days.fract() != 0.0 || !(0.0..=100_000.0).contains(&days) {
                return Err(self.err(
                    &pkey,
                    format!("{days} is not a whole number of days since the start (0 or more)"),
                ));
            }
            let share = self.share(&pkey, share)?;
            let days = days as i64;
            if let Some(&(prev, _)) = out.last() {
                if days <= prev {
                    return Err(self
                        .err(
                            &pkey,
                            format!(
                                "the curve is not increasing in days: {days} comes after {prev}"
                            ),
                        )
                        .with_help("list the points in order of days, each day once"));
                }
            }
            out.push((days, share));
        }
        Ok(out)
    }

    fn campaigns(&self, raw: Vec<RawCampaign>, waves: &[Wave]) -> Result<Vec<Campaign>, Error> {
        let mut out: Vec<Campaign> = Vec::with_capacity(raw.len());
        let mut names = BTreeSet::new();
        for (i, c) in raw.into_iter().enumerate() {
            let key = |k: &str| format!("campaigns[{i}].{k}");
            let name = match c.name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => return Err(self.err(key("name"), "missing: the campaign's name")),
            };
            if !names.insert(name.clone()) {
                return Err(self.err(key("name"), format!("a second campaign named `{name}`")));
            }
            let phase = match c.phase.as_deref().map(str::trim) {
                Some(p) => Phase::ALL
                    .into_iter()
                    .find(|ph| ph.name().eq_ignore_ascii_case(p))
                    .ok_or_else(|| {
                        self.err(key("phase"), format!("unknown phase `{p}`"))
                            .with_help(
                                "use one of: kickoff, pre-enrollment, enrollment, post-enrollment",
                            )
                    })?,
                None => return Err(self.err(key("phase"), "missing: the campaign's phase")),
            };
            let wave = match c.wave.as_deref().map(str::trim) {
                Some(w) => waves
                    .iter()
                    .find(|x| label_key(&x.name) == label_key(w))
                    .map(|x| x.name.clone())
                    .ok_or_else(|| {
                        let known: Vec<&str> = waves.iter().map(|x| x.name.as_str()).collect();
                        self.err(key("wave"), format!("unknown wave `{w}`"))
                            .with_help(format!("the waves are: {}", known.join(", ")))
                    })?,
                None => return Err(self.err(key("wave"), "missing: the wave it addresses")),
            };
            let planned = c
                .planned
                .as_deref()
                .map(|s| self.date(&key("planned"), s))
                .transpose()?;
            out.push(Campaign {
                name,
                phase,
                wave,
                planned,
            });
        }
        Ok(out)
    }
}

/// Checks a chrono format string by formatting a known instant with it: chrono
/// reports bad specifiers only when used.
fn check_date_format(f: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "`{f}` is not a chrono date format (e.g. \"%m/%d/%Y %I:%M:%S %p\")"
        ));
    }
    if !f.contains("%Y") && !f.contains("%y") && !f.contains("%F") && !f.contains("%D") {
        return Err(format!("`{f}` has no year (%Y or %y)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
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
[sources.enrollments]
path = "enrollments.csv"
columns = { user_id = "UPN" }

[[waves]]
name = "Wave 1"
start = "2026-09-07"
groups = ["Finance", "HR"]
enrollment_target = [[0, 0.0], [14, 0.5], [28, 0.8], [42, 0.95]]
email_open_target = 0.60
training_target = 0.50
tickets_per_100_target = 15.0

[[waves]]
name = "Wave 2"
start = "2026-09-28"
groups = ["Sales"]
enrollment_target = [[14, 0.5], [28, 1]]

[[campaigns]]
name = "w1-kickoff"
phase = "kickoff"
wave = "Wave 1"
planned = "2026-08-17"
"#;

    fn parse_err(text: &str) -> String {
        match parse(Path::new("cfg/uptake.toml"), text) {
            Ok(_) => panic!("expected a config error"),
            Err(e) => {
                assert_eq!(e.exit_code(), 2, "{e}");
                e.to_string()
            }
        }
    }

    #[test]
    fn reads_the_spec_example() {
        let c = parse(Path::new("cfg/uptake.toml"), GOOD).unwrap();
        assert_eq!(c.name, "Contoso Intune rollout");
        assert_eq!(c.timezone, chrono_tz::Europe::Paris);
        assert_eq!(c.as_of, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert_eq!(c.group_by, "department");
        assert_eq!(c.thresholds.min_group_size, 5);
        assert_eq!(
            c.source(Source::Roster).unwrap().path,
            Path::new("cfg/roster.csv")
        );
        assert_eq!(
            c.source(Source::Enrollments).unwrap().columns["user_id"],
            "UPN"
        );
        assert_eq!(c.workloads.len(), 1);
        assert_eq!(c.workloads[0].name, "Contoso Intune rollout");
        assert!(!c.sources.contains_key(&Source::Tickets));
        assert_eq!(c.waves[0].enrollment_target[3], (42, 0.95));
        assert_eq!(c.waves[1].enrollment_target, vec![(14, 0.5), (28, 1.0)]);
        assert_eq!(c.waves[1].final_share(), 1.0);
        assert_eq!(c.campaigns[0].phase, Phase::Kickoff);
    }

    #[test]
    fn defaults_are_utc_and_group() {
        let c = parse(
            Path::new("u.toml"),
            "[rollout]\n[sources.roster]\npath='r.csv'\n[[waves]]\nname='W'\nstart='2026-01-05'\nenrollment_target=[[7,1.0]]\n",
        )
        .unwrap();
        assert_eq!(c.timezone, Tz::UTC);
        assert_eq!(c.group_by, "group");
        assert_eq!(c.thresholds, Thresholds::default());
    }

    #[test]
    fn unknown_key_is_named_with_its_table() {
        let text = GOOD.replace(
            "min_group_size = 5",
            "min_group_size = 5\nmin_groupsize = 3",
        );
        let e = parse_err(&text);
        assert!(e.contains("`thresholds.min_groupsize`"), "{e}");
        assert!(e.contains("unknown field"), "{e}");
    }

    #[test]
    fn unknown_key_in_second_wave_names_the_wave() {
        let text = GOOD.replace("groups = [\"Sales\"]", "groups = [\"Sales\"]\ntarget = 3");
        let e = parse_err(&text);
        assert!(e.contains("`waves[1].target`"), "{e}");
    }

    #[test]
    fn unknown_wave_in_campaign() {
        let e = parse_err(&GOOD.replace("wave = \"Wave 1\"", "wave = \"Wave 9\""));
        assert!(
            e.contains("`campaigns[0].wave`: unknown wave `Wave 9`"),
            "{e}"
        );
        assert!(e.contains("the waves are: Wave 1, Wave 2"), "{e}");
    }

    #[test]
    fn unknown_phase() {
        let e = parse_err(&GOOD.replace("phase = \"kickoff\"", "phase = \"launch\""));
        assert!(
            e.contains("`campaigns[0].phase`: unknown phase `launch`"),
            "{e}"
        );
    }

    #[test]
    fn curve_not_increasing_in_days() {
        let e = parse_err(&GOOD.replace("[28, 0.8], [42", "[14, 0.8], [42"));
        assert!(e.contains("`waves[0].enrollment_target[2]`"), "{e}");
        assert!(e.contains("not increasing in days"), "{e}");
    }

    #[test]
    fn share_outside_unit_interval() {
        let e = parse_err(&GOOD.replace("[42, 0.95]", "[42, 95]"));
        assert!(
            e.contains("`waves[0].enrollment_target[3]`: 95 is not a share"),
            "{e}"
        );
        let e = parse_err(&GOOD.replace("email_open_target = 0.60", "email_open_target = 60"));
        assert!(e.contains("`waves[0].email_open_target`"), "{e}");
        let e = parse_err(&GOOD.replace("at_risk_margin = 0.10", "at_risk_margin = -0.1"));
        assert!(e.contains("`thresholds.at_risk_margin`"), "{e}");
    }

    #[test]
    fn bad_time_zone_suggests_the_closest() {
        let e = parse_err(&GOOD.replace("Europe/Paris", "Europe/Pariss"));
        assert!(e.contains("`rollout.timezone`"), "{e}");
        assert!(e.contains("`Europe/Paris`"), "{e}");
    }

    #[test]
    fn source_without_path() {
        let e = parse_err(&GOOD.replace("path = \"enrollments.csv\"\n", ""));
        assert!(e.contains("`sources.enrollments.path`: missing"), "{e}");
    }

    #[test]
    fn bad_dates() {
        let e = parse_err(&GOOD.replace("as_of = \"2026-11-20\"", "as_of = \"20/11/2026\""));
        assert!(e.contains("`rollout.as_of`"), "{e}");
        let e = parse_err(&GOOD.replace("as_of = \"2026-11-20\"", "as_of = 2026-11-20"));
        assert!(e.contains("rollout"), "{e}");
        assert!(e.contains("in quotes"), "{e}");
        let e = parse_err(&GOOD.replace("start = \"2026-09-28\"", "start = \"2026-02-30\""));
        assert!(e.contains("`waves[1].start`"), "{e}");
    }

    #[test]
    fn group_in_two_waves() {
        let e = parse_err(&GOOD.replace("groups = [\"Sales\"]", "groups = [\"Sales\", \"hr\"]"));
        assert!(e.contains("`waves[1].groups`"), "{e}");
        // The same label written another way (case, spaces, Unicode form).
        let e = parse_err(&GOOD.replace(
            "groups = [\"Sales\"]",
            "groups = [\"Sales\", \" H\u{200b}R \"]",
        ));
        assert!(e.contains("group `H\u{200b}R` is already in wave"), "{e}");
    }

    /// Wave names match as labels do: `Wave 1` and `WAVE  1` are one name.
    // See: issue 12, finding 6.
    #[test]
    fn wave_names_match_as_labels() {
        let e = parse_err(&GOOD.replace("name = \"Wave 2\"", "name = \"WAVE  1\""));
        assert!(e.contains("a second wave named `WAVE  1`"), "{e}");
        let cfg = parse(
            Path::new("u.toml"),
            &GOOD.replace("wave = \"Wave 1\"", "wave = \"wave\u{a0}1\""),
        )
        .unwrap();
        assert_eq!(cfg.campaigns[0].wave, "Wave 1");
    }

    #[test]
    fn unknown_column_mapping_and_format() {
        let e = parse_err(&GOOD.replace("user_id = \"UPN\"", "upn = \"UPN\""));
        assert!(e.contains("`sources.enrollments.columns.upn`"), "{e}");
        let e = parse_err(&GOOD.replace(
            "path = \"roster.csv\"",
            "path = \"roster.csv\"\nformat = \"excel\"",
        ));
        assert!(
            e.contains("`sources.roster.format`: unknown format `excel`"),
            "{e}"
        );
        let e = parse_err(&GOOD.replace(
            "path = \"roster.csv\"",
            "path = \"roster.csv\"\ndate_order = \"ymd\"",
        ));
        assert!(e.contains("`sources.roster.date_order`"), "{e}");
        let e = parse_err(&GOOD.replace(
            "path = \"roster.csv\"",
            "path = \"roster.csv\"\ndate_format = \"%d/%m\"",
        ));
        assert!(e.contains("`sources.roster.date_format`"), "{e}");
    }

    #[test]
    fn no_waves_and_no_roster() {
        let e = parse_err("[rollout]\n[sources.roster]\npath = 'r.csv'\n");
        assert!(e.contains("`waves`"), "{e}");
        let e = parse_err(
            "[rollout]\n[[waves]]\nname='W'\nstart='2026-01-05'\nenrollment_target=[[7,1.0]]\n",
        );
        assert!(e.contains("`sources.roster`"), "{e}");
    }

    #[test]
    fn missing_config_file_is_exit_2() {
        let e = load(Path::new("/nonexistent/uptake.toml")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("cannot read the config"));
    }

    #[test]
    fn a_date_at_the_edge_of_the_calendar_is_refused() {
        for bad in [
            "-262143-01-05",
            "+262142-12-31",
            "0999-01-01",
            "10000-01-01",
        ] {
            let text = GOOD.replacen("as_of = \"2026-11-20\"", &format!("as_of = \"{bad}\""), 1);
            let e = parse_err(&text);
            assert!(
                e.contains("`rollout.as_of`") && e.contains("is not a date"),
                "{e}"
            );
        }
    }
}

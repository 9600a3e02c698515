//! uptake: weekly adoption metrics for phased enterprise rollouts.
//!
//! The pipeline, in the order data flows:
//! [`cli`] → [`config`] → [`ingest`] (files to canonical rows) → [`quality`]
//! (rules, quarantine, matching people) → [`metrics`] (tables, privacy) →
//! [`report`] and [`output`] (files, written aside and moved into place whole).
//! [`generate`] makes synthetic rollouts for the sample, the tests and the benches;
//! [`init`] turns a folder of exports into a config.

/// A hash map with foldhash's fast hasher: the keys are ids, names and codes read
/// from the inputs, hashed millions of times per run, never chosen by an attacker
/// who could profit from collisions.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// A hash set with the hasher of [`FastMap`].
pub(crate) type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

pub mod calendar;
pub mod cli;
pub mod config;
pub mod dataset;
pub mod error;
pub mod generate;
pub mod ingest;
pub mod init;
pub mod metrics;
pub mod normalize;
pub mod output;
pub mod privacy;
pub mod progress;
pub mod quality;
pub mod report;
pub mod schema;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::{Cli, Command, GenerateArgs, RunArgs, ValidateArgs};
use crate::config::Config;
use crate::dataset::Dataset;
use crate::error::Error;
use crate::progress::Progress;
use crate::schema::Source;

/// The sample rollout `uptake run` uses when no `--config` is given.
pub const SAMPLE_CONFIG: &str = "data/sample/uptake.toml";

/// What a command has to tell the user when it succeeds, one line each.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Lines for standard output.
    pub lines: Vec<String>,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    let progress = Progress::for_terminal();
    match cli.command {
        Command::Run(args) => run_report(&args, &progress),
        Command::Validate(args) => validate(&args, &progress),
        Command::Generate(args) => generate_rollout(&args),
        Command::Init(args) => init::run(&args),
    }
}

/// The config to use: the one given, else the shipped sample (found from the
/// working folder, or from the source tree this binary was built from).
fn config_path(given: Option<&Path>) -> PathBuf {
    if let Some(p) = given {
        return p.to_path_buf();
    }
    let here = PathBuf::from(SAMPLE_CONFIG);
    if here.exists() {
        return here;
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_CONFIG);
    if built.exists() {
        built
    } else {
        here
    }
}

/// Reads the config and every input.
///
/// Snapshot sources are read as of the as-of day (`flag`, else the config's). When
/// that day comes from the data instead, the events give it, and the snapshots are
/// read again as of it (docs/inputs.md, "Snapshots").
pub fn load(
    config: Option<&Path>,
    flag: Option<NaiveDate>,
    progress: &Progress,
) -> Result<(Config, Dataset), Error> {
    let cfg = config::load(&config_path(config))?;
    let known = flag.or(cfg.as_of);
    let mut data = quality::ingest(&cfg, known, progress)?;
    let snapshots = cfg.sources.values().flatten().any(|t| t.snapshots);
    if known.is_none() && snapshots {
        // Reading the roster as of another day can change which rows match (and so
        // which are accepted): read again until the latest event stands still.
        for _ in 0..3 {
            let Some(ms) = data.latest_event_ms else {
                break;
            };
            let day = calendar::date_of(cfg.timezone, ms);
            let again = quality::ingest(&cfg, Some(day), progress)?;
            let stable = again.latest_event_ms == data.latest_event_ms;
            data = again;
            if stable {
                break;
            }
        }
    }
    Ok((cfg, data))
}

/// Where the as-of day comes from when it is taken from the data.
pub const AS_OF_FROM_DATA: &str = "latest event";

/// How many days a roster or device snapshot may be older than the as-of day before
/// the run warns that its figures describe an older state.
pub const STALE_SNAPSHOT_DAYS: i64 = 8;

/// What a run must say in words beyond its tables, one sentence each: every source
/// with more than 5 % of its rows quarantined; when the as-of day comes from the
/// data, a latest event that stands apart from the rest (a mistyped date); a newest
/// roster or device snapshot more than [`STALE_SNAPSHOT_DAYS`] days older than the
/// as-of day. For the terminal, the page and `summary.md`.
pub fn warnings(
    cfg: &Config,
    data: &Dataset,
    as_of: Option<NaiveDate>,
    as_of_from: &str,
) -> Vec<String> {
    let mut out = data.warnings();
    if as_of_from == AS_OF_FROM_DATA {
        out.extend(data.latest_event_warning(cfg.timezone));
    }
    if let Some(d) = as_of {
        for (source, what) in [(Source::Roster, "roster"), (Source::Enrollments, "device")] {
            let Some(span) = data.snapshots.get(&source) else {
                continue;
            };
            let age = (d - span.last).num_days();
            if age > STALE_SNAPSHOT_DAYS {
                out.push(format!(
                    "{source}: the newest {what} snapshot is of {}, {age} days before the as-of day {d}: its figures describe the {what}s of that day; add a newer export",
                    span.last
                ));
            }
        }
    }
    out
}

/// The as-of day: the flag, else the config, else the day of the latest event in
/// the rollout's zone. Also says where it came from.
pub fn resolve_as_of(
    flag: Option<NaiveDate>,
    cfg: &Config,
    data: &Dataset,
) -> Result<(NaiveDate, &'static str), Error> {
    if let Some(d) = flag {
        return Ok((d, "--as-of"));
    }
    if let Some(d) = cfg.as_of {
        return Ok((d, "rollout.as_of"));
    }
    match data.latest_event_ms {
        Some(ms) => Ok((calendar::date_of(cfg.timezone, ms), AS_OF_FROM_DATA)),
        None => Err(Error::config(
            &cfg.path,
            "rollout.as_of",
            "no as-of day: it is not set and no source holds an event to take it from",
        )
        .with_help("pass --as-of YYYY-MM-DD, or set as_of = \"YYYY-MM-DD\" under [rollout]")),
    }
}

/// A day before every wave has nothing to measure: most likely a mistyped year. So
/// is a day decades after every wave starts, or a wave that starts decades before
/// it (the weekly tables would run for centuries).
fn check_as_of(cfg: &Config, as_of: NaiveDate, from: &str) -> Result<(), Error> {
    let key = if from == "--as-of" {
        "--as-of"
    } else {
        "rollout.as_of"
    };
    let Some(first) = cfg.waves.iter().min_by_key(|w| w.start) else {
        return Ok(());
    };
    if as_of < first.start {
        return Err(Error::config(
            &cfg.path,
            key,
            format!(
                "{as_of} is before every wave: the first, `{}`, starts {}; there is nothing to measure yet",
                first.name, first.start
            ),
        )
        .with_help(format!("pass a day on or after {}", first.start)));
    }
    if let Some(last) = cfg.horizon().filter(|h| as_of > *h) {
        return Err(Error::config(
            &cfg.path,
            key,
            format!(
                "{as_of} is more than {} years after the last wave starts: a mistyped year?",
                config::HORIZON_YEARS
            ),
        )
        .with_help(format!("pass a day on or before {last}")));
    }
    let early = as_of
        .checked_sub_months(chrono::Months::new(12 * config::HORIZON_YEARS))
        .unwrap_or(NaiveDate::MIN);
    if let Some((i, w)) = cfg.waves.iter().enumerate().find(|(_, w)| w.start < early) {
        return Err(Error::config(
            &cfg.path,
            format!("waves[{i}].start"),
            format!(
                "`{}` starts {}, more than {} years before the as-of day {as_of}: a mistyped year?",
                w.name,
                w.start,
                config::HORIZON_YEARS
            ),
        ));
    }
    Ok(())
}

fn run_report(args: &RunArgs, progress: &Progress) -> Result<Outcome, Error> {
    let (cfg, data) = load(args.config.as_deref(), args.as_of, progress)?;
    let (as_of, as_of_from) = resolve_as_of(args.as_of, &cfg, &data)?;
    check_as_of(&cfg, as_of, as_of_from)?;
    let step = progress.step("computing metrics");
    let tables = metrics::compute(&cfg, &data, as_of)?;
    step.done();
    let step = progress.step("writing the report");
    let said = warnings(&cfg, &data, Some(as_of), as_of_from);
    let written = report::write(
        &args.out,
        &cfg,
        &data,
        &tables,
        report::Run {
            as_of,
            as_of_from,
            warnings: &said,
            user_lists: args.user_lists,
        },
    )?;
    step.done();
    let mut out = Outcome::default();
    out.lines.push(format!(
        "{}: report as of {as_of} ({as_of_from}) written to {}",
        cfg.name,
        written.display()
    ));
    out.lines.extend(source_lines(&data));
    out.lines
        .extend(said.iter().map(|w| format!("warning: {w}")));
    out.lines
        .extend(data.notes.iter().map(|n| format!("note: {n}")));
    if args.user_lists {
        out.lines.push(format!(
            "  private nudge lists (they name people; keep them to the communications team): {}",
            written.join("private").display()
        ));
    }
    Ok(out)
}

fn validate(args: &ValidateArgs, progress: &Progress) -> Result<Outcome, Error> {
    let (cfg, data) = load(args.config.as_deref(), None, progress)?;
    let mut out = Outcome::default();
    out.lines.push(format!(
        "{}: config {} is valid; every input was read",
        cfg.name,
        cfg.path.display()
    ));
    out.lines.extend(source_lines(&data));
    let (as_of, as_of_from) = match resolve_as_of(None, &cfg, &data) {
        Ok((d, from)) => (Some(d), from),
        Err(_) => (None, AS_OF_FROM_DATA),
    };
    out.lines.extend(
        warnings(&cfg, &data, as_of, as_of_from)
            .into_iter()
            .map(|w| format!("warning: {w}")),
    );
    const SHOWN: usize = 20;
    for source in Source::EVERY {
        let rows = &data.quarantine[&source];
        if rows.is_empty() {
            continue;
        }
        out.lines.push(format!(
            "{source}: {} rows would be quarantined:",
            rows.len()
        ));
        for q in rows.iter().take(SHOWN) {
            out.lines
                .push(format!("  {}:{}: {}", q.file.display(), q.line, q.reason));
        }
        if rows.len() > SHOWN {
            out.lines
                .push(format!("  ... and {} more", rows.len() - SHOWN));
        }
    }
    out.lines
        .extend(data.notes.iter().map(|n| format!("note: {n}")));
    Ok(out)
}

/// One line per source: rows read, accepted, quarantined, unmatched, duplicates.
/// The optional sources of `Source::ENGAGEMENT` have a line only when configured.
fn source_lines(data: &Dataset) -> Vec<String> {
    data.accounted_sources()
        .map(|s| {
            let c = &data.counts[&s];
            if !c.configured {
                return format!("  {s:<11} not configured");
            }
            format!(
                "  {s:<11} {} rows read = {} accepted + {} quarantined; {} unmatched ids; {} duplicates removed; {} matched by name",
                c.rows_read, c.rows_accepted, c.rows_quarantined, c.unmatched_users, c.duplicates_removed, c.matched_by_name
            )
        })
        .collect()
}

fn generate_rollout(args: &GenerateArgs) -> Result<Outcome, Error> {
    let opts = generate::GenerateOptions {
        users: args.users as usize,
        seed: args.seed,
        out: args.out.clone(),
    };
    let planted = planted_effects(args)?;
    let features = generate::Features {
        workloads: usize::from(args.workloads),
        cuts: args.cuts,
        snapshots: args.snapshots,
        channels: args.channels,
        after: args.after,
    };
    let summary =
        generate::generate_with(&opts, &planted, &features).map_err(|e| Error::io(&args.out, e))?;
    let mut out = Outcome::default();
    out.lines.push(format!(
        "wrote a synthetic rollout of {} people (seed {}) to {}",
        args.users,
        args.seed,
        args.out.display()
    ));
    if features != generate::Features::default() {
        out.lines.push(format!("  with {}", describe(&features)));
    }
    if planted.active() {
        let show = |v: Option<f64>| v.map_or("none".to_string(), |v| v.to_string());
        out.lines.push(format!(
            "  planted weekly risk ratios of enrolling: trained {}, opened {}; selection {}",
            show(planted.trained),
            show(planted.opened),
            show(planted.selection)
        ));
    }
    for (path, rows) in summary.files {
        out.lines
            .push(format!("  {} ({rows} rows)", path.display()));
    }
    for folder in &summary.snapshots {
        out.lines.push(format!(
            "  {}/ ({} weekly snapshots, {} rows)",
            folder.path.display(),
            folder.files.len(),
            folder.rows()
        ));
    }
    out.lines.push(format!(
        "run it: uptake run --config {}",
        args.out.join("uptake.toml").display()
    ));
    Ok(out)
}

/// The capabilities a generated rollout has, in words: `3 workloads, cuts, ...`.
fn describe(f: &generate::Features) -> String {
    let mut parts = Vec::new();
    if f.workloads > 1 {
        parts.push(format!("{} workloads", f.workloads));
    }
    let flags = [
        (f.cuts, "cuts"),
        (f.snapshots, "weekly snapshots"),
        (f.channels, "channels"),
        (f.after, "after-enrollment data"),
    ];
    parts.extend(
        flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| name.to_string()),
    );
    parts.join(", ")
}

/// The effects `--effect` and `--selection` plant; a factor given twice is a usage
/// error (which of the two ratios was meant?).
fn planted_effects(args: &GenerateArgs) -> Result<generate::Planted, Error> {
    let mut planted = generate::Planted {
        selection: args.selection,
        ..generate::Planted::default()
    };
    for e in &args.effects {
        let (slot, name) = match e.factor {
            cli::PlantedFactor::Trained => (&mut planted.trained, "trained"),
            cli::PlantedFactor::Opened => (&mut planted.opened, "opened"),
        };
        if slot.replace(e.ratio).is_some() {
            return Err(Error::Usage(format!(
                "--effect {name} is given twice: give each factor once"
            )));
        }
    }
    Ok(planted)
}

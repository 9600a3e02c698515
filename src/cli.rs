//! The command line (README.md, "Commands"): `run`, `validate`, `generate`, `init`,
//! parsed by clap.
//!
//! Only the shape of the arguments lives here; what they mean is decided in
//! `lib.rs`. clap itself reports a bad command line with exit code 2.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

/// Adoption metrics for phased enterprise rollouts.
#[derive(Debug, Parser)]
#[command(name = "uptake", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every input, compute the metrics as of a day, write the report.
    Run(RunArgs),
    /// Read and check every input; write nothing but a report of problems.
    Validate(ValidateArgs),
    /// Write a realistic synthetic rollout (all five sources and a config, and more
    /// with the capability flags).
    Generate(GenerateArgs),
    /// Recognise every export under a folder and write a working, commented config.
    Init(InitArgs),
}

/// `uptake run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The config (default: the shipped sample, data/sample/uptake.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Compute as of the end of this day in the rollout's zone (default: the
    /// config's as_of, else the day of the latest event).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub as_of: Option<NaiveDate>,
    /// Where reports are written: <out>/<as-of>/ and <out>/latest.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Also write private/nudge_<wave>.csv: the people to nudge (names people).
    #[arg(long)]
    pub user_lists: bool,
}

/// `uptake validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The config (default: the shipped sample, data/sample/uptake.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `uptake generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many people the roster holds.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    pub users: u64,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
    /// The folder to write the rollout into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Plant a known weekly risk ratio of enrolling for people exposed to a factor
    /// before the week began: `trained=2.0`, `opened=1.3`. Repeat for both.
    #[arg(long = "effect", value_name = "FACTOR=RR", value_parser = parse_effect)]
    pub effects: Vec<PlantedEffect>,
    /// Plant a hidden keenness of this strength (0 is none; 1 is strong) that raises
    /// both the chance of training and of enrolling, as real selection does.
    #[arg(long, value_name = "S", value_parser = parse_selection)]
    pub selection: Option<f64>,
    /// How many workloads, each with its own waves and export: 1 (Intune MDM only),
    /// up to 4 (App protection, OneDrive KFM by a roster wave column, Defender).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub workloads: u8,
    /// Roster columns `location` and `cost_center`, configured as cuts.
    #[arg(long)]
    pub cuts: bool,
    /// Roster, devices and tickets as folders of weekly snapshots, with movers,
    /// leavers, joiners and retired devices.
    #[arg(long)]
    pub snapshots: bool,
    /// Touchpoints (meetings, intranet, Viva Engage, posters), self-paced course
    /// completions and brown-bag sessions.
    #[arg(long)]
    pub channels: bool,
    /// After enrollment: device compliance and check-ins, usage, the Microsoft 365
    /// Active Users report and a satisfaction survey.
    #[arg(long)]
    pub after: bool,
}

/// `uptake init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of exports (read recursively).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The config to write (default: DIR/uptake.toml).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the config if it exists.
    #[arg(long)]
    pub force: bool,
}

/// A factor `uptake generate --effect` can plant an effect of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlantedFactor {
    /// Attended minutes reached `training_min_minutes`.
    Trained,
    /// A rollout email was opened (a real open or a click).
    Opened,
}

/// `--effect FACTOR=RR`: the factor and its weekly risk ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlantedEffect {
    /// The factor.
    pub factor: PlantedFactor,
    /// The weekly risk ratio of enrolling once exposed (positive, finite).
    pub ratio: f64,
}

fn parse_effect(s: &str) -> Result<PlantedEffect, String> {
    let (name, ratio) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not FACTOR=RR: write e.g. trained=2.0"))?;
    let factor = match name.trim() {
        "trained" => PlantedFactor::Trained,
        "opened" | "opened_email" => PlantedFactor::Opened,
        other => {
            return Err(format!(
                "unknown factor `{other}`: the factors are `trained` and `opened`"
            ))
        }
    };
    let ratio: f64 = ratio
        .trim()
        .parse()
        .map_err(|_| format!("`{ratio}` is not a risk ratio: write a number such as 2.0"))?;
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(format!(
            "`{ratio}` is not a risk ratio: it must be a number above 0"
        ));
    }
    Ok(PlantedEffect { factor, ratio })
}

fn parse_selection(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=5.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a selection strength: write a number from 0 to 5, e.g. 1.0"
        )),
    }
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a day: write it as YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_run_flags() {
        let cli = Cli::try_parse_from([
            "uptake",
            "run",
            "--config",
            "x.toml",
            "--as-of",
            "2026-11-20",
            "--out",
            "r",
            "--user-lists",
        ])
        .unwrap();
        let Command::Run(a) = cli.command else {
            panic!("run")
        };
        assert_eq!(a.as_of, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert!(a.user_lists);
        assert!(Cli::try_parse_from(["uptake", "run", "--as-of", "20/11/2026"]).is_err());
    }

    #[test]
    fn parses_planted_effects() {
        let cli = Cli::try_parse_from([
            "uptake",
            "generate",
            "--users",
            "10",
            "--out",
            "d",
            "--effect",
            "trained=2.0",
            "--effect",
            "opened = 1.3",
            "--selection",
            "0.8",
        ])
        .unwrap();
        let Command::Generate(a) = cli.command else {
            panic!("generate")
        };
        let got: Vec<(PlantedFactor, f64)> =
            a.effects.iter().map(|e| (e.factor, e.ratio)).collect();
        assert_eq!(
            got,
            [(PlantedFactor::Trained, 2.0), (PlantedFactor::Opened, 1.3)]
        );
        assert_eq!(a.selection, Some(0.8));
        let bad = |arg: &str| {
            let args = ["uptake", "generate", "--users", "10", "--out", "d", arg];
            Cli::try_parse_from(args).unwrap_err().to_string()
        };
        assert!(bad("--effect=clicked=2").contains("unknown factor `clicked`"));
        assert!(bad("--effect=trained").contains("is not FACTOR=RR"));
        assert!(bad("--effect=trained=0").contains("above 0"));
        assert!(bad("--effect=trained=x").contains("not a risk ratio"));
        assert!(bad("--selection=-1").contains("not a selection strength"));
        assert!(bad("--selection=NaN").contains("not a selection strength"));
    }

    #[test]
    fn parses_the_capability_flags() {
        let args = |extra: &[&str]| {
            let mut all = vec!["uptake", "generate", "--users", "10", "--out", "d"];
            all.extend(extra);
            Cli::try_parse_from(all)
        };
        let Command::Generate(a) = args(&[]).unwrap().command else {
            panic!("generate")
        };
        assert_eq!(a.workloads, 1);
        assert!(!(a.cuts || a.snapshots || a.channels || a.after));
        let flags = [
            "--workloads",
            "3",
            "--cuts",
            "--snapshots",
            "--channels",
            "--after",
        ];
        let Command::Generate(a) = args(&flags).unwrap().command else {
            panic!("generate")
        };
        assert_eq!(a.workloads, 3);
        assert!(a.cuts && a.snapshots && a.channels && a.after);
        for n in ["0", "5", "x"] {
            assert!(args(&["--workloads", n]).is_err(), "{n}");
        }
    }
}

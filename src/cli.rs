//! The command line (SPEC §1): `run`, `validate`, `generate`, parsed by clap.
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
    /// Write a realistic synthetic rollout (all five sources and a config).
    Generate(GenerateArgs),
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
}

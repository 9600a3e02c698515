//! The `uptake` binary: parse the command line, run, print, exit 0 / 1 / 2.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

// mimalloc rather than glibc's malloc: ingest makes millions of short-lived strings,
// and glibc spent about a tenth of a large run consolidating and unlinking chunks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = uptake::cli::Cli::parse();
    match uptake::run(cli) {
        Ok(outcome) => {
            let mut stdout = std::io::stdout().lock();
            for line in outcome.lines {
                // A closed pipe (`uptake run | head`) is not a failure.
                if writeln!(stdout, "{line}").is_err() {
                    break;
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(e.exit_code())
        }
    }
}

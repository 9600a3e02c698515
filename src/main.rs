//! The `uptake` binary: parse the command line, run, print, exit 0 / 1 / 2.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

// mimalloc rather than glibc's malloc: ingest makes millions of short-lived strings,
// and glibc spent about a tenth of a large run consolidating and unlinking chunks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the milliseconds after which freed memory is
/// returned to the OS; `0`: at once, `-1`: never), numbered as in the v3 `mimalloc.h`
/// that libmimalloc-sys builds.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Returns freed memory to the system at once rather than after v3's default second.
/// A run lasts a few seconds, so with the default nearly nothing freed was handed back
/// before the peak: the tables of one phase (the email dedup keys, the cohort's
/// inputs) stayed resident beside the next phase's, in other threads' heaps where
/// they could not be reused. Measured at 1 000 000 people (benches/README.md, fourth
/// round): peak 1 167–1 259 MiB kept against 858–871 MiB returned at once, with the
/// same or less wall time; at 200 000, 413–452 against 302–315 MiB. (An earlier
/// version kept freed memory for the whole run, when the phases churned far more
/// memory than they do now.) Only set when the option reads as v3's default
/// (1000 ms), so that another mimalloc's numbering cannot set some other option, and a
/// `MIMALLOC_PURGE_DELAY` set in the environment is left alone.
fn return_freed_memory() {
    // SAFETY: reads and writes one entry of the allocator's option table (no pointers),
    // before any other thread starts.
    unsafe {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none()
            && libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) == 1000
        {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        }
    }
}

fn main() -> ExitCode {
    return_freed_memory();
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

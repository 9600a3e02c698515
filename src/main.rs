//! The `uptake` binary: parse the command line, run, print, exit 0 / 1 / 2.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

// mimalloc rather than glibc's malloc: ingest makes millions of short-lived strings,
// and glibc spent about a tenth of a large run consolidating and unlinking chunks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the milliseconds after which freed memory is
/// returned to the OS; `-1`: never), numbered as in the v3 `mimalloc.h` that
/// libmimalloc-sys builds.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory in the process for the rest of the run. By default mimalloc hands
/// freed pages back 10 ms after they fall free, and the next frame or table built
/// takes them again as fresh pages the kernel must zero: at 200 000 people that was a
/// quarter of the run's cycles (`clear_page_erms`), up to 1.3 s of system time. A
/// batch job that exits when done gains nothing from giving the memory back early; the
/// price is a higher peak (about 9 %). Only set when the option reads as its default
/// in v3's `options.c` (1000 ms), so that another mimalloc's numbering cannot set some
/// other option (and a `MIMALLOC_PURGE_DELAY` set in the environment is left alone).
fn keep_freed_memory() {
    // SAFETY: reads and writes one entry of the allocator's option table (no pointers),
    // before any other thread starts.
    unsafe {
        if libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) == 1000 {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        }
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
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

//! Progress on a terminal for the long steps (reading sources, computing, writing).
//!
//! Shown on standard error only when it is a terminal and `CI` is unset, so logs and
//! CI output stay clean. The row counter batches its updates: it is called once per
//! input row.
//!
//! With `UPTAKE_TIMINGS=1` in the environment, every step and every source read also
//! prints its wall time to standard error (`timing: reading email 1.234 s`), with the
//! process's resident memory and its peak so far where the system says them
//! (`(rss 355 MiB, peak 355 MiB, cpu 2.10 s)`), for the benchmarks in `benches/` and for finding
//! where a slow run spends its time and memory.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether progress is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
    timings: bool,
}

impl Progress {
    /// Progress drawn when standard error is a terminal outside CI.
    pub fn for_terminal() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
            timings: timings_wanted(),
        }
    }

    /// No progress at all (tests, library use).
    pub fn hidden() -> Self {
        Progress {
            enabled: false,
            timings: false,
        }
    }

    /// A row counter for reading `label`.
    pub fn rows(&self, label: &str) -> Rows {
        let bar = if self.enabled {
            // Sources are read two at a time: their counters share the terminal as
            // lines of one display rather than redrawing over each other.
            let bar = terminal().add(ProgressBar::with_draw_target(
                None,
                ProgressDrawTarget::hidden(),
            ));
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} {msg:<12} {human_pos} rows ({per_sec})")
            {
                bar.set_style(style);
            }
            bar.set_message(format!("reading {label}"));
            bar
        } else {
            ProgressBar::hidden()
        };
        Rows {
            bar,
            pending: Cell::new(0),
            timer: Timer::start(self.timings, format!("reading {label}")),
        }
    }

    /// A spinner for a step with no count; finish it with [`Step::done`].
    pub fn step(&self, label: &str) -> Step {
        let bar = if self.enabled {
            let bar = terminal().add(ProgressBar::new_spinner());
            bar.set_message(label.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Step {
            bar,
            timer: Timer::start(self.timings, label.to_string()),
        }
    }
}

/// The display every drawn counter and spinner is a line of (standard error).
fn terminal() -> &'static MultiProgress {
    static TERMINAL: std::sync::OnceLock<MultiProgress> = std::sync::OnceLock::new();
    TERMINAL.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

fn timings_wanted() -> bool {
    static WANTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WANTED.get_or_init(|| {
        std::env::var_os("UPTAKE_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
    })
}

/// A timing span for a part of a step: prints its wall time when dropped, if
/// `UPTAKE_TIMINGS` is set; costs nothing otherwise.
pub fn span(label: &str) -> Span {
    Span(Timer::start(timings_wanted(), format!("  {label}")))
}

/// See [`span`].
pub struct Span(Timer);

impl Drop for Span {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Prints a labelled wall time to standard error when timings are on.
struct Timer(Option<(Instant, String)>);

impl Timer {
    fn start(on: bool, label: String) -> Self {
        Timer(on.then(|| (Instant::now(), label)))
    }

    fn stop(&mut self) {
        if let Some((start, label)) = self.0.take() {
            eprintln!(
                "timing: {label} {:.3} s{}",
                start.elapsed().as_secs_f64(),
                memory_now()
            );
        }
    }
}

/// The process's resident memory, its peak and the processor time of all its threads
/// so far, as `(rss N MiB, peak M MiB, cpu S s)`, where the system says them
/// (`/proc/self/status`, `/proc/self/stat`); empty elsewhere. Printed with each
/// timing, so that a benchmark shows which step grows the footprint and which leaves
/// a core idle.
fn memory_now() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    // User and system time of every thread so far, in clock ticks (fields 14 and 15
    // of /proc/self/stat, counted after the command name's closing parenthesis).
    let cpu = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let tick = |k: usize| fields.get(k)?.parse::<u64>().ok();
            Some(tick(11)? + tick(12)?)
        })
        .map_or(String::new(), |ticks| {
            // SAFETY: sysconf only reads a configuration value.
            let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
            format!(", cpu {:.2} s", ticks as f64 / hz)
        });
    match (kib("VmRSS:"), kib("VmHWM:")) {
        (Some(rss), Some(peak)) => {
            format!(" (rss {} MiB, peak {} MiB{cpu})", rss >> 10, peak >> 10)
        }
        _ => String::new(),
    }
}

/// Counts rows read.
pub struct Rows {
    bar: ProgressBar,
    pending: Cell<u64>,
    timer: Timer,
}

impl Rows {
    /// One more row.
    pub fn inc(&self) {
        let n = self.pending.get() + 1;
        if n == 8192 {
            self.bar.inc(n);
            self.pending.set(0);
        } else {
            self.pending.set(n);
        }
    }

    /// Clears the line.
    pub fn finish(mut self) {
        self.bar.inc(self.pending.take());
        self.bar.finish_and_clear();
        self.timer.stop();
    }
}

/// A step in progress.
pub struct Step {
    bar: ProgressBar,
    timer: Timer,
}

impl Step {
    /// Clears the spinner.
    pub fn done(mut self) {
        self.bar.finish_and_clear();
        self.timer.stop();
    }
}

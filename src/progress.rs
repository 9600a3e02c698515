//! Progress on a terminal for the long steps (reading sources, computing, writing).
//!
//! Shown on standard error only when it is a terminal and `CI` is unset, so logs and
//! CI output stay clean. The row counter batches its updates: it is called once per
//! input row.

use std::cell::Cell;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether progress is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Progress drawn when standard error is a terminal outside CI.
    pub fn for_terminal() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
        }
    }

    /// No progress at all (tests, library use).
    pub fn hidden() -> Self {
        Progress { enabled: false }
    }

    /// A row counter for reading `label`.
    pub fn rows(&self, label: &str) -> Rows {
        let bar = if self.enabled {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
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
        }
    }

    /// A spinner for a step with no count; finish it with [`Step::done`].
    pub fn step(&self, label: &str) -> Step {
        let bar = if self.enabled {
            let bar = ProgressBar::new_spinner();
            bar.set_message(label.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Step { bar }
    }
}

/// Counts rows read.
pub struct Rows {
    bar: ProgressBar,
    pending: Cell<u64>,
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
    pub fn finish(&self) {
        self.bar.inc(self.pending.take());
        self.bar.finish_and_clear();
    }
}

/// A step in progress.
pub struct Step {
    bar: ProgressBar,
}

impl Step {
    /// Clears the spinner.
    pub fn done(self) {
        self.bar.finish_and_clear();
    }
}

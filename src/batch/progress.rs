//! A progress bar on standard error for long streamed runs.
//!
//! It is drawn only when standard error is a terminal (never into a pipe or a log file) and only
//! once a run has lasted a second, so short runs print nothing. It measures bytes of the input
//! when the input's size is known (a file), and counts rows otherwise.

use super::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How long a run goes before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// A bar that appears after [`DELAY`] on a terminal.
pub struct ProgressReport {
    enabled: bool,
    total_bytes: Option<u64>,
    start: Instant,
    bar: Option<ProgressBar>,
}

impl ProgressReport {
    /// A report for an input of `total_bytes` (when known); silent unless standard error is a
    /// terminal.
    pub fn new(total_bytes: Option<u64>) -> Self {
        ProgressReport {
            enabled: std::io::stderr().is_terminal(),
            total_bytes,
            start: Instant::now(),
            bar: None,
        }
    }

    /// Records progress; draws the bar once the run has lasted [`DELAY`].
    pub fn update(&mut self, p: &Progress) {
        if !self.enabled || (self.bar.is_none() && self.start.elapsed() < DELAY) {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| new_bar(self.total_bytes));
        match self.total_bytes {
            Some(_) => bar.set_position(p.bytes),
            None => bar.set_position(p.rows),
        }
        bar.set_message(format!("{} analyses", p.analyses));
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for ProgressReport {
    fn drop(&mut self) {
        self.finish();
    }
}

fn new_bar(total_bytes: Option<u64>) -> ProgressBar {
    let (bar, template) = match total_bytes {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            "{wide_bar} {percent:>3}% {msg}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{spinner} {pos} rows, {msg} ({elapsed})",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

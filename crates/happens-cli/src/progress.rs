//! Progress on long explorations: when stderr is a terminal, a line that
//! counts the executions visited so far, refreshed twice a second once a
//! run has taken more than a second, and erased when the run ends.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    enabled: bool,
    label: String,
    start: Instant,
    last: Instant,
    count: u64,
    shown: bool,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        let now = Instant::now();
        Progress {
            enabled: std::io::stderr().is_terminal(),
            label: label.to_string(),
            start: now,
            last: now,
            count: 0,
            shown: false,
        }
    }

    /// One more execution visited.
    pub fn tick(&mut self) {
        self.count += 1;
        if !self.enabled || self.count % 1024 != 0 {
            return;
        }
        let now = Instant::now();
        if now - self.start < Duration::from_secs(1) || now - self.last < Duration::from_millis(500)
        {
            return;
        }
        self.last = now;
        self.shown = true;
        let rate = self.count as f64 / (now - self.start).as_secs_f64();
        eprint!(
            "\r\x1b[K{}: {} executions so far ({:.0}/s)",
            self.label, self.count, rate
        );
        let _ = std::io::stderr().flush();
    }

    /// Erases the progress line, if one was shown.
    pub fn finish(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
            let _ = std::io::stderr().flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

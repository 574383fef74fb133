//! Progress bars and spinners for long CLI work (catalogue import,
//! re-indexing, waiting for `tazan up --detach`).
//!
//! They draw on stderr only when stderr is a terminal and the command was not
//! asked for `--json`; otherwise every call is a no-op, so piped output and
//! logs stay clean. Work that runs inside a server (relay catch-up) logs its
//! progress instead.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar (known length) or a spinner (unknown length); hidden when not drawing.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar of `len` steps labelled `what`; hidden under `quiet` or off a terminal.
    pub fn bar(len: u64, what: &str, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(len), target(quiet));
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_owned());
        Progress { bar }
    }

    /// A spinner labelled `what`, ticking on its own; hidden under `quiet` or off a terminal.
    pub fn spinner(what: &str, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(None, target(quiet));
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {pos} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// Never draws (for library callers without a terminal).
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
        }
    }

    /// Whether anything is drawn.
    pub fn is_drawn(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// Advance by `n` steps.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Set the position.
    pub fn set_position(&self, pos: u64) {
        self.bar.set_position(pos);
    }

    /// Set the length (a spinner becomes a bar).
    pub fn set_length(&self, len: u64) {
        self.bar.set_length(len);
    }

    /// The text after the counts.
    pub fn set_message(&self, msg: impl Into<String>) {
        self.bar.set_message(msg.into());
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn target(quiet: bool) -> ProgressDrawTarget {
    if quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_bars_are_hidden() {
        let p = Progress::bar(10, "import", true);
        assert!(!p.is_drawn());
        p.inc(3);
        p.set_position(7);
        p.finish();
        assert!(!Progress::spinner("wait", true).is_drawn());
        assert!(!Progress::hidden().is_drawn());
    }
}

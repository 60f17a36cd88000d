//! Progress of a solve: an indicatif bar per phase on a terminal, plain lines otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::sweep::{Candidate, PenaltyChange, Phase, PhaseStats, SweepObserver};
use super::table::number;

const STEPS: u64 = 1000;

pub struct SweepProgress {
    bar: Option<ProgressBar>,
    interactive: bool,
}

impl SweepProgress {
    /// Bars when standard error is a terminal, plain lines otherwise.
    pub fn new() -> Self {
        SweepProgress { bar: None, interactive: std::io::stderr().is_terminal() }
    }

    fn say(&self, line: String) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

impl Default for SweepProgress {
    fn default() -> Self {
        Self::new()
    }
}

fn describe(best: Option<&Candidate>) -> String {
    match best {
        Some(c) if c.feasible => format!("best {}", number(Some(c.objective))),
        Some(c) => format!("no feasible point yet (least violation {:.2e})", c.max_violation),
        None => "no sample yet".into(),
    }
}

impl SweepObserver for SweepProgress {
    fn phase_started(&mut self, phase: Phase, configurations: usize, repetitions: u32, iterations: u32) {
        let what = format!("{}: {configurations} configurations × {repetitions} repetitions, {iterations} iterations", phase.label());
        if self.interactive {
            let bar = ProgressBar::new(STEPS);
            bar.set_style(ProgressStyle::with_template("{prefix:>12} [{bar:30}] {elapsed:>4} {msg}").expect("valid template").progress_chars("=> "));
            bar.set_prefix(phase.label());
            bar.println(what);
            self.bar = Some(bar);
        } else {
            eprintln!("{what}");
        }
    }

    fn batch_finished(&mut self, _phase: Phase, fraction: f64, best: Option<&Candidate>) {
        if let Some(bar) = &self.bar {
            bar.set_position((fraction.clamp(0.0, 1.0) * STEPS as f64) as u64);
            bar.set_message(describe(best));
        }
    }

    fn phase_finished(&mut self, stats: &PhaseStats) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.say(format!(
            "{}: done in {:.2} s, {} samples ({} feasible), {} configurations, best feasible {}",
            stats.phase.label(),
            stats.duration_s,
            stats.samples,
            stats.feasible_samples,
            stats.configurations,
            number(stats.best_objective)
        ));
    }

    fn penalties_changed(&mut self, change: &PenaltyChange) {
        self.say(format!(
            "penalties after {}: doubled {} rows (max growth {}×), λ = {:.6e}",
            change.after, change.rows_doubled, change.max_growth, change.lambda
        ));
    }
}

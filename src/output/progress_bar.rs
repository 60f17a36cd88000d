//! Progress on standard error: of a solve (a bar per phase) and of a bench run (one bar over
//! the instances) — indicatif bars on a terminal, plain lines otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::benchmark::{BenchObserver, ResultRow};
use crate::sweep::{Candidate, PenaltyChange, Phase, PhaseStats, SweepObserver};
use super::table::{number, significant};

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
}

/// A line above the bar when there is one (so the bar is not torn), else on stderr.
fn say(bar: Option<&ProgressBar>, line: &str) {
    match bar {
        Some(bar) => bar.println(line),
        None => eprintln!("{line}"),
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
        say(self.bar.as_ref(), &format!(
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
        say(self.bar.as_ref(), &format!(
            "penalties after {}: doubled {} rows (max growth {}×), λ = {:.6e}",
            change.after, change.rows_doubled, change.max_growth, change.lambda
        ));
    }
}

/// Progress of a bench run: one bar over the instances (the solves inside run silently, so no
/// bar is nested in it) and one line per finished instance.
pub struct InstanceProgress {
    bar: Option<ProgressBar>,
    total: usize,
    current: String,
}

impl InstanceProgress {
    /// A bar when standard error is a terminal, plain lines otherwise.
    pub fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(ProgressStyle::with_template("[{bar:30}] {pos}/{len} {elapsed:>4} {msg}").expect("valid template").progress_chars("=> "));
            bar
        });
        InstanceProgress { bar, total, current: String::new() }
    }

    /// Finishes the bar (call once all instances are done).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `SOLVER objective (reached at T s | gap G %)` for one row.
fn outcome(row: &ResultRow) -> String {
    if !row.ran() {
        return format!("{} {}", row.solver.label(), row.status);
    }
    let objective = match (row.best_objective, row.feasible) {
        (Some(v), true) => number(Some(v)),
        (Some(_), false) => "infeasible".into(),
        (None, _) => "no point".into(),
    };
    let progress = match (row.time_to_target_s, row.gap_to_best_known) {
        (Some(t), _) => format!("target at {} s", significant(Some(t), 3)),
        (None, Some(gap)) => format!("gap {} %", significant(Some(100.0 * gap), 3)),
        (None, None) => "target not reached".into(),
    };
    format!("{} {objective} ({progress})", row.solver.label())
}

impl BenchObserver for InstanceProgress {
    fn planned(&mut self, instances: usize) {
        self.total = instances;
        if let Some(bar) = &self.bar {
            bar.set_length(instances as u64);
        }
    }

    fn instance_started(&mut self, index: usize, name: &str) {
        self.current = name.to_string();
        match &self.bar {
            Some(bar) => bar.set_position(index as u64),
            None => eprintln!("[{}/{}] {name}", index + 1, self.total),
        }
    }

    fn stage(&mut self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{}: {what}", self.current));
        }
    }

    fn instance_finished(&mut self, rows: &[ResultRow]) {
        let outcomes: Vec<String> = rows.iter().map(outcome).collect();
        say(self.bar.as_ref(), &format!("{}: {}", self.current, outcomes.join("; ")));
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn note(&mut self, message: &str) {
        say(self.bar.as_ref(), message);
    }
}

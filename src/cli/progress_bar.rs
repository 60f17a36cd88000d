//! Progress on standard error: of a solve (a bar per phase) and of a bench run (one bar over
//! the instances, following the solve inside the current one) — indicatif bars on a terminal,
//! plain lines otherwise.

use std::fmt;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use crate::benchmark::BenchObserver;
use crate::results::ResultRow;
use crate::output::warnings::Warning;
use crate::sweep::{Candidate, Ending, PenaltyChange, Phase, PhaseStats, SweepObserver};
use crate::table::{count, number, seconds, significant, violation, whole};

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
        None => crate::errln!("{line}"),
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
        Some(c) => format!("no feasible point yet (least violation {})", violation(c.max_violation)),
        None => "no sample yet".into(),
    }
}

/// A doubling of penalty weights in one line, as progress and in solve's report.
pub fn penalty_change(change: &PenaltyChange) -> String {
    // λ is dimensionless; six significant digits tell the changes apart.
    format!("penalties after {}: {} doubled, max growth {}×, λ {}", change.after, count(change.rows_doubled, "row"), change.max_growth, significant(Some(change.lambda), 6))
}

impl SweepObserver for SweepProgress {
    fn phase_started(&mut self, phase: Phase, configurations: usize, repetitions: u32, iterations: u32) {
        let what = format!(
            "{}: {} × {}, {} iterations",
            phase.label(),
            count(configurations, "configuration"),
            count(repetitions as usize, "repetition"),
            whole(iterations)
        );
        if self.interactive {
            let bar = ProgressBar::new(STEPS);
            bar.set_style(ProgressStyle::with_template("{prefix:>12} [{bar:30}] {elapsed:>4} {msg}").expect("valid template").progress_chars("=> "));
            bar.set_prefix(phase.label());
            bar.println(what);
            self.bar = Some(bar);
        } else {
            crate::errln!("{what}");
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
            "{}: done in {}, {} ({} feasible), {}, best feasible {}",
            stats.phase.label(),
            seconds(Some(stats.duration_s)),
            count(stats.samples, "sample"),
            whole(stats.feasible_samples),
            count(stats.configurations, "configuration"),
            number(stats.best_objective)
        ));
    }

    fn penalties_changed(&mut self, change: &PenaltyChange) {
        say(self.bar.as_ref(), &penalty_change(change));
    }

    fn ending_known(&mut self, instance: &str, ending: &Ending) {
        say(self.bar.as_ref(), &Warning::ending(instance, ending).line());
    }
}

/// Progress of a bench run: on a terminal one bar over the instances whose message follows the
/// instance being solved (solver, AOC-DT's phase and best so far, time left of the solve), and
/// one line per finished instance; plain lines otherwise.
pub struct InstanceProgress {
    bar: Option<ProgressBar>,
    total: usize,
    current: String,
    /// The solver running on the current instance (`AOC-DT`, `SCIP 2/3`).
    stage: String,
    /// When the running solve's time limit ends (None under a work budget), read by the bar's
    /// `{left}` on every tick so that the count runs down while a solver works silently.
    deadline: Arc<Mutex<Option<Instant>>>,
}

impl InstanceProgress {
    /// True once an instance started: the run is under way (an error now is not one of its
    /// input alone).
    pub fn started(&self) -> bool {
        !self.current.is_empty()
    }

    /// A bar when standard error is a terminal, plain lines otherwise.
    pub fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| ProgressBar::new(total as u64));
        Self::with_bar(bar, total)
    }

    /// Progress shown on `bar` (tests pass a hidden one), or plain lines without.
    pub fn with_bar(bar: Option<ProgressBar>, total: usize) -> Self {
        let deadline = Arc::new(Mutex::new(None::<Instant>));
        if let Some(bar) = &bar {
            let shown = Arc::clone(&deadline);
            let left = move |_: &ProgressState, out: &mut dyn fmt::Write| {
                if let Some(end) = *shown.lock().unwrap_or_else(|e| e.into_inner()) {
                    let _ = write!(out, ", {}", time_left(end.saturating_duration_since(Instant::now())));
                }
            };
            let template = "[{bar:30}] {pos}/{len} {elapsed:>4} {msg}{left}";
            bar.set_style(ProgressStyle::with_template(template).expect("valid template").with_key("left", left).progress_chars("=> "));
            bar.enable_steady_tick(Duration::from_millis(500));
        }
        InstanceProgress { bar, total, current: String::new(), stage: String::new(), deadline }
    }

    /// Finishes the bar (call once all instances are done).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn set_deadline(&self, deadline: Option<Instant>) {
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner()) = deadline;
    }
}

/// `7 s left`, rounded up so that it reaches 0 only at the end.
fn time_left(left: Duration) -> String {
    format!("{} s left", left.as_secs_f64().ceil())
}

/// `SOLVER objective (target at T s | primal gap G %)` for one row.
fn outcome(row: &ResultRow) -> String {
    if !row.ran() {
        return format!("{} {}", row.solver.label(), row.status);
    }
    let objective = match (row.best_objective, row.feasible) {
        (Some(v), true) => number(Some(v)),
        (Some(_), false) => "infeasible".into(),
        (None, _) => "no point".into(),
    };
    let progress = match (row.time_to_target_s, row.primal_gap_pct) {
        (Some(t), _) => format!("target at {}", seconds(Some(t))),
        (None, Some(gap)) => format!("primal gap {} %", significant(Some(gap), 3)),
        (None, None) => "target not reached".into(),
    };
    format!("{} {objective} ({progress})", row.solver.label())
}

impl SweepObserver for InstanceProgress {
    fn batch_finished(&mut self, phase: Phase, fraction: f64, best: Option<&Candidate>) {
        if let Some(bar) = &self.bar {
            let percent = (100.0 * fraction.clamp(0.0, 1.0)).round();
            bar.set_message(format!("{}: {} {} {percent} %, {}", self.current, self.stage, phase.label(), describe(best)));
        }
    }

    fn ending_known(&mut self, instance: &str, ending: &Ending) {
        say(self.bar.as_ref(), &Warning::ending(instance, ending).line());
    }
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
            None => crate::errln!("[{}/{}] {name}", index + 1, self.total),
        }
    }

    fn stage(&mut self, what: &str, time_limit_s: Option<f64>) {
        self.stage = what.to_string();
        self.set_deadline(time_limit_s.and_then(|s| Instant::now().checked_add(Duration::try_from_secs_f64(s).ok()?)));
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{}: {what}", self.current));
        }
    }

    fn solve_progress(&mut self) -> &mut dyn SweepObserver {
        self
    }

    fn instance_finished(&mut self, rows: &[ResultRow]) {
        self.set_deadline(None);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_follows_the_solve_inside_an_instance() {
        let mut progress = InstanceProgress::with_bar(Some(ProgressBar::hidden()), 7);
        progress.instance_started(0, "QPLIB_0067");
        progress.stage("AOC-DT", Some(10.0));
        let bar = progress.bar.clone().unwrap();
        assert_eq!(bar.message(), "QPLIB_0067: AOC-DT");
        let left = progress.deadline.lock().unwrap().unwrap().saturating_duration_since(Instant::now());
        assert!(left > Duration::from_secs(9) && left <= Duration::from_secs(10), "{left:?}");
        progress.solve_progress().batch_finished(Phase::Refinement, 0.25, None);
        assert_eq!(bar.message(), "QPLIB_0067: AOC-DT phase 2 25 %, no sample yet");
        progress.instance_finished(&[]);
        assert!(progress.deadline.lock().unwrap().is_none(), "no count-down between instances");
        progress.stage("SCIP", None);
        assert!(progress.deadline.lock().unwrap().is_none());
    }

    #[test]
    fn time_left_rounds_up() {
        assert_eq!(time_left(Duration::from_millis(6_100)), "7 s left");
        assert_eq!(time_left(Duration::ZERO), "0 s left");
    }
}

//! The hybrid result "AOC-DT + polish" (`--polish`): the best feasible point of every batch is
//! also handed to the feasibility-keeping local search ([`crate::polish`]), and the polished
//! points are tracked as a second set of incumbents beside AOC-DT's own. Nothing flows back:
//! AOC-DT's dynamics, penalties and incumbents are the same with or without it, except that
//! the polish's time is spent on the same clock.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

use crate::model::Instance;
use crate::polish::{polish, PolishLimits};

use super::samples::{Candidate, Evaluation, Incumbents};

/// The local search may take at most this share of the run's wall clock so far: a batch's
/// point is not polished while the polish has used more (on instances where one polish costs
/// more than a batch, the dynamics keep most of the budget).
pub const POLISH_TIME_SHARE: f64 = 0.2;
/// One polish call's limits: a second at most.
const LIMITS: PolishLimits = PolishLimits { max_seconds: 1.0, max_passes: 1000 };

/// What the polish did over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolishReport {
    /// Distinct feasible points polished.
    pub calls: usize,
    /// Of those, the ones the local search improved.
    pub improved: usize,
    /// Batches whose best feasible point was left unpolished by [`POLISH_TIME_SHARE`].
    pub skipped: usize,
    /// Seconds spent polishing (included in the run's wall time).
    pub seconds: f64,
}

/// The incumbents of the polished points, and what the polish cost.
#[derive(Debug, Clone)]
pub struct PolishedTrack {
    pub incumbents: Incumbents,
    pub report: PolishReport,
    /// Hashes of the points already polished: the same start gives the same local optimum.
    seen: HashSet<u64>,
}

impl PolishedTrack {
    pub fn new(instance: &Instance) -> Self {
        PolishedTrack { incumbents: Incumbents::new(instance.sense), report: PolishReport::default(), seen: HashSet::new() }
    }

    /// Offers the feasible `candidate` (judged `evaluation`) as it is, at its own time, so that
    /// the track is never behind AOC-DT's incumbents; then polishes it, unless it was polished
    /// before or the polish is over its time share of the run started at `start`, and offers
    /// the polished point, timed when the polish ended.
    pub fn offer(&mut self, instance: &Instance, candidate: &Candidate, evaluation: &Evaluation, start: Instant) {
        if !evaluation.feasible {
            return;
        }
        self.incumbents.offer(evaluation, || candidate.clone());
        if !self.seen.insert(point_hash(&candidate.x)) {
            return;
        }
        if self.report.seconds > POLISH_TIME_SHARE * start.elapsed().as_secs_f64() {
            self.report.skipped += 1;
            return;
        }
        let outcome = polish(instance, &candidate.x, LIMITS);
        self.report.calls += 1;
        self.report.seconds += outcome.seconds;
        if !outcome.improved {
            return;
        }
        self.report.improved += 1;
        // polish returns only points its judge passed, with that judge's verdict.
        let polished = Evaluation { objective: outcome.objective, max_violation: outcome.max_violation, ..*evaluation };
        let time_s = start.elapsed().as_secs_f64();
        self.incumbents.offer(&polished, || Candidate { x: outcome.x, objective: polished.objective, max_violation: polished.max_violation, time_s, ..*candidate });
    }
}

fn point_hash(x: &[f64]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for v in x {
        v.to_bits().hash(&mut hasher);
    }
    hasher.finish()
}

//! The driver: passes until none moves or a limit is hit, each pass's point judged by the
//! model's own judges.

use std::time::{Duration, Instant};

use crate::model::{self, Instance, VarType, FEASIBILITY_TOLERANCE};

use super::moves::expired;
use super::search::Search;

/// Limits of one [`polish`] call.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolishLimits {
    /// Wall-clock budget; `≤ 0` (or NaN) means no pass at all, `∞` means no time limit.
    pub max_seconds: f64,
    /// Maximum number of passes (each a flip, swap, double-swap and pair sweep).
    pub max_passes: usize,
}

impl Default for PolishLimits {
    fn default() -> Self {
        PolishLimits { max_seconds: 2.0, max_passes: 1000 }
    }
}

/// The result of [`polish`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PolishOutcome {
    /// The polished point: feasible per [`model::feasibility`] whenever the start was; the
    /// start itself (unchanged) when nothing improved or the start was infeasible.
    pub x: Vec<f64>,
    /// `model::objective(x)` (NaN when the start had the wrong length).
    pub objective: f64,
    /// `model::objective(start)` (NaN when the start had the wrong length).
    pub start_objective: f64,
    /// `model::feasibility(x).max_violation`, from the judge that accepted `x` (NaN when the
    /// start had the wrong length).
    pub max_violation: f64,
    /// Flip moves applied to reach `x`.
    pub flips: usize,
    /// Swap moves applied to reach `x`.
    pub swaps: usize,
    /// Pair flips applied to reach `x`.
    pub pair_flips: usize,
    /// Double swaps (2-exchanges) applied to reach `x`.
    pub double_swaps: usize,
    /// Passes run (including the final pass that found no move).
    pub passes: usize,
    pub seconds: f64,
    /// `objective` is strictly better than `start_objective` in the instance's sense.
    pub improved: bool,
    /// The start was feasible; when false, `x` is the start unchanged and nothing was tried.
    pub start_feasible: bool,
}

/// Local search from a feasible `start` with flip and swap moves (see the module docs).
///
/// The returned point is feasible per [`model::feasibility`] and no worse than the start in
/// the instance's sense; its objective is recomputed by [`model::objective`]. An infeasible
/// start (or one of the wrong length) is returned unchanged with `start_feasible = false`.
pub fn polish(instance: &Instance, start: &[f64], limits: PolishLimits) -> PolishOutcome {
    let clock = Instant::now();
    let n = instance.n_vars();
    let unchanged = |objective: f64, max_violation: f64, start_feasible: bool| PolishOutcome {
        x: start.to_vec(),
        objective,
        start_objective: objective,
        max_violation,
        flips: 0,
        swaps: 0,
        pair_flips: 0,
        double_swaps: 0,
        passes: 0,
        seconds: clock.elapsed().as_secs_f64(),
        improved: false,
        start_feasible,
    };
    if start.len() != n {
        return unchanged(f64::NAN, f64::NAN, false);
    }
    let start_objective = model::objective(instance, start);
    let start_verdict = model::feasibility(instance, start);
    if !start_verdict.feasible {
        return unchanged(start_objective, start_verdict.max_violation, false);
    }
    if limits.max_seconds.is_nan() || limits.max_seconds <= 0.0 || limits.max_passes == 0 {
        return unchanged(start_objective, start_verdict.max_violation, true);
    }
    let deadline = Duration::try_from_secs_f64(limits.max_seconds).ok().and_then(|d| clock.checked_add(d));

    let mut search = Search::new(instance, working_start(instance, start));
    let sense = instance.sense;
    let (mut best_x, mut best_objective, mut best_violation) = (start.to_vec(), start_objective, start_verdict.max_violation);
    let (mut best_flips, mut best_swaps, mut best_pair_flips, mut best_double_swaps) = (0, 0, 0, 0);
    let mut passes = 0;
    while passes < limits.max_passes && !expired(deadline) {
        passes += 1;
        search.resync();
        let (moves, timed_out) = search.pass(deadline);
        if moves == 0 {
            break;
        }
        // Judge the point with the project's own judges; never trust the bookkeeping.
        let verdict = model::feasibility(instance, &search.x);
        if !verdict.feasible {
            break;
        }
        let value = model::objective(instance, &search.x);
        if !value.is_finite() || !sense.better(value, best_objective) {
            break;
        }
        best_x.clone_from(&search.x);
        best_objective = value;
        best_violation = verdict.max_violation;
        (best_flips, best_swaps, best_pair_flips, best_double_swaps) = (search.flips, search.swaps, search.pair_flips, search.double_swaps);
        if timed_out {
            break;
        }
    }
    PolishOutcome {
        improved: sense.better(best_objective, start_objective),
        x: best_x,
        objective: best_objective,
        start_objective,
        max_violation: best_violation,
        flips: best_flips,
        swaps: best_swaps,
        pair_flips: best_pair_flips,
        double_swaps: best_double_swaps,
        passes,
        seconds: clock.elapsed().as_secs_f64(),
        start_feasible: true,
    }
}

/// The start with binary/integer values within the integrality tolerance of 0/1 snapped, when
/// the snapped point is still feasible; the start as given otherwise.
fn working_start(instance: &Instance, start: &[f64]) -> Vec<f64> {
    let mut snapped = start.to_vec();
    let mut changed = false;
    for (j, v) in snapped.iter_mut().enumerate() {
        if instance.var_types[j] == VarType::Continuous {
            continue;
        }
        for target in [0.0, 1.0] {
            if *v != target && (*v - target).abs() <= FEASIBILITY_TOLERANCE {
                *v = target;
                changed = true;
            }
        }
    }
    if changed && model::feasibility(instance, &snapped).feasible { snapped } else { start.to_vec() }
}

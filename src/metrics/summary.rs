//! What a solve reports: the answer judged on the original instance, and the time-to-target
//! statistics of spec §6.4 with our choices (target = best-known when known, else the run's
//! best; p over deep-search samples; censored when never reached).

use crate::hardware::time::projected_seconds;
use crate::model::Sense;
use crate::sweep::{Improvement, Incumbents, SampleRecord, SweepResult};

use super::primal::{Found, PrimalCurve};
use crate::model::{reaches_target, relative_gap};
use super::tts::{to_solution, wilson_interval};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    BestKnown,
    OwnBest,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunMetrics {
    /// Best feasible objective (original sense), or the least violated one when none was
    /// feasible (`feasible` says which).
    pub best_objective: Option<f64>,
    pub feasible: bool,
    pub max_violation: Option<f64>,
    pub best_known: Option<f64>,
    pub gap_to_best_known: Option<f64>,
    pub reached_best_known: bool,
    pub time_to_best_known_s: Option<f64>,
    /// Deterministic counter: replica-iterations spent when the best-known was first reached.
    pub mvm_to_best_known: Option<u64>,
    pub time_to_own_best_s: Option<f64>,
    pub mvm_to_own_best: Option<u64>,
    pub target: Option<f64>,
    pub target_kind: TargetKind,
    /// Deep-search samples reaching the target, and their count.
    pub successes: u64,
    pub samples: u64,
    pub success_probability: f64,
    pub success_probability_95: (f64, f64),
    /// Seconds per deep-search sample (deep duration / samples).
    pub time_per_sample_s: f64,
    /// Time to reach the target with 99 % probability (spec §6.4); +∞ when p = 0.
    pub tts99_s: f64,
    /// The same in matrix-vector products (replica-iterations).
    pub mvm99: f64,
    /// The same times on the analog optical computer, projected from the work done
    /// (`crate::hardware::time`).
    pub projected: ProjectedTimes,
}

/// A run's times had the machine done its work: replica-iterations at 20 ns, each sample's
/// cool-down and sampling (the paper's figures). Projections, not measurements.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ProjectedTimes {
    pub time_to_best_known_s: Option<f64>,
    pub time_to_own_best_s: Option<f64>,
    /// TTS99 with the deep search's success probability and projected time per sample.
    pub tts99_s: f64,
    /// The whole run's work.
    pub total_s: f64,
}

impl RunMetrics {
    pub fn from_sweep(sense: Sense, result: &SweepResult, best_known: Option<f64>) -> Self {
        Self::of(sense, result, &result.incumbents, best_known)
    }

    /// The metrics of the run's polished incumbents under `--polish` ("AOC-DT + polish"). The
    /// sample statistics (success probability, TTS99) stay AOC-DT's: the polish takes no samples.
    pub fn polished(sense: Sense, result: &SweepResult, best_known: Option<f64>) -> Option<Self> {
        result.polished.as_ref().map(|incumbents| Self::of(sense, result, incumbents, best_known))
    }

    fn of(sense: Sense, result: &SweepResult, incumbents: &Incumbents, best_known: Option<f64>) -> Self {
        let answer = incumbents.answer();
        let feasible_best = incumbents.best_feasible.as_ref();
        let to_best_known = best_known.and_then(|b| PrimalCurve::new(sense, b, incumbents.improvements.iter().map(Found::from)).first_within(0.0).copied());
        let (target, target_kind) = match best_known {
            Some(v) => (Some(v), TargetKind::BestKnown),
            None => (feasible_best.map(|c| c.objective), TargetKind::OwnBest),
        };
        let samples = result.deep_samples.len() as u64;
        let successes = target.map_or(0, |t| result.deep_samples.iter().filter(|s| s.feasible && reaches_target(sense, s.objective, t)).count() as u64);
        let p = if samples == 0 { 0.0 } else { successes as f64 / samples as f64 };
        let time_per_sample_s = if samples == 0 { f64::NAN } else { result.deep_duration_s() / samples as f64 };
        let per_sample = |of: fn(&SampleRecord) -> u32| if samples == 0 { f64::NAN } else { result.deep_samples.iter().map(|s| f64::from(of(s))).sum::<f64>() / samples as f64 };
        let mvm_per_sample = per_sample(|s| s.iterations);
        let projected_to_best_known = best_known.and_then(|b| PrimalCurve::new(sense, b, incumbents.improvements.iter().map(projected_found)).first_within(0.0).copied());
        let projected = ProjectedTimes {
            time_to_best_known_s: projected_to_best_known.map(|s| s.time_s),
            time_to_own_best_s: feasible_best.map(|c| projected_seconds(c.mvm as f64, c.samples as f64)),
            tts99_s: to_solution(p, projected_seconds(mvm_per_sample, per_sample(|s| s.solves))),
            total_s: projected_seconds(result.total_mvm as f64, result.phases.iter().map(|ph| ph.samples as f64).sum()),
        };
        RunMetrics {
            best_objective: answer.map(|c| c.objective),
            feasible: feasible_best.is_some(),
            max_violation: answer.map(|c| c.max_violation),
            best_known,
            gap_to_best_known: feasible_best.zip(best_known).map(|(c, b)| relative_gap(sense, c.objective, b)),
            reached_best_known: to_best_known.is_some(),
            time_to_best_known_s: to_best_known.map(|s| s.time_s),
            mvm_to_best_known: to_best_known.and_then(|s| s.mvm),
            time_to_own_best_s: feasible_best.map(|c| c.time_s),
            mvm_to_own_best: feasible_best.map(|c| c.mvm),
            target,
            target_kind,
            successes,
            samples,
            success_probability: p,
            success_probability_95: wilson_interval(successes, samples),
            time_per_sample_s,
            tts99_s: to_solution(p, time_per_sample_s),
            mvm99: to_solution(p, mvm_per_sample),
            projected,
        }
    }
}

/// An AOC-DT improvement as a point of its primal gap curve on the projected machine's clock
/// (`crate::hardware::time`) instead of the wall clock.
pub fn projected_found(i: &Improvement) -> Found {
    Found { time_s: projected_seconds(i.mvm as f64, i.samples as f64), ..Found::from(i) }
}

/// An AOC-DT improvement as a point of its primal gap curve, on both clocks.
impl From<&Improvement> for Found {
    fn from(i: &Improvement) -> Self {
        Found { time_s: i.time_s, mvm: Some(i.mvm), objective: i.objective }
    }
}

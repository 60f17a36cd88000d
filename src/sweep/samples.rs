//! Exact evaluation of every sample and tracking of the best ones.

use crate::model::{self, Instance, Sense};
use crate::qumo::{PenaltyWeights, QumoModel};

use super::{Configuration, Phase};

/// One final replica state judged on the original instance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub objective: f64,
    pub max_violation: f64,
    pub feasible: bool,
    /// sense·f + Σ P_r·dist², the penalised energy with optimal slacks (ranking key).
    pub penalised: f64,
}

impl Evaluation {
    /// Feasible beats infeasible; then the better objective under `sense`, or without a feasible
    /// one the smaller violation. Ties are not better.
    pub fn better_than(&self, other: &Evaluation, sense: Sense) -> bool {
        match (self.feasible, other.feasible) {
            (true, false) => true,
            (false, true) => false,
            (true, true) => sense.better(self.objective, other.objective),
            (false, false) => self.max_violation < other.max_violation,
        }
    }
}

pub fn evaluate(instance: &Instance, model: &QumoModel, weights: &PenaltyWeights, x: &[f64]) -> Evaluation {
    let objective = model::objective(instance, x);
    let verdict = model::feasibility(instance, x);
    Evaluation { objective, max_violation: verdict.max_violation, feasible: verdict.feasible, penalised: model.penalised_energy(objective, x, weights) }
}

/// A sample worth keeping, with where and when it was found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// The original binary assignment.
    pub x: Vec<f64>,
    pub objective: f64,
    pub max_violation: f64,
    pub feasible: bool,
    pub phase: Phase,
    pub configuration: Configuration,
    /// Seconds since the solve started, and replica-iterations (matrix-vector products) and
    /// samples (replicas run) done by then, including the batch that found it.
    pub time_s: f64,
    pub mvm: u64,
    pub samples: u64,
}

/// A strict improvement of the best feasible objective.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Improvement {
    pub time_s: f64,
    pub mvm: u64,
    /// Samples (replicas) run by then: with `mvm`, what the projected hardware time counts.
    pub samples: u64,
    pub objective: f64,
}

/// The best feasible sample seen in any phase and, for runs that find none, the least violated.
#[derive(Debug, Clone)]
pub struct Incumbents {
    sense: Sense,
    pub best_feasible: Option<Candidate>,
    pub least_violated: Option<Candidate>,
    pub improvements: Vec<Improvement>,
}

impl Incumbents {
    pub fn new(sense: Sense) -> Self {
        Incumbents { sense, best_feasible: None, least_violated: None, improvements: Vec::new() }
    }

    /// Offers a sample; `make` builds the candidate only when it is kept. Strict improvement
    /// only, so ties keep the earlier sample (and the earlier phase).
    pub fn offer(&mut self, evaluation: &Evaluation, make: impl FnOnce() -> Candidate) {
        if evaluation.feasible {
            if self.best_feasible.as_ref().is_none_or(|b| self.sense.better(evaluation.objective, b.objective)) {
                let candidate = make();
                self.improvements.push(Improvement { time_s: candidate.time_s, mvm: candidate.mvm, samples: candidate.samples, objective: candidate.objective });
                self.best_feasible = Some(candidate);
            }
        } else if self.best_feasible.is_none()
            && self.least_violated.as_ref().is_none_or(|b| evaluation.max_violation < b.max_violation)
        {
            self.least_violated = Some(make());
        }
    }

    /// The answer of the run: the best feasible sample, else the least violated one.
    pub fn answer(&self) -> Option<&Candidate> {
        self.best_feasible.as_ref().or(self.least_violated.as_ref())
    }
}

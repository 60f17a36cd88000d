//! The two-phase AOC-DT sweep (spec §5): phase 1 explores Sobol configurations in order, phase 2
//! re-runs the completed ones best first, the deep search runs the best 100 with longer and
//! varied iteration counts. Penalty weights adapt between phases (constraint-handling.md).

mod bcd;
mod explore;
mod pace;
mod parameters;
mod polished;
mod run;
mod samples;
mod sobol;

pub use pace::MARGIN as BATCH_TIME_MARGIN;
pub use bcd::{BcdOptions, BcdReport, Blocks, Decomposition};
pub use parameters::{phase_resources, Configuration, ParameterRanges};
pub use run::{run_sweep, starting_weights, Ending, PenaltyChange, PhaseStats, SampleRecord, SweepResult, PROVEN_VARIABLES};
pub(crate) use run::{shows_weak_penalties, sobol_configurations, stream_rng, Stop};
pub use polished::{PolishReport, PolishedTrack, POLISH_TIME_SHARE};
pub use samples::{evaluate, Candidate, Evaluation, Improvement, Incumbents};

use crate::engine::ProductForm;
use crate::readout::Readout;
use crate::spectrum::LambdaRule;

/// Number of Sobol configurations (spec §4).
pub const CONFIGURATIONS: usize = 32768;
/// Configurations kept for the deep search (spec §5.3).
pub const DEEP_CONFIGURATIONS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Exploration,
    Refinement,
    DeepSearch,
    /// Block coordinate descent (`crate::decompose`): an instance larger than the modelled
    /// machine, solved block by block instead of the three phases.
    BlockDescent,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Exploration => "phase 1",
            Phase::Refinement => "phase 2",
            Phase::DeepSearch => "deep search",
            Phase::BlockDescent => "block descent",
        }
    }

    pub(crate) fn stream(self) -> u64 {
        self as u64 + 1
    }
}

/// The unit of the starting penalty weights P_r = scale·unit/‖a_r‖².
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyBasis {
    /// δ, the mean |one-flip change of f| at random x, on every row (the rule before the
    /// other two).
    Mean,
    /// The largest |one-flip change of f| seen at those x on equality rows (no slack), δ on
    /// the rows with a slack.
    #[default]
    MaxEquality,
    /// δ on every row, and the equality rows raised to the largest change at the first
    /// adaptation that still knows no feasible point.
    Escalate,
}

impl PenaltyBasis {
    /// What options saved before this setting existed ran with.
    pub fn saved_before() -> Self {
        PenaltyBasis::Mean
    }
}

/// How much a run may spend. Under `Work` a run with a fixed seed is bit-for-bit reproducible
/// on the CPU engine: nothing depends on the clock.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// Wall-clock seconds for the whole solve (λ, phases; parsing excluded).
    TimeLimit(f64),
    /// Total replica-iterations, i.e. matrix-vector products J·σ.
    Work(u64),
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SweepOptions {
    pub budget: Budget,
    pub seed: u64,
    pub ranges: ParameterRanges,
    pub dt: f32,
    /// Budget fractions of phase 1 and phase 2 (the deep search gets the rest).
    pub phase_fractions: (f64, f64),
    pub lambda_rule: LambdaRule,
    /// Global factor on the starting penalty weights P_r = scale·unit/‖a_r‖² (`penalty_basis`).
    pub penalty_scale: f64,
    pub adaptive_penalties: bool,
    /// Method of multipliers: a Lagrange multiplier step on every equality row after every batch.
    pub multipliers: bool,
    /// The one-flip change the starting weights are measured in: the mean (δ) or the largest.
    #[serde(default = "PenaltyBasis::saved_before")]
    pub penalty_basis: PenaltyBasis,
    /// How a replica's final state becomes the point it reports.
    #[serde(default = "Readout::saved_before")]
    pub readout: Readout,
    /// Replicas per batch; `None` lets the engine choose.
    pub batch_size: Option<usize>,
    /// How the engine multiplies by J; `None`: the cheapest by the cost model.
    pub product: Option<ProductForm>,
    /// What happens to an instance larger than the modelled machine.
    #[serde(default = "BcdOptions::saved_before")]
    pub decomposition: BcdOptions,
    /// Also polish every batch's best feasible point by local search and report the polished
    /// incumbents as a second result, "AOC-DT + polish" ([`PolishedTrack`]).
    #[serde(default)]
    pub polish: bool,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            budget: Budget::TimeLimit(10.0),
            seed: 0,
            ranges: ParameterRanges::default(),
            dt: 0.5,
            phase_fractions: (0.1, 0.2),
            lambda_rule: LambdaRule::SpectralRadius,
            penalty_scale: 1.0,
            adaptive_penalties: true,
            multipliers: true,
            penalty_basis: PenaltyBasis::default(),
            readout: Readout::default(),
            batch_size: None,
            product: None,
            decomposition: BcdOptions::default(),
            polish: false,
        }
    }
}

impl SweepOptions {
    pub fn validate(&self) -> Result<(), String> {
        self.ranges.validate()?;
        let (f1, f2) = self.phase_fractions;
        if !(0.0 < f1 && f1 < 1.0 && 0.0 < f2 && f2 < 1.0 && f1 + f2 < 1.0) {
            return Err(format!("phase fractions {f1} and {f2} must each lie in (0, 1) and sum to less than 1"));
        }
        if !(self.dt > 0.0 && self.dt.is_finite()) {
            return Err(format!("dt must be positive, got {}", self.dt));
        }
        if !(self.penalty_scale > 0.0 && self.penalty_scale.is_finite()) {
            return Err(format!("penalty scale must be positive, got {}", self.penalty_scale));
        }
        self.decomposition.validate()?;
        match self.budget {
            Budget::TimeLimit(t) => crate::seconds::duration(t, "the time limit").map(drop),
            Budget::Work(0) => Err("work budget must be positive".into()),
            Budget::Work(_) => Ok(()),
        }
    }
}

/// Progress callbacks, so the sweep never prints.
pub trait SweepObserver {
    fn phase_started(&mut self, _phase: Phase, _configurations: usize, _repetitions: u32, _iterations: u32) {}
    /// `fraction` of the phase's budget spent (0..1, may overrun by one batch).
    fn batch_finished(&mut self, _phase: Phase, _fraction: f64, _best: Option<&Candidate>) {}
    fn phase_finished(&mut self, _stats: &PhaseStats) {}
    fn penalties_changed(&mut self, _change: &PenaltyChange) {}
    /// The run of `instance` learned before its work that it cannot keep its budget (a time
    /// limit that cannot hold, [`Ending::LimitCannotHold`]): told as soon as known, so that the
    /// user reads it before waiting; the result's `ending` holds it too.
    fn ending_known(&mut self, _instance: &str, _ending: &Ending) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl SweepObserver for Silent {}

//! The results schema: one [`ResultRow`] per (instance, solver, repeat). The same struct is a
//! line of `results.csv`, an entry of `results.json`, the input of the comparison table and of
//! `compare` — there is no second description of a run's outcome. Units are in the names.

use serde::{Deserialize, Serialize};

use crate::cluster::{RunPlan, Shard, WorkUnit};
use crate::engine::{EngineChoice, Precision};
use crate::table::number;
use crate::metrics::{beats_proven_optimum, relative_gap, Found, PrimalCurve, RunMetrics, GAP_LEVELS};
use crate::model::Sense;
use crate::reference::recorded::{RecordedOutcome, RecordedSolver};
use crate::reference::{PenaltyRule, ReferenceRun, ReferenceSolver};
use crate::sweep::{Budget, Improvement, SweepOptions, SweepResult};

/// Who made a row: AOC-DT (and its polished and projected tracks), a reference solver run here,
/// or a run recorded in a QOBLIB submission. Written as its [`SolverName::key`] in every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SolverName {
    Aocdt,
    /// AOC-DT's runs under `--polish`: the incumbents of its batches' best feasible points after
    /// the local search (`crate::sweep::PolishedTrack`), a hybrid beside AOC-DT, not AOC-DT.
    AocdtPolish,
    /// The modelled machine's projected times for AOC-DT's runs under `--hardware`
    /// (`crate::hardware::time`): the same runs on another clock, not another solver.
    AocProjected,
    /// A reference solver run here (`bench --reference`), named as [`ReferenceSolver`] names it.
    Reference(ReferenceSolver),
    /// Abs2's run recorded in a QOBLIB submission (`crate::reference::recorded`): another
    /// machine's run, read, not re-run.
    Abs2Recorded,
    /// Gurobi's run recorded in a QOBLIB submission, on the submitter's machine.
    GurobiRecorded,
}

impl SolverName {
    /// Every solver name, in the order of the variants.
    pub fn all() -> impl Iterator<Item = SolverName> {
        let references = <ReferenceSolver as clap::ValueEnum>::value_variants().iter().map(|&solver| SolverName::Reference(solver));
        [SolverName::Aocdt, SolverName::AocdtPolish, SolverName::AocProjected].into_iter().chain(references).chain([SolverName::Abs2Recorded, SolverName::GurobiRecorded])
    }

    pub fn label(self) -> &'static str {
        match self {
            SolverName::Aocdt => "AOC-DT",
            SolverName::AocdtPolish => "AOC-DT + polish",
            SolverName::AocProjected => "AOC (projected)",
            SolverName::Reference(solver) => solver.label(),
            SolverName::Abs2Recorded => "Abs2 (recorded)",
            SolverName::GurobiRecorded => "Gurobi (recorded)",
        }
    }

    /// The lower-case name used in file columns (`aocdt`, `aocdt_polish`, `aoc_projected`, a
    /// reference's own name such as `scip`, `abs2_recorded`, `gurobi_recorded`).
    pub fn key(self) -> &'static str {
        match self {
            SolverName::Aocdt => "aocdt",
            SolverName::AocdtPolish => "aocdt_polish",
            SolverName::AocProjected => "aoc_projected",
            SolverName::Reference(solver) => solver.as_str(),
            SolverName::Abs2Recorded => "abs2_recorded",
            SolverName::GurobiRecorded => "gurobi_recorded",
        }
    }

    /// A run recorded on another machine (a QOBLIB submission): its times are not comparable
    /// with this machine's, so no time ratio is formed with it.
    pub fn is_recorded(self) -> bool {
        matches!(self, SolverName::Abs2Recorded | SolverName::GurobiRecorded)
    }

    /// A solver AOC-DT is compared with (not one of AOC-DT's own rows).
    pub fn is_reference(self) -> bool {
        !matches!(self, SolverName::Aocdt | SolverName::AocdtPolish | SolverName::AocProjected)
    }
}

impl Serialize for SolverName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for SolverName {
    /// Errors: a name that is no solver's key.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
        SolverName::all().find(|solver| solver.key() == name).ok_or_else(|| {
            let known: Vec<&str> = SolverName::all().map(SolverName::key).collect();
            serde::de::Error::custom(format!("unknown solver `{name}`, expected one of {}", known.join(", ")))
        })
    }
}

impl From<ReferenceSolver> for SolverName {
    fn from(solver: ReferenceSolver) -> Self {
        SolverName::Reference(solver)
    }
}

impl From<RecordedSolver> for SolverName {
    fn from(solver: RecordedSolver) -> Self {
        match solver {
            RecordedSolver::Abs2 => SolverName::Abs2Recorded,
            RecordedSolver::Gurobi => SolverName::GurobiRecorded,
        }
    }
}

/// Where an instance's target objective comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// The catalog's best-known objective.
    BestKnown,
    /// No best-known value: the best feasible objective AOC-DT found over the instance's repeats.
    AocdtBest,
}

/// One run of one solver on one instance.
///
/// Time-to-target columns are first-reach times on the solver's own trajectory (wall-clock
/// seconds since its solve started); `tts99_s`, `success_probability` and `samples` are AOC-DT's
/// statistical time-to-solution (spec §6.4) and empty for references. `mvm_to_target` is
/// AOC-DT's deterministic first-reach counter (replica-iterations when the target was first
/// reached). Infinite values (TTS99 when no sample succeeded) are `inf` in the CSV and `null`
/// in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub instance: String,
    pub n_vars: usize,
    pub n_constraints: usize,
    pub sense: Sense,
    pub best_known: Option<f64>,
    /// The objective every solver's time-to-target aims at (see `target_source`).
    pub target: Option<f64>,
    pub target_source: Option<TargetSource>,
    pub solver: SolverName,
    /// 0-based; repeat r runs with seed `seed` = base seed + r.
    pub repeat: u32,
    /// AOC-DT's engine (`cpu`, `gpu`); empty for references.
    pub engine: Option<String>,
    /// The CPU model or GPU adapter that ran the solve.
    pub device: String,
    /// Threads the solver actually used (SCIP always solves sequentially).
    pub threads: usize,
    pub seed: u64,
    /// The wall-clock budget; empty for AOC-DT under a work budget.
    pub time_limit_s: Option<f64>,
    /// AOC-DT's deterministic budget in replica-iterations; empty under a time limit.
    pub work_mvm: Option<u64>,
    /// AOC-DT's replicas per batch: with the seed and the work budget it fixes the trajectory.
    pub batch_size: Option<usize>,
    /// Best feasible objective, else the least violated one (`feasible` says which); for
    /// references recomputed from the returned point.
    pub best_objective: Option<f64>,
    pub feasible: bool,
    pub max_violation: Option<f64>,
    /// Signed relative gap to the best-known in percent, max(1, |best-known|) in the
    /// denominator: > 0 is worse, < 0 beats the best-known.
    pub gap_to_best_known_pct: Option<f64>,
    pub reached_best_known: bool,
    /// The run's feasible objective beats a best-known that the catalog marks proven optimal:
    /// impossible unless the feasibility judge or the catalog is wrong, so the row must not be
    /// trusted (a warning names it too). Absent from results of older versions: false.
    #[serde(default)]
    pub beats_proven_optimum: bool,
    pub time_to_best_known_s: Option<f64>,
    /// When the run first held a point reaching the target: the time to a primal gap of 0 %.
    pub time_to_target_s: Option<f64>,
    /// When the primal gap first fell to 0.1 %, 1 % and 5 % ([`crate::metrics::GAP_LEVELS`]).
    #[serde(rename = "time_to_gap_0.1pct_s")]
    pub time_to_gap_0_1pct_s: Option<f64>,
    pub time_to_gap_1pct_s: Option<f64>,
    pub time_to_gap_5pct_s: Option<f64>,
    /// Berthold's primal gap of the run's best point against the target, in percent
    /// (0 to 100; 100 without a feasible point).
    pub primal_gap_pct: Option<f64>,
    /// The primal integral: ∫ primal gap (as a fraction) dt over [0, `primal_integral_horizon_s`],
    /// in seconds. Lower is better; divided by the horizon it is the run's mean gap. None (and
    /// no horizon) for a recorded row: its run had another machine and limit.
    pub primal_integral_s: Option<f64>,
    /// The horizon of the integral, the same for every run of the instance: the longest time
    /// limit among them (for AOC-DT under a work budget, its longest wall time). A run that
    /// ended earlier keeps its last gap until the horizon.
    pub primal_integral_horizon_s: Option<f64>,
    /// AOC-DT only: the primal integral over the run's replica-iterations, in
    /// replica-iterations — deterministic under a work budget, which `compare` gates on.
    pub primal_integral_mvm: Option<f64>,
    /// When the run's own best feasible point was found.
    pub time_to_own_best_s: Option<f64>,
    pub tts99_s: Option<f64>,
    /// AOC-DT only: TTS99 with the tuning charged — `tts99_s` plus the wall time of phases 1
    /// and 2 (exploration and refinement) that chose the deep search's settings: the figure to
    /// set beside peers that tune nothing or tune themselves.
    #[serde(default)]
    pub tts99_with_tuning_s: Option<f64>,
    pub success_probability: Option<f64>,
    pub samples: Option<u64>,
    pub mvm_to_target: Option<u64>,
    /// The whole solve (AOC-DT: λ, phases; reference: the solver's optimize call).
    pub wall_time_s: f64,
    /// Heuristic peers: seconds of package import and model building before their clock
    /// started, reported apart from the solve.
    #[serde(default)]
    pub setup_time_s: Option<f64>,
    /// AOC-DT: `time_limit` or `work_limit`; references: the solver's status; `error` when the
    /// run failed (the message is in results.json).
    pub status: String,
    /// The software that produced the solution (aocbench or the solver with its version).
    pub version: String,
    /// Heuristic peers: how the rows became penalties and their weight rule.
    #[serde(default)]
    pub formulation: Option<String>,
    /// Heuristic peers: the largest row weight at the end, objective units per squared row unit.
    #[serde(default)]
    pub penalty_weight_max: Option<f64>,
}

/// `status` of a run that failed before producing anything.
const STATUS_ERROR: &str = "error";
/// `status` of a reference run that could not start for a known reason (Gurobi's licence).
const STATUS_SKIPPED: &str = "skipped";

impl ResultRow {
    /// False for runs that failed or were skipped: they produced nothing to compare.
    pub fn ran(&self) -> bool {
        self.status != STATUS_ERROR && self.status != STATUS_SKIPPED
    }

    /// True for a run that failed before producing anything (status `error`).
    pub fn failed(&self) -> bool {
        self.status == STATUS_ERROR
    }

    /// The time to each of [`GAP_LEVELS`] (0 % is the time to target), in seconds.
    pub fn time_to_gap_s(&self) -> [Option<f64>; GAP_LEVELS.len()] {
        [self.time_to_target_s, self.time_to_gap_0_1pct_s, self.time_to_gap_1pct_s, self.time_to_gap_5pct_s]
    }

    /// AOC-DT's row or one of the rows derived from its run (polished, projected).
    pub fn is_aocdt(&self) -> bool {
        !self.solver.is_reference()
    }

    /// The first value no run can have, as `column: what is wrong`: a number that is not finite
    /// (an infinite TTS99 aside), a negative time, count or violation, a gap or probability out
    /// of its range, a replica-iteration counter beyond 2^53 (a `u64::MAX` sentinel), an
    /// AOC-DT status other than `time_limit`, `work_limit` or `error` (AOC-DT is never
    /// skipped), a best-known reached without one, a target without its source (or the other
    /// way round) or not the best-known it names, or a time to a target the row lacks. None for a row a run could have written.
    pub fn impossible_value(&self) -> Option<String> {
        let finite = [("best_known", self.best_known), ("target", self.target), ("best_objective", self.best_objective), ("gap_to_best_known_pct", self.gap_to_best_known_pct)];
        let non_negative = [
            ("time_limit_s", self.time_limit_s),
            ("max_violation", self.max_violation),
            ("time_to_best_known_s", self.time_to_best_known_s),
            ("time_to_target_s", self.time_to_target_s),
            ("time_to_gap_0.1pct_s", self.time_to_gap_0_1pct_s),
            ("time_to_gap_1pct_s", self.time_to_gap_1pct_s),
            ("time_to_gap_5pct_s", self.time_to_gap_5pct_s),
            ("primal_integral_s", self.primal_integral_s),
            ("primal_integral_horizon_s", self.primal_integral_horizon_s),
            ("primal_integral_mvm", self.primal_integral_mvm),
            ("time_to_own_best_s", self.time_to_own_best_s),
            ("wall_time_s", Some(self.wall_time_s)),
        ];
        let fractions = [("primal_gap_pct", self.primal_gap_pct, 100.0), ("success_probability", self.success_probability, 1.0)];
        for (column, value) in finite {
            if let Some(v) = value.filter(|v| !v.is_finite()) {
                return Some(format!("{column}: {v} is not a finite number"));
            }
        }
        for (column, value) in non_negative {
            if let Some(v) = value.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return Some(format!("{column}: {v} is not a finite number ≥ 0"));
            }
        }
        for (column, value, most) in fractions {
            if let Some(v) = value.filter(|v| !(0.0..=most).contains(v)) {
                return Some(format!("{column}: {v} is outside 0..{most}"));
            }
        }
        if let Some(v) = self.tts99_s.filter(|v| v.is_nan() || *v < 0.0) {
            return Some(format!("tts99_s: {v} is not a time ≥ 0 (inf when no sample succeeded)"));
        }
        // Beyond 2^53 replica-iterations no run goes, and f64 (which compare divides in) stops
        // counting exactly. (The work budget is no bound: a run's last round may overshoot it.)
        const MOST_MVM: u64 = 1 << 53;
        for (column, value) in [("mvm_to_target", self.mvm_to_target), ("samples", self.samples), ("work_mvm", self.work_mvm)] {
            if let Some(v) = value.filter(|v| *v > MOST_MVM) {
                return Some(format!("{column}: {v} is more than any run counts (at most 2^53 = {MOST_MVM})"));
            }
        }
        if self.is_aocdt() && ![STATUS_ERROR, "time_limit", "work_limit"].contains(&self.status.as_str()) {
            return Some(format!("status: {:?} is not an AOC-DT status (time_limit, work_limit or error)", self.status));
        }
        if self.reached_best_known && !(self.feasible && self.best_known.is_some()) {
            return Some("reached_best_known: true without a feasible point and a best-known".into());
        }
        if self.target_source == Some(TargetSource::BestKnown) && (self.target != self.best_known || self.best_known.is_none()) {
            return Some(format!("target: {} is not the best-known {} that target_source names", number(self.target), number(self.best_known)));
        }
        if self.target.is_some() != self.target_source.is_some() {
            return Some(format!("target_source: {:?} for target {}", self.target_source, number(self.target)));
        }
        if self.target.is_none() && (self.mvm_to_target.is_some() || self.time_to_target_s.is_some()) {
            return Some("mvm_to_target: a time or count to a target that the row does not have".into());
        }
        None
    }
}

/// The anytime-quality columns of one run, read off its primal gap curve.
struct Anytime {
    time_to_gap_s: [Option<f64>; GAP_LEVELS.len()],
    mvm_to_target: Option<u64>,
    primal_gap_pct: f64,
    primal_integral_s: f64,
    primal_integral_mvm: Option<f64>,
}

impl Anytime {
    /// `horizon_mvm`: the run's length in replica-iterations (AOC-DT only).
    fn of(curve: &PrimalCurve, horizon_s: f64, horizon_mvm: Option<u64>) -> Self {
        Anytime {
            time_to_gap_s: GAP_LEVELS.map(|level| curve.first_within(level).map(|s| s.time_s)),
            mvm_to_target: curve.first_within(0.0).and_then(|s| s.mvm),
            primal_gap_pct: 100.0 * curve.final_gap(),
            primal_integral_s: curve.integral_s(horizon_s),
            primal_integral_mvm: horizon_mvm.and_then(|h| curve.integral_mvm(h)),
        }
    }

    /// Fills the columns of `row`; a recorded row has no primal integral (its run was on
    /// another machine and had its own limit, so an integral over this run's horizon means
    /// nothing).
    fn fill(self, row: ResultRow, horizon_s: f64) -> ResultRow {
        let integrated = !row.solver.is_recorded();
        let [time_to_target_s, time_to_gap_0_1pct_s, time_to_gap_1pct_s, time_to_gap_5pct_s] = self.time_to_gap_s;
        ResultRow {
            time_to_target_s,
            time_to_gap_0_1pct_s,
            time_to_gap_1pct_s,
            time_to_gap_5pct_s,
            mvm_to_target: self.mvm_to_target,
            primal_gap_pct: Some(self.primal_gap_pct),
            primal_integral_s: Some(self.primal_integral_s).filter(|_| integrated),
            primal_integral_horizon_s: Some(horizon_s).filter(|_| integrated),
            primal_integral_mvm: self.primal_integral_mvm,
            ..row
        }
    }
}

/// `row` with its anytime columns from `curve` over `horizon_s` (and `horizon_mvm`), when the
/// instance has a target.
fn with_curve(row: ResultRow, curve: Option<&RunCurve>, horizon_s: f64, horizon_mvm: Option<u64>) -> ResultRow {
    match curve {
        Some(c) => Anytime::of(&c.curve, horizon_s, horizon_mvm).fill(row, horizon_s),
        None => row,
    }
}

/// What every row of one instance shares.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceFacts {
    pub name: String,
    pub n_vars: usize,
    pub n_constraints: usize,
    pub sense: Sense,
    pub best_known: Option<f64>,
    /// The best-known when the catalog marks it proven optimal.
    pub proven_optimum: Option<f64>,
    /// The best-known, else AOC-DT's best feasible objective over the repeats (None when
    /// there is neither).
    pub target: Option<f64>,
    /// Seconds every run's primal integral covers (see [`ResultRow::primal_integral_horizon_s`]).
    pub horizon_s: f64,
}

impl InstanceFacts {
    /// Whether a run's answer beats the proven optimum (see [`ResultRow::beats_proven_optimum`]).
    fn beats_proven_optimum(&self, feasible: bool, objective: Option<f64>) -> bool {
        matches!((feasible, objective, self.proven_optimum), (true, Some(f), Some(optimum)) if beats_proven_optimum(self.sense, f, optimum))
    }

    fn target_source(&self) -> Option<TargetSource> {
        match (self.best_known, self.target) {
            (Some(_), _) => Some(TargetSource::BestKnown),
            (None, Some(_)) => Some(TargetSource::AocdtBest),
            (None, None) => None,
        }
    }

    /// A row with the instance's columns filled and every outcome column empty.
    fn row(&self, solver: SolverName, repeat: u32, seed: u64) -> ResultRow {
        ResultRow {
            instance: self.name.clone(),
            n_vars: self.n_vars,
            n_constraints: self.n_constraints,
            sense: self.sense,
            best_known: self.best_known,
            target: self.target,
            target_source: self.target_source(),
            solver,
            repeat,
            engine: None,
            device: String::new(),
            threads: 0,
            seed,
            time_limit_s: None,
            work_mvm: None,
            batch_size: None,
            best_objective: None,
            feasible: false,
            max_violation: None,
            gap_to_best_known_pct: None,
            reached_best_known: false,
            beats_proven_optimum: false,
            time_to_best_known_s: None,
            time_to_target_s: None,
            time_to_gap_0_1pct_s: None,
            time_to_gap_1pct_s: None,
            time_to_gap_5pct_s: None,
            primal_gap_pct: None,
            primal_integral_s: None,
            primal_integral_horizon_s: None,
            primal_integral_mvm: None,
            time_to_own_best_s: None,
            tts99_s: None,
            tts99_with_tuning_s: None,
            success_probability: None,
            samples: None,
            mvm_to_target: None,
            wall_time_s: 0.0,
            setup_time_s: None,
            status: STATUS_ERROR.into(),
            version: String::new(),
            formulation: None,
            penalty_weight_max: None,
        }
    }

    /// The primal gap curve of a run against the instance's target (None without a target),
    /// from its improving points (AOC-DT: `Found::from` its improvements; references:
    /// [`ReferenceRun::trajectory`]).
    pub fn curve(&self, solver: SolverName, repeat: u32, trajectory: impl IntoIterator<Item = Found>) -> Option<RunCurve> {
        self.target.map(|target| RunCurve {
            instance: self.name.clone(),
            solver,
            repeat,
            horizon_s: self.horizon_s,
            curve: PrimalCurve::new(self.sense, target, trajectory),
        })
    }

    /// The row of one AOC-DT run; `curve` is its [`InstanceFacts::curve`].
    pub fn aocdt_row(&self, repeat: u32, options: &SweepOptions, sweep: &SweepResult, curve: Option<&RunCurve>) -> ResultRow {
        // RunMetrics measures everything against the objective it is handed as best-known;
        // handing it the instance's target (which may be AOC-DT's own best over the repeats)
        // gives the target columns, and the best-known columns are kept only for a real one.
        let m = RunMetrics::from_sweep(self.sense, sweep, self.target);
        let (time_limit_s, work_mvm, status) = match options.budget {
            Budget::TimeLimit(t) => (Some(t), None, "time_limit"),
            Budget::Work(w) => (None, Some(w), "work_limit"),
        };
        let row = ResultRow {
            engine: Some(sweep.engine.kind.clone()),
            device: sweep.engine.device.clone(),
            threads: sweep.engine.threads,
            time_limit_s,
            work_mvm,
            batch_size: Some(sweep.batch_size),
            tts99_s: Some(m.tts99_s),
            tts99_with_tuning_s: Some(m.tts99_s + sweep.tuning_duration_s()),
            success_probability: Some(m.success_probability),
            samples: Some(m.samples),
            wall_time_s: sweep.elapsed_s,
            status: status.into(),
            version: aocbench_version(),
            ..self.row(SolverName::Aocdt, repeat, options.seed)
        };
        with_curve(self.with_outcome(row, &m), curve, self.horizon_s, Some(sweep.total_mvm))
    }

    /// `row` with the objective, feasibility and best-known columns of `m` (measured against
    /// the instance's target); the best-known columns are kept only for a real best-known.
    fn with_outcome(&self, row: ResultRow, m: &RunMetrics) -> ResultRow {
        let known = self.best_known.is_some();
        ResultRow {
            best_objective: m.best_objective,
            feasible: m.feasible,
            max_violation: m.max_violation,
            gap_to_best_known_pct: m.gap_to_best_known.filter(|_| known).map(|g| 100.0 * g),
            reached_best_known: known && m.reached_best_known,
            beats_proven_optimum: self.beats_proven_optimum(m.feasible, m.best_objective),
            time_to_best_known_s: m.time_to_best_known_s.filter(|_| known),
            time_to_own_best_s: m.time_to_own_best_s,
            ..row
        }
    }

    /// The row of one AOC-DT run's polished incumbents under `--polish` ("AOC-DT + polish"):
    /// `aocdt` is that run's row, `curve` the [`InstanceFacts::curve`] of the polished
    /// improvements. Objective, feasibility and times are the polished track's; budget and work
    /// are the run's; the sample statistics (TTS99, success probability) are left empty, since
    /// the polish draws no samples. `None` when the run was not polished.
    pub fn polished_row(&self, aocdt: &ResultRow, sweep: &SweepResult, curve: Option<&RunCurve>) -> Option<ResultRow> {
        let m = RunMetrics::polished(self.sense, sweep, self.target)?;
        let row = ResultRow { solver: SolverName::AocdtPolish, tts99_s: None, tts99_with_tuning_s: None, success_probability: None, ..aocdt.clone() };
        Some(with_curve(self.with_outcome(row, &m), curve, self.horizon_s, Some(sweep.total_mvm)))
    }

    /// The row of the modelled machine's projected times for one AOC-DT run: `aocdt` is that
    /// run's row, `curve` the [`InstanceFacts::curve`] of its improvements on the projected
    /// clock ([`crate::metrics::projected_found`]). Objectives and work are the run's; every
    /// time column is a projection, over the run's projected length as its horizon.
    pub fn projected_row(&self, aocdt: &ResultRow, sweep: &SweepResult, curve: Option<&RunCurve>) -> ResultRow {
        let projected = RunMetrics::from_sweep(self.sense, sweep, self.target).projected;
        let row = ResultRow {
            solver: SolverName::AocProjected,
            time_limit_s: None,
            time_to_best_known_s: projected.time_to_best_known_s.filter(|_| self.best_known.is_some()),
            time_to_own_best_s: projected.time_to_own_best_s,
            tts99_s: Some(projected.tts99_s),
            // The tuning phases' projected time is not modelled apart.
            tts99_with_tuning_s: None,
            wall_time_s: projected.total_s,
            ..aocdt.clone()
        };
        with_curve(row, curve, projected.total_s, Some(sweep.total_mvm))
    }

    /// The row of one reference run; `curve` is its [`InstanceFacts::curve`]. Objective and
    /// feasibility are the recomputed ones; times come from its trajectory of judged points
    /// ([`ReferenceRun::trajectory`]).
    pub fn reference_row(&self, repeat: u32, seed: u64, time_limit_s: f64, device: &str, run: &ReferenceRun, curve: Option<&RunCurve>) -> ResultRow {
        let row = ResultRow {
            device: device.to_string(),
            threads: run.threads,
            time_limit_s: Some(time_limit_s),
            wall_time_s: run.wall_time_s,
            setup_time_s: run.setup_time_s,
            status: serde_json::to_value(run.status).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            version: run.solver_version.clone().unwrap_or_else(|| run.solver.to_string()),
            formulation: run.formulation.clone(),
            penalty_weight_max: run.penalty_weight_max,
            ..self.row(run.solver.into(), repeat, seed)
        };
        self.judged_row(row, (run.objective, run.feasible, run.max_violation), &run.trajectory(), curve)
    }

    /// `row` with the outcome columns of a judged point — (objective, feasible, max violation) —
    /// and the times read off `trajectory` (the judged improving points) and `curve`.
    fn judged_row(&self, row: ResultRow, (objective, feasible, max_violation): (Option<f64>, bool, Option<f64>), trajectory: &[Found], curve: Option<&RunCurve>) -> ResultRow {
        let final_objective = objective.filter(|_| feasible);
        let time_to_reach = |goal: f64| PrimalCurve::new(self.sense, goal, trajectory.iter().copied()).first_within(0.0).map(|s| s.time_s);
        let time_to_best_known_s = self.best_known.and_then(time_to_reach);
        let row = ResultRow {
            best_objective: objective,
            feasible,
            max_violation,
            gap_to_best_known_pct: final_objective.zip(self.best_known).map(|(f, b)| 100.0 * relative_gap(self.sense, f, b)),
            reached_best_known: time_to_best_known_s.is_some(),
            beats_proven_optimum: self.beats_proven_optimum(feasible, objective),
            time_to_best_known_s,
            time_to_own_best_s: final_objective.and_then(time_to_reach),
            ..row
        };
        with_curve(row, curve, self.horizon_s, None)
    }

    /// The row of a recorded submission's run (`run`, from [`RecordedOutcome::of`]); `curve` is
    /// the [`InstanceFacts::curve`] of [`RecordedOutcome::found`]. The device is the submission's
    /// hardware, the wall time its `Total Runtime`, the status the judge's verdict.
    pub fn recorded_row(&self, run: &RecordedOutcome, curve: Option<&RunCurve>) -> ResultRow {
        let row = ResultRow {
            device: run.hardware.clone(),
            threads: run.threads,
            wall_time_s: run.wall_time_s,
            status: run.status.clone(),
            version: format!("QOBLIB submission {}", run.submission),
            ..self.row(run.solver.into(), 0, 0)
        };
        self.judged_row(row, (run.objective, run.feasible, run.max_violation), &run.found(), curve)
    }

    /// The row of a run that failed before it produced anything (status `error`).
    pub fn failed_row(&self, solver: SolverName, repeat: u32, seed: u64, device: &str) -> ResultRow {
        ResultRow { device: device.to_string(), ..self.row(solver, repeat, seed) }
    }
}

/// A binary assignment as one digit per variable (`0110…`), the form results.json keeps the
/// best point in. None when a value is not 0 or 1.
pub fn best_point(x: &[f64]) -> Option<String> {
    x.iter().map(|&v| if v == 0.0 { Some('0') } else if v == 1.0 { Some('1') } else { None }).collect()
}

/// `aocbench <version>`.
pub fn aocbench_version() -> String {
    format!("aocbench {}", env!("CARGO_PKG_VERSION"))
}

/// Everything a run recorded beyond its row, for results.json.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RawRun {
    Aocdt {
        instance: String,
        repeat: u32,
        seed: u64,
        metrics: RunMetrics,
        sweep: Box<SweepResult>,
        /// Every strict improvement of the best feasible objective (the trajectory).
        improvements: Vec<Improvement>,
        /// The best feasible assignment as one digit 0/1 per variable in the instance's order
        /// ([`best_point`]); None without a feasible point. What `export --qoblib` writes as the
        /// solution.
        best_point: Option<String>,
    },
    /// The judged reference run; its final assignment is left out (it can be 10⁴ numbers).
    Reference { instance: String, repeat: u32, run: ReferenceRun },
    Failed { instance: String, solver: SolverName, repeat: u32, message: String },
    /// A QOBLIB submission's recorded run, judged; `run` carries the columns its row takes.
    Submission { instance: String, solver: SolverName, repeat: u32, run: RecordedOutcome },
    /// A run read back from an earlier results.json (a resumed run, a merged shard), kept as
    /// it was written.
    #[serde(untagged)]
    Recorded(serde_json::Value),
}

impl RawRun {
    /// The (instance, solver, repeat) the run belongs to; None for a recorded run that lacks them.
    pub fn key(&self) -> Option<(&str, SolverName, u32)> {
        match self {
            RawRun::Aocdt { instance, repeat, .. } => Some((instance, SolverName::Aocdt, *repeat)),
            RawRun::Reference { instance, repeat, run } => Some((instance, run.solver.into(), *repeat)),
            RawRun::Failed { instance, solver, repeat, .. } | RawRun::Submission { instance, solver, repeat, .. } => Some((instance, *solver, *repeat)),
            RawRun::Recorded(value) => {
                let solver = match value["kind"].as_str()? {
                    "aocdt" => SolverName::Aocdt,
                    "reference" => SolverName::deserialize(&value["run"]["solver"]).ok()?,
                    _ => SolverName::deserialize(&value["solver"]).ok()?,
                };
                Some((value["instance"].as_str()?, solver, u32::try_from(value["repeat"].as_u64()?).ok()?))
            }
        }
    }
}

/// How one reference solver was set up for a bench run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceSetup {
    pub solver: ReferenceSolver,
    pub time_limit_s: f64,
    pub threads: usize,
    pub grace_s: f64,
    /// The row weight rule of a binary-only peer (None for SCIP and Gurobi).
    #[serde(default)]
    pub penalty: Option<PenaltyRule>,
    pub venv: String,
    /// Why it could not run (then the bench ran AOC-DT only).
    pub unavailable: Option<String>,
}

/// The run's metadata: what ran, where, when and with which options.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunMetadata {
    pub version: String,
    /// `git rev-parse HEAD` of the source tree the binary was built from, or `unknown`.
    pub git_commit: String,
    /// Start and end, RFC 3339 local time.
    pub started: String,
    pub finished: Option<String>,
    pub os: String,
    pub cpu: String,
    pub cores: usize,
    /// The AOC-DT engine: kind and device (CPU model or GPU adapter).
    pub engine: EngineChoice,
    /// The float type of the dynamics (f32 in runs recorded before the option existed).
    #[serde(default)]
    pub precision: Precision,
    pub engine_kind: String,
    /// The machine the twin modelled and its non-idealities (absent: the ideal twin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<String>,
    pub adapter: String,
    pub threads: usize,
    pub repeats: u32,
    /// The named set (`smoke`, `qbl`, `qbn`) or `instances` when they were listed.
    pub selection: String,
    pub instances: Vec<String>,
    /// Budget, seed and every sweep hyper-parameter.
    pub sweep: SweepOptions,
    /// The solvers AOC-DT was compared with, in the order they ran (`reference` in results of
    /// older versions, one solver or none).
    #[serde(alias = "reference", deserialize_with = "one_or_many")]
    pub references: Vec<ReferenceSetup>,
    pub command_line: Vec<String>,
    /// The part of the run this folder holds; None for a whole run (one process, or merged).
    pub shard: Option<Shard>,
    /// Every unit of the whole run with its estimated cost and shard: what shards of one run
    /// share, and what a merge checks for completeness.
    pub plan: RunPlan,
    /// The shard folders a merged run was built from; empty otherwise.
    pub merged_from: Vec<MergedShard>,
    /// Units without rows: only in a merge with `--allow-partial`, which makes the run partial.
    pub missing_units: Vec<WorkUnit>,
}

/// Where a merged run's rows came from: one input folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedShard {
    pub dir: String,
    pub shard: Option<Shard>,
    pub started: String,
    pub finished: Option<String>,
    pub cpu: String,
    pub adapter: String,
    pub command_line: Vec<String>,
    /// Units whose rows were taken from this folder.
    pub units_taken: usize,
}

/// A list, or one item or none as older versions wrote it.
fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<ReferenceSetup>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Many(Vec<ReferenceSetup>),
        One(Option<ReferenceSetup>),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::Many(list) => list,
        Either::One(one) => one.into_iter().collect(),
    })
}

/// One run's primal gap curve against its instance's target, with the horizon of its
/// integral: the raw data of the gap-over-time plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunCurve {
    pub instance: String,
    pub solver: SolverName,
    pub repeat: u32,
    pub horizon_s: f64,
    #[serde(flatten)]
    pub curve: PrimalCurve,
}

#[cfg(test)]
mod tests {
    use super::{ReferenceSolver, SolverName};

    #[test]
    fn every_solver_name_round_trips_through_its_key_and_the_references_are_reference_solvers_own() {
        let all: Vec<SolverName> = SolverName::all().collect();
        for solver in &all {
            let written = serde_json::to_string(solver).unwrap();
            assert_eq!(written, format!("\"{}\"", solver.key()));
            assert_eq!(serde_json::from_str::<SolverName>(&written).unwrap(), *solver);
        }
        let mut keys: Vec<&str> = all.iter().map(|s| s.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.len(), "keys are distinct: {keys:?}");
        // The order of the variants, as sorted rows and tables have it.
        assert!(all.windows(2).all(|w| w[0] < w[1]), "{all:?}");
        let references: Vec<ReferenceSolver> = all.iter().filter_map(|s| match s {
            SolverName::Reference(solver) => Some(*solver),
            _ => None,
        }).collect();
        assert_eq!(references, <ReferenceSolver as clap::ValueEnum>::value_variants());
        assert_eq!(SolverName::from(ReferenceSolver::Bsb).key(), "bsb");
        let unknown = serde_json::from_str::<SolverName>("\"cplex\"").unwrap_err().to_string();
        assert!(unknown.contains("unknown solver `cplex`, expected one of aocdt, aocdt_polish"), "{unknown}");
    }
}

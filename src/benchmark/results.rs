//! The results schema: one [`ResultRow`] per (instance, solver, repeat). The same struct is a
//! line of `results.csv`, an entry of `results.json`, the input of the comparison table and of
//! `compare` — there is no second description of a run's outcome. Units are in the names.

use serde::{Deserialize, Serialize};

use crate::cluster::{MergedShard, RunPlan, Shard, WorkUnit};
use crate::engine::EngineChoice;
use crate::metrics::{reaches_target, relative_gap, RunMetrics};
use crate::model::Sense;
use crate::reference::{time_to_target, ReferenceRun, ReferenceSolver, TARGET_TOLERANCE};
use crate::sweep::{Budget, Improvement, SweepOptions, SweepResult};

use super::summary::{aggregate, compare_instances, InstanceComparison, SolverAggregate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SolverName {
    Aocdt,
    Scip,
    Gurobi,
}

impl SolverName {
    pub fn label(self) -> &'static str {
        match self {
            SolverName::Aocdt => "AOC-DT",
            SolverName::Scip => "SCIP",
            SolverName::Gurobi => "Gurobi",
        }
    }

    /// The lower-case name used in file columns (`aocdt`, `scip`, `gurobi`).
    pub fn key(self) -> &'static str {
        match self {
            SolverName::Aocdt => "aocdt",
            SolverName::Scip => "scip",
            SolverName::Gurobi => "gurobi",
        }
    }
}

impl From<ReferenceSolver> for SolverName {
    fn from(solver: ReferenceSolver) -> Self {
        match solver {
            ReferenceSolver::Scip => SolverName::Scip,
            ReferenceSolver::Gurobi => SolverName::Gurobi,
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
    /// Relative gap to the best-known, max(1, |best-known|) in the denominator; > 0 is worse.
    pub gap_to_best_known: Option<f64>,
    pub reached_best_known: bool,
    pub time_to_best_known_s: Option<f64>,
    pub time_to_target_s: Option<f64>,
    /// When the run's own best feasible point was found.
    pub time_to_own_best_s: Option<f64>,
    pub tts99_s: Option<f64>,
    pub success_probability: Option<f64>,
    pub samples: Option<u64>,
    pub mvm_to_target: Option<u64>,
    /// The whole solve (AOC-DT: λ, phases; reference: the solver's optimize call).
    pub wall_time_s: f64,
    /// AOC-DT: `time_limit` or `work_limit`; references: the solver's status; `error` when the
    /// run failed (the message is in results.json).
    pub status: String,
    /// The software that produced the solution (aocbench or the solver with its version).
    pub version: String,
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
}

/// What every row of one instance shares.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceFacts {
    pub name: String,
    pub n_vars: usize,
    pub n_constraints: usize,
    pub sense: Sense,
    pub best_known: Option<f64>,
    /// The best-known, else AOC-DT's best feasible objective over the repeats (None when
    /// there is neither).
    pub target: Option<f64>,
}

impl InstanceFacts {
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
            gap_to_best_known: None,
            reached_best_known: false,
            time_to_best_known_s: None,
            time_to_target_s: None,
            time_to_own_best_s: None,
            tts99_s: None,
            success_probability: None,
            samples: None,
            mvm_to_target: None,
            wall_time_s: 0.0,
            status: STATUS_ERROR.into(),
            version: String::new(),
        }
    }

    /// The row of one AOC-DT run.
    pub fn aocdt_row(&self, repeat: u32, options: &SweepOptions, sweep: &SweepResult) -> ResultRow {
        // RunMetrics measures everything against the objective it is handed as best-known;
        // handing it the instance's target (which may be AOC-DT's own best over the repeats)
        // gives the target columns, and the best-known columns are kept only for a real one.
        let m = RunMetrics::from_sweep(self.sense, sweep, self.target);
        let known = self.best_known.is_some();
        let (time_limit_s, work_mvm, status) = match options.budget {
            Budget::TimeLimit(t) => (Some(t), None, "time_limit"),
            Budget::Work(w) => (None, Some(w), "work_limit"),
        };
        ResultRow {
            engine: Some(sweep.engine.kind.clone()),
            device: sweep.engine.device.clone(),
            threads: sweep.engine.threads,
            time_limit_s,
            work_mvm,
            batch_size: Some(sweep.batch_size),
            best_objective: m.best_objective,
            feasible: m.feasible,
            max_violation: m.max_violation,
            gap_to_best_known: m.gap_to_best_known.filter(|_| known),
            reached_best_known: known && m.reached_best_known,
            time_to_best_known_s: m.time_to_best_known_s.filter(|_| known),
            time_to_target_s: m.time_to_best_known_s,
            time_to_own_best_s: m.time_to_own_best_s,
            tts99_s: Some(m.tts99_s),
            success_probability: Some(m.success_probability),
            samples: Some(m.samples),
            mvm_to_target: m.mvm_to_best_known,
            wall_time_s: sweep.elapsed_s,
            status: status.into(),
            version: aocbench_version(),
            ..self.row(SolverName::Aocdt, repeat, options.seed)
        }
    }

    /// The row of one reference run. Objective and feasibility are the recomputed ones; times
    /// come from the solver's incumbent trajectory.
    pub fn reference_row(&self, repeat: u32, seed: u64, time_limit_s: f64, device: &str, run: &ReferenceRun) -> ResultRow {
        let final_objective = run.objective.filter(|_| run.feasible);
        // First time the trajectory reaches `goal`, when the judged final point does. The final
        // point is the last incumbent, so its time is the fallback should the solver's own
        // values along the way disagree with the recomputed one in the last digits.
        let first_reach = |goal: f64| {
            final_objective.filter(|&f| reaches_target(self.sense, f, goal)).map(|_| {
                time_to_target(&run.incumbents, goal, self.sense, TARGET_TOLERANCE)
                    .or(run.incumbents.last().map(|i| i.time_s))
                    .unwrap_or(run.wall_time_s)
            })
        };
        let time_to_best_known_s = self.best_known.and_then(first_reach);
        ResultRow {
            device: device.to_string(),
            threads: run.threads,
            time_limit_s: Some(time_limit_s),
            best_objective: run.objective,
            feasible: run.feasible,
            max_violation: run.max_violation,
            gap_to_best_known: final_objective.zip(self.best_known).map(|(f, b)| relative_gap(self.sense, f, b)),
            reached_best_known: time_to_best_known_s.is_some(),
            time_to_best_known_s,
            time_to_target_s: self.target.and_then(first_reach),
            time_to_own_best_s: final_objective.and_then(first_reach),
            wall_time_s: run.wall_time_s,
            status: serde_json::to_value(run.status).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            version: run.solver_version.clone().unwrap_or_else(|| run.solver.to_string()),
            ..self.row(run.solver.into(), repeat, seed)
        }
    }

    /// The row of a run that failed before it produced anything (status `error`).
    pub fn failed_row(&self, solver: SolverName, repeat: u32, seed: u64, device: &str) -> ResultRow {
        ResultRow { device: device.to_string(), ..self.row(solver, repeat, seed) }
    }
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
    },
    /// The judged reference run; its final assignment is left out (it can be 10⁴ numbers).
    Reference { instance: String, repeat: u32, run: ReferenceRun },
    Failed { instance: String, solver: SolverName, repeat: u32, message: String },
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
            RawRun::Failed { instance, solver, repeat, .. } => Some((instance, *solver, *repeat)),
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

/// How the reference side was set up for a bench run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceSetup {
    pub solver: ReferenceSolver,
    pub time_limit_s: f64,
    pub threads: usize,
    pub grace_s: f64,
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
    pub engine_kind: String,
    pub adapter: String,
    pub threads: usize,
    pub repeats: u32,
    /// The named set (`smoke`, `qbl`, `qbn`) or `instances` when they were listed.
    pub selection: String,
    pub instances: Vec<String>,
    /// Budget, seed and every sweep hyper-parameter.
    pub sweep: SweepOptions,
    pub reference: Option<ReferenceSetup>,
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

/// The whole of results.json.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResults {
    pub metadata: RunMetadata,
    pub rows: Vec<ResultRow>,
    pub comparison: Vec<InstanceComparison>,
    pub aggregates: Vec<SolverAggregate>,
    pub runs: Vec<RawRun>,
}

impl BenchResults {
    /// Puts rows and raw runs in the order one process runs them: instances in plan order,
    /// AOC-DT's repeats before the reference's. Rows resumed or merged from several processes
    /// then read as a single run's.
    pub fn sort_in_run_order(&mut self) {
        let plan = &self.metadata.plan;
        let position = |instance: &str, solver: SolverName, repeat: u32| (plan.instance_position(instance), solver != SolverName::Aocdt, repeat);
        self.rows.sort_by_cached_key(|r| position(&r.instance, r.solver, r.repeat));
        // Runs without a key (none are written so) stay last, in their order.
        self.runs.sort_by_cached_key(|run| run.key().map(|(instance, solver, repeat)| position(instance, solver, repeat)).map_or((1, None), |k| (0, Some(k))));
    }

    /// Recomputes the comparison and the aggregates from the rows.
    pub fn summarise(&mut self) {
        self.comparison = compare_instances(&self.rows);
        self.aggregates = aggregate(&self.comparison);
    }
}

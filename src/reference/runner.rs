//! Running the driver script under a hard deadline, and judging what it returns.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::binary_model::BinaryModel;
use super::{ReferenceOptions, ReferenceSolver};
use super::lp::{var_name, write_lp};
use crate::interrupt::{self, ScratchGuard};
use crate::metrics::Found;
use crate::model::{self, FEASIBILITY_TOLERANCE, Feasibility, Instance, VarType};

/// The driver (first) and the module it imports for the heuristic peers, compiled in so that the
/// binary always runs the scripts it was built against.
const SCRIPTS: [(&str, &str); 2] = [
    ("reference_solver.py", include_str!("../../scripts/reference_solver.py")),
    ("reference_heuristics.py", include_str!("../../scripts/reference_heuristics.py")),
];

/// Relative tolerance of the `objective_mismatch` check: the same one AOC-DT's runs are
/// judged by.
use crate::metrics::TARGET_TOLERANCE;

/// How often a running child is checked for exit.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// How a solve ended, as the script reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Optimal,
    TimeLimit,
    Infeasible,
    Unbounded,
    InfeasibleOrUnbounded,
    Interrupted,
    MemoryLimit,
    /// The solver could not run for a known reason (e.g. Gurobi's size-limited licence).
    Skipped,
    Error,
    /// Any other solver status; the message names it.
    #[serde(other)]
    Other,
}

/// A solution the solver announced as its new incumbent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Incumbent {
    /// Wall-clock seconds since the solver's optimize call.
    pub time_s: f64,
    /// [`model::objective`] of the solution's point; the solver's own value when it reported
    /// no point (`feasible` is then `None`).
    pub objective: f64,
    /// The solver's own objective value (informational).
    pub solver_objective: f64,
    /// [`model::feasibility`] of the point, when the solver reported one.
    pub feasible: Option<bool>,
}

/// The judged outcome of one reference solve.
///
/// The solver's objective values are never used as results: the driver reports the point of
/// every incumbent and of the final solution, and each is re-evaluated with
/// [`model::objective`] and [`model::feasibility`]. An incumbent without a point (a driver
/// that does not report them) keeps the solver's own value, marked by `feasible: None`.
///
/// Solver values can be far off. SCIP carries a quadratic objective in an auxiliary variable
/// that is only bounded by the quadratic, so its values need not be the points' true ones and
/// it ranks its incumbents by them: on QPLIB_0752 (maximisation) its first incumbent, reported
/// as −100000, is worth 16727, and its final point, reported as 3660.72, is worth 3673. Hence
/// the run's point is the best feasible point the solver produced (final or incumbent), and
/// `objective_mismatch` flags a final value more than [`TARGET_TOLERANCE`] relative away from
/// the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRun {
    pub solver: ReferenceSolver,
    pub solver_version: Option<String>,
    pub status: RunStatus,
    /// Recomputed objective of the run's point (None without a point).
    pub objective: Option<f64>,
    /// What the solver said its final objective was (informational).
    pub solver_objective: Option<f64>,
    /// The solver's final value disagrees with its final point's recomputed objective.
    pub objective_mismatch: bool,
    /// Recomputed feasibility of the run's point (false without a point).
    pub feasible: bool,
    /// Recomputed largest scaled violation of the run's point (None without a point).
    pub max_violation: Option<f64>,
    /// The solver's bound on the optimum, in the instance's sense.
    pub dual_bound: Option<f64>,
    /// The solver's wall time from its optimize call to its end.
    pub wall_time_s: f64,
    /// Seconds before the time limit started: package import and model building (the heuristic
    /// peers report it; None for SCIP and Gurobi, whose import is outside their clock too).
    #[serde(default)]
    pub setup_time_s: Option<f64>,
    /// How the instance was put to the solver (the heuristic peers: the penalty formulation and
    /// its weight rule; None for SCIP and Gurobi, which get the instance itself).
    #[serde(default)]
    pub formulation: Option<String>,
    /// The largest row weight when the run ended, objective units per squared row unit.
    #[serde(default)]
    pub penalty_weight_max: Option<f64>,
    /// Threads the solver actually used.
    pub threads: usize,
    /// The solutions the solver announced as new incumbents, in time order.
    pub incumbents: Vec<Incumbent>,
    /// The run's point, indexed like the instance's variables; integer variables within the
    /// integrality tolerance of an integer are snapped to it.
    pub assignment: Option<Vec<f64>>,
    pub message: String,
}

impl ReferenceRun {
    /// The run's improving points on the exact model, in time order, for its primal gap curve:
    /// every incumbent whose point was judged feasible, then the run's point at the time of the
    /// last incumbent (or at the end, without incumbents) — it can beat them when the solver's
    /// own values misjudged its points. Incumbents reported without a point are not judged, so
    /// they do not count.
    pub fn trajectory(&self) -> Vec<Found> {
        let judged = self.incumbents.iter().filter(|inc| inc.feasible == Some(true));
        let mut points: Vec<Found> = judged.map(|inc| Found { time_s: inc.time_s, mvm: None, objective: inc.objective }).collect();
        if let Some(objective) = self.objective.filter(|_| self.feasible) {
            let time_s = self.incumbents.last().map_or(self.wall_time_s, |inc| inc.time_s);
            points.push(Found { time_s, mvm: None, objective });
        }
        points
    }
}

impl ReferenceRun {
    /// A run that did not start, for `reason`.
    fn skipped(opts: &ReferenceOptions, reason: String) -> Self {
        ReferenceRun {
            solver: opts.solver,
            solver_version: None,
            status: RunStatus::Skipped,
            objective: None,
            solver_objective: None,
            objective_mismatch: false,
            feasible: false,
            max_violation: None,
            dual_bound: None,
            wall_time_s: 0.0,
            setup_time_s: None,
            formulation: None,
            penalty_weight_max: None,
            threads: opts.threads,
            incumbents: Vec::new(),
            assignment: None,
            message: reason,
        }
    }
}

/// The script's JSON, field for field.
#[derive(Deserialize)]
struct ScriptResult {
    solver: ReferenceSolver,
    solver_version: Option<String>,
    status: RunStatus,
    primal: Option<f64>,
    dual_bound: Option<f64>,
    wall_time_s: f64,
    #[serde(default)]
    setup_time_s: Option<f64>,
    #[serde(default)]
    formulation: Option<String>,
    #[serde(default)]
    penalty_weight_max: Option<f64>,
    /// Names of the solver's variables, the order of every incumbent's `values`.
    #[serde(default)]
    variables: Vec<String>,
    incumbents: Vec<ScriptIncumbent>,
    assignment: Option<HashMap<String, f64>>,
    threads: usize,
    message: String,
}

#[derive(Deserialize)]
struct ScriptIncumbent {
    time_s: f64,
    objective: f64,
    values: Option<Vec<f64>>,
}

/// The instance's point from a solver's values, looked up by LP name (`x1 … xn`). Integer
/// variables within the integrality tolerance of an integer are snapped to it: solvers return
/// binaries like 0.9999999996, and the integral point is the one they mean.
fn instance_point(instance: &Instance, value_of: impl Fn(&str) -> Option<f64>) -> anyhow::Result<Vec<f64>> {
    (0..instance.n_vars())
        .map(|j| {
            let name = var_name(j);
            let v = value_of(&name).with_context(|| format!("solver result has no value for variable {name}"))?;
            let snapped = v.round();
            let integral = instance.var_types[j] != VarType::Continuous;
            Ok(if integral && (v - snapped).abs() <= FEASIBILITY_TOLERANCE { snapped } else { v })
        })
        .collect()
}

/// A point of the instance with the judge's verdict on it.
struct Judged {
    point: Vec<f64>,
    objective: f64,
    verdict: Feasibility,
}

impl Judged {
    fn new(instance: &Instance, point: Vec<f64>) -> Self {
        Judged { objective: model::objective(instance, &point), verdict: model::feasibility(instance, &point), point }
    }
}

/// Parses the script's JSON and judges its final point and its incumbents against `instance`.
///
/// Variables are matched by their LP names; extra solver variables (the objective constant's
/// carrier, SCIP's auxiliary objective variable) are ignored, a missing one is an error
/// naming it. The run's point is the best feasible one the solver produced: its final point,
/// unless an incumbent's point is feasible and strictly better by [`model::objective`].
pub fn parse_result(json: &str, instance: &Instance) -> anyhow::Result<ReferenceRun> {
    let raw: ScriptResult = serde_json::from_str(json).context("reference solver result is not valid JSON")?;
    let final_point = raw
        .assignment
        .map(|values| instance_point(instance, |name| values.get(name).copied()).map(|x| Judged::new(instance, x)))
        .transpose()?;

    let position: HashMap<&str, usize> = raw.variables.iter().enumerate().map(|(p, name)| (name.as_str(), p)).collect();
    let mut judged_incumbents = raw
        .incumbents
        .into_iter()
        .map(|inc| {
            let Some(values) = inc.values else {
                let unjudged = Incumbent {
                    time_s: inc.time_s,
                    objective: inc.objective,
                    solver_objective: inc.objective,
                    feasible: None,
                };
                return Ok((unjudged, None));
            };
            if values.len() != raw.variables.len() {
                bail!(
                    "incumbent at {} s has {} values for {} variables",
                    inc.time_s,
                    values.len(),
                    raw.variables.len()
                );
            }
            let judged =
                Judged::new(instance, instance_point(instance, |name| position.get(name).map(|&p| values[p]))?);
            let incumbent = Incumbent {
                time_s: inc.time_s,
                objective: judged.objective,
                solver_objective: inc.objective,
                feasible: Some(judged.verdict.feasible),
            };
            Ok((incumbent, Some(judged)))
        })
        .collect::<anyhow::Result<Vec<(Incumbent, Option<Judged>)>>>()?;
    judged_incumbents.sort_by(|a, b| a.0.time_s.total_cmp(&b.0.time_s));

    let final_objective = final_point.as_ref().map(|j| j.objective);
    let objective_mismatch = match (raw.primal, final_objective) {
        (Some(said), Some(actual)) => (said - actual).abs() > TARGET_TOLERANCE * actual.abs().max(1.0),
        _ => false,
    };

    // The solver ranks points by its own values, which need not be the true ones (see
    // `ReferenceRun`), so an earlier incumbent can beat its final answer.
    let mut incumbents = Vec::with_capacity(judged_incumbents.len());
    let mut chosen = final_point;
    let mut chosen_at = None;
    for (incumbent, judged) in judged_incumbents {
        if let Some(judged) = judged.filter(|j| j.verdict.feasible) {
            let better = chosen
                .as_ref()
                .is_none_or(|c| !c.verdict.feasible || instance.sense.better(judged.objective, c.objective));
            if better {
                chosen = Some(judged);
                chosen_at = Some(incumbent.time_s);
            }
        }
        incumbents.push(incumbent);
    }
    let mut message = raw.message;
    if let Some(time_s) = chosen_at {
        let final_worth = final_objective.map_or("no final point".to_string(), |v| format!("final point worth {v}"));
        message = format!("{message}; best point is the incumbent found at {time_s:.3} s ({final_worth})");
    }

    Ok(ReferenceRun {
        solver: raw.solver,
        solver_version: raw.solver_version,
        status: raw.status,
        objective: chosen.as_ref().map(|j| j.objective),
        solver_objective: raw.primal,
        objective_mismatch,
        feasible: chosen.as_ref().is_some_and(|j| j.verdict.feasible),
        max_violation: chosen.as_ref().map(|j| j.verdict.max_violation),
        dual_bound: raw.dual_bound,
        wall_time_s: raw.wall_time_s,
        setup_time_s: raw.setup_time_s,
        formulation: raw.formulation,
        penalty_weight_max: raw.penalty_weight_max,
        threads: raw.threads,
        incumbents,
        assignment: chosen.map(|j| j.point),
        message,
    })
}

/// Solves `instance` by running the driver script with `python`: writes the LP to a scratch
/// directory, runs the script, kills it if it outlives `time_limit_s + grace_s`, and judges the
/// result ([`parse_result`]).
pub fn solve_with(python: &Path, instance: &Instance, opts: &ReferenceOptions) -> anyhow::Result<ReferenceRun> {
    if !(opts.grace_s.is_finite() && opts.grace_s >= 0.0) {
        bail!("grace ({} s) must be non-negative", opts.grace_s);
    }
    let limit = crate::seconds::duration(opts.time_limit_s + opts.grace_s, "the reference's time limit with grace").map_err(anyhow::Error::msg)?;
    if opts.threads == 0 {
        bail!("threads must be at least 1");
    }
    let scratch = ScratchDir::new("aocbench-reference").context("creating a scratch directory")?;
    let input = if opts.solver.is_binary_heuristic() {
        let model = match BinaryModel::new(instance) {
            Ok(model) => model,
            Err(reason) => return Ok(ReferenceRun::skipped(opts, format!("{} takes binary models only: {reason}", opts.solver))),
        };
        let path = scratch.path().join("instance.json");
        let text = serde_json::to_string(&model).context("encoding the binary model")?;
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        path
    } else {
        let lp = scratch.path().join("instance.lp");
        let mut writer = BufWriter::new(File::create(&lp).with_context(|| format!("creating {}", lp.display()))?);
        write_lp(instance, &mut writer)
            .and_then(|()| writer.flush())
            .with_context(|| format!("writing {}", lp.display()))?;
        lp
    };
    let script = match &opts.script {
        Some(script) => script.clone(),
        None => {
            for (name, text) in SCRIPTS {
                let path = scratch.path().join(name);
                fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            }
            scratch.path().join(SCRIPTS[0].0)
        }
    };
    let out = scratch.path().join("result.json");

    let mut cmd = Command::new(python);
    cmd.arg(&script)
        .args(["--solver", opts.solver.as_str()])
        .arg(if opts.solver.is_binary_heuristic() { "--model" } else { "--lp" })
        .arg(&input)
        .args(["--penalty", opts.penalty.as_str()])
        .args(["--time-limit", &opts.time_limit_s.to_string()])
        .args(["--threads", &opts.threads.to_string()])
        .args(["--seed", &opts.seed.to_string()])
        .arg("--out")
        .arg(&out);
    run_checked(&mut cmd, limit, scratch.path())
        .map_err(|e| anyhow::anyhow!("reference solver {}: {e}", opts.solver))?;
    let json =
        fs::read_to_string(&out).with_context(|| format!("reference solver wrote no result to {}", out.display()))?;
    parse_result(&json, instance)
}

/// A directory under the system temp dir, removed with everything in it when dropped. While it
/// exists, a Ctrl-C waits for its removal ([`crate::interrupt`]).
pub(crate) struct ScratchDir {
    path: PathBuf,
    // Dropped after `drop` has removed the folder.
    _live: ScratchGuard,
}

impl ScratchDir {
    pub(crate) fn new(prefix: &str) -> io::Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let live = ScratchGuard::new();
        loop {
            let name = format!("{prefix}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
            let path = std::env::temp_dir().join(name);
            match fs::create_dir(&path) {
                Ok(()) => return Ok(ScratchDir { path, _live: live }),
                // Left behind by an earlier process with the same id: take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort: a leftover temp directory is no reason to fail a run.
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Output of a child that exited by itself.
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// The last lines of a child's output, for error messages.
fn tail(text: &str) -> String {
    const LINES: usize = 15;
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(LINES)..].join("\n")
}

/// Runs `cmd` to completion, killing it once `limit` has passed or on Ctrl-C, and fails unless
/// it exits with status 0. Errors are sentences naming the program and ending with its stderr's tail.
///
/// Output goes to files in `scratch` rather than pipes: a pipe that nobody drains can stall the
/// child, and one kept open by a grandchild would stall the reader after a kill.
pub(crate) fn run_checked(cmd: &mut Command, limit: Duration, scratch: &Path) -> Result<Finished, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let io_error = |e: io::Error| format!("{program}: {e}");
    let (stdout_path, stderr_path) = (scratch.join("stdout.txt"), scratch.join("stderr.txt"));
    cmd.stdin(Stdio::null())
        .stdout(File::create(&stdout_path).map_err(io_error)?)
        .stderr(File::create(&stderr_path).map_err(io_error)?);
    let mut child = cmd.spawn().map_err(|e| format!("could not start {program}: {e}"))?;
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(io_error)? {
            break status;
        }
        if interrupt::requested() {
            child.kill().map_err(io_error)?;
            child.wait().map_err(io_error)?;
            return Err(format!("{program}: stopped by Ctrl-C"));
        }
        if Instant::now() >= deadline {
            // Kill first, then reap, so no zombie is left behind.
            child.kill().map_err(io_error)?;
            child.wait().map_err(io_error)?;
            let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
            return Err(format!("{program} timed out: killed after {:.1} s\n{}", limit.as_secs_f64(), tail(&stderr)));
        }
        std::thread::sleep(POLL_INTERVAL.min(deadline.saturating_duration_since(Instant::now())));
    };
    let read = |path: &Path| fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).map_err(io_error);
    let finished = Finished { status, stdout: read(&stdout_path)?, stderr: read(&stderr_path)? };
    if finished.status.success() {
        Ok(finished)
    } else {
        Err(format!("{program} failed ({})\n{}", finished.status, tail(&finished.stderr)))
    }
}

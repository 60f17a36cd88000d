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

use super::{ReferenceOptions, ReferenceSolver, ensure_environment};
use crate::export::lp::{var_name, write_lp};
use crate::model::{self, FEASIBILITY_TOLERANCE, Instance, Sense, VarType};

/// The driver, compiled in so that the binary always runs the script it was built against.
const SCRIPT: &str = include_str!("../../scripts/reference_solver.py");

/// Relative tolerance of [`time_to_target`] and of the `objective_mismatch` check:
/// `1e-6 · max(1, |value|)`.
pub const TARGET_TOLERANCE: f64 = 1e-6;

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

/// One improving solution found during the solve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Incumbent {
    /// Wall-clock seconds since the solver's optimize call.
    pub time_s: f64,
    /// The solver's own objective value of that solution.
    pub objective: f64,
}

/// The judged outcome of one reference solve.
///
/// The incumbent trajectory holds the solver's own objective values (only its final point is
/// returned, so earlier ones cannot be re-evaluated); the final point is recomputed with
/// [`model::objective`] and [`model::feasibility`], and `objective_mismatch` flags a solver
/// whose own final value differs from the recomputed one by more than [`TARGET_TOLERANCE`]
/// relative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRun {
    pub solver: ReferenceSolver,
    pub solver_version: Option<String>,
    pub status: RunStatus,
    /// Recomputed objective of the final point (None without a point).
    pub objective: Option<f64>,
    /// What the solver said the final objective was (informational).
    pub solver_objective: Option<f64>,
    pub objective_mismatch: bool,
    /// Recomputed feasibility of the final point (false without a point).
    pub feasible: bool,
    /// Recomputed largest scaled violation (None without a point).
    pub max_violation: Option<f64>,
    /// The solver's bound on the optimum, in the instance's sense.
    pub dual_bound: Option<f64>,
    /// The solver's wall time from its optimize call to its end.
    pub wall_time_s: f64,
    /// Threads the solver actually used.
    pub threads: usize,
    /// Improving solutions, in time order.
    pub incumbents: Vec<Incumbent>,
    /// The final point, indexed like the instance's variables; integer variables within the
    /// integrality tolerance of an integer are snapped to it.
    pub assignment: Option<Vec<f64>>,
    pub message: String,
}

/// The first time at which an incumbent reaches `target` in `sense`, allowing
/// `tolerance · max(1, |target|)` (use [`TARGET_TOLERANCE`]).
pub fn time_to_target(incumbents: &[Incumbent], target: f64, sense: Sense, tolerance: f64) -> Option<f64> {
    let slack = tolerance * target.abs().max(1.0);
    incumbents
        .iter()
        .filter(|inc| sense.sign() * (inc.objective - target) <= slack)
        .map(|inc| inc.time_s)
        .min_by(f64::total_cmp)
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
    incumbents: Vec<Incumbent>,
    assignment: Option<HashMap<String, f64>>,
    threads: usize,
    message: String,
}

/// Parses the script's JSON and judges its final point against `instance`.
///
/// Variables are matched by their LP names (`x1 … xn`); extra solver variables (the objective
/// constant's carrier, SCIP's auxiliary objective variable) are ignored, a missing one is an
/// error naming it.
pub fn parse_result(json: &str, instance: &Instance) -> anyhow::Result<ReferenceRun> {
    let raw: ScriptResult = serde_json::from_str(json).context("reference solver result is not valid JSON")?;
    let assignment = raw
        .assignment
        .map(|values| {
            (0..instance.n_vars())
                .map(|j| {
                    let name = var_name(j);
                    let v = *values.get(&name).with_context(|| format!("solver result has no value for variable {name}"))?;
                    // Solvers return binaries like 0.9999999996; judge the integral point they mean.
                    let snapped = v.round();
                    let integral = instance.var_types[j] != VarType::Continuous;
                    Ok(if integral && (v - snapped).abs() <= FEASIBILITY_TOLERANCE { snapped } else { v })
                })
                .collect::<anyhow::Result<Vec<f64>>>()
        })
        .transpose()?;

    let objective = assignment.as_ref().map(|x| model::objective(instance, x));
    let verdict = assignment.as_ref().map(|x| model::feasibility(instance, x));
    let objective_mismatch = match (raw.primal, objective) {
        (Some(said), Some(actual)) => (said - actual).abs() > TARGET_TOLERANCE * actual.abs().max(1.0),
        _ => false,
    };
    let mut incumbents = raw.incumbents;
    incumbents.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    Ok(ReferenceRun {
        solver: raw.solver,
        solver_version: raw.solver_version,
        status: raw.status,
        objective,
        solver_objective: raw.primal,
        objective_mismatch,
        feasible: verdict.is_some_and(|v| v.feasible),
        max_violation: verdict.map(|v| v.max_violation),
        dual_bound: raw.dual_bound,
        wall_time_s: raw.wall_time_s,
        threads: raw.threads,
        incumbents,
        assignment,
        message: raw.message,
    })
}

/// Sets up the environment ([`ensure_environment`]) and solves `instance` with the reference
/// solver (see [`solve_with`]).
pub fn solve(instance: &Instance, opts: &ReferenceOptions) -> anyhow::Result<ReferenceRun> {
    let python = ensure_environment(opts)?;
    solve_with(&python, instance, opts)
}

/// Solves `instance` by running the driver script with `python`: writes the LP to a scratch
/// directory, runs the script, kills it if it outlives `time_limit_s + grace_s`, and judges the
/// result ([`parse_result`]).
pub fn solve_with(python: &Path, instance: &Instance, opts: &ReferenceOptions) -> anyhow::Result<ReferenceRun> {
    let limits_ok = opts.time_limit_s.is_finite() && opts.time_limit_s > 0.0 && opts.grace_s.is_finite() && opts.grace_s >= 0.0;
    if !limits_ok {
        bail!("time limit ({} s) must be positive and grace ({} s) non-negative", opts.time_limit_s, opts.grace_s);
    }
    if opts.threads == 0 {
        bail!("threads must be at least 1");
    }
    let scratch = ScratchDir::new("aocbench-reference").context("creating a scratch directory")?;
    let lp = scratch.path().join("instance.lp");
    let mut writer = BufWriter::new(File::create(&lp).with_context(|| format!("creating {}", lp.display()))?);
    write_lp(instance, &mut writer)
        .and_then(|()| writer.flush())
        .with_context(|| format!("writing {}", lp.display()))?;
    let script = match &opts.script {
        Some(script) => script.clone(),
        None => {
            let path = scratch.path().join("reference_solver.py");
            fs::write(&path, SCRIPT).with_context(|| format!("writing {}", path.display()))?;
            path
        }
    };
    let out = scratch.path().join("result.json");

    let mut cmd = Command::new(python);
    cmd.arg(&script)
        .args(["--solver", opts.solver.as_str()])
        .arg("--lp")
        .arg(&lp)
        .args(["--time-limit", &opts.time_limit_s.to_string()])
        .args(["--threads", &opts.threads.to_string()])
        .args(["--seed", &opts.seed.to_string()])
        .arg("--out")
        .arg(&out);
    let limit = Duration::from_secs_f64(opts.time_limit_s + opts.grace_s);
    run_checked(&mut cmd, limit, scratch.path()).map_err(|e| anyhow::anyhow!("reference solver {}: {e}", opts.solver))?;
    let json = fs::read_to_string(&out).with_context(|| format!("reference solver wrote no result to {}", out.display()))?;
    parse_result(&json, instance)
}

/// A directory under the system temp dir, removed with everything in it when dropped.
pub(crate) struct ScratchDir(PathBuf);

impl ScratchDir {
    pub(crate) fn new(prefix: &str) -> io::Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        loop {
            let name = format!("{prefix}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
            let path = std::env::temp_dir().join(name);
            match fs::create_dir(&path) {
                Ok(()) => return Ok(ScratchDir(path)),
                // Left behind by an earlier process with the same id: take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort: a leftover temp directory is no reason to fail a run.
        let _ = fs::remove_dir_all(&self.0);
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

/// Runs `cmd` to completion, killing it once `limit` has passed, and fails unless it exits
/// with status 0. Errors are sentences naming the program and ending with its stderr's tail.
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

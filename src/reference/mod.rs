//! Reference solvers (SCIP by default, Gurobi optionally) for comparison with AOC-DT.
//!
//! The instance is exported as an LP file ([`crate::export::lp`]) and solved by
//! `scripts/reference_solver.py` (compiled into the binary) in a private Python venv that
//! [`ensure_environment`] creates on first use with the pinned package of the chosen solver
//! (`scripts/requirements-reference.txt`). The child process runs under a hard wall-clock
//! bound. Nothing the solver says about its points is trusted: the final point and every
//! incumbent's point are mapped back by variable name and judged by
//! [`crate::model::objective`] and [`crate::model::feasibility`] (see [`ReferenceRun`]).

mod runner;
mod venv;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use runner::{
    Incumbent, ReferenceRun, RunStatus, parse_result, solve_with,
};
pub use venv::{ReferenceUnavailable, ensure_environment};

/// Environment variable that overrides the venv location.
pub const VENV_ENV: &str = "AOCBENCH_VENV";

/// Seconds the solver process may run beyond its time limit (interpreter start, reading the LP,
/// writing the result, and SCIP's occasional late check of its limit) before it is killed.
pub const DEFAULT_GRACE_S: f64 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReferenceSolver {
    Scip,
    Gurobi,
}

impl ReferenceSolver {
    /// The name the script and the command line use.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceSolver::Scip => "scip",
            ReferenceSolver::Gurobi => "gurobi",
        }
    }

    /// The pip distribution that provides the solver; its import name is the same.
    pub fn python_package(self) -> &'static str {
        match self {
            ReferenceSolver::Scip => "pyscipopt",
            ReferenceSolver::Gurobi => "gurobipy",
        }
    }
}

impl std::fmt::Display for ReferenceSolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to run a reference solve.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceOptions {
    pub solver: ReferenceSolver,
    /// The solver's own time limit, seconds.
    pub time_limit_s: f64,
    /// Threads for Gurobi. SCIP always solves sequentially (see the script for why).
    pub threads: usize,
    pub seed: u64,
    /// Where the venv lives (created on first use).
    pub venv_dir: PathBuf,
    /// A driver script to run instead of the copy compiled into the binary.
    pub script: Option<PathBuf>,
    /// Extra wall-clock seconds before the solver process is killed.
    pub grace_s: f64,
}

impl ReferenceOptions {
    /// Defaults: 60 s, 1 thread, seed 0, venv from [`default_venv_dir`], embedded script.
    pub fn new(solver: ReferenceSolver) -> Self {
        ReferenceOptions {
            solver,
            time_limit_s: 60.0,
            threads: 1,
            seed: 0,
            venv_dir: default_venv_dir(),
            script: None,
            grace_s: DEFAULT_GRACE_S,
        }
    }
}

/// `$AOCBENCH_VENV` if set and non-empty, else `.venv` in the current directory.
pub fn default_venv_dir() -> PathBuf {
    match std::env::var_os(VENV_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => std::env::current_dir().unwrap_or_default().join(".venv"),
    }
}

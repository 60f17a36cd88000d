//! The solvers AOC-DT is compared with: the exact solvers SCIP (the default) and Gurobi, and the
//! heuristic peers simulated annealing and tabu search (D-Wave's `dwave-samplers`) and ballistic
//! and discrete simulated bifurcation (the `simulated-bifurcation` package on PyTorch).
//!
//! SCIP and Gurobi get the instance as an LP file ([`lp`]); the binary-only peers
//! get it as a binary model with AOC-DT's starting row weights ([`binary_model`]), whose rows the
//! driver turns into penalties with dimod. Both are solved by `scripts/reference_solver.py`
//! (compiled into the binary with `scripts/reference_heuristics.py`) in a private Python venv
//! that [`ensure_environment`] creates on first use with the pinned packages of the chosen
//! solver (`scripts/requirements-reference.txt`). The child process runs under a hard wall-clock
//! bound. Nothing the solver says about its points is trusted: the final point and every
//! incumbent's point are mapped back by variable name and judged by
//! [`crate::model::objective`] and [`crate::model::feasibility`] (see [`ReferenceRun`]).

pub mod binary_model;
pub mod lp;
pub mod recorded;
mod runner;
mod venv;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use runner::{
    Incumbent, ReferenceRun, RunStatus, parse_result, solve_with,
};
pub use venv::{ReadyEnvironment, ReferenceUnavailable, UnpinnedPackage, ensure_environment};

/// Environment variable that overrides the venv location.
pub const VENV_ENV: &str = "AOCBENCH_VENV";

/// Seconds the solver process may run beyond its time limit (interpreter start, reading the LP,
/// writing the result, and SCIP's occasional late check of its limit) before it is killed.
pub const DEFAULT_GRACE_S: f64 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReferenceSolver {
    /// SCIP through PySCIPOpt: exact branch-and-bound, one thread.
    Scip,
    /// Gurobi through gurobipy (its wheel's licence is size-limited).
    Gurobi,
    /// Simulated annealing: `dwave-samplers`' SimulatedAnnealingSampler, 1000 sweeps per read.
    Sa,
    /// Tabu search: `dwave-samplers`' TabuSampler.
    Tabu,
    /// Ballistic simulated bifurcation (bSB, Goto et al. 2021) on PyTorch.
    Bsb,
    /// Discrete simulated bifurcation (dSB) on PyTorch.
    Dsb,
}

impl ReferenceSolver {
    /// The name the script and the command line use.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceSolver::Scip => "scip",
            ReferenceSolver::Gurobi => "gurobi",
            ReferenceSolver::Sa => "sa",
            ReferenceSolver::Tabu => "tabu",
            ReferenceSolver::Bsb => "bsb",
            ReferenceSolver::Dsb => "dsb",
        }
    }

    /// The name reports and tables show.
    pub fn label(self) -> &'static str {
        match self {
            ReferenceSolver::Scip => "SCIP",
            ReferenceSolver::Gurobi => "Gurobi",
            ReferenceSolver::Sa => "SA",
            ReferenceSolver::Tabu => "Tabu",
            ReferenceSolver::Bsb => "bSB",
            ReferenceSolver::Dsb => "dSB",
        }
    }

    /// The pip distributions the solver needs, each pinned in `scripts/requirements-reference.txt`;
    /// the first is the solver's own.
    pub fn python_packages(self) -> &'static [&'static str] {
        match self {
            ReferenceSolver::Scip => &["pyscipopt"],
            ReferenceSolver::Gurobi => &["gurobipy"],
            ReferenceSolver::Sa | ReferenceSolver::Tabu => &["dwave-samplers", "dimod"],
            ReferenceSolver::Bsb | ReferenceSolver::Dsb => &["simulated-bifurcation", "torch", "dimod"],
        }
    }

    /// The module whose import proves the solver usable.
    pub fn import_module(self) -> &'static str {
        match self {
            ReferenceSolver::Scip => "pyscipopt",
            ReferenceSolver::Gurobi => "gurobipy",
            ReferenceSolver::Sa | ReferenceSolver::Tabu => "dwave.samplers",
            ReferenceSolver::Bsb | ReferenceSolver::Dsb => "simulated_bifurcation",
        }
    }

    /// A heuristic that sees only binaries: it gets the binary model with penalty rows, not the
    /// LP file, and proves nothing (no dual bound).
    pub fn is_binary_heuristic(self) -> bool {
        !matches!(self, ReferenceSolver::Scip | ReferenceSolver::Gurobi)
    }

    /// Whether the solver uses more than one thread when given them (Gurobi, and simulated
    /// bifurcation through PyTorch); the others solve on one.
    pub fn uses_threads(self) -> bool {
        matches!(self, ReferenceSolver::Gurobi | ReferenceSolver::Bsb | ReferenceSolver::Dsb)
    }

    /// The package of [`Self::python_packages`] whose build belongs to the machine rather than
    /// to the pin: PyTorch, built for one CUDA version, which a GPU machine brings its own of.
    /// [`ensure_environment`] takes it at any version the venv can import (the results name
    /// the one used, and bench warns) and installs the pin only where it is absent.
    pub fn machine_package(self) -> Option<&'static str> {
        match self {
            ReferenceSolver::Bsb | ReferenceSolver::Dsb => Some("torch"),
            _ => None,
        }
    }

    /// What a first use would download, when it is too large to install unasked: PyTorch for
    /// simulated bifurcation. Such a solver is installed only by `aocbench setup --reference`.
    pub fn large_download(self) -> Option<&'static str> {
        match self {
            // Measured 2026-12-07 (torch 2.15.0 from PyPI with its CUDA libraries, Linux x86_64).
            ReferenceSolver::Bsb | ReferenceSolver::Dsb => Some("PyTorch with its CUDA libraries: about 3 GB to download, 5.4 GB in the venv"),
            _ => None,
        }
    }
}

/// How the binary-only peers weigh the rows they get as penalties (see
/// `scripts/reference_heuristics.py`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PenaltyRule {
    /// Each row starts at AOC-DT's starting weight; between rounds the rows the lowest-energy
    /// read violates are doubled (at most 1024× their start), as AOC-DT's sweep does.
    #[default]
    Adaptive,
    /// `dimod.cqm_to_bqm`'s default: one multiplier, 10× the objective's largest bias, fixed.
    DimodDefault,
}

impl PenaltyRule {
    pub fn as_str(self) -> &'static str {
        match self {
            PenaltyRule::Adaptive => "adaptive",
            PenaltyRule::DimodDefault => "dimod-default",
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
    /// Threads for Gurobi and simulated bifurcation. SCIP, simulated annealing and tabu search
    /// solve on one thread (see the script for why).
    pub threads: usize,
    pub seed: u64,
    /// Where the venv lives (created on first use).
    pub venv_dir: PathBuf,
    /// A driver script to run instead of the copy compiled into the binary.
    pub script: Option<PathBuf>,
    /// Extra wall-clock seconds before the solver process is killed.
    pub grace_s: f64,
    /// Row weights of the binary-only peers.
    pub penalty: PenaltyRule,
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
            penalty: PenaltyRule::default(),
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

//! Block coordinate descent (BCD): how an instance larger than the modelled machine is solved
//! on it, as the paper did (Kalinin et al., Nature 2025, Methods): the QUMO (binaries and
//! slacks) is improved one block of at most capacity − 1 variables at a time, the rest held at
//! their current values; their coupling to the block enters as a linear vector
//! b = J_{B,rest}·z_rest + h_B, folded into the machine's matrix W through one extra binary held
//! at 1, and b is updated after every step.
//!
//! The data path, one file per step:
//!
//!     select.rs   which variables form the next block (random sweeps, or greedy by impact)
//!     block.rs    the block's sub-problem: J_BB and b folded into W, the f64 sub-energy
//!     run.rs      the outer loop: sub-solves as batches of replicas on the engine, the best
//!                 replica accepted when it lowers the energy, every state judged by the model
//!
//! A *chain* starts from a random state and takes BCD steps until a whole sweep (as many steps
//! as cover the variables once) accepts nothing, or `sweeps` sweeps ran; then the next chain
//! starts, until the budget is spent. Each step is one sub-solve: a batch of `replicas`
//! replicas (the parallel restarts) of the sub-problem, each with its own Sobol configuration
//! and initial state. A finished chain is one sample of time-to-solution.

mod block;
mod run;
mod select;

pub use block::{pin_field, SubProblem};
pub use run::run_bcd;
pub use select::{BlockSelector, Blocks};

use crate::hardware::HardwareModel;
use crate::sweep::Budget;
use crate::output::table::count;

/// `--decomposition`: what happens to a QUMO larger than the modelled machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decomposition {
    /// Block coordinate descent over blocks the machine holds (the paper's way).
    #[default]
    Bcd,
    /// No decomposition: the whole QUMO runs as if the machine had that many channels (mean
    /// offsets, unit gains), with a warning; for comparison with the ideal twin's sweep.
    None,
}

/// The block coordinate descent's settings (`--bcd-*`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BcdOptions {
    /// Whether an instance larger than the machine is decomposed.
    pub decomposition: Decomposition,
    /// How the blocks are chosen.
    pub blocks: Blocks,
    /// Variables per block; `None`: the machine's capacity − 1 (one channel carries b).
    pub block_size: Option<usize>,
    /// Most sweeps a chain runs before the next one starts (it stops earlier after a sweep
    /// that accepted nothing).
    pub sweeps: u32,
    /// Replicas per sub-solve: the parallel restarts of one block.
    pub replicas: usize,
    /// Iterations of each sub-solve.
    pub iterations: u32,
}

impl Default for BcdOptions {
    fn default() -> Self {
        BcdOptions { decomposition: Decomposition::Bcd, blocks: Blocks::Random, block_size: None, sweeps: 100, replicas: 16, iterations: 100 }
    }
}

impl BcdOptions {
    /// What options saved before BCD existed ran with: no decomposition.
    pub fn saved_before() -> Self {
        BcdOptions { decomposition: Decomposition::None, ..BcdOptions::default() }
    }

    /// Errors: a zero block size, sweep count, replica count or iteration count, named by its
    /// option.
    pub fn validate(&self) -> Result<(), String> {
        let counts = [("--bcd-block-size", self.block_size.unwrap_or(1)), ("--bcd-sweeps", self.sweeps as usize), ("--bcd-replicas", self.replicas), ("--bcd-iterations", self.iterations as usize)];
        match counts.iter().find(|(_, count)| *count == 0) {
            Some((option, _)) => Err(format!("{option} must be at least 1")),
            None => Ok(()),
        }
    }

    /// The settings a run under `budget` uses: under a work budget W, one sub-solve spends at
    /// most W (replicas cut to W, then iterations to W / replicas, at least 1), so that the
    /// descent, which stops between sub-solves, spends at most W and one sub-solve.
    pub fn within(&self, budget: Budget) -> BcdOptions {
        let Budget::Work(work) = budget else { return *self };
        let replicas = self.replicas.min(usize::try_from(work).unwrap_or(usize::MAX));
        let iterations = self.iterations.min(u32::try_from(work / replicas as u64).unwrap_or(u32::MAX).max(1));
        BcdOptions { replicas, iterations, ..*self }
    }

    /// The block size on `hardware`: `block_size`, or capacity − 1. Errors: a block that with
    /// the extra binary does not fit the machine.
    pub fn block_size_on(&self, hardware: &HardwareModel) -> anyhow::Result<usize> {
        let capacity = hardware.capacity();
        let (machine, calibration) = (hardware.machine.name(), &hardware.calibration);
        anyhow::ensure!(
            capacity >= 2,
            "{machine} with calibration {} ({}) holds {capacity} variables with signed weights: no room for a block beside the extra binary",
            calibration.source,
            count(calibration.channels, "channel")
        );
        let size = self.block_size.unwrap_or(capacity - 1);
        // Worded without size + 1, which overflows for the largest sizes.
        anyhow::ensure!(
            size < capacity,
            "--bcd-block-size {size} leaves no room for the extra binary that carries b: {machine} with calibration {} holds {capacity} variables with signed weights, so a block holds at most {}",
            calibration.source,
            capacity - 1
        );
        Ok(size)
    }

    /// Whether a QUMO of `variables` is solved by BCD on `hardware` (`None`: the ideal twin,
    /// which has no capacity).
    pub fn decomposes(&self, variables: usize, hardware: Option<&HardwareModel>) -> bool {
        self.decomposition == Decomposition::Bcd && hardware.is_some_and(|h| variables > h.capacity())
    }
}

/// What a decomposed solve ran, for reports (`sweep.decomposition` in JSON).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BcdReport {
    pub blocks: Blocks,
    pub block_size: usize,
    pub replicas: usize,
    pub iterations: u32,
    pub max_sweeps: u32,
    /// Sub-solves run: the machine's sequential steps.
    pub steps: u64,
    /// Steps whose best replica lowered the energy.
    pub accepted_steps: u64,
    /// Chains that finished (converged or ran `max_sweeps`), and those that converged.
    pub chains_finished: u64,
    pub chains_converged: u64,
}

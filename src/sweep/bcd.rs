//! The block coordinate descent's settings (`--decomposition`, `--bcd-*`) and report, which a
//! sweep's options and result carry; the descent itself is `crate::decompose`.

use crate::hardware::HardwareModel;
use crate::table::count;

/// `--bcd-blocks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Blocks {
    /// A random permutation per sweep, cut into blocks.
    #[default]
    Random,
    /// The variables whose best single move lowers the energy most.
    Greedy,
}

impl Blocks {
    /// The choice as `--bcd-blocks` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Blocks::Random => "random",
            Blocks::Greedy => "greedy",
        }
    }
}

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

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
pub use select::BlockSelector;

// The settings and the report live beside the sweep options and result that carry them.
pub use crate::sweep::{BcdOptions, BcdReport, Blocks, Decomposition};

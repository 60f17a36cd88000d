//! One benchmark over many processes: the run's work units (instance × repeat) dealt to
//! shards by a-priori cost (`plan`), and which shard a process runs (`shard`: `--shard K/N` or
//! a Slurm array task). Reading shard folders back, `bench --resume` and `merge` are the
//! runner's ([`crate::benchmark`]).
//!
//! Every process of a run derives the same plan from the same instances and options and
//! records it in its results.json, so shards of one run recognise each other, a merge knows
//! which units are missing and which shard owns them, and nothing is counted twice.

mod plan;
mod shard;

pub use plan::{product_size, CostModel, InstanceCost, PlannedUnit, RunPlan, WorkUnit};
pub use shard::{Shard, ShardSpec, SlurmTask};

//! One benchmark over many processes: the run's work units (instance × repeat) dealt to
//! shards by a-priori cost (`plan`), which shard a process runs (`shard`: `--shard K/N` or a
//! Slurm array task), results folders read back for `bench --resume` and `merge`
//! (`recorded`), each row checked against its raw run (`verify`), and the shards put back
//! together (`merge`).
//!
//! Every process of a run derives the same plan from the same instances and options and
//! records it in its results.json, so shards of one run recognise each other, a merge knows
//! which units are missing and which shard owns them, and nothing is counted twice.

mod merge;
mod plan;
mod recorded;
mod shard;
mod verify;

pub use merge::{merge_runs, Duplicate, Merged, MergedShard};
pub use plan::{product_size, CostModel, InstanceCost, PlannedUnit, RunPlan, WorkUnit};
pub use recorded::{expected_solvers, run_differences, RawResults, RecordedRun};
pub use shard::{Shard, ShardSpec, SlurmTask};
pub use verify::{check_against_raw_runs, ResultFiles};

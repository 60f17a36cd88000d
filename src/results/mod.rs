//! The one results schema and what it adds up to: one row per (instance, solver, repeat) with
//! its raw run, curve and the run's metadata (`schema`), the whole of results.json (`file`),
//! the comparison, aggregates and tables computed from the rows (`summary`) and the table of
//! recorded QOBLIB submissions (`recorded`). The runner (`benchmark`), the writers (`export`),
//! `compare` and `cli` all stand on it.

mod file;
mod recorded;
mod schema;
mod summary;

pub use file::BenchResults;
pub use recorded::recorded_table;
pub use schema::{aocbench_version, best_point, InstanceFacts, MergedShard, RawRun, ReferenceSetup, ResultRow, RunCurve, RunMetadata, SolverName, TargetSource};
pub use summary::{solvers_of, aggregate_table, censored_ratios, comparison_table, gap_table, notices, time_ratio_column, pair_table, GapAggregate, InstanceComparison, PairComparison, SolverAggregate, SolverResult, Speedup, Table, TimeToTarget};

//! Benchmarks: one AOC-DT solve (`aocdt`, shared by `solve` and `bench`), the `bench` loop over
//! instances against a reference solver (`bench`), the one results schema (`results`), what the
//! rows add up to (`summary`) and the named instance sets (`sets`).

mod aocdt;
mod bench;
mod recorded;
mod results;
mod results_file;
mod sets;
mod summary;

pub use aocdt::{solve_instance, SolveOutcome};
pub use bench::{prepare_output, run_bench, write_reports, BenchConfig, BenchObserver, OutputFiles, OutputMode};
pub use results::{RawRun, ReferenceSetup, ResultRow, RunCurve, RunMetadata, SolverName, TargetSource};
pub use results_file::BenchResults;
pub use recorded::recorded_table;
pub use sets::{BenchSet, SMOKE};
pub use summary::{solvers_of, aggregate_table, comparison_table, gap_table, notices, time_ratio_column, pair_table, GapAggregate, InstanceComparison, PairComparison, SolverAggregate, SolverResult, Speedup, Table, TimeToTarget};

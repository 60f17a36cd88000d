//! Benchmarks: one AOC-DT solve (`aocdt`, shared by `solve` and `bench`), the `bench` loop over
//! instances against a reference solver (`bench`), the named instance sets (`sets`), results
//! folders read back for `bench --resume` and `merge` (`recorded_run`), each row checked
//! against its raw run (`verify`), and the shard folders of one run put back together
//! (`merge`). The rows they write follow the results schema of [`crate::results`].

mod aocdt;
mod bench;
mod merge;
mod recorded_run;
mod sets;
mod verify;

pub use aocdt::{solve_instance, SolveOutcome};
pub use bench::{run_bench, BenchConfig, BenchObserver};
pub use merge::{merge_runs, Duplicate, Merged};
pub use recorded_run::{expected_solvers, run_differences, RawResults, RecordedRun};
pub use sets::{BenchSet, SMOKE};
pub use verify::{check_against_raw_runs, ResultFiles};

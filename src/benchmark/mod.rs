//! Benchmarks: the AOC-DT side of a run (`solve_instance`), shared by `solve` and `bench`.

mod aocdt;

pub use aocdt::{solve_instance, SolveOutcome};

//! Writers that turn instances and results into files for other tools and for people, one
//! module per format.
//!
//! `lp`: the exact instance in CPLEX LP format, the input of the reference solvers.
//! `csv`: results.csv row by row (and read back), the comparison table.
//! `json`: results.json. `markdown`: the comparison report. `svg`: the performance profile.
//! `qoblib`: AOC-DT's runs on a QOBLIB instance as a QOBLIB submission folder.
//! `console`: the comparison narrowed for a terminal.

pub mod console;
pub mod csv;
pub mod json;
pub mod lp;
pub mod markdown;
pub mod qoblib;
pub mod svg;

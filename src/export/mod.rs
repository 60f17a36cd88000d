//! Writers that turn results into files for other tools and for people, one module per format
//! (the instance's LP file, the reference solvers' input, is `reference::lp`).
//!
//! `csv`: results.csv row by row (and read back), the comparison table.
//! `json`: results.json. `markdown`: the comparison report. `svg`: the performance profile.
//! `qoblib`: AOC-DT's runs on a QOBLIB instance as a QOBLIB submission folder.
//! `console`: the comparison narrowed for a terminal.

pub mod console;
pub mod csv;
pub mod json;
pub mod markdown;
pub mod qoblib;
pub mod svg;

//! aocbench: benchmarks the AOC-DT optimizer on QPLIB instances.
//!
//! The data path, one module per step:
//! instance file (`instances`: `qplib` or QOBLIB's `qoblib`) → exact model (`model`) → QUMO form (`qumo`) → J and h as the
//! dynamics hold them (`dynamics`) → engine (`engine`: cpu | gpu) → sweep (`sweep`: phases, Sobol
//! parameters, penalties; `decompose`: block coordinate descent) → metrics (`metrics`: TTS) →
//! results (`results`: the one results schema and the comparison computed from it) → export
//! (`export`: csv/json/markdown/svg/QOBLIB submissions) → bench (`benchmark`: runs, resume,
//! merge) → compare (`compare`: regression gate). The hardware-faithful twin (`hardware`:
//! calibration, non-idealities) changes what an engine loads and applies every iteration;
//! `output` holds the warnings a user must not miss and the files a run writes; `cli` is the
//! command line. Beside the path: `spectrum` (λ normalisation), `readout`, `polish`,
//! `reference` (the peer solvers and their LP input), `cluster` (work units dealt to shards;
//! the schema records the plan) and `perf`.
//!
//! A module stands above what it uses: no import cycle among these modules nor among the files
//! of a folder (tests/architecture.rs checks both). Leaf utilities that any step may use:
//! `machine` (host facts), `table` (text tables and number formats), `seconds`, `resources`,
//! `interrupt`.

pub mod benchmark;
pub mod cluster;
pub mod cli;
pub mod compare;
pub mod decompose;
pub mod dynamics;
pub mod engine;
pub mod export;
pub mod hardware;
pub mod instances;
pub mod interrupt;
pub mod machine;
pub mod metrics;
pub mod model;
pub mod output;
pub mod perf;
pub mod polish;
pub mod qoblib;
pub mod qplib;
pub mod qumo;
pub mod readout;
pub mod reference;
pub mod resources;
pub mod results;
pub mod seconds;
pub mod spectrum;
pub mod sweep;
pub mod table;

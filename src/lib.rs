//! aocbench: benchmarks the AOC-DT optimizer on QPLIB instances.
//!
//! The data path, one module per step:
//! instance file (`instances`: `qplib` or QOBLIB's `qoblib`) → exact model (`model`) → QUMO form (`qumo`) → engine (`engine`:
//! cpu | gpu) → sweep (`sweep`: phases, Sobol parameters, penalties) → metrics (`metrics`: TTS)
//! → export (`export`: csv/json/markdown/svg/lp) → compare (`compare`: regression gate). The
//! hardware-faithful twin (`hardware`: calibration, non-idealities) changes what an engine loads
//! and applies every iteration.

pub mod benchmark;
pub mod cluster;
pub mod cli;
pub mod compare;
pub mod decompose;
pub mod engine;
pub mod export;
pub mod hardware;
pub mod instances;
pub mod interrupt;
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
pub mod seconds;
pub mod spectrum;
pub mod sweep;

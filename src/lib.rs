//! aocbench: benchmarks the AOC-DT optimizer on QPLIB instances.
//!
//! The data path, one module per step:
//! instance file (`qplib`) → exact model (`model`) → QUMO form (`qumo`) → engine (`engine`:
//! cpu | gpu) → sweep (`sweep`: phases, Sobol parameters, penalties) → metrics (`metrics`: TTS)
//! → export (`export`: csv/json/markdown/svg/lp) → compare (`compare`: regression gate).

pub mod model;
pub mod qplib;
pub mod spectrum;
pub mod metrics;
pub mod reference;
pub mod export;
#[path = "sweep/sobol.rs"]
pub mod sobol;

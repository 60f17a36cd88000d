//! Benchmark metrics: time- and operations-to-solution, success-rate intervals, the summary
//! mean used across instances, and the per-run summary every report shares.

mod summary;
mod tts;

pub use summary::{beats_proven_optimum, reaches_target, reaches_target_within, relative_gap, RunMetrics, TargetKind, TARGET_TOLERANCE};
pub use tts::{shifted_geometric_mean, to_solution, wilson_interval, TARGET_PROBABILITY};

//! Benchmark metrics: time- and operations-to-solution, success-rate intervals, the summary
//! mean used across instances, the per-run summary every report shares, and anytime quality
//! (primal gap over time, primal integral, time-to-gap), and time-to-match between two runs.

mod matching;
mod primal;
mod summary;
mod tts;

pub use matching::{time_to_match, time_to_reach, EqualQuality, Matching};
pub use primal::{level_name, primal_gap, Found, GapStep, PrimalCurve, GAP_LEVELS};
pub use summary::{projected_found, ProjectedTimes, RunMetrics, TargetKind};
pub use crate::model::{beats_proven_optimum, reaches_target, relative_gap, TARGET_TOLERANCE};
pub use tts::{shifted_geometric_mean, to_solution, wilson_interval, TARGET_PROBABILITY};

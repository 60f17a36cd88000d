//! Benchmark metrics: time- and operations-to-solution, success-rate intervals, and the
//! summary mean used across instances.

mod tts;

pub use tts::{
    TARGET_PROBABILITY, ops_to_solution, shifted_geometric_mean, to_solution, tts99,
    wilson_interval,
};

//! Projected hardware time: how long the analog optical computer would take for the work a run
//! did, from the paper's figures (Kalinin et al., Nature 2025, Methods). A projection, not a
//! measurement: it assumes the machine runs one replica (one state vector) at a time, back to
//! back, with no host overhead between solves.

/// One iteration of the optical loop, s.
pub const ITERATION_S: f64 = 20e-9;
/// Cool-down before each solve, s.
pub const COOL_DOWN_S: f64 = 2.5e-6;
/// Sampling window after each solve (40 samples at 6.25 MHz), s.
pub const SAMPLING_S: f64 = 6.4e-6;

/// Seconds the machine would take for `mvm` replica-iterations spread over `samples` solves
/// (replicas): every iteration 20 ns, every solve 2.5 µs of cool-down and 6.4 µs of sampling.
/// Real-valued, so that a mean per sample projects too.
pub fn projected_seconds(mvm: f64, samples: f64) -> f64 {
    mvm * ITERATION_S + samples * (COOL_DOWN_S + SAMPLING_S)
}

/// The figures a projection rests on, for reports.
pub fn figures() -> String {
    format!(
        "{:.0} ns per iteration, {:.1} µs cool-down and {:.1} µs sampling per solve, one replica at a time",
        ITERATION_S * 1e9,
        COOL_DOWN_S * 1e6,
        SAMPLING_S * 1e6
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solve_of_100_iterations_takes_10_9_microseconds() {
        assert!((projected_seconds(100.0, 1.0) - 10.9e-6).abs() < 1e-15);
        assert!((projected_seconds(2e6, 1e4) - (0.04 + 0.089)).abs() < 1e-12);
    }
}

//! The one time-to-solution implementation (spec §6.4), and the statistics reported with it.

/// Confidence of finding the best solution that time-to-solution targets (spec §6.4, §10).
pub const TARGET_PROBABILITY: f64 = 0.99;

/// Expected cost of reaching the best solution with probability [`TARGET_PROBABILITY`], for
/// independent samples that each succeed with `success_probability` and cost
/// `cost_per_sample` (time, or matrix-vector products).
///
/// As in AOCoptimizer.jl: the cost of one sample when p ≥ 0.99, otherwise
/// `cost · ln(1 − 0.99) / ln(1 − p)` (the number of samples needed, not rounded up). p = 0
/// gives +∞; unlike the Julia code, which asserts p > 0 and so fails whenever the best
/// solution came only from phase 1 or 2, this is a valid "never solved" result. A NaN
/// probability gives NaN.
pub fn to_solution(success_probability: f64, cost_per_sample: f64) -> f64 {
    let p = success_probability;
    if p >= TARGET_PROBABILITY {
        cost_per_sample
    } else if p <= 0.0 {
        f64::INFINITY
    } else {
        // ln_1p keeps ln(1 − p) accurate for tiny p, where 1 − p would round to 1.
        cost_per_sample * (1.0 - TARGET_PROBABILITY).ln() / (-p).ln_1p()
    }
}

/// Two-sided 95 % normal quantile, Φ⁻¹(0.975).
const Z_95: f64 = 1.959963984540054;

/// 95 % Wilson score interval for a success probability observed as `successes` out of
/// `samples`. Unlike the normal (Wald) interval it stays inside [0, 1] and is not degenerate
/// at 0 or all successes, which are common here (hard instances, easy instances). No samples
/// gives the uninformative (0, 1).
///
/// # Panics
/// If `successes > samples`.
pub fn wilson_interval(successes: u64, samples: u64) -> (f64, f64) {
    assert!(
        successes <= samples,
        "{successes} successes out of {samples} samples"
    );
    if samples == 0 {
        return (0.0, 1.0);
    }
    let n = samples as f64;
    let p = successes as f64 / n;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half_width = Z_95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // The ends are exactly 0 and 1 in exact arithmetic at the extremes; pin them there rather
    // than report rounding noise like 1e-17.
    let lower = if successes == 0 {
        0.0
    } else {
        (centre - half_width).max(0.0)
    };
    let upper = if successes == samples {
        1.0
    } else {
        (centre + half_width).min(1.0)
    };
    (lower, upper)
}

/// Shifted geometric mean `exp(mean(ln(v + shift))) − shift`, the usual summary of run times
/// across instances: it damps both the huge ratios between tiny times (via the shift) and the
/// dominance of a few slow instances (via the logarithm). Requires `v + shift > 0` for every
/// value; an infinite value (an unsolved instance) makes the mean infinite. An empty slice
/// gives NaN.
pub fn shifted_geometric_mean(values: &[f64], shift: f64) -> f64 {
    let log_sum: f64 = values.iter().map(|v| (v + shift).ln()).sum();
    (log_sum / values.len() as f64).exp() - shift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(got: f64, want: f64, tolerance: f64) {
        assert!((got - want).abs() <= tolerance, "got {got}, want {want}");
    }

    #[test]
    fn to_solution_follows_the_spec() {
        // ln(0.01)/ln(0.5) = 6.6438561897747…
        assert_close(to_solution(0.5, 1.0), 6.643856189774724, 1e-12);
        assert_close(to_solution(0.5, 2.5), 2.5 * 6.643856189774724, 1e-12);
        // ln(0.01)/ln(0.9) = 43.708690…
        assert_close(to_solution(0.1, 1000.0), 43708.690653, 1e-3);
        // At and above the target one sample suffices.
        assert_eq!(to_solution(0.99, 3.0), 3.0);
        assert_eq!(to_solution(1.0, 3.0), 3.0);
        // Just below the target: ln(0.01)/ln(0.01 + 1e-9) ≈ 1.
        assert_close(to_solution(0.99 - 1e-9, 1.0), 1.0, 1e-6);
        assert_eq!(to_solution(0.0, 1.0), f64::INFINITY);
        assert!(to_solution(f64::NAN, 1.0).is_nan());
        // Tiny p: ln(0.01)/ln(1 − p) ≈ 4.60517/p, which 1 − p would have lost.
        assert_close(to_solution(1e-17, 1.0) * 1e-17, -(0.01f64.ln()), 1e-9);
    }

    #[test]
    fn wilson_interval_matches_hand_values() {
        let (lo, hi) = wilson_interval(0, 10);
        assert_eq!(lo, 0.0);
        // z²/n / (1 + z²/n) = 0.384146/1.384146.
        assert_close(hi, 0.2775328, 1e-7);
        let (lo, hi) = wilson_interval(5, 10);
        assert_close(lo, 0.2365931, 1e-7);
        assert_close(hi, 0.7634069, 1e-7);
        let (lo, hi) = wilson_interval(10, 10);
        assert_close(lo, 1.0 - 0.2775328, 1e-7);
        assert_eq!(hi, 1.0);
        assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
        // Symmetric in successes ↔ failures.
        let (lo, hi) = wilson_interval(3, 40);
        let (lo_c, hi_c) = wilson_interval(37, 40);
        assert_close(lo, 1.0 - hi_c, 1e-15);
        assert_close(hi, 1.0 - lo_c, 1e-15);
    }

    #[test]
    #[should_panic(expected = "11 successes out of 10 samples")]
    fn wilson_interval_rejects_more_successes_than_samples() {
        wilson_interval(11, 10);
    }

    #[test]
    fn shifted_geometric_mean_values() {
        // exp((ln 11 + ln 101)/2) − 10 = √1111 − 10.
        assert_close(
            shifted_geometric_mean(&[1.0, 91.0], 10.0),
            1111f64.sqrt() - 10.0,
            1e-12,
        );
        // Shift 0 is the plain geometric mean.
        assert_close(shifted_geometric_mean(&[2.0, 8.0], 0.0), 4.0, 1e-12);
        assert_close(shifted_geometric_mean(&[5.0, 5.0, 5.0], 1.0), 5.0, 1e-12);
        assert_eq!(
            shifted_geometric_mean(&[1.0, f64::INFINITY], 1.0),
            f64::INFINITY
        );
        assert!(shifted_geometric_mean(&[], 1.0).is_nan());
    }
}

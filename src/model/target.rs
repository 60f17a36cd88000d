//! What reaching a target means: an objective at least as good as the target up to a relative
//! tolerance, and the signed relative gap to it.

use super::Sense;

/// Relative tolerance for "reached the target": QPLIB's catalog prints best-knowns with ~10
/// significant digits, so exact equality would miss genuine hits.
pub const TARGET_TOLERANCE: f64 = 1e-6;

/// True when `objective` is at least as good as `target`, up to [`TARGET_TOLERANCE`]
/// relative to max(1, |target|).
pub fn reaches_target(sense: Sense, objective: f64, target: f64) -> bool {
    sense.sign() * (objective - target) <= TARGET_TOLERANCE * target.abs().max(1.0)
}

/// Signed relative gap: positive when worse than the best-known; the denominator is
/// max(1, |best-known|) so instances with best-known 0 get an absolute gap.
pub fn relative_gap(sense: Sense, objective: f64, best_known: f64) -> f64 {
    // + 0.0: a maximisation that meets its best-known gives −0.0, printed "-0.0" in results.csv.
    sense.sign() * (objective - best_known) / best_known.abs().max(1.0) + 0.0
}

/// True when a feasible `objective` beats a proven `optimum` by more than [`TARGET_TOLERANCE`]
/// (relative to max(1, |optimum|)): impossible unless the feasibility judge or the catalog is
/// wrong.
pub fn beats_proven_optimum(sense: Sense, objective: f64, optimum: f64) -> bool {
    relative_gap(sense, objective, optimum) < -TARGET_TOLERANCE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maximisation_at_its_best_known_has_gap_plus_zero() {
        let gap = relative_gap(Sense::Maximize, 34.0, 34.0);
        assert!(gap == 0.0 && gap.is_sign_positive(), "{gap}");
        assert_eq!(relative_gap(Sense::Minimize, 11.0, 10.0), 0.1);
    }
}

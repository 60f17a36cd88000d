//! Time-to-match between two runs on one instance (time-to-target in the sense of King et al.,
//! "Benchmarking a quantum annealing processor with the time-to-target metric", arXiv
//! 1508.05087): how long each run needed to reach the objective the other ended with, and the
//! ratio of their times to the best objective both reached. Unlike a time to the best-known, both
//! sides of that ratio are measured, never bounded by a time limit.

use super::primal::PrimalCurve;
use crate::model::reaches_target;
use crate::model::Sense;

/// Seconds from a run's start until its best point first reached `objective` (up to
/// [`super::TARGET_TOLERANCE`]); None when it never did. Beyond the curve's own target the curve
/// keeps only its first point (the gap is 0 from there on), so a goal better than that point
/// counts as not reached.
pub fn time_to_reach(sense: Sense, curve: &PrimalCurve, objective: f64) -> Option<f64> {
    curve.steps.iter().find(|s| reaches_target(sense, s.objective, objective)).map(|s| s.time_s)
}

/// Two runs `a` and `b` on one instance, each measured at the other's final objective.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Matching {
    /// When `a` reached `b`'s final objective (None: never, or `b` found no feasible point).
    pub a_to_b_final_s: Option<f64>,
    /// When `b` reached `a`'s final objective.
    pub b_to_a_final_s: Option<f64>,
    /// The best objective both reached (the worse of the two finals), with when `a` and when `b`
    /// first reached it; None when either run found no feasible point.
    pub equal_quality: Option<EqualQuality>,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EqualQuality {
    pub objective: f64,
    pub a_time_s: f64,
    pub b_time_s: f64,
}

impl EqualQuality {
    /// `b`'s time over `a`'s: above 1, `a` got there sooner. Infinite when `a` started there.
    pub fn ratio(&self) -> f64 {
        self.b_time_s / self.a_time_s
    }
}

/// The time-to-match of `a` and `b` (their curves against any common target, in `sense`).
pub fn time_to_match(sense: Sense, a: &PrimalCurve, b: &PrimalCurve) -> Matching {
    let final_objective = |c: &PrimalCurve| c.steps.last().map(|s| s.objective);
    let (a_final, b_final) = (final_objective(a), final_objective(b));
    let equal_quality = a_final.zip(b_final).and_then(|(fa, fb)| {
        let objective = if sense.better(fa, fb) { fb } else { fa };
        Some(EqualQuality { objective, a_time_s: time_to_reach(sense, a, objective)?, b_time_s: time_to_reach(sense, b, objective)? })
    });
    Matching {
        a_to_b_final_s: b_final.and_then(|f| time_to_reach(sense, a, f)),
        b_to_a_final_s: a_final.and_then(|f| time_to_reach(sense, b, f)),
        equal_quality,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Found;

    fn curve(sense: Sense, points: &[(f64, f64)]) -> PrimalCurve {
        PrimalCurve::new(sense, -100.0 * sense.sign(), points.iter().map(|&(time_s, objective)| Found { time_s, mvm: None, objective }))
    }

    #[test]
    fn each_side_is_timed_at_the_others_final_objective() {
        let sense = Sense::Minimize;
        let fast = curve(sense, &[(0.1, -10.0), (0.5, -40.0), (2.0, -50.0)]);
        let slow = curve(sense, &[(1.0, -20.0), (6.0, -40.0)]);
        let m = time_to_match(sense, &fast, &slow);
        assert_eq!(m.a_to_b_final_s, Some(0.5), "fast reaches slow's -40 at 0.5 s");
        assert_eq!(m.b_to_a_final_s, None, "slow never reaches -50");
        let eq = m.equal_quality.unwrap();
        assert_eq!((eq.objective, eq.a_time_s, eq.b_time_s), (-40.0, 0.5, 6.0));
        assert_eq!(eq.ratio(), 12.0);
        let swapped = time_to_match(sense, &slow, &fast);
        assert_eq!((swapped.a_to_b_final_s, swapped.b_to_a_final_s), (None, Some(0.5)));
        assert_eq!(swapped.equal_quality.unwrap().ratio(), 0.5 / 6.0);
    }

    #[test]
    fn maximisation_and_runs_without_a_feasible_point() {
        let sense = Sense::Maximize;
        let a = curve(sense, &[(0.2, 5.0), (3.0, 9.0)]);
        let b = curve(sense, &[(1.0, 9.0)]);
        let m = time_to_match(sense, &a, &b);
        assert_eq!((m.a_to_b_final_s, m.b_to_a_final_s), (Some(3.0), Some(1.0)));
        assert_eq!(m.equal_quality.unwrap().objective, 9.0);
        let none = curve(sense, &[]);
        let m = time_to_match(sense, &a, &none);
        assert_eq!(m, Matching { a_to_b_final_s: None, b_to_a_final_s: None, equal_quality: None });
    }

    #[test]
    fn the_tolerance_of_reaching_a_target_applies() {
        let sense = Sense::Minimize;
        let a = curve(sense, &[(1.0, -1000.0 + 1e-4)]);
        let b = curve(sense, &[(2.0, -1000.0)]);
        assert_eq!(time_to_match(sense, &a, &b).a_to_b_final_s, Some(1.0), "within 1e-6 relative");
    }
}

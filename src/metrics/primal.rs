//! Anytime quality of one run, after Berthold ("Measuring the impact of primal heuristics",
//! Oper. Res. Lett. 41 (2013) 611–614): the primal gap of the best point found so far as a
//! function of time, its integral over the time limit (the primal integral), and when it first
//! fell to given levels (time-to-gap). The one implementation behind the CSV and JSON columns,
//! the comparison tables, the plots and `compare`.
//!
//! A run is described by the points where its best feasible objective improved ([`Found`],
//! judged on the exact model by the caller). The primal gap function p(t) is 1 until the
//! first feasible point and then the gap of the best point so far: a non-increasing step
//! function in [0, 1]. The same function can be read on a second clock, replica-iterations,
//! which makes the integral of AOC-DT's runs under a work budget deterministic.

use serde::{Deserialize, Serialize};

use crate::model::reaches_target;
use crate::model::Sense;

/// The gap levels of time-to-gap, as fractions: 0 % (the target itself), 0.1 %, 1 %, 5 %.
pub const GAP_LEVELS: [f64; 4] = [0.0, 0.001, 0.01, 0.05];

/// The level as a column-name fragment: `0pct`, `0.1pct`, `1pct`, `5pct`.
pub fn level_name(level: f64) -> String {
    format!("{}pct", 100.0 * level)
}

/// Berthold's primal gap of `objective` against the reference objective, in [0, 1]:
/// 0 when `objective` reaches the reference ([`reaches_target`]: at least as good, up to the
/// target tolerance — so a point that beats a best-known has gap 0, not a positive one), 1
/// when the two have opposite signs, else |f − f*| / max(|f|, |f*|). Dimensionless.
pub fn primal_gap(sense: Sense, objective: f64, reference: f64) -> f64 {
    if reaches_target(sense, objective, reference) {
        0.0
    } else if objective * reference < 0.0 {
        1.0
    } else {
        // Not both 0 (that reaches the reference), so the denominator is positive.
        (objective - reference).abs() / objective.abs().max(reference.abs())
    }
}

/// A new best feasible objective of a run and when it was found: seconds since the solve
/// started and, for AOC-DT, replica-iterations spent (None for reference solvers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    pub time_s: f64,
    pub mvm: Option<u64>,
    pub objective: f64,
}

/// One step of the primal gap function: from `time_s` (and `mvm`) on, until the next step,
/// the best point so far has objective `objective` and primal gap `gap` ∈ [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GapStep {
    pub time_s: f64,
    pub mvm: Option<u64>,
    pub objective: f64,
    pub gap: f64,
}

/// The primal gap function p(t) of one run against one reference objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimalCurve {
    /// The objective the gaps are measured against (the instance's target).
    pub reference: f64,
    /// Every improvement of the run's best objective, in time order (gaps never increase; a
    /// step may keep the gap of the one before); p = 1 before the first.
    pub steps: Vec<GapStep>,
}

impl PrimalCurve {
    /// The curve of a run whose best feasible objective improved at `found` (in time order).
    /// Points that do not improve on the best so far are skipped, so an input of every
    /// incumbent a solver announced (which may not improve on the exact model) is fine.
    pub fn new(sense: Sense, reference: f64, found: impl IntoIterator<Item = Found>) -> Self {
        let mut steps: Vec<GapStep> = Vec::new();
        let mut best: Option<f64> = None;
        for point in found {
            if best.is_some_and(|b| !sense.better(point.objective, b)) {
                continue;
            }
            best = Some(point.objective);
            // Every improvement is a step, even one whose gap stays the same (a target of 0, or
            // objectives on the other side of it, put every miss at gap 1): the curve is also
            // where tables read the incumbent a run held at a time.
            let gap = primal_gap(sense, point.objective, reference);
            steps.push(GapStep { time_s: point.time_s, mvm: point.mvm, objective: point.objective, gap });
        }
        PrimalCurve { reference, steps }
    }

    /// The gap of the run's best point (1 when it found no feasible point).
    pub fn final_gap(&self) -> f64 {
        self.steps.last().map_or(1.0, |s| s.gap)
    }

    /// The first step at which the gap is at most `level` (a fraction); level 0 is the first
    /// point that reaches the reference.
    pub fn first_within(&self, level: f64) -> Option<&GapStep> {
        self.steps.iter().find(|s| s.gap <= level)
    }

    /// The primal integral ∫₀ᵀ p(t) dt over the first `horizon_s` seconds, in seconds (gap as
    /// a fraction): T for a run that never found a feasible point, 0 for one that held the
    /// reference from the start. Steps after the horizon do not count.
    pub fn integral_s(&self, horizon_s: f64) -> f64 {
        integrate(self.steps.iter().map(|s| (s.time_s, s.gap)), horizon_s)
    }

    /// The primal integral over the first `horizon_mvm` replica-iterations, in
    /// replica-iterations; None when a step has no replica-iteration count (reference runs).
    pub fn integral_mvm(&self, horizon_mvm: u64) -> Option<f64> {
        let steps: Option<Vec<(f64, f64)>> = self.steps.iter().map(|s| s.mvm.map(|m| (m as f64, s.gap))).collect();
        Some(integrate(steps?.into_iter(), horizon_mvm as f64))
    }
}

/// ∫₀ᴴ of the step function that is 1 before the first `(x, gap)` and `gap` from `x` on.
fn integrate(steps: impl Iterator<Item = (f64, f64)>, horizon: f64) -> f64 {
    let (mut area, mut from, mut gap) = (0.0, 0.0, 1.0);
    for (x, next_gap) in steps {
        let x = x.clamp(0.0, horizon);
        area += gap * (x - from).max(0.0);
        from = from.max(x);
        gap = next_gap;
    }
    area + gap * (horizon - from).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time_s: f64, objective: f64) -> Found {
        Found { time_s, mvm: Some((time_s * 1000.0) as u64), objective }
    }

    fn assert_close(got: f64, want: f64) {
        assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "got {got}, want {want}");
    }

    #[test]
    fn primal_gap_follows_berthold() {
        use Sense::{Maximize, Minimize};
        // QPLIB_0067's 10 s result against its optimum: 649 / 110942.
        assert_close(primal_gap(Minimize, -110_293.0, -110_942.0), 649.0 / 110_942.0);
        // Maximisation: 24000 against 24071 is 71 / 24071 off.
        assert_close(primal_gap(Maximize, 24_000.0, 24_071.0), 71.0 / 24_071.0);
        // Worse than a positive minimum: the larger magnitude is the denominator.
        assert_close(primal_gap(Minimize, 120.0, 80.0), 40.0 / 120.0);
        assert_eq!(primal_gap(Minimize, 0.0, 0.0), 0.0);
        assert_eq!(primal_gap(Minimize, 1.0, -1.0), 1.0, "opposite signs");
        assert_eq!(primal_gap(Minimize, 5.0, 0.0), 1.0, "best-known 0: any other value is 100 % off");
        assert_eq!(primal_gap(Minimize, -111_000.0, -110_942.0), 0.0, "beating the reference");
        assert_eq!(primal_gap(Maximize, 24_071.000_01, 24_071.0), 0.0);
        // Within the target tolerance (1e-6 relative) counts as reached; near 0 it is absolute.
        assert_eq!(primal_gap(Minimize, 79.56070622 + 1e-7, 79.56070622), 0.0);
        assert_eq!(primal_gap(Minimize, 5e-7, 0.0), 0.0);
        assert_eq!(primal_gap(Minimize, 5e-6, 0.0), 1.0);
    }

    #[test]
    fn integral_matches_hand_computed_values() {
        // p = 1 on [0, 2), 0.5 on [2, 6), 0 on [6, 10]: 2 + 2 + 0 = 4.
        let curve = PrimalCurve::new(Sense::Minimize, -100.0, [at(2.0, -50.0), at(6.0, -100.0)]);
        assert_close(curve.integral_s(10.0), 4.0);
        // A shorter horizon cuts the last step: 2 + 0.5·3 = 3.5 over [0, 5].
        assert_close(curve.integral_s(5.0), 3.5);
        // The same curve on the replica-iteration clock (1000 per second here).
        assert_close(curve.integral_mvm(10_000).unwrap(), 4000.0);
        // Never feasible: the whole horizon.
        let none = PrimalCurve::new(Sense::Minimize, -100.0, []);
        assert_close(none.integral_s(10.0), 10.0);
        assert_eq!(none.final_gap(), 1.0);
        // At the reference from the start: 0.
        assert_close(PrimalCurve::new(Sense::Minimize, -100.0, [at(0.0, -100.0)]).integral_s(10.0), 0.0);
        // A step after the horizon does not count.
        assert_close(PrimalCurve::new(Sense::Minimize, -100.0, [at(12.0, -100.0)]).integral_s(10.0), 10.0);
        // Maximisation, three steps: gaps 1/4 at 1 s, 1/8 at 3 s (reference 8; 6 then 7):
        // 1·1 + 0.25·2 + 0.125·5 = 2.125 over [0, 8].
        let max = PrimalCurve::new(Sense::Maximize, 8.0, [at(1.0, 6.0), at(3.0, 7.0)]);
        assert_close(max.integral_s(8.0), 2.125);
        // Reference runs have no replica-iteration clock.
        let seconds_only = PrimalCurve::new(Sense::Minimize, 1.0, [Found { time_s: 1.0, mvm: None, objective: 2.0 }]);
        assert_eq!(seconds_only.integral_mvm(100), None);
    }

    #[test]
    fn curve_keeps_only_improvements_and_finds_each_level() {
        // Minimisation towards -1000: -900 (10 %), -905 (9.5 %), -800 (worse than the best so
        // far: skipped), -995 (0.5 %), -999.5 (0.05 %), -1000 (0).
        let found = [at(0.1, -900.0), at(0.2, -905.0), at(0.3, -800.0), at(0.4, -995.0), at(0.5, -999.5), at(0.6, -1000.0)];
        let curve = PrimalCurve::new(Sense::Minimize, -1000.0, found);
        let times: Vec<f64> = curve.steps.iter().map(|s| s.time_s).collect();
        assert_eq!(times, [0.1, 0.2, 0.4, 0.5, 0.6]);
        assert!(curve.steps.windows(2).all(|w| w[1].gap < w[0].gap));
        let first = |level: f64| curve.first_within(level).map(|s| s.time_s);
        assert_eq!(GAP_LEVELS.map(first), [Some(0.6), Some(0.5), Some(0.4), Some(0.4)]);
        assert_eq!(curve.final_gap(), 0.0);
        // Two points beyond the reference: two steps, both at gap 0, each holding its objective.
        let beyond = PrimalCurve::new(Sense::Minimize, -10.0, [at(1.0, -11.0), at(2.0, -12.0)]);
        assert_eq!(beyond.steps.iter().map(|s| (s.objective, s.gap)).collect::<Vec<_>>(), [(-11.0, 0.0), (-12.0, 0.0)]);
        // A target of 0 (market split): every miss is at gap 1, yet each improvement is a step,
        // so the incumbent held at a time is read from the curve (it once kept only the first).
        let zero = PrimalCurve::new(Sense::Minimize, 0.0, [at(0.1, 2277.0), at(0.5, 15.0), at(0.9, 7.0)]);
        assert_eq!(zero.steps.iter().map(|s| (s.time_s, s.objective, s.gap)).collect::<Vec<_>>(), [(0.1, 2277.0, 1.0), (0.5, 15.0, 1.0), (0.9, 7.0, 1.0)]);
        assert_eq!(zero.integral_s(1.0), 1.0);
    }

    #[test]
    fn level_names_fit_column_names() {
        assert_eq!(GAP_LEVELS.map(level_name), ["0pct", "0.1pct", "1pct", "5pct"]);
    }
}

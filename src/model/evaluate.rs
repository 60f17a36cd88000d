use super::{Constraint, Instance, QuadTerm, VarType};

/// Relative tolerance of every feasibility judgement: a value outside its range by more than
/// `FEASIBILITY_TOLERANCE · max(1, |violated bound|, |value|)` plus the rounding error its
/// computation may carry is a violation, where the violated bound is the side the value lies
/// beyond and the value is the row's own activity (or the variable's value). The other side never
/// enters: a far bound (say −1e9) must not hide a violation of the near one. Nor do the sizes of
/// the row's terms beyond their rounding error: 1e9·x1 − 1e9·x2 + x3 = 1 at x = (1, 1, 1)
/// violates ≤ 0.5 by 0.5, however large the terms that cancel.
pub const FEASIBILITY_TOLERANCE: f64 = 1e-6;

fn quadratic_form(terms: &[QuadTerm], x: &[f64]) -> f64 {
    // QPLIB convention: every listed entry contributes ½·v·x_i·x_j (§2.3 of qplib-format.md).
    0.5 * terms.iter().map(|t| t.value * x[t.row] * x[t.col]).sum::<f64>()
}

/// Every binary assignment of n variables, in counting order (n ≤ 20).
pub fn all_binary_points(n: usize) -> impl Iterator<Item = Vec<f64>> {
    assert!(n <= 20, "enumeration is for small n");
    (0u32..1 << n).map(move |bits| (0..n).map(|i| ((bits >> i) & 1) as f64).collect())
}

/// The proven optimum of an all-binary instance of at most `limit` variables (≤ 20), found by
/// judging all 2ⁿ points with [`feasibility`] and [`objective`]: `Some(None)` when no point is
/// feasible, `None` when the instance is larger or has a variable that is not binary.
pub fn enumerated_optimum(instance: &Instance, limit: usize) -> Option<Option<f64>> {
    let n = instance.n_vars();
    if n > limit.min(20) || instance.var_types.iter().any(|t| *t != VarType::Binary) {
        return None;
    }
    Some(all_binary_points(n).filter(|x| feasibility(instance, x).feasible).map(|x| objective(instance, &x)).reduce(|a, b| instance.sense.best(a, b)))
}

/// The true objective `½·xᵀQx + bᵀx + q0` of the original problem, in its own sense.
pub fn objective(instance: &Instance, x: &[f64]) -> f64 {
    assert_eq!(x.len(), instance.n_vars(), "assignment length must equal the number of variables");
    let linear: f64 = instance.objective_linear.iter().zip(x).map(|(b, v)| b * v).sum();
    quadratic_form(&instance.objective_quadratic, x) + linear + instance.objective_constant
}

/// The verdict on one assignment.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Feasibility {
    /// Largest violation of any row, bound or integrality, each divided by its own scale
    /// (see [`FEASIBILITY_TOLERANCE`]).
    pub max_violation: f64,
    pub feasible: bool,
}

/// How far `value` lies outside [lower, upper] (0 inside).
pub fn excess(value: f64, lower: f64, upper: f64) -> f64 {
    (lower - value).max(value - upper).max(0.0)
}

/// How far `value` lies outside [lower, upper] beyond `rounding` (the error its computation may
/// carry), divided by max(1, |the bound it violates|, |value|) (see [`FEASIBILITY_TOLERANCE`]);
/// 0 inside.
fn scaled_excess(value: f64, lower: f64, upper: f64, rounding: f64) -> f64 {
    let violated = if value < lower { lower } else if value > upper { upper } else { return 0.0 };
    ((value - violated).abs() - rounding).max(0.0) / value.abs().max(violated.abs()).max(1.0)
}

impl Constraint {
    /// The row's activity aᵀx (+ ½·xᵀQx for quadratic rows) at `x`.
    pub fn activity(&self, x: &[f64]) -> f64 {
        self.linear.iter().map(|&(j, a)| a * x[j]).sum::<f64>() + quadratic_form(&self.quadratic, x)
    }

    /// A bound on the rounding error of [`Constraint::activity`] at `x`: k·ε·Σ|terms| for its
    /// k terms (Σ|a_j·x_j| + ½·Σ|v·x_i·x_j|), ε = f64::EPSILON.
    fn rounding(&self, x: &[f64]) -> f64 {
        let linear: f64 = self.linear.iter().map(|&(j, a)| (a * x[j]).abs()).sum();
        let magnitude = linear + 0.5 * self.quadratic.iter().map(|t| (t.value * x[t.row] * x[t.col]).abs()).sum::<f64>();
        (self.linear.len() + self.quadratic.len() + 1) as f64 * f64::EPSILON * magnitude
    }
}

/// Maximum scaled violation of constraints, bounds and integrality, and whether it is within
/// [`FEASIBILITY_TOLERANCE`]. Non-finite entries in `x` are never feasible.
pub fn feasibility(instance: &Instance, x: &[f64]) -> Feasibility {
    assert_eq!(x.len(), instance.n_vars(), "assignment length must equal the number of variables");
    if x.iter().any(|v| !v.is_finite()) {
        return Feasibility { max_violation: f64::INFINITY, feasible: false };
    }
    let mut worst: f64 = 0.0;
    for row in &instance.constraints {
        worst = worst.max(scaled_excess(row.activity(x), row.lower, row.upper, row.rounding(x)));
    }
    for (j, &v) in x.iter().enumerate() {
        worst = worst.max(scaled_excess(v, instance.var_lower[j], instance.var_upper[j], 0.0));
        if instance.var_types[j] != VarType::Continuous {
            worst = worst.max((v - v.round()).abs());
        }
    }
    Feasibility { max_violation: worst, feasible: worst <= FEASIBILITY_TOLERANCE }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Instance, Sense};

    /// One row `x1 + x2 ∈ [lower, upper]` over two binaries.
    fn one_row(lower: f64, upper: f64) -> Instance {
        Instance::binary("ROW", Sense::Minimize, Vec::new(), vec![0.0, 0.0], 0.0, vec![Constraint { lower, upper, linear: vec![(0, 1.0), (1, 1.0)], quadratic: Vec::new() }])
    }

    #[test]
    fn a_huge_far_bound_hides_no_violation_of_the_near_one() {
        let ones = [1.0, 1.0];
        // Activity 2 against the near bound 1, with the far bound huge but finite on either side.
        for instance in [one_row(-1e9, 1.0), one_row(-1e300, 1.0)] {
            let verdict = feasibility(&instance, &ones);
            // 1 over the activity 2, less the activity's rounding allowance (a few ulps).
            assert!(!verdict.feasible && (verdict.max_violation - 0.5).abs() < 1e-14, "{verdict:?}");
        }
        for instance in [one_row(3.0, 1e9), one_row(3.0, 1e300)] {
            let verdict = feasibility(&instance, &ones);
            assert!(!verdict.feasible && (verdict.max_violation - 1.0 / 3.0).abs() < 1e-14, "{verdict:?}");
        }
        // Inside the range, however far its other side: feasible.
        assert!(feasibility(&one_row(-1e9, 2.0), &ones).feasible);
        assert!(feasibility(&one_row(2.0, 1e9), &ones).feasible);
    }

    #[test]
    fn large_terms_that_cancel_hide_no_violation() {
        // 1e9·x1 − 1e9·x2 + x3 ≤ 0.5 at x = (1, 1, 1): activity exactly 1.
        let row = Constraint { lower: f64::NEG_INFINITY, upper: 0.5, linear: vec![(0, 1e9), (1, -1e9), (2, 1.0)], quadratic: Vec::new() };
        let instance = Instance::binary("CANCEL", Sense::Minimize, Vec::new(), vec![0.0; 3], 0.0, vec![row]);
        let verdict = feasibility(&instance, &[1.0, 1.0, 1.0]);
        assert!(!verdict.feasible && (verdict.max_violation - 0.5).abs() < 1e-5, "{verdict:?}");
        assert!(feasibility(&instance, &[1.0, 1.0, 0.0]).feasible);
    }

    #[test]
    fn a_huge_far_variable_bound_hides_no_violation_either() {
        let mut instance = one_row(f64::NEG_INFINITY, f64::INFINITY);
        (instance.var_lower[0], instance.var_upper[0]) = (-1e9, 1.0);
        (instance.var_lower[1], instance.var_upper[1]) = (1.0, 1e9);
        let verdict = feasibility(&instance, &[2.0, 0.0]);
        assert!(!verdict.feasible && verdict.max_violation == 1.0, "{verdict:?}");
    }
}

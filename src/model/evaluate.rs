use super::{Constraint, Instance, QuadTerm, VarType};

/// Relative tolerance of every feasibility judgement: a row is satisfied when its violation is
/// at most `FEASIBILITY_TOLERANCE · max(1, |bound|, Σ|a_j·x_j|)` — i.e. 1e-6 relative to the
/// row's own scale, absolute 1e-6 for rows of unit scale. Bounds and integrality use the same
/// rule with scale `max(1, |bound|)`.
pub const FEASIBILITY_TOLERANCE: f64 = 1e-6;

fn quadratic_form(terms: &[QuadTerm], x: &[f64]) -> f64 {
    // QPLIB convention: every listed entry contributes ½·v·x_i·x_j (§2.3 of qplib-format.md).
    0.5 * terms.iter().map(|t| t.value * x[t.row] * x[t.col]).sum::<f64>()
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

fn scaled_excess(value: f64, lower: f64, upper: f64, scale: f64) -> f64 {
    excess(value, lower, upper) / scale.max(1.0)
}

impl Constraint {
    /// The row's activity aᵀx (+ ½·xᵀQx for quadratic rows) at `x`.
    pub fn activity(&self, x: &[f64]) -> f64 {
        self.linear.iter().map(|&(j, a)| a * x[j]).sum::<f64>() + quadratic_form(&self.quadratic, x)
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
        let activity = row.activity(x);
        let magnitude: f64 = row.linear.iter().map(|&(j, a)| (a * x[j]).abs()).sum();
        let bound_scale = [row.lower, row.upper].iter().filter(|b| b.is_finite()).fold(0.0f64, |m, b| m.max(b.abs()));
        worst = worst.max(scaled_excess(activity, row.lower, row.upper, magnitude.max(bound_scale)));
    }
    for (j, &v) in x.iter().enumerate() {
        let (lo, hi) = (instance.var_lower[j], instance.var_upper[j]);
        let bound_scale = [lo, hi].iter().filter(|b| b.is_finite()).fold(0.0f64, |m, b| m.max(b.abs()));
        worst = worst.max(scaled_excess(v, lo, hi, bound_scale));
        if instance.var_types[j] != VarType::Continuous {
            worst = worst.max((v - v.round()).abs());
        }
    }
    Feasibility { max_violation: worst, feasible: worst <= FEASIBILITY_TOLERANCE }
}

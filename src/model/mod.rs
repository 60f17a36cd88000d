//! The exact instance model: the original QPLIB problem in f64.
//!
//! `objective` and `feasibility` (in `evaluate.rs`) are the only judges of every result in
//! the project: AOC-DT samples, polished points and reference-solver answers all pass through
//! them.

mod evaluate;
mod target;
pub mod random;

pub use target::{beats_proven_optimum, reaches_target, relative_gap, TARGET_TOLERANCE};
pub use evaluate::{all_binary_points, enumerated_optimum, excess, feasibility, objective, Feasibility, FEASIBILITY_TOLERANCE};

/// Direction of optimisation of the original problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sense {
    #[serde(rename = "min")]
    Minimize,
    #[serde(rename = "max")]
    Maximize,
}

impl Sense {
    /// +1 for minimisation, −1 for maximisation: `sign · f` is always minimised.
    pub fn sign(self) -> f64 {
        match self {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sense::Minimize => "min",
            Sense::Maximize => "max",
        }
    }

    /// True when `a` is strictly better than `b` in this sense.
    pub fn better(self, a: f64, b: f64) -> bool {
        self.sign() * a < self.sign() * b
    }

    /// The better of `a` and `b` (`b` on a tie), for folds over objectives.
    pub fn best(self, a: f64, b: f64) -> f64 {
        if self.better(a, b) { a } else { b }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VarType {
    Continuous,
    Integer,
    Binary,
}

/// One lower-triangle entry `(row ≥ col, value)` as QPLIB lists it. Its contribution to
/// `½·xᵀQx` is `½·value·x_row·x_col` — for off-diagonal entries too (QPLIB's ½ convention:
/// the file lists each off-diagonal pair once, with the doubled coefficient).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadTerm {
    pub row: usize,
    pub col: usize,
    pub value: f64,
}

/// `lower ≤ ½·xᵀQx + aᵀx ≤ upper`; an infinite bound is `f64::INFINITY` / `NEG_INFINITY`.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    pub lower: f64,
    pub upper: f64,
    /// `(variable, coefficient)`, sorted by variable, no duplicates.
    pub linear: Vec<(usize, f64)>,
    /// Lower-triangle quadratic terms (empty for linear rows).
    pub quadratic: Vec<QuadTerm>,
}

impl Constraint {
    pub fn is_equality(&self) -> bool {
        self.lower == self.upper
    }
}

/// The range [Σ min(a_j, 0), Σ max(a_j, 0)] that `Σ a_j·x_j` covers over binary x.
pub fn binary_reach(coefficients: &[(usize, f64)]) -> (f64, f64) {
    let low = coefficients.iter().map(|&(_, a)| a.min(0.0)).sum();
    let high = coefficients.iter().map(|&(_, a)| a.max(0.0)).sum();
    (low, high)
}

/// The original problem, 0-based indices throughout:
/// `min|max ½·xᵀQx + bᵀx + q0  s.t.  cl ≤ ½·xᵀQᵢx + Aᵢx ≤ cu,  l ≤ x ≤ u,  x_j ∈ ℤ (j integer)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub name: String,
    /// The three-letter code of the file header (e.g. `QBL`).
    pub type_code: String,
    pub sense: Sense,
    /// Objective Q, lower triangle, duplicates summed, sorted by (row, col).
    pub objective_quadratic: Vec<QuadTerm>,
    /// Dense linear objective b (length n).
    pub objective_linear: Vec<f64>,
    pub objective_constant: f64,
    pub constraints: Vec<Constraint>,
    /// Bounds with `|v| ≥ infinity` were read as infinite; kept for writers.
    pub infinity: f64,
    pub var_lower: Vec<f64>,
    pub var_upper: Vec<f64>,
    pub var_types: Vec<VarType>,
    /// Starting point (primal), constraint duals and bound duals as given by the file.
    pub start_primal: Vec<f64>,
    pub start_constraint_dual: Vec<f64>,
    pub start_bound_dual: Vec<f64>,
    /// Non-default names: `(index, name)`.
    pub var_names: Vec<(usize, String)>,
    pub constraint_names: Vec<(usize, String)>,
}

impl Instance {
    /// An all-binary instance (bounds [0, 1], no starting point, no names): the shape of every
    /// QBL/QBN instance, used by generators and tests.
    pub fn binary(name: &str, sense: Sense, objective_quadratic: Vec<QuadTerm>, objective_linear: Vec<f64>, objective_constant: f64, constraints: Vec<Constraint>) -> Instance {
        let (n, m) = (objective_linear.len(), constraints.len());
        Instance {
            name: name.to_string(),
            type_code: if m == 0 { "QBB".into() } else { "QBL".into() },
            sense,
            objective_quadratic,
            objective_linear,
            objective_constant,
            constraints,
            infinity: 1e20,
            var_lower: vec![0.0; n],
            var_upper: vec![1.0; n],
            var_types: vec![VarType::Binary; n],
            start_primal: vec![0.0; n],
            start_constraint_dual: vec![0.0; m],
            start_bound_dual: vec![0.0; n],
            var_names: Vec::new(),
            constraint_names: Vec::new(),
        }
    }

    pub fn n_vars(&self) -> usize {
        self.var_types.len()
    }

    pub fn n_constraints(&self) -> usize {
        self.constraints.len()
    }

    pub fn n_binary(&self) -> usize {
        self.var_types.iter().filter(|t| **t == VarType::Binary).count()
    }

    pub fn n_diagonal(&self) -> usize {
        self.objective_quadratic.iter().filter(|t| t.row == t.col).count()
    }

    pub fn n_constraint_nonzeros(&self) -> usize {
        self.constraints.iter().map(|c| c.linear.len()).sum()
    }

    /// Fraction of the n² entries of the symmetric Q that are non-zero (a listed 0.0 is no
    /// coupling).
    pub fn q_density(&self) -> f64 {
        let n = self.n_vars() as f64;
        let nonzero = self.objective_quadratic.iter().filter(|t| t.value != 0.0);
        let entries: usize = nonzero.map(|t| if t.row == t.col { 1 } else { 2 }).sum();
        if n == 0.0 { 0.0 } else { entries as f64 / (n * n) }
    }
}

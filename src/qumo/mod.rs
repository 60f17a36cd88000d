//! The QUMO form the AOC-DT solves, built exactly from a QBL/QBN instance.
//!
//! minimise E(z) = −½·zᵀJz − hᵀz + constant over z = (x, s): the instance's free binaries x
//! first (fixed ones are substituted by their value), then one continuous slack s_r ∈ [0, 1]
//! per inequality or ranged row (positive-QUMO domain).
//! E(x, s) = sense·f(x) + Σ_r P_r·(a_rᵀx − lo_r − d_r·s_r)² (constraint-handling.md).

mod convert;
mod factored;
mod penalty;
mod range;

pub use convert::{encode_rows, Binaries, ConversionError, RowEncoding};
pub use factored::FactoredCouplings;
pub use penalty::{flip_changes, FlipChanges, PenaltyWeights};
pub use range::CoefficientRange;

use crate::model::Instance;

/// A symmetric matrix in compressed sparse rows, both triangles stored, f64.
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricCsr {
    pub n: usize,
    pub row_ptr: Vec<usize>,
    pub cols: Vec<usize>,
    pub values: Vec<f64>,
}

/// Non-zeros from which [`SymmetricCsr::matvec`] splits its rows over threads: below, a
/// product takes well under a millisecond and the threads' start-up would dominate.
const PARALLEL_MATVEC_NONZEROS: usize = 1 << 16;

impl SymmetricCsr {
    /// Builds from `(i, j, v)` triplets covering both triangles; duplicates are summed and
    /// exact zeros dropped.
    pub fn from_triplets(n: usize, mut triplets: Vec<(usize, usize, f64)>) -> Self {
        triplets.sort_unstable_by_key(|&(i, j, _)| (i, j));
        let mut merged: Vec<(usize, usize, f64)> = Vec::with_capacity(triplets.len());
        for (i, j, v) in triplets {
            match merged.last_mut() {
                Some(last) if (last.0, last.1) == (i, j) => last.2 += v,
                _ => merged.push((i, j, v)),
            }
        }
        merged.retain(|t| t.2 != 0.0);
        let mut row_ptr = vec![0; n + 1];
        for &(i, _, _) in &merged {
            row_ptr[i + 1] += 1;
        }
        for i in 0..n {
            row_ptr[i + 1] += row_ptr[i];
        }
        let (cols, values) = merged.into_iter().map(|(_, j, v)| (j, v)).unzip();
        SymmetricCsr { n, row_ptr, cols, values }
    }

    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    pub fn density(&self) -> f64 {
        if self.n == 0 { 0.0 } else { self.nnz() as f64 / (self.n as f64 * self.n as f64) }
    }

    /// y = J·x. Rows in parallel once J is large (each row's sum in the same order, so the
    /// result does not depend on the threads): λ's Lanczos runs hundreds of these, the largest
    /// part of the setup of a half-dense QUBO of 4,000 variables (docs/resources.md).
    pub fn matvec(&self, x: &[f64], y: &mut [f64]) {
        use rayon::prelude::*;
        let row = |(i, yi): (usize, &mut f64)| {
            let range = self.row_ptr[i]..self.row_ptr[i + 1];
            *yi = self.cols[range.clone()].iter().zip(&self.values[range]).map(|(&j, &v)| v * x[j]).sum();
        };
        if self.nnz() >= PARALLEL_MATVEC_NONZEROS {
            y.par_iter_mut().enumerate().with_min_len(64).for_each(row);
        } else {
            y.iter_mut().enumerate().for_each(row);
        }
    }

    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.row_ptr[i]..self.row_ptr[i + 1];
        self.cols[range.clone()].iter().copied().zip(self.values[range].iter().copied())
    }
}

/// The QUMO an engine minimises, for one choice of penalty weights.
#[derive(Debug, Clone)]
pub struct Qumo {
    /// Variables: the instance's binaries, then the slacks.
    pub n: usize,
    pub n_binary: usize,
    pub j: SymmetricCsr,
    /// The same J as the objective's couplings plus a product over the rows, for engines that
    /// multiply by it in that form.
    pub factored: FactoredCouplings,
    pub h: Vec<f64>,
    pub constant: f64,
}

impl Qumo {
    pub fn n_slack(&self) -> usize {
        self.n - self.n_binary
    }

    /// E(z) = −½·zᵀJz − hᵀz + constant, in f64.
    pub fn energy(&self, z: &[f64]) -> f64 {
        let mut jz = vec![0.0; self.n];
        self.j.matvec(z, &mut jz);
        let quadratic: f64 = z.iter().zip(&jz).map(|(a, b)| a * b).sum();
        let linear: f64 = z.iter().zip(&self.h).map(|(a, b)| a * b).sum();
        -0.5 * quadratic - linear + self.constant
    }
}

/// An instance with its rows encoded: everything needed to build the QUMO for any penalty
/// weights, to rank binary assignments by penalised energy, and to map back.
#[derive(Debug, Clone)]
pub struct QumoModel {
    pub rows: Vec<RowEncoding>,
    /// Mean |change of f| under one flip at random x: the unit of the penalty weights.
    pub flip_scale: f64,
    /// The largest |change of f| under one flip seen at those x.
    pub flip_max: f64,
    /// The coefficients' numeric range, which the engine's precision must resolve (None when
    /// all are zero).
    pub range: Option<CoefficientRange>,
    binaries: Binaries,
    sense_sign: f64,
    /// sense·f as QUMO terms: J (binary block) and h, constant.
    objective_j: Vec<(usize, usize, f64)>,
    objective_h: Vec<f64>,
    objective_constant: f64,
}

impl QumoModel {
    /// Errors: a variable that is not binary, a quadratic or unsatisfiable row, or no variable
    /// left to solve for.
    pub fn new(instance: &Instance) -> Result<Self, ConversionError> {
        let binaries = Binaries::of(instance)?;
        let rows = encode_rows(instance, &binaries)?;
        let sign = instance.sense.sign();
        // sense·f with the fixed binaries substituted: a term's part on fixed variables moves
        // into h (one fixed factor) or the constant (all factors fixed).
        let mut objective_j = Vec::with_capacity(2 * instance.objective_quadratic.len());
        let mut objective_h = vec![0.0; binaries.free.len()];
        let mut objective_constant = sign * instance.objective_constant;
        for (j, &b) in instance.objective_linear.iter().enumerate() {
            match binaries.position[j] {
                Some(k) => objective_h[k] -= sign * b,
                None => objective_constant += sign * b * binaries.fixed_point[j],
            }
        }
        for t in &instance.objective_quadratic {
            let half = sign * 0.5 * t.value;
            match (binaries.position[t.row], binaries.position[t.col]) {
                // ½·v·x² = ½·v·x on binaries: folds into h.
                (Some(k), Some(_)) if t.row == t.col => objective_h[k] -= half,
                // ½·v·x_i·x_j = −½·(J_ij + J_ji)·x_i·x_j with J_ij = J_ji = −v/2.
                (Some(a), Some(b)) => {
                    objective_j.push((a, b, -half));
                    objective_j.push((b, a, -half));
                }
                (Some(k), None) => objective_h[k] -= half * binaries.fixed_point[t.col],
                (None, Some(k)) => objective_h[k] -= half * binaries.fixed_point[t.row],
                (None, None) => objective_constant += half * binaries.fixed_point[t.row] * binaries.fixed_point[t.col],
            }
        }
        // Without free binaries every row is dropped or unsatisfiable, so there are no slacks.
        if binaries.free.is_empty() {
            let reason = if instance.n_vars() == 0 { "the instance has no variables" } else { "every variable is fixed" };
            return Err(ConversionError::NothingToSolve { instance: instance.name.clone(), reason: reason.into() });
        }
        let flips = flip_changes(instance);
        Ok(QumoModel {
            rows,
            flip_scale: flips.mean,
            flip_max: flips.max,
            range: CoefficientRange::of(instance),
            binaries,
            sense_sign: sign,
            objective_j,
            objective_h,
            objective_constant,
        })
    }

    /// The QUMO's binaries: the instance's free ones.
    pub fn n_binary(&self) -> usize {
        self.binaries.free.len()
    }

    /// The instance's assignment for the values of the QUMO's binaries (the first
    /// [`QumoModel::n_binary`] entries of a state), fixed binaries at their value.
    pub fn assignment(&self, binaries: &[f32]) -> Vec<f64> {
        let mut x = self.binaries.fixed_point.clone();
        for (&j, &v) in self.binaries.free.iter().zip(binaries) {
            x[j] = f64::from(v);
        }
        x
    }

    pub fn n_slack(&self) -> usize {
        self.rows.iter().filter(|r| r.slack.is_some()).count()
    }

    pub fn n_vars(&self) -> usize {
        self.n_binary() + self.n_slack()
    }

    /// Starting weights P_r = scale·δ/‖a_r‖².
    pub fn initial_weights(&self, penalty_scale: f64) -> PenaltyWeights {
        PenaltyWeights::initial(self, penalty_scale)
    }

    /// Builds J, h and the constant for these weights and multipliers.
    pub fn build(&self, weights: &PenaltyWeights) -> Qumo {
        let n = self.n_vars();
        let mut triplets = self.objective_j.clone();
        for (row, &p) in self.rows.iter().zip(weights.values()) {
            // P·(cᵀz − lo)² with c = (a, −d at the slack): J −= 2P·ccᵀ off the binary
            // diagonal (x² = x folds that into h, see `fields`).
            let c = self.penalty_coefficients(row);
            for &(i, ci) in &c {
                for &(j, cj) in &c {
                    if i != j || i >= self.n_binary() {
                        triplets.push((i, j, -2.0 * p * ci * cj));
                    }
                }
            }
        }
        let (h, constant) = self.fields(weights);
        Qumo { n, n_binary: self.n_binary(), j: SymmetricCsr::from_triplets(n, triplets), factored: self.factored(weights), h, constant }
    }

    /// J of [`QumoModel::build`] for these weights as L − Cᵀ·diag(2P)·C (see
    /// [`FactoredCouplings`]): n × n L, C with one row per encoded row.
    pub fn factored(&self, weights: &PenaltyWeights) -> FactoredCouplings {
        let mut local = self.objective_j.clone();
        let mut rows = Vec::with_capacity(self.rows.len());
        let mut row_weights = Vec::with_capacity(self.rows.len());
        for (row, &p) in self.rows.iter().zip(weights.values()) {
            let c = self.penalty_coefficients(row);
            local.extend(c.iter().filter(|&&(i, _)| i < self.n_binary()).map(|&(i, ci)| (i, i, 2.0 * p * ci * ci)));
            rows.push(c);
            row_weights.push(2.0 * p);
        }
        FactoredCouplings { local: SymmetricCsr::from_triplets(self.n_vars(), local), rows, row_weights }
    }

    /// h and the constant for these weights and multipliers (J does not depend on μ, so a
    /// multiplier step needs only this).
    pub fn fields(&self, weights: &PenaltyWeights) -> (Vec<f64>, f64) {
        let mut h = self.objective_h.clone();
        h.resize(self.n_vars(), 0.0);
        let mut constant = self.objective_constant;
        for ((row, &p), &mu) in self.rows.iter().zip(weights.values()).zip(weights.multipliers()) {
            // P·(cᵀz − lo)² + μ·(cᵀz − lo): h += (2P·lo − μ)·c, constant += P·lo² − μ·lo, and
            // the binary diagonal −P·c_i² of the square (x² = x).
            for (i, ci) in self.penalty_coefficients(row) {
                h[i] += (2.0 * p * row.lo - mu) * ci;
                if i < self.n_binary() {
                    h[i] -= p * ci * ci;
                }
            }
            constant += p * row.lo * row.lo - mu * row.lo;
        }
        (h, constant)
    }

    /// The row's coefficients over z = (x, s), sorted by variable: a on the free binaries (fixed
    /// ones are substituted), −d on its slack (which comes after every binary).
    fn penalty_coefficients(&self, row: &RowEncoding) -> Vec<(usize, f64)> {
        let mut c: Vec<(usize, f64)> = row.coefficients.iter().filter_map(|&(j, a)| Some((self.binaries.position[j]?, a))).collect();
        if let Some(s) = row.slack {
            c.push((self.n_binary() + s, -(row.hi - row.lo)));
        }
        c
    }

    /// The QUMO state of the instance's assignment `x`: its free binaries, then the closed-form
    /// best slacks s* = clip((a_rᵀx − lo_r)/d_r, 0, 1).
    pub fn with_best_slacks(&self, x: &[f64]) -> Vec<f64> {
        let mut z: Vec<f64> = self.binaries.free.iter().map(|&j| x[j]).collect();
        z.extend(self.rows.iter().filter(|r| r.slack.is_some()).map(|r| {
            ((r.activity(x) - r.lo) / (r.hi - r.lo)).clamp(0.0, 1.0)
        }));
        z
    }

    /// Penalised energy with optimal slacks: sense·f(x) + Σ P_r·dist(a_rᵀx, [lo_r, hi_r])².
    /// Equals min over s of E(x, s); used to rank configurations.
    pub fn penalised_energy(&self, objective: f64, x: &[f64], weights: &PenaltyWeights) -> f64 {
        self.sense_sign * objective
            + self.rows.iter().zip(weights.values()).map(|(r, p)| p * r.distance(x).powi(2)).sum::<f64>()
    }
}

//! Penalty weights P_r (row-normalised, adaptive, capped; constraint-handling.md) and the
//! Lagrange multipliers μ_r of the method of multipliers (augmented Lagrangian).

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::QumoModel;
use crate::model::Instance;

/// How far adaptive doubling may raise a row's weight above its starting value: uncapped
/// doubling drove λ to 1e12–1e17 in the prototype.
pub const MAX_PENALTY_GROWTH: f64 = 1024.0;

/// Random points averaged for δ; fixed seed so the QUMO is a pure function of the instance.
const FLIP_SAMPLES: usize = 32;
const FLIP_SEED: u64 = 0x005e_ed0f_f11b;

/// |f(x with one bit flipped) − f(x)| over random x (p = ½) and all bits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlipChanges {
    /// δ, the mean: the typical objective change of one move, so a unit-norm row violated by
    /// one unit costs about one move's worth.
    pub mean: f64,
    /// The largest change seen: the unit of the equality rows' weights (`--penalty-basis`).
    pub max: f64,
}

/// The one-flip changes of f; both fall back to 1 when the objective is constant.
pub fn flip_changes(instance: &Instance) -> FlipChanges {
    let n = instance.n_vars();
    if n == 0 {
        return FlipChanges { mean: 1.0, max: 1.0 };
    }
    // Symmetric S with f = ½xᵀSx + bᵀx: S_ij = S_ji = v/2 (i≠j), S_ii = v.
    let mut neighbours: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut diagonal = vec![0.0; n];
    for t in &instance.objective_quadratic {
        if t.row == t.col {
            diagonal[t.row] += t.value;
        } else {
            neighbours[t.row].push((t.col, 0.5 * t.value));
            neighbours[t.col].push((t.row, 0.5 * t.value));
        }
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(FLIP_SEED);
    let (mut total, mut largest) = (0.0, 0.0f64);
    for _ in 0..FLIP_SAMPLES {
        let x: Vec<f64> = (0..n).map(|_| if rng.random::<bool>() { 1.0 } else { 0.0 }).collect();
        for i in 0..n {
            let field: f64 = neighbours[i].iter().map(|&(j, s)| s * x[j]).sum();
            let change = (1.0 - 2.0 * x[i]) * (field + instance.objective_linear[i] + 0.5 * diagonal[i]);
            total += change.abs();
            largest = largest.max(change.abs());
        }
    }
    let positive = |v: f64| if v > 0.0 && v.is_finite() { v } else { 1.0 };
    FlipChanges { mean: positive(total / (FLIP_SAMPLES * n) as f64), max: positive(largest) }
}

/// The current P_r of every encoded row, with their starting values (for the cap), and the
/// multipliers μ_r of the linear terms μ_r·g_r, g_r = a_rᵀx − lo_r − d_r·s_r.
#[derive(Debug, Clone, PartialEq)]
pub struct PenaltyWeights {
    start: Vec<f64>,
    current: Vec<f64>,
    multipliers: Vec<f64>,
}

impl PenaltyWeights {
    pub(super) fn initial(model: &QumoModel, scale: f64) -> Self {
        let start: Vec<f64> = model.rows.iter().map(|r| scale * model.flip_scale / r.squared_norm().max(f64::MIN_POSITIVE)).collect();
        PenaltyWeights { current: start.clone(), multipliers: vec![0.0; start.len()], start }
    }

    pub fn values(&self) -> &[f64] {
        &self.current
    }

    /// μ_r of every encoded row (0 until the first multiplier step).
    pub fn multipliers(&self) -> &[f64] {
        &self.multipliers
    }

    /// One step of the method of multipliers on the equality rows (those without a slack):
    /// μ_r ← μ_r + 2P_r·ḡ_r, where ḡ_r is the mean over `samples` (binary assignments) of the
    /// row's residual a_rᵀx − lo_r. With the penalty P·g² the augmented Lagrangian's step size
    /// is ρ = 2P. Changes only h, never J or λ. Returns the largest |change| of any μ_r relative
    /// to its row's P_r (0 when none moved).
    ///
    /// Rows with a slack keep μ = 0: stepping them too (the residual at the best slack makes
    /// that well defined) was measured at 10 s on all 96 QBL instances (seed 1, one thread,
    /// loaded machine): it cost 4 best-knowns among the 54 inequality-only instances
    /// (QPLIB_10055, 10058, 10061, 10065) and gained none there.
    pub fn step_multipliers(&mut self, model: &QumoModel, samples: &[&[f64]]) -> f64 {
        if samples.is_empty() {
            return 0.0;
        }
        let mut largest: f64 = 0.0;
        for (r, row) in model.rows.iter().enumerate().filter(|(_, row)| row.slack.is_none()) {
            let (p, mu) = (self.current[r], self.multipliers[r]);
            let mean = samples.iter().map(|x| row.residual(x, mu, p)).sum::<f64>() / samples.len() as f64;
            let step = 2.0 * p * mean;
            self.multipliers[r] = mu + step;
            largest = largest.max((step / p).abs());
        }
        largest
    }

    /// Doubles the weight of each listed row, up to `MAX_PENALTY_GROWTH` (1024)× its start.
    /// Returns the rows whose weight actually changed.
    pub fn double(&mut self, rows: &[usize]) -> Vec<usize> {
        let mut changed = Vec::new();
        for &r in rows {
            let capped = (2.0 * self.current[r]).min(MAX_PENALTY_GROWTH * self.start[r]);
            if capped > self.current[r] {
                self.current[r] = capped;
                changed.push(r);
            }
        }
        changed
    }

    /// Multiplies row r's weight (and its start, so the cap moves with it) by `factor(r)`.
    pub fn scale_rows(&mut self, factor: impl Fn(usize) -> f64) {
        for r in 0..self.current.len() {
            self.current[r] *= factor(r);
            self.start[r] *= factor(r);
        }
    }

    /// Current weight over starting weight, the largest over all rows (1 when none).
    pub fn max_growth(&self) -> f64 {
        self.current.iter().zip(&self.start).map(|(c, s)| c / s).fold(1.0, f64::max)
    }
}

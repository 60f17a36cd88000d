//! Which binaries the QUMO keeps, and encoding linear rows as penalty terms
//! (constraint-handling.md, "Encoding").

use crate::model::{self, Instance, VarType};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConversionError {
    #[error("{instance}: unsupported for the QUMO conversion: {feature}")]
    Unsupported { instance: String, feature: String },
    #[error("{instance}: constraint {row} can never be satisfied by binaries ({detail})")]
    InfeasibleRow { instance: String, row: usize, detail: String },
    #[error("{instance}: binary variable x{variable} has no value in {{0, 1}} within its bounds [{lower}, {upper}]")]
    InfeasibleVariable { instance: String, variable: usize, lower: f64, upper: f64 },
    #[error("{instance}: nothing to solve: {reason}")]
    NothingToSolve { instance: String, reason: String },
}

/// The instance's binaries as the QUMO sees them: the free ones become its variables, in
/// order; the fixed ones (lower = upper once rounded to {0, 1}: how QPLIB writes a fixed
/// binary) are replaced by their value.
#[derive(Debug, Clone, PartialEq)]
pub struct Binaries {
    /// Instance index of each QUMO binary.
    pub free: Vec<usize>,
    /// QUMO index of each instance variable, None for a fixed one.
    pub position: Vec<Option<usize>>,
    /// The instance's assignment with every fixed binary at its value and every free one at 0.
    pub fixed_point: Vec<f64>,
}

impl Binaries {
    /// Checks that every variable is binary and sorts them into free and fixed.
    pub fn of(instance: &Instance) -> Result<Binaries, ConversionError> {
        if let Some(j) = instance.var_types.iter().position(|t| *t != VarType::Binary) {
            let kind = match instance.var_types[j] {
                VarType::Integer => "general integer",
                _ => "continuous",
            };
            return Err(unsupported(instance, format!("{kind} variable x{} (only binary variables are supported)", j + 1)));
        }
        let n = instance.n_vars();
        let mut binaries = Binaries { free: Vec::with_capacity(n), position: vec![None; n], fixed_point: vec![0.0; n] };
        for j in 0..n {
            let (lower, upper) = (instance.var_lower[j], instance.var_upper[j]);
            let (lo, hi) = (lower.ceil().max(0.0), upper.floor().min(1.0));
            if lo > hi {
                return Err(ConversionError::InfeasibleVariable { instance: instance.name.clone(), variable: j + 1, lower, upper });
            }
            if lo == hi {
                binaries.fixed_point[j] = lo;
            } else {
                binaries.position[j] = Some(binaries.free.len());
                binaries.free.push(j);
            }
        }
        Ok(binaries)
    }

    /// The fixed value of variable `j`, None when it is free.
    pub fn fixed(&self, j: usize) -> Option<f64> {
        self.position[j].is_none().then_some(self.fixed_point[j])
    }
}

/// One linear row as a penalty: target range [lo, hi] of a_rᵀx over the free binaries (the
/// fixed ones' part moved into the range), and the index (among slacks) of its slack when the
/// range has width d = hi − lo > 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RowEncoding {
    /// Index of the row in the instance.
    pub row: usize,
    /// `(instance variable, coefficient)` of the free binaries.
    pub coefficients: Vec<(usize, f64)>,
    pub lo: f64,
    pub hi: f64,
    pub slack: Option<usize>,
}

impl RowEncoding {
    pub fn activity(&self, x: &[f64]) -> f64 {
        self.coefficients.iter().map(|&(j, a)| a * x[j]).sum()
    }

    /// Distance of a_rᵀx from [lo, hi] (0 when the row holds).
    pub fn distance(&self, x: &[f64]) -> f64 {
        model::excess(self.activity(x), self.lo, self.hi)
    }

    /// The residual g = a_rᵀx − lo − d·s at the slack that minimises P·g² + μ·g for binary `x`:
    /// g = clamp(−μ/(2P), a_rᵀx − hi, a_rᵀx − lo) (g = a_rᵀx − lo without a slack). With μ = 0
    /// its magnitude is `distance`.
    pub fn residual(&self, x: &[f64], multiplier: f64, weight: f64) -> f64 {
        let activity = self.activity(x);
        (-multiplier / (2.0 * weight)).clamp(activity - self.hi, activity - self.lo)
    }

    pub fn squared_norm(&self) -> f64 {
        self.coefficients.iter().map(|(_, a)| a * a).sum()
    }
}

fn unsupported(instance: &Instance, feature: String) -> ConversionError {
    ConversionError::Unsupported { instance: instance.name.clone(), feature }
}

/// Encodes every row of a binary QP with linear rows that can be violated, over the free
/// binaries. Rows whose attainable range lies inside [cl, cu] are dropped; all-integer rows
/// get their bounds rounded inward (valid, and it shrinks slack ranges).
pub fn encode_rows(instance: &Instance, binaries: &Binaries) -> Result<Vec<RowEncoding>, ConversionError> {
    let mut rows = Vec::new();
    let mut n_slack = 0;
    for (r, c) in instance.constraints.iter().enumerate() {
        if !c.quadratic.is_empty() {
            return Err(unsupported(instance, format!("quadratic constraint c{}", r + 1)));
        }
        let fixed_part: f64 = c.linear.iter().filter_map(|&(j, a)| binaries.fixed(j).map(|v| a * v)).sum();
        let coefficients: Vec<(usize, f64)> = c.linear.iter().copied().filter(|&(j, _)| binaries.fixed(j).is_none()).collect();
        let (lower, upper) = (c.lower - fixed_part, c.upper - fixed_part);
        let (reach_lo, reach_hi) = model::binary_reach(&coefficients);
        let (mut lo, mut hi) = (lower.max(reach_lo), upper.min(reach_hi));
        if c.linear.iter().all(|&(_, a)| a.fract() == 0.0) {
            (lo, hi) = (lo.ceil(), hi.floor());
        }
        if lo > hi {
            return Err(ConversionError::InfeasibleRow {
                instance: instance.name.clone(),
                row: r + 1,
                detail: format!("bounds [{}, {}], attainable [{}, {}]", c.lower, c.upper, reach_lo + fixed_part, reach_hi + fixed_part),
            });
        }
        if lower <= reach_lo && reach_hi <= upper {
            continue;
        }
        let slack = (hi > lo).then(|| {
            n_slack += 1;
            n_slack - 1
        });
        rows.push(RowEncoding { row: r, coefficients, lo, hi, slack });
    }
    Ok(rows)
}

//! Encoding linear rows as penalty terms (constraint-handling.md, "Encoding").

use crate::model::{self, Instance, VarType};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConversionError {
    #[error("{instance}: unsupported for the QUMO conversion: {feature}")]
    Unsupported { instance: String, feature: String },
    #[error("{instance}: constraint {row} can never be satisfied by binaries ({detail})")]
    InfeasibleRow { instance: String, row: usize, detail: String },
}

/// One linear row as a penalty: target range [lo, hi] of a_rᵀx over binaries, and the index
/// (among slacks) of its slack when the range has width d = hi − lo > 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RowEncoding {
    /// Index of the row in the instance.
    pub row: usize,
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

/// Checks the instance is a binary QP with linear rows and encodes every row that can be
/// violated. Rows whose attainable range lies inside [cl, cu] are dropped; all-integer rows get
/// their bounds rounded inward (valid, and it shrinks slack ranges).
pub fn encode_rows(instance: &Instance) -> Result<Vec<RowEncoding>, ConversionError> {
    if let Some(j) = instance.var_types.iter().position(|t| *t != VarType::Binary) {
        let kind = match instance.var_types[j] {
            VarType::Integer => "general integer",
            _ => "continuous",
        };
        return Err(unsupported(instance, format!("{kind} variable x{} (only binary variables are supported)", j + 1)));
    }
    let mut rows = Vec::new();
    let mut n_slack = 0;
    for (r, c) in instance.constraints.iter().enumerate() {
        if !c.quadratic.is_empty() {
            return Err(unsupported(instance, format!("quadratic constraint c{}", r + 1)));
        }
        let reach_lo: f64 = c.linear.iter().map(|&(_, a)| a.min(0.0)).sum();
        let reach_hi: f64 = c.linear.iter().map(|&(_, a)| a.max(0.0)).sum();
        let (mut lo, mut hi) = (c.lower.max(reach_lo), c.upper.min(reach_hi));
        if c.linear.iter().all(|&(_, a)| a.fract() == 0.0) {
            (lo, hi) = (lo.ceil(), hi.floor());
        }
        if lo > hi {
            return Err(ConversionError::InfeasibleRow {
                instance: instance.name.clone(),
                row: r + 1,
                detail: format!("bounds [{}, {}], attainable [{reach_lo}, {reach_hi}]", c.lower, c.upper),
            });
        }
        if c.lower <= reach_lo && reach_hi <= c.upper {
            continue;
        }
        let slack = (hi > lo).then(|| {
            n_slack += 1;
            n_slack - 1
        });
        rows.push(RowEncoding { row: r, coefficients: c.linear.clone(), lo, hi, slack });
    }
    Ok(rows)
}

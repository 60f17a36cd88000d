//! The binary model the heuristic peers read (`scripts/reference_heuristics.py` documents the
//! JSON): the objective exactly as [`crate::model::objective`] computes it, the linear rows, and
//! for each row the weight AOC-DT's sweep starts its penalty at, in objective units per squared
//! row unit.

use serde::Serialize;

use super::lp::var_name;
use crate::model::{Instance, Sense};
use crate::qumo::QumoModel;
use crate::sweep::{starting_weights, SweepOptions};

#[derive(Debug, Serialize)]
pub struct BinaryModel {
    sense: &'static str,
    /// `x1 … xn`, the LP file's names, so both kinds of driver answer in the same names.
    variables: Vec<String>,
    /// Binaries whose bounds fix them: name → 0 or 1.
    fixed: serde_json::Map<String, serde_json::Value>,
    constant: f64,
    /// `(j, b_j)` with b_j ≠ 0.
    linear: Vec<(usize, f64)>,
    /// `(i, j, v)`: f gains v·x_i·x_j (QPLIB's ½ already applied).
    quadratic: Vec<(usize, usize, f64)>,
    rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
struct Row {
    /// `c<k+1>` for the instance's row k, as in the LP file.
    name: String,
    terms: Vec<(usize, f64)>,
    /// None: no such side.
    lo: Option<f64>,
    hi: Option<f64>,
    /// AOC-DT's starting penalty weight of the row.
    weight: f64,
}

impl BinaryModel {
    /// The model of `instance`.
    ///
    /// Errors (the peer is then skipped on the instance, with this reason): a variable that is not
    /// binary, a quadratic row, or a row no binary point satisfies — whatever the QUMO conversion
    /// refuses ([`QumoModel::new`]).
    pub fn new(instance: &Instance) -> Result<Self, String> {
        let qumo = QumoModel::new(instance).map_err(|e| e.to_string())?;
        let weights = starting_weights(&qumo, &SweepOptions::default(), None);
        let mut fixed = serde_json::Map::new();
        for j in (0..instance.n_vars()).filter(|&j| instance.var_lower[j] == instance.var_upper[j]) {
            fixed.insert(var_name(j), serde_json::Value::from(instance.var_lower[j]));
        }
        let side = |v: f64| v.is_finite().then_some(v);
        let rows = qumo
            .rows
            .iter()
            .zip(weights.values())
            .map(|(encoding, &weight)| {
                let row = &instance.constraints[encoding.row];
                Row {
                    name: format!("c{}", encoding.row + 1),
                    terms: row.linear.clone(),
                    lo: side(row.lower),
                    hi: side(row.upper),
                    weight,
                }
            })
            .collect();
        Ok(BinaryModel {
            sense: match instance.sense {
                Sense::Minimize => "minimize",
                Sense::Maximize => "maximize",
            },
            variables: (0..instance.n_vars()).map(var_name).collect(),
            fixed,
            constant: instance.objective_constant,
            linear: instance.objective_linear.iter().copied().enumerate().filter(|&(_, b)| b != 0.0).collect(),
            // QPLIB's convention: every listed entry weighs ½·v (crate::model::objective).
            quadratic: instance.objective_quadratic.iter().filter(|t| t.value != 0.0).map(|t| (t.row, t.col, 0.5 * t.value)).collect(),
            rows,
        })
    }
}

//! J in factored form: the objective's couplings plus the row penalties as a product of the
//! row matrix C with itself, J = L − Cᵀ·diag(2P)·C, L = J_obj + D. Rows of a few variables make
//! Σ_r c_r c_rᵀ dense where C is not (QPLIB_3380: J 5 % dense, C 823 short rows over 8,904
//! variables), so J·σ costs less as two passes over C than as one over J.

use super::SymmetricCsr;

/// J = L − Cᵀ·diag(2P)·C over z = (x, s) (n variables, m encoded rows), in f64:
///
/// * L = J_obj + D: the objective's couplings (n × n, symmetric) and the binary diagonal
///   D_ii = Σ_r 2P_r·c_ri² that J leaves out (x² = x moves it into h), so that adding it back
///   cancels the diagonal of Cᵀ·diag(2P)·C on the binaries;
/// * C: one row per encoded row, its coefficients c_r over z (a_r on the binaries, −d_r on its
///   slack), sorted by variable;
/// * 2P_r: each row's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct FactoredCouplings {
    pub local: SymmetricCsr,
    pub rows: Vec<Vec<(usize, f64)>>,
    pub row_weights: Vec<f64>,
}

impl FactoredCouplings {
    /// Stored entries of C.
    pub fn row_nonzeros(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// y = J·x (`x` and `y` have n entries).
    pub fn matvec(&self, x: &[f64], y: &mut [f64]) {
        self.local.matvec(x, y);
        for (row, &w) in self.rows.iter().zip(&self.row_weights) {
            let activity: f64 = row.iter().map(|&(j, c)| c * x[j]).sum();
            for &(i, c) in row {
                y[i] -= w * activity * c;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::random::{random_instance, RandomSpec};
    use crate::model::Sense;
    use crate::qumo::QumoModel;

    /// The factors multiply like J, also with unequal weights (D must cancel the binary diagonal
    /// of each row's square exactly where J leaves it out).
    #[test]
    fn factored_product_equals_the_built_couplings() {
        let instance = random_instance(RandomSpec { n: 25, rows: [2, 2, 1, 2], density: 0.3, sense: Sense::Maximize }, 11);
        let model = QumoModel::new(&instance).unwrap();
        let mut weights = model.initial_weights(1.0);
        weights.double(&[0, 3]);
        let qumo = model.build(&weights);
        let z: Vec<f64> = (0..qumo.n).map(|i| ((i * 7919) % 13) as f64 / 13.0).collect();
        let (mut direct, mut factored) = (vec![0.0; qumo.n], vec![0.0; qumo.n]);
        qumo.j.matvec(&z, &mut direct);
        qumo.factored.matvec(&z, &mut factored);
        for (i, (a, b)) in direct.iter().zip(&factored).enumerate() {
            assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "row {i}: {a} vs {b}");
        }
    }
}

//! One block's sub-problem: with z_rest held, the QUMO energy E(z) = −½zᵀJz − hᵀz + c splits
//! into E_sub(z_B) = −½z_BᵀJ_BB·z_B − bᵀz_B, b = J_{B,rest}·z_rest + h_B, plus a part that does
//! not depend on z_B. The machine sees b as couplings to one extra binary held at 1 (the
//! paper's fold): W = [[J_BB, b], [bᵀ, 0]] in the order (block binaries, extra binary, block
//! slacks), so that every non-ideality (quantization, the product's full scale and noise, the
//! channels' offsets) acts on b as it acts on J_BB.

use crate::engine::{Couplings, Csr, DynamicsProblem, ProductForm, Real};
use crate::qumo::Qumo;

/// A block of the QUMO's variables with the field of the rest at the current state.
#[derive(Debug, Clone, PartialEq)]
pub struct SubProblem {
    /// The block's QUMO variables, ascending: its binaries, then its slacks.
    pub variables: Vec<usize>,
    /// How many of `variables` are binaries.
    pub n_binary: usize,
    /// J_BB, k×k row-major (k = `variables.len()`).
    couplings: Vec<f64>,
    /// b = J_{B,rest}·z_rest + h_B, one entry per block variable.
    pub field: Vec<f64>,
}

impl SubProblem {
    /// The sub-problem of `block` (distinct QUMO variable indices, any order) at the state `z`
    /// (`qumo.n` entries). Panics on an index out of range (callers build blocks from 0..n).
    pub fn new(qumo: &Qumo, z: &[f64], block: &[usize]) -> SubProblem {
        let mut variables = block.to_vec();
        variables.sort_unstable();
        let k = variables.len();
        let mut local = vec![None; qumo.n];
        for (a, &i) in variables.iter().enumerate() {
            local[i] = Some(a);
        }
        let mut couplings = vec![0.0; k * k];
        let mut field = Vec::with_capacity(k);
        for (a, &i) in variables.iter().enumerate() {
            let mut b = qumo.h[i];
            for (j, v) in qumo.j.row(i) {
                match local[j] {
                    Some(c) => couplings[a * k + c] = v,
                    None => b += v * z[j],
                }
            }
            field.push(b);
        }
        let n_binary = variables.iter().take_while(|&&i| i < qumo.n_binary).count();
        SubProblem { variables, n_binary, couplings, field }
    }

    /// The block's part of `z` (whole-QUMO state).
    pub fn restrict(&self, z: &[f64]) -> Vec<f64> {
        self.variables.iter().map(|&i| z[i]).collect()
    }

    /// Writes the block's values `block_values` into the whole state `z`.
    pub fn write(&self, block_values: &[f64], z: &mut [f64]) {
        for (&i, &v) in self.variables.iter().zip(block_values) {
            z[i] = v;
        }
    }

    /// E_sub(σ) = −½σᵀJ_BBσ − bᵀσ in f64 for the block's values σ: the QUMO energy of the
    /// whole state with σ in the block, minus a part the block does not change.
    pub fn energy(&self, sigma: &[f64]) -> f64 {
        let k = self.variables.len();
        (0..k).map(|a| sigma[a] * (-0.5 * (0..k).map(|c| self.couplings[a * k + c] * sigma[c]).sum::<f64>() - self.field[a])).sum()
    }

    /// The machine's variable of the extra binary: after the block's binaries.
    pub fn pin_index(&self) -> usize {
        self.n_binary
    }

    /// Variables the machine holds: the block and the extra binary.
    pub fn machine_variables(&self) -> usize {
        self.variables.len() + 1
    }

    /// The block variable at machine variable `v` (`None`: the extra binary).
    fn block_index(&self, v: usize) -> Option<usize> {
        match v.cmp(&self.pin_index()) {
            std::cmp::Ordering::Less => Some(v),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(v - 1),
        }
    }

    /// W, (k+1)×(k+1) row-major in the machine's order: J_BB, and b between the block and the
    /// extra binary (W_pin,pin = 0).
    pub fn machine_matrix(&self) -> Vec<f64> {
        let (k, m) = (self.variables.len(), self.machine_variables());
        let mut w = vec![0.0; m * m];
        for r in 0..m {
            for c in 0..m {
                w[r * m + c] = match (self.block_index(r), self.block_index(c)) {
                    (Some(a), Some(b)) => self.couplings[a * k + b],
                    (Some(a), None) | (None, Some(a)) => self.field[a],
                    (None, None) => 0.0,
                };
            }
        }
        w
    }

    /// The problem the engine loads: W in `form` (dense or sparse), fields 0 on the block and
    /// `pin` on the extra binary, which with the binary started at 1 holds it there
    /// ([`pin_field`]). With σ_pin = 1 its energy is E_sub(σ_B) − pin. Errors: the factored form
    /// (W is what the machine holds).
    pub fn folded<T: Real>(&self, pin: f64, form: ProductForm) -> anyhow::Result<DynamicsProblem<T>> {
        let m = self.machine_variables();
        let w = self.machine_matrix();
        let couplings = match form {
            ProductForm::Dense => Couplings::Dense(w.iter().map(|&v| T::from_f64(v)).collect()),
            ProductForm::Sparse => Couplings::Sparse(Csr::from_rows(w.chunks_exact(m).map(|row| row.iter().copied().enumerate().filter(|&(_, v)| v != 0.0)))),
            ProductForm::Factored => anyhow::bail!("a BCD sub-problem is the machine's matrix W itself: load it dense or sparse, not factored"),
        };
        let mut h = vec![T::ZERO; m];
        h[self.pin_index()] = T::from_f64(pin);
        Ok(DynamicsProblem { n: m, n_binary: self.n_binary + 1, couplings, h })
    }

    /// The block's values in one machine state (`machine_variables` entries), in f64.
    pub fn block_values(&self, state: &[f32]) -> Vec<f64> {
        state.iter().enumerate().filter(|&(v, _)| v != self.pin_index()).map(|(_, &s)| f64::from(s)).collect()
    }
}

/// The field that holds the extra binary at the upper wall x = 1 from an initial x = 1: its
/// step is x + dt·G·(F + h) − dt·α·(x − ½) + m·(x − y), which stays ≥ 1 (and is clamped to 1)
/// when F + h ≥ α/(2G) = a·λ/2 (α ≤ α0 = a/g, G = 1/(g·λ)) and F ≥ −(1 + 2√3·√5.5e-3)·‖W‖∞
/// (the product's full scale and the noise's bound). `annealing_max` is the largest a,
/// `full_scale` ‖W‖∞; twice the bound leaves margin for the channels' gains and offsets.
pub fn pin_field(lambda: f64, annealing_max: f64, full_scale: f64) -> f64 {
    2.0 * (0.5 * annealing_max * lambda + 1.3 * full_scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qumo::SymmetricCsr;

    fn qumo() -> Qumo {
        // 3 binaries and a slack: J with a slack diagonal, h on every variable.
        let j = SymmetricCsr::from_triplets(4, vec![(0, 1, 1.5), (1, 0, 1.5), (1, 3, -2.0), (3, 1, -2.0), (0, 2, 0.5), (2, 0, 0.5), (3, 3, -4.0)]);
        let factored = crate::qumo::FactoredCouplings { local: j.clone(), rows: Vec::new(), row_weights: Vec::new() };
        Qumo { n: 4, n_binary: 3, j, factored, h: vec![1.0, -0.5, 0.25, 2.0], constant: 3.0 }
    }

    #[test]
    fn the_extra_binary_sits_after_the_block_binaries() {
        let sub = SubProblem::new(&qumo(), &[1.0, 0.0, 1.0, 0.5], &[3, 1]);
        assert_eq!((sub.variables.clone(), sub.n_binary, sub.pin_index()), (vec![1, 3], 1, 1));
        // b_1 = h_1 + J_10·z_0 + J_12·z_2 = −0.5 + 1.5; b_3 = h_3 = 2.
        assert_eq!(sub.field, vec![1.0, 2.0]);
        assert_eq!(sub.machine_matrix(), vec![0.0, 1.0, -2.0, 1.0, 0.0, 2.0, -2.0, 2.0, -4.0]);
        assert_eq!(sub.block_values(&[1.0, 1.0, 0.25]), vec![1.0, 0.25]);
        let folded: DynamicsProblem<f64> = sub.folded(7.0, ProductForm::Sparse).unwrap();
        assert_eq!((folded.n, folded.n_binary, folded.h.clone()), (3, 2, vec![0.0, 7.0, 0.0]));
        assert!(sub.folded::<f32>(7.0, ProductForm::Factored).unwrap_err().to_string().contains("dense or sparse"));
    }
}

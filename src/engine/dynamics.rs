use super::Real;
use crate::qumo::Qumo;

/// Density below which the CSR product beats the dense GEMM on the CPU engine.
/// (A dense GEMM runs ~10× more flops per second than a scalar sparse product.)
pub const SPARSE_DENSITY_THRESHOLD: f64 = 0.1;

/// J in the engine's precision `T` (f32 for the GPU engine and by default).
#[derive(Debug, Clone, PartialEq)]
pub enum Couplings<T = f32> {
    /// Row-major n×n.
    Dense(Vec<T>),
    Sparse { row_ptr: Vec<u32>, cols: Vec<u32>, values: Vec<T> },
}

/// The QUMO as the engines see it: J and h in precision `T`, binaries first.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicsProblem<T = f32> {
    pub n: usize,
    pub n_binary: usize,
    pub couplings: Couplings<T>,
    pub h: Vec<T>,
}

impl<T: Real> DynamicsProblem<T> {
    /// Chooses dense or sparse storage by density unless `force_dense` is given.
    pub fn from_qumo(qumo: &Qumo, force_dense: Option<bool>) -> Self {
        let n = qumo.n;
        let dense = force_dense.unwrap_or(qumo.j.density() >= SPARSE_DENSITY_THRESHOLD);
        let couplings = if dense {
            let mut values = vec![T::ZERO; n * n];
            for i in 0..n {
                for (j, v) in qumo.j.row(i) {
                    values[i * n + j] = T::from_f64(v);
                }
            }
            Couplings::Dense(values)
        } else {
            Couplings::Sparse {
                row_ptr: qumo.j.row_ptr.iter().map(|&p| p as u32).collect(),
                cols: qumo.j.cols.iter().map(|&c| c as u32).collect(),
                values: qumo.j.values.iter().map(|&v| T::from_f64(v)).collect(),
            }
        };
        DynamicsProblem { n, n_binary: qumo.n_binary, couplings, h: qumo.h.iter().map(|&v| T::from_f64(v)).collect() }
    }

    /// The same problem in precision `U` (exact when widening f32 to f64).
    pub fn converted<U: Real>(&self) -> DynamicsProblem<U> {
        let convert = |values: &[T]| values.iter().map(|v| U::from_f64(v.to_f64())).collect();
        let couplings = match &self.couplings {
            Couplings::Dense(values) => Couplings::Dense(convert(values)),
            Couplings::Sparse { row_ptr, cols, values } => Couplings::Sparse { row_ptr: row_ptr.clone(), cols: cols.clone(), values: convert(values) },
        };
        DynamicsProblem { n: self.n, n_binary: self.n_binary, couplings, h: convert(&self.h) }
    }

    pub fn is_sparse(&self) -> bool {
        matches!(self.couplings, Couplings::Sparse { .. })
    }

    /// Non-zeros of J the product touches per replica and iteration.
    pub fn product_nonzeros(&self) -> usize {
        match &self.couplings {
            Couplings::Dense(_) => self.n * self.n,
            Couplings::Sparse { values, .. } => values.len(),
        }
    }

    /// Bytes of J and h as stored.
    pub fn memory_bytes(&self) -> usize {
        let couplings = match &self.couplings {
            Couplings::Dense(values) => size_of_val(values.as_slice()),
            Couplings::Sparse { row_ptr, cols, values } => size_of_val(row_ptr.as_slice()) + size_of_val(cols.as_slice()) + size_of_val(values.as_slice()),
        };
        couplings + size_of_val(self.h.as_slice())
    }

    /// (J·v)_i in f64 accumulation over the entries.
    pub fn row_dot(&self, i: usize, v: &[T]) -> f64 {
        match &self.couplings {
            Couplings::Dense(values) => {
                values[i * self.n..(i + 1) * self.n].iter().zip(v).map(|(&a, &b)| a.to_f64() * b.to_f64()).sum()
            }
            Couplings::Sparse { row_ptr, cols, values } => {
                let range = row_ptr[i] as usize..row_ptr[i + 1] as usize;
                cols[range.clone()].iter().zip(&values[range]).map(|(&j, &a)| a.to_f64() * v[j as usize].to_f64()).sum()
            }
        }
    }

    /// E = −½σᵀJσ − hᵀσ in f64 for one replica's σ.
    pub fn energy(&self, sigma: &[T]) -> f64 {
        (0..self.n).map(|i| sigma[i].to_f64() * (-0.5 * self.row_dot(i, sigma) - self.h[i].to_f64())).sum()
    }
}

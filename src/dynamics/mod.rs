//! The dynamics' data, shared by the engines that run them and the hardware model that shapes
//! them: J (dense, CSR or factored) and h in a float type `Real`, and the product J·σ's forms.

mod real;

pub use real::Real;
use crate::qumo::{FactoredCouplings, Qumo};

/// Density below which the CSR product beats the dense GEMM on the CPU engine.
/// (A dense GEMM runs ~10× more flops per second than a scalar sparse product.)
pub const SPARSE_DENSITY_THRESHOLD: f64 = 0.1;

/// What one row of a CSR pass costs beyond its entries, in entries: its result vector written
/// (and in the factored form the activities read back). With 2, QBL instances whose rows are
/// three binaries and a slack (QPLIB_2315, 3584, 3757, 3772, 3860: about 10 % fewer entries
/// factored, but twice the rows) stay sparse; factored they ran 0.5–0.9× as fast on the CPU
/// engine (2357, 3762, 3883 of the same kind: 1.0–1.2×).
const ROW_COST: f64 = 2.0;

/// How the engines store J and multiply by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductForm {
    /// J as an n×n matrix: a GEMM.
    Dense,
    /// J in CSR: one pass over its non-zeros.
    Sparse,
    /// J = L − Cᵀ·diag(2P)·C: a pass over the rows C, then one over L and Cᵀ.
    Factored,
}

impl ProductForm {
    /// The form as `--product` spells it.
    pub fn name(self) -> &'static str {
        match self {
            ProductForm::Dense => "dense",
            ProductForm::Sparse => "sparse",
            ProductForm::Factored => "factored",
        }
    }

    /// The cheapest form for `qumo` by the cost model: dense or sparse by J's density as always,
    /// then factored when it costs less than that choice.
    ///
    /// Costs per replica and iteration, in CSR entries (one multiply-add over a vector of
    /// replicas): nnz(J) + ROW_COST·n sparse; nnz(L) + 2·nnz(C) + ROW_COST·(n + m) factored (C
    /// once for the m activities, Cᵀ once in the sums); SPARSE_DENSITY_THRESHOLD·n² dense, since
    /// a GEMM runs about 1/threshold times as many entries per second.
    pub fn cheapest(qumo: &Qumo) -> ProductForm {
        let stored = if qumo.j.density() >= SPARSE_DENSITY_THRESHOLD { ProductForm::Dense } else { ProductForm::Sparse };
        if ProductForm::Factored.cost(qumo) < stored.cost(qumo) { ProductForm::Factored } else { stored }
    }

    fn cost(self, qumo: &Qumo) -> f64 {
        let (n, f) = (qumo.n as f64, &qumo.factored);
        match self {
            ProductForm::Dense => SPARSE_DENSITY_THRESHOLD * n * n,
            ProductForm::Sparse => qumo.j.nnz() as f64 + ROW_COST * n,
            ProductForm::Factored => (f.local.nnz() + 2 * f.row_nonzeros()) as f64 + ROW_COST * (n + f.rows.len() as f64),
        }
    }
}

/// A matrix in compressed sparse rows with entries in precision `T` (f32 by default), each
/// row's entries in ascending column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Csr<T = f32> {
    /// rows + 1 offsets into `cols` and `values`.
    pub row_ptr: Vec<u32>,
    pub cols: Vec<u32>,
    pub values: Vec<T>,
}

impl<T: Real> Csr<T> {
    /// From each row's `(column, value)` entries in column order, rounded to `T`.
    pub fn from_rows<R: IntoIterator<Item = (usize, f64)>>(rows: impl IntoIterator<Item = R>) -> Csr<T> {
        let (mut row_ptr, mut cols, mut values) = (vec![0u32], Vec::new(), Vec::new());
        for row in rows {
            for (j, v) in row {
                cols.push(j as u32);
                values.push(T::from_f64(v));
            }
            row_ptr.push(cols.len() as u32);
        }
        Csr { row_ptr, cols, values }
    }

    pub fn rows(&self) -> usize {
        self.row_ptr.len() - 1
    }

    pub fn nonzeros(&self) -> usize {
        self.values.len()
    }

    /// Row i's columns and values.
    pub fn row(&self, i: usize) -> (&[u32], &[T]) {
        let range = self.row_ptr[i] as usize..self.row_ptr[i + 1] as usize;
        (&self.cols[range.clone()], &self.values[range])
    }

    /// The same matrix in precision `U` (exact when widening f32 to f64).
    fn converted<U: Real>(&self) -> Csr<U> {
        Csr { row_ptr: self.row_ptr.clone(), cols: self.cols.clone(), values: self.values.iter().map(|v| U::from_f64(v.to_f64())).collect() }
    }

    fn bytes(&self) -> usize {
        size_of_val(self.row_ptr.as_slice()) + size_of_val(self.cols.as_slice()) + size_of_val(self.values.as_slice())
    }

    /// Σ_j a_ij·v(j) over row i in stored order, in f64.
    fn row_dot(&self, i: usize, v: impl Fn(usize) -> f64) -> f64 {
        let (cols, values) = self.row(i);
        cols.iter().zip(values).map(|(&j, &a)| a.to_f64() * v(j as usize)).sum()
    }
}

/// J in the engine's precision `T` (f32 for the GPU engine and by default).
#[derive(Debug, Clone, PartialEq)]
pub enum Couplings<T = f32> {
    /// Row-major n×n.
    Dense(Vec<T>),
    /// n×n.
    Sparse(Csr<T>),
    /// J·σ = couplings·[σ; u] with the activities u = rows·σ (m per replica), which is
    /// L·σ − Cᵀ·(2P ⊙ C·σ) (see [`FactoredCouplings`]).
    Factored {
        /// m×n: row r is −2P_r·c_r.
        rows: Csr<T>,
        /// n×(n + m): row i is L's row i, then c_ri at column n + r for each row r holding
        /// variable i (in row order).
        couplings: Csr<T>,
    },
}

impl<T: Real> Couplings<T> {
    pub fn form(&self) -> ProductForm {
        match self {
            Couplings::Dense(_) => ProductForm::Dense,
            Couplings::Sparse(_) => ProductForm::Sparse,
            Couplings::Factored { .. } => ProductForm::Factored,
        }
    }

    /// Activities per replica the product keeps beside σ: m when factored, else none.
    pub fn activities(&self) -> usize {
        match self {
            Couplings::Factored { rows, .. } => rows.rows(),
            Couplings::Dense(_) | Couplings::Sparse(_) => 0,
        }
    }
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
    /// J in `form`, or in [`ProductForm::cheapest`] when `None`.
    pub fn from_qumo(qumo: &Qumo, form: Option<ProductForm>) -> Self {
        let n = qumo.n;
        let couplings = match form.unwrap_or_else(|| ProductForm::cheapest(qumo)) {
            ProductForm::Dense => {
                let mut values = vec![T::ZERO; n * n];
                for i in 0..n {
                    for (j, v) in qumo.j.row(i) {
                        values[i * n + j] = T::from_f64(v);
                    }
                }
                Couplings::Dense(values)
            }
            ProductForm::Sparse => Couplings::Sparse(Csr::from_rows((0..n).map(|i| qumo.j.row(i)))),
            ProductForm::Factored => factored(&qumo.factored, n),
        };
        DynamicsProblem { n, n_binary: qumo.n_binary, couplings, h: qumo.h.iter().map(|&v| T::from_f64(v)).collect() }
    }

    /// The same problem in precision `U` (exact when widening f32 to f64).
    pub fn converted<U: Real>(&self) -> DynamicsProblem<U> {
        let couplings = match &self.couplings {
            Couplings::Dense(values) => Couplings::Dense(values.iter().map(|v| U::from_f64(v.to_f64())).collect()),
            Couplings::Sparse(csr) => Couplings::Sparse(csr.converted()),
            Couplings::Factored { rows, couplings } => Couplings::Factored { rows: rows.converted(), couplings: couplings.converted() },
        };
        DynamicsProblem { n: self.n, n_binary: self.n_binary, couplings, h: self.h.iter().map(|v| U::from_f64(v.to_f64())).collect() }
    }

    /// Multiply-adds of one product J·σ per replica: n² dense, the stored entries otherwise.
    pub fn product_nonzeros(&self) -> usize {
        match &self.couplings {
            Couplings::Dense(_) => self.n * self.n,
            Couplings::Sparse(csr) => csr.nonzeros(),
            Couplings::Factored { rows, couplings } => rows.nonzeros() + couplings.nonzeros(),
        }
    }

    /// Bytes of J and h as stored.
    pub fn memory_bytes(&self) -> usize {
        let couplings = match &self.couplings {
            Couplings::Dense(values) => size_of_val(values.as_slice()),
            Couplings::Sparse(csr) => csr.bytes(),
            Couplings::Factored { rows, couplings } => rows.bytes() + couplings.bytes(),
        };
        couplings + size_of_val(self.h.as_slice())
    }

    /// (J·v)_i in f64 accumulation over the entries. Factored: each activity u_r in f64
    /// first, then row i of `couplings` over [v; u], every sum in stored order.
    pub fn row_dot(&self, i: usize, v: &[T]) -> f64 {
        let v_at = |j: usize| v[j].to_f64();
        match &self.couplings {
            Couplings::Dense(values) => {
                values[i * self.n..(i + 1) * self.n].iter().zip(v).map(|(&a, &b)| a.to_f64() * b.to_f64()).sum()
            }
            Couplings::Sparse(csr) => csr.row_dot(i, v_at),
            Couplings::Factored { rows, couplings } => {
                couplings.row_dot(i, |j| if j < self.n { v_at(j) } else { rows.row_dot(j - self.n, v_at) })
            }
        }
    }

    /// E = −½σᵀJσ − hᵀσ in f64 for one replica's σ.
    pub fn energy(&self, sigma: &[T]) -> f64 {
        (0..self.n).map(|i| sigma[i].to_f64() * (-0.5 * self.row_dot(i, sigma) - self.h[i].to_f64())).sum()
    }
}

/// The engines' factored couplings: C scaled by −2P for the activities, and L with Cᵀ beside it.
fn factored<T: Real>(f: &FactoredCouplings, n: usize) -> Couplings<T> {
    let mut holding: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (r, row) in f.rows.iter().enumerate() {
        for &(i, c) in row {
            holding[i].push((n + r, c));
        }
    }
    let rows = Csr::from_rows(f.rows.iter().zip(&f.row_weights).map(|(row, &w)| row.iter().map(move |&(j, c)| (j, -w * c))));
    let couplings = Csr::from_rows(holding.into_iter().enumerate().map(|(i, held)| f.local.row(i).chain(held)));
    Couplings::Factored { rows, couplings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Constraint, Instance, QuadTerm, Sense};
    use crate::qumo::QumoModel;

    /// n binaries with objective couplings along a chain (or between every pair), and one-hot
    /// rows over consecutive groups of `row_length` variables.
    fn one_hot_groups(n: usize, row_length: usize, every_pair: bool) -> Qumo {
        let quadratic = (0..n).flat_map(|row| (0..row).filter(move |&col| every_pair || col + 1 == row).map(move |col| QuadTerm { row, col, value: 1.0 }));
        let rows = (0..n / row_length).map(|g| Constraint { lower: 1.0, upper: 1.0, linear: (g * row_length..(g + 1) * row_length).map(|j| (j, 1.0)).collect(), quadratic: Vec::new() });
        let instance = Instance::binary("groups", Sense::Minimize, quadratic.collect(), vec![0.0; n], 0.0, rows.collect());
        let model = QumoModel::new(&instance).unwrap();
        model.build(&model.initial_weights(1.0))
    }

    #[test]
    fn the_cost_model_factors_long_rows_only() {
        // Rows of 10: J gains 90 entries a row, the factors 30 (C twice and D) and a row.
        assert_eq!(ProductForm::cheapest(&one_hot_groups(400, 10, false)), ProductForm::Factored);
        // Rows of 3: J gains 6 entries a row, the factors 9 and a row.
        assert_eq!(ProductForm::cheapest(&one_hot_groups(400, 3, false)), ProductForm::Sparse);
        // J dense from the objective alone: the GEMM.
        assert_eq!(ProductForm::cheapest(&one_hot_groups(100, 10, true)), ProductForm::Dense);
    }

    /// Every form holds the same J: equal rows up to the f32 rounding of the products of factors.
    #[test]
    fn every_form_multiplies_like_j() {
        let qumo = one_hot_groups(60, 7, false);
        let forms = [ProductForm::Dense, ProductForm::Sparse, ProductForm::Factored].map(|form| DynamicsProblem::from_qumo(&qumo, Some(form)));
        let v: Vec<f32> = (0..qumo.n).map(|i| (i % 3) as f32 / 2.0).collect();
        for i in 0..qumo.n {
            let exact: f64 = qumo.j.row(i).map(|(j, a)| a * v[j] as f64).sum();
            for problem in &forms {
                let got = problem.row_dot(i, &v);
                assert!((got - exact).abs() <= 1e-6 * exact.abs().max(1.0), "{:?}, row {i}: {got} vs {exact}", problem.couplings.form());
            }
        }
    }
}

//! The problems `aocbench perf` runs: random dense couplings of a given size, and QPLIB
//! instances converted exactly as `solve` converts them.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::engine::{Couplings, DynamicsProblem, ProductForm, ReplicaParams};
use crate::qumo::QumoModel;
use crate::spectrum::{extreme_eigenvalues, normalisation_lambda, LambdaRule};
use crate::sweep::{Configuration, ParameterRanges};
use crate::table::whole;

/// A problem to time, with the λ its replica parameters are normalised by.
pub struct Workload {
    /// `dense` or the instance name.
    pub name: String,
    pub problem: DynamicsProblem,
    pub lambda: f64,
}

impl Workload {
    /// Random symmetric J with zero diagonal, all variables binary and no field, as in the
    /// anchor script. Entries are uniform in ±√3/(2√n), so by the semicircle law the spectrum
    /// fills [−1, 1] and λ = 1 without a Lanczos run on a large dense matrix.
    pub fn dense(n: usize, seed: u64) -> Workload {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let scale = 3f32.sqrt() / (2.0 * (n.max(1) as f32).sqrt());
        let mut j = vec![0.0f32; n * n];
        for r in 0..n {
            for c in 0..r {
                let v = rng.random_range(-scale..scale);
                j[r * n + c] = v;
                j[c * n + r] = v;
            }
        }
        let problem = DynamicsProblem { n, n_binary: n, couplings: Couplings::Dense(j), h: vec![0.0; n] };
        Workload { name: "dense".into(), problem, lambda: 1.0 }
    }

    /// The QUMO `model` of the instance `name` at the starting penalty weights, J in `product`
    /// (`None`: as `solve` chooses it), with the spectral-radius λ. Reports the set-up times on
    /// stderr.
    pub fn qplib(name: &str, model: &QumoModel, product: Option<ProductForm>) -> Workload {
        let started = Instant::now();
        let qumo = model.build(&model.initial_weights(1.0));
        let build_s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let eigenvalues = extreme_eigenvalues(qumo.n, |v, out| qumo.j.matvec(v, out), 0);
        let lambda_s = started.elapsed().as_secs_f64();
        let problem = DynamicsProblem::from_qumo(&qumo, product);
        crate::errln!(
            "{}: QUMO n = {} ({} slacks), nnz(J) = {} (density {:.4}), {} rows with {} entries, nnz(J_obj + D) = {}; {} product of {} entries; build {build_s:.2} s, λ {lambda_s:.2} s",
            name,
            whole(qumo.n),
            whole(qumo.n_slack()),
            whole(qumo.j.nnz()),
            qumo.j.density(),
            whole(qumo.factored.rows.len()),
            whole(qumo.factored.row_nonzeros()),
            whole(qumo.factored.local.nnz()),
            problem.couplings.form().name(),
            whole(problem.product_nonzeros()),
        );
        Workload { name: name.to_string(), problem, lambda: normalisation_lambda(eigenvalues, LambdaRule::SpectralRadius) }
    }

    /// Replica parameters drawn uniformly from the sweep's default ranges, and initial states
    /// U(±1/√n) as the sweep draws them.
    pub fn batch_inputs(&self, replicas: usize, seed: u64) -> (Vec<ReplicaParams>, Vec<f32>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let ranges = ParameterRanges::default();
        let mut draw = |(lo, hi): (f32, f32)| if lo < hi { rng.random_range(lo..hi) } else { lo };
        let params = (0..replicas)
            .map(|_| Configuration { a: draw(ranges.annealing), g: draw(ranges.gradient), m: draw(ranges.momentum) }.replica_params(self.lambda))
            .collect();
        let n = self.problem.n;
        let amplitude = 1.0 / (n.max(1) as f32).sqrt();
        let initial = (0..replicas * n).map(|_| draw((-amplitude, amplitude))).collect();
        (params, initial)
    }
}

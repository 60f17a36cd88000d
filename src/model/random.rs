//! Random QBL instances with known structure, for tests and benchmarks.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

pub use super::all_binary_points;
use super::{Constraint, Instance, QuadTerm, Sense};

/// A seed for a randomized test: `AOCBENCH_TEST_SEED` when set (to replay a failure), else
/// fresh from the clock; printed, so a failing run names it.
pub fn fresh_seed() -> u64 {
    let seed = std::env::var("AOCBENCH_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_nanos() as u64
    });
    crate::errln!("random seed {seed} (AOCBENCH_TEST_SEED={seed} replays it)");
    seed
}

/// Shape of a random instance.
#[derive(Debug, Clone, Copy)]
pub struct RandomSpec {
    pub n: usize,
    /// Rows of each kind: ≤, ≥, ranged, equality.
    pub rows: [usize; 4],
    /// Probability of each off-diagonal objective entry.
    pub density: f64,
    pub sense: Sense,
}

/// A binary QP with integer coefficients in [−10, 10] and rows built around a random binary
/// point, so the instance is feasible. Equality rows use small 0/1 coefficients.
pub fn random_instance(spec: RandomSpec, seed: u64) -> Instance {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let n = spec.n;
    let mut objective_quadratic = Vec::new();
    for col in 0..n {
        for row in col..n {
            let keep = if row == col { rng.random_bool(0.3) } else { rng.random_bool(spec.density) };
            if keep {
                objective_quadratic.push(QuadTerm { row, col, value: rng.random_range(-10..=10) as f64 });
            }
        }
    }
    objective_quadratic.retain(|t| t.value != 0.0);
    objective_quadratic.sort_by_key(|t| (t.row, t.col));
    let objective_linear = (0..n).map(|_| rng.random_range(-10..=10) as f64).collect();
    let point: Vec<f64> = (0..n).map(|_| if rng.random_bool(0.5) { 1.0 } else { 0.0 }).collect();
    let mut constraints = Vec::new();
    for (kind, &count) in spec.rows.iter().enumerate() {
        for _ in 0..count {
            let mut linear: Vec<(usize, f64)> = Vec::new();
            for j in 0..n {
                let a = if kind == 3 { 1.0 } else { rng.random_range(-5..=9) as f64 };
                if rng.random_bool(0.6) && a != 0.0 {
                    linear.push((j, a));
                }
            }
            if linear.is_empty() {
                linear.push((rng.random_range(0..n), 1.0));
            }
            let at_point: f64 = linear.iter().map(|&(j, a)| a * point[j]).sum();
            let slack = rng.random_range(0..=3) as f64;
            let (lower, upper) = match kind {
                0 => (f64::NEG_INFINITY, at_point + slack),
                1 => (at_point - slack, f64::INFINITY),
                2 => (at_point - slack, at_point + rng.random_range(0..=3) as f64),
                _ => (at_point, at_point),
            };
            constraints.push(Constraint { lower, upper, linear, quadratic: Vec::new() });
        }
    }
    let objective_constant = rng.random_range(-5..=5) as f64;
    let name = format!("random_n{n}_m{}_s{seed}", constraints.len());
    Instance::binary(&name, spec.sense, objective_quadratic, objective_linear, objective_constant, constraints)
}

/// The true optimum of a small all-binary instance by enumeration (n ≤ 20), judged by the
/// exact model; `None` when no point is feasible.
pub fn brute_force_optimum(instance: &Instance) -> Option<f64> {
    super::enumerated_optimum(instance, 20).expect("a small all-binary instance")
}

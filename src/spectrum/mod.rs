//! Extreme eigenvalues of the coupling matrix and the normalisation λ derived from them
//! (spec §3.1).
//!
//! The solver divides every gradient by λ, so λ sets the effective step size of the whole run;
//! it only needs the two ends of the spectrum, which Lanczos finds from matrix-vector products
//! alone (the matrices are sparse and can have n ≈ 10,000).

mod lanczos;

use lanczos::{MAX_BASIS, lanczos_extremes, symmetric_eigen};

/// Smallest and largest eigenvalue of a real symmetric matrix.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ExtremeEigenvalues {
    pub min: f64,
    pub max: f64,
}

/// Up to this order the matrix is assembled from n products with unit vectors and
/// diagonalised densely: exact, and cheaper than a Krylov iteration at that size.
const DENSE_LIMIT: usize = 64;

/// The extreme eigenvalues of the symmetric `n × n` matrix A given as `matvec(x, y)`, which
/// must write `A·x` into `y` (`y` is zeroed before each call, so accumulating into it works
/// too).
///
/// Each end is accepted once its Lanczos residual bounds the error by 1e-9 of the eigenvalue
/// itself, or by 1e-12 of the spectral radius for eigenvalues near zero (where relative
/// accuracy is below the rounding level of the product). Extremely clustered ends (a long
/// cycle's Laplacian) may stop at the restart cap first; the values returned then still lie
/// inside the spectrum and are typically accurate to ~1e-9. Deterministic for a given `seed`,
/// which draws the Lanczos start vector. An empty matrix (n = 0) gives min = max = 0.
pub fn extreme_eigenvalues(
    n: usize,
    matvec: impl FnMut(&[f64], &mut [f64]),
    seed: u64,
) -> ExtremeEigenvalues {
    let (min, max) = match n {
        0 => (0.0, 0.0),
        1..=DENSE_LIMIT => dense_extremes(n, matvec),
        _ => lanczos_extremes(n, matvec, seed, MAX_BASIS),
    };
    ExtremeEigenvalues { min, max }
}

/// Assembles A column by column and diagonalises it.
fn dense_extremes(n: usize, mut matvec: impl FnMut(&[f64], &mut [f64])) -> (f64, f64) {
    let mut a = vec![0.0; n * n];
    let mut unit = vec![0.0; n];
    for (column, a_column) in a.chunks_exact_mut(n).enumerate() {
        unit[column] = 1.0;
        matvec(&unit, a_column);
        unit[column] = 0.0;
    }
    // A·e_c was stored as row c, i.e. Aᵀ; symmetrise to absorb rounding asymmetry.
    for r in 0..n {
        for c in 0..r {
            let mean = 0.5 * (a[r * n + c] + a[c * n + r]);
            a[r * n + c] = mean;
            a[c * n + r] = mean;
        }
    }
    let values = symmetric_eigen(&a, n).values;
    (values[0], values[n - 1])
}

/// How λ is derived from the extreme eigenvalues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
pub enum LambdaRule {
    /// AOCoptimizer.jl's rule (spec §3.1).
    #[value(name = "spec")]
    #[serde(rename = "spec")]
    Spec,
    /// The spectral radius max(|λ_min|, |λ_max|).
    #[value(name = "rho")]
    #[serde(rename = "rho")]
    SpectralRadius,
}

/// λ values at or below this are replaced by 1 (`normalization.jl`): dividing by a tiny λ
/// would blow the gradient up.
const LAMBDA_FLOOR: f64 = 0.1;

/// The normalisation λ of spec §3.1 (`Spec`), or the spectral radius (`SpectralRadius`);
/// either way λ ≤ 0.1 becomes 1.
///
/// `Spec`: if λ_max and λ_min differ in sign (indefinite, or exactly one of them is 0),
/// λ = λ_max; otherwise λ = (|λ_max| + |λ_min|)/2.
pub fn normalisation_lambda(e: ExtremeEigenvalues, rule: LambdaRule) -> f64 {
    let lambda = match rule {
        // Julia's `sign` is 0 at ±0, which `partial_cmp` with 0 reproduces (f64::signum
        // would not).
        LambdaRule::Spec if e.max.partial_cmp(&0.0) != e.min.partial_cmp(&0.0) => e.max,
        LambdaRule::Spec => (e.max.abs() + e.min.abs()) / 2.0,
        LambdaRule::SpectralRadius => e.min.abs().max(e.max.abs()),
    };
    if lambda <= LAMBDA_FLOOR { 1.0 } else { lambda }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::random::fresh_seed;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use std::time::Instant;

    /// Row-major dense symmetric matrix.
    struct Dense {
        n: usize,
        a: Vec<f64>,
    }

    impl Dense {
        fn random(n: usize, rng: &mut impl Rng) -> Self {
            let mut a = vec![0.0; n * n];
            for r in 0..n {
                for c in 0..=r {
                    let x = rng.random_range(-1.0..1.0);
                    a[r * n + c] = x;
                    a[c * n + r] = x;
                }
            }
            Self { n, a }
        }

        fn matvec(&self, x: &[f64], y: &mut [f64]) {
            for (row, y) in self.a.chunks_exact(self.n).zip(y) {
                *y = row.iter().zip(x).map(|(a, x)| a * x).sum();
            }
        }
    }

    /// Reference eigenvalues by cyclic Jacobi rotations: slow but simple and accurate to a few
    /// ulps of ‖A‖, and independent of the Householder/QL code under test.
    fn jacobi_eigenvalues(matrix: &Dense) -> Vec<f64> {
        let n = matrix.n;
        let mut a = matrix.a.clone();
        for _sweep in 0..100 {
            let off: f64 = (0..n)
                .flat_map(|r| (0..r).map(move |c| (r, c)))
                .map(|(r, c)| a[r * n + c].powi(2))
                .sum();
            let diagonal: f64 = (0..n).map(|i| a[i * n + i].powi(2)).sum();
            if off <= 1e-30 * diagonal.max(f64::MIN_POSITIVE) {
                break;
            }
            for p in 0..n {
                for q in p + 1..n {
                    let apq = a[p * n + q];
                    if apq == 0.0 {
                        continue;
                    }
                    // Rotation angle that zeroes a[p][q] (Rutishauser's stable form).
                    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                    let c = 1.0 / (t * t + 1.0).sqrt();
                    let s = t * c;
                    for k in 0..n {
                        let (akp, akq) = (a[k * n + p], a[k * n + q]);
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for k in 0..n {
                        let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
            }
        }
        let mut values: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
        values.sort_by(f64::total_cmp);
        values
    }

    /// |got − want| within 1e-8 of want, plus rounding at the level of the spectral radius.
    fn assert_close(got: f64, want: f64, radius: f64, context: &str) {
        let tolerance = 1e-8 * want.abs() + 1e-11 * radius;
        assert!(
            (got - want).abs() <= tolerance,
            "{context}: got {got}, want {want} (diff {:e})",
            got - want
        );
    }

    fn check_against_jacobi(matrix: &Dense, seed: u64, context: &str) {
        let reference = jacobi_eigenvalues(matrix);
        let (want_min, want_max) = (reference[0], reference[matrix.n - 1]);
        let radius = want_min.abs().max(want_max.abs());
        let check = |(min, max): (f64, f64), path: &str| {
            assert_close(
                min,
                want_min,
                radius,
                &format!("{context}, {path} min, seed {seed}"),
            );
            assert_close(
                max,
                want_max,
                radius,
                &format!("{context}, {path} max, seed {seed}"),
            );
        };
        let e = extreme_eigenvalues(matrix.n, |x, y| matrix.matvec(x, y), seed);
        check((e.min, e.max), "public");
        // The Lanczos path also on orders where the public function goes dense, and with a
        // small basis so that restarts are exercised.
        check(
            lanczos_extremes(matrix.n, |x, y| matrix.matvec(x, y), seed, MAX_BASIS),
            "lanczos",
        );
        check(
            lanczos_extremes(matrix.n, |x, y| matrix.matvec(x, y), seed, 16),
            "restarted lanczos",
        );
        let all = symmetric_eigen(&matrix.a, matrix.n).values;
        for (got, want) in all.iter().zip(&reference) {
            assert_close(
                *got,
                *want,
                radius,
                &format!("{context}, dense QL, seed {seed}"),
            );
        }
    }

    #[test]
    fn random_symmetric_matrices_match_jacobi() {
        let seed = fresh_seed();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        for n in [1, 2, 5, 50, 300] {
            let matrix = Dense::random(n, &mut rng);
            check_against_jacobi(&matrix, seed, &format!("random n = {n}"));
        }
    }

    #[test]
    fn same_seed_same_result() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(fresh_seed());
        let matrix = Dense::random(200, &mut rng);
        let run = |seed| extreme_eigenvalues(matrix.n, |x, y| matrix.matvec(x, y), seed);
        assert_eq!(run(7), run(7));
    }

    #[test]
    fn lopsided_penalty_spectrum_matches_jacobi() {
        // A random part (eigenvalues ~ ±3e4) plus −1e8·aaᵀ for three dense constraint rows
        // (eigenvalues ~ −1e10), the shape of a QUMO with penalised equality constraints.
        let seed = fresh_seed();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        for n in [40, 300] {
            let mut matrix = Dense::random(n, &mut rng);
            matrix.a.iter_mut().for_each(|x| *x *= 1e3);
            for _ in 0..3 {
                let a: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
                for r in 0..n {
                    for c in 0..n {
                        matrix.a[r * n + c] -= 1e8 * a[r] * a[c];
                    }
                }
            }
            check_against_jacobi(&matrix, seed, &format!("lopsided n = {n}"));
        }
    }

    /// J = −A of the n-cycle.
    fn negative_cycle(n: usize) -> impl Fn(&[f64], &mut [f64]) {
        move |x, y| {
            for i in 0..n {
                y[i] = -(x[(i + 1) % n] + x[(i + n - 1) % n]);
            }
        }
    }

    #[test]
    fn six_cycle_gives_lambda_two() {
        let seed = fresh_seed();
        let e = extreme_eigenvalues(6, negative_cycle(6), seed);
        assert!(
            (e.min + 2.0).abs() < 1e-12 && (e.max - 2.0).abs() < 1e-12,
            "{e:?}"
        );
        assert!((normalisation_lambda(e, LambdaRule::Spec) - 2.0).abs() < 1e-12);
        // Its Krylov space has dimension 4 < 6 (eigenvalues ±1 are double): Lanczos must stop
        // at the invariant subspace instead of dividing by a zero β.
        let (min, max) = lanczos_extremes(6, negative_cycle(6), seed, MAX_BASIS);
        assert!(
            (min + 2.0).abs() < 1e-12 && (max - 2.0).abs() < 1e-12,
            "({min}, {max}), seed {seed}"
        );
        // Long even cycle on the Lanczos path: eigenvalues exactly ±2.
        let e = extreme_eigenvalues(1000, negative_cycle(1000), seed);
        assert!(
            (e.min + 2.0).abs() < 1e-9 && (e.max - 2.0).abs() < 1e-9,
            "{e:?}, seed {seed}"
        );
    }

    #[test]
    fn negative_one_by_one_gives_lambda_two() {
        let e = extreme_eigenvalues(1, |x, y| y[0] = -2.0 * x[0], 0);
        assert_eq!(
            e,
            ExtremeEigenvalues {
                min: -2.0,
                max: -2.0
            }
        );
        assert_eq!(normalisation_lambda(e, LambdaRule::Spec), 2.0);
        assert_eq!(normalisation_lambda(e, LambdaRule::SpectralRadius), 2.0);
    }

    #[test]
    fn lambda_rules() {
        let lambda = |min, max, rule| normalisation_lambda(ExtremeEigenvalues { min, max }, rule);
        use LambdaRule::{Spec, SpectralRadius as Rho};
        // Indefinite: λ_max, even when |λ_min| is much larger.
        assert_eq!(lambda(-1e10, 1e7, Spec), 1e7);
        assert_eq!(lambda(-1e10, 1e7, Rho), 1e10);
        // One end exactly zero counts as a sign change.
        assert_eq!(lambda(0.0, 3.0, Spec), 3.0);
        assert_eq!(lambda(-3.0, 0.0, Spec), 1.0);
        assert_eq!(lambda(-3.0, -0.0, Spec), 1.0);
        // Same sign: mean of the absolute values.
        assert_eq!(lambda(1.0, 3.0, Spec), 2.0);
        assert_eq!(lambda(-5.0, -1.0, Spec), 3.0);
        // Both zero, and the 0.1 floor.
        assert_eq!(lambda(0.0, 0.0, Spec), 1.0);
        assert_eq!(lambda(0.0, 0.0, Rho), 1.0);
        assert_eq!(lambda(-0.05, 0.1, Spec), 1.0);
        assert_eq!(lambda(-0.05, 0.1, Rho), 1.0);
        assert_eq!(lambda(-0.05, 0.2, Spec), 0.2);
    }

    #[test]
    fn empty_matrix() {
        let e = extreme_eigenvalues(0, |_, _| unreachable!(), 0);
        assert_eq!(e, ExtremeEigenvalues { min: 0.0, max: 0.0 });
    }

    /// n = 9000 with ~300,000 non-zeros in CSR form, plain and with 20 one-hot penalty groups
    /// −1e8·(Σ_group x)² (eigenvalues −4.5e10 against a top end of ~7e3). Prints the times (no
    /// assertion on them: test machines vary); checks that two start vectors agree.
    #[test]
    fn large_sparse_matrix() {
        let seed = fresh_seed();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let n = 9000;
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for r in 0..n {
            rows[r].push((r, rng.random_range(-1.0..1.0)));
            for _ in 0..16 {
                let c = rng.random_range(0..n);
                let x = rng.random_range(-1.0..1.0);
                rows[r].push((c, x));
                rows[c].push((r, x));
            }
        }
        // Compressed sparse rows, as the solver stores J.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(rows.iter().scan(0, |end, row| {
                *end += row.len();
                Some(*end)
            }))
            .collect();
        let (columns, values): (Vec<usize>, Vec<f64>) = rows.into_iter().flatten().unzip();
        let nonzeros = values.len();
        let sparse = |x: &[f64], y: &mut [f64]| {
            for (r, y) in y.iter_mut().enumerate() {
                let range = starts[r]..starts[r + 1];
                *y = columns[range.clone()]
                    .iter()
                    .zip(&values[range])
                    .map(|(&c, a)| a * x[c])
                    .sum();
            }
        };
        let groups = 20;
        let penalised = |x: &[f64], y: &mut [f64]| {
            sparse(x, y);
            y.iter_mut().for_each(|y| *y *= 1e3);
            for g in 0..groups {
                let sum: f64 = x.iter().skip(g).step_by(groups).sum();
                y.iter_mut()
                    .skip(g)
                    .step_by(groups)
                    .for_each(|y| *y -= 1e8 * sum);
            }
        };

        let start = Instant::now();
        let e = extreme_eigenvalues(n, sparse, seed);
        let elapsed = start.elapsed();
        crate::outln!("n = {n}, {nonzeros} non-zeros: {e:?} in {elapsed:?} (seed {seed})");
        let again = extreme_eigenvalues(n, sparse, seed.wrapping_add(1));
        assert_close(again.min, e.min, e.max, &format!("min, seed {seed}"));
        assert_close(again.max, e.max, e.max, &format!("max, seed {seed}"));

        let start = Instant::now();
        let e = extreme_eigenvalues(n, penalised, seed);
        let elapsed = start.elapsed();
        crate::outln!("n = {n}, penalised: {e:?} in {elapsed:?} (seed {seed})");
        let again = extreme_eigenvalues(n, penalised, seed.wrapping_add(1));
        let radius = e.min.abs();
        assert_close(
            again.min,
            e.min,
            radius,
            &format!("penalised min, seed {seed}"),
        );
        // The end that sets λ, to 1e-6 of itself although it is 1e-7 of the spectral radius.
        let difference = (again.max - e.max).abs();
        assert!(
            difference <= 1e-6 * e.max,
            "penalised max {e:?} vs {again:?}, seed {seed}"
        );
    }
}

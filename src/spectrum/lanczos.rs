//! Thick-restart Lanczos with full reorthogonalisation, and the small dense symmetric
//! eigensolver (Householder tridiagonalisation + implicit QL) it needs for the projected
//! matrix.
//!
//! Why this shape: penalty matrices have spectra like [−1e10, +1e7], where the few huge
//! eigenvalues converge in a handful of steps and the end that matters for λ converges only
//! once they are deflated. Full reorthogonalisation keeps them deflated (no ghost copies), and
//! thick restart (Wu & Simon) bounds memory at `n × basis` while keeping the Ritz vectors of
//! both ends, so progress is not lost at a restart.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Largest Krylov basis held in memory (`n × MAX_BASIS` f64). Large enough that ordinary
/// spectra converge before the first restart, small enough that reorthogonalisation
/// (O(n·basis) per step) stays cheap at n ≈ 10,000.
pub(super) const MAX_BASIS: usize = 64;

/// A Ritz value θ with residual norm r is accepted when
/// `r ≤ max(RELATIVE_TOLERANCE·|θ|, ABSOLUTE_TOLERANCE·ρ)`, ρ the spectral radius estimate.
/// Since |θ − λ| ≤ r for a symmetric matrix, this bounds the error relative to θ itself; the
/// ρ-relative floor only applies to eigenvalues near zero, where relative accuracy is
/// meaningless below the rounding level of the matrix-vector product (≈ ε·ρ).
const RELATIVE_TOLERANCE: f64 = 1e-9;
const ABSOLUTE_TOLERANCE: f64 = 1e-12;

/// Convergence is tested every this many Lanczos steps (and before every restart): the dense
/// eigensolve of the projected matrix costs about as much as a few steps.
const CHECK_INTERVAL: usize = 8;

/// Restarts before giving up and returning the current (inner) Ritz bounds.
const MAX_RESTARTS: usize = 100;

/// Smallest and largest eigenvalue of the symmetric `n × n` operator `matvec` (which writes
/// `A·x` into its second argument), by thick-restart Lanczos from a random start vector drawn
/// from `seed`, with a Krylov basis of at most `max_basis` vectors.
///
/// If the iteration has not converged after `MAX_RESTARTS` restarts, the current Ritz values
/// are returned; they always lie inside the true spectrum.
pub(super) fn lanczos_extremes(
    n: usize,
    mut matvec: impl FnMut(&[f64], &mut [f64]),
    seed: u64,
    max_basis: usize,
) -> (f64, f64) {
    assert!(n > 0, "empty operator");
    let m = max_basis.min(n);
    assert!(
        max_basis >= 4,
        "a restart needs room for two Ritz vectors per end"
    );
    // Kept Ritz vectors per end at a restart: half the basis is kept, half is rebuilt.
    let keep_each = (m / 4).max(1);

    // Basis vectors v_0..v_m, each contiguous (column-major n × (m + 1)).
    let mut basis = vec![0.0; n * (m + 1)];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    basis[..n].fill_with(|| rng.random_range(-1.0..1.0));
    let norm = dot(&basis[..n], &basis[..n]).sqrt();
    basis[..n].iter_mut().for_each(|x| *x /= norm);

    // Projected matrix T = Vᵀ A V (row-major m × m): after a restart an arrowhead of the kept
    // Ritz values coupled to v_kept, tridiagonal below.
    let mut t = vec![0.0; m * m];
    let mut w = vec![0.0; n];
    let mut coefficients = vec![0.0; m];
    let mut kept = 0;
    let mut restarts = 0;
    // Lower bound on ‖A‖ (largest ‖A v_j‖ seen), the scale of the breakdown test.
    let mut norm_estimate = 0.0_f64;
    let mut j = 0;
    loop {
        let (previous, rest) = basis.split_at_mut((j + 1) * n);
        let v = &previous[j * n..];
        w.fill(0.0);
        matvec(v, &mut w);
        norm_estimate = norm_estimate.max(dot(&w, &w).sqrt());

        // Three-term recurrence (an arrowhead row right after a restart), then the diagonal.
        let first_coupled = if j == kept { 0 } else { j - 1 };
        for i in first_coupled..j {
            let coupling = t[i * m + j];
            if coupling != 0.0 {
                axpy(-coupling, &previous[i * n..(i + 1) * n], &mut w);
            }
        }
        let alpha = dot(v, &w);
        axpy(-alpha, v, &mut w);
        // Full reorthogonalisation against the whole basis; a second pass only when the first
        // removed most of w (Daniel–Gragg–Kaufman–Stewart): "twice is enough".
        let mut alpha_correction = 0.0;
        let mut before = dot(&w, &w).sqrt();
        for _ in 0..2 {
            alpha_correction += orthogonalise(previous, n, &mut w, &mut coefficients[..=j]);
            let after = dot(&w, &w).sqrt();
            if after > std::f64::consts::FRAC_1_SQRT_2 * before {
                break;
            }
            before = after;
        }
        t[j * m + j] = alpha + alpha_correction;
        let beta = dot(&w, &w).sqrt();
        if !beta.is_finite() {
            return (f64::NAN, f64::NAN);
        }

        let size = j + 1;
        // Invariant subspace (breakdown) or the whole space spanned: T's eigenvalues are
        // eigenvalues of A. A random start vector has a component along every eigenvector, so
        // the extremes are among them.
        if size == n || beta <= ABSOLUTE_TOLERANCE * norm_estimate {
            let values = symmetric_eigen(&principal(&t, m, size), size).values;
            return (values[0], values[size - 1]);
        }
        rest[..n]
            .iter_mut()
            .zip(&w)
            .for_each(|(x, &r)| *x = r / beta);
        if size < m {
            t[j * m + size] = beta;
            t[size * m + j] = beta;
            if (size - kept) % CHECK_INTERVAL != 0 {
                j = size;
                continue;
            }
        }

        // Ritz pairs of T: the residual of pair i is β·|s_{last,i}|.
        let eigen = symmetric_eigen(&principal(&t, m, size), size);
        let (lo, hi) = (eigen.values[0], eigen.values[size - 1]);
        let radius = lo.abs().max(hi.abs());
        let converged = |i: usize| {
            let residual = beta * eigen.vectors[j * size + i].abs();
            residual
                <= (RELATIVE_TOLERANCE * eigen.values[i].abs()).max(ABSOLUTE_TOLERANCE * radius)
        };
        if converged(0) && converged(size - 1) {
            return (lo, hi);
        }
        if size < m {
            j = size;
            continue;
        }
        if restarts == MAX_RESTARTS {
            return (lo, hi);
        }
        restarts += 1;

        // Thick restart: keep the `keep_each` Ritz vectors at each end, y_i = V s_i, and carry
        // on from the last Lanczos vector v_m, to which each y_i is coupled by β·s_{last,i}.
        let selected: Vec<usize> = (0..keep_each).chain(m - keep_each..m).collect();
        kept = selected.len();
        let mut s = vec![0.0; m * kept];
        for (c, &i) in selected.iter().enumerate() {
            for r in 0..m {
                s[c * m + r] = eigen.vectors[r * m + i];
            }
        }
        let mut ritz_vectors = vec![0.0; n * kept];
        // SAFETY: all three operands are dense column-major buffers whose sizes match the
        // dimensions and strides passed (V: n × m, S: m × kept, Y: n × kept).
        unsafe {
            matrixmultiply::dgemm(
                n,
                m,
                kept,
                1.0,
                basis.as_ptr(),
                1,
                n as isize,
                s.as_ptr(),
                1,
                m as isize,
                0.0,
                ritz_vectors.as_mut_ptr(),
                1,
                n as isize,
            );
        }
        basis[..n * kept].copy_from_slice(&ritz_vectors);
        basis.copy_within(m * n..(m + 1) * n, kept * n);
        t.fill(0.0);
        for (c, &i) in selected.iter().enumerate() {
            t[c * m + c] = eigen.values[i];
            let coupling = beta * eigen.vectors[(m - 1) * m + i];
            t[c * m + kept] = coupling;
            t[kept * m + c] = coupling;
        }
        j = kept;
    }
}

/// One classical Gram–Schmidt pass: removes from `w` its components along the `h.len()`
/// orthonormal vectors at the start of `basis`, and returns the component along the last one
/// (the correction to the diagonal entry of T).
fn orthogonalise(basis: &[f64], n: usize, w: &mut [f64], h: &mut [f64]) -> f64 {
    for (i, hi) in h.iter_mut().enumerate() {
        *hi = dot(&basis[i * n..(i + 1) * n], w);
    }
    for (i, &hi) in h.iter().enumerate() {
        axpy(-hi, &basis[i * n..(i + 1) * n], w);
    }
    h[h.len() - 1]
}

/// Leading `size × size` block of the row-major `m × m` matrix `t`.
fn principal(t: &[f64], m: usize, size: usize) -> Vec<f64> {
    (0..size)
        .flat_map(|r| t[r * m..r * m + size].iter().copied())
        .collect()
}

/// Dot product with four independent accumulators, so that the compiler can vectorise it
/// (a single running sum is a serial dependency chain under strict IEEE semantics).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4
        .remainder()
        .iter()
        .zip(b4.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            sums[k] += x[k] * y[k];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

/// `y += a·x`.
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(y, &x)| *y += a * x);
}

/// Eigen-decomposition of a small dense symmetric matrix.
pub(super) struct SymmetricEigen {
    /// Ascending.
    pub(super) values: Vec<f64>,
    /// Row-major: `vectors[r * size + i]` is component r of the eigenvector of `values[i]`.
    pub(super) vectors: Vec<f64>,
}

/// Eigenvalues and eigenvectors of the symmetric row-major `size × size` matrix `a`: Householder
/// reduction to tridiagonal form, then implicit-shift QL (EISPACK `tred2` + `tql2`).
pub(super) fn symmetric_eigen(a: &[f64], size: usize) -> SymmetricEigen {
    let mut z = a.to_vec();
    let (mut d, mut e) = householder_tridiagonalise(&mut z, size);
    implicit_ql(&mut d, &mut e, &mut z, size);

    let mut order: Vec<usize> = (0..size).collect();
    order.sort_by(|&i, &k| d[i].total_cmp(&d[k]));
    SymmetricEigen {
        values: order.iter().map(|&i| d[i]).collect(),
        vectors: (0..size)
            .flat_map(|r| order.iter().map(move |&i| (r, i)))
            .map(|(r, i)| z[r * size + i])
            .collect(),
    }
}

/// Reduces the symmetric matrix in `z` to tridiagonal form Qᵀ A Q by Householder reflections
/// (EISPACK `tred2`). Returns the diagonal and the subdiagonal (`e[i]` couples i − 1 and i,
/// `e[0] = 0`), and leaves Q in `z`.
fn householder_tridiagonalise(z: &mut [f64], size: usize) -> (Vec<f64>, Vec<f64>) {
    let n = size;
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    if n == 0 {
        return (d, e);
    }
    d.copy_from_slice(&z[(n - 1) * n..]);
    // Row by row from the bottom: reflect row i onto its subdiagonal element.
    for i in (1..n).rev() {
        let scale: f64 = d[..i].iter().map(|x| x.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for k in 0..i {
                d[k] = z[(i - 1) * n + k];
                z[i * n + k] = 0.0;
                z[k * n + i] = 0.0;
            }
        } else {
            // Householder vector, scaled to avoid under/overflow.
            for x in &mut d[..i] {
                *x /= scale;
                h += *x * *x;
            }
            let mut f = d[i - 1];
            let mut g = if f > 0.0 { -h.sqrt() } else { h.sqrt() };
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].fill(0.0);
            // Apply the similarity transformation to the remaining columns.
            for k in 0..i {
                f = d[k];
                z[k * n + i] = f;
                g = e[k] + z[k * n + k] * f;
                for l in k + 1..i {
                    g += z[l * n + k] * d[l];
                    e[l] += z[l * n + k] * f;
                }
                e[k] = g;
            }
            f = 0.0;
            for k in 0..i {
                e[k] /= h;
                f += e[k] * d[k];
            }
            let hh = f / (h + h);
            for k in 0..i {
                e[k] -= hh * d[k];
            }
            for k in 0..i {
                f = d[k];
                g = e[k];
                for l in k..i {
                    z[l * n + k] -= f * e[l] + g * d[l];
                }
                d[k] = z[(i - 1) * n + k];
                z[i * n + k] = 0.0;
            }
        }
        d[i] = h;
    }
    // Accumulate the transformations into Q.
    for i in 0..n - 1 {
        z[(n - 1) * n + i] = z[i * n + i];
        z[i * n + i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = z[k * n + i + 1] / h;
            }
            for k in 0..=i {
                let g: f64 = (0..=i).map(|l| z[l * n + i + 1] * z[l * n + k]).sum();
                for l in 0..=i {
                    z[l * n + k] -= g * d[l];
                }
            }
        }
        for l in 0..=i {
            z[l * n + i + 1] = 0.0;
        }
    }
    for k in 0..n {
        d[k] = z[(n - 1) * n + k];
        z[(n - 1) * n + k] = 0.0;
    }
    z[(n - 1) * n + n - 1] = 1.0;
    e[0] = 0.0;
    (d, e)
}

/// QL converges in one to three sweeps per eigenvalue; the cap only keeps a NaN input from
/// looping forever.
const MAX_QL_SWEEPS: usize = 100;

/// Diagonalises the symmetric tridiagonal matrix (diagonal `d`, subdiagonal `e` as returned
/// by [`householder_tridiagonalise`]) by QL iterations with implicit Wilkinson shifts
/// (EISPACK `tql2`), applying the rotations to the columns of `z`. On return `d` holds the
/// eigenvalues (unsorted) and column i of `z` the eigenvector of `d[i]`.
fn implicit_ql(d: &mut [f64], e: &mut [f64], z: &mut [f64], size: usize) {
    let n = size;
    if n == 0 {
        return;
    }
    e.copy_within(1.., 0);
    e[n - 1] = 0.0;
    let mut shift_total = 0.0;
    let mut norm = 0.0_f64;
    for l in 0..n {
        norm = norm.max(d[l].abs() + e[l].abs());
        // Find the first negligible subdiagonal element at or after l (e[n − 1] is zero).
        let mut m = l;
        while e[m].abs() > f64::EPSILON * norm {
            m += 1;
        }
        if m > l {
            for _ in 0..MAX_QL_SWEEPS {
                // Shift from the leading 2 × 2 block.
                let mut g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = if p < 0.0 { -p.hypot(1.0) } else { p.hypot(1.0) };
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for x in &mut d[l + 2..] {
                    *x -= h;
                }
                shift_total += h;

                // Implicit QL sweep from m − 1 up to l.
                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (0.0, 0.0);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    for k in 0..n {
                        let zk1 = z[k * n + i + 1];
                        z[k * n + i + 1] = s * z[k * n + i] + c * zk1;
                        z[k * n + i] = c * z[k * n + i] - s * zk1;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= f64::EPSILON * norm {
                    break;
                }
            }
        }
        d[l] += shift_total;
        e[l] = 0.0;
    }
}

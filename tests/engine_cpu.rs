//! The native CPU engine against the spec's worked traces and a plain float64 reference.

use aocbench::engine::{Batch, CpuEngine, DynamicsProblem, Engine, Precision, ProductForm, ReplicaParams};
use aocbench::qplib::read_instance;
use aocbench::model::random::{fresh_seed, random_instance, RandomSpec};
use aocbench::model::Sense;
use aocbench::qumo::QumoModel;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Plain float64 AOC-DT (spec §2.3) for one replica, any sampler: returns x after each
/// iteration and the final σ. `binary_map` is the non-linearity, `(bias, lo, hi)` the domain.
#[allow(clippy::too_many_arguments)]
fn reference_run(j: &[Vec<f64>], h: &[f64], nb: usize, x0: &[f64], (g, a0, m, dt): (f64, f64, f64, f64), iterations: usize, binary_map: fn(f64) -> f64, (bias, lo, hi): (f64, f64, f64)) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = x0.len();
    let sigma_of = |x: &[f64]| -> Vec<f64> { x.iter().enumerate().map(|(i, &v)| if i < nb { binary_map(v) } else { v }).collect() };
    let (mut x, mut y) = (x0.to_vec(), vec![0.0; n]);
    let mut alpha = a0;
    let delta = a0 / iterations as f64;
    let mut trace = Vec::new();
    for _ in 0..iterations {
        let sigma = sigma_of(&x);
        let f: Vec<f64> = (0..n).map(|i| (0..n).map(|k| j[i][k] * sigma[k]).sum()).collect();
        let prev = x.clone();
        for i in 0..n {
            x[i] = x[i] + ((dt * g) * f[i] - (dt * alpha) * (x[i] - bias) + m * (x[i] - y[i]));
            x[i] += dt * g * h[i];
            x[i] = x[i].clamp(lo, hi);
        }
        y = prev;
        alpha = (alpha - delta).max(0.0);
        trace.push(x.clone());
    }
    let sigma = sigma_of(&x);
    (trace, sigma)
}

fn threshold(v: f64) -> f64 {
    if v > 0.5 { 1.0 } else { 0.0 }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 { 1.0 } else if v < 0.0 { -1.0 } else { 0.0 }
}

fn assert_trace(trace: &[Vec<f64>], expected: &[[f64; 2]]) {
    for (step, (got, want)) in trace.iter().zip(expected).enumerate() {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "step {}: got {got:?}, spec says {want:?}", step + 1);
        }
    }
}

#[test]
fn reference_reproduces_the_spec_ising_trace() {
    let j = vec![vec![0.0, -1.0], vec![-1.0, 0.0]];
    let (trace, sigma) = reference_run(&j, &[0.0, 0.0], 2, &[0.1, 0.2], (1.0, 1.0, 0.9, 0.5), 5, sign, (0.0, -1.0, 1.0));
    assert_trace(&trace, &[[-0.36, -0.22], [-0.13, -0.01], [0.616, 0.682], [0.6642, 0.6684], [0.14116, 0.08932]]);
    assert_eq!(sigma, vec![1.0, 1.0]);
}

#[test]
fn reference_and_engine_reproduce_the_spec_qumo_trace() {
    // The spec's QUMO trace never leaves [0, 1] after step 1, so the positive-QUMO walls give
    // the same numbers.
    let j = vec![vec![0.0, 1.0], vec![1.0, -2.0]];
    let h = [-0.25, 0.5];
    let (trace, sigma) = reference_run(&j, &h, 1, &[0.1, -0.3], (1.0, 1.0, 0.9, 0.5), 5, threshold, (0.5, 0.0, 1.0));
    assert_trace(&trace, &[[0.115, 0.38], [0.3475, 0.91], [0.9325, 0.604], [1.0, 0.4538], [1.0, 0.61944]]);
    assert_eq!(sigma[0], 1.0);

    let problem = DynamicsProblem {
        n: 2,
        n_binary: 1,
        couplings: aocbench::engine::Couplings::Dense(vec![0.0, 1.0, 1.0, -2.0]),
        h: vec![-0.25, 0.5],
    };
    let mut engine = CpuEngine::new(Some(1), Precision::F32).unwrap();
    engine.load(&problem).unwrap();
    let params = [ReplicaParams { annealing: 1.0, gradient: 1.0, momentum: 0.9 }];
    let out = engine.run(&Batch { params: &params, initial: &[0.1, -0.3], iterations: 5, dt: 0.5, noise_seed: 0 }).unwrap();
    assert_eq!(out.states[0], 1.0);
    assert!((out.states[1] as f64 - 0.61944).abs() < 1e-6, "{:?}", out.states);
    assert!((out.energies[0] - -0.2954540864).abs() < 1e-6, "{:?}", out.energies);
}

fn dense_matrix(problem: &DynamicsProblem) -> Vec<Vec<f64>> {
    let n = problem.n;
    (0..n)
        .map(|i| {
            let mut e = vec![0.0f32; n];
            (0..n).map(|k| { e.fill(0.0); e[k] = 1.0; problem.row_dot(i, &e) }).collect()
        })
        .collect()
}

/// How closely one engine iteration must match the float64 reference.
struct Agreement {
    /// A binary may differ only when the reference's x lies this close to the threshold.
    threshold_margin: f64,
    /// Relative tolerance of slacks (states come back in f32) and of the energies.
    slack: f64,
    energy: f64,
}

/// One iteration of the engine in `precision` against the float64 reference on fresh random
/// inputs, in every product form, the reference running on the engine's f32 J and h (which the f64
/// engine widens exactly).
fn one_iteration_agrees_with_float64_reference(precision: Precision, agreement: Agreement) {
    let seed = fresh_seed();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let forms = [ProductForm::Dense, ProductForm::Sparse, ProductForm::Factored];
    for (case, form) in forms.into_iter().cycle().take(6).enumerate() {
        let spec = RandomSpec { n: 10 + 5 * case, rows: [2, 1, 1, 1], density: 0.4, sense: Sense::Minimize };
        let instance = random_instance(spec, rng.random());
        let model = QumoModel::new(&instance).unwrap();
        let qumo = model.build(&model.initial_weights(0.05));
        let problem = DynamicsProblem::from_qumo(&qumo, Some(form));
        let j = dense_matrix(&problem);
        let h: Vec<f64> = problem.h.iter().map(|&v| v as f64).collect();
        let replicas = 13;
        let n = problem.n;
        let params: Vec<ReplicaParams> = (0..replicas)
            .map(|_| ReplicaParams { annealing: rng.random_range(0.01..100.0), gradient: rng.random_range(0.001..0.1), momentum: rng.random_range(0.9..0.99) })
            .collect();
        let initial: Vec<f32> = (0..replicas * n).map(|_| rng.random_range(-1.0..1.0) / (n as f32).sqrt()).collect();
        let mut engine = CpuEngine::new(Some(2), precision).unwrap();
        engine.load(&problem).unwrap();
        let out = engine.run(&Batch { params: &params, initial: &initial, iterations: 1, dt: 0.5, noise_seed: 0 }).unwrap();
        for k in 0..replicas {
            let p = params[k];
            let x0: Vec<f64> = initial[k * n..(k + 1) * n].iter().map(|&v| v as f64).collect();
            let (trace, sigma) = reference_run(&j, &h, problem.n_binary, &x0, (p.gradient as f64, p.annealing as f64, p.momentum as f64, 0.5), 1, threshold, (0.5, 0.0, 1.0));
            for i in 0..n {
                let got = out.states[k * n + i] as f64;
                if i < problem.n_binary {
                    if (trace[0][i] - 0.5).abs() > agreement.threshold_margin {
                        assert_eq!(got, sigma[i], "seed {seed}, replica {k}, binary {i}");
                    }
                } else {
                    assert!((got - sigma[i]).abs() <= agreement.slack * sigma[i].abs().max(1.0), "seed {seed}, replica {k}, slack {i}: {got} vs {}", sigma[i]);
                }
            }
            let sigma_engine: Vec<f64> = out.states[k * n..(k + 1) * n].iter().map(|&v| v as f64).collect();
            let e_ref = -0.5 * (0..n).map(|i| sigma_engine[i] * (0..n).map(|q| j[i][q] * sigma_engine[q]).sum::<f64>()).sum::<f64>() - (0..n).map(|i| h[i] * sigma_engine[i]).sum::<f64>();
            assert!((out.energies[k] - e_ref).abs() <= agreement.energy * e_ref.abs().max(1.0), "seed {seed}: energy {} vs {e_ref}", out.energies[k]);
        }
    }
}

#[test]
fn one_iteration_agrees_with_float64_reference_on_fresh_random_inputs() {
    // A float32 rounding may only flip a binary whose x sits at the threshold.
    one_iteration_agrees_with_float64_reference(Precision::F32, Agreement { threshold_margin: 1e-4, slack: 1e-5, energy: 1e-9 });
}

#[test]
fn f64_engine_agrees_with_the_float64_reference_to_rounding() {
    // Only the last bits may differ; the energies use the engine's own f64 σ where the
    // reference gets the f32 states back, hence the wider energy tolerance.
    one_iteration_agrees_with_float64_reference(Precision::F64, Agreement { threshold_margin: 1e-12, slack: 1e-7, energy: 1e-6 });
}

/// The forms round J differently (factored: the penalty products in f32 at every iteration), so
/// a few replicas may take another path at a threshold; nearly all entries must agree.
#[test]
fn every_product_form_gives_the_same_batch() {
    let instance = random_instance(RandomSpec { n: 40, rows: [1, 1, 1, 1], density: 0.05, sense: Sense::Maximize }, 99);
    let model = QumoModel::new(&instance).unwrap();
    let qumo = model.build(&model.initial_weights(1.0));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let n = qumo.n;
    let params: Vec<ReplicaParams> = (0..20).map(|_| ReplicaParams { annealing: 0.5, gradient: 0.01, momentum: 0.95 }).collect();
    let initial: Vec<f32> = (0..20 * n).map(|_| rng.random_range(-0.1..0.1)).collect();
    let run = |form| {
        let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
        engine.load(&DynamicsProblem::from_qumo(&qumo, Some(form))).unwrap();
        engine.run(&Batch { params: &params, initial: &initial, iterations: 50, dt: 0.5, noise_seed: 0 }).unwrap()
    };
    let dense = run(ProductForm::Dense);
    for form in [ProductForm::Sparse, ProductForm::Factored] {
        let out = run(form);
        let agree = dense.states.iter().zip(&out.states).filter(|(a, b)| (*a - *b).abs() < 1e-4).count();
        assert!(agree as f64 >= 0.999 * dense.states.len() as f64, "{form:?}: {agree} of {}", dense.states.len());
    }
}

#[test]
fn f64_engine_resolves_the_small_terms_that_f32_loses() {
    // fc-12: h = −(1e6 + ε) with ε ~ 1e-6 and J = 2e6 per pair; a pair switched on changes the
    // energy by ε_a + ε_b (pair 1: +4e-6, pair 2: −3e-6), far below f32's spacing at 1e6.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/field-cases/fc-12-coefficient-range.qplib");
    let model = QumoModel::new(&read_instance(&path).unwrap()).unwrap();
    let qumo = model.build(&model.initial_weights(1.0));
    let n = qumo.n;
    let pair_on = |pair: usize| -> Vec<f32> { (0..n).map(|i| if i / 2 == pair - 1 { 1.0 } else { 0.0 }).collect() };
    let initial: Vec<f32> = [pair_on(1), pair_on(2)].concat();
    let params = [ReplicaParams { annealing: 0.0, gradient: 0.0, momentum: 0.0 }; 2];
    let energies = |precision| {
        let mut engine = CpuEngine::new(Some(1), precision).unwrap();
        engine.load_qumo(&qumo, ProductForm::cheapest(&qumo)).unwrap();
        // No iteration: the energies of the initial states as the engine sees the problem.
        engine.run(&Batch { params: &params, initial: &initial, iterations: 0, dt: 0.5, noise_seed: 0 }).unwrap().energies
    };
    let exact: Vec<f64> = initial.chunks(n).map(|z| qumo.energy(&z.iter().map(|&v| v as f64).collect::<Vec<_>>()) - qumo.constant).collect();
    assert!((exact[0] - 4e-6).abs() < 1e-9 && (exact[1] + 3e-6).abs() < 1e-9, "{exact:?}");
    let f64_view = energies(Precision::F64);
    for (got, want) in f64_view.iter().zip(&exact) {
        assert!((got - want).abs() < 1e-9, "f64 engine: {f64_view:?}, exact {exact:?}");
    }
    assert_eq!(energies(Precision::F32), [0.0, 0.0], "f32 rounds every h to -1e6: both pairs look alike");
}

/// A multiplier step rewrites h in place: in either precision the next batch is exactly the
/// batch of a fresh load with that h (converted to the engine's precision), and a field vector
/// of the wrong length is refused.
#[test]
fn set_fields_equals_loading_the_problem_with_those_fields_in_both_precisions() {
    let instance = random_instance(RandomSpec { n: 30, rows: [1, 1, 1, 1], density: 0.2, sense: Sense::Minimize }, 7);
    let model = QumoModel::new(&instance).unwrap();
    let qumo = model.build(&model.initial_weights(1.0));
    let n = qumo.n;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let problem: DynamicsProblem = DynamicsProblem::from_qumo(&qumo, None);
    let moved = DynamicsProblem { h: problem.h.iter().map(|&v| v + rng.random_range(-1.0f32..1.0)).collect(), ..problem.clone() };
    let moved_h: Vec<f64> = moved.h.iter().map(|&v| v as f64).collect();
    let params: Vec<ReplicaParams> = (0..8).map(|_| ReplicaParams { annealing: 0.5, gradient: 0.01, momentum: 0.95 }).collect();
    let initial: Vec<f32> = (0..8 * n).map(|_| rng.random_range(-0.1..0.1)).collect();
    let batch = Batch { params: &params, initial: &initial, iterations: 30, dt: 0.5, noise_seed: 0 };
    for precision in [Precision::F32, Precision::F64] {
        let mut engine = CpuEngine::new(Some(2), precision).unwrap();
        assert!(engine.set_fields(&moved_h).is_err(), "{precision:?}: no problem loaded");
        engine.load(&moved).unwrap();
        let expected = engine.run(&batch).unwrap();
        engine.load(&problem).unwrap();
        let before = engine.run(&batch).unwrap();
        engine.set_fields(&moved_h).unwrap();
        let after = engine.run(&batch).unwrap();
        assert_ne!(before, after, "{precision:?}: the fields did not matter");
        assert_eq!(after, expected, "{precision:?}");
        assert!(engine.set_fields(&moved_h[1..]).is_err(), "{precision:?}: a field vector of the wrong length is refused");
    }
}

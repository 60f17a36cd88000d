//! The QBL → QUMO conversion checked by enumeration on random small instances.

use aocbench::model::random::{all_binary_points, random_instance, RandomSpec};
use aocbench::model::{feasibility, objective, Instance, Sense, VarType};
use aocbench::qumo::{ConversionError, QumoModel};

fn specs() -> Vec<(RandomSpec, u64)> {
    let mut out = Vec::new();
    for seed in 0..24u64 {
        let n = 4 + (seed as usize % 9); // 4..=12
        let rows = [(seed % 3) as usize, (seed % 2) as usize, ((seed + 1) % 2) as usize, (seed % 3 == 0) as usize];
        let sense = if seed % 2 == 0 { Sense::Minimize } else { Sense::Maximize };
        out.push((RandomSpec { n, rows, density: 0.5, sense }, 1000 + seed));
    }
    out
}

fn relative_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn energy_with_best_slacks_equals_objective_when_feasible_and_exceeds_it_otherwise() {
    for (spec, seed) in specs() {
        let instance = random_instance(spec, seed);
        let model = QumoModel::new(&instance).expect("random instances convert");
        let weights = model.initial_weights(1.0);
        let qumo = model.build(&weights);
        assert_eq!(qumo.n, instance.n_vars() + model.n_slack());
        let mut feasible_points = 0;
        for x in all_binary_points(instance.n_vars()) {
            let z = model.with_best_slacks(&x);
            let energy = qumo.energy(&z);
            let f = objective(&instance, &x);
            let penalised = model.penalised_energy(f, &x, &weights);
            assert!(relative_close(energy, penalised), "{}: E(x, s*) = {energy} but penalised energy = {penalised}", instance.name);
            if feasibility(&instance, &x).feasible {
                feasible_points += 1;
                assert!(relative_close(energy, instance.sense.sign() * f), "{}: feasible x, E = {energy}, sense·f = {}", instance.name, instance.sense.sign() * f);
            } else {
                assert!(energy > instance.sense.sign() * f + 1e-9, "{}: infeasible x not penalised", instance.name);
            }
            // s* minimises E over each slack: no grid point does better.
            for (slot, value) in (instance.n_vars()..qumo.n).flat_map(|s| [0.0, 0.3, 0.5, 0.9, 1.0].map(|v| (s, v))) {
                let mut other = z.clone();
                other[slot] = value;
                assert!(qumo.energy(&other) >= energy - 1e-9 * energy.abs().max(1.0), "{}: slack {slot} = {value} beats s*", instance.name);
            }
        }
        assert!(feasible_points > 0, "generator builds feasible instances");
    }
}

#[test]
fn qumo_optimum_maps_back_to_the_true_optimum_with_sufficient_penalty() {
    for (spec, seed) in specs() {
        let instance = random_instance(spec, seed);
        let model = QumoModel::new(&instance).unwrap();
        let points: Vec<Vec<f64>> = all_binary_points(instance.n_vars()).collect();
        let values: Vec<f64> = points.iter().map(|x| instance.sense.sign() * objective(&instance, x)).collect();
        let spread = values.iter().cloned().fold(f64::MIN, f64::max) - values.iter().cloned().fold(f64::MAX, f64::min);
        // Integer rows: an infeasible x misses its range by ≥ 1, so P_r > spread suffices.
        let max_norm = model.rows.iter().map(|r| r.squared_norm()).fold(1.0, f64::max);
        let scale = (spread + 1.0) * max_norm / model.flip_scale;
        let weights = model.initial_weights(scale);
        let qumo = model.build(&weights);
        let (best_x, _) = points
            .iter()
            .map(|x| (x, qumo.energy(&model.with_best_slacks(x))))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        let true_best = points
            .iter()
            .filter(|x| feasibility(&instance, x).feasible)
            .map(|x| instance.sense.sign() * objective(&instance, x))
            .fold(f64::INFINITY, f64::min);
        // The original assignment of a QUMO state is its binary block.
        let mapped = model.with_best_slacks(best_x)[..instance.n_vars()].to_vec();
        assert!(feasibility(&instance, &mapped).feasible, "{}: QUMO optimum infeasible", instance.name);
        assert!(relative_close(instance.sense.sign() * objective(&instance, &mapped), true_best), "{}", instance.name);
    }
}

#[test]
fn unconstrained_instances_convert_without_slacks() {
    let instance = random_instance(RandomSpec { n: 8, rows: [0; 4], density: 0.5, sense: Sense::Maximize }, 7);
    let model = QumoModel::new(&instance).unwrap();
    assert_eq!(model.n_slack(), 0);
    let qumo = model.build(&model.initial_weights(1.0));
    for x in all_binary_points(8) {
        assert!(relative_close(qumo.energy(&x), -objective(&instance, &x)));
    }
}

fn with_variable(mut instance: Instance, kind: VarType) -> Instance {
    instance.var_types[2] = kind;
    instance.var_upper[2] = 5.0;
    instance
}

#[test]
fn unsupported_features_are_rejected_naming_instance_and_feature() {
    let base = random_instance(RandomSpec { n: 5, rows: [1, 0, 0, 0], density: 0.5, sense: Sense::Minimize }, 3);
    let err = QumoModel::new(&with_variable(base.clone(), VarType::Integer)).unwrap_err();
    assert!(err.to_string().contains(&base.name) && err.to_string().contains("general integer variable x3"), "{err}");
    let err = QumoModel::new(&with_variable(base.clone(), VarType::Continuous)).unwrap_err();
    assert!(err.to_string().contains("continuous variable x3"), "{err}");
    let mut quadratic = base.clone();
    quadratic.constraints[0].quadratic.push(aocbench::model::QuadTerm { row: 1, col: 0, value: 2.0 });
    let err = QumoModel::new(&quadratic).unwrap_err();
    assert!(matches!(err, ConversionError::Unsupported { .. }) && err.to_string().contains("quadratic constraint c1"), "{err}");
}

#[test]
fn rows_that_cannot_be_violated_are_dropped_and_integer_rows_rounded_inward() {
    let mut instance = random_instance(RandomSpec { n: 4, rows: [2, 0, 0, 0], density: 0.5, sense: Sense::Minimize }, 11);
    instance.constraints[0] = aocbench::model::Constraint { lower: f64::NEG_INFINITY, upper: 100.0, linear: vec![(0, 1.0), (1, 2.0)], quadratic: vec![] };
    instance.constraints[1] = aocbench::model::Constraint { lower: 0.5, upper: 2.5, linear: vec![(0, 1.0), (1, 2.0), (2, 1.0)], quadratic: vec![] };
    let model = QumoModel::new(&instance).unwrap();
    assert_eq!(model.rows.len(), 1, "the never-violated row is dropped");
    assert_eq!((model.rows[0].row, model.rows[0].lo, model.rows[0].hi), (1, 1.0, 2.0));
}

/// E(x, s) at the slacks that minimise it under multipliers: s = (a·x − lo − g)/d for the
/// residual g that `RowEncoding::residual` gives.
fn with_multiplier_slacks(model: &QumoModel, weights: &aocbench::qumo::PenaltyWeights, x: &[f64]) -> Vec<f64> {
    let mut z = x.to_vec();
    for ((row, &p), &mu) in model.rows.iter().zip(weights.values()).zip(weights.multipliers()) {
        if row.slack.is_some() {
            z.push((row.activity(x) - row.lo - row.residual(x, mu, p)) / (row.hi - row.lo));
        }
    }
    z
}

#[test]
fn multipliers_move_only_the_fields_and_the_energy_is_the_augmented_lagrangian() {
    let mut moved = false;
    for (spec, seed) in specs() {
        let instance = random_instance(spec, seed);
        let model = QumoModel::new(&instance).unwrap();
        if model.rows.is_empty() {
            continue;
        }
        let points: Vec<Vec<f64>> = all_binary_points(instance.n_vars()).collect();
        let mut weights = model.initial_weights(1.0);
        let before = model.build(&weights);
        // Two steps from different samples, so some multipliers are non-zero and differ in sign.
        let first: Vec<&[f64]> = points.iter().step_by(3).map(|x| x.as_slice()).collect();
        let second: Vec<&[f64]> = points.iter().skip(1).step_by(5).map(|x| x.as_slice()).collect();
        weights.step_multipliers(&model, &first);
        weights.step_multipliers(&model, &second);
        for ((row, &mu), &p) in model.rows.iter().zip(weights.multipliers()).zip(weights.values()) {
            let expected = if row.slack.is_some() {
                0.0
            } else {
                // μ = 2P·(mean residual over the first samples) + 2P·(over the second).
                let mean = |samples: &[&[f64]]| samples.iter().map(|x| row.activity(x) - row.lo).sum::<f64>() / samples.len() as f64;
                let once = 2.0 * p * mean(&first);
                once + 2.0 * p * mean(&second)
            };
            assert!(relative_close(mu, expected), "{}: row {} has μ = {mu}, expected {expected}", instance.name, row.row);
            moved |= mu != 0.0;
        }
        let after = model.build(&weights);
        assert_eq!(before.j, after.j, "{}: a multiplier step changed J", instance.name);
        assert_eq!(model.fields(&weights), (after.h.clone(), after.constant));
        for x in &points {
            let z = with_multiplier_slacks(&model, &weights, x);
            assert!(z[instance.n_vars()..].iter().all(|s| (0.0..=1.0).contains(s)), "{}: slack outside [0, 1]", instance.name);
            let augmented: f64 = instance.sense.sign() * objective(&instance, x)
                + model.rows.iter().zip(weights.values()).zip(weights.multipliers()).map(|((row, &p), &mu)| {
                    let g = row.residual(x, mu, p);
                    p * g * g + mu * g
                }).sum::<f64>();
            let energy = after.energy(&z);
            assert!(relative_close(energy, augmented), "{}: E(x, s) = {energy}, augmented Lagrangian = {augmented}", instance.name);
            for (slot, value) in (instance.n_vars()..after.n).flat_map(|s| [0.0, 0.25, 0.5, 0.75, 1.0].map(|v| (s, v))) {
                let mut other = z.clone();
                other[slot] = value;
                assert!(after.energy(&other) >= energy - 1e-9 * energy.abs().max(1.0), "{}: slack {slot} = {value} beats the residual's slack", instance.name);
            }
        }
    }
    assert!(moved, "no multiplier moved on any instance");
}

#[test]
fn a_multiplier_step_follows_the_mean_residual_of_equality_rows_only() {
    let mut instance = random_instance(RandomSpec { n: 4, rows: [0; 4], density: 0.5, sense: Sense::Minimize }, 5);
    // x1 + x2 + x3 = 1 (no slack) and x1 + x4 ≤ 1 (a slack over [0, 1]).
    instance.constraints = vec![
        aocbench::model::Constraint { lower: 1.0, upper: 1.0, linear: vec![(0, 1.0), (1, 1.0), (2, 1.0)], quadratic: vec![] },
        aocbench::model::Constraint { lower: f64::NEG_INFINITY, upper: 1.0, linear: vec![(0, 1.0), (3, 1.0)], quadratic: vec![] },
    ];
    let model = QumoModel::new(&instance).unwrap();
    assert_eq!(model.rows.len(), 2);
    let mut weights = model.initial_weights(1.0);
    let p: Vec<f64> = weights.values().to_vec();
    // Both samples have two of x1..x3 on (equality residual +1); x1 + x4 = 1 and 2.
    let (a, b) = ([1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 1.0]);
    weights.step_multipliers(&model, &[&a[..], &b[..]]);
    assert_eq!(weights.multipliers()[0], 2.0 * p[0], "equality row: μ += 2P·mean residual (+1)");
    assert_eq!(weights.multipliers()[1], 0.0, "the inequality row (violated by b) keeps its penalty alone");
    // A sample that satisfies the equality leaves its multiplier; one short of it (no x on)
    // moves it back by 2P·(mean residual −½).
    let feasible = [0.0, 1.0, 0.0, 0.0];
    weights.step_multipliers(&model, &[&feasible[..]]);
    assert_eq!(weights.multipliers()[0], 2.0 * p[0]);
    weights.step_multipliers(&model, &[&feasible[..], &[0.0, 0.0, 0.0, 1.0][..]]);
    assert_eq!(weights.multipliers()[0], 2.0 * p[0] - p[0]);
    assert_eq!(weights.multipliers()[1], 0.0);
}

#[test]
fn the_largest_one_flip_change_is_at_least_the_mean() {
    for (spec, seed) in specs() {
        let model = QumoModel::new(&random_instance(spec, seed)).unwrap();
        assert!(model.flip_max >= model.flip_scale && model.flip_scale > 0.0, "{} ≥ {}", model.flip_max, model.flip_scale);
    }
}

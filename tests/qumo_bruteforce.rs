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

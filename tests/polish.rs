//! The flip/swap local search checked against brute force on small instances.

use aocbench::model::random::{all_binary_points, random_instance, RandomSpec};
use aocbench::model::{feasibility, objective, Constraint, Instance, Sense};
use aocbench::polish::{polish, PolishLimits, PolishOutcome};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const TOL: f64 = 1e-9;

fn strictly_better(sense: Sense, a: f64, b: f64) -> bool {
    sense.sign() * a < sense.sign() * b - TOL
}

fn feasible(instance: &Instance, x: &[f64]) -> bool {
    feasibility(instance, x).feasible
}

/// Feasible points with their objectives, by enumeration.
fn feasible_points(instance: &Instance) -> Vec<(Vec<f64>, f64)> {
    all_binary_points(instance.n_vars())
        .filter(|x| feasible(instance, x))
        .map(|x| {
            let f = objective(instance, &x);
            (x, f)
        })
        .collect()
}

/// The worst of `points` in `sense` (the first of equals): the hardest start.
fn worst(points: &[(Vec<f64>, f64)], sense: Sense) -> &(Vec<f64>, f64) {
    points.iter().fold(&points[0], |w, p| if sense.better(w.1, p.1) { p } else { w })
}

/// Checks the outcome's own invariants: feasible, objective recomputed, no worse than start.
fn check_outcome(instance: &Instance, start: &[f64], out: &PolishOutcome) {
    assert!(out.start_feasible);
    assert!(feasible(instance, &out.x), "{}: polished point infeasible", instance.name);
    assert_eq!(out.objective, objective(instance, &out.x));
    assert_eq!(out.start_objective, objective(instance, start));
    assert!(!strictly_better(instance.sense, out.start_objective, out.objective), "{}: polish made it worse", instance.name);
    assert_eq!(out.improved, instance.sense.better(out.objective, out.start_objective));
    if !out.improved {
        assert_eq!(out.x, start);
    }
}

/// No single feasible flip or feasible swap improves `x` (brute force with the model's judges).
fn assert_local_optimum(instance: &Instance, x: &[f64]) {
    let f = objective(instance, x);
    let n = x.len();
    for i in 0..n {
        let mut y = x.to_vec();
        y[i] = 1.0 - y[i];
        assert!(
            !(feasible(instance, &y) && strictly_better(instance.sense, objective(instance, &y), f)),
            "{}: flip {i} improves {x:?}",
            instance.name
        );
        for j in 0..n {
            if x[i] == 1.0 && x[j] == 0.0 {
                let mut y = x.to_vec();
                y[i] = 0.0;
                y[j] = 1.0;
                assert!(
                    !(feasible(instance, &y) && strictly_better(instance.sense, objective(instance, &y), f)),
                    "{}: swap {i}->{j} improves {x:?}",
                    instance.name
                );
            }
        }
    }
}

#[test]
fn random_instances_reach_flip_and_swap_local_optima() {
    let mut checked = 0;
    let mut improved = 0;
    let mut swaps = 0;
    for seed in 0..80u64 {
        let n = 6 + (seed as usize % 7); // 6..=12
        let rows = [(seed % 3) as usize, ((seed / 3) % 2) as usize, (seed % 2) as usize, (seed % 4 != 0) as usize + (seed % 5 == 0) as usize];
        let sense = if seed % 2 == 0 { Sense::Minimize } else { Sense::Maximize };
        let instance = random_instance(RandomSpec { n, rows, density: 0.4, sense }, 7000 + seed);
        let points = feasible_points(&instance);
        assert!(!points.is_empty(), "random instances are feasible");
        let (start, _) = worst(&points, sense);
        let out = polish(&instance, start, PolishLimits::default());
        check_outcome(&instance, start, &out);
        assert_local_optimum(&instance, &out.x);
        assert!(out.passes >= 1);
        checked += 1;
        improved += out.improved as usize;
        swaps += out.swaps;
    }
    assert_eq!(checked, 80);
    assert!(improved > 40, "only {improved} of 80 worst starts improved");
    assert!(swaps > 0, "no swap was ever used");
}

/// Swap partners that share no row with `i` but are coupled to it in the objective matter:
/// from a flip-local optimum, only such a swap can improve an unconstrained problem.
#[test]
fn objective_coupled_swaps_without_shared_rows() {
    // f = −x0 − 2·x1 + 3·x0·x1 (QPLIB lists the off-diagonal pair once with the doubled value).
    let mut instance = random_instance(RandomSpec { n: 2, rows: [0; 4], density: 0.0, sense: Sense::Minimize }, 5);
    instance.objective_quadratic = vec![aocbench::model::QuadTerm { row: 1, col: 0, value: 6.0 }];
    instance.objective_linear = vec![-1.0, -2.0];
    instance.objective_constant = 0.0;
    assert_eq!(objective(&instance, &[1.0, 1.0]), 0.0);
    let out = polish(&instance, &[1.0, 0.0], PolishLimits::default());
    check_outcome(&instance, &[1.0, 0.0], &out);
    assert_eq!(out.x, vec![0.0, 1.0]);
    assert_eq!((out.flips, out.swaps), (0, 1));

    // Random problems with no or few rows, so many pairs share no row.
    for seed in 0..40u64 {
        let n = 6 + (seed as usize % 7);
        let rows = [(seed % 3 == 0) as usize, 0, 0, 0];
        let sense = if seed % 2 == 0 { Sense::Minimize } else { Sense::Maximize };
        let mut instance = random_instance(RandomSpec { n, rows, density: 0.5, sense }, 9100 + seed);
        for row in &mut instance.constraints {
            // A short ≤ row that cuts off the all-ones corner of its variables but keeps 0.
            row.linear.truncate(2);
            row.upper = row.linear.iter().map(|&(_, a)| a.max(0.0)).sum::<f64>().max(1.0) - 1.0;
        }
        let points = feasible_points(&instance);
        let (start, _) = worst(&points, sense);
        let out = polish(&instance, start, PolishLimits::default());
        check_outcome(&instance, start, &out);
        assert_local_optimum(&instance, &out.x);
    }
}

/// Rows with quadratic terms (not QBL, handled for safety) are judged in full.
#[test]
fn quadratic_rows_are_respected() {
    for seed in 0..20u64 {
        let sense = if seed % 2 == 0 { Sense::Minimize } else { Sense::Maximize };
        let mut instance = random_instance(RandomSpec { n: 9, rows: [1, 1, 0, 1], density: 0.5, sense }, 3300 + seed);
        for (k, row) in instance.constraints.iter_mut().enumerate() {
            // + 2·x_k·x_{k+3} (listed once with the doubled value), bounds widened by 1 each way.
            row.quadratic.push(aocbench::model::QuadTerm { row: k + 3, col: k, value: 4.0 });
            row.lower -= 1.0;
            row.upper += 1.0;
        }
        let points = feasible_points(&instance);
        let (start, _) = worst(&points, sense);
        let out = polish(&instance, start, PolishLimits::default());
        check_outcome(&instance, start, &out);
        assert_local_optimum(&instance, &out.x);
    }
}

/// Variables in disjoint groups, one chosen per group (`Σ_{j∈group} x_j = 1`), linear objective.
fn assignment_instance(groups: &[usize], sense: Sense, seed: u64) -> Instance {
    let n: usize = groups.iter().sum();
    let mut instance = random_instance(RandomSpec { n, rows: [0; 4], density: 0.0, sense }, seed);
    instance.objective_quadratic.clear();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    instance.objective_linear = (0..n).map(|_| rng.random_range(-20..=20) as f64).collect();
    let mut first = 0;
    instance.constraints = groups
        .iter()
        .map(|&size| {
            let row = Constraint { lower: 1.0, upper: 1.0, linear: (first..first + size).map(|j| (j, 1.0)).collect(), quadratic: Vec::new() };
            first += size;
            row
        })
        .collect();
    instance.start_constraint_dual = vec![0.0; groups.len()];
    instance.name = format!("assignment_{groups:?}_{seed}");
    instance
}

#[test]
fn assignment_rows_need_swaps_and_reach_the_optimum() {
    let groups = [3, 4, 2, 5];
    for (seed, sense) in [(1u64, Sense::Minimize), (2, Sense::Maximize), (3, Sense::Minimize), (4, Sense::Maximize)] {
        let instance = assignment_instance(&groups, sense, seed);
        let points = feasible_points(&instance);
        assert_eq!(points.len(), groups.iter().product::<usize>());
        let optimum = points.iter().map(|p| p.1).fold(f64::NAN, |b, f| if b.is_nan() || sense.better(f, b) { f } else { b });
        // Start: the worst member of every group.
        let mut start = vec![0.0; instance.n_vars()];
        let mut first = 0;
        for &size in &groups {
            let worst = (first..first + size).fold(first, |w, j| if sense.better(instance.objective_linear[w], instance.objective_linear[j]) { j } else { w });
            start[worst] = 1.0;
            first += size;
        }
        assert!(feasible(&instance, &start));
        assert!(strictly_better(sense, optimum, objective(&instance, &start)), "start must be non-optimal");
        let out = polish(&instance, &start, PolishLimits::default());
        check_outcome(&instance, &start, &out);
        assert_eq!(out.objective, optimum, "{}: swap-local optimum of a separable objective is global", instance.name);
        assert_eq!(out.flips, 0, "a single flip always breaks an assignment row");
        assert!(out.swaps > 0);
    }
}

/// A quadratic assignment problem on `k` facilities: `x[i·k + a] = 1` puts facility `i` at
/// location `a`; rows `Σ_a x_ia = 1` and columns `Σ_i x_ia = 1`; the objective
/// `Σ flow_ij·dist_ab·x_ia·x_jb` with random flows and distances.
fn qap_instance(k: usize, seed: u64) -> Instance {
    let n = k * k;
    let mut instance = random_instance(RandomSpec { n, rows: [0; 4], density: 0.0, sense: Sense::Minimize }, seed);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let flow: Vec<f64> = (0..k * k).map(|_| rng.random_range(0..=9) as f64).collect();
    let dist: Vec<f64> = (0..k * k).map(|_| rng.random_range(1..=9) as f64).collect();
    instance.objective_linear = vec![0.0; n];
    instance.objective_quadratic.clear();
    for (i, j) in (0..k).flat_map(|i| (0..k).map(move |j| (i, j))).filter(|(i, j)| i != j) {
        for (a, b) in (0..k).flat_map(|a| (0..k).map(move |b| (a, b))).filter(|(a, b)| a != b) {
            let (u, v) = (i * k + a, j * k + b);
            // QPLIB's lower triangle: the term v·x_u·x_v once per unordered pair.
            if u > v {
                let value = flow[i * k + j] * dist[a * k + b] + flow[j * k + i] * dist[b * k + a];
                instance.objective_quadratic.push(aocbench::model::QuadTerm { row: u, col: v, value });
            }
        }
    }
    let row = |vars: Vec<usize>| Constraint { lower: 1.0, upper: 1.0, linear: vars.into_iter().map(|j| (j, 1.0)).collect(), quadratic: Vec::new() };
    instance.constraints = (0..k).map(|i| row((0..k).map(|a| i * k + a).collect())).chain((0..k).map(|a| row((0..k).map(|i| i * k + a).collect()))).collect();
    instance.start_constraint_dual = vec![0.0; 2 * k];
    instance.name = format!("qap_{k}_{seed}");
    instance
}

/// The assignment of permutation `perm` (facility i at location perm[i]).
fn permutation_point(perm: &[usize]) -> Vec<f64> {
    let k = perm.len();
    let mut x = vec![0.0; k * k];
    for (i, &a) in perm.iter().enumerate() {
        x[i * k + a] = 1.0;
    }
    x
}

#[test]
fn permutation_rows_reach_a_two_exchange_local_optimum() {
    // Flips and swaps all break a permutation; only double swaps (two facilities exchange
    // their locations) move. The polished point must be feasible and no exchange may improve it.
    let k = 6;
    let mut double_swaps = 0;
    for seed in 1..=8u64 {
        let instance = qap_instance(k, seed);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(100 + seed);
        let mut perm: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            perm.swap(i, rng.random_range(0..=i));
        }
        let start = permutation_point(&perm);
        assert!(feasible(&instance, &start));
        let out = polish(&instance, &start, PolishLimits::default());
        check_outcome(&instance, &start, &out);
        assert_eq!((out.flips, out.swaps), (0, 0), "{}: single flips and swaps break a permutation", instance.name);
        double_swaps += out.double_swaps;
        let polished: Vec<usize> = (0..k).map(|i| (0..k).find(|&a| out.x[i * k + a] == 1.0).expect("one location per facility")).collect();
        for i in 0..k {
            for j in i + 1..k {
                let mut exchanged = polished.clone();
                exchanged.swap(i, j);
                let f = objective(&instance, &permutation_point(&exchanged));
                assert!(!strictly_better(Sense::Minimize, f, out.objective), "{}: exchanging {i} and {j} improves {} to {f}", instance.name, out.objective);
            }
        }
    }
    assert!(double_swaps > 0, "random permutations are not all 2-exchange optimal");
}

#[test]
fn infeasible_start_is_returned_unchanged() {
    let instance = random_instance(RandomSpec { n: 8, rows: [1, 1, 1, 1], density: 0.5, sense: Sense::Minimize }, 42);
    let start = all_binary_points(8).find(|x| !feasible(&instance, x)).expect("some point is infeasible");
    let out = polish(&instance, &start, PolishLimits::default());
    assert!(!out.start_feasible);
    assert!(!out.improved);
    assert_eq!(out.x, start);
    assert_eq!(out.objective, objective(&instance, &start));
    assert_eq!(out.start_objective, out.objective);
    assert_eq!((out.flips, out.swaps, out.passes), (0, 0, 0));

    // Fractional and wrong-length starts are infeasible too.
    let mut fractional = vec![0.0; 8];
    fractional[3] = 0.5;
    let out = polish(&instance, &fractional, PolishLimits::default());
    assert!(!out.start_feasible);
    assert_eq!(out.x, fractional);
    let out = polish(&instance, &[0.0; 5], PolishLimits::default());
    assert!(!out.start_feasible);
    assert_eq!(out.x, vec![0.0; 5]);
    assert!(out.objective.is_nan());
}

#[test]
fn maximisation_improves_upwards() {
    for seed in 0..10u64 {
        let spec = RandomSpec { n: 10, rows: [1, 0, 1, 0], density: 0.5, sense: Sense::Maximize };
        let instance = random_instance(spec, 500 + seed);
        let points = feasible_points(&instance);
        // The feasible minimiser of f: the worst start for maximisation.
        let (start, low) = worst(&points, Sense::Maximize).clone();
        let high = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let out = polish(&instance, &start, PolishLimits::default());
        check_outcome(&instance, &start, &out);
        assert_local_optimum(&instance, &out.x);
        if high > low {
            assert!(out.improved, "seed {seed}: nothing improved from the feasible minimum");
            assert!(out.objective > low);
        }
        // The same start is already optimal for minimisation: nothing to do.
        let mut min_instance = instance.clone();
        min_instance.sense = Sense::Minimize;
        let out = polish(&min_instance, &start, PolishLimits::default());
        check_outcome(&min_instance, &start, &out);
        assert!(!out.improved);
        assert_eq!(out.x, start);
    }
}

#[test]
fn limits_are_respected() {
    let instance = random_instance(RandomSpec { n: 10, rows: [1, 1, 0, 0], density: 0.5, sense: Sense::Minimize }, 9);
    let points = feasible_points(&instance);
    let (start, _) = worst(&points, Sense::Minimize);
    for limits in [PolishLimits { max_seconds: 1.0, max_passes: 0 }, PolishLimits { max_seconds: 0.0, max_passes: 10 }] {
        let out = polish(&instance, start, limits);
        check_outcome(&instance, start, &out);
        assert!(!out.improved);
        assert_eq!(out.passes, 0);
    }
    let one = polish(&instance, start, PolishLimits { max_seconds: 1.0, max_passes: 1 });
    check_outcome(&instance, start, &one);
    assert_eq!(one.passes, 1);
    let unlimited = polish(&instance, start, PolishLimits { max_seconds: f64::INFINITY, max_passes: usize::MAX });
    check_outcome(&instance, start, &unlimited);
    assert_local_optimum(&instance, &unlimited.x);
}

/// A large instance with a cardinality row over all variables (longer than the swap list cap,
/// so the top-K partner fallback runs) and knapsack rows.
#[test]
fn large_instance_with_dense_rows_stays_feasible_and_fast() {
    let n = 6000;
    let mut instance = random_instance(RandomSpec { n, rows: [0; 4], density: 0.0, sense: Sense::Minimize }, 77);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(77);
    for i in 0..n {
        for _ in 0..3 {
            let j = rng.random_range(0..n);
            if j < i {
                instance.objective_quadratic.push(aocbench::model::QuadTerm { row: i, col: j, value: rng.random_range(-10..=10) as f64 });
            }
        }
    }
    instance.objective_quadratic.sort_by_key(|t| (t.row, t.col));
    instance.objective_quadratic.dedup_by_key(|t| (t.row, t.col));
    let start: Vec<f64> = (0..n).map(|j| if j % 2 == 0 { 1.0 } else { 0.0 }).collect();
    let mut rows = vec![Constraint { lower: (n / 2) as f64, upper: (n / 2) as f64, linear: (0..n).map(|j| (j, 1.0)).collect(), quadratic: Vec::new() }];
    for k in 0..20 {
        let lo = k * 300;
        let linear: Vec<(usize, f64)> = (lo..lo + 300).map(|j| (j, rng.random_range(1..=9) as f64)).collect();
        let at: f64 = linear.iter().map(|&(j, a)| a * start[j]).sum();
        rows.push(Constraint { lower: f64::NEG_INFINITY, upper: at + 5.0, linear, quadratic: Vec::new() });
    }
    instance.constraints = rows;
    instance.start_constraint_dual = vec![0.0; instance.constraints.len()];
    assert!(feasible(&instance, &start));
    let limits = PolishLimits { max_seconds: 1.0, max_passes: 1000 };
    let out = polish(&instance, &start, limits);
    check_outcome(&instance, &start, &out);
    assert!(out.improved);
    assert!(out.swaps > 0);
    assert!(out.seconds < limits.max_seconds + 0.5, "took {} s", out.seconds);
    assert_eq!(out.x.iter().sum::<f64>(), (n / 2) as f64);
}

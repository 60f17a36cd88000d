//! The one-hot readout (`--readout one-hot`) on whole solves: every sample of a semi-assignment
//! or assignment instance is feasible, the point reported is never worse than the threshold's
//! at equal work, and small instances reach their brute-force optimum.

use aocbench::benchmark::solve_instance;
use aocbench::engine::{CpuEngine, Precision};
use aocbench::model::random::{brute_force_optimum, fresh_seed};
use aocbench::model::{feasibility, objective, Constraint, Instance, QuadTerm, Sense};
use aocbench::readout::Readout;
use aocbench::sweep::{Budget, Ending, PenaltyBasis, Silent, SweepOptions, SweepResult};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn one_hot_row(vars: impl IntoIterator<Item = usize>) -> Constraint {
    Constraint { lower: 1.0, upper: 1.0, linear: vars.into_iter().map(|j| (j, 1.0)).collect(), quadratic: Vec::new() }
}

/// `groups` rows of `size` variables each, one to choose per row, with positive costs between
/// variables of different rows: the all-zero point is what the objective alone wants, as on
/// QPLIB_6324 and 6597.
fn semi_assignment(groups: usize, size: usize, rng: &mut impl Rng) -> Instance {
    let n = groups * size;
    let quadratic = (0..n).flat_map(|row| (0..row).map(move |col| (row, col))).filter(|&(row, col)| row / size != col / size).map(|(row, col)| QuadTerm { row, col, value: f64::from(rng.random_range(1..100u32)) }).collect();
    Instance::binary("semi-assignment", Sense::Minimize, quadratic, vec![0.0; n], 0.0, (0..groups).map(|g| one_hot_row(g * size..(g + 1) * size)).collect())
}

/// A k×k quadratic assignment (Koopmans–Beckmann): x[i·k + p] places facility i at p.
fn assignment(k: usize, rng: &mut impl Rng) -> Instance {
    let flow: Vec<f64> = (0..k * k).map(|_| f64::from(rng.random_range(0..10u32))).collect();
    let distance: Vec<f64> = (0..k * k).map(|_| f64::from(rng.random_range(1..10u32))).collect();
    let mut quadratic = Vec::new();
    for a in 0..k * k {
        for b in 0..a {
            let (i, p, j, q) = (a / k, a % k, b / k, b % k);
            if i != j && p != q {
                quadratic.push(QuadTerm { row: a, col: b, value: flow[i * k + j] * distance[p * k + q] + flow[j * k + i] * distance[q * k + p] });
            }
        }
    }
    let rows = (0..k).map(|i| one_hot_row((0..k).map(|p| i * k + p))).chain((0..k).map(|p| one_hot_row((0..k).map(|i| i * k + p))));
    Instance::binary("assignment", Sense::Minimize, quadratic, vec![0.0; k * k], 0.0, rows.collect())
}

/// Both readouts run the same dynamics here: `PenaltyBasis::Mean` starts every row at the same
/// weight (the default basis starts the rows the one-hot readout decides lower), and fixed
/// weights keep the doubling rule, which asks whether a feasible point is known (the readout
/// may know one sooner), out of it.
fn solve(instance: &Instance, readout: Readout, seed: u64) -> SweepResult {
    let mut options = SweepOptions { budget: Budget::Work(400_000), seed, readout, penalty_basis: PenaltyBasis::Mean, adaptive_penalties: false, ..SweepOptions::default() };
    options.ranges.deep_iterations = (100, 1000);
    let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
    solve_instance(instance, &mut engine, &options, None, &mut Silent).unwrap().sweep
}

/// Every sample feasible; the best point exact and feasible; never worse than the threshold's.
fn check(instance: &Instance, seed: u64) -> f64 {
    let one_hot = solve(instance, Readout::OneHot, seed);
    let samples: usize = one_hot.phases.iter().map(|p| p.samples).sum();
    let feasible: usize = one_hot.phases.iter().map(|p| p.feasible_samples).sum();
    assert_eq!(feasible, samples, "{}, seed {seed}: every sample is read as a feasible point", instance.name);
    let best = one_hot.incumbents.best_feasible.clone().expect("a feasible point");
    assert!(feasibility(instance, &best.x).feasible);
    assert_eq!(best.objective, objective(instance, &best.x));
    let threshold = solve(instance, Readout::Threshold, seed);
    let proven = [&one_hot, &threshold].into_iter().find_map(|r| match r.ending {
        Some(Ending::ProvenOptimum { optimum, .. }) => Some(optimum),
        _ => None,
    });
    match proven {
        None => assert_eq!(threshold.total_mvm, one_hot.total_mvm, "the readout leaves the dynamics alone"),
        // A run that holds the enumerated optimum stops (docs/resources.md), so the runs'
        // lengths differ; with the same dynamics, the one-hot readout holds it no later.
        Some(optimum) => {
            let first = |r: &SweepResult| r.incumbents.improvements.iter().find(|i| i.objective <= optimum).map_or(u64::MAX, |i| i.mvm);
            assert!(first(&one_hot) <= first(&threshold), "{}, seed {seed}: one-hot holds the optimum at {} mvm, the threshold at {}", instance.name, first(&one_hot), first(&threshold));
        }
    }
    let threshold_feasible: usize = threshold.phases.iter().map(|p| p.feasible_samples).sum();
    assert!(threshold_feasible <= feasible);
    if let Some(t) = threshold.incumbents.best_feasible {
        assert!(best.objective <= t.objective, "{}, seed {seed}: one-hot {} against threshold {}", instance.name, best.objective, t.objective);
    }
    best.objective
}

#[test]
fn every_semi_assignment_sample_is_feasible_and_small_ones_reach_the_optimum() {
    let seed = fresh_seed();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // 4 rows of 3: 81 feasible points among 4,096, brute-forced.
    let small = semi_assignment(4, 3, &mut rng);
    let optimum = brute_force_optimum(&small).unwrap();
    assert_eq!(check(&small, seed), optimum, "seed {seed}");
    check(&semi_assignment(12, 10, &mut rng), seed);
}

#[test]
fn every_assignment_sample_is_a_permutation_and_small_ones_reach_the_optimum() {
    let seed = fresh_seed();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // 4×4: 24 permutations among 65,536 points, brute-forced.
    let small = assignment(4, &mut rng);
    let optimum = brute_force_optimum(&small).unwrap();
    assert_eq!(check(&small, seed), optimum, "seed {seed}");
    check(&assignment(8, &mut rng), seed);
}

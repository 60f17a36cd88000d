//! The whole AOC-DT solve (CPU engine, work budget) finds the brute-force optimum of small
//! random QBL instances, and is reproducible under a fixed seed.

use aocbench::benchmark::solve_instance;
use aocbench::engine::{CpuEngine, Precision, ProductForm};
use aocbench::model::random::{brute_force_optimum, random_instance, RandomSpec};
use aocbench::model::{feasibility, objective, Sense};
use aocbench::sweep::{Budget, Silent, SweepOptions};


/// Short deep rounds: tiny instances need many rounds (each may double penalties that are
/// still violated) more than long ones.
fn options(seed: u64) -> SweepOptions {
    let mut options = SweepOptions { budget: Budget::Work(3_000_000), seed, ..SweepOptions::default() };
    options.ranges.deep_iterations = (100, 1000);
    options
}

#[test]
fn solve_finds_the_brute_force_optimum_on_small_random_qbl_instances() {
    finds_the_brute_force_optima(None);
}

/// The sweep does not depend on how the engine multiplies by J (up to f32 rounding).
#[test]
fn solve_with_the_factored_product_forced_finds_the_brute_force_optimum() {
    finds_the_brute_force_optima(Some(ProductForm::Factored));
}

fn finds_the_brute_force_optima(product: Option<ProductForm>) {
    for seed in 0..8u64 {
        let n = 9 + seed as usize; // 9..=16
        let rows = [1 + (seed % 2) as usize, (seed % 3 == 0) as usize, (seed % 2) as usize, 1];
        let sense = if seed % 3 == 1 { Sense::Maximize } else { Sense::Minimize };
        let instance = random_instance(RandomSpec { n, rows, density: 0.4, sense }, 500 + seed);
        let optimum = brute_force_optimum(&instance).expect("random instances are feasible");
        let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
        let options = SweepOptions { product, ..options(seed) };
        let outcome = solve_instance(&instance, &mut engine, &options, Some(optimum), &mut Silent).unwrap();
        if let Some(form) = product {
            assert_eq!(outcome.sweep.product, form);
        }
        let best = outcome.sweep.incumbents.best_feasible.as_ref().expect("a feasible point");
        assert_eq!(best.objective, objective(&instance, &best.x), "reported objective is the exact one");
        assert!(feasibility(&instance, &best.x).feasible);
        assert_eq!(best.objective, optimum, "{}: found {}, optimum {optimum}", instance.name, best.objective);
        assert!(outcome.metrics.reached_best_known && outcome.metrics.success_probability > 0.0);
    }
}

#[test]
fn a_fixed_seed_under_a_work_budget_reproduces_the_run_bit_for_bit() {
    let instance = random_instance(RandomSpec { n: 14, rows: [1, 1, 1, 1], density: 0.5, sense: Sense::Minimize }, 77);
    let run = || {
        let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
        solve_instance(&instance, &mut engine, &options(3), None, &mut Silent).unwrap()
    };
    let (a, b) = (run(), run());
    assert_eq!(a.sweep.total_mvm, b.sweep.total_mvm);
    assert_eq!(a.sweep.incumbents.improvements.iter().map(|i| (i.mvm, i.objective)).collect::<Vec<_>>(), b.sweep.incumbents.improvements.iter().map(|i| (i.mvm, i.objective)).collect::<Vec<_>>());
    assert_eq!(a.metrics.successes, b.metrics.successes);
    assert_eq!(a.sweep.lambda_final, b.sweep.lambda_final);
}

#[test]
fn solve_on_the_wgsl_engine_finds_the_brute_force_optimum() {
    // Needs a wgpu adapter (lavapipe in CI: scripts/test.sh installs it); fails without one.
    let mut engine = aocbench::engine::GpuEngine::new(aocbench::engine::AdapterChoice::Any).expect("a wgpu adapter (install mesa-vulkan-drivers)");
    for seed in 0..3u64 {
        let rows = [1, (seed % 2) as usize, 1, 1];
        let instance = random_instance(RandomSpec { n: 10 + 2 * seed as usize, rows, density: 0.4, sense: Sense::Minimize }, 900 + seed);
        let optimum = brute_force_optimum(&instance).expect("random instances are feasible");
        let options = SweepOptions { batch_size: Some(128), ..options(seed) };
        let outcome = solve_instance(&instance, &mut engine, &options, Some(optimum), &mut Silent).unwrap();
        let best = outcome.sweep.incumbents.best_feasible.as_ref().expect("a feasible point");
        assert_eq!(outcome.sweep.engine.kind, "gpu");
        assert_eq!(best.objective, optimum, "{}: found {}, optimum {optimum}", instance.name, best.objective);
    }
}

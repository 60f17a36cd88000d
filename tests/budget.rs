//! Budgets that hold (docs/resources.md, "Budgets"): `--work W` spends W replica-iterations or
//! reports the rest it could not spend, a run on an instance whose optimum enumeration proves
//! stops once AOC-DT holds it with its metrics intact, and a time limit that cannot hold says so.
//! Counters only: nothing here asserts a duration.

use aocbench::benchmark::{solve_instance, SolveOutcome};
use aocbench::engine::{CpuEngine, Precision};
use aocbench::model::random::{brute_force_optimum, random_instance, RandomSpec};
use aocbench::model::{Instance, Sense};
use aocbench::output::warnings::Warning;
use aocbench::sweep::{Budget, Candidate, Ending, Phase, Silent, SweepObserver, SweepOptions, DEEP_CONFIGURATIONS, PROVEN_VARIABLES};

fn solve(instance: &Instance, budget: Budget, seed: u64) -> SolveOutcome {
    solve_towards(instance, budget, seed, None)
}

fn solve_towards(instance: &Instance, budget: Budget, seed: u64, best_known: Option<f64>) -> SolveOutcome {
    let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
    let options = SweepOptions { budget, seed, ..SweepOptions::default() };
    solve_instance(instance, &mut engine, &options, best_known, &mut Silent).unwrap()
}

/// Larger than enumeration reaches, so that only the budget ends the run.
fn unproven(seed: u64) -> Instance {
    let instance = random_instance(RandomSpec { n: 40, rows: [1, 1, 0, 1], density: 0.3, sense: Sense::Minimize }, seed);
    assert!(instance.n_vars() > PROVEN_VARIABLES);
    instance
}

#[test]
fn a_work_budget_is_spent_to_the_replica_iteration() {
    for (seed, work) in [(1u64, 2_000_000u64), (2, 1_234_567), (3, 777_777)] {
        let outcome = solve(&unproven(seed), Budget::Work(work), seed);
        let sweep = &outcome.sweep;
        assert_eq!(sweep.total_mvm, work, "seed {seed}: --work {work}");
        assert_eq!(sweep.phases.iter().map(|p| p.mvm).sum::<u64>(), work);
        assert_eq!(sweep.ending, None, "nothing left unspent, nothing to report");
        // Every replica-iteration of the deep search belongs to a recorded sample.
        let deep = sweep.phases.iter().find(|p| p.phase == Phase::DeepSearch).unwrap();
        assert_eq!(sweep.deep_samples.iter().map(|s| u64::from(s.iterations)).sum::<u64>(), deep.mvm);
        assert!(sweep.deep_samples.iter().all(|s| s.iterations >= 200), "no sample below phase 2's iterations");
        assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    }
}

#[test]
fn a_rest_no_sample_can_spend_is_reported_with_its_size() {
    // Phase 1 runs 64 replicas × 100 (the batch shrinks to W / 200), phase 2 the 32 × 200 that
    // fit the rest; 150 remain, fewer than the 200 iterations of the shortest deep sample.
    let work = 12_950;
    let outcome = solve(&unproven(4), Budget::Work(work), 4);
    assert_eq!(outcome.sweep.total_mvm, 12_800);
    assert_eq!(outcome.sweep.ending, Some(Ending::WorkUnspent { work, unspent: 150, least: 200 }));
    let warning = outcome.warnings.iter().find(|w| matches!(w, Warning::WorkUnspent { .. })).expect("the unspent rest is a warning");
    let line = warning.line();
    assert!(line.contains("--work 12950 spent 12,800") && line.contains("the last 150 replica-iterations"), "{line}");
}

#[test]
fn a_run_on_an_instance_with_an_enumerated_optimum_stops_once_it_holds_it_with_its_metrics_valid() {
    let instance = random_instance(RandomSpec { n: 6, rows: [1, 0, 0, 1], density: 0.5, sense: Sense::Minimize }, 11);
    let optimum = brute_force_optimum(&instance).expect("random instances are feasible");
    let work = 50_000_000;
    let outcome = solve_towards(&instance, Budget::Work(work), 5, Some(optimum));
    let sweep = &outcome.sweep;
    let Some(Ending::ProvenOptimum { optimum: proven, points, mvm, .. }) = sweep.ending else { panic!("no early stop: {:?}", sweep.ending) };
    assert_eq!((proven, points, mvm), (optimum, 64, sweep.total_mvm));
    assert!(sweep.total_mvm < work / 10, "stopped early: {} of {work}", sweep.total_mvm);
    assert_eq!(sweep.incumbents.best_feasible.as_ref().unwrap().objective, optimum);
    // The tuning phases ran until the deep search had its usual configurations, and the deep
    // search whole rounds of them until a sample reached the optimum: TTS99 is finite.
    let deep = sweep.phases.iter().find(|p| p.phase == Phase::DeepSearch).unwrap();
    assert_eq!(deep.configurations, DEEP_CONFIGURATIONS);
    assert_eq!(outcome.metrics.samples, (deep.rounds * DEEP_CONFIGURATIONS * deep.repetitions as usize) as u64, "whole rounds");
    assert!(sweep.phases[..2].iter().all(|p| p.configurations >= DEEP_CONFIGURATIONS));
    assert_eq!(outcome.metrics.best_objective, Some(optimum));
    assert!(outcome.metrics.reached_best_known && outcome.metrics.success_probability > 0.0 && outcome.metrics.tts99_s.is_finite());
    let line = outcome.warnings.iter().find(|w| matches!(w, Warning::StoppedAtProvenOptimum { .. })).expect("the early stop is a warning").line();
    assert!(line.contains("stopped before its budget") && line.contains("all 64 points"), "{line}");

    // Under a time limit the same stop ends the run long before it.
    let timed = solve(&instance, Budget::TimeLimit(30.0), 5);
    assert!(matches!(timed.sweep.ending, Some(Ending::ProvenOptimum { .. })), "{:?}", timed.sweep.ending);
}

/// What a sweep told its observer, in order.
#[derive(Default)]
struct Told(Vec<String>);

impl SweepObserver for Told {
    fn batch_finished(&mut self, phase: Phase, _fraction: f64, _best: Option<&Candidate>) {
        self.0.push(format!("batch of {}", phase.label()));
    }

    fn ending_known(&mut self, instance: &str, ending: &Ending) {
        self.0.push(format!("{instance}: {ending:?}"));
    }
}

#[test]
fn a_time_limit_the_setup_already_exceeds_runs_one_replica_and_says_it_cannot_hold() {
    let instance = unproven(6);
    let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
    let options = SweepOptions { budget: Budget::TimeLimit(1e-9), seed: 6, ..SweepOptions::default() };
    let mut told = Told::default();
    let outcome = solve_instance(&instance, &mut engine, &options, None, &mut told).unwrap();
    let sweep = &outcome.sweep;
    assert_eq!((sweep.phases[0].samples, sweep.total_mvm), (1, 100), "one replica of phase 1, then nothing");
    let Some(Ending::LimitCannotHold { limit_s, .. }) = sweep.ending else { panic!("{:?}", sweep.ending) };
    assert_eq!(limit_s, 1e-9);
    // Told before the one batch ran, once, and kept in the result and its warnings.
    assert_eq!(told.0, [format!("{}: {:?}", instance.name, sweep.ending.as_ref().unwrap()), "batch of phase 1".to_string()]);
    let text = outcome.warnings.iter().find(|w| matches!(w, Warning::TimeLimitCannotHold { .. })).expect("a warning").to_string();
    assert!(text.contains("cannot hold") && text.contains("the run does that one replica"), "{text}");
}

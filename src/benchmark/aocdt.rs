//! One AOC-DT solve of one instance, from the exact model to its metrics.

use crate::decompose::run_bcd;
use crate::engine::Engine;
use crate::metrics::RunMetrics;
use crate::model::Instance;
use crate::output::warnings::Warning;
use crate::qumo::QumoModel;
use crate::sweep::{run_sweep, Budget, SweepObserver, SweepOptions, SweepResult};

pub struct SolveOutcome {
    pub sweep: SweepResult,
    pub metrics: RunMetrics,
    /// Under `--polish`, the metrics of the polished incumbents ("AOC-DT + polish"), reported
    /// next to (never instead of) AOC-DT's.
    pub polished: Option<RunMetrics>,
    /// What the user must read beside the result (the coefficient range the engine's
    /// precision loses, an instance larger than the modelled machine run undecomposed).
    pub warnings: Vec<Warning>,
}

/// Solves `instance` with AOC-DT and measures the run against `best_known` (this run's best
/// when `None`). Errors: a `best_known` that is not finite, an instance the QUMO conversion
/// refuses ([`crate::qumo::ConversionError`]), an engine failure.
pub fn solve_instance(
    instance: &Instance,
    engine: &mut dyn Engine,
    options: &SweepOptions,
    best_known: Option<f64>,
    observer: &mut dyn SweepObserver,
) -> anyhow::Result<SolveOutcome> {
    // The catalog and --best-known refuse non-finite values; this holds for every other caller:
    // an infinite target is one that every run reaches.
    if let Some(b) = best_known.filter(|b| !b.is_finite()) {
        anyhow::bail!("{}: the best-known objective {b} is not a finite number", instance.name);
    }
    let model = QumoModel::new(instance)?;
    // A QUMO larger than the machine is decomposed (the default) or, without decomposition,
    // runs on an imagined machine of its size: the warning says so.
    let decomposed = options.decomposition.decomposes(model.n_vars(), engine.hardware());
    let capacity = engine.hardware().filter(|_| !decomposed).and_then(|h| Warning::exceeds_machine(&instance.name, model.n_vars(), h));
    let mut warnings: Vec<Warning> = Warning::coefficient_range(&instance.name, model.range, engine.precision()).into_iter().chain(capacity).collect();
    let sweep = if decomposed { run_bcd(instance, &model, engine, options, observer)? } else { run_sweep(instance, &model, engine, options, observer)? };
    warnings.extend(work_clamps(&instance.name, options, &sweep));
    warnings.extend(sweep.ending.as_ref().map(|ending| Warning::ending(&instance.name, ending)));
    let metrics = RunMetrics::from_sweep(instance.sense, &sweep, best_known);
    let polished = RunMetrics::polished(instance.sense, &sweep, best_known);
    Ok(SolveOutcome { sweep, metrics, polished, warnings })
}

/// The options a work budget cut because one batch would have spent more than all of it (the
/// sweep's `--batch-size` when given, BCD's replicas and iterations per sub-solve).
fn work_clamps(instance: &str, options: &SweepOptions, sweep: &SweepResult) -> Vec<Warning> {
    let Budget::Work(work) = options.budget else { return Vec::new() };
    let asked = options.decomposition;
    let cuts = match &sweep.decomposition {
        Some(ran) => vec![("--bcd-replicas", asked.replicas as u64, ran.replicas as u64), ("--bcd-iterations", asked.iterations.into(), ran.iterations.into())],
        None => options.batch_size.map(|b| ("--batch-size", b as u64, sweep.batch_size as u64)).into_iter().collect(),
    };
    cuts.into_iter().filter_map(|(option, asked, used)| Warning::clamped_to_work(instance, option, asked, used, work)).collect()
}

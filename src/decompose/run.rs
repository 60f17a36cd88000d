//! The BCD outer loop: chains of steps, each step one sub-solve (a batch of replicas on the
//! engine), until the budget is spent.

use std::time::Instant;

use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{BcdOptions, BcdReport, BlockSelector, SubProblem};
use crate::engine::{Batch, Engine, ProductForm, ReplicaParams};
use crate::model::Instance;
use crate::qumo::{PenaltyWeights, Qumo, QumoModel};
use crate::resources::{batch_host_bytes, ensure_fits};
use crate::spectrum::{extreme_eigenvalues, normalisation_lambda, ExtremeEigenvalues};
use crate::sweep::{
    evaluate, Budget, shows_weak_penalties, sobol_configurations, starting_weights, stream_rng, Candidate, Configuration, Evaluation, Incumbents, PenaltyChange, Phase, PhaseStats, PolishedTrack, SampleRecord, Stop, SweepObserver, SweepOptions, SweepResult,
};

/// An accepted step must lower the block's energy E_sub by more than this fraction of |E_sub|
/// (plus an absolute 1e-12): a rounding-level "improvement" would keep a converged chain going.
const ACCEPT_TOLERANCE: f64 = 1e-12;

/// Solves `instance` (its QUMO `model`, at the starting penalty weights of `options`) by block
/// coordinate descent on `engine`, which must carry a hardware model (its capacity sets the
/// block size). Every accepted state is judged on the instance by the model's judge; the
/// result has one phase, [`Phase::BlockDescent`], whose samples are the finished chains.
/// Penalties adapt as in the sweep (`options.adaptive_penalties`): after a chain whose final
/// state shows them too weak, the rows it violates double; the method of multipliers is not
/// used.
///
/// Errors: no hardware model, a block that does not fit the machine, the factored form, or
/// what the engine reports.
pub fn run_bcd(instance: &Instance, model: &QumoModel, engine: &mut dyn Engine, options: &SweepOptions, observer: &mut dyn SweepObserver) -> anyhow::Result<SweepResult> {
    options.validate().map_err(anyhow::Error::msg)?;
    let options = &SweepOptions { decomposition: within(options.decomposition, options.budget), ..options.clone() };
    let start = Instant::now();
    let hardware = engine.hardware().ok_or_else(|| anyhow::anyhow!("block coordinate descent needs a modelled machine (--hardware aoc16 or aoc48)"))?;
    let bcd = options.decomposition;
    let block_size = bcd.block_size_on(hardware)?;
    // The machine holds W as a matrix; sparse on request (`SubProblem::folded` refuses factored).
    let product = options.product.unwrap_or(ProductForm::Dense);
    let weights = starting_weights(model, options, None);
    let qumo = model.build(&weights);
    let n = qumo.n;
    let configurations = sobol_configurations(&options.ranges);
    let mut descent = Descent {
        instance,
        model,
        weights,
        qumo,
        options,
        engine,
        product,
        stats: PhaseStats { configurations: bcd.replicas, iterations_min: bcd.iterations, iterations_max: bcd.iterations, ..PhaseStats::empty(Phase::BlockDescent, 1) },
        configurations,
        stop: Stop::whole(options.budget, start),
        start,
        incumbents: Incumbents::new(instance.sense),
        polished: options.polish.then(|| PolishedTrack::new(instance)),
        samples: Vec::new(),
        lambdas: None,
        penalty_changes: Vec::new(),
        report: BcdReport { blocks: bcd.blocks, block_size: block_size.min(n), replicas: bcd.replicas, iterations: bcd.iterations, max_sweeps: bcd.sweeps, steps: 0, accepted_steps: 0, chains_finished: 0, chains_converged: 0 },
    };
    let setup_s = start.elapsed().as_secs_f64();
    descent.run(observer)?;
    let Descent { stats, incumbents, polished, samples, lambdas, report, engine, penalty_changes, .. } = descent;
    let (eigenvalues_initial, lambda_initial, lambda_final) = lambdas.unwrap_or((ExtremeEigenvalues { min: 0.0, max: 0.0 }, 1.0, 1.0));
    Ok(SweepResult {
        incumbents,
        lambda_initial,
        lambda_final,
        eigenvalues_initial,
        total_mvm: stats.mvm,
        phases: vec![stats],
        deep_samples: samples,
        penalty_changes,
        multiplier_steps: 0,
        elapsed_s: start.elapsed().as_secs_f64(),
        setup_s,
        batch_size: bcd.replicas,
        qumo_vars: n,
        engine: engine.info(),
        product,
        // The one-hot readout decodes rows of the whole QUMO from amplitudes; a block's
        // replicas are scored on the block's energy at their thresholded values.
        readout: "threshold (block coordinate descent)".into(),
        decomposition: Some(report),
        polish: polished.as_ref().map(|p| p.report),
        polished: polished.map(|p| p.incumbents),
        // Block descent keeps its own budget rules (docs/resources.md).
        ending: None,
    })
}

struct Descent<'a> {
    instance: &'a Instance,
    model: &'a QumoModel,
    weights: PenaltyWeights,
    /// The QUMO at `weights`, rebuilt when they change.
    qumo: Qumo,
    options: &'a SweepOptions,
    engine: &'a mut dyn Engine,
    product: ProductForm,
    configurations: Vec<Configuration>,
    stop: Stop,
    start: Instant,
    /// `configurations` is a sub-solve's (one Sobol point per replica), `samples` counts
    /// sub-solve replicas (the machine's solves), `feasible_samples` the judged chain states
    /// that were feasible, `rounds` the finished chains.
    stats: PhaseStats,
    incumbents: Incumbents,
    /// Under `--polish`: every judged feasible chain state, polished.
    polished: Option<PolishedTrack>,
    samples: Vec<SampleRecord>,
    /// The first sub-problem's eigenvalues and λ, and the last one's λ.
    lambdas: Option<(ExtremeEigenvalues, f64, f64)>,
    penalty_changes: Vec<PenaltyChange>,
    report: BcdReport,
}

/// What one chain did so far.
#[derive(Default)]
struct ChainWork {
    mvm: u64,
    solves: u64,
}

impl Descent<'_> {
    /// Chains until the budget is spent; an unfinished last chain is not a sample.
    fn run(&mut self, observer: &mut dyn SweepObserver) -> anyhow::Result<()> {
        let bcd = self.options.decomposition;
        observer.phase_started(Phase::BlockDescent, bcd.replicas, 1, bcd.iterations);
        for chain in 0.. {
            let mut rng = stream_rng(self.options.seed, Phase::BlockDescent.stream(), chain);
            let mut z = self.random_state(&mut rng);
            let mut selector = BlockSelector::new(bcd.blocks, self.qumo.n, self.report.block_size);
            let mut work = ChainWork::default();
            let (mut sweeps, mut step_in_sweep, mut accepted_in_sweep) = (0u32, 0usize, false);
            // Some(whether it converged) when the chain finishes, None when the budget ends it.
            let finished = loop {
                if self.stop.reached(self.stats.mvm) {
                    break None;
                }
                let block = selector.next_block(&self.qumo, &z, &mut rng);
                let step_rng = stream_rng(self.options.seed, Phase::BlockDescent.stream() + 16, self.report.steps);
                accepted_in_sweep |= self.step(&block, &mut z, step_rng, &mut work)?;
                observer.batch_finished(Phase::BlockDescent, self.stop.fraction(self.stats.mvm), self.incumbents.answer());
                step_in_sweep += 1;
                if step_in_sweep == selector.steps_per_sweep() {
                    sweeps += 1;
                    if !accepted_in_sweep || sweeps == bcd.sweeps {
                        break Some(!accepted_in_sweep);
                    }
                    (step_in_sweep, accepted_in_sweep) = (0, false);
                }
            };
            let Some(converged) = finished else { break };
            self.finish_chain(&z, &work, converged);
            self.stats.rounds += 1;
        }
        self.stats.duration_s = self.start.elapsed().as_secs_f64();
        observer.phase_finished(&self.stats);
        Ok(())
    }

    /// A chain's start: random binaries, and each slack at its best value for them.
    fn random_state(&self, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
        let binaries: Vec<f32> = (0..self.qumo.n_binary).map(|_| if rng.random::<bool>() { 1.0 } else { 0.0 }).collect();
        self.model.with_best_slacks(&self.model.assignment(&binaries))
    }

    /// One step on `block`: the sub-solve, and the best replica written into `z` when it lowers
    /// the energy (then judged). Returns whether it did.
    fn step(&mut self, block: &[usize], z: &mut [f64], mut rng: Xoshiro256PlusPlus, work: &mut ChainWork) -> anyhow::Result<bool> {
        let bcd = self.options.decomposition;
        let sub = SubProblem::new(&self.qumo, z, block);
        let m = sub.machine_variables();
        let w = sub.machine_matrix();
        let eigenvalues = extreme_eigenvalues(m, |v, out| matvec(&w, v, out), self.options.seed);
        let lambda = normalisation_lambda(eigenvalues, self.options.lambda_rule);
        self.lambdas = Some(match self.lambdas {
            Some((first, lambda_first, _)) => (first, lambda_first, lambda),
            None => (eigenvalues, lambda, lambda),
        });
        let full_scale = w.chunks_exact(m).map(|row| row.iter().map(|v| v.abs()).sum::<f64>()).fold(0.0, f64::max);
        let pin = super::pin_field(lambda, f64::from(self.options.ranges.annealing.1), full_scale);
        self.engine.load(&sub.folded(pin, self.product)?)?;
        if self.report.steps == 0 {
            let needed = self.engine.device_memory_bytes(bcd.replicas).unwrap_or(0) as u64 + batch_host_bytes(bcd.replicas, m, m);
            ensure_fits(needed, || format!("--bcd-replicas {0} (a sub-solve of {0} replicas of {1} machine variables)", bcd.replicas, m))?;
        }

        let configurations: Vec<Configuration> = (0..bcd.replicas).map(|_| self.configurations[rng.random_range(0..self.configurations.len())]).collect();
        let params: Vec<ReplicaParams> = configurations.iter().map(|c| c.replica_params(lambda)).collect();
        let amplitude = 1.0 / (m as f32).sqrt();
        let mut initial: Vec<f32> = (0..bcd.replicas * m).map(|_| rng.random_range(-amplitude..=amplitude)).collect();
        for state in initial.chunks_exact_mut(m) {
            state[sub.pin_index()] = 1.0;
        }
        let noise_seed = rng.random();
        let output = self.engine.run(&Batch { params: &params, initial: &initial, iterations: bcd.iterations, dt: self.options.dt, noise_seed })?;
        let mvm = bcd.replicas as u64 * u64::from(bcd.iterations);
        (self.stats.mvm, self.stats.samples, self.stats.batches) = (self.stats.mvm + mvm, self.stats.samples + bcd.replicas, self.stats.batches + 1);
        (work.mvm, work.solves) = (work.mvm + mvm, work.solves + bcd.replicas as u64);
        self.report.steps += 1;

        let current = sub.energy(&sub.restrict(z));
        let best = output.states.chunks_exact(m).map(|state| sub.block_values(state)).zip(&configurations).map(|(values, c)| (sub.energy(&values), values, *c)).min_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, values, configuration)) = best.filter(|(energy, ..)| *energy < current - ACCEPT_TOLERANCE * (1.0 + current.abs())) else {
            return Ok(false);
        };
        sub.write(&values, z);
        self.report.accepted_steps += 1;
        self.judge(z, configuration);
        Ok(true)
    }

    /// Judges the whole state `z` on the instance and offers it to the incumbents.
    fn judge(&mut self, z: &[f64], configuration: Configuration) {
        let (x, evaluation) = self.evaluate(z);
        self.stats.feasible_samples += evaluation.feasible as usize;
        if evaluation.feasible {
            self.stats.offer_best(evaluation.objective, self.instance.sense);
        }
        let (time_s, mvm, samples) = (self.start.elapsed().as_secs_f64(), self.stats.mvm, self.stats.samples as u64);
        let candidate = Candidate {
            x,
            objective: evaluation.objective,
            max_violation: evaluation.max_violation,
            feasible: evaluation.feasible,
            phase: Phase::BlockDescent,
            configuration,
            time_s,
            mvm,
            samples,
        };
        if let Some(track) = self.polished.as_mut() {
            track.offer(self.instance, &candidate, &evaluation, self.start);
        }
        self.incumbents.offer(&evaluation, || candidate);
    }

    /// The instance's assignment of the QUMO state `z` and its verdict by the model's judge.
    fn evaluate(&self, z: &[f64]) -> (Vec<f64>, Evaluation) {
        let binaries: Vec<f32> = z[..self.qumo.n_binary].iter().map(|&v| v as f32).collect();
        let x = self.model.assignment(&binaries);
        let evaluation = evaluate(self.instance, self.model, &self.weights, &x);
        (x, evaluation)
    }

    /// A finished chain is one sample: its final state judged, its work. Then the penalties
    /// adapt to it.
    fn finish_chain(&mut self, z: &[f64], work: &ChainWork, converged: bool) {
        let (x, evaluation) = self.evaluate(z);
        let saturated = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        self.samples.push(SampleRecord { objective: evaluation.objective, feasible: evaluation.feasible, iterations: saturated(work.mvm), solves: saturated(work.solves) });
        self.report.chains_finished += 1;
        self.report.chains_converged += converged as u64;
        if self.options.adaptive_penalties && shows_weak_penalties(self.model, self.instance.sense, &self.incumbents, &x, evaluation.penalised) {
            let violated: Vec<usize> = (0..self.model.rows.len()).filter(|&r| self.model.rows[r].distance(&x) > 0.0).collect();
            let doubled = self.weights.double(&violated);
            if !doubled.is_empty() {
                self.qumo = self.model.build(&self.weights);
                let lambda = self.lambdas.map_or(1.0, |(.., last)| last);
                let after = format!("chain {}", self.report.chains_finished);
                self.penalty_changes.push(PenaltyChange { after, rows_doubled: doubled.len(), max_growth: self.weights.max_growth(), lambda });
            }
        }
    }
}

/// out = W·v for W row-major (v.len() columns).
/// The settings a run under `budget` uses: under a work budget W, one sub-solve spends at
/// most W (replicas cut to W, then iterations to W / replicas, at least 1), so that the
/// descent, which stops between sub-solves, spends at most W and one sub-solve.
fn within(bcd: BcdOptions, budget: Budget) -> BcdOptions {
    let Budget::Work(work) = budget else { return bcd };
    let replicas = bcd.replicas.min(usize::try_from(work).unwrap_or(usize::MAX));
    let iterations = bcd.iterations.min(u32::try_from(work / replicas as u64).unwrap_or(u32::MAX).max(1));
    BcdOptions { replicas, iterations, ..bcd }
}

fn matvec(w: &[f64], v: &[f64], out: &mut [f64]) {
    for (o, row) in out.iter_mut().zip(w.chunks_exact(v.len())) {
        *o = row.iter().zip(v).map(|(a, b)| a * b).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decompose::{BcdOptions, Blocks};
    use crate::engine::CpuEngine;
    use crate::hardware::{Calibration, HardwareModel, Machine, NonIdeality};
    use crate::model::random::{random_instance, RandomSpec};
    use crate::model::Sense;
    use crate::sweep::Budget;

    /// Under every non-ideality (noisy sub-solves), the QUMO energy of a chain never rises
    /// across its steps, and the accepted ones lower it: acceptance is judged on the exact
    /// sub-energy, which moves with the whole energy.
    #[test]
    fn the_energy_never_increases_along_a_chain() {
        for blocks in [Blocks::Random, Blocks::Greedy] {
            let instance = random_instance(RandomSpec { n: 40, rows: [2, 1, 1, 1], density: 0.3, sense: Sense::Minimize }, 3);
            let model = QumoModel::new(&instance).unwrap();
            let mut engine = CpuEngine::new(Some(1), crate::engine::Precision::F32).unwrap();
            engine.set_hardware(Some(HardwareModel::new(Machine::Aoc16, Calibration::aoc16(), &NonIdeality::ALL)));
            let options = SweepOptions { budget: Budget::Work(u64::MAX), decomposition: BcdOptions { blocks, ..BcdOptions::default() }, ..SweepOptions::default() };
            let weights = starting_weights(&model, &options, None);
            let qumo = model.build(&weights);
            let configurations = sobol_configurations(&options.ranges);
            let mut descent = Descent {
                instance: &instance,
                model: &model,
                weights,
                qumo: qumo.clone(),
                options: &options,
                engine: &mut engine,
                product: ProductForm::Dense,
                stats: PhaseStats::empty(Phase::BlockDescent, 1),
                configurations,
                stop: Stop::whole(options.budget, Instant::now()),
                start: Instant::now(),
                incumbents: Incumbents::new(instance.sense),
                polished: None,
                samples: Vec::new(),
                lambdas: None,
                penalty_changes: Vec::new(),
                report: BcdReport { blocks, block_size: 7, replicas: 16, iterations: 100, max_sweeps: 1, steps: 0, accepted_steps: 0, chains_finished: 0, chains_converged: 0 },
            };
            let mut rng = stream_rng(1, 1, 1);
            let mut z = descent.random_state(&mut rng);
            let mut selector = BlockSelector::new(blocks, qumo.n, 7);
            let mut energy = qumo.energy(&z);
            let mut accepted = 0;
            for step in 0..60 {
                let block = selector.next_block(&qumo, &z, &mut rng);
                let moved = descent.step(&block, &mut z, stream_rng(1, 2, step), &mut ChainWork::default()).unwrap();
                let next = qumo.energy(&z);
                assert!(next <= energy + 1e-9 * energy.abs().max(1.0), "{blocks:?} step {step}: {energy} → {next}");
                assert_eq!(moved, next < energy, "{blocks:?} step {step}: accepted {moved}, {energy} → {next}");
                accepted += moved as usize;
                energy = next;
            }
            assert!(accepted >= 5, "{blocks:?}: {accepted} steps accepted");
        }
    }
}

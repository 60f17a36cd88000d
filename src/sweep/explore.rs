//! The exploration primitive (spec §5.2): configurations repeated config-major, run in batches
//! of B replicas until the stop, every sample judged exactly.

use std::ops::Range;
use std::time::Instant;

use rand::Rng;
use rayon::prelude::*;

use super::run::{stream_rng, PhaseStats, Run, SampleRecord, Stop};
use super::samples::{evaluate, Candidate, Evaluation};
use super::{Configuration, Phase, DEEP_CONFIGURATIONS};
use crate::engine::Batch;

pub(super) struct Exploration {
    /// Penalised energy of every experiment run, in experiment order.
    energies: Vec<f64>,
    repetitions: usize,
    pub(super) stats: PhaseStats,
    /// The last batch's binary states and penalised energies (for penalty adaptation).
    pub(super) last_batch: Vec<(Vec<f64>, f64)>,
    pub(super) samples: Vec<SampleRecord>,
}

impl Exploration {
    /// Configurations whose repetitions all ran, best (lowest mean penalised energy) first;
    /// the sort is stable, so ties keep Sobol order.
    pub(super) fn ranked(&self, configurations: &[Configuration]) -> Vec<Configuration> {
        let means: Vec<f64> = self.energies.chunks_exact(self.repetitions).map(|c| c.iter().sum::<f64>() / c.len() as f64).collect();
        let mut order: Vec<usize> = (0..means.len()).collect();
        order.sort_by(|&a, &b| means[a].total_cmp(&means[b]));
        order.into_iter().map(|c| configurations[c]).collect()
    }
}

impl Run<'_> {
    /// Phases 1 and 2: one exploration (round 0) with progress notifications.
    pub(super) fn explore(&mut self, phase: Phase, configurations: &[Configuration], repetitions: u32, iterations: u32, stop: Stop) -> anyhow::Result<Exploration> {
        self.observer.phase_started(phase, configurations.len(), repetitions, iterations);
        let experiments = 0..configurations.len() * repetitions.max(1) as usize;
        let exploration = self.run_experiments(phase, configurations, repetitions, iterations, stop, 0, experiments)?;
        self.observer.phase_finished(&exploration.stats);
        Ok(exploration)
    }

    /// One exploration without notifications, of the `experiments` (configuration-major
    /// indices); the deep search calls it once per round (twice for a round trimmed to the
    /// `--work` left).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_experiments(&mut self, phase: Phase, configurations: &[Configuration], repetitions: u32, iterations: u32, stop: Stop, round: u64, experiments: Range<usize>) -> anyhow::Result<Exploration> {
        let started = Instant::now();
        let reps = repetitions.max(1) as usize;
        let total = experiments.end.min(configurations.len() * reps);
        let n = self.n;
        let n_binary = self.model.n_binary();
        let mut exploration = Exploration {
            energies: Vec::with_capacity(total.min(1 << 20)),
            repetitions: reps,
            stats: PhaseStats { iterations_min: iterations, iterations_max: iterations, rounds: 1, ..PhaseStats::empty(phase, reps as u32) },
            last_batch: Vec::new(),
            samples: Vec::new(),
        };
        let record = phase == Phase::DeepSearch;
        let amplitude = 1.0 / (n as f32).sqrt();
        let mut current = experiments.start;
        // Unlike the Julia original, the last batch is sized exactly (no single-experiment
        // batch is dropped) and a phase runs until at least one configuration completes,
        // unless the whole budget is spent. Once the proven optimum is held, phases 1 and 2
        // end as soon as the deep search's DEEP_CONFIGURATIONS have completed (it samples as
        // many configurations as in a full run); the deep search ends its round.
        let proven_stop = |run: &Self, current: usize| phase != Phase::DeepSearch && current >= reps * DEEP_CONFIGURATIONS && run.holds_proven_optimum();
        while current < total && !self.budget_spent() && (current == experiments.start || current < reps || !stop.reached(self.mvm)) && !proven_stop(self, current) {
            // No batch spends more than the budget left (work, or seconds by the pace).
            let mut replicas = self.replicas_that_fit((total - current).min(self.batch_size), iterations);
            // Nor, under a time limit, more than the phase's share left, once its first
            // configuration is complete: a phase 2 that ran to the limit left the deep search
            // nothing (labs100, docs/resources.md).
            if let (Stop::Deadline { until, .. }, Some(pace)) = (stop, self.pace) {
                let left = until.saturating_duration_since(Instant::now()).as_secs_f64();
                let to_complete = reps.saturating_sub(current - experiments.start).min(replicas);
                replicas = pace.replicas_within(left, iterations, replicas).max(to_complete);
            }
            if replicas == 0 {
                break;
            }
            let batch_started = Instant::now();
            let last = current + replicas;
            let experiment_configs: Vec<Configuration> = (current..last).map(|e| configurations[e / reps]).collect();
            let params: Vec<_> = experiment_configs.iter().map(|c| c.replica_params(self.lambda)).collect();
            let mut rng = stream_rng(self.options.seed, phase.stream(), (round << 32) | exploration.stats.batches as u64);
            let initial: Vec<f32> = (0..params.len() * n).map(|_| rng.random_range(-amplitude..=amplitude)).collect();
            // Drawn after the initial states, from the same stream: the ideal twin's draws stay as they were.
            let noise_seed = rng.random();
            let output = self.engine.run(&Batch { params: &params, initial: &initial, iterations, dt: self.options.dt, noise_seed })?;
            let work = params.len() as u64 * iterations as u64;
            self.mvm += work;
            self.samples += params.len() as u64;
            let (instance, model, weights, readout) = (self.instance, self.model, &self.weights, self.readout.as_ref());
            // Per replica: the thresholded point, which drives the dynamics' feedback (penalties,
            // multipliers, ranking), and the point it reports, the one-hot readout's when better.
            let judged: Vec<((Vec<f64>, Evaluation), (Vec<f64>, Evaluation))> = output
                .states
                .par_chunks(n)
                .zip(output.amplitudes.par_chunks(n))
                .map(|(state, amplitudes)| {
                    let x = model.assignment(&state[..n_binary]);
                    let evaluation = evaluate(instance, model, weights, &x);
                    let decoded = readout.map(|r| r.decode(&x, &model.assignment(&amplitudes[..n_binary]))).filter(|d| *d != x);
                    let reported = decoded.map(|d| (evaluate(instance, model, weights, &d), d)).filter(|(e, _)| e.better_than(&evaluation, instance.sense));
                    let reported = reported.map_or_else(|| (x.clone(), evaluation), |(e, d)| (d, e));
                    ((x, evaluation), reported)
                })
                .collect();
            let (time_s, mvm, samples) = (self.start.elapsed().as_secs_f64(), self.mvm, self.samples);
            for (((_, thresholded), (x, evaluation)), configuration) in judged.iter().zip(&experiment_configs) {
                self.incumbents.offer(evaluation, || Candidate {
                    x: x.clone(),
                    objective: evaluation.objective,
                    max_violation: evaluation.max_violation,
                    feasible: evaluation.feasible,
                    phase,
                    configuration: *configuration,
                    time_s,
                    mvm,
                    samples,
                });
                exploration.energies.push(thresholded.penalised);
                exploration.stats.feasible_samples += evaluation.feasible as usize;
                if evaluation.feasible {
                    exploration.stats.offer_best(evaluation.objective, self.instance.sense);
                }
                if record {
                    exploration.samples.push(SampleRecord { objective: evaluation.objective, feasible: evaluation.feasible, iterations, solves: 1 });
                }
            }
            if let Some(track) = self.polished.as_mut() {
                let sense = self.instance.sense;
                let reported = judged.iter().zip(&experiment_configs).map(|((_, (x, e)), c)| (x, e, c));
                let best = reported.filter(|(_, e, _)| e.feasible).reduce(|a, b| if sense.better(b.1.objective, a.1.objective) { b } else { a });
                if let Some((x, evaluation, configuration)) = best {
                    let candidate = Candidate { x: x.clone(), objective: evaluation.objective, max_violation: evaluation.max_violation, feasible: true, phase, configuration: *configuration, time_s, mvm, samples };
                    track.offer(self.instance, &candidate, evaluation, self.start);
                }
            }
            exploration.last_batch = judged.into_iter().map(|((x, e), _)| (x, e.penalised)).collect();
            self.step_multipliers(&exploration.last_batch)?;
            if let Some(pace) = self.pace.as_mut() {
                pace.observe(params.len(), iterations, batch_started.elapsed().as_secs_f64());
            }
            exploration.stats.batches += 1;
            exploration.stats.samples += params.len();
            exploration.stats.mvm += work;
            current = last;
            self.observer.batch_finished(phase, stop.fraction(self.mvm), self.incumbents.answer());
        }
        exploration.energies.truncate(current / reps * reps);
        exploration.stats.configurations = current / reps;
        exploration.stats.duration_s = started.elapsed().as_secs_f64();
        Ok(exploration)
    }
}

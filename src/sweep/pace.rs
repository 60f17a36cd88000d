//! How long a batch takes, measured, so that under a time limit no batch starts that would end
//! after the limit (docs/resources.md, "Budgets").

use std::time::Instant;

use rand::Rng;

use super::run::{stream_rng, Run};
use super::samples::evaluate;
use super::{Configuration, Phase};
use crate::engine::Batch;

/// Predicted batches are stretched by this factor before they are held against the time left:
/// a batch's time varies by a few percent between runs, and the judge's time with its samples.
const MARGIN: f64 = 1.25;
/// Samples the probe judges to measure the judge's seconds per sample.
const JUDGED_SAMPLES: usize = 8;

/// The measured cost of a batch: seconds per iteration with one replica and with `replicas`
/// (the engine's batch), linear in between (a dense product costs J's pass plus a share per
/// replica), and seconds per judged sample; `scale` corrects the model by the batches run since.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    one: f64,
    full: f64,
    replicas: usize,
    judge: f64,
    scale: f64,
}

impl Pace {
    /// Predicted seconds of a batch of `replicas` replicas × `iterations` with its judging.
    pub(super) fn seconds(&self, replicas: usize, iterations: u32) -> f64 {
        self.scale * self.unscaled(replicas, iterations)
    }

    fn unscaled(&self, replicas: usize, iterations: u32) -> f64 {
        let share = (replicas.saturating_sub(1)) as f64 / (self.replicas.saturating_sub(1)).max(1) as f64;
        let per_iteration = self.one + (self.full - self.one).max(0.0) * share;
        f64::from(iterations) * per_iteration + replicas as f64 * self.judge
    }

    /// The most replicas, at most `wanted`, whose batch of `iterations` fits `seconds` with the
    /// margin; 0 when not even one does.
    pub(super) fn replicas_within(&self, seconds: f64, iterations: u32, wanted: usize) -> usize {
        let fits = |r: usize| MARGIN * self.seconds(r, iterations) <= seconds;
        if fits(wanted) {
            return wanted;
        }
        // The prediction grows with the replicas: bisect for the last that fits.
        let (mut lo, mut hi) = (0, wanted);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) { lo = mid } else { hi = mid }
        }
        lo
    }

    /// Corrects the model by a batch that took `seconds`: a slower batch counts at once, a
    /// faster one by half.
    pub(super) fn observe(&mut self, replicas: usize, iterations: u32, seconds: f64) {
        let predicted = self.unscaled(replicas, iterations);
        if predicted > 0.0 && seconds.is_finite() {
            let ratio = seconds / predicted;
            self.scale = ratio.max(0.5 * (self.scale + ratio));
        }
    }
}

impl Run<'_> {
    /// Measures the pace on the loaded problem: one iteration of one replica and one of the
    /// engine's batch (from `configuration`), and the judge on a few of the batch's samples.
    /// The probe's samples are discarded (one iteration anneals nothing); its seconds count as
    /// setup. Its initial states come from a stream of their own: the phases draw as before.
    pub(super) fn measure_pace(&mut self, configuration: Configuration) -> anyhow::Result<Pace> {
        let n = self.n;
        let amplitude = 1.0 / (n.max(1) as f32).sqrt();
        let mut rng = stream_rng(self.options.seed, Phase::BlockDescent.stream() + 32, 0);
        let mut probe = |replicas: usize, run: &mut Self| -> anyhow::Result<(f64, Vec<f32>)> {
            let params = vec![configuration.replica_params(run.lambda); replicas];
            let initial: Vec<f32> = (0..replicas * n).map(|_| rng.random_range(-amplitude..=amplitude)).collect();
            let started = Instant::now();
            let output = run.engine.run(&Batch { params: &params, initial: &initial, iterations: 1, dt: run.options.dt, noise_seed: rng.random() })?;
            Ok((started.elapsed().as_secs_f64(), output.states))
        };
        let (one, _) = probe(1, self)?;
        let (full, states) = probe(self.batch_size, self)?;
        let n_binary = self.model.n_binary();
        let judged = states.chunks(n.max(1)).take(JUDGED_SAMPLES);
        let started = Instant::now();
        let count = judged.map(|state| evaluate(self.instance, self.model, &self.weights, &self.model.assignment(&state[..n_binary]))).count();
        let judge = started.elapsed().as_secs_f64() / count.max(1) as f64;
        Ok(Pace { one, full, replicas: self.batch_size, judge, scale: 1.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_that_fits_is_the_largest_predicted_within_the_time_with_the_margin() {
        // 1 ms per iteration alone, 11 ms with 11 replicas: 1 ms more per replica; 2 ms to judge one.
        let pace = Pace { one: 1e-3, full: 11e-3, replicas: 11, judge: 2e-3, scale: 1.0 };
        assert!((pace.seconds(11, 100) - (1.1 + 0.022)).abs() < 1e-12);
        // 5 replicas × 100 iterations: 0.5 s + 0.01 s judged, × 1.25 = 0.6375 s.
        assert_eq!(pace.replicas_within(0.64, 100, 11), 5);
        assert_eq!(pace.replicas_within(100.0, 100, 11), 11);
        assert_eq!(pace.replicas_within(0.1, 100, 11), 0);
        let mut slower = pace;
        slower.observe(11, 100, 2.0 * pace.seconds(11, 100));
        assert!((slower.seconds(5, 100) - 2.0 * pace.seconds(5, 100)).abs() < 1e-12);
        slower.observe(11, 100, pace.seconds(11, 100));
        assert!((slower.seconds(5, 100) - 1.5 * pace.seconds(5, 100)).abs() < 1e-12, "a faster batch counts by half");
    }
}

//! How long a batch takes, measured, so that under a time limit no batch starts that would end
//! after the limit (docs/resources.md, "Budgets").

/// Predicted batches are stretched by this factor before they are held against the time left:
/// a batch's time varies by a few percent between runs, and the judge's time with its samples.
pub const MARGIN: f64 = 1.25;
/// Samples the probe judges to measure the judge's seconds per sample.
pub(super) const JUDGED_SAMPLES: usize = 8;

/// The measured cost of a batch: seconds per iteration of batches of one replica, half the
/// engine's batch and all of it, linear in between, and seconds per judged sample; `scale`
/// corrects the model by the batches run since. Three sizes, because the cost is not linear in
/// the replicas: a dense GEMM's is (J's pass plus a share per replica), but chunks of replicas
/// that run side by side on the threads cost the slowest chunk's time, so half a batch on two
/// threads takes as long as all of it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    /// (replicas, seconds per iteration), by replicas.
    probes: [(usize, f64); 3],
    judge: f64,
    scale: f64,
}

impl Pace {
    /// The model of three probes `(replicas, seconds per iteration)`, by replicas, and the
    /// judge's seconds per sample.
    pub(super) fn new(probes: [(usize, f64); 3], judge: f64) -> Pace {
        Pace { probes, judge, scale: 1.0 }
    }

    /// Predicted seconds of a batch of `replicas` replicas × `iterations` with its judging.
    pub(super) fn seconds(&self, replicas: usize, iterations: u32) -> f64 {
        self.scale * self.unscaled(replicas, iterations)
    }

    fn unscaled(&self, replicas: usize, iterations: u32) -> f64 {
        // Piecewise linear through the probes, never falling (a probe's noise aside), and
        // extrapolated beyond the largest along its last piece.
        let [(r0, t0), (r1, t1), (r2, t2)] = self.probes;
        let (t1, t2) = (t1.max(t0), t2.max(t1.max(t0)));
        let along = |(ra, ta): (usize, f64), (rb, tb): (usize, f64)| ta + (tb - ta) * (replicas as f64 - ra as f64) / (rb as f64 - ra as f64).max(1.0);
        let per_iteration = if replicas <= r0 {
            t0
        } else if replicas <= r1 {
            along((r0, t0), (r1, t1))
        } else {
            along((r1, t1), (r2, t2))
        };
        f64::from(iterations) * per_iteration + replicas as f64 * self.judge
    }

    /// The seconds a batch of `replicas` × `iterations` is planned at: its prediction with the
    /// margin. A batch starts only when this fits the time left.
    pub(super) fn planned_seconds(&self, replicas: usize, iterations: u32) -> f64 {
        MARGIN * self.seconds(replicas, iterations)
    }

    /// The most replicas, at most `wanted`, whose batch of `iterations` fits `seconds` with the
    /// margin; 0 when not even one does.
    pub(super) fn replicas_within(&self, seconds: f64, iterations: u32, wanted: usize) -> usize {
        let fits = |r: usize| self.planned_seconds(r, iterations) <= seconds;
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

    /// The most iterations a batch of `replicas` may run to fit `seconds` with the margin; 0
    /// when not even one does.
    pub(super) fn iterations_within(&self, seconds: f64, replicas: usize) -> u32 {
        let per_iteration = self.seconds(replicas, 1) - self.seconds(replicas, 0);
        let free = seconds / MARGIN - self.seconds(replicas, 0);
        if per_iteration <= 0.0 { u32::MAX } else { (free / per_iteration).clamp(0.0, f64::from(u32::MAX)) as u32 }
    }

    /// Corrects the model by a batch that took `seconds`, by half: a single batch (the first,
    /// with its warm-up; one on a machine busy for a moment) must not shrink every later one.
    pub(super) fn observe(&mut self, replicas: usize, iterations: u32, seconds: f64) {
        let predicted = self.unscaled(replicas, iterations);
        if predicted > 0.0 && seconds.is_finite() {
            let ratio = seconds / predicted;
            self.scale = 0.5 * (self.scale + ratio);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_that_fits_is_the_largest_predicted_within_the_time_with_the_margin() {
        // 1 ms per iteration alone, 11 ms with 11 replicas: 1 ms more per replica; 2 ms to judge one.
        let pace = Pace { probes: [(1, 1e-3), (6, 6e-3), (11, 11e-3)], judge: 2e-3, scale: 1.0 };
        assert!((pace.seconds(11, 100) - (1.1 + 0.022)).abs() < 1e-12);
        // 5 replicas × 100 iterations: 0.5 s + 0.01 s judged, × 1.25 = 0.6375 s.
        assert_eq!(pace.replicas_within(0.64, 100, 11), 5);
        assert_eq!(pace.replicas_within(100.0, 100, 11), 11);
        assert_eq!(pace.replicas_within(0.1, 100, 11), 0);
        // What a replica is planned at is exactly the time it needs to start.
        let one = pace.planned_seconds(1, 100);
        assert_eq!((pace.replicas_within(one, 100, 11), pace.replicas_within(one * 0.999, 100, 11)), (1, 0));
        // 11 replicas: 11 ms per iteration and 22 ms to judge; 1 s / 1.25 leaves 0.778 s.
        assert_eq!(pace.iterations_within(1.0, 11), 70);
        assert_eq!(pace.iterations_within(0.01, 11), 0);
        let mut slower = pace;
        slower.observe(11, 100, 3.0 * pace.seconds(11, 100));
        assert!((slower.seconds(5, 100) - 2.0 * pace.seconds(5, 100)).abs() < 1e-12, "a batch counts by half");
        slower.observe(11, 100, pace.seconds(11, 100));
        assert!((slower.seconds(5, 100) - 1.5 * pace.seconds(5, 100)).abs() < 1e-12);
    }

    #[test]
    fn half_a_batch_that_costs_all_of_it_is_predicted_so() {
        // Two chunks side by side: 32 replicas take as long as 64; fewer, less.
        let pace = Pace { probes: [(1, 1e-3), (32, 8e-3), (64, 8e-3)], judge: 0.0, scale: 1.0 };
        assert_eq!(pace.seconds(48, 1), 8e-3);
        assert!((pace.seconds(16, 1) - (1e-3 + 7e-3 * 15.0 / 31.0)).abs() < 1e-15);
        assert_eq!(pace.replicas_within(1.25 * 8e-3 * 100.0 - 1e-9, 100, 64), 31, "nothing above half a batch is cheaper");
    }
}

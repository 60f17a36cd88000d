//! The seeded noise of the optical product: one draw per (batch seed, replica, iteration, row),
//! a pure function of those four numbers, so that a run is reproducible bit for bit whatever
//! the chunking or thread count, and the WGSL engine can draw the same numbers. Each replica
//! carries a key, [`replica_key`] before its first iteration and [`next_key`] of the previous
//! one after each (the WGSL engine keeps it beside α, ping-ponged the same way); a row's draw
//! hashes the key with the row.
//!
//! Integer arithmetic only (a 32-bit hash, as WGSL has no 64-bit integers), then an Irwin–Hall
//! sum of four 16-bit uniforms: an integer in [−131070, 131070] that f32 holds exactly, so the
//! only rounding is the engine's one multiplication by [`NOISE_UNIT`] × the noise's standard
//! deviation. The sum of four uniforms has unit variance after that scaling (to 1 part in
//! 4·10⁹), is bounded at ±2√3 standard deviations, and its kurtosis is 2.7 against a
//! Gaussian's 3: a stand-in for the measured noise of the paper, whose distribution beyond its
//! mean squared error it does not give.

/// √3 / 65536: one count of [`noise_counts`] in standard deviations.
pub const NOISE_UNIT: f64 = 1.732_050_807_568_877_2 / 65536.0;

/// Mean of the sum of four 16-bit uniforms (each 0..=65535).
const CENTRE: i32 = 2 * 65535;

/// A 32-bit integer hash with good avalanche ("lowbias32", C. Wellons' hash prospector).
#[inline(always)]
pub fn mix(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// The key of replica `replica` (its index in the batch) in the first iteration.
pub fn replica_key(seed: u64, replica: u32) -> u32 {
    let seeded = mix(mix(seed as u32 ^ 0x9e37_79b9) ^ (seed >> 32) as u32);
    mix(seeded ^ replica)
}

/// The key of the next iteration.
#[inline(always)]
pub fn next_key(key: u32) -> u32 {
    mix(key ^ 0x9e37_79b9)
}

/// The centred Irwin–Hall sum for `row` under `key`, as an exact f32 integer: multiply by
/// [`NOISE_UNIT`] for a draw of unit variance.
#[inline(always)]
pub fn noise_counts(key: u32, row: u32) -> f32 {
    let low = mix(key ^ row.wrapping_mul(2));
    let high = mix(key ^ row.wrapping_mul(2).wrapping_add(1));
    let sum = (low & 0xffff) + (low >> 16) + (high & 0xffff) + (high >> 16);
    (sum as i32 - CENTRE) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit variance, zero mean and the bound of ±2√3, over 400 000 draws of several replicas,
    /// iterations and rows.
    #[test]
    fn draws_have_zero_mean_and_unit_variance() {
        let mut draws = Vec::new();
        for replica in 0..100 {
            let mut key = replica_key(42, replica);
            for _ in 0..100 {
                draws.extend((0..40).map(|row| noise_counts(key, row) as f64 * NOISE_UNIT));
                key = next_key(key);
            }
        }
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let variance = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.01, "variance {variance}");
        assert!(draws.iter().all(|d| d.abs() <= 2.0 * 3f64.sqrt()));
    }

    #[test]
    fn each_index_changes_the_draw() {
        let base = noise_counts(replica_key(7, 3), 11);
        assert_ne!(base, noise_counts(replica_key(8, 3), 11));
        assert_ne!(base, noise_counts(replica_key(7, 4), 11));
        assert_ne!(base, noise_counts(next_key(replica_key(7, 3)), 11));
        assert_ne!(base, noise_counts(replica_key(7, 3), 12));
        assert_ne!(base, noise_counts(replica_key(7 | 1 << 40, 3), 11));
    }
}

//! The 3-D Sobol sequence that chooses the solver's (annealing, gradient, momentum)
//! configurations (spec §4), bit-for-bit the points Sobol.jl 1.5 returns.
//!
//! Direction numbers are Joe–Kuo `new-joe-kuo-6.21201` for the first three dimensions;
//! points are generated in Gray-code order, so point k differs from point k − 1 by one
//! direction number. Everything is kept in 32-bit fixed point, which makes every coordinate an
//! exact dyadic rational (and exact in `f64`).

/// Number of fractional bits of the fixed-point state (Sobol.jl uses `UInt32` too).
const BITS: u32 = 32;

/// 2^−32: converts the fixed-point state to a coordinate in [0, 1), exactly.
const FIXED_POINT_SCALE: f64 = 1.0 / (1u64 << BITS) as f64;

/// Primitive polynomials and initial direction numbers `m_1..m_s`, one entry per dimension.
/// The polynomial is written with its leading and constant terms (Sobol.jl's encoding):
/// `0b11` is x + 1, `0b111` is x² + x + 1. Dimension 1 has no polynomial: all `m_k = 1`
/// (the van der Corput sequence).
const DIMENSIONS: [Option<(u32, &[u32])>; 3] = [None, Some((0b11, &[1])), Some((0b111, &[1, 3]))];

/// Direction numbers `v_k = m_k / 2^k` (k = 1..=32) of one dimension, scaled by 2^32.
fn direction_numbers(dimension: Option<(u32, &[u32])>) -> [u32; BITS as usize] {
    let mut m = [0u64; BITS as usize];
    match dimension {
        None => m.fill(1),
        Some((polynomial, initial)) => {
            let degree = initial.len();
            for (k, &mk) in initial.iter().enumerate() {
                m[k] = u64::from(mk);
            }
            // Bratley–Fox recurrence: m_k = 2a₁m_{k−1} ⊕ 4a₂m_{k−2} ⊕ … ⊕ 2^s m_{k−s} ⊕ m_{k−s},
            // where a_i are the polynomial's inner coefficients (bit s − i of `polynomial`).
            for k in degree..BITS as usize {
                let mut value = m[k - degree] ^ (m[k - degree] << degree);
                for i in 1..degree {
                    if (polynomial >> (degree - i)) & 1 == 1 {
                        value ^= m[k - i] << i;
                    }
                }
                m[k] = value;
            }
        }
    }
    // m_k < 2^k, so m_k · 2^(32 − k) fits in 32 bits.
    std::array::from_fn(|k| u32::try_from(m[k] << (BITS as usize - k - 1)).expect("m_k < 2^k"))
}

/// A 3-D Sobol sequence positioned after `index` returned points.
#[derive(Debug, Clone)]
pub struct Sobol3 {
    directions: [[u32; BITS as usize]; 3],
    /// Number of points generated so far; the state `x` is point number `index`
    /// (point 0 is the origin, which is never returned).
    index: u64,
    x: [u32; 3],
}

impl Sobol3 {
    /// The sequence before its first point, (0.5, 0.5, 0.5).
    pub fn new() -> Self {
        Self {
            directions: DIMENSIONS.map(direction_numbers),
            index: 0,
            x: [0; 3],
        }
    }

    /// Skips points the way Sobol.jl ≥ 1.5 `skip(s, n)` (with `exact = false`) does:
    /// `2^⌊log₂(n + 1)⌋ − 1` points, i.e. to just before the start of a dyadic block, where
    /// the sequence has its best uniformity. `skip(0)` skips nothing.
    pub fn skip(&mut self, n: u64) {
        // ⌊log₂(n + 1)⌋, in u128 so that n = u64::MAX does not overflow.
        let log2 = 127 - (u128::from(n) + 1).leading_zeros();
        let skipped = ((1u128 << log2) - 1) as u64;
        self.jump_to(
            self.index
                .checked_add(skipped)
                .expect("Sobol index overflow"),
        );
    }

    /// Returns the next point of the sequence, each coordinate in (0, 1).
    ///
    /// # Panics
    /// After 2³² − 1 points: the 32-bit direction numbers are exhausted there.
    pub fn next_point(&mut self) -> [f64; 3] {
        let next = self.index + 1;
        assert!(next < 1 << BITS, "Sobol3 supports at most 2^32 - 1 points");
        // Gray-code order: point k is point k − 1 xor the direction number of the lowest
        // set bit of k.
        let bit = next.trailing_zeros() as usize;
        for (x, directions) in self.x.iter_mut().zip(&self.directions) {
            *x ^= directions[bit];
        }
        self.index = next;
        self.x.map(|x| f64::from(x) * FIXED_POINT_SCALE)
    }

    /// Positions the sequence at point number `index` directly: the state of point k is the
    /// xor of the direction numbers selected by the bits of its Gray code k ⊕ (k >> 1).
    fn jump_to(&mut self, index: u64) {
        assert!(index < 1 << BITS, "Sobol3 supports at most 2^32 - 1 points");
        let gray = index ^ (index >> 1);
        self.x = self.directions.map(|directions| {
            (0..BITS as usize)
                .filter(|&bit| gray >> bit & 1 == 1)
                .fold(0, |x, bit| x ^ directions[bit])
        });
        self.index = index;
    }
}

/// The solver's configuration list (spec §4): `skip(count)` and then `count` Sobol points,
/// each coordinate scaled to its range as `lo + (hi − lo)·u` in `f32` arithmetic, exactly as
/// AOCoptimizer.jl does it in its default `Float32`.
pub fn parameter_points(count: usize, ranges: [(f32, f32); 3]) -> Vec<[f32; 3]> {
    let mut sobol = Sobol3::new();
    sobol.skip(count as u64);
    (0..count)
        .map(|_| {
            let u = sobol.next_point();
            // `u` has at most 32 significant bits; the conversion to f32 is exact for the
            // first 2^24 points and otherwise rounds exactly like Julia's `Float32(u)`.
            std::array::from_fn(|d| {
                let (lo, hi) = ranges[d];
                lo + (hi - lo) * u[d] as f32
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn first_points_match_sobol_jl() {
        let mut sobol = Sobol3::new();
        assert_eq!(sobol.next_point(), [0.5, 0.5, 0.5]);
        assert_eq!(sobol.next_point(), [0.75, 0.25, 0.25]);
        assert_eq!(sobol.next_point(), [0.25, 0.75, 0.75]);
        // Further points of Sobol.jl's test/results/exp_results_5 (dims 1–3).
        assert_eq!(sobol.next_point(), [0.375, 0.375, 0.625]);
        assert_eq!(sobol.next_point(), [0.875, 0.875, 0.125]);
        for _ in 6..15 {
            sobol.next_point();
        }
        assert_eq!(sobol.next_point(), [0.0625, 0.9375, 0.5625], "point 15");
        for _ in 16..31 {
            sobol.next_point();
        }
        assert_eq!(sobol.next_point(), [0.03125, 0.53125, 0.90625], "point 31");
    }

    #[test]
    fn skip_follows_the_sobol_jl_1_5_rule() {
        for (n, skipped) in [
            (0, 0),
            (1, 1),
            (2, 1),
            (3, 3),
            (6, 3),
            (7, 7),
            (32768, 32767),
        ] {
            let mut skipping = Sobol3::new();
            skipping.skip(n);
            let mut stepping = Sobol3::new();
            for _ in 0..skipped {
                stepping.next_point();
            }
            assert_eq!(skipping.next_point(), stepping.next_point(), "skip({n})");
        }
    }

    #[test]
    fn default_configurations_match_the_spec_oracle() {
        let points = parameter_points(crate::sweep::CONFIGURATIONS, crate::sweep::ParameterRanges::default().sobol_ranges());
        assert_eq!(points.len(), 32768);
        // Spec §4, verbatim. Nine significant digits identify an f32 uniquely, so the points
        // must equal the parsed values exactly.
        let oracle = [
            (1, ["0.0100453179", "0.339994967", "0.987614155"]),
            (2, ["0.505045354", "0.834994972", "0.967614114"]),
            (3, ["0.752545297", "0.0924949646", "0.977614164"]),
            (4, ["0.257545322", "0.587494969", "0.957614124"]),
            (32768, ["0.0100151058", "0.99998492", "0.972551882"]),
        ];
        for (number, expected) in oracle {
            let expected = expected.map(|x| x.parse::<f32>().unwrap());
            assert_eq!(points[number - 1], expected, "configuration #{number}");
        }

        let distinct: HashSet<[u32; 3]> = points.iter().map(|p| p.map(f32::to_bits)).collect();
        assert_eq!(distinct.len(), points.len());

        let expected_bounds = [
            (0.0100151, 0.9999849),
            (0.0100151, 0.9999849),
            (0.9500006, 0.9899994),
        ];
        for (d, (lo, hi)) in expected_bounds.into_iter().enumerate() {
            let column = points.iter().map(|p| p[d]);
            let min = column.clone().fold(f32::INFINITY, f32::min);
            let max = column.fold(f32::NEG_INFINITY, f32::max);
            assert!((min - lo).abs() < 1e-7, "dimension {d}: min {min}");
            assert!((max - hi).abs() < 1e-7, "dimension {d}: max {max}");
        }
    }
}

//! Weight quantization as the paper's Methods state it: the SLM holds signed 9-bit integers,
//! W ≈ max(W)/255 · clamp(round(W/max(W)·255), −256, 255), max(W) = the largest |W_ij|.

/// Levels between 0 and the largest weight.
const LEVELS: f64 = 255.0;
/// The signed 9-bit range.
const LOWEST: f64 = -256.0;
const HIGHEST: f64 = 255.0;

/// The largest |w| of `values` (0 for none).
pub fn largest_magnitude(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// One weight `w` quantized against the matrix's largest magnitude `largest` (> 0). `round`
/// rounds halves to even, as IEEE arithmetic (and NumPy, in which the twin's weights are
/// prepared) does; a weight of −max therefore maps to −255, and −256 is never reached from
/// inside the matrix's own range.
pub fn quantize(w: f64, largest: f64) -> f64 {
    largest / LEVELS * (w / largest * LEVELS).round_ties_even().clamp(LOWEST, HIGHEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_snap_to_the_paper_grid() {
        let largest = 2.0;
        // The largest weights are exact; zero stays zero.
        assert_eq!(quantize(2.0, largest), 2.0);
        assert_eq!(quantize(-2.0, largest), -2.0);
        assert_eq!(quantize(0.0, largest), 0.0);
        // 0.5 of the way between two levels rounds to the even level: 127.5 → 128.
        assert_eq!(quantize(127.5 / 255.0 * 2.0, largest), 128.0 / 255.0 * 2.0);
        // Nearest level otherwise: 128.01 → 128, 127.49 → 127.
        assert_eq!(quantize(1.004, largest), 128.0 / 255.0 * 2.0);
        assert_eq!(quantize(127.49 / 255.0 * 2.0, largest), 127.0 / 255.0 * 2.0);
        // Every quantized weight is k·max/255 with integer k, within half a level of w.
        for i in 0..=1000 {
            let w = -2.0 + 4.0 * i as f64 / 1000.0;
            let q = quantize(w, largest);
            let k = q / largest * 255.0;
            assert!((k - k.round()).abs() < 1e-9 && (q - w).abs() <= largest / 255.0 / 2.0 + 1e-12, "{w} → {q}");
        }
        assert_eq!(largest_magnitude([0.5, -3.0, 2.0]), 3.0);
    }
}

//! What f32 dynamics lose of an instance's coefficients: a coefficient so much smaller than the
//! largest that an f32 sum drops it (magnitudes more than 2^24 apart), or two distinct
//! coefficients that f32 rounds to one value, so that the dynamics cannot tell apart what the
//! file does (fc-12: 1000000.000001 and 999999.999999 are both 1e6 in f32, and its minimum lies
//! in their difference). Coefficients merely written with more digits than f32 keeps (QPLIB_0633's
//! 3.93164873451) lose nothing that separates them and are not flagged.

use crate::model::{binary_reach, Instance};

/// The magnitudes of the objective's coefficients and the constraints' coefficients and binding
/// bounds (a bound beyond what the row's binaries reach is replaced by that reach in the QUMO;
/// the objective constant never reaches an engine), and the closest two that f32 merges.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CoefficientRange {
    /// The largest non-zero magnitude.
    pub largest: f64,
    /// The smallest non-zero magnitude.
    pub smallest: f64,
    /// The closest two distinct coefficients that round to the same f32, if any.
    pub merged_in_f32: Option<(f64, f64)>,
}

impl CoefficientRange {
    /// None when every coefficient is zero.
    pub fn of(instance: &Instance) -> Option<CoefficientRange> {
        let objective = instance.objective_quadratic.iter().map(|t| t.value).chain(instance.objective_linear.iter().copied());
        let rows = instance.constraints.iter().flat_map(|row| {
            let (low, high) = binary_reach(&row.linear);
            let bounds = [row.lower, row.upper].into_iter().filter(move |b| low < *b && *b < high);
            row.linear.iter().map(|&(_, a)| a).chain(row.quadratic.iter().map(|t| t.value)).chain(bounds)
        });
        let mut values: Vec<f64> = objective.chain(rows).filter(|v| *v != 0.0).collect();
        let largest = values.iter().map(|v| v.abs()).fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))?;
        let smallest = values.iter().map(|v| v.abs()).fold(f64::INFINITY, f64::min);
        // Sorted, values that f32 merges are neighbours (rounding is monotone).
        values.sort_by(f64::total_cmp);
        values.dedup();
        let merged_in_f32 = values
            .windows(2)
            .filter(|pair| pair[0] as f32 == pair[1] as f32)
            .min_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
            .map(|pair| (pair[0], pair[1]));
        Some(CoefficientRange { largest, smallest, merged_in_f32 })
    }

    /// How many times larger the largest magnitude is than the smallest.
    pub fn ratio(&self) -> f64 {
        self.largest / self.smallest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{QuadTerm, Sense};

    fn range(linear: Vec<f64>) -> CoefficientRange {
        let quadratic = vec![QuadTerm { row: 1, col: 0, value: -4.0 }];
        CoefficientRange::of(&Instance::binary("t", Sense::Minimize, quadratic, linear, 0.0, Vec::new())).unwrap()
    }

    #[test]
    fn f32_merges_fc12s_coefficients_but_not_values_written_with_many_digits() {
        let fc12 = range(vec![1000000.000001, 999999.999999]);
        assert_eq!(fc12.merged_in_f32, Some((999999.999999, 1000000.000001)));
        assert_eq!((fc12.largest, fc12.smallest), (1000000.000001, 4.0));
        let printed = range(vec![3.93164873451, 0.0475123456789]);
        assert_eq!(printed.merged_in_f32, None);
        assert!((printed.ratio() - 4.0 / 0.0475123456789).abs() < 1e-9);
        // Equal coefficients are one value, not a merge.
        assert_eq!(range(vec![1e6 + 1e-6, 1e6 + 1e-6]).merged_in_f32, None);
    }
}

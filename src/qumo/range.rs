//! The numeric range of the coefficients that reach the engines: the largest magnitude and the
//! finest decimal detail, so that a run can tell when the engine's precision loses terms.
//!
//! The finest detail is the place value of the last significant digit of each coefficient as
//! written (its shortest round-trip decimal): 1000000.000001 holds a term of 1e-6 beside one of
//! 1e6 even though its magnitude is 1e6, and f32 keeps only the 1e6.

use crate::model::{binary_reach, Instance};

/// Largest magnitude and finest decimal detail over the objective's coefficients and the
/// constraints' coefficients and binding bounds (a bound beyond what the row's binaries reach
/// is replaced by that reach in the QUMO; the objective constant never reaches an engine).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CoefficientRange {
    pub largest: f64,
    pub finest: f64,
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
        objective.chain(rows).filter(|v| *v != 0.0).fold(None, |range, v| {
            let (largest, finest) = (v.abs(), finest_digit(v));
            Some(match range {
                None => CoefficientRange { largest, finest },
                Some(r) => CoefficientRange { largest: r.largest.max(largest), finest: r.finest.min(finest) },
            })
        })
    }

    /// How many times larger the largest magnitude is than the finest detail.
    pub fn ratio(&self) -> f64 {
        self.largest / self.finest
    }
}

/// The place value of the last significant digit of non-zero `v` in its shortest round-trip
/// decimal form: 4e6 → 1e6, 1000000.000001 → 1e-6, 0.25 → 0.01.
fn finest_digit(v: f64) -> f64 {
    let text = format!("{:e}", v.abs()); // shortest round-trip digits, e.g. "1.000000000001e6"
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let decimals = mantissa.split_once('.').map_or(0, |(_, fraction)| fraction.len()) as i32;
    let place = exponent.parse::<i32>().unwrap_or(0) - decimals;
    // Parsed rather than computed, so that 1e-6 is the double nearest to 10⁻⁶.
    format!("1e{place}").parse().unwrap_or(f64::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finest_digit_is_the_last_significant_place() {
        assert_eq!(finest_digit(4e6), 1e6);
        assert_eq!(finest_digit(-4e6), 1e6);
        assert_eq!(finest_digit(0.25), 0.01);
        assert_eq!(finest_digit(12.0), 1.0);
        assert_eq!(finest_digit(1000000.000001), 1e-6);
    }
}

//! The hardware-faithful twin: the AOC-DT iteration with the measured non-idealities of the
//! analog optical computer (Kalinin et al., Nature 2025, Methods and Supplementary Information
//! section D), each switchable on its own, on top of the ideal twin the engines run by default.
//!
//! The data path: a calibration file ([`Calibration`], `calibration/`) and the paper's figures
//! give a [`HardwareModel`]; an engine asks it once per load to turn the ideal J and h into the
//! machine's ([`HardwareModel::prepare`]: quantization, offsets and gains are static), and
//! applies what changes every iteration itself ([`MachineDynamics`]: the product's noise and the
//! electronic nonlinearity). Every non-ideality off is the ideal engine, bit for bit.

mod calibration;
mod noise;
mod quantize;
pub mod time;

pub use calibration::Calibration;
pub use noise::{next_key, noise_counts, replica_key, NOISE_UNIT};
pub use quantize::{largest_magnitude, quantize};

use crate::dynamics::{Couplings, DynamicsProblem, Real};

/// Mean squared error of the optical matrix-vector product against the exact one, over 93
/// reference matrices, with outputs in units of the product's full scale (the paper's Methods).
pub const PRODUCT_MSE: f64 = 5.5e-3;

/// The machine `--hardware` models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Machine {
    /// The idealised twin (exact products, hard threshold): what the paper's large-scale
    /// simulations ran.
    #[default]
    Ideal,
    /// The 16-channel machine of the paper.
    Aoc16,
    /// The newer 48-channel machine.
    Aoc48,
}

impl Machine {
    pub fn name(self) -> &'static str {
        match self {
            Machine::Ideal => "ideal",
            Machine::Aoc16 => "aoc16",
            Machine::Aoc48 => "aoc48",
        }
    }

    /// The machine's shipped calibration; `None` for the ideal twin.
    pub fn calibration(self) -> Option<Calibration> {
        match self {
            Machine::Ideal => None,
            Machine::Aoc16 => Some(Calibration::aoc16()),
            Machine::Aoc48 => Some(Calibration::aoc48()),
        }
    }
}

/// One switchable non-ideality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NonIdeality {
    /// J on the SLM as signed 9-bit integers (the paper's formula, [`quantize`]).
    Quantization,
    /// Seeded noise on every product entry, mean squared error [`PRODUCT_MSE`] of the full scale.
    Noise,
    /// Each channel's measured offset (and, on the 48-channel machine, its closed-loop gain).
    Offsets,
    /// Binaries fed back through the calibrated tanh-like electronic nonlinearity instead of
    /// the hard threshold.
    Tanh,
}

impl NonIdeality {
    pub const ALL: [NonIdeality; 4] = [NonIdeality::Quantization, NonIdeality::Noise, NonIdeality::Offsets, NonIdeality::Tanh];

    pub fn name(self) -> &'static str {
        match self {
            NonIdeality::Quantization => "quantization",
            NonIdeality::Noise => "noise",
            NonIdeality::Offsets => "offsets",
            NonIdeality::Tanh => "tanh",
        }
    }
}

/// `--non-ideality`: `all`, `none`, or a comma-separated list of [`NonIdeality`] names.
pub fn parse_non_idealities(text: &str) -> Result<Vec<NonIdeality>, String> {
    match text.trim() {
        "all" => Ok(NonIdeality::ALL.to_vec()),
        "none" => Ok(Vec::new()),
        list => list
            .split(',')
            .map(|name| {
                let name = name.trim();
                NonIdeality::ALL.into_iter().find(|n| n.name() == name).ok_or_else(|| {
                    let known: Vec<&str> = NonIdeality::ALL.iter().map(|n| n.name()).collect();
                    format!("unknown non-ideality {name:?}: expected all, none or a comma-separated list of {}", known.join(", "))
                })
            })
            .collect(),
    }
}

/// A machine with the non-idealities it models.
#[derive(Debug, Clone, PartialEq)]
pub struct HardwareModel {
    pub machine: Machine,
    pub calibration: Calibration,
    /// Sorted, without repeats.
    pub enabled: Vec<NonIdeality>,
}

impl HardwareModel {
    pub fn new(machine: Machine, calibration: Calibration, enabled: &[NonIdeality]) -> HardwareModel {
        let mut enabled = enabled.to_vec();
        enabled.sort();
        enabled.dedup();
        HardwareModel { machine, calibration, enabled }
    }

    pub fn has(&self, non_ideality: NonIdeality) -> bool {
        self.enabled.contains(&non_ideality)
    }

    /// Variables the machine holds with signed weights: one SLM carries both signs, which
    /// halves the channels (16 → 8, 48 → 24; the paper's Methods).
    pub fn capacity(&self) -> usize {
        self.calibration.channels / 2
    }

    /// `aoc16: quantization, noise` — the machine and what it models, for reports.
    pub fn describe(&self) -> String {
        let enabled: Vec<&str> = self.enabled.iter().map(|n| n.name()).collect();
        format!("{}: {}", self.machine.name(), if enabled.is_empty() { "no non-idealities".to_string() } else { enabled.join(", ") })
    }

    /// Turns the ideal `problem` into the machine's: J quantized, then each row scaled by its
    /// channel's gain and each field moved by its channel's offset (in units of the full scale,
    /// see [`MachineDynamics`]). Returns what the engine applies every iteration. With nothing
    /// enabled `problem` is left exactly as it was.
    ///
    /// Variable i sits on channel i when the instance fits the channels; a larger instance (no
    /// decomposition yet) runs on a machine of n channels with the mean offset and unit gain.
    /// Errors: J in the factored form (the machine holds J itself: load it dense or sparse).
    pub fn prepare<T: Real>(&self, problem: &mut DynamicsProblem<T>) -> anyhow::Result<MachineDynamics> {
        let values: &mut [T] = match &mut problem.couplings {
            Couplings::Dense(values) => values,
            Couplings::Sparse(csr) => &mut csr.values,
            Couplings::Factored { .. } => anyhow::bail!("the hardware model needs J itself, not its factors: load it dense or sparse"),
        };
        if self.has(NonIdeality::Quantization) {
            let largest = largest_magnitude(values.iter().map(|v| v.to_f64()));
            if largest > 0.0 {
                for v in values.iter_mut() {
                    *v = T::from_f64(quantize(v.to_f64(), largest));
                }
            }
        }
        let full_scale = row_sum_norm(problem);
        let (offsets, gains) = self.channel_corrections(problem.n, full_scale);
        if let Some(gains) = &gains {
            scale_rows(problem, gains);
        }
        let dynamics = MachineDynamics {
            full_scale,
            noise_std: if self.has(NonIdeality::Noise) { PRODUCT_MSE.sqrt() * full_scale } else { 0.0 },
            soft_threshold: self.has(NonIdeality::Tanh).then(|| SoftThreshold::new(&self.calibration)),
            field_offsets: offsets,
        };
        if dynamics.field_offsets.is_some() {
            let h: Vec<f64> = problem.h.iter().map(|v| v.to_f64()).collect();
            problem.h = dynamics.fields(&h).into_iter().map(T::from_f64).collect();
        }
        Ok(dynamics)
    }

    /// Per-variable offsets (J units) and gains when offsets are modelled.
    fn channel_corrections(&self, n: usize, full_scale: f64) -> (Option<Vec<f64>>, Option<Vec<f64>>) {
        if !self.has(NonIdeality::Offsets) {
            return (None, None);
        }
        let c = &self.calibration;
        // A channel's offset in volts, over the voltage of a full-scale product.
        let to_units = full_scale / c.input_range_v;
        if n <= c.channels {
            let offsets = c.offsets_v[..n].iter().zip(&c.gains).map(|(o, g)| g * o * to_units).collect();
            (Some(offsets), Some(c.gains[..n].to_vec()))
        } else {
            let mean = c.offsets_v.iter().sum::<f64>() / c.channels as f64;
            (Some(vec![mean * to_units; n]), None)
        }
    }
}

/// ‖J‖∞ = max_i Σ_j |J_ij|: the largest |(J·σ)_i| over σ ∈ [0, 1]ⁿ, the product's full scale.
fn row_sum_norm<T: Real>(problem: &DynamicsProblem<T>) -> f64 {
    let n = problem.n;
    let row_sum = |values: &[T]| values.iter().map(|v| v.to_f64().abs()).sum::<f64>();
    match &problem.couplings {
        Couplings::Dense(values) => values.chunks_exact(n.max(1)).map(row_sum).fold(0.0, f64::max),
        Couplings::Sparse(csr) => (0..csr.rows()).map(|i| row_sum(csr.row(i).1)).fold(0.0, f64::max),
        Couplings::Factored { .. } => unreachable!("prepare refuses factored J before"),
    }
}

fn scale_rows<T: Real>(problem: &mut DynamicsProblem<T>, gains: &[f64]) {
    let n = problem.n;
    let scale = |values: &mut [T], g: f64| values.iter_mut().for_each(|v| *v = T::from_f64(v.to_f64() * g));
    match &mut problem.couplings {
        Couplings::Dense(values) => values.chunks_exact_mut(n.max(1)).zip(gains).for_each(|(row, &g)| scale(row, g)),
        Couplings::Sparse(csr) => {
            for (i, &g) in gains.iter().enumerate() {
                let range = csr.row_ptr[i] as usize..csr.row_ptr[i + 1] as usize;
                scale(&mut csr.values[range], g);
            }
        }
        Couplings::Factored { .. } => unreachable!("prepare refuses factored J before"),
    }
}

/// What the engine applies every iteration under a hardware model.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineDynamics {
    /// ‖J‖∞ of the machine's (quantized) J: the product's full scale, in J units.
    pub full_scale: f64,
    /// Standard deviation of the noise on each product entry, J units (0: no noise).
    pub noise_std: f64,
    /// The binaries' feedback nonlinearity, when modelled.
    pub soft_threshold: Option<SoftThreshold>,
    /// Added to each ideal field (J units), when offsets are modelled.
    field_offsets: Option<Vec<f64>>,
}

impl MachineDynamics {
    /// The machine's fields for the ideal fields `h` (exactly `h` without offsets).
    pub fn fields(&self, h: &[f64]) -> Vec<f64> {
        MachineDynamics::fields_of(Some(self), h).into_owned()
    }

    /// The fields an engine loads for the ideal `h`: `h` itself, borrowed, without a machine
    /// or without offsets.
    pub fn fields_of<'a>(machine: Option<&MachineDynamics>, h: &'a [f64]) -> std::borrow::Cow<'a, [f64]> {
        match machine.and_then(|m| m.field_offsets.as_ref()) {
            Some(offsets) => h.iter().zip(offsets).map(|(h, o)| h + o).collect(),
            None => std::borrow::Cow::Borrowed(h),
        }
    }

    /// Whether the engine's update must change: noise or the soft threshold (quantization,
    /// offsets and gains live in J and h alone).
    pub fn acts_every_iteration(&self) -> bool {
        self.noise_std > 0.0 || self.soft_threshold.is_some()
    }

    /// One noise count's worth of the product, in the engine's precision: the engine adds
    /// `noise_counts(..) × this` to each entry. `None` without noise.
    pub fn noise_scale<T: Real>(&self) -> Option<T> {
        (self.noise_std > 0.0).then(|| T::from_f64(self.noise_std * NOISE_UNIT))
    }
}

/// The calibrated electronic nonlinearity as the binaries' feedback: the state x ∈ [0, 1] is the
/// voltage z = V·(2x − 1) across the input range ±V (`deq_input_min_max`), and the feedback is
/// σ = ½ + ½·T(z)/d, T the calibrated curve and d its amplitude: near 0 or 1 where T saturates,
/// soft around the threshold ½ (shifted where T is not odd). The mapping of the optimizer's
/// [0, 1] onto the input range is aocbench's assumption (the calibration gives T in volts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SoftThreshold {
    /// Calibration [a, b, c, d, f, g], see [`Calibration::tanh`].
    pub coefficients: [f64; 6],
    /// V, volts.
    pub input_range_v: f64,
}

impl SoftThreshold {
    pub fn new(calibration: &Calibration) -> SoftThreshold {
        SoftThreshold { coefficients: calibration.tanh, input_range_v: calibration.input_range_v }
    }

    /// σ of a binary's state `x`, computed in f64.
    pub fn feedback(&self, x: f64) -> f64 {
        let [a, b, c, d, f, g] = self.coefficients;
        let z = self.input_range_v * (2.0 * x - 1.0);
        let u = a * z + b;
        let curve = u / (1.0 + u.abs().powf(c)).powf(1.0 / c) + (f + g * z) / d;
        0.5 + 0.5 * curve
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(n: usize, values: Vec<f32>) -> DynamicsProblem {
        DynamicsProblem { n, n_binary: n, couplings: Couplings::Dense(values), h: vec![0.0; n] }
    }

    #[test]
    fn non_idealities_parse_by_name() {
        assert_eq!(parse_non_idealities("all").unwrap(), NonIdeality::ALL.to_vec());
        assert_eq!(parse_non_idealities("none").unwrap(), Vec::new());
        assert_eq!(parse_non_idealities("noise, tanh").unwrap(), vec![NonIdeality::Noise, NonIdeality::Tanh]);
        assert!(parse_non_idealities("noise,led").unwrap_err().contains("unknown non-ideality \"led\""));
    }

    #[test]
    fn nothing_enabled_leaves_the_problem_as_it_was() {
        let model = HardwareModel::new(Machine::Aoc16, Calibration::aoc16(), &[]);
        let original = dense(2, vec![0.0, 0.3, 0.3, -1.7]);
        let mut problem = original.clone();
        let dynamics = model.prepare(&mut problem).unwrap();
        assert_eq!(problem, original);
        assert_eq!((dynamics.noise_std, dynamics.soft_threshold, dynamics.fields(&[0.25, -1.0])), (0.0, None, vec![0.25, -1.0]));
        assert_eq!(dynamics.full_scale, f64::from(0.3f32) + f64::from(1.7f32));
    }

    #[test]
    fn quantization_offsets_and_noise_follow_the_calibration() {
        let model = HardwareModel::new(Machine::Aoc48, Calibration::aoc48(), &NonIdeality::ALL);
        let mut problem = dense(2, vec![0.0, 0.3, 0.3, -1.7]);
        problem.h = vec![1.0, 2.0];
        let dynamics = model.prepare(&mut problem).unwrap();
        let Couplings::Dense(j) = &problem.couplings else { unreachable!() };
        let c = &model.calibration;
        // 0.3 → round(0.3/1.7·255) = round(45.0) = 45 levels of 1.7/255, times the row's gain.
        let level = |w: f32| f64::from(quantize(f64::from(w), f64::from(1.7f32)) as f32);
        assert_eq!(j[1], (level(0.3) * c.gains[0]) as f32);
        assert_eq!(quantize(0.3, 1.7), 1.7 / 255.0 * 45.0);
        assert_eq!(dynamics.full_scale, level(0.3) + level(1.7));
        assert_eq!(dynamics.noise_std, PRODUCT_MSE.sqrt() * dynamics.full_scale);
        let offset = c.gains[1] * c.offsets_v[1] * dynamics.full_scale / 1.3;
        assert_eq!(problem.h[1], (2.0 + offset) as f32);
        let empty = || crate::dynamics::Csr { row_ptr: vec![0], cols: Vec::new(), values: Vec::<f32>::new() };
        let mut factored = DynamicsProblem { n: 0, n_binary: 0, couplings: Couplings::Factored { rows: empty(), couplings: empty() }, h: Vec::new() };
        assert!(model.prepare(&mut factored).unwrap_err().to_string().contains("dense or sparse"));
    }

    #[test]
    fn the_soft_threshold_saturates_at_zero_and_one() {
        let soft = SoftThreshold::new(&Calibration::aoc16());
        assert_eq!(soft.feedback(0.5), 0.5);
        assert!(soft.feedback(1.0) > 0.99 && soft.feedback(0.0) < 0.01);
        assert!(soft.feedback(0.6) > 0.6 && soft.feedback(0.6) < 0.95);
    }
}

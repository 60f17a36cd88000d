//! The measured calibration of a machine, read from a YAML file in the format of microsoft/aoc's
//! `hw_config` (the two shipped files live in `calibration/`, compiled into the binary).
//!
//! Only the parameter groups the hardware model uses are read (`super::NonIdeality` says which
//! enters where); the others (LED polynomials, weight distortion, crosstalk, saturation) are
//! left in the file. Every read is checked: a malformed file is an error naming the file and
//! the key, never a panic.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

/// The 16-channel machine of the Nature 2025 paper.
const AOC16_FILE: &str = "June2024_saturation_pieces_clip2p6.yaml";
const AOC16_YAML: &str = include_str!("../../calibration/June2024_saturation_pieces_clip2p6.yaml");
/// The newer 48-channel machine.
const AOC48_FILE: &str = "April2025_corrected_pd_3.yaml";
const AOC48_YAML: &str = include_str!("../../calibration/April2025_corrected_pd_3.yaml");

/// The largest magnitude of a value read: the files hold volts (about ±1.3 V of input range,
/// offsets of millivolts) and dimensionless coefficients and gains of order 1 to 10, so a value
/// beyond it is a typo, and it keeps every product of the model finite (1e308 overflows).
pub const MAX_MAGNITUDE: f64 = 1e3;
/// The smallest magnitude of the curve's amplitude d, V: the model divides by it, and the
/// f32 engines must resolve the quotient.
pub const MIN_AMPLITUDE: f64 = 1e-6;

/// What the hardware model takes from a calibration file. Voltages in volts, per-channel
/// vectors indexed by channel (0-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Where it was read from (a shipped file's name, or the path given).
    pub source: String,
    /// Channels of the machine: one variable each (unsigned weights).
    pub channels: usize,
    /// The electronic nonlinearity T(z) = d·u/(1 + |u|^c)^(1/c) + f + g·z with u = a·z + b
    /// (`tanh_sigmoid_coeffs` = [a, b, c, d, f] or [a, b, c, d, f, g]; g = 0 when absent).
    pub tanh: [f64; 6],
    /// The largest magnitude of the state voltage (`deq_input_min_max`), V.
    pub input_range_v: f64,
    /// Offset added to each channel's product, V: the closed-loop DC offset times the
    /// solution-to-ADC ratio where the file has a closed-loop correction (48 channels), else
    /// the difference of the positive and negative photodetector offsets (16 channels).
    pub offsets_v: Vec<f64>,
    /// Each channel's closed-loop gain over their mean (all 1 without a closed-loop correction).
    pub gains: Vec<f64>,
}

/// The YAML groups read, as the file spells them.
#[derive(Deserialize)]
struct File {
    tanh_sigmoid_coeffs: Vec<f64>,
    deq_input_min_max: Vec<f64>,
    pd_offset: PdOffset,
    close_loop_offset_and_scale: Option<ClosedLoop>,
}

#[derive(Deserialize)]
struct PdOffset {
    pd_offset_positive_row12: Vec<f64>,
    pd_offset_negative_row12: Vec<f64>,
}

#[derive(Deserialize)]
struct ClosedLoop {
    dc_offset: Vec<f64>,
    scaling: Vec<f64>,
    solution_to_adc_ratio: f64,
}

impl Calibration {
    /// The shipped calibration of the 16-channel machine.
    pub fn aoc16() -> Calibration {
        Calibration::parse(AOC16_FILE, AOC16_YAML).expect("the shipped 16-channel calibration parses (tested)")
    }

    /// The shipped calibration of the 48-channel machine.
    pub fn aoc48() -> Calibration {
        Calibration::parse(AOC48_FILE, AOC48_YAML).expect("the shipped 48-channel calibration parses (tested)")
    }

    /// Reads a calibration file. Errors name the file and what is wrong with it, a file larger
    /// than [`MAX_FILE_BYTES`] or brackets nested deeper than [`MAX_NESTING`] included (both
    /// refused before the YAML parser sees them).
    pub fn read(path: &Path) -> anyhow::Result<Calibration> {
        let fail = |problem: String| anyhow::anyhow!("calibration file {}: {problem}", path.display());
        let mut text = String::new();
        // Bounded even when the file is a device or grows while read.
        std::fs::File::open(path).and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)).map_err(|e| fail(e.to_string()))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            let size = std::fs::metadata(path).map_or_else(|_| "more".into(), |m| crate::resources::bytes(m.len()));
            return Err(fail(format!("{size}, more than the {} a calibration file may hold", crate::resources::bytes(MAX_FILE_BYTES))));
        }
        if let Some(line) = nested_beyond(&text, MAX_NESTING) {
            return Err(fail(format!("line {line}: brackets nest deeper than {MAX_NESTING} levels")));
        }
        Calibration::parse(&path.display().to_string(), &text)
    }

    /// Parses the text of a calibration file named `source`. Errors name the source and the
    /// key: a missing or malformed group, lengths that differ from the channel count, a value
    /// that is not finite or beyond ±[`MAX_MAGNITUDE`], a non-positive exponent or an amplitude
    /// below [`MIN_AMPLITUDE`].
    pub fn parse(source: &str, text: &str) -> anyhow::Result<Calibration> {
        let fail = |problem: String| anyhow::anyhow!("calibration file {source}: {problem}");
        let file: File = serde_norway::from_str(text).map_err(|e| fail(e.to_string()))?;
        let closed = file.close_loop_offset_and_scale.as_ref();
        let read: [(&str, &[f64]); 7] = [
            ("tanh_sigmoid_coeffs", &file.tanh_sigmoid_coeffs),
            ("deq_input_min_max", &file.deq_input_min_max),
            ("pd_offset.pd_offset_positive_row12", &file.pd_offset.pd_offset_positive_row12),
            ("pd_offset.pd_offset_negative_row12", &file.pd_offset.pd_offset_negative_row12),
            ("close_loop_offset_and_scale.dc_offset", closed.map_or(&[], |c| &c.dc_offset)),
            ("close_loop_offset_and_scale.scaling", closed.map_or(&[], |c| &c.scaling)),
            ("close_loop_offset_and_scale.solution_to_adc_ratio", closed.map_or(&[], |c| std::slice::from_ref(&c.solution_to_adc_ratio))),
        ];
        for (key, values) in read {
            if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite() || v.abs() > MAX_MAGNITUDE) {
                return Err(fail(format!("{key}[{i}] = {v:?} is not a finite number within ±{MAX_MAGNITUDE:e} (volts, or factors near 1)")));
            }
        }
        let channels = file.pd_offset.pd_offset_positive_row12.len();
        if channels == 0 {
            return Err(fail("pd_offset.pd_offset_positive_row12 is empty: no channels".into()));
        }
        let check_length = |key: &str, len: usize| {
            if len == channels { Ok(()) } else { Err(fail(format!("{key} has {len} entries for {channels} channels (pd_offset.pd_offset_positive_row12)"))) }
        };
        check_length("pd_offset.pd_offset_negative_row12", file.pd_offset.pd_offset_negative_row12.len())?;
        let tanh = match file.tanh_sigmoid_coeffs[..] {
            [a, b, c, d, f] => [a, b, c, d, f, 0.0],
            [a, b, c, d, f, g] => [a, b, c, d, f, g],
            _ => return Err(fail(format!("tanh_sigmoid_coeffs has {} entries, expected 5 or 6", file.tanh_sigmoid_coeffs.len()))),
        };
        // Every value is finite here, so the comparisons below see no NaN.
        if tanh[2] <= 0.0 {
            return Err(fail(format!("tanh_sigmoid_coeffs[2]: the exponent c = {:?} must be positive", tanh[2])));
        }
        if tanh[3].abs() < MIN_AMPLITUDE {
            return Err(fail(format!("tanh_sigmoid_coeffs[3]: the amplitude d = {:?} must be at least {MIN_AMPLITUDE:e} V in magnitude", tanh[3])));
        }
        let input_range_v = match file.deq_input_min_max[..] {
            [lo, hi] if lo < hi => lo.abs().max(hi.abs()),
            _ => return Err(fail(format!("deq_input_min_max must be [min, max] with min < max, got {:?}", file.deq_input_min_max))),
        };
        let (offsets_v, gains) = match file.close_loop_offset_and_scale {
            Some(closed) => {
                check_length("close_loop_offset_and_scale.dc_offset", closed.dc_offset.len())?;
                check_length("close_loop_offset_and_scale.scaling", closed.scaling.len())?;
                let mean = closed.scaling.iter().sum::<f64>() / channels as f64;
                if !(mean > 0.0) {
                    return Err(fail(format!("close_loop_offset_and_scale.scaling has mean {mean}, expected a positive gain")));
                }
                (closed.dc_offset.iter().map(|o| closed.solution_to_adc_ratio * o).collect(), closed.scaling.iter().map(|s| s / mean).collect())
            }
            None => {
                let PdOffset { pd_offset_positive_row12: positive, pd_offset_negative_row12: negative } = &file.pd_offset;
                (positive.iter().zip(negative).map(|(p, n)| p - n).collect(), vec![1.0; channels])
            }
        };
        Ok(Calibration { source: source.to_string(), channels, tanh, input_range_v, offsets_v, gains })
    }
}

/// The largest calibration file read: the shipped ones hold 9 and 30 KB, and the YAML parser
/// takes about 65 bytes of memory per byte of a file of numbers.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The deepest nesting of flow brackets (`[ ]`, `{ }`) read: the format nests 2 deep, and the
/// YAML scanner's time grows with the square of the depth (200 KB of brackets took 20 s).
pub const MAX_NESTING: usize = 64;

/// The line (1-based) where flow brackets first nest deeper than `limit`, quoted scalars and
/// comments skipped. Brackets inside plain scalars count too, which only errs on the side of
/// refusing.
fn nested_beyond(text: &str, limit: usize) -> Option<usize> {
    let (mut depth, mut line) = (0usize, 1);
    let (mut quote, mut comment, mut escaped) = (None, false, false);
    let mut previous = '\n';
    // Whether `previous` closed a single-quoted scalar: a second quote (`''`) is a quote in it.
    let mut closed_single = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            comment = false;
        }
        let reopens = std::mem::take(&mut closed_single) && c == '\'';
        match quote {
            _ if comment => {}
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => {
                quote = None;
                closed_single = q == '\'';
            }
            Some(_) => {}
            // A quote or comment starts a token; inside a plain scalar (`don't`) it is text.
            None if reopens || matches!(c, '"' | '\'') && (previous.is_whitespace() || matches!(previous, '[' | '{' | ',')) => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => comment = true,
            None if matches!(c, '[' | '{') => {
                depth += 1;
                if depth > limit {
                    return Some(line);
                }
            }
            None if matches!(c, ']' | '}') => depth = depth.saturating_sub(1),
            None => {}
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_files_give_16_and_48_channels() {
        let (aoc16, aoc48) = (Calibration::aoc16(), Calibration::aoc48());
        assert_eq!((aoc16.channels, aoc48.channels), (16, 48));
        assert_eq!(aoc16.tanh, [3.650472665, 0.0, 3.920930171, 0.085337389, 0.0, 0.0]);
        assert_eq!(aoc16.input_range_v, 1.3);
        // The 48-channel gains are normalised to mean 1.
        assert!((aoc48.gains.iter().sum::<f64>() / 48.0 - 1.0).abs() < 1e-12);
        // aoc16: the first channel's photodetector offsets differ by 6.485e-6 V.
        assert!((aoc16.offsets_v[0] - 6.485029464390756e-06).abs() < 1e-15);
    }

    #[test]
    fn nesting_is_counted_outside_quotes_and_comments() {
        assert_eq!(nested_beyond(AOC16_YAML, 2), None);
        assert_eq!(nested_beyond(AOC48_YAML, 2), None);
        assert_eq!(nested_beyond("a: [[1]]\nb: [[[2]]]\n", 2), Some(2));
        assert_eq!(nested_beyond("a: \"[[[\\\"[[\" # [[[\nb: '[[['' [' [1]\n", 1), None);
        assert_eq!(nested_beyond("a: x'[[[\n", 2), Some(1), "a quote inside a plain scalar opens nothing");
        assert_eq!(nested_beyond("a: ['x'' [[[', [[y]]]\n", 2), Some(1), "'' is a quote inside single quotes");
    }

    #[test]
    fn a_malformed_file_names_itself_and_the_problem() {
        let broken = AOC16_YAML.replace("tanh_sigmoid_coeffs: [3.650472665, 0, 3.920930171, 0.085337389, 0]", "tanh_sigmoid_coeffs: [1, 2]");
        assert_ne!(broken, AOC16_YAML);
        let error = Calibration::parse("mine.yaml", &broken).unwrap_err().to_string();
        assert!(error.contains("mine.yaml") && error.contains("tanh_sigmoid_coeffs has 2 entries"), "{error}");
        let error = Calibration::parse("mine.yaml", "deq_input_min_max: [1, 2]\n").unwrap_err().to_string();
        assert!(error.starts_with("calibration file mine.yaml: ") && error.contains("tanh_sigmoid_coeffs"), "{error}");
        let error = Calibration::parse("mine.yaml", "tanh_sigmoid_coeffs: [1, 0\n").unwrap_err().to_string();
        assert!(error.starts_with("calibration file mine.yaml: "), "{error}");
    }
}

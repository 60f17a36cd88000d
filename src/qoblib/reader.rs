//! The `.qs` reader: QOBLIB's QUBO files → [`Instance`].
//!
//! Format (QOBLIB, as its files are written by ZIMPL): lines starting with `#` are comments —
//! the ZIMPL model and `# ObjectiveOffset V`; the first other line is `n nnz`; then `nnz` lines
//! `i j q` (1-based, i ≤ j), the upper triangle of a symmetric Q. The energy of x ∈ {0,1}ⁿ is
//! `Σᵢ Qᵢᵢ xᵢ + 2 Σᵢ<ⱼ Qᵢⱼ xᵢ xⱼ + V`, minimised; a model written `maximize` is stored negated.
//!
//! Lenient where a file from elsewhere may differ harmlessly (blank lines, CRLF, a missing
//! offset, an entry written i > j, which a symmetric Q reads as j, i); strict where a silent
//! misreading would corrupt every number computed from it (a wrong count, a pair given twice,
//! an index out of range, a value that is not a finite number), with the file and line.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use super::error::QsError;
use crate::model::{Instance, QuadTerm, Sense};

/// The magic bytes of an xz stream.
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];

/// Largest number of variables accepted: a corrupt count must not request a multi-gigabyte
/// dense vector (which aborts instead of returning an error). QOBLIB's largest QUBO has ~10⁴.
const MAX_VARIABLES: usize = 10_000_000;

/// Entry lists reserve at most this many slots up front, whatever their (untrusted) count.
const MAX_PREALLOCATION: usize = 1 << 16;

/// Largest coefficient magnitude accepted; beyond it the f32 engines overflow (as for `.qplib`).
const MAX_COEFFICIENT: f64 = 1e20;

/// One `.qs` file as read: the instance and what `aocbench info` reports about the file.
#[derive(Debug, Clone, PartialEq)]
pub struct QsFile {
    /// The model in its own sense: for a `maximize` model, objective = −energy.
    pub instance: Instance,
    /// Entries listed (the `nnz` of the file's count line).
    pub nnz: usize,
    /// `V` of `# ObjectiveOffset V` (0 when the file has none), in energy terms.
    pub offset: f64,
    /// Smallest and largest |Qᵢⱼ| over the non-zero entries; `None` when there is none.
    pub coefficient_range: Option<(f64, f64)>,
    /// The line of the ZIMPL comment that gave the sense; `None`: no such comment, the energy is
    /// minimised as stored.
    pub sense_line: Option<usize>,
}

/// Reads a `.qs` file, plain or xz-compressed (recognised by its magic bytes), into the
/// instance in the model's own sense (see [`QsFile::instance`]); the instance is named by the
/// file name without `.qs` / `.qs.xz`. Errors name `path` (and the line for a parse error).
pub fn read_instance(path: &Path) -> Result<Instance, QsError> {
    read_qs(path).map(|file| file.instance)
}

/// As [`read_instance`], with the file's count, offset, coefficient range and sense origin.
pub fn read_qs(path: &Path) -> Result<QsFile, QsError> {
    let raw = fs::read(path).map_err(|source| QsError::Io { path: path.to_path_buf(), source })?;
    let text = if raw.starts_with(XZ_MAGIC) {
        let mut text = Vec::new();
        lzma_rs::xz_decompress(&mut raw.as_slice(), &mut text).map_err(|error| QsError::Xz { path: path.to_path_buf(), problem: error.to_string() })?;
        text
    } else {
        raw
    };
    parse_qs(&path.display().to_string(), &instance_name(path), &text)
}

/// The instance name of a `.qs` file: its file name without `.xz` and `.qs`.
pub fn instance_name(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let name = name.strip_suffix(".xz").unwrap_or(name);
    name.strip_suffix(".qs").unwrap_or(name).to_string()
}

/// Parses the bytes of a `.qs` file into the instance `name`; `source` names the file in
/// errors. Bytes that are not UTF-8 become U+FFFD (harmless in a comment, "not a number" in a
/// value). A leading byte-order mark (as Windows editors save UTF-8) is dropped.
pub fn parse_qs(source: &str, name: &str, text: &[u8]) -> Result<QsFile, QsError> {
    let text = String::from_utf8_lossy(text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let error = |line: usize, problem: String| QsError::Parse { file: source.to_string(), line, problem };
    let mut offset: Option<(f64, usize)> = None;
    let mut sense: Option<(Sense, usize)> = None;
    // (n, nnz, line of the count)
    let mut counts: Option<(usize, usize, usize)> = None;
    let mut entries: Vec<(usize, usize, f64)> = Vec::new();
    let mut first_seen: HashMap<(usize, usize), usize> = HashMap::new();
    let mut last_line = 0;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        last_line = number;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(value) = comment.strip_prefix("ObjectiveOffset") {
                if let Some((_, first)) = offset {
                    return Err(error(number, format!("a second ObjectiveOffset (the first is on line {first})")));
                }
                let value = value.trim();
                offset = Some((number_in(value, "the objective offset").map_err(|problem| error(number, problem))?, number));
            } else if let Some(found) = model_sense(comment) {
                match sense {
                    Some((earlier, first)) if earlier != found => {
                        return Err(error(number, format!("the ZIMPL comment names a second objective sense ({}; line {first} says {})", found.as_str(), earlier.as_str())))
                    }
                    Some(_) => {}
                    None => sense = Some((found, number)),
                }
            }
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some((n, nnz, count_line)) = counts else {
            let [n, nnz] = fields[..] else {
                return Err(error(number, format!("expected the count line \"n nnz\" (two whole numbers), found \"{}\"", excerpt(line))));
            };
            let n = count_in(n, "variables", MAX_VARIABLES).map_err(|problem| error(number, problem))?;
            let most = n.saturating_mul(n + 1) / 2;
            let nnz = count_in(nnz, "entries", most).map_err(|problem| error(number, problem))?;
            counts = Some((n, nnz, number));
            entries.reserve(nnz.min(MAX_PREALLOCATION));
            continue;
        };
        if entries.len() == nnz {
            return Err(error(number, format!("more entries than the {nnz} the count on line {count_line} gives: \"{}\"", excerpt(line))));
        }
        let [i, j, q] = fields[..] else {
            return Err(error(number, format!("expected an entry \"i j q\" (three fields), found \"{}\" (does the count on line {count_line} match the entries?)", excerpt(line))));
        };
        let i = index_in(i, n).map_err(|problem| error(number, problem))?;
        let j = index_in(j, n).map_err(|problem| error(number, problem))?;
        let q = number_in(q, "the coefficient").map_err(|problem| error(number, problem))?;
        // A symmetric Q: an entry below the diagonal is the same coupling as its mirror.
        let pair = (i.min(j), i.max(j));
        if let Some(first) = first_seen.insert(pair, number) {
            return Err(error(number, format!("the pair {} {} is given twice (first on line {first}; a pair i j and j i are the same entry of a symmetric Q)", pair.0 + 1, pair.1 + 1)));
        }
        entries.push((pair.0, pair.1, q));
    }
    let Some((n, nnz, count_line)) = counts else {
        return Err(error(last_line + 1, "unexpected end of file: expected the count line \"n nnz\"".into()));
    };
    if entries.len() < nnz {
        return Err(error(last_line + 1, format!("unexpected end of file: the count on line {count_line} gives {nnz} entries, found {}", entries.len())));
    }
    let (sense, sense_line) = sense.map_or((Sense::Minimize, None), |(sense, line)| (sense, Some(line)));
    let offset = offset.map_or(0.0, |(value, _)| value);
    let instance = instance_of(name, n, sense, &entries, offset);
    let magnitudes = entries.iter().map(|e| e.2.abs()).filter(|v| *v != 0.0);
    let coefficient_range = magnitudes.fold(None, |range: Option<(f64, f64)>, v| Some(range.map_or((v, v), |(low, high)| (low.min(v), high.max(v)))));
    Ok(QsFile { instance, nnz, offset, coefficient_range, sense_line })
}

/// The instance whose objective is `sign · energy`: Qᵢᵢ xᵢ goes to the linear term (xᵢ² = xᵢ
/// for a binary, as QPLIB writes its QUBOs); 2·Qᵢⱼ xᵢ xⱼ is a lower-triangle term of value 4·Qᵢⱼ,
/// because the model counts every listed term as ½·v·xᵢxⱼ (`model::objective`).
fn instance_of(name: &str, n: usize, sense: Sense, entries: &[(usize, usize, f64)], offset: f64) -> Instance {
    let sign = sense.sign();
    let mut linear = vec![0.0; n];
    let mut quadratic = Vec::with_capacity(entries.len());
    for &(i, j, q) in entries {
        if i == j {
            linear[i] = sign * q;
        } else {
            quadratic.push(QuadTerm { row: j, col: i, value: sign * 4.0 * q });
        }
    }
    quadratic.sort_by_key(|t| (t.row, t.col));
    Instance::binary(name, sense, quadratic, linear, sign * offset, Vec::new())
}

/// The sense of a ZIMPL comment line that starts the objective (`maximize obj: …`), if it is one.
fn model_sense(comment: &str) -> Option<Sense> {
    let word = comment.split(|c: char| !c.is_ascii_alphabetic()).next()?;
    match word {
        "maximize" => Some(Sense::Maximize),
        "minimize" => Some(Sense::Minimize),
        _ => None,
    }
}

fn count_in(text: &str, what: &str, max: usize) -> Result<usize, String> {
    text.parse::<usize>().ok().filter(|v| *v <= max).ok_or_else(|| format!("expected the number of {what} (a whole number in 0..={max}), found \"{}\"", excerpt(text)))
}

/// A 1-based variable index in 1..=n, as 0-based.
fn index_in(text: &str, n: usize) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(i) if (1..=n).contains(&i) => Ok(i - 1),
        _ => Err(format!("expected a variable index in 1..={n}, found \"{}\"", excerpt(text))),
    }
}

fn number_in(text: &str, what: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|_| format!("expected a number for {what}, found \"{}\"", excerpt(text)))?;
    if value.is_nan() {
        return Err(format!("expected a number for {what}, found NaN (\"{}\")", excerpt(text)));
    }
    if !value.is_finite() || value.abs() > MAX_COEFFICIENT {
        return Err(format!("expected a finite number of magnitude at most {MAX_COEFFICIENT:e} for {what}, found \"{}\"", excerpt(text)));
    }
    Ok(value)
}

/// At most 60 characters of `text`, for messages.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

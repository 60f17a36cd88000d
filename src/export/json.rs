//! results.json: the run's metadata, every row and every raw run, rewritten atomically after
//! each instance so that it is always complete for the instances done.

use std::path::Path;

use crate::results::BenchResults;
use crate::output::atomic::write_atomically;

pub fn write_results(path: &Path, results: &BenchResults) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(results)?;
    text.push('\n');
    write_atomically(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    /// A time read back from results.json is the f64 written, to the last bit: merge, resume and
    /// compare check rows against raw runs exactly (serde_json's `float_roundtrip`).
    #[test]
    fn numbers_read_back_are_the_numbers_written() {
        for value in [2.9561929080000002_f64, 0.1 + 0.2, 1e-300 * 3.0, 123456.78901234567] {
            let text = serde_json::to_string(&value).unwrap();
            let back: f64 = serde_json::from_str(&text).unwrap();
            assert_eq!(back.to_bits(), value.to_bits(), "{text}");
            let tree: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(tree.as_f64().unwrap().to_bits(), value.to_bits(), "{text} as a Value");
        }
    }
}

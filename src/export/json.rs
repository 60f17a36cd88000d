//! results.json: the run's metadata, every row and every raw run, rewritten atomically after
//! each instance so that it is always complete for the instances done.

use std::path::Path;

use crate::benchmark::BenchResults;
use crate::output::atomic::write_atomically;

pub fn write_results(path: &Path, results: &BenchResults) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(results)?;
    text.push('\n');
    write_atomically(path, text.as_bytes())
}

//! results.csv, written row by row so that an interrupted run keeps every finished row, and
//! read back by `compare`; and the comparison table as CSV.

use std::fs::File;
use std::path::Path;

use anyhow::Context;

use crate::benchmark::{ResultRow, Table};
use crate::output::atomic::write_atomically;

/// Appends [`ResultRow`]s to a new CSV file: the header with the first row, then each row
/// flushed and synced to disk before `append` returns.
pub struct ResultsWriter {
    writer: csv::Writer<File>,
}

impl ResultsWriter {
    /// Creates (or truncates) the file.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ResultsWriter { writer: csv::Writer::from_writer(file) })
    }

    pub fn append(&mut self, row: &ResultRow) -> anyhow::Result<()> {
        self.writer.serialize(row)?;
        self.writer.flush()?;
        // Flushing only hands the bytes to the OS; syncing makes the row survive a crash too.
        self.writer.get_ref().sync_data()?;
        Ok(())
    }
}

/// Every row of a results.csv.
pub fn read_results(path: &Path) -> anyhow::Result<Vec<ResultRow>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.with_context(|| format!("{}: row {}", path.display(), i + 1)))
        .collect()
}

/// A text table as CSV, written atomically.
pub fn write_table(path: &Path, table: &Table) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&table.header)?;
    for row in &table.rows {
        writer.write_record(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    write_atomically(path, &bytes)
}

//! results.csv, written row by row so that an interrupted run keeps every finished row, and
//! read back by `compare`; and the comparison table as CSV.

use std::fs::{File, OpenOptions};
use std::path::Path;

use anyhow::Context;

use crate::results::{ResultRow, Table};
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

    /// Continues the file at `path` as one holding exactly `rows`: it is first rewritten
    /// atomically with them (dropping a row cut short by a crash, or rows to be run again),
    /// then opened for appending. The rows' bytes come out as they were read: a value read
    /// back from this CSV prints the same.
    pub fn resume(path: &Path, rows: &[ResultRow]) -> anyhow::Result<Self> {
        let mut kept = csv::Writer::from_writer(Vec::new());
        for row in rows {
            kept.serialize(row)?;
        }
        write_atomically(path, &kept.into_inner().map_err(|e| e.into_error())?)?;
        let file = OpenOptions::new().append(true).open(path).with_context(|| format!("opening {}", path.display()))?;
        // The header goes out with the first row, so only a file without rows still needs it.
        Ok(ResultsWriter { writer: csv::WriterBuilder::new().has_headers(rows.is_empty()).from_writer(file) })
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

/// The fully written rows of a results.csv: a last line without its line end (a crash in the
/// middle of a row) is left out, any other unreadable row is an error. A missing file has none.
pub fn read_complete_results(path: &Path) -> anyhow::Result<Vec<ResultRow>> {
    let bytes = match std::fs::read(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        read => read.with_context(|| format!("reading {}", path.display()))?,
    };
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |end| end + 1);
    csv::Reader::from_reader(&bytes[..complete])
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

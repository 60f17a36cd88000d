//! `catalog.csv` of the instance folder: sizes, sense and best known objective per instance
//! (columns described in `qplib/README.md`). Only the columns below are read; the
//! provenance columns are for people.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{Instance, Sense};

/// One catalog row.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CatalogEntry {
    pub name: String,
    /// Website class (e.g. `QBL`, `CBL`, `QBN`); differs from the file header for some.
    pub class: String,
    /// Type code written in the file header (e.g. `QBL`, `QBB`).
    pub file_type: String,
    pub n_vars: usize,
    pub n_binary: usize,
    pub n_constraints: usize,
    /// Listed lower-triangle objective entries, diagonal included.
    pub n_nonzeros_quadratic: usize,
    pub n_quadratic_diagonal: usize,
    pub n_linear_objective_terms: usize,
    pub n_constraint_nonzeros: usize,
    pub objective_sense: Sense,
    pub best_known_objective: Option<f64>,
    /// True only when optimality of the best known objective is proven (`yes`).
    #[serde(deserialize_with = "proven", serialize_with = "proven_text")]
    pub optimal: bool,
}

impl CatalogEntry {
    /// The row of `instance` as counted from its file, with `best_known` as its best-known
    /// objective (never marked proven optimal): a row for an instance no catalog lists.
    pub fn describing(instance: &Instance, best_known: Option<f64>) -> CatalogEntry {
        CatalogEntry {
            name: instance.name.clone(),
            class: instance.type_code.clone(),
            file_type: instance.type_code.clone(),
            n_vars: instance.n_vars(),
            n_binary: instance.n_binary(),
            n_constraints: instance.n_constraints(),
            n_nonzeros_quadratic: instance.objective_quadratic.len(),
            n_quadratic_diagonal: instance.n_diagonal(),
            n_linear_objective_terms: instance.objective_linear.iter().filter(|b| **b != 0.0).count(),
            n_constraint_nonzeros: instance.n_constraint_nonzeros(),
            objective_sense: instance.sense,
            best_known_objective: best_known,
            optimal: false,
        }
    }
}

/// The columns every catalog row must have: the fields of [`CatalogEntry`].
const REQUIRED_COLUMNS: [&str; 13] = [
    "name",
    "class",
    "file_type",
    "n_vars",
    "n_binary",
    "n_constraints",
    "n_nonzeros_quadratic",
    "n_quadratic_diagonal",
    "n_linear_objective_terms",
    "n_constraint_nonzeros",
    "objective_sense",
    "best_known_objective",
    "optimal",
];

/// `yes` → proven optimal; `no` / `unknown` → not proven.
fn proven<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let text = String::deserialize(deserializer)?;
    match text.as_str() {
        "yes" => Ok(true),
        "no" | "unknown" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "expected yes, no or unknown in column optimal, found \"{other}\""
        ))),
    }
}

/// The line (from 1) of a row that csv places at `byte` of the file at `path`; 0 when the file
/// no longer reads. After a row that ends in a quoted field, csv places the next row at the
/// newline before it, hence the byte itself is counted.
fn line_at(path: &Path, byte: u64) -> u64 {
    let mut prefix = Vec::new();
    match File::open(path).and_then(|file| io::Read::read_to_end(&mut io::Read::take(file, byte + 1), &mut prefix)) {
        Ok(_) => 1 + prefix.iter().filter(|&&b| b == b'\n').count() as u64,
        Err(_) => 0,
    }
}

/// `yes` for a proven optimum, else `unknown` (a row written by aocbench claims no proof).
fn proven_text<S: Serializer>(optimal: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if *optimal { "yes" } else { "unknown" })
}

/// All rows of a `catalog.csv`, looked up by instance name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The file read; `None` for the empty catalog of a folder without one.
    source: Option<PathBuf>,
    entries: Vec<CatalogEntry>,
    /// Where each entry's row starts (file and csv's byte offset), for messages; None for an
    /// entry given on the command line.
    origins: Vec<Option<(PathBuf, u64)>>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    /// Reads `<dir>/catalog.csv`. A missing file gives an empty catalog (instances can be
    /// benchmarked without one, just without best-known values); a malformed one is an
    /// error naming its line, and so is a best-known objective that is not a finite number
    /// (`inf`, `NaN`, or `1e400`, which overflows): it would be a target every run reaches.
    pub fn load(dir: &Path) -> Result<Catalog> {
        Catalog::read(&dir.join("catalog.csv"), true)
    }

    /// Reads a catalog file a user names (`bench --catalog FILE`): as [`Catalog::load`], but a
    /// missing file is an error.
    pub fn load_file(path: &Path) -> Result<Catalog> {
        Catalog::read(path, false)
    }

    fn read(path: &Path, missing_is_empty: bool) -> Result<Catalog> {
        let path = path.to_path_buf();
        let file = match File::open(&path) {
            Err(error) if missing_is_empty && error.kind() == io::ErrorKind::NotFound => return Ok(Catalog::default()),
            opened => opened.with_context(|| format!("cannot open {}", path.display()))?,
        };
        let at = |line: u64, error: &dyn std::fmt::Display| {
            anyhow::anyhow!("{}:{line}: {error}", path.display())
        };
        // csv's line count misses the end of a row that ends in a quoted field (every row of
        // the shipped catalog), so lines are counted from its byte offsets.
        let at_byte = |position: Option<&csv::Position>, error: &dyn std::fmt::Display| at(position.map_or(0, |p| line_at(&path, p.byte())), error);
        let mut reader = csv::Reader::from_reader(file);
        let headers = reader.headers().map_err(|e| at(1, &e))?.clone();
        // Rows are checked as they are read; a header without them would pass silently.
        let missing: Vec<&str> = REQUIRED_COLUMNS.iter().copied().filter(|c| !headers.iter().any(|h| h == *c)).collect();
        if !missing.is_empty() {
            return Err(at(1, &format_args!("not a catalog: the header lacks the column(s) {}", missing.join(", "))));
        }
        let mut catalog = Catalog { source: Some(path.clone()), ..Catalog::default() };
        for record in reader.records() {
            let record = record.map_err(|e| at_byte(e.position(), &e))?;
            let entry: CatalogEntry = record
                .deserialize(Some(&headers))
                .map_err(|e| at_byte(record.position(), &e))?;
            if let Some(value) = entry.best_known_objective.filter(|v| !v.is_finite()) {
                let written = headers.iter().position(|h| h == "best_known_objective").and_then(|i| record.get(i)).unwrap_or_default();
                return Err(at_byte(record.position(), &format_args!("instance {}: best_known_objective \"{written}\" is not a finite number (reads as {value})", entry.name)));
            }
            if catalog
                .by_name
                .insert(entry.name.clone(), catalog.entries.len())
                .is_some()
            {
                return Err(at_byte(record.position(), &format_args!("duplicate instance {}", entry.name)));
            }
            catalog.entries.push(entry);
            catalog.origins.push(Some((path.clone(), record.position().map_or(0, csv::Position::byte))));
        }
        anyhow::ensure!(!catalog.entries.is_empty(), "{}: the catalog lists no instance (truncated?)", path.display());
        Ok(catalog)
    }

    /// The file read, if any.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// Checks the row of `instance` (read from `file`), if the catalog has one, against the
    /// file: sense, type code and the counts of variables, binaries and constraints. Errors name
    /// the catalog's line and the file: a row that describes another problem would give this
    /// one a wrong best-known target.
    pub fn check(&self, instance: &Instance, file: &Path) -> Result<()> {
        let Some(&index) = self.by_name.get(&instance.name) else { return Ok(()) };
        let entry = &self.entries[index];
        let facts = [
            ("objective_sense", entry.objective_sense.as_str().to_string(), instance.sense.as_str().to_string()),
            ("file_type", entry.file_type.clone(), instance.type_code.clone()),
            ("n_vars", entry.n_vars.to_string(), instance.n_vars().to_string()),
            ("n_binary", entry.n_binary.to_string(), instance.n_binary().to_string()),
            ("n_constraints", entry.n_constraints.to_string(), instance.n_constraints().to_string()),
            // A file of the same size but other couplings (an edited copy) must not take the row's target.
            ("n_nonzeros_quadratic", entry.n_nonzeros_quadratic.to_string(), instance.objective_quadratic.len().to_string()),
        ];
        let differences: Vec<String> = facts.iter().filter(|(_, listed, read)| listed != read).map(|(column, listed, read)| format!("{column} {listed} against {read}")).collect();
        anyhow::ensure!(
            differences.is_empty(),
            "{}: the catalog's row for {} does not describe {} ({}); correct the row or the file",
            self.origins[index].as_ref().map_or("the --best-known value".into(), |(p, byte)| format!("{}:{}", p.display(), line_at(p, *byte))),
            instance.name,
            file.display(),
            differences.join(", ")
        );
        Ok(())
    }

    /// Adds `entry` (given on the command line), replacing the row of the same name if there is one.
    pub fn insert(&mut self, entry: CatalogEntry) {
        self.put(entry, None);
    }

    /// Adds the row of `name` from `other`, with where it was read, replacing the row of the
    /// same name if there is one; nothing when `other` has no such row.
    pub fn adopt(&mut self, other: &Catalog, name: &str) {
        if let Some(&i) = other.by_name.get(name) {
            self.put(other.entries[i].clone(), other.origins[i].clone());
        }
    }

    fn put(&mut self, entry: CatalogEntry, origin: Option<(PathBuf, u64)>) {
        match self.by_name.get(&entry.name) {
            Some(&i) => {
                self.entries[i] = entry;
                self.origins[i] = origin;
            }
            None => {
                self.by_name.insert(entry.name.clone(), self.entries.len());
                self.entries.push(entry);
                self.origins.push(origin);
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&CatalogEntry> {
        self.by_name.get(name).and_then(|&i| self.entries.get(i))
    }

    /// Rows in file order.
    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
    }
}

//! `catalog.csv` of the instance folder: sizes, sense and best known objective per instance
//! (columns described in `qplib/README.md`). Only the columns below are read; the
//! provenance columns are for people.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::Path;

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

/// `yes` for a proven optimum, else `unknown` (a row written by aocbench claims no proof).
fn proven_text<S: Serializer>(optimal: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if *optimal { "yes" } else { "unknown" })
}

/// All rows of a `catalog.csv`, looked up by instance name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<CatalogEntry>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    /// Reads `<dir>/catalog.csv`. A missing file gives an empty catalog (instances can be
    /// benchmarked without one, just without best-known values); a malformed one is an
    /// error naming its line.
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
        let mut reader = csv::Reader::from_reader(file);
        let headers = reader.headers().map_err(|e| at(1, &e))?.clone();
        // Rows are checked as they are read; a header without them would pass silently.
        let missing: Vec<&str> = REQUIRED_COLUMNS.iter().copied().filter(|c| !headers.iter().any(|h| h == *c)).collect();
        if !missing.is_empty() {
            return Err(at(1, &format_args!("not a catalog: the header lacks the column(s) {}", missing.join(", "))));
        }
        let mut catalog = Catalog::default();
        for record in reader.records() {
            let record = record.map_err(|e| at(e.position().map_or(0, |p| p.line()), &e))?;
            let line = record.position().map_or(0, |p| p.line());
            let entry: CatalogEntry = record
                .deserialize(Some(&headers))
                .map_err(|e| at(line, &e))?;
            if catalog
                .by_name
                .insert(entry.name.clone(), catalog.entries.len())
                .is_some()
            {
                return Err(at(line, &format_args!("duplicate instance {}", entry.name)));
            }
            catalog.entries.push(entry);
        }
        anyhow::ensure!(!catalog.entries.is_empty(), "{}: the catalog lists no instance (truncated?)", path.display());
        Ok(catalog)
    }

    /// Adds `entry`, replacing the row of the same name if there is one.
    pub fn insert(&mut self, entry: CatalogEntry) {
        match self.by_name.get(&entry.name) {
            Some(&i) => self.entries[i] = entry,
            None => {
                self.by_name.insert(entry.name.clone(), self.entries.len());
                self.entries.push(entry);
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

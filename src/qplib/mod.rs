//! QPLIB instances: the `.qplib` reader, the instance lookup and the catalog.
//!
//! Data: `qplib/README.md` (the smoke instances and the catalog ship with the project; the
//! full sets are downloaded).

mod catalog;
mod compressed;
mod error;
mod locate;
mod reader;

pub use catalog::{Catalog, CatalogEntry};
pub use error::{IndexKind, LocateError, Problem, QplibError, Tried};
pub use locate::{find_instance, instance_dir, instance_set, shipped_catalog_dir, shipped_dir};

use locate::instance_dir_is_explicit;
pub use reader::{parse_instance, read_instance};

use std::path::{Path, PathBuf};

/// The file of one instance named on the command line: an existing path as is, else a name
/// looked up in the instance folder.
pub fn resolve_instance(dir_option: Option<&Path>, name_or_path: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    // Something written as a path is not looked up by name in the instance folder.
    if name_or_path.contains(std::path::MAIN_SEPARATOR) || [".qplib", ".gz", ".xz", ".zip"].iter().any(|ext| name_or_path.ends_with(ext)) {
        anyhow::bail!("{name_or_path}: no such instance file");
    }
    Ok(find_instance(&instance_dir(dir_option)?, name_or_path)?)
}

impl Catalog {
    /// The catalog of the instance folder found by the usual lookup; the shipped catalog
    /// ([`shipped_catalog_dir`]) when that folder has no `catalog.csv` of its own (a download
    /// elsewhere, the shipped smoke folder) or the default places hold no instance folder. A
    /// folder chosen by the option or `$AOCBENCH_QPLIB_DIR` that does not count is an error even
    /// when the instances are given as files: silently dropping their best-known objectives would
    /// hide the mistake. Errors also: a malformed file (naming its line).
    pub fn for_instances(dir_option: Option<&Path>) -> anyhow::Result<Catalog> {
        match instance_dir(dir_option) {
            Ok(dir) => {
                let with_catalog = if dir.join("catalog.csv").is_file() { dir } else { shipped_catalog_dir() };
                Catalog::load(&with_catalog)
            }
            Err(_) if !instance_dir_is_explicit(dir_option) => Catalog::load(&shipped_catalog_dir()),
            Err(error) => Err(error.into()),
        }
    }

    pub fn best_known(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|e| e.best_known_objective)
    }

    /// The best-known objective when the catalog marks it proven optimal.
    pub fn proven_optimum(&self, name: &str) -> Option<f64> {
        self.get(name).filter(|e| e.optimal).and_then(|e| e.best_known_objective)
    }
}

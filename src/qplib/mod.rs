//! QPLIB instances: the `.qplib` reader, the instance lookup and the catalog.
//!
//! Data: `qplib/README.md` (the smoke instances and the catalog ship with the project; the
//! full sets are downloaded).

mod catalog;
mod error;
mod locate;
mod reader;

pub use catalog::{Catalog, CatalogEntry};
pub use error::{IndexKind, LocateError, Problem, QplibError, Tried};
pub use locate::{find_instance, instance_dir, instance_set, shipped_catalog_dir, shipped_dir};
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
    if name_or_path.contains(std::path::MAIN_SEPARATOR) || name_or_path.ends_with(".qplib") || name_or_path.ends_with(".gz") {
        anyhow::bail!("{name_or_path}: no such instance file");
    }
    Ok(find_instance(&instance_dir(dir_option)?, name_or_path)?)
}

/// Instances named on the command line, or the files of `set` when none are named, with the
/// catalog of the instance folder (empty when there is no folder or no catalog).
pub fn select_instances(dir_option: Option<&Path>, names: &[String], set: &str) -> anyhow::Result<(Vec<PathBuf>, Catalog)> {
    let catalog = Catalog::for_instances(dir_option).unwrap_or_default();
    let paths = if names.is_empty() {
        instance_set(&instance_dir(dir_option)?, set)?
    } else {
        names.iter().map(|name| resolve_instance(dir_option, name)).collect::<anyhow::Result<_>>()?
    };
    Ok((paths, catalog))
}

impl Catalog {
    /// The catalog of the instance folder found by the usual lookup; the shipped catalog
    /// ([`shipped_catalog_dir`]) when that folder has no `catalog.csv` of its own (a download
    /// elsewhere, the shipped smoke folder). Errors: no instance folder, or a malformed file
    /// (naming its line).
    pub fn for_instances(dir_option: Option<&Path>) -> anyhow::Result<Catalog> {
        let dir = instance_dir(dir_option)?;
        let with_catalog = if dir.join("catalog.csv").is_file() { dir } else { shipped_catalog_dir() };
        Catalog::load(&with_catalog)
    }

    pub fn best_known(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|e| e.best_known_objective)
    }
}

//! Instance files of either library: the one place that picks the reader (`.qplib` or QOBLIB's
//! `.qs`) and the lookup (QPLIB folder or QOBLIB checkout) for a file, a name or a set, and
//! that puts together the catalog of best-known objectives for the instances of a run.

use std::path::{Path, PathBuf};

use crate::model::Instance;
use crate::qoblib::{self, QoblibClass};
use crate::qplib::{self, Catalog};

/// Where the instances of each library are, as the command line gives them (`--qplib-dir`,
/// `--qoblib-dir`); `None` falls back to the environment and the defaults of each lookup.
#[derive(Debug, Clone, Default)]
pub struct InstanceDirs {
    pub qplib: Option<PathBuf>,
    pub qoblib: Option<PathBuf>,
}

/// Failure to read an instance file of either format.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error(transparent)]
    Qplib(#[from] qplib::QplibError),
    #[error(transparent)]
    Qs(#[from] qoblib::QsError),
    /// A `.qs` file compressed other than by xz (`.qs.gz`, `.qs.bz2`, …), which neither reader takes.
    #[error("{}: a QOBLIB .qs file is read plain or xz-compressed (.qs, .qs.xz); decompress it first", .0.display())]
    QsCompression(PathBuf),
}

/// Reads an instance file: QOBLIB's `.qs` / `.qs.xz` by the `.qs` reader, anything else by the
/// `.qplib` reader (plain, gzip or zip). Errors name the file, and the line for a parse error.
pub fn read_instance(path: &Path) -> Result<Instance, InstanceError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    if qoblib::is_qs_name(path) || name.ends_with(".qs") || name.ends_with(".qs.xz") {
        Ok(qoblib::read_instance(path)?)
    } else if name.contains(".qs.") {
        Err(InstanceError::QsCompression(path.to_path_buf()))
    } else {
        Ok(qplib::read_instance(path)?)
    }
}

/// The instance sets `--set` names: QPLIB's `qbl`, `qbn` and QOBLIB's classes.
pub const SET_NAMES: [&str; 5] = ["qbl", "qbn", "marketsplit", "labs", "independentset"];

/// The file of one instance named on the command line: an existing path as is; a QPLIB name
/// (`QPLIB_0067`, `67`, a `.qplib…` file name) in the QPLIB folder; any other name in the
/// QOBLIB checkout (`labs030`, `C125-9`), then in the QPLIB folder.
pub fn resolve_instance(dirs: &InstanceDirs, name_or_path: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    if qoblib::is_qs_name(path) && name_or_path.contains(std::path::MAIN_SEPARATOR) {
        anyhow::bail!("{name_or_path}: no such instance file");
    }
    let qplib_name = name_or_path.starts_with("QPLIB_") || name_or_path.bytes().all(|b| b.is_ascii_digit()) || name_or_path.contains(".qplib");
    if qplib_name || name_or_path.contains(std::path::MAIN_SEPARATOR) {
        return qplib::resolve_instance(dirs.qplib.as_deref(), name_or_path);
    }
    // A QOBLIB folder chosen by option or environment that does not count is an error; a name
    // it does not hold may still be a QPLIB instance (a run can mix both libraries).
    let qoblib_error = match qoblib::qoblib_dir(dirs.qoblib.as_deref()) {
        Ok(dir) => match qoblib::find_instance(&dir, name_or_path) {
            Ok(path) => return Ok(path),
            Err(error) if qoblib::is_qs_name(path) => return Err(error.into()),
            Err(error) => anyhow::Error::from(error),
        },
        Err(error) if qoblib::qoblib_dir_is_explicit(dirs.qoblib.as_deref()) => return Err(error.into()),
        Err(error) => anyhow::Error::from(error),
    };
    qplib::resolve_instance(dirs.qplib.as_deref(), name_or_path).map_err(|qplib_error| anyhow::anyhow!("{qoblib_error}and not in QPLIB either: {qplib_error:#}"))
}

/// Instances named on the command line, or the files of `set` (one of [`SET_NAMES`]) when none
/// are named, with the catalog for them ([`catalog_for`]).
pub fn select_instances(dirs: &InstanceDirs, names: &[String], set: &str) -> anyhow::Result<(Vec<PathBuf>, Catalog)> {
    let paths: Vec<PathBuf> = if !names.is_empty() {
        names.iter().map(|name| resolve_instance(dirs, name)).collect::<anyhow::Result<_>>()?
    } else if let Some(class) = QoblibClass::from_name(set) {
        qoblib::class_set(&qoblib::qoblib_dir(dirs.qoblib.as_deref())?, class)?
    } else {
        qplib::instance_set(&qplib::instance_dir(dirs.qplib.as_deref())?, set)?
    };
    let catalog = catalog_for(dirs, &paths)?;
    Ok((paths, catalog))
}

/// The catalog of best-known objectives for `paths`: QPLIB's ([`Catalog::for_instances`]) when
/// any is not a `.qs` file (or none is given), QOBLIB's when any is, both when both are.
/// QOBLIB's is the checkout's `catalog.csv`, else the shipped one; a QOBLIB folder chosen by
/// option or environment that does not count is an error, as for QPLIB.
pub fn catalog_for(dirs: &InstanceDirs, paths: &[PathBuf]) -> anyhow::Result<Catalog> {
    let any_qs = paths.iter().any(|path| qoblib::is_qs_name(path));
    let any_qplib = paths.is_empty() || paths.iter().any(|path| !qoblib::is_qs_name(path));
    if !any_qplib {
        return Catalog::load(&qoblib_catalog_dir(dirs.qoblib.as_deref())?);
    }
    let mut catalog = Catalog::for_instances(dirs.qplib.as_deref())?;
    if any_qs {
        let qoblib_catalog = Catalog::load(&qoblib_catalog_dir(dirs.qoblib.as_deref())?)?;
        for entry in qoblib_catalog.entries() {
            catalog.adopt(&qoblib_catalog, &entry.name);
        }
    }
    Ok(catalog)
}

fn qoblib_catalog_dir(option: Option<&Path>) -> anyhow::Result<PathBuf> {
    match qoblib::qoblib_dir(option) {
        Ok(dir) if dir.join("catalog.csv").is_file() => Ok(dir),
        Ok(_) => Ok(qoblib::shipped_catalog_dir()),
        Err(_) if !qoblib::qoblib_dir_is_explicit(option) => Ok(qoblib::shipped_catalog_dir()),
        Err(error) => Err(error.into()),
    }
}

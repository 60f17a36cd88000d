//! Finding a QOBLIB checkout, one instance in it by QOBLIB's name (`labs030`, `C125-9`), or
//! the files of one class.
//!
//! The full classes are never committed; a smoke set of small instances, laid out as QOBLIB
//! lays out its files, and the catalog are ([`shipped_dir`], `qoblib/README.md`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::QoblibLocateError;

/// Environment variable naming the QOBLIB folder.
const DIR_ENV: &str = "AOCBENCH_QOBLIB_DIR";

/// Default place, relative to the current directory, where `scripts/download_qoblib.sh` puts
/// the files.
const DEFAULT_DIR: &str = "qoblib";

/// `qoblib/` of the checkout this binary was built from (absolute, fixed at build time, as for
/// the shipped QPLIB files): the catalog, and the smoke instances in its `smoke/`.
const SHIPPED_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/qoblib");

const EXTENSIONS: [&str; 2] = [".qs", ".qs.xz"];

/// QOBLIB's problem classes that it gives as unconstrained QUBOs (`.qs` files) and that
/// aocbench knows by folder. The portfolio class has no such folder at the pinned commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QoblibClass {
    /// Market split (QOBLIB class 01): every instance is feasible, optimum energy 0.
    MarketSplit,
    /// Low-autocorrelation binary sequences (class 02), with auxiliary variables.
    Labs,
    /// Maximum independent set (class 07), a maximisation.
    IndependentSet,
}

impl QoblibClass {
    pub const ALL: [QoblibClass; 3] = [QoblibClass::MarketSplit, QoblibClass::Labs, QoblibClass::IndependentSet];

    /// The name on the command line (`bench --set`) and in the catalog's `class` column.
    pub fn name(self) -> &'static str {
        match self {
            QoblibClass::MarketSplit => "marketsplit",
            QoblibClass::Labs => "labs",
            QoblibClass::IndependentSet => "independentset",
        }
    }

    pub fn from_name(name: &str) -> Option<QoblibClass> {
        QoblibClass::ALL.into_iter().find(|class| class.name() == name)
    }

    /// QOBLIB's folder of the class's `.qs` files, relative to the checkout.
    pub fn folder(self) -> &'static str {
        match self {
            QoblibClass::MarketSplit => "01-marketsplit/models/binary_unconstrained/qs_files",
            QoblibClass::Labs => "02-labs/models/quadratic_unconstrained/qs_files",
            QoblibClass::IndependentSet => "07-independentset/models/binary_unconstrained/qs_files",
        }
    }

    /// QOBLIB's top folder of the class (`02-labs`).
    pub fn top(self) -> &'static str {
        self.folder().split('/').next().unwrap_or_default()
    }
}

/// The shipped smoke instances, laid out as a QOBLIB checkout: the last place [`qoblib_dir`] tries.
pub fn shipped_dir() -> PathBuf {
    Path::new(SHIPPED_ROOT).join("smoke")
}

/// The folder of the shipped `catalog.csv` (every instance of the three classes).
pub fn shipped_catalog_dir() -> PathBuf {
    PathBuf::from(SHIPPED_ROOT)
}

/// The QOBLIB folder: `cli_option`, else `$AOCBENCH_QOBLIB_DIR`, else `qoblib/`, else the
/// shipped smoke set. A folder counts when it holds a class folder (`01-marketsplit/`, …) or
/// a `.qs(.xz)` file. An explicit choice that does not count is an error, not a reason to fall
/// back: silently benchmarking other files would hide the mistake.
pub fn qoblib_dir(cli_option: Option<&Path>) -> Result<PathBuf, QoblibLocateError> {
    let env_dir = env::var_os(DIR_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
    let candidates: Vec<(PathBuf, String)> = match (cli_option, env_dir) {
        (Some(dir), _) => vec![(dir.to_path_buf(), "--qoblib-dir".to_string())],
        (None, Some(dir)) => vec![(dir, format!("${DIR_ENV}"))],
        (None, None) => vec![
            (PathBuf::from(DEFAULT_DIR), format!("default; ${DIR_ENV} is not set")),
            (shipped_dir(), "the smoke instances shipped with aocbench".to_string()),
        ],
    };
    let mut tried = Vec::new();
    for (place, origin) in candidates {
        match why_not_qoblib_dir(&place) {
            None => return Ok(place),
            Some(reason) => tried.push(format!("{} ({origin}): {reason}", place.display())),
        }
    }
    Err(QoblibLocateError::NoDir { cwd: env::current_dir().unwrap_or_default(), tried })
}

/// True when the QOBLIB folder is chosen by `cli_option` or `$AOCBENCH_QOBLIB_DIR`.
pub fn qoblib_dir_is_explicit(cli_option: Option<&Path>) -> bool {
    cli_option.is_some() || env::var_os(DIR_ENV).is_some_and(|v| !v.is_empty())
}

fn why_not_qoblib_dir(dir: &Path) -> Option<&'static str> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Some(if dir.exists() { "not a readable folder" } else { "does not exist" });
    };
    let holds_class = QoblibClass::ALL.iter().any(|class| dir.join(class.top()).is_dir());
    if holds_class || entries.flatten().any(|e| is_qs_file(&e.path())) {
        None
    } else {
        Some("holds no QOBLIB class folder (01-marketsplit/, 02-labs/, 07-independentset/) or .qs file")
    }
}

/// True for an existing `.qs` or `.qs.xz` file.
pub fn is_qs_file(path: &Path) -> bool {
    is_qs_name(path) && path.is_file()
}

/// True when the file name ends in `.qs` or `.qs.xz` (the reader for it is the `.qs` reader).
pub fn is_qs_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}

/// The file of the instance QOBLIB names `name` (with or without `.qs` / `.qs.xz`): looked up in
/// each class folder of `dir`, then in `dir`, as `.qs` then `.qs.xz`.
pub fn find_instance(dir: &Path, name: &str) -> Result<PathBuf, QoblibLocateError> {
    let name = name.strip_suffix(".xz").unwrap_or(name);
    let name = name.strip_suffix(".qs").unwrap_or(name);
    let folders = QoblibClass::ALL.iter().map(|class| dir.join(class.folder())).chain([dir.to_path_buf()]);
    let tried: Vec<PathBuf> = folders.flat_map(|folder| EXTENSIONS.map(|ext| folder.join(format!("{name}{ext}")))).collect();
    match tried.iter().find(|path| path.is_file()) {
        Some(path) => Ok(path.clone()),
        None => Err(QoblibLocateError::NotFound { name: name.to_string(), tried }),
    }
}

/// The `.qs(.xz)` files of `class` under `dir`, sorted by name; an instance there both plain
/// and compressed is listed once (the plain file).
pub fn class_set(dir: &Path, class: QoblibClass) -> Result<Vec<PathBuf>, QoblibLocateError> {
    let folder = dir.join(class.folder());
    let io_error = |source| QoblibLocateError::Io { path: folder.clone(), source };
    let mut files = Vec::new();
    for entry in fs::read_dir(&folder).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if is_qs_file(&path) {
            files.push(path);
        }
    }
    // `X.qs` sorts right before `X.qs.xz`, so a twin is the next entry.
    files.sort();
    files.dedup_by(|later, kept| super::reader::instance_name(later) == super::reader::instance_name(kept));
    if files.is_empty() {
        return Err(QoblibLocateError::EmptyClass { class: class.name(), folder });
    }
    Ok(files)
}

//! Finding the instance folder, one instance in it, or a whole set (`qbl`, `qbn`).
//!
//! The instances are never committed (see `qplib/README.md`), so every entry point that
//! needs them goes through [`instance_dir`], whose error tells the user how to get them.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::{LocateError, Tried};

/// Environment variable naming the instance folder.
const INSTANCE_DIR_ENV: &str = "AOCBENCH_QPLIB_DIR";

/// Default places, relative to the current directory: the shared data folder beside a
/// checkout, then `qplib/` inside it (where `scripts/download_qplib.sh` puts the files).
const DEFAULT_DIRS: [&str; 2] = ["../shared/qplib", "qplib"];

const EXTENSIONS: [&str; 3] = [".qplib", ".qplib.gz", ".qplib.zip"];

/// The instance folder: `cli_option`, else `$AOCBENCH_QPLIB_DIR`, else `../shared/qplib`,
/// else `qplib/`. A folder counts when it holds `qbl/`, `qbn/` or a `.qplib(.gz|.zip)` file.
///
/// An explicit choice (option or environment variable) that does not count is an error
/// rather than a reason to fall back: silently benchmarking another folder would hide the
/// mistake.
pub fn instance_dir(cli_option: Option<&Path>) -> Result<PathBuf, LocateError> {
    let env_dir = env::var_os(INSTANCE_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let candidates: Vec<(PathBuf, String)> = match (cli_option, env_dir) {
        (Some(dir), _) => vec![(dir.to_path_buf(), "command-line option".to_string())],
        (None, Some(dir)) => vec![(dir, format!("${INSTANCE_DIR_ENV}"))],
        (None, None) => {
            let origin = format!("default; ${INSTANCE_DIR_ENV} is not set");
            DEFAULT_DIRS
                .iter()
                .map(|d| (PathBuf::from(d), origin.clone()))
                .collect()
        }
    };
    let mut tried = Vec::new();
    for (place, origin) in candidates {
        match why_not_instance_dir(&place) {
            None => return Ok(place),
            Some(reason) => tried.push(Tried {
                place,
                origin,
                reason,
            }),
        }
    }
    let cwd = env::current_dir().unwrap_or_default();
    Err(LocateError::NoInstanceDir { cwd, tried })
}

/// True when the instance folder is chosen by `cli_option` or `$AOCBENCH_QPLIB_DIR` rather
/// than by the defaults.
pub fn instance_dir_is_explicit(cli_option: Option<&Path>) -> bool {
    cli_option.is_some() || env::var_os(INSTANCE_DIR_ENV).is_some_and(|v| !v.is_empty())
}

/// `None` when `dir` counts as an instance folder, else the reason it does not.
fn why_not_instance_dir(dir: &Path) -> Option<&'static str> {
    if !dir.exists() {
        return Some("does not exist");
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return Some("not a readable folder");
    };
    let holds_set = ["qbl", "qbn"].iter().any(|set| dir.join(set).is_dir());
    let holds_file = || entries.flatten().any(|e| is_instance_file(&e.path()));
    if holds_set || holds_file() {
        None
    } else {
        Some("holds no qbl/, qbn/ or .qplib file")
    }
}

fn is_instance_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    EXTENSIONS.iter().any(|ext| name.ends_with(ext)) && path.is_file()
}

/// The file of one instance. An existing path is used as is; otherwise a name such as
/// `QPLIB_0067`, `0067` or `67` (with or without extension) is looked up in `dir/qbl`,
/// `dir/qbn` and `dir`, as `.qplib`, then `.qplib.gz`, then `.qplib.zip`.
pub fn find_instance(dir: &Path, name_or_path: &str) -> Result<PathBuf, LocateError> {
    let given = Path::new(name_or_path);
    if given.is_file() {
        return Ok(given.to_path_buf());
    }
    let name = instance_name(name_or_path);
    let tried: Vec<PathBuf> = [dir.join("qbl"), dir.join("qbn"), dir.to_path_buf()]
        .iter()
        .flat_map(|folder| {
            EXTENSIONS
                .iter()
                .map(|ext| folder.join(format!("{name}{ext}")))
        })
        .collect();
    match tried.iter().find(|path| path.is_file()) {
        Some(path) => Ok(path.clone()),
        None => Err(LocateError::InstanceNotFound { name, tried }),
    }
}

/// `0067`, `67` → `QPLIB_0067`; extensions are dropped; other names are kept.
fn instance_name(name: &str) -> String {
    let stem = instance_stem(name);
    if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
        format!("QPLIB_{stem:0>4}")
    } else {
        stem.to_string()
    }
}

fn instance_stem(name: &str) -> &str {
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zip"))
        .unwrap_or(name);
    name.strip_suffix(".qplib").unwrap_or(name)
}

/// The files of set `qbl` or `qbn` under `dir`, sorted by name. When an instance is there
/// both plain and compressed, only the first of `X.qplib`, `X.qplib.gz`, `X.qplib.zip` is
/// listed, so nothing runs twice.
pub fn instance_set(dir: &Path, set: &str) -> Result<Vec<PathBuf>, LocateError> {
    if !matches!(set, "qbl" | "qbn") {
        return Err(LocateError::UnknownSet {
            set: set.to_string(),
        });
    }
    let folder = dir.join(set);
    let io_error = |source| LocateError::Io {
        path: folder.clone(),
        source,
    };
    let mut files = Vec::new();
    for entry in fs::read_dir(&folder).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if is_instance_file(&path) {
            files.push(path);
        }
    }
    files.sort(); // `X.qplib` sorts right before `X.qplib.gz`, then `X.qplib.zip`
    files.dedup_by(|later, kept| stem_of(later) == stem_of(kept));
    if files.is_empty() {
        return Err(LocateError::EmptySet { folder });
    }
    Ok(files)
}

fn stem_of(path: &Path) -> &str {
    instance_stem(
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default(),
    )
}

//! Finding the instance folder, one instance in it, or a whole set (`qbl`, `qbn`).
//!
//! The full sets are never committed (see `qplib/README.md`); the eight smoke instances and
//! the catalog of best-known objectives are ([`shipped_dir`]), so a fresh checkout runs the
//! smoke benchmark with nothing beside it. Every entry point that needs instances goes through
//! [`instance_dir`], whose error tells the user how to get them.

use std::cmp::Ordering;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::{LocateError, Tried};

/// Environment variable naming the instance folder.
const INSTANCE_DIR_ENV: &str = "AOCBENCH_QPLIB_DIR";

/// Default place, relative to the current directory: `qplib/`, where
/// `scripts/download_qplib.sh` puts the files. Anywhere else is named by the option or
/// `$AOCBENCH_QPLIB_DIR`.
const DEFAULT_DIRS: [&str; 1] = ["qplib"];

/// `qplib/` of the checkout this binary was built from: the shipped catalog, and the shipped
/// instances in its `smoke/`. An absolute path fixed at build time, so that a binary run from
/// another folder (`cargo install --path .`) still finds them while the checkout exists.
const SHIPPED_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/qplib");

const EXTENSIONS: [&str; 4] = [".qplib", ".qplib.gz", ".qplib.xz", ".qplib.zip"];

/// The folder of the shipped instances (the smoke set, QPLIB's own files): the last default
/// place [`instance_dir`] tries.
pub fn shipped_dir() -> PathBuf {
    Path::new(SHIPPED_ROOT).join("smoke")
}

/// The shipped `catalog.csv` (best-known objectives of every QBL and QBN instance), used for
/// an instance folder that has none.
pub fn shipped_catalog_dir() -> PathBuf {
    PathBuf::from(SHIPPED_ROOT)
}

/// The instance folder: `cli_option`, else `$AOCBENCH_QPLIB_DIR`, else `qplib/`, else the shipped instances ([`shipped_dir`]). A folder counts when it holds
/// `qbl/`, `qbn/` or a `.qplib(.gz|.zip)` file.
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
                .chain([(shipped_dir(), "the smoke instances shipped with aocbench".to_string())])
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
/// `dir/qbn` and `dir`, as `.qplib`, then `.qplib.gz`, `.qplib.xz`, `.qplib.zip`.
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
        .or_else(|| name.strip_suffix(".xz"))
        .or_else(|| name.strip_suffix(".zip"))
        .unwrap_or(name);
    name.strip_suffix(".qplib").unwrap_or(name)
}

/// The files of set `qbl` or `qbn` under `dir`, in natural order of their names
/// (QPLIB_2315 before QPLIB_10040). When an instance is there both plain and compressed, only
/// the first of `X.qplib`, `X.qplib.gz`, `X.qplib.xz`, `X.qplib.zip` is listed, so nothing runs twice.
pub fn instance_set(dir: &Path, set: &str) -> Result<Vec<PathBuf>, LocateError> {
    if !matches!(set, "qbl" | "qbn") {
        return Err(LocateError::UnknownSet {
            set: set.to_string(),
        });
    }
    let folder = dir.join(set);
    if !folder.exists() && dir == shipped_dir() {
        return Err(LocateError::SetNotShipped { set: set.to_string() });
    }
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
    // `X.qplib` sorts right before `X.qplib.gz`, `X.qplib.xz`, `X.qplib.zip`, so a twin is the next entry.
    files.sort_by(|a, b| natural_order(file_name(a), file_name(b)));
    files.dedup_by(|later, kept| stem_of(later) == stem_of(kept));
    if files.is_empty() {
        return Err(LocateError::EmptySet { folder });
    }
    Ok(files)
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or_default()
}

fn stem_of(path: &Path) -> &str {
    instance_stem(file_name(path))
}

/// Orders names as people read them: runs of digits by their value, the rest as text.
fn natural_order(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (digits_a, rest_a) = split_digits(a);
                let (digits_b, rest_b) = split_digits(b);
                // By value without parsing (no overflow): fewer significant digits is smaller.
                let (value_a, value_b) = (digits_a.trim_start_matches('0'), digits_b.trim_start_matches('0'));
                let by_value = value_a.len().cmp(&value_b.len()).then_with(|| value_a.cmp(value_b)).then_with(|| digits_a.cmp(digits_b));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (a, b) = (rest_a, rest_b);
            }
            (Some(x), Some(y)) if x != y => return x.cmp(&y),
            (Some(x), Some(_)) => (a, b) = (&a[x.len_utf8()..], &b[x.len_utf8()..]),
        }
    }
}

/// The leading run of ASCII digits of `text`, and the rest.
fn split_digits(text: &str) -> (&str, &str) {
    text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_reads_numbers_as_numbers() {
        let mut names = vec!["QPLIB_10040.qplib", "QPLIB_2315.qplib", "QPLIB_0067.qplib.gz", "QPLIB_0067.qplib", "QPLIB_3506.qplib", "QPLIB_10040a.qplib"];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(names, ["QPLIB_0067.qplib", "QPLIB_0067.qplib.gz", "QPLIB_2315.qplib", "QPLIB_3506.qplib", "QPLIB_10040.qplib", "QPLIB_10040a.qplib"]);
        assert_eq!(natural_order("x007", "x7"), Ordering::Less, "equal values: by text, so the order is total");
        assert_eq!(natural_order("a99999999999999999999999", "a100000000000000000000000"), Ordering::Less);
    }
}

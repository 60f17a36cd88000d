//! Errors of the `.qs` reader and of the QOBLIB lookup.
//!
//! A parse error says where (file and 1-based line) and what was expected versus found, as the
//! `.qplib` reader's do: the usual reader of these messages is someone looking at a file that a
//! download or a converter got subtly wrong.

use std::io;
use std::path::PathBuf;

/// Failure to read or parse one `.qs` file.
#[derive(Debug, thiserror::Error)]
pub enum QsError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// An `.xz` file that does not decompress (truncated, corrupt).
    #[error("{}: not a readable xz file (truncated or corrupt?): {problem}", path.display())]
    Xz { path: PathBuf, problem: String },
    /// The text does not follow the format; `line` is 1-based.
    #[error("{file}:{line}: {problem}")]
    Parse { file: String, line: usize, problem: String },
}

/// Failure to find the QOBLIB folder, an instance in it, or a class's files.
#[derive(Debug, thiserror::Error)]
pub enum QoblibLocateError {
    #[error(
        "no QOBLIB folder found (a folder counts when it holds one of QOBLIB's class folders, \
         such as 02-labs/, or a .qs or .qs.xz file); tried, relative to {}:\n{}\
         Get the QUBO classes with scripts/download_qoblib.sh (it fills qoblib/), or point \
         AOCBENCH_QOBLIB_DIR or --qoblib-dir at a QOBLIB checkout.",
        cwd.display(),
        tried.iter().map(|t| format!("  {t}\n")).collect::<String>()
    )]
    NoDir { cwd: PathBuf, tried: Vec<String> },
    #[error(
        "QOBLIB instance {name} not found; tried:\n{}",
        tried.iter().map(|p| format!("  {}\n", p.display())).collect::<String>()
    )]
    NotFound { name: String, tried: Vec<PathBuf> },
    #[error("no .qs or .qs.xz file of class {class} in {}", folder.display())]
    EmptyClass { class: &'static str, folder: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

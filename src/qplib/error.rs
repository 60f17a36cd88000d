//! Errors of the `.qplib` reader and of the instance lookup.
//!
//! A parse error always says where (file and 1-based line) and what was expected versus
//! found, because the usual reader of these messages is someone staring at a multi-megabyte
//! file that a converter or a download got subtly wrong.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Failure to read or parse one `.qplib` file.
#[derive(Debug, thiserror::Error)]
pub enum QplibError {
    /// The file could not be read or decompressed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A compressed format the reader refuses, or a zip archive that does not hold exactly one
    /// readable file.
    #[error("{}: {problem}", path.display())]
    Container { path: PathBuf, problem: String },
    /// The text does not follow the format; `line` is 1-based.
    #[error("{file}:{line}: {problem}")]
    Parse {
        file: String,
        line: usize,
        problem: Problem,
    },
}

/// Whether an index refers to a variable or to a constraint (both 1-based in the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Variable,
    Constraint,
}

impl fmt::Display for IndexKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IndexKind::Variable => "variable",
            IndexKind::Constraint => "constraint",
        })
    }
}

/// What is wrong on a line. `found` fields hold (an excerpt of) the offending text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("unexpected end of file: expected {expected}")]
    UnexpectedEof { expected: String },
    /// A line with too many or too few fields — inside or right after a list, usually a
    /// count that does not match its entries, hence the hint naming the count's line.
    #[error("expected {expected}, found \"{found}\"{}", count_hint(.count_line))]
    WrongShape {
        expected: String,
        found: String,
        count_line: Option<usize>,
    },
    #[error("expected the number of {what} (a count in 0..={max}), found \"{found}\"")]
    BadCount {
        what: String,
        max: usize,
        found: String,
    },
    #[error("expected a {kind} index in 1..={len}, found \"{found}\"")]
    BadIndex {
        kind: IndexKind,
        len: usize,
        found: String,
    },
    #[error("expected a number for the {what}, found \"{found}\"")]
    NotANumber { what: String, found: String },
    #[error("expected a number for the {what}, found NaN (\"{found}\")")]
    NaN { what: String, found: String },
    #[error(
        "expected a finite number for the {what}, found \"{found}\" \
         (infinity is allowed only in bounds and as the value for infinity)"
    )]
    Infinite { what: String, found: String },
    #[error(
        "expected a coefficient of magnitude at most {limit:e} for the {what}, found \"{found}\" (larger ones overflow the engines)"
    )]
    TooLarge {
        what: String,
        found: String,
        limit: f64,
    },
    #[error("expected a positive value for infinity, found \"{found}\"")]
    NonPositiveInfinity { found: String },
    #[error(
        "unknown problem type: expected three letters OVC with O in L,D,C,Q; \
         V in C,B,M,I,G; C in N,B,L,D,C,Q, found \"{found}\""
    )]
    UnknownTypeCode { found: String },
    #[error("unknown objective sense: expected minimize or maximize, found \"{found}\"")]
    UnknownSense { found: String },
    #[error("the objective sense line names more than one sense: \"{found}\" (expected minimize or maximize, then at most a comment)")]
    ConflictingSense { found: String },
    #[error(
        "unknown variable type: expected 0 (continuous), 1 (integer) or 2 (binary), found \"{found}\""
    )]
    UnknownVariableType { found: String },
    #[error("duplicate entry {key} in the {what} (first given on line {first_line})")]
    Duplicate {
        what: String,
        key: String,
        first_line: usize,
    },
    #[error("trailing garbage after the last section: expected end of file, found \"{found}\"")]
    TrailingGarbage { found: String },
}

fn count_hint(count_line: &Option<usize>) -> String {
    count_line.map_or_else(String::new, |line| {
        format!(" (does the count on line {line} match the number of entries?)")
    })
}

/// Failure to find the instance folder, an instance or an instance set.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    #[error(
        "no QPLIB instance folder found (a folder counts when it holds qbl/, qbn/ or a .qplib \
         file); tried, relative to {}:\n{}\
         Get the instances with scripts/download_qplib.sh (it fills qplib/), or point \
         AOCBENCH_QPLIB_DIR or the command-line option at a folder that holds them.",
        cwd.display(),
        tried.iter().map(|t| format!("  {t}\n")).collect::<String>()
    )]
    NoInstanceDir { cwd: PathBuf, tried: Vec<Tried> },
    #[error(
        "instance {name} not found; tried:\n{}",
        tried.iter().map(|p| format!("  {}\n", p.display())).collect::<String>()
    )]
    InstanceNotFound { name: String, tried: Vec<PathBuf> },
    #[error("unknown instance set \"{set}\": expected qbl or qbn")]
    UnknownSet { set: String },
    #[error(
        "the {set} set does not ship with aocbench (only the eight smoke instances do): get it \
         with scripts/download_qplib.sh, or point AOCBENCH_QPLIB_DIR or the command-line option \
         at a folder that holds it"
    )]
    SetNotShipped { set: String },
    #[error("no .qplib, .qplib.gz, .qplib.xz or .qplib.zip file in {}", folder.display())]
    EmptySet { folder: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// One place [`super::instance_dir`] looked at, and why it did not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried {
    pub place: PathBuf,
    /// Where the candidate came from (command-line option, environment variable, default).
    pub origin: String,
    pub reason: &'static str,
}

impl fmt::Display for Tried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.place.display(),
            self.origin,
            self.reason
        )
    }
}

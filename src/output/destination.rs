//! Files the user names for output (`solve --save-solution`, `export -o`, `perf --out`):
//! checked before any work starts, so that a long run never ends in an error about its output
//! and nothing that is not an output is overwritten.
//!
//! The rule: an output goes to a regular file (replaced atomically) or to a new path. A
//! device, FIFO, socket or folder is refused by name, and so is a file the run reads (the
//! instance, a calibration, the catalog), compared by device and inode, so that a hard link
//! or another spelling of the path is caught too. A symbolic link is followed: the file it
//! points to is replaced (atomically, in that file's folder) and the link is kept; a link to
//! nothing is refused.

use std::fs::FileType;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::atomic::write_atomically;

/// A checked output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// As the user wrote it, for messages.
    named: PathBuf,
    /// The file written: `named`, or the file a symbolic link `named` points to.
    target: PathBuf,
    /// Files the run reads, which it must not overwrite.
    inputs: Vec<PathBuf>,
}

impl Destination {
    /// Checks `path` as an output file of a run that reads `inputs` (missing inputs are
    /// ignored). Errors, each naming `path`: a device, FIFO, socket or folder; one of `inputs`;
    /// a symbolic link to nothing; a folder where no file can be created (tried by creating and
    /// removing a temporary file there, or in the nearest existing folder above a new one).
    pub fn check(path: &Path, inputs: &[&Path]) -> anyhow::Result<Destination> {
        let destination = Destination { named: path.to_path_buf(), target: path.to_path_buf(), inputs: inputs.iter().map(|p| p.to_path_buf()).collect() };
        let target = destination.resolve()?;
        let destination = Destination { target, ..destination };
        destination.probe_folder()?;
        Ok(destination)
    }

    /// The path as the user named it.
    pub fn path(&self) -> &Path {
        &self.named
    }

    /// `path` with `suffix` appended (`out.sol` → `out.sol.polished`), checked as
    /// [`Destination::check`] checks, against the same inputs.
    pub fn with_suffix(&self, suffix: &str) -> anyhow::Result<Destination> {
        let mut name = self.named.as_os_str().to_owned();
        name.push(suffix);
        let inputs: Vec<&Path> = self.inputs.iter().map(PathBuf::as_path).collect();
        Destination::check(Path::new(&name), &inputs)
    }

    /// Writes `bytes` atomically, after checking the path again (it may have changed during
    /// the run). Errors name the path.
    pub fn write(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let target = self.resolve()?;
        write_atomically(&target, bytes).with_context(|| self.described())
    }

    /// `out.sol`, or `out.sol (a link to /data/run.sol)`.
    fn described(&self) -> String {
        if self.target == self.named { self.named.display().to_string() } else { format!("{} (a link to {})", self.named.display(), self.target.display()) }
    }

    /// The file to write: the path itself or the file its link points to; refused when that is
    /// not a regular file or a new path, or when it is one of the inputs.
    fn resolve(&self) -> anyhow::Result<PathBuf> {
        let path = &self.named;
        let refuse = |what: String| anyhow::anyhow!("cannot write {}: it is {what}; name a regular file or a new path", path.display());
        let link = match std::fs::symlink_metadata(path) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(path.clone()),
            Err(error) => return Err(error).with_context(|| format!("cannot write {}", path.display())),
            Ok(metadata) => metadata,
        };
        let (target, metadata) = if link.file_type().is_symlink() {
            let target = std::fs::canonicalize(path).map_err(|_| refuse("a symbolic link to nothing".into()))?;
            let metadata = std::fs::metadata(&target).with_context(|| format!("cannot write {}", path.display()))?;
            (target, metadata)
        } else {
            (path.clone(), link)
        };
        if let Some(kind) = not_a_regular_file(metadata.file_type()) {
            return Err(refuse(if target == *path { kind.to_string() } else { format!("a link to {}, {kind}", target.display()) }));
        }
        if let Some(input) = self.inputs.iter().find(|input| same_file(input, &target)) {
            bail!("cannot write {}: this run reads it as its input {}; name another file", path.display(), input.display());
        }
        Ok(target)
    }

    /// Creates and removes a temporary file where the write will create its own, so that a
    /// read-only or missing folder is an error before the run rather than after it.
    fn probe_folder(&self) -> anyhow::Result<()> {
        let folder = self.target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        // A new folder is created at the write; its nearest existing ancestor must take it.
        let existing = folder.ancestors().find(|f| f.as_os_str().is_empty() || f.exists()).filter(|f| !f.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !existing.is_dir() {
            bail!("cannot write {}: {} is not a folder", self.described(), existing.display());
        }
        tempfile::NamedTempFile::new_in(existing).map(drop).map_err(|error| {
            // tempfile's error names its random file; the system's reason is underneath.
            let reason = error.get_ref().and_then(|inner| inner.source()).map_or_else(|| error.to_string(), ToString::to_string);
            anyhow::anyhow!("cannot write {}: no file can be created in {} ({reason})", self.described(), existing.display())
        })
    }
}

/// What a file that is not a regular one is, in words; `None` for a regular file.
fn not_a_regular_file(file_type: FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    if file_type.is_dir() {
        Some("a folder")
    } else if file_type.is_file() {
        None
    } else {
        Some("not a regular file")
    }
}

/// Whether two existing paths are one file: the same device and inode (a hard link or another
/// spelling of the path included).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let id = |path: &Path| std::fs::metadata(path).map(|m| (m.dev(), m.ino())).ok();
    id(a).is_some_and(|a| Some(a) == id(b))
}

/// Whether two existing paths are one file, by their canonical paths.
#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(a).is_ok_and(|a| std::fs::canonicalize(b).is_ok_and(|b| a == b))
}

//! The advisory lock on a results folder that a process writes (`bench`, `merge --out`), so a
//! second process cannot resume, replace (`--force`) or merge it at the same time.
//!
//! The lock is an exclusive `flock` on [`LOCK_FILE`] in the folder, held for the life of the
//! [`FolderLock`]. The kernel releases it when the process ends, however it ends (`kill -9`
//! included), so the file that stays behind is not a stale lock: the next process locks it
//! again. Nothing reads it; `bench` does not count it as a previous run's file.

use std::fs::{File, OpenOptions};
use std::path::Path;

use anyhow::Context;

/// The lock file's name in a locked folder.
pub const LOCK_FILE: &str = ".aocbench.lock";

/// A held lock on a folder; dropping it releases the lock.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Locks `dir` for writing, creating the folder and its lock file when absent; never
    /// waits. Errors: another process holds the lock (the message names the folder), or the
    /// folder or file cannot be created.
    pub fn acquire(dir: &Path) -> anyhow::Result<FolderLock> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).with_context(|| format!("creating the lock file {}", path.display()))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => Ok(FolderLock { _file: file }),
            Err(fs4::TryLockError::WouldBlock) => Err(in_use(dir)),
            Err(fs4::TryLockError::Error(error)) => Err(error).with_context(|| format!("locking {}", path.display())),
        }
    }

    /// Errors when another process holds `dir`'s lock now, i.e. still writes the folder (for
    /// a folder only read, such as a shard being merged; it is not locked).
    pub fn ensure_idle(dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(LOCK_FILE);
        // No lock file: no process of this version ever wrote there under a lock.
        let Ok(file) = File::open(&path) else { return Ok(()) };
        match fs4::FileExt::try_lock_shared(&file) {
            Ok(()) => Ok(()),
            Err(fs4::TryLockError::WouldBlock) => Err(in_use(dir)),
            Err(fs4::TryLockError::Error(error)) => Err(error).with_context(|| format!("locking {}", path.display())),
        }
    }
}

fn in_use(dir: &Path) -> anyhow::Error {
    anyhow::anyhow!("{} is in use: another aocbench process is writing it now (bench or merge); wait for it to finish, or stop it, and try again", dir.display())
}

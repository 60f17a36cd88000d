//! The Python side's environment: a venv holding the pinned package of one solver.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::runner::{ScratchDir, run_checked};
use super::{ReferenceOptions, ReferenceSolver};

/// The pins, compiled in so that the binary and its requirements cannot drift apart.
const REQUIREMENTS: &str = include_str!("../../scripts/requirements-reference.txt");

/// The interpreter that creates the venv.
const SYSTEM_PYTHON: &str = if cfg!(windows) { "python" } else { "python3" };

/// Creating a venv and downloading a solver's wheels (PyTorch's are gigabytes) on a slow link.
const SETUP_LIMIT: Duration = Duration::from_secs(1800);
/// Importing a solver package (loads its shared libraries).
const CHECK_LIMIT: Duration = Duration::from_secs(120);

/// Why a reference solver cannot run, and the command that fixes it. Callers print it and go on
/// with the AOC-DT side.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("reference solver {solver} is unavailable: {missing}\n  to fix it, run: {fix}")]
pub struct ReferenceUnavailable {
    pub solver: ReferenceSolver,
    pub missing: String,
    pub fix: String,
}

/// The pinned requirement (`name==version`) of `package`.
fn pinned(package: &str) -> &'static str {
    REQUIREMENTS
        .lines()
        .filter_map(|line| line.split('#').next().map(str::trim))
        .find(|line| line.split_once("==").is_some_and(|(name, _)| name == package))
        .unwrap_or_else(|| panic!("{package} is not pinned in scripts/requirements-reference.txt"))
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) { venv.join("Scripts").join("python.exe") } else { venv.join("bin").join("python") }
}

/// The installed versions of `packages` (pip distributions) once `module` imports, else why not.
fn installed_versions(python: &Path, module: &str, packages: &[&str], scratch: &Path) -> Result<Vec<String>, String> {
    let probe = format!(
        "import importlib.metadata, {module}\nfor p in {packages:?}: print(importlib.metadata.version(p))"
    );
    let mut cmd = Command::new(python);
    cmd.args(["-c", &probe]);
    run_checked(&mut cmd, CHECK_LIMIT, scratch).map(|done| done.stdout.lines().map(|l| l.trim().to_string()).collect())
}

/// Makes sure `opts.venv_dir` holds a venv where the pinned packages of `opts.solver` import,
/// creating the venv and installing only those packages when needed; returns the venv's python.
/// `announce` hears what is about to happen before each slow step (creating the venv,
/// downloading the packages), so that the user knows why nothing else happens meanwhile.
///
/// A solver with a [`ReferenceSolver::large_download`] (PyTorch) is installed only when
/// `install_large` is set (`aocbench setup --reference`); otherwise its absence is reported with
/// that command as the fix.
///
/// A venv that already has the pinned versions is used as it is (one import check, well under a
/// second for SCIP). Setting one up happens under an exclusive lock on `<venv>/.aocbench.lock` inside it,
/// so many processes pointed at one venv (the tasks of a cluster job array on a shared file
/// system) do not install into it at once: one sets it up, the others wait and then use it.
pub fn ensure_environment(opts: &ReferenceOptions, install_large: bool, announce: &mut dyn FnMut(&str)) -> Result<PathBuf, ReferenceUnavailable> {
    let packages = opts.solver.python_packages();
    let requirements: Vec<&str> = packages.iter().map(|p| pinned(p)).collect();
    let versions: Vec<&str> = requirements.iter().map(|r| r.split_once("==").expect("pins have the form name==version").1).collect();
    let python = venv_python(&opts.venv_dir);
    let quoted: Vec<String> = requirements.iter().map(|r| format!("'{r}'")).collect();
    let unavailable = |missing: String| ReferenceUnavailable {
        solver: opts.solver,
        missing,
        fix: match opts.solver.large_download() {
            Some(size) => format!("aocbench setup --reference {} ({size})", opts.solver),
            None => format!("{SYSTEM_PYTHON} -m venv {} && {} -m pip install {}", opts.venv_dir.display(), python.display(), quoted.join(" ")),
        },
    };
    let scratch = ScratchDir::new("aocbench-venv").map_err(|e| unavailable(format!("no scratch directory: {e}")))?;
    let module = opts.solver.import_module();
    let ready = |python: &Path| python.exists() && installed_versions(python, module, packages, scratch.path()).is_ok_and(|v| v == versions);
    if ready(&python) {
        return Ok(python);
    }
    if let Some(size) = opts.solver.large_download().filter(|_| !install_large) {
        return Err(unavailable(format!("{} is not installed in {}; it needs {size}, so it is installed only when asked", requirements[0], opts.venv_dir.display())));
    }

    let _lock = lock_inside(&opts.venv_dir).map_err(|e| unavailable(format!("could not lock the venv {} for setting it up: {e}", opts.venv_dir.display())))?;
    // Whoever held the lock before may have set it up meanwhile.
    if ready(&python) {
        return Ok(python);
    }
    let size = opts.solver.large_download().map_or("about 10 s on a fast link".to_string(), str::to_string);
    if !python.exists() {
        announce(&format!(
            "first use of {}: creating a Python venv in {} and installing {} from PyPI (once; {size})",
            opts.solver,
            opts.venv_dir.display(),
            requirements.join(" ")
        ));
        let mut cmd = Command::new(SYSTEM_PYTHON);
        cmd.args(["-m", "venv"]).arg(&opts.venv_dir);
        run_checked(&mut cmd, SETUP_LIMIT, scratch.path())
            .map_err(|e| unavailable(format!("could not create the venv {}: {e}", opts.venv_dir.display())))?;
    } else {
        announce(&format!("installing {} into {} from PyPI (once; {size})", requirements.join(" "), opts.venv_dir.display()));
    }
    let mut pip = Command::new(&python);
    pip.args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet"]).args(&requirements);
    run_checked(&mut pip, SETUP_LIMIT, scratch.path())
        .map_err(|e| unavailable(format!("pip could not install {}: {e}", requirements.join(" "))))?;
    match installed_versions(&python, module, packages, scratch.path()) {
        Ok(v) if v == versions => Ok(python),
        Ok(v) => Err(unavailable(format!("{packages:?} {v:?} are installed where {versions:?} were asked for"))),
        Err(e) => Err(unavailable(format!("{module} does not import after installing {}: {e}", requirements.join(" ")))),
    }
}

/// Waits for an exclusive lock on `<dir>/.aocbench.lock`, creating `dir` first (`python -m
/// venv` fills an existing folder), so the lock exists before the venv and leaves nothing
/// beside it; held until the file is dropped. The lock is `flock`: on a network file system it
/// holds across nodes where the mount supports it (NFSv4 does; Lustre needs the `flock` mount
/// option).
fn lock_inside(dir: &Path) -> std::io::Result<std::fs::File> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(".aocbench.lock");
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
    fs4::FileExt::lock(&file)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_solver_is_pinned_exactly() {
        use clap::ValueEnum;
        for solver in ReferenceSolver::value_variants() {
            for package in solver.python_packages() {
                let pin = pinned(package);
                let (name, version) = pin.split_once("==").unwrap();
                assert_eq!(name, *package);
                assert!(!version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.'), "{pin}");
            }
        }
    }

    #[test]
    fn a_second_process_waits_for_the_venv_lock() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;

        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join("shared").join("venv");
        let first = lock_inside(&venv).unwrap();
        assert!(venv.join(".aocbench.lock").exists());
        assert_eq!(std::fs::read_dir(dir.path().join("shared")).unwrap().count(), 1, "nothing beside the venv");
        let released = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (venv, released) = (venv.clone(), Arc::clone(&released));
            // flock conflicts between two opens of the file, even within one process.
            std::thread::spawn(move || {
                let _second = lock_inside(&venv).unwrap();
                released.load(Ordering::SeqCst)
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        released.store(true, Ordering::SeqCst);
        drop(first);
        assert!(waiter.join().unwrap(), "the second lock was granted while the first was held");
    }
}

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

/// What a venv holds of a solver's packages: each one's installed version (None: absent), and
/// whether the solver's module imports (else why not).
struct Installed {
    versions: Vec<Option<String>>,
    import: Result<(), String>,
}

/// Reads [`Installed`] with one Python process (importlib.metadata, then the import).
fn installed(python: &Path, module: &str, packages: &[&str], scratch: &Path) -> Result<Installed, String> {
    let probe = format!(
        "import importlib.metadata\n\
         for p in {packages:?}:\n    \
             try: print(importlib.metadata.version(p))\n    \
             except importlib.metadata.PackageNotFoundError: print()\n\
         try: import {module}\n\
         except Exception as e: print('import failed:', repr(e))\n\
         else: print('import ok')"
    );
    let mut cmd = Command::new(python);
    cmd.args(["-c", &probe]);
    let done = run_checked(&mut cmd, CHECK_LIMIT, scratch)?;
    let mut lines: Vec<&str> = done.stdout.lines().map(str::trim).collect();
    let import = match lines.pop() {
        Some("import ok") => Ok(()),
        Some(failed) if failed.starts_with("import failed:") && lines.len() == packages.len() => Err(failed.to_string()),
        _ => return Err(format!("unexpected answer from {}: {:?}", python.display(), done.stdout)),
    };
    let versions = lines.iter().map(|v| (!v.is_empty()).then(|| v.to_string())).collect();
    Ok(Installed { versions, import })
}

/// A venv ready for a solver: its interpreter, and the machine's own build of a package where
/// its version is not the pinned one ([`ReferenceSolver::machine_package`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyEnvironment {
    pub python: PathBuf,
    pub unpinned: Option<UnpinnedPackage>,
}

/// A package used at the version the machine has, not the pinned one.
#[derive(Debug, Clone, PartialEq)]
pub struct UnpinnedPackage {
    pub package: &'static str,
    pub installed: String,
    pub pinned: &'static str,
}

/// Makes sure `opts.venv_dir` holds a venv where the pinned packages of `opts.solver` import,
/// creating the venv and installing only the packages that are missing or at another version;
/// returns the venv's python. `announce` hears what is about to happen before each slow step
/// (creating the venv, downloading the packages), so that the user knows why nothing else
/// happens meanwhile.
///
/// A solver's [`ReferenceSolver::machine_package`] (PyTorch, whose build must fit the machine's
/// CUDA driver) is taken at whatever version the venv already has (a venv made with
/// `--system-site-packages` sees the machine's); it is installed at its pin only when absent,
/// and, being a [`ReferenceSolver::large_download`], only when `install_large` is set
/// (`aocbench setup --reference`); otherwise its absence is reported with that command as the
/// fix. The results name the version a run used.
///
/// A venv that already has the packages is used as it is (one import check, well under a
/// second for SCIP). Setting one up happens under an exclusive lock on `<venv>/.aocbench.lock` inside it,
/// so many processes pointed at one venv (the tasks of a cluster job array on a shared file
/// system) do not install into it at once: one sets it up, the others wait and then use it.
pub fn ensure_environment(opts: &ReferenceOptions, install_large: bool, announce: &mut dyn FnMut(&str)) -> Result<ReadyEnvironment, ReferenceUnavailable> {
    let packages = opts.solver.python_packages();
    let requirements: Vec<&'static str> = packages.iter().map(|p| pinned(p)).collect();
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
    let machine_package = opts.solver.machine_package();
    // The requirements a venv still lacks (absent, or another version than the pin), and the
    // machine package where it is at another version.
    let lacking = |installed: &Installed| -> (Vec<&'static str>, Option<UnpinnedPackage>) {
        let mut lacking = Vec::new();
        let mut unpinned = None;
        for ((&package, &requirement), (have, want)) in packages.iter().zip(&requirements).zip(installed.versions.iter().zip(&versions)) {
            match have {
                Some(have) if have == want => {}
                Some(have) if Some(package) == machine_package => {
                    unpinned = Some(UnpinnedPackage { package, installed: have.clone(), pinned: requirement.split_once("==").map_or(requirement, |(_, v)| v) })
                }
                _ => lacking.push(requirement),
            }
        }
        (lacking, unpinned)
    };
    // The venv at `python` ready, or the requirements it still lacks: all of them where there
    // is no venv yet or it cannot answer. One Python process (it imports the solver).
    let assess = |python: &Path| -> Result<ReadyEnvironment, Vec<&'static str>> {
        let Some(Ok(installed)) = python.exists().then(|| installed(python, module, packages, scratch.path())) else {
            return Err(requirements.clone());
        };
        let (lacking, unpinned) = lacking(&installed);
        if lacking.is_empty() && installed.import.is_ok() { Ok(ReadyEnvironment { python: python.to_path_buf(), unpinned }) } else { Err(lacking) }
    };
    let wanted = match assess(&python) {
        Ok(environment) => return Ok(environment),
        Err(wanted) => wanted,
    };
    let large_missing = machine_package.is_some_and(|large| wanted.iter().any(|r| r.split_once("==").is_some_and(|(name, _)| name == large)));
    if let Some(size) = opts.solver.large_download().filter(|_| !install_large && large_missing) {
        return Err(unavailable(format!("{} is not installed in {}; it needs {size}, so it is installed only when asked", requirements[0], opts.venv_dir.display())));
    }

    let _lock = lock_inside(&opts.venv_dir).map_err(|e| unavailable(format!("could not lock the venv {} for setting it up: {e}", opts.venv_dir.display())))?;
    // Whoever held the lock before may have set it up meanwhile.
    let wanted = match assess(&python) {
        Ok(environment) => return Ok(environment),
        Err(wanted) => wanted,
    };
    let size = opts.solver.large_download().map_or("about 10 s on a fast link".to_string(), str::to_string);
    let created = !python.exists();
    if created {
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
    }
    if !wanted.is_empty() {
        if !created {
            announce(&format!("installing {} into {} from PyPI (once; {size})", wanted.join(" "), opts.venv_dir.display()));
        }
        let mut pip = Command::new(&python);
        pip.args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet"]).args(&wanted);
        run_checked(&mut pip, SETUP_LIMIT, scratch.path()).map_err(|e| unavailable(format!("pip could not install {}: {e}", wanted.join(" "))))?;
    }
    match installed(&python, module, packages, scratch.path()) {
        Err(e) => Err(unavailable(format!("{} cannot be asked what it holds after installing {}: {e}", python.display(), wanted.join(" ")))),
        Ok(installed) => match (lacking(&installed), installed.import) {
            ((lacking, unpinned), Ok(())) if lacking.is_empty() => Ok(ReadyEnvironment { python, unpinned }),
            ((lacking, _), Ok(())) => Err(unavailable(format!("{} are still not installed after installing {}", lacking.join(" "), wanted.join(" ")))),
            (_, Err(e)) => Err(unavailable(format!("{module} does not import after installing {}: {e}", wanted.join(" ")))),
        },
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

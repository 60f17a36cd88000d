//! The venv the SCIP tests use: the main job's (`$AOCBENCH_VENV`, else the checkout's `.venv`)
//! when it already holds the pinned PySCIPOpt, so that a test run does not install SCIP a second
//! time; else one under the target dir, built on first use and shared by every test binary.
//! The main job's venv is only read: a test never installs into it.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn scip_venv() -> PathBuf {
    let main_job = std::env::var_os("AOCBENCH_VENV").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"));
    if has_pinned_scip(&main_job) { main_job } else { Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference-venv") }
}

fn has_pinned_scip(venv: &Path) -> bool {
    let pin = include_str!("../../scripts/requirements-reference.txt").lines().find_map(|line| line.trim().strip_prefix("pyscipopt==")).expect("pyscipopt is pinned");
    let probe = "import importlib.metadata, pyscipopt; print(importlib.metadata.version('pyscipopt'))";
    Command::new(venv.join("bin").join("python")).args(["-c", probe]).output().is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == pin)
}

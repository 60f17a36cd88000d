//! Ctrl-C during a reference solve: the solver process is stopped, its scratch folder removed,
//! and aocbench exits with 130 — nothing is left in the temporary directory — saying what it
//! kept and how to continue.

mod reference_venv;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Entries of `dir` whose name starts with `aocbench-`.
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with("aocbench-")).collect()
}

#[test]
fn ctrl_c_during_the_reference_leaves_no_scratch_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let scratch_root = tmp.path().join("tmp");
    fs::create_dir(&scratch_root).unwrap();
    // QPLIB_0067 (shipped) keeps SCIP busy for far longer than the test waits.
    let mut child = Command::new(env!("CARGO_BIN_EXE_aocbench"))
        .args(["bench", "QPLIB_0067", "--work", "20000", "--engine", "cpu", "--reference", "scip", "--ref-time-limit", "120"])
        .arg("--out")
        .arg(&out)
        .env("TMPDIR", &scratch_root)
        // The venv the other SCIP tests use, so SCIP is installed at most once.
        .env("AOCBENCH_VENV", reference_venv::scip_venv())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");

    // Wait until SCIP runs: its scratch folder exists and holds the LP file and the script.
    let started = Instant::now();
    while !leftovers(&scratch_root).iter().any(|n| n.starts_with("aocbench-reference-")) {
        assert!(started.elapsed() < Duration::from_secs(300), "the reference never started");
        assert!(child.try_wait().unwrap().is_none(), "aocbench ended before the reference started");
        sleep(Duration::from_millis(50));
    }
    sleep(Duration::from_secs(2));

    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let stopped = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(stopped.elapsed() < Duration::from_secs(20), "aocbench did not stop after Ctrl-C");
        sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(130), "{exit:?}");
    assert_eq!(leftovers(&scratch_root), Vec::<String>::new(), "scratch folders left behind");
    // It says what it kept and how to go on.
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let flat = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    let said = format!("interrupted: every instance finished so far is kept in {} (results.csv, results.json); `aocbench bench --resume {}`", out.display(), out.display());
    assert!(flat.contains(&said), "{stderr}");
}

//! What the tests of sharded, resumed and merged runs share: three tiny generated instances,
//! `bench` over them under a work budget, and the binary run with its output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::qplib_common::{catalog_csv, generate, Kind};
use tempfile::TempDir;

/// Solves the tiny instances in well under a second.
pub const WORK: &str = "200000";

/// Three small QBL instances, the last without a best-known objective (its target is AOC-DT's
/// best over the repeats, so its repeats are one unit group).
pub struct Fixture {
    pub dir: TempDir,
    pub qplib: PathBuf,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let qplib = dir.path().join("qplib");
    fs::create_dir_all(qplib.join("qbl")).unwrap();
    let small = |name: &str, from: u64| (from..).map(|seed| generate(name, Kind::Qbl, seed)).find(|g| g.entry.n_vars <= 12).unwrap();
    let mut generated = [small("TINY_A", 0), small("TINY_B", 50), small("TINY_C", 100)];
    for g in &generated {
        fs::write(qplib.join("qbl").join(format!("{}.qplib", g.entry.name)), &g.text).unwrap();
    }
    // Any value serves as a best-known here: only whether there is one matters.
    generated[0].entry.best_known_objective = Some(0.0);
    generated[1].entry.best_known_objective = Some(0.0);
    let entries: Vec<_> = generated.iter().map(|g| &g.entry).collect();
    fs::write(qplib.join("catalog.csv"), catalog_csv(&entries)).unwrap();
    Fixture { dir, qplib }
}

impl Fixture {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `bench` over the set with 2 repeats, no reference, the fixed budget and `extra`.
    pub fn bench(&self, extra: &[&str]) -> Output {
        let mut args = vec!["--qplib-dir", self.qplib.to_str().unwrap(), "bench", "--set", "qbl", "--work", WORK, "--repeats", "2"];
        args.extend(["--threads", "1", "--engine", "cpu", "--reference", "none"]);
        args.extend(extra);
        aocbench(&args)
    }

    pub fn bench_ok(&self, extra: &[&str]) -> Output {
        let output = self.bench(extra);
        assert!(output.status.success(), "bench {extra:?} failed:\n{}", stderr(&output));
        output
    }
}

pub fn aocbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench"))
        .args(args)
        // `--shard slurm` must not see a Slurm job the tests happen to run in.
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .expect("aocbench runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn merge(dirs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(extra);
    aocbench(&args)
}

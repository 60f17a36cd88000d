//! QOBLIB instances through the command line, as on a fresh clone (no `$AOCBENCH_QOBLIB_DIR`,
//! run from an empty folder): the shipped smoke files are found by QOBLIB's names, solved end
//! to end with the catalog's targets, and benchmarked as a class.

use std::path::Path;
use std::process::{Command, Output};

const SMOKE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/qoblib/smoke");

fn aocbench(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).current_dir(cwd).env_remove("AOCBENCH_QOBLIB_DIR").env_remove("AOCBENCH_QPLIB_DIR").output().expect("the binary runs")
}

fn stdout_of(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The value after `label` on its line of `solve`'s report.
fn reported<'a>(report: &'a str, label: &str) -> &'a str {
    let line = report.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label} in\n{report}"));
    line[label.len()..].split_whitespace().next().unwrap()
}

/// The text of `file` in the output folder of `bench SELECTION` (AOC-DT alone, a small work
/// budget, seed 1), run in an empty folder, and bench's standard error.
fn bench(selection: &[&str], file: &str) -> (String, String) {
    let cwd = tempfile::tempdir().unwrap();
    let out = cwd.path().join("run");
    let options = ["--reference", "none", "--work", "200000", "--seed", "1", "--engine", "cpu", "--threads", "1", "--out", out.to_str().unwrap()];
    let args: Vec<&str> = ["bench"].iter().chain(selection).chain(&options).copied().collect();
    let output = aocbench(cwd.path(), &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (std::fs::read_to_string(out.join(file)).unwrap(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn solve_reads_a_shipped_qs_xz_file_end_to_end_with_the_catalog_target() {
    let cwd = tempfile::tempdir().unwrap();
    let file = format!("{SMOKE}/02-labs/models/quadratic_unconstrained/qs_files/labs005.qs.xz");
    for instance in [file.as_str(), "labs005"] {
        let report = stdout_of(&aocbench(cwd.path(), &["solve", instance, "--work", "2000000", "--seed", "1", "--engine", "cpu", "--threads", "1"]));
        // The LABS optimum of n = 5 (catalog, proven) is reached.
        assert_eq!(reported(&report, "best known"), "2", "{report}");
        assert_eq!(reported(&report, "best objective"), "2", "{report}");
    }
    // A maximisation: the independent set's size, not the stored energy.
    let report = stdout_of(&aocbench(cwd.path(), &["solve", "C125-9", "--work", "2000000", "--seed", "1", "--engine", "cpu", "--threads", "1"]));
    assert_eq!(reported(&report, "best known"), "34", "{report}");
    let best: f64 = reported(&report, "best objective").parse().unwrap();
    assert!((1.0..=34.0).contains(&best), "{report}");
}

#[test]
fn info_describes_a_qs_file_with_its_offset_and_sense() {
    let cwd = tempfile::tempdir().unwrap();
    let out = stdout_of(&aocbench(cwd.path(), &["info", "C125-9", "ms_03_050_002"]));
    assert!(out.contains("C125-9: n 125, nnz 912 (upper triangle of Q), density 0.1007, |Q_ij| 1 to 1, ObjectiveOffset 0, sense max (the ZIMPL model in the comments, line 7; objective = −energy)"), "{out}");
    assert!(out.contains("ms_03_050_002: n 20, nnz 210"), "{out}");
    assert!(out.contains("ObjectiveOffset 202539, sense min"), "{out}");
}

#[test]
fn bench_runs_a_qoblib_class_on_the_shipped_smoke_files() {
    let (results, stderr) = bench(&["--set", "labs"], "results.csv");
    // Said, not silent: the class is the shipped subset here, and how to point at a checkout.
    assert!(stderr.contains("warning: --set labs: no QOBLIB checkout is configured, so the run uses the 3 smoke files shipped with aocbench") && stderr.contains("--qoblib-dir"), "{stderr}");
    let names: Vec<&str> = results.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    for name in ["labs002", "labs005", "labs010"] {
        assert!(names.contains(&name), "{name} not in\n{results}");
    }
    assert!(!names.iter().any(|n| n.starts_with("ms_") || *n == "C125-9"), "{results}");
}

#[test]
fn a_wrong_qoblib_folder_is_an_error_not_a_fallback() {
    let cwd = tempfile::tempdir().unwrap();
    let missing = cwd.path().join("nowhere");
    let output = aocbench(cwd.path(), &["--qoblib-dir", missing.to_str().unwrap(), "info", "labs005"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no QOBLIB folder found") && stderr.contains("(--qoblib-dir): does not exist"), "{stderr}");
    let output = Command::new(env!("CARGO_BIN_EXE_aocbench")).args(["bench", "--set", "independentset", "--reference", "none"]).current_dir(cwd.path()).env("AOCBENCH_QOBLIB_DIR", &missing).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("($AOCBENCH_QOBLIB_DIR): does not exist"));
    // A QOBLIB folder chosen explicitly that does not hold a name still lets it be a QPLIB
    // instance (a run may mix both libraries).
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("qoblib/smoke");
    let field_cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/field-cases");
    let output = aocbench(cwd.path(), &["--qoblib-dir", shipped.to_str().unwrap(), "--qplib-dir", field_cases.to_str().unwrap(), "info", "fc-01-galahad-layout"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // A file named as a catalogued instance but with other couplings does not take its target.
    let edited = cwd.path().join("labs005.qs");
    std::fs::write(&edited, "15 1\n1 1 -24\n").unwrap();
    let output = aocbench(cwd.path(), &["solve", edited.to_str().unwrap(), "--work", "1000"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("does not describe") && stderr.contains("n_nonzeros_quadratic"), "{stderr}");
    // A name in neither library says where it looked.
    let output = aocbench(cwd.path(), &["info", "labs999"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("QOBLIB instance labs999 not found") && stderr.contains("and not in QPLIB either"), "{stderr}");
}

#[test]
fn one_run_mixes_qplib_and_qoblib_instances_each_with_its_catalog_target() {
    let (table, _) = bench(&["QPLIB_3714", "labs005"], "comparison.csv");
    let target = |name: &str| -> String {
        let row = table.lines().find(|l| l.starts_with(&format!("{name},"))).unwrap_or_else(|| panic!("no {name} in\n{table}"));
        row.split(',').take(3).collect::<Vec<_>>().join(",")
    };
    assert_eq!(target("QPLIB_3714"), "QPLIB_3714,1183,best_known");
    assert_eq!(target("labs005"), "labs005,2,best_known");
}

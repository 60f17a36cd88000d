//! The binary as a user runs it: info, export, solve (text, JSON, saved solution) and errors.

use std::process::Command;

use aocbench::model::{feasibility, objective};
use aocbench::qplib::parse_instance;

/// A 6-variable QBL with a ranged row and a ≤ row (committed as .txt: instance files
/// themselves are never committed).
const TINY: &str = include_str!("data/tiny_qbl.qplib.txt");

fn tiny_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("TINY_QBL.qplib");
    std::fs::write(&path, TINY).unwrap();
    (dir, path)
}

fn aocbench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).output().expect("the binary runs")
}

fn brute_force_optimum() -> f64 {
    aocbench::model::random::brute_force_optimum(&parse_instance("tiny", TINY.as_bytes()).unwrap()).expect("the tiny instance is feasible")
}

#[test]
fn info_reports_sizes_and_qumo_size() {
    let (_dir, path) = tiny_file();
    let out = aocbench(&["info", path.to_str().unwrap(), "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "name,type_code,n_vars,n_binary,n_constraints,q_density,sense,best_known,qumo_vars,qumo_slacks,equality_rows,j_density,product,note");
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&row[..5], ["TINY_QBL", "QBL", "6", "6", "2"]);
    assert_eq!((row[6], row[8], row[9], row[10]), ("min", "8", "2", "0"), "two inequality rows, two slacks, no equality");
}

#[test]
fn solve_reports_the_exact_optimum_as_json_and_saves_it() {
    let (dir, path) = tiny_file();
    let solution = dir.path().join("best.sol");
    let out = aocbench(&["solve", path.to_str().unwrap(), "--work", "300000", "--seed", "4", "--json", "--save-solution", solution.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let optimum = brute_force_optimum();
    assert_eq!(report["metrics"]["best_objective"].as_f64().unwrap(), optimum);
    assert_eq!(report["metrics"]["feasible"], true);
    assert_eq!(report["metrics"]["target_kind"], "own_best", "no catalog entry: target is the run's best");
    assert!(report["metrics"]["success_probability"].as_f64().unwrap() > 0.0);
    assert_eq!(report["sweep"]["phases"].as_array().unwrap().len(), 3);
    let saved = std::fs::read_to_string(&solution).unwrap();
    let x: Vec<f64> = saved.lines().filter(|l| !l.starts_with('#')).map(|l| l.split_once(' ').unwrap().1.parse().unwrap()).collect();
    let instance = parse_instance("tiny", TINY.as_bytes()).unwrap();
    assert_eq!(objective(&instance, &x), optimum);
    assert!(feasibility(&instance, &x).feasible);
}

#[test]
fn solve_prints_the_promised_fields() {
    let (_dir, path) = tiny_file();
    let out = aocbench(&["solve", path.to_str().unwrap(), "--work", "200000", "--best-known", &brute_force_optimum().to_string(), "--polish"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for field in ["best objective", "best known", "time to own best", "time to best known", "TTS99", "mvm to target", "winning parameters", "lambda", "polished"] {
        assert!(text.contains(field), "missing {field:?} in\n{text}");
    }
    assert!(text.contains("(feasible"), "{text}");
    assert!(text.contains("relative gap 0.0000%"), "{text}");
}

#[test]
fn export_writes_an_lp_file() {
    let (dir, path) = tiny_file();
    let lp = dir.path().join("tiny.lp");
    let out = aocbench(&["export", path.to_str().unwrap(), "--to", "lp", "-o", lp.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(lp).unwrap();
    assert!(text.contains("Minimize") && text.contains("] / 2") && text.contains("Binar"), "{text}");
}

#[test]
fn bad_input_gives_a_clear_error_and_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.qplib");
    let out = aocbench(&["solve", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.qplib: no such instance file"));

    let broken = dir.path().join("broken.qplib");
    std::fs::write(&broken, TINY.replace("3 2 6.0", "3 9 6.0")).unwrap();
    let out = aocbench(&["solve", broken.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("broken.qplib:8:"), "names file and line: {stderr}");

    let out = aocbench(&["solve", missing.to_str().unwrap(), "--time-limit", "1", "--work", "5"]);
    assert!(!out.status.success(), "conflicting budgets are rejected");
}

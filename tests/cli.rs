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
    for field in ["best objective", "best known", "time to own best", "time to best known", "TTS99", "mvm to target", "winning parameters", "lambda", "AOC-DT + polish"] {
        assert!(text.contains(field), "missing {field:?} in\n{text}");
    }
    assert!(text.contains("(feasible"), "{text}");
    assert!(text.contains("(primal gap 0 %, relative gap 0.0000%)"), "{text}");
}

#[test]
fn solve_with_polish_saves_both_points_and_reports_the_polished_one_in_json() {
    let (dir, path) = tiny_file();
    let solution = dir.path().join("tiny.sol");
    let out = aocbench(&["solve", path.to_str().unwrap(), "--work", "200000", "--json", "--polish", "--save-solution", solution.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let polished = &report["polished"];
    assert!(polished["feasible"].as_bool().unwrap() && polished["polish"]["calls"].as_u64().unwrap() > 0, "{polished}");
    assert!(polished.get("tts99_s").is_none(), "no sample statistics for the polished track: {polished}");
    let aocdt = std::fs::read_to_string(&solution).unwrap();
    let both = std::fs::read_to_string(dir.path().join("tiny.sol.polished")).unwrap();
    assert!(aocdt.contains("# solver AOC-DT\n") && both.contains("# solver AOC-DT + polish\n"), "{aocdt}\n{both}");
    let instance = parse_instance("tiny", TINY.as_bytes()).unwrap();
    let x: Vec<f64> = both.lines().filter(|l| !l.starts_with('#')).map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap()).collect();
    assert!(feasibility(&instance, &x).feasible);
    assert_eq!(Some(objective(&instance, &x)), polished["best_objective"].as_f64(), "the saved point is the reported one");
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

/// The binary run from a folder with nothing beside it (no `qplib/`, no
/// `$AOCBENCH_QPLIB_DIR`), as on a fresh clone: the smoke instances and the catalog that ship
/// with the project are found, with their best-known objectives.
#[test]
fn a_fresh_checkout_finds_the_shipped_instances_and_best_knowns() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("elsewhere");
    std::fs::create_dir(&cwd).unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).current_dir(&cwd).env_remove("AOCBENCH_QPLIB_DIR").output().expect("the binary runs");

    let out = run(&["info", "QPLIB_0067", "QPLIB_5881", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let best_known = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {text}")).split(',').nth(7).unwrap().to_string();
    assert_eq!((best_known("QPLIB_0067"), best_known("QPLIB_5881")), ("-110942.0".to_string(), "13067.0".to_string()));

    // One constraint, said in the singular.
    let out = run(&["solve", "QPLIB_0067", "--work", "30000", "--engine", "cpu"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("80 variables, 80 binaries, 1 constraint;") && text.contains("best known            -110942"), "{text}");

    let results = dir.path().join("bench");
    let out = run(&["bench", "QPLIB_5881", "--work", "30000", "--reference", "none", "--engine", "cpu", "--out", results.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = aocbench::export::csv::read_results(&results.join("results.csv")).unwrap();
    assert_eq!((rows[0].best_known, rows[0].target_source), (Some(13067.0), Some(aocbench::results::TargetSource::BestKnown)));

    // A downloaded folder without a catalog of its own gets the best-knowns of the shipped one.
    let downloaded = dir.path().join("downloaded");
    std::fs::create_dir_all(downloaded.join("qbn")).unwrap();
    std::fs::copy(aocbench::qplib::shipped_dir().join("QPLIB_5881.qplib"), downloaded.join("qbn/QPLIB_5881.qplib")).unwrap();
    let out = run(&["--qplib-dir", downloaded.to_str().unwrap(), "info", "--set", "qbn", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8(out.stdout).unwrap().contains(",13067.0,"), "best-known from the shipped catalog");

    // The full sets do not ship: the error says how to get them.
    let out = run(&["info", "--set", "qbl"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("scripts/download_qplib.sh"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn help_of_bench_is_plain_and_true() {
    let out = aocbench(&["help", "bench"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(!help.contains("[`"), "no rustdoc links in help:\n{help}");
    assert!(help.contains("SCIP, sa and tabu solve on one thread"), "{help}");
    assert!(!help.contains("same thread count"), "{help}");
    let time_limit = help.split("--time-limit").nth(1).expect("--time-limit documented");
    assert!(time_limit.split("--").next().unwrap().contains("[default: 10]"), "{help}");
}

/// Mesa's Vulkan drivers make libwayland complain about XDG_RUNTIME_DIR whenever wgpu starts;
/// aocbench keeps that away from the user (seen wherever a Vulkan driver is installed, as
/// scripts/test.sh does).
#[test]
fn no_display_noise_without_xdg_runtime_dir() {
    let (_dir, path) = tiny_file();
    let out = Command::new(env!("CARGO_BIN_EXE_aocbench"))
        .args(["solve", path.to_str().unwrap(), "--work", "20000"])
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{stderr}");
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A refusal: non-zero exit, an `error:` line naming `phrase`, and no panic.
fn assert_refused(out: &std::process::Output, phrase: &str) {
    let stderr = stderr_of(out);
    assert!(!out.status.success(), "must fail: {stderr}");
    assert!(stderr.contains(phrase) && !stderr.contains("panicked"), "{phrase:?} not in: {stderr}");
}

#[test]
fn a_problem_name_longer_than_65535_characters_is_printed_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let name = "N".repeat(70_000);
    let path = dir.path().join("long.qplib");
    std::fs::write(&path, TINY.replacen("TINY_QBL", &name, 1)).unwrap();
    let out = aocbench(&["info", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{name}  QBL")));
}

#[test]
fn time_limits_and_timeouts_beyond_a_year_are_refused_cleanly() {
    let (_dir, path) = tiny_file();
    let tiny = path.to_str().unwrap();
    assert_refused(&aocbench(&["solve", tiny, "--time-limit", "1e300"]), "the time limit must be a positive number of seconds up to 31536000 (a year), got 1e300");
    assert_refused(&aocbench(&["bench", tiny, "--ref-time-limit", "1e300", "--engine", "cpu"]), "--ref-time-limit must be a positive number of seconds");
    let out = Command::new(env!("CARGO_BIN_EXE_aocbench")).args(["solve", tiny, "--engine", "gpu", "--work", "1000"]).env("AOCBENCH_GPU_TIMEOUT_S", "1e20").output().unwrap();
    assert_refused(&out, "AOCBENCH_GPU_TIMEOUT_S=\"1e20\" must be a positive number of seconds");
}

#[test]
fn a_wrong_instance_folder_is_an_error_even_when_instances_are_files() {
    let (dir, path) = tiny_file();
    let tiny = path.to_str().unwrap();
    let missing = dir.path().join("no-such-folder");
    for command in [&["solve", tiny, "--work", "1000"][..], &["info", tiny]] {
        let out = aocbench(&[&["--qplib-dir", missing.to_str().unwrap()][..], command].concat());
        assert_refused(&out, "no QPLIB instance folder found");
        let out = Command::new(env!("CARGO_BIN_EXE_aocbench")).args(command).env("AOCBENCH_QPLIB_DIR", &missing).output().unwrap();
        assert_refused(&out, "$AOCBENCH_QPLIB_DIR): does not exist");
    }
}

#[test]
fn the_gpu_engine_refuses_f64() {
    let (_dir, path) = tiny_file();
    assert_refused(&aocbench(&["solve", path.to_str().unwrap(), "--engine", "gpu", "--precision", "f64"]), "the GPU engine runs f32 only");
}

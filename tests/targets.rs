//! Targets for one's own instances: `bench --best-known` and `--catalog`, the catalog rows
//! `info --catalog-rows` writes, and what a run without a known target says.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A 6-variable QBL (header name TINY_QBL) whose optimum is 0.5 (tests/cli.rs brute-forces it).
const TINY: &str = include_str!("data/tiny_qbl.qplib.txt");

fn tiny_file(dir: &Path) -> PathBuf {
    let path = dir.join("mine.qplib");
    std::fs::write(&path, TINY).unwrap();
    path
}

fn aocbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).output().expect("the binary runs")
}

/// A short deterministic bench of `instances` into `out`, AOC-DT alone, with `extra` options.
fn bench(out: &Path, instances: &[&Path], extra: &[&str]) -> Output {
    let mut args: Vec<&str> = vec!["bench"];
    args.extend(instances.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--reference", "none", "--work", "20000", "--threads", "1", "--seed", "1", "--out", out.to_str().unwrap()]);
    args.extend(extra);
    aocbench(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The (target, target_source) of the one instance in comparison.csv.
fn target(out: &Path) -> (String, String) {
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()].to_string();
    (cell("target"), cell("target_source"))
}

#[test]
fn without_a_target_the_console_and_the_report_say_reached_means_aocdts_own_best() {
    let dir = tempfile::tempdir().unwrap();
    let file = tiny_file(dir.path());
    let out = dir.path().join("run");
    let run = bench(&out, &[&file], &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    // Before the run, not only in the closing notes.
    let warned = stderr.find("warning: no best-known objective for TINY_QBL").expect(&stderr);
    let finished = stderr.find("TINY_QBL: AOC-DT").expect(&stderr);
    assert!(warned < finished, "the warning comes before the result: {stderr}");
    assert!(stderr.contains("--best-known VALUE") && stderr.contains("--catalog FILE"), "names the remedy: {stderr}");
    assert_eq!(target(&out).1, "aocdt_best");
    // comparison.md says so in its first lines, above every table.
    let markdown = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    let head: String = markdown.lines().take(4).collect::<Vec<_>>().join("\n");
    assert!(head.contains("no best-known objective for TINY_QBL") && head.contains("AOC-DT's own best"), "{head}");
}

#[test]
fn best_known_sets_the_target_of_ones_own_instance() {
    let dir = tempfile::tempdir().unwrap();
    let file = tiny_file(dir.path());
    let out = dir.path().join("run");
    let run = bench(&out, &[&file], &["--best-known", "-5"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(!text(&run.stderr).contains("no best-known objective"), "{}", text(&run.stderr));
    assert_eq!(target(&out), ("-5".to_string(), "best_known".to_string()));
    // An unreachable target is not reached: the report no longer measures AOC-DT against itself.
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(csv.contains(",0/1,"), "{csv}");
}

#[test]
fn best_known_is_refused_when_not_finite_or_for_several_instances() {
    let dir = tempfile::tempdir().unwrap();
    let file = tiny_file(dir.path());
    let out = dir.path().join("run");
    for value in ["nan", "inf", "1e400"] {
        let run = bench(&out, &[&file], &["--best-known", value]);
        assert!(!run.status.success(), "--best-known {value} accepted");
        assert!(text(&run.stderr).contains("finite"), "--best-known {value}: {}", text(&run.stderr));
    }
    let other = dir.path().join("other.qplib");
    std::fs::write(&other, TINY.replacen("TINY_QBL", "OTHER", 1)).unwrap();
    let run = bench(&out, &[&file, &other], &["--best-known", "1"]);
    assert!(!run.status.success());
    assert!(text(&run.stderr).contains("--best-known gives the target of one instance, and this run has 2"), "{}", text(&run.stderr));
    assert!(!out.exists(), "nothing ran");
}

#[test]
fn a_catalog_file_gives_targets_and_names_rows_that_match_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = tiny_file(dir.path());
    // The rows info writes for one's own files, with the value filled in.
    let rows = aocbench(&["info", file.to_str().unwrap(), "--catalog-rows"]);
    assert!(rows.status.success(), "{}", text(&rows.stderr));
    let rows = text(&rows.stdout);
    assert!(rows.lines().nth(1).unwrap().starts_with("TINY_QBL,QBL,QBL,6,6,2,"), "{rows}");
    assert!(rows.trim_end().ends_with(",min,,unknown"), "no value and no proof claimed: {rows}");
    let catalog = dir.path().join("mine.csv");
    let filled = rows.replace(",min,,unknown", ",min,0.5,yes");
    std::fs::write(&catalog, format!("{filled}OTHER,QBL,QBL,6,6,2,5,1,2,9,min,1,no\n")).unwrap();

    let out = dir.path().join("run");
    let run = bench(&out, &[&file], &["--catalog", catalog.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(target(&out), ("0.5".to_string(), "best_known".to_string()));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("mine.csv: 1 row(s) name no instance of this run and give no target: OTHER"), "{stderr}");

    // A catalog none of whose rows names an instance is a mistake, not a run without targets.
    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, filled.replace("TINY_QBL", "TINY")).unwrap();
    let run = bench(&dir.path().join("run2"), &[&file], &["--catalog", wrong.to_str().unwrap()]);
    assert!(!run.status.success());
    assert!(text(&run.stderr).contains("wrong.csv: none of its 1 row(s) names an instance of this run (TINY_QBL)"), "{}", text(&run.stderr));

    // Malformed and missing files are errors naming the file.
    let malformed = dir.path().join("malformed.csv");
    std::fs::write(&malformed, "name,best_known_objective\nTINY_QBL,0.5\n").unwrap();
    let run = bench(&dir.path().join("run3"), &[&file], &["--catalog", malformed.to_str().unwrap()]);
    assert!(text(&run.stderr).contains("malformed.csv:1: not a catalog: the header lacks the column(s) class"), "{}", text(&run.stderr));
    let run = bench(&dir.path().join("run4"), &[&file], &["--catalog", dir.path().join("absent.csv").to_str().unwrap()]);
    assert!(!run.status.success() && text(&run.stderr).contains("absent.csv"), "{}", text(&run.stderr));
}

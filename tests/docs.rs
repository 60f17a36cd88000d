//! What the README promises a newcomer, checked against the binary: its length, the column
//! names it quotes (against a fresh run's files and the committed example it quotes), the
//! instance lookup it describes, and the completions and man page it tells users to install.

use std::path::Path;
use std::process::{Command, Output};

const README: &str = include_str!("../README.md");

fn aocbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).output().expect("the binary runs")
}

fn header(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().next().unwrap().split(',').map(str::to_string).collect()
}

/// The README's "Outputs" section.
fn outputs_section() -> &'static str {
    let start = README.find("\n## Outputs\n").expect("README has an Outputs section");
    let rest = &README[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

/// The header of the per-instance table the README quotes from comparison.md: its markdown
/// table line that starts with `instance` and names `target_source`.
fn quoted_comparison_columns() -> Vec<&'static str> {
    let line = outputs_section().lines().find(|l| l.starts_with("| instance |") && l.contains("target_source")).expect("the README quotes the comparison table");
    line.trim_matches('|').split('|').map(str::trim).collect()
}

/// Names in backticks in the Outputs section that look like columns: snake_case, not a unit
/// suffix (`_s`) nor a file name (`gap_over_time.svg`).
fn quoted_column_names() -> Vec<&'static str> {
    let file_name = |t: &str| t.rsplit_once('.').is_some_and(|(_, ext)| ext.chars().all(|c| c.is_ascii_alphabetic()));
    let snake = |t: &str| t.contains('_') && !t.starts_with('_') && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
    outputs_section().split('`').skip(1).step_by(2).filter(|t| snake(t) && !file_name(t)).collect()
}

#[test]
fn the_readme_is_short() {
    let lines = README.lines().count();
    assert!(lines < 400, "README.md has {lines} lines; details belong in docs/");
}

#[test]
fn the_readme_names_no_folder_of_a_development_setup() {
    for text in [README, &String::from_utf8_lossy(&aocbench(&["--help"]).stdout)] {
        assert!(!text.contains("../shared"), "{text}");
    }
}

/// A fresh run's comparison.csv and results.csv carry every column the README quotes; the
/// committed example the README quotes has the same header as the README. A reference's
/// columns are checked through AOC-DT's (one code makes both); the time ratio through the
/// name comparison.md explains.
#[test]
fn the_columns_the_readme_quotes_exist_in_a_fresh_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny_qbl.qplib.txt");
    let run = aocbench(&["bench", tiny.to_str().unwrap(), "--reference", "none", "--work", "20000", "--threads", "1", "--best-known", "0.5", "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let comparison = header(&out.join("comparison.csv"));
    let results = header(&out.join("results.csv"));
    let markdown = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    let known = |column: &str| -> bool {
        let as_aocdt = column.strip_prefix("scip_").map(|rest| format!("aocdt_{rest}"));
        comparison.iter().chain(&results).any(|c| c == column || Some(c) == as_aocdt.as_ref())
            || (column == "time_ratio_scip_over_aocdt" && markdown.contains("`time_ratio_<reference>_over_aocdt`"))
    };
    let quoted = quoted_comparison_columns();
    let committed = header(&Path::new(env!("CARGO_MANIFEST_DIR")).join("results/smoke-example/comparison.csv"));
    assert_eq!(quoted, committed, "the README quotes results/smoke-example/comparison.csv: run scripts/examples.sh and quote it again");
    let names = quoted_column_names();
    assert!(names.len() >= 5, "the Outputs section names its columns: {names:?}");
    for column in quoted.iter().chain(&names) {
        assert!(known(column), "the README quotes column {column}, which a fresh run does not write: {comparison:?} {results:?}");
    }
}

#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = aocbench(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains("aocbench") && script.contains("best-known"), "{shell}: {script}");
    }
    let man = aocbench(&["man"]);
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH aocbench 1") && page.contains("bench"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    assert!(aocbench(&["man", "--dir", pages.to_str().unwrap()]).status.success());
    for page in ["aocbench.1", "aocbench-bench.1", "aocbench-solve.1", "aocbench-compare.1"] {
        let text = std::fs::read_to_string(pages.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
    assert!(!pages.join("aocbench-help.1").exists(), "no page for clap's help pseudo-command");
    let bench = std::fs::read_to_string(pages.join("aocbench-bench.1")).unwrap();
    assert!(bench.contains("best\\-known") && bench.contains("catalog"), "the bench page documents its options");
}

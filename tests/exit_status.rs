//! One exit-status rule for every command: 2 for a usage or input error found before any work
//! (clap's own usage errors included), 1 once the work started and did not end as asked, 0 when
//! done. Every command of `aocbench` has its case here, so a new command without one fails.

use std::path::Path;
use std::process::{Command, Output};

use clap::CommandFactory;

fn aocbench(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).current_dir(dir).env_remove("AOCBENCH_QPLIB_DIR").env_remove("AOCBENCH_QOBLIB_DIR").output().unwrap()
}

/// Exit status 2, an error on standard error that contains `named`, and nothing on standard output.
fn assert_input_error(args: &[&str], dir: &Path, named: &str) {
    let output = aocbench(args, dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "aocbench {}: {stderr}", args.join(" "));
    assert!(stderr.contains("error") && stderr.contains(named), "aocbench {}: {named:?} not in {stderr}", args.join(" "));
    assert!(output.stdout.is_empty(), "aocbench {}: {}", args.join(" "), String::from_utf8_lossy(&output.stdout));
}

#[test]
fn every_command_exits_2_on_an_input_error_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a-file"), "not a folder\n").unwrap();
    let (missing_dir, out) = (root.join("no-such-folder"), root.join("merged"));
    let (missing_dir, out) = (missing_dir.to_str().unwrap(), out.to_str().unwrap());
    let in_a_file = root.join("a-file/pages");
    let missing = "NO_SUCH_INSTANCE";
    // (command, arguments, what the error names)
    let cases: [(&str, Vec<&str>, &str); 11] = [
        ("info", vec!["info", missing], missing),
        ("export", vec!["export", missing, "--to", "lp"], missing),
        ("solve", vec!["solve", missing, "--work", "1000"], missing),
        ("bench", vec!["bench", missing, "--reference", "none", "--work", "1000"], missing),
        ("merge", vec!["merge", missing_dir, "--out", out], missing_dir),
        ("setup", vec!["setup", "--reference", "cplex"], "cplex"),
        ("compare", vec!["compare", missing_dir, missing_dir], missing_dir),
        ("devices", vec!["devices", "--format", "xml"], "xml"),
        ("perf", vec!["perf", "--sizes", "--instances", missing], missing),
        ("completions", vec!["completions", "tcsh"], "tcsh"),
        ("man", vec!["man", "--dir", in_a_file.to_str().unwrap()], "a-file"),
    ];
    let mut commands: Vec<String> = aocbench::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    let mut tested: Vec<String> = cases.iter().map(|(command, _, _)| command.to_string()).collect();
    commands.sort();
    tested.sort();
    assert_eq!(tested, commands, "every command has its input-error case");
    for (_, args, named) in &cases {
        assert_input_error(args, root, named);
    }
}

#[test]
fn a_malformed_instance_or_option_value_is_an_input_error_in_every_command_that_reads_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A name line, then a type code that is none.
    std::fs::write(root.join("bad.qplib"), "BAD\nXYZ\n").unwrap();
    let bad = "bad.qplib:2";
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/qplib/smoke/QPLIB_0067.qplib");
    let empty = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/field-cases/fz-01-zero-variables.qplib");
    let cases: [(Vec<&str>, &str); 9] = [
        (vec!["info", "bad.qplib"], bad),
        (vec!["export", "bad.qplib", "--to", "lp"], bad),
        (vec!["solve", "bad.qplib", "--work", "1000"], bad),
        (vec!["bench", "bad.qplib", "--reference", "none", "--work", "1000"], bad),
        (vec!["perf", "--sizes", "--instances", "bad.qplib"], bad),
        // An instance that reads but has no QUMO form.
        (vec!["perf", "--sizes", "--instances", empty, "--engine", "cpu"], "fz-01-zero-variables.qplib: EMPTY: nothing to solve"),
        // Values clap takes and aocbench refuses before any work.
        (vec!["solve", shipped, "--phase1-fraction", "2"], "phase"),
        (vec!["export", shipped, "--to", "lp", "-o", "/proc/aocbench.lp"], "/proc/aocbench.lp"),
        (vec!["solve", shipped, "--work", "1000", "--hardware", "ideal", "--calibration", "a.yaml"], "--calibration"),
    ];
    for (args, named) in &cases {
        assert_input_error(args, root, named);
    }
}

#[test]
fn the_rule_is_in_the_top_level_help() {
    let output = aocbench(&["--help"], Path::new(env!("CARGO_MANIFEST_DIR")));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("Exit status, every command: 0 done as asked; 1 the work started but did not end as asked") && help.contains("2 a usage or input error before any work") && help.contains("130 stopped by Ctrl-C"), "{help}");
}

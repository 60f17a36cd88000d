//! What a user reads, through the binary: bench's console summary fits a 120-column terminal,
//! solve writes each quantity in one format, a GPU engine on a software adapter is named, and
//! bench and merge exit 0, 1 or 2 by the rule of `compare` (docs/gate-and-merge-checks.md).

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;
#[allow(dead_code)]
mod bench_common;

use std::path::PathBuf;
use std::process::Output;

use bench_common::{aocbench, fixture, merge, stderr};

/// A 6-variable QBL without a catalog entry (so bench notes that its target fell back).
const TINY: &str = include_str!("data/tiny_qbl.qplib.txt");

fn smoke_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("qplib").join("smoke")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `text` with every run of whitespace one space: warnings are wrapped to the console width.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True for a count as people read it: digits in groups of three after the first, joined by
/// commas (`12,800`, `999`).
fn grouped(value: &str) -> bool {
    let groups: Vec<&str> = value.split(',').collect();
    groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3) && groups.iter().all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()))
}

/// `text` without ANSI escape sequences (`ESC [ … letter`).
fn without_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn bench_console_output_fits_120_columns() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("TINY_QBL.qplib");
    std::fs::write(&tiny, TINY).unwrap();
    let out = dir.path().join("run");
    let smoke = smoke_dir();
    let args = ["--qplib-dir", smoke.to_str().unwrap(), "bench", "QPLIB_3714", "QPLIB_10042", tiny.to_str().unwrap()];
    let output = aocbench(&[&args[..], &["--reference", "none", "--work", "200000", "--polish", "--engine", "cpu", "--out", out.to_str().unwrap()]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = without_ansi(&stdout(&output));
    for line in text.lines() {
        assert!(line.chars().count() <= 120, "{} columns: {line}\nin\n{text}", line.chars().count());
    }
    // The long notes are there, wrapped: the fallen-back target and the polished rows.
    assert!(text.contains("note: no best-known objective for TINY_QBL") && text.contains("note: the AOC-DT + polish rows"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("      ") && !l.trim().is_empty()), "a wrapped note continues indented:\n{text}");
    // Every solver row, every header with its unit.
    assert!(text.lines().any(|l| l.starts_with("QPLIB_3714") && l.contains("AOC-DT + polish")), "{text}");
    assert!(text.contains("time to target (s)") && text.contains("primal gap (%)") && text.contains("SGM time to gap (s)"), "{text}");
}

/// The numbers of `text` that are in exponent notation (`1.898e-4`, `3.577e0`).
fn exponent_numbers(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "(),;[]".contains(c))
        .filter(|t| t.contains(['e', 'E']) && t.starts_with(|c: char| c.is_ascii_digit() || c == '-') && t.parse::<f64>().is_ok())
        .map(String::from)
        .collect()
}

#[test]
fn solve_writes_each_quantity_in_one_format() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("TINY_QBL.qplib");
    std::fs::write(&tiny, TINY).unwrap();
    let output = aocbench(&["solve", tiny.to_str().unwrap(), "--work", "200000", "--best-known=-1000", "--polish", "--engine", "cpu"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // Violations alone are in exponent notation (they span decades around the tolerance).
    let without_violations: String = text.lines().map(|l| l.split("max violation").next().unwrap()).collect::<Vec<_>>().join("\n");
    assert_eq!(exponent_numbers(&without_violations), Vec::<String>::new(), "{text}");
    // Its progress on standard error too.
    let progress = stderr(&output);
    assert_eq!(exponent_numbers(&progress.lines().map(|l| l.split("violation").next().unwrap()).collect::<Vec<_>>().join("\n")), Vec::<String>::new(), "{progress}");
    // (value, unit) pairs of words within a line.
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    // The phase table's header names its columns, no values.
    for line in text.lines().filter(|l| !l.contains("configs")) {
        let words: Vec<&str> = line.split(|c: char| c.is_whitespace() || "(),;[]".contains(c)).filter(|w| !w.is_empty()).collect();
        pairs.extend(words.windows(2).map(|w| (w[0], w[1])));
    }
    let mut seconds = 0;
    let mut counts = 0;
    for &(value, unit) in &pairs {
        if unit == "s" {
            seconds += 1;
            assert!(value == "inf" || value.parse::<f64>().is_ok_and(f64::is_finite) && !value.contains('e'), "seconds as {value:?} in\n{text}");
            // At most 4 significant digits: strip sign, point and leading zeros.
            let digits = value.trim_start_matches('-').replace('.', "").trim_start_matches('0').len();
            assert!(digits <= 4 || !value.contains('.'), "{value} s has more than 4 significant digits in\n{text}");
        }
        if unit == "mvm" {
            counts += 1;
            assert!(grouped(value), "a count as {value:?} in\n{text}");
        }
    }
    assert!(seconds >= 5 && counts >= 2, "{seconds} times and {counts} counts in\n{text}");
    let expected_mvm = text.lines().find(|l| l.starts_with("mvm to target (99%)")).expect("the line is printed");
    let value = expected_mvm.trim_start_matches("mvm to target (99%)").trim();
    assert!(value == "inf" || value.replace(',', "").parse::<u64>().is_ok(), "an expected count is a whole number: {value}");
}

#[test]
fn gpu_engine_on_a_software_adapter_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("TINY_QBL.qplib");
    std::fs::write(&tiny, TINY).unwrap();
    let output = aocbench(&["solve", tiny.to_str().unwrap(), "--work", "20000", "--engine", "gpu", "--json"]);
    assert!(output.status.success(), "the GPU engine runs on lavapipe (scripts/install_lavapipe.sh): {}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let device = report["sweep"]["engine"]["device"].as_str().unwrap().to_string();
    // This machine's adapter is a CPU in software: Mesa's lavapipe reports itself as llvmpipe.
    assert!(device.contains("llvmpipe") && device.contains("Cpu"), "{device}");
    let line = format!("warning: the GPU engine runs on {device}, a CPU emulating a GPU in software");
    assert!(one_line(&stderr(&output)).contains(&line), "{line} not in:\n{}", stderr(&output));
    assert!(report["warnings"].as_array().unwrap().iter().any(|w| w["kind"] == "software_adapter"), "{}", report["warnings"]);
}

#[test]
fn bench_exits_2_on_input_errors_1_when_not_as_asked_and_0_otherwise() {
    let fx = fixture();
    let ok = fx.path("ok");
    let output = fx.bench(&["--out", ok.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Input errors before anything ran: a bad option, an unknown instance, a refused folder.
    let qplib = fx.qplib.to_str().unwrap();
    for (what, output) in [
        ("bad option", fx.bench(&["--repeats", "0"])),
        ("missing instance", aocbench(&["--qplib-dir", qplib, "bench", "NO_SUCH_INSTANCE", "--reference", "none", "--out", fx.path("never").to_str().unwrap()])),
        ("non-empty output folder", fx.bench(&["--out", ok.to_str().unwrap()])),
    ] {
        assert_eq!(output.status.code(), Some(2), "{what}: {}", stderr(&output));
        assert!(stderr(&output).contains("error"), "{what}: {}", stderr(&output));
    }
    // A reference that cannot be set up (bSB's PyTorch is installed only when asked): the
    // bench runs without it, writes its files, and says it is not the run asked for.
    let venv = tempfile::tempdir().unwrap();
    let without = fx.path("without-bsb");
    let mut args = vec!["--qplib-dir", qplib, "bench", "--set", "qbl", "--work", bench_common::WORK, "--engine", "cpu", "--reference", "bsb"];
    args.extend(["--ref-time-limit", "1", "--out", without.to_str().unwrap()]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aocbench")).args(&args).env("AOCBENCH_VENV", venv.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("error: bench finished, but not as asked (exit status 1): bSB unavailable"), "{}", stderr(&output));
    assert!(without.join("comparison.md").exists(), "the files are written all the same");
}

#[test]
fn merge_exits_2_when_it_cannot_merge_1_when_partial_and_0_when_whole() {
    let fx = fixture();
    let (one, two) = (fx.path("one"), fx.path("two"));
    fx.bench_ok(&["--shard", "1/2", "--out", one.to_str().unwrap()]);
    fx.bench_ok(&["--shard", "2/2", "--out", two.to_str().unwrap()]);
    let code = |output: Output| (output.status.code(), stderr(&output));
    let (status, message) = code(merge(&[&one, &fx.path("missing")], &fx.path("never"), &[]));
    assert_eq!(status, Some(2), "a missing folder: {message}");
    let (status, message) = code(merge(&[&one], &fx.path("never"), &[]));
    assert_eq!(status, Some(2), "units missing without --allow-partial: {message}");
    assert!(!fx.path("never").exists(), "nothing is written");
    let (status, message) = code(merge(&[&one], &fx.path("partial"), &["--allow-partial"]));
    assert_eq!(status, Some(1), "{message}");
    assert!(message.contains("error: merge finished, but not as asked (exit status 1)") && message.contains("of the plan missing"), "{message}");
    let (status, message) = code(merge(&[&one, &two], &fx.path("whole"), &[]));
    assert_eq!(status, Some(0), "{message}");
}

#[test]
fn compare_marks_the_objective_of_an_infeasible_point() {
    let fx = fixture();
    let base = fx.path("base");
    fx.bench_ok(&["--out", base.to_str().unwrap()]);
    // The current run: the same rows, the first one's point now infeasible (no results.json
    // beside it, so the row is judged as it is).
    let current = fx.path("current");
    std::fs::create_dir_all(&current).unwrap();
    let mut reader = csv::Reader::from_path(base.join("results.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let feasible = header.iter().position(|h| h == "feasible").unwrap();
    let objective = header.iter().position(|h| h == "best_objective").unwrap();
    let mut writer = csv::Writer::from_path(current.join("results.csv")).unwrap();
    writer.write_record(&header).unwrap();
    let mut marked = None;
    for (i, record) in reader.records().enumerate() {
        let mut cells: Vec<String> = record.unwrap().iter().map(String::from).collect();
        if i == 0 {
            assert_eq!(cells[feasible], "true");
            cells[feasible] = "false".into();
            // What only a feasible point has.
            for column in ["reached_best_known", "time_to_best_known_s"] {
                let at = header.iter().position(|h| h == column).unwrap();
                cells[at] = if column == "reached_best_known" { "false".into() } else { String::new() };
            }
            marked = Some(cells[objective].clone());
        }
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
    let output = aocbench(&["compare", base.to_str().unwrap(), current.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "lost feasibility is a regression: {}{}", stdout(&output), stderr(&output));
    let objective: f64 = marked.unwrap().parse().unwrap();
    let shown = aocbench::table::number(Some(objective));
    assert!(stdout(&output).contains(&format!("{shown} → {shown} (infeasible)")), "{}", stdout(&output));
}

/// A time limit that the setup and one replica already exceed: the warning comes before the
/// work (before phase 1 ends in solve, before the instance's results in bench), once, wrapped
/// to 120 columns with a hanging indent, and the run's recorded warnings keep it.
#[test]
fn a_time_limit_that_cannot_hold_is_said_before_the_work_wrapped_and_kept() {
    let smoke = smoke_dir();
    let qplib = ["--qplib-dir", smoke.to_str().unwrap()];
    let output = aocbench(&[&qplib[..], &["solve", "QPLIB_3714", "--time-limit", "0.000001", "--engine", "cpu", "--json"]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    let warned = lines.iter().position(|l| l.starts_with("warning: QPLIB_3714: the time limit of")).unwrap_or_else(|| panic!("no warning in:\n{err}"));
    let phase_done = lines.iter().position(|l| l.starts_with("phase 1: done")).unwrap_or_else(|| panic!("no phase 1 in:\n{err}"));
    assert!(warned < phase_done, "said after the work:\n{err}");
    assert_eq!(one_line(&err).matches("cannot hold").count(), 1, "said once:\n{err}");
    // Wrapped: the warning's lines fit 120 columns, the later ones indented under its text.
    let indent = " ".repeat("warning: ".len());
    let continued = lines[warned + 1..].iter().take_while(|l| l.starts_with(&indent)).count();
    assert!(continued >= 1, "a warning this long is wrapped:\n{err}");
    for line in &lines[warned..=warned + continued] {
        assert!(line.chars().count() <= 120, "{} columns: {line}", line.chars().count());
    }
    assert!(lines[warned + 1..=warned + continued].iter().all(|l| !l[indent.len()..].starts_with(' ')), "a hanging indent of {} columns:\n{err}", indent.len());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["warnings"].as_array().unwrap().iter().any(|w| w["kind"] == "time_limit_cannot_hold"), "{}", report["warnings"]);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let args = [&qplib[..], &["bench", "QPLIB_3714", "--reference", "none", "--time-limit", "0.000001", "--engine", "cpu", "--out", out.to_str().unwrap()]].concat();
    let output = aocbench(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    let warned = err.find("warning: QPLIB_3714: the time limit of").unwrap_or_else(|| panic!("no warning in:\n{err}"));
    let finished = err.find("QPLIB_3714: AOC-DT").unwrap_or_else(|| panic!("no result line in:\n{err}"));
    assert!(warned < finished, "said after the instance's work:\n{err}");
    assert_eq!(one_line(&err).matches("cannot hold").count(), 1, "said once:\n{err}");
}

/// Counts that people read carry thousands separators: the run's work budget in comparison.md,
/// replica-iterations in compare's table.
#[test]
fn counts_are_written_with_thousands_separators() {
    let fx = fixture();
    let base = fx.path("base");
    fx.bench_ok(&["--out", base.to_str().unwrap()]);
    let report = std::fs::read_to_string(base.join("comparison.md")).unwrap();
    assert!(report.contains("work budget 200,000 replica-iterations per solve"), "{report}");
    let output = aocbench(&["compare", base.to_str().unwrap(), base.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let header = text.lines().find(|l| l.starts_with("instance")).unwrap_or_else(|| panic!("{text}"));
    let column = header.split_whitespace().position(|c| c == "mvm_to_target").unwrap();
    let counts: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("instance")).skip(1).take_while(|l| l.starts_with("TINY")).filter_map(|l| l.split_whitespace().nth(column)).filter(|c| *c != "-").collect();
    // A hit needs at least the first batch, 128 replicas × 100 iterations.
    assert!(!counts.is_empty() && counts.iter().all(|c| grouped(c) && c.contains(',')), "{counts:?} in\n{text}");
}

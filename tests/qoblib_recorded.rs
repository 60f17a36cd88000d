//! QOBLIB's recorded submissions as `bench` reads them: every summary and series of the checkout
//! in `$AOCBENCH_QOBLIB_DIR` (or, unset, the small checkout in tests/data/qoblib-recorded) parses,
//! and every series normalised to the model's objective ends at its summary's best.

use std::path::{Path, PathBuf};

use aocbench::instances::read_instance;
use aocbench::model::Sense;
use aocbench::qoblib::QoblibClass;
use aocbench::reference::recorded::{read_series, RecordedOutcome, RecordedSubmission, SubmissionSummary, STATUS_RECORDED, STATUS_UNJUDGED};

/// The environment variable naming a QOBLIB checkout.
const QOBLIB_DIR_ENV: &str = "AOCBENCH_QOBLIB_DIR";

/// The QOBLIB checkout under test; a `$AOCBENCH_QOBLIB_DIR` that names no checkout fails.
fn checkout() -> PathBuf {
    match std::env::var_os(QOBLIB_DIR_ENV) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(dir.join("07-independentset/submissions").is_dir(), "${QOBLIB_DIR_ENV}={} holds no QOBLIB checkout (no 07-independentset/submissions)", dir.display());
            dir
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qoblib-recorded"),
    }
}

/// Every instance folder of every submission that has a summary, with its class folder.
fn submission_folders(root: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for class in ["01-marketsplit", "02-labs", "07-independentset"] {
        for submission in std::fs::read_dir(root.join(class).join("submissions")).unwrap() {
            let Ok(instances) = std::fs::read_dir(submission.unwrap().path()) else { continue };
            for dir in instances.map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
                let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                if dir.join(format!("{name}_summary.csv")).is_file() {
                    found.push((class.to_string(), dir));
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_summary_and_series_parses() {
    let root = checkout();
    let folders = submission_folders(&root);
    let (mut summaries, mut series) = (0, 0);
    for (_, dir) in &folders {
        let name = dir.file_name().unwrap().to_string_lossy();
        let summary = SubmissionSummary::read(&dir.join(format!("{name}_summary.csv"))).unwrap();
        assert_eq!(summary.get("Problem"), name, "{}", dir.display());
        summaries += 1;
        let path = dir.join(format!("{name}_objective_time_series.json.gz"));
        if path.exists() {
            assert!(!read_series(&path).unwrap().is_empty(), "{}: an empty series", path.display());
            series += 1;
        }
    }
    // Abs2's market-split submissions have no series; every other submission has one.
    let abs2_market_split = folders.iter().filter(|(class, dir)| class == "01-marketsplit" && dir.to_string_lossy().contains("_Abs2_")).count();
    assert!(summaries >= 6, "only {summaries} submissions under {}", root.display());
    assert_eq!(series, summaries - abs2_market_split);
}

/// The `.qs` model of the instance whose submission folder is `dir`, in checkout `root`.
fn model_of(root: &Path, class: &str, dir: &Path) -> aocbench::model::Instance {
    let name = dir.file_name().unwrap().to_string_lossy();
    let class = QoblibClass::ALL.into_iter().find(|c| c.folder().starts_with(class)).unwrap();
    read_instance(&root.join(class.folder()).join(format!("{name}.qs.xz"))).unwrap()
}

/// Every submission, read for its `.qs` model: the series normalised to the model's objective
/// ends at the summary's best (read refuses otherwise), and the judge confirms every solution.
#[test]
fn every_submission_normalises_to_its_summary_and_the_judge_agrees() {
    let root = checkout();
    let mut by_status = std::collections::BTreeMap::<(String, String), usize>::new();
    let mut maximised_energies = 0;
    for (class, dir) in submission_folders(&root) {
        let instance = model_of(&root, &class, &dir);
        let submission = RecordedSubmission::read(&dir, instance.sense, instance.n_vars()).unwrap_or_else(|e| panic!("{e:#}"));
        if let (Some(last), Some(best)) = (submission.series.last(), submission.claimed_best) {
            assert_eq!(last.objective, best, "{}", dir.display());
            if submission.summary.solves_qubo() && instance.sense == Sense::Maximize {
                maximised_energies += 1;
            }
        }
        let outcome = RecordedOutcome::of(&submission, &instance);
        assert!([STATUS_RECORDED, STATUS_UNJUDGED].contains(&outcome.status.as_str()), "{}: {:?}", dir.display(), outcome.note);
        assert!(outcome.feasible, "{}", dir.display());
        *by_status.entry((class, outcome.status)).or_default() += 1;
    }
    // Abs2's independent-set series are energies (C125-9: −30, −31, …) of a maximised model.
    assert!(maximised_energies >= 1);
    // Every class has judged solutions: market split and LABS from Abs2, independent set from both.
    for class in ["01-marketsplit", "02-labs", "07-independentset"] {
        assert!(by_status.get(&(class.to_string(), STATUS_RECORDED.to_string())).is_some_and(|&n| n >= 1), "{class}: {by_status:?}");
    }
    eprintln!("{by_status:?}");
}

fn aocbench(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).output().expect("the binary runs");
    assert!(out.status.success(), "aocbench {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// `bench` on two small QOBLIB instances with their recorded submissions (the default: the
/// instances' own checkout), resumed as complete, then `export --qoblib` of its folder read back
/// as QOBLIB reads a submission.
#[test]
fn bench_with_recorded_rows_and_the_export_round_trip() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qoblib-recorded");
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let (fixture_s, run_s) = (fixture.to_str().unwrap(), run.to_str().unwrap());
    let bench = ["--qoblib-dir", fixture_s, "bench", "C125-9", "labs005", "--reference", "none", "--time-limit", "1", "--seed", "3"];
    let out = aocbench(&[&bench[..], &["--out", run_s]].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("runs from QOBLIB submissions on other machines (Abs2 (recorded): Four NVIDIA A40 48 GB"), "{stdout}");

    let mut csv = csv::Reader::from_path(run.join("results.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let column = |record: &csv::StringRecord, name: &str| record.get(header.iter().position(|h| h == name).unwrap()).unwrap().to_string();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let recorded: Vec<(String, String, String, String)> = rows
        .iter()
        .filter(|r| column(r, "solver").ends_with("_recorded"))
        .map(|r| (column(r, "instance"), column(r, "solver"), column(r, "best_objective"), column(r, "status")))
        .collect();
    let expected = [("C125-9", "abs2_recorded", "34.0"), ("C125-9", "gurobi_recorded", "34.0"), ("labs005", "abs2_recorded", "2.0"), ("labs005", "gurobi_recorded", "2.0")];
    assert_eq!(recorded.len(), 4, "{recorded:?}");
    for (instance, solver, best) in expected {
        assert!(recorded.iter().any(|r| r.0 == instance && r.1 == solver && r.2 == best), "{instance} {solver} {best}: {recorded:?}");
    }
    // Judged where a solution maps onto the variables; Gurobi's LABS run left no solution.
    assert!(recorded.iter().filter(|r| r.3 == "recorded").count() == 3 && recorded.iter().any(|r| r.1 == "gurobi_recorded" && r.3 == "unjudged"), "{recorded:?}");
    let comparison = std::fs::read_to_string(run.join("comparison.md")).unwrap();
    assert!(comparison.contains("## Recorded runs, at equal elapsed time"));
    // No time ratio or primal integral with another machine's run: no column that could only
    // hold "-", and no time-to-match row (here no reference ran, so no such table at all).
    let comparison_csv = std::fs::read_to_string(run.join("comparison.csv")).unwrap();
    let columns: Vec<&str> = comparison_csv.lines().next().unwrap().split(',').collect();
    for solver in ["abs2_recorded", "gurobi_recorded"] {
        assert!(columns.contains(&format!("{solver}_best").as_str()), "{columns:?}");
        for placeholder in [format!("time_ratio_{solver}_over_aocdt"), format!("{solver}_primal_integral_s")] {
            assert!(!columns.contains(&placeholder.as_str()), "{placeholder} in {columns:?}");
        }
    }
    assert!(!comparison.contains("## AOC-DT against each reference"), "{comparison}");
    // Every table that shows a "-" says what it means, in comparison.md and on the console.
    let tables = markdown_tables(&comparison);
    assert!(tables.len() >= 4, "{comparison}");
    for (header, rows, legend) in &tables {
        if rows.iter().flatten().any(|cell| cell == "-") {
            assert!(legend.contains("`-` marks no value"), "the table {header:?} shows \"-\" but its legend does not say what it means: {legend}");
        }
    }
    assert!(tables.iter().any(|(_, rows, _)| rows.iter().flatten().any(|cell| cell == "-")), "{comparison}");
    assert!(stdout.contains("dashes: \"-\" is no value"), "{stdout}");

    // The folder with recorded rows resumes as complete.
    let resumed = aocbench(&[&bench[..], &["--resume", run_s]].concat());
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("2 units complete, 0 to run"), "{}", String::from_utf8_lossy(&resumed.stderr));

    let export = tmp.path().join("submission");
    aocbench(&["export", "--qoblib", run_s, "--output", export.to_str().unwrap(), "--submitter", "A. Tester"]);
    // A second export into the same folder is refused unless asked for.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_aocbench")).args(["export", "--qoblib", run_s, "--output", export.to_str().unwrap()]).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already holds files"), "{}", String::from_utf8_lossy(&again.stderr));
    aocbench(&["export", "--qoblib", run_s, "--output", export.to_str().unwrap(), "--submitter", "A. Tester", "--force"]);
    for (name, class) in [("C125-9", "07-independentset"), ("labs005", "02-labs")] {
        let dir = export.join(name);
        let summary = SubmissionSummary::read(&dir.join(format!("{name}_summary.csv"))).unwrap();
        let real = std::fs::read_to_string(fixture.join(class).join("submissions").join(if class == "02-labs" { "20250221_Abs2_Schicker" } else { "20250715_Abs2_Schicker" }).join(name).join(format!("{name}_summary.csv"))).unwrap();
        let exported = std::fs::read_to_string(dir.join(format!("{name}_summary.csv"))).unwrap();
        assert_eq!(exported.lines().next(), real.lines().next(), "the header row");
        let best = summary.best_objective().unwrap().unwrap();
        let instance = model_of(&fixture, class, &dir);
        // The series: energies, improving within each run, ending at the summary's best.
        let series = read_series(&dir.join(format!("{name}_objective_time_series.json.gz"))).unwrap();
        assert!(series.windows(2).all(|w| w[1].time_s >= w[0].time_s));
        let found = aocbench::reference::recorded::normalise(&series, &summary, instance.sense).unwrap();
        assert_eq!(found.last().unwrap().objective, best);
        let zipped = std::fs::read(dir.join(format!("{name}_objective_time_series.json.gz"))).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut text).unwrap();
        let lists: Vec<Vec<serde_json::Value>> = serde_json::from_str(&text).unwrap();
        for list in &lists {
            let energies: Vec<f64> = list.iter().map(|e| e["Incumbent"].as_f64().unwrap()).collect();
            assert!(energies.windows(2).all(|w| w[1] < w[0]), "{name}: not improving: {energies:?}");
            assert!(list.iter().all(|e| e["step"].as_u64().is_some()));
        }
        // The solution, judged by the one judge, gives the reported best.
        let x = aocbench::reference::recorded::read_solution(&dir.join(format!("{name}_solution.sol")), instance.n_vars()).unwrap();
        assert!(aocbench::model::feasibility(&instance, &x).feasible);
        assert_eq!(aocbench::model::objective(&instance, &x), best);
        if class == "02-labs" {
            // Line for line the structure of QOBLIB's LABS solutions (here Abs2's), header included.
            let exported = std::fs::read_to_string(dir.join(format!("{name}_solution.sol"))).unwrap();
            let real = std::fs::read_to_string(fixture.join(class).join("submissions/20250221_Abs2_Schicker").join(name).join(format!("{name}_solution.sol"))).unwrap();
            assert_eq!(solution_structure(&exported), solution_structure(&real), "{exported}");
            let spins: Vec<&str> = exported.lines().filter(|l| !l.starts_with('#')).collect();
            let runs: String = spins.chunk_by(|a, b| a == b).map(|run| run.len().to_string()).collect();
            assert!(exported.lines().any(|l| l == format!("# Consecutive entries: {runs}")), "{exported}");
        }
    }

    // The folder with its results.json archived (gzipped) exports the same files.
    let json = std::fs::read(run.join("results.json")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &json).unwrap();
    std::fs::write(run.join("results.json.gz"), gz.finish().unwrap()).unwrap();
    std::fs::remove_file(run.join("results.json")).unwrap();
    let from_archive = tmp.path().join("submission-from-archive");
    aocbench(&["export", "--qoblib", run_s, "--output", from_archive.to_str().unwrap(), "--submitter", "A. Tester"]);
    for name in ["C125-9", "labs005"] {
        for entry in std::fs::read_dir(export.join(name)).unwrap() {
            let file = entry.unwrap().file_name();
            assert_eq!(std::fs::read(export.join(name).join(&file)).unwrap(), std::fs::read(from_archive.join(name).join(&file)).unwrap(), "{name}/{file:?} differs");
        }
    }
}

/// A solution file line by line: a comment line as its key (`# Energy`), any other line as
/// `value`.
fn solution_structure(text: &str) -> Vec<String> {
    text.lines().map(|line| if line.starts_with('#') { line.split(':').next().unwrap().to_string() } else { "value".to_string() }).collect()
}

/// The tables of a markdown report, each as its header, its rows (cells unescaped) and the
/// paragraph after it (its legend).
fn markdown_tables(text: &str) -> Vec<(Vec<String>, Vec<Vec<String>>, String)> {
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.replace("\\|", "\u{0}").split('|').map(|c| c.trim().replace('\u{0}', "|")).collect()
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        if lines[i].starts_with('|') && lines[i + 1].starts_with("| ---") {
            let header = cells(lines[i]);
            let mut end = i + 2;
            while end < lines.len() && lines[end].starts_with('|') {
                end += 1;
            }
            let rows = lines[i + 2..end].iter().map(|l| cells(l)).collect();
            let legend = lines[end..].iter().find(|l| !l.trim().is_empty()).map_or(String::new(), |l| l.to_string());
            tables.push((header, rows, legend));
            i = end;
        } else {
            i += 1;
        }
    }
    tables
}

/// Copies the folder `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() { copy_tree(&path, &target) } else { std::fs::copy(&path, &target).map(drop).unwrap() }
    }
}

/// Recorded runs are no speed-ups: they are left out of profile.svg, of the mean times of the
/// aggregate and time-to-gap tables and of the primal integral; a submission of a solver
/// aocbench does not read is skipped with a warning; `--recorded` that is no checkout fails.
#[test]
fn recorded_runs_stay_out_of_time_comparisons_and_unknown_solvers_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let checkout = tmp.path().join("qoblib");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qoblib-recorded"), &checkout);
    let submissions = checkout.join("07-independentset/submissions");
    copy_tree(&submissions.join("20250715_Abs2_Schicker/C125-9"), &submissions.join("20261207_AOCDT_Test/C125-9"));
    let run = tmp.path().join("run");
    let (checkout_s, run_s) = (checkout.to_str().unwrap(), run.to_str().unwrap());
    let bench = ["--qoblib-dir", checkout_s, "bench", "C125-9", "--reference", "none", "--time-limit", "1", "--seed", "3"];
    let out = aocbench(&[&bench[..], &["--out", run_s]].concat());
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stderr.contains("warning: C125-9: skipped the QOBLIB submission(s)") && stderr.contains("20261207_AOCDT_Test"), "{stderr}");

    let profile = std::fs::read_to_string(run.join("profile.svg")).unwrap();
    assert!(profile.contains("AOC-DT") && !profile.contains("(recorded)"), "profile.svg plots a recorded run");
    assert!(std::fs::read_to_string(run.join("gap_over_time.svg")).unwrap().contains("Abs2 (recorded, other machine)"));

    // The console's aggregate and time-to-gap rows of a recorded solver: counts, no mean time.
    let recorded_lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("Abs2 (recorded)") || l.starts_with("Gurobi (recorded)")).collect();
    let aggregate_lines: Vec<&&str> = recorded_lines.iter().filter(|l| l.contains("1/1")).collect();
    assert!(aggregate_lines.len() >= 2 * (1 + 4), "{stdout}");
    let markdown = std::fs::read_to_string(run.join("comparison.md")).unwrap();
    for solver in ["Abs2 (recorded)", "Gurobi (recorded)"] {
        let aggregate = markdown.lines().find(|l| l.starts_with(&format!("| {solver} | 1 |"))).unwrap_or_else(|| panic!("{markdown}"));
        let cells: Vec<&str> = aggregate.split('|').map(str::trim).collect();
        assert_eq!((cells[5], cells[7]), ("-", "-"), "mean time and primal integral: {aggregate}");
        let gaps: Vec<&str> = markdown.lines().filter(|l| l.starts_with(&format!("| {solver} | ")) && l.split('|').count() == 6).collect();
        assert_eq!(gaps.len(), 4, "{markdown}");
        assert!(gaps.iter().all(|l| l.trim_end().ends_with("| 1/1 | - |")), "{gaps:?}");
    }
    let aocdt = markdown.lines().find(|l| l.starts_with("| AOC-DT | 1 |")).unwrap();
    assert_ne!(aocdt.split('|').map(str::trim).nth(5), Some("-"), "{aocdt}");
    let mut csv = csv::Reader::from_path(run.join("results.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in csv.records().map(Result::unwrap) {
        let integral = (row.get(at("primal_integral_s")).unwrap().to_string(), row.get(at("primal_integral_horizon_s")).unwrap().to_string());
        assert_eq!(integral.0.is_empty() && integral.1.is_empty(), row.get(at("solver")).unwrap().ends_with("_recorded"), "{row:?}");
    }

    // --recorded must name a checkout: a class folder or an empty folder is an error naming it.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let refused = tmp.path().join("refused");
    for dir in [checkout.join("07-independentset"), empty] {
        let args = [&bench[..], &["--out", refused.to_str().unwrap(), "--recorded", dir.to_str().unwrap()]].concat();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aocbench")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "--recorded {}: {stderr}", dir.display());
        assert!(stderr.contains(&format!("--recorded {}: not a QOBLIB checkout", dir.display())) && stderr.contains("07-independentset/submissions/"), "{stderr}");
    }
}

/// A run of a QOBLIB instance beside a QPLIB one: the recorded solvers have no row of dashes on
/// the console for the QPLIB instance (no submission covers it), and comparison.md says what
/// their empty cells there mean.
#[test]
fn an_instance_no_submission_covers_gets_no_recorded_placeholder_row() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qoblib-recorded");
    let qplib = Path::new(env!("CARGO_MANIFEST_DIR")).join("qplib/smoke/QPLIB_3714.qplib");
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let args = ["--qoblib-dir", fixture.to_str().unwrap(), "bench", "labs005", qplib.to_str().unwrap(), "--reference", "none", "--work", "200000", "--engine", "cpu", "--out", run.to_str().unwrap()];
    let out = aocbench(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rows = |instance: &str| stdout.lines().filter(|l| l.starts_with(instance) && l.contains("(recorded)")).count();
    assert_eq!((rows("labs005"), rows("QPLIB_3714")), (2 + 2, 0), "two per-solver rows and two recorded-run rows for labs005, none for QPLIB_3714:\n{stdout}");
    let comparison = std::fs::read_to_string(run.join("comparison.md")).unwrap();
    let per_instance = markdown_tables(&comparison).into_iter().find(|(header, _, _)| header[0] == "instance" && header.contains(&"target_source".to_string())).unwrap();
    let column = per_instance.0.iter().position(|c| c == "abs2_recorded_reached").unwrap();
    let qplib_row = per_instance.1.iter().find(|r| r[0] == "QPLIB_3714").unwrap();
    assert_eq!(qplib_row[column], "-");
    assert!(per_instance.2.contains("a recorded solver has no submission for it"), "{}", per_instance.2);
}

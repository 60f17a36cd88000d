//! `bench` end to end on generated instances (every report written and readable, reruns
//! reproduce the deterministic counters, SCIP as the reference), and `compare` passing an
//! identical run while catching planted regressions.

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;
mod reference_venv;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aocbench::model::random::brute_force_optimum;
use aocbench::results::{ResultRow, SolverName, TargetSource};
use aocbench::compare::{compare, Check, Tolerances};
use aocbench::export::csv::{read_results, ResultsWriter};

use aocbench::qplib::read_instance;
use aocbench::reference::ReferenceSolver;
use qplib_common::{catalog_csv, generate, Kind};
use tempfile::TempDir;

/// A work budget that solves the tiny instances to optimality in well under a second.
const WORK: &str = "200000";

fn aocbench(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_aocbench"))
        .args(args)
        // The same venv as tests/reference_solver.rs, so SCIP is installed at most once.
        .env("AOCBENCH_VENV", reference_venv::scip_venv())
        .output()
        .expect("aocbench runs");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}


/// An instance folder with two small generated QBL instances in `qbl/`: TINY_A with a
/// brute-forced best-known in catalog.csv, TINY_B without one (its target is AOC-DT's best).
struct Fixture {
    _dir: TempDir,
    qplib: PathBuf,
    best_known_a: f64,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let qplib = dir.path().join("qplib");
    fs::create_dir_all(qplib.join("qbl")).unwrap();
    let small = |name: &str, from: u64| (from..).map(|seed| generate(name, Kind::Qbl, seed)).find(|g| g.entry.n_vars <= 12).unwrap();
    let (mut a, b) = (small("TINY_A", 0), small("TINY_B", 100));
    for g in [&a, &b] {
        fs::write(qplib.join("qbl").join(format!("{}.qplib", g.entry.name)), &g.text).unwrap();
    }
    let best_known_a = brute_force_optimum(&read_instance(&qplib.join("qbl/TINY_A.qplib")).unwrap()).expect("x = 0 is feasible for generated instances");
    a.entry.best_known_objective = Some(best_known_a);
    fs::write(qplib.join("catalog.csv"), catalog_csv(&[&a.entry, &b.entry])).unwrap();
    Fixture { _dir: dir, qplib, best_known_a }
}

impl Fixture {
    /// `bench` into `out` with the fixed budget and seed; `extra` selects the instances
    /// and the reference.
    fn bench(&self, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["--qplib-dir", self.qplib.to_str().unwrap(), "bench", "--work", WORK, "--seed", "1"];
        args.extend(["--threads", "1", "--engine", "cpu", "--out", out.to_str().unwrap()]);
        args.extend(extra);
        let output = aocbench(&args);
        assert!(output.status.success(), "bench failed:\n{}", stdout(&output));
        output
    }
}

fn find<'a>(rows: &'a [ResultRow], instance: &str, solver: SolverName) -> &'a ResultRow {
    rows.iter().find(|r| r.instance == instance && r.solver == solver).unwrap_or_else(|| panic!("no {solver:?} row for {instance}"))
}

#[test]
fn bench_writes_every_report_and_an_identical_rerun_passes_compare() {
    let fx = fixture();
    let out = fx.qplib.with_file_name("run1");
    fx.bench(&out, &["--set", "qbl", "--reference", "none"]);

    // results.csv: units in the header, one row per instance and solver.
    let csv_text = fs::read_to_string(out.join("results.csv")).unwrap();
    let header: Vec<&str> = csv_text.lines().next().unwrap().split(',').collect();
    for column in ["instance", "n_vars", "n_constraints", "sense", "best_known", "solver", "engine", "device", "threads", "seed", "time_limit_s", "work_mvm", "best_objective", "feasible", "max_violation", "gap_to_best_known_pct", "reached_best_known", "time_to_best_known_s", "time_to_own_best_s", "tts99_s", "success_probability", "samples", "mvm_to_target", "wall_time_s", "status", "version"] {
        assert!(header.contains(&column), "column {column} missing from {header:?}");
    }
    // Anytime quality: the primal gap, its integrals, and the time to each gap level.
    for column in ["primal_gap_pct", "primal_integral_s", "primal_integral_horizon_s", "primal_integral_mvm", "time_to_target_s", "time_to_gap_0.1pct_s", "time_to_gap_1pct_s", "time_to_gap_5pct_s"] {
        assert!(header.contains(&column), "column {column} missing from {header:?}");
    }
    assert!(header.iter().filter(|c| c.contains("gap")).all(|c| c.ends_with("_pct") || c.ends_with("_s") || c.ends_with("_mvm")), "every gap column names its unit: {header:?}");
    let rows = read_results(&out.join("results.csv")).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let a = find(&rows, "TINY_A", SolverName::Aocdt);
    assert_eq!((a.best_known, a.target, a.target_source), (Some(fx.best_known_a), Some(fx.best_known_a), Some(TargetSource::BestKnown)));
    assert!(a.reached_best_known && a.feasible, "{a:?}");
    assert_eq!(a.best_objective, Some(fx.best_known_a));
    assert!(a.time_to_best_known_s.is_some() && a.time_to_best_known_s == a.time_to_target_s);
    assert!(a.mvm_to_target.is_some_and(|m| m > 0 && m <= 200_000), "{:?}", a.mvm_to_target);
    assert_eq!((a.work_mvm, a.time_limit_s, a.seed, a.status.as_str()), (Some(200_000), None, 1, "work_limit"));
    let b = find(&rows, "TINY_B", SolverName::Aocdt);
    assert_eq!((b.best_known, b.target_source), (None, Some(TargetSource::AocdtBest)));
    assert_eq!(b.target, b.best_objective);
    assert!(!b.reached_best_known && b.time_to_target_s.is_some() && b.gap_to_best_known_pct.is_none(), "{b:?}");
    // Both reach their targets: gap 0, every level reached no later than the target, and the
    // integrals are positive (gap 1 before the first feasible point) but at most the time (or
    // work) to the target, after which the gap is 0.
    for r in [a, b] {
        assert_eq!(r.primal_gap_pct, Some(0.0), "{r:?}");
        let to_target = r.time_to_target_s.unwrap();
        assert!(r.time_to_gap_s().iter().all(|t| t.is_some_and(|t| t <= to_target)), "{r:?}");
        assert!(r.primal_integral_s.is_some_and(|i| i > 0.0 && i <= to_target), "{r:?}");
        assert!(r.primal_integral_mvm.is_some_and(|i| i > 0.0 && i <= r.mvm_to_target.unwrap() as f64), "{r:?}");
        assert!(r.primal_integral_horizon_s.is_some_and(|h| h >= r.wall_time_s), "{r:?}");
    }

    // results.json: metadata, the same rows, a raw run each.
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let metadata = &json["metadata"];
    for key in ["version", "git_commit", "started", "finished", "os", "cpu", "adapter", "threads", "sweep", "command_line"] {
        assert!(!metadata[key].is_null(), "metadata.{key} missing");
    }
    assert_eq!(metadata["sweep"]["budget"]["work"], 200_000);
    assert_eq!(json["rows"].as_array().unwrap().len(), 2);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["kind"] == "aocdt" && r["improvements"].is_array()));
    // The raw gap curves: one per run, steps with time, replica-iterations and gap.
    let curves = json["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 2);
    let last_step = curves[0]["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last_step["gap"], 0.0);
    assert!(last_step["time_s"].is_f64() && last_step["mvm"].is_u64(), "{last_step}");

    // The comparison as CSV and markdown, the profile as SVG.
    let mut comparison = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    assert!(comparison.headers().unwrap().iter().any(|h| h == "aocdt_time_to_target_s"));
    assert_eq!(comparison.records().count(), 2);
    let markdown = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(markdown.contains("| instance | target |") && markdown.contains("| TINY_A |") && markdown.contains("| TINY_B |"), "{markdown}");
    assert!(markdown.contains("aocdt_primal_integral_s") && markdown.contains("## Time to gap"), "{markdown}");
    // TINY_B's target is AOC-DT's own best: said above the tables, and in its row.
    assert!(markdown.contains("no best-known objective for TINY_B: the target there is AOC-DT's own best"), "{markdown}");
    assert!(markdown.lines().any(|l| l.starts_with("| TINY_B |") && l.contains("| aocdt_best |")), "{markdown}");
    assert!(!markdown.contains("partial:"), "a finished run is not partial");
    let svg = fs::read_to_string(out.join("profile.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>") && svg.contains("AOC-DT"));
    assert!(svg.contains("gap 0.1 %") && svg.contains("gap 5 %"), "one profile per gap level");
    let gaps = fs::read_to_string(out.join("gap_over_time.svg")).unwrap();
    assert!(gaps.starts_with("<svg") && gaps.contains("TINY_A") && gaps.contains("TINY_B") && gaps.contains("primal gap %"));
    for svg in [&svg, &gaps] {
        assert_no_repeated_tick(svg);
    }

    // The console shows the same notice.
    let notice = "note: no best-known objective for TINY_B";
    assert!(stdout(&fx.bench(&fx.qplib.with_file_name("run0"), &["--set", "qbl", "--reference", "none"])).contains(notice));

    // Same work budget and seed: every counter and objective again, so compare passes.
    let rerun = fx.qplib.with_file_name("run2");
    fx.bench(&rerun, &["--set", "qbl", "--reference", "none"]);
    let again = read_results(&rerun.join("results.csv")).unwrap();
    for (x, y) in rows.iter().zip(&again) {
        assert_eq!((x.best_objective, x.mvm_to_target, x.samples), (y.best_objective, y.mvm_to_target, y.samples), "{}", x.instance);
    }
    let output = aocbench(&["compare", out.to_str().unwrap(), rerun.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("OK: no regression"), "{}", stdout(&output));
}

#[test]
fn polish_adds_a_row_beside_an_unchanged_aocdt_row() {
    let fx = fixture();
    let plain = fx.qplib.with_file_name("plain");
    fx.bench(&plain, &["--set", "qbl", "--reference", "none"]);
    let polished = fx.qplib.with_file_name("polished");
    fx.bench(&polished, &["--set", "qbl", "--reference", "none", "--polish"]);
    // compare names the cause when one side ran with --polish and the other without.
    let output = aocbench(&["compare", plain.to_str().unwrap(), polished.to_str().unwrap()]);
    assert!(!output.status.success() && stdout(&output).contains("no AOC-DT + polish runs at all in the baseline (bench --polish on one side only)"), "{}", stdout(&output));
    let (plain, polished) = (read_results(&plain.join("results.csv")).unwrap(), read_results(&polished.join("results.csv")).unwrap());
    assert_eq!((plain.len(), polished.len()), (2, 4), "{polished:?}");
    for instance in ["TINY_A", "TINY_B"] {
        // Nothing flows back from the polish: under a work budget AOC-DT's run is the same.
        let (before, after) = (find(&plain, instance, SolverName::Aocdt), find(&polished, instance, SolverName::Aocdt));
        assert_eq!((before.best_objective, before.mvm_to_target, before.samples), (after.best_objective, after.mvm_to_target, after.samples), "{instance}");
        let p = find(&polished, instance, SolverName::AocdtPolish);
        assert!(p.feasible && p.best_objective.is_some(), "{p:?}");
        assert!(!p.sense.better(after.best_objective.unwrap(), p.best_objective.unwrap()), "the polish keeps the best it is handed: {p:?}");
        assert_eq!((p.tts99_s, p.success_probability), (None, None), "the polish draws no samples");
        assert_eq!((p.work_mvm, p.seed, p.target), (after.work_mvm, after.seed, after.target));
        assert!(p.time_to_target_s.is_some(), "{p:?}");
        // The track takes every batch's best point before polishing it: never behind AOC-DT.
        assert!(p.time_to_target_s <= after.time_to_target_s.or(Some(f64::INFINITY)), "{p:?}\n{after:?}");
        assert!(p.primal_integral_s <= after.primal_integral_s, "{p:?}\n{after:?}");
    }
    assert!(find(&polished, "TINY_A", SolverName::AocdtPolish).reached_best_known);
    let markdown = fs::read_to_string(fx.qplib.with_file_name("polished").join("comparison.md")).unwrap();
    assert!(markdown.contains("aocdt_polish_best") && markdown.contains("AOC-DT + polish"), "{markdown}");
    assert!(markdown.contains("a hybrid, not AOC-DT alone"), "the notice says what the rows are: {markdown}");
}

#[test]
fn an_unreadable_instance_stops_the_run_before_anything_runs() {
    let fx = fixture();
    // Every instance is read before the first solve (for the run's plan of work units), so a
    // broken second instance fails the run at once instead of hours into it.
    let broken = fx.qplib.join("BROKEN.qplib");
    fs::write(&broken, "BROKEN\nQBL\nminimize\nnot a number # number of variables\n").unwrap();
    let out = fx.qplib.with_file_name("stopped");
    let args = ["--qplib-dir", fx.qplib.to_str().unwrap(), "bench", "TINY_A", broken.to_str().unwrap(), "--work", WORK, "--threads", "1"];
    let output = aocbench(&[&args[..], &["--engine", "cpu", "--reference", "none", "--out", out.to_str().unwrap()]].concat());
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("BROKEN.qplib"), "the error names the file");
    assert!(!out.join("results.csv").exists(), "nothing ran");
}

/// No axis of an SVG plot labels one tick twice: a repeated key point is drawn as a second
/// `<text>` with the same label at the same place.
fn assert_no_repeated_tick(svg: &str) {
    let mut seen = std::collections::HashSet::new();
    for element in svg.split("<text").skip(1) {
        let attribute = |name: &str| element.split(&format!(" {name}=\"")).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_string();
        let label = element.split('>').nth(1).and_then(|rest| rest.split('<').next()).unwrap_or_default().trim().to_string();
        if label.parse::<f64>().is_ok() {
            let place = (attribute("x"), attribute("y"));
            assert!(seen.insert((place.clone(), label.clone())), "tick {label} drawn twice at {place:?}");
        }
    }
}

#[test]
fn bench_refuses_a_folder_with_a_previous_run_unless_forced() {
    let fx = fixture();
    let out = fx.qplib.with_file_name("run");
    fx.bench(&out, &["TINY_A", "--reference", "none"]);
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let before = fs::read(out.join("results.csv")).unwrap();

    let args = ["--qplib-dir", fx.qplib.to_str().unwrap(), "bench", "TINY_B", "--work", WORK, "--engine", "cpu", "--reference", "none", "--out", out.to_str().unwrap()];
    let refused = aocbench(&args);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("is not empty (it holds comparison.csv, comparison.md, gap_over_time.svg, notes.txt, profile.svg, results.csv, results.json)") && message.contains("--force"), "{message}");
    assert_eq!(fs::read(out.join("results.csv")).unwrap(), before, "the previous run is untouched");

    let forced = aocbench(&[&args[..], &["--force"]].concat());
    assert!(forced.status.success(), "{}", stdout(&forced));
    let rows = read_results(&out.join("results.csv")).unwrap();
    assert_eq!(rows.iter().map(|r| r.instance.as_str()).collect::<Vec<_>>(), ["TINY_B"], "the old run's rows are gone");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine", "other files stay");
}

/// The default tolerances of `compare`.
const DEFAULTS: Tolerances = Tolerances { counter_growth: 0.1, wall_time_ratio: None };

/// A bench of the fixture's qbl set without a reference, as a baseline: its folder and rows.
fn baseline(fx: &Fixture) -> (PathBuf, Vec<ResultRow>) {
    let dir = fx.qplib.with_file_name("baseline");
    fx.bench(&dir, &["--set", "qbl", "--reference", "none"]);
    let rows = read_results(&dir.join("results.csv")).unwrap();
    (dir, rows)
}

#[test]
fn compare_refuses_an_empty_or_failed_baseline_or_a_repeated_run_and_fails_on_unmatched_runs() {
    let fx = fixture();
    let (base_dir, base) = baseline(&fx);
    let header = fs::read_to_string(base_dir.join("results.csv")).unwrap().lines().next().unwrap().to_string();

    // Empty and header-only baselines hold no runs: refused, whatever the current run holds.
    for (name, text) in [("empty", String::new()), ("header-only", format!("{header}\n"))] {
        let dir = fx.qplib.with_file_name(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("results.csv"), text).unwrap();
        let output = aocbench(&["compare", dir.to_str().unwrap(), base_dir.to_str().unwrap()]);
        assert!(!output.status.success(), "{name}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("the baseline holds no runs"), "{name}: {}", stdout(&output));
    }

    // A baseline that lost its last row: the current run it lacks is a listed failure.
    let cut = fx.qplib.with_file_name("cut");
    write_rows(&cut, &base[..1]);
    let output = aocbench(&["compare", cut.to_str().unwrap(), base_dir.to_str().unwrap()]);
    assert!(!output.status.success());
    let lost = &base[1];
    assert!(stdout(&output).contains(&format!("{} aocdt #0: not in the baseline", lost.instance)) && stdout(&output).contains("FAIL: 1 failure"), "{}", stdout(&output));
    // And the other way round: a current run cut short.
    let report = compare(&base, &base[..1], DEFAULTS).unwrap();
    assert_eq!(report.regressions().map(|f| f.check).collect::<Vec<_>>(), [Check::Missing]);

    // A baseline row that failed cannot be compared against.
    let mut failed = base.clone();
    failed[0].status = "error".into();
    let message = compare(&failed, &base, DEFAULTS).unwrap_err().to_string();
    assert!(message.contains("the baseline holds runs that failed (status error)") && message.contains(&format!("{} aocdt #0", failed[0].instance)), "{message}");

    // A run listed twice on either side: which one would count? Refused, naming it.
    let twice = [base.clone(), vec![base[0].clone()]].concat();
    for (baseline, current, side) in [(&twice, &base, "baseline"), (&base, &twice, "current results")] {
        let message = compare(baseline, current, DEFAULTS).unwrap_err().to_string();
        assert!(message.contains(&format!("the {side} list a run more than once")) && message.contains(&format!("{} aocdt #0", base[0].instance)), "{message}");
    }
}

/// Writes `rows` as a results folder.
fn write_rows(dir: &Path, rows: &[ResultRow]) {
    fs::create_dir_all(dir).unwrap();
    let mut writer = ResultsWriter::create(&dir.join("results.csv")).unwrap();
    rows.iter().for_each(|r| writer.append(r).unwrap());
}

#[test]
fn compare_catches_planted_regressions() {
    let fx = fixture();
    let (base_dir, base) = baseline(&fx);
    let a = base.iter().position(|r| r.instance == "TINY_A").unwrap();
    let b = base.iter().position(|r| r.instance == "TINY_B").unwrap();

    // Each plant: what it does, and the check that must fail (None: must pass).
    type Plant = (&'static str, fn(&mut Vec<ResultRow>, usize, usize), Option<Check>);
    let plants: [Plant; 9] = [
        ("best-known lost", |rows, a, _| {
            let r = &mut rows[a];
            r.reached_best_known = false;
            (r.time_to_best_known_s, r.time_to_target_s, r.mvm_to_target) = (None, None, None);
            r.best_objective = r.best_objective.map(|v| v - r.sense.sign());
        }, Some(Check::BestKnown)),
        ("worse objective", |rows, _, b| {
            let r = &mut rows[b];
            r.best_objective = r.best_objective.map(|v| v + r.sense.sign());
        }, Some(Check::Objective)),
        ("counter +50 %", |rows, a, _| rows[a].mvm_to_target = rows[a].mvm_to_target.map(|m| m * 3 / 2), Some(Check::Counter)),
        ("counter +5 %", |rows, a, _| rows[a].mvm_to_target = rows[a].mvm_to_target.map(|m| m + m / 20), None),
        ("10× slower", |rows, a, _| rows[a].wall_time_s *= 10.0, None),
        ("run missing", |rows, a, _| {
            rows.remove(a);
        }, Some(Check::Missing)),
        ("other seed", |rows, a, _| rows[a].seed += 1, Some(Check::NotComparable)),
        // The anytime quality of a work-budget run is deterministic, so it gates too.
        ("primal integral +50 %", |rows, a, _| rows[a].primal_integral_mvm = rows[a].primal_integral_mvm.map(|i| 1.5 * i), Some(Check::PrimalIntegral)),
        ("primal integral +5 %", |rows, a, _| rows[a].primal_integral_mvm = rows[a].primal_integral_mvm.map(|i| 1.05 * i), None),
    ];
    for (what, plant, expected) in plants {
        let mut current = base.clone();
        plant(&mut current, a, b);
        let report = compare(&base, &current, DEFAULTS).unwrap();
        let failed: Vec<Check> = report.regressions().map(|f| f.check).collect();
        match expected {
            Some(check) => assert!(failed.contains(&check), "{what}: expected {check:?}, got {failed:?}\n{report}"),
            None => assert!(report.passed(), "{what}: expected a pass\n{report}"),
        }
    }

    // Through the command line: exit codes, the report, --tolerance and --gate-time.
    let run = |name: &str, plant: &dyn Fn(&mut Vec<ResultRow>), args: &[&str]| {
        let mut current = base.clone();
        plant(&mut current);
        let dir = fx.qplib.with_file_name(name);
        write_rows(&dir, &current);
        let mut all = vec!["compare", base_dir.to_str().unwrap(), dir.to_str().unwrap()];
        all.extend(args);
        aocbench(&all)
    };
    let identical = run("identical", &|_| {}, &[]);
    assert!(identical.status.success() && stdout(&identical).contains("OK: no regression"), "{}", stdout(&identical));

    let worse = run("worse", &|rows| rows[b].best_objective = rows[b].best_objective.map(|v| v + rows[b].sense.sign()), &[]);
    assert!(!worse.status.success());
    assert!(stdout(&worse).contains("TINY_B aocdt #0: best objective worse") && stdout(&worse).contains("FAIL: 1 failure"), "{}", stdout(&worse));

    let grow = |rows: &mut Vec<ResultRow>| rows[a].mvm_to_target = rows[a].mvm_to_target.map(|m| m * 3 / 2);
    assert!(!run("grown", &grow, &[]).status.success());
    assert!(run("grown-tolerated", &grow, &["--tolerance", "0.6"]).status.success());

    let slow = |rows: &mut Vec<ResultRow>| rows[a].wall_time_s *= 10.0;
    let reported = run("slow", &slow, &[]);
    assert!(reported.status.success() && stdout(&reported).contains("×10"), "{}", stdout(&reported));
    let gated = run("slow-gated", &slow, &["--gate-time", "2"]);
    assert!(!gated.status.success() && stdout(&gated).contains("wall time"), "{}", stdout(&gated));
}

#[test]
fn bench_with_scip_as_reference() {
    let fx = fixture();
    let out = fx.qplib.with_file_name("scip");
    let output = fx.bench(&out, &["TINY_A", "--reference", "scip", "--ref-time-limit", "20"]);

    let rows = read_results(&out.join("results.csv")).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let scip = find(&rows, "TINY_A", SolverName::Reference(ReferenceSolver::Scip));
    assert_eq!(scip.status, "optimal", "{scip:?}");
    assert!(scip.feasible && scip.reached_best_known, "{scip:?}");
    assert_eq!(scip.best_objective, Some(fx.best_known_a));
    assert!(scip.time_to_best_known_s.is_some_and(|t| t <= scip.wall_time_s), "{scip:?}");
    assert_eq!((scip.time_limit_s, scip.threads, scip.engine.as_deref()), (Some(20.0), 1, None));
    assert!(scip.version.starts_with("SCIP "), "{}", scip.version);
    assert!(scip.tts99_s.is_none() && scip.mvm_to_target.is_none());

    // The console's summary has a row per solver; every column is in comparison.md.
    assert!(stdout(&output).lines().any(|l| l.starts_with("TINY_A") && l.contains("SCIP")), "{}", stdout(&output));
    let table = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(table.contains("scip_time_to_target_s") && table.contains("time_ratio_scip_over_aocdt"), "{table}");
    assert!(table.contains("scip_primal_gap_pct") && table.contains("scip_primal_integral_s"), "{table}");
    assert!(scip.primal_gap_pct == Some(0.0) && scip.primal_integral_s.is_some() && scip.primal_integral_mvm.is_none(), "{scip:?}");
    assert_eq!(scip.primal_integral_horizon_s, Some(20.0), "the longer of the two limits");
    let mut comparison = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    let header = comparison.headers().unwrap().clone();
    let speedup = header.iter().position(|h| h == "time_ratio_scip_over_aocdt").unwrap();
    let record = comparison.records().next().unwrap().unwrap();
    // Both reached the target, so the speed-up is a plain number.
    assert!(record[speedup].parse::<f64>().is_ok_and(|x| x > 0.0), "{record:?}");
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["metadata"]["references"][0]["solver"], "scip");
    let reference_run = json["runs"].as_array().unwrap().iter().find(|r| r["kind"] == "reference").unwrap();
    assert!(reference_run["run"]["incumbents"].as_array().is_some_and(|i| !i.is_empty()));
    assert!(fs::read_to_string(out.join("profile.svg")).unwrap().contains("SCIP"));
    assert!(fs::read_to_string(out.join("gap_over_time.svg")).unwrap().contains("SCIP"));
    // comparison.md explains the ratio and its bounds itself.
    let markdown = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(markdown.contains("`time_ratio_<reference>_over_aocdt` is the reference's time-to-target divided by AOC-DT's") && markdown.contains("`>x` is a lower bound"), "{markdown}");
}

/// `--reference scip,sa,tabu`: a row per solver in the one schema, each peer's terms in its row
/// and in comparison.md, and AOC-DT against each reference at each other's final objective.
#[test]
fn bench_with_heuristic_peers_beside_scip() {
    let fx = fixture();
    let out = fx.qplib.with_file_name("peers");
    let output = fx.bench(&out, &["TINY_A", "--reference", "scip,sa,tabu", "--ref-time-limit", "2"]);

    let rows = read_results(&out.join("results.csv")).unwrap();
    let solvers: Vec<SolverName> = rows.iter().map(|r| r.solver).collect();
    assert_eq!(solvers, [SolverName::Aocdt, SolverName::Reference(ReferenceSolver::Scip), SolverName::Reference(ReferenceSolver::Sa), SolverName::Reference(ReferenceSolver::Tabu)], "{rows:?}");
    for solver in [SolverName::Reference(ReferenceSolver::Sa), SolverName::Reference(ReferenceSolver::Tabu)] {
        let row = find(&rows, "TINY_A", solver);
        assert!(row.feasible && row.reached_best_known && row.best_objective == Some(fx.best_known_a), "{row:?}");
        assert!(row.version.starts_with("dwave-samplers 1.8.0"), "{}", row.version);
        assert_eq!((row.time_limit_s, row.threads, row.status.as_str()), (Some(2.0), 1, "time_limit"));
        assert!(row.time_to_target_s.is_some_and(|t| t <= 2.0), "{row:?}");
        assert!(row.setup_time_s.is_some_and(|t| t > 0.0), "{row:?}");
        assert_eq!(row.formulation.as_deref(), Some("binary slacks (dimod), adaptive per-row weights"));
        assert!(row.tts99_s.is_none() && row.tts99_with_tuning_s.is_none() && row.mvm_to_target.is_none());
    }
    let aocdt = find(&rows, "TINY_A", SolverName::Aocdt);
    assert!(aocdt.tts99_with_tuning_s.zip(aocdt.tts99_s).is_some_and(|(with, without)| with >= without), "{aocdt:?}");

    assert!(stdout(&output).lines().any(|l| l.starts_with("TINY_A") && l.contains("Tabu")), "{}", stdout(&output));
    let table = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(table.contains("time_ratio_sa_over_aocdt") && table.contains("time_ratio_tabu_over_aocdt"), "{table}");
    assert!(table.contains("equal_quality_time_ratio") && table.contains("aocdt_tts99_with_tuning_s"), "{table}");
    let markdown = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(markdown.contains("## AOC-DT against each reference") && markdown.contains("| TINY_A | Tabu |"), "{markdown}");
    assert!(markdown.contains("SA (time limit 2 s, 1 thread, rows as penalties with binary slacks, adaptive weights)"), "{markdown}");
    assert!(markdown.contains("package import and model building are timed apart"), "{markdown}");
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let references: Vec<&str> = json["metadata"]["references"].as_array().unwrap().iter().map(|r| r["solver"].as_str().unwrap()).collect();
    assert_eq!(references, ["scip", "sa", "tabu"]);
    let pair = &json["comparison"][0]["pairs"][1];
    assert_eq!(pair["solver"], "sa");
    assert!(pair["equal_quality_ratio"].as_f64().is_some_and(|r| r > 0.0), "both reached the best-known: {pair}");
}

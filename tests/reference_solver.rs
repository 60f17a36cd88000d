//! The reference-solver runner: real SCIP solves in a venv built here (the test fails if the
//! venv cannot be built), result parsing, the trajectory of judged points, the deadline, and the driver
//! script's Gurobi licence logic.

mod reference_venv;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use aocbench::output::warnings::Warning;
use aocbench::model::random::brute_force_optimum;
use aocbench::model::{self, Constraint, Instance, QuadTerm, Sense};
use aocbench::metrics::PrimalCurve;
use aocbench::reference::{
    Incumbent, PenaltyRule, ReferenceOptions, ReferenceRun, ReferenceSolver, RunStatus, ensure_environment,
    parse_result, solve_with,
};

const INF: f64 = f64::INFINITY;

fn q(row: usize, col: usize, value: f64) -> QuadTerm {
    QuadTerm { row, col, value }
}

fn binary_instance(
    sense: Sense,
    objective_linear: Vec<f64>,
    objective_quadratic: Vec<QuadTerm>,
    objective_constant: f64,
    constraints: Vec<Constraint>,
) -> Instance {
    Instance::binary("tiny", sense, objective_quadratic, objective_linear, objective_constant, constraints)
}

/// Six binaries, a knapsack row (≤) and a cardinality row (=), diagonal and off-diagonal
/// objective terms and a constant.
fn six_variable_qbl(sense: Sense) -> Instance {
    binary_instance(
        sense,
        vec![-3.0, 2.0, -1.5, 4.0, -2.0, 0.5],
        vec![
            q(0, 0, 4.0),
            q(1, 0, -6.0),
            q(2, 1, 5.0),
            q(3, 0, -7.0),
            q(3, 2, 3.0),
            q(4, 4, -2.5),
            q(5, 1, 8.0),
            q(5, 3, -4.0),
            q(5, 4, 6.0),
        ],
        3.5,
        vec![
            Constraint {
                lower: -INF,
                upper: 9.0,
                linear: vec![(0, 3.0), (1, 4.0), (2, 2.0), (3, 5.0), (4, 1.0), (5, 2.0)],
                quadratic: vec![],
            },
            Constraint { lower: 2.0, upper: 2.0, linear: vec![(0, 1.0), (1, 1.0), (2, 1.0)], quadratic: vec![] },
        ],
    )
}


/// The venv of these tests (the one bench_compare.rs uses too), built or reused under the target
/// dir with `solver`'s packages, PyTorch included for bsb and dsb: a test fails when it cannot be
/// built.
fn python_for(solver: ReferenceSolver) -> PathBuf {
    let mut opts = ReferenceOptions::new(solver);
    // SCIP from the main job's venv where it has the pinned version; the peers (PyTorch
    // included) only ever under the target dir.
    opts.venv_dir = match solver {
        ReferenceSolver::Scip => reference_venv::scip_venv(),
        _ => Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference-venv"),
    };
    let started = Instant::now();
    let python = ensure_environment(&opts, true, &mut |step| eprintln!("{step}")).unwrap_or_else(|e| panic!("the {solver} environment must build here: {e}")).python;
    eprintln!("{solver} environment ready in {:.1} s", started.elapsed().as_secs_f64());
    python
}

fn scip_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| python_for(ReferenceSolver::Scip))
}

#[test]
fn scip_matches_brute_force_on_tiny_qbl_in_both_senses() {
    let python = scip_python();
    for sense in [Sense::Minimize, Sense::Maximize] {
        let instance = six_variable_qbl(sense);
        let expected = brute_force_optimum(&instance).expect("the instance has a feasible point");
        let mut opts = ReferenceOptions::new(ReferenceSolver::Scip);
        opts.time_limit_s = 30.0;
        let run = solve_with(python, &instance, &opts).expect("SCIP run");

        assert_eq!(run.status, RunStatus::Optimal, "{sense:?}: {}", run.message);
        assert!(run.solver_version.as_deref().is_some_and(|v| v.starts_with("SCIP 10.")), "{:?}", run.solver_version);
        let objective = run.objective.expect("a final point");
        assert!((objective - expected).abs() <= 1e-9, "{sense:?}: SCIP {objective}, brute force {expected}");
        assert!(run.feasible, "{sense:?}: violation {:?}", run.max_violation);
        assert!(!run.objective_mismatch, "{sense:?}: SCIP said {:?}", run.solver_objective);
        let x = run.assignment.as_ref().expect("assignment");
        assert_eq!(x.len(), instance.n_vars());
        assert_eq!(model::objective(&instance, x), objective);
        let dual = run.dual_bound.expect("a dual bound");
        assert!((dual - expected).abs() <= 1e-6 * expected.abs().max(1.0), "{sense:?}: dual bound {dual}");

        assert!(!run.incumbents.is_empty(), "{sense:?}: no incumbents");
        assert!(run.incumbents.iter().all(|inc| inc.feasible == Some(true)), "{sense:?}: {:?}", run.incumbents);
        for pair in run.incumbents.windows(2) {
            assert!(pair[0].time_s <= pair[1].time_s, "{sense:?}: incumbents out of time order");
            assert!(
                sense.better(pair[1].solver_objective, pair[0].solver_objective),
                "{sense:?}: incumbents not improving by SCIP's own values"
            );
        }
        let last = run.incumbents.last().unwrap();
        assert!((last.objective - expected).abs() <= 1e-9, "{sense:?}: last incumbent {}", last.objective);
        assert_eq!(PrimalCurve::new(sense, expected, run.trajectory()).final_gap(), 0.0, "{sense:?}: its trajectory reaches the optimum");
        assert!(run.wall_time_s >= last.time_s && run.wall_time_s < 30.0);
    }
}

#[test]
fn unbuildable_environment_says_what_is_missing_and_how_to_fix_it() {
    let mut opts = ReferenceOptions::new(ReferenceSolver::Scip);
    // Neither a venv nor the lock file inside it can be created below a regular file; the
    // lock is taken first.
    opts.venv_dir = PathBuf::from(file!()).join("venv");
    let err = ensure_environment(&opts, false, &mut |step| eprintln!("{step}")).unwrap_err();
    assert_eq!(err.solver, ReferenceSolver::Scip);
    assert!(err.missing.contains("could not lock the venv") && err.missing.contains("venv"), "{err}");
    assert!(err.fix.contains("-m pip install 'pyscipopt==6.3.0'"), "{err}");
    assert!(err.to_string().contains("to fix it, run:"), "{err}");
}

#[test]
fn trajectory_holds_the_judged_points_then_the_runs_point() {
    let inc = |time_s, objective, feasible| Incumbent { time_s, objective, solver_objective: objective, feasible };
    let run = ReferenceRun {
        solver: ReferenceSolver::Scip,
        solver_version: None,
        status: RunStatus::TimeLimit,
        objective: Some(-120.0),
        solver_objective: Some(-119.0),
        objective_mismatch: true,
        feasible: true,
        max_violation: Some(0.0),
        dual_bound: None,
        wall_time_s: 10.0,
        setup_time_s: None,
        formulation: None,
        penalty_weight_max: None,
        threads: 1,
        // Judged infeasible, not judged (no point reported), then two judged feasible points.
        incumbents: vec![inc(0.5, -100.0, Some(false)), inc(0.8, -100.0, None), inc(1.0, -110.0, Some(true)), inc(3.0, -115.0, Some(true))],
        assignment: None,
        message: String::new(),
    };
    let points = |run: &ReferenceRun| run.trajectory().iter().map(|f| (f.time_s, f.objective)).collect::<Vec<_>>();
    // The run's point, better than the solver's values said, counts from the last incumbent.
    assert_eq!(points(&run), [(1.0, -110.0), (3.0, -115.0), (3.0, -120.0)]);
    let curve = PrimalCurve::new(Sense::Minimize, -120.0, run.trajectory());
    assert_eq!(curve.first_within(0.0).map(|s| s.time_s), Some(3.0));
    let quiet = ReferenceRun { incumbents: vec![], ..run.clone() };
    assert_eq!(points(&quiet), [(10.0, -120.0)], "without incumbents: at the end");
    let infeasible = ReferenceRun { feasible: false, ..quiet };
    assert!(infeasible.trajectory().is_empty());
}

fn three_variable_instance() -> Instance {
    binary_instance(
        Sense::Minimize,
        vec![1.0, -2.0, 0.0],
        vec![q(1, 0, -4.0)],
        10.0,
        vec![Constraint { lower: -INF, upper: 1.0, linear: vec![(0, 1.0), (2, 1.0)], quadratic: vec![] }],
    )
}

const HAND_WRITTEN: &str = r#"{
  "solver": "scip", "solver_version": "SCIP 10.0.2 (PySCIPOpt 6.3.0)", "status": "time_limit",
  "primal": 7.0, "dual_bound": 6.5, "wall_time_s": 12.5,
  "variables": ["x3", "obj_constant", "x1", "x2"],
  "incumbents": [
    {"time_s": 3.0, "objective": 7.0, "values": [0.0, 1.0, 0.9999999997, 1e-10]},
    {"time_s": 0.25, "objective": 10.0},
    {"time_s": 1.5, "objective": 8.0, "values": [1.0, 1.0, 1.0, 0.0]}
  ],
  "assignment": {"x1": 0.9999999997, "x2": 1e-10, "x3": 0.0, "obj_constant": 1.0, "quadobjvar": -2.0},
  "threads": 1, "message": "SCIP status timelimit"
}"#;

#[test]
fn parses_a_hand_written_result_and_recomputes_the_point() {
    let instance = three_variable_instance();
    let run = parse_result(HAND_WRITTEN, &instance).expect("valid result");
    assert_eq!(run.solver, ReferenceSolver::Scip);
    assert_eq!(run.solver_version.as_deref(), Some("SCIP 10.0.2 (PySCIPOpt 6.3.0)"));
    assert_eq!(run.status, RunStatus::TimeLimit);
    // Binaries within the integrality tolerance are snapped: x = (1, 0, 0), f = 1 + 10.
    assert_eq!(run.assignment, Some(vec![1.0, 0.0, 0.0]));
    assert_eq!(run.objective, Some(11.0));
    assert!(run.feasible);
    assert_eq!(run.max_violation, Some(0.0));
    // The solver claimed 7: more than 1e-6 relative away from the recomputed value.
    assert_eq!(run.solver_objective, Some(7.0));
    assert!(run.objective_mismatch);
    assert_eq!(run.dual_bound, Some(6.5));
    assert_eq!(run.wall_time_s, 12.5);
    assert_eq!(run.threads, 1);
    // Incumbents in time order, each point recomputed: (1, 0, 0) is worth 11, (1, 0, 1) breaks
    // the row; the one without a point keeps the solver's value.
    assert_eq!(
        run.incumbents,
        vec![
            Incumbent { time_s: 0.25, objective: 10.0, solver_objective: 10.0, feasible: None },
            Incumbent { time_s: 1.5, objective: 11.0, solver_objective: 8.0, feasible: Some(false) },
            Incumbent { time_s: 3.0, objective: 11.0, solver_objective: 7.0, feasible: Some(true) },
        ]
    );
    // Only the judged feasible point counts towards the trajectory (then the run's own point).
    let times: Vec<f64> = run.trajectory().iter().map(|f| f.time_s).collect();
    assert_eq!(times, [3.0, 3.0]);
    assert_eq!(run.message, "SCIP status timelimit");

    // A feasible incumbent better than the final point becomes the run's point.
    let better_incumbent = HAND_WRITTEN.replace("[1.0, 1.0, 1.0, 0.0]", "[0.0, 1.0, 0.0, 1.0]");
    let run = parse_result(&better_incumbent, &instance).unwrap();
    assert_eq!(run.assignment, Some(vec![0.0, 1.0, 0.0]));
    assert_eq!((run.objective, run.feasible), (Some(8.0), true));
    assert!(run.objective_mismatch, "the mismatch is about the final point");
    assert!(
        run.message.ends_with("best point is the incumbent found at 1.500 s (final point worth 11)"),
        "{}",
        run.message
    );

    let agreeing = HAND_WRITTEN.replace(r#""primal": 7.0"#, r#""primal": 11.000000001"#);
    assert!(!parse_result(&agreeing, &instance).unwrap().objective_mismatch);

    // An infeasible final point gives way to the feasible incumbent found at 3 s ...
    let infeasible_final = HAND_WRITTEN.replace(r#""x3": 0.0"#, r#""x3": 1.0"#);
    let run = parse_result(&infeasible_final, &instance).unwrap();
    assert_eq!((run.assignment, run.feasible), (Some(vec![1.0, 0.0, 0.0]), true));
    assert!(run.message.contains("incumbent found at 3.000 s"), "{}", run.message);
    // ... and stays, judged infeasible, when no incumbent is feasible.
    let nothing_feasible = infeasible_final.replace(r#", "values": [0.0, 1.0, 0.9999999997, 1e-10]"#, "");
    let run = parse_result(&nothing_feasible, &instance).unwrap();
    assert_eq!((run.assignment, run.feasible), (Some(vec![1.0, 0.0, 1.0]), false));
    assert!(run.max_violation.unwrap() > 0.4);
}

#[test]
fn result_without_a_point_or_with_an_unknown_status() {
    let instance = three_variable_instance();
    let json = r#"{"solver": "gurobi", "solver_version": "Gurobi 13.0.3", "status": "gap_limit",
        "primal": null, "dual_bound": null, "wall_time_s": 0.0, "incumbents": [], "assignment": null,
        "threads": 4, "message": "model exceeds the size-limited Gurobi licence"}"#;
    let run = parse_result(json, &instance).unwrap();
    assert_eq!(run.status, RunStatus::Other);
    assert_eq!((run.objective, run.feasible, run.max_violation, run.assignment), (None, false, None, None));

    let skipped = json.replace("gap_limit", "skipped");
    assert_eq!(parse_result(&skipped, &instance).unwrap().status, RunStatus::Skipped);

    let missing = HAND_WRITTEN.replace(r#""x2": 1e-10, "#, "");
    let err = parse_result(&missing, &instance).unwrap_err();
    assert!(err.to_string().contains("x2"), "{err}");

    let missing_in_incumbents = HAND_WRITTEN.replace(r#""x1", "x2"]"#, r#""x1", "y2"]"#);
    let err = parse_result(&missing_in_incumbents, &instance).unwrap_err();
    assert!(err.to_string().contains("x2"), "{err}");

    let short = HAND_WRITTEN.replace("[1.0, 1.0, 1.0, 0.0]", "[1.0, 1.0, 1.0]");
    assert!(parse_result(&short, &instance).unwrap_err().to_string().contains("3 values for 4 variables"));

    assert!(parse_result("{not json", &instance).is_err());
}

fn script_file(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("script.py");
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn a_solver_that_overruns_its_deadline_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = ReferenceOptions::new(ReferenceSolver::Scip);
    opts.script = Some(script_file(dir.path(), "import time\ntime.sleep(60)\n"));
    opts.time_limit_s = 0.5;
    opts.grace_s = 0.5;
    let started = Instant::now();
    let err = solve_with(Path::new("python3"), &three_variable_instance(), &opts).unwrap_err();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!((1.0..10.0).contains(&elapsed), "killed after {elapsed} s");
}

#[test]
fn a_failing_script_reports_its_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = ReferenceOptions::new(ReferenceSolver::Scip);
    opts.script = Some(script_file(dir.path(), "import sys\nsys.exit('driver exploded')\n"));
    let err = solve_with(Path::new("python3"), &three_variable_instance(), &opts).unwrap_err();
    assert!(err.to_string().contains("driver exploded"), "{err}");

    opts.script = Some(script_file(dir.path(), "pass\n"));
    let err = solve_with(Path::new("python3"), &three_variable_instance(), &opts).unwrap_err();
    assert!(err.to_string().contains("wrote no result"), "{err}");
}

/// The driver's pure helpers, run by the system python; gurobipy is not needed (nor imported).
#[test]
fn driver_skips_gurobi_runs_the_licence_forbids() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/reference_solver.py");
    let check = r#"
import importlib.util, sys
spec = importlib.util.spec_from_file_location("driver", sys.argv[1])
d = importlib.util.module_from_spec(spec)
spec.loader.exec_module(d)

too_big = d.gurobi_licence_skip_reason(
    10010, "Model too large for size-limited license; visit https://gurobi.com/unrestricted for more information",
    2001, 1)
assert too_big is not None and "2001 variables" in too_big and "2000" in too_big, too_big
assert d.gurobi_licence_skip_reason(10009, "No Gurobi license found") is not None
assert d.gurobi_licence_skip_reason(10003, "Invalid argument to Model.addVar") is None
assert d.gurobi_licence_skip_reason(10011, "Unable to create the model", 5, 5) is None

assert d.finite_or_none(1e20, d.SCIP_INFINITY) is None and d.finite_or_none(float("nan"), 1e20) is None
assert d.finite_or_none(-3.5, d.SCIP_INFINITY) == -3.5
assert "gurobipy" not in sys.modules and "pyscipopt" not in sys.modules
"#;
    let out = std::process::Command::new("python3").args(["-B", "-c", check]).arg(&script).output().expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Simulated annealing, tabu search and both simulated bifurcations reach the brute-force optimum
/// of a six-variable instance with an inequality and an equality row, in both senses, under
/// either weight rule; every incumbent is judged feasible, in time order, inside the limit.
#[test]
fn heuristic_peers_match_brute_force_on_tiny_qbl_in_both_senses() {
    const LIMIT_S: f64 = 3.0;
    for solver in [ReferenceSolver::Sa, ReferenceSolver::Tabu, ReferenceSolver::Bsb, ReferenceSolver::Dsb] {
        let python = python_for(solver);
        for (sense, penalty) in [(Sense::Minimize, PenaltyRule::Adaptive), (Sense::Maximize, PenaltyRule::DimodDefault)] {
            let instance = six_variable_qbl(sense);
            let expected = brute_force_optimum(&instance).expect("the instance has a feasible point");
            let opts = ReferenceOptions { time_limit_s: LIMIT_S, seed: 3, penalty, ..ReferenceOptions::new(solver) };
            let run = solve_with(&python, &instance, &opts).unwrap_or_else(|e| panic!("{solver} {sense:?}: {e:#}"));
            let what = format!("{solver} {sense:?} {penalty:?}: {}", run.message);
            assert_eq!(run.status, RunStatus::TimeLimit, "{what}");
            assert!(run.feasible, "{what}");
            assert_eq!(run.objective, Some(expected), "{what}");
            let x = run.assignment.as_ref().expect("a point");
            assert_eq!(model::objective(&instance, x), expected, "{what}");
            assert!(run.dual_bound.is_none(), "a heuristic proves no bound: {what}");
            assert!(run.setup_time_s.is_some_and(|s| s > 0.0), "{what}");
            assert!(run.formulation.as_deref().is_some_and(|f| f.contains("binary slacks")), "{what}: {:?}", run.formulation);
            assert!(run.penalty_weight_max.is_some_and(|w| w > 0.0 && w.is_finite()), "{what}");
            assert!(!run.incumbents.is_empty(), "{what}");
            assert!(run.incumbents.iter().all(|inc| inc.feasible == Some(true)), "{what}: {:?}", run.incumbents);
            assert!(run.incumbents.windows(2).all(|w| w[0].time_s <= w[1].time_s && sense.better(w[1].objective, w[0].objective)), "{what}: {:?}", run.incumbents);
            assert!(run.incumbents.iter().all(|inc| inc.time_s >= 0.0 && inc.time_s <= LIMIT_S), "{what}: {:?}", run.incumbents);
            assert_eq!(PrimalCurve::new(sense, expected, run.trajectory()).final_gap(), 0.0, "{what}");
        }
    }
}

/// A QUBO (no rows, as QOBLIB's classes and QPLIB's QBN are): every peer reaches the brute-force
/// optimum with the objective alone, in both senses (a model without rows once failed in numpy).
#[test]
fn heuristic_peers_solve_a_qubo_without_rows() {
    const LIMIT_S: f64 = 1.0;
    for solver in [ReferenceSolver::Sa, ReferenceSolver::Tabu, ReferenceSolver::Bsb, ReferenceSolver::Dsb] {
        let python = python_for(solver);
        for sense in [Sense::Minimize, Sense::Maximize] {
            let linear = vec![-24.0, 5.0, 3.0, -7.0, 2.0];
            let quadratic = vec![q(1, 0, 16.0), q(2, 1, -6.0), q(3, 0, 9.0), q(4, 3, -10.0), q(4, 2, 4.0), q(2, 2, 3.0)];
            let instance = binary_instance(sense, linear, quadratic, 30.0, Vec::new());
            let expected = brute_force_optimum(&instance).expect("a QUBO has feasible points");
            let opts = ReferenceOptions { time_limit_s: LIMIT_S, seed: 5, ..ReferenceOptions::new(solver) };
            let run = solve_with(&python, &instance, &opts).unwrap_or_else(|e| panic!("{solver} {sense:?}: {e:#}"));
            let what = format!("{solver} {sense:?}: {}", run.message);
            assert_eq!(run.status, RunStatus::TimeLimit, "{what}");
            assert!(run.feasible, "{what}");
            assert_eq!(run.objective, Some(expected), "{what}");
        }
    }
}

/// Whatever a peer says of its point, the judge decides: a driver that reports an infeasible
/// point as its incumbent and final answer gets a run judged infeasible, with no trajectory.
#[test]
fn a_peers_infeasible_point_is_judged_infeasible_whatever_it_claims() {
    let instance = six_variable_qbl(Sense::Minimize);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("lying_driver.py");
    // x = 1…1 breaks both rows (the knapsack sums to 17 > 9, the cardinality row to 3 ≠ 2).
    std::fs::write(
        &script,
        r#"import json, sys
out = sys.argv[sys.argv.index("--out") + 1]
names = [f"x{j}" for j in range(1, 7)]
json.dump({"solver": "sa", "solver_version": "liar 1", "status": "time_limit", "primal": -1e9,
           "dual_bound": None, "wall_time_s": 0.1, "setup_time_s": 0.01, "variables": names,
           "incumbents": [{"time_s": 0.05, "objective": -1e9, "values": [1.0] * 6}],
           "assignment": {n: 1.0 for n in names}, "threads": 1, "message": "claims feasible",
           "formulation": "none", "penalty_weight_max": 1.0}, open(out, "w"))
"#,
    )
    .unwrap();
    let opts = ReferenceOptions { time_limit_s: 1.0, script: Some(script), ..ReferenceOptions::new(ReferenceSolver::Sa) };
    let run = solve_with(Path::new("python3"), &instance, &opts).expect("the driver ran");
    assert!(!run.feasible, "{run:?}");
    assert!(run.max_violation.is_some_and(|v| v > 0.0), "{run:?}");
    assert_eq!(run.incumbents.len(), 1);
    assert_eq!(run.incumbents[0].feasible, Some(false));
    assert!(run.objective_mismatch, "the claimed -1e9 is not the point's objective");
    assert!(run.trajectory().is_empty(), "nothing infeasible counts");
}

/// sa and tabu install themselves into a clean venv on first use; bsb and dsb, which need
/// PyTorch, are refused there with the setup command that installs them and its size.
#[test]
fn first_use_installs_the_samplers_but_not_pytorch_unasked() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = ReferenceOptions::new(ReferenceSolver::Tabu);
    opts.venv_dir = dir.path().join("venv");
    let mut steps = Vec::new();
    let python = ensure_environment(&opts, false, &mut |step| steps.push(step.to_string())).unwrap_or_else(|e| panic!("{e}")).python;
    assert!(steps.iter().any(|s| s.contains("first use of tabu") && s.contains("dwave-samplers==1.8.0")), "{steps:?}");
    assert!(python.exists());
    let run = solve_with(&python, &six_variable_qbl(Sense::Minimize), &ReferenceOptions { time_limit_s: 0.5, ..opts.clone() }).expect("tabu runs");
    assert!(run.feasible, "{}", run.message);

    let sb = ReferenceOptions { solver: ReferenceSolver::Bsb, ..opts };
    let err = ensure_environment(&sb, false, &mut |_| {}).unwrap_err();
    assert!(err.missing.contains("simulated-bifurcation==2.0.0 is not installed") && err.missing.contains("only when asked"), "{err}");
    assert!(err.fix.starts_with("aocbench setup --reference bsb") && err.fix.contains("GB"), "{err}");
}

/// A peer skips what it cannot take (a general integer), with the reason, instead of failing.
#[test]
fn a_peer_skips_an_instance_with_non_binary_variables() {
    let mut instance = six_variable_qbl(Sense::Minimize);
    instance.var_types[2] = model::VarType::Integer;
    instance.var_upper[2] = 3.0;
    let run = solve_with(Path::new("python3"), &instance, &ReferenceOptions::new(ReferenceSolver::Sa)).expect("no process needed");
    assert_eq!(run.status, RunStatus::Skipped, "{run:?}");
    assert!(run.message.contains("sa takes binary models only"), "{}", run.message);
}

/// The version `package` is pinned at in scripts/requirements-reference.txt.
fn pin_of(package: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/requirements-reference.txt")).unwrap();
    text.lines().find_map(|l| l.strip_prefix(&format!("{package}=="))).unwrap_or_else(|| panic!("{package} is not pinned")).trim().to_string()
}

/// A venv whose PyTorch is the machine's own build at another version than the pin (a GPU
/// image's) is used as it is, with that version named for the warning, and nothing is
/// downloaded; without PyTorch, bsb and dsb are still refused unasked. The venv is a stand-in:
/// its python is the system's over a folder of package metadata and an importable module.
#[test]
fn the_machines_own_pytorch_is_used_at_its_version() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let venv = dir.path().join("venv");
    let distribution = |name: &str, version: &str| {
        let info = site.join(format!("{}-{version}.dist-info", name.replace('-', "_")));
        std::fs::create_dir_all(&info).unwrap();
        std::fs::write(info.join("METADATA"), format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")).unwrap();
        info
    };
    distribution("simulated-bifurcation", &pin_of("simulated-bifurcation"));
    distribution("dimod", &pin_of("dimod"));
    let torch = distribution("torch", "9.9.0");
    std::fs::create_dir_all(site.join("simulated_bifurcation")).unwrap();
    std::fs::write(site.join("simulated_bifurcation/__init__.py"), "").unwrap();
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    let python = venv.join("bin/python");
    std::fs::write(&python, format!("#!/bin/sh\nPYTHONPATH='{}' exec python3 \"$@\"\n", site.display())).unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();

    let opts = ReferenceOptions { venv_dir: venv.clone(), ..ReferenceOptions::new(ReferenceSolver::Dsb) };
    let mut steps = Vec::new();
    let environment = ensure_environment(&opts, false, &mut |step| steps.push(step.to_string())).unwrap_or_else(|e| panic!("{e}"));
    assert!(steps.is_empty(), "nothing to install: {steps:?}");
    assert_eq!(environment.python, python);
    let unpinned = environment.unpinned.clone().expect("the machine's PyTorch is named");
    assert_eq!((unpinned.package, unpinned.installed.as_str(), unpinned.pinned), ("torch", "9.9.0", pin_of("torch").as_str()));
    let warning = Warning::unpinned_package(ReferenceSolver::Dsb, &environment).unwrap().line();
    assert!(warning.contains("torch 9.9.0") && warning.contains(&pin_of("torch")), "{warning}");

    std::fs::remove_dir_all(torch).unwrap();
    let err = ensure_environment(&opts, false, &mut |_| {}).unwrap_err();
    assert!(err.missing.contains("only when asked") && err.fix.starts_with("aocbench setup --reference dsb"), "{err}");
}

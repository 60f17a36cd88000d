//! A results folder read back: its metadata, the units it holds complete, and whether two
//! folders belong to one run. `bench --resume` and `merge` both start here.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::verify::{check_against_raw_runs, ResultFiles};
use crate::cluster::{RunPlan, WorkUnit};
use crate::output::results_folder::{read_text, OutputFiles};
use crate::results::{RawRun, ResultRow, RunCurve, RunMetadata, SolverName};
use crate::engine::EngineChoice;
use crate::export::csv::read_complete_results;
use crate::reference::{PenaltyRule, ReferenceSolver};
use crate::sweep::SweepOptions;

/// What a results folder holds.
#[derive(Debug, Clone)]
pub struct RecordedRun {
    pub dir: PathBuf,
    pub metadata: RunMetadata,
    /// The complete units: each solver's row fully written to results.csv and each solver's
    /// raw run in results.json — and, for a shared-target instance, every other repeat too.
    pub complete: HashSet<WorkUnit>,
    /// The complete units' rows in file order, one per unit and solver.
    pub rows: Vec<ResultRow>,
    /// The complete units' raw runs in results.json order, one per unit and solver.
    pub runs: Vec<RawRun>,
    /// The complete units' primal gap curves, one per unit and solver that has a target.
    pub curves: Vec<RunCurve>,
}

impl RecordedRun {
    /// Reads `dir`'s results.json (or results.json.gz, [`OutputFiles::recorded_json`]) and
    /// results.csv.
    ///
    /// Errors: no results.json there, both it and results.json.gz, or one this version of aocbench cannot read (another
    /// version's schema), a results.csv row that is unreadable before the last line, or a row
    /// of a complete unit that its raw run contradicts ([`check_against_raw_runs`]).
    pub fn read(dir: &Path) -> anyhow::Result<RecordedRun> {
        let files = OutputFiles::in_dir(dir);
        let path = &files.recorded_json()?;
        let RawResults { json, metadata, runs } = RawResults::read(path)?;
        let rows = read_complete_results(&files.results_csv)?;
        let complete = complete_units(&metadata, &rows, &runs);
        let in_complete_unit = |instance: &str, repeat: u32| complete.contains(&WorkUnit { instance: instance.to_string(), repeat });
        let mut seen = HashSet::new();
        let rows: Vec<ResultRow> = rows.into_iter().filter(|r| in_complete_unit(&r.instance, r.repeat) && seen.insert((r.instance.clone(), r.solver, r.repeat))).collect();
        let mut seen = HashSet::new();
        let runs: Vec<RawRun> = runs
            .into_iter()
            .filter(|run| run.key().is_some_and(|(instance, solver, repeat)| in_complete_unit(instance, repeat) && seen.insert((instance.to_string(), solver, repeat))))
            .collect();
        check_against_raw_runs(&rows, &runs, &metadata, &ResultFiles { csv: &files.results_csv, json: path })?;
        let curves: Vec<RunCurve> = Vec::deserialize(&json["curves"]).with_context(|| format!("{}: curves this version of aocbench cannot read", path.display()))?;
        let mut seen = HashSet::new();
        let curves = curves.into_iter().filter(|c| in_complete_unit(&c.instance, c.repeat) && seen.insert((c.instance.clone(), c.solver, c.repeat))).collect();
        Ok(RecordedRun { dir: dir.to_path_buf(), metadata, complete, rows, runs, curves })
    }

    /// The rows of `unit`, in file order.
    pub fn unit_rows<'a>(&'a self, unit: &'a WorkUnit) -> impl Iterator<Item = &'a ResultRow> {
        self.rows.iter().filter(|r| r.instance == unit.instance && r.repeat == unit.repeat)
    }

    /// The primal gap curves of `unit`, in results.json order.
    pub fn unit_curves<'a>(&'a self, unit: &'a WorkUnit) -> impl Iterator<Item = &'a RunCurve> {
        self.curves.iter().filter(|c| c.instance == unit.instance && c.repeat == unit.repeat)
    }

    /// The raw runs of `unit`, in results.json order.
    pub fn unit_runs<'a>(&'a self, unit: &'a WorkUnit) -> impl Iterator<Item = &'a RawRun> {
        self.runs.iter().filter(|r| r.key().is_some_and(|(instance, _, repeat)| instance == unit.instance && repeat == unit.repeat))
    }
}

/// A results.json read back.
pub struct RawResults {
    pub json: Value,
    pub metadata: RunMetadata,
    /// Its raw runs as they were written ([`RawRun::Recorded`]).
    pub runs: Vec<RawRun>,
}

impl RawResults {
    /// Reads `path` (gzip when it ends in `.gz`). Errors, naming it: no such file, not JSON, or metadata this version of
    /// aocbench cannot read (another version's schema).
    pub fn read(path: &Path) -> anyhow::Result<RawResults> {
        let text = read_text(path).context("not a bench results folder?")?;
        let json: Value = serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        let metadata = RunMetadata::deserialize(&json["metadata"])
            .with_context(|| format!("{}: metadata this version of aocbench cannot read (written by another version?)", path.display()))?;
        let runs: Vec<RawRun> = json["runs"].as_array().into_iter().flatten().cloned().map(RawRun::Recorded).collect();
        Ok(RawResults { json, metadata, runs })
    }
}

/// The solvers whose rows a unit must have: AOC-DT, and every reference that ran.
pub fn expected_solvers(metadata: &RunMetadata) -> Vec<SolverName> {
    let references = metadata.references.iter().filter(|r| r.unavailable.is_none()).map(|r| SolverName::from(r.solver));
    std::iter::once(SolverName::Aocdt).chain(references).collect()
}

/// The units of the plan whose every expected solver has a row and a raw run; a shared-target
/// instance's units only when all its repeats are there.
fn complete_units(metadata: &RunMetadata, rows: &[ResultRow], runs: &[RawRun]) -> HashSet<WorkUnit> {
    let mut found: HashSet<(&str, u32, SolverName, bool)> = HashSet::new();
    found.extend(rows.iter().map(|r| (r.instance.as_str(), r.repeat, r.solver, true)));
    found.extend(runs.iter().filter_map(RawRun::key).map(|(instance, solver, repeat)| (instance, repeat, solver, false)));
    let solvers = expected_solvers(metadata);
    let done = |unit: &WorkUnit| solvers.iter().all(|&s| [true, false].iter().all(|&row| found.contains(&(unit.instance.as_str(), unit.repeat, s, row))));
    let plan = &metadata.plan;
    plan.units
        .iter()
        .filter(|planned| {
            if planned.shared_target {
                plan.units.iter().filter(|u| u.unit.instance == planned.unit.instance).all(|u| done(&u.unit))
            } else {
                done(&planned.unit)
            }
        })
        .map(|planned| planned.unit.clone())
        .collect()
}

/// How the reference side must agree between processes of one run (not its venv's path nor
/// why it failed: only whether it ran).
#[derive(Serialize)]
struct ReferenceIdentity {
    solver: ReferenceSolver,
    time_limit_s: f64,
    threads: usize,
    grace_s: f64,
    /// Absent for SCIP and Gurobi (so runs recorded before the peers match).
    #[serde(skip_serializing_if = "Option::is_none")]
    penalty: Option<PenaltyRule>,
    ran: bool,
}

/// Everything the processes of one run share: version, build, options and the unit plan
/// (instances, repeats and shard count). Start times, hosts and command lines may differ.
#[derive(Serialize)]
struct RunIdentity<'a> {
    version: &'a str,
    git_commit: &'a str,
    selection: &'a str,
    repeats: u32,
    engine: EngineChoice,
    threads: usize,
    /// The modelled machine, absent for the ideal twin (so runs recorded before it match).
    #[serde(skip_serializing_if = "Option::is_none")]
    hardware: Option<&'a str>,
    sweep: &'a SweepOptions,
    references: Vec<ReferenceIdentity>,
    plan: &'a RunPlan,
}

impl<'a> RunIdentity<'a> {
    fn of(m: &'a RunMetadata) -> Self {
        RunIdentity {
            version: &m.version,
            git_commit: &m.git_commit,
            selection: &m.selection,
            repeats: m.repeats,
            engine: m.engine,
            threads: m.threads,
            hardware: m.hardware.as_deref(),
            sweep: &m.sweep,
            references: m
                .references
                .iter()
                .map(|r| ReferenceIdentity {
                    solver: r.solver,
                    time_limit_s: r.time_limit_s,
                    threads: r.threads,
                    grace_s: r.grace_s,
                    penalty: r.penalty,
                    ran: r.unavailable.is_none(),
                })
                .collect(),
            plan: &m.plan,
        }
    }
}

/// Differences that make `a` and `b` different runs, one line each (`sweep.seed: 1 ≠ 2`);
/// empty when they are parts of one run.
pub fn run_differences(a: &RunMetadata, b: &RunMetadata) -> Vec<String> {
    let as_json = |m| serde_json::to_value(RunIdentity::of(m)).expect("the identity serializes");
    let mut found = Vec::new();
    diff_json("", &as_json(a), &as_json(b), &mut found);
    found
}

/// Appends `path: a ≠ b` for every leaf where `a` and `b` differ (arrays of different lengths
/// are one difference).
fn diff_json(path: &str, a: &Value, b: &Value, found: &mut Vec<String>) {
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                diff_json(&join(key), x.get(key).unwrap_or(&Value::Null), y.get(key).unwrap_or(&Value::Null), found);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                diff_json(&format!("{path}[{i}]"), x, y, found);
            }
        }
        (Value::Array(x), Value::Array(y)) => found.push(format!("{path}: {} entries ≠ {} entries", x.len(), y.len())),
        _ if a != b => found.push(format!("{path}: {a} ≠ {b}")),
        _ => {}
    }
}

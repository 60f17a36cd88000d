//! Each results.csv row checked against the raw run in results.json it was made from, so that an
//! edited or damaged row is refused by `merge`, `bench --resume` and `compare` instead of being
//! carried on as a result.
//!
//! What the raw run fixes, compared bit for bit (both files keep every float exactly):
//! - AOC-DT rows, from the run's `seed`, `metrics` and `sweep`: seed, engine, device, threads,
//!   batch_size, best_objective, feasible, max_violation, samples, time_to_own_best_s and
//!   wall_time_s; from its `improvements` measured against the row's target: mvm_to_target,
//!   time_to_target_s, the times to 0.1, 1 and 5 %, primal_gap_pct, primal_integral_mvm,
//!   primal_integral_s (over the row's horizon), reached_best_known and time_to_best_known_s;
//!   from the run's metadata: work_mvm, time_limit_s and status; a target that AOC-DT set
//!   (`target_source` aocdt_best): the best feasible objective of the instance's AOC-DT runs.
//! - Polished and projected rows: seed, engine, batch_size and work_mvm of their AOC-DT run.
//! - Reference rows: best_objective, feasible, max_violation, wall_time_s, threads and status.
//! - Rows of failed runs: status `error`.
//!
//! Not derivable, so not checked here: the instance's facts (sizes, sense, best-known, which
//! `compare` matches against the other side), the version, the horizon, the gap to the
//! best-known and the sample statistics (TTS99, success probability).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::results::{RawRun, ResultRow, RunMetadata, SolverName, TargetSource};
use crate::metrics::{Found, PrimalCurve, GAP_LEVELS};
use crate::model::Sense;
use crate::sweep::{Budget, Improvement};

/// Raw runs by (instance, solver, repeat).
type RawIndex<'a> = HashMap<(&'a str, SolverName, u32), &'a Value>;

/// The file pair being checked, for the messages.
pub struct ResultFiles<'a> {
    pub csv: &'a Path,
    pub json: &'a Path,
}

/// Checks every row against its raw run in `runs` (read from `files.json`) and the run's
/// `metadata`. Errors, naming the file, the run (instance, solver, repeat) and the column: a
/// row with a value no run can have ([`ResultRow::impossible_value`]), a row without a raw run,
/// or a column that its raw run contradicts.
pub fn check_against_raw_runs(rows: &[ResultRow], runs: &[RawRun], metadata: &RunMetadata, files: &ResultFiles) -> anyhow::Result<()> {
    let csv = files.csv.display();
    // The first raw run of each (instance, solver, repeat), as merge and resume take them.
    let mut index = RawIndex::new();
    for run in runs {
        if let (RawRun::Recorded(value), Some(key)) = (run, run.key()) {
            index.entry(key).or_insert(value);
        }
    }
    for row in rows {
        let name = format!("{} {} #{}", row.instance, row.solver.key(), row.repeat);
        if let Some(problem) = row.impossible_value() {
            anyhow::bail!("{csv}: {name}: {problem}");
        }
        let raw_solver = if row.is_aocdt() { SolverName::Aocdt } else { row.solver };
        let Some(&raw) = index.get(&(row.instance.as_str(), raw_solver, row.repeat)) else {
            anyhow::bail!("{csv}: {name} has no raw run in {} (a row without its run: edited, or the run was cut short)", files.json.display());
        };
        let expected = expected_columns(row, raw, &index, metadata).with_context(|| format!("{}: the raw run of {name} is damaged", files.json.display()))?;
        let actual = serde_json::to_value(row).expect("a row serializes");
        for (column, value) in expected {
            anyhow::ensure!(
                actual[column] == value,
                "{csv}: {name}: {column} is {} but the raw run in {} says {value}: the row was edited or belongs to another run",
                actual[column],
                files.json.display()
            );
        }
    }
    Ok(())
}

/// The columns of `row` that its raw run `raw` fixes, with their values.
fn expected_columns(row: &ResultRow, raw: &Value, runs: &RawIndex, metadata: &RunMetadata) -> anyhow::Result<Vec<(&'static str, Value)>> {
    if raw["kind"] == "failed" {
        return Ok(vec![("status", json!("error"))]);
    }
    if row.solver.is_reference() {
        let run = &raw["run"];
        let taken = [("best_objective", "objective"), ("feasible", "feasible"), ("max_violation", "max_violation"), ("wall_time_s", "wall_time_s"), ("threads", "threads"), ("status", "status")];
        return Ok(taken.into_iter().map(|(column, key)| (column, run[key].clone())).collect());
    }
    let (work, time_limit, status) = match metadata.sweep.budget {
        Budget::Work(w) => (Some(w), None, "work_limit"),
        Budget::TimeLimit(t) => (None, Some(t), "time_limit"),
    };
    let sweep = &raw["sweep"];
    let mut expected = vec![("seed", raw["seed"].clone()), ("engine", sweep["engine"]["kind"].clone()), ("batch_size", sweep["batch_size"].clone()), ("work_mvm", json!(work)), ("status", json!(status))];
    if row.solver != SolverName::Aocdt {
        return Ok(expected);
    }
    let metrics = &raw["metrics"];
    for column in ["best_objective", "feasible", "max_violation", "samples", "time_to_own_best_s"] {
        expected.push((column, metrics[column].clone()));
    }
    expected.extend([("wall_time_s", sweep["elapsed_s"].clone()), ("device", sweep["engine"]["device"].clone()), ("threads", sweep["engine"]["threads"].clone()), ("time_limit_s", json!(time_limit))]);
    if row.target_source == Some(TargetSource::AocdtBest) {
        expected.push(("target", json!(aocdt_best(&row.instance, row.sense, runs)?)));
    }
    let improvements = Vec::<Improvement>::deserialize(&raw["improvements"]).context("improvements")?;
    // The improvements end at the best feasible point, which the metrics describe.
    let end = improvements.last().map(|i| (json!(i.objective), json!(i.time_s), json!(i.mvm)));
    let best = (metrics["feasible"] == true).then(|| (metrics["best_objective"].clone(), metrics["time_to_own_best_s"].clone(), metrics["mvm_to_own_best"].clone()));
    anyhow::ensure!(end == best, "its improvements end at {end:?} (objective, time, replica-iterations), but its metrics say the best feasible point is {best:?}");
    let total_mvm = sweep["total_mvm"].as_u64().context("sweep.total_mvm is not a count")?;
    let curve = row.target.map(|target| PrimalCurve::new(row.sense, target, improvements.iter().map(Found::from)));
    let to_target = curve.as_ref().and_then(|c| c.first_within(0.0).copied());
    let [time_to_target, to_0_1, to_1, to_5] = GAP_LEVELS.map(|level| curve.as_ref().and_then(|c| c.first_within(level)).map(|s| s.time_s));
    let known = row.best_known.is_some();
    expected.extend([
        ("time_to_target_s", json!(time_to_target)),
        ("time_to_gap_0.1pct_s", json!(to_0_1)),
        ("time_to_gap_1pct_s", json!(to_1)),
        ("time_to_gap_5pct_s", json!(to_5)),
        ("mvm_to_target", json!(to_target.and_then(|s| s.mvm))),
        ("primal_gap_pct", json!(curve.as_ref().map(|c| 100.0 * c.final_gap()))),
        ("primal_integral_mvm", json!(curve.as_ref().and_then(|c| c.integral_mvm(total_mvm)))),
        ("primal_integral_s", json!(curve.as_ref().zip(row.primal_integral_horizon_s).map(|(c, h)| c.integral_s(h)))),
        ("reached_best_known", json!(known && to_target.is_some())),
        ("time_to_best_known_s", json!(to_target.filter(|_| known).map(|s| s.time_s))),
    ]);
    Ok(expected)
}

/// The best feasible objective of the AOC-DT runs of `instance`: the target of an instance
/// without a best-known.
fn aocdt_best(instance: &str, sense: Sense, runs: &RawIndex) -> anyhow::Result<Option<f64>> {
    let mut best = None;
    for (&(name, solver, _), value) in runs {
        if name != instance || solver != SolverName::Aocdt || value["kind"] != "aocdt" || value["metrics"]["feasible"] != true {
            continue;
        }
        let objective = value["metrics"]["best_objective"].as_f64().context("metrics.best_objective of a feasible run is not a number")?;
        best = Some(best.map_or(objective, |b| sense.best(b, objective)));
    }
    Ok(best)
}

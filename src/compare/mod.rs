//! The regression gate: is a bench run worse than a baseline?
//!
//! Runs are matched by (instance, solver, repeat); a run on one side only is a failure, so a
//! truncated or empty current run cannot pass, and a baseline with no runs or with a failed
//! run is refused (a gate against it could not fail). Skipped baseline runs (a reference that
//! could not start) are matched but not judged. A matched run regresses when it lost
//! feasibility or the best-known, when its best objective got worse (beyond the target
//! tolerance), or when a deterministic counter grew by more than the tolerance: the
//! replica-iterations to the target, and under a work budget the primal integral over
//! replica-iterations (how close the run stayed to the target along the way). Both are
//! bit-for-bit reproducible under the same work budget, seed, engine and batch size. Wall-clock times are reported and gate only when asked: they
//! depend on the machine and its load. Runs made under different budgets, seeds, engines or
//! batch sizes are not comparable, which is itself a failure (the gate would be meaningless).
//!
//! Input that could talk the gate into a pass is refused ([`read_run`], [`compare`]): a value
//! no run can have (non-finite, negative, a `u64::MAX` sentinel, a skipped AOC-DT run), a
//! missing column the gate reads, a baseline that is empty or holds failed runs, a row that
//! the results.json beside it contradicts.

use std::fmt;
use std::path::Path;

use anyhow::Context;

use crate::results::{ResultRow, SolverName};
use crate::benchmark::{check_against_raw_runs, RawResults, ResultFiles};
use crate::export::csv::read_results;
use crate::metrics::reaches_target;
use crate::output::results_folder::OutputFiles;
use crate::table::{count, counter, number, objective, render, significant, whole};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// Allowed relative growth of `mvm_to_target` (0.1 = 10 %).
    pub counter_growth: f64,
    /// Fail when a run's wall time grows by more than this factor; None: report only.
    pub wall_time_ratio: Option<f64>,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A baseline run with no counterpart in the current results.
    Missing,
    /// A current run with no counterpart in the baseline (a baseline that lost its rows).
    New,
    /// The runs differ in budget, seed, engine, batch size or best-known.
    NotComparable,
    /// The current run failed.
    Failed,
    Feasibility,
    BestKnown,
    Objective,
    /// `mvm_to_target` grew.
    Counter,
    /// `primal_integral_mvm` grew (runs under a work budget only).
    PrimalIntegral,
    WallTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `instance solver #repeat`.
    pub run: String,
    pub check: Check,
    pub regression: bool,
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub tolerances: Tolerances,
    /// Matched runs: (baseline, current).
    pub pairs: Vec<(ResultRow, ResultRow)>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn regressions(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.regression)
    }

    pub fn passed(&self) -> bool {
        self.regressions().next().is_none()
    }
}

fn run_name(row: &ResultRow) -> String {
    format!("{} {} #{}", row.instance, row.solver.key(), row.repeat)
}

fn same_run(a: &ResultRow, b: &ResultRow) -> bool {
    a.instance == b.instance && a.solver == b.solver && a.repeat == b.repeat
}

/// The runs listed more than once in `rows`, by name.
fn repeated_runs(rows: &[ResultRow]) -> Vec<String> {
    let mut repeated: Vec<String> = rows.iter().enumerate().filter(|(i, row)| rows[..*i].iter().any(|earlier| same_run(earlier, row))).map(|(_, row)| run_name(row)).collect();
    repeated.dedup();
    repeated
}

/// Which side of the comparison a results file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Baseline,
    Current,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Baseline => "baseline",
            Side::Current => "current results",
        }
    }
}

/// The columns the gate reads that a results.csv could lack without a read error (empty
/// values read as absent, so a file without them would pass).
const GATED_COLUMNS: [&str; 9] = ["best_known", "target", "engine", "work_mvm", "time_limit_s", "batch_size", "best_objective", "mvm_to_target", "primal_integral_mvm"];

/// Reads one side's results.csv and refuses what the gate cannot judge. Errors, naming the
/// file (and the row, run and column): no such file, an unreadable row, a missing gated
/// column, what [`check_side`] refuses, and — when a results.json (or only results.json.gz) lies
/// beside it — a row its raw run contradicts ([`check_against_raw_runs`]), or both lie there.
pub fn read_run(path: &Path, side: Side) -> anyhow::Result<Vec<ResultRow>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let header = reader.headers().with_context(|| format!("{}: header", path.display()))?.clone();
    // A file without even a header holds no runs, which check_side names.
    let missing: Vec<&str> = GATED_COLUMNS.into_iter().filter(|column| !header.is_empty() && !header.iter().any(|h| h == *column)).collect();
    anyhow::ensure!(missing.is_empty(), "{}: no column {} (the gate reads it; a file of another version, or cut)", path.display(), missing.join(", "));
    let rows = read_results(path)?;
    check_side(&rows, side).with_context(|| path.display().to_string())?;
    let json = OutputFiles::in_dir(path.parent().unwrap_or(Path::new(""))).recorded_json()?;
    if json.exists() {
        let raw = RawResults::read(&json)?;
        check_against_raw_runs(&rows, &raw.runs, &raw.metadata, &ResultFiles { csv: path, json: &json })?;
    }
    Ok(rows)
}

/// Refuses a side the gate cannot judge: a run listed twice (which would be compared?), a value
/// no run can have ([`ResultRow::impossible_value`], named by its row from 1 and its column),
/// and a baseline with no runs or with a failed run (a gate against it could not fail).
pub fn check_side(rows: &[ResultRow], side: Side) -> anyhow::Result<()> {
    let name = side.name();
    let repeated = repeated_runs(rows);
    anyhow::ensure!(repeated.is_empty(), "the {name} list a run more than once (which would be compared?): {}", repeated.join(", "));
    if let Some((i, row, problem)) = rows.iter().enumerate().find_map(|(i, row)| row.impossible_value().map(|p| (i, row, p))) {
        anyhow::bail!("in the {name}, row {} ({}) holds a value no run can have: {problem}", i + 1, run_name(row));
    }
    if side == Side::Baseline {
        anyhow::ensure!(!rows.is_empty(), "the baseline holds no runs: a gate against it could never fail; make the baseline again (results/baseline/README.md)");
        let failed: Vec<String> = rows.iter().filter(|row| row.failed()).map(run_name).collect();
        anyhow::ensure!(failed.is_empty(), "the baseline holds runs that failed (status error), which cannot be compared against: {}; make the baseline again", failed.join(", "));
    }
    Ok(())
}

/// Compares `current` against `baseline`. Errors: either side refused by [`check_side`], or
/// under a wall-time gate a run that ran in no time (a ratio against it means nothing).
pub fn compare(baseline: &[ResultRow], current: &[ResultRow], tolerances: Tolerances) -> anyhow::Result<Report> {
    check_side(baseline, Side::Baseline)?;
    check_side(current, Side::Current)?;
    if tolerances.wall_time_ratio.is_some() {
        if let Some(row) = baseline.iter().chain(current).find(|row| row.ran() && row.wall_time_s <= 0.0) {
            anyhow::bail!("{}: wall_time_s {} for a run that ran: wall times cannot be gated (--gate-time)", run_name(row), row.wall_time_s);
        }
    }
    let mut report = Report { tolerances, pairs: Vec::new(), findings: Vec::new() };
    for base in baseline {
        match current.iter().find(|c| same_run(base, c)) {
            None => report.findings.push(Finding { run: run_name(base), check: Check::Missing, regression: true, detail: absent_from(base.solver, current, "current results", "not in the current results") }),
            Some(cur) => {
                check_pair(base, cur, tolerances, &mut report.findings);
                report.pairs.push((base.clone(), cur.clone()));
            }
        }
    }
    for cur in current.iter().filter(|c| !baseline.iter().any(|b| same_run(b, c))) {
        report.findings.push(Finding { run: run_name(cur), check: Check::New, regression: true, detail: absent_from(cur.solver, baseline, "baseline", "not in the baseline (was the baseline cut short?)") });
    }
    Ok(report)
}

/// Why a run of `solver` has no partner in `rows` (the `side`): the side has no run of that
/// solver at all (a different solver set, e.g. `--polish` on one side only), or else `otherwise`.
fn absent_from(solver: SolverName, rows: &[ResultRow], side: &str, otherwise: &str) -> String {
    if rows.iter().any(|r| r.solver == solver) {
        return otherwise.into();
    }
    let hint = match solver {
        SolverName::AocdtPolish => " (bench --polish on one side only)",
        SolverName::AocProjected => " (bench --hardware on one side only)",
        _ => "",
    };
    format!("no {} runs at all in the {side}{hint}", solver.label())
}

/// The instance's sizes and the settings that fix a run's trajectory and target, as (name,
/// baseline, current) texts where they differ.
fn differences(base: &ResultRow, cur: &ResultRow) -> Vec<String> {
    let text = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let fields: [(&str, String, String); 10] = [
        // The instance itself: another file under the same name is another problem.
        ("n_vars", base.n_vars.to_string(), cur.n_vars.to_string()),
        ("n_constraints", base.n_constraints.to_string(), cur.n_constraints.to_string()),
        ("sense", base.sense.as_str().into(), cur.sense.as_str().into()),
        ("seed", base.seed.to_string(), cur.seed.to_string()),
        ("work_mvm", text(base.work_mvm.map(|w| w.to_string())), text(cur.work_mvm.map(|w| w.to_string()))),
        ("time_limit_s", number(base.time_limit_s), number(cur.time_limit_s)),
        ("batch_size", text(base.batch_size.map(|b| b.to_string())), text(cur.batch_size.map(|b| b.to_string()))),
        ("engine", text(base.engine.clone()), text(cur.engine.clone())),
        ("best_known", number(base.best_known), number(cur.best_known)),
        // A heuristic peer's penalty formulation and weight rule (--ref-penalty).
        ("formulation", text(base.formulation.clone()), text(cur.formulation.clone())),
    ];
    let mut differ: Vec<String> = fields.into_iter().filter(|(_, b, c)| b != c).map(|(name, b, c)| format!("{name} {b} → {c}")).collect();
    if base.batch_size != cur.batch_size {
        differ.push("(runs with different batch sizes follow different trajectories: use the same --batch-size)".into());
    }
    differ
}

fn check_pair(base: &ResultRow, cur: &ResultRow, tolerances: Tolerances, findings: &mut Vec<Finding>) {
    let mut add = |check: Check, regression: bool, detail: String| findings.push(Finding { run: run_name(base), check, regression, detail });
    let differ = differences(base, cur);
    if !differ.is_empty() {
        add(Check::NotComparable, true, format!("different settings: {}", differ.join(", ")));
        return;
    }
    if !base.ran() {
        return;
    }
    if !cur.ran() {
        add(Check::Failed, true, format!("status {}", cur.status));
        return;
    }
    if base.feasible && !cur.feasible {
        add(Check::Feasibility, true, "no feasible point any more".into());
    }
    match (base.reached_best_known, cur.reached_best_known) {
        (true, false) => add(Check::BestKnown, true, format!("no longer reaches the best-known {}", number(base.best_known))),
        (false, true) => add(Check::BestKnown, false, format!("now reaches the best-known {}", number(cur.best_known))),
        _ => {}
    }
    if let (true, true, Some(b), Some(c)) = (base.feasible, cur.feasible, base.best_objective, cur.best_objective) {
        if !reaches_target(cur.sense, c, b) {
            add(Check::Objective, true, format!("best objective worse: {} → {}", number(Some(b)), number(Some(c))));
        } else if !reaches_target(cur.sense, b, c) {
            add(Check::Objective, false, format!("best objective better: {} → {}", number(Some(b)), number(Some(c))));
        }
    }
    // Counters only mean something against the same target; a lost target is a best-known
    // or objective finding above. The primal integral over replica-iterations is only
    // deterministic under a work budget.
    let same_target = base.target == cur.target;
    if let (Some(b), Some(c), true) = (base.mvm_to_target, cur.mvm_to_target, same_target) {
        growth(Check::Counter, "mvm_to_target", b as f64, c as f64, tolerances.counter_growth, &mut add);
    }
    if let (Some(b), Some(c), true, Some(_)) = (base.primal_integral_mvm, cur.primal_integral_mvm, same_target, base.work_mvm) {
        growth(Check::PrimalIntegral, "primal_integral_mvm", b, c, tolerances.counter_growth, &mut add);
    }
    if let Some(limit) = tolerances.wall_time_ratio {
        let ratio = cur.wall_time_s / base.wall_time_s;
        if ratio > limit {
            add(Check::WallTime, true, format!("wall time {} s → {} s (×{}, gate ×{})", short(base.wall_time_s), short(cur.wall_time_s), short(ratio), short(limit)));
        }
    }
}

/// A deterministic counter that fails when it grew by more than `tolerance` (relative) and is
/// noted when it shrank.
fn growth(check: Check, name: &str, base: f64, current: f64, tolerance: f64, add: &mut impl FnMut(Check, bool, String)) {
    let growth = current / base.max(1.0) - 1.0;
    let (b, c) = (counter(Some(base)), counter(Some(current)));
    if growth > tolerance {
        add(check, true, format!("{name} grew {b} → {c} ({}, tolerance {})", percent(growth), percent(tolerance)));
    } else if current < base {
        add(check, false, format!("{name} shrank {b} → {c} ({})", percent(growth)));
    }
}

fn percent(fraction: f64) -> String {
    let sign = if fraction > 0.0 { "+" } else { "" };
    format!("{sign}{}%", significant(Some(100.0 * fraction), 3))
}

fn short(value: f64) -> String {
    significant(Some(value), 3)
}

/// `a` when unchanged, else `a → b`.
fn change(a: String, b: String) -> String {
    if a == b { a } else { format!("{a} → {b}") }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gate = self.tolerances.wall_time_ratio.map_or("off (reported only)".into(), |r| format!("×{}", short(r)));
        writeln!(f, "{}; counter tolerance {}; wall-time gate {gate}\n", count(self.pairs.len(), "matched run"), percent(self.tolerances.counter_growth))?;
        let rows: Vec<Vec<String>> = self
            .pairs
            .iter()
            .map(|(b, c)| {
                let reached = |r: &ResultRow| if r.reached_best_known { "yes" } else { "no" }.to_string();
                let mvm = |r: &ResultRow| r.mvm_to_target.map_or("-".into(), whole);
                let integral = |r: &ResultRow| counter(r.primal_integral_mvm);
                vec![
                    b.instance.clone(),
                    b.solver.key().into(),
                    b.repeat.to_string(),
                    change(objective(b.best_objective, b.feasible), objective(c.best_objective, c.feasible)),
                    change(reached(b), reached(c)),
                    change(mvm(b), mvm(c)),
                    change(integral(b), integral(c)),
                    format!("{} → {}", short(b.wall_time_s), short(c.wall_time_s)),
                    format!("×{}", short(c.wall_time_s / b.wall_time_s)),
                ]
            })
            .collect();
        let header = ["instance", "solver", "repeat", "best_objective", "reached_best_known", "mvm_to_target", "primal_integral_mvm", "wall_time_s", "wall_ratio"];
        write!(f, "{}", render(&header, &rows))?;
        for (title, regression) in [("Failures", true), ("Notes", false)] {
            let found: Vec<&Finding> = self.findings.iter().filter(|x| x.regression == regression).collect();
            if !found.is_empty() {
                writeln!(f, "\n{title} ({}):", found.len())?;
                for finding in found {
                    writeln!(f, "  {}: {}", finding.run, finding.detail)?;
                }
            }
        }
        match self.regressions().count() {
            0 => writeln!(f, "\nOK: no regression"),
            n => writeln!(f, "\nFAIL: {}", count(n, "failure")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_signed() {
        assert_eq!(percent(0.1), "+10%");
        assert_eq!(percent(-0.5), "-50%");
        assert_eq!(percent(1.0), "+100%");
    }
}

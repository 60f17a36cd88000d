//! AOC-DT's runs on a QOBLIB instance as a QOBLIB submission folder (Quantum Optimization
//! Benchmark Library, arXiv 2504.03832): `<instance>_summary.csv` with QOBLIB's header
//! ([`SUMMARY_HEADER`]), `<instance>_objective_time_series.json.gz` (a list per run of
//! `{"Time", "Incumbent", "step"}`, as Abs2's) and `<instance>_solution.sol` in the class's format.
//!
//! The submission is a QUBO one: the series holds energies of the `.qs` model (the model's
//! objective for a minimised model, its negation for a maximised one, as Abs2 writes them), and
//! the summary's best is in the model's objective — so [`crate::reference::recorded`] reads the
//! folder back as it reads Abs2's.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::json;

use crate::results::ResultRow;
use crate::model::{feasibility, objective, Instance, Sense};
use crate::output::atomic::write_atomically;
use crate::reference::recorded::{labs_assignment, NOT_AVAILABLE, SUMMARY_HEADER};
use crate::sweep::Improvement;

/// How a QOBLIB class writes a solution (see each class's `solutions/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolutionFormat {
    /// One line of 0/1 digits, one per variable (market split).
    Digits,
    /// The 1-based indices of the variables at 1, one a line, after comment lines (independent set).
    NodeList,
    /// `# Energy: E`, `# Consecutive entries: R` (the lengths of the runs of equal spins, in
    /// decimal, written one after another), then the spins x₁…xₙ one a line, the auxiliary
    /// variables left out (LABS).
    LabsSpins,
}

/// One AOC-DT run of the instance: its row, its improvements and its best point.
pub struct ExportedRun<'a> {
    pub row: &'a ResultRow,
    pub improvements: Vec<Improvement>,
    /// The best feasible assignment (results.json's `best_point`), None without one.
    pub best_point: Option<Vec<f64>>,
}

/// What the summary says about who ran what, where.
pub struct SubmissionFacts<'a> {
    pub submitter: &'a str,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    pub version: &'a str,
}

/// The three files of one instance's submission, made and checked, not yet written.
pub struct Submission {
    name: String,
    summary: Vec<u8>,
    series: Vec<u8>,
    solution: String,
}

impl Submission {
    /// The submission of `runs` (AOC-DT's runs of `instance`, in repeat order). The best run is
    /// the one with the best feasible objective (the earliest repeat among equals); its list
    /// comes last in the series, so the series ends at the summary's best.
    ///
    /// Errors: no run with a feasible point and its assignment (results written before the best
    /// point was kept), a best point the judge scores other than its row's objective, LABS spins
    /// whose products are not the point's auxiliary values.
    pub fn new(instance: &Instance, format: SolutionFormat, runs: &[ExportedRun], facts: &SubmissionFacts) -> anyhow::Result<Submission> {
        let name = &instance.name;
        let sense = instance.sense;
        let with_point = runs.iter().filter(|r| r.row.feasible && r.best_point.is_some());
        let best = with_point
            .filter_map(|r| r.row.best_objective.map(|f| (r, f)))
            .reduce(|a, b| if sense.better(b.1, a.1) { b } else { a })
            .map(|(r, _)| r)
            .with_context(|| format!("{name}: no AOC-DT run with a feasible point kept in results.json (results written by an older aocbench keep none: run bench again)"))?;
        let x = best.best_point.as_deref().expect("filtered on a point");
        let judged = objective(instance, x);
        anyhow::ensure!(feasibility(instance, x).feasible && Some(judged) == best.row.best_objective, "{name}: the kept best point of repeat {} scores {judged}, its row says {:?}", best.row.repeat, best.row.best_objective);
        let mut ordered: Vec<&ExportedRun> = runs.iter().filter(|r| !std::ptr::eq(*r, best)).collect();
        ordered.push(best);
        Ok(Submission { name: name.clone(), summary: summary_csv(instance, runs, judged, facts)?, series: series_gz(sense, &ordered)?, solution: solution_text(instance, format, x, judged)? })
    }

    /// Writes the files into `dir` (created) and returns them. Errors: a file that cannot be
    /// written.
    pub fn write(&self, dir: &Path) -> anyhow::Result<[PathBuf; 3]> {
        let name = &self.name;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let summary = dir.join(format!("{name}_summary.csv"));
        let series = dir.join(format!("{name}_objective_time_series.json.gz"));
        let solution = dir.join(format!("{name}_solution.sol"));
        write_atomically(&summary, &self.summary)?;
        write_atomically(&series, &self.series)?;
        write_atomically(&solution, self.solution.as_bytes())?;
        Ok([summary, series, solution])
    }
}

/// The energy of the `.qs` model for an objective of the model (see the module's doc).
fn energy(sense: Sense, objective: f64) -> f64 {
    match sense {
        Sense::Minimize => objective,
        Sense::Maximize => -objective,
    }
}

/// The objective's polynomial coefficients over binary x: those of each xᵢ (the linear term plus
/// the diagonal, since xᵢ² = xᵢ) and of each pair xᵢxⱼ, zeros left out.
fn coefficients(instance: &Instance) -> (Vec<f64>, Vec<f64>) {
    let mut linear = instance.objective_linear.clone();
    let mut pairs = Vec::new();
    for t in &instance.objective_quadratic {
        // QPLIB's convention: each listed lower-triangle entry contributes ½·v·xᵢ·xⱼ.
        if t.row == t.col {
            linear[t.row] += 0.5 * t.value;
        } else {
            pairs.push(0.5 * t.value);
        }
    }
    (linear.into_iter().filter(|v| *v != 0.0).collect(), pairs.into_iter().filter(|v| *v != 0.0).collect())
}

/// The summary file: QOBLIB's header and one record.
fn summary_csv(instance: &Instance, runs: &[ExportedRun], best: f64, facts: &SubmissionFacts) -> anyhow::Result<Vec<u8>> {
    let (linear, pairs) = coefficients(instance);
    let all: Vec<f64> = linear.iter().chain(&pairs).copied().collect();
    let integer = all.iter().all(|v| v.fract() == 0.0);
    let range = match (all.iter().copied().reduce(f64::min), all.iter().copied().reduce(f64::max)) {
        (Some(lo), Some(hi)) => format!("{lo} - {hi}"),
        _ => format!("{NOT_AVAILABLE} - {NOT_AVAILABLE}"),
    };
    let rows: Vec<&ResultRow> = runs.iter().map(|r| r.row).collect();
    let total_s: f64 = rows.iter().map(|r| r.wall_time_s).sum();
    let engine = rows.first().and_then(|r| r.engine.clone()).unwrap_or_default();
    let device = rows.first().map(|r| r.device.clone()).unwrap_or_default();
    // Microseconds, as QOBLIB's submissions write runtimes (0.084357), not f64's 17 digits.
    let total = format!("{total_s:.6}").trim_end_matches('0').trim_end_matches('.').to_string();
    let on = |kind: &str| if engine == kind { total.clone() } else { NOT_AVAILABLE.to_string() };
    let successful = rows.iter().filter(|r| r.time_to_target_s.is_some()).count();
    let target = rows.first().and_then(|r| r.target).map_or("none".to_string(), |t| t.to_string());
    let na = NOT_AVAILABLE.to_string();
    let values: [String; 27] = [
        instance.name.clone(),
        facts.submitter.to_string(),
        facts.date.to_string(),
        format!("See Models Directory (QS files) using AOC-DT ({})", facts.version),
        best.to_string(),
        na.clone(),
        "QUBO".into(),
        instance.n_vars().to_string(),
        instance.n_binary().to_string(),
        na.clone(),
        na.clone(),
        // As Abs2's submissions count them: the symmetric matrix's off-diagonal non-zeros.
        (2 * pairs.len()).to_string(),
        if integer { "Integer" } else { "Real" }.into(),
        range,
        "Read the QS files, solve with AOC-DT (the analog optical computer's digital twin, aocbench bench)".into(),
        "Stochastic".into(),
        rows.len().to_string(),
        rows.iter().filter(|r| r.feasible).count().to_string(),
        successful.to_string(),
        na.clone(),
        format!("{device} ({engine} engine)"),
        total.clone(),
        on("cpu"),
        on("gpu"),
        na.clone(),
        na,
        format!(
            "AOC-DT simulates the analog optical computer on the hardware named; runtimes are its wall times summed over the runs (seeds differ per run); Successful Runs reached the target objective {target}; Coefficients Range is (Min - Max) of the objective's coefficients of xi and xi*xj; the series holds QS-file energies"
        ),
    ];
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(SUMMARY_HEADER)?;
    writer.write_record(&values)?;
    writer.into_inner().context("writing the summary")
}

/// The series: one list per run, each improvement as `{"Time": s, "Incumbent": energy, "step":
/// replica-iterations}`, gzip-compressed.
fn series_gz(sense: Sense, runs: &[&ExportedRun]) -> anyhow::Result<Vec<u8>> {
    let lists: Vec<Vec<serde_json::Value>> = runs
        .iter()
        .map(|r| r.improvements.iter().map(|i| json!({"Time": i.time_s, "Incumbent": energy(sense, i.objective), "step": i.mvm})).collect())
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(serde_json::to_string(&lists)?.as_bytes())?;
    Ok(gz.finish()?)
}

/// The solution in the class's format; `objective` is its judged value.
fn solution_text(instance: &Instance, format: SolutionFormat, x: &[f64], objective: f64) -> anyhow::Result<String> {
    let one = |v: &f64| *v == 1.0;
    Ok(match format {
        SolutionFormat::Digits => x.iter().map(|v| if one(v) { '1' } else { '0' }).collect::<String>() + "\n",
        SolutionFormat::NodeList => {
            let nodes: String = x.iter().enumerate().filter(|(_, v)| one(v)).map(|(i, _)| format!("{}\n", i + 1)).collect();
            format!("# Solution of {} by AOC-DT\n# Objective value = {objective}\n{nodes}", instance.name)
        }
        SolutionFormat::LabsSpins => {
            // n spins and n(n−1)/2 auxiliary products make the model's variables.
            let n = (0..=x.len()).find(|n| n + n * n.saturating_sub(1) / 2 >= x.len()).unwrap_or(0);
            let spins = &x[..n];
            anyhow::ensure!(labs_assignment(spins, x.len()).is_ok_and(|full| full == x), "{}: the best point's auxiliary variables are not its spins' products", instance.name);
            let lines: String = spins.iter().map(|v| if one(v) { "1\n" } else { "0\n" }).collect();
            format!("# Energy: {}\n# Consecutive entries: {}\n{lines}", energy(instance.sense, objective), run_lengths(spins))
        }
    })
}

/// The lengths of the runs of equal values in `spins`, written one after another in decimal, as
/// QOBLIB's LABS solutions give them: `1 0 1 0 1 1 0 0 0 0` → `111124` (a run of 10 writes `10`).
fn run_lengths(spins: &[f64]) -> String {
    spins.chunk_by(|a, b| a == b).map(|run| run.len().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::run_lengths;

    #[test]
    fn run_lengths_are_written_in_decimal_one_after_another() {
        assert_eq!(run_lengths(&[1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]), "111124");
        // QOBLIB's labs052.bst.sol ends "…22101": runs of 10 and 1.
        assert_eq!(run_lengths(&[[0.0; 2], [1.0; 2]].concat().into_iter().chain([0.0; 10]).chain([1.0]).collect::<Vec<_>>()), "22101");
        assert_eq!(run_lengths(&[]), "");
    }
}

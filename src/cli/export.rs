use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Deserialize;

use crate::results::SolverName;
use crate::benchmark::RecordedRun;
use super::failure::{Failure, Stage};
use crate::export::qoblib::{ExportedRun, SolutionFormat, Submission, SubmissionFacts};
use crate::output::destination::Destination;
use crate::instances::{self, InstanceDirs};
use crate::qoblib::QoblibClass;
use crate::reference::recorded::checkout_of;
use crate::sweep::Improvement;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// CPLEX LP with the quadratic objective in `[ … ] / 2` notation.
    Lp,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Instance file or name (e.g. QPLIB_0067).
    #[arg(required_unless_present = "qoblib")]
    pub file: Option<String>,
    #[arg(long, value_enum, required_unless_present = "qoblib")]
    pub to: Option<ExportFormat>,
    /// Output file (default: standard output): a regular file (replaced atomically) or a new
    /// path, not the instance; a symbolic link is followed (the file it points to is replaced,
    /// the link kept). With --qoblib: the folder the submission is written into (required).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write AOC-DT's runs in the bench results folder RESULTS_DIR as a QOBLIB submission, one
    /// folder per QOBLIB instance under --output: `<instance>_summary.csv` (QOBLIB's columns),
    /// `<instance>_objective_time_series.json.gz` (each run's improvements as QS-file energies)
    /// and `<instance>_solution.sol` (the best point in the class's format). Instances that are
    /// not QOBLIB `.qs` files are skipped with a note. docs/qoblib.md describes the files.
    #[arg(long, value_name = "RESULTS_DIR", conflicts_with_all = ["file", "to"], requires = "output")]
    pub qoblib: Option<PathBuf>,
    /// With --qoblib: the Submitter column.
    #[arg(long, value_name = "NAME", requires = "qoblib", default_value = "N/A")]
    pub submitter: String,
    /// With --qoblib: write into an --output folder that already holds files (the files of the
    /// run's instances are replaced; without it a non-empty folder is refused).
    #[arg(long, requires = "qoblib")]
    pub force: bool,
}

/// Writes the instance in the format asked for, or the QOBLIB submission. Errors: input errors
/// (an instance, results folder or output path that is refused, a file that cannot be
/// expressed in the format) before anything is written, and errors writing.
pub fn run(dir: &InstanceDirs, args: ExportArgs) -> Result<(), Failure> {
    if let Some(results) = &args.qoblib {
        let out = args.output.as_deref().context("--qoblib needs --output DIR").before_work()?;
        let holds_files = std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some());
        if holds_files && !args.force {
            return Err(Failure::Input(anyhow::anyhow!("{}: the folder already holds files (an earlier export?); choose a new folder, or --force to replace the run's instances there", out.display())));
        }
        return export_qoblib(results, out, &args.submitter);
    }
    let (Some(file), Some(to)) = (&args.file, args.to) else { return Err(Failure::Input(anyhow::anyhow!("give an instance and --to, or --qoblib RESULTS_DIR"))) };
    let (out, text) = instance_text(dir, file, to, args.output.as_deref()).before_work()?;
    match out {
        Some(out) => out.write(&text),
        None => std::io::Write::write_all(&mut std::io::stdout(), &text).map_err(anyhow::Error::from),
    }
    .during_work()
}

/// The instance `file` in the format `to`, and where it goes (the checked `output`; None:
/// standard output).
fn instance_text(dir: &InstanceDirs, file: &str, to: ExportFormat, output: Option<&Path>) -> anyhow::Result<(Option<Destination>, Vec<u8>)> {
    let path = instances::resolve_instance(dir, file)?;
    let out = output.map(|out| Destination::check(out, &[&path])).transpose()?;
    let instance = instances::read_instance(&path)?;
    let mut text = Vec::new();
    match to {
        ExportFormat::Lp => crate::reference::lp::write_lp(&instance, &mut text)?,
    }
    Ok((out, text))
}

/// The solution format of the QOBLIB class whose checkout holds `path`; None outside QOBLIB.
fn solution_format(path: &Path) -> Option<SolutionFormat> {
    checkout_of(path).map(|(_, class)| match class {
        QoblibClass::MarketSplit => SolutionFormat::Digits,
        QoblibClass::Labs => SolutionFormat::LabsSpins,
        QoblibClass::IndependentSet => SolutionFormat::NodeList,
    })
}

/// `aocbench export --qoblib`: every QOBLIB instance of the results folder `results` as a
/// submission folder under `out`; every submission is made and checked before the first is
/// written.
fn export_qoblib(results: &Path, out: &Path, submitter: &str) -> Result<(), Failure> {
    let submissions = submissions(results, submitter).before_work()?;
    for (name, submission) in submissions {
        for file in submission.write(&out.join(name)).during_work()? {
            crate::outln!("wrote {}", file.display());
        }
    }
    Ok(())
}

/// The submission of every QOBLIB instance with AOC-DT runs in the results folder `results`,
/// with the instance's name. Errors: a folder that does not read, an instance of it that does
/// not, a run that cannot be exported ([`Submission::new`]), no QOBLIB instance with runs.
fn submissions(results: &Path, submitter: &str) -> anyhow::Result<Vec<(String, Submission)>> {
    let recorded = RecordedRun::read(results)?;
    let date = recorded.metadata.started.get(..10).unwrap_or(&recorded.metadata.started).to_string();
    let facts = SubmissionFacts { submitter, date: &date, version: &recorded.metadata.version };
    let mut submissions = Vec::new();
    for listed in &recorded.metadata.instances {
        let path = PathBuf::from(listed);
        let Some(format) = solution_format(&path) else {
            crate::errln!("note: {listed} is not a QOBLIB instance (not in a QOBLIB class folder): not exported");
            continue;
        };
        let instance = instances::read_instance(&path).with_context(|| format!("reading {listed}, an instance of the run in {}", results.display()))?;
        let runs: Vec<ExportedRun> = recorded
            .rows
            .iter()
            .filter(|r| r.instance == instance.name && r.solver == SolverName::Aocdt)
            .map(|row| {
                let raw = recorded.runs.iter().find(|run| run.key() == Some((instance.name.as_str(), SolverName::Aocdt, row.repeat)));
                let value = match raw {
                    Some(crate::results::RawRun::Recorded(value)) => value.clone(),
                    _ => serde_json::Value::Null,
                };
                let improvements = Vec::<Improvement>::deserialize(&value["improvements"]).unwrap_or_default();
                let best_point = value["best_point"].as_str().map(|digits| digits.chars().map(|c| if c == '1' { 1.0 } else { 0.0 }).collect());
                ExportedRun { row, improvements, best_point }
            })
            .collect();
        if runs.is_empty() {
            crate::errln!("note: {} has no complete AOC-DT run in {}: not exported", instance.name, results.display());
            continue;
        }
        submissions.push((instance.name.clone(), Submission::new(&instance, format, &runs, &facts)?));
    }
    anyhow::ensure!(!submissions.is_empty(), "{}: no QOBLIB instance with AOC-DT runs to export", results.display());
    Ok(submissions)
}

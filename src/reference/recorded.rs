//! Recorded submissions: other solvers' runs on QOBLIB instances as QOBLIB's `submissions/` folders
//! hold them (Quantum Optimization Benchmark Library, arXiv 2504.03832; data CC BY 4.0).
//!
//! A submission folder is `<class>/submissions/<date>_<Solver>_<Submitter>/<instance>/` with
//! `<instance>_summary.csv` (one header row, [`SUMMARY_HEADER`], and one record),
//! `<instance>_objective_time_series.json.gz` (a list of lists of `{"Time": s, "Incumbent": v, …}`;
//! some submissions have none) and the solution (`.sol` or `.mst`). These runs happened on other
//! machines: they are read, normalised to the model's objective and judged, never re-run.
//!
//! Normalisation: a QUBO solver's series and solution are energies (the `.qs` file's minimised
//! value), while the summary's best is in the model's objective. For a model written as
//! `maximize` the objective is −energy, so such a series is negated; Gurobi's series is already in
//! the model's objective. The normalised final incumbent must equal the summary's best, else the
//! submission is refused ([`RecordedSubmission::read`]).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::metrics::Found;
use crate::model::{feasibility, objective, Instance, Sense};
use crate::qoblib::QoblibClass;

/// QOBLIB's submission summary columns, in order: the header row of every `*_summary.csv`.
pub const SUMMARY_HEADER: [&str; 27] = [
    "Problem",
    "Submitter",
    "Date",
    "Reference",
    "Best Objective Value",
    "Optimality Bound",
    "Modeling Approach",
    "# Decision Variables",
    "# Binary Variables",
    "# Integer Variables",
    "# Continuous Variables",
    "# Non-Zero Coefficients",
    "Coefficients Type",
    "Coefficients Range",
    "Workflow",
    "Algorithm Type",
    "# Runs",
    "# Feasible Runs",
    "# Successful Runs",
    "Success Threshold",
    "Hardware Specifications",
    "Total Runtime",
    "CPU Runtime",
    "GPU Runtime",
    "QPU Runtime",
    "Other HW Runtime",
    "Remarks",
];

/// QOBLIB's word for a value a submission does not give.
pub const NOT_AVAILABLE: &str = "N/A";

/// One `*_summary.csv`: its record by column of [`SUMMARY_HEADER`].
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionSummary {
    /// The record's values, in [`SUMMARY_HEADER`] order.
    pub values: Vec<String>,
}

impl SubmissionSummary {
    /// Reads a summary file: exactly QOBLIB's header row and one record of as many fields.
    ///
    /// Errors name the file and the line: a missing or different header, a record with another
    /// number of fields, no record or more than one, a `Best Objective Value` that is neither a
    /// number nor `N/A`.
    pub fn read(path: &Path) -> anyhow::Result<SubmissionSummary> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("{}: not a QOBLIB submission summary", path.display()))
    }

    /// [`SubmissionSummary::read`] on the file's text.
    pub fn parse(text: &str) -> anyhow::Result<SubmissionSummary> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = records.next().ok_or_else(|| anyhow!("line 1: empty file, expected QOBLIB's header row"))?.context("line 1")?;
        if header.iter().ne(SUMMARY_HEADER) {
            let differs = (0..SUMMARY_HEADER.len().max(header.len())).find(|&i| header.get(i) != SUMMARY_HEADER.get(i).copied()).unwrap_or(0);
            bail!("line 1: column {} is {:?}, QOBLIB's header has {:?} there", differs + 1, header.get(differs).unwrap_or("(none)"), SUMMARY_HEADER.get(differs).copied().unwrap_or("(none)"));
        }
        let record = records.next().ok_or_else(|| anyhow!("line 2: no record after the header"))?.context("line 2")?;
        let line = record.position().map_or(2, |p| p.line());
        if record.len() != SUMMARY_HEADER.len() {
            bail!("line {line}: {} fields, the header has {}", record.len(), SUMMARY_HEADER.len());
        }
        if let Some(extra) = records.next() {
            let extra_line = extra.ok().and_then(|r| r.position().map(|p| p.line())).unwrap_or(line + 1);
            bail!("line {extra_line}: a second record; a summary holds one run's record");
        }
        let summary = SubmissionSummary { values: record.iter().map(str::to_string).collect() };
        summary.best_objective().with_context(|| format!("line {line}"))?;
        Ok(summary)
    }

    /// The value of column `name` of [`SUMMARY_HEADER`] (panics on a name not in it: a programming error).
    pub fn get(&self, name: &str) -> &str {
        let i = SUMMARY_HEADER.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name:?} is not a QOBLIB summary column"));
        self.values[i].trim()
    }

    /// `Best Objective Value`, in the model's objective; None for `N/A`.
    pub fn best_objective(&self) -> anyhow::Result<Option<f64>> {
        optional_number(self.get("Best Objective Value")).context("Best Objective Value")
    }

    /// `Total Runtime` in seconds; None for `N/A`.
    pub fn total_runtime_s(&self) -> Option<f64> {
        optional_number(self.get("Total Runtime")).ok().flatten()
    }

    /// True when the submission solved the `.qs` QUBO (its series and solution are energies).
    pub fn solves_qubo(&self) -> bool {
        self.get("Modeling Approach").eq_ignore_ascii_case("QUBO")
    }
}

/// A number, or None for `N/A`.
fn optional_number(text: &str) -> anyhow::Result<Option<f64>> {
    if text == NOT_AVAILABLE {
        return Ok(None);
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite()).map(Some).ok_or_else(|| anyhow!("{text:?} is neither a finite number nor {NOT_AVAILABLE}"))
}

/// One entry of a series as recorded: seconds since the run started and the incumbent's value as
/// the solver reported it (energy or objective).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordedIncumbent {
    pub time_s: f64,
    pub value: f64,
}

/// Reads an `*_objective_time_series.json.gz` (gzip, or plain JSON for a name without `.gz`):
/// the entries of all its lists in file order.
///
/// Errors name the file and the record (`list i, entry j`, 1-based): not a list of lists of
/// objects, a `Time` or `Incumbent` that is missing or not a finite number, a negative time, or a
/// time earlier than the entry before it.
pub fn read_series(path: &Path) -> anyhow::Result<Vec<RecordedIncumbent>> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut text = String::new();
    let read = if path.extension().is_some_and(|e| e == "gz") { flate2::read::GzDecoder::new(file).read_to_string(&mut text) } else { std::io::BufReader::new(file).read_to_string(&mut text) };
    read.with_context(|| format!("reading {}", path.display()))?;
    parse_series(&text).with_context(|| format!("{}: not a QOBLIB objective time series", path.display()))
}

/// [`read_series`] on the decompressed text.
pub fn parse_series(text: &str) -> anyhow::Result<Vec<RecordedIncumbent>> {
    let value: Value = serde_json::from_str(text).context("invalid JSON")?;
    let lists = value.as_array().ok_or_else(|| anyhow!("the top level is not a list of lists"))?;
    let mut series: Vec<RecordedIncumbent> = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        let entries = list.as_array().ok_or_else(|| anyhow!("list {}: not a list of entries", i + 1))?;
        for (j, entry) in entries.iter().enumerate() {
            let at = || format!("list {}, entry {}", i + 1, j + 1);
            let field = |name: &str| entry.get(name).and_then(Value::as_f64).filter(|v| v.is_finite()).ok_or_else(|| anyhow!("{}: {name:?} is missing or not a finite number", at()));
            let (time_s, value) = (field("Time")?, field("Incumbent")?);
            if time_s < 0.0 {
                bail!("{}: Time {time_s} is negative", at());
            }
            if let Some(before) = series.last().filter(|b| b.time_s > time_s) {
                bail!("{}: Time {time_s} is earlier than the entry before it ({})", at(), before.time_s);
            }
            series.push(RecordedIncumbent { time_s, value });
        }
    }
    Ok(series)
}

/// Reads a solution file for a `.qs` model of `n_vars` variables: the 0/1 values of its
/// variables in the file's order. Formats, as QOBLIB's classes write them:
/// - `x#k v` lines (Gurobi's `.sol`, Abs2's `.mst`; `k` 1-based);
/// - one line of `n_vars` digits 0/1 (market split);
/// - one 1-based variable index a line, the variables at 1 (independent set's `solutions/`);
/// - `# Energy: E` and then one spin 0/1 a line (LABS): the spins x₁…xₙ, to which the model's
///   auxiliary variables are added ([`labs_assignment`]).
///
/// `#` lines are comments. Errors name the file and line: a value other than 0 or 1, an index
/// outside 1..=n_vars or given twice, a line of digits of another length, a line in no format,
/// variables left without a value, or LABS spins that do not fit the model's size.
pub fn read_solution(path: &Path, n_vars: usize) -> anyhow::Result<Vec<f64>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_solution(&text, n_vars).with_context(|| format!("{}: not a QOBLIB solution of {n_vars} variables", path.display()))
}

/// [`read_solution`] on the file's text.
pub fn parse_solution(text: &str, n_vars: usize) -> anyhow::Result<Vec<f64>> {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    let labs = lines.first().is_some_and(|(_, l)| l.starts_with("# Energy"));
    let data: Vec<(usize, &str)> = lines.into_iter().filter(|(_, l)| !l.starts_with('#')).collect();
    let bit = |line: usize, value: &str| match value {
        "0" | "0.0" => Ok(0.0),
        "1" | "1.0" => Ok(1.0),
        _ => Err(anyhow!("line {line}: value {value:?} is not 0 or 1")),
    };
    if labs {
        let spins: Vec<f64> = data.iter().map(|&(line, value)| bit(line, value)).collect::<anyhow::Result<_>>()?;
        return labs_assignment(&spins, n_vars);
    }
    if let [(line, digits)] = data.as_slice() {
        if digits.len() > 1 && digits.chars().all(|c| c == '0' || c == '1') {
            if digits.len() != n_vars {
                bail!("line {line}: {} values, the model has {n_vars} variables", digits.len());
            }
            return Ok(digits.chars().map(|c| if c == '1' { 1.0 } else { 0.0 }).collect());
        }
    }
    let index = |line: usize, name: &str| name.parse::<usize>().ok().filter(|k| (1..=n_vars).contains(k)).ok_or_else(|| anyhow!("line {line}: {name:?} is not a variable 1 … {n_vars}"));
    let mut x: Vec<Option<f64>> = vec![None; n_vars];
    let node_list = data.iter().all(|(_, l)| l.chars().all(|c| c.is_ascii_digit()));
    for (line, text) in data {
        let (k, v) = if node_list {
            (index(line, text)?, 1.0)
        } else {
            let mut fields = text.split_whitespace();
            let (Some(name), Some(value), None) = (fields.next(), fields.next(), fields.next()) else {
                bail!("line {line}: {text:?} is not `x#k value`");
            };
            (name.strip_prefix("x#").map(|k| index(line, k)).ok_or_else(|| anyhow!("line {line}: {name:?} is not x#k"))??, bit(line, value)?)
        };
        if x[k - 1].replace(v).is_some() {
            bail!("line {line}: variable {k} is given twice");
        }
    }
    if node_list {
        return Ok(x.into_iter().map(|v| v.unwrap_or(0.0)).collect());
    }
    let missing = x.iter().filter(|v| v.is_none()).count();
    if missing > 0 {
        bail!("{missing} of the {n_vars} variables have no value");
    }
    Ok(x.into_iter().flatten().collect())
}

/// The full assignment of QOBLIB's LABS QUBO from the spins x₁…xₙ: its variables are x[1..n]
/// then z[i, k] for i = 1…n, k = 1…n−1 with i ≤ n−k (ZIMPL's order), and the penalty
/// 3z − 2z·xᵢ − 2z·xᵢ₊ₖ + xᵢ·xᵢ₊ₖ vanishes exactly at z = xᵢ·xᵢ₊ₖ. Errors when the model's
/// `n_vars` is not n + n(n−1)/2.
pub fn labs_assignment(spins: &[f64], n_vars: usize) -> anyhow::Result<Vec<f64>> {
    let n = spins.len();
    anyhow::ensure!(n + n * n.saturating_sub(1) / 2 == n_vars, "{n} LABS spins make a model of {} variables, this one has {n_vars}", n + n * n.saturating_sub(1) / 2);
    let mut x = spins.to_vec();
    for i in 0..n {
        for k in 1..n - i {
            x.push(spins[i] * spins[i + k]);
        }
    }
    Ok(x)
}

/// The solvers QOBLIB's submissions name that aocbench reads (the `<Solver>` of the folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordedSolver {
    /// Abs2, a GPU QUBO solver.
    Abs2,
    Gurobi,
}

impl RecordedSolver {
    /// The solver a submission folder `<date>_<Solver>_<Submitter>` names, if aocbench reads it.
    fn of_submission(submission: &str) -> Option<RecordedSolver> {
        match submission.split('_').nth(1).unwrap_or_default().to_ascii_lowercase().as_str() {
            "abs2" => Some(RecordedSolver::Abs2),
            "gurobi" => Some(RecordedSolver::Gurobi),
            _ => None,
        }
    }
}

/// One submission for one instance, read, normalised and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedSubmission {
    pub solver: RecordedSolver,
    /// The submission folder's name, `<date>_<Solver>_<Submitter>`.
    pub submission: String,
    /// The instance folder inside it.
    pub dir: PathBuf,
    pub summary: SubmissionSummary,
    /// The summary's best in the model's objective (None for `N/A`).
    pub claimed_best: Option<f64>,
    /// The series in the model's objective, in time order (empty without a series file).
    pub series: Vec<Found>,
    /// The solution file, if the submission has one, with its assignment.
    pub solution: Option<(PathBuf, Vec<f64>)>,
}

impl RecordedSubmission {
    /// Reads the submission in `dir` (`…/submissions/<date>_<Solver>_<Submitter>/<instance>/`)
    /// for a model of `sense` with `n_vars` variables.
    ///
    /// Errors: the folder names no solver aocbench reads; the summary, series or solution is
    /// malformed (the error names the file and line or record); the normalised final incumbent of
    /// the series differs from the summary's best (the error gives both and the rule applied).
    pub fn read(dir: &Path, sense: Sense, n_vars: usize) -> anyhow::Result<RecordedSubmission> {
        let instance = file_name(dir)?;
        let submission = dir.parent().map(file_name).transpose()?.unwrap_or_default();
        let solver = RecordedSolver::of_submission(&submission).ok_or_else(|| anyhow!("{}: the submission {submission:?} names no solver aocbench reads (Abs2, Gurobi)", dir.display()))?;
        let summary_path = dir.join(format!("{instance}_summary.csv"));
        let summary = SubmissionSummary::read(&summary_path)?;
        let claimed_best = summary.best_objective()?;
        let series_path = dir.join(format!("{instance}_objective_time_series.json.gz"));
        let series = if series_path.exists() { normalise(&read_series(&series_path)?, &summary, sense).with_context(|| format!("{}", series_path.display()))? } else { Vec::new() };
        let solution = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "sol" || e == "mst"))
            .map(|p| read_solution(&p, n_vars).map(|point| (p, point)))
            .transpose()?;
        Ok(RecordedSubmission { solver, submission, dir: dir.to_path_buf(), summary, claimed_best, series, solution })
    }

    /// The recorded hardware (`Hardware Specifications`).
    pub fn hardware(&self) -> &str {
        self.summary.get("Hardware Specifications")
    }

    /// The solution judged by [`crate::model::objective`] and [`crate::model::feasibility`]:
    /// (objective, feasible, max violation); None without a solution file.
    pub fn judged(&self, instance: &Instance) -> Option<(f64, bool, f64)> {
        self.solution.as_ref().map(|(_, x)| {
            let f = feasibility(instance, x);
            (objective(instance, x), f.feasible, f.max_violation)
        })
    }
}

/// `status` of a recorded run whose solution the judge confirmed.
pub const STATUS_RECORDED: &str = "recorded";
/// `status` of a recorded run without an assignment to judge: the summary's claim stands.
pub const STATUS_UNJUDGED: &str = "unjudged";
/// `status` of a recorded run whose claim the judge contradicts: the judged values stand.
pub const STATUS_CONTRADICTED: &str = "contradicted";

/// A recorded run as judged here: what its row and its raw run in results.json hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedOutcome {
    pub solver: RecordedSolver,
    /// `<date>_<Solver>_<Submitter>`.
    pub submission: String,
    /// The instance folder read.
    pub dir: String,
    /// `Hardware Specifications`, as the submitter wrote it.
    pub hardware: String,
    /// The judged objective of the solution; without one to judge, the summary's claim.
    pub objective: Option<f64>,
    pub feasible: bool,
    pub max_violation: Option<f64>,
    /// The summary's `Best Objective Value` in the model's objective.
    pub claimed_best: Option<f64>,
    /// [`STATUS_RECORDED`], [`STATUS_UNJUDGED`] or [`STATUS_CONTRADICTED`].
    pub status: String,
    /// Why the run is unjudged or how the judge contradicts it.
    pub note: Option<String>,
    /// `Total Runtime` in seconds (0 when `N/A`).
    pub wall_time_s: f64,
    /// QOBLIB records no thread count: 0.
    pub threads: usize,
    /// The incumbents in the model's objective, as (seconds, objective): the claimed series, or
    /// after a contradiction only the judged point at the run's end.
    pub trajectory: Vec<(f64, f64)>,
}

impl RecordedOutcome {
    /// Judges `submission` on `instance` (the model it was read for). A solution whose judged
    /// objective differs from the claim, or that the judge finds infeasible, is contradicted.
    pub fn of(submission: &RecordedSubmission, instance: &Instance) -> RecordedOutcome {
        let claimed = submission.claimed_best;
        let wall_time_s = submission.summary.total_runtime_s().unwrap_or(0.0);
        let series: Vec<(f64, f64)> = submission.series.iter().map(|f| (f.time_s, f.objective)).collect();
        // Without a series the best is known to be held at the run's end, no earlier.
        let series_or_end = |objective: f64| if series.is_empty() { vec![(wall_time_s, objective)] } else { series.clone() };
        let (objective, feasible, max_violation, status, note, trajectory) = match submission.judged(instance) {
            Some((objective, true, violation)) if Some(objective) == claimed => (Some(objective), true, Some(violation), STATUS_RECORDED, None, series_or_end(objective)),
            Some((objective, feasible, violation)) => {
                let claim = claimed.map_or(NOT_AVAILABLE.to_string(), |c| c.to_string());
                let note = format!("the judge gives the solution objective {objective} ({}), the summary claims {claim}", if feasible { "feasible" } else { "infeasible" });
                let end = series.last().map_or(wall_time_s, |p| p.0);
                let trajectory = if feasible { vec![(end, objective)] } else { Vec::new() };
                (Some(objective), feasible, Some(violation), STATUS_CONTRADICTED, Some(note), trajectory)
            }
            None => {
                let why = "the submission has no solution file".to_string();
                // Without a point only an unconstrained model's claim can be feasible.
                let feasible = claimed.is_some() && instance.constraints.is_empty();
                let trajectory = claimed.filter(|_| feasible).map_or(Vec::new(), series_or_end);
                (claimed, feasible, None, STATUS_UNJUDGED, Some(why), trajectory)
            }
        };
        RecordedOutcome {
            solver: submission.solver,
            submission: submission.submission.clone(),
            dir: submission.dir.display().to_string(),
            hardware: submission.hardware().to_string(),
            objective,
            feasible,
            max_violation,
            claimed_best: claimed,
            status: status.to_string(),
            note,
            wall_time_s,
            threads: 0,
            trajectory,
        }
    }

    /// The trajectory as the metrics take it.
    pub fn found(&self) -> Vec<Found> {
        self.trajectory.iter().map(|&(time_s, objective)| Found { time_s, mvm: None, objective }).collect()
    }
}

fn file_name(path: &Path) -> anyhow::Result<String> {
    path.file_name().and_then(|n| n.to_str()).map(str::to_string).ok_or_else(|| anyhow!("{}: no folder name", path.display()))
}

/// The series in the model's objective: negated for a QUBO solver on a maximised model (its
/// values are energies = −objective). Error when the last normalised incumbent is not the
/// summary's best.
pub fn normalise(series: &[RecordedIncumbent], summary: &SubmissionSummary, sense: Sense) -> anyhow::Result<Vec<Found>> {
    let energies = summary.solves_qubo();
    let scale = if energies && sense == Sense::Maximize { -1.0 } else { 1.0 };
    let found: Vec<Found> = series.iter().map(|r| Found { time_s: r.time_s, mvm: None, objective: scale * r.value }).collect();
    let (Some(last), Some(best)) = (found.last(), summary.best_objective()?) else { return Ok(found) };
    if last.objective != best {
        let rule = if scale < 0.0 { "negated: a QUBO solver's energies of a maximised model" } else if energies { "as recorded: a QUBO solver's energies of a minimised model" } else { "as recorded: the model's objective" };
        bail!("the final incumbent {} ({rule}) is not the summary's Best Objective Value {best}", last.objective);
    }
    Ok(found)
}

/// The QOBLIB checkout and class of an instance file read from one (`<checkout>/<class
/// folder>/<file>`, [`QoblibClass::folder`]); None for a file elsewhere.
pub fn checkout_of(path: &Path) -> Option<(PathBuf, QoblibClass)> {
    let parent = path.parent()?;
    QoblibClass::ALL.into_iter().find_map(|class| {
        let folder = Path::new(class.folder());
        parent.ends_with(folder).then(|| (parent.ancestors().nth(folder.components().count()).unwrap_or(Path::new("")).to_path_buf(), class))
    })
}

/// Where `bench` reads recorded submissions from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedSource {
    /// None are read.
    Nowhere,
    /// This QOBLIB checkout.
    Checkout(PathBuf),
    /// The checkout each instance file was read from ([`checkout_of`]); none for other files.
    InstanceCheckout,
}

impl RecordedSource {
    /// `--recorded DIR`: the checkout `dir`. Errors: `dir` holds no class folder with
    /// submissions (`01-marketsplit/submissions/`, …), as a class folder or an empty one does
    /// not — silently reading nothing would hide the mistake.
    pub fn checkout(dir: PathBuf) -> anyhow::Result<RecordedSource> {
        let classes = QoblibClass::ALL.map(|c| format!("{}/submissions/", c.top()));
        anyhow::ensure!(
            QoblibClass::ALL.iter().any(|c| dir.join(c.top()).join("submissions").is_dir()),
            "--recorded {}: not a QOBLIB checkout; a checkout holds class folders with their submissions ({}), and --recorded takes the folder that holds them",
            dir.display(),
            classes.join(", ")
        );
        Ok(RecordedSource::Checkout(dir))
    }

    /// The recorded submissions for `instance`, read from `path`, checked and normalised.
    pub fn submissions(&self, path: &Path, instance: &Instance) -> anyhow::Result<Submissions> {
        let root = match self {
            RecordedSource::Nowhere => return Ok(Submissions::default()),
            RecordedSource::Checkout(root) => root.clone(),
            RecordedSource::InstanceCheckout => match checkout_of(path) {
                Some((root, _)) => root,
                None => return Ok(Submissions::default()),
            },
        };
        let (known, unread): (Vec<PathBuf>, Vec<PathBuf>) = submission_dirs(&root, &instance.name)?.into_iter().partition(|dir| {
            let submission = dir.parent().and_then(Path::file_name).unwrap_or_default();
            RecordedSolver::of_submission(&submission.to_string_lossy()).is_some()
        });
        let read = known.iter().map(|dir| RecordedSubmission::read(dir, instance.sense, instance.n_vars())).collect::<anyhow::Result<_>>()?;
        Ok(Submissions { read, unread })
    }
}

/// The submissions for one instance.
#[derive(Debug, Default)]
pub struct Submissions {
    /// Those of solvers aocbench reads, read and checked.
    pub read: Vec<RecordedSubmission>,
    /// The instance folders of the others (another submitter's solver, or aocbench's own
    /// export placed in a checkout): skipped, with a warning.
    pub unread: Vec<PathBuf>,
}

/// The instance folders of every submission for `instance` under a QOBLIB checkout `root`
/// (`root/<class>/submissions/<submission>/<instance>/` holding `<instance>_summary.csv`), sorted.
pub fn submission_dirs(root: &Path, instance: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    let entries = std::fs::read_dir(root).with_context(|| format!("reading the QOBLIB checkout {}", root.display()))?;
    for class in entries.filter_map(|e| e.ok()) {
        let Ok(submissions) = std::fs::read_dir(class.path().join("submissions")) else { continue };
        for submission in submissions.filter_map(|e| e.ok()) {
            let dir = submission.path().join(instance);
            if dir.join(format!("{instance}_summary.csv")).is_file() {
                dirs.push(dir);
            }
        }
    }
    dirs.sort();
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_text(best: &str, approach: &str) -> String {
        let mut values = vec!["N/A"; 27];
        values[0] = "p";
        values[4] = best;
        values[6] = approach;
        format!("{}\n{}\n", SUMMARY_HEADER.join(","), values.join(","))
    }

    #[test]
    fn summary_reads_its_record() {
        let s = SubmissionSummary::parse(&summary_text("34", "QUBO")).unwrap();
        assert_eq!(s.best_objective().unwrap(), Some(34.0));
        assert!(s.solves_qubo());
        assert_eq!(s.total_runtime_s(), None);
    }

    #[test]
    fn malformed_summaries_name_the_line() {
        let wrong_header = summary_text("1", "QUBO").replacen("Best Objective Value", "Best", 1);
        assert!(format!("{:#}", SubmissionSummary::parse(&wrong_header).unwrap_err()).contains("line 1: column 5 is \"Best\""));
        let short = format!("{}\np,q\n", SUMMARY_HEADER.join(","));
        assert!(format!("{:#}", SubmissionSummary::parse(&short).unwrap_err()).contains("line 2: 2 fields, the header has 27"));
        let bad_best = summary_text("abc", "QUBO");
        assert!(format!("{:#}", SubmissionSummary::parse(&bad_best).unwrap_err()).contains("line 2: Best Objective Value: \"abc\""));
        let two = format!("{}{}", summary_text("1", "QUBO"), summary_text("1", "QUBO").lines().nth(1).unwrap());
        assert!(format!("{:#}", SubmissionSummary::parse(&two).unwrap_err()).contains("line 3: a second record"));
        assert!(format!("{:#}", SubmissionSummary::parse("").unwrap_err()).contains("line 1: empty file"));
    }

    #[test]
    fn malformed_series_name_the_record() {
        let err = |t: &str| format!("{:#}", parse_series(t).unwrap_err());
        assert!(err("{}").contains("not a list of lists"));
        assert!(err(r#"[[{"Time":0,"Incumbent":1},{"Time":1}]]"#).contains("list 1, entry 2: \"Incumbent\" is missing"));
        assert!(err(r#"[[{"Time":2,"Incumbent":1}],[{"Time":1,"Incumbent":1}]]"#).contains("list 2, entry 1: Time 1 is earlier"));
        assert!(err(r#"[[{"Time":-1,"Incumbent":1}]]"#).contains("Time -1 is negative"));
        assert!(err("[[").contains("invalid JSON"));
        assert_eq!(parse_series(r#"[[{"Time":0.5,"Incumbent":-3,"step":1}]]"#).unwrap(), vec![RecordedIncumbent { time_s: 0.5, value: -3.0 }]);
    }

    #[test]
    fn energies_of_a_maximised_model_are_negated_and_checked() {
        let series = [RecordedIncumbent { time_s: 0.1, value: -30.0 }, RecordedIncumbent { time_s: 0.2, value: -34.0 }];
        let qubo = SubmissionSummary::parse(&summary_text("34", "QUBO")).unwrap();
        let found = normalise(&series, &qubo, Sense::Maximize).unwrap();
        assert_eq!(found.iter().map(|f| f.objective).collect::<Vec<_>>(), [30.0, 34.0]);
        // The same series claimed in the model's objective contradicts the summary.
        let blp = SubmissionSummary::parse(&summary_text("34", "Binary Linear Program")).unwrap();
        let err = format!("{:#}", normalise(&series, &blp, Sense::Maximize).unwrap_err());
        assert!(err.contains("final incumbent -34 (as recorded: the model's objective) is not the summary's Best Objective Value 34"), "{err}");
        assert!(normalise(&series, &qubo, Sense::Minimize).is_err());
    }

    /// A one-variable maximised model, max x: 1 at x = 1.
    fn one_variable() -> Instance {
        Instance::binary("one", Sense::Maximize, Vec::new(), vec![1.0], 0.0, Vec::new())
    }

    fn submission(claimed: f64, x: f64) -> RecordedSubmission {
        RecordedSubmission {
            solver: RecordedSolver::Gurobi,
            submission: "20250101_Gurobi_Someone".into(),
            dir: PathBuf::from("one"),
            summary: SubmissionSummary::parse(&summary_text(&claimed.to_string(), "Binary Linear Program")).unwrap(),
            claimed_best: Some(claimed),
            series: vec![Found { time_s: 0.5, mvm: None, objective: claimed }],
            solution: Some((PathBuf::from("one.sol"), vec![x])),
        }
    }

    #[test]
    fn the_judge_confirms_or_contradicts_a_claim() {
        let confirmed = RecordedOutcome::of(&submission(1.0, 1.0), &one_variable());
        assert_eq!((confirmed.status.as_str(), confirmed.objective, confirmed.trajectory.clone()), (STATUS_RECORDED, Some(1.0), vec![(0.5, 1.0)]));
        let contradicted = RecordedOutcome::of(&submission(1.0, 0.0), &one_variable());
        assert_eq!((contradicted.status.as_str(), contradicted.objective), (STATUS_CONTRADICTED, Some(0.0)));
        // The claimed series is not trusted: only the judged point, at the series' end.
        assert_eq!(contradicted.trajectory, vec![(0.5, 0.0)]);
        assert!(contradicted.note.unwrap().contains("the judge gives the solution objective 0 (feasible), the summary claims 1"));
    }

    #[test]
    fn a_checkout_and_class_from_an_instance_path() {
        let path = Path::new("/q/07-independentset/models/binary_unconstrained/qs_files/C125-9.qs.xz");
        assert_eq!(checkout_of(path), Some((PathBuf::from("/q"), QoblibClass::IndependentSet)));
        assert_eq!(checkout_of(Path::new("/q/qplib/QPLIB_0067.qplib")), None);
    }

    #[test]
    fn solutions_in_each_format() {
        assert_eq!(parse_solution("0110\n", 4).unwrap(), [0.0, 1.0, 1.0, 0.0]);
        assert_eq!(parse_solution("# Objective value = 1\nx#2 1\nx#1  0\n", 2).unwrap(), [0.0, 1.0]);
        assert_eq!(parse_solution("# Objective value = 2\n3\n1\n", 4).unwrap(), [1.0, 0.0, 1.0, 0.0]);
        // Spins 1, 0, 1: z[1,1] = x1·x2, z[1,2] = x1·x3, z[2,1] = x2·x3.
        assert_eq!(parse_solution("# Energy: 1\n# Consecutive entries: 2\n1\n0\n1\n", 6).unwrap(), [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        assert!(format!("{:#}", parse_solution("# Energy: 1\n0\n0\n", 4).unwrap_err()).contains("2 LABS spins make a model of 3 variables, this one has 4"));
        assert!(format!("{:#}", parse_solution("5\n", 4).unwrap_err()).contains("line 1: \"5\" is not a variable 1 … 4"));
        let err = |t: &str, n| format!("{:#}", parse_solution(t, n).unwrap_err());
        assert!(err("011\n", 4).contains("line 1: 3 values, the model has 4"));
        assert!(err("x#1 1\nx#3 1\n", 2).contains("line 2: \"3\" is not a variable 1 … 2"));
        assert!(err("x#1 2\n", 1).contains("line 1: value \"2\" is not 0 or 1"));
        assert!(err("x#1 1\nx#1 0\n", 1).contains("line 2: variable 1 is given twice"));
        assert!(err("x#1 1\n", 2).contains("1 of the 2 variables have no value"));
        assert!(err("hello\n", 2).contains("line 1: \"hello\" is not `x#k value`"));
    }
}

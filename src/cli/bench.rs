use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};

use super::failure::{Failure, Stage};
use super::{EngineArgs, HardwareArgs, SweepArgs, DEFAULT_TIME_LIMIT_S};
use crate::benchmark::{run_bench, BenchConfig, BenchSet};
use crate::output::results_folder::{OutputFiles, OutputMode};
use crate::results::{BenchResults, SolverName};
use crate::cluster::ShardSpec;
use crate::machine::available_cores;
use super::progress_bar::InstanceProgress;
use crate::export::console;
use crate::table::{count, number};
use crate::output::warnings::{self, Warning};
use crate::instances::{self, InstanceDirs};
use crate::qoblib::{self, QoblibClass};
use crate::qplib::{Catalog, CatalogEntry};
use crate::reference::recorded::RecordedSource;
use crate::reference::{PenaltyRule, ReferenceOptions, ReferenceSolver};
use crate::sweep::Budget;

#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 every run asked for ran; 1 the run ended but not as asked: a run failed (status error) or was skipped, \
a reference could not be set up and the bench went on without it, or an error stopped the run after instances had started (standard error \
says which); 2 a usage or input error before any instance ran: an invalid option, a missing or unreadable instance or catalog, an output \
folder that is refused (not empty, locked, another run's under --resume); 130 stopped by Ctrl-C.")]
pub struct BenchArgs {
    /// Instance files or names (e.g. QPLIB_0067). Default: the --set.
    pub instances: Vec<String>,
    /// A named set [default: smoke].
    #[arg(long, value_enum, conflicts_with = "instances")]
    pub set: Option<BenchSet>,
    /// The best-known objective of the one instance benchmarked (a finite number, in the
    /// instance's sense and QPLIB's ½·xᵀQx convention): every solver's target, in place of the
    /// catalog's. Without a target "reached" means reaching AOC-DT's own best.
    #[arg(long, value_name = "VALUE", conflicts_with = "catalog", allow_negative_numbers = true)]
    pub best_known: Option<f64>,
    /// Best-known objectives for many instances: a CSV in catalog.csv's format (columns in
    /// docs/instances.md; `aocbench info FILES --catalog-rows` writes the rows without the
    /// values). Its rows replace the instance folder's for the instances they name; a row
    /// naming no instance of the run is warned about, and a file none of whose rows does is an
    /// error.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub hardware: HardwareArgs,
    /// The solvers AOC-DT is compared with, comma-separated, run in this order on each instance
    /// with the same time limit, seed and threads: the exact solvers `scip` and `gurobi`, and the
    /// heuristic peers `sa` (simulated annealing) and `tabu` (tabu search) from dwave-samplers,
    /// `bsb` and `dsb` (ballistic and discrete simulated bifurcation; PyTorch, installed only by
    /// `aocbench setup --reference bsb`). `none` benchmarks AOC-DT alone. SCIP, sa and tabu
    /// solve on one thread whatever --threads says (the report says so); Gurobi and bsb/dsb get
    /// --threads.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "scip")]
    pub reference: Vec<ReferenceArg>,
    /// How the heuristic peers (sa, tabu, bsb, dsb) weigh the rows they get as penalties with
    /// binary slacks: `adaptive` starts every row at AOC-DT's starting weight and doubles the
    /// rows the best read violates between rounds; `dimod-default` is dimod's cqm_to_bqm with
    /// its default multiplier.
    #[arg(long, value_enum, default_value_t = PenaltyRule::default())]
    pub ref_penalty: PenaltyRule,
    /// Rows for the runs recorded in QOBLIB submissions (Abs2, Gurobi) on the run's instances,
    /// read from the QOBLIB checkout DIR (`<class>/submissions/<date>_<Solver>_<Submitter>/
    /// <instance>/`; docs/qoblib.md): each becomes a row `abs2_recorded` or
    /// `gurobi_recorded` with its solution judged here, its incumbent series as its curve and its
    /// hardware as its device. These runs happened on other machines: no time ratio is formed
    /// with them. A malformed submission, or one whose series ends elsewhere than its summary's
    /// best, is refused before the run starts; another solver's submission is skipped with a
    /// warning. DIR must be the checkout (the folder of the class folders). `none` leaves them out. Default: for each QOBLIB
    /// instance, the checkout its file was read from (none for QPLIB instances).
    #[arg(long, value_name = "DIR|none")]
    pub recorded: Option<PathBuf>,
    /// The reference's time limit per solve. Default: AOC-DT's --time-limit (10 s under --work).
    #[arg(long, value_name = "SECONDS")]
    pub ref_time_limit: Option<f64>,
    /// Runs per instance and solver, at most 10000; repeat r uses seed --seed + r.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::resources::MAX_REPEATS)))]
    pub repeats: u32,
    /// Output folder (default: results/bench-DATE-TIME). A folder that holds anything is
    /// refused, so that no previous run is overwritten (see --resume and --force).
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the run in DIR instead of starting one (DIR is the output folder): only the
    /// units (instance × repeat) not complete there run, and its finished rows stay as they are.
    /// Give the run's options again: a folder of another run, or another shard, is refused with
    /// the difference named. A folder without results.json starts the run there.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Use a non-empty --out folder anyway: its bench files (results.csv, results.json,
    /// comparison.csv, comparison.md, profile.svg, gap_over_time.svg) are deleted first; other
    /// files stay.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Run only shard K of N (`2/8`): the run's units are dealt to N shards by estimated cost,
    /// the same way in every process; N is at most 10000, and shards beyond the units get none.
    /// `slurm` takes K and N from the Slurm job array task (array ids one contiguous range).
    /// Put the shards' folders together with `aocbench merge`.
    #[arg(long, value_name = "K/N|slurm")]
    pub shard: Option<ShardSpec>,
}

/// A value of `--reference`: a reference solver by its own name, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceArg {
    Solver(ReferenceSolver),
    None,
}

impl ValueEnum for ReferenceArg {
    fn value_variants<'a>() -> &'a [Self] {
        static VARIANTS: LazyLock<Vec<ReferenceArg>> = LazyLock::new(|| ReferenceSolver::value_variants().iter().map(|&solver| ReferenceArg::Solver(solver)).chain([ReferenceArg::None]).collect());
        &VARIANTS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            ReferenceArg::Solver(solver) => solver.to_possible_value(),
            ReferenceArg::None => Some(PossibleValue::new("none").help("No reference: AOC-DT alone")),
        }
    }
}

impl ReferenceArg {
    fn solver(self) -> Option<ReferenceSolver> {
        match self {
            ReferenceArg::Solver(solver) => Some(solver),
            ReferenceArg::None => None,
        }
    }
}

/// The solvers of `--reference`, in order: `none` only alone, each solver once.
fn reference_solvers(args: &[ReferenceArg]) -> anyhow::Result<Vec<ReferenceSolver>> {
    if args.contains(&ReferenceArg::None) {
        anyhow::ensure!(args.len() == 1, "--reference none cannot be combined with solvers");
        return Ok(Vec::new());
    }
    let mut solvers: Vec<ReferenceSolver> = Vec::new();
    for solver in args.iter().filter_map(|a| a.solver()) {
        anyhow::ensure!(!solvers.contains(&solver), "--reference names {solver} twice");
        solvers.push(solver);
    }
    Ok(solvers)
}

/// Runs the bench and returns its exit status: 1 for a run that ended but not as asked
/// ([`shortfalls`]), 0 otherwise. Errors: usage or input errors found before any instance ran
/// (the output folder's checks included), errors once instances ran.
pub fn run(dir: &InstanceDirs, args: BenchArgs) -> Result<ExitCode, Failure> {
    let config = configure(dir, args).before_work()?;
    crate::interrupt::on_interrupt_say(warnings::interrupted_bench(&config.out));
    let mut progress = InstanceProgress::new(config.instances.len());
    let outcome = run_bench(&config, &mut progress);
    progress.finish();
    let results = if progress.started() { outcome.during_work() } else { outcome.before_work() }?;
    print_summary(&results, &config.out);
    Ok(verdict("bench", &shortfalls(&results)))
}

/// Exit status 1 with the shortfalls named on standard error; 0 when there are none.
pub(super) fn verdict(command: &str, shortfalls: &[String]) -> ExitCode {
    if shortfalls.is_empty() {
        return ExitCode::SUCCESS;
    }
    crate::errln!("error: {command} finished, but not as asked (exit status 1): {}", shortfalls.join("; "));
    ExitCode::FAILURE
}

/// What makes a finished run (or a merged one) not the run asked for: runs that failed (status
/// error) or were skipped, references that could not be set up, units of the plan missing.
pub(super) fn shortfalls(results: &BenchResults) -> Vec<String> {
    let mut found = Vec::new();
    let failed = results.rows.iter().filter(|row| row.failed()).count();
    if failed > 0 {
        found.push(format!("{} failed (results.json has the messages)", count(failed, "run")));
    }
    let skipped = results.rows.iter().filter(|row| !row.ran() && !row.failed()).count();
    if skipped > 0 {
        found.push(format!("{} skipped", count(skipped, "run")));
    }
    for reference in results.metadata.references.iter().filter(|r| r.unavailable.is_some()) {
        found.push(format!("{} unavailable, benchmarked without it", SolverName::from(reference.solver).label()));
    }
    let missing = results.metadata.missing_units.len();
    if missing > 0 {
        found.push(format!("{} of the plan missing", count(missing, "unit")));
    }
    found
}

/// The run's configuration from the options; every error is one of usage or input.
fn configure(dir: &InstanceDirs, args: BenchArgs) -> anyhow::Result<BenchConfig> {
    let (instances, catalog, selection) = if args.instances.is_empty() {
        let set = args.set.unwrap_or(BenchSet::Smoke);
        let (paths, catalog) = set.select(dir)?;
        // A QOBLIB class read from the shipped smoke files is a few instances, not the class.
        if QoblibClass::from_name(set.name()).is_some() && paths.iter().all(|p| p.starts_with(qoblib::shipped_dir())) {
            crate::errln!("{}", Warning::shipped_qoblib_subset(set.name(), paths.len()).line());
        }
        (paths, catalog, set.name().to_string())
    } else {
        let (paths, catalog) = instances::select_instances(dir, &args.instances, "")?;
        (paths, catalog, "instances".to_string())
    };
    let catalog = with_targets(catalog, &instances, args.best_known, args.catalog.as_deref())?;
    let hardware = args.hardware.model()?;
    let sweep = args.sweep.options(args.engine.product, hardware.as_ref())?;
    let threads = args.engine.threads().unwrap_or_else(available_cores);
    // Same limit as AOC-DT unless told otherwise; a work budget has no time to copy.
    let time_limit_s = args.ref_time_limit.unwrap_or(match sweep.budget {
        Budget::TimeLimit(t) => t,
        Budget::Work(_) => DEFAULT_TIME_LIMIT_S,
    });
    let references: Vec<ReferenceOptions> = reference_solvers(&args.reference)?
        .into_iter()
        .map(|solver| ReferenceOptions { time_limit_s, threads, seed: sweep.seed, penalty: args.ref_penalty, ..ReferenceOptions::new(solver) })
        .collect();
    if !references.is_empty() {
        crate::seconds::duration(time_limit_s, "--ref-time-limit").map_err(anyhow::Error::msg)?;
    }
    let shard = args.shard.map(|spec| spec.resolve(|name| std::env::var(name).ok())).transpose().map_err(anyhow::Error::msg)?;
    let output = match (args.resume.is_some(), args.force) {
        (true, _) => OutputMode::Resume,
        (false, true) => OutputMode::Force,
        (false, false) => OutputMode::Fresh,
    };
    let out = args.resume.or(args.out).unwrap_or_else(|| PathBuf::from("results").join(format!("bench-{}", chrono::Local::now().format("%Y%m%d-%H%M%S"))));
    crate::errln!(
        "bench: {} ({selection}){}, {}, references {}; writing {}",
        count(instances.len(), "instance"),
        shard.as_ref().map_or(String::new(), |s| format!(", shard {s}")),
        count(threads, "thread"),
        if references.is_empty() { "none".to_string() } else { format!("{} ({} s each)", references.iter().map(|r| r.solver.as_str()).collect::<Vec<_>>().join(", "), number(Some(time_limit_s))) },
        out.display()
    );
    Ok(BenchConfig {
        instances,
        catalog,
        selection,
        sweep,
        engine: args.engine.engine,
        precision: args.engine.precision,
        hardware,
        threads,
        repeats: args.repeats,
        references,
        recorded: recorded_checkout(args.recorded)?,
        out,
        output,
        shard,
        command_line: std::env::args().collect(),
    })
}

/// The instance folder's `catalog` with the targets the user gave: `--best-known` for the one
/// instance of the run, or the rows of a `--catalog` file for the instances they name. Errors:
/// a non-finite value, `--best-known` with several instances, a catalog file that is missing,
/// malformed, or names none of the instances; an unreadable instance.
fn with_targets(mut catalog: Catalog, instances: &[PathBuf], best_known: Option<f64>, file: Option<&Path>) -> anyhow::Result<Catalog> {
    if let Some(value) = best_known {
        anyhow::ensure!(value.is_finite(), "--best-known {value}: expected a finite number");
        let [path] = instances else {
            anyhow::bail!("--best-known gives the target of one instance, and this run has {}; give several with --catalog FILE (docs/instances.md)", instances.len());
        };
        let instance = instances::read_instance(path)?;
        // The user's value is a target, not a proof of optimality.
        let entry = match catalog.get(&instance.name) {
            Some(listed) => CatalogEntry { best_known_objective: Some(value), optimal: false, ..listed.clone() },
            None => CatalogEntry::describing(&instance, Some(value)),
        };
        catalog.insert(entry);
    }
    if let Some(file) = file {
        let given = Catalog::load_file(file)?;
        let names: Vec<String> = instances.iter().map(|path| instances::read_instance(path).map(|i| i.name).map_err(anyhow::Error::from)).collect::<anyhow::Result<_>>()?;
        let (matched, unmatched): (Vec<&CatalogEntry>, Vec<&CatalogEntry>) = given.entries().iter().partition(|entry| names.contains(&entry.name));
        anyhow::ensure!(
            !matched.is_empty(),
            "{}: none of its {} row(s) names an instance of this run ({}); a row must carry the instance's name as its file's first line writes it",
            file.display(),
            given.entries().len(),
            names.join(", ")
        );
        if let Some(warning) = Warning::catalog_rows_unmatched(file, unmatched.iter().map(|entry| entry.name.clone()).collect()) {
            crate::errln!("{}", warning.line());
        }
        for entry in matched {
            catalog.adopt(&given, &entry.name);
        }
    }
    Ok(catalog)
}

/// Where `--recorded` reads submissions: DIR, nowhere (`none`), else each instance's checkout.
/// Errors: DIR is not a QOBLIB checkout.
fn recorded_checkout(given: Option<PathBuf>) -> anyhow::Result<RecordedSource> {
    Ok(match given {
        Some(dir) if dir.as_os_str() == "none" => RecordedSource::Nowhere,
        Some(dir) => RecordedSource::checkout(dir)?,
        None => RecordedSource::InstanceCheckout,
    })
}

/// The summary for the terminal ([`console::summary`]) on standard output, then the files
/// written.
pub(super) fn print_summary(results: &BenchResults, out: &Path) {
    crate::out!("{}", console::summary(results));
    for path in OutputFiles::in_dir(out).all() {
        crate::outln!("wrote {}", path.display());
    }
}

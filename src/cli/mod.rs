//! Command-line interface: argument definitions and one handler module per command.

mod bench;
mod compare;
mod completions;
mod devices;
mod export;
mod failure;
mod info;
mod man;
mod merge;
mod perf;
mod progress_bar;
mod setup;
mod solve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use self::failure::Failure;
use crate::engine::{EngineChoice, Precision, ProductForm};
use crate::decompose::{BcdOptions, Blocks, Decomposition};
use crate::hardware::{parse_non_idealities, Calibration, HardwareModel, Machine, NonIdeality};
use crate::spectrum::LambdaRule;
use crate::machine::available_cores;
use crate::output::warnings::Warning;
use crate::readout::Readout;
use crate::resources::{MAX_BATCH, MAX_BCD_BLOCK, MAX_BCD_REPLICAS, MAX_ITERATIONS};
use crate::sweep::{Budget, ParameterRanges, PenaltyBasis, SweepOptions};

#[derive(Debug, Parser)]
#[command(name = "aocbench", version, about = "Benchmark the AOC-DT optimizer on QPLIB and QOBLIB instances (CPU and wgpu/WGSL engines)")]
#[command(after_help = "Exit status, every command: 0 done as asked; 1 the work started but did not end as asked (an error during it, a failed \
or skipped run, a regression); 2 a usage or input error before any work (an invalid option, a missing, unreadable or malformed file, an output \
refused); 130 stopped by Ctrl-C.")]
pub struct Cli {
    /// Folder holding the QPLIB instances (qbl/, qbn/, catalog.csv). Default: $AOCBENCH_QPLIB_DIR,
    /// then qplib/, then the smoke instances shipped in qplib/smoke.
    #[arg(long, global = true, value_name = "DIR")]
    pub qplib_dir: Option<PathBuf>,
    /// Folder of a QOBLIB checkout (its class folders such as 02-labs/, as
    /// scripts/download_qoblib.sh fetches them). Default: $AOCBENCH_QOBLIB_DIR, then qoblib/,
    /// then the smoke instances shipped in qoblib/smoke.
    #[arg(long, global = true, value_name = "DIR")]
    pub qoblib_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One row per instance: sizes, sense, best-known objective and the QUMO size after conversion.
    Info(info::InfoArgs),
    /// Write an instance in another format (CPLEX LP, as SCIP and Gurobi read it), or bench
    /// results as a QOBLIB submission (--qoblib).
    Export(export::ExportArgs),
    /// Solve one instance with the AOC-DT two-phase sweep.
    Solve(solve::SolveArgs),
    /// Benchmark AOC-DT against a reference solver over a set of instances; writes
    /// results.csv, results.json, comparison.csv/.md, profile.svg and gap_over_time.svg; exits
    /// 1 when a run failed or was skipped, 2 on a usage or input error before anything ran.
    Bench(bench::BenchArgs),
    /// Put the results folders of a sharded bench run (`bench --shard`) together into one, with
    /// the same files as a run in one process; refuses folders of different runs and names
    /// missing units with the shard to run again; exits 1 when the merged run is partial or holds
    /// failed runs, 2 when nothing could be merged.
    Merge(merge::MergeArgs),
    /// Create the reference solver's Python venv ($AOCBENCH_VENV, else ./.venv) once, e.g.
    /// on a cluster's shared file system before submitting a job array.
    Setup(setup::SetupArgs),
    /// Check a bench run against a baseline; exits 1 when it is worse, 2 when an input cannot
    /// be judged (a missing, unreadable or damaged results file).
    Compare(compare::CompareArgs),
    /// List the wgpu adapters (backend, type, driver, key limits).
    Devices(devices::DevicesArgs),
    /// Engine throughput (effective GFLOP/s, replica-iterations/s) on dense and sparse
    /// workloads next to the machine's reference product of the same shape; writes a CSV.
    Perf(perf::PerfArgs),
    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell) on standard
    /// output, e.g. `aocbench completions bash > ~/.local/share/bash-completion/completions/aocbench`.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff) on standard output, e.g. `aocbench man >
    /// ~/.local/share/man/man1/aocbench.1`; `--dir DIR` writes one page per command.
    Man(man::ManArgs),
}

/// Runs the command and returns its exit status, by one rule for every command
/// (src/cli/failure.rs): 0 done, 1 the work did not end as asked, 2 a usage or input error, 130 Ctrl-C.
pub fn run(cli: Cli) -> ExitCode {
    let dir = &crate::instances::InstanceDirs { qplib: cli.qplib_dir, qoblib: cli.qoblib_dir };
    let done = |()| ExitCode::SUCCESS;
    let outcome = match cli.command {
        Command::Info(args) => info::run(dir, args).map(done),
        Command::Export(args) => export::run(dir, args).map(done),
        Command::Solve(args) => solve::run(dir, args).map(done),
        Command::Bench(args) => bench::run(dir, args),
        Command::Merge(args) => merge::run(args),
        Command::Setup(args) => setup::run(args).map(done),
        Command::Compare(args) => compare::run(args),
        Command::Devices(args) => devices::run(args).map(done),
        Command::Perf(args) => perf::run(dir, args).map(done),
        Command::Completions(args) => completions::run(args).map(done),
        Command::Man(args) => man::run(args).map(done),
    };
    outcome.unwrap_or_else(Failure::exit)
}

/// The wall-clock budget of a solve when neither --time-limit nor --work is given.
pub const DEFAULT_TIME_LIMIT_S: f64 = 10.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
}

/// Which engine runs the batches, and with how many CPU threads.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// `auto` takes a hardware GPU when there is one, else the native CPU engine; `gpu` forces
    /// wgpu (a CPU adapter such as lavapipe included).
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
    pub engine: EngineChoice,
    /// CPU threads (default: every core available to the process). More than that is clamped
    /// to the cores available, with a warning: extra threads only contend for the same cores
    /// (and a run's results do not depend on the thread count).
    #[arg(long, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_048_576))]
    pub threads: Option<usize>,
    /// Float type of the dynamics: f32 (the GPUs' native precision) or, on the CPU engine, f64
    /// for instances whose coefficients f32 cannot resolve (a warning says when).
    #[arg(long, value_enum, default_value_t = Precision::F32)]
    pub precision: Precision,
    /// How the engine multiplies by J: `dense`, `sparse` (CSR) or `factored` (objective plus
    /// row penalties as a product over the rows). Default: the cheapest by the cost model
    /// (docs/algorithm.md, Engines); forcing one is for measurements.
    #[arg(long, value_enum)]
    pub product: Option<ProductForm>,
}

impl EngineArgs {
    /// `--threads`, clamped to the cores available (the warning printed when it is).
    pub fn threads(&self) -> Option<usize> {
        let cores = available_cores();
        self.threads.map(|asked| match Warning::too_many_threads(asked, cores) {
            Some(warning) => {
                crate::errln!("{}", warning.line());
                cores
            }
            None => asked,
        })
    }
}

/// The machine the twin models, shared by `solve` and `bench`.
#[derive(Debug, Clone, Args)]
pub struct HardwareArgs {
    /// `ideal`: the idealised AOC-DT (exact products, hard threshold). `aoc16` / `aoc48`: the
    /// 16- or 48-channel analog optical computer with its measured non-idealities
    /// (docs/hardware.md), on either engine.
    #[arg(long, value_enum, default_value_t = Machine::Ideal)]
    pub hardware: Machine,
    /// Non-idealities to model under aoc16/aoc48: `all` (default), `none`, or a comma-separated
    /// list of quantization, noise, offsets, tanh.
    #[arg(long, value_name = "LIST", value_parser = |text: &str| parse_non_idealities(text).map(NonIdealityList), requires = "hardware")]
    pub non_ideality: Option<NonIdealityList>,
    /// A calibration file in microsoft/aoc's hw_config format instead of the machine's shipped one.
    #[arg(long, value_name = "FILE", requires = "hardware")]
    pub calibration: Option<PathBuf>,
}

/// The parsed `--non-ideality` (a newtype: clap would take a bare Vec for repeated values).
#[derive(Debug, Clone)]
pub struct NonIdealityList(Vec<NonIdeality>);

impl HardwareArgs {
    /// The hardware model; `None` for the ideal twin. Errors: a calibration file that does not
    /// read, or non-idealities asked of the ideal twin.
    pub fn model(&self) -> anyhow::Result<Option<HardwareModel>> {
        let Some(shipped) = self.hardware.calibration() else {
            anyhow::ensure!(self.non_ideality.is_none() && self.calibration.is_none(), "--non-ideality and --calibration need --hardware aoc16 or aoc48");
            return Ok(None);
        };
        let calibration = match &self.calibration {
            Some(path) => Calibration::read(path)?,
            None => shipped,
        };
        let enabled = self.non_ideality.as_ref().map_or_else(|| NonIdeality::ALL.to_vec(), |list| list.0.clone());
        Ok(Some(HardwareModel::new(self.hardware, calibration, &enabled)))
    }
}

/// A finite `f64` option value: `inf` and `NaN` (which `f64` parses) and overflowing text such
/// as `1e400` are refused.
fn finite_number(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(value) => Err(format!("expected a finite number, got {text:?} (reads as {value})")),
        Err(_) => Err(format!("not a number: {text:?}")),
    }
}

fn parse_range<T: std::str::FromStr>(text: &str) -> Result<(T, T), String> {
    let (lo, hi) = text.split_once("..").ok_or_else(|| format!("expected LOW..HIGH, got {text:?}"))?;
    let parse = |s: &str| s.trim().parse::<T>().map_err(|_| format!("not a number: {s:?}"));
    Ok((parse(lo)?, parse(hi)?))
}

/// The sweep's budget and hyper-parameters, shared by `solve` and `bench`.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Wall-clock budget per solve in seconds (λ and all phases; parsing excluded). Every batch
    /// is sized to end before the limit by the pace measured after the setup; when the setup
    /// and one replica cannot fit, the run does that one replica and says so. A run on an
    /// instance of at most 16 binaries stops once it holds their enumerated optimum.
    #[arg(long, value_name = "SECONDS", conflicts_with = "work", default_value_t = DEFAULT_TIME_LIMIT_S)]
    pub time_limit: f64,
    /// Deterministic budget: total replica-iterations (matrix-vector products), split over the
    /// phases by the same fractions; with a fixed --seed the CPU engine reproduces a run bit for bit.
    /// The run spends exactly the budget: batches shrink to what is left, and the deep search's
    /// last round shares the rest; a rest below one deep sample's iterations is reported unspent
    /// (a phase may end before any configuration completes). A budget whose deep-search samples (24 bytes each,
    /// kept for time-to-solution) would not fit the memory available is refused at the start.
    #[arg(long, value_name = "MVM")]
    pub work: Option<u64>,
    /// Seed of every random stream (initial states, deep-search iteration counts).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Range of a = α0/β0 (annealing relative to feedback), sampled by Sobol.
    #[arg(long, value_name = "LOW..HIGH", value_parser = parse_range::<f32>, default_value = "0.01..1")]
    pub annealing: (f32, f32),
    /// Range of g = 1/β0 (feedback gain is 1/g after λ normalisation).
    #[arg(long, value_name = "LOW..HIGH", value_parser = parse_range::<f32>, default_value = "0.01..1")]
    pub gradient: (f32, f32),
    /// Range of the momentum γ.
    #[arg(long, value_name = "LOW..HIGH", value_parser = parse_range::<f32>, default_value = "0.95..0.99")]
    pub momentum: (f32, f32),
    /// Range of deep-search iterations per round (capped by the budget left).
    #[arg(long, value_name = "LOW..HIGH", value_parser = parse_range::<u32>, default_value = "500..20000")]
    pub deep_iterations: (u32, u32),
    /// Euler step.
    #[arg(long, default_value_t = 0.5)]
    pub dt: f32,
    /// Budget fraction of phase 1 (exploration).
    #[arg(long, default_value_t = 0.1)]
    pub phase1_fraction: f64,
    /// Budget fraction of phase 2 (refinement); the deep search gets the rest.
    #[arg(long, default_value_t = 0.2)]
    pub phase2_fraction: f64,
    /// λ normalisation: `rho` = spectral radius of J (default, stable with penalties), `spec` =
    /// the Julia rule (λ_max when indefinite) for faithful comparisons.
    #[arg(long, value_enum, default_value_t = LambdaRule::SpectralRadius)]
    pub lambda: LambdaRule,
    /// Global factor on the starting penalty weights P_r = scale·unit/‖a_r‖² (--penalty-basis).
    #[arg(long, default_value_t = 1.0)]
    pub penalty_scale: f64,
    /// Keep penalty weights fixed instead of doubling those of still-violated rows.
    #[arg(long)]
    pub no_adaptive_penalties: bool,
    /// No Lagrange multipliers: equality rows are enforced by their quadratic penalties alone
    /// (the method of multipliers otherwise moves each equality row's linear term after every
    /// batch; rows with a slack always rely on their penalties).
    #[arg(long)]
    pub no_multipliers: bool,
    /// Unit of the starting penalty weights P_r = scale·unit/‖a_r‖²: the largest |one-flip
    /// change of f| on equality rows and the mean δ on rows with a slack (`max-equality`), the
    /// mean on every row (`mean`, the rule before), or the mean with the equality rows raised
    /// to the largest at the first adaptation that knows no feasible point (`escalate`).
    #[arg(long, value_enum, default_value_t = PenaltyBasis::MaxEquality)]
    pub penalty_basis: PenaltyBasis,
    /// How a replica's final state becomes a point: every binary thresholded on its own
    /// (`threshold`, the spec), or rows `Σ x = 1` read by their largest amplitudes, the better
    /// of that point and the threshold's counting (`one-hot`; docs/algorithm.md, deviations)
    #[arg(long, value_enum, default_value_t = Readout::OneHot)]
    pub readout: Readout,
    /// Also polish the best feasible point of every batch by a feasibility-keeping local search
    /// (1-flip, swap, double swap and pair flip, in f64 on the instance) and report the polished
    /// incumbents as a second result, `AOC-DT + polish` (bench: rows with solver `aocdt_polish`;
    /// solve: its own line, `polished` in --json, and a second file for --save-solution). Nothing
    /// flows back into AOC-DT's dynamics (under --work its run is the same); the polish spends
    /// at most a fifth of the wall clock, which under --time-limit AOC-DT's run shares.
    #[arg(long)]
    pub polish: bool,
    /// Replicas per batch (default: the engine's choice), at most 1048576. Under --work no batch
    /// spends more than the budget: the batch shrinks to budget / (phase 2's iterations per
    /// replica) replicas when larger (a warning names a --batch-size so cut). A batch whose
    /// estimated memory does not fit the memory available is refused before it runs.
    #[arg(long, value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_BATCH))]
    pub batch_size: Option<usize>,
    /// Under --hardware aoc16|aoc48, a QUMO larger than the machine holds (8 or 24 variables
    /// with signed weights): `bcd` (default) solves it by block coordinate descent over blocks
    /// that fit (docs/hardware.md, "Block coordinate descent"); `none` runs it whole on an imagined machine
    /// of its size, with a warning.
    #[arg(long, value_enum, requires = "hardware")]
    pub decomposition: Option<Decomposition>,
    /// How BCD picks its blocks: `random` (default: a random permutation per sweep, cut into
    /// blocks) or `greedy` (the variables whose best single move lowers the energy most, the
    /// least recently chosen on ties).
    #[arg(long, value_enum, requires = "hardware")]
    pub bcd_blocks: Option<Blocks>,
    /// Variables per BCD block (default: the machine's capacity − 1; one channel carries the
    /// coupling to the rest); at most 65536, and less than the machine holds.
    #[arg(long, value_name = "N", requires = "hardware", value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_BCD_BLOCK))]
    pub bcd_block_size: Option<usize>,
    /// Most sweeps over the variables a BCD chain runs before a fresh chain starts (a chain
    /// also ends after a sweep that improved nothing). Default: 100.
    #[arg(long, value_name = "N", requires = "hardware")]
    pub bcd_sweeps: Option<u32>,
    /// Replicas per BCD sub-solve: the parallel restarts of one block, one batch on the engine.
    /// Default: 16; at most 65536. Under --work a sub-solve spends at most the budget: more
    /// replicas than the budget are cut to it, with a warning.
    #[arg(long, value_name = "N", requires = "hardware", value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_BCD_REPLICAS))]
    pub bcd_replicas: Option<usize>,
    /// Iterations of each BCD sub-solve. Default: 100; at most 1000000. Under --work a
    /// sub-solve spends at most the budget: the iterations shrink to budget / replicas when
    /// more, with a warning.
    #[arg(long, value_name = "N", requires = "hardware", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ITERATIONS)))]
    pub bcd_iterations: Option<u32>,
}

impl SweepArgs {
    /// The options, with the engine's `product` form (`--product`, an engine argument), for the
    /// machine `hardware` models (`None`: the ideal twin). Errors: invalid settings, BCD
    /// settings for the ideal twin, or a block that does not fit the machine.
    pub fn options(&self, product: Option<ProductForm>, hardware: Option<&HardwareModel>) -> anyhow::Result<SweepOptions> {
        let budget = match self.work {
            Some(w) => Budget::Work(w),
            None => Budget::TimeLimit(self.time_limit),
        };
        let defaults = BcdOptions::default();
        let options = SweepOptions {
            budget,
            seed: self.seed,
            ranges: ParameterRanges { annealing: self.annealing, gradient: self.gradient, momentum: self.momentum, deep_iterations: self.deep_iterations },
            dt: self.dt,
            phase_fractions: (self.phase1_fraction, self.phase2_fraction),
            lambda_rule: self.lambda,
            penalty_scale: self.penalty_scale,
            adaptive_penalties: !self.no_adaptive_penalties,
            multipliers: !self.no_multipliers,
            penalty_basis: self.penalty_basis,
            readout: self.readout,
            polish: self.polish,
            batch_size: self.batch_size,
            product,
            decomposition: BcdOptions {
                decomposition: self.decomposition.unwrap_or(defaults.decomposition),
                blocks: self.bcd_blocks.unwrap_or(defaults.blocks),
                block_size: self.bcd_block_size,
                sweeps: self.bcd_sweeps.unwrap_or(defaults.sweeps),
                replicas: self.bcd_replicas.unwrap_or(defaults.replicas),
                iterations: self.bcd_iterations.unwrap_or(defaults.iterations),
            },
        };
        options.validate().map_err(anyhow::Error::msg)?;
        let bcd_given = self.decomposition.is_some() || self.bcd_blocks.is_some() || self.bcd_block_size.is_some() || self.bcd_sweeps.is_some() || self.bcd_replicas.is_some() || self.bcd_iterations.is_some();
        match hardware {
            None => anyhow::ensure!(!bcd_given, "--decomposition and --bcd-* apply to a modelled machine only (--hardware aoc16 or aoc48)"),
            // Checked here, not at the first instance larger than the machine, deep into a bench.
            Some(machine) => drop(options.decomposition.block_size_on(machine)?),
        }
        Ok(options)
    }
}

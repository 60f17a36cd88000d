use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{EngineArgs, HardwareArgs, SweepArgs, DEFAULT_TIME_LIMIT_S};
use crate::benchmark::{aggregate_table, comparison_table, gap_table, notices, run_bench, BenchConfig, BenchResults, BenchSet, OutputFiles, OutputMode, Table};
use crate::cluster::ShardSpec;
use crate::output::machine::available_cores;
use crate::output::progress_bar::InstanceProgress;
use crate::output::table::{count, number, render};
use crate::qplib;
use crate::reference::{ReferenceOptions, ReferenceSolver};
use crate::sweep::Budget;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Instance files or names (e.g. QPLIB_0067). Default: the --set.
    pub instances: Vec<String>,
    /// A named set [default: smoke].
    #[arg(long, value_enum, conflicts_with = "instances")]
    pub set: Option<BenchSet>,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub hardware: HardwareArgs,
    /// Reference solver; `none` benchmarks AOC-DT alone. SCIP solves on one thread whatever
    /// --threads says (its parallel mode reports no incumbents until the end); Gurobi gets
    /// --threads.
    #[arg(long, value_enum, default_value_t = ReferenceArg::Scip)]
    pub reference: ReferenceArg,
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
    /// comparison.csv, comparison.md, profile.svg) are deleted first; other files stay.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Run only shard K of N (`2/8`): the run's units are dealt to N shards by estimated cost,
    /// the same way in every process; N is at most 10000, and shards beyond the units get none.
    /// `slurm` takes K and N from the Slurm job array task (array ids one contiguous range).
    /// Put the shards' folders together with `aocbench merge`.
    #[arg(long, value_name = "K/N|slurm")]
    pub shard: Option<ShardSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReferenceArg {
    Scip,
    Gurobi,
    None,
}

impl ReferenceArg {
    fn solver(self) -> Option<ReferenceSolver> {
        match self {
            ReferenceArg::Scip => Some(ReferenceSolver::Scip),
            ReferenceArg::Gurobi => Some(ReferenceSolver::Gurobi),
            ReferenceArg::None => None,
        }
    }
}

pub fn run(dir: Option<&Path>, args: BenchArgs) -> anyhow::Result<()> {
    let (instances, catalog, selection) = if args.instances.is_empty() {
        let set = args.set.unwrap_or(BenchSet::Smoke);
        let (paths, catalog) = set.select(dir)?;
        (paths, catalog, set.name().to_string())
    } else {
        let (paths, catalog) = qplib::select_instances(dir, &args.instances, "")?;
        (paths, catalog, "instances".to_string())
    };
    let hardware = args.hardware.model()?;
    let sweep = args.sweep.options(args.engine.product, hardware.as_ref())?;
    let threads = args.engine.threads().unwrap_or_else(available_cores);
    let reference = match args.reference.solver() {
        None => None,
        Some(solver) => {
            // Same limit as AOC-DT unless told otherwise; a work budget has no time to copy.
            let time_limit_s = args.ref_time_limit.unwrap_or(match sweep.budget {
                Budget::TimeLimit(t) => t,
                Budget::Work(_) => DEFAULT_TIME_LIMIT_S,
            });
            crate::seconds::duration(time_limit_s, "--ref-time-limit").map_err(anyhow::Error::msg)?;
            Some(ReferenceOptions { time_limit_s, threads, seed: sweep.seed, ..ReferenceOptions::new(solver) })
        }
    };
    let shard = args.shard.map(|spec| spec.resolve(|name| std::env::var(name).ok())).transpose().map_err(anyhow::Error::msg)?;
    let output = match (args.resume.is_some(), args.force) {
        (true, _) => OutputMode::Resume,
        (false, true) => OutputMode::Force,
        (false, false) => OutputMode::Fresh,
    };
    let out = args.resume.or(args.out).unwrap_or_else(|| PathBuf::from("results").join(format!("bench-{}", chrono::Local::now().format("%Y%m%d-%H%M%S"))));
    eprintln!(
        "bench: {} ({selection}){}, {}, reference {}; writing {}",
        count(instances.len(), "instance"),
        shard.as_ref().map_or(String::new(), |s| format!(", shard {s}")),
        count(threads, "thread"),
        reference.as_ref().map_or("none".into(), |r| format!("{} ({} s)", r.solver, number(Some(r.time_limit_s)))),
        out.display()
    );
    let config = BenchConfig {
        instances,
        catalog,
        selection,
        sweep,
        engine: args.engine.engine,
        precision: args.engine.precision,
        hardware,
        threads,
        repeats: args.repeats,
        reference,
        out,
        output,
        shard,
        command_line: std::env::args().collect(),
    };
    let mut progress = InstanceProgress::new(config.instances.len());
    let results = run_bench(&config, &mut progress)?;
    progress.finish();
    print_summary(&results, &config.out);
    // A shard dealt no runs (more shards than units) has nothing to fail.
    let failed = !results.rows.is_empty() && !results.rows.iter().any(|row| row.ran());
    anyhow::ensure!(!failed, "every run failed ({} runs; the messages are above and in results.json)", results.rows.len());
    Ok(())
}

/// The comparison and the aggregates as tables on standard output, then the files written.
pub(super) fn print_summary(results: &BenchResults, out: &Path) {
    println!("{}", text(&comparison_table(&results.comparison)));
    println!("{}", text(&aggregate_table(&results.aggregates)));
    println!("{}", text(&gap_table(&results.aggregates)));
    for notice in notices(&results.comparison, results.metadata.instances.len()) {
        println!("note: {notice}");
    }
    for path in OutputFiles::in_dir(out).all() {
        println!("wrote {}", path.display());
    }
}

fn text(table: &Table) -> String {
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    render(&header, &table.rows)
}

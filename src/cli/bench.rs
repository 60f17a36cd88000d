use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{EngineArgs, SweepArgs, DEFAULT_TIME_LIMIT_S};
use crate::benchmark::{aggregate_table, comparison_table, run_bench, BenchConfig, BenchSet, OutputFiles, Table};
use crate::output::machine::available_cores;
use crate::output::progress_bar::InstanceProgress;
use crate::output::table::{number, render};
use crate::qplib;
use crate::reference::{ReferenceOptions, ReferenceSolver};
use crate::sweep::Budget;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Instance files or names (e.g. QPLIB_0067). Default: the --set.
    pub instances: Vec<String>,
    /// A named set: `smoke` (the default; a few minutes on a laptop), `qbl` (all 96, for
    /// papers), `qbn` (the 23 QUBOs).
    #[arg(long, value_enum, conflicts_with = "instances")]
    pub set: Option<BenchSet>,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Reference solver, given the same thread count as AOC-DT; `none` benchmarks AOC-DT alone.
    #[arg(long, value_enum, default_value_t = ReferenceArg::Scip)]
    pub reference: ReferenceArg,
    /// The reference's time limit per solve. Default: AOC-DT's --time-limit (10 s under --work).
    #[arg(long, value_name = "SECONDS")]
    pub ref_time_limit: Option<f64>,
    /// Runs per instance and solver; repeat r uses seed --seed + r.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeats: u32,
    /// Output folder (default: results/bench-DATE-TIME). Files there are replaced.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
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
    let sweep = args.sweep.options(args.engine.product)?;
    let threads = args.engine.threads.unwrap_or_else(available_cores).max(1);
    let reference = match args.reference.solver() {
        None => None,
        Some(solver) => {
            // Same limit as AOC-DT unless told otherwise; a work budget has no time to copy.
            let time_limit_s = args.ref_time_limit.unwrap_or(match sweep.budget {
                Budget::TimeLimit(t) => t,
                Budget::Work(_) => DEFAULT_TIME_LIMIT_S,
            });
            anyhow::ensure!(time_limit_s > 0.0 && time_limit_s.is_finite(), "--ref-time-limit must be positive, got {time_limit_s}");
            Some(ReferenceOptions { time_limit_s, threads, seed: sweep.seed, ..ReferenceOptions::new(solver) })
        }
    };
    let out = args.out.unwrap_or_else(|| PathBuf::from("results").join(format!("bench-{}", chrono::Local::now().format("%Y%m%d-%H%M%S"))));
    eprintln!(
        "bench: {} instances ({selection}), {threads} threads, reference {}; writing {}",
        instances.len(),
        reference.as_ref().map_or("none".into(), |r| format!("{} ({} s)", r.solver, number(Some(r.time_limit_s)))),
        out.display()
    );
    let config = BenchConfig {
        instances,
        catalog,
        selection,
        sweep,
        engine: args.engine.engine,
        threads,
        repeats: args.repeats,
        reference,
        out,
        command_line: std::env::args().collect(),
    };
    let mut progress = InstanceProgress::new(config.instances.len());
    let results = run_bench(&config, &mut progress)?;
    progress.finish();

    println!("{}", text(&comparison_table(&results.comparison)));
    println!("{}", text(&aggregate_table(&results.aggregates)));
    let files = OutputFiles::in_dir(&config.out);
    for path in [&files.results_csv, &files.results_json, &files.comparison_csv, &files.comparison_md, &files.profile_svg] {
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn text(table: &Table) -> String {
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    render(&header, &table.rows)
}

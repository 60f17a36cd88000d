use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::compare::{compare, Tolerances};
use crate::export::csv::read_results;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Baseline results: a bench output folder or its results.csv.
    pub baseline: PathBuf,
    /// Results to check against the baseline (folder or results.csv).
    pub current: PathBuf,
    /// Allowed relative growth of the deterministic counters mvm_to_target and (under a work
    /// budget) primal_integral_mvm (0.1 = 10 %).
    #[arg(long, default_value_t = 0.1, value_name = "FRACTION")]
    pub tolerance: f64,
    /// Also fail when a run's wall time grows by more than this factor (e.g. 1.5). Without it
    /// wall-clock changes are only reported.
    #[arg(long, value_name = "RATIO")]
    pub gate_time: Option<f64>,
}

/// A folder means its results.csv.
fn results_csv(path: &Path) -> PathBuf {
    if path.is_dir() { path.join("results.csv") } else { path.to_path_buf() }
}

/// Prints the report; the exit status is non-zero when CURRENT regressed.
pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.tolerance >= 0.0, "--tolerance must not be negative, got {}", args.tolerance);
    anyhow::ensure!(args.gate_time.is_none_or(|r| r >= 1.0), "--gate-time is a growth factor and must be at least 1");
    let (baseline, current) = (results_csv(&args.baseline), results_csv(&args.current));
    let report = compare(&read_results(&baseline)?, &read_results(&current)?, Tolerances { counter_growth: args.tolerance, wall_time_ratio: args.gate_time });
    println!("compare: baseline {} against {}", baseline.display(), current.display());
    print!("{report}");
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

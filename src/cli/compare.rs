use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::failure::{Failure, Stage};
use crate::compare::{compare, read_run, Report, Side, Tolerances};

#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 no regression; 1 a regression (the report lists it); 2 input that cannot be judged, with an error naming the file: \
a missing folder or file, an unreadable row, a missing column the gate reads, a value no run can have (not finite, negative, a u64::MAX sentinel, \
a skipped AOC-DT run), a baseline that is empty or holds failed runs, a row that the results.json beside it contradicts, \
both results.json and results.json.gz beside it, or an invalid option.")]
pub struct CompareArgs {
    /// Baseline results: a bench output folder or its results.csv. When a results.json (or,
    /// archived, only results.json.gz) lies beside the results.csv, every row is checked
    /// against its raw run there.
    pub baseline: PathBuf,
    /// Results to check against the baseline (folder or results.csv), checked the same way.
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

/// Prints the report; the exit status is 0 for a pass, 1 for a regression. Errors: input that
/// cannot be judged (an input error).
pub fn run(args: CompareArgs) -> Result<ExitCode, Failure> {
    let (baseline, current) = (results_csv(&args.baseline), results_csv(&args.current));
    let report = judge(&args, &baseline, &current).before_work()?;
    crate::outln!("compare: baseline {} against {}", baseline.display(), current.display());
    crate::out!("{report}");
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn judge(args: &CompareArgs, baseline: &Path, current: &Path) -> anyhow::Result<Report> {
    // An infinite tolerance or gate would pass anything.
    anyhow::ensure!(args.tolerance.is_finite() && args.tolerance >= 0.0, "--tolerance must be a finite fraction ≥ 0, got {}", args.tolerance);
    anyhow::ensure!(args.gate_time.is_none_or(|r| r.is_finite() && r >= 1.0), "--gate-time is a finite growth factor and must be at least 1");
    let tolerances = Tolerances { counter_growth: args.tolerance, wall_time_ratio: args.gate_time };
    let (baseline_rows, current_rows) = (read_run(baseline, Side::Baseline)?, read_run(current, Side::Current)?);
    compare(&baseline_rows, &current_rows, tolerances)
}

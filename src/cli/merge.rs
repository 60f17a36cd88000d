use std::path::PathBuf;

use clap::Args;

use std::process::ExitCode;

use super::failure::{Failure, Stage};
use super::bench::{print_summary, shortfalls, verdict};
use crate::benchmark::merge_runs;
use crate::table::count;

#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 the merged folder holds the whole run; 1 it was written but is not the run asked for: units missing \
(--allow-partial) or runs that failed or were skipped (standard error says which); 2 nothing was merged: an invalid option, a missing or \
damaged folder, folders of different runs, units missing without --allow-partial, or an output folder that is not empty.")]
pub struct MergeArgs {
    /// The results folders of the run's shards, in any number (a shard run twice included:
    /// each unit's first complete copy, in the order given, is kept).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// The merged results folder; must be empty or absent.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write what there is when units are missing, marked partial (comparison.md says so and
    /// results.json lists them in metadata.missing_units) instead of failing.
    #[arg(long)]
    pub allow_partial: bool,
}

/// Merges and returns the exit status: 1 when the merged run is not the run asked for (units
/// missing under --allow-partial, failed runs: [`shortfalls`]), 0 otherwise. Errors: the
/// folders cannot be merged (an input error: nothing is written).
pub fn run(args: MergeArgs) -> Result<ExitCode, Failure> {
    let merged = merge_runs(&args.dirs, &args.out, args.allow_partial, std::env::args().collect()).before_work()?;
    for duplicate in &merged.duplicates {
        crate::errln!("merge: {} is complete in {} and in {}: kept the first", duplicate.unit, duplicate.kept.display(), duplicate.dropped.display());
    }
    let metadata = &merged.results.metadata;
    let units = metadata.plan.units.len();
    if !metadata.missing_units.is_empty() {
        crate::errln!("merge: PARTIAL: {} of {units} units missing (--allow-partial)", metadata.missing_units.len());
    }
    crate::errln!("merge: {} from {} into {}", count(units - metadata.missing_units.len(), "unit"), count(args.dirs.len(), "folder"), args.out.display());
    print_summary(&merged.results, &args.out);
    Ok(verdict("merge", &shortfalls(&merged.results)))
}

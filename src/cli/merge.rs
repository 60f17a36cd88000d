use std::path::PathBuf;

use clap::Args;

use super::bench::print_summary;
use crate::cluster::merge_runs;

#[derive(Debug, Args)]
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

pub fn run(args: MergeArgs) -> anyhow::Result<()> {
    let merged = merge_runs(&args.dirs, &args.out, args.allow_partial, std::env::args().collect())?;
    for duplicate in &merged.duplicates {
        eprintln!("merge: {} is complete in {} and in {}: kept the first", duplicate.unit, duplicate.kept.display(), duplicate.dropped.display());
    }
    let metadata = &merged.results.metadata;
    let units = metadata.plan.units.len();
    if !metadata.missing_units.is_empty() {
        eprintln!("merge: PARTIAL: {} of {units} units missing (--allow-partial)", metadata.missing_units.len());
    }
    eprintln!("merge: {} units from {} folders into {}", units - metadata.missing_units.len(), args.dirs.len(), args.out.display());
    print_summary(&merged.results, &args.out);
    Ok(())
}

//! `merge`: the shard folders of one run put back together into one results folder with the
//! same files and schema as a run in one process, written by the same writers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::bench::write_reports;
use super::recorded_run::{run_differences, RecordedRun};
use crate::cluster::{PlannedUnit, WorkUnit};
use crate::export::csv::ResultsWriter;
use crate::output::results_folder::{prepare_output, OutputFiles, OutputMode};
use crate::results::{BenchResults, MergedShard};
use crate::output::lock::FolderLock;

/// A unit complete in more than one folder: the first folder's rows were kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub unit: WorkUnit,
    pub kept: PathBuf,
    pub dropped: PathBuf,
}

/// What a merge wrote and what it resolved.
#[derive(Debug)]
pub struct Merged {
    pub results: BenchResults,
    pub duplicates: Vec<Duplicate>,
}

/// Merges the results folders `dirs` (shards of one run, in any number, each possibly
/// incomplete or run twice) into `out`, which must be empty or absent.
///
/// Each unit's rows and raw runs come from the first folder, in the order given, that holds
/// the unit complete; later copies are reported as [`Duplicate`]s and dropped. Rows are put in
/// run order, so a complete merge under a work budget equals a run in one process apart from
/// the wall-clock columns.
///
/// Errors (nothing is written): a folder another process is writing now, or one whose rows its
/// raw runs contradict ([`super::check_against_raw_runs`]); folders of different runs (the
/// differing options are named); units complete in no folder, listed by the shard to run
/// again, unless `allow_partial`, in which case the merged run lists them in
/// `metadata.missing_units`.
pub fn merge_runs(dirs: &[PathBuf], out: &Path, allow_partial: bool, command_line: Vec<String>) -> anyhow::Result<Merged> {
    anyhow::ensure!(!dirs.is_empty(), "nothing to merge: name the shard folders");
    // A folder still being written would merge with units missing, or half written.
    let runs: Vec<RecordedRun> = dirs.iter().map(|dir| FolderLock::ensure_idle(dir).and_then(|()| RecordedRun::read(dir))).collect::<anyhow::Result<_>>()?;
    let first = &runs[0];
    for other in &runs[1..] {
        let differences = run_differences(&first.metadata, &other.metadata);
        if !differences.is_empty() {
            anyhow::bail!(
                "{} and {} hold different runs, which cannot be merged:\n  {}",
                first.dir.display(),
                other.dir.display(),
                abbreviate(&differences).join("\n  ")
            );
        }
    }

    let plan = &first.metadata.plan;
    let mut taken: Vec<(usize, &PlannedUnit)> = Vec::new();
    let mut missing: Vec<&PlannedUnit> = Vec::new();
    let mut duplicates = Vec::new();
    for planned in &plan.units {
        let mut holders = runs.iter().enumerate().filter(|(_, run)| run.complete.contains(&planned.unit));
        match holders.next() {
            Some((source, kept)) => {
                taken.push((source, planned));
                duplicates.extend(holders.map(|(_, dropped)| Duplicate { unit: planned.unit.clone(), kept: kept.dir.clone(), dropped: dropped.dir.clone() }));
            }
            None => missing.push(planned),
        }
    }
    if !missing.is_empty() && !allow_partial {
        anyhow::bail!("{}", missing_report(&missing, plan.units.len(), &runs));
    }

    let files = OutputFiles::in_dir(out);
    anyhow::ensure!(!runs.iter().any(|run| same_folder(&run.dir, out)), "--out {} is one of the folders being merged", out.display());
    prepare_output(out, &files, OutputMode::Fresh, "Merge into another folder: merge never writes over one.")?;
    let _lock = FolderLock::acquire(out)?;

    let mut results = BenchResults { metadata: first.metadata.clone(), rows: Vec::new(), comparison: Vec::new(), aggregates: Vec::new(), runs: Vec::new(), curves: Vec::new() };
    for &(source, planned) in &taken {
        results.rows.extend(runs[source].unit_rows(&planned.unit).cloned());
        results.runs.extend(runs[source].unit_runs(&planned.unit).cloned());
        results.curves.extend(runs[source].unit_curves(&planned.unit).cloned());
    }
    results.sort_in_run_order();
    results.summarise();

    let metadata = &mut results.metadata;
    metadata.shard = None;
    metadata.command_line = command_line;
    metadata.missing_units = missing.iter().map(|u| u.unit.clone()).collect();
    // The merged run spans its shards: from the earliest start to the last finish (if all did).
    metadata.started = runs.iter().map(|r| r.metadata.started.clone()).min_by(|a, b| instant(a).cmp(&instant(b))).unwrap_or_default();
    metadata.finished = runs.iter().map(|r| r.metadata.finished.clone()).collect::<Option<Vec<_>>>().and_then(|ends| ends.into_iter().max_by(|a, b| instant(a).cmp(&instant(b))));
    metadata.merged_from = runs
        .iter()
        .enumerate()
        .map(|(i, run)| MergedShard {
            dir: run.dir.display().to_string(),
            shard: run.metadata.shard.clone(),
            started: run.metadata.started.clone(),
            finished: run.metadata.finished.clone(),
            cpu: run.metadata.cpu.clone(),
            adapter: run.metadata.adapter.clone(),
            command_line: run.metadata.command_line.clone(),
            units_taken: taken.iter().filter(|(source, _)| *source == i).count(),
        })
        .collect();

    let mut rows_file = ResultsWriter::create(&files.results_csv)?;
    for row in &results.rows {
        rows_file.append(row)?;
    }
    write_reports(&files, &results)?;
    Ok(Merged { results, duplicates })
}

/// An RFC 3339 time as a comparable instant (unreadable ones sort first).
fn instant(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok()
}

fn same_folder(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok().zip(b.canonicalize().ok()).is_some_and(|(a, b)| a == b)
}

/// The first few differences, and how many more there are.
fn abbreviate(lines: &[String]) -> Vec<String> {
    const SHOWN: usize = 8;
    let mut shown: Vec<String> = lines.iter().take(SHOWN).cloned().collect();
    if lines.len() > SHOWN {
        shown.push(format!("… and {} more differences", lines.len() - SHOWN));
    }
    shown
}

/// The missing units by the shard that owns them, with the folder and Slurm task that last
/// ran that shard when one of the inputs did.
fn missing_report(missing: &[&PlannedUnit], total: usize, runs: &[RecordedRun]) -> String {
    let shards = runs[0].metadata.plan.shards;
    let mut by_shard: BTreeMap<u32, Vec<&WorkUnit>> = BTreeMap::new();
    for planned in missing {
        by_shard.entry(planned.shard).or_default().push(&planned.unit);
    }
    let mut text = format!("{} of {total} units are complete in none of the folders given:\n", missing.len());
    for (shard, units) in &by_shard {
        let names: Vec<String> = units.iter().map(ToString::to_string).collect();
        let _ = write!(text, "  shard {shard}/{shards}: {}", names.join(", "));
        // A folder of the whole run (no --shard) holds the one shard of a one-shard plan.
        let holds = |run: &&RecordedRun| run.metadata.shard.as_ref().map_or(shards == 1, |s| s.index == *shard);
        match runs.iter().find(holds) {
            Some(run) => {
                let ran = run.metadata.shard.as_ref().map_or("the whole run".to_string(), |s| format!("shard {s}"));
                let _ = writeln!(text, " ({ran}, folder {}: incomplete there)", run.dir.display());
            }
            None => text.push_str(" (no folder of this shard was given)\n"),
        }
    }
    if shards == 1 {
        let _ = write!(
            text,
            "to finish the run: `aocbench bench <the run's options> --resume <its folder>`, which runs only its missing units; \
             then merge again, or pass --allow-partial to merge what there is"
        );
    } else {
        let _ = write!(
            text,
            "to run shard K again: `aocbench bench <the run's options> --shard K/{shards} --resume <its folder>`, which runs only its missing units \
             (with scripts/slurm/bench-array.sbatch: `sbatch --array=K --export=ALL,AOCBENCH_SHARD=K/{shards} scripts/slurm/bench-array.sbatch <its arguments>`); \
             then merge again, or pass --allow-partial to merge what there is"
        );
    }
    text
}

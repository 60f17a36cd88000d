//! The `bench` loop: per instance, every AOC-DT repeat, then every reference repeat with the
//! same thread count. An instance's rows go to results.csv (synced) the moment it finishes and
//! every report is rewritten then, so an interrupted run keeps all finished instances. Under
//! `--shard` only the shard's units run; under `--resume` only the units not yet complete.

use std::collections::HashSet;
use std::path::PathBuf;

use super::aocdt::solve_instance;
use super::recorded_run::{run_differences, RecordedRun};
use crate::cluster::{product_size, CostModel, InstanceCost, RunPlan, Shard, WorkUnit};
use crate::engine::{create_engine, EngineChoice, Precision};
use crate::hardware::HardwareModel;
use crate::interrupt;
use crate::metrics::{projected_found, Found};
use crate::export::{csv, json, markdown, svg};
use crate::model::Instance;
use crate::output::atomic::write_atomically;
use crate::output::lock::FolderLock;
use crate::output::results_folder::{prepare_output, unarchive_json, OutputFiles, OutputMode};
use crate::machine;
use crate::table::{count, number, whole};
use crate::output::warnings::{self, Warning};
use crate::instances;
use crate::qplib::Catalog;
use crate::reference::recorded::{RecordedOutcome, RecordedSource};
use crate::results::{aggregate_table, aocbench_version, best_point, censored_ratios, comparison_table, gap_table, notices, pair_table, recorded_table, BenchResults, InstanceFacts, RawRun, ReferenceSetup, ResultRow, RunMetadata, SolverName};
use crate::reference::{ensure_environment, solve_with, ReferenceOptions};
use crate::sweep::{Budget, SweepObserver, SweepOptions};

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    pub instances: Vec<PathBuf>,
    /// Best-known objectives (an empty catalog: targets come from AOC-DT).
    pub catalog: Catalog,
    /// The set's name, or `instances` when they were listed.
    pub selection: String,
    /// Repeat r runs with seed `sweep.seed + r`.
    pub sweep: SweepOptions,
    pub engine: EngineChoice,
    /// Float type of the CPU engine's dynamics.
    pub precision: Precision,
    /// The machine the twin models (`None`: the ideal twin).
    pub hardware: Option<HardwareModel>,
    pub threads: usize,
    pub repeats: u32,
    /// The solvers AOC-DT is compared with, run in this order after AOC-DT on each instance.
    pub references: Vec<ReferenceOptions>,
    /// Where the recorded submissions for the run's instances are read, to become rows
    /// ([`crate::reference::recorded`]).
    pub recorded: RecordedSource,
    pub out: PathBuf,
    /// What to do when `out` already holds files.
    pub output: OutputMode,
    /// The part of the run this process does; None for all of it.
    pub shard: Option<Shard>,
    /// For the metadata.
    pub command_line: Vec<String>,
}

/// Progress callbacks, so the loop never prints.
pub trait BenchObserver {
    /// How many instances this process will run (fewer than listed under --shard or --resume).
    fn planned(&mut self, _instances: usize) {}
    fn instance_started(&mut self, _index: usize, _name: &str) {}
    /// The solver now running on the current instance, and its time limit (None under a work
    /// budget).
    fn stage(&mut self, _what: &str, _time_limit_s: Option<f64>) {}
    /// Where each AOC-DT solve reports its phases and batches.
    fn solve_progress(&mut self) -> &mut dyn SweepObserver;
    fn instance_finished(&mut self, _rows: &[ResultRow]) {}
    /// Something the user should read (an unavailable reference, a failed run).
    fn note(&mut self, _message: &str) {}
}


/// What bench offers instead of writing over a folder that holds a run.
const BENCH_REMEDY: &str = "Choose another folder, continue the run there with --resume FOLDER and the run's own options, \
or replace its bench files with --force.";

/// Reads every instance once for its name and size, and deals the units to the shards.
fn plan_run(config: &BenchConfig) -> anyhow::Result<(RunPlan, Vec<String>)> {
    let mut costs: Vec<InstanceCost> = Vec::with_capacity(config.instances.len());
    for path in &config.instances {
        let instance = instances::read_instance(path)?;
        config.catalog.check(&instance, path)?;
        anyhow::ensure!(!costs.iter().any(|c| c.name == instance.name), "instance {} is listed twice ({})", instance.name, path.display());
        // Refused before anything runs: a submission that is malformed or contradicts itself.
        let submissions = config.recorded.submissions(path, &instance)?;
        if let Some(warning) = Warning::recorded_solver_unread(&instance.name, &submissions.unread) {
            crate::errln!("{}", warning.line());
        }
        costs.push(InstanceCost { product_size: product_size(&instance), has_best_known: config.catalog.best_known(&instance.name).is_some(), name: instance.name });
    }
    let cost = CostModel { budget: config.sweep.budget, reference_s: config.references.iter().map(|r| r.time_limit_s).sum() };
    let shards = config.shard.as_ref().map_or(1, |s| s.count);
    Ok((RunPlan::new(&costs, config.repeats, cost, shards), costs.into_iter().map(|c| c.name).collect()))
}

/// The output folder locked for this process ([`FolderLock`]), with the run recorded there
/// when resuming one; otherwise the folder made ready for a run from nothing (or refused).
/// Errors: the folder is in use by another process (nothing is read or deleted then).
fn recorded_run(config: &BenchConfig, files: &OutputFiles) -> anyhow::Result<(FolderLock, Option<RecordedRun>)> {
    if config.output == OutputMode::Fresh {
        // Refused before the lock, so a folder that is not ours gets no lock file.
        prepare_output(&config.out, files, config.output, BENCH_REMEDY)?;
        return Ok((FolderLock::acquire(&config.out)?, None));
    }
    // Locked before anything is read or deleted.
    let lock = FolderLock::acquire(&config.out)?;
    if config.output == OutputMode::Resume && files.recorded_json()?.exists() {
        unarchive_json(files)?;
        return Ok((lock, Some(RecordedRun::read(&config.out)?)));
    }
    prepare_output(&config.out, files, config.output, BENCH_REMEDY)?;
    Ok((lock, None))
}

/// How `opts` is recorded in a run's metadata; `unavailable`: why it could not run, if so.
fn reference_setup(opts: &ReferenceOptions, unavailable: Option<String>) -> ReferenceSetup {
    ReferenceSetup {
        solver: opts.solver,
        time_limit_s: opts.time_limit_s,
        threads: opts.threads,
        grace_s: opts.grace_s,
        penalty: opts.solver.is_binary_heuristic().then_some(opts.penalty),
        venv: opts.venv_dir.display().to_string(),
        unavailable,
    }
}

/// Refuses to resume a merged folder, a folder that holds another run, or another shard of
/// this one.
fn check_resumable(config: &BenchConfig, recorded: &RecordedRun, metadata: &RunMetadata) -> anyhow::Result<()> {
    let merged = recorded.metadata.merged_from.len();
    anyhow::ensure!(
        merged == 0,
        "{} is a merged folder (`aocbench merge` of {merged} folders), which cannot be resumed: resume the shard folders it was merged from, then merge them again",
        config.out.display()
    );
    let differences = run_differences(&recorded.metadata, metadata);
    anyhow::ensure!(
        differences.is_empty(),
        "{} holds another run than this command makes, so it cannot be resumed:\n  {}",
        config.out.display(),
        differences.join("\n  ")
    );
    // Shards of one run share their count (the plan above); a folder of the whole run has none.
    let index = |m: &RunMetadata| m.shard.as_ref().map(|s| s.index);
    let part = |m: &RunMetadata| m.shard.as_ref().map_or("the whole run (no --shard)".to_string(), |s| format!("shard {}/{} of the run", s.index, s.count));
    anyhow::ensure!(index(&recorded.metadata) == index(metadata), "{} holds {}, not {}", config.out.display(), part(&recorded.metadata), part(metadata));
    Ok(())
}

pub fn run_bench(config: &BenchConfig, observer: &mut dyn BenchObserver) -> anyhow::Result<BenchResults> {
    let files = OutputFiles::in_dir(&config.out);
    let (_lock, recorded) = recorded_run(config, &files)?;
    let (plan, names) = plan_run(config)?;
    // Said before the run, not only in its closing notes: "reached" changes meaning there.
    let untargeted: Vec<String> = names.iter().filter(|name| config.catalog.best_known(name).is_none()).cloned().collect();
    if let Some(warning) = Warning::no_target(untargeted) {
        observer.note(&warning.line());
    }
    let mut engine = create_engine(config.engine, Some(config.threads), config.precision)?;
    engine.set_hardware(config.hardware.clone());
    if let Some(warning) = Warning::software_adapter(&engine.info()) {
        observer.note(&warning.line());
    }
    let cpu = machine::cpu_model();

    let info = engine.info();
    let mut results = BenchResults {
        metadata: RunMetadata {
            version: aocbench_version(),
            git_commit: machine::git_commit(),
            started: machine::now(),
            finished: None,
            os: machine::os(),
            cpu: cpu.clone(),
            cores: machine::available_cores(),
            engine: config.engine,
            precision: config.precision,
            engine_kind: info.kind,
            hardware: config.hardware.as_ref().map(|h| format!("{} (calibration {}); projected times: {}", h.describe(), h.calibration.source, crate::hardware::time::figures())),
            adapter: info.device,
            threads: info.threads,
            repeats: config.repeats,
            selection: config.selection.clone(),
            instances: config.instances.iter().map(|p| p.display().to_string()).collect(),
            sweep: config.sweep.clone(),
            references: Vec::new(),
            command_line: config.command_line.clone(),
            shard: config.shard.clone(),
            plan,
            merged_from: Vec::new(),
            missing_units: Vec::new(),
        },
        rows: Vec::new(),
        comparison: Vec::new(),
        aggregates: Vec::new(),
        runs: Vec::new(),
        curves: Vec::new(),
    };

    // A folder that cannot be resumed is refused before any reference is set up (which may
    // download): first with each reference as available as it was in the recorded run.
    if let Some(recorded) = &recorded {
        let was_available = |opts: &ReferenceOptions| recorded.metadata.references.iter().find(|r| r.solver == opts.solver).and_then(|r| r.unavailable.clone());
        results.metadata.references = config.references.iter().map(|opts| reference_setup(opts, was_available(opts))).collect();
        check_resumable(config, recorded, &results.metadata)?;
    }
    // Set every reference up once; one that fails is named with what is missing, and the bench
    // goes on without it.
    let mut references = Vec::new();
    let mut reference_setups = Vec::new();
    for opts in &config.references {
        let ready = ensure_environment(opts, false, &mut |step| observer.note(step));
        match &ready {
            Err(missing) => observer.note(&format!("{missing}\nbenchmarking without {}", SolverName::from(opts.solver).label())),
            Ok(environment) => {
                if let Some(warning) = Warning::unpinned_package(opts.solver, environment) {
                    observer.note(&warning.line());
                }
            }
        }
        reference_setups.push(reference_setup(opts, ready.as_ref().err().map(ToString::to_string)));
        if let Ok(environment) = ready {
            references.push((opts, environment.python));
        }
    }
    results.metadata.references = reference_setups;

    let mut complete: HashSet<WorkUnit> = HashSet::new();
    if let Some(recorded) = recorded {
        check_resumable(config, &recorded, &results.metadata)?;
        results.metadata.started = recorded.metadata.started;
        results.rows = recorded.rows;
        results.runs = recorded.runs;
        results.curves = recorded.curves;
        complete = recorded.complete;
    }
    // The kept rows exactly as they were; a row cut short and rows of incomplete units go.
    let mut rows_file = csv::ResultsWriter::resume(&files.results_csv, &results.rows)?;
    results.sort_in_run_order();
    results.summarise();
    json::write_results(&files.results_json, &results)?;

    let shard = config.shard.as_ref().map_or(1, |s| s.index);
    let todo: Vec<(&PathBuf, Vec<u32>)> = config
        .instances
        .iter()
        .zip(&names)
        .map(|(path, name)| {
            let units = results.metadata.plan.shard_units(shard).filter(|u| u.unit.instance == *name && !complete.contains(&u.unit));
            (path, units.map(|u| u.unit.repeat).collect::<Vec<u32>>())
        })
        .filter(|(_, repeats)| !repeats.is_empty())
        .collect();
    if !complete.is_empty() {
        let remaining: usize = todo.iter().map(|(_, repeats)| repeats.len()).sum();
        observer.note(&format!("resuming {}: {} complete, {} to run", config.out.display(), count(complete.len(), "unit"), whole(remaining)));
    }
    observer.planned(todo.len());

    for (index, (path, repeats)) in todo.into_iter().enumerate() {
        let instance = instances::read_instance(path)?;
        observer.instance_started(index, &instance.name);
        // Recorded runs belong to the instance's first unit (repeat 0), as one process has it.
        let submissions = if repeats.contains(&0) { config.recorded.submissions(path, &instance)?.read } else { Vec::new() };
        let best_known = config.catalog.best_known(&instance.name);

        let mut aocdt = Vec::new();
        for &repeat in &repeats {
            let time_limit_s = match config.sweep.budget {
                Budget::TimeLimit(t) => Some(t),
                Budget::Work(_) => None,
            };
            observer.stage(&stage_label(SolverName::Aocdt, repeat, config.repeats), time_limit_s);
            let options = SweepOptions { seed: repeat_seed(config.sweep.seed, repeat), ..config.sweep.clone() };
            let outcome = solve_instance(&instance, engine.as_mut(), &options, best_known, observer.solve_progress());
            aocdt.push((repeat, options, outcome));
        }
        // Every repeat warns alike (the warnings depend on the instance and the engine).
        if let Some(outcome) = aocdt.iter().find_map(|(_, _, outcome)| outcome.as_ref().ok()) {
            for warning in outcome.warnings.iter().filter(|w| !w.said_when_known()) {
                observer.note(&warning.line());
            }
        }
        let sweeps = || aocdt.iter().filter_map(|(_, _, outcome)| outcome.as_ref().ok()).map(|o| &o.sweep);
        let aocdt_best = sweeps().filter_map(|s| s.incumbents.best_feasible.as_ref().map(|c| c.objective)).reduce(|a, b| instance.sense.best(a, b));
        // Every run's primal integral covers the longest time limit of the instance's runs;
        // under a work budget AOC-DT's is its longest wall time.
        let aocdt_span_s = match config.sweep.budget {
            Budget::TimeLimit(t) => t,
            Budget::Work(_) => sweeps().map(|s| s.elapsed_s).fold(0.0, f64::max),
        };
        let horizon_s = references.iter().map(|(opts, _)| opts.time_limit_s).fold(aocdt_span_s, f64::max);
        let facts = facts(&instance, &config.catalog, aocdt_best, horizon_s);

        let mut rows = Vec::new();
        let mut runs = Vec::new();
        let mut curves = Vec::new();
        for (repeat, options, outcome) in aocdt {
            match outcome {
                Ok(outcome) => {
                    let curve = facts.curve(SolverName::Aocdt, repeat, outcome.sweep.incumbents.improvements.iter().map(Found::from));
                    rows.push(facts.aocdt_row(repeat, &options, &outcome.sweep, curve.as_ref()));
                    curves.extend(curve);
                    if let Some(polished) = &outcome.sweep.polished {
                        let curve = facts.curve(SolverName::AocdtPolish, repeat, polished.improvements.iter().map(Found::from));
                        rows.extend(facts.polished_row(rows.last().expect("pushed above"), &outcome.sweep, curve.as_ref()));
                        curves.extend(curve);
                    }
                    if config.hardware.is_some() {
                        let projected = facts.curve(SolverName::AocProjected, repeat, outcome.sweep.incumbents.improvements.iter().map(projected_found));
                        let row = facts.projected_row(rows.last().expect("pushed above"), &outcome.sweep, projected.as_ref());
                        rows.push(row);
                        curves.extend(projected);
                    }
                    runs.push(RawRun::Aocdt {
                        instance: facts.name.clone(),
                        repeat,
                        seed: options.seed,
                        improvements: outcome.sweep.incumbents.improvements.clone(),
                        best_point: outcome.sweep.incumbents.best_feasible.as_ref().and_then(|c| best_point(&c.x)),
                        metrics: outcome.metrics,
                        sweep: Box::new(outcome.sweep),
                    });
                }
                Err(error) => {
                    rows.push(facts.failed_row(SolverName::Aocdt, repeat, options.seed, &results.metadata.adapter));
                    runs.push(failed(&facts, SolverName::Aocdt, repeat, &error, observer));
                }
            }
        }
        for (opts, python) in &references {
            for &repeat in &repeats {
                let solver = SolverName::from(opts.solver);
                observer.stage(&stage_label(solver, repeat, config.repeats), Some(opts.time_limit_s));
                let opts = ReferenceOptions { seed: repeat_seed(opts.seed, repeat), ..(*opts).clone() };
                match solve_with(python, &instance, &opts) {
                    Ok(mut run) => {
                        let curve = facts.curve(solver, repeat, run.trajectory());
                        rows.push(facts.reference_row(repeat, opts.seed, opts.time_limit_s, &cpu, &run, curve.as_ref()));
                        curves.extend(curve);
                        run.assignment = None;
                        runs.push(RawRun::Reference { instance: facts.name.clone(), repeat, run });
                    }
                    // Stopped by Ctrl-C: not a failed run to record.
                    Err(error) if interrupt::requested() => return Err(error),
                    Err(error) => {
                        rows.push(facts.failed_row(solver, repeat, opts.seed, &cpu));
                        runs.push(failed(&facts, solver, repeat, &error, observer));
                    }
                }
            }
        }

        for submission in &submissions {
            let run = RecordedOutcome::of(submission, &instance);
            let solver = SolverName::from(run.solver);
            let curve = facts.curve(solver, 0, run.found());
            rows.push(facts.recorded_row(&run, curve.as_ref()));
            curves.extend(curve);
            if let Some(warning) = Warning::recorded_contradicted(&facts.name, solver.label(), &run) {
                observer.note(&warning.line());
            }
            runs.push(RawRun::Submission { instance: facts.name.clone(), solver, repeat: 0, run });
        }

        for row in &rows {
            rows_file.append(row)?;
            if let Some(warning) = Warning::beats_proven_optimum(&row.instance, row.solver.label(), row.sense, row.best_objective.filter(|_| row.feasible), facts.proven_optimum) {
                observer.note(&warning.line());
            }
        }
        observer.instance_finished(&rows);
        results.rows.extend(rows);
        results.runs.extend(runs);
        results.curves.extend(curves);
        results.sort_in_run_order();
        results.summarise();
        write_reports(&files, &results)?;
    }
    results.metadata.finished = Some(machine::now());
    write_reports(&files, &results)?;
    Ok(results)
}

/// Seeds of repeats: the base seed, then the next ones.
fn repeat_seed(base: u64, repeat: u32) -> u64 {
    base.wrapping_add(u64::from(repeat))
}

fn stage_label(solver: SolverName, repeat: u32, repeats: u32) -> String {
    if repeats > 1 { format!("{} {}/{repeats}", solver.label(), repeat + 1) } else { solver.label().to_string() }
}

fn facts(instance: &Instance, catalog: &Catalog, aocdt_best: Option<f64>, horizon_s: f64) -> InstanceFacts {
    let best_known = catalog.best_known(&instance.name);
    InstanceFacts {
        horizon_s,
        name: instance.name.clone(),
        n_vars: instance.n_vars(),
        n_constraints: instance.n_constraints(),
        sense: instance.sense,
        best_known,
        proven_optimum: catalog.proven_optimum(&instance.name),
        target: best_known.or(aocdt_best),
    }
}

fn failed(facts: &InstanceFacts, solver: SolverName, repeat: u32, error: &anyhow::Error, observer: &mut dyn BenchObserver) -> RawRun {
    let message = format!("{error:#}");
    observer.note(&format!("{} on {} failed: {message}", solver.label(), facts.name));
    RawRun::Failed { instance: facts.name.clone(), solver, repeat, message }
}

/// Rewrites results.json, the comparison (CSV and markdown) and the plots. While instances
/// are left (or after an interruption) the markdown and the plots say the run is partial.
pub fn write_reports(files: &OutputFiles, results: &BenchResults) -> anyhow::Result<()> {
    json::write_results(&files.results_json, results)?;
    let comparison = comparison_table(&results.comparison);
    csv::write_table(&files.comparison_csv, &comparison)?;
    let total = results.metadata.instances.len();
    let notices = notices(&results.comparison, &results.rows, total);
    let report = markdown::Report {
        title: "aocbench: AOC-DT against the references",
        run: &describe(&results.metadata),
        notices: &notices,
        comparison: &comparison,
        pairs: &pair_table(&results.comparison),
        censored_ratios: censored_ratios(&results.comparison),
        aggregates: &aggregate_table(&results.aggregates),
        gaps: &gap_table(&results.aggregates),
        recorded: &recorded_table(&results.rows, &results.curves),
    };
    write_atomically(&files.comparison_md, markdown::report(&report).as_bytes())?;
    let partial = (results.comparison.len() < total).then(|| warnings::partial_run(results.comparison.len(), total));
    svg::write_performance_profiles(&files.profile_svg, &results.comparison, partial.as_deref())?;
    let instances: Vec<&str> = results.comparison.iter().map(|c| c.instance.as_str()).collect();
    svg::write_gap_over_time(&files.gap_over_time_svg, &instances, &results.curves, partial.as_deref())
}

/// One reference's terms: time limit, threads it used out of those given, its formulation rule.
fn describe_reference(r: &ReferenceSetup) -> String {
    let label = SolverName::from(r.solver).label();
    if let Some(why) = &r.unavailable {
        return format!("{label} unavailable ({})", why.lines().next().unwrap_or_default());
    }
    let used = if r.solver.uses_threads() { r.threads } else { 1 };
    let threads = if used < r.threads { format!("{} of the {} given, as it solves sequentially", count(used, "thread"), r.threads) } else { count(used, "thread") };
    let penalty = r.penalty.map_or(String::new(), |p| format!(", rows as penalties with binary slacks, {} weights", p.as_str()));
    format!("{label} (time limit {} s, {threads}{penalty})", number(Some(r.time_limit_s)))
}

/// The run in one paragraph, for the markdown report.
fn describe(m: &RunMetadata) -> String {
    let budget = match m.sweep.budget {
        Budget::TimeLimit(t) => format!("time limit {} s per solve", number(Some(t))),
        Budget::Work(w) => format!("work budget {} replica-iterations per solve", whole(w)),
    };
    let reference = if m.references.is_empty() {
        "no reference solver".to_string()
    } else {
        let each: Vec<String> = m.references.iter().map(describe_reference).collect();
        format!(
            "compared with {}. Every solver gets the same seed; package import and model building are timed apart (setup_time_s) and charged to no solver",
            each.join("; ")
        )
    };
    let repeats = if m.repeats == 1 { String::new() } else { format!(", {} repeats", m.repeats) };
    let mut text = format!(
        "AOC-DT ({} engine on {}, {}{}), {budget}, seed {}{repeats}; {reference}. {}, commit {}, {}, {}, started {}.",
        m.engine_kind,
        m.adapter,
        count(m.threads, "thread"),
        m.hardware.as_ref().map_or(String::new(), |h| format!(", hardware {h}")),
        m.sweep.seed,
        m.version,
        m.git_commit,
        m.os,
        count(m.cores, "core"),
        m.started
    );
    let units = m.plan.units.len();
    if let Some(shard) = &m.shard {
        text += &format!(" Shard {shard} of the run: {} of its {units} units.", m.plan.shard_units(shard.index).count());
    }
    if !m.merged_from.is_empty() {
        text += &format!(" Merged from {}.", count(m.merged_from.len(), "folder"));
    }
    if !m.missing_units.is_empty() {
        let names: Vec<String> = m.missing_units.iter().map(ToString::to_string).collect();
        text += &format!(" PARTIAL: {} of {units} units missing ({}).", m.missing_units.len(), names.join(", "));
    }
    text
}

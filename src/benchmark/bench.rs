//! The `bench` loop: per instance, every AOC-DT repeat, then every reference repeat with the
//! same thread count. An instance's rows go to results.csv (synced) the moment it finishes and
//! every report is rewritten then, so an interrupted run keeps all finished instances.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::aocdt::solve_instance;
use super::results::{aocbench_version, BenchResults, InstanceFacts, RawRun, ReferenceSetup, ResultRow, RunMetadata, SolverName};
use super::summary::{aggregate, aggregate_table, compare_instances, comparison_table};
use crate::engine::{create_engine, EngineChoice, Precision};
use crate::export::{csv, json, markdown, svg};
use crate::model::Instance;
use crate::output::atomic::write_atomically;
use crate::output::machine;
use crate::output::table::number;
use crate::output::warnings::Warning;
use crate::qplib::{self, Catalog};
use crate::reference::{ensure_environment, solve_with, ReferenceOptions};
use crate::sweep::{Budget, Silent, SweepOptions};

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
    pub threads: usize,
    pub repeats: u32,
    pub reference: Option<ReferenceOptions>,
    pub out: PathBuf,
    /// Replace the files of a previous run in `out` (deleted first) instead of refusing.
    pub force: bool,
    /// For the metadata.
    pub command_line: Vec<String>,
}

/// Progress callbacks, so the loop never prints.
pub trait BenchObserver {
    fn instance_started(&mut self, _index: usize, _name: &str) {}
    /// The solver now running on the current instance.
    fn stage(&mut self, _what: &str) {}
    fn instance_finished(&mut self, _rows: &[ResultRow]) {}
    /// Something the user should read (an unavailable reference, a failed run).
    fn note(&mut self, _message: &str) {}
}

/// The files of a bench run, all in its output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFiles {
    pub results_csv: PathBuf,
    pub results_json: PathBuf,
    pub comparison_csv: PathBuf,
    pub comparison_md: PathBuf,
    pub profile_svg: PathBuf,
}

impl OutputFiles {
    pub fn in_dir(dir: &Path) -> Self {
        OutputFiles {
            results_csv: dir.join("results.csv"),
            results_json: dir.join("results.json"),
            comparison_csv: dir.join("comparison.csv"),
            comparison_md: dir.join("comparison.md"),
            profile_svg: dir.join("profile.svg"),
        }
    }

    pub fn all(&self) -> [&Path; 5] {
        [&self.results_csv, &self.results_json, &self.comparison_csv, &self.comparison_md, &self.profile_svg]
    }
}

/// Creates the output folder, refusing one that holds anything: a previous run there must not
/// be truncated. With `force` the folder's bench files are deleted first, so nothing of the
/// old run is left beside the new one (other files stay).
fn prepare_output(dir: &Path, files: &OutputFiles, force: bool) -> anyhow::Result<()> {
    let existing: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned())).collect::<Result<_, _>>().with_context(|| format!("reading {}", dir.display()))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error).with_context(|| format!("reading {}", dir.display())),
    };
    if !existing.is_empty() && !force {
        let mut names = existing;
        names.sort();
        anyhow::bail!(
            "{} is not empty (it holds {}): a previous run there would be overwritten. Choose another --out, or pass --force to replace its bench files",
            dir.display(),
            names.join(", ")
        );
    }
    for file in files.all().into_iter().filter(|f| f.exists()) {
        std::fs::remove_file(file).with_context(|| format!("removing {}", file.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

pub fn run_bench(config: &BenchConfig, observer: &mut dyn BenchObserver) -> anyhow::Result<BenchResults> {
    let files = OutputFiles::in_dir(&config.out);
    prepare_output(&config.out, &files, config.force)?;
    let mut rows_file = csv::ResultsWriter::create(&files.results_csv)?;
    let mut engine = create_engine(config.engine, Some(config.threads), config.precision)?;
    let cpu = machine::cpu_model();

    // Set the reference up once; when that fails, say what is missing and bench AOC-DT alone.
    let mut reference_setup = None;
    let mut reference = None;
    if let Some(opts) = &config.reference {
        let ready = ensure_environment(opts);
        if let Err(missing) = &ready {
            observer.note(&format!("{missing}\nbenchmarking AOC-DT only"));
        }
        reference_setup = Some(ReferenceSetup {
            solver: opts.solver,
            time_limit_s: opts.time_limit_s,
            threads: opts.threads,
            grace_s: opts.grace_s,
            venv: opts.venv_dir.display().to_string(),
            unavailable: ready.as_ref().err().map(ToString::to_string),
        });
        reference = ready.ok().map(|python| (opts, python));
    }

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
            adapter: info.device,
            threads: info.threads,
            repeats: config.repeats,
            selection: config.selection.clone(),
            instances: config.instances.iter().map(|p| p.display().to_string()).collect(),
            sweep: config.sweep.clone(),
            reference: reference_setup,
            command_line: config.command_line.clone(),
        },
        rows: Vec::new(),
        comparison: Vec::new(),
        aggregates: Vec::new(),
        runs: Vec::new(),
    };

    for (index, path) in config.instances.iter().enumerate() {
        let instance = qplib::read_instance(path)?;
        observer.instance_started(index, &instance.name);
        let best_known = config.catalog.best_known(&instance.name);

        let mut aocdt = Vec::new();
        for repeat in 0..config.repeats {
            observer.stage(&stage_label(SolverName::Aocdt, repeat, config.repeats));
            let options = SweepOptions { seed: repeat_seed(config.sweep.seed, repeat), ..config.sweep.clone() };
            // No per-phase bars inside the instance bar: the sweep runs silently.
            let outcome = solve_instance(&instance, engine.as_mut(), &options, best_known, None, &mut Silent);
            aocdt.push((repeat, options, outcome));
        }
        // Every repeat warns alike (the warnings depend on the instance and the engine).
        if let Some(outcome) = aocdt.iter().find_map(|(_, _, outcome)| outcome.as_ref().ok()) {
            for warning in &outcome.warnings {
                observer.note(&warning.line());
            }
        }
        let aocdt_best = aocdt
            .iter()
            .filter_map(|(_, _, outcome)| outcome.as_ref().ok()?.sweep.incumbents.best_feasible.as_ref().map(|c| c.objective))
            .reduce(|a, b| instance.sense.best(a, b));
        let facts = facts(&instance, &config.catalog, aocdt_best);

        let mut rows = Vec::new();
        let mut runs = Vec::new();
        for (repeat, options, outcome) in aocdt {
            match outcome {
                Ok(outcome) => {
                    rows.push(facts.aocdt_row(repeat, &options, &outcome.sweep));
                    runs.push(RawRun::Aocdt {
                        instance: facts.name.clone(),
                        repeat,
                        seed: options.seed,
                        improvements: outcome.sweep.incumbents.improvements.clone(),
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
        if let Some((opts, python)) = &reference {
            for repeat in 0..config.repeats {
                let solver = SolverName::from(opts.solver);
                observer.stage(&stage_label(solver, repeat, config.repeats));
                let opts = ReferenceOptions { seed: repeat_seed(opts.seed, repeat), ..(*opts).clone() };
                match solve_with(python, &instance, &opts) {
                    Ok(mut run) => {
                        rows.push(facts.reference_row(repeat, opts.seed, opts.time_limit_s, &cpu, &run));
                        run.assignment = None;
                        runs.push(RawRun::Reference { instance: facts.name.clone(), repeat, run });
                    }
                    Err(error) => {
                        rows.push(facts.failed_row(solver, repeat, opts.seed, &cpu));
                        runs.push(failed(&facts, solver, repeat, &error, observer));
                    }
                }
            }
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
        results.comparison = compare_instances(&results.rows);
        results.aggregates = aggregate(&results.comparison);
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

fn facts(instance: &Instance, catalog: &Catalog, aocdt_best: Option<f64>) -> InstanceFacts {
    let best_known = catalog.best_known(&instance.name);
    InstanceFacts {
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

/// Rewrites results.json, the comparison (CSV and markdown) and the performance profile.
fn write_reports(files: &OutputFiles, results: &BenchResults) -> anyhow::Result<()> {
    json::write_results(&files.results_json, results)?;
    let comparison = comparison_table(&results.comparison);
    csv::write_table(&files.comparison_csv, &comparison)?;
    let text = markdown::report("aocbench: AOC-DT against the reference", &describe(&results.metadata), &comparison, &aggregate_table(&results.aggregates));
    write_atomically(&files.comparison_md, text.as_bytes())?;
    svg::write_performance_profile(&files.profile_svg, &results.comparison)
}

/// The run in one paragraph, for the markdown report.
fn describe(m: &RunMetadata) -> String {
    let budget = match m.sweep.budget {
        Budget::TimeLimit(t) => format!("time limit {} s per solve", number(Some(t))),
        Budget::Work(w) => format!("work budget {w} replica-iterations per solve"),
    };
    let reference = match &m.reference {
        None => "no reference solver".to_string(),
        Some(r) if r.unavailable.is_some() => format!("reference {} unavailable", r.solver),
        Some(r) => format!("reference {} with time limit {} s", r.solver, number(Some(r.time_limit_s))),
    };
    let repeats = if m.repeats == 1 { String::new() } else { format!(", {} repeats", m.repeats) };
    format!(
        "AOC-DT ({} engine on {}, {} threads), {budget}, seed {}{repeats}; {reference}. {}, commit {}, {}, {} cores, started {}.",
        m.engine_kind, m.adapter, m.threads, m.sweep.seed, m.version, m.git_commit, m.os, m.cores, m.started
    )
}

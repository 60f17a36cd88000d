//! The `bench` loop: per instance, every AOC-DT repeat, then every reference repeat with the
//! same thread count. An instance's rows go to results.csv (synced) the moment it finishes and
//! every report is rewritten then, so an interrupted run keeps all finished instances.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::aocdt::solve_instance;
use super::results::{aocbench_version, BenchResults, InstanceFacts, RawRun, ReferenceSetup, ResultRow, RunMetadata, SolverName};
use super::summary::{aggregate, aggregate_table, compare_instances, comparison_table, gap_table, notices};
use crate::engine::{create_engine, EngineChoice};
use crate::interrupt;
use crate::metrics::Found;
use crate::export::{csv, json, markdown, svg};
use crate::model::Instance;
use crate::output::atomic::write_atomically;
use crate::output::machine;
use crate::output::table::{count, number};
use crate::output::warnings;
use crate::qplib::{self, Catalog};
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
    pub threads: usize,
    pub repeats: u32,
    pub reference: Option<ReferenceOptions>,
    pub out: PathBuf,
    /// For the metadata.
    pub command_line: Vec<String>,
}

/// Progress callbacks, so the loop never prints.
pub trait BenchObserver {
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

/// The files of a bench run, all in its output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFiles {
    pub results_csv: PathBuf,
    pub results_json: PathBuf,
    pub comparison_csv: PathBuf,
    pub comparison_md: PathBuf,
    pub profile_svg: PathBuf,
    pub gap_over_time_svg: PathBuf,
}

impl OutputFiles {
    pub fn in_dir(dir: &Path) -> Self {
        OutputFiles {
            results_csv: dir.join("results.csv"),
            results_json: dir.join("results.json"),
            comparison_csv: dir.join("comparison.csv"),
            comparison_md: dir.join("comparison.md"),
            profile_svg: dir.join("profile.svg"),
            gap_over_time_svg: dir.join("gap_over_time.svg"),
        }
    }

    /// Every file, in the order the README lists them.
    pub fn all(&self) -> [&Path; 6] {
        [&self.results_csv, &self.results_json, &self.comparison_csv, &self.comparison_md, &self.profile_svg, &self.gap_over_time_svg]
    }
}

pub fn run_bench(config: &BenchConfig, observer: &mut dyn BenchObserver) -> anyhow::Result<BenchResults> {
    std::fs::create_dir_all(&config.out).with_context(|| format!("creating {}", config.out.display()))?;
    let files = OutputFiles::in_dir(&config.out);
    let mut rows_file = csv::ResultsWriter::create(&files.results_csv)?;
    let mut engine = create_engine(config.engine, Some(config.threads))?;
    let cpu = machine::cpu_model();

    // Set the reference up once; when that fails, say what is missing and bench AOC-DT alone.
    let mut reference_setup = None;
    let mut reference = None;
    if let Some(opts) = &config.reference {
        let ready = ensure_environment(opts, &mut |step| observer.note(step));
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
        curves: Vec::new(),
    };

    for (index, path) in config.instances.iter().enumerate() {
        let instance = qplib::read_instance(path)?;
        observer.instance_started(index, &instance.name);
        let best_known = config.catalog.best_known(&instance.name);

        let mut aocdt = Vec::new();
        for repeat in 0..config.repeats {
            let time_limit_s = match config.sweep.budget {
                Budget::TimeLimit(t) => Some(t),
                Budget::Work(_) => None,
            };
            observer.stage(&stage_label(SolverName::Aocdt, repeat, config.repeats), time_limit_s);
            let options = SweepOptions { seed: repeat_seed(config.sweep.seed, repeat), ..config.sweep.clone() };
            let outcome = solve_instance(&instance, engine.as_mut(), &options, best_known, None, observer.solve_progress());
            aocdt.push((repeat, options, outcome));
        }
        let sweeps = || aocdt.iter().filter_map(|(_, _, outcome)| outcome.as_ref().ok()).map(|o| &o.sweep);
        let aocdt_best = sweeps().filter_map(|s| s.incumbents.best_feasible.as_ref().map(|c| c.objective)).reduce(|a, b| instance.sense.best(a, b));
        // Every run's primal integral covers the longest time limit of the instance's runs;
        // under a work budget AOC-DT's is its longest wall time.
        let aocdt_span_s = match config.sweep.budget {
            Budget::TimeLimit(t) => t,
            Budget::Work(_) => sweeps().map(|s| s.elapsed_s).fold(0.0, f64::max),
        };
        let horizon_s = reference.as_ref().map_or(aocdt_span_s, |(opts, _)| aocdt_span_s.max(opts.time_limit_s));
        let facts = facts(&instance, best_known, aocdt_best, horizon_s);

        let mut rows = Vec::new();
        let mut runs = Vec::new();
        let mut curves = Vec::new();
        for (repeat, options, outcome) in aocdt {
            match outcome {
                Ok(outcome) => {
                    let curve = facts.curve(SolverName::Aocdt, repeat, outcome.sweep.incumbents.improvements.iter().map(Found::from));
                    rows.push(facts.aocdt_row(repeat, &options, &outcome.sweep, curve.as_ref()));
                    curves.extend(curve);
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

        for row in &rows {
            rows_file.append(row)?;
        }
        observer.instance_finished(&rows);
        results.rows.extend(rows);
        results.runs.extend(runs);
        results.curves.extend(curves);
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

fn facts(instance: &Instance, best_known: Option<f64>, aocdt_best: Option<f64>, horizon_s: f64) -> InstanceFacts {
    InstanceFacts {
        horizon_s,
        name: instance.name.clone(),
        n_vars: instance.n_vars(),
        n_constraints: instance.n_constraints(),
        sense: instance.sense,
        best_known,
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
fn write_reports(files: &OutputFiles, results: &BenchResults) -> anyhow::Result<()> {
    json::write_results(&files.results_json, results)?;
    let comparison = comparison_table(&results.comparison);
    csv::write_table(&files.comparison_csv, &comparison)?;
    let total = results.metadata.instances.len();
    let notices = notices(&results.comparison, total);
    let report = markdown::Report {
        title: "aocbench: AOC-DT against the reference",
        run: &describe(&results.metadata),
        notices: &notices,
        comparison: &comparison,
        aggregates: &aggregate_table(&results.aggregates),
        gaps: &gap_table(&results.aggregates),
    };
    write_atomically(&files.comparison_md, markdown::report(&report).as_bytes())?;
    let partial = (results.comparison.len() < total).then(|| warnings::partial_run(results.comparison.len(), total));
    svg::write_performance_profiles(&files.profile_svg, &results.comparison, partial.as_deref())?;
    let instances: Vec<&str> = results.comparison.iter().map(|c| c.instance.as_str()).collect();
    svg::write_gap_over_time(&files.gap_over_time_svg, &instances, &results.curves, partial.as_deref())
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
        "AOC-DT ({} engine on {}, {}), {budget}, seed {}{repeats}; {reference}. {}, commit {}, {}, {}, started {}.",
        m.engine_kind,
        m.adapter,
        count(m.threads, "thread"),
        m.sweep.seed,
        m.version,
        m.git_commit,
        m.os,
        count(m.cores, "core"),
        m.started
    )
}

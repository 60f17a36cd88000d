use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::failure::{Failure, Stage};
use super::{EngineArgs, HardwareArgs, SweepArgs};
use crate::benchmark::{solve_instance, SolveOutcome};
use crate::engine::create_engine;
use crate::hardware::HardwareModel;
use crate::model::Instance;
use crate::qplib::Catalog;
use crate::output::destination::Destination;
use super::progress_bar::{penalty_change, SweepProgress};
use crate::table::{count, counter, number, render, seconds, significant, violation, whole, TIME_DIGITS};
use crate::output::warnings::Warning;
use crate::instances::{self, InstanceDirs};
use crate::qumo::ConversionError;
use crate::sweep::Candidate;

#[derive(Debug, Args)]
pub struct SolveArgs {
    /// Instance file or name (e.g. QPLIB_0067).
    pub file: String,
    #[command(flatten)]
    pub sweep: SweepArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub hardware: HardwareArgs,
    /// Print the result as JSON (same fields plus per-phase statistics).
    #[arg(long)]
    pub json: bool,
    /// Write AOC-DT's best solution (variable values, one per line) to this file; with --polish
    /// the AOC-DT + polish best also goes to PATH.polished. PATH must be a regular file (replaced
    /// atomically) or a new path, not a file the solve reads; a symbolic link is followed (the
    /// file it points to is replaced, the link kept). Checked before the solve; the result is
    /// printed before any error about saving it.
    #[arg(long, value_name = "PATH")]
    pub save_solution: Option<PathBuf>,
    /// Best-known objective to aim for, a finite number (default: catalog.csv of the instance
    /// folder).
    #[arg(long, value_parser = super::finite_number)]
    pub best_known: Option<f64>,
}

/// Solves and prints the report. Errors: a usage or input error before the solve (the instance,
/// catalog, options, engine, or the --save-solution path), or one of the solve or the save.
pub fn run(dir: &InstanceDirs, args: SolveArgs) -> Result<(), Failure> {
    let (instance, path, catalog, save) = read_inputs(dir, &args).before_work()?;
    let best_known = args.best_known.or_else(|| catalog.best_known(&instance.name));
    let hardware = args.hardware.model().before_work()?;
    let options = args.sweep.options(args.engine.product, hardware.as_ref()).before_work()?;
    let mut engine = create_engine(args.engine.engine, args.engine.threads(), args.engine.precision).before_work()?;
    engine.set_hardware(hardware);
    let outcome = solve_instance(&instance, engine.as_mut(), &options, best_known, &mut SweepProgress::new()).map_err(|error| name_the_file(error, &path)).during_work()?;
    let warnings: Vec<Warning> = Warning::software_adapter(&engine.info()).into_iter().chain(warnings(&instance, &outcome, catalog.proven_optimum(&instance.name))).collect();
    for warning in warnings.iter().filter(|w| !w.said_when_known()) {
        crate::errln!("{}", warning.line());
    }
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&json_report(&instance, &options, engine.hardware(), &outcome, &warnings)).during_work()?);
    } else {
        crate::out!("{}", text_report(&instance, engine.hardware(), &outcome));
    }
    // After the report, so that an error here (a disk filled during the run) loses no result.
    match &save {
        Some(files) => files.save(&instance, &outcome).context("the result printed above was not saved").during_work(),
        None => Ok(()),
    }
}

/// The instance, its path, its catalog (checked against it) and where --save-solution writes,
/// that path checked before the solve: a long run must not end in an error about where to save it.
fn read_inputs(dir: &InstanceDirs, args: &SolveArgs) -> anyhow::Result<(Instance, PathBuf, Catalog, Option<SolutionFiles>)> {
    let path = instances::resolve_instance(dir, &args.file)?;
    let catalog = instances::catalog_for(dir, std::slice::from_ref(&path))?;
    let inputs: Vec<&Path> = [Some(path.as_path()), args.hardware.calibration.as_deref(), catalog.source()].into_iter().flatten().collect();
    let save = args.save_solution.as_deref().map(|out| SolutionFiles::check(out, args.sweep.polish, &inputs)).transpose()?;
    let instance = instances::read_instance(&path)?;
    catalog.check(&instance, &path)?;
    Ok((instance, path, catalog, save))
}

/// An error of the QUMO conversion names the instance (its first line); the user named a file.
fn name_the_file(error: anyhow::Error, path: &Path) -> anyhow::Error {
    if error.is::<ConversionError>() { error.context(path.display().to_string()) } else { error }
}

/// The solve's own warnings, and the guard against a feasible objective (AOC-DT's or the
/// polished one) better than a proven optimum.
fn warnings(instance: &Instance, outcome: &SolveOutcome, proven_optimum: Option<f64>) -> Vec<Warning> {
    let feasible_best = outcome.sweep.incumbents.best_feasible.as_ref().map(|c| c.objective);
    let polished = outcome.sweep.polished.as_ref().and_then(|p| p.best_feasible.as_ref()).map(|c| c.objective);
    let guard = [("AOC-DT", feasible_best), ("AOC-DT + polish", polished)]
        .into_iter()
        .filter_map(|(solver, objective)| Warning::beats_proven_optimum(&instance.name, solver, instance.sense, objective, proven_optimum));
    outcome.warnings.iter().cloned().chain(guard).collect()
}

fn json_report(instance: &Instance, options: &crate::sweep::SweepOptions, hardware: Option<&HardwareModel>, outcome: &SolveOutcome, warnings: &[Warning]) -> serde_json::Value {
    let answer = outcome.sweep.incumbents.answer();
    serde_json::json!({
        "instance": instance.name,
        "sense": instance.sense,
        "options": options,
        "hardware": hardware.map(|h| serde_json::json!({
            "machine": h.machine,
            "non_idealities": h.enabled,
            "calibration": h.calibration.source,
        })),
        "metrics": outcome.metrics,
        "answer": answer.map(|c| serde_json::json!({
            "objective": c.objective,
            "feasible": c.feasible,
            "max_violation": c.max_violation,
            "phase": c.phase,
            "configuration": c.configuration,
            "alpha0_beta0_gamma": c.configuration.paper_notation(),
            "time_s": c.time_s,
            "mvm": c.mvm,
        })),
        "sweep": outcome.sweep,
        "improvements": outcome.sweep.incumbents.improvements,
        // The polished track's objective and times; its sample statistics would be AOC-DT's.
        "polished": outcome.polished.as_ref().zip(outcome.sweep.polish.as_ref()).map(|(m, report)| serde_json::json!({
            "best_objective": m.best_objective,
            "feasible": m.feasible,
            "max_violation": m.max_violation,
            "best_known": m.best_known,
            "gap_to_best_known": m.gap_to_best_known,
            "reached_best_known": m.reached_best_known,
            "time_to_best_known_s": m.time_to_best_known_s,
            "mvm_to_best_known": m.mvm_to_best_known,
            "time_to_own_best_s": m.time_to_own_best_s,
            "mvm_to_own_best": m.mvm_to_own_best,
            "polish": report,
        })),
        "warnings": warnings,
    })
}

fn text_report(instance: &Instance, hardware: Option<&HardwareModel>, outcome: &SolveOutcome) -> String {
    let (m, sweep) = (&outcome.metrics, &outcome.sweep);
    let mut out = String::new();
    let mut line = |key: &str, value: String| {
        let _ = writeln!(out, "{key:<22}{value}");
    };
    let sizes = [count(instance.n_vars(), "variable"), count(instance.n_binary(), "binary"), count(instance.n_constraints(), "constraint")].join(", ");
    line("instance", format!("{} ({}, {sizes}; QUMO {})", instance.name, instance.sense.as_str(), count(sweep.qumo_vars, "variable")));
    line("engine", format!("{} on {} ({}), batch {}, {} product", sweep.engine.kind, sweep.engine.device, count(sweep.engine.threads, "thread"), sweep.batch_size, sweep.product.name()));
    if let Some(h) = hardware {
        line("hardware", format!("{} (calibration {})", h.describe(), h.calibration.source));
    }
    line("readout", sweep.readout.clone());
    if let Some(d) = &sweep.decomposition {
        line(
            "decomposition",
            format!(
                "block coordinate descent: {} blocks of {} and the extra binary, {} replicas × {} iterations per sub-solve; {} steps ({} accepted), {} chains finished ({} converged)",
                d.blocks.name(),
                count(d.block_size, "variable"),
                whole(d.replicas),
                whole(d.iterations),
                whole(d.steps),
                whole(d.accepted_steps),
                whole(d.chains_finished),
                whole(d.chains_converged)
            ),
        );
    }
    let e = sweep.eigenvalues_initial;
    // λ and the spectrum are dimensionless; six significant digits tell runs apart.
    let real = |v: f64| significant(Some(v), 6);
    line("lambda", format!("{} (J spectrum [{}, {}]); final {}", real(sweep.lambda_initial), real(e.min), real(e.max), real(sweep.lambda_final)));
    line("best objective", match (m.best_objective, m.feasible) {
        (Some(v), true) => format!("{} (feasible, max violation {})", number(Some(v)), violation(m.max_violation.unwrap_or(0.0))),
        (Some(v), false) => format!("NO FEASIBLE POINT FOUND; least violated point: objective {}, max violation {}", number(Some(v)), violation(m.max_violation.unwrap_or(f64::NAN))),
        (None, _) => "no sample ran".into(),
    });
    line("best known", match (m.best_known, m.gap_to_best_known) {
        // Berthold's primal gap as bench reports it, then the relative gap of results.csv's
        // gap_to_best_known_pct (docs/metrics.md has both); they differ far from the target.
        (Some(b), Some(g)) => match m.best_objective.filter(|_| m.feasible) {
            Some(v) => format!(
                "{} (primal gap {} %, relative gap {})",
                number(Some(b)),
                significant(Some(100.0 * crate::metrics::primal_gap(instance.sense, v, b)), 3),
                gap_percent(g)
            ),
            None => format!("{} (relative gap {})", number(Some(b)), gap_percent(g)),
        },
        (Some(b), None) => number(Some(b)),
        (None, _) => "unknown (target = this run's best)".into(),
    });
    let mvm = |n: Option<u64>| whole(n.unwrap_or(0));
    line("time to own best", m.time_to_own_best_s.map_or("-".into(), |t| format!("{} ({} mvm)", seconds(Some(t)), mvm(m.mvm_to_own_best))));
    line("time to best known", match (m.best_known, m.time_to_best_known_s) {
        (None, _) => "-".into(),
        (Some(_), None) => "not reached".into(),
        (Some(_), Some(t)) => format!("{} ({} mvm)", seconds(Some(t)), mvm(m.mvm_to_best_known)),
    });
    let (lo, hi) = m.success_probability_95;
    let per_sample = seconds(Some(m.time_per_sample_s).filter(|t| t.is_finite()));
    line("TTS99", format!("{} (p = {}/{} = {:.4}, 95% CI [{lo:.4}, {hi:.4}], {per_sample} per sample)", seconds(Some(m.tts99_s)), whole(m.successes), whole(m.samples), m.success_probability));
    line("mvm to target (99%)", counter(Some(m.mvm99)));
    let p = &m.projected;
    line(
        "projected AOC time",
        format!(
            "to own best {}, to best known {}, TTS99 {}, whole run {} (the paper's figures: {})",
            seconds(p.time_to_own_best_s),
            if m.best_known.is_some() { seconds(p.time_to_best_known_s) } else { "-".into() },
            seconds(Some(p.tts99_s)),
            seconds(Some(p.total_s)),
            crate::hardware::time::figures()
        ),
    );
    if let Some(c) = sweep.incumbents.answer() {
        let (alpha0, beta0, gamma) = c.configuration.paper_notation();
        line("winning parameters", format!("α0 = {alpha0:.6}, β0 = {beta0:.6}, γ = {gamma:.6} (a = {}, g = {}), found in {}", c.configuration.a, c.configuration.g, c.phase.label()));
    }
    if let (Some(polished), Some(report)) = (&outcome.polished, &sweep.polish) {
        let best = match (polished.best_objective, polished.feasible) {
            (Some(v), true) => number(Some(v)),
            _ => "no feasible point to polish".into(),
        };
        let gap = polished.gap_to_best_known.map_or(String::new(), |g| format!(", gap {}", gap_percent(g)));
        let reached = match (polished.best_known, polished.time_to_best_known_s) {
            (Some(_), Some(t)) => format!(", best known at {}", seconds(Some(t))),
            _ => String::new(),
        };
        let skipped = if report.skipped > 0 { format!(", {} batches skipped at the time share", report.skipped) } else { String::new() };
        line("AOC-DT + polish", format!("{best}{gap}{reached} ({} polished, {} improved, {}{skipped})", count(report.calls, "point"), whole(report.improved), seconds(Some(report.seconds))));
    }
    line("total", format!("{}, {} mvm (setup {})", seconds(Some(sweep.elapsed_s)), whole(sweep.total_mvm), seconds(Some(sweep.setup_s))));
    let rows: Vec<Vec<String>> = sweep
        .phases
        .iter()
        .map(|p| {
            vec![p.phase.label().into(), whole(p.configurations), whole(p.repetitions), format!("{}..{}", whole(p.iterations_min), whole(p.iterations_max)), whole(p.samples), whole(p.feasible_samples), whole(p.mvm), significant(Some(p.duration_s), TIME_DIGITS), number(p.best_objective)]
        })
        .collect();
    out.push('\n');
    out.push_str(&render(&["phase", "configs", "reps", "iterations", "samples", "feasible", "mvm", "time (s)", "best feasible"], &rows));
    for c in &sweep.penalty_changes {
        let _ = writeln!(out, "{}", penalty_change(c));
    }
    out
}

/// A relative gap as a percentage with four decimals; a gap that rounds to zero is printed as
/// 0.0000%, whatever the sign of its rounding error (a best-known written with fewer digits).
fn gap_percent(gap: f64) -> String {
    let percent = 100.0 * gap;
    format!("{:.4}%", if percent.abs() < 5e-5 { 0.0 } else { percent })
}

/// Where `--save-solution` writes: `PATH`, and `PATH.polished` under `--polish`.
struct SolutionFiles {
    aocdt: Destination,
    polished: Option<Destination>,
}

impl SolutionFiles {
    /// Both files checked (see [`Destination::check`]) against the run's `inputs`.
    fn check(path: &Path, polish: bool, inputs: &[&Path]) -> anyhow::Result<SolutionFiles> {
        let aocdt = Destination::check(path, inputs)?;
        let polished = if polish { Some(aocdt.with_suffix(".polished")?) } else { None };
        Ok(SolutionFiles { aocdt, polished })
    }

    /// `name value` per variable, preceded by the objective as a comment (SCIP's .sol layout).
    /// The AOC-DT + polish best goes to `PATH.polished` (when it has one).
    fn save(&self, instance: &Instance, outcome: &SolveOutcome) -> anyhow::Result<()> {
        let best = outcome.sweep.incumbents.answer().ok_or_else(|| anyhow::anyhow!("no solution to save: no sample ran"))?;
        write_solution(&self.aocdt, instance, "AOC-DT", best)?;
        let polished = outcome.sweep.polished.as_ref().and_then(|p| p.best_feasible.as_ref());
        if let Some((file, best)) = self.polished.as_ref().zip(polished) {
            write_solution(file, instance, "AOC-DT + polish", best)?;
        }
        Ok(())
    }
}

fn write_solution(file: &Destination, instance: &Instance, solver: &str, best: &Candidate) -> anyhow::Result<()> {
    let mut text = format!("# instance {}\n# solver {solver}\n# objective {}\n# feasible {} (max violation {:e})\n", instance.name, best.objective, best.feasible, best.max_violation);
    for (j, v) in best.x.iter().enumerate() {
        let _ = writeln!(text, "x{} {}", j + 1, v);
    }
    file.write(text.as_bytes())
}

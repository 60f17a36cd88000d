//! Warnings and notices, worded only here.
//!
//! Warnings: what a user must not miss although the run goes on and its numbers look
//! plausible. One variant per kind; commands print them on standard error as `warning: …`,
//! wrapped to the console width (through the progress bar when one is drawn), and JSON reports
//! list them.
//!
//! Notices: the texts a user reads in the console, comparison.md and the plots, one function
//! per kind, so that they say the same thing in the same words. Each returns the sentence
//! without a prefix; the caller adds `note:` or its format's emphasis.

use std::fmt;

use crate::engine::{EngineInfo, Precision, F32_RESOLUTION};
use crate::hardware::HardwareModel;
use crate::metrics::beats_proven_optimum;
use crate::model::Sense;
use crate::table::{count, number, seconds, whole, wrap, WIDTH};
use crate::qumo::CoefficientRange;
use crate::reference::recorded::{RecordedOutcome, STATUS_CONTRADICTED};
use crate::reference::{ReadyEnvironment, ReferenceSolver};
use crate::sweep::{Ending, BATCH_TIME_MARGIN, DEEP_CONFIGURATIONS};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The instance's coefficients carry detail finer than the f32 dynamics resolve beside its
    /// largest coefficient: those terms vanish from the dynamics (the exact f64 judge still
    /// scores every sample, but the sampler no longer sees what separates them).
    CoefficientRange { instance: String, range: CoefficientRange },
    /// A feasible objective strictly better than a catalog value marked proven optimal: the
    /// feasibility judge or the catalog is wrong, and the result must not be trusted.
    BeatsProvenOptimum { instance: String, solver: String, objective: f64, optimum: f64 },
    /// The QUMO has more variables than the modelled machine holds with signed weights, and
    /// `--decomposition none` ran it on an imagined machine of that size instead of the block
    /// coordinate descent the paper used.
    ExceedsMachine { instance: String, variables: usize, machine: String, capacity: usize },
    /// `--threads` asked for more threads than the process has cores: it runs on the cores.
    TooManyThreads { asked: usize, cores: usize },
    /// An option asked for more work in one batch (or BCD sub-solve) than the whole `--work`
    /// budget: it ran with the most the budget allows.
    ClampedToWork { instance: String, option: String, asked: u64, used: u64, work: u64 },
    /// The run stopped before its budget: enumeration proved the optimum and AOC-DT reached it
    /// ([`Ending::ProvenOptimum`]).
    StoppedAtProvenOptimum { instance: String, optimum: f64, points: u64, elapsed_s: f64, mvm: u64 },
    /// `--work` left replica-iterations no honest sample could spend ([`Ending::WorkUnspent`]).
    WorkUnspent { instance: String, work: u64, unspent: u64, least: u32 },
    /// The time limit cannot hold: the setup and one replica of phase 1 exceed it
    /// ([`Ending::LimitCannotHold`]). Known before the run's work and said then
    /// ([`Warning::said_when_known`]).
    TimeLimitCannotHold { instance: String, limit_s: f64, setup_s: f64, replica_s: f64 },
    /// Instances of a bench run without a best-known objective: their target will be AOC-DT's
    /// own best, so "reached" there only means matching AOC-DT.
    NoTarget { instances: Vec<String> },
    /// Rows of a user's `--catalog` file that name none of the run's instances (a typo, or a
    /// catalog written for more instances than this run has): they give no target.
    CatalogRowsUnmatched { file: String, names: Vec<String> },
    /// A recorded submission's claim that the judge contradicts (another objective, or an
    /// infeasible point): its row holds the judged values, not the claim.
    RecordedContradicted { instance: String, solver: String, submission: String, note: String },
    /// Submissions for an instance whose solver aocbench does not read (another submitter's,
    /// or aocbench's own export placed in a checkout): skipped, the others read.
    RecordedSolverUnread { instance: String, folders: Vec<String> },
    /// A QOBLIB class set (`--set labs`) with no checkout configured: the run uses the few
    /// smoke files shipped with aocbench, not the class.
    ShippedQoblibSubset { set: String, files: usize },
    /// The GPU engine runs on a software adapter (a CPU emulating a GPU, such as llvmpipe or
    /// lavapipe): its results are right, but its times measure that emulation, far slower
    /// than the native CPU engine, not a GPU.
    SoftwareAdapter { adapter: String },
    /// A reference solver runs on the machine's own build of a package (PyTorch) at another
    /// version than aocbench's pin: its results are that version's, which the results name.
    UnpinnedPackage { solver: String, package: String, installed: String, pinned: String },
    /// The Ctrl-C handler could not be installed (`error`): an interrupted reference solver
    /// leaves its scratch folder behind.
    InterruptUnhandled { error: String },
}

impl Warning {
    /// The coefficient-range warning, when `precision` does not resolve `range`.
    pub fn coefficient_range(instance: &str, range: Option<CoefficientRange>, precision: Precision) -> Option<Warning> {
        range.filter(|r| !precision.resolves(r)).map(|range| Warning::CoefficientRange { instance: instance.to_string(), range })
    }

    /// The suspected-judge-or-catalog-error warning, when `objective` (feasible) beats the proven
    /// `optimum` (see [`beats_proven_optimum`]).
    pub fn beats_proven_optimum(instance: &str, solver: &str, sense: Sense, objective: Option<f64>, optimum: Option<f64>) -> Option<Warning> {
        let (objective, optimum) = objective.zip(optimum)?;
        beats_proven_optimum(sense, objective, optimum).then(|| Warning::BeatsProvenOptimum { instance: instance.to_string(), solver: solver.to_string(), objective, optimum })
    }

    /// The exceeds-machine warning, when the QUMO's `variables` do not fit `hardware`.
    pub fn exceeds_machine(instance: &str, variables: usize, hardware: &HardwareModel) -> Option<Warning> {
        (variables > hardware.capacity()).then(|| Warning::ExceedsMachine { instance: instance.to_string(), variables, machine: hardware.machine.name().to_string(), capacity: hardware.capacity() })
    }

    /// The threads warning, when `asked` exceeds the `cores` available.
    pub fn too_many_threads(asked: usize, cores: usize) -> Option<Warning> {
        (asked > cores).then_some(Warning::TooManyThreads { asked, cores })
    }

    /// The clamped-to-work warning for `option`, when the run `used` less than was `asked`.
    pub fn clamped_to_work(instance: &str, option: &str, asked: u64, used: u64, work: u64) -> Option<Warning> {
        (used < asked).then(|| Warning::ClampedToWork { instance: instance.to_string(), option: option.to_string(), asked, used, work })
    }

    /// The warning that says why a run ended before its budget or could not keep it.
    pub fn ending(instance: &str, ending: &Ending) -> Warning {
        let instance = instance.to_string();
        match *ending {
            Ending::ProvenOptimum { optimum, points, elapsed_s, mvm } => Warning::StoppedAtProvenOptimum { instance, optimum, points, elapsed_s, mvm },
            Ending::WorkUnspent { work, unspent, least } => Warning::WorkUnspent { instance, work, unspent, least },
            Ending::LimitCannotHold { limit_s, setup_s, replica_s } => Warning::TimeLimitCannotHold { instance, limit_s, setup_s, replica_s },
        }
    }

    /// The no-target warning, when some of the run's instances have no best-known objective.
    pub fn no_target(instances: Vec<String>) -> Option<Warning> {
        (!instances.is_empty()).then_some(Warning::NoTarget { instances })
    }

    /// The unmatched-catalog-rows warning, when some rows of `file` name no instance of the run.
    pub fn catalog_rows_unmatched(file: &std::path::Path, names: Vec<String>) -> Option<Warning> {
        (!names.is_empty()).then(|| Warning::CatalogRowsUnmatched { file: file.display().to_string(), names })
    }

    /// The contradicted-claim warning, when the judge contradicts a recorded run (`run`).
    pub fn recorded_contradicted(instance: &str, solver: &str, run: &RecordedOutcome) -> Option<Warning> {
        (run.status == STATUS_CONTRADICTED).then(|| Warning::RecordedContradicted {
            instance: instance.to_string(),
            solver: solver.to_string(),
            submission: run.submission.clone(),
            note: run.note.clone().unwrap_or_default(),
        })
    }

    /// The unread-submissions warning, when some of `instance`'s submission folders (`folders`)
    /// name a solver aocbench does not read.
    pub fn recorded_solver_unread(instance: &str, folders: &[std::path::PathBuf]) -> Option<Warning> {
        (!folders.is_empty()).then(|| Warning::RecordedSolverUnread { instance: instance.to_string(), folders: folders.iter().map(|f| f.display().to_string()).collect() })
    }

    /// The shipped-subset warning for `--set SET`, read from the `files` shipped smoke files.
    pub fn shipped_qoblib_subset(set: &str, files: usize) -> Warning {
        Warning::ShippedQoblibSubset { set: set.to_string(), files }
    }

    /// The software-adapter warning, when the engine `info` describes a wgpu adapter that is a
    /// CPU ([`EngineInfo::software_adapter`]).
    pub fn software_adapter(info: &EngineInfo) -> Option<Warning> {
        info.software_adapter.then(|| Warning::SoftwareAdapter { adapter: info.device.clone() })
    }

    /// The unpinned-package warning, when `environment` runs `solver` on an unpinned package.
    pub fn unpinned_package(solver: ReferenceSolver, environment: &ReadyEnvironment) -> Option<Warning> {
        environment.unpinned.as_ref().map(|u| Warning::UnpinnedPackage {
            solver: solver.to_string(),
            package: u.package.to_string(),
            installed: u.installed.clone(),
            pinned: u.pinned.to_string(),
        })
    }

    /// The warning that Ctrl-C will not clean up, when its handler could not be installed.
    pub fn interrupt_unhandled(error: &anyhow::Error) -> Warning {
        Warning::InterruptUnhandled { error: format!("{error:#}") }
    }

    /// True for a warning the run says as soon as it knows it, before its work
    /// ([`crate::sweep::SweepObserver::ending_known`]): commands that print a run's warnings
    /// after it leave it out there (it was said), while JSON reports still list it.
    pub fn said_when_known(&self) -> bool {
        matches!(self, Warning::TimeLimitCannotHold { .. })
    }

    /// The warning as printed on standard error: `warning: …` wrapped to the console's
    /// [`WIDTH`], later lines indented under the text (a hanging indent).
    pub fn line(&self) -> String {
        wrap("warning: ", &self.to_string(), WIDTH)
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::CoefficientRange { instance, range } => {
                match range.merged_in_f32 {
                    Some((a, b)) => write!(f, "{instance}: coefficients {a} and {b} differ in the file but are one value in f32, which resolves 1 part in {F32_RESOLUTION:.1e}: the f32 dynamics cannot tell apart what they separate")?,
                    None => write!(
                        f,
                        "{instance}: coefficient magnitudes range from {:e} to {:e} (ratio {:.1e}), beyond the f32 dynamics' resolution of 1 part in {F32_RESOLUTION:.1e}: the smaller terms vanish beside the largest",
                        range.smallest,
                        range.largest,
                        range.ratio(),
                    )?,
                }
                write!(f, ". Run the CPU engine in double precision (--engine cpu --precision f64); solve's --polish searches the instance itself in f64")
            }
            Warning::BeatsProvenOptimum { instance, solver, objective, optimum } => write!(
                f,
                "{instance}: {solver}'s feasible objective {} is better than {}, which the catalog marks proven optimal: suspected judge or catalog error; do not trust this result",
                number(Some(*objective)),
                number(Some(*optimum)),
            ),
            Warning::ExceedsMachine { instance, variables, machine, capacity } => write!(
                f,
                "{instance}: its QUMO has {variables} variables, but {machine} holds {capacity} with signed weights: under --decomposition none it runs as if the machine had {variables} channels (mean offsets, unit gains), so the result is not what {machine} would reach; --decomposition bcd (the default) solves it block by block as the paper did"
            ),
            Warning::TooManyThreads { asked, cores } => write!(f, "--threads {asked}: this process has {} available, so it runs {} (more threads only contend for the same cores)", count(*cores, "core"), count(*cores, "thread")),
            Warning::ClampedToWork { instance, option, asked, used, work } => write!(
                f,
                "{instance}: {option} {asked} would spend more than the whole --work budget ({} replica-iterations) in one batch: it ran with {used}",
                whole(*work)
            ),
            Warning::StoppedAtProvenOptimum { instance, optimum, points, elapsed_s, mvm } => write!(
                f,
                "{instance}: stopped before its budget, at {elapsed_s:.3} s and {} replica-iterations: judging all {} points proved the optimum {}, and AOC-DT reached it; phases 1 and 2 ended once the deep search's {DEEP_CONFIGURATIONS} configurations had completed (or at their share of the budget, if sooner) and the deep search after the first full round in which a sample reached it, so TTS99 counts samples of as many deep configurations as a full run",
                whole(*mvm),
                whole(*points),
                number(Some(*optimum))
            ),
            Warning::WorkUnspent { instance, work, unspent, least } => write!(
                f,
                "{instance}: --work {work} spent {}: the last {} replica-iterations are fewer than the {} iterations of the shortest deep-search sample, so no sample could spend them",
                whole(work - unspent),
                whole(*unspent),
                whole(*least)
            ),
            Warning::TimeLimitCannotHold { instance, limit_s, setup_s, replica_s } => write!(
                f,
                "{instance}: the time limit of {} cannot hold: the setup (QUMO, λ, loading J, measuring the batch pace) took {} and one replica of phase 1 is planned at {} more (its measured pace and a {:.0} % margin); the run does that one replica and ends, past the limit (a limit of {:.0} s or more lets a replica start within it)",
                seconds(Some(*limit_s)),
                seconds(Some(*setup_s)),
                seconds(Some(*replica_s)),
                100.0 * (BATCH_TIME_MARGIN - 1.0),
                (setup_s + replica_s).ceil()
            ),
            Warning::NoTarget { instances } => write!(
                f,
                "no best-known objective for {}: the target there will be AOC-DT's own best, so \"reached\" will mean reaching AOC-DT's own best, not a known value; {TARGET_REMEDY}",
                instances.join(", ")
            ),
            Warning::CatalogRowsUnmatched { file, names } => write!(
                f,
                "{file}: {} row(s) name no instance of this run and give no target: {} (a row must carry the instance's name as its file's first line writes it)",
                names.len(),
                names.join(", ")
            ),
            Warning::RecordedContradicted { instance, solver, submission, note } => write!(
                f,
                "{instance}: {solver} in QOBLIB submission {submission}: {note}; its row holds the judged values, do not trust the recorded claim"
            ),
            Warning::RecordedSolverUnread { instance, folders } => write!(
                f,
                "{instance}: skipped the QOBLIB submission(s) {}: their solver is not one aocbench reads (Abs2, Gurobi); the others are read",
                folders.join(", ")
            ),
            Warning::ShippedQoblibSubset { set, files } => write!(
                f,
                "--set {set}: no QOBLIB checkout is configured, so the run uses the {} shipped with aocbench, a smoke subset, not the class; point --qoblib-dir or $AOCBENCH_QOBLIB_DIR at a QOBLIB checkout (scripts/download_qoblib.sh fetches the QUBO classes)",
                count(*files, "smoke file")
            ),
            Warning::SoftwareAdapter { adapter } => write!(
                f,
                "the GPU engine runs on {adapter}, a CPU emulating a GPU in software, not a GPU: its times measure that \
                 emulation, about two orders of magnitude slower than the native CPU engine (--engine cpu); \
                 `aocbench devices` lists the adapters"
            ),
            Warning::UnpinnedPackage { solver, package, installed, pinned } => write!(
                f,
                "{solver} runs on this machine's {package} {installed}, not the {pinned} aocbench pins (a build of it must fit the \
                 machine's CUDA driver, so an installed one is used as it is): its results are that version's, as the results' \
                 solver version says"
            ),
            Warning::InterruptUnhandled { error } => write!(f, "Ctrl-C will not clean up the reference solver's scratch folder: {error}"),
        }
    }
}

/// What Ctrl-C leaves of a bench writing into `dir`, and how to continue it.
pub fn interrupted_bench(dir: &std::path::Path) -> String {
    let dir = dir.display();
    wrap(
        "interrupted: ",
        &format!(
            "every instance finished so far is kept in {dir} (results.csv, results.json); `aocbench bench --resume {dir}` with \
             the run's other options runs the rest and writes the reports"
        ),
        WIDTH,
    )
}

/// The recorded rows (QOBLIB submissions): where they ran, and what may be compared.
pub fn recorded_rows(hardware: &[String]) -> String {
    format!(
        "the (recorded) rows are runs from QOBLIB submissions on other machines ({}), read from their files, not run here: their times are those machines' and no time ratio or speed-up is formed with them (no mean time in the aggregate tables, no line in the performance profile, no primal integral); compare quality at equal elapsed time (the recorded runs table) and which instances each reached",
        hardware.join("; ")
    )
}

/// The "AOC (projected)" rows: what their times are, and what they rest on.
pub fn projected_times() -> String {
    format!(
        "the AOC (projected) rows are AOC-DT's runs on the modelled machine's clock, a projection from the paper's figures ({}), not a measurement",
        crate::hardware::time::figures()
    )
}

/// The "AOC-DT + polish" rows (`--polish`): a hybrid, not the optimizer alone.
pub fn polished_rows() -> String {
    format!(
        "the AOC-DT + polish rows are AOC-DT's runs with every batch's best feasible point improved by a local search in f64 (1-flip, swap, double swap, pair flip): a hybrid, not AOC-DT alone; the AOC-DT rows are the optimizer's own (the polish took at most {:.0} % of their wall clock)",
        100.0 * crate::sweep::POLISH_TIME_SHARE
    )
}

/// How a user gives targets for their own instances.
const TARGET_REMEDY: &str = "give it with bench --best-known VALUE (one instance) or --catalog FILE (docs/instances.md)";

/// Instances without a best-known objective, whose target fell back to the best feasible
/// objective AOC-DT found (`target_source` = `aocdt_best`).
pub fn target_fell_back(instances: &[&str]) -> String {
    format!(
        "no best-known objective for {}: the target there is AOC-DT's own best (target_source \
         aocdt_best), so \"reached\" means matching AOC-DT's best, not a best-known value; {TARGET_REMEDY}",
        instances.join(", ")
    )
}

/// Instances where a feasible result beats a catalog value marked proven optimal
/// (`beats_proven_optimum` in results.csv): the judge or the catalog is wrong there.
pub fn beats_proven_optimum_in(instances: &[&str]) -> String {
    format!(
        "suspected judge or catalog error on {}: a feasible result beats the catalog's proven \
         optimum (beats_proven_optimum in results.csv); do not trust those rows",
        instances.join(", ")
    )
}

/// A bench run that stopped (or is still running) before every instance was done.
pub fn partial_run(done: usize, total: usize) -> String {
    format!("partial: {done} of {}", count(total, "instance"))
}

/// Runs whose wall time passed their time limit by more than a tenth (AOC-DT stops between
/// batches, so its last batch may end after the limit): `runs` as "solver on instance (wall s
/// of limit s)"; their points found after the limit count, unlike a peer's late reads.
pub fn overran_limit(runs: &[String]) -> String {
    format!(
        "{} passed {} time limit by more than a tenth, and what {} found after it counts: {}",
        count(runs.len(), "run"),
        if runs.len() == 1 { "its" } else { "their" },
        if runs.len() == 1 { "it" } else { "they" },
        runs.join(", ")
    )
}

/// Time ratios that are bounds because one side did not reach the target within its limit.
pub fn censored_time_ratio(reference: &str, bounds: usize, ratios: usize) -> String {
    format!(
        "{bounds} of {} ({reference} time-to-target / AOC-DT time-to-target) \
         {are}: \">x\" means {reference} did not reach the target within its limit, so \
         AOC-DT was at least x times faster; \"<x\" means AOC-DT did not reach it, so it was at \
         most x times as fast; the bound only says how long the limit was, not how long the \
         censored side would have needed",
        count(ratios, "time ratio"),
        are = if bounds == 1 { "is a bound" } else { "are bounds" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_name_what_they_warn_about() {
        let fell_back = target_fell_back(&["QPLIB_0067", "QPLIB_0633"]);
        assert!(fell_back.contains("QPLIB_0067, QPLIB_0633") && fell_back.contains("AOC-DT's own best"), "{fell_back}");
        assert_eq!(partial_run(3, 7), "partial: 3 of 7 instances");
        let censored = censored_time_ratio("SCIP", 4, 5);
        assert!(censored.starts_with("4 of 5 time ratios (SCIP time-to-target / AOC-DT") && censored.contains("are bounds: \">x\""), "{censored}");
        assert!(censored_time_ratio("SCIP", 1, 1).starts_with("1 of 1 time ratio (SCIP"), "singular");
        assert_eq!(partial_run(0, 1), "partial: 0 of 1 instance");
    }

    #[test]
    fn a_long_warning_wraps_to_the_console_width_under_a_hanging_indent() {
        let warning = Warning::WorkUnspent { instance: "QPLIB_0067".into(), work: 12_950, unspent: 150, least: 200 };
        let line = warning.line();
        let lines: Vec<&str> = line.lines().collect();
        assert!(lines.len() >= 2 && lines.iter().all(|l| l.chars().count() <= WIDTH), "{line}");
        assert!(lines[0].starts_with("warning: QPLIB_0067: --work 12950 spent 12,800:"), "{line}");
        assert!(lines[1..].iter().all(|l| l.starts_with("         ") && !l.starts_with("          ")), "{line}");
        assert_eq!(line.split_whitespace().skip(1).collect::<Vec<_>>().join(" "), warning.to_string());
    }

    #[test]
    fn a_software_adapter_is_named_and_a_hardware_one_is_not() {
        let info = |software_adapter| EngineInfo { kind: "gpu".into(), device: "llvmpipe (LLVM 15.0.7, 256 bits) (Vulkan, Cpu)".into(), threads: 1, dense_kernel: None, software_adapter };
        let line = Warning::software_adapter(&info(true)).expect("a CPU adapter is warned about").line();
        assert!(line.starts_with("warning: the GPU engine runs on llvmpipe (LLVM 15.0.7, 256 bits) (Vulkan, Cpu), a CPU emulating a GPU"), "{line}");
        assert_eq!(Warning::software_adapter(&info(false)), None);
    }
}

//! What the rows add up to: one comparison per instance (AOC-DT against the reference,
//! time-to-target and speed-up) and one aggregate per solver. Computed from [`ResultRow`]s
//! alone, so a results.csv can always be summarised again.

use serde::Serialize;

use super::schema::{ResultRow, RunCurve, SolverName, TargetSource};
use crate::metrics::{shifted_geometric_mean, time_to_match, EqualQuality, Matching, GAP_LEVELS};
use crate::model::Sense;
use crate::table::{number, significant, TIME_DIGITS};
use crate::output::warnings;

/// Shift of the shifted geometric mean of times, in seconds (the usual choice in MIP
/// benchmarking: times far below a second count as about equal).
pub const SGM_SHIFT_S: f64 = 1.0;

/// Significant digits of gaps (percent) in tables.
const GAP_DIGITS: usize = 3;

/// A time-to-target, or the limit within which the target was not reached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeToTarget {
    Reached(f64),
    /// Not reached within this many seconds (the run's time limit, or its length under a work
    /// budget).
    Censored(f64),
}

impl TimeToTarget {
    /// The time with a failure charged its limit (for means across instances).
    fn charged(self) -> f64 {
        match self {
            TimeToTarget::Reached(t) | TimeToTarget::Censored(t) => t,
        }
    }

    pub fn reached(self) -> Option<f64> {
        match self {
            TimeToTarget::Reached(t) => Some(t),
            TimeToTarget::Censored(_) => None,
        }
    }

    fn cell(self) -> String {
        match self {
            TimeToTarget::Reached(t) => significant(Some(t), TIME_DIGITS),
            TimeToTarget::Censored(limit) => format!(">{}", significant(Some(limit), TIME_DIGITS)),
        }
    }
}

/// Reference time-to-target / AOC-DT time-to-target; bounds when one side is censored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Speedup {
    Ratio(f64),
    /// The reference did not reach the target within its limit.
    AtLeast(f64),
    /// AOC-DT did not reach the target within its limit.
    AtMost(f64),
}

impl Speedup {
    fn between(reference: TimeToTarget, aocdt: TimeToTarget) -> Option<Speedup> {
        use TimeToTarget::{Censored, Reached};
        match (reference, aocdt) {
            (Reached(r), Reached(a)) => Some(Speedup::Ratio(r / a)),
            (Censored(r), Reached(a)) => Some(Speedup::AtLeast(r / a)),
            (Reached(r), Censored(a)) => Some(Speedup::AtMost(r / a)),
            (Censored(_), Censored(_)) => None,
        }
    }

    fn cell(self) -> String {
        match self {
            Speedup::Ratio(x) => significant(Some(x), TIME_DIGITS),
            Speedup::AtLeast(x) => format!(">{}", significant(Some(x), TIME_DIGITS)),
            Speedup::AtMost(x) => format!("<{}", significant(Some(x), TIME_DIGITS)),
        }
    }
}

/// One solver on one instance, over its repeats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolverResult {
    pub solver: SolverName,
    /// Repeats that ran (failed runs are not counted anywhere below).
    pub runs: usize,
    pub reached_target: usize,
    pub reached_best_known: usize,
    pub feasible: usize,
    /// Best feasible objective over the repeats.
    pub best_objective: Option<f64>,
    /// Time to each of [`GAP_LEVELS`] (the first is the time-to-target): the median over the
    /// repeats (the lower one for an even count), a censored run counting as slower than
    /// every run that reached the level; None without a target.
    pub time_to_gap: Option<[TimeToTarget; GAP_LEVELS.len()]>,
    /// Median primal gap of the repeats' best points, percent.
    pub primal_gap_pct: Option<f64>,
    /// Median primal integral over the instance's horizon, seconds.
    pub primal_integral_s: Option<f64>,
    /// Median TTS99 over the repeats (AOC-DT only).
    pub tts99_s: Option<f64>,
    /// Median TTS99 with phases 1 and 2 charged (AOC-DT only).
    pub tts99_with_tuning_s: Option<f64>,
}

impl SolverResult {
    fn from_rows(solver: SolverName, rows: &[&ResultRow]) -> Option<Self> {
        let ran: Vec<&ResultRow> = rows.iter().copied().filter(|r| r.solver == solver && r.ran()).collect();
        let first = ran.first()?;
        let median_time = |level: usize| {
            let times = ran.iter().map(|r| match r.time_to_gap_s()[level] {
                Some(t) => TimeToTarget::Reached(t),
                None => TimeToTarget::Censored(r.time_limit_s.unwrap_or(r.wall_time_s)),
            });
            lower_median(times.collect(), |t| t.reached().unwrap_or(f64::INFINITY)).expect("at least one run")
        };
        let median = |column: fn(&ResultRow) -> Option<f64>| lower_median(ran.iter().filter_map(|r| column(r)).collect(), |&v| v);
        let best_objective = ran
            .iter()
            .filter(|r| r.feasible)
            .filter_map(|r| r.best_objective)
            .reduce(|a, b| first.sense.best(a, b));
        Some(SolverResult {
            solver,
            runs: ran.len(),
            reached_target: ran.iter().filter(|r| r.time_to_target_s.is_some()).count(),
            reached_best_known: ran.iter().filter(|r| r.reached_best_known).count(),
            feasible: ran.iter().filter(|r| r.feasible).count(),
            best_objective,
            time_to_gap: first.target.map(|_| std::array::from_fn(median_time)),
            primal_gap_pct: median(|r| r.primal_gap_pct),
            primal_integral_s: median(|r| r.primal_integral_s),
            tts99_s: median(|r| r.tts99_s),
            tts99_with_tuning_s: median(|r| r.tts99_with_tuning_s),
        })
    }

    /// The median time-to-target (the 0 % gap level); None without a target.
    pub fn time_to_target(&self) -> Option<TimeToTarget> {
        self.time_to_gap.map(|times| times[0])
    }
}

/// The lower median of `values` ordered by `key`; None for none.
fn lower_median<T: Copy>(mut values: Vec<T>, key: impl Fn(&T) -> f64) -> Option<T> {
    values.sort_by(|a, b| key(a).total_cmp(&key(b)));
    values.get(values.len().saturating_sub(1) / 2).copied()
}

/// AOC-DT against one reference on one instance, over the repeats they share (each cell the
/// lower median over those repeats).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairComparison {
    pub solver: SolverName,
    /// The reference's time-to-target over AOC-DT's; a bound when one side is censored.
    pub time_ratio: Option<Speedup>,
    /// When AOC-DT reached the objective the reference ended with (King et al.'s
    /// time-to-target with the other's result as the target); censored at the horizon.
    pub aocdt_time_to_reference_final: Option<TimeToTarget>,
    /// When the reference reached the objective AOC-DT ended with.
    pub reference_time_to_aocdt_final: Option<TimeToTarget>,
    /// The best objective both reached (the worse of their finals) and the reference's time
    /// to it over AOC-DT's: a measured ratio, never a bound; None when either found no
    /// feasible point.
    pub equal_quality_objective: Option<f64>,
    pub equal_quality_ratio: Option<f64>,
}

impl PairComparison {
    fn of(sense: Sense, reference: &SolverResult, aocdt: Option<&SolverResult>, curves: &[&RunCurve]) -> Self {
        let solver = reference.solver;
        let curve = |who: SolverName, repeat: u32| curves.iter().find(|c| c.solver == who && c.repeat == repeat);
        let repeats: Vec<u32> = curves.iter().filter(|c| c.solver == SolverName::Aocdt).map(|c| c.repeat).filter(|&r| curve(solver, r).is_some()).collect();
        let matched: Vec<(Matching, f64)> = repeats
            .iter()
            .map(|&r| {
                let (a, b) = (curve(SolverName::Aocdt, r).expect("filtered"), curve(solver, r).expect("filtered"));
                (time_to_match(sense, &a.curve, &b.curve), a.horizon_s)
            })
            .collect();
        let timed = |pick: fn(&Matching) -> Option<f64>| {
            let times = matched.iter().map(|(m, horizon)| pick(m).map_or(TimeToTarget::Censored(*horizon), TimeToTarget::Reached)).collect();
            lower_median(times, |t| t.reached().unwrap_or(f64::INFINITY))
        };
        let equal: Vec<EqualQuality> = matched.iter().filter_map(|(m, _)| m.equal_quality).collect();
        let median_equal = lower_median(equal, EqualQuality::ratio);
        // Nothing to match where the other side found no feasible point.
        let aocdt_found = aocdt.is_some_and(|a| a.best_objective.is_some());
        PairComparison {
            solver,
            // Another machine's times make no ratio with this one's.
            time_ratio: aocdt.filter(|_| !solver.is_recorded()).and_then(|a| reference.time_to_target().zip(a.time_to_target())).and_then(|(r, a)| Speedup::between(r, a)),
            aocdt_time_to_reference_final: reference.best_objective.and_then(|_| timed(|m| m.a_to_b_final_s)),
            reference_time_to_aocdt_final: timed(|m| m.b_to_a_final_s).filter(|_| aocdt_found),
            equal_quality_objective: median_equal.map(|e| e.objective),
            equal_quality_ratio: median_equal.filter(|_| !solver.is_recorded()).map(|e| e.ratio()),
        }
    }
}

/// One instance: AOC-DT against every reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceComparison {
    pub instance: String,
    pub target: Option<f64>,
    pub target_source: Option<TargetSource>,
    pub aocdt: Option<SolverResult>,
    /// AOC-DT's runs with their batches' best points polished (under `--polish` only).
    pub polished: Option<SolverResult>,
    /// AOC-DT's runs on the modelled machine's projected clock (under `--hardware` only).
    pub projected: Option<SolverResult>,
    /// Every reference that ran on the instance, in run order.
    pub references: Vec<SolverResult>,
    /// AOC-DT against each of `references`, in the same order.
    pub pairs: Vec<PairComparison>,
    /// Some run's feasible result beats the catalog's proven optimum (a suspected judge or
    /// catalog error).
    pub beats_proven_optimum: bool,
}

impl InstanceComparison {
    /// AOC-DT's result, the polished one, its projection onto the machine, then the references'.
    pub fn solvers(&self) -> Vec<Option<&SolverResult>> {
        let own = [self.aocdt.as_ref(), self.polished.as_ref(), self.projected.as_ref()];
        own.into_iter().chain(self.references.iter().map(Some)).collect()
    }

    /// The result of `solver` on this instance, if it ran.
    pub fn result(&self, solver: SolverName) -> Option<&SolverResult> {
        self.solvers().into_iter().flatten().find(|r| r.solver == solver)
    }
}

/// Instances in the order they first appear in `rows`, each compared; `curves` are the runs'
/// primal gap curves, for the time-to-match.
pub fn compare_instances(rows: &[ResultRow], curves: &[RunCurve]) -> Vec<InstanceComparison> {
    let references = reference_solvers(rows);
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.instance.as_str()) {
            names.push(&row.instance);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let of_instance: Vec<&ResultRow> = rows.iter().filter(|r| r.instance == name).collect();
            let instance_curves: Vec<&RunCurve> = curves.iter().filter(|c| c.instance == name).collect();
            let aocdt = SolverResult::from_rows(SolverName::Aocdt, &of_instance);
            let polished = SolverResult::from_rows(SolverName::AocdtPolish, &of_instance);
            let projected = SolverResult::from_rows(SolverName::AocProjected, &of_instance);
            let results: Vec<SolverResult> = references.iter().filter_map(|&s| SolverResult::from_rows(s, &of_instance)).collect();
            let sense = of_instance[0].sense;
            let pairs = results.iter().map(|r| PairComparison::of(sense, r, aocdt.as_ref(), &instance_curves)).collect();
            InstanceComparison {
                instance: name.to_string(),
                target: of_instance[0].target,
                target_source: of_instance[0].target_source,
                aocdt,
                polished,
                projected,
                references: results,
                pairs,
                beats_proven_optimum: of_instance.iter().any(|r| r.beats_proven_optimum),
            }
        })
        .collect()
}

/// The reference solvers of a bench run, in the order of their first rows.
fn reference_solvers(rows: &[ResultRow]) -> Vec<SolverName> {
    distinct(rows.iter().map(|r| r.solver).filter(|s| s.is_reference()))
}

/// Every solver with a result in `comparisons`, in order of first appearance.
pub fn solvers_of(comparisons: &[&InstanceComparison]) -> Vec<SolverName> {
    distinct(comparisons.iter().flat_map(|c| c.solvers().into_iter().flatten().map(|r| r.solver)))
}

/// The items of `items` in order of first appearance, each once.
fn distinct(items: impl Iterator<Item = SolverName>) -> Vec<SolverName> {
    let mut seen: Vec<SolverName> = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// One solver over all instances.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolverAggregate {
    pub solver: SolverName,
    pub instances: usize,
    /// Instances with a best-known value, and those where at least one repeat reached it.
    pub with_best_known: usize,
    pub reached_best_known: usize,
    pub feasible: usize,
    /// One entry per [`GAP_LEVELS`] level (the first is the time-to-target).
    pub time_to_gap: Vec<GapAggregate>,
    /// Arithmetic means, over the instances with a target, of the median primal gap (percent)
    /// and of the median primal integral (seconds).
    pub mean_primal_gap_pct: Option<f64>,
    pub mean_primal_integral_s: Option<f64>,
}

/// One solver at one gap level, over the instances with a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapAggregate {
    /// The level as a fraction (0.01 = 1 %).
    pub level: f64,
    /// Instances whose median run reached the level.
    pub reached: usize,
    pub with_target: usize,
    /// Shifted geometric mean (shift `SGM_SHIFT_S`, 1 s) of the median time to the level, a
    /// failure charged its time limit (so a lower bound whenever there are failures); None for
    /// a recorded solver, whose times are another machine's.
    pub sgm_time_s: Option<f64>,
}

impl GapAggregate {
    /// The shifted geometric mean as a table cell: `≥x` when some instance missed the level and
    /// was charged its limit, so that the mean is a lower bound.
    fn sgm_cell(&self) -> String {
        let mean = significant(self.sgm_time_s, TIME_DIGITS);
        if self.reached < self.with_target && self.sgm_time_s.is_some() { format!("≥{mean}") } else { mean }
    }
}

/// One aggregate per solver of `comparisons`. A recorded solver (a QOBLIB submission) keeps its
/// counts but has no mean time: its times are another machine's, and beside AOC-DT's (a miss
/// charged the submitter's limit, hours, against AOC-DT's seconds) they would read as a speed-up.
pub fn aggregate(comparisons: &[InstanceComparison]) -> Vec<SolverAggregate> {
    solvers_of(&comparisons.iter().collect::<Vec<_>>())
        .into_iter()
        .map(|solver| {
            let results: Vec<(&InstanceComparison, &SolverResult)> = comparisons.iter().filter_map(|c| c.result(solver).map(|r| (c, r))).collect();
            let timed: Vec<&[TimeToTarget; GAP_LEVELS.len()]> = results.iter().filter_map(|(_, r)| r.time_to_gap.as_ref()).collect();
            let time_to_gap = GAP_LEVELS
                .iter()
                .enumerate()
                .map(|(level_index, &level)| {
                    let times: Vec<f64> = timed.iter().map(|t| t[level_index].charged()).collect();
                    GapAggregate {
                        level,
                        reached: timed.iter().filter(|t| t[level_index].reached().is_some()).count(),
                        with_target: timed.len(),
                        sgm_time_s: (!times.is_empty() && !solver.is_recorded()).then(|| shifted_geometric_mean(&times, SGM_SHIFT_S)),
                    }
                })
                .collect();
            let mean = |values: Vec<f64>| (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
            SolverAggregate {
                solver,
                instances: results.len(),
                with_best_known: results.iter().filter(|(c, _)| c.target_source == Some(TargetSource::BestKnown)).count(),
                reached_best_known: results.iter().filter(|(_, r)| r.reached_best_known > 0).count(),
                feasible: results.iter().filter(|(_, r)| r.feasible > 0).count(),
                time_to_gap,
                mean_primal_gap_pct: mean(results.iter().filter_map(|(_, r)| r.primal_gap_pct).collect()),
                mean_primal_integral_s: mean(results.iter().filter_map(|(_, r)| r.primal_integral_s).collect()),
            }
        })
        .collect()
}

/// The notices of a bench run's reports (texts from [`warnings`]): a run with instances left
/// (`total_instances` were asked for), runs (`rows`) that passed their time limit, results that
/// beat a proven optimum, instances whose target fell back to AOC-DT's own best, polished rows,
/// projected times, and time ratios that are bounds.
pub fn notices(comparisons: &[InstanceComparison], rows: &[ResultRow], total_instances: usize) -> Vec<String> {
    let mut notices = Vec::new();
    if comparisons.len() < total_instances {
        notices.push(warnings::partial_run(comparisons.len(), total_instances));
    }
    let overran: Vec<String> = rows
        .iter()
        .filter(|r| r.ran() && r.time_limit_s.is_some_and(|limit| r.wall_time_s > 1.1 * limit))
        .map(|r| format!("{} on {} ({} s of {} s)", r.solver.label(), r.instance, significant(Some(r.wall_time_s), TIME_DIGITS), number(r.time_limit_s)))
        .collect();
    if !overran.is_empty() {
        notices.push(warnings::overran_limit(&overran));
    }
    let suspect: Vec<&str> = comparisons.iter().filter(|c| c.beats_proven_optimum).map(|c| c.instance.as_str()).collect();
    if !suspect.is_empty() {
        notices.push(warnings::beats_proven_optimum_in(&suspect));
    }
    let fell_back: Vec<&str> = comparisons.iter().filter(|c| c.target_source == Some(TargetSource::AocdtBest)).map(|c| c.instance.as_str()).collect();
    if !fell_back.is_empty() {
        notices.push(warnings::target_fell_back(&fell_back));
    }
    if comparisons.iter().any(|c| c.polished.is_some()) {
        notices.push(warnings::polished_rows());
    }
    if comparisons.iter().any(|c| c.projected.is_some()) {
        notices.push(warnings::projected_times());
    }
    let mut hardware: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| r.solver.is_recorded()) {
        let named = format!("{}: {}", row.solver.label(), row.device);
        if !hardware.contains(&named) {
            hardware.push(named);
        }
    }
    if !hardware.is_empty() {
        notices.push(warnings::recorded_rows(&hardware));
    }
    for solver in reference_solvers_of(comparisons) {
        let ratios: Vec<Speedup> = comparisons.iter().flat_map(|c| &c.pairs).filter(|p| p.solver == solver).filter_map(|p| p.time_ratio).collect();
        let bounds = ratios.iter().filter(|s| !matches!(s, Speedup::Ratio(_))).count();
        if bounds > 0 {
            notices.push(warnings::censored_time_ratio(solver.label(), bounds, ratios.len()));
        }
    }
    notices
}

/// A table as text cells, the same for the terminal, markdown and CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// How many time-to-target ratios (AOC-DT against any reference) are bounds, of how many.
pub fn censored_ratios(comparisons: &[InstanceComparison]) -> (usize, usize) {
    let ratios: Vec<Speedup> = comparisons.iter().flat_map(|c| &c.pairs).filter_map(|p| p.time_ratio).collect();
    (ratios.iter().filter(|s| !matches!(s, Speedup::Ratio(_))).count(), ratios.len())
}

/// The reference solvers of the comparisons, in run order.
fn reference_solvers_of(comparisons: &[InstanceComparison]) -> Vec<SolverName> {
    solvers_of(&comparisons.iter().collect::<Vec<_>>()).into_iter().filter(|s| s.is_reference()).collect()
}

/// One row per instance: target, then per solver its best objective, how many repeats reached
/// the target, the time-to-target (`>limit` when censored), the primal gap and the primal
/// integral (AOC-DT also its TTS99 with and without the tuning charged, and under `--hardware`
/// the same on the projected clock), and per reference the ratio of its and AOC-DT's
/// times-to-target; a recorded run has neither primal integral nor ratio columns.
pub fn comparison_table(comparisons: &[InstanceComparison]) -> Table {
    let references = reference_solvers_of(comparisons);
    let polished = comparisons.iter().any(|c| c.polished.is_some());
    let projected = comparisons.iter().any(|c| c.projected.is_some());
    let solver_columns = |key: &str| ["best", "reached", "time_to_target_s", "primal_gap_pct", "primal_integral_s"].map(|c| format!("{key}_{c}"));
    let mut header: Vec<String> = ["instance", "target", "target_source"].map(String::from).into();
    header.extend(solver_columns(SolverName::Aocdt.key()));
    header.extend(["aocdt_tts99_s".into(), "aocdt_tts99_with_tuning_s".into()]);
    if polished {
        header.extend(solver_columns(SolverName::AocdtPolish.key()));
    }
    if projected {
        header.extend(solver_columns(SolverName::AocProjected.key()));
        header.push("aoc_projected_tts99_s".into());
    }
    for &solver in &references {
        let [best, reached, time, gap, integral] = solver_columns(solver.key());
        header.extend([best, reached, time, gap]);
        // A recorded run has no primal integral and no time ratio (another machine's
        // seconds): no column that could only ever hold "-".
        if !solver.is_recorded() {
            header.extend([integral, time_ratio_column(solver)]);
        }
    }
    let solver_cells = |r: Option<&SolverResult>| {
        [
            number(r.and_then(|r| r.best_objective)),
            r.map_or("-".into(), |r| format!("{}/{}", r.reached_target, r.runs)),
            r.and_then(SolverResult::time_to_target).map_or("-".into(), TimeToTarget::cell),
            significant(r.and_then(|r| r.primal_gap_pct), GAP_DIGITS),
            significant(r.and_then(|r| r.primal_integral_s), TIME_DIGITS),
        ]
    };
    let rows = comparisons
        .iter()
        .map(|c| {
            let mut cells = vec![c.instance.clone(), number(c.target), target_source_cell(c.target_source).into()];
            cells.extend(solver_cells(c.aocdt.as_ref()));
            cells.push(significant(c.aocdt.as_ref().and_then(|a| a.tts99_s), TIME_DIGITS));
            cells.push(significant(c.aocdt.as_ref().and_then(|a| a.tts99_with_tuning_s), TIME_DIGITS));
            if polished {
                cells.extend(solver_cells(c.polished.as_ref()));
            }
            if projected {
                cells.extend(solver_cells(c.projected.as_ref()));
                cells.push(significant(c.projected.as_ref().and_then(|a| a.tts99_s), TIME_DIGITS));
            }
            for &solver in &references {
                let [best, reached, time, gap, integral] = solver_cells(c.result(solver));
                cells.extend([best, reached, time, gap]);
                if !solver.is_recorded() {
                    let pair = c.pairs.iter().find(|p| p.solver == solver);
                    cells.extend([integral, pair.and_then(|p| p.time_ratio).map_or("-".into(), Speedup::cell)]);
                }
            }
            cells
        })
        .collect();
    Table { header, rows }
}

/// One row per instance and reference run here: AOC-DT's and the reference's best objectives,
/// how long each needed to reach the objective the other ended with, and the ratio of their
/// times to the best objective both reached — measured on both sides, where a time to the
/// target may be censored. No row for a recorded run: its times are another machine's (the
/// recorded runs table compares it at equal elapsed time instead).
pub fn pair_table(comparisons: &[InstanceComparison]) -> Table {
    let header = [
        "instance",
        "reference",
        "aocdt_best",
        "reference_best",
        "aocdt_time_to_reference_best_s",
        "reference_time_to_aocdt_best_s",
        "equal_quality_objective",
        "equal_quality_time_ratio",
    ]
    .map(String::from)
    .into();
    let time = |t: Option<TimeToTarget>| t.map_or("-".into(), TimeToTarget::cell);
    let rows = comparisons
        .iter()
        .flat_map(|c| {
            c.pairs.iter().filter(|p| !p.solver.is_recorded()).map(move |p| {
                vec![
                    c.instance.clone(),
                    p.solver.label().to_string(),
                    number(c.aocdt.as_ref().and_then(|a| a.best_objective)),
                    number(c.result(p.solver).and_then(|r| r.best_objective)),
                    time(p.aocdt_time_to_reference_final),
                    time(p.reference_time_to_aocdt_final),
                    number(p.equal_quality_objective),
                    significant(p.equal_quality_ratio, TIME_DIGITS),
                ]
            })
        })
        .collect();
    Table { header, rows }
}

/// The column of [`Speedup`]: the reference's time-to-target over AOC-DT's, named so that it
/// cannot be read the other way round.
pub fn time_ratio_column(reference: SolverName) -> String {
    format!("time_ratio_{}_over_aocdt", reference.key())
}

fn target_source_cell(source: Option<TargetSource>) -> &'static str {
    match source {
        Some(TargetSource::BestKnown) => "best_known",
        Some(TargetSource::AocdtBest) => "aocdt_best",
        None => "-",
    }
}

/// One row per solver: reached best-knowns, feasibility, mean time-to-target, mean gap and
/// mean primal integral.
pub fn aggregate_table(aggregates: &[SolverAggregate]) -> Table {
    let header = ["solver", "instances", "reached_best_known", "feasible", "sgm_time_to_target_s", "mean_primal_gap_pct", "mean_primal_integral_s"].map(String::from).into();
    let rows = aggregates
        .iter()
        .map(|a| {
            vec![
                a.solver.label().to_string(),
                a.instances.to_string(),
                format!("{}/{}", a.reached_best_known, a.with_best_known),
                format!("{}/{}", a.feasible, a.instances),
                a.time_to_gap.first().map_or("-".into(), GapAggregate::sgm_cell),
                significant(a.mean_primal_gap_pct, GAP_DIGITS),
                significant(a.mean_primal_integral_s, TIME_DIGITS),
            ]
        })
        .collect();
    Table { header, rows }
}

/// One row per solver and gap level: on how many instances the median run came within the
/// gap, and the shifted geometric mean of the time it took.
pub fn gap_table(aggregates: &[SolverAggregate]) -> Table {
    let header = ["solver", "gap_pct", "reached", "sgm_time_to_gap_s"].map(String::from).into();
    let rows = aggregates
        .iter()
        .flat_map(|a| {
            a.time_to_gap.iter().map(|g| {
                vec![
                    a.solver.label().to_string(),
                    significant(Some(100.0 * g.level), GAP_DIGITS),
                    format!("{}/{}", g.reached, g.with_target),
                    g.sgm_cell(),
                ]
            })
        })
        .collect();
    Table { header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speedup_bounds_follow_censoring() {
        use TimeToTarget::{Censored, Reached};
        assert_eq!(Speedup::between(Reached(4.0), Reached(2.0)), Some(Speedup::Ratio(2.0)));
        assert_eq!(Speedup::between(Censored(10.0), Reached(0.5)), Some(Speedup::AtLeast(20.0)));
        assert_eq!(Speedup::between(Reached(1.0), Censored(10.0)), Some(Speedup::AtMost(0.1)));
        assert_eq!(Speedup::between(Censored(10.0), Censored(10.0)), None);
        assert_eq!(Speedup::AtLeast(20.0).cell(), ">20");
        assert_eq!(Censored(10.0).cell(), ">10");
    }

    #[test]
    fn a_mean_with_misses_is_marked_as_a_bound() {
        let level = |reached| GapAggregate { level: 0.0, reached, with_target: 3, sgm_time_s: Some(10.0) };
        assert_eq!(level(1).sgm_cell(), "≥10");
        assert_eq!(level(3).sgm_cell(), "10");
        assert_eq!(GapAggregate { sgm_time_s: None, ..level(0) }.sgm_cell(), "-");
    }

    #[test]
    fn median_counts_censored_runs_as_slowest() {
        use TimeToTarget::{Censored, Reached};
        let key = |t: &TimeToTarget| t.reached().unwrap_or(f64::INFINITY);
        assert_eq!(lower_median(vec![Censored(10.0), Reached(3.0), Reached(1.0)], key), Some(Reached(3.0)));
        assert_eq!(lower_median(vec![Censored(10.0), Censored(10.0), Reached(1.0)], key), Some(Censored(10.0)));
        assert_eq!(lower_median(vec![Reached(2.0), Censored(10.0)], key), Some(Reached(2.0)));
        assert_eq!(lower_median(Vec::<TimeToTarget>::new(), key), None);
    }
}

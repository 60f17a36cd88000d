//! What the rows add up to: one comparison per instance (AOC-DT against the reference,
//! time-to-target and speed-up) and one aggregate per solver. Computed from [`ResultRow`]s
//! alone, so a results.csv can always be summarised again.

use serde::Serialize;

use super::results::{ResultRow, SolverName, TargetSource};
use crate::metrics::shifted_geometric_mean;
use crate::output::table::{number, significant};

/// Shift of the shifted geometric mean of times, in seconds (the usual choice in MIP
/// benchmarking: times far below a second count as about equal).
pub const SGM_SHIFT_S: f64 = 1.0;

/// Significant digits of times and ratios in tables.
const TIME_DIGITS: usize = 4;

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
    /// Median over the repeats (the lower one for an even count), a censored run counting as
    /// slower than every run that reached the target; None without a target.
    pub time_to_target: Option<TimeToTarget>,
    /// Median TTS99 over the repeats (AOC-DT only).
    pub tts99_s: Option<f64>,
}

impl SolverResult {
    fn from_rows(solver: SolverName, rows: &[&ResultRow]) -> Option<Self> {
        let ran: Vec<&ResultRow> = rows.iter().copied().filter(|r| r.solver == solver && r.ran()).collect();
        let first = ran.first()?;
        let time_to_target = first.target.and_then(|_| {
            let times = ran.iter().map(|r| match r.time_to_target_s {
                Some(t) => TimeToTarget::Reached(t),
                None => TimeToTarget::Censored(r.time_limit_s.unwrap_or(r.wall_time_s)),
            });
            lower_median(times.collect(), |t| t.reached().unwrap_or(f64::INFINITY))
        });
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
            time_to_target,
            tts99_s: lower_median(ran.iter().filter_map(|r| r.tts99_s).collect(), |&t| t),
        })
    }
}

/// The lower median of `values` ordered by `key`; None for none.
fn lower_median<T: Copy>(mut values: Vec<T>, key: impl Fn(&T) -> f64) -> Option<T> {
    values.sort_by(|a, b| key(a).total_cmp(&key(b)));
    values.get(values.len().saturating_sub(1) / 2).copied()
}

/// One instance: AOC-DT against the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceComparison {
    pub instance: String,
    pub target: Option<f64>,
    pub target_source: Option<TargetSource>,
    pub aocdt: Option<SolverResult>,
    pub reference: Option<SolverResult>,
    pub speedup: Option<Speedup>,
}

impl InstanceComparison {
    /// AOC-DT's result, then the reference's.
    pub fn solvers(&self) -> [Option<&SolverResult>; 2] {
        [self.aocdt.as_ref(), self.reference.as_ref()]
    }
}

/// Instances in the order they first appear in `rows`, each compared.
pub fn compare_instances(rows: &[ResultRow]) -> Vec<InstanceComparison> {
    let reference = reference_solver(rows);
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
            let aocdt = SolverResult::from_rows(SolverName::Aocdt, &of_instance);
            let reference = reference.and_then(|s| SolverResult::from_rows(s, &of_instance));
            let speedup = match (&reference, &aocdt) {
                (Some(r), Some(a)) => r.time_to_target.zip(a.time_to_target).and_then(|(r, a)| Speedup::between(r, a)),
                _ => None,
            };
            InstanceComparison {
                instance: name.to_string(),
                target: of_instance[0].target,
                target_source: of_instance[0].target_source,
                aocdt,
                reference,
                speedup,
            }
        })
        .collect()
}

/// The reference solver of a bench run (one per run), if it ran at all.
fn reference_solver(rows: &[ResultRow]) -> Option<SolverName> {
    rows.iter().map(|r| r.solver).find(|&s| s != SolverName::Aocdt)
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
    /// Shifted geometric mean (shift `SGM_SHIFT_S`, 1 s) of the time-to-target over the instances
    /// with a target, a failure charged its time limit.
    pub sgm_time_to_target_s: Option<f64>,
}

pub fn aggregate(comparisons: &[InstanceComparison]) -> Vec<SolverAggregate> {
    (0..2)
        .filter_map(|side| {
            let results: Vec<(&InstanceComparison, &SolverResult)> = comparisons.iter().filter_map(|c| c.solvers()[side].map(|r| (c, r))).collect();
            let solver = results.first()?.1.solver;
            let times: Vec<f64> = results.iter().filter_map(|(_, r)| r.time_to_target.map(TimeToTarget::charged)).collect();
            Some(SolverAggregate {
                solver,
                instances: results.len(),
                with_best_known: results.iter().filter(|(c, _)| c.target_source == Some(TargetSource::BestKnown)).count(),
                reached_best_known: results.iter().filter(|(_, r)| r.reached_best_known > 0).count(),
                feasible: results.iter().filter(|(_, r)| r.feasible > 0).count(),
                sgm_time_to_target_s: (!times.is_empty()).then(|| shifted_geometric_mean(&times, SGM_SHIFT_S)),
            })
        })
        .collect()
}

/// A table as text cells, the same for the terminal, markdown and CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One row per instance: target, each solver's best objective, reached count and
/// time-to-target (`>limit` when censored), AOC-DT's TTS99, and the speed-up.
pub fn comparison_table(comparisons: &[InstanceComparison]) -> Table {
    let reference = comparisons.iter().find_map(|c| c.reference.as_ref().map(|r| r.solver));
    let mut header: Vec<String> =
        ["instance", "target", "target_source", "aocdt_best", "aocdt_reached", "aocdt_time_to_target_s", "aocdt_tts99_s"].map(String::from).into();
    if let Some(solver) = reference {
        let key = solver.key();
        header.extend([format!("{key}_best"), format!("{key}_reached"), format!("{key}_time_to_target_s"), format!("speedup_{key}_over_aocdt")]);
    }
    let solver_cells = |r: Option<&SolverResult>| {
        [
            number(r.and_then(|r| r.best_objective)),
            r.map_or("-".into(), |r| format!("{}/{}", r.reached_target, r.runs)),
            r.and_then(|r| r.time_to_target).map_or("-".into(), TimeToTarget::cell),
        ]
    };
    let rows = comparisons
        .iter()
        .map(|c| {
            let mut cells = vec![c.instance.clone(), number(c.target), target_source_cell(c.target_source).into()];
            cells.extend(solver_cells(c.aocdt.as_ref()));
            cells.push(significant(c.aocdt.as_ref().and_then(|a| a.tts99_s), TIME_DIGITS));
            if reference.is_some() {
                cells.extend(solver_cells(c.reference.as_ref()));
                cells.push(c.speedup.map_or("-".into(), Speedup::cell));
            }
            cells
        })
        .collect();
    Table { header, rows }
}

fn target_source_cell(source: Option<TargetSource>) -> &'static str {
    match source {
        Some(TargetSource::BestKnown) => "best_known",
        Some(TargetSource::AocdtBest) => "aocdt_best",
        None => "-",
    }
}

/// One row per solver.
pub fn aggregate_table(aggregates: &[SolverAggregate]) -> Table {
    let header = ["solver", "instances", "reached_best_known", "feasible", "sgm_time_to_target_s"].map(String::from).into();
    let rows = aggregates
        .iter()
        .map(|a| {
            vec![
                a.solver.label().to_string(),
                a.instances.to_string(),
                format!("{}/{}", a.reached_best_known, a.with_best_known),
                format!("{}/{}", a.feasible, a.instances),
                significant(a.sgm_time_to_target_s, TIME_DIGITS),
            ]
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
    fn median_counts_censored_runs_as_slowest() {
        use TimeToTarget::{Censored, Reached};
        let key = |t: &TimeToTarget| t.reached().unwrap_or(f64::INFINITY);
        assert_eq!(lower_median(vec![Censored(10.0), Reached(3.0), Reached(1.0)], key), Some(Reached(3.0)));
        assert_eq!(lower_median(vec![Censored(10.0), Censored(10.0), Reached(1.0)], key), Some(Censored(10.0)));
        assert_eq!(lower_median(vec![Reached(2.0), Censored(10.0)], key), Some(Reached(2.0)));
        assert_eq!(lower_median(Vec::<TimeToTarget>::new(), key), None);
    }
}

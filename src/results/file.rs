//! The whole of results.json: the rows, raw runs and curves of [`super::schema`] with the
//! comparison and aggregates that [`super::summary`] computes from them.

use serde::Serialize;

use super::schema::{ResultRow, RawRun, RunCurve, RunMetadata, SolverName};
use super::summary::{aggregate, compare_instances, InstanceComparison, SolverAggregate};

/// The whole of results.json.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResults {
    pub metadata: RunMetadata,
    pub rows: Vec<ResultRow>,
    pub comparison: Vec<InstanceComparison>,
    pub aggregates: Vec<SolverAggregate>,
    pub runs: Vec<RawRun>,
    /// Every run's primal gap curve (runs of instances without a target have none).
    pub curves: Vec<RunCurve>,
}

impl BenchResults {
    /// Puts rows and raw runs in the order one process runs them: instances in plan order,
    /// AOC-DT's repeats (with their polished and projected rows) first, then each reference's
    /// repeats. Rows resumed or merged from several processes then read as a single run's.
    pub fn sort_in_run_order(&mut self) {
        let plan = &self.metadata.plan;
        let position = |instance: &str, solver: SolverName, repeat: u32| (plan.instance_position(instance), solver.is_reference().then_some(solver), repeat);
        self.rows.sort_by_cached_key(|r| position(&r.instance, r.solver, r.repeat));
        self.curves.sort_by_cached_key(|c| position(&c.instance, c.solver, c.repeat));
        // Runs without a key (none are written so) stay last, in their order.
        self.runs.sort_by_cached_key(|run| run.key().map(|(instance, solver, repeat)| position(instance, solver, repeat)).map_or((1, None), |k| (0, Some(k))));
    }

    /// Recomputes the comparison and the aggregates from the rows.
    pub fn summarise(&mut self) {
        self.comparison = compare_instances(&self.rows, &self.curves);
        self.aggregates = aggregate(&self.comparison);
    }
}

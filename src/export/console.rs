//! The bench summary for a terminal: the tables of comparison.md narrowed to what fits
//! [`WIDTH`] columns, with the same cells (so the same number formats), every header naming its
//! unit; notes wrapped. What does not fit (primal integrals, time ratios, the pairwise table)
//! stays in comparison.md and comparison.csv, which the summary names.

use crate::results::{aggregate_table, comparison_table, gap_table, notices, recorded_table, solvers_of, BenchResults, Table};
use crate::table::{render, wrap, WIDTH};

/// The summary as printed: per instance and solver, per solver, per solver and gap level, what
/// "-" means in them when one shows, then the notes. Lines are at most [`WIDTH`] characters
/// unless a single cell (an instance's name) is wider.
pub fn summary(results: &BenchResults) -> String {
    let mut out = String::new();
    let recorded = recorded_table(&results.rows, &results.curves);
    let recorded = (!recorded.rows.is_empty()).then(|| recorded_runs(&recorded));
    let tables = [Some(per_solver_rows(&comparison_table(&results.comparison), results)), recorded, Some(aggregates(&aggregate_table(&results.aggregates))), Some(gaps(&gap_table(&results.aggregates)))];
    let mut dashes = false;
    for table in tables.into_iter().flatten() {
        let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
        out.push_str(&render(&header, &table.rows));
        out.push('\n');
        dashes |= table.rows.iter().flatten().any(|cell| cell == "-");
    }
    if dashes {
        out.push_str(&wrap("dashes: ", DASHES, WIDTH));
        out.push('\n');
    }
    let pointer = "primal integrals, time ratios and each pair of solvers at equal quality: comparison.md (all columns in comparison.csv)";
    out.push_str(&wrap("details: ", pointer, WIDTH));
    out.push('\n');
    for notice in notices(&results.comparison, &results.rows, results.metadata.instances.len()) {
        out.push_str(&wrap("note: ", &notice, WIDTH));
        out.push('\n');
    }
    out
}

/// What "-" means in each column of the summary's tables where it can occur.
const DASHES: &str = "\"-\" is no value. best: no feasible point; reached target: no run of the solver on the \
instance (it failed, or no submission recorded it); time to target and primal gap: no target or no run; TTS99: AOC-DT's \
alone; recorded runs: nothing held yet at that time, or AOC-DT did not run; SGM times: a recorded solver (another \
machine's seconds) or no instance with a target; mean primal gap: no instance with a target.";

/// The index of the column `name` of `table` (one of the columns its builder always writes).
fn column(table: &Table, name: &str) -> usize {
    table.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("the table has no column {name}"))
}

/// `table` cut to `columns` (its name, the header shown), in that order.
fn select(table: &Table, columns: &[(&str, &str)]) -> Table {
    let indices: Vec<usize> = columns.iter().map(|(name, _)| column(table, name)).collect();
    Table {
        header: columns.iter().map(|(_, shown)| shown.to_string()).collect(),
        rows: table.rows.iter().map(|row| indices.iter().map(|&i| row[i].clone()).collect()).collect(),
    }
}

/// Runs recorded on other machines beside AOC-DT at equal elapsed time (their hardware is in
/// the notes and comparison.md).
fn recorded_runs(table: &Table) -> Table {
    select(
        table,
        &[
            ("instance", "instance"),
            ("recorded", "recorded run"),
            ("recorded_end_s", "its end (s)"),
            ("recorded_best", "its best"),
            ("aocdt_limit_s", "AOC-DT limit (s)"),
            ("recorded_at_aocdt_limit", "it at that limit"),
            ("aocdt_at_aocdt_limit", "AOC-DT at limit"),
            ("aocdt_at_recorded_end", "AOC-DT at its end"),
        ],
    )
}

/// The per-instance comparison, one row per solver instead of one column group per solver, so
/// that its width does not grow with the number of solvers; a recorded solver only on the
/// instances its submissions cover.
fn per_solver_rows(comparison: &Table, results: &BenchResults) -> Table {
    let header = ["instance", "solver", "target", "best", "reached target", "time to target (s)", "primal gap (%)", "TTS99 (s)"];
    let solvers = solvers_of(&results.comparison.iter().collect::<Vec<_>>());
    let (instance, target) = (column(comparison, "instance"), column(comparison, "target"));
    let tts99 = column(comparison, "aocdt_tts99_s");
    let mut rows = Vec::new();
    for (row, compared) in comparison.rows.iter().zip(&results.comparison) {
        for solver in &solvers {
            // No row of dashes for an instance no recorded submission covers.
            if solver.is_recorded() && compared.result(*solver).is_none() {
                continue;
            }
            let key = solver.key();
            let best = column(comparison, &format!("{key}_best"));
            let tts = if key == "aocdt" { row[tts99].clone() } else { "-".into() };
            rows.push(vec![
                row[instance].clone(),
                solver.label().to_string(),
                row[target].clone(),
                row[best].clone(),
                row[column(comparison, &format!("{key}_reached"))].clone(),
                row[column(comparison, &format!("{key}_time_to_target_s"))].clone(),
                row[column(comparison, &format!("{key}_primal_gap_pct"))].clone(),
                tts,
            ]);
        }
    }
    Table { header: header.map(String::from).into(), rows }
}

fn aggregates(table: &Table) -> Table {
    select(
        table,
        &[
            ("solver", "solver"),
            ("instances", "instances"),
            ("reached_best_known", "reached best known"),
            ("feasible", "feasible"),
            ("sgm_time_to_target_s", "SGM time to target (s)"),
            ("mean_primal_gap_pct", "mean primal gap (%)"),
        ],
    )
}

fn gaps(table: &Table) -> Table {
    select(table, &[("solver", "solver"), ("gap_pct", "gap (%)"), ("reached", "reached"), ("sgm_time_to_gap_s", "SGM time to gap (s)")])
}

//! The comparison and the aggregates as markdown tables.

use std::fmt::Write as _;

use crate::benchmark::Table;

/// A GitHub-flavoured markdown table.
pub fn table(table: &Table) -> String {
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let _ = writeln!(out, "| {} |", cells.iter().map(|c| c.replace('|', "\\|")).collect::<Vec<_>>().join(" | "));
    };
    line(&mut out, &table.header);
    let _ = writeln!(out, "|{}", " --- |".repeat(table.header.len()));
    for row in &table.rows {
        line(&mut out, row);
    }
    out
}

/// comparison.md: a title, the run in one line, the per-instance table and the aggregates.
pub fn report(title: &str, run: &str, comparison: &Table, aggregates: &Table) -> String {
    format!(
        "# {title}\n\n{run}\n\n## Per instance\n\n{}\n\
         Times in seconds; `>L`: not reached within L s; speed-up = reference time-to-target / \
         AOC-DT time-to-target (`>`/`<` when one side is censored).\n\n## Aggregates\n\n{}\n\
         `sgm_time_to_target_s`: shifted geometric mean (shift 1 s), a failure charged its time limit.\n",
        table(comparison),
        table(aggregates)
    )
}

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

/// The tables of comparison.md.
pub struct Report<'a> {
    pub title: &'a str,
    /// The run in one paragraph.
    pub run: &'a str,
    /// Warnings and notices, each shown above the tables (see [`crate::output::warnings`]).
    pub notices: &'a [String],
    pub comparison: &'a Table,
    pub aggregates: &'a Table,
    pub gaps: &'a Table,
}

/// comparison.md: a title, the notices, the run in one line, the per-instance table, the
/// aggregates and the time to each gap, each table followed by how to read it.
pub fn report(r: &Report<'_>) -> String {
    let notices: String = r.notices.iter().map(|n| format!("> **Note:** {n}\n\n")).collect();
    format!(
        "# {title}\n\n{notices}{run}\n\n## Per instance\n\n{comparison}\n{PER_INSTANCE}\n\n## Aggregates\n\n{aggregates}\n{AGGREGATES}\n\n\
         ## Time to gap\n\n{gaps}\n{GAPS}\n",
        title = r.title,
        run = r.run,
        comparison = table(r.comparison),
        aggregates = table(r.aggregates),
        gaps = table(r.gaps),
    )
}

const PER_INSTANCE: &str = "How to read it: times are in seconds. `target` is the catalog's best-known objective \
(`target_source` best_known) or, for an instance without one, the best feasible objective AOC-DT found \
(aocdt_best). `reached` counts the repeats whose best point reached the target. A time `>L` is censored: \
the target was not reached within L s (the run's time limit, or its length under a work budget). \
`time_ratio_<reference>_over_aocdt` is the reference's time-to-target divided by AOC-DT's: above 1 AOC-DT \
reached the target sooner. `>x` is a lower bound (the reference did not reach the target within its limit, \
so AOC-DT was at least x times faster), `<x` an upper bound (AOC-DT did not reach it), `-` neither reached \
it; a bound says how long the limit was, not how long the censored side would have needed. \
`primal_gap_pct` is the primal gap of the best point, |f − f*| / max(|f|, |f*|) against the target f* \
(100 without a feasible point); `primal_integral_s` integrates the primal gap of the best point so far \
(1 before the first feasible point) over the instance's horizon, the longest time limit of its runs: \
lower is better, and it credits finding good points early. With repeats, each cell is the median.";

const AGGREGATES: &str = "`sgm_time_to_target_s`: shifted geometric mean (shift 1 s) of the time-to-target, a failure \
charged its time limit (so a lower bound when there are failures). `mean_primal_gap_pct` and \
`mean_primal_integral_s`: arithmetic means over the instances with a target.";

const GAPS: &str = "On how many instances each solver came within the gap (0 % is the target itself), and the \
shifted geometric mean of the time to get there, a failure charged its time limit. `gap_over_time.svg` \
plots every run's primal gap over time, `profile.svg` the performance profile at each gap.";

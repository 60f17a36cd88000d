//! The comparison and the aggregates as markdown tables.

use std::fmt::Write as _;

use crate::results::Table;

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
    /// AOC-DT against each reference at each other's final objective (no rows without one).
    pub pairs: &'a Table,
    /// Time-to-target ratios that are bounds, of all: the pairs lead the report when any is.
    pub censored_ratios: (usize, usize),
    pub aggregates: &'a Table,
    pub gaps: &'a Table,
    /// The recorded runs (QOBLIB submissions) beside AOC-DT at equal elapsed time; no section
    /// without rows.
    pub recorded: &'a Table,
}

/// comparison.md: a title, the notices, the run in one line, the per-instance table, AOC-DT
/// against each reference (first when some time-to-target ratio is a bound), the aggregates and
/// the time to each gap, each table followed by how to read it.
pub fn report(r: &Report<'_>) -> String {
    let notices: String = r.notices.iter().map(|n| format!("> **Note:** {n}\n\n")).collect();
    let per_instance = format!("## Per instance\n\n{}\n{PER_INSTANCE}\n\n", table(r.comparison));
    let (bounds, ratios) = r.censored_ratios;
    let (first, second) = if r.pairs.rows.is_empty() {
        (per_instance, String::new())
    } else if bounds > 0 {
        let why = format!(
            "Shown first: {bounds} of the {ratios} time-to-target ratios below are bounds (a side did not reach the target), \
             while these times are measured on both sides.\n\n"
        );
        (format!("## AOC-DT against each reference\n\n{why}{}\n{PAIRS}\n\n", table(r.pairs)), per_instance)
    } else {
        (per_instance, format!("## AOC-DT against each reference\n\n{}\n{PAIRS}\n\n", table(r.pairs)))
    };
    format!(
        "# {title}\n\n{notices}{run}\n\n{first}{second}{recorded}## Aggregates\n\n{aggregates}\n{AGGREGATES}\n\n\
         ## Time to gap\n\n{gaps}\n{GAPS}\n",
        title = r.title,
        run = r.run,
        aggregates = table(r.aggregates),
        gaps = table(r.gaps),
        recorded = if r.recorded.rows.is_empty() { String::new() } else { format!("## Recorded runs, at equal elapsed time\n\n{}\n{RECORDED}\n\n", table(r.recorded)) },
    )
}

const PAIRS: &str = "How to read it: times-to-match in the sense of King et al. (arXiv 1508.05087), in seconds. \
`aocdt_time_to_reference_best_s` is when AOC-DT first held a point as good as the best the reference ended with, \
`reference_time_to_aocdt_best_s` the other way round; `>L` means it never did within its run (L s). \
`equal_quality_objective` is the best objective both reached (the worse of the two bests), and \
`equal_quality_time_ratio` the reference's time to it divided by AOC-DT's: above 1 AOC-DT got there sooner. \
Both times are measured, so the ratio is never a bound; it compares speed at the quality both reached, not \
which reached more. With repeats, each cell is the median over the repeats both ran. `-` marks no value: in \
`aocdt_best` and `reference_best` that side found no feasible point; in the two times, the equal-quality objective and \
ratio, one side found no feasible point (or the instance has no target), so there is nothing to match. Recorded runs (QOBLIB submissions) have no \
row here: their times are another machine's (see the recorded runs table).";

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
lower is better, and it credits finding good points early. `aocdt_tts99_s` is AOC-DT's TTS99 over its \
deep search's samples alone (the settings the tuning chose taken as given); `aocdt_tts99_with_tuning_s` adds \
the wall time of phases 1 and 2 that chose them, the figure to set beside peers that tune nothing or tune \
themselves. With repeats, each cell is the median. `-` marks no value: in `target` and `target_source`, an \
instance with neither a best-known objective nor a feasible point of AOC-DT; in `<solver>_best`, no feasible point; \
in `<solver>_reached`, no run of that solver on the instance (it failed, or a recorded solver has no submission for \
it); in the time, gap, integral and TTS99 columns, no target or no run; in a time ratio, neither side reached the target (or one had no run). A recorded solver \
(`<solver>_recorded`, a QOBLIB submission) has no primal integral and no time ratio columns, as its seconds are another \
machine's; its `time_to_target_s` is that machine's time, to be read beside its hardware, not against AOC-DT's.";

const RECORDED: &str = "How to read it: runs recorded in QOBLIB submissions, on the hardware named, not on this \
machine: their seconds are that machine's, so no time ratio is formed with them. What compares is the quality \
each side held at the same elapsed time: `recorded_at_aocdt_limit` is the recorded incumbent when AOC-DT's time \
limit `aocdt_limit_s` ran out (beside `aocdt_at_aocdt_limit`, AOC-DT's best then), `aocdt_at_recorded_end` \
AOC-DT's incumbent when the recorded run ended (`recorded_end_s`; AOC-DT's final when it stopped sooner), and \
which of them reached the target. The recorded objectives are judged here from the submission's solution \
where it has one; AOC-DT's cells are medians over its repeats. `-` marks no value: in `recorded_best`, the \
submission has no feasible point (the judge found its solution infeasible, or it claims none); in \
`recorded_at_aocdt_limit`, the recorded run held no point yet at that time (`unknown (no series)` instead: it \
recorded only its final point, after that time); in `aocdt_limit_s` and the `aocdt_` cells, AOC-DT did not run or \
held no feasible point by then.";

const AGGREGATES: &str = "`sgm_time_to_target_s`: shifted geometric mean (shift 1 s) of the time-to-target, a failure \
charged its time limit (so a lower bound when there are failures, marked `≥`). `mean_primal_gap_pct` and \
`mean_primal_integral_s`: arithmetic means over the instances with a target. `-` marks no value: in \
`sgm_time_to_target_s` and `mean_primal_integral_s`, a recorded solver (its seconds are another machine's, a miss \
there charged its own limit) or no instance with a target; in `mean_primal_gap_pct`, no instance with a target.";

const GAPS: &str = "On how many instances each solver came within the gap (0 % is the target itself), and the \
shifted geometric mean of the time to get there, a failure charged its time limit. `-` marks no value: in \
`sgm_time_to_gap_s`, a recorded solver (its seconds are another machine's) or no instance with a target. `gap_over_time.svg` plots every run's primal gap over time, `profile.svg` \
the performance profile at each gap (without recorded runs).";

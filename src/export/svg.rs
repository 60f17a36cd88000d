//! The plots of a bench run, as SVG.
//!
//! * `profile.svg`: performance profiles (Dolan & Moré, Math. Program. 91 (2002)) of the time
//!   to each gap level, one panel per level: for each solver, the fraction of instances it
//!   brings within the gap within a factor τ of the fastest solver on that instance. Unreached
//!   levels never count; ρ(1) is the share of instances a solver is fastest on, the right end
//!   the share it reaches at all. Recorded runs (QOBLIB submissions, other machines) are not
//!   in it: their times make no ratio with this machine's.
//! * `gap_over_time.svg`: every run's primal gap over time (log time axis), one panel per
//!   instance — who got closer, and when. A run's line starts at its first feasible point
//!   (a dot), so that "no feasible point yet" is no line rather than a 100 % gap; a run
//!   that found none is a cross at 100 % at its end, and its legend entry says so. Recorded runs
//!   are labelled "(recorded, other machine)".
//!
//! Both take an optional note (a partial run says so) under their title.

use std::ops::Range;
use std::path::Path;

use plotters::coord::combinators::{BindKeyPoints, LogCoord, WithKeyPoints};
use plotters::prelude::*;

use crate::results::{solvers_of, InstanceComparison, RunCurve, SolverName, SolverResult};
use crate::metrics::GAP_LEVELS;
use crate::output::atomic::write_atomically;
use crate::reference::ReferenceSolver;
use crate::table::significant;

/// Times below this count as this, so that a ratio to the best time is always defined and a
/// log time axis has a left end.
const MIN_TIME_S: f64 = 1e-6;

/// Gaps (percent) below this are drawn at it: the floor of the log gap axis, where gap 0 sits.
const GAP_FLOOR_PCT: f64 = 1e-3;

/// The y range of a performance profile's panels: the fractions 0..1 with a margin, so that a
/// solver at 0 (it reached nothing) is drawn above the x axis instead of under it.
const FRACTION_AXIS: Range<f64> = -0.04..1.05;

/// The most panels per row of the small multiples.
const COLUMNS: usize = 3;

/// Each side's ratios to the best time per instance (∞ when it did not reach `level_index`
/// of [`GAP_LEVELS`]), over the instances with a target; labelled by solver. Recorded runs
/// are left out: their times are other machines', so a ratio with them is no speed-up.
fn ratios(comparisons: &[InstanceComparison], level_index: usize) -> Vec<(SolverName, Vec<f64>)> {
    let reached = |r: Option<&SolverResult>| r.filter(|r| !r.solver.is_recorded()).and_then(|r| r.time_to_gap).and_then(|t| t[level_index].reached()).map(|t| t.max(MIN_TIME_S));
    let with_target: Vec<&InstanceComparison> = comparisons.iter().filter(|c| c.target.is_some()).collect();
    solvers_of(&with_target)
        .into_iter()
        .filter(|solver| !solver.is_recorded())
        .map(|solver| {
            let values = with_target
                .iter()
                .map(|c| {
                    let best = c.solvers().into_iter().filter_map(reached).reduce(f64::min);
                    reached(c.result(solver)).zip(best).map_or(f64::INFINITY, |(t, b)| t / b)
                })
                .collect();
            (solver, values)
        })
        .collect()
}

/// The step function ρ(τ) of one solver, from τ = 1 to `tau_max`.
fn steps(ratios: &[f64], tau_max: f64) -> Vec<(f64, f64)> {
    let n = ratios.len() as f64;
    let mut finite: Vec<f64> = ratios.iter().copied().filter(|r| r.is_finite()).collect();
    finite.sort_by(f64::total_cmp);
    let mut points = vec![(1.0, 0.0)];
    for (k, &r) in finite.iter().enumerate() {
        points.push((r, k as f64 / n));
        points.push((r, (k + 1) as f64 / n));
    }
    points.push((tau_max, finite.len() as f64 / n));
    points
}

/// Tick positions of a log axis over [lo, hi]: the powers of ten inside, with 2 and 5 times
/// them when the range spans fewer than three decades, and both ends when fewer than two
/// ticks fall inside. Each value once: plotters' own log key points repeat the decade that
/// ends one cycle and starts the next (the tick "10.0" drawn twice).
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mantissas: &[f64] = if (hi / lo).log10() < 3.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
    let inside = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    let mut ticks: Vec<f64> = (lo.log10().floor() as i32..=hi.log10().ceil() as i32)
        .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
        .filter(|&v| inside(v))
        .collect();
    if ticks.len() < 2 {
        ticks.extend([lo, hi]);
        ticks.sort_by(f64::total_cmp);
        ticks.dedup();
    }
    ticks
}

/// A log axis over `range` with [`log_ticks`].
fn log_axis(range: Range<f64>) -> WithKeyPoints<LogCoord<f64>> {
    let ticks = log_ticks(range.start, range.end);
    range.log_scale().with_key_points(ticks)
}

fn tick_label(v: &f64) -> String {
    significant(Some(*v), 3)
}

/// `title`, with `note` after it when there is one.
fn caption(title: &str, note: Option<&str>) -> String {
    note.map_or_else(|| title.to_string(), |n| format!("{title} ({n})"))
}

/// Colour of a solver: the same in every panel and both plots.
fn colour(solver: SolverName) -> PaletteColor<Palette99> {
    Palette99::pick(match solver {
        SolverName::Aocdt => 0,
        SolverName::Reference(ReferenceSolver::Scip | ReferenceSolver::Gurobi) => 1,
        SolverName::AocProjected => 2,
        SolverName::AocdtPolish => 3,
        SolverName::Reference(ReferenceSolver::Sa) => 4,
        SolverName::Reference(ReferenceSolver::Tabu) => 5,
        SolverName::Reference(ReferenceSolver::Bsb) => 6,
        SolverName::Reference(ReferenceSolver::Dsb) => 7,
        SolverName::Abs2Recorded => 8,
        SolverName::GurobiRecorded => 9,
    })
}

/// (rows, columns) for `panels` panels: a square as near as [`COLUMNS`] allows (4 → 2 × 2,
/// 7 → 3 × 3).
fn grid(panels: usize) -> (usize, usize) {
    let columns = ((panels as f64).sqrt().ceil() as usize).clamp(1, COLUMNS);
    (panels.div_ceil(columns).max(1), columns)
}

/// profile.svg: one performance profile per gap level. Errors: drawing or writing the file.
pub fn write_performance_profiles(path: &Path, comparisons: &[InstanceComparison], note: Option<&str>) -> anyhow::Result<()> {
    let (rows, columns) = grid(GAP_LEVELS.len());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (420 * columns as u32, 320 * rows as u32 + 40)).into_drawing_area();
        root.fill(&WHITE)?;
        let body = root.titled(&caption("Performance profiles: time to each primal gap", note), ("sans-serif", 22))?;
        for (level_index, panel) in body.split_evenly((rows, columns)).iter().enumerate().take(GAP_LEVELS.len()) {
            let series = ratios(comparisons, level_index);
            let largest = series.iter().flat_map(|(_, r)| r.iter().copied().filter(|r| r.is_finite())).fold(1.0, f64::max);
            let tau_max = (2.0 * largest).max(10.0);
            let mut chart = ChartBuilder::on(panel)
                .caption(format!("gap {} %", significant(Some(100.0 * GAP_LEVELS[level_index]), 3)), ("sans-serif", 16))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(45)
                .build_cartesian_2d(log_axis(1.0..tau_max), FRACTION_AXIS)?;
            chart
                .configure_mesh()
                .x_label_formatter(&tick_label)
                .x_desc("τ = time / fastest time")
                .y_desc("fraction of instances")
                .draw()?;
            for (solver, ratios) in &series {
                let style = colour(*solver).stroke_width(2);
                chart
                    .draw_series(LineSeries::new(steps(ratios, tau_max), style))?
                    .label(solver.label())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
            chart.configure_series_labels().position(SeriesLabelPosition::MiddleRight).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        }
        root.present()?;
    }
    write_atomically(path, svg.as_bytes())
}

/// The primal gap in percent on the log gap axis: gap 0 sits on the floor.
fn plotted_gap_pct(gap: f64) -> f64 {
    (100.0 * gap).max(GAP_FLOOR_PCT)
}

/// The points of a run's gap-over-time line on [x_min, horizon]: from its first feasible point
/// on, a step down at each improvement; None when it found no feasible point by its horizon
/// (no line: "no feasible point yet" is not a 100 % gap).
fn gap_line(run: &RunCurve, x_min: f64) -> Option<Vec<(f64, f64)>> {
    let mut steps = run.curve.steps.iter().filter(|s| s.time_s <= run.horizon_s);
    let first = steps.next()?;
    let mut current = plotted_gap_pct(first.gap);
    let mut points = vec![(first.time_s.max(x_min), current)];
    for step in steps {
        let t = step.time_s.max(x_min);
        points.push((t, current));
        current = plotted_gap_pct(step.gap);
        points.push((t, current));
    }
    points.push((run.horizon_s.max(x_min), current));
    Some(points)
}

/// gap_over_time.svg: one panel per instance (in `instances` order) with the primal gap of
/// every run over time, log time axis from the earliest improvement to the longest horizon,
/// log gap axis from [`GAP_FLOOR_PCT`] (where gap 0 sits) to 100 %. Errors: drawing or
/// writing the file.
pub fn write_gap_over_time(path: &Path, instances: &[&str], curves: &[RunCurve], note: Option<&str>) -> anyhow::Result<()> {
    let earliest = curves.iter().flat_map(|c| c.curve.steps.first()).map(|s| s.time_s).fold(f64::INFINITY, f64::min);
    let x_min = 10f64.powf(earliest.max(MIN_TIME_S).log10().floor()).min(0.1);
    let x_max = curves.iter().map(|c| c.horizon_s).fold(1.0, f64::max).max(10.0 * x_min);
    let (rows, columns) = grid(instances.len());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (380 * columns as u32, 280 * rows as u32 + 40)).into_drawing_area();
        root.fill(&WHITE)?;
        let title = "Primal gap over time (● first feasible point, ✕ none; gap 0 at the bottom)";
        let body = root.titled(&caption(title, note), ("sans-serif", 20))?;
        for (instance, panel) in instances.iter().zip(body.split_evenly((rows, columns)).iter()) {
            let mut chart = ChartBuilder::on(panel)
                .caption(*instance, ("sans-serif", 15))
                .margin(8)
                .x_label_area_size(35)
                .y_label_area_size(50)
                .build_cartesian_2d(log_axis(x_min..x_max), log_axis(GAP_FLOOR_PCT..100.0))?;
            chart
                .configure_mesh()
                .x_label_formatter(&tick_label)
                .y_label_formatter(&tick_label)
                .x_desc("seconds")
                .y_desc("primal gap %")
                .draw()?;
            let runs: Vec<&RunCurve> = curves.iter().filter(|c| c.instance == *instance).collect();
            let mut labelled = Vec::new();
            for run in &runs {
                let style = colour(run.solver).stroke_width(2);
                let series = match gap_line(run, x_min) {
                    Some(line) => {
                        chart.draw_series(std::iter::once(Circle::new(line[0], 4, style.filled())))?;
                        chart.draw_series(LineSeries::new(line, style))?
                    }
                    None => chart.draw_series(std::iter::once(Cross::new((run.horizon_s.max(x_min), 100.0), 6, style)))?,
                };
                if !labelled.contains(&run.solver) {
                    labelled.push(run.solver);
                    let found_none = runs.iter().filter(|r| r.solver == run.solver).all(|r| gap_line(r, x_min).is_none());
                    // A recorded run's seconds are another machine's: its legend says so.
                    let name = if run.solver.is_recorded() { run.solver.label().replace("(recorded)", "(recorded, other machine)") } else { run.solver.label().to_string() };
                    let label = if found_none { format!("{name} (no feasible point)") } else { name };
                    series.label(label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                }
            }
            if !labelled.is_empty() {
                // Lower left: lines start at the first feasible point, high and late.
                chart.configure_series_labels().position(SeriesLabelPosition::LowerLeft).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
            }
        }
        root.present()?;
    }
    write_atomically(path, svg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_rise_at_each_finite_ratio() {
        let points = steps(&[1.0, 4.0, f64::INFINITY, 2.0], 10.0);
        assert_eq!(points, vec![(1.0, 0.0), (1.0, 0.0), (1.0, 0.25), (2.0, 0.25), (2.0, 0.5), (4.0, 0.5), (4.0, 0.75), (10.0, 0.75)]);
    }

    #[test]
    fn grids_are_near_square() {
        assert_eq!([1, 2, 4, 7, 9, 10].map(grid), [(1, 1), (1, 2), (2, 2), (3, 3), (3, 3), (4, 3)]);
    }

    #[test]
    fn log_ticks_appear_once_each() {
        assert_eq!(log_ticks(1.0, 20.0), [1.0, 2.0, 5.0, 10.0, 20.0]);
        assert_eq!(log_ticks(1e-3, 100.0), [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]);
        assert_eq!(log_ticks(3.0, 4.0), [3.0, 4.0], "no tick inside: the ends");
        for (lo, hi) in [(1.0, 10.0), (1.0, 1e4), (1e-6, 12.5), (0.01, 10.0)] {
            let ticks = log_ticks(lo, hi);
            let labels: Vec<String> = ticks.iter().map(tick_label).collect();
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(labels, unique, "[{lo}, {hi}]");
            assert!(ticks.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn gap_line_starts_at_100_and_steps_down() {
        use crate::metrics::{Found, PrimalCurve};
        use crate::model::Sense;
        let found = [Found { time_s: 0.5, mvm: None, objective: -90.0 }, Found { time_s: 2.0, mvm: None, objective: -100.0 }];
        let run = RunCurve { instance: "X".into(), solver: SolverName::Reference(ReferenceSolver::Scip), repeat: 0, horizon_s: 10.0, curve: PrimalCurve::new(Sense::Minimize, -100.0, found) };
        assert_eq!(gap_line(&run, 0.01).unwrap(), [(0.5, 10.0), (2.0, 10.0), (2.0, GAP_FLOOR_PCT), (10.0, GAP_FLOOR_PCT)], "no line before the first feasible point");
    }

    fn run_of(solver: SolverName, found: &[(f64, f64)]) -> RunCurve {
        use crate::metrics::{Found, PrimalCurve};
        use crate::model::Sense;
        let found = found.iter().map(|&(time_s, objective)| Found { time_s, mvm: None, objective });
        RunCurve { instance: "X".into(), solver, repeat: 0, horizon_s: 10.0, curve: PrimalCurve::new(Sense::Minimize, -100.0, found) }
    }

    #[test]
    fn no_feasible_point_is_drawn_unlike_a_full_gap() {
        // SCIP's first feasible point has a real 100 % gap (objective 0 against -100); SA finds none.
        let (scip, sa) = (run_of(SolverName::Reference(ReferenceSolver::Scip), &[(0.5, 0.0), (2.0, -100.0)]), run_of(SolverName::Reference(ReferenceSolver::Sa), &[]));
        assert_eq!(gap_line(&scip, 0.01).unwrap()[0], (0.5, 100.0));
        assert_eq!(gap_line(&sa, 0.01), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gap_over_time.svg");
        write_gap_over_time(&path, &["X"], &[scip, sa], None).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert_eq!(svg.matches("<circle").count(), 1, "one dot, at SCIP's first feasible point");
        assert!(svg.contains("SA (no feasible point)") && !svg.contains("SCIP (no feasible point)"), "{svg}");
        // Per solver, (polylines, single strokes) in its colour: SCIP a line and its legend
        // sample, SA only its legend sample and the two strokes of its cross.
        let drawn = |solver| {
            let RGBAColor(r, g, b, _) = colour(solver).to_rgba();
            let stroke = format!("stroke=\"#{r:02X}{g:02X}{b:02X}\"");
            let count = |element: &str| svg.lines().filter(|l| l.starts_with(element) && l.contains(&stroke)).count();
            (count("<polyline"), count("<line"))
        };
        assert_eq!((drawn(SolverName::Reference(ReferenceSolver::Scip)), drawn(SolverName::Reference(ReferenceSolver::Sa))), ((2, 0), (1, 2)), "{svg}");
    }

    #[test]
    fn a_profile_at_zero_is_drawn_inside_the_panel() {
        let points = steps(&[f64::INFINITY, f64::INFINITY], 10.0);
        assert!(points.iter().all(|&(_, y)| y == 0.0));
        assert!(points.iter().chain(&steps(&[1.0], 10.0)).all(|(_, y)| FRACTION_AXIS.start < *y && *y < FRACTION_AXIS.end));
    }
}

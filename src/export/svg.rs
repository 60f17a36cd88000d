//! The performance profile of time-to-target (Dolan & Moré, Math. Program. 91 (2002)) as SVG:
//! for each solver, the fraction of instances it solves within a factor τ of the fastest
//! solver on that instance. Unreached targets never count; ρ(1) is the share of instances a
//! solver is fastest on, the right end the share it reaches at all.

use std::path::Path;

use plotters::prelude::*;

use crate::benchmark::{InstanceComparison, SolverResult, TimeToTarget};
use crate::output::atomic::write_atomically;

/// Times below this count as this, so that a ratio to the best time is always defined.
const MIN_TIME_S: f64 = 1e-6;

/// Each side's ratios to the best time per instance (∞ when it did not reach the target),
/// over the instances with a target.
fn ratios(comparisons: &[InstanceComparison]) -> Vec<(&'static str, Vec<f64>)> {
    let reached = |r: Option<&SolverResult>| r.and_then(|r| r.time_to_target).and_then(TimeToTarget::reached).map(|t| t.max(MIN_TIME_S));
    let with_target: Vec<&InstanceComparison> = comparisons.iter().filter(|c| c.target.is_some()).collect();
    (0..2)
        .filter_map(|side| {
            let solver = with_target.iter().find_map(|c| c.solvers()[side])?.solver;
            let values = with_target
                .iter()
                .map(|c| {
                    let best = c.solvers().into_iter().filter_map(reached).reduce(f64::min);
                    reached(c.solvers()[side]).zip(best).map_or(f64::INFINITY, |(t, b)| t / b)
                })
                .collect();
            Some((solver.label(), values))
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

pub fn write_performance_profile(path: &Path, comparisons: &[InstanceComparison]) -> anyhow::Result<()> {
    let series = ratios(comparisons);
    let largest = series.iter().flat_map(|(_, r)| r.iter().copied().filter(|r| r.is_finite())).fold(1.0, f64::max);
    let tau_max = (2.0 * largest).max(10.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Performance profile: time to target", ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d((1f64..tau_max).log_scale(), 0f64..1.05)?;
        chart
            .configure_mesh()
            .x_desc("τ = time-to-target / fastest solver's time-to-target")
            .y_desc("fraction of instances within τ")
            .draw()?;
        for (i, (label, ratios)) in series.iter().enumerate() {
            let style = Palette99::pick(i).stroke_width(2);
            chart
                .draw_series(LineSeries::new(steps(ratios, tau_max), style))?
                .label(*label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
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
}

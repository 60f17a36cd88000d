//! The recorded runs table: each QOBLIB submission's run beside AOC-DT's at equal elapsed time.
//! The recorded runs ran on other machines, so their times are theirs: the table compares the
//! quality each side held at the same number of seconds, never a ratio of times.

use crate::model::Sense;
use crate::table::{number, significant, TIME_DIGITS};

use super::schema::{ResultRow, RunCurve, SolverName};
use super::summary::Table;

/// The objective `curve` held at `time_s` (its last improvement by then); None before its first.
fn held_at(curve: &RunCurve, time_s: f64) -> Option<f64> {
    curve.curve.steps.iter().take_while(|s| s.time_s <= time_s).last().map(|s| s.objective)
}

/// True when `curve` holds only its run's final point, recorded after `time_s` (a submission
/// without a series): what the run held at `time_s` is not known, which is not "nothing".
fn final_point_only(curve: &RunCurve, time_s: f64) -> bool {
    matches!(curve.curve.steps.as_slice(), [only] if only.time_s > time_s)
}

/// The median of `values` in the order of `sense` (the worse of the two middle values).
fn median(sense: Sense, mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(|a, b| (sense.sign() * a).total_cmp(&(sense.sign() * b)));
    values.get(values.len() / 2).copied()
}

/// One row per instance and recorded run: its hardware, its length and best; AOC-DT's time
/// limit (its longest run under a work budget); the recorded incumbent at that limit, AOC-DT's
/// best at it, and AOC-DT's incumbent at the recorded run's end (its final when it ended
/// sooner); whether each reached the target. AOC-DT's cells are medians over its repeats.
/// Empty without recorded rows.
pub fn recorded_table(rows: &[ResultRow], curves: &[RunCurve]) -> Table {
    let header = [
        "instance",
        "recorded",
        "hardware",
        "recorded_end_s",
        "recorded_best",
        "aocdt_limit_s",
        "recorded_at_aocdt_limit",
        "aocdt_at_aocdt_limit",
        "aocdt_at_recorded_end",
        "recorded_reached_target",
        "aocdt_reached_target",
    ]
    .map(String::from)
    .into();
    let mut table_rows = Vec::new();
    for recorded in rows.iter().filter(|r| r.solver.is_recorded()) {
        let aocdt: Vec<&ResultRow> = rows.iter().filter(|r| r.instance == recorded.instance && r.solver == SolverName::Aocdt && r.ran()).collect();
        let aocdt_curves: Vec<&RunCurve> = curves.iter().filter(|c| c.instance == recorded.instance && c.solver == SolverName::Aocdt).collect();
        let limit_s = aocdt.iter().map(|r| r.time_limit_s.unwrap_or(r.wall_time_s)).reduce(f64::max);
        let recorded_curve = curves.iter().find(|c| c.instance == recorded.instance && c.solver == recorded.solver);
        let aocdt_at = |t: f64| median(recorded.sense, aocdt_curves.iter().filter_map(|c| held_at(c, t)).collect());
        let reached = aocdt.iter().filter(|r| r.time_to_target_s.is_some()).count();
        table_rows.push(vec![
            recorded.instance.clone(),
            recorded.solver.label().to_string(),
            recorded.device.clone(),
            significant(Some(recorded.wall_time_s), TIME_DIGITS),
            number(recorded.best_objective.filter(|_| recorded.feasible)),
            significant(limit_s, TIME_DIGITS),
            match recorded_curve.zip(limit_s) {
                Some((curve, limit)) if final_point_only(curve, limit) => "unknown (no series)".to_string(),
                Some((curve, limit)) => number(held_at(curve, limit)),
                None => number(None),
            },
            number(limit_s.and_then(aocdt_at)),
            number(aocdt_at(recorded.wall_time_s)),
            if recorded.time_to_target_s.is_some() { "yes" } else { "no" }.to_string(),
            format!("{reached}/{}", aocdt.len()),
        ]);
    }
    Table { header, rows: table_rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Found, PrimalCurve};

    fn curve(points: &[(f64, f64)]) -> RunCurve {
        let found = points.iter().map(|&(time_s, objective)| Found { time_s, mvm: None, objective });
        RunCurve { instance: "i".into(), solver: SolverName::Abs2Recorded, repeat: 0, horizon_s: 10.0, curve: PrimalCurve::new(Sense::Minimize, 0.0, found) }
    }

    #[test]
    fn a_run_with_only_its_final_point_is_unknown_before_it_not_empty() {
        let final_only = curve(&[(5.0, 3.0)]);
        assert!(final_point_only(&final_only, 2.0));
        assert!(!final_point_only(&final_only, 5.0), "at its end the final point is what it held");
        let series = curve(&[(1.0, 9.0), (5.0, 3.0)]);
        assert!(!final_point_only(&series, 2.0));
        assert_eq!(held_at(&series, 2.0), Some(9.0));
        assert_eq!(held_at(&series, 0.5), None, "before its first point a run with a series held nothing");
    }
}

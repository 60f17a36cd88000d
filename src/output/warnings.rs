//! Warnings: what a user must not miss although the run goes on and its numbers look
//! plausible. One variant per kind, worded only here; commands print them on standard error as
//! `warning: …` (through the progress bar when one is drawn) and JSON reports list them.

use std::fmt;

use crate::engine::{Precision, F32_RESOLUTION};
use crate::metrics::beats_proven_optimum;
use crate::model::Sense;
use crate::output::table::number;
use crate::qumo::CoefficientRange;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The instance's coefficients carry detail finer than the f32 dynamics resolve beside its
    /// largest coefficient: those terms vanish from the dynamics (the exact f64 judge still
    /// scores every sample, but the sampler no longer sees what separates them).
    CoefficientRange { instance: String, range: CoefficientRange },
    /// A feasible objective strictly better than a catalog value marked proven optimal: the
    /// feasibility judge or the catalog is wrong, and the result must not be trusted.
    BeatsProvenOptimum { instance: String, solver: String, objective: f64, optimum: f64 },
}

impl Warning {
    /// The coefficient-range warning, when `precision` does not resolve `range`.
    pub fn coefficient_range(instance: &str, range: Option<CoefficientRange>, precision: Precision) -> Option<Warning> {
        range.filter(|r| !precision.resolves(r.ratio())).map(|range| Warning::CoefficientRange { instance: instance.to_string(), range })
    }

    /// The suspected-judge-or-catalog-error warning, when `objective` (feasible) beats the proven
    /// `optimum` (see [`beats_proven_optimum`]).
    pub fn beats_proven_optimum(instance: &str, solver: &str, sense: Sense, objective: Option<f64>, optimum: Option<f64>) -> Option<Warning> {
        let (objective, optimum) = objective.zip(optimum)?;
        beats_proven_optimum(sense, objective, optimum).then(|| Warning::BeatsProvenOptimum { instance: instance.to_string(), solver: solver.to_string(), objective, optimum })
    }

    /// The line to print.
    pub fn line(&self) -> String {
        format!("warning: {self}")
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::CoefficientRange { instance, range } => write!(
                f,
                "{instance}: coefficients reach {:e} and carry detail down to {:e} (ratio {:.1e}), beyond the f32 dynamics' resolution of 1 part in {F32_RESOLUTION:.1e}: the smaller terms vanish beside the largest. Run the CPU engine in double precision: --engine cpu --precision f64",
                range.largest,
                range.finest,
                range.ratio(),
            ),
            Warning::BeatsProvenOptimum { instance, solver, objective, optimum } => write!(
                f,
                "{instance}: {solver}'s feasible objective {} is better than {}, which the catalog marks proven optimal: suspected judge or catalog error; do not trust this result",
                number(Some(*objective)),
                number(Some(*optimum)),
            ),
        }
    }
}


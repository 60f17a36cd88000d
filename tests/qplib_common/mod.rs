//! Random valid `.qplib` files with known counts, written the way QPLIB's converter writes
//! them (plus RAL-style upper-triangle entries), for the tests that must run when the QPLIB
//! folder is absent. Shared by `qplib_reader.rs`, `qplib_mutants.rs` and `field_cases.rs`.

use std::fmt::Write;

use aocbench::model::{Constraint, Instance, QuadTerm, Sense, VarType};
use aocbench::qplib::CatalogEntry;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// The generated file shapes: the two QPLIB sets and a mixed-variable file that has the
/// bound and type sections the binary sets lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Binary, quadratic objective, linear constraints.
    Qbl,
    /// QUBO: binary, no constraints.
    Qbb,
    /// Binary and continuous variables with bounds, linear constraints.
    Qml,
}

/// One generated file and what a correct reader must find in it.
pub struct Generated {
    pub text: String,
    /// Expected counts, in the form the catalog gives them for real instances.
    pub entry: CatalogEntry,
    /// `½·Σv + Σb + q0`, the objective at x = 1, computed from the generator's own data.
    pub objective_at_ones: f64,
}

/// A non-zero integer coefficient (printed as QPLIB does, `-12.0`).
fn coefficient(rng: &mut StdRng) -> f64 {
    let magnitude = rng.random_range(1..=50);
    f64::from(if rng.random_bool(0.5) {
        magnitude
    } else {
        -magnitude
    })
}

pub fn generate(name: &str, kind: Kind, seed: u64) -> Generated {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = rng.random_range(5..=30usize);
    let m = if kind == Kind::Qbb {
        0
    } else {
        rng.random_range(1..=4usize)
    };
    let sense = if rng.random_bool(0.5) {
        Sense::Minimize
    } else {
        Sense::Maximize
    };
    let code = match kind {
        Kind::Qbl => "QBL",
        Kind::Qbb => "QBB",
        Kind::Qml => "QML",
    };

    let mut quadratic = Vec::new();
    for i in 0..n {
        for j in 0..=i {
            if rng.random_bool(0.3) {
                quadratic.push((i, j, coefficient(&mut rng)));
            }
        }
    }
    quadratic.shuffle(&mut rng);
    let mut linear = Vec::new();
    for j in 0..n {
        if rng.random_bool(0.4) {
            linear.push((j, coefficient(&mut rng)));
        }
    }
    let constant = coefficient(&mut rng);
    let mut rows = Vec::new();
    for i in 0..m {
        for j in 0..n {
            if rng.random_bool(0.5) {
                rows.push((i, j, coefficient(&mut rng)));
            }
        }
    }
    let binary: Vec<bool> = (0..n)
        .map(|_| kind != Kind::Qml || rng.random_bool(0.5))
        .collect();
    let infinity = if rng.random_bool(0.5) {
        "1.79769313486232E+308"
    } else {
        "1.0E19"
    };

    let mut t = String::new();
    let mut line = |s: String| {
        t.push_str(&s);
        t.push('\n');
    };
    line(format!(
        "{name}\n{code}\n{}",
        if sense == Sense::Minimize {
            "minimize"
        } else {
            "maximize"
        }
    ));
    line(format!("{n} # number of variables"));
    if m > 0 {
        line(format!("{m} # number of constraints"));
    }
    line(format!(
        "{} # number of quadratic terms in objective",
        quadratic.len()
    ));
    for (k, &(i, j, v)) in quadratic.iter().enumerate() {
        // Every third entry in the upper triangle, as the RAL 2017 files write them.
        let (a, b) = if k % 3 == 0 { (j, i) } else { (i, j) };
        line(format!("{} {} {v:.1}", a + 1, b + 1));
    }
    line("0.0 # default value for linear coefficients in objective".into());
    line(format!(
        "{} # number of non-default linear coefficients in objective",
        linear.len()
    ));
    linear
        .iter()
        .for_each(|&(j, v)| line(format!("{} {v:.1}", j + 1)));
    line(format!("{constant:.1} # objective constant"));
    if m > 0 {
        line(format!(
            "{} # number of linear terms in all constraints",
            rows.len()
        ));
        rows.iter()
            .for_each(|&(i, j, v)| line(format!("{} {} {v:.1}", i + 1, j + 1)));
    }
    line(format!("{infinity} # value for infinity"));
    if m > 0 {
        line(format!(
            "-{infinity} # default left-hand-side value\n0 # number of non-default left-hand-sides"
        ));
        line("10.0 # default right-hand-side value\n1 # number of non-default right-hand-sides\n1 25.0".into());
    }
    if kind == Kind::Qml {
        line("0.0 # default variable lower bound value\n0 # number of non-default variable lower bounds".into());
        let binaries: Vec<usize> = (0..n).filter(|&j| binary[j]).collect();
        line(format!(
            "10.0 # default variable upper bound value\n{} # number of non-default variable upper bounds",
            binaries.len()
        ));
        binaries.iter().for_each(|j| line(format!("{} 1.0", j + 1)));
        line(format!(
            "0 # default variable type\n{} # number of non-default variable types",
            binaries.len()
        ));
        binaries.iter().for_each(|j| line(format!("{} 1", j + 1)));
    }
    line("0.0 # default variable primal value in starting point\n0 # number of non-default variable primal values in starting point".into());
    if m > 0 {
        line("0.0 # default constraint dual value in starting point\n0 # number of non-default constraint dual values in starting point".into());
    }
    line("0.0 # default variable bound dual value in starting point\n0 # number of non-default variable bound dual values in starting point".into());
    line(
        "0 # number of non-default variable names\n0 # number of non-default constraint names"
            .into(),
    );

    let entry = CatalogEntry {
        name: name.to_string(),
        class: if kind == Kind::Qbb { "QBN" } else { code }.to_string(),
        file_type: code.to_string(),
        n_vars: n,
        n_binary: binary.iter().filter(|&&b| b).count(),
        n_constraints: m,
        n_nonzeros_quadratic: quadratic.len(),
        n_quadratic_diagonal: quadratic.iter().filter(|(i, j, _)| i == j).count(),
        n_linear_objective_terms: linear.len(),
        n_constraint_nonzeros: rows.len(),
        objective_sense: sense,
        best_known_objective: None,
        optimal: false,
    };
    let objective_at_ones = 0.5 * quadratic.iter().map(|q| q.2).sum::<f64>()
        + linear.iter().map(|l| l.1).sum::<f64>()
        + constant;
    Generated {
        text: t,
        entry,
        objective_at_ones,
    }
}

/// The catalog rows of `entries`, with the columns `Catalog::load` reads.
pub fn catalog_csv(entries: &[&CatalogEntry]) -> String {
    let mut csv = String::from(
        "name,class,file_type,n_vars,n_binary,n_constraints,n_nonzeros_quadratic,\
         n_quadratic_diagonal,n_linear_objective_terms,n_constraint_nonzeros,objective_sense,\
         best_known_objective,optimal\n",
    );
    for e in entries {
        let best = e
            .best_known_objective
            .map(|v| v.to_string())
            .unwrap_or_default();
        let optimal = if e.optimal { "yes" } else { "unknown" };
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},{best},{optimal}",
            e.name,
            e.class,
            e.file_type,
            e.n_vars,
            e.n_binary,
            e.n_constraints,
            e.n_nonzeros_quadratic,
            e.n_quadratic_diagonal,
            e.n_linear_objective_terms,
            e.n_constraint_nonzeros,
            e.objective_sense.as_str()
        )
        .expect("writing to a String cannot fail");
    }
    csv
}

/// The first broken invariant of a parsed instance, if any: every length matches n or m,
/// every index is in range, entries are sorted without repeats, coefficients are finite.
pub fn inconsistency(instance: &Instance) -> Option<&'static str> {
    let (n, m) = (instance.n_vars(), instance.n_constraints());
    let checks = [
        (
            instance.objective_linear.len() == n,
            "objective_linear length",
        ),
        (
            instance.var_lower.len() == n && instance.var_upper.len() == n,
            "bound lengths",
        ),
        (instance.start_primal.len() == n, "start_primal length"),
        (
            instance.start_bound_dual.len() == n,
            "start_bound_dual length",
        ),
        (
            instance.start_constraint_dual.len() == m,
            "start_constraint_dual length",
        ),
        (
            terms_ok(&instance.objective_quadratic, n),
            "objective quadratic terms",
        ),
        (
            instance.constraints.iter().all(|c| row_ok(c, n)),
            "constraint rows",
        ),
        (
            names_ok(&instance.var_names, n) && names_ok(&instance.constraint_names, m),
            "names",
        ),
        (
            finite(&instance.objective_linear) && instance.objective_constant.is_finite(),
            "objective",
        ),
        (
            finite(&instance.start_primal) && finite(&instance.start_bound_dual),
            "start values",
        ),
        (finite(&instance.start_constraint_dual), "constraint duals"),
        (
            instance
                .var_lower
                .iter()
                .chain(&instance.var_upper)
                .all(|b| !b.is_nan()),
            "bounds",
        ),
        (instance.infinity > 0.0, "infinity"),
        (binaries_ok(instance), "binary variables"),
    ];
    checks.iter().find(|(ok, _)| !ok).map(|&(_, what)| what)
}

fn finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

fn terms_ok(terms: &[QuadTerm], n: usize) -> bool {
    terms
        .windows(2)
        .all(|w| (w[0].row, w[0].col) < (w[1].row, w[1].col))
        && terms
            .iter()
            .all(|t| t.col <= t.row && t.row < n && t.value.is_finite())
}

fn row_ok(row: &Constraint, n: usize) -> bool {
    row.linear.windows(2).all(|w| w[0].0 < w[1].0)
        && row.linear.iter().all(|&(j, a)| j < n && a.is_finite())
        && terms_ok(&row.quadratic, n)
        && !row.lower.is_nan()
        && !row.upper.is_nan()
}

fn names_ok(names: &[(usize, String)], len: usize) -> bool {
    names.windows(2).all(|w| w[0].0 < w[1].0)
        && names.iter().all(|(i, name)| *i < len && !name.is_empty())
}

fn binaries_ok(instance: &Instance) -> bool {
    instance
        .var_types
        .iter()
        .zip(instance.var_lower.iter().zip(&instance.var_upper))
        .all(|(t, (&lo, &hi))| *t != VarType::Binary || (0.0 <= lo && lo <= hi && hi <= 1.0))
}

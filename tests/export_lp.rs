//! The LP writer: one golden file, and a round trip through a small reader for the subset of
//! LP that `write_lp` emits, checked against `model::objective` on random instances.

use std::collections::HashMap;

use aocbench::reference::lp::{OBJ_CONSTANT_VAR, write_lp};
use aocbench::model::{self, Constraint, Instance, QuadTerm, Sense, VarType};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const INF: f64 = f64::INFINITY;

/// `Instance::binary` with the given types and bounds (one per entry of `objective_linear`).
fn instance(
    sense: Sense,
    var_types: Vec<VarType>,
    bounds: Vec<(f64, f64)>,
    objective_linear: Vec<f64>,
    objective_quadratic: Vec<QuadTerm>,
    objective_constant: f64,
    constraints: Vec<Constraint>,
) -> Instance {
    Instance {
        type_code: "QML".into(),
        var_lower: bounds.iter().map(|b| b.0).collect(),
        var_upper: bounds.iter().map(|b| b.1).collect(),
        var_types,
        ..Instance::binary("golden", sense, objective_quadratic, objective_linear, objective_constant, constraints)
    }
}

fn q(row: usize, col: usize, value: f64) -> QuadTerm {
    QuadTerm { row, col, value }
}

fn lp_text(instance: &Instance) -> String {
    let mut out = Vec::new();
    write_lp(instance, &mut out).expect("write_lp");
    String::from_utf8(out).expect("LP output is UTF-8")
}

#[test]
fn golden_tiny_instance() {
    let inst = instance(
        Sense::Minimize,
        vec![VarType::Binary, VarType::Binary, VarType::Continuous],
        vec![(0.0, 1.0), (0.0, 1.0), (-INF, 4.5)],
        vec![1.5, 0.0, -3.0],
        vec![q(0, 0, 2.0), q(1, 0, -182.0), q(2, 1, 0.5)],
        7.0,
        vec![
            Constraint { lower: -INF, upper: 20.0, linear: vec![(0, 14.0), (1, 7.0)], quadratic: vec![] },
            Constraint { lower: 1.0, upper: 1.0, linear: vec![(0, 1.0), (1, 1.0)], quadratic: vec![] },
            Constraint { lower: -1.0, upper: 2.0, linear: vec![(2, 1.0)], quadratic: vec![q(2, 2, 3.0)] },
            Constraint { lower: -INF, upper: INF, linear: vec![(0, 1.0)], quadratic: vec![] },
        ],
    );
    let expected = "\
\\ golden (QML), written by aocbench
\\ 3 variables, 4 constraints; QPLIB's 1/2 convention is applied
Minimize
 obj: + 1.5 x1 - 3 x3 + 7 obj_constant + [ + 2 x1 ^2 - 182 x2 * x1 + 0.5 x3 * x2 ] / 2
Subject To
 c1: + 14 x1 + 7 x2 <= 20
 c2: + 1 x1 + 1 x2 = 1
 c3_lo: + 1 x3 + [ + 1.5 x3 ^2 ] >= -1
 c3_hi: + 1 x3 + [ + 1.5 x3 ^2 ] <= 2
\\ c4 has no finite side and is left out
Bounds
 -inf <= x3 <= 4.5
 obj_constant = 1
Binaries
 x1 x2
End
";
    assert_eq!(lp_text(&inst), expected);
}

#[test]
fn rejects_what_lp_cannot_express() {
    let mut inst =
        instance(Sense::Maximize, vec![VarType::Continuous], vec![(0.0, 1.0)], vec![f64::NAN], vec![], 0.0, vec![]);
    let err = write_lp(&inst, &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("x1"), "{err}");
    inst.objective_linear = vec![1.0];
    inst.var_lower = vec![INF];
    assert!(write_lp(&inst, &mut Vec::new()).is_err());
}

// ---------------------------------------------------------------------------------------------
// A reader for exactly the subset `write_lp` emits.

#[derive(Debug, Default)]
struct Expr {
    linear: Vec<(String, f64)>,
    /// Coefficients as they apply to the value: the objective's `/ 2` already divided out.
    quadratic: Vec<(String, String, f64)>,
}

impl Expr {
    fn eval(&self, values: &HashMap<String, f64>) -> (f64, f64) {
        let v = |name: &String| *values.get(name).unwrap_or_else(|| panic!("unknown variable {name}"));
        let terms: Vec<f64> = self
            .linear
            .iter()
            .map(|(x, a)| a * v(x))
            .chain(self.quadratic.iter().map(|(x, y, a)| a * v(x) * v(y)))
            .collect();
        (terms.iter().sum(), terms.iter().map(|t| t.abs()).sum())
    }
}

#[derive(Debug)]
struct Row {
    expr: Expr,
    sense: String,
    rhs: f64,
}

#[derive(Debug, Default)]
struct Lp {
    maximize: bool,
    objective: Expr,
    rows: HashMap<String, Row>,
    bounds: HashMap<String, (f64, f64)>,
    binaries: Vec<String>,
    generals: Vec<String>,
}

fn number(token: &str) -> f64 {
    match token {
        "inf" => INF,
        "-inf" => -INF,
        _ => token.parse().unwrap_or_else(|_| panic!("not a number: {token:?}")),
    }
}

/// Parses `± coef name [* name | ^2]` terms and `+ [ … ]` blocks up to the end of `tokens`.
fn parse_expr(tokens: &[&str], objective: bool) -> Expr {
    let mut expr = Expr::default();
    let mut i = 0;
    let mut quad_scale = None;
    while i < tokens.len() {
        match tokens[i] {
            "[" => {
                quad_scale = Some(if objective { 0.5 } else { 1.0 });
                i += 1;
                continue;
            }
            "]" => {
                if objective {
                    assert_eq!(&tokens[i + 1..i + 3], ["/", "2"], "objective bracket must end with / 2");
                    i += 2;
                }
                quad_scale = None;
                i += 1;
                continue;
            }
            _ => {}
        }
        let sign = match tokens[i] {
            "+" => 1.0,
            "-" => -1.0,
            other => {
                // Only the placeholder `0 x1` of an empty expression comes without a sign.
                assert_eq!(other, "0", "unsigned term at {i} in {tokens:?}");
                i += 1;
                expr.linear.push((tokens[i].to_string(), 0.0));
                i += 1;
                continue;
            }
        };
        if tokens[i + 1] == "[" {
            assert_eq!(sign, 1.0, "brackets open with +");
            i += 1;
            continue;
        }
        let coef = sign * number(tokens[i + 1]);
        let name = tokens[i + 2].to_string();
        i += 3;
        match quad_scale {
            None => expr.linear.push((name, coef)),
            Some(scale) => {
                if tokens.get(i) == Some(&"*") {
                    expr.quadratic.push((name, tokens[i + 1].to_string(), scale * coef));
                    i += 2;
                } else {
                    assert_eq!(tokens.get(i), Some(&"^2"), "square expected in {tokens:?}");
                    expr.quadratic.push((name.clone(), name, scale * coef));
                    i += 1;
                }
            }
        }
    }
    expr
}

fn parse_lp(text: &str) -> Lp {
    let mut lp = Lp::default();
    // Joins continuation lines: a statement starts at a line with a leading single space
    // (the writer indents continuations by two).
    let mut statements: Vec<(String, String)> = Vec::new();
    let mut section = String::new();
    for line in text.lines().filter(|l| !l.starts_with('\\')) {
        if !line.starts_with(' ') {
            section = line.to_string();
            match line {
                "Minimize" => lp.maximize = false,
                "Maximize" => lp.maximize = true,
                "Subject To" | "Bounds" | "Binaries" | "Generals" | "End" => {}
                other => panic!("unknown section {other:?}"),
            }
        } else if line.starts_with("   ") {
            statements.last_mut().expect("continuation after a statement").1.push_str(line);
        } else {
            statements.push((section.clone(), line.to_string()));
        }
    }
    for (section, statement) in statements {
        let tokens: Vec<&str> = statement.split_whitespace().collect();
        match section.as_str() {
            "Minimize" | "Maximize" => {
                assert_eq!(tokens[0], "obj:");
                lp.objective = parse_expr(&tokens[1..], true);
            }
            "Subject To" => {
                let name = tokens[0].strip_suffix(':').expect("row name").to_string();
                let k = tokens.len();
                let row = Row {
                    expr: parse_expr(&tokens[1..k - 2], false),
                    sense: tokens[k - 2].into(),
                    rhs: number(tokens[k - 1]),
                };
                assert!(lp.rows.insert(name, row).is_none(), "duplicate row");
            }
            "Bounds" => {
                let (name, bounds) = match tokens.as_slice() {
                    [x, "=", v] => (x, (number(v), number(v))),
                    [x, ">=", v] => (x, (number(v), INF)),
                    [x, "free"] => (x, (-INF, INF)),
                    [lo, "<=", x, "<=", hi] => (x, (number(lo), number(hi))),
                    other => panic!("unknown bound form {other:?}"),
                };
                assert!(lp.bounds.insert(name.to_string(), bounds).is_none(), "duplicate bound");
            }
            "Binaries" => lp.binaries.extend(tokens.iter().map(|t| t.to_string())),
            "Generals" => lp.generals.extend(tokens.iter().map(|t| t.to_string())),
            other => panic!("statement in section {other:?}"),
        }
    }
    lp
}

// ---------------------------------------------------------------------------------------------
// Random instances covering every feature the writer handles.

fn coefficient(rng: &mut StdRng) -> f64 {
    match rng.random_range(0..8) {
        0 => 0.0,
        1 => rng.random_range(-20..=20) as f64,
        2 => rng.random_range(-1000.0..1000.0),
        3 => rng.random_range(-1.0..1.0) * 1e-7,
        4 => rng.random_range(-1.0..1.0) * 1e12,
        5 => 0.1 * rng.random_range(-9..=9) as f64,
        6 => -0.0,
        _ => rng.random::<f64>(),
    }
}

fn random_quad(rng: &mut StdRng, n: usize) -> Vec<QuadTerm> {
    let mut terms = Vec::new();
    for row in 0..n {
        for col in 0..=row {
            if rng.random_bool(0.4) {
                terms.push(q(row, col, coefficient(rng)));
            }
        }
    }
    terms
}

fn random_instance(rng: &mut StdRng) -> Instance {
    let n = rng.random_range(1..=6);
    let mut types = Vec::new();
    let mut bounds = Vec::new();
    for _ in 0..n {
        let (t, b) = match rng.random_range(0..10) {
            0..=3 => (VarType::Binary, (0.0, 1.0)),
            4 => (VarType::Binary, [(1.0, 1.0), (0.0, 0.0)][rng.random_range(0..2)]),
            5 => (VarType::Integer, (-5.0, 5.0)),
            6 => (VarType::Integer, (0.0, [INF, 7.0][rng.random_range(0..2)])),
            7 => (VarType::Continuous, (-INF, INF)),
            8 => (VarType::Continuous, (-INF, rng.random_range(-3.0..3.0))),
            _ => (VarType::Continuous, ([0.0, -1.75][rng.random_range(0..2)], [INF, 2.5][rng.random_range(0..2)])),
        };
        types.push(t);
        bounds.push(b);
    }
    let m = rng.random_range(0..=5);
    let constraints = (0..m)
        .map(|_| {
            let mut linear = Vec::new();
            for j in 0..n {
                if rng.random_bool(0.6) {
                    linear.push((j, coefficient(rng)));
                }
            }
            let quadratic = if rng.random_bool(0.3) { random_quad(rng, n) } else { vec![] };
            let a = rng.random_range(-10.0..10.0);
            let (lower, upper) = match rng.random_range(0..5) {
                0 => (-INF, a),
                1 => (a, INF),
                2 => (a, a),
                3 => (a, a + rng.random_range(0.5..4.0)),
                _ => (-INF, INF),
            };
            Constraint { lower, upper, linear, quadratic }
        })
        .collect();
    let sense = if rng.random_bool(0.5) { Sense::Minimize } else { Sense::Maximize };
    let constant = if rng.random_bool(0.5) { coefficient(rng) } else { 0.0 };
    let linear = (0..n).map(|_| coefficient(rng)).collect();
    instance(sense, types, bounds, linear, random_quad(rng, n), constant, constraints)
}

fn random_point(rng: &mut StdRng, inst: &Instance) -> Vec<f64> {
    inst.var_types
        .iter()
        .map(|t| match t {
            VarType::Binary => rng.random_range(0..2) as f64,
            VarType::Integer => rng.random_range(-5..=5) as f64,
            VarType::Continuous => rng.random_range(-10.0..10.0),
        })
        .collect()
}

/// `½·xᵀQx + aᵀx` of one instance row, and the sum of the magnitudes of its terms.
fn row_activity(row: &Constraint, x: &[f64]) -> (f64, f64) {
    let terms: Vec<f64> = row
        .linear
        .iter()
        .map(|&(j, a)| a * x[j])
        .chain(row.quadratic.iter().map(|t| 0.5 * t.value * x[t.row] * x[t.col]))
        .collect();
    (terms.iter().sum(), terms.iter().map(|t| t.abs()).sum())
}

fn assert_close(lp_value: f64, model_value: f64, scale: f64, what: &str) {
    let tol = 1e-12 * scale.max(1.0);
    assert!((lp_value - model_value).abs() <= tol, "{what}: LP gives {lp_value}, model {model_value}");
}

fn values_at(inst: &Instance, x: &[f64]) -> HashMap<String, f64> {
    let mut values: HashMap<String, f64> = x.iter().enumerate().map(|(j, &v)| (format!("x{}", j + 1), v)).collect();
    values.insert(OBJ_CONSTANT_VAR.into(), 1.0);
    assert_eq!(values.len(), inst.n_vars() + 1);
    values
}

fn check_round_trip(inst: &Instance, rng: &mut StdRng) {
    let text = lp_text(inst);
    let lp = parse_lp(&text);
    assert_eq!(lp.maximize, inst.sense == Sense::Maximize);

    // Bounds, types and the constant's carrier variable, exactly.
    for j in 0..inst.n_vars() {
        let x = format!("x{}", j + 1);
        let binary = inst.var_types[j] == VarType::Binary;
        let default = (0.0, if binary { 1.0 } else { INF });
        assert_eq!(
            lp.bounds.get(&x).copied().unwrap_or(default),
            (inst.var_lower[j], inst.var_upper[j]),
            "{x}\n{text}"
        );
        assert_eq!(lp.binaries.contains(&x), binary, "{x}");
        assert_eq!(lp.generals.contains(&x), inst.var_types[j] == VarType::Integer, "{x}");
    }
    if inst.objective_constant != 0.0 {
        assert_eq!(lp.bounds[OBJ_CONSTANT_VAR], (1.0, 1.0));
    }

    // Rows: names, senses and sides exactly; activities at random points.
    let mut expected_rows = 0;
    for (k, row) in inst.constraints.iter().enumerate() {
        let name = format!("c{}", k + 1);
        let parts: Vec<(String, &str, f64)> = match (row.lower.is_finite(), row.upper.is_finite()) {
            (false, false) => vec![],
            (true, true) if row.lower == row.upper => vec![(name, "=", row.lower)],
            (true, true) => vec![(format!("{name}_lo"), ">=", row.lower), (format!("{name}_hi"), "<=", row.upper)],
            (true, false) => vec![(name, ">=", row.lower)],
            (false, true) => vec![(name, "<=", row.upper)],
        };
        expected_rows += parts.len();
        for (part, sense, rhs) in parts {
            let lp_row = lp.rows.get(&part).unwrap_or_else(|| panic!("row {part} missing\n{text}"));
            assert_eq!((lp_row.sense.as_str(), lp_row.rhs), (sense, rhs), "{part}");
            for _ in 0..5 {
                let x = random_point(rng, inst);
                let (lp_value, lp_scale) = lp_row.expr.eval(&values_at(inst, &x));
                let (model_value, scale) = row_activity(row, &x);
                assert_close(lp_value, model_value, scale.max(lp_scale), &format!("row {part}\n{text}"));
            }
        }
    }
    assert_eq!(lp.rows.len(), expected_rows);

    // The objective against the project's judge.
    for _ in 0..10 {
        let x = random_point(rng, inst);
        let (lp_value, lp_scale) = lp.objective.eval(&values_at(inst, &x));
        let model_value = model::objective(inst, &x);
        assert_close(lp_value, model_value, lp_scale, &format!("objective\n{text}"));
    }
}

#[test]
fn round_trip_on_random_instances() {
    let mut rng = StdRng::seed_from_u64(20_261_123);
    for _ in 0..2000 {
        let inst = random_instance(&mut rng);
        check_round_trip(&inst, &mut rng);
    }
}

#[test]
fn long_expressions_wrap_between_terms() {
    let n = 30;
    let inst = instance(
        Sense::Minimize,
        vec![VarType::Binary; n],
        vec![(0.0, 1.0); n],
        (0..n).map(|j| j as f64 + 0.25).collect(),
        (0..n).flat_map(|r| (0..=r).map(move |c| q(r, c, (r * n + c) as f64 - 100.0))).collect(),
        0.0,
        vec![Constraint { lower: -INF, upper: 3.0, linear: (0..n).map(|j| (j, 1.0)).collect(), quadratic: vec![] }],
    );
    let text = lp_text(&inst);
    assert!(text.lines().all(|l| l.len() < 200), "{text}");
    let mut rng = StdRng::seed_from_u64(7);
    check_round_trip(&inst, &mut rng);
}

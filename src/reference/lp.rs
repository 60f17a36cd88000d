//! The exact instance in CPLEX LP format, as SCIP's `reader_lp` and Gurobi read it.
//!
//! Layout and the choices behind it (each checked by reading the file back with PySCIPOpt 6.3.0
//! / SCIP 10.0 and gurobipy 13.0.3):
//!
//! * Variables are `x1 … xn` (1-based, like QPLIB), rows `c1 … cm`.
//! * **Objective**: linear terms, then `+ [ … ] / 2`. Inside the brackets LP files hold the
//!   coefficients of `xᵀQx` with the full symmetric Q, and the `/ 2` halves all of them. A QPLIB
//!   entry `(i, j, v)` contributes `½·v·x_i·x_j` (its file value is already the doubled
//!   off-diagonal coefficient, qplib-format.md §2.3), so the entry is written unchanged:
//!   `v xi * xj`, or `v xi ^2` on the diagonal.
//! * **Constraints** have no `/ 2` after their brackets, so the QPLIB entry is written halved:
//!   `v/2 xi * xj`. Halving a binary float is exact.
//! * **Objective constant**: SCIP accepts a trailing constant in the objective, but Gurobi's
//!   documentation does not promise it, so a non-zero constant is carried by a variable
//!   [`OBJ_CONSTANT_VAR`] fixed to 1 in `Bounds` — portable and exact.
//! * **Ranged rows** (`lo ≤ expr ≤ hi`, lo ≠ hi): SCIP's reader takes one sense per row, so
//!   they become two rows `cK_lo: expr >= lo` and `cK_hi: expr <= hi`. Rows with no finite
//!   side are left out (a comment says so).
//! * **Bounds**: only those that differ from the LP default `[0, +inf)` (binaries: `[0, 1]`);
//!   infinite ones use `-inf` / `free`. SCIP refuses a name in `Binaries`/`Generals` that it
//!   has not seen before (and Gurobi warns about unknown names in `Bounds`), so a variable that
//!   appears nowhere else gets a `+ 0 xj` term in the objective.
//! * **Numbers** are Rust's shortest round-trip representation (`{:?}` with a trailing `.0`
//!   dropped), which `strtod` reads back to the same f64. `inf`/`NaN` are never written as
//!   numbers: a non-finite coefficient or an impossible bound is an `InvalidInput` error.
//! * Long expressions are wrapped between terms (readers join continuation lines).
//!
//! Solver-side limits the file cannot change: SCIP drops coefficients with `|v| ≤ 1e-9`
//! (`numerics/epsilon`) and treats `|v| ≥ 1e20` as infinite. The smallest non-zero coefficient
//! in the stored QBL set is about 2e-9, so nothing there is lost.

use std::fmt;
use std::io::{self, Write};

use crate::model::{Constraint, Instance, Sense, VarType};
use crate::table::count;

/// Name of the variable, fixed to 1, whose objective coefficient is the objective constant.
pub const OBJ_CONSTANT_VAR: &str = "obj_constant";

/// Terms (or names) written per line before wrapping.
const TERMS_PER_LINE: usize = 8;

/// The LP name of variable `j` (0-based): `x{j+1}`.
pub fn var_name(j: usize) -> String {
    Var(j).to_string()
}

/// Variable `j` as [`var_name`] spells it, written in place without a `String`.
struct Var(usize);

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "x{}", self.0 + 1)
    }
}

/// An f64 printed so that `strtod` gives back exactly the same value.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `-0` would read back fine, but `0` is what a person expects to see.
        let v = if self.0 == 0.0 { 0.0 } else { self.0 };
        let text = format!("{v:?}");
        f.write_str(text.strip_suffix(".0").unwrap_or(&text))
    }
}

/// Writes whitespace-separated items, wrapping the line every [`TERMS_PER_LINE`] items.
struct Wrapped<'a, W: Write> {
    out: &'a mut W,
    count: usize,
}

impl<'a, W: Write> Wrapped<'a, W> {
    fn new(out: &'a mut W) -> Self {
        Wrapped { out, count: 0 }
    }

    fn item(&mut self, item: impl fmt::Display) -> io::Result<()> {
        if self.count > 0 && self.count % TERMS_PER_LINE == 0 {
            self.out.write_all(b"\n  ")?;
        }
        self.count += 1;
        write!(self.out, " {item}")
    }

    /// `+ |coef| name` or `- |coef| name`.
    fn term(&mut self, coef: f64, name: impl fmt::Display) -> io::Result<()> {
        let sign = if coef.is_sign_negative() { '-' } else { '+' };
        self.item(format_args!("{sign} {} {name}", Num(coef.abs())))
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn check_finite(value: f64, what: impl FnOnce() -> String) -> io::Result<()> {
    if value.is_finite() { Ok(()) } else { Err(invalid(format!("{} is {value}", what()))) }
}

/// Whether `[lo, hi]` can be written as sides or bounds: no NaN, lower ≠ +inf, upper ≠ -inf.
fn expressible(lo: f64, hi: f64) -> bool {
    !(lo.is_nan() || hi.is_nan() || lo == f64::INFINITY || hi == f64::NEG_INFINITY)
}

/// Rejects what the LP format cannot say: non-finite coefficients, NaN or impossible bounds
/// (lower = +inf, upper = -inf), an instance without variables.
fn validate(instance: &Instance) -> io::Result<()> {
    let n = instance.n_vars();
    if n == 0 {
        return Err(invalid("instance has no variables".into()));
    }
    if [instance.objective_linear.len(), instance.var_lower.len(), instance.var_upper.len()] != [n; 3] {
        return Err(invalid("objective and bound vectors must have one entry per variable".into()));
    }
    let index_ok = |i: usize| i < n;
    for (j, &b) in instance.objective_linear.iter().enumerate() {
        check_finite(b, || format!("objective coefficient of {}", Var(j)))?;
    }
    check_finite(instance.objective_constant, || "objective constant".into())?;
    for t in &instance.objective_quadratic {
        if !index_ok(t.row) || !index_ok(t.col) {
            return Err(invalid(format!("objective entry ({}, {}) out of range", t.row, t.col)));
        }
        check_finite(t.value, || format!("objective entry ({}, {})", t.row + 1, t.col + 1))?;
    }
    for (k, row) in instance.constraints.iter().enumerate() {
        let name = || format!("c{}", k + 1);
        if !expressible(row.lower, row.upper) {
            return Err(invalid(format!("row {} has invalid sides [{}, {}]", name(), row.lower, row.upper)));
        }
        for &(j, a) in &row.linear {
            if !index_ok(j) {
                return Err(invalid(format!("row {} refers to variable index {j}", name())));
            }
            check_finite(a, || format!("coefficient of {} in row {}", Var(j), name()))?;
        }
        for t in &row.quadratic {
            if !index_ok(t.row) || !index_ok(t.col) {
                return Err(invalid(format!("row {} has entry ({}, {}) out of range", name(), t.row, t.col)));
            }
            check_finite(t.value, || format!("entry ({}, {}) of row {}", t.row + 1, t.col + 1, name()))?;
        }
    }
    for j in 0..n {
        let (lo, hi) = (instance.var_lower[j], instance.var_upper[j]);
        if !expressible(lo, hi) {
            return Err(invalid(format!("variable {} has invalid bounds [{lo}, {hi}]", Var(j))));
        }
    }
    Ok(())
}

fn has_finite_side(row: &Constraint) -> bool {
    row.lower.is_finite() || row.upper.is_finite()
}

/// Which variables the objective's non-zero terms and the written rows mention; the others
/// must be declared explicitly (see the module docs).
fn mentioned_variables(instance: &Instance) -> Vec<bool> {
    let mut seen = vec![false; instance.n_vars()];
    for (j, &b) in instance.objective_linear.iter().enumerate() {
        seen[j] |= b != 0.0;
    }
    let quads = instance
        .objective_quadratic
        .iter()
        .chain(instance.constraints.iter().filter(|r| has_finite_side(r)).flat_map(|r| r.quadratic.iter()));
    for t in quads.filter(|t| t.value != 0.0) {
        seen[t.row] = true;
        seen[t.col] = true;
    }
    for row in instance.constraints.iter().filter(|r| has_finite_side(r)) {
        for &(j, a) in &row.linear {
            seen[j] |= a != 0.0;
        }
    }
    seen
}

fn write_objective(instance: &Instance, mentioned: &[bool], out: &mut impl Write) -> io::Result<()> {
    let sense = match instance.sense {
        Sense::Minimize => "Minimize",
        Sense::Maximize => "Maximize",
    };
    write!(out, "{sense}\n obj:")?;
    let mut expr = Wrapped::new(out);
    for (j, &b) in instance.objective_linear.iter().enumerate() {
        if b != 0.0 {
            expr.term(b, Var(j))?;
        }
    }
    for j in mentioned.iter().enumerate().filter(|(_, m)| !**m).map(|(j, _)| j) {
        expr.item(format_args!("+ 0 {}", Var(j)))?;
    }
    if instance.objective_constant != 0.0 {
        expr.term(instance.objective_constant, OBJ_CONSTANT_VAR)?;
    }
    let mut quads = instance.objective_quadratic.iter().filter(|t| t.value != 0.0).peekable();
    if quads.peek().is_some() {
        expr.item("+ [")?;
        for t in quads {
            // The file value is already the xᵀQx coefficient; `/ 2` below supplies QPLIB's ½.
            write_quad_term(&mut expr, t.value, t.row, t.col)?;
        }
        expr.item("] / 2")?;
    }
    if expr.count == 0 {
        // An empty objective is legal in SCIP but not promised elsewhere.
        expr.item("0 x1")?;
    }
    writeln!(out)
}

fn write_quad_term<W: Write>(expr: &mut Wrapped<'_, W>, coef: f64, row: usize, col: usize) -> io::Result<()> {
    if row == col {
        // `^2` must touch the caret: SCIP's tokenizer reads `x ^ 2` as a square followed by
        // a stray value 2.
        expr.term(coef, format_args!("{} ^2", Var(row)))
    } else {
        expr.term(coef, format_args!("{} * {}", Var(row), Var(col)))
    }
}

fn write_row(row: &Constraint, name: &str, sense: &str, rhs: f64, out: &mut impl Write) -> io::Result<()> {
    write!(out, " {name}:")?;
    let mut expr = Wrapped::new(out);
    for &(j, a) in row.linear.iter().filter(|(_, a)| *a != 0.0) {
        expr.term(a, Var(j))?;
    }
    let mut quads = row.quadratic.iter().filter(|t| t.value != 0.0).peekable();
    if quads.peek().is_some() {
        // SCIP refuses `- [`, so the bracket always opens with `+`.
        expr.item("+ [")?;
        for t in quads {
            // No `/ 2` after constraint brackets: apply QPLIB's ½ here (exact in binary).
            write_quad_term(&mut expr, t.value / 2.0, t.row, t.col)?;
        }
        expr.item("]")?;
    }
    if expr.count == 0 {
        expr.item("0 x1")?;
    }
    writeln!(out, " {sense} {}", Num(rhs))
}

fn write_constraints(instance: &Instance, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "Subject To")?;
    for (k, row) in instance.constraints.iter().enumerate() {
        let name = format!("c{}", k + 1);
        match (row.lower.is_finite(), row.upper.is_finite()) {
            (false, false) => writeln!(out, "\\ {name} has no finite side and is left out")?,
            (true, true) if row.lower == row.upper => write_row(row, &name, "=", row.lower, out)?,
            (true, true) => {
                write_row(row, &format!("{name}_lo"), ">=", row.lower, out)?;
                write_row(row, &format!("{name}_hi"), "<=", row.upper, out)?;
            }
            (true, false) => write_row(row, &name, ">=", row.lower, out)?,
            (false, true) => write_row(row, &name, "<=", row.upper, out)?,
        }
    }
    Ok(())
}

/// The `Bounds` line of variable `j`, or `None` when the LP default already says it.
fn bound_line(instance: &Instance, j: usize) -> Option<String> {
    let (lo, hi) = (instance.var_lower[j], instance.var_upper[j]);
    let x = Var(j);
    let default_hi = if instance.var_types[j] == VarType::Binary { 1.0 } else { f64::INFINITY };
    if lo == 0.0 && hi == default_hi {
        return None;
    }
    Some(match (lo.is_finite(), hi.is_finite()) {
        _ if lo == hi => format!("{x} = {}", Num(lo)),
        (true, true) => format!("{} <= {x} <= {}", Num(lo), Num(hi)),
        (true, false) => format!("{x} >= {}", Num(lo)),
        (false, true) => format!("-inf <= {x} <= {}", Num(hi)),
        (false, false) => format!("{x} free"),
    })
}

fn write_name_list(title: &str, instance: &Instance, kind: VarType, out: &mut impl Write) -> io::Result<()> {
    let mut names = instance.var_types.iter().enumerate().filter(|(_, t)| **t == kind).peekable();
    if names.peek().is_none() {
        return Ok(());
    }
    writeln!(out, "{title}")?;
    let mut list = Wrapped::new(out);
    for (j, _) in names {
        list.item(Var(j))?;
    }
    writeln!(out)
}

/// Writes `instance` in CPLEX LP format (see the module docs for the exact conventions).
///
/// Errors: the writer's own I/O errors, and `InvalidInput` for what LP cannot express
/// (non-finite coefficients, NaN or impossible bounds, no variables).
pub fn write_lp(instance: &Instance, out: &mut impl Write) -> io::Result<()> {
    validate(instance)?;
    // Comments must stay on their line: a name with a line break would end the comment.
    let clean = |s: &str| s.replace(|c: char| c.is_control(), " ");
    writeln!(out, "\\ {} ({}), written by aocbench", clean(&instance.name), clean(&instance.type_code))?;
    writeln!(
        out,
        "\\ {}, {}; QPLIB's 1/2 convention is applied",
        count(instance.n_vars(), "variable"),
        count(instance.n_constraints(), "constraint")
    )?;

    write_objective(instance, &mentioned_variables(instance), out)?;
    write_constraints(instance, out)?;

    let bounds: Vec<String> = (0..instance.n_vars()).filter_map(|j| bound_line(instance, j)).collect();
    if !bounds.is_empty() || instance.objective_constant != 0.0 {
        writeln!(out, "Bounds")?;
        for line in &bounds {
            writeln!(out, " {line}")?;
        }
        if instance.objective_constant != 0.0 {
            writeln!(out, " {OBJ_CONSTANT_VAR} = 1")?;
        }
    }
    write_name_list("Binaries", instance, VarType::Binary, out)?;
    write_name_list("Generals", instance, VarType::Integer, out)?;
    writeln!(out, "End")
}

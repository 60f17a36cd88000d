//! The `.qplib` reader: text → [`Instance`], line by line as `shared/design/qplib-format.md`
//! §2.2 describes it, with the grammar of QPLIB's reference reader (GALAHAD's `read_qplib`,
//! `RPD_read_problem_data`): blank lines and whole-line comments starting with `!`, `%`, `#`
//! or `|` are skipped; a line's values are its first tokens and free text after them is a
//! comment, with or without `#`; keywords and type codes may be in any case; variable type 2
//! is binary.
//!
//! Strict where the reference reader guesses: a wrong count, a duplicated entry, or a number
//! where free text should start (what a list whose count is too small leaves behind) is
//! reported with its line, because a silently misread instance would corrupt every benchmark
//! number computed from it.

use std::fmt::Display;
use std::fs;
use std::path::Path;

use super::compressed::decompressed;
use super::error::{IndexKind, Problem, QplibError};
use crate::model::{Constraint, Instance, QuadTerm, Sense, VarType};

/// Largest number of variables or of constraints accepted. QPLIB's largest instance has about
/// 1.0e6 of either; the cap stops a corrupt count from requesting a multi-gigabyte dense
/// vector, which would abort the process instead of returning an error.
const MAX_DIMENSION: usize = 10_000_000;

/// Entry lists reserve at most this many slots up front, whatever their (untrusted) count.
const MAX_PREALLOCATION: usize = 1 << 16;

/// Largest coefficient magnitude accepted (objective and constraint coefficients, objective
/// constant). QPLIB's largest is about 1.3e6; 1e20 is where QPLIB files and SCIP start to read
/// a value as infinite, and every coefficient below it stays finite through the f32 engines
/// (n·|v| for n up to MAX_DIMENSION, λ and the gain 1/(g·λ) included). A larger one would come
/// back from the engines as NaN or infinity, so it is refused here, where its line is known.
const MAX_COEFFICIENT: f64 = 1e20;

/// Whole-line comments start with one of these (after blanks), as in the reference reader.
const COMMENT_STARTS: [char; 4] = ['!', '%', '#', '|'];

type Result<T> = std::result::Result<T, QplibError>;

/// Reads a `.qplib` file: plain, gzip- or xz-compressed, or a zip archive holding one file, recognised
/// by their magic bytes (the file name does not matter). Errors name `path`; other compressed
/// formats are refused by name.
pub fn read_instance(path: &Path) -> Result<Instance> {
    let raw = fs::read(path).map_err(|source| QplibError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = decompressed(path, raw)?;
    parse_instance(&path.display().to_string(), &text)
}

/// Parses the bytes of a `.qplib` file; `source` names the file in error messages.
///
/// Bytes that are not UTF-8 become U+FFFD, as the reference reader ignores what it does not
/// read: in a comment or after the values they change nothing, in a value they make it "not a
/// number" with its line. A leading byte-order mark is dropped.
pub fn parse_instance(source: &str, text: &[u8]) -> Result<Instance> {
    let text = String::from_utf8_lossy(text);
    Cursor::new(source, text.strip_prefix('\u{feff}').unwrap_or(&text)).instance()
}

/// The three-letter problem type `OVC`; it decides which sections the file has.
#[derive(Debug, Clone, Copy)]
struct TypeCode {
    objective: u8,
    variables: u8,
    constraints: u8,
}

impl TypeCode {
    fn parse(text: &str) -> Option<TypeCode> {
        let &[objective, variables, constraints] = text.as_bytes() else {
            return None;
        };
        let valid = b"LDCQ".contains(&objective)
            && b"CBMIG".contains(&variables)
            && b"NBLDCQ".contains(&constraints);
        valid.then_some(TypeCode {
            objective,
            variables,
            constraints,
        })
    }

    fn letters(self) -> String {
        [self.objective, self.variables, self.constraints]
            .map(char::from)
            .iter()
            .collect()
    }

    fn has_objective_quadratic(self) -> bool {
        self.objective != b'L'
    }

    /// `N` (none) and `B` (bounds only) files have no constraint count line: m = 0.
    fn has_constraint_count(self) -> bool {
        !b"NB".contains(&self.constraints)
    }

    fn has_constraint_quadratic(self) -> bool {
        b"DCQ".contains(&self.constraints)
    }

    /// All-binary files have implicit [0, 1] bounds and no bound section.
    fn has_bounds(self) -> bool {
        self.variables != b'B'
    }

    /// Only mixed files list variable types; `C`, `B` and `I` imply one type for all.
    fn has_type_section(self) -> bool {
        b"MG".contains(&self.variables)
    }

    /// The declared type of every variable when the file has no type section.
    fn uniform_type(self) -> VarType {
        match self.variables {
            b'C' => VarType::Continuous,
            b'B' => VarType::Binary,
            _ => VarType::Integer,
        }
    }
}

/// Which values a number may take.
#[derive(Debug, Clone, Copy)]
enum Domain {
    /// Starting points: NaN and ±∞ are errors.
    Finite,
    /// Coefficients and the objective constant: finite and at most [`MAX_COEFFICIENT`] in
    /// magnitude.
    Coefficient,
    /// Bounds: `|v| ≥ infinity` reads as ±∞. With `infinity = ∞` this admits any non-NaN
    /// value, which is what the value-for-infinity line itself needs.
    Bound { infinity: f64 },
}

/// A meaningful line: its 1-based number and its text without comment, trimmed.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: usize,
    text: &'a str,
}

/// An entry with its key (0-based indices), value and line, kept until duplicates are
/// checked.
struct Keyed<const K: usize, V> {
    key: [usize; K],
    value: V,
    line: usize,
}

/// Describes entry `k` of a list, for messages; formatted only when an error happens.
struct EntryLabel<'s> {
    k: usize,
    count: usize,
    what: &'s str,
    shape: &'s str,
}

impl Display for EntryLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let EntryLabel {
            k,
            count,
            what,
            shape,
        } = self;
        write!(f, "entry {k} of the {count} {what} (`{shape}`)")
    }
}

/// Walks the meaningful lines of one file and turns them into values, with errors that name
/// the file and line.
struct Cursor<'a> {
    file: &'a str,
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    /// Number of the last physical line read; end of file is reported on the line after it.
    last: usize,
    /// Count line of the list being read or just read: a line of the wrong shape there
    /// usually means that count is wrong, so errors quote it.
    open_count: Option<usize>,
}

impl<'a> Cursor<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Cursor {
            file,
            lines: text.lines().enumerate(),
            last: 0,
            open_count: None,
        }
    }

    fn error(&self, line: usize, problem: Problem) -> QplibError {
        QplibError::Parse {
            file: self.file.to_string(),
            line,
            problem,
        }
    }

    /// The next line that is neither blank nor only a comment.
    fn next_content(&mut self) -> Option<Line<'a>> {
        for (index, raw) in self.lines.by_ref() {
            self.last = index + 1;
            let text = raw.split_once('#').map_or(raw, |(before, _)| before).trim();
            if !text.is_empty() && !text.starts_with(COMMENT_STARTS) {
                return Some(Line {
                    number: index + 1,
                    text,
                });
            }
        }
        None
    }

    fn next(&mut self, expected: &dyn Display) -> Result<Line<'a>> {
        self.next_content().ok_or_else(|| {
            self.error(
                self.last + 1,
                Problem::UnexpectedEof {
                    expected: expected.to_string(),
                },
            )
        })
    }

    fn wrong_shape(&self, line: Line<'a>, expected: &dyn Display) -> QplibError {
        self.error(
            line.number,
            Problem::WrongShape {
                expected: expected.to_string(),
                found: excerpt(line.text),
                count_line: self.open_count,
            },
        )
    }

    /// The first `N` whitespace-separated fields; what follows is a comment, unless it starts
    /// with a number: then the line holds more values than expected (usually a list count that
    /// is too small), which the reference reader would silently misread.
    fn fields<const N: usize>(
        &self,
        line: Line<'a>,
        expected: &dyn Display,
    ) -> Result<[&'a str; N]> {
        let mut tokens = line.text.split_ascii_whitespace();
        let fields: [&str; N] = std::array::from_fn(|_| tokens.next().unwrap_or_default());
        if fields.iter().any(|f| f.is_empty()) || tokens.next().is_some_and(looks_numeric) {
            return Err(self.wrong_shape(line, expected));
        }
        Ok(fields)
    }

    /// A line holding one field. It ends the list before it, if any.
    fn single(&mut self, expected: &dyn Display) -> Result<(Line<'a>, &'a str)> {
        let line = self.next(expected)?;
        let [token] = self.fields(line, expected)?;
        self.open_count = None;
        Ok((line, token))
    }

    fn number(&self, line: Line<'a>, token: &str, what: &str, domain: Domain) -> Result<f64> {
        let fail = |problem: fn(String, String) -> Problem| {
            self.error(line.number, problem(what.to_string(), excerpt(token)))
        };
        let value = parse_real(token).ok_or_else(|| fail(|what, found| Problem::NotANumber { what, found }))?;
        match domain {
            _ if value.is_nan() => Err(fail(|what, found| Problem::NaN { what, found })),
            Domain::Finite | Domain::Coefficient if value.is_infinite() => {
                Err(fail(|what, found| Problem::Infinite { what, found }))
            }
            Domain::Coefficient if value.abs() > MAX_COEFFICIENT => {
                Err(fail(|what, found| Problem::TooLarge {
                    what,
                    found,
                    limit: MAX_COEFFICIENT,
                }))
            }
            Domain::Bound { infinity } if value.abs() >= infinity => {
                Ok(f64::INFINITY.copysign(value))
            }
            _ => Ok(value),
        }
    }

    /// A 1-based index in `1..=len`, returned 0-based.
    fn index(&self, line: Line<'a>, token: &str, kind: IndexKind, len: usize) -> Result<usize> {
        token
            .parse::<usize>()
            .ok()
            .filter(|i| (1..=len).contains(i))
            .map(|i| i - 1)
            .ok_or_else(|| {
                self.error(
                    line.number,
                    Problem::BadIndex {
                        kind,
                        len,
                        found: excerpt(token),
                    },
                )
            })
    }

    fn value(&mut self, what: &str, domain: Domain) -> Result<f64> {
        let (line, token) = self.single(&format_args!("the {what}"))?;
        self.number(line, token, what, domain)
    }

    fn count(&mut self, what: &str, max: usize) -> Result<usize> {
        let (line, token) = self.single(&format_args!("the number of {what}"))?;
        token
            .parse()
            .ok()
            .filter(|&count| count <= max)
            .ok_or_else(|| {
                let problem = Problem::BadCount {
                    what: what.to_string(),
                    max,
                    found: excerpt(token),
                };
                self.error(line.number, problem)
            })
    }

    /// A count line followed by that many entry lines, each turned into a `T` by `entry`.
    fn list<T>(
        &mut self,
        what: &str,
        shape: &str,
        max: usize,
        mut entry: impl FnMut(&Self, Line<'a>, &EntryLabel) -> Result<T>,
    ) -> Result<Vec<T>> {
        let count = self.count(what, max)?;
        self.open_count = Some(self.last); // the count line was the last line read
        let mut items = Vec::with_capacity(count.min(MAX_PREALLOCATION));
        for k in 1..=count {
            let label = EntryLabel {
                k,
                count,
                what,
                shape,
            };
            let line = self.next(&label)?;
            items.push(entry(self, line, &label)?);
        }
        Ok(items)
    }

    /// Sorts entries by key and rejects a key given twice, reporting the earliest repeat.
    fn unique<const K: usize, V>(
        &self,
        mut entries: Vec<Keyed<K, V>>,
        what: &str,
    ) -> Result<Vec<([usize; K], V)>> {
        entries.sort_by_key(|e| e.key); // stable: equal keys stay in file order
        let repeat = entries
            .windows(2)
            .filter_map(|pair| match pair {
                [first, again] if first.key == again.key => Some((first.line, again)),
                _ => None,
            })
            .min_by_key(|(_, again)| again.line);
        if let Some((first_line, again)) = repeat {
            let key = again
                .key
                .iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let what = what.to_string();
            let key = format!("({key})");
            return Err(self.error(
                again.line,
                Problem::Duplicate {
                    what,
                    key,
                    first_line,
                },
            ));
        }
        Ok(entries.into_iter().map(|e| (e.key, e.value)).collect())
    }

    /// A dense vector given as a default value plus a list of `index value` exceptions.
    fn default_and_exceptions<T: Clone>(
        &mut self,
        what: &str,
        kind: IndexKind,
        len: usize,
        parse: impl Fn(&Self, Line<'a>, &str) -> Result<T>,
    ) -> Result<Vec<T>> {
        let (line, token) = self.single(&format_args!("the default value of the {what}"))?;
        let mut values = vec![parse(self, line, token)?; len];
        let listed = format!("non-default {what}");
        let exceptions = self.list(&listed, "j v", len, |c, line, label| {
            let [j, v] = c.fields(line, label)?;
            let key = [c.index(line, j, kind, len)?];
            Ok(Keyed {
                key,
                value: parse(c, line, v)?,
                line: line.number,
            })
        })?;
        for ([j], value) in self.unique(exceptions, &listed)? {
            values[j] = value; // j < len: checked by `index`
        }
        Ok(values)
    }

    fn numbers(
        &mut self,
        what: &str,
        kind: IndexKind,
        len: usize,
        domain: Domain,
    ) -> Result<Vec<f64>> {
        self.default_and_exceptions(what, kind, len, |c, line, token| {
            c.number(line, token, what, domain)
        })
    }

    fn type_code(&mut self) -> Result<TypeCode> {
        let (line, token) = self.single(&"the problem type (three letters)")?;
        TypeCode::parse(&token.to_ascii_uppercase()).ok_or_else(|| {
            self.error(
                line.number,
                Problem::UnknownTypeCode {
                    found: excerpt(token),
                },
            )
        })
    }

    fn sense(&mut self) -> Result<Sense> {
        let (line, token) = self.single(&"the objective sense (minimize or maximize)")?;
        let sense = |token: &str| {
            [("minimize", Sense::Minimize), ("maximize", Sense::Maximize)]
                .into_iter()
                .find(|(word, _)| token.eq_ignore_ascii_case(word))
                .map(|(_, sense)| sense)
        };
        let Some(read) = sense(token) else {
            return Err(self.error(
                line.number,
                Problem::UnknownSense {
                    found: excerpt(token),
                },
            ));
        };
        // What follows the sense is a comment, unless it is a sense itself before any `#`:
        // `minimize maximize` says both, and reading the first would solve the wrong problem.
        if line.text.split_ascii_whitespace().skip(1).take_while(|word| !word.starts_with('#')).any(|word| sense(word).is_some()) {
            return Err(self.error(
                line.number,
                Problem::ConflictingSense {
                    found: excerpt(line.text),
                },
            ));
        }
        Ok(read)
    }

    /// `i j v` lines of the objective; `(i, j)` and `(j, i)` are the same entry.
    fn objective_quadratic(&mut self, n: usize) -> Result<Vec<QuadTerm>> {
        let what = "quadratic terms in objective";
        let entries = self.list(what, "i j v", triangle(n), |c, line, label| {
            let [i, j, v] = c.fields(line, label)?;
            let (i, j) = (
                c.index(line, i, IndexKind::Variable, n)?,
                c.index(line, j, IndexKind::Variable, n)?,
            );
            let value = c.number(line, v, what, Domain::Coefficient)?;
            Ok(Keyed {
                key: [i.max(j), i.min(j)],
                value,
                line: line.number,
            })
        })?;
        let terms = self.unique(entries, what)?;
        Ok(terms
            .into_iter()
            .map(|([row, col], value)| QuadTerm { row, col, value })
            .collect())
    }

    /// `i j k v` lines: constraint i, lower-triangle entry (j, k).
    fn constraint_quadratic(&mut self, n: usize, m: usize) -> Result<Vec<([usize; 3], f64)>> {
        let what = "quadratic terms in all constraints";
        let entries = self.list(
            what,
            "i j k v",
            m.saturating_mul(triangle(n)),
            |c, line, label| {
                let [i, j, k, v] = c.fields(line, label)?;
                let i = c.index(line, i, IndexKind::Constraint, m)?;
                let (j, k) = (
                    c.index(line, j, IndexKind::Variable, n)?,
                    c.index(line, k, IndexKind::Variable, n)?,
                );
                let value = c.number(line, v, what, Domain::Coefficient)?;
                Ok(Keyed {
                    key: [i, j.max(k), j.min(k)],
                    value,
                    line: line.number,
                })
            },
        )?;
        self.unique(entries, what)
    }

    /// `i j v` lines: coefficient of variable j in constraint i.
    fn constraint_linear(&mut self, n: usize, m: usize) -> Result<Vec<([usize; 2], f64)>> {
        let what = "linear terms in all constraints";
        let entries = self.list(what, "i j v", m.saturating_mul(n), |c, line, label| {
            let [i, j, v] = c.fields(line, label)?;
            let key = [
                c.index(line, i, IndexKind::Constraint, m)?,
                c.index(line, j, IndexKind::Variable, n)?,
            ];
            Ok(Keyed {
                key,
                value: c.number(line, v, what, Domain::Coefficient)?,
                line: line.number,
            })
        })?;
        self.unique(entries, what)
    }

    fn infinity(&mut self) -> Result<f64> {
        let (line, token) = self.single(&"the value for infinity")?;
        let value = self.number(
            line,
            token,
            "value for infinity",
            Domain::Bound {
                infinity: f64::INFINITY,
            },
        )?;
        if value > 0.0 {
            Ok(value)
        } else {
            Err(self.error(
                line.number,
                Problem::NonPositiveInfinity {
                    found: excerpt(token),
                },
            ))
        }
    }

    /// Declared types of a mixed file: 0 continuous, 1 integer, 2 binary.
    fn variable_types(&mut self, n: usize) -> Result<Vec<VarType>> {
        self.default_and_exceptions(
            "variable types",
            IndexKind::Variable,
            n,
            |c, line, token| match token {
                "0" => Ok(VarType::Continuous),
                "1" => Ok(VarType::Integer),
                "2" => Ok(VarType::Binary),
                _ => Err(c.error(
                    line.number,
                    Problem::UnknownVariableType {
                        found: excerpt(token),
                    },
                )),
            },
        )
    }

    /// `j name` lines; the name is the token after the index (free text may follow).
    fn names(&mut self, what: &str, kind: IndexKind, len: usize) -> Result<Vec<(usize, String)>> {
        let entries = self.list(what, "j name", len, |c, line, label| {
            let mut tokens = line.text.split_ascii_whitespace();
            let (Some(j), Some(name)) = (tokens.next(), tokens.next()) else {
                return Err(c.wrong_shape(line, label));
            };
            let key = [c.index(line, j, kind, len)?];
            Ok(Keyed {
                key,
                value: name.to_string(),
                line: line.number,
            })
        })?;
        Ok(self
            .unique(entries, what)?
            .into_iter()
            .map(|([j], name)| (j, name))
            .collect())
    }

    fn finish(&mut self) -> Result<()> {
        match self.next_content() {
            None => Ok(()),
            Some(line) => Err(self.error(
                line.number,
                Problem::TrailingGarbage {
                    found: excerpt(line.text),
                },
            )),
        }
    }

    /// The whole file, section by section in the order of the format note (§2.2).
    fn instance(mut self) -> Result<Instance> {
        // The name is the line's first token; the reference layout puts free text after it.
        let name = self
            .next(&"the problem name")?
            .text
            .split_ascii_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        let code = self.type_code()?;
        let sense = self.sense()?;
        let n = self.count("variables", MAX_DIMENSION)?;
        let m = if code.has_constraint_count() {
            self.count("constraints", MAX_DIMENSION)?
        } else {
            0
        };
        let var = IndexKind::Variable;

        let objective_quadratic = if code.has_objective_quadratic() {
            self.objective_quadratic(n)?
        } else {
            Vec::new()
        };
        let objective_linear = self.numbers(
            "linear coefficients in objective",
            var,
            n,
            Domain::Coefficient,
        )?;
        let objective_constant = self.value("objective constant", Domain::Coefficient)?;
        let constraint_quadratic = if code.has_constraint_quadratic() {
            self.constraint_quadratic(n, m)?
        } else {
            Vec::new()
        };
        let constraint_linear = if m > 0 {
            self.constraint_linear(n, m)?
        } else {
            Vec::new()
        };

        let infinity = self.infinity()?;
        let bound = Domain::Bound { infinity };
        let lower = self.constraint_numbers("left-hand sides", m, bound)?;
        let upper = self.constraint_numbers("right-hand sides", m, bound)?;
        let (var_lower, var_upper) = if code.has_bounds() {
            (
                self.numbers("variable lower bounds", var, n, bound)?,
                self.numbers("variable upper bounds", var, n, bound)?,
            )
        } else {
            (vec![0.0; n], vec![1.0; n])
        };
        let declared = if code.has_type_section() {
            self.variable_types(n)?
        } else {
            vec![code.uniform_type(); n]
        };
        let (var_types, var_lower, var_upper) = binaries_recognised(declared, var_lower, var_upper);

        let start_primal = self.numbers(
            "variable primal values in starting point",
            var,
            n,
            Domain::Finite,
        )?;
        let start_constraint_dual = self.constraint_numbers(
            "constraint dual values in starting point",
            m,
            Domain::Finite,
        )?;
        let start_bound_dual = self.numbers(
            "variable bound dual values in starting point",
            var,
            n,
            Domain::Finite,
        )?;
        let var_names = self.names("variable names", var, n)?;
        let constraint_names = self.names("constraint names", IndexKind::Constraint, m)?;
        self.finish()?;

        Ok(Instance {
            name,
            type_code: code.letters(),
            sense,
            objective_quadratic,
            objective_linear,
            objective_constant,
            constraints: assemble_constraints(
                lower,
                upper,
                constraint_linear,
                constraint_quadratic,
            ),
            infinity,
            var_lower,
            var_upper,
            var_types,
            start_primal,
            start_constraint_dual,
            start_bound_dual,
            var_names,
            constraint_names,
        })
    }

    /// A per-constraint vector; files without constraints have no such section.
    fn constraint_numbers(&mut self, what: &str, m: usize, domain: Domain) -> Result<Vec<f64>> {
        if m > 0 {
            self.numbers(what, IndexKind::Constraint, m, domain)
        } else {
            Ok(Vec::new())
        }
    }
}

/// Number of lower-triangle entries (diagonal included) of an n×n matrix.
fn triangle(n: usize) -> usize {
    n.saturating_mul(n.saturating_add(1)) / 2
}

/// Types and bounds as the solvers see them. Integer variables whose bounds lie inside [0, 1]
/// (with an integer between them) are binary, their bounds kept: QPLIB writes binaries as
/// integers on [0, 1] and a fixed binary as an integer with lower = upper ∈ {0, 1}. Variables
/// declared binary (type 2) get the bounds [0, 1] whatever the bound sections say, as in the
/// reference reader.
fn binaries_recognised(
    declared: Vec<VarType>,
    mut lower: Vec<f64>,
    mut upper: Vec<f64>,
) -> (Vec<VarType>, Vec<f64>, Vec<f64>) {
    let types = declared
        .into_iter()
        .zip(lower.iter_mut().zip(upper.iter_mut()))
        .map(|(t, (lo, hi))| match t {
            VarType::Binary => {
                (*lo, *hi) = (0.0, 1.0);
                VarType::Binary
            }
            VarType::Integer if 0.0 <= *lo && *hi <= 1.0 && lo.ceil() <= hi.floor() => {
                VarType::Binary
            }
            other => other,
        })
        .collect();
    (types, lower, upper)
}

/// True for a token that is a number (`7`, `-1.5`, `.5`, `1D3`), not a word (`1st`, `inf`).
fn looks_numeric(token: &str) -> bool {
    let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
    let digits = digits.strip_prefix('.').unwrap_or(digits);
    digits.starts_with(|c: char| c.is_ascii_digit()) && parse_real(token).is_some()
}

/// A real as the reference reader (Fortran) reads it: Rust's syntax, or with the exponent
/// written `D` (`1.5D3`).
fn parse_real(token: &str) -> Option<f64> {
    token.parse().ok().or_else(|| token.replacen(['d', 'D'], "e", 1).parse().ok())
}

/// Distributes the sorted constraint entries over their rows (indices already checked < m).
fn assemble_constraints(
    lower: Vec<f64>,
    upper: Vec<f64>,
    linear: Vec<([usize; 2], f64)>,
    quadratic: Vec<([usize; 3], f64)>,
) -> Vec<Constraint> {
    let mut rows: Vec<Constraint> = lower
        .into_iter()
        .zip(upper)
        .map(|(lower, upper)| Constraint {
            lower,
            upper,
            linear: Vec::new(),
            quadratic: Vec::new(),
        })
        .collect();
    for ([i, j], a) in linear {
        rows[i].linear.push((j, a));
    }
    for ([i, row, col], value) in quadratic {
        rows[i].quadratic.push(QuadTerm { row, col, value });
    }
    rows
}

/// At most 40 characters of `text`, for messages: fuzzed or binary junk can be long.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

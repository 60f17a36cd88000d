//! Reader tests: (1) every stored QPLIB instance against `catalog.csv` — or, when the full
//! sets are absent, generated instances with known counts — and the shipped smoke instances
//! against the shipped catalog; (2) a golden file that covers every
//! section; (3) one test per class of bad input.

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use aocbench::model::{Constraint, Instance, QuadTerm, Sense, VarType, objective};
use aocbench::benchmark::SMOKE;
use aocbench::qplib::{
    Catalog, CatalogEntry, QplibError, find_instance, instance_dir, instance_set, parse_instance,
    read_instance, shipped_catalog_dir, shipped_dir,
};
use flate2::Compression;
use flate2::write::GzEncoder;
use qplib_common::{Generated, Kind, catalog_csv, generate, inconsistency};

// ---------------------------------------------------------------------------------------
// (1) whole sets against the catalog

/// What the catalog states about a file, in comparable form.
fn counts_of(e: &CatalogEntry) -> (String, [usize; 7], Sense) {
    let sizes = [
        e.n_vars,
        e.n_binary,
        e.n_constraints,
        e.n_nonzeros_quadratic,
        e.n_quadratic_diagonal,
        e.n_linear_objective_terms,
        e.n_constraint_nonzeros,
    ];
    (e.file_type.clone(), sizes, e.objective_sense)
}

fn counts_found(i: &Instance) -> (String, [usize; 7], Sense) {
    let sizes = [
        i.n_vars(),
        i.n_binary(),
        i.n_constraints(),
        i.objective_quadratic.len(),
        i.n_diagonal(),
        i.objective_linear.iter().filter(|b| **b != 0.0).count(),
        i.n_constraint_nonzeros(),
    ];
    (i.type_code.clone(), sizes, i.sense)
}

/// Parses every file of `dir/qbl` and `dir/qbn` and checks it against `dir/catalog.csv`;
/// returns the parsed instances.
fn check_folder(dir: &Path) -> Vec<Instance> {
    let catalog = Catalog::load(dir).expect("catalog.csv must load");
    let mut files = instance_set(dir, "qbl").expect("qbl set");
    files.extend(instance_set(dir, "qbn").expect("qbn set"));
    if catalog.entries().is_empty() {
        eprintln!(
            "!!! {} has no catalog.csv: counts are not checked, only parsing",
            dir.display()
        );
    } else {
        assert_eq!(
            files.len(),
            catalog.entries().len(),
            "one file per catalog row in {}",
            dir.display()
        );
    }
    let started = Instant::now();
    let instances: Vec<Instance> = files
        .iter()
        .map(|path| read_instance(path).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    eprintln!("parsed {} files in {:.2?}", files.len(), started.elapsed());
    for instance in &instances {
        assert_eq!(inconsistency(instance), None, "{}", instance.name);
        if let Some(entry) = catalog.get(&instance.name) {
            assert_eq!(
                counts_found(instance),
                counts_of(entry),
                "{}",
                instance.name
            );
        } else {
            assert!(
                catalog.entries().is_empty(),
                "{} is not in the catalog",
                instance.name
            );
        }
    }
    instances
}

/// A QPLIB-like folder of generated instances (two of each kind, one of each gzipped) with
/// its catalog; returns what was generated.
fn write_generated_folder(dir: &Path) -> Vec<Generated> {
    let plan = [(Kind::Qbl, "qbl"), (Kind::Qml, "qbl"), (Kind::Qbb, "qbn")];
    let mut generated = Vec::new();
    for (k, (kind, set)) in plan.iter().cycle().take(2 * plan.len()).enumerate() {
        let g = generate(&format!("GEN_{k:04}"), *kind, k as u64);
        let folder = dir.join(set);
        fs::create_dir_all(&folder).unwrap();
        if k < plan.len() {
            fs::write(folder.join(format!("GEN_{k:04}.qplib")), &g.text).unwrap();
        } else {
            let mut gz = GzEncoder::new(Vec::new(), Compression::default());
            gz.write_all(g.text.as_bytes()).unwrap();
            fs::write(
                folder.join(format!("GEN_{k:04}.qplib.gz")),
                gz.finish().unwrap(),
            )
            .unwrap();
        }
        generated.push(g);
    }
    let entries: Vec<&CatalogEntry> = generated.iter().map(|g| &g.entry).collect();
    fs::write(dir.join("catalog.csv"), catalog_csv(&entries)).unwrap();
    generated
}

fn check_generated_folder() {
    let dir = tempfile::tempdir().unwrap();
    let generated = write_generated_folder(dir.path());
    assert_eq!(instance_dir(Some(dir.path())).unwrap(), dir.path());
    let instances = check_folder(dir.path());
    assert_eq!(instances.len(), generated.len());
    for g in &generated {
        let path = find_instance(dir.path(), &g.entry.name).unwrap();
        let instance = read_instance(&path).unwrap();
        let at_ones = objective(&instance, &vec![1.0; instance.n_vars()]);
        assert_eq!(at_ones, g.objective_at_ones, "{}", g.entry.name);
    }
}

#[test]
fn every_instance_matches_the_catalog() {
    let dir = match instance_dir(None) {
        Ok(dir) if dir != shipped_dir() => dir,
        found => {
            eprintln!(
                "\n!!!!!!!! full QPLIB sets not found — running on generated instances instead (the shipped \
                 smoke instances are checked by shipped_instances_are_the_smoke_set_and_match_the_catalog) \
                 !!!!!!!!\n{found:?}\n"
            );
            return check_generated_folder();
        }
    };
    let instances = check_folder(&dir);
    if let Some(qplib_0067) = instances.iter().find(|i| i.name == "QPLIB_0067") {
        check_qplib_0067(qplib_0067, &Catalog::load(&dir).unwrap());
    }
}

/// Values of QPLIB_0067 worked out by hand, and its proven optimum in the catalog.
fn check_qplib_0067(qplib_0067: &Instance, catalog: &Catalog) {
    // x = 0 gives the constant; x = e1 + e2 picks the single entry `2 1 -182.0`, which by
    // QPLIB's ½ convention contributes -91 (the .lp twin says `-91 x1 x2`); x = 1 gives half
    // the sum of all listed values (summed independently with awk over the file).
    let n = qplib_0067.n_vars();
    assert_eq!(objective(qplib_0067, &vec![0.0; n]), 0.0);
    let mut x = vec![0.0; n];
    x[..2].fill(1.0);
    assert_eq!(objective(qplib_0067, &x), -91.0);
    assert_eq!(objective(qplib_0067, &vec![1.0; n]), -141_563.0);
    let entry = catalog
        .get("QPLIB_0067")
        .expect("QPLIB_0067 in the catalog");
    assert_eq!(
        (entry.best_known_objective, entry.optimal),
        (Some(-110_942.0), true)
    );
}

/// The files that ship with the project: exactly the smoke set, each matching its row of the
/// shipped catalog, which covers both full sets and carries QPLIB's newest best-knowns.
#[test]
fn shipped_instances_are_the_smoke_set_and_match_the_catalog() {
    let dir = shipped_dir();
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut names: Vec<String> = files
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut smoke: Vec<String> = SMOKE.map(String::from).to_vec();
    smoke.sort();
    assert_eq!(names, smoke, "qplib/smoke holds exactly the smoke set");

    let catalog = Catalog::load(&shipped_catalog_dir()).expect("the shipped catalog loads");
    assert_eq!(catalog.entries().len(), 96 + 23, "one row per QBL and QBN instance");
    for path in &files {
        let instance = read_instance(path).unwrap_or_else(|e| panic!("{e}"));
        let entry = catalog.get(&instance.name).expect("every shipped instance has a row");
        assert_eq!(counts_found(&instance), counts_of(entry), "{}", instance.name);
        assert!(entry.best_known_objective.is_some(), "{}", instance.name);
        if instance.name == "QPLIB_0067" {
            check_qplib_0067(&instance, &catalog);
        }
    }
    // QPLIB's table of 2025-10-02 improved these five (qplib/README.md).
    for (name, best_known) in [
        ("QPLIB_2880", 1_172_056.0),
        ("QPLIB_3347", 3_818_879.0),
        ("QPLIB_3584", -25_386.0),
        ("QPLIB_3709", 5_710_645.0),
        ("QPLIB_3860", -20_161.0),
    ] {
        assert_eq!(catalog.best_known(name), Some(best_known), "{name}");
    }
}

#[test]
fn generated_instances_match_their_counts() {
    check_generated_folder();
}

// ---------------------------------------------------------------------------------------
// (2) golden file

const FILE: &str = "golden.qplib";

/// Every section, with non-default values everywhere. Tags like `#t:` mark the lines that
/// the bad-input tests edit.
const GOLDEN: &str = "\
# A hand-written QGQ instance: every section of the format.
GOLDEN_QGQ
QGQ # problem type
Minimize # RAL files capitalise the sense
4 # number of variables
3 # number of constraints

4 # number of quadratic terms in objective
1 1 2.0
1 2 -3.0 # upper triangle, as the RAL files write it: entry (2, 1)
4 3 1.5 #t:obj-last
3 3 -0.5
1.0 # default value for linear coefficients in objective
2 # number of non-default linear coefficients in objective
2 0.0
4 -2.5
7.25 # objective constant
3 # number of quadratic terms in all constraints
1 1 1 2.0
2 2 4 -1.0 # upper triangle: entry (4, 2) of constraint 2
2 3 3 0.5 #t:cq-last
5 # number of linear terms in all constraints
1 1 1.0
1 4 2.0
2 2 -1.0
3 3 1.0
3 1 -4.0 #t:lin-last
1.0E19 # value for infinity
-1.0E20 # default left-hand-side value
1 # number of non-default left-hand-sides
3 2.0
1.0E19 # default right-hand-side value
2 # number of non-default right-hand-sides
1 10.0
3 2.0
0.0 # default variable lower bound value
2 # number of non-default variable lower bounds
3 -1.0E19
4 -2.0 #t:lb-last
1.0 # default variable upper bound value
2 # number of non-default variable upper bounds
3 2.0E19
4 3.0
0 # default variable type
2 # number of non-default variable types
1 1 #t:type-first
4 1 #t:type-last
0.5 # default variable primal value in starting point
1 # number of non-default variable primal values in starting point
4 -1.0 #t:start
0.0 # default constraint dual value in starting point
1 # number of non-default constraint dual values in starting point
2 0.25
0.0 # default variable bound dual value in starting point
1 # number of non-default variable bound dual values in starting point
3 1.5
2 # number of non-default variable names
4 y_last
1 x_first #t:name-last
1 # number of non-default constraint names
2 budget
";

fn golden_instance() -> Instance {
    let (inf, term) = (f64::INFINITY, |row, col, value| QuadTerm {
        row,
        col,
        value,
    });
    let row = |lower, upper, linear, quadratic| Constraint {
        lower,
        upper,
        linear,
        quadratic,
    };
    Instance {
        name: "GOLDEN_QGQ".into(),
        type_code: "QGQ".into(),
        sense: Sense::Minimize,
        objective_quadratic: vec![
            term(0, 0, 2.0),
            term(1, 0, -3.0),
            term(2, 2, -0.5),
            term(3, 2, 1.5),
        ],
        objective_linear: vec![1.0, 0.0, 1.0, -2.5],
        objective_constant: 7.25,
        constraints: vec![
            row(-inf, 10.0, vec![(0, 1.0), (3, 2.0)], vec![term(0, 0, 2.0)]),
            row(
                -inf,
                inf,
                vec![(1, -1.0)],
                vec![term(2, 2, 0.5), term(3, 1, -1.0)],
            ),
            row(2.0, 2.0, vec![(0, -4.0), (2, 1.0)], vec![]),
        ],
        infinity: 1.0e19,
        var_lower: vec![0.0, 0.0, -inf, -2.0],
        var_upper: vec![1.0, 1.0, inf, 3.0],
        // x1: integer in [0, 1] → binary; x2: continuous in [0, 1] stays continuous.
        var_types: vec![
            VarType::Binary,
            VarType::Continuous,
            VarType::Continuous,
            VarType::Integer,
        ],
        start_primal: vec![0.5, 0.5, 0.5, -1.0],
        start_constraint_dual: vec![0.0, 0.25, 0.0],
        start_bound_dual: vec![0.0, 0.0, 1.5, 0.0],
        var_names: vec![(0, "x_first".into()), (3, "y_last".into())],
        constraint_names: vec![(1, "budget".into())],
    }
}

fn parse(text: &str) -> Result<Instance, QplibError> {
    parse_instance(FILE, text.as_bytes())
}

#[test]
fn golden_file_parses_to_every_expected_field() {
    let instance = parse(GOLDEN).unwrap();
    assert_eq!(instance, golden_instance());
    assert_eq!(inconsistency(&instance), None);
    // ½ convention: x = (1, 1, 0, 0) gives ½·(2 − 3) + (1 + 0) + 7.25.
    assert_eq!(objective(&instance, &[1.0, 1.0, 0.0, 0.0]), 7.75);
}

#[test]
fn golden_file_reads_the_same_with_crlf_lines_and_from_gzip() {
    assert_eq!(
        parse(&GOLDEN.replace('\n', "\r\n")).unwrap(),
        golden_instance()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(GOLDEN.as_bytes()).unwrap();
    let compressed = gz.finish().unwrap();
    // Gzip is recognised by content, whatever the name.
    for name in ["golden.qplib.gz", "golden.qplib"] {
        fs::write(dir.path().join(name), &compressed).unwrap();
        assert_eq!(
            read_instance(&dir.path().join(name)).unwrap(),
            golden_instance()
        );
    }
}

#[test]
fn infinite_bounds_may_be_written_as_inf() {
    let text = with_line(GOLDEN, "#t:lb-last", "4 -inf");
    let text = with_line(&text, "1.0E19 # value for infinity", "infinity");
    let instance = parse(&text).unwrap();
    assert_eq!(instance.infinity, f64::INFINITY);
    assert_eq!(instance.var_lower[3], f64::NEG_INFINITY);
    // 1.0E19 is no longer infinite once infinity itself is.
    assert_eq!(instance.var_upper[2], 2.0e19);
}

#[test]
fn binary_file_has_implicit_bounds_and_no_type_section() {
    let text = "QUBO\nQBB\nmaximize\n2 # n\n1 # nQ\n2 1 4.0\n0.0\n1\n1 -1.0\n0.0\n1.0E19\n0.0\n0\n0.0\n0\n0\n0\n";
    let instance = parse(text).unwrap();
    assert_eq!(instance.var_types, vec![VarType::Binary; 2]);
    assert_eq!(
        (instance.var_lower, instance.var_upper),
        (vec![0.0; 2], vec![1.0; 2])
    );
    assert_eq!(
        (instance.sense, instance.constraints.len()),
        (Sense::Maximize, 0)
    );
    assert_eq!(instance.objective_linear, vec![-1.0, 0.0]);
}

// ---------------------------------------------------------------------------------------
// (2b) the grammar of QPLIB's reference reader (GALAHAD's read_qplib)

#[test]
fn free_text_after_the_values_needs_no_hash() {
    let galahad = GOLDEN.replace(" # ", "      ");
    assert!(galahad.contains("4      number of variables"));
    assert_eq!(parse(&galahad).unwrap(), golden_instance());
    // The name and the names are the first token of their line.
    let text = with_line(GOLDEN, "GOLDEN_QGQ", "GOLDEN_QGQ    ILOG golden.lp with n = 4, m = 3");
    let text = with_line(&text, "4 y_last", "4 y_last the last variable");
    assert_eq!(parse(&text).unwrap(), golden_instance());
}

#[test]
fn comment_lines_and_blank_lines_are_skipped_and_lines_still_count() {
    let comments = "! a comment\n% another\n| and another\n   # indented\n\n";
    let text = with_line(GOLDEN, "# objective constant", &format!("{comments}7.25 # objective constant"));
    assert_eq!(parse(&text).unwrap(), golden_instance());
    let bad = with_line(GOLDEN, "# objective constant", &format!("{comments}7,25"));
    assert_rejected(&bad, line_of(GOLDEN, "# objective constant") + 5, "expected a number for the objective constant");
}

#[test]
fn keywords_and_type_codes_may_be_in_any_case() {
    let text = with_line(GOLDEN, "QGQ # problem type", "qgq");
    let text = with_line(&text, "Minimize", "MINIMIZE");
    let instance = parse(&text).unwrap();
    assert_eq!(instance, golden_instance());
    assert_eq!(instance.type_code, "QGQ");
}

#[test]
fn variable_type_2_is_binary_with_bounds_0_1() {
    let instance = parse(&with_line(GOLDEN, "#t:type-last", "4 2")).unwrap();
    assert_eq!(instance.var_types[3], VarType::Binary);
    assert_eq!((instance.var_lower[3], instance.var_upper[3]), (0.0, 1.0), "type 2 overrides the bounds [-2, 3]");
}

#[test]
fn integers_with_bounds_inside_0_1_are_binaries_fixed_or_free() {
    for (lower, upper, binary) in [("1 1.0", "1 1.0", true), ("1 0.0", "1 0.0", true), ("1 0.0", "1 1.0", true), ("1 0.0", "1 2.0", false), ("1 -1.0", "1 1.0", false)] {
        let text = with_line(GOLDEN, "# number of non-default variable lower bounds", "3 # number of non-default variable lower bounds");
        let text = with_line(&text, "#t:lb-last", &format!("4 -2.0\n{lower}"));
        let text = with_line(&text, "# number of non-default variable upper bounds", "3 # number of non-default variable upper bounds");
        let text = with_line(&text, "4 3.0", &format!("4 3.0\n{upper}"));
        let instance = parse(&text).unwrap();
        let expected = if binary { VarType::Binary } else { VarType::Integer };
        assert_eq!(instance.var_types[0], expected, "bounds {lower} / {upper}");
    }
}

#[test]
fn a_number_after_the_values_is_an_error_not_a_comment() {
    assert_line_rejected("#t:obj-last", "4 3 1.5 2.5", "expected entry 3 of the 4 quadratic terms in objective (`i j v`), found \"4 3 1.5 2.5\"");
    assert_line_rejected("# objective constant", "7.25 -1", "expected the objective constant, found \"7.25 -1\"");
    assert_line_rejected("# objective constant", "7.25 .5", "found \"7.25 .5\"");
}

#[test]
fn coefficients_beyond_1e20_are_refused_with_their_line() {
    assert_line_rejected("#t:obj-last", "4 3 1e160", "expected a coefficient of magnitude at most 1e20 for the quadratic terms in objective, found \"1e160\"");
    assert_line_rejected("#t:lin-last", "3 1 -2e20", "for the linear terms in all constraints, found \"-2e20\"");
    assert_line_rejected("# objective constant", "1e21", "for the objective constant");
    // Bounds may be huge: beyond the value for infinity they are infinite.
    assert_eq!(parse(&with_line(GOLDEN, "#t:lb-last", "4 -1e300")).unwrap().var_lower[3], f64::NEG_INFINITY);
}

// ---------------------------------------------------------------------------------------
// (3) bad input: each error names the file, the right line and the problem

/// 1-based number of the only line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "needle {needle:?} must match exactly one line"
    );
    hits[0]
}

/// `text` with the line containing `needle` replaced by `new`.
fn with_line(text: &str, needle: &str, new: &str) -> String {
    let target = line_of(text, needle);
    let lines: Vec<&str> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == target { new } else { l })
        .collect();
    lines.join("\n") + "\n"
}

fn assert_rejected(text: &str, line: usize, phrase: &str) {
    let message = parse(text)
        .expect_err("bad input must be rejected")
        .to_string();
    assert!(
        message.starts_with(&format!("{FILE}:{line}: ")),
        "wrong place: {message}"
    );
    assert!(message.contains(phrase), "{phrase:?} not in: {message}");
}

/// Replaces the line containing `needle` and expects an error on that same line.
fn assert_line_rejected(needle: &str, new: &str, phrase: &str) {
    assert_rejected(
        &with_line(GOLDEN, needle, new),
        line_of(GOLDEN, needle),
        phrase,
    );
}

#[test]
fn truncated_file_is_unexpected_end_of_file() {
    let cut = line_of(GOLDEN, "# value for infinity");
    let text: String = GOLDEN.lines().take(cut).map(|l| format!("{l}\n")).collect();
    assert_rejected(
        &text,
        cut + 1,
        "unexpected end of file: expected the default value of the left-hand sides",
    );
    let text: String = GOLDEN
        .lines()
        .take(line_of(GOLDEN, "1 2 -3.0"))
        .map(|l| format!("{l}\n"))
        .collect();
    let eof = text.lines().count() + 1;
    assert_rejected(
        &text,
        eof,
        "expected entry 3 of the 4 quadratic terms in objective (`i j v`)",
    );
    assert_rejected("", 1, "unexpected end of file: expected the problem name");
}

#[test]
fn wrong_counts_are_reported_with_the_count_line() {
    let count = line_of(GOLDEN, "# number of quadratic terms in objective");
    let default = line_of(GOLDEN, "# default value for linear coefficients");
    let too_many = with_line(GOLDEN, "# number of quadratic terms in objective", "5");
    assert_rejected(
        &too_many,
        default,
        &format!("found \"1.0\" (does the count on line {count} match"),
    );
    let too_few = with_line(GOLDEN, "# number of quadratic terms in objective", "3");
    assert_rejected(
        &too_few,
        default - 1,
        &format!("found \"3 3 -0.5\" (does the count on line {count} match"),
    );
    let needle = "# number of non-default linear coefficients";
    assert_line_rejected(
        needle,
        "5",
        "expected the number of non-default linear coefficients in objective (a count in 0..=4), found \"5\"",
    );
    assert_line_rejected(needle, "-1", "(a count in 0..=4), found \"-1\"");
    assert_line_rejected(
        "# number of variables",
        "4 5",
        "expected the number of variables, found \"4 5\"",
    );
    assert_line_rejected(
        "# number of variables",
        "99999999999",
        "(a count in 0..=10000000)",
    );
}

#[test]
fn index_out_of_range_is_rejected() {
    assert_line_rejected(
        "#t:obj-last",
        "5 3 1.5",
        "expected a variable index in 1..=4, found \"5\"",
    );
    assert_line_rejected(
        "#t:obj-last",
        "0 3 1.5",
        "expected a variable index in 1..=4, found \"0\"",
    );
    assert_line_rejected(
        "#t:lin-last",
        "4 1 -4.0",
        "expected a constraint index in 1..=3, found \"4\"",
    );
    assert_line_rejected(
        "#t:name-last",
        "7 x",
        "expected a variable index in 1..=4, found \"7\"",
    );
}

#[test]
fn duplicated_entries_are_rejected() {
    let first = |needle| line_of(GOLDEN, needle);
    let cases = [
        (
            "#t:obj-last",
            "2 1 5.0",
            "(2, 1) in the quadratic terms in objective",
            first("1 2 -3.0"),
        ),
        (
            "#t:cq-last",
            "2 4 2 0.5",
            "(2, 4, 2) in the quadratic terms in all constraints",
            first("2 2 4 -1.0"),
        ),
        (
            "#t:lin-last",
            "1 4 9.0",
            "(1, 4) in the linear terms in all constraints",
            first("1 4 2.0"),
        ),
        (
            "#t:lb-last",
            "3 -2.0",
            "(3) in the non-default variable lower bounds",
            first("3 -1.0E19"),
        ),
        (
            "#t:type-last",
            "1 1",
            "(1) in the non-default variable types",
            first("#t:type-first"),
        ),
        (
            "#t:name-last",
            "4 again",
            "(4) in the variable names",
            first("4 y_last"),
        ),
    ];
    for (needle, new, phrase, first_line) in cases {
        let phrase = format!("duplicate entry {phrase} (first given on line {first_line})");
        assert_line_rejected(needle, new, &phrase);
    }
    let start = with_line(
        GOLDEN,
        "# number of non-default variable primal values",
        "2",
    );
    let start = with_line(&start, "#t:start", "4 -1.0\n4 3.0");
    assert_rejected(
        &start,
        line_of(GOLDEN, "#t:start") + 1,
        "duplicate entry (4) in the non-default variable primal values",
    );
}

#[test]
fn non_numbers_are_rejected() {
    assert_line_rejected(
        "# objective constant",
        "7,25",
        "expected a number for the objective constant, found \"7,25\"",
    );
    assert_line_rejected(
        "#t:obj-last",
        "4 3 x",
        "expected a number for the quadratic terms in objective, found \"x\"",
    );
    assert_line_rejected(
        "#t:obj-last",
        "4 three 1.5",
        "expected a variable index in 1..=4, found \"three\"",
    );
}

#[test]
fn unknown_type_code_and_sense_are_rejected() {
    assert_line_rejected("# problem type", "QXQ", "unknown problem type");
    assert_line_rejected("# problem type", "QGQQ", "found \"QGQQ\"");
    assert_line_rejected(
        "Minimize",
        "minimise",
        "unknown objective sense: expected minimize or maximize, found \"minimise\"",
    );
    // A second sense is not a comment: which one was meant is unknowable.
    assert_line_rejected("Minimize", "minimize maximize", "names more than one sense: \"minimize maximize\"");
    assert_line_rejected("Minimize", "MAXIMIZE Minimize # both", "names more than one sense");
    let commented = with_line(GOLDEN, "Minimize", "minimize # not maximize");
    assert_eq!(parse(&commented).unwrap(), golden_instance(), "a sense word in the comment is a comment");
    assert_line_rejected(
        "#t:type-last",
        "4 3",
        "unknown variable type: expected 0 (continuous), 1 (integer) or 2 (binary), found \"3\"",
    );
}

#[test]
fn nan_is_rejected_everywhere() {
    assert_line_rejected("#t:obj-last", "4 3 NaN", "found NaN");
    assert_line_rejected(
        "#t:lb-last",
        "4 nan",
        "expected a number for the variable lower bounds, found NaN",
    );
    assert_line_rejected("# value for infinity", "NaN", "found NaN");
}

#[test]
fn infinity_is_rejected_outside_bounds() {
    assert_line_rejected(
        "#t:obj-last",
        "4 3 1e999",
        "expected a finite number for the quadratic terms in objective, found \"1e999\"",
    );
    assert_line_rejected(
        "#t:start",
        "4 -inf",
        "expected a finite number for the variable primal values in starting point",
    );
    assert_line_rejected(
        "# objective constant",
        "inf",
        "expected a finite number for the objective constant",
    );
    assert_line_rejected(
        "# value for infinity",
        "-1.0E19",
        "expected a positive value for infinity",
    );
}

#[test]
fn trailing_garbage_is_rejected() {
    let text = format!("{GOLDEN}\n# a comment is fine\n3 extra\n");
    assert_rejected(
        &text,
        GOLDEN.lines().count() + 3,
        "trailing garbage after the last section: expected end of file, found \"3 extra\"",
    );
}

#[test]
fn bytes_that_are_not_utf8_count_in_a_value_only() {
    let line = line_of(GOLDEN, "# objective constant");
    let offset: usize = GOLDEN.lines().take(line - 1).map(|l| l.len() + 1).sum();
    let with_byte = |at: usize| {
        let mut bytes = GOLDEN.as_bytes().to_vec();
        bytes.insert(at, 0xff);
        bytes
    };
    // In the value: not a number, with its line.
    let message = parse_instance(FILE, &with_byte(offset + 2)).unwrap_err().to_string();
    assert!(message.starts_with(&format!("{FILE}:{line}: ")) && message.contains("expected a number"), "{message}");
    // In the comment after it, and in a comment line with a byte-order mark before the file:
    // read as the file without them.
    let golden = parse_instance(FILE, GOLDEN.as_bytes()).unwrap();
    let comment = GOLDEN.lines().nth(line - 1).unwrap().find('#').unwrap();
    assert_eq!(parse_instance(FILE, &with_byte(offset + comment + 3)).unwrap(), golden);
    let mut marked = b"\xef\xbb\xbf! caf\xe9\n".to_vec();
    marked.extend_from_slice(GOLDEN.as_bytes());
    assert_eq!(parse_instance(FILE, &marked).unwrap(), golden);
    // Before the name line: the mark is no part of the name, nor of an error's text.
    assert_eq!(parse_instance(FILE, format!("\u{feff}{GOLDEN}").as_bytes()).unwrap(), golden);
    let message = parse_instance(FILE, "\u{feff}x y\n".as_bytes()).unwrap_err().to_string();
    assert!(message.starts_with(&format!("{FILE}:")) && !message.contains('\u{feff}'), "{message}");
}

#[test]
fn trailing_words_that_start_with_a_digit_are_comments_and_fortran_exponents_are_numbers() {
    let golden = parse_instance(FILE, GOLDEN.as_bytes()).unwrap();
    let replaced = |with: &str| with_line(GOLDEN, "# objective constant", with);
    assert_eq!(parse_instance(FILE, replaced("7.25 1st constant").as_bytes()).unwrap(), golden);
    // A second number after the value is still refused: a count too small leaves one behind.
    assert!(parse_instance(FILE, replaced("7.25 2.5").as_bytes()).is_err());
    let fortran = parse_instance(FILE, replaced("1.5D1 # objective constant").as_bytes()).unwrap();
    assert_eq!(fortran.objective_constant, 15.0);
}

#[test]
fn io_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("QPLIB_9999.qplib");
    let message = read_instance(&missing).unwrap_err().to_string();
    assert!(
        message.starts_with(&missing.display().to_string()),
        "{message}"
    );
    let corrupt = dir.path().join("corrupt.qplib.gz");
    fs::write(&corrupt, [0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]).unwrap();
    let error = read_instance(&corrupt).unwrap_err();
    assert!(matches!(error, QplibError::Container { .. }), "{error}");
    // Said once: the container's message carries the decoder's, with no source repeating it.
    let message = format!("{:#}", anyhow::Error::from(error));
    assert_eq!(message, format!("{}: not a readable gzip file: unexpected end of file", corrupt.display()));
}

// ---------------------------------------------------------------------------------------
// lookup helpers

#[test]
fn instances_are_found_by_name_number_or_path() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("qbn")).unwrap();
    let plain = dir.path().join("qbn/QPLIB_0067.qplib");
    fs::write(&plain, GOLDEN).unwrap();
    fs::write(dir.path().join("qbn/QPLIB_0067.qplib.gz"), b"").unwrap();
    fs::write(dir.path().join("QPLIB_10040.qplib.gz"), b"").unwrap();
    for name in ["QPLIB_0067", "0067", "67", "QPLIB_0067.qplib"] {
        assert_eq!(find_instance(dir.path(), name).unwrap(), plain, "{name}");
    }
    let path = plain.display().to_string();
    assert_eq!(
        find_instance(Path::new("/nonexistent"), &path).unwrap(),
        plain
    );
    assert_eq!(
        find_instance(dir.path(), "10040").unwrap(),
        dir.path().join("QPLIB_10040.qplib.gz")
    );
    let message = find_instance(dir.path(), "1234").unwrap_err().to_string();
    assert!(
        message.contains("QPLIB_1234 not found") && message.contains("qbl/QPLIB_1234.qplib.gz"),
        "{message}"
    );
    // The gzipped twin is not listed a second time.
    assert_eq!(instance_set(dir.path(), "qbn").unwrap(), vec![plain]);
    assert!(instance_set(dir.path(), "qbl").is_err());
    assert!(
        instance_set(dir.path(), "lmq")
            .unwrap_err()
            .to_string()
            .contains("expected qbl or qbn")
    );
}

#[test]
fn a_folder_that_holds_no_instances_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let message = instance_dir(Some(dir.path())).unwrap_err().to_string();
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("holds no qbl/, qbn/ or .qplib file"),
        "{message}"
    );
    assert!(message.contains("scripts/download_qplib.sh"), "{message}");
    fs::write(dir.path().join("x.qplib"), GOLDEN).unwrap();
    assert_eq!(instance_dir(Some(dir.path())).unwrap(), dir.path());
}

#[test]
fn malformed_catalog_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Catalog::load(dir.path()).unwrap().entries().is_empty());
    let g = generate("GEN", Kind::Qbl, 1);
    let mut csv = catalog_csv(&[&g.entry]);
    csv.push_str("BAD,QBL,QBL,x,1,1,1,0,0,1,min,,unknown\n");
    fs::write(dir.path().join("catalog.csv"), csv).unwrap();
    let message = Catalog::load(dir.path()).unwrap_err().to_string();
    assert!(message.contains("catalog.csv:3:"), "{message}");
    // Rows that end in a quoted field (as the shipped catalog's do) are counted as lines too.
    let quoted = "name,class,file_type,n_vars,n_binary,n_constraints,n_nonzeros_quadratic,n_quadratic_diagonal,n_linear_objective_terms,n_constraint_nonzeros,objective_sense,best_known_objective,optimal,source\n\
        A,QBL,QBL,1,1,0,1,1,0,0,min,1,yes,\"a, b\"\n\
        B,QBL,QBL,1,1,0,1,1,0,0,min,2,yes,\"c\"\n\
        B,QBL,QBL,1,1,0,1,1,0,0,min,2,yes,\"d\"\n";
    fs::write(dir.path().join("catalog.csv"), quoted).unwrap();
    let message = Catalog::load(dir.path()).unwrap_err().to_string();
    assert!(message.contains("catalog.csv:4: duplicate instance B"), "{message}");
}

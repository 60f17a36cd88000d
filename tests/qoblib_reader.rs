//! QOBLIB's `.qs` files: the reader's conventions against brute force and against QOBLIB's own
//! solution files (judged by `model::objective`), every file against the catalog, and the
//! errors for malformed files.
//!
//! The full classes are reached through `$AOCBENCH_QOBLIB_DIR` (a QOBLIB checkout; a wrong
//! place fails the tests); without it the tests run on the smoke files shipped in
//! `qoblib/smoke` and on the solutions of those instances written out below.

use std::path::{Path, PathBuf};

use aocbench::model::{feasibility, objective, Sense};
use aocbench::qoblib::{self, parse_qs, read_qs, QoblibClass};
use aocbench::qplib::Catalog;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/qoblib");

/// The QOBLIB folder under test and whether it is a full checkout (`$AOCBENCH_QOBLIB_DIR`).
fn qoblib_root() -> (PathBuf, bool) {
    match std::env::var_os("AOCBENCH_QOBLIB_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            for class in QoblibClass::ALL {
                assert!(dir.join(class.folder()).is_dir(), "AOCBENCH_QOBLIB_DIR={}: no {} (not a QOBLIB checkout)", dir.display(), class.folder());
            }
            (dir, true)
        }
        None => (Path::new(SHIPPED).join("smoke"), false),
    }
}

fn shipped(name: &str) -> PathBuf {
    qoblib::find_instance(&Path::new(SHIPPED).join("smoke"), name).unwrap()
}

fn catalog() -> Catalog {
    Catalog::load(Path::new(SHIPPED)).unwrap()
}

/// The minimum objective over all 2ⁿ binary points.
fn brute_force_minimum(path: &Path) -> f64 {
    let instance = qoblib::read_instance(path).unwrap();
    let n = instance.n_vars();
    assert!(n <= 20, "{n} variables is too many to enumerate");
    (0u32..1 << n)
        .map(|bits| {
            let x: Vec<f64> = (0..n).map(|j| f64::from((bits >> j) & 1)).collect();
            objective(&instance, &x)
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn labs_minimum_energies_by_brute_force_are_the_labs_optima() {
    // LABS optima: E(2) = 1, E(5) = 2 (Σₖ Cₖ² over the best sequence).
    assert_eq!(brute_force_minimum(&shipped("labs002")), 1.0);
    assert_eq!(brute_force_minimum(&shipped("labs005")), 2.0);
}

/// Values of a solution file after its `#` comment lines, whitespace-separated.
fn values(text: &str) -> Vec<f64> {
    text.lines().filter(|l| !l.trim_start().starts_with('#')).flat_map(str::split_whitespace).map(|v| v.parse().unwrap()).collect()
}

/// (instance name, solution text) of every solution file of `top`'s `solutions/` with `suffixes`.
fn solution_files(root: &Path, top: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(root.join(top).join("solutions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().unwrap().ends_with(".sol"))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().split('.').next().unwrap().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no solution files in {top}/solutions");
    files
}

const MS_03_050_002: &str = "1 0 0 0 1 0 0 0 0 1 1 1 0 1 1 1 1 0 0 1\n";
const C125_9: &str = "# Objective value = 34\n5\n7\n9\n11\n19\n25\n29\n31\n34\n40\n44\n45\n49\n52\n54\n55\n66\n67\n68\n70\n77\n79\n80\n82\n96\n98\n103\n104\n110\n114\n117\n121\n122\n125\n";
const LABS005: &str = "# Energy: 2\n# Consecutive entries: 113\n0\n1\n0\n0\n0\n";
const LABS010: &str = "# Energy: 13\n# Consecutive entries: 111124\n1\n0\n1\n0\n1\n1\n0\n0\n0\n0\n";

#[test]
fn every_market_split_solution_has_energy_zero() {
    let (root, full) = qoblib_root();
    let solutions = if full { solution_files(&root, "01-marketsplit") } else { vec![("ms_03_050_002".to_string(), MS_03_050_002.to_string())] };
    for (name, text) in &solutions {
        let instance = qoblib::read_instance(&qoblib::find_instance(&root, name).unwrap()).unwrap();
        let x = values(text);
        assert_eq!(objective(&instance, &x), 0.0, "{name}");
        assert!(feasibility(&instance, &x).feasible, "{name}");
    }
    if full {
        assert_eq!(solutions.len(), 115, "market split solution files at the pinned commit");
    }
}

/// `(our value, proven)` of each instance in a class's solutions/README.md table.
fn stated_values(root: &Path, top: &str) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(root.join(top).join("solutions/README.md")).unwrap();
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
            let value = cells.get(1)?.trim_end_matches("\\*").trim_matches('*').parse().ok()?;
            Some((cells[0].to_string(), value))
        })
        .collect()
}

#[test]
fn every_independent_set_node_list_has_its_stated_size() {
    let (root, full) = qoblib_root();
    let (solutions, stated) = if full {
        (solution_files(&root, "07-independentset"), stated_values(&root, "07-independentset"))
    } else {
        (vec![("C125-9".to_string(), C125_9.to_string())], vec![("C125-9".to_string(), 34.0)])
    };
    // The solutions README spells two names otherwise than the files.
    let spelled = |name: &str| match name {
        "mammalia-kangaroo-interactions" => "mammalia-kangoroo-interactions".to_string(),
        "socfb-trinity100" => "socfb-rtinity100".to_string(),
        other => other.to_string(),
    };
    for (name, text) in &solutions {
        let instance = qoblib::read_instance(&qoblib::find_instance(&root, name).unwrap()).unwrap();
        assert_eq!(instance.sense, Sense::Maximize, "{name}");
        // A node list, 1-based (the ZIMPL model's V = 1..nodes).
        let nodes = values(text);
        let mut x = vec![0.0; instance.n_vars()];
        for node in &nodes {
            x[*node as usize - 1] = 1.0;
        }
        let size = stated.iter().find(|(n, _)| *n == spelled(name)).unwrap_or_else(|| panic!("{name} not in the README table")).1;
        assert_eq!(objective(&instance, &x), size, "{name}: the set of {} nodes", nodes.len());
        assert_eq!(nodes.len() as f64, size, "{name}");
        if let Some(line) = text.lines().find(|l| l.starts_with("# Objective value = ")) {
            assert_eq!(line["# Objective value = ".len()..].trim().parse::<f64>().unwrap(), size, "{name}");
        }
    }
    if full {
        assert_eq!(solutions.len(), 50, "independent set solution files at the pinned commit");
    }
}

/// The QUBO point of a LABS sequence `spins` (0/1): x₁…xₙ, then the auxiliary z[i,k] = xᵢ·x_{i+k}
/// in the ZIMPL model's order (`z[<i,k> in I*K with i <= n - k]`: i outer, k inner).
fn labs_point(spins: &[f64]) -> Vec<f64> {
    let n = spins.len();
    let mut x = spins.to_vec();
    for i in 0..n {
        for k in 1..n - i {
            x.push(spins[i] * spins[i + k]);
        }
    }
    x
}

#[test]
fn every_labs_solution_with_its_auxiliaries_has_its_stated_energy() {
    let (root, full) = qoblib_root();
    let solutions = if full { solution_files(&root, "02-labs") } else { vec![("labs005".to_string(), LABS005.to_string()), ("labs010".to_string(), LABS010.to_string())] };
    for (name, text) in &solutions {
        let instance = qoblib::read_instance(&qoblib::find_instance(&root, name).unwrap()).unwrap();
        let stated: f64 = text.lines().find_map(|l| l.strip_prefix("# Energy: ")).unwrap().trim().parse().unwrap();
        let spins = values(text);
        let x = labs_point(&spins);
        assert_eq!(x.len(), instance.n_vars(), "{name}: n + n(n−1)/2 variables");
        assert_eq!(objective(&instance, &x), stated, "{name}");
        // The auxiliaries matter: one set against its product costs the penalty.
        let mut wrong = x.clone();
        let last = wrong.len() - 1;
        wrong[last] = 1.0 - wrong[last];
        assert!(objective(&instance, &wrong) > stated, "{name}");
    }
    if full {
        assert_eq!(solutions.len(), 99, "LABS solution files at the pinned commit");
    }
}

#[test]
fn every_file_reads_and_matches_its_catalog_row() {
    let (root, full) = qoblib_root();
    let catalog = catalog();
    assert_eq!(catalog.entries().len(), 156 + 99 + 50);
    for (class, expected) in QoblibClass::ALL.into_iter().zip([156, 99, 50]) {
        let files = qoblib::class_set(&root, class).unwrap();
        if full {
            assert_eq!(files.len(), expected, "{}", class.name());
        }
        for path in files {
            let file = read_qs(&path).unwrap();
            let instance = &file.instance;
            let row = catalog.get(&instance.name).unwrap_or_else(|| panic!("{} has no catalog row", instance.name));
            assert_eq!(row.class, class.name());
            assert_eq!((row.n_vars, row.n_binary, row.n_constraints), (instance.n_vars(), instance.n_binary(), 0), "{}", instance.name);
            assert_eq!(row.n_nonzeros_quadratic, instance.objective_quadratic.len(), "{}", instance.name);
            assert_eq!(row.n_linear_objective_terms, instance.objective_linear.iter().filter(|b| **b != 0.0).count(), "{}", instance.name);
            assert_eq!(row.objective_sense, instance.sense, "{}", instance.name);
            assert_eq!(row.file_type, instance.type_code);
            assert!(file.nnz >= row.n_nonzeros_quadratic, "{}", instance.name);
            catalog.check(instance, &path).unwrap();
        }
    }
}

#[test]
fn the_sense_comes_from_the_zimpl_comment_and_maximise_negates_the_energy() {
    let energy_text = "# ObjectiveOffset 5\n2 3\n1 1 -1\n1 2 3\n2 2 2\n";
    let plain = parse_qs("plain.qs", "plain", energy_text.as_bytes()).unwrap();
    assert_eq!((plain.instance.sense, plain.sense_line, plain.offset), (Sense::Minimize, None, 5.0));
    // E(x) = −x1 + 2·3·x1x2 + 2·x2 + 5.
    let energy = |x1: f64, x2: f64| -x1 + 6.0 * x1 * x2 + 2.0 * x2 + 5.0;
    let maximised = parse_qs("max.qs", "max", format!("# maximize obj: stuff\n{energy_text}").as_bytes()).unwrap();
    assert_eq!((maximised.instance.sense, maximised.sense_line), (Sense::Maximize, Some(1)));
    for (x1, x2) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
        assert_eq!(objective(&plain.instance, &[x1, x2]), energy(x1, x2));
        assert_eq!(objective(&maximised.instance, &[x1, x2]), -energy(x1, x2));
    }
    assert_eq!(plain.coefficient_range, Some((1.0, 3.0)));
}

#[test]
fn harmless_differences_read_the_same() {
    let reference = parse_qs("a.qs", "a", b"# minimize e\n# ObjectiveOffset 0\n3 3\n1 2 1.5\n2 3 -2\n3 3 4\n").unwrap().instance;
    let variants = [
        // CRLF, blank lines, comments between entries, a missing offset, an entry below the diagonal.
        "# minimize e\r\n\r\n3 3\r\n1 2 1.5\r\n# a comment\r\n\r\n3 2 -2\r\n3 3 4\r\n",
        "# minimize e\n   \n3 3\n  1   2   1.5  \n2\t3\t-2e0\n3 3 4\n\n",
        // A UTF-8 byte-order mark before the first line, a comment or the count line.
        "\u{feff}# minimize e\n3 3\n1 2 1.5\n2 3 -2\n3 3 4\n",
        "\u{feff}3 3\n1 2 1.5\n2 3 -2\n3 3 4\n",
    ];
    for text in variants {
        let read = parse_qs("a.qs", "a", text.as_bytes()).unwrap().instance;
        assert_eq!(read, reference, "{text:?}");
    }
}

#[test]
fn a_byte_order_mark_never_shows_in_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("marked.qs");
    std::fs::write(&file, "\u{feff}3 x\n").unwrap();
    let message = read_qs(&file).unwrap_err().to_string();
    assert!(message.starts_with(&format!("{}:1: ", file.display())) && message.contains("found \"x\"") && !message.contains('\u{feff}'), "{message}");
}

#[test]
fn malformed_files_are_refused_with_file_line_and_problem() {
    let base = ["# minimize obj", "# ObjectiveOffset 3", "2 3", "1 1 -1", "1 2 2", "2 2 -1"];
    // (line to replace (1-based) or 0 to append, new text (None: delete), expected line, message part)
    let mutants: [(usize, Option<&str>, usize, &str); 17] = [
        (3, Some("2 2"), 6, "more entries than the 2 the count on line 3 gives"),
        (3, Some("3 4"), 7, "unexpected end of file: the count on line 3 gives 4 entries, found 3"),
        (3, Some("2"), 3, "expected the count line \"n nnz\""),
        (3, Some("x 3"), 3, "expected the number of variables"),
        (3, Some("2 4 extra"), 3, "expected the count line"),
        (3, Some("2 9"), 3, "expected the number of entries (a whole number in 0..=3)"),
        (5, Some("1 3 2"), 5, "expected a variable index in 1..=2, found \"3\""),
        (5, Some("0 2 2"), 5, "expected a variable index in 1..=2, found \"0\""),
        (5, Some("1 2 abc"), 5, "expected a number for the coefficient, found \"abc\""),
        (5, Some("1 2 nan"), 5, "found NaN"),
        (5, Some("1 2 inf"), 5, "expected a finite number"),
        (5, Some("1 2 1e300"), 5, "expected a finite number of magnitude at most"),
        (5, Some("1 2"), 5, "expected an entry \"i j q\" (three fields), found \"1 2\""),
        (6, Some("1 1 4"), 6, "the pair 1 1 is given twice (first on line 4"),
        (6, Some("2 1 4"), 6, "the pair 1 2 is given twice (first on line 5"),
        (2, Some("# ObjectiveOffset abc"), 2, "expected a number for the objective offset"),
        (0, Some("# maximize other"), 7, "second objective sense"),
    ];
    for (replace, text, line, part) in mutants {
        let mut lines: Vec<&str> = base.to_vec();
        match (replace, text) {
            (0, Some(t)) => lines.push(t),
            (i, Some(t)) => lines[i - 1] = t,
            (i, None) => {
                lines.remove(i - 1);
            }
        }
        let error = parse_qs("bad.qs", "bad", lines.join("\n").as_bytes()).expect_err(part).to_string();
        assert!(error.starts_with(&format!("bad.qs:{line}: ")), "{part}: {error}");
        assert!(error.contains(part), "{part}: {error}");
    }
    let empty = parse_qs("empty.qs", "empty", b"# only a comment\n").unwrap_err().to_string();
    assert_eq!(empty, "empty.qs:2: unexpected end of file: expected the count line \"n nnz\"");
}

#[test]
fn a_truncated_xz_file_is_refused_naming_it() {
    let raw = std::fs::read(shipped("labs010")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labs010.qs.xz");
    std::fs::write(&path, &raw[..raw.len() / 2]).unwrap();
    let error = read_qs(&path).unwrap_err().to_string();
    assert!(error.starts_with(&format!("{}: not a readable xz file", path.display())), "{error}");
    // A missing file names itself too.
    let missing = dir.path().join("nothing.qs.xz");
    assert!(read_qs(&missing).unwrap_err().to_string().starts_with(&missing.display().to_string()));
}

#[test]
fn a_class_lists_an_instance_given_plain_and_compressed_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(QoblibClass::Labs.folder());
    std::fs::create_dir_all(&folder).unwrap();
    let xz = std::fs::read(shipped("labs005")).unwrap();
    std::fs::write(folder.join("labs005.qs.xz"), &xz).unwrap();
    std::fs::write(folder.join("labs005.qs"), b"# minimize e\n1 1\n1 1 2\n").unwrap();
    std::fs::write(folder.join("labs002.qs.xz"), std::fs::read(shipped("labs002")).unwrap()).unwrap();
    std::fs::write(folder.join("notes.txt"), b"not an instance").unwrap();
    let files = qoblib::class_set(dir.path(), QoblibClass::Labs).unwrap();
    assert_eq!(files, [folder.join("labs002.qs.xz"), folder.join("labs005.qs")]);
    // By name, the plain file first too; another class's folder missing is no error for lookup.
    assert_eq!(qoblib::find_instance(dir.path(), "labs005").unwrap(), folder.join("labs005.qs"));
    assert!(qoblib::class_set(dir.path(), QoblibClass::MarketSplit).unwrap_err().to_string().contains("01-marketsplit"));
}

/// A `.qs` file in another compression is refused by name (it once reached the `.qplib` reader,
/// which complained about a missing problem type); an upper-case `.QS` reads as `.qs`.
#[test]
fn other_compressions_of_a_qs_file_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# maximize obj: x\n2 2\n1 1 -1\n1 2 1\n";
    for name in ["a.qs.gz", "a.qs.bz2", "a.qs.zst"] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let error = aocbench::instances::read_instance(&path).unwrap_err().to_string();
        assert!(error.contains(name) && error.contains("read plain or xz-compressed"), "{error}");
    }
    let upper = dir.path().join("A.QS");
    std::fs::write(&upper, text).unwrap();
    let instance = aocbench::instances::read_instance(&upper).unwrap();
    assert_eq!(instance.sense, Sense::Maximize);
}

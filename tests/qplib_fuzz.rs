//! Mutation fuzzing of the reader: real files (QPLIB_0067 and the smallest QUBO file, when
//! the QPLIB folder is there) and generated ones, with lines deleted, duplicated or swapped,
//! tokens replaced by junk, bytes cut off or inserted. `parse_instance` must never panic:
//! it returns an error on a line of the file, or an instance whose invariants hold.

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

use aocbench::qplib::{QplibError, find_instance, instance_dir, instance_set, parse_instance};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use qplib_common::{Kind, generate, inconsistency};

/// Seed files: `(label, bytes)`.
static SEEDS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(|| {
    let mut seeds = match instance_dir(None) {
        Ok(dir) => real_seeds(&dir),
        Err(_) => {
            eprintln!(
                "!!!!!!!! QPLIB folder not found — fuzzing generated instances instead !!!!!!!!"
            );
            [Kind::Qbl, Kind::Qbb]
                .iter()
                .map(|&k| generated_seed(k))
                .collect()
        }
    };
    // Mixed variables: the bound and type sections, absent from the binary sets.
    seeds.push(generated_seed(Kind::Qml));
    seeds
});

fn generated_seed(kind: Kind) -> (String, Vec<u8>) {
    let label = format!("generated {kind:?}");
    (label.clone(), generate(&label, kind, 7).text.into_bytes())
}

fn real_seeds(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let qplib_0067 = find_instance(dir, "QPLIB_0067").expect("QPLIB_0067 in the QPLIB folder");
    // The shipped smoke folder has one QUBO and no qbn/ set.
    let qubos = instance_set(dir, "qbn")
        .unwrap_or_else(|_| vec![find_instance(dir, "QPLIB_5881").expect("the shipped QUBO")]);
    let smallest_qubo = qubos
        .iter()
        .min_by_key(|p| fs::metadata(p).map_or(u64::MAX, |m| m.len()));
    [Some(&qplib_0067), smallest_qubo]
        .into_iter()
        .flatten()
        .map(|p| (p.display().to_string(), text_of(p)))
        .collect()
}

/// The uncompressed bytes of an instance file.
fn text_of(path: &Path) -> Vec<u8> {
    let raw = fs::read(path).expect("readable seed file");
    if !path.to_string_lossy().ends_with(".gz") {
        return raw;
    }
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(raw.as_slice())
        .read_to_end(&mut text)
        .expect("valid gzip seed");
    text
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    /// Replaces token `.1` of line `.0` (the whole line when it has no token).
    ReplaceToken(Index, Index, &'static str),
    TruncateAt(Index),
    InsertBytes(Index, &'static [u8]),
}

const JUNK: &[&str] = &[
    "x",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "1e999",
    "-1e999",
    "1.79769313486232E+308",
    "-1",
    "0",
    "-0.0",
    "99999",
    "4294967297",
    "18446744073709551616",
    "99999999999999999999",
    "1.5",
    "#",
    "",
    "1 2 3",
    "minimize",
    "QBB",
    "QGQ",
    "LCL",
    "é",
];

const BYTES: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\0",
    b"\n",
    b"#",
    b" 7",
    b"\r",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        3 => (any::<Index>(), any::<Index>(), select(JUNK))
            .prop_map(|(l, t, junk)| Mutation::ReplaceToken(l, t, junk)),
        1 => any::<Index>().prop_map(Mutation::TruncateAt),
        1 => (any::<Index>(), select(BYTES)).prop_map(|(at, b)| Mutation::InsertBytes(at, b)),
    ]
}

fn mutate(text: &[u8], mutation: &Mutation) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    match mutation {
        Mutation::DeleteLine(i) => {
            lines.remove(i.index(lines.len()));
        }
        Mutation::DuplicateLine(i) => {
            let i = i.index(lines.len());
            lines.insert(i, lines[i].clone());
        }
        Mutation::SwapLines(a, b) => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
        Mutation::ReplaceToken(l, t, junk) => {
            let count = lines.len();
            let line = &mut lines[l.index(count)];
            let text = String::from_utf8_lossy(line).into_owned();
            let mut tokens: Vec<&str> = text.split_ascii_whitespace().collect();
            if tokens.is_empty() {
                *line = junk.as_bytes().to_vec();
            } else {
                let t = t.index(tokens.len());
                tokens[t] = junk;
                *line = tokens.join(" ").into_bytes();
            }
        }
        Mutation::TruncateAt(at) => return text[..at.index(text.len() + 1)].to_vec(),
        Mutation::InsertBytes(at, bytes) => {
            let at = at.index(text.len() + 1);
            return [&text[..at], bytes, &text[at..]].concat();
        }
    }
    lines.join(&b'\n')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_give_an_error_or_a_consistent_instance(
        seed in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (label, text) = &SEEDS[seed.index(SEEDS.len())];
        let bytes = mutations.iter().fold(text.clone(), |bytes, m| mutate(&bytes, m));
        let lines = bytes.split(|&b| b == b'\n').count();
        match parse_instance("fuzz.qplib", &bytes) {
            Ok(instance) => prop_assert_eq!(inconsistency(&instance), None, "{}", label),
            Err(QplibError::Parse { file, line, .. }) => {
                prop_assert_eq!(file, "fuzz.qplib");
                prop_assert!((1..=lines + 1).contains(&line), "line {} of {}", line, lines);
            }
            Err(other) => prop_assert!(false, "unexpected error kind: {}", other),
        }
    }
}

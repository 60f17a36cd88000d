//! The reader's mutation test: at least 10,000 seeded mutants of three real instances
//! (QPLIB_3714, QPLIB_3751 and the QUBO QPLIB_5881 of the shipped smoke set) and of the field cases — truncations, deleted, duplicated and
//! swapped lines, tokens replaced by huge numbers, NaN, infinities, negative counts and
//! out-of-range indices, non-UTF-8 bytes — plus corrupt gzip and zip files read from disk.
//! None may panic. Each is read into an instance, which then goes through the QUMO conversion
//! and the info table, or is refused with an error that names the file and, for a parse error,
//! a line of it. The seed is fixed (AOCBENCH_TEST_SEED replays another).

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use aocbench::model::Instance;
use aocbench::output::table::render;
use aocbench::qplib::{parse_instance, read_instance, QplibError};
use aocbench::qumo::QumoModel;
use flate2::write::GzEncoder;
use flate2::Compression;
use qplib_common::inconsistency;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Text mutants parsed from memory, and compressed mutants read from files.
const TEXT_MUTANTS: usize = 10_000;
const FILE_MUTANTS: usize = 600;
const DEFAULT_SEED: u64 = 10;

/// Tokens put in place of a value: huge and tiny numbers, non-finite ones, negative counts,
/// indices out of range, and junk.
const JUNK: &[&str] = &[
    "1e308", "-1e308", "1e160", "1e21", "1e20", "-1e20", "1.79769313486232E+308", "1e999", "4294967297", "18446744073709551616",
    "99999999999999999999", "99999", "100000", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-1", "-7", "0", "-0.0", "2", "3",
    "0.5", "x", "#", "!", "%", "MAXIMIZE", "qbl", "QGQ", "LCL", "é", "1,5", "1 2 3",
];

const BYTES: &[&[u8]] = &[b"\xff", b"\xc3", b"\x80", b"\xe2\x82", b"\0", b"\n", b"\r", b"#", b" 7", b"!"];

fn seed() -> u64 {
    std::env::var("AOCBENCH_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_SEED)
}

/// The committed instances the mutants start from: `(file name, bytes)`.
fn originals() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/data/field-cases"))
        .expect("tests/data is committed")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "qplib"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "nine field cases: {files:?}");
    // Real instances from the shipped smoke set (the full sets are never committed): two QBL
    // with constraint sections and the QUBO (QBN), so a fresh checkout mutates every section.
    files.extend(["QPLIB_3714", "QPLIB_3751", "QPLIB_5881"].map(|name| root.join(format!("qplib/smoke/{name}.qplib"))));
    files.iter().map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(p).unwrap())).collect()
}

/// One to three random edits of `text`, and what they were (for the failure message).
fn mutate(text: &[u8], rng: &mut Xoshiro256PlusPlus) -> (Vec<u8>, String) {
    let mut bytes = text.to_vec();
    let mut done = Vec::new();
    for _ in 0..rng.random_range(1..=3) {
        let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        let line = rng.random_range(0..lines.len());
        match rng.random_range(0..10) {
            0 => {
                lines.remove(line);
                done.push(format!("delete line {}", line + 1));
            }
            1 => {
                lines.insert(line, lines[line].clone());
                done.push(format!("duplicate line {}", line + 1));
            }
            2 => {
                let other = rng.random_range(0..lines.len());
                lines.swap(line, other);
                done.push(format!("swap lines {} and {}", line + 1, other + 1));
            }
            3..=6 => {
                let junk = JUNK.choose(rng).unwrap();
                let old = String::from_utf8_lossy(&lines[line]).into_owned();
                let mut tokens: Vec<&str> = old.split_ascii_whitespace().collect();
                if tokens.is_empty() {
                    tokens.push(junk);
                } else {
                    let t = rng.random_range(0..tokens.len());
                    tokens[t] = junk;
                }
                lines[line] = tokens.join(" ").into_bytes();
                done.push(format!("line {}: {junk:?}", line + 1));
            }
            7 => {
                let at = rng.random_range(0..=bytes.len());
                done.push(format!("truncate at byte {at}"));
                bytes.truncate(at);
                continue;
            }
            _ => {
                let insert = BYTES.choose(rng).unwrap();
                let at = rng.random_range(0..=bytes.len());
                bytes.splice(at..at, insert.iter().copied());
                done.push(format!("insert {insert:?} at byte {at}"));
                continue;
            }
        }
        bytes = lines.join(&b'\n');
    }
    (bytes, done.join("; "))
}

/// What happens downstream of the reader to an instance it accepted: none of it may panic,
/// and the instance must be consistent, its QUMO finite.
fn exercise(instance: &Instance) -> Result<(), String> {
    if let Some(broken) = inconsistency(instance) {
        return Err(format!("the reader accepted an inconsistent instance: {broken}"));
    }
    let _ = render(&["name", "q_density"], &[vec![instance.name.clone(), format!("{:.4}", instance.q_density())]]);
    if let Ok(model) = QumoModel::new(instance) {
        let qumo = model.build(&model.initial_weights(1.0));
        if !qumo.h.iter().chain(&qumo.j.values).all(|v| v.is_finite()) {
            return Err("non-finite QUMO coefficient".into());
        }
    }
    Ok(())
}

/// A parse error's line must lie in the file (or be the line after its end).
fn check_parse(name: &str, bytes: &[u8]) -> Result<(), String> {
    match parse_instance(name, bytes) {
        Ok(instance) => exercise(&instance),
        Err(QplibError::Parse { file, line, problem }) => {
            let lines = bytes.split(|&b| b == b'\n').count();
            if file != name || !(1..=lines + 1).contains(&line) {
                return Err(format!("error names {file}:{line} for a {lines}-line file {name}: {problem}"));
            }
            Ok(())
        }
        Err(other) => Err(format!("parse_instance gave a non-parse error: {other}")),
    }
}

/// A file's error must name its path; a parse error also a line.
fn check_file(path: &Path) -> Result<(), String> {
    match read_instance(path) {
        Ok(instance) => exercise(&instance),
        Err(error) => {
            let message = error.to_string();
            let named = message.starts_with(&format!("{}:", path.display()));
            let lined = !matches!(error, QplibError::Parse { line: 0, .. });
            if named && lined { Ok(()) } else { Err(format!("error does not name the file (and line): {message}")) }
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A zip archive holding `files` (`(name, bytes)`), deflated.
fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Damages compressed bytes: cut short, a byte flipped, or garbage appended.
fn damage(mut bytes: Vec<u8>, rng: &mut Xoshiro256PlusPlus) -> (Vec<u8>, String) {
    match rng.random_range(0..4) {
        0 => {
            let at = rng.random_range(0..bytes.len());
            bytes.truncate(at);
            (bytes, format!("cut at byte {at}"))
        }
        1 | 2 => {
            let at = rng.random_range(0..bytes.len());
            bytes[at] ^= 1 << rng.random_range(0..8);
            (bytes, format!("bit flipped in byte {at}"))
        }
        _ => {
            bytes.extend_from_slice(b"\x1f\x8b garbage");
            (bytes, "garbage appended".into())
        }
    }
}

/// Runs `check` under catch_unwind, turning a panic into a failure message.
fn guarded(check: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(check)).unwrap_or_else(|payload| {
        let message = payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
        Err(format!("panicked: {}", message.unwrap_or_default()))
    })
}

#[test]
fn mutants_of_real_instances_never_panic_and_their_errors_name_file_and_line() {
    let seed = seed();
    let started = Instant::now();
    let originals = originals();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut accepted = 0;

    for k in 0..TEXT_MUTANTS {
        let (original, text) = originals.choose(&mut rng).unwrap();
        let (mutant, edits) = mutate(text, &mut rng);
        let name = format!("mutant-{k}.qplib");
        let result = guarded(|| check_parse(&name, &mutant));
        accepted += parse_instance(&name, &mutant).is_ok() as usize;
        if let Err(why) = result {
            failures.push(format!("text mutant {k} of {original} ({edits}): {why}"));
        }
    }

    let dir = tempfile::tempdir().unwrap();
    for k in 0..FILE_MUTANTS {
        let (original, text) = originals.choose(&mut rng).unwrap();
        let (text, edits) = if rng.random_bool(0.5) { mutate(text, &mut rng) } else { (text.clone(), "unchanged".into()) };
        let (bytes, how) = match rng.random_range(0..5) {
            0 => (gzip(&text), "gzip".to_string()),
            1 => (zip(&[(original.as_str(), &text)]), "zip".into()),
            2 => (zip(&[(original.as_str(), &text), ("README.txt", b"two files")]), "zip of two files".into()),
            3 => {
                let (bytes, damage) = damage(gzip(&text), &mut rng);
                (bytes, format!("gzip, {damage}"))
            }
            _ => {
                let (bytes, damage) = damage(zip(&[(original.as_str(), &text)]), &mut rng);
                (bytes, format!("zip, {damage}"))
            }
        };
        let path = dir.path().join(format!("mutant-{k}.qplib.gz"));
        std::fs::write(&path, &bytes).unwrap();
        if let Err(why) = guarded(|| check_file(&path)) {
            failures.push(format!("file mutant {k} of {original} ({edits}; {how}): {why}"));
        }
    }

    let total = TEXT_MUTANTS + FILE_MUTANTS;
    eprintln!("{total} mutants (seed {seed}), {accepted} text mutants accepted, {:.1} s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{} of {total} mutants failed (seed {seed}):\n{}", failures.len(), failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
    assert!(accepted > TEXT_MUTANTS / 20, "so few mutants parse ({accepted}) that the QUMO path is barely exercised");
}

#[test]
fn a_zip_with_one_file_reads_like_the_file_and_other_containers_are_refused_by_name() {
    let originals = originals();
    let (name, text) = originals.iter().find(|(name, _)| name == "QPLIB_3714.qplib").unwrap();
    let expected = parse_instance("x", text).unwrap();
    let dir = tempfile::tempdir().unwrap();

    let zipped = dir.path().join("QPLIB_3714.qplib.zip");
    std::fs::write(&zipped, zip(&[(name.as_str(), text)])).unwrap();
    assert_eq!(read_instance(&zipped).unwrap(), expected);

    let two = dir.path().join("two.zip");
    std::fs::write(&two, zip(&[("a.qplib", text), ("b.qplib", text)])).unwrap();
    let message = read_instance(&two).unwrap_err().to_string();
    assert_eq!(message, format!("{}: a zip archive must hold one instance file (.qplib); this one holds 2 files: a.qplib, b.qplib", two.display()));

    // QPLIB's instance beside other files, or gzip-compressed inside the archive: read.
    let with_readme = dir.path().join("with-readme.zip");
    std::fs::write(&with_readme, zip(&[("README.txt", b"about".as_slice()), (name.as_str(), text.as_slice())])).unwrap();
    assert_eq!(read_instance(&with_readme).unwrap(), expected);
    let gzipped_member = dir.path().join("gz-member.zip");
    std::fs::write(&gzipped_member, zip(&[("QPLIB_3714.qplib.gz", gzip(text).as_slice())])).unwrap();
    assert_eq!(read_instance(&gzipped_member).unwrap(), expected);

    // A tar archive, plain or gzip-compressed: refused by name, not read as text.
    let mut tar = vec![0u8; 1024];
    tar[..16].copy_from_slice(b"QPLIB_3714.qplib");
    tar[257..263].copy_from_slice(b"ustar\0");
    for (file, bytes) in [("instance.tar", tar.clone()), ("instance.tar.gz", gzip(&tar))] {
        let path = dir.path().join(file);
        std::fs::write(&path, bytes).unwrap();
        let message = read_instance(&path).unwrap_err().to_string();
        assert_eq!(message, format!("{}: a tar archive, which aocbench does not read: extract it first (tar xf)", path.display()));
    }

    // xz (as QOBLIB ships its files) reads; a truncated one is refused naming the file.
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut &text[..], &mut xz).unwrap();
    let xz_file = dir.path().join("QPLIB_3714.qplib.xz");
    std::fs::write(&xz_file, &xz).unwrap();
    assert_eq!(read_instance(&xz_file).unwrap(), expected);
    std::fs::write(&xz_file, &xz[..xz.len() / 2]).unwrap();
    let message = read_instance(&xz_file).unwrap_err().to_string();
    assert!(message.starts_with(&format!("{}: not a readable xz file", xz_file.display())), "{message}");

    for (magic, format) in [(&b"BZh91AY&SY"[..], "bzip2"), (b"\x28\xb5\x2f\xfd\0", "zstd"), (b"7z\xbc\xaf\x27\x1c\0", "7z")] {
        let path = dir.path().join(format!("file.{format}"));
        std::fs::write(&path, magic).unwrap();
        let message = read_instance(&path).unwrap_err().to_string();
        assert!(message.starts_with(&format!("{}: {format}-compressed, which aocbench does not read", path.display())), "{message}");
    }
}

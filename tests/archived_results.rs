//! A finished results folder whose results.json is kept gzipped (results.json.gz,
//! `scripts/archive_results.sh`) reads as the plain folder: `compare`, `merge` and
//! `bench --resume` give the same outcome, a folder holding both files is refused naming both,
//! and an archive that is not gzip is refused naming it.

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;
#[allow(dead_code)]
mod bench_common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use bench_common::{aocbench, fixture, merge, stderr};

/// A copy of the folder `from` at `to` (files only) with its results.json gzipped as the
/// archive script does it.
fn archived_copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if name == "results.json" {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&fs::read(&path).unwrap()).unwrap();
            fs::write(to.join("results.json.gz"), gz.finish().unwrap()).unwrap();
        } else if path.is_file() {
            fs::copy(&path, to.join(name)).unwrap();
        }
    }
    assert!(!to.join("results.json").exists() && to.join("results.json.gz").exists());
}

fn compare(baseline: &Path, current: &Path) -> std::process::Output {
    aocbench(&["compare", baseline.to_str().unwrap(), current.to_str().unwrap()])
}

#[test]
fn an_archived_folder_compares_merges_and_resumes_as_the_plain_one() {
    let fx = fixture();
    let shards: Vec<PathBuf> = (1..=2).map(|k| fx.path(&format!("shard-{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        fx.bench_ok(&["--shard", &format!("{}/2", k + 1), "--out", dir.to_str().unwrap()]);
    }
    let archived: Vec<PathBuf> = (1..=2).map(|k| fx.path(&format!("archived-{k}"))).collect();
    for (from, to) in shards.iter().zip(&archived) {
        archived_copy(from, to);
    }

    // merge: the same rows, comparison and plots from the archived shards as from the plain ones.
    let (plain, from_archives) = (fx.path("merged"), fx.path("merged-from-archives"));
    for (dirs, out) in [(&shards, &plain), (&archived, &from_archives)] {
        let refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        let output = merge(&refs, out, &[]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    for file in ["results.csv", "comparison.csv", "comparison.md", "profile.svg", "gap_over_time.svg"] {
        assert_eq!(fs::read(plain.join(file)).unwrap(), fs::read(from_archives.join(file)).unwrap(), "{file} differs");
    }

    // compare (the gate): the same report and status, either side archived.
    let archived_merge = fx.path("merged-archived");
    archived_copy(&plain, &archived_merge);
    let reference = compare(&plain, &plain);
    assert!(reference.status.success(), "{}", stderr(&reference));
    // The report names the folders compared; the rest is the same.
    let report = |output: &std::process::Output| String::from_utf8_lossy(&output.stdout).replace("merged-archived", "merged");
    for (baseline, current) in [(&archived_merge, &plain), (&plain, &archived_merge), (&archived_merge, &archived_merge)] {
        let output = compare(baseline, current);
        assert_eq!((output.status.code(), report(&output)), (reference.status.code(), report(&reference)), "{}", stderr(&output));
    }

    // An archive the gate reads: one that is not gzip fails, naming it.
    let broken = fx.path("broken");
    archived_copy(&plain, &broken);
    fs::write(broken.join("results.json.gz"), "not gzip").unwrap();
    let output = compare(&plain, &broken);
    assert!(!output.status.success() && stderr(&output).contains("broken/results.json.gz"), "{}", stderr(&output));

    // Both files there: which is current? compare, merge and resume refuse, naming both.
    let both = fx.path("both");
    archived_copy(&plain, &both);
    fs::copy(plain.join("results.json"), both.join("results.json")).unwrap();
    let outputs = [compare(&plain, &both), merge(&[&both], &fx.path("never"), &[]), fx.bench(&["--resume", both.to_str().unwrap()])];
    for output in outputs {
        let message = stderr(&output);
        assert!(!output.status.success(), "{message}");
        assert!(message.contains("both/results.json and") && message.contains("both/results.json.gz are both there"), "{message}");
    }
    assert!(!fx.path("never").exists());

    // resume: the archived shard is complete, and is left with one plain results.json.
    let output = fx.bench_ok(&["--shard", "1/2", "--resume", archived[0].to_str().unwrap()]);
    assert!(stderr(&output).contains("0 to run"), "{}", stderr(&output));
    assert!(!archived[0].join("results.json.gz").exists());
    assert_eq!(fs::read(shards[0].join("results.csv")).unwrap(), fs::read(archived[0].join("results.csv")).unwrap());
    let json = |dir: &Path| serde_json::from_slice::<serde_json::Value>(&fs::read(dir.join("results.json")).unwrap()).unwrap()["runs"].clone();
    assert_eq!(json(&shards[0]), json(&archived[0]));
}

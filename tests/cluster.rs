//! `bench --shard`, `merge` and `bench --resume` end to end on generated instances under a
//! work budget: shards merge into exactly the rows of one process (apart from wall-clock
//! columns), merge refuses other runs and names missing units, duplicates are dropped, and a
//! resumed run completes an interrupted one without touching its finished rows.

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;
#[allow(dead_code)]
mod bench_common;

use std::fs;
use std::path::{Path, PathBuf};

use aocbench::results::ResultRow;
use aocbench::export::csv::read_results;
use bench_common::{fixture, merge, stderr, Fixture};

/// The rows of a results folder with the wall-clock columns cleared.
fn rows_without_clock(dir: &Path) -> Vec<ResultRow> {
    let mut rows = read_results(&dir.join("results.csv")).unwrap();
    for row in &mut rows {
        (row.time_to_best_known_s, row.time_to_target_s, row.time_to_own_best_s, row.tts99_s, row.tts99_with_tuning_s) = (None, None, None, None, None);
        (row.time_to_gap_0_1pct_s, row.time_to_gap_1pct_s, row.time_to_gap_5pct_s) = (None, None, None);
        (row.primal_integral_s, row.primal_integral_horizon_s) = (None, None);
        row.wall_time_s = 0.0;
    }
    rows
}

fn metadata(dir: &Path) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    json["metadata"].clone()
}

#[test]
fn shards_merge_into_the_rows_of_one_process() {
    let fx = fixture();
    let single = fx.path("single");
    fx.bench_ok(&["--out", single.to_str().unwrap()]);
    let shards: Vec<PathBuf> = (1..=3).map(|k| fx.path(&format!("shard-{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        fx.bench_ok(&["--shard", &format!("{}/3", k + 1), "--out", dir.to_str().unwrap()]);
    }

    // Each shard records itself and the whole run's plan; the shared-target instance's
    // repeats are in one shard, and every unit is in exactly one.
    let plan = metadata(&shards[0])["plan"].clone();
    assert_eq!(metadata(&shards[1])["shard"]["index"], 2);
    let units = plan["units"].as_array().unwrap();
    assert_eq!(units.len(), 6);
    let shard_of = |instance: &str, repeat: u64| units.iter().find(|u| u["instance"] == instance && u["repeat"] == repeat).unwrap()["shard"].clone();
    assert_eq!(shard_of("TINY_C", 0), shard_of("TINY_C", 1));
    let rows_in_shards: usize = shards.iter().map(|d| read_results(&d.join("results.csv")).unwrap().len()).sum();
    assert_eq!(rows_in_shards, 6);

    let merged = fx.path("merged");
    let refs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let output = merge(&refs, &merged, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rows_without_clock(&merged), rows_without_clock(&single));
    for file in ["results.json", "comparison.csv", "comparison.md", "profile.svg"] {
        assert!(merged.join(file).exists(), "{file} not written");
    }
    let m = metadata(&merged);
    assert!(m["shard"].is_null() && m["missing_units"].as_array().unwrap().is_empty());
    assert_eq!(m["merged_from"].as_array().unwrap().len(), 3);
    assert_eq!(m["plan"], plan);

    // A shard run twice: the first copy is kept, nothing counted twice.
    let again = fx.path("shard-1-again");
    fx.bench_ok(&["--shard", "1/3", "--out", again.to_str().unwrap()]);
    let twice = fx.path("merged-twice");
    let output = merge(&[&shards[0], &shards[1], &shards[2], &again], &twice, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("kept the first"), "{}", stderr(&output));
    assert_eq!(rows_without_clock(&twice), rows_without_clock(&single));
}

#[test]
fn merge_refuses_other_runs_and_names_the_missing_units_and_their_shard() {
    let fx = fixture();
    let (one, two) = (fx.path("one"), fx.path("two"));
    fx.bench_ok(&["--shard", "1/2", "--out", one.to_str().unwrap()]);
    fx.bench_ok(&["--shard", "2/2", "--seed", "7", "--out", two.to_str().unwrap()]);
    let output = merge(&[&one, &two], &fx.path("never"), &[]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("different runs") && stderr(&output).contains("sweep.seed: 0 ≠ 7"), "{}", stderr(&output));
    assert!(!fx.path("never").exists(), "a refused merge writes nothing");

    // Shard 2 missing: every unit of it named, with the shard to run again.
    let output = merge(&[&one], &fx.path("never"), &[]);
    assert!(!output.status.success());
    let message = stderr(&output);
    let plan = metadata(&one)["plan"]["units"].as_array().unwrap().clone();
    let of_two: Vec<String> = plan.iter().filter(|u| u["shard"] == 2).map(|u| format!("{} #{}", u["instance"].as_str().unwrap(), u["repeat"])).collect();
    assert!(!of_two.is_empty());
    assert!(message.contains("shard 2/2: ") && message.contains("--shard K/2 --resume"), "{message}");
    for unit in &of_two {
        assert!(message.contains(unit.as_str()), "{unit} not named in: {message}");
    }

    // --allow-partial writes what there is, marked partial.
    let partial = fx.path("partial");
    let output = merge(&[&one], &partial, &["--allow-partial"]);
    assert_eq!(output.status.code(), Some(1), "written, but not the whole run: {}", stderr(&output));
    assert_eq!(metadata(&partial)["missing_units"].as_array().unwrap().len(), of_two.len());
    assert!(fs::read_to_string(partial.join("comparison.md")).unwrap().contains("PARTIAL"));
}

/// A whole run of the fixture in `full/`, and a copy of it as if interrupted in
/// `interrupted/`: TINY_A's two rows written, a third row cut off mid-line. Returns the fixture,
/// both folders and the rows kept (with the header).
fn interrupted_run() -> (Fixture, PathBuf, PathBuf, String) {
    let fx = fixture();
    let (full, dir) = (fx.path("full"), fx.path("interrupted"));
    fx.bench_ok(&["--out", full.to_str().unwrap()]);
    fs::create_dir_all(&dir).unwrap();
    let text = fs::read_to_string(full.join("results.csv")).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let kept: String = lines[..3].concat();
    fs::write(dir.join("results.csv"), format!("{kept}{}", &lines[3][..20])).unwrap();
    fs::copy(full.join("results.json"), dir.join("results.json")).unwrap();
    (fx, full, dir, kept)
}

/// Merging the folder of an unfinished whole run (no --shard) names it, and how to finish it.
#[test]
fn merge_names_an_unfinished_whole_run_and_how_to_finish_it() {
    let (fx, _, dir, _) = interrupted_run();
    let output = merge(&[dir.as_path()], &fx.path("merged"), &[]);
    let text = stderr(&output).split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains(&format!("(the whole run, folder {}: incomplete there)", dir.display())), "{text}");
    assert!(text.contains("to finish the run: `aocbench bench <the run's options> --resume <its folder>`"), "{text}");
}

#[test]
fn resume_runs_only_the_missing_units_and_keeps_the_finished_rows() {
    let (fx, full, dir, kept) = interrupted_run();

    let output = fx.bench_ok(&["--resume", dir.to_str().unwrap()]);
    assert!(stderr(&output).contains("2 units complete, 4 to run"), "{}", stderr(&output));
    let resumed = fs::read_to_string(dir.join("results.csv")).unwrap();
    assert!(resumed.starts_with(&kept), "the finished rows changed");
    assert_eq!(rows_without_clock(&dir), rows_without_clock(&full));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap()["runs"].as_array().unwrap().len(), 6);

    // Nothing left: nothing runs, nothing changes.
    let output = fx.bench_ok(&["--resume", dir.to_str().unwrap()]);
    assert!(stderr(&output).contains("6 units complete, 0 to run"), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(dir.join("results.csv")).unwrap(), resumed);

    // Another run's options are refused with the difference named.
    let output = fx.bench(&["--resume", dir.to_str().unwrap(), "--seed", "3"]);
    assert!(!output.status.success() && stderr(&output).contains("sweep.seed: 0 ≠ 3"), "{}", stderr(&output));

    // Another run's references too, before any of them is set up (which would download it).
    let venv = fx.path("venv-never-made");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aocbench"))
        .args(["--qplib-dir", fx.qplib.to_str().unwrap(), "bench", "--set", "qbl", "--work", bench_common::WORK, "--repeats", "2"])
        .args(["--threads", "1", "--engine", "cpu", "--reference", "sa", "--resume", dir.to_str().unwrap()])
        .env("AOCBENCH_VENV", &venv)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("references: 0 entries ≠ 1 entries"), "{}", stderr(&output));
    assert!(!venv.exists(), "the venv was set up before the folder was refused");
}

#[test]
fn output_folders_are_never_silently_overwritten() {
    let fx = fixture();
    let dir = fx.path("taken");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let output = fx.bench(&["--out", dir.to_str().unwrap()]);
    assert!(!output.status.success() && stderr(&output).contains("is not empty") && stderr(&output).contains("--resume"), "{}", stderr(&output));
    fx.bench_ok(&["--out", dir.to_str().unwrap(), "--force"]);
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine", "--force deletes only bench files");

    // More shards than unit groups: the last ones run nothing and still write their folder.
    let empty = fx.path("empty-shard");
    fx.bench_ok(&["--shard", "9/9", "--out", empty.to_str().unwrap()]);
    assert!(read_results(&empty.join("results.csv")).unwrap().is_empty());
    assert!(empty.join("profile.svg").exists());

    let output = fx.bench(&["--shard", "slurm", "--out", fx.path("slurm").to_str().unwrap()]);
    assert!(!output.status.success() && stderr(&output).contains("SLURM_ARRAY_TASK_ID is not set"), "{}", stderr(&output));
}

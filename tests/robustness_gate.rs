//! The regression gate and the merge against damaged input: `compare` refuses every damaged
//! baseline and current run with exit status 2 and the file named (or fails them with 1, never
//! passes them), seeded mutants of a real run's results.csv and results.json included; `merge`
//! refuses a row its raw run contradicts; a merged folder is not resumed; a folder being
//! written is locked against a second `--resume`, `--force` and `merge`.

#[allow(dead_code)] // each test binary uses a different part of the shared module
mod qplib_common;
#[allow(dead_code)]
mod bench_common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use bench_common::{aocbench, fixture, merge, stderr};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use tempfile::TempDir;

/// The committed baseline of `.ci/run`: a real run of eight instances (results.csv and the
/// results.json with its raw runs).
fn committed_baseline() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("results/baseline")
}

/// A copy of the committed baseline's results.csv and results.json in `dir`.
fn copy_baseline(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for file in ["results.csv", "results.json"] {
        fs::copy(committed_baseline().join(file), dir.join(file)).unwrap();
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn compare(baseline: &Path, current: &Path, extra: &[&str]) -> Output {
    aocbench(&[&["compare", baseline.to_str().unwrap(), current.to_str().unwrap()], extra].concat())
}

/// results.csv as a header and rows of cells.
fn read_cells(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

fn write_cells(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(header).unwrap();
    rows.iter().for_each(|r| writer.write_record(r).unwrap());
    writer.flush().unwrap();
}

/// One row of results.csv, its cells reached by column name.
struct Cells<'a> {
    header: &'a [String],
    cells: &'a mut [String],
}

impl Cells<'_> {
    fn get(&mut self, name: &str) -> &mut String {
        let i = self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
        &mut self.cells[i]
    }
}

/// A copy of the baseline in `dir` with `edit` applied to every row.
fn edited_baseline(dir: &Path, edit: impl Fn(&mut Cells)) -> PathBuf {
    copy_baseline(dir);
    let (header, mut rows) = read_cells(&dir.join("results.csv"));
    for row in &mut rows {
        edit(&mut Cells { header: &header, cells: row });
    }
    write_cells(&dir.join("results.csv"), &header, &rows);
    dir.to_path_buf()
}

/// Exit status 2 with an error naming `file` and every text of `named`.
fn assert_refused(output: &Output, file: &Path, named: &[&str], what: &str) {
    let message = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{what}: {message}{}", stdout(output));
    assert!(message.contains(&file.display().to_string()), "{what}: the error names {}: {message}", file.display());
    for text in named {
        assert!(message.contains(text), "{what}: the error names {text}: {message}");
    }
}

#[test]
fn compare_refuses_each_damaged_input_with_exit_2() {
    let tmp = TempDir::new().unwrap();
    let good = tmp.path().join("good");
    copy_baseline(&good);
    let csv_of = |dir: &Path| dir.join("results.csv");

    // The committed baseline passes the stricter reading, against itself with status 0.
    let same = compare(&committed_baseline(), &good, &[]);
    assert!(same.status.success() && stdout(&same).contains("OK: no regression"), "{}{}", stdout(&same), stderr(&same));

    // Each damage of the issue: the error names the file and the column.
    // What, in the baseline (else the current run), the edit, what the error names, options.
    type Case = (&'static str, bool, fn(&mut Cells), &'static [&'static str], &'static [&'static str]);
    let cases: [Case; 8] = [
        ("skipped AOC-DT rows", true, |row| *row.get("status") = "skipped".into(), &["status", "skipped"], &[]),
        ("infinite primal integral", true, |row| *row.get("primal_integral_mvm") = "inf".into(), &["primal_integral_mvm"], &[]),
        ("u64::MAX sentinel", true, |row| {
            if !row.get("mvm_to_target").is_empty() {
                *row.get("mvm_to_target") = u64::MAX.to_string();
            }
        }, &["mvm_to_target", "18446744073709551615"], &[]),
        ("infinite objectives", true, |row| *row.get("best_objective") = "-inf".into(), &["best_objective"], &[]),
        ("NaN gated counter", false, |row| *row.get("primal_integral_mvm") = "NaN".into(), &["primal_integral_mvm", "NaN"], &[]),
        ("NaN wall time", false, |row| *row.get("wall_time_s") = "NaN".into(), &["wall_time_s"], &["--gate-time", "2"]),
        ("negative wall time", false, |row| *row.get("wall_time_s") = "-1".into(), &["wall_time_s"], &["--gate-time", "2"]),
        ("an edited objective", false, |row| row.get("best_objective").push('1'), &["best_objective", "results.json", "QPLIB_0067 aocdt #0"], &[]),
    ];
    for (i, (what, in_baseline, edit, named, args)) in cases.into_iter().enumerate() {
        let damaged = edited_baseline(&tmp.path().join(format!("case{i}")), edit);
        let output = if in_baseline { compare(&damaged, &good, args) } else { compare(&good, &damaged, args) };
        assert_refused(&output, &csv_of(&damaged), named, what);
        assert!(!stdout(&output).contains("OK"), "{what}: {}", stdout(&output));
    }

    // A current run without a gated column: refused, the column named (not read as empty).
    let cut = tmp.path().join("no-column");
    copy_baseline(&cut);
    let (header, rows) = read_cells(&csv_of(&cut));
    let keep: Vec<usize> = (0..header.len()).filter(|&i| header[i] != "mvm_to_target").collect();
    let pick = |cells: &[String]| keep.iter().map(|&i| cells[i].clone()).collect::<Vec<String>>();
    write_cells(&csv_of(&cut), &pick(&header), &rows.iter().map(|r| pick(r)).collect::<Vec<_>>());
    fs::remove_file(cut.join("results.json")).unwrap();
    assert_refused(&compare(&good, &cut, &[]), &csv_of(&cut), &["no column mvm_to_target"], "missing column");

    // A missing folder and an unusable option are bad input too; a real regression is 1.
    let missing = tmp.path().join("missing");
    assert_refused(&compare(&good, &missing, &[]), &missing, &[], "missing folder");
    assert_eq!(compare(&good, &good, &["--tolerance", "inf"]).status.code(), Some(2));
    let worse = tmp.path().join("worse");
    edited_baseline(&worse, |row| {
        if !row.get("mvm_to_target").is_empty() {
            *row.get("mvm_to_target") = "9000000".into();
        }
    });
    // Without its results.json the rows cannot be checked against raw runs: judged as they are.
    fs::remove_file(worse.join("results.json")).unwrap();
    let output = compare(&good, &worse, &[]);
    assert_eq!(output.status.code(), Some(1), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("mvm_to_target grew"), "{}", stdout(&output));

    let help = stdout(&aocbench(&["compare", "--help"]));
    assert!(help.contains("Exit status: 0 no regression; 1 a regression") && help.contains("2 input that cannot be judged"), "{help}");
}

/// One seeded damage of a results folder's results.csv or results.json.
struct Mutant {
    what: String,
    /// The file damaged.
    file: PathBuf,
    /// Whether `merge` reads what was damaged (a row's column its raw run fixes, or the raw run).
    merge_sees_it: bool,
}

/// Columns whose damage the raw run exposes (see src/benchmark/verify.rs).
const DERIVED: [&str; 21] = [
    "seed", "engine", "device", "threads", "batch_size", "best_objective", "feasible", "max_violation", "samples", "time_to_own_best_s", "wall_time_s", "time_to_target_s",
    "time_to_gap_0.1pct_s", "time_to_gap_1pct_s", "time_to_gap_5pct_s", "mvm_to_target", "primal_gap_pct", "primal_integral_mvm", "primal_integral_s", "reached_best_known", "time_limit_s",
];
/// Columns that `compare` matches between the sides or checks on their own.
const MATCHED: [&str; 11] = ["instance", "n_vars", "n_constraints", "sense", "best_known", "target", "target_source", "solver", "repeat", "work_mvm", "status"];
/// Values no run writes, for any column.
const BAD: [&str; 9] = ["inf", "-inf", "NaN", "18446744073709551615", "1e400", "-1", "abc", "", "0x10"];

/// A different plausible value for `cell`.
fn plausible(cell: &str, rng: &mut Xoshiro256PlusPlus) -> String {
    if let Ok(x) = cell.parse::<f64>() {
        let candidates = [2.0 * x + 1.0, -x - 1.0, x + 1.0];
        return candidates[rng.random_range(0..candidates.len())].to_string();
    }
    match cell {
        "true" => "false".into(),
        "false" => "true".into(),
        "" => "1".into(),
        text => format!("{text}x"),
    }
}

/// Damages a copy of the baseline in `dir` by `seed`.
fn mutate(dir: &Path, seed: u64) -> Mutant {
    copy_baseline(dir);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (csv, json) = (dir.join("results.csv"), dir.join("results.json"));
    match rng.random_range(0..10) {
        // A cell of results.csv: a value no run writes, or a plausible one.
        0..=5 => {
            let (header, mut rows) = read_cells(&csv);
            let columns: Vec<&str> = DERIVED.iter().chain(&MATCHED).copied().collect();
            let column = columns[rng.random_range(0..columns.len())];
            let (r, c) = (rng.random_range(0..rows.len()), header.iter().position(|h| h == column).unwrap());
            let before = rows[r][c].clone();
            let after = if rng.random_bool(0.5) { BAD[rng.random_range(0..BAD.len())].to_string() } else { plausible(&before, &mut rng) };
            let after = if after == before { format!("{before}9") } else { after };
            rows[r][c] = after.clone();
            write_cells(&csv, &header, &rows);
            Mutant { what: format!("results.csv row {} {column}: {before:?} → {after:?}", r + 1), file: csv, merge_sees_it: DERIVED.contains(&column) }
        }
        // The rows of results.csv: cut inside a row, a row twice, a row gone.
        6 => {
            let text = fs::read_to_string(&csv).unwrap();
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let r = rng.random_range(1..lines.len());
            let (what, damaged) = match rng.random_range(0..3) {
                0 => {
                    let cut = rng.random_range(1..lines[r].len() - 1);
                    (format!("row {r} cut after {cut} bytes, the rest gone"), format!("{}{}", lines[..r].concat(), &lines[r][..cut]))
                }
                1 => (format!("row {r} twice"), format!("{}{}", text, lines[r])),
                _ => (format!("row {r} gone"), [&lines[..r], &lines[r + 1..]].concat().concat()),
            };
            fs::write(&csv, damaged).unwrap();
            // A row cut at the end of the file is an interrupted run's, which merge leaves out.
            Mutant { what: format!("results.csv {what}"), file: csv, merge_sees_it: false }
        }
        // A value of a raw run in results.json that a row's columns are derived from.
        7 | 8 => {
            let mut value: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
            let runs = value["runs"].as_array().unwrap().len();
            let run = &mut value["runs"][rng.random_range(0..runs)];
            let last = run["improvements"].as_array().unwrap().len() - 1;
            let paths: [&[&str]; 12] = [
                &["seed"],
                &["instance"],
                &["metrics", "best_objective"],
                &["metrics", "feasible"],
                &["metrics", "max_violation"],
                &["metrics", "samples"],
                &["metrics", "time_to_own_best_s"],
                &["sweep", "elapsed_s"],
                &["sweep", "batch_size"],
                &["sweep", "engine", "threads"],
                &["sweep", "engine", "kind"],
                &["improvements"],
            ];
            let path = paths[rng.random_range(0..paths.len())];
            let mut target = run;
            for key in path {
                target = &mut target[*key];
            }
            if path[0] == "improvements" {
                // The best point: where the run reached its target or how close it ended.
                target = &mut target[last][["mvm", "objective", "time_s"][rng.random_range(0..3)]];
            }
            let before = target.clone();
            *target = match &before {
                serde_json::Value::Number(n) if rng.random_bool(0.8) => match n.as_u64() {
                    Some(count) => serde_json::json!(count * 2 + 1),
                    None => serde_json::json!(2.0 * n.as_f64().unwrap() + 1.0),
                },
                serde_json::Value::Bool(b) => serde_json::Value::Bool(!b),
                serde_json::Value::String(s) => serde_json::Value::String(format!("{s}x")),
                _ => serde_json::Value::String("text".into()),
            };
            let after = target.clone();
            fs::write(&json, serde_json::to_string_pretty(&value).unwrap()).unwrap();
            Mutant { what: format!("results.json {}: {before} → {after}", path.join(".")), file: json, merge_sees_it: true }
        }
        // results.json cut short, or a raw run gone.
        _ => {
            let text = fs::read_to_string(&json).unwrap();
            if rng.random_bool(0.5) {
                let cut = rng.random_range(0..text.len());
                fs::write(&json, &text[..cut]).unwrap();
                Mutant { what: format!("results.json cut after {cut} bytes"), file: json, merge_sees_it: true }
            } else {
                let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
                let runs = value["runs"].as_array_mut().unwrap();
                let gone = rng.random_range(0..runs.len());
                runs.remove(gone);
                fs::write(&json, serde_json::to_string(&value).unwrap()).unwrap();
                // Merge counts the unit as missing: an error, though not about damage.
                Mutant { what: format!("results.json raw run {gone} gone"), file: json, merge_sees_it: true }
            }
        }
    }
}

#[test]
fn seeded_mutants_of_a_real_run_never_pass_the_gate_or_the_merge() {
    const MUTANTS: u64 = 300;
    let tmp = TempDir::new().unwrap();
    let good = tmp.path().join("good");
    copy_baseline(&good);
    // Exit statuses of compare (2, 1), and merges refused.
    let (mut refused, mut failed, mut merges) = (0, 0, 0);
    for seed in 0..MUTANTS {
        let dir = tmp.path().join(format!("mutant-{seed}"));
        let mutant = mutate(&dir, seed);
        let what = format!("mutant {seed}, {}", mutant.what);
        // On either side of the gate: a clean refusal naming the file, or a regression. Never
        // a pass, never a panic.
        let (baseline, current) = if seed % 2 == 0 { (&dir, &good) } else { (&good, &dir) };
        let output = compare(baseline, current, &[]);
        match output.status.code() {
            Some(2) => {
                refused += 1;
                assert!(stderr(&output).contains(&dir.display().to_string()), "{what}: the error names the folder: {}", stderr(&output));
            }
            Some(1) => {
                failed += 1;
                assert!(stdout(&output).contains("FAIL:"), "{what}: {}", stdout(&output));
            }
            code => panic!("{what}: compare exits {code:?}:\n{}{}", stdout(&output), stderr(&output)),
        }
        if mutant.merge_sees_it {
            let output = merge(&[&dir], &tmp.path().join(format!("merged-{seed}")), &[]);
            assert_eq!(output.status.code(), Some(2), "{what}: merge took it:\n{}", stderr(&output));
            let message = stderr(&output);
            assert!(message.contains(&mutant.file.display().to_string()) || message.contains("complete in none of the folders"), "{what}: {message}");
            merges += 1;
        }
        fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!("{MUTANTS} mutants: compare refused {refused} (exit 2) and failed {failed} (exit 1); merge refused {merges}");
}

#[test]
fn merge_refuses_a_row_its_raw_run_contradicts() {
    let tmp = TempDir::new().unwrap();
    let shard = edited_baseline(&tmp.path().join("shard"), |row| {
        if row.get("instance") == "QPLIB_0752" {
            *row.get("mvm_to_target") = "12800".into();
        }
    });
    let out = tmp.path().join("merged");
    let output = merge(&[&shard], &out, &[]);
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    let file = shard.join("results.csv").display().to_string();
    for text in [file.as_str(), "QPLIB_0752", "mvm_to_target is 12800", "says 1036800"] {
        assert!(message.contains(text), "{text} not in: {message}");
    }
    assert!(!out.exists(), "a refused merge writes nothing");
    // The undamaged copy merges.
    copy_baseline(&shard);
    let output = merge(&[&shard], &out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_merged_folder_is_not_resumed() {
    let fx = fixture();
    let shards = [fx.path("one"), fx.path("two")];
    for (k, dir) in shards.iter().enumerate() {
        fx.bench_ok(&["--shard", &format!("{}/2", k + 1), "--out", dir.to_str().unwrap()]);
    }
    let merged = fx.path("merged");
    assert!(merge(&[&shards[0], &shards[1]], &merged, &[]).status.success());
    let before = fs::read(merged.join("results.json")).unwrap();
    for shard in ["1/2", "2/2"] {
        let output = fx.bench(&["--shard", shard, "--resume", merged.to_str().unwrap()]);
        let message = stderr(&output);
        assert!(!output.status.success(), "{shard}: {message}");
        assert!(message.contains(&format!("{} is a merged folder", merged.display())) && !message.contains("holds shard 1"), "{shard}: {message}");
    }
    assert_eq!(fs::read(merged.join("results.json")).unwrap(), before, "the merged folder is untouched");

    // A folder of the whole run resumed as a shard: the message says what it holds.
    let whole = fx.path("whole");
    fx.bench_ok(&["--out", whole.to_str().unwrap()]);
    let output = fx.bench(&["--shard", "2/2", "--resume", whole.to_str().unwrap()]);
    assert!(!output.status.success());
    // Another shard count is another plan: the run differs, named as such.
    assert!(stderr(&output).contains("holds another run") && stderr(&output).contains("plan.shards: 1 ≠ 2"), "{}", stderr(&output));
    let output = fx.bench(&["--shard", "2/2", "--resume", shards[0].to_str().unwrap()]);
    assert!(stderr(&output).contains("holds shard 1/2 of the run, not shard 2/2 of the run"), "{}", stderr(&output));
}

#[test]
fn one_process_at_a_time_writes_a_folder() {
    let fx = fixture();
    let dir = fx.path("live");
    let qplib = fx.qplib.to_str().unwrap();
    // Long enough to act while it runs: 3 instances × 2 repeats × 2 s.
    let args = ["--qplib-dir", qplib, "bench", "--set", "qbl", "--time-limit", "2", "--repeats", "2", "--threads", "1", "--engine", "cpu", "--reference", "none"];
    let mut live = Command::new(env!("CARGO_BIN_EXE_aocbench"))
        .args(args)
        .args(["--out", dir.to_str().unwrap()])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !dir.join("results.json").exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "the live run never wrote results.json");
        std::thread::sleep(Duration::from_millis(50));
    }
    let in_use = format!("{} is in use", dir.display());

    // A second --resume is refused at once, and so are --force and a merge of the folder.
    let asked = Instant::now();
    let resume = aocbench(&[&args[..], &["--resume", dir.to_str().unwrap()]].concat());
    assert!(!resume.status.success() && stderr(&resume).contains(&in_use), "{}", stderr(&resume));
    assert!(asked.elapsed() < Duration::from_secs(5), "refused at once, not after waiting: {:?}", asked.elapsed());
    let force = aocbench(&[&args[..], &["--force", "--out", dir.to_str().unwrap()]].concat());
    assert!(!force.status.success() && stderr(&force).contains(&in_use), "{}", stderr(&force));
    assert!(dir.join("results.json").exists(), "--force deleted nothing");
    let merged = merge(&[&dir], &fx.path("merged"), &["--allow-partial"]);
    assert!(!merged.status.success() && stderr(&merged).contains(&in_use), "{}", stderr(&merged));
    assert!(live.try_wait().unwrap().is_none(), "the live run was still running throughout");

    // Killed, it leaves its lock file, which blocks nothing: the next --resume is judged on
    // the run it finds (here refused for another seed, not for a lock).
    live.kill().unwrap();
    live.wait().unwrap();
    assert!(dir.join(".aocbench.lock").exists());
    let after = aocbench(&[&args[..], &["--seed", "5", "--resume", dir.to_str().unwrap()]].concat());
    assert!(!after.status.success() && !stderr(&after).contains("in use") && stderr(&after).contains("sweep.seed: 0 ≠ 5"), "{}", stderr(&after));
}

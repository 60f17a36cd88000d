//! Options that would exhaust the machine (issue 24, item 5): each is refused at parse time with
//! its range, refused before it runs with the memory it would need, or runs bounded (a budget
//! that holds under --work, threads clamped to the cores); and under a 4 GiB address-space
//! limit no option combination on a small instance dies of a failed allocation.
//!
//! The timeouts below only guard against a hang (a child past it is killed and the test fails);
//! they are not performance assertions.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aocbench::table::whole;

/// A 6-variable QBL (8 QUMO variables: it fits aoc16, so it never decomposes).
const TINY: &str = include_str!("data/tiny_qbl.qplib.txt");
/// The hang guard of one run.
const HANG_GUARD: Duration = Duration::from_secs(120);
/// `ulimit -v` of the memory-limit test, in KiB: 4 GiB.
const ADDRESS_SPACE_KIB: u64 = 4 << 20;

/// An 81-variable QUMO: larger than aoc16, so BCD solves it; large enough that a batch of 2^20
/// replicas needs more than 4 GiB.
fn smoke_0067() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("qplib/smoke/QPLIB_0067.qplib").display().to_string()
}

struct Run {
    /// The exit code; `None` when a signal ended the process.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn context(&self, args: &[&str]) -> String {
        format!("aocbench {}\nexit {:?}\nstderr:\n{}", args.join(" "), self.code, self.stderr)
    }
}

/// Runs `program args` to its end, killing it past [`HANG_GUARD`] (then the test fails).
fn run_command(program: &str, args: &[&str], dir: &Path) -> Run {
    let mut child = Command::new(program).args(args).current_dir(dir).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the binary starts");
    // Read both pipes while waiting, so that a chatty child never blocks on a full pipe.
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        stdout_pipe.read_to_string(&mut text).map(|_| text).unwrap_or_default()
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        stderr_pipe.read_to_string(&mut text).map(|_| text).unwrap_or_default()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG_GUARD {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{program} {} still ran after {HANG_GUARD:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run { code: status.code(), stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

fn aocbench(args: &[&str], dir: &Path) -> Run {
    run_command(env!("CARGO_BIN_EXE_aocbench"), args, dir)
}

/// Runs aocbench under `ulimit -v` [`ADDRESS_SPACE_KIB`] (set by the shell, which then becomes
/// the binary).
fn aocbench_limited(args: &[&str], dir: &Path) -> Run {
    let script = format!("ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\"");
    let full: Vec<&str> = ["-c", script.as_str(), env!("CARGO_BIN_EXE_aocbench")].into_iter().chain(args.iter().copied()).collect();
    run_command("sh", &full, dir)
}

fn workspace() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("TINY_QBL.qplib");
    std::fs::write(&tiny, TINY).unwrap();
    let tiny = tiny.display().to_string();
    (dir, tiny)
}

/// `text` with every run of whitespace one space: warnings wrap at the console's width.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json(run: &Run, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.context(args)))
}

#[test]
fn absurd_counts_are_refused_at_parse_time_with_their_range() {
    let (dir, tiny) = workspace();
    let tiny = tiny.as_str();
    let cases: [(&[&str], &str); 13] = [
        (&["solve", tiny, "--hardware", "aoc16", "--bcd-block-size", "18446744073709551615", "--work", "1000"], "18446744073709551615 is not in 1..=65536"),
        (&["bench", tiny, "--repeats", "4294967295", "--work", "1000"], "'4294967295' for '--repeats <REPEATS>': 4294967295 is not in 1..=10000"),
        (&["bench", tiny, "--shard", "1/4294967295", "--work", "1000"], "'1/4294967295' for '--shard <K/N|slurm>': 4294967295 shards: a run splits into 1..=10000 shards"),
        (&["solve", tiny, "--hardware", "aoc16", "--bcd-replicas", "1000000000", "--work", "1000"], "'1000000000' for '--bcd-replicas <N>': 1000000000 is not in 1..=65536"),
        (&["solve", tiny, "--hardware", "aoc16", "--bcd-iterations", "4000000000", "--work", "1000"], "'4000000000' for '--bcd-iterations <N>': 4000000000 is not in 1..=1000000"),
        (&["solve", tiny, "--batch-size", "100000000", "--work", "200000"], "'100000000' for '--batch-size <BATCH_SIZE>': 100000000 is not in 1..=1048576"),
        (&["solve", tiny, "--batch-size", "0", "--work", "1000"], "'0' for '--batch-size <BATCH_SIZE>': 0 is not in 1..=1048576"),
        (&["solve", tiny, "--threads", "0", "--work", "1000"], "'0' for '--threads <THREADS>': 0 is not in 1..=1048576"),
        (&["perf", "--replicas", "100000000"], "\"100000000\" is neither a number of replicas in 1..=1048576 nor `auto`"),
        (&["perf", "--iterations", "4000000000"], "'4000000000' for '--iterations <ITERATIONS>': 4000000000 is not in 1..=1000000"),
        (&["perf", "--repeats", "100000000"], "'100000000' for '--repeats <REPEATS>': 100000000 is not in 1..=1000"),
        (&["perf", "--sizes", "64,0", "--instances"], "'0' for '--sizes [<SIZES>...]': 0 is not in 1..=1048576"),
        (&["bench", tiny, "--repeats", "0", "--work", "1000"], "0 is not in 1..=10000"),
    ];
    for (args, message) in cases {
        let run = aocbench(args, dir.path());
        assert_eq!(run.code, Some(2), "{}", run.context(args));
        assert!(run.stderr.contains(message), "expected {message:?}\n{}", run.context(args));
    }
}

/// The sweep's whole budget holds under --work: a batch never spends more than the budget, no
/// batch starts once it is spent, so the run spends at most the budget and one batch.
#[test]
fn the_work_budget_holds_whatever_the_batch_size() {
    let (dir, tiny) = workspace();
    // Phase 2's iterations per replica for a QUMO under 1000 variables: the most any batch runs
    // here (the deep search caps its own by the budget left).
    const ITERATIONS: u64 = 200;
    for (work, batch) in [(200_000u64, Some("1048576")), (5, None), (1000, None), (20_000, None), (200_000, None)] {
        let work_text = work.to_string();
        let mut args = vec!["solve", tiny.as_str(), "--work", &work_text, "--engine", "cpu", "--json"];
        args.extend(batch.iter().flat_map(|b| ["--batch-size", b]));
        let run = aocbench(&args, dir.path());
        assert_eq!(run.code, Some(0), "{}", run.context(&args));
        let report = json(&run, &args);
        let (spent, ran_batch) = (report["sweep"]["total_mvm"].as_u64().unwrap(), report["sweep"]["batch_size"].as_u64().unwrap());
        assert!(spent <= work + ran_batch * ITERATIONS, "--work {work}: spent {spent} with batches of {ran_batch}\n{}", run.context(&args));
        assert!(ran_batch * ITERATIONS <= work.max(ITERATIONS), "--work {work}: a batch of {ran_batch} spends more than the budget");
        let warned = flat(&run.stderr).contains(&format!("--batch-size 1048576 would spend more than the whole --work budget ({} replica-iterations) in one batch: it ran with {ran_batch}", whole(work)));
        assert_eq!(warned, batch.is_some(), "the cut names the option it cut\n{}", run.context(&args));
    }
}

/// BCD's sub-solves are cut to the work budget: huge --bcd-iterations or --bcd-replicas end
/// within the budget and one sub-solve, with a warning that names them.
#[test]
fn the_work_budget_bounds_bcd_sub_solves() {
    let (dir, _) = workspace();
    let instance = smoke_0067();
    for (option, value, cut) in [("--bcd-iterations", "1000000", "12500"), ("--bcd-replicas", "65536", "65536")] {
        let args = ["solve", instance.as_str(), "--hardware", "aoc16", option, value, "--work", "200000", "--engine", "cpu", "--json"];
        let run = aocbench(&args, dir.path());
        assert_eq!(run.code, Some(0), "{}", run.context(&args));
        let report = json(&run, &args);
        let bcd = &report["sweep"]["decomposition"];
        let step = bcd["replicas"].as_u64().unwrap() * bcd["iterations"].as_u64().unwrap();
        assert!(step <= 200_000, "{option} {value}: one sub-solve spends {step}");
        assert!(report["sweep"]["total_mvm"].as_u64().unwrap() <= 200_000 + step, "{}", run.context(&args));
        if option == "--bcd-iterations" {
            assert_eq!(bcd["iterations"].to_string(), cut);
            assert!(flat(&run.stderr).contains("--bcd-iterations 1000000 would spend more than the whole --work budget (200,000 replica-iterations) in one batch: it ran with 12500"), "{}", run.context(&args));
        } else {
            assert_eq!(bcd["replicas"].to_string(), cut, "65536 replicas fit the budget; their iterations are cut");
            assert_eq!(bcd["iterations"], 3);
        }
    }
}

#[test]
fn more_threads_than_cores_run_on_the_cores_with_a_warning() {
    let (dir, tiny) = workspace();
    let args = ["solve", tiny.as_str(), "--threads", "100000", "--work", "1000", "--engine", "cpu", "--json"];
    let run = aocbench(&args, dir.path());
    assert_eq!(run.code, Some(0), "{}", run.context(&args));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(json(&run, &args)["sweep"]["engine"]["threads"], cores);
    assert!(run.stderr.contains(&format!("warning: --threads 100000: this process has {cores} core")), "{}", run.context(&args));
}

#[test]
fn calibration_files_too_large_or_nested_too_deep_are_refused_by_name() {
    let (dir, tiny) = workspace();
    // Sparse: 100 MiB of size without writing it.
    let large = dir.path().join("large.yaml");
    std::fs::File::create(&large).unwrap().set_len(100 << 20).unwrap();
    let nested = dir.path().join("nested.yaml");
    std::fs::write(&nested, "{a: ".repeat(50_000) + &"}".repeat(50_000)).unwrap();
    let cases: [(&PathBuf, &str); 2] = [(&large, "100.0 MiB, more than the 1.0 MiB a calibration file may hold"), (&nested, "line 1: brackets nest deeper than 64 levels")];
    for (file, problem) in cases {
        let args = ["solve", tiny.as_str(), "--hardware", "aoc16", "--calibration", file.to_str().unwrap(), "--work", "1000"];
        let run = aocbench(&args, dir.path());
        assert_eq!(run.code, Some(2), "an input error: {}", run.context(&args));
        assert!(run.stderr.contains(&format!("calibration file {}: {problem}", file.display())), "{}", run.context(&args));
    }
}

/// A 4 GiB address-space limit, and options that ask for the most each allows: every run
/// either completes or refuses with a message, none dies of a failed allocation (SIGABRT) or a
/// kill. The CPU engine throughout: the GPU's loader reserves address space of its own.
#[test]
fn no_option_combination_dies_under_a_4_gib_address_space_limit() {
    let (dir, tiny) = workspace();
    let (tiny, large) = (tiny.as_str(), smoke_0067());
    let large = large.as_str();
    let out = |name: &str| dir.path().join(name).display().to_string();
    let (out1, out2) = (out("bench-repeats"), out("bench-shard"));
    let control: &[&str] = &["solve", tiny, "--work", "20000", "--engine", "cpu"];
    let control_run = aocbench_limited(control, dir.path());
    assert_eq!(control_run.code, Some(0), "the limit leaves a normal run alone\n{}", control_run.context(control));

    // (arguments, whether the run must be refused; `false`: it must complete).
    let cases: [(&[&str], bool); 10] = [
        (&["solve", tiny, "--work", "1000000000000", "--deep-iterations", "1..10", "--engine", "cpu"], true),
        (&["solve", large, "--batch-size", "1048576", "--time-limit", "1", "--engine", "cpu"], true),
        (&["solve", tiny, "--batch-size", "1048576", "--work", "200000", "--engine", "cpu"], false),
        (&["solve", large, "--batch-size", "1048576", "--work", "200000", "--engine", "cpu", "--threads", "100000"], false),
        (&["solve", large, "--hardware", "aoc16", "--bcd-replicas", "65536", "--bcd-iterations", "1000000", "--work", "200000", "--engine", "cpu"], false),
        (&["solve", large, "--hardware", "aoc48", "--bcd-replicas", "65536", "--work", "100000", "--engine", "cpu"], false),
        (&["bench", tiny, "--repeats", "10000", "--shard", "10000/10000", "--work", "1000", "--reference", "none", "--engine", "cpu", "--out", &out1], false),
        (&["bench", tiny, "--shard", "9999/10000", "--work", "1000", "--reference", "none", "--engine", "cpu", "--out", &out2], false),
        (&["perf", "--sizes", "100000", "--instances", "--engine", "cpu"], true),
        (&["perf", "--sizes", "256", "--instances", "--replicas", "1048576", "--iterations", "1", "--repeats", "1", "--engine", "cpu", "--out", &out("perf.csv")], true),
    ];
    for (args, refused) in cases {
        let run = aocbench_limited(args, dir.path());
        let context = run.context(args);
        assert!(run.code.is_some(), "ended by a signal\n{context}");
        assert!(!run.stderr.contains("memory allocation") && !run.stderr.contains("panicked"), "{context}");
        if refused {
            assert_eq!(run.code, Some(1), "{context}");
            assert!(run.stderr.contains("of memory (estimate), but") && run.stderr.contains("is available ("), "{context}");
        } else {
            assert_eq!(run.code, Some(0), "{context}");
        }
    }
}

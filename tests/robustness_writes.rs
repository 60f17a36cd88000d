//! Issue 24, items 1, 2 and 6: an output named on the command line never destroys what its path
//! names (a device, a FIFO, a symbolic link, the input, a folder), a bad save path is refused
//! before the solve, and a save that fails after it leaves the printed result; numbers that
//! enter from a catalog, `--best-known` or a calibration file are finite and in range, named by
//! their source. The tests run as root (mknod, chattr): where a tool fails, the test fails.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TINY: &str = include_str!("data/tiny_qbl.qplib.txt");
const CATALOG: &str = include_str!("../qplib/catalog.csv");
const AOC16: &str = include_str!("../calibration/June2024_saturation_pieces_clip2p6.yaml");

fn aocbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).output().expect("the binary runs")
}

fn text(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A folder holding the tiny instance as `i.qplib`.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let instance = dir.path().join("i.qplib");
    fs::write(&instance, TINY).unwrap();
    (dir, instance)
}

fn solve_saving(instance: &Path, out: &Path, extra: &[&str]) -> Output {
    aocbench(&[&["solve", text(instance), "--engine", "cpu", "--work", "2000", "--save-solution", text(out)][..], extra].concat())
}

fn export_to(instance: &Path, out: &Path) -> Output {
    aocbench(&["export", text(instance), "--to", "lp", "-o", text(out)])
}

fn perf_to(out: &Path) -> Output {
    aocbench(&["perf", "--engine", "cpu", "--sizes", "8", "--instances", "--iterations", "10", "--repeats", "1", "--out", text(out)])
}

/// Refused before any work (an input error, exit status 2), naming `path` and `what` it is:
/// nothing on standard output.
fn assert_refused(out: &Output, path: &Path, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("cannot write {}", path.display())) && stderr.contains(what), "{what:?} for {}: {stderr}", path.display());
    assert!(out.stdout.is_empty(), "refused before the work: {}", String::from_utf8_lossy(&out.stdout));
}

fn run_tool(program: &str, args: &[&str]) {
    let status = Command::new(program).args(args).status().unwrap_or_else(|e| panic!("{program} must run: {e}"));
    assert!(status.success(), "{program} {args:?} failed");
}

#[test]
fn a_character_device_is_refused_and_stays_a_device() {
    let (dir, instance) = workspace();
    let device = dir.path().join("mynull");
    run_tool("mknod", &[text(&device), "c", "1", "3"]);
    assert_refused(&solve_saving(&instance, &device, &[]), &device, "a character device");
    assert_refused(&export_to(&instance, &device), &device, "a character device");
    assert_refused(&perf_to(&device), &device, "a character device");
    // The second file of --polish is checked as well, before the solve.
    let polished = dir.path().join("out.sol.polished");
    run_tool("mknod", &[text(&polished), "c", "1", "3"]);
    assert_refused(&solve_saving(&instance, &dir.path().join("out.sol"), &["--polish"]), &polished, "a character device");
    assert!(!dir.path().join("out.sol").exists());
    // A link to a device is followed, and refused for what it points to.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&device, &link).unwrap();
    assert_refused(&solve_saving(&instance, &link, &[]), &link, "a link to");
    for node in [&device, &polished] {
        let metadata = fs::metadata(node).unwrap();
        assert!(metadata.file_type().is_char_device(), "{} is still a device", node.display());
        assert_eq!(metadata.rdev(), fs::metadata("/dev/null").unwrap().rdev(), "still the null device");
    }
}

#[test]
fn a_fifo_is_refused_and_stays_a_fifo() {
    let (dir, instance) = workspace();
    let fifo = dir.path().join("fifo");
    run_tool("mkfifo", &[text(&fifo)]);
    assert_refused(&solve_saving(&instance, &fifo, &[]), &fifo, "a FIFO");
    assert_refused(&export_to(&instance, &fifo), &fifo, "a FIFO");
    assert_refused(&perf_to(&fifo), &fifo, "a FIFO");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let (dir, instance) = workspace();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("target.sol");
    fs::write(&target, "old\n").unwrap();
    let link = dir.path().join("link.sol");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = solve_saving(&instance, &link, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(fs::read_link(&link).unwrap(), target, "the link is kept");
    assert!(fs::read_to_string(&target).unwrap().starts_with("# instance TINY_QBL\n# solver AOC-DT\n"));
    let out = export_to(&instance, &link);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(fs::read_to_string(&target).unwrap().contains("Minimize"), "the LP went to the link's target");
    // Only the target's folder holds the written file: no temporary file was left beside it.
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 1);
    // A link to nothing is refused and left as it was.
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    assert_refused(&solve_saving(&instance, &dangling, &[]), &dangling, "a symbolic link to nothing");
    assert!(fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink() && !dir.path().join("nowhere").exists());
}

#[test]
fn no_file_the_run_reads_is_an_output() {
    let (dir, instance) = workspace();
    let hard_link = dir.path().join("same.qplib");
    fs::hard_link(&instance, &hard_link).unwrap();
    let respelled = dir.path().join(".").join("i.qplib");
    for out in [&instance, &hard_link, &respelled] {
        assert_refused(&solve_saving(&instance, out, &[]), out, "this run reads it");
        assert_refused(&export_to(&instance, out), out, "this run reads it");
    }
    let calibration = dir.path().join("cal.yaml");
    fs::write(&calibration, AOC16).unwrap();
    assert_refused(&solve_saving(&instance, &calibration, &["--hardware", "aoc16", "--calibration", text(&calibration)]), &calibration, "this run reads it");
    assert_eq!(fs::read_to_string(&instance).unwrap(), TINY);
    assert_eq!(fs::read_to_string(&calibration).unwrap(), AOC16);
}

#[test]
fn a_folder_is_refused_and_left_as_it_was() {
    let (dir, instance) = workspace();
    let folder = dir.path().join("results");
    fs::create_dir(&folder).unwrap();
    assert_refused(&solve_saving(&instance, &folder, &[]), &folder, "it is a folder");
    assert_refused(&export_to(&instance, &folder), &folder, "it is a folder");
    assert!(folder.is_dir() && fs::read_dir(&folder).unwrap().next().is_none());
}

/// Makes a folder immutable (read-only even for root) while it lives.
struct Immutable<'a>(&'a Path);

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        run_tool("chattr", &["-i", text(self.0)]);
    }
}

#[test]
fn a_folder_without_write_access_is_refused_before_the_solve() {
    let (dir, instance) = workspace();
    let folder = dir.path().join("locked");
    fs::create_dir(&folder).unwrap();
    run_tool("chattr", &["+i", text(&folder)]);
    let _undo = Immutable(&folder);
    let out = folder.join("out.sol");
    assert_refused(&solve_saving(&instance, &out, &[]), &out, "no file can be created in");
    let nested = folder.join("new").join("out.sol");
    assert_refused(&solve_saving(&instance, &nested, &[]), &nested, "no file can be created in");
    let proc = Path::new("/proc/x");
    assert_refused(&solve_saving(&instance, proc, &[]), proc, "no file can be created in /proc");
    assert_refused(&export_to(&instance, proc), proc, "no file can be created in /proc");
}

/// A save that fails after the solve (here: no file may grow, `ulimit -f 0`, as on a full disk)
/// comes after the printed result, and the exit status says it failed.
#[test]
fn a_save_that_fails_after_the_solve_keeps_the_printed_result() {
    let (dir, instance) = workspace();
    let out_file = dir.path().join("out.sol");
    for format in [&[][..], &["--json"]] {
        let out = Command::new("sh")
            .args(["-c", "trap '' XFSZ; ulimit -f 0; exec \"$@\"", "sh", env!("CARGO_BIN_EXE_aocbench")])
            .args([&["solve", text(&instance), "--engine", "cpu", "--work", "2000", "--save-solution", text(&out_file)][..], format].concat())
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stdout.contains("best objective") || stdout.contains("\"best_objective\""), "the result is printed: {stdout}");
        assert!(stderr.contains("the result printed above was not saved") && stderr.contains(&out_file.display().to_string()), "{stderr}");
        assert!(!out_file.exists() || fs::read(&out_file).unwrap().is_empty());
    }
}

/// A copy of the shipped catalog with QPLIB_0067's row (line 2) edited, beside that instance.
fn folder_with_catalog(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("qbl")).unwrap();
    fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/qplib/smoke/QPLIB_0067.qplib"), dir.path().join("qbl/QPLIB_0067.qplib")).unwrap();
    let catalog: String = CATALOG.lines().map(|line| if line.starts_with("QPLIB_0067,") { edit(line) } else { line.to_string() } + "\n").collect();
    assert_ne!(catalog, CATALOG, "the edit changed the row");
    fs::write(dir.path().join("catalog.csv"), catalog).unwrap();
    dir
}

/// `solve`, `info` and `bench` of QPLIB_0067 in `qplib_dir` fail with `message` and print no
/// result.
fn assert_catalog_refused(qplib_dir: &str, message: &str) {
    for args in [&["solve", "QPLIB_0067", "--work", "1000"][..], &["info", "QPLIB_0067"], &["bench", "QPLIB_0067", "--work", "1000", "--out", &format!("{qplib_dir}/run")]] {
        let out = aocbench(&[&["--qplib-dir", qplib_dir][..], args].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(message), "{message:?} in {args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "no result from a catalog that cannot be trusted");
    }
}

#[test]
fn a_non_finite_best_known_in_the_catalog_is_refused() {
    for written in ["-1e309", "1e400", "inf", "NaN"] {
        let dir = folder_with_catalog(|row| row.replacen(",min,-110942.0,", &format!(",min,{written},"), 1));
        let qplib_dir = text(dir.path());
        assert_catalog_refused(qplib_dir, &format!("{qplib_dir}/catalog.csv:2: instance QPLIB_0067: best_known_objective \"{written}\" is not a finite number"));
    }
}

#[test]
fn a_non_finite_best_known_option_is_refused() {
    let (_dir, instance) = workspace();
    for written in ["-1e309", "1e400", "inf", "-inf", "NaN"] {
        let out = aocbench(&["solve", text(&instance), "--work", "1000", &format!("--best-known={written}")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("--best-known") && stderr.contains("expected a finite number"), "{stderr}");
    }
}

#[test]
fn a_catalog_row_that_disagrees_with_the_file_is_an_error() {
    let cases: [(&str, &str, &str); 3] = [
        (",80,80,1,2844,0,0,80,min,", ",80,80,1,2844,0,0,80,max,", "objective_sense max against min"),
        (",80,80,1,2844,", ",80,79,1,2844,", "n_binary 79 against 80"),
        (",80,80,1,2844,", ",81,80,2,2844,", "n_vars 81 against 80, n_constraints 2 against 1"),
    ];
    for (from, to, difference) in cases {
        let dir = folder_with_catalog(|row| row.replacen(from, to, 1));
        let qplib_dir = text(dir.path());
        assert_catalog_refused(qplib_dir, &format!("{qplib_dir}/catalog.csv:2: the catalog's row for QPLIB_0067 does not describe {qplib_dir}/qbl/QPLIB_0067.qplib ({difference})"));
    }
}

/// `solve --hardware aoc16` with `yaml` written to `file` fails with `message`.
fn assert_calibration_refused(instance: &Path, file: &Path, yaml: &str, message: &str) {
    fs::write(file, yaml).unwrap();
    let out = aocbench(&["solve", text(instance), "--work", "1000", "--hardware", "aoc16", "--calibration", text(file)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains(message), "{message:?} not in: {stderr}");
}

#[test]
fn calibration_values_must_be_finite_and_in_range() {
    let (dir, instance) = workspace();
    let cases = [
        ("deq_input_min_max: [-1.3, 1.3]", "deq_input_min_max: [-.inf, .inf]", "deq_input_min_max[0] = -inf is not a finite number"),
        ("deq_input_min_max: [-1.3, 1.3]", "deq_input_min_max: [-1.3, .nan]", "deq_input_min_max[1] = NaN is not a finite number"),
        ("tanh_sigmoid_coeffs: [3.650472665, 0,", "tanh_sigmoid_coeffs: [1e308, 0,", "tanh_sigmoid_coeffs[0] = 1e308 is not a finite number within ±1e3"),
        ("tanh_sigmoid_coeffs: [3.650472665, 0, 3.920930171, 0.085337389, 0]", "tanh_sigmoid_coeffs: [3.650472665, 0, 3.920930171, 1e-300, 0]", "tanh_sigmoid_coeffs[3]: the amplitude d = 1e-300 must be at least 1e-6 V"),
        ("pd_offset_positive_row12: [", "pd_offset_positive_row12: [-1e308, ", "pd_offset.pd_offset_positive_row12[0] = -1e308"),
    ];
    for (from, to, problem) in cases {
        assert!(AOC16.contains(from), "{from}");
        let file = dir.path().join("edited.yaml");
        assert_calibration_refused(&instance, &file, &AOC16.replacen(from, to, 1), &format!("calibration file {}: {problem}", file.display()));
    }
}

/// A calibration of one channel holds no variable with signed weights: the message names the
/// file, not only the machine.
#[test]
fn a_one_channel_calibration_names_its_file() {
    let (dir, instance) = workspace();
    let mut yaml = AOC16.to_string();
    for key in ["pd_offset_positive_row12", "pd_offset_negative_row12"] {
        let start = yaml.find(&format!("{key}: [")).unwrap();
        let end = start + yaml[start..].find(']').unwrap();
        yaml.replace_range(start..=end, &format!("{key}: [0.001]"));
    }
    let file = dir.path().join("one.yaml");
    assert_calibration_refused(&instance, &file, &yaml, &format!("aoc16 with calibration {} (1 channel) holds 0 variables", file.display()));
}

#[test]
fn the_largest_block_size_is_refused_without_overflow() {
    let (_dir, instance) = workspace();
    // Beyond the option's range: refused when the arguments are read.
    let out = aocbench(&["solve", text(&instance), "--work", "1000", "--hardware", "aoc16", "--bcd-block-size", "18446744073709551615"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("18446744073709551615 is not in 1..=65536") && !stderr.contains("need 0"), "{stderr}");
    // Inside the range but beyond the machine: the machine's limit named, no overflow.
    let out = aocbench(&["solve", text(&instance), "--work", "1000", "--hardware", "aoc16", "--bcd-block-size", "65536"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("--bcd-block-size 65536 leaves no room") && stderr.contains("holds 8 variables") && !stderr.contains("need 0"), "{stderr}");
}

/// The QUMO conversion's errors name the instance (the file's first line); solve adds the file.
#[test]
fn conversion_errors_in_solve_name_the_file() {
    let (dir, _) = workspace();
    let infeasible = dir.path().join("infeasible.qplib");
    fs::write(&infeasible, TINY.replacen("4.0 # default right-hand-side value", "-4.0 # default right-hand-side value", 1)).unwrap();
    let out = aocbench(&["solve", text(&infeasible), "--work", "1000"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains(&format!("error: {}: TINY_QBL: constraint 2 can never be satisfied", infeasible.display())), "{stderr}");
}

/// `aocbench … | head` closes the pipe while the run still has work and files to write: the
/// run goes on, writes them, and ends as asked (no panic, exit 0). Both streams closed at once,
/// before the first line, as `2>&1 | head -0` would.
#[test]
fn a_closed_pipe_loses_no_result() {
    use std::process::Stdio;

    let (dir, instance) = workspace();
    let out = dir.path().join("bench");
    let runs: [Vec<String>; 3] = [
        ["bench", instance.to_str().unwrap(), "--reference", "none", "--work", "100000", "--out", out.to_str().unwrap()].map(String::from).to_vec(),
        ["solve", instance.to_str().unwrap(), "--work", "100000"].map(String::from).to_vec(),
        ["completions", "bash"].map(String::from).to_vec(),
    ];
    for args in runs {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aocbench"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        // Closing the read ends: every write of the child now fails with EPIPE.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?} on closed pipes: {status}");
    }
    for file in ["results.csv", "results.json", "comparison.md", "comparison.csv", "profile.svg", "gap_over_time.svg"] {
        assert!(out.join(file).is_file(), "{file} was not written");
    }
    assert_eq!(fs::read_to_string(out.join("results.csv")).unwrap().lines().count(), 2, "the header and the instance's row");
}

//! The hardware-faithful twin on the CPU engine: the noise gives the paper's product error,
//! every non-ideality off is the ideal engine bit for bit, each one on changes the run, and a
//! run stays reproducible under noise.

use std::process::Command;

use aocbench::engine::{Batch, Couplings, CpuEngine, DynamicsProblem, Engine, Precision, ProductForm, ReplicaParams};
use aocbench::hardware::{Calibration, HardwareModel, Machine, NonIdeality, PRODUCT_MSE};
use aocbench::model::random::{random_instance, RandomSpec};
use aocbench::model::Sense;
use aocbench::qumo::QumoModel;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn aoc16(enabled: &[NonIdeality]) -> HardwareModel {
    HardwareModel::new(Machine::Aoc16, Calibration::aoc16(), enabled)
}

/// A random n×n matrix scaled to ‖W‖∞ = max_i Σ_j |W_ij| = 1, the product's full scale.
fn normalised_matrix(n: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    let w: Vec<f64> = (0..n * n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let norm = w.chunks(n).map(|row| row.iter().map(|v| v.abs()).sum::<f64>()).fold(0.0, f64::max);
    w.iter().map(|v| v / norm).collect()
}

/// With only the noise on, the product's mean squared error against the exact product is the
/// paper's 5.5e-3 (of the full scale) within 5 %, over 93 random normalised 16×16 matrices (the
/// paper measured 93 reference matrices). The product is read off one iteration of continuous
/// variables: with α = m = h = 0, x₁ = x₀ + dt·G·(J·x₀ + noise), well inside the walls.
#[test]
fn only_noise_gives_the_papers_product_error() {
    let (n, replicas) = (16, 64);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(93);
    let mut engine = CpuEngine::new(Some(1), Precision::F32).unwrap();
    engine.set_hardware(Some(aoc16(&[NonIdeality::Noise])));
    let params = vec![ReplicaParams { annealing: 0.0, gradient: 0.1, momentum: 0.0 }; replicas];
    let dt_gradient = 0.5 * 0.1;
    let (mut squared, mut count) = (0.0, 0);
    for matrix in 0..93 {
        let w = normalised_matrix(n, &mut rng);
        let problem = DynamicsProblem { n, n_binary: 0, couplings: Couplings::Dense(w.iter().map(|&v| v as f32).collect()), h: vec![0.0; n] };
        engine.load(&problem).unwrap();
        let initial: Vec<f32> = (0..replicas * n).map(|_| rng.random_range(0.3..0.7)).collect();
        let out = engine.run(&Batch { params: &params, initial: &initial, iterations: 1, dt: 0.5, noise_seed: matrix }).unwrap();
        for (x0, x1) in initial.chunks(n).zip(out.states.chunks(n)) {
            for i in 0..n {
                let exact: f64 = (0..n).map(|j| f64::from(w[i * n + j] as f32) * f64::from(x0[j])).sum();
                let measured = f64::from(x1[i] - x0[i]) / dt_gradient;
                squared += (measured - exact).powi(2);
                count += 1;
            }
        }
    }
    let mse = squared / count as f64;
    println!("product MSE with noise only: {mse:.5e} over {count} entries");
    assert!((mse / PRODUCT_MSE - 1.0).abs() < 0.05, "product MSE {mse:.4e} against the paper's {PRODUCT_MSE:.1e} ({count} entries)");
}

/// A random QBL's dynamics (binaries and slacks) in `form`.
fn random_problem(form: ProductForm, seed: u64) -> DynamicsProblem {
    let instance = random_instance(RandomSpec { n: 12, rows: [2, 1, 0, 1], density: 0.5, sense: Sense::Minimize }, seed);
    let model = QumoModel::new(&instance).unwrap();
    DynamicsProblem::from_qumo(&model.build(&model.initial_weights(1.0)), Some(form))
}

fn run(problem: &DynamicsProblem, precision: Precision, threads: usize, hardware: Option<HardwareModel>, noise_seed: u64) -> (Vec<f32>, Vec<f64>) {
    let mut engine = CpuEngine::new(Some(threads), precision).unwrap();
    engine.set_hardware(hardware);
    engine.load(problem).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let replicas = 150;
    let params: Vec<ReplicaParams> = (0..replicas)
        .map(|_| ReplicaParams { annealing: rng.random_range(0.1..3.0), gradient: rng.random_range(0.01..0.5), momentum: rng.random_range(0.9..0.99) })
        .collect();
    let initial: Vec<f32> = (0..replicas * problem.n).map(|_| rng.random_range(-0.3..0.3)).collect();
    let out = engine.run(&Batch { params: &params, initial: &initial, iterations: 60, dt: 0.5, noise_seed }).unwrap();
    (out.states, out.energies)
}

/// Every non-ideality off is today's engine bit for bit (states and energies), in both
/// precisions and every form the machine takes; each one on alone changes the run.
#[test]
fn each_non_ideality_off_is_the_ideal_engine_and_on_changes_the_run() {
    for form in [ProductForm::Dense, ProductForm::Sparse] {
        let problem = random_problem(form, 11);
        for precision in [Precision::F32, Precision::F64] {
            let ideal = run(&problem, precision, 2, None, 3);
            assert_eq!(run(&problem, precision, 2, Some(aoc16(&[])), 3), ideal, "{form:?} {precision:?}: no non-ideality");
            for one in NonIdeality::ALL {
                let states = run(&problem, precision, 2, Some(aoc16(&[one])), 3).0;
                assert_ne!(states, ideal.0, "{form:?} {precision:?}: {one:?} alone left every state unchanged");
            }
        }
    }
}

/// Under every non-ideality the run is a pure function of its inputs and the batch's noise
/// seed: the same bits on 1 and 2 threads, other bits under another seed.
#[test]
fn noise_is_seeded_and_independent_of_threads() {
    let problem = random_problem(ProductForm::Dense, 12);
    let all = || Some(HardwareModel::new(Machine::Aoc48, Calibration::aoc48(), &NonIdeality::ALL));
    let one_thread = run(&problem, Precision::F32, 1, all(), 9);
    assert_eq!(run(&problem, Precision::F32, 2, all(), 9), one_thread);
    assert_ne!(run(&problem, Precision::F32, 2, all(), 10).0, one_thread.0);
}

#[test]
fn factored_j_is_refused_by_the_machine() {
    let mut engine = CpuEngine::new(Some(1), Precision::F32).unwrap();
    engine.set_hardware(Some(aoc16(&NonIdeality::ALL)));
    let error = engine.load(&random_problem(ProductForm::Factored, 13)).unwrap_err().to_string();
    assert!(error.contains("dense or sparse"), "{error}");
}

fn aocbench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aocbench")).args(args).output().expect("the binary runs")
}

const TINY: &str = include_str!("data/tiny_qbl.qplib.txt");

/// `solve --hardware` under `--work` and a seed: the same answer and work counters twice, the
/// machine named in the report, the capacity warning for a QUMO larger than 8 variables, and a
/// malformed calibration file refused with its name.
#[test]
fn solve_on_the_machine_is_reproducible_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("TINY_QBL.qplib");
    std::fs::write(&path, TINY).unwrap();
    let solve = || {
        let out = aocbench(&["solve", path.to_str().unwrap(), "--engine", "cpu", "--work", "200000", "--seed", "4", "--hardware", "aoc16", "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (report, String::from_utf8(out.stderr).unwrap())
    };
    let (first, stderr) = solve();
    let (second, _) = solve();
    assert_eq!(first["answer"]["objective"], second["answer"]["objective"]);
    // Everything but the clock: each improvement's work and objective, each phase's samples.
    let without_clock = |report: &serde_json::Value| {
        let improvements: Vec<_> = report["improvements"].as_array().unwrap().iter().map(|i| (i["mvm"].clone(), i["objective"].clone())).collect();
        let phases: Vec<_> = report["sweep"]["phases"].as_array().unwrap().iter().map(|p| (p["samples"].clone(), p["feasible_samples"].clone(), p["best_objective"].clone())).collect();
        (improvements, phases)
    };
    assert_eq!(without_clock(&first), without_clock(&second));
    assert_eq!(first["hardware"]["machine"], "aoc16");
    assert_eq!(first["hardware"]["non_idealities"].as_array().unwrap().len(), 4);
    assert_eq!(first["sweep"]["engine"]["kind"], "cpu+aoc16");
    // TINY's QUMO: 6 binaries and 2 slacks fit the 8 signed variables of aoc16.
    assert!(!stderr.contains("holds 8 with signed weights"), "{stderr}");
    // A larger QUMO is decomposed by default; undecomposed it is warned about.
    let larger = format!("{}/qplib/smoke/QPLIB_0067.qplib", env!("CARGO_MANIFEST_DIR"));
    let out = aocbench(&["solve", &larger, "--engine", "cpu", "--work", "20000", "--hardware", "aoc16", "--non-ideality", "quantization,tanh", "--decomposition", "none"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("warning: QPLIB_0067: its QUMO has 81 variables, but aoc16 holds 8 with signed weights"), "{stderr}");
    let out = aocbench(&["solve", &larger, "--engine", "cpu", "--work", "20000", "--hardware", "aoc16", "--non-ideality", "quantization,tanh", "--bcd-blocks", "greedy", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !stderr.contains("signed weights"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["sweep"]["decomposition"]["block_size"], 7);
    assert_eq!(report["options"]["decomposition"]["blocks"], "greedy");
    assert_eq!(report["sweep"]["phases"][0]["phase"], "block_descent");
    let out = aocbench(&["solve", &larger, "--work", "1000", "--hardware", "aoc16", "--bcd-block-size", "8"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("--bcd-block-size 8 leaves no room for the extra binary that carries b: aoc16 with calibration June2024_saturation_pieces_clip2p6.yaml holds 8 variables with signed weights, so a block holds at most 7"), "{stderr}");
    // A block that cannot fit is refused before any solve, even on an instance the machine holds.
    let out = aocbench(&["solve", path.to_str().unwrap(), "--work", "1000", "--hardware", "aoc16", "--bcd-block-size", "8"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--bcd-block-size 8 leaves no room"));
    // BCD settings for the ideal twin are refused, not silently ignored.
    for args in [&["--bcd-blocks", "greedy"][..], &["--hardware", "ideal", "--bcd-block-size", "3"], &["--hardware", "ideal", "--decomposition", "none"]] {
        let out = aocbench(&[&["solve", path.to_str().unwrap(), "--work", "1000"][..], args].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains("--hardware"), "{args:?}: {stderr}");
    }

    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "tanh_sigmoid_coeffs: [1, 2, 3]\n").unwrap();
    let out = aocbench(&["solve", path.to_str().unwrap(), "--work", "1000", "--hardware", "aoc16", "--calibration", broken.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("broken.yaml") && stderr.contains("calibration file"), "{stderr}");
    let out = aocbench(&["solve", path.to_str().unwrap(), "--work", "1000", "--non-ideality", "noise"]);
    assert!(!out.status.success());
}

/// `bench --hardware` adds an "AOC (projected)" row per AOC-DT run: the same objective, its
/// times on the machine's projected clock, and its own columns in the comparison.
#[test]
fn bench_on_the_machine_adds_the_projected_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("TINY_QBL.qplib"), TINY).unwrap();
    let out = dir.path().join("run");
    let run = aocbench(&["--qplib-dir", dir.path().to_str().unwrap(), "bench", "TINY_QBL", "--work", "60000", "--seed", "2", "--engine", "cpu", "--reference", "none", "--hardware", "aoc16", "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let mut reader = csv::Reader::from_path(out.join("results.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |row: &csv::StringRecord, name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(|r| column(r, "solver")).collect::<Vec<_>>(), ["aocdt", "aoc_projected"]);
    let (measured, projected) = (&rows[0], &rows[1]);
    assert_eq!(column(measured, "engine"), "cpu+aoc16");
    assert_eq!(column(measured, "best_objective"), column(projected, "best_objective"));
    let results: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let total = results["runs"][0]["metrics"]["projected"]["total_s"].as_f64().unwrap();
    assert_eq!(column(projected, "wall_time_s").parse::<f64>().unwrap(), total);
    // 60 000 replica-iterations at 20 ns plus each sample's 8.9 µs: milliseconds, not the run's wall time.
    assert!(total > 60_000.0 * 20e-9 && total < 0.05, "{total}");
    assert!(results["metadata"]["hardware"].as_str().unwrap().starts_with("aoc16: quantization, noise, offsets, tanh"));
    let comparison = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(comparison.contains("aoc_projected_time_to_target_s") && comparison.contains("AOC (projected)"), "{comparison}");
    // A run of another machine model does not resume this one.
    let other = aocbench(&["--qplib-dir", dir.path().to_str().unwrap(), "bench", "TINY_QBL", "--work", "60000", "--seed", "2", "--engine", "cpu", "--reference", "none", "--hardware", "aoc16", "--non-ideality", "noise", "--resume", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(!other.status.success() && stderr.contains("hardware"), "{stderr}");
}

//! `aocbench perf`'s measurement on tiny workloads (the numbers, not the speed).

use aocbench::engine::{CpuEngine, Engine, Precision};
use aocbench::perf::{measure, AnchorTable, Provenance, Reference, Replicas, Settings, Workload};

fn provenance() -> Provenance {
    Provenance { date: "today".into(), machine: "here".into(), command: "test".into() }
}

#[test]
fn a_dense_row_is_consistent_with_its_timings() {
    let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
    let reference = Reference::for_engine(&engine.info(), None).unwrap();
    let workload = Workload::dense(24, 1);
    let settings = Settings { replicas: Replicas::Fixed(8), iterations: Some(7), repeats: 3, seed: 2 };
    let row = measure(&mut engine, &reference, &workload, settings, &provenance()).unwrap();
    assert_eq!((row.n, row.nnz, row.replicas, row.iterations, row.reference_n), (24, 576, 8, 7, 24));
    let flops = 2.0 * 576.0 * 8.0 * 7.0;
    assert!((row.gflops - flops / row.seconds / 1e9).abs() <= 1e-9 * row.gflops);
    assert!((row.replica_iterations_per_s - 56.0 / row.seconds).abs() <= 1e-9 * row.replica_iterations_per_s);
    let (reference_gflops, ratio) = (row.reference_gflops.unwrap(), row.ratio.unwrap());
    assert!((reference_gflops - flops / row.reference_seconds.unwrap() / 1e9).abs() <= 1e-9 * reference_gflops);
    assert!((ratio - row.gflops / reference_gflops).abs() <= 1e-12 * ratio);
    assert!(row.reference.starts_with("gemm") && row.reference.ends_with("-major)"), "{}", row.reference);
    // J (24² floats) and h shared by 8 replicas, plus x, y, σ, F and 5 schedule values each.
    assert_eq!(row.memory_bytes_per_replica, Some(((24 * 24 + 24) * 4 + 8 * (4 * 24 + 5) * 4) as f64 / 8.0));
    assert_eq!(row.anchor_replica_iterations_per_s, None);
    // One dense product on the CPU: no kernel to name, in the row or the engine's report.
    assert_eq!(row.kernel, "");
    assert_eq!(serde_json::to_value(engine.info()).unwrap().get("dense_kernel"), None);
}

#[test]
fn auto_replicas_are_the_batch_the_engine_picks() {
    let mut engine = CpuEngine::new(Some(2), Precision::F32).unwrap();
    let reference = Reference::for_engine(&engine.info(), None).unwrap();
    let settings = Settings { replicas: Replicas::Preferred, iterations: Some(2), repeats: 1, seed: 2 };
    let row = measure(&mut engine, &reference, &Workload::dense(24, 1), settings, &provenance()).unwrap();
    assert_eq!(row.replicas, engine.batch_size());
    assert_eq!("auto".parse::<Replicas>(), Ok(Replicas::Preferred));
    assert_eq!("12".parse::<Replicas>(), Ok(Replicas::Fixed(12)));
    assert!("0".parse::<Replicas>().is_err() && "many".parse::<Replicas>().is_err());
}

#[test]
fn the_anchor_csv_gives_the_reference_of_matching_shapes_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anchor.csv");
    std::fs::write(
        &path,
        "# device=cuda NVIDIA H100 torch=2.5\nn,B,iters,aocdt_ms_per_iter,aocdt_gflops,sgemm_ms,sgemm_gflops,replica_iters_per_s\n\
         256,4096,200,0.0500,10737.4,0.0400,13421.8,8.192e+07\n",
    )
    .unwrap();
    let reference = Reference::Anchor(AnchorTable::read(&path).unwrap());
    assert_eq!(reference.name(), "torch_aocdt.py sgemm (anchor.csv)");
    match reference.product(256, 4096, 0) {
        aocbench::perf::Product::Known(row) => assert_eq!((row.sgemm_gflops, row.replica_iters_per_s), (13421.8, 8.192e7)),
        _ => panic!("n = 256, B = 4096 is in the anchor CSV"),
    }
    assert!(matches!(reference.product(256, 256, 0), aocbench::perf::Product::Unknown));
}

/// The console table says what its "-" cells mean (a CPU row has no kernel, no memory figure).
#[test]
fn the_console_table_explains_its_dashes() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aocbench"))
        .args(["perf", "--engine", "cpu", "--sizes", "16", "--instances", "--replicas", "16", "--iterations", "2", "--repeats", "1", "--threads", "1"])
        .arg("--out")
        .arg(dir.path().join("perf.csv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let table_has_dash = stdout.lines().any(|l| l.starts_with("dense") && l.split_whitespace().any(|c| c == "-"));
    assert!(table_has_dash, "a CPU row has no kernel:\n{stdout}");
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("dashes: \"-\" is no value. kernel: the CPU engine"), "{stdout}");
}

//! `aocbench perf`: the engine's throughput next to the machine's own reference product of the
//! same shape, measured in the same run.
//!
//! Throughput counts the product only, as effective flops: 2·n²·B per iteration for dense J,
//! 2·nnz·B for sparse or factored J (nnz: the entries its product touches, so factored J does
//! fewer flops for the same J and replica-iterations per second compare the forms), over the wall time of whole engine runs (set-up, the O(n·B) update and
//! the final energies included); also as replica-iterations per second. The reference is timed
//! the same way: the same number of products per timing, warm-up first, runs interleaved with
//! the engine's so that load from other processes hits both alike, medians reported.

mod reference;
mod workload;

pub use reference::{AnchorRow, AnchorTable, Layout, Product, Reference};
pub use workload::Workload;

use std::time::Instant;

use crate::engine::{Batch, Engine, ProductForm};
use crate::resources::{batch_host_bytes, ensure_fits, MAX_BATCH};

/// How to time one workload.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub replicas: Replicas,
    /// Iterations per engine run (= products per reference timing); `None`: calibrated so that
    /// the iterations of a run take about [`TARGET_SECONDS`].
    pub iterations: Option<u32>,
    /// Timed runs after one warm-up run.
    pub repeats: usize,
    pub seed: u64,
}

/// Replicas per batch (B) of a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replicas {
    /// The same B for every workload.
    Fixed(usize),
    /// The B the engine picks for the loaded workload ([`Engine::batch_size`]), as a solve would
    /// run it; the reference gets the same.
    Preferred,
}

impl std::str::FromStr for Replicas {
    type Err = String;

    /// A count in 1..=[`MAX_BATCH`], or `auto` for [`Replicas::Preferred`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "auto" => Ok(Replicas::Preferred),
            _ => match text.parse::<usize>() {
                Ok(count) if count > 0 && count as u64 <= MAX_BATCH => Ok(Replicas::Fixed(count)),
                _ => Err(format!("{text:?} is neither a number of replicas in 1..={MAX_BATCH} nor `auto`")),
            },
        }
    }
}

/// Wall time of one timed engine run when the iteration count is calibrated: long enough that a
/// run's fixed costs (state layout, the exact f64 energies: about three iterations' worth at
/// n = 4096) stay at a few per cent.
pub const TARGET_SECONDS: f64 = 2.0;
/// Iterations of the first calibration run, the least time a calibration run should take, and
/// the most iterations a calibrated run gets.
const CALIBRATION_ITERATIONS: u32 = 10;
const CALIBRATION_SECONDS: f64 = 0.2;
const MAX_ITERATIONS: u32 = 100_000;

/// One measured workload: a row of the CSV.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PerfRow {
    pub workload: String,
    /// How the engine stored and multiplied by J: dense, sparse or factored.
    pub product: String,
    /// The kernel that ran a dense product on the GPU engine (`tiled` or `block8`); empty for
    /// sparse and factored J and on the CPU engine, which have one kernel per product.
    pub kernel: String,
    pub engine: String,
    pub device: String,
    pub threads: usize,
    pub n: usize,
    /// Entries the product touches per replica (n² when J is stored dense; factored, those of
    /// both passes).
    pub nnz: usize,
    pub replicas: usize,
    pub iterations: u32,
    /// Median wall time of one engine run of `iterations` iterations.
    pub seconds: f64,
    pub gflops: f64,
    pub replica_iterations_per_s: f64,
    pub reference: String,
    /// Order of the reference's dense matrix: n, or √nnz for sparse and factored J (same flops per column).
    pub reference_n: usize,
    /// Median wall time of `iterations` reference products (`None` when not timed here).
    pub reference_seconds: Option<f64>,
    pub reference_gflops: Option<f64>,
    /// gflops / reference_gflops.
    pub ratio: Option<f64>,
    /// The anchor script's own AOC-DT rate, for the GPU goal (≥ 1×).
    pub anchor_replica_iterations_per_s: Option<f64>,
    /// The engine's device memory for this batch divided by B (J shared by all replicas).
    pub memory_bytes_per_replica: Option<f64>,
    pub date: String,
    pub machine: String,
    pub command: String,
}

/// When, where and how a perf run was made; repeated on every row so that rows keep it when
/// CSVs are concatenated.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub date: String,
    pub machine: String,
    pub command: String,
}

impl Provenance {
    /// Now, this machine's CPU and cores, and this process's command line.
    pub fn here() -> Provenance {
        Provenance {
            date: chrono::Local::now().format("%Y-%m-%d %H:%M:%S %z").to_string(),
            machine: format!("{} ({} cores)", crate::machine::cpu_model(), crate::machine::available_cores()),
            command: std::env::args().collect::<Vec<_>>().join(" "),
        }
    }
}

/// Effective flops of one iteration (one product) of B replicas.
fn flops_per_iteration(nnz: usize, replicas: usize) -> f64 {
    2.0 * nnz as f64 * replicas as f64
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { 0.5 * (values[mid - 1] + values[mid]) }
}

/// Times `engine` on `workload` next to `reference`.
pub fn measure(engine: &mut dyn Engine, reference: &Reference, workload: &Workload, settings: Settings, provenance: &Provenance) -> anyhow::Result<PerfRow> {
    let problem = &workload.problem;
    let (n, nnz) = (problem.n, problem.product_nonzeros());
    engine.load(problem)?;
    let replicas = match settings.replicas {
        Replicas::Fixed(count) => count,
        Replicas::Preferred => engine.batch_size(),
    };
    anyhow::ensure!(replicas > 0, "perf needs at least one replica");
    // Beside the engine's batch: the reference's σ and product, n × B in f32 each.
    let needed = engine.device_memory_bytes(replicas).unwrap_or(0) as u64 + batch_host_bytes(replicas, n, 0) + 8 * (n * replicas) as u64;
    ensure_fits(needed, || format!("--replicas {replicas} (a batch of {replicas} replicas of the {n}-variable {} workload)", workload.name))?;
    let flops = flops_per_iteration(nnz, replicas);
    let (params, initial) = workload.batch_inputs(replicas, settings.seed);
    let mut batch = Batch { params: &params, initial: &initial, iterations: CALIBRATION_ITERATIONS, dt: 0.5, noise_seed: 0 };
    let iterations = match settings.iterations {
        Some(iterations) => iterations.max(1),
        None => {
            // The marginal cost of an iteration, from runs of N and 2N: a run's fixed costs
            // would make a single short run overestimate it.
            let mut time = |iterations: u32| -> anyhow::Result<f64> {
                batch.iterations = iterations;
                let started = Instant::now();
                engine.run(&batch)?;
                Ok(started.elapsed().as_secs_f64())
            };
            // N doubles until a run is long enough for the difference to rise above the noise.
            let mut short_iterations = CALIBRATION_ITERATIONS;
            let mut short = time(short_iterations)?;
            while short < CALIBRATION_SECONDS && short_iterations < MAX_ITERATIONS / 2 {
                short_iterations *= 2;
                short = time(short_iterations)?;
            }
            let long = time(2 * short_iterations)?;
            let per_iteration = if long > short { (long - short) / short_iterations as f64 } else { long / (2 * short_iterations) as f64 };
            (TARGET_SECONDS / per_iteration).clamp(CALIBRATION_ITERATIONS as f64, MAX_ITERATIONS as f64) as u32
        }
    };
    batch.iterations = iterations;
    let reference_n = if problem.couplings.form() == ProductForm::Dense { n } else { (nnz as f64).sqrt().round() as usize };
    let mut product = reference.product(reference_n, replicas, settings.seed);

    let (mut engine_times, mut reference_times) = (Vec::new(), Vec::new());
    for repeat in 0..=settings.repeats {
        let started = Instant::now();
        engine.run(&batch)?;
        let engine_s = started.elapsed().as_secs_f64();
        let reference_s = match &mut product {
            Product::Timed(p) => Some(p.time(iterations)),
            Product::Known(_) | Product::Unknown => None,
        };
        // The first round warms caches, page tables and thread pools.
        if repeat > 0 {
            engine_times.push(engine_s);
            reference_times.extend(reference_s);
        }
    }

    let seconds = median(engine_times);
    let gflops = flops * iterations as f64 / seconds / 1e9;
    let reference_seconds = (!reference_times.is_empty()).then(|| median(reference_times));
    let reference_gflops = match &product {
        // The reference's own flop count: equal to the engine's for dense J.
        Product::Timed(_) => reference_seconds.map(|s| flops_per_iteration(reference_n * reference_n, replicas) * iterations as f64 / s / 1e9),
        Product::Known(row) => Some(row.sgemm_gflops),
        Product::Unknown => None,
    };
    let info = engine.info();
    let form = problem.couplings.form();
    Ok(PerfRow {
        workload: workload.name.clone(),
        product: form.name().into(),
        kernel: info.dense_kernel.filter(|_| form == ProductForm::Dense).map_or("", |k| k.name()).into(),
        engine: info.kind,
        device: info.device,
        threads: info.threads,
        n,
        nnz,
        replicas,
        iterations,
        seconds,
        gflops,
        replica_iterations_per_s: replicas as f64 * iterations as f64 / seconds,
        reference: match &product {
            Product::Timed(p) => format!("{} ({})", reference.name(), p.layout().map_or("", |l| l.name())),
            Product::Known(_) | Product::Unknown => reference.name(),
        },
        reference_n,
        reference_seconds,
        reference_gflops,
        ratio: reference_gflops.map(|r| gflops / r),
        anchor_replica_iterations_per_s: match &product {
            Product::Known(row) => Some(row.replica_iters_per_s),
            Product::Timed(_) | Product::Unknown => None,
        },
        memory_bytes_per_replica: engine.device_memory_bytes(replicas).map(|b| b as f64 / replicas as f64),
        date: provenance.date.clone(),
        machine: provenance.machine.clone(),
        command: provenance.command.clone(),
    })
}

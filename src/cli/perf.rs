use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::failure::{Failure, Stage};
use super::EngineArgs;
use crate::engine::create_engine;
use crate::qumo::QumoModel;
use crate::output::destination::Destination;
use crate::table::{count, render, whole, wrap, WIDTH};
use crate::perf::{measure, AnchorTable, PerfRow, Provenance, Reference, Replicas, Settings, Workload};
use crate::instances::{self, InstanceDirs};
use crate::resources::ensure_fits;

/// QPLIB instances whose QUMO J is sparse (density below the CPU engine's threshold), from
/// 570 to 8,904 variables; QPLIB_3380 is the scale target.
const DEFAULT_INSTANCES: &str = "QPLIB_3762,QPLIB_6757,QPLIB_3841,QPLIB_3380";

#[derive(Debug, Args)]
pub struct PerfArgs {
    /// Orders n of the dense workloads (random symmetric J); `--sizes` alone runs none.
    #[arg(long, value_delimiter = ',', num_args = 0.., default_value = "64,256,1024,4096", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_048_576))]
    pub sizes: Vec<usize>,
    /// QPLIB instances (names or files) run as converted by `solve` (J in the form `--product`
    /// names, by default the cost model's); `--instances` alone runs none.
    #[arg(long, value_delimiter = ',', num_args = 0.., default_value = DEFAULT_INSTANCES)]
    pub instances: Vec<String>,
    /// Replicas per batch (B), the same for the engine and the reference; `auto`: the batch the
    /// engine picks for each workload, as a solve would run it.
    #[arg(long, default_value = "256")]
    pub replicas: Replicas,
    /// Iterations per timed engine run and products per reference timing, at most 1000000
    /// (default: calibrated to about 2 s of iterations per run, at least 10).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::resources::MAX_ITERATIONS)))]
    pub iterations: Option<u32>,
    /// Timed runs per workload after one warm-up, at most 1000; the medians are reported.
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::resources::MAX_PERF_REPEATS))]
    pub repeats: usize,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// GPU engines: cuBLAS/PyTorch timings measured on the same machine, a CSV with the columns
    /// n,B,iters,aocdt_ms_per_iter,aocdt_gflops,sgemm_ms,sgemm_gflops,replica_iters_per_s
    /// (`#` lines are comments); its sgemm GFLOP/s become the reference of the rows with the
    /// same n and B.
    #[arg(long, value_name = "PATH")]
    pub reference_csv: Option<PathBuf>,
    /// Seed of the random J, replica parameters and initial states.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to write the CSV (default: results/perf/<engine>-<date>.csv): a regular file
    /// (replaced atomically) or a new path, not an input; a symbolic link is followed. Checked
    /// before the measurements. One row per workload, with the table's figures and the device;
    /// its `kernel` column names the GPU engine's dense kernel on dense rows (`tiled` or
    /// `block8`, as AOCBENCH_DENSE_KERNEL chose it) and is empty on the others.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// Measures every workload, prints the table and writes the CSV. Errors: input errors (an
/// instance, the engine, --reference-csv or the --out path) before any measurement, and errors
/// of the measurements or the write.
pub fn run(dir: &InstanceDirs, args: PerfArgs) -> Result<(), Failure> {
    let instances: Vec<PathBuf> = args.instances.iter().filter(|name| !name.is_empty()).map(|name| instances::resolve_instance(dir, name)).collect::<anyhow::Result<_>>().before_work()?;
    let models: Vec<(String, QumoModel)> = instances.iter().map(|path| qumo_model(path)).collect::<anyhow::Result<_>>().before_work()?;
    let mut engine = create_engine(args.engine.engine, args.engine.threads(), args.engine.precision).before_work()?;
    let info = engine.info();
    let out = args.out.unwrap_or_else(|| {
        let date = chrono::Local::now().format("%Y%m%d-%H%M%S");
        PathBuf::from(format!("results/perf/{}-{date}.csv", info.kind))
    });
    let inputs: Vec<&Path> = instances.iter().map(PathBuf::as_path).chain(args.reference_csv.as_deref()).collect();
    let out = Destination::check(&out, &inputs).before_work()?;
    let anchor = args.reference_csv.as_deref().map(AnchorTable::read).transpose().before_work()?;
    let reference = Reference::for_engine(&info, anchor).before_work()?;
    let settings = Settings { replicas: args.replicas, iterations: args.iterations, repeats: args.repeats, seed: args.seed };
    let provenance = Provenance::here();

    let dense = args.sizes.iter().map(|&n| {
        // J is held three times: by the workload, the engine and the reference.
        let needed = (n as u64).saturating_mul(n as u64).saturating_mul(3 * 4);
        ensure_fits(needed, || format!("--sizes {n} (a dense {n} × {n} J in f32)"))?;
        Ok(Workload::dense(n, args.seed ^ n as u64))
    });
    let sparse = models.iter().map(|(name, model)| anyhow::Ok(Workload::qplib(name, model, args.engine.product)));
    let rows = dense
        .chain(sparse)
        .map(|workload| {
            let row = measure(engine.as_mut(), &reference, &workload?, settings, &provenance)?;
            crate::errln!("{} n = {}: {:.1} GFLOP/s, reference {}", row.workload, row.n, row.gflops, row.reference_gflops.map_or("-".into(), |g| format!("{g:.1} GFLOP/s")));
            Ok(row)
        })
        .collect::<anyhow::Result<Vec<PerfRow>>>()
        .during_work()?;
    // The GPU engine's one host thread says nothing about its speed; its dense kernel does.
    let how = info.dense_kernel.map_or_else(|| count(info.threads, "thread"), |kernel| format!("dense kernel {}", kernel.name()));
    crate::outln!("{} engine on {} ({how}); reference: {}", info.kind, info.device, reference.name());
    let cells: Vec<Vec<String>> = rows.iter().map(table_row).collect();
    crate::out!("{}", render(&HEADER, &cells));
    if cells.iter().flatten().any(|cell| cell == "-") {
        crate::outln!("{}", wrap("dashes: ", DASHES, WIDTH));
    }
    // After the table, so that an error here loses no measurement.
    write_csv(&rows, &out).context("the table printed above was not saved").during_work()?;
    crate::outln!("wrote {}", out.path().display());
    Ok(())
}

/// The name and QUMO model of the instance in `path`. Errors: the file does not read, or the
/// instance has no QUMO form.
fn qumo_model(path: &Path) -> anyhow::Result<(String, QumoModel)> {
    let instance = instances::read_instance(path)?;
    let model = QumoModel::new(&instance).with_context(|| path.display().to_string())?;
    Ok((instance.name, model))
}

/// The rows as CSV into `out`.
fn write_csv(rows: &[PerfRow], out: &Destination) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    out.write(&writer.into_inner()?)
}

/// What "-" means in each column of the table where it can occur.
const DASHES: &str = "\"-\" is no value. kernel: the CPU engine, or a sparse or factored product on the GPU (each has one \
kernel; the GPU engine's dense product has two, AOCBENCH_DENSE_KERNEL); ref GFLOP/s and ratio: no reference product of \
that shape was measured or given (--reference-csv); KiB/replica: the engine does not report its memory per replica.";

const HEADER: [&str; 13] = ["workload", "product", "kernel", "n", "nnz", "B", "iterations", "GFLOP/s", "replica-it/s", "ref n", "ref GFLOP/s", "ratio", "KiB/replica"];

fn table_row(row: &PerfRow) -> Vec<String> {
    let optional = |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
    vec![
        row.workload.clone(),
        row.product.clone(),
        if row.kernel.is_empty() { "-".into() } else { row.kernel.clone() },
        whole(row.n),
        whole(row.nnz),
        whole(row.replicas),
        whole(row.iterations),
        format!("{:.1}", row.gflops),
        format!("{:.3e}", row.replica_iterations_per_s),
        whole(row.reference_n),
        optional(row.reference_gflops, 1),
        optional(row.ratio, 3),
        optional(row.memory_bytes_per_replica.map(|b| b / 1024.0), 1),
    ]
}

//! The machine's own reference for the engine's product: the plain product of the same shape
//! with nothing around it, on the same device.
//!
//! * CPU: the `gemm` crate's sgemm (rayon-parallel, AVX-512 kernels where the CPU has them), on
//!   the engine's thread count, in the faster of column- and row-major storage, timed in the
//!   same run and the same way as the engine.
//! * GPU: PyTorch/cuBLAS `J @ S` from the anchor script (`shared/anchors/torch_aocdt.py`),
//!   read from its CSV, since this binary cannot run it. This is the hook for the GPU engine:
//!   once it can time a plain product of its own device (a tiled WGSL sgemm without the
//!   update), add a variant to [`Reference`] and choose it in [`Reference::for_engine`].

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use gemm::Parallelism;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::engine::EngineInfo;

/// Where a row's reference throughput comes from.
pub enum Reference {
    Sgemm(Sgemm),
    Anchor(AnchorTable),
    /// Nothing to compare with (a GPU engine without an anchor CSV).
    Missing,
}

impl Reference {
    /// The CPU engine gets the sgemm on its own thread count; a GPU engine the anchor's
    /// numbers when given.
    pub fn for_engine(info: &EngineInfo, anchor: Option<AnchorTable>) -> anyhow::Result<Reference> {
        Ok(match (info.kind.as_str(), anchor) {
            ("cpu", _) => Reference::Sgemm(Sgemm::new(info.threads)?),
            (_, Some(table)) => Reference::Anchor(table),
            (_, None) => Reference::Missing,
        })
    }

    /// Names the reference in the report.
    pub fn name(&self) -> String {
        match self {
            Reference::Sgemm(_) => format!("gemm {} sgemm", GEMM_VERSION),
            Reference::Anchor(table) => format!("torch_aocdt.py sgemm ({})", table.source),
            Reference::Missing => "none".into(),
        }
    }

    /// The reference for an n×n matrix times `replicas` columns.
    pub fn product(&self, n: usize, replicas: usize, seed: u64) -> Product<'_> {
        match self {
            Reference::Sgemm(sgemm) => Product::Timed(sgemm.product(n, replicas, seed)),
            Reference::Anchor(table) => match table.find(n, replicas) {
                Some(row) => Product::Known(*row),
                None => Product::Unknown,
            },
            Reference::Missing => Product::Unknown,
        }
    }
}

/// The `gemm` version in Cargo.toml, for the report.
const GEMM_VERSION: &str = "0.19";

/// One shape's reference.
pub enum Product<'a> {
    /// Timed here, interleaved with the engine's runs.
    Timed(SgemmProduct<'a>),
    /// Measured elsewhere (the anchor script).
    Known(AnchorRow),
    /// No reference for this shape.
    Unknown,
}

/// The `gemm` crate's sgemm on a fixed number of threads.
pub struct Sgemm {
    pool: rayon::ThreadPool,
}

impl Sgemm {
    pub fn new(threads: usize) -> anyhow::Result<Sgemm> {
        Ok(Sgemm { pool: rayon::ThreadPoolBuilder::new().num_threads(threads).build()? })
    }

    /// Operands of F = J·S: random J, a random 0/1 S of `replicas` columns (the engine's σ).
    fn product(&self, n: usize, replicas: usize, seed: u64) -> SgemmProduct<'_> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        SgemmProduct {
            sgemm: self,
            n,
            replicas,
            j: (0..n * n).map(|_| rng.random_range(-1.0..1.0)).collect(),
            s: (0..n * replicas).map(|_| if rng.random::<bool>() { 1.0 } else { 0.0 }).collect(),
            f: vec![0.0; n * replicas],
            layout: None,
        }
    }
}

/// How the reference stores its matrices. The `gemm` crate is not equally fast on both (on a
/// Xeon 4th gen, row-major ran ~10% faster at n = 4096), so each shape uses the faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// As BLAS stores matrices.
    ColumnMajor,
    /// As the CPU engine stores J and its variable-major chunks.
    RowMajor,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::ColumnMajor => "column-major",
            Layout::RowMajor => "row-major",
        }
    }
}

/// One shape's operands, kept so that repeated timings only time the product.
pub struct SgemmProduct<'a> {
    sgemm: &'a Sgemm,
    n: usize,
    replicas: usize,
    j: Vec<f32>,
    s: Vec<f32>,
    f: Vec<f32>,
    /// Chosen by the first timing.
    layout: Option<Layout>,
}

impl SgemmProduct<'_> {
    /// The layout the timings after the first use.
    pub fn layout(&self) -> Option<Layout> {
        self.layout
    }

    /// Seconds for `count` products F = J·S. The first call times both layouts and keeps the
    /// faster (that call is the warm-up, whose time is not reported).
    pub fn time(&mut self, count: u32) -> f64 {
        match self.layout {
            Some(layout) => self.time_layout(layout, count),
            None => {
                let (column, row) = (self.time_layout(Layout::ColumnMajor, count), self.time_layout(Layout::RowMajor, count));
                self.layout = Some(if row < column { Layout::RowMajor } else { Layout::ColumnMajor });
                column.min(row)
            }
        }
    }

    fn time_layout(&mut self, layout: Layout, count: u32) -> f64 {
        let (n, b) = (self.n, self.replicas);
        // (column stride, row stride) of J (n×n) and of S and F (n×b).
        let ((j_cs, j_rs), (v_cs, v_rs)) = match layout {
            Layout::ColumnMajor => ((n as isize, 1), (n as isize, 1)),
            Layout::RowMajor => ((1, n as isize), (1, b as isize)),
        };
        let (j, s, f) = (&self.j, &self.s, &mut self.f);
        let pool = &self.sgemm.pool;
        let threads = pool.current_num_threads();
        pool.install(|| {
            let start = Instant::now();
            for _ in 0..count {
                // SAFETY: J is n×n, S and F n×b, with the strides of one layout; distinct
                // allocations.
                unsafe {
                    gemm::gemm(
                        n, b, n,
                        f.as_mut_ptr(), v_cs, v_rs,
                        false,
                        j.as_ptr(), j_cs, j_rs,
                        s.as_ptr(), v_cs, v_rs,
                        0.0, 1.0,
                        false, false, false,
                        Parallelism::Rayon(threads),
                    );
                }
            }
            start.elapsed().as_secs_f64()
        })
    }
}

/// One line of the anchor script's CSV.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub struct AnchorRow {
    pub n: usize,
    #[serde(rename = "B")]
    pub replicas: usize,
    pub sgemm_gflops: f64,
    /// The script's own AOC-DT update (cuBLAS product plus element-wise step), for the
    /// replica-iterations goal.
    pub replica_iters_per_s: f64,
}

/// The anchor script's output: `n,B,iters,aocdt_ms_per_iter,aocdt_gflops,sgemm_ms,sgemm_gflops,replica_iters_per_s`
/// after a `# device=…` comment line.
pub struct AnchorTable {
    source: String,
    rows: Vec<AnchorRow>,
}

impl AnchorTable {
    pub fn read(path: &Path) -> anyhow::Result<AnchorTable> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_path(path)
            .with_context(|| format!("reading the anchor CSV {}", path.display()))?;
        let rows = reader.deserialize().collect::<Result<Vec<AnchorRow>, _>>().with_context(|| format!("parsing the anchor CSV {}", path.display()))?;
        anyhow::ensure!(!rows.is_empty(), "the anchor CSV {} has no rows", path.display());
        let source = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
        Ok(AnchorTable { source, rows })
    }

    fn find(&self, n: usize, replicas: usize) -> Option<&AnchorRow> {
        self.rows.iter().find(|r| r.n == n && r.replicas == replicas)
    }
}

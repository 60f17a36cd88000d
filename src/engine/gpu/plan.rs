//! How a problem is laid out on a device: padding, how J (and the rows of factored J) is split
//! into row blocks that each fit one storage binding, and how many replicas one sub-batch holds.
//! Pure arithmetic, no GPU.

use std::ops::Range;
use std::time::Duration;

use super::shaders::{COLUMN_ALIGN, DENSE_TILE_K, DENSE_TILE_ROWS, SPARSE_WG_ROWS};
use super::layout::Replica;
use crate::engine::{Couplings, Csr, DynamicsProblem};

const F32: u64 = 4;
/// A CSR entry on the device: (column, value bits).
const SPARSE_ENTRY: u64 = 8;
const REPLICA_PARAMS: u64 = size_of::<Replica>() as u64;

/// What the device lets one buffer binding and one dispatch hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    /// Largest storage binding (and buffer) in bytes.
    pub binding_bytes: u64,
    pub workgroups_per_dimension: u32,
}

/// The device layout of one problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Dense: words per row of a J block (n rounded up to whole tiles); otherwise 0.
    pub j_stride: usize,
    /// The sub-batch buffers, per replica column.
    pub columns: ColumnBuffers,
    /// Row blocks of J (factored: of its `couplings`), each small enough for one binding and one
    /// dispatch (at least one block).
    pub blocks: Vec<Range<usize>>,
    /// Factored: row blocks of its `rows`, for the activity pass, as `blocks`; otherwise none.
    pub activity_blocks: Vec<Range<usize>>,
    /// Most replicas one sub-batch holds: a multiple of COLUMN_ALIGN.
    pub max_width: usize,
}

impl Plan {
    pub fn new(problem: &DynamicsProblem, budget: Budget) -> anyhow::Result<Plan> {
        let n = problem.n;
        let (j_stride, blocks, activity_blocks) = match &problem.couplings {
            Couplings::Dense(_) => {
                let j_stride = dense_j_stride(n);
                (j_stride, dense_blocks(n, j_stride, budget)?, Vec::new())
            }
            Couplings::Sparse(matrix) => (0, sparse_blocks(&matrix.row_ptr, budget)?, Vec::new()),
            Couplings::Factored { rows, couplings } => (0, sparse_blocks(&couplings.row_ptr, budget)?, sparse_blocks(&rows.row_ptr, budget)?),
        };
        let columns = ColumnBuffers::new(problem);
        // Every buffer of a sub-batch must fit one binding: the widest per column sets the width.
        let fit = budget.binding_bytes / columns.widest();
        let dispatchable = budget.workgroups_per_dimension as u64 * COLUMN_ALIGN as u64;
        let max_width = (fit.min(dispatchable) as usize) / COLUMN_ALIGN as usize * COLUMN_ALIGN as usize;
        anyhow::ensure!(
            max_width > 0,
            "GPU engine: the state of {COLUMN_ALIGN} replicas of {n} variables needs {} bytes in one buffer, more than the device binds ({} bytes)",
            COLUMN_ALIGN as u64 * columns.widest(),
            budget.binding_bytes
        );
        Ok(Plan { j_stride, columns, blocks, activity_blocks, max_width })
    }

    /// The sub-batch width for a batch of `replicas`: all of them if they fit, else the most that do.
    pub fn width_for(&self, replicas: usize) -> usize {
        replicas.max(1).next_multiple_of(COLUMN_ALIGN as usize).min(self.max_width)
    }
}

/// Whole tiles of DENSE_TILE_ROWS rows per block, as many as one binding and one dispatch hold.
fn dense_blocks(n: usize, j_stride: usize, budget: Budget) -> anyhow::Result<Vec<Range<usize>>> {
    let tile = DENSE_TILE_ROWS as u64;
    let tile_bytes = tile * j_stride as u64 * F32;
    let tiles = (budget.binding_bytes / tile_bytes.max(1)).min(budget.workgroups_per_dimension as u64);
    anyhow::ensure!(
        tiles > 0,
        "GPU engine: dense J with {n} variables needs {tile_bytes} bytes for one tile of {tile} rows, more than the device binds ({} bytes); use sparse couplings",
        budget.binding_bytes
    );
    let rows = (tiles * tile) as usize;
    Ok(split(n, |begin| (begin + rows).min(n)))
}

/// Greedy row blocks whose CSR slices (entries and rebased row pointers) each fit one binding
/// and one dispatch.
fn sparse_blocks(row_ptr: &[u32], budget: Budget) -> anyhow::Result<Vec<Range<usize>>> {
    let n = row_ptr.len() - 1;
    let max_rows = budget.workgroups_per_dimension as usize * SPARSE_WG_ROWS as usize;
    let fits = |rows: Range<usize>| {
        let entries = (row_ptr[rows.end] - row_ptr[rows.start]) as u64 * SPARSE_ENTRY;
        let pointers = (rows.len() as u64 + 1) * F32;
        rows.len() <= max_rows && entries.max(pointers) <= budget.binding_bytes
    };
    if let Some(row) = (0..n).find(|&i| !fits(i..i + 1)) {
        anyhow::bail!(
            "GPU engine: row {row} of a coupling matrix has {} entries, more than one device binding holds ({} bytes)",
            row_ptr[row + 1] - row_ptr[row],
            budget.binding_bytes
        );
    }
    Ok(split(n, |begin| {
        // The longest run from `begin` that fits (fits is monotone in the end row).
        let (mut lo, mut hi) = (begin + 1, n);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fits(begin..mid) { lo = mid } else { hi = mid - 1 }
        }
        lo
    }))
}

/// Splits 0..n into consecutive blocks, `end_of(begin)` giving each block's end; one empty
/// block when n = 0, so every problem has a block to bind.
fn split(n: usize, end_of: impl Fn(usize) -> usize) -> Vec<Range<usize>> {
    if n == 0 {
        return std::iter::once(0..0).collect();
    }
    let mut blocks = Vec::new();
    let mut begin = 0;
    while begin < n {
        let end = end_of(begin);
        blocks.push(begin..end);
        begin = end;
    }
    blocks
}

/// Words per row of dense J on the device: n rounded up to whole k-tiles.
fn dense_j_stride(n: usize) -> usize {
    n.next_multiple_of(DENSE_TILE_K as usize)
}

/// The buffers of a sub-batch (state.rs allocates exactly these), in bytes per replica
/// column: the one list both the sub-batch width and the memory footprint are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ColumnBuffers {
    /// Rows of the state buffers: n, rounded up to whole J tiles on the dense path; factored, n
    /// plus a row per activity.
    pub state_rows: usize,
    /// x[0] and x[1], each: state_rows words (y, and factored J's activities, included).
    pub x: u64,
    /// α[0] and α[1], each: α and the noise key (shaders/common.wgsl).
    pub alpha: u64,
    /// The replica's parameters (`Replica`).
    pub replica: u64,
    /// The finish pass's output: the final σ and x, n words each.
    pub states: u64,
    /// The finish pass's energy.
    pub energies: u64,
    /// The read-back copy of `states` and `energies`, in one buffer.
    pub read_back: u64,
}

impl ColumnBuffers {
    pub fn new(problem: &DynamicsProblem) -> ColumnBuffers {
        let n = problem.n;
        let state_rows = match &problem.couplings {
            Couplings::Dense(_) => dense_j_stride(n),
            Couplings::Sparse(_) => n,
            Couplings::Factored { rows, .. } => n + rows.rows(),
        };
        let (states, energies) = (2 * n as u64 * F32, F32);
        ColumnBuffers { state_rows, x: state_rows as u64 * F32, alpha: 2 * F32, replica: REPLICA_PARAMS, states, energies, read_back: states + energies }
    }

    /// The widest single buffer, per column: a sub-batch of w replicas needs w times this in
    /// one binding (or buffer).
    pub fn widest(&self) -> u64 {
        [self.x, self.alpha, self.replica, self.states, self.energies, self.read_back].into_iter().max().expect("six buffers")
    }

    /// Every buffer, per column (x and α twice).
    pub fn total(&self) -> u64 {
        2 * self.x + 2 * self.alpha + self.replica + self.states + self.energies + self.read_back
    }
}

/// Device memory the GPU engine holds for a problem: J (and h) once, plus per replica of a
/// sub-batch its [`ColumnBuffers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemoryFootprint {
    pub couplings_bytes: u64,
    pub per_replica_bytes: u64,
}

impl MemoryFootprint {
    /// Ignores the padding of extra row blocks when dense J is split over several bindings
    /// (under one tile row per block).
    pub fn new(problem: &DynamicsProblem) -> Self {
        let n64 = problem.n as u64;
        let couplings = match &problem.couplings {
            Couplings::Dense(_) => n64.next_multiple_of(DENSE_TILE_ROWS as u64) * dense_j_stride(problem.n) as u64 * F32,
            Couplings::Sparse(matrix) => csr_bytes(matrix),
            Couplings::Factored { rows, couplings } => csr_bytes(rows) + csr_bytes(couplings),
        };
        MemoryFootprint { couplings_bytes: couplings + n64 * F32, per_replica_bytes: ColumnBuffers::new(problem).total() }
    }

    /// Peak bytes for a batch of `replicas` run as one sub-batch (replicas padded to whole
    /// workgroup columns).
    pub fn total(&self, replicas: usize) -> u64 {
        self.couplings_bytes + self.per_replica_bytes * replicas.next_multiple_of(COLUMN_ALIGN as usize) as u64
    }
}

/// A CSR matrix on the device: row pointers and (column, value) entries.
fn csr_bytes(matrix: &Csr) -> u64 {
    (matrix.rows() as u64 + 1) * F32 + matrix.nonzeros() as u64 * SPARSE_ENTRY
}

/// Replicas per batch that keep a device busy. Hardware GPUs use the CUDA heuristic of
/// AOCoptimizer.jl (spec §9.2, B = ⌈6·10⁷·n^−1.381⌉, tuned to fill an H100-class GPU; an
/// integrated GPU gets a quarter of it); CPU adapters (lavapipe) get 128, like the CPU engine's
/// 100 rounded to whole workgroups. Rounded to whole workgroup columns and capped by what one
/// sub-batch holds, so a batch of this size never needs splitting.
pub(crate) fn preferred_batch(n: usize, device: wgpu::DeviceType, max_width: usize) -> usize {
    let julia = || (6.0e7 * (n.max(1) as f64).powf(-1.381)).ceil() as usize;
    let wanted = match device {
        wgpu::DeviceType::Cpu => 128,
        wgpu::DeviceType::DiscreteGpu => julia(),
        _ => julia() / 4,
    };
    wanted.max(1).next_multiple_of(COLUMN_ALIGN as usize).min(max_width)
}

/// Longest a sub-batch may take before the engine gives up on the device: a minute plus the
/// work at a throughput far below any real device (10¹¹ flop/s for GPUs, 10⁹ for CPU adapters).
pub(crate) fn timeout(product_nonzeros: usize, width: usize, iterations: u32, cpu_adapter: bool) -> Duration {
    let flops = 2.0 * product_nonzeros as f64 * width as f64 * (iterations as f64 + 1.0);
    let floor = if cpu_adapter { 1e9 } else { 1e11 };
    Duration::from_secs(60) + Duration::from_secs_f64(flops / floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(n: usize) -> DynamicsProblem {
        DynamicsProblem { n, n_binary: n, couplings: Couplings::Dense(vec![0.0; n * n]), h: vec![0.0; n] }
    }

    fn row_ptr(row_lengths: &[u32]) -> Vec<u32> {
        std::iter::once(0).chain(row_lengths.iter().scan(0, |end, &len| { *end += len; Some(*end) })).collect()
    }

    fn sparse(row_lengths: &[u32]) -> DynamicsProblem {
        let (n, row_ptr) = (row_lengths.len(), row_ptr(row_lengths));
        let nnz = row_ptr[n] as usize;
        let couplings = Couplings::Sparse(Csr { row_ptr, cols: vec![0; nnz], values: vec![0.0; nnz] });
        DynamicsProblem { n, n_binary: n, couplings, h: vec![0.0; n] }
    }

    /// Factored J with a `couplings` row per variable and `rows` rows of these lengths.
    fn factored(row_lengths: &[u32], activity_lengths: &[u32]) -> DynamicsProblem {
        let csr = |lengths: &[u32]| {
            let row_ptr = row_ptr(lengths);
            let nnz = row_ptr[lengths.len()] as usize;
            Csr { row_ptr, cols: vec![0; nnz], values: vec![0.0; nnz] }
        };
        let n = row_lengths.len();
        DynamicsProblem { n, n_binary: n, couplings: Couplings::Factored { rows: csr(activity_lengths), couplings: csr(row_lengths) }, h: vec![0.0; n] }
    }

    /// Consecutive blocks with these boundaries.
    fn bounds(at: &[usize]) -> Vec<Range<usize>> {
        at.windows(2).map(|w| w[0]..w[1]).collect()
    }

    const ROOMY: Budget = Budget { binding_bytes: 1 << 30, workgroups_per_dimension: 65535 };

    #[test]
    fn roomy_device_keeps_one_block_and_pads_dense_rows_to_tiles() {
        let plan = Plan::new(&dense(150), ROOMY).unwrap();
        assert_eq!((plan.columns.state_rows, plan.j_stride, plan.blocks.clone()), (160, 160, bounds(&[0, 150])));
        assert_eq!(plan.width_for(37), 64);
        assert_eq!(plan.width_for(0), 64);
    }

    #[test]
    fn small_bindings_split_dense_rows_into_whole_tiles_and_limit_the_width() {
        // One tile of 64 rows × 160 words is 40 960 bytes.
        let plan = Plan::new(&dense(150), Budget { binding_bytes: 90_000, workgroups_per_dimension: 65535 }).unwrap();
        assert_eq!(plan.blocks, bounds(&[0, 128, 150]));
        // The finish pass's σ and x out (2·150 words) and their read-back copy with the energy
        // are wider than x (160 words): 90 000 / (301·4) = 74 columns.
        assert_eq!(plan.max_width, 64);
        let too_small = Plan::new(&dense(150), Budget { binding_bytes: 40_000, workgroups_per_dimension: 65535 });
        assert!(too_small.unwrap_err().to_string().contains("use sparse couplings"));
    }

    #[test]
    fn few_workgroups_split_rows_and_replicas() {
        let budget = Budget { binding_bytes: 1 << 30, workgroups_per_dimension: 2 };
        let plan = Plan::new(&dense(300), budget).unwrap();
        assert_eq!(plan.blocks, bounds(&[0, 128, 256, 300]));
        assert_eq!(plan.max_width, 128);
        assert_eq!(Plan::new(&sparse(&[1; 20]), budget).unwrap().blocks, bounds(&[0, 8, 16, 20]));
    }

    #[test]
    fn factored_state_holds_the_activities_and_both_matrices_split() {
        let problem = factored(&[3; 20], &[5; 12]);
        let plan = Plan::new(&problem, ROOMY).unwrap();
        assert_eq!((plan.columns.state_rows, plan.blocks.clone(), plan.activity_blocks.clone()), (32, bounds(&[0, 20]), bounds(&[0, 12])));
        let plan = Plan::new(&problem, Budget { binding_bytes: 1 << 30, workgroups_per_dimension: 2 }).unwrap();
        assert_eq!((plan.blocks, plan.activity_blocks), (bounds(&[0, 8, 16, 20]), bounds(&[0, 8, 12])));
        let f = MemoryFootprint::new(&problem);
        assert_eq!((f.couplings_bytes, f.per_replica_bytes), (21 * 4 + 60 * 8 + 13 * 4 + 60 * 8 + 80, 2 * 32 * 4 + 16 + 16 + 2 * 41 * 4));
    }

    #[test]
    fn the_widest_buffer_of_a_sub_batch_sets_its_width() {
        let budget = |bytes| Budget { binding_bytes: bytes, workgroups_per_dimension: 65535 };
        // Sparse, n = 100: x 100 words, the read-back of σ, x and the energy 201 words.
        let columns = ColumnBuffers::new(&sparse(&[1; 100]));
        assert_eq!((columns.x, columns.states, columns.read_back, columns.widest()), (400, 800, 804, 804));
        // 191 columns of 804 bytes fit (x alone would allow 383).
        assert_eq!(Plan::new(&sparse(&[1; 100]), budget(804 * 191)).unwrap().max_width, 128);
        // Factored with 300 activities: x (400 words) is the widest.
        let problem = factored(&[1; 100], &[1; 300]);
        assert_eq!(ColumnBuffers::new(&problem).widest(), 1600);
        assert_eq!(Plan::new(&problem, budget(1600 * 191)).unwrap().max_width, 128);
        assert_eq!(Plan::new(&problem, budget(1600 * 127)).unwrap().max_width, 64);
        let too_small = Plan::new(&problem, budget(1600 * 63)).unwrap_err().to_string();
        assert!(too_small.contains(&format!("needs {} bytes", 1600 * 64)), "{too_small}");
    }

    #[test]
    fn sparse_blocks_fit_their_entries() {
        // Ten entries per binding.
        let budget = Budget { binding_bytes: 80, workgroups_per_dimension: 65535 };
        assert_eq!(sparse_blocks(&row_ptr(&[4, 4, 4, 10, 0, 1]), budget).unwrap(), bounds(&[0, 2, 3, 5, 6]));
        assert!(sparse_blocks(&row_ptr(&[11]), budget).unwrap_err().to_string().contains("row 0"));
        assert_eq!(Plan::new(&sparse(&[4, 4, 4, 10, 0, 1]), ROOMY).unwrap().blocks, bounds(&[0, 6]));
    }

    #[test]
    fn empty_problem_has_one_empty_block() {
        assert_eq!(Plan::new(&dense(0), ROOMY).unwrap().blocks, bounds(&[0, 0]));
        assert_eq!(Plan::new(&sparse(&[]), ROOMY).unwrap().blocks, bounds(&[0, 0]));
    }

    #[test]
    fn batch_size_follows_the_julia_heuristic_on_discrete_gpus() {
        assert_eq!(preferred_batch(1000, wgpu::DeviceType::DiscreteGpu, usize::MAX), 4352); // ⌈4317⌉ to 64
        assert_eq!(preferred_batch(1000, wgpu::DeviceType::Cpu, usize::MAX), 128);
        assert_eq!(preferred_batch(100, wgpu::DeviceType::DiscreteGpu, 4096), 4096);
    }

    #[test]
    fn footprint_counts_couplings_once_and_state_per_replica() {
        let f = MemoryFootprint::new(&dense(100));
        assert_eq!(f.couplings_bytes, 128 * 112 * 4 + 400);
        assert_eq!(f.per_replica_bytes, 2 * 112 * 4 + 16 + 16 + 2 * 201 * 4);
        let sparse = sparse(&[0, 1].repeat(50));
        assert_eq!(MemoryFootprint::new(&sparse).total(10), 101 * 4 + 50 * 8 + 400 + 64 * (2 * 100 * 4 + 16 + 16 + 2 * 201 * 4));
    }
}

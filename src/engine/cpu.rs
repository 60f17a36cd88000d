//! The native CPU engine: f32 dynamics (f64 on request, the same code generic over
//! [`Real`]), one product F = J·σ per iteration (the `gemm` crate's GEMM for dense J, a CSR
//! product for sparse J, two CSR products for factored J: the activities u = rows·σ, then
//! F = couplings·[σ; u]) followed by one fused pass that steps x and y and already writes the σ
//! of the next iteration, so that the product is the only pass over J and dominates the time.
//!
//! A batch is cut into chunks of replicas stored variable-major (`v[i·c + k]` for variable i
//! and replica k of a chunk of c; factored J keeps the m activity rows after the n rows of σ):
//! then F = J·σ is one GEMM per chunk, and the CSR product applies each non-zero to c contiguous
//! replicas. Two ways to run the chunks:
//!
//! * small, sparse or factored J: many chunks run in parallel, each all its iterations on one
//!   thread with a single-threaded product — no synchronisation, J and the chunk stay in that
//!   core's cache;
//! * large dense J: the whole batch is one chunk, every iteration one multi-threaded GEMM then
//!   a parallel update — each thread would otherwise stream all of J once per chunk.
//!
//! Under a hardware model (`crate::hardware`) the loaded J and h are the machine's, and the
//! update adds each product entry's seeded noise and feeds binaries back through the soft
//! threshold ([`MachineStep`]); without one, the loops are the ideal twin's, untouched.
//!
//! Determinism: the chunking is a pure function of n, the storage of J and B, never of the
//! thread count, and every replica's arithmetic is element-wise or a sum in a fixed order (the
//! GEMM splits threads over output tiles, never over the summed dimension), so a batch gives the
//! same bits on any number of threads (`tests/engine_cpu_determinism.rs`).

use std::ops::Range;

use gemm::Parallelism;
use rayon::prelude::*;

use super::{step, to_variable_major, Batch, BatchOutput, Couplings, Csr, DynamicsProblem, Engine, EngineInfo, Precision, ProductForm, Real, ReplicaParams, THRESHOLD};
use crate::hardware::{next_key, noise_counts, replica_key, HardwareModel, MachineDynamics, SoftThreshold};
use crate::qumo::Qumo;

/// Replicas per chunk for dense J in the chunked mode: enough columns for the GEMM's register
/// tiles and for J's reuse to hide its loads.
const DENSE_CHUNK: usize = 64;
/// Dense J of at least this many bytes runs as one chunk: beyond the per-core L2 cache, each
/// chunk's product would fetch J from memory again, so one shared multi-threaded GEMM wins.
const WHOLE_BATCH_COUPLING_BYTES: usize = 2 << 20;
/// Replicas per chunk for sparse or factored J: a power of two (whole vectors) such that the
/// chunk's σ (and activities), which the CSR product gathers rows of at random, stays within
/// about half a 2 MiB L2 cache
/// (measured on QPLIB_3380, _3841 and _6757: 32, 64 and 64 replicas run fastest).
const SPARSE_CHUNK_BYTES: usize = 5 << 18;
const SPARSE_CHUNK_RANGE: (usize, usize) = (16, 64);
/// Replicas per task of the parallel energy pass: their σ rows (in f64) should fit in L2. A
/// multiple of ACCUMULATORS × the widest vector (8 f64).
const ENERGY_COLUMNS: usize = 32;
/// Vector accumulators the energy's inner loop keeps in registers.
const ACCUMULATORS: usize = 4;
/// State entries per task of the parallel update in whole-batch mode.
const UPDATE_BLOCK: usize = 1 << 14;
/// The batch size the sweep uses by default: spec §9.2's CPU value of 100, rounded up to two
/// dense chunks. Deliberately independent of the thread count, since the batch size decides
/// which random initial states each replica gets.
const BATCH_SIZE: usize = 2 * DENSE_CHUNK;

pub struct CpuEngine {
    pool: rayon::ThreadPool,
    threads: usize,
    /// The widest SIMD the CPU offers, detected once; the update, the CSR product and the
    /// energies are compiled for it (the GEMM dispatches by itself).
    arch: pulp::Arch,
    precision: Precision,
    problem: Option<Loaded>,
    hardware: Option<HardwareModel>,
    /// What the hardware model applies every iteration to the loaded problem.
    machine: Option<MachineDynamics>,
}

/// The loaded problem in the engine's precision.
enum Loaded {
    F32(DynamicsProblem<f32>),
    F64(DynamicsProblem<f64>),
}

impl CpuEngine {
    /// `threads = None` uses every core; `precision` is the float type of the dynamics.
    pub fn new(threads: Option<usize>, precision: Precision) -> anyhow::Result<Self> {
        let threads = threads.unwrap_or_else(crate::machine::available_cores).max(1);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        Ok(CpuEngine { pool, threads, arch: pulp::Arch::new(), precision, problem: None, hardware: None, machine: None })
    }

    /// Runs `batch` on `problem` in its precision `T`.
    fn run_in<T: Real>(&self, problem: &DynamicsProblem<T>, batch: &Batch) -> anyhow::Result<BatchOutput> {
        let n = problem.n;
        anyhow::ensure!(batch.initial.len() == n * batch.replicas(), "CPU engine: initial states must be replicas × n");
        if batch.replicas() == 0 {
            return Ok(BatchOutput { states: Vec::new(), energies: Vec::new(), amplitudes: Vec::new() });
        }
        let plan = Plan::new(problem, batch.replicas());
        let (arch, threads) = (self.arch, self.threads);
        // Only what acts every iteration leaves the ideal (vectorised) update loop.
        let machine = self.machine.as_ref().filter(|m| m.acts_every_iteration()).map(|m| MachineStep::new(m, batch.noise_seed));
        let machine = machine.as_ref();
        self.pool.install(|| {
            let mut chunks: Vec<Chunk<T>> = plan.chunks.par_iter().map(|r| Chunk::new(problem, batch, r.clone(), arch, machine)).collect();
            if plan.whole_batch {
                // One chunk per Plan::new; its product and update each use every thread.
                for chunk in &mut chunks {
                    for _ in 0..batch.iterations {
                        chunk.product(problem, Parallelism::Rayon(threads));
                        chunk.step_parallel(problem, machine);
                    }
                }
            } else {
                chunks.par_iter_mut().for_each(|chunk| {
                    for _ in 0..batch.iterations {
                        chunk.product(problem, Parallelism::None);
                        chunk.step(problem, machine);
                    }
                });
            }
            if machine.is_some_and(|m| m.soft_threshold.is_some()) {
                chunks.par_iter_mut().for_each(|chunk| chunk.read_out(problem));
            }
            let mut states = vec![0.0f32; batch.initial.len()];
            let mut amplitudes = vec![0.0f32; batch.initial.len()];
            let mut energies = vec![0.0f64; batch.replicas()];
            for (chunk, range) in chunks.iter().zip(&plan.chunks) {
                let replicas = range.start * n..range.end * n;
                Chunk::write_replica_major(&chunk.sigma, chunk.width, n, &mut states[replicas.clone()]);
                Chunk::write_replica_major(&chunk.x, chunk.width, n, &mut amplitudes[replicas]);
                chunk.energies(problem, &mut energies[range.clone()]);
            }
            Ok(BatchOutput { states, energies, amplitudes })
        })
    }
}

impl CpuEngine {
    /// Makes `problem` the loaded one, the machine's under a hardware model.
    fn load_machine<T: Real>(&mut self, mut problem: DynamicsProblem<T>) -> anyhow::Result<()>
    where
        Loaded: From<DynamicsProblem<T>>,
    {
        self.machine = match &self.hardware {
            Some(model) => Some(model.prepare(&mut problem)?),
            None => None,
        };
        self.problem = Some(Loaded::from(problem));
        Ok(())
    }
}

impl From<DynamicsProblem<f32>> for Loaded {
    fn from(problem: DynamicsProblem<f32>) -> Loaded {
        Loaded::F32(problem)
    }
}

impl From<DynamicsProblem<f64>> for Loaded {
    fn from(problem: DynamicsProblem<f64>) -> Loaded {
        Loaded::F64(problem)
    }
}

/// How a batch of B replicas is run: the replica ranges of its chunks, and whether the chunks
/// run side by side (single-threaded products) or one multi-threaded product at a time.
#[derive(Debug)]
struct Plan {
    chunks: Vec<Range<usize>>,
    whole_batch: bool,
}

impl Plan {
    fn new<T: Real>(problem: &DynamicsProblem<T>, replicas: usize) -> Plan {
        let n = problem.n;
        match problem.couplings {
            Couplings::Dense(_) if n * n * size_of::<T>() >= WHOLE_BATCH_COUPLING_BYTES => {
                Plan { chunks: std::iter::once(0..replicas).collect(), whole_batch: true }
            }
            Couplings::Dense(_) => {
                // Balanced chunks (sizes differ by at most one) rather than full ones and a
                // remainder: a chunk of one or two replicas would make the GEMM take another
                // path (matrix-vector, or horizontal kernels) with another summation order.
                let count = replicas.div_ceil(DENSE_CHUNK).max(1);
                Plan { chunks: (0..count).map(|j| j * replicas / count..(j + 1) * replicas / count).collect(), whole_batch: false }
            }
            Couplings::Sparse(_) | Couplings::Factored { .. } => {
                // Whole vectors of replicas (the product's accumulators), as many as keep σ of
                // a chunk within SPARSE_CHUNK_BYTES; the last chunk takes the remainder.
                let (lo, hi) = SPARSE_CHUNK_RANGE;
                let gathered = n + problem.couplings.activities();
                let fitting = SPARSE_CHUNK_BYTES / (gathered.max(1) * size_of::<T>());
                let width = 1 << fitting.clamp(lo, hi).ilog2();
                let count = replicas.div_ceil(width).max(1);
                Plan { chunks: (0..count).map(|j| j * width..((j + 1) * width).min(replicas)).collect(), whole_batch: false }
            }
        }
    }
}

impl Engine for CpuEngine {
    /// The kind is `cpu`, or `cpu-f64` under f64 (`+aoc16` or `+aoc48` under a hardware model):
    /// result rows and `compare` keep them apart, as their trajectories differ.
    fn info(&self) -> EngineInfo {
        let kind = match self.precision {
            Precision::F32 => "cpu",
            Precision::F64 => "cpu-f64",
        };
        // Under a hardware model the machine joins the kind (`cpu+aoc16`): other dynamics again.
        let kind = match &self.hardware {
            Some(model) => format!("{kind}+{}", model.machine.name()),
            None => kind.to_string(),
        };
        EngineInfo { kind, device: crate::machine::cpu_model(), threads: self.threads, dense_kernel: None, software_adapter: false }
    }

    fn precision(&self) -> Precision {
        self.precision
    }

    /// Under f64, the f32 problem is widened exactly.
    fn load(&mut self, problem: &DynamicsProblem) -> anyhow::Result<()> {
        match self.precision {
            Precision::F32 => self.load_machine(problem.clone()),
            Precision::F64 => self.load_machine(problem.converted::<f64>()),
        }
    }

    fn load_qumo(&mut self, qumo: &Qumo, form: ProductForm) -> anyhow::Result<()> {
        match self.precision {
            Precision::F32 => self.load_machine(DynamicsProblem::<f32>::from_qumo(qumo, Some(form))),
            Precision::F64 => self.load_machine(DynamicsProblem::<f64>::from_qumo(qumo, Some(form))),
        }
    }

    fn set_hardware(&mut self, hardware: Option<HardwareModel>) {
        self.hardware = hardware;
    }

    fn hardware(&self) -> Option<&HardwareModel> {
        self.hardware.as_ref()
    }

    /// Under a hardware model `h` is the ideal fields; the machine's offsets are added again.
    fn set_fields(&mut self, h: &[f64]) -> anyhow::Result<()> {
        let fields = MachineDynamics::fields_of(self.machine.as_ref(), h);
        let h = &*fields;
        fn replace<T: Real>(problem: &mut DynamicsProblem<T>, h: &[f64]) -> anyhow::Result<()> {
            anyhow::ensure!(h.len() == problem.n, "CPU engine: h has {} entries for {} variables", h.len(), problem.n);
            for (to, &from) in problem.h.iter_mut().zip(h) {
                *to = T::from_f64(from);
            }
            Ok(())
        }
        match self.problem.as_mut().ok_or_else(|| anyhow::anyhow!("CPU engine: no problem loaded"))? {
            Loaded::F32(problem) => replace(problem, h),
            Loaded::F64(problem) => replace(problem, h),
        }
    }

    fn run(&mut self, batch: &Batch) -> anyhow::Result<BatchOutput> {
        match self.problem.as_ref().ok_or_else(|| anyhow::anyhow!("CPU engine: no problem loaded"))? {
            Loaded::F32(problem) => self.run_in(problem, batch),
            Loaded::F64(problem) => self.run_in(problem, batch),
        }
    }

    fn batch_size(&self) -> usize {
        BATCH_SIZE
    }

    fn device_memory_bytes(&self, replicas: usize) -> Option<usize> {
        // x, y, σ and F per variable, the activities, and five parameter/schedule values.
        fn bytes<T: Real>(problem: &DynamicsProblem<T>, replicas: usize) -> usize {
            problem.memory_bytes() + replicas * (4 * problem.n + problem.couplings.activities() + 5) * size_of::<T>()
        }
        Some(match self.problem.as_ref()? {
            Loaded::F32(problem) => bytes(problem, replicas),
            Loaded::F64(problem) => bytes(problem, replicas),
        })
    }
}

/// σ of one entry (spec §2.3 step 1): binaries thresholded, slacks as they are. Branch-free,
/// so that the update loop vectorises.
#[inline(always)]
fn sigma_of<T: Real>(x: T, binary: bool) -> T {
    if binary { if x > T::from_f32(THRESHOLD) { T::ONE } else { T::ZERO } } else { x }
}

/// The per-iteration non-idealities of a hardware model for one batch, in the dynamics' precision.
struct MachineStep<T> {
    /// One noise count's worth of the product (`None`: no noise).
    noise_scale: Option<T>,
    soft_threshold: Option<SoftThreshold>,
    seed: u64,
}

impl<T: Real> MachineStep<T> {
    fn new(machine: &MachineDynamics, seed: u64) -> MachineStep<T> {
        MachineStep { noise_scale: machine.noise_scale(), soft_threshold: machine.soft_threshold, seed }
    }

    /// σ of one entry fed back on the machine: binaries through the soft threshold if modelled.
    fn sigma(&self, x: T, binary: bool) -> T {
        match self.soft_threshold {
            Some(soft) if binary => T::from_f64(soft.feedback(x.to_f64())),
            _ => sigma_of(x, binary),
        }
    }

    /// [`StepRows`]' work on one row (variable `row`), with the product's noise added to each
    /// entry (`keys`: each replica's noise key for this iteration). The noise is one
    /// exact integer count times the scale, then one addition: the WGSL engine does the same.
    #[allow(clippy::too_many_arguments)]
    fn step_row(&self, row: usize, x: &mut [T], y: &mut [T], sigma: &mut [T], feedback: &[T], keys: &[u32], schedule: &Schedule<T>, h: T, binary: bool) {
        for k in 0..x.len() {
            let f = match self.noise_scale {
                Some(scale) => feedback[k] + T::from_f32(noise_counts(keys[k], row as u32)) * scale,
                None => feedback[k],
            };
            (x[k], y[k]) = step(x[k], y[k], f, h, schedule.dt_gradient[k], schedule.dt_annealing[k], schedule.momentum[k]);
            sigma[k] = self.sigma(x[k], binary);
        }
    }
}

/// The per-replica constants and annealing schedule of a chunk.
struct Schedule<T> {
    dt: T,
    dt_gradient: Vec<T>,
    momentum: Vec<T>,
    /// α of the current iteration, and dt·α (kept to avoid recomputing it per entry).
    annealing: Vec<T>,
    dt_annealing: Vec<T>,
    decrement: Vec<T>,
}

impl<T: Real> Schedule<T> {
    /// α = α0 and δ = α0/N (spec §2.2).
    fn new(params: &[ReplicaParams], dt: f32, iterations: u32) -> Schedule<T> {
        let dt = T::from_f32(dt);
        Schedule {
            dt,
            dt_gradient: params.iter().map(|p| dt * T::from_f32(p.gradient)).collect(),
            momentum: params.iter().map(|p| T::from_f32(p.momentum)).collect(),
            annealing: params.iter().map(|p| T::from_f32(p.annealing)).collect(),
            dt_annealing: params.iter().map(|p| dt * T::from_f32(p.annealing)).collect(),
            decrement: params.iter().map(|p| p.decrement(iterations)).collect(),
        }
    }

    /// α ← max(α − δ, 0) (step 8), by repeated subtraction as the spec's loop does.
    fn anneal(&mut self) {
        for ((a, da), &d) in self.annealing.iter_mut().zip(&mut self.dt_annealing).zip(&self.decrement) {
            *a = (*a - d).max(T::ZERO);
            *da = self.dt * *a;
        }
    }
}

/// Storage that starts on a cache line: rows of whole vectors then never straddle two lines
/// (with malloc's 16-byte alignment every 64-byte load of a σ row did, and the CSR product ran
/// a quarter to a third slower). The buffer is over-allocated by one line and used from its
/// first aligned element.
struct Lines<T> {
    buffer: Vec<T>,
    start: usize,
    len: usize,
}

const CACHE_LINE: usize = 64;

impl<T: Real> Lines<T> {
    fn zeroed(len: usize) -> Lines<T> {
        let buffer = vec![T::ZERO; len + CACHE_LINE / size_of::<T>()];
        // An element size divides 64, so some element within the first line is aligned.
        let start = buffer.as_ptr().align_offset(CACHE_LINE);
        Lines { buffer, start, len }
    }
}

impl<T> std::ops::Deref for Lines<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.buffer[self.start..self.start + self.len]
    }
}

impl<T> std::ops::DerefMut for Lines<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.buffer[self.start..self.start + self.len]
    }
}

/// The replicas of one chunk with their schedule and working state, all variable-major.
struct Chunk<T> {
    /// Replicas in this chunk (c).
    width: usize,
    arch: pulp::Arch,
    schedule: Schedule<T>,
    x: Lines<T>,
    y: Lines<T>,
    /// σ(x) for the next product (after the last iteration, the output), then the activities
    /// of factored J.
    sigma: Lines<T>,
    feedback: Lines<T>,
    /// Each replica's noise key for the coming iteration under a hardware model with noise
    /// (`crate::hardware::replica_key`, then `next_key` after each step); otherwise empty.
    noise_keys: Vec<u32>,
}

impl<T: Real> Chunk<T> {
    /// Spec §2.2: x from the batch, y = 0; σ = σ(x) for the first product.
    fn new(problem: &DynamicsProblem<T>, batch: &Batch, replicas: Range<usize>, arch: pulp::Arch, machine: Option<&MachineStep<T>>) -> Chunk<T> {
        let (n, c) = (problem.n, replicas.len());
        let mut x = Lines::zeroed(n * c);
        to_variable_major(&batch.initial[replicas.start * n..replicas.end * n], n, c, &mut x);
        let mut sigma = Lines::zeroed((n + problem.couplings.activities()) * c);
        for (e, (s, &v)) in sigma.iter_mut().zip(x.iter()).enumerate() {
            let binary = e / c < problem.n_binary;
            *s = machine.map_or_else(|| sigma_of(v, binary), |m| m.sigma(v, binary));
        }
        Chunk {
            width: c,
            arch,
            schedule: Schedule::new(&batch.params[replicas.clone()], batch.dt, batch.iterations),
            x,
            y: Lines::zeroed(n * c),
            sigma,
            feedback: Lines::zeroed(n * c),
            noise_keys: match machine {
                Some(m) if m.noise_scale.is_some() => replicas.map(|k| replica_key(m.seed, k as u32)).collect(),
                _ => Vec::new(),
            },
        }
    }

    /// The noise keys of the next iteration.
    fn advance_noise_keys(&mut self) {
        for key in &mut self.noise_keys {
            *key = next_key(*key);
        }
    }

    /// After the last iteration under a soft threshold: the binaries' σ read out hard (the
    /// host reads the state's side of the threshold), as the ideal twin outputs them.
    fn read_out(&mut self, problem: &DynamicsProblem<T>) {
        let binaries = problem.n_binary * self.width;
        for (s, &x) in self.sigma[..binaries].iter_mut().zip(&self.x[..binaries]) {
            *s = sigma_of(x, true);
        }
    }

    /// F = J·σ.
    fn product(&mut self, problem: &DynamicsProblem<T>, parallelism: Parallelism) {
        let (n, c) = (problem.n, self.width);
        match &problem.couplings {
            Couplings::Dense(j) => {
                assert!(j.len() == n * n && self.sigma.len() == n * c && self.feedback.len() == n * c);
                // SAFETY: the strides describe J as n×n row-major and σ and F as n×c
                // row-major, which the lengths just checked cover; F does not alias J or σ.
                unsafe {
                    gemm::gemm(
                        n, c, n,
                        self.feedback.as_mut_ptr(), 1, c as isize,
                        false,
                        j.as_ptr(), 1, n as isize,
                        self.sigma.as_ptr(), 1, c as isize,
                        T::ZERO, T::ONE,
                        false, false, false,
                        parallelism,
                    );
                }
            }
            Couplings::Sparse(matrix) => {
                self.arch.dispatch(SparseProduct { matrix, sigma: &self.sigma, out: &mut self.feedback, width: c });
            }
            Couplings::Factored { rows, couplings } => {
                let (sigma, activities) = self.sigma.split_at_mut(n * c);
                self.arch.dispatch(SparseProduct { matrix: rows, sigma, out: activities, width: c });
                self.arch.dispatch(SparseProduct { matrix: couplings, sigma: &self.sigma, out: &mut self.feedback, width: c });
            }
        }
    }

    /// Steps every entry and writes σ for the next product.
    fn step(&mut self, problem: &DynamicsProblem<T>, machine: Option<&MachineStep<T>>) {
        let (n, c, arch) = (problem.n, self.width, self.arch);
        let Chunk { x, y, sigma, feedback, schedule, noise_keys, .. } = &mut *self;
        let machine = machine.map(|step| MachineRows { step, keys: noise_keys });
        let rows = Rows { first: 0, x, y, sigma: &mut sigma[..n * c], feedback };
        arch.dispatch(StepRows { rows, problem, schedule, machine });
        self.schedule.anneal();
        self.advance_noise_keys();
    }

    /// As [`Chunk::step`], blocks of rows in parallel (whole-batch mode).
    fn step_parallel(&mut self, problem: &DynamicsProblem<T>, machine: Option<&MachineStep<T>>) {
        let c = self.width;
        let block = (UPDATE_BLOCK / c).max(1) * c;
        let machine = machine.map(|step| MachineRows { step, keys: &self.noise_keys });
        let (schedule, arch) = (&self.schedule, self.arch);
        self.x
            .par_chunks_mut(block)
            .zip(self.y.par_chunks_mut(block))
            .zip(self.sigma[..problem.n * c].par_chunks_mut(block))
            .zip(self.feedback.par_chunks(block))
            .enumerate()
            .for_each(|(b, (((x, y), sigma), feedback))| {
                let rows = Rows { first: b * block / c, x, y, sigma, feedback };
                arch.dispatch(StepRows { rows, problem, schedule, machine });
            });
        self.schedule.anneal();
        self.advance_noise_keys();
    }

    /// `lines` (σ or x, variable-major over `width` replicas) back to replica-major
    /// (`out[k·n + i]`), in f32 (σ's binaries are exactly 0 or 1).
    fn write_replica_major(lines: &Lines<T>, width: usize, n: usize, out: &mut [f32]) {
        out.par_chunks_mut(n.max(1)).enumerate().for_each(|(k, state)| {
            for (v, row) in state.iter_mut().zip(lines.chunks_exact(width)) {
                *v = row[k].to_f32();
            }
        });
    }

    /// The energy of every replica, parallel over groups of replicas.
    fn energies(&self, problem: &DynamicsProblem<T>, out: &mut [f64]) {
        out.par_chunks_mut(ENERGY_COLUMNS).enumerate().for_each(|(g, out)| {
            let columns = g * ENERGY_COLUMNS..g * ENERGY_COLUMNS + out.len();
            self.arch.dispatch(GroupEnergies { problem, sigma: &self.sigma, width: self.width, columns, out });
        });
    }
}

/// A block of consecutive variables (rows) of a chunk, starting at variable `first`.
struct Rows<'a, T> {
    first: usize,
    x: &'a mut [T],
    y: &'a mut [T],
    sigma: &'a mut [T],
    feedback: &'a [T],
}

/// A hardware model's per-iteration part for one iteration of a chunk.
#[derive(Clone, Copy)]
struct MachineRows<'a, T> {
    step: &'a MachineStep<T>,
    /// Each replica's noise key for this iteration.
    keys: &'a [u32],
}

/// Spec §2.3 steps 3–7 on every entry of some rows, then σ of the new x. The loops live in
/// `with_simd`, inlined into a function compiled for the CPU's widest vectors (so do not move
/// them into closures, which would be compiled for the baseline).
struct StepRows<'a, T> {
    rows: Rows<'a, T>,
    problem: &'a DynamicsProblem<T>,
    schedule: &'a Schedule<T>,
    /// `None`: the ideal twin's loop.
    machine: Option<MachineRows<'a, T>>,
}

impl<T: Real> pulp::WithSimd for StepRows<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let StepRows { rows: Rows { first, x, y, sigma, feedback }, problem, schedule, machine } = self;
        let c = schedule.dt_gradient.len();
        let replicas = || schedule.dt_gradient.iter().zip(&schedule.dt_annealing).zip(&schedule.momentum);
        let rows = x.chunks_exact_mut(c).zip(y.chunks_exact_mut(c)).zip(sigma.chunks_exact_mut(c)).zip(feedback.chunks_exact(c));
        for (i, (((x, y), sigma), feedback)) in (first..).zip(rows) {
            let (h, binary) = (problem.h[i], i < problem.n_binary);
            if let Some(MachineRows { step, keys }) = machine {
                step.step_row(i, x, y, sigma, feedback, keys, schedule, h, binary);
                continue;
            }
            for ((((x, y), s), &f), ((&g, &a), &m)) in x.iter_mut().zip(y.iter_mut()).zip(sigma.iter_mut()).zip(feedback).zip(replicas()) {
                (*x, *y) = step(*x, *y, f, h, g, a, m);
                *s = sigma_of(*x, binary);
            }
        }
    }
}

/// out = matrix·sigma (variable-major, c replicas wide): row i of `out` accumulates v·σ_j over
/// the matrix row's non-zeros in CSR order, each non-zero applied to all c replicas at once.
struct SparseProduct<'a, T> {
    matrix: &'a Csr<T>,
    sigma: &'a [T],
    out: &'a mut [T],
    width: usize,
}

impl<T: Real> pulp::WithSimd for SparseProduct<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let SparseProduct { matrix, sigma, out, width: c } = self;
        let row = |i: usize| {
            let (cols, values) = matrix.row(i);
            Row { cols, values }
        };
        // Rows in pairs: two independent sums in flight hide the latency of each addition.
        let mut pairs = out.chunks_exact_mut(2 * c);
        for (p, f) in pairs.by_ref().enumerate() {
            let (a, b) = f.split_at_mut(c);
            accumulate(simd, [row(2 * p), row(2 * p + 1)], [a, b], sigma, c);
        }
        let last = pairs.into_remainder();
        if !last.is_empty() {
            accumulate(simd, [row(matrix.rows() - 1)], [last], sigma, c);
        }
    }
}

/// One row of sparse J.
struct Row<'a, T> {
    cols: &'a [u32],
    values: &'a [T],
}

// Manual: a derive would demand `T: Copy` although only references are copied.
impl<T> Clone for Row<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Row<'_, T> {}

/// F rows `f` of R rows of J applied to a chunk's σ (c replicas wide): each entry the sum over
/// its row's non-zeros in CSR order. Whole vectors of replicas accumulate in registers, the
/// rest in memory.
#[inline(always)]
fn accumulate<S: pulp::Simd, T: Real, const R: usize>(simd: S, rows: [Row<T>; R], mut f: [&mut [T]; R], sigma: &[T], c: usize) {
    let vector = T::lanes::<S>();
    let whole = c / vector * vector;
    let mut offset = 0;
    while offset < whole {
        offset += match (whole - offset) / vector {
            1 => accumulate_vectors::<S, T, R, 1>(simd, rows, &mut f, sigma, c, offset),
            2 | 3 => accumulate_vectors::<S, T, R, 2>(simd, rows, &mut f, sigma, c, offset),
            _ => accumulate_vectors::<S, T, R, 4>(simd, rows, &mut f, sigma, c, offset),
        };
    }
    if whole == c {
        return;
    }
    for (f, row) in f.iter_mut().zip(rows) {
        let tail = &mut f[whole..];
        tail.fill(T::ZERO);
        for (&j, &v) in row.cols.iter().zip(row.values) {
            for (f, &s) in tail.iter_mut().zip(&sigma[j as usize * c + whole..(j as usize + 1) * c]) {
                *f = *f + v * s;
            }
        }
    }
}

/// V vectors of replicas from `offset` on; returns how many replicas that covered.
#[inline(always)]
fn accumulate_vectors<S: pulp::Simd, T: Real, const R: usize, const V: usize>(simd: S, rows: [Row<T>; R], f: &mut [&mut [T]; R], sigma: &[T], c: usize, offset: usize) -> usize {
    let lanes = V * T::lanes::<S>();
    let mut acc = [[T::splat(simd, T::ZERO); V]; R];
    let longest = rows.iter().map(|r| r.cols.len()).max().unwrap_or(0);
    for t in 0..longest {
        for (acc, row) in acc.iter_mut().zip(&rows) {
            if let (Some(&j), Some(&v)) = (row.cols.get(t), row.values.get(t)) {
                let v = T::splat(simd, v);
                let start = j as usize * c + offset;
                let (s, _) = T::as_vectors::<S>(&sigma[start..start + lanes]);
                for (a, &s) in acc.iter_mut().zip(s) {
                    *a = T::add_vectors(simd, *a, T::mul_vectors(simd, v, s));
                }
            }
        }
    }
    for (f, acc) in f.iter_mut().zip(&acc) {
        let (f, _) = T::as_mut_vectors::<S>(&mut f[offset..offset + lanes]);
        f.copy_from_slice(acc);
    }
    lanes
}

/// E_k = Σ_i σ_ik·(−½(Jσ)_ik − h_i) for some replicas (`columns`) of a chunk, in f64 with the
/// operations and order of [`DynamicsProblem::energy`], so the two agree (up to the sign of a
/// zero): only terms with a factor σ = 0 in every replica of the group are skipped.
struct GroupEnergies<'a, T> {
    problem: &'a DynamicsProblem<T>,
    sigma: &'a [T],
    width: usize,
    columns: Range<usize>,
    out: &'a mut [f64],
}

impl<T: Real> pulp::WithSimd for GroupEnergies<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let GroupEnergies { problem, sigma, width: c, columns, out } = self;
        let n = problem.n;
        // The group's σ in f64, ENERGY_COLUMNS per variable (zero-padded past the last replica),
        // then for factored J its activities in f64, summed as `DynamicsProblem::row_dot` does.
        let mut group = vec![0.0f64; (n + problem.couplings.activities()) * ENERGY_COLUMNS];
        for (g, row) in group.chunks_exact_mut(ENERGY_COLUMNS).zip(sigma.chunks_exact(c)) {
            for (g, &s) in g.iter_mut().zip(&row[columns.clone()]) {
                *g = s.to_f64();
            }
        }
        if let Couplings::Factored { rows, .. } = &problem.couplings {
            let (sigma, activities) = group.split_at_mut(n * ENERGY_COLUMNS);
            for (r, activity) in activities.chunks_exact_mut(ENERGY_COLUMNS).enumerate() {
                activity.fill(-0.0);
                let (cols, values) = rows.row(r);
                for (&j, &v) in cols.iter().zip(values) {
                    for (a, &s) in activity.iter_mut().zip(&sigma[j as usize * ENERGY_COLUMNS..]) {
                        *a += v.to_f64() * s;
                    }
                }
            }
        }
        let set: Vec<bool> = group.chunks_exact(ENERGY_COLUMNS).map(|g| g.iter().any(|&s| s != 0.0)).collect();
        let support: Vec<usize> = (0..n).filter(|&i| set[i]).collect();
        // Explicit vectors: a plain loop over a fixed-size accumulator array is unrolled into
        // scalar code. Each vector lane is one replica's sequential sum, exactly as in
        // `DynamicsProblem::row_dot` (separate multiply and add, never fused).
        let (vectors, _) = S::as_simd_f64s(&group);
        let per_row = ENERGY_COLUMNS / S::F64_LANES;
        let row_of = |j: usize| &vectors[j * per_row..(j + 1) * per_row];
        let mut dot = vec![0.0f64; ENERGY_COLUMNS];
        // Rust's f64 sum starts from −0.0; so do these.
        let mut energy = [-0.0f64; ENERGY_COLUMNS];
        for &i in &support {
            // Four vectors at a time, which stay in registers across the sum over j.
            for (block, dot) in dot.chunks_exact_mut(ACCUMULATORS * S::F64_LANES).enumerate() {
                let mut acc = [simd.splat_f64s(-0.0); ACCUMULATORS];
                let mut add = |v: T, j: usize| {
                    let v = simd.splat_f64s(v.to_f64());
                    for (a, &s) in acc.iter_mut().zip(&row_of(j)[block * ACCUMULATORS..]) {
                        *a = simd.add_f64s(*a, simd.mul_f64s(v, s));
                    }
                };
                match &problem.couplings {
                    Couplings::Dense(values) => {
                        let row = &values[i * n..(i + 1) * n];
                        for &j in &support {
                            add(row[j], j);
                        }
                    }
                    Couplings::Sparse(matrix) | Couplings::Factored { couplings: matrix, .. } => {
                        let (cols, values) = matrix.row(i);
                        for (&j, &v) in cols.iter().zip(values) {
                            if set[j as usize] {
                                add(v, j as usize);
                            }
                        }
                    }
                }
                let (lanes, _) = S::as_mut_simd_f64s(dot);
                lanes.copy_from_slice(&acc);
            }
            let h = problem.h[i].to_f64();
            for ((e, &d), &s) in energy.iter_mut().zip(&dot).zip(&group[i * ENERGY_COLUMNS..]) {
                *e += s * (-0.5 * d - h);
            }
        }
        out.copy_from_slice(&energy[..out.len()]);
    }
}

//! Engines run batches of AOC-DT replicas (spec §2.3): the sweep hands one a batch of B
//! replicas, each with its own (α0, G, m) and initial state, and gets back the final states
//! and their energies. The sweep never knows which engine runs it.

use crate::hardware::HardwareModel;
use crate::qumo::{CoefficientRange, Qumo};

mod cpu;
pub mod gpu;
mod select;

pub use cpu::CpuEngine;
pub use crate::dynamics::{Couplings, Csr, DynamicsProblem, ProductForm, Real};
pub use gpu::{AdapterChoice, GpuEngine};
pub use select::{create_engine, EngineChoice};

/// Bias of the positive-QUMO sampler: annealing pulls every variable toward ½, the binary
/// threshold and centre of the [0, 1] walls.
pub const BIAS: f32 = 0.5;
/// Binary threshold: σ(x) = 1 if x > ½ else 0.
pub const THRESHOLD: f32 = 0.5;

/// The float type of an engine's dynamics (J, h, x, y, σ and the product J·σ). The GPU engine
/// and the CPU engine by default run f32, the GPUs' native precision; the CPU engine runs f64
/// on request (`--precision f64`), for instances whose coefficients f32 cannot resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F32,
    F64,
}

impl Precision {
    /// Whether the dynamics keep every coefficient of `range` beside the largest and tell every
    /// two apart. f32 resolves 1 part in 2^24 (its significand); f64 is the model's own
    /// precision, which resolves whatever the file's numbers were read as.
    pub fn resolves(self, range: &CoefficientRange) -> bool {
        match self {
            Precision::F32 => range.ratio() <= F32_RESOLUTION && range.merged_in_f32.is_none(),
            Precision::F64 => true,
        }
    }
}

/// 2^24: the ratio of magnitudes beyond which an f32 sum loses the smaller term entirely.
pub const F32_RESOLUTION: f64 = 16_777_216.0;

/// Per-replica sampler parameters (spec §3.2): α0 = a/g, G = 1/(g·λ), m.
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct ReplicaParams {
    pub annealing: f32,
    pub gradient: f32,
    pub momentum: f32,
}

impl ReplicaParams {
    /// δ = α0/N (spec §2.2), which both engines subtract from α after each iteration, in the
    /// dynamics' precision `T`.
    pub(crate) fn decrement<T: Real>(&self, iterations: u32) -> T {
        T::from_f32(self.annealing) / T::from_f64(f64::from(iterations.max(1)))
    }
}

/// One batch: `params.len()` replicas, initial states replica-major (`initial[k·n + i]`).
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    pub params: &'a [ReplicaParams],
    pub initial: &'a [f32],
    pub iterations: u32,
    pub dt: f32,
    /// Seed of the product noise under a hardware model (`crate::hardware::replica_key`);
    /// unused by the ideal twin.
    pub noise_seed: u64,
}

impl Batch<'_> {
    pub fn replicas(&self) -> usize {
        self.params.len()
    }
}

/// Final σ of every replica (replica-major; binaries exactly 0 or 1, slacks the clamped x), its
/// QUMO energy −½σᵀJσ − hᵀσ (without the constant; under a hardware model, with the machine's J
/// and h), and the final state x itself (replica-major, n per replica): the amplitudes a
/// readout other than the threshold decides by (`crate::readout`).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOutput {
    /// σ, replicas × n.
    pub states: Vec<f32>,
    /// The QUMO energy of each replica's σ.
    pub energies: Vec<f64>,
    /// x, replicas × n.
    pub amplitudes: Vec<f32>,
}

/// What ran a batch, for reports.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EngineInfo {
    /// `cpu` or `gpu`.
    pub kind: String,
    /// The device in words (CPU model and threads, or adapter name and backend).
    pub device: String,
    /// Host threads driving the work (1 for the GPU engine).
    pub threads: usize,
    /// The GPU engine's kernel for dense J (`tiled` or `block8`); `None` for the CPU engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dense_kernel: Option<gpu::DenseKernel>,
    /// A wgpu adapter that is a CPU in software (`wgpu::DeviceType::Cpu`: llvmpipe, lavapipe,
    /// WARP), not a GPU; false for the native CPU engine.
    #[serde(skip)]
    pub software_adapter: bool,
}

pub trait Engine {
    fn info(&self) -> EngineInfo;
    /// The float type of the dynamics.
    fn precision(&self) -> Precision;
    /// Makes `problem` the current one (uploads J and h once; later batches reuse them).
    fn load(&mut self, problem: &DynamicsProblem) -> anyhow::Result<()>;
    /// Replaces h of the loaded problem, J unchanged (a multiplier step moves only the fields).
    /// `h` has the loaded problem's n entries, rounded once to the engine's precision.
    fn set_fields(&mut self, h: &[f64]) -> anyhow::Result<()>;
    /// Makes `qumo` the current problem with J in `form`, its J and h rounded once to the
    /// engine's precision.
    fn load_qumo(&mut self, qumo: &Qumo, form: ProductForm) -> anyhow::Result<()> {
        self.load(&DynamicsProblem::from_qumo(qumo, Some(form)))
    }
    /// Makes later loads model `hardware`'s non-idealities (`None`: the ideal twin, the default).
    fn set_hardware(&mut self, hardware: Option<HardwareModel>);
    /// The hardware model later loads apply, if any.
    fn hardware(&self) -> Option<&HardwareModel>;
    /// Runs the batch on the loaded problem.
    fn run(&mut self, batch: &Batch) -> anyhow::Result<BatchOutput>;
    /// Replicas per batch this engine runs best at for the loaded problem.
    fn batch_size(&self) -> usize;
    /// Peak bytes the engine holds on its device for the loaded problem and a batch of
    /// `replicas`: J and h once, plus every per-replica buffer. `None` when it cannot say.
    fn device_memory_bytes(&self, replicas: usize) -> Option<usize>;
}

/// Replica-major states (`states[k·n + i]`) into the variable-major layout both engines
/// work in (`out[i·stride + k]`, in the engine's precision); columns past the given replicas
/// are left as they are.
fn to_variable_major<T: Real>(states: &[f32], n: usize, stride: usize, out: &mut [T]) {
    for (k, state) in states.chunks_exact(n.max(1)).enumerate() {
        for (i, &v) in state.iter().enumerate() {
            out[i * stride + k] = T::from_f32(v);
        }
    }
}

/// One AOC-DT step for one entry (spec §2.3 steps 3–7), in the order Julia evaluates it:
/// x ← x + ((dt·G)·F − (dt·α)·(x − b) + m·(x − y)), then x ← x + dt·G·h, y ← old x, and x
/// clamped to the positive-QUMO walls [0, 1] (y is not). Returns (new x, new y).
#[inline(always)]
pub fn step<T: Real>(x: T, y: T, feedback: T, field: T, dt_gradient: T, dt_annealing: T, momentum: T) -> (T, T) {
    let next = x + ((dt_gradient * feedback - dt_annealing * (x - T::from_f32(BIAS))) + momentum * (x - y));
    let next = next + dt_gradient * field;
    (next.clamp(T::ZERO, T::ONE), x)
}

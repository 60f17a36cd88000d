//! The GPU engine: AOC-DT in WGSL through wgpu (Vulkan, Metal, DX12; lavapipe on CPUs).
//!
//! One replica per state column, thousands of columns with their own (α0, G, m). Each iteration
//! is one dispatch per J row block (one in all unless J exceeds a binding): a register-tiled
//! GEMM (dense J) or CSR product (sparse J) with the update fused into its epilogue, reading σ
//! on the fly from the previous x and writing the next x into the other ping-pong buffer.
//! Factored J runs the CSR kernel twice per iteration: once over its rows for the activities,
//! kept in spare rows of the buffer being written, then over its couplings with the update.
//! Iterations are recorded back to back, ITERATIONS_PER_SUBMIT per submission; only the final σ
//! and the f32 energies, computed on the device, come back at the end of the batch. Batches
//! wider than one sub-batch (each buffer of every pass, for all its replicas, must fit one
//! binding) run as several.
//!
//! Every product sums each row in column order, unfused, like the CPU engine's CSR products (a
//! hardware driver may still fuse the multiply-adds); only the CPU's GEMM path sums in another
//! order. The annealing is decremented by subtraction exactly as on the CPU.
//!
//! Under a hardware model (`crate::hardware`) the host loads the machine's J and h (the same
//! `HardwareModel::prepare` as the CPU engine) and the kernels add the same seeded noise draws
//! and feed binaries back through the soft threshold (in f32, where the CPU computes it in f64).

mod device;
mod display_probe;
mod layout;
mod pipelines;
mod plan;
mod problem;
mod shaders;
mod state;

use std::time::Duration;

pub use device::{AdapterChoice, AdapterLimits, AdapterSummary, list_adapters};
pub use display_probe::quiet_display_probe;
pub use shaders::{DENSE_KERNEL_ENV, DenseKernel, Kernel};

use super::{Batch, BatchOutput, DynamicsProblem, Engine, EngineInfo, Precision};
use crate::hardware::{HardwareModel, MachineDynamics};
use device::{Gpu, OutOfMemory};
use pipelines::Pipelines;
use plan::Budget;
use problem::{LoadedProblem, MachineConstants};
use shaders::COLUMN_ALIGN;
use state::States;

/// Environment variable overriding the per-sub-batch timeout, in seconds.
pub const TIMEOUT_ENV: &str = "AOCBENCH_GPU_TIMEOUT_S";

/// Knobs for tests and diagnostics; the defaults use what the device allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuOptions {
    /// Longest wait for one sub-batch; overrides AOCBENCH_GPU_TIMEOUT_S and the estimate from
    /// the work size.
    pub timeout: Option<Duration>,
    /// Plan as if no storage binding could exceed this many bytes (forces J to be split into
    /// row blocks and batches into sub-batches).
    pub max_binding_bytes: Option<u64>,
    /// Plan as if no dispatch could have more workgroups per dimension than this.
    pub max_workgroups_per_dimension: Option<u32>,
    /// The dense kernel; overrides AOCBENCH_DENSE_KERNEL.
    pub dense_kernel: Option<DenseKernel>,
}

pub struct GpuEngine {
    gpu: Gpu,
    pipelines: Pipelines,
    /// The kernel the pipelines multiply dense J with.
    dense_kernel: DenseKernel,
    budget: Budget,
    timeout: Option<Duration>,
    loaded: Option<Loaded>,
    hardware: Option<HardwareModel>,
    /// The hardware model's fields for the loaded problem (to redo them in `set_fields`).
    machine: Option<MachineDynamics>,
}

struct Loaded {
    problem: LoadedProblem,
    /// Allocated by the first batch, reallocated when a wider one comes.
    states: Option<States>,
}

impl GpuEngine {
    pub fn new(choice: AdapterChoice) -> anyhow::Result<GpuEngine> {
        Self::with_options(choice, GpuOptions::default())
    }

    pub fn with_options(choice: AdapterChoice, options: GpuOptions) -> anyhow::Result<GpuEngine> {
        let timeout = match options.timeout {
            Some(timeout) => Some(timeout),
            None => timeout_override()?,
        };
        let dense_kernel = match options.dense_kernel {
            Some(kernel) => kernel,
            None => DenseKernel::from_env()?,
        };
        let gpu = Gpu::new(choice)?;
        let pipelines = Pipelines::new(&gpu, dense_kernel)?;
        let budget = Budget {
            binding_bytes: options.max_binding_bytes.map_or(gpu.budget.binding_bytes, |b| b.min(gpu.budget.binding_bytes)),
            workgroups_per_dimension: options
                .max_workgroups_per_dimension
                .map_or(gpu.budget.workgroups_per_dimension, |w| w.min(gpu.budget.workgroups_per_dimension)),
        };
        Ok(GpuEngine { gpu, pipelines, dense_kernel, budget, timeout, loaded: None, hardware: None, machine: None })
    }

    /// The adapter the engine runs on.
    pub fn adapter(&self) -> &wgpu::AdapterInfo {
        &self.gpu.info
    }

    /// Destroys the device as a driver reset would, for fault-injection tests: every later
    /// call fails with a device-lost error.
    pub fn destroy_device(&self) {
        self.gpu.device.destroy();
    }

    /// How the loaded problem is split to fit the device.
    pub fn split(&self) -> Option<Split> {
        self.loaded.as_ref().map(|l| {
            let plan = &l.problem.plan;
            Split { coupling_blocks: plan.blocks.len(), activity_blocks: plan.activity_blocks.len(), max_sub_batch: plan.max_width }
        })
    }
}

/// How a loaded problem is split to fit the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Row blocks of J, one binding and one dispatch per iteration each.
    pub coupling_blocks: usize,
    /// Row blocks of factored J's rows, one binding and one dispatch per iteration each (0 for
    /// dense and sparse J).
    pub activity_blocks: usize,
    /// Most replicas one sub-batch holds; wider batches run as several.
    pub max_sub_batch: usize,
}

/// Allocates the state for `width` replicas, halving the width while the device runs out of
/// memory (smaller sub-batches rather than failure).
fn allocate_states(gpu: &Gpu, pipelines: &Pipelines, problem: &LoadedProblem, mut width: usize) -> anyhow::Result<States> {
    loop {
        match States::new(gpu, pipelines, problem, width) {
            Err(error) if error.is::<OutOfMemory>() && width > COLUMN_ALIGN as usize => {
                width = (width / 2).next_multiple_of(COLUMN_ALIGN as usize);
            }
            result => return result,
        }
    }
}

fn timeout_override() -> anyhow::Result<Option<Duration>> {
    let Ok(value) = std::env::var(TIMEOUT_ENV) else { return Ok(None) };
    let seconds = value.trim().parse::<f64>().unwrap_or(f64::NAN);
    crate::seconds::duration(seconds, &format!("{TIMEOUT_ENV}={value:?}")).map(Some).map_err(anyhow::Error::msg)
}

impl Engine for GpuEngine {
    fn info(&self) -> EngineInfo {
        let info = &self.gpu.info;
        // Under a hardware model the machine joins the kind (`gpu+aoc16`), as on the CPU.
        let kind = self.hardware.as_ref().map_or("gpu".to_string(), |h| format!("gpu+{}", h.machine.name()));
        EngineInfo {
            kind,
            device: format!("{} ({}, {:?})", info.name, info.backend, info.device_type),
            threads: 1,
            dense_kernel: Some(self.dense_kernel),
            software_adapter: info.device_type == wgpu::DeviceType::Cpu,
        }
    }

    fn precision(&self) -> Precision {
        Precision::F32
    }

    fn load(&mut self, problem: &DynamicsProblem) -> anyhow::Result<()> {
        self.loaded = None;
        self.gpu.healthy()?;
        // A copy only under a hardware model (J may be large).
        let machine_problem;
        let problem = match &self.hardware {
            Some(model) => {
                let mut copy = problem.clone();
                self.machine = Some(model.prepare(&mut copy)?);
                machine_problem = copy;
                &machine_problem
            }
            None => {
                self.machine = None;
                problem
            }
        };
        let problem = LoadedProblem::upload(&self.gpu, problem, MachineConstants::new(self.machine.as_ref()), self.budget)?;
        self.loaded = Some(Loaded { problem, states: None });
        Ok(())
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
        let loaded = self.loaded.as_ref().ok_or_else(|| anyhow::anyhow!("GPU engine: no problem loaded"))?;
        anyhow::ensure!(h.len() == loaded.problem.n, "GPU engine: h has {} entries for {} variables", h.len(), loaded.problem.n);
        self.gpu.healthy()?;
        if !h.is_empty() {
            let h: Vec<f32> = h.iter().map(|&v| v as f32).collect();
            self.gpu.checked("updating h", || self.gpu.queue.write_buffer(&loaded.problem.field, 0, bytemuck::cast_slice(&h)))?;
        }
        Ok(())
    }

    fn device_memory_bytes(&self, replicas: usize) -> Option<usize> {
        self.loaded.as_ref().map(|l| l.problem.footprint.total(replicas) as usize)
    }

    fn run(&mut self, batch: &Batch) -> anyhow::Result<BatchOutput> {
        let loaded = self.loaded.as_mut().ok_or_else(|| anyhow::anyhow!("GPU engine: no problem loaded"))?;
        let n = loaded.problem.n;
        anyhow::ensure!(batch.initial.len() == n * batch.replicas(), "GPU engine: initial states must be replicas × n");
        self.gpu.healthy()?;
        let width = loaded.problem.plan.width_for(batch.replicas());
        if loaded.states.as_ref().is_none_or(|s| s.width < width) {
            loaded.states = None;
            loaded.states = Some(allocate_states(&self.gpu, &self.pipelines, &loaded.problem, width)?);
        }
        let states = loaded.states.as_ref().expect("allocated above");
        let timeout = self.timeout.unwrap_or_else(|| {
            plan::timeout(loaded.problem.product_nonzeros, states.width, batch.iterations, self.gpu.info.device_type == wgpu::DeviceType::Cpu)
        });
        let mut output = BatchOutput { states: Vec::with_capacity(batch.initial.len()), energies: Vec::with_capacity(batch.replicas()), amplitudes: Vec::with_capacity(batch.initial.len()) };
        for (s, (params, initial)) in batch.params.chunks(states.width).zip(batch.initial.chunks(states.width * n.max(1))).enumerate() {
            let sub = Batch { params, initial, ..*batch };
            match states.run(&self.gpu, &self.pipelines, &loaded.problem, &sub, s * states.width, timeout) {
                Ok(out) => {
                    output.states.extend(out.states);
                    output.amplitudes.extend(out.amplitudes);
                    output.energies.extend(out.energies.into_iter().map(f64::from));
                }
                Err(error) => {
                    // The failed sub-batch may still hold the buffers (a pending read-back after
                    // a timeout); the next batch starts from fresh ones.
                    loaded.states = None;
                    return Err(error);
                }
            }
        }
        Ok(output)
    }

    fn batch_size(&self) -> usize {
        self.loaded.as_ref().map_or(COLUMN_ALIGN as usize, |l| {
            plan::preferred_batch(l.problem.n, self.gpu.info.device_type, l.problem.plan.max_width)
        })
    }
}

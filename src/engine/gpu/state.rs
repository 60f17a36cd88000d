//! The state of one sub-batch on the device and the recording of its iterations.
//!
//! Buffers, for a sub-batch `width` replicas wide (variable-major, see shaders/common.wgsl):
//! x[0], x[1] (ping-pong; the one written also holds y, and for factored J the activities in
//! the rows after the n of x), α[0], α[1] (every replica's α, then its noise key under a
//! hardware model), the per-replica parameters, the final σ
//! (replica-major) and energies, and one read-back buffer for both. Iteration t reads x[t % 2]
//! and writes x[(t + 1) % 2] (factored: first the activities, then x); the energy pass is
//! "iteration N" with another epilogue, and the finish kernel reads what it left.

use super::device::Gpu;
use super::layout::{Replica, binding};
use super::pipelines::{Pipelines, ProductPipelines, bind_group};
use super::problem::{Block, LoadedProblem};
use super::shaders::FINISH_WG;
use crate::engine::{Batch, to_variable_major};
use crate::hardware::replica_key;

/// Iterations recorded per queue submission: long enough to amortise a submit, short enough
/// that no single command buffer runs for long.
const ITERATIONS_PER_SUBMIT: u32 = 128;

/// Mirrors `Info` in shaders/common.wgsl.
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Info {
    n: u32,
    n_binary: u32,
    stride: u32,
    row_begin: u32,
    row_end: u32,
    j_stride: u32,
    noise_scale: f32,
    soft_threshold: u32,
    /// a, b, c, d, f, g of the soft threshold, then its input range.
    tanh: [f32; 7],
    _pad: u32,
}

pub(crate) struct States {
    pub width: usize,
    x: [wgpu::Buffer; 2],
    alpha: [wgpu::Buffer; 2],
    replicas: wgpu::Buffer,
    states: wgpu::Buffer,
    energies: wgpu::Buffer,
    read_back: wgpu::Buffer,
    /// Per J block, the bind groups of the two ping-pong parities.
    step_groups: Vec<[wgpu::BindGroup; 2]>,
    /// The same for the blocks of the activity pass (factored J only).
    activity_groups: Vec<[wgpu::BindGroup; 2]>,
    finish_groups: [wgpu::BindGroup; 2],
}

/// Final σ, x (both replica-major) and energies of a sub-batch.
pub(crate) struct SubBatchOutput {
    pub states: Vec<f32>,
    pub amplitudes: Vec<f32>,
    pub energies: Vec<f32>,
}

impl States {
    pub fn new(gpu: &Gpu, pipelines: &Pipelines, problem: &LoadedProblem, width: usize) -> anyhow::Result<Self> {
        gpu.checked(&format!("allocating the state of {width} replicas"), || Self::allocate(gpu, pipelines, problem, width))
    }

    fn allocate(gpu: &Gpu, pipelines: &Pipelines, problem: &LoadedProblem, width: usize) -> Self {
        use wgpu::BufferUsages as U;
        // The plan's per-column sizes (never empty: a binding needs a size).
        let columns = &problem.plan.columns;
        let bytes = |per_column: u64| (per_column * width as u64).max(16);
        let buffer = |label: &str, size: u64, usage: U| {
            gpu.device.create_buffer(&wgpu::BufferDescriptor { label: Some(label), size, usage, mapped_at_creation: false })
        };
        let state = U::STORAGE | U::COPY_DST;
        let x = ["x 0", "x 1"].map(|label| buffer(label, bytes(columns.x), state));
        // α of every replica, then their noise keys.
        let alpha = ["alpha 0", "alpha 1"].map(|label| buffer(label, bytes(columns.alpha), state));
        let replicas = buffer("replicas", bytes(columns.replica), state);
        // σ of every replica, then its x (the amplitudes), both replica-major.
        let states = buffer("states", bytes(columns.states), U::STORAGE | U::COPY_SRC);
        let energies = buffer("energies", bytes(columns.energies), U::STORAGE | U::COPY_SRC);
        // columns.read_back per column, here with the floors of both.
        let read_back = buffer("read-back", states.size() + energies.size(), U::MAP_READ | U::COPY_DST);
        let machine = problem.machine;
        let (soft, range) = machine.soft_threshold.unwrap_or_default();
        let info = |block: &Block| {
            let info = Info {
                n: problem.n as u32,
                n_binary: problem.n_binary as u32,
                stride: width as u32,
                row_begin: block.rows.start as u32,
                row_end: block.rows.end as u32,
                j_stride: problem.plan.j_stride as u32,
                noise_scale: machine.noise_scale,
                soft_threshold: machine.soft_threshold.is_some() as u32,
                tanh: [soft[0], soft[1], soft[2], soft[3], soft[4], soft[5], range],
                _pad: 0,
            };
            let uniform = buffer("info", size_of::<Info>() as u64, U::UNIFORM | U::COPY_DST);
            gpu.queue.write_buffer(&uniform, 0, bytemuck::bytes_of(&info));
            uniform
        };
        let layout = &pipelines.of(problem.form).layout;
        // Per block, its Info and the bind groups of both parities.
        let groups = |blocks: &[Block]| -> (Vec<wgpu::Buffer>, Vec<[wgpu::BindGroup; 2]>) {
            let infos: Vec<wgpu::Buffer> = blocks.iter().map(info).collect();
            let groups = blocks
                .iter()
                .zip(&infos)
                .map(|(block, info)| {
                    [0, 1].map(|p| {
                        let mut buffers = vec![
                            (binding::INFO, info),
                            (binding::REPLICAS, &replicas),
                            (binding::FIELD, &problem.field),
                            (binding::X_IN, &x[p]),
                            (binding::X_OUT, &x[1 - p]),
                            (binding::ALPHA_IN, &alpha[p]),
                            (binding::ALPHA_OUT, &alpha[1 - p]),
                        ];
                        buffers.extend(block.couplings.iter().map(|(b, buffer)| (*b, buffer)));
                        bind_group(gpu, layout, "step", &buffers)
                    })
                })
                .collect();
            (infos, groups)
        };
        let (infos, step_groups) = groups(&problem.blocks);
        let (_, activity_groups) = groups(&problem.activity_blocks);
        let finish_groups = [0, 1].map(|p| {
            let buffers = [
                (binding::INFO, &infos[0]),
                (binding::X_IN, &x[p]),
                (binding::X_OUT, &x[1 - p]),
                (binding::STATES, &states),
                (binding::ENERGIES, &energies),
            ];
            bind_group(gpu, &pipelines.finish_layout, "finish", &buffers)
        });
        States { width, x, alpha, replicas, states, energies, read_back, step_groups, activity_groups, finish_groups }
    }

    /// Runs `batch` (at most `width` replicas, the first of them replica `first_replica` of the
    /// whole batch, which keys its noise) to the end and reads back its σ and energies.
    pub fn run(&self, gpu: &Gpu, pipelines: &Pipelines, problem: &LoadedProblem, batch: &Batch, first_replica: usize, timeout: std::time::Duration) -> anyhow::Result<SubBatchOutput> {
        let (n, replicas, width) = (problem.n, batch.replicas(), self.width);
        debug_assert!(replicas <= width);
        let mut x = vec![0.0f32; problem.plan.columns.state_rows * width];
        to_variable_major(batch.initial, n, width, &mut x);
        // α as bits, then the noise keys (shaders/common.wgsl).
        let mut alpha = vec![0u32; 2 * width];
        let mut params = vec![bytemuck::Zeroable::zeroed(); width];
        for (k, p) in batch.params.iter().enumerate() {
            alpha[k] = p.annealing.to_bits();
            alpha[width + k] = replica_key(batch.noise_seed, (first_replica + k) as u32);
            params[k] = Replica::new(p, batch.iterations, batch.dt);
        }
        let kernels = pipelines.of(problem.form);
        let submission = gpu.checked("running the batch", || {
            gpu.queue.write_buffer(&self.x[0], 0, bytemuck::cast_slice(&x));
            gpu.queue.write_buffer(&self.alpha[0], 0, bytemuck::cast_slice(&alpha));
            gpu.queue.write_buffer(&self.replicas, 0, bytemuck::cast_slice(&params));
            let mut encoder = gpu.device.create_command_encoder(&Default::default());
            // y = 0 before the first iteration.
            encoder.clear_buffer(&self.x[1], 0, None);
            for start in (0..batch.iterations).step_by(ITERATIONS_PER_SUBMIT as usize) {
                self.record(&mut encoder, kernels, &kernels.step, problem, start..(start + ITERATIONS_PER_SUBMIT).min(batch.iterations));
                gpu.queue.submit([encoder.finish()]);
                encoder = gpu.device.create_command_encoder(&Default::default());
            }
            let last = batch.iterations;
            self.record(&mut encoder, kernels, &kernels.energy, problem, last..last + 1);
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                pass.set_pipeline(&pipelines.finish);
                pass.set_bind_group(0, &self.finish_groups[(last % 2) as usize], &[]);
                pass.dispatch_workgroups(width as u32 / FINISH_WG, 1, 1);
            }
            encoder.copy_buffer_to_buffer(&self.states, 0, &self.read_back, 0, self.states.size());
            encoder.copy_buffer_to_buffer(&self.energies, 0, &self.read_back, self.states.size(), self.energies.size());
            gpu.queue.submit([encoder.finish()])
        })?;
        let energies_at = self.states.size() as usize;
        gpu.read_back(&self.read_back, submission, timeout, |bytes| {
            let states: &[f32] = bytemuck::cast_slice(&bytes[..energies_at]);
            SubBatchOutput {
                states: states[..replicas * n].to_vec(),
                amplitudes: states[width * n..width * n + replicas * n].to_vec(),
                energies: bytemuck::cast_slice(&bytes[energies_at..])[..replicas].to_vec(),
            }
        })
    }

    /// One compute pass running `pipeline` (the step or energy pass of `kernels`) for
    /// `iterations`, every J block per iteration, each iteration after its activity pass when
    /// `kernels` has one (wgpu orders the dispatches of a pass by the buffers they share).
    fn record(&self, encoder: &mut wgpu::CommandEncoder, kernels: &ProductPipelines, pipeline: &wgpu::ComputePipeline, problem: &LoadedProblem, iterations: std::ops::Range<u32>) {
        let (columns, rows) = problem.workgroup_shape();
        let mut pass = encoder.begin_compute_pass(&Default::default());
        let mut dispatch = |pipeline: &wgpu::ComputePipeline, groups: &[[wgpu::BindGroup; 2]], blocks: &[Block], t: u32| {
            pass.set_pipeline(pipeline);
            for (groups, block) in groups.iter().zip(blocks) {
                pass.set_bind_group(0, &groups[(t % 2) as usize], &[]);
                pass.dispatch_workgroups(self.width as u32 / columns, (block.rows.len() as u32).div_ceil(rows), 1);
            }
        };
        for t in iterations {
            if let Some(activity) = &kernels.activity {
                dispatch(activity, &self.activity_groups, &problem.activity_blocks, t);
            }
            dispatch(pipeline, &self.step_groups, &problem.blocks, t);
        }
    }
}

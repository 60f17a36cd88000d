//! The loaded problem on the device: J split into row blocks (each one binding) and h.

use std::ops::Range;

use super::device::Gpu;
use super::layout::binding;
use super::plan::{Budget, MemoryFootprint, Plan};
use super::shaders::{DENSE_TILE_COLS, DENSE_TILE_ROWS, SPARSE_WG_COLS, SPARSE_WG_ROWS};
use crate::engine::{Couplings, Csr, DynamicsProblem, ProductForm};
use crate::hardware::MachineDynamics;

/// Rows [rows) of J in the product kernel's format, with their binding numbers.
pub(crate) struct Block {
    pub rows: Range<usize>,
    pub couplings: Vec<(u32, wgpu::Buffer)>,
}

pub(crate) struct LoadedProblem {
    pub n: usize,
    pub n_binary: usize,
    pub form: ProductForm,
    pub product_nonzeros: usize,
    pub footprint: MemoryFootprint,
    pub plan: Plan,
    pub blocks: Vec<Block>,
    /// Factored J: the blocks of its `rows` (the activity pass); otherwise none.
    pub activity_blocks: Vec<Block>,
    pub field: wgpu::Buffer,
    /// The hardware model's per-iteration constants (all zero for the ideal twin).
    pub machine: MachineConstants,
}

/// What the kernels need of a hardware model (`Info` in shaders/common.wgsl), in f32.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct MachineConstants {
    /// One noise count's worth of the product; 0 without noise.
    pub noise_scale: f32,
    /// The soft threshold's [a, b, c, d, f, g] and input range; `None` without it.
    pub soft_threshold: Option<([f32; 6], f32)>,
}

impl MachineConstants {
    pub fn new(machine: Option<&MachineDynamics>) -> MachineConstants {
        let Some(machine) = machine else { return MachineConstants::default() };
        MachineConstants {
            noise_scale: machine.noise_scale().unwrap_or(0.0),
            soft_threshold: machine.soft_threshold.map(|s| (s.coefficients.map(|c| c as f32), s.input_range_v as f32)),
        }
    }
}

impl LoadedProblem {
    pub fn upload(gpu: &Gpu, problem: &DynamicsProblem, machine: MachineConstants, budget: Budget) -> anyhow::Result<Self> {
        let plan = Plan::new(problem, budget)?;
        let n = problem.n;
        let sparse_blocks = |matrix: &Csr, blocks: &[Range<usize>]| -> anyhow::Result<Vec<Block>> {
            blocks.iter().map(|rows| sparse_block(gpu, matrix, rows.clone())).collect()
        };
        let (blocks, activity_blocks) = gpu.checked("uploading J", || -> anyhow::Result<_> {
            Ok(match &problem.couplings {
                Couplings::Dense(values) => {
                    let blocks = plan.blocks.iter().map(|rows| dense_block(gpu, values, n, plan.j_stride, rows.clone()));
                    (blocks.collect::<anyhow::Result<_>>()?, Vec::new())
                }
                Couplings::Sparse(matrix) => (sparse_blocks(matrix, &plan.blocks)?, Vec::new()),
                Couplings::Factored { rows, couplings } => (sparse_blocks(couplings, &plan.blocks)?, sparse_blocks(rows, &plan.activity_blocks)?),
            })
        })??;
        // COPY_DST: multiplier steps rewrite h in place (`GpuEngine::set_fields`).
        let field = gpu.checked("uploading h", || filled_buffer(gpu, "h", bytemuck::cast_slice(&problem.h), wgpu::BufferUsages::COPY_DST))??;
        Ok(LoadedProblem {
            n,
            n_binary: problem.n_binary,
            form: problem.couplings.form(),
            product_nonzeros: problem.product_nonzeros(),
            footprint: MemoryFootprint::new(problem),
            plan,
            blocks,
            activity_blocks,
            field,
            machine,
        })
    }

    /// Replica columns and J rows one workgroup of the product kernel covers.
    pub fn workgroup_shape(&self) -> (u32, u32) {
        match self.form {
            ProductForm::Dense => (DENSE_TILE_COLS, DENSE_TILE_ROWS),
            ProductForm::Sparse | ProductForm::Factored => (SPARSE_WG_COLS, SPARSE_WG_ROWS),
        }
    }
}

/// J rows `rows`, row-major with `j_stride` words per row, zero-padded to whole tiles.
fn dense_block(gpu: &Gpu, values: &[f32], n: usize, j_stride: usize, rows: Range<usize>) -> anyhow::Result<Block> {
    let padded_rows = rows.len().next_multiple_of(DENSE_TILE_ROWS as usize);
    let buffer = mapped_buffer(gpu, "J block", (padded_rows * j_stride * 4) as u64, wgpu::BufferUsages::empty());
    {
        let mut view = buffer.get_mapped_range_mut(..)?;
        for (r, i) in rows.clone().enumerate() {
            let at = r * j_stride * 4;
            view.slice(at..at + n * 4).copy_from_slice(bytemuck::cast_slice(&values[i * n..(i + 1) * n]));
        }
    }
    buffer.unmap();
    Ok(Block { rows, couplings: vec![(binding::COUPLINGS, buffer)] })
}

/// CSR rows `rows`: row pointers rebased to the block, entries packed as (column, value bits).
fn sparse_block(gpu: &Gpu, matrix: &Csr, rows: Range<usize>) -> anyhow::Result<Block> {
    let Csr { row_ptr, cols, values } = matrix;
    let first = row_ptr[rows.start];
    let pointers: Vec<u32> = row_ptr[rows.start..=rows.end].iter().map(|p| p - first).collect();
    let span = first as usize..row_ptr[rows.end] as usize;
    let entries: Vec<[u32; 2]> = cols[span.clone()].iter().zip(&values[span]).map(|(&c, v)| [c, v.to_bits()]).collect();
    Ok(Block {
        rows,
        couplings: vec![
            (binding::COUPLINGS, filled_buffer(gpu, "CSR row pointers", bytemuck::cast_slice(&pointers), wgpu::BufferUsages::empty())?),
            (binding::ENTRIES, filled_buffer(gpu, "CSR entries", bytemuck::cast_slice(&entries), wgpu::BufferUsages::empty())?),
        ],
    })
}

/// A storage buffer holding `bytes`, with `extra` usages beside STORAGE.
fn filled_buffer(gpu: &Gpu, label: &str, bytes: &[u8], extra: wgpu::BufferUsages) -> anyhow::Result<wgpu::Buffer> {
    let buffer = mapped_buffer(gpu, label, bytes.len() as u64, extra);
    if !bytes.is_empty() {
        buffer.get_mapped_range_mut(..bytes.len() as u64)?.copy_from_slice(bytes);
    }
    buffer.unmap();
    Ok(buffer)
}

/// A zeroed storage buffer of `size` bytes, mapped for filling. Never empty (a binding needs a
/// size; the kernels never read past the data).
fn mapped_buffer(gpu: &Gpu, label: &str, size: u64, extra: wgpu::BufferUsages) -> wgpu::Buffer {
    gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: size.max(16),
        usage: wgpu::BufferUsages::STORAGE | extra,
        mapped_at_creation: true,
    })
}

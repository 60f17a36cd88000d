//! Bind group layouts and compute pipelines, built from the bindings of [`super::layout`].

use super::device::Gpu;
use super::layout::Access::{self, *};
use super::layout::{DENSE_COUPLINGS, FINISH, SPARSE_COUPLINGS, STEP};
use super::shaders::{DenseKernel, Kernel};
use crate::engine::ProductForm;

/// The pipelines of one product form, sharing one layout: the step and the energy pass, and
/// for factored J the activity pass that runs before each of them.
pub(crate) struct ProductPipelines {
    pub layout: wgpu::BindGroupLayout,
    pub step: wgpu::ComputePipeline,
    pub energy: wgpu::ComputePipeline,
    pub activity: Option<wgpu::ComputePipeline>,
}

pub(crate) struct Pipelines {
    pub dense: ProductPipelines,
    pub sparse: ProductPipelines,
    pub factored: ProductPipelines,
    pub finish_layout: wgpu::BindGroupLayout,
    pub finish: wgpu::ComputePipeline,
}

impl Pipelines {
    pub fn new(gpu: &Gpu, dense: DenseKernel) -> anyhow::Result<Pipelines> {
        let finish_layout = layout(gpu, "finish", &FINISH)?;
        let finish = pipeline(gpu, Kernel::Finish, &module(gpu, Kernel::Finish)?, &finish_layout, &[])?;
        Ok(Pipelines {
            dense: ProductPipelines::new(gpu, dense.kernel(), &DENSE_COUPLINGS, false)?,
            sparse: ProductPipelines::new(gpu, Kernel::Sparse, &SPARSE_COUPLINGS, false)?,
            factored: ProductPipelines::new(gpu, Kernel::Sparse, &SPARSE_COUPLINGS, true)?,
            finish_layout,
            finish,
        })
    }

    pub fn of(&self, form: ProductForm) -> &ProductPipelines {
        match form {
            ProductForm::Dense => &self.dense,
            ProductForm::Sparse => &self.sparse,
            ProductForm::Factored => &self.factored,
        }
    }
}

impl ProductPipelines {
    /// `factored`: the kernel (the sparse one) set by its FACTORED and ACTIVITY_PASS overrides.
    fn new(gpu: &Gpu, kernel: Kernel, couplings: &[(u32, Access)], factored: bool) -> anyhow::Result<Self> {
        let entries: Vec<_> = STEP.iter().chain(couplings).copied().collect();
        let layout = layout(gpu, kernel.file(), &entries)?;
        let module = module(gpu, kernel)?;
        let form: &[&str] = if factored { &["FACTORED"] } else { &[] };
        Ok(ProductPipelines {
            step: pipeline(gpu, kernel, &module, &layout, form)?,
            energy: pipeline(gpu, kernel, &module, &layout, &[form, &["ENERGY_PASS"]].concat())?,
            activity: factored.then(|| pipeline(gpu, kernel, &module, &layout, &["ACTIVITY_PASS"])).transpose()?,
            layout,
        })
    }
}

fn module(gpu: &Gpu, kernel: Kernel) -> anyhow::Result<wgpu::ShaderModule> {
    gpu.checked(&format!("compiling shaders/{}", kernel.file()), || {
        let descriptor = wgpu::ShaderModuleDescriptor { label: Some(kernel.file()), source: wgpu::ShaderSource::Wgsl(kernel.source().into()) };
        if kernel.trusted() {
            // SAFETY: a trusted kernel indexes only within its bindings and workgroup arrays for
            // every plan (`Kernel::trusted`), and its loops are bounded by the uniform j_stride.
            unsafe { gpu.device.create_shader_module_trusted(descriptor, wgpu::ShaderRuntimeChecks::unchecked()) }
        } else {
            gpu.device.create_shader_module(descriptor)
        }
    })
}

fn layout(gpu: &Gpu, label: &str, entries: &[(u32, Access)]) -> anyhow::Result<wgpu::BindGroupLayout> {
    let entries: Vec<wgpu::BindGroupLayoutEntry> = entries
        .iter()
        .map(|&(binding, access)| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: match access {
                    Uniform => wgpu::BufferBindingType::Uniform,
                    Read => wgpu::BufferBindingType::Storage { read_only: true },
                    ReadWrite => wgpu::BufferBindingType::Storage { read_only: false },
                },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        })
        .collect();
    gpu.checked(&format!("creating the {label} bind group layout"), || {
        gpu.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(label), entries: &entries })
    })
}

/// The pipeline of `kernel`'s entry point `main` for `layout`, with each listed boolean override
/// set (ENERGY_PASS turns the fused step into the energy-term epilogue; see the kernels for
/// the others).
fn pipeline(gpu: &Gpu, kernel: Kernel, module: &wgpu::ShaderModule, layout: &wgpu::BindGroupLayout, overrides: &[&str]) -> anyhow::Result<wgpu::ComputePipeline> {
    let what = format!("building the pipeline of shaders/{}{}", kernel.file(), overrides.iter().map(|o| format!(" {o}")).collect::<String>());
    gpu.checked(&what, || {
        let pipeline_layout = gpu.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(kernel.file()),
            bind_group_layouts: &[Some(layout)],
            immediate_size: 0,
        });
        let constants: Vec<(&str, f64)> = overrides.iter().map(|&name| (name, 1.0)).collect();
        gpu.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.file()),
            layout: Some(&pipeline_layout),
            module,
            entry_point: Some("main"),
            // Every kernel writes its workgroup memory before reading it.
            compilation_options: wgpu::PipelineCompilationOptions { constants: &constants, zero_initialize_workgroup_memory: false },
            cache: None,
        })
    })
}

/// A bind group for `layout` binding each listed buffer whole.
pub(crate) fn bind_group(gpu: &Gpu, layout: &wgpu::BindGroupLayout, label: &str, buffers: &[(u32, &wgpu::Buffer)]) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry> =
        buffers.iter().map(|&(binding, buffer)| wgpu::BindGroupEntry { binding, resource: buffer.as_entire_binding() }).collect();
    gpu.device.create_bind_group(&wgpu::BindGroupDescriptor { label: Some(label), layout, entries: &entries })
}


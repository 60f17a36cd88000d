//! Choosing the engine from the command line.

use super::{AdapterChoice, CpuEngine, Engine, GpuEngine, Precision};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// A hardware GPU when there is one, else the native CPU engine.
    Auto,
    Cpu,
    /// wgpu on any adapter, CPU adapters such as lavapipe included.
    Gpu,
}

/// `auto` never picks a CPU-type adapter (lavapipe is 40–100× slower than the native engine);
/// `gpu` takes whatever adapter exists and fails clearly when there is none. Only the CPU
/// engine runs f64 dynamics: `gpu` with f64 is an error, and `auto` with f64 is the CPU engine.
pub fn create_engine(choice: EngineChoice, threads: Option<usize>, precision: Precision) -> anyhow::Result<Box<dyn Engine>> {
    match (choice, precision) {
        (EngineChoice::Gpu, Precision::F64) => anyhow::bail!("the GPU engine runs f32 only (WGSL has no portable f64): use --engine cpu with --precision f64"),
        (EngineChoice::Cpu, _) | (EngineChoice::Auto, Precision::F64) => Ok(Box::new(CpuEngine::new(threads, precision)?)),
        (EngineChoice::Gpu, Precision::F32) => Ok(Box::new(GpuEngine::new(AdapterChoice::Any)?)),
        (EngineChoice::Auto, Precision::F32) => match GpuEngine::new(AdapterChoice::HardwareOnly) {
            Ok(gpu) => Ok(Box::new(gpu)),
            Err(_) => Ok(Box::new(CpuEngine::new(threads, precision)?)),
        },
    }
}

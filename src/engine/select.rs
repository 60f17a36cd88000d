//! Choosing the engine from the command line.

use super::{AdapterChoice, CpuEngine, Engine, GpuEngine};

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
/// `gpu` takes whatever adapter exists and fails clearly when there is none.
pub fn create_engine(choice: EngineChoice, threads: Option<usize>) -> anyhow::Result<Box<dyn Engine>> {
    match choice {
        EngineChoice::Cpu => Ok(Box::new(CpuEngine::new(threads)?)),
        EngineChoice::Gpu => Ok(Box::new(GpuEngine::new(AdapterChoice::Any)?)),
        EngineChoice::Auto => match GpuEngine::new(AdapterChoice::HardwareOnly) {
            Ok(gpu) => Ok(Box::new(gpu)),
            Err(_) => Ok(Box::new(CpuEngine::new(threads)?)),
        },
    }
}

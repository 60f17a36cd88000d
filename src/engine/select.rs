//! Choosing the engine from the command line.

use super::{CpuEngine, Engine};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// A hardware GPU when there is one, else the native CPU engine.
    Auto,
    Cpu,
    /// wgpu on any adapter, CPU adapters such as lavapipe included.
    Gpu,
}

pub fn create_engine(choice: EngineChoice, threads: Option<usize>) -> anyhow::Result<Box<dyn Engine>> {
    match choice {
        EngineChoice::Cpu | EngineChoice::Auto => Ok(Box::new(CpuEngine::new(threads)?)),
        EngineChoice::Gpu => anyhow::bail!("the GPU engine is not part of this build yet"),
    }
}

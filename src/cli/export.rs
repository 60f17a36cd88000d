use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::output::atomic::write_atomically;
use crate::qplib;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// CPLEX LP with the quadratic objective in `[ … ] / 2` notation.
    Lp,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Instance file or name (e.g. QPLIB_0067).
    pub file: String,
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(dir: Option<&Path>, args: ExportArgs) -> anyhow::Result<()> {
    let path = qplib::resolve_instance(dir, &args.file)?;
    let instance = qplib::read_instance(&path)?;
    let mut text = Vec::new();
    match args.to {
        ExportFormat::Lp => crate::export::lp::write_lp(&instance, &mut text)?,
    }
    match args.output {
        Some(out) => write_atomically(&out, &text)?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &text)?,
    }
    Ok(())
}

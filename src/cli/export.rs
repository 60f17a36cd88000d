use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::output::destination::Destination;
use crate::instances::{self, InstanceDirs};

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
    /// Output file (default: standard output): a regular file (replaced atomically) or a new
    /// path, not the instance; a symbolic link is followed (the file it points to is replaced,
    /// the link kept).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(dir: &InstanceDirs, args: ExportArgs) -> anyhow::Result<()> {
    let path = instances::resolve_instance(dir, &args.file)?;
    let out = args.output.as_deref().map(|out| Destination::check(out, &[&path])).transpose()?;
    let instance = instances::read_instance(&path)?;
    let mut text = Vec::new();
    match args.to {
        ExportFormat::Lp => crate::export::lp::write_lp(&instance, &mut text)?,
    }
    match out {
        Some(out) => out.write(&text)?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &text)?,
    }
    Ok(())
}

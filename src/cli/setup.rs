use clap::Args;

use crate::reference::{ensure_environment, ReferenceOptions, ReferenceSolver, VENV_ENV};

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The reference solver whose pinned Python package to install.
    #[arg(long, value_enum, default_value_t = ReferenceSolver::Scip)]
    pub reference: ReferenceSolver,
}

/// Creates the reference solver's venv ($AOCBENCH_VENV, else .venv here) once, for example
/// on a cluster's login node before submitting an array whose tasks all point at it.
pub fn run(args: SetupArgs) -> anyhow::Result<()> {
    let options = ReferenceOptions::new(args.reference);
    let python = ensure_environment(&options, &mut |step| eprintln!("setup: {step}"))?;
    println!("{} is ready in {} ({})", args.reference.python_package(), options.venv_dir.display(), python.display());
    if std::env::var_os(VENV_ENV).is_none() {
        println!("point every task at it with: export {VENV_ENV}={}", options.venv_dir.display());
    }
    Ok(())
}

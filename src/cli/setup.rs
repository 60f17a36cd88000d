use clap::Args;

use super::failure::{Failure, Stage};
use crate::output::warnings::Warning;
use crate::reference::{ensure_environment, ReferenceOptions, ReferenceSolver, VENV_ENV};

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The solvers whose pinned Python packages to install, comma-separated (scip, gurobi, sa,
    /// tabu, bsb, dsb). bsb and dsb need PyTorch (about 3 GB to download): `bench` installs
    /// them only after this command did.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "scip")]
    pub reference: Vec<ReferenceSolver>,
}

/// Creates the reference solvers' venv ($AOCBENCH_VENV, else .venv here) once, for example
/// on a cluster's login node before submitting an array whose tasks all point at it.
pub fn run(args: SetupArgs) -> Result<(), Failure> {
    install(args).during_work()
}

fn install(args: SetupArgs) -> anyhow::Result<()> {
    for solver in args.reference {
        let options = ReferenceOptions::new(solver);
        if let Some(size) = solver.large_download() {
            crate::errln!("setup: {solver} needs {size}");
        }
        let environment = ensure_environment(&options, true, &mut |step| crate::errln!("setup: {step}"))?;
        if let Some(warning) = Warning::unpinned_package(solver, &environment) {
            crate::errln!("{}", warning.line());
        }
        crate::outln!("{} ({solver}) is ready in {} ({})", solver.python_packages().join(", "), options.venv_dir.display(), environment.python.display());
        if std::env::var_os(VENV_ENV).is_none() {
            crate::outln!("point every task at it with: export {VENV_ENV}={}", options.venv_dir.display());
        }
    }
    Ok(())
}

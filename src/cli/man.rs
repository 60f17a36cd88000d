use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory};

use super::failure::{Failure, Stage};
use super::Cli;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command into DIR instead (aocbench.1, aocbench-bench.1, …; DIR is
    /// created if missing, pages there are replaced).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Writes the man page of `aocbench` (section 1, roff) to standard output, or every command's
/// page into `--dir`. Errors: the folder cannot be created (an input error) or written.
pub fn run(args: ManArgs) -> Result<(), Failure> {
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display())).before_work()?;
            // Not built beforehand: generate_to leaves out clap's `help` pseudo-command itself.
            clap_mangen::generate_to(Cli::command(), &dir).with_context(|| format!("writing man pages into {}", dir.display())).during_work()
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(Cli::command()).render(&mut out).and_then(|()| out.flush()).during_work()
        }
    }
}

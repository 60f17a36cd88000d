use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::failure::Failure;
use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to standard output (through a buffer:
/// clap_complete panics on a failed write, such as a closed pipe).
pub fn run(args: CompletionsArgs) -> Result<(), Failure> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    crate::out!("{}", String::from_utf8_lossy(&script));
    Ok(())
}

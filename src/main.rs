use clap::Parser;

use std::process::ExitCode;

use aocbench::interrupt;

fn main() -> ExitCode {
    // SAFETY: no other thread exists yet (the Ctrl-C handler's comes below).
    unsafe { aocbench::engine::gpu::quiet_display_probe() };
    let cli = aocbench::cli::Cli::parse();
    if let Err(error) = interrupt::install() {
        eprintln!("warning: Ctrl-C will not clean up the reference solver's scratch folder: {error:#}");
    }
    aocbench::cli::run(cli)
}

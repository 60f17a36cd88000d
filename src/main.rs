use clap::Parser;

use std::process::ExitCode;

use aocbench::interrupt;

fn main() -> ExitCode {
    // SAFETY: no other thread exists yet (the Ctrl-C handler's comes below).
    unsafe { aocbench::engine::gpu::quiet_display_probe() };
    let cli = aocbench::cli::Cli::parse();
    if let Err(error) = interrupt::install() {
        aocbench::errln!("{}", aocbench::output::warnings::Warning::interrupt_unhandled(&error).line());
    }
    aocbench::cli::run(cli)
}

use clap::Parser;

use std::process::ExitCode;

use aocbench::interrupt;

fn main() -> ExitCode {
    // SAFETY: no other thread exists yet (the Ctrl-C handler's comes below).
    unsafe { aocbench::engine::gpu::quiet_display_probe() };
    let cli = aocbench::cli::Cli::parse();
    if let Err(error) = interrupt::install() {
        eprintln!("{}", aocbench::output::warnings::Warning::interrupt_unhandled(&error).line());
    }
    match aocbench::cli::run(cli) {
        Ok(code) => code,
        // The error of a run stopped by Ctrl-C is the stop itself.
        Err(_) if interrupt::requested() => ExitCode::from(interrupt::EXIT_STATUS),
        Err(error) => {
            aocbench::cli::print_error(&error);
            ExitCode::FAILURE
        }
    }
}

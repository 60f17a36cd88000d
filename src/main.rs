use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = aocbench::cli::Cli::parse();
    match aocbench::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

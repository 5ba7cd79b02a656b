//! The `engage` binary: parse the command line, hand it to the library, turn errors into
//! messages and exit codes. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = engage::cli::Cli::parse();
    match engage::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The library has already reported the error in the chosen log format.
        Err(err) => ExitCode::from(err.exit_code()),
    }
}

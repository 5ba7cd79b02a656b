//! The `engage` binary: parse the command line, hand it to the library, turn errors into
//! messages and exit codes. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`; the bindings do not name it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Freed memory stays with the process (a batch run, it all goes back at exit) instead of
    // returning to the OS after 10 ms: polars frees and allocates large buffers batch after
    // batch, and re-faulting them (the kernel zeroes every fresh page) took a tenth of a
    // 10M-event run.
    // SAFETY: sets a plain integer option; mimalloc reads it when it next purges.
    // MIMALLOC_PURGE_DELAY in the environment still wins.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
    }
    let cli = engage::cli::Cli::parse();
    match engage::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The library has already reported the error in the chosen log format.
        Err(err) => ExitCode::from(err.exit_code()),
    }
}

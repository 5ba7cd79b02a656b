//! The `engage` binary: parse the command line, hand it to the library, turn errors into
//! messages and exit codes. Everything else lives in the library.
#![warn(clippy::too_many_lines)]

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`; the bindings do not name it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Freed memory goes back to the OS after 250 ms instead of 10: polars frees and allocates
    // large buffers batch after batch, and re-faulting them (the kernel zeroes every fresh
    // page) made a 100M-event run take 202 s instead of 141 s (an earlier version) when
    // returned at once. Holding
    // it longer is faster still but keeps more: on 100M events 1 s took 103 s and 7.9 GiB,
    // 250 ms 106 s and 7.0 GiB.
    // MIMALLOC_PURGE_DELAY in the environment still wins.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a plain integer option; mimalloc reads it when it next purges.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 250) };
    }
    let cli = engage::cli::parse();
    match engage::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The library has already reported the error in the chosen log format.
        Err(err) => ExitCode::from(err.exit_code()),
    }
}

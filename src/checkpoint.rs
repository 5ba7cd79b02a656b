//! Crash testing: with `ENGAGE_ABORT_AT=<step>:<n>` the process aborts, as a `kill -9` would,
//! the n-th time it reaches a named step. Tests use it to prove that a run killed at any of
//! those moments leaves the previous store and outputs readable and the next run correct.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

static SEEN: Mutex<Vec<(String, u32)>> = Mutex::new(Vec::new());
static ARMED: AtomicU32 = AtomicU32::new(u32::MAX);

/// The environment variable that arms a crash.
pub const ENV: &str = "ENGAGE_ABORT_AT";

/// Marks that `step` was reached; aborts when the environment asks for this occurrence.
pub fn reached(step: &str) {
    if ARMED.load(Ordering::Relaxed) == 0 {
        return;
    }
    let Ok(spec) = std::env::var(ENV) else {
        ARMED.store(0, Ordering::Relaxed);
        return;
    };
    let (want, nth) = spec.split_once(':').unwrap_or((spec.as_str(), "1"));
    if want != step {
        return;
    }
    let nth: u32 = nth.parse().unwrap_or(1);
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let count = match seen.iter_mut().find(|(s, _)| s == step) {
        Some((_, c)) => {
            *c += 1;
            *c
        }
        None => {
            seen.push((step.to_string(), 1));
            1
        }
    };
    if count == nth {
        std::process::abort();
    }
}

//! The speed regression check (ignored by default; bench/run.sh runs it in release mode): the
//! 1M-event benchmark must not take more than 30% longer than the figure recorded in
//! BENCHMARKS.md. It needs ENGAGE_BENCH_DIR, a folder made by `engage bench-data --events
//! 1000000`, and times the binary in ENGAGE_BIN (bench/run.sh passes the release build), so the
//! test itself compiles in the ordinary test profile.

use std::path::Path;
use std::time::Instant;

use assert_cmd::Command;

/// The recorded wall time of the 1M run: the line `regression baseline (1M events): <s> s`.
fn baseline() -> f64 {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md"))
        .expect("BENCHMARKS.md");
    let line = text
        .lines()
        .find(|l| l.contains("regression baseline (1M events):"))
        .expect("BENCHMARKS.md records the regression baseline");
    line.split(':')
        .nth(1)
        .and_then(|v| v.trim().trim_end_matches('s').trim().parse().ok())
        .expect("the baseline is a number of seconds")
}

#[test]
#[ignore = "a benchmark: run by bench/run.sh in release mode"]
fn one_million_events_stay_within_30_percent_of_the_recorded_time() {
    let dir =
        std::env::var("ENGAGE_BENCH_DIR").expect("ENGAGE_BENCH_DIR: a 1M-event bench-data folder");
    let pipeline = Path::new(&dir).join("bench.toml");
    // The best of three runs, so one noisy run does not fail the check. Each computes every
    // part: the partial results the run before kept are removed.
    let best = (0..3)
        .map(|_| {
            let kept = Path::new(&dir).join("store/partials");
            if kept.exists() {
                std::fs::remove_dir_all(&kept).unwrap();
            }
            let started = Instant::now();
            match std::env::var_os("ENGAGE_BIN") {
                Some(bin) => Command::new(bin),
                None => Command::cargo_bin("engage").unwrap(),
            }
            .env("ENGAGE_PSEUDONYM_KEY", "bench-key-0123456789")
            .arg("--quiet")
            .arg("run")
            .arg(&pipeline)
            .assert()
            .success();
            started.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min);
    let limit = baseline() * 1.3;
    assert!(
        best <= limit,
        "1M events took {best:.2} s, over {limit:.2} s (baseline + 30%)"
    );
}

//! The event store and nightly runs: ingesting twice adds nothing, a store built from three
//! overlapping slices equals one built at once byte for byte, a late event rewrites only its
//! month, and a run killed (abort, as kill -9) at several moments leaves readable outputs and is
//! followed by a correct run.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::engage;
use polars::prelude::SerReader;

fn demo_events() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/demo/events.csv"),
    )
    .unwrap()
}

/// A pipeline over `events.csv` in `dir`, with the demo roster, keeping its store in `dir`.
fn setup(dir: &Path, events: &str) -> PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/demo");
    std::fs::write(dir.join("events.csv"), events).unwrap();
    std::fs::copy(demo.join("people.csv"), dir.join("people.csv")).unwrap();
    let pipeline = dir.join("pipeline.toml");
    std::fs::write(
        &pipeline,
        "[pipeline]\nname = \"nightly\"\ntimezone = \"Europe/Amsterdam\"\noutput = \"out\"\nstore = \"store\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\nname = \"demo\"\n\n[people]\npath = \"people.csv\"\n",
    )
    .unwrap();
    pipeline
}

/// `engage run` up to an as-of day, expected to succeed.
fn run_as_of(pipeline: &Path, day: &str) {
    engage()
        .arg("run")
        .arg(pipeline)
        .args(["--as-of", day])
        .assert()
        .success();
}

/// `--log-format json` lines of a successful command.
fn json_lines(cmd: &mut Command) -> Vec<serde_json::Value> {
    let out = cmd.args(["--log-format", "json"]).assert().success();
    String::from_utf8(out.get_output().stderr.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn store_line(lines: &[serde_json::Value]) -> &serde_json::Value {
    lines
        .iter()
        .find(|l| l["step"] == "store")
        .expect("a store line")
}

/// Every file under `dir`, relative path -> bytes, skipping the lock.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn tables(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(&dir.join("out/tables"))
}

#[test]
fn ingesting_the_same_export_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = setup(dir.path(), &demo_events());
    let first = json_lines(engage().arg("ingest").arg(&pipeline));
    // The demo has 24,639 events over 12 months.
    assert_eq!(store_line(&first)["counts"]["events_added"], 24639);
    assert_eq!(store_line(&first)["counts"]["partitions_written"], 12);
    // The store keeps the roster and the accounts it was built with.
    assert!(dir.path().join("store/people.parquet").is_file());
    assert!(dir.path().join("store/accounts.parquet").is_file());
    let before = files(&dir.path().join("store"));
    let second = json_lines(engage().arg("ingest").arg(&pipeline));
    assert_eq!(store_line(&second)["counts"]["events_added"], 0);
    assert_eq!(store_line(&second)["counts"]["already_stored"], 24639);
    assert_eq!(store_line(&second)["counts"]["partitions_written"], 0);
    assert_eq!(files(&dir.path().join("store")), before);
}

#[test]
fn three_overlapping_slices_equal_one_fresh_ingest() {
    let text = demo_events();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let n = lines.len();
    let slice = |a: usize, b: usize| format!("{header}\n{}\n", lines[a..b].join("\n"));
    // Rows 0-60%, 40-80% and 70-100%: each overlaps the one before.
    let slices = [
        slice(0, n * 6 / 10),
        slice(n * 4 / 10, n * 8 / 10),
        slice(n * 7 / 10, n),
    ];

    let sliced = tempfile::tempdir().unwrap();
    let pipeline = setup(sliced.path(), &slices[0]);
    for s in &slices {
        std::fs::write(sliced.path().join("events.csv"), s).unwrap();
        engage().arg("ingest").arg(&pipeline).assert().success();
    }
    run_as_of(&pipeline, "2026-09-30");

    let fresh = tempfile::tempdir().unwrap();
    let pipeline = setup(fresh.path(), &text);
    run_as_of(&pipeline, "2026-09-30");

    assert_eq!(
        files(&sliced.path().join("store/events")),
        files(&fresh.path().join("store/events"))
    );
    let (a, b) = (tables(sliced.path()), tables(fresh.path()));
    // The activity table, and as CSV and Parquet: period metrics, ladder, lifecycle,
    // transitions, retention, unresolved accounts, post reach, spaces, department
    // interactions, ambassadors, turnover, attrition by rung, retention curves, the log-rank
    // test, the outcome correlations and the teams behind them.
    assert_eq!(a.len(), 1 + 2 * 16);
    assert_eq!(a, b);
}

#[test]
fn a_late_event_rewrites_only_its_month() {
    let dir = tempfile::tempdir().unwrap();
    let text = demo_events();
    let pipeline = setup(dir.path(), &text);
    engage().arg("ingest").arg(&pipeline).assert().success();
    let before = files(&dir.path().join("store/events"));
    // An event from November 2025 arrives a year late.
    let late = format!("{text}late1,demo,2025-11-14T10:00:00Z,P0001,view,t00001,t00001,,\n");
    std::fs::write(dir.path().join("events.csv"), late).unwrap();
    let lines = json_lines(engage().arg("ingest").arg(&pipeline));
    assert_eq!(store_line(&lines)["counts"]["events_added"], 1);
    assert_eq!(store_line(&lines)["counts"]["partitions_written"], 1);
    let after = files(&dir.path().join("store/events"));
    let changed: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.0.as_str())
        .collect();
    assert_eq!(changed, vec!["period=2025-11/part-0.parquet"]);
}

#[test]
fn a_run_killed_at_any_step_is_followed_by_a_correct_run() {
    let reference = tempfile::tempdir().unwrap();
    let pipeline = setup(reference.path(), &demo_events());
    engage().arg("run").arg(&pipeline).assert().success();
    let expected = tables(reference.path());

    // Kill points: while writing the 1st and 7th store partitions, after storing, and while
    // writing the 2nd and 4th output files.
    for step in [
        "store-partition:1",
        "store-partition:7",
        "store-ingested:1",
        "output:2",
        "output:4",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let pipeline = setup(dir.path(), &demo_events());
        if step.starts_with("output") {
            // A previous good run, so there are outputs to protect.
            engage().arg("run").arg(&pipeline).assert().success();
        }
        engage()
            .arg("run")
            .arg(&pipeline)
            .env("ENGAGE_ABORT_AT", step)
            .assert()
            .failure();
        // Whatever is on disk is whole: every Parquet and CSV file reads.
        for (name, bytes) in files(dir.path()) {
            if name.ends_with(".parquet") {
                polars::prelude::ParquetReader::new(std::io::Cursor::new(bytes))
                    .finish()
                    .unwrap_or_else(|e| panic!("{step}: {name}: {e}"));
            } else if name.ends_with(".csv") {
                assert!(String::from_utf8(bytes).is_ok(), "{step}: {name}");
            }
        }
        // The next run takes over the dead run's lock and gets everything right.
        engage().arg("run").arg(&pipeline).assert().success();
        assert_eq!(tables(dir.path()), expected, "after a kill at {step}");
    }
}

#[test]
fn reruns_over_the_same_store_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = setup(dir.path(), &demo_events());
    engage().arg("ingest").arg(&pipeline).assert().success();
    // Two runs over the same store: tables, chart and report are identical; only the
    // manifest (run times) may differ.
    let outputs = || -> Vec<(String, u64)> {
        run_as_of(&pipeline, "2026-06-30");
        files(&dir.path().join("out"))
            .into_iter()
            .filter(|(name, _)| name != "manifest.json")
            .map(|(name, bytes)| {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                (name, h.finish())
            })
            .collect()
    };
    let first = outputs();
    assert!(first.iter().any(|(n, _)| n == "report.html"));
    assert!(first.iter().any(|(n, _)| n == "charts/ladder.svg"));
    assert_eq!(first, outputs());
}

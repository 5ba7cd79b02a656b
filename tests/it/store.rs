//! The event store and nightly runs: ingesting twice adds nothing, a store built from three
//! overlapping slices equals one built at once byte for byte, a late event rewrites only its
//! month, and a run killed (abort, as kill -9) at several moments leaves readable outputs and is
//! followed by a correct run.

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{engage, files};
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
        "[pipeline]\nname = \"nightly\"\ntimezone = \"Europe/Amsterdam\"\noutput = \"out\"\nstore = \"store\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\nname = \"demo\"\n\n[people]\npath = \"people.csv\"\n".to_string()
            + common::NO_HEALTH,
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

/// Files as relative path and bytes.
type Files = Vec<(String, Vec<u8>)>;

fn tables(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(&dir.join("out/tables"))
}

#[test]
fn ingesting_the_same_export_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = setup(dir.path(), &demo_events());
    let first = json_lines(engage().arg("ingest").arg(&pipeline));
    // The demo has 25,643 events over 12 months.
    assert_eq!(store_line(&first)["counts"]["events_added"], 25643);
    assert_eq!(store_line(&first)["counts"]["partitions_written"], 12);
    // The store keeps the roster and the accounts it was built with.
    assert!(dir.path().join("store/people.parquet").is_file());
    assert!(dir.path().join("store/accounts.parquet").is_file());
    let before = files(&dir.path().join("store"));
    let second = json_lines(engage().arg("ingest").arg(&pipeline));
    assert_eq!(store_line(&second)["counts"]["events_added"], 0);
    assert_eq!(store_line(&second)["counts"]["already_stored"], 25643);
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
    // interactions, ambassadors, leaders' presence, turnover, attrition by rung, retention
    // curves, the log-rank test, the outcome correlations and the teams behind them.
    assert_eq!(a.len(), 1 + 2 * 17);
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
    // The partition alone (its hash is in the store's catalogue).
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

/// A run without a store computes from a working store of its own: the same tables, byte for
/// byte, as a run over a store the pipeline keeps, and nothing of the working store is left.
#[test]
fn a_run_without_a_store_equals_a_run_over_one() {
    let kept = tempfile::tempdir().unwrap();
    let pipeline = setup(kept.path(), &demo_events());
    run_as_of(&pipeline, "2026-09-30");

    let working = tempfile::tempdir().unwrap();
    let pipeline = setup(working.path(), &demo_events());
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, text.replace("store = \"store\"\n", "")).unwrap();
    let lines = json_lines(
        engage()
            .arg("run")
            .arg(&pipeline)
            .args(["--as-of", "2026-09-30"]),
    );
    // It says where its events were kept.
    let message = store_line(&lines)["message"].as_str().unwrap();
    assert!(message.contains("working store"), "{message}");
    assert!(!working.path().join("store").exists());
    let left: Vec<String> = files(&working.path().join("out"))
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.contains("working-store"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let (a, b) = (tables(kept.path()), tables(working.path()));
    // As in three_overlapping_slices_equal_one_fresh_ingest: the activity table and 17 tables.
    assert_eq!(a.len(), 1 + 2 * 17);
    assert_eq!(a, b);
}

/// The reused and computed partial results a run reports.
fn reuse(lines: &[serde_json::Value]) -> (u64, u64) {
    let line = lines
        .iter()
        .find(|l| l["message"] == "partial results of the store's parts")
        .expect("a line on partial results");
    let count = |k: &str| line["counts"][k].as_u64().unwrap();
    (count("reused"), count("computed"))
}

/// A run that reuses kept partial results, then the same run with none kept: their tables,
/// and how many partial results the first reused and computed.
fn cached_and_recomputed(dir: &Path, pipeline: &Path) -> (Files, (u64, u64)) {
    let run = || {
        json_lines(
            engage()
                .arg("run")
                .arg(pipeline)
                .args(["--as-of", "2026-09-30"])
                .env("ENGAGE_PART_ROWS", "2500"),
        )
    };
    let counts = reuse(&run());
    let cached = tables(dir);
    std::fs::remove_dir_all(dir.join("store/partials")).unwrap();
    let lines = run();
    assert_eq!(reuse(&lines).0, 0, "nothing kept, nothing reused");
    let recomputed = tables(dir);
    let differ: Vec<&str> = cached
        .iter()
        .zip(&recomputed)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert!(differ.is_empty(), "kept partial results changed {differ:?}");
    assert_eq!(cached.len(), recomputed.len());
    (cached, counts)
}

/// Nightly runs keep each part's partial results beside the store and compute only what
/// changed: a day's new events, a new identity map and roster, new settings. Each time the
/// tables equal those of a run that computes everything, byte for byte.
#[test]
fn nightly_runs_from_kept_partial_results_equal_full_recomputes() {
    let dir = tempfile::tempdir().unwrap();
    let text = demo_events();
    // Until the end of August, then the night that brings September.
    let august: String = text
        .lines()
        .filter(|l| !l.contains(",2026-09-"))
        .map(|l| format!("{l}\n"))
        .collect();
    let pipeline = setup(dir.path(), &august);
    // 2,500 events per part: each of the demo's months (about 2,000 events) is a part.
    let first = json_lines(
        engage()
            .arg("run")
            .arg(&pipeline)
            .env("ENGAGE_PART_ROWS", "2500"),
    );
    assert_eq!(reuse(&first).0, 0);

    std::fs::write(dir.path().join("events.csv"), &text).unwrap();
    let (nightly, (reused, computed)) = cached_and_recomputed(dir.path(), &pipeline);
    // Eleven months' parts are reused; September's part, and the replies and views of August
    // and September (which answer earlier posts), are computed.
    assert!(
        reused > computed && computed > 0,
        "{reused} reused, {computed} computed"
    );

    // P0005's account becomes P0006's, and P0088 (the author most viewed) leads: the partial
    // results made with the old identities and leaders are not reused.
    std::fs::write(
        dir.path().join("identities.csv"),
        "source,account,person_id\ndemo,P0005,P0006\n",
    )
    .unwrap();
    let people = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    let people = people.replacen(
        "P0088,p0088@example.com,Engineering,Engineering P,Amsterdam,P0016,employee",
        "P0088,p0088@example.com,Engineering,Engineering P,Amsterdam,P0016,leader",
        1,
    );
    std::fs::write(dir.path().join("people.csv"), people).unwrap();
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &pipeline,
        format!("{text}\n[identities]\npath = \"identities.csv\"\n"),
    )
    .unwrap();
    let (mapped, _) = cached_and_recomputed(dir.path(), &pipeline);
    assert_ne!(mapped, nightly);

    // A shorter reply window and another time zone.
    let text = std::fs::read_to_string(&pipeline).unwrap();
    let text = text.replace("output = ", "reply_window_hours = 2\noutput = ");
    std::fs::write(&pipeline, &text).unwrap();
    let (window, (reused, _)) = cached_and_recomputed(dir.path(), &pipeline);
    assert_ne!(window, mapped);
    assert!(reused > 0);
    std::fs::write(
        &pipeline,
        text.replace("Europe/Amsterdam", "America/New_York"),
    )
    .unwrap();
    let (zone, _) = cached_and_recomputed(dir.path(), &pipeline);
    assert_ne!(zone, window);
}

//! Trust in every figure: the faults of a store, settings and inputs that made engage publish
//! silently wrong figures, one test per fault, each driving the real binary on the tiny
//! fixture (tests/fixtures/tiny, whose figures tests/it/cli.rs works out by hand). Every test
//! here failed before its fix.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use common::{engage, read, root, table};

/// The tiny fixture in a temporary folder, its pipeline keeping a store (`store`) when `store`.
fn tiny(store: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("tests/fixtures/tiny")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let pipeline = dir.path().join("pipeline.toml");
    if store {
        let text = read(&pipeline).replace(
            "output = \"out\"\n",
            "output = \"out\"\nstore = \"store\"\n",
        ) + common::NO_HEALTH;
        std::fs::write(&pipeline, text).unwrap();
    }
    (dir, pipeline)
}

/// `engage ARGS…`, expecting exit `code` and no panic; stderr.
fn engage_code(args: &[&std::ffi::OsStr], code: i32) -> String {
    let output = engage().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn run(pipeline: &Path, extra: &[&str], code: i32) -> String {
    let mut args = vec![std::ffi::OsStr::new("run"), pipeline.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    engage_code(&args, code)
}

fn validate(pipeline: &Path, code: i32) -> String {
    engage_code(
        &[std::ffi::OsStr::new("validate"), pipeline.as_os_str()],
        code,
    )
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&read(out.join("manifest.json"))).unwrap()
}

/// A period_metrics column by period.
fn by_period(out: &Path, column: &str) -> BTreeMap<String, String> {
    table(out.join("tables/period_metrics.csv"))
        .into_iter()
        .map(|row| (row["period"].clone(), row[column].clone()))
        .collect()
}

/// Appends CSV rows to the tiny fixture's events.
fn add_events(dir: &Path, rows: &str) {
    let path = dir.join("events.csv");
    std::fs::write(&path, read(&path) + rows).unwrap();
}

// 1. One flipped bit inside a partition stops the run, naming the month and the repair, in
// `run` and in `validate`; before, the run read the damaged partition as if whole.
#[test]
fn a_partition_with_a_flipped_bit_stops_the_run() {
    for at in [100u64, 200, 400] {
        let (dir, pipeline) = tiny(true);
        run(&pipeline, &[], 0);
        let _ = std::fs::remove_dir_all(dir.path().join("store/partials"));
        let part = dir
            .path()
            .join("store/events/period=2025-01/part-0.parquet");
        let mut bytes = std::fs::read(&part).unwrap();
        assert!(
            bytes.len() as u64 > at,
            "a partition of {} bytes",
            bytes.len()
        );
        bytes[at as usize] ^= 0x01;
        std::fs::write(&part, bytes).unwrap();
        for err in [run(&pipeline, &[], 1), validate(&pipeline, 1)] {
            assert!(
                err.contains("the store's month 2025-01 is damaged"),
                "{err}"
            );
            assert!(err.contains("--rebuild-month 2025-01"), "{err}");
        }
    }
}

// 1. A catalogue overwritten with zeros is named, never rebuilt from what happens to be there.
#[test]
fn a_damaged_catalogue_stops_the_run() {
    let (dir, pipeline) = tiny(true);
    run(&pipeline, &[], 0);
    let catalogue = dir.path().join("store/catalogue.json");
    let n = std::fs::metadata(&catalogue).unwrap().len() as usize;
    std::fs::write(&catalogue, vec![0u8; n]).unwrap();
    let err = run(&pipeline, &[], 1);
    assert!(err.contains("catalogue"), "{err}");
    assert!(err.contains("is damaged"), "{err}");
    // A catalogue removed: the store has months and no record of them.
    std::fs::remove_file(&catalogue).unwrap();
    let err = run(&pipeline, &[], 1);
    assert!(err.contains("has lost its catalogue"), "{err}");
}

// 2. A month deleted from the store stops the run; --rebuild-month accepts it, and the month
// is filled from the exports given.
#[test]
fn a_month_missing_from_the_store_stops_the_run() {
    let (dir, pipeline) = tiny(true);
    run(&pipeline, &[], 0);
    std::fs::remove_dir_all(dir.path().join("store/events/period=2025-01")).unwrap();
    // Tonight's export holds February alone.
    let events = read(dir.path().join("events.csv"));
    let february: String = events
        .lines()
        .filter(|l| !l.contains(",2025-01-"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("events.csv"), february).unwrap();
    let err = run(&pipeline, &[], 1);
    assert!(
        err.contains("the store's month 2025-01 is missing"),
        "{err}"
    );
    // e1 to e5 (e3 once) lie in January in UTC.
    assert!(err.contains("the catalogue lists 5 events for it"), "{err}");
    // Told to rebuild January from exports that lack it: January is empty, and said so.
    let err = run(&pipeline, &["--rebuild-month", "2025-01"], 0);
    assert!(err.contains("month 2025-01 emptied"), "{err}");
    let active = by_period(&dir.path().join("out"), "active");
    assert!(active.get("2025-01").is_none_or(|n| n == "0"), "{active:?}");
    // With January's export again, rebuilt whole: 4 active as in tests/it/cli.rs.
    std::fs::copy(
        root().join("tests/fixtures/tiny/events.csv"),
        dir.path().join("events.csv"),
    )
    .unwrap();
    run(&pipeline, &["--rebuild-month", "2025-01"], 0);
    assert_eq!(by_period(&dir.path().join("out"), "active")["2025-01"], "4");
}

// 3. A re-delivery of e1 a month later (an export tool that stamps the last edit) is a
// duplicate: February keeps its one post (mallory's m3), in one export and across runs of a
// kept store, where the stored January copy wins.
#[test]
fn a_repeat_in_another_month_is_a_duplicate() {
    let moved = "e1,,2025-02-10T09:00:00Z,alice,post,m1,m1,,general\n";
    let (dir, pipeline) = tiny(false);
    add_events(dir.path(), moved);
    run(&pipeline, &[], 0);
    let out = dir.path().join("out");
    assert_eq!(
        by_period(&out, "posts"),
        BTreeMap::from([
            ("2025-01".into(), "1".into()),
            ("2025-02".into(), "1".into())
        ])
    );
    // 12 rows: e3 and the moved e1 repeat an earlier row.
    let source = &manifest(&out)["inputs"][0];
    assert_eq!(
        (source["rows_read"].as_u64(), source["duplicates"].as_u64()),
        (Some(12), Some(2))
    );

    let (dir, pipeline) = tiny(true);
    run(&pipeline, &[], 0);
    std::fs::write(dir.path().join("events.csv"), format!("event_id,source,occurred_at,actor,action,content_id,thread_id,target_actor,space\n{moved}")).unwrap();
    run(&pipeline, &[], 0);
    let out = dir.path().join("out");
    assert_eq!(by_period(&out, "posts")["2025-02"], "1");
    let source = &manifest(&out)["inputs"][0];
    assert_eq!(source["already_stored"].as_u64(), Some(1), "{source}");
    assert_eq!(source["accepted"].as_u64(), Some(0), "{source}");
}

/// Every output but the manifest, by path, with the SHA-256 of its bytes.
fn outputs(out: &Path) -> Vec<(String, String)> {
    common::files(out)
        .into_iter()
        .filter(|(name, _)| name != "manifest.json")
        .map(|(name, bytes)| (name, hex::encode(Sha256::digest(bytes))))
        .collect()
}

// 4. A rerun with the same export over one store: its rows are already stored, not
// duplicates; the rows still reconcile, and the tables, charts and report are the first run's.
#[test]
fn a_rerun_of_the_same_export_counts_rows_already_stored() {
    let (dir, pipeline) = tiny(true);
    run(&pipeline, &[], 0);
    let out = dir.path().join("out");
    let first = outputs(&out);
    let source = &manifest(&out)["inputs"][0];
    assert_eq!(source["accepted"].as_u64(), Some(10), "{source}");
    run(&pipeline, &[], 0);
    let source = manifest(&out)["inputs"][0].clone();
    // 11 rows read: e3 twice (a duplicate in the file), the other 10 stored by the first run.
    let n = |k: &str| source[k].as_u64().unwrap();
    assert_eq!(
        (
            n("rows_read"),
            n("accepted"),
            n("already_stored"),
            n("duplicates")
        ),
        (11, 0, 10, 1),
        "{source}"
    );
    assert_eq!(
        n("rows_read"),
        n("accepted") + n("already_stored") + n("duplicates") + n("excluded") + n("rejected")
    );
    assert_eq!(outputs(&out), first);
}

/// Whether every file the manifest lists has the bytes it lists, and no other file is there
/// (hidden working folders aside).
fn folder_matches_manifest(out: &Path) {
    let listed: BTreeMap<String, String> = manifest(out)["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let found: BTreeMap<String, String> = outputs(out)
        .into_iter()
        .filter(|(n, _)| !n.starts_with('.') || n == ".engage-output")
        .collect();
    assert_eq!(found, listed);
}

/// A run up to February killed (as kill -9) at a checkpoint.
fn killed_at(pipeline: &Path, step: &str) {
    let output = engage()
        .env("ENGAGE_ABORT_AT", step)
        .args(["run", pipeline.to_str().unwrap(), "--as-of", "2025-02-28"])
        .output()
        .unwrap();
    assert!(!output.status.success());
}

// 5. A run that fails while publishing leaves the previous run's files and manifest, whether
// it is killed (as kill -9) or fails on one file.
#[test]
fn a_publish_is_all_or_nothing() {
    let (dir, pipeline) = tiny(false);
    run(&pipeline, &["--as-of", "2025-01-31"], 0);
    let out = dir.path().join("out");
    folder_matches_manifest(&out);
    killed_at(&pipeline, "output:10");
    folder_matches_manifest(&out);
    // Killed while renaming the files into place: the next run undoes it first, even when it
    // then fails for its input.
    killed_at(&pipeline, "publish:5");
    let events = dir.path().join("events.csv");
    let good = std::fs::read(&events).unwrap();
    std::fs::write(&events, b"\xFF\xFEe\x00").unwrap();
    run(&pipeline, &["--as-of", "2025-02-28"], 1);
    folder_matches_manifest(&out);
    std::fs::write(&events, good).unwrap();
    // One file cannot be replaced (a folder stands where it goes): nothing is replaced.
    let before = outputs(&out);
    std::fs::remove_file(out.join("report.md")).unwrap();
    std::fs::create_dir_all(out.join("report.md/inside")).unwrap();
    let err = run(&pipeline, &["--as-of", "2025-02-28"], 1);
    assert!(err.contains("report.md"), "{err}");
    // Hidden working folders aside (a killed run's working store, the lock).
    let shown = |files: Vec<(String, String)>| -> Vec<(String, String)> {
        files
            .into_iter()
            .filter(|(n, _)| !n.starts_with("report.md") && !n.starts_with('.'))
            .collect()
    };
    let (after, before) = (shown(outputs(&out)), shown(before));
    assert!(after.len() > 40, "{after:?}");
    assert_eq!(after, before);
}

// 5. A link in place of `out/charts` is refused, and nothing is written through it.
#[test]
fn a_publish_never_writes_through_a_link() {
    let (dir, pipeline) = tiny(false);
    run(&pipeline, &[], 0);
    let out = dir.path().join("out");
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.join("charts")).unwrap();
    let err = run(&pipeline, &[], 1);
    assert!(err.contains("charts"), "{err}");
    assert!(err.contains("link"), "{err}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// The tiny pipeline with `line` added to `[pipeline]`.
fn with_setting(line: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, pipeline) = tiny(false);
    let text = read(&pipeline).replace(
        "min_group_size = 5\n",
        &format!("min_group_size = 5\n{line}\n"),
    );
    std::fs::write(&pipeline, text).unwrap();
    (dir, pipeline)
}

// 6. Settings that used to wrap into zeros are refused at their line (line 8: the line after
// min_group_size), with their range.
#[test]
fn settings_outside_their_range_are_refused_at_their_line() {
    for (line, expected) in [
        (
            "reply_window_hours = 4000000000",
            "pipeline.reply_window_hours = 4000000000 is outside its range 1 to 87840",
        ),
        (
            "reach_window_days = 200000000",
            "pipeline.reach_window_days = 200000000 is outside its range 1 to 3660",
        ),
        (
            "horizon_periods = 4294967295",
            "pipeline.horizon_periods = 4294967295 is outside its range 1 to 520",
        ),
        (
            "outcome_window_periods = 4294967295",
            "pipeline.outcome_window_periods = 4294967295 is outside its range 1 to 520",
        ),
    ] {
        let (_dir, pipeline) = with_setting(line);
        let err = validate(&pipeline, 1);
        assert!(err.contains(expected), "{line}: {err}");
        assert!(err.contains("pipeline.toml:8:"), "{err}");
    }
}

// 7. Names too long to become file names are refused at their line by validate.
#[test]
fn names_that_cannot_become_files_are_refused_at_the_plan() {
    let (_dir, pipeline) = tiny(false);
    let long = "n".repeat(250);
    std::fs::write(
        &pipeline,
        read(&pipeline).replace("name = \"tiny\"", &format!("name = \"{long}\"")),
    )
    .unwrap();
    let err = validate(&pipeline, 1);
    assert!(err.contains("pipeline.toml:3: pipeline.name"), "{err}");
    assert!(err.contains("is too long to name files after"), "{err}");
    let (_dir, pipeline) = tiny(false);
    let label = "s".repeat(300);
    std::fs::write(
        &pipeline,
        read(&pipeline).replace(
            "path = \"events.csv\"",
            &format!("path = \"events.csv\"\nname = \"{label}\""),
        ),
    )
    .unwrap();
    let err = validate(&pipeline, 1);
    assert!(err.contains("source[1].name"), "{err}");
    assert!(err.contains("is too long to name files after"), "{err}");
}

// 8. A custom rung named like a column of the tables is refused by validate.
#[test]
fn rung_names_that_are_column_names_are_refused() {
    for name in ["rung", "period", "Period"] {
        let (_dir, pipeline) = tiny(false);
        let text = read(&pipeline) + &format!("\n[ladder]\n[[ladder.rung]]\nname = \"{name}\"\nwhen = \"posts > 0\"\n\n[[ladder.rung]]\nname = \"Rest\"\n");
        std::fs::write(&pipeline, text).unwrap();
        let err = validate(&pipeline, 1);
        assert!(err.contains("ladder.rung[1].name"), "{name}: {err}");
        assert!(err.contains("is the name of a column"), "{name}: {err}");
    }
}

// 9. Two roster people with one email (in different case) are refused naming both lines;
// ids with spaces around them are trimmed, so " bob " is bob.
#[test]
fn roster_emails_are_unique_and_ids_trimmed() {
    let (dir, pipeline) = tiny(false);
    let people = dir.path().join("people.csv");
    let text = read(&people).replace("dave@example.com", "BOB@Example.com");
    std::fs::write(&people, text).unwrap();
    let err = validate(&pipeline, 1);
    assert!(
        err.contains("email listed for more than one person"),
        "{err}"
    );
    assert!(err.contains("line 3: \"bob@example.com\""), "{err}");
    assert!(err.contains("line 5: \"BOB@Example.com\""), "{err}");

    let (dir, pipeline) = tiny(false);
    let people = dir.path().join("people.csv");
    std::fs::write(&people, read(&people).replace("\nbob,", "\n bob ,")).unwrap();
    run(&pipeline, &[], 0);
    // tests/it/cli.rs: headcount 5 and 4 active in January, bob among them.
    assert_eq!(by_period(&dir.path().join("out"), "active")["2025-01"], "4");
}

// 10. An email in exclude_accounts excludes the account with that email in any case.
#[test]
fn excluded_emails_compare_without_case() {
    let (dir, pipeline) = with_setting("exclude_accounts = [\"Alice@Example.COM\"]");
    let events = dir.path().join("events.csv");
    std::fs::write(
        &events,
        read(&events).replace(",alice,", ",alice@example.com,"),
    )
    .unwrap();
    run(&pipeline, &[], 0);
    let source = &manifest(&dir.path().join("out"))["inputs"][0];
    // alice's own events: e1 (post), e9 and e10 (reactions).
    assert_eq!(
        source["excluded_by_reason"]["excluded account"].as_u64(),
        Some(3),
        "{source}"
    );
}

// 11. A pipe inside an export, or given as the export, is named; nothing waits for a writer.
#[test]
fn pipes_are_refused_not_read() {
    let (dir, pipeline) = tiny(false);
    let fifo = dir.path().join("pipe.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::fs::write(
        &pipeline,
        read(&pipeline).replace("path = \"events.csv\"", "path = \"pipe.csv\""),
    )
    .unwrap();
    let err = validate(&pipeline, 1);
    assert!(err.contains("is not a regular file or folder"), "{err}");

    let slack = tempfile::tempdir().unwrap();
    let export = slack.path().join("export");
    copy_dir(&root().join("tests/fixtures/slack/export"), &export);
    let channel = std::fs::read_dir(&export)
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .unwrap()
        .path();
    assert!(std::process::Command::new("mkfifo")
        .arg(channel.join("2025-01-99.json"))
        .status()
        .unwrap()
        .success());
    let pipeline = slack.path().join("pipeline.toml");
    std::fs::write(&pipeline, "[pipeline]\nname = \"s\"\noutput = \"out\"\n\n[[source]]\nkind = \"slack\"\npath = \"export\"\n").unwrap();
    let err = run(&pipeline, &[], 1);
    assert!(err.contains("2025-01-99.json"), "{err}");
    assert!(err.contains("is not a regular file or folder"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

// 12. UTF-16, with a byte-order mark or without one, is named with the iconv fix; header names
// padded with spaces are read trimmed.
#[test]
fn utf16_is_named_and_padded_headers_are_read() {
    let text = read(root().join("tests/fixtures/tiny/events.csv"));
    let text = text.trim_start_matches('\u{feff}');
    let utf16 = |bom: bool| -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        out
    };
    for bom in [true, false] {
        let (dir, pipeline) = tiny(false);
        std::fs::write(dir.path().join("events.csv"), utf16(bom)).unwrap();
        let err = validate(&pipeline, 1);
        assert!(err.contains("UTF-16"), "{err}");
        assert!(err.contains("iconv -f UTF-16"), "{err}");
        assert!(!err.contains('\0'), "{err:?}");
    }
    let (dir, pipeline) = tiny(false);
    let padded = text.replacen(
        "event_id,source,occurred_at",
        " event_id , source,occurred_at ",
        1,
    );
    std::fs::write(dir.path().join("events.csv"), padded).unwrap();
    run(&pipeline, &[], 0);
    assert_eq!(by_period(&dir.path().join("out"), "active")["2025-01"], "4");
}

// Decided: an as-of day more than a year of periods after the newest event is refused (the
// tiny data ends in February 2025); ten months after it is a report with empty months.
#[test]
fn an_as_of_day_far_after_the_data_is_refused() {
    let (_dir, pipeline) = tiny(false);
    let err = run(&pipeline, &["--as-of", "2199-12-31"], 1);
    assert!(
        err.contains("--as-of 2199-12-31 lies 2098 months after the newest event"),
        "{err}"
    );
    run(&pipeline, &["--as-of", "2025-12-31"], 0);
}

// Decided: a folder that is not engage's is refused before its lock file is touched.
#[test]
fn a_foreign_folders_lock_is_left_alone() {
    let (dir, pipeline) = tiny(false);
    let foreign = dir.path().join("theirs");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    std::fs::write(foreign.join(".engage.lock"), "pid 999999999, theirs").unwrap();
    let err = run(&pipeline, &["--out", foreign.to_str().unwrap()], 1);
    assert!(err.contains("holds files engage did not write"), "{err}");
    assert_eq!(read(foreign.join(".engage.lock")), "pid 999999999, theirs");
}

// Decided: the same export under two labels is refused, naming both.
#[test]
fn the_same_export_under_two_labels_is_refused() {
    let (dir, pipeline) = tiny(false);
    std::fs::copy(dir.path().join("events.csv"), dir.path().join("again.csv")).unwrap();
    let text = read(&pipeline).replace(
        "[people]",
        "[[source]]\nkind = \"events\"\npath = \"again.csv\"\nname = \"again\"\n\n[people]",
    );
    std::fs::write(&pipeline, text).unwrap();
    let err = validate(&pipeline, 1);
    assert!(
        err.contains(
            "the sources \"events\" (events.csv) and \"again\" (again.csv) are the same export"
        ),
        "{err}"
    );
}

// Decided: identity-map rows for a source the pipeline lacks are said in the log.
#[test]
fn identity_rows_for_unknown_sources_are_said() {
    let (dir, pipeline) = tiny(false);
    std::fs::write(
        dir.path().join("identities.csv"),
        "source,account,person_id\nslak,U1,alice\nslak,U2,bob\nevents,a1,alice\n",
    )
    .unwrap();
    std::fs::write(
        &pipeline,
        read(&pipeline) + "\n[identities]\npath = \"identities.csv\"\n",
    )
    .unwrap();
    let err = run(&pipeline, &[], 0);
    assert!(
        err.contains(
            "identities.csv: 2 rows name the source \"slak\", which this pipeline does not have"
        ),
        "{err}"
    );
}

// Decided: a roster without people, a date with words after it and a key file inside the
// store are refused.
#[test]
fn empty_rosters_vague_dates_and_keys_in_the_store_are_refused() {
    let (dir, pipeline) = tiny(false);
    let people = dir.path().join("people.csv");
    let header = read(&people).lines().next().unwrap().to_string();
    std::fs::write(&people, header + "\n").unwrap();
    let err = validate(&pipeline, 1);
    assert!(err.contains("the roster lists nobody"), "{err}");

    let (dir, pipeline) = tiny(false);
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        read(&people).replacen("2020-01-01", "2020-01-01 or so", 1),
    )
    .unwrap();
    let err = validate(&pipeline, 1);
    assert!(err.contains("unreadable hire_date"), "{err}");
    assert!(err.contains("line 2: \"2020-01-01 or so\""), "{err}");

    let (dir, pipeline) = tiny(true);
    let text = read(&pipeline).replace(
        "store = \"store\"\n",
        "store = \"store\"\npseudonym_key_file = \"store/tiny.key\"\n",
    );
    std::fs::write(&pipeline, text).unwrap();
    let (code, err) = common::run_with_key_file(&pipeline);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is inside the store"), "{err}");
    assert!(!dir.path().join("store/tiny.key").exists());
}

// Decided: a submit command that exits 0 without running the job is named as such, not as
// tables to give to --aggregates.
#[test]
fn a_submit_that_runs_no_job_is_named() {
    let (_dir, pipeline) = tiny(false);
    std::fs::write(
        &pipeline,
        read(&pipeline) + "\n[spark]\nsubmit = [\"true\"]\n",
    )
    .unwrap();
    let err = run(&pipeline, &["--engine", "spark"], 1);
    assert!(
        err.contains("`true` finished without error but the job wrote no tables"),
        "{err}"
    );
    assert!(!err.contains("--aggregates"), "{err}");
}

// A store written before the catalogue (a `part-0.sha256` beside each partition) gets its
// catalogue from them on its first run, checked: a partition whose bytes differ from its hash
// file is damaged.
#[test]
fn a_store_from_before_the_catalogue_is_taken_over_checked() {
    let (dir, pipeline) = tiny(true);
    run(&pipeline, &[], 0);
    let store = dir.path().join("store");
    let first = by_period(&dir.path().join("out"), "active");
    std::fs::remove_file(store.join("catalogue.json")).unwrap();
    std::fs::remove_dir_all(store.join("ids")).unwrap();
    for month in ["2025-01", "2025-02"] {
        let part = store.join(format!("events/period={month}/part-0.parquet"));
        let bytes = std::fs::read(&part).unwrap();
        let text = format!("{} {}\n", hex::encode(Sha256::digest(&bytes)), bytes.len());
        std::fs::write(part.with_file_name("part-0.sha256"), text).unwrap();
    }
    let hash_file = store.join("events/period=2025-02/part-0.sha256");
    let written = read(&hash_file);
    std::fs::write(
        &hash_file,
        written.replacen(
            &written[..1],
            if &written[..1] == "0" { "1" } else { "0" },
            1,
        ),
    )
    .unwrap();
    let err = run(&pipeline, &[], 1);
    assert!(
        err.contains("the store's month 2025-02 is damaged"),
        "{err}"
    );
    std::fs::write(&hash_file, written).unwrap();
    run(&pipeline, &[], 0);
    assert!(store.join("catalogue.json").is_file());
    assert!(!hash_file.exists());
    assert_eq!(by_period(&dir.path().join("out"), "active"), first);
}

/// A small tmpfs mounted for a test, unmounted when dropped; `None` (the test says it is
/// skipped) where mounting is not allowed (not root, or a container without the right).
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(bytes: u64) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk(dir))
    }

    /// Fills the disk but for about `free` bytes.
    fn fill_leaving(&self, free: u64) {
        let stat = std::process::Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(self.0.path())
            .output()
            .unwrap();
        let avail: u64 = String::from_utf8_lossy(&stat.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let filler = self.0.path().join(format!("filler-{free}"));
        std::fs::write(filler, vec![0u8; avail.saturating_sub(free) as usize]).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

// 5 and 13. A disk that fills up while a run writes (150 KB left, as in the report; 8 KB; none)
// is named as the user's to fix, never a bug, and the previous run's outputs and manifest stay
// as they were.
#[test]
fn a_full_disk_is_named_and_leaves_the_last_report() {
    let Some(disk) = SmallDisk::mount(16 << 20) else {
        common::say("skipped a_full_disk_is_named_and_leaves_the_last_report: cannot mount a small tmpfs here (it needs root)");
        return;
    };
    let (_dir, pipeline) = tiny(false);
    let out = disk.0.path().join("out");
    let out_arg = out.to_str().unwrap();
    run(&pipeline, &["--out", out_arg, "--as-of", "2025-01-31"], 0);
    for free in [150_000, 8_000, 0] {
        disk.fill_leaving(free);
        let err = run(&pipeline, &["--out", out_arg, "--as-of", "2025-02-28"], 1);
        assert!(err.contains("the disk is full"), "{free}: {err}");
        assert!(!err.contains("bug in engage"), "{free}: {err}");
        folder_matches_manifest(&out);
    }
}

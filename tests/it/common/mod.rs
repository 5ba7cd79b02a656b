//! Helpers the integration tests share: the project root, reading output files and CSV
//! tables, running engage on the fixtures.

pub mod words;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The pseudonym key the tests run with.
pub const KEY: &str = "test-key-0123456789";

/// The binary, with the test key in its environment.
pub fn engage() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("engage").unwrap();
    cmd.env("ENGAGE_PSEUDONYM_KEY", KEY);
    cmd.env_remove("ENGAGE_ABORT_AT");
    cmd
}

/// `engage run PIPELINE` with the key from the pipeline's key file (no environment key): its
/// exit code and stderr.
pub fn run_with_key_file(pipeline: &Path) -> (i32, String) {
    let output = assert_cmd::Command::cargo_bin("engage")
        .unwrap()
        .env_remove("ENGAGE_PSEUDONYM_KEY")
        .env_remove("ENGAGE_ABORT_AT")
        .arg("run")
        .arg(pipeline)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), err)
}

/// Runs `engage run PIPELINE --out OUT`, expecting exit `code` and no panic; its stderr.
pub fn run_code(pipeline: &Path, out: &Path, code: i32) -> String {
    let output = engage()
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Every file under `dir` as its path relative to `dir` and its bytes, sorted by path.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The real export at `path` in ../shared/real-data, or `None` on a clone without ../shared:
/// the test then says it is skipped and passes. CI has ../shared, so there a missing file fails.
pub fn real(path: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/real-data")
        .join(path);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI runs the real-data conformance tests with ../shared beside the clone",
        p.display()
    );
    say(&format!(
        "skipped: {} is missing (the real-data conformance tests need ../shared)",
        p.display()
    ));
    None
}

/// A line straight to stderr, not through eprintln!: the test harness keeps what a passing
/// test prints to itself, and a skip should be seen.
pub fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A CSV table as rows of column -> text (the tables hold no quoted commas).
pub fn table(path: impl AsRef<Path>) -> Vec<BTreeMap<String, String>> {
    let text = read(path);
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

/// A cell as a number, `None` when it is empty.
pub fn num(row: &BTreeMap<String, String>, col: &str) -> Option<f64> {
    row.get(col).and_then(|v| v.parse().ok())
}

/// Every output file's text: CSV, HTML, Markdown, SVG and JSON as they are, Parquet through
/// polars (PNG charts are their SVGs drawn).
pub fn all_output_text(dir: &Path) -> Vec<(String, String)> {
    use polars::prelude::*;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "png") {
                // A PNG chart is its SVG drawn as pixels; the SVG is scanned.
                assert!(path.with_extension("svg").exists(), "{}", path.display());
            } else if path.extension().is_some_and(|e| e == "parquet") {
                let frame = ParquetReader::new(std::fs::File::open(&path).unwrap())
                    .finish()
                    .unwrap();
                let mut text = String::new();
                for column in frame.columns() {
                    if let Ok(s) = column.str() {
                        for v in s.iter().flatten() {
                            text.push_str(v);
                            text.push('\n');
                        }
                    }
                }
                out.push((path.display().to_string(), text));
            } else {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    out
}

/// Reads an export through its kind's adapter, as a pipeline with default settings would
/// (UTC for times without a zone, bots excluded unless `include_bots`).
pub fn read_export(
    kind: engage::plan::SourceKind,
    path: &Path,
    label: &str,
    include_bots: bool,
) -> engage::Result<engage::ingest::SourceRead> {
    read_source(
        engage::plan::SourcePlan::at(kind, path, label),
        include_bots,
    )
}

/// Reads a source described in full through its kind's adapter.
pub fn read_source(
    source: engage::plan::SourcePlan,
    include_bots: bool,
) -> engage::Result<engage::ingest::SourceRead> {
    let reading = engage::ingest::Reading {
        include_bots,
        ..Default::default()
    };
    engage::ingest::read_source(&source, &reading)
}

/// A fixture folder under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// A copy of a fixture folder in a temporary directory, so tests can edit it.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Runs `engage run PIPELINE --out OUT EXTRA...`, expecting success.
pub fn run_ok(pipeline: &Path, out: &Path, extra: &[&str]) {
    engage()
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// Asserts that `text` holds every one of `parts`, showing the text when one is missing.
pub fn contains_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "no {part:?} in:\n{text}");
    }
}

/// Each event of a batch as `event_id | actor | action | content | thread | target | space |
/// microseconds`, `-` for an empty field.
pub fn event_rows(batch: &engage::ingest::Batch) -> Vec<String> {
    use polars::prelude::*;
    let e = &batch.events;
    let s = |name: &str| -> Vec<String> {
        e.column(name)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or("-").to_string())
            .collect()
    };
    let at: Vec<i64> = e
        .column("occurred_at")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    let cols = [
        s("event_id"),
        s("actor"),
        s("action"),
        s("content_id"),
        s("thread_id"),
        s("target_actor"),
        s("space"),
    ];
    (0..e.height())
        .map(|i| {
            let mut parts: Vec<String> = cols.iter().map(|c| c[i].clone()).collect();
            parts.push(at[i].to_string());
            parts.join(" | ")
        })
        .collect()
}

/// A batch's exclusion reasons and counts, in name order.
pub fn excluded_of(batch: &engage::ingest::Batch) -> Vec<(&str, u64)> {
    batch
        .excluded
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect()
}

/// Appended to a pipeline that keeps a store over a fixture's old events: they are history,
/// not tonight's feed, so the health checks (tests/it/health.rs) would rightly find them stale.
pub const NO_HEALTH: &str = "\n[health]\nenabled = false\n";

//! Helpers the integration tests share: the project root, reading output files and CSV
//! tables. (Each test file uses a part of them.)
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The pseudonym key the tests run with.
pub const KEY: &str = "test-key";

/// The binary, with the test key in its environment.
pub fn engage() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("engage").unwrap();
    cmd.env("ENGAGE_PSEUDONYM_KEY", KEY);
    cmd
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

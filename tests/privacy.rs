//! Privacy that holds (issue #30): the inputs and keys that could give people away. Each test
//! drives the real binary on the tiny fixture (tests/fixtures/tiny) and failed before its fix.

mod common;

use std::path::{Path, PathBuf};

use common::{engage, read, root, run_with_key_file};

/// The tiny fixture in a temporary folder.
fn tiny() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("tests/fixtures/tiny")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let pipeline = dir.path().join("pipeline.toml");
    (dir, pipeline)
}

/// `engage validate` with the test key, expecting `code`; stderr.
fn validate(pipeline: &Path, code: i32) -> String {
    let output = engage().arg("validate").arg(pipeline).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{err}");
    err
}

/// The tiny pipeline with a team-level survey of these rows (after the header).
fn with_team_survey(rows: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, pipeline) = tiny();
    let header = "team,period,measure,score,respondents\n";
    std::fs::write(dir.path().join("teams.csv"), format!("{header}{rows}")).unwrap();
    let text = read(&pipeline) + "\n[surveys]\npath = \"teams.csv\"\n";
    std::fs::write(&pipeline, text).unwrap();
    (dir, pipeline)
}

// A team-level survey's `respondents` is a count of people: a number too large for any count,
// a fraction, a negative number or no number is refused at its line (line 2; the header is
// line 1). Before, 99999999999999999999 was accepted and the team's score shown, and 6.5 read
// as 6.
#[test]
fn survey_counts_that_are_not_whole_numbers_are_refused() {
    for bad in ["99999999999999999999", "6.5", "-5", "inf", "NaN", "many"] {
        let (_dir, pipeline) = with_team_survey(&format!("S1,2025-01,satisfaction,4,{bad}\n"));
        let err = validate(&pipeline, 1);
        assert!(
            err.contains("teams.csv:2: respondents is not a whole number of people"),
            "{bad}: {err}"
        );
    }
    let (_dir, pipeline) =
        with_team_survey("S1,2025-01,satisfaction,4,6\nI1,2025-01,satisfaction,3,0\n");
    validate(&pipeline, 0);
}

// A key file of one byte is refused (a key that short is found by trying them all); a key file
// others can read is used with a warning saying how to make it private.
#[cfg(unix)]
#[test]
fn short_and_shared_key_files_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, pipeline) = tiny();
    let key = dir.path().join("tiny.engage-key");
    std::fs::write(&key, "k\n").unwrap();
    let (code, err) = run_with_key_file(&pipeline);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the key file holds 1 bytes, fewer than the 16 a key needs"),
        "{err}"
    );

    std::fs::write(&key, "0123456789abcdef0123456789abcdef\n").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, err) = run_with_key_file(&pipeline);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("can be read by others (mode 0644)"), "{err}");
    assert!(err.contains("chmod 600"), "{err}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, err) = run_with_key_file(&pipeline);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("can be read by others"), "{err}");
}

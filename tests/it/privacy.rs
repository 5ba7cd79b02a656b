//! Privacy that holds (issue #30): the inputs and keys that could give people away. Each test
//! drives the real binary on the tiny fixture (tests/fixtures/tiny) and failed before its fix.

use crate::common;

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

// `reveal_ambassadors = true` names the listed people by id and e-mail in
// tables/ambassadors.csv (and .parquet) and in the report's ambassador table, and nowhere else
// (docs/privacy.md): no other table, chart or file of the run holds their ids or e-mails, and
// the log says how many were named.
#[test]
fn revealed_ambassadors_are_named_only_where_the_pipeline_asks() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(root().join("pipelines/demo.toml"))
        .replace(
            "min_group_size = 5",
            "min_group_size = 5\nreveal_ambassadors = true",
        )
        .replace("\"../", &format!("\"{}/", root().display()));
    let pipeline = dir.path().join("demo.toml");
    std::fs::write(&pipeline, text).unwrap();
    let out = dir.path().join("out");
    let output = engage()
        .arg("run")
        .arg(&pipeline)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{err}");
    let named: Vec<String> = common::table(out.join("tables/ambassadors.csv"))
        .iter()
        .map(|r| r["person"].clone())
        .collect();
    assert!(
        named.len() > 10 && named.iter().all(|p| p.starts_with('P')),
        "{named:?}"
    );
    assert!(
        err.contains(&format!("people={}", named.len())) && err.contains("reveal_ambassadors"),
        "{err}"
    );
    let allowed = [
        "tables/ambassadors.csv",
        "tables/ambassadors.parquet",
        "report.html",
        "report.md",
    ];
    for (file, bytes) in common::files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        // Ids like P0012 are whole words; an e-mail is its id lower-cased at example.com.
        let holds = named.iter().any(|p| {
            let email = format!("{}@example.com", p.to_lowercase());
            text.contains(&email)
                || text
                    .match_indices(p.as_str())
                    .any(|(at, _)| !text[at + p.len()..].starts_with(|c: char| c.is_ascii_digit()))
        });
        assert!(
            !holds || allowed.contains(&file.as_str()),
            "{file} names a person"
        );
        if ["report.html", "report.md", "tables/ambassadors.csv"].contains(&file.as_str()) {
            assert!(holds, "{file} names nobody");
        }
    }
}

// A key in ENGAGE_PSEUDONYM_KEY shorter than 16 bytes is refused like a short key file, and
// says how to make one; 16 bytes are enough.
#[test]
fn a_short_key_in_the_environment_is_refused() {
    let (_dir, pipeline) = tiny();
    let run = |key: &str| {
        engage()
            .env("ENGAGE_PSEUDONYM_KEY", key)
            .arg("run")
            .arg(&pipeline)
            .output()
            .unwrap()
    };
    let output = run("fifteen-bytes!!");
    let err = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{err}");
    assert!(
        err.contains("ENGAGE_PSEUDONYM_KEY holds 15 bytes, fewer than the 16")
            && err.contains("openssl rand -hex 32"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let output = run("sixteen-bytes!!!");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

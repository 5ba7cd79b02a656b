//! docs/metrics.md is generated from the definitions the report uses; this keeps it current.

use std::path::Path;

#[test]
fn metrics_document_matches_the_definitions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/metrics.md");
    let expected = engage::vocabulary::definitions::markdown();
    if std::env::var_os("ENGAGE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == expected,
        "docs/metrics.md is out of date: run `ENGAGE_UPDATE_DOCS=1 cargo test --test it docs::`"
    );
}

/// The README's table of setting ranges is the one the plan enforces (`plan::RANGES`).
#[test]
fn readme_lists_every_setting_range() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for range in engage::plan::RANGES {
        let key = range.key.trim_start_matches("pipeline.");
        let row = format!(
            "| `{key}` | {} to {} | {} |",
            range.min, range.max, range.default
        );
        assert!(readme.contains(&row), "README lacks the row {row}");
    }
}

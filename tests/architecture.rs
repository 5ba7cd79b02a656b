//! Keeps ARCHITECTURE.md true: data flows ingest -> normalize -> metrics -> outcomes -> render,
//! a stage imports only from earlier ones, and render never touches polars.

use std::path::{Path, PathBuf};

const STAGES: [&str; 5] = ["ingest", "normalize", "metrics", "outcomes", "render"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn stage_files(stage: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(stage);
    rust_files(&dir)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn render_never_imports_polars() {
    let files = stage_files("render");
    assert!(files.len() >= 4);
    for (path, text) in files {
        assert!(
            !text.contains("polars"),
            "{} mentions polars",
            path.display()
        );
    }
}

#[test]
fn stages_import_only_from_earlier_stages() {
    for (i, stage) in STAGES.iter().enumerate() {
        for (path, text) in stage_files(stage) {
            for later in &STAGES[i + 1..] {
                let needle = format!("crate::{later}");
                assert!(
                    !text.contains(&needle),
                    "{} ({stage}) imports the later stage {later}",
                    path.display()
                );
            }
            assert!(
                !text.contains("crate::pipeline")
                    && !text.contains("crate::output")
                    && !text.contains("crate::assemble"),
                "{} ({stage}) reaches into the orchestration",
                path.display()
            );
        }
    }
}

#[test]
fn every_source_file_opens_with_a_comment_on_why_it_exists() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for path in rust_files(&src) {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} has no opening //! comment",
            path.display()
        );
    }
}

//! Keeps ARCHITECTURE.md true: data flows ingest -> normalize -> metrics -> outcomes -> render,
//! a stage imports only from earlier ones, render never touches polars, the vocabulary and
//! the plan import no stage, no two files import each other in a loop, each chart is one short
//! file and the run fits on a screen. (Function lengths elsewhere: clippy's `too_many_lines`,
//! clippy.toml.)

use std::collections::{BTreeMap, BTreeSet};
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
                !text.contains("crate::run") && !text.contains("crate::output"),
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

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The text with comments, string and character literals blanked (lines kept), and the
/// unit tests at the end of the file cut off.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { c } else { b' ' }))
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            rest.windows(2)
                .position(|w| w == b"*/")
                .map_or(rest.len(), |p| p + 2)
        } else if rest.starts_with(b"r#\"") || rest.starts_with(b"r\"") {
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let open = 2 + hashes;
            rest[open..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(rest.len(), |p| open + p + close.len())
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            j + 1
        } else if rest[0] == b'\'' && rest.len() > 2 && (rest[1] == b'\\' || rest[2] == b'\'') {
            // A character literal ('a', '\n', '\u{..}'); a lifetime has no closing quote.
            rest[1..]
                .iter()
                .skip(1)
                .position(|&c| c == b'\'')
                .map_or(1, |p| p + 3)
        } else {
            out.push(rest[0]);
            i += 1;
            continue;
        };
        let end = end.min(rest.len());
        blank(&mut out, &rest[..end]);
        i += end;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every function: its file, name, first line and length in lines.
fn functions(path: &Path) -> Vec<(String, usize, usize)> {
    let code = code_of(&std::fs::read_to_string(path).unwrap());
    let b = code.as_bytes();
    let line = |at: usize| code[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = code[at..].find("fn ") {
        let start = at + found;
        at = start + 3;
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            continue;
        }
        let name: String = code[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body opens at the first `{` outside parentheses; a `;` first means no body.
        let (mut depth, mut open) = (0i32, None);
        for (k, &c) in b[at..].iter().enumerate() {
            match c {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b';' if depth == 0 => break,
                b'{' if depth == 0 => {
                    open = Some(at + k);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        let mut braces = 0;
        let close = b[open..]
            .iter()
            .position(|&c| {
                braces += i32::from(c == b'{') - i32::from(c == b'}');
                braces == 0
            })
            .map_or(b.len(), |p| open + p);
        out.push((name, line(start), line(close) - line(start) + 1));
    }
    out
}

/// Each chart is one file of `src/render/charts/` (beside `mod.rs`, which lists them,
/// `context.rs` and `raster.rs`), short enough to read whole; the drawing lives in
/// `charts/kit/`.
#[test]
fn every_chart_is_one_short_file() {
    let charts = src().join("render").join("charts");
    let mut files = 0;
    let mut long = Vec::new();
    for entry in std::fs::read_dir(&charts).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() || ["mod.rs", "context.rs", "raster.rs"].contains(&name.as_str()) {
            continue;
        }
        files += 1;
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        if lines > 120 {
            long.push(format!("{name} ({lines} lines)"));
        }
    }
    // Sixteen charts: ladder, transitions, trends, lifecycle, retention, Lorenz, replies, reply
    // time, themes, rising themes, departments, satisfaction, attrition, survival, profile,
    // leadership.
    assert_eq!(files, 16);
    assert!(long.is_empty(), "chart files over 120 lines: {long:?}");
}

#[test]
fn the_run_reads_on_one_screen() {
    let run = functions(&src().join("run").join("mod.rs"));
    let (_, _, length) = run
        .iter()
        .find(|(name, _, _)| name == "run")
        .expect("run::run");
    assert!(
        *length <= 65,
        "run::run is {length} lines; the walk should fit on a screen"
    );
}

// The measuring tape itself: a function of 3 lines with a brace in a string and a comment,
// and a signature without a body.
#[test]
fn function_lengths_ignore_braces_in_strings_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.rs");
    let text = "trait T { fn bare(&self); }\nfn short() {\n    let s = \"{{\"; // }\n}\nfn next<'a>(x: &'a str) -> char { 'x' }\n";
    std::fs::write(&file, text).unwrap();
    let found = functions(&file);
    assert_eq!(
        found,
        [("short".to_string(), 2, 3), ("next".to_string(), 5, 1)]
    );
}

#[test]
fn the_vocabulary_and_the_plan_import_no_stage() {
    for (dir, allowed) in [
        ("vocabulary", &["vocabulary"][..]),
        ("plan", &["plan", "vocabulary", "error"][..]),
    ] {
        for path in rust_files(&src().join(dir)) {
            let code = code_of(&std::fs::read_to_string(&path).unwrap());
            for (at, _) in code.match_indices("crate::") {
                let module: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    allowed.contains(&module.as_str()) || module == "Result",
                    "{} imports crate::{module}",
                    path.display()
                );
            }
        }
    }
}

/// The module path of a file (`src/a/b.rs` and `src/a/b/mod.rs` are `[a, b]`).
fn module_of(path: &Path) -> Vec<String> {
    let rel = path.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The file a module path names: its longest prefix that is a file.
fn file_of(segments: &[String]) -> Option<PathBuf> {
    (1..=segments.len()).rev().find_map(|k| {
        let base = segments[..k].iter().fold(src(), |p, s| p.join(s));
        [base.with_extension("rs"), base.join("mod.rs")]
            .into_iter()
            .find(|p| p.is_file())
    })
}

/// The paths a `use` tree or path expression names, from just after `head::`.
fn paths_from(code: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let b = code.as_bytes();
    let mut i = 0;
    let mut path = prefix;
    loop {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i < b.len() && b[i] == b'{' {
            i += 1;
            loop {
                i += paths_from(&code[i..], path.clone(), out);
                while i < b.len() && (b[i] as char).is_whitespace() {
                    i += 1;
                }
                match b.get(i) {
                    Some(b',') => i += 1,
                    _ => break,
                }
                while i < b.len() && (b[i] as char).is_whitespace() {
                    i += 1;
                }
                if b.get(i) == Some(&b'}') {
                    break;
                }
            }
            if b.get(i) == Some(&b'}') {
                i += 1;
            }
            return i;
        }
        let ident: String = code[i..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        i += ident.len();
        if !ident.is_empty() && ident != "self" {
            path.push(ident);
        }
        if code[i..].starts_with("::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// Which files each file imports, through `crate::`, `super::` and `self::` paths and, in a
/// module's root, its own child modules.
fn imports() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut graph = BTreeMap::new();
    for path in rust_files(&src()) {
        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        let me = module_of(&path);
        let mut named = Vec::new();
        for head in ["crate::", "super::", "self::"] {
            for (at, _) in code.match_indices(head) {
                let before = code[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let base = match head {
                    "crate::" => Vec::new(),
                    "super::" => me[..me.len().saturating_sub(1)].to_vec(),
                    _ => me.clone(),
                };
                paths_from(&code[at + head.len()..], base, &mut named);
            }
        }
        let root = path
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs");
        if root {
            for line in code.lines() {
                let line = line.trim().trim_start_matches("pub ");
                if let Some(child) = line.strip_prefix("mod ").and_then(|l| l.strip_suffix(';')) {
                    let uses = code.match_indices(&format!("{child}::")).any(|(at, _)| {
                        !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                    });
                    if uses {
                        named.push(me.iter().cloned().chain([child.to_string()]).collect());
                    }
                }
            }
        }
        let files: BTreeSet<PathBuf> = named
            .iter()
            .filter_map(|p| file_of(p))
            .filter(|f| *f != path)
            .collect();
        graph.insert(path, files);
    }
    graph
}

/// A loop in the graph, as the files along it, if there is one.
fn find_loop(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Option<Vec<PathBuf>> {
    fn visit(
        node: &PathBuf,
        graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        trail: &mut Vec<PathBuf>,
        done: &mut BTreeSet<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        if let Some(at) = trail.iter().position(|n| n == node) {
            return Some(trail[at..].iter().cloned().chain([node.clone()]).collect());
        }
        if !done.insert(node.clone()) {
            return None;
        }
        trail.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, trail, done) {
                return Some(found);
            }
        }
        trail.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_two_files_import_each_other_in_a_loop() {
    let graph = imports();
    // The walk's own legs are seen: run/mod.rs imports run/read.rs and measure.rs imports
    // prepare.rs, so the tape does measure imports.
    let run = src().join("run");
    assert!(graph[&run.join("mod.rs")].contains(&run.join("read.rs")));
    assert!(graph[&run.join("measure.rs")].contains(&run.join("prepare.rs")));
    if let Some(found) = find_loop(&graph) {
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(src()).unwrap().display().to_string())
            .collect();
        panic!("files import each other in a loop: {}", names.join(" -> "));
    }
}

#[test]
fn a_loop_of_imports_is_found() {
    let (a, b, c) = (PathBuf::from("a"), PathBuf::from("b"), PathBuf::from("c"));
    let graph = BTreeMap::from([
        (a.clone(), BTreeSet::from([b.clone()])),
        (b.clone(), BTreeSet::from([c.clone()])),
        (c.clone(), BTreeSet::from([a.clone()])),
    ]);
    assert_eq!(
        find_loop(&graph),
        Some(vec![a.clone(), b.clone(), c.clone(), a.clone()])
    );
    let open = BTreeMap::from([
        (a.clone(), BTreeSet::from([b.clone()])),
        (b, BTreeSet::new()),
    ]);
    assert_eq!(find_loop(&open), None);
}

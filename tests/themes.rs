//! Themes end to end (spec §8): which terms a run may show, that names never become terms,
//! that no store file keeps a sentence, and the demo's themes section.

mod common;

use std::path::Path;

use common::{copy_fixture, read, run_ok, table};
use polars::prelude::*;

/// The bodies of tests/fixtures/themes/events.csv.
const BODIES: [&str; 4] = [
    "The budget review is tomorrow",
    "Parking garage closed again",
    "Thanks Annemieke!",
    "See https://intranet.example.com/budget @ben",
];

/// Worked by hand from the fixture. Five people wrote "The budget review is tomorrow": the
/// stop words the and is go, leaving budget, review, tomorrow and the phrase "budget review"
/// (review and tomorrow were not side by side), each used by 5 people, 5 times. Four wrote
/// "Parking garage closed again": 4 people, never shown. Five thanked Annemieke: "thanks" by 5
/// shows, "annemieke" (the roster's name of ann) and "thanks annemieke" never do. The link and
/// the mention make no term. Shown mentions: 5 terms x 5 = 25, so each share is 0.2; with no
/// earlier period there is no rising score. Rows: most people, most mentions, then the term.
#[test]
fn five_people_show_a_term_four_do_not_and_names_never() {
    let dir = copy_fixture("themes");
    let out = dir.path().join("out");
    run_ok(&dir.path().join("pipeline.toml"), &out, &[]);
    let rows = table(out.join("tables/themes.csv"));
    let terms: Vec<&str> = rows.iter().map(|r| r["term"].as_str()).collect();
    assert_eq!(
        terms,
        vec!["budget", "budget review", "review", "thanks", "tomorrow"]
    );
    for r in &rows {
        assert_eq!(r["period"], "2026-01");
        assert_eq!((r["people"].as_str(), r["mentions"].as_str()), ("5", "5"));
        assert!((r["share"].parse::<f64>().unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(r["z"], "");
    }
    let by_space = table(out.join("tables/themes_by_space.csv"));
    let spaces: Vec<(&str, &str)> = by_space
        .iter()
        .map(|r| (r["space"].as_str(), r["term"].as_str()))
        .collect();
    assert_eq!(spaces[0], ("general", "budget"));
    assert_eq!(spaces.len(), 5);
    for (name, text) in common::all_output_text(&out) {
        for never in ["parking", "annemieke", "intranet"] {
            assert!(
                !text.to_lowercase().contains(never),
                "{name} holds {never:?}"
            );
        }
    }
    let report = read(out.join("report.html"));
    common::contains_all(&report, &["What people talk about", "budget review"]);
}

/// With a store, the counts are kept beside the partitions; no string in any store file
/// equals or holds a body of the input.
#[test]
fn no_store_file_holds_a_sentence() {
    let dir = copy_fixture("themes");
    let pipeline = dir.path().join("pipeline.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &pipeline,
        text.replace("output = \"out\"", "output = \"out\"\nstore = \"store\""),
    )
    .unwrap();
    run_ok(&pipeline, &dir.path().join("out"), &[]);
    let strings = store_strings(&dir.path().join("store"));
    assert!(
        strings.iter().any(|s| s == "budget review"),
        "the store keeps the counts"
    );
    for s in &strings {
        for body in BODIES {
            assert!(!s.contains(body), "a store file holds {body:?} in {s:?}");
        }
    }
}

/// Every value of every string column of every Parquet file under `dir`.
fn store_strings(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (name, bytes) in common::files(dir) {
        if !name.ends_with(".parquet") {
            continue;
        }
        let frame = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        for column in frame.columns() {
            if let Ok(values) = column.str() {
                out.extend(values.iter().flatten().map(str::to_string));
            }
        }
    }
    out
}

/// The demo writes in English and Dutch; its last month plants "hybrid working" and "hybride
/// werken", which the report finds rising.
#[test]
fn the_demo_report_shows_what_people_talk_about() {
    let out = tempfile::tempdir().unwrap();
    run_ok(&common::root().join("pipelines/demo.toml"), out.path(), &[]);
    let rows = table(out.path().join("tables/themes.csv"));
    let last = rows.last().unwrap()["period"].clone();
    let rising: Vec<&str> = rows
        .iter()
        .filter(|r| r["period"] == last && r["z"].parse::<f64>().is_ok_and(|z| z >= 1.96))
        .map(|r| r["term"].as_str())
        .collect();
    assert!(rising.contains(&"hybrid working"), "{rising:?}");
    assert!(rising.contains(&"hybride werken"), "{rising:?}");
    // A bar per term: the period's first 20 rows (by people), and each rising term.
    let in_last = rows.iter().filter(|r| r["period"] == last).count();
    let marks = |chart: &str| {
        read(out.path().join(format!("charts/{chart}.svg")))
            .matches("class=\"mark\"")
            .count()
    };
    assert_eq!(marks("themes"), in_last.min(20));
    assert_eq!(marks("themes_rising"), rising.len());
    let report = read(out.path().join("report.html"));
    common::contains_all(
        &report,
        &[
            "What people talk about",
            "id=\"chart-themes\"",
            "id=\"chart-themes_rising\"",
        ],
    );
}

/// The pipeline's own stop words leave the themes ("budget" here, with its phrase "budget
/// review"); a stop-word file that is not UTF-8 text stops the run with its path and the fix.
#[test]
fn the_pipelines_stop_words_go_and_a_bad_file_is_named() {
    let dir = copy_fixture("themes");
    let pipeline = dir.path().join("pipeline.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &pipeline,
        text.replace(
            "enabled = true",
            "enabled = true\nstop_words = \"ours.txt\"",
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("ours.txt"), "# our own words\nBudget\n").unwrap();
    let out = dir.path().join("out");
    run_ok(&pipeline, &out, &[]);
    let rows = table(out.join("tables/themes.csv"));
    let terms: Vec<&str> = rows.iter().map(|r| r["term"].as_str()).collect();
    assert_eq!(terms, vec!["review", "thanks", "tomorrow"]);

    std::fs::write(dir.path().join("ours.txt"), [0xff, 0xfe, b'x']).unwrap();
    let err = common::run_code(&pipeline, &dir.path().join("out2"), 1);
    common::contains_all(&err, &["ours.txt", "UTF-8 text file of words to ignore"]);
}

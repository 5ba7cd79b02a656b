//! Themes end to end (README "Themes"): which terms a run may show, that names never become terms,
//! that no store file keeps a sentence, and the demo's themes section.

use crate::common;

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
/// stop words the, is and tomorrow (a time word, issue #31) go, leaving budget, review and the
/// phrase "budget review", each used by 5 people, 5 times. Four wrote "Parking garage closed
/// again": 4 people, never shown. Five thanked Annemieke: "thanks" is chat's filler now (issue
/// #31), and "annemieke" (the roster's name of ann) never shows. The link and the mention make
/// no term. Shown mentions: 3 terms x 5 = 15, so each share is 1/3; with one period there is
/// no rising or distinctive score. Rows: most people, most mentions, then the term.
#[test]
fn five_people_show_a_term_four_do_not_and_names_never() {
    let dir = copy_fixture("themes");
    let out = dir.path().join("out");
    run_ok(&dir.path().join("pipeline.toml"), &out, &[]);
    let rows = table(out.join("tables/themes.csv"));
    let terms: Vec<&str> = rows.iter().map(|r| r["term"].as_str()).collect();
    assert_eq!(terms, vec!["budget", "budget review", "review"]);
    for r in &rows {
        assert_eq!(r["period"], "2026-01");
        assert_eq!((r["people"].as_str(), r["mentions"].as_str()), ("5", "5"));
        assert!((r["share"].parse::<f64>().unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((r["z"].as_str(), r["distinctive"].as_str()), ("", ""));
    }
    let by_space = table(out.join("tables/themes_by_space.csv"));
    let spaces: Vec<(&str, &str)> = by_space
        .iter()
        .map(|r| (r["space"].as_str(), r["term"].as_str()))
        .collect();
    assert_eq!(spaces[0], ("general", "budget"));
    assert_eq!(spaces.len(), 3);
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
        text.replace("output = \"out\"", "output = \"out\"\nstore = \"store\"") + common::NO_HEALTH,
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
    // What the month talks about leads with its subjects, not filler (issue #31: before, the
    // top ten by people were working, hybrid, hybrid working, good, details, see, week, else,
    // learn, like); the first rows are the planted subject, most distinctive first.
    let top: Vec<&str> = rows
        .iter()
        .filter(|r| r["period"] == last)
        .take(10)
        .map(|r| r["term"].as_str())
        .collect();
    assert_eq!(
        &top[..3],
        ["working", "hybrid", "hybrid working"],
        "{top:?}"
    );
    for filler in ["would", "like", "see", "else", "would like", "good", "week"] {
        assert!(!top.contains(&filler), "{filler} in {top:?}");
    }
    let distinctive: Vec<f64> = rows
        .iter()
        .filter(|r| r["period"] == last)
        .take(10)
        .map(|r| r["distinctive"].parse().unwrap())
        .collect();
    assert!(
        distinctive.windows(2).all(|w| w[0] >= w[1]),
        "{distinctive:?}"
    );
    // A bar per term: the period's first 20 rows (most distinctive), and each rising term.
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
    assert_eq!(terms, vec!["review"]);

    std::fs::write(dir.path().join("ours.txt"), [0xff, 0xfe, b'x']).unwrap();
    let err = common::run_code(&pipeline, &dir.path().join("out2"), 1);
    common::contains_all(&err, &["ours.txt", "UTF-8 text file of words to ignore"]);
}

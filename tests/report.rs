//! The management report end to end: every chart drawn as SVG and PNG with one mark per data
//! point or bar (checked against the tables it shows), every table also as Parquet, report.md
//! on a fixed fixture (insta), and a Dutch report with no English label left.

mod common;

use common::{read, root, table};

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use polars::prelude::*;

fn run(pipeline: &Path, out: &Path) {
    Command::cargo_bin("engage")
        .unwrap()
        .env("ENGAGE_PSEUDONYM_KEY", "test-key")
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// `(series, x, value)` of every data mark in an SVG.
fn marks(svg: &str) -> Vec<(String, String, String)> {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!("{name}=\"");
        tag.find(&key)
            .map(|i| {
                let rest = &tag[i + key.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .unwrap_or_default()
    };
    svg.split('<')
        .filter(|t| t.contains("class=\"mark"))
        .map(|t| {
            (
                attr(t, "data-series"),
                attr(t, "data-x"),
                attr(t, "data-value"),
            )
        })
        .collect()
}

fn demo(out: &Path) {
    run(&root().join("pipelines/demo.toml"), out);
}

/// Every chart, SVG and PNG, is the same byte for byte when the demo runs twice.
#[test]
fn two_runs_draw_the_same_charts() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    demo(a.path());
    demo(b.path());
    let mut names: Vec<_> = std::fs::read_dir(a.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    // Sixteen charts, each as SVG and PNG.
    assert_eq!(names.len(), 32);
    for name in names {
        let read = |dir: &Path| std::fs::read(dir.join("charts").join(&name)).unwrap();
        assert!(read(a.path()) == read(b.path()), "{name:?} differs");
    }
}

#[test]
fn charts_hold_their_data() {
    let out = tempfile::tempdir().unwrap();
    demo(out.path());
    let o = out.path();
    let chart = |name: &str| read(o.join(format!("charts/{name}.svg")));
    let ladder = table(o.join("tables/ladder.csv"));
    let metrics = table(o.join("tables/period_metrics.csv"));
    let periods = metrics.len();

    // Every chart exists as SVG and as a 1600 px wide PNG.
    for name in [
        "ladder",
        "transitions",
        "trends",
        "lifecycle",
        "retention",
        "lorenz",
        "replies",
        "reply_time",
        "departments",
        "satisfaction",
        "attrition",
        "survival",
        "themes",
        "themes_rising",
        "profile",
        "leadership",
    ] {
        assert!(o.join(format!("charts/{name}.svg")).exists(), "{name}.svg");
        let png = std::fs::read(o.join(format!("charts/{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}.png");
        assert_eq!(
            u32::from_be_bytes(png[16..20].try_into().unwrap()),
            1600,
            "{name}.png"
        );
    }

    // The ladder: one bar segment per period and rung, each showing the share in ladder.csv.
    let m = marks(&chart("ladder"));
    assert_eq!(m.len(), ladder.len());
    let last = ladder
        .iter()
        .find(|r| r["period"] == "2026-09" && r["rung"] == "Creators")
        .unwrap();
    let share: f64 = last["share"].parse().unwrap();
    let drawn = m
        .iter()
        .find(|(s, x, _)| s == "Creators" && x == "Sep 2026")
        .unwrap();
    assert_eq!(
        drawn.2.parse::<f64>().unwrap(),
        (share * 10000.0).round() / 100.0
    );

    // Lifecycle: four bars per period (dormant drawn below zero).
    let m = marks(&chart("lifecycle"));
    assert_eq!(m.len(), 4 * periods);
    let life = table(o.join("tables/lifecycle.csv"));
    let dormant: Vec<f64> = m
        .iter()
        .filter(|(s, _, _)| s == "Dormant")
        .map(|(_, _, v)| v.parse().unwrap())
        .collect();
    let expected: Vec<f64> = life
        .iter()
        .map(|r| -r["dormant"].parse::<f64>().unwrap())
        .collect();
    assert_eq!(dormant, expected);

    // Trends: a point per period for participation, reach and contribution.
    assert_eq!(marks(&chart("trends")).len(), 3 * periods);
    // Transitions: every pair of the seven rungs.
    assert_eq!(marks(&chart("transitions")).len(), 49);
    // Retention: one cell per row of retention.csv.
    assert_eq!(
        marks(&chart("retention")).len(),
        table(o.join("tables/retention.csv")).len()
    );
    // The Lorenz curve: 101 points, from (0%, 0%) to (100%, 100%).
    let lorenz = marks(&chart("lorenz"));
    assert_eq!(lorenz.len(), 101);
    assert_eq!(lorenz.last().unwrap().2, "100");
    // Replies and reply times: a point per period that has posts.
    let with_posts = metrics
        .iter()
        .filter(|r| !r["reply_rate"].is_empty())
        .count();
    assert_eq!(marks(&chart("replies")).len(), with_posts);
    // Departments: a cell per department and period, suppressed ones included (hatched).
    let depts = table(o.join("tables/breakdown_department.csv"));
    let cells = marks(&chart("departments"));
    assert_eq!(cells.len(), depts.len());
    let hidden = depts
        .iter()
        .filter(|r| r["participation_rate"].is_empty())
        .count();
    assert_eq!(cells.iter().filter(|c| c.2 == "suppressed").count(), hidden);
    // The scatter: a point per team related to satisfaction.
    let teams = table(o.join("tables/outcome_teams.csv"));
    assert_eq!(
        marks(&chart("satisfaction")).len(),
        teams
            .iter()
            .filter(|r| r["outcome"] == "satisfaction")
            .count()
    );
    // Survival: a point per step of retention_curves.csv.
    assert_eq!(
        marks(&chart("survival")).len(),
        table(o.join("tables/retention_curves.csv")).len()
    );
    // Attrition: a bar per rung whose share is shown in the latest followed period.
    let attrition = table(o.join("tables/attrition_by_rung.csv"));
    let latest = attrition
        .iter()
        .rev()
        .find(|r| r["followed"] != "0")
        .unwrap()["period"]
        .clone();
    let shown = attrition
        .iter()
        .filter(|r| r["period"] == latest && !r["share"].is_empty())
        .count();
    assert_eq!(marks(&chart("attrition")).len(), shown);
}

#[test]
fn every_table_is_also_parquet_and_the_report_has_fourteen_sections() {
    let out = tempfile::tempdir().unwrap();
    demo(out.path());
    let mut csvs = 0;
    for entry in std::fs::read_dir(out.path().join("tables")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            csvs += 1;
            let parquet = path.with_extension("parquet");
            let frame = ParquetReader::new(std::fs::File::open(&parquet).unwrap())
                .finish()
                .unwrap();
            assert_eq!(frame.height(), table(&path).len(), "{}", parquet.display());
        }
    }
    assert!(csvs >= 25, "{csvs}");
    let html = read(out.path().join("report.html"));
    let md = read(out.path().join("report.md"));
    // The ten sections and, with themes, a profile survey, a campaign and leaders on the roster
    // in the demo, "What people talk about", "Leaders in the network", "What people say and
    // what they do" and "Campaigns".
    assert_eq!(html.matches("<section id=").count(), 14);
    assert_eq!(md.matches("\n## ").count(), 14);
    // The Markdown links every chart the page shows.
    let figures = html.matches("<figure id=\"chart-").count();
    assert_eq!(md.matches("](charts/").count(), figures);
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
}

/// Text between tags (and inside <title>), as the reader sees it; the style sheet is not text.
fn texts(html: &str) -> BTreeSet<String> {
    let body = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    };
    body.split('<')
        .filter_map(|t| t.split_once('>').map(|(_, text)| text.trim().to_string()))
        .map(|t| {
            t.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
        })
        .filter(|t| t.chars().any(|c| c.is_alphabetic()))
        .collect()
}

#[test]
fn the_dutch_report_has_no_english_label_left() {
    let en = tempfile::tempdir().unwrap();
    demo(en.path());
    let nl = tempfile::tempdir().unwrap();
    let pipeline = nl.path().join("demo-nl.toml");
    std::fs::write(
        &pipeline,
        read(root().join("pipelines/demo.toml"))
            .replace("[pipeline]\n", "[pipeline]\nlanguage = \"nl\"\n")
            .replace(
                "../sample-data",
                &root().join("sample-data").display().to_string(),
            ),
    )
    .unwrap();
    run(&pipeline, &nl.path().join("out"));
    let english = texts(&read(en.path().join("report.html")));
    let dutch_html = read(nl.path().join("out/report.html"));
    assert!(dutch_html.contains("<html lang=\"nl\">"));
    let dutch = texts(&dutch_html);
    // Data, not labels: rung, department, space and team names, files, codes and numbers.
    let mut data: BTreeSet<String> = BTreeSet::new();
    for t in [
        "ladder",
        "spaces",
        "breakdown_department",
        "outcome_teams",
        "ambassadors",
        "themes",
    ] {
        for row in table(en.path().join(format!("tables/{t}.csv"))) {
            data.extend(row.into_values());
        }
    }
    // Pipeline names and codes users write (source kinds, outcome names) and words Dutch shares.
    let same_in_both = [
        "Ladder",
        "Teams",
        "team",
        "rho",
        "Forrester",
        "demo",
        "enps",
        "satisfaction",
        "turnover",
        "events",
        "Term",
    ];
    for target in [
        "Three in four people take part every month",
        "More people write posts",
    ] {
        data.insert(target.to_string());
    }
    let left: Vec<&String> = english
        .intersection(&dutch)
        .filter(|t| !data.contains(*t))
        .filter(|t| !same_in_both.contains(&t.as_str()))
        .filter(|t| {
            !t.contains(".csv") && !t.starts_with("Engagement report") && !t.contains("engage ")
        })
        .filter(|t| !t.chars().all(|c| c.is_ascii_hexdigit()))
        .filter(|t| {
            !t.split(|c: char| !c.is_alphanumeric()).all(|w| {
                w.is_empty()
                    || w.chars().all(|c| c.is_ascii_digit())
                    || data.contains(w)
                    || same_in_both.contains(&w)
            })
        })
        .collect();
    assert!(
        left.is_empty(),
        "untranslated in the Dutch report: {left:?}"
    );
    // Numbers are written the Dutch way.
    assert!(dutch_html.contains(",") && dutch_html.contains("%"));
    assert!(read(nl.path().join("out/report.md")).contains("## Kerncijfers"));
}

// report.md of the tiny fixture, reviewed by hand and kept as an insta snapshot.
#[test]
fn report_markdown_snapshot() {
    let out = tempfile::tempdir().unwrap();
    run(
        &root().join("tests/fixtures/tiny/pipeline.toml"),
        out.path(),
    );
    let md = read(out.path().join("report.md")).replace(env!("CARGO_PKG_VERSION"), "VERSION");
    insta::assert_snapshot!(md);
}

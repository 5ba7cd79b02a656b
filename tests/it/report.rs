//! The management report end to end: every chart drawn as SVG and PNG with one mark per data
//! point or bar (checked against the tables it shows), every table also as Parquet, report.md
//! on a fixed fixture (insta), and a Dutch report with no English label left.

use crate::common;

use common::{read, root, table};

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use polars::prelude::*;

fn run(pipeline: &Path, out: &Path) {
    Command::cargo_bin("engage")
        .unwrap()
        .env("ENGAGE_PSEUDONYM_KEY", "test-key-0123456789")
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
#[allow(clippy::too_many_lines)] // One demo run, each chart's marks against its table.
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
    // The Lorenz curve is a line; marks only where a reader compares it with the 90-9-1 rule:
    // the share of contributions of the least active 50%, 90% and 99% of the September
    // headcount, worked out here from the activity table (sorted contributions, the running
    // sum at 0.5n, 0.9n and 0.99n people, between whole people a straight line).
    let lorenz = marks(&chart("lorenz"));
    let activity =
        ParquetReader::new(std::fs::File::open(o.join("tables/activity.parquet")).unwrap())
            .finish()
            .unwrap();
    let september = activity
        .clone()
        .lazy()
        .filter(col("period").eq(lit("2026-09")))
        .collect()
        .unwrap();
    let mut c: Vec<u32> = september
        .column("contributions")
        .unwrap()
        .cast(&DataType::UInt32)
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    c.sort_unstable();
    let total: f64 = c.iter().map(|v| f64::from(*v)).sum();
    let share_of_bottom = |p: f64| {
        let at = p * c.len() as f64;
        let k = at.floor() as usize;
        let below: f64 = c[..k].iter().map(|v| f64::from(*v)).sum();
        let next = c.get(k).map_or(0.0, |v| f64::from(*v));
        (below + (at - k as f64) * next) / total * 100.0
    };
    let expected: Vec<(String, String)> = [0.5f64, 0.9, 0.99]
        .iter()
        .map(|p| {
            let v = (share_of_bottom(*p) * 100.0).round() / 100.0;
            (format!("{}%", (p * 100.0).round()), format!("{v}"))
        })
        .collect();
    let drawn: Vec<(String, String)> = lorenz.iter().map(|m| (m.1.clone(), m.2.clone())).collect();
    assert_eq!(drawn, expected);
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

/// The pieces of text a reader sees, each once.
fn texts(html: &str) -> BTreeSet<String> {
    common::words::fragments(html)
        .into_iter()
        .filter(|t| t.chars().any(|c| c.is_alphabetic()))
        .collect()
}

/// The demo pipeline in Dutch, its sample data where the demo's is; the pipeline's path.
fn dutch_demo(dir: &Path) -> std::path::PathBuf {
    let pipeline = dir.join("demo-nl.toml");
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
    pipeline
}

// Every word a reader sees in the Dutch demo report is in the Dutch word table or in the data:
// the names the data holds (spaces, departments, teams, terms, pseudonyms, survey measures)
// and the names the pipeline file gives (its name, targets, campaign, files). The definitions
// section may name the rungs in English, and only it does.
#[test]
fn every_word_of_the_dutch_report_is_dutch_or_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let pipeline = dutch_demo(dir.path());
    run(&pipeline, &out);
    let html = read(out.join("report.html"));
    // The names the pipeline gives (its own, its targets' and campaigns', its files' paths, its
    // time zone) and the ladder's (Forrester's).
    let mut data: BTreeSet<String> = read(&pipeline)
        .lines()
        .filter(|l| {
            ["name = ", "path = ", "timezone = "]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .flat_map(common::words::words)
        .collect();
    data.insert("forrester".into());
    for (t, columns) in [
        ("spaces", &["space", "source"][..]),
        ("breakdown_department", &["department"][..]),
        ("outcome_teams", &["team"][..]),
        ("ambassadors", &["person"][..]),
        ("themes", &["term"][..]),
    ] {
        for row in table(out.join(format!("tables/{t}.csv"))) {
            for c in columns {
                data.extend(common::words::words(&row[*c]));
            }
        }
    }
    // The surveys' own measures (engage's own outcome, turnover, is a word of the table).
    for row in table(root().join("sample-data/demo/surveys.csv")) {
        data.extend(common::words::words(&row["measure"]));
    }
    let (page, definitions) = common::words::without_definitions(&html);
    let foreign = common::words::foreign(
        &page,
        &engage::render::words::Language::Nl.all_text(),
        &data,
    );
    assert!(
        foreign.is_empty(),
        "words neither Dutch nor data: {foreign:?}"
    );
    assert!(
        definitions.contains("Ontwerpers: Creators"),
        "{definitions}"
    );
    assert!(!page.contains("Creators"));
}

#[test]
fn the_dutch_report_has_no_english_label_left() {
    let en = tempfile::tempdir().unwrap();
    demo(en.path());
    let nl = tempfile::tempdir().unwrap();
    run(&dutch_demo(nl.path()), &nl.path().join("out"));
    let english = texts(&read(en.path().join("report.html")));
    let dutch_html = read(nl.path().join("out/report.html"));
    assert!(dutch_html.contains("<html lang=\"nl\">"));
    let dutch = texts(&dutch_html);
    // Data, not labels: department, space and team names, files, codes and numbers (the
    // rungs are labels: Dutch).
    let mut data: BTreeSet<String> = BTreeSet::new();
    for t in [
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

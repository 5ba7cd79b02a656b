//! A nightly run that notices a broken feed (issue #37, README "Health checks"): a kept store
//! built from the demo's events a month a night, then nights that break as feeds break. The
//! demo's events (sample-data/demo/events.csv) are cut by the day they happened; no field
//! before the `text` column holds a comma or a quote, so lines are cut at commas.

use crate::common;

use std::path::{Path, PathBuf};

use common::{engage, read, root};

/// The demo's events file: the header and each event line with its day (`YYYY-MM-DD`).
fn demo_events() -> (String, Vec<(String, String)>) {
    let text = read(root().join("sample-data/demo/events.csv"));
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| {
            (
                l.split(',').nth(2).unwrap()[..10].to_string(),
                l.to_string(),
            )
        })
        .collect();
    (header, rows)
}

/// A pipeline that keeps its store in `dir`, reading `dir/delivery.csv` each night.
fn nightly(dir: &Path, extra: &str) -> PathBuf {
    std::fs::copy(
        root().join("sample-data/demo/people.csv"),
        dir.join("people.csv"),
    )
    .unwrap();
    let pipeline = dir.join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"nightly\"\ntimezone = \"UTC\"\noutput = \"out\"\nstore = \"store\"\nmin_group_size = 5\n{extra}\n[[source]]\nkind = \"events\"\npath = \"delivery.csv\"\nname = \"demo\"\n\n[people]\npath = \"people.csv\"\n"
        ),
    )
    .unwrap();
    pipeline
}

/// Writes tonight's delivery: the events of days `from..=to`, each line changed by `edit`
/// (`None` drops it).
fn deliver(dir: &Path, (from, to): (&str, &str), edit: impl Fn(usize, &str) -> Option<String>) {
    let (header, rows) = demo_events();
    let mut out = header + "\n";
    let kept = rows
        .iter()
        .filter(|(day, _)| day.as_str() >= from && day.as_str() <= to);
    for (i, (_, line)) in kept.enumerate() {
        if let Some(l) = edit(i, line) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    std::fs::write(dir.join("delivery.csv"), out).unwrap();
}

/// Runs the night with `--as-of as_of` and more arguments; its exit code and stderr.
fn night(pipeline: &Path, as_of: &str, args: &[&str]) -> (i32, String) {
    let output = engage()
        .arg("run")
        .arg(pipeline)
        .args(["--as-of", as_of])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (output.status.code().unwrap_or(-1), err)
}

/// The flagged checks of a night's log, as `check (subject)`.
fn flags(err: &str) -> Vec<String> {
    err.lines()
        .filter(|l| l.contains("[health]") && l.contains("FLAGGED"))
        .map(|l| {
            let body = l.split("[health] ").nth(1).unwrap();
            let check = body.split(' ').next().unwrap();
            let subject = body
                .split_once('(')
                .and_then(|(_, r)| r.split_once(')'))
                .map_or("", |(s, _)| s);
            format!("{check} ({subject})")
        })
        .collect()
}

/// The demo's months, each delivered as one night's export on the first of the next month,
/// into the store in `dir`; every night passes. Returns the pipeline.
fn twelve_months(dir: &Path, months: usize, extra: &str) -> PathBuf {
    let pipeline = nightly(dir, extra);
    let firsts = [
        "2025-10-01",
        "2025-11-01",
        "2025-12-01",
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
        "2026-04-01",
        "2026-05-01",
        "2026-06-01",
        "2026-07-01",
        "2026-08-01",
        "2026-09-01",
        "2026-10-01",
    ];
    for m in 0..months {
        let last = chrono::NaiveDate::parse_from_str(firsts[m + 1], "%Y-%m-%d").unwrap()
            - chrono::Duration::days(1);
        deliver(dir, (firsts[m], &last.to_string()), |_, l| Some(l.into()));
        let (code, err) = night(&pipeline, firsts[m + 1], &[]);
        assert_eq!(
            (code, flags(&err)),
            (0, vec![]),
            "month {}: {err}",
            firsts[m]
        );
    }
    pipeline
}

/// A copy of `from`'s store and roster in a new folder, with its pipeline.
fn copy_of(from: &Path, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = nightly(dir.path(), extra);
    copy_dir(&from.join("store"), &dir.path().join("store"));
    (dir, pipeline)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

const WEEK: (&str, &str) = ("2026-09-01", "2026-09-07");
const TUESDAY: &str = "2026-09-08";

// The store holds October to August, one month a night, none flagged (the demo's twelfth
// month is delivered too, in `every_month_of_the_demo_passes`). Then, each on a copy of that
// store, the first week of September delivered on Tuesday 2026-09-08 as feeds break. Worked
// out from the demo's events (python over sample-data/demo/events.csv): the four Mondays
// before held 84, 70, 61 and 91 events, a median of (70 + 84) / 2 = 77, so Monday 2026-09-07
// is judged (77 is over min_events = 50); its own 68 events, a ratio of 0.88, pass.
#[test]
fn broken_nights_are_flagged_with_their_check_and_exit_3() {
    let base = tempfile::tempdir().unwrap();
    twelve_months(base.path(), 11, "");

    // A normal night: every judged check passes, exit 0.
    let (dir, pipeline) = copy_of(base.path(), "");
    deliver(dir.path(), WEEK, |_, l| Some(l.into()));
    let (code, err) = night(&pipeline, TUESDAY, &[]);
    assert_eq!((code, flags(&err)), (0, vec![]), "{err}");

    // The export stops two days early (newest event Saturday 09-05): three days behind the
    // as-of day, over max_age_days = 2; Monday holds nothing, a ratio of 0.
    let (dir, pipeline) = copy_of(base.path(), "");
    deliver(dir.path(), ("2026-09-01", "2026-09-05"), |_, l| {
        Some(l.into())
    });
    let (code, err) = night(&pipeline, TUESDAY, &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        flags(&err),
        vec!["freshness (2026-09-05)", "volume (2026-09-07)"],
        "{err}"
    );
    assert!(
        err.contains("the run finished, but a feed looks broken"),
        "{err}"
    );

    // A tenth of the events (every tenth line): Monday's 7 of 77 usual, a ratio of 0.09,
    // under 1/4.
    let (dir, pipeline) = copy_of(base.path(), "");
    deliver(dir.path(), WEEK, |i, l| (i % 10 == 0).then(|| l.into()));
    let (code, err) = night(&pipeline, TUESDAY, &[]);
    assert_eq!(
        (code, flags(&err)),
        (3, vec!["volume (2026-09-07)".into()]),
        "{err}"
    );

    // A renamed column turns every action into a view: the view share moves from the
    // August delivery's 35.2% to 100%, +64.8 points, over 25.
    let (dir, pipeline) = copy_of(base.path(), "");
    deliver(dir.path(), WEEK, |_, l| {
        let mut f: Vec<&str> = l.splitn(6, ',').collect();
        f[4] = "view";
        Some(f.join(","))
    });
    let (code, err) = night(&pipeline, TUESDAY, &["--log-format", "json"]);
    assert_eq!(code, 3, "{err}");
    let flagged: Vec<serde_json::Value> = err
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["step"] == "health" && v["status"] == "flag")
        .collect();
    assert_eq!(flagged.len(), 1, "{err}");
    assert_eq!(flagged[0]["check"], "action_share");
    assert_eq!(flagged[0]["subject"], "view");
    assert_eq!(flagged[0]["level"], "warn");
    // The manifest's health section and the report's data quality section say the same.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(dir.path().join("out/manifest.json"))).unwrap();
    assert_eq!(manifest["health"]["flagged"], 1);
    assert_eq!(manifest["health"]["on_flag"], "warn");
    let report = read(dir.path().join("out/report.html"));
    assert!(
        report.contains("1 of the health checks flagged a feed that looks broken")
            && report.contains("FLAGGED")
            && report.contains("+64.8 pp")
            && report.contains("±25.0 pp"),
        "the report names the flag"
    );

    // The roster lost a department (Finance, 60 people): -100%, flagged, and its one team;
    // in a Dutch report.
    let (dir, pipeline) = copy_of(base.path(), "language = \"nl\"\n");
    deliver(dir.path(), WEEK, |_, l| Some(l.into()));
    let roster = read(dir.path().join("people.csv"));
    let kept: Vec<&str> = roster
        .lines()
        .filter(|l| !l.contains(",Finance,"))
        .collect();
    assert_eq!(roster.lines().count() - kept.len(), 60);
    std::fs::write(dir.path().join("people.csv"), kept.join("\n") + "\n").unwrap();
    let (code, err) = night(&pipeline, TUESDAY, &["--log-format", "json"]);
    assert_eq!(code, 3, "{err}");
    let roster_flags: Vec<String> = err
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["check"] == "roster_group" && v["status"] == "flag")
        .map(|v| format!("{} {}", v["subject"].as_str().unwrap(), v["figure"]))
        .collect();
    assert_eq!(
        roster_flags,
        vec!["department = Finance -1.0", "team = Finance A -1.0"],
        "{err}"
    );
    let report = read(dir.path().join("out/report.html"));
    assert!(
        report.contains("2 van de gezondheidscontroles melden een bron die kapot lijkt")
            && report.contains("department = Finance")
            && report.contains("\u{2212}100,0%"),
        "the Dutch report names the flags"
    );
}

// With on_flag = "stop", a broken night changes nothing: the store's catalogue and the last
// report stay byte for byte, and the run exits 3 saying so. The next normal night passes, and
// a changed feed taken as the new normal (--accept-health: reported, published, exit 0) is
// not flagged on the nights after.
#[test]
fn a_stopped_night_keeps_the_store_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = twelve_months(dir.path(), 11, "\n[health]\non_flag = \"stop\"\n");
    let kept = [
        "store/catalogue.json",
        "out/report.html",
        "out/manifest.json",
    ]
    .map(|f| std::fs::read(dir.path().join(f)).unwrap());
    deliver(dir.path(), WEEK, |i, l| (i % 10 == 0).then(|| l.into()));
    let (code, err) = night(&pipeline, TUESDAY, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("nothing was stored or published"), "{err}");
    let now = [
        "store/catalogue.json",
        "out/report.html",
        "out/manifest.json",
    ]
    .map(|f| std::fs::read(dir.path().join(f)).unwrap());
    assert!(
        kept == now,
        "the store and the last report are as they were"
    );

    // The mended night passes (the broken one never became the reference).
    deliver(dir.path(), WEEK, |_, l| Some(l.into()));
    let (code, err) = night(&pipeline, TUESDAY, &[]);
    assert_eq!((code, flags(&err)), (0, vec![]), "{err}");

    // Every action a view from now on, and meant so: flagged until accepted, then passed.
    let views = |_: usize, l: &str| {
        let mut f: Vec<&str> = l.splitn(6, ',').collect();
        f[4] = "view";
        Some(f.join(","))
    };
    deliver(dir.path(), ("2026-09-08", "2026-09-14"), views);
    let (code, _) = night(&pipeline, "2026-09-15", &[]);
    assert_eq!(code, 3);
    let (code, err) = night(&pipeline, "2026-09-15", &["--accept-health"]);
    assert_eq!(
        code, 0,
        "accepted: reported, but neither stopped nor failed: {err}"
    );
    assert_eq!(flags(&err), vec!["action_share (view)"]);
    deliver(dir.path(), ("2026-09-15", "2026-09-21"), views);
    let (code, err) = night(&pipeline, "2026-09-22", &[]);
    assert_eq!((code, flags(&err)), (0, vec![]), "{err}");
}

// The demo's twelve months, a month a night: no check flags any of them.
#[test]
fn every_month_of_the_demo_passes() {
    let dir = tempfile::tempdir().unwrap();
    twelve_months(dir.path(), 12, "");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(dir.path().join("out/manifest.json"))).unwrap();
    assert_eq!(manifest["health"]["checked"], true);
    assert_eq!(manifest["health"]["flagged"], 0);
    // A run without a store says why nothing was checked.
    let out = tempfile::tempdir().unwrap();
    common::run_ok(&root().join("pipelines/demo.toml"), out.path(), &[]);
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    assert_eq!(manifest["health"]["checked"], false);
}

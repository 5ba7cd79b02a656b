//! The event-scale step on Apache Spark: the job `engage spark-job` writes, run by a real
//! `spark-submit --master local[2]`, must hand on tables from which `engage run --aggregates`
//! computes every table byte for byte as the local engine does (same pseudonym key). The data
//! is generated here: five sources of four kinds (prefixed accounts, emails as accounts, an
//! identity map, usage counts), Europe/Amsterdam, events bunched around both daylight-saving
//! changes of 2025 and around local midnights that start a month, quarter, year or ISO week.
//!
//! Needs Java and pyspark: the first test that needs them runs `tests/spark/setup.sh` (as
//! `.ci/run` does), or says it is skipped where that cannot work. Set ENGAGE_SKIP_SPARK=1 to
//! skip the tests that submit jobs; they say so when skipped.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{engage, files, fixture, root};

/// `spark-submit`, from PATH or the virtual environment `tests/spark/setup.sh` makes. When
/// neither has it, the setup script is run once (it installs Java where it can and pyspark
/// into the build cache, saying so); where that cannot work (no network, no root for Java),
/// `None`, saying why, and the test passes as skipped. CI installs them first, so there a
/// missing Spark fails. `None` too with ENGAGE_SKIP_SPARK=1.
fn spark_submit() -> Option<PathBuf> {
    if std::env::var("ENGAGE_SKIP_SPARK").as_deref() == Ok("1") {
        common::say("skipped: ENGAGE_SKIP_SPARK=1, so this test runs no Spark job");
        return None;
    }
    let found = match installed() {
        Some(p) => Ok(p),
        None => INSTALL.get_or_init(install).clone(),
    };
    match found {
        Ok(p) => Some(p),
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI installs Java and pyspark before the tests (.ci/run), yet: {why}"
            );
            common::say(&format!("skipped: this test runs a Spark job, and {why}"));
            None
        }
    }
}

/// The outcome of running the setup script, shared by every Spark test of the run.
static INSTALL: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();

/// `spark-submit` on PATH or in a virtual environment the setup script made.
fn installed() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("spark-submit"))
            .find(|p| p.is_file())
    });
    // Where tests/spark/setup.sh puts it: beside the build's target folder, or in
    // ~/.cache/engage.
    let beside_target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .and_then(Path::parent)
        .map(|c| c.join("spark-venv"));
    let home_cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| c.join("engage/spark-venv"));
    let cache = [beside_target, home_cache]
        .into_iter()
        .flatten()
        .map(|venv| venv.join("bin/spark-submit"))
        .find(|p| p.is_file());
    on_path.or(cache)
}

/// Runs `tests/spark/setup.sh` (its progress on the terminal): the `spark-submit` it
/// installed, or why it could not.
fn install() -> Result<PathBuf, String> {
    common::say(
        "the Spark tests need Java and pyspark: installing them once with tests/spark/setup.sh \
         (pyspark into the build cache; a few minutes)",
    );
    let output = Command::new(root().join("tests/spark/setup.sh"))
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("tests/spark/setup.sh could not be started ({e})"))?;
    if !output.status.success() {
        return Err(format!(
            "tests/spark/setup.sh could not install Java and pyspark here ({}; it needs the \
             network, and root for Java when `java` is missing); run it by hand to see why",
            output.status
        ));
    }
    let bin = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let submit = PathBuf::from(bin).join("spark-submit");
    if submit.is_file() {
        Ok(submit)
    } else {
        Err(format!("tests/spark/setup.sh left no {}", submit.display()))
    }
}

/// One Spark job at a time: two cores run one faster than several side by side.
static SPARK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The submit command for a test: local[2], no web UI (tests run side by side), the
/// environment's bin first on PATH so that spark-submit finds its Spark home.
fn submit_command(spark: &Path) -> Vec<String> {
    vec![
        spark.to_string_lossy().into_owned(),
        "--master".into(),
        "local[2]".into(),
        "--conf".into(),
        "spark.ui.enabled=false".into(),
    ]
}

fn path_with(spark: &Path) -> std::ffi::OsString {
    let bin = spark.parent().unwrap().to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).unwrap()
}

/// A small deterministic generator (xorshift), so the data is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Instants (seconds since 1970, UTC) where local Amsterdam time and UTC disagree about the
/// day, period or hour: both 2025 daylight-saving changes, local midnights starting a month,
/// quarter, year and ISO week.
const EDGES: [&str; 9] = [
    "2025-03-30T01:00:00Z", // clocks go forward
    "2025-10-26T01:00:00Z", // clocks go back
    "2024-12-31T23:00:00Z", // 2025-01-01 00:00 local: a year, quarter and month begin
    "2025-03-31T22:00:00Z", // 1 April local: Q2
    "2025-06-30T22:00:00Z", // 1 July local: Q3
    "2025-09-30T22:00:00Z", // 1 October local: Q4
    "2025-03-30T22:00:00Z", // Monday 31 March local: a week begins on the DST day
    "2025-10-26T23:00:00Z", // Monday 27 October local
    "2025-12-31T23:00:00Z", // 2026-01-01 local
];

fn secs(iso: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(iso)
        .unwrap()
        .timestamp()
}

fn iso(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `events.csv` of the generated source: roster ids, emails and unknown accounts as actors;
/// replies, reactions and views following posts within and beyond the windows.
fn events_csv() -> String {
    let mut rng = Rng(0x5eed_cafe);
    let actors: Vec<String> = (1..=30)
        .map(|i| format!("P{i:02}"))
        .chain((31..=35).map(|i| format!("p{i}@example.com")))
        .chain(["legacy-7", "ghost-1", "ghost-2"].map(String::from))
        .collect();
    let (start, end) = (secs("2024-12-20T00:00:00Z"), secs("2026-01-05T00:00:00Z"));
    let spaces = ["general", "random", "hr", ""];
    let mut posts: Vec<(String, String, i64, &str)> = Vec::new();
    let mut out =
        String::from("event_id,occurred_at,actor,action,content_id,thread_id,target_actor,space\n");
    for i in 0..3000 {
        let actor = &actors[rng.below(actors.len() as u64) as usize];
        let mut at = match rng.below(100) {
            0..=34 => {
                secs(EDGES[rng.below(EDGES.len() as u64) as usize]) + rng.below(10_800) as i64
                    - 5_400
            }
            _ => start + rng.below((end - start) as u64) as i64,
        };
        let action = match rng.below(100) {
            0..=19 => "post",
            20..=39 => "reply",
            40..=54 => "reaction",
            55..=84 => "view",
            85..=89 => "share",
            90..=94 => "visit",
            95..=96 => "join",
            _ => "curate",
        };
        let follows = !posts.is_empty() && ["reply", "reaction", "view"].contains(&action);
        let row = if action == "post" || !follows {
            let space = spaces[rng.below(4) as usize];
            let content = if action == "post" {
                format!("c{i}")
            } else {
                String::new()
            };
            if action == "post" {
                posts.push((content.clone(), actor.clone(), at, space));
            }
            format!("{content},,,{space}")
        } else {
            let (post, author, posted, space) =
                posts[rng.below(posts.len() as u64) as usize].clone();
            if rng.below(10) < 6 {
                // Within ten days of the post: inside the reply window and the reach window, or past them.
                at = posted + rng.below(240 * 3600) as i64;
            }
            match action {
                "reply" => format!(",{post},{author},{space}"),
                _ => format!("{post},,{author},{space}"),
            }
        };
        out.push_str(&format!("g{i},{},{actor},{action},{row}\n", iso(at)));
    }
    out
}

/// The roster: the fixtures' people and the generated ones (six leaders and managers, emails
/// in mixed case, three departments).
fn people_csv() -> String {
    let mut out = String::from(
        "person_id,email,department,team,role,hire_date\n\
         alice,Alice@Example.com,Sales,S1,manager,2020-01-01\n\
         bob,bob@example.com,Sales,S1,employee,2020-01-01\n",
    );
    for i in 1..=35 {
        let department = ["Sales", "IT", "HR"][i % 3];
        let role = match i {
            1..=3 => "leader",
            4..=6 => "manager",
            _ => "employee",
        };
        out.push_str(&format!(
            "P{i:02},P{i}@Example.com,{department},{department}-{},{role},2019-01-01\n",
            i % 2
        ));
    }
    out
}

/// A pipeline over the generated events and the fixtures' Slack, Stack Exchange, Viva Engage
/// and Microsoft 365 exports, with a store.
fn pipeline(dir: &Path, period: &str, extra: &str) -> PathBuf {
    std::fs::write(dir.join("events.csv"), events_csv()).unwrap();
    std::fs::write(dir.join("people.csv"), people_csv()).unwrap();
    std::fs::write(
        dir.join("identities.csv"),
        "source,account,person_id\nqa,10,alice\ngen,legacy-7,P07\n",
    )
    .unwrap();
    let f = |name: &str| fixture(name).to_string_lossy().into_owned();
    let text = format!(
        r#"[pipeline]
name = "spark-equivalence"
period = "{period}"
timezone = "Europe/Amsterdam"
output = "out"
store = "store"
min_group_size = 3
breakdowns = ["department", "role"]
max_reject_share = 0.5

[[source]]
kind = "events"
path = "events.csv"
name = "gen"

[[source]]
kind = "slack"
path = "{slack}"

[[source]]
kind = "stackexchange"
path = "{qa}"
name = "qa"

[[source]]
kind = "yammer"
path = "{yammer}"
name = "engage"

[[source]]
kind = "m365-usage"
path = "{m365}"
name = "m365"

[people]
path = "people.csv"

[identities]
path = "identities.csv"
{extra}{no_health}"#,
        no_health = common::NO_HEALTH,
        slack = f("slack/export"),
        qa = f("stackexchange/dump"),
        yammer = f("yammer/export"),
        m365 = f("m365/reports"),
    );
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn with_as_of(cmd: &mut assert_cmd::Command, as_of: Option<&str>) {
    if let Some(d) = as_of {
        cmd.arg("--as-of").arg(d);
    }
}

/// Runs `pipeline` (whose store is `store` beside it) on the local engine (in parts of 700
/// events) into `local/`, and through the Spark job and `--aggregates` into `spark/`; the two
/// `tables/` folders.
fn both_engines(spark: &Path, pipeline: &Path, as_of: Option<&str>) -> (Files, Files) {
    let d = pipeline.parent().unwrap();
    let mut local = engage();
    local
        .env("ENGAGE_PART_ROWS", "700")
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(d.join("local"));
    with_as_of(&mut local, as_of);
    local.assert().success();

    let mut job = engage();
    job.arg("spark-job")
        .arg(pipeline)
        .arg("--out")
        .arg(d.join("job"));
    with_as_of(&mut job, as_of);
    job.assert().success();
    let one_at_a_time = SPARK.lock().unwrap_or_else(|e| e.into_inner());
    let submitted = Command::new(spark)
        .args(&submit_command(spark)[1..])
        .arg(d.join("job/engage_job.py"))
        .arg(d.join("store"))
        .arg(d.join("tables"))
        .env("PATH", path_with(spark))
        .output()
        .unwrap();
    assert!(
        submitted.status.success(),
        "{}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    drop(one_at_a_time);

    let mut handed = engage();
    handed
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(d.join("spark"))
        .arg("--aggregates")
        .arg(d.join("tables"));
    with_as_of(&mut handed, as_of);
    handed.assert().success();
    (
        files(&d.join("local/tables")),
        files(&d.join("spark/tables")),
    )
}

type Files = Vec<(String, Vec<u8>)>;

fn same_tables(ours: &Files, theirs: &Files) {
    let names = |f: &Files| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(ours), names(theirs));
    for ((name, a), (_, b)) in ours.iter().zip(theirs) {
        assert!(
            a == b,
            "tables/{name} differs between the local engine and Spark"
        );
    }
}

/// The local engine (several parts of the store) and Spark (one job over the same store)
/// give byte-identical tables.
fn equivalent(period: &str, as_of: Option<&str>) {
    let Some(spark) = spark_submit() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A campaign, so the weekly series (the job's activity_per_week) are compared too.
    let campaign = "\n[[campaign]]\nname = \"June\"\nstart = 2025-06-02\nend = 2025-06-29\naudience = { department = \"Sales\" }\n";
    let pipeline = pipeline(dir.path(), period, campaign);
    let d = dir.path();
    let (ours, theirs) = both_engines(&spark, &pipeline, as_of);
    // Not a vacuous comparison: every table is there, posts and periods have rows.
    assert!(ours.len() >= 30, "{} tables", ours.len());
    let lines = |name: &str| {
        let (_, bytes) = ours.iter().find(|(n, _)| n == name).expect(name);
        bytes.iter().filter(|b| **b == b'\n').count()
    };
    assert!(lines("post_reach.csv") > 300, "{}", lines("post_reach.csv"));
    assert!(lines("period_metrics.csv") >= 5);
    same_tables(&ours, &theirs);
    let manifest: serde_json::Value =
        serde_json::from_str(&common::read(d.join("spark/manifest.json"))).unwrap();
    assert_eq!(manifest["events_from"]["engine"], "spark");
    // Tables the job wrote for one as-of day are refused by a run for another.
    let output = engage()
        .arg("run")
        .arg(&pipeline)
        .arg("--out")
        .arg(d.join("other"))
        .arg("--as-of")
        .arg("2025-06-30")
        .arg("--aggregates")
        .arg(d.join("tables"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("computed with other settings"), "{err}");
    assert!(
        err.contains("run: events: up to the end of 2025-06-30"),
        "{err}"
    );
}

/// Real exports (../shared/real-data: a Slack workspace and two Stack Exchange dumps, 680 ISO
/// weeks in Amsterdam): the job's tables give the local engine's tables byte for byte.
#[test]
fn real_data_spark_tables_equal_the_local_engine() {
    let (Some(slack), Some(bikes), Some(conlang)) = (
        common::real("slack/testarchive.zip"),
        common::real("stackexchange-bicycles.meta"),
        common::real("stackexchange-conlang.meta"),
    ) else {
        return;
    };
    let Some(spark) = spark_submit() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    let source = |kind: &str, path: &Path, name: &str| {
        format!(
            "[[source]]\nkind = \"{kind}\"\npath = \"{}\"\nname = \"{name}\"\n\n",
            path.display()
        )
    };
    let text = format!(
        "[pipeline]\nname = \"real\"\nperiod = \"week\"\ntimezone = \"Europe/Amsterdam\"\noutput = \"out\"\nstore = \"store\"\nmax_reject_share = 1.0\n\n{}{}{}{}",
        source("slack", &slack, "slack"),
        source("stackexchange", &bikes, "bikes"),
        source("stackexchange", &conlang, "conlang"),
        common::NO_HEALTH,
    );
    std::fs::write(&pipeline, text).unwrap();
    let (ours, theirs) = both_engines(&spark, &pipeline, None);
    // Not a vacuous comparison. The bicycles dump's Posts.xml runs from 2010-08-25 to
    // 2023-08-09 (its first and last CreationDate), two Wednesdays 676 weeks apart: the
    // report spans at least 677 weeks, a line each after the header.
    assert!(ours.len() >= 16, "{} tables", ours.len());
    let weeks = ours
        .iter()
        .find(|(n, _)| n == "period_metrics.csv")
        .unwrap();
    assert!(weeks.1.iter().filter(|b| **b == b'\n').count() >= 678);
    same_tables(&ours, &theirs);
}

#[test]
fn spark_tables_equal_the_local_engine_months_cut_off_on_the_autumn_dst_day() {
    equivalent("month", Some("2025-10-26"));
}

#[test]
fn spark_tables_equal_the_local_engine_iso_weeks() {
    equivalent("week", None);
}

#[test]
fn spark_tables_equal_the_local_engine_quarters_cut_off_mid_quarter() {
    equivalent("quarter", Some("2025-11-15"));
}

/// `--engine spark` on the demo with a store: the same report, charts and tables as the local
/// run; tables written for another as-of day are refused, naming the setting.
#[test]
fn engine_spark_on_the_demo_gives_the_local_report() {
    let Some(spark) = spark_submit() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let demo = common::read(root().join("pipelines/demo.toml")).replace(
        "../sample-data",
        &root().join("sample-data").to_string_lossy(),
    );
    let submit: Vec<String> = submit_command(&spark);
    let write = |name: &str, store: &str, extra: &str| {
        let text = demo
            .replace("[people]", &format!("{extra}\n[people]"))
            .replacen(
                "min_group_size",
                &format!("store = \"{store}\"\nmin_group_size"),
                1,
            )
            + common::NO_HEALTH;
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let local = write("local.toml", "store-local", "");
    let spark_toml = write(
        "spark.toml",
        "store-spark",
        &format!(
            "[spark]\nsubmit = {}\n",
            serde_json::to_string(&submit).unwrap()
        ),
    );
    let d = dir.path();
    engage()
        .arg("run")
        .arg(&local)
        .arg("--out")
        .arg(d.join("a"))
        .assert()
        .success();
    let one_at_a_time = SPARK.lock().unwrap_or_else(|e| e.into_inner());
    engage()
        .env("PATH", path_with(&spark))
        .arg("run")
        .arg(&spark_toml)
        .arg("--engine")
        .arg("spark")
        .arg("--out")
        .arg(d.join("b"))
        .assert()
        .success();
    drop(one_at_a_time);
    let (a, b) = (files(&d.join("a")), files(&d.join("b")));
    let kept = |f: &[(String, Vec<u8>)]| {
        f.iter()
            .filter(|(n, _)| n != "manifest.json")
            .cloned()
            .collect::<Vec<_>>()
    };
    let (a, b) = (kept(&a), kept(&b));
    assert!(a.iter().any(|(n, _)| n == "report.html"));
    assert_eq!(a.len(), b.len());
    for ((name, x), (other, y)) in a.iter().zip(&b) {
        assert_eq!(name, other);
        assert!(
            x == y,
            "{name} differs between --engine local and --engine spark"
        );
    }
}

/// The job as a reviewer reads it: its settings at the top, the small tables, one Spark SQL
/// statement per view and table. A change to the job shows here first.
#[test]
fn the_job_for_the_tiny_pipeline_is_as_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    engage()
        .arg("spark-job")
        .arg(fixture("tiny/pipeline.toml"))
        .arg("--out")
        .arg(dir.path())
        .arg("--as-of")
        .arg("2025-03-30")
        .assert()
        .success();
    let job = common::read(dir.path().join("engage_job.py"));
    // The roster's seven people (ids and emails, never names), its leader and manager, no
    // identity map; the as-of day ends at 2025-03-30 22:00 UTC (midnight in Amsterdam, on
    // summer time since that morning).
    let ids = r#"ROSTER_IDS = ["alice","bob","carol","dave","erin","frank","gina"]"#;
    assert!(job.contains(ids), "{job}");
    assert!(job.contains(r#"LEADERS = ["alice","carol"]"#), "{job}");
    assert!(job.contains("IDENTITY_MAP = []"), "{job}");
    assert!(!job.contains("Anders"), "{job}");
    assert!(job.contains("timestamp_micros(1743372000000000)"), "{job}");
    insta::assert_snapshot!(job);
}

/// A pipeline whose `[spark] submit` is `submit`, over the tiny fixture with a store.
fn tiny_with_submit(dir: &Path, submit: &[&str]) -> PathBuf {
    let tiny = common::read(fixture("tiny/pipeline.toml"));
    let text = tiny
        .replace(
            "path = \"",
            &format!("path = \"{}/", fixture("tiny").display()),
        )
        .replacen("[pipeline]", "[pipeline]\nstore = \"store\"", 1)
        + common::NO_HEALTH
        + &format!(
            "\n[spark]\nsubmit = {}\n",
            serde_json::to_string(submit).unwrap()
        );
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn engine_spark(pipeline: &Path, out: &Path) -> (Option<i32>, String) {
    let output = engage()
        .arg("run")
        .arg(pipeline)
        .arg("--engine")
        .arg("spark")
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (output.status.code(), err)
}

#[test]
fn a_missing_spark_submit_names_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = tiny_with_submit(dir.path(), &["engage-test-no-such-spark-submit"]);
    let (code, err) = engine_spark(&pipeline, &dir.path().join("out"));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("`engage-test-no-such-spark-submit` was not found"),
        "{err}"
    );
    assert!(err.contains("[spark] submit"), "{err}");
    assert!(err.contains("pip install pyspark"), "{err}");
    assert!(!dir.path().join("out/report.html").exists());
}

#[test]
fn a_failing_job_is_named_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    // A stand-in for spark-submit that fails as Spark does when the store cannot be read.
    let fake = dir.path().join("fake-submit");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'INFO starting'\necho 'pyspark.errors.exceptions.captured.AnalysisException: [PATH_NOT_FOUND] Path does not exist' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let pipeline = tiny_with_submit(dir.path(), &[fake.to_str().unwrap()]);
    let (code, err) = engine_spark(&pipeline, &dir.path().join("out"));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("the Spark job failed (exit code 3)"), "{err}");
    assert!(err.contains("PATH_NOT_FOUND"), "{err}");
    let log = dir.path().join("out/.spark/spark.log");
    assert!(err.contains(&log.display().to_string()), "{err}");
    assert!(common::read(&log).contains("INFO starting"));
    // The job it was given is there to read and run by hand.
    assert!(common::read(dir.path().join("out/.spark/engage_job.py")).contains("spark.sql"));
}

#[test]
fn aggregates_that_are_not_a_finished_job_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = tiny_with_submit(dir.path(), &["spark-submit"]);
    let run = |aggregates: &Path| {
        let output = engage()
            .arg("run")
            .arg(&pipeline)
            .arg("--out")
            .arg(dir.path().join("out"))
            .arg("--aggregates")
            .arg(aggregates)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let err = run(&dir.path().join("nowhere"));
    assert!(err.contains("no such folder"), "{err}");
    std::fs::create_dir_all(dir.path().join("half/ties")).unwrap();
    let err = run(&dir.path().join("half"));
    assert!(err.contains("holds no finished table about"), "{err}");
    assert!(err.contains("writes `about` last"), "{err}");
    // A job still writing (or killed while writing) has marked `about` unfinished.
    std::fs::create_dir_all(dir.path().join("half/about")).unwrap();
    let mut about = polars::prelude::df!("settings" => ["unfinished"], "format" => [1i32]).unwrap();
    let file = std::fs::File::create(dir.path().join("half/about/part-00000.parquet")).unwrap();
    polars::prelude::ParquetWriter::new(file)
        .finish(&mut about)
        .unwrap();
    std::fs::write(dir.path().join("half/about/_SUCCESS"), "").unwrap();
    let err = run(&dir.path().join("half"));
    assert!(err.contains("holds no finished table about"), "{err}");
}

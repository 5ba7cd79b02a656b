//! Random input for every parser: whatever the bytes, a parser answers with events, rejects or
//! an error message, never panics, and accounts for every record it read. The default test run
//! tries 48 cases per parser; `ENGAGE_FUZZ_SECONDS=600 cargo test --test it
//! fuzz_parsers:: -- --test-threads 2` runs each target for ten minutes instead, with fresh
//! random seeds, and prints how many cases it tried.

use std::fmt::Debug;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common;

use engage::ingest::archive::{Archive, Limits};
use engage::ingest::{identities, kpis, profile, read, roster, stackexchange, surveys};
use engage::plan::{InputPath, Plan, SourceKind, SourcePlan};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseResult, TestRunner};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Runs `test` on values of `strategy`: 48 cases, or, with `ENGAGE_FUZZ_SECONDS` set, rounds of
/// 64 cases with fresh random seeds until that many seconds have passed. A failure (a panic
/// included) is shrunk and reported with its smallest input.
fn fuzz<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> TestCaseResult)
where
    S: Strategy,
    S::Value: Debug,
{
    let seconds = std::env::var("ENGAGE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let Some(seconds) = seconds else {
        if let Err(e) = TestRunner::new(config(48)).run(&strategy, &test) {
            panic!("{name}: {e}");
        }
        return;
    };
    // A parser that aborts the process (a panic that cannot unwind) leaves no shrunk case:
    // with ENGAGE_FUZZ_LAST=<folder>, each case is written there first, so the last one stays.
    let last = std::env::var_os("ENGAGE_FUZZ_LAST")
        .map(|dir| std::path::PathBuf::from(dir).join(format!("{name}.last")));
    let recorded = |value: S::Value| {
        if let Some(path) = &last {
            let _ = std::fs::write(path, format!("{value:#?}"));
        }
        test(value)
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut cases = 0u64;
    while Instant::now() < deadline {
        if let Err(e) = TestRunner::new(config(64)).run(&strategy, recorded) {
            panic!("{name} after {cases} cases: {e}");
        }
        cases += 64;
    }
    eprintln!("fuzz {name}: {cases} cases in {seconds} s, no failure");
}

/// Every record read is accepted, excluded or rejected.
fn reconciles(batch: &engage::ingest::Batch, accepted: u64) -> TestCaseResult {
    prop_assert_eq!(
        batch.rows_read,
        accepted + batch.excluded_total() + batch.rejects.len() as u64
    );
    Ok(())
}

/// A Slack export whose one day file holds `day`.
fn slack_with(day: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.json"),
        r#"[{"id":"U1","profile":{"email":"a@b.c"}}]"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("channels.json"),
        r#"[{"id":"C1","name":"general"}]"#,
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("general")).unwrap();
    std::fs::write(dir.path().join("general/2025-01-01.json"), day).unwrap();
    dir
}

/// JSON values built from the words a Slack message uses, so the fuzzer reaches deep code.
fn slackish() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        "[0-9.]{0,20}".prop_map(serde_json::Value::String),
        "(U1|B1|USLACKBOT|bot_message|channel_join|file_comment|thread_broadcast|)"
            .prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                "(type|subtype|ts|user|bot_id|thread_ts|parent_user_id|reactions|users|name|comment|file|id)",
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bytes that look like CSV: separators, quotes, line ends of every kind, non-UTF-8 bytes and
/// plain text, so the layout sniffing and the structural scan meet what exports hold.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xE9".to_vec()),
        Just(b"2025-01-0".to_vec()),
        Just(b"T09:00:00Z".to_vec()),
        Just(b"post".to_vec()),
        "[a-z0-9 ]{0,6}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

#[test]
fn slack_never_panics() {
    let input = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        prop::collection::vec(slackish(), 0..8)
            .prop_map(|m| serde_json::to_string(&m).unwrap().into_bytes()),
    ];
    fuzz("slack", input, |day| {
        let dir = slack_with(&day);
        let batch = common::read_export(SourceKind::Slack, dir.path(), "s", false)
            .unwrap()
            .batch;
        reconciles(&batch, batch.events.height() as u64)
    });
}

#[test]
fn stackexchange_never_panics() {
    let rows = prop::collection::vec(
        (
            "[0-9-]{0,4}",
            "[0-9]{0,2}",
            "[0-9]{0,3}",
            "(2024-01-0[1-9]T00:00:00\\.000|x|)",
        ),
        0..12,
    )
    .prop_map(|rows| {
        let mut xml = String::from("<posts>");
        for (id, kind, owner, at) in rows {
            xml.push_str(&format!("<row Id=\"{id}\" PostTypeId=\"{kind}\" ParentId=\"{owner}\" OwnerUserId=\"{owner}\" CreationDate=\"{at}\" />"));
        }
        xml.push_str("</posts>");
        xml.into_bytes()
    });
    let input = prop_oneof![prop::collection::vec(any::<u8>(), 0..400), rows];
    fuzz("stackexchange", input, |posts| {
        let _ = stackexchange::count_rows(&posts);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Posts.xml"), &posts).unwrap();
        let votes = String::from_utf8_lossy(&posts)
            .replace("posts>", "votes>")
            .replace("PostTypeId", "VoteTypeId")
            .replace("ParentId", "PostId");
        std::fs::write(dir.path().join("Votes.xml"), votes).unwrap();
        if let Ok(read) = common::read_export(SourceKind::Stackexchange, dir.path(), "se", false) {
            let batch = read.batch;
            reconciles(&batch, batch.events.height() as u64)?;
        }
        Ok(())
    });
}

#[test]
fn events_files_never_panic() {
    let input = (
        any::<bool>(),
        csvish(),
        prop::collection::vec(slackish(), 0..6),
    );
    fuzz("events", input, |(ndjson, body, objects)| {
        let dir = tempfile::tempdir().unwrap();
        let (file, bytes) = if ndjson {
            let mut lines: Vec<u8> = objects
                .iter()
                .flat_map(|o| (o.to_string() + "\n").into_bytes())
                .collect();
            lines.extend(&body);
            ("events.ndjson", lines)
        } else {
            let mut bytes = b"event_id,occurred_at,actor,action\n".to_vec();
            bytes.extend(&body);
            ("events.csv", bytes)
        };
        std::fs::write(dir.path().join(file), &bytes).unwrap();
        let toml = format!("[pipeline]\nname = \"f\"\n\n[[source]]\nkind = \"events\"\npath = \"{file}\"\ntimezone = \"Europe/Amsterdam\"\n");
        let plan = Plan::parse(&dir.path().join("p.toml"), &toml, String::new()).unwrap();
        if let Ok(read) = common::read_source(plan.inputs.sources[0].clone(), false) {
            let batch = read.batch;
            reconciles(&batch, batch.events.height() as u64)?;
        }
        Ok(())
    });
}

#[test]
fn zip_archives_never_panic() {
    fuzz("zip", prop::collection::vec(any::<u8>(), 0..400), |bytes| {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &bytes).unwrap();
        if let Ok(mut a) = Archive::open(Path::new(file.path()), Limits::default()) {
            for name in a.names().to_vec() {
                let _ = a.read(&name);
            }
        }
        Ok(())
    });
}

#[test]
fn teams_files_never_panic() {
    let input = (
        prop::collection::vec(any::<u8>(), 0..400),
        prop::collection::vec(slackish(), 0..6),
    );
    fuzz("teams", input, |(bytes, messages)| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), &bytes).unwrap();
        std::fs::write(
            dir.path().join("b.json"),
            serde_json::json!({ "value": messages }).to_string(),
        )
        .unwrap();
        let batch = common::read_export(SourceKind::Teams, dir.path(), "t", false)
            .unwrap()
            .batch;
        reconciles(&batch, batch.events.height() as u64)
    });
}

#[test]
fn yammer_csv_never_panics() {
    fuzz("yammer", csvish(), |body| {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes =
            b"id,thread_id,replied_to_id,sender_id,sender_type,created_at,deleted_at\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("Messages.csv"), &bytes).unwrap();
        let source = SourcePlan {
            timezone: chrono_tz::Europe::Amsterdam,
            ..SourcePlan::at(SourceKind::Yammer, dir.path(), "y")
        };
        if let Ok(read) = common::read_source(source, false) {
            let batch = read.batch;
            reconciles(&batch, batch.events.height() as u64)?;
        }
        Ok(())
    });
}

#[test]
fn discourse_csv_never_panics() {
    fuzz("discourse", csvish(), |body| {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"id,user_id,topic_id,post_number,created_at,post_type\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("posts.csv"), &bytes).unwrap();
        std::fs::write(
            dir.path().join("user_visits.csv"),
            [b"user_id,visited_at\n".as_slice(), &body].concat(),
        )
        .unwrap();
        if let Ok(read) = common::read_export(SourceKind::Discourse, dir.path(), "d", false) {
            let batch = read.batch;
            reconciles(&batch, batch.events.height() as u64)?;
        }
        Ok(())
    });
}

#[test]
fn usage_reports_never_panic() {
    fuzz("m365", csvish(), |body| {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"Report Refresh Date,User Principal Name,Posted Count,Read Count,Liked Count,Report Period\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("report.csv"), &bytes).unwrap();
        if let Ok(read) = common::read_export(SourceKind::M365Usage, dir.path(), "m", false) {
            let (batch, usage) = (read.batch, read.usage.unwrap());
            reconciles(&batch, usage.height() as u64)?;
        }
        Ok(())
    });
}

/// The small CSV tables (roster, surveys, the profile survey, team KPIs, identity map) and the
/// CSV layer under them: sniffing, the structural scan, and the reader that names a flaw's
/// line. The profile survey's every row is an answer or a reject.
#[test]
fn hr_tables_never_panic() {
    let headers = prop_oneof![
        Just("person_id,email,department,hire_date,exit_date,exit_kind,role\n"),
        Just("person_id,answered_at,measure,score\n"),
        Just("team,period,measure,score,respondents\n"),
        Just("team,period,value\n"),
        Just("source,account,person_id\n"),
        Just("person_id,answered_at,reads,reacts,comments,posts,shares,moderates,wants_to_contribute,extra\n"),
    ];
    fuzz("hr-tables", (headers, csvish()), |(header, body)| {
        let bytes = [header.as_bytes(), &body].concat();
        let layout = read::sniff(&bytes);
        for depth in [read::Depth::Quotes, read::Depth::Full] {
            let _ = read::scan(bytes.as_slice(), layout, depth);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, &bytes).unwrap();
        let input = InputPath {
            path,
            given: "t.csv".into(),
        };
        let _ = roster::read(&input);
        let _ = surveys::read(&input, 5);
        let _ = kpis::read(&input);
        let _ = identities::read(&input);
        if let Ok(read) = profile::read(&input) {
            let kept = read.answers.height() + read.rejects.len();
            prop_assert_eq!(kept as u64, read.file.rows_read);
        }
        Ok(())
    });
}

/// TOML-like text built from the pipeline file's own keys and values, rung conditions among
/// them: parsing and compiling answer with a plan or a message, never a panic.
#[test]
fn pipeline_files_never_panic() {
    let line = prop_oneof![
        Just("[pipeline]".to_string()),
        Just("[[source]]".to_string()),
        Just("[ladder]".to_string()),
        Just("[[ladder.rung]]".to_string()),
        Just("[[target]]".to_string()),
        "(name|kind|path|period|timezone|when|metric|baseline|by|output|breakdowns|preset|min_group_size|max_reject_share) = \"[a-z0-9 ./<>=_+*()-]{0,16}\"".prop_map(String::from),
        "when = \"(posts|replies|views|active_days|nope) (-|\\+|\\*|/) [0-9]{1,3} (<|>=|=) -?[0-9]{1,3}\"".prop_map(String::from),
        "target = -?[0-9.]{1,4}".prop_map(String::from),
        "[ -~]{0,20}".prop_map(String::from),
    ];
    let lines = prop::collection::vec(line, 0..16);
    fuzz("pipeline", lines, |lines| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("events.csv"),
            "event_id,occurred_at,actor,action\n",
        )
        .unwrap();
        let text = format!(
            "[pipeline]\nname = \"f\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\n{}\n",
            lines.join("\n")
        );
        let path = dir.path().join("p.toml");
        if let Ok(plan) = Plan::parse(&path, &text, String::new()) {
            let _ = engage::metrics::ladder::compile(&plan.ladder, &path);
        }
        Ok(())
    });
}

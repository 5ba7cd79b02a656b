//! Conformance on real public exports in ../shared/real-data (see its SOURCES.md). These files
//! are never copied into the project; CI has them beside the clone. Expected counts were
//! derived by reading the files independently (a short Python script over the raw JSON and
//! XML, applying the mapping documented in README.md), and are written here.

use crate::common;

use common::excluded_of as excluded;
use common::real;

use std::collections::BTreeMap;
use std::path::Path;

use engage::ingest::archive::{Archive, Limits};
use engage::ingest::Batch;
use engage::plan::SourceKind;
use polars::prelude::*;

fn actions(batch: &Batch) -> BTreeMap<String, u64> {
    let counts = batch
        .events
        .clone()
        .lazy()
        .group_by([col("action")])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .collect()
        .unwrap();
    let a = counts.column("action").unwrap().str().unwrap().clone();
    let n = counts.column("n").unwrap().u64().unwrap().clone();
    a.iter()
        .zip(n.iter())
        .map(|(a, n)| (a.unwrap().to_string(), n.unwrap()))
        .collect()
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

// 158 messages: 94 bot_message (no user), 49 plain, 8 channel_join, 3 bot_add, 3 file_share,
// 1 file_comment; one message (a bot's) carries one reaction by one user: 159 records.
#[test]
fn real_data_slack_archive_accounts_for_all_158_messages() {
    let Some(path) = real("slack/testarchive.zip") else {
        return;
    };
    let read = common::read_export(SourceKind::Slack, &path, "slack", false).unwrap();
    let (batch, accounts) = (read.batch, read.accounts);
    assert_eq!(batch.rows_read, 158 + 1);
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    assert_eq!(
        actions(&batch),
        map(&[("join", 8), ("post", 52), ("reaction", 1), ("reply", 1)])
    );
    assert_eq!(
        excluded(&batch),
        vec![("bot message", 94), ("bot_add (system message)", 3)]
    );
    assert_eq!(
        batch.rows_read,
        batch.events.height() as u64 + batch.excluded_total()
    );
    assert_eq!(accounts.height(), 4);

    // Times come from ts: the first message of enrique/2016-01-14.json (a file named in Los
    // Angeles time) has ts 1452837318.000002, which is 2016-01-15T05:55:18Z.
    let first = batch
        .events
        .clone()
        .lazy()
        .filter(col("event_id").eq(lit("enrique/1452837318.000002")))
        .select([
            col("occurred_at").cast(DataType::Int64),
            col("action"),
            col("actor"),
        ])
        .collect()
        .unwrap();
    assert_eq!(
        first.column("occurred_at").unwrap().i64().unwrap().get(0),
        Some(1_452_837_318_000_002)
    );
    assert_eq!(
        first.column("action").unwrap().str().unwrap().get(0),
        Some("join")
    );
    assert_eq!(
        first.column("actor").unwrap().str().unwrap().get(0),
        Some("U0BMQB6JE")
    );

    // The one reaction: U0BMYT2FL's "botman" on a bot's commit message, dated at that message.
    let reaction = batch
        .events
        .clone()
        .lazy()
        .filter(col("action").eq(lit("reaction")))
        .select([col("actor"), col("target_actor")])
        .collect()
        .unwrap();
    assert_eq!(
        reaction.column("actor").unwrap().str().unwrap().get(0),
        Some("U0BMYT2FL")
    );
    assert_eq!(
        reaction
            .column("target_actor")
            .unwrap()
            .str()
            .unwrap()
            .get(0),
        None
    );
}

fn dump(name: &str) -> Option<Batch> {
    let path = real(name)?;
    Some(
        common::read_export(SourceKind::Stackexchange, &path, "se", false)
            .unwrap()
            .batch,
    )
}

// conlang.meta: Posts 177 + Comments 230 + Votes 1,119 + Users 272 + PostHistory 450 = 2,248.
#[test]
fn real_data_stackexchange_conlang_reconciles() {
    let Some(batch) = dump("stackexchange-conlang.meta") else {
        return;
    };
    assert_eq!(batch.rows_read, 2248);
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    assert_eq!(batch.events.height(), 1811);
    assert_eq!(
        excluded(&batch),
        vec![
            ("edit of own post", 72),
            ("initial revision", 274),
            ("system account", 64),
            ("vote on a deleted post", 27),
        ]
    );
    assert_eq!(
        actions(&batch),
        map(&[
            ("curate", 67),
            ("join", 271),
            ("post", 53),
            ("reaction", 1065),
            ("reply", 345),
            ("share", 10)
        ])
    );
}

// bicycles.meta: Posts 1,446 + Comments 2,448 + Votes 5,671 + Users 2,551 + PostHistory 3,994
// = 16,110.
#[test]
fn real_data_stackexchange_bicycles_reconciles() {
    let Some(batch) = dump("stackexchange-bicycles.meta") else {
        return;
    };
    assert_eq!(batch.rows_read, 16110);
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    assert_eq!(batch.events.height(), 12322);
    assert_eq!(
        excluded(&batch),
        vec![
            ("edit of own post", 449),
            ("history type 25", 91),
            ("history type 52", 20),
            ("initial revision", 2321),
            ("system account", 744),
            ("vote on a deleted post", 163),
        ]
    );
    assert_eq!(
        actions(&batch),
        map(&[
            ("curate", 602),
            ("join", 2550),
            ("post", 450),
            ("reaction", 5301),
            ("reply", 3419)
        ])
    );
    // 41 posts have no OwnerUserId: they stay, with no actor.
    let orphans = batch
        .events
        .clone()
        .lazy()
        .filter(
            col("event_id")
                .str()
                .starts_with(lit("post/"))
                .and(col("actor").is_null()),
        )
        .collect()
        .unwrap()
        .height();
    assert_eq!(orphans, 41);
}

// The real Slack export's reactions never come before their account's own first message or
// join (issue #31: Slack keeps no reaction time, and a newcomer can react to an old message),
// and the same export without users.json reads from its messages: the same 52 posts, 1 reply,
// 8 joins and 1 reaction (U0BMYT2FL joined before the message it reacts to, so the reaction
// stays), no user list, and a note on what is missing.
#[test]
fn real_data_slack_reactions_never_precede_their_account_and_users_json_is_optional() {
    let Some(path) = real("slack/testarchive.zip") else {
        return;
    };
    let batch = common::read_export(SourceKind::Slack, &path, "slack", false)
        .unwrap()
        .batch;
    let early = batch
        .events
        .clone()
        .lazy()
        .with_column(
            col("occurred_at")
                .filter(col("action").neq(lit("reaction")))
                .min()
                .over([col("actor")])
                .unwrap()
                .alias("first_own"),
        )
        .filter(
            col("action").eq(lit("reaction")).and(
                col("first_own")
                    .is_null()
                    .or(col("occurred_at").lt(col("first_own"))),
            ),
        )
        .collect()
        .unwrap();
    assert_eq!(early.height(), 0, "{early}");

    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::open(&path, Limits::default()).unwrap();
    for name in archive.names().to_vec() {
        if name.ends_with('/') || name.ends_with("users.json") {
            continue;
        }
        let out = dir.path().join(&name);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        std::fs::write(out, archive.read(&name).unwrap()).unwrap();
    }
    let read = common::read_export(SourceKind::Slack, dir.path(), "slack", false).unwrap();
    assert_eq!(
        actions(&read.batch),
        map(&[("join", 8), ("post", 52), ("reaction", 1), ("reply", 1)])
    );
    assert_eq!(read.accounts.height(), 0);
    assert!(read
        .batch
        .notes
        .iter()
        .any(|n| n.say == engage::vocabulary::notes::Say::SlackNoUsers));
}

/// Runs the binary on one real export and returns everything it wrote, and its stderr.
fn run_on(kind: &str, path: &Path) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"real\"\noutput = \"out\"\nmax_reject_share = 1.0\n\n[[source]]\nkind = \"{kind}\"\npath = \"{}\"\n",
            path.display()
        ),
    )
    .unwrap();
    let output = assert_cmd::Command::cargo_bin("engage")
        .unwrap()
        .env("ENGAGE_PSEUDONYM_KEY", "real-data-key-0123456789")
        .arg("run")
        .arg(&pipeline)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{err}");
    let outputs = common::all_output_text(&dir.path().join("out"))
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    (outputs, err)
}

/// String values of `key` anywhere in a JSON value.
fn strings_of(value: &serde_json::Value, key: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) if k == key => out.push(s.clone()),
                    other => strings_of(other, key, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_of(v, key, out)),
        _ => {}
    }
}

// Privacy on real exports (docs/privacy.md): the Slack archive's message texts and people's real
// names, and the Stack Exchange dump's titles, appear in no output and no log line. Texts of
// 20 characters or more are checked, so a short word that is also a label cannot match.
#[test]
fn real_data_outputs_hold_no_message_text_or_names() {
    let Some(zip) = real("slack/testarchive.zip") else {
        return;
    };
    let mut archive = Archive::open(&zip, Limits::default()).unwrap();
    let mut secrets = Vec::new();
    for name in archive.names().to_vec() {
        if name.ends_with(".json") {
            let value: serde_json::Value =
                serde_json::from_slice(&archive.read(&name).unwrap()).unwrap();
            strings_of(&value, "text", &mut secrets);
            strings_of(&value, "real_name", &mut secrets);
        }
    }
    secrets.retain(|s| s.chars().count() >= 20);
    assert!(secrets.len() > 30, "{} texts", secrets.len());
    let (outputs, log) = run_on("slack", &zip);
    assert!(
        outputs.len() > 100_000,
        "the run wrote {} bytes",
        outputs.len()
    );
    for s in &secrets {
        assert!(!outputs.contains(s.as_str()), "an output holds {s:?}");
        assert!(!log.contains(s.as_str()), "the log holds {s:?}");
    }

    let Some(dump) = real("stackexchange-conlang.meta") else {
        return;
    };
    let posts = std::fs::read_to_string(dump.join("Posts.xml")).unwrap();
    let titles: Vec<&str> = posts
        .split("Title=\"")
        .skip(1)
        .filter_map(|t| t.split('"').next())
        .filter(|t| t.chars().count() >= 20 && !t.contains('&'))
        .collect();
    assert!(titles.len() > 10, "{} titles", titles.len());
    let (outputs, _) = run_on("stackexchange", &dump);
    for t in titles {
        assert!(!outputs.contains(t), "an output holds the title {t:?}");
    }
}

// Themes on the real Slack export (README "Themes"). The export has four people, so the group size
// is 3. Worked out independently from the raw JSON (a Python reading: code blocks, inline
// code, <…> links and mentions, URLs, addresses and @-mentions removed, words lower-cased,
// file comments credited to the commenter, joins, bots and channel settings left out):
// "file"/"files" is used 5 times by 3 people in 2016-Q1 (1 + 3 + 1), the only term 3 people
// share. The users' names (Harry Potter, Hermione Granger, Hamza Faran; "Hamza" appears 56
// times in the export) never become terms, even with a group size of 1.
#[test]
fn real_data_slack_themes_are_the_terms_three_people_share() {
    let Some(zip) = real("slack/testarchive.zip") else {
        return;
    };
    let themes = |group: u32| {
        let dir = tempfile::tempdir().unwrap();
        let pipeline = dir.path().join("p.toml");
        std::fs::write(
            &pipeline,
            format!(
                "[pipeline]\nname = \"real\"\noutput = \"out\"\nmax_reject_share = 1.0\nperiod = \"quarter\"\nmin_group_size = {group}\n\n[[source]]\nkind = \"slack\"\npath = \"{}\"\n\n[themes]\nenabled = true\n",
                zip.display()
            ),
        )
        .unwrap();
        common::run_ok(&pipeline, &dir.path().join("out"), &[]);
        (
            common::table(dir.path().join("out/tables/themes.csv")),
            common::read(dir.path().join("out/tables/themes_by_space.csv")),
        )
    };
    let (rows, _) = themes(3);
    let found: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["period"].as_str(),
                r["term"].as_str(),
                r["people"].as_str(),
                r["mentions"].as_str(),
            )
        })
        .collect();
    assert_eq!(found, vec![("2016-Q1", "file", "3", "5")]);
    let (all, by_space) = themes(1);
    assert!(all.len() > 10, "{} terms", all.len());
    for r in &all {
        for name in ["harry", "potter", "hermione", "granger", "hamza", "faran"] {
            assert!(!r["term"].split(' ').any(|w| w == name), "{r:?}");
            assert!(!by_space.to_lowercase().contains(name), "{name}");
        }
    }
}

// The real Slack export in a Dutch report: every word a reader sees is in the Dutch word table
// or in the export itself (its channels, the files the notes name, the pseudonyms); the
// adapter's notes on what Slack exports lack are Dutch too. The definitions may name the
// rungs in English.
#[test]
fn real_data_slack_report_in_dutch_is_dutch_or_data() {
    let Some(zip) = real("slack/testarchive.zip") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"real\"\nlanguage = \"nl\"\noutput = \"out\"\nmax_reject_share = 1.0\nperiod = \"quarter\"\nmin_group_size = 1\n\n[[source]]\nkind = \"slack\"\npath = \"{}\"\n",
            zip.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    common::run_ok(&pipeline, &out, &[]);
    let html = common::read(out.join("report.html"));
    let words = common::words::words;
    // The pipeline's name and path, and the export's files that its note lists as unread.
    let mut data = words(&format!("real {} integration_logs.json", zip.display()));
    for row in common::table(out.join("tables/spaces.csv")) {
        data.extend(words(&row["space"]));
    }
    for row in common::table(out.join("tables/ambassadors.csv")) {
        data.extend(words(&row["person"]));
    }
    let (page, _) = common::words::without_definitions(&html);
    let table = engage::render::words::Language::Nl.all_text();
    let foreign = common::words::foreign(&page, &table, &data);
    assert!(
        foreign.is_empty(),
        "words neither Dutch nor data: {foreign:?}"
    );
    assert!(
        page.contains("Slack-exports bevatten geen weergaven"),
        "{page}"
    );
}

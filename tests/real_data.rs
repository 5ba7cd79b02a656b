//! Conformance on real public exports in ../shared/real-data (see its SOURCES.md). These files
//! are never copied into the project; CI has them beside the clone. Expected counts were
//! derived by reading the files independently (a short Python script over the raw JSON and
//! XML, applying the mapping documented in README.md), and are written here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use engage::ingest::archive::{Archive, Limits};
use engage::ingest::{slack, stackexchange, Batch};
use polars::prelude::*;

fn real(path: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/real-data")
        .join(path);
    assert!(
        p.exists(),
        "{} is missing: the real-data conformance tests need ../shared",
        p.display()
    );
    p
}

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

fn excluded(batch: &Batch) -> Vec<(&str, u64)> {
    batch
        .excluded
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect()
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

// 158 messages: 94 bot_message (no user), 49 plain, 8 channel_join, 3 bot_add, 3 file_share,
// 1 file_comment; one message (a bot's) carries one reaction by one user: 159 records.
#[test]
fn real_data_slack_archive_accounts_for_all_158_messages() {
    let mut archive = Archive::open(&real("slack/testarchive.zip"), Limits::default()).unwrap();
    let (batch, accounts) = slack::read(&mut archive, "slack", false).unwrap();
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
    assert_eq!(accounts.len(), 4);

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

fn dump(name: &str) -> Batch {
    let mut archive = Archive::open(&real(name), Limits::default()).unwrap();
    stackexchange::read(&mut archive, "se", false).unwrap().0
}

// conlang.meta: Posts 177 + Comments 230 + Votes 1,119 + Users 272 + PostHistory 450 = 2,248.
#[test]
fn real_data_stackexchange_conlang_reconciles() {
    let batch = dump("stackexchange-conlang.meta");
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
    let batch = dump("stackexchange-bicycles.meta");
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

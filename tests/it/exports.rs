//! Viva Engage and Discourse exports as the products write them (issue #36, formats.md):
//! fixtures written from the products' own layouts, each fact read as the product means it.

use crate::common;

use engage::ingest::{Batch, SourceRead};
use engage::plan::SourceKind;

use common::fixture;

/// Each event as `event_id | actor | action | thread | target | space | microseconds` (the
/// content id, each message's own, left out).
fn rows(batch: &Batch) -> Vec<String> {
    common::event_rows(batch)
        .into_iter()
        .map(|r| {
            let mut parts: Vec<&str> = r.split(" | ").collect();
            parts.remove(3);
            parts.join(" | ")
        })
        .collect()
}

// tests/fixtures/discourse-download, as Discourse names and writes its downloads: two posts
// downloads (Data Explorer's 10,000-row cap splits a forum's posts; post 3 is in both),
// topics, user-visits and the admin user list under their own names, times written
// `2024-01-08 09:15:00 UTC` (1704705300 s). By hand:
// - topic 10: post 1 (Ann), reply 2 (Ben, to Ann), reply 3 by a deleted user (no user_id:
//   kept without an author), post 4 a whisper (post_type 4: excluded);
// - topic 11: post 5 (Ben), reply 6 (Cas, to Ben);
// - topic 12, a private message (no category): post 7 (Cas), reply 8 (Dee, to Cas), no space;
// - topic 13 was deleted: reply 9 in it is excluded;
// - visits: Ann on 2024-01-08 and Ben on 2024-01-09, at noon UTC;
// - users 1-4 join on their created_at; 5 is staged (never signed up): no member.
// Before #36 every post was rejected ("unreadable created_at"), the second posts download,
// the visits and the user list were never read.
#[test]
fn a_discourse_download_under_its_own_names_reads_whole() {
    let SourceRead {
        batch, accounts, ..
    } = common::read_export(
        SourceKind::Discourse,
        &fixture("discourse-download"),
        "forum",
        false,
    )
    .unwrap();
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    assert_eq!(batch.rows_read, 4 + 6 + 2 + 5);
    assert_eq!(
        batch.rows_read,
        batch.events.height() as u64 + batch.excluded_total()
    );
    // 2024-01-08 09:15 UTC = 1704705300 s; visits at noon UTC.
    assert_eq!(
        rows(&batch),
        vec![
            "post/1 | 1 | post | topic/10 | - | category/5 | 1704705300000000",
            "post/2 | 2 | reply | topic/10 | 1 | category/5 | 1704708000000000",
            "post/3 | - | reply | topic/10 | 1 | category/5 | 1704798000000000",
            "post/3 | - | reply | topic/10 | 1 | category/5 | 1704798000000000",
            "post/5 | 2 | post | topic/11 | - | category/5 | 1704877200000000",
            "post/6 | 3 | reply | topic/11 | 2 | category/5 | 1704880800000000",
            "post/7 | 3 | post | topic/12 | - | - | 1704963600000000",
            "post/8 | 4 | reply | topic/12 | 3 | - | 1704967200000000",
            "visit/1/2024-01-08 | 1 | visit | - | - | - | 1704715200000000",
            "visit/2/2024-01-09 | 2 | visit | - | - | - | 1704801600000000",
            "user/1 | 1 | join | - | - | - | 1682935200000000",
            "user/2 | 2 | join | - | - | - | 1685613600000000",
            "user/3 | 3 | join | - | - | - | 1688205600000000",
            "user/4 | 4 | join | - | - | - | 1690884000000000",
        ]
    );
    assert_eq!(
        common::excluded_of(&batch),
        vec![
            ("account that never signed up", 1),
            ("post in a deleted topic", 1),
            ("whisper (post_type 4, staff only)", 1),
        ]
    );
    assert_eq!(accounts.height(), 4);
}

// tests/fixtures/yammer-written, as the network data export writes it: every field quoted, a
// UTF-8 BOM, bodies spanning lines (LF and CRLF inside quotes), times `… UTC`, and
// MessageVersions.csv beside it. By hand:
// - 200 Ann's post in Sales (2024-03-04 09:00 UTC = 1709542800 s), 201 Ben's reply to it
//   (10:30); 202 a reply to 201 by a user since deleted: kept without an author, to Ben;
// - 300/301 a private conversation of Ann and Ben (`in_private_conversation` TRUE/true): no
//   space, never "All Company";
// - 400 a `message_type` system notice: excluded;
// - Users: Ann and Ben join (2023-01-02 and 2023-02-03 08:00 UTC); Cas has no joined_at:
//   pending, excluded, and no member (not in the population).
// Before #36: Cas counted in every period, 300/301 were filed under all-company, 400 was a
// post and 202 was rejected.
#[test]
fn a_viva_engage_export_as_written_reads_as_meant() {
    let SourceRead {
        batch, accounts, ..
    } = common::read_export(
        SourceKind::Yammer,
        &fixture("yammer-written"),
        "engage",
        false,
    )
    .unwrap();
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    assert_eq!(batch.rows_read, 6 + 3);
    assert_eq!(
        rows(&batch),
        vec![
            // The users are read first: the messages are handed on with their accounts.
            "user/21 | 21 | join | - | - | - | 1672646400000000",
            "user/22 | 22 | join | - | - | - | 1675411200000000",
            "message/200 | 21 | post | message/200 | - | group/7 | 1709542800000000",
            "message/201 | 22 | reply | message/200 | 21 | group/7 | 1709548200000000",
            "message/300 | 21 | post | message/300 | - | - | 1709640000000000",
            "message/301 | 22 | reply | message/300 | 21 | - | 1709640300000000",
            "message/202 | - | reply | message/200 | 22 | group/7 | 1709715600000000",
        ]
    );
    assert_eq!(
        common::excluded_of(&batch),
        vec![
            ("pending user (no joined_at)", 1),
            ("system notice (message_type system)", 1),
        ]
    );
    assert_eq!(accounts.height(), 2);
    let notes: Vec<String> = batch
        .notes
        .iter()
        .map(|n| engage::vocabulary::Language::En.note(n))
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("MessageVersions.csv are not read")),
        "{notes:?}"
    );
}

// What `run` refuses, `validate` refuses: an events file whose every row is rejected (no
// readable time) leaves no events. Before #36, validate said "is valid".
#[test]
fn validate_refuses_what_run_refuses_when_no_events_are_left() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("events.csv"),
        "event_id,source,occurred_at,actor,action\ne1,x,yesterday,a,post\ne2,x,soon,b,reply\n",
    )
    .unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "[pipeline]\nname = \"empty\"\noutput = \"out\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\n",
    )
    .unwrap();
    let run = |verb: &str| {
        let output = common::engage().arg(verb).arg(&pipeline).output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, err) = run("run");
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains("no events are left"), "{err}");
    let (code, err) = run("validate");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("a run would find no events")
            && err.contains("events.csv: 2 rows read, 2 rejected, 0 excluded"),
        "{err}"
    );
}

// 8. A Messages.csv is read a chunk of records at a time (`read::for_each_chunk`), from a
// folder or straight out of a zip. Chunks of 40 bytes (about one record each, a body spanning
// two lines cut nowhere but at a record's end) against one chunk for the whole file: the same
// tables and the same rejects, the bad row (the file's seventh record, on line 10: the first
// two bodies span two lines) named as record 7 either way.
#[test]
fn a_viva_engage_export_read_in_chunks_reads_as_whole() {
    let dir = common::copy_fixture("yammer-written");
    let messages = dir.path().join("Messages.csv");
    let mut text = common::read(&messages);
    text.push_str("\"203\",\"200\",\"\",\"200\",\"\",\"7\",\"Sales\",\"\",\"false\",\"false\",\"21\",\"user\",\"Ann A\",\"\",\"Late\",\"\",\"\",\"\",\"\",\"yesterday\",\"\",\"update\"\n");
    std::fs::write(&messages, text).unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "[pipeline]\nname = \"chunks\"\noutput = \"out\"\nmin_group_size = 1\n\n[[source]]\nkind = \"yammer\"\npath = \".\"\nname = \"engage\"\n",
    )
    .unwrap();
    // The same export zipped, as Viva Engage delivers it.
    let zipped = dir.path().join("export.zip");
    {
        use std::io::Write;
        let mut w = ::zip::ZipWriter::new(std::fs::File::create(&zipped).unwrap());
        for name in ["Users.csv", "Messages.csv"] {
            w.start_file(name, ::zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&std::fs::read(dir.path().join(name)).unwrap())
                .unwrap();
        }
        w.finish().unwrap();
    }
    let zip_pipeline = dir.path().join("z.toml");
    std::fs::write(
        &zip_pipeline,
        common::read(&pipeline).replace("path = \".\"", "path = \"export.zip\""),
    )
    .unwrap();
    let run = |pipeline: &std::path::Path, chunk: Option<&str>| {
        let out = tempfile::tempdir().unwrap();
        let mut cmd = common::engage();
        cmd.args(["run", "--as-of", "2024-03-31"])
            .arg(pipeline)
            .arg("--out")
            .arg(out.path());
        if let Some(bytes) = chunk {
            cmd.env("ENGAGE_CHUNK_BYTES", bytes);
        }
        let output = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{err}");
        common::files(out.path())
            .into_iter()
            .filter(|(name, _)| name.starts_with("tables/") || name.starts_with("rejects/"))
            .collect::<Vec<_>>()
    };
    let whole = run(&pipeline, None);
    assert_eq!(whole, run(&pipeline, Some("40")));
    assert_eq!(whole, run(&zip_pipeline, Some("40")));
    let rejects: Vec<&(String, Vec<u8>)> = whole
        .iter()
        .filter(|(n, _)| n.starts_with("rejects/"))
        .collect();
    assert_eq!(
        rejects.len(),
        1,
        "{:?}",
        whole.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let text = String::from_utf8_lossy(&rejects[0].1);
    assert!(
        text.contains("Messages.csv,record 7,yesterday,unreadable created_at"),
        "{text}"
    );
}

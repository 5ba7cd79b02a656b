//! Random input for every parser, for a bounded number of cases: whatever the bytes, a parser
//! answers with events, rejects or an error message, and never panics.

use std::path::Path;

use engage::config::Plan;
use engage::ingest::archive::{Archive, Limits};
use engage::ingest::{discourse, events, m365, slack, stackexchange, teams, yammer};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
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

proptest! {
    #![proptest_config(config())]

    #[test]
    fn slack_day_files_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = slack_with(&bytes);
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        let (batch, _) = slack::read(&mut a, "s", false).unwrap();
        prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
    }

    #[test]
    fn slack_messages_never_panic(messages in prop::collection::vec(slackish(), 0..8)) {
        let dir = slack_with(serde_json::to_string(&messages).unwrap().as_bytes());
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        let (batch, _) = slack::read(&mut a, "s", false).unwrap();
        prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
    }

    #[test]
    fn stackexchange_xml_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = stackexchange::count_rows(&bytes);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Posts.xml"), &bytes).unwrap();
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        if let Ok((batch, _)) = stackexchange::read(&mut a, "se", false) {
            prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
        }
    }

    #[test]
    fn stackexchange_rows_never_panic(rows in prop::collection::vec(("[0-9-]{0,4}", "[0-9]{0,2}", "[0-9]{0,3}", "(2024-01-0[1-9]T00:00:00\\.000|x|)"), 0..12)) {
        let mut xml = String::from("<posts>");
        for (id, kind, owner, at) in rows {
            xml.push_str(&format!("<row Id=\"{id}\" PostTypeId=\"{kind}\" ParentId=\"{owner}\" OwnerUserId=\"{owner}\" CreationDate=\"{at}\" />"));
        }
        xml.push_str("</posts>");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Posts.xml"), &xml).unwrap();
        std::fs::write(dir.path().join("Votes.xml"), xml.replace("posts>", "votes>").replace("PostTypeId", "VoteTypeId").replace("ParentId", "PostId")).unwrap();
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        let (batch, _) = stackexchange::read(&mut a, "se", false).unwrap();
        prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
    }

    #[test]
    fn events_csv_never_panics(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"event_id,occurred_at,actor,action\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("events.csv"), &bytes).unwrap();
        let toml = "[pipeline]\nname = \"f\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\n";
        let plan = Plan::parse(&dir.path().join("p.toml"), toml, String::new()).unwrap();
        if let Ok(batch) = events::read(&plan.sources[0]) {
            prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.rejects.len() as u64);
        }
    }

    #[test]
    fn zip_archives_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &bytes).unwrap();
        let _ = Archive::open(Path::new(file.path()), Limits::default());
    }

    #[test]
    fn teams_files_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), messages in prop::collection::vec(slackish(), 0..6)) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), &bytes).unwrap();
        std::fs::write(dir.path().join("b.json"), serde_json::json!({"value": messages}).to_string()).unwrap();
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        let batch = teams::read(&mut a, "t", false).unwrap();
        prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
    }

    #[test]
    fn yammer_csv_never_panics(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"id,thread_id,replied_to_id,sender_id,sender_type,created_at,deleted_at\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("Messages.csv"), &bytes).unwrap();
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        if let Ok((batch, _)) = yammer::read(&mut a, "y", chrono_tz::UTC, false) {
            prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
        }
    }

    #[test]
    fn discourse_csv_never_panics(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"id,user_id,topic_id,post_number,created_at,post_type\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("posts.csv"), &bytes).unwrap();
        std::fs::write(dir.path().join("user_visits.csv"), [b"user_id,visited_at\n".as_slice(), &body].concat()).unwrap();
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        if let Ok((batch, _)) = discourse::read(&mut a, "d", chrono_tz::UTC, false) {
            prop_assert_eq!(batch.rows_read, batch.events.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
        }
    }

    #[test]
    fn usage_reports_never_panic(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"Report Refresh Date,User Principal Name,Posted Count,Read Count,Liked Count,Report Period\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("report.csv"), &bytes).unwrap();
        let mut a = Archive::open(dir.path(), Limits::default()).unwrap();
        if let Ok((batch, usage)) = m365::read(&mut a, "m") {
            prop_assert_eq!(batch.rows_read, usage.height() as u64 + batch.excluded_total() + batch.rejects.len() as u64);
        }
    }
}

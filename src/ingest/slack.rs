//! The `slack` source kind: a Slack workspace export, as zip or folder (formats notes:
//! `users.json`, `channels.json`, one folder per channel of day files; a partial export may
//! lack the lists or split channel folders by month). Thread parents and plain messages
//! become posts, thread replies replies, each reacting user a reaction (dated so it never
//! comes before the account's own first message or join) and `channel_join` a join. Bots are
//! excluded and counted. Times come from `ts`, never from the day file's name, which follows
//! the exporter's local time zone.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::archive::Archive;
use super::batch::{Batch, Collector, Row};
use super::batch::{Reading, SourceRead};
use crate::error::{Error, Result};
use crate::plan::SourcePlan;
use crate::vocabulary::notes::{Note, Say};
use crate::vocabulary::Action;

/// An account in `users.json`, for identity resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub email: Option<String>,
    pub bot: bool,
    pub deleted: bool,
    /// The names it shows (user name, real and display name), kept out of themes' terms.
    pub names: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct User {
    id: String,
    #[serde(default)]
    deleted: bool,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    is_app_user: bool,
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    name: Option<String>,
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    real_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Profile {
    #[serde(default)]
    email: Option<String>,
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    real_name: Option<String>,
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    subtype: Option<String>,
    #[serde(default)]
    ts: Option<Value>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    bot_id: Option<Value>,
    #[serde(default)]
    thread_ts: Option<Value>,
    #[serde(default)]
    parent_user_id: Option<String>,
    #[serde(default)]
    reactions: Vec<Reaction>,
    #[serde(default)]
    comment: Option<FileComment>,
    #[serde(default)]
    file: Option<FileRef>,
    /// Read only to be cut into terms when themes are on, then dropped.
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Reaction {
    #[serde(default)]
    name: String,
    #[serde(default)]
    users: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct FileComment {
    #[serde(default)]
    user: Option<String>,
}

#[derive(Debug, Deserialize)]
struct FileRef {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

/// Subtypes that are moderation of a channel: pins and channel settings.
const CURATION: [&str; 5] = [
    "pinned_item",
    "unpinned_item",
    "channel_topic",
    "channel_purpose",
    "channel_name",
];

/// Subtypes that are not people talking: integrations and system notices.
const SYSTEM: [&str; 9] = [
    // A canvas's preview card in a canvas folder: the canvas, not anyone's words.
    "document_unfurl",
    "bot_add",
    "bot_remove",
    "bot_enable",
    "bot_disable",
    "channel_archive",
    "channel_unarchive",
    "reminder_add",
    "tombstone",
];

/// Converts a Slack `ts` ("1452837318.000002", or a number) to microseconds since the epoch.
pub fn ts_micros(ts: &Value) -> Option<i64> {
    let text = match ts {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (secs, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) || secs.len() > 12 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut micros = String::from(frac);
    micros.truncate(6);
    while micros.len() < 6 {
        micros.push('0');
    }
    Some(secs.parse::<i64>().ok()? * 1_000_000 + micros.parse::<i64>().ok()?)
}

fn ts_text(ts: &Value) -> String {
    match ts {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads the users of an export.
fn accounts(archive: &mut Archive) -> Result<Vec<Account>> {
    let mut out = Vec::new();
    for file in ["users.json", "org_users.json"] {
        if !archive.has(file) {
            continue;
        }
        let bytes = archive.read(file)?;
        let users: Vec<User> = serde_json::from_slice(&bytes).map_err(|e| Error::Usage {
            message: format!(
                "{}: {file} is not a list of Slack users ({e})",
                archive.path().display()
            ),
            help: "give the workspace export as Slack produced it".into(),
        })?;
        out.extend(users.into_iter().map(|u| {
            let mut names: Vec<String> = [u.name, u.real_name].into_iter().flatten().collect();
            if let Some(p) = &u.profile {
                names.extend(
                    [&p.real_name, &p.display_name, &p.first_name, &p.last_name]
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
            }
            Account {
                names,
                email: u
                    .profile
                    .and_then(|p| p.email)
                    .filter(|e| !e.trim().is_empty()),
                bot: u.is_bot || u.is_app_user || u.id == "USLACKBOT",
                deleted: u.deleted,
                id: u.id,
            }
        }));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// Checks that an export has a Slack export's layout: its lists (`users.json`,
/// `channels.json`, …) or, in a partial export that lacks them, channel folders of day files.
pub fn check(archive: &Archive) -> Result<()> {
    let lists = [
        "users.json",
        "channels.json",
        "groups.json",
        "dms.json",
        "mpims.json",
    ];
    let days = || archive.names().iter().any(|n| day_channel(n).is_some());
    if !lists.iter().any(|f| archive.has(f)) && !days() {
        return Err(archive.not_a(
            "a Slack workspace export",
            "users.json, channels.json or channel folders of YYYY-MM-DD.json day files",
            "a Slack export holds users.json, channels.json and one folder per channel of day files",
        ));
    }
    Ok(())
}

/// Reads a Slack export into canonical events, and its accounts.
/// The adapter contract ([`super::Adapter`]).
pub fn read(source: &SourcePlan, reading: &Reading) -> Result<SourceRead> {
    let mut archive = Archive::open(&source.path, reading.limits)?;
    let (mut batch, accounts) = read_archive(
        &mut archive,
        Collector::new(&source.label).with_texts(reading.texts),
        reading.include_bots,
    )?;
    if !archive.has("users.json") && !archive.has("org_users.json") {
        // No user list: the population is who was seen (normalize::population).
        batch.notes.push(Note::plain(Say::SlackNoUsers));
        return Ok(SourceRead::events(batch, super::batch::no_accounts()));
    }
    // Slack lists no join or deletion dates: an account is placed from its first sign of life
    // (its first channel join or message) and, once deleted, up to its last. Bots are not people.
    let signs = signs_of_life(&batch.events)?;
    let people: Vec<Account> = accounts
        .into_iter()
        .filter(|a| !a.bot || reading.include_bots)
        .collect();
    let silent = people.iter().filter(|a| !signs.contains_key(&a.id)).count();
    let rows = people
        .into_iter()
        .map(|a| {
            let (first, last) = signs.get(&a.id).copied().unzip();
            (a.id, a.email, first, last.filter(|_| a.deleted))
        })
        .collect();
    let frame = super::batch::accounts_frame(&source.label, rows)
        .map_err(crate::error::internal("listing Slack accounts"))?;
    batch
        .notes
        .push(Note::with(Say::SlackNoCreation, &[&silent.to_string()]));
    Ok(SourceRead::events(batch, frame))
}

/// Per account, the UTC days of its first and last event in the export.
fn signs_of_life(
    events: &polars::prelude::DataFrame,
) -> Result<HashMap<String, (chrono::NaiveDate, chrono::NaiveDate)>> {
    use polars::prelude::*;
    let fail = crate::error::internal("dating Slack accounts");
    let span = events
        .clone()
        .lazy()
        .filter(col("actor").is_not_null())
        .group_by([col("actor")])
        .agg([
            col("occurred_at")
                .cast(DataType::Int64)
                .min()
                .alias("first"),
            col("occurred_at").cast(DataType::Int64).max().alias("last"),
        ])
        .collect()
        .map_err(fail)?;
    let day = |us: Option<i64>| {
        us.and_then(chrono::DateTime::from_timestamp_micros)
            .map(|t| t.date_naive())
    };
    let column = |name: &str| span.column(name).ok().and_then(|c| c.i64().ok().cloned());
    let (Some(actor), Some(first), Some(last)) = (
        span.column("actor")
            .ok()
            .and_then(|c| c.str().ok().cloned()),
        column("first"),
        column("last"),
    ) else {
        return Ok(HashMap::new());
    };
    Ok(actor
        .iter()
        .zip(first.iter().zip(last.iter()))
        .filter_map(|(a, (f, l))| Some((a?.to_string(), (day(f)?, day(l)?))))
        .collect())
}

fn read_archive(
    archive: &mut Archive,
    mut c: Collector,
    include_bots: bool,
) -> Result<(Batch, Vec<Account>)> {
    check(archive)?;
    let accounts = accounts(archive)?;
    c.names(
        accounts
            .iter()
            .flat_map(|a| a.names.iter().map(String::as_str)),
    );
    // With include_bots, nobody counts as a bot and bot messages are read like any other.
    let bots: HashMap<String, bool> = accounts
        .iter()
        .map(|a| (a.id.clone(), a.bot && !include_bots))
        .collect();

    // Day files: `<channel>/<YYYY-MM-DD>.json` (a canvas's `FC_…` folder too), or one level
    // deeper where an export splits its channel folders by month. Other JSON files in a
    // channel folder describe canvases shared there.
    let (days, others) = day_files(archive);
    for file in &others {
        canvases(archive, &mut c, &bots, file)?;
    }
    let mut reacted = Vec::new();
    for (day, channel) in days {
        let bytes = archive.read(&day)?;
        let messages: Vec<Value> = match serde_json::from_slice(&bytes) {
            Ok(Value::Array(items)) => items,
            Ok(_) => {
                c.read();
                c.reject(
                    &day,
                    "$".into(),
                    &super::batch::file_summary(&bytes),
                    "not a JSON array of messages",
                );
                continue;
            }
            Err(e) => {
                c.read();
                c.reject(
                    &day,
                    format!("line {}", e.line()),
                    &super::batch::file_summary(&bytes),
                    &format!("not valid JSON: {e}"),
                );
                continue;
            }
        };
        for (i, raw) in messages.into_iter().enumerate() {
            c.read();
            let location = format!("$[{i}]");
            let message: Message = match serde_json::from_value(raw.clone()) {
                Ok(m) => m,
                Err(e) => {
                    c.reject(
                        &day,
                        location,
                        &super::batch::identifying(&raw),
                        &format!("not a Slack message: {e}"),
                    );
                    continue;
                }
            };
            reacted.extend(message_events(
                &mut c,
                &bots,
                include_bots,
                (&channel, &day, location),
                &raw,
                message,
            ));
        }
    }
    date_reactions(&mut c, reacted);
    let mut notes = vec![
        Note::plain(Say::SlackNoViews),
        Note::plain(Say::SlackReactionsUndated),
    ];
    notes.extend(unread_note(archive));
    if archive.has("channels.json")
        && serde_json::from_slice::<Value>(&archive.read("channels.json")?).is_err()
    {
        notes.push(Note::plain(Say::SlackChannelsUnread));
    }
    let batch = c.finish(notes).map_err(crate::error::internal(format!(
        "building events from {}",
        archive.path().display()
    )))?;
    Ok((batch, accounts))
}

/// Whether a file is a day of messages: `<folder>/YYYY-MM-DD.json`.
fn is_day_file(name: &str) -> bool {
    let stem = name
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".json");
    let b = stem.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The export's day files with their channels, and the other JSON files of channel folders
/// (canvases).
fn day_files(archive: &Archive) -> (Vec<(String, String)>, Vec<String>) {
    let days = archive
        .names()
        .iter()
        .filter_map(|n| Some((n.clone(), day_channel(n)?)))
        .collect();
    let others = archive
        .names()
        .iter()
        .filter(|n| n.matches('/').count() == 1 && n.ends_with(".json") && !is_day_file(n))
        .cloned()
        .collect();
    (days, others)
}

/// The channel of a day file (`…/YYYY-MM-DD.json`): the nearest folder above it that is not
/// a month (`YYYY-MM`) or year folder, so `general/2017-05-01.json`,
/// `general/2017-05/2017-05-01.json` and `2017-05/general/2017-05-01.json` are all `general`.
fn day_channel(name: &str) -> Option<String> {
    if !is_day_file(name) {
        return None;
    }
    let digits = |s: &str, dash: &[usize]| {
        s.bytes().enumerate().all(|(i, b)| {
            if dash.contains(&i) {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    };
    let dated = |f: &str| (f.len() == 7 && digits(f, &[4])) || (f.len() == 4 && digits(f, &[]));
    let parts: Vec<&str> = name.split('/').collect();
    let folders: Vec<&str> = parts[..parts.len() - 1]
        .iter()
        .copied()
        .filter(|f| !f.is_empty())
        .collect();
    // A channel may be named like a month: with no other folder, the nearest is the channel.
    folders
        .iter()
        .rev()
        .find(|f| !dated(f))
        .or(folders.last())
        .map(|f| f.to_string())
}

/// Files at the export's root that hold no messages and are not read, for a note.
const UNREAD: [&str; 6] = [
    "canvases.json",
    "lists.json",
    "huddle_transcripts.json",
    "file_conversations.json",
    "integration_logs.json",
    "content_flags.json",
];

fn unread_note(archive: &Archive) -> Option<Note> {
    let present: Vec<&str> = UNREAD.into_iter().filter(|f| archive.has(f)).collect();
    (!present.is_empty()).then(|| Note::with(Say::SlackUnread, &[&present.join(", ")]))
}

/// A JSON file in a channel folder that is not a day of messages (since 2024:
/// `canvas_in_the_conversation.json`, the canvases shared in the channel as Slack file
/// objects). Creating a canvas is an act of creation: each canvas with a creator and a
/// creation time is a post in the channel. Anything else in such a file is excluded with its
/// reason, never rejected.
fn canvases(
    archive: &mut Archive,
    c: &mut Collector,
    bots: &HashMap<String, bool>,
    file: &str,
) -> Result<()> {
    let channel = file.split('/').next().unwrap_or_default();
    let bytes = archive.read(file)?;
    let entries = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(items)) => items,
        Ok(item @ Value::Object(_)) => vec![item],
        Ok(_) => {
            c.read();
            c.exclude("file in a channel folder that is neither messages nor canvases");
            return Ok(());
        }
        Err(e) => {
            c.read();
            c.reject(
                file,
                format!("line {}", e.line()),
                &super::batch::file_summary(&bytes),
                &format!("not valid JSON: {e}"),
            );
            return Ok(());
        }
    };
    for entry in entries {
        c.read();
        let id = entry.get("id").and_then(Value::as_str);
        let user = entry.get("user").and_then(Value::as_str);
        let created = entry.get("created").and_then(Value::as_i64);
        match (id, user, created) {
            (Some(_), Some(user), Some(_)) if is_bot(bots, user) => c.exclude("bot canvas"),
            (Some(id), Some(user), Some(created)) => c.accept(Row {
                event_id: format!("canvas/{id}"),
                occurred_at: created * 1_000_000,
                actor: Some(user.to_string()),
                action: Some(Action::Post),
                content_id: Some(format!("canvas/{id}")),
                thread_id: Some(format!("canvas/{id}")),
                target_actor: None,
                space: Some(channel.to_string()),
            }),
            _ => c.exclude("canvas entry without id, creator or creation time"),
        }
    }
    Ok(())
}

fn is_bot(bots: &HashMap<String, bool>, user: &str) -> bool {
    bots.get(user).copied().unwrap_or(user == "USLACKBOT")
}

/// A message's own event (accepted, excluded or rejected), and its reactions, to be dated
/// once every message is read ([`date_reactions`]).
fn message_events(
    c: &mut Collector,
    bots: &HashMap<String, bool>,
    include_bots: bool,
    (channel, day, location): (&str, &str, String),
    raw: &Value,
    m: Message,
) -> Vec<Row> {
    let Some(ts) = m.ts.as_ref() else {
        c.reject(
            day,
            location,
            &super::batch::identifying(raw),
            "message without ts",
        );
        return Vec::new();
    };
    let Some(at) = ts_micros(ts) else {
        c.reject(
            day,
            location,
            &super::batch::identifying(raw),
            "unreadable ts",
        );
        return Vec::new();
    };
    let id = format!("{channel}/{}", ts_text(ts));
    let thread = match m.thread_ts.as_ref().map(ts_text) {
        Some(t) => format!("{channel}/{t}"),
        None => id.clone(),
    };

    // Reactions are people's acts even on a bot's message, so they come first.
    let reacted = reactions(c, bots, &m, &id, &thread, at, channel);
    if skipped(c, &m, include_bots) {
        return reacted;
    }
    let bot_author = m
        .bot_id
        .as_ref()
        .and_then(|b| b.as_str().map(str::to_string));
    let (actor, action, content, target) = meaning(&m, ts, &id);
    // A bot message kept with include_bots is the bot's own act.
    let Some(actor) = actor.or(if include_bots { bot_author } else { None }) else {
        c.reject(
            day,
            location,
            &super::batch::identifying(raw),
            "message without a user",
        );
        return reacted;
    };
    if is_bot(bots, &actor) {
        c.exclude("bot account");
        return reacted;
    }
    // Joins and channel settings belong to no thread.
    let thread =
        matches!(action, Action::Post | Action::Reply | Action::Reaction).then_some(thread);
    if let (Action::Post | Action::Reply, Some(text)) = (action, m.text.as_deref()) {
        c.text(&id, at, &actor, Some(channel), text);
    }
    c.accept(Row {
        event_id: id,
        occurred_at: at,
        actor: Some(actor),
        action: Some(action),
        content_id: content,
        thread_id: thread,
        target_actor: target.filter(|t| !is_bot(bots, t)),
        space: Some(channel.to_string()),
    });
    reacted
}

/// The reactions on a message, each a person's reaction to its (human) author, dated at the
/// message for now; bots' reactions are excluded here.
fn reactions(
    c: &mut Collector,
    bots: &HashMap<String, bool>,
    m: &Message,
    id: &str,
    thread: &str,
    at: i64,
    channel: &str,
) -> Vec<Row> {
    let author = m.user.clone().filter(|u| !is_bot(bots, u));
    let mut rows = Vec::new();
    for r in &m.reactions {
        for user in &r.users {
            c.read();
            if is_bot(bots, user) {
                c.exclude("bot reaction");
                continue;
            }
            rows.push(Row {
                event_id: format!("{id}/reaction/{}/{user}", r.name),
                occurred_at: at,
                actor: Some(user.clone()),
                action: Some(Action::Reaction),
                content_id: Some(id.to_string()),
                thread_id: Some(thread.to_string()),
                target_actor: author.clone(),
                space: Some(channel.to_string()),
            });
        }
    }
    rows
}

/// Slack reactions carry no time (formats: Slack): each is dated at the later of its message
/// and the reacting account's first own message or join, so that a reaction never places
/// anyone in the network before they showed up; an account with neither gives no time at all,
/// and its reactions are left out with that reason.
fn date_reactions(c: &mut Collector, reacted: Vec<Row>) {
    let first = c.first_seen(Action::Reaction);
    for mut row in reacted {
        match row.actor.as_ref().and_then(|a| first.get(a)) {
            Some(&since) => {
                row.occurred_at = row.occurred_at.max(since);
                c.accept(row);
            }
            None => c.exclude("reaction by an account with no message or join of its own"),
        }
    }
}

/// Whether the message itself is left out (a bot's, a system message, a channel leave),
/// counted with its reason.
fn skipped(c: &mut Collector, m: &Message, include_bots: bool) -> bool {
    let subtype = m.subtype.as_deref();
    let bot_message = subtype == Some("bot_message")
        || (m.user.is_none()
            && m.bot_id.as_ref().is_some_and(|b| !b.is_null())
            && subtype != Some("file_comment"));
    if bot_message && !include_bots {
        c.exclude("bot message");
        return true;
    }
    if let Some(s) = subtype {
        if SYSTEM.contains(&s) {
            c.exclude(&format!("{s} (system message)"));
            return true;
        }
        if s == "channel_leave" {
            c.exclude("channel_leave");
            return true;
        }
    }
    false
}

/// What a kept message is: its actor (the commenter for a file comment), action, content and
/// the person it answers.
fn meaning(
    m: &Message,
    ts: &Value,
    id: &str,
) -> (Option<String>, Action, Option<String>, Option<String>) {
    match m.subtype.as_deref() {
        Some("channel_join") | Some("group_join") => (m.user.clone(), Action::Join, None, None),
        Some("file_comment") => (
            m.comment
                .as_ref()
                .and_then(|cm| cm.user.clone())
                .or(m.user.clone()),
            Action::Reply,
            m.file.as_ref().and_then(|f| f.id.clone()),
            m.file.as_ref().and_then(|f| f.user.clone()),
        ),
        Some(s) if CURATION.contains(&s) => (m.user.clone(), Action::Curate, None, None),
        _ => {
            let reply = m
                .thread_ts
                .as_ref()
                .is_some_and(|t| ts_text(t) != ts_text(ts))
                || m.subtype.as_deref() == Some("thread_broadcast");
            if reply {
                (
                    m.user.clone(),
                    Action::Reply,
                    Some(id.to_string()),
                    m.parent_user_id.clone(),
                )
            } else {
                (m.user.clone(), Action::Post, Some(id.to_string()), None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Channel folders, split by month or not; a folder named like a month with nothing
    // around it is the channel; a day file at the root belongs to none.
    #[test]
    fn the_channel_of_a_day_file() {
        for (name, channel) in [
            ("general/2017-05-01.json", Some("general")),
            ("general/2017-05/2017-05-01.json", Some("general")),
            ("2017-05/general/2017-05-01.json", Some("general")),
            ("2017-05/2017-05-01.json", Some("2017-05")),
            ("2017-05-01.json", None),
            ("general/notes.json", None),
        ] {
            assert_eq!(day_channel(name).as_deref(), channel, "{name}");
        }
    }

    #[test]
    fn ts_to_micros() {
        assert_eq!(
            ts_micros(&Value::String("1452837318.000002".into())),
            Some(1_452_837_318_000_002)
        );
        assert_eq!(
            ts_micros(&Value::String("1452837318.5".into())),
            Some(1_452_837_318_500_000)
        );
        assert_eq!(
            ts_micros(&serde_json::json!(1452837318)),
            Some(1_452_837_318_000_000)
        );
        assert_eq!(ts_micros(&Value::String("yesterday".into())), None);
        assert_eq!(ts_micros(&Value::String("-1.0".into())), None);
        assert_eq!(ts_micros(&Value::Null), None);
    }
}

//! The `teams` source kind: Microsoft Teams channel messages as Graph `chatMessage` JSON, one
//! file or a folder (or zip) of files, each a list of messages or a Graph page
//! `{"value": [...], "@odata.nextLink": ...}`. Root messages become posts, messages with a
//! `replyToId` replies, and each reaction a reaction at its own time. System events, deleted
//! messages and messages from applications (bots) are excluded and counted.

use std::collections::HashMap;

use chrono::DateTime;
use serde::Deserialize;
use serde_json::Value;

use super::archive::Archive;
use super::batch::{Batch, Collector, Row};
use super::batch::{Reading, SourceRead};
use crate::error::Result;
use crate::plan::SourcePlan;
use crate::vocabulary::notes::{Note, Say};
use crate::vocabulary::Action;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    id: Option<String>,
    #[serde(default)]
    reply_to_id: Option<String>,
    #[serde(default)]
    message_type: Option<String>,
    #[serde(default)]
    created_date_time: Option<String>,
    #[serde(default)]
    deleted_date_time: Option<String>,
    #[serde(default)]
    from: Option<From>,
    #[serde(default)]
    channel_identity: Option<ChannelIdentity>,
    /// Set on messages of a chat (`/chats/{id}/messages`): one-to-one and group conversations.
    #[serde(default)]
    chat_id: Option<String>,
    #[serde(default)]
    reactions: Vec<Reaction>,
    /// Read only to be cut into terms when themes are on, then dropped.
    #[serde(default, deserialize_with = "lenient_body")]
    body: Option<Body>,
}

/// A message's body: HTML or text; the markup never makes a term.
#[derive(Debug, Deserialize)]
struct Body {
    #[serde(default, deserialize_with = "super::batch::text_or_none")]
    content: Option<String>,
}

/// A body that is not an object (a bare string, a number) is no body, not a broken message.
fn lenient_body<'de, D: serde::Deserializer<'de>>(
    value: D,
) -> std::result::Result<Option<Body>, D::Error> {
    Ok(match Option::<Value>::deserialize(value)? {
        Some(body @ Value::Object(_)) => serde_json::from_value(body).ok(),
        _ => None,
    })
}

#[derive(Debug, Deserialize)]
struct From {
    #[serde(default)]
    user: Option<Identity>,
    #[serde(default)]
    application: Option<Identity>,
}

#[derive(Debug, Deserialize)]
struct Identity {
    #[serde(default)]
    id: Option<String>,
    #[serde(
        default,
        rename = "displayName",
        deserialize_with = "super::batch::text_or_none"
    )]
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelIdentity {
    #[serde(default)]
    channel_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reaction {
    #[serde(default)]
    reaction_type: Option<String>,
    #[serde(default)]
    created_date_time: Option<String>,
    #[serde(default)]
    user: Option<ReactionUser>,
}

#[derive(Debug, Deserialize)]
struct ReactionUser {
    #[serde(default)]
    user: Option<Identity>,
}

/// Parses Graph timestamps such as `2019-01-21T19:55:47.534Z` to microseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.timestamp_micros())
}

/// The messages of one file: a JSON list, or a Graph page with `value`.
fn messages_of(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        Value::Object(mut map) => match map.remove("value") {
            Some(Value::Array(items)) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

/// Checks that an export holds JSON files.
pub fn check(archive: &Archive) -> Result<()> {
    if !archive
        .names()
        .iter()
        .any(|n| n.to_ascii_lowercase().ends_with(".json"))
    {
        return Err(archive.not_a(
            "Microsoft Teams channel messages",
            ".json files",
            "give a Graph chatMessage JSON file, or a folder or zip of them",
        ));
    }
    Ok(())
}

/// Reads Teams channel messages into canonical events.
/// The adapter contract ([`super::Adapter`]).
pub fn read(source: &SourcePlan, reading: &Reading) -> Result<SourceRead> {
    let mut archive = Archive::open(&source.path, reading.limits)?;
    let c = Collector::new(&source.label).with_texts(reading.texts);
    let batch = read_archive(&mut archive, c, reading.include_bots)?;
    Ok(SourceRead::events(batch, super::batch::no_accounts()))
}

fn read_archive(archive: &mut Archive, mut c: Collector, include_bots: bool) -> Result<Batch> {
    let files: Vec<String> = archive
        .names()
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".json"))
        .cloned()
        .collect();
    check(archive)?;
    let (parsed, known) = parse_files(archive, &files, &mut c)?;
    let mut tally = Tally::default();
    for (file, i, raw) in parsed {
        message(&mut c, (&file, i, raw), &known, &mut tally, include_bots);
    }
    let mut notes = vec![Note::plain(Say::TeamsNoViews)];
    notes.extend(tally.notes());
    c.finish(notes).map_err(crate::error::internal(format!(
        "building events from {}",
        archive.path().display()
    )))
}

/// A message as read: its file, its place in the file, and its JSON.
type Parsed = (String, usize, Value);

/// The messages of the export by id: who wrote them (a reply's target).
#[derive(Default)]
struct Known {
    authors: HashMap<String, String>,
}

/// Messages read in a way their fields alone do not say, counted for the notes.
#[derive(Default)]
struct Tally {
    /// `replyToId` is the message's own id: flows and workflows post this way.
    own: u64,
    /// Messages of chats rather than channels.
    chats: u64,
}

impl Tally {
    /// Counts a kept message that is read other than its fields say: from a chat, or a post
    /// despite its `replyToId`.
    fn count(&mut self, m: &Message, id: &str) {
        if m.channel_identity.is_none() && m.chat_id.is_some() {
            self.chats += 1;
        }
        if m.reply_to_id.as_deref() == Some(id) {
            self.own += 1;
        }
    }

    fn notes(&self) -> Vec<Note> {
        [
            (Say::TeamsOwnReply, self.own),
            (Say::TeamsChats, self.chats),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(say, n)| Note::counting(say, n, &[]))
        .collect()
    }
}

/// Every file's messages, parents first: a reply names its parent by id, and its target is
/// the parent's author. Files that are not lists of messages are rejected whole.
fn parse_files(
    archive: &mut Archive,
    files: &[String],
    c: &mut Collector,
) -> Result<(Vec<Parsed>, Known)> {
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut known = Known::default();
    for file in files {
        let bytes = archive.read(file)?;
        let items = match serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(messages_of)
        {
            Some(items) => items,
            None => {
                c.read();
                c.reject(
                    file,
                    "$".into(),
                    &super::batch::file_summary(&bytes),
                    "not a list of Graph chatMessages (nor a page with \"value\")",
                );
                continue;
            }
        };
        for (i, item) in items.into_iter().enumerate() {
            if let Some(id) = item.get("id").and_then(Value::as_str) {
                if let Some(user) = item.pointer("/from/user/id").and_then(Value::as_str) {
                    known.authors.insert(id.to_string(), user.to_string());
                }
            }
            parsed.push((file.clone(), i, item));
        }
    }
    Ok((parsed, known))
}

/// One message: its reactions, then the message itself (a post or a reply) unless it is a
/// system event, deleted, or a bot's.
fn message(
    c: &mut Collector,
    (file, i, raw): (&str, usize, Value),
    known: &Known,
    tally: &mut Tally,
    include_bots: bool,
) {
    c.read();
    let location = format!("$[{i}]");
    let m: Message = match serde_json::from_value(raw.clone()) {
        Ok(m) => m,
        Err(e) => {
            c.reject(
                file,
                location,
                &super::batch::identifying(&raw),
                &format!("not a chatMessage: {e}"),
            );
            return;
        }
    };
    let (Some(id), Some(at)) = (
        m.id.clone(),
        m.created_date_time.as_deref().and_then(parse_time),
    ) else {
        c.reject(
            file,
            location,
            &super::batch::identifying(&raw),
            "message without id or readable createdDateTime",
        );
        return;
    };
    // A channel's messages share its id as their space; a chat is a space of its own.
    let space = m
        .channel_identity
        .as_ref()
        .and_then(|ch| ch.channel_id.clone())
        .or_else(|| m.chat_id.as_ref().map(|chat| format!("chat/{chat}")));
    let author = m
        .from
        .as_ref()
        .and_then(|f| f.user.as_ref())
        .and_then(|u| u.id.clone());
    // A reply to itself (a flow's post) starts its own thread; a reply to a message the
    // export lacks is a reply all the same, in the thread of that message (formats: Teams).
    let parent = m.reply_to_id.clone().filter(|p| *p != id);
    let thread = parent.clone().unwrap_or_else(|| id.clone());
    let message = Ids {
        id: &id,
        thread: &thread,
        author: author.as_ref(),
        space: space.as_ref(),
    };
    reactions(c, &m, &message, file, &location, &raw);
    let Some(actor) = sender(c, &m, author, include_bots, (file, location, &raw)) else {
        return;
    };
    let (action, target) = match &parent {
        Some(parent) => (Action::Reply, known.authors.get(parent).cloned()),
        None => (Action::Post, None),
    };
    tally.count(&m, &id);
    if c.wants_texts() {
        let shown = m.from.as_ref().and_then(|f| f.user.as_ref());
        c.names(shown.and_then(|u| u.display_name.as_deref()));
        if let Some(text) = m.body.as_ref().and_then(|b| b.content.as_deref()) {
            c.text(&id, at, &actor, space.as_deref(), text);
        }
    }
    c.accept(Row {
        event_id: id.clone(),
        occurred_at: at,
        actor: Some(actor),
        action: Some(action),
        content_id: Some(id),
        thread_id: Some(thread),
        target_actor: target,
        space,
    });
}

/// Who sent a message that counts: its user, or with `include_bots` its application. System
/// events, deleted messages and bots' messages are excluded, a message without a sender is
/// rejected (at `file` and `location`, showing `raw`'s identifying fields); `None` for those.
fn sender(
    c: &mut Collector,
    m: &Message,
    author: Option<String>,
    include_bots: bool,
    (file, location, raw): (&str, String, &Value),
) -> Option<String> {
    if m.message_type.as_deref().is_some_and(|t| t != "message") {
        c.exclude("system event");
        return None;
    }
    if m.deleted_date_time
        .as_deref()
        .is_some_and(|d| !d.is_empty())
    {
        c.exclude("deleted message");
        return None;
    }
    let from_app = m
        .from
        .as_ref()
        .and_then(|f| f.application.as_ref())
        .and_then(|a| a.id.clone());
    match (author, from_app) {
        (Some(user), _) => Some(user),
        (None, Some(app)) if include_bots => Some(app),
        (None, Some(_)) => {
            c.exclude("bot message");
            None
        }
        (None, None) => {
            c.reject(
                file,
                location,
                &super::batch::identifying(raw),
                "message without a sender",
            );
            None
        }
    }
}

/// The ids a message's reactions point at.
struct Ids<'a> {
    id: &'a str,
    thread: &'a str,
    author: Option<&'a String>,
    space: Option<&'a String>,
}

/// A message's reactions, each a reaction to its author.
fn reactions(
    c: &mut Collector,
    m: &Message,
    message: &Ids,
    file: &str,
    location: &str,
    raw: &Value,
) {
    let Ids {
        id,
        thread,
        author,
        space,
    } = *message;
    for (k, r) in m.reactions.iter().enumerate() {
        c.read();
        let who = r
            .user
            .as_ref()
            .and_then(|u| u.user.as_ref())
            .and_then(|u| u.id.clone());
        let when = r.created_date_time.as_deref().and_then(parse_time);
        match (who, when) {
            (Some(who), Some(when)) => c.accept(Row {
                event_id: format!(
                    "{id}/reaction/{}/{who}",
                    r.reaction_type.clone().unwrap_or_default()
                ),
                occurred_at: when,
                actor: Some(who),
                action: Some(Action::Reaction),
                content_id: Some(id.to_string()),
                thread_id: Some(thread.to_string()),
                target_actor: author.cloned(),
                space: space.cloned(),
            }),
            _ => c.reject(
                file,
                format!("{location}.reactions[{k}]"),
                &super::batch::identifying(raw),
                "reaction without user or readable createdDateTime",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times() {
        assert_eq!(
            parse_time("2019-01-21T19:55:47.534Z"),
            Some(1_548_100_547_534_000)
        );
        assert_eq!(
            parse_time("2019-01-21T20:55:47+01:00"),
            Some(1_548_100_547_000_000)
        );
        assert_eq!(parse_time("21/01/2019"), None);
    }
}

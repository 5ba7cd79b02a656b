//! The `stackexchange` source kind: a Stack Exchange or Stack Overflow for Teams data dump, a
//! folder (or zip) of XML files with one `<row .../>` per record. Questions become posts,
//! answers and comments replies, votes reactions on the post (the dump names no voter, so they
//! count for the content and never for a person), moderation and edits of others' posts
//! curation, and account creation a join. The system user -1 is excluded everywhere.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use chrono::NaiveDateTime;
use quick_xml::events::Event;

use super::archive::Archive;
use super::batch::{Batch, Collector, Row};
use super::batch::{Reading, SourceRead};
use crate::error::{Error, Result};
use crate::plan::SourcePlan;
use crate::vocabulary::notes::{Note, Say};
use crate::vocabulary::Action;

/// The dump's "Community" account: a system user, not a person.
const SYSTEM_USER: &str = "-1";

/// Attributes of a dump row that identify it (ids, types, dates), the only ones a reject keeps.
const IDENTIFYING_ATTRIBUTES: [&str; 10] = [
    "Id",
    "PostId",
    "PostTypeId",
    "ParentId",
    "OwnerUserId",
    "UserId",
    "VoteTypeId",
    "PostHistoryTypeId",
    "CreationDate",
    "AccountId",
];

/// The files read, in the order they are read (posts first: the others refer to them).
pub const FILES: [&str; 5] = [
    "Posts.xml",
    "Comments.xml",
    "Votes.xml",
    "Users.xml",
    "PostHistory.xml",
];

/// The note for each file of a dump besides Posts.xml when a dump lacks it (it says what the
/// file gives).
const GIVES: [(&str, Say); 4] = [
    ("Comments.xml", Say::StackNoComments),
    ("Votes.xml", Say::StackNoVotes),
    ("Users.xml", Say::StackNoUsers),
    ("PostHistory.xml", Say::StackNoHistory),
];

/// A note per file the dump lacks, naming what the run cannot count without it. Partial dumps
/// are common: people share Posts, Users and Comments only.
fn missing_notes(archive: &Archive) -> Vec<Note> {
    GIVES
        .iter()
        .filter(|(file, _)| !archive.has(file))
        .map(|(_, say)| Note::plain(*say))
        .collect()
}

/// Attributes of one `<row/>`.
type Attrs = HashMap<String, String>;

/// A user-list row: account, email, joined and deleted days.
type UserRow = (
    String,
    Option<String>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
);

/// Parses `2016-08-02T15:39:14.947` (no zone: the dumps are UTC) to microseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_micros())
}

/// Streams the `<row .../>` elements of one XML file: `f(row number, attributes or error)`.
fn rows(
    reader: &mut dyn Read,
    mut f: impl FnMut(u64, std::result::Result<Attrs, String>),
) -> std::result::Result<(), String> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(reader));
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        let ev = xml
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error at byte {}: {e}", xml.error_position()))?;
        match ev {
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == b"row" => {
                n += 1;
                let mut attrs = Attrs::new();
                let mut bad = None;
                for a in e.attributes() {
                    match a {
                        Ok(a) => match a.decode_and_unescape_value(xml.decoder()) {
                            Ok(v) => {
                                attrs.insert(
                                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                                    v.into_owned(),
                                );
                            }
                            Err(err) => bad = Some(format!("unreadable attribute value: {err}")),
                        },
                        Err(err) => bad = Some(format!("malformed attribute: {err}")),
                    }
                }
                f(n, bad.map_or(Ok(attrs), Err));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

struct Post {
    owner: Option<String>,
    /// The question a post belongs to (itself for a question).
    question: String,
}

/// Checks that an export has a data dump's layout.
pub fn check(archive: &Archive) -> Result<()> {
    if !archive.has("Posts.xml") {
        return Err(archive.not_a(
            "a Stack Exchange data dump",
            "Posts.xml",
            "give the folder (or zip) that holds Posts.xml, Comments.xml, Votes.xml, Users.xml and PostHistory.xml",
        ));
    }
    Ok(())
}

/// Reads a data dump into canonical events.
/// The adapter contract ([`super::Adapter`]).
pub fn read(source: &SourcePlan, reading: &Reading) -> Result<SourceRead> {
    let mut archive = Archive::open(&source.path, reading.limits)?;
    let c = Collector::new(&source.label).with_texts(reading.texts);
    let (batch, accounts) = read_archive(&mut archive, c, &source.label, reading.include_bots)?;
    Ok(SourceRead::events(batch, accounts))
}

fn read_archive(
    archive: &mut Archive,
    mut c: Collector,
    source: &str,
    include_bots: bool,
) -> Result<(Batch, polars::prelude::DataFrame)> {
    let present: Vec<&str> = FILES.iter().copied().filter(|f| archive.has(f)).collect();
    check(archive)?;
    // With include_bots the system user is read like any account.
    let system = if include_bots { "" } else { SYSTEM_USER };
    let mut posts: HashMap<String, Post> = HashMap::new();
    // The dump's user list: id and creation day, for the population without a roster.
    let mut users: Vec<UserRow> = Vec::new();
    let space = Some(source.to_string());

    for file in present {
        let path = archive.path().join(file);
        archive.with_reader(file, |r| {
            rows(r, |n, attrs| {
                handle(
                    &mut c, &mut posts, &mut users, system, file, n, attrs, &space,
                )
            })
            .map_err(|message| Error::Usage {
                message: format!("{}: {message}", path.display()),
                help: "the file is damaged or not a Stack Exchange dump file; re-download the dump"
                    .into(),
            })
        })?;
    }
    let mut notes = missing_notes(archive);
    notes.extend([Say::StackNoVoter, Say::StackViewTotals, Say::StackUtc].map(Note::plain));
    let fail =
        || crate::error::internal(format!("building events from {}", archive.path().display()));
    let batch = c.finish(notes).map_err(fail())?;
    let accounts = super::batch::accounts_frame(source, users).map_err(fail())?;
    Ok((batch, accounts))
}

/// Accounts for one `<row/>` of `file`.
#[allow(clippy::too_many_arguments)]
fn handle(
    c: &mut Collector,
    posts: &mut HashMap<String, Post>,
    users: &mut Vec<UserRow>,
    system: &str,
    file: &str,
    n: u64,
    attrs: std::result::Result<Attrs, String>,
    space: &Option<String>,
) {
    c.read();
    let location = format!("row {n}");
    let attrs = match attrs {
        Ok(a) => a,
        Err(reason) => {
            c.reject(file, location, "", &reason);
            return;
        }
    };
    // Only what identifies the row: never bodies, titles, comments, names or links.
    let raw = || {
        let mut kv: Vec<String> = attrs
            .iter()
            .filter(|(k, _)| IDENTIFYING_ATTRIBUTES.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={}", super::batch::shorten(v)))
            .collect();
        kv.sort();
        kv.join(" ")
    };
    let (Some(id), Some(at)) = (
        attrs.get("Id"),
        attrs.get("CreationDate").and_then(|t| parse_time(t)),
    ) else {
        c.reject(
            file,
            location,
            &raw(),
            "row without Id or readable CreationDate",
        );
        return;
    };
    match file {
        "Posts.xml" => post_row(c, posts, system, &attrs, id, at, space),
        "Comments.xml" => comment_row(c, posts, system, &attrs, (id, at), space),
        "Votes.xml" => vote_row(c, posts, system, &attrs, (id, at), space),
        "Users.xml" => {
            if id == system {
                c.exclude("system account");
                return;
            }
            let day = chrono::DateTime::from_timestamp_micros(at).map(|t| t.date_naive());
            users.push((id.clone(), None, day, None));
            c.names(attrs.get("DisplayName").map(String::as_str));
            c.accept(Row {
                event_id: format!("user/{id}"),
                occurred_at: at,
                actor: Some(id.clone()),
                action: Some(Action::Join),
                space: space.clone(),
                ..Row::default()
            });
        }
        _ => history_row(c, posts, system, &attrs, id, at, space),
    }
}

/// An attribute's value, unless missing or empty (a deleted user's posts name no owner).
fn given(attrs: &Attrs, key: &str) -> Option<String> {
    attrs.get(key).filter(|v| !v.is_empty()).cloned()
}

/// A vote: up and down votes are reactions (no voter is named), bookmarks shares, an
/// accepted answer the asker's curation, close and delete votes curations.
fn vote_row(
    c: &mut Collector,
    posts: &HashMap<String, Post>,
    system: &str,
    attrs: &Attrs,
    (id, at): (&str, i64),
    space: &Option<String>,
) {
    let on = attrs.get("PostId").cloned().unwrap_or_default();
    let Some(post) = posts.get(&on) else {
        c.exclude("vote on a deleted post");
        return;
    };
    let voter = given(attrs, "UserId");
    if voter.as_deref() == Some(system) {
        c.exclude("system account");
        return;
    }
    let kind = attrs.get("VoteTypeId").map(String::as_str).unwrap_or("");
    let (action, actor) = match kind {
        "2" | "3" => (Action::Reaction, None),
        // Accepting an answer marks the best answer: the asker curates.
        "1" => (
            Action::Curate,
            posts.get(&post.question).and_then(|q| q.owner.clone()),
        ),
        "5" => (Action::Share, voter),
        "6" | "7" | "10" | "11" | "12" | "15" | "16" => (Action::Curate, voter),
        other => {
            c.exclude(&format!("vote type {other}"));
            return;
        }
    };
    c.accept(Row {
        event_id: format!("vote/{id}"),
        occurred_at: at,
        actor,
        action: Some(action),
        content_id: Some(format!("post/{on}")),
        thread_id: Some(format!("post/{}", post.question)),
        target_actor: post.owner.clone(),
        space: space.clone(),
    });
}

/// A row's user (none when it names none) and the post it is about; `None` for the system
/// account's rows, counted as excluded.
fn user_and_post<'p>(
    c: &mut Collector,
    posts: &'p HashMap<String, Post>,
    system: &str,
    attrs: &Attrs,
) -> Option<(Option<String>, Option<&'p Post>)> {
    let actor = given(attrs, "UserId");
    if actor.as_deref() == Some(system) {
        c.exclude("system account");
        return None;
    }
    let on = attrs.get("PostId").map(String::as_str).unwrap_or_default();
    Some((actor, posts.get(on)))
}

/// A comment: a reply to its post's owner, in the thread of its question.
fn comment_row(
    c: &mut Collector,
    posts: &HashMap<String, Post>,
    system: &str,
    attrs: &Attrs,
    (id, at): (&str, i64),
    space: &Option<String>,
) {
    let Some((actor, post)) = user_and_post(c, posts, system, attrs) else {
        return;
    };
    if let (Some(actor), Some(text)) = (&actor, attrs.get("Text")) {
        c.text(&format!("comment/{id}"), at, actor, space.as_deref(), text);
    }
    c.accept(Row {
        event_id: format!("comment/{id}"),
        occurred_at: at,
        actor,
        action: Some(Action::Reply),
        content_id: Some(format!("comment/{id}")),
        thread_id: post.map(|p| format!("post/{}", p.question)),
        target_actor: post.and_then(|p| p.owner.clone()),
        space: space.clone(),
    });
}

fn post_row(
    c: &mut Collector,
    posts: &mut HashMap<String, Post>,
    system: &str,
    attrs: &Attrs,
    id: &str,
    at: i64,
    space: &Option<String>,
) {
    let owner = given(attrs, "OwnerUserId");
    let kind = attrs.get("PostTypeId").map(String::as_str).unwrap_or("");
    let question = match kind {
        "2" => attrs
            .get("ParentId")
            .cloned()
            .unwrap_or_else(|| id.to_string()),
        _ => id.to_string(),
    };
    // Known even when the row itself is not counted, so votes and comments find their post.
    posts.insert(
        id.to_string(),
        Post {
            owner: owner.clone(),
            question: question.clone(),
        },
    );
    if owner.as_deref() == Some(system) {
        c.exclude("system account");
        return;
    }
    let (action, target) = match kind {
        "1" => (Action::Post, None),
        "2" => (
            Action::Reply,
            posts.get(&question).and_then(|q| q.owner.clone()),
        ),
        // Tag wikis and their excerpts: shared content kept up by the community.
        "3" | "4" | "5" => (Action::Curate, None),
        other => {
            c.exclude(&format!("post type {other}"));
            return;
        }
    };
    if let (Action::Post | Action::Reply, Some(actor)) = (action, &owner) {
        if c.wants_texts() {
            c.text(
                &format!("post/{id}"),
                at,
                actor,
                space.as_deref(),
                &post_text(attrs),
            );
        }
    }
    c.accept(Row {
        event_id: format!("post/{id}"),
        occurred_at: at,
        actor: owner,
        action: Some(action),
        content_id: Some(format!("post/{id}")),
        thread_id: Some(format!("post/{question}")),
        target_actor: target.filter(|t| t != system),
        space: space.clone(),
    });
}

/// What a post says, for its terms: its title, body (HTML) and tags (`<a><b>` or `|a|b|`, each
/// a word or phrase of its own).
fn post_text(attrs: &Attrs) -> String {
    let field = |key: &str| attrs.get(key).map(String::as_str).unwrap_or_default();
    let tags = field("Tags").replace(['<', '>', '|'], " . ");
    format!("{} . {} . {tags}", field("Title"), field("Body"))
}

fn history_row(
    c: &mut Collector,
    posts: &HashMap<String, Post>,
    system: &str,
    attrs: &Attrs,
    id: &str,
    at: i64,
    space: &Option<String>,
) {
    let Some((actor, post)) = user_and_post(c, posts, system, attrs) else {
        return;
    };
    let owner = post.and_then(|p| p.owner.clone());
    let kind = attrs
        .get("PostHistoryTypeId")
        .map(String::as_str)
        .unwrap_or("");
    match kind {
        "1" | "2" | "3" => {
            c.exclude("initial revision");
            return;
        }
        // Edits and rollbacks: curation when someone else's post is changed.
        "4" | "5" | "6" | "7" | "8" | "9" => {
            if actor.is_some() && actor == owner {
                c.exclude("edit of own post");
                return;
            }
        }
        // Close, reopen, delete, undelete, lock, unlock, community wiki, protect, unprotect,
        // suggested edit applied, post notices.
        "10" | "11" | "12" | "13" | "14" | "15" | "16" | "19" | "20" | "24" | "33" | "34" => {}
        other => {
            c.exclude(&format!("history type {other}"));
            return;
        }
    }
    c.accept(Row {
        event_id: format!("history/{id}"),
        occurred_at: at,
        actor,
        action: Some(Action::Curate),
        content_id: Some(format!(
            "post/{}",
            attrs.get("PostId").map(String::as_str).unwrap_or_default()
        )),
        thread_id: post.map(|p| format!("post/{}", p.question)),
        target_actor: owner.filter(|o| o != system),
        space: space.clone(),
    });
}

/// Reads every row of one XML file, for tests and fuzzing: `(rows, errors)`.
pub fn count_rows(bytes: &[u8]) -> std::result::Result<(u64, u64), String> {
    let mut reader: Box<dyn BufRead> = Box::new(bytes);
    let (mut ok, mut bad) = (0, 0);
    rows(
        &mut reader,
        |_, a| if a.is_ok() { ok += 1 } else { bad += 1 },
    )?;
    Ok((ok, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_without_zone() {
        assert_eq!(
            parse_time("2016-08-02T15:39:14.947"),
            Some(1_470_152_354_947_000)
        );
        assert_eq!(
            parse_time("2016-08-02T15:39:14"),
            Some(1_470_152_354_000_000)
        );
        assert_eq!(parse_time("02/08/2016"), None);
    }

    #[test]
    fn rows_stream_attributes_and_report_bad_ones() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<posts>\r\n  <row Id=\"1\" Title=\"a &amp; b\" />\r\n  <row Id=\"2\" Title=\"x &bogus; y\" />\r\n</posts>";
        assert_eq!(count_rows(xml.as_bytes()).unwrap(), (1, 1));
        assert!(count_rows(b"<posts><row Id=\"1\"></posts>").is_err());
    }
}

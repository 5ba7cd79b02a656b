//! The `yammer` source kind: a Viva Engage (Yammer) network data export, as zip or folder, with
//! `Messages.csv` and `Users.csv` (one set per network when external networks are included).
//! A thread starter (`thread_id == id`) becomes a post, any other message a reply to the sender
//! of `replied_to_id`, and a user's `joined_at` a join (a user without one is pending: no
//! member). Deleted messages, messages from non-user senders and system notices are excluded
//! and counted; a private conversation has no space. Edits live in `MessageVersions.csv`, not
//! read: Messages.csv holds each message once. Columns are matched by name and bodies are
//! never kept.

use polars::prelude::*;

use super::archive::Archive;
use super::batch::Batch;
use super::batch::{Reading, SourceRead};
use super::read::{self, ROW};
use crate::error::{Error, Result};
use crate::plan::SourcePlan;
use crate::vocabulary::notes::{Note, Say};

use super::read::{EXCLUDED, RAW, REASON};
use super::texts::body_column;

const AT: &str = "__at";

/// Columns a Messages.csv must have.
const MESSAGE_COLUMNS: [&str; 4] = ["id", "thread_id", "sender_id", "created_at"];

fn message_files(archive: &Archive) -> Vec<String> {
    archive
        .names()
        .iter()
        .filter(|n| n.as_str() == "Messages.csv" || n.ends_with("/Messages.csv"))
        .cloned()
        .collect()
}

fn not_an_export(archive: &Archive) -> Error {
    archive.not_a(
        "a Viva Engage (Yammer) network data export",
        "Messages.csv",
        "give the export zip (or its unpacked folder) holding Messages.csv and Users.csv",
    )
}

fn fail(what: String) -> impl FnOnce(PolarsError) -> Error {
    move |source| Error::Polars {
        what,
        source,
        help: "check that the file is a Viva Engage export CSV; report a bug if it is".into(),
    }
}

fn optional(header: &[String], name: &str) -> Expr {
    read::text_or_null(header, name)
}

/// Reads a Viva Engage export: canonical events and the accounts (`source, account, email`).
/// The adapter contract ([`super::Adapter`]).
pub fn read(source: &SourcePlan, reading: &Reading) -> Result<SourceRead> {
    super::batch::read_archive(source, reading, read_archive)
}

fn read_archive(
    archive: &mut Archive,
    source: &str,
    naive_tz: chrono_tz::Tz,
    reading: &Reading,
) -> Result<(Batch, DataFrame)> {
    let named = |file: &str| -> Vec<String> {
        archive
            .names()
            .iter()
            .filter(|n| n.as_str() == file || n.ends_with(&format!("/{file}")))
            .cloned()
            .collect()
    };
    let messages = message_files(archive);
    let users = named("Users.csv");
    if messages.is_empty() {
        return Err(not_an_export(archive));
    }
    let mut parts = read::Parts::default();
    let mut notes = vec![Note::plain(Say::YammerNoViews)];
    let unread: Vec<String> = ["MessageVersions.csv", "Answers.csv"]
        .into_iter()
        .filter(|f| !named(f).is_empty())
        .map(String::from)
        .collect();
    if !unread.is_empty() {
        notes.push(Note::with(Say::YammerUnread, &[&unread.join(", ")]));
    }
    // The users first: the messages are handed on a batch at a time with the accounts they
    // belong to.
    let mut accounts = Vec::new();
    for file in &users {
        let no_system = |_: Expr| lit(false);
        let (mut batch, list) = read::user_list(
            archive,
            read::UserList {
                file,
                format: "a Viva Engage Users.csv",
                help: "a network data export's Users.csv has id, email and joined_at among its columns",
                created: "joined_at",
                deleted: Some("deleted_at"),
                system: &no_system,
                pending_without_created: true,
                never_signed_up: None,
            },
            source,
            naive_tz,
        )?;
        notes.append(&mut batch.notes);
        parts.absorb(batch);
        accounts.push(list.lazy());
    }
    let accounts = if accounts.is_empty() {
        super::batch::no_accounts()
    } else {
        concat(accounts, UnionArgs::default())
            .and_then(|l| l.collect())
            .map_err(fail("listing the export's users".into()))?
    };
    for file in &messages {
        let how = How {
            source,
            naive_tz,
            reading,
            accounts: &accounts,
        };
        notes.extend(messages_file(archive, file, &how, &mut parts)?);
    }
    let mut batch = parts.finish(notes)?;
    read::name_gaps(&mut batch.rejects, naive_tz);
    Ok((batch, accounts))
}

/// Hands the bodies of the kept messages, and their senders' names, to the themes' counter.
fn bodies(sink: &super::texts::TextSink, kept: &LazyFrame) -> Result<()> {
    let said = kept
        .clone()
        .select([
            col("id"),
            col(AT),
            col("sender_id"),
            space().alias("__space"),
            col("__body"),
            col("__sender_name"),
        ])
        .collect()
        .map_err(fail("reading message bodies".into()))?;
    if let Ok(names) = said.column("__sender_name").and_then(|c| c.str().cloned()) {
        sink.names(names.iter().flatten());
    }
    super::texts::from_frame(sink, &said, ["id", AT, "sender_id", "__space", "__body"])
}

/// How the messages are read: the source's label and zone, the run's reading (where events
/// and bodies go), and the export's accounts, handed on with each batch.
struct How<'a> {
    source: &'a str,
    naive_tz: chrono_tz::Tz,
    reading: &'a Reading<'a>,
    accounts: &'a DataFrame,
}

/// The columns the first pass reads: those that say who wrote a message, in which thread,
/// and whether it is kept (see [`checked`]).
const FIRST_PASS: [&str; 9] = [
    "id",
    "thread_id",
    "sender_id",
    "sender_type",
    "created_at",
    "deleted_at",
    "message_type",
    "replied_to_id",
    "in_private_conversation",
];

/// One Messages.csv, a chunk at a time (an export's messages can be gigabytes, and polars'
/// own scan would map a file whole or read a zip entry into memory): a post per thread
/// starter, a reply (to the replied-to message's sender) for the rest. A first pass over the
/// file keeps only what every chunk needs of the whole: who wrote each kept message and which
/// threads a kept post starts. Returns the notes on times without a zone and on replies whose
/// post is not in the export.
fn messages_file(
    archive: &mut Archive,
    file: &str,
    how: &How,
    parts: &mut read::Parts,
) -> Result<Vec<Note>> {
    let header = read::csv_header_in(archive, file)?;
    let path = archive.path().join(file);
    read::require_columns(
        &path,
        &header,
        &MESSAGE_COLUMNS,
        "a Viva Engage Messages.csv",
        "a network data export's Messages.csv has id, thread_id, sender_id and created_at among its columns",
    )?;
    let whole = first_pass(archive, file, &header, how)?;
    let parents = whole
        .clone()
        .lazy()
        .filter(col("__kept"))
        .select([
            col("id").alias("__pid"),
            col("sender_id").alias("__psender"),
        ])
        .unique_stable(Some(cols(["__pid"])), UniqueKeepStrategy::First)
        .collect()
        .map_err(fail("finding who wrote each message".into()))?;
    let mut notes = read::zone_note(&whole, "__no_zone", file, how.naive_tz);
    notes.extend(replies_outside(&whole)?);
    drop(whole);
    let each = |chunk: DataFrame| -> Result<()> {
        let batch = checked(chunk.lazy(), &header, how.naive_tz, how.reading)
            .collect()
            .map_err(fail(format!("reading {file}")))?;
        let kept = read::kept(&batch);
        if let Some(sink) = how.reading.texts {
            bodies(sink, &kept)?;
        }
        let events = canonical(kept, parents.clone().lazy(), how.source)
            .collect()
            .map_err(fail(format!("reading {file}")))?;
        match how.reading.events_to {
            Some(to) => {
                (to.0)(events, how.accounts)?;
                parts.add_checked(
                    &batch,
                    file,
                    read::Location::Record,
                    super::batch::empty_events(),
                )
            }
            None => parts.add_checked(&batch, file, read::Location::Record, events.lazy()),
        }
    };
    archive.with_reader(file, |r| read::for_each_chunk(r, &path, None, each))?;
    Ok(notes)
}

/// The first pass over a Messages.csv: `id, sender_id, thread_id, __kept, __no_zone` of every
/// message, read a chunk at a time with only the columns that decide them.
fn first_pass(
    archive: &mut Archive,
    file: &str,
    header: &[String],
    how: &How,
) -> Result<DataFrame> {
    let path = archive.path().join(file);
    let read: Vec<String> = header
        .iter()
        .filter(|h| FIRST_PASS.contains(&h.as_str()))
        .cloned()
        .collect();
    let kept = col(REASON).is_null().and(col(EXCLUDED).is_null());
    let mut whole: Option<DataFrame> = None;
    let each = |chunk: DataFrame| -> Result<()> {
        let seen = checked(chunk.lazy(), &read, how.naive_tz, how.reading)
            .select([
                col("id"),
                col("sender_id"),
                col("thread_id"),
                kept.clone().alias("__kept"),
                col("__no_zone"),
            ])
            .collect()
            .map_err(fail(format!("reading {file}")))?;
        match whole.as_mut() {
            None => whole = Some(seen),
            Some(w) => {
                w.vstack_mut_owned(seen)
                    .map_err(fail(format!("reading {file}")))?;
            }
        }
        Ok(())
    };
    let names: Vec<&str> = FIRST_PASS.to_vec();
    archive.with_reader(file, |r| read::for_each_chunk(r, &path, Some(&names), each))?;
    // Left in its chunks: a copy into one would double the pass's memory for nothing.
    whole.ok_or_else(|| {
        crate::error::fault(format!("reading {file}"), "the reader handed on no chunk")
    })
}

/// The note on kept replies whose thread no kept post starts (`whole`: `id, thread_id,
/// __kept` of every message).
fn replies_outside(whole: &DataFrame) -> Result<Option<Note>> {
    let events = whole
        .clone()
        .lazy()
        .filter(col("__kept"))
        .select([
            col("id").alias(crate::vocabulary::event::EVENT_ID),
            col("thread_id").alias(crate::vocabulary::event::THREAD_ID),
            when(col("id").eq(col("thread_id")))
                .then(lit("post"))
                .otherwise(lit("reply"))
                .alias(crate::vocabulary::event::ACTION),
        ])
        .collect()
        .map_err(fail("counting replies outside the export".into()))?;
    super::batch::reply_note(&events).map_err(fail("counting replies outside the export".into()))
}

/// Messages.csv's rows with the reason each is rejected or excluded, if any.
fn checked(
    lf: LazyFrame,
    header: &[String],
    naive_tz: chrono_tz::Tz,
    reading: &Reading,
) -> LazyFrame {
    let include_bots = reading.include_bots;
    let non_user = optional(header, "sender_type")
        .str()
        .to_lowercase()
        .neq(lit("user"))
        .fill_null(lit(false));
    lf.select([
        col(ROW),
        col("id"),
        optional(header, "replied_to_id").alias("replied_to_id"),
        col("thread_id"),
        optional(header, "group_id").alias("group_id"),
        col("sender_id"),
        non_user.alias("__non_user"),
        read::parse_timestamp(col("created_at"), naive_tz).alias(AT),
        read::timestamp_without_zone(col("created_at"), naive_tz).alias("__no_zone"),
        col("created_at"),
        optional(header, "deleted_at").alias("deleted_at"),
        optional(header, "in_private_conversation")
            .str()
            .to_lowercase()
            .eq(lit("true"))
            .fill_null(lit(false))
            .alias("__private"),
        optional(header, "message_type")
            .str()
            .to_lowercase()
            .alias("__type"),
        // Bodies and sender names only for themes; never kept.
        body_column(reading.texts, optional(header, "body")).alias("__body"),
        body_column(reading.texts, optional(header, "sender_name")).alias("__sender_name"),
    ])
    .with_columns([
        // A message whose sender is gone (an empty sender_id) is kept without an actor, as
        // every adapter keeps a deleted user's posts: it counts in the content totals and in
        // nobody's figures.
        when(col("id").is_null())
            .then(lit("missing id"))
            .when(col(AT).is_null())
            .then(lit("unreadable created_at"))
            .otherwise(lit(NULL).cast(DataType::String))
            .alias(REASON),
        when(col("id").is_null())
            .then(lit(""))
            .otherwise(col("created_at").fill_null(lit("")))
            .alias(RAW),
    ])
    .with_column(
        when(col(REASON).is_not_null())
            .then(lit(NULL).cast(DataType::String))
            .when(col("deleted_at").is_not_null())
            .then(lit("deleted message"))
            .when(col("__non_user").and(lit(!include_bots)))
            .then(lit("non-user sender"))
            .when(col("__type").eq(lit("system")).fill_null(lit(false)))
            .then(lit("system notice (message_type system)"))
            .otherwise(lit(NULL).cast(DataType::String))
            .alias(EXCLUDED),
    )
}

/// The kept messages as canonical events: thread starters posts, the rest replies to the
/// sender of the message they reply to (`parents`: `__pid, __psender` of every kept message).
fn canonical(kept: LazyFrame, parents: LazyFrame, source: &str) -> LazyFrame {
    let is_post = col("id").eq(col("thread_id"));
    kept.join(
        parents,
        [col("replied_to_id")],
        [col("__pid")],
        JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Left)
        },
    )
    .select(read::canonical(
        lit("message/") + col("id"),
        source,
        col(AT),
        col("sender_id"),
        when(is_post.clone())
            .then(lit("post"))
            .otherwise(lit("reply")),
        lit("message/") + col("id"),
        lit("message/") + col("thread_id"),
        when(is_post).then(read::none()).otherwise(col("__psender")),
        space(),
    ))
}

/// A message's space: its group, "All Company" without one; a private conversation has no
/// group and no space (formats: it is not "All Company").
fn space() -> Expr {
    when(col("__private"))
        .then(read::none())
        .otherwise((lit("group/") + col("group_id")).fill_null(lit("all-company")))
}

//! The `discourse` source kind: Data Explorer CSV downloads of `posts`, `topics` and
//! `user_visits` (and optionally the admin `users` list, for emails and account creation), in a
//! folder or zip. The first post of a topic becomes a post, later posts replies (to the user
//! replied to, else the topic's author), moderator and small-action posts curation, each
//! user_visits row a visit, and account creation a join. `topics` is a lookup for authors,
//! categories and deleted topics; its rows are not events. Deleted posts, posts in deleted
//! topics, whispers (staff only) and system accounts (negative ids) are excluded and counted;
//! a deleted user's posts are kept without an author; staged accounts are no members.
//! Downloads are found under the names Discourse gives them, every file of a table read.

use polars::prelude::*;

use super::archive::Archive;
use super::batch::Batch;
use super::batch::{Reading, SourceRead};
use super::read::{self, Location, EXCLUDED, RAW, REASON, ROW};
use super::texts::body_column;
use crate::error::Result;
use crate::plan::SourcePlan;
use crate::vocabulary::notes::{Note, Say};

const AT: &str = "__at";

/// Columns a posts download must have.
const POST_COLUMNS: [&str; 5] = ["id", "user_id", "topic_id", "post_number", "created_at"];

/// The table a download holds, from its file name as Discourse gives it: Data Explorer names a
/// download `<query-slug>@<host>-<date>.dcqresult.csv` (the slug turns `_` into `-`), the admin
/// user list `user-list-YYMMDD-HHMMSS.csv`; a name of one's own (`posts.csv`, `posts 2.csv`)
/// is read up to its first digit, space or bracket.
fn table_of(name: &str) -> Option<String> {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let stem = base.strip_suffix(".csv")?;
    let stem = stem.strip_suffix(".dcqresult").unwrap_or(stem);
    let head = match stem.split_once('@') {
        Some((slug, _)) => slug,
        None => stem
            .split(|c: char| c.is_ascii_digit() || c == ' ' || c == '(')
            .next()
            .unwrap_or(stem),
    };
    let table = head.trim_end_matches(['-', '_']).replace('-', "_");
    Some(if table.starts_with("user_list") {
        "users".into()
    } else {
        table
    })
}

/// Every file of the export that holds `table`, in name order: Data Explorer gives at most
/// 10,000 rows a download, so a forum's posts come in several files.
fn files(archive: &Archive, table: &str) -> Vec<String> {
    let mut found: Vec<String> = archive
        .names()
        .iter()
        .filter(|n| table_of(n).as_deref() == Some(table))
        .cloned()
        .collect();
    found.sort();
    found
}

fn system(id: Expr, include_bots: bool) -> Expr {
    id.str()
        .starts_with(lit("-"))
        .and(lit(!include_bots))
        .fill_null(lit(false))
}

/// Reads a Discourse export: canonical events and the accounts (`source, account, email`).
/// The adapter contract ([`super::Adapter`]).
pub fn read(source: &SourcePlan, reading: &Reading) -> Result<SourceRead> {
    super::batch::read_archive(source, reading, read_archive)
}

fn read_archive(
    archive: &mut Archive,
    source: &str,
    tz: chrono_tz::Tz,
    reading: &Reading,
) -> Result<(Batch, DataFrame)> {
    let include_bots = reading.include_bots;
    let posts_files = files(archive, "posts");
    if posts_files.is_empty() {
        return Err(archive.not_a(
            "a Discourse Data Explorer export",
            "posts.csv (or posts@<forum>-<date>.dcqresult.csv)",
            "put the Data Explorer downloads of posts, topics and user_visits (and the admin user list) in one folder",
        ));
    }
    let how = How {
        source,
        tz,
        include_bots,
        texts: reading.texts,
    };
    let mut parts = read::Parts::default();
    let topics = topics(archive)?;
    let mut notes = vec![Note::plain(Say::DiscourseNoViews)];
    for file in &posts_files {
        notes.extend(posts(archive, file, topics.clone(), &how, &mut parts)?);
    }
    let visit_files = files(archive, "user_visits");
    for file in &visit_files {
        visits(archive, file, &how, &mut parts)?;
    }
    notes.push(Note::plain(if visit_files.is_empty() {
        Say::DiscourseNoVisits
    } else {
        Say::DiscourseVisitDays
    }));
    let mut accounts = super::batch::no_accounts();
    if let Some(file) = files(archive, "users").into_iter().next() {
        let is_system = |id: Expr| system(id, include_bots);
        let (mut batch, list) = read::user_list(
            archive,
            read::UserList {
                file: &file,
                format: "a Discourse users CSV",
                help: "the admin user list has id, email and created_at",
                created: "created_at",
                deleted: None,
                system: &is_system,
                pending_without_created: false,
                never_signed_up: Some("staged"),
            },
            source,
            tz,
        )?;
        notes.append(&mut batch.notes);
        parts.absorb(batch);
        accounts = list;
    }
    let mut batch = parts.finish(notes)?;
    let outside = super::batch::reply_note(&batch.events)
        .map_err(crate::error::internal("counting replies outside an export"))?;
    batch.notes.extend(outside);
    read::name_gaps(&mut batch.rejects, tz);
    Ok((batch, accounts))
}

/// Hands the bodies of the kept posts and replies (of the download at `path`) to the themes'
/// counter.
fn bodies(sink: &super::texts::TextSink, said: LazyFrame, path: &std::path::Path) -> Result<()> {
    let said = said
        .with_column((lit("category/") + col("__category")).alias("__space"))
        .collect()
        .map_err(|e| read::csv_failure(path, None, e))?;
    super::texts::from_frame(sink, &said, ["id", AT, "user_id", "__space", "__body"])
}

/// How this export is read: its label, the zone of times without one, whether bots count.
struct How<'a> {
    source: &'a str,
    tz: chrono_tz::Tz,
    include_bots: bool,
    /// Where post bodies go (the `raw` column, where the download has it) for themes.
    texts: Option<&'a super::texts::TextSink<'a>>,
}

/// topics: id -> author and category, for targets and spaces.
fn topics(archive: &mut Archive) -> Result<Option<LazyFrame>> {
    let mut frames = Vec::new();
    for file in files(archive, "topics") {
        let (lf, header) = read::text_csv_in(archive, &file)?;
        read::require_columns(
            &archive.path().join(&file),
            &header,
            &["id", "user_id"],
            "a Discourse topics CSV",
            "a Data Explorer topics download has id, user_id and category_id",
        )?;
        frames.push(
            lf.select([
                col("id").alias("__topic"),
                col("user_id").alias("__topic_owner"),
                read::text_or_null(&header, "category_id").alias("__category"),
                read::text_or_null(&header, "deleted_at")
                    .is_not_null()
                    .alias("__topic_deleted"),
            ]),
        );
    }
    Ok(match frames.len() {
        0 => None,
        _ => Some(
            concat(frames, UnionArgs::default())
                .map_err(crate::error::internal("combining topics downloads"))?,
        ),
    })
}

/// The posts: each a post, reply or curation, with its topic's owner as the target of a reply
/// that names none. Returns the notes about the export.
fn posts(
    archive: &mut Archive,
    posts_file: &str,
    topics: Option<LazyFrame>,
    how: &How,
    parts: &mut read::Parts,
) -> Result<Vec<Note>> {
    let How {
        source,
        tz,
        include_bots,
        ..
    } = *how;
    let (lf, header) = read::text_csv_in(archive, posts_file)?;
    read::require_columns(
        &archive.path().join(posts_file),
        &header,
        &POST_COLUMNS,
        "a Discourse posts CSV",
        "a Data Explorer posts download has id, user_id, topic_id, post_number and created_at among its columns",
    )?;
    let mut posts = lf.select([
        col(ROW),
        col("id"),
        col("user_id"),
        col("topic_id"),
        col("post_number"),
        read::parse_timestamp(col("created_at"), tz).alias(AT),
        read::timestamp_without_zone(col("created_at"), tz).alias("__no_zone"),
        col("created_at"),
        read::text_or_null(&header, "reply_to_user_id").alias("reply_to_user_id"),
        read::text_or_null(&header, "deleted_at").alias("deleted_at"),
        read::text_or_null(&header, "post_type").alias("post_type"),
        body_column(how.texts, read::text_or_null(&header, "raw")).alias("__body"),
    ]);
    posts = match &topics {
        Some(t) => posts.join(
            t.clone()
                .unique_stable(Some(cols(["__topic"])), UniqueKeepStrategy::First),
            [col("topic_id")],
            [col("__topic")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        ),
        None => posts.with_columns([
            lit(NULL).cast(DataType::String).alias("__topic_owner"),
            lit(NULL).cast(DataType::String).alias("__category"),
            lit(false).alias("__topic_deleted"),
        ]),
    };
    let checked = posts
        .with_columns([
            when(col("id").is_null().or(col("topic_id").is_null()))
                .then(lit("missing id or topic_id"))
                .when(col(AT).is_null())
                .then(lit("unreadable created_at"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(REASON),
            col("created_at").fill_null(lit("")).alias(RAW),
        ])
        .with_column(
            when(col(REASON).is_not_null())
                .then(lit(NULL).cast(DataType::String))
                .when(col("deleted_at").is_not_null())
                .then(lit("deleted post"))
                // Gone for the members, so no longer part of the conversation.
                .when(col("__topic_deleted").fill_null(lit(false)))
                .then(lit("post in a deleted topic"))
                // Staff-only: members never saw it, and it must not make a topic answered.
                .when(col("post_type").eq(lit("4")).fill_null(lit(false)))
                .then(lit("whisper (post_type 4, staff only)"))
                .when(system(col("user_id"), include_bots))
                .then(lit("system account"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(EXCLUDED),
        )
        .collect()
        .map_err(|e| read::csv_failure(&archive.path().join(posts_file), None, e))?;
    let notes = read::zone_note(&checked, "__no_zone", posts_file, tz);
    if let Some(sink) = how.texts {
        let said = read::kept(&checked).filter(curation().not());
        bodies(sink, said, &archive.path().join(posts_file))?;
    }
    let events = read::kept(&checked).select(canonical(source));
    parts.add_checked(&checked, posts_file, Location::Record, events)?;
    Ok(notes)
}

/// Moderator and small-action posts: curation, not conversation.
fn curation() -> Expr {
    col("post_type")
        .is_in(
            lit(Series::new("t".into(), ["2", "3"])).implode(false),
            false,
        )
        .fill_null(lit(false))
}

/// A kept post as a canonical event: a topic's first post a post, later ones replies (to
/// the post replied to, else the topic's author), moderator actions curations.
fn canonical(source: &str) -> [Expr; 9] {
    let first = col("post_number").eq(lit("1"));
    read::canonical(
        lit("post/") + col("id"),
        source,
        col(AT),
        col("user_id"),
        when(curation())
            .then(lit("curate"))
            .when(first.clone())
            .then(lit("post"))
            .otherwise(lit("reply")),
        lit("post/") + col("id"),
        lit("topic/") + col("topic_id"),
        when(first.or(curation()))
            .then(read::none())
            .otherwise(col("reply_to_user_id").fill_null(col("__topic_owner"))),
        lit("category/") + col("__category"),
    )
}

/// The user visits: a `visit` per user and day.
fn visits(archive: &mut Archive, file: &str, how: &How, parts: &mut read::Parts) -> Result<()> {
    let How {
        source,
        tz,
        include_bots,
        ..
    } = *how;
    let (lf, header) = read::text_csv_in(archive, file)?;
    read::require_columns(
        &archive.path().join(file),
        &header,
        &["user_id", "visited_at"],
        "a Discourse user_visits CSV",
        "a Data Explorer user_visits download has user_id and visited_at",
    )?;
    // A visit is a day; it is placed at noon of that day in the source's time zone so that
    // it stays on its date in any reporting time zone within twelve hours.
    let noon = read::parse_timestamp(
        col("visited_at").str().slice(lit(0), lit(10)) + lit(" 12:00:00"),
        tz,
    );
    let checked = lf
        .select([col(ROW), col("user_id"), col("visited_at"), noon.alias(AT)])
        .with_columns([
            when(col("user_id").is_null())
                .then(lit("missing user_id"))
                .when(col(AT).is_null())
                .then(lit("unreadable visited_at"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(REASON),
            col("visited_at").fill_null(lit("")).alias(RAW),
        ])
        .with_column(
            when(
                col(REASON)
                    .is_null()
                    .and(system(col("user_id"), include_bots)),
            )
            .then(lit("system account"))
            .otherwise(lit(NULL).cast(DataType::String))
            .alias(EXCLUDED),
        )
        .collect()
        .map_err(|e| read::csv_failure(&archive.path().join(file), None, e))?;
    parts.add_checked(
        &checked,
        file,
        Location::Line,
        read::kept(&checked).select(read::canonical(
            lit("visit/")
                + col("user_id")
                + lit("/")
                + col("visited_at").str().slice(lit(0), lit(10)),
            source,
            col(AT),
            col("user_id"),
            lit("visit"),
            read::none(),
            read::none(),
            read::none(),
            read::none(),
        )),
    )?;
    Ok(())
}

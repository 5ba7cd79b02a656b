//! The `discourse` source kind: Data Explorer CSV downloads of `posts`, `topics` and
//! `user_visits` (and optionally the admin `users` list, for emails and account creation), in a
//! folder or zip. The first post of a topic becomes a post, later posts replies (to the user
//! replied to, else the topic's author), moderator and small-action posts curation, each
//! user_visits row a visit, and account creation a join. `topics` is a lookup for authors and
//! categories; its rows are not events. Deleted posts and system accounts (negative ids) are
//! excluded and counted.

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

/// The export's file for a table: `posts.csv`, or a name starting with `posts`.
fn find(archive: &Archive, table: &str) -> Option<String> {
    let names = archive.names();
    let base = |n: &str| n.rsplit('/').next().unwrap_or(n).to_ascii_lowercase();
    names
        .iter()
        .find(|n| base(n) == format!("{table}.csv"))
        .or_else(|| {
            names.iter().find(|n| {
                let b = base(n);
                b.starts_with(table) && b.ends_with(".csv") && !b.starts_with(&format!("{table}_"))
            })
        })
        .cloned()
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
    let Some(posts_file) = find(archive, "posts") else {
        return Err(archive.not_a(
            "a Discourse Data Explorer export",
            "posts.csv",
            "put the Data Explorer downloads posts.csv, topics.csv and user_visits.csv in one folder",
        ));
    };
    let how = How {
        source,
        tz,
        include_bots,
        texts: reading.texts,
    };
    let mut parts = read::Parts::default();
    let topics = topics(archive)?;
    let mut notes = posts(archive, &posts_file, topics, &how, &mut parts)?;
    if let Some(file) = find(archive, "user_visits") {
        visits(archive, &file, &how, &mut parts)?;
    }
    let mut accounts = super::batch::no_accounts();
    if let Some(file) = find(archive, "users") {
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
            },
            source,
            tz,
        )?;
        notes.append(&mut batch.notes);
        parts.absorb(batch);
        accounts = list;
    }
    let mut batch = parts.finish(notes)?;
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
    Ok(match find(archive, "topics") {
        Some(file) => {
            let (lf, header) = read::text_csv_in(archive, &file)?;
            read::require_columns(
                &archive.path().join(&file),
                &header,
                &["id", "user_id"],
                "a Discourse topics CSV",
                "a Data Explorer topics download has id, user_id and category_id",
            )?;
            Some(lf.select([
                col("id").alias("__topic"),
                col("user_id").alias("__topic_owner"),
                read::text_or_null(&header, "category_id").alias("__category"),
            ]))
        }
        None => None,
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
                .when(system(col("user_id"), include_bots))
                .then(lit("system account"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(EXCLUDED),
        )
        .collect()
        .map_err(|e| read::csv_failure(&archive.path().join(posts_file), None, e))?;
    let mut notes = vec![
        Note::plain(Say::DiscourseNoViews),
        Note::plain(Say::DiscourseVisitDays),
    ];
    notes.extend(read::zone_note(&checked, "__no_zone", posts_file, tz));
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

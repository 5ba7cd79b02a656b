//! An export's list of users (Viva Engage's Users.csv, Discourse's user list) read into the
//! accounts it names and the joins it dates, with the rules for who is a member (pending and
//! staged users are not). Split from `read.rs` by job.

use super::*;

/// How to read an export's list of users.
pub struct UserList<'a> {
    pub file: &'a str,
    /// Format name and help for a header without an `id` column.
    pub format: &'a str,
    pub help: &'a str,
    /// Column holding the account's creation time, which becomes a join.
    pub created: &'a str,
    /// Column holding the account's deletion time, if the list has one.
    pub deleted: Option<&'a str>,
    /// Whether an account id is a system account, to exclude.
    pub system: &'a dyn Fn(Expr) -> Expr,
    /// Whether an account without a creation time never joined (Viva Engage's pending,
    /// invited users): then it is no member, and not in the population.
    pub pending_without_created: bool,
    /// A `true`/`false` column marking accounts that never signed up (Discourse's `staged`,
    /// made by e-mail-in): no members either.
    pub never_signed_up: Option<&'a str>,
}

/// Reads a user list (`id`, `email`, a creation time): a join event per user with a readable
/// creation time, and the accounts (`source, account, email`) for identity resolution.
pub fn user_list(
    archive: &mut crate::ingest::archive::Archive,
    list: UserList,
    source: &str,
    tz: chrono_tz::Tz,
) -> Result<(crate::ingest::batch::Batch, DataFrame)> {
    const AT: &str = "__at";
    let (lf, header) = text_csv_in(archive, list.file)?;
    require_columns(
        &archive.path().join(list.file),
        &header,
        &["id"],
        list.format,
        list.help,
    )?;
    let created = text_or_null(&header, list.created);
    let checked = lf
        .select([
            col(ROW),
            col("id"),
            text_or_null(&header, "email").alias("email"),
            parse_timestamp(created.clone(), tz).alias(AT),
            timestamp_without_zone(created.clone(), tz).alias("__no_zone"),
            created.alias("__created"),
            match list.deleted {
                Some(d) => parse_timestamp(text_or_null(&header, d), tz).dt().date(),
                None => lit(NULL).cast(DataType::Date),
            }
            .alias("__deleted"),
            match list.never_signed_up {
                Some(c) => text_or_null(&header, c)
                    .str()
                    .to_lowercase()
                    .eq(lit("true"))
                    .fill_null(lit(false)),
                None => lit(false),
            }
            .alias("__staged"),
        ])
        .with_columns([
            when(col("id").is_null())
                .then(lit("missing id"))
                .when(col("__created").is_not_null().and(col(AT).is_null()))
                .then(lit(format!("unreadable {}", list.created)))
                .otherwise(none())
                .alias(REASON),
            col("__created").fill_null(lit("")).alias(RAW),
        ])
        .with_column(
            when(col(REASON).is_not_null())
                .then(none())
                .when((list.system)(col("id")))
                .then(lit("system account"))
                .when(col("__staged"))
                .then(lit("account that never signed up"))
                .when(col(AT).is_null().and(lit(list.pending_without_created)))
                .then(lit(format!("pending user (no {})", list.created)))
                .when(col(AT).is_null())
                .then(lit(format!("user without {}", list.created)))
                .otherwise(none())
                .alias(EXCLUDED),
        )
        .collect()
        .map_err(Error::polars(
            format!("reading {}", list.file),
            "check that the file is the export's user list",
        ))?;
    let mut excluded = std::collections::BTreeMap::new();
    tally_excluded(&checked, &mut excluded, list.file)?;
    let mut rejects = rejects_from(&checked, list.file, Location::Record)?;
    name_gaps(&mut rejects, tz);
    let accounts = members(&checked, &list, source)?;
    let events = kept(&checked)
        .select(canonical(
            lit("user/") + col("id"),
            source,
            col(AT),
            col("id"),
            lit("join"),
            none(),
            none(),
            none(),
            none(),
        ))
        .collect()
        .map_err(crate::error::internal(format!("reading {}", list.file)))?;
    Ok((
        crate::ingest::batch::Batch {
            events,
            rows_read: checked.height() as u64,
            excluded,
            rejects,
            notes: zone_note(&checked, "__no_zone", list.file, tz),
        },
        accounts,
    ))
}

/// The accounts of a checked user list (`source, account, email, joined, deleted`). System
/// accounts are not people, nor are accounts that never joined: they stay out of the user
/// list, and so out of the population.
pub(super) fn members(checked: &DataFrame, list: &UserList, source: &str) -> Result<DataFrame> {
    const AT: &str = "__at";
    let pending = col(AT).is_null().and(lit(list.pending_without_created));
    checked
        .clone()
        .lazy()
        .filter(
            col("id")
                .is_not_null()
                .and((list.system)(col("id")).not())
                .and(col("__staged").not())
                .and(pending.not()),
        )
        .select([
            lit(source.to_string()).alias("source"),
            col("id").alias("account"),
            col("email"),
            col(AT).dt().date().alias("joined"),
            col("__deleted").alias("deleted"),
        ])
        .collect()
        .map_err(crate::error::internal(format!("reading {}", list.file)))
}

//! Identity resolution: accounts in the sources become people. An account belongs to a roster
//! person through the identity map (`source, account, person_id`), by being a roster
//! person_id itself, or by its email (case-insensitive) matching a roster email. Accounts that
//! resolve to no one stay as their own people, named `<source>:<account>` so that two tools'
//! account ids never collide, and are listed for the data-quality report.

use polars::prelude::*;

use crate::error::internal as fail;
use crate::error::Result;
use crate::normalize::{stack, Events};
use crate::vocabulary::{event, person};

use crate::vocabulary::accounts::{ACCOUNT, EMAIL, PERSON, SOURCE};

/// `source, account, person_id`: who each known account is, the identity map winning over the
/// roster's ids, and those over emails.
pub fn mapping(
    seen: LazyFrame,
    accounts: &DataFrame,
    roster: &DataFrame,
    identity_map: Option<&DataFrame>,
) -> Result<DataFrame> {
    let emails = roster_emails(roster);
    let by_id = seen
        .clone()
        .join(
            roster
                .clone()
                .lazy()
                .select([col(person::PERSON_ID).alias(PERSON)]),
            [col(ACCOUNT)],
            [col(PERSON)],
            JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::KeepColumns),
        )
        .select([
            col(SOURCE),
            col(ACCOUNT),
            col(PERSON),
            lit(2u32).alias("__rank"),
            lit(0u32).alias("__ord"),
        ]);
    let account_emails = concat(
        [
            accounts
                .clone()
                .lazy()
                .filter(col(EMAIL).is_not_null())
                .select([
                    col(SOURCE),
                    col(ACCOUNT),
                    col(EMAIL),
                    lit(0u32).alias("__ord"),
                ]),
            // An account that is itself an email address (the email its source lists wins).
            seen.clone()
                .filter(col(ACCOUNT).str().contains_literal(lit("@")))
                .select([
                    col(SOURCE),
                    col(ACCOUNT),
                    col(ACCOUNT).alias(EMAIL),
                    lit(1u32).alias("__ord"),
                ]),
        ],
        UnionArgs::default(),
    )
    .map_err(fail("matching emails"))?;
    let by_email = account_emails
        .with_column(
            col(EMAIL)
                .str()
                .to_lowercase()
                .str()
                .strip_chars(lit(NULL))
                .alias("__email"),
        )
        .join(
            emails,
            [col("__email")],
            [col("__email")],
            JoinArgs::new(JoinType::Inner),
        )
        .select([
            col(SOURCE),
            col(ACCOUNT),
            col(PERSON),
            lit(3u32).alias("__rank"),
            col("__ord"),
        ]);
    let mut parts = vec![by_id, by_email];
    if let Some(map) = identity_map {
        parts.push(map.clone().lazy().select([
            col(SOURCE),
            col(ACCOUNT),
            col(PERSON),
            lit(1u32).alias("__rank"),
            lit(0u32).alias("__ord"),
        ]));
    }
    concat(parts, UnionArgs::default())
        .map_err(fail("combining identities"))?
        .sort(
            ["__rank", SOURCE, ACCOUNT, "__ord"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .unique_stable(Some(cols([SOURCE, ACCOUNT])), UniqueKeepStrategy::First)
        .select([col(SOURCE), col(ACCOUNT), col(PERSON)])
        .collect()
        .map_err(fail("resolving identities"))
}

/// `__email, person_id`: the roster's emails as accounts are matched to them (lower case, no
/// surrounding white space), the first person of an email kept.
pub fn roster_emails(roster: &DataFrame) -> LazyFrame {
    roster
        .clone()
        .lazy()
        .filter(col(person::EMAIL).is_not_null())
        .select([
            col(person::EMAIL)
                .str()
                .to_lowercase()
                .str()
                .strip_chars(lit(NULL))
                .alias("__email"),
            col(person::PERSON_ID).alias(PERSON),
        ])
        .unique_stable(Some(cols(["__email"])), UniqueKeepStrategy::First)
}

/// The one pass over a part of the events (carrying `period_key`) that identity resolution
/// and the calendar need: `source, account, period_key, events, __actor`, with a row per
/// actor account (null included) and period counting its events (`__actor` true), and a row
/// per target account (`__actor` false, no period, no events).
pub fn accounts_counted(part: LazyFrame) -> LazyFrame {
    let actors = part
        .clone()
        .group_by([
            col(event::SOURCE).alias(SOURCE),
            col(event::ACTOR).alias(ACCOUNT),
            col(crate::normalize::PERIOD_KEY),
        ])
        .agg([len().cast(DataType::UInt64).alias("events")])
        .with_column(lit(true).alias("__actor"));
    // A group-by rather than `unique`, which polars' streaming engine runs in memory.
    let targets = part
        .filter(col(event::TARGET_ACTOR).is_not_null())
        .group_by([
            col(event::SOURCE).alias(SOURCE),
            col(event::TARGET_ACTOR).alias(ACCOUNT),
        ])
        .agg([len().alias("__events")])
        .select([
            col(SOURCE),
            col(ACCOUNT),
            lit(NULL)
                .cast(DataType::Int32)
                .alias(crate::normalize::PERIOD_KEY),
            lit(0u64).cast(DataType::UInt64).alias("events"),
            lit(false).alias("__actor"),
        ]);
    stack(actors, targets)
}

/// The rows of `mapping` for the accounts of one part's [`accounts_counted`], in order.
fn rows_for(mapping: &DataFrame, accounts: &DataFrame) -> Result<DataFrame> {
    mapping
        .clone()
        .lazy()
        .join(
            accounts.clone().lazy().select([col(SOURCE), col(ACCOUNT)]),
            [col(SOURCE), col(ACCOUNT)],
            [col(SOURCE), col(ACCOUNT)],
            JoinArgs::new(JoinType::Semi),
        )
        .sort([SOURCE, ACCOUNT, PERSON], SortMultipleOptions::default())
        .collect()
        .map_err(fail("listing the identities of a part"))
}

/// Replaces accounts by people in `actor` and `target_actor`. Unmapped accounts of sources in
/// `prefixed` become `<source>:<account>`; others stay as they are.
pub fn apply(events: LazyFrame, mapping: &DataFrame, prefixed: &[String]) -> LazyFrame {
    apply_to(
        events,
        mapping,
        prefixed,
        &[event::ACTOR, event::TARGET_ACTOR],
    )
}

/// Replaces accounts by people in the given columns of a frame with a `source` column.
pub fn apply_to(
    frame: LazyFrame,
    mapping: &DataFrame,
    prefixed: &[String],
    columns: &[&str],
) -> LazyFrame {
    let prefixed = Series::new("prefixed".into(), prefixed.to_vec());
    // An account that maps to itself in a source without prefixes changes nothing: leaving
    // those rows out of the join keeps the common case (events keyed by roster ids) from
    // joining every event twice.
    let changes = mapping
        .clone()
        .lazy()
        .filter(
            col(ACCOUNT)
                .neq(col(PERSON))
                .or(col(SOURCE).is_in(lit(prefixed.clone()).implode(false), false)),
        )
        .collect()
        .unwrap_or_else(|_| mapping.clone());
    let mut out = frame;
    if changes.height() == 0 && prefixed.is_empty() {
        // Nothing to rename: no per-event work at all (polars evaluates both branches of a
        // `when`, so even an unused prefix would be built for every event).
        return out;
    }
    for &column in columns {
        if changes.height() == 0 {
            out =
                out.with_column(
                    when(col(column).is_not_null().and(
                        col(event::SOURCE).is_in(lit(prefixed.clone()).implode(false), false),
                    ))
                    .then(col(event::SOURCE) + lit(":") + col(column))
                    .otherwise(col(column))
                    .alias(column),
                );
            continue;
        }
        let mapping = &changes;
        let person = format!("__person_{column}");
        out = out
            .join(
                mapping.clone().lazy().select([
                    col(SOURCE).alias("__src"),
                    col(ACCOUNT).alias("__acct"),
                    col(PERSON).alias(person.as_str()),
                ]),
                [col(event::SOURCE), col(column)],
                [col("__src"), col("__acct")],
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            .with_column(
                when(col(person.as_str()).is_not_null())
                    .then(col(person.as_str()))
                    .when(
                        col(column).is_not_null().and(
                            col(event::SOURCE).is_in(lit(prefixed.clone()).implode(false), false),
                        ),
                    )
                    .then(col(event::SOURCE) + lit(":") + col(column))
                    .otherwise(col(column))
                    .alias(column),
            )
            .drop(cols([person.as_str()]));
    }
    out
}

/// An empty mapping, for runs without a roster or identity map.
pub fn no_mapping() -> DataFrame {
    DataFrame::new(
        0,
        vec![
            Column::new(SOURCE.into(), Vec::<String>::new()),
            Column::new(ACCOUNT.into(), Vec::<String>::new()),
            Column::new(PERSON.into(), Vec::<String>::new()),
        ],
    )
    .expect("empty columns")
}

/// `source, person, events`: actors that resolved to nobody on the roster, with how many
/// events they have, most first, from counts of resolved actors (`source, actor, events`,
/// several rows per actor allowed).
pub fn unresolved(counted: LazyFrame, roster: &DataFrame) -> Result<DataFrame> {
    let ids = roster
        .column(person::PERSON_ID)
        .map_err(fail("reading the roster"))?
        .as_materialized_series()
        .clone();
    counted
        .filter(
            col(event::ACTOR).is_not_null().and(
                col(event::ACTOR)
                    .is_in(lit(ids).implode(false), false)
                    .not(),
            ),
        )
        .group_by([col(event::SOURCE), col(event::ACTOR)])
        .agg([col("events").sum().cast(DataType::UInt64)])
        .sort(
            ["events", event::SOURCE, event::ACTOR],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false, false])
                .with_maintain_order(true),
        )
        .select([
            col(event::SOURCE).alias(SOURCE),
            col(event::ACTOR).alias("person"),
            col("events"),
        ])
        .collect()
        .map_err(fail("listing unresolved accounts"))
}

/// What identity resolution works from.
pub struct Inputs<'a> {
    /// Canonical events, actors and targets as the sources name them.
    pub events: Events,
    /// [`accounts_counted`] of each part of `events`.
    pub counted: Vec<DataFrame>,
    /// Usage counts (`source, account, ...`), if any source gave them.
    pub usage: Option<DataFrame>,
    /// Every source's accounts (`source, account, email, joined, deleted`).
    pub accounts: DataFrame,
    pub roster: Option<&'a DataFrame>,
    pub identity_map: Option<&'a DataFrame>,
    /// Sources whose unmapped accounts become `<source>:<account>`.
    pub prefixed: &'a [String],
}

/// Everything with accounts replaced by people.
pub struct Resolved {
    /// The events with accounts replaced by people; nothing is read until a query runs.
    pub events: Events,
    /// `source, actor, period_key, events`: events per person (or unresolved account) and
    /// period, a row each.
    pub counted: LazyFrame,
    /// Usage counts with `person` in place of `account`.
    pub usage: Option<DataFrame>,
    /// The sources' user lists: `source, person, joined, deleted`.
    pub users: DataFrame,
}

/// Resolves accounts to people in events, usage counts and user lists (see the module notes).
pub fn resolve(inputs: Inputs) -> Result<Resolved> {
    use crate::vocabulary::activity::PERSON as PERSON_COL;
    let parts = inputs.counted.iter().cloned().map(DataFrame::lazy);
    let counted = concat(parts.collect::<Vec<_>>(), UnionArgs::default())
        .map_err(fail("listing accounts"))?;
    let usage_accounts = |u: &DataFrame| u.clone().lazy().select([col(SOURCE), col(ACCOUNT)]);
    let map = match inputs.roster {
        Some(roster) => {
            let mut seen = vec![counted
                .clone()
                .filter(col(ACCOUNT).is_not_null())
                .group_by([col(SOURCE), col(ACCOUNT)])
                .agg([len().alias("__rows")])
                .sort([SOURCE, ACCOUNT], SortMultipleOptions::default())
                .select([col(SOURCE), col(ACCOUNT)])];
            seen.extend(inputs.usage.as_ref().map(usage_accounts));
            let seen = concat(seen, UnionArgs::default()).map_err(fail("listing accounts"))?;
            mapping(seen, &inputs.accounts, roster, inputs.identity_map)?
        }
        None => inputs.identity_map.cloned().unwrap_or_else(no_mapping),
    };
    // A part's events change with the mapping of the accounts they name and no others.
    let changes = inputs
        .counted
        .iter()
        .map(|accounts| {
            Ok(format!(
                "accounts to people {}, prefixed {:?}",
                crate::normalize::fingerprint(&rows_for(&map, accounts)?)?,
                inputs.prefixed
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let events = inputs
        .events
        .map_each(&changes, |part| apply(part, &map, inputs.prefixed));
    let actors = counted.filter(col("__actor")).select([
        col(SOURCE).alias(event::SOURCE),
        col(ACCOUNT).alias(event::ACTOR),
        col(crate::normalize::PERIOD_KEY),
        col("events"),
    ]);
    let counted = apply_to(actors, &map, inputs.prefixed, &[event::ACTOR])
        .group_by([
            col(event::SOURCE),
            col(event::ACTOR),
            col(crate::normalize::PERIOD_KEY),
        ])
        .agg([col("events").sum()]);
    let usage = inputs
        .usage
        .map(|u| {
            apply_to(u.lazy(), &map, inputs.prefixed, &[ACCOUNT])
                .rename([ACCOUNT], [PERSON_COL], true)
                .collect()
                .map_err(fail("resolving usage accounts"))
        })
        .transpose()?;
    let users = apply_to(inputs.accounts.lazy(), &map, inputs.prefixed, &[ACCOUNT])
        .select([
            col(SOURCE),
            col(ACCOUNT).alias(PERSON_COL),
            col("joined"),
            col("deleted"),
        ])
        .collect()
        .map_err(fail("resolving user lists"))?;
    Ok(Resolved {
        events,
        counted,
        usage,
        users,
    })
}

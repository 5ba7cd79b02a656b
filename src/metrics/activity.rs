//! The activity table (docs/metrics.md): one row per person in headcount and period. This is the only
//! step whose cost grows with events, so it stays a single query over the event store with an
//! obvious SQL equivalent, ready to run on Spark over the same Parquet files:
//!
//! ```sql
//! WITH counts AS (
//!   SELECT actor, period_key,
//!          SUM(CASE WHEN action = 'post' THEN 1 ELSE 0 END) AS posts,  -- … one per action
//!          COUNT(DISTINCT day) AS active_days
//!   FROM events WHERE actor IS NOT NULL GROUP BY actor, period_key),
//! ties AS (
//!   SELECT actor AS person, period_key, target_actor AS partner FROM events
//!     WHERE action IN ('reply','reaction') AND actor <> target_actor
//!   UNION ALL
//!   SELECT target_actor, period_key, actor FROM events
//!     WHERE action IN ('reply','reaction') AND actor <> target_actor),
//! partners AS (
//!   SELECT person, period_key, COUNT(DISTINCT partner) AS distinct_partners
//!   FROM ties GROUP BY person, period_key)
//! SELECT p.person, p.period_key, COALESCE(c.posts, 0) AS posts, …,
//!        COALESCE(t.distinct_partners, 0) AS distinct_partners
//! FROM population p
//! LEFT JOIN counts c ON c.actor = p.person AND c.period_key = p.period_key
//! LEFT JOIN partners t ON t.person = p.person AND t.period_key = p.period_key
//! ```
//!
//! Usage counts from reports without events, when there are any, add one more
//! `LEFT JOIN (SELECT person, period_key, SUM(posts) ... FROM usage GROUP BY 1, 2)` whose sums
//! are added to the counts.

use polars::prelude::*;

use super::count_stacked;
use crate::normalize::{in_periods, stack, Events, DAY, PERIOD_KEY};
use crate::vocabulary::{activity as a, event, handoff, Action};

use crate::vocabulary::usage::MEASURES as USAGE_MEASURES;

/// Builds the activity table from events carrying `day` and `period_key`, the population
/// (`person, period_key`) and, optionally, usage counts (`person, period_key` and the
/// [`USAGE_MEASURES`]) from reports without events. Counts are `UInt32`; the §3 flags are
/// booleans. Usage counts add to the counts and make a person active, but give no active days.
pub fn activity_table(
    events: LazyFrame,
    population: LazyFrame,
    usage: Option<LazyFrame>,
) -> LazyFrame {
    let Partials { per_day, ties } = event_aggregates(events, &[]);
    from_aggregates(population, per_day, partners(ties, &[]), usage)
}

/// One part's share of the activity table's GROUP BYs (see [`event_aggregates`]).
pub struct Partials {
    /// Counts per actor, period and day (or per actor and period in owned periods).
    pub per_day: LazyFrame,
    /// Replies and reactions per pair and period ([`super::network::ties`]).
    pub ties: LazyFrame,
}

/// Every part's partial aggregates, stacked in memory: what [`from_aggregates`] finishes.
pub struct Aggregates {
    pub per_day: LazyFrame,
    /// Distinct partners per part (see [`partners`]).
    pub partners: LazyFrame,
    /// The ties of every part: the department matrix and the ambassadors read them too.
    pub ties: LazyFrame,
}

/// Runs [`event_aggregates`] over every part of the events, one GROUP BY at a time so each
/// holds only its own state. Each part's distinct partners are counted from its own ties, so
/// only the periods no part holds alone need the stacked rows.
pub fn gather(events: &Events) -> PolarsResult<Aggregates> {
    let per_day = events.gather(handoff::ACTIVITY, |part, owned| {
        event_aggregates(part, owned).per_day
    })?;
    // Named with its replies column, so ties kept by a version without it are not reused.
    let tie_parts = events
        .gather_each(&format!("{} with replies", handoff::TIES), |part, owned| {
            event_aggregates(part, owned).ties
        })?;
    let partners = concat(
        tie_parts
            .iter()
            .zip(events.owned())
            .map(|(t, o)| partners(t.clone().lazy(), o))
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )?
    .collect()?
    .lazy();
    let ties = concat(
        tie_parts
            .into_iter()
            .map(DataFrame::lazy)
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )?
    .collect()?
    .lazy();
    Ok(Aggregates {
        per_day,
        partners,
        ties,
    })
}

/// Distinct partners from one part's [`super::network::ties`], as a partial result like the
/// counts of [`event_aggregates`]: in the `owned` periods one row per person and period with
/// `distinct_partners` set (`__partner` null), elsewhere a row per person, period and partner
/// (`distinct_partners` null). Both directions of a tie count, ties with oneself do not.
pub fn partners(ties: LazyFrame, owned: &[i32]) -> LazyFrame {
    let ties = ties.filter(col(event::ACTOR).neq(col(event::TARGET_ACTOR)));
    let outgoing = ties.clone().select([
        col(event::ACTOR).alias(a::PERSON),
        col(PERIOD_KEY),
        col(event::TARGET_ACTOR).alias("__partner"),
    ]);
    let incoming = ties.select([
        col(event::TARGET_ACTOR).alias(a::PERSON),
        col(PERIOD_KEY),
        col(event::ACTOR).alias("__partner"),
    ]);
    let both = stack(outgoing, incoming);
    let columns = [a::PERSON, PERIOD_KEY, "__partner", a::DISTINCT_PARTNERS].map(col);
    let is_owned = in_periods(owned);
    let open = both
        .clone()
        .filter(is_owned.clone().not())
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(NULL).cast(DataType::UInt32).alias(a::DISTINCT_PARTNERS))
        .select(columns.clone());
    if owned.is_empty() {
        return open;
    }
    let done = count_stacked(
        both.filter(is_owned),
        &[a::PERSON, PERIOD_KEY],
        "__partner",
        a::DISTINCT_PARTNERS,
    )
    .with_column(lit(NULL).cast(DataType::String).alias("__partner"))
    .select(columns);
    stack(done, open)
}

/// The GROUP BYs of the query above as partial results that add up over parts of the
/// events: the counts per actor, period and day (behind both the counts and the distinct
/// active days) and the [`super::network::ties`] behind the distinct partners (which the
/// department matrix and the ambassadors read too). A run over a large store computes them
/// on every part of the store, one query at a time, stacks them and hands them to
/// [`from_aggregates`], which finishes the counts, as Spark's partial aggregation would.
/// In the `owned` periods, whose events are all in this part (see
/// [`crate::normalize::Events::owned_periods`]), the counts per actor and period are final
/// here and leave as one row each (`day` null, `active_days` set); elsewhere a row per day
/// (`active_days` null).
pub fn event_aggregates(events: LazyFrame, owned: &[i32]) -> Partials {
    let aggs: Vec<Expr> = Action::ALL
        .iter()
        .map(|act| {
            col(event::ACTION)
                .eq(lit(act.as_str()))
                .sum()
                .cast(DataType::UInt32)
                .alias(act.count_column())
        })
        .collect();
    let per_day = events
        .clone()
        .filter(col(event::ACTOR).is_not_null())
        .group_by([col(event::ACTOR), col(PERIOD_KEY), col(DAY)])
        .agg(aggs);
    let columns = || {
        [event::ACTOR, PERIOD_KEY, DAY]
            .into_iter()
            .chain(Action::ALL.iter().map(|act| act.count_column()))
            .chain([a::ACTIVE_DAYS])
            .map(col)
            .collect::<Vec<_>>()
    };
    let is_owned = in_periods(owned);
    let open = per_day
        .clone()
        .filter(is_owned.clone().not())
        .with_column(lit(NULL).cast(DataType::UInt32).alias(a::ACTIVE_DAYS))
        .select(columns());
    let ties = super::network::ties(events);
    if owned.is_empty() {
        return Partials {
            per_day: open,
            ties,
        };
    }
    let done = per_person(per_day.filter(is_owned))
        .with_column(lit(NULL).cast(DataType::Date).alias(DAY))
        .select(columns());
    Partials {
        per_day: stack(done, open),
        ties,
    }
}

/// Counts per actor and period from rows of one actor, period and day.
fn per_person(per_day: LazyFrame) -> LazyFrame {
    per_day.group_by([col(event::ACTOR), col(PERIOD_KEY)]).agg(
        Action::ALL
            .iter()
            .map(|act| col(act.count_column()).sum().cast(DataType::UInt32))
            .chain([len().cast(DataType::UInt32).alias(a::ACTIVE_DAYS)])
            .collect::<Vec<_>>(),
    )
}

/// The activity table from the population, the stacked [`event_aggregates`] and usage counts.
pub fn from_aggregates(
    population: LazyFrame,
    per_day: LazyFrame,
    partners: LazyFrame,
    usage: Option<LazyFrame>,
) -> LazyFrame {
    let zero_filled: Vec<Expr> = Action::ALL
        .iter()
        .map(|act| act.count_column())
        .chain([a::ACTIVE_DAYS, a::DISTINCT_PARTNERS])
        .map(|c| col(c).fill_null(lit(0u32)))
        .collect();
    let joined = population
        .join(
            counts_from(per_day),
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(event::ACTOR), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            partners_from(partners),
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(zero_filled);
    // Every event has a day, so a person with events has at least one active day.
    let (with_usage, active) = match usage {
        None => (joined, col(a::ACTIVE_DAYS).gt(lit(0u32))),
        Some(usage) => (
            with_usage(joined, usage),
            col(a::ACTIVE_DAYS).gt(lit(0u32)).or(col("__any_usage")),
        ),
    };
    with_flags(with_usage, active)
}

fn sums() -> Vec<Expr> {
    Action::ALL
        .iter()
        .map(|act| col(act.count_column()).sum().cast(DataType::UInt32))
        .collect()
}

/// Counts and active days per actor and period from the stacked per-day partials.
fn counts_from(per_day: LazyFrame) -> LazyFrame {
    let done = per_day
        .clone()
        .filter(col(a::ACTIVE_DAYS).is_not_null())
        .drop(cols([DAY]));
    // A day split across parts is one day: rows of the same day are added up first.
    let open = per_person(
        per_day
            .filter(col(a::ACTIVE_DAYS).is_null())
            .group_by([col(event::ACTOR), col(PERIOD_KEY), col(DAY)])
            .agg(sums()),
    );
    stack(done, open)
        .group_by([col(event::ACTOR), col(PERIOD_KEY)])
        .agg(
            sums()
                .into_iter()
                .chain([col(a::ACTIVE_DAYS).sum().cast(DataType::UInt32)])
                .collect::<Vec<_>>(),
        )
}

/// Distinct partners per person and period from the stacked [`partners`] partials.
fn partners_from(partners: LazyFrame) -> LazyFrame {
    let done = partners
        .clone()
        .filter(col(a::DISTINCT_PARTNERS).is_not_null())
        .select([col(a::PERSON), col(PERIOD_KEY), col(a::DISTINCT_PARTNERS)]);
    let open = count_stacked(
        partners.filter(col(a::DISTINCT_PARTNERS).is_null()),
        &[a::PERSON, PERIOD_KEY],
        "__partner",
        a::DISTINCT_PARTNERS,
    );
    stack(done, open)
        .group_by([col(a::PERSON), col(PERIOD_KEY)])
        .agg([col(a::DISTINCT_PARTNERS).sum().cast(DataType::UInt32)])
}

/// Usage counts added to the event counts, with `__any_usage` for people active by usage alone.
fn with_usage(joined: LazyFrame, usage: LazyFrame) -> LazyFrame {
    let total = |m: &str| format!("__usage_{m}");
    let sums: Vec<Expr> = USAGE_MEASURES
        .iter()
        .map(|m| col(*m).sum().cast(DataType::UInt32).alias(total(m)))
        .collect();
    let totals = usage.group_by([col(a::PERSON), col(PERIOD_KEY)]).agg(sums);
    let add: Vec<Expr> = USAGE_MEASURES
        .iter()
        .map(|m| (col(*m) + col(total(m).as_str()).fill_null(lit(0u32))).alias(*m))
        .collect();
    let any_usage = USAGE_MEASURES
        .iter()
        .map(|m| col(total(m).as_str()).fill_null(lit(0u32)))
        .reduce(|x, y| x + y)
        .expect("usage measures")
        .gt(lit(0u32));
    joined
        .join(
            totals,
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(any_usage.alias("__any_usage"))
        .with_columns(add)
}

/// The §3 derived counts and flags, the published columns, sorted by period and person.
fn with_flags(table: LazyFrame, active: Expr) -> LazyFrame {
    let engaged = Action::ALL
        .iter()
        .filter(|act| act.is_engagement())
        .map(|act| col(act.count_column()))
        .reduce(|x, y| x + y)
        .expect("some actions are engagement");
    table
        .with_columns([
            (col(a::POSTS) + col(a::REPLIES)).alias(a::CONTRIBUTIONS),
            (col(a::REACTIONS) + col(a::SHARES)).alias(a::INTERACTIONS),
            active.alias(a::ACTIVE),
            engaged.gt(lit(0u32)).alias(a::ENGAGED),
        ])
        .with_columns([
            col(a::CONTRIBUTIONS).gt_eq(lit(1u32)).alias(a::CONTRIBUTOR),
            col(a::POSTS).gt_eq(lit(1u32)).alias(a::CREATOR),
            col(a::ACTIVE).and(col(a::ENGAGED).not()).alias(a::LURKER),
        ])
        .select(
            [a::PERSON, PERIOD_KEY]
                .into_iter()
                .chain(a::COUNTS)
                .chain([a::ACTIVE, a::ENGAGED, a::CONTRIBUTOR, a::CREATOR, a::LURKER])
                .map(col)
                .collect::<Vec<_>>(),
        )
        .sort(
            [PERIOD_KEY, a::PERSON],
            SortMultipleOptions::default().with_maintain_order(true),
        )
}

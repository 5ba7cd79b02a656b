//! Who counts in each period (README "Definitions" headcount). With a roster: people hired by the period's
//! end and not gone before its start. Without one: the accounts of the sources' user lists
//! that had joined and were not deleted; failing that, everyone seen in events up to the
//! period's end, and the report says the population is observed rather than known.

use polars::prelude::*;

use super::periods::{PERIOD_END, PERIOD_KEY, PERIOD_START};
use crate::error::{internal, Result};
use crate::vocabulary::{activity, event, person};

/// Where the population comes from; the report states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Roster,
    UserList,
    Observed,
}

impl Basis {
    /// The basis as the manifest names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Roster => "roster",
            Basis::UserList => "user_list",
            Basis::Observed => "observed",
        }
    }
}

/// The population (`person, period_key`) and its basis: the roster if there is one; else the
/// sources' user lists (`source, person, joined, deleted`) plus, for sources without a list,
/// the people `seen` (`source, actor, period_key`); else everyone seen.
pub fn of(
    roster: Option<&DataFrame>,
    users: DataFrame,
    seen: LazyFrame,
    calendar: LazyFrame,
) -> Result<(LazyFrame, Basis)> {
    if let Some(roster) = roster {
        return Ok((from_roster(roster.clone().lazy(), calendar), Basis::Roster));
    }
    let listed: Vec<String> = users
        .column("source")
        .and_then(|c| c.unique_stable())
        .and_then(|c| {
            c.str()
                .map(|s| s.iter().flatten().map(str::to_string).collect())
        })
        .map_err(internal("listing user lists"))?;
    if listed.is_empty() {
        return Ok((observed(seen, calendar), Basis::Observed));
    }
    let unlisted = seen.filter(
        col(event::SOURCE)
            .is_in(lit(Series::new("l".into(), listed)).implode(false), false)
            .not(),
    );
    let both = concat(
        [
            from_user_list(users.lazy(), calendar.clone()),
            observed(unlisted, calendar),
        ],
        UnionArgs::default(),
    )
    .map_err(internal("building the population"))?
    .unique_stable(None, UniqueKeepStrategy::First);
    Ok((both, Basis::UserList))
}

/// `person, period_key` for everyone on the roster in each period of the calendar.
pub fn from_roster(people: LazyFrame, calendar: LazyFrame) -> LazyFrame {
    let hired = col(person::HIRE_DATE)
        .is_null()
        .or(col(person::HIRE_DATE).lt_eq(col(PERIOD_END)));
    let not_gone = col(person::EXIT_DATE)
        .is_null()
        .or(col(person::EXIT_DATE).gt_eq(col(PERIOD_START)));
    people
        .select([
            col(person::PERSON_ID).alias(activity::PERSON),
            col(person::HIRE_DATE),
            col(person::EXIT_DATE),
        ])
        .cross_join(calendar, None)
        .filter(hired.and(not_gone))
        .select([col(activity::PERSON), col(PERIOD_KEY)])
}

/// `person, period_key` for every account of the sources' user lists (`person, joined,
/// deleted`, dates) that joined by the period's end and was not deleted before its start;
/// a missing date does not limit.
pub fn from_user_list(users: LazyFrame, calendar: LazyFrame) -> LazyFrame {
    let joined = col("joined")
        .is_null()
        .or(col("joined").lt_eq(col(PERIOD_END)));
    let not_gone = col("deleted")
        .is_null()
        .or(col("deleted").gt_eq(col(PERIOD_START)));
    users
        .filter(col(activity::PERSON).is_not_null())
        .cross_join(calendar, None)
        .filter(joined.and(not_gone))
        .select([col(activity::PERSON), col(PERIOD_KEY)])
        .unique_stable(None, UniqueKeepStrategy::First)
}

/// `person, period_key` for every actor from the period of their first event onwards.
/// `events` must carry `period_key` (see [`super::with_periods`]).
pub fn observed(events: LazyFrame, calendar: LazyFrame) -> LazyFrame {
    events
        .filter(col(event::ACTOR).is_not_null())
        .group_by([col(event::ACTOR)])
        .agg([col(PERIOD_KEY).min().alias("__first")])
        .cross_join(calendar, None)
        .filter(col("__first").lt_eq(col(PERIOD_KEY)))
        .select([col(event::ACTOR).alias(activity::PERSON), col(PERIOD_KEY)])
}

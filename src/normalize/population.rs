//! Who counts in each period (spec §2 headcount). With a roster: people hired by the period's
//! end and not gone before its start. Without one: everyone seen in events up to the period's
//! end, and the report says the population is observed rather than known.

use polars::prelude::*;

use super::periods::{PERIOD_END, PERIOD_KEY, PERIOD_START};
use crate::schema::{activity, event, person};

/// Where the population comes from; the report states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Roster,
    Observed,
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

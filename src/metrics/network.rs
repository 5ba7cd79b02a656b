//! Across the organisation (spec §4): whether leaders' and managers' content is seen
//! (leader_reach), whether replies and reactions cross departments (cross_department_share),
//! and the department × department interaction counts behind it. These join events to the
//! roster's department and role, so they read the events.
//!
//! SQL equivalent of the interaction counts (the cost grows with replies and reactions):
//!
//! ```sql
//! SELECT e.period_key, a.department AS from_department, t.department AS to_department,
//!        COUNT(*) AS interactions, COUNT(DISTINCT e.actor) AS people
//! FROM events e JOIN people a ON a.person_id = e.actor JOIN people t ON t.person_id = e.target_actor
//! WHERE e.action IN ('reply', 'reaction') AND a.department IS NOT NULL AND t.department IS NOT NULL
//! GROUP BY 1, 2, 3
//! ```

use polars::prelude::*;

use super::ratio;
use crate::normalize::PERIOD_KEY;
use crate::schema::{activity as a, event, person, Action};

fn interactions(events: LazyFrame) -> LazyFrame {
    events.filter(
        col(event::ACTION)
            .eq(lit(Action::Reply.as_str()))
            .or(col(event::ACTION).eq(lit(Action::Reaction.as_str())))
            .and(col(event::ACTOR).is_not_null())
            .and(col(event::TARGET_ACTOR).is_not_null()),
    )
}

/// `period_key, from_department, to_department, interactions, people`: replies and
/// reactions in each period between people whose departments are both known, and how many
/// distinct people made them. `people` is the roster (`person_id, department`).
pub fn department_matrix(events: LazyFrame, people: LazyFrame) -> LazyFrame {
    let dept = people
        .select([col(person::PERSON_ID), col(person::DEPARTMENT)])
        .filter(col(person::DEPARTMENT).is_not_null());
    interactions(events)
        .join(
            dept.clone().select([
                col(person::PERSON_ID),
                col(person::DEPARTMENT).alias("from_department"),
            ]),
            [col(event::ACTOR)],
            [col(person::PERSON_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            dept.select([
                col(person::PERSON_ID),
                col(person::DEPARTMENT).alias("to_department"),
            ]),
            [col(event::TARGET_ACTOR)],
            [col(person::PERSON_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([
            col(PERIOD_KEY),
            col("from_department"),
            col("to_department"),
        ])
        .agg([
            len().cast(DataType::UInt32).alias("interactions"),
            col(event::ACTOR)
                .n_unique()
                .cast(DataType::UInt32)
                .alias("people"),
        ])
        .sort(
            [PERIOD_KEY, "from_department", "to_department"],
            SortMultipleOptions::default(),
        )
}

/// `period_key, cross_department_share` from the department matrix: the share of
/// interactions whose two departments differ.
pub fn cross_department(matrix: LazyFrame) -> LazyFrame {
    matrix
        .group_by([col(PERIOD_KEY)])
        .agg([
            col("interactions").sum().alias("__known"),
            col("interactions")
                .filter(col("from_department").neq(col("to_department")))
                .sum()
                .alias("__cross"),
        ])
        .select([
            col(PERIOD_KEY),
            ratio(col("__cross"), col("__known")).alias("cross_department_share"),
        ])
}

/// `period_key, leader_reach`: people in headcount (rows of the activity table) with at least
/// one view of content whose author (`target_actor`) is a leader or manager on the roster,
/// over headcount.
pub fn leader_reach(events: LazyFrame, people: LazyFrame, activity: LazyFrame) -> LazyFrame {
    let leaders = people
        .filter(
            col(person::ROLE)
                .eq(lit("leader"))
                .or(col(person::ROLE).eq(lit("manager"))),
        )
        .select([col(person::PERSON_ID)]);
    let reached = events
        .filter(
            col(event::ACTION)
                .eq(lit(Action::View.as_str()))
                .and(col(event::ACTOR).is_not_null()),
        )
        .join(
            leaders,
            [col(event::TARGET_ACTOR)],
            [col(person::PERSON_ID)],
            JoinArgs::new(JoinType::Semi),
        )
        .select([col(event::ACTOR).alias(a::PERSON), col(PERIOD_KEY)])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("__reached"));
    activity
        .select([col(a::PERSON), col(PERIOD_KEY)])
        .join(
            reached,
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .group_by([col(PERIOD_KEY)])
        .agg([
            len().alias("__headcount"),
            col("__reached").is_not_null().sum().alias("__reached"),
        ])
        .select([
            col(PERIOD_KEY),
            ratio(col("__reached"), col("__headcount")).alias("leader_reach"),
        ])
}

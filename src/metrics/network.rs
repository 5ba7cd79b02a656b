//! Across the organisation (docs/metrics.md): whether leaders' and managers' content is seen
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
//!
//! and of leader reach's event part: `SELECT DISTINCT actor, period_key FROM events e JOIN
//! people l ON l.person_id = e.target_actor WHERE e.action = 'view' AND l.role IN ('leader',
//! 'manager')`, joined to the activity table for headcount.

use polars::prelude::*;

use super::ratio;
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::{activity as a, event, person, Action};

/// `actor, target_actor, period_key, interactions, replies`: replies and reactions between two
/// known people, counted per pair and period, and the replies among them. The one pass over events that the department matrix,
/// the activity table's distinct partners and the ambassadors share; a partial result that
/// stacks over parts of the events (a pair may then have a row per part: counts add up).
pub fn ties(events: LazyFrame) -> LazyFrame {
    events
        .filter(
            col(event::ACTION)
                .eq(lit(Action::Reply.as_str()))
                .or(col(event::ACTION).eq(lit(Action::Reaction.as_str())))
                .and(col(event::ACTOR).is_not_null())
                .and(col(event::TARGET_ACTOR).is_not_null()),
        )
        .group_by([col(event::ACTOR), col(event::TARGET_ACTOR), col(PERIOD_KEY)])
        .agg([
            len().cast(DataType::UInt32).alias(INTERACTIONS),
            col(event::ACTION)
                .eq(lit(Action::Reply.as_str()))
                .cast(DataType::UInt32)
                .sum()
                .alias(REPLIES),
        ])
}

/// The replies column of [`ties`].
pub const REPLIES: &str = "replies";

/// The count column of [`ties`].
pub const INTERACTIONS: &str = "interactions";

/// `period_key, from_department, to_department, interactions, people`: replies and
/// reactions in each period between people whose departments are both known, and how many
/// distinct people made them. `ties` is [`ties`] (stacked), `people` the roster
/// (`person_id, department`).
pub fn department_matrix(ties: LazyFrame, people: LazyFrame) -> LazyFrame {
    let dept = people
        .select([col(person::PERSON_ID), col(person::DEPARTMENT)])
        .filter(col(person::DEPARTMENT).is_not_null());
    ties.join(
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
        col(INTERACTIONS).sum().cast(DataType::UInt32),
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
#[cfg(test)] // The whole-data form the unit tests work figures on; runs gather a part at a time.
pub fn leader_reach(events: LazyFrame, people: LazyFrame, activity: LazyFrame) -> LazyFrame {
    leader_reach_from(leader_views(events, leaders(people)), activity)
}

/// The roles whose people lead (docs/metrics.md leader_reach, §9 leadership presence).
pub const LEADER_ROLES: [&str; 2] = ["leader", "manager"];

/// `person_id` of the roster's leaders and managers.
pub fn leaders(people: LazyFrame) -> LazyFrame {
    people
        .filter(
            col(person::ROLE)
                .eq(lit(LEADER_ROLES[0]))
                .or(col(person::ROLE).eq(lit(LEADER_ROLES[1]))),
        )
        .select([col(person::PERSON_ID)])
}

/// `person, period_key, __reached`: one part's views of the leaders' content per viewer and
/// period, a partial result that [`leader_reach_from`] adds up over the parts.
pub fn leader_views(events: LazyFrame, leaders: LazyFrame) -> LazyFrame {
    events
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
        .group_by([col(event::ACTOR).alias(a::PERSON), col(PERIOD_KEY)])
        .agg([len().alias("__reached")])
}

/// [`leader_reach`] from the stacked [`leader_views`] of every part.
pub fn leader_reach_from(views: LazyFrame, activity: LazyFrame) -> LazyFrame {
    // Any non-null value marks a person reached.
    let reached = views
        .group_by([col(a::PERSON), col(PERIOD_KEY)])
        .agg([col("__reached").sum()]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::{activity, events, f};

    fn roster() -> LazyFrame {
        df!(
            person::PERSON_ID => ["alice", "bob", "carol", "dave", "erin"],
            person::DEPARTMENT => [Some("Eng"), Some("Eng"), Some("Sales"), Some("Sales"), None],
            person::ROLE => ["leader", "employee", "manager", "employee", "employee"],
        )
        .unwrap()
        .lazy()
    }

    // Replies and reactions in period 1: bob -> alice (Eng -> Eng), carol -> alice (Sales ->
    // Eng), dave -> carol (Sales -> Sales), erin -> bob (erin's department unknown: left out),
    // bob -> dave (Eng -> Sales), mallory -> alice (not on the roster: left out).
    // Known 4, crossing 2 -> 0.5. Each matrix cell holds one interaction by one person.
    #[test]
    fn cross_department_share_by_hand() {
        let ev = events(&[
            (
                Some("bob"),
                "reply",
                1.0,
                None,
                None,
                Some("alice"),
                None,
                1,
            ),
            (
                Some("carol"),
                "reaction",
                2.0,
                None,
                None,
                Some("alice"),
                None,
                1,
            ),
            (
                Some("dave"),
                "reaction",
                3.0,
                None,
                None,
                Some("carol"),
                None,
                1,
            ),
            (Some("erin"), "reply", 4.0, None, None, Some("bob"), None, 1),
            (
                Some("bob"),
                "reaction",
                5.0,
                None,
                None,
                Some("dave"),
                None,
                1,
            ),
            (
                Some("mallory"),
                "reaction",
                6.0,
                None,
                None,
                Some("alice"),
                None,
                1,
            ),
            (Some("bob"), "view", 7.0, None, None, Some("carol"), None, 1),
        ]);
        let matrix = department_matrix(ties(ev), roster()).collect().unwrap();
        assert_eq!(matrix.height(), 4);
        assert_eq!(
            matrix
                .column("interactions")
                .unwrap()
                .u32()
                .unwrap()
                .into_no_null_iter()
                .collect::<Vec<_>>(),
            vec![1, 1, 1, 1]
        );
        let share = cross_department(matrix.lazy()).collect().unwrap();
        assert_eq!(f(&share, 1, "cross_department_share"), Some(0.5));
    }

    // Views in period 1: bob views alice's content (leader), dave views carol's (manager), erin
    // views bob's (employee), mallory (not in headcount) views alice's. Headcount 5 -> 2/5.
    // Period 2: headcount 2, nobody viewed a leader -> 0.
    #[test]
    fn leader_reach_by_hand() {
        let ev = events(&[
            (
                Some("bob"),
                "view",
                1.0,
                Some("c1"),
                None,
                Some("alice"),
                None,
                1,
            ),
            (
                Some("bob"),
                "view",
                2.0,
                Some("c2"),
                None,
                Some("alice"),
                None,
                1,
            ),
            (
                Some("dave"),
                "view",
                3.0,
                Some("c3"),
                None,
                Some("carol"),
                None,
                1,
            ),
            (
                Some("erin"),
                "view",
                4.0,
                Some("c4"),
                None,
                Some("bob"),
                None,
                1,
            ),
            (
                Some("mallory"),
                "view",
                5.0,
                Some("c1"),
                None,
                Some("alice"),
                None,
                1,
            ),
            (
                Some("carol"),
                "reaction",
                6.0,
                Some("c1"),
                None,
                Some("alice"),
                None,
                1,
            ),
        ]);
        let act = activity(&[
            ("alice", 1, &[], "R"),
            ("bob", 1, &[("views", 2)], "R"),
            ("carol", 1, &[], "R"),
            ("dave", 1, &[("views", 1)], "R"),
            ("erin", 1, &[("views", 1)], "R"),
            ("alice", 2, &[], "R"),
            ("bob", 2, &[], "R"),
        ]);
        let out = leader_reach(ev, roster(), act).collect().unwrap();
        assert_eq!(f(&out, 1, "leader_reach"), Some(0.4));
        assert_eq!(f(&out, 2, "leader_reach"), Some(0.0));
    }
}

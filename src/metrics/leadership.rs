//! Management's own presence in the network (README "What people say, campaigns and leaders"): per period, of the leaders and managers
//! in headcount, how many were active, contributed, and replied to someone outside their own
//! team; the threads they started, their median reach and how many were answered; and the
//! replies their posts and replies drew from others. From the activity table, the ties and the
//! per-post table: no pass over events of its own. Suppression is the outcome stage's.

use polars::prelude::*;

use super::network::REPLIES;
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::{activity as a, event, person};

/// The figures of [`presence`], after its `period_key`.
pub const FIGURES: [&str; 8] = [
    "leaders",
    "active",
    "contributing",
    "replied_outside_team",
    "threads",
    "thread_reach_median",
    "threads_answered",
    "replies_to_leaders",
];

/// The people behind the thread figures and the replies to leaders: never published, but
/// what is published rests on them (docs/privacy.md).
pub const BEHIND: [&str; 2] = ["thread_authors", "repliers"];

/// `period_key, leaders, active, contributing, replied_outside_team, threads,
/// thread_reach_median, threads_answered, replies_to_leaders, thread_authors, repliers`, a row
/// per period of `calendar`
/// (`period_key`). `leaders` is the roster's leaders and managers (`person_id, team`);
/// `ties` the stacked ties (with `replies`); `posts` the per-post table.
pub fn presence(
    activity: LazyFrame,
    leaders: LazyFrame,
    roster_teams: LazyFrame,
    ties: LazyFrame,
    posts: LazyFrame,
    calendar: LazyFrame,
) -> LazyFrame {
    let leaders = leaders.select([col(person::PERSON_ID).alias(a::PERSON), col(person::TEAM)]);
    let on = |f: LazyFrame, t: LazyFrame| {
        f.join(
            t,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
    };
    let zero = |c: &str| col(c).fill_null(lit(0u32));
    let periods = calendar.select([col(PERIOD_KEY)]);
    let joined = on(
        on(
            on(
                on(periods, counted(activity, leaders.clone())),
                outside_team(ties.clone(), leaders.clone(), roster_teams),
            ),
            threads(posts, leaders.clone()),
        ),
        replies_to(ties, leaders),
    );
    joined
        .with_columns(
            [
                "leaders",
                "active",
                "contributing",
                BEHIND[0],
                BEHIND[1],
                "replied_outside_team",
                "threads",
                "threads_answered",
                "replies_to_leaders",
            ]
            .map(zero),
        )
        .sort([PERIOD_KEY], SortMultipleOptions::default())
        .select(
            std::iter::once(PERIOD_KEY)
                .chain(FIGURES)
                .chain(BEHIND)
                .map(col)
                .collect::<Vec<_>>(),
        )
}

/// Per period, the leaders in headcount and those active and contributing.
fn counted(activity: LazyFrame, leaders: LazyFrame) -> LazyFrame {
    activity
        .join(
            leaders,
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Semi),
        )
        .group_by([col(PERIOD_KEY)])
        .agg([
            len().cast(DataType::UInt32).alias("leaders"),
            col(a::ACTIVE).sum().cast(DataType::UInt32).alias("active"),
            col(a::CONTRIBUTOR)
                .sum()
                .cast(DataType::UInt32)
                .alias("contributing"),
        ])
}

/// Per period, the leaders who replied to someone of another team (both teams known).
fn outside_team(ties: LazyFrame, leaders: LazyFrame, roster_teams: LazyFrame) -> LazyFrame {
    let teams = roster_teams.select([
        col(person::PERSON_ID).alias("__target"),
        col(person::TEAM).alias("__target_team"),
    ]);
    ties.filter(col(REPLIES).gt(lit(0u32)))
        .join(
            leaders,
            [col(event::ACTOR)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            teams,
            [col(event::TARGET_ACTOR)],
            [col("__target")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col(person::TEAM)
                .is_not_null()
                .and(col("__target_team").is_not_null())
                .and(col(person::TEAM).neq(col("__target_team"))),
        )
        .group_by([col(PERIOD_KEY)])
        .agg([col(event::ACTOR)
            .n_unique()
            .cast(DataType::UInt32)
            .alias("replied_outside_team")])
}

/// Per period, the replies others made to the leaders' posts and replies.
fn replies_to(ties: LazyFrame, leaders: LazyFrame) -> LazyFrame {
    ties.filter(col(event::ACTOR).neq(col(event::TARGET_ACTOR)))
        .join(
            leaders,
            [col(event::TARGET_ACTOR)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Semi),
        )
        .group_by([col(PERIOD_KEY)])
        .agg([
            col(REPLIES)
                .sum()
                .cast(DataType::UInt32)
                .alias("replies_to_leaders"),
            col(event::ACTOR)
                .filter(col(REPLIES).gt(lit(0u32)))
                .n_unique()
                .cast(DataType::UInt32)
                .alias(BEHIND[1]),
        ])
}

/// Per period, the threads leaders started, their median reach and how many were answered.
fn threads(posts: LazyFrame, leaders: LazyFrame) -> LazyFrame {
    posts
        .join(
            leaders,
            [col("author")],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Semi),
        )
        .group_by([col(PERIOD_KEY)])
        .agg([
            len().cast(DataType::UInt32).alias("threads"),
            col("author")
                .n_unique()
                .cast(DataType::UInt32)
                .alias(BEHIND[0]),
            col("viewers")
                .cast(DataType::Float64)
                .median()
                .alias("thread_reach_median"),
            col("first_reply_hours")
                .is_not_null()
                .sum()
                .cast(DataType::UInt32)
                .alias("threads_answered"),
        ])
}

//! Lifecycle and retention (docs/metrics.md): who is new, returning, resurrecting or dormant each
//! period, and how much of each cohort (people by the period of their first activity) is
//! active k periods later. Reads the activity table and each person's first active period.

use polars::prelude::*;

use crate::normalize::PERIOD_KEY;
use crate::vocabulary::activity as a;

/// Column of the first-activity table: the period key of a person's earliest event anywhere.
pub const FIRST: &str = "first_period_key";

/// `person, first_period_key` from events carrying `actor` and `period_key`.
pub fn first_activity(events: LazyFrame) -> LazyFrame {
    events
        .filter(col(crate::vocabulary::event::ACTOR).is_not_null())
        .group_by([col(crate::vocabulary::event::ACTOR).alias(a::PERSON)])
        .agg([col(PERIOD_KEY).min().alias(FIRST)])
}

/// `period_key, period, new, returning, resurrecting, dormant` per calendar period. People are
/// those in headcount; dormant counts people active in the period before who are not active
/// now (also when they have left), so dormant(p) = active(p-1) - returning(p).
pub fn lifecycle(activity: LazyFrame, first: LazyFrame, calendar: LazyFrame) -> LazyFrame {
    let active = activity
        .filter(col(a::ACTIVE))
        .select([col(a::PERSON), col(PERIOD_KEY)]);
    let previous = active.clone().select([
        col(a::PERSON),
        (col(PERIOD_KEY) + lit(1)).alias(PERIOD_KEY),
        lit(true).alias("__before"),
    ]);
    let now = active
        .clone()
        .join(
            previous.clone(),
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            first,
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("__before").fill_null(lit(false)),
            col(FIRST)
                .eq(col(PERIOD_KEY))
                .fill_null(lit(false))
                .alias("__new"),
        ])
        .group_by([col(PERIOD_KEY)])
        .agg([
            col("__new").sum().cast(DataType::UInt32).alias("new"),
            col("__before")
                .sum()
                .cast(DataType::UInt32)
                .alias("returning"),
            col("__new")
                .not()
                .and(col("__before").not())
                .sum()
                .cast(DataType::UInt32)
                .alias("resurrecting"),
        ]);
    let dormant = previous
        .join(
            active.with_column(lit(true).alias("__now")),
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .filter(col("__now").is_null())
        .group_by([col(PERIOD_KEY)])
        .agg([len().cast(DataType::UInt32).alias("dormant")]);
    calendar
        .select([col(PERIOD_KEY), col(a::PERIOD)])
        .join(
            now,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            dormant,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(
            ["new", "returning", "resurrecting", "dormant"].map(|c| col(c).fill_null(lit(0u32))),
        )
        .sort([PERIOD_KEY], SortMultipleOptions::default())
        .select([
            col(PERIOD_KEY),
            col(a::PERIOD),
            col("new"),
            col("returning"),
            col("resurrecting"),
            col("dormant"),
        ])
}

/// `cohort, periods_since, cohort_size, retained, share`: for each cohort (the period of first
/// activity, among people in the activity table) and each later calendar period, the people of
/// the cohort active then.
pub fn retention(activity: LazyFrame, first: LazyFrame, calendar: LazyFrame) -> LazyFrame {
    let cohorts = first
        .join(
            calendar
                .clone()
                .select([col(PERIOD_KEY).alias(FIRST), col(a::PERIOD).alias("cohort")]),
            [col(FIRST)],
            [col(FIRST)],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            activity
                .clone()
                .select([col(a::PERSON)])
                .unique_stable(None, UniqueKeepStrategy::First),
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Inner),
        );
    let sizes = cohorts
        .clone()
        .group_by([col(FIRST), col("cohort")])
        .agg([len().cast(DataType::UInt32).alias("cohort_size")]);
    let retained = cohorts
        .join(
            activity
                .filter(col(a::ACTIVE))
                .select([col(a::PERSON), col(PERIOD_KEY)]),
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(PERIOD_KEY).gt_eq(col(FIRST)))
        .group_by([col(FIRST), col(PERIOD_KEY)])
        .agg([len().cast(DataType::UInt32).alias("retained")]);
    sizes
        .cross_join(calendar.select([col(PERIOD_KEY)]), None)
        .filter(col(PERIOD_KEY).gt_eq(col(FIRST)))
        .join(
            retained,
            [col(FIRST), col(PERIOD_KEY)],
            [col(FIRST), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("retained").fill_null(lit(0u32)),
            (col(PERIOD_KEY) - col(FIRST))
                .cast(DataType::UInt32)
                .alias("periods_since"),
        ])
        .with_column(
            (col("retained").cast(DataType::Float64) / col("cohort_size").cast(DataType::Float64))
                .alias("share"),
        )
        .sort([FIRST, PERIOD_KEY], SortMultipleOptions::default())
        .select([
            col("cohort"),
            col("periods_since"),
            col("cohort_size"),
            col("retained"),
            col("share"),
        ])
}

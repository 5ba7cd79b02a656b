//! period_metrics (docs/metrics.md): every family's figures side by side, one row per calendar period,
//! under the spec's names. A figure the sources cannot support is null; the caller says why.

use polars::prelude::*;

use super::unknown;
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::{activity as a, PERIOD_METRICS};

/// The family frames that make up period_metrics, each keyed by `period_key`.
pub struct Families {
    /// From [`super::participation::people_metrics`]: one row per calendar period.
    pub people: LazyFrame,
    pub inequality: LazyFrame,
    pub conversations: LazyFrame,
    pub movement: LazyFrame,
    /// None without a roster that gives roles.
    pub leader_reach: Option<LazyFrame>,
    /// None without a roster that gives departments.
    pub cross_department: Option<LazyFrame>,
}

/// `period_key, period` and [`PERIOD_METRICS`], one row per calendar period.
pub fn period_metrics(calendar: LazyFrame, families: Families) -> LazyFrame {
    let on = || [col(PERIOD_KEY)];
    let left = || JoinArgs::new(JoinType::Left);
    let mut frame = calendar
        .select([col(PERIOD_KEY), col(a::PERIOD)])
        .join(families.people, on(), on(), left())
        .join(families.inequality, on(), on(), left())
        .join(families.conversations, on(), on(), left())
        .join(families.movement, on(), on(), left());
    for (family, name) in [
        (families.leader_reach, "leader_reach"),
        (families.cross_department, "cross_department_share"),
    ] {
        frame = match family {
            Some(f) => frame.join(f, on(), on(), left()),
            None => frame.with_column(unknown().alias(name)),
        };
    }
    frame
        .with_columns(["posts", "replies", "unanswered_posts"].map(|c| col(c).fill_null(lit(0u32))))
        .sort([PERIOD_KEY], SortMultipleOptions::default())
        .select(
            [PERIOD_KEY, a::PERIOD]
                .into_iter()
                .chain(PERIOD_METRICS)
                .map(col)
                .collect::<Vec<_>>(),
        )
}

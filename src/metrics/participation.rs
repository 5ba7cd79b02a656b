//! Who takes part (spec §3–§4): the person counts of each period and the rates built on them,
//! participation, contribution, creation, lurking, reach and stickiness. Reads the activity
//! table only; every calendar period gets a row, also one with nobody in headcount.

use polars::prelude::*;

use super::{ratio, unknown};
use crate::normalize::periods::DAYS;
use crate::normalize::PERIOD_KEY;
use crate::schema::activity as a;

/// `period_key, headcount, active, engaged, contributors, creators, lurkers, viewers,
/// participation_rate, engagement_rate_of_reached, contribution_rate, creation_rate,
/// lurker_share, reach_rate, stickiness`, one row per period of `calendar` (which carries
/// `days`). Without view data (`views_known` false) the view-based figures are null.
pub fn people_metrics(activity: LazyFrame, calendar: LazyFrame, views_known: bool) -> LazyFrame {
    let viewer = col(a::VIEWS).gt(lit(0u32));
    let count = |e: Expr, name: &str| e.sum().cast(DataType::UInt32).alias(name);
    let per_period = activity.group_by([col(PERIOD_KEY)]).agg([
        len().cast(DataType::UInt32).alias("headcount"),
        count(col(a::ACTIVE), "active"),
        count(col(a::ENGAGED), "engaged"),
        count(col(a::CONTRIBUTOR), "contributors"),
        count(col(a::CREATOR), "creators"),
        count(col(a::LURKER), "lurkers"),
        count(viewer.clone(), "viewers"),
        count(viewer.and(col(a::ENGAGED)), "__engaged_viewers"),
        // Σ over people of their active days = Σ over days of the people active that day.
        col(a::ACTIVE_DAYS)
            .cast(DataType::UInt64)
            .sum()
            .alias("__person_days"),
    ]);
    let counts = [
        "headcount",
        "active",
        "engaged",
        "contributors",
        "creators",
        "lurkers",
        "viewers",
        "__engaged_viewers",
    ];
    let view_based = |e: Expr| {
        if views_known {
            e
        } else {
            unknown()
        }
    };
    calendar
        .select([col(PERIOD_KEY), col(DAYS)])
        .join(
            per_period,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(counts.map(|c| col(c).fill_null(lit(0u32))))
        .with_columns([
            ratio(col("active"), col("headcount")).alias("participation_rate"),
            view_based(ratio(col("__engaged_viewers"), col("viewers")))
                .alias("engagement_rate_of_reached"),
            ratio(col("contributors"), col("headcount")).alias("contribution_rate"),
            ratio(col("creators"), col("headcount")).alias("creation_rate"),
            ratio(col("lurkers"), col("active")).alias("lurker_share"),
            view_based(ratio(col("viewers"), col("headcount"))).alias("reach_rate"),
            // Mean over the period's days of (people active that day) / active in the period.
            ratio(
                col("__person_days").cast(DataType::Float64) / col(DAYS).cast(DataType::Float64),
                col("active"),
            )
            .alias("stickiness"),
        ])
        .with_column(if views_known {
            col("viewers")
        } else {
            lit(NULL).cast(DataType::UInt32).alias("viewers")
        })
        .sort([PERIOD_KEY], SortMultipleOptions::default())
        .select(
            [
                PERIOD_KEY,
                "headcount",
                "active",
                "engaged",
                "contributors",
                "creators",
                "lurkers",
                "viewers",
                "participation_rate",
                "engagement_rate_of_reached",
                "contribution_rate",
                "creation_rate",
                "lurker_share",
                "reach_rate",
                "stickiness",
            ]
            .map(col),
        )
}

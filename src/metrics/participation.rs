//! Who takes part (docs/metrics.md): the person counts of each period and the rates built on them,
//! participation, contribution, creation, lurking, reach and stickiness. Reads the activity
//! table only; every calendar period gets a row, also one with nobody in headcount.

use polars::prelude::*;

use super::{ratio, unknown};
use crate::normalize::periods::DAYS;
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::activity as a;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::{activity, f};

    fn calendar() -> LazyFrame {
        df!(PERIOD_KEY => [1i32, 2], DAYS => [10u32, 30])
            .unwrap()
            .lazy()
    }

    fn people() -> LazyFrame {
        activity(&[
            (
                "p1",
                1,
                &[("posts", 1), ("views", 2), ("active_days", 3)],
                "A",
            ),
            ("p2", 1, &[("views", 1), ("active_days", 1)], "B"),
            ("p3", 1, &[("reactions", 1), ("active_days", 2)], "A"),
            ("p4", 1, &[], "C"),
        ])
    }

    // Period 1, headcount 4: p1 posts and views (engaged viewer), p2 only views (lurker,
    // viewer), p3 reacts, p4 nothing. active 3, engaged 2, contributors = creators = 1,
    // lurkers 1, viewers 2.
    //   participation 3/4; engagement_rate_of_reached = 1 engaged viewer / 2 viewers = 0.5;
    //   contribution and creation 1/4; lurker_share 1/3; reach 2/4;
    //   stickiness = (3 + 1 + 2) person-days / 10 days / 3 active = 0.2.
    // Period 2 has nobody in headcount: every rate is empty, the counts zero.
    #[test]
    fn people_metrics_by_hand() {
        let out = people_metrics(people(), calendar(), true)
            .collect()
            .unwrap();
        assert_eq!(out.height(), 2);
        assert_eq!(f(&out, 1, "headcount"), Some(4.0));
        assert_eq!(f(&out, 1, "active"), Some(3.0));
        assert_eq!(f(&out, 1, "engaged"), Some(2.0));
        assert_eq!(f(&out, 1, "lurkers"), Some(1.0));
        assert_eq!(f(&out, 1, "viewers"), Some(2.0));
        assert_eq!(f(&out, 1, "participation_rate"), Some(0.75));
        assert_eq!(f(&out, 1, "engagement_rate_of_reached"), Some(0.5));
        assert_eq!(f(&out, 1, "contribution_rate"), Some(0.25));
        assert_eq!(f(&out, 1, "creation_rate"), Some(0.25));
        assert_eq!(f(&out, 1, "lurker_share"), Some(1.0 / 3.0));
        assert_eq!(f(&out, 1, "reach_rate"), Some(0.5));
        assert!((f(&out, 1, "stickiness").unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(f(&out, 2, "headcount"), Some(0.0));
        for rate in [
            "participation_rate",
            "lurker_share",
            "stickiness",
            "reach_rate",
        ] {
            assert_eq!(f(&out, 2, rate), None, "{rate}");
        }
    }

    // Without view data the view-based figures are empty, not zero; the rest stays.
    #[test]
    fn without_view_data_reach_is_empty() {
        let out = people_metrics(people(), calendar(), false)
            .collect()
            .unwrap();
        assert_eq!(f(&out, 1, "viewers"), None);
        assert_eq!(f(&out, 1, "reach_rate"), None);
        assert_eq!(f(&out, 1, "engagement_rate_of_reached"), None);
        assert_eq!(f(&out, 1, "participation_rate"), Some(0.75));
    }
}

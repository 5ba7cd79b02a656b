//! Participation per period (spec §2, §4): headcount, active people and participation_rate.
//! Every period of the calendar gets a row, also one with nobody in headcount.

use polars::prelude::*;

use crate::normalize::PERIOD_KEY;
use crate::schema::activity as a;

/// `period_key, period, headcount, active, participation_rate`, one row per calendar period.
pub fn period_metrics(activity: LazyFrame, calendar: LazyFrame) -> LazyFrame {
    let per_period = activity.group_by([col(PERIOD_KEY)]).agg([
        len().cast(DataType::UInt32).alias("headcount"),
        col(a::ACTIVE).sum().cast(DataType::UInt32).alias("active"),
    ]);
    calendar
        .select([col(PERIOD_KEY), col(a::PERIOD)])
        .join(
            per_period,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("headcount").fill_null(lit(0u32)),
            col("active").fill_null(lit(0u32)),
        ])
        .with_column(
            when(col("headcount").gt(lit(0u32)))
                .then(
                    col("active").cast(DataType::Float64)
                        / col("headcount").cast(DataType::Float64),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("participation_rate"),
        )
        .sort([PERIOD_KEY], SortMultipleOptions::default())
        .select([
            col(PERIOD_KEY),
            col(a::PERIOD),
            col("headcount"),
            col("active"),
            col("participation_rate"),
        ])
}

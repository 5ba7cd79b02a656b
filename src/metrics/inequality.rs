//! Is it always the same few (spec §4)? The top-1% and top-10% shares of contributions among
//! active people and the Gini coefficient of contributions over everyone in headcount. Reads
//! the activity table only.

use polars::prelude::*;

use super::ratio;
use crate::normalize::PERIOD_KEY;
use crate::schema::activity as a;

/// `period_key, top1_share, top10_share, gini` for periods with people in headcount; null
/// where nobody contributed.
pub fn inequality(activity: LazyFrame) -> PolarsResult<LazyFrame> {
    let x = || col(a::CONTRIBUTIONS).cast(DataType::Float64);
    // Rank among the period's active people: most contributions first, ties by person id.
    let ranked = activity
        .clone()
        .filter(col(a::ACTIVE))
        .select([col(PERIOD_KEY), col(a::PERSON), col(a::CONTRIBUTIONS)])
        .sort(
            [PERIOD_KEY, a::CONTRIBUTIONS, a::PERSON],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, true, false])
                .with_maintain_order(true),
        )
        .with_row_index("__row", None)
        .with_column((col("__row") - col("__row").min().over([col(PERIOD_KEY)])?).alias("__pos"));
    let n = || len().cast(DataType::Float64);
    let top = |share: f64| {
        x().filter(
            col("__pos")
                .cast(DataType::Float64)
                .lt((n() * lit(share)).ceil()),
        )
        .sum()
    };
    let tops = ranked.group_by([col(PERIOD_KEY)]).agg([
        top(0.01).alias("__top1"),
        top(0.10).alias("__top10"),
        x().sum().alias("__active_total"),
    ]);

    // Gini over headcount, zeros included: ascending x_1..x_n with i from 1.
    let ascending = activity
        .select([col(PERIOD_KEY), col(a::CONTRIBUTIONS)])
        .sort(
            [PERIOD_KEY, a::CONTRIBUTIONS],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_row_index("__row", None)
        .with_column(
            (col("__row") - col("__row").min().over([col(PERIOD_KEY)])? + lit(1))
                .cast(DataType::Float64)
                .alias("__i"),
        );
    let gini = ascending.group_by([col(PERIOD_KEY)]).agg([
        (col("__i") * x()).sum().alias("__weighted"),
        x().sum().alias("__total"),
        n().alias("__n"),
    ]);
    Ok(gini
        .join(
            tops,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            ratio(col("__top1"), col("__active_total")).alias("top1_share"),
            ratio(col("__top10"), col("__active_total")).alias("top10_share"),
            when(col("__total").gt(lit(0.0)))
                // 2·Σ i·x_i / (n·Σx) − (n+1)/n over one denominator, which keeps exact
                // values exact in floating point.
                .then(
                    (lit(2.0) * col("__weighted") - (col("__n") + lit(1.0)) * col("__total"))
                        / (col("__n") * col("__total")),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("gini"),
        ])
        .select([
            col(PERIOD_KEY),
            col("top1_share"),
            col("top10_share"),
            col("gini"),
        ]))
}

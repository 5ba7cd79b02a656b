//! Breakdowns by a roster attribute (docs/metrics.md and docs/privacy.md): per group and period the counts behind the
//! main rates and the people on each rung. Counts only: suppression and the rates built on
//! what may be shown are `outcomes::suppression`'s job. Reads the activity table.

use polars::prelude::*;

use crate::normalize::PERIOD_KEY;
use crate::vocabulary::{activity as a, Attribute};

/// The label of people whose attribute the roster leaves empty; they form a group too, so the
/// groups add up to the period's headcount.
pub const UNKNOWN_GROUP: &str = "(unknown)";

/// The people counts behind a breakdown's figures, in column order; each adds up over the
/// groups of a period to the same count in period_metrics.
pub const COUNTS: [&str; 5] = ["headcount", "active", "contributors", "creators", "viewers"];

/// The attributes to count by: those the pipeline asks for and, when the roster gives
/// departments, `department` too, for the report's department heatmap.
pub fn attributes(wanted: &[Attribute], roster_has_departments: bool) -> Vec<Attribute> {
    let mut all = wanted.to_vec();
    if roster_has_departments && !all.contains(&Attribute::Department) {
        all.push(Attribute::Department);
    }
    all
}

/// `period_key, group,` [`COUNTS`] and one count per rung (named as the rung), sorted by period
/// and group. `attributes` is `person, <attribute>` (person ids as in the activity table).
pub fn counts(
    activity: LazyFrame,
    attributes: LazyFrame,
    attribute: &str,
    rungs: &[String],
) -> LazyFrame {
    let count = |e: Expr, name: &str| e.sum().cast(DataType::UInt32).alias(name);
    let mut aggs = vec![
        len().cast(DataType::UInt32).alias("headcount"),
        count(col(a::ACTIVE), "active"),
        count(col(a::CONTRIBUTOR), "contributors"),
        count(col(a::CREATOR), "creators"),
        count(col(a::VIEWS).gt(lit(0u32)), "viewers"),
    ];
    aggs.extend(
        rungs
            .iter()
            .map(|r| count(col(a::RUNG).eq(lit(r.as_str())), r)),
    );
    activity
        .join(
            attributes.select([col(a::PERSON), col(attribute).alias("group")]),
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("group").fill_null(lit(UNKNOWN_GROUP)))
        .group_by([col(PERIOD_KEY), col("group")])
        .agg(aggs)
        .sort([PERIOD_KEY, "group"], SortMultipleOptions::default())
}

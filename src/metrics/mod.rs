//! Metrics: pure functions from frames to frames, no I/O, one file per family of spec §3–§5.
//! `activity`, `conversations` and `network` read events; everything else reads the activity
//! table or the small frames those produce.

pub mod activity;
pub mod ambassadors;
pub mod breakdowns;
pub mod conversations;
pub mod inequality;
pub mod ladder;
pub mod lifecycle;
pub mod network;
pub mod participation;
pub mod summary;
pub mod targets;

use polars::prelude::*;

/// `num / den` as Float64, null where the denominator is zero or null: a rate over nobody is
/// unknown, not zero.
pub(crate) fn ratio(num: Expr, den: Expr) -> Expr {
    when(den.clone().gt(lit(0)))
        .then(num.cast(DataType::Float64) / den.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// A Float64 column of nulls, for a metric the sources cannot support.
pub(crate) fn unknown() -> Expr {
    lit(NULL).cast(DataType::Float64)
}

//! Usage counts (README "Inputs") from reports without events: the reports of all sources combined,
//! repeated rows (the same account, source and window) counted once, windows ending after the
//! as-of day left out, and each window placed in the period that contains its last day.

use chrono::NaiveDate;
use polars::prelude::*;

use super::dedup::{dedup_counted, RowCounts};
use super::periods::{self, PERIOD_KEY};
use crate::error::Result;
use crate::vocabulary::PeriodKind;

pub use crate::vocabulary::usage::{ACCOUNT, SOURCE, WINDOW_DAYS, WINDOW_END};

/// Combines the usage tables of the inputs (`None` for inputs that give events). Returns the
/// combined table, if any, and per input the rows accepted, duplicated and after the as-of day
/// (in `excluded`).
pub fn combine(
    inputs: &[Option<DataFrame>],
    as_of: Option<NaiveDate>,
) -> Result<(Option<DataFrame>, Vec<RowCounts>)> {
    let late = as_of.map_or(lit(false), ends_after);
    dedup_counted(inputs, &[SOURCE, ACCOUNT, WINDOW_END, WINDOW_DAYS], late)
}

/// True for usage windows that end after the as-of day.
pub fn ends_after(as_of: NaiveDate) -> Expr {
    col(WINDOW_END).gt(lit(as_of.to_string()).str().to_date(StrptimeOptions {
        format: Some("%Y-%m-%d".into()),
        ..Default::default()
    }))
}

/// Adds `period_key`: the period that contains each window's last day.
pub fn with_periods(usage: LazyFrame, kind: PeriodKind) -> LazyFrame {
    usage.with_column(periods::key_expr(kind, col(WINDOW_END)).alias(PERIOD_KEY))
}

//! Usage counts (spec §1) from reports without events: the reports of all sources combined,
//! repeated rows (the same account, source and window) counted once, windows ending after the
//! as-of day left out, and each window placed in the period that contains its last day.

use chrono::NaiveDate;
use polars::prelude::*;

use super::periods::{self, PERIOD_KEY};
use super::RowCounts;
use crate::config::PeriodKind;
use crate::error::{Error, Result};

/// Columns of a usage table, as the ingest stage gives them.
pub const SOURCE: &str = "source";
pub const ACCOUNT: &str = "account";
pub const WINDOW_END: &str = "window_end";
pub const WINDOW_DAYS: &str = "window_days";

const INPUT: &str = "__input";

fn fail(what: &str) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |source| Error::Polars {
        what: what.to_string(),
        source,
        help: "report this as a bug with the pipeline file attached".into(),
    }
}

/// Combines the usage tables of the inputs (`None` for inputs that give events). Returns the
/// combined table, if any, and per input the rows accepted, duplicated and after the as-of day
/// (in `excluded`).
pub fn combine(
    inputs: &[Option<DataFrame>],
    as_of: Option<NaiveDate>,
) -> Result<(Option<DataFrame>, Vec<RowCounts>)> {
    let mut counts = vec![RowCounts::default(); inputs.len()];
    let tagged: Vec<LazyFrame> = inputs
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            f.as_ref().map(|f| {
                f.clone()
                    .lazy()
                    .with_column(lit(i as u32).cast(DataType::UInt32).alias(INPUT))
            })
        })
        .collect();
    if tagged.is_empty() {
        return Ok((None, counts));
    }
    let late = match as_of {
        Some(d) => col(WINDOW_END).gt(lit(d.to_string()).str().to_date(StrptimeOptions {
            format: Some("%Y-%m-%d".into()),
            ..Default::default()
        })),
        None => lit(false),
    };
    let kept = concat(tagged, UnionArgs::default())
        .map_err(fail("combining usage reports"))?
        .unique_stable(
            Some(cols([SOURCE, ACCOUNT, WINDOW_END, WINDOW_DAYS])),
            UniqueKeepStrategy::First,
        )
        .with_column(late.alias("__late"))
        .collect()
        .map_err(fail("combining usage reports"))?;
    let per_input = kept
        .clone()
        .lazy()
        .group_by([col(INPUT)])
        .agg([
            len().cast(DataType::UInt64).alias("unique"),
            col("__late").sum().cast(DataType::UInt64).alias("late"),
        ])
        .collect()
        .map_err(fail("counting usage rows"))?;
    let column = |name: &str| {
        per_input
            .column(name)
            .and_then(|c| c.cast(&DataType::UInt64))
            .and_then(|c| c.u64().cloned())
            .map_err(fail("counting usage rows"))
    };
    let (input, unique, late_n) = (column(INPUT)?, column("unique")?, column("late")?);
    for ((i, u), l) in input.iter().zip(unique.iter()).zip(late_n.iter()) {
        let (Some(i), Some(u), Some(l)) = (i, u, l) else {
            continue;
        };
        counts[i as usize].accepted = u - l;
        counts[i as usize].excluded = l;
    }
    for (c, f) in counts.iter_mut().zip(inputs) {
        if let Some(f) = f {
            c.rows_read = f.height() as u64;
            c.duplicates = c.rows_read - c.accepted - c.excluded;
        }
    }
    let table = kept
        .lazy()
        .filter(col("__late").not())
        .drop(cols([INPUT, "__late"]))
        .collect()
        .map_err(fail("applying --as-of to usage reports"))?;
    Ok((Some(table), counts))
}

/// Adds `period_key`: the period that contains each window's last day.
pub fn with_periods(usage: LazyFrame, kind: PeriodKind) -> LazyFrame {
    usage.with_column(periods::key_expr(kind, col(WINDOW_END)).alias(PERIOD_KEY))
}

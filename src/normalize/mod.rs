//! Normalize: from per-file canonical frames to one trustworthy event table. Deduplicates on
//! `(source, event_id)`, applies the `--as-of` cut-off, places events in local days and
//! periods, and decides who is in the population each period.

pub mod identity;
pub mod periods;
pub mod population;
pub mod usage;

use polars::prelude::*;

use crate::config::PeriodKind;
use crate::error::{Error, Result};
use crate::schema::event;

/// Internal columns added by [`with_periods`].
pub const DAY: &str = "day";
pub use periods::PERIOD_KEY;

/// How one input file's rows were accounted for: read = accepted + duplicates + excluded + rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowCounts {
    pub rows_read: u64,
    pub accepted: u64,
    pub duplicates: u64,
    /// Events after the `--as-of` day.
    pub excluded: u64,
    pub rejected: u64,
}

const INPUT: &str = "__input";

fn internal(what: &str) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |source| Error::Polars {
        what: what.to_string(),
        source,
        help: "report this as a bug with the pipeline file attached".into(),
    }
}

/// Concatenates the sources, drops duplicate `(source, event_id)` pairs (the first occurrence
/// wins, in file order) and events at or after `cutoff_micros`, and counts both per input.
pub fn combine(
    inputs: Vec<DataFrame>,
    cutoff_micros: Option<i64>,
) -> Result<(DataFrame, Vec<RowCounts>)> {
    let n = inputs.len();
    let read: Vec<u64> = inputs.iter().map(|f| f.height() as u64).collect();
    let tagged: Vec<LazyFrame> = inputs
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            f.lazy()
                .with_column(lit(i as u32).cast(DataType::UInt32).alias(INPUT))
        })
        .collect();
    let all = concat(tagged, UnionArgs::default()).map_err(internal("combining sources"))?;
    let unique = all.unique_stable(
        Some(cols([event::SOURCE, event::EVENT_ID])),
        UniqueKeepStrategy::First,
    );
    let late = match cutoff_micros {
        Some(c) => col(event::OCCURRED_AT).cast(DataType::Int64).gt_eq(lit(c)),
        None => lit(false),
    };
    let kept = unique
        .with_column(late.alias("__late"))
        .collect()
        .map_err(internal("removing duplicate events"))?;
    let per_input = kept
        .clone()
        .lazy()
        .group_by([col(INPUT)])
        .agg([
            len().cast(DataType::UInt64).alias("unique"),
            col("__late").sum().cast(DataType::UInt64).alias("late"),
        ])
        .collect()
        .map_err(internal("counting events per source"))?;
    let mut counts = vec![RowCounts::default(); n];
    let column = |name: &str| {
        per_input
            .column(name)
            .and_then(|c| c.cast(&DataType::UInt64))
            .map_err(internal("counting events per source"))
    };
    let (inputs_col, unique_col, late_col) = (column(INPUT)?, column("unique")?, column("late")?);
    let (inputs_col, unique_col, late_col) = (
        inputs_col.u64().map_err(internal("counting"))?.clone(),
        unique_col.u64().map_err(internal("counting"))?.clone(),
        late_col.u64().map_err(internal("counting"))?.clone(),
    );
    for ((i, u), l) in inputs_col
        .iter()
        .zip(unique_col.iter())
        .zip(late_col.iter())
    {
        let (Some(i), Some(u), Some(l)) = (i, u, l) else {
            continue;
        };
        counts[i as usize].accepted = u - l;
        counts[i as usize].excluded = l;
    }
    for (c, r) in counts.iter_mut().zip(read) {
        c.rows_read = r;
        c.duplicates = r - c.accepted - c.excluded;
    }
    let events = kept
        .lazy()
        .filter(col("__late").not())
        .select(event::ALL.map(col))
        .collect()
        .map_err(internal("applying --as-of"))?;
    Ok((events, counts))
}

/// Adds the local calendar `day` and the integer `period_key` of each event.
pub fn with_periods(events: LazyFrame, kind: PeriodKind, tz: chrono_tz::Tz) -> LazyFrame {
    let day = periods::local_day_expr(col(event::OCCURRED_AT), tz);
    events
        .with_column(day.alias(DAY))
        .with_column(periods::key_expr(kind, col(DAY)).alias(PERIOD_KEY))
}

/// The first and last period keys with events, or `None` when there are no events.
pub fn period_span(events: LazyFrame) -> Result<Option<(i32, i32)>> {
    let span = events
        .select([
            col(PERIOD_KEY).min().alias("first"),
            col(PERIOD_KEY).max().alias("last"),
        ])
        .collect()
        .map_err(internal("finding the first and last period"))?;
    let get = |name: &str| -> Option<i32> { span.column(name).ok()?.i32().ok()?.get(0) };
    Ok(get("first").zip(get("last")))
}

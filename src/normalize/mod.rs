//! Normalize: from per-file canonical frames to one trustworthy event table. Deduplicates on
//! `(source, event_id)`, applies the `--as-of` cut-off, places events in local days and
//! periods, and decides who is in the population each period.

pub mod identity;
pub mod periods;
pub mod population;
pub mod screen;
pub mod usage;

use polars::prelude::*;

use crate::config::PeriodKind;
use crate::error::internal;
use crate::error::Result;
use crate::schema::event;

/// Internal columns added by [`with_periods`].
pub const DAY: &str = "day";
pub use periods::PERIOD_KEY;
pub use screen::{screen_source, YEARS};

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

/// Concatenates the inputs (`None` for an input without rows of this kind), drops rows that
/// repeat `key` (the first occurrence wins, in input order) and rows where `late` holds, and
/// counts both per input: read, accepted, duplicates, and late rows in `excluded`.
pub fn dedup_counted(
    inputs: &[Option<DataFrame>],
    key: &[&str],
    late: Expr,
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
    let kept = concat(tagged, UnionArgs::default())
        .map_err(internal("combining sources"))?
        .unique_stable(Some(cols(key.to_vec())), UniqueKeepStrategy::First)
        .with_column(late.alias("__late"))
        .collect()
        .map_err(internal("removing duplicates"))?;
    let per_input = kept
        .clone()
        .lazy()
        .group_by([col(INPUT)])
        .agg([
            len().cast(DataType::UInt64).alias("unique"),
            col("__late").sum().cast(DataType::UInt64).alias("late"),
        ])
        .collect()
        .map_err(internal("counting rows per source"))?;
    let column = |name: &str| {
        per_input
            .column(name)
            .and_then(|c| c.cast(&DataType::UInt64))
            .and_then(|c| c.u64().cloned())
            .map_err(internal("counting rows per source"))
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
    let kept = kept
        .lazy()
        .filter(col("__late").not())
        .drop(cols([INPUT, "__late"]))
        .collect()
        .map_err(internal("applying --as-of"))?;
    Ok((Some(kept), counts))
}

/// Concatenates the sources' events, drops duplicate `(source, event_id)` pairs (the first
/// occurrence wins, in file order) and events at or after `cutoff_micros`, and counts both per
/// input.
pub fn combine(
    inputs: Vec<DataFrame>,
    cutoff_micros: Option<i64>,
) -> Result<(DataFrame, Vec<RowCounts>)> {
    let late = match cutoff_micros {
        Some(c) => col(event::OCCURRED_AT).cast(DataType::Int64).gt_eq(lit(c)),
        None => lit(false),
    };
    let inputs: Vec<Option<DataFrame>> = inputs.into_iter().map(Some).collect();
    let (events, counts) = dedup_counted(&inputs, &[event::SOURCE, event::EVENT_ID], late)?;
    let events = events
        .map(|e| e.select(event::ALL))
        .transpose()
        .map_err(internal("combining sources"))?
        .unwrap_or_else(DataFrame::empty);
    Ok((events, counts))
}

/// Adds the local calendar `day` and the integer `period_key` of each event.
pub fn with_periods(events: LazyFrame, kind: PeriodKind, tz: chrono_tz::Tz) -> LazyFrame {
    let day = periods::local_day_expr(col(event::OCCURRED_AT), tz);
    events
        .with_column(day.alias(DAY))
        .with_column(periods::key_expr(kind, col(DAY)).alias(PERIOD_KEY))
}

/// The events of a run as lazy queries, one per partition: a UTC month of the event store,
/// or everything for a run without a store. Queries whose state grows with events (a
/// group-by over people and days, say) run on each part and combine their partial results,
/// so memory follows one month of events, not the store; the others read [`Events::all`].
#[derive(Clone)]
pub struct Events {
    pub parts: Vec<LazyFrame>,
}

impl Events {
    pub fn new(parts: Vec<LazyFrame>) -> Self {
        Self { parts }
    }

    /// Every part as one query.
    pub fn all(&self) -> LazyFrame {
        match self.parts.as_slice() {
            [one] => one.clone(),
            parts => concat(parts, UnionArgs::default())
                .unwrap_or_else(|_| crate::ingest::empty_events()),
        }
    }

    /// The same change to every part.
    pub fn map(self, f: impl Fn(LazyFrame) -> LazyFrame) -> Self {
        Self {
            parts: self.parts.into_iter().map(f).collect(),
        }
    }

    /// Runs `query` on each part (streaming engine) and stacks the results, in part order:
    /// partial results that the caller combines, as a MapReduce job would (counts add up,
    /// distinct sets are united). Cheap to combine: the stack is in memory.
    pub fn gather(&self, query: impl Fn(LazyFrame) -> LazyFrame) -> PolarsResult<LazyFrame> {
        let parts = self
            .parts
            .iter()
            .map(|p| collect_streaming(query(p.clone())).map(DataFrame::lazy))
            .collect::<PolarsResult<Vec<_>>>()?;
        concat(parts, UnionArgs::default())
    }
}

/// Runs a query over events on polars' streaming engine: events are read from the store in
/// batches and only the query's state (its groups, a join's smaller side) is held, so memory
/// follows people and posts rather than events.
pub fn collect_streaming(frame: LazyFrame) -> PolarsResult<DataFrame> {
    frame
        .collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
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

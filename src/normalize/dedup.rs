//! Deduplication with accounting: rows that repeat a key are dropped, the first occurrence
//! winning, and each input's rows are counted as accepted, duplicates or excluded, so every
//! row read is accounted for. Events and usage counts are deduplicated the same way.

use polars::prelude::*;

use crate::error::{internal, Result};

/// How one input file's rows were accounted for: read = accepted + already stored +
/// duplicates + excluded + rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowCounts {
    pub rows_read: u64,
    /// New to the store (or, without a store of the pipeline's own, to this run).
    pub accepted: u64,
    /// Events a kept store held already: a nightly full export re-delivers them every night,
    /// which is no flaw of the export, so they are not duplicates.
    pub already_stored: u64,
    /// Repeats of an earlier `(source, event_id)` among the delivered rows themselves.
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

//! The breakdown tables as published (docs/privacy.md): per period and roster group the counts
//! and rates, suppressed as one [`Grid`] with the period's totals, and the department
//! interaction matrix. Counting is `metrics::breakdowns`'; this file decides what is shown.

use polars::prelude::*;

use super::suppression::{blocks, rate, Rows, Total};
use crate::columns::{i32s, strs};
use crate::error::{internal, Result};
use crate::metrics::breakdowns::COUNTS;
use crate::normalize::PERIOD_KEY;

/// The publishable breakdown from [`crate::metrics::breakdowns::counts`] (with `period`
/// joined): `period, <attribute>, headcount, active, contributors, creators,
/// participation_rate, contribution_rate, creation_rate, reach_rate, rung_share:<Rung>…,
/// suppressed`. A suppressed figure is empty and its row says `suppressed = true`. The groups
/// named in `subtotal` (leaders and managers, for the role breakdown) add up to a total
/// published elsewhere (the leadership table) when together they reach `k`.
pub fn breakdown(
    counts: &DataFrame,
    attribute: &str,
    rungs: &[String],
    (k, views_known): (u32, bool),
    subtotal: &[&str],
) -> Result<DataFrame> {
    let keys = i32s(counts, PERIOD_KEY)?;
    let groups = strs(counts, "group")?;
    // Columns: the people counts (viewers only with view data), then the rungs.
    let names: Vec<&str> = COUNTS
        .iter()
        .copied()
        .filter(|c| views_known || *c != "viewers")
        .chain(rungs.iter().map(String::as_str))
        .collect();
    let values = crate::columns::counts(counts, &names)?;
    let mut hidden = Vec::with_capacity(keys.len());
    for block in blocks(&keys) {
        let rows: Vec<Vec<u64>> = block
            .clone()
            .map(|r| values.iter().map(|col| col[r]).collect())
            .collect();
        let leaders: Vec<usize> = block
            .clone()
            .filter(|&r| subtotal.contains(&groups[r].as_str()))
            .map(|r| r - block.start)
            .collect();
        hidden.extend(
            period_grid(&names, &rows, rungs.len(), &leaders, u64::from(k)).hidden(u64::from(k)),
        );
    }
    published(counts, attribute, &names, &values, &hidden, rungs)
}

/// One period of a breakdown as [`Rows`]: per group its counts and the remainders anyone can
/// work out from them, down the nesting headcount ⊇ active ⊇ contributors ⊇ creators and
/// headcount ⊇ viewers; the rungs (and anyone on none) add up to the headcount; and the
/// leaders' rows add up to the leadership table's totals when that is published.
fn period_grid(
    names: &[&str],
    rows: &[Vec<u64>],
    rung_count: usize,
    leaders: &[usize],
    k: u64,
) -> Rows {
    let (hc, active, contributors, creators) = (0, 1, 2, 3);
    let mut nest = vec![
        (active, hc),
        (contributors, active),
        (creators, contributors),
    ];
    if let Some(v) = names.iter().position(|n| *n == "viewers") {
        nest.push((v, hc));
    }
    let mut table = Rows::new(rows, &nest, &[hc]);
    let rung_cols = names.len() - rung_count..names.len();
    let mut unranked = Vec::new();
    for (row, cells) in rows.iter().zip(&table.cells) {
        let mut ranked: Vec<usize> = rung_cols.clone().map(|i| cells[i]).collect();
        let on_rungs: u64 = rung_cols.clone().map(|i| row[i]).sum();
        if rung_count > 0 && on_rungs < row[hc] {
            let rest = table.grid.remainder(row[hc], on_rungs);
            table.grid.group(cells[hc], vec![rest]);
            unranked.push(rest);
            ranked.push(rest);
        }
        table.grid.margin(ranked, Total::Cell(cells[hc]));
    }
    table.grid.margin(unranked, Total::Published);
    // Leaders and managers together are published when they reach the minimum.
    let together: u64 = leaders.iter().map(|&r| rows[r][hc]).sum();
    if together >= k {
        for column in [hc, active, contributors] {
            let parts = leaders.iter().map(|&r| table.cells[r][column]).collect();
            table.grid.margin(parts, Total::Published);
        }
        for pair in [0, 1] {
            let parts = leaders.iter().map(|&r| table.rests[r][pair]).collect();
            table.grid.margin(parts, Total::Published);
        }
    }
    table
}

/// The breakdown's columns with every hidden figure (and every rate resting on one) empty.
fn published(
    counts: &DataFrame,
    attribute: &str,
    names: &[&str],
    values: &[Vec<u64>],
    hidden: &[Vec<bool>],
    rungs: &[String],
) -> Result<DataFrame> {
    let height = counts.height();
    let shown = |name: &str| -> Vec<Option<u64>> {
        let i = names.iter().position(|n| *n == name);
        (0..height)
            .map(|r| i.and_then(|i| (!hidden[r][i]).then_some(values[i][r])))
            .collect()
    };
    let rates = |num: &[Option<u64>], den: &[Option<u64>]| -> Vec<Option<f64>> {
        num.iter().zip(den).map(|(n, d)| rate(*n, *d)).collect()
    };
    let headcount = shown("headcount");
    let (active, contributors, creators, viewers) = (
        shown("active"),
        shown("contributors"),
        shown("creators"),
        shown("viewers"),
    );
    let as_u32 =
        |v: &[Option<u64>]| -> Vec<Option<u32>> { v.iter().map(|x| x.map(|x| x as u32)).collect() };
    let mut columns = vec![
        Column::new("period".into(), strs(counts, "period")?),
        Column::new(attribute.into(), strs(counts, "group")?),
        Column::new("headcount".into(), as_u32(&headcount)),
        Column::new("active".into(), as_u32(&active)),
        Column::new("contributors".into(), as_u32(&contributors)),
        Column::new("creators".into(), as_u32(&creators)),
        Column::new("participation_rate".into(), rates(&active, &headcount)),
        Column::new("contribution_rate".into(), rates(&contributors, &headcount)),
        Column::new("creation_rate".into(), rates(&creators, &headcount)),
        Column::new("reach_rate".into(), rates(&viewers, &headcount)),
    ];
    for r in rungs {
        columns.push(Column::new(
            format!("rung_share:{r}").into(),
            rates(&shown(r), &headcount),
        ));
    }
    columns.push(Column::new(
        "suppressed".into(),
        hidden
            .iter()
            .map(|row| row.iter().any(|h| *h))
            .collect::<Vec<bool>>(),
    ));
    DataFrame::new(height, columns).map_err(internal("suppressing a breakdown"))
}

/// The department × department interaction matrix with §7 applied: a cell is empty when fewer
/// than `k` people made its interactions or either department has fewer than `k` people in
/// headcount that period (`headcounts`: `period_key, department, headcount`).
pub fn matrix(matrix: LazyFrame, headcounts: LazyFrame, k: u32) -> LazyFrame {
    let small = |side: &str| {
        headcounts.clone().select([
            col(PERIOD_KEY),
            col("department").alias(side),
            col("headcount").alias(format!("__{side}_headcount")),
        ])
    };
    let on = |side: &str| [col(PERIOD_KEY), col(side)];
    let mut joined = matrix;
    for side in ["from_department", "to_department"] {
        joined = joined.join(
            small(side),
            on(side),
            on(side),
            JoinArgs::new(JoinType::Left),
        );
    }
    let hide = col("people")
        .lt(lit(k))
        .or(col("__from_department_headcount")
            .fill_null(lit(0u32))
            .lt(lit(k)))
        .or(col("__to_department_headcount")
            .fill_null(lit(0u32))
            .lt(lit(k)));
    joined
        .with_column(hide.alias("suppressed"))
        .with_columns(["interactions", "people"].map(|c| {
            when(col("suppressed"))
                .then(lit(NULL).cast(DataType::UInt32))
                .otherwise(col(c))
                .alias(c)
        }))
        .sort(
            [PERIOD_KEY, "from_department", "to_department"],
            SortMultipleOptions::default(),
        )
}

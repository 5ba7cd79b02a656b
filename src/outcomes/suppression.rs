//! Small-group suppression (spec §7): a figure about a group defined by an HR attribute (or a
//! rung within one) that rests on fewer than `min_group_size` people is shown as suppressed,
//! and where a shown total would give a lone suppressed cell away, the next smallest cell of
//! its row or column is suppressed too, until no row or column has exactly one.

use polars::prelude::*;

use crate::columns::{i32s, strs, u32s};
use crate::error::{internal, Result};
use crate::metrics::breakdowns::COUNTS;
use crate::normalize::PERIOD_KEY;

/// Which cells of a table of people counts must not be shown. `counts[row][col]`: rows are the
/// groups of one period, columns the counts. Every column adds up over the rows to a total
/// shown elsewhere; each set in `row_sets` adds up to the row's `row_total` column. When the
/// `row_total` cell is suppressed the whole row is.
pub fn suppress(
    counts: &[Vec<u64>],
    row_total: usize,
    row_sets: &[Vec<usize>],
    k: u64,
) -> Vec<Vec<bool>> {
    complete(counts, small(counts, |c| c < k), row_total, row_sets)
}

/// Where `hide` holds for a cell's count.
fn small(counts: &[Vec<u64>], hide: impl Fn(u64) -> bool) -> Vec<Vec<bool>> {
    counts
        .iter()
        .map(|row| row.iter().map(|&c| hide(c)).collect())
        .collect()
}

/// [`suppress`] for tables whose empty cells are structural (a survey answer nobody gave):
/// a cell of nobody is shown, unless it is needed as a complement.
pub fn suppress_people(
    counts: &[Vec<u64>],
    row_total: usize,
    row_sets: &[Vec<usize>],
    k: u64,
) -> Vec<Vec<bool>> {
    complete(
        counts,
        small(counts, |c| c > 0 && c < k),
        row_total,
        row_sets,
    )
}

/// The complementary cells: a hidden row total hides its row, and a row set or column with
/// exactly one hidden cell hides its smallest shown cell too, until nothing changes.
fn complete(
    counts: &[Vec<u64>],
    mut hidden: Vec<Vec<bool>>,
    row_total: usize,
    row_sets: &[Vec<usize>],
) -> Vec<Vec<bool>> {
    let cols = counts.first().map_or(0, Vec::len);
    // Hide the smallest shown cell among `cells` (ties: the first), if any.
    let hide_smallest = |hidden: &mut Vec<Vec<bool>>, cells: &[(usize, usize)]| -> bool {
        let pick = cells
            .iter()
            .filter(|&&(r, c)| !hidden[r][c])
            .min_by_key(|&&(r, c)| counts[r][c]);
        match pick {
            Some(&(r, c)) => {
                hidden[r][c] = true;
                true
            }
            None => false,
        }
    };
    loop {
        let mut changed = false;
        for row in hidden.iter_mut() {
            if row.get(row_total).copied().unwrap_or(false) && row.iter().any(|h| !h) {
                row.iter_mut().for_each(|h| *h = true);
                changed = true;
            }
        }
        for r in 0..counts.len() {
            for set in row_sets {
                let cells: Vec<(usize, usize)> = set.iter().map(|&c| (r, c)).collect();
                if cells.iter().filter(|&&(r, c)| hidden[r][c]).count() == 1 {
                    changed |= hide_smallest(&mut hidden, &cells);
                }
            }
        }
        for c in 0..cols {
            let cells: Vec<(usize, usize)> = (0..counts.len()).map(|r| (r, c)).collect();
            if cells.iter().filter(|&&(r, c)| hidden[r][c]).count() == 1 {
                changed |= hide_smallest(&mut hidden, &cells);
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// Which rows (groups of one period) to hide when a row's figures rest on its `sizes`: rows
/// under `k`, and when that leaves exactly one hidden row beside a shown total, the next
/// smallest row too.
pub fn suppress_rows(sizes: &[f64], k: u32) -> Vec<bool> {
    let mut hidden: Vec<bool> = sizes.iter().map(|s| *s < f64::from(k)).collect();
    if sizes.len() > 1 && hidden.iter().filter(|h| **h).count() == 1 {
        if let Some(i) = (0..sizes.len())
            .filter(|&i| !hidden[i])
            .min_by(|&i, &j| sizes[i].total_cmp(&sizes[j]))
        {
            hidden[i] = true;
        }
    }
    hidden
}

/// The publishable breakdown from [`crate::metrics::breakdowns::counts`] (with `period`
/// joined): `period, <attribute>, headcount, active, contributors, creators,
/// participation_rate, contribution_rate, creation_rate, reach_rate, rung_share:<Rung>…,
/// suppressed`. A suppressed figure is empty and its row says `suppressed = true`.
pub fn breakdown(
    counts: &DataFrame,
    attribute: &str,
    rungs: &[String],
    k: u32,
    views_known: bool,
) -> Result<DataFrame> {
    let keys = i32s(counts, PERIOD_KEY)?;
    let periods = strs(counts, "period")?;
    let groups = strs(counts, "group")?;
    // Columns of the grid: the people counts (viewers only with view data), then the rungs.
    let names: Vec<&str> = COUNTS
        .iter()
        .copied()
        .filter(|c| views_known || *c != "viewers")
        .chain(rungs.iter().map(String::as_str))
        .collect();
    let values: Vec<Vec<u64>> = names
        .iter()
        .map(|name| {
            Ok(u32s(counts, name)?
                .into_iter()
                .map(|v| u64::from(v.unwrap_or(0)))
                .collect())
        })
        .collect::<Result<_>>()?;
    let rung_cols: Vec<usize> = (names.len() - rungs.len()..names.len()).collect();
    let mut hidden = vec![vec![false; names.len()]; keys.len()];
    // Rows are sorted by period: suppress each period's block of groups on its own.
    let mut start = 0;
    while start < keys.len() {
        let end = (start..keys.len())
            .find(|&i| keys[i] != keys[start])
            .unwrap_or(keys.len());
        let grid: Vec<Vec<u64>> = (start..end)
            .map(|r| values.iter().map(|col| col[r]).collect())
            .collect();
        for (offset, row) in suppress(&grid, 0, std::slice::from_ref(&rung_cols), u64::from(k))
            .into_iter()
            .enumerate()
        {
            hidden[start + offset] = row;
        }
        start = end;
    }
    let shown = |name: &str| -> Vec<Option<u64>> {
        let i = names.iter().position(|n| *n == name);
        (0..keys.len())
            .map(|r| i.and_then(|i| (!hidden[r][i]).then_some(values[i][r])))
            .collect()
    };
    let rate = |num: &[Option<u64>], den: &[Option<u64>]| -> Vec<Option<f64>> {
        num.iter()
            .zip(den)
            .map(|(n, d)| match (n, d) {
                (Some(n), Some(d)) if *d > 0 => Some(*n as f64 / *d as f64),
                _ => None,
            })
            .collect()
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
        Column::new("period".into(), periods),
        Column::new(attribute.into(), groups),
        Column::new("headcount".into(), as_u32(&headcount)),
        Column::new("active".into(), as_u32(&active)),
        Column::new("contributors".into(), as_u32(&contributors)),
        Column::new("creators".into(), as_u32(&creators)),
        Column::new("participation_rate".into(), rate(&active, &headcount)),
        Column::new("contribution_rate".into(), rate(&contributors, &headcount)),
        Column::new("creation_rate".into(), rate(&creators, &headcount)),
        Column::new("reach_rate".into(), rate(&viewers, &headcount)),
    ];
    for r in rungs {
        columns.push(Column::new(
            format!("rung_share:{r}").into(),
            rate(&shown(r), &headcount),
        ));
    }
    columns.push(Column::new(
        "suppressed".into(),
        hidden
            .iter()
            .map(|row| row.iter().any(|h| *h))
            .collect::<Vec<bool>>(),
    ));
    DataFrame::new(keys.len(), columns).map_err(internal("suppressing a breakdown"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // k = 5; columns headcount, A, B, C; A + B + C = headcount.
    //   G1 [20, 10, 7, 3]: C = 3 < 5 is hidden; alone in its row, so the smallest other, B = 7,
    //      goes too.
    //   G2 [12, 6, 6, 0]: C = 0 hidden; then A (6, tied with B: the first) goes too.
    //   G3 [3, 1, 1, 1]: headcount 3 < 5: the whole row.
    //   The headcount column now has G3 alone hidden: the next smallest, G2 (12), goes, and
    //   with it G2's whole row. Every column then has 0 or at least 2 hidden cells.
    #[test]
    fn complementary_suppression_by_hand() {
        let grid = vec![vec![20, 10, 7, 3], vec![12, 6, 6, 0], vec![3, 1, 1, 1]];
        let hidden = suppress(&grid, 0, &[vec![1, 2, 3]], 5);
        assert_eq!(
            hidden,
            vec![
                vec![false, false, true, true],
                vec![true, true, true, true],
                vec![true, true, true, true],
            ]
        );
    }

    // Groups of 3, 12 and 40: the 3 is hidden, and alone beside the total, so the 12 goes too.
    // Two small groups protect each other; no small group hides nothing.
    #[test]
    fn rows_by_size() {
        assert_eq!(
            suppress_rows(&[3.0, 12.0, 40.0], 5),
            vec![true, true, false]
        );
        assert_eq!(suppress_rows(&[3.0, 4.5, 40.0], 5), vec![true, true, false]);
        assert_eq!(suppress_rows(&[30.0, 12.0], 5), vec![false, false]);
        assert_eq!(suppress_rows(&[3.0], 5), vec![true]);
    }

    #[test]
    fn large_groups_are_shown_whole() {
        let grid = vec![vec![40, 20, 20], vec![30, 10, 20]];
        let hidden = suppress(&grid, 0, &[vec![1, 2]], 5);
        assert!(hidden.iter().flatten().all(|h| !h));
    }

    /// What someone holding the shown cells and every total can work out: repeatedly solve
    /// any row or column sum with exactly one unknown. Returns the cells recovered.
    fn attack(grid: &[Vec<u64>], hidden: &[Vec<bool>], row_set: &[usize]) -> Vec<(usize, usize)> {
        let mut known: Vec<Vec<bool>> = hidden
            .iter()
            .map(|r| r.iter().map(|h| !h).collect())
            .collect();
        let mut recovered = Vec::new();
        loop {
            let mut progress = false;
            let mut equations: Vec<Vec<(usize, usize)>> = Vec::new();
            for r in 0..grid.len() {
                // headcount = Σ rung cells
                let mut eq = vec![(r, 0)];
                eq.extend(row_set.iter().map(|&c| (r, c)));
                equations.push(eq);
            }
            for c in 0..grid[0].len() {
                // Σ over rows = the column total, which is shown elsewhere: one unknown per
                // hidden cell.
                equations.push((0..grid.len()).map(|r| (r, c)).collect());
            }
            for eq in equations {
                let unknown: Vec<&(usize, usize)> =
                    eq.iter().filter(|&&(r, c)| !known[r][c]).collect();
                if unknown.len() == 1 {
                    let (r, c) = *unknown[0];
                    known[r][c] = true;
                    recovered.push((r, c));
                    progress = true;
                }
            }
            if !progress {
                return recovered;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        // Random groups of one period: rung counts, headcount their sum, other counts below it.
        #[test]
        fn nothing_small_is_shown_or_recoverable(
            rows in prop::collection::vec(
                (prop::collection::vec(0u64..25, 3), 0u64..40),
                2..7,
            ),
            k in 1u64..9,
        ) {
            let grid: Vec<Vec<u64>> = rows
                .iter()
                .map(|(rungs, other)| {
                    let headcount: u64 = rungs.iter().sum();
                    let mut row = vec![headcount, (*other).min(headcount)];
                    row.extend(rungs);
                    row
                })
                .collect();
            let row_set = vec![2, 3, 4];
            let hidden = suppress(&grid, 0, std::slice::from_ref(&row_set), k);
            for (r, row) in grid.iter().enumerate() {
                for (c, &v) in row.iter().enumerate() {
                    prop_assert!(hidden[r][c] || v >= k, "cell ({r},{c}) = {v} shown under k = {k}");
                }
                if hidden[r][0] {
                    prop_assert!(hidden[r].iter().all(|h| *h), "row {r} partly shown");
                } else {
                    prop_assert_ne!(row_set.iter().filter(|&&c| hidden[r][c]).count(), 1);
                }
            }
            for c in 0..grid[0].len() {
                prop_assert_ne!(hidden.iter().filter(|row| row[c]).count(), 1);
            }
            prop_assert!(attack(&grid, &hidden, &row_set).is_empty());
        }
    }
}

//! Is it always the same few (docs/metrics.md)? The top-1% and top-10% shares of contributions among
//! active people and the Gini coefficient of contributions over everyone in headcount. Reads
//! the activity table only.

use polars::prelude::*;

use super::ratio;
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::activity as a;

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

/// The Lorenz curve of one period's contributions (everyone in headcount, zeros included):
/// `(share of people, share of contributions)` at `points` even steps of people from 0 to 1,
/// people taken from the fewest contributions up. Empty when nobody contributed.
pub fn lorenz(contributions: &[u32], points: usize) -> Vec<(f64, f64)> {
    let total: u64 = contributions.iter().map(|c| u64::from(*c)).sum();
    if total == 0 || contributions.is_empty() || points < 2 {
        return Vec::new();
    }
    let mut sorted = contributions.to_vec();
    sorted.sort_unstable();
    let mut cumulative = Vec::with_capacity(sorted.len() + 1);
    let mut sum = 0u64;
    cumulative.push(0u64);
    for c in &sorted {
        sum += u64::from(*c);
        cumulative.push(sum);
    }
    let n = sorted.len() as f64;
    (0..points)
        .map(|i| {
            let share = i as f64 / (points - 1) as f64;
            // Between whole people the curve is a straight line.
            let at = share * n;
            let k = (at.floor() as usize).min(sorted.len());
            let frac = at - k as f64;
            let below = cumulative[k] as f64;
            let next = cumulative[(k + 1).min(sorted.len())] as f64;
            (share, (below + frac * (next - below)) / total as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::{activity, f};

    // Period 1, headcount 5, contributions a 5, b 3, c 3, d 0 (active: viewed), e 0 (inactive).
    //   4 active: top 1% and top 10% are both the first ceil(0.04) = ceil(0.4) = 1 person,
    //   a: 5 / 11.
    //   gini over [0, 0, 3, 3, 5]: Σ i·x = 3·3 + 4·3 + 5·5 = 46; 2·46/(5·11) − 6/5 = 26/55;
    //   check by mean absolute difference: Σ|xi − xj| over ordered pairs = 52, / (2·25·2.2) =
    //   26/55.
    // Period 2: 11 active, contributions 4, 2, 2 (a tie) and eight 0: top 10% = first
    //   ceil(1.1) = 2 people = 4 + 2 = 6 of 8 = 0.75 whichever of the tied two comes first.
    // Period 3: one person, no contributions: all three empty.
    #[test]
    fn shares_and_gini_by_hand() {
        type Owned = (String, i32, Vec<(&'static str, u32)>);
        let mut rows: Vec<Owned> = vec![
            ("a".into(), 1, vec![("posts", 5)]),
            ("b".into(), 1, vec![("replies", 3)]),
            ("c".into(), 1, vec![("posts", 1), ("replies", 2)]),
            ("d".into(), 1, vec![("views", 1)]),
            ("e".into(), 1, vec![]),
            ("x".into(), 2, vec![("posts", 4)]),
            ("y".into(), 2, vec![("replies", 2)]),
            ("z".into(), 2, vec![("replies", 2)]),
            ("q".into(), 3, vec![]),
        ];
        for i in 0..8 {
            rows.push((format!("v{i}"), 2, vec![("visits", 1)]));
        }
        let borrowed: Vec<crate::metrics::testing::Row> = rows
            .iter()
            .map(|r| (r.0.as_str(), r.1, r.2.as_slice(), "R"))
            .collect();
        let out = inequality(activity(&borrowed)).unwrap().collect().unwrap();
        assert_eq!(f(&out, 1, "top1_share"), Some(5.0 / 11.0));
        assert_eq!(f(&out, 1, "top10_share"), Some(5.0 / 11.0));
        assert!((f(&out, 1, "gini").unwrap() - 26.0 / 55.0).abs() < 1e-12);
        assert_eq!(f(&out, 2, "top10_share"), Some(0.75));
        assert_eq!(f(&out, 2, "top1_share"), Some(0.5));
        assert_eq!(f(&out, 3, "gini"), None);
        assert_eq!(f(&out, 3, "top1_share"), None);
    }

    // Four people with 0, 0, 1, 3 contributions, five points (0, 25, 50, 75, 100% of people):
    // after 1 person 0, after 2 people 0, after 3 people 1 of 4 = 0.25, after all 1.0.
    #[test]
    fn lorenz_by_hand() {
        assert_eq!(
            lorenz(&[3, 0, 1, 0], 5),
            vec![
                (0.0, 0.0),
                (0.25, 0.0),
                (0.5, 0.0),
                (0.75, 0.25),
                (1.0, 1.0)
            ]
        );
        // Equal contributions give the diagonal.
        assert_eq!(
            lorenz(&[1, 1, 1, 1], 3),
            vec![(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]
        );
        assert!(lorenz(&[0, 0], 5).is_empty());
    }

    // Everyone contributing the same: no inequality. One person holding everything among n:
    // G = (n − 1)/n, the largest value for n people.
    #[test]
    fn gini_extremes() {
        let equal = activity(&[
            ("a", 1, &[("posts", 2)], "R"),
            ("b", 1, &[("posts", 2)], "R"),
            ("c", 1, &[("posts", 2)], "R"),
            ("d", 1, &[("posts", 2)], "R"),
        ]);
        let out = inequality(equal).unwrap().collect().unwrap();
        assert!(f(&out, 1, "gini").unwrap().abs() < 1e-12);
        let one = activity(&[
            ("a", 1, &[("posts", 7)], "R"),
            ("b", 1, &[], "R"),
            ("c", 1, &[], "R"),
            ("d", 1, &[], "R"),
        ]);
        let out = inequality(one).unwrap().collect().unwrap();
        assert!((f(&out, 1, "gini").unwrap() - 0.75).abs() < 1e-12);
    }
}

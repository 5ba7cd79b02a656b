//! Turnover (README "Outputs"): separations over the mean of the headcount at a period's start and end
//! (SHRM), for the organisation and per roster group; and attrition by rung: of the people on
//! a rung in a period whose data follows them for `horizon_periods` more periods, the share
//! who left within those periods. Reads the roster, the calendar and the activity table.

use polars::prelude::*;

use crate::metrics::ratio;
use crate::normalize::periods::{key_expr, PERIOD_END, PERIOD_START};
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::PeriodKind;
use crate::vocabulary::{activity as a, person};

/// The counts behind turnover, in column order.
pub const COUNTS: [&str; 4] = [
    "headcount_start",
    "headcount_end",
    "separations",
    "voluntary_separations",
];

/// Employed on a local day: hired by it and not gone before it.
fn employed_on(day: Expr) -> Expr {
    col(person::HIRE_DATE)
        .is_null()
        .or(col(person::HIRE_DATE).lt_eq(day.clone()))
        .and(
            col(person::EXIT_DATE)
                .is_null()
                .or(col(person::EXIT_DATE).gt_eq(day)),
        )
}

/// `period_key, [group,] headcount_start, headcount_end, separations, voluntary_separations,
/// turnover_rate, voluntary_turnover_rate` per calendar period (and group: the roster column
/// `group_by`, missing values as `unknown`). A person counts at the start (end) when employed
/// on the period's first (last) day; a separation is an exit date inside the period.
pub fn turnover(
    roster: LazyFrame,
    calendar: LazyFrame,
    group_by: Option<(&str, &str)>,
) -> LazyFrame {
    let mut keys = vec![col(PERIOD_KEY)];
    let mut people = vec![
        col(person::HIRE_DATE),
        col(person::EXIT_DATE),
        col(person::EXIT_KIND),
    ];
    if let Some((attribute, unknown)) = group_by {
        people.push(col(attribute).fill_null(lit(unknown)).alias("group"));
        keys.push(col("group"));
    }
    let separated = col(person::EXIT_DATE)
        .gt_eq(col(PERIOD_START))
        .and(col(person::EXIT_DATE).lt_eq(col(PERIOD_END)))
        .fill_null(lit(false));
    roster
        .select(people)
        .cross_join(
            calendar.select([col(PERIOD_KEY), col(PERIOD_START), col(PERIOD_END)]),
            None,
        )
        .group_by(keys.clone())
        .agg([
            employed_on(col(PERIOD_START))
                .sum()
                .cast(DataType::UInt32)
                .alias("headcount_start"),
            employed_on(col(PERIOD_END))
                .sum()
                .cast(DataType::UInt32)
                .alias("headcount_end"),
            separated
                .clone()
                .sum()
                .cast(DataType::UInt32)
                .alias("separations"),
            separated
                .and(
                    col(person::EXIT_KIND)
                        .eq(lit("voluntary"))
                        .fill_null(lit(false)),
                )
                .sum()
                .cast(DataType::UInt32)
                .alias("voluntary_separations"),
        ])
        .with_column(
            ((col("headcount_start") + col("headcount_end")).cast(DataType::Float64) / lit(2.0))
                .alias("__mean"),
        )
        .with_columns([
            ratio(col("separations"), col("__mean")).alias("turnover_rate"),
            ratio(col("voluntary_separations"), col("__mean")).alias("voluntary_turnover_rate"),
        ])
        // A group nobody belonged to during the period is not a row.
        .filter(
            col("headcount_start")
                .gt(lit(0u32))
                .or(col("headcount_end").gt(lit(0u32)))
                .or(col("separations").gt(lit(0u32))),
        )
        .sort_by_exprs(keys, SortMultipleOptions::default())
        .drop(Selector::ByName {
            names: ["__mean".into()].into(),
            strict: true,
        })
}

/// `period_key, rung, people, followed, exits_within_horizon, share`: for every period and
/// rung (ladder order), the people on it; those with `horizon` later periods in the data
/// (`last_key` is the last period); and how many of those have an exit date in the `horizon`
/// periods after it. `share` = exits / followed, empty where nobody is followed.
pub fn attrition_by_rung(
    activity: LazyFrame,
    roster: LazyFrame,
    kind: PeriodKind,
    rungs: &[String],
    horizon: u32,
    last_key: i32,
) -> LazyFrame {
    let exits = roster.filter(col(person::EXIT_DATE).is_not_null()).select([
        col(person::PERSON_ID).alias(a::PERSON),
        key_expr(kind, col(person::EXIT_DATE)).alias("__exit_key"),
    ]);
    let h = horizon as i32;
    let order = crate::metrics::ladder::rung_order(rungs);
    let counted = activity
        .select([col(a::PERSON), col(PERIOD_KEY), col(a::RUNG)])
        .join(
            exits,
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            (col(PERIOD_KEY) + lit(h))
                .lt_eq(lit(last_key))
                .alias("__followed"),
            col("__exit_key")
                .gt(col(PERIOD_KEY))
                .and(col("__exit_key").lt_eq(col(PERIOD_KEY) + lit(h)))
                .fill_null(lit(false))
                .alias("__left"),
        ])
        .group_by([col(PERIOD_KEY), col(a::RUNG)])
        .agg([
            len().cast(DataType::UInt32).alias("people"),
            col("__followed")
                .sum()
                .cast(DataType::UInt32)
                .alias("followed"),
            col("__followed")
                .and(col("__left"))
                .sum()
                .cast(DataType::UInt32)
                .alias("exits_within_horizon"),
        ]);
    let periods = activity_periods(counted.clone());
    periods
        .cross_join(order, None)
        .join(
            counted,
            [col(PERIOD_KEY), col(a::RUNG)],
            [col(PERIOD_KEY), col(a::RUNG)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(
            ["people", "followed", "exits_within_horizon"].map(|c| col(c).fill_null(lit(0u32))),
        )
        .with_column(ratio(col("exits_within_horizon"), col("followed")).alias("share"))
        .sort([PERIOD_KEY, "__order"], SortMultipleOptions::default())
        .select([
            col(PERIOD_KEY),
            col(a::RUNG),
            col("people"),
            col("followed"),
            col("exits_within_horizon"),
            col("share"),
        ])
}

fn activity_periods(counted: LazyFrame) -> LazyFrame {
    counted
        .select([col(PERIOD_KEY)])
        .unique(None, UniqueKeepStrategy::Any)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::activity;

    fn d(s: &str) -> i32 {
        (chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
            - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
        .num_days() as i32
    }

    fn dates(v: &[Option<&str>]) -> Column {
        Column::new("x".into(), v.iter().map(|s| s.map(d)).collect::<Vec<_>>())
            .cast(&DataType::Date)
            .unwrap()
    }

    fn roster() -> LazyFrame {
        let mut hire = dates(&[
            Some("2020-01-01"),
            Some("2020-01-01"),
            Some("2025-01-10"),
            Some("2019-05-01"),
            Some("2018-01-01"),
            Some("2024-06-01"),
        ]);
        hire.rename(person::HIRE_DATE.into());
        let mut exit = dates(&[
            None,
            Some("2025-01-31"),
            None,
            Some("2025-02-10"),
            Some("2025-01-01"),
            Some("2025-04-20"),
        ]);
        exit.rename(person::EXIT_DATE.into());
        DataFrame::new(
            6,
            vec![
                Column::new(person::PERSON_ID.into(), ["a", "b", "c", "d", "e", "f"]),
                Column::new(
                    person::DEPARTMENT.into(),
                    [Some("X"), Some("X"), Some("Y"), Some("Y"), None, Some("X")],
                ),
                hire,
                exit,
                Column::new(
                    person::EXIT_KIND.into(),
                    [
                        None,
                        Some("voluntary"),
                        None,
                        Some("involuntary"),
                        Some("voluntary"),
                        Some("voluntary"),
                    ],
                ),
            ],
        )
        .unwrap()
        .lazy()
    }

    fn calendar() -> LazyFrame {
        let mut start = dates(&[Some("2025-01-01"), Some("2025-02-01")]);
        start.rename(PERIOD_START.into());
        let mut end = dates(&[Some("2025-01-31"), Some("2025-02-28")]);
        end.rename(PERIOD_END.into());
        DataFrame::new(
            2,
            vec![Column::new(PERIOD_KEY.into(), [1i32, 2]), start, end],
        )
        .unwrap()
        .lazy()
    }

    // January 2025: at the start (1 Jan) a, b, d, e (leaves on 1 Jan: still employed that day),
    //   f = 5; c is hired on the 10th. At the end (31 Jan) a, b (leaves that day), c, d, f = 5.
    //   Separations: b (voluntary, 31 Jan), e (voluntary, 1 Jan) = 2, both voluntary.
    //   turnover = 2 / ((5 + 5)/2) = 0.4.
    // February: start a, c, d, f = 4; end a, c, f = 3; d leaves (involuntary):
    //   turnover 1 / 3.5, voluntary 0.
    // By department in January: X a, b, f: start 3, end 3, 1 separation (b) -> 1/3;
    //   Y c, d: start 1 (d), end 2 -> 0; unknown e: start 1, end 0, 1 separation -> 1/0.5 = 2.
    #[test]
    fn turnover_by_hand() {
        let out = turnover(roster(), calendar(), None).collect().unwrap();
        let u = |c: &str| -> Vec<u32> {
            out.column(c)
                .unwrap()
                .u32()
                .unwrap()
                .into_no_null_iter()
                .collect()
        };
        assert_eq!(u("headcount_start"), vec![5, 4]);
        assert_eq!(u("headcount_end"), vec![5, 3]);
        assert_eq!(u("separations"), vec![2, 1]);
        assert_eq!(u("voluntary_separations"), vec![2, 0]);
        let rate: Vec<f64> = out
            .column("turnover_rate")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(rate, vec![0.4, 1.0 / 3.5]);

        let by = turnover(
            roster(),
            calendar(),
            Some((person::DEPARTMENT, "(unknown)")),
        )
        .filter(col(PERIOD_KEY).eq(lit(1)))
        .collect()
        .unwrap();
        let groups: Vec<&str> = by
            .column("group")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(groups, vec!["(unknown)", "X", "Y"]);
        let rate: Vec<f64> = by
            .column("turnover_rate")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(rate, vec![2.0, 1.0 / 3.0, 0.0]);
    }

    // Monthly keys from k = 2025-01; horizon 2 periods; the data ends with k + 3.
    //   Period k: a, b on R1, c, d on R2, all followed (k + 2 <= k + 3). Exits in the two
    //   periods after k (k + 1, k + 2): d (2025-02-10, k + 1); b left on 2025-01-31, in k
    //   itself, which does not count. R1: 0 of 2; R2: 1 of 2 = 0.5.
    //   Period k + 2: a on R1, not followed (k + 4 > k + 3): share empty; R2 has nobody.
    #[test]
    fn attrition_by_rung_by_hand() {
        let k = 2025 * 12;
        let act = activity(&[
            ("a", k, &[], "R1"),
            ("b", k, &[], "R1"),
            ("c", k, &[], "R2"),
            ("d", k, &[], "R2"),
            ("a", k + 2, &[], "R1"),
        ]);
        let names = vec!["R1".to_string(), "R2".to_string()];
        let out = attrition_by_rung(act, roster(), PeriodKind::Month, &names, 2, k + 3)
            .collect()
            .unwrap();
        let u = |c: &str| -> Vec<u32> {
            out.column(c)
                .unwrap()
                .u32()
                .unwrap()
                .into_no_null_iter()
                .collect()
        };
        assert_eq!(u("people"), vec![2, 2, 1, 0]);
        assert_eq!(u("followed"), vec![2, 2, 0, 0]);
        assert_eq!(u("exits_within_horizon"), vec![0, 1, 0, 0]);
        let share: Vec<Option<f64>> = out.column("share").unwrap().f64().unwrap().iter().collect();
        assert_eq!(share, vec![Some(0.0), Some(0.5), None, None]);
    }
}

//! Retention curves (README "Outputs"): how long people stay employed, by the rung they were on when
//! the analysis window first saw them. Kaplan–Meier per starting rung with the Greenwood band,
//! and the log-rank test of whether the curves differ. Time is counted in periods: a person
//! first seen in period f who leaves in period x has t = x − f + 1; one still employed at the
//! window's end is censored at t = last − f + 1. Rungs with fewer than `min_group_size` people
//! are not shown (and not tested).

use polars::prelude::*;

use super::statistics::{kaplan_meier, log_rank};
use crate::columns::{bools, opt_strs, u32s};
use crate::error::{internal, Result};
use crate::normalize::periods::key_expr;
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::PeriodKind;
use crate::vocabulary::{activity as a, person};

/// `person, rung, t, event`: each person's time in the window and whether it ended in an exit.
pub fn observations(
    activity: LazyFrame,
    roster: LazyFrame,
    kind: PeriodKind,
    last_key: i32,
) -> LazyFrame {
    let first = activity
        .clone()
        .group_by([col(a::PERSON)])
        .agg([col(PERIOD_KEY).min().alias("__first")]);
    let exits = roster.select([
        col(person::PERSON_ID).alias(a::PERSON),
        key_expr(kind, col(person::EXIT_DATE)).alias("__exit"),
    ]);
    activity
        .select([col(a::PERSON), col(PERIOD_KEY), col(a::RUNG)])
        .join(
            first,
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col("__first")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            exits,
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            col("__exit")
                .lt_eq(lit(last_key))
                .fill_null(lit(false))
                .alias("event"),
        )
        .with_column(
            (when(col("event"))
                .then(col("__exit"))
                .otherwise(lit(last_key))
                - col(PERIOD_KEY)
                + lit(1))
            .cast(DataType::UInt32)
            .alias("t"),
        )
        .select([col(a::PERSON), col(a::RUNG), col("t"), col("event")])
        .sort([a::PERSON], SortMultipleOptions::default())
}

/// The curves (`group, t, at_risk, events, survival, lower, upper`, a row at t = 0 and one per
/// time anything happens) and the log-rank test (`groups, statistic, degrees_of_freedom,
/// p_value`) from [`observations`], rungs in ladder order, groups under `min_group_size` left out.
pub fn curves(
    observations: &DataFrame,
    rungs: &[String],
    min_group_size: u32,
) -> Result<(DataFrame, DataFrame)> {
    let rung = opt_strs(observations, a::RUNG)?;
    let t = u32s(observations, "t")?;
    let event = bools(observations, "event")?;
    let mut groups: Vec<(String, Vec<(f64, bool)>)> =
        rungs.iter().map(|r| (r.clone(), Vec::new())).collect();
    for ((r, t), e) in rung.into_iter().zip(t).zip(event) {
        if let (Some(r), Some(t), Some(e)) = (r, t, e) {
            if let Some(g) = groups.iter_mut().find(|g| g.0 == r) {
                g.1.push((f64::from(t), e));
            }
        }
    }
    groups.retain(|g| g.1.len() >= min_group_size as usize);
    let (mut name, mut times, mut at_risk, mut events) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut survival, mut lower, mut upper) = (Vec::new(), Vec::new(), Vec::new());
    for (g, obs) in &groups {
        name.push(g.clone());
        times.push(0u32);
        at_risk.push(obs.len() as u32);
        events.push(0u32);
        survival.push(1.0);
        lower.push(1.0);
        upper.push(1.0);
        for s in kaplan_meier(obs) {
            name.push(g.clone());
            times.push(s.t as u32);
            at_risk.push(s.at_risk as u32);
            events.push(s.events as u32);
            survival.push(s.survival);
            lower.push(s.lower);
            upper.push(s.upper);
        }
    }
    let table = DataFrame::new_infer_height(vec![
        Column::new("group".into(), name),
        Column::new("t".into(), times),
        Column::new("at_risk".into(), at_risk),
        Column::new("events".into(), events),
        Column::new("survival".into(), survival),
        Column::new("lower".into(), lower),
        Column::new("upper".into(), upper),
    ])
    .map_err(internal("estimating retention curves"))?;
    let observed: Vec<Vec<(f64, bool)>> = groups.iter().map(|g| g.1.clone()).collect();
    let test = log_rank(&observed);
    let logrank = DataFrame::new_infer_height(vec![
        Column::new("groups".into(), [groups.len() as u32]),
        Column::new("statistic".into(), [test.map(|t| t.0)]),
        Column::new("degrees_of_freedom".into(), [test.map(|t| t.1 as u32)]),
        Column::new("p_value".into(), [test.map(|t| t.2)]),
    ])
    .map_err(internal("testing retention curves"))?;
    Ok((table, logrank))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::activity;

    // Months 2025-01 (key k) to 2025-04 (k + 3), the window's end.
    //   a: first seen 2025-01 on R1, leaves 2025-02-15 -> t = 2 − 1 + 1 = 2, event.
    //   b: first seen 2025-01 on R1, stays -> censored at t = 4.
    //   c: first seen 2025-02 on R2 (hired then), leaves 2025-06-01, after the window ->
    //      censored at t = 4 − 2 + 1 = 3.
    #[test]
    fn observations_by_hand() {
        let k = 2025 * 12;
        let act = activity(&[
            ("a", k, &[], "R1"),
            ("a", k + 1, &[], "R2"),
            ("b", k, &[], "R1"),
            ("b", k + 3, &[], "R2"),
            ("c", k + 1, &[], "R2"),
        ]);
        let exit = Column::new(
            person::EXIT_DATE.into(),
            [Some(20134i32), None, Some(20240)], // 2025-02-15, none, 2025-06-01
        )
        .cast(&DataType::Date)
        .unwrap();
        let roster = DataFrame::new(
            3,
            vec![Column::new(person::PERSON_ID.into(), ["a", "b", "c"]), exit],
        )
        .unwrap()
        .lazy();
        let out = observations(act, roster, PeriodKind::Month, k + 3)
            .collect()
            .unwrap();
        let t: Vec<u32> = out
            .column("t")
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        let e: Vec<bool> = out
            .column("event")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        let r: Vec<&str> = out
            .column(a::RUNG)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(t, vec![2, 4, 3]);
        assert_eq!(e, vec![true, false, false]);
        assert_eq!(r, vec!["R1", "R1", "R2"]);

        // With min_group_size 2, R2 (one person) is not shown and there is nothing to test.
        let (curves, logrank) = curves(&out, &["R1".into(), "R2".into()], 2).unwrap();
        let groups: Vec<&str> = curves
            .column("group")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(groups, vec!["R1", "R1", "R1"]);
        // R1: t = 0 (2 at risk), t = 2 (a leaves: 1/2 -> 0.5), t = 4 (b censored).
        let s: Vec<f64> = curves
            .column("survival")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(s, vec![1.0, 0.5, 0.5]);
        assert_eq!(logrank.column("statistic").unwrap().null_count(), 1);
    }
}

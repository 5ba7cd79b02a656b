//! The engagement ladder (docs/metrics.md): each person gets the first rung whose SQL condition holds,
//! and a flag per rung records every condition that holds, since the categories overlap.
//! Conditions are parsed by polars' SQL front end, never by hand.

use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result, RungError};
use crate::normalize::PERIOD_KEY;
use crate::plan::Ladder;
use crate::vocabulary::activity as a;

/// A ladder whose conditions are checked against the activity table's columns.
#[derive(Debug, Clone)]
pub struct CompiledLadder {
    pub names: Vec<String>,
    /// Flag column name and its condition, one per rung (the last rung: nobody above).
    pub flags: Vec<(String, Expr)>,
    pub rung: Expr,
}

/// The flag column of a rung: `is_` and the name in snake case.
pub fn flag_name(rung: &str) -> String {
    let mut s = String::from("is_");
    let mut last_underscore = true;
    for ch in rung.chars() {
        if ch.is_alphanumeric() {
            s.extend(ch.to_lowercase());
            last_underscore = false;
        } else if !last_underscore {
            s.push('_');
            last_underscore = true;
        }
    }
    s.trim_end_matches('_').to_string()
}

/// An empty activity table, to try each condition on before any data is read.
fn empty_activity() -> DataFrame {
    let mut cols: Vec<Column> = a::COUNTS
        .iter()
        .map(|c| Column::new((*c).into(), Vec::<u32>::new()))
        .collect();
    for flag in [a::ACTIVE, a::ENGAGED, a::CONTRIBUTOR, a::CREATOR, a::LURKER] {
        cols.push(Column::new(flag.into(), Vec::<bool>::new()));
    }
    DataFrame::new(0, cols).expect("columns of equal length")
}

/// The columns a condition names that the activity table does not have, in order.
fn unknown_columns(expr: &Expr) -> Vec<String> {
    let known = |name: &str| {
        a::COUNTS.contains(&name)
            || [a::ACTIVE, a::ENGAGED, a::CONTRIBUTOR, a::CREATOR, a::LURKER].contains(&name)
    };
    let mut unknown: Vec<String> = Vec::new();
    for e in expr {
        if let Expr::Column(name) = e {
            if !known(name) && !unknown.iter().any(|u| u == name.as_str()) {
                unknown.push(name.to_string());
            }
        }
    }
    unknown.sort();
    unknown
}

/// The condition with every count read as a signed 64-bit integer: counts are stored
/// unsigned, and `replies - 5 > 100` must not wrap around to a huge number when a person has
/// fewer than five replies.
fn signed(expr: Expr) -> Expr {
    expr.map_expr(|e| match e {
        Expr::Column(name) if a::COUNTS.contains(&name.as_str()) => {
            Expr::Column(name).cast(DataType::Int64)
        }
        other => other,
    })
}

/// Parses every condition and checks that it is a true/false expression over known columns.
pub fn compile(ladder: &Ladder, pipeline: &Path) -> Result<CompiledLadder> {
    let columns = a::COUNTS
        .iter()
        .chain(&[a::ACTIVE, a::ENGAGED, a::CONTRIBUTOR, a::CREATOR, a::LURKER])
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let mut flags = Vec::with_capacity(ladder.rungs.len());
    let mut conditions = Vec::with_capacity(ladder.rungs.len());
    let probe = empty_activity();
    for rung in &ladder.rungs {
        let flag = flag_name(&rung.name);
        if flag == "is" || flags.iter().any(|(f, _): &(String, Expr)| *f == flag) {
            return Err(Error::Pipeline {
                path: pipeline.to_path_buf(),
                line: rung.line,
                message: format!(
                    "rung {:?} gives the flag column `{flag}`, which is empty or taken by another rung",
                    rung.name
                ),
                help: "give rungs names that differ in their letters and digits".into(),
            });
        }
        let Some(when) = &rung.when else {
            continue;
        };
        let bad = |message: String| {
            Error::Rung(Box::new(RungError {
                path: pipeline.to_path_buf(),
                key: match rung.line {
                    Some(l) => format!("{}, line {l}", rung.key),
                    None => rung.key.clone(),
                },
                rung: rung.name.clone(),
                condition: when.clone(),
                message,
                columns: columns.clone(),
            }))
        };
        let expr = polars::sql::sql_expr(when).map_err(|e| bad(e.to_string()))?;
        let unknown = unknown_columns(&expr);
        if !unknown.is_empty() {
            return Err(bad(format!(
                "it names {}, which {} not an activity column",
                unknown
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if unknown.len() == 1 { "is" } else { "are" }
            )));
        }
        let expr = signed(expr);
        let tried = probe
            .clone()
            .lazy()
            .select([expr.clone().alias("__c")])
            .collect()
            .map_err(|e| bad(e.to_string()))?;
        let dtype = tried
            .column("__c")
            .map_err(|e| bad(e.to_string()))?
            .dtype()
            .clone();
        if dtype != DataType::Boolean {
            return Err(bad(format!(
                "it gives {dtype} values, not true/false; add a comparison such as `>= 1`"
            )));
        }
        flags.push((flag, expr.clone()));
        conditions.push((rung.name.clone(), expr));
    }
    let names = ladder.names();
    let catch_all = names.last().expect("a ladder has rungs").clone();
    let nobody_above = conditions
        .iter()
        .map(|(_, e)| e.clone())
        .reduce(|x, y| x.or(y))
        .map(|any| any.not())
        .unwrap_or(lit(true));
    flags.push((flag_name(&catch_all), nobody_above));

    // Nested from the bottom up: the first condition that holds wins.
    let rung = conditions
        .into_iter()
        .rev()
        .fold(lit(catch_all), |below, (name, cond)| {
            when(cond).then(lit(name)).otherwise(below)
        });
    Ok(CompiledLadder { names, flags, rung })
}

/// The activity table's published columns: person, period label, the §3 counts and flags,
/// the rung flags and the rung.
pub fn published_columns(ladder: &CompiledLadder) -> Vec<Expr> {
    [a::PERSON, a::PERIOD]
        .into_iter()
        .chain(a::COUNTS)
        .chain([a::ACTIVE, a::ENGAGED, a::CONTRIBUTOR, a::CREATOR, a::LURKER])
        .map(col)
        .chain(ladder.flags.iter().map(|(name, _)| col(name.as_str())))
        .chain([col(a::RUNG)])
        .collect()
}

/// Adds the rung flags and the `rung` column to an activity table.
pub fn assign(activity: LazyFrame, ladder: &CompiledLadder) -> LazyFrame {
    let mut exprs: Vec<Expr> = ladder
        .flags
        .iter()
        .map(|(name, cond)| cond.clone().alias(name.as_str()))
        .collect();
    exprs.push(ladder.rung.clone().alias(a::RUNG));
    activity.with_columns(exprs)
}

/// `__order, rung`: the rungs in ladder order, to sort any per-rung table by.
pub fn rung_order(names: &[String]) -> LazyFrame {
    let order: Vec<u32> = (0..names.len() as u32).collect();
    DataFrame::new_infer_height(vec![
        Column::new("__order".into(), order),
        Column::new(a::RUNG.into(), names.to_vec()),
    ])
    .expect("columns of equal length")
    .lazy()
}

/// `period_key, rung, people, share`: people on each rung per period, every rung listed (zeros
/// included) in ladder order; share = people / headcount (docs/metrics.md rung_share).
pub fn rung_shares(activity: LazyFrame, calendar: LazyFrame, names: &[String]) -> LazyFrame {
    let rungs = rung_order(names);
    let counts = activity
        .clone()
        .group_by([col(PERIOD_KEY), col(a::RUNG)])
        .agg([len().cast(DataType::UInt32).alias("people")]);
    let headcount = activity
        .group_by([col(PERIOD_KEY)])
        .agg([len().cast(DataType::UInt32).alias("__headcount")]);
    calendar
        .select([col(PERIOD_KEY), col(a::PERIOD)])
        .cross_join(rungs, None)
        .join(
            counts,
            [col(PERIOD_KEY), col(a::RUNG)],
            [col(PERIOD_KEY), col(a::RUNG)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            headcount,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("people").fill_null(lit(0u32)))
        .with_column(
            when(col("__headcount").gt(lit(0u32)))
                .then(
                    col("people").cast(DataType::Float64)
                        / col("__headcount").cast(DataType::Float64),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("share"),
        )
        .sort(
            [PERIOD_KEY, "__order"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([
            col(PERIOD_KEY),
            col(a::PERIOD),
            col(a::RUNG),
            col("people"),
            col("share"),
        ])
}

/// `from_period_key, to_period_key, from_period, to_period, from_rung, to_rung, people`: for
/// each pair of consecutive periods, how many people in headcount in both moved from each rung
/// to each rung (docs/metrics.md transitions); every pair of rungs is listed, zeros included.
pub fn transitions(activity: LazyFrame, calendar: LazyFrame, names: &[String]) -> LazyFrame {
    let rungs = rung_order(names);
    let before = activity.clone().select([
        col(a::PERSON),
        (col(PERIOD_KEY) + lit(1)).alias(PERIOD_KEY),
        col(a::RUNG).alias("from_rung"),
    ]);
    let moves = activity
        .select([
            col(a::PERSON),
            col(PERIOD_KEY),
            col(a::RUNG).alias("to_rung"),
        ])
        .join(
            before,
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(PERIOD_KEY), col("from_rung"), col("to_rung")])
        .agg([len().cast(DataType::UInt32).alias("people")]);
    let periods = calendar.select([col(PERIOD_KEY), col(a::PERIOD)]);
    let pairs = periods
        .clone()
        .join(
            periods.select([
                (col(PERIOD_KEY) + lit(1)).alias(PERIOD_KEY),
                col(a::PERIOD).alias("from_period"),
            ]),
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Inner),
        )
        .select([
            col(PERIOD_KEY),
            col("from_period"),
            col(a::PERIOD).alias("to_period"),
        ]);
    pairs
        .cross_join(
            rungs.clone().select([
                col("__order").alias("__from"),
                col(a::RUNG).alias("from_rung"),
            ]),
            None,
        )
        .cross_join(
            rungs.select([col("__order").alias("__to"), col(a::RUNG).alias("to_rung")]),
            None,
        )
        .join(
            moves,
            [col(PERIOD_KEY), col("from_rung"), col("to_rung")],
            [col(PERIOD_KEY), col("from_rung"), col("to_rung")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("people").fill_null(lit(0u32)))
        .sort(
            [PERIOD_KEY, "__from", "__to"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([
            col("from_period"),
            col("to_period"),
            col("from_rung"),
            col("to_rung"),
            col("people"),
        ])
}

/// `period_key, promotion_rate, demotion_rate`: of the people in headcount in a period and
/// the one before, the share now on a higher rung and the share on a lower one (docs/metrics.md).
pub fn movement(activity: LazyFrame, names: &[String]) -> LazyFrame {
    let ranked = activity
        .select([col(a::PERSON), col(PERIOD_KEY), col(a::RUNG)])
        .join(
            rung_order(names),
            [col(a::RUNG)],
            [col(a::RUNG)],
            JoinArgs::new(JoinType::Inner),
        );
    let before = ranked.clone().select([
        col(a::PERSON),
        (col(PERIOD_KEY) + lit(1)).alias(PERIOD_KEY),
        col("__order").alias("__from"),
    ]);
    ranked
        .join(
            before,
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(PERIOD_KEY)])
        .agg([
            len().alias("__both"),
            // Rung 0 is the highest: a smaller order is a step up.
            col("__order").lt(col("__from")).sum().alias("__up"),
            col("__order").gt(col("__from")).sum().alias("__down"),
        ])
        .select([
            col(PERIOD_KEY),
            super::ratio(col("__up"), col("__both")).alias("promotion_rate"),
            super::ratio(col("__down"), col("__both")).alias("demotion_rate"),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Rung;

    /// One row per person with the given counts; the other counts are zero.
    fn activity(rows: &[(&str, &[(&str, u32)])]) -> DataFrame {
        let mut cols = vec![Column::new(
            a::PERSON.into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        )];
        for c in a::COUNTS {
            let values: Vec<u32> = rows
                .iter()
                .map(|r| r.1.iter().find(|(k, _)| *k == c).map_or(0, |(_, v)| *v))
                .collect();
            cols.push(Column::new(c.into(), values));
        }
        for flag in [a::ACTIVE, a::ENGAGED, a::CONTRIBUTOR, a::CREATOR, a::LURKER] {
            cols.push(Column::new(flag.into(), vec![false; rows.len()]));
        }
        DataFrame::new(rows.len(), cols).unwrap()
    }

    fn assigned(ladder: &Ladder, df: DataFrame) -> DataFrame {
        let compiled = compile(ladder, Path::new("p.toml")).unwrap();
        assign(df.lazy(), &compiled).collect().unwrap()
    }

    fn strings(df: &DataFrame, name: &str) -> Vec<String> {
        df.column(name)
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .map(str::to_string)
            .collect()
    }

    fn bools(df: &DataFrame, name: &str) -> Vec<bool> {
        df.column(name)
            .unwrap()
            .bool()
            .unwrap()
            .no_null_iter()
            .collect()
    }

    #[test]
    fn forrester_places_each_person_on_the_first_rung_that_holds() {
        let df = activity(&[
            ("creator", &[("posts", 1), ("replies", 4), ("views", 9)]),
            ("conversationalist", &[("replies", 1), ("reactions", 2)]),
            ("critic", &[("reactions", 1), ("shares", 1)]),
            ("collector_share", &[("shares", 1)]),
            ("collector_curate", &[("curations", 2)]),
            ("joiner", &[("joins", 1), ("visits", 3)]),
            ("spectator_view", &[("views", 1)]),
            ("spectator_visit", &[("visits", 1)]),
            ("inactive", &[]),
        ]);
        let out = assigned(&Ladder::preset(crate::plan::Preset::Forrester), df);
        assert_eq!(
            strings(&out, a::RUNG),
            vec![
                "Creators",
                "Conversationalists",
                "Critics",
                "Collectors",
                "Collectors",
                "Joiners",
                "Spectators",
                "Spectators",
                "Inactives"
            ]
        );
        // Flags keep every condition that holds: the creator also converses and spectates,
        // the critic also collects, the joiner also spectates.
        assert_eq!(
            bools(&out, "is_conversationalists"),
            vec![true, true, false, false, false, false, false, false, false]
        );
        assert_eq!(
            bools(&out, "is_collectors"),
            vec![false, false, true, true, true, false, false, false, false]
        );
        assert_eq!(
            bools(&out, "is_spectators"),
            vec![true, false, false, false, false, true, true, true, false]
        );
        // The catch-all flag marks exactly those on no other rung.
        assert_eq!(
            bools(&out, "is_inactives"),
            vec![false, false, false, false, false, false, false, false, true]
        );
    }

    #[test]
    fn pyramid_puts_curating_on_top() {
        let df = activity(&[
            ("curator", &[("curations", 1), ("posts", 5)]),
            ("producer", &[("posts", 1)]),
            ("commenter", &[("reactions", 1)]),
            ("sharer", &[("shares", 1)]),
            ("watcher", &[("visits", 1)]),
            ("nobody", &[]),
        ]);
        let out = assigned(&Ladder::preset(crate::plan::Preset::Pyramid), df);
        assert_eq!(
            strings(&out, a::RUNG),
            vec![
                "Curating",
                "Producing",
                "Commenting",
                "Sharing",
                "Watching",
                "Inactive"
            ]
        );
    }

    fn custom(when: &str) -> Ladder {
        Ladder {
            preset: None,
            rungs: vec![
                Rung {
                    name: "Regulars".into(),
                    when: Some(when.into()),
                    key: "ladder.rung[1].when".into(),
                    line: Some(12),
                },
                Rung {
                    name: "Others".into(),
                    when: None,
                    key: "ladder.rung[2].when".into(),
                    line: Some(15),
                },
            ],
        }
    }

    #[test]
    fn compound_sql_conditions_work() {
        let df = activity(&[
            (
                "both",
                &[("replies", 2), ("reactions", 1), ("active_days", 2)],
            ),
            ("one_day", &[("replies", 3), ("active_days", 1)]),
        ]);
        let out = assigned(&custom("replies + reactions >= 3 AND active_days >= 2"), df);
        assert_eq!(strings(&out, a::RUNG), vec!["Regulars", "Others"]);
    }

    #[test]
    fn invalid_conditions_name_the_rung_and_line() {
        for (when, says) in [
            ("posts >=", "invalid condition"),
            ("postz >= 1", "postz"),
            ("posts + 1", "not true/false"),
        ] {
            let err = compile(&custom(when), Path::new("p.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("Regulars"), "{err}");
            assert!(err.contains("line 12"), "{err}");
            assert!(err.contains(says), "{when}: {err}");
        }
    }

    #[test]
    fn flag_names_are_snake_case() {
        assert_eq!(flag_name("Creators"), "is_creators");
        assert_eq!(flag_name("Power users (top)"), "is_power_users_top");
    }

    #[test]
    fn rung_shares_list_every_rung_with_zeros() {
        let calendar = crate::normalize::periods::calendar_frame(
            &crate::normalize::periods::range(crate::vocabulary::PeriodKind::Month, 24300, 24301),
        )
        .unwrap();
        // Period 24300 (2025-01): two Creators, one Inactive; period 24301: nobody.
        let act = df!(
            PERIOD_KEY => [24300i32, 24300, 24300],
            a::RUNG => ["Creators", "Creators", "Inactives"]
        )
        .unwrap();
        let names: Vec<String> = vec!["Creators".into(), "Critics".into(), "Inactives".into()];
        let out = rung_shares(act.lazy(), calendar.lazy(), &names)
            .collect()
            .unwrap();
        assert_eq!(
            strings(&out, a::PERIOD),
            vec!["2025-01", "2025-01", "2025-01", "2025-02", "2025-02", "2025-02"]
        );
        let people: Vec<u32> = out
            .column("people")
            .unwrap()
            .u32()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(people, vec![2, 0, 1, 0, 0, 0]);
        let share: Vec<Option<f64>> = out.column("share").unwrap().f64().unwrap().iter().collect();
        assert_eq!(
            share,
            vec![
                Some(2.0 / 3.0),
                Some(0.0),
                Some(1.0 / 3.0),
                None,
                None,
                None
            ]
        );
    }

    // Ladder A > B > C. Between periods 1 and 2: p1 A -> B (down), p2 C -> A (up), p3 B -> B;
    // p4 only in period 2, p5 only in period 1: 3 people in both -> promotion 1/3, demotion
    // 1/3. Period 1 has no period before it: no row.
    #[test]
    fn promotion_and_demotion_by_hand() {
        use crate::metrics::testing::{activity, f};
        let act = activity(&[
            ("p1", 1, &[], "A"),
            ("p2", 1, &[], "C"),
            ("p3", 1, &[], "B"),
            ("p5", 1, &[], "A"),
            ("p1", 2, &[], "B"),
            ("p2", 2, &[], "A"),
            ("p3", 2, &[], "B"),
            ("p4", 2, &[], "C"),
        ]);
        let names: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
        let out = movement(act, &names).collect().unwrap();
        assert_eq!(out.height(), 1);
        assert_eq!(f(&out, 2, "promotion_rate"), Some(1.0 / 3.0));
        assert_eq!(f(&out, 2, "demotion_rate"), Some(1.0 / 3.0));
    }
}

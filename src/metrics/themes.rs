//! Themes (README "Themes"): from the term counts the adapters handed on, what people talk about per
//! period and per space, and which terms are rising. Frames in, frames out; terms used by
//! fewer than `min_group_size` people in a period (and space) never leave this file.
//!
//! What a period talks about is ranked by how distinctive each term is of it: the same
//! log-odds score as below, the period against every other period (a space against the
//! period's other spaces, from the terms kept there), so words everyone uses all the time sink
//! and subjects rise; the counts stand beside it. With one period there is nothing to set it
//! against, and terms are ranked by the people who used them.
//!
//! The rising score is the log-odds ratio with an informative Dirichlet prior (Monroe,
//! Colaresi and Quinn 2008, "Fightin' words", eq. 22 and 23): for term w in period p against
//! the three periods before it, with y the mentions, n the mentions of every term (shown or
//! not: each source period's total is kept beside the counts), and the prior α_w the
//! mentions of w in the mean period (over all periods, divided by their number; α0 the mean
//! period's n),
//! δ = ln((y_p + α_w) / (n_p + α0 − y_p − α_w)) − ln((y_b + α_w) / (n_b + α0 − y_b − α_w)),
//! σ² ≈ 1/(y_p + α_w) + 1/(y_b + α_w), z = δ / σ.
//!
//! Across sources, a term's people in a period is the largest count of any one source: the
//! sources' accounts cannot be told apart without keeping who wrote what, and the largest is
//! a lower bound of the distinct people, so the privacy threshold never passes on a guess.

use polars::prelude::*;

use crate::vocabulary::themes as t;

/// Periods before p that rising terms are measured against.
const BASELINE_PERIODS: i32 = 3;

/// The themes tables: per period, and per period and space.
pub struct Themes {
    /// `period, term, people, mentions, share, z`: per period the `top` terms by people and
    /// the `top` rising terms (z > 0), each used by at least `min_group_size` people.
    pub by_period: DataFrame,
    /// `period, space, term, people, mentions, share`: per period and space the `top` terms.
    pub by_space: DataFrame,
}

/// The themes of the counts (`vocabulary::themes` columns, every source) with each source
/// period's mentions of every term in `totals`, for the periods in `keys` (the report's
/// calendar); terms shown by at least `min_people` people.
pub fn themes(
    counts: &DataFrame,
    totals: &DataFrame,
    keys: &[i32],
    min_people: u32,
    top: usize,
) -> PolarsResult<Themes> {
    let in_calendar = || {
        col(t::PERIOD).is_in(
            lit(Series::new("keys".into(), keys.to_vec())).implode(false),
            false,
        )
    };
    let counts = counts.clone().lazy().filter(in_calendar());
    let totals = totals
        .clone()
        .lazy()
        .filter(in_calendar())
        .group_by([col(t::PERIOD)])
        .agg([col(t::MENTIONS).cast(DataType::Float64).sum().alias("__n")]);
    let per_term = per_period(counts.clone().filter(col(t::SPACE).is_null()));
    let scored = distinctive(rising(per_term, totals.clone()), totals, &[t::PERIOD])?;
    let shown = scored.filter(col(t::PEOPLE).gt_eq(lit(min_people)));
    let by_period = with_share(shown, &[t::PERIOD])?;
    let by_period = picked(by_period, &[t::PERIOD], top)?
        .select([
            col(t::PERIOD),
            col(t::FORM).alias(t::TERM),
            col(t::PEOPLE),
            col(t::MENTIONS),
            col(t::SHARE),
            col(t::DISTINCTIVE),
            col(t::Z),
        ])
        .collect()?;
    let spaces = counts.filter(col(t::SPACE).is_not_null().and(col(t::SPACE).neq(lit(""))));
    // A space's size is the mentions of the terms kept there: spaces keep no other total.
    let space_totals = spaces
        .clone()
        .group_by([col(t::PERIOD), col(t::SPACE)])
        .agg([col(t::MENTIONS).cast(DataType::Float64).sum().alias("__n")]);
    let spaces = distinctive(
        spaces.join(
            space_totals.clone(),
            [col(t::PERIOD), col(t::SPACE)],
            [col(t::PERIOD), col(t::SPACE)],
            JoinArgs::new(JoinType::Left),
        ),
        space_totals,
        &[t::PERIOD, t::SPACE],
    )?
    .filter(col(t::PEOPLE).gt_eq(lit(min_people)));
    let by_space = with_share(spaces, &[t::PERIOD, t::SPACE])?;
    let by_space = top_by(by_space, &[t::PERIOD, t::SPACE], BY_DISTINCTIVE, top)?
        .select([
            col(t::PERIOD),
            col(t::SPACE),
            col(t::FORM).alias(t::TERM),
            col(t::PEOPLE),
            col(t::MENTIONS),
            col(t::SHARE),
            col(t::DISTINCTIVE),
        ])
        .collect()?;
    Ok(Themes {
        by_period,
        by_space,
    })
}

/// Per period and term over every source: mentions added, people the largest of any source,
/// the form of the source row with the most mentions.
fn per_period(all_spaces: LazyFrame) -> LazyFrame {
    all_spaces
        .sort(
            [t::MENTIONS, t::FORM],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_maintain_order(true),
        )
        .group_by([col(t::PERIOD), col(t::TERM)])
        .agg([
            col(t::FORM).first(),
            col(t::MENTIONS).sum(),
            col(t::PEOPLE).max(),
        ])
}

/// Each term's rising score in its period against the three before (see the file's head);
/// null where no earlier period has any mentions.
fn rising(per_term: LazyFrame, totals: LazyFrame) -> LazyFrame {
    let f = || lit(1.0f64);
    let mentions = || col(t::MENTIONS).cast(DataType::Float64);
    // The prior is the mean period: each term's mentions over all periods, divided by their
    // number, so it weighs as much as one period's own counts; α0 is the mean period's size.
    let periods = totals.clone().select([
        len().cast(DataType::Float64).alias("__periods"),
        col("__n").mean().alias("__a0"),
    ]);
    let prior = per_term
        .clone()
        .group_by([col(t::TERM)])
        .agg([mentions().sum().alias("__a")])
        .cross_join(periods, None)
        .with_column((col("__a") / col("__periods")).alias("__a"));
    let shifted = |frame: LazyFrame, value: &str, keys: &[&str]| {
        let copies: Vec<LazyFrame> = (1..=BASELINE_PERIODS)
            .map(|k| {
                frame
                    .clone()
                    .with_column((col(t::PERIOD) + lit(k)).alias(t::PERIOD))
            })
            .collect();
        concat(copies, UnionArgs::default())
            .unwrap_or(frame)
            .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
            .agg([col(value).sum().alias(format!("{value}_b"))])
    };
    let before = shifted(
        per_term
            .clone()
            .select([col(t::PERIOD), col(t::TERM), mentions().alias("__y")]),
        "__y",
        &[t::PERIOD, t::TERM],
    );
    let totals_before = shifted(totals.clone(), "__n", &[t::PERIOD]);
    let left = |keys: &[&str]| {
        let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
        (on.clone(), on, JoinArgs::new(JoinType::Left))
    };
    let join = |frame: LazyFrame, other: LazyFrame, keys: &[&str]| {
        let (l, r, args) = left(keys);
        frame.join(other, l, r, args)
    };
    let frame = join(per_term, totals, &[t::PERIOD]);
    let frame = join(frame, prior, &[t::TERM]);
    let frame = join(frame, before, &[t::PERIOD, t::TERM]);
    let frame = join(frame, totals_before, &[t::PERIOD]);
    let (y, a, a0) = (mentions(), col("__a"), col("__a0"));
    let (n, yb, nb) = (col("__n"), col("__y_b").fill_null(lit(0.0)), col("__n_b"));
    let delta = ((y.clone() + a.clone()) / (n + a0.clone() - y.clone() - a.clone()))
        .log(lit(std::f64::consts::E))
        - ((yb.clone() + a.clone()) / (nb.clone() + a0 - yb.clone() - a.clone()))
            .log(lit(std::f64::consts::E));
    let variance = f() / (y + a.clone()) + f() / (yb + a);
    frame.with_column(
        when(nb.is_null().or(col("__n_b").eq(lit(0.0))))
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(delta / variance.sqrt())
            .alias(t::Z),
    )
}

/// The share of each row's mentions in its group's (the rows shown).
fn with_share(frame: LazyFrame, group: &[&str]) -> PolarsResult<LazyFrame> {
    let over: Vec<Expr> = group.iter().map(|k| col(*k)).collect();
    Ok(frame.with_column(
        (col(t::MENTIONS).cast(DataType::Float64)
            / col(t::MENTIONS).cast(DataType::Float64).sum().over(over)?)
        .alias(t::SHARE),
    ))
}

/// Per group the `top` rows in the order `by`, listed in that order.
fn top_by(
    frame: LazyFrame,
    group: &[&str],
    by: &[(&str, bool)],
    top: usize,
) -> PolarsResult<LazyFrame> {
    Ok(numbered(frame, group, by, "__rank")?.filter(col("__rank").lt(lit(top as IdxSize))))
}

/// Per period the `top` most distinctive terms and the `top` rising terms (z > 0, highest
/// first), each once, listed most distinctive first.
fn picked(frame: LazyFrame, group: &[&str], top: usize) -> PolarsResult<LazyFrame> {
    let by_z = numbered(frame, group, BY_Z, "__rank_z")?;
    Ok(numbered(by_z, group, BY_DISTINCTIVE, "__rank")?.filter(
        col("__rank").lt(lit(top as IdxSize)).or(col(t::Z)
            .gt(lit(0.0))
            .and(col("__rank_z").lt(lit(top as IdxSize)))),
    ))
}

/// Each term's distinctiveness of its group (the last of `group`, a period or a space)
/// against the other groups of its scope (the keys before it: none, or the period): the
/// log-odds ratio with the informative Dirichlet prior of [`rising`], the group's mentions
/// `y` of `n` against the rest's; the prior the mean group. `totals` holds each group's `__n`.
/// Null where the scope has no other group.
fn distinctive(frame: LazyFrame, totals: LazyFrame, group: &[&str]) -> PolarsResult<LazyFrame> {
    let scope: Vec<Expr> = group[..group.len() - 1].iter().map(|k| col(*k)).collect();
    let in_scope = |frame: LazyFrame, aggs: Vec<Expr>| {
        if scope.is_empty() {
            frame.select(aggs)
        } else {
            frame.group_by(scope.clone()).agg(aggs)
        }
    };
    let join = |frame: LazyFrame, other: LazyFrame| {
        if scope.is_empty() {
            frame.cross_join(other, None)
        } else {
            frame.join(
                other,
                scope.clone(),
                scope.clone(),
                JoinArgs::new(JoinType::Left),
            )
        }
    };
    let sizes = in_scope(
        totals,
        vec![
            len().cast(DataType::Float64).alias("__groups"),
            col("__n").sum().alias("__n_all"),
            col("__n").mean().alias("__a0"),
        ],
    );
    let mut term_scope = scope.clone();
    term_scope.push(col(t::TERM));
    let y = || col(t::MENTIONS).cast(DataType::Float64);
    let f = || lit(1.0f64);
    let frame = join(frame, sizes).with_column(y().sum().over(term_scope)?.alias("__y_all"));
    let a = col("__y_all") / col("__groups");
    let (n, a0) = (col("__n"), col("__a0"));
    let (yr, nr) = (col("__y_all") - y(), col("__n_all") - col("__n"));
    let ln = |e: Expr| e.log(lit(std::f64::consts::E));
    let delta = ln((y() + a.clone()) / (n + a0.clone() - y() - a.clone()))
        - ln((yr.clone() + a.clone()) / (nr.clone() + a0 - yr.clone() - a.clone()));
    let variance = f() / (y() + a.clone()) + f() / (yr + a);
    Ok(frame.with_column(
        when(nr.lt_eq(lit(0.0)))
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(delta / variance.sqrt())
            .alias(t::DISTINCTIVE),
    ))
}

/// The order of rising terms: highest z first.
const BY_Z: &[(&str, bool)] = &[(t::Z, true), (t::FORM, false), (t::TERM, false)];
/// The order of what a period or space talks about: most distinctive first (with one period,
/// none is: then most people), then most mentions, then the shown form and the key in reading
/// order (two keys can share a form), so ties never depend on chance.
const BY_DISTINCTIVE: &[(&str, bool)] = &[
    (t::DISTINCTIVE, true),
    (t::PEOPLE, true),
    (t::MENTIONS, true),
    (t::FORM, false),
    (t::TERM, false),
];

/// The rows sorted by `group`, then by `by` (column, descending), each numbered from 0 within
/// its group as `name`.
fn numbered(
    frame: LazyFrame,
    group: &[&str],
    by: &[(&str, bool)],
    name: &str,
) -> PolarsResult<LazyFrame> {
    let mut keys: Vec<&str> = group.to_vec();
    keys.extend(by.iter().map(|(k, _)| *k));
    let mut descending = vec![false; group.len()];
    descending.extend(by.iter().map(|(_, d)| *d));
    let over: Vec<Expr> = group.iter().map(|k| col(*k)).collect();
    Ok(frame
        .sort(
            keys,
            SortMultipleOptions::default()
                .with_order_descending_multi(descending)
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .with_row_index("__i", None)
        .with_column((col("__i") - col("__i").min().over(over)?).alias(name))
        .drop(cols(["__i"])))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Term counts as the adapters hand them on: (period, space, term, mentions, people).
    fn counts(rows: &[(i32, Option<&str>, &str, u64, u32)]) -> DataFrame {
        let n = rows.len();
        df! {
            t::SOURCE => vec!["s"; n],
            t::PERIOD => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            t::SPACE => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            t::TERM => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            t::FORM => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            t::MENTIONS => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            t::PEOPLE => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        }
        .unwrap()
    }

    /// Each period's mentions of every term: (period, mentions).
    fn totals(rows: &[(i32, u64)]) -> DataFrame {
        df! {
            t::SOURCE => vec!["s"; rows.len()],
            t::PERIOD => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            t::MENTIONS => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        }
        .unwrap()
    }

    fn texts(frame: &DataFrame, name: &str) -> Vec<String> {
        let values = frame.column(name).unwrap().str().unwrap();
        values.iter().flatten().map(str::to_string).collect()
    }

    fn column_f64(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
        frame.column(name).unwrap().f64().unwrap().iter().collect()
    }

    /// Worked by hand. Period 0: a 2, b 8 mentions (n 10); period 1: a 6, b 4 (n 10). Prior,
    /// the mean of the two periods: α_a 4, α_b 6, α0 10. For a in period 1 against period 0:
    /// δ = ln(10/10) − ln(6/14) = 0.847298, σ² = 1/10 + 1/6, z = 1.640785; for b:
    /// δ = ln(10/10) − ln(14/6) = −0.847298, σ² = 1/10 + 1/14, z = −2.046419. Period 0 has
    /// no earlier period: z is empty. Shares of period 1: 6/10 and 4/10.
    #[test]
    fn rising_scores_and_shares_by_hand() {
        let frame = counts(&[
            (0, None, "a", 2, 5),
            (0, None, "b", 8, 5),
            (1, None, "a", 6, 5),
            (1, None, "b", 4, 5),
        ]);
        let found = themes(&frame, &totals(&[(0, 10), (1, 10)]), &[0, 1], 5, 20)
            .unwrap()
            .by_period;
        let period = found.column(t::PERIOD).unwrap().i32().unwrap();
        let period: Vec<i32> = period.into_no_null_iter().collect();
        let terms = texts(&found, t::TERM);
        // Period 0: b (8 mentions) before a (2), people tied; period 1: a (6) before b (4).
        assert_eq!(period, vec![0, 0, 1, 1]);
        assert_eq!(terms, vec!["b", "a", "a", "b"]);
        let z = column_f64(&found, t::Z);
        assert_eq!(z[0], None);
        assert!((z[2].unwrap() - 1.640785).abs() < 1e-6, "{z:?}");
        assert!((z[3].unwrap() + 2.046419).abs() < 1e-6, "{z:?}");
        let share = column_f64(&found, t::SHARE);
        assert_eq!(share[2], Some(0.6));
        assert_eq!(share[3], Some(0.4));
    }

    /// Worked by hand. Three periods of 10 mentions: a 2, 6, 4 and b 8, 4, 6. The prior is the
    /// mean period: α_a 4, α_b 6, α0 10. a in period 1 against periods 0 and 2 (6 of 20):
    /// δ = ln(10/10) − ln(10/20) = 0.693147, σ² = 1/10 + 1/10, z = 1.549924. b in period 0
    /// against the rest (10 of 20): δ = ln(14/6) − ln(16/14), σ² = 1/14 + 1/16, z = 1.950381;
    /// a in period 0: z = −1.462786. Period 0 lists b (distinctive) before a.
    #[test]
    fn distinctive_scores_by_hand() {
        let frame = counts(&[
            (0, None, "a", 2, 5),
            (0, None, "b", 8, 5),
            (1, None, "a", 6, 5),
            (1, None, "b", 4, 5),
            (2, None, "a", 4, 5),
            (2, None, "b", 6, 5),
        ]);
        let found = themes(
            &frame,
            &totals(&[(0, 10), (1, 10), (2, 10)]),
            &[0, 1, 2],
            5,
            20,
        )
        .unwrap()
        .by_period;
        let rows: Vec<(i32, String, f64)> = found
            .column(t::PERIOD)
            .unwrap()
            .i32()
            .unwrap()
            .into_no_null_iter()
            .zip(texts(&found, t::TERM))
            .zip(column_f64(&found, t::DISTINCTIVE))
            .map(|((p, term), d)| (p, term, d.unwrap()))
            .collect();
        let of = |p: i32, term: &str| rows.iter().find(|r| r.0 == p && r.1 == term).unwrap().2;
        assert!((of(1, "a") - 1.549924).abs() < 1e-6, "{rows:?}");
        assert!((of(0, "b") - 1.950381).abs() < 1e-6, "{rows:?}");
        assert!((of(0, "a") + 1.462786).abs() < 1e-6, "{rows:?}");
        assert_eq!((rows[0].0, rows[0].1.as_str()), (0, "b"));
    }

    /// A term four people used never appears, in the period table or by space; with five it
    /// does. Across two sources, people is the larger count, never their sum (3 + 3 is not 5).
    #[test]
    fn fewer_people_than_the_group_size_never_appear() {
        let mut frame = counts(&[
            (0, None, "four", 10, 4),
            (0, None, "five", 10, 5),
            (0, Some("general"), "four", 10, 4),
            (0, Some("general"), "five", 10, 5),
        ]);
        let other = df! {
            t::SOURCE => ["t"], t::PERIOD => [0], t::SPACE => [None::<&str>],
            t::TERM => ["four"], t::FORM => ["four"], t::MENTIONS => [3u64], t::PEOPLE => [3u32],
        }
        .unwrap();
        frame.vstack_mut(&other).unwrap();
        let found = themes(&frame, &totals(&[(0, 20)]), &[0], 5, 20).unwrap();
        for table in [&found.by_period, &found.by_space] {
            assert_eq!(texts(table, t::TERM), vec!["five"]);
        }
        let people = found.by_period.column(t::PEOPLE).unwrap().u32().unwrap();
        assert_eq!(people.get(0), Some(5));
    }
}

//! Does engagement go with satisfaction and staying (README "Outputs")? Survey scores per team (mean
//! score; eNPS = % scoring 9–10 minus % scoring 0–6 on 0–10 answers) and, for person-level
//! answers, per rung; and across teams, Spearman's rho between each outcome and the team's
//! engagement over the `outcome_window_periods` periods ending with the outcome's period, with
//! its Bonett–Wright interval and Benjamini–Hochberg adjustment per outcome. Team-level
//! association is not individual causation: the report says so next to every figure.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::statistics::{benjamini_hochberg, spearman};
use super::suppression::{Grid, Total};
use crate::columns::{i32s, opt_strs, strs, u32s};
use crate::error::{internal, Result};
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::{activity as a, person, survey};

/// The engagement side of the correlations, in order.
pub const ENGAGEMENT_METRICS: [&str; 4] = [
    "participation_rate",
    "contribution_rate",
    "reach_rate",
    "top_three_share",
];

/// The score of a group's answers: eNPS for `enps`, the mean otherwise.
fn score_expr(measure: Expr) -> Expr {
    let count = |cond: Expr| cond.cast(DataType::Float64).sum();
    // (promoters − detractors) · 100 / answers, in that order so whole percentages stay whole.
    when(measure.eq(lit("enps")))
        .then(
            (count(col(survey::SCORE).gt_eq(lit(9.0))) - count(col(survey::SCORE).lt_eq(lit(6.0))))
                * lit(100.0)
                / len().cast(DataType::Float64),
        )
        .otherwise(col(survey::SCORE).mean())
}

/// Distinct respondents and their score, for a group of answers.
fn score_aggs() -> [Expr; 2] {
    [
        col(survey::PERSON_ID)
            .n_unique()
            .cast(DataType::UInt32)
            .alias("respondents"),
        score_expr(col(survey::MEASURE).first()).alias(survey::SCORE),
    ]
}

/// Person-level answers placed in periods and teams: `person_id, team, period_key, measure,
/// score`. `keyed` already carries `period_key` (from answered_at).
pub fn answers_with_team(keyed: LazyFrame, roster: LazyFrame) -> LazyFrame {
    keyed.join(
        roster.select([col(person::PERSON_ID), col(person::TEAM).alias("team")]),
        [col(survey::PERSON_ID)],
        [col(person::PERSON_ID)],
        JoinArgs::new(JoinType::Left),
    )
}

/// `team, period_key, measure, respondents, score` from person-level answers (answers of people
/// without a team are left out).
pub fn team_scores(answers: LazyFrame) -> LazyFrame {
    answers
        .filter(col("team").is_not_null())
        .group_by([col("team"), col(PERIOD_KEY), col(survey::MEASURE)])
        .agg(score_aggs())
        .sort(
            ["team", PERIOD_KEY, survey::MEASURE],
            SortMultipleOptions::default(),
        )
}

/// `period_key, measure, rung, respondents, score`: answers by the respondent's rung in the
/// survey's period (respondents outside the activity table are left out).
pub fn rung_scores(answers: LazyFrame, activity: LazyFrame, rungs: &[String]) -> LazyFrame {
    let order = crate::metrics::ladder::rung_order(rungs);
    answers
        .join(
            activity.select([col(a::PERSON), col(PERIOD_KEY), col(a::RUNG)]),
            [col(survey::PERSON_ID), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(PERIOD_KEY), col(survey::MEASURE), col(a::RUNG)])
        .agg(score_aggs())
        .join(
            order,
            [col(a::RUNG)],
            [col(a::RUNG)],
            JoinArgs::new(JoinType::Inner),
        )
        .sort(
            [PERIOD_KEY, survey::MEASURE, "__order"],
            SortMultipleOptions::default(),
        )
        .select([
            col(PERIOD_KEY),
            col(survey::MEASURE),
            col(a::RUNG),
            col("respondents"),
            col(survey::SCORE),
        ])
}

/// Hides the score and respondent count of every group (a team, a rung) with fewer than `k`
/// respondents, per period and measure. With `totals` (`period_key, measure, respondents`: all
/// who answered, published in effect by the other table of the same answers), the groups and
/// the respondents in none of them add up to it, so the §7 margin rule hides more groups until
/// no hidden group's respondents or score can be worked out.
pub fn suppress_small(scores: DataFrame, totals: Option<&DataFrame>, k: u32) -> Result<DataFrame> {
    let (keys, measures) = (i32s(&scores, PERIOD_KEY)?, strs(&scores, survey::MEASURE)?);
    let counts: Vec<u64> = u32s(&scores, "respondents")?
        .into_iter()
        .map(|v| u64::from(v.unwrap_or(0)))
        .collect();
    let mut all: HashMap<(Option<i32>, String), u64> = HashMap::new();
    if let Some(t) = totals {
        let (k, m, n) = (
            i32s(t, PERIOD_KEY)?,
            strs(t, survey::MEASURE)?,
            u32s(t, "respondents")?,
        );
        for ((k, m), n) in k.into_iter().zip(m).zip(n) {
            all.insert((k, m), u64::from(n.unwrap_or(0)));
        }
    }
    let mut blocks: BTreeMap<(Option<i32>, &str), Vec<usize>> = BTreeMap::new();
    for r in 0..scores.height() {
        blocks
            .entry((keys[r], measures[r].as_str()))
            .or_default()
            .push(r);
    }
    let mut hidden = vec![false; scores.height()];
    for ((key, measure), rows) in blocks {
        let mut grid = Grid::default();
        let cells: Vec<usize> = rows.iter().map(|&r| grid.cell(counts[r])).collect();
        if let Some(&total) = all.get(&(key, measure.to_string())) {
            let mut parts = cells.clone();
            parts.push(grid.remainder(total, rows.iter().map(|&r| counts[r]).sum()));
            grid.margin(parts, Total::Published);
        }
        let shown = grid.hidden(u64::from(k));
        for (r, c) in rows.iter().zip(cells) {
            hidden[*r] = shown[c];
        }
    }
    let mask = Series::new("suppressed".into(), hidden);
    scores
        .lazy()
        .with_column(lit(mask).alias("suppressed"))
        .with_columns([
            when(col("suppressed"))
                .then(lit(NULL).cast(DataType::UInt32))
                .otherwise(col("respondents"))
                .alias("respondents"),
            when(col("suppressed"))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(col(survey::SCORE))
                .alias(survey::SCORE),
        ])
        .collect()
        .map_err(internal("suppressing survey scores"))
}

/// `period_key, measure, respondents`: how many answered each measure in each period.
pub fn respondents(answers: LazyFrame) -> LazyFrame {
    answers
        .group_by([col(PERIOD_KEY), col(survey::MEASURE)])
        .agg([col(survey::PERSON_ID)
            .n_unique()
            .cast(DataType::UInt32)
            .alias("respondents")])
}

/// `team, period_key, headcount, active, contributors, viewers, top_three`: person-periods of
/// each team (from the roster's team) and how many were active, contributors, viewers and on
/// one of the ladder's top three rungs.
pub fn team_engagement(activity: LazyFrame, roster: LazyFrame, rungs: &[String]) -> LazyFrame {
    let top: Vec<String> = rungs.iter().take(3).cloned().collect();
    activity
        .join(
            roster.select([
                col(person::PERSON_ID).alias(a::PERSON),
                col(person::TEAM).alias("team"),
            ]),
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("team").is_not_null())
        .group_by([col("team"), col(PERIOD_KEY)])
        .agg([
            len().cast(DataType::UInt32).alias("headcount"),
            col(a::ACTIVE).sum().cast(DataType::UInt32).alias("active"),
            col(a::CONTRIBUTOR)
                .sum()
                .cast(DataType::UInt32)
                .alias("contributors"),
            col(a::VIEWS)
                .gt(lit(0u32))
                .sum()
                .cast(DataType::UInt32)
                .alias("viewers"),
            col(a::RUNG)
                .is_in(lit(Series::new("top".into(), top)).implode(false), false)
                .sum()
                .cast(DataType::UInt32)
                .alias("top_three"),
        ])
}

/// One outcome measured per team at one period: `(team, value)` pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub period_key: i32,
    pub period: String,
    pub values: Vec<(String, f64)>,
    /// Teams whose value counts across teams but is not published in `outcome_teams`: it
    /// rests on fewer than `min_group_size` people or would give a hidden figure away (§7).
    pub withheld: std::collections::BTreeSet<String>,
}

/// Per team, its engagement rates over the `window` periods ending with `period_key`:
/// sums of the person-period counts of [`team_engagement`] (so each rate is pooled over the
/// window). Teams with fewer than `k` people in the last period are left out.
fn window_rates(
    engagement: &DataFrame,
    period_key: i32,
    window: u32,
    k: u32,
) -> Result<BTreeMap<String, [f64; 4]>> {
    let teams = opt_strs(engagement, "team")?;
    let keys = i32s(engagement, PERIOD_KEY)?;
    let count = |c: &str| -> Result<Vec<f64>> {
        Ok(u32s(engagement, c)?
            .into_iter()
            .map(|v| f64::from(v.unwrap_or(0)))
            .collect())
    };
    let (headcount, active, contributors, viewers, top) = (
        count("headcount")?,
        count("active")?,
        count("contributors")?,
        count("viewers")?,
        count("top_three")?,
    );
    let first = period_key - window as i32 + 1;
    let mut sums: BTreeMap<String, [f64; 6]> = BTreeMap::new();
    for i in 0..engagement.height() {
        let (Some(team), Some(key)) = (teams[i].as_deref(), keys[i]) else {
            continue;
        };
        if key < first || key > period_key {
            continue;
        }
        let s = sums.entry(team.to_string()).or_default();
        s[0] += headcount[i];
        s[1] += active[i];
        s[2] += contributors[i];
        s[3] += viewers[i];
        s[4] += top[i];
        if key == period_key {
            s[5] += headcount[i];
        }
    }
    Ok(sums
        .into_iter()
        .filter(|(_, s)| s[5] >= f64::from(k) && s[0] > 0.0)
        .map(|(team, s)| (team, [s[1] / s[0], s[2] / s[0], s[3] / s[0], s[4] / s[0]]))
        .collect())
}

/// One line of the correlations table.
struct Row {
    outcome: String,
    period: String,
    metric: &'static str,
    n: usize,
    rho: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    p: Option<f64>,
    adjusted: Option<f64>,
}

/// One outcome's rows: Spearman's rho of each engagement rate across the teams with both,
/// its interval and p, and p adjusted (Benjamini–Hochberg) within the outcome.
fn outcome_rows(
    outcome: &Outcome,
    rates: &BTreeMap<String, [f64; 4]>,
    views_known: bool,
) -> Vec<Row> {
    let mut family = Vec::new();
    for (m, metric) in ENGAGEMENT_METRICS.iter().enumerate() {
        if *metric == "reach_rate" && !views_known {
            continue;
        }
        let (x, y): (Vec<f64>, Vec<f64>) = outcome
            .values
            .iter()
            .filter_map(|(team, v)| rates.get(team).map(|r| (r[m], *v)))
            .unzip();
        let c = spearman(&x, &y);
        family.push((
            *metric,
            x.len(),
            c.map(|c| c.rho),
            c.and_then(|c| c.ci_low),
            c.and_then(|c| c.ci_high),
            c.and_then(|c| c.p_value),
        ));
    }
    let adjusted = benjamini_hochberg(&family.iter().map(|f| f.5).collect::<Vec<_>>());
    family
        .into_iter()
        .zip(adjusted)
        .map(|(f, adj)| Row {
            outcome: outcome.name.clone(),
            period: outcome.period.clone(),
            metric: f.0,
            n: f.1,
            rho: f.2,
            low: f.3,
            high: f.4,
            p: f.5,
            adjusted: adj,
        })
        .collect()
}

/// A row of `outcome_teams`: outcome, period, team, its engagement rates, its value (None
/// where withheld).
type TeamRow = (String, String, String, [f64; 4], Option<f64>);

/// `outcome, period, engagement_metric, n_teams, rho, ci_low, ci_high, p_value, p_adjusted`:
/// every outcome against every engagement metric (reach only with view data), adjusted with
/// Benjamini–Hochberg within each outcome.
pub fn correlations(
    outcomes: &[Outcome],
    engagement: &DataFrame,
    window: u32,
    k: u32,
    views_known: bool,
) -> Result<(DataFrame, DataFrame)> {
    let mut rows: Vec<Row> = Vec::new();
    let mut teams: Vec<TeamRow> = Vec::new();
    for outcome in outcomes {
        let rates = window_rates(engagement, outcome.period_key, window, k)?;
        for (team, value) in &outcome.values {
            if let Some(r) = rates.get(team) {
                teams.push((
                    outcome.name.clone(),
                    outcome.period.clone(),
                    team.clone(),
                    *r,
                    (!outcome.withheld.contains(team)).then_some(*value),
                ));
            }
        }
        rows.extend(outcome_rows(outcome, &rates, views_known));
    }
    let text = |f: fn(&Row) -> String| rows.iter().map(f).collect::<Vec<_>>();
    let float = |f: fn(&Row) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
    let table = DataFrame::new_infer_height(vec![
        Column::new("outcome".into(), text(|r| r.outcome.clone())),
        Column::new("period".into(), text(|r| r.period.clone())),
        Column::new("engagement_metric".into(), text(|r| r.metric.to_string())),
        Column::new(
            "n_teams".into(),
            rows.iter().map(|r| r.n as u32).collect::<Vec<_>>(),
        ),
        Column::new("rho".into(), float(|r| r.rho)),
        Column::new("ci_low".into(), float(|r| r.low)),
        Column::new("ci_high".into(), float(|r| r.high)),
        Column::new("p_value".into(), float(|r| r.p)),
        Column::new("p_adjusted".into(), float(|r| r.adjusted)),
    ])
    .map_err(internal("relating engagement to outcomes"))?;
    let rate = |i: usize| -> Vec<Option<f64>> {
        teams
            .iter()
            .map(|t| (i != 2 || views_known).then_some(t.3[i]))
            .collect()
    };
    let per_team = DataFrame::new_infer_height(vec![
        Column::new(
            "outcome".into(),
            teams.iter().map(|t| t.0.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "period".into(),
            teams.iter().map(|t| t.1.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "team".into(),
            teams.iter().map(|t| t.2.clone()).collect::<Vec<_>>(),
        ),
        Column::new(ENGAGEMENT_METRICS[0].into(), rate(0)),
        Column::new(ENGAGEMENT_METRICS[1].into(), rate(1)),
        Column::new(ENGAGEMENT_METRICS[2].into(), rate(2)),
        Column::new(ENGAGEMENT_METRICS[3].into(), rate(3)),
        Column::new(
            "value".into(),
            teams.iter().map(|t| t.4).collect::<Vec<_>>(),
        ),
    ])
    .map_err(internal("relating engagement to outcomes"))?;
    Ok((table, per_team))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::activity;

    fn answers() -> LazyFrame {
        df!(
            survey::PERSON_ID => ["a", "b", "c", "d", "e", "a", "b", "c", "d", "e", "f"],
            "team" => [Some("T1"), Some("T1"), Some("T1"), Some("T1"), Some("T1"),
                       Some("T1"), Some("T1"), Some("T1"), Some("T1"), Some("T1"), None],
            PERIOD_KEY => [5i32; 11],
            survey::MEASURE => ["enps", "enps", "enps", "enps", "enps",
                                "satisfaction", "satisfaction", "satisfaction", "satisfaction",
                                "satisfaction", "satisfaction"],
            survey::SCORE => [10.0, 9.0, 7.0, 6.0, 0.0, 5.0, 4.0, 4.0, 3.0, 2.0, 5.0],
        )
        .unwrap()
        .lazy()
    }

    // Team T1, five answers each. eNPS: promoters (9–10) a, b = 2; detractors (0–6) d, e = 2;
    // c (7) passive -> (2 − 2)/5 · 100 = 0. Satisfaction: (5 + 4 + 4 + 3 + 2)/5 = 3.6.
    // f has no team: left out.
    #[test]
    fn team_scores_by_hand() {
        let out = team_scores(answers()).collect().unwrap();
        assert_eq!(out.height(), 2);
        let score: Vec<f64> = out
            .column(survey::SCORE)
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(score, vec![0.0, 3.6]);
        let respondents: Vec<u32> = out
            .column("respondents")
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(respondents, vec![5, 5]);
        // Five respondents are not fewer than 5; with min_group_size 6 both are hidden.
        let hidden = suppress_small(out, None, 6).unwrap();
        assert_eq!(hidden.column(survey::SCORE).unwrap().null_count(), 2);
        assert_eq!(hidden.column("respondents").unwrap().null_count(), 2);
    }

    // By rung in period 5: a, b, c on R1 (eNPS: a, b promoters, c passive -> 2/3·100 = 66.67;
    // satisfaction (5 + 4 + 4)/3), d, e on R2 (eNPS: both detractors -> −100; satisfaction
    // 2.5); f is not in the activity table.
    #[test]
    fn rung_scores_by_hand() {
        let act = activity(&[
            ("a", 5, &[], "R1"),
            ("b", 5, &[], "R1"),
            ("c", 5, &[], "R1"),
            ("d", 5, &[], "R2"),
            ("e", 5, &[], "R2"),
        ]);
        let names = vec!["R1".to_string(), "R2".to_string()];
        let out = rung_scores(answers(), act, &names).collect().unwrap();
        let score: Vec<f64> = out
            .column(survey::SCORE)
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert!((score[0] - 200.0 / 3.0).abs() < 1e-12);
        assert_eq!(score[1], -100.0);
        assert!((score[2] - 13.0 / 3.0).abs() < 1e-12);
        assert_eq!(score[3], 2.5);
    }

    // Four teams of 5 people over periods 1..3, window 2 ending with period 3 (periods 2, 3):
    //   T1 active 10/10 person-periods, T2 8/10, T3 6/10, T4 2/10 (participation 1.0, 0.8,
    //   0.6, 0.2); outcome values 4.5, 4.0, 4.1, 3.0: ranks of participation 4, 3, 2, 1 and of
    //   the outcome 4, 2, 3, 1 -> d² = 0 + 1 + 1 + 0 = 2, rho = 1 − 6·2/(4·15) = 0.8.
    //   Period 1 (outside the window) would reverse the order and must not count.
    #[test]
    fn correlation_over_the_window_by_hand() {
        let mut team = Vec::new();
        let mut key = Vec::new();
        let mut active = Vec::new();
        for (t, per_period) in [
            ("T1", [0u32, 5, 5]),
            ("T2", [1, 4, 4]),
            ("T3", [3, 3, 3]),
            ("T4", [5, 1, 1]),
        ] {
            for (p, n) in per_period.iter().enumerate() {
                team.push(t);
                key.push(p as i32 + 1);
                active.push(*n);
            }
        }
        let n = team.len();
        let engagement = df!(
            "team" => team,
            PERIOD_KEY => key,
            "headcount" => vec![5u32; n],
            "active" => active,
            "contributors" => vec![1u32; n],
            "viewers" => vec![0u32; n],
            "top_three" => vec![0u32; n],
        )
        .unwrap();
        let outcome = Outcome {
            name: "kpi".into(),
            period_key: 3,
            period: "P3".into(),
            values: vec![
                ("T1".into(), 4.5),
                ("T2".into(), 4.0),
                ("T3".into(), 4.1),
                ("T4".into(), 3.0),
                ("T9".into(), 1.0),
            ],
            // T3's value counts across teams but is not published.
            withheld: ["T3".to_string()].into(),
        };
        let (out, teams) = correlations(&[outcome], &engagement, 2, 5, false).unwrap();
        // T9 has no engagement data: four teams, with participation 1.0, 0.8, 0.6, 0.2.
        assert_eq!(teams.height(), 4);
        let p: Vec<f64> = teams
            .column("participation_rate")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(p, vec![1.0, 0.8, 0.6, 0.2]);
        assert_eq!(teams.column("reach_rate").unwrap().null_count(), 4);
        let values: Vec<Option<f64>> = teams
            .column("value")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(values, vec![Some(4.5), Some(4.0), None, Some(3.0)]);
        // Reach is left out without view data: participation, contribution, top three.
        assert_eq!(out.height(), 3);
        let rho = out.column("rho").unwrap().f64().unwrap().get(0).unwrap();
        assert!((rho - 0.8).abs() < 1e-12, "{rho}");
        assert_eq!(
            out.column("n_teams").unwrap().u32().unwrap().get(0),
            Some(4)
        );
        // Contribution is the same for every team: no correlation can be computed.
        assert_eq!(out.column("rho").unwrap().f64().unwrap().get(1), None);
    }
}

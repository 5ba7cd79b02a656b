//! Outcomes: what the organisation cares about beyond the network itself (turnover, retention,
//! satisfaction, team KPIs) related to engagement, and the privacy rules (docs/privacy.md) that every
//! person-level or group-level output passes through.
//!
//! What each file holds: `mod.rs` runs the outcome tables (turnover, survival, surveys, KPIs,
//! correlations), each in its own function, and counts what it leaves out for the report;
//! `turnover.rs`, `survival.rs`, `satisfaction.rs`, `statistics.rs` (Kaplan–Meier, Greenwood,
//! log-rank, Spearman, Bonett–Wright, Benjamini–Hochberg, ordinary least squares with Student's t
//! intervals; distributions from statrs); `campaigns.rs` (a campaign's segmented regression and
//! difference-in-differences on the weekly series, and why a campaign has no figures);
//! `privacy.rs`: HMAC-SHA256 pseudonyms and the key file (keys under 16 bytes refused, key files
//! others can read warned about); `suppression.rs`: the one suppression model of docs/privacy.md and
//! docs/privacy.md, a `Grid` of people counts with their unpublished remainders, the margins that
//! add them up to published totals and the groups whose size hides their figures, hiding the next
//! smallest shown cell while someone holding the shown cells and the totals could work out a small
//! count (`Rows`: a block of groups with nested counts, as most tables are); `breakdown.rs`: the
//! breakdown tables and the department matrix as published. Every table with a group's figures
//! (breakdowns, turnover per group, leadership, the profile tables, survey scores, campaign weeks)
//! decides what it shows through a `Grid`

pub(crate) mod breakdown;
pub(crate) mod campaigns;
pub mod privacy;
pub(crate) mod satisfaction;
pub(crate) mod statistics;
pub(crate) mod suppression;
pub(crate) mod survival;
pub(crate) mod turnover;

use polars::prelude::*;

use crate::columns::{bools, f64s, i32s, opt_strs, strs};
use crate::error::{internal, Error, Result};
use crate::normalize::periods::{key_expr, key_of_text};
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::notes::{Note, Say};
use crate::vocabulary::PeriodKind;
use crate::vocabulary::{activity as a, survey};

/// What the outcome stage reads.
pub struct Inputs<'a> {
    pub activity: &'a DataFrame,
    /// `period_key, period, period_start, period_end`.
    pub calendar: LazyFrame,
    /// The first and last reported periods: outcome data outside them is left out, counted.
    pub first_key: i32,
    pub last_key: i32,
    pub kind: PeriodKind,
    pub roster: &'a DataFrame,
    pub surveys: Option<&'a DataFrame>,
    /// Team KPIs by name (`team, period, value`) and the file they came from.
    pub kpis: &'a [(String, DataFrame, String)],
    pub rungs: &'a [String],
    pub breakdowns: &'a [String],
    pub min_group_size: u32,
    pub horizon: u32,
    pub window: u32,
    pub views_known: bool,
    /// The survey file as the pipeline names it, for messages.
    pub surveys_file: Option<&'a str>,
}

/// The outcome tables, named by their path in the output folder, and what was left out of
/// them (answers outside the reported periods, teams not on the roster), one sentence each.
pub struct Tables {
    pub tables: Vec<(String, DataFrame)>,
    pub notes: Vec<Note>,
}

/// Rows of `frame` whose `team` is not a team on the roster.
fn unknown_teams(frame: &DataFrame, roster: &DataFrame) -> Result<usize> {
    let known = opt_strs(roster, crate::vocabulary::person::TEAM)?;
    Ok(opt_strs(frame, "team")?
        .iter()
        .filter(|t| t.is_none() || !known.contains(t))
        .count())
}

/// Every outcome table.
pub fn tables(i: &Inputs) -> Result<Tables> {
    let periods = Labels::of(i)?;
    let mut found = Found::default();
    found.tables.extend(turnover_tables(i)?);
    let mut outcomes = match i.surveys {
        Some(answers) => survey_outcomes(i, answers, &periods, &mut found)?,
        None => Vec::new(),
    };
    outcomes.extend(team_turnover(i, &periods)?);
    for (name, kpi, file) in i.kpis {
        outcomes.extend(kpi_outcome(i, name, kpi, file, &periods, &mut found)?);
    }
    let engagement =
        satisfaction::team_engagement(i.activity.clone().lazy(), i.roster.clone().lazy(), i.rungs)
            .collect()
            .map_err(internal("measuring team engagement"))?;
    let (correlations, per_team) = satisfaction::correlations(
        &outcomes,
        &engagement,
        i.window,
        i.min_group_size,
        i.views_known,
    )?;
    found
        .tables
        .push(("tables/outcome_correlations.csv".to_string(), correlations));
    found
        .tables
        .push(("tables/outcome_teams.csv".to_string(), per_team));
    Ok(Tables {
        tables: found.tables,
        notes: found.notes,
    })
}

/// The tables and notes gathered so far.
#[derive(Default)]
struct Found {
    tables: Vec<(String, DataFrame)>,
    notes: Vec<Note>,
}

/// The reported periods' labels by key, and the messages that name them.
struct Labels {
    keys: Vec<Option<i32>>,
    labels: Vec<String>,
    kind: PeriodKind,
    first: i32,
    last: i32,
}

impl Labels {
    fn of(i: &Inputs) -> Result<Labels> {
        let periods = i
            .calendar
            .clone()
            .select([col(PERIOD_KEY), col(a::PERIOD)])
            .collect()
            .map_err(internal("computing outcomes"))?;
        Ok(Labels {
            keys: i32s(&periods, PERIOD_KEY)?,
            labels: strs(&periods, a::PERIOD)?,
            kind: i.kind,
            first: i.first_key,
            last: i.last_key,
        })
    }

    fn label_of(&self, key: i32) -> String {
        self.keys
            .iter()
            .position(|k| *k == Some(key))
            .map(|p| self.labels[p].clone())
            .unwrap_or_else(|| crate::normalize::periods::period_of_key(self.kind, key).label)
    }

    /// Rows outside the reported periods.
    fn in_range(&self) -> Expr {
        col(PERIOD_KEY)
            .gt_eq(lit(self.first))
            .and(col(PERIOD_KEY).lt_eq(lit(self.last)))
    }

    /// A note when `kept` of `all` rows of `file` are inside the reported periods.
    fn left_out(&self, file: &str, say: Say, all: usize, kept: usize) -> Option<Note> {
        let (first, last) = (self.label_of(self.first), self.label_of(self.last));
        (kept < all).then(|| {
            Note::counting(
                say,
                (all - kept) as u64,
                &[&all.to_string(), file, &first, &last],
            )
        })
    }
}

/// `frame` with period labels, as `columns`.
fn labelled(i: &Inputs, frame: LazyFrame, columns: &[&str]) -> Result<DataFrame> {
    crate::normalize::periods::with_label(frame, i.calendar.clone())
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .map_err(internal("computing outcomes"))
}

/// Turnover overall and per breakdown group, attrition by rung, survival by starting rung.
fn turnover_tables(i: &Inputs) -> Result<Vec<(String, DataFrame)>> {
    let k = i.min_group_size;
    let roster = i.roster.clone().lazy();
    let activity = i.activity.clone().lazy();
    let rate_columns = ["turnover_rate", "voluntary_turnover_rate"];
    let turnover_columns: Vec<&str> = [a::PERIOD]
        .into_iter()
        .chain(turnover::COUNTS)
        .chain(rate_columns)
        .collect();
    let mut out = vec![(
        "tables/turnover.csv".to_string(),
        labelled(
            i,
            turnover::turnover(roster.clone(), i.calendar.clone(), None),
            &turnover_columns,
        )?,
    )];
    for attribute in i.breakdowns {
        let group = Some((
            attribute.as_str(),
            crate::metrics::breakdowns::UNKNOWN_GROUP,
        ));
        let by = labelled(
            i,
            turnover::turnover(roster.clone(), i.calendar.clone(), group),
            &[&[a::PERIOD, "group"][..], &turnover::COUNTS, &rate_columns].concat(),
        )?;
        out.push((
            format!("tables/turnover_by_{attribute}.csv"),
            suppress_turnover(by, attribute, k)?,
        ));
    }
    let attrition = turnover::attrition_by_rung(
        activity.clone(),
        roster.clone(),
        i.kind,
        i.rungs,
        i.horizon,
        i.last_key,
    )
    .with_columns(hide_when(
        col("followed").lt(lit(k)),
        &["exits_within_horizon"],
        &["share"],
    ));
    let attrition_columns = [
        a::PERIOD,
        a::RUNG,
        "people",
        "followed",
        "exits_within_horizon",
        "share",
    ];
    out.push((
        "tables/attrition_by_rung.csv".to_string(),
        labelled(i, attrition, &attrition_columns)?,
    ));
    let observations = survival::observations(activity, roster, i.kind, i.last_key)
        .collect()
        .map_err(internal("following employment"))?;
    let (curves, logrank) = survival::curves(&observations, i.rungs, k)?;
    out.push(("tables/retention_curves.csv".to_string(), curves));
    out.push(("tables/logrank.csv".to_string(), logrank));
    Ok(out)
}

/// The survey scores per team (and per rung, for person-level answers), and each measure's
/// latest team scores as outcomes to relate to engagement.
fn survey_outcomes(
    i: &Inputs,
    answers: &DataFrame,
    periods: &Labels,
    found: &mut Found,
) -> Result<Vec<satisfaction::Outcome>> {
    let file = i.surveys_file.unwrap_or("surveys");
    let (team_scores, totals) = if crate::ingest::surveys::is_team_level(answers) {
        (team_results(i, answers, file, periods, found)?, None)
    } else {
        person_answers(i, answers, file, periods, found)?
    };
    let team_scores = team_scores
        .collect()
        .map_err(internal("scoring surveys per team"))?;
    let columns = [
        "team",
        a::PERIOD,
        survey::MEASURE,
        "respondents",
        survey::SCORE,
        "suppressed",
    ];
    let suppressed =
        satisfaction::suppress_small(team_scores.clone(), totals.as_ref(), i.min_group_size)?;
    let hidden = suppressed
        .column("suppressed")
        .map_err(internal("suppressing survey scores"))?
        .clone();
    found.tables.push((
        "tables/satisfaction_by_team.csv".to_string(),
        labelled(i, suppressed.lazy(), &columns)?,
    ));
    let mut flagged = team_scores;
    flagged
        .with_column(hidden)
        .map_err(internal("suppressing survey scores"))?;
    latest_per_measure(&flagged, i.min_group_size, &|key| periods.label_of(key))
}

/// Rows of a team table (`team, period, ...`) in the reported periods, keyed; notes on the
/// rows left out and on teams the roster does not know (`said`: the notes for each,
/// says what becomes of those).
fn team_rows(
    i: &Inputs,
    frame: &DataFrame,
    (file, outside, unknown_said): (&str, Say, Say),
    periods: &Labels,
    found: &mut Found,
) -> Result<DataFrame> {
    let keyed = with_period_keys(frame, "period", i.kind, file)?
        .lazy()
        .filter(periods.in_range())
        .collect()
        .map_err(internal("placing team rows in periods"))?;
    found
        .notes
        .extend(periods.left_out(file, outside, frame.height(), keyed.height()));
    let unknown = unknown_teams(&keyed, i.roster)?;
    if unknown > 0 {
        found
            .notes
            .push(Note::counting(unknown_said, unknown as u64, &[file]));
    }
    Ok(keyed)
}

/// Team-level survey results as given, inside the reported periods.
fn team_results(
    i: &Inputs,
    answers: &DataFrame,
    file: &str,
    periods: &Labels,
    found: &mut Found,
) -> Result<LazyFrame> {
    let keyed = team_rows(
        i,
        answers,
        (file, Say::TeamResultsOutside, Say::TeamResultsUnknownTeams),
        periods,
        found,
    )?;
    Ok(keyed.lazy().select([
        col("team"),
        col(PERIOD_KEY),
        col(survey::MEASURE),
        col("respondents").cast(DataType::UInt32),
        col(survey::SCORE),
    ]))
}

/// Person-level answers scored per rung (a table of its own) and per team, with how many
/// answered each measure in each period (the total both tables add up to).
fn person_answers(
    i: &Inputs,
    answers: &DataFrame,
    file: &str,
    periods: &Labels,
    found: &mut Found,
) -> Result<(LazyFrame, Option<DataFrame>)> {
    let keyed = answers
        .clone()
        .lazy()
        .with_column(key_expr(i.kind, col(survey::ANSWERED_AT)).alias(PERIOD_KEY))
        .filter(periods.in_range())
        .collect()
        .map_err(internal("placing survey answers in periods"))?;
    found.notes.extend(periods.left_out(
        file,
        Say::SurveyAnswersOutside,
        answers.height(),
        keyed.height(),
    ));
    let keyed = keyed.lazy();
    let with_team = satisfaction::answers_with_team(keyed.clone(), i.roster.clone().lazy())
        .collect()
        .map_err(internal("finding respondents' teams"))?;
    let without = opt_strs(&with_team, "team")?
        .iter()
        .filter(|t| t.is_none())
        .count();
    if without > 0 {
        found.notes.push(Note::counting(
            Say::SurveyAnswersWithoutTeam,
            without as u64,
            &[file],
        ));
    }
    let totals = satisfaction::respondents(keyed.clone())
        .collect()
        .map_err(internal("counting survey respondents"))?;
    let by_rung = satisfaction::rung_scores(keyed, i.activity.clone().lazy(), i.rungs)
        .collect()
        .map_err(internal("scoring surveys per rung"))?;
    let by_rung = satisfaction::suppress_small(by_rung, Some(&totals), i.min_group_size)?.lazy();
    let columns = [
        a::PERIOD,
        survey::MEASURE,
        a::RUNG,
        "respondents",
        survey::SCORE,
        "suppressed",
    ];
    found.tables.push((
        "tables/satisfaction_by_rung.csv".to_string(),
        labelled(i, by_rung, &columns)?,
    ));
    Ok((satisfaction::team_scores(with_team.lazy()), Some(totals)))
}

/// Team turnover over the window ending with the last period, for teams of at least the
/// minimum group size.
fn team_turnover(i: &Inputs, periods: &Labels) -> Result<Option<satisfaction::Outcome>> {
    let by_team = turnover::turnover(
        i.roster.clone().lazy(),
        i.calendar.clone(),
        Some((crate::vocabulary::person::TEAM, "")),
    )
    .filter(
        col("group")
            .neq(lit(""))
            .and(col(PERIOD_KEY).gt(lit(i.last_key - i.window as i32))),
    )
    .group_by([col("group")])
    .agg([
        col("separations")
            .sum()
            .cast(DataType::Float64)
            .alias("__separations"),
        ((col("headcount_start") + col("headcount_end")).cast(DataType::Float64) / lit(2.0))
            .mean()
            .alias("__mean"),
    ])
    .filter(col("__mean").gt_eq(lit(f64::from(i.min_group_size))))
    .sort(["group"], SortMultipleOptions::default())
    .collect()
    .map_err(internal("measuring team turnover"))?;
    let (teams, separations) = (strs(&by_team, "group")?, f64s(&by_team, "__separations")?);
    // A team's rate times its headcount is its leavers: fewer than the minimum, the rate
    // counts across teams but is not published (docs/privacy.md).
    let withheld = teams
        .iter()
        .zip(&separations)
        .filter(|(_, s)| s.is_none_or(|s| s < f64::from(i.min_group_size)))
        .map(|(team, _)| team.clone())
        .collect();
    let values = pairs(
        teams,
        separations
            .into_iter()
            .zip(f64s(&by_team, "__mean")?)
            .map(|(s, m)| s.zip(m).map(|(s, m)| s / m))
            .collect(),
    );
    Ok((!values.is_empty()).then(|| satisfaction::Outcome {
        name: survey::TURNOVER.into(),
        period_key: i.last_key,
        period: periods.label_of(i.last_key),
        values,
        withheld,
    }))
}

/// A team KPI's values in its latest reported period.
fn kpi_outcome(
    i: &Inputs,
    name: &str,
    kpi: &DataFrame,
    file: &str,
    periods: &Labels,
    found: &mut Found,
) -> Result<Option<satisfaction::Outcome>> {
    let said = (file, Say::KpiValuesOutside, Say::KpiValuesUnknownTeams);
    let keyed = team_rows(i, kpi, said, periods, found)?;
    let Some(latest) = i32s(&keyed, PERIOD_KEY)?.into_iter().flatten().max() else {
        return Ok(None);
    };
    let at = keyed
        .lazy()
        .filter(col(PERIOD_KEY).eq(lit(latest)))
        .group_by([col("team")])
        .agg([col("value").mean()])
        .sort(["team"], SortMultipleOptions::default())
        .collect()
        .map_err(internal("reading team KPIs"))?;
    Ok(Some(satisfaction::Outcome {
        name: name.to_string(),
        period_key: latest,
        period: periods.label_of(latest),
        values: pairs(strs(&at, "team")?, f64s(&at, "value")?),
        withheld: Default::default(),
    }))
}

/// `(name, value)` pairs where both are present.
fn pairs(names: Vec<String>, values: Vec<Option<f64>>) -> Vec<(String, f64)> {
    names
        .into_iter()
        .zip(values)
        .filter_map(|(n, v)| v.map(|v| (n, v)))
        .collect()
}

/// For each survey measure, the teams' scores in its latest period (teams with at least `k`
/// respondents).
fn latest_per_measure(
    team_scores: &DataFrame,
    k: u32,
    label_of: &dyn Fn(i32) -> String,
) -> Result<Vec<satisfaction::Outcome>> {
    let shown = team_scores
        .clone()
        .lazy()
        .filter(col("respondents").gt_eq(lit(k)))
        .collect()
        .map_err(internal("scoring surveys"))?;
    let mut measures: Vec<String> = opt_strs(&shown, survey::MEASURE)?
        .into_iter()
        .flatten()
        .collect();
    measures.dedup();
    measures.sort();
    measures.dedup();
    let mut outcomes = Vec::new();
    for measure in measures {
        let of = shown
            .clone()
            .lazy()
            .filter(col(survey::MEASURE).eq(lit(measure.as_str())))
            .collect()
            .map_err(internal("scoring surveys"))?;
        let Some(latest) = i32s(&of, PERIOD_KEY)?.into_iter().flatten().max() else {
            continue;
        };
        let at = of
            .lazy()
            .filter(col(PERIOD_KEY).eq(lit(latest)))
            .sort(["team"], SortMultipleOptions::default())
            .collect()
            .map_err(internal("scoring surveys"))?;
        let teams = strs(&at, "team")?;
        let withheld = teams
            .iter()
            .zip(bools(&at, "suppressed")?)
            .filter(|(_, hidden)| hidden.unwrap_or(true))
            .map(|(team, _)| team.clone())
            .collect();
        let values = pairs(teams, f64s(&at, survey::SCORE)?);
        outcomes.push(satisfaction::Outcome {
            name: measure,
            period_key: latest,
            period: label_of(latest),
            values,
            withheld,
        });
    }
    Ok(outcomes)
}

/// Adds `period_key` from a text column holding period labels or dates; a value that is
/// neither stops the run naming the file and the value.
fn with_period_keys(
    frame: &DataFrame,
    column: &str,
    kind: PeriodKind,
    file: &str,
) -> Result<DataFrame> {
    let mut keys = Vec::with_capacity(frame.height());
    for (row, text) in strs(frame, column)?.iter().enumerate() {
        keys.push(key_of_text(kind, text).ok_or_else(|| Error::Usage {
            message: format!(
                "{file}, line {}: period {text:?} is neither a period nor a date in 1900-2199",
                row + 2
            ),
            help: "write periods as in the tables (2026-03, 2026-Q1, 2026-W09) or as a date inside the period".into(),
        })?);
    }
    let mut out = frame.clone();
    out.with_column(Column::new(PERIOD_KEY.into(), keys))
        .map_err(internal("reading periods"))?;
    Ok(out)
}

/// Empties `counts` (UInt32) and `rates` (Float64) where `hide` holds.
fn hide_when(hide: Expr, counts: &[&str], rates: &[&str]) -> Vec<Expr> {
    let mut exprs: Vec<Expr> = counts
        .iter()
        .map(|c| {
            when(hide.clone())
                .then(lit(NULL).cast(DataType::UInt32))
                .otherwise(col(*c))
                .alias(*c)
        })
        .collect();
    exprs.extend(rates.iter().map(|c| {
        when(hide.clone())
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(col(*c))
            .alias(*c)
    }));
    exprs
}

/// Turnover per group with §7 applied per period as one grid against `turnover.csv`: a group
/// with fewer than `k` people at the start or end is hidden, a count under `k` is hidden
/// (involuntary separations, separations minus voluntary, included), and margins hide more
/// until no hidden figure can be worked out; a rate is shown only with its count and both
/// headcounts.
fn suppress_turnover(by: DataFrame, attribute: &str, k: u32) -> Result<DataFrame> {
    let labels = strs(&by, a::PERIOD)?;
    let columns = crate::columns::counts(&by, &turnover::COUNTS)?;
    let (start, end, separations, voluntary) = (0, 1, 2, 3);
    let mut hidden: Vec<Vec<bool>> = Vec::with_capacity(labels.len());
    for block in suppression::blocks(&labels) {
        let rows: Vec<Vec<u64>> = block
            .map(|r| columns.iter().map(|c| c[r]).collect())
            .collect();
        let grid = suppression::Rows::new(&rows, &[(voluntary, separations)], &[start, end]);
        hidden.extend(grid.hidden(u64::from(k)));
    }
    let mask = |cols: &[usize]| -> Series {
        let hide: Vec<bool> = hidden.iter().map(|h| cols.iter().any(|&c| h[c])).collect();
        Series::new("__hide".into(), hide)
    };
    let mut exprs: Vec<Expr> = Vec::new();
    for (i, c) in turnover::COUNTS.iter().enumerate() {
        exprs.extend(hide_when(lit(mask(&[i])), &[c], &[]));
    }
    exprs.extend(hide_when(
        lit(mask(&[start, end, separations])),
        &[],
        &["turnover_rate"],
    ));
    exprs.extend(hide_when(
        lit(mask(&[start, end, voluntary])),
        &[],
        &["voluntary_turnover_rate"],
    ));
    let any = mask(&[start, end, separations, voluntary]);
    let mut frame = by
        .lazy()
        .with_columns(exprs)
        .with_column(lit(any).alias("suppressed"))
        .collect()
        .map_err(internal("suppressing turnover"))?;
    frame
        .rename("group", attribute.into())
        .map_err(internal("suppressing turnover"))?;
    Ok(frame)
}

//! Survey answers (README "Inputs" surveys), person-level (`person_id, answered_at, measure, score`)
//! or team-level (`team, period, measure, score, respondents`), told apart by the header.
//! Read and checked at ingest so that a broken survey file is caught on the first run, long
//! before the outcome stage needs it.

use std::path::Path;

use polars::prelude::*;

use super::batch::InputFile;
use super::read::{self, ROW};
use crate::error::Result;
use crate::plan::InputPath;
use crate::vocabulary::survey;

/// Columns of team-level answers.
pub const TEAM_LEVEL: [&str; 5] = ["team", "period", "measure", "score", "respondents"];

/// Reads survey answers; a header with `team` and `respondents` (and no `person_id`) is
/// team-level. Satisfaction scores must lie in 1..=`satisfaction_scale`, eNPS answers in 0..=10.
pub fn read(input: &InputPath, satisfaction_scale: u32) -> Result<(DataFrame, InputFile)> {
    let path = &input.path;
    let header = read::read_header(path)?;
    let team_level = !header.iter().any(|h| h == survey::PERSON_ID)
        && header.iter().any(|h| h == "team")
        && header.iter().any(|h| h == "respondents");
    let (scan, checks) = if team_level {
        team_level_scan(path)?
    } else {
        person_level_scan(path)?
    };
    let frame = read::collect_file(scan, path)?;
    check_scores(&frame, checks, path, satisfaction_scale, team_level)?;
    let kind = if team_level {
        "team-level"
    } else {
        "person-level"
    };
    let (frame, file) = if team_level {
        read::finish(frame, TEAM_LEVEL, input, "surveys", kind)?
    } else {
        read::finish(frame, survey::ALL, input, "surveys", kind)?
    };
    Ok((frame, file))
}

/// A row that fails a check, the column to show and what to say.
use super::read::Check;

fn text(name: &str) -> Expr {
    col(name).str().strip_chars(lit(NULL)).alias(name)
}

fn number(name: &str) -> Expr {
    col(name)
        .str()
        .strip_chars(lit(NULL))
        .cast(DataType::Float64)
        .alias(name)
}

/// Team-level results: the scan and the checks of its own columns.
fn team_level_scan(path: &Path) -> Result<(LazyFrame, Vec<Check<'static>>)> {
    let (_, scan) = read::open_checked_csv(
            path,
            &TEAM_LEVEL,
            "a team-level survey CSV",
            "team-level answers need team, period (as in the tables, or a date), measure, score and respondents",
        )?;
    let scanned = scan.select([
        col(ROW),
        text("team"),
        text("period"),
        text(survey::MEASURE),
        number(survey::SCORE),
        col(survey::SCORE).alias("__raw_score"),
        number("respondents"),
        col("respondents").alias("__raw_respondents"),
    ]);
    let mut checks = read::team_and_period("give the survey's period, e.g. 2026-03").to_vec();
    // A count of people: whole, not negative, and within the 32-bit counts the tables hold
    // (`6.5` was read as 6, `99999999999999999999` as no count and its score shown).
    let n = col("respondents");
    let whole = n
        .clone()
        .gt_eq(lit(0.0))
        .and(n.clone().lt_eq(lit(f64::from(u32::MAX))))
        .and(
            n.clone()
                .cast(DataType::Int64)
                .cast(DataType::Float64)
                .eq(n),
        )
        .fill_null(lit(false));
    checks.push((
        whole.not(),
        "__raw_respondents",
        "respondents is not a whole number of people",
        "give the number of people who answered as a whole number, e.g. 12",
    ));
    Ok((scanned, checks))
}

/// Person-level answers: the scan and the checks of its own columns.
fn person_level_scan(path: &Path) -> Result<(LazyFrame, Vec<Check<'static>>)> {
    let (_, scan) = read::open_checked_csv(
            path,
            &survey::ALL,
            "a person-level survey CSV",
            "person-level survey answers need person_id, answered_at (YYYY-MM-DD), measure and score; team-level ones team, period, measure, score and respondents",
        )?;
    let scanned = scan.select([
        col(ROW),
        col(survey::PERSON_ID),
        read::parse_date(col(survey::ANSWERED_AT)).alias(survey::ANSWERED_AT),
        col(survey::ANSWERED_AT).alias("__raw_answered_at"),
        text(survey::MEASURE),
        number(survey::SCORE),
        col(survey::SCORE).alias("__raw_score"),
    ]);
    Ok((
        scanned,
        vec![
            (
                col(survey::PERSON_ID).is_null(),
                survey::PERSON_ID,
                "missing person_id",
                "give every answer the person_id of the respondent",
            ),
            (
                col(survey::ANSWERED_AT).is_null(),
                "__raw_answered_at",
                "unreadable answered_at",
                "write dates as YYYY-MM-DD",
            ),
        ],
    ))
}

/// Refuses the file at the first row that fails a check: the layout's own, a measure and a
/// readable score, and scores inside their measure's scale.
fn check_scores(
    frame: &DataFrame,
    checks: Vec<Check>,
    path: &Path,
    satisfaction_scale: u32,
    team_level: bool,
) -> Result<()> {
    let scale = f64::from(satisfaction_scale);
    let out_of_range = |measure: &str, low: f64, high: f64| {
        col(survey::MEASURE).eq(lit(measure)).and(
            col(survey::SCORE)
                .lt(lit(low))
                .or(col(survey::SCORE).gt(lit(high))),
        )
    };
    let satisfaction_help = format!(
        "satisfaction answers lie between 1 and {satisfaction_scale}; set [surveys] satisfaction_scale = 10 for a 1–10 scale"
    );
    let mut all_checks = checks;
    all_checks.push((
        col(survey::MEASURE).is_null(),
        survey::MEASURE,
        "missing measure",
        "name the measure, e.g. satisfaction or enps",
    ));
    all_checks.push((
        col(survey::SCORE)
            .is_null()
            .or(col(survey::SCORE).is_nan())
            .or(col(survey::SCORE).is_infinite()),
        "__raw_score",
        "unreadable score",
        "write scores as numbers with a decimal point, e.g. 4 or 3.5",
    ));
    for (bad, column, problem, help) in all_checks {
        read::reject_if_any(frame, bad, column, path, problem, help)?;
    }
    read::reject_if_any(
        frame,
        out_of_range("satisfaction", 1.0, scale),
        "__raw_score",
        path,
        "satisfaction score outside the scale",
        &satisfaction_help,
    )?;
    if !team_level {
        // Team-level eNPS is already a score from −100 to 100.
        read::reject_if_any(
            frame,
            out_of_range("enps", 0.0, 10.0),
            "__raw_score",
            path,
            "eNPS answer outside 0–10",
            "eNPS answers are the 0–10 likelihood to recommend",
        )?;
    } else {
        read::reject_if_any(
            frame,
            out_of_range("enps", -100.0, 100.0),
            "__raw_score",
            path,
            "team eNPS outside −100 to 100",
            "a team's eNPS is the % of 9–10 answers minus the % of 0–6 answers",
        )?;
    }
    Ok(())
}

/// Whether a frame from [`read`] holds team-level answers.
pub fn is_team_level(frame: &DataFrame) -> bool {
    frame.column("respondents").is_ok()
}

//! Person-level survey answers (spec §1 surveys). Read and checked now so that a broken survey
//! file is caught on the first run, long before the outcome stage needs it.

use polars::prelude::*;

use super::read::{self, ROW};
use super::InputFile;
use crate::config::InputPath;
use crate::error::Result;
use crate::schema::survey;

const FORMAT: &str = "a person-level survey CSV";

/// Reads `person_id, answered_at, measure, score`.
pub fn read(input: &InputPath) -> Result<(DataFrame, InputFile)> {
    let path = &input.path;
    let (_, scan) = read::open_checked_csv(
        path,
        &survey::ALL,
        FORMAT,
        "person-level survey answers need person_id, answered_at (YYYY-MM-DD), measure and score",
    )?;
    let scanned = scan.select([
        col(ROW),
        col(survey::PERSON_ID),
        read::parse_date(col(survey::ANSWERED_AT)).alias(survey::ANSWERED_AT),
        col(survey::ANSWERED_AT).alias("__raw_answered_at"),
        col(survey::MEASURE)
            .str()
            .strip_chars(lit(NULL))
            .alias(survey::MEASURE),
        col(survey::SCORE)
            .str()
            .strip_chars(lit(NULL))
            .cast(DataType::Float64)
            .alias(survey::SCORE),
        col(survey::SCORE).alias("__raw_score"),
    ]);
    let frame = read::collect_file(scanned, path)?;
    for (bad, column, problem, help) in [
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
        (
            col(survey::MEASURE).is_null(),
            survey::MEASURE,
            "missing measure",
            "name the measure, e.g. satisfaction or enps",
        ),
        (
            col(survey::SCORE).is_null(),
            "__raw_score",
            "unreadable score",
            "write scores as numbers with a decimal point, e.g. 4 or 3.5",
        ),
    ] {
        read::reject_if_any(&frame, bad, column, path, problem, help)?;
    }
    read::finish(frame, survey::ALL, input, "surveys", "person-level")
}

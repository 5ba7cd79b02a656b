//! Team KPIs for the outcome correlations (`[[outcome]] name, path`): one value per team and
//! period, e.g. a team's customer satisfaction or sick-leave rate, read from `team, period,
//! value`.

use polars::prelude::*;

use super::batch::InputFile;
use super::read::{self, ROW};
use crate::error::Result;
use crate::plan::InputPath;

pub const COLUMNS: [&str; 3] = ["team", "period", "value"];

/// Reads `team, period, value` (period as in the tables, or a date inside it).
pub fn read(input: &InputPath) -> Result<(DataFrame, InputFile)> {
    let path = &input.path;
    let (_, scan) = read::open_checked_csv(
        path,
        &COLUMNS,
        "a team KPI CSV",
        "a team KPI file has team, period (e.g. 2026-03) and value columns",
    )?;
    let trimmed = |c: &str| col(c).str().strip_chars(lit(NULL)).alias(c);
    let frame = read::collect_file(
        scan.select([
            col(ROW),
            trimmed("team"),
            trimmed("period"),
            trimmed("value").cast(DataType::Float64).alias("value"),
            col("value").alias("__raw_value"),
        ]),
        path,
    )?;
    let [team, period] = read::team_and_period("give the period, e.g. 2026-03");
    for (bad, column, problem, help) in [
        team,
        period,
        (
            col("value")
                .is_null()
                .or(col("value").is_nan())
                .or(col("value").is_infinite()),
            "__raw_value",
            "unreadable value",
            "write values as numbers with a decimal point, e.g. 0.82",
        ),
    ] {
        read::reject_if_any(&frame, bad, column, path, problem, help)?;
    }
    read::finish(frame, COLUMNS, input, "outcome", "team KPI")
}

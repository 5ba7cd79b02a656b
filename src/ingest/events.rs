//! The `events` source kind: canonical events (spec §1) as CSV, columns matched by header
//! name. Every row is checked here so that later stages can trust types and actions.

use polars::prelude::*;

use super::read::{self, ROW};
use super::InputFile;
use crate::config::{InputPath, SourcePlan};
use crate::error::Result;
use crate::schema::{event, Action};

/// Columns an events file must have; the others may be absent.
pub const REQUIRED: [&str; 4] = [
    event::EVENT_ID,
    event::OCCURRED_AT,
    event::ACTOR,
    event::ACTION,
];

const FORMAT: &str = "a canonical events CSV";

/// Reads one events file into canonical columns, failing on the first kind of bad value.
pub fn read(source: &SourcePlan, naive_tz: chrono_tz::Tz) -> Result<(DataFrame, InputFile)> {
    let path = &source.path;
    let header = read::read_header(path)?;
    read::require_columns(
        path,
        &header,
        &REQUIRED,
        FORMAT,
        &format!(
            "the header must name at least {}; optional columns are {}",
            REQUIRED.join(", "),
            [
                event::SOURCE,
                event::CONTENT_ID,
                event::THREAD_ID,
                event::TARGET_ACTOR,
                event::SPACE
            ]
            .join(", ")
        ),
    )?;

    let raw_ts = "__raw_occurred_at";
    let raw_action = "__raw_action";
    let source_col = if header.iter().any(|h| h == event::SOURCE) {
        col(event::SOURCE).fill_null(lit(source.label.clone()))
    } else {
        lit(source.label.clone())
    };
    let scanned = read::scan_text_csv(path)?.select([
        col(ROW),
        col(event::EVENT_ID),
        source_col.alias(event::SOURCE),
        read::parse_timestamp(col(event::OCCURRED_AT), naive_tz).alias(event::OCCURRED_AT),
        col(event::OCCURRED_AT).alias(raw_ts),
        col(event::ACTOR),
        col(event::ACTION)
            .str()
            .strip_chars(lit(NULL))
            .str()
            .to_lowercase()
            .alias(event::ACTION),
        col(event::ACTION).alias(raw_action),
        read::text_or_null(&header, event::CONTENT_ID),
        read::text_or_null(&header, event::THREAD_ID),
        read::text_or_null(&header, event::TARGET_ACTOR),
        read::text_or_null(&header, event::SPACE),
    ]);
    let frame = read::collect_file(scanned, path)?;

    read::reject_if_any(
        &frame,
        col(event::EVENT_ID).is_null(),
        event::EVENT_ID,
        path,
        "missing event id",
        "give every event an id that is unique within its source",
    )?;
    read::reject_if_any(
        &frame,
        col(event::OCCURRED_AT).is_null(),
        raw_ts,
        path,
        "unreadable timestamp",
        "write timestamps as RFC 3339, e.g. 2025-03-01T09:30:00Z or 2025-03-01 10:30:00+01:00 \
         (values without an offset are read in the source's time zone)",
    )?;
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    let allowed = Series::new("allowed".into(), actions);
    read::reject_if_any(
        &frame,
        col(event::ACTION)
            .is_in(lit(allowed).implode(false), false)
            .not()
            .or(col(event::ACTION).is_null()),
        raw_action,
        path,
        "unknown action",
        &format!("use one of: {}", Action::list()),
    )?;

    let input = InputPath {
        path: path.clone(),
        given: source.given.clone(),
    };
    read::finish(frame, event::ALL, &input, "events", source.kind.as_str())
}

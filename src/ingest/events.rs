//! The `events` source kind: events already one per row, as CSV, NDJSON, Parquet or Arrow IPC.
//! `[source.columns]` maps the file's columns onto the canonical ones and `[source.actions]`
//! its action values onto canonical actions, so an export from any tool can be read without
//! converting it first. Rows that cannot be read go to the rejects with their line and reason.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use super::batch::Batch;
use super::read::{self, ROW};
use crate::error::{Error, Result};
use crate::plan::{SourceFormat, SourcePlan};
use crate::vocabulary::{event, Action};

/// Canonical columns an events file must provide (directly or through `[source.columns]`).
pub const REQUIRED: [&str; 4] = [
    event::EVENT_ID,
    event::OCCURRED_AT,
    event::ACTOR,
    event::ACTION,
];

use super::read::{RAW, REASON};

/// The file's column for a canonical one.
fn source_column<'a>(columns: &'a BTreeMap<String, String>, canonical: &'a str) -> &'a str {
    columns
        .get(canonical)
        .map(String::as_str)
        .unwrap_or(canonical)
}

/// The column names of a non-CSV file, from its schema.
fn schema_names(frame: &mut LazyFrame, path: &Path) -> Result<Vec<String>> {
    let schema = frame.collect_schema().map_err(Error::polars(
        format!("cannot read {}", path.display()),
        "check that the file is the format its extension says (csv, ndjson, parquet, arrow)",
    ))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Opens an events file lazily and checks that it has the columns it needs: the scan, its
/// column names, and whether it is CSV.
fn open(source: &SourcePlan) -> Result<(LazyFrame, Vec<String>, bool)> {
    let path = &source.path;
    let path_str = path.to_str().ok_or_else(|| Error::Usage {
        message: format!("the path {} is not valid UTF-8", path.display()),
        help: "rename the file or folder so that its path is UTF-8".into(),
    })?;
    let (frame, header, csv) = match source.format {
        SourceFormat::Csv => {
            let header = read::read_header(path)?;
            (read::scan_text_csv(path)?, header, true)
        }
        other => {
            let target = PlRefPath::new(path_str);
            let mut lf = match other {
                SourceFormat::Ndjson => LazyJsonLineReader::new(target).finish(),
                SourceFormat::Parquet => LazyFrame::scan_parquet(target, ScanArgsParquet::default()),
                _ => LazyFrame::scan_ipc(target, Default::default(), Default::default()),
            }
            .map_err(Error::polars(
                format!("cannot read {}", path.display()),
                "check that the file is the format its extension says (csv, ndjson, parquet, arrow)",
            ))?;
            let names = schema_names(&mut lf, path)?;
            (lf.with_row_index(ROW, None), names, false)
        }
    };
    let wanted: Vec<&str> = REQUIRED
        .iter()
        .map(|c| source_column(&source.columns, c))
        .collect();
    read::require_columns(
        path,
        &header,
        &wanted,
        &format!("an events file ({})", source.format.as_str()),
        &format!(
            "the file needs columns for {}; map differently named columns in [source.columns], e.g. occurred_at = \"created\"",
            REQUIRED.join(", ")
        ),
    )?;
    Ok((frame, header, csv))
}

/// polars stops at a broken NDJSON line without saying which: for NDJSON, an error becomes
/// one that names the broken lines, when there are any.
fn name_broken_lines(source: &SourcePlan, e: Error) -> Error {
    if source.format == SourceFormat::Ndjson {
        broken_json_lines(&source.path).unwrap_or(e)
    } else {
        e
    }
}

/// The lines of an NDJSON file that are not JSON objects, as an error naming them; `None` if
/// every line is one (or the file cannot be read again).
fn broken_json_lines(path: &Path) -> Option<Error> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).ok()?;
    let mut examples = Vec::new();
    let mut count = 0u64;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.ok()?;
        if line.trim().is_empty() {
            continue;
        }
        let ok = matches!(
            serde_json::from_str::<serde_json::Value>(&line),
            Ok(serde_json::Value::Object(_))
        );
        if !ok {
            count += 1;
            if examples.len() < 5 {
                examples.push(crate::error::BadValue {
                    line: i as u64 + 1,
                    value: super::batch::shorten(&line),
                });
            }
        }
    }
    (count > 0).then(|| {
        Error::BadValues(Box::new(crate::error::BadValues {
            path: path.to_path_buf(),
            column: "(whole line)".into(),
            problem: "line that is not a JSON object".into(),
            examples,
            count,
            help: "an NDJSON file holds one JSON object per line; repair or remove these lines"
                .into(),
        }))
    })
}

/// The instant of each event in UTC, and whether it was read without a zone: a datetime
/// column with a zone as it is, one without in the source's zone (a local time in the gap
/// becomes null and is rejected), text in the canonical layout (the rest is patched later).
fn timestamp(dtype: &DataType, name: &str, tz: chrono_tz::Tz, text: Expr) -> (Expr, Expr) {
    let utc = DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
    match dtype {
        DataType::Datetime(_, Some(_)) => (col(name).cast(utc), lit(false)),
        DataType::Datetime(_, None) => (
            col(name)
                .dt()
                .replace_time_zone(
                    Some(polars::prelude::TimeZone::from_chrono(&tz)),
                    lit("earliest"),
                    NonExistent::Null,
                )
                .cast(utc),
            lit(true),
        ),
        _ => (read::parse_canonical_timestamp(text), lit(false)),
    }
}

/// The file's action values, mapped through `[source.actions]` (unmapped ones kept), as
/// lower-cased canonical names.
fn canonical_action(raw: Expr, actions: &BTreeMap<String, String>) -> Expr {
    let action = raw.str().strip_chars(lit(NULL));
    if actions.is_empty() {
        return action.str().to_lowercase();
    }
    let from: Vec<String> = actions.keys().cloned().collect();
    let to: Vec<String> = actions.values().cloned().collect();
    let fallback = action.clone().str().to_lowercase();
    action.replace_strict(
        lit(Series::new("from".into(), from)),
        lit(Series::new("to".into(), to)),
        Some(fallback),
        Some(DataType::String),
    )
}

/// The read rows with why each is rejected (missing id, unreadable timestamp, unknown
/// action) and the raw value to show for it.
fn with_reasons(frame: DataFrame, path: &Path) -> Result<DataFrame> {
    let allowed = Series::new(
        "allowed".into(),
        Action::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
    );
    frame
        .lazy()
        .with_columns([
            when(col(event::EVENT_ID).is_null())
                .then(lit("missing event_id"))
                .when(col(event::OCCURRED_AT).is_null())
                .then(lit("unreadable timestamp"))
                .when(
                    col(event::ACTION)
                        .is_in(lit(allowed).implode(false), false)
                        .not()
                        .or(col(event::ACTION).is_null()),
                )
                .then(lit("unknown action"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(REASON),
            when(col(event::OCCURRED_AT).is_null())
                .then(col("__raw_ts"))
                .when(col(event::EVENT_ID).is_null())
                .then(lit(""))
                .otherwise(col("__raw_action"))
                .alias(RAW),
        ])
        .collect()
        .map_err(Error::polars(
            format!("checking {}", path.display()),
            "report this as a bug with the file attached",
        ))
}

/// Hands the bodies of the accepted posts and replies to the themes' counter.
fn bodies(sink: &super::texts::TextSink, frame: &DataFrame) -> Result<()> {
    let said = frame
        .clone()
        .lazy()
        .filter(
            col(REASON).is_null().and(
                col(event::ACTION)
                    .eq(lit(Action::Post.as_str()))
                    .or(col(event::ACTION).eq(lit(Action::Reply.as_str()))),
            ),
        )
        .collect()
        .map_err(crate::error::internal("picking posts and replies"))?;
    super::texts::from_frame(
        sink,
        &said,
        [
            event::EVENT_ID,
            event::OCCURRED_AT,
            event::ACTOR,
            event::SPACE,
            TEXT,
        ],
    )
}

/// The batch of a checked events file: rejects (gap times named), zone notes and the
/// accepted events in canonical columns.
fn finish(frame: DataFrame, source: &SourcePlan, csv: bool) -> Result<Batch> {
    let path = &source.path;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let location = if csv {
        read::Location::Line
    } else {
        read::Location::Row
    };
    let mut rejects = read::rejects_from(&frame, &file, location)?;
    read::name_gaps(&mut rejects, source.timezone);
    let notes = read::zone_note(&frame, "__no_zone", &file, source.timezone);
    let rows_read = frame.height() as u64;
    let events = frame
        .lazy()
        .filter(col(REASON).is_null())
        .select(event::ALL.map(col))
        .collect()
        .map_err(crate::error::internal(format!(
            "checking {}",
            path.display()
        )))?;
    Ok(Batch {
        events,
        rows_read,
        excluded: BTreeMap::new(),
        rejects,
        notes,
    })
}

/// Reads one events file: canonical events, and rejects for rows that cannot be read.
/// The adapter contract ([`super::Adapter`]): an events file lists no accounts.
pub fn read(
    source: &SourcePlan,
    reading: &super::batch::Reading,
) -> Result<super::batch::SourceRead> {
    Ok(super::batch::SourceRead::events(
        read_file(source, reading)?,
        super::batch::no_accounts(),
    ))
}

/// The query that reads an events file into canonical columns, with what each row needs
/// checked: the raw time and action for rejects, and whether the time had a zone.
struct Checked {
    query: LazyFrame,
    /// Times read as text, to be parsed leniently batch by batch.
    text_timestamps: bool,
    csv: bool,
}

/// The column of message bodies, read only when themes are on (README "Themes").
const TEXT: &str = "__text";

fn checked(source: &SourcePlan, with_text: bool) -> Result<Checked> {
    let (mut frame, header, csv) = open(source).map_err(|e| name_broken_lines(source, e))?;
    let text = |canonical: &str| -> Expr {
        let name = source_column(&source.columns, canonical);
        if header.iter().any(|h| h == name) {
            col(name).cast(DataType::String)
        } else {
            lit(NULL).cast(DataType::String)
        }
    };

    // Timestamps: text is parsed leniently; a typed datetime column is taken as it is.
    let ts_name = source_column(&source.columns, event::OCCURRED_AT).to_string();
    let ts_dtype = if csv {
        DataType::String
    } else {
        frame
            .collect_schema()
            .ok()
            .and_then(|s| s.get(&ts_name).cloned())
            .unwrap_or(DataType::String)
    };
    // Text: the canonical layout here, the others after reading, for the rows it leaves.
    let text_timestamps = !matches!(ts_dtype, DataType::Datetime(_, _));
    let (occurred, without_zone) = timestamp(
        &ts_dtype,
        &ts_name,
        source.timezone,
        text(event::OCCURRED_AT),
    );

    // What a reject shows for an unreadable time: the text as written. A typed instant is
    // only missing when it is null, so it is not formatted (millions of strings for nothing).
    let raw_timestamp = match ts_dtype {
        DataType::Datetime(_, Some(_)) => lit(NULL).cast(DataType::String),
        _ => text(event::OCCURRED_AT),
    };
    let raw_action = text(event::ACTION);
    let action = canonical_action(raw_action.clone(), &source.actions);
    let source_label = if header
        .iter()
        .any(|h| h == source_column(&source.columns, event::SOURCE))
    {
        text(event::SOURCE).fill_null(lit(source.label.clone()))
    } else {
        lit(source.label.clone())
    };

    let checked = frame.select([
        col(ROW),
        text(event::EVENT_ID).alias(event::EVENT_ID),
        source_label.alias(event::SOURCE),
        occurred.alias(event::OCCURRED_AT),
        raw_timestamp.alias("__raw_ts"),
        without_zone.alias("__no_zone"),
        text(event::ACTOR).alias(event::ACTOR),
        action.alias(event::ACTION),
        raw_action.alias("__raw_action"),
        text(event::CONTENT_ID).alias(event::CONTENT_ID),
        text(event::THREAD_ID).alias(event::THREAD_ID),
        text(event::TARGET_ACTOR).alias(event::TARGET_ACTOR),
        text(event::SPACE).alias(event::SPACE),
        if with_text {
            text(event::TEXT)
        } else {
            lit(NULL).cast(DataType::String)
        }
        .alias(TEXT),
    ]);
    Ok(Checked {
        query: checked,
        text_timestamps,
        csv,
    })
}

/// Reads the file a batch at a time: each batch's times patched, rows checked, rejects and
/// notes kept, accepted events handed on (or kept, without `events_to`).
fn read_file(source: &SourcePlan, reading: &super::batch::Reading) -> Result<Batch> {
    let path = &source.path;
    let Checked {
        query: checked,
        text_timestamps,
        csv,
    } = checked(source, reading.texts.is_some())?;
    let mut batch = Batch {
        events: DataFrame::empty(),
        rows_read: 0,
        excluded: BTreeMap::new(),
        rejects: Vec::new(),
        notes: Vec::new(),
    };
    let mut kept = Vec::new();
    let each = |frame: DataFrame| -> Result<()> {
        let frame = if text_timestamps {
            read::patch_timestamps(
                frame,
                source.timezone,
                event::OCCURRED_AT,
                "__raw_ts",
                "__no_zone",
            )
            .map_err(Error::polars(
                format!("reading the timestamps of {}", path.display()),
                "report this as a bug with the file attached",
            ))?
        } else {
            frame
        };
        let frame = with_reasons(frame, path)?;
        if let Some(sink) = reading.texts {
            bodies(sink, &frame)?;
        }
        let part = finish(frame, source, csv)?;
        batch.rows_read += part.rows_read;
        batch.rejects.extend(part.rejects);
        for note in part.notes {
            if !batch.notes.contains(&note) {
                batch.notes.push(note);
            }
        }
        match reading.events_to {
            Some(to) => (to.0)(part.events, &super::batch::no_accounts()),
            None => {
                kept.push(part.events.lazy());
                Ok(())
            }
        }
    };
    read::for_each_batch(checked, path, each).map_err(|e| name_broken_lines(source, e))?;
    kept.push(super::batch::empty_events());
    batch.events = concat(kept, UnionArgs::default())
        .and_then(LazyFrame::collect)
        .map_err(crate::error::internal(format!(
            "reading {}",
            path.display()
        )))?;
    Ok(batch)
}

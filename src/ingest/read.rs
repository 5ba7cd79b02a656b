//! Reading helpers every CSV-based source shares: header checks that name what is missing,
//! a lazy all-string scan with null markers, lenient timestamp parsing, and the collection of
//! bad values with their line numbers.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::InputFile;
use crate::config::InputPath;
use crate::error::{BadValue, BadValues, Error, Result};

/// Internal column holding the 0-based data row of a CSV record.
pub const ROW: &str = "__row";

/// Values that mean "missing" in every CSV we read (formats spec, "Generic").
pub const NULL_MARKERS: [&str; 3] = ["", "null", "NA"];

/// How many bad values an error message shows.
const EXAMPLES: usize = 5;

/// The column names of a CSV header, with a UTF-8 BOM and surrounding quotes removed.
pub fn read_header(path: &Path) -> Result<Vec<String>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
        help: "check that the file exists and is readable".into(),
    })?;
    let mut line = String::new();
    BufReader::new(file)
        .read_line(&mut line)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "save the file as UTF-8 CSV".into(),
        })?;
    let line = line.strip_prefix('\u{feff}').unwrap_or(&line);
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(line
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect())
}

/// Fails with a message naming the format, what is missing and what the header has.
pub fn require_columns(
    path: &Path,
    header: &[String],
    required: &[&str],
    format: &str,
    help: &str,
) -> Result<()> {
    let missing: Vec<String> = required
        .iter()
        .filter(|r| !header.iter().any(|h| h == *r))
        .map(|r| r.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::MissingColumns {
            path: path.to_path_buf(),
            format: format.to_string(),
            missing,
            found: header.to_vec(),
            help: help.to_string(),
        })
    }
}

/// Scans a CSV with every column as text and the null markers as missing, adding [`ROW`].
pub fn scan_text_csv(path: &Path) -> Result<LazyFrame> {
    let path_str = path.to_str().ok_or_else(|| Error::Usage {
        message: format!("the path {} is not valid UTF-8", path.display()),
        help: "rename the file or folder so that its path is UTF-8".into(),
    })?;
    let nulls = NullValues::AllColumns(NULL_MARKERS.iter().map(|s| (*s).into()).collect());
    LazyCsvReader::new(PlRefPath::new(path_str))
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_null_values(Some(nulls))
        .with_missing_is_null(true)
        .with_row_index(Some(RowIndex {
            name: ROW.into(),
            offset: 0,
        }))
        .finish()
        .map_err(Error::polars(
            format!("cannot read {}", path.display()),
            "check that the file is a comma-separated CSV with a header row",
        ))
}

/// A column if the header has it, else a typed null, so optional columns may be absent.
pub fn text_or_null(header: &[String], name: &str) -> Expr {
    if header.iter().any(|h| h == name) {
        col(name)
    } else {
        lit(NULL).cast(DataType::String).alias(name)
    }
}

/// Parses timestamps in the forms exports use, giving `Datetime(µs, UTC)`; values that match
/// no form become null. Values without an offset are read in `naive_tz`.
pub fn parse_timestamp(text: Expr, naive_tz: chrono_tz::Tz) -> Expr {
    let utc = polars::prelude::TimeZone::UTC;
    let zone = polars::prelude::TimeZone::from_chrono(&naive_tz);
    let opts = |format: &str| StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    };
    let aware = |format: &str| {
        text.clone().str().to_datetime(
            Some(TimeUnit::Microseconds),
            Some(utc.clone()),
            opts(format),
            lit("raise"),
        )
    };
    let naive_in = |format: &str, tz: &polars::prelude::TimeZone| {
        text.clone()
            .str()
            .to_datetime(
                Some(TimeUnit::Microseconds),
                None,
                opts(format),
                lit("raise"),
            )
            // A local time that occurs twice (autumn DST change) takes the earlier instant;
            // one that does not exist (spring gap) is left unparsed and reported.
            .dt()
            .replace_time_zone(Some(tz.clone()), lit("earliest"), NonExistent::Null)
            .dt()
            .convert_time_zone(utc.clone())
    };
    coalesce(&[
        naive_in("%Y-%m-%dT%H:%M:%S%.fZ", &utc),
        aware("%Y-%m-%dT%H:%M:%S%.f%:z"),
        aware("%Y-%m-%dT%H:%M:%S%.f%z"),
        aware("%Y-%m-%d %H:%M:%S%.f%:z"),
        aware("%Y-%m-%d %H:%M:%S%.f %z"),
        naive_in("%Y-%m-%dT%H:%M:%S%.f", &zone),
        naive_in("%Y-%m-%d %H:%M:%S%.f", &zone),
    ])
}

/// Parses `YYYY-MM-DD` dates (a longer timestamp keeps its date part); others become null.
pub fn parse_date(text: Expr) -> Expr {
    text.str()
        .slice(lit(0), lit(10))
        .str()
        .to_date(StrptimeOptions {
            format: Some("%Y-%m-%d".into()),
            strict: false,
            exact: true,
            cache: true,
        })
}

/// Fails when any row matches `bad`, naming the first lines and their values of `column`.
pub fn reject_if_any(
    frame: &DataFrame,
    bad: Expr,
    column: &str,
    path: &Path,
    problem: &str,
    help: &str,
) -> Result<()> {
    let hits = frame
        .clone()
        .lazy()
        .filter(bad)
        .select([
            col(ROW),
            col(column)
                .cast(DataType::String)
                .fill_null(lit("(empty)"))
                .alias("__value"),
        ])
        .collect()
        .map_err(Error::polars(
            format!("cannot check {}", path.display()),
            "report this as a bug with the file attached",
        ))?;
    if hits.height() == 0 {
        return Ok(());
    }
    let rows = hits.column(ROW).and_then(|c| c.cast(&DataType::UInt64));
    let values = hits.column("__value");
    let (Ok(rows), Ok(values)) = (rows, values) else {
        unreachable!("columns selected above")
    };
    let rows = rows.u64().expect("cast to u64");
    let values = values.str().expect("cast to string");
    let examples = rows
        .iter()
        .zip(values.iter())
        .take(EXAMPLES)
        .map(|(r, v)| BadValue {
            // Line 1 is the header, so data row 0 is on line 2.
            line: r.unwrap_or(0) + 2,
            value: v.unwrap_or("").to_string(),
        })
        .collect();
    Err(Error::BadValues(Box::new(BadValues {
        path: path.to_path_buf(),
        column: column.to_string(),
        problem: problem.to_string(),
        examples,
        count: hits.height() as u64,
        help: help.to_string(),
    })))
}

/// Size and SHA-256 of a file, streamed so large exports are not held in memory.
pub fn fingerprint(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
        help: "check that the file exists and is readable".into(),
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "check that the file is readable".into(),
        })?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// Collects a scan, naming the file when polars cannot parse it.
pub fn collect_file(frame: LazyFrame, path: &Path) -> Result<DataFrame> {
    frame.collect().map_err(Error::polars(
        format!("cannot read {}", path.display()),
        "check that the file is a comma-separated UTF-8 CSV whose rows have as many fields as the header",
    ))
}

/// The checked frame cut down to its published columns, with the file's manifest entry.
pub fn finish<const N: usize>(
    frame: DataFrame,
    columns: [&str; N],
    input: &InputPath,
    role: &str,
    kind: &str,
) -> Result<(DataFrame, InputFile)> {
    let rows_read = frame.height() as u64;
    let out = frame.select(columns).map_err(Error::polars(
        format!("cannot read {}", input.path.display()),
        "report this as a bug with the file attached",
    ))?;
    let (bytes, sha256) = fingerprint(&input.path)?;
    Ok((
        out,
        InputFile {
            role: role.into(),
            kind: kind.into(),
            path: input.path.clone(),
            given: input.given.clone(),
            bytes,
            sha256,
            rows_read,
        },
    ))
}

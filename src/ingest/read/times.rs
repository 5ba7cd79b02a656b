//! Lenient timestamps and dates, as every source's reader parses them: the canonical layout
//! over a whole column, the other layouts only for the rows it leaves, local times in the
//! source's zone (a time in a daylight-saving gap named as such), and days with nothing after
//! them but a time. Split from `read.rs`, which holds the CSV reading they serve.

use polars::prelude::*;

use crate::ingest::batch::{Reject, ROW};
use crate::vocabulary::notes::{Note, Say};

fn strptime(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    }
}

/// The layout most exports write, `2025-01-31T09:15:00Z` (fractions allowed).
const CANONICAL: &str = "%Y-%m-%dT%H:%M:%S%.fZ";

/// Text in `format` without an offset, read as local time in `tz`, as a UTC instant.
fn naive_in(text: Expr, format: &str, tz: &polars::prelude::TimeZone) -> Expr {
    text.str()
        .to_datetime(
            Some(TimeUnit::Microseconds),
            None,
            strptime(format),
            lit("raise"),
        )
        // A local time that occurs twice (autumn DST change) takes the earlier instant;
        // one that does not exist (spring gap) is left unparsed and reported.
        .dt()
        .replace_time_zone(Some(tz.clone()), lit("earliest"), NonExistent::Null)
        .dt()
        .convert_time_zone(polars::prelude::TimeZone::UTC)
}

/// Timestamps in the canonical layout only, others null: [`parse_timestamp`]'s first try, run
/// alone over a whole column, so that the other layouts are tried on the rows it leaves
/// unread only (see [`patch_timestamps`]).
pub fn parse_canonical_timestamp(text: Expr) -> Expr {
    naive_in(text, CANONICAL, &polars::prelude::TimeZone::UTC)
}

/// Completes `frame` (read with [`parse_canonical_timestamp`] into `occurred`, the text in
/// `raw`, `no_zone` false) for the rows whose timestamp is in another layout: those rows
/// alone are parsed with [`parse_timestamp`] and flagged with [`timestamp_without_zone`].
pub fn patch_timestamps(
    frame: DataFrame,
    naive_tz: chrono_tz::Tz,
    occurred: &str,
    raw: &str,
    no_zone: &str,
) -> PolarsResult<DataFrame> {
    let others = frame
        .clone()
        .lazy()
        .filter(col(occurred).is_null().and(col(raw).is_not_null()))
        .select([
            col(ROW),
            parse_timestamp(col(raw), naive_tz).alias("__parsed"),
            timestamp_without_zone(col(raw), naive_tz).alias("__unzoned"),
        ])
        .collect()?;
    if others.height() == 0 {
        return Ok(frame);
    }
    frame
        .lazy()
        .join(
            others.lazy(),
            [col(ROW)],
            [col(ROW)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .with_columns([
            coalesce(&[col(occurred), col("__parsed")]).alias(occurred),
            col("__unzoned").fill_null(col(no_zone)).alias(no_zone),
        ])
        .drop(cols(["__parsed", "__unzoned"]))
        .collect()
}

/// The reason a timestamp in a zone's daylight-saving gap is rejected.
pub fn gap_reason(tz: chrono_tz::Tz) -> String {
    format!(
        "local time that does not exist in {}: clocks skip it when daylight saving starts",
        tz.name()
    )
}

/// Gives the rejects of timestamps that are local times the zone skips (the hour clocks jump
/// over when daylight saving starts) that reason instead of "unreadable". Only rejected rows
/// are looked at, so reading costs nothing more.
pub fn name_gaps(rejects: &mut [Reject], tz: chrono_tz::Tz) {
    use chrono::{LocalResult, NaiveDateTime, TimeZone};
    for r in rejects.iter_mut() {
        if !r.reason.starts_with("unreadable") {
            continue;
        }
        let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(r.raw.trim(), f).ok());
        if naive.is_some_and(|n| matches!(tz.from_local_datetime(&n), LocalResult::None)) {
            r.reason = gap_reason(tz);
        }
    }
}

/// The instant of a timestamp text read with a zone, and read without one in `naive_tz`.
fn timestamp_parts(text: Expr, naive_tz: chrono_tz::Tz) -> (Expr, Expr) {
    let utc = polars::prelude::TimeZone::UTC;
    let zone = polars::prelude::TimeZone::from_chrono(&naive_tz);
    let opts = strptime;
    let aware = |format: &str| {
        text.clone().str().to_datetime(
            Some(TimeUnit::Microseconds),
            Some(utc.clone()),
            opts(format),
            lit("raise"),
        )
    };
    let naive_in =
        |format: &str, tz: &polars::prelude::TimeZone| naive_in(text.clone(), format, tz);
    let zoned = coalesce(&[
        naive_in(CANONICAL, &utc),
        // A zone written as a word: Ruby's CSV (Discourse) writes `2024-01-08 09:15:00 UTC`.
        naive_in("%Y-%m-%d %H:%M:%S%.f UTC", &utc),
        naive_in("%Y-%m-%dT%H:%M:%S%.f UTC", &utc),
        naive_in("%Y-%m-%d %H:%M:%S%.f GMT", &utc),
        aware("%Y-%m-%dT%H:%M:%S%.f%:z"),
        aware("%Y-%m-%dT%H:%M:%S%.f%z"),
        aware("%Y-%m-%d %H:%M:%S%.f%:z"),
        aware("%Y-%m-%d %H:%M:%S%.f %z"),
        aware("%Y/%m/%d %H:%M:%S%.f %z"),
    ]);
    let unzoned = coalesce(&[
        naive_in("%Y-%m-%dT%H:%M:%S%.f", &zone),
        naive_in("%Y-%m-%d %H:%M:%S%.f", &zone),
    ]);
    (zoned, unzoned)
}

/// Parses timestamps in the forms exports use, giving `Datetime(µs, UTC)`; values that match
/// no form become null. Values without an offset are read in `naive_tz`.
pub fn parse_timestamp(text: Expr, naive_tz: chrono_tz::Tz) -> Expr {
    let (zoned, unzoned) = timestamp_parts(text, naive_tz);
    coalesce(&[zoned, unzoned])
}

/// True where a timestamp could only be read without a zone (so in the source's time zone).
pub fn timestamp_without_zone(text: Expr, naive_tz: chrono_tz::Tz) -> Expr {
    let (zoned, unzoned) = timestamp_parts(text, naive_tz);
    zoned.is_null().and(unzoned.is_not_null())
}

/// The notes a report carries when timestamps without a zone were read in a time zone: how
/// many, and for a zone that changes its clocks, how a doubled or skipped time is read.
pub fn zone_note(frame: &DataFrame, flag: &str, file: &str, tz: chrono_tz::Tz) -> Vec<Note> {
    let n = frame
        .column(flag)
        .ok()
        .and_then(|c| c.bool().ok()?.sum())
        .unwrap_or(0);
    if n == 0 {
        return Vec::new();
    }
    let mut notes = vec![Note::counting(
        Say::ZoneAssumed,
        u64::from(n),
        &[file, tz.name()],
    )];
    if changes_clocks(tz) {
        notes.push(Note::plain(Say::ZoneClocks));
    }
    notes
}

/// Whether a zone changes its clocks (daylight saving): its offsets in January and July 2025
/// differ. Only then can a local time be missing or occur twice.
fn changes_clocks(tz: chrono_tz::Tz) -> bool {
    use chrono::{Offset, TimeZone};
    let offset = |month| {
        chrono::NaiveDate::from_ymd_opt(2025, month, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| tz.offset_from_utc_datetime(&t).fix())
    };
    offset(1) != offset(7)
}

/// Parses `YYYY-MM-DD` dates (a longer timestamp keeps its date part); others become null.
pub fn parse_date(text: Expr) -> Expr {
    // A day, alone or followed by a time (`2020-01-01T09:00`, `2020-01-01 09:00:00`): the time
    // is dropped. Anything else after the day (`2020-01-01 or so`) leaves the date unread.
    let rest = text.clone().str().slice(lit(10), lit(NULL));
    let digits = Series::new(
        "digits".into(),
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    );
    let time_follows = rest
        .clone()
        .str()
        .slice(lit(0), lit(1))
        .is_in(
            lit(Series::new("sep".into(), ["T", " "])).implode(false),
            false,
        )
        .and(
            rest.clone()
                .str()
                .slice(lit(1), lit(1))
                .is_in(lit(digits).implode(false), false),
        );
    let whole = rest.clone().eq(lit("")).or(time_follows);
    when(whole)
        .then(text)
        .otherwise(lit(NULL).cast(DataType::String))
        .str()
        .slice(lit(0), lit(10))
        .str()
        .to_date(StrptimeOptions {
            format: Some("%Y-%m-%d".into()),
            strict: false,
            exact: true,
            cache: true,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layouts exports write, each read as the instant it names; a time without a zone in
    /// the source's zone (Amsterdam, UTC+1 in January). 2024-01-08 09:15:00 UTC is
    /// 1704705300 s.
    #[test]
    fn timestamps_as_exports_write_them() {
        let texts = [
            "2024-01-08T09:15:00Z",
            "2024-01-08 09:15:00 UTC",
            "2024-01-08 09:15:00.000 UTC",
            "2024-01-08T09:15:00 UTC",
            "2024-01-08 09:15:00 GMT",
            "2024/01/08 09:15:00 +0000",
            "2024-01-08 10:15:00+01:00",
            "2024-01-08 10:15:00",
            "8 januari",
        ];
        let frame = df!("t" => texts).unwrap();
        let parsed = frame
            .lazy()
            .select([parse_timestamp(col("t"), chrono_tz::Europe::Amsterdam)
                .cast(DataType::Int64)
                .alias("us")])
            .collect()
            .unwrap();
        let us: Vec<Option<i64>> = parsed.column("us").unwrap().i64().unwrap().iter().collect();
        let at = Some(1_704_705_300_000_000);
        assert_eq!(us, vec![at, at, at, at, at, at, at, at, None]);
    }
}

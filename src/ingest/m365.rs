//! The `m365-usage` source kind: Microsoft 365 admin-centre usage reports (Graph
//! `getYammerActivityUserDetail` and `getTeamsUserActivityUserDetail`) as CSV, one file or a
//! folder of them. They hold counts per user for a window of 7, 30, 90 or 180 days ending at
//! the refresh date, not events, so they become usage counts (README "Inputs"): they feed the activity
//! table and the ladder, and nothing that needs events (active days, partners, reach, replies
//! to posts). Columns are matched by name; the report type is recognised by its columns.

use polars::prelude::*;

use super::archive::Archive;
use super::batch::{Reading, SourceRead};
use super::read::{self, Location, EXCLUDED, RAW, REASON, ROW};
use crate::error::{Error, Result};
use crate::plan::SourcePlan;
use crate::vocabulary::notes::{Note, Say};
use crate::vocabulary::usage;

/// The two report layouts, recognised by their columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    VivaEngage,
    Teams,
}

fn layout(header: &[String]) -> Option<Layout> {
    let has = |c: &str| header.iter().any(|h| h == c);
    if has("Posted Count") {
        Some(Layout::VivaEngage)
    } else if has("Post Messages") || has("Team Chat Message Count") {
        Some(Layout::Teams)
    } else {
        None
    }
}

/// The CSV files of the export; none is an error.
fn report_files(archive: &Archive) -> Result<Vec<String>> {
    let files: Vec<String> = archive
        .names()
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
        .cloned()
        .collect();
    if files.is_empty() {
        return Err(archive.not_a(
            "a Microsoft 365 usage report",
            "CSV file",
            "download the Viva Engage or Teams user activity report (CSV) from the admin centre",
        ));
    }
    Ok(files)
}

/// Reads usage reports: usage counts (`source, account, window_end, window_days`, the
/// measures), and the batch that accounts for every row. The batch holds no events.
/// The adapter contract ([`super::Adapter`]).
pub fn read(source: &SourcePlan, reading: &Reading) -> Result<SourceRead> {
    let mut archive = Archive::open(&source.path, reading.limits)?;
    let (batch, usage) = read_archive(&mut archive, &source.label)?;
    Ok(SourceRead {
        batch,
        accounts: super::batch::no_accounts(),
        usage: Some(usage),
    })
}

fn read_archive(archive: &mut Archive, source: &str) -> Result<(super::batch::Batch, DataFrame)> {
    let files = report_files(archive)?;
    let mut parts = read::Parts::default();
    let mut tables = Vec::new();
    for file in &files {
        tables.push(report(archive, file, source, &mut parts)?);
    }
    let counts = concat(tables, UnionArgs::default())
        .and_then(|l| l.collect())
        .map_err(crate::error::internal("combining usage reports"))?;
    let batch = parts.finish(vec![
        Note::plain(Say::UsageCounts),
        Note::plain(Say::UsageWindows),
    ])?;
    Ok((batch, counts))
}

/// One report file: its usage counts (a query), its rows accounted for in `parts`.
fn report(
    archive: &mut Archive,
    file: &str,
    source: &str,
    parts: &mut read::Parts,
) -> Result<LazyFrame> {
    let (lf, header) = read::text_csv_in(archive, file)?;
    let Some(kind) = layout(&header) else {
        return Err(Error::MissingColumns {
            path: archive.path().join(file),
            format: "a Microsoft 365 user activity report".into(),
            missing: vec!["Posted Count (Viva Engage) or Post Messages / Team Chat Message Count (Teams)".into()],
            found: header.clone(),
            help: "give the user activity *detail* report (one row per user), not a summary or a groups report".into(),
        });
    };
    let account_column = if header.iter().any(|h| h == "User Principal Name") {
        "User Principal Name"
    } else {
        "User Id"
    };
    read::require_columns(
        &archive.path().join(file),
        &header,
        &[account_column, "Report Refresh Date", "Report Period"],
        "a Microsoft 365 user activity report",
        "the detail report has User Principal Name, Report Refresh Date and Report Period",
    )?;
    let (measures, bad_count) = measures(kind, &header);
    let days = col("Report Period")
        .str()
        .strip_chars(lit(NULL))
        .cast(DataType::Int32);
    let raw = |name: &str| read::text_or_null(&header, name);
    let deleted = raw("Is Deleted")
        .str()
        .to_lowercase()
        .eq(lit("true"))
        .or(raw("User State").str().to_lowercase().eq(lit("deleted")))
        .fill_null(lit(false));
    let mut columns = vec![
        col(ROW),
        col(account_column).alias(usage::ACCOUNT),
        read::parse_date(col("Report Refresh Date")).alias(usage::WINDOW_END),
        days.clone().alias(usage::WINDOW_DAYS),
        col("Report Refresh Date").alias("__refresh"),
        col("Report Period").alias("__period"),
        deleted.alias("__deleted"),
        bad_count.alias("__bad_count"),
    ];
    for (name, expr) in usage::MEASURES.iter().zip(measures) {
        columns.push(expr.alias(*name));
    }
    let checked = lf
        .select(columns)
        .with_columns([
            when(col(usage::ACCOUNT).is_null())
                .then(lit(format!("missing {account_column}")))
                .when(col(usage::WINDOW_END).is_null())
                .then(lit("unreadable Report Refresh Date"))
                .when(
                    col(usage::WINDOW_DAYS)
                        .is_null()
                        .or(col(usage::WINDOW_DAYS).lt(lit(1)))
                        .or(col(usage::WINDOW_DAYS).gt(lit(366))),
                )
                .then(lit("unreadable Report Period"))
                .otherwise(col("__bad_count"))
                .alias(REASON),
            when(col(usage::WINDOW_END).is_null())
                .then(col("__refresh"))
                .otherwise(col("__period"))
                .fill_null(lit(""))
                .alias(RAW),
        ])
        .with_column(
            when(col(REASON).is_null().and(col("__deleted")))
                .then(lit("deleted account"))
                .otherwise(read::none())
                .alias(EXCLUDED),
        )
        .collect()
        .map_err(|e| read::csv_failure(&archive.path().join(file), None, e))?;
    let kept = read::kept(&checked);
    let mut select = vec![
        lit(source.to_string()).alias(usage::SOURCE),
        col(usage::ACCOUNT),
        col(usage::WINDOW_END),
        col(usage::WINDOW_DAYS),
    ];
    select.extend(usage::MEASURES.map(col));
    // The rows are accounted for here; they carry counts, not events.
    parts.add_checked(&checked, file, Location::Line, super::batch::empty_events())?;
    Ok(kept.select(select))
}

/// The report's counts as the usage measures (null where the layout has none), and the reason
/// a row is unreadable when a count it gives is not a whole number.
fn measures(kind: Layout, header: &[String]) -> ([Expr; 5], Expr) {
    let count = |name: &str| -> Expr {
        if header.iter().any(|h| h == name) {
            col(name)
                .str()
                .strip_chars(lit(NULL))
                .cast(DataType::UInt32)
        } else {
            lit(NULL).cast(DataType::UInt32)
        }
    };
    let raw = |name: &str| read::text_or_null(header, name);
    let (sources, measures): (Vec<&str>, [Expr; 5]) = match kind {
        Layout::VivaEngage => (
            vec!["Posted Count", "Liked Count", "Read Count"],
            [
                count("Posted Count"),
                lit(NULL).cast(DataType::UInt32),
                count("Liked Count"),
                count("Read Count"),
                lit(NULL).cast(DataType::UInt32),
            ],
        ),
        Layout::Teams => {
            let posts = if header.iter().any(|h| h == "Post Messages") {
                "Post Messages"
            } else {
                "Team Chat Message Count"
            };
            (
                vec![posts, "Reply Messages"],
                [
                    count(posts),
                    count("Reply Messages"),
                    lit(NULL).cast(DataType::UInt32),
                    lit(NULL).cast(DataType::UInt32),
                    lit(NULL).cast(DataType::UInt32),
                ],
            )
        }
    };
    // A count that is present but not a whole number is unreadable.
    let mut bad_count = lit(NULL).cast(DataType::String);
    for name in sources.iter().rev() {
        bad_count = when(raw(name).is_not_null().and(count(name).is_null()))
            .then(lit(format!("unreadable {name}")))
            .otherwise(bad_count);
    }
    (measures, bad_count)
}

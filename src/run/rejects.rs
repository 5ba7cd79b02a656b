//! Refused rows: each source's rejects written to `rejects/<source>.csv` (location and reason,
//! identifying fields only), the run failed with exit code 2 when a source's rejected share is
//! over `max_reject_share`, and the message when no event is left at all.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::read::Record;
use super::setup::Setup;
use crate::error::{internal, Error, Result};
use crate::normalize::RowCounts;
use crate::output;

/// Files to write: each a path in the output folder and its bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// The rejects files to write (`rejects/<source>.csv`, for sources with rejects) and, per
/// source, the file's name. (A rejects file an earlier run left is removed when the run
/// publishes, as every file its manifest does not list.)
pub fn files(records: &[Record]) -> Result<(Files, Vec<Option<String>>)> {
    let mut files = Vec::new();
    let mut names = Vec::with_capacity(records.len());
    for record in records {
        let name = format!("rejects/{}.csv", record.source.label);
        if record.batch.rejects.is_empty() {
            names.push(None);
        } else {
            files.push((name.clone(), csv(&record.batch.rejects)?));
            names.push(Some(name));
        }
    }
    Ok((files, names))
}

/// Where the profile survey's unreadable rows go.
pub const PROFILE_REJECTS: &str = "rejects/profile_survey.csv";

/// The profile survey's rejects file, when it has rejected rows, said in the log.
pub fn profile_file(setup: &Setup, rejects: &[crate::ingest::Reject]) -> Result<Files> {
    if rejects.is_empty() {
        return Ok(Vec::new());
    }
    setup.log.warn(
        "profile",
        &format!(
            "the profile survey: {} rows rejected; reasons in {PROFILE_REJECTS}",
            rejects.len()
        ),
    );
    Ok(vec![(PROFILE_REJECTS.to_string(), csv(rejects)?)])
}

/// Writes the rejects files alone (for `ingest`, and before failing for want of events),
/// removing a rejects file an earlier run left for a source that now has none, so it cannot
/// suggest that this run rejected rows.
pub fn write(setup: &Setup, records: &[Record]) -> Result<Vec<Option<String>>> {
    let (files, names) = files(records)?;
    for (name, bytes) in &files {
        output::write_atomic(&setup.out_dir.join(name), bytes)?;
    }
    for (record, name) in records.iter().zip(&names) {
        let stale = setup
            .out_dir
            .join(format!("rejects/{}.csv", record.source.label));
        if name.is_none() && stale.is_file() {
            std::fs::remove_file(&stale).map_err(|source| Error::Write {
                path: stale,
                source,
            })?;
        }
    }
    Ok(names)
}

/// Rejects as CSV: `file, location, raw, reason`.
fn csv(rejects: &[crate::ingest::Reject]) -> Result<Vec<u8>> {
    let col_of =
        |f: fn(&crate::ingest::Reject) -> &str| -> Vec<&str> { rejects.iter().map(f).collect() };
    let mut frame = DataFrame::new(
        rejects.len(),
        vec![
            Column::new("file".into(), col_of(|r| r.file.as_str())),
            Column::new("location".into(), col_of(|r| r.location.as_str())),
            Column::new("raw".into(), col_of(|r| r.raw.as_str())),
            Column::new("reason".into(), col_of(|r| r.reason.as_str())),
        ],
    )
    .map_err(internal("listing rejects"))?;
    output::csv_bytes(&mut frame, "rejects")
}

/// Fails with exit code 2 when a source's rejected share is over the threshold, else warns
/// about every source with rejects.
pub fn check(setup: &Setup, records: &[Record], names: &[Option<String>]) -> Result<()> {
    let share = |c: &RowCounts| c.rejected as f64 / c.rows_read.max(1) as f64;
    let line = |r: &Record, file: &Option<String>| {
        format!(
            "{}: {} of {} rows rejected ({:.1}%); reasons in {}",
            r.source.given,
            r.counts.rejected,
            r.counts.rows_read,
            100.0 * share(&r.counts),
            setup
                .out_dir
                .join(file.as_deref().unwrap_or("rejects"))
                .display()
        )
    };
    let max_share = setup.plan.screening.max_reject_share;
    let over: Vec<String> = records
        .iter()
        .zip(names)
        .filter(|(r, _)| r.counts.rows_read > 0 && share(&r.counts) > max_share)
        .map(|(r, file)| line(r, file))
        .collect();
    if !over.is_empty() {
        return Err(Error::Rejected {
            sources: over,
            max_share,
        });
    }
    for (r, file) in records.iter().zip(names).filter(|(_, f)| f.is_some()) {
        setup.log.warn("ingest", &line(r, file));
    }
    Ok(())
}

/// The error when no event is left, after writing the rejects: per source what became of its
/// rows, the commonest reject reason and where the rejects file is, so "no events" never
/// hides that every row was refused.
pub fn no_events(setup: &Setup, records: &[Record], as_of: Option<NaiveDate>) -> Error {
    let names = match write(setup, records) {
        Ok(names) => names,
        Err(e) => return e,
    };
    let lines: Vec<String> = records
        .iter()
        .zip(&names)
        .map(|(r, file)| source_line(setup, r, file))
        .collect();
    let rejected: u64 = records.iter().map(|r| r.counts.rejected).sum();
    let message = match as_of {
        Some(d) if rejected == 0 => format!("no events on or before the as-of day {d}"),
        _ if rejected > 0 => {
            "no events are left: every row the sources hold was rejected or excluded".to_string()
        }
        _ => "the sources hold no events".to_string(),
    };
    Error::Usage {
        message: format!("{message}\n  {}", lines.join("\n  ")),
        help: if rejected > 0 {
            "correct the rows the rejects file lists (or the source's settings: columns, actions, timezone), then run again".into()
        } else {
            "check the source paths in the pipeline file, or choose a later --as-of".into()
        },
    }
}

/// What became of one source's rows, its commonest reject reason and its rejects file.
fn source_line(setup: &Setup, r: &Record, file: &Option<String>) -> String {
    let c = &r.counts;
    let mut line = format!(
        "{}: {} rows read, {} rejected, {} excluded, {} duplicates, {} already stored",
        r.source.given, c.rows_read, c.rejected, c.excluded, c.duplicates, c.already_stored
    );
    let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
    for reject in &r.batch.rejects {
        *reasons.entry(reject.reason.as_str()).or_insert(0) += 1;
    }
    if let Some((reason, n)) = reasons.iter().max_by_key(|(_, n)| **n) {
        line.push_str(&format!("; most often \"{reason}\" ({n})"));
    }
    if let Some(file) = file {
        line.push_str(&format!(
            "; every reject in {}",
            setup.out_dir.join(file).display()
        ));
    }
    line
}

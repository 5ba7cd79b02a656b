//! Screening one source's rows before they are combined: events of accounts the pipeline
//! names as systems are excluded, and rows dated in implausible years are rejected. Both are
//! counted on the source's batch, so nothing leaves without a trace in the manifest.

use polars::prelude::*;

use super::usage;
use crate::error::internal;
use crate::error::Result;
use crate::ingest::{Batch, Reject};
use crate::vocabulary::event;

/// Screens a source: its events in place on `batch`, and its usage counts, returned. `file` is
/// the source as the pipeline names it, for the rejects.
pub fn screen_source(
    batch: &mut Batch,
    accounts: &DataFrame,
    usage: Option<DataFrame>,
    exclude: &[String],
    file: &str,
) -> Result<Option<DataFrame>> {
    exclude_accounts(batch, accounts, exclude)?;
    let (events, implausible) = reject_implausible_years(
        std::mem::take(&mut batch.events),
        col(event::OCCURRED_AT).dt().year(),
        lit("event_id ") + col(event::EVENT_ID),
        col(event::OCCURRED_AT).cast(DataType::String),
        file,
    )?;
    batch.events = events;
    batch.rejects.extend(implausible);
    let Some(mut usage) = usage else {
        return Ok(None);
    };
    exclude_usage_accounts(batch, &mut usage, exclude)?;
    let (usage, implausible) = reject_implausible_years(
        usage,
        col(usage::WINDOW_END).dt().year(),
        lit("account ") + col(usage::ACCOUNT),
        col(usage::WINDOW_END).cast(DataType::String),
        file,
    )?;
    batch.rejects.extend(implausible);
    Ok(Some(usage))
}

// Outside the plausible years a timestamp is taken to be wrong (a typo, a zero date, seconds
// read as milliseconds) and the row is rejected, which also keeps the calendar a sensible size.
use crate::vocabulary::YEARS;

/// Splits off the rows whose `year` falls outside [`YEARS`] as rejects of `file`, located by
/// `location` (text) and showing `raw` (text).
fn reject_implausible_years(
    frame: DataFrame,
    year: Expr,
    location: Expr,
    raw: Expr,
    file: &str,
) -> Result<(DataFrame, Vec<Reject>)> {
    let year = year.cast(DataType::Int32);
    let bad = year
        .clone()
        .lt(lit(*YEARS.start()))
        .or(year.gt(lit(*YEARS.end())))
        .fill_null(lit(false));
    let marked = frame
        .lazy()
        .with_column(bad.alias("__implausible"))
        .collect()
        .map_err(internal("checking timestamps"))?;
    let hits = marked
        .clone()
        .lazy()
        .filter(col("__implausible"))
        .select([location.alias("__where"), raw.alias("__raw")])
        .collect()
        .map_err(internal("checking timestamps"))?;
    let listing = || internal("checking timestamps");
    let places = hits
        .column("__where")
        .and_then(|c| c.str().cloned())
        .map_err(listing())?;
    let raws = hits
        .column("__raw")
        .and_then(|c| c.str().cloned())
        .map_err(listing())?;
    let rejects = places
        .iter()
        .zip(raws.iter())
        .map(|(w, r)| Reject {
            file: file.to_string(),
            location: w.unwrap_or("").to_string(),
            raw: crate::ingest::shorten(r.unwrap_or("")),
            reason: format!("date outside the years {}-{}", YEARS.start(), YEARS.end()),
        })
        .collect();
    let kept = marked
        .lazy()
        .filter(col("__implausible").not())
        .drop(cols(["__implausible"]))
        .collect()
        .map_err(internal("checking timestamps"))?;
    Ok((kept, rejects))
}

/// The account ids `exclude_accounts` names, directly or by the account's email in
/// `accounts` (the source's user list).
/// Emails among them are also listed in lower case, the form an account that is an email is
/// compared in.
pub fn excluded_accounts(accounts: &DataFrame, excluded: &[String]) -> Result<Vec<String>> {
    let mut ids: Vec<String> = excluded.iter().map(|e| e.trim().to_string()).collect();
    ids.extend(
        excluded
            .iter()
            .filter(|e| e.contains('@'))
            .map(|e| e.trim().to_lowercase()),
    );
    if excluded.is_empty() || accounts.height() == 0 {
        return Ok(ids);
    }
    let lowered: Vec<String> = excluded.iter().map(|e| e.trim().to_lowercase()).collect();
    let by_email = accounts
        .clone()
        .lazy()
        .filter(
            col("email")
                .str()
                .to_lowercase()
                .is_in(lit(Series::new("x".into(), lowered)).implode(false), false),
        )
        .select([col("account")])
        .collect()
        .map_err(internal("matching excluded accounts"))?;
    if let Ok(found) = by_email.column("account").and_then(|c| c.str().cloned()) {
        ids.extend(found.iter().flatten().map(str::to_string));
    }
    Ok(ids)
}

/// Whether `account` is one `exclude_accounts` names: an account id exactly as written (ids
/// such as Slack's are case-sensitive), or an email (an entry with `@`) in any case, the one
/// rule by which engage compares emails everywhere (README, "Identities").
fn named(account: Expr, ids: Vec<String>, excluded: &[String]) -> Expr {
    let emails: Vec<String> = excluded
        .iter()
        .filter(|e| e.contains('@'))
        .map(|e| e.trim().to_lowercase())
        .collect();
    let ids: Vec<String> = ids.into_iter().map(|i| i.trim().to_string()).collect();
    account
        .clone()
        .is_in(lit(Series::new("ids".into(), ids)).implode(false), false)
        .or(account.str().to_lowercase().is_in(
            lit(Series::new("emails".into(), emails)).implode(false),
            false,
        ))
        .fill_null(lit(false))
}

/// Drops the events of accounts the pipeline names in `exclude_accounts` (by account id or by
/// the account's email), counting them as excluded.
fn exclude_accounts(batch: &mut Batch, accounts: &DataFrame, excluded: &[String]) -> Result<()> {
    if excluded.is_empty() || batch.events.height() == 0 {
        return Ok(());
    }
    let ids = excluded_accounts(accounts, excluded)?;
    let is_excluded = named(col(event::ACTOR), ids, excluded);
    let before = batch.events.height();
    batch.events = std::mem::take(&mut batch.events)
        .lazy()
        .filter(is_excluded.not())
        .collect()
        .map_err(internal("excluding accounts"))?;
    let dropped = (before - batch.events.height()) as u64;
    if dropped > 0 {
        *batch.excluded.entry("excluded account".into()).or_insert(0) += dropped;
    }
    Ok(())
}
/// Drops the usage rows of accounts the pipeline names in `exclude_accounts`.
fn exclude_usage_accounts(
    batch: &mut Batch,
    usage: &mut DataFrame,
    excluded: &[String],
) -> Result<()> {
    if excluded.is_empty() || usage.height() == 0 {
        return Ok(());
    }
    let hit = named(col(usage::ACCOUNT), excluded.to_vec(), excluded);
    let before = usage.height();
    *usage = std::mem::take(usage)
        .lazy()
        .filter(hit.not())
        .collect()
        .map_err(internal("excluding accounts"))?;
    let dropped = (before - usage.height()) as u64;
    if dropped > 0 {
        *batch.excluded.entry("excluded account".into()).or_insert(0) += dropped;
    }
    Ok(())
}

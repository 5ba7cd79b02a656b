//! The event-scale step on Apache Spark. A run's queries over events (`normalize::Events::
//! gather`) each hand a small table to the rest of the run; this module writes a PySpark job
//! that computes the same tables with Spark SQL over the same Parquet store (`job.rs`), reads
//! those tables back for `engage run --aggregates` (`handoff.rs`), and submits the job for
//! `engage run --engine spark` (`submit.rs`). The job's settings are baked into it and
//! written beside its tables, so tables made with other settings are refused, never mixed.
//!
//! What each file holds: the event-scale step on Apache Spark. `mod.rs`: `Settings`, everything the
//! handed-on tables depend on besides the events (time zone, period kind, windows, as-of cut-off,
//! the roster's ids and emails, the identity map, the prefixed sources, the leaders), and
//! `describe`, the lines printed at the top of the job and compared when its tables are read back.
//! `job.rs`: the PySpark file, one Spark SQL statement per table of `vocabulary::handoff`, each
//! written to give what the local engine's query gives when one part holds every period.
//! `handoff.rs`: reads the job's Parquet folders back (marker files ignored, rows sorted), refuses
//! tables made with other settings or an unfinished job. `submit.rs`: runs `[spark] submit`,
//! Spark's output to `.spark/spark.log`, and names a missing program or a failed job. Imports the
//! plan, normalize and metrics; only the walk imports it

pub mod handoff;
pub mod job;
pub mod submit;

use chrono::NaiveDate;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{internal, Result};
use crate::metrics::network;
use crate::normalize::{identity, periods};
use crate::plan::{Plan, Windows};
use crate::vocabulary::{accounts, person, PeriodKind};

/// The layout of the tables the job writes; a change to it changes this number, so tables
/// of an older job are refused rather than misread.
pub const FORMAT: u32 = 2;

/// Everything the job's tables depend on besides the events: what `engage spark-job` bakes
/// into the job and `engage run --aggregates` checks against the pipeline it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub pipeline: String,
    pub timezone: chrono_tz::Tz,
    pub period: PeriodKind,
    pub windows: Windows,
    pub as_of: Option<NaiveDate>,
    /// Events at or after this instant (µs since the epoch, UTC) are left out.
    pub cutoff: Option<i64>,
    pub identity: Identity,
    /// The roster's leaders and managers, whose content's viewers leader reach counts.
    pub leaders: Vec<String>,
    /// Whether the pipeline has a `[[campaign]]`: only then does the job count activity per
    /// week (`activity_per_week`), a pass over the events no other figure needs.
    pub weeks: bool,
}

/// What identity resolution needs besides the store: the roster's ids and emails, the
/// identity map and the sources whose unmapped accounts are prefixed (see
/// `normalize::identity`). The store's own `accounts` table gives the accounts' emails.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub roster: bool,
    pub ids: Vec<String>,
    /// `email, person_id`, as `identity::roster_emails` matches them.
    pub emails: Vec<[String; 2]>,
    /// `source, account, person_id`.
    pub map: Vec<[String; 3]>,
    pub prefixed: Vec<String>,
}

impl Settings {
    /// The settings of `plan` with its roster and identity map, cut off after `as_of`.
    pub fn new(
        plan: &Plan,
        roster: Option<&DataFrame>,
        identity_map: Option<&DataFrame>,
        as_of: Option<NaiveDate>,
    ) -> Result<Settings> {
        let tz = plan.calendar.timezone;
        let fail = || internal("listing the settings of the Spark job");
        let strings = |frame: &DataFrame, column: &str| -> Result<Vec<String>> {
            let values = frame.column(column).map_err(fail())?;
            let values = values.str().map_err(fail())?;
            Ok(values.iter().map(|v| v.unwrap_or("").to_string()).collect())
        };
        let (ids, emails, leaders) = match roster {
            Some(r) => {
                let emails = identity::roster_emails(r).collect().map_err(fail())?;
                let leaders = network::leaders(r.clone().lazy())
                    .collect()
                    .map_err(fail())?;
                let pairs = strings(&emails, "__email")?
                    .into_iter()
                    .zip(strings(&emails, accounts::PERSON)?)
                    .map(|(e, p)| [e, p])
                    .collect();
                (
                    strings(r, person::PERSON_ID)?,
                    pairs,
                    strings(&leaders, person::PERSON_ID)?,
                )
            }
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        let map = match identity_map {
            Some(m) => {
                let (s, a, p) = (
                    strings(m, accounts::SOURCE)?,
                    strings(m, accounts::ACCOUNT)?,
                    strings(m, accounts::PERSON)?,
                );
                s.into_iter()
                    .zip(a)
                    .zip(p)
                    .map(|((s, a), p)| [s, a, p])
                    .collect()
            }
            None => Vec::new(),
        };
        Ok(Settings {
            pipeline: plan.pipeline.name.clone(),
            timezone: tz,
            period: plan.calendar.period,
            windows: plan.metrics.windows,
            as_of,
            cutoff: as_of.map(|d| periods::end_of_day_utc_micros(d, tz)),
            identity: Identity {
                roster: roster.is_some(),
                ids,
                emails,
                map,
                prefixed: plan.inputs.prefixed(),
            },
            leaders,
            weeks: !plan.metrics.campaigns.is_empty(),
        })
    }

    /// The settings as lines for people: printed at the top of the job and by the job when it
    /// runs, and compared, line by line, when its tables are read back.
    pub fn describe(&self) -> String {
        let id = &self.identity;
        let listed = |what: &str, n: usize, digest: String| match n {
            0 => format!("{what}: none"),
            _ => format!("{what}: {n} (sha256 {digest})"),
        };
        let events = match (self.as_of, self.cutoff) {
            (Some(d), Some(c)) => format!(
                "up to the end of {d} in the time zone (occurred_at before {c} microseconds since 1970, UTC)"
            ),
            _ => "all the store holds".into(),
        };
        let prefixed = match id.prefixed.is_empty() {
            true => "none".to_string(),
            false => id.prefixed.join(", "),
        };
        [
            format!("format: {FORMAT}"),
            format!("pipeline: {}", self.pipeline),
            format!("time zone: {}", self.timezone.name()),
            format!("periods: {}", self.period.as_str()),
            format!("events: {events}"),
            format!("reply window: {} hours", self.windows.reply_hours),
            format!("reach window: {} days", self.windows.reach_days),
            format!("roster: {}", if id.roster { "yes" } else { "none" }),
            listed("roster ids", id.ids.len(), digest(id.ids.iter())),
            listed(
                "roster emails",
                id.emails.len(),
                digest(id.emails.iter().map(|r| r.join("\t"))),
            ),
            listed(
                "identity map rows",
                id.map.len(),
                digest(id.map.iter().map(|r| r.join("\t"))),
            ),
            format!("sources whose unmapped accounts are prefixed: {prefixed}"),
            listed(
                "leaders and managers",
                self.leaders.len(),
                digest(self.leaders.iter()),
            ),
            format!(
                "activity per week (for campaigns): {}",
                if self.weeks { "yes" } else { "no" }
            ),
        ]
        .join("\n")
    }
}

/// The SHA-256 of lines, for a list too long to print.
fn digest<S: AsRef<str>>(lines: impl Iterator<Item = S>) -> String {
    let mut hash = Sha256::new();
    for line in lines {
        hash.update(line.as_ref().as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

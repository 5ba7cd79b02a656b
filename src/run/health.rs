//! The health leg (issue #37, README "Health checks"): between reading tonight's delivery and
//! merging it into the store, each source's delivery is set beside the store's history and
//! the last passing run's figures (`normalize::health`), so a broken feed is named before it
//! is stored. Flags go to the log as they are found (JSON lines carry a stable `check`), and
//! to the manifest and the report; with `on_flag = "stop"` the run ends here, the store and
//! yesterday's report untouched.

use chrono::NaiveDate;
use polars::prelude::*;

use super::setup::Setup;
use crate::error::{internal, Error, Result};
use crate::normalize::health::{self, Finding, History, Reference, SourceReference, Status};
use crate::plan::{OnFlag, SourceKind, SourcePlan};
use crate::store::{Catalogue, Store};
use crate::vocabulary::{event, Attribute};

/// What the checks found, and what a passing night leaves for the next one.
pub struct Checked {
    pub findings: Vec<Finding>,
    pub on_flag: OnFlag,
    /// `--accept-health`: the flags are reported, but neither stop nor fail the run.
    pub accepted: bool,
    next: Reference,
    known: DataFrame,
    tonight: DataFrame,
}

impl Checked {
    pub fn flagged(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Flag)
            .collect()
    }

    /// Keeps tonight's accounts and the next reference in the store, once the delivery is in it.
    pub fn keep(&self, store: &Store) -> Result<()> {
        store.remember_actors(&self.known, &self.tonight)?;
        store.put_health_reference(&self.next)
    }
}

/// One source as the checks see it: its settings, tonight's tally, and its rows.
pub struct Source<'a> {
    pub plan: &'a SourcePlan,
    pub delivery: Option<&'a health::Delivery>,
    pub rejected: u64,
    pub rows_read: u64,
}

/// The checks of every source and the roster. `accept` makes tonight's figures the reference
/// whatever they are (`--accept-health`).
pub fn check(
    setup: &Setup,
    (store, catalogue): (&Store, &Catalogue),
    sources: &[Source],
    roster: Option<&DataFrame>,
    as_of: NaiveDate,
    accept: bool,
) -> Result<Checked> {
    let plan = &setup.plan;
    let bounds = &plan.health;
    let tz = plan.calendar.timezone;
    let known = store.known_actors(catalogue)?;
    let before = store.health_reference()?;
    let mut findings = Vec::new();
    let mut tonight = Vec::new();
    let mut actors = Vec::new();
    for source in sources {
        let name = source.plan.label.as_str();
        let Some(delivery) = source.delivery else {
            continue;
        };
        if source.plan.kind == SourceKind::M365Usage {
            findings.push(health::usage_source(name));
            continue;
        }
        let history = history(store, catalogue, &known, delivery, name, as_of, tz)?;
        let input = health::SourceInput {
            name,
            max_age_days: source.plan.max_age_days.unwrap_or(bounds.max_age_days),
            delivery,
            history: &history,
            rejects: (source.rejected, source.rows_read),
            reference: before.sources.get(name),
        };
        let found = health::check_source(&input, as_of, bounds);
        tonight.push((name.to_string(), reference_of(&found, delivery, &input)));
        findings.extend(found);
        if let Some(a) = &delivery.actors {
            actors.push(a.clone().lazy());
        }
    }
    let roster = match roster {
        Some(people) => {
            let attributes: Vec<String> = Attribute::ALL
                .iter()
                .map(|a| a.column().to_string())
                .collect();
            health::roster_groups(people, &attributes)
                .map_err(internal("sizing the roster's groups"))?
        }
        None => Default::default(),
    };
    let min = plan.privacy.min_group_size as u64;
    findings.extend(health::check_roster(&roster, &before.roster, bounds, min));
    let next = health::next_reference(&before, &tonight, &roster, &findings, accept);
    let tonight = if actors.is_empty() {
        known.clear()
    } else {
        concat(actors, UnionArgs::default())
            .and_then(|l| l.collect())
            .map_err(internal("listing tonight's accounts"))?
    };
    for f in &findings {
        log(setup, f);
    }
    Ok(Checked {
        findings,
        on_flag: bounds.on_flag,
        accepted: accept,
        next,
        known,
        tonight,
    })
}

/// What the store held of one source before tonight.
fn history(
    store: &Store,
    catalogue: &Catalogue,
    known: &DataFrame,
    delivery: &health::Delivery,
    name: &str,
    as_of: NaiveDate,
    tz: chrono_tz::Tz,
) -> Result<History> {
    let mut labels = delivery.labels.clone();
    if labels.is_empty() {
        labels.push(name.to_string());
    }
    let mine = lit(Series::new("labels".into(), labels.clone())).implode(false);
    let known_here = known
        .clone()
        .lazy()
        .filter(col(event::SOURCE).is_in(mine, false));
    let held = known_here
        .clone()
        .select([len().alias("n")])
        .collect()
        .map_err(internal("counting the store's accounts"))?
        .column("n")
        .ok()
        .and_then(|c| c.get(0).ok())
        .and_then(|v| v.extract::<u64>())
        .unwrap_or(0)
        > 0;
    let unseen = match &delivery.actors {
        Some(tonight) => tonight
            .clone()
            .lazy()
            .join(
                known_here,
                [col(event::SOURCE), col(event::ACTOR)],
                [col(event::SOURCE), col(event::ACTOR)],
                JoinArgs::new(JoinType::Anti),
            )
            .collect()
            .map_err(internal("finding accounts unseen before"))?
            .height() as u64,
        None => 0,
    };
    let by_day = store.counts(catalogue, &labels, health::history_days(as_of), tz, false)?;
    let months = health::whole_months(delivery);
    let by_month = match (months.first(), months.last()) {
        (Some(first), Some(last)) => {
            let end = last
                .checked_add_months(chrono::Months::new(1))
                .map_or(*last, |d| d - chrono::Duration::days(1));
            store.counts(catalogue, &labels, (*first, end), tz, true)?
        }
        _ => Default::default(),
    };
    Ok(History {
        by_day,
        by_month,
        held,
        unseen,
    })
}

/// Tonight's figures, as the next run would compare with them.
fn reference_of(
    found: &[Finding],
    delivery: &health::Delivery,
    input: &health::SourceInput,
) -> SourceReference {
    let judged = |check| {
        found
            .iter()
            .find(|f| f.check == check)
            .filter(|f| f.status != Status::Skip || f.why == Some(health::Why::NoHistory))
            .is_some()
    };
    let acting = delivery.actors.as_ref().map_or(0, |a| a.height() as u64);
    SourceReference {
        actions: if judged(health::Check::ActionShare) {
            health::shares(&delivery.by_action)
        } else {
            Default::default()
        },
        new_accounts: (input.history.held && acting > 0 && judged(health::Check::NewAccounts))
            .then(|| input.history.unseen as f64 / acting as f64),
        reject_share: (input.rejects.1 > 0)
            .then(|| input.rejects.0 as f64 / input.rejects.1 as f64),
    }
}

/// One finding in the log: a flag as a warning, the rest as information; JSON lines carry the
/// check's stable name, the source, the figure and its bound.
fn log(setup: &Setup, f: &Finding) {
    let figure = |x: Option<f64>| x.map_or("none".to_string(), |x| format!("{x:.3}"));
    let result = match f.status {
        Status::Pass => format!("passed: {} within {:.3}", figure(f.figure), f.bound),
        Status::Flag => format!("FLAGGED: {} beyond {:.3}", figure(f.figure), f.bound),
        Status::Skip => format!(
            "not judged ({})",
            serde_json::to_value(f.why)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        ),
    };
    let against = f
        .against
        .map(|a| format!(", against {a:.3}"))
        .unwrap_or_default();
    let subject = if f.subject.is_empty() {
        String::new()
    } else {
        format!(" ({})", f.subject)
    };
    let message = format!(
        "{} of {}{subject}: {result}{against}",
        f.check.as_str(),
        f.source
    );
    let fields = serde_json::to_value(f).unwrap_or_default();
    let level = match f.status {
        Status::Flag => crate::log::Level::Warn,
        _ => crate::log::Level::Info,
    };
    setup.log.emit_fields(level, "health", &message, &fields);
}

/// The error a flagged night ends with: exit 3, after publishing (`warn`) or before merging
/// (`stop`).
pub fn failure(checked: &Checked, stopped: bool) -> Option<Error> {
    let flagged = checked.flagged();
    if flagged.is_empty() || checked.accepted {
        return None;
    }
    Some(Error::Unhealthy {
        flags: flagged
            .iter()
            .map(|f| {
                format!(
                    "{} of {}{}",
                    f.check.as_str(),
                    f.source,
                    if f.subject.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", f.subject)
                    }
                )
            })
            .collect(),
        stopped,
    })
}

/// After a `warn` night is published: exit 3 if a check flagged a feed (and it was not
/// accepted).
pub fn published(checked: Option<&Checked>) -> Result<()> {
    match checked.and_then(|c| failure(c, false)) {
        Some(broken) => Err(broken),
        None => Ok(()),
    }
}

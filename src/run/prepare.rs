//! The second leg: the sources' rows become the events a run computes from. Combined and
//! deduplicated (every input's rows accounted for), kept in the store when the pipeline has
//! one, placed in local days and periods, accounts resolved to people, and the calendar and
//! the population (who is in headcount each period) decided.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use super::read::{Inputs, Small};
use super::setup::Setup;
use crate::error::{internal, Result};
use crate::metrics::lifecycle;
use crate::normalize::periods::{self, Period};
use crate::normalize::{self, identity, population, usage, Events, PERIOD_KEY};
use crate::render::words::Language;
use crate::spark;
use crate::store::{Catalogue, Merged, Partials, Spill, Store};
use crate::vocabulary::notes::{Note, Say};
use crate::vocabulary::{activity as a, event, handoff, PeriodKind};

/// Events per part of a store run: months are grouped up to this many, so that a query's
/// state stays near a gigabyte while small stores run as one part (each part costs a query).
const PART_ROWS: u64 = 10_000_000;

/// Whether a run checks its delivery's health before merging it (`engage ingest` does not).
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    /// Tonight's figures become the reference whatever they are (`--accept-health`).
    pub accept: bool,
}

/// Today in the pipeline's time zone: the as-of day of a run given none.
fn today(tz: chrono_tz::Tz) -> NaiveDate {
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// Where a run keeps its events: the pipeline's store, or a working store of its own in the
/// output folder, and the spill the sources' events wait in until they are merged into it.
pub struct Place {
    pub store: PathBuf,
    /// A run without a store of its own: the working store, removed when dropped.
    working: Option<tempfile::TempDir>,
    pub spill: Spill,
}

/// The events and usage counts to compute from, accounts as the sources name them.
pub struct Kept {
    pub events: Events,
    pub usage: Option<DataFrame>,
    /// Every source's accounts (with a store: every account it has seen).
    pub accounts: DataFrame,
    /// The working store of a run without a store of its own, removed when dropped.
    pub working: Option<tempfile::TempDir>,
    pub engine: Engine,
}

/// Where the steps that grow with events ran, for the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Engine {
    /// `local` or `spark`.
    pub engine: &'static str,
    /// The folder the Spark job's tables were read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables: Option<String>,
    /// The command this run submitted the job with (not set for `--aggregates`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_with: Option<Vec<String>>,
}

/// What adding the sources to the store did (`engage ingest` stops here), and the store's
/// usage counts and accounts after it, which a run computes from.
pub struct Added {
    pub store: PathBuf,
    pub events_added: u64,
    usage: Option<DataFrame>,
    accounts: DataFrame,
    /// The store's months as checked and merged.
    catalogue: Catalogue,
}

/// The periods of the report: the calendar's rows and the same as a table.
pub struct Calendar {
    pub periods: Vec<Period>,
    /// `period_key, period, period_start, period_end`.
    pub frame: LazyFrame,
}

/// The events ready to measure, and who and when they cover.
pub struct Prepared {
    /// Local day and period placed, accounts resolved to people, each part told the periods it
    /// holds alone.
    pub events: Events,
    /// Usage counts with `person` and `period_key`.
    pub usage: Option<LazyFrame>,
    pub calendar: Calendar,
    /// `person, period_key`: who is in headcount.
    pub population: LazyFrame,
    pub basis: population::Basis,
    /// Each person's first active period anywhere in the data, for lifecycle and cohorts.
    pub first: DataFrame,
    /// Accounts that match nobody on the roster, with their events.
    pub unresolved: Option<DataFrame>,
    pub n_events: u64,
    /// Set when a handful of events lie far from the rest and stretch the calendar.
    pub span_note: Option<Note>,
    /// The roster, if the pipeline has one.
    pub roster: Option<DataFrame>,
    /// Where the steps that grow with events ran.
    pub engine: Engine,
    /// The working store the events are read from, for a run without a store: held until
    /// the run ends.
    _working: Option<tempfile::TempDir>,
}

impl Prepared {
    /// The roster as a query, if the pipeline has one.
    pub fn roster(&self) -> Option<LazyFrame> {
        self.roster.clone().map(DataFrame::lazy)
    }

    /// Whether the roster gives `column` for anyone.
    pub fn roster_gives(&self, column: &str) -> Result<bool> {
        let Some(r) = &self.roster else {
            return Ok(false);
        };
        let given = r.column(column).map_err(internal("reading the roster"))?;
        Ok(given.is_not_null().sum().unwrap_or(0) > 0)
    }
}

/// Where the run keeps its events (see [`Place`]), ready before any input is read.
pub fn place(setup: &Setup) -> Result<Place> {
    let (store, working) = match &setup.plan.output.store {
        Some(dir) => (dir.clone(), None),
        None => {
            let working = working_store(setup)?;
            (working.path().to_path_buf(), Some(working))
        }
    };
    let spill = Spill::open(&store, setup.plan.inputs.sources.len())?;
    Ok(Place {
        store,
        working,
        spill,
    })
}

/// Merges the spilled events and the usage counts into the store, once the store is checked
/// against its catalogue (and `--rebuild-month`'s months emptied): repeats of an event id
/// dropped in any month (the stored event first, then the earliest month's, then the first
/// input's), and without a store of its own, what lies after the as-of day. Completes each record's row accounting and records the
/// roster and identity map the store was last built with.
pub fn store(
    setup: &Setup,
    place: &Place,
    inputs: &mut Inputs,
    as_of: Option<NaiveDate>,
    rebuild: &[String],
    health: Option<Checks>,
) -> Result<Added> {
    // A store keeps everything the exports hold; --as-of applies when computing.
    let cut = place.working.is_some();
    let cutoff = as_of
        .filter(|_| cut)
        .map(|d| periods::end_of_day_utc_micros(d, setup.plan.calendar.timezone));
    let store = match place.working {
        Some(_) => Store::open(&place.store)?.passing(),
        None => Store::open(&place.store)?,
    };
    // Checked before anything is merged into it: a damaged month is never merged into.
    let mut catalogue = store.checked(rebuild)?;
    for month in rebuild {
        setup.log.warn(
            "store",
            &format!(
                "month {month} emptied, to be filled from this run's sources (--rebuild-month)"
            ),
        );
    }
    let checked = check_health(setup, place, (&store, &catalogue), inputs, as_of, health)?;
    let merged = store.merge(&place.spill, cutoff, &mut catalogue)?;
    if let Some(checked) = &checked {
        checked.keep(&store)?;
    }
    inputs.health = checked;
    let usage_tables = std::mem::take(&mut inputs.usage);
    let (usage, usage_counts) = usage::combine(&usage_tables, as_of.filter(|_| cut))?;
    // A source gives events or usage counts, so one of the two counts is zero.
    for (i, (record, u)) in inputs.records.iter_mut().zip(&usage_counts).enumerate() {
        let late = merged.late.get(i).copied().unwrap_or(0);
        let (duplicates, already_stored, accepted) = merged.counts(i);
        record.late = late + u.excluded;
        record.counts.accepted = accepted + u.accepted;
        record.counts.already_stored = already_stored;
        record.counts.duplicates = duplicates + u.duplicates;
        record.counts.excluded += record.late;
    }
    let usage_key = [
        usage::SOURCE,
        usage::ACCOUNT,
        usage::WINDOW_END,
        usage::WINDOW_DAYS,
    ];
    let usage = match &usage {
        Some(u) => Some(store.merge_table("usage", u, &usage_key)?),
        None => store.table("usage")?,
    };
    let accounts = all_accounts(&inputs.accounts)?;
    let accounts = store.merge_table("accounts", &accounts, &["source", "account"])?;
    if let Some((roster, _)) = &inputs.small.people {
        store.put_table("people", roster)?;
    }
    if let Some((map, _)) = &inputs.small.identities {
        store.put_table("identities", map)?;
    }
    if let Some(read) = inputs.terms.take() {
        inputs.terms = Some(super::bodies::keep(setup, &store, read)?);
    }
    if merged.index_rebuilt {
        setup.log.info(
            "store",
            "the index of event ids was built from the store's months (a store from before the index, a rebuilt month, or a run stopped while writing)",
            &[],
        );
    }
    log_added(setup, place, &merged);
    crate::checkpoint::reached("store-ingested");
    Ok(Added {
        store: place.store.clone(),
        events_added: merged.events_added(),
        usage,
        accounts,
        catalogue,
    })
}

/// The health leg (`health.rs`) on a pipeline that keeps a store, before tonight's delivery is
/// merged: with `on_flag = "stop"` a flag ends the run here, the store untouched.
fn check_health(
    setup: &Setup,
    place: &Place,
    (store, catalogue): (&Store, &Catalogue),
    inputs: &Inputs,
    as_of: Option<NaiveDate>,
    health: Option<Checks>,
) -> Result<Option<super::health::Checked>> {
    let Some(checks) = health.filter(|_| place.working.is_none() && setup.plan.health.enabled)
    else {
        return Ok(None);
    };
    let day = as_of.unwrap_or_else(|| today(setup.plan.calendar.timezone));
    let sources: Vec<super::health::Source> = inputs
        .records
        .iter()
        .map(|r| super::health::Source {
            plan: &r.source,
            delivery: r.delivery.as_ref(),
            rejected: r.counts.rejected,
            rows_read: r.counts.rows_read,
        })
        .collect();
    let roster = inputs.small.people.as_ref().map(|(p, _)| p);
    let checked = super::health::check(
        setup,
        (store, catalogue),
        &sources,
        roster,
        day,
        checks.accept,
    )?;
    if checked.on_flag == crate::plan::OnFlag::Stop {
        if let Some(stop) = super::health::failure(&checked, true) {
            return Err(stop);
        }
    }
    Ok(Some(checked))
}

fn log_added(setup: &Setup, place: &Place, merged: &Merged) {
    let dir = place.store.display();
    setup.log.info(
        "store",
        &match place.working {
            None => format!("added to {dir}"),
            Some(_) => format!(
                "added to the working store {dir} (this run's events alone, removed when it ends)"
            ),
        },
        &[
            ("events_added", merged.events_added()),
            ("already_stored", merged.already_stored()),
            ("partitions_written", merged.partitions.len() as u64),
        ],
    );
}

/// The events to compute from, read a part at a time from the store: everything it holds up
/// to the as-of day (for a working store, this run's events).
pub fn keep(setup: &Setup, place: Place, added: Added, as_of: Option<NaiveDate>) -> Result<Kept> {
    let store = Store::open(&added.store)?;
    let cutoff = as_of.map(|d| periods::end_of_day_utc_micros(d, setup.plan.calendar.timezone));
    let last_month = cutoff.map(|c| {
        let t = chrono::DateTime::from_timestamp_micros(c - 1).unwrap_or_default();
        t.year() * 12 + t.month0() as i32
    });
    // Merged: the spilled files go now.
    drop(place.spill);
    // Not read here: each query over the events reads the partitions it needs, a batch at a
    // time, so memory does not grow with the store.
    let parts = store.scan_events(last_month, part_rows(), &added.catalogue)?;
    let events = Events::spanning(parts).before(cutoff);
    // A working store lives for one run: nothing to reuse, so nothing is kept.
    let events = match place.working {
        Some(_) => events,
        None => events.cached(Arc::new(Partials::open(&added.store))),
    };
    Ok(Kept {
        events,
        usage: until(added.usage, as_of)?,
        accounts: added.accounts,
        working: place.working,
        engine: Engine {
            engine: "local",
            tables: None,
            submitted_with: None,
        },
    })
}

/// Usage counts of windows that end by the as-of day.
fn until(usage: Option<DataFrame>, as_of: Option<NaiveDate>) -> Result<Option<DataFrame>> {
    match (usage, as_of) {
        (Some(u), Some(d)) => u
            .lazy()
            .filter(usage::ends_after(d).not())
            .collect()
            .map(Some)
            .map_err(internal("applying --as-of to usage")),
        (u, _) => Ok(u),
    }
}

/// The events' tables as a Spark job wrote them to `dir` (`--aggregates`), checked against
/// the settings of this run.
pub fn handed(setup: &Setup, dir: &Path, as_of: Option<NaiveDate>, small: &Small) -> Result<Kept> {
    let settings = job_settings(&setup.plan, small, as_of)?;
    let handed = spark::handoff::read(dir, &settings)?;
    setup.log.info(
        "spark",
        &format!("computing from the tables in {}", dir.display()),
        &[("tables", handed.tables.len() as u64)],
    );
    Ok(Kept {
        events: Events::handed(handed.tables),
        usage: until(handed.usage, as_of)?,
        accounts: handed.accounts,
        working: None,
        engine: Engine {
            engine: "spark",
            tables: Some(dir.to_string_lossy().into_owned()),
            submitted_with: None,
        },
    })
}

/// The event-scale step on Spark (`--engine spark`): the job written to the output folder's
/// `.spark`, submitted over the store with `[spark] submit`, its tables read back. Spark's
/// output stays in `.spark/spark.log` when the job fails.
pub fn on_spark(
    setup: &Setup,
    place: Place,
    added: Added,
    as_of: Option<NaiveDate>,
    inputs: &Inputs,
) -> Result<Kept> {
    drop(place.spill);
    let work = setup.out_dir.join(".spark");
    let tables = work.join("tables");
    if tables.exists() {
        std::fs::remove_dir_all(&tables).map_err(|source| crate::error::Error::Write {
            path: tables.clone(),
            source,
        })?;
    }
    let job = write_job(&setup.plan, &inputs.small, as_of, &work)?;
    let submit = &setup.plan.spark.submit;
    setup.log.info(
        "spark",
        &format!("submitting {} with `{}`", job.display(), submit.join(" ")),
        &[],
    );
    let store = added.store.to_string_lossy();
    let log = work.join("spark.log");
    spark::submit::run(submit, &job, &store, &tables, &log)?;
    // A submit command that ran no job (a wrapper that ignores its arguments) exits 0 too.
    if !tables.join(crate::vocabulary::handoff::ABOUT).is_dir() {
        return Err(crate::error::Error::Spark {
            message: format!(
                "`{}` finished without error but the job wrote no tables to {}",
                submit.join(" "),
                tables.display()
            ),
            log: Some(log),
            help: "check that [spark] submit runs the job file it is handed with its two arguments (the store and the folder for the tables), as spark-submit does; Spark's output is in the log".into(),
        });
    }
    let kept = handed(setup, &tables, as_of, &inputs.small)?;
    Ok(Kept {
        working: place.working,
        engine: Engine {
            submitted_with: Some(submit.clone()),
            ..kept.engine
        },
        ..kept
    })
}

/// Writes the PySpark job of `plan` as `out/engage_job.py`.
pub fn write_job(
    plan: &crate::plan::Plan,
    small: &Small,
    as_of: Option<NaiveDate>,
    out: &Path,
) -> Result<PathBuf> {
    let settings = job_settings(plan, small, as_of)?;
    std::fs::create_dir_all(out).map_err(|source| crate::error::Error::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let path = out.join("engage_job.py");
    crate::output::write_atomic(&path, spark::job::text(&settings).as_bytes())?;
    Ok(path)
}

fn job_settings(
    plan: &crate::plan::Plan,
    small: &Small,
    as_of: Option<NaiveDate>,
) -> Result<spark::Settings> {
    spark::Settings::new(
        plan,
        small.roster(),
        small.identities.as_ref().map(|m| &m.0),
        as_of,
    )
}

/// Events per part: `PART_ROWS`, or `ENGAGE_PART_ROWS` (for tests that need many parts from
/// little data, and for tuning memory against speed).
fn part_rows() -> u64 {
    std::env::var("ENGAGE_PART_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(PART_ROWS)
}

/// Refuses an as-of day more than a year of periods after the newest event: the report would
/// end with a year or more of periods holding no data at all (`--as-of 2199-12-31` made 2,100),
/// which is a mistyped day or a feed that stopped long ago, never a figure to publish.
fn refuse_empty_year(
    kind: PeriodKind,
    last_seen: i32,
    last: i32,
    as_of: Option<NaiveDate>,
) -> Result<()> {
    let per_year = match kind {
        PeriodKind::Month => 12,
        PeriodKind::Quarter => 4,
        PeriodKind::Week => 53,
    };
    match as_of {
        Some(day) if last - last_seen > per_year => Err(crate::error::Error::Usage {
            message: format!(
                "--as-of {day} lies {} {}s after the newest event: the report would end with them, every one without data",
                last - last_seen,
                kind.as_str()
            ),
            help: "give an as-of day within a year of the newest event (check the day, and that the export is current), or leave --as-of out to end with the newest event's period".into(),
        }),
        _ => Ok(()),
    }
}

/// A store of this run's events alone, in the output folder (beside the outputs, not in a
/// temporary folder that may live in memory), removed when the run ends; one a killed run
/// leaves behind is removed by the next run's clean-up of the output folder.
fn working_store(setup: &Setup) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(".working-store-")
        .tempdir_in(&setup.out_dir)
        .map_err(|source| crate::error::Error::Write {
            path: setup.out_dir.clone(),
            source,
        })
}

/// Places the kept events in periods, resolves accounts and decides the calendar and the
/// population. `None` when no event is left.
pub fn events(
    setup: &Setup,
    mut kept: Kept,
    inputs: &Inputs,
    as_of: Option<NaiveDate>,
) -> Result<Option<Prepared>> {
    let working = kept.working.take();
    let engine = kept.engine.clone();
    let resolved = resolve(setup, kept, &inputs.small)?;
    let seen =
        resolved
            .counted
            .clone()
            .select([col(event::SOURCE), col(event::ACTOR), col(PERIOD_KEY)]);
    let Some((first, last_seen)) = normalize::period_span(seen.clone())? else {
        return Ok(None);
    };
    let kind = setup.plan.calendar.period;
    let last = as_of.map_or(last_seen, |d| periods::key_of_date(kind, d));
    refuse_empty_year(kind, last_seen, last, as_of)?;
    let calendar_periods = periods::range(kind, first, last);
    let span_note = span_warning(&resolved.per_period, kind, &calendar_periods);
    if let Some(w) = &span_note {
        setup.log.warn("normalize", &Language::En.note(w));
    }
    let calendar = Calendar {
        frame: periods::calendar_frame(&calendar_periods)
            .map_err(internal("building the calendar"))?
            .lazy(),
        periods: calendar_periods,
    };
    let (population, basis) = population::of(
        inputs.small.roster(),
        resolved.users,
        seen.clone(),
        calendar.frame.clone(),
    )?;
    // A row per person and period, small next to the events; held so that the event queries
    // join a table rather than re-derive it (the streaming engine cannot run every join it is
    // derived with).
    let population = population
        .collect()
        .map_err(internal("deciding who is in headcount"))?
        .lazy();
    let first = lifecycle::first_activity(seen)
        .collect()
        .map_err(internal("finding first activity"))?;
    let prepared = Prepared {
        events: resolved
            .events
            .owning(&calendar.periods, setup.plan.calendar.timezone),
        usage: resolved.usage.map(DataFrame::lazy),
        calendar,
        population,
        basis,
        first,
        unresolved: resolved.unresolved,
        n_events: resolved.n_events,
        span_note,
        roster: inputs.small.roster().cloned(),
        engine,
        _working: working,
    };
    log_prepared(setup, inputs, &prepared);
    Ok(Some(prepared))
}

fn log_prepared(setup: &Setup, inputs: &Inputs, prepared: &Prepared) {
    setup.log.info(
        "normalize",
        "combined sources and placed events in periods",
        &[
            ("events", prepared.n_events),
            (
                "duplicates",
                inputs.records.iter().map(|r| r.counts.duplicates).sum(),
            ),
            (
                "already_stored",
                inputs.records.iter().map(|r| r.counts.already_stored).sum(),
            ),
            ("periods", prepared.calendar.periods.len() as u64),
        ],
    );
}

/// The events with accounts resolved to people, and who was seen when.
struct Resolved {
    events: Events,
    usage: Option<DataFrame>,
    /// `source, actor, period_key, events`: event actors and usage-report people (a usage row
    /// counts as one event), a row per person and period.
    counted: LazyFrame,
    per_period: Vec<(i32, u64)>,
    users: DataFrame,
    unresolved: Option<DataFrame>,
    n_events: u64,
}

/// Places the events in periods and resolves their accounts (one counted pass lists the
/// accounts to resolve and the events per account and period).
fn resolve(setup: &Setup, kept: Kept, small: &Small) -> Result<Resolved> {
    let plan = &setup.plan;
    let (kind, tz) = (plan.calendar.period, plan.calendar.timezone);
    let events = kept.events.map(&format!("{kind:?}s in {tz}"), |part| {
        normalize::with_periods(part, kind, tz)
    });
    let counted = events
        .gather_each(handoff::ACCOUNTS_COUNTED, |part, _| {
            identity::accounts_counted(part)
        })
        .map_err(internal("listing accounts"))?;
    let n_events = counted
        .iter()
        .map(|c| sum_u64(c, "events"))
        .sum::<Result<u64>>()?;
    let prefixed = plan.inputs.prefixed();
    let resolved = identity::resolve(identity::Inputs {
        events,
        counted,
        usage: kept.usage,
        accounts: kept.accounts,
        roster: small.roster(),
        identity_map: small.identities.as_ref().map(|m| &m.0),
        prefixed: &prefixed,
    })?;
    let usage = resolved
        .usage
        .map(|u| {
            usage::with_periods(u.lazy(), kind)
                .collect()
                .map_err(internal("placing usage in periods"))
        })
        .transpose()?;
    let counted = with_usage(resolved.counted, usage.as_ref())?;
    let unresolved = small
        .roster()
        .map(|roster| identity::unresolved(counted.clone(), roster))
        .transpose()?;
    Ok(Resolved {
        events: resolved.events,
        per_period: normalize::events_per_period(counted.clone())?,
        usage,
        counted,
        users: resolved.users,
        unresolved,
        n_events,
    })
}

/// The events counted per account and period, with each usage row as one event.
fn with_usage(counted: LazyFrame, usage: Option<&DataFrame>) -> Result<LazyFrame> {
    let mut all = vec![counted
        .collect()
        .map_err(internal("listing activity"))?
        .lazy()];
    if let Some(u) = usage {
        all.push(u.clone().lazy().select([
            col(usage::SOURCE).alias(event::SOURCE),
            col(a::PERSON).alias(event::ACTOR),
            col(PERIOD_KEY),
            lit(1u64).cast(DataType::UInt64).alias("events"),
        ]));
    }
    concat(all, UnionArgs::default()).map_err(internal("listing activity"))
}

fn sum_u64(frame: &DataFrame, column: &str) -> Result<u64> {
    let total = frame
        .clone()
        .lazy()
        .select([col(column).sum()])
        .collect()
        .map_err(internal("counting events"))?;
    Ok(total
        .column(column)
        .ok()
        .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
        .unwrap_or(0))
}

/// The accounts of every source in one table.
fn all_accounts(tables: &[DataFrame]) -> Result<DataFrame> {
    concat(
        tables.iter().map(|a| a.clone().lazy()).collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .and_then(|l| l.collect())
    .map_err(internal("listing accounts"))
}

/// A warning when a handful of events lie far from the rest and stretch the report over
/// empty periods: how many, where, and the span they give the report.
pub fn span_warning(
    per_period: &[(i32, u64)],
    kind: PeriodKind,
    calendar: &[periods::Period],
) -> Option<Note> {
    let s = periods::stragglers(per_period, periods::straggler_gap(kind))?;
    let label = |k: i32| periods::period_of_key(kind, k).label;
    let mut places: Vec<String> = s.periods.iter().take(5).map(|k| label(*k)).collect();
    if s.periods.len() > 5 {
        places.push(format!("+{}", s.periods.len() - 5));
    }
    let edge = |p: Option<&periods::Period>| p.map(|p| p.label.clone()).unwrap_or_default();
    Some(Note::counting(
        Say::SpanStretched,
        s.events,
        &[
            &places.join(", "),
            &label(s.main.0),
            &label(s.main.1),
            &calendar.len().to_string(),
            &edge(calendar.first()),
            &edge(calendar.last()),
        ],
    ))
}

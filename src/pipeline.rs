//! `engage run`: the stages in their one-way order, ingest → normalize → metrics → outcomes →
//! render, then every output written atomically and accounted for in `manifest.json`. This is
//! the only module that knows every stage; it turns frames into the report model so that
//! `render` never sees polars.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::assemble;
use crate::config::SourceKind;
use crate::config::{PeriodKind, Plan};
use crate::error::internal;
use crate::error::{Error, Result};
use crate::ingest::Batch;
use crate::ingest::{self, InputFile};
use crate::lock::RunLock;
use crate::log::{Log, Progress};
use crate::metrics::{
    activity, ambassadors, breakdowns, conversations, inequality, ladder, lifecycle, network,
    participation, summary, targets,
};
use crate::normalize::{self, identity, periods, population, usage, Events, RowCounts, PERIOD_KEY};
use crate::outcomes::privacy::{KeySource, Pseudonymizer};
use crate::outcomes::suppression;
use crate::output;
use crate::render::{self, model};
use crate::schema::{activity as a, event, person};
use crate::store::Store;

/// What `engage run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub pipeline: PathBuf,
    pub as_of: Option<NaiveDate>,
    pub out: Option<PathBuf>,
    pub log: Log,
    /// Only add the sources to the store (`engage ingest`); compute nothing.
    pub ingest_only: bool,
}

/// What a run produced, for the command line to report.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub output: PathBuf,
    pub periods: usize,
    pub events: u64,
}

#[derive(Serialize)]
struct Manifest {
    engage_version: &'static str,
    pipeline: ManifestPipeline,
    as_of: Option<String>,
    periods: ManifestPeriods,
    population: &'static str,
    pseudonym_key: String,
    inputs: Vec<ManifestInput>,
    /// Accounts that matched nobody on the roster (listed in tables/unresolved_accounts.csv).
    #[serde(skip_serializing_if = "Option::is_none")]
    unresolved_accounts: Option<u64>,
    outputs: Vec<ManifestOutput>,
    timings_ms: BTreeMap<&'static str, u128>,
}

#[derive(Serialize)]
struct ManifestPipeline {
    name: String,
    path: String,
    sha256: String,
}

#[derive(Serialize)]
struct ManifestPeriods {
    kind: &'static str,
    timezone: String,
    first: String,
    last: String,
    count: usize,
    /// Set when a handful of events lie far from the rest and stretch the span.
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<String>,
}

#[derive(Serialize)]
struct ManifestInput {
    role: String,
    kind: String,
    /// The `[[source]]` name (events inputs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    path: String,
    bytes: u64,
    sha256: String,
    rows_read: u64,
    accepted: u64,
    duplicates: u64,
    excluded: u64,
    rejected: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    excluded_by_reason: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejects_file: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
struct ManifestOutput {
    path: String,
    bytes: u64,
    sha256: String,
}

/// Events per part of a store run: months are grouped up to this many, so that a query's
/// state stays near a gigabyte while small stores run as one part (each part costs a query).
const PART_ROWS: u64 = 10_000_000;

fn period_kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "month",
        PeriodKind::Week => "week",
        PeriodKind::Quarter => "quarter",
    }
}

/// A path as the user would write it relative to the pipeline's folder.
fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Runs a pipeline end to end.
pub fn run(opts: &RunOptions) -> Result<RunSummary> {
    let started = Instant::now();
    let mut timings = BTreeMap::new();
    let plan = Plan::load(&opts.pipeline)?;
    // Checked before any data is read, so a typo in a rung fails in milliseconds.
    let compiled = ladder::compile(&plan.ladder, &plan.pipeline_path)?;
    let resolved_targets = targets::resolve(&plan.targets, plan.period, &plan.pipeline_path)?;
    let out_dir = opts.out.clone().unwrap_or_else(|| plan.output.clone());
    let log = opts.log;
    if opts.ingest_only && plan.store.is_none() {
        return Err(Error::Usage {
            message: format!(
                "{} keeps no event store to ingest into",
                opts.pipeline.display()
            ),
            help: "add store = \"<folder>\" to [pipeline], or use `engage run`".into(),
        });
    }
    check_targets(&plan, &out_dir)?;
    // Held until the run ends, so two runs never write the same store or outputs at once.
    let _lock = RunLock::acquire(plan.store.as_deref().unwrap_or(&out_dir), &|w| {
        log.warn("lock", w)
    })?;
    output::claim(&out_dir)?;
    let base = plan
        .pipeline_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();

    // Ingest.
    let t = Instant::now();
    let limits = ingest::archive::Limits {
        max_uncompressed_bytes: plan.max_uncompressed_bytes,
        ..Default::default()
    };
    let mut frames = Vec::with_capacity(plan.sources.len());
    let mut batches = Vec::with_capacity(plan.sources.len());
    let mut account_tables = Vec::with_capacity(plan.sources.len());
    let mut usage_tables: Vec<Option<DataFrame>> = Vec::with_capacity(plan.sources.len());
    let mut files: Vec<InputFile> = Vec::new();
    // Sources, then normalize, metrics, outcomes, render and write.
    let progress = Progress::new(&log, plan.sources.len() as u64 + 5);
    for source in &plan.sources {
        let step_started = Instant::now();
        progress.step(&format!("reading {}", source.given));
        let ingest::SourceRead {
            mut batch,
            accounts,
            usage,
        } = ingest::read_source(source, limits, plan.include_bots)?;
        // Excluded accounts and rows in implausible years leave here, counted.
        let usage = normalize::screen_source(
            &mut batch,
            &accounts,
            usage,
            &plan.exclude_accounts,
            &source.given,
        )?;
        usage_tables.push(usage);
        let (bytes, sha256) = ingest::read::fingerprint_any(&source.path)?;
        files.push(InputFile {
            role: "events".into(),
            kind: source.kind.as_str().into(),
            path: source.path.clone(),
            given: source.given.clone(),
            bytes,
            sha256,
            rows_read: batch.rows_read,
        });
        log.info(
            "ingest",
            &format!("read {} ({})", source.given, source.kind.as_str()),
            &[
                ("rows_read", batch.rows_read),
                ("events", batch.events.height() as u64),
                (
                    "usage_rows",
                    usage_tables
                        .last()
                        .and_then(|u| u.as_ref())
                        .map_or(0, |u| u.height() as u64),
                ),
                ("excluded", batch.excluded_total()),
                ("rejected", batch.rejects.len() as u64),
            ],
        );
        progress.done(batch.rows_read, step_started);
        frames.push(std::mem::take(&mut batch.events));
        account_tables.push(accounts);
        batches.push(batch);
    }
    let people = plan.people.as_ref().map(ingest::roster::read).transpose()?;
    let surveys = plan
        .surveys
        .as_ref()
        .map(|s| ingest::surveys::read(s, plan.satisfaction_scale))
        .transpose()?;
    let identity_map = plan
        .identities
        .as_ref()
        .map(ingest::identities::read)
        .transpose()?;
    let kpis: Vec<(String, DataFrame, InputFile)> = plan
        .outcomes
        .iter()
        .map(|(name, input)| {
            ingest::kpis::read(input).map(|(frame, file)| (name.clone(), frame, file))
        })
        .collect::<Result<_>>()?;
    timings.insert("ingest", t.elapsed().as_millis());

    // Normalize.
    let t = Instant::now();
    // From here to the ladder: the part a benchmark compares with the same SQL elsewhere.
    let to_ladder = Instant::now();
    progress.step("combining sources");
    let cutoff = opts
        .as_of
        .map(|d| periods::end_of_day_utc_micros(d, plan.timezone));
    // With a store, everything the exports hold is stored; --as-of applies when computing.
    let (events, event_counts) =
        normalize::combine(frames, if plan.store.is_some() { None } else { cutoff })?;
    let (usage, usage_counts) = usage::combine(
        &usage_tables,
        if plan.store.is_some() {
            None
        } else {
            opts.as_of
        },
    )?;
    // Per input: rows read = accepted + duplicates + excluded (on purpose or after --as-of)
    // + rejected. A source gives events or usage counts, so one of the two counts is zero.
    let late: Vec<u64> = event_counts
        .iter()
        .zip(&usage_counts)
        .map(|(e, u)| e.excluded + u.excluded)
        .collect();
    let mut counts: Vec<RowCounts> = batches
        .iter()
        .zip(event_counts.iter().zip(&usage_counts))
        .zip(&late)
        .map(|((b, (e, u)), late)| RowCounts {
            rows_read: b.rows_read,
            accepted: e.accepted + u.accepted,
            duplicates: e.duplicates + u.duplicates,
            excluded: late + b.excluded_total(),
            rejected: b.rejects.len() as u64,
        })
        .collect();
    let (events, usage, account_tables) = match &plan.store {
        None => (Events::new(vec![events.lazy()]), usage, account_tables),
        Some(dir) => {
            let store = Store::open(dir)?;
            let added = store.add_events(&events)?;
            for (c, source) in counts.iter_mut().zip(&plan.sources) {
                let already = added
                    .already_stored
                    .get(&source.label)
                    .copied()
                    .unwrap_or(0);
                c.accepted -= already.min(c.accepted);
                c.duplicates += already;
            }
            let usage_all = match &usage {
                Some(u) => Some(store.merge_table(
                    "usage",
                    u,
                    &[
                        usage::SOURCE,
                        usage::ACCOUNT,
                        usage::WINDOW_END,
                        usage::WINDOW_DAYS,
                    ],
                )?),
                None => store.table("usage")?,
            };
            let accounts = all_accounts(&account_tables)?;
            let accounts_all = store.merge_table("accounts", &accounts, &["source", "account"])?;
            // The roster and identity map this store was last built with, for provenance.
            if let Some((roster, _)) = &people {
                store.put_table("people", roster)?;
            }
            if let Some((map, _)) = &identity_map {
                store.put_table("identities", map)?;
            }
            log.info(
                "store",
                &format!("added to {}", dir.display()),
                &[
                    ("events_added", added.added.values().sum()),
                    ("already_stored", added.already_stored.values().sum()),
                    ("partitions_written", added.partitions.len() as u64),
                ],
            );
            crate::checkpoint::reached("store-ingested");
            if opts.ingest_only {
                let (files, names) = rejects_outputs(&plan, &batches, &out_dir)?;
                for (name, bytes) in &files {
                    output::write_atomic(&out_dir.join(name), bytes)?;
                }
                check_rejects(&plan, &counts, &names, &out_dir, log)?;
                return Ok(RunSummary {
                    output: dir.clone(),
                    periods: 0,
                    events: added.added.values().sum(),
                });
            }
            // Compute from everything stored up to the as-of day.
            let last_month = cutoff.map(|c| {
                let t = chrono::DateTime::from_timestamp_micros(c - 1).unwrap_or_default();
                t.year() * 12 + t.month0() as i32
            });
            let before_cutoff = match cutoff {
                Some(c) => col(crate::schema::event::OCCURRED_AT)
                    .cast(DataType::Int64)
                    .lt(lit(c)),
                None => lit(true),
            };
            // Not read here: each query over the events reads the partitions it needs, a batch at a
            // time, so memory does not grow with the store.
            let stored = Events::spanning(store.scan_events(last_month, PART_ROWS)?)
                .map(|part| part.filter(before_cutoff.clone()));
            let usage_all = match (usage_all, opts.as_of) {
                (Some(u), Some(d)) => Some(
                    u.lazy()
                        .filter(usage::ends_after(d).not())
                        .collect()
                        .map_err(internal("applying --as-of to usage"))?,
                ),
                (u, _) => u,
            };
            (stored, usage_all, vec![accounts_all])
        }
    };
    // Several metric families read the events: the local day and period are placed once.
    let events = events.map(|part| normalize::with_periods(part, plan.period, plan.timezone));
    // One pass for the accounts to resolve and the events per account and period.
    let counted = events
        .gather(|part, _| identity::accounts_counted(part))
        .and_then(LazyFrame::collect)
        .map_err(internal("listing accounts"))?;
    let n_events = counted
        .clone()
        .lazy()
        .select([col("events").sum()])
        .collect()
        .map_err(internal("counting events"))?
        .column("events")
        .ok()
        .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
        .unwrap_or(0);
    let prefixed: Vec<String> = plan
        .sources
        .iter()
        .filter(|s| s.kind != SourceKind::Events)
        .map(|s| s.label.clone())
        .collect();
    let accounts = all_accounts(&account_tables)?;
    let identity::Resolved {
        events,
        counted,
        usage,
        users,
    } = identity::resolve(identity::Inputs {
        events,
        counted: counted.lazy(),
        usage,
        accounts,
        roster: people.as_ref().map(|p| &p.0),
        identity_map: identity_map.as_ref().map(|m| &m.0),
        prefixed: &prefixed,
    })?;
    let usage = usage
        .map(|u| {
            usage::with_periods(u.lazy(), plan.period)
                .collect()
                .map_err(internal("placing usage in periods"))
        })
        .transpose()?;
    // Who was seen when: event actors and usage-report people, for the calendar and for an
    // observed population. Distinct, so a row per person and period rather than per event.
    let who_when = || {
        [
            col(crate::schema::event::SOURCE),
            col(crate::schema::event::ACTOR),
            col(PERIOD_KEY),
        ]
    };
    // With their events counted, for the accounts that match nobody on the roster.
    let mut counted = vec![counted
        .collect()
        .map_err(internal("listing activity"))?
        .lazy()];
    if let Some(u) = &usage {
        // A usage row counts as one event.
        counted.push(u.clone().lazy().select([
            col(usage::SOURCE).alias(crate::schema::event::SOURCE),
            col(a::PERSON).alias(crate::schema::event::ACTOR),
            col(PERIOD_KEY),
            lit(1u64).cast(DataType::UInt64).alias("events"),
        ]));
    }
    let counted = concat(counted, UnionArgs::default()).map_err(internal("listing activity"))?;
    let unresolved = people
        .as_ref()
        .map(|(roster, _)| identity::unresolved(counted.clone(), roster))
        .transpose()?;
    let per_period = normalize::events_per_period(counted.clone())?;
    let seen = counted.select(who_when());
    let Some((first, last_seen)) = normalize::period_span(seen.clone())? else {
        let (files, names) = rejects_outputs(&plan, &batches, &out_dir)?;
        for (name, bytes) in &files {
            output::write_atomic(&out_dir.join(name), bytes)?;
        }
        return Err(no_events(
            &plan, &counts, &batches, &names, &out_dir, opts.as_of,
        ));
    };
    let last = match opts.as_of {
        Some(d) => periods::key_of_date(plan.period, d),
        None => last_seen,
    };
    let calendar_periods = periods::range(plan.period, first, last);
    let span_note = span_warning(&per_period, plan.period, &calendar_periods);
    if let Some(w) = &span_note {
        log.warn("normalize", w);
    }
    // Per part of the events, the periods it holds alone (their distinct counts finish there).
    let owned = events.owned_periods(&calendar_periods, plan.timezone);
    let calendar = periods::calendar_frame(&calendar_periods)
        .map_err(internal("building the calendar"))?
        .lazy();
    let (population, basis) = population::of(
        people.as_ref().map(|p| &p.0),
        users,
        seen.clone(),
        calendar.clone(),
    )?;
    // A row per person and period, small next to the events; held so that the event queries
    // below join a table rather than re-derive it (the streaming engine cannot run every join
    // it is derived with).
    let population = population
        .collect()
        .map_err(internal("deciding who is in headcount"))?
        .lazy();
    let basis = match basis {
        population::Basis::Roster => model::Population::Roster,
        population::Basis::UserList => model::Population::UserList,
        population::Basis::Observed => model::Population::Observed,
    };
    timings.insert("normalize", t.elapsed().as_millis());
    progress.done(n_events, t);
    log.info(
        "normalize",
        "combined sources and placed events in periods",
        &[
            ("events", n_events),
            ("duplicates", counts.iter().map(|c| c.duplicates).sum()),
            ("periods", calendar_periods.len() as u64),
        ],
    );

    // Metrics. The activity table is collected once: it is written out and every metric reads it.
    let t = Instant::now();
    progress.step("computing the activity table and the ladder");
    let usage = usage.map(|u| u.lazy());
    // Each person's first active period anywhere in the data, for lifecycle and cohorts.
    // `seen` holds event actors and usage-report people alike.
    let first = lifecycle::first_activity(seen.clone())
        .collect()
        .map_err(internal("finding first activity"))?;
    // Its three group-bys run one at a time, each holding only its own state.
    let fail = || internal("building the activity table");
    let per_day = events
        .gather(|part, p| activity::event_aggregates(part, &owned[p])[0].clone())
        .map_err(fail())?;
    // Replies and reactions per pair and period: partners, the department matrix and the
    // ambassadors all read them. In memory: a row per pair and period, not per event. Each
    // part's distinct partners are counted from its own ties, so that only the periods no
    // part holds alone need the stacked rows.
    let tie_parts = events
        .gather_each(|part, p| activity::event_aggregates(part, &owned[p])[1].clone())
        .map_err(fail())?;
    let partners = concat(
        tie_parts
            .iter()
            .zip(&owned)
            .map(|(t, o)| activity::partners(t.clone().lazy(), o))
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .and_then(LazyFrame::collect)
    .map_err(fail())?
    .lazy();
    let ties = concat(
        tie_parts
            .into_iter()
            .map(DataFrame::lazy)
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .and_then(LazyFrame::collect)
    .map_err(fail())?
    .lazy();
    let activity = ladder::assign(
        activity::from_aggregates(population, [per_day, partners], usage.clone()),
        &compiled,
    )
    .collect()
    .map_err(internal("building the activity table"))?;
    timings.insert("store_to_ladder", to_ladder.elapsed().as_millis());
    let views_known = has_views(&events.all(), usage.as_ref())?;
    let roster = people.as_ref().map(|p| p.0.clone().lazy());
    let calendar_days = periods::with_days(calendar.clone(), opts.as_of);
    // Every post (a row per post, in memory), then each part's replies and views matched to
    // them, combined: the reach window crosses parts.
    let all_posts = events
        .gather(|part, _| conversations::post_rows(part))
        .and_then(LazyFrame::collect)
        .map_err(internal("following posts"))?
        .lazy();
    let [first_reply, viewers] = [0, 1].map(|i| {
        events
            .gather(|part, _| {
                conversations::post_partials(part, all_posts.clone(), plan.windows)[i].clone()
            })
            .map_err(internal("following posts"))
    });
    let posts = conversations::posts_from(all_posts, [first_reply?, viewers?], views_known)
        .collect()
        .map_err(internal("following posts"))?;
    let matrix = match &roster {
        Some(r) => Some(
            network::department_matrix(ties.clone(), r.clone())
                .collect()
                .map_err(internal("counting interactions between departments"))?,
        ),
        None => None,
    };
    let families = summary::Families {
        people: participation::people_metrics(activity.clone().lazy(), calendar_days, views_known),
        inequality: inequality::inequality(activity.clone().lazy())
            .map_err(internal("measuring inequality"))?,
        conversations: conversations::period_conversations(posts.clone().lazy(), events.all()),
        movement: ladder::movement(activity.clone().lazy(), &compiled.names),
        leader_reach: match (&roster, views_known && roster_knows(&people, person::ROLE)?) {
            (Some(r), true) => Some(network::leader_reach(
                events.all(),
                r.clone(),
                activity.clone().lazy(),
            )),
            _ => None,
        },
        cross_department: matrix
            .as_ref()
            .map(|m| network::cross_department(m.clone().lazy())),
    };
    let period_metrics =
        normalize::collect_streaming(summary::period_metrics(calendar.clone(), families))
            .map_err(internal("computing period metrics"))?;
    let rung_table =
        ladder::rung_shares(activity.clone().lazy(), calendar.clone(), &compiled.names)
            .collect()
            .map_err(internal("computing rung shares"))?;
    let lifecycle_table = lifecycle::lifecycle(
        activity.clone().lazy(),
        first.clone().lazy(),
        calendar.clone(),
    )
    .collect()
    .and_then(|t| t.drop(PERIOD_KEY))
    .map_err(internal("computing the lifecycle"))?;
    let transitions_table =
        ladder::transitions(activity.clone().lazy(), calendar.clone(), &compiled.names)
            .collect()
            .map_err(internal("computing ladder transitions"))?;
    let retention_table =
        lifecycle::retention(activity.clone().lazy(), first.lazy(), calendar.clone())
            .collect()
            .map_err(internal("computing retention"))?;
    let labels = calendar.clone().select([col(PERIOD_KEY), col(a::PERIOD)]);
    let with_label = |frame: LazyFrame| {
        frame.join(
            labels.clone(),
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
    };
    // A part of the events at a time, like the activity table.
    let space_parts = events
        .gather(|part, p| conversations::space_aggregates(part, &owned[p]))
        .map_err(internal("measuring spaces"))?;
    // The period's label in place of its key.
    let spaces_table = with_label(conversations::spaces_from(space_parts, views_known)).select(
        conversations::SPACE_COLUMNS.map(|c| col(if c == PERIOD_KEY { a::PERIOD } else { c })),
    );
    let spaces_table = spaces_table
        .collect()
        .map_err(internal("measuring spaces"))?;
    let post_reach = with_label(posts.lazy())
        .select(
            [
                "author",
                event::SOURCE,
                event::SPACE,
                a::PERIOD,
                "viewers",
                "first_reply_hours",
            ]
            .map(col),
        )
        .collect()
        .map_err(internal("measuring post reach"))?;
    let mut breakdown_tables = Vec::with_capacity(plan.breakdowns.len());
    // The department breakdown also feeds the report's department heatmap.
    let mut department_breakdown = None;
    if let Some(r) = &roster {
        let mut attributes: Vec<String> = plan.breakdowns.clone();
        if roster_knows(&people, person::DEPARTMENT)?
            && !attributes.iter().any(|x| x == person::DEPARTMENT)
        {
            attributes.push(person::DEPARTMENT.to_string());
        }
        let frame = r.clone().select(
            std::iter::once(col(person::PERSON_ID).alias(a::PERSON))
                .chain(attributes.iter().map(|b| col(b.as_str())))
                .collect::<Vec<_>>(),
        );
        for attribute in &attributes {
            let counts = with_label(breakdowns::counts(
                activity.clone().lazy(),
                frame.clone(),
                attribute,
                &compiled.names,
            ))
            .collect()
            .map_err(internal("breaking metrics down"))?;
            let table = suppression::breakdown(
                &counts,
                attribute,
                &compiled.names,
                plan.min_group_size,
                views_known,
            )?;
            if attribute == person::DEPARTMENT {
                department_breakdown = Some(table.clone());
            }
            if plan.breakdowns.contains(attribute) {
                breakdown_tables.push((format!("tables/breakdown_{attribute}"), table));
            }
        }
    }
    let matrix_table = match (&matrix, &roster) {
        (Some(m), Some(r)) => {
            let headcounts = breakdowns::counts(
                activity.clone().lazy(),
                r.clone().select([
                    col(person::PERSON_ID).alias(a::PERSON),
                    col(person::DEPARTMENT),
                ]),
                person::DEPARTMENT,
                &[],
            )
            .select([
                col(PERIOD_KEY),
                col("group").alias("department"),
                col("headcount"),
            ]);
            Some(
                with_label(suppression::matrix(
                    m.clone().lazy(),
                    headcounts,
                    plan.min_group_size,
                ))
                .select(
                    [
                        a::PERIOD,
                        "from_department",
                        "to_department",
                        "interactions",
                        "people",
                        "suppressed",
                    ]
                    .map(col),
                )
                .collect()
                .map_err(internal("suppressing the department matrix"))?,
            )
        }
        _ => None,
    };
    let targets_table = targets::table(&resolved_targets, &period_metrics, &rung_table)?;
    let window: Vec<i32> = calendar_periods
        .iter()
        .rev()
        .take(plan.ambassadors.periods as usize)
        .map(|p| p.key)
        .collect();
    let eligible: Vec<String> = compiled
        .names
        .iter()
        .take_while(|n| **n != plan.ambassadors.rung)
        .chain(std::iter::once(&plan.ambassadors.rung))
        .cloned()
        .collect();
    // Too few periods for the window: an empty table of the same columns.
    let (window, min_partners) = if window.len() == plan.ambassadors.periods as usize {
        (window, plan.ambassadors.min_partners)
    } else {
        (Vec::new(), u32::MAX)
    };
    let ambassador_table = ambassadors::candidates(
        activity.clone().lazy(),
        ties,
        &window,
        &eligible,
        min_partners,
    )
    .collect()
    .map_err(internal("finding ambassador candidates"))?;
    timings.insert("metrics", t.elapsed().as_millis());
    progress.done(activity.height() as u64, t);
    log.info(
        "metrics",
        "built the activity table and the ladder",
        &[("person_periods", activity.height() as u64)],
    );

    // Outcomes: person-level output leaves with pseudonyms only.
    let t = Instant::now();
    let (pseudonymizer, key_source) = Pseudonymizer::load(&plan.pseudonym_key_file)?;
    if let KeySource::CreatedFile(p) = &key_source {
        log.warn(
            "privacy",
            &format!(
                "created the pseudonym key {} (mode 0600); keep it, and keep it out of version control: \
                 the same key gives the same pseudonyms next run",
                p.display()
            ),
        );
    }
    let labelled = activity
        .clone()
        .lazy()
        .join(
            calendar.clone().select([col(PERIOD_KEY), col(a::PERIOD)]),
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .select(activity_output_columns(&compiled))
        .collect()
        .map_err(internal("labelling periods"))?;
    let mut activity_out = pseudonymizer.apply(&labelled, a::PERSON)?;
    let kpi_frames: Vec<(String, DataFrame, String)> = kpis
        .iter()
        .map(|(name, frame, file)| (name.clone(), frame.clone(), file.given.clone()))
        .collect();
    let outcome_tables = match &people {
        Some((roster, _)) => crate::outcomes::tables(&crate::outcomes::Inputs {
            activity: &activity,
            calendar: calendar.clone(),
            first_key: calendar_periods.first().map_or(0, |p| p.key),
            last_key: calendar_periods.last().map_or(0, |p| p.key),
            kind: plan.period,
            roster,
            surveys: surveys.as_ref().map(|s| &s.0),
            kpis: &kpi_frames,
            rungs: &compiled.names,
            breakdowns: &plan.breakdowns,
            min_group_size: plan.min_group_size,
            horizon: plan.horizon_periods,
            window: plan.outcome_window_periods,
            views_known,
            surveys_file: surveys.as_ref().map(|s| s.1.given.as_str()),
        })?,
        None => crate::outcomes::Tables {
            tables: Vec::new(),
            notes: Vec::new(),
        },
    };
    for note in &outcome_tables.notes {
        log.warn("outcomes", note);
    }
    let (outcome_tables, outcome_notes) = (outcome_tables.tables, outcome_tables.notes);
    timings.insert("outcomes", t.elapsed().as_millis());
    progress.done(0, t);

    // Render.
    let t = Instant::now();
    let others: Vec<&InputFile> = people
        .iter()
        .map(|p| &p.1)
        .chain(surveys.iter().map(|s| &s.1))
        .chain(identity_map.iter().map(|m| &m.1))
        .chain(kpis.iter().map(|k| &k.2))
        .collect();
    let inputs = input_rows(&files, &counts, &others);
    let mut source_notes: Vec<String> = batches
        .iter()
        .flat_map(|b| b.notes.clone())
        .chain(outcome_notes)
        .chain(span_note.clone())
        .collect();
    source_notes.sort();
    source_notes.dedup();
    let ambassador_table = if plan.ambassadors.reveal {
        reveal(ambassador_table, roster.as_ref())?
    } else {
        pseudonymizer.apply(&ambassador_table, a::PERSON)?
    };
    let results = assemble::Results {
        rungs: &compiled.names,
        period_metrics: &period_metrics,
        rung_table: &rung_table,
        lifecycle: &lifecycle_table,
        transitions: &transitions_table,
        retention: &retention_table,
        activity: &activity,
        spaces: &spaces_table,
        departments: department_breakdown.as_ref(),
        targets: &targets_table,
        ambassadors: &ambassador_table,
        outcome_tables: &outcome_tables,
    };
    let periods = assemble::periods(&results)?;
    let labels: Vec<String> = periods.iter().map(|p| p.label.clone()).collect();
    let report = model::Report {
        engage_version: env!("CARGO_PKG_VERSION").to_string(),
        language: match plan.language.as_str() {
            "nl" => model::Language::Nl,
            _ => model::Language::En,
        },
        pipeline: plan.name.clone(),
        period_kind: period_kind_name(plan.period).to_string(),
        timezone: plan.timezone.name().to_string(),
        as_of: opts.as_of.map(|d| d.to_string()),
        population: basis,
        ladder_name: match plan.ladder.name.as_str() {
            "forrester" => "Forrester".to_string(),
            "pyramid" => "Pyramid".to_string(),
            other => other.to_string(),
        },
        rungs: compiled.names.clone(),
        min_group_size: plan.min_group_size,
        reply_window_hours: plan.windows.reply_hours,
        outcome_window_periods: plan.outcome_window_periods,
        horizon_periods: plan.horizon_periods,
        transitions: assemble::transitions(&results)?,
        cohorts: assemble::cohorts(&results)?,
        lorenz: assemble::lorenz(&results, assemble::last_key(&period_metrics)?)?,
        spaces: assemble::spaces(&results, labels.last().map(String::as_str))?,
        departments: assemble::departments(&results, &labels)?,
        targets: assemble::targets(&results)?,
        ambassadors: assemble::ambassadors(&results)?,
        ambassadors_revealed: plan.ambassadors.reveal,
        outcomes: assemble::outcomes(&results)?,
        periods,
        inputs: inputs.clone(),
        source_notes,
        unresolved_accounts: unresolved.as_ref().map(|u| u.height() as u64),
        coverage: model::Coverage {
            views: views_known,
            roster: people.is_some(),
            departments: roster_knows(&people, person::DEPARTMENT)?,
            roles: roster_knows(&people, person::ROLE)?,
        },
    };
    let charts = render::charts::all(&report);
    let html = render::html::render(&report, &charts);
    let markdown = render::markdown::render(&report, &charts);
    let rasterizer = render::charts::raster::Rasterizer::new();
    if !rasterizer.has_fonts() {
        log.warn(
            "render",
            "no fonts found: the PNG charts will have no text; install a font package such as fonts-dejavu-core",
        );
    }
    let mut chart_files: Vec<(String, Vec<u8>)> = Vec::with_capacity(2 * charts.len());
    for c in &charts {
        let png = rasterizer.png(&c.svg).map_err(|e| Error::Usage {
            message: format!("cannot draw charts/{}.png: {e}", c.name),
            help: "report this as a bug".into(),
        })?;
        chart_files.push((format!("charts/{}.svg", c.name), c.svg.clone().into_bytes()));
        chart_files.push((format!("charts/{}.png", c.name), png));
    }
    timings.insert("render", t.elapsed().as_millis());
    progress.done(0, t);

    // Write: every table as CSV and Parquet (the activity table as Parquet only).
    let t = Instant::now();
    let without_key = |f: DataFrame| f.drop(PERIOD_KEY).map_err(internal("dropping keys"));
    let mut tables: Vec<(String, DataFrame)> = vec![
        ("tables/period_metrics".into(), without_key(period_metrics)?),
        ("tables/ladder".into(), without_key(rung_table)?),
        ("tables/lifecycle".into(), lifecycle_table),
        ("tables/transitions".into(), transitions_table),
        ("tables/retention".into(), retention_table),
        (
            "tables/post_reach".into(),
            pseudonymizer.apply(&post_reach, "author")?,
        ),
        ("tables/spaces".into(), spaces_table),
    ];
    tables.extend(breakdown_tables);
    if let Some(m) = matrix_table {
        tables.push(("tables/department_interactions".into(), m));
    }
    if !plan.targets.is_empty() {
        tables.push(("tables/targets".into(), targets_table));
    }
    tables.push(("tables/ambassadors".into(), ambassador_table));
    tables.extend(
        outcome_tables
            .into_iter()
            .map(|(name, t)| (name.trim_end_matches(".csv").to_string(), t)),
    );
    if let Some(unresolved) = &unresolved {
        tables.push((
            "tables/unresolved_accounts".into(),
            pseudonymizer.apply(unresolved, "person")?,
        ));
    }
    let mut files_out: Vec<(String, Vec<u8>)> = vec![(
        "tables/activity.parquet".into(),
        output::parquet_bytes(&mut activity_out, "the activity table")?,
    )];
    for (name, mut table) in tables {
        files_out.push((format!("{name}.csv"), output::csv_bytes(&mut table, &name)?));
        files_out.push((
            format!("{name}.parquet"),
            output::parquet_bytes(&mut table, &name)?,
        ));
    }
    files_out.push((
        output::MARKER.into(),
        output::MARKER_TEXT.as_bytes().to_vec(),
    ));
    files_out.extend(chart_files);
    files_out.push(("report.html".into(), html.into_bytes()));
    files_out.push(("report.md".into(), markdown.into_bytes()));
    let (rejects_out, rejects_files) = rejects_outputs(&plan, &batches, &out_dir)?;
    files_out.extend(rejects_out);
    let mut outputs = Vec::with_capacity(files_out.len());
    for (name, bytes) in &files_out {
        output::write_atomic(&out_dir.join(name), bytes)?;
        crate::checkpoint::reached("output");
        outputs.push(ManifestOutput {
            path: name.clone(),
            bytes: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(bytes)),
        });
    }
    timings.insert("write", t.elapsed().as_millis());
    progress.done(0, t);
    progress.finish();
    log.info(
        "write",
        &format!("wrote {}", out_dir.display()),
        &[("files", outputs.len() as u64 + 1)],
    );
    timings.insert("total", started.elapsed().as_millis());

    let manifest = Manifest {
        engage_version: env!("CARGO_PKG_VERSION"),
        pipeline: ManifestPipeline {
            name: plan.name.clone(),
            path: plan.pipeline_path.to_string_lossy().into_owned(),
            sha256: plan.pipeline_sha256.clone(),
        },
        as_of: opts.as_of.map(|d| d.to_string()),
        periods: ManifestPeriods {
            kind: period_kind_name(plan.period),
            timezone: plan.timezone.name().to_string(),
            first: calendar_periods
                .first()
                .map(|p| p.label.clone())
                .unwrap_or_default(),
            last: calendar_periods
                .last()
                .map(|p| p.label.clone())
                .unwrap_or_default(),
            count: calendar_periods.len(),
            warning: span_note,
        },
        population: match basis {
            model::Population::Roster => "roster",
            model::Population::UserList => "user_list",
            model::Population::Observed => "observed",
        },
        pseudonym_key: match &key_source {
            KeySource::Environment => {
                format!("environment variable {}", crate::outcomes::privacy::KEY_ENV)
            }
            KeySource::File(p) | KeySource::CreatedFile(p) => relative(p, &base),
        },
        inputs: inputs
            .iter()
            .zip(
                files
                    .iter()
                    .chain(people.iter().map(|p| &p.1))
                    .chain(surveys.iter().map(|s| &s.1))
                    .chain(identity_map.iter().map(|m| &m.1))
                    .chain(kpis.iter().map(|k| &k.2)),
            )
            .enumerate()
            .map(|(i, (row, file))| {
                let source = plan.sources.get(i);
                let batch = batches.get(i);
                ManifestInput {
                    role: row.role.clone(),
                    kind: row.kind.clone(),
                    source: source.map(|s| s.label.clone()),
                    path: row.file.clone(),
                    bytes: file.bytes,
                    sha256: file.sha256.clone(),
                    rows_read: row.rows_read,
                    accepted: row.accepted,
                    duplicates: row.duplicates,
                    excluded: row.excluded,
                    rejected: row.rejected,
                    excluded_by_reason: batch
                        .map(|b| {
                            let mut by = b.excluded.clone();
                            let late = late[i];
                            if late > 0 {
                                by.insert("after the as-of day".into(), late);
                            }
                            by
                        })
                        .unwrap_or_default(),
                    rejects_file: rejects_files.get(i).cloned().flatten(),
                    notes: batch.map(|b| b.notes.clone()).unwrap_or_default(),
                }
            })
            .collect(),
        unresolved_accounts: unresolved.as_ref().map(|u| u.height() as u64),
        outputs,
        timings_ms: timings,
    };
    let json = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    output::write_atomic(&out_dir.join("manifest.json"), &json)?;
    // What an earlier run wrote and this one did not (a chart of a section that no longer
    // applies, a crashed run's temporary file) goes, so the folder is what the manifest lists.
    let keep = manifest
        .outputs
        .iter()
        .map(|o| o.path.clone())
        .chain(["manifest.json", crate::lock::LOCK_FILE].map(String::from))
        .collect();
    output::remove_others(&out_dir, &keep)?;

    // Everything is written; now the run may still fail for rejected input.
    check_rejects(&plan, &counts, &rejects_files, &out_dir, log)?;

    Ok(RunSummary {
        output: out_dir,
        periods: calendar_periods.len(),
        events: n_events,
    })
}

/// `engage validate`: checks the pipeline file, the rung conditions and where the run would
/// write, and reads every input as `run` does, without computing or writing anything.
pub fn validate(pipeline: &Path, log: Log) -> Result<()> {
    let plan = Plan::load(pipeline)?;
    ladder::compile(&plan.ladder, &plan.pipeline_path)?;
    targets::resolve(&plan.targets, plan.period, &plan.pipeline_path)?;
    let limits = ingest::archive::Limits {
        max_uncompressed_bytes: plan.max_uncompressed_bytes,
        ..Default::default()
    };
    check_targets(&plan, &plan.output)?;
    // Read as `run` reads them, so whatever `run` would refuse is refused here.
    for source in &plan.sources {
        let read = ingest::read_source(source, limits, plan.include_bots)?;
        let mut batch = read.batch;
        normalize::screen_source(
            &mut batch,
            &read.accounts,
            read.usage,
            &plan.exclude_accounts,
            &source.given,
        )?;
        log.info(
            "validate",
            &format!("{} ({}) is readable", source.given, source.kind.as_str()),
            &[
                ("rows_read", batch.rows_read),
                ("excluded", batch.excluded_total()),
                ("rejected", batch.rejects.len() as u64),
            ],
        );
    }
    // Rosters, surveys and identity maps are small: they are read in full.
    type Reader<'a> = Box<dyn Fn(&crate::config::InputPath) -> Result<(DataFrame, InputFile)> + 'a>;
    let small: [(&Option<crate::config::InputPath>, Reader, &str); 3] = [
        (&plan.people, Box::new(ingest::roster::read), "people"),
        (
            &plan.surveys,
            Box::new(|s| ingest::surveys::read(s, plan.satisfaction_scale)),
            "surveys",
        ),
        (
            &plan.identities,
            Box::new(ingest::identities::read),
            "identities",
        ),
    ];
    for (input, reader, role) in small {
        if let Some(p) = input {
            let (_, f) = reader(p)?;
            log.info(
                "validate",
                &format!("{} ({role}) is valid", p.given),
                &[("rows", f.rows_read)],
            );
        }
    }
    for (name, input) in &plan.outcomes {
        let (_, f) = ingest::kpis::read(input)?;
        log.info(
            "validate",
            &format!("{} (outcome {name}) is valid", input.given),
            &[("rows", f.rows_read)],
        );
    }
    log.info(
        "validate",
        &format!("{} is valid", pipeline.display()),
        &[("sources", plan.sources.len() as u64)],
    );
    Ok(())
}

/// A warning when a handful of events lie far from the rest and stretch the report over
/// empty periods: how many, where, and the span they give the report.
fn span_warning(
    per_period: &[(i32, u64)],
    kind: PeriodKind,
    calendar: &[periods::Period],
) -> Option<String> {
    let s = periods::stragglers(per_period, periods::straggler_gap(kind))?;
    let label = |k: i32| periods::period_of_key(kind, k).label;
    let mut places: Vec<String> = s.periods.iter().take(5).map(|k| label(*k)).collect();
    if s.periods.len() > 5 {
        places.push(format!("and {} more", s.periods.len() - 5));
    }
    Some(format!(
        "{} {} far from the rest, in {} (the others run from {} to {}), so the report spans {} {}s from {} to {}; check those timestamps in the export (a typo, a zero date, seconds read as milliseconds), and use --as-of to cut off late ones.",
        s.events,
        if s.events == 1 { "event lies" } else { "events lie" },
        places.join(", "),
        label(s.main.0),
        label(s.main.1),
        calendar.len(),
        period_kind_name(kind),
        calendar.first().map(|p| p.label.as_str()).unwrap_or(""),
        calendar.last().map(|p| p.label.as_str()).unwrap_or(""),
    ))
}

/// Refuses a run whose output folder, store or key file would overlap what it reads. The key
/// file counts only when the key does not come from the environment.
fn check_targets(plan: &Plan, out_dir: &Path) -> Result<()> {
    let key_from_env =
        std::env::var(crate::outcomes::privacy::KEY_ENV).is_ok_and(|k| !k.is_empty());
    output::check_targets(
        &input_paths(plan),
        &output::Targets {
            output: out_dir,
            store: plan.store.as_deref(),
            key_file: (!key_from_env).then_some(plan.pseudonym_key_file.as_path()),
        },
    )
}

/// Every file or folder the run reads, as the pipeline names it and where it is.
fn input_paths(plan: &Plan) -> Vec<(String, PathBuf)> {
    let named = |i: &crate::config::InputPath| (i.given.clone(), i.path.clone());
    std::iter::once((
        plan.pipeline_path.display().to_string(),
        plan.pipeline_path.clone(),
    ))
    .chain(
        plan.sources
            .iter()
            .map(|s| (s.given.clone(), s.path.clone())),
    )
    .chain(plan.people.iter().map(named))
    .chain(plan.surveys.iter().map(named))
    .chain(plan.identities.iter().map(named))
    .chain(plan.outcomes.iter().map(|(_, i)| named(i)))
    .collect()
}

/// The error when no event is left: per source what became of its rows, the commonest reject
/// reason and where the rejects file is, so "no events" never hides that every row was refused.
fn no_events(
    plan: &Plan,
    counts: &[RowCounts],
    batches: &[Batch],
    rejects_files: &[Option<String>],
    out_dir: &Path,
    as_of: Option<NaiveDate>,
) -> Error {
    let mut lines = Vec::new();
    for (((source, c), batch), file) in plan
        .sources
        .iter()
        .zip(counts)
        .zip(batches)
        .zip(rejects_files)
    {
        let mut line = format!(
            "{}: {} rows read, {} rejected, {} excluded, {} duplicates",
            source.given, c.rows_read, c.rejected, c.excluded, c.duplicates
        );
        let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
        for r in &batch.rejects {
            *reasons.entry(r.reason.as_str()).or_insert(0) += 1;
        }
        if let Some((reason, n)) = reasons.iter().max_by_key(|(_, n)| **n) {
            line.push_str(&format!("; most often \"{reason}\" ({n})"));
        }
        if let Some(file) = file {
            line.push_str(&format!(
                "; every reject in {}",
                out_dir.join(file).display()
            ));
        }
        lines.push(line);
    }
    let rejected: u64 = counts.iter().map(|c| c.rejected).sum();
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

/// The accounts of every source in one table.
fn all_accounts(tables: &[DataFrame]) -> Result<DataFrame> {
    concat(
        tables.iter().map(|a| a.clone().lazy()).collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .and_then(|l| l.collect())
    .map_err(internal("listing accounts"))
}

/// The rejects files to write (`rejects/<source>.csv`, for sources with rejects) and, per
/// source, the file's name. A rejects file left by an earlier run is removed, so it cannot
/// suggest that this run rejected rows.
#[allow(clippy::type_complexity)]
fn rejects_outputs(
    plan: &Plan,
    batches: &[Batch],
    out_dir: &Path,
) -> Result<(Vec<(String, Vec<u8>)>, Vec<Option<String>>)> {
    let mut files = Vec::new();
    let mut names = Vec::with_capacity(batches.len());
    for (source, batch) in plan.sources.iter().zip(batches) {
        let name = format!("rejects/{}.csv", source.label);
        if batch.rejects.is_empty() {
            let stale = out_dir.join(&name);
            if stale.exists() {
                std::fs::remove_file(&stale).map_err(|source| Error::Write {
                    path: stale,
                    source,
                })?;
            }
            names.push(None);
        } else {
            files.push((name.clone(), rejects_csv(batch)?));
            names.push(Some(name));
        }
    }
    Ok((files, names))
}

/// Fails with exit code 2 when a source's rejected share is over the threshold, else warns
/// about every source with rejects.
fn check_rejects(
    plan: &Plan,
    counts: &[RowCounts],
    names: &[Option<String>],
    out_dir: &Path,
    log: Log,
) -> Result<()> {
    let share = |c: &RowCounts| c.rejected as f64 / c.rows_read.max(1) as f64;
    let line = |s: &crate::config::SourcePlan, c: &RowCounts, file: &Option<String>| {
        format!(
            "{}: {} of {} rows rejected ({:.1}%); reasons in {}",
            s.given,
            c.rejected,
            c.rows_read,
            100.0 * share(c),
            out_dir.join(file.as_deref().unwrap_or("rejects")).display()
        )
    };
    let over: Vec<String> = plan
        .sources
        .iter()
        .zip(counts)
        .zip(names)
        .filter(|((_, c), _)| c.rows_read > 0 && share(c) > plan.max_reject_share)
        .map(|((s, c), file)| line(s, c, file))
        .collect();
    if !over.is_empty() {
        return Err(Error::Rejected {
            sources: over,
            max_share: plan.max_reject_share,
        });
    }
    for ((s, c), file) in plan.sources.iter().zip(counts).zip(names) {
        if file.is_some() {
            log.warn("ingest", &line(s, c, file));
        }
    }
    Ok(())
}

/// The rejects of one source as CSV: `file, location, raw, reason`.
fn rejects_csv(batch: &Batch) -> Result<Vec<u8>> {
    let col_of =
        |f: fn(&ingest::Reject) -> &str| -> Vec<&str> { batch.rejects.iter().map(f).collect() };
    let mut frame = DataFrame::new(
        batch.rejects.len(),
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

/// The activity table's published columns: pseudonymised person, period label, §3 columns,
/// the rung flags and the rung.
fn activity_output_columns(ladder: &ladder::CompiledLadder) -> Vec<Expr> {
    [a::PERSON, a::PERIOD]
        .into_iter()
        .chain(a::COUNTS)
        .chain([a::ACTIVE, a::ENGAGED, a::CONTRIBUTOR, a::CREATOR, a::LURKER])
        .map(col)
        .chain(ladder.flags.iter().map(|(name, _)| col(name.as_str())))
        .chain([col(a::RUNG)])
        .collect()
}

fn input_rows(
    events: &[InputFile],
    counts: &[RowCounts],
    others: &[&InputFile],
) -> Vec<model::InputRow> {
    let mut rows: Vec<model::InputRow> = events
        .iter()
        .zip(counts)
        .map(|(f, c)| model::InputRow {
            role: f.role.clone(),
            kind: f.kind.clone(),
            file: f.given.clone(),
            rows_read: c.rows_read,
            accepted: c.accepted,
            duplicates: c.duplicates,
            excluded: c.excluded,
            rejected: c.rejected,
        })
        .collect();
    for f in others {
        rows.push(model::InputRow {
            role: f.role.clone(),
            kind: f.kind.clone(),
            file: f.given.clone(),
            rows_read: f.rows_read,
            accepted: f.rows_read,
            duplicates: 0,
            excluded: 0,
            rejected: 0,
        });
    }
    rows
}

/// Whether the roster gives `column` for anyone.
fn roster_knows(roster: &Option<(DataFrame, InputFile)>, column: &str) -> Result<bool> {
    Ok(match roster {
        Some((r, _)) => {
            r.column(column)
                .map_err(internal("reading the roster"))?
                .is_not_null()
                .sum()
                .unwrap_or(0)
                > 0
        }
        None => false,
    })
}

/// Whether any source gives views (view events, or view counts in a usage report): without
/// them reach cannot be measured, and the reach figures are empty rather than zero.
fn has_views(events: &LazyFrame, usage: Option<&LazyFrame>) -> Result<bool> {
    let fail = internal("looking for view data");
    let viewed = normalize::collect_streaming(
        events
            .clone()
            .filter(col(event::ACTION).eq(lit(crate::schema::Action::View.as_str())))
            .select([col(event::ACTION)])
            .limit(1),
    )
    .map_err(fail)?
    .height()
        > 0;
    if viewed {
        return Ok(true);
    }
    let Some(usage) = usage else {
        return Ok(false);
    };
    let counted = usage
        .clone()
        .select([col(a::VIEWS).cast(DataType::UInt64).sum()])
        .collect()
        .map_err(internal("looking for view data"))?;
    Ok(counted
        .column(a::VIEWS)
        .ok()
        .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
        .unwrap_or(0)
        > 0)
}

/// The ambassador table with the roster's email next to each person id, for a pipeline that
/// opts in with `reveal_ambassadors = true`.
fn reveal(table: DataFrame, roster: Option<&LazyFrame>) -> Result<DataFrame> {
    let Some(roster) = roster else {
        return Ok(table);
    };
    let names: Vec<Expr> = table
        .get_column_names_owned()
        .into_iter()
        .map(col)
        .chain([col(person::EMAIL)])
        .collect();
    table
        .lazy()
        .join(
            roster
                .clone()
                .select([col(person::PERSON_ID), col(person::EMAIL)]),
            [col(a::PERSON)],
            [col(person::PERSON_ID)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .select(names)
        .collect()
        .map_err(internal("adding emails to ambassadors"))
}

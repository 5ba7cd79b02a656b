//! The commands that read a pipeline's inputs, `run`, `ingest` and `validate`, written as the
//! data walks: read the inputs, prepare the events, measure, weigh the outcomes, draw the
//! report, publish. Each leg lives in its own file and hands the next a named struct; this
//! file only calls them in order, so that the walk reads on one screen. This module is the
//! only one that knows every stage; it decides nothing a stage could.
//!
//! What each file holds: the legs above; `health.rs` is the store leg's check of the delivery
//! before it is merged (on a kept store: a flag logged with its `check` name, in the manifest and
//! the report, exit 3 at the end; `on_flag = "stop"` ends the run before the merge); `practice.rs`
//! is the measure leg's part for README "What people say, campaigns and leaders" (the profile survey compared and suppressed, each
//! campaign's series and effects, an audience nobody is in refused at its line, leaders' presence);
//! `assemble.rs` reads the small result frames into `render::model::Report` (`assemble/practice.rs`
//! for §9); `bodies.rs` is the read leg's part for themes (a counter per source, the roster's
//! names, the store's term counts). The legs decide nothing a stage could

mod assemble;
mod bodies;
mod health;
mod manifest;
mod measure;
mod outcome;
mod practice;
mod prepare;
mod publish;
mod read;
mod rejects;
mod report;
mod setup;

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;

use crate::error::Result;
use crate::log::{Log, Progress};
pub use manifest::Timings;
pub use setup::Setup;

/// What `engage run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub pipeline: PathBuf,
    pub as_of: Option<NaiveDate>,
    pub out: Option<PathBuf>,
    pub log: Log,
    pub events_from: EventsFrom,
    /// Store months to empty and fill again from the sources (`--rebuild-month`).
    pub rebuild_months: Vec<String>,
    /// Tonight's health figures become the reference whatever they are (`--accept-health`).
    pub accept_health: bool,
}

/// Where a run's steps that grow with events run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsFrom {
    /// Here, over the store.
    Local,
    /// On Spark over the store, with the pipeline's `[spark] submit`.
    Spark,
    /// Already done: the tables a Spark job wrote to this folder.
    Aggregates(PathBuf),
}

/// What a run produced, for the command line to report.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub output: PathBuf,
    pub periods: usize,
    pub events: u64,
}

/// `engage run`: a pipeline end to end.
pub fn run(opts: &RunOptions) -> Result<RunSummary> {
    let mut timings = Timings::start();
    let setup = Setup::open(&opts.pipeline, opts.out.clone(), opts.log)?;
    let progress = Progress::new(&opts.log, setup.plan.inputs.sources.len() as u64 + 5);
    let (inputs, prepared) = events(&setup, opts, &progress, &mut timings)?;

    let t = Instant::now();
    progress.step("computing the activity table and the ladder");
    let terms = inputs.terms.as_ref();
    let answers = inputs.small.profile.as_ref().map(|p| &p.answers);
    let measured = measure::all(&setup, &prepared, terms, answers, opts.as_of, &mut timings)?;
    timings.lap("metrics", t);
    progress.done(measured.activity.height() as u64, t);

    let t = Instant::now();
    let weighed = outcome::weigh(&setup, &inputs, &prepared, &measured)?;
    timings.lap("outcomes", t);
    progress.done(0, t);

    let t = Instant::now();
    let drawn = report::draw(&setup, &inputs, &prepared, &measured, &weighed, opts.as_of)?;
    timings.lap("render", t);
    progress.done(0, t);

    let t = Instant::now();
    let profile_rejects = inputs
        .small
        .profile
        .as_ref()
        .map_or(&[][..], |p| &p.rejects);
    let files = publish::files(
        &setup,
        &inputs.records,
        profile_rejects,
        measured,
        weighed,
        drawn.files,
    )?;
    let written = publish::write(&setup, files)?;
    timings.lap("write", t);
    progress.done(0, t);
    progress.finish();
    let book = manifest::Book {
        inputs: &inputs,
        rows: &drawn.inputs,
        prepared: &prepared,
        key_source: &written.key_source,
        rejects_files: &written.rejects_files,
        profile_left_out: drawn.profile_left_out.as_ref(),
        campaigns: &drawn.campaigns,
    };
    let manifest = manifest::build(&setup, book, written.outputs, timings, opts.as_of);
    publish::finish(&setup, written.staged, manifest)?;
    // Everything is written; now the run may still fail for rejected input, or a feed that
    // looks broken.
    rejects::check(&setup, &inputs.records, &written.rejects_files)?;
    health::published(inputs.health.as_ref())?;
    Ok(RunSummary {
        output: setup.out_dir.clone(),
        periods: prepared.calendar.periods.len(),
        events: prepared.n_events,
    })
}

/// The read and prepare legs: the events to measure, read and kept here, or computed by
/// Spark (submitted now, or earlier by the user) and handed on as tables.
fn events(
    setup: &Setup,
    opts: &RunOptions,
    progress: &Progress,
    timings: &mut Timings,
) -> Result<(read::Inputs, prepare::Prepared)> {
    let t = Instant::now();
    let (inputs, kept, t) = match &opts.events_from {
        EventsFrom::Aggregates(dir) => {
            let mut inputs = read::small_only(setup)?;
            inputs.terms = bodies::stored(&setup.plan)?;
            timings.lap("ingest", t);
            let t = Instant::now();
            timings.begin("store_to_ladder");
            let kept = prepare::handed(setup, dir, opts.as_of, &inputs.small)?;
            (inputs, kept, t)
        }
        from => {
            let place = prepare::place(setup)?;
            let mut inputs = read::spilled(setup, progress, &place.spill, opts.as_of)?;
            timings.lap("ingest", t);
            let t = Instant::now();
            timings.begin("store_to_ladder");
            progress.step("combining sources");
            let checks = prepare::Checks {
                accept: opts.accept_health,
            };
            let added = prepare::store(
                setup,
                &place,
                &mut inputs,
                opts.as_of,
                &opts.rebuild_months,
                Some(checks),
            )?;
            let kept = match from {
                EventsFrom::Spark => prepare::on_spark(setup, place, added, opts.as_of, &inputs)?,
                _ => prepare::keep(setup, place, added, opts.as_of)?,
            };
            (inputs, kept, t)
        }
    };
    let Some(prepared) = prepare::events(setup, kept, &inputs, opts.as_of)? else {
        return Err(rejects::no_events(setup, &inputs.records, opts.as_of));
    };
    timings.lap("normalize", t);
    progress.done(prepared.n_events, t);
    Ok((inputs, prepared))
}

/// What `run` refuses when nothing is left of the sources (`rejects::no_events`), `validate`
/// refuses too: every row rejected or excluded and no usage counts, with no store that could
/// still hold events.
fn refuse_empty(plan: &crate::plan::Plan, inputs: &read::Inputs) -> Result<()> {
    let left = inputs.records.iter().any(|r| {
        let c = &r.counts;
        c.rows_read > c.rejected + c.excluded
    });
    if left || plan.output.store.is_some() || inputs.usage.iter().any(Option::is_some) {
        return Ok(());
    }
    let lines: Vec<String> = inputs
        .records
        .iter()
        .map(|r| {
            let c = &r.counts;
            format!(
                "{}: {} rows read, {} rejected, {} excluded",
                r.source.given, c.rows_read, c.rejected, c.excluded
            )
        })
        .collect();
    Err(crate::error::Error::Usage {
        message: format!(
            "a run would find no events: every row the sources hold is rejected or excluded\n  {}",
            lines.join("\n  ")
        ),
        help: "run it to get the rejects file with every row's reason, correct those rows (or the source's settings: columns, actions, timezone), then validate again".into(),
    })
}

/// `engage spark-job`: writes the pipeline's event-scale step as a PySpark job in `out`.
pub fn spark_job(
    pipeline: &std::path::Path,
    out: &std::path::Path,
    as_of: Option<NaiveDate>,
) -> Result<PathBuf> {
    let plan = Setup::check(pipeline)?;
    let small = read::small(&plan)?;
    prepare::write_job(&plan, &small, as_of, out)
}

/// `engage ingest`: adds the sources to the pipeline's event store and computes nothing.
pub fn ingest(pipeline: &std::path::Path, log: Log, rebuild: &[String]) -> Result<RunSummary> {
    let setup = Setup::open_store(pipeline, log)?;
    let progress = Progress::new(&log, setup.plan.inputs.sources.len() as u64);
    let place = prepare::place(&setup)?;
    let mut inputs = read::spilled(&setup, &progress, &place.spill, None)?;
    let added = prepare::store(&setup, &place, &mut inputs, None, rebuild, None)?;
    progress.finish();
    let written = rejects::write(&setup, &inputs.records)?;
    rejects::check(&setup, &inputs.records, &written)?;
    Ok(RunSummary {
        output: added.store,
        periods: 0,
        events: added.events_added,
    })
}

/// `engage validate`: checks the pipeline file, the rung conditions and where the run would
/// write, and reads every input as `run` does, without computing or writing anything.
pub fn validate(pipeline: &std::path::Path, log: Log) -> Result<()> {
    let plan = Setup::check(pipeline)?;
    if let Some(store) = &plan.output.store {
        crate::store::Store::verify(store)?;
    }
    let progress = Progress::new(&log, plan.inputs.sources.len() as u64);
    let how = read::How {
        step: "validate",
        spill: None,
        as_of: None,
    };
    let inputs = read::inputs(&plan, log, &progress, how)?;
    progress.finish();
    refuse_empty(&plan, &inputs)?;
    log.info(
        "validate",
        &format!("{} is valid", pipeline.display()),
        &[("sources", plan.inputs.sources.len() as u64)],
    );
    Ok(())
}

//! engage: from the activity exports of an internal social network to an engagement ladder,
//! participation figures and a report for management.
//!
//! Data flows one way, and a module imports only from the stages before it:
//!
//! ```text
//! ingest (read each format) -> normalize (dedup, time zones, periods, population)
//!   -> metrics (activity table, ladder, rates) -> outcomes (privacy; later HR joins)
//!   -> render (charts, HTML; plain structs only)
//! ```
//!
//! `plan` reads the pipeline file, `run` walks the stages in order and `output` writes their
//! results atomically; `vocabulary` names every column, action and metric once.
#![warn(clippy::too_many_lines)]

pub(crate) mod bench;
pub(crate) mod checkpoint;
pub mod cli;
pub(crate) mod columns;
pub(crate) mod error;
pub mod ingest;
pub(crate) mod lock;
pub(crate) mod log;
pub mod metrics;
pub mod normalize;
pub mod outcomes;
pub(crate) mod output;
pub mod plan;
pub mod render;
pub mod run;
pub(crate) mod sample;
pub(crate) mod spark;
pub(crate) mod store;
pub mod vocabulary;

pub use error::{Error, Result};

/// Runs one command line. Progress and problems go to stderr through [`log::Log`]; results
/// go to files.
pub fn run(cli: cli::Cli) -> Result<()> {
    let log = log::Log {
        format: cli.log_format,
        quiet: cli.quiet,
    };
    // Errors are logged under the command's name, as a scheduler's alert would quote it.
    let step = match &cli.command {
        cli::Command::Run { .. } => "run",
        cli::Command::SparkJob { .. } => "spark-job",
        cli::Command::Validate { .. } => "validate",
        cli::Command::Ingest { .. } => "ingest",
        cli::Command::Sample { .. } => "sample",
        cli::Command::BenchData { .. } => "bench-data",
    };
    let outcome = dispatch(cli.command, log);
    if let Err(e) = &outcome {
        log.error(step, &e.to_string());
    }
    outcome
}

/// Each command to the function that does it, and what it did to the log.
fn dispatch(command: cli::Command, log: log::Log) -> Result<()> {
    match command {
        cli::Command::Run {
            pipeline,
            as_of,
            out,
            aggregates,
            engine,
            rebuild_month,
            accept_health,
        } => {
            let events_from = match (aggregates, engine) {
                (Some(dir), _) => run::EventsFrom::Aggregates(dir),
                (None, cli::Engine::Spark) => run::EventsFrom::Spark,
                (None, cli::Engine::Local) => run::EventsFrom::Local,
            };
            run_command(run::RunOptions {
                pipeline,
                as_of,
                out,
                log,
                events_from,
                rebuild_months: rebuild_month,
                accept_health,
            })?;
        }
        cli::Command::SparkJob {
            pipeline,
            out,
            as_of,
        } => {
            let job = run::spark_job(&pipeline, &out, as_of)?;
            log.info(
                "spark-job",
                &format!(
                    "wrote {job}; run it with `spark-submit {job} STORE_URI OUTPUT_URI`, then `engage run {} --aggregates OUTPUT_URI`",
                    pipeline.display(),
                    job = job.display(),
                ),
                &[],
            );
        }
        cli::Command::Validate { pipeline } => run::validate(&pipeline, log)?,
        cli::Command::Ingest {
            pipeline,
            rebuild_month,
        } => {
            let summary = run::ingest(&pipeline, log, &rebuild_month)?;
            log.info(
                "ingest",
                &format!("store {} is up to date", summary.output.display()),
                &[("events_added", summary.events)],
            );
        }
        cli::Command::Sample {
            out,
            people,
            months,
            seed,
            start,
        } => sample_command(
            &out,
            sample::Settings {
                people,
                months,
                seed,
                start,
            },
            log,
        )?,
        cli::Command::BenchData {
            out,
            events,
            people,
            months,
            seed,
        } => {
            let settings = bench::Settings {
                events,
                people: people.max(100),
                months,
                seed,
                start: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date"),
            };
            let n = bench::write(&settings, &out)?;
            log.info(
                "bench-data",
                &format!("wrote a benchmark store to {}", out.display()),
                &[("events", n)],
            );
        }
    }
    Ok(())
}

/// `engage run`, and where its report is.
fn run_command(options: run::RunOptions) -> Result<()> {
    let log = options.log;
    let summary = run::run(&options)?;
    log.info(
        "run",
        &format!("report at {}", summary.output.join("report.html").display()),
        &[
            ("events", summary.events),
            ("periods", summary.periods as u64),
        ],
    );
    Ok(())
}

fn sample_command(out: &std::path::Path, settings: sample::Settings, log: log::Log) -> Result<()> {
    let written = sample::write(&settings, out)?;
    log.info(
        "sample",
        &format!("wrote the demo organisation to {}", out.display()),
        &[
            ("people", written.people as u64),
            ("events", written.events as u64),
            ("survey_answers", written.answers as u64),
        ],
    );
    Ok(())
}

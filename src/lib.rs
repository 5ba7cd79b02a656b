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
//! `pipeline` runs the stages in order and `output` writes their results atomically.

pub mod cli;
pub mod config;
pub mod error;
pub mod ingest;
pub mod metrics;
pub mod normalize;
pub mod outcomes;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod sample;
pub mod schema;

pub use error::{Error, Result};

/// Runs one command line. Progress notes go to stderr; results go to files.
pub fn run(cli: cli::Cli) -> Result<()> {
    match cli.command {
        cli::Command::Run {
            pipeline,
            as_of,
            out,
        } => {
            let summary = pipeline::run(&pipeline::RunOptions {
                pipeline,
                as_of,
                out,
            })?;
            for note in &summary.notes {
                eprintln!("note: {note}");
            }
            eprintln!(
                "engage: {} events over {} periods; report at {}",
                summary.events,
                summary.periods,
                summary.output.join("report.html").display()
            );
            Ok(())
        }
        cli::Command::Sample {
            out,
            people,
            months,
            seed,
            start,
        } => {
            let written = sample::write(
                &sample::Settings {
                    people,
                    months,
                    seed,
                    start,
                },
                &out,
            )?;
            eprintln!(
                "engage: wrote {} people, {} events and {} survey answers to {}",
                written.people,
                written.events,
                written.answers,
                out.display()
            );
            Ok(())
        }
    }
}

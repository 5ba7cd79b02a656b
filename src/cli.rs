//! The command line, declared with clap derive so that `--help` documents every flag.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::log::LogFormat;

/// Measure what an internal social network is worth: engagement ladder, participation and
/// reach per period, from the exports the network produces.
///
/// Exit codes: 0 success; 1 error (the message says which file, line or key, and how to fix
/// it); 2 the run finished and wrote everything, but a source had more rejected rows than
/// max_reject_share allows; 64 the command line is wrong (an unknown flag, a bad date);
/// 75 another run holds the lock (try again later).
#[derive(Debug, Parser)]
#[command(name = "engage", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How to write progress and problems to stderr: `text` for people, `json` (one object per
    /// line: timestamp, level, step, message, counts) for schedulers and log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Print errors only.
    #[arg(long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a pipeline: read its sources, place everyone on the ladder each period, and write
    /// tables, charts, report.html and manifest.json to the output folder.
    Run {
        /// The pipeline file (TOML), e.g. pipelines/demo.toml.
        pipeline: PathBuf,
        /// Only use events before the end of this day (YYYY-MM-DD, in the pipeline's time
        /// zone); the last period reported is the one containing this day.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Write outputs here instead of the pipeline's `output` folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Compute every output from the tables a Spark job wrote here (`engage spark-job`)
        /// instead of reading events; the sources are not read. Give the same --as-of the job
        /// was written with.
        #[arg(long, value_name = "DIR", conflicts_with = "engine")]
        aggregates: Option<PathBuf>,
        /// Where the steps that grow with events run: `local`, or `spark` (the sources are
        /// added to the store here, the job is submitted with `[spark] submit` over the store,
        /// and the rest is computed from its tables).
        #[arg(long, value_enum, default_value_t = Engine::Local)]
        engine: Engine,
        /// Empty this month of the store (YYYY-MM; repeatable) before adding the sources, and
        /// fill it from what they hold: the repair for a month the store reports missing or
        /// damaged. Without exports that cover the month, its events are gone.
        #[arg(long = "rebuild-month", value_name = "YYYY-MM", value_parser = parse_month_label)]
        rebuild_month: Vec<String>,
        /// Take tonight's delivery as the new normal: its action shares, new accounts, reject
        /// share and roster groups become what later nights are compared with, and a flag
        /// neither stops nor fails this run (a changed feed that is meant to be so).
        #[arg(long)]
        accept_health: bool,
    },
    /// Write the pipeline's event-scale step as a self-contained PySpark job
    /// (DIR/engage_job.py), to run over the pipeline's store on a cluster; then
    /// `engage run --aggregates` computes the rest from the tables it writes.
    SparkJob {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
        /// Folder to write engage_job.py to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only use events before the end of this day (YYYY-MM-DD, in the pipeline's time
        /// zone), as `engage run --as-of`.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Add the pipeline's sources to its event store (`[pipeline] store`) without computing:
    /// what the store already holds is skipped, and only months that gain events are rewritten.
    Ingest {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
        /// Empty this month of the store (YYYY-MM; repeatable) before adding the sources, and
        /// fill it from what they hold: the repair for a month the store reports missing or
        /// damaged. Without exports that cover the month, its events are gone.
        #[arg(long = "rebuild-month", value_name = "YYYY-MM", value_parser = parse_month_label)]
        rebuild_month: Vec<String>,
    },
    /// Check a pipeline without computing or writing anything: the pipeline file, the rung
    /// conditions, the output folder, and every input read as `run` reads it.
    Validate {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
    },
    /// Generate a realistic, deterministic demo organisation: people.csv, events.csv and
    /// surveys.csv in canonical form.
    Sample {
        /// Folder to write the three CSV files to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// People employed at the start (hires during the months add to this).
        #[arg(long, default_value_t = 500)]
        people: u32,
        /// Number of calendar months of activity.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Random seed: the same seed and settings give byte-identical files.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// First month of activity.
        #[arg(long, value_name = "YYYY-MM", default_value = "2025-10", value_parser = parse_month)]
        start: NaiveDate,
    },
    /// Generate a large synthetic event store for measuring speed: Parquet partitions per
    /// month in DIR/store, a roster, and DIR/bench.toml to run over them.
    BenchData {
        /// Folder to write the store, roster and pipeline to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Number of events, e.g. 1000000.
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// Number of people (50,000 to 200,000 is a large organisation).
        #[arg(long, default_value_t = 50_000)]
        people: u32,
        /// Number of calendar months the events spread over.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Random seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

/// Where a run's steps that grow with events run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// On this machine, a part of the store at a time.
    Local,
    /// On Apache Spark, over the store, submitted with `[spark] submit`.
    Spark,
}

/// Exit code for a command line that cannot be parsed (sysexits' EX_USAGE): not 2, which
/// means a finished run with too many rejected rows.
pub const USAGE_EXIT: u8 = 64;

/// Parses the command line. Help and version print and exit 0; a wrong command line prints
/// clap's message and exits with [`USAGE_EXIT`].
pub fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|e| {
        let _ = e.print();
        let code = if e.use_stderr() { USAGE_EXIT } else { 0 };
        std::process::exit(code.into())
    })
}

/// Dates before 1900 or after 2199 are typos; refusing them keeps period arithmetic sound.
fn in_years(d: NaiveDate, s: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike;
    if (1900..=2199).contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!("{s:?} is outside the years 1900-2199"))
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-30"))
        .and_then(|d| in_years(d, s))
}

fn parse_month(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a month; write it as YYYY-MM, e.g. 2025-01"))
        .and_then(|d| in_years(d, s))
}

/// A store month, `YYYY-MM`, as its partition folder names it.
fn parse_month_label(s: &str) -> Result<String, String> {
    parse_month(s).map(|d| d.format("%Y-%m").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dates_parse_or_explain() {
        assert_eq!(
            parse_date("2025-06-30").unwrap(),
            NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
        );
        assert!(parse_date("30/06/2025").unwrap_err().contains("YYYY-MM-DD"));
        assert_eq!(
            parse_month("2025-02").unwrap(),
            NaiveDate::from_ymd_opt(2025, 2, 1).unwrap()
        );
        assert!(parse_date("9999-12-31").unwrap_err().contains("1900-2199"));
        assert!(parse_month("0001-01").unwrap_err().contains("1900-2199"));
    }
}

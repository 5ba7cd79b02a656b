//! One error type for the library. Every message names the file and line (or the pipeline key)
//! and ends with what the user can do about it, because the people who read these messages are
//! analysts and schedulers, not the authors of the code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A value in an input that could not be read, located by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    pub value: String,
}

/// Rows of an input that fail one check.
#[derive(Debug)]
pub struct BadValues {
    pub path: PathBuf,
    pub column: String,
    pub problem: String,
    /// The first few failing rows.
    pub examples: Vec<BadValue>,
    /// How many rows fail.
    pub count: u64,
    pub help: String,
}

/// A rung condition that cannot be used.
#[derive(Debug)]
pub struct RungError {
    pub path: PathBuf,
    pub key: String,
    pub rung: String,
    pub condition: String,
    pub message: String,
    /// The columns a condition may use, for the help text.
    pub columns: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}\nhelp: {help}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
        help: String,
    },

    #[error("cannot write {}: {source}\nhelp: {}", path.display(), write_help(path, source))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A write refused for want of space: what was being written and how much it needed.
    #[error("cannot write {}: the disk is full ({needed} bytes were needed for this file)\nhelp: free space on the disk that holds {} (or the quota there), then run again; a store, its spill and the output folder need about as much free space as the exports they read", path.display(), path.parent().unwrap_or(path).display())]
    DiskFull { path: PathBuf, needed: u64 },

    #[error("{}: {message}\nhelp: {help}", location(path, *line))]
    Pipeline {
        path: PathBuf,
        line: Option<usize>,
        message: String,
        help: String,
    },

    /// A flaw in an input file at a line, found by engage rather than by a parser.
    #[error("{}:{line}: {message}\nhelp: {help}", path.display())]
    Input {
        path: PathBuf,
        line: u64,
        message: String,
        help: String,
    },

    #[error("{}: {format} is missing column(s) {}; the header has {}\nhelp: {help}", path.display(), list(missing), list(found))]
    MissingColumns {
        path: PathBuf,
        format: String,
        missing: Vec<String>,
        found: Vec<String>,
        help: String,
    },

    #[error("{}", bad_values(&.0.path, &.0.column, &.0.problem, &.0.examples, .0.count, &.0.help))]
    BadValues(Box<BadValues>),

    #[error("{}: rung `{}` ({}) has an invalid condition `{}`: {}\nhelp: write a SQL boolean expression over the activity columns ({}), for example \"replies + reactions >= 3 AND active_days >= 2\"", .0.path.display(), .0.rung, .0.key, .0.condition, .0.message, .0.columns)]
    Rung(Box<RungError>),

    #[error("{what}: {}\nhelp: {help}", excerpt(&source.to_string()))]
    Polars {
        what: String,
        source: polars::error::PolarsError,
        help: String,
    },

    #[error("{message}\nhelp: {help}")]
    Usage { message: String, help: String },

    /// The Spark job could not be submitted or failed; `log` holds what Spark printed.
    #[error("{message}{}\nhelp: {help}", log.as_ref().map(|l| format!("\nthe job's log: {}", l.display())).unwrap_or_default())]
    Spark {
        message: String,
        log: Option<PathBuf>,
        help: String,
    },

    /// A fault in engage itself: no input or setting can cause it, so the user cannot fix it.
    #[error("internal fault while {what}: {}\nhelp: this is a bug in engage, not a problem with your data or settings; please report it with the command line, the pipeline file and this message", excerpt(detail))]
    Internal { what: String, detail: String },

    #[error("another run holds the lock {}: process {pid}, started {started_at}\nhelp: wait for it to finish; if that process is gone, the next run takes the lock over", path.display())]
    Locked {
        path: PathBuf,
        pid: u32,
        started_at: String,
    },

    /// A health check flagged a feed (README, "Health checks"): published with the flags
    /// (`on_flag = "warn"`), or stopped before the store or the report changed (`"stop"`).
    #[error("{}:\n  {}\nhelp: {}", if *stopped { "a feed looks broken, so nothing was stored or published (health.on_flag = \"stop\"): the store and the last report are as they were" } else { "the run finished, but a feed looks broken" }, flags.join("\n  "), if *stopped { "see the health lines in the log; once the feed is mended run again, or run with --accept-health if the change is the new normal" } else { "see the report's data quality section or the manifest's health; if the change is the new normal, run once with --accept-health" })]
    Unhealthy { flags: Vec<String>, stopped: bool },

    #[error("the run finished, but input was rejected over max_reject_share = {max_share}:\n  {}\nhelp: correct the export at the lines listed, or raise max_reject_share in [pipeline] if these rows may be lost", sources.join("\n  "))]
    Rejected {
        sources: Vec<String>,
        max_share: f64,
    },
}

impl Error {
    /// The process exit code for this error (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Rejected { .. } => 2,
            Error::Unhealthy { .. } => 3,
            Error::Locked { .. } => 75,
            _ => 1,
        }
    }

    /// Wraps a polars error with what we were doing and what the user can check.
    pub fn polars(
        what: impl Into<String>,
        help: impl Into<String>,
    ) -> impl FnOnce(polars::error::PolarsError) -> Error {
        let what = what.into();
        let help = help.into();
        move |source| Error::Polars { what, source, help }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error for a failed write to `path` (creating it, or a folder).
pub fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// The error for a failed write of `needed` bytes to `path`: a full disk or quota named as
/// such (never as a fault of engage), anything else as a write that failed.
pub fn write_failed(path: &Path, needed: u64) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| {
        use std::io::ErrorKind;
        if matches!(
            source.kind(),
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded
        ) {
            Error::DiskFull {
                path: path.to_path_buf(),
                needed,
            }
        } else {
            Error::Write {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// Starts the message of a polars error raised for a flaw in a table a Spark job handed on
/// (`--aggregates`): a table with a column dropped or a count below zero is the user's to
/// fix by running the job again, so [`internal`] reports it as such, not as a bug.
pub const HANDED_ON_FLAW: &str = "engage: a handed-on table is flawed: ";

/// Wraps a polars error in a step that user input cannot make fail: a bug to report. The one
/// input that reaches these steps, a Spark job's tables, is checked as it is read; what that
/// check finds ([`HANDED_ON_FLAW`]) is reported as the user's error.
pub fn internal(what: impl Into<String>) -> impl FnOnce(polars::error::PolarsError) -> Error {
    let what = what.into();
    move |source| {
        let message = source.to_string();
        match message.find(HANDED_ON_FLAW) {
            Some(at) => Error::Usage {
                message: message[at + HANDED_ON_FLAW.len()..].to_string(),
                help: "run the Spark job again over the store (spark-submit engage_job.py STORE_URI OUTPUT_URI) and give its output folder to --aggregates as it wrote it; engage reads no table edited or written by another program".into(),
            },
            None => fault(what, source),
        }
    }
}

/// An internal fault: what engage was doing and what went wrong.
pub fn fault(what: impl Into<String>, detail: impl std::fmt::Display) -> Error {
    Error::Internal {
        what: what.into(),
        detail: detail.to_string(),
    }
}

/// Longest part of a parser's message that an error repeats: parsers quote the input they
/// choke on, and a broken line can be megabytes of other people's data.
const EXCERPT_CHARS: usize = 240;

/// A parser's message cut to [`EXCERPT_CHARS`] on one line, so no error or log line carries
/// more than a short excerpt of the input.
pub fn excerpt(message: &str) -> String {
    let one_line: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut chars = one_line.char_indices();
    match chars.nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}… (cut)", &one_line[..end]),
        None => one_line,
    }
}

/// What to do about a failed write: a full disk (or quota) named with the disk's folder.
fn write_help(path: &Path, source: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match source.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => format!(
            "the disk is full: free space on the disk that holds {} (or the quota there), then run again",
            path.parent().unwrap_or(path).display()
        ),
        _ => "check that the folder is writable and the disk is not full".into(),
    }
}

fn location(path: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "no columns".to_string()
    } else {
        items.join(", ")
    }
}

fn bad_values(
    path: &Path,
    column: &str,
    problem: &str,
    examples: &[BadValue],
    count: u64,
    help: &str,
) -> String {
    let mut out = String::new();
    let first = examples.first().map(|b| b.line);
    match first {
        Some(line) => {
            let _ = write!(
                out,
                "{}:{line}: {problem} in column `{column}`",
                path.display()
            );
        }
        None => {
            let _ = write!(out, "{}: {problem} in column `{column}`", path.display());
        }
    }
    let _ = write!(out, " ({count} row{})", if count == 1 { "" } else { "s" });
    for b in examples {
        let _ = write!(out, "\n  line {}: {:?}", b.line, b.value);
    }
    if count > examples.len() as u64 {
        let _ = write!(out, "\n  ... and {} more", count - examples.len() as u64);
    }
    let _ = write!(out, "\nhelp: {help}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // An internal fault says it is a bug and asks for a report, exits 1 like other errors,
    // and is not mistaken for a problem with the input.
    #[test]
    fn an_internal_fault_says_it_is_a_bug() {
        let polars_error = polars::error::PolarsError::ComputeError("shape mismatch".into());
        let err = internal("building the activity table")(polars_error);
        let text = err.to_string();
        assert!(
            text.starts_with("internal fault while building the activity table: shape mismatch"),
            "{text}"
        );
        assert!(text.contains("this is a bug in engage"), "{text}");
        assert!(text.contains("please report it"), "{text}");
        assert_eq!(err.exit_code(), 1);
        assert!(matches!(err, Error::Internal { .. }));
    }
}

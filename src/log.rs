//! Run logs on stderr: readable lines for a person at a terminal, one JSON object per line for
//! schedulers (`--log-format json`), errors only with `--quiet`. Logs never go into the
//! outputs, so tables and reports stay byte-identical between runs.

use std::io::Write as _;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// `engage [step] message (count=n, ...)`
    #[default]
    Text,
    /// `{"timestamp": ..., "level": ..., "step": ..., "message": ..., "counts": {...}}`
    Json,
}

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Where a run reports what it does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub format: LogFormat,
    /// Errors only.
    pub quiet: bool,
}

impl Log {
    /// One log line as text, without writing it (for tests).
    pub fn line(&self, level: Level, step: &str, message: &str, counts: &[(&str, u64)]) -> String {
        match self.format {
            LogFormat::Text => {
                let mut s = format!("engage [{step}] {message}");
                if !counts.is_empty() {
                    let parts: Vec<String> =
                        counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    s.push_str(&format!(" ({})", parts.join(", ")));
                }
                if level != Level::Info {
                    s = format!("{}: {s}", level.as_str());
                }
                s
            }
            LogFormat::Json => {
                let counts: serde_json::Map<String, serde_json::Value> = counts
                    .iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
                    .collect();
                serde_json::json!({
                    "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "level": level.as_str(),
                    "step": step,
                    "message": message,
                    "counts": counts,
                })
                .to_string()
            }
        }
    }

    pub fn emit(&self, level: Level, step: &str, message: &str, counts: &[(&str, u64)]) {
        self.write(level, self.line(level, step, message, counts));
    }

    /// A log line with named fields: in JSON, the fields of `fields` (an object) sit beside
    /// `step` and `message`, so an alerting rule can match them (`"check": "volume"`); as text,
    /// the message alone.
    pub fn emit_fields(&self, level: Level, step: &str, message: &str, fields: &serde_json::Value) {
        let line = match (self.format, fields) {
            (LogFormat::Json, serde_json::Value::Object(extra)) => {
                let mut object = serde_json::json!({
                    "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "level": level.as_str(),
                    "step": step,
                    "message": message,
                });
                if let serde_json::Value::Object(o) = &mut object {
                    for (k, v) in extra {
                        o.entry(k.clone()).or_insert(v.clone());
                    }
                }
                object.to_string()
            }
            _ => self.line(level, step, message, &[]),
        };
        self.write(level, line);
    }

    fn write(&self, level: Level, line: String) {
        if self.quiet && level < Level::Error {
            return;
        }
        let write = || {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        };
        // A line printed under a progress bar would be torn by it: the bar steps aside.
        // Under a bar, the bar shows progress; warnings and errors still print.
        match ACTIVE_BAR.lock().ok().and_then(|b| b.clone()) {
            Some(_) if level == Level::Info => {}
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    pub fn info(&self, step: &str, message: &str, counts: &[(&str, u64)]) {
        self.emit(Level::Info, step, message, counts);
    }

    pub fn warn(&self, step: &str, message: &str) {
        self.emit(Level::Warn, step, message, &[]);
    }

    pub fn error(&self, step: &str, message: &str) {
        self.emit(Level::Error, step, message, &[]);
    }
}

/// The progress bar on screen, if any, so log lines can be printed around it.
static ACTIVE_BAR: std::sync::Mutex<Option<indicatif::ProgressBar>> = std::sync::Mutex::new(None);

/// A progress bar over a run's steps, drawn only for a person at a terminal (text logs, not
/// quiet, stderr a terminal); elsewhere it draws nothing.
pub struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    pub fn new(log: &Log, steps: u64) -> Progress {
        use std::io::IsTerminal;
        let shown = log.format == LogFormat::Text && !log.quiet && std::io::stderr().is_terminal();
        let bar = if shown {
            let bar = indicatif::ProgressBar::new(steps);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed:>4} [{bar:30}] {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        if shown {
            if let Ok(mut active) = ACTIVE_BAR.lock() {
                *active = Some(bar.clone());
            }
        }
        Progress { bar }
    }

    /// Starts a step.
    pub fn step(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    /// Ends a step, with the rate at which it handled `rows` since `started`.
    pub fn done(&self, rows: u64, started: std::time::Instant) {
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        if rows > 0 {
            self.bar
                .set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / secs));
        }
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if let Ok(mut active) = ACTIVE_BAR.lock() {
            *active = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_parse_and_carry_the_fields() {
        let log = Log {
            format: LogFormat::Json,
            quiet: false,
        };
        let line = log.line(Level::Warn, "ingest", "read \"x\"", &[("rows_read", 12)]);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["level"], "warn");
        assert_eq!(v["step"], "ingest");
        assert_eq!(v["message"], "read \"x\"");
        assert_eq!(v["counts"]["rows_read"], 12);
        assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(!line.contains('\n'));
    }

    #[test]
    fn text_lines_are_readable() {
        let log = Log::default();
        assert_eq!(
            log.line(
                Level::Info,
                "metrics",
                "done",
                &[("people", 3), ("periods", 2)]
            ),
            "engage [metrics] done (people=3, periods=2)"
        );
        assert_eq!(
            log.line(Level::Error, "run", "boom", &[]),
            "error: engage [run] boom"
        );
    }
}

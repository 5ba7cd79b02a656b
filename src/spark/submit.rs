//! Submits the job for `engage run --engine spark` with the pipeline's `[spark] submit`
//! command and waits for it. What Spark prints goes to a log file in the output folder, so a
//! failure can be named by its log and the last lines that say why.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// Runs `command JOB STORE OUT`, Spark's output in `log`.
pub fn run(command: &[String], job: &Path, store: &str, out: &Path, log: &Path) -> Result<()> {
    let program = command
        .first()
        .map(String::as_str)
        .unwrap_or("spark-submit");
    let file = std::fs::File::create(log).map_err(|source| Error::Write {
        path: log.to_path_buf(),
        source,
    })?;
    let err = file.try_clone().map_err(|source| Error::Write {
        path: log.to_path_buf(),
        source,
    })?;
    let status = Command::new(program)
        .args(&command[1.min(command.len())..])
        .arg(job)
        .arg(store)
        .arg(out)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status();
    let status = match status {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Spark {
                message: format!("cannot submit the Spark job: `{program}` was not found"),
                log: None,
                help: "install Spark where engage runs (Java 17, then `pip install pyspark` in a virtual environment whose bin is first on PATH), or set [spark] submit in the pipeline to the command that submits jobs to your cluster; or write the job with `engage spark-job` and run it on the cluster yourself, then `engage run --aggregates`".into(),
            });
        }
        Err(e) => {
            return Err(Error::Spark {
                message: format!("cannot submit the Spark job with `{program}`: {e}"),
                log: None,
                help:
                    "check [spark] submit in the pipeline: it must name a program this user may run"
                        .into(),
            })
        }
    };
    if status.success() {
        return Ok(());
    }
    let code = status
        .code()
        .map_or_else(|| "killed by a signal".into(), |c| format!("exit code {c}"));
    Err(Error::Spark {
        message: format!(
            "the Spark job failed ({code}){}",
            last_error(log)
                .map(|l| format!(":\n  {l}"))
                .unwrap_or_default()
        ),
        log: Some(log.to_path_buf()),
        help: "read the job's log; when Java is missing install a Java 17 runtime (Debian: openjdk-17-jre-headless), when the store cannot be read check [pipeline] store".into(),
    })
}

/// The last line of the log that names an error, to quote in the message.
fn last_error(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines()
        .rev()
        .find(|l| {
            l.contains("Error")
                || l.contains("Exception")
                || l.contains("error:")
                || l.contains("JAVA_HOME")
        })
        .map(|l| l.trim().chars().take(400).collect())
}

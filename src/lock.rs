//! One run at a time per output folder: a lock file holding the owner's pid and start time.
//! A second run exits at once (code 75) naming the holder; a lock left by a process that no
//! longer exists is taken over with a warning, so a killed run never blocks the next night.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The lock file's name inside the folder it guards.
pub const LOCK_FILE: &str = ".engage.lock";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub started_at: String,
}

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
    pid: u32,
}

/// Whether a process with this pid exists. Where that cannot be known, it is assumed to.
pub fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

fn write_new(path: &Path, holder: &Holder) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(
        serde_json::to_string(holder)
            .expect("serialisable")
            .as_bytes(),
    )?;
    file.sync_all()
}

impl RunLock {
    /// Takes the lock of `dir`, or says who holds it. `warn` hears about stale locks taken over.
    pub fn acquire(dir: &Path, warn: &dyn Fn(&str)) -> Result<RunLock> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(LOCK_FILE);
        let me = Holder {
            pid: std::process::id(),
            started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        for _ in 0..3 {
            match write_new(&path, &me) {
                Ok(()) => return Ok(RunLock { path, pid: me.pid }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder: Option<Holder> = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| serde_json::from_str(&t).ok());
                    match holder {
                        Some(h) if h.pid != me.pid && alive(h.pid) => {
                            return Err(Error::Locked {
                                path,
                                pid: h.pid,
                                started_at: h.started_at,
                            })
                        }
                        Some(h) => warn(&format!(
                            "taking over the lock {} left by process {} (started {}), which is no longer running",
                            path.display(),
                            h.pid,
                            h.started_at
                        )),
                        None => warn(&format!(
                            "taking over the unreadable lock {}",
                            path.display()
                        )),
                    }
                    // Remove the stale lock and try to create ours; if another run got there
                    // first, the next round sees its lock.
                    let _ = std::fs::remove_file(&path);
                }
                Err(source) => return Err(Error::Write { path, source }),
            }
        }
        Err(Error::Usage {
            message: format!("could not take the lock {}", path.display()),
            help: "another run keeps taking it; check for runs started in a loop".into(),
        })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Only remove the lock if it is still ours.
        let ours = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str::<Holder>(&t).ok())
            .is_some_and(|h| h.pid == self.pid);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_keeps_the_lock_and_a_dead_one_loses_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        // pid 1 always runs on Linux.
        let live = Holder {
            pid: 1,
            started_at: "2026-01-01T00:00:00Z".into(),
        };
        std::fs::write(&path, serde_json::to_string(&live).unwrap()).unwrap();
        let err = RunLock::acquire(dir.path(), &|_| {}).unwrap_err();
        assert_eq!(err.exit_code(), 75);
        let text = err.to_string();
        assert!(
            text.contains("process 1") && text.contains("2026-01-01T00:00:00Z"),
            "{text}"
        );

        // A pid beyond the kernel's maximum never runs.
        let dead = Holder {
            pid: 4_194_304 + 7,
            started_at: "2026-01-01T00:00:00Z".into(),
        };
        std::fs::write(&path, serde_json::to_string(&dead).unwrap()).unwrap();
        let warned = std::cell::RefCell::new(Vec::new());
        let lock =
            RunLock::acquire(dir.path(), &|w| warned.borrow_mut().push(w.to_string())).unwrap();
        assert_eq!(warned.borrow().len(), 1);
        assert!(warned.borrow()[0].contains("no longer running"));
        drop(lock);
        assert!(!path.exists());
    }
}

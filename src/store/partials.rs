//! Partial results kept beside the store's partitions, so that a nightly run recomputes only
//! the parts whose events changed and combines the rest. Each file is named by the SHA-256 of
//! everything that shaped it: the partitions' contents, every change made to the events on
//! the way (the as-of cut-off, the time zone and period kind, the identity mapping, which the
//! roster decides), the periods the part holds alone, and the query with its settings. A
//! changed input changes the name, so a stale result is never read; a file that cannot be read
//! is computed again. The files a run did not use are removed when it ends.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output;

/// The folder of partial results beside a store's partitions.
pub struct Partials {
    dir: PathBuf,
    used: Mutex<BTreeSet<String>>,
    reused: AtomicU64,
    computed: AtomicU64,
}

/// How many partial results a run read back and how many it computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reuse {
    pub reused: u64,
    pub computed: u64,
}

impl Partials {
    /// The partial results of the store at `root` (`root/partials/`).
    pub fn open(root: &Path) -> Self {
        Self {
            dir: root.join("partials"),
            used: Mutex::new(BTreeSet::new()),
            reused: AtomicU64::new(0),
            computed: AtomicU64::new(0),
        }
    }

    /// The result kept under `key`, or `compute`'s, kept under `key` for the next run.
    pub fn get_or(
        &self,
        key: &str,
        compute: impl FnOnce() -> PolarsResult<DataFrame>,
    ) -> PolarsResult<DataFrame> {
        let name = format!("{}.parquet", hex::encode(Sha256::digest(key.as_bytes())));
        let path = self.dir.join(&name);
        if let Ok(mut used) = self.used.lock() {
            used.insert(name);
        }
        if let Some(frame) = read(&path) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(frame);
        }
        let mut frame = compute()?;
        let to_polars = |e: Error| PolarsError::ComputeError(e.to_string().into());
        let bytes = output::parquet_bytes(&mut frame, "a partial result").map_err(to_polars)?;
        output::write_atomic(&path, &bytes).map_err(to_polars)?;
        self.computed.fetch_add(1, Ordering::Relaxed);
        Ok(frame)
    }

    /// Removes the partial results this run did not use (they belong to partitions or
    /// settings that no longer hold) and says how many it reused.
    pub fn retire(&self) -> Result<Reuse> {
        let used = self.used.lock().map(|u| u.clone()).unwrap_or_default();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".parquet") && !used.contains(&name) {
                    let path = entry.path();
                    std::fs::remove_file(&path).map_err(|source| Error::Write { path, source })?;
                }
            }
        }
        Ok(Reuse {
            reused: self.reused.load(Ordering::Relaxed),
            computed: self.computed.load(Ordering::Relaxed),
        })
    }
}

/// A kept result, or `None` when there is none or it cannot be read (then it is computed and
/// written again).
fn read(path: &Path) -> Option<DataFrame> {
    let file = std::fs::File::open(path).ok()?;
    ParquetReader::new(file).finish().ok()
}

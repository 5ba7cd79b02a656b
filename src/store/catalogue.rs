//! What the store holds, written down: `catalogue.json` at the store's root lists every month
//! with its rows, bytes and the SHA-256 of its partition. A run checks the partitions against
//! it before it reads or merges them, so a month that was deleted, truncated, replaced or
//! damaged by one flipped bit stops the run naming the month, instead of being computed from
//! as if whole (README, "The store"). Hashing a partition costs a read of its bytes, so a
//! partition is hashed only when its length or modification time differ from those recorded
//! when it was last checked; a partition written by this run is recorded as checked.
//!
//! A merge records a month's new hash with the old one beside it (`previous`) before it renames
//! the new partition into place, and drops `previous` once every month is written: a run
//! killed between the two finds either version, each accounted for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::output;

/// The catalogue's file name, at the store's root.
pub const FILE: &str = "catalogue.json";
/// The layout version this engage writes.
const VERSION: u32 = 1;

/// One month of the store as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Month {
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
    /// While a merge rewrites the month: the partition it replaces (`None` inside: the month
    /// is new), so a run killed mid-merge finds the old partition accounted for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Option<Was>>,
    /// The length and modification time at the last check: while both stay the same the
    /// partition is not hashed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<Stamp>,
}

/// A month as it was before a merge began rewriting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Was {
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

/// A partition file's length and modification time (ns since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub bytes: u64,
    pub modified_ns: u128,
}

impl Stamp {
    /// The stamp of the file at `path`, if it is there.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let modified = meta.modified().ok()?;
        let modified_ns = modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(Stamp {
            bytes: meta.len(),
            modified_ns,
        })
    }
}

/// The catalogue of a store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub version: u32,
    /// By month, `YYYY-MM`.
    pub months: BTreeMap<String, Month>,
    /// The index of event ids (`ids.rs`), if built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Ids>,
}

/// What the index of event ids was built from and holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ids {
    /// A digest of the months (and their hashes) the index describes.
    pub months: String,
    /// Each bucket file (`NN.bin`): its keys (`rows`), bytes and hash.
    pub buckets: BTreeMap<String, Month>,
}

/// What is wrong with a month of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The catalogue lists it; its partition is gone.
    Missing { rows: u64 },
    /// Its partition's bytes are not those written.
    Changed { rows: u64, bytes: u64, now: u64 },
    /// A partition the catalogue does not list (copied in by hand, or from another store).
    Unlisted,
}

/// The error for a damaged month: what happened and how to repair it.
pub fn damaged(store: &Path, month: &str, damage: &Damage) -> Error {
    let folder = store.join("events").join(format!("period={month}"));
    let problem = match damage {
        Damage::Missing { rows } => format!(
            "the store's month {month} is missing: the catalogue lists {rows} events for it, and {} is gone",
            folder.display()
        ),
        Damage::Changed { rows, bytes, now } => format!(
            "the store's month {month} is damaged: its partition in {} no longer holds the bytes written ({rows} events in {bytes} bytes; now {now} bytes that hash differently)",
            folder.display()
        ),
        Damage::Unlisted => format!(
            "the store holds a month it did not write: {} is not in its catalogue",
            folder.display()
        ),
    };
    Error::Usage {
        message: problem,
        help: format!(
            "restore the store from a backup, or rebuild the month: run again with --rebuild-month {month} and every source's export that covers {month} (the month is emptied and filled from them; without such exports its events are lost, and the flag says you accept that)"
        ),
    }
}

fn unreadable(path: &Path, why: String) -> Error {
    Error::Usage {
        message: format!("the store's catalogue {} is damaged: {why}", path.display()),
        help: "restore the store from a backup, or move the store aside and ingest every export again into a new one".into(),
    }
}

/// The SHA-256 of a file's bytes and their length (streamed: a partition is never held).
pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    let (bytes, hash) = crate::ingest::read::fingerprint(path)?;
    Ok((hash, bytes))
}

impl Catalogue {
    /// The catalogue at `root`, `None` when the store has none yet.
    pub fn load(root: &Path) -> Result<Option<Catalogue>> {
        let path = root.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(Error::Read {
                    path,
                    source,
                    help: "check that the store folder is readable".into(),
                })
            }
        };
        let catalogue: Catalogue = serde_json::from_slice(&bytes)
            .map_err(|e| unreadable(&path, format!("it is not the JSON engage wrote ({e})")))?;
        if catalogue.version != VERSION {
            return Err(unreadable(
                &path,
                format!(
                    "it is of layout {}, and this engage reads layout {VERSION}",
                    catalogue.version
                ),
            ));
        }
        Ok(Some(catalogue))
    }

    /// An empty catalogue.
    pub fn new() -> Catalogue {
        Catalogue {
            version: VERSION,
            months: BTreeMap::new(),
            ids: None,
        }
    }

    /// Writes the catalogue atomically (synced when `durable`).
    pub fn save(&self, root: &Path, durable: bool) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| crate::error::fault("writing the store's catalogue", e))?;
        json.push(b'\n');
        output::write_replacing(&root.join(FILE), &json, durable)
    }

    /// Checks `partitions` (month, path) against the catalogue: each month's damage, in month
    /// order. Months whose stamp changed are hashed and, when whole, stamped anew; a merge a
    /// killed run left half done is settled. Whether the catalogue changed (and needs saving).
    pub fn check(
        &mut self,
        partitions: &[(String, PathBuf)],
    ) -> Result<(Vec<(String, Damage)>, bool)> {
        let on_disk: BTreeMap<&str, &PathBuf> =
            partitions.iter().map(|(m, p)| (m.as_str(), p)).collect();
        let mut damage = Vec::new();
        let mut changed = false;
        let mut never_written = Vec::new();
        for (month, entry) in self.months.iter_mut() {
            let Some(path) = on_disk.get(month.as_str()) else {
                if entry.previous == Some(None) {
                    never_written.push(month.clone());
                } else {
                    damage.push((month.clone(), Damage::Missing { rows: entry.rows }));
                }
                continue;
            };
            let stamp = Stamp::of(path);
            if stamp.is_some() && stamp == entry.checked && entry.previous.is_none() {
                continue;
            }
            let (hash, bytes) = hash_file(path)?;
            let before = entry.previous.take().flatten();
            match before {
                _ if hash == entry.sha256 => {}
                Some(was) if was.sha256 == hash => {
                    entry.rows = was.rows;
                    entry.bytes = was.bytes;
                    entry.sha256 = was.sha256;
                }
                _ => {
                    damage.push((
                        month.clone(),
                        Damage::Changed {
                            rows: entry.rows,
                            bytes: entry.bytes,
                            now: bytes,
                        },
                    ));
                    continue;
                }
            }
            entry.checked = stamp;
            changed = true;
        }
        for month in never_written {
            self.months.remove(&month);
            changed = true;
        }
        for (month, _) in partitions {
            if !self.months.contains_key(month) {
                damage.push((month.clone(), Damage::Unlisted));
            }
        }
        damage.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((damage, changed))
    }
}

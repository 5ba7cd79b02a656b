//! Where the sources' events wait between reading and the store: each batch an adapter hands
//! on is cut by UTC month and written as Parquet files (one per batch and month, read back
//! once), so that reading an export of any size holds one batch, and merging into the store
//! holds one month. The folder lives inside the store (or the working store) and is removed
//! once merged. Parquet with LZ4: Arrow IPC writes about five times the bytes, and on
//! these machines' disks (about 170 MB/s) writing them took longer than compressing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use polars::prelude::*;

use crate::error::{write_err, Error, Result};
use crate::vocabulary::event;

/// The column that says which input (source, in plan order) a spilled row came from.
pub const INPUT: &str = "__input";
const MONTH: &str = "__month";
/// The spill folder's name starts with this.
const PREFIX: &str = ".incoming-";

/// What [`Spill::months`] hands the store.
pub struct Spilled {
    /// Per UTC month key, its events.
    pub months: Vec<(i32, LazyFrame)>,
    /// Rows spilled per input.
    pub offered: Vec<u64>,
}

/// Events read but not yet in the store, by UTC month.
pub struct Spill {
    dir: tempfile::TempDir,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Per UTC month key (`year*12 + month-1`), its files in the order written.
    months: BTreeMap<i32, Vec<PathBuf>>,
    written: u64,
    /// Rows spilled per input.
    offered: Vec<u64>,
}

fn fail(what: &str) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |source| crate::error::fault(what, source)
}

/// The UTC month key (`year*12 + month-1`) of `occurred_at`.
pub fn month_key() -> Expr {
    let utc = col(event::OCCURRED_AT);
    utc.clone().dt().year().cast(DataType::Int32) * lit(12) + utc.dt().month().cast(DataType::Int32)
        - lit(1)
}

/// Writes one spilled file: encoded in memory first, so that a full disk is an error of the
/// write, naming the file and the bytes it needed, never a fault of the encoder.
fn write_spilled(path: &Path, part: &mut DataFrame) -> Result<()> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Lz4Raw)
        .with_statistics(StatisticsOptions::empty())
        .finish(part)
        .map_err(fail("spilling events"))?;
    std::fs::write(path, &bytes).map_err(crate::error::write_failed(path, bytes.len() as u64))
}

impl Spill {
    /// A new spill folder inside `root` (a store), for `inputs` sources.
    pub fn open(root: &Path, inputs: usize) -> Result<Spill> {
        std::fs::create_dir_all(root).map_err(write_err(root))?;
        // A spill left by a killed run (the caller holds the store's lock, so none is live).
        for entry in std::fs::read_dir(root).map_err(write_err(root))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(PREFIX) {
                std::fs::remove_dir_all(entry.path()).map_err(write_err(&entry.path()))?;
            }
        }
        let dir = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir_in(root)
            .map_err(write_err(root))?;
        Ok(Spill {
            dir,
            state: Mutex::new(State {
                offered: vec![0; inputs],
                ..State::default()
            }),
        })
    }

    /// Adds canonical events of input `input`, cut by UTC month.
    pub fn add(&self, input: usize, events: DataFrame) -> Result<()> {
        if events.height() == 0 {
            return Ok(());
        }
        let keyed = events
            .lazy()
            .select(event::ALL.map(col))
            .with_columns([lit(input as u32).alias(INPUT), month_key().alias(MONTH)])
            .collect()
            .map_err(fail("placing events in months"))?;
        let months: Vec<i32> = keyed
            .column(MONTH)
            .and_then(|c| c.unique_stable())
            .and_then(|c| c.i32().cloned())
            .map_err(fail("placing events in months"))?
            .iter()
            .flatten()
            .collect();
        let mut state = self
            .state
            .lock()
            .map_err(|_| crate::error::fault("spilling events", "a reader panicked"))?;
        // Under the lock: the key files are appended to by one reader at a time.
        self.keep_keys(&keyed)?;
        for month in months {
            let mut part = keyed
                .clone()
                .lazy()
                .filter(col(MONTH).eq(lit(month)))
                .drop(cols([MONTH]))
                .collect()
                .map_err(fail("placing events in months"))?;
            let path = self
                .dir
                .path()
                .join(format!("{:08}.parquet", state.written));
            state.written += 1;
            write_spilled(&path, &mut part)?;
            state.months.entry(month).or_default().push(path);
        }
        if let Some(n) = state.offered.get_mut(input) {
            *n += keyed.height() as u64;
        }
        Ok(())
    }

    /// Adds each row's key (fingerprint and month) to the delivered keys ([`Spill::keys`]),
    /// which the store's index is checked against. The rows themselves carry no fingerprint:
    /// the few months that hold a repeat compute theirs again when merged.
    fn keep_keys(&self, keyed: &DataFrame) -> Result<()> {
        let fps = super::ids::fingerprints(keyed).map_err(fail("fingerprinting events"))?;
        let months = keyed
            .column(MONTH)
            .and_then(|c| c.i32().cloned())
            .map_err(fail("fingerprinting events"))?;
        super::ids::append(
            &self.keys(),
            fps.iter()
                .zip(months.iter())
                .map(|(fp, m)| (*fp, m.unwrap_or(0))),
        )
    }

    /// The folder of the delivered keys, by bucket.
    pub fn keys(&self) -> PathBuf {
        self.dir.path().join(super::ids::FOLDER)
    }

    /// The months spilled, oldest first, each as one query over its files in the order
    /// written (input order, then file order), and the rows spilled per input.
    pub fn months(&self) -> Result<Spilled> {
        let state = self
            .state
            .lock()
            .map_err(|_| crate::error::fault("reading spilled events", "a reader panicked"))?;
        let mut out = Vec::new();
        for (month, files) in &state.months {
            let paths = files
                .iter()
                .map(|p| PlRefPath::new(p.to_string_lossy().as_ref()))
                .collect();
            let args = ScanArgsParquet {
                hive_options: HiveOptions::new_disabled(),
                ..ScanArgsParquet::default()
            };
            // Written in input order, one input after the other: the first occurrence is the
            // first input's.
            let all = LazyFrame::scan_parquet_files(paths, args)
                .map_err(fail("reading spilled events"))?;
            out.push((*month, all));
        }
        Ok(Spilled {
            months: out,
            offered: state.offered.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk while spilling is the user's to fix, named with the file and its size, not
    /// an internal fault (`/dev/full` fails every write with ENOSPC).
    #[test]
    fn a_full_disk_while_spilling_names_the_disk() {
        let mut part = df!("a" => [1i64, 2, 3]).unwrap();
        let err = write_spilled(Path::new("/dev/full"), &mut part).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::DiskFull { .. }), "{text}");
        assert!(
            text.starts_with("cannot write /dev/full: the disk is full ("),
            "{text}"
        );
        assert!(
            text.contains("free space on the disk that holds /dev"),
            "{text}"
        );
        assert!(!text.contains("bug in engage"), "{text}");
    }
}

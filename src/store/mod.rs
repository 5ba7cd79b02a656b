//! The event store: canonical events as Parquet, one partition per UTC calendar month
//! (`events/period=YYYY-MM/part-0.parquet`), plus the usage counts and accounts they came with.
//! Ingesting is idempotent (dedup on `(source, event_id)`, the stored event wins), touches only
//! the partitions that gain events, and writes each through a temporary file renamed into
//! place, so a run killed at any moment leaves a readable store. Each partition is sorted, so
//! a store built in slices is byte-identical to one built at once. The store keeps what the
//! exports say (accounts, not people): identities are resolved when metrics are computed.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output;
use crate::vocabulary::event;

mod partials;
mod spill;
mod terms;
pub use partials::{Partials, Reuse};
pub use spill::{Spill, INPUT};
pub use terms::MergedTerms;

const PART: &str = "part-0.parquet";
/// Beside each partition: the SHA-256 of its bytes and their length, written with it, so a run
/// knows what a partition holds without reading it (see [`Store::content`]).
const HASH: &str = "part-0.sha256";

/// A run of consecutive store months read as one part (see [`Store::scan_events`]).
pub struct StorePart {
    pub frame: LazyFrame,
    /// The UTC instants (µs, end excluded) its events lie in.
    pub span: (i64, i64),
    /// A fingerprint of its partitions' contents: equal only when they hold the same bytes.
    pub content: String,
}

fn fail(what: String) -> impl FnOnce(PolarsError) -> Error {
    move |source| Error::Polars {
        what,
        source,
        help: "the store may be damaged: move it aside and ingest the exports again".into(),
    }
}

/// What merging spilled events into the store did, per input (source, in plan order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Rows spilled.
    pub offered: Vec<u64>,
    /// Rows left once repeats among the new events are dropped.
    pub unique: Vec<u64>,
    /// Of those, rows the store did not hold (late ones included).
    pub added: Vec<u64>,
    /// Of those, rows at or after the cut-off, left out.
    pub late: Vec<u64>,
    /// Partitions written, as `YYYY-MM`.
    pub partitions: Vec<String>,
}

impl Merged {
    fn new(offered: Vec<u64>) -> Self {
        let n = offered.len();
        Self {
            offered,
            unique: vec![0; n],
            added: vec![0; n],
            late: vec![0; n],
            partitions: Vec::new(),
        }
    }

    /// Events new to the store, late ones left out, over every input.
    pub fn events_added(&self) -> u64 {
        self.added.iter().sum::<u64>() - self.late.iter().sum::<u64>()
    }

    /// New events the store already held, over every input.
    pub fn already_stored(&self) -> u64 {
        self.unique.iter().sum::<u64>() - self.added.iter().sum::<u64>()
    }
}

/// The rows of `events` without repeats of `(source, event_id)`, the first kept. Distinct
/// event ids (the usual case) are counted first, which is several times cheaper than
/// removing repeats of two text columns.
fn dedup(events: DataFrame) -> PolarsResult<DataFrame> {
    let distinct = events.column(event::EVENT_ID).and_then(|c| c.n_unique())?;
    if distinct == events.height() {
        return Ok(events);
    }
    events
        .lazy()
        .unique_stable(
            Some(cols([event::SOURCE, event::EVENT_ID])),
            UniqueKeepStrategy::First,
        )
        .collect()
}

/// Per input, the rows of `frame` (with `__input` and `__late`) and the late ones among them.
fn per_input(frame: &DataFrame) -> Result<Vec<(usize, u64, u64)>> {
    let per = frame
        .clone()
        .lazy()
        .group_by([col(INPUT)])
        .agg([
            len().cast(DataType::UInt64).alias("n"),
            col("__late").sum().cast(DataType::UInt64).alias("late"),
        ])
        .collect()
        .map_err(fail("counting events per source".into()))?;
    let column = |name: &str| {
        per.column(name)
            .and_then(|c| c.cast(&DataType::UInt64))
            .and_then(|c| c.u64().cloned())
            .map_err(fail("counting events per source".into()))
    };
    let (inputs, n, late) = (column(INPUT)?, column("n")?, column("late")?);
    Ok(inputs
        .iter()
        .zip(n.iter())
        .zip(late.iter())
        .filter_map(|((i, n), l)| Some((i? as usize, n?, l.unwrap_or(0))))
        .collect())
}

/// Consecutive months on their way to being one [`StorePart`].
struct Group {
    paths: Vec<PlRefPath>,
    first: i32,
    last: i32,
    rows: u64,
    contents: Vec<String>,
}

/// A store folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// Whether partitions are synced to disk as they are written (not for a working store,
    /// which a crash makes worthless anyway).
    durable: bool,
}

fn month_label(key: i32) -> String {
    format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
}

/// Writes the hash file of a partition holding `bytes`; returns the hash.
fn write_hash(partition: &Path, bytes: &[u8]) -> Result<String> {
    let hash = hex::encode(Sha256::digest(bytes));
    let text = format!("{hash} {}\n", bytes.len());
    output::write_atomic(&partition.with_file_name(HASH), text.as_bytes())?;
    Ok(hash)
}

/// Sorts events the one way a partition is always written: by `occurred_at`, `source` and
/// `event_id`. Exports hold mostly distinct instants, and sorting by one integer column is
/// several times cheaper than by three with text, so the instant alone is used when no two
/// events share one (the order is then the same).
fn canonical_sort(frame: DataFrame) -> PolarsResult<DataFrame> {
    let order = SortMultipleOptions::default().with_maintain_order(true);
    if frame.column(event::OCCURRED_AT)?.n_unique()? == frame.height() {
        return frame.sort([event::OCCURRED_AT], order);
    }
    frame.sort([event::OCCURRED_AT, event::SOURCE, event::EVENT_ID], order)
}

impl Store {
    /// Opens (creating if needed) a store folder.
    pub fn open(root: &Path) -> Result<Store> {
        std::fs::create_dir_all(root.join("events")).map_err(|source| Error::Write {
            path: root.to_path_buf(),
            source,
        })?;
        Ok(Store {
            root: root.to_path_buf(),
            durable: true,
        })
    }

    /// The same store, its partitions not synced as they are written: for a working store.
    pub fn passing(self) -> Store {
        Store {
            durable: false,
            ..self
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn partition(&self, label: &str) -> PathBuf {
        self.root
            .join("events")
            .join(format!("period={label}"))
            .join(PART)
    }

    /// The stored partitions, oldest first, as `(YYYY-MM, path)`.
    pub fn partitions(&self) -> Result<Vec<(String, PathBuf)>> {
        let dir = self.root.join("events");
        let mut out = Vec::new();
        let entries = std::fs::read_dir(&dir).map_err(|source| Error::Read {
            path: dir.clone(),
            source,
            help: "check that the store folder is readable".into(),
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(label) = name.strip_prefix("period=") {
                let file = entry.path().join(PART);
                if file.is_file() {
                    out.push((label.to_string(), file));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn read_partition(path: &Path) -> Result<DataFrame> {
        let file = std::fs::File::open(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "check that the store folder is readable".into(),
        })?;
        ParquetReader::new(file)
            .finish()
            .map_err(fail(format!("reading {}", path.display())))
    }

    /// Merges the spilled events into the store, a month at a time, rewriting only the months
    /// that gain events: within a month the stored event wins over a repeat of its
    /// `(source, event_id)`, then the first input's. Events at or after `cutoff` (µs, UTC) are
    /// left out and counted as late.
    pub fn merge(&self, spill: &Spill, cutoff: Option<i64>) -> Result<Merged> {
        let spilled = spill.months()?;
        let mut merged = Merged::new(spilled.offered);
        for (month, fresh) in spilled.months {
            self.merge_month(month, fresh, cutoff, &mut merged)?;
        }
        Ok(merged)
    }

    fn merge_month(
        &self,
        month: i32,
        fresh: LazyFrame,
        cutoff: Option<i64>,
        merged: &mut Merged,
    ) -> Result<()> {
        let label = month_label(month);
        let path = self.partition(&label);
        let stored = if path.is_file() {
            Some(Self::read_partition(&path)?)
        } else {
            None
        };
        let late = match cutoff {
            Some(c) => col(event::OCCURRED_AT).cast(DataType::Int64).gt_eq(lit(c)),
            None => lit(false),
        };
        // The new events without repeats among themselves, then without those stored.
        let fresh = fresh
            .with_column(late.alias("__late"))
            .collect()
            .map_err(fail(format!("merging {label}")))?;
        let unique = dedup(fresh).map_err(fail(format!("merging {label}")))?;
        for (i, n, _) in per_input(&unique)? {
            if let Some(slot) = merged.unique.get_mut(i) {
                *slot += n;
            }
        }
        let fault = || fail(format!("merging {label}"));
        let new = match &stored {
            Some(s) => unique
                .lazy()
                .join(
                    s.clone()
                        .lazy()
                        .select([col(event::SOURCE), col(event::EVENT_ID)]),
                    [col(event::SOURCE), col(event::EVENT_ID)],
                    [col(event::SOURCE), col(event::EVENT_ID)],
                    JoinArgs::new(JoinType::Anti),
                )
                .collect()
                .map_err(fault())?,
            None => unique,
        };
        for (i, n, late) in per_input(&new)? {
            if let (Some(a), Some(l)) = (merged.added.get_mut(i), merged.late.get_mut(i)) {
                *a += n;
                *l += late;
            }
        }
        let kept = match cutoff {
            Some(_) => new.lazy().filter(col("__late").not()).collect(),
            None => Ok(new),
        }
        .and_then(|k| k.select(event::ALL))
        .map_err(fault())?;
        if kept.height() == 0 {
            return Ok(());
        }
        let all = match stored {
            Some(s) => concat([s.lazy(), kept.lazy()], UnionArgs::default())
                .and_then(LazyFrame::collect)
                .map_err(fault())?,
            None => kept,
        };
        let mut all = canonical_sort(all).map_err(fault())?;
        // A working store's partitions are read once: LZ4 is quicker to write than zstd.
        let bytes = if self.durable {
            output::parquet_bytes(&mut all, "a store partition")?
        } else {
            output::parquet_bytes_quick(&mut all, "a store partition")?
        };
        output::write_replacing(&path, &bytes, self.durable)?;
        write_hash(&path, &bytes)?;
        crate::checkpoint::reached("store-partition");
        merged.partitions.push(label);
        Ok(())
    }

    /// Every stored event of months up to `last_month` (a UTC month key), as lazy scans of
    /// consecutive months holding up to `part_rows` events each (a larger month alone, and the
    /// newest month always alone), with
    /// the UTC span (µs, end excluded) each covers: queries whose state grows with events run
    /// a part at a time and combine. Row counts come from the files' metadata.
    pub fn scan_events(&self, last_month: Option<i32>, part_rows: u64) -> Result<Vec<StorePart>> {
        let mut paths = Vec::new();
        for (label, path) in self.partitions()? {
            let (y, m) = label.split_once('-').unwrap_or(("0", "1"));
            let key = y.parse::<i32>().unwrap_or(0) * 12 + m.parse::<i32>().unwrap_or(1) - 1;
            if last_month.is_some_and(|last| key > last) {
                continue;
            }
            let content = format!("{label}:{}", Self::content(&path)?);
            paths.push((
                key,
                PlRefPath::new(path.to_string_lossy().as_ref()),
                content,
            ));
        }
        if paths.is_empty() {
            return Ok(vec![StorePart {
                frame: crate::ingest::empty_events(),
                span: (i64::MIN, i64::MAX),
                content: "no events".into(),
            }]);
        }
        // The partition is in the path, not a column.
        let args = ScanArgsParquet {
            hive_options: HiveOptions::new_disabled(),
            ..ScanArgsParquet::default()
        };
        let scan = |p: &PlRefPath| {
            LazyFrame::scan_parquet(p.clone(), args.clone())
                .map_err(fail(format!("reading {}", p.as_str())))
        };
        let month_start = |key: i32| {
            chrono::NaiveDate::from_ymd_opt(key.div_euclid(12), key.rem_euclid(12) as u32 + 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(i64::MIN, |t| t.and_utc().timestamp_micros())
        };
        let mut groups: Vec<Group> = Vec::new();
        let newest = paths.last().map(|p| p.0);
        for (key, path, content) in paths {
            let rows = scan(&path)?
                .select([len().cast(DataType::UInt64).alias("n")])
                .collect()
                .map_err(fail(format!("counting the events in {}", path.as_str())))?
                .column("n")
                .ok()
                .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
                .unwrap_or(0);
            match groups.last_mut() {
                // The newest month is a part of its own: it is the one a nightly run adds
                // to, so the older parts' partial results stay valid.
                Some(g)
                    if g.rows + rows <= part_rows && g.last + 1 == key && Some(key) != newest =>
                {
                    g.paths.push(path);
                    g.last = key;
                    g.rows += rows;
                    g.contents.push(content);
                }
                _ => groups.push(Group {
                    paths: vec![path],
                    first: key,
                    last: key,
                    rows,
                    contents: vec![content],
                }),
            }
        }
        groups
            .into_iter()
            .map(|g| {
                let frame =
                    LazyFrame::scan_parquet_files(g.paths.into_iter().collect(), args.clone())
                        .map_err(fail("reading the store".into()))?;
                Ok(StorePart {
                    frame,
                    span: (month_start(g.first), month_start(g.last + 1)),
                    content: g.contents.join(" "),
                })
            })
            .collect()
    }

    /// The SHA-256 of a partition's bytes: from the hash file written beside it when its
    /// length still matches, else (a store from before hash files, or a partition replaced by
    /// hand) hashed from the file and the hash file written.
    pub fn content(partition: &Path) -> Result<String> {
        let hash_file = partition.with_file_name(HASH);
        let len = std::fs::metadata(partition).map(|m| m.len()).ok();
        if let Ok(text) = std::fs::read_to_string(&hash_file) {
            if let Some((hash, size)) = text.trim().split_once(' ') {
                if size.parse::<u64>().ok() == len {
                    return Ok(hash.to_string());
                }
            }
        }
        let bytes = std::fs::read(partition).map_err(|source| Error::Read {
            path: partition.to_path_buf(),
            source,
            help: "check that the store folder is readable".into(),
        })?;
        write_hash(partition, &bytes)
    }

    /// Replaces a small side table (`usage`, `accounts`) by the union of what it held and
    /// `rows`, deduplicated on `key` (the stored row wins) and sorted by `key`.
    pub fn merge_table(&self, name: &str, rows: &DataFrame, key: &[&str]) -> Result<DataFrame> {
        let path = self.root.join(format!("{name}.parquet"));
        let mut parts = Vec::new();
        if path.is_file() {
            parts.push(Self::read_partition(&path)?.lazy());
        }
        parts.push(rows.clone().lazy());
        let mut merged = concat(parts, UnionArgs::default())
            .map_err(fail(format!("merging {name}")))?
            .unique_stable(Some(cols(key.to_vec())), UniqueKeepStrategy::First)
            .sort(
                key.to_vec(),
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .collect()
            .map_err(fail(format!("merging {name}")))?;
        let bytes = output::parquet_bytes(&mut merged, name)?;
        output::write_atomic(&path, &bytes)?;
        Ok(merged)
    }

    /// Replaces a side table by `rows`.
    pub fn put_table(&self, name: &str, rows: &DataFrame) -> Result<()> {
        let mut rows = rows.clone();
        let bytes = output::parquet_bytes(&mut rows, name)?;
        output::write_atomic(&self.root.join(format!("{name}.parquet")), &bytes)
    }

    /// Merges a read's term counts (themes) into those kept under `name` (see `terms.rs`).
    pub fn merge_terms(
        &self,
        name: &str,
        terms: &DataFrame,
        messages: &DataFrame,
    ) -> Result<MergedTerms> {
        terms::merge(&self.root, name, terms, messages)
    }

    /// A side table, if the store has it.
    pub fn table(&self, name: &str) -> Result<Option<DataFrame>> {
        let path = self.root.join(format!("{name}.parquet"));
        if path.is_file() {
            Ok(Some(Self::read_partition(&path)?))
        } else {
            Ok(None)
        }
    }
}

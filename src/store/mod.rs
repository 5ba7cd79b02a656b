//! The event store: canonical events as Parquet, one partition per UTC calendar month
//! (`events/period=YYYY-MM/part-0.parquet`), plus the usage counts and accounts they came with.
//! Ingesting is idempotent (dedup on `(source, event_id)`, the stored event wins), touches only
//! the partitions that gain events, and writes each through a temporary file renamed into
//! place, so a run killed at any moment leaves a readable store. Each partition is sorted, so
//! a store built in slices is byte-identical to one built at once. The store keeps what the
//! exports say (accounts, not people): identities are resolved when metrics are computed.
//!
//! What each file holds: `health.rs`: a source's events per local day and month read from the few
//! partitions that hold them, the accounts ever seen acting (`known_actors.parquet`) and the last
//! passing run's figures (`health.json`), kept only once a delivery is merged; every run's events:
//! Parquet partitions per UTC month; `catalogue.rs`: the store's record of its months (events,
//! bytes, SHA-256), every partition checked against it before a run reads or merges (hashed again
//! only when its size or time changed), a missing, changed or unlisted month an error naming it and
//! `--rebuild-month`, a month being rewritten recorded with the one it replaces; `ids.rs`: the
//! index of every `(source, event_id)` held (XXH3-128 fingerprints with their month, 64 buckets
//! merged one at a time, a night's new keys in a file beside their bucket until it is compacted),
//! derived from the partitions and rebuilt when the catalogue says it does not match, which finds
//! repeats in other months before any month is merged (the stored copy wins, then the earliest
//! month's); merges that rewrite only changed months, dropping repeats of `(source, event_id)` (the
//! stored event first, then the earliest month's, then the first input's) and counting per input
//! what was added, repeated, already stored or late; side tables for usage counts, accounts, the
//! roster and the identity map. `spill.rs`: the sources' events between reading and the store, cut
//! by UTC month per batch (Parquet, LZ4) and merged a month at a time. `terms.rs`: themes' term
//! counts kept beside the partitions (`terms-<settings>.parquet` and its `-messages` table, named
//! by the period kind, time zone, languages and stop words), each source period replaced by a read
//! that counted at least as many bodies. `partials.rs`: each part's partial results kept beside the
//! partitions, named by the SHA-256 of what shaped them, those a run did not use removed. Without
//! `[pipeline] store` the run keeps a working store in its output folder (`run/prepare.rs`),
//! unsynced and removed when the run ends. Writes go through `output.rs`'s atomic writer.
//! `ENGAGE_PART_ROWS` and `ENGAGE_BATCH_ROWS` set the events per part and the rows per batch (tests
//! use them to get many parts and batches from little data)

use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output;
use crate::vocabulary::event;

mod catalogue;
mod health;
mod ids;
mod partials;
mod spill;
mod terms;
pub use catalogue::{Catalogue, Damage};
pub use partials::{Partials, Reuse};
pub use spill::{Spill, INPUT};
pub use terms::MergedTerms;

const PART: &str = "part-0.parquet";
/// Beside each partition, in stores written before the catalogue: the SHA-256 of its bytes and
/// their length. Read once to build the catalogue ([`Store::checked`]), then removed.
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
    /// Rows left once repeats among the new events are dropped (in their month and across
    /// months) and repeats of events the store holds in another month.
    pub unique: Vec<u64>,
    /// Rows repeating an event the store holds in another month.
    pub stored_elsewhere: Vec<u64>,
    /// Of the unique rows, those the store did not hold (late ones included).
    pub added: Vec<u64>,
    /// Of those, rows at or after the cut-off, left out.
    pub late: Vec<u64>,
    /// Partitions written, as `YYYY-MM`.
    pub partitions: Vec<String>,
    /// Whether the index of event ids was built again from the partitions.
    pub index_rebuilt: bool,
}

impl Merged {
    fn new(offered: Vec<u64>) -> Self {
        let n = offered.len();
        Self {
            offered,
            unique: vec![0; n],
            stored_elsewhere: vec![0; n],
            added: vec![0; n],
            late: vec![0; n],
            partitions: Vec::new(),
            index_rebuilt: false,
        }
    }

    /// Per input: repeats within the delivery, rows the store held already, rows accepted.
    pub fn counts(&self, input: usize) -> (u64, u64, u64) {
        let at = |v: &[u64]| v.get(input).copied().unwrap_or(0);
        let (unique, elsewhere) = (at(&self.unique), at(&self.stored_elsewhere));
        let duplicates = at(&self.offered) - unique - elsewhere;
        let already_stored = elsewhere + unique - at(&self.added);
        (duplicates, already_stored, at(&self.added) - at(&self.late))
    }

    /// Events new to the store, late ones left out, over every input.
    pub fn events_added(&self) -> u64 {
        self.added.iter().sum::<u64>() - self.late.iter().sum::<u64>()
    }

    /// New events the store already held, over every input.
    pub fn already_stored(&self) -> u64 {
        (0..self.offered.len()).map(|i| self.counts(i).1).sum()
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

/// A month's spilled rows and the repeats across months found for every month.
struct Across<'a> {
    rows: LazyFrame,
    repeats: &'a ids::Repeats,
}

/// `unique` (a month's rows, one per key) without the rows that repeat an event stored or
/// delivered in another month ([`ids::repeats`]); those repeating a stored one are counted
/// per input in `merged.stored_elsewhere` (the others are duplicates: what is neither unique
/// nor stored elsewhere).
fn without_repeats(
    unique: DataFrame,
    month: i32,
    repeats: &ids::Repeats,
    merged: &mut Merged,
) -> PolarsResult<DataFrame> {
    if !repeats.contains_key(&month) {
        return Ok(unique);
    }
    let marks = ids::marked(&ids::fingerprints(&unique)?, month, repeats);
    let inputs = unique.column(INPUT)?.cast(&DataType::UInt32)?;
    for (mark, input) in marks.iter().zip(inputs.u32()?.iter()) {
        if let (Some(ids::Repeat::Stored), Some(i)) = (mark, input) {
            if let Some(slot) = merged.stored_elsewhere.get_mut(i as usize) {
                *slot += 1;
            }
        }
    }
    let keep: BooleanChunked = marks.iter().map(|m| Some(m.is_none())).collect();
    unique.filter(&keep)
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
    /// that gain events. A repeat of `(source, event_id)` is dropped wherever it falls: the
    /// stored event wins, then the earliest month's copy (found first, a bucket of the index
    /// at a time: `ids.rs`), then within a month the first input's. Events at or after
    /// `cutoff` (µs, UTC) are left out and counted as late. The catalogue is updated as months
    /// are written (see `catalogue.rs`), and the index once they all are.
    pub fn merge(
        &self,
        spill: &Spill,
        cutoff: Option<i64>,
        catalogue: &mut Catalogue,
    ) -> Result<Merged> {
        let spilled = spill.months()?;
        let mut merged = Merged::new(spilled.offered);
        // A working store lives for one run: its delivery is checked against itself alone.
        let index = self.root.join(ids::FOLDER);
        if self.durable {
            merged.index_rebuilt = ids::ready(&self.root, catalogue, true)?;
        }
        let (repeats, changed) = ids::repeats(
            &spill.keys(),
            self.durable.then_some((index.as_path(), &*catalogue)),
        )?;
        for (month, fresh) in spilled.months {
            let fresh = Across {
                rows: fresh,
                repeats: &repeats,
            };
            self.merge_month(month, fresh, cutoff, &mut merged, catalogue)?;
        }
        if !merged.partitions.is_empty() {
            for label in &merged.partitions {
                if let Some(entry) = catalogue.months.get_mut(label) {
                    entry.previous = None;
                    entry.checked = catalogue::Stamp::of(&self.partition(label));
                }
            }
            catalogue.save(&self.root, self.durable)?;
        }
        if self.durable {
            ids::commit(&self.root, &changed, catalogue, true)?;
        }
        Ok(merged)
    }

    fn merge_month(
        &self,
        month: i32,
        fresh: Across,
        cutoff: Option<i64>,
        merged: &mut Merged,
        catalogue: &mut Catalogue,
    ) -> Result<()> {
        let Across {
            rows: fresh,
            repeats,
        } = fresh;
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
        let unique = without_repeats(unique, month, repeats, merged)
            .map_err(fail(format!("merging {label}")))?;
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
        let all = canonical_sort(all).map_err(fault())?;
        self.write_month(&label, all, catalogue)?;
        merged.partitions.push(label);
        Ok(())
    }

    /// Writes a month's partition, recording it in the catalogue with the one it replaces
    /// beside it before it is renamed into place: a run killed in between finds either
    /// accounted for (`catalogue.rs`).
    fn write_month(
        &self,
        label: &str,
        mut all: DataFrame,
        catalogue: &mut Catalogue,
    ) -> Result<()> {
        // A working store's partitions are read once: LZ4 is quicker to write than zstd.
        let bytes = if self.durable {
            output::parquet_bytes(&mut all, "a store partition")?
        } else {
            output::parquet_bytes_quick(&mut all, "a store partition")?
        };
        let previous = catalogue.months.get(label).map(|m| catalogue::Was {
            rows: m.rows,
            bytes: m.bytes,
            sha256: m.sha256.clone(),
        });
        catalogue.months.insert(
            label.to_string(),
            catalogue::Month {
                rows: all.height() as u64,
                bytes: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(&bytes)),
                previous: Some(previous),
                checked: None,
            },
        );
        catalogue.save(&self.root, self.durable)?;
        output::write_replacing(&self.partition(label), &bytes, self.durable)?;
        crate::checkpoint::reached("store-partition");
        Ok(())
    }

    /// Every stored event of months up to `last_month` (a UTC month key), as lazy scans of
    /// consecutive months holding up to `part_rows` events each (a larger month alone, and the
    /// newest month always alone), with
    /// the UTC span (µs, end excluded) each covers: queries whose state grows with events run
    /// a part at a time and combine. Row counts come from the files' metadata.
    /// Reads only months the checked `catalogue` lists, each fingerprinted by its hash there.
    pub fn scan_events(
        &self,
        last_month: Option<i32>,
        part_rows: u64,
        catalogue: &Catalogue,
    ) -> Result<Vec<StorePart>> {
        let mut paths = Vec::new();
        for (label, entry) in &catalogue.months {
            let (y, m) = label.split_once('-').unwrap_or(("0", "1"));
            let key = y.parse::<i32>().unwrap_or(0) * 12 + m.parse::<i32>().unwrap_or(1) - 1;
            if last_month.is_some_and(|last| key > last) {
                continue;
            }
            let content = format!("{label}:{}", entry.sha256);
            paths.push((
                key,
                entry.rows,
                PlRefPath::new(self.partition(label).to_string_lossy().as_ref()),
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
        let month_start = |key: i32| {
            chrono::NaiveDate::from_ymd_opt(key.div_euclid(12), key.rem_euclid(12) as u32 + 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(i64::MIN, |t| t.and_utc().timestamp_micros())
        };
        let mut groups: Vec<Group> = Vec::new();
        let newest = paths.last().map(|p| p.0);
        for (key, rows, path, content) in paths {
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

    /// The store's catalogue, every partition checked against it (README, "The store"):
    /// months in `rebuild` are first emptied (partition and entry), then a month that is
    /// missing, damaged or unlisted stops the run naming it. A store written before the
    /// catalogue gets one from its partitions and their hash files, checked the same way.
    pub fn checked(&self, rebuild: &[String]) -> Result<Catalogue> {
        let (mut catalogue, new) = match Catalogue::load(&self.root)? {
            Some(c) => (c, false),
            None => (self.first_catalogue()?, true),
        };
        for month in rebuild {
            let folder = self.root.join("events").join(format!("period={month}"));
            if folder.exists() {
                std::fs::remove_dir_all(&folder).map_err(|source| Error::Write {
                    path: folder.clone(),
                    source,
                })?;
            }
            catalogue.months.remove(month);
        }
        let (damage, changed) = catalogue.check(&self.partitions()?)?;
        if let Some((month, what)) = damage.first() {
            return Err(catalogue::damaged(&self.root, month, what));
        }
        if changed || new || !rebuild.is_empty() {
            catalogue.save(&self.root, self.durable)?;
        }
        if new {
            for (_, path) in self.partitions()? {
                let _ = std::fs::remove_file(path.with_file_name(HASH));
            }
        }
        Ok(catalogue)
    }

    /// Checks the store at `root` against its catalogue without changing anything (`engage
    /// validate`); a folder that is not there yet is a new store, and fine.
    pub fn verify(root: &Path) -> Result<()> {
        if !root.join("events").is_dir() {
            return Ok(());
        }
        let store = Store {
            root: root.to_path_buf(),
            durable: false,
        };
        let mut catalogue = match Catalogue::load(root)? {
            Some(c) => c,
            None => store.first_catalogue()?,
        };
        let (damage, _) = catalogue.check(&store.partitions()?)?;
        match damage.first() {
            Some((month, what)) => Err(catalogue::damaged(root, month, what)),
            None => Ok(()),
        }
    }

    /// The catalogue of a store that has none: empty for a new store; for a store written
    /// before catalogues, its partitions as their hash files describe them (a partition whose
    /// bytes differ from its hash file is damaged). A store with partitions and neither has
    /// lost its catalogue.
    fn first_catalogue(&self) -> Result<Catalogue> {
        let mut catalogue = Catalogue::new();
        let partitions = self.partitions()?;
        for (month, path) in &partitions {
            let written = std::fs::read_to_string(path.with_file_name(HASH)).ok();
            let Some(written) = written else {
                return Err(Error::Usage {
                    message: format!(
                        "the store {} has lost its catalogue ({}): it holds months but no record of what they held",
                        self.root.display(),
                        catalogue::FILE
                    ),
                    help: "restore the store from a backup, or move it aside and ingest every export again into a new store".into(),
                });
            };
            let (hash, bytes) = catalogue::hash_file(path)?;
            let (recorded, size) = written.trim().split_once(' ').unwrap_or(("", ""));
            if recorded != hash || size.parse::<u64>().ok() != Some(bytes) {
                let damage = Damage::Changed {
                    rows: 0,
                    bytes: size.parse().unwrap_or(0),
                    now: bytes,
                };
                return Err(catalogue::damaged(&self.root, month, &damage));
            }
            let rows = Self::read_rows(path)?;
            catalogue.months.insert(
                month.clone(),
                catalogue::Month {
                    rows,
                    bytes,
                    sha256: hash,
                    previous: None,
                    checked: catalogue::Stamp::of(path),
                },
            );
        }
        Ok(catalogue)
    }

    /// Catalogues the partitions of a store its writer trusts as they are, and indexes their
    /// event ids (`engage bench-data`, which writes partitions directly).
    pub fn catalogue_as_written(root: &Path) -> Result<()> {
        let store = Store::open(root)?;
        let mut catalogue = Catalogue::new();
        for (month, path) in store.partitions()? {
            let (sha256, bytes) = catalogue::hash_file(&path)?;
            let entry = catalogue::Month {
                rows: Self::read_rows(&path)?,
                bytes,
                sha256,
                previous: None,
                checked: catalogue::Stamp::of(&path),
            };
            catalogue.months.insert(month, entry);
        }
        // The index of event ids too, as a store built by `engage ingest` has it.
        ids::ready(root, &mut catalogue, true)?;
        catalogue.save(root, true)
    }

    /// The rows of a partition, from its metadata.
    fn read_rows(path: &Path) -> Result<u64> {
        let file = std::fs::File::open(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "check that the store folder is readable".into(),
        })?;
        ParquetReader::new(file)
            .num_rows()
            .map(|n| n as u64)
            .map_err(fail(format!("reading {}", path.display())))
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

//! Every `(source, event_id)` the store holds, and in which month: what makes a repeat in
//! another month a duplicate (README, "The store"). A re-delivery with a corrected timestamp,
//! or an export tool that stamps the last edit, puts an event the store holds in a later
//! month; the copy first stored wins, and among new copies the earliest month's.
//!
//! Keys are kept as 128-bit fingerprints (XXH3-128 of the source's length, the source and
//! the event id: a chance collision among 10^9 events is about 10^-21) with their UTC month,
//! in 64 buckets by the fingerprint's top bits, each a file of sorted 20-byte records
//! (`ids/NN.bin`) and the small sorted files later merges added to it (`ids/NN.dK.bin`), so a
//! nightly merge writes only its new keys; a bucket is compacted into one file when its
//! additions reach half its size or 16 files. A merge takes one bucket at a time: the
//! bucket's stored keys and the delivered keys that fall in it (spilled beside the events as
//! they are read), so memory follows a 64th of the store and of the delivery, not their size.
//!
//! The index is derived from the partitions: the catalogue records which months it was built
//! from and each bucket's hash. When either does not match (a run killed between writing the
//! months and the index, a month rebuilt, a damaged bucket, a store from before the index) it
//! is built again from the partitions, which the catalogue has already checked.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::catalogue::{self, Catalogue};
use crate::error::{write_err, Error, Result};
use crate::vocabulary::event;

/// Buckets of the index (a power of two: the fingerprint's top bits choose one).
pub const BUCKETS: usize = 64;
/// Bytes per key: the fingerprint, then the month key, both little-endian.
const RECORD: usize = 20;
/// The index's folder in the store, and the spill's folder of delivered keys.
pub const FOLDER: &str = "ids";

/// A key's fingerprint and UTC month key (`year*12 + month-1`).
pub type Key = (u128, i32);

/// Why a delivered row in a month is not stored there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// The store holds the event in another month.
    Stored,
    /// The delivery holds it in an earlier month too.
    Delivered,
}

/// Per month, the fingerprints of the rows to leave out and why.
pub type Repeats = BTreeMap<i32, HashMap<u128, Repeat>>;

/// The fingerprint of one event's `(source, event_id)`.
pub fn fingerprint(buf: &mut Vec<u8>, source: &str, event_id: &str) -> u128 {
    buf.clear();
    buf.extend_from_slice(&(source.len() as u64).to_le_bytes());
    buf.extend_from_slice(source.as_bytes());
    buf.extend_from_slice(event_id.as_bytes());
    xxhash_rust::xxh3::xxh3_128(buf)
}

/// The fingerprints of a frame of canonical events, in row order (computed on every core).
pub fn fingerprints(events: &DataFrame) -> PolarsResult<Vec<u128>> {
    use rayon::prelude::*;
    let source = events.column(event::SOURCE)?.str()?;
    let id = events.column(event::EVENT_ID)?.str()?;
    let pairs: Vec<(Option<&str>, Option<&str>)> = source.iter().zip(id.iter()).collect();
    Ok(pairs
        .par_chunks(64 * 1024)
        .flat_map_iter(|chunk| {
            let mut buf = Vec::with_capacity(64);
            chunk
                .iter()
                .map(|(s, e)| fingerprint(&mut buf, s.unwrap_or(""), e.unwrap_or("")))
                .collect::<Vec<_>>()
        })
        .collect())
}

fn bucket(fp: u128) -> usize {
    (fp >> (128 - BUCKETS.trailing_zeros())) as usize
}

fn bucket_name(b: usize) -> String {
    format!("{b:02}.bin")
}

fn rerr(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Read {
        path: path.to_path_buf(),
        source,
        help: "check that the store folder is readable".into(),
    }
}

/// Appends keys to the bucket files in `dir`, each to its bucket's.
pub fn append(dir: &Path, keys: impl IntoIterator<Item = Key>) -> Result<()> {
    let mut by_bucket: Vec<Vec<u8>> = vec![Vec::new(); BUCKETS];
    for (fp, month) in keys {
        let out = &mut by_bucket[bucket(fp)];
        out.extend_from_slice(&fp.to_le_bytes());
        out.extend_from_slice(&month.to_le_bytes());
    }
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    for (b, bytes) in by_bucket.iter().enumerate() {
        if bytes.is_empty() {
            continue;
        }
        let path = dir.join(bucket_name(b));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(write_err(&path))?;
        file.write_all(bytes)
            .map_err(crate::error::write_failed(&path, bytes.len() as u64))?;
    }
    Ok(())
}

/// The keys of one bucket file (none when there is no file), as written.
fn read_bucket(path: &Path) -> Result<Vec<Key>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(rerr(path)(e)),
    };
    Ok(bytes
        .chunks_exact(RECORD)
        .map(|r| {
            let mut fp = [0u8; 16];
            fp.copy_from_slice(&r[..16]);
            let mut month = [0u8; 4];
            month.copy_from_slice(&r[16..]);
            (u128::from_le_bytes(fp), i32::from_le_bytes(month))
        })
        .collect())
}

fn encode(keys: &[Key]) -> Vec<u8> {
    let mut out = Vec::with_capacity(keys.len() * RECORD);
    for (fp, month) in keys {
        out.extend_from_slice(&fp.to_le_bytes());
        out.extend_from_slice(&month.to_le_bytes());
    }
    out
}

/// What the index was built from: the months and their hashes, as one digest.
fn months_digest(catalogue: &Catalogue) -> String {
    let mut h = Sha256::new();
    for (month, entry) in &catalogue.months {
        h.update(format!("{month} {}\n", entry.sha256));
    }
    hex::encode(h.finalize())
}

/// The store's index, ready for a merge: checked against the catalogue, or built again from
/// the partitions when it does not match (said in the log by the caller: the return's `true`).
pub fn ready(root: &Path, catalogue: &mut Catalogue, durable: bool) -> Result<bool> {
    let dir = root.join(FOLDER);
    let whole = catalogue.ids.as_ref().is_some_and(|ids| {
        let on_disk: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        ids.months == months_digest(catalogue)
            && on_disk.iter().all(|name| ids.buckets.contains_key(name))
            && ids.buckets.iter().all(|(name, entry)| {
                let path = dir.join(name);
                catalogue::Stamp::of(&path).is_some_and(|s| Some(s) == entry.checked)
                    || catalogue::hash_file(&path).is_ok_and(|(h, _)| h == entry.sha256)
            })
    });
    if whole {
        return Ok(false);
    }
    rebuild(root, catalogue, durable)?;
    Ok(!catalogue.months.is_empty())
}

/// Builds the index from every partition the catalogue lists (a month at a time, its keys
/// appended to bucket files, then each bucket sorted on its own).
fn rebuild(root: &Path, catalogue: &mut Catalogue, durable: bool) -> Result<()> {
    let dir = root.join(FOLDER);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(write_err(&dir))?;
    }
    let loose = root.join(".ids-building");
    if loose.exists() {
        std::fs::remove_dir_all(&loose).map_err(write_err(&loose))?;
    }
    for month in catalogue.months.keys() {
        let path = root
            .join("events")
            .join(format!("period={month}"))
            .join("part-0.parquet");
        let file = std::fs::File::open(&path).map_err(rerr(&path))?;
        let keys = ParquetReader::new(file)
            .with_columns(Some(vec![event::SOURCE.into(), event::EVENT_ID.into()]))
            .finish()
            .and_then(|f| fingerprints(&f))
            .map_err(Error::polars(
                format!("reading {}", path.display()),
                "the store may be damaged: move it aside and ingest the exports again",
            ))?;
        let key = month_key(month);
        append(&loose, keys.into_iter().map(|fp| (fp, key)))?;
    }
    let mut ids = catalogue::Ids::default();
    for b in 0..BUCKETS {
        let mut keys = read_bucket(&loose.join(bucket_name(b)))?;
        if keys.is_empty() {
            continue;
        }
        keys.sort_unstable();
        let entry = write_bucket(&dir, &bucket_name(b), &keys, durable)?;
        ids.buckets.insert(bucket_name(b), entry);
    }
    if loose.exists() {
        std::fs::remove_dir_all(&loose).map_err(write_err(&loose))?;
    }
    ids.months = months_digest(catalogue);
    catalogue.ids = Some(ids);
    catalogue.save(root, durable)
}

fn write_bucket(dir: &Path, name: &str, keys: &[Key], durable: bool) -> Result<catalogue::Month> {
    let path = dir.join(name);
    let bytes = encode(keys);
    crate::output::write_replacing(&path, &bytes, durable)?;
    Ok(catalogue::Month {
        rows: keys.len() as u64,
        bytes: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        previous: None,
        checked: catalogue::Stamp::of(&path),
    })
}

/// `YYYY-MM` as a month key.
fn month_key(label: &str) -> i32 {
    let (y, m) = label.split_once('-').unwrap_or(("0", "1"));
    y.parse::<i32>().unwrap_or(0) * 12 + m.parse::<i32>().unwrap_or(1) - 1
}

/// The files of bucket `b` the catalogue lists (its base first, then its additions).
fn files_of(ids: Option<&catalogue::Ids>, b: usize) -> Vec<String> {
    let prefix = format!("{b:02}.");
    let mut names: Vec<String> = ids
        .map(|i| {
            i.buckets
                .keys()
                .filter(|n| n.starts_with(&prefix))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    // `NN.bin` sorts after `NN.dK.bin`; the base goes first, the additions in their order.
    names.sort_by_key(|n| (n != &bucket_name(b), addition_number(n)));
    names
}

/// K of an addition's name `NN.dK.bin` (0 for a base).
fn addition_number(name: &str) -> u32 {
    name.split('.')
        .nth(1)
        .and_then(|d| d.strip_prefix('d'))
        .and_then(|k| k.parse().ok())
        .unwrap_or(0)
}

/// The delivered keys against the stored ones, a bucket at a time (two buckets at once on two
/// cores): which rows of which month repeat an event stored or delivered in another month, and
/// the new keys per bucket, written beside the index (`NN.next`) until [`commit`] adds them.
/// `stored` (the index's folder and the catalogue that lists its files) is `None` for a run's
/// working store, which keeps no index.
pub fn repeats(
    delivered: &Path,
    stored: Option<(&Path, &Catalogue)>,
) -> Result<(Repeats, Vec<usize>)> {
    use rayon::prelude::*;
    let found: Vec<(usize, Repeats, bool)> = (0..BUCKETS)
        .into_par_iter()
        .map(|b| bucket_repeats(delivered, stored, b).map(|(r, new)| (b, r, new)))
        .collect::<Result<_>>()?;
    let mut repeats = Repeats::new();
    let mut changed = Vec::new();
    for (b, found, new) in found {
        for (month, fps) in found {
            repeats.entry(month).or_default().extend(fps);
        }
        if new {
            changed.push(b);
        }
    }
    Ok((repeats, changed))
}

/// [`repeats`] for bucket `b`; whether it has new keys (then written to `NN.next`).
fn bucket_repeats(
    delivered: &Path,
    stored: Option<(&Path, &Catalogue)>,
    b: usize,
) -> Result<(Repeats, bool)> {
    let mut repeats = Repeats::new();
    let mut fresh = read_bucket(&delivered.join(bucket_name(b)))?;
    if fresh.is_empty() {
        return Ok((repeats, false));
    }
    fresh.sort_unstable();
    fresh.dedup();
    let mut held: Vec<Vec<Key>> = Vec::new();
    if let Some((dir, catalogue)) = stored {
        for name in files_of(catalogue.ids.as_ref(), b) {
            held.push(read_bucket(&dir.join(name))?);
        }
    }
    let stored_month = |fp: u128| {
        held.iter().find_map(|keys| {
            keys.binary_search_by(|k| k.0.cmp(&fp))
                .ok()
                .map(|i| keys[i].1)
        })
    };
    let mut new = Vec::new();
    for group in fresh.chunk_by(|a, b| a.0 == b.0) {
        let fp = group[0].0;
        let (winner, why) = match stored_month(fp) {
            Some(month) => (month, Repeat::Stored),
            None => {
                new.push((fp, group[0].1));
                (group[0].1, Repeat::Delivered)
            }
        };
        for (_, month) in group.iter().filter(|(_, m)| *m != winner) {
            repeats.entry(*month).or_default().insert(fp, why);
        }
    }
    let Some((dir, _)) = stored.filter(|_| !new.is_empty()) else {
        return Ok((repeats, false));
    };
    let next = dir.join(format!("{b:02}.next"));
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    std::fs::write(&next, encode(&new)).map_err(crate::error::write_failed(
        &next,
        (new.len() * RECORD) as u64,
    ))?;
    Ok((repeats, true))
}

/// Adds the new keys [`repeats`] found to their buckets and records the index in the catalogue
/// (after the months are merged: the index then describes them). A bucket's new keys become a
/// file of their own beside it, or, once its additions reach half its size or 16 files, the
/// bucket is compacted into one file.
pub fn commit(
    root: &Path,
    changed: &[usize],
    catalogue: &mut Catalogue,
    durable: bool,
) -> Result<()> {
    let dir = root.join(FOLDER);
    let before = catalogue.ids.clone();
    let mut ids = before.clone().unwrap_or_default();
    for &b in changed {
        let next: PathBuf = dir.join(format!("{b:02}.next"));
        let new = read_bucket(&next)?;
        let files = files_of(Some(&ids), b);
        let rows = |name: &String| ids.buckets.get(name).map_or(0, |e| e.rows);
        let base = files
            .first()
            .filter(|n| **n == bucket_name(b))
            .map_or(0, rows);
        let added: u64 = files.iter().skip(usize::from(base > 0)).map(rows).sum();
        if files.len() >= 16 || 2 * (added + new.len() as u64) > base {
            let mut all = new;
            for name in &files {
                all.extend(read_bucket(&dir.join(name))?);
            }
            all.sort_unstable();
            let entry = write_bucket(&dir, &bucket_name(b), &all, durable)?;
            for name in files.iter().filter(|n| **n != bucket_name(b)) {
                std::fs::remove_file(dir.join(name)).map_err(write_err(&dir.join(name)))?;
                ids.buckets.remove(name);
            }
            ids.buckets.insert(bucket_name(b), entry);
        } else {
            let k = files.iter().map(|n| addition_number(n)).max().unwrap_or(0) + 1;
            let name = format!("{b:02}.d{k}.bin");
            let entry = write_bucket(&dir, &name, &new, durable)?;
            ids.buckets.insert(name, entry);
        }
        std::fs::remove_file(&next).map_err(write_err(&next))?;
    }
    ids.months = months_digest(catalogue);
    if before.as_ref() == Some(&ids) {
        return Ok(());
    }
    catalogue.ids = Some(ids);
    catalogue.save(root, durable)
}

/// Which rows of `events` (with fingerprints `fps`) are repeats in `month`, and why.
pub fn marked(fps: &[u128], month: i32, repeats: &Repeats) -> Vec<Option<Repeat>> {
    match repeats.get(&month) {
        None => vec![None; fps.len()],
        Some(those) => fps.iter().map(|fp| those.get(fp).copied()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, i32)]) -> Vec<Key> {
        let mut buf = Vec::new();
        pairs
            .iter()
            .map(|(id, m)| (fingerprint(&mut buf, "s", id), *m))
            .collect()
    }

    /// Every key the index holds once committed, sorted.
    fn indexed(root: &Path, catalogue: &Catalogue) -> Vec<Key> {
        let mut all: Vec<Key> = (0..BUCKETS)
            .flat_map(|b| files_of(catalogue.ids.as_ref(), b))
            .flat_map(|name| read_bucket(&root.join(FOLDER).join(name)).unwrap())
            .collect();
        all.sort_unstable();
        all
    }

    /// Merges `delivered` keys into the index at `root`; the repeats found.
    fn merge(root: &Path, catalogue: &mut Catalogue, delivered: &[(&str, i32)]) -> Repeats {
        let loose = root.join("delivered");
        let _ = std::fs::remove_dir_all(&loose);
        append(&loose, keys(delivered)).unwrap();
        let index = root.join(FOLDER);
        let (repeats, changed) = repeats(&loose, Some((&index, &*catalogue))).unwrap();
        commit(root, &changed, catalogue, false).unwrap();
        repeats
    }

    // e1 stored in month 10 and delivered in 11: a repeat of a stored event. e2 delivered in
    // 12 and 11: the month-11 copy wins, the month-12 one repeats it. e3 is new in 11.
    #[test]
    fn repeats_in_other_months_are_found_a_bucket_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalogue = Catalogue::new();
        assert!(merge(dir.path(), &mut catalogue, &[("e1", 10)]).is_empty());
        let repeats = merge(
            dir.path(),
            &mut catalogue,
            &[("e1", 11), ("e2", 12), ("e2", 11), ("e3", 11), ("e3", 11)],
        );
        let fp = |id: &str| keys(&[(id, 0)])[0].0;
        assert_eq!(repeats[&11], HashMap::from([(fp("e1"), Repeat::Stored)]));
        assert_eq!(repeats[&12], HashMap::from([(fp("e2"), Repeat::Delivered)]));
        assert_eq!(repeats.len(), 2);
        let mut expected = keys(&[("e1", 10), ("e2", 11), ("e3", 11)]);
        expected.sort_unstable();
        assert_eq!(indexed(dir.path(), &catalogue), expected);
    }

    // Keys added night after night go to files of their own beside a bucket, and the bucket is
    // compacted into one file once they reach half its size: 40 keys, then 10 more (one file
    // beside), then 15 more (25 of 40: compacted). Every key is found throughout.
    #[test]
    fn additions_sit_beside_a_bucket_until_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalogue = Catalogue::new();
        // Ids that all fall in one bucket, found by trying.
        let mut buf = Vec::new();
        let first = bucket(fingerprint(&mut buf, "s", "k0"));
        let ids: Vec<String> = (0..5000)
            .map(|i| format!("k{i}"))
            .filter(|id| bucket(fingerprint(&mut buf, "s", id)) == first)
            .take(65)
            .collect();
        assert_eq!(ids.len(), 65);
        let batch = |r: std::ops::Range<usize>| -> Vec<(&str, i32)> {
            ids[r].iter().map(|id| (id.as_str(), 7)).collect()
        };
        let files = |c: &Catalogue| files_of(c.ids.as_ref(), first);
        merge(dir.path(), &mut catalogue, &batch(0..40));
        assert_eq!(files(&catalogue), vec![bucket_name(first)]);
        merge(dir.path(), &mut catalogue, &batch(40..50));
        assert_eq!(files(&catalogue).len(), 2);
        // The 45th id again, a month later: found in the file beside the bucket.
        let again = merge(dir.path(), &mut catalogue, &[(ids[45].as_str(), 8)]);
        assert_eq!(again[&8].len(), 1);
        merge(dir.path(), &mut catalogue, &batch(50..65));
        assert_eq!(files(&catalogue), vec![bucket_name(first)]);
        assert_eq!(indexed(dir.path(), &catalogue).len(), 65);
        let leftover = std::fs::read_dir(dir.path().join(FOLDER)).unwrap().count();
        assert_eq!(leftover, 1);
    }

    // The fingerprint depends on where the source ends: ("ab", "c") and ("a", "bc") differ.
    #[test]
    fn the_source_and_id_are_kept_apart() {
        let mut buf = Vec::new();
        assert_ne!(
            fingerprint(&mut buf, "ab", "c"),
            fingerprint(&mut buf, "a", "bc")
        );
        assert_eq!(
            fingerprint(&mut buf, "a", "bc"),
            fingerprint(&mut buf, "a", "bc")
        );
    }
}

//! Writing results: tables as CSV and Parquet bytes, every file through a temporary file in
//! the same folder renamed into place, so a reader never sees half a file, and the output
//! folder kept to what the last run wrote: never over an input, never holding stale files.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{write_err, Error, Result};

fn encode_error(what: &str) -> impl FnOnce(PolarsError) -> Error {
    crate::error::internal(format!("encoding {what}"))
}

/// A table as CSV: header row, comma separated, `\n` line ends, empty cells for nulls.
pub fn csv_bytes(frame: &mut DataFrame, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf)
        .include_header(true)
        .finish(frame)
        .map_err(encode_error(what))?;
    Ok(buf)
}

/// A table as Parquet (zstd), for BI tools and for the next stage to scan.
pub fn parquet_bytes(frame: &mut DataFrame, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(frame)
        .map_err(encode_error(what))?;
    Ok(buf)
}

/// Parquet bytes compressed for speed rather than size (LZ4), for files read once.
pub fn parquet_bytes_quick(frame: &mut DataFrame, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Lz4Raw)
        .finish(frame)
        .map_err(encode_error(what))?;
    Ok(buf)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, then
/// renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_replacing(path, bytes, true)
}

/// [`write_atomic`], synced only when `durable`: a file that need not outlive a crash (a
/// working store's) is left to the page cache, which on a slow disk saves waiting for it.
pub fn write_replacing(path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let werr =
        |source: std::io::Error| crate::error::write_failed(path, bytes.len() as u64)(source);
    std::fs::create_dir_all(dir).map_err(werr)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".engage-")
        .tempfile_in(dir)
        .map_err(werr)?;
    tmp.write_all(bytes).map_err(werr)?;
    // Temporary files are created owner-only; outputs are ordinary shared files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(werr)?;
    }
    if durable {
        tmp.as_file().sync_all().map_err(werr)?;
    }
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

/// Where a run's files wait, inside the output folder, until every one is written.
const NEXT: &str = ".engage-next";
/// Where the files a publish replaces wait until it is done; a publish killed half-way is
/// undone from here by the next run ([`recover`]).
const PREVIOUS: &str = ".engage-previous";

/// A run's outputs on their way into the output folder, all or nothing: each file is written
/// (and synced) into a hidden folder beside them, and only when every one is there are they
/// renamed into place, the manifest last, each file they replace kept aside until all are in.
/// A write that fails (a full disk, a name the file system refuses) leaves the previous run's
/// files and manifest as they were. Nothing is written through a link (README, "Outputs").
pub struct Staged {
    out: PathBuf,
    names: Vec<String>,
}

/// Refuses a link, or anything but a folder, where `name` (relative to `out`) needs a
/// folder, and anything but a file where it goes.
fn refuse_in_the_way(out: &Path, name: &str) -> Result<()> {
    let parts: Vec<&str> = name.split('/').collect();
    for depth in 1..=parts.len() {
        let path = out.join(parts[..depth].join("/"));
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return Ok(());
        };
        let last = depth == parts.len();
        let wrong = if meta.file_type().is_symlink() {
            Some("a link, and engage never writes through links")
        } else if last && !meta.is_file() {
            Some("not a file, and engage writes a file there")
        } else if !last && !meta.is_dir() {
            Some("not a folder, and engage writes a folder there")
        } else {
            None
        };
        if let Some(why) = wrong {
            return Err(Error::Usage {
                message: format!("{} is {why}", path.display()),
                help: format!(
                    "remove {} from the output folder (engage writes its own files there), then run again",
                    path.display()
                ),
            });
        }
    }
    Ok(())
}

impl Staged {
    /// Starts a publish into `out`, clearing what a killed one left.
    pub fn begin(out: &Path) -> Result<Staged> {
        recover(out)?;
        let next = out.join(NEXT);
        std::fs::create_dir_all(&next).map_err(write_err(&next))?;
        Ok(Staged {
            out: out.to_path_buf(),
            names: Vec::new(),
        })
    }

    /// Writes one file (`name` relative to the output folder, `/`-separated) aside.
    pub fn put(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        refuse_in_the_way(&self.out, name)?;
        let path = self.out.join(NEXT).join(name);
        let failed = crate::error::write_failed(&path, bytes.len() as u64);
        let written = (|| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::File::create(&path)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        written.map_err(failed)?;
        self.names.push(name.to_string());
        Ok(())
    }

    /// Renames every file into place, in the order put; the first that cannot be placed undoes
    /// the ones before it, so the folder holds the previous files again.
    pub fn commit(self) -> Result<()> {
        for name in &self.names {
            if let Err(e) = refuse_in_the_way(&self.out, name) {
                self.undo(&[]);
                return Err(e);
            }
        }
        let previous = self.out.join(PREVIOUS);
        let mut done: Vec<(&str, bool)> = Vec::with_capacity(self.names.len());
        for name in &self.names {
            match self.place(name) {
                Ok(replaced) => done.push((name, replaced)),
                Err(e) => {
                    self.undo(&done);
                    return Err(e);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&previous);
        let _ = std::fs::remove_dir_all(self.out.join(NEXT));
        Ok(())
    }

    /// Moves one staged file into place, the file it replaces aside; whether there was one.
    fn place(&self, name: &str) -> Result<bool> {
        let target = self.out.join(name);
        let aside = self.out.join(PREVIOUS).join(name);
        let staged = self.out.join(NEXT).join(name);
        let replaced = target.is_file();
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(write_err(dir))?;
        }
        if replaced {
            if let Some(dir) = aside.parent() {
                std::fs::create_dir_all(dir).map_err(write_err(dir))?;
            }
            std::fs::rename(&target, &aside).map_err(write_err(&target))?;
        }
        crate::checkpoint::reached("publish");
        if let Err(e) = std::fs::rename(&staged, &target) {
            if replaced {
                let _ = std::fs::rename(&aside, &target);
            }
            return Err(write_err(&target)(e));
        }
        Ok(replaced)
    }

    /// Puts back what `done` replaced and removes what it added.
    fn undo(&self, done: &[(&str, bool)]) {
        for (name, replaced) in done.iter().rev() {
            let target = self.out.join(name);
            if *replaced {
                let _ = std::fs::rename(self.out.join(PREVIOUS).join(name), &target);
            } else {
                let _ = std::fs::remove_file(&target);
            }
        }
        let _ = std::fs::remove_dir_all(self.out.join(PREVIOUS));
        let _ = std::fs::remove_dir_all(self.out.join(NEXT));
    }
}

/// Undoes a publish a killed run left half done: every file it had set aside goes back (the
/// files it had added are not in the restored manifest, and the next publish removes them).
pub fn recover(out: &Path) -> Result<()> {
    let previous = out.join(PREVIOUS);
    if previous.is_dir() {
        let mut set_aside = Vec::new();
        files_below(&previous, "", &mut set_aside)?;
        for name in set_aside {
            let target = out.join(&name);
            std::fs::rename(previous.join(&name), &target).map_err(write_err(&target))?;
        }
        std::fs::remove_dir_all(&previous).map_err(write_err(&previous))?;
    }
    let next = out.join(NEXT);
    if next.exists() {
        std::fs::remove_dir_all(&next).map_err(write_err(&next))?;
    }
    Ok(())
}

/// The files below `dir` (links not followed), as `/`-separated paths after `prefix`.
fn files_below(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(write_err(dir))? {
        let entry = entry.map_err(write_err(dir))?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().map_err(write_err(dir))?.is_dir() {
            files_below(&entry.path(), &format!("{name}/"), out)?;
        } else {
            out.push(name);
        }
    }
    Ok(())
}

/// The file that marks a folder as engage's output folder, written before any output.
pub const MARKER: &str = ".engage-output";

/// What the marker says to someone who opens the folder.
pub const MARKER_TEXT: &str = "This folder is written by engage. Each run removes the files in it that it did not write; keep nothing else here.\n";

/// A path made absolute with links resolved, as far as it exists: an output folder that does
/// not exist yet is placed under its nearest existing parent.
pub fn absolute(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Where a run writes: its output folder, its store and its key file.
pub struct Targets<'a> {
    pub output: &'a Path,
    pub store: Option<&'a Path>,
    /// The pseudonym key file, when the key comes from a file rather than the environment.
    pub key_file: Option<&'a Path>,
}

/// Refuses a run that would write over, or into, what it reads: an input inside the output
/// folder or the store, an output folder or store inside an export folder, a key file that is
/// an input or sits among the outputs (which are shared; the key must stay secret).
pub fn check_targets(inputs: &[(String, PathBuf)], targets: &Targets) -> Result<()> {
    let refuse = |message: String, help: &str| {
        Err(Error::Usage {
            message,
            help: help.into(),
        })
    };
    let output = absolute(targets.output);
    let store = targets.store.map(absolute);
    let key = targets.key_file.map(absolute);
    for (given, path) in inputs {
        let input = absolute(path);
        let folder_input = input.is_dir();
        // An input inside a target, or a target inside an input folder.
        let overlaps =
            |target: &Path| input.starts_with(target) || folder_input && target.starts_with(&input);
        if overlaps(&output) {
            return refuse(
                format!("the input {given} and the output folder {} overlap: the run would overwrite or remove what it reads", targets.output.display()),
                "write the outputs to a folder of their own (`output` in [pipeline] or --out)",
            );
        }
        if let Some(store) = &store {
            if overlaps(store) {
                return refuse(
                    format!(
                        "the input {given} and the store {} overlap",
                        store.display()
                    ),
                    "keep the store (`store` in [pipeline]) in a folder of its own",
                );
            }
        }
        if let Some(key) = &key {
            if overlaps(key) {
                return refuse(
                    format!(
                        "the pseudonym key file {} is, or is inside, the input {given}",
                        key.display()
                    ),
                    "set pseudonym_key_file in [pipeline] to a path of its own",
                );
            }
        }
    }
    if let Some(store) = &store {
        if store.starts_with(&output) || output.starts_with(store) {
            return refuse(
                format!("the store {} and the output folder {} overlap", store.display(), targets.output.display()),
                "keep the store and the outputs in separate folders: a run removes from its output folder what it did not write",
            );
        }
    }
    if let (Some(key), Some(store)) = (&key, &store) {
        if key.starts_with(store) {
            return refuse(
                format!("the pseudonym key file {} is inside the store {}", key.display(), store.display()),
                "keep the key apart from the data it protects (a store is copied and backed up with the exports): set pseudonym_key_file in [pipeline] to a path outside the store",
            );
        }
    }
    if let Some(key) = &key {
        if key.starts_with(&output) {
            return refuse(
                format!("the pseudonym key file {} is inside the output folder", key.display()),
                "keep the key out of the outputs, which are shared: set pseudonym_key_file in [pipeline] to a path outside the output folder",
            );
        }
    }
    Ok(())
}

/// Refuses `dir` as an output folder unless it is new, empty, or one an earlier run wrote (it
/// holds the marker or a `manifest.json`): a run removes from its output folder every file it
/// did not write. Reads only, so a foreign folder is refused before its lock file is touched.
pub fn check_ours(dir: &Path) -> Result<()> {
    let foreign: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != crate::lock::LOCK_FILE)
            .collect(),
        Err(_) => Vec::new(),
    };
    let ours = foreign.iter().any(|n| n == MARKER || n == "manifest.json");
    if !foreign.is_empty() && !ours {
        let mut shown: Vec<String> = foreign.iter().take(5).cloned().collect();
        shown.sort();
        return Err(Error::Usage {
            message: format!(
                "the output folder {} holds files engage did not write ({}{})",
                dir.display(),
                shown.join(", "),
                if foreign.len() > 5 { ", ..." } else { "" }
            ),
            help: "a run removes from its output folder every file it did not write: choose a new or empty folder (`output` in [pipeline] or --out)".into(),
        });
    }
    Ok(())
}

/// Takes `dir` as this run's output folder ([`check_ours`]) and gives it the marker.
pub fn claim(dir: &Path) -> Result<()> {
    check_ours(dir)?;
    write_atomic(&dir.join(MARKER), MARKER_TEXT.as_bytes())
}

/// Removes every file under `dir` that is not in `keep` (paths relative to `dir`, `/`-
/// separated), then the folders left empty, so the folder holds what the manifest lists.
/// Links are removed, never followed.
pub fn remove_others(dir: &Path, keep: &BTreeSet<String>) -> Result<()> {
    remove_below(dir, "", keep).map(|_| ())
}

/// [`remove_others`] for one folder; whether the folder is now empty.
fn remove_below(dir: &Path, prefix: &str, keep: &BTreeSet<String>) -> Result<bool> {
    let mut empty = true;
    for entry in std::fs::read_dir(dir).map_err(write_err(dir))? {
        let entry = entry.map_err(write_err(dir))?;
        let path = entry.path();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().map_err(write_err(&path))?;
        if kind.is_dir() {
            if remove_below(&path, &format!("{name}/"), keep)? {
                std::fs::remove_dir(&path).map_err(write_err(&path))?;
            } else {
                empty = false;
            }
        } else if keep.contains(&name) {
            empty = false;
        } else {
            std::fs::remove_file(&path).map_err(write_err(&path))?;
        }
    }
    Ok(empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_header_and_empty_nulls() {
        let mut df = df!("a" => [Some(1i32), None], "b" => ["x", "y,z"]).unwrap();
        let bytes = csv_bytes(&mut df, "t").unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), "a,b\n1,x\n,\"y,z\"\n");
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/out.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }
}

//! Writing results: tables as CSV and Parquet bytes, every file through a temporary file in
//! the same folder renamed into place, so a reader never sees half a file, and the output
//! folder kept to what the last run wrote: never over an input, never holding stale files.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};

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
    let werr = |source: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        source,
    };
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

/// Takes `dir` as this run's output folder: a new or empty folder, or one an earlier run
/// wrote (it holds the marker or a `manifest.json`), gets the marker. Any other folder is
/// refused, since a run removes from its output folder every file it did not write.
pub fn claim(dir: &Path) -> Result<()> {
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
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    let mut empty = true;
    for entry in std::fs::read_dir(dir).map_err(werr(dir))? {
        let entry = entry.map_err(werr(dir))?;
        let path = entry.path();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().map_err(werr(&path))?;
        if kind.is_dir() {
            if remove_below(&path, &format!("{name}/"), keep)? {
                std::fs::remove_dir(&path).map_err(werr(&path))?;
            } else {
                empty = false;
            }
        } else if keep.contains(&name) {
            empty = false;
        } else {
            std::fs::remove_file(&path).map_err(werr(&path))?;
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

//! Exports arrive as folders or zip files. This gives both one interface, and reads zips in
//! place, never extracting to disk, after refusing archives that could harm the machine:
//! entries that climb out of the archive (`..`, absolute paths), declared sizes beyond
//! `max_uncompressed_bytes`, and compression ratios above 100 (zip bombs).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// Limits for reading zip archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest total uncompressed size an archive may declare.
    pub max_uncompressed_bytes: u64,
    /// Largest ratio of uncompressed to compressed size of any entry.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_uncompressed_bytes: 20 * 1024 * 1024 * 1024,
            max_ratio: 100,
        }
    }
}

/// An export's files, from a folder or a zip archive.
pub enum Archive {
    Folder {
        root: PathBuf,
        names: Vec<String>,
    },
    Zip {
        path: PathBuf,
        zip: Box<zip::ZipArchive<BufReader<File>>>,
        names: Vec<String>,
    },
    /// One plain file, for formats that may come as a single file.
    Single {
        path: PathBuf,
        names: Vec<String>,
    },
}

/// Whether a file starts like a zip archive.
fn looks_like_zip(path: &Path) -> bool {
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|_| head == *b"PK\x03\x04" || head == *b"PK\x05\x06")
        .unwrap_or(false)
}

fn refuse(path: &Path, message: String, help: &str) -> Error {
    Error::Usage {
        message: format!("{}: {message}", path.display()),
        help: help.to_string(),
    }
}

/// The files of an unpacked export, as sorted `/`-separated names inside it with their paths.
/// A symbolic link that leads outside the export is refused, as `..` entries in a zip are: a
/// link to `/etc` must not make the run read, and quote, files the export does not hold. A
/// link to a file inside the export is read; a link to a folder inside it is not followed,
/// since that folder is read where it is (and a link to an ancestor would never end).
pub fn folder_files(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let real_root = root.canonicalize().map_err(|source| Error::Read {
        path: root.to_path_buf(),
        source,
        help: "check that the export folder exists and is readable".into(),
    })?;
    let mut walk = Walk {
        root,
        real_root,
        files: Vec::new(),
    };
    walk.folder(root, "")?;
    walk.files.sort();
    Ok(walk.files)
}

/// A pipe, socket or device inside an export folder: reading it could wait for ever.
fn not_regular(root: &Path, name: &str) -> Error {
    refuse(
        root,
        format!("{name:?} is not a regular file or folder (a pipe, socket or device)"),
        "exports hold regular files only: remove it from the export folder, or unpack the export again",
    )
}

/// The state of [`folder_files`]' walk.
struct Walk<'a> {
    root: &'a Path,
    real_root: PathBuf,
    files: Vec<(String, PathBuf)>,
}

impl Walk<'_> {
    fn folder(&mut self, dir: &Path, prefix: &str) -> Result<()> {
        let unreadable = |source| Error::Read {
            path: dir.to_path_buf(),
            source,
            help: "check that the export folder is readable".into(),
        };
        for entry in std::fs::read_dir(dir).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let path = entry.path();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type().map_err(unreadable)?;
            if kind.is_symlink() {
                let real = self.inside(&path, &name)?;
                if real.is_file() {
                    self.files.push((name, path));
                } else if !real.is_dir() {
                    return Err(not_regular(self.root, &name));
                }
            } else if kind.is_dir() {
                self.folder(&path, &format!("{name}/"))?;
            } else if kind.is_file() {
                self.files.push((name, path));
            } else {
                return Err(not_regular(self.root, &name));
            }
        }
        Ok(())
    }

    /// Where a link inside the export leads, refused when that is outside it.
    fn inside(&self, link: &Path, name: &str) -> Result<PathBuf> {
        let real = link.canonicalize().map_err(|source| Error::Read {
            path: link.to_path_buf(),
            source,
            help:
                "the export holds a link that leads nowhere; remove it or unpack the export again"
                    .into(),
        })?;
        if real.starts_with(&self.real_root) {
            Ok(real)
        } else {
            Err(refuse(
                self.root,
                format!("{name:?} is a link to {}, outside the export", real.display()),
                "exports hold no links out of themselves; remove the link, or copy what it points to into the export",
            ))
        }
    }
}

impl Archive {
    /// Opens a folder, a zip file (recognised by its first bytes, not its name), or a single
    /// plain file.
    pub fn open(path: &Path, limits: Limits) -> Result<Archive> {
        if path.is_file() && !looks_like_zip(path) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Ok(Archive::Single {
                path: path.to_path_buf(),
                names: vec![name],
            });
        }
        if path.is_dir() {
            let names = folder_files(path)?.into_iter().map(|(n, _)| n).collect();
            return Ok(Archive::Folder {
                root: path.to_path_buf(),
                names,
            });
        }
        let file = File::open(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "give the path of the export's zip file or of its unpacked folder".into(),
        })?;
        let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
            refuse(
                path,
                format!("not a readable zip archive ({e})"),
                "give the export as the zip file it was downloaded as, or as its unpacked folder",
            )
        })?;
        let mut names = Vec::with_capacity(zip.len());
        let mut total: u64 = 0;
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i).map_err(|e| {
                refuse(
                    path,
                    format!("entry {i} cannot be read ({e})"),
                    "re-download the export",
                )
            })?;
            let name = entry.name().to_string();
            let unsafe_path = Path::new(&name).components().any(|c| {
                matches!(
                    c,
                    Component::ParentDir | Component::RootDir | Component::Prefix(_)
                )
            }) || name.starts_with('/')
                || name.starts_with('\\');
            if unsafe_path {
                return Err(refuse(
                    path,
                    format!("entry {name:?} points outside the archive"),
                    "this archive was not made by an export tool; do not use it",
                ));
            }
            total = total.saturating_add(entry.size());
            if entry.size() > 0 && entry.size() / entry.compressed_size().max(1) > limits.max_ratio
            {
                return Err(refuse(
                    path,
                    format!(
                        "entry {name:?} expands {} times ({} bytes from {}), more than the limit of {}",
                        entry.size() / entry.compressed_size().max(1),
                        entry.size(),
                        entry.compressed_size(),
                        limits.max_ratio
                    ),
                    "this looks like a zip bomb; check where the archive came from",
                ));
            }
            if !entry.is_dir() {
                names.push(name);
            }
        }
        if total > limits.max_uncompressed_bytes {
            return Err(refuse(
                path,
                format!(
                    "the archive declares {total} bytes uncompressed, more than max_uncompressed_bytes = {}",
                    limits.max_uncompressed_bytes
                ),
                "raise max_uncompressed_bytes in [pipeline] if the export is really this large",
            ));
        }
        names.sort();
        Ok(Archive::Zip {
            path: path.to_path_buf(),
            zip: Box::new(zip),
            names,
        })
    }

    /// Every file's path inside the export, `/`-separated and sorted.
    pub fn names(&self) -> &[String] {
        match self {
            Archive::Folder { names, .. }
            | Archive::Zip { names, .. }
            | Archive::Single { names, .. } => names,
        }
    }

    /// The error for an export of the wrong kind: what it should be, what it lacks, and the
    /// first files it has.
    pub fn not_a(&self, format: &str, lacks: &str, help: &str) -> Error {
        let names = self.names();
        let mut shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
        if names.len() > 6 {
            shown.push("...");
        }
        let found = if shown.is_empty() {
            "nothing".to_string()
        } else {
            shown.join(", ")
        };
        Error::Usage {
            message: format!(
                "{} is not {format}: it has no {lacks} (found: {found})",
                self.path().display()
            ),
            help: format!("{help}; check the source's kind"),
        }
    }

    /// Whether the export has a file of this name.
    pub fn has(&self, name: &str) -> bool {
        self.names().iter().any(|n| n == name)
    }

    /// Where the export is, for messages.
    pub fn path(&self) -> &Path {
        match self {
            Archive::Folder { root, .. } => root,
            Archive::Zip { path, .. } | Archive::Single { path, .. } => path,
        }
    }

    /// Runs `f` over a streaming reader of one file. A zip entry yields no more bytes than it
    /// declares, whatever its compressed data says.
    pub fn with_reader<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut dyn Read) -> Result<T>,
    ) -> Result<T> {
        match self {
            Archive::Folder { root, .. } => {
                let path = root.join(name);
                let file = File::open(&path).map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                    help: "check that the export folder is complete and readable".into(),
                })?;
                f(&mut BufReader::new(file))
            }
            Archive::Single { path, names } => {
                if names.first().map(String::as_str) != Some(name) {
                    return Err(refuse(
                        path,
                        format!("has no file {name:?}"),
                        "give the export's folder or zip",
                    ));
                }
                let file = File::open(&*path).map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                    help: "check that the file is readable".into(),
                })?;
                f(&mut BufReader::new(file))
            }
            Archive::Zip { path, zip, .. } => {
                let entry = zip.by_name(name).map_err(|e| {
                    refuse(
                        path,
                        format!("entry {name:?} cannot be read ({e})"),
                        "re-download the export",
                    )
                })?;
                let declared = entry.size();
                f(&mut entry.take(declared))
            }
        }
    }

    /// A whole file's bytes.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>> {
        let display = self.path().join(name);
        self.with_reader(name, |r| {
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).map_err(|source| Error::Read {
                path: display.clone(),
                source,
                help: "re-download the export; the file is damaged".into(),
            })?;
            Ok(buf)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(file.reopen().unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
        file
    }

    #[test]
    fn zip_and_folder_read_alike() {
        let z = zip_with(&[("b/2.json", b"[2]"), ("a.json", b"[1]")]);
        let mut a = Archive::open(z.path(), Limits::default()).unwrap();
        assert_eq!(a.names(), ["a.json", "b/2.json"]);
        assert_eq!(a.read("b/2.json").unwrap(), b"[2]");

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/2.json"), "[2]").unwrap();
        std::fs::write(dir.path().join("a.json"), "[1]").unwrap();
        let mut f = Archive::open(dir.path(), Limits::default()).unwrap();
        assert_eq!(f.names(), ["a.json", "b/2.json"]);
        assert_eq!(f.read("a.json").unwrap(), b"[1]");
    }

    #[test]
    fn entries_outside_the_archive_are_refused() {
        let z = zip_with(&[("../evil.json", b"[]")]);
        let err = Archive::open(z.path(), Limits::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("points outside the archive"), "{err}");
    }

    #[test]
    fn zip_bombs_are_refused() {
        // 1 MiB of zeros deflates to about 1 KiB: a ratio near 1000.
        let zeros = vec![0u8; 1 << 20];
        let z = zip_with(&[("big.json", &zeros)]);
        let err = Archive::open(z.path(), Limits::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("expands"), "{err}");
        let small = Limits {
            max_uncompressed_bytes: 10,
            max_ratio: 100_000,
        };
        let err = Archive::open(z.path(), small).err().unwrap().to_string();
        assert!(err.contains("max_uncompressed_bytes"), "{err}");
    }

    #[test]
    fn a_plain_file_is_a_one_file_archive_and_a_broken_zip_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("messages.json");
        std::fs::write(&plain, "[]").unwrap();
        let mut a = Archive::open(&plain, Limits::default()).unwrap();
        assert_eq!(a.names(), ["messages.json"]);
        assert_eq!(a.read("messages.json").unwrap(), b"[]");

        let broken = dir.path().join("export.zip");
        std::fs::write(&broken, b"PK\x03\x04 truncated").unwrap();
        let err = Archive::open(&broken, Limits::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a readable zip archive"), "{err}");
    }
}

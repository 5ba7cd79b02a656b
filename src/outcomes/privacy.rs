//! Pseudonyms (docs/privacy.md): person-level outputs carry hex(HMAC-SHA256(key, person id)), never an
//! id, name or email. The key comes from `ENGAGE_PSEUDONYM_KEY` or from a key file that is
//! created with mode 0600 on first use, so the same person keeps the same pseudonym across runs.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use polars::prelude::*;
use rayon::prelude::*;
use sha2::Sha256;

use crate::error::{Error, Result};

/// The environment variable that carries the pseudonym key.
pub const KEY_ENV: &str = "ENGAGE_PSEUDONYM_KEY";

/// Where the key came from, for the manifest (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(PathBuf),
    CreatedFile(PathBuf),
}

/// Turns person ids into stable pseudonyms.
#[derive(Clone)]
pub struct Pseudonymizer {
    key: Vec<u8>,
}

impl Pseudonymizer {
    pub fn new(key: impl Into<Vec<u8>>) -> Pseudonymizer {
        Pseudonymizer { key: key.into() }
    }

    /// The key from the environment, else from `key_file`, creating that file when missing.
    pub fn load(key_file: &Path) -> Result<(Pseudonymizer, KeySource)> {
        if let Ok(key) = std::env::var(KEY_ENV) {
            if key.len() >= MIN_KEY_BYTES {
                return Ok((Pseudonymizer::new(key.into_bytes()), KeySource::Environment));
            }
            if !key.is_empty() {
                return Err(Error::Usage {
                    message: format!(
                        "{KEY_ENV} holds {} bytes, fewer than the {MIN_KEY_BYTES} a key needs: pseudonyms under a short key can be undone by trying every key",
                        key.len()
                    ),
                    help: format!(
                        "set {KEY_ENV} to at least {MIN_KEY_BYTES} random characters (for example `openssl rand -hex 32`), or unset it to use the key file; with a new key every pseudonym changes"
                    ),
                });
            }
        }
        match std::fs::read(key_file) {
            Ok(bytes) => {
                let key = trim_ascii(&bytes).to_vec();
                if key.len() < MIN_KEY_BYTES {
                    return Err(Error::Read {
                        path: key_file.to_path_buf(),
                        source: std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!(
                                "the key file holds {} bytes, fewer than the {MIN_KEY_BYTES} a key needs: pseudonyms under a short key can be undone by trying every key",
                                key.len()
                            ),
                        ),
                        help: format!(
                            "delete the file so that a new key (64 hex characters) is created, or set {KEY_ENV}; with a new key every pseudonym changes"
                        ),
                    });
                }
                Ok((
                    Pseudonymizer::new(key),
                    KeySource::File(key_file.to_path_buf()),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = create_key_file(key_file)?;
                Ok((
                    Pseudonymizer::new(key),
                    KeySource::CreatedFile(key_file.to_path_buf()),
                ))
            }
            Err(source) => Err(Error::Read {
                path: key_file.to_path_buf(),
                source,
                help: format!("make the key file readable, or set {KEY_ENV}"),
            }),
        }
    }

    /// hex(HMAC-SHA256(key, id)).
    pub fn pseudonym(&self, id: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Replaces the ids in `column` of `frame` by pseudonyms. Each distinct id is hashed once.
    pub fn apply(&self, frame: &DataFrame, column: &str) -> Result<DataFrame> {
        let fail =
            |source: PolarsError| crate::error::fault(format!("pseudonymising `{column}`"), source);
        let ids = frame
            .column(column)
            .map_err(fail)?
            .unique_stable()
            .map_err(fail)?;
        let ids: Vec<Option<String>> = ids
            .str()
            .map_err(fail)?
            .iter()
            .map(|s| s.map(str::to_string))
            .collect();
        let pseudonyms: Vec<Option<String>> = ids
            .par_iter()
            .map(|id| id.as_deref().map(|s| self.pseudonym(s)))
            .collect();
        let map = DataFrame::new_infer_height(vec![
            Column::new("__id".into(), ids),
            Column::new("__pseudonym".into(), pseudonyms),
        ])
        .map_err(fail)?;
        let names: Vec<PlSmallStr> = frame.get_column_names_owned();
        frame
            .clone()
            .lazy()
            .join(
                map.lazy(),
                [col(column)],
                [col("__id")],
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            .with_column(col("__pseudonym").alias(column))
            .select(names.iter().map(|n| col(n.clone())).collect::<Vec<_>>())
            .collect()
            .map_err(fail)
    }
}

/// The shortest key a key file may hold, in bytes (engage writes 64 hex characters).
pub const MIN_KEY_BYTES: usize = 16;

/// A warning when the key file can be read by others than its owner, who could then undo the
/// pseudonyms of everyone in the outputs; `None` when only the owner can (or not on Unix).
pub fn readable_by_others(key_file: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_file).ok()?.permissions().mode();
        (mode & 0o077 != 0).then(|| {
            format!(
                "the pseudonym key {} can be read by others (mode {:04o}): anyone who can read it can undo the pseudonyms; make it private with chmod 600 {}",
                key_file.display(),
                mode & 0o777,
                key_file.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = key_file;
        None
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// Writes 32 random bytes, hex-encoded, to a new file readable by its owner only.
fn create_key_file(path: &Path) -> Result<Vec<u8>> {
    let mut raw = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut raw))
        .map_err(|source| Error::Read {
            path: PathBuf::from("/dev/urandom"),
            source,
            help: format!("set {KEY_ENV} to a long random secret instead"),
        })?;
    let key = hex::encode(raw);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut file = options.open(path).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })?;
    file.write_all(key.as_bytes())
        .and_then(|_| file.write_all(b"\n"))
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(key.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonym_is_the_rfc4231_hmac() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let p = Pseudonymizer::new(b"Jefe".to_vec());
        assert_eq!(
            p.pseudonym("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn created_key_file_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.engage-key");
        let key = create_key_file(&path).unwrap();
        assert_eq!(key.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A second creation must not overwrite the first key.
        assert!(create_key_file(&path).is_err());
        assert_eq!(trim_ascii(&std::fs::read(&path).unwrap()), &key[..]);
    }

    #[test]
    fn apply_keeps_rows_and_order() {
        let df = df!("person" => ["b", "a", "b"], "x" => [1, 2, 3]).unwrap();
        let p = Pseudonymizer::new(b"k".to_vec());
        let out = p.apply(&df, "person").unwrap();
        let got: Vec<&str> = out
            .column("person")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(
            got,
            vec![
                p.pseudonym("b").as_str(),
                p.pseudonym("a").as_str(),
                p.pseudonym("b").as_str()
            ]
        );
        let xs: Vec<i32> = out
            .column("x")
            .unwrap()
            .i32()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(xs, vec![1, 2, 3]);
    }
}

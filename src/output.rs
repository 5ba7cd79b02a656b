//! Writing results: tables as CSV and Parquet bytes, and every file through a temporary file
//! in the same folder renamed into place, so a reader never sees half a file.

use std::io::Write as _;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};

fn encode_error(what: &str) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |source| Error::Polars {
        what: format!("encoding {what}"),
        source,
        help: "report this as a bug".into(),
    }
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

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, then
/// renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
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
    tmp.as_file().sync_all().map_err(werr)?;
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
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

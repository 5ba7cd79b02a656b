//! A CSV read a chunk of whole records at a time from any reader (a file on disk, a zip
//! entry as it is inflated), so that reading it holds one chunk, never the file. polars'
//! own CSV scan maps a local file into memory whole and reads a zip entry only from memory
//! (issue #36: a 333 MB Messages.csv took 0.55 GB from a folder, 1.03 GB from a zip); this
//! reader cuts the bytes at record ends itself and hands each chunk, with the header put
//! before it, to polars' CSV parser. Chunks are checked for the quote flaws polars misreads
//! (`precheck` in `read.rs`) before they are parsed, and flaws and parse failures are named
//! by their line in the whole file.

use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use super::{flaw_error, located, padded_names, scan, sniff, Depth, Flaw, Layout};
use crate::error::{Error, Result};

/// Bytes read per chunk (a chunk ends at the last record end within it): about 70,000 rows
/// of Viva Engage's wide message rows.
const CHUNK_BYTES: usize = 32 << 20;

/// Where a chunk starts in the whole file: the rows and the lines before it.
#[derive(Debug, Clone, Copy)]
struct Start {
    rows: u64,
    /// The 1-based line of the chunk's first byte.
    line: u64,
}

/// Reads the CSV from `reader` (`display` names it in messages) a chunk at a time and hands
/// `each` every chunk as all-text columns with [`ROW`] counted over the whole file, in file
/// order; `columns`, when given, are the only columns parsed (those the header has).
pub fn for_each_chunk(
    reader: &mut dyn Read,
    display: &Path,
    columns: Option<&[&str]>,
    each: impl FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    for_each_chunk_of(reader, display, columns, chunk_bytes(), each)
}

/// [`CHUNK_BYTES`], or `ENGAGE_CHUNK_BYTES` (for tests that need many chunks from a small
/// file).
fn chunk_bytes() -> usize {
    std::env::var("ENGAGE_CHUNK_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(CHUNK_BYTES)
}

/// [`for_each_chunk`] with chunks of about `size` bytes. `each` is called at least once (a
/// file of a header alone gives one empty frame with its columns).
fn for_each_chunk_of(
    reader: &mut dyn Read,
    display: &Path,
    columns: Option<&[&str]>,
    size: usize,
    mut each: impl FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    let failed = |source| {
        Error::Read {
        path: display.to_path_buf(),
        source,
        help: "the file cannot be read to its end: give the export again, or unpack it and give the folder".into(),
    }
    };
    let mut buffer = Vec::new();
    let mut ended = fill(reader, &mut buffer, size).map_err(failed)?;
    let body_at = if buffer.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let layout = sniff(&buffer[body_at..]);
    let header_end = loop {
        match last_record_end(&buffer[body_at..], layout, true) {
            Some(end) => break body_at + end,
            None if ended => break buffer.len(),
            None => {
                let upto = buffer.len() + size;
                ended = fill(reader, &mut buffer, upto).map_err(failed)?
            }
        }
    };
    let parse = Parse::new(&buffer[body_at..header_end], layout, columns);
    buffer.drain(..header_end);
    let mut start = Start { rows: 0, line: 2 };
    let mut handed = false;
    loop {
        let end = match last_record_end(&buffer, layout, false) {
            _ if ended => buffer.len(),
            Some(end) => end,
            None => {
                let upto = buffer.len() + size;
                ended = fill(reader, &mut buffer, upto).map_err(failed)?;
                continue;
            }
        };
        if end > 0 || (ended && !handed) {
            let frame = parse.chunk(&buffer[..end], start, display)?;
            start.rows += frame.height() as u64;
            start.line += memchr::memchr_iter(layout.eol, &buffer[..end]).count() as u64;
            handed = true;
            each(frame)?;
        }
        buffer.drain(..end);
        if ended {
            return Ok(());
        }
        ended = fill(reader, &mut buffer, size).map_err(failed)?;
    }
}

/// Reads into `buffer` until it holds `upto` bytes or the reader ends; whether it ended.
fn fill(reader: &mut dyn Read, buffer: &mut Vec<u8>, upto: usize) -> std::io::Result<bool> {
    while buffer.len() < upto {
        let want = (upto - buffer.len()).min(1 << 20);
        let had = buffer.len();
        buffer.resize(had + want, 0);
        let n = loop {
            match reader.read(&mut buffer[had..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let n = n.inspect_err(|_| buffer.truncate(had))?;
        buffer.truncate(had + n);
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The offset just past the last line end in `bytes` that ends a record (or, with `first`,
/// the first one), counting every quote as polars' chunking does: a line end after an even
/// number of quotes since `bytes` began at a record's start. Files where counting quotes and
/// reading fields disagree are refused by the quote check before they are parsed.
fn last_record_end(bytes: &[u8], layout: Layout, first: bool) -> Option<usize> {
    if first {
        let mut quotes = 0usize;
        for at in memchr::memchr2_iter(b'"', layout.eol, bytes) {
            match bytes[at] {
                b'"' => quotes += 1,
                _ if quotes % 2 == 0 => return Some(at + 1),
                _ => {}
            }
        }
        return None;
    }
    let mut end = memchr::memrchr(layout.eol, bytes)?;
    let mut quotes = memchr::memchr_iter(b'"', &bytes[..end]).count();
    loop {
        if quotes % 2 == 0 {
            return Some(end + 1);
        }
        let before = memchr::memrchr(layout.eol, &bytes[..end])?;
        quotes -= memchr::memchr_iter(b'"', &bytes[before..end]).count();
        end = before;
    }
}

/// How each chunk is parsed: as the whole file would be, with its header before it.
struct Parse {
    header: Vec<u8>,
    layout: Layout,
    columns: Option<Vec<PlSmallStr>>,
    renamed: Vec<(String, String)>,
}

impl Parse {
    fn new(header: &[u8], layout: Layout, columns: Option<&[&str]>) -> Parse {
        let renamed = padded_names(header);
        let names = super::header_of(header);
        // A column is asked for by the name engage reads it by; the parser knows it by the
        // name as written (spaces kept).
        let written = |want: &str| {
            let raw = renamed
                .iter()
                .find(|(_, trimmed)| trimmed == want)
                .map(|(raw, _)| raw.clone());
            raw.or_else(|| names.iter().any(|n| n == want).then(|| want.to_string()))
        };
        let columns = columns.map(|c| {
            c.iter()
                .filter_map(|w| written(w))
                .map(Into::into)
                .collect()
        });
        Parse {
            header: header.to_vec(),
            layout,
            columns,
            renamed,
        }
    }

    /// One chunk's records as all-text columns with [`ROW`] counted from `start`.
    fn chunk(&self, records: &[u8], start: Start, display: &Path) -> Result<DataFrame> {
        let mut bytes = Vec::with_capacity(self.header.len() + records.len() + 1);
        bytes.extend_from_slice(&self.header);
        if !self.header.ends_with(&[self.layout.eol]) {
            bytes.push(self.layout.eol);
        }
        bytes.extend_from_slice(records);
        if let Ok(Some(flaw)) = scan(&bytes[..], self.layout, Depth::Quotes) {
            return Err(self.flaw_at(display, &bytes, start, flaw));
        }
        // Rows past IdxSize's range cannot be numbered: refused, never wrapped.
        let first_row = IdxSize::try_from(start.rows).map_err(|_| Error::Usage {
            message: format!("{} has more rows than engage can number", display.display()),
            help: "split the export into files of fewer than four billion rows".into(),
        })?;
        let frame = super::text_csv_options(self.layout, first_row)
            .with_columns(self.columns.clone().map(Arc::from))
            .into_reader_with_file_handle(std::io::Cursor::new(&bytes))
            .finish()
            .map_err(|e| self.failure(display, &bytes, start, e))?;
        let (raw, trimmed): (Vec<&String>, Vec<&String>) = self
            .renamed
            .iter()
            .filter(|(raw, _)| frame.schema().contains(raw))
            .map(|(raw, trimmed)| (raw, trimmed))
            .unzip();
        let mut frame = frame;
        for (raw, trimmed) in raw.into_iter().zip(trimmed) {
            frame
                .rename(raw, trimmed.into())
                .map_err(crate::error::internal("naming the columns of a CSV chunk"))?;
        }
        Ok(frame)
    }

    /// A flaw found in a chunk (`bytes`: the header, then the chunk), named by its line in the
    /// whole file.
    fn flaw_at(&self, display: &Path, bytes: &[u8], start: Start, flaw: Flaw) -> Error {
        let local = located(display, Some(bytes), flaw);
        // Line 1 of `bytes` is the header; line 2 is the chunk's first, `start.line`.
        let line = start.line + local.line().saturating_sub(2);
        flaw_error(display, local.on(line))
    }

    /// A chunk polars could not parse: its flaw and line when a full check finds one.
    fn failure(&self, display: &Path, bytes: &[u8], start: Start, e: PolarsError) -> Error {
        match scan(bytes, self.layout, Depth::Full).ok().flatten() {
            Some(flaw) => self.flaw_at(display, bytes, start, flaw),
            None => Error::polars(
                format!("cannot read {}", display.display()),
                "check that the file is a UTF-8 CSV whose rows have as many fields as the header",
            )(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read::ROW;

    const LF: Layout = Layout {
        separator: b',',
        eol: b'\n',
    };

    #[test]
    fn a_record_ends_at_a_line_end_outside_quotes() {
        // Worked out by hand: the second line end is inside the quoted "b\nc"; the last
        // record end is after `"b\nc",2`'s line end (offset 11, so 12), not after the open "d.
        let bytes = b"x,1\n\"b\nc\",2\n\"d\ne";
        assert_eq!(last_record_end(bytes, LF, false), Some(12));
        assert_eq!(last_record_end(bytes, LF, true), Some(4));
        assert_eq!(last_record_end(b"\"open\n", LF, false), None);
        assert_eq!(last_record_end(b"no end", LF, false), None);
    }

    fn read_all(csv: &[u8], columns: Option<&[&str]>) -> Result<Vec<DataFrame>> {
        read_in(csv, columns, CHUNK_BYTES)
    }

    fn read_in(csv: &[u8], columns: Option<&[&str]>, size: usize) -> Result<Vec<DataFrame>> {
        let mut frames = Vec::new();
        let mut reader = csv;
        for_each_chunk_of(&mut reader, Path::new("t.csv"), columns, size, |f| {
            frames.push(f);
            Ok(())
        })?;
        Ok(frames)
    }

    fn names(frame: &DataFrame) -> Vec<&str> {
        frame
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect()
    }

    #[test]
    fn a_file_is_read_whole_with_its_rows_counted() {
        let csv = "\u{feff}\"id\",\" name \",\"body\"\n\"1\",\"Ann\",\"a\nb\"\n\"2\",\"\",\"c\"";
        let frames = read_all(csv.as_bytes(), None).unwrap();
        let all = frames[0].clone();
        assert_eq!(names(&all), [ROW, "id", "name", "body"]);
        assert_eq!(
            all.column("body").unwrap().str().unwrap().get(0),
            Some("a\nb")
        );
        // The empty value is a null, as NULL_MARKERS say.
        assert_eq!(all.column("name").unwrap().null_count(), 1);
        let picked = read_all(csv.as_bytes(), Some(&["name", "id"])).unwrap();
        assert_eq!(names(&picked[0]), [ROW, "id", "name"]);
    }

    #[test]
    fn a_flaw_is_named_by_its_line_in_the_file() {
        // Line 1 the header, 2 a good row, 3 a stray quote.
        let csv = b"id,name\n1,Ann\n2,5\" screen\n";
        let Err(Error::Input { line, .. }) = read_all(csv, None) else {
            panic!("the stray quote is refused");
        };
        assert_eq!(line, 3);
    }

    #[test]
    fn small_chunks_read_as_the_whole() {
        let csv = b"id,body\n1,\"a\nb\"\n2,x\n3,\"\"\"q\"\"\"\n4,y\n5,\"last\nline\"";
        let whole = read_all(csv, None).unwrap();
        assert_eq!(whole.len(), 1);
        let parts = read_in(csv, None, 3).unwrap();
        assert!(parts.len() > 2, "{} chunks", parts.len());
        let mut joined = parts[0].clone();
        for p in &parts[1..] {
            joined.vstack_mut(p).unwrap();
        }
        assert!(joined.equals_missing(&whole[0]));
        // Rows 0..5, the fifth's body spanning a line, the third's quotes undoubled.
        assert_eq!(joined.column(ROW).unwrap().u32().unwrap().get(4), Some(4));
        let body = joined.column("body").unwrap().str().unwrap().clone();
        assert_eq!(body.get(2), Some("\"q\""));
        assert_eq!(body.get(4), Some("last\nline"));
        // A header alone: one empty frame with its columns.
        let empty = read_in(b"id,body\n", None, 3).unwrap();
        assert_eq!(
            (empty.len(), empty[0].height(), empty[0].width()),
            (1, 0, 3)
        );
    }
}

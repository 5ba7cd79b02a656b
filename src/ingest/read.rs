//! Reading helpers every CSV-based source shares: header checks that name what is missing,
//! a lazy all-string scan with null markers, and the collection of bad values with their line
//! numbers. Lenient timestamps and dates are in `read/times.rs`.

use std::io::Read;
use std::path::Path;

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::batch::InputFile;
use crate::error::{BadValue, BadValues, Error, Result};
use crate::plan::InputPath;
use crate::vocabulary::notes::Note;

mod chunks;
mod times;
pub use chunks::for_each_chunk;
pub use times::{
    gap_reason, name_gaps, parse_canonical_timestamp, parse_date, parse_timestamp,
    patch_timestamps, timestamp_without_zone, zone_note,
};

pub use super::batch::ROW;

/// Values that mean "missing" in every CSV we read (formats spec, "Generic").
pub const NULL_MARKERS: [&str; 3] = ["", "null", "NA"];

/// How many bad values an error message shows.
const EXAMPLES: usize = 5;

/// How a CSV is laid out: its field separator and the byte that ends a line. Sniffed from the
/// file's first line, so Dutch Excel's semicolons and the bare carriage returns of old Mac and
/// some Excel exports are read, not taken for a one-column or one-line file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub separator: u8,
    pub eol: u8,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout {
            separator: b',',
            eol: b'\n',
        }
    }
}

/// How much of a file's start is read to find its layout and header.
const HEAD_BYTES: u64 = 1 << 20;

/// The separators a header may use, in order of preference when counts tie.
const SEPARATORS: [u8; 3] = [b',', b';', b'\t'];

/// The layout of a CSV from its first bytes: lines end in `\n` (with or without `\r`) unless
/// only bare `\r` occurs; the separator is the one of [`SEPARATORS`] the header line uses most
/// outside quotes (a comma when it uses none).
pub fn sniff(head: &[u8]) -> Layout {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let eol = if !head.contains(&b'\n') && head.contains(&b'\r') {
        b'\r'
    } else {
        b'\n'
    };
    let line = head.split(|b| *b == eol).next().unwrap_or_default();
    let mut counts = [0usize; SEPARATORS.len()];
    let mut quoted = false;
    for b in line {
        if *b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = SEPARATORS.iter().position(|s| s == b) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..SEPARATORS.len())
        .rev()
        .max_by_key(|i| counts[*i])
        .unwrap_or(0);
    Layout {
        separator: if counts[best] == 0 {
            b','
        } else {
            SEPARATORS[best]
        },
        eol,
    }
}

/// The first [`HEAD_BYTES`] of a file.
fn head_of(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
        help: "check that the file exists and is readable".into(),
    })?;
    head_from(file, path)
}

/// The first [`HEAD_BYTES`] a reader gives; `path` names it in an error.
fn head_from(reader: impl Read, path: &Path) -> Result<Vec<u8>> {
    let mut head = Vec::new();
    reader
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "check that the file is readable".into(),
        })?;
    Ok(head)
}

/// The column names of a CSV header, with a UTF-8 BOM and surrounding quotes removed.
/// A UTF-16 file (with a byte-order mark, or without one: a NUL every other byte) is named as
/// such here, before a header of NUL-laden names could be reported as missing columns.
pub fn read_header(path: &Path) -> Result<Vec<String>> {
    let head = head_of(path)?;
    if let Some(e) = utf16(path, &head) {
        return Err(e);
    }
    Ok(header_of(&head))
}

/// The error for a file whose first bytes are UTF-16 text, if they are.
fn utf16(path: &Path, head: &[u8]) -> Option<Error> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Some(flaw_error(
            path,
            Flaw::NotUtf8 {
                line: 1,
                byte: head[0],
            },
        ));
    }
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    first_line.contains(&0).then(|| Error::Input {
        path: path.to_path_buf(),
        line: 1,
        message: "the first line holds NUL bytes: the file is UTF-16 text without a byte-order mark, not UTF-8".into(),
        help: "save the file as \"CSV UTF-8\", or convert it: iconv -f UTF-16LE -t UTF-8 in.csv > out.csv (UTF-16BE if the NUL comes first)".into(),
    })
}

/// The header's names as the CSV reader takes them (quotes removed, spaces kept), each with
/// the name engage reads it by (spaces trimmed), where the two differ.
fn padded_names(head: &[u8]) -> Vec<(String, String)> {
    let layout = sniff(head);
    let line = head.split(|b| *b == layout.eol).next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let line = line.strip_prefix('\u{feff}').unwrap_or(&line);
    line.trim_end_matches(['\r', '\n'])
        .split(char::from(layout.separator))
        .map(|c| c.trim_matches('"').to_string())
        .filter_map(|raw| {
            let name = raw.trim().trim_matches('"').to_string();
            (name != raw).then_some((raw, name))
        })
        .collect()
}

/// The column names in the first line of a file's first bytes, split by its layout.
fn header_of(head: &[u8]) -> Vec<String> {
    let layout = sniff(head);
    let line = head.split(|b| *b == layout.eol).next().unwrap_or_default();
    // Not UTF-8: the names are shown as far as they can be; the scan then names the line.
    split_header(&String::from_utf8_lossy(line), layout.separator)
}

/// Splits a header line into names, without a BOM, line end or surrounding quotes.
fn split_header(line: &str, separator: u8) -> Vec<String> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Vec::new();
    }
    line.split(char::from(separator))
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect()
}

/// Fails with a message naming the format, what is missing and what the header has.
pub fn require_columns(
    path: &Path,
    header: &[String],
    required: &[&str],
    format: &str,
    help: &str,
) -> Result<()> {
    let missing: Vec<String> = required
        .iter()
        .filter(|r| !header.iter().any(|h| h == *r))
        .map(|r| r.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::MissingColumns {
            path: path.to_path_buf(),
            format: format.to_string(),
            missing,
            found: header.to_vec(),
            help: help.to_string(),
        })
    }
}

/// Reads a CSV's header, checks it has `required`, and scans the file as text: the header and
/// the scan.
pub fn open_checked_csv(
    path: &Path,
    required: &[&str],
    format: &str,
    help: &str,
) -> Result<(Vec<String>, LazyFrame)> {
    let header = read_header(path)?;
    require_columns(path, &header, required, format, help)?;
    Ok((header, scan_text_csv(path)?))
}

/// Scans a CSV with every column as text and the null markers as missing, adding [`ROW`].
/// The separator and line end are sniffed from the file's start ([`sniff`]).
pub fn scan_text_csv(path: &Path) -> Result<LazyFrame> {
    let path_str = path.to_str().ok_or_else(|| Error::Usage {
        message: format!("the path {} is not valid UTF-8", path.display()),
        help: "rename the file or folder so that its path is UTF-8".into(),
    })?;
    let head = head_of(path)?;
    let layout = sniff(&head);
    precheck(path, None)?;
    let nulls = NullValues::AllColumns(NULL_MARKERS.iter().map(|s| (*s).into()).collect());
    let (padded, trimmed): (Vec<String>, Vec<String>) = padded_names(&head).into_iter().unzip();
    LazyCsvReader::new(PlRefPath::new(path_str))
        .with_has_header(true)
        .with_separator(layout.separator)
        .with_eol_char(layout.eol)
        .with_infer_schema_length(Some(0))
        .with_null_values(Some(nulls))
        .with_missing_is_null(true)
        .with_row_index(Some(RowIndex {
            name: ROW.into(),
            offset: 0,
        }))
        .finish()
        .map(|scan| scan.rename(padded, trimmed, false))
        .map_err(|e| csv_failure(path, None, e))
}

/// Refuses, before polars reads it, a CSV whose quotes polars 0.55 would misread: a quoted
/// value never closed, or a row with an odd number of quotes inside unquoted values. polars
/// splits a file into chunks by counting every quote but parses fields by where values start,
/// and where the two disagree its parser slices a field without a bounds check (an abort, or
/// undefined behaviour in a release build). Found by the fuzz targets; see [`scan`].
fn precheck(path: &Path, bytes: Option<&[u8]>) -> Result<()> {
    let found = match bytes {
        Some(b) => scan(b, sniff(b), Depth::Quotes),
        None => {
            let layout = sniff(&head_of(path)?);
            let file = std::fs::File::open(path).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
                help: "check that the file exists and is readable".into(),
            })?;
            scan(file, layout, Depth::Quotes)
        }
    };
    match found {
        Ok(Some(flaw)) => Err(flaw_error(path, located(path, bytes, flaw))),
        _ => Ok(()),
    }
}

/// What is structurally wrong with a CSV, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flaw {
    /// A byte that is not UTF-8 (a Latin-1, Windows-1252 or UTF-16 file).
    NotUtf8 { line: u64, byte: u8 },
    /// A quoted value opened on `line` and never closed.
    UnclosedQuote { line: u64 },
    /// A row whose unquoted values hold an odd number of quotes, the first on `line`.
    StrayQuote { line: u64 },
    /// A record with more fields than the header.
    ExtraFields {
        line: u64,
        fields: usize,
        header: usize,
    },
}

impl Flaw {
    /// The same flaw on another line.
    fn on(self, line: u64) -> Flaw {
        match self {
            Flaw::NotUtf8 { byte, .. } => Flaw::NotUtf8 { line, byte },
            Flaw::UnclosedQuote { .. } => Flaw::UnclosedQuote { line },
            Flaw::StrayQuote { .. } => Flaw::StrayQuote { line },
            Flaw::ExtraFields { fields, header, .. } => Flaw::ExtraFields {
                line,
                fields,
                header,
            },
        }
    }

    fn line(&self) -> u64 {
        match self {
            Flaw::NotUtf8 { line, .. }
            | Flaw::UnclosedQuote { line }
            | Flaw::StrayQuote { line }
            | Flaw::ExtraFields { line, .. } => *line,
        }
    }
}

/// How much [`scan`] checks: quotes only (before every read, fast), or also UTF-8 and field
/// counts (to explain a file polars refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Quotes,
    Full,
}

/// The state of [`scan`], which reads quotes as polars' field parser does: a value that starts
/// with a quote is quoted, and inside it every quote opens or closes (so `""` is a quote); in
/// any other value a quote is a plain character, and only an even number of them per row
/// keeps polars' chunking, which counts every quote, in step with its parser. Flaws carry the
/// byte offset (plus one) in `line` until [`located`] counts lines.
struct Quotes {
    layout: Layout,
    depth: Depth,
    /// The current value started with a quote.
    quoted: bool,
    /// Between a quoted value's opening (or re-opening) quote and the next quote.
    inside: bool,
    /// Where the current quoted value opened.
    opened_at: u64,
    /// The first quote in an unquoted value of this row while their number is odd.
    stray_at: Option<u64>,
    /// The byte before the next one to read (a line end at the start of the data).
    prev: u8,
    fields: usize,
    header: Option<usize>,
    record_at: u64,
}

impl Quotes {
    fn new(layout: Layout, depth: Depth) -> Quotes {
        Quotes {
            layout,
            depth,
            quoted: false,
            inside: false,
            opened_at: 0,
            stray_at: None,
            prev: layout.eol,
            fields: 1,
            header: None,
            record_at: 0,
        }
    }

    /// Reads `buf`, which starts at byte `base` of the data; the first flaw, if any.
    fn chunk(&mut self, buf: &[u8], base: u64) -> Option<Flaw> {
        let (quote, sep, eol) = (b'"', self.layout.separator, self.layout.eol);
        let mut i = 0;
        while i < buf.len() {
            let rest = &buf[i..];
            if self.inside {
                let Some(k) = memchr::memchr(quote, rest) else {
                    break;
                };
                self.inside = false;
                i += k + 1;
                continue;
            }
            // Only what can change the state is looked for: in an unquoted value of a row
            // without stray quotes (read for quotes only), that is the next quote alone.
            // Right after a closing quote the next byte nearly always decides (a separator
            // or a line end), so it is looked at before searching.
            let decides = rest[0] == quote || rest[0] == sep || rest[0] == eol;
            let next = if self.quoted && decides {
                Some(0)
            } else if self.depth == Depth::Full || self.quoted {
                memchr::memchr3(quote, sep, eol, rest)
            } else if self.stray_at.is_some() {
                memchr::memchr2(quote, eol, rest)
            } else {
                memchr::memchr(quote, rest)
            };
            let Some(k) = next else {
                break;
            };
            let p = i + k;
            let at = base + p as u64;
            let before = if p == 0 { self.prev } else { buf[p - 1] };
            i = p + 1;
            if buf[p] == quote {
                if self.quoted {
                    self.inside = true;
                } else if before == sep || before == eol {
                    (self.quoted, self.inside, self.opened_at) = (true, true, at);
                } else {
                    self.stray_at = match self.stray_at {
                        None => Some(at),
                        Some(_) => None,
                    };
                }
            } else if buf[p] == sep {
                self.quoted = false;
                self.fields += 1;
            } else if let Some(flaw) = self.end_record(at + 1) {
                return Some(flaw);
            }
        }
        if let Some(last) = buf.last() {
            self.prev = *last;
        }
        None
    }

    /// Ends the row before `next` (the offset after its line end); a flaw of the row, if any.
    fn end_record(&mut self, next: u64) -> Option<Flaw> {
        self.quoted = false;
        if let Some(at) = self.stray_at.take() {
            return Some(Flaw::StrayQuote { line: at + 1 });
        }
        let fields = std::mem::replace(&mut self.fields, 1);
        let record_at = std::mem::replace(&mut self.record_at, next);
        match (self.depth, self.header) {
            (Depth::Quotes, _) => None,
            (Depth::Full, None) => {
                self.header = Some(fields);
                None
            }
            (Depth::Full, Some(header)) => (fields > header).then_some(Flaw::ExtraFields {
                line: record_at + 1,
                fields,
                header,
            }),
        }
    }

    /// The flaw that only the end of the data shows: a quoted value still open, or (read in
    /// full) a last row without a line end that has too many fields.
    fn end(mut self, len: u64) -> Option<Flaw> {
        if self.inside {
            return Some(Flaw::UnclosedQuote {
                line: self.opened_at + 1,
            });
        }
        if self.depth == Depth::Full && self.record_at < len {
            // No line end follows the last row, so its quotes cannot mislead the chunking.
            self.stray_at = None;
            return self.end_record(len);
        }
        None
    }
}

/// Scans a CSV's bytes for the first [`Flaw`], reading quotes as polars does ([`Quotes`]) and,
/// at [`Depth::Full`], also UTF-8 and field counts. Streams, so a file of any size is checked in
/// constant memory, and jumps from quote to quote where it can. The flaw's `line` holds its
/// byte offset plus one until [`located`] counts the line.
pub fn scan(mut reader: impl Read, layout: Layout, depth: Depth) -> std::io::Result<Option<Flaw>> {
    let mut quotes = Quotes::new(layout, depth);
    let mut buf = vec![0u8; 1 << 16];
    // Bytes of a UTF-8 character cut by the end of the previous read.
    let mut carry: Vec<u8> = Vec::new();
    let mut base = 0u64;
    let mut first = true;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let mut chunk = std::mem::take(&mut carry);
        chunk.extend_from_slice(&buf[..n]);
        let mut body = &chunk[..];
        if first {
            first = false;
            if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
                body = rest;
                base = 3;
            }
        }
        let (valid, bad) = match depth {
            Depth::Quotes => (body.len(), None),
            Depth::Full => match std::str::from_utf8(body) {
                Ok(_) => (body.len(), None),
                Err(e) => (
                    e.valid_up_to(),
                    e.error_len().map(|_| body[e.valid_up_to()]),
                ),
            },
        };
        if let Some(flaw) = quotes.chunk(&body[..valid], base) {
            return Ok(Some(flaw));
        }
        if let Some(byte) = bad {
            let line = base + valid as u64 + 1;
            return Ok(Some(Flaw::NotUtf8 { line, byte }));
        }
        base += valid as u64;
        carry = body[valid..].to_vec();
    }
    if let Some(&byte) = carry.first() {
        return Ok(Some(Flaw::NotUtf8 {
            line: base + 1,
            byte,
        }));
    }
    Ok(quotes.end(base))
}

/// The flaw with the 1-based line of the byte offset [`scan`] left in it: the line ends
/// before that offset in the file at `path` (or in `bytes`), plus one.
fn located(path: &Path, bytes: Option<&[u8]>, flaw: Flaw) -> Flaw {
    let offset = flaw.line().saturating_sub(1);
    let count = |data: &[u8], eol: u8| memchr::memchr_iter(eol, data).count() as u64;
    let ends = match bytes {
        Some(b) => count(&b[..(offset as usize).min(b.len())], sniff(b).eol),
        None => {
            let eol = head_of(path).map(|h| sniff(&h).eol).unwrap_or(b'\n');
            let mut before = Vec::new();
            let _ = std::fs::File::open(path).map(|f| f.take(offset).read_to_end(&mut before));
            count(&before, eol)
        }
    };
    flaw.on(ends + 1)
}

/// The error for a CSV polars could not read: the flaw and its line when a scan of the file
/// (on disk at `path`, or `bytes` from an archive) finds one, else polars' message cut short.
pub fn csv_failure(path: &Path, bytes: Option<&[u8]>, e: PolarsError) -> Error {
    let found = match bytes {
        Some(b) => scan(b, sniff(b), Depth::Full).ok().flatten(),
        None => head_of(path).ok().and_then(|head| {
            let file = std::fs::File::open(path).ok()?;
            scan(file, sniff(&head), Depth::Full).ok().flatten()
        }),
    };
    let Some(flaw) = found else {
        return Error::polars(
            format!("cannot read {}", path.display()),
            "check that the file is a UTF-8 CSV whose rows have as many fields as the header",
        )(e);
    };
    flaw_error(path, located(path, bytes, flaw))
}

/// A [`Flaw`] as a message naming the file and line, and the fix.
fn flaw_error(path: &Path, flaw: Flaw) -> Error {
    let (line, message, help) = match flaw {
        // A UTF-16 byte-order mark: Excel's "Unicode Text" and some Windows tools.
        Flaw::NotUtf8 { line: 1, byte: byte @ (0xFE | 0xFF) } => (
            1,
            format!("the file starts with the byte 0x{byte:02X}: it is UTF-16 text (Excel's \"Unicode Text\"), not UTF-8"),
            "save the file as \"CSV UTF-8\", or convert it: iconv -f UTF-16 -t UTF-8 in.csv > out.csv".to_string(),
        ),
        Flaw::NotUtf8 { line, byte } => (
            line,
            format!("the byte 0x{byte:02X} is not UTF-8 text: the file is probably Latin-1 or Windows-1252, as older Excel saves CSV"),
            "save the file as \"CSV UTF-8\" (Excel: Save As, CSV UTF-8), or convert it: iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv".to_string(),
        ),
        Flaw::UnclosedQuote { line } => (
            line,
            "a quoted value starts on this line and is never closed, so the rest of the file would be one value".to_string(),
            "close the quote or remove the stray \" on that line; a quote inside a quoted value is written twice (\"\")".to_string(),
        ),
        Flaw::StrayQuote { line } => (
            line,
            "a value that does not start with a quote holds a quote (as in 5\" screen), and the row has an odd number of them, so where it ends is ambiguous".to_string(),
            "put the whole value in quotes and write the quote twice: \"5\"\" screen\"".to_string(),
        ),
        Flaw::ExtraFields { line, fields, header } => (
            line,
            format!("this row has {fields} fields, the header {header}"),
            "quote values that contain the separator, or remove the extra fields".to_string(),
        ),
    };
    Error::Input {
        path: path.to_path_buf(),
        line,
        message,
        help,
    }
}

/// A column if the header has it, else a typed null, so optional columns may be absent.
pub fn text_or_null(header: &[String], name: &str) -> Expr {
    if header.iter().any(|h| h == name) {
        col(name)
    } else {
        lit(NULL).cast(DataType::String).alias(name)
    }
}

/// Fails when any row matches `bad`, naming the first lines and their values of `column`.
pub fn reject_if_any(
    frame: &DataFrame,
    bad: Expr,
    column: &str,
    path: &Path,
    problem: &str,
    help: &str,
) -> Result<()> {
    let hits = frame
        .clone()
        .lazy()
        .filter(bad)
        .select([
            col(ROW),
            col(column)
                .cast(DataType::String)
                .fill_null(lit("(empty)"))
                .alias("__value"),
        ])
        .collect()
        .map_err(Error::polars(
            format!("cannot check {}", path.display()),
            "report this as a bug with the file attached",
        ))?;
    if hits.height() == 0 {
        return Ok(());
    }
    let listing = || crate::error::internal(format!("cannot check {}", path.display()));
    let rows = hits
        .column(ROW)
        .and_then(|c| c.cast(&DataType::UInt64))
        .and_then(|c| c.u64().cloned())
        .map_err(listing())?;
    let values = hits
        .column("__value")
        .and_then(|c| c.str().cloned())
        .map_err(listing())?;
    let examples = rows
        .iter()
        .zip(values.iter())
        .take(EXAMPLES)
        .map(|(r, v)| BadValue {
            // Line 1 is the header, so data row 0 is on line 2.
            line: r.unwrap_or(0) + 2,
            value: super::batch::shorten(v.unwrap_or("")),
        })
        .collect();
    Err(Error::BadValues(Box::new(BadValues {
        path: path.to_path_buf(),
        // The raw copy of a column is named after it: the user knows the column, not the copy.
        column: column.trim_start_matches("__raw_").to_string(),
        problem: problem.to_string(),
        examples,
        count: hits.height() as u64,
        help: help.to_string(),
    })))
}

/// Size and SHA-256 of a file, streamed so large exports are not held in memory.
pub fn fingerprint(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
        help: "check that the file exists and is readable".into(),
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "check that the file is readable".into(),
        })?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// Collects a scan of the CSV at `path`; when polars cannot parse it, the error names the
/// line and the flaw ([`csv_failure`]).
pub fn collect_file(frame: LazyFrame, path: &Path) -> Result<DataFrame> {
    frame.collect().map_err(|e| csv_failure(path, None, e))
}

/// A row check of a small table: the condition that makes a row bad, the column to show, the
/// problem and how to fix it (see [`reject_if_any`]).
pub type Check<'a> = (Expr, &'a str, &'a str, &'a str);

/// The checks of a team-level table (team surveys, team KPIs): a team and a period on every
/// row. `period_help` says how to give the period.
pub fn team_and_period(period_help: &'static str) -> [Check<'static>; 2] {
    [
        (
            col("team").is_null(),
            "team",
            "missing team",
            "name the team as on the roster",
        ),
        (
            col("period").is_null(),
            "period",
            "missing period",
            period_help,
        ),
    ]
}

/// Rows per batch when a file is read a batch at a time: about 150 MB of canonical events.
const BATCH_ROWS: usize = 1 << 20;

/// [`BATCH_ROWS`], or `ENGAGE_BATCH_ROWS` (for tests that need many batches from a small file).
fn batch_rows() -> usize {
    std::env::var("ENGAGE_BATCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(BATCH_ROWS)
}

/// Runs a query over a file on the streaming engine and hands `each` its rows a batch at a
/// time, in file order, so that a file of any size is held one batch at a time. The query
/// runs on its own thread and waits while `each` works (a channel of one batch); an error
/// from `each` stops it. A file polars refuses is reported as [`collect_file`] reports it.
pub fn for_each_batch(
    frame: LazyFrame,
    path: &Path,
    mut each: impl FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    let rows = batch_rows();
    let (send, batches) = std::sync::mpsc::sync_channel::<DataFrame>(1);
    // `true` stops the query: nobody is listening any more.
    let sink = PlanCallback::new(move |batch| Ok(send.send(batch).is_err()));
    let query = frame
        .sink_batches(sink, true, std::num::NonZeroUsize::new(rows))
        .map_err(|e| csv_failure(path, None, e))?;
    let runner = std::thread::spawn(move || query.collect_with_engine(Engine::Streaming));
    let mut stopped = Ok(());
    for batch in batches.iter() {
        stopped = each(batch);
        if stopped.is_err() {
            break;
        }
    }
    drop(batches);
    let ran = runner.join().map_err(|_| {
        crate::error::fault(format!("reading {}", path.display()), "the reader panicked")
    })?;
    stopped?;
    ran.map(|_| ()).map_err(|e| csv_failure(path, None, e))
}

/// The checked frame cut down to its published columns, with the file's manifest entry.
pub fn finish<const N: usize>(
    frame: DataFrame,
    columns: [&str; N],
    input: &InputPath,
    role: &str,
    kind: &str,
) -> Result<(DataFrame, InputFile)> {
    let rows_read = frame.height() as u64;
    let out = frame.select(columns).map_err(Error::polars(
        format!("cannot read {}", input.path.display()),
        "report this as a bug with the file attached",
    ))?;
    let (bytes, sha256) = fingerprint(&input.path)?;
    Ok((
        out,
        InputFile {
            role: role.into(),
            kind: kind.into(),
            path: input.path.clone(),
            given: input.given.clone(),
            bytes,
            sha256,
            rows_read,
        },
    ))
}

/// Size and SHA-256 of a file, or of a folder's files (names and contents, in name order).
pub fn fingerprint_any(path: &Path) -> Result<(u64, String)> {
    if !path.is_dir() {
        return fingerprint(path);
    }
    let names = super::archive::folder_files(path)?;
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    for (rel, file) in names {
        let (bytes, sha) = fingerprint(&file)?;
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update(sha.as_bytes());
        total += bytes;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

/// A CSV inside an export (folder, zip or single file) as all-text columns with [`ROW`], and
/// its header. Zip entries are read into memory; files on disk are scanned lazily.
pub fn text_csv_in(
    archive: &mut super::archive::Archive,
    name: &str,
) -> Result<(LazyFrame, Vec<String>)> {
    use super::archive::Archive;
    let on_disk = match archive {
        Archive::Folder { root, .. } => Some(root.join(name)),
        Archive::Single { path, .. } => Some(path.clone()),
        Archive::Zip { .. } => None,
    };
    if let Some(path) = on_disk {
        let header = read_header(&path)?;
        return Ok((scan_text_csv(&path)?, header));
    }
    let bytes = archive.read(name)?;
    let display = archive.path().join(name);
    let header = header_of(&bytes);
    let layout = sniff(&bytes);
    precheck(&display, Some(&bytes))?;
    let nulls = NullValues::AllColumns(NULL_MARKERS.iter().map(|s| (*s).into()).collect());
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_row_index(Some(RowIndex {
            name: ROW.into(),
            offset: 0,
        }))
        .map_parse_options(|o| {
            o.with_null_values(Some(nulls.clone()))
                .with_missing_is_null(true)
                .with_separator(layout.separator)
                .with_eol_char(layout.eol)
        })
        .into_reader_with_file_handle(std::io::Cursor::new(&bytes))
        .finish()
        .map_err(|e| csv_failure(&display, Some(&bytes), e))?;
    Ok((frame.lazy(), header))
}

/// Internal columns of a checked frame: why a row is rejected, why it is excluded, and the raw
/// value to show in the rejects file.
pub const REASON: &str = "__reason";
pub const EXCLUDED: &str = "__excluded";
/// The rows of a checked frame that are neither rejected nor excluded.
pub fn kept(checked: &DataFrame) -> LazyFrame {
    checked
        .clone()
        .lazy()
        .filter(col(REASON).is_null().and(col(EXCLUDED).is_null()))
}

pub const RAW: &str = "__raw";

/// How a rejected row is located in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// `line N`: the header is line 1 (for files whose values never span lines).
    Line,
    /// `record N`: the N-th data record (for files whose quoted values may span lines).
    Record,
    /// `row N`: the N-th row of a file without a header line (NDJSON, Parquet, Arrow).
    Row,
}

/// The rows of a checked frame that have a [`REASON`], as rejects.
pub fn rejects_from(
    frame: &DataFrame,
    file: &str,
    location: Location,
) -> Result<Vec<super::batch::Reject>> {
    let fail = crate::error::internal(format!("listing the rejects of {file}"));
    let bad = frame
        .clone()
        .lazy()
        .filter(col(REASON).is_not_null())
        .select([col(ROW).cast(DataType::UInt64), col(RAW), col(REASON)])
        .collect()
        .map_err(fail)?;
    let listing = || crate::error::internal(format!("listing the rejects of {file}"));
    let rows = bad
        .column(ROW)
        .and_then(|c| c.u64().cloned())
        .map_err(listing())?;
    let raws = bad
        .column(RAW)
        .and_then(|c| c.str().cloned())
        .map_err(listing())?;
    let reasons = bad
        .column(REASON)
        .and_then(|c| c.str().cloned())
        .map_err(listing())?;
    Ok(rows
        .iter()
        .zip(raws.iter())
        .zip(reasons.iter())
        .map(|((r, raw), reason)| {
            let r = r.unwrap_or(0);
            super::batch::Reject {
                file: file.to_string(),
                location: match location {
                    Location::Line => format!("line {}", r + 2),
                    Location::Record => format!("record {}", r + 1),
                    Location::Row => format!("row {}", r + 1),
                },
                raw: super::batch::shorten(raw.unwrap_or("")),
                reason: reason.unwrap_or("").to_string(),
            }
        })
        .collect())
}

/// Adds the rows of a checked frame that have an [`EXCLUDED`] reason to the tally.
pub fn tally_excluded(
    frame: &DataFrame,
    into: &mut std::collections::BTreeMap<String, u64>,
    file: &str,
) -> Result<()> {
    let by = frame
        .clone()
        .lazy()
        .filter(col(EXCLUDED).is_not_null())
        .group_by([col(EXCLUDED)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .collect()
        .map_err(crate::error::internal(format!(
            "counting exclusions in {file}"
        )))?;
    if let (Ok(reasons), Ok(n)) = (
        by.column(EXCLUDED).and_then(|c| c.str().cloned()),
        by.column("n").and_then(|c| c.u64().cloned()),
    ) {
        for (reason, n) in reasons.iter().zip(n.iter()) {
            *into.entry(reason.unwrap_or("").to_string()).or_insert(0) += n.unwrap_or(0);
        }
    }
    Ok(())
}

/// A typed null text column, for canonical columns a format does not have.
pub fn none() -> Expr {
    lit(NULL).cast(DataType::String)
}

/// The canonical event columns, in order, from one expression each (`at` in any datetime).
#[allow(clippy::too_many_arguments)]
pub fn canonical(
    event_id: Expr,
    source: &str,
    at: Expr,
    actor: Expr,
    action: Expr,
    content_id: Expr,
    thread_id: Expr,
    target_actor: Expr,
    space: Expr,
) -> [Expr; 9] {
    use crate::vocabulary::event;
    let utc = DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
    [
        event_id.alias(event::EVENT_ID),
        lit(source.to_string()).alias(event::SOURCE),
        at.cast(utc).alias(event::OCCURRED_AT),
        actor.alias(event::ACTOR),
        action.alias(event::ACTION),
        content_id.alias(event::CONTENT_ID),
        thread_id.alias(event::THREAD_ID),
        target_actor.alias(event::TARGET_ACTOR),
        space.alias(event::SPACE),
    ]
}

/// How to read an export's list of users.
pub struct UserList<'a> {
    pub file: &'a str,
    /// Format name and help for a header without an `id` column.
    pub format: &'a str,
    pub help: &'a str,
    /// Column holding the account's creation time, which becomes a join.
    pub created: &'a str,
    /// Column holding the account's deletion time, if the list has one.
    pub deleted: Option<&'a str>,
    /// Whether an account id is a system account, to exclude.
    pub system: &'a dyn Fn(Expr) -> Expr,
    /// Whether an account without a creation time never joined (Viva Engage's pending,
    /// invited users): then it is no member, and not in the population.
    pub pending_without_created: bool,
    /// A `true`/`false` column marking accounts that never signed up (Discourse's `staged`,
    /// made by e-mail-in): no members either.
    pub never_signed_up: Option<&'a str>,
}

/// Reads a user list (`id`, `email`, a creation time): a join event per user with a readable
/// creation time, and the accounts (`source, account, email`) for identity resolution.
pub fn user_list(
    archive: &mut super::archive::Archive,
    list: UserList,
    source: &str,
    tz: chrono_tz::Tz,
) -> Result<(super::batch::Batch, DataFrame)> {
    const AT: &str = "__at";
    let (lf, header) = text_csv_in(archive, list.file)?;
    require_columns(
        &archive.path().join(list.file),
        &header,
        &["id"],
        list.format,
        list.help,
    )?;
    let created = text_or_null(&header, list.created);
    let checked = lf
        .select([
            col(ROW),
            col("id"),
            text_or_null(&header, "email").alias("email"),
            parse_timestamp(created.clone(), tz).alias(AT),
            timestamp_without_zone(created.clone(), tz).alias("__no_zone"),
            created.alias("__created"),
            match list.deleted {
                Some(d) => parse_timestamp(text_or_null(&header, d), tz).dt().date(),
                None => lit(NULL).cast(DataType::Date),
            }
            .alias("__deleted"),
            match list.never_signed_up {
                Some(c) => text_or_null(&header, c)
                    .str()
                    .to_lowercase()
                    .eq(lit("true"))
                    .fill_null(lit(false)),
                None => lit(false),
            }
            .alias("__staged"),
        ])
        .with_columns([
            when(col("id").is_null())
                .then(lit("missing id"))
                .when(col("__created").is_not_null().and(col(AT).is_null()))
                .then(lit(format!("unreadable {}", list.created)))
                .otherwise(none())
                .alias(REASON),
            col("__created").fill_null(lit("")).alias(RAW),
        ])
        .with_column(
            when(col(REASON).is_not_null())
                .then(none())
                .when((list.system)(col("id")))
                .then(lit("system account"))
                .when(col("__staged"))
                .then(lit("account that never signed up"))
                .when(col(AT).is_null().and(lit(list.pending_without_created)))
                .then(lit(format!("pending user (no {})", list.created)))
                .when(col(AT).is_null())
                .then(lit(format!("user without {}", list.created)))
                .otherwise(none())
                .alias(EXCLUDED),
        )
        .collect()
        .map_err(Error::polars(
            format!("reading {}", list.file),
            "check that the file is the export's user list",
        ))?;
    let mut excluded = std::collections::BTreeMap::new();
    tally_excluded(&checked, &mut excluded, list.file)?;
    let mut rejects = rejects_from(&checked, list.file, Location::Record)?;
    name_gaps(&mut rejects, tz);
    let accounts = members(&checked, &list, source)?;
    let events = kept(&checked)
        .select(canonical(
            lit("user/") + col("id"),
            source,
            col(AT),
            col("id"),
            lit("join"),
            none(),
            none(),
            none(),
            none(),
        ))
        .collect()
        .map_err(crate::error::internal(format!("reading {}", list.file)))?;
    Ok((
        super::batch::Batch {
            events,
            rows_read: checked.height() as u64,
            excluded,
            rejects,
            notes: zone_note(&checked, "__no_zone", list.file, tz),
        },
        accounts,
    ))
}

/// The accounts of a checked user list (`source, account, email, joined, deleted`). System
/// accounts are not people, nor are accounts that never joined: they stay out of the user
/// list, and so out of the population.
fn members(checked: &DataFrame, list: &UserList, source: &str) -> Result<DataFrame> {
    const AT: &str = "__at";
    let pending = col(AT).is_null().and(lit(list.pending_without_created));
    checked
        .clone()
        .lazy()
        .filter(
            col("id")
                .is_not_null()
                .and((list.system)(col("id")).not())
                .and(col("__staged").not())
                .and(pending.not()),
        )
        .select([
            lit(source.to_string()).alias("source"),
            col("id").alias("account"),
            col("email"),
            col(AT).dt().date().alias("joined"),
            col("__deleted").alias("deleted"),
        ])
        .collect()
        .map_err(crate::error::internal(format!("reading {}", list.file)))
}

/// Gathers the parts of a multi-file export: each checked frame's rejects and exclusions, and
/// its events, into one [`super::batch::Batch`].
#[derive(Default)]
pub struct Parts {
    frames: Vec<LazyFrame>,
    rows_read: u64,
    excluded: std::collections::BTreeMap<String, u64>,
    rejects: Vec<super::batch::Reject>,
}

impl Parts {
    /// Accounts for a checked frame (with [`REASON`] and [`EXCLUDED`]) and keeps `events`, the
    /// canonical events of its accepted rows.
    pub fn add_checked(
        &mut self,
        checked: &DataFrame,
        file: &str,
        location: Location,
        events: LazyFrame,
    ) -> Result<()> {
        self.rows_read += checked.height() as u64;
        self.rejects.extend(rejects_from(checked, file, location)?);
        tally_excluded(checked, &mut self.excluded, file)?;
        self.frames.push(events);
        Ok(())
    }

    /// Takes in a batch read by another reader (such as [`user_list`]).
    pub fn absorb(&mut self, batch: super::batch::Batch) {
        self.rows_read += batch.rows_read;
        self.rejects.extend(batch.rejects);
        for (k, v) in batch.excluded {
            *self.excluded.entry(k).or_insert(0) += v;
        }
        self.frames.push(batch.events.lazy());
    }

    pub fn finish(self, notes: Vec<Note>) -> Result<super::batch::Batch> {
        let events = concat(self.frames, UnionArgs::default())
            .and_then(|l| l.collect())
            .map_err(crate::error::internal("combining an export's events"))?;

        Ok(super::batch::Batch {
            events,
            rows_read: self.rows_read,
            excluded: self.excluded,
            rejects: self.rejects,
            notes,
        })
    }
}

/// The header of a CSV inside an export, reading only its first line.
pub fn csv_header_in(archive: &mut super::archive::Archive, name: &str) -> Result<Vec<String>> {
    let display = archive.path().join(name);
    archive.with_reader(name, |r| Ok(header_of(&head_from(r, &display)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first flaw of `bytes` read in full, with its line.
    fn full(bytes: &[u8]) -> Option<Flaw> {
        scan(bytes, sniff(bytes), Depth::Full)
            .unwrap()
            .map(|f| located(Path::new("t.csv"), Some(bytes), f))
    }

    /// The first flaw the pre-scan finds, with its line.
    fn quotes(bytes: &[u8]) -> Option<Flaw> {
        scan(bytes, sniff(bytes), Depth::Quotes)
            .unwrap()
            .map(|f| located(Path::new("t.csv"), Some(bytes), f))
    }

    #[test]
    fn layout_is_sniffed_from_the_header_line() {
        let layout = |b: &[u8]| {
            let l = sniff(b);
            (l.separator as char, l.eol as char)
        };
        assert_eq!(layout(b"a,b\n1,2\n"), (',', '\n'));
        assert_eq!(layout(b"a,b\r\n1,2\r\n"), (',', '\n'));
        assert_eq!(layout(b"a;b\r1;2\r"), (';', '\r'));
        assert_eq!(layout(b"\xEF\xBB\xBFa\tb\n"), ('\t', '\n'));
        // Separators inside quotes do not count: two semicolons outside, one comma inside.
        assert_eq!(layout(b"\"x,y\";b;c\n"), (';', '\n'));
        // A tie between comma and semicolon goes to the comma; no separator at all is a comma.
        assert_eq!(layout(b"a,b;c\n"), (',', '\n'));
        assert_eq!(layout(b"single\n"), (',', '\n'));
        assert_eq!(header_of(b"\xEF\xBB\xBF\"id\";name\r\n"), ["id", "name"]);
    }

    #[test]
    fn the_byte_scan_names_the_first_flaw_and_its_line() {
        let scan = |b: &[u8]| full(b);
        assert_eq!(scan(b"a,b\n1,2\n\"x,\"\"y\"\",z\",3\n"), None);
        assert_eq!(
            scan(b"a,b\n1,2\n3,\"open\n4,5\n"),
            Some(Flaw::UnclosedQuote { line: 3 })
        );
        assert_eq!(
            scan(b"a,b\n1,2\n3,4,5\n"),
            Some(Flaw::ExtraFields {
                line: 3,
                fields: 3,
                header: 2
            })
        );
        // A quoted value over two lines: the record after it starts on line 4.
        assert_eq!(
            scan(b"a,b\n\"x\ny\",2\n1,2,3"),
            Some(Flaw::ExtraFields {
                line: 4,
                fields: 3,
                header: 2
            })
        );
        // 0xE9 is Latin-1 for e-acute; in UTF-8 it opens a character that "\n" cannot continue.
        assert_eq!(
            scan(b"a,b\n1,caf\xE9\n"),
            Some(Flaw::NotUtf8 {
                line: 2,
                byte: 0xE9
            })
        );
        assert_eq!(scan("a,b\n1,caf\u{e9}\n".as_bytes()), None);
        assert_eq!(
            scan(b"a;b\r1;2;3\r"),
            Some(Flaw::ExtraFields {
                line: 2,
                fields: 3,
                header: 2
            })
        );
    }

    /// Quotes as polars reads them, worked by hand: `"x,""y"""` is one quoted value (every
    /// quote toggles: open, close, open, close, open, close); `5" screen` holds one quote in an
    /// unquoted value (odd: refused on its line), `say "hi"` two (even: harmless).
    #[test]
    fn the_pre_scan_finds_quotes_polars_would_misread() {
        assert_eq!(quotes(b"a,b\n\"x,\"\"y\"\"\",2\n"), None);
        assert_eq!(quotes(b"a,b\n1,say \"hi\"\n2,3\n"), None);
        assert_eq!(
            quotes(b"a,b\n1,2\n3,5\" screen\n4,5\n"),
            Some(Flaw::StrayQuote { line: 3 })
        );
        // A value starting with a quote right after a line end, a separator or the BOM is
        // quoted; one starting after a carriage return is not (polars sees `\r` first).
        assert_eq!(quotes(b"\xEF\xBB\xBF\"a\",b\n1,2\n"), None);
        assert_eq!(
            quotes(b"a,b\r\n1,\r\"x\n"),
            Some(Flaw::StrayQuote { line: 2 })
        );
        // A quoted value open at the end, whatever line ends follow.
        for end in ["", "\r", "\r\n", "\n\n"] {
            let text = format!("a,b\n1,\"{end}");
            assert_eq!(
                quotes(text.as_bytes()),
                Some(Flaw::UnclosedQuote { line: 2 }),
                "{end:?}"
            );
        }
        // The fuzz targets' case: a stray quote on line 3 (`post"`), and a quote after a
        // carriage return that polars does not take for a quoted value.
        let fuzzed = b"event_id,occurred_at,actor,action\n\n\tpost\"\t,f9 ;2025-01-0\r\n2025-01-0\r\r\"3\t,\"";
        assert_eq!(quotes(fuzzed), Some(Flaw::StrayQuote { line: 3 }));
    }

    /// In Amsterdam clocks go from 02:00 to 03:00 on 30 March 2025: 02:30 does not exist there,
    /// but does in UTC; 03:30 exists; "yesterday" is no time at all.
    #[test]
    fn rejected_local_times_in_the_gap_say_so() {
        let reject = |raw: &str| super::super::batch::Reject {
            file: "f.csv".into(),
            location: "line 2".into(),
            raw: raw.into(),
            reason: "unreadable created_at".into(),
        };
        let mut rejects = vec![
            reject("2025-03-30 02:30:00"),
            reject("2025-03-30T02:30:00.5"),
            reject("2025-03-30 03:30:00"),
            reject("yesterday"),
        ];
        let mut utc = rejects.clone();
        name_gaps(&mut rejects, chrono_tz::Europe::Amsterdam);
        let reasons: Vec<&str> = rejects.iter().map(|r| r.reason.as_str()).collect();
        let gap = "local time that does not exist in Europe/Amsterdam: clocks skip it when daylight saving starts";
        assert_eq!(
            reasons,
            [gap, gap, "unreadable created_at", "unreadable created_at"]
        );
        name_gaps(&mut utc, chrono_tz::UTC);
        assert!(utc.iter().all(|r| r.reason == "unreadable created_at"));
    }

    #[test]
    fn flaws_read_as_messages_with_the_fix() {
        let message = |flaw| flaw_error(Path::new("x.csv"), flaw).to_string();
        let utf16 = message(Flaw::NotUtf8 {
            line: 1,
            byte: 0xFF,
        });
        assert!(utf16.starts_with("x.csv:1: the file starts with the byte 0xFF: it is UTF-16"));
        assert!(utf16.contains("iconv -f UTF-16"));
        let latin1 = message(Flaw::NotUtf8 {
            line: 7,
            byte: 0xE9,
        });
        assert!(latin1.starts_with("x.csv:7: the byte 0xE9 is not UTF-8 text"));
        assert!(latin1.contains("iconv -f WINDOWS-1252"));
        let utf16_bom = b"\xFF\xFEa\x00";
        assert_eq!(
            full(utf16_bom),
            Some(Flaw::NotUtf8 {
                line: 1,
                byte: 0xFF
            })
        );
    }

    #[test]
    fn a_character_cut_by_a_read_is_not_taken_for_bad_bytes() {
        // "é" (0xC3 0xA9) straddles the 64 KiB read boundary.
        let mut bytes = b"a\n".to_vec();
        bytes.resize((1 << 16) - 1, b'x');
        bytes.extend("é\n".as_bytes());
        assert_eq!(full(&bytes), None);
    }
}

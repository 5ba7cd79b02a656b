//! Reading helpers every CSV-based source shares: header checks that name what is missing,
//! a lazy all-string scan with null markers, batches on the streaming engine, the collection
//! of bad values with their line numbers, and the parts of a multi-file export. Split by job
//! into `read/`: `layout.rs` (separator, line end and header from a file's first bytes),
//! `flaws.rs` (the quote pre-scan and the full scan that name a flaw's line), `chunks.rs` (a
//! CSV a chunk of records at a time from any reader), `lists.rs` (an export's user list) and
//! `times.rs` (lenient timestamps and dates).

use std::io::Read;
use std::path::Path;

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::batch::InputFile;
use crate::error::{BadValue, BadValues, Error, Result};
use crate::plan::InputPath;
use crate::vocabulary::notes::Note;

mod chunks;
mod flaws;
mod layout;
mod lists;
mod times;
pub use chunks::for_each_chunk;
pub use flaws::*;
pub use layout::*;
pub use lists::*;
pub use times::{
    gap_reason, name_gaps, parse_canonical_timestamp, parse_date, parse_timestamp,
    patch_timestamps, timestamp_without_zone, zone_note,
};

pub use super::batch::ROW;

/// Values that mean "missing" in every CSV we read (formats spec, "Generic").
pub const NULL_MARKERS: [&str; 3] = ["", "null", "NA"];

/// How many bad values an error message shows.
const EXAMPLES: usize = 5;

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
    let frame = text_csv_options(layout, 0)
        .into_reader_with_file_handle(std::io::Cursor::new(&bytes))
        .finish()
        .map_err(|e| csv_failure(&display, Some(&bytes), e))?;
    Ok((frame.lazy(), header))
}

/// How a CSV held in memory is read: every column as text, the null markers as missing, with
/// [`ROW`] counted from `first_row` (the same options the lazy scan of a file uses).
pub(crate) fn text_csv_options(layout: Layout, first_row: IdxSize) -> CsvReadOptions {
    let nulls = NullValues::AllColumns(NULL_MARKERS.iter().map(|s| (*s).into()).collect());
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_row_index(Some(RowIndex {
            name: ROW.into(),
            offset: first_row,
        }))
        .map_parse_options(|o| {
            o.with_null_values(Some(nulls.clone()))
                .with_missing_is_null(true)
                .with_separator(layout.separator)
                .with_eol_char(layout.eol)
        })
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

//! The structural flaws of a CSV, found before polars reads it and named by their line: a
//! quoted value never closed, an odd number of quotes in unquoted values (which polars 0.55
//! would misread), bytes that are not UTF-8, rows with more fields than the header. Split
//! from `read.rs` by job.

use super::*;

/// Refuses, before polars reads it, a CSV whose quotes polars 0.55 would misread: a quoted
/// value never closed, or a row with an odd number of quotes inside unquoted values. polars
/// splits a file into chunks by counting every quote but parses fields by where values start,
/// and where the two disagree its parser slices a field without a bounds check (an abort, or
/// undefined behaviour in a release build). Found by the fuzz targets; see [`scan`].
pub(super) fn precheck(path: &Path, bytes: Option<&[u8]>) -> Result<()> {
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
    pub(super) fn on(self, line: u64) -> Flaw {
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

    pub(super) fn line(&self) -> u64 {
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
pub(super) struct Quotes {
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
pub(super) fn located(path: &Path, bytes: Option<&[u8]>, flaw: Flaw) -> Flaw {
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
pub(super) fn flaw_error(path: &Path, flaw: Flaw) -> Error {
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

//! A CSV's layout and header, read from its first bytes: the separator and line end
//! (Dutch Excel's semicolons, bare carriage returns), the header's names (a BOM, quotes and
//! padding removed), and UTF-16 named before its names could be taken for missing columns.
//! Split from `read.rs` by job.

use super::*;

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
pub(super) const HEAD_BYTES: u64 = 1 << 20;

/// The separators a header may use, in order of preference when counts tie.
pub(super) const SEPARATORS: [u8; 3] = [b',', b';', b'\t'];

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
pub(super) fn head_of(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
        help: "check that the file exists and is readable".into(),
    })?;
    head_from(file, path)
}

/// The first [`HEAD_BYTES`] a reader gives; `path` names it in an error.
pub(super) fn head_from(reader: impl Read, path: &Path) -> Result<Vec<u8>> {
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
pub(super) fn utf16(path: &Path, head: &[u8]) -> Option<Error> {
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
pub(super) fn padded_names(head: &[u8]) -> Vec<(String, String)> {
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
pub(super) fn header_of(head: &[u8]) -> Vec<String> {
    let layout = sniff(head);
    let line = head.split(|b| *b == layout.eol).next().unwrap_or_default();
    // Not UTF-8: the names are shown as far as they can be; the scan then names the line.
    split_header(&String::from_utf8_lossy(line), layout.separator)
}

/// Splits a header line into names, without a BOM, line end or surrounding quotes.
pub(super) fn split_header(line: &str, separator: u8) -> Vec<String> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Vec::new();
    }
    line.split(char::from(separator))
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect()
}

//! Whether a file's `--by` groups are contiguous, which `alkstats pool` must know to stream it
//! without being asked to (`--stream` not given): streaming a file whose groups are apart would
//! have to refuse it, so such a file is loaded whole instead. The engine finds it out itself as
//! it reads; this scan decides for a run whose held output is full, or that stopped at a
//! problem (`held`).
//!
//! The scan reads the one column and nothing else. A file without a quote character (the usual
//! machine-written CSV) is scanned line by line with `memchr`, about a tenth of the time of
//! parsing it as CSV; a file with quotes is parsed as CSV, since a quoted field may hold the
//! delimiter or a line break.

use super::line_scan::scan_lines;
use super::pieces::group_key;
use super::records::not_plain_at;
use super::runs::GroupRuns;
use crate::data::fingerprint::Fingerprint;
use crate::data::table::RowReader;
use std::io::Read;
use std::path::Path;

/// Bytes read at a time by the scans.
pub(super) const BLOCK: usize = 1 << 20;

/// Whether the rows of each `column` group of the file at `path` are contiguous (the CSV is
/// read, not validated). `false` when the file cannot be read that way: the in-memory path then
/// reports the problem as it always has.
///
/// Groups are told apart as the streaming engines tell them apart ([`group_key`] with
/// `drug_columns`), so a file found contiguous here is never refused by them for being out of
/// order.
pub fn groups_are_contiguous(path: &Path, column: &str, drug_columns: &[&str]) -> bool {
    scan(path, column, drug_columns).contiguous
}

/// What [`scan`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// The groups are contiguous ([`groups_are_contiguous`]).
    pub contiguous: bool,
    /// The file is plain text: no quote, and no carriage return but before a line feed.
    pub plain: bool,
}

/// [`groups_are_contiguous`], and whether the file is plain text (its lines are its records).
pub fn scan(path: &Path, column: &str, drug_columns: &[&str]) -> Scan {
    let not = Scan {
        contiguous: false,
        plain: false,
    };
    let Ok(file) = std::fs::File::open(path) else {
        return not;
    };
    let name = path.display().to_string();
    // No required columns: a user's file is read by role; the full check is the reader's.
    let Ok(reader) = RowReader::new(&name, file, &[]) else {
        return not;
    };
    let headers = reader.headers();
    let Some(index) = headers
        .iter()
        .position(|h| h == column)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(column)))
    else {
        return not;
    };
    let column = headers[index].clone();
    let keys = Keys {
        column: &column,
        drug_columns,
    };
    let delimiter = reader.delimiter().byte();
    match scan_lines(path, index, delimiter, keys) {
        Some(contiguous) => Scan {
            contiguous,
            plain: true,
        },
        None => {
            let mut groups = Groups {
                rows: RowKeys::new(keys),
                runs: GroupRuns::default(),
            };
            Scan {
                contiguous: scan_csv(reader, index, &mut groups),
                plain: false,
            }
        }
    }
}

/// How groups are told apart: the `--by` column as written in the header, and the columns
/// whose values are drug names (normalised before comparing).
#[derive(Clone, Copy)]
pub(super) struct Keys<'c> {
    pub column: &'c str,
    pub drug_columns: &'c [&'c str],
}

impl Keys<'_> {
    /// The key of a raw value; `None` when it is not UTF-8 (which the in-memory path reports).
    pub fn of(&self, raw: &[u8]) -> Option<Fingerprint> {
        let value = std::str::from_utf8(raw).ok()?;
        Some(group_key(self.column, value.trim(), self.drug_columns))
    }
}

/// The rows' values of the `--by` column, one after the other: the key of each value that
/// differs from the row before's. The line scan's parts and the CSV scan follow rows alike.
pub(super) struct RowKeys<'c> {
    keys: Keys<'c>,
    /// The last row's raw value, and whether there was one.
    last: Vec<u8>,
    seen: bool,
}

impl<'c> RowKeys<'c> {
    /// No row yet.
    pub fn new(keys: Keys<'c>) -> Self {
        RowKeys {
            keys,
            last: Vec::new(),
            seen: false,
        }
    }

    /// The last row's raw value; `None` before the first row.
    pub fn last(&self) -> Option<&[u8]> {
        self.seen.then_some(self.last.as_slice())
    }

    /// Takes the next row's raw value: `Ok(None)` when it repeats the last row's byte for
    /// byte (no key to compute), else its key; `Err(())` when it is not UTF-8 (which the
    /// in-memory path reports).
    pub fn next(&mut self, raw: &[u8]) -> Result<Option<Fingerprint>, ()> {
        if self.last() == Some(raw) {
            return Ok(None);
        }
        let key = self.keys.of(raw).ok_or(())?;
        self.seen = true;
        self.last.clear();
        self.last.extend_from_slice(raw);
        Ok(Some(key))
    }
}

/// The groups seen so far.
struct Groups<'c> {
    rows: RowKeys<'c>,
    runs: GroupRuns,
}

impl Groups<'_> {
    /// Takes the next row's raw value; `false` when it reopens a group that has ended (or is
    /// not UTF-8).
    fn next(&mut self, raw: &[u8]) -> bool {
        match self.rows.next(raw) {
            Ok(None) => true,
            // Lines are not counted here: a group's first line is not needed.
            Ok(Some(key)) => self.runs.enter(key, 0).is_ok(),
            Err(()) => false,
        }
    }
}

/// The CSV scan: every record parsed by the CSV reader.
fn scan_csv<R: Read>(mut reader: RowReader<R>, index: usize, groups: &mut Groups<'_>) -> bool {
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return true,
            Err(_) => return false,
        }
        if !groups.next(record.get(index).unwrap_or_default()) {
            return false;
        }
    }
}

/// Whether the file at `path` is plain text (see [`Scan::plain`]): one pass of `memchr` over
/// it, for `--stream`, which does not [`scan`] the file first.
pub fn is_plain(path: &Path) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut buf = vec![0u8; BLOCK];
    // Whether the last block ended in a carriage return (its line feed comes next).
    let mut carriage = false;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return !carriage,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        let block = &buf[..n];
        if carriage && block[0] != b'\n' {
            return false;
        }
        // The rule of the lines reader, but for a carriage return ending the block: its line
        // feed may begin the next.
        carriage = block[n - 1] == b'\r';
        match not_plain_at(block) {
            Some(at) if !(carriage && at == n - 1) => return false,
            _ => {}
        }
    }
}

/// Field `index` of a line without quotes, or `None` when the line has fewer fields.
pub(super) fn field(line: &[u8], index: usize, delimiter: u8) -> Option<&[u8]> {
    let mut start = 0;
    for _ in 0..index {
        start += memchr::memchr(delimiter, &line[start..])? + 1;
    }
    let end = memchr::memchr(delimiter, &line[start..]).map_or(line.len(), |i| start + i);
    Some(&line[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_plain` block by block, against the rule on the whole text (no quote; every carriage
    /// return before a line feed), with the interesting byte at a block's end.
    #[test]
    fn plain_text_is_told_across_block_ends() {
        let dir = std::env::temp_dir().join(format!("alkstats-is-plain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("text.csv");
        let line = |end: &[u8]| [&b"a,b"[..], end].concat();
        let cases: [(&[u8], bool); 5] = [
            (b"\r\n", true),
            (b"\n", true),
            (b"\rx\n", false),
            (b"\"\n", false),
            (b"\r", false),
        ];
        for (end, plain) in cases {
            // The first byte of `end` is the last of the first block.
            let mut text = vec![b'x'; BLOCK - 5];
            text.push(b'\n');
            text.extend_from_slice(&line(end));
            assert_eq!(text[BLOCK - 1], end[0]);
            std::fs::write(&path, &text).unwrap();
            assert_eq!(is_plain(&path), plain, "{end:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

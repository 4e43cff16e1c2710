//! The raw rows of the proportions engine's chunks: CSV records read by the CSV parser, or, for
//! a file known to hold no quote character and no carriage return but before a line feed
//! ("plain" text, what programs write), lines cut by `memchr` and split at the delimiter.
//!
//! Without quotes a CSV record is a line and its fields are the bytes between delimiters, so
//! the two give the same rows, line numbers and errors (`tests/batch.rs` compares them); the
//! plain reader only moves the cutting of fields from the serial reader to the parallel
//! workers, where the CSV parser's share of the run (a tenth) was a serial bottleneck.
//!
//! Plain text may be assumed before the file is checked: the header and every chunk are
//! checked before their rows are cut, and a quote or a lone carriage return stops the reader
//! with [`ReadError::NotPlain`] (the caller reads the file again with the CSV parser), so no
//! row of a file that is not plain is ever cut as a line.

use super::delimiters::each_position;
use super::read_error::ReadError;
use crate::data::delimiter::Delimiter;
use crate::data::table::{decode_row_into, Row, RowReader};
use crate::data::DataError;
use std::io::{Chain, Cursor, Read};

/// Where the rows come from.
pub enum Source<R: Read> {
    /// The CSV parser (any file).
    Csv(Box<RowReader<R>>),
    /// Lines of plain text, after the header.
    Plain(PlainLines<Chain<Cursor<Vec<u8>>, R>>),
}

/// The raw rows of one chunk.
#[derive(Default)]
pub struct Records {
    csv: Vec<csv::ByteRecord>,
    /// Plain lines: the bytes of the chunk (in `text` instead when they are UTF-8, checked
    /// once for the chunk rather than line by line), and each line's number and span in them.
    bytes: Vec<u8>,
    text: String,
    lines: Vec<(u64, usize, usize)>,
    plain: bool,
}

impl Records {
    /// Rows in the chunk.
    pub fn len(&self) -> usize {
        if self.plain {
            self.lines.len()
        } else {
            self.csv.len()
        }
    }

    /// Decodes row `i` into `row` (trimmed UTF-8 fields), as
    /// [`decode_row_into`] decodes a CSV record.
    ///
    /// # Errors
    /// A field that is not UTF-8; a plain line with another number of fields than the header
    /// (the CSV parser's error for it).
    pub fn decode_into(
        &self,
        i: usize,
        file: &str,
        headers: &[String],
        delimiter: Delimiter,
        row: &mut Row,
    ) -> Result<(), DataError> {
        if !self.plain {
            return decode_row_into(file, headers, &self.csv[i], row);
        }
        let mut fields = Vec::with_capacity(headers.len());
        if let Some(line) = self.split_plain(i, headers.len(), delimiter, &mut fields) {
            row.line = line;
            row.fields.resize_with(headers.len(), String::new);
            for (to, from) in row.fields.iter_mut().zip(&fields) {
                to.clear();
                to.push_str(from);
            }
            return Ok(());
        }
        // The line's problem, as the CSV parser and `decode_row_into` word it.
        let (line, start, end) = self.lines[i];
        let bytes = &self.chunk()[start..end];
        let found = memchr::memchr_iter(delimiter.byte(), bytes).count() + 1;
        if found != headers.len() {
            return Err(DataError::Ragged {
                file: file.into(),
                line,
                found,
                expected: headers.len(),
                delimiter,
            });
        }
        let field = bytes.split(|&b| b == delimiter.byte()).enumerate();
        let (i, bad) = field
            .into_iter()
            .find(|(_, f)| std::str::from_utf8(f).is_err())
            .unwrap_or((0, bytes));
        Err(DataError::Encoding {
            file: file.into(),
            line,
            column: i + 1,
            field: headers[i].clone(),
            found: String::from_utf8_lossy(bad).into_owned(),
        })
    }
}

impl Records {
    /// The bytes of the chunk's plain lines.
    fn chunk(&self) -> &[u8] {
        match self.bytes.is_empty() {
            true => self.text.as_bytes(),
            false => &self.bytes,
        }
    }

    /// Splits plain line `i` into its trimmed fields, slices of the input, when it is valid UTF-8
    /// and has `width` fields: its line number. `None` for a CSV record, or a line
    /// [`Records::decode_into`] must decode to report its problem.
    pub fn split_plain<'r>(
        &'r self,
        i: usize,
        width: usize,
        delimiter: Delimiter,
        fields: &mut Vec<&'r str>,
    ) -> Option<u64> {
        if !self.plain {
            return None;
        }
        let (line, start, end) = self.lines[i];
        // Delimiters are ASCII: the line is UTF-8 exactly when each of its fields is. Lines
        // begin after a line feed and end before one (or a carriage return): in UTF-8 text
        // they are cut at character boundaries.
        let text = match self.bytes.is_empty() {
            true => self.text.get(start..end)?,
            false => std::str::from_utf8(&self.bytes[start..end]).ok()?,
        };
        let bytes = text.as_bytes();
        fields.clear();
        let mut from = 0;
        each_position(bytes, delimiter.byte(), |at| {
            fields.push(trim(&text[from..at]));
            from = at + 1;
        });
        fields.push(trim(&text[from..]));
        (fields.len() == width).then_some(line)
    }
}

/// `field.trim()`, without its Unicode scan for the usual field that starts and ends with a
/// printable ASCII character.
fn trim(field: &str) -> &str {
    let bytes = field.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&a), Some(&z)) if (b'!'..=b'~').contains(&a) && (b'!'..=b'~').contains(&z) => field,
        _ => field.trim(),
    }
}

impl<R: Read> Source<R> {
    /// The rows of `input` (named `file`), whose header gives the columns (`required` among
    /// them); `plain` to read it as plain text.
    ///
    /// # Errors
    /// As [`RowReader::new`] for the header; [`ReadError::NotPlain`] for a header line that is
    /// not plain text, with `plain`.
    pub fn new(
        file: &str,
        mut input: R,
        required: &[&str],
        plain: bool,
    ) -> Result<(Self, Vec<String>, Delimiter), ReadError> {
        if !plain {
            let reader = RowReader::new(file, input, required)?;
            let (headers, delimiter) = (reader.headers().to_vec(), reader.delimiter());
            return Ok((Source::Csv(Box::new(reader)), headers, delimiter));
        }
        // The header line is read by the CSV reader (its checks and errors); the rest of the
        // input, with whatever was read past the header, by lines.
        let (head, rest) = first_line(&mut input).map_err(|e| DataError::Io {
            file: file.into(),
            reason: e.to_string(),
        })?;
        if not_plain_at(&head).is_some() {
            return Err(ReadError::NotPlain { line: 1 });
        }
        let reader = RowReader::new(file, Cursor::new(head), required)?;
        let (headers, delimiter) = (reader.headers().to_vec(), reader.delimiter());
        let lines = PlainLines {
            input: Cursor::new(rest).chain(input),
            carry: Vec::new(),
            line: 2,
            bytes_read: 0,
            at_end: false,
        };
        Ok((Source::Plain(lines), headers, delimiter))
    }

    /// Bytes of the input consumed so far (the header's not counted for plain text).
    pub fn bytes_read(&self) -> u64 {
        match self {
            Source::Csv(r) => r.bytes_read(),
            Source::Plain(p) => p.bytes_read,
        }
    }

    /// Bytes of the rows read so far: [`Source::bytes_read`] without the bytes read ahead of
    /// them (up to 64 KiB of plain text, a third of a small first chunk's own bytes).
    pub fn bytes_of_rows(&self) -> u64 {
        match self {
            Source::Csv(r) => r.bytes_read(),
            Source::Plain(p) => p.bytes_read.saturating_sub(p.carry.len() as u64),
        }
    }

    /// Reads up to `rows` rows into `records`; `false` once the input is exhausted.
    ///
    /// # Errors
    /// As [`RowReader::read_record`]; a failure to read; [`ReadError::NotPlain`] for plain
    /// text whose chunk is not.
    pub fn read_chunk(&mut self, rows: usize, records: &mut Records) -> Result<bool, ReadError> {
        match self {
            Source::Csv(reader) => {
                records.plain = false;
                // Records are reused from chunk to chunk: their buffers keep their capacity.
                records.csv.resize_with(rows, csv::ByteRecord::new);
                for i in 0..rows {
                    if !reader.read_record(&mut records.csv[i])? {
                        records.csv.truncate(i);
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Source::Plain(lines) => {
                records.plain = true;
                lines.read(rows, records)
            }
        }
    }
}

/// `None` when `lines` (whole lines; the last one's line feed may be missing at the end of the
/// input) are plain text: no quote, and no carriage return but before a line feed; else where
/// the first such byte is.
pub(super) fn not_plain_at(lines: &[u8]) -> Option<usize> {
    let quote = memchr::memchr(b'"', lines);
    let lone = memchr::memchr_iter(b'\r', lines).find(|&i| lines.get(i + 1) != Some(&b'\n'));
    quote.into_iter().chain(lone).min()
}

/// Reads `input` up to its first line feed (a byte-order mark dropped): the header line, and
/// the bytes read after it.
fn first_line<R: Read>(input: &mut R) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        head.extend_from_slice(&chunk[..n]);
        if let Some(i) = memchr::memchr(b'\n', &head) {
            let rest = head.split_off(i + 1);
            return Ok((head, rest));
        }
        if n == 0 {
            return Ok((head, Vec::new()));
        }
    }
}

/// The lines of plain text after the header. See the module documentation.
pub struct PlainLines<R: Read> {
    input: R,
    /// Bytes read past the last complete line.
    carry: Vec<u8>,
    /// The number of the next line.
    line: u64,
    bytes_read: u64,
    at_end: bool,
}

/// Bytes read at a time.
const READ: usize = 1 << 16;

impl<R: Read> PlainLines<R> {
    /// Reads about `rows` lines (empty lines skipped, as the CSV reader skips them) into
    /// `records`; `false` once the input is exhausted.
    ///
    /// # Errors
    /// A failure to read (its file named by the caller); [`ReadError::NotPlain`] when the
    /// lines hold a quote or a lone carriage return.
    fn read(&mut self, rows: usize, records: &mut Records) -> Result<bool, ReadError> {
        // The buffer of the last chunk, UTF-8 or not.
        records.bytes = std::mem::take(&mut records.text).into_bytes();
        records.bytes.clear();
        records.lines.clear();
        records.bytes.append(&mut self.carry);
        let first_line = self.line;
        let mut scanned = 0;
        while records.lines.len() < rows {
            // Cut the complete lines read so far.
            let mut complete = scanned;
            for end in memchr::memchr_iter(b'\n', &records.bytes[scanned..]) {
                let end = scanned + end;
                self.push_line(&records.bytes, &mut records.lines, complete, end);
                complete = end + 1;
            }
            scanned = complete;
            if records.lines.len() >= rows {
                break;
            }
            if self.at_end {
                if scanned < records.bytes.len() {
                    // The last line, without a line feed.
                    let end = records.bytes.len();
                    self.push_line(&records.bytes, &mut records.lines, scanned, end);
                    scanned = end;
                }
                break;
            }
            // Up to READ more bytes, into the buffer's spare room (not zeroed first).
            let n = (&mut self.input)
                .take(READ as u64)
                .read_to_end(&mut records.bytes)
                .map_err(|e| DataError::Io {
                    file: String::new(),
                    reason: e.to_string(),
                })?;
            self.bytes_read += n as u64;
            self.at_end = n == 0;
        }
        if let Some(at) = not_plain_at(&records.bytes[..scanned]) {
            let before = memchr::memchr_iter(b'\n', &records.bytes[..at]).count() as u64;
            return Err(ReadError::NotPlain {
                line: first_line + before,
            });
        }
        self.carry.extend_from_slice(&records.bytes[scanned..]);
        records.bytes.truncate(scanned);
        // Checked once: every line of a UTF-8 chunk is UTF-8 (the usual case).
        match String::from_utf8(std::mem::take(&mut records.bytes)) {
            Ok(text) => records.text = text,
            Err(e) => records.bytes = e.into_bytes(),
        }
        Ok(!(self.at_end && self.carry.is_empty()))
    }

    /// Records the line in `all[start..end]` (its line feed excluded) unless it is empty.
    fn push_line(
        &mut self,
        all: &[u8],
        lines: &mut Vec<(u64, usize, usize)>,
        start: usize,
        end: usize,
    ) {
        let line = self.line;
        self.line += 1;
        let end = if end > start && all[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        // The CSV reader skips empty lines (a line of spaces is a row of one field).
        if end > start {
            lines.push((line, start, end));
        }
    }
}

//! A data table read into rows of strings that remember where they came from, with typed field
//! access that produces located errors. Shared by every data file of alkstats: text tables
//! (comma-, semicolon- or tab-separated, see [`Delimiter`]) are read here; spreadsheets are read
//! into the same [`Table`] by [`super::sheet`].

pub use super::cursor::RowCursor;
use super::delimiter::{read_header, Delimiter, BOM};
use super::{sheet, DataError};
use std::io::{Chain, Cursor, Read};

/// One data row: its 1-based line number (a spreadsheet's row number) and its trimmed fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Line where the record starts; for a spreadsheet, the sheet's own row number.
    pub line: u64,
    /// Fields, in header order.
    pub fields: Vec<String>,
}

/// A parsed data file.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File name for messages; for a spreadsheet, the file and sheet as made by
    /// [`sheet::place`] (`trials.xlsx, sheet 'Data'`), which also makes its messages say "row".
    pub file: String,
    /// Column names from the header.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<Row>,
    /// Names under which a column is also found (`study` for a user's `Author` column given
    /// the `studlab` role), so that one row parser serves the shipped schema and users' files.
    aliases: Vec<(String, usize)>,
}

impl Table {
    /// Parses `bytes` as a UTF-8 CSV file with a header line, its delimiter sniffed from the
    /// header ([`Delimiter::sniff`]). Blank fields are empty strings.
    ///
    /// This is [`RowReader`] run to the end of the bytes, after the unclosed-quote check, which
    /// on a whole file can name the line before any row is read.
    ///
    /// # Errors
    /// Empty file, non-UTF-8 bytes, ragged rows, duplicate or missing required columns, malformed
    /// quoting, or a header without rows.
    pub fn parse(file: &str, bytes: &[u8], required: &[&str]) -> Result<Table, DataError> {
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        if let Some(line) = unclosed_quote(bytes) {
            return Err(unclosed_quote_error(file, line));
        }
        let mut reader = RowReader::new(file, bytes, required)?;
        let mut record = csv::ByteRecord::new();
        let mut rows = Vec::new();
        while reader.read_record(&mut record)? {
            rows.push(decode_row(file, reader.headers(), &record)?);
        }
        if rows.is_empty() {
            return Err(DataError::NoRows { file: file.into() });
        }
        Ok(Table::new(file.into(), reader.headers, rows))
    }

    /// A table of `rows` under `headers`, read from `file`.
    pub fn new(file: String, headers: Vec<String>, rows: Vec<Row>) -> Table {
        Table {
            file,
            headers,
            rows,
            aliases: Vec::new(),
        }
    }

    /// Makes column `index` also answer to `name` (it wins over a column of that name).
    pub fn alias(&mut self, name: &str, index: usize) {
        self.aliases.retain(|(n, _)| n != name);
        self.aliases.push((name.to_string(), index));
    }

    /// Index of column `name`: an alias given by [`Table::alias`], else the column of that
    /// name, else one whose name differs only in ASCII case (headers are matched the way users
    /// type them: `Drug` is `drug`).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.aliases
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, i)| i)
            .or_else(|| self.headers.iter().position(|h| h == name))
            .or_else(|| {
                self.headers
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(name))
            })
    }

    /// A typed view of `row` for located parsing.
    pub fn cursor<'a>(&'a self, row: &'a Row) -> RowCursor<'a> {
        RowCursor::new(self, row)
    }

    /// The sheet the table was read from, `None` for a text file.
    pub fn sheet(&self) -> Option<&str> {
        sheet::sheet_of(&self.file)
    }
}

/// The input of a [`RowReader`]: the header read ahead for sniffing, then the rest of the
/// stream.
type Input<R> = QuoteWatch<Chain<Cursor<Vec<u8>>, R>>;

/// Reads a CSV file record by record from any reader, with the checks and errors of
/// [`Table::parse`] (header, quoting, field count; UTF-8 when a record is decoded by
/// [`decode_row`]). [`Table::parse`] reads whole files through it; the batch engine
/// ([`crate::batch`]) streams files of millions of rows through it without holding them.
pub struct RowReader<R: std::io::Read> {
    file: String,
    headers: Vec<String>,
    delimiter: Delimiter,
    reader: csv::Reader<Input<R>>,
}

impl<R: std::io::Read> RowReader<R> {
    /// Reads and checks the header line (a leading byte-order mark is skipped), and sniffs the
    /// delimiter from it ([`Delimiter::sniff`]).
    ///
    /// # Errors
    /// A failure to read, an empty file, malformed CSV or non-UTF-8 bytes in the header, a
    /// duplicate column name, or a missing required column.
    pub fn new(file: &str, mut input: R, required: &[&str]) -> Result<Self, DataError> {
        let head = read_header(&mut input).map_err(|e| DataError::Io {
            file: file.into(),
            reason: e.to_string(),
        })?;
        let delimiter = Delimiter::sniff(file, &head);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .delimiter(delimiter.byte())
            .from_reader(QuoteWatch::new(Cursor::new(head).chain(input)));
        let header = match reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                return Err(reader
                    .get_ref()
                    .error(file)
                    .unwrap_or_else(|| csv_error(file, delimiter, &e, None)))
            }
        };
        if let Some(e) = reader.get_ref().error(file) {
            return Err(e);
        }
        if header.is_empty() || header.iter().all(|h| h.iter().all(u8::is_ascii_whitespace)) {
            return Err(DataError::Empty {
                file: file.into(),
                expected: super::error::header_expectation(required),
            });
        }
        let headers = decode_record(file, 1, &header, &[])?;
        for (i, name) in headers.iter().enumerate() {
            if headers[..i].contains(name) {
                return Err(DataError::DuplicateColumn {
                    file: file.into(),
                    column: i + 1,
                    field: name.clone(),
                });
            }
        }
        for col in required {
            if !headers.iter().any(|h| h == col) {
                return Err(DataError::MissingColumn {
                    file: file.into(),
                    column: (*col).into(),
                    found: headers.join(", "),
                });
            }
        }
        Ok(RowReader {
            file: file.into(),
            headers,
            delimiter,
            reader,
        })
    }

    /// The physical line (line feeds before it, plus one) of the last byte of the record just
    /// read: the parser's position is past the record's terminator, and the byte before it is
    /// its line feed, its carriage return, or (at the end of the input) its last byte.
    fn last_line(&mut self) -> u64 {
        let last = self.reader.position().byte().saturating_sub(1);
        let watch = self.reader.get_mut();
        while watch.line_feeds.front().is_some_and(|&at| at < last) {
            watch.line_feeds.pop_front();
            watch.lines_before += 1;
        }
        watch.lines_before + 1
    }

    /// The delimiter sniffed from the header line.
    pub fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// File name used in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Column names from the header.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Bytes of the input consumed so far (for progress reports).
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    /// Reads the next record into `record`, skipping blank lines; `false` at the end of the
    /// input. The record is checked as CSV (quoting, number of fields) but not decoded: see
    /// [`decode_row`], which a caller may run on another thread.
    ///
    /// # Errors
    /// Malformed CSV (including a quote left open at the end of the input), a row with another
    /// number of fields than the header, or a failure to read the input.
    pub fn read_record(&mut self, record: &mut csv::ByteRecord) -> Result<bool, DataError> {
        loop {
            let more = self.reader.read_byte_record(record);
            // A quote that is never closed makes the CSV parser swallow the rest of the input
            // into one field; name the line where it opens instead.
            if let Some(e) = self.reader.get_ref().error(&self.file) {
                return Err(e);
            }
            let more = match more {
                Ok(more) => more,
                Err(e) => {
                    let line = self.last_line();
                    return Err(csv_error(&self.file, self.delimiter, &e, Some(line)));
                }
            };
            if !more {
                return Ok(false);
            }
            // The CSV parser's line count skips empty lines and the line feeds of CR LF line
            // ends; messages name the line an editor shows: the record's last line, less the
            // line feeds inside its quoted fields.
            if let Some(mut pos) = record.position().cloned() {
                let inside = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
                pos.set_line(self.last_line().saturating_sub(inside));
                record.set_position(Some(pos));
            }
            // A line holding only a single empty field is a blank line: skip it.
            if record.len() == 1
                && record[0].iter().all(u8::is_ascii_whitespace)
                && self.headers.len() > 1
            {
                continue;
            }
            return Ok(true);
        }
    }
}

/// Decodes a record read by [`RowReader::read_record`] into a [`Row`] of trimmed UTF-8 fields.
///
/// # Errors
/// [`DataError::Encoding`] naming the first field that is not UTF-8.
pub fn decode_row(
    file: &str,
    headers: &[String],
    record: &csv::ByteRecord,
) -> Result<Row, DataError> {
    let line = record.position().map_or(0, |p| p.line());
    Ok(Row {
        line,
        fields: decode_record(file, line, record, headers)?,
    })
}

/// [`decode_row`] into an existing row, reusing its strings: the batch engine decodes a million
/// rows per second this way without allocating per field.
///
/// # Errors
/// As [`decode_row`]; `row` is then left partly filled.
pub fn decode_row_into(
    file: &str,
    headers: &[String],
    record: &csv::ByteRecord,
    row: &mut Row,
) -> Result<(), DataError> {
    row.line = record.position().map_or(0, |p| p.line());
    row.fields.resize_with(record.len(), String::new);
    for (i, (field, bytes)) in row.fields.iter_mut().zip(record.iter()).enumerate() {
        field.clear();
        match std::str::from_utf8(bytes) {
            Ok(s) => field.push_str(s.trim()),
            Err(_) => return Err(encoding_error(file, row.line, i, bytes, headers)),
        }
    }
    Ok(())
}

fn decode_record(
    file: &str,
    line: u64,
    record: &csv::ByteRecord,
    headers: &[String],
) -> Result<Vec<String>, DataError> {
    record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f)
                .map(|s| s.trim().to_string())
                .map_err(|_| encoding_error(file, line, i, f, headers))
        })
        .collect()
}

fn encoding_error(file: &str, line: u64, i: usize, bytes: &[u8], headers: &[String]) -> DataError {
    DataError::Encoding {
        file: file.into(),
        line,
        column: i + 1,
        field: headers.get(i).cloned().unwrap_or_else(|| "header".into()),
        found: String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Follows double quotes through a CSV byte stream to find a quoted field that opens and never
/// closes. The csv crate treats the end of the input as closing such a quote, which would
/// silently swallow every following row.
#[derive(Debug, Clone, Copy)]
struct QuoteTracker {
    line: u64,
    open_line: u64,
    in_quotes: bool,
}

impl Default for QuoteTracker {
    fn default() -> Self {
        QuoteTracker {
            line: 1,
            open_line: 0,
            in_quotes: false,
        }
    }
}

impl QuoteTracker {
    fn feed(&mut self, bytes: &[u8]) {
        // Most blocks of a large file hold no quote at all: count their lines in one pass.
        if !self.in_quotes && !bytes.contains(&b'"') {
            self.line += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            return;
        }
        for &b in bytes {
            match b {
                b'"' => {
                    self.in_quotes = !self.in_quotes;
                    if self.in_quotes {
                        self.open_line = self.line;
                    }
                }
                b'\n' => self.line += 1,
                _ => {}
            }
        }
    }

    /// The line of a quote still open.
    fn open(&self) -> Option<u64> {
        self.in_quotes.then_some(self.open_line)
    }
}

/// Line on which a quoted field opens and never closes, if any.
fn unclosed_quote(bytes: &[u8]) -> Option<u64> {
    let mut tracker = QuoteTracker::default();
    tracker.feed(bytes);
    tracker.open()
}

fn unclosed_quote_error(file: &str, line: u64) -> DataError {
    DataError::Malformed {
        file: file.into(),
        line,
        reason: "a quoted field opens here and is never closed; expected a closing '\"'".into(),
    }
}

/// What a [`RowReader`] parses: follows quotes with a [`QuoteTracker`], and keeps a read error
/// for the message (the csv crate reports it without the file name).
struct QuoteWatch<R> {
    inner: R,
    quotes: QuoteTracker,
    /// Bytes passed so far, and the offsets of the line feeds among them not yet behind the
    /// record being read (the parser reads ahead by a buffer at most).
    offset: u64,
    line_feeds: std::collections::VecDeque<u64>,
    /// Line feeds behind the record being read.
    lines_before: u64,
    at_end: bool,
    io_error: Option<String>,
}

impl<R> QuoteWatch<R> {
    fn new(inner: R) -> Self {
        QuoteWatch {
            inner,
            quotes: QuoteTracker::default(),
            offset: 0,
            line_feeds: std::collections::VecDeque::new(),
            lines_before: 0,
            at_end: false,
            io_error: None,
        }
    }

    /// A read failure, or a quote left open at the end of the input.
    fn error(&self, file: &str) -> Option<DataError> {
        if let Some(reason) = &self.io_error {
            return Some(DataError::Io {
                file: file.into(),
                reason: reason.clone(),
            });
        }
        self.quotes
            .open()
            .filter(|_| self.at_end)
            .map(|line| unclosed_quote_error(file, line))
    }
}

impl<R: std::io::Read> std::io::Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                self.io_error = Some(e.to_string());
                return Err(e);
            }
        };
        self.at_end |= n == 0;
        self.quotes.feed(&buf[..n]);
        let offset = self.offset;
        self.line_feeds
            .extend(memchr::memchr_iter(b'\n', &buf[..n]).map(|i| offset + i as u64));
        self.offset += n as u64;
        Ok(n)
    }
}

/// The error of the CSV parser, at physical `line` when known (else the parser's own count).
fn csv_error(file: &str, delimiter: Delimiter, e: &csv::Error, line: Option<u64>) -> DataError {
    let at = |pos: Option<&csv::Position>| line.unwrap_or_else(|| pos.map_or(0, |p| p.line()));
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => DataError::Ragged {
            file: file.into(),
            line: at(pos.as_ref()),
            found: *len as usize,
            expected: *expected_len as usize,
            delimiter,
        },
        csv::ErrorKind::Utf8 { pos, err } => DataError::Encoding {
            file: file.into(),
            line: at(pos.as_ref()),
            column: err.field() + 1,
            field: String::new(),
            found: String::new(),
        },
        _ => DataError::Malformed {
            file: file.into(),
            line: at(e.position()),
            reason: e.to_string(),
        },
    }
}

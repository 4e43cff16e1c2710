//! A CSV file read into rows of strings that remember their line, with typed field access that
//! produces located errors. Shared by every data file of alkstats.

use super::DataError;
use std::collections::BTreeMap;

/// One data row: its 1-based line number and its trimmed fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Line where the record starts.
    pub line: u64,
    /// Fields, in header order.
    pub fields: Vec<String>,
}

/// A parsed CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File name for messages.
    pub file: String,
    /// Column names from the header.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<Row>,
}

impl Table {
    /// Parses `bytes` as a UTF-8 CSV file with a header line. Blank fields are empty strings.
    ///
    /// # Errors
    /// Empty file, non-UTF-8 bytes, ragged rows, duplicate or missing required columns, malformed
    /// quoting, or a header without rows.
    pub fn parse(file: &str, bytes: &[u8], required: &[&str]) -> Result<Table, DataError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Some(line) = unclosed_quote(bytes) {
            return Err(DataError::Malformed {
                file: file.into(),
                line,
                reason: "a quoted field opens here and is never closed; expected a closing '\"'"
                    .into(),
            });
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(file, &e))?
            .clone();
        if header.is_empty() || header.iter().all(|h| h.iter().all(u8::is_ascii_whitespace)) {
            return Err(DataError::Empty {
                file: file.into(),
                expected: required.join(", "),
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
        let mut rows = Vec::new();
        for record in reader.byte_records() {
            let record = record.map_err(|e| csv_error(file, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            // A line holding only a single empty field is a blank line: skip it.
            if record.len() == 1
                && record[0].iter().all(u8::is_ascii_whitespace)
                && headers.len() > 1
            {
                continue;
            }
            rows.push(Row {
                line,
                fields: decode_record(file, line, &record, &headers)?,
            });
        }
        if rows.is_empty() {
            return Err(DataError::NoRows { file: file.into() });
        }
        Ok(Table {
            file: file.into(),
            headers,
            rows,
        })
    }

    /// Index of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// A typed view of `row` for located parsing.
    pub fn cursor<'a>(&'a self, row: &'a Row) -> RowCursor<'a> {
        RowCursor { table: self, row }
    }
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
                .map_err(|_| DataError::Encoding {
                    file: file.into(),
                    line,
                    column: i + 1,
                    field: headers.get(i).cloned().unwrap_or_else(|| "header".into()),
                    found: String::from_utf8_lossy(f).into_owned(),
                })
        })
        .collect()
}

/// Line on which a quoted field opens and never closes, if any. The csv crate treats the end of
/// the file as closing such a quote, which would silently swallow every following row.
fn unclosed_quote(bytes: &[u8]) -> Option<u64> {
    let (mut line, mut open_line, mut in_quotes) = (1u64, 0u64, false);
    for &b in bytes {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                if in_quotes {
                    open_line = line;
                }
            }
            b'\n' => line += 1,
            _ => {}
        }
    }
    in_quotes.then_some(open_line)
}

fn csv_error(file: &str, e: &csv::Error) -> DataError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => DataError::Ragged {
            file: file.into(),
            line: pos.as_ref().map_or(0, |p| p.line()),
            found: *len as usize,
            expected: *expected_len as usize,
        },
        csv::ErrorKind::Utf8 { pos, err } => DataError::Encoding {
            file: file.into(),
            line: pos.as_ref().map_or(0, |p| p.line()),
            column: err.field() + 1,
            field: String::new(),
            found: String::new(),
        },
        _ => DataError::Malformed {
            file: file.into(),
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        },
    }
}

/// Located access to the fields of one row.
pub struct RowCursor<'a> {
    table: &'a Table,
    row: &'a Row,
}

impl RowCursor<'_> {
    /// Line number of the row.
    pub fn line(&self) -> u64 {
        self.row.line
    }

    /// Raw (trimmed) value of column `name`, `""` when the column is absent.
    pub fn raw(&self, name: &str) -> &str {
        self.table
            .column(name)
            .map_or("", |i| self.row.fields[i].as_str())
    }

    /// An error located at column `name` of this row.
    pub fn error(&self, name: &str, expected: impl Into<String>) -> DataError {
        DataError::BadValue {
            file: self.table.file.clone(),
            line: self.row.line,
            column: self.table.column(name).map_or(0, |i| i + 1),
            field: name.into(),
            found: self.raw(name).into(),
            expected: expected.into(),
        }
    }

    /// A non-empty string.
    pub fn required_str(&self, name: &str) -> Result<String, DataError> {
        let v = self.raw(name);
        if v.is_empty() {
            Err(self.error(name, "a non-empty value"))
        } else {
            Ok(v.to_string())
        }
    }

    /// An optional string (empty → `None`).
    pub fn optional_str(&self, name: &str) -> Option<String> {
        let v = self.raw(name);
        (!v.is_empty()).then(|| v.to_string())
    }

    /// An optional non-negative whole number. Accepts `12` and `12.0`, rejects `12.5`, `NaN`, `-1`.
    pub fn optional_count(&self, name: &str) -> Result<Option<u64>, DataError> {
        let v = self.raw(name);
        if v.is_empty() || v.eq_ignore_ascii_case("NA") {
            return Ok(None);
        }
        let expected = "a whole number of patients (0, 1, 2, …)";
        if let Ok(n) = v.parse::<u64>() {
            return Ok(Some(n));
        }
        match v.parse::<f64>() {
            Ok(f) if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 => {
                Ok(Some(f as u64))
            }
            _ => Err(self.error(name, expected)),
        }
    }

    /// An optional finite number, optionally required to be positive.
    pub fn optional_number(&self, name: &str, positive: bool) -> Result<Option<f64>, DataError> {
        let v = self.raw(name);
        if v.is_empty() || v.eq_ignore_ascii_case("NA") {
            return Ok(None);
        }
        match v.parse::<f64>() {
            Ok(f) if f.is_finite() && (!positive || f > 0.0) => Ok(Some(f)),
            _ => Err(self.error(
                name,
                if positive {
                    "a positive number"
                } else {
                    "a finite number"
                },
            )),
        }
    }

    /// Every column as name → value, for grouping by arbitrary columns.
    pub fn all_fields(&self) -> BTreeMap<String, String> {
        self.table
            .headers
            .iter()
            .cloned()
            .zip(self.row.fields.iter().cloned())
            .collect()
    }
}

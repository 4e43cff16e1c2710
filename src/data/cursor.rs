//! Typed, located access to the fields of one row of a [`Table`]: the raw string of a column,
//! whole numbers, finite numbers and required strings, each failing with an error that names the
//! place (file and line and column number, or file, sheet, row, column name and cell reference
//! for a spreadsheet), the value found and what was expected.

use super::sheet::CellRef;
use super::table::{Row, Table};
use super::DataError;
use std::collections::BTreeMap;

/// Every column of a row as written, by header: what `--by` groups and `metareg` reads
/// moderators from. Shared, not copied, as a row becomes a pair, a study and a report row (the
/// copies were a fifth of a streamed batch of two-arm meta-analyses).
pub type Fields = std::sync::Arc<BTreeMap<String, String>>;
/// A column of a row: by name (looked up in the table at each use), or by a position looked up
/// once per table ([`Col::resolved`]) for code that reads millions of rows.
#[derive(Debug, Clone, Copy)]
pub enum Col<'n> {
    /// Looked up by name at each use.
    Name(&'n str),
    /// The name (for messages) and its position in the table's header, `None` when absent.
    At(&'n str, Option<usize>),
}

impl<'n> Col<'n> {
    /// `name` looked up once in `table`, as [`Table::column`] finds it.
    pub fn resolved(table: &Table, name: &'n str) -> Self {
        Col::At(name, table.column(name))
    }

    /// The column's name as the code asks for it.
    pub fn name(self) -> &'n str {
        match self {
            Col::Name(n) | Col::At(n, _) => n,
        }
    }
}

impl<'n> From<&'n str> for Col<'n> {
    fn from(name: &'n str) -> Self {
        Col::Name(name)
    }
}

impl<'n> From<&'n String> for Col<'n> {
    fn from(name: &'n String) -> Self {
        Col::Name(name)
    }
}

/// Located access to the fields of one row.
pub struct RowCursor<'a> {
    table: &'a Table,
    line: u64,
    fields: RowFields<'a>,
}

/// The trimmed fields of a row: a decoded [`Row`]'s, or slices of the input itself.
#[derive(Clone, Copy)]
enum RowFields<'a> {
    Owned(&'a [String]),
    Borrowed(&'a [&'a str]),
}

impl RowFields<'_> {
    fn len(self) -> usize {
        match self {
            RowFields::Owned(f) => f.len(),
            RowFields::Borrowed(f) => f.len(),
        }
    }
}

impl<'a> RowCursor<'a> {
    /// A view of `row`, one of the rows of `table` (see [`Table::cursor`]).
    pub(super) fn new(table: &'a Table, row: &'a Row) -> Self {
        RowCursor {
            table,
            line: row.line,
            fields: RowFields::Owned(&row.fields),
        }
    }

    /// A view of the row on `line` whose trimmed fields, in header order, are `fields` (slices
    /// of the input): the batch engine parses plain text in place, without copying each field
    /// into a string first.
    pub fn borrowed(table: &'a Table, line: u64, fields: &'a [&'a str]) -> Self {
        RowCursor {
            table,
            line,
            fields: RowFields::Borrowed(fields),
        }
    }

    /// Field `i`.
    fn field(&self, i: usize) -> Option<&'a str> {
        match self.fields {
            RowFields::Owned(f) => f.get(i).map(String::as_str),
            RowFields::Borrowed(f) => f.get(i).copied(),
        }
    }

    /// The table of the row.
    pub fn table(&self) -> &'a Table {
        self.table
    }

    /// Line number of the row.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Raw (trimmed) value of column `name`, `""` when the column is absent.
    pub fn raw<'n>(&self, name: impl Into<Col<'n>>) -> &'a str {
        let index = match name.into() {
            Col::Name(n) => self.table.column(n),
            Col::At(_, i) => i,
        };
        index.and_then(|i| self.field(i)).unwrap_or("")
    }

    /// An error located at column `name` of this row: by line and column number in a text
    /// file, by row, column name and cell reference in a spreadsheet.
    pub fn error<'n>(&self, name: impl Into<Col<'n>>, expected: impl Into<String>) -> DataError {
        let name = name.into().name();
        let column = self.table.column(name);
        // The user's own column name: `Author`, not the `study` it is read as.
        let name = column
            .and_then(|i| self.table.headers.get(i))
            .map_or(name, String::as_str);
        if self.table.sheet().is_some() {
            return DataError::BadCell {
                file: self.table.file.clone(),
                column: name.into(),
                cell: CellRef {
                    row: self.line,
                    column: column.and_then(|i| u32::try_from(i).ok()),
                },
                found: self.raw(name).into(),
                expected: expected.into(),
            };
        }
        DataError::BadValue {
            file: self.table.file.clone(),
            line: self.line,
            column: column.map_or(0, |i| i + 1),
            field: name.into(),
            found: self.raw(name).into(),
            expected: expected.into(),
        }
    }

    /// A non-empty string.
    pub fn required_str<'n>(&self, name: impl Into<Col<'n>>) -> Result<String, DataError> {
        let name = name.into();
        let v = self.raw(name);
        if v.is_empty() {
            Err(self.error(name, "a non-empty value"))
        } else {
            Ok(v.to_string())
        }
    }

    /// An optional string (empty → `None`).
    pub fn optional_str<'n>(&self, name: impl Into<Col<'n>>) -> Option<String> {
        let name = name.into();
        let v = self.raw(name);
        (!v.is_empty()).then(|| v.to_string())
    }

    /// An optional non-negative whole number. Accepts `12` and `12.0`, rejects `12.5`, `NaN`, `-1`.
    pub fn optional_count<'n>(&self, name: impl Into<Col<'n>>) -> Result<Option<u64>, DataError> {
        let name = name.into();
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
    pub fn optional_number<'n>(
        &self,
        name: impl Into<Col<'n>>,
        positive: bool,
    ) -> Result<Option<f64>, DataError> {
        let name = name.into();
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

    /// Column names of the file.
    pub fn headers(&self) -> &[String] {
        &self.table.headers
    }

    /// Every column as name → value, for grouping by arbitrary columns.
    pub fn all_fields(&self) -> Fields {
        Fields::new(
            self.table
                .headers
                .iter()
                .cloned()
                .zip((0..self.fields.len()).filter_map(|i| self.field(i).map(str::to_string)))
                .collect(),
        )
    }
}

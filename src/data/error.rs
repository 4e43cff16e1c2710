//! Typed loading errors. Each variant carries what a person needs to fix the file.

use super::delimiter::Delimiter;
use super::sheet::CellRef;
use thiserror::Error;

/// A problem with an input data file.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DataError {
    /// The columns of a user's file cannot be given their roles (see `data::roles`).
    #[error(transparent)]
    Roles(#[from] super::roles::RoleError),
    /// The file could not be read.
    #[error("{file}: cannot read the file: {reason}")]
    Io {
        /// File name as given.
        file: String,
        /// Why.
        reason: String,
    },
    /// The file has no header line.
    #[error("{file}: the file is empty; expected a CSV header line with {expected}")]
    Empty {
        /// File name.
        file: String,
        /// What the header must hold ([`header_expectation`]).
        expected: String,
    },
    /// A required column is absent from the header.
    #[error(
        "{file}: line 1 (header): required column '{column}' is missing; found columns: {found}"
    )]
    MissingColumn {
        /// File name.
        file: String,
        /// The missing column.
        column: String,
        /// The header as found.
        found: String,
    },
    /// A column name appears twice.
    #[error("{file}: line 1 (header), column {column}: the column name '{field}' appears twice; expected unique column names")]
    DuplicateColumn {
        /// File name.
        file: String,
        /// 1-based column of the second occurrence.
        column: usize,
        /// The repeated name.
        field: String,
    },
    /// A row has a different number of fields from the header.
    #[error("{file}: line {line}: found {found} fields, expected {expected} as in the header (a missing or extra {delimiter}?)")]
    Ragged {
        /// File name.
        file: String,
        /// 1-based line.
        line: u64,
        /// Fields found.
        found: usize,
        /// Fields in the header.
        expected: usize,
        /// The delimiter sniffed from the header.
        delimiter: Delimiter,
    },
    /// Bytes that are not UTF-8.
    #[error("{file}: line {line}, column {column} ({field}): found '{found}' with bytes that are not valid UTF-8; expected UTF-8 text (re-save the file as 'CSV UTF-8')")]
    Encoding {
        /// File name.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column (0 when unknown).
        column: usize,
        /// Column name, or "header".
        field: String,
        /// The value with invalid bytes shown as U+FFFD.
        found: String,
    },
    /// A field holds a value that is not allowed.
    #[error(
        "{file}: line {line}, column {column} ({field}): found '{found}', expected {expected}"
    )]
    BadValue {
        /// File name.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: usize,
        /// Column name.
        field: String,
        /// The value as written.
        found: String,
        /// What would be accepted.
        expected: String,
    },
    /// The CSV could not be parsed (e.g. an unterminated quote).
    #[error("{file}: line {line}: malformed CSV: {reason}")]
    Malformed {
        /// File name.
        file: String,
        /// 1-based line.
        line: u64,
        /// Parser message.
        reason: String,
    },
    /// A header but no rows.
    #[error("{file}: the file has a header but no data rows; expected at least one row")]
    NoRows {
        /// File name.
        file: String,
    },
    /// A spreadsheet file that cannot be opened as a workbook (corrupt, truncated, encrypted,
    /// or not a spreadsheet at all).
    #[error("{file}: cannot read the spreadsheet: {reason}; expected an .xlsx, .xlsm, .xls or .ods workbook")]
    Spreadsheet {
        /// File name.
        file: String,
        /// What the spreadsheet reader reported.
        reason: String,
    },
    /// A sheet name that the workbook does not have.
    #[error("{file}: there is no sheet '{sheet}'; expected one of the sheets: {available}")]
    UnknownSheet {
        /// File name.
        file: String,
        /// The sheet asked for.
        sheet: String,
        /// The workbook's sheets, quoted and comma-separated.
        available: String,
    },
    /// A sheet with no non-empty cell.
    #[error("{file}: the sheet is empty; expected a header row with {expected}")]
    EmptySheet {
        /// File and sheet (`trials.xlsx, sheet 'Data'`).
        file: String,
        /// What the header must hold ([`header_expectation`]).
        expected: String,
    },
    /// A sheet with a header row and nothing below it.
    #[error("{file}: row {row} (header) has no data rows below it; expected at least one row")]
    SheetNoRows {
        /// File and sheet.
        file: String,
        /// The spreadsheet row of the header.
        row: u64,
    },
    /// A required column is absent from a sheet's header row.
    #[error(
        "{file}: row {row} (header): required column '{column}' is missing; found columns: {found}"
    )]
    SheetMissingColumn {
        /// File and sheet.
        file: String,
        /// The spreadsheet row of the header.
        row: u64,
        /// The missing column.
        column: String,
        /// The header as found.
        found: String,
    },
    /// A column name appears twice in a sheet's header row.
    #[error("{file}: row {row} (header), cell {cell}: the column name '{field}' appears twice; expected unique column names")]
    SheetDuplicateColumn {
        /// File and sheet.
        file: String,
        /// The spreadsheet row of the header.
        row: u64,
        /// Cell of the second occurrence (`D1`).
        cell: CellRef,
        /// The repeated name.
        field: String,
    },
    /// A cell holding a spreadsheet error value such as `#DIV/0!` or `#N/A`.
    #[error("{file}: row {}, column '{column}' ({cell}): found '{found}', a spreadsheet error; expected a value (fix the formula or clear the cell)", .cell.row)]
    ErrorCell {
        /// File and sheet.
        file: String,
        /// Column name from the header (empty for a column without one).
        column: String,
        /// The cell (`C7`), which holds the row.
        cell: CellRef,
        /// The error as the spreadsheet shows it.
        found: String,
    },
    /// A spreadsheet cell holding a value that is not allowed.
    #[error("{file}: row {}, column '{column}' ({cell}): found '{found}'; expected {expected}", .cell.row)]
    BadCell {
        /// File and sheet.
        file: String,
        /// Column name from the header.
        column: String,
        /// The cell (`C7`), which holds the row; its column is `None` when the column is absent.
        cell: CellRef,
        /// The value as read.
        found: String,
        /// What would be accepted.
        expected: String,
    },
    /// A sheet name given for a file that is read as text.
    #[error("{file}: a sheet ('{sheet}') was given, but the file is read as delimited text; expected an .xlsx, .xlsm, .xls or .ods file, or no sheet")]
    SheetOfText {
        /// File name.
        file: String,
        /// The sheet asked for.
        sheet: String,
    },
    /// A file of a kind that this reader does not turn into a table.
    #[error("{file}: {kind} files are not read as a table here; expected a CSV, TSV or spreadsheet file")]
    NotATable {
        /// File name.
        file: String,
        /// The kind of file (`RevMan (.rm5)`).
        kind: String,
    },
}

/// What the header of an empty file should have held: the required columns, or (for a user's
/// file, whose columns are found by role afterwards) its column names.
pub fn header_expectation(required: &[&str]) -> String {
    if required.is_empty() {
        "the column names, then data rows".into()
    } else {
        format!("the columns {}", required.join(", "))
    }
}

//! Typed loading errors. Each variant carries what a person needs to fix the file.

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
    #[error("{file}: the file is empty; expected a CSV header line with the columns {expected}")]
    Empty {
        /// File name.
        file: String,
        /// The required columns.
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
    #[error("{file}: line {line}: found {found} fields, expected {expected} as in the header (a missing or extra comma?)")]
    Ragged {
        /// File name.
        file: String,
        /// 1-based line.
        line: u64,
        /// Fields found.
        found: usize,
        /// Fields in the header.
        expected: usize,
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
}

//! What stops the proportions engine's reader: a problem of the file, a request the file cannot
//! meet, or a file taken for plain text that is not (see `records`).

use crate::analysis::group::MISSING_GROUP;
use crate::analysis::AnalysisError;
use crate::data::DataError;

/// Problems found by the reader: the file's, or a request the file cannot meet.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A problem in the file.
    #[error(transparent)]
    Data(#[from] DataError),
    /// An impossible analysis (unknown `--by` column, nothing to pool).
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// The input was read as plain text (its lines are its records), but `line` holds a quote
    /// or a carriage return that ends no line: it must be read by the CSV parser. Found before
    /// any row of its chunk is parsed, so the rows and problems reported before it are those
    /// the CSV parser gives.
    #[error("line {line}: a quote or a lone carriage return in input read as plain text")]
    NotPlain {
        /// The line.
        line: u64,
    },
}

/// What a row of group `label` (of `column`) that started on line `first` and ended before the
/// row should have been: the streaming reader's refusal of a group that starts again.
pub fn not_together_expectation(column: &str, label: &str, first: u64) -> String {
    let label = if label.is_empty() {
        MISSING_GROUP
    } else {
        label
    };
    format!(
        "the rows of each '{column}' group together (group '{label}' started on line {first} \
         and other groups came in between); the file is read group by group (streaming), so \
         sort it by {column}, or add --no-stream to load it whole"
    )
}

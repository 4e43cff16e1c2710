//! A file cut into pieces of whole `--by` groups, each a [`Table`] of its own: what the batch
//! engine hands to the in-memory loaders and analyses of every outcome
//! ([`super::by_piece`]), so that a streamed file is read by the very code that reads it whole.
//!
//! A group is complete when a row of another group comes, so the rows of a group must be
//! contiguous; a group that starts again after it ended is refused (exit 2) rather than fitted
//! twice. Groups are told apart by [`group_key`], which is never finer than the in-memory
//! grouping: rows that the in-memory path puts in one group always share a key, so a piece
//! never splits a group.

use super::runs::{GroupRuns, Run};
use crate::analysis::group::MISSING_GROUP;
use crate::analysis::AnalysisError;
use crate::data::arms::normalise_drug;
use crate::data::fingerprint::Fingerprint;
use crate::data::table::{decode_row, Row, RowReader, Table};
use crate::data::DataError;
use std::io::Read;

/// Columns whose values some in-memory loader normalises as drug names (aliases such as
/// `LDK378` → `ceritinib`) before grouping: the arms' `drug`, the hazard ratios' `treatment`
/// and `comparator`. Normalising them for every outcome makes keys coarser, never finer, than
/// the in-memory grouping, which is what a piece needs.
pub const DRUG_COLUMNS: &[&str] = &["drug", "treatment", "comparator"];

/// The one column whose values the proportions engine ([`super::reader`]) groups as drug names.
pub const ARM_DRUG_COLUMNS: &[&str] = &["drug"];

/// The key of the group of a row whose `--by` `column` holds `value` (trimmed): its label
/// ignoring case (as [`split`](crate::analysis::group::split) matches labels), an empty value
/// as `(missing)`, drug names normalised in `drug_columns`.
pub fn group_key(column: &str, value: &str, drug_columns: &[&str]) -> Fingerprint {
    match value {
        "" => Fingerprint::of_caseless(MISSING_GROUP),
        v if drug_columns.iter().any(|c| column.eq_ignore_ascii_case(c)) => {
            Fingerprint::of_caseless(&normalise_drug(v))
        }
        v => Fingerprint::of_caseless(v),
    }
}

/// Groups per piece: a piece is the unit of parallel work, so enough groups to amortise a task,
/// few enough to balance the threads.
const GROUPS_PER_PIECE: usize = 64;

/// Reads a text table piece by piece. See the module documentation.
pub struct PieceReader<R: Read> {
    reader: RowReader<R>,
    /// The `--by` column as written in the header, and its position.
    column: (String, usize),
    /// Rows read per call of [`PieceReader::next_pieces`], about.
    chunk_rows: usize,
    record: csv::ByteRecord,
    /// The groups so far.
    runs: GroupRuns,
    /// The rows of the open piece.
    rows_of_piece: Vec<Row>,
    groups_in_piece: usize,
    rows: u64,
    at_end: bool,
}

impl<R: Read> PieceReader<R> {
    /// Reads the header of `input` (named `file` in messages) and finds the `--by` `column` in
    /// it as the in-memory path does: exactly, else ignoring ASCII case.
    ///
    /// # Errors
    /// A bad header ([`DataError`]) or an unknown `column` ([`AnalysisError`]).
    pub fn new(
        file: &str,
        input: R,
        column: &str,
        chunk_rows: usize,
    ) -> Result<Self, super::BatchError> {
        let reader = RowReader::new(file, input, &[])?;
        let table = Table::new(file.into(), reader.headers().to_vec(), Vec::new());
        let Some(index) = table.column(column) else {
            return Err(AnalysisError::UnknownGroupColumn {
                column: column.into(),
                available: table.headers.join(", "),
            }
            .into());
        };
        Ok(PieceReader {
            column: (table.headers[index].clone(), index),
            reader,
            chunk_rows: chunk_rows.max(1),
            record: csv::ByteRecord::new(),
            runs: GroupRuns::default(),
            rows_of_piece: Vec::new(),
            groups_in_piece: 0,
            rows: 0,
            at_end: false,
        })
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.bytes_read()
    }

    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The next pieces (about `chunk_rows` rows of whole groups, in file order); `None` once
    /// the file is done.
    ///
    /// # Errors
    /// A row that is not valid CSV or UTF-8, a file without rows, or a group whose rows are not
    /// together.
    pub fn next_pieces(&mut self) -> Result<Option<Vec<Table>>, DataError> {
        if self.at_end {
            return Ok(None);
        }
        let mut pieces = Vec::new();
        let mut rows = 0;
        while rows < self.chunk_rows {
            if !self.reader.read_record(&mut self.record)? {
                self.at_end = true;
                if self.rows == 0 {
                    return Err(DataError::NoRows {
                        file: self.reader.file().into(),
                    });
                }
                if !self.rows_of_piece.is_empty() {
                    pieces.push(self.take_piece());
                }
                break;
            }
            let row = decode_row(self.reader.file(), self.reader.headers(), &self.record)?;
            self.rows += 1;
            rows += 1;
            let value = row.fields.get(self.column.1).map_or("", String::as_str);
            let key = group_key(&self.column.0, value, DRUG_COLUMNS);
            match self.runs.enter(key, row.line) {
                Ok(Run::Same) => {}
                // A new group: the piece may end before it, once it holds enough groups.
                Ok(Run::Starts(closed)) => {
                    if closed.is_some() {
                        self.groups_in_piece += 1;
                        if self.groups_in_piece >= GROUPS_PER_PIECE {
                            pieces.push(self.take_piece());
                        }
                    }
                }
                Err(first) => return Err(self.not_together(&row, first)),
            }
            self.rows_of_piece.push(row);
        }
        Ok(Some(pieces))
    }

    /// The rows gathered so far as a table, and a new piece begun.
    fn take_piece(&mut self) -> Table {
        self.groups_in_piece = 0;
        Table::new(
            self.reader.file().into(),
            self.reader.headers().to_vec(),
            std::mem::take(&mut self.rows_of_piece),
        )
    }

    /// The error for `row`, of a group that started on line `first` and ended before it.
    fn not_together(&self, row: &Row, first: u64) -> DataError {
        let table = Table::new(
            self.reader.file().into(),
            self.reader.headers().to_vec(),
            Vec::new(),
        );
        let column = &self.column.0;
        let label = row.fields.get(self.column.1).map_or("", String::as_str);
        table.cursor(row).error(
            column.as_str(),
            super::reader::not_together_expectation(column, label, first),
        )
    }
}

//! The analysis rows of one parallel task, written into memory as CSV rows or JSON Lines (as
//! [`RowFormat`] says) by the output module's row writers (the CSV one without the csv crate's
//! writer, byte for byte as it writes; tested against the in-memory path).

use super::RowFormat;
use crate::analysis::report::{Analysis, StudyRow};
use crate::output::csv_out::append_analysis_row;
use crate::output::jsonl::write_analysis as write_jsonl;

/// Analysis rows being written into memory.
pub struct RowsOut<'f> {
    format: &'f RowFormat,
    out: Vec<u8>,
    /// Scratch space for numbers.
    buf: Vec<u8>,
}

impl<'f> RowsOut<'f> {
    /// Rows in `format`, with room for about `analyses` of them.
    pub fn new(format: &'f RowFormat, analyses: usize) -> Self {
        let per_row = if format.jsonl { 1024 } else { 512 };
        RowsOut {
            format,
            out: Vec::with_capacity(analyses * per_row),
            buf: Vec::with_capacity(32),
        }
    }

    /// Writes the row of `analysis`.
    pub fn push<S: StudyRow>(&mut self, analysis: &Analysis<S>) {
        let columns = &self.format.columns;
        if self.format.jsonl {
            write_jsonl(&mut self.out, analysis, columns, &mut self.buf);
        } else {
            append_analysis_row(&mut self.out, analysis, columns);
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

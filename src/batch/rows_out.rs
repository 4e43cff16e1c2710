//! The analysis rows of one parallel task, written into memory as CSV rows or JSON Lines (as
//! [`RowFormat`] says) by the writers of the in-memory output, so both paths give the same bytes.

use super::RowFormat;
use crate::analysis::report::{Analysis, StudyRow};
use crate::output::csv_out::write_analysis_cells;
use crate::output::jsonl::write_analysis as write_jsonl;

/// Analysis rows being written into memory.
pub struct RowsOut<'f> {
    format: &'f RowFormat,
    csv: csv::Writer<Vec<u8>>,
    jsonl: Vec<u8>,
    /// Scratch space for numbers.
    buf: Vec<u8>,
}

impl<'f> RowsOut<'f> {
    /// Rows in `format`, with room for about `analyses` of them.
    pub fn new(format: &'f RowFormat, analyses: usize) -> Self {
        let capacity = analyses * 512;
        RowsOut {
            format,
            csv: csv::Writer::from_writer(Vec::with_capacity(if format.jsonl {
                0
            } else {
                capacity
            })),
            jsonl: Vec::with_capacity(if format.jsonl { capacity * 2 } else { 0 }),
            buf: Vec::with_capacity(32),
        }
    }

    /// Writes the row of `analysis`.
    pub fn push<S: StudyRow>(&mut self, analysis: &Analysis<S>) {
        let columns = &self.format.columns;
        if self.format.jsonl {
            write_jsonl(&mut self.jsonl, analysis, columns, &mut self.buf);
        } else {
            // Writing into memory cannot fail.
            let _ = write_analysis_cells(&mut self.csv, analysis, columns, &mut self.buf);
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        if self.format.jsonl {
            self.jsonl
        } else {
            self.csv.into_inner().unwrap_or_default()
        }
    }
}

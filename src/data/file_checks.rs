//! The checks that span the rows of a whole file: study labels used once, names spelled as
//! first typed, `overlaps` entries naming rows of the file.
//!
//! A loader runs them row by row in file order, through one [`FileChecks`]; the batch engine
//! ([`crate::batch`]) reads a file in pieces and hands the same `FileChecks` from piece to piece,
//! so a file read whole and a file streamed are checked alike, with the same first error.

use super::fingerprint::{Fingerprint, FingerprintMap};
use super::spelling::Spellings;
use super::table::RowCursor;
use super::DataError;

/// The state of the checks across the rows of one file. See the module documentation.
#[derive(Default)]
pub struct FileChecks {
    /// Study labels seen → the line of their first use (fingerprints: 24 bytes a label, so that
    /// files of millions of rows are checked in little memory).
    labels: FingerprintMap,
    /// Names (drugs, treatments, comparators) as first typed.
    pub spellings: Spellings,
    /// `overlaps` entries naming a label not seen when their row was read, with the error to
    /// report if the file never has it; in file order.
    pending: Vec<(String, DataError)>,
}

impl FileChecks {
    /// Records the study label of the row at `c` (whose label column is `column`); a label used
    /// before is an error naming the line of its first use.
    ///
    /// # Errors
    /// [`DataError`] at the label's cell.
    pub fn label(&mut self, c: &RowCursor<'_>, column: &str, label: &str) -> Result<(), DataError> {
        match self.labels.insert(Fingerprint::of(label), c.line()) {
            Some(first) => Err(duplicate_label(c, column, first)),
            None => Ok(()),
        }
    }

    /// Notes the `overlaps` entries of the row at `c`: each must name a study label of the file,
    /// which a later row may still bring.
    pub fn overlaps<'s>(&mut self, c: &RowCursor<'_>, names: impl IntoIterator<Item = &'s str>) {
        for name in names {
            if !self.labels.contains(&Fingerprint::of(name)) {
                self.pending
                    .push((name.to_string(), unknown_overlap(c, name)));
            }
        }
    }

    /// The end of the file: the first `overlaps` entry (in file order) that names no study of
    /// the file.
    ///
    /// # Errors
    /// That entry's [`DataError`].
    pub fn finish(&mut self) -> Result<(), DataError> {
        let pending = std::mem::take(&mut self.pending);
        match pending
            .into_iter()
            .find(|(name, _)| !self.labels.contains(&Fingerprint::of(name)))
        {
            Some((_, error)) => Err(error),
            None => Ok(()),
        }
    }
}

/// The error for a study label (in `column`) already used on line `first`.
pub fn duplicate_label(c: &RowCursor<'_>, column: &str, first: u64) -> DataError {
    c.error(
        column,
        format!("a label not used before (already used on line {first})"),
    )
}

/// The error for an `overlaps` entry that names no row of the file. An entry must name a row
/// of the same file, or the exclusion would be a guess.
pub fn unknown_overlap(c: &RowCursor<'_>, other: &str) -> DataError {
    c.error(
        "overlaps",
        format!("study labels of this file separated by ';' ('{other}' is not one)"),
    )
}

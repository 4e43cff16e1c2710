//! Publication years of input rows, for ordering studies (`--sort year`, cumulative analyses).

use super::hr::HrRow;
use super::Arm;

/// Rows that carry a publication year (for `--sort year`).
pub trait StudyYear {
    /// Study label and year.
    fn study_year(&self) -> (&str, Option<i32>);
}

impl StudyYear for Arm {
    fn study_year(&self) -> (&str, Option<i32>) {
        (&self.study, self.year)
    }
}

impl StudyYear for HrRow {
    fn study_year(&self) -> (&str, Option<i32>) {
        (
            &self.study,
            self.fields.get("year").and_then(|y| y.trim().parse().ok()),
        )
    }
}

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

/// The year of a user's row: a column named `year` (any case), when it holds a whole number.
fn year_field(fields: &std::collections::BTreeMap<String, String>) -> Option<i32> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("year"))
        .and_then(|(_, v)| v.trim().parse().ok())
}

macro_rules! user_row_year {
    ($($t:ty),+) => {$(
        impl StudyYear for $t {
            fn study_year(&self) -> (&str, Option<i32>) {
                (&self.study, year_field(&self.fields))
            }
        }
    )+};
}

user_row_year!(
    super::user_rows::BinaryRow,
    super::continuous_rows::ContinuousRow,
    super::user_rows::GenericRow
);

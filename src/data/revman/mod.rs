//! Reading RevMan 5 review files (`.rm5`): the XML that Cochrane's Review Manager 5 saves,
//! usually in ISO-8859-1. The reader decodes the file by its XML declaration, parses it, and
//! returns the review's comparisons and outcomes with every study row, following the element
//! structure that R `meta::read.rm5` reads (meta ≥ 6, `R/read.rm5.R` and
//! `R/read.rm5-internal.R`). One outcome becomes a plain table with meta's column names through
//! [`outcome_table`]; [`listing`] shows people what the file holds.
//!
//! ```no_run
//! use alkstats::data::revman::{load_rm5, outcome_table};
//! let review = load_rm5(std::path::Path::new("review.rm5"))?;
//! let (headers, rows) = outcome_table(review.outcome("1.1")?);
//! # Ok::<(), alkstats::data::revman::RevmanError>(())
//! ```

mod encoding;
pub mod error;
mod escape;
mod listing;
pub mod model;
mod parse;
mod table;
mod xml;

pub use error::{Place, RevmanError};
pub use escape::decode_revman_escapes;
pub use listing::{describe_outcome, listing};
pub use model::{
    Comparison, Number, Outcome, OutcomeKind, Review, RowData, StoredTotals, StudyResults,
    StudyRow, Subgroup,
};
pub use table::outcome_table;

use std::path::Path;

/// Reads a review from the bytes of a `.rm5` file; `file` names it in messages.
///
/// # Errors
/// Unsupported encoding, text that is not XML, malformed XML (with its line), a root that is
/// not `COCHRANE_REVIEW`, a missing `NO`/`STUDY_ID`, or a numeric attribute that does not parse.
pub fn read_rm5(file: &str, bytes: &[u8]) -> Result<Review, RevmanError> {
    let text = encoding::decode(file, bytes)?;
    let root = xml::parse(file, &text)?;
    parse::review(file, &root)
}

/// Reads a review from a `.rm5` file on disk.
///
/// # Errors
/// [`RevmanError::Io`] when the file cannot be read, then as [`read_rm5`].
pub fn load_rm5(path: &Path) -> Result<Review, RevmanError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| RevmanError::Io {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    read_rm5(&file, &bytes)
}

impl Review {
    /// Every outcome with the comparison it belongs to, in file order.
    pub fn outcomes(&self) -> impl Iterator<Item = (&Comparison, &Outcome)> {
        self.comparisons
            .iter()
            .flat_map(|c| c.outcomes.iter().map(move |o| (c, o)))
    }

    /// The outcome with id `id` (`1.1`; leading zeros and surrounding spaces are ignored, so
    /// `01.01` works too).
    ///
    /// # Errors
    /// [`RevmanError::UnknownOutcome`], listing the ids that exist.
    pub fn outcome(&self, id: &str) -> Result<&Outcome, RevmanError> {
        let wanted = normalise_id(id);
        self.outcomes()
            .map(|(_, o)| o)
            .find(|o| o.id == wanted)
            .ok_or_else(|| {
                let ids: Vec<&str> = self.outcomes().map(|(_, o)| o.id.as_str()).collect();
                RevmanError::UnknownOutcome {
                    file: self.file.clone(),
                    requested: id.to_string(),
                    available: if ids.is_empty() {
                        "none".into()
                    } else {
                        ids.join(", ")
                    },
                }
            })
    }
}

/// `01.01` → `1.1`; anything that is not two whole numbers is returned trimmed.
fn normalise_id(id: &str) -> String {
    let id = id.trim();
    match id.split_once('.') {
        Some((c, o)) => match (c.trim().parse::<u32>(), o.trim().parse::<u32>()) {
            (Ok(c), Ok(o)) => format!("{c}.{o}"),
            _ => id.to_string(),
        },
        None => id.to_string(),
    }
}

//! Analyses: from validated rows to the report structures of SPEC.md, one module per outcome.
//! This is the only layer that knows both the data and the statistics; renderers read its
//! results.

pub mod compare;
pub mod group;
pub mod hazard;
pub mod median_pfs;
pub mod proportion;
pub mod report;

use thiserror::Error;

/// A problem with the requested analysis (as opposed to the file contents).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AnalysisError {
    /// `--by` names a column the file does not have.
    #[error("--by {column}: no such column; expected 'none' or one of: {available}")]
    UnknownGroupColumn {
        /// Requested column.
        column: String,
        /// Columns of the file.
        available: String,
    },
    /// Nothing left to pool.
    #[error("{0}")]
    NothingToPool(String),
    /// An invalid setting.
    #[error("{0}")]
    InvalidSetting(String),
    /// A study whose effect size cannot be computed.
    #[error("{0}")]
    BadStudy(String),
}

//! The command line's error type and its exit codes: 2 for the user's input (flags, data, an
//! analysis that cannot be run as asked, an output that cannot be written), 1 for internal
//! failures. Library errors become a [`CliError`] here, so the library never depends on the CLI.

use crate::analysis::AnalysisError;
use crate::batch::BatchError;
use crate::data::DataError;
use thiserror::Error;

/// Command-line error, rendered for people by [`super::main`].
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad flags or flag combinations.
    #[error("{0}")]
    Usage(String),
    /// Bad input data.
    #[error(transparent)]
    Data(#[from] DataError),
    /// An analysis that cannot be run as asked.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// Anything else: a bug or an environment failure.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl CliError {
    /// Exit code: 2 for the user's input, 1 for internal failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Internal(_) => 1,
            _ => 2,
        }
    }

    /// `--format jsonl` on a command other than `pool`, whose analyses it writes line by line.
    pub fn jsonl_is_for_pool(command: &str) -> Self {
        CliError::Usage(format!(
            "--format jsonl writes pooled analyses, one per line (alkstats pool); use --format \
             json or csv for alkstats {command}"
        ))
    }
}

impl From<BatchError> for CliError {
    fn from(e: BatchError) -> Self {
        match e {
            BatchError::Data(e) => CliError::Data(e),
            BatchError::Analysis(e) => CliError::Analysis(e),
            // As for the in-memory output: an output path that cannot be written is the user's
            // to fix; standard output failing is not.
            BatchError::Output { target, source } if target == "<stdout>" => {
                CliError::Internal(source.into())
            }
            e @ BatchError::Output { .. } => CliError::Usage(e.to_string()),
            // `batch::run` reads such a file again, or names it (it changed while read).
            e @ BatchError::NotPlain { .. } => CliError::Internal(e.into()),
        }
    }
}

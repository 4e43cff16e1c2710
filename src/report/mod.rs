//! Reproducible reports (`alkstats report`): an analysis plan in, a self-contained folder out.
//!
//! The pipeline is the rest of alkstats run end to end. [`plan`] reads a TOML plan into the
//! settings structs `alkstats pool` uses; [`run`] loads the data and calls the same analysis
//! and plot functions as the command line, keeping everything in memory; [`methods`] writes
//! the methods section and reference list from the settings; [`render`] turns the results
//! into `index.html` and `report.md` through templates, and `results.json` through the same
//! serde structs as `pool --format json`; [`manifest`] hashes every input and output, writes
//! the folder atomically (a temporary sibling renamed into place, the manifest written last)
//! and checks an existing report against a fresh run of the plan it records.
//!
//! Nothing depends on the clock, the machine or the working directory unless asked
//! (`--timestamp`), so a second run writes byte-identical files.

pub mod manifest;
pub mod methods;
pub mod plan;
pub mod render;
pub mod run;

use crate::analysis::AnalysisError;
use crate::data::DataError;
use crate::network::NetworkError;
use crate::plot::PlotError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use plan::Plan;

/// The plan run when none is given: the ALK review on the shipped data. The committed file
/// `reports/alk_review.toml` is this plan, and `reports/alk_review/` its rendered output.
pub const EMBEDDED_PLAN: &str = include_str!("../../reports/alk_review.toml");

/// The name under which the embedded plan appears in messages and provenance.
pub const EMBEDDED_PLAN_NAME: &str = "reports/alk_review.toml (embedded)";

/// The files of a report: path relative to the report folder (with `/`) → bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// A report that cannot be produced or checked.
#[derive(Debug, Error)]
pub enum ReportError {
    /// A problem in the plan file, located.
    #[error("{file}:{line}:{column}: {message}")]
    Plan {
        /// Plan file as named.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A data file of the plan.
    #[error(transparent)]
    Data(#[from] DataError),
    /// An analysis of the plan that cannot be run as asked.
    #[error("analysis '{id}': {source}")]
    Analysis {
        /// The analysis id.
        id: String,
        /// Why.
        source: AnalysisError,
    },
    /// A figure that cannot be drawn.
    #[error("analysis '{id}': {source}")]
    Plot {
        /// The analysis id.
        id: String,
        /// Why.
        source: PlotError,
    },
    /// A network analysis of the plan that cannot be run as asked (its numerical failures
    /// are [`ReportError::Internal`]).
    #[error("analysis '{id}': {source}")]
    Network {
        /// The analysis id.
        id: String,
        /// Why.
        source: NetworkError,
    },
    /// Reading or writing the report folder.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The folder as given on the command line.
        path: PathBuf,
        /// What could not be done, e.g. "write the report".
        action: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// `--out` ends in no folder name (such as `..`).
    #[error("--out {}: expected a folder name such as reports/my_review", out.display())]
    OutNotNamed {
        /// The folder as given.
        out: PathBuf,
    },
    /// The parent folder of `--out` does not exist or cannot be resolved.
    #[error("--out {}: its parent folder {} cannot be used: {source}", out.display(), parent.display())]
    OutParent {
        /// The folder as given.
        out: PathBuf,
        /// Its parent folder.
        parent: PathBuf,
        /// Why it cannot be used.
        source: std::io::Error,
    },
    /// `--out` names a file, not a folder.
    #[error("--out {}: exists and is not a folder; choose a new or empty folder", out.display())]
    OutNotAFolder {
        /// The folder as given.
        out: PathBuf,
    },
    /// `--out` names a folder with other files than an earlier report, which `report` never
    /// replaces.
    #[error(
        "--out {}: the folder is not empty and holds no alkstats report ({}); choose a new or \
         empty folder, so that nothing else is replaced",
        out.display(),
        manifest::MANIFEST
    )]
    OutNotAReport {
        /// The folder as given.
        out: PathBuf,
    },
    /// `--check` names no folder.
    #[error(
        "--check {}: no such folder; expected a folder written by alkstats report --out",
        dir.display()
    )]
    CheckNoFolder {
        /// The folder as given.
        dir: PathBuf,
    },
    /// A `bias` analysis names a subgroup that its pooled analysis does not have.
    #[error("analysis '{id}': group '{group}' is not a subgroup of by = \"{by}\"; expected one of: {available}")]
    UnknownGroup {
        /// The analysis id.
        id: String,
        /// The group asked for.
        group: String,
        /// The grouping column.
        by: String,
        /// The subgroups there are.
        available: String,
    },
    /// A failure that is not the user's (template rendering, serialisation).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Options of one run that are not in the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Generation time to record (UTC, RFC 3339); `None` for none, the default.
    pub generated_at: Option<String>,
    /// The plan's folder relative to the report folder, recorded so that `--check` resolves
    /// the plan's relative data paths; `None` for the embedded plan.
    pub plan_folder: Option<String>,
}

/// Runs `plan` and renders every file of its report in memory, the manifest last.
/// `base` is the folder against which the plan's relative data paths are read.
///
/// # Errors
/// Unreadable or invalid data, an analysis or figure that cannot be produced, or a rendering
/// failure.
pub fn generate(plan: &Plan, base: &Path, options: &RunOptions) -> Result<Files, ReportError> {
    let result = run::run(plan, base)?;
    let mut files = render::render(&result, options)?;
    let manifest = manifest::build(&result, &files, options)?;
    files.insert(manifest::MANIFEST.to_string(), manifest);
    Ok(files)
}

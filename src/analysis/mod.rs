//! Analyses: from validated rows to the report structures of docs/json-contract.md, one module per outcome.
//!
//! Each outcome module only turns its validated rows into [`crate::model::EffectSizes`] (and
//! its per-study report rows); [`pipeline`] does the rest for every outcome: grouping, one
//! fitted model per group, the pooled blocks on the displayed scale and the test for subgroup
//! differences.

pub mod arm_cells;
pub mod bias;
pub mod compare;
pub mod continuous;
pub mod direction;
pub mod generic;
pub mod group;
pub mod hazard;
pub mod median_pfs;
pub mod metareg;
pub mod pipeline;
pub mod proportion;
pub mod report;
pub mod sensitivity;
pub mod stored_results;
pub mod study_rows;

use crate::model::ModelError;
use crate::settings::{Endpoint, MedianMethod};
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
    /// A subgroup asked for (`--group`, a plan's `group`) that the analysis does not have.
    #[error("--group {group}: no such subgroup of --by {by}; expected one of: {available}")]
    UnknownGroup {
        /// The group asked for.
        group: String,
        /// The grouping column.
        by: String,
        /// The groups of the analysis.
        available: String,
    },
    /// Nothing left to pool in a file.
    #[error("{data}: {reason}")]
    NothingToPool {
        /// The data file.
        data: String,
        /// Why.
        reason: NothingToPool,
    },
    /// The continuity correction is not a non-negative number.
    #[error("--incr {0}: expected a non-negative number such as 0.5")]
    InvalidIncrement(f64),
    /// Streaming needs groups.
    #[error("--stream pools one analysis per group: it needs --by COLUMN, not --by none")]
    StreamNeedsGroups,
    /// Streaming reads text.
    #[error(
        "--stream reads delimited text (CSV, TSV) row by row; a spreadsheet is read whole: \
         drop --stream, or save the sheet as CSV"
    )]
    StreamNeedsText,
    /// A proportion with 0 or n events and no continuity correction has no finite effect size.
    #[error(
        "{data}: line {line}, column responders (study '{study}'): found {events} of n = {n}, which \
         has no finite {sm} effect size without a continuity correction; expected --incr > 0 \
         (e.g. 0.5) or --sm PFT / PAS"
    )]
    UncorrectedProportion {
        /// The data file.
        data: String,
        /// Line of the row.
        line: u64,
        /// Its study label.
        study: String,
        /// Events found.
        events: u64,
        /// Its n.
        n: u64,
        /// The transformation.
        sm: &'static str,
    },
    /// A hazard-ratio row from which no standard error follows.
    #[error(transparent)]
    NoStandardError(#[from] crate::data::hr::NoStandardError),
    /// A continuous study whose effect cannot be computed.
    #[error("{data}: line {line} (study '{study}'): {source}")]
    Continuous {
        /// The data file.
        data: String,
        /// Line of the row.
        line: u64,
        /// Its study label.
        study: String,
        /// Why.
        source: crate::effect::continuous::ContinuousError,
    },
    /// Confidence limits of a ratio that are not positive.
    #[error("line {line} (study '{study}'): lower limit {lower} of a ratio ({sm}) is not positive; expected limits on the ratio scale (or give TE and seTE on the log scale)")]
    NonPositiveRatio {
        /// Line of the row.
        line: u64,
        /// Its study label.
        study: String,
        /// The measure.
        sm: crate::settings::GenericMeasure,
        /// The limit found.
        lower: f64,
    },
    /// A method on the fitted models that cannot be run as asked (an unknown `--order`).
    #[error(transparent)]
    Method(#[from] crate::methods::MethodError),
    /// A meta-regression that cannot be fitted as asked.
    #[error(transparent)]
    MetaReg(crate::methods::metareg::MetaRegError),
    /// Both arms of a trial have the same `role`, so neither can be the comparator.
    #[error(
        "{data}: lines {} and {} (trial '{trial}'), column role: both arms are '{role}'; expected one \
         'treatment' and one 'comparator' (or leave role empty and use --comparator NAME)",
        lines[0], lines[1]
    )]
    ArmRoles {
        /// The data file.
        data: String,
        /// The trial.
        trial: String,
        /// The role both arms have.
        role: &'static str,
        /// Lines of the two arms.
        lines: [u64; 2],
    },
    /// The model of one group cannot be fitted.
    #[error("{}{source}", group.as_deref().map(|g| format!("{g}: ")).unwrap_or_default())]
    Model {
        /// The group (`None` without groups).
        group: Option<String>,
        /// Why.
        source: ModelError,
    },
}

/// Why a file leaves nothing to pool.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum NothingToPool {
    /// No row has a responder count.
    #[error("no row has a value in column 'responders'; ORR needs responders and n")]
    NoResponders,
    /// No randomized trial with two arms.
    #[error("no trial has two arms with responders (arms are paired by the 'trial' column)")]
    NoTwoArmTrials,
    /// Every comparison's effect is inestimable.
    #[error("no estimable comparison")]
    NoEstimableComparison,
    /// No hazard ratio for the endpoint.
    #[error("no hazard ratio for endpoint '{0}'")]
    NoHazardRatio(Endpoint),
    /// No arm with the median figures the method needs.
    #[error("no arm has the median PFS figures that --method {0} needs")]
    NoMedians(MedianMethod),
}

//! The result structures of SPEC.md ("JSON output"). Field names are a public contract: add
//! fields freely, never rename these.

use crate::fit::heterogeneity::Heterogeneity;
use crate::fit::subgroup::QTest;
use serde::Serialize;

/// Version written into every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One study row of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyResult {
    /// Label.
    pub study: String,
    /// Events (responders).
    pub events: u64,
    /// Patients.
    pub n: u64,
    /// Observed proportion events/n.
    pub estimate: f64,
    /// Lower bound of the per-study CI.
    pub lower: Option<f64>,
    /// Upper bound of the per-study CI.
    pub upper: Option<f64>,
    /// Transformed effect (after any continuity correction).
    pub yi: f64,
    /// Its sampling variance.
    pub vi: f64,
    /// Common-effect weight, percent.
    pub weight_common: f64,
    /// Random-effects weight, percent.
    pub weight_random: f64,
    /// Whether a continuity correction was added.
    pub corrected: bool,
    /// Line of the row in the input file.
    pub line: u64,
}

/// The common-effect estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommonResult {
    /// Estimate on the transformed scale.
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
    /// Back-transformed estimate.
    pub estimate: Option<f64>,
    /// Back-transformed lower bound.
    pub lower: Option<f64>,
    /// Back-transformed upper bound.
    pub upper: Option<f64>,
    /// Lower bound on the transformed scale.
    pub lower_yi: f64,
    /// Upper bound on the transformed scale.
    pub upper_yi: f64,
    /// Wald z.
    pub z: f64,
    /// Two-sided p-value of z (H0: yi = 0 on the transformed scale).
    pub p: Option<f64>,
}

/// The random-effects estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RandomResult {
    /// Estimate on the transformed scale.
    pub yi: f64,
    /// Standard error used by the interval (Hartung–Knapp-scaled where chosen).
    pub se: f64,
    /// Back-transformed estimate.
    pub estimate: Option<f64>,
    /// Back-transformed lower bound.
    pub lower: Option<f64>,
    /// Back-transformed upper bound.
    pub upper: Option<f64>,
    /// Lower bound on the transformed scale.
    pub lower_yi: f64,
    /// Upper bound on the transformed scale.
    pub upper_yi: f64,
    /// z (classic) or t (Hartung–Knapp) statistic.
    pub stat: f64,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// Degrees of freedom of t; null for z.
    pub df: Option<f64>,
}

/// The prediction interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionResult {
    /// Back-transformed lower bound.
    pub lower: Option<f64>,
    /// Back-transformed upper bound.
    pub upper: Option<f64>,
    /// Lower bound on the transformed scale.
    pub lower_yi: f64,
    /// Upper bound on the transformed scale.
    pub upper_yi: f64,
    /// Degrees of freedom of the t quantile; null for z.
    pub df: Option<f64>,
}

/// One pooled analysis (one subgroup, or everything).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Subgroup label; null with `--by none`.
    pub group: Option<String>,
    /// Number of studies.
    pub k: usize,
    /// Total events.
    pub events: u64,
    /// Total patients.
    pub n: u64,
    /// Per-study rows.
    pub studies: Vec<StudyResult>,
    /// Common-effect model.
    pub common: CommonResult,
    /// Random-effects model.
    pub random: RandomResult,
    /// Prediction interval; null when k < 3 or not requested.
    pub prediction: Option<PredictionResult>,
    /// Heterogeneity; null when k = 1.
    pub heterogeneity: Option<Heterogeneity>,
}

/// Tests for subgroup differences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupTests {
    /// Over the common-effect subgroup estimates.
    pub common: Option<QTest>,
    /// Over the random-effects subgroup estimates.
    pub random: Option<QTest>,
}

/// Settings echoed in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolSettingsEcho {
    /// Transformation.
    pub sm: crate::settings::ProportionMeasure,
    /// τ² estimator.
    pub method_tau: crate::settings::TauMethod,
    /// Random-effects CI.
    pub random_ci: crate::settings::RandomCi,
    /// Prediction interval.
    pub prediction: crate::settings::PredictionMethod,
    /// Per-study CI.
    pub ci_study: crate::settings::StudyCi,
    /// Confidence level.
    pub level: f64,
    /// Grouping column or "none".
    pub by: String,
    /// Continuity correction.
    pub incr: f64,
    /// Data file.
    pub data: String,
}

/// The whole output of `alkstats pool`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolReport {
    /// alkstats version.
    pub alkstats_version: String,
    /// Always "pool".
    pub command: String,
    /// "orr".
    pub outcome: String,
    /// Settings used.
    pub settings: PoolSettingsEcho,
    /// One entry per subgroup.
    pub analyses: Vec<Analysis>,
    /// Null without groups (or fewer than two).
    pub subgroup_test: Option<SubgroupTests>,
    /// Everything the user should know (exclusions, non-convergence, nulls).
    pub warnings: Vec<String>,
}

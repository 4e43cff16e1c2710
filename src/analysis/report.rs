//! The result structures of docs/json-contract.md. Field names are a public contract: add
//! fields freely, never rename these.

use crate::fit::heterogeneity::Heterogeneity;
use crate::fit::subgroup::subgroup_difference;
use crate::fit::subgroup::QTest;
use crate::fit::{Interval, Pooled};
use serde::Serialize;

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

/// One hazard-ratio row of an analysis, oriented as the analysis' comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HazardStudyResult {
    /// Label.
    pub study: String,
    /// Trial name.
    pub trial: Option<String>,
    /// Treatment (numerator of the HR) after any inversion.
    pub treatment: String,
    /// Comparator after any inversion.
    pub comparator: String,
    /// Hazard ratio.
    pub estimate: f64,
    /// Lower bound at the analysis' confidence level (from yi and its SE).
    pub lower: f64,
    /// Upper bound at the analysis' confidence level.
    pub upper: f64,
    /// Log hazard ratio.
    pub yi: f64,
    /// Its variance.
    pub vi: f64,
    /// Common-effect weight, percent.
    pub weight_common: f64,
    /// Random-effects weight, percent.
    pub weight_random: f64,
    /// Where the SE came from: `ci` or `p-value`.
    pub se_from: String,
    /// Level of the CI as reported (e.g. 0.997 for J-ALEX), when the SE came from a CI.
    pub ci_level_reported: Option<f64>,
    /// Whether the row was written the other way round and inverted (HR → 1/HR).
    pub inverted: bool,
    /// Patients in the treatment arm.
    pub n_treatment: Option<u64>,
    /// Patients in the comparator arm.
    pub n_comparator: Option<u64>,
    /// Line of the row in the input file.
    pub line: u64,
}

/// One two-arm comparison (a randomized trial's treatment and comparator arms).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonStudyResult {
    /// Label (the trial).
    pub study: String,
    /// Treatment arm's drug.
    pub treatment: String,
    /// Comparator arm's drug.
    pub comparator: String,
    /// Responders on treatment.
    pub events_treatment: u64,
    /// Patients on treatment.
    pub n_treatment: u64,
    /// Responders on the comparator.
    pub events_comparator: u64,
    /// Patients on the comparator.
    pub n_comparator: u64,
    /// Study estimate on the display scale (RR, OR or RD); null for a double-zero trial.
    pub estimate: Option<f64>,
    /// Lower bound at the analysis level.
    pub lower: Option<f64>,
    /// Upper bound at the analysis level.
    pub upper: Option<f64>,
    /// Effect on the analysis scale (log for ratios), after any continuity correction.
    pub yi: Option<f64>,
    /// Its variance.
    pub vi: Option<f64>,
    /// Common-effect weight in percent (inverse-variance or Mantel–Haenszel).
    pub weight_common: f64,
    /// Random-effects weight in percent.
    pub weight_random: f64,
    /// Lines of the two arms in the input file.
    pub lines: [u64; 2],
}

impl StudyRow for ComparisonStudyResult {
    fn label(&self) -> &str {
        &self.study
    }
    fn data_cell(&self) -> String {
        format!(
            "{}/{} vs {}/{}",
            self.events_treatment, self.n_treatment, self.events_comparator, self.n_comparator
        )
    }
    fn display(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.estimate.unwrap_or(f64::NAN), self.lower, self.upper)
    }
    fn counts(&self) -> (Option<u64>, Option<u64>) {
        (
            Some(self.events_treatment + self.events_comparator),
            Some(self.n_treatment + self.n_comparator),
        )
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi.unwrap_or(f64::NAN), self.vi.unwrap_or(f64::NAN))
    }
    fn weights(&self) -> (f64, f64) {
        (self.weight_common, self.weight_random)
    }
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

/// One pooled analysis (one subgroup, or everything). `S` is the per-study row of the outcome:
/// [`StudyResult`] for proportions, [`HazardStudyResult`] for hazard ratios.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis<S = StudyResult> {
    /// Subgroup label; null with `--by none`.
    pub group: Option<String>,
    /// Number of studies.
    pub k: usize,
    /// Total events (proportions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// Total patients, where the rows give them.
    pub n: Option<u64>,
    /// Per-study rows.
    pub studies: Vec<S>,
    /// Common-effect model.
    pub common: CommonResult,
    /// Random-effects model.
    pub random: RandomResult,
    /// Prediction interval; null when k < 3 or not requested.
    pub prediction: Option<PredictionResult>,
    /// Heterogeneity; null when k = 1.
    pub heterogeneity: Option<Heterogeneity>,
    /// The fitted model behind these numbers, for the methods that take one (leave-one-out,
    /// influence, cumulative); `None` where no model is kept (the batch engine's rows, the
    /// median of medians). Not part of the JSON.
    #[serde(skip)]
    pub model: Option<Box<crate::model::Rma>>,
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
    /// Summary measure: the proportion transformation (`PLOGIT`, …) or `HR`.
    pub sm: String,
    /// The analysis scale in words (e.g. "logit transformed proportion", "log hazard ratio").
    pub scale: String,
    /// τ² estimator.
    pub method_tau: crate::settings::TauMethod,
    /// Random-effects CI.
    pub random_ci: crate::settings::RandomCi,
    /// Prediction interval.
    pub prediction: crate::settings::PredictionMethod,
    /// Per-study CI (proportions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_study: Option<crate::settings::StudyCi>,
    /// Confidence level.
    pub level: f64,
    /// Grouping column or "none".
    pub by: String,
    /// Continuity correction (proportions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incr: Option<f64>,
    /// Endpoint (hazard ratios): `pfs` or `os`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Whether rows marked as overlapping others were included.
    pub keep_overlapping: bool,
    /// Common-effect method of two-arm comparisons: `IV`, `MH`, `MH-cc` or `Peto`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Data file.
    pub data: String,
}

/// The whole output of `alkstats pool`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolReport<S = StudyResult> {
    /// alkstats version.
    pub alkstats_version: String,
    /// Always "pool".
    pub command: String,
    /// "orr" or "hr".
    pub outcome: String,
    /// The measure of the analyses: renderers ask it for labels, scales and the null value.
    #[serde(skip)]
    pub measure: crate::model::Measure,
    /// Settings used.
    pub settings: PoolSettingsEcho,
    /// One entry per subgroup.
    pub analyses: Vec<Analysis<S>>,
    /// Null without groups (or fewer than two).
    pub subgroup_test: Option<SubgroupTests>,
    /// Rows left out of every analysis, each with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Excluded>,
    /// Assumptions the method makes, stated for the reader.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// Everything the user should know (exclusions, non-convergence, nulls).
    pub warnings: Vec<String>,
}

/// A row left out of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    /// Its label.
    pub study: String,
    /// Line in the input file.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// One median-PFS row of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MedianStudyResult {
    /// Label.
    pub study: String,
    /// Patients.
    pub n: u64,
    /// Median PFS in months.
    pub estimate: f64,
    /// Reported lower 95% bound.
    pub lower: Option<f64>,
    /// Reported upper 95% bound.
    pub upper: Option<f64>,
    /// ln(median) (inverse-variance method).
    pub yi: Option<f64>,
    /// Its variance from the CI.
    pub vi: Option<f64>,
    /// Common-effect weight, percent (inverse variance; n-share for the weighted median).
    pub weight_common: f64,
    /// Random-effects weight, percent.
    pub weight_random: f64,
    /// Line in the input file.
    pub line: u64,
}

impl StudyRow for MedianStudyResult {
    fn label(&self) -> &str {
        &self.study
    }
    fn data_cell(&self) -> String {
        self.n.to_string()
    }
    fn display(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.estimate, self.lower, self.upper)
    }
    fn counts(&self) -> (Option<u64>, Option<u64>) {
        (None, Some(self.n))
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi.unwrap_or(f64::NAN), self.vi.unwrap_or(f64::NAN))
    }
    fn weights(&self) -> (f64, f64) {
        (self.weight_common, self.weight_random)
    }
}

/// What renderers need from a per-study row, whatever the outcome.
pub trait StudyRow {
    /// Label shown in tables and plots.
    fn label(&self) -> &str;
    /// The data column: "events/n" for proportions, "n₁/n₂" for comparisons.
    fn data_cell(&self) -> String;
    /// Estimate and CI on the display scale (proportion, hazard ratio).
    fn display(&self) -> (f64, Option<f64>, Option<f64>);
    /// Events and patients for CSV columns (events only for proportions).
    fn counts(&self) -> (Option<u64>, Option<u64>);
    /// Effect and variance on the analysis scale.
    fn yi_vi(&self) -> (f64, f64);
    /// Common and random weights in percent.
    fn weights(&self) -> (f64, f64);
}

impl StudyRow for StudyResult {
    fn label(&self) -> &str {
        &self.study
    }
    fn data_cell(&self) -> String {
        format!("{}/{}", self.events, self.n)
    }
    fn display(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.estimate, self.lower, self.upper)
    }
    fn counts(&self) -> (Option<u64>, Option<u64>) {
        (Some(self.events), Some(self.n))
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi, self.vi)
    }
    fn weights(&self) -> (f64, f64) {
        (self.weight_common, self.weight_random)
    }
}

impl StudyRow for HazardStudyResult {
    fn label(&self) -> &str {
        &self.study
    }
    fn data_cell(&self) -> String {
        match (self.n_treatment, self.n_comparator) {
            (Some(a), Some(b)) => format!("{a}/{b}"),
            _ => String::new(),
        }
    }
    fn display(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.estimate, Some(self.lower), Some(self.upper))
    }
    fn counts(&self) -> (Option<u64>, Option<u64>) {
        (
            None,
            self.n_treatment.zip(self.n_comparator).map(|(a, b)| a + b),
        )
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi, self.vi)
    }
    fn weights(&self) -> (f64, f64) {
        (self.weight_common, self.weight_random)
    }
}

/// The report blocks of a fit's common, random and prediction results, with the display-scale
/// values given by `back` (a back-transformation, `exp` for ratios, or the identity). Every
/// outcome builds its blocks here, so the JSON shape cannot drift between outcomes.
pub fn pooled_blocks(
    common: &Pooled,
    random: &Pooled,
    prediction: Option<&Interval>,
    back: impl Fn(f64) -> Option<f64>,
) -> (CommonResult, RandomResult, Option<PredictionResult>) {
    (
        CommonResult {
            yi: common.yi,
            se: common.se,
            estimate: back(common.yi),
            lower: back(common.lower),
            upper: back(common.upper),
            lower_yi: common.lower,
            upper_yi: common.upper,
            z: common.stat,
            p: common.p,
        },
        RandomResult {
            yi: random.yi,
            se: random.se,
            estimate: back(random.yi),
            lower: back(random.lower),
            upper: back(random.upper),
            lower_yi: random.lower,
            upper_yi: random.upper,
            stat: random.stat,
            p: random.p,
            df: random.df,
        },
        prediction.map(|p| PredictionResult {
            lower: back(p.lower),
            upper: back(p.upper),
            lower_yi: p.lower,
            upper_yi: p.upper,
            df: p.df,
        }),
    )
}

/// `exp` for ratio measures, reported as `None` where it overflows.
pub fn exp_back(y: f64) -> Option<f64> {
    Some(y.exp()).filter(|v| v.is_finite())
}

/// Tests for subgroup differences over the groups' common and random estimates; `None` unless
/// the analyses are subgroups (`grouped`) and there are at least two.
pub fn subgroup_tests<S>(analyses: &[Analysis<S>], grouped: bool) -> Option<SubgroupTests> {
    if !grouped || analyses.len() < 2 {
        return None;
    }
    let pairs = |f: &dyn Fn(&Analysis<S>) -> (f64, f64)| analyses.iter().map(f).collect::<Vec<_>>();
    Some(SubgroupTests {
        common: subgroup_difference(&pairs(&|a| (a.common.yi, a.common.se))),
        random: subgroup_difference(&pairs(&|a| (a.random.yi, a.random.se))),
    })
}

/// Sum of counts that saturates at `u64::MAX` instead of wrapping: totals of patients are
/// reported, and a file with absurd counts must not make them small (found by fuzzing).
pub fn saturating_total(values: impl Iterator<Item = u64>) -> u64 {
    values.fold(0u64, u64::saturating_add)
}

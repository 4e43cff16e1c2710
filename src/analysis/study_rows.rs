//! The per-study rows of a pooled analysis, one type per outcome, and [`StudyRow`]: what
//! renderers read from any of them. Field names are part of the JSON contract
//! (docs/json-contract.md), as in [`super::report`].

use super::arm_cells::ArmCells;
use crate::model::Rma;
use serde::Serialize;

/// A study's weights in its group's model, in percent of the total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StudyWeights {
    /// Common-effect weight.
    pub weight_common: f64,
    /// Random-effects weight.
    pub weight_random: f64,
}

impl StudyWeights {
    /// The weights of study `i` of a fitted model.
    pub fn of(model: &Rma, i: usize) -> Self {
        StudyWeights {
            weight_common: model.weights_common()[i],
            weight_random: model.weights_random()[i],
        }
    }

    /// (common, random).
    pub fn pair(self) -> (f64, f64) {
        (self.weight_common, self.weight_random)
    }
}

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
    /// Common-effect and random-effects weights.
    #[serde(flatten)]
    pub weights: StudyWeights,
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
    /// Common-effect and random-effects weights.
    #[serde(flatten)]
    pub weights: StudyWeights,
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

/// A two-arm comparison as the data give it: the study, its treatment and comparator arms and
/// their counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwoArmCounts {
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
}

/// One two-arm comparison (a randomized trial's treatment and comparator arms).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonStudyResult {
    /// The study and its arms' counts, as the data give them.
    #[serde(flatten)]
    pub counts: TwoArmCounts,
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
    /// Common-effect (inverse-variance or Mantel–Haenszel) and random-effects weights.
    #[serde(flatten)]
    pub weights: StudyWeights,
    /// Lines of the two arms in the input file.
    pub lines: [u64; 2],
}

impl StudyRow for ComparisonStudyResult {
    fn label(&self) -> &str {
        &self.counts.study
    }
    fn data_cell(&self) -> String {
        let c = &self.counts;
        format!(
            "{}/{} vs {}/{}",
            c.events_treatment, c.n_treatment, c.events_comparator, c.n_comparator
        )
    }
    fn display(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.estimate.unwrap_or(f64::NAN), self.lower, self.upper)
    }
    fn counts(&self) -> (Option<u64>, Option<u64>) {
        (
            Some(self.counts.events_treatment + self.counts.events_comparator),
            Some(self.counts.n_treatment + self.counts.n_comparator),
        )
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi.unwrap_or(f64::NAN), self.vi.unwrap_or(f64::NAN))
    }
    fn weights(&self) -> (f64, f64) {
        self.weights.pair()
    }
    fn arms(&self) -> Option<(&str, &str)> {
        Some((&self.counts.treatment, &self.counts.comparator))
    }
    fn arm_cells(&self) -> Option<ArmCells> {
        let c = &self.counts;
        Some(ArmCells::Binary {
            events: (c.events_treatment, c.events_comparator),
            n: (c.n_treatment, c.n_comparator),
        })
    }
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
    /// Common-effect (inverse variance; n-share for the weighted median) and random-effects
    /// weights.
    #[serde(flatten)]
    pub weights: StudyWeights,
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
        self.weights.pair()
    }
}

/// What renderers need from a per-study row, whatever the outcome.
pub trait StudyRow {
    /// Label shown in tables and plots.
    fn label(&self) -> &str;
    /// The data column: "events/n" for proportions, "n₁/n₂" for comparisons; empty where the
    /// rows give no data to show (generic estimates).
    fn data_cell(&self) -> String {
        String::new()
    }
    /// Estimate and CI on the display scale (proportion, hazard ratio).
    fn display(&self) -> (f64, Option<f64>, Option<f64>);
    /// Events and patients for CSV columns (events only for proportions); none where the rows
    /// give no counts (continuous and generic outcomes).
    fn counts(&self) -> (Option<u64>, Option<u64>) {
        (None, None)
    }
    /// Effect and variance on the analysis scale.
    fn yi_vi(&self) -> (f64, f64);
    /// Common and random weights in percent.
    fn weights(&self) -> (f64, f64);
    /// The data per arm, for forest plots of two-arm data in RevMan's layout; `None` for
    /// single-arm and generic data, which show one data column.
    fn arm_cells(&self) -> Option<ArmCells> {
        None
    }
    /// The treatment and comparator of a two-arm study, in the direction of its effect;
    /// `None` for single-arm and generic data.
    fn arms(&self) -> Option<(&str, &str)> {
        None
    }
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
        self.weights.pair()
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
    fn arms(&self) -> Option<(&str, &str)> {
        Some((&self.treatment, &self.comparator))
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi, self.vi)
    }
    fn weights(&self) -> (f64, f64) {
        self.weights.pair()
    }
}

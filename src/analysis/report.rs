//! The result structures of docs/json-contract.md. Field names are a public contract: add
//! fields freely, never rename these.

use crate::fit::heterogeneity::Heterogeneity;
use crate::fit::subgroup::subgroup_difference;
use crate::fit::subgroup::QTest;
use crate::fit::{Interval, Pooled};
use serde::Serialize;

pub use super::study_rows::{
    ComparisonStudyResult, HazardStudyResult, MedianStudyResult, StudyResult, StudyRow,
    StudyWeights,
};

/// Declares a pooled block of the report and its constructor from the fit's [`Pooled`]: the
/// estimate on the transformed scale with its SE, the estimate and its confidence limits
/// back-transformed and on the transformed scale (every block has these, in this JSON order),
/// then the block's own test fields, each read from the named field of [`Pooled`].
macro_rules! pooled_block {
    (
        $(#[$meta:meta])* $name:ident {
            $(#[$se_meta:meta])* se,
            $($(#[$fmeta:meta])* $field:ident: $ty:ty = $source:ident,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct $name {
            /// Estimate on the transformed scale.
            pub yi: f64,
            $(#[$se_meta])*
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
            $($(#[$fmeta])* pub $field: $ty,)+
        }

        impl $name {
            /// The block of the fit's estimate `p`, with display-scale values given by `back`.
            pub fn new(p: &Pooled, back: impl Fn(f64) -> Option<f64>) -> Self {
                $name {
                    yi: p.yi,
                    se: p.se,
                    estimate: back(p.yi),
                    lower: back(p.lower),
                    upper: back(p.upper),
                    lower_yi: p.lower,
                    upper_yi: p.upper,
                    $($field: p.$source,)+
                }
            }
        }
    };
}

pooled_block!(
    /// The common-effect estimate.
    CommonResult {
        /// Its standard error.
        se,
        /// Wald z (`stat`, as every alkstats block names its test statistic).
        stat: f64 = stat,
        /// The same z under its first name, kept as an alias (the JSON contract's `z`).
        z: f64 = stat,
        /// Two-sided p-value of z (H0: yi = 0 on the transformed scale).
        p: Option<f64> = p,
    }
);

pooled_block!(
    /// The random-effects estimate.
    RandomResult {
        /// Standard error used by the interval (Hartung–Knapp-scaled where chosen).
        se,
        /// z (classic) or t (Hartung–Knapp) statistic.
        stat: f64 = stat,
        /// Two-sided p-value.
        p: Option<f64> = p,
        /// Degrees of freedom of t; null for z.
        df: Option<f64> = df,
    }
);

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
    /// How the GLMM was fitted (`--method GLMM`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glmm: Option<crate::fit::glmm::GlmmInfo>,
    /// The fitted model behind these numbers, for the methods that take one (small-study
    /// tests, trim-and-fill, leave-one-out, influence, cumulative); `None` where no model is
    /// kept (the batch engine's rows, the median of medians). Not part of the JSON.
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
    /// With `pool --common-tau2`: the mixed-effects test of the subgroup factor with one τ²
    /// for every subgroup (metafor `rma(mods = ~ factor(group))`), the Q_M of `alkstats
    /// metareg --mods GROUP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_tau2: Option<CommonTau2Test>,
}

/// The test for subgroup differences with a common τ²: the omnibus test of the subgroup
/// factor in a mixed-effects meta-regression of every study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommonTau2Test {
    /// Q_M (Wald, χ²) or F (Knapp–Hartung).
    pub q: f64,
    /// Numerator degrees of freedom: subgroups − 1.
    pub df: f64,
    /// Denominator df of F (Knapp–Hartung); absent for χ².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub df2: Option<f64>,
    /// p-value.
    pub p: Option<f64>,
    /// The common (residual) τ².
    pub tau2: f64,
    /// Studies in the regression.
    pub k: usize,
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
    /// Whether a result across the `--by` groups is shown (forest plots): not by default
    /// when the groups are treatments or comparisons (`--overall` forces it, as R meta's
    /// `overall`).
    pub overall: bool,
}

impl PoolSettingsEcho {
    /// How τ² was estimated, for people: the τ² estimator, or for a GLMM (`method` "GLMM …")
    /// maximum likelihood of the GLMM's own exact likelihood.
    pub fn tau2_method(&self) -> String {
        match self.method.as_deref() {
            Some(m) if m.starts_with("GLMM") => format!("{m} (ML)"),
            _ => self.method_tau.to_string(),
        }
    }
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
    /// Null without groups (or fewer than two), and by default when the groups are different
    /// comparisons (`overall_note` says why).
    pub subgroup_test: Option<SubgroupTests>,
    /// Why no overall result (and, for comparisons, no test for subgroup differences) is
    /// shown across the groups, and how to ask for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall_note: Option<String>,
    /// Rows left out of every analysis, each with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Excluded>,
    /// Assumptions the method makes, stated for the reader.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// Everything the user should know (exclusions, non-convergence, nulls).
    pub warnings: Vec<String>,
    /// Whether the data are the shipped files (set by the caller that read them): their
    /// labels may say what the numbers are ("Objective response rate"). Not in the JSON.
    #[serde(skip)]
    pub shipped_data: bool,
    /// For a RevMan review that stored its results: how they compare with alkstats'.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_results: Option<super::stored_results::StoredComparison>,
}

impl<S> PoolReport<S> {
    /// The labels of the report's measure, for its data (shipped or a user's).
    pub fn labels(&self) -> crate::model::MeasureLabels {
        self.measure.labels_for(self.shipped_data)
    }

    /// Shows the result across the groups and the test for subgroup differences whatever
    /// the groups are (`--overall`, R meta's `overall = TRUE`).
    pub fn show_overall(&mut self) {
        self.settings.overall = true;
        self.overall_note = None;
        if self.subgroup_test.is_none() {
            self.subgroup_test = subgroup_tests(&self.analyses, self.settings.by != "none");
        }
    }
}

impl<S: StudyRow> PoolReport<S> {
    /// The direction of two-arm studies, treatment vs comparator, with the studies of each
    /// pair: "Treatment vs comparator: crizotinib vs chemotherapy (PROFILE 1007, …)". `None`
    /// for single-arm data, and where every group is one comparison whose label says it
    /// (`--by comparison`).
    pub fn direction_note(&self) -> Option<String> {
        let pairs = self.direction_pairs()?;
        Some(format!("Treatment vs comparator: {}", pairs.join("; ")))
    }

    /// The pairs of [`PoolReport::direction_note`], one entry per treatment–comparator pair
    /// ("crizotinib vs chemotherapy (PROFILE 1007, …)").
    pub fn direction_pairs(&self) -> Option<Vec<String>> {
        let mut pairs: Vec<((&str, &str), Vec<&str>)> = Vec::new();
        let mut stated_by_groups = true;
        for a in &self.analyses {
            let mut mine: Vec<(&str, &str)> = Vec::new();
            for s in &a.studies {
                let Some(pair) = s.arms() else { continue };
                if !mine.contains(&pair) {
                    mine.push(pair);
                }
                match pairs.iter_mut().find(|(p, _)| *p == pair) {
                    Some((_, studies)) => studies.push(s.label()),
                    None => pairs.push((pair, vec![s.label()])),
                }
            }
            let says_it = |&(t, c): &(&str, &str)| a.group == Some(format!("{t} vs {c}"));
            stated_by_groups &= mine.len() == 1 && says_it(&mine[0]);
        }
        if pairs.is_empty() || stated_by_groups {
            return None;
        }
        Some(match pairs.as_slice() {
            [((t, c), _)] => vec![format!("{t} vs {c} (every study)")],
            _ => pairs
                .iter()
                .map(|((t, c), studies)| format!("{t} vs {c} ({})", studies.join(", ")))
                .collect(),
        })
    }

    /// The names of the one treatment and one comparator of every study, when all studies
    /// compare the same two arms.
    pub fn single_comparison(&self) -> Option<(&str, &str)> {
        let mut arms = self
            .analyses
            .iter()
            .flat_map(|a| &a.studies)
            .map(|s| s.arms());
        let first = arms.next()??;
        arms.all(|p| p == Some(first)).then_some(first)
    }
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
        CommonResult::new(common, &back),
        RandomResult::new(random, &back),
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
        common_tau2: None,
    })
}

/// Sum of counts that saturates at `u64::MAX` instead of wrapping: totals of patients are
/// reported, and a file with absurd counts must not make them small (found by fuzzing).
pub fn saturating_total(values: impl Iterator<Item = u64>) -> u64 {
    values.fold(0u64, u64::saturating_add)
}

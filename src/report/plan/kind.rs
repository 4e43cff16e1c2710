//! The kinds of analysis a plan can ask for, with the keys each takes and its spelling in the
//! plan (`kind = "orr-compare"`), which is also the `outcome` field of the JSON output.

use crate::analysis::group::Grouping;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// The kinds of analysis a plan can ask for; each is one `alkstats pool` or `alkstats network`
/// invocation. A new kind needs a variant here and in [`super::AnalysisSpec`], a branch in
/// `report::run::run_analysis`, its view in `report::render` and its paragraph in
/// `report::methods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisKind {
    /// Single-arm response proportions (`pool --outcome orr`).
    Orr,
    /// Two-arm response comparisons within randomized trials (`pool --outcome orr --compare`).
    OrrCompare,
    /// Hazard ratios (`pool --outcome hr`).
    Hr,
    /// Median progression-free survival (`pool --outcome pfs`).
    Pfs,
    /// Network meta-analysis of hazard ratios with P-score ranking (`network --outcome hr`).
    Network,
    /// Small-study effects of a pooled analysis (`bias`; see [`super::BiasSpec`]).
    Bias,
    /// Leave-one-out and influence diagnostics of an earlier pooled analysis (`influence`).
    Influence,
    /// Cumulative meta-analysis of an earlier pooled analysis (`cumulative`).
    Cumulative,
    /// Wide two-arm binary data from a user's file (`pool --outcome binary`).
    Binary,
    /// Two-arm continuous data from a user's file (`pool --outcome continuous`).
    Continuous,
    /// Generic estimates with standard errors or limits from a user's file (`pool --outcome
    /// generic`).
    Generic,
    /// Meta-regression of an earlier pooled analysis' studies on moderators (`metareg`).
    Metareg,
}

impl AnalysisKind {
    /// Every kind, in the order listed in messages.
    pub const ALL: [AnalysisKind; 12] = [
        AnalysisKind::Orr,
        AnalysisKind::OrrCompare,
        AnalysisKind::Hr,
        AnalysisKind::Pfs,
        AnalysisKind::Network,
        AnalysisKind::Bias,
        AnalysisKind::Influence,
        AnalysisKind::Cumulative,
        AnalysisKind::Binary,
        AnalysisKind::Continuous,
        AnalysisKind::Generic,
        AnalysisKind::Metareg,
    ];

    /// The plan spelling, which is also the `outcome` field of the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisKind::Orr => "orr",
            AnalysisKind::OrrCompare => "orr-compare",
            AnalysisKind::Hr => "hr",
            AnalysisKind::Pfs => "pfs",
            AnalysisKind::Network => "network",
            AnalysisKind::Bias => "bias",
            AnalysisKind::Influence => "influence",
            AnalysisKind::Cumulative => "cumulative",
            AnalysisKind::Binary => "binary",
            AnalysisKind::Continuous => "continuous",
            AnalysisKind::Generic => "generic",
            AnalysisKind::Metareg => "metareg",
        }
    }

    /// The optional keys of `[[analysis]]` this kind takes (besides id, kind and title); those
    /// of `bias` depend on its outcome (`super::bias::keys`).
    pub(super) fn keys(self) -> Vec<&'static str> {
        let file = super::user_data::FILE_KEYS.iter().copied();
        match self {
            AnalysisKind::Binary => file
                .chain(["measure", "method", "glmm_model", "incr", "funnel"])
                .collect(),
            AnalysisKind::Continuous => file.chain(["measure", "sd_method", "funnel"]).collect(),
            AnalysisKind::Generic => file.chain(["sm", "ci_level", "funnel"]).collect(),
            AnalysisKind::Metareg => super::metareg::KEYS.to_vec(),
            _ => self.pooled_keys().to_vec(),
        }
    }

    fn pooled_keys(self) -> &'static [&'static str] {
        match self {
            AnalysisKind::Binary
            | AnalysisKind::Continuous
            | AnalysisKind::Generic
            | AnalysisKind::Metareg => &[],
            AnalysisKind::Bias => &super::bias::KEYS,
            AnalysisKind::Orr => &[
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "sm",
                "ci_study",
                "incr",
                "method",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
                "overall",
            ],
            AnalysisKind::OrrCompare => &[
                "comparator",
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "measure",
                "method",
                "incr",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
                "overall",
            ],
            AnalysisKind::Hr => &[
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "endpoint",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
                "overall",
            ],
            AnalysisKind::Pfs => &[
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "method",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
                "overall",
            ],
            AnalysisKind::Network => &[
                "method_tau",
                "level",
                "keep_overlapping",
                "endpoint",
                "reference",
                "model",
                "setting",
                "small_values",
                "forest",
                "graph",
            ],
            AnalysisKind::Influence => {
                &["of", "group", "model", "forest", "baujat", "influence_plot"]
            }
            AnalysisKind::Cumulative => &["of", "group", "model", "order", "decreasing", "forest"],
        }
    }

    pub(super) fn default_title(self, by: Option<&Grouping>) -> String {
        let what = match self {
            AnalysisKind::Orr => "Objective response rate",
            AnalysisKind::OrrCompare => "Response in randomized comparisons",
            AnalysisKind::Hr => "Hazard ratios",
            AnalysisKind::Pfs => "Median progression-free survival",
            AnalysisKind::Network => "Network meta-analysis of hazard ratios",
            AnalysisKind::Bias => "Small-study effects",
            AnalysisKind::Influence => "Leave-one-out and influence diagnostics",
            AnalysisKind::Cumulative => "Cumulative meta-analysis",
            AnalysisKind::Binary => "Two-arm binary outcome",
            AnalysisKind::Continuous => "Two-arm continuous outcome",
            AnalysisKind::Generic => "Generic inverse-variance outcome",
            AnalysisKind::Metareg => "Meta-regression",
        };
        match by {
            Some(Grouping::Column(c)) => format!("{what} by {c}"),
            _ => what.to_string(),
        }
    }
}

impl fmt::Display for AnalysisKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `kind` that names no analysis: the value found, and the kinds that exist.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "invalid analysis kind '{value}': expected one of {}",
    AnalysisKind::names()
)]
pub struct UnknownAnalysisKind {
    /// The kind as written.
    pub value: String,
}

impl AnalysisKind {
    /// Every kind's spelling, comma-separated, for messages.
    fn names() -> String {
        let names: Vec<&str> = AnalysisKind::ALL.iter().map(|k| k.as_str()).collect();
        names.join(", ")
    }
}

impl FromStr for AnalysisKind {
    type Err = UnknownAnalysisKind;
    fn from_str(s: &str) -> Result<Self, UnknownAnalysisKind> {
        let lower = s.trim().to_ascii_lowercase();
        AnalysisKind::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .ok_or_else(|| UnknownAnalysisKind {
                value: s.to_string(),
            })
    }
}

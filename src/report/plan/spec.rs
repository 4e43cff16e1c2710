//! What one analysis computes: the settings struct of the library function that runs it,
//! exactly as `alkstats pool` or `alkstats network` would build it from its flags.

use super::bias::BiasSpec;
use super::kind::AnalysisKind;
use crate::analysis::compare::CompareSettings;
use crate::analysis::group::Grouping;
use crate::analysis::hazard::HazardSettings;
use crate::analysis::median_pfs::MedianSettings;
use crate::analysis::proportion::ProportionSettings;
use crate::network::hr::HrNetworkSettings;
use crate::settings::FitSettings;

/// The statistics of one analysis: the settings struct of the library function that runs it.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisSpec {
    /// [`crate::analysis::proportion::pool_proportions`].
    Orr(ProportionSettings),
    /// [`crate::analysis::compare::compare_arms`].
    OrrCompare(CompareSettings),
    /// [`crate::analysis::hazard::pool_hazard_ratios`].
    Hr(HazardSettings),
    /// [`crate::analysis::median_pfs::pool_medians`].
    Pfs(MedianSettings),
    /// [`crate::network::hr::hr_network`].
    Network(HrNetworkSettings),
    /// [`crate::analysis::bias::bias_report`] on one of the pooled analyses above.
    Bias(BiasSpec),
}

impl AnalysisSpec {
    /// The kind of analysis.
    pub fn kind(&self) -> AnalysisKind {
        match self {
            AnalysisSpec::Orr(_) => AnalysisKind::Orr,
            AnalysisSpec::OrrCompare(_) => AnalysisKind::OrrCompare,
            AnalysisSpec::Hr(_) => AnalysisKind::Hr,
            AnalysisSpec::Pfs(_) => AnalysisKind::Pfs,
            AnalysisSpec::Network(_) => AnalysisKind::Network,
            AnalysisSpec::Bias(_) => AnalysisKind::Bias,
        }
    }

    /// The analysis that reads the data: the pooled analysis of a `bias` analysis, else itself.
    pub fn pooled(&self) -> &AnalysisSpec {
        match self {
            AnalysisSpec::Bias(b) => &b.pooled,
            other => other,
        }
    }

    /// The pairwise model settings; `None` for a network.
    pub fn fit(&self) -> Option<&FitSettings> {
        match self {
            AnalysisSpec::Orr(s) => Some(&s.fit),
            AnalysisSpec::OrrCompare(s) => Some(&s.fit),
            AnalysisSpec::Hr(s) => Some(&s.fit),
            AnalysisSpec::Pfs(s) => Some(&s.fit),
            AnalysisSpec::Network(_) => None,
            AnalysisSpec::Bias(b) => b.pooled.fit(),
        }
    }

    /// The subgroups; `None` for a network.
    pub fn grouping(&self) -> Option<&Grouping> {
        match self {
            AnalysisSpec::Orr(s) => Some(&s.grouping),
            AnalysisSpec::OrrCompare(s) => Some(&s.grouping),
            AnalysisSpec::Hr(s) => Some(&s.grouping),
            AnalysisSpec::Pfs(s) => Some(&s.grouping),
            AnalysisSpec::Network(_) => None,
            AnalysisSpec::Bias(b) => b.pooled.grouping(),
        }
    }

    /// Whether rows sharing patients with others are included.
    pub fn keep_overlapping(&self) -> bool {
        match self {
            AnalysisSpec::Orr(s) => s.keep_overlapping,
            AnalysisSpec::OrrCompare(s) => s.keep_overlapping,
            AnalysisSpec::Hr(s) => s.keep_overlapping,
            AnalysisSpec::Pfs(s) => s.keep_overlapping,
            AnalysisSpec::Network(s) => s.keep_overlapping,
            AnalysisSpec::Bias(b) => b.pooled.keep_overlapping(),
        }
    }
}

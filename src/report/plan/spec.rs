//! What one analysis computes: the settings struct of the library function that runs it,
//! exactly as `alkstats pool` or `alkstats network` would build it from its flags.

use super::bias::BiasSpec;
use super::kind::AnalysisKind;
use super::metareg::MetaregSpec;
use super::sensitivity::SensitivitySpec;
use super::user_data::{BinarySpec, ContinuousSpec, GenericSpec, UserFile};
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
    /// [`crate::analysis::sensitivity::influence_report`] of an earlier pooled analysis.
    Influence(SensitivitySpec),
    /// [`crate::analysis::sensitivity::cumulative_report`] of an earlier pooled analysis.
    Cumulative(SensitivitySpec),
    /// [`crate::analysis::compare::pool_binary`] on a user's file.
    Binary(BinarySpec),
    /// [`crate::analysis::continuous::pool_continuous`] on a user's file.
    Continuous(ContinuousSpec),
    /// [`crate::analysis::generic::pool_generic`] on a user's file.
    Generic(GenericSpec),
    /// [`crate::analysis::metareg::metareg_report`] of an earlier pooled analysis.
    Metareg(MetaregSpec),
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
            AnalysisSpec::Influence(_) => AnalysisKind::Influence,
            AnalysisSpec::Cumulative(_) => AnalysisKind::Cumulative,
            AnalysisSpec::Bias(_) => AnalysisKind::Bias,
            AnalysisSpec::Binary(_) => AnalysisKind::Binary,
            AnalysisSpec::Continuous(_) => AnalysisKind::Continuous,
            AnalysisSpec::Generic(_) => AnalysisKind::Generic,
            AnalysisSpec::Metareg(_) => AnalysisKind::Metareg,
        }
    }

    /// The user's file the analysis reads (`None` for the plan's `[data]` files).
    pub fn user_file(&self) -> Option<&UserFile> {
        match self.pooled() {
            AnalysisSpec::Binary(s) => Some(&s.file),
            AnalysisSpec::Continuous(s) => Some(&s.file),
            AnalysisSpec::Generic(s) => Some(&s.file),
            _ => None,
        }
    }

    /// The pooled analysis whose data and settings this one uses: itself, the pooled analysis
    /// of a `bias` analysis, or for a sensitivity analysis the analysis it examines.
    pub fn pooled(&self) -> &AnalysisSpec {
        match self {
            AnalysisSpec::Bias(b) => &b.pooled,
            AnalysisSpec::Influence(s) | AnalysisSpec::Cumulative(s) => &s.pooled,
            AnalysisSpec::Metareg(s) => &s.pooled,
            other => other,
        }
    }

    /// The pairwise model settings and the subgroups; `None` for a network or a sensitivity
    /// analysis (which refits the model of the analysis it examines).
    fn model_and_groups(&self) -> Option<(&FitSettings, &Grouping)> {
        match self {
            AnalysisSpec::Orr(s) => Some((&s.fit, &s.grouping)),
            AnalysisSpec::OrrCompare(s) => Some((&s.fit, &s.grouping)),
            AnalysisSpec::Hr(s) => Some((&s.fit, &s.grouping)),
            AnalysisSpec::Pfs(s) => Some((&s.fit, &s.grouping)),
            AnalysisSpec::Binary(s) => Some((&s.settings.fit, &s.settings.grouping)),
            AnalysisSpec::Continuous(s) => Some((&s.settings.fit, &s.settings.grouping)),
            AnalysisSpec::Generic(s) => Some((&s.settings.fit, &s.settings.grouping)),
            AnalysisSpec::Bias(b) => b.pooled.model_and_groups(),
            AnalysisSpec::Network(_)
            | AnalysisSpec::Influence(_)
            | AnalysisSpec::Cumulative(_)
            | AnalysisSpec::Metareg(_) => None,
        }
    }

    /// The pairwise model settings; `None` for a network or a sensitivity analysis.
    pub fn fit(&self) -> Option<&FitSettings> {
        self.model_and_groups().map(|(fit, _)| fit)
    }

    /// The subgroups; `None` for a network or a sensitivity analysis.
    pub fn grouping(&self) -> Option<&Grouping> {
        self.model_and_groups().map(|(_, grouping)| grouping)
    }

    /// Whether rows sharing patients with others are included.
    pub fn keep_overlapping(&self) -> bool {
        match self {
            AnalysisSpec::Orr(s) => s.keep_overlapping,
            AnalysisSpec::OrrCompare(s) => s.keep_overlapping,
            AnalysisSpec::Hr(s) => s.keep_overlapping,
            AnalysisSpec::Pfs(s) => s.keep_overlapping,
            AnalysisSpec::Network(s) => s.keep_overlapping,
            // A user's file has no overlap column: every row is used.
            AnalysisSpec::Binary(_) | AnalysisSpec::Continuous(_) | AnalysisSpec::Generic(_) => {
                false
            }
            AnalysisSpec::Bias(b) => b.pooled.keep_overlapping(),
            AnalysisSpec::Influence(s) | AnalysisSpec::Cumulative(s) => s.pooled.keep_overlapping(),
            AnalysisSpec::Metareg(s) => s.pooled.keep_overlapping(),
        }
    }
}

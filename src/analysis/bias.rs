//! The report of `alkstats bias`: the pooled analyses of a `pool` run, each with the
//! small-study methods run on its fitted model (docs/json-contract.md, `analyses[i].bias`).
//! Field names are a public contract.

use super::pipeline::group_prefix;
use super::report::{PoolReport, PoolSettingsEcho, RandomResult};
use crate::methods::bias::{
    small_study_effects, BiasResult, BiasSettings, BiasTest, FunnelSide, SelectionAlternative,
    TrimFillEstimator,
};
use crate::model::Measure;
use serde::Serialize;

/// The settings of a bias run: those of the pooled analyses and those of the methods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasSettingsEcho {
    /// The pooled analyses' settings, as `pool` echoes them.
    #[serde(flatten)]
    pub pool: PoolSettingsEcho,
    /// The methods run.
    pub tests: Vec<BiasTest>,
    /// Fewest studies for the asymmetry tests.
    pub k_min: usize,
    /// Trim-and-fill estimator.
    pub estimator: TrimFillEstimator,
    /// Trim-and-fill side, when given; null when chosen per analysis.
    pub side: Option<FunnelSide>,
    /// Direction of selection in the selection model.
    pub selection_alternative: SelectionAlternative,
}

/// One analysis (a subgroup or everything) with its small-study methods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasAnalysis {
    /// Subgroup label; null with `--by none`.
    pub group: Option<String>,
    /// Number of studies.
    pub k: usize,
    /// The random-effects estimate of the observed studies, to read the adjusted ones against.
    pub random: RandomResult,
    /// The small-study methods; null where the analysis has no variance model (median of
    /// medians).
    pub bias: Option<BiasResult>,
}

/// The whole output of `alkstats bias`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasReport {
    /// alkstats version.
    pub alkstats_version: String,
    /// Always "bias".
    pub command: String,
    /// The outcome, as `pool` names it.
    pub outcome: String,
    /// The measure: renderers ask it for labels.
    #[serde(skip)]
    pub measure: Measure,
    /// Settings used.
    pub settings: BiasSettingsEcho,
    /// One entry per subgroup.
    pub analyses: Vec<BiasAnalysis>,
    /// Everything the user should know: the pooled analyses' warnings, then each method that
    /// gave no result and why (prefixed with its group).
    pub warnings: Vec<String>,
}

/// Runs the small-study methods of `settings` on the analyses of a pooled `report` (only that
/// of subgroup `group` when one is given).
pub fn bias_report<S>(
    report: &PoolReport<S>,
    settings: &BiasSettings,
    group: Option<&str>,
) -> BiasReport {
    // With one group asked for, the other groups' own warnings (prefixed with their name) are
    // not this report's.
    let others: Vec<String> = report
        .analyses
        .iter()
        .filter_map(|a| a.group.as_deref())
        .filter(|g| group.is_some_and(|chosen| chosen != *g))
        .map(|g| group_prefix(Some(g)))
        .collect();
    let mut warnings: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| !others.iter().any(|p| w.starts_with(p.as_str())))
        .cloned()
        .collect();
    let analyses = report
        .analyses
        .iter()
        .filter(|a| group.is_none() || a.group.as_deref() == group)
        .map(|a| {
            let prefix = group_prefix(a.group.as_deref());
            let bias = match &a.model {
                Some(model) => {
                    let b = small_study_effects(model, settings);
                    warnings.extend(b.warnings.iter().map(|w| format!("{prefix}{w}")));
                    Some(b)
                }
                None => {
                    warnings.push(format!(
                        "{prefix}no small-study methods: this analysis has no variance model \
                         (use --method log-iv)"
                    ));
                    None
                }
            };
            BiasAnalysis {
                group: a.group.clone(),
                k: a.k,
                random: a.random.clone(),
                bias,
            }
        })
        .collect();
    BiasReport {
        alkstats_version: crate::VERSION.to_string(),
        command: "bias".into(),
        outcome: report.outcome.clone(),
        measure: report.measure,
        settings: BiasSettingsEcho {
            pool: report.settings.clone(),
            tests: settings.tests.clone(),
            k_min: settings.k_min,
            estimator: settings.estimator,
            side: settings.side,
            selection_alternative: settings.alternative,
        },
        analyses,
        warnings,
    }
}

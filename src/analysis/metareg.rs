//! The report of `alkstats metareg`: the meta-regression of a pooled analysis's studies on
//! moderators, with the settings of the analysis (docs/json-contract.md, `metareg`). The
//! moderators take the place of `--by` groups, so the regression's numbers are at the top
//! level. Field names are a public contract.

use super::report::{CommonTau2Test, PoolReport, PoolSettingsEcho};
use super::AnalysisError;
use crate::methods::metareg::{metareg, MetaRegError, MetaRegFit, MetaRegSettings};
use crate::methods::PooledModel;
use crate::model::Measure;
use serde::Serialize;

/// The settings of a meta-regression run: those of the pooled analysis and the moderators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaRegSettingsEcho {
    /// The pooled analysis's settings, as `pool` echoes them.
    #[serde(flatten)]
    pub pool: PoolSettingsEcho,
    /// Moderator columns, in order.
    pub moderators: Vec<String>,
    /// Reference levels given with `--ref`, as `COLUMN=LEVEL`.
    pub references: Vec<String>,
    /// `random` (mixed-effects) or `common` (fixed-effects meta-regression).
    pub model: PooledModel,
}

/// The whole output of `alkstats metareg`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaRegReport {
    /// alkstats version.
    pub alkstats_version: String,
    /// Always "metareg".
    pub command: String,
    /// The outcome of the pooled analysis.
    pub outcome: String,
    /// The measure of the effects (labels and back-transformation for renderers).
    #[serde(skip)]
    pub measure: Measure,
    /// Settings used.
    pub settings: MetaRegSettingsEcho,
    /// The regression: k, coefficients, τ², I², R², Q_M, Q_E, studies, warnings.
    #[serde(flatten)]
    pub regression: crate::methods::metareg::result::MetaRegression,
}

/// The meta-regression of the one analysis of `pooled` (pooled without groups), with the
/// report's warnings before the regression's. Also returns the fit, for plots and the
/// permutation test.
///
/// # Errors
/// [`AnalysisError::MetaReg`] when the regression cannot be fitted; a report of several
/// analyses or without a fitted model is refused the same way.
pub fn metareg_report<S>(
    pooled: &PoolReport<S>,
    settings: &MetaRegSettings,
) -> Result<(MetaRegReport, MetaRegFit), AnalysisError> {
    let model = match pooled.analyses.as_slice() {
        [one] => one.model.as_deref(),
        _ => None,
    }
    .ok_or(AnalysisError::MetaReg(MetaRegError::NotOneModel))?;
    let mut fit = metareg(model, settings).map_err(AnalysisError::MetaReg)?;
    let mut regression = fit.result.clone();
    regression
        .warnings
        .splice(0..0, pooled.warnings.iter().cloned());
    fit.result.warnings.clone_from(&regression.warnings);
    let report = MetaRegReport {
        alkstats_version: pooled.alkstats_version.clone(),
        command: "metareg".into(),
        outcome: pooled.outcome.clone(),
        measure: pooled.measure,
        settings: MetaRegSettingsEcho {
            pool: pooled.settings.clone(),
            moderators: settings.moderators.clone(),
            references: settings
                .references
                .iter()
                .map(|(c, l)| format!("{c}={l}"))
                .collect(),
            model: settings.model,
        },
        regression,
    };
    Ok((report, fit))
}

/// Adds the test for subgroup differences with a common τ² (`pool --by COLUMN --common-tau2`)
/// to `grouped`, from the meta-regression of every study of `ungrouped` (the same analysis
/// without groups) on the grouping column: its Q_M, as `alkstats metareg --mods COLUMN`
/// reports it, and its τ². The subgroups' own estimates keep their separate τ².
///
/// # Errors
/// [`AnalysisError::MetaReg`] when the regression cannot be fitted (a single subgroup, too
/// few studies).
pub fn add_common_tau2_test<S>(
    grouped: &mut PoolReport<S>,
    ungrouped: &PoolReport<S>,
) -> Result<(), AnalysisError> {
    let settings = MetaRegSettings {
        moderators: vec![grouped.settings.by.clone()],
        references: Vec::new(),
        model: PooledModel::Random,
        studies: false,
    };
    let (report, _) = metareg_report(ungrouped, &settings)?;
    let r = report.regression;
    let test = CommonTau2Test {
        q: r.qm.stat,
        df: r.qm.df,
        df2: r.qm.df2,
        p: r.qm.p,
        tau2: r.tau2,
        k: r.k,
    };
    let own = r.warnings.len() - ungrouped.warnings.len();
    grouped.warnings.extend(
        r.warnings[r.warnings.len() - own..]
            .iter()
            .map(|w| format!("common tau²: {w}")),
    );
    if let Some(t) = grouped.subgroup_test.as_mut() {
        t.common_tau2 = Some(test);
    }
    Ok(())
}

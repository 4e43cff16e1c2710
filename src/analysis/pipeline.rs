//! The one pipeline every outcome runs through: overlap filtering, grouping by `--by`, one
//! fitted model ([`Rma`]) per group, its pooled blocks on the displayed scale, and the test for
//! subgroup differences. The batch engine builds its analyses with the same
//! [`pooled_analysis`], so the two paths cannot drift apart.

use super::group::{split, GroupKind, Grouping};
use super::report::{
    pooled_blocks, saturating_total, subgroup_tests, Analysis, PoolReport, PoolSettingsEcho,
    SubgroupTests,
};
use super::study_rows::StudyWeights;
use super::AnalysisError;
use crate::dist::z_crit;
use crate::fit::heterogeneity::Heterogeneity;
use crate::fit::{Interval, Pooled};
use crate::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use crate::settings::FitSettings;
use std::collections::BTreeMap;

/// "group: " before a group's messages, nothing without groups.
pub fn group_prefix(group: Option<&str>) -> String {
    group.map(|g| format!("{g}: ")).unwrap_or_default()
}

/// Fits the model of one group, adding its warnings (prefixed with the group) to `warnings`.
///
/// # Errors
/// [`AnalysisError::Model`] naming the group and the study (by line) that cannot be fitted.
pub fn fit_group(
    data: EffectSizes,
    settings: ModelSettings,
    group: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Rma, AnalysisError> {
    let model = Rma::fit(data, settings).map_err(|source| AnalysisError::Model {
        group: group.map(str::to_string),
        source,
    })?;
    let prefix = group_prefix(group);
    warnings.extend(model.warnings().iter().map(|w| format!("{prefix}{w}")));
    Ok(model)
}

/// The parts of a fit that an analysis reports, from a fitted model or from the batch
/// engine's allocation-free [`crate::fit::FitSummary`].
pub struct PooledParts<'a> {
    /// Number of studies.
    pub k: usize,
    /// Common-effect estimate.
    pub common: &'a Pooled,
    /// Random-effects estimate.
    pub random: &'a Pooled,
    /// Prediction interval.
    pub prediction: Option<&'a Interval>,
    /// Heterogeneity.
    pub heterogeneity: Option<&'a Heterogeneity>,
}

/// One analysis from its pooled parts, with values on the displayed scale given by `back`.
/// Every outcome and the batch engine build their analyses here.
pub fn pooled_analysis<S>(
    group: Option<String>,
    parts: PooledParts<'_>,
    back: impl Fn(f64) -> Option<f64>,
    totals: (Option<u64>, Option<u64>),
    studies: Vec<S>,
) -> Analysis<S> {
    let (common, random, prediction) =
        pooled_blocks(parts.common, parts.random, parts.prediction, back);
    Analysis {
        group,
        k: parts.k,
        events: totals.0,
        n: totals.1,
        studies,
        common,
        random,
        prediction,
        heterogeneity: parts.heterogeneity.copied(),
        glmm: None,
        model: None,
    }
}

/// The analysis of a fitted model: its pooled blocks back-transformed by its measure, keeping
/// the model for the methods that take one.
pub fn model_analysis<S>(
    model: Rma,
    group: Option<String>,
    totals: (Option<u64>, Option<u64>),
    studies: Vec<S>,
) -> Analysis<S> {
    let parts = PooledParts {
        k: model.k(),
        common: model.common(),
        random: model.random(),
        prediction: model.prediction(),
        heterogeneity: model.heterogeneity(),
    };
    let analysis = pooled_analysis(group, parts, |y| model.back(y), totals, studies);
    Analysis {
        glmm: model.glmm().cloned(),
        model: Some(Box::new(model)),
        ..analysis
    }
}

/// Totals of a group: events and patients, saturating at `u64::MAX` (absurd counts must not
/// wrap round to small totals; found by fuzzing).
pub fn totals(
    events: Option<impl Iterator<Item = u64>>,
    n: impl Iterator<Item = u64>,
) -> (Option<u64>, Option<u64>) {
    (events.map(saturating_total), Some(saturating_total(n)))
}

/// Splits `items` by `grouping` and analyses each group with `analyse` (which may leave a group
/// out by returning `None`); returns the analyses and, with groups, the test for subgroup
/// differences.
///
/// # Errors
/// An unknown `--by` column, or the first error of `analyse`.
pub fn analyse_groups<T, S>(
    items: &[T],
    grouping: &Grouping,
    headers: &[String],
    fields: impl Fn(&T) -> &BTreeMap<String, String>,
    mut analyse: impl FnMut(Option<String>, &[&T]) -> Result<Option<Analysis<S>>, AnalysisError>,
) -> Result<Vec<Analysis<S>>, AnalysisError> {
    let groups = split(items, grouping, headers, fields)?;
    let mut analyses = Vec::with_capacity(groups.len());
    for (label, members) in groups {
        if let Some(a) = analyse(label, &members)? {
            analyses.push(a);
        }
    }
    Ok(analyses)
}

/// Rows kept and rows left out because they share patients with (or are superseded by) other
/// rows, unless `keep` asks for them.
pub fn partition_overlapping<'a, T>(
    items: impl IntoIterator<Item = &'a T>,
    keep: bool,
    overlaps: impl Fn(&T) -> &[String],
) -> (Vec<&'a T>, Vec<&'a T>) {
    items
        .into_iter()
        .partition(|t| keep || overlaps(t).is_empty())
}

/// The settings echo of a report on `measure`, with the outcome-specific fields unset.
pub fn settings_echo(
    measure: Measure,
    fit: &FitSettings,
    grouping: &Grouping,
    keep_overlapping: bool,
    data: &str,
) -> PoolSettingsEcho {
    PoolSettingsEcho {
        sm: measure.sm().to_string(),
        scale: measure.scale().to_string(),
        method_tau: fit.method_tau,
        random_ci: fit.random_ci,
        prediction: fit.prediction,
        ci_study: None,
        level: fit.level.get(),
        by: grouping.label().to_string(),
        incr: None,
        endpoint: None,
        keep_overlapping,
        method: None,
        data: data.to_string(),
        overall: grouping.kind(measure.null_value().is_some()) == GroupKind::Other,
    }
}

/// Assembles a report; the test for subgroup differences is computed when `subgroups_test`,
/// unless the groups are different comparisons ([`GroupKind::Comparisons`]), where it tests
/// nothing: [`PoolReport::show_overall`] adds it on request.
pub fn report<S>(
    measure: Measure,
    outcome: &str,
    settings: PoolSettingsEcho,
    analyses: Vec<Analysis<S>>,
    subgroups_test: bool,
    warnings: Vec<String>,
) -> PoolReport<S> {
    let kind = Grouping::from_arg(&settings.by).kind(measure.null_value().is_some());
    let several = analyses.len() > 1;
    let overall_note = match kind {
        GroupKind::Treatments if several => Some(format!(
            "no result across the groups of --by {}: they are different treatments (--overall \
             shows it)",
            settings.by
        )),
        GroupKind::Comparisons if several => Some(format!(
            "no result across the groups of --by {} and no test for subgroup differences: they \
             are different comparisons, each its own question (--overall shows both)",
            settings.by
        )),
        _ => None,
    };
    let subgroups_test = subgroups_test && kind != GroupKind::Comparisons;
    let subgroup_test: Option<SubgroupTests> = subgroup_tests(&analyses, subgroups_test);
    PoolReport {
        alkstats_version: crate::VERSION.to_string(),
        command: "pool".into(),
        outcome: outcome.into(),
        measure,
        settings,
        analyses,
        subgroup_test,
        overall_note,
        shipped_data: false,
        excluded: Vec::new(),
        assumptions: Vec::new(),
        warnings,
        stored_results: None,
    }
}

/// What a report of one outcome is pooled with: its name in the report (`"continuous"`), its
/// measure, the model settings, the subgroups and the data file's name.
#[derive(Debug, Clone, Copy)]
pub struct Pooling<'a> {
    /// The report's `outcome`.
    pub outcome: &'static str,
    /// What yᵢ measures.
    pub measure: Measure,
    /// Model settings.
    pub fit: FitSettings,
    /// Subgroups.
    pub grouping: &'a Grouping,
    /// The data file, as the report names it.
    pub data_name: &'a str,
}

/// A study in its group's fitted model: its effect and what its report row reads from the
/// model.
pub struct Fitted<'a> {
    /// The study's effect on the analysis scale.
    pub yi: f64,
    /// Its sampling variance.
    pub vi: f64,
    model: &'a Rma,
    index: usize,
    z: f64,
}

impl Fitted<'_> {
    /// The effect `yi` and its confidence limits yi ∓ z·se at the analysis level, on the
    /// displayed scale: (estimate, lower, upper).
    pub fn display(&self, se: f64) -> (Option<f64>, Option<f64>, Option<f64>) {
        let back = |y| self.model.back(y);
        (
            back(self.yi),
            back(self.yi - self.z * se),
            back(self.yi + self.z * se),
        )
    }

    /// The study's weights in the model.
    pub fn weights(&self) -> StudyWeights {
        StudyWeights::of(self.model, self.index)
    }
}

/// A row of a users' file that is one study.
pub trait StudyLine {
    /// Its label, its line and its other columns (kept with the study for moderators and
    /// ordering).
    fn place(&self) -> (&str, u64, &crate::data::cursor::Fields);
}

impl Pooling<'_> {
    /// Pools an outcome whose rows each give one study (users' continuous and generic files),
    /// inverse variance, one model per `--by` group: `effect` gives a row's (yᵢ, vᵢ) and
    /// whatever else its report row shows (`E`), `report_row` builds the row from that and the
    /// fitted model.
    ///
    /// # Errors
    /// An unknown `--by` column, the first error of `effect`, or a group that cannot be fitted.
    pub fn pool_rows<R: StudyLine, E, S>(
        &self,
        (rows, headers): (&[R], &[String]),
        effect: impl Fn(&R) -> Result<(f64, f64, E), AnalysisError>,
        report_row: impl Fn(&R, E, &Fitted<'_>) -> S,
    ) -> Result<PoolReport<S>, AnalysisError> {
        let mut warnings = Vec::new();
        let z = z_crit(self.fit.level.get());
        let analyses = analyse_groups(
            rows,
            self.grouping,
            headers,
            |r| r.place().2,
            |group, members| {
                let effects = members
                    .iter()
                    .map(|r| effect(r))
                    .collect::<Result<Vec<_>, _>>()?;
                let studies = members
                    .iter()
                    .zip(&effects)
                    .map(|(r, &(yi, vi, _))| {
                        let (label, line, fields) = r.place();
                        Study {
                            fields: fields.clone(),
                            ..Study::new(label, line, yi, vi)
                        }
                    })
                    .collect();
                let model = fit_group(
                    EffectSizes::new(self.measure, studies),
                    ModelSettings::inverse_variance(self.fit),
                    group.as_deref(),
                    &mut warnings,
                )?;
                let rows = members
                    .iter()
                    .zip(effects)
                    .enumerate()
                    .map(|(index, (r, (yi, vi, extra)))| {
                        let fitted = Fitted {
                            yi,
                            vi,
                            model: &model,
                            index,
                            z,
                        };
                        report_row(r, extra, &fitted)
                    })
                    .collect();
                Ok(Some(model_analysis(model, group, (None, None), rows)))
            },
        )?;
        let settings = settings_echo(
            self.measure,
            &self.fit,
            self.grouping,
            false,
            self.data_name,
        );
        let grouped = *self.grouping != Grouping::None;
        Ok(report(
            self.measure,
            self.outcome,
            settings,
            analyses,
            grouped,
            warnings,
        ))
    }
}

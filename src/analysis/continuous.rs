//! Two-arm continuous outcomes from users' files (`alkstats pool --outcome continuous`): mean
//! difference, Hedges' g or log ratio of means per study (metafor `escalc`), one fitted model
//! per `--by` group.

use super::group::Grouping;
use super::pipeline::{analyse_groups, fit_group, model_analysis, report, settings_echo};
use super::report::{PoolReport, StudyRow};
use super::AnalysisError;
use crate::data::user_rows::{ArmMeans, ContinuousRow};
use crate::dist::z_crit;
use crate::effect::continuous::{continuous_effect, ArmSummary, ContinuousMeasure};
use crate::model::{EffectSizes, Measure, ModelError, ModelSettings, Study};
use crate::settings::FitSettings;
use serde::Serialize;

/// Settings of a continuous-outcome meta-analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousSettings {
    /// MD, SMD or ROM.
    pub measure: ContinuousMeasure,
    /// Model settings.
    pub fit: FitSettings,
    /// Subgroups.
    pub grouping: Grouping,
}

/// One study row of a continuous analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuousStudyResult {
    /// Label as typed.
    pub study: String,
    /// Patients, mean and SD in the experimental arm.
    pub n_treatment: f64,
    /// Mean in the experimental arm.
    pub mean_treatment: f64,
    /// SD in the experimental arm.
    pub sd_treatment: f64,
    /// Patients in the control arm.
    pub n_comparator: f64,
    /// Mean in the control arm.
    pub mean_comparator: f64,
    /// SD in the control arm.
    pub sd_comparator: f64,
    /// The study's effect on the displayed scale (MD, g, or ratio of means).
    pub estimate: Option<f64>,
    /// Lower bound at the analysis level.
    pub lower: Option<f64>,
    /// Upper bound.
    pub upper: Option<f64>,
    /// Effect on the analysis scale.
    pub yi: f64,
    /// Its sampling variance.
    pub vi: f64,
    /// Common-effect weight, percent.
    pub weight_common: f64,
    /// Random-effects weight, percent.
    pub weight_random: f64,
    /// Line in the input file.
    pub line: u64,
}

impl StudyRow for ContinuousStudyResult {
    fn label(&self) -> &str {
        &self.study
    }
    fn data_cell(&self) -> String {
        format!(
            "{} ({}), {} vs {} ({}), {}",
            self.mean_treatment,
            self.sd_treatment,
            self.n_treatment,
            self.mean_comparator,
            self.sd_comparator,
            self.n_comparator
        )
    }
    fn display(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.estimate.unwrap_or(f64::NAN), self.lower, self.upper)
    }
    fn counts(&self) -> (Option<u64>, Option<u64>) {
        (None, None)
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi, self.vi)
    }
    fn weights(&self) -> (f64, f64) {
        (self.weight_common, self.weight_random)
    }
}

fn summary(a: &ArmMeans) -> ArmSummary {
    ArmSummary::new(a.n, a.mean, a.sd)
}

/// Pools two-arm continuous outcomes per subgroup.
///
/// # Errors
/// An unknown `--by` column, or a study whose effect cannot be computed (e.g. a non-positive
/// mean for ROM), named by its line.
pub fn pool_continuous(
    rows: &[ContinuousRow],
    headers: &[String],
    data_name: &str,
    s: &ContinuousSettings,
) -> Result<PoolReport<ContinuousStudyResult>, AnalysisError> {
    let mut warnings = Vec::new();
    let measure = Measure::Continuous(s.measure);
    let z = z_crit(s.fit.level.get());
    let analyses = analyse_groups(
        rows,
        &s.grouping,
        headers,
        |r| &r.fields,
        |group, members| {
            let studies = members
                .iter()
                .map(|r| {
                    let e = continuous_effect(
                        s.measure,
                        &summary(&r.experimental),
                        &summary(&r.control),
                    )
                    .map_err(|source| AnalysisError::Continuous {
                        data: data_name.to_string(),
                        line: r.line,
                        study: r.study.clone(),
                        source,
                    })?;
                    Ok(Study {
                        fields: r.fields.clone(),
                        ..Study::new(r.study.clone(), r.line, e.yi, e.vi)
                    })
                })
                .collect::<Result<Vec<_>, AnalysisError>>()?;
            let data = EffectSizes::new(measure, studies);
            let model = fit_group(
                data,
                ModelSettings::inverse_variance(s.fit),
                group.as_deref(),
                &mut warnings,
            )?;
            let studies = members
                .iter()
                .zip(&model.data().studies)
                .enumerate()
                .map(|(i, (r, st))| {
                    let (yi, vi) = st.effect.ok_or(ModelError::Empty)?;
                    Ok(ContinuousStudyResult {
                        study: r.study.clone(),
                        n_treatment: r.experimental.n,
                        mean_treatment: r.experimental.mean,
                        sd_treatment: r.experimental.sd,
                        n_comparator: r.control.n,
                        mean_comparator: r.control.mean,
                        sd_comparator: r.control.sd,
                        estimate: model.back(yi),
                        lower: model.back(yi - z * vi.sqrt()),
                        upper: model.back(yi + z * vi.sqrt()),
                        yi,
                        vi,
                        weight_common: model.weights_common()[i],
                        weight_random: model.weights_random()[i],
                        line: r.line,
                    })
                })
                .collect::<Result<Vec<_>, ModelError>>()
                .map_err(|source| AnalysisError::Model {
                    group: group.clone(),
                    source,
                })?;
            Ok(Some(model_analysis(model, group, (None, None), studies)))
        },
    )?;
    let settings = settings_echo(measure, &s.fit, &s.grouping, false, data_name);
    Ok(report(
        measure,
        "continuous",
        settings,
        analyses,
        s.grouping != Grouping::None,
        warnings,
    ))
}

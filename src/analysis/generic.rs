//! Generic inverse-variance pooling of users' estimates (`alkstats pool --outcome generic`), as
//! `meta::metagen`: each study gives an estimate `TE` with its standard error `seTE`, or with
//! confidence limits. `--sm` names the scale; for a ratio (HR, OR, RR, …) `TE` with `seTE` is on
//! the log scale, while an estimate given with limits is read on the ratio scale, as papers
//! print it, and its SE follows from the limits on the log scale.

use super::group::Grouping;
use super::pipeline::{analyse_groups, fit_group, model_analysis, report, settings_echo};
use super::report::{PoolReport, StudyRow};
use super::AnalysisError;
use crate::data::user_rows::{GenericPrecision, GenericRow};
use crate::dist::z_crit;
use crate::model::{EffectSizes, Measure, ModelSettings, Study};
use crate::settings::{FitSettings, GenericMeasure, Level};
use serde::Serialize;

/// Settings of a generic inverse-variance meta-analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct GenericSettings {
    /// The scale of the estimates.
    pub sm: GenericMeasure,
    /// Level of the confidence limits in the file (0.95 unless stated).
    pub ci_level: Level,
    /// Model settings.
    pub fit: FitSettings,
    /// Subgroups.
    pub grouping: Grouping,
}

/// One study row of a generic analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenericStudyResult {
    /// Label as typed.
    pub study: String,
    /// Estimate on the displayed scale.
    pub estimate: Option<f64>,
    /// Lower bound at the analysis level.
    pub lower: Option<f64>,
    /// Upper bound.
    pub upper: Option<f64>,
    /// Estimate on the analysis scale.
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
    /// Its variance.
    pub vi: f64,
    /// Where the SE came from: `se` or `ci`.
    pub se_from: &'static str,
    /// Common-effect weight, percent.
    pub weight_common: f64,
    /// Random-effects weight, percent.
    pub weight_random: f64,
    /// Line in the input file.
    pub line: u64,
}

impl StudyRow for GenericStudyResult {
    fn label(&self) -> &str {
        &self.study
    }
    fn data_cell(&self) -> String {
        String::new()
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

/// The effect on the analysis scale and its SE. Limits give SE = (U − L)/(2 z), on the log scale
/// for ratios (Altman & Bland 2011, BMJ 343:d2090).
fn effect(r: &GenericRow, s: &GenericSettings) -> Result<(f64, f64), AnalysisError> {
    let log = s.sm.is_log();
    match r.precision {
        GenericPrecision::Se(se) => Ok((r.estimate, se)),
        GenericPrecision::Ci { lower, upper } => {
            if log && !(lower > 0.0) {
                return Err(AnalysisError::NonPositiveRatio {
                    line: r.line,
                    study: r.study.clone(),
                    sm: s.sm,
                    lower,
                });
            }
            let f = |v: f64| if log { v.ln() } else { v };
            let z = z_crit(s.ci_level.get());
            Ok((f(r.estimate), (f(upper) - f(lower)) / (2.0 * z)))
        }
    }
}

/// Pools users' estimates per subgroup.
///
/// # Errors
/// An unknown `--by` column, ratio limits that are not positive, or a fit error naming the
/// study's line.
pub fn pool_generic(
    rows: &[GenericRow],
    headers: &[String],
    data_name: &str,
    s: &GenericSettings,
) -> Result<PoolReport<GenericStudyResult>, AnalysisError> {
    let mut warnings = Vec::new();
    let measure = Measure::Generic(s.sm);
    let z = z_crit(s.fit.level.get());
    let analyses = analyse_groups(
        rows,
        &s.grouping,
        headers,
        |r| &r.fields,
        |group, members| {
            let effects = members
                .iter()
                .map(|r| effect(r, s))
                .collect::<Result<Vec<_>, _>>()?;
            let studies = members
                .iter()
                .zip(&effects)
                .map(|(r, &(yi, se))| Study {
                    fields: r.fields.clone(),
                    ..Study::new(r.study.clone(), r.line, yi, se * se)
                })
                .collect();
            let model = fit_group(
                EffectSizes::new(measure, studies),
                ModelSettings::inverse_variance(s.fit),
                group.as_deref(),
                &mut warnings,
            )?;
            let studies = members
                .iter()
                .zip(&effects)
                .enumerate()
                .map(|(i, (r, &(yi, se)))| GenericStudyResult {
                    study: r.study.clone(),
                    estimate: model.back(yi),
                    lower: model.back(yi - z * se),
                    upper: model.back(yi + z * se),
                    yi,
                    se,
                    vi: se * se,
                    se_from: match r.precision {
                        GenericPrecision::Se(_) => "se",
                        GenericPrecision::Ci { .. } => "ci",
                    },
                    weight_common: model.weights_common()[i],
                    weight_random: model.weights_random()[i],
                    line: r.line,
                })
                .collect();
            Ok(Some(model_analysis(model, group, (None, None), studies)))
        },
    )?;
    let settings = settings_echo(measure, &s.fit, &s.grouping, false, data_name);
    Ok(report(
        measure,
        "generic",
        settings,
        analyses,
        s.grouping != Grouping::None,
        warnings,
    ))
}

//! Generic inverse-variance pooling of users' estimates (`alkstats pool --outcome generic`), as
//! `meta::metagen`: each study gives an estimate `TE` with its standard error `seTE`, or with
//! confidence limits. `--sm` names the scale; for a ratio (HR, OR, RR, …) `TE` with `seTE` is on
//! the log scale, while an estimate given with limits is read on the ratio scale, as papers
//! print it, and its SE follows from the limits on the log scale.

use super::group::Grouping;
use super::pipeline::{Fitted, Pooling, StudyLine};
use super::report::PoolReport;
use super::study_rows::{StudyRow, StudyWeights};
use super::AnalysisError;
use crate::data::user_rows::{GenericPrecision, GenericRow};
use crate::dist::z_crit;
use crate::model::Measure;
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
    /// Common-effect and random-effects weights.
    #[serde(flatten)]
    pub weights: StudyWeights,
    /// Line in the input file.
    pub line: u64,
}

impl StudyRow for GenericStudyResult {
    fn label(&self) -> &str {
        &self.study
    }
    fn display(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.estimate.unwrap_or(f64::NAN), self.lower, self.upper)
    }
    fn yi_vi(&self) -> (f64, f64) {
        (self.yi, self.vi)
    }
    fn weights(&self) -> (f64, f64) {
        self.weights.pair()
    }
}

impl StudyLine for GenericRow {
    fn place(&self) -> (&str, u64, &crate::data::cursor::Fields) {
        (&self.study, self.line, &self.fields)
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
    let effect = |r: &GenericRow| effect(r, s).map(|(yi, se)| (yi, se * se, se));
    let report_row = |r: &GenericRow, se: f64, f: &Fitted<'_>| {
        let (estimate, lower, upper) = f.display(se);
        GenericStudyResult {
            study: r.study.clone(),
            estimate,
            lower,
            upper,
            yi: f.yi,
            se,
            vi: f.vi,
            se_from: match r.precision {
                GenericPrecision::Se(_) => "se",
                GenericPrecision::Ci { .. } => "ci",
            },
            weights: f.weights(),
            line: r.line,
        }
    };
    let pooling = Pooling {
        outcome: "generic",
        measure: Measure::Generic(s.sm),
        fit: s.fit,
        grouping: &s.grouping,
        data_name,
    };
    pooling.pool_rows((rows, headers), effect, report_row)
}

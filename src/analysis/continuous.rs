//! Two-arm continuous outcomes from users' files (`alkstats pool --outcome continuous`): mean
//! difference, Hedges' g or log ratio of means per study (metafor `escalc`), one fitted model
//! per `--by` group.

use super::arm_cells::ArmCells;
use super::group::Grouping;
use super::pipeline::{Fitted, Pooling, StudyLine};
use super::report::PoolReport;
use super::study_rows::{StudyRow, StudyWeights};
use super::AnalysisError;
use crate::data::continuous_rows::{ArmMeans, ContinuousRow};
use crate::effect::continuous::{continuous_effect, ArmSummary, ContinuousMeasure};
use crate::model::Measure;
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

/// A two-arm continuous study as the data give it: its label and each arm's patients, mean and
/// SD.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwoArmMeans {
    /// Label as typed.
    pub study: String,
    /// Patients in the experimental arm.
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
}

impl TwoArmMeans {
    fn of(r: &ContinuousRow) -> Self {
        let (t, c) = (&r.experimental, &r.control);
        TwoArmMeans {
            study: r.study.clone(),
            n_treatment: t.n,
            mean_treatment: t.mean,
            sd_treatment: t.sd,
            n_comparator: c.n,
            mean_comparator: c.mean,
            sd_comparator: c.sd,
        }
    }
}

/// One study row of a continuous analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuousStudyResult {
    /// The study and its arms, as the data give them.
    #[serde(flatten)]
    pub means: TwoArmMeans,
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
    /// Common-effect and random-effects weights.
    #[serde(flatten)]
    pub weights: StudyWeights,
    /// Line in the input file.
    pub line: u64,
}

impl StudyRow for ContinuousStudyResult {
    fn label(&self) -> &str {
        &self.means.study
    }
    fn data_cell(&self) -> String {
        let m = &self.means;
        format!(
            "{} ({}), {} vs {} ({}), {}",
            m.mean_treatment,
            m.sd_treatment,
            m.n_treatment,
            m.mean_comparator,
            m.sd_comparator,
            m.n_comparator
        )
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
    fn arm_cells(&self) -> Option<ArmCells> {
        let m = &self.means;
        Some(ArmCells::Continuous {
            mean: (m.mean_treatment, m.mean_comparator),
            sd: (m.sd_treatment, m.sd_comparator),
            n: (m.n_treatment, m.n_comparator),
        })
    }
}

impl StudyLine for ContinuousRow {
    fn place(&self) -> (&str, u64, &crate::data::cursor::Fields) {
        (&self.study, self.line, &self.fields)
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
    let effect = |r: &ContinuousRow| {
        let e = continuous_effect(s.measure, &summary(&r.experimental), &summary(&r.control))
            .map_err(|source| AnalysisError::Continuous {
                data: data_name.to_string(),
                line: r.line,
                study: r.study.clone(),
                source,
            })?;
        Ok((e.yi, e.vi, ()))
    };
    let report_row = |r: &ContinuousRow, (), f: &Fitted<'_>| {
        let (estimate, lower, upper) = f.display(f.vi.sqrt());
        ContinuousStudyResult {
            means: TwoArmMeans::of(r),
            estimate,
            lower,
            upper,
            yi: f.yi,
            vi: f.vi,
            weights: f.weights(),
            line: r.line,
        }
    };
    let pooling = Pooling {
        outcome: "continuous",
        measure: Measure::Continuous(s.measure),
        fit: s.fit,
        grouping: &s.grouping,
        data_name,
    };
    let mut report = pooling.pool_rows((rows, headers), effect, report_row)?;
    // Means and SDs estimated from medians are assumptions the reader must see.
    report.assumptions = rows.iter().flat_map(|r| r.converted.clone()).collect();
    Ok(report)
}

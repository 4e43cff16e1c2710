//! One group → one CSV row, on a worker thread, without per-fit heap churn in the fit itself.
//!
//! The numbers come from the code of the in-memory path: effect sizes from
//! [`effect_size`], the fit from [`fit_summary`] (the core of [`crate::fit::fit`]), the
//! analysis from [`pooled_analysis`] (which builds every outcome's analyses), and the row from
//! [`write_analysis_row`](crate::output::csv_out::write_analysis_row). Only the per-study rows
//! (and their confidence intervals, the costliest part of a report) are not built: the CSV
//! analysis rows do not show them.

use super::reader::Group;
use crate::analysis::pipeline::{pooled_analysis, totals, PooledParts};
use crate::analysis::proportion::{effect_size, ProportionSettings};
use crate::analysis::report::Analysis;
use crate::analysis::AnalysisError;
use crate::effect::proportion::harmonic_mean;
use crate::fit::{fit_summary, FitError, FitWorkspace};
use crate::model::{Measure, ModelError};

/// Buffers reused by one worker from group to group.
pub struct Workspace {
    fit: FitWorkspace,
    yi: Vec<f64>,
    vi: Vec<f64>,
    n: Vec<u64>,
}

impl Workspace {
    /// A workspace for fits with `settings`.
    pub fn new(settings: &ProportionSettings) -> Self {
        Workspace {
            fit: FitWorkspace::new(settings.fit.level),
            yi: Vec::new(),
            vi: Vec::new(),
            n: Vec::new(),
        }
    }
}

/// The analysis of one group (without study rows) and its warnings, worded and prefixed with
/// the group as the in-memory report words them.
///
/// # Errors
/// A study without a finite effect size, named by its line.
pub fn analyse(
    data_name: &str,
    group: &Group,
    settings: &ProportionSettings,
    ws: &mut Workspace,
    warnings: &mut Vec<String>,
) -> Result<Analysis, AnalysisError> {
    ws.yi.clear();
    ws.vi.clear();
    for m in &group.members {
        let (yi, vi) = effect_size(
            data_name,
            (m.line, m.study.as_str(), m.n),
            m.events,
            settings,
        )?;
        ws.yi.push(yi);
        ws.vi.push(vi);
    }
    let f =
        fit_summary(&ws.yi, &ws.vi, &settings.fit, &mut ws.fit).map_err(|e| fit_error(group, e))?;
    if f.notes.any() {
        let label = &group.label;
        warnings.extend(
            f.warnings(&settings.fit)
                .into_iter()
                .map(|w| format!("{label}: {w}")),
        );
    }
    ws.n.clear();
    ws.n.extend(group.members.iter().map(|m| m.n));
    let measure = Measure::Proportion(settings.sm);
    let n_back = harmonic_mean(&ws.n);
    let parts = PooledParts {
        k: f.k,
        common: &f.common,
        random: &f.random,
        prediction: f.prediction.as_ref(),
        heterogeneity: f.heterogeneity.as_ref(),
    };
    let totals = totals(
        Some(group.members.iter().map(|m| m.events)),
        ws.n.iter().copied(),
    );
    Ok(pooled_analysis(
        Some(group.label.clone()),
        parts,
        |y| measure.back(y, n_back),
        totals,
        Vec::new(),
    ))
}

/// A fit error of a group, naming the study by its line as the in-memory path does.
fn fit_error(group: &Group, e: FitError) -> AnalysisError {
    let source = match e {
        FitError::NonFiniteEffect { index, .. } | FitError::NonPositiveVariance { index, .. } => {
            match group.members.get(index) {
                Some(m) => ModelError::Study {
                    study: m.study.as_str().to_string(),
                    line: m.line,
                    source: e,
                },
                None => ModelError::Empty,
            }
        }
        FitError::Empty | FitError::LengthMismatch { .. } => ModelError::Empty,
    };
    AnalysisError::Model {
        group: Some(group.label.clone()),
        source,
    }
}

//! One group → one CSV row, on a worker thread, without per-fit heap churn in the fit itself.
//!
//! The numbers come from the code of the in-memory path: effect sizes from
//! [`effect_sizes`], the fit from [`fit_summary`] (the core of [`crate::fit::fit`]), the values
//! on the proportion scale from [`pooled_results`], and the row from
//! [`write_analysis_row`](crate::output::csv_out::write_analysis_row). Only the per-study rows
//! (and their confidence intervals, the costliest part of a report) are not built: the CSV
//! analysis rows do not show them.

use super::reader::Group;
use crate::analysis::proportion::{effect_sizes, pooled_results, ProportionSettings};
use crate::analysis::report::Analysis;
use crate::analysis::AnalysisError;
use crate::effect::proportion::harmonic_mean;
use crate::fit::{fit_summary, FitWorkspace};

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
    effect_sizes(
        data_name,
        group.members.iter().map(|(arm, events)| (&**arm, *events)),
        settings,
        &mut ws.yi,
        &mut ws.vi,
    )?;
    let f = fit_summary(&ws.yi, &ws.vi, &settings.fit, &mut ws.fit)
        .map_err(|e| AnalysisError::BadStudy(e.to_string()))?;
    if f.notes.any() {
        let label = &group.label;
        warnings.extend(
            f.warnings(&settings.fit)
                .into_iter()
                .map(|w| format!("{label}: {w}")),
        );
    }
    ws.n.clear();
    ws.n.extend(group.members.iter().map(|(arm, _)| arm.n));
    let (common, random, prediction) = pooled_results(
        &f.common,
        &f.random,
        f.prediction.as_ref(),
        settings.sm,
        harmonic_mean(&ws.n),
    );
    Ok(Analysis {
        group: Some(group.label.clone()),
        k: f.k,
        events: Some(group.members.iter().map(|(_, events)| events).sum()),
        n: Some(ws.n.iter().sum()),
        studies: Vec::new(),
        common,
        random,
        prediction,
        heterogeneity: f.heterogeneity,
    })
}

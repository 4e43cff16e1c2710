//! Pooling median progression-free survival of single arms (`alkstats pool --outcome pfs`).
//!
//! Two families of methods, as a reader of McGrath et al. would expect:
//! - `log-iv` (default): inverse-variance pooling of ln(median), with the SE from the median's
//!   reported 95% CI; the same common/random machinery, heterogeneity and prediction as ORR.
//! - `mm` / `wm`: the (weighted) median of medians with the sign-test interval (McGrath et al.
//!   2019, R `metamedian::pool.med`); no variance model, so no τ², Q or prediction interval.
//!
//! Arms without the figures a method needs are listed in `excluded` with the reason.

use super::group::Grouping;
use super::pipeline::{
    analyse_groups, fit_group, group_prefix, model_analysis, report, settings_echo,
};
use super::report::{
    Analysis, CommonResult, Excluded, MedianStudyResult, PoolReport, RandomResult,
};
use super::study_rows::StudyWeights;
use super::{AnalysisError, NothingToPool};
use crate::data::Arm;
use crate::effect::median::{log_median_from_ci, median_of_medians};
use crate::fit::Pooled;
use crate::model::{EffectSizes, Measure, ModelSettings, Study};
use crate::settings::FitSettings;

pub use crate::settings::MedianMethod;

/// Settings of a median-PFS meta-analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct MedianSettings {
    /// Method.
    pub method: MedianMethod,
    /// Model settings (log-iv).
    pub fit: FitSettings,
    /// Subgroups.
    pub grouping: Grouping,
    /// Include arms marked as overlapping others.
    pub keep_overlapping: bool,
}

/// Level of the reported median CIs in the arms file (SPEC: "with its 95% CI").
const REPORTED_LEVEL: f64 = 0.95;

fn assumptions(method: MedianMethod) -> Vec<String> {
    match method {
        MedianMethod::LogIv => vec![
            "each reported median PFS CI is a 95% interval, symmetric on the log scale (as the \
             Brookmeyer-Crowley interval with a log transformation is); SE(ln median) = \
             (ln upper - ln lower) / (2 x 1.959964)"
                .into(),
            "ln(median) is approximately normal; the pooled value is exp(pooled ln median), a \
             geometric-mean-type summary of the arm medians, not the median of pooled patients"
                .into(),
        ],
        MedianMethod::MedianOfMedians | MedianMethod::WeightedMedianOfMedians => vec![
            "the median of the arm medians (McGrath et al. 2019, Stat Med 38:969-984) with the \
             normal-approximation sign-test interval; it needs only the medians, assumes the arms \
             estimate one common median, and gives no heterogeneity or prediction interval"
                .into(),
        ],
    }
}

/// Why an arm cannot enter the analysis, or `None`.
fn exclusion(arm: &Arm, method: MedianMethod) -> Option<String> {
    let Some(m) = arm.median_pfs else {
        return Some("no median PFS (not reached or not reported)".into());
    };
    if method != MedianMethod::LogIv {
        return None;
    }
    match (arm.median_pfs_lower, arm.median_pfs_upper) {
        (Some(lo), Some(hi)) if lo < m && m < hi => None,
        (Some(_), Some(_)) => Some("its CI does not contain the median strictly inside it".into()),
        (Some(_), None) => Some("no upper 95% bound (not reached): no SE on the log scale".into()),
        (None, Some(_)) => Some("no lower 95% bound: no SE on the log scale".into()),
        (None, None) => Some("no 95% CI for the median: no SE (use --method mm or wm)".into()),
    }
}

fn analyse_group(
    group: Option<String>,
    arms: &[&Arm],
    s: &MedianSettings,
    warnings: &mut Vec<String>,
) -> Result<Analysis<MedianStudyResult>, AnalysisError> {
    let prefix = group_prefix(group.as_deref());
    let medians: Vec<f64> = arms
        .iter()
        .map(|a| a.median_pfs.unwrap_or(f64::NAN))
        .collect();
    let n_total = arms.iter().fold(0u64, |s, a| s.saturating_add(a.n));
    let row = |i: usize, yi: Option<f64>, vi: Option<f64>, weights| MedianStudyResult {
        study: arms[i].study.clone(),
        n: arms[i].n,
        estimate: medians[i],
        lower: arms[i].median_pfs_lower,
        upper: arms[i].median_pfs_upper,
        yi,
        vi,
        weights,
        line: arms[i].line,
    };
    if s.method == MedianMethod::LogIv {
        let studies = arms
            .iter()
            .map(|a| {
                let (y, se) = log_median_from_ci(
                    a.median_pfs.unwrap_or(f64::NAN),
                    a.median_pfs_lower.unwrap_or(f64::NAN),
                    a.median_pfs_upper.unwrap_or(f64::NAN),
                    REPORTED_LEVEL,
                );
                Study {
                    n: Some(a.n),
                    fields: a.fields.clone(),
                    ..Study::new(a.study.clone(), a.line, y, se * se)
                }
            })
            .collect();
        let data = EffectSizes::new(Measure::LogMedian, studies);
        let model = fit_group(
            data,
            ModelSettings::inverse_variance(s.fit),
            group.as_deref(),
            warnings,
        )?;
        let studies = (0..arms.len())
            .map(|i| {
                let e = model.data().studies[i].effect;
                row(
                    i,
                    e.map(|e| e.0),
                    e.map(|e| e.1),
                    StudyWeights::of(&model, i),
                )
            })
            .collect();
        return Ok(model_analysis(model, group, (None, Some(n_total)), studies));
    }
    let weights: Vec<u64> = arms.iter().map(|a| a.n).collect();
    let w = (s.method == MedianMethod::WeightedMedianOfMedians).then_some(weights.as_slice());
    let (est, lo, hi) =
        median_of_medians(&medians, w, s.fit.level.get()).ok_or_else(|| AnalysisError::Model {
            group: group.clone(),
            source: crate::model::ModelError::Empty,
        })?;
    if arms.len() < 6 {
        warnings.push(format!(
            "{prefix}k = {}: with fewer than 6 arms the sign-test interval of the median of medians \
             reaches the extreme arms and its coverage is only nominal",
            arms.len()
        ));
    }
    // One arm has no sign-test interval: its bounds are null, not the point repeated.
    let (lo, hi) = if arms.len() > 1 {
        (lo, hi)
    } else {
        (f64::NAN, f64::NAN)
    };
    let bound = |v: f64| Some(v).filter(|v| v.is_finite());
    let share = |i: usize| match w {
        Some(_) => 100.0 * arms[i].n as f64 / n_total as f64,
        None => 100.0 / arms.len() as f64,
    };
    // No variance model: SE, statistics and p-values do not exist and are reported as null;
    // the estimate is the median of medians itself, the same in both blocks.
    let pooled = Pooled {
        yi: est,
        se: f64::NAN,
        lower: lo,
        upper: hi,
        stat: f64::NAN,
        p: None,
        df: None,
    };
    let common = CommonResult {
        estimate: Some(est),
        ..CommonResult::new(&pooled, bound)
    };
    let random = RandomResult {
        estimate: Some(est),
        ..RandomResult::new(&pooled, bound)
    };
    Ok(Analysis {
        group,
        k: arms.len(),
        events: None,
        n: Some(n_total),
        studies: (0..arms.len())
            .map(|i| {
                let weights = StudyWeights {
                    weight_common: share(i),
                    weight_random: share(i),
                };
                row(i, None, None, weights)
            })
            .collect(),
        random,
        common,
        prediction: None,
        heterogeneity: None,
        glmm: None,
        model: None,
    })
}

/// Pools median PFS per subgroup.
///
/// # Errors
/// No arm with the figures the method needs, or an unknown `--by` column.
pub fn pool_medians(
    arms: &[Arm],
    headers: &[String],
    data_name: &str,
    s: &MedianSettings,
) -> Result<PoolReport<MedianStudyResult>, AnalysisError> {
    let mut warnings = Vec::new();
    let mut excluded = Vec::new();
    let mut usable = Vec::new();
    for arm in arms {
        if !s.keep_overlapping && !arm.overlaps.is_empty() {
            excluded.push(Excluded {
                study: arm.study.clone(),
                line: arm.line,
                reason: format!(
                    "shares patients with {} (use --keep-overlapping)",
                    arm.overlaps.join(" and ")
                ),
            });
        } else if let Some(reason) = exclusion(arm, s.method) {
            excluded.push(Excluded {
                study: arm.study.clone(),
                line: arm.line,
                reason,
            });
        } else {
            usable.push(arm.clone());
        }
    }
    if usable.is_empty() {
        return Err(AnalysisError::NothingToPool {
            data: data_name.to_string(),
            reason: NothingToPool::NoMedians(s.method),
        });
    }
    let analyses = analyse_groups(
        &usable,
        &s.grouping,
        headers,
        |a| &a.fields,
        |label, members| analyse_group(label, members, s, &mut warnings).map(Some),
    )?;
    let measure = match s.method {
        MedianMethod::LogIv => Measure::LogMedian,
        _ => Measure::Median,
    };
    let mut settings = settings_echo(measure, &s.fit, &s.grouping, s.keep_overlapping, data_name);
    settings.endpoint = Some("pfs".into());
    settings.method = Some(s.method.to_string());
    let mut report = report(
        measure,
        "pfs",
        settings,
        analyses,
        s.method == MedianMethod::LogIv && s.grouping != Grouping::None,
        warnings,
    );
    report.excluded = excluded;
    report.assumptions = assumptions(s.method);
    Ok(report)
}

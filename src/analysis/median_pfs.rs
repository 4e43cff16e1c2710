//! Pooling median progression-free survival of single arms (`alkstats pool --outcome pfs`).
//!
//! Two families of methods, as a reader of McGrath et al. would expect:
//! - `log-iv` (default): inverse-variance pooling of ln(median), with the SE from the median's
//!   reported 95% CI; the same common/random machinery, heterogeneity and prediction as ORR.
//! - `mm` / `wm`: the (weighted) median of medians with the sign-test interval (McGrath et al.
//!   2019, R `metamedian::pool.med`); no variance model, so no τ², Q or prediction interval.
//!
//! Arms without the figures a method needs are listed in `excluded` with the reason.

use super::group::{split, Grouping};
use super::report::{exp_back, pooled_blocks, subgroup_tests};
use super::report::{
    Analysis, CommonResult, Excluded, MedianStudyResult, PoolReport, PoolSettingsEcho,
    RandomResult, VERSION,
};
use super::AnalysisError;
use crate::data::Arm;
use crate::effect::median::{log_median_from_ci, median_of_medians};
use crate::fit::fit;
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
    let prefix = group
        .as_deref()
        .map(|g| format!("{g}: "))
        .unwrap_or_default();
    let medians: Vec<f64> = arms
        .iter()
        .map(|a| a.median_pfs.unwrap_or(f64::NAN))
        .collect();
    let n_total = arms.iter().fold(0u64, |s, a| s.saturating_add(a.n));
    let row = |i: usize, yi: Option<f64>, vi: Option<f64>, wc: f64, wr: f64| MedianStudyResult {
        study: arms[i].study.clone(),
        n: arms[i].n,
        estimate: medians[i],
        lower: arms[i].median_pfs_lower,
        upper: arms[i].median_pfs_upper,
        yi,
        vi,
        weight_common: wc,
        weight_random: wr,
        line: arms[i].line,
    };
    if s.method == MedianMethod::LogIv {
        let mut yi = Vec::with_capacity(arms.len());
        let mut vi = Vec::with_capacity(arms.len());
        for a in arms {
            let (y, se) = log_median_from_ci(
                a.median_pfs.unwrap_or(f64::NAN),
                a.median_pfs_lower.unwrap_or(f64::NAN),
                a.median_pfs_upper.unwrap_or(f64::NAN),
                REPORTED_LEVEL,
            );
            yi.push(y);
            vi.push(se * se);
        }
        let f = fit(&yi, &vi, &s.fit).map_err(|e| AnalysisError::BadStudy(e.to_string()))?;
        warnings.extend(f.warnings.iter().map(|w| format!("{prefix}{w}")));
        let (common, random, prediction) =
            pooled_blocks(&f.common, &f.random, f.prediction.as_ref(), exp_back);
        return Ok(Analysis {
            group,
            k: f.k,
            events: None,
            n: Some(n_total),
            studies: (0..arms.len())
                .map(|i| {
                    row(
                        i,
                        Some(yi[i]),
                        Some(vi[i]),
                        f.weights_common[i],
                        f.weights_random[i],
                    )
                })
                .collect(),
            common,
            random,
            prediction,
            heterogeneity: f.heterogeneity,
        });
    }
    let weights: Vec<u64> = arms.iter().map(|a| a.n).collect();
    let w = (s.method == MedianMethod::WeightedMedianOfMedians).then_some(weights.as_slice());
    let (est, lo, hi) = median_of_medians(&medians, w, s.fit.level.get())
        .ok_or_else(|| AnalysisError::NothingToPool(format!("{prefix}no medians to pool")))?;
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
    // No variance model: SE, statistics and p-values do not exist and are reported as null.
    let common = CommonResult {
        yi: est,
        se: f64::NAN,
        estimate: Some(est),
        lower: bound(lo),
        upper: bound(hi),
        lower_yi: lo,
        upper_yi: hi,
        z: f64::NAN,
        p: None,
    };
    Ok(Analysis {
        group,
        k: arms.len(),
        events: None,
        n: Some(n_total),
        studies: (0..arms.len())
            .map(|i| row(i, None, None, share(i), share(i)))
            .collect(),
        random: RandomResult {
            yi: est,
            se: f64::NAN,
            estimate: Some(est),
            lower: bound(lo),
            upper: bound(hi),
            lower_yi: lo,
            upper_yi: hi,
            stat: f64::NAN,
            p: None,
            df: None,
        },
        common,
        prediction: None,
        heterogeneity: None,
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
        return Err(AnalysisError::NothingToPool(format!(
            "{data_name}: no arm has the median PFS figures that --method {} needs",
            s.method
        )));
    }
    let groups = split(&usable, &s.grouping, headers, |a| &a.fields)?;
    let mut analyses = Vec::with_capacity(groups.len());
    for (label, members) in groups {
        analyses.push(analyse_group(label, &members, s, &mut warnings)?);
    }
    let subgroup_test = subgroup_tests(
        &analyses,
        s.method == MedianMethod::LogIv && s.grouping != Grouping::None,
    );
    Ok(PoolReport {
        alkstats_version: VERSION.to_string(),
        command: "pool".into(),
        outcome: "pfs".into(),
        settings: PoolSettingsEcho {
            sm: "MEDIAN".into(),
            scale: match s.method {
                MedianMethod::LogIv => "log median (months)".into(),
                _ => "median (months)".into(),
            },
            method_tau: s.fit.method_tau,
            random_ci: s.fit.random_ci,
            prediction: s.fit.prediction,
            ci_study: None,
            level: s.fit.level.get(),
            by: s.grouping.label().to_string(),
            incr: None,
            endpoint: Some("pfs".into()),
            keep_overlapping: s.keep_overlapping,
            method: Some(s.method.to_string()),
            data: data_name.to_string(),
        },
        analyses,
        subgroup_test,
        excluded,
        assumptions: assumptions(s.method),
        warnings,
    })
}

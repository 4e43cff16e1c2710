//! Pooling single-arm response proportions (`alkstats pool --outcome orr`).

use super::group::{split, Grouping};
use super::report::{pooled_blocks, saturating_total, subgroup_tests};
use super::report::{
    Analysis, CommonResult, PoolReport, PoolSettingsEcho, PredictionResult, RandomResult,
    StudyResult, VERSION,
};
use super::AnalysisError;
use crate::data::Arm;
use crate::effect::binomial_ci::proportion_ci;
use crate::effect::proportion::{back_transform, harmonic_mean, proportion_effect};
use crate::fit::{fit, Fit, Interval, Pooled};
use crate::settings::{FitSettings, ProportionMeasure, StudyCi};

/// Settings of a proportion meta-analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct ProportionSettings {
    /// Transformation.
    pub sm: ProportionMeasure,
    /// Model settings.
    pub fit: FitSettings,
    /// Per-study CI.
    pub ci_study: StudyCi,
    /// Continuity correction for 0 or n events.
    pub incr: f64,
    /// Subgroups.
    pub grouping: Grouping,
    /// Include rows marked in `overlaps` (earlier cuts and subsets of other rows).
    pub keep_overlapping: bool,
}

impl Default for ProportionSettings {
    fn default() -> Self {
        ProportionSettings {
            sm: ProportionMeasure::Plogit,
            fit: FitSettings::default(),
            ci_study: StudyCi::ClopperPearson,
            incr: 0.5,
            grouping: Grouping::Column("drug".into()),
            keep_overlapping: false,
        }
    }
}

/// An arm with a response count.
struct Counted<'a> {
    arm: &'a Arm,
    events: u64,
}

/// Appends the effect sizes of `members` (arm, responders) to `yi` and `vi`.
///
/// Shared with the batch engine ([`crate::batch`]), so both paths compute and check effect
/// sizes the same way.
///
/// # Errors
/// [`AnalysisError::BadStudy`] naming the row of a study without a finite effect size.
pub(crate) fn effect_sizes<'a>(
    data_name: &str,
    members: impl IntoIterator<Item = (&'a Arm, u64)>,
    s: &ProportionSettings,
    yi: &mut Vec<f64>,
    vi: &mut Vec<f64>,
) -> Result<(), AnalysisError> {
    for (arm, events) in members {
        let e = proportion_effect(events, arm.n, s.sm, s.incr);
        if !(e.yi.is_finite() && e.vi.is_finite() && e.vi > 0.0) {
            return Err(AnalysisError::BadStudy(format!(
                "{}: line {}, column responders (study '{}'): found {} of n = {}, which has no finite \
                 {} effect size without a continuity correction; expected --incr > 0 (e.g. 0.5) or \
                 --sm PFT / PAS",
                data_name, arm.line, arm.study, events, arm.n, s.sm
            )));
        }
        yi.push(e.yi);
        vi.push(e.vi);
    }
    Ok(())
}

/// The pooled estimates of a fit with their values back on the proportion scale (PFT with
/// the harmonic mean `n_back` of the sample sizes). Shared with the batch engine.
pub(crate) fn pooled_results(
    common: &Pooled,
    random: &Pooled,
    prediction: Option<&Interval>,
    sm: ProportionMeasure,
    n_back: f64,
) -> (CommonResult, RandomResult, Option<PredictionResult>) {
    pooled_blocks(common, random, prediction, |y| {
        back_transform(y, sm, n_back)
    })
}

fn analyse_group(
    data_name: &str,
    group: Option<String>,
    members: &[&Counted<'_>],
    s: &ProportionSettings,
    warnings: &mut Vec<String>,
) -> Result<Analysis, AnalysisError> {
    let level = s.fit.level.get();
    let mut yi = Vec::with_capacity(members.len());
    let mut vi = Vec::with_capacity(members.len());
    effect_sizes(
        data_name,
        members.iter().map(|m| (m.arm, m.events)),
        s,
        &mut yi,
        &mut vi,
    )?;
    let f: Fit = fit(&yi, &vi, &s.fit).map_err(|e| AnalysisError::BadStudy(e.to_string()))?;
    let prefix = group
        .as_deref()
        .map(|g| format!("{g}: "))
        .unwrap_or_default();
    warnings.extend(f.warnings.iter().map(|w| format!("{prefix}{w}")));

    let ns: Vec<u64> = members.iter().map(|m| m.arm.n).collect();
    let n_back = harmonic_mean(&ns);

    let studies = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let ci = proportion_ci(m.events, m.arm.n, level, s.ci_study);
            StudyResult {
                study: m.arm.study.clone(),
                events: m.events,
                n: m.arm.n,
                estimate: m.events as f64 / m.arm.n as f64,
                lower: ci.map(|c| c.0),
                upper: ci.map(|c| c.1),
                yi: yi[i],
                vi: vi[i],
                weight_common: f.weights_common[i],
                weight_random: f.weights_random[i],
                corrected: s.sm.needs_correction() && (m.events == 0 || m.events == m.arm.n),
                line: m.arm.line,
            }
        })
        .collect();

    let (common, random, prediction) =
        pooled_results(&f.common, &f.random, f.prediction.as_ref(), s.sm, n_back);
    Ok(Analysis {
        group,
        k: f.k,
        events: Some(saturating_total(members.iter().map(|m| m.events))),
        n: Some(saturating_total(ns.iter().copied())),
        studies,
        common,
        random,
        prediction,
        heterogeneity: f.heterogeneity,
    })
}

/// Checks the continuity correction `--incr` (shared with the batch engine).
pub(crate) fn check_incr(incr: f64) -> Result<(), AnalysisError> {
    if incr.is_finite() && incr >= 0.0 {
        Ok(())
    } else {
        Err(AnalysisError::InvalidSetting(format!(
            "--incr {incr}: expected a non-negative number such as 0.5"
        )))
    }
}

/// The error for a file in which no arm has a responder count (shared with the batch engine).
pub(crate) fn no_responders(data_name: &str) -> AnalysisError {
    AnalysisError::NothingToPool(format!(
        "{data_name}: no row has a value in column 'responders'; ORR needs responders and n"
    ))
}

/// Pools response proportions per subgroup.
///
/// Arms without a responder count are excluded and named in a warning, never dropped silently.
///
/// # Errors
/// No arm with responders, an unknown `--by` column, an invalid `--incr`, or a study whose
/// effect size is not finite.
pub fn pool_proportions(
    arms: &[Arm],
    headers: &[String],
    data_name: &str,
    s: &ProportionSettings,
) -> Result<PoolReport, AnalysisError> {
    check_incr(s.incr)?;
    let mut warnings = Vec::new();
    let (arms, overlapping): (Vec<&Arm>, Vec<&Arm>) = arms
        .iter()
        .partition(|a| s.keep_overlapping || a.overlaps.is_empty());
    if !overlapping.is_empty() {
        let names: Vec<String> = overlapping
            .iter()
            .map(|a| format!("{} (within {})", a.study, a.overlaps.join(" and ")))
            .collect();
        warnings.push(format!(
            "{} row(s) share patients with other rows and are left out (use --keep-overlapping to \
             include them): {}",
            names.len(),
            names.join("; ")
        ));
    }
    let missing: Vec<&str> = arms
        .iter()
        .filter(|a| a.responders.is_none())
        .map(|a| a.study.as_str())
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "{} arm(s) without a responder count are not in the response analysis: {}",
            missing.len(),
            missing.join("; ")
        ));
    }
    let counted: Vec<Counted<'_>> = arms
        .iter()
        .filter_map(|&arm| arm.responders.map(|events| Counted { arm, events }))
        .collect();
    if counted.is_empty() {
        return Err(no_responders(data_name));
    }
    let groups = split(&counted, &s.grouping, headers, |c| &c.arm.fields)?;
    let mut analyses = Vec::with_capacity(groups.len());
    for (label, members) in groups {
        analyses.push(analyse_group(data_name, label, &members, s, &mut warnings)?);
    }
    let subgroup_test = subgroup_tests(&analyses, s.grouping != Grouping::None);
    Ok(PoolReport {
        alkstats_version: VERSION.to_string(),
        command: "pool".into(),
        outcome: "orr".into(),
        settings: PoolSettingsEcho {
            sm: s.sm.to_string(),
            scale: s.sm.describe().to_string(),
            method_tau: s.fit.method_tau,
            random_ci: s.fit.random_ci,
            prediction: s.fit.prediction,
            ci_study: Some(s.ci_study),
            level: s.fit.level.get(),
            by: s.grouping.label().to_string(),
            incr: Some(s.incr),
            endpoint: None,
            keep_overlapping: s.keep_overlapping,
            method: None,
            data: data_name.to_string(),
        },
        analyses,
        subgroup_test,
        excluded: Vec::new(),
        assumptions: Vec::new(),
        warnings,
    })
}

//! Pooling single-arm response proportions (`alkstats pool --outcome orr`).

use super::group::Grouping;
use super::pipeline::{
    analyse_groups, fit_group, model_analysis, partition_overlapping, report, settings_echo, totals,
};
use super::report::{PoolReport, StudyResult};
use super::study_rows::StudyWeights;
use super::{AnalysisError, NothingToPool};
use crate::data::Arm;
use crate::effect::binomial_ci::proportion_ci;
use crate::effect::proportion::proportion_effect;
use crate::model::{EffectSizes, Measure, ModelSettings, Study};
use crate::settings::{FitSettings, GlmmModel, ProportionMeasure, StudyCi};

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
    /// Fit the binomial-normal GLMM (`--method GLMM`) instead of the inverse-variance models.
    pub glmm: bool,
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
            glmm: false,
        }
    }
}

/// The correction of the GLMM's per-study rows with 0 or n events (display only).
pub const GLMM_DISPLAY_INCR: f64 = 0.5;

/// An arm with a response count.
struct Counted<'a> {
    arm: &'a Arm,
    events: u64,
}

/// The effect size of `events` out of `n` (the study's, on `line`) with its variance, checked to be finite.
///
/// Shared with the batch engine ([`crate::batch`]), so both paths compute and check effect
/// sizes the same way.
///
/// The GLMM fits the counts themselves and needs no correction; its per-study rows (the
/// forest's squares, the study table) show the study's own logit, and for 0 or n events, whose
/// logit is infinite, the logit with [`GLMM_DISPLAY_INCR`] added as metafor `rma.glmm` does for
/// its per-study outcomes (`add = 1/2, to = "only0"`), whatever `--incr` says.
///
/// # Errors
/// [`AnalysisError::UncorrectedProportion`] naming the row of a study without a finite effect
/// size (0 or n events with `--incr 0`, outside the GLMM).
pub(crate) fn effect_size(
    data_name: &str,
    (line, study, n): (u64, &str, u64),
    events: u64,
    s: &ProportionSettings,
) -> Result<(f64, f64), AnalysisError> {
    let mut e = proportion_effect(events, n, s.sm, s.incr);
    if s.glmm && !(e.yi.is_finite() && e.vi.is_finite() && e.vi > 0.0) {
        e = proportion_effect(events, n, s.sm, GLMM_DISPLAY_INCR);
    }
    if !(e.yi.is_finite() && e.vi.is_finite() && e.vi > 0.0) {
        return Err(AnalysisError::UncorrectedProportion {
            data: data_name.to_string(),
            line,
            study: study.into(),
            events,
            n,
            sm: s.sm.as_str(),
        });
    }
    Ok((e.yi, e.vi))
}

/// The effect sizes of a group of arms with their responder counts.
fn effect_sizes(
    data_name: &str,
    members: &[&Counted<'_>],
    s: &ProportionSettings,
) -> Result<EffectSizes, AnalysisError> {
    let studies = members
        .iter()
        .map(|m| {
            let (yi, vi) =
                effect_size(data_name, (m.arm.line, &m.arm.study, m.arm.n), m.events, s)?;
            Ok(Study {
                n: Some(m.arm.n),
                events: Some(m.events),
                fields: m.arm.fields.clone(),
                ..Study::new(m.arm.study.clone(), m.arm.line, yi, vi)
            })
        })
        .collect::<Result<_, AnalysisError>>()?;
    Ok(EffectSizes::new(Measure::Proportion(s.sm), studies))
}

fn analyse_group(
    data_name: &str,
    group: Option<String>,
    members: &[&Counted<'_>],
    s: &ProportionSettings,
    warnings: &mut Vec<String>,
) -> Result<Option<super::report::Analysis>, AnalysisError> {
    let level = s.fit.level.get();
    let data = effect_sizes(data_name, members, s)?;
    let model = fit_group(
        data,
        ModelSettings {
            // The proportion GLMM is the one binomial-normal model; the OR model is unused.
            glmm: s.glmm.then_some(GlmmModel::CmEl),
            ..ModelSettings::inverse_variance(s.fit)
        },
        group.as_deref(),
        warnings,
    )?;
    let studies = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let ci = proportion_ci(m.events, m.arm.n, level, s.ci_study);
            let (yi, vi) = model.data().studies[i]
                .effect
                .unwrap_or((f64::NAN, f64::NAN));
            StudyResult {
                study: m.arm.study.clone(),
                events: m.events,
                n: m.arm.n,
                estimate: m.events as f64 / m.arm.n as f64,
                lower: ci.map(|c| c.0),
                upper: ci.map(|c| c.1),
                yi,
                vi,
                weights: StudyWeights::of(&model, i),
                corrected: s.sm.needs_correction() && (m.events == 0 || m.events == m.arm.n),
                line: m.arm.line,
            }
        })
        .collect();
    let totals = totals(
        Some(members.iter().map(|m| m.events)),
        members.iter().map(|m| m.arm.n),
    );
    Ok(Some(model_analysis(model, group, totals, studies)))
}

/// Checks the continuity correction `--incr` (shared with the batch engine).
pub(crate) fn check_incr(incr: f64) -> Result<(), AnalysisError> {
    if incr.is_finite() && incr >= 0.0 {
        Ok(())
    } else {
        Err(AnalysisError::InvalidIncrement(incr))
    }
}

/// The error for a file in which no arm has a responder count (shared with the batch engine).
pub(crate) fn no_responders(data_name: &str) -> AnalysisError {
    AnalysisError::NothingToPool {
        data: data_name.to_string(),
        reason: NothingToPool::NoResponders,
    }
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
    pool_proportions_with_progress(arms, headers, data_name, s, &())
}

/// [`pool_proportions`], calling `progress.tick()` once per study of each group analysed (a
/// progress bar's hook for long in-memory runs such as 10⁴ GLMMs).
///
/// # Errors
/// As [`pool_proportions`].
pub fn pool_proportions_with_progress(
    arms: &[Arm],
    headers: &[String],
    data_name: &str,
    s: &ProportionSettings,
    progress: &dyn crate::methods::Progress,
) -> Result<PoolReport, AnalysisError> {
    check_incr(s.incr)?;
    let mut warnings = Vec::new();
    let (arms, overlapping) = partition_overlapping(arms, s.keep_overlapping, |a| &a.overlaps);
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
    let analyses = analyse_groups(
        &counted,
        &s.grouping,
        headers,
        |c| &c.arm.fields,
        |label, members| {
            let a = analyse_group(data_name, label, members, s, &mut warnings);
            members.iter().for_each(|_| progress.tick());
            a
        },
    )?;
    let measure = Measure::Proportion(s.sm);
    let mut settings = settings_echo(measure, &s.fit, &s.grouping, s.keep_overlapping, data_name);
    settings.ci_study = Some(s.ci_study);
    settings.incr = Some(s.incr);
    if s.glmm {
        settings.method = Some("GLMM".into());
    }
    Ok(report(
        measure,
        "orr",
        settings,
        analyses,
        s.grouping != Grouping::None,
        warnings,
    ))
}

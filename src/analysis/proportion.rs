//! Pooling single-arm response proportions (`alkstats pool --outcome orr`).

use super::group::{split, Grouping};
use super::report::{
    Analysis, CommonResult, PoolReport, PoolSettingsEcho, PredictionResult, RandomResult,
    StudyResult, SubgroupTests, VERSION,
};
use super::AnalysisError;
use crate::data::Arm;
use crate::effect::binomial_ci::proportion_ci;
use crate::effect::proportion::{back_transform, harmonic_mean, proportion_effect};
use crate::fit::subgroup::subgroup_difference;
use crate::fit::{fit, Fit};
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
    for m in members {
        let e = proportion_effect(m.events, m.arm.n, s.sm, s.incr);
        if !(e.yi.is_finite() && e.vi.is_finite() && e.vi > 0.0) {
            return Err(AnalysisError::BadStudy(format!(
                "{}: line {}, column responders (study '{}'): found {} of n = {}, which has no finite \
                 {} effect size without a continuity correction; expected --incr > 0 (e.g. 0.5) or \
                 --sm PFT / PAS",
                data_name, m.arm.line, m.arm.study, m.events, m.arm.n, s.sm
            )));
        }
        yi.push(e.yi);
        vi.push(e.vi);
    }
    let f: Fit = fit(&yi, &vi, &s.fit).map_err(|e| AnalysisError::BadStudy(e.to_string()))?;
    let prefix = group
        .as_deref()
        .map(|g| format!("{g}: "))
        .unwrap_or_default();
    warnings.extend(f.warnings.iter().map(|w| format!("{prefix}{w}")));

    let ns: Vec<u64> = members.iter().map(|m| m.arm.n).collect();
    let n_back = harmonic_mean(&ns);
    let back = |y: f64| back_transform(y, s.sm, n_back);

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

    let common = CommonResult {
        yi: f.common.yi,
        se: f.common.se,
        estimate: back(f.common.yi),
        lower: back(f.common.lower),
        upper: back(f.common.upper),
        lower_yi: f.common.lower,
        upper_yi: f.common.upper,
        z: f.common.stat,
        p: f.common.p,
    };
    let random = RandomResult {
        yi: f.random.yi,
        se: f.random.se,
        estimate: back(f.random.yi),
        lower: back(f.random.lower),
        upper: back(f.random.upper),
        lower_yi: f.random.lower,
        upper_yi: f.random.upper,
        stat: f.random.stat,
        p: f.random.p,
        df: f.random.df,
    };
    let prediction = f.prediction.map(|p| PredictionResult {
        lower: back(p.lower),
        upper: back(p.upper),
        lower_yi: p.lower,
        upper_yi: p.upper,
        df: p.df,
    });
    Ok(Analysis {
        group,
        k: f.k,
        events: Some(members.iter().map(|m| m.events).sum()),
        n: Some(ns.iter().sum()),
        studies,
        common,
        random,
        prediction,
        heterogeneity: f.heterogeneity,
    })
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
    if !(s.incr.is_finite() && s.incr >= 0.0) {
        return Err(AnalysisError::InvalidSetting(format!(
            "--incr {}: expected a non-negative number such as 0.5",
            s.incr
        )));
    }
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
        return Err(AnalysisError::NothingToPool(format!(
            "{data_name}: no row has a value in column 'responders'; ORR needs responders and n"
        )));
    }
    let groups = split(&counted, &s.grouping, headers, |c| &c.arm.fields)?;
    let mut analyses = Vec::with_capacity(groups.len());
    for (label, members) in groups {
        analyses.push(analyse_group(data_name, label, &members, s, &mut warnings)?);
    }
    let subgroup_test =
        (s.grouping != Grouping::None && analyses.len() >= 2).then(|| SubgroupTests {
            common: subgroup_difference(
                &analyses
                    .iter()
                    .map(|a| (a.common.yi, a.common.se))
                    .collect::<Vec<_>>(),
            ),
            random: subgroup_difference(
                &analyses
                    .iter()
                    .map(|a| (a.random.yi, a.random.se))
                    .collect::<Vec<_>>(),
            ),
        });
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
            data: data_name.to_string(),
        },
        analyses,
        subgroup_test,
        warnings,
    })
}

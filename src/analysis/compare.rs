//! Two-arm response comparisons within randomized trials (`alkstats pool --outcome orr
//! --compare`): arms paired by `trial`, risk ratio, odds ratio or risk difference, pooled by
//! inverse variance, Mantel–Haenszel (with or without continuity correction) or Peto.
//!
//! As in R `meta::metabin`, the method chooses the common-effect estimate; the random-effects
//! model is always inverse-variance on the study effects, with the chosen τ² estimator. Q is
//! computed around the common-effect estimate with inverse-variance weights (metafor `rma.mh`,
//! `rma.peto`).

use super::direction::Orientations;
use super::group::Grouping;
use super::pipeline::{
    analyse_groups, fit_group, group_prefix, model_analysis, partition_overlapping, report,
    settings_echo, totals,
};
use super::proportion::check_incr;
use super::report::{Analysis, ComparisonStudyResult, PoolReport};
use super::study_rows::StudyWeights;
use super::study_rows::TwoArmCounts;
use super::{AnalysisError, NothingToPool};
use crate::data::user_rows::BinaryRow;
use crate::data::Arm;
use crate::dist::z_crit;
use crate::effect::two_arm::{peto_effect, two_arm_effect, TwoArmMeasure, TwoByTwo};
use crate::model::{EffectSizes, Measure, ModelError, ModelSettings, Study};
use crate::settings::{FitSettings, GlmmModel};

/// The grouping column that means "by treatment-vs-comparator comparison".
pub const COMPARISON: &str = "comparison";

pub use crate::settings::CompareMethod;

/// Settings of a two-arm comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareSettings {
    /// Effect measure.
    pub measure: TwoArmMeasure,
    /// Common-effect method.
    pub method: CompareMethod,
    /// Random-effects and interval settings.
    pub fit: FitSettings,
    /// Continuity correction for tables with a zero cell.
    pub incr: f64,
    /// Subgroups.
    pub grouping: Grouping,
    /// Include arms marked as overlapping others.
    pub keep_overlapping: bool,
    /// `--comparator NAME`: the comparator arm of every trial that has one so named (see
    /// [`super::direction`] for the rule otherwise).
    pub comparator: Option<String>,
    /// `--method GLMM`: this odds-ratio GLMM instead of the inverse-variance models.
    pub glmm: Option<GlmmModel>,
}

/// One two-arm comparison: a randomized trial's treatment and comparator arms, from two rows of
/// a long file (one per arm) or one row of a wide file (`event.e, n.e, event.c, n.c`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The study label as typed, the treatment (experimental arm) and comparator (control arm)
    /// labels, and their counts.
    pub counts: TwoArmCounts,
    /// Lines of the treatment and comparator rows (the same line twice for a wide row).
    pub lines: [u64; 2],
    /// The study's columns, for `--by`.
    pub fields: crate::data::cursor::Fields,
}

impl Pair {
    fn table(&self) -> TwoByTwo {
        let c = &self.counts;
        TwoByTwo::new(
            c.events_treatment,
            c.n_treatment,
            c.events_comparator,
            c.n_comparator,
        )
    }
}

impl From<&BinaryRow> for Pair {
    /// A study of a wide file: experimental arm against control, as `meta::metabin` reads it.
    fn from(r: &BinaryRow) -> Self {
        Pair {
            counts: TwoArmCounts {
                study: r.study.clone(),
                treatment: "experimental".into(),
                comparator: "control".into(),
                events_treatment: r.experimental.0,
                n_treatment: r.experimental.1,
                events_comparator: r.control.0,
                n_comparator: r.control.1,
            },
            lines: [r.line, r.line],
            fields: r.fields.clone(),
        }
    }
}

/// Pairs the arms of each two-arm trial, oriented by [`super::direction`] (never by row order).
fn pair_arms(
    arms: &[&Arm],
    data: &str,
    comparator: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Pair>, AnalysisError> {
    let mut by_trial: Vec<(String, Vec<&Arm>)> = Vec::new();
    for &arm in arms {
        let (Some(trial), Some(_)) = (&arm.trial, arm.responders) else {
            continue;
        };
        match by_trial.iter_mut().find(|(t, _)| t == trial) {
            Some((_, v)) => v.push(arm),
            None => by_trial.push((trial.clone(), vec![arm])),
        }
    }
    let mut pairs = Vec::new();
    let mut orientations = Orientations::default();
    for (trial, members) in by_trial {
        match members.as_slice() {
            [x, y] if x.drug != y.drug => {
                let (t, c) = orientations.orient(data, &trial, (x, y), comparator)?;
                let mut fields = t.fields.clone();
                let comparison = format!("{} vs {}", t.drug, c.drug);
                std::sync::Arc::make_mut(&mut fields).insert(COMPARISON.into(), comparison);
                pairs.push(Pair {
                    counts: TwoArmCounts {
                        study: trial,
                        treatment: t.drug.clone(),
                        comparator: c.drug.clone(),
                        events_treatment: t.responders.unwrap_or(0),
                        n_treatment: t.n,
                        events_comparator: c.responders.unwrap_or(0),
                        n_comparator: c.n,
                    },
                    lines: [t.line, c.line],
                    fields,
                });
            }
            [_] => {}
            [x, y] if x.drug == y.drug => warnings.push(format!(
                "trial '{trial}': both arms are {}; not a comparison of two treatments, left out",
                x.drug
            )),
            more => warnings.push(format!(
                "trial '{trial}': {} arms with responders; only two-arm trials are compared, left out",
                more.len()
            )),
        }
    }
    warnings.extend(orientations.warnings(comparator));
    Ok(pairs)
}

fn analyse_group(
    group: Option<String>,
    pairs: &[&Pair],
    s: &CompareSettings,
    measure: Measure,
    warnings: &mut Vec<String>,
) -> Result<Option<Analysis<ComparisonStudyResult>>, AnalysisError> {
    let prefix = group_prefix(group.as_deref());
    // Peto's method analyses its own per-study log odds ratios, (O − E)/V.
    let studies: Vec<Study> = pairs
        .iter()
        .map(|p| Study {
            label: p.counts.study.clone(),
            line: p.lines[0],
            effect: match s.method {
                CompareMethod::Peto => peto_effect(&p.table(), s.incr),
                _ => two_arm_effect(&p.table(), s.measure, s.incr),
            },
            n: Some(p.counts.n_treatment.saturating_add(p.counts.n_comparator)),
            events: None,
            table: Some(p.table()),
            fields: p.fields.clone(),
        })
        .collect();
    let dropped: Vec<&str> = studies
        .iter()
        .filter(|st| st.effect.is_none())
        .map(|st| st.label.as_str())
        .collect();
    if !dropped.is_empty() {
        warnings.push(format!(
            "{prefix}{} trial(s) with no events (or only events) in both arms carry no information on the \
             comparison and are left out of the study effects: {}",
            dropped.len(),
            dropped.join("; ")
        ));
    }
    if dropped.len() == studies.len() {
        warnings.push(format!(
            "{prefix}no trial with an estimable {}; group left out",
            s.measure
        ));
        return Ok(None);
    }
    let data = EffectSizes::new(measure, studies);
    let settings = ModelSettings {
        fit: s.fit,
        common: s.method,
        incr: s.incr,
        glmm: s.glmm,
    };
    let model = fit_group(data, settings, group.as_deref(), warnings)?;

    let z = z_crit(s.fit.level.get());
    let back = |y: f64| model.back(y);
    let studies = pairs
        .iter()
        .zip(&model.data().studies)
        .enumerate()
        .map(|(i, (p, st))| {
            let e = st.effect;
            ComparisonStudyResult {
                counts: p.counts.clone(),
                estimate: e.and_then(|e| back(e.0)),
                lower: e.and_then(|e| back(e.0 - z * e.1.sqrt())),
                upper: e.and_then(|e| back(e.0 + z * e.1.sqrt())),
                yi: e.map(|e| e.0),
                vi: e.map(|e| e.1),
                weights: StudyWeights::of(&model, i),
                lines: p.lines,
            }
        })
        .collect();
    let totals = totals(
        Some(pairs.iter().map(|p| {
            p.counts
                .events_treatment
                .saturating_add(p.counts.events_comparator)
        })),
        pairs
            .iter()
            .map(|p| p.counts.n_treatment.saturating_add(p.counts.n_comparator)),
    );
    let mut analysis = model_analysis(model, group, totals, studies);
    // k counts every trial of the group, including those without an estimable effect.
    analysis.k = pairs.len();
    Ok(Some(analysis))
}

/// Compares the response rates of the two arms of each randomized trial.
///
/// # Errors
/// No two-arm trial with responders, an unknown `--by` column, Peto with a measure other than
/// OR, or a Mantel–Haenszel estimate that is not estimable.
pub fn compare_arms(
    arms: &[Arm],
    headers: &[String],
    data_name: &str,
    s: &CompareSettings,
) -> Result<PoolReport<ComparisonStudyResult>, AnalysisError> {
    check_incr(s.incr)?;
    if s.method == CompareMethod::Peto && s.measure != TwoArmMeasure::Or {
        return Err(AnalysisError::Model {
            group: None,
            source: ModelError::PetoNeedsOddsRatio { measure: s.measure },
        });
    }
    let mut warnings = Vec::new();
    let (usable, _) = partition_overlapping(arms, s.keep_overlapping, |a| &a.overlaps);
    let pairs = pair_arms(&usable, data_name, s.comparator.as_deref(), &mut warnings)?;
    let measure = Measure::TwoArm(s.measure);
    compare_pairs(
        pairs,
        headers,
        data_name,
        s,
        measure,
        "orr-compare",
        warnings,
    )
}

/// Compares the experimental with the control arm of each row of a wide two-arm binary file
/// (`pool --outcome binary`) and pools the comparisons per `--by` group.
///
/// # Errors
/// As [`compare_pairs`].
pub fn pool_binary(
    rows: &[BinaryRow],
    headers: &[String],
    data_name: &str,
    s: &CompareSettings,
) -> Result<PoolReport<ComparisonStudyResult>, AnalysisError> {
    let pairs = rows.iter().map(Pair::from).collect();
    let measure = Measure::Binary(s.measure);
    compare_pairs(pairs, headers, data_name, s, measure, "binary", Vec::new())
}

/// Compares the two arms of each pair (a wide two-arm file, or arms paired by trial) and pools
/// the comparisons per `--by` group. `outcome` is the report's outcome name.
///
/// # Errors
/// An unknown `--by` column, Peto with a measure other than OR, no estimable comparison, or a
/// Mantel–Haenszel estimate that is not estimable.
pub fn compare_pairs(
    pairs: Vec<Pair>,
    headers: &[String],
    data_name: &str,
    s: &CompareSettings,
    measure: Measure,
    outcome: &str,
    mut warnings: Vec<String>,
) -> Result<PoolReport<ComparisonStudyResult>, AnalysisError> {
    check_incr(s.incr)?;
    if s.method == CompareMethod::Peto && s.measure != TwoArmMeasure::Or {
        return Err(AnalysisError::Model {
            group: None,
            source: ModelError::PetoNeedsOddsRatio { measure: s.measure },
        });
    }
    let nothing = |reason| AnalysisError::NothingToPool {
        data: data_name.to_string(),
        reason,
    };
    if pairs.is_empty() {
        return Err(nothing(NothingToPool::NoTwoArmTrials));
    }
    let mut headers = headers.to_vec();
    headers.push(COMPARISON.into());
    let analyses = analyse_groups(
        &pairs,
        &s.grouping,
        &headers,
        |p| &p.fields,
        |label, members| analyse_group(label, members, s, measure, &mut warnings),
    )?;
    if analyses.is_empty() {
        return Err(nothing(NothingToPool::NoEstimableComparison));
    }
    let mut settings = settings_echo(measure, &s.fit, &s.grouping, s.keep_overlapping, data_name);
    settings.incr = Some(s.incr);
    settings.method = Some(match s.glmm {
        Some(model) => format!("GLMM {model}"),
        None => s.method.to_string(),
    });
    Ok(report(
        measure,
        outcome,
        settings,
        analyses,
        s.grouping != Grouping::None,
        warnings,
    ))
}

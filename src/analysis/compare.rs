//! Two-arm response comparisons within randomized trials (`alkstats pool --outcome orr
//! --compare`): arms paired by `trial`, risk ratio, odds ratio or risk difference, pooled by
//! inverse variance, Mantel–Haenszel (with or without continuity correction) or Peto.
//!
//! As in R `meta::metabin`, the method chooses the common-effect estimate; the random-effects
//! model is always inverse-variance on the study effects, with the chosen τ² estimator. Q is
//! computed around the common-effect estimate with inverse-variance weights (metafor `rma.mh`,
//! `rma.peto`).

use super::group::{split, Grouping};
use super::report::{pooled_blocks, saturating_total, subgroup_tests};
use super::report::{
    Analysis, CommonResult, ComparisonStudyResult, PoolReport, PoolSettingsEcho, VERSION,
};
use super::AnalysisError;
use crate::data::Arm;
use crate::dist::{p_chisq_upper, z_crit};
use crate::effect::two_arm::{peto_effect, two_arm_effect, TwoArmMeasure, TwoByTwo};
use crate::fit::heterogeneity::i2_interval_higgins_thompson;
use crate::fit::mantel_haenszel::{mantel_haenszel, mantel_haenszel_weights, peto, TableFit};
use crate::fit::{fit, Fit};
use crate::settings::FitSettings;
use std::collections::BTreeMap;

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
}

/// The usual comparator of a drug pair: chemotherapy, then crizotinib (the first-generation
/// standard), then anything else, so that "new drug vs standard" reads the way trials report it.
pub fn comparator_rank(drug: &str) -> u8 {
    match drug {
        "chemotherapy" => 0,
        "crizotinib" => 1,
        _ => 2,
    }
}

struct Pair<'a> {
    trial: String,
    treatment: &'a Arm,
    comparator: &'a Arm,
    table: TwoByTwo,
    fields: BTreeMap<String, String>,
}

fn pair_arms<'a>(arms: &[&'a Arm], warnings: &mut Vec<String>) -> Vec<Pair<'a>> {
    let mut by_trial: Vec<(String, Vec<&'a Arm>)> = Vec::new();
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
    for (trial, members) in by_trial {
        match members.as_slice() {
            [x, y] if x.drug != y.drug => {
                let (t, c) = if comparator_rank(&y.drug) <= comparator_rank(&x.drug) { (*x, *y) } else { (*y, *x) };
                let (a, cc) = (t.responders.unwrap_or(0), c.responders.unwrap_or(0));
                let mut fields = t.fields.clone();
                fields.insert(COMPARISON.into(), format!("{} vs {}", t.drug, c.drug));
                pairs.push(Pair { trial, treatment: t, comparator: c, table: TwoByTwo::new(a, t.n, cc, c.n), fields });
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
    pairs
}

fn to_common(t: TableFit, back: impl Fn(f64) -> Option<f64>) -> CommonResult {
    CommonResult {
        yi: t.yi,
        se: t.se,
        estimate: back(t.yi),
        lower: back(t.lower),
        upper: back(t.upper),
        lower_yi: t.lower,
        upper_yi: t.upper,
        z: t.z,
        p: Some(t.p),
    }
}

fn analyse_group(
    group: Option<String>,
    pairs: &[&Pair<'_>],
    s: &CompareSettings,
    warnings: &mut Vec<String>,
) -> Result<Option<Analysis<ComparisonStudyResult>>, AnalysisError> {
    let prefix = group
        .as_deref()
        .map(|g| format!("{g}: "))
        .unwrap_or_default();
    let level = s.fit.level.get();
    // Peto's method analyses its own per-study log odds ratios, (O − E)/V.
    let effects: Vec<Option<(f64, f64)>> = pairs
        .iter()
        .map(|p| match s.method {
            CompareMethod::Peto => peto_effect(&p.table, s.incr),
            _ => two_arm_effect(&p.table, s.measure, s.incr),
        })
        .collect();
    let kept: Vec<usize> = (0..pairs.len()).filter(|&i| effects[i].is_some()).collect();
    let dropped: Vec<&str> = (0..pairs.len())
        .filter(|&i| effects[i].is_none())
        .map(|i| pairs[i].trial.as_str())
        .collect();
    if !dropped.is_empty() {
        warnings.push(format!(
            "{prefix}{} trial(s) with no events (or only events) in both arms carry no information on the \
             comparison and are left out of the study effects: {}",
            dropped.len(),
            dropped.join("; ")
        ));
    }
    if kept.is_empty() {
        warnings.push(format!(
            "{prefix}no trial with an estimable {}; group left out",
            s.measure
        ));
        return Ok(None);
    }
    let yi: Vec<f64> = kept
        .iter()
        .map(|&i| effects[i].map_or(0.0, |e| e.0))
        .collect();
    let vi: Vec<f64> = kept
        .iter()
        .map(|&i| effects[i].map_or(1.0, |e| e.1))
        .collect();
    let f: Fit = fit(&yi, &vi, &s.fit).map_err(|e| AnalysisError::BadStudy(e.to_string()))?;
    warnings.extend(f.warnings.iter().map(|w| format!("{prefix}{w}")));
    let ratio = s.measure.is_ratio();
    let back = |y: f64| Some(if ratio { y.exp() } else { y }).filter(|v| v.is_finite());

    // Common effect by the chosen method.
    let tables_all: Vec<TwoByTwo> = pairs.iter().map(|p| p.table).collect();
    let mut peto_q: Option<(f64, usize)> = None;
    let (common, weights_common_all): (CommonResult, Vec<f64>) = match s.method {
        CompareMethod::Iv => {
            let mut w = vec![0.0; pairs.len()];
            for (j, &i) in kept.iter().enumerate() {
                w[i] = f.weights_common[j];
            }
            let c = &f.common;
            let t = TableFit {
                yi: c.yi,
                se: c.se,
                lower: c.lower,
                upper: c.upper,
                z: c.stat,
                p: c.p.unwrap_or(f64::NAN),
            };
            (to_common(t, back), w)
        }
        CompareMethod::Mh | CompareMethod::MhCc => {
            let tables: Vec<TwoByTwo> = if s.method == CompareMethod::MhCc {
                kept.iter()
                    .map(|&i| {
                        if tables_all[i].has_zero_cell() {
                            tables_all[i].plus(s.incr)
                        } else {
                            tables_all[i]
                        }
                    })
                    .collect()
            } else {
                tables_all.clone()
            };
            let t = mantel_haenszel(&tables, s.measure, level).ok_or_else(|| {
                AnalysisError::NothingToPool(format!(
                    "{prefix}the Mantel–Haenszel {} is not estimable",
                    s.measure
                ))
            })?;
            let w = mantel_haenszel_weights(&tables, s.measure);
            let w_all = if s.method == CompareMethod::MhCc {
                let mut all = vec![0.0; pairs.len()];
                for (j, &i) in kept.iter().enumerate() {
                    all[i] = w[j];
                }
                all
            } else {
                w
            };
            (to_common(t, back), w_all)
        }
        CompareMethod::Peto => {
            if s.measure != TwoArmMeasure::Or {
                return Err(AnalysisError::InvalidSetting(format!(
                    "--method Peto estimates an odds ratio; use --measure OR (found {})",
                    s.measure
                )));
            }
            let (t, q, k_peto) = peto(&tables_all, level).ok_or_else(|| {
                AnalysisError::NothingToPool(format!(
                    "{prefix}Peto's odds ratio is not estimable (no events)"
                ))
            })?;
            let v: Vec<f64> = tables_all
                .iter()
                .map(|t| {
                    t.n1() * t.n2() * (t.a + t.c) * (t.b + t.d) / (t.n() * t.n() * (t.n() - 1.0))
                })
                .collect();
            let total: f64 = v.iter().sum();
            peto_q = Some((q, k_peto));
            (
                to_common(t, back),
                v.iter().map(|x| 100.0 * x / total).collect(),
            )
        }
    };

    // Heterogeneity: Q about the common estimate with inverse-variance weights (metafor).
    let mut heterogeneity = f.heterogeneity;
    // Peto's Q is Σ(O−E)²/V − (Σ(O−E))²/ΣV on the raw counts (metafor `rma.peto`).
    if let (Some(h), false) = (heterogeneity.as_mut(), s.method == CompareMethod::Iv) {
        let q = match peto_q {
            Some((q, k_peto)) => {
                h.df = k_peto.saturating_sub(1) as f64;
                q
            }
            None => yi
                .iter()
                .zip(&vi)
                .map(|(y, v)| (y - common.yi).powi(2) / v)
                .sum(),
        };
        h.q = q;
        h.p = p_chisq_upper(q, h.df);
        h.i2 = if q > 0.0 {
            ((q - h.df) / q).max(0.0) * 100.0
        } else {
            0.0
        };
        h.h2 = (q / h.df).max(1.0);
        let ci = i2_interval_higgins_thompson(q, yi.len(), level);
        h.i2_lower = ci.map(|c| c.0);
        h.i2_upper = ci.map(|c| c.1);
    }

    let z = z_crit(level);
    let mut studies = Vec::with_capacity(pairs.len());
    let mut j = 0;
    for (i, p) in pairs.iter().enumerate() {
        let (e, w_random) = match effects[i] {
            Some(e) => {
                let w = f.weights_random[j];
                j += 1;
                (Some(e), w)
            }
            None => (None, 0.0),
        };
        studies.push(ComparisonStudyResult {
            study: p.trial.clone(),
            treatment: p.treatment.drug.clone(),
            comparator: p.comparator.drug.clone(),
            events_treatment: p.treatment.responders.unwrap_or(0),
            n_treatment: p.treatment.n,
            events_comparator: p.comparator.responders.unwrap_or(0),
            n_comparator: p.comparator.n,
            estimate: e.and_then(|e| back(e.0)),
            lower: e.and_then(|e| back(e.0 - z * e.1.sqrt())),
            upper: e.and_then(|e| back(e.0 + z * e.1.sqrt())),
            yi: e.map(|e| e.0),
            vi: e.map(|e| e.1),
            weight_common: weights_common_all[i],
            weight_random: w_random,
            lines: [p.treatment.line, p.comparator.line],
        });
    }
    let (_, random, prediction) = pooled_blocks(&f.common, &f.random, f.prediction.as_ref(), back);
    Ok(Some(Analysis {
        group,
        k: pairs.len(),
        events: Some(saturating_total(
            pairs.iter().map(|p| (p.table.a + p.table.c) as u64),
        )),
        n: Some(saturating_total(pairs.iter().map(|p| p.table.n() as u64))),
        studies,
        common,
        random,
        prediction,
        heterogeneity,
    }))
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
    if !(s.incr.is_finite() && s.incr >= 0.0) {
        return Err(AnalysisError::InvalidSetting(format!(
            "--incr {}: expected a non-negative number such as 0.5",
            s.incr
        )));
    }
    let mut warnings = Vec::new();
    let usable: Vec<&Arm> = arms
        .iter()
        .filter(|a| s.keep_overlapping || a.overlaps.is_empty())
        .collect();
    let pairs = pair_arms(&usable, &mut warnings);
    if pairs.is_empty() {
        return Err(AnalysisError::NothingToPool(format!(
            "{data_name}: no trial has two arms with responders (arms are paired by the 'trial' column)"
        )));
    }
    let mut headers = headers.to_vec();
    headers.push(COMPARISON.into());
    let groups = split(&pairs, &s.grouping, &headers, |p| &p.fields)?;
    let mut analyses = Vec::new();
    for (label, members) in groups {
        if let Some(a) = analyse_group(label, &members, s, &mut warnings)? {
            analyses.push(a);
        }
    }
    if analyses.is_empty() {
        return Err(AnalysisError::NothingToPool(format!(
            "{data_name}: no estimable comparison"
        )));
    }
    let subgroup_test = subgroup_tests(&analyses, s.grouping != Grouping::None);
    let scale = match s.measure {
        TwoArmMeasure::Rr => "log risk ratio",
        TwoArmMeasure::Or => "log odds ratio",
        TwoArmMeasure::Rd => "risk difference",
    };
    Ok(PoolReport {
        alkstats_version: VERSION.to_string(),
        command: "pool".into(),
        outcome: "orr-compare".into(),
        settings: PoolSettingsEcho {
            sm: s.measure.to_string(),
            scale: scale.into(),
            method_tau: s.fit.method_tau,
            random_ci: s.fit.random_ci,
            prediction: s.fit.prediction,
            ci_study: None,
            level: s.fit.level.get(),
            by: s.grouping.label().to_string(),
            incr: Some(s.incr),
            endpoint: None,
            keep_overlapping: s.keep_overlapping,
            method: Some(s.method.to_string()),
            data: data_name.to_string(),
        },
        analyses,
        subgroup_test,
        excluded: Vec::new(),
        assumptions: Vec::new(),
        warnings,
    })
}

//! Pooling hazard ratios (`alkstats pool --outcome hr`): generic inverse-variance pooling of
//! log HR, grouped by comparison, with the same fit and report shape as proportions.

use super::compare::comparator_rank;
use super::group::{split, Grouping};
use super::report::{exp_back, pooled_blocks, subgroup_tests};
use super::report::{Analysis, HazardStudyResult, PoolReport, PoolSettingsEcho, VERSION};
use super::AnalysisError;
use crate::data::hr::{HrRow, Precision};
use crate::data::Arm;
use crate::dist::z_crit;
use crate::effect::median::log_hr_from_medians;
use crate::fit::fit;
use crate::settings::{Endpoint, FitSettings};
use std::collections::{BTreeMap, HashMap};

/// The grouping column that means "by treatment-vs-comparator comparison".
pub const COMPARISON: &str = "comparison";

/// Settings of a hazard-ratio meta-analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct HazardSettings {
    /// Model settings.
    pub fit: FitSettings,
    /// Endpoint pooled.
    pub endpoint: Endpoint,
    /// Subgroups (`comparison` by default).
    pub grouping: Grouping,
    /// Include rows superseded by others.
    pub keep_overlapping: bool,
}

impl Default for HazardSettings {
    fn default() -> Self {
        HazardSettings {
            fit: FitSettings::default(),
            endpoint: Endpoint::Pfs,
            grouping: Grouping::Column(COMPARISON.into()),
            keep_overlapping: false,
        }
    }
}

/// A row on the log scale, oriented to its comparison.
struct Oriented<'a> {
    row: &'a HrRow,
    treatment: String,
    comparator: String,
    inverted: bool,
    yi: f64,
    se: f64,
    fields: BTreeMap<String, String>,
}

/// Orients every row so that each unordered pair of drugs is read one way only: the way it
/// first appears. A row written the other way round is inverted (ln HR → −ln HR, the SE is
/// unchanged), never mixed with its mirror image.
fn orient<'a>(
    rows: &[&'a HrRow],
    warnings: &mut Vec<String>,
) -> Result<Vec<Oriented<'a>>, AnalysisError> {
    let mut first: HashMap<(String, String), (String, String)> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut inverted_names = Vec::new();
    for &row in rows {
        let key = if row.treatment < row.comparator {
            (row.treatment.clone(), row.comparator.clone())
        } else {
            (row.comparator.clone(), row.treatment.clone())
        };
        let (t, c) = first
            .entry(key)
            .or_insert_with(|| (row.treatment.clone(), row.comparator.clone()))
            .clone();
        let inverted = t != row.treatment;
        let (yi, se) = row.log_hr().map_err(AnalysisError::BadStudy)?;
        if inverted {
            inverted_names.push(row.study.as_str());
        }
        let mut fields = row.fields.clone();
        fields.insert(COMPARISON.into(), format!("{t} vs {c}"));
        out.push(Oriented {
            row,
            treatment: t,
            comparator: c,
            inverted,
            yi: if inverted { -yi } else { yi },
            se,
            fields,
        });
    }
    if !inverted_names.is_empty() {
        warnings.push(format!(
            "{} row(s) written the other way round were inverted (HR → 1/HR) to match their comparison: {}",
            inverted_names.len(),
            inverted_names.join("; ")
        ));
    }
    Ok(out)
}

fn analyse_group(
    group: Option<String>,
    members: &[&Oriented<'_>],
    s: &HazardSettings,
    warnings: &mut Vec<String>,
) -> Result<Analysis<HazardStudyResult>, AnalysisError> {
    let yi: Vec<f64> = members.iter().map(|m| m.yi).collect();
    let vi: Vec<f64> = members.iter().map(|m| m.se * m.se).collect();
    let f = fit(&yi, &vi, &s.fit).map_err(|e| AnalysisError::BadStudy(e.to_string()))?;
    let prefix = group
        .as_deref()
        .map(|g| format!("{g}: "))
        .unwrap_or_default();
    warnings.extend(f.warnings.iter().map(|w| format!("{prefix}{w}")));
    let z = z_crit(s.fit.level.get());
    let studies = members
        .iter()
        .enumerate()
        .map(|(i, m)| HazardStudyResult {
            study: m.row.study.clone(),
            trial: m.row.trial.clone(),
            treatment: m.treatment.clone(),
            comparator: m.comparator.clone(),
            estimate: m.yi.exp(),
            lower: (m.yi - z * m.se).exp(),
            upper: (m.yi + z * m.se).exp(),
            yi: m.yi,
            vi: vi[i],
            weight_common: f.weights_common[i],
            weight_random: f.weights_random[i],
            se_from: match m.row.precision {
                _ if m.row.from_medians => "medians (exponential approximation)".into(),
                Precision::Ci { .. } => "ci".into(),
                Precision::PValue(_) => "p-value".into(),
            },
            ci_level_reported: match m.row.precision {
                Precision::Ci { level, .. } => Some(level),
                Precision::PValue(_) => None,
            },
            inverted: m.inverted,
            n_treatment: if m.inverted {
                m.row.n_comparator
            } else {
                m.row.n_treatment
            },
            n_comparator: if m.inverted {
                m.row.n_treatment
            } else {
                m.row.n_comparator
            },
            line: m.row.line,
        })
        .collect();
    // Saturating: sample sizes near u64::MAX must not wrap (found by fuzzing).
    let n = members.iter().try_fold(0u64, |s, m| {
        Some(s.saturating_add(m.row.n_treatment?.saturating_add(m.row.n_comparator?)))
    });
    let (common, random, prediction) =
        pooled_blocks(&f.common, &f.random, f.prediction.as_ref(), exp_back);
    Ok(Analysis {
        group,
        k: f.k,
        events: None,
        n,
        studies,
        common,
        random,
        prediction,
        heterogeneity: f.heterogeneity,
    })
}

/// Approximate PFS hazard ratios for randomized trials that report both arms' median PFS with
/// 95% CIs but no hazard ratio in `reported` (`--estimate-hr-from-medians`). Each derived row is
/// labelled "(HR from medians, exponential)" and carries `from_medians`, so every output says
/// it is an approximation.
pub fn hr_rows_from_medians(arms: &[Arm], reported: &[HrRow]) -> (Vec<HrRow>, Vec<String>) {
    let mut notes = Vec::new();
    let mut rows = Vec::new();
    let mut trials: Vec<&str> = Vec::new();
    for a in arms {
        if let Some(t) = a.trial.as_deref() {
            if !trials.contains(&t) {
                trials.push(t);
            }
        }
    }
    for trial in trials {
        if reported
            .iter()
            .any(|r| r.endpoint == Endpoint::Pfs && r.trial.as_deref() == Some(trial))
        {
            continue;
        }
        let members: Vec<&Arm> = arms
            .iter()
            .filter(|a| a.trial.as_deref() == Some(trial) && a.overlaps.is_empty())
            .collect();
        let [x, y] = members.as_slice() else { continue };
        if x.drug == y.drug {
            continue;
        }
        let (t, c) = if comparator_rank(&y.drug) <= comparator_rank(&x.drug) {
            (*x, *y)
        } else {
            (*y, *x)
        };
        let figures = |a: &Arm| match (a.median_pfs, a.median_pfs_lower, a.median_pfs_upper) {
            (Some(m), Some(lo), Some(hi)) if lo < m && m < hi => Some((m, lo, hi)),
            _ => None,
        };
        let (Some(ft), Some(fc)) = (figures(t), figures(c)) else {
            notes.push(format!(
                "trial '{trial}': no hazard ratio from medians (both arms need a median PFS with a 95% CI)"
            ));
            continue;
        };
        let (yi, se) = log_hr_from_medians(ft, fc, 0.95);
        let z = z_crit(0.95);
        let mut fields = t.fields.clone();
        fields.insert("treatment".into(), t.drug.clone());
        fields.insert("comparator".into(), c.drug.clone());
        rows.push(HrRow {
            line: t.line,
            study: format!("{trial} (HR from medians, exponential)"),
            trial: Some(trial.to_string()),
            treatment: t.drug.clone(),
            comparator: c.drug.clone(),
            endpoint: Endpoint::Pfs,
            hr: yi.exp(),
            precision: Precision::Ci {
                lower: (yi - z * se).exp(),
                upper: (yi + z * se).exp(),
                level: 0.95,
            },
            n_treatment: Some(t.n),
            n_comparator: Some(c.n),
            overlaps: Vec::new(),
            source: format!(
                "approximated by alkstats from the arms' median PFS: {}; {}",
                t.source, c.source
            ),
            fields,
            from_medians: true,
        });
    }
    if !rows.is_empty() {
        notes.push(format!(
            "{} hazard ratio(s) are APPROXIMATED from the arms' median PFS under exponential survival \
             (HR = median_comparator / median_treatment), not reported by the trials: {}",
            rows.len(),
            rows.iter().map(|r| r.study.as_str()).collect::<Vec<_>>().join("; ")
        ));
    }
    (rows, notes)
}

/// Pools log hazard ratios of one endpoint per comparison (or another grouping).
///
/// The SE of each row comes from its CI at the CI's own level, or from its two-sided p-value
/// when no CI is given (Altman & Bland 2011). Rows marked as superseded (`overlaps`) are left
/// out unless asked for; rows of the other endpoint are not used. Every exclusion is named in
/// the warnings.
///
/// # Errors
/// No row for the endpoint, an unknown `--by` column, or a row without a usable SE.
pub fn pool_hazard_ratios(
    rows: &[HrRow],
    headers: &[String],
    data_name: &str,
    s: &HazardSettings,
) -> Result<PoolReport<HazardStudyResult>, AnalysisError> {
    let mut warnings = Vec::new();
    let endpoint_rows: Vec<&HrRow> = rows.iter().filter(|r| r.endpoint == s.endpoint).collect();
    let (kept, superseded): (Vec<&HrRow>, Vec<&HrRow>) = endpoint_rows
        .into_iter()
        .partition(|r| s.keep_overlapping || r.overlaps.is_empty());
    if !superseded.is_empty() {
        let names: Vec<String> = superseded
            .iter()
            .map(|r| format!("{} (superseded by {})", r.study, r.overlaps.join(" and ")))
            .collect();
        warnings.push(format!(
            "{} row(s) are superseded by other rows and left out (use --keep-overlapping to include them): {}",
            names.len(),
            names.join("; ")
        ));
    }
    if kept.is_empty() {
        return Err(AnalysisError::NothingToPool(format!(
            "{data_name}: no hazard ratio for endpoint '{}'",
            s.endpoint
        )));
    }
    let oriented = orient(&kept, &mut warnings)?;
    let mut headers = headers.to_vec();
    headers.push(COMPARISON.into());
    let groups = split(&oriented, &s.grouping, &headers, |o| &o.fields)?;
    let mut analyses = Vec::with_capacity(groups.len());
    for (label, members) in groups {
        analyses.push(analyse_group(label, &members, s, &mut warnings)?);
    }
    let subgroup_test = subgroup_tests(&analyses, s.grouping != Grouping::None);
    if s.grouping == Grouping::Column(COMPARISON.into()) && subgroup_test.is_some() {
        warnings.push(
            "the test for subgroup differences compares different comparisons (different drug pairs); \
             read it as a descriptive contrast, not a test of one effect"
                .into(),
        );
    }
    Ok(PoolReport {
        alkstats_version: VERSION.to_string(),
        command: "pool".into(),
        outcome: "hr".into(),
        settings: PoolSettingsEcho {
            sm: "HR".into(),
            scale: "log hazard ratio".into(),
            method_tau: s.fit.method_tau,
            random_ci: s.fit.random_ci,
            prediction: s.fit.prediction,
            ci_study: None,
            level: s.fit.level.get(),
            by: s.grouping.label().to_string(),
            incr: None,
            endpoint: Some(s.endpoint.to_string()),
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

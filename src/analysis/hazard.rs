//! Pooling hazard ratios (`alkstats pool --outcome hr`): generic inverse-variance pooling of
//! log HR, grouped by comparison, with the same fit and report shape as proportions.

use super::direction::Orientations;
use super::group::Grouping;
use super::pipeline::{
    analyse_groups, fit_group, model_analysis, partition_overlapping, report, settings_echo,
};
use super::report::{HazardStudyResult, PoolReport};
use super::study_rows::StudyWeights;
use super::{AnalysisError, NothingToPool};
use crate::data::hr::{HrRow, Precision};
use crate::data::Arm;
use crate::dist::z_crit;
use crate::effect::median::log_hr_from_medians;
use crate::model::{EffectSizes, Measure, ModelSettings, Study};
use crate::settings::{Endpoint, FitSettings};
use std::collections::HashMap;
use std::sync::Arc;

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
    fields: crate::data::cursor::Fields,
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
        let (yi, se) = row.log_hr()?;
        if inverted {
            inverted_names.push(row.study.as_str());
        }
        let mut fields = row.fields.clone();
        Arc::make_mut(&mut fields).insert(COMPARISON.into(), format!("{t} vs {c}"));
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
) -> Result<Option<super::report::Analysis<HazardStudyResult>>, AnalysisError> {
    let studies = members
        .iter()
        .map(|m| Study {
            n: m.row
                .n_treatment
                .zip(m.row.n_comparator)
                .map(|(a, b)| a.saturating_add(b)),
            fields: m.fields.clone(),
            ..Study::new(m.row.study.clone(), m.row.line, m.yi, m.se * m.se)
        })
        .collect();
    let data = EffectSizes::new(Measure::HazardRatio, studies);
    let model = fit_group(
        data,
        ModelSettings::inverse_variance(s.fit),
        group.as_deref(),
        warnings,
    )?;
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
            vi: m.se * m.se,
            weights: StudyWeights::of(&model, i),
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
    // Every row must give both arms' n for a total; saturating (found by fuzzing).
    let n = model
        .data()
        .studies
        .iter()
        .try_fold(0u64, |t, st| Some(t.saturating_add(st.n?)));
    Ok(Some(model_analysis(model, group, (None, n), studies)))
}

/// Approximate PFS hazard ratios for randomized trials that report both arms' median PFS with
/// 95% CIs but no hazard ratio in `reported` (`--estimate-hr-from-medians`). Each derived row is
/// labelled "(HR from medians, exponential)" and carries `from_medians`, so every output says
/// it is an approximation.
///
/// The arms of a trial are oriented as `--compare` orients them ([`super::direction`]).
///
/// # Errors
/// [`AnalysisError::ArmRoles`] for a trial whose two arms have the same `role`.
pub fn hr_rows_from_medians(
    arms: &[Arm],
    reported: &[HrRow],
    data: &str,
) -> Result<(Vec<HrRow>, Vec<String>), AnalysisError> {
    let mut notes = Vec::new();
    let mut orientations = Orientations::default();
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
        let (t, c) = orientations.orient(data, trial, (x, y), None)?;
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
        let own = Arc::make_mut(&mut fields);
        own.insert("treatment".into(), t.drug.clone());
        own.insert("comparator".into(), c.drug.clone());
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
    notes.extend(orientations.warnings(None));
    Ok((rows, notes))
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
    let endpoint_rows = rows.iter().filter(|r| r.endpoint == s.endpoint);
    let (kept, superseded) =
        partition_overlapping(endpoint_rows, s.keep_overlapping, |r| &r.overlaps);
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
        return Err(AnalysisError::NothingToPool {
            data: data_name.to_string(),
            reason: NothingToPool::NoHazardRatio(s.endpoint),
        });
    }
    let oriented = orient(&kept, &mut warnings)?;
    let mut headers = headers.to_vec();
    headers.push(COMPARISON.into());
    let analyses = analyse_groups(
        &oriented,
        &s.grouping,
        &headers,
        |o| &o.fields,
        |label, members| analyse_group(label, members, s, &mut warnings),
    )?;
    let by_comparison = s.grouping == Grouping::Column(COMPARISON.into());
    let measure = Measure::HazardRatio;
    let mut settings = settings_echo(measure, &s.fit, &s.grouping, s.keep_overlapping, data_name);
    settings.endpoint = Some(s.endpoint.to_string());
    let mut report = report(
        measure,
        "hr",
        settings,
        analyses,
        s.grouping != Grouping::None,
        warnings,
    );
    if by_comparison && report.subgroup_test.is_some() {
        report.warnings.push(
            "the test for subgroup differences compares different comparisons (different drug pairs); \
             read it as a descriptive contrast, not a test of one effect"
                .into(),
        );
    }
    Ok(report)
}

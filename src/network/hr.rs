//! Hazard-ratio networks (`alkstats network --outcome hr`): selects the rows of one endpoint
//! (and optionally one setting) from a comparative-results table, leaves out superseded rows
//! as `pool` does, turns each row into a contrast (ln HR and its variance, from the CI at its
//! own level or from the p-value), and wraps the analysis in the JSON report of docs/json-contract.md.

use super::report::{analyse, ComponentAnalysis};
use super::settings::NetworkSettings;
use super::{Contrast, NetworkError};
use crate::data::hr::HrRow;
use crate::settings::Endpoint;
use crate::VERSION;
use serde::Serialize;
use std::collections::BTreeSet;

/// Settings of a hazard-ratio network.
#[derive(Debug, Clone, PartialEq)]
pub struct HrNetworkSettings {
    /// Model settings.
    pub network: NetworkSettings,
    /// Endpoint analysed.
    pub endpoint: Endpoint,
    /// Keep only rows whose `setting` column has this value (case-insensitive).
    pub setting: Option<String>,
    /// Include rows superseded by others.
    pub keep_overlapping: bool,
}

impl Default for HrNetworkSettings {
    fn default() -> Self {
        HrNetworkSettings {
            network: NetworkSettings::default(),
            endpoint: Endpoint::Pfs,
            setting: None,
            keep_overlapping: false,
        }
    }
}

/// The settings as echoed in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingsEcho {
    /// Model.
    pub model: String,
    /// τ² estimator.
    pub method_tau: String,
    /// Requested reference (`null` for the default).
    pub reference: Option<String>,
    /// Setting selected (`null` for all rows).
    pub setting: Option<String>,
    /// Direction of benefit for the ranking.
    pub small_values: String,
    /// Confidence level.
    pub level: f64,
    /// Superseded rows included.
    pub keep_overlapping: bool,
    /// Data file.
    pub data: String,
}

/// The `alkstats network` report: the component holding the reference at the top level (the
/// whole network when it is connected), other components in `other_components`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkReport {
    /// alkstats version.
    pub alkstats_version: String,
    /// Always `network`.
    pub command: String,
    /// Always `hr`.
    pub outcome: String,
    /// Endpoint.
    pub endpoint: String,
    /// Settings.
    pub settings: SettingsEcho,
    /// Whether the network is connected.
    pub connected: bool,
    /// The analysis (reference, tau2, heterogeneity, effects, ranking, ...).
    #[serde(flatten)]
    pub analysis: ComponentAnalysis,
    /// Other sub-networks of a disconnected network, each analysed on its own.
    pub other_components: Vec<ComponentAnalysis>,
    /// Rows left out and why, and everything else the reader must know.
    pub warnings: Vec<String>,
}

/// ln HR and its variance of one row.
fn contrast_of(row: &HrRow) -> Result<Contrast, NetworkError> {
    let (yi, se) = row.log_hr().map_err(NetworkError::NoStandardError)?;
    Ok(Contrast {
        label: row.study.clone(),
        study: row.trial.clone().unwrap_or_else(|| row.study.clone()),
        treatment: row.treatment.clone(),
        comparator: row.comparator.clone(),
        yi,
        vi: se * se,
        n_treatment: row.n_treatment,
        n_comparator: row.n_comparator,
    })
}

/// Runs a network meta-analysis of the hazard ratios of one endpoint.
///
/// Rows of the other endpoint are not used; rows whose `overlaps` names a superseding row are
/// left out unless asked for (each named in a warning); with `setting`, only rows of that
/// setting are used. Rows of one trial form one study (a multi-arm trial must give every
/// pairwise HR).
///
/// # Errors
/// An unknown setting, no row left, and every error of [`analyse`].
pub fn hr_network(
    rows: &[HrRow],
    data_name: &str,
    s: &HrNetworkSettings,
) -> Result<NetworkReport, NetworkError> {
    let mut warnings = Vec::new();
    let endpoint_rows: Vec<&HrRow> = rows.iter().filter(|r| r.endpoint == s.endpoint).collect();
    let selected: Vec<&HrRow> = match &s.setting {
        None => {
            let settings: BTreeSet<&str> = endpoint_rows
                .iter()
                .filter_map(|r| r.fields.get("setting").map(String::as_str))
                .filter(|v| !v.is_empty())
                .collect();
            if settings.len() > 1 {
                warnings.push(format!(
                    "the network mixes settings ({}); --setting selects one",
                    settings.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
            endpoint_rows
        }
        Some(setting) => {
            if !rows.iter().any(|r| r.fields.contains_key("setting")) {
                return Err(NetworkError::NoSettingColumn {
                    setting: setting.clone(),
                    data: data_name.to_string(),
                });
            }
            let matching: Vec<&HrRow> = endpoint_rows
                .iter()
                .copied()
                .filter(|r| {
                    r.fields
                        .get("setting")
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case(setting.trim()))
                })
                .collect();
            if matching.is_empty() {
                let available: BTreeSet<&str> = endpoint_rows
                    .iter()
                    .filter_map(|r| r.fields.get("setting").map(String::as_str))
                    .filter(|v| !v.is_empty())
                    .collect();
                return Err(NetworkError::NoRowsInSetting {
                    setting: setting.clone(),
                    data: data_name.to_string(),
                    endpoint: s.endpoint,
                    available: if available.is_empty() {
                        "none".to_string()
                    } else {
                        available.into_iter().collect::<Vec<_>>().join(", ")
                    },
                });
            }
            matching
        }
    };
    let (kept, superseded): (Vec<&HrRow>, Vec<&HrRow>) = selected
        .into_iter()
        .partition(|r| s.keep_overlapping || r.overlaps.is_empty());
    if !superseded.is_empty() {
        let names: Vec<String> = superseded
            .iter()
            .map(|r| format!("{} (superseded by {})", r.study, r.overlaps.join(" and ")))
            .collect();
        warnings.push(format!(
            "{} row(s) are superseded by other rows and left out (use --keep-overlapping to \
             include them): {}",
            names.len(),
            names.join("; ")
        ));
    }
    if kept.is_empty() {
        return Err(NetworkError::NoRows {
            data: data_name.to_string(),
            endpoint: s.endpoint,
            setting: s.setting.clone(),
        });
    }
    let contrasts: Vec<Contrast> = kept
        .iter()
        .map(|r| contrast_of(r))
        .collect::<Result<_, _>>()?;
    let analysis = analyse(&contrasts, &s.network)?;
    warnings.extend(analysis.warnings);
    let n = &s.network;
    Ok(NetworkReport {
        alkstats_version: VERSION.to_string(),
        command: "network".into(),
        outcome: "hr".into(),
        endpoint: s.endpoint.to_string(),
        settings: SettingsEcho {
            model: n.model.to_string(),
            method_tau: n.method_tau.to_string(),
            reference: n.reference.clone(),
            setting: s.setting.clone(),
            small_values: n.small_values.to_string(),
            level: n.level.get(),
            keep_overlapping: s.keep_overlapping,
            data: data_name.to_string(),
        },
        connected: analysis.others.is_empty(),
        analysis: analysis.main,
        other_components: analysis.others,
        warnings,
    })
}

//! How each outcome is labelled on a forest plot: title stem, axis label, column headers,
//! axis type, null value and "favours" labels.
//!
//! Kept apart from the data conversion because it is the one place that knows outcomes by
//! name; it is slated to be replaced by a typed measure.

use crate::analysis::report::PoolReport;

/// How an outcome is labelled on a forest plot.
pub(super) struct OutcomeLabels {
    pub(super) what: &'static str,
    pub(super) x_label: String,
    pub(super) data_header: &'static str,
    pub(super) estimate_header: &'static str,
    pub(super) log_axis: bool,
    pub(super) null_value: Option<f64>,
    pub(super) favours: Option<(String, String)>,
    /// Whether the analysis totals (events/n) fit the data column.
    pub(super) totals: bool,
}

pub(super) fn outcome_labels<S>(report: &PoolReport<S>) -> OutcomeLabels {
    match report.outcome.as_str() {
        "orr" => OutcomeLabels {
            what: "Objective response rate",
            x_label: "Proportion responding".into(),
            data_header: "Events/N",
            estimate_header: "Proportion",
            log_axis: false,
            null_value: None,
            favours: None,
            totals: true,
        },
        "hr" => OutcomeLabels {
            what: "Hazard ratio",
            x_label: "Hazard ratio (log scale)".into(),
            data_header: "N (T/C)",
            estimate_header: "HR",
            log_axis: true,
            null_value: Some(1.0),
            favours: Some(("Favours treatment".into(), "Favours comparator".into())),
            totals: false,
        },
        "orr-compare" => {
            let sm = report.settings.sm.as_str();
            let (what, x_label, log_axis, null) = match sm {
                "RR" => (
                    "Response: risk ratio",
                    "Risk ratio of response (log scale)",
                    true,
                    1.0,
                ),
                "OR" => (
                    "Response: odds ratio",
                    "Odds ratio of response (log scale)",
                    true,
                    1.0,
                ),
                _ => (
                    "Response: risk difference",
                    "Risk difference of response",
                    false,
                    0.0,
                ),
            };
            OutcomeLabels {
                what,
                x_label: x_label.into(),
                data_header: "Events/N\n(T vs C)",
                estimate_header: match sm {
                    "RR" | "OR" => sm_static(sm),
                    _ => "RD",
                },
                log_axis,
                null_value: Some(null),
                favours: Some(("Favours comparator".into(), "Favours treatment".into())),
                totals: false,
            }
        }
        "pfs" => OutcomeLabels {
            what: "Median progression-free survival",
            x_label: "Median PFS, months (log scale)".into(),
            data_header: "N",
            estimate_header: "Median",
            // Medians are pooled as log medians; a log axis keeps their intervals symmetric.
            log_axis: true,
            null_value: None,
            favours: None,
            totals: false,
        },
        _ => OutcomeLabels {
            what: "Pooled estimate",
            x_label: report.settings.scale.clone(),
            data_header: "N",
            estimate_header: "Estimate",
            log_axis: false,
            null_value: None,
            favours: None,
            totals: false,
        },
    }
}

fn sm_static(sm: &str) -> &'static str {
    if sm == "RR" {
        "RR"
    } else {
        "OR"
    }
}

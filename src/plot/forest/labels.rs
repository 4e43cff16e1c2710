//! How a measure is labelled on a forest plot: title stem, axis label, column headers, axis
//! type, null value and "favours" labels — all asked of the report's [`Measure`].

use crate::analysis::report::PoolReport;
use crate::model::Measure;

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
    /// Whether the title names the endpoint (hazard ratios).
    pub(super) names_endpoint: bool,
    /// Names of the two arms of two-arm data: their data are shown per arm.
    pub(super) arms: Option<(&'static str, &'static str)>,
}

/// The labels of `report`'s measure.
pub(super) fn outcome_labels<S>(report: &PoolReport<S>) -> OutcomeLabels {
    labels_of(report.measure, report.labels())
}

/// The labels `l` of a measure `m` as a forest plot uses them.
pub(super) fn labels_of(m: Measure, l: crate::model::MeasureLabels) -> OutcomeLabels {
    OutcomeLabels {
        what: l.what,
        x_label: l.x_label.to_string(),
        data_header: l.data_header,
        estimate_header: l.estimate_header,
        log_axis: m.log_axis(),
        null_value: m.null_value(),
        favours: l.favours.map(|(a, b)| (a.to_string(), b.to_string())),
        totals: l.totals,
        names_endpoint: m == Measure::HazardRatio,
        arms: l.arms,
    }
}

//! The forest plot of a network: every treatment against the reference, read from an analysis
//! into the same [`ForestData`] a pairwise forest plot uses, so it is laid out and drawn by
//! the same code.

use crate::network::hr::NetworkReport;
use crate::network::report::ComponentAnalysis;
use crate::network::settings::EffectScale;
use crate::plot::axis::fmt_tick;
use crate::plot::forest::{self, ForestData, ForestGroup, ForestRow, Summary};
use crate::plot::{Format, Page, PlotError};

/// The forest plot of a hazard-ratio network report against its reference, titled after its
/// endpoint and setting: what `alkstats network --forest` draws and a report shows.
pub fn report_forest(report: &NetworkReport) -> ForestData {
    let a = &report.analysis;
    let setting = report.settings.setting.as_deref();
    let title = format!(
        "{} HR vs {}{}",
        report.endpoint.to_uppercase(),
        a.reference,
        setting
            .map(|s| format!(" ({s} network)"))
            .unwrap_or_default()
    );
    forest_data(
        a,
        &title,
        EffectScale::LogRatio,
        report.settings.level,
        "HR",
    )
}

/// Reads a component into a forest plot of every treatment against the reference, best
/// P-score first; squares are sized by the precision (1/SE²) of each estimate.
pub fn forest_data(
    a: &ComponentAnalysis,
    title: &str,
    scale: EffectScale,
    level: f64,
    measure: &str,
) -> ForestData {
    let mut rows = Vec::new();
    for r in &a.ranking {
        if r.treatment == a.reference {
            continue;
        }
        let Some(e) = a.effect(&r.treatment, &a.reference) else {
            continue;
        };
        rows.push(ForestRow {
            label: r.treatment.clone(),
            left_cells: vec![e.k_direct.to_string(), format!("{:.2}", r.p_score)],
            estimate: e.estimate,
            lower: Some(e.lower),
            upper: Some(e.upper),
            weight_pct: 1.0 / (e.se * e.se),
        });
    }
    let total: f64 = rows.iter().map(|r| r.weight_pct).sum();
    if total > 0.0 {
        for r in &mut rows {
            r.weight_pct *= 100.0 / total;
        }
    }
    let log = matches!(scale, EffectScale::LogRatio);
    let h = &a.heterogeneity;
    let het = format!("τ² = {:.4}; Q = {:.2}, df = {}", a.tau2, h.q, h.df);
    // Room on both sides of the null value for the "favours" labels: at least a factor 2
    // (log scale) or the data's own range.
    let null = scale.null_value();
    let (lo, hi) = rows.iter().fold((null, null), |(lo, hi), r| {
        (
            lo.min(r.lower.unwrap_or(r.estimate)),
            hi.max(r.upper.unwrap_or(r.estimate)),
        )
    });
    let xlim = if log {
        Some((lo.min(0.5), hi.max(2.0)))
    } else {
        let span = (hi - lo).max(f64::MIN_POSITIVE);
        Some((lo.min(null - span / 2.0), hi.max(null + span / 2.0)))
    };
    ForestData {
        title: title.to_string(),
        x_label: if log {
            format!("{measure} vs {} (log scale)", a.reference)
        } else {
            format!("{measure} vs {}", a.reference)
        },
        log_axis: log,
        null_value: Some(scale.null_value()),
        favours: Some((
            "Favours treatment".into(),
            format!("Favours {}", a.reference),
        )),
        label_header: "Treatment".into(),
        left_headers: vec!["Direct\ntrials".into(), "P-score".into()],
        estimate_header: format!("{measure} [{}% CI]", fmt_tick(level * 100.0)),
        digits: 2,
        groups: vec![ForestGroup {
            label: None,
            rows,
            summary: Summary {
                diamonds: vec![],
                prediction: None,
                heterogeneity: Some(het),
                tests: Vec::new(),
            },
        }],
        overall: None,
        pooled_line: None,
        footnotes: vec![
            format!(
                "{} effects; network estimates against {}; rows ordered by P-score, best first",
                match a.model {
                    crate::network::NetworkModel::Random => "Random",
                    crate::network::NetworkModel::Common => "Common",
                },
                a.reference
            ),
            format!(
                "Inconsistency between designs: Q = {:.2}, df = {}",
                h.q_inconsistency, h.df_inconsistency
            ),
        ],
        xlim,
    }
}

/// Lays out and renders the forest plot of a network to PNG or SVG bytes.
///
/// # Errors
/// As [`forest::render`].
pub fn render_forest(data: &ForestData, page: &Page, format: Format) -> Result<Vec<u8>, PlotError> {
    forest::render(data, page, format)
}

//! The figures of a run, drawn in memory as PNG and SVG with the plot functions and default
//! layout of `alkstats forest`, `alkstats funnel` and `alkstats network`, so that a report's
//! figure is the one the command line would draw.

use crate::analysis::report::{PoolReport, StudyRow};
use crate::network::hr::NetworkReport;
use crate::network::settings::EffectScale;
use crate::plot::forest::{forest_data, ForestOptions, Models};
use crate::plot::funnel::{funnel_data, FunnelOptions};
use crate::plot::{self, Format, Page, PlotError};
use crate::report::plan::FigurePlan;
use crate::report::ReportError;
use std::collections::HashMap;

/// The kinds of figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    /// Forest plot.
    Forest,
    /// Funnel plot.
    Funnel,
    /// Network graph.
    Graph,
    /// Baujat plot.
    Baujat,
    /// Panels of the influence diagnostics.
    Influence,
}

impl FigureKind {
    /// Used in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::Forest => "forest",
            FigureKind::Funnel => "funnel",
            FigureKind::Graph => "graph",
            FigureKind::Baujat => "baujat",
            FigureKind::Influence => "influence",
        }
    }
}

/// One figure in both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Forest or funnel.
    pub kind: FigureKind,
    /// Path without extension, relative to the report folder (`figures/ID_forest`).
    pub stem: String,
    /// PNG bytes.
    pub png: Vec<u8>,
    /// SVG bytes.
    pub svg: Vec<u8>,
}

/// Draws the figures of one analysis exactly as `alkstats forest` / `alkstats funnel` with
/// default layout would: `overall` is the same analysis without subgroups.
pub(super) fn draw<S: StudyRow>(
    id: &str,
    report: &PoolReport<S>,
    overall: Option<&PoolReport<S>>,
    years: HashMap<String, i32>,
    figures: &FigurePlan,
    dpi: f64,
) -> Result<Vec<Figure>, ReportError> {
    let err = |source: PlotError| ReportError::Plot {
        id: id.to_string(),
        source,
    };
    let page = Page {
        width: None,
        height: None,
        dpi,
    };
    let both = |scene: &plot::scene::Scene| -> Result<(Vec<u8>, Vec<u8>), ReportError> {
        Ok((
            plot::render(scene, Format::Png, dpi).map_err(err)?,
            plot::render(scene, Format::Svg, dpi).map_err(err)?,
        ))
    };
    let mut out = Vec::new();
    if figures.forest {
        let opts = ForestOptions {
            models: figures.forest_model,
            sort: figures.forest_sort,
            years,
            title: None,
            xlim: None,
        };
        let all = overall.and_then(|r| r.analyses.first());
        let data = forest_data(report, all, &opts).map_err(err)?;
        let scene = plot::forest::layout(&data, &page).map_err(err)?;
        let (png, svg) = both(&scene)?;
        out.push(Figure {
            kind: FigureKind::Forest,
            stem: format!("figures/{id}_forest"),
            png,
            svg,
        });
    }
    if figures.funnel {
        // As `alkstats funnel` without --group: all studies pooled together.
        let source = if report.analyses.len() == 1 {
            report
        } else {
            overall.unwrap_or(report)
        };
        let analysis = source.analyses.first().ok_or_else(|| {
            err(PlotError::Empty {
                subject: "the analysis",
                missing: "studies",
            })
        })?;
        let opts = FunnelOptions {
            models: Models::Random,
            contour_center: None,
            title: None,
        };
        let data = funnel_data(source, analysis, &opts).map_err(err)?;
        let scene = plot::funnel::layout(&data, &page).map_err(err)?;
        let (png, svg) = both(&scene)?;
        out.push(Figure {
            kind: FigureKind::Funnel,
            stem: format!("figures/{id}_funnel"),
            png,
            svg,
        });
    }
    Ok(out)
}

/// Draws the network graph and the forest plot against the reference as `alkstats network
/// --graph PATH --forest PATH` does (same titles, same functions, default page).
pub(super) fn draw_network(
    id: &str,
    report: &NetworkReport,
    figures: &FigurePlan,
    dpi: f64,
) -> Result<Vec<Figure>, ReportError> {
    use crate::plot::network::{forest_data, graph_data, render_forest, render_graph};
    let err = |source: PlotError| ReportError::Plot {
        id: id.to_string(),
        source,
    };
    let page = Page {
        width: None,
        height: None,
        dpi,
    };
    let a = &report.analysis;
    let setting = report.settings.setting.as_deref();
    let endpoint = report.endpoint.to_uppercase();
    let mut out = Vec::new();
    if figures.graph {
        let what = format!(
            "{endpoint} hazard ratios{}",
            setting.map(|s| format!(", {s}")).unwrap_or_default()
        );
        let data = graph_data(a, &format!("Network of {what}"));
        out.push(Figure {
            kind: FigureKind::Graph,
            stem: format!("figures/{id}_graph"),
            png: render_graph(&data, &page, Format::Png).map_err(err)?,
            svg: render_graph(&data, &page, Format::Svg).map_err(err)?,
        });
    }
    if figures.forest {
        let title = format!(
            "{endpoint} HR vs {}{}",
            a.reference,
            setting
                .map(|s| format!(" ({s} network)"))
                .unwrap_or_default()
        );
        let data = forest_data(
            a,
            &title,
            EffectScale::LogRatio,
            report.settings.level,
            "HR",
        );
        out.push(Figure {
            kind: FigureKind::Forest,
            stem: format!("figures/{id}_forest"),
            png: render_forest(&data, &page, Format::Png).map_err(err)?,
            svg: render_forest(&data, &page, Format::Svg).map_err(err)?,
        });
    }
    Ok(out)
}

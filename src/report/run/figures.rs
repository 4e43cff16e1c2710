//! The figures of a run, drawn in memory as PNG and SVG with the plot functions and default
//! layout of `alkstats forest`, `alkstats funnel` and `alkstats network`, so that a report's
//! figure is the one the command line would draw.

use crate::analysis::report::{PoolReport, StudyRow};
use crate::network::hr::NetworkReport;
use crate::plot::forest::{forest_data, ForestOptions, Models};
use crate::plot::funnel::{funnel_data, FunnelOptions};
use crate::plot::scene::Scene;
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
    /// Funnel plot with trim-and-fill (a `bias` analysis).
    TrimFill,
    /// Baujat plot.
    Baujat,
    /// Panels of the influence diagnostics.
    Influence,
    /// Bubble plot of a meta-regression.
    Bubble,
}

impl FigureKind {
    /// Used in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::Forest => "forest",
            FigureKind::Funnel => "funnel",
            FigureKind::Graph => "graph",
            FigureKind::TrimFill => "trimfill",
            FigureKind::Baujat => "baujat",
            FigureKind::Influence => "influence",
            FigureKind::Bubble => "bubble",
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

/// What the figures of one analysis share: its id (in messages and file names) and the page.
struct Sheet<'a> {
    id: &'a str,
    page: Page,
}

impl<'a> Sheet<'a> {
    /// The default page at `dpi`, as the command line draws without --width/--height.
    fn new(id: &'a str, dpi: f64) -> Self {
        Sheet {
            id,
            page: Page {
                width: None,
                height: None,
                dpi,
            },
        }
    }

    fn err(&self, source: PlotError) -> ReportError {
        ReportError::Plot {
            id: self.id.to_string(),
            source,
        }
    }

    /// The figure of a laid-out scene, rendered once as PNG and once as SVG.
    fn figure(
        &self,
        kind: FigureKind,
        scene: Result<Scene, PlotError>,
    ) -> Result<Figure, ReportError> {
        let scene = scene.map_err(|e| self.err(e))?;
        let render = |format| plot::render(&scene, format, self.page.dpi).map_err(|e| self.err(e));
        Ok(Figure {
            kind,
            stem: format!("figures/{}_{}", self.id, kind.as_str()),
            png: render(Format::Png)?,
            svg: render(Format::Svg)?,
        })
    }
}

/// One figure of analysis `id`, laid out on the default page at `dpi`, in both formats.
pub(super) fn one_figure(
    id: &str,
    dpi: f64,
    kind: FigureKind,
    scene: Result<Scene, PlotError>,
) -> Result<Figure, ReportError> {
    Sheet::new(id, dpi).figure(kind, scene)
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
    let sheet = Sheet::new(id, dpi);
    let mut out = Vec::new();
    if figures.forest {
        let opts = ForestOptions {
            models: figures.forest_model,
            sort: figures.forest_sort,
            years,
            ..ForestOptions::default()
        };
        let all = overall.and_then(|r| r.analyses.first());
        let data = forest_data(report, all, &opts).map_err(|e| sheet.err(e))?;
        let scene = plot::forest::layout(&data, &sheet.page);
        out.push(sheet.figure(FigureKind::Forest, scene)?);
    }
    if figures.funnel {
        // As `alkstats funnel` without --group: all studies pooled together.
        let source = if report.analyses.len() == 1 {
            report
        } else {
            overall.unwrap_or(report)
        };
        let analysis = source.analyses.first().ok_or_else(|| {
            sheet.err(PlotError::Empty {
                subject: "the analysis",
                missing: "studies",
            })
        })?;
        let opts = FunnelOptions {
            models: Models::Random,
            contour_center: None,
            title: None,
        };
        let data = funnel_data(source, analysis, &opts).map_err(|e| sheet.err(e))?;
        let scene = plot::funnel::layout(&data, &sheet.page);
        out.push(sheet.figure(FigureKind::Funnel, scene)?);
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
    use crate::plot::network::{graph_layout, report_forest, report_graph};
    let sheet = Sheet::new(id, dpi);
    let mut out = Vec::new();
    if figures.graph {
        let scene = graph_layout(&report_graph(report), &sheet.page);
        out.push(sheet.figure(FigureKind::Graph, scene)?);
    }
    if figures.forest {
        let scene = plot::forest::layout(&report_forest(report), &sheet.page);
        out.push(sheet.figure(FigureKind::Forest, scene)?);
    }
    Ok(out)
}

//! Plot flags and drawing the plots that a `pool` run was asked for (`--forest PATH`, or the
//! `forest` and `funnel` subcommands, which run the same analysis with a plot and no table).
//!
//! The flags become typed, checked [`PlotSettings`] when a subcommand starts; [`draw`] works
//! from those. The analysis layer computes; this module only picks analyses out of the report
//! (running the same analysis without subgroups when a plot needs the overall result), converts
//! them with [`crate::plot`]'s conversion functions, and writes the image atomically.

use super::CliError;
use crate::analysis::group::Grouping;
use crate::analysis::report::{Analysis, PoolReport, StudyRow};
use crate::analysis::AnalysisError;
use crate::data::{DataSource, StudyYear};
use crate::methods::bias::{trim_and_fill, TrimFill, TrimFillEstimator};
use crate::plot::forest::{forest_data, ForestOptions, Models, SortOrder};
use crate::plot::funnel::{funnel_data, with_trim_and_fill, FunnelOptions};
use crate::plot::{self, Format, Page, PlotError, WriteError};
use clap::Args;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Page size flags shared by every plot.
#[derive(Debug, Clone, PartialEq, Args)]
pub struct PageArgs {
    /// Width in inches (pixels = inches × dpi); default: the forest's natural width, 6.5 for a
    /// funnel. A forest is never narrower than its columns need.
    #[arg(long, value_name = "INCHES")]
    pub width: Option<f64>,
    /// Height in inches; default: a forest grows with its rows (a larger height spreads them
    /// out), 5.5 for a funnel.
    #[arg(long, value_name = "INCHES")]
    pub height: Option<f64>,
    /// Resolution: pixels per inch of a PNG (and of an SVG's pixel size). Text and lines are
    /// sized in points, so a higher dpi gives a sharper image of the same figure.
    #[arg(long, default_value_t = 100.0)]
    pub dpi: f64,
}

impl Default for PageArgs {
    fn default() -> Self {
        PageArgs {
            width: None,
            height: None,
            dpi: 100.0,
        }
    }
}

impl PageArgs {
    /// The page these flags describe.
    pub fn page(&self) -> Page {
        Page {
            width: self.width,
            height: self.height,
            dpi: self.dpi,
        }
    }
}

/// Layout flags of a forest plot.
#[derive(Debug, Clone, PartialEq, Default, Args)]
pub struct ForestLayoutArgs {
    /// Order of studies within each subgroup: input, estimate, year, weight.
    #[arg(long, default_value = "input")]
    pub sort: SortOrder,
    /// Pooled models drawn: both (common and random, as R meta), random, common.
    #[arg(long, default_value = "both")]
    pub model: Models,
    /// Axis limits LO,HI on the display scale (e.g. 0,1 or 0.1,2); intervals beyond them end
    /// in arrows. Default: fitted to the data.
    #[arg(long, value_name = "LO,HI", value_parser = parse_xlim, allow_hyphen_values = true)]
    pub xlim: Option<(f64, f64)>,
    /// Title; default: derived from the outcome and grouping.
    #[arg(long)]
    pub title: Option<String>,
    /// Label under the x axis; default: the measure's (R meta's xlab).
    #[arg(long, value_name = "TEXT")]
    pub xlab: Option<String>,
    /// Label left of the null line, e.g. "Favours drug A" (R meta's label.left); default: the
    /// measure's "favours" labels, naming the two drugs when every study compares the same two.
    #[arg(long, value_name = "TEXT")]
    pub label_left: Option<String>,
    /// Label right of the null line (R meta's label.right).
    #[arg(long, value_name = "TEXT")]
    pub label_right: Option<String>,
    /// Page size and resolution.
    #[command(flatten)]
    pub page: PageArgs,
}

fn parse_xlim(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [a, b] => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() && a < b => Ok((a, b)),
            _ => Err(format!(
                "'{s}': expected two increasing numbers LO,HI such as 0,1"
            )),
        },
        _ => Err(format!(
            "'{s}': expected two numbers separated by a comma, such as 0,1"
        )),
    }
}

/// A validated page: sizes and dpi within range.
///
/// # Errors
/// [`CliError::Usage`] naming the flag and its range.
pub fn checked_page(args: &PageArgs) -> Result<Page, CliError> {
    let page = args.page();
    page.validate().map_err(plot_error)?;
    Ok(page)
}

/// Layout of a forest plot, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForestLayout {
    /// Order of studies within each subgroup.
    pub sort: SortOrder,
    /// Pooled models drawn.
    pub models: Models,
    /// Axis limits on the display scale; `None` to fit the data.
    pub xlim: Option<(f64, f64)>,
    /// Title; `None` for one derived from the report.
    pub title: Option<String>,
    /// Axis label and "favours" labels; `None` for the measure's.
    pub labels: AxisLabels,
    /// Page size and resolution (validated).
    pub page: Page,
}

/// The caller's axis label and "favours" labels of a forest plot (`--xlab`, `--label-left`,
/// `--label-right`); `None` for the measure's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AxisLabels {
    /// `--xlab`.
    pub x_label: Option<String>,
    /// `--label-left`.
    pub left: Option<String>,
    /// `--label-right`.
    pub right: Option<String>,
}

impl ForestLayout {
    /// The layout the flags describe.
    ///
    /// # Errors
    /// A page size or dpi out of range (exit 2).
    pub fn from_args(args: ForestLayoutArgs) -> Result<Self, CliError> {
        Ok(ForestLayout {
            page: checked_page(&args.page)?,
            sort: args.sort,
            models: args.model,
            xlim: args.xlim,
            title: args.title,
            labels: AxisLabels {
                x_label: args.xlab,
                left: args.label_left,
                right: args.label_right,
            },
        })
    }
}

/// A forest plot to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestPlot {
    /// Image path (.png or .svg), not the input file.
    pub path: PathBuf,
    /// Layout.
    pub layout: ForestLayout,
}

impl ForestPlot {
    /// A forest plot to `path`, checked against the input `data`.
    ///
    /// # Errors
    /// An unsupported extension, or `path` is the input file (exit 2).
    pub fn new(path: PathBuf, layout: ForestLayout, data: &DataSource) -> Result<Self, CliError> {
        check_path(&path, data)?;
        Ok(ForestPlot { path, layout })
    }
}

/// A funnel plot to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPlot {
    /// Image path (.png or .svg), not the input file.
    pub path: PathBuf,
    /// Pooled line: random (default) or common.
    pub models: Models,
    /// Contour-enhanced around this reference value (analysis scale, finite).
    pub contour_center: Option<f64>,
    /// The subgroup of `--by` to draw; `None` for the single (or overall) analysis.
    pub group: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Page (validated).
    pub page: Page,
    /// Trim-and-fill: filled studies as open circles, the pooled line at their estimate.
    pub trimfill: bool,
}

/// Plots a `pool` run should draw besides its table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlotSettings {
    /// Forest plot.
    pub forest: Option<ForestPlot>,
    /// Funnel plot.
    pub funnel: Option<FunnelPlot>,
}

impl PlotSettings {
    /// Whether no plot is asked for.
    pub fn is_empty(&self) -> bool {
        self.forest.is_none() && self.funnel.is_none()
    }
}

/// Checks that `path` names a supported image format and is not the input file.
///
/// # Errors
/// [`CliError::Usage`] (exit 2) otherwise.
pub fn check_path(path: &Path, data: &DataSource) -> Result<Format, CliError> {
    let format = Format::from_path(path).map_err(|e| CliError::Usage(e.to_string()))?;
    if let DataSource::File(input) = data {
        if crate::io::same_file(path, input) {
            return Err(CliError::Usage(format!(
                "{}: this is the input file; choose another path",
                path.display()
            )));
        }
    }
    Ok(format)
}

pub(super) fn plot_error(e: PlotError) -> CliError {
    match e {
        e @ PlotError::Draw { .. } => CliError::Internal(e.into()),
        other => CliError::Usage(other.to_string()),
    }
}

fn write_error(e: WriteError) -> CliError {
    match e {
        WriteError::Plot(p) => plot_error(p),
        e @ WriteError::Io { .. } => CliError::Usage(e.to_string()),
    }
}

pub(super) fn write_scene(
    scene: &plot::scene::Scene,
    path: &Path,
    dpi: f64,
) -> Result<(), CliError> {
    plot::write(scene, path, dpi).map_err(write_error)?;
    eprintln!(
        "wrote {} ({:.0} × {:.0} px at {dpi} dpi)",
        path.display(),
        scene.width / 72.0 * dpi,
        scene.height / 72.0 * dpi
    );
    Ok(())
}

/// Trim-and-fill of an analysis' fitted model, with metafor's defaults (L0, side estimated).
fn trim_and_fill_of<S>(analysis: &Analysis<S>) -> Result<TrimFill, CliError> {
    let model = analysis.model.as_ref().ok_or_else(|| {
        CliError::Usage(
            "--trimfill needs a variance model; this analysis has none (median of medians)".into(),
        )
    })?;
    trim_and_fill(model, TrimFillEstimator::L0, None)
        .map_err(|e| CliError::Usage(format!("--trimfill: {e}")))
}

/// Draws the plots `plots` asks for from `report`. `rows` are the input rows (for years);
/// `regroup` reruns the same analysis with another grouping (for the overall result).
///
/// # Errors
/// An unknown `--group`, an analysis failure, or a failure to write.
pub fn draw<S: StudyRow, R: StudyYear>(
    plots: &PlotSettings,
    report: &PoolReport<S>,
    rows: &[R],
    regroup: impl Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
) -> Result<(), CliError> {
    let grouped = report.settings.by != "none";
    let mut overall_cache: Option<PoolReport<S>> = None;
    let overall = |report_needed: bool| -> Result<Option<PoolReport<S>>, CliError> {
        if !report_needed {
            return Ok(None);
        }
        let mut all = regroup(Grouping::None)?;
        all.shipped_data = report.shipped_data;
        Ok(Some(all))
    };
    if let Some(ForestPlot { path, layout }) = &plots.forest {
        overall_cache = overall(grouped)?;
        let years: HashMap<String, i32> = rows
            .iter()
            .filter_map(|r| r.study_year().1.map(|y| (r.study_year().0.to_string(), y)))
            .collect();
        let opts = ForestOptions {
            models: layout.models,
            sort: layout.sort,
            years,
            title: layout.title.clone(),
            xlim: layout.xlim,
            x_label: layout.labels.x_label.clone(),
            label_left: layout.labels.left.clone(),
            label_right: layout.labels.right.clone(),
        };
        let all = overall_cache.as_ref().and_then(|r| r.analyses.first());
        let data = forest_data(report, all, &opts).map_err(plot_error)?;
        let scene = plot::forest::layout(&data, &layout.page).map_err(plot_error)?;
        write_scene(&scene, path, layout.page.dpi)?;
    }
    if let Some(req) = &plots.funnel {
        let opts = FunnelOptions {
            models: req.models,
            contour_center: req.contour_center,
            title: req.title.clone(),
        };
        let analysis = match &req.group {
            Some(g) => report
                .analyses
                .iter()
                .find(|a| a.group.as_deref() == Some(g.as_str()))
                .ok_or_else(|| {
                    let names: Vec<&str> = report
                        .analyses
                        .iter()
                        .filter_map(|a| a.group.as_deref())
                        .collect();
                    CliError::Usage(format!(
                        "--group {g}: no such subgroup of --by {}; expected one of: {}",
                        report.settings.by,
                        names.join(", ")
                    ))
                })?,
            None if report.analyses.len() == 1 => &report.analyses[0],
            None => {
                if overall_cache.is_none() {
                    overall_cache = overall(true)?;
                }
                overall_cache
                    .as_ref()
                    .and_then(|r| r.analyses.first())
                    .ok_or_else(|| {
                        CliError::Usage("nothing to draw: the analysis has no studies".into())
                    })?
            }
        };
        let mut data = funnel_data(report, analysis, &opts).map_err(plot_error)?;
        if req.trimfill {
            data = with_trim_and_fill(data, &trim_and_fill_of(analysis)?);
        }
        let scene = plot::funnel::layout(&data, &req.page).map_err(plot_error)?;
        write_scene(&scene, &req.path, req.page.dpi)?;
    }
    Ok(())
}

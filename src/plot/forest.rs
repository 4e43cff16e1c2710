//! Forest plots, in the manner of RevMan and R `meta::forest`.
//!
//! Two steps. [`forest_data`] reads a [`PoolReport`] (any outcome) into a plot-ready,
//! outcome-neutral [`ForestData`]: labels, cells and intervals as they will be shown, nothing
//! recomputed. [`layout`] turns a `ForestData` into a [`Scene`]: a table of study rows with
//! squares (area ∝ weight) and whiskers, subgroup headers, common/random diamonds, prediction
//! bars, heterogeneity lines, the overall result, the test for subgroup differences, reference
//! and pooled-estimate lines, and a linear or log x axis with "favours" labels. Every column
//! is measured, so nothing overlaps; labels too long for their column end in an ellipsis.
//!
//! A future outcome only needs to fill a `ForestData` (hazard ratios set `log_axis` and a
//! null value of 1).

use super::axis::{choose_ticks, fmt_tick, Scale};
use super::font::{fit_text, text_width, Weight};
use super::scene::{Align, Grey, Scene, Stroke};
use super::{Page, PlotError};
use crate::analysis::report::{Analysis, PoolReport, StudyRow};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// Which pooled models are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Models {
    /// Common-effect and random-effects diamonds (as `meta`).
    #[default]
    Both,
    /// Random-effects only.
    Random,
    /// Common-effect only.
    Common,
}

impl Models {
    fn common(self) -> bool {
        matches!(self, Models::Both | Models::Common)
    }
    fn random(self) -> bool {
        matches!(self, Models::Both | Models::Random)
    }
}

impl FromStr for Models {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "both" => Ok(Models::Both),
            "random" => Ok(Models::Random),
            "common" | "fixed" => Ok(Models::Common),
            _ => Err(format!(
                "invalid model '{s}': expected one of both, random, common"
            )),
        }
    }
}

impl fmt::Display for Models {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Models::Both => "both",
            Models::Random => "random",
            Models::Common => "common",
        })
    }
}

/// Order of study rows within each subgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// As in the input file.
    #[default]
    Input,
    /// By estimate, smallest first.
    Estimate,
    /// By publication year, oldest first; rows without a year last.
    Year,
    /// By the weight that sizes the squares, heaviest first.
    Weight,
}

impl FromStr for SortOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "input" | "none" => Ok(SortOrder::Input),
            "estimate" => Ok(SortOrder::Estimate),
            "year" => Ok(SortOrder::Year),
            "weight" => Ok(SortOrder::Weight),
            _ => Err(format!(
                "invalid sort order '{s}': expected one of input, estimate, year, weight"
            )),
        }
    }
}

impl fmt::Display for SortOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SortOrder::Input => "input",
            SortOrder::Estimate => "estimate",
            SortOrder::Year => "year",
            SortOrder::Weight => "weight",
        })
    }
}

/// Choices made when turning a report into a forest plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForestOptions {
    /// Pooled models shown.
    pub models: Models,
    /// Row order within subgroups.
    pub sort: SortOrder,
    /// Publication year by study label, for [`SortOrder::Year`].
    pub years: HashMap<String, i32>,
    /// Title; `None` for one derived from the report.
    pub title: Option<String>,
    /// Axis limits on the display scale; `None` to fit the data.
    pub xlim: Option<(f64, f64)>,
}

/// Kind of pooled estimate, drawn differently so the two survive greyscale printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiamondKind {
    /// Common-effect model: light fill, black outline.
    Common,
    /// Random-effects model: solid black.
    Random,
}

/// One study row.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    /// Study label.
    pub label: String,
    /// Cells of the left-hand columns after the label (e.g. events/n, weights).
    pub left_cells: Vec<String>,
    /// Point estimate on the display scale.
    pub estimate: f64,
    /// Lower CI bound; `None` when not available.
    pub lower: Option<f64>,
    /// Upper CI bound.
    pub upper: Option<f64>,
    /// Weight in percent, which sizes the square.
    pub weight_pct: f64,
}

/// One pooled estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Diamond {
    /// Row label ("Random effects model").
    pub label: String,
    /// Left-hand cells (e.g. total events/n).
    pub left_cells: Vec<String>,
    /// Estimate.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Model.
    pub kind: DiamondKind,
}

/// The pooled rows that close a subgroup or the whole plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Diamonds, drawn in order.
    pub diamonds: Vec<Diamond>,
    /// Prediction interval (lower, upper).
    pub prediction: Option<(f64, f64)>,
    /// Heterogeneity statement ("Heterogeneity: I² = 82%, τ² = 0.1914, p < 0.0001").
    pub heterogeneity: Option<String>,
}

/// One subgroup (or, unlabelled, all studies).
#[derive(Debug, Clone, PartialEq)]
pub struct ForestGroup {
    /// Header; `None` draws no header row.
    pub label: Option<String>,
    /// Study rows, in display order.
    pub rows: Vec<ForestRow>,
    /// Its pooled rows.
    pub summary: Summary,
}

/// Everything a forest plot shows, already formatted, whatever the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestData {
    /// Title above the plot.
    pub title: String,
    /// Label under the x axis.
    pub x_label: String,
    /// Logarithmic x axis (ratios).
    pub log_axis: bool,
    /// Value of no effect, drawn as a solid reference line (1 for ratios); `None` for none.
    pub null_value: Option<f64>,
    /// "Favours" labels left and right of the null value.
    pub favours: Option<(String, String)>,
    /// Header of the label column.
    pub label_header: String,
    /// Headers of the left-hand cell columns (`\n` splits a header over two lines).
    pub left_headers: Vec<String>,
    /// Header of the right-hand estimate column ("Proportion [95% CI]").
    pub estimate_header: String,
    /// Decimals of estimates in the right-hand column.
    pub digits: usize,
    /// Subgroups in order.
    pub groups: Vec<ForestGroup>,
    /// Overall pooled rows across subgroups; `None` when the plot has one unlabelled group.
    pub overall: Option<Summary>,
    /// Estimate marked by a dashed vertical line (the main pooled estimate).
    pub pooled_line: Option<f64>,
    /// Lines under the axis (tests for subgroup differences).
    pub footnotes: Vec<String>,
    /// Axis limits; `None` to fit the data.
    pub xlim: Option<(f64, f64)>,
}

/// How an outcome is labelled on a forest plot.
struct OutcomeLabels {
    what: &'static str,
    x_label: String,
    data_header: &'static str,
    estimate_header: &'static str,
    log_axis: bool,
    null_value: Option<f64>,
    favours: Option<(String, String)>,
    /// Whether the analysis totals (events/n) fit the data column.
    totals: bool,
}

fn outcome_labels<S>(report: &PoolReport<S>) -> OutcomeLabels {
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

/// Formats a percentage level: 0.95 → "95%", 0.975 → "97.5%".
fn level_text(level: f64) -> String {
    format!("{}%", fmt_tick(level * 100.0))
}

/// "p < 0.0001" or "p = 0.0431" (the table's convention).
fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => "p < 0.0001".into(),
        Some(p) => format!("p = {p:.4}"),
        None => "p = n/a".into(),
    }
}

fn tau2_text(t: f64) -> String {
    if t == 0.0 {
        "τ² = 0".into()
    } else if t < 1e-4 {
        "τ² < 0.0001".into()
    } else {
        format!("τ² = {t:.4}")
    }
}

fn weight_cell(w: f64) -> String {
    format!("{w:.1}%")
}

fn summary_of<S>(a: &Analysis<S>, models: Models, show_totals: bool) -> Summary {
    let totals = match (a.events, a.n) {
        (Some(e), Some(n)) if show_totals => format!("{e}/{n}"),
        _ => String::new(),
    };
    let mut diamonds = Vec::new();
    let mut push = |label: &str, est: Option<f64>, lo: Option<f64>, hi: Option<f64>, kind| {
        if let (Some(e), Some(l), Some(u)) = (est, lo, hi) {
            let mut cells = Vec::new();
            if diamonds.is_empty() {
                cells.push(totals.clone());
            }
            diamonds.push(Diamond {
                label: label.to_string(),
                left_cells: cells,
                estimate: e,
                lower: l,
                upper: u,
                kind,
            });
        }
    };
    if models.common() {
        push(
            "Common effect model",
            a.common.estimate,
            a.common.lower,
            a.common.upper,
            DiamondKind::Common,
        );
    }
    if models.random() {
        push(
            "Random effects model",
            a.random.estimate,
            a.random.lower,
            a.random.upper,
            DiamondKind::Random,
        );
    }
    let prediction = if models.random() {
        a.prediction.as_ref().and_then(|p| p.lower.zip(p.upper))
    } else {
        None
    };
    let heterogeneity = a.heterogeneity.as_ref().map(|h| {
        format!(
            "Heterogeneity: I² = {:.0}%, {}, {}",
            h.i2,
            tau2_text(h.tau2),
            p_text(h.p)
        )
    });
    Summary {
        diamonds,
        prediction,
        heterogeneity,
    }
}

fn main_estimate<S>(a: &Analysis<S>, models: Models) -> Option<f64> {
    if models.random() {
        a.random.estimate
    } else {
        a.common.estimate
    }
}

/// Builds the forest plot of a report. `overall` is the same analysis without subgroups (the
/// caller runs it); it supplies the overall diamonds when the report has subgroups.
///
/// Weights: squares are sized by common-effect weights when the common model is shown, else by
/// random-effects weights (`meta`'s `weight.study` default), taken from `overall` when given.
///
/// # Errors
/// [`PlotError::Empty`] for a report without studies; [`PlotError::InvalidOption`] for axis
/// limits that are not increasing (or not positive on a log axis).
pub fn forest_data<S: StudyRow>(
    report: &PoolReport<S>,
    overall: Option<&Analysis<S>>,
    opts: &ForestOptions,
) -> Result<ForestData, PlotError> {
    if report.analyses.iter().all(|a| a.studies.is_empty()) {
        return Err(PlotError::Empty(
            "the analysis has no studies to plot".into(),
        ));
    }
    let labels = outcome_labels(report);
    if let Some((lo, hi)) = opts.xlim {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) || (labels.log_axis && lo <= 0.0) {
            return Err(PlotError::InvalidOption(format!(
                "--xlim {lo},{hi}: expected two increasing numbers{}",
                if labels.log_axis {
                    ", both above 0 on a ratio axis"
                } else {
                    ""
                }
            )));
        }
    }
    let models = opts.models;
    let both = models == Models::Both;
    let mut left_headers = vec![labels.data_header.to_string()];
    if both {
        left_headers.push("Weight\n(common)".into());
        left_headers.push("Weight\n(random)".into());
    } else {
        left_headers.push("Weight".into());
    }
    let pick = |w: (f64, f64)| if models.common() { w.0 } else { w.1 };
    // With subgroups, squares are sized by each study's weight in the overall analysis (as
    // `meta` does), so that they compare across subgroups; the weight columns stay within
    // subgroup.
    let overall_weight: HashMap<&str, f64> = overall
        .map(|o| {
            o.studies
                .iter()
                .map(|s| (s.label(), pick(s.weights())))
                .collect()
        })
        .unwrap_or_default();
    let square_weight = |s: &S| {
        overall_weight
            .get(s.label())
            .copied()
            .unwrap_or_else(|| pick(s.weights()))
    };
    let grouped = report.analyses.len() > 1 || report.analyses.iter().any(|a| a.group.is_some());

    let mut groups = Vec::with_capacity(report.analyses.len());
    for a in &report.analyses {
        let mut rows: Vec<(usize, ForestRow)> = a
            .studies
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (est, lo, hi) = s.display();
                let w = s.weights();
                let mut cells = vec![s.data_cell()];
                if models.common() {
                    cells.push(weight_cell(w.0));
                }
                if models.random() {
                    cells.push(weight_cell(w.1));
                }
                (
                    i,
                    ForestRow {
                        label: s.label().to_string(),
                        left_cells: cells,
                        estimate: est,
                        lower: lo,
                        upper: hi,
                        weight_pct: square_weight(s),
                    },
                )
            })
            .collect();
        match opts.sort {
            SortOrder::Input => {}
            SortOrder::Estimate => {
                rows.sort_by(|a, b| a.1.estimate.total_cmp(&b.1.estimate).then(a.0.cmp(&b.0)))
            }
            SortOrder::Weight => rows.sort_by(|a, b| {
                b.1.weight_pct
                    .total_cmp(&a.1.weight_pct)
                    .then(a.0.cmp(&b.0))
            }),
            SortOrder::Year => rows
                .sort_by_key(|(i, r)| (opts.years.get(&r.label).copied().unwrap_or(i32::MAX), *i)),
        }
        groups.push(ForestGroup {
            label: if grouped {
                Some(a.group.clone().unwrap_or_else(|| "all studies".into()))
            } else {
                None
            },
            rows: rows.into_iter().map(|(_, r)| r).collect(),
            summary: summary_of(a, models, labels.totals),
        });
    }

    let (overall_summary, pooled_line) = if grouped {
        (
            overall.map(|o| summary_of(o, models, labels.totals)),
            overall.and_then(|o| main_estimate(o, models)),
        )
    } else {
        (
            None,
            report
                .analyses
                .first()
                .and_then(|a| main_estimate(a, models)),
        )
    };

    let mut footnotes = Vec::new();
    if let Some(t) = &report.subgroup_test {
        for (shown, name, q) in [
            (models.common(), "common effect", &t.common),
            (models.random(), "random effects", &t.random),
        ] {
            if let (true, Some(q)) = (shown, q) {
                footnotes.push(format!(
                    "Test for subgroup differences ({name}): χ² = {:.2}, df = {}, {}",
                    q.q,
                    fmt_tick(q.df),
                    p_text(q.p)
                ));
            }
        }
    }

    let by = report.settings.by.as_str();
    let what = match (&report.settings.endpoint, report.outcome.as_str()) {
        (Some(e), "hr") => format!("{}, {}", labels.what, e.to_uppercase()),
        _ => labels.what.to_string(),
    };
    let title = opts.title.clone().unwrap_or_else(|| {
        if grouped && by != "none" {
            format!("{what} by {by}")
        } else {
            what
        }
    });
    Ok(ForestData {
        title,
        x_label: labels.x_label,
        log_axis: labels.log_axis,
        null_value: labels.null_value,
        favours: labels.favours,
        label_header: "Study".into(),
        left_headers,
        estimate_header: format!(
            "{} [{} CI]",
            labels.estimate_header,
            level_text(report.settings.level)
        ),
        digits: 2,
        groups,
        overall: overall_summary,
        pooled_line,
        footnotes,
        xlim: opts.xlim,
    })
}

// ---------------------------------------------------------------------------------------------
// Layout. All lengths in points.

/// Body text size.
const FONT: f64 = 10.0;
/// Size of heterogeneity lines, tick labels and footnotes.
const SMALL: f64 = 9.0;
/// Title size.
const TITLE: f64 = 12.5;
/// Row pitch.
const ROW: f64 = 15.0;
/// Outer margin.
const MARGIN: f64 = 16.0;
/// Gap between columns.
const GAP: f64 = 12.0;
/// Plot panel width when the figure width is free.
const PANEL: f64 = 216.0;
/// Narrowest plot panel.
const PANEL_MIN: f64 = 120.0;
/// Widest label column when the figure width is free (longer labels get an ellipsis).
const LABEL_MAX: f64 = 230.0;
/// Narrowest label column.
const LABEL_MIN: f64 = 60.0;
/// Side of the square of the heaviest study.
const SQUARE_MAX: f64 = 0.72 * ROW;
/// Smallest square side, so light studies stay visible.
const SQUARE_MIN: f64 = 3.0;
/// Half height of a diamond.
const DIAMOND_HALF: f64 = 0.33 * ROW;
/// Arrowhead length and half width.
const ARROW: (f64, f64) = (5.0, 2.8);
/// Line widths.
const THIN: f64 = 0.6;
const LINE: f64 = 0.8;

/// One table line, top to bottom.
enum Line<'a> {
    GroupHeader(&'a str),
    Study(&'a ForestRow),
    Diamond(&'a Diamond, bool),
    Prediction((f64, f64)),
    Note(&'a str),
    Spacer,
}

fn push_summary<'a>(lines: &mut Vec<Line<'a>>, s: &'a Summary, overall: bool) {
    for d in &s.diamonds {
        lines.push(Line::Diamond(d, overall));
    }
    if let Some(p) = s.prediction {
        lines.push(Line::Prediction(p));
    }
    if let Some(h) = &s.heterogeneity {
        lines.push(Line::Note(h));
    }
}

fn ci_text(est: f64, lo: Option<f64>, hi: Option<f64>, digits: usize) -> String {
    if !est.is_finite() {
        return "n/a".into();
    }
    match (lo, hi) {
        (Some(l), Some(u)) => format!("{est:.digits$} [{l:.digits$}; {u:.digits$}]"),
        _ => format!("{est:.digits$}"),
    }
}

/// Lays out a forest plot on a page.
///
/// Width: with `page.width`, the label column absorbs the difference (long labels get an
/// ellipsis) and the figure is never narrower than its columns need; without, the figure
/// takes its natural width. Height: the figure grows with its rows; a larger `page.height`
/// spreads the rows out.
///
/// # Errors
/// [`PlotError::Empty`] when there is nothing to draw.
pub fn layout(data: &ForestData, page: &Page) -> Result<Scene, PlotError> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    for g in &data.groups {
        if let Some(l) = &g.label {
            lines.push(Line::GroupHeader(l));
        }
        lines.extend(g.rows.iter().map(Line::Study));
        // Without a header, the group is the whole analysis: its pooled rows are the overall ones.
        push_summary(&mut lines, &g.summary, g.label.is_none());
        lines.push(Line::Spacer);
    }
    if let Some(o) = &data.overall {
        push_summary(&mut lines, o, true);
        lines.push(Line::Spacer);
    }
    if matches!(lines.last(), Some(Line::Spacer)) {
        lines.pop();
    }
    if !lines.iter().any(|l| matches!(l, Line::Study(_))) {
        return Err(PlotError::Empty("the forest plot has no study rows".into()));
    }

    // --- Columns. ---
    let ncells = data.left_headers.len();
    let header_lines: Vec<Vec<&str>> = data
        .left_headers
        .iter()
        .map(|h| h.split('\n').collect())
        .collect();
    let mut cell_w: Vec<f64> = header_lines
        .iter()
        .map(|ls| {
            ls.iter()
                .map(|l| text_width(l, FONT, Weight::Bold))
                .fold(0.0, f64::max)
        })
        .collect();
    let mut label_w = text_width(&data.label_header, FONT, Weight::Bold);
    let mut right_w = text_width(&data.estimate_header, FONT, Weight::Bold);
    let mut note_w: f64 = 0.0;
    let d = data.digits;
    for line in &lines {
        let (label, weight, cells, right): (&str, Weight, &[String], String) = match line {
            Line::GroupHeader(l) => (l, Weight::Bold, &[], String::new()),
            Line::Study(r) => (
                &r.label,
                Weight::Normal,
                &r.left_cells,
                ci_text(r.estimate, r.lower, r.upper, d),
            ),
            Line::Diamond(dm, _) => (
                &dm.label,
                Weight::Bold,
                &dm.left_cells,
                ci_text(dm.estimate, Some(dm.lower), Some(dm.upper), d),
            ),
            Line::Prediction((l, u)) => (
                "Prediction interval",
                Weight::Normal,
                &[],
                format!("[{l:.d$}; {u:.d$}]"),
            ),
            Line::Note(n) => {
                note_w = note_w.max(text_width(n, SMALL, Weight::Normal));
                continue;
            }
            Line::Spacer => continue,
        };
        label_w = label_w.max(text_width(label, FONT, weight));
        for (i, c) in cells.iter().enumerate().take(ncells) {
            cell_w[i] = cell_w[i].max(text_width(c, FONT, Weight::Normal));
        }
        right_w = right_w.max(text_width(&right, FONT, Weight::Normal));
    }
    let cells_total: f64 = cell_w.iter().map(|w| w + GAP).sum();
    // Notes span the label and cell columns; widen the label column for them if that is cheap.
    let label_natural = label_w.max(note_w - cells_total).min(LABEL_MAX);
    let fixed = 2.0 * MARGIN + cells_total + GAP + GAP + right_w;
    let (label_w, panel_w) = match page.width {
        None => (label_natural, PANEL),
        Some(inches) => {
            let total = inches * 72.0;
            let panel = (total - fixed - label_natural).max(PANEL_MIN);
            let label = (total - fixed - panel).max(LABEL_MIN);
            (label, panel)
        }
    };
    let width = fixed + label_w + panel_w;
    let x_label = MARGIN;
    let mut cell_right = Vec::with_capacity(ncells);
    let mut x = x_label + label_w;
    for w in &cell_w {
        x += GAP + w;
        cell_right.push(x);
    }
    let panel = (x + GAP, x + GAP + panel_w);
    let x_right = width - MARGIN;
    let left_region = x - x_label;

    // --- Axis range and ticks. ---
    let tick_text = |v: f64| fmt_tick(v);
    let (lo, hi, expand) = match data.xlim {
        Some((a, b)) => (a, b, false),
        None => {
            let mut vals: Vec<f64> = Vec::new();
            for line in &lines {
                match line {
                    Line::Study(r) => {
                        vals.extend([Some(r.estimate), r.lower, r.upper].into_iter().flatten())
                    }
                    Line::Diamond(dm, _) => vals.extend([dm.estimate, dm.lower, dm.upper]),
                    // Prediction intervals do not stretch the axis (as in `meta`): a wide one
                    // would squeeze every study; beyond the axis it ends in arrows.
                    _ => {}
                }
            }
            vals.extend(data.null_value);
            vals.retain(|v| v.is_finite() && (!data.log_axis || *v > 0.0));
            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if !lo.is_finite() {
                if data.log_axis {
                    (0.5, 2.0, true)
                } else {
                    (0.0, 1.0, true)
                }
            } else if hi - lo < 1e-12 {
                if data.log_axis {
                    (lo / 2.0, hi * 2.0, true)
                } else {
                    (lo - 0.5, hi + 0.5, true)
                }
            } else {
                (lo, hi, true)
            }
        }
    };
    let (scale0, ticks) = choose_ticks(lo, hi, data.log_axis, expand, |s, ticks| {
        let s = Scale {
            from: panel.0,
            to: panel.1,
            ..*s
        };
        let mut prev_right = f64::NEG_INFINITY;
        for &t in ticks {
            let w = text_width(&tick_text(t), SMALL, Weight::Normal);
            let c = s.map(t);
            if c - w / 2.0 < prev_right + 6.0 {
                return false;
            }
            prev_right = c + w / 2.0;
        }
        let first = ticks.first().map_or(0.0, |&t| {
            s.map(t) - text_width(&tick_text(t), SMALL, Weight::Normal) / 2.0
        });
        let last = ticks.last().map_or(0.0, |&t| {
            s.map(t) + text_width(&tick_text(t), SMALL, Weight::Normal) / 2.0
        });
        // Below the table the outer labels may reach into the column gaps and beyond, but
        // not off the page.
        first >= MARGIN && last <= width - MARGIN
    });
    let scale = Scale {
        from: panel.0,
        to: panel.1,
        ..scale0
    };

    // --- Vertical positions. ---
    let title_h = if data.title.is_empty() {
        0.0
    } else {
        TITLE * 2.0
    };
    let n_header = header_lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f64;
    let header_h = n_header * ROW;
    let units: f64 = lines
        .iter()
        .map(|l| if matches!(l, Line::Spacer) { 0.5 } else { 1.0 })
        .sum();
    let has_favours = data.favours.is_some() && data.null_value.is_some_and(|v| scale.contains(v));
    let axis_h = 6.0 + ROW + if has_favours { ROW } else { 0.0 } + ROW + 4.0;
    let foot_h = if data.footnotes.is_empty() {
        0.0
    } else {
        4.0 + data.footnotes.len() as f64 * ROW
    };
    let natural_h =
        MARGIN + title_h + header_h + 4.0 + units * ROW + 4.0 + axis_h + foot_h + MARGIN;
    let (pitch, height) = match page.height {
        Some(inches) if inches * 72.0 > natural_h => {
            let extra = inches * 72.0 - natural_h;
            let pitch = (ROW + extra / units).min(3.0 * ROW);
            (pitch, inches * 72.0)
        }
        _ => (ROW, natural_h),
    };

    let mut scene = Scene {
        width,
        height,
        shapes: Vec::new(),
    };
    let mut y = MARGIN;
    if !data.title.is_empty() {
        let t = fit_text(&data.title, TITLE, Weight::Bold, width - 2.0 * MARGIN);
        scene.text(
            width / 2.0,
            y + TITLE * 0.6,
            t,
            TITLE,
            Weight::Bold,
            Align::Center,
        );
        y += title_h;
    }
    // Header row: multi-line headers are bottom-aligned.
    let header_base = y + header_h - ROW / 2.0;
    scene.text(
        x_label,
        header_base,
        fit_text(&data.label_header, FONT, Weight::Bold, label_w),
        FONT,
        Weight::Bold,
        Align::Left,
    );
    for (i, ls) in header_lines.iter().enumerate() {
        for (j, l) in ls.iter().rev().enumerate() {
            scene.text(
                cell_right[i],
                header_base - j as f64 * ROW,
                *l,
                FONT,
                Weight::Bold,
                Align::Right,
            );
        }
    }
    scene.text(
        x_right,
        header_base,
        data.estimate_header.clone(),
        FONT,
        Weight::Bold,
        Align::Right,
    );
    y += header_h + 2.0;
    scene.line((MARGIN, y), (x_right, y), Stroke::solid(Grey::BLACK, THIN));
    y += 2.0;
    let rows_top = y;
    let rows_bottom = rows_top + units * pitch;
    let axis_y = rows_bottom + 4.0;

    // Guide lines first, so marks sit on top of them.
    if let Some(v) = data.null_value.filter(|&v| scale.contains(v)) {
        let xv = scale.map(v);
        scene.line(
            (xv, rows_top),
            (xv, axis_y),
            Stroke::solid(Grey::DARK, LINE),
        );
    }
    if let Some(v) = data.pooled_line.filter(|&v| scale.contains(v)) {
        let xv = scale.map(v);
        scene.line(
            (xv, rows_top),
            (xv, axis_y),
            Stroke::dashed(Grey::MID, LINE, 3.0, 2.5),
        );
    }

    let max_w = lines
        .iter()
        .filter_map(|l| {
            if let Line::Study(r) = l {
                Some(r.weight_pct)
            } else {
                None
            }
        })
        .fold(0.0, f64::max);
    let clamp = |v: f64| v.clamp(scale.lo, scale.hi);
    let digits = data.digits;
    for line in &lines {
        let h = if matches!(line, Line::Spacer) {
            0.5 * pitch
        } else {
            pitch
        };
        let cy = y + h / 2.0;
        y += h;
        match line {
            Line::Spacer => {}
            Line::GroupHeader(l) => {
                let t = fit_text(l, FONT, Weight::Bold, left_region);
                scene.text(x_label, cy, t, FONT, Weight::Bold, Align::Left);
            }
            Line::Note(n) => {
                let t = fit_text(n, SMALL, Weight::Normal, left_region);
                scene.text_grey(x_label, cy, t, SMALL, Weight::Normal, Align::Left, Grey(40));
            }
            Line::Study(r) => {
                scene.text(
                    x_label,
                    cy,
                    fit_text(&r.label, FONT, Weight::Normal, label_w),
                    FONT,
                    Weight::Normal,
                    Align::Left,
                );
                for (i, c) in r.left_cells.iter().enumerate().take(ncells) {
                    scene.text(
                        cell_right[i],
                        cy,
                        c.clone(),
                        FONT,
                        Weight::Normal,
                        Align::Right,
                    );
                }
                scene.text(
                    x_right,
                    cy,
                    ci_text(r.estimate, r.lower, r.upper, digits),
                    FONT,
                    Weight::Normal,
                    Align::Right,
                );
                let side = if max_w > 0.0 && r.weight_pct > 0.0 {
                    (SQUARE_MAX * (r.weight_pct / max_w).sqrt()).max(SQUARE_MIN)
                } else {
                    SQUARE_MIN
                };
                if scale.contains(r.estimate) {
                    let xe = scale.map(r.estimate);
                    scene.rect(
                        (xe - side / 2.0, cy - side / 2.0),
                        (xe + side / 2.0, cy + side / 2.0),
                        Some(Grey(105)),
                        None,
                    );
                }
                let lo = r.lower.unwrap_or(r.estimate);
                let hi = r.upper.unwrap_or(r.estimate);
                if lo.is_finite() && hi.is_finite() && (!data.log_axis || (lo > 0.0 && hi > 0.0)) {
                    interval(&mut scene, &scale, lo, hi, cy, clamp);
                }
            }
            Line::Diamond(dm, overall) => {
                // Overall rows stand out from subgroup rows by weight of their label.
                let w = if *overall {
                    Weight::Bold
                } else {
                    Weight::Normal
                };
                scene.text(
                    x_label,
                    cy,
                    fit_text(&dm.label, FONT, w, label_w),
                    FONT,
                    w,
                    Align::Left,
                );
                for (i, c) in dm.left_cells.iter().enumerate().take(ncells) {
                    scene.text(
                        cell_right[i],
                        cy,
                        c.clone(),
                        FONT,
                        Weight::Normal,
                        Align::Right,
                    );
                }
                scene.text(
                    x_right,
                    cy,
                    ci_text(dm.estimate, Some(dm.lower), Some(dm.upper), digits),
                    FONT,
                    Weight::Bold,
                    Align::Right,
                );
                let (l, e, u) = (
                    scale.map(clamp(dm.lower)),
                    scale.map(clamp(dm.estimate)),
                    scale.map(clamp(dm.upper)),
                );
                let pts = vec![
                    (l, cy),
                    (e, cy - DIAMOND_HALF),
                    (u, cy),
                    (e, cy + DIAMOND_HALF),
                ];
                match dm.kind {
                    DiamondKind::Random => scene.polygon(pts, Some(Grey::BLACK), None),
                    DiamondKind::Common => {
                        scene.polygon(pts, Some(Grey(215)), Some(Stroke::solid(Grey::BLACK, LINE)))
                    }
                }
                arrows(&mut scene, &scale, dm.lower, dm.upper, cy);
            }
            Line::Prediction((l, u)) => {
                scene.text(
                    x_label,
                    cy,
                    "Prediction interval",
                    FONT,
                    Weight::Normal,
                    Align::Left,
                );
                scene.text(
                    x_right,
                    cy,
                    format!("[{l:.digits$}; {u:.digits$}]"),
                    FONT,
                    Weight::Normal,
                    Align::Right,
                );
                let (a, b) = (scale.map(clamp(*l)), scale.map(clamp(*u)));
                let half = 0.17 * ROW;
                scene.rect(
                    (a, cy - half),
                    (b, cy + half),
                    Some(Grey(170)),
                    Some(Stroke::solid(Grey::BLACK, THIN)),
                );
                arrows(&mut scene, &scale, *l, *u, cy);
            }
        }
    }

    // --- Axis. ---
    scene.line(
        (panel.0, axis_y),
        (panel.1, axis_y),
        Stroke::solid(Grey::BLACK, LINE),
    );
    let tick_label_y = axis_y + 6.0 + ROW / 2.0;
    for &t in &ticks {
        let xt = scale.map(t);
        scene.line(
            (xt, axis_y),
            (xt, axis_y + 4.0),
            Stroke::solid(Grey::BLACK, LINE),
        );
        scene.text(
            xt,
            tick_label_y,
            tick_text(t),
            SMALL,
            Weight::Normal,
            Align::Center,
        );
    }
    let mut yy = tick_label_y + ROW;
    if has_favours {
        if let (Some((left, right)), Some(v)) = (&data.favours, data.null_value) {
            let xv = scale.map(v);
            let lw = (xv - 4.0 - MARGIN).max(0.0);
            let rw = (x_right - (xv + 4.0)).max(0.0);
            scene.text_grey(
                xv - 4.0,
                yy,
                fit_text(left, SMALL, Weight::Normal, lw),
                SMALL,
                Weight::Normal,
                Align::Right,
                Grey(40),
            );
            scene.text_grey(
                xv + 4.0,
                yy,
                fit_text(right, SMALL, Weight::Normal, rw),
                SMALL,
                Weight::Normal,
                Align::Left,
                Grey(40),
            );
        }
        yy += ROW;
    }
    let xl = fit_text(&data.x_label, FONT, Weight::Normal, width - 2.0 * MARGIN);
    let xl_w = text_width(&xl, FONT, Weight::Normal);
    let xl_x = ((panel.0 + panel.1) / 2.0).clamp(MARGIN + xl_w / 2.0, width - MARGIN - xl_w / 2.0);
    scene.text(xl_x, yy, xl, FONT, Weight::Normal, Align::Center);
    yy += ROW / 2.0 + 4.0;
    for f in &data.footnotes {
        yy += ROW;
        let t = fit_text(f, SMALL, Weight::Normal, width - 2.0 * MARGIN);
        scene.text_grey(
            MARGIN,
            yy - ROW / 2.0,
            t,
            SMALL,
            Weight::Normal,
            Align::Left,
            Grey(40),
        );
    }
    Ok(scene)
}

/// A CI whisker from `lo` to `hi`, with arrowheads where it runs past the axis.
fn interval(
    scene: &mut Scene,
    scale: &Scale,
    lo: f64,
    hi: f64,
    cy: f64,
    clamp: impl Fn(f64) -> f64,
) {
    let (a, b) = (scale.map(clamp(lo)), scale.map(clamp(hi)));
    if b > a {
        scene.line((a, cy), (b, cy), Stroke::solid(Grey::BLACK, LINE));
    }
    arrows(scene, scale, lo, hi, cy);
}

fn arrows(scene: &mut Scene, scale: &Scale, lo: f64, hi: f64, cy: f64) {
    let (min, max) = (scale.lo, scale.hi);
    let (al, hw) = ARROW;
    if lo < min - 1e-12 * max.abs().max(1.0) {
        let x = scale.from;
        scene.polygon(
            vec![(x, cy), (x + al, cy - hw), (x + al, cy + hw)],
            Some(Grey::BLACK),
            None,
        );
    }
    if hi > max + 1e-12 * max.abs().max(1.0) {
        let x = scale.to;
        scene.polygon(
            vec![(x, cy), (x - al, cy - hw), (x - al, cy + hw)],
            Some(Grey::BLACK),
            None,
        );
    }
}

/// Lays out and renders a forest plot to PNG or SVG bytes.
///
/// # Errors
/// As [`layout`] and [`super::render`].
pub fn render(data: &ForestData, page: &Page, format: super::Format) -> Result<Vec<u8>, PlotError> {
    page.validate()?;
    let scene = layout(data, page)?;
    super::render(&scene, format, page.dpi)
}

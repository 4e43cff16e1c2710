//! The plot-ready model of a forest plot: rows, diamonds and summaries as they will be shown,
//! already formatted and on the display scale, whatever the outcome.
//!
//! This is the seam between statistics and drawing. Conversions (pairwise reports, networks)
//! fill it without knowing about layout, and layout draws it without knowing the outcome, so a
//! new outcome only needs to fill a `ForestData` (hazard ratios set `log_axis` and a null value
//! of 1).

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
    /// Tests of the pooled effects, one per diamond ("Test for overall effect (random
    /// effects): z = −9.37, p < 0.0001"); none for a measure without a value of no effect.
    pub tests: Vec<String>,
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

//! Horizontal layout of a forest plot: the label column, the left-hand cell columns, the plot
//! panel and the right-hand estimate column.
//!
//! Every cell is measured in the embedded font, so columns are exactly as wide as their widest
//! entry and nothing overlaps; only the label column gives way (with an ellipsis) when the
//! page is narrower than the natural width.

use super::lines::Line;
use super::{FONT, GAP, LABEL_MAX, LABEL_MIN, MARGIN, PANEL, PANEL_MIN, SMALL};
use crate::plot::font::{text_width, Weight};
use crate::plot::forest::data::ForestData;
use crate::plot::forest::text::ci_text;

/// Column positions, in points from the left edge.
pub(super) struct Columns<'a> {
    /// Figure width.
    pub(super) width: f64,
    /// Number of left-hand cell columns.
    pub(super) ncells: usize,
    /// The lines of each cell column's header (headers split on `\n`).
    pub(super) header_lines: Vec<Vec<&'a str>>,
    /// Left edge of the label column.
    pub(super) x_label: f64,
    /// Width of the label column.
    pub(super) label_w: f64,
    /// Right edge of each cell column (cells are right-aligned).
    pub(super) cell_right: Vec<f64>,
    /// Left and right edges of the plot panel.
    pub(super) panel: (f64, f64),
    /// Right edge of the estimate column.
    pub(super) x_right: f64,
    /// Width of the label and cell columns together, which group headers and notes may span.
    pub(super) left_region: f64,
}

impl<'a> Columns<'a> {
    /// Measures the columns and fits them to `page_width` (inches), or to their natural width
    /// when it is `None`.
    pub(super) fn measure(
        data: &'a ForestData,
        lines: &[Line<'_>],
        page_width: Option<f64>,
    ) -> Self {
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
        for line in lines {
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
        // Notes span the label and cell columns; widen the label column for them if that is
        // cheap.
        let label_natural = label_w.max(note_w - cells_total).min(LABEL_MAX);
        let fixed = 2.0 * MARGIN + cells_total + GAP + GAP + right_w;
        let (label_w, panel_w) = match page_width {
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
        Columns {
            width,
            ncells,
            header_lines,
            x_label,
            label_w,
            cell_right,
            panel: (x + GAP, x + GAP + panel_w),
            x_right: width - MARGIN,
            left_region: x - x_label,
        }
    }
}

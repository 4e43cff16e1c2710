//! Vertical layout of a forest plot and the drawing of its table lines.
//!
//! [`Rows::plan`] decides the heights: the natural figure height from the title, headers,
//! lines, axis and footnotes, and the row pitch, which grows (up to three rows) when the page
//! is taller than that. [`draw`] then sets each line's text and marks at its centre.

use super::columns::Columns;
use super::lines::Line;
use super::marks;
use super::{FONT, MARGIN, ROW, SMALL, TITLE};
use crate::plot::axis::Scale;
use crate::plot::font::{fit_text, Weight};
use crate::plot::forest::data::{Diamond, ForestData, ForestRow};
use crate::plot::forest::text::ci_text;
use crate::plot::scene::{Align, Grey, Scene};

/// The vertical plan of a forest plot, in points.
pub(super) struct Rows {
    /// Height of the title block (0 without a title).
    pub(super) title_h: f64,
    /// Height of the column headers (as many rows as the tallest header has lines).
    pub(super) header_h: f64,
    /// Table height in rows (a spacer counts half).
    pub(super) units: f64,
    /// Distance between table lines.
    pub(super) pitch: f64,
    /// Figure height.
    pub(super) height: f64,
    /// Whether the "favours" labels are drawn: only when the null value is on the axis.
    pub(super) has_favours: bool,
}

impl Rows {
    /// Plans the heights for a page `page_height` inches tall, or the natural height when it
    /// is `None` or smaller.
    pub(super) fn plan(
        data: &ForestData,
        lines: &[Line<'_>],
        columns: &Columns<'_>,
        scale: &Scale,
        page_height: Option<f64>,
    ) -> Self {
        let title_h = if data.title.is_empty() {
            0.0
        } else {
            TITLE * 2.0
        };
        let n_header = columns
            .header_lines
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let header_h = n_header * ROW;
        let units: f64 = lines
            .iter()
            .map(|l| if matches!(l, Line::Spacer) { 0.5 } else { 1.0 })
            .sum();
        let has_favours =
            data.favours.is_some() && data.null_value.is_some_and(|v| scale.contains(v));
        let axis_h = 6.0 + ROW + if has_favours { ROW } else { 0.0 } + ROW + 4.0;
        let foot_h = if data.footnotes.is_empty() {
            0.0
        } else {
            4.0 + data.footnotes.len() as f64 * ROW
        };
        let natural_h =
            MARGIN + title_h + header_h + 4.0 + units * ROW + 4.0 + axis_h + foot_h + MARGIN;
        let (pitch, height) = match page_height {
            Some(inches) if inches * 72.0 > natural_h => {
                let extra = inches * 72.0 - natural_h;
                let pitch = (ROW + extra / units).min(3.0 * ROW);
                (pitch, inches * 72.0)
            }
            _ => (ROW, natural_h),
        };
        Rows {
            title_h,
            header_h,
            units,
            pitch,
            height,
            has_favours,
        }
    }
}

/// Draws the table lines from `top` down, one `pitch` apart (spacers half that).
pub(super) fn draw(
    scene: &mut Scene,
    data: &ForestData,
    lines: &[Line<'_>],
    columns: &Columns<'_>,
    scale: &Scale,
    top: f64,
    pitch: f64,
) {
    // Squares are sized relative to the heaviest study on the plot.
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
    let mut y = top;
    for line in lines {
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
                let t = fit_text(l, FONT, Weight::Bold, columns.left_region);
                scene.text(columns.x_label, cy, t, FONT, Weight::Bold, Align::Left);
            }
            Line::Note(n) => {
                let t = fit_text(n, SMALL, Weight::Normal, columns.left_region);
                scene.text_grey(
                    columns.x_label,
                    cy,
                    t,
                    SMALL,
                    Weight::Normal,
                    Align::Left,
                    Grey(40),
                );
            }
            Line::Study(r) => study(scene, data, columns, scale, r, max_w, cy),
            Line::Diamond(dm, overall) => diamond(scene, data, columns, scale, dm, *overall, cy),
            Line::Prediction(p) => prediction(scene, data, columns, scale, *p, cy),
        }
    }
}

/// The label (shortened to its column) and the left-hand cells of a study or diamond row.
fn label_and_cells(
    scene: &mut Scene,
    columns: &Columns<'_>,
    cy: f64,
    label: &str,
    weight: Weight,
    cells: &[String],
) {
    scene.text(
        columns.x_label,
        cy,
        fit_text(label, FONT, weight, columns.label_w),
        FONT,
        weight,
        Align::Left,
    );
    for (i, c) in cells.iter().enumerate().take(columns.ncells) {
        scene.text(
            columns.cell_right[i],
            cy,
            c.clone(),
            FONT,
            Weight::Normal,
            Align::Right,
        );
    }
}

/// A study row: text, then its square and whisker.
fn study(
    scene: &mut Scene,
    data: &ForestData,
    columns: &Columns<'_>,
    scale: &Scale,
    r: &ForestRow,
    max_w: f64,
    cy: f64,
) {
    label_and_cells(scene, columns, cy, &r.label, Weight::Normal, &r.left_cells);
    scene.text(
        columns.x_right,
        cy,
        ci_text(r.estimate, r.lower, r.upper, data.digits),
        FONT,
        Weight::Normal,
        Align::Right,
    );
    marks::square(scene, scale, r, max_w, cy);
    marks::whisker(scene, scale, r, data.log_axis, cy);
}

/// A pooled row: text (bold estimate), then its diamond.
fn diamond(
    scene: &mut Scene,
    data: &ForestData,
    columns: &Columns<'_>,
    scale: &Scale,
    dm: &Diamond,
    overall: bool,
    cy: f64,
) {
    // Overall rows stand out from subgroup rows by weight of their label.
    let w = if overall {
        Weight::Bold
    } else {
        Weight::Normal
    };
    label_and_cells(scene, columns, cy, &dm.label, w, &dm.left_cells);
    scene.text(
        columns.x_right,
        cy,
        ci_text(dm.estimate, Some(dm.lower), Some(dm.upper), data.digits),
        FONT,
        Weight::Bold,
        Align::Right,
    );
    marks::diamond(scene, scale, dm, cy);
}

/// A prediction-interval row: text, then its bar.
fn prediction(
    scene: &mut Scene,
    data: &ForestData,
    columns: &Columns<'_>,
    scale: &Scale,
    (l, u): (f64, f64),
    cy: f64,
) {
    let digits = data.digits;
    scene.text(
        columns.x_label,
        cy,
        "Prediction interval",
        FONT,
        Weight::Normal,
        Align::Left,
    );
    scene.text(
        columns.x_right,
        cy,
        format!("[{l:.digits$}; {u:.digits$}]"),
        FONT,
        Weight::Normal,
        Align::Right,
    );
    marks::prediction_bar(scene, scale, (l, u), cy);
}

//! The text framing a forest plot's table: the title and column headers above it, and the
//! footnotes (tests for subgroup differences) at the foot of the page.

use super::columns::Columns;
use super::rows::Rows;
use super::{FONT, MARGIN, ROW, SMALL, THIN};
use crate::plot::font::{fit_text, Weight};
use crate::plot::forest::data::ForestData;
use crate::plot::scene::{Align, Grey, Scene, Stroke};
use crate::plot::style::draw_title;

/// Draws the title, the column headers and the rule under them. Returns the y where the
/// table's first line starts.
pub(super) fn draw_head(
    scene: &mut Scene,
    data: &ForestData,
    columns: &Columns<'_>,
    rows: &Rows,
) -> f64 {
    let width = columns.width;
    let mut y = MARGIN;
    if !data.title.is_empty() {
        draw_title(scene, &data.title, width);
        y += rows.title_h;
    }
    // Header row: multi-line headers are bottom-aligned.
    let header_base = y + rows.header_h - ROW / 2.0;
    scene.text(
        columns.x_label,
        header_base,
        fit_text(&data.label_header, FONT, Weight::Bold, columns.label_w),
        FONT,
        Weight::Bold,
        Align::Left,
    );
    for (i, ls) in columns.header_lines.iter().enumerate() {
        for (j, l) in ls.iter().rev().enumerate() {
            scene.text(
                columns.cell_right[i],
                header_base - j as f64 * ROW,
                *l,
                FONT,
                Weight::Bold,
                Align::Right,
            );
        }
    }
    scene.text(
        columns.x_right,
        header_base,
        data.estimate_header.clone(),
        FONT,
        Weight::Bold,
        Align::Right,
    );
    y += rows.header_h + 2.0;
    scene.line(
        (MARGIN, y),
        (columns.x_right, y),
        Stroke::solid(Grey::BLACK, THIN),
    );
    y + 2.0
}

/// Draws the footnotes, one a row, starting at `y`, each shortened to the page width.
pub(super) fn draw_footnotes(scene: &mut Scene, data: &ForestData, width: f64, mut y: f64) {
    for f in &data.footnotes {
        y += ROW;
        let t = fit_text(f, SMALL, Weight::Normal, width - 2.0 * MARGIN);
        scene.text_grey(
            MARGIN,
            y - ROW / 2.0,
            t,
            SMALL,
            Weight::Normal,
            Align::Left,
            Grey(40),
        );
    }
}

//! Layout of a forest plot: a [`ForestData`] becomes a [`Scene`] in points.
//!
//! The steps run in page order and each owns one concern: [`lines`] flattens the groups into
//! table lines; [`columns`] measures every cell so nothing overlaps and fits the columns to the
//! page width; [`x_axis`] chooses the range and ticks whose labels fit the panel; [`rows`]
//! decides the vertical rhythm (row pitch, figure height); then the frame (title, column
//! headers), the table lines with their [`marks`], and the axis with its labels and footnotes
//! are drawn, back to front, in that order.

mod columns;
mod frame;
mod lines;
mod marks;
mod rows;
mod x_axis;

use super::data::ForestData;
use crate::plot::scene::Scene;
use crate::plot::style::{FONT, MARGIN, ROW, SMALL, TITLE};
use crate::plot::{Page, PlotError};
use columns::Columns;
use rows::Rows;

// All lengths in points; the text sizes, row pitch and margin are shared with the funnel plot
// (`plot::style`).

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
    let lines = lines::table_lines(data)?;
    let columns = Columns::measure(data, &lines, page.width);
    let (scale, ticks) = x_axis::fit(data, &lines, &columns);
    // A prediction interval cut by the axis is said so under the plot, not only drawn with
    // an arrow.
    let clipped = marks::clipped_predictions(&lines, &scale, data.digits);
    let with_notes;
    let (data, lines) = if clipped.is_empty() {
        (data, lines)
    } else {
        with_notes = ForestData {
            footnotes: data.footnotes.iter().cloned().chain(clipped).collect(),
            ..data.clone()
        };
        (&with_notes, lines::table_lines(&with_notes)?)
    };
    let rows = Rows::plan(data, &lines, &columns, &scale, page.height);

    let mut scene = Scene {
        width: columns.width,
        height: rows.height,
        shapes: Vec::new(),
    };
    let rows_top = frame::draw_head(&mut scene, data, &columns, &rows);
    let axis_y = rows_top + rows.units * rows.pitch + 4.0;
    // Guide lines first, so marks sit on top of them.
    marks::guides(&mut scene, data, &scale, rows_top, axis_y);
    rows::draw(
        &mut scene, data, &lines, &columns, &scale, rows_top, rows.pitch,
    );
    let below = x_axis::draw(
        &mut scene,
        data,
        &columns,
        &scale,
        &ticks,
        axis_y,
        rows.has_favours,
    );
    frame::draw_footnotes(&mut scene, data, columns.width, below);
    Ok(scene)
}

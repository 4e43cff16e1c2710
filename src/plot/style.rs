//! The type scale and rhythm that the forest and funnel plots share, so that figures set side
//! by side in a report read as one set, and the title they draw the same way. All lengths in
//! points.

use super::font::{fit_text, Weight};
use super::scene::{Align, Scene};

/// Body text size.
pub(crate) const FONT: f64 = 10.0;
/// Size of secondary text: heterogeneity lines, tick labels, footnotes, legends.
pub(crate) const SMALL: f64 = 9.0;
/// Title size.
pub(crate) const TITLE: f64 = 12.5;
/// Row pitch: one line of the forest table, and the line spacing of the funnel's text.
pub(crate) const ROW: f64 = 15.0;
/// Outer margin.
pub(crate) const MARGIN: f64 = 16.0;

/// Draws a plot's title, bold and centred at the top margin of a page `width` wide, shortened
/// to fit between the margins.
pub(crate) fn draw_title(scene: &mut Scene, title: &str, width: f64) {
    let t = fit_text(title, TITLE, Weight::Bold, width - 2.0 * MARGIN);
    let y = MARGIN + TITLE * 0.6;
    scene.text(width / 2.0, y, t, TITLE, Weight::Bold, Align::Center);
}

//! The type scale and rhythm that the forest and funnel plots share, so that figures set side
//! by side in a report read as one set. All lengths in points.

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

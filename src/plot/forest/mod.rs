//! Forest plots, in the manner of RevMan and R `meta::forest`.
//!
//! A chart reads as a chain: data → layout → scene → backend. [`forest_data`] reads a
//! [`PoolReport`](crate::analysis::report::PoolReport) (any outcome) into a plot-ready,
//! outcome-neutral [`ForestData`]: labels, cells and intervals as they will be shown, nothing
//! recomputed. [`layout`] turns a `ForestData` into a [`Scene`](super::scene::Scene): a table
//! of study rows with squares (area ∝ weight) and whiskers, subgroup headers, common/random
//! diamonds, prediction bars, heterogeneity lines, the overall result, the test for subgroup
//! differences, reference and pooled-estimate lines, and a linear or log x axis with
//! "favours" labels. Every column is measured, so nothing overlaps; labels too long for their
//! column end in an ellipsis. [`render`] paints the scene as PNG or SVG through the one path
//! in [`super::render`].
//!
//! The files follow the chain: [`options`] (the caller's choices), `labels` (how each outcome
//! is named), [`data`] (the plot-ready model), `from_report` (report → model), `layout`
//! (model → scene) and `text` (number formats both sides share). A future outcome only needs
//! to fill a `ForestData` (hazard ratios set `log_axis` and a null value of 1).

pub mod data;
mod from_report;
mod from_sensitivity;
mod labels;
mod layout;
pub mod options;
mod text;

pub use data::{Diamond, DiamondKind, ForestData, ForestGroup, ForestRow, Summary};
pub use from_report::forest_data;
pub use from_sensitivity::refits_forest;
pub use layout::layout;
pub use options::{ForestOptions, Models, SortOrder};

use super::{Format, Page, PlotError};

/// Lays out and renders a forest plot to PNG or SVG bytes.
///
/// # Errors
/// As [`layout`] and [`super::render`].
pub fn render(data: &ForestData, page: &Page, format: Format) -> Result<Vec<u8>, PlotError> {
    page.validate()?;
    let scene = layout(data, page)?;
    super::render(&scene, format, page.dpi)
}

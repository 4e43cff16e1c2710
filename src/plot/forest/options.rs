//! The choices a caller makes when turning a report into a forest plot: which pooled models
//! are drawn, how study rows are ordered, and the title and axis overrides.
//!
//! `Models` and `SortOrder` are parsed from the command line and plan files, so they go
//! through the crate's `choice_enum!` like every other fixed choice.

use crate::settings::choice_enum;
use std::collections::HashMap;

choice_enum!(
    /// Which pooled models are shown.
    Models, "model", {
        /// Common-effect and random-effects diamonds (as `meta`).
        Both => "both",
        /// Random-effects only.
        Random => "random",
        /// Common-effect only; `fixed` is the older name of the same model.
        Common => "common" | "fixed",
    }
);

/// Both models, as R `meta::forest` draws by default.
impl Default for Models {
    fn default() -> Self {
        Models::Both
    }
}

impl Models {
    /// Whether the common-effect model is shown.
    pub(crate) fn common(self) -> bool {
        matches!(self, Models::Both | Models::Common)
    }

    /// Whether the random-effects model is shown.
    pub(crate) fn random(self) -> bool {
        matches!(self, Models::Both | Models::Random)
    }
}

choice_enum!(
    /// Order of study rows within each subgroup.
    SortOrder, "sort order", {
        /// As in the input file; `none` reads as "no sorting".
        Input => "input" | "none",
        /// By estimate, smallest first.
        Estimate => "estimate",
        /// By publication year, oldest first; rows without a year last.
        Year => "year",
        /// By the weight that sizes the squares, heaviest first.
        Weight => "weight",
    }
);

/// Input order: the order the data's author chose is the least surprising default.
impl Default for SortOrder {
    fn default() -> Self {
        SortOrder::Input
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
    /// Label under the x axis; `None` for the measure's (`--xlab`, R meta's `xlab`).
    pub x_label: Option<String>,
    /// "Favours" labels left and right of the null value; `None` for the measure's
    /// (`--label-left`, `--label-right`, R meta's `label.left`, `label.right`).
    pub label_left: Option<String>,
    /// See `label_left`.
    pub label_right: Option<String>,
}

//! The plan file as serde reads it, before any validation: every table rejects unknown keys
//! and every value keeps its byte span, so that the validation in [`super::parse`] can name the
//! line and column of whatever it rejects.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// The plan file as written. Unknown keys are errors (`deny_unknown_fields`), located by toml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlan {
    pub(super) title: Spanned<String>,
    pub(super) summary: Option<String>,
    pub(super) data: Option<RawData>,
    pub(super) settings: Option<RawShared>,
    pub(super) figures: Option<RawFigures>,
    #[serde(default)]
    pub(super) analysis: Vec<Spanned<RawAnalysis>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawData {
    pub(super) arms: Option<Spanned<String>>,
    pub(super) hr: Option<Spanned<String>>,
}

/// Settings that `[settings]` gives every analysis and an `[[analysis]]` may override.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShared {
    pub(super) method_tau: Option<Spanned<String>>,
    pub(super) random_ci: Option<Spanned<String>>,
    pub(super) prediction: Option<Spanned<String>>,
    pub(super) level: Option<Spanned<f64>>,
    pub(super) keep_overlapping: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFigures {
    pub(super) dpi: Option<Spanned<f64>>,
}

// serde's `flatten` cannot be combined with `deny_unknown_fields`, so the shared keys are
// repeated here rather than flattened from `RawShared`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAnalysis {
    pub(super) id: Spanned<String>,
    pub(super) kind: Spanned<String>,
    pub(super) title: Option<String>,
    pub(super) by: Option<Spanned<String>>,
    pub(super) method_tau: Option<Spanned<String>>,
    pub(super) random_ci: Option<Spanned<String>>,
    pub(super) prediction: Option<Spanned<String>>,
    pub(super) level: Option<Spanned<f64>>,
    pub(super) keep_overlapping: Option<Spanned<bool>>,
    pub(super) sm: Option<Spanned<String>>,
    pub(super) ci_study: Option<Spanned<String>>,
    pub(super) incr: Option<Spanned<f64>>,
    pub(super) measure: Option<Spanned<String>>,
    pub(super) method: Option<Spanned<String>>,
    pub(super) endpoint: Option<Spanned<String>>,
    pub(super) forest: Option<Spanned<bool>>,
    pub(super) forest_sort: Option<Spanned<String>>,
    pub(super) forest_model: Option<Spanned<String>>,
    pub(super) funnel: Option<Spanned<bool>>,
    pub(super) reference: Option<Spanned<String>>,
    pub(super) model: Option<Spanned<String>>,
    pub(super) setting: Option<Spanned<String>>,
    pub(super) small_values: Option<Spanned<String>>,
    pub(super) graph: Option<Spanned<bool>>,
    pub(super) outcome: Option<Spanned<String>>,
    pub(super) group: Option<Spanned<String>>,
    pub(super) tests: Option<Spanned<Vec<String>>>,
    pub(super) k_min: Option<Spanned<i64>>,
    pub(super) estimator: Option<Spanned<String>>,
    pub(super) side: Option<Spanned<String>>,
    pub(super) selection_alternative: Option<Spanned<String>>,
    pub(super) of: Option<Spanned<String>>,
    pub(super) order: Option<Spanned<String>>,
    pub(super) decreasing: Option<Spanned<bool>>,
    pub(super) baujat: Option<Spanned<bool>>,
    pub(super) influence_plot: Option<Spanned<bool>>,
    pub(super) data: Option<Spanned<String>>,
    pub(super) sheet: Option<Spanned<String>>,
    pub(super) map: Option<Spanned<BTreeMap<String, String>>>,
    pub(super) sd_method: Option<Spanned<String>>,
    pub(super) ci_level: Option<Spanned<f64>>,
    pub(super) mods: Option<Spanned<Vec<String>>>,
    #[serde(rename = "ref")]
    pub(super) refs: Option<Spanned<BTreeMap<String, String>>>,
    pub(super) bubble: Option<Spanned<bool>>,
    pub(super) pi: Option<Spanned<bool>>,
    pub(super) bubble_back: Option<Spanned<bool>>,
    pub(super) glmm_model: Option<Spanned<String>>,
    pub(super) overall: Option<Spanned<bool>>,
    pub(super) comparator: Option<Spanned<String>>,
}

/// Spans of the optional keys an `[[analysis]]` sets, by name.
pub(super) fn present_keys(r: &RawAnalysis) -> Vec<(&'static str, Range<usize>)> {
    fn span<T>(v: &Option<Spanned<T>>) -> Option<Range<usize>> {
        v.as_ref().map(Spanned::span)
    }
    let all = [
        ("by", span(&r.by)),
        ("method_tau", span(&r.method_tau)),
        ("random_ci", span(&r.random_ci)),
        ("prediction", span(&r.prediction)),
        ("level", span(&r.level)),
        ("keep_overlapping", span(&r.keep_overlapping)),
        ("sm", span(&r.sm)),
        ("ci_study", span(&r.ci_study)),
        ("incr", span(&r.incr)),
        ("measure", span(&r.measure)),
        ("method", span(&r.method)),
        ("endpoint", span(&r.endpoint)),
        ("forest", span(&r.forest)),
        ("forest_sort", span(&r.forest_sort)),
        ("forest_model", span(&r.forest_model)),
        ("funnel", span(&r.funnel)),
        ("reference", span(&r.reference)),
        ("model", span(&r.model)),
        ("setting", span(&r.setting)),
        ("small_values", span(&r.small_values)),
        ("graph", span(&r.graph)),
        ("outcome", span(&r.outcome)),
        ("group", span(&r.group)),
        ("tests", span(&r.tests)),
        ("k_min", span(&r.k_min)),
        ("estimator", span(&r.estimator)),
        ("side", span(&r.side)),
        ("selection_alternative", span(&r.selection_alternative)),
        ("of", span(&r.of)),
        ("order", span(&r.order)),
        ("decreasing", span(&r.decreasing)),
        ("baujat", span(&r.baujat)),
        ("influence_plot", span(&r.influence_plot)),
        ("data", span(&r.data)),
        ("sheet", span(&r.sheet)),
        ("map", span(&r.map)),
        ("sd_method", span(&r.sd_method)),
        ("ci_level", span(&r.ci_level)),
        ("mods", span(&r.mods)),
        ("ref", span(&r.refs)),
        ("bubble", span(&r.bubble)),
        ("pi", span(&r.pi)),
        ("bubble_back", span(&r.bubble_back)),
        ("glmm_model", span(&r.glmm_model)),
        ("overall", span(&r.overall)),
        ("comparator", span(&r.comparator)),
    ];
    all.into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
        .collect()
}

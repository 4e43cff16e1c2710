//! The meta-regression sections of a plan (`kind = "metareg"`): the studies of an earlier
//! pooled analysis (all of an analysis without groups, or one subgroup of a grouped one)
//! regressed on moderator columns, as `alkstats metareg` does.
//!
//! ```toml
//! [[analysis]]
//! id = "orr_crizotinib_year"
//! kind = "metareg"
//! of = "orr_by_drug"                  # required: an earlier pooled analysis
//! group = "crizotinib"                # required when that analysis has groups
//! mods = ["year"]                     # required: moderator columns
//! ref = { setting = "first-line" }    # reference levels of categorical moderators
//! model = "random"                    # random (mixed-effects) or common
//! bubble = true                       # the bubble plot (a continuous moderator); default false
//! pi = true                           # with the prediction band
//! bubble_back = true                  # its y axis back-transformed (proportions, ratios)
//! ```

use super::parse::{flag, opt, Ctx};
use super::raw::RawAnalysis;
use super::sensitivity::examined;
use super::spec::AnalysisSpec;
use super::{AnalysisPlan, FigurePlan};
use crate::analysis::group::Grouping;
use crate::methods::metareg::MetaRegSettings;
use crate::methods::PooledModel;
use crate::plot::bubble::BubbleOptions;
use crate::plot::forest::{Models, SortOrder};
use crate::report::ReportError;

/// What a meta-regression section regresses and how.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaregSpec {
    /// The id of the pooled analysis whose studies are regressed (an earlier section).
    pub of: String,
    /// That analysis' settings, for its data and its command line.
    pub pooled: Box<AnalysisSpec>,
    /// The one subgroup regressed; `None` when the analysis has no groups.
    pub group: Option<String>,
    /// Moderators, reference levels and model.
    pub settings: MetaRegSettings,
    /// The bubble plot, when asked for.
    pub bubble: Option<BubbleOptions>,
}

/// The keys of a `metareg` section.
pub(super) const KEYS: [&str; 8] = [
    "of",
    "group",
    "mods",
    "ref",
    "model",
    "bubble",
    "pi",
    "bubble_back",
];

/// Validates a meta-regression section (its keys are checked against its kind already).
pub(super) fn metareg(
    ctx: &Ctx<'_>,
    r: &RawAnalysis,
    id: String,
    earlier: &[AnalysisPlan],
) -> Result<AnalysisPlan, ReportError> {
    let pooled = examined(ctx, r, "metareg", &id, earlier)?;
    let group = r.group.as_ref().map(|g| g.get_ref().clone());
    if group.is_none() && pooled.spec.grouping() != Some(&Grouping::None) {
        return Err(ctx.error(
            &r.kind.span(),
            format!(
                "analysis '{id}': a meta-regression regresses the studies of one analysis; add \
                 group = \"NAME\" (one subgroup of '{}') or examine an analysis with by = \"none\"",
                pooled.id
            ),
        ));
    }
    let mods = match &r.mods {
        Some(m) if !m.get_ref().is_empty() => m.get_ref().clone(),
        _ => {
            return Err(ctx.error(
                &r.kind.span(),
                format!(
                    "analysis '{id}': kind 'metareg' needs mods = [\"COLUMN\", …], the moderator \
                     columns"
                ),
            ))
        }
    };
    let references = r
        .refs
        .as_ref()
        .map(|m| m.get_ref().clone().into_iter().collect())
        .unwrap_or_default();
    let bubble = flag(&r.bubble, false).then(|| BubbleOptions {
        x: None,
        pi: flag(&r.pi, false),
        back: flag(&r.bubble_back, false),
    });
    let title = r.title.clone().unwrap_or_else(|| {
        let on = mods.join(", ");
        match &group {
            Some(g) => format!("Meta-regression on {on}: {}, {g}", pooled.title),
            None => format!("Meta-regression on {on}: {}", pooled.title),
        }
    });
    Ok(AnalysisPlan {
        overall: false,
        id,
        title,
        spec: AnalysisSpec::Metareg(MetaregSpec {
            of: pooled.id.clone(),
            pooled: Box::new(pooled.spec.clone()),
            group,
            settings: MetaRegSettings {
                moderators: mods,
                references,
                model: opt(ctx, "model", &r.model, PooledModel::Random)?,
                studies: false,
            },
            bubble,
        }),
        figures: FigurePlan {
            forest: false,
            forest_sort: SortOrder::Input,
            forest_model: Models::Both,
            funnel: false,
            graph: false,
            baujat: false,
            influence: false,
        },
    })
}

//! The sensitivity sections of a plan, `kind = "influence"` and `kind = "cumulative"`: each
//! examines an earlier pooled analysis of the plan (`of = "ID"`), so that it refits exactly
//! the models that section reports, with its data and settings.
//!
//! ```toml
//! [[analysis]]
//! id = "orr_crizotinib_influence"
//! kind = "influence"                  # or "cumulative"
//! of = "orr_by_drug"                  # required: an earlier orr, orr-compare, hr or pfs analysis
//! group = "crizotinib"                # one subgroup of it; default: every group
//! model = "random"                    # random or common
//! forest = true                       # the leave-one-out (cumulative) forest; default true
//! baujat = true                       # influence, one group: the Baujat plot; default false
//! influence_plot = true               # influence, one group: the diagnostics' panels
//! order = "year"                      # cumulative: a column; default file order
//! decreasing = false                  # cumulative
//! ```

use super::kind::AnalysisKind;
use super::parse::{flag, opt, Ctx};
use super::raw::RawAnalysis;
use super::spec::AnalysisSpec;
use super::{AnalysisPlan, FigurePlan};
use crate::analysis::group::Grouping;
use crate::methods::cumulative::CumulativeOrder;
use crate::methods::PooledModel;
use crate::plot::forest::{Models, SortOrder};
use crate::report::ReportError;

/// What a sensitivity section examines and how.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivitySpec {
    /// The id of the pooled analysis examined (an earlier section of the plan).
    pub of: String,
    /// That analysis' settings, for its data and its command line.
    pub pooled: Box<AnalysisSpec>,
    /// The one subgroup examined; `None` for every group.
    pub group: Option<String>,
    /// The pooled model followed.
    pub model: PooledModel,
    /// Cumulative: the order the studies are added in.
    pub order: CumulativeOrder,
}

/// The earlier pooled analysis that section `id` (of kind `kind`) names with `of = "ID"`.
///
/// # Errors
/// No `of`, or one that names no earlier pooled analysis (a bias, sensitivity or network
/// section is not one).
pub(super) fn examined<'a>(
    ctx: &Ctx<'_>,
    r: &RawAnalysis,
    kind: &str,
    id: &str,
    earlier: &'a [AnalysisPlan],
) -> Result<&'a AnalysisPlan, ReportError> {
    let pooled_kinds = "an orr, orr-compare, hr, pfs, binary, continuous or generic analysis";
    let Some(of) = &r.of else {
        return Err(ctx.error(
            &r.kind.span(),
            format!(
                "analysis '{id}': kind '{kind}' needs of = \"ID\", the id of an earlier section: \
                 {pooled_kinds}"
            ),
        ));
    };
    let pooled =
        |a: &&AnalysisPlan| !matches!(a.spec, AnalysisSpec::Bias(_)) && a.spec.grouping().is_some();
    earlier
        .iter()
        .find(|a| a.id == *of.get_ref())
        .filter(pooled)
        .ok_or_else(|| {
            let ids: Vec<&str> = earlier
                .iter()
                .filter(pooled)
                .map(|a| a.id.as_str())
                .collect();
            ctx.error(
                &of.span(),
                format!(
                    "of: '{}' is not an earlier pooled analysis of the plan; expected the id of {} \
                     above this one ({})",
                    of.get_ref(),
                    pooled_kinds,
                    if ids.is_empty() {
                        "there is none".to_string()
                    } else {
                        ids.join(", ")
                    }
                ),
            )
        })
}

/// Validates a sensitivity section (its keys are checked against its kind already).
pub(super) fn sensitivity(
    ctx: &Ctx<'_>,
    r: &RawAnalysis,
    kind: AnalysisKind,
    id: String,
    earlier: &[AnalysisPlan],
) -> Result<AnalysisPlan, ReportError> {
    let examined = examined(ctx, r, kind.as_str(), &id, earlier)?;
    let group = r.group.as_ref().map(|g| g.get_ref().clone());
    let grouped = examined.spec.grouping() != Some(&Grouping::None);
    // A Baujat or panel plot draws one analysis: one group of a grouped analysis.
    for (key, v) in [("baujat", &r.baujat), ("influence_plot", &r.influence_plot)] {
        if let (Some(v), true, None) = (v, grouped, &group) {
            if *v.get_ref() {
                return Err(ctx.error(
                    &v.span(),
                    format!(
                        "{key}: draws one analysis; add group = \"NAME\" (one subgroup of '{}') or \
                         examine an analysis with by = \"none\"",
                        examined.id
                    ),
                ));
            }
        }
    }
    let spec = SensitivitySpec {
        of: examined.id.clone(),
        pooled: Box::new(examined.spec.clone()),
        group: group.clone(),
        model: opt(ctx, "model", &r.model, PooledModel::Random)?,
        order: CumulativeOrder {
            column: r.order.as_ref().map(|o| o.get_ref().clone()),
            decreasing: flag(&r.decreasing, false),
        },
    };
    let title = r.title.clone().unwrap_or_else(|| {
        let of = &examined.title;
        match &group {
            Some(g) => format!("{}: {of}, {g}", kind.default_title(None)),
            None => format!("{}: {of}", kind.default_title(None)),
        }
    });
    Ok(AnalysisPlan {
        overall: false,
        id,
        title,
        spec: match kind {
            AnalysisKind::Influence => AnalysisSpec::Influence(spec),
            _ => AnalysisSpec::Cumulative(spec),
        },
        figures: FigurePlan {
            forest: flag(&r.forest, true),
            forest_sort: SortOrder::Input,
            forest_model: Models::Both,
            funnel: false,
            graph: false,
            baujat: flag(&r.baujat, false),
            influence: flag(&r.influence_plot, false),
        },
    })
}

#[cfg(test)]
mod tests {
    use crate::methods::PooledModel;
    use crate::report::plan::{AnalysisSpec, Plan};

    const POOLED: &str = "title = \"T\"\n[[analysis]]\nid = \"orr\"\nkind = \"orr\"\n";

    fn parse(extra: &str) -> Result<Plan, String> {
        Plan::parse("p.toml", &format!("{POOLED}[[analysis]]\n{extra}")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_section_examines_an_earlier_pooled_analysis() {
        let p = parse(
            "id = \"i\"\nkind = \"influence\"\nof = \"orr\"\ngroup = \"crizotinib\"\n\
             baujat = true\nmodel = \"common\"\n",
        )
        .unwrap();
        let a = &p.analyses[1];
        let AnalysisSpec::Influence(s) = &a.spec else {
            panic!("{:?}", a.spec)
        };
        assert_eq!(
            (s.of.as_str(), s.group.as_deref()),
            ("orr", Some("crizotinib"))
        );
        assert_eq!(s.model, PooledModel::Common);
        assert!(a.figures.forest && a.figures.baujat && !a.figures.influence);
        assert_eq!(
            a.title,
            "Leave-one-out and influence diagnostics: Objective response rate by drug, crizotinib"
        );
        assert_eq!(
            a.spec.command_args(None).join(" "),
            "influence --outcome orr --by drug --sm PLOGIT --ci-study clopper-pearson --incr 0.5 \
             --method-tau REML --random-ci classic --prediction t --level 0.95 --model common \
             --group crizotinib"
        );
        let p = parse("id = \"c\"\nkind = \"cumulative\"\nof = \"orr\"\norder = \"year\"\ndecreasing = true\n")
            .unwrap();
        assert!(p.analyses[1]
            .spec
            .command_args(Some("arms.csv"))
            .join(" ")
            .ends_with("--data arms.csv --model random --order year --decreasing"));
    }

    #[test]
    fn bad_sections_are_located_and_explained() {
        let e = parse("id = \"i\"\nkind = \"influence\"\n").unwrap_err();
        assert!(
            e.starts_with("p.toml:7:8: analysis 'i': kind 'influence' needs of = \"ID\""),
            "{e}"
        );
        let e = parse("id = \"i\"\nkind = \"influence\"\nof = \"nope\"\n").unwrap_err();
        assert!(
            e.starts_with("p.toml:8:6: of: 'nope' is not an earlier pooled analysis of the plan")
                && e.ends_with("(orr)"),
            "{e}"
        );
        let e =
            parse("id = \"i\"\nkind = \"influence\"\nof = \"orr\"\nbaujat = true\n").unwrap_err();
        assert!(
            e.starts_with("p.toml:9:10: baujat: draws one analysis; add group"),
            "{e}"
        );
        let e =
            parse("id = \"c\"\nkind = \"cumulative\"\nof = \"orr\"\nbaujat = true\n").unwrap_err();
        assert!(
            e.contains("key 'baujat' does not apply to kind 'cumulative'"),
            "{e}"
        );
        let e = parse("id = \"i\"\nkind = \"influence\"\nof = \"orr\"\nmodel = \"both\"\n")
            .unwrap_err();
        assert!(
            e.contains("model: invalid pooled model (--model) 'both'"),
            "{e}"
        );
    }
}

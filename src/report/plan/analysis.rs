//! Validation of one `[[analysis]]` table into an [`AnalysisPlan`]: the keys its kind takes,
//! the shared settings it overrides, and the settings struct of its kind.

use super::kind::AnalysisKind;
use super::parse::{flag, incr, level, opt, Ctx, Shared};
use super::raw::{present_keys, RawAnalysis};
use super::sensitivity::sensitivity;
use super::spec::AnalysisSpec;
use super::{AnalysisPlan, FigurePlan};
use crate::analysis::compare::{CompareMethod, CompareSettings, COMPARISON};
use crate::analysis::group::Grouping;
use crate::analysis::hazard::HazardSettings;
use crate::analysis::median_pfs::{MedianMethod, MedianSettings};
use crate::analysis::proportion::ProportionSettings;
use crate::data::arms::normalise_drug;
use crate::effect::two_arm::TwoArmMeasure;
use crate::network::hr::HrNetworkSettings;
use crate::network::settings::EffectScale;
use crate::network::{NetworkModel, NetworkSettings, SmallValues};
use crate::plot::forest::{Models, SortOrder};
use crate::report::ReportError;
use crate::settings::{Endpoint, ProportionMeasure, StudyCi};
use toml::Spanned;

pub(super) fn analysis(
    ctx: &Ctx<'_>,
    raw: &Spanned<RawAnalysis>,
    defaults: &Shared,
    earlier: &[AnalysisPlan],
) -> Result<AnalysisPlan, ReportError> {
    let r = raw.get_ref();
    let kind: AnalysisKind = ctx.parse("kind", &r.kind)?;
    let id = r.id.get_ref().clone();
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !id_ok {
        return Err(ctx.error(
            &r.id.span(),
            format!("id: '{id}' cannot name files; expected letters, digits, '_' or '-', such as orr_by_drug"),
        ));
    }
    // A `bias` analysis is the pooled analysis of its `outcome`, with the methods' keys.
    let (pooled_kind, keys) = match kind {
        AnalysisKind::Bias => {
            let outcome = super::bias::outcome(ctx, r)?;
            (outcome, super::bias::keys(outcome))
        }
        _ => (kind, kind.keys()),
    };
    // Reject keys the kind does not use, where they would otherwise be silently ignored.
    for (key, span) in present_keys(r) {
        if !keys.contains(&key) {
            return Err(ctx.error(
                &span,
                format!(
                    "analysis '{id}': key '{key}' does not apply to kind '{kind}'; kind '{kind}' takes: \
                     id, kind, title, {}",
                    keys.join(", ")
                ),
            ));
        }
    }
    let mut fit = defaults.fit;
    fit.method_tau = opt(ctx, "method_tau", &r.method_tau, fit.method_tau)?;
    fit.random_ci = opt(ctx, "random_ci", &r.random_ci, fit.random_ci)?;
    fit.prediction = opt(ctx, "prediction", &r.prediction, fit.prediction)?;
    if let Some(v) = &r.level {
        fit.level = level(ctx, v)?;
    }
    let keep_overlapping = flag(&r.keep_overlapping, defaults.keep_overlapping);
    let default_by = match pooled_kind {
        AnalysisKind::Orr | AnalysisKind::Pfs => "drug",
        _ => COMPARISON,
    };
    let grouping = Grouping::from_arg(r.by.as_ref().map_or(default_by, |b| b.get_ref().as_str()));
    let spec = match pooled_kind {
        AnalysisKind::Orr => AnalysisSpec::Orr(ProportionSettings {
            sm: opt(ctx, "sm", &r.sm, ProportionMeasure::Plogit)?,
            fit,
            ci_study: opt(ctx, "ci_study", &r.ci_study, StudyCi::ClopperPearson)?,
            incr: incr(ctx, r.incr.as_ref())?,
            grouping,
            keep_overlapping,
            glmm: glmm_method(ctx, r)?,
        }),
        AnalysisKind::OrrCompare => {
            let measure = opt(ctx, "measure", &r.measure, TwoArmMeasure::Rr)?;
            let method = opt(ctx, "method", &r.method, CompareMethod::Mh)?;
            if method == CompareMethod::Peto && measure != TwoArmMeasure::Or {
                let span = r.method.as_ref().map_or(r.kind.span(), Spanned::span);
                return Err(ctx.error(
                    &span,
                    format!("method: Peto estimates an odds ratio; expected measure = \"OR\" (found {measure})"),
                ));
            }
            AnalysisSpec::OrrCompare(CompareSettings {
                measure,
                method,
                fit,
                incr: incr(ctx, r.incr.as_ref())?,
                grouping,
                keep_overlapping,
                comparator: r.comparator.as_ref().map(|c| c.get_ref().clone()),
                glmm: None,
            })
        }
        AnalysisKind::Hr => AnalysisSpec::Hr(HazardSettings {
            fit,
            endpoint: opt(ctx, "endpoint", &r.endpoint, Endpoint::Pfs)?,
            grouping,
            keep_overlapping,
        }),
        AnalysisKind::Pfs => AnalysisSpec::Pfs(MedianSettings {
            method: opt(ctx, "method", &r.method, MedianMethod::LogIv)?,
            fit,
            grouping,
            keep_overlapping,
        }),
        AnalysisKind::Network => {
            let network = NetworkSettings {
                model: opt(ctx, "model", &r.model, NetworkModel::Random)?,
                method_tau: fit.method_tau,
                reference: r.reference.as_ref().map(|v| normalise_drug(v.get_ref())),
                small_values: opt(ctx, "small_values", &r.small_values, SmallValues::Good)?,
                level: fit.level,
                scale: EffectScale::LogRatio,
            };
            if let Err(e) = network.validate() {
                let span = r
                    .method_tau
                    .as_ref()
                    .map(Spanned::span)
                    .or_else(|| defaults.method_tau_span.clone())
                    .unwrap_or(r.kind.span());
                return Err(ctx.error(&span, format!("analysis '{id}': {e}")));
            }
            AnalysisSpec::Network(HrNetworkSettings {
                network,
                endpoint: opt(ctx, "endpoint", &r.endpoint, Endpoint::Pfs)?,
                setting: r.setting.as_ref().map(|v| v.get_ref().clone()),
                keep_overlapping,
            })
        }
        AnalysisKind::Bias => {
            return Err(ctx.error(
                &r.kind.span(),
                "outcome: a bias analysis tests a pooled one",
            ))
        }
        AnalysisKind::Influence | AnalysisKind::Cumulative => {
            return sensitivity(ctx, r, kind, id, earlier)
        }
        AnalysisKind::Metareg => return super::metareg::metareg(ctx, r, id, earlier),
        AnalysisKind::Binary | AnalysisKind::Continuous | AnalysisKind::Generic => {
            super::user_data::spec(ctx, r, &id, kind, fit)?
        }
    };
    let bias = kind == AnalysisKind::Bias;
    let spec = if bias {
        super::bias::spec(ctx, r, spec)?
    } else {
        spec
    };
    let figures = FigurePlan {
        forest: flag(&r.forest, !bias),
        forest_sort: opt(ctx, "forest_sort", &r.forest_sort, SortOrder::Input)?,
        forest_model: opt(ctx, "forest_model", &r.forest_model, Models::Both)?,
        // A bias analysis draws its funnel plot with trim-and-fill unless told not to.
        funnel: flag(&r.funnel, bias),
        graph: flag(&r.graph, kind == AnalysisKind::Network),
        baujat: false,
        influence: false,
    };
    Ok(AnalysisPlan {
        overall: flag(&r.overall, false),
        id,
        title: r
            .title
            .clone()
            .unwrap_or_else(|| kind.default_title(spec.grouping())),
        spec,
        figures,
    })
}

/// `method = "GLMM"` of an `orr` analysis (the binomial-normal GLMM), or `"IV"` (the default).
fn glmm_method(ctx: &Ctx<'_>, r: &RawAnalysis) -> Result<bool, ReportError> {
    match &r.method {
        None => Ok(false),
        Some(m) => match m.get_ref().to_ascii_uppercase().as_str() {
            "GLMM" => Ok(true),
            "IV" => Ok(false),
            other => Err(ctx.error(
                &m.span(),
                format!(
                    "method: '{other}' does not apply to kind 'orr'; expected \"IV\" or \"GLMM\""
                ),
            )),
        },
    }
}

//! Running a `bias` analysis of a plan: its pooled analysis with the library function that
//! `alkstats pool` calls, the small-study methods on the fitted models as `alkstats bias`
//! runs them, and the funnel plot of each tested group with its trim-and-fill, drawn as
//! `alkstats funnel --trimfill` draws it.

use super::figures::{Figure, FigureKind};
use super::inputs::Loaded;
use super::{AnyReport, Ran, Role};
use crate::analysis::bias::{bias_report, BiasReport};
use crate::analysis::compare::compare_arms;
use crate::analysis::hazard::pool_hazard_ratios;
use crate::analysis::median_pfs::pool_medians;
use crate::analysis::proportion::pool_proportions;
use crate::analysis::report::{
    ComparisonStudyResult, HazardStudyResult, MedianStudyResult, PoolReport, StudyResult, StudyRow,
};
use crate::analysis::AnalysisError;
use crate::data::{Arm, HrRow};
use crate::plot::forest::Models;
use crate::plot::funnel::{funnel_data, with_trim_and_fill, FunnelOptions};
use crate::plot::{self, Format, Page, PlotError};
use crate::report::plan::{AnalysisPlan, AnalysisSpec, BiasSpec};
use crate::report::ReportError;
use serde::Serialize;

/// A `bias` analysis' result: serialised exactly as `alkstats bias --format json`; the pooled
/// analysis it tested (only the tested groups, its warnings those of the bias report) is kept
/// for the report's tables and provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasSection {
    /// The small-study methods.
    #[serde(flatten)]
    pub report: BiasReport,
    /// The pooled analysis of the tested groups.
    #[serde(skip)]
    pub pooled: Tested,
}

/// The pooled analysis a bias section tested, by outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Tested {
    /// Response proportions.
    Orr(PoolReport<StudyResult>),
    /// Two-arm response comparisons.
    OrrCompare(PoolReport<ComparisonStudyResult>),
    /// Hazard ratios.
    Hr(PoolReport<HazardStudyResult>),
    /// Median PFS.
    Pfs(PoolReport<MedianStudyResult>),
}

/// Runs the bias analysis `b` of plan entry `a` on the loaded data.
pub(super) fn run_bias<'a>(
    a: &AnalysisPlan,
    b: &BiasSpec,
    arms: Option<&'a Loaded<Arm>>,
    hr: Option<&'a Loaded<HrRow>>,
    dpi: f64,
) -> Result<Ran<'a>, ReportError> {
    let analysis_err = |source: AnalysisError| ReportError::Analysis {
        id: a.id.clone(),
        source,
    };
    let missing =
        || ReportError::Internal(format!("analysis '{}': its data file was not loaded", a.id));
    macro_rules! tested {
        ($variant:ident, $settings:expr, $data:expr, $pool:path, $role:expr) => {{
            let data = $data.ok_or_else(missing)?;
            let mut report =
                $pool(&data.rows, &data.headers, &data.name, $settings).map_err(analysis_err)?;
            report.shipped_data = data.written.is_none();
            let (section, figures) = section(a, b, report, dpi, Tested::$variant)?;
            (section, figures, $role, data.written.as_deref())
        }};
    }
    Ok(match b.pooled.as_ref() {
        AnalysisSpec::Orr(s) => tested!(Orr, s, arms, pool_proportions, Role::Arms),
        AnalysisSpec::OrrCompare(s) => tested!(OrrCompare, s, arms, compare_arms, Role::Arms),
        AnalysisSpec::Hr(s) => tested!(Hr, s, hr, pool_hazard_ratios, Role::Hr),
        AnalysisSpec::Pfs(s) => tested!(Pfs, s, arms, pool_medians, Role::Arms),
        other => {
            return Err(ReportError::Internal(format!(
                "analysis '{}': kind '{}' has no small-study methods",
                a.id,
                other.kind()
            )))
        }
    })
}

/// The bias report of a pooled `report`, the pooled analyses it tested, and their funnel plots.
fn section<S: StudyRow + Clone>(
    a: &AnalysisPlan,
    b: &BiasSpec,
    mut report: PoolReport<S>,
    dpi: f64,
    wrap: fn(PoolReport<S>) -> Tested,
) -> Result<(AnyReport, Vec<Figure>), ReportError> {
    let group = b.group.as_deref();
    if let Some(g) = group {
        if !report
            .analyses
            .iter()
            .any(|x| x.group.as_deref() == Some(g))
        {
            let names: Vec<&str> = report
                .analyses
                .iter()
                .filter_map(|x| x.group.as_deref())
                .collect();
            return Err(ReportError::UnknownGroup {
                id: a.id.clone(),
                group: g.to_string(),
                by: report.settings.by.clone(),
                available: names.join(", "),
            });
        }
    }
    let bias = bias_report(&report, &b.methods, group);
    report
        .analyses
        .retain(|x| group.is_none() || x.group.as_deref() == group);
    report.subgroup_test = None;
    report.warnings = bias.warnings.clone();
    let figures = if a.figures.funnel {
        funnels(a, &report, &bias, dpi)?
    } else {
        Vec::new()
    };
    Ok((
        AnyReport::Bias(Box::new(BiasSection {
            report: bias,
            pooled: wrap(report),
        })),
        figures,
    ))
}

/// The funnel plot of each tested group, with its trim-and-fill where there is one.
fn funnels<S: StudyRow>(
    a: &AnalysisPlan,
    report: &PoolReport<S>,
    bias: &BiasReport,
    dpi: f64,
) -> Result<Vec<Figure>, ReportError> {
    let err = |source: PlotError| ReportError::Plot {
        id: a.id.clone(),
        source,
    };
    let page = Page {
        width: None,
        height: None,
        dpi,
    };
    let opts = FunnelOptions {
        models: Models::Random,
        contour_center: None,
        title: None,
    };
    let several = report.analyses.len() > 1;
    let mut out = Vec::new();
    for (i, (pooled, tested)) in report.analyses.iter().zip(&bias.analyses).enumerate() {
        if pooled.model.is_none() {
            // No variances (median of medians): no funnel to draw.
            continue;
        }
        let mut data = funnel_data(report, pooled, &opts).map_err(err)?;
        let trimfill = tested.bias.as_ref().and_then(|x| x.trimfill.as_ref());
        let kind = match trimfill {
            Some(tf) => {
                data = with_trim_and_fill(data, tf);
                FigureKind::TrimFill
            }
            None => FigureKind::Funnel,
        };
        let scene = plot::funnel::layout(&data, &page).map_err(err)?;
        let stem = if several {
            format!("figures/{}_{}_{}", a.id, i + 1, kind.as_str())
        } else {
            format!("figures/{}_{}", a.id, kind.as_str())
        };
        out.push(Figure {
            kind,
            stem,
            png: plot::render(&scene, Format::Png, dpi).map_err(err)?,
            svg: plot::render(&scene, Format::Svg, dpi).map_err(err)?,
        });
    }
    Ok(out)
}

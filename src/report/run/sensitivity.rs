//! The sensitivity sections of a run (`kind = "influence"`, `"cumulative"`): the pooled analysis
//! they examine is an earlier section, whose report keeps every group's fitted model; the
//! methods run on those models (restricted to the plan's group) as `alkstats influence` and
//! `alkstats cumulative` run them, and the figures are those their `--plot`, `--baujat` and
//! `--influence-plot` draw, with the default page.

use super::figures::{Figure, FigureKind};
use super::{examined, not_pooled, with_pooled, AnyReport, Role, Section};
use crate::analysis::report::PoolReport;
use crate::analysis::sensitivity::{cumulative_report, influence_report, select_group};
use crate::analysis::AnalysisError;
use crate::plot::forest::refits_forest;
use crate::plot::scene::Scene;
use crate::plot::{self, baujat, influence, Format, Page, PlotError};
use crate::report::plan::{AnalysisPlan, AnalysisSpec, SensitivitySpec};
use crate::report::ReportError;

/// The report, figures and data role of the sensitivity section `a` examining `s.of`.
///
/// # Errors
/// An unknown group or `order` column, or a figure that cannot be drawn.
pub(super) fn section(
    a: &AnalysisPlan,
    s: &SensitivitySpec,
    earlier: &[Section],
    dpi: f64,
) -> Result<(AnyReport, Vec<Figure>, Role), ReportError> {
    let examined = examined(a, &s.of, earlier)?;
    let report = with_pooled!(&examined.report, r => methods(a, s, r),
        _ => return Err(not_pooled(a, &s.of)),
    )
    .map_err(|source| ReportError::Analysis {
        id: a.id.clone(),
        source,
    })?;
    let figures = figures(a, &report, dpi)?;
    Ok((report, figures, examined.role))
}

/// Runs the section's method on the pooled report `r`.
fn methods<S: Clone>(
    a: &AnalysisPlan,
    s: &SensitivitySpec,
    r: &PoolReport<S>,
) -> Result<AnyReport, AnalysisError> {
    let pooled = match &s.group {
        Some(g) => select_group(r.clone(), g)?,
        None => r.clone(),
    };
    Ok(match a.spec {
        AnalysisSpec::Cumulative(_) => AnyReport::Cumulative(Box::new(cumulative_report(
            &pooled,
            s.model,
            &s.order,
            &(),
        )?)),
        _ => AnyReport::Influence(Box::new(influence_report(&pooled, s.model, &()))),
    })
}

/// The figures the plan asks for, in PNG and SVG.
fn figures(a: &AnalysisPlan, report: &AnyReport, dpi: f64) -> Result<Vec<Figure>, ReportError> {
    let err = |source: PlotError| ReportError::Plot {
        id: a.id.clone(),
        source,
    };
    let page = Page {
        width: None,
        height: None,
        dpi,
    };
    let mut scenes: Vec<(FigureKind, Scene)> = Vec::new();
    match report {
        AnyReport::Influence(r) => {
            if a.figures.forest {
                let data = refits_forest(r, None).map_err(err)?;
                scenes.push((
                    FigureKind::Forest,
                    plot::forest::layout(&data, &page).map_err(err)?,
                ));
            }
            // The plan asks for these of one group only (checked when it is read).
            let one = r.analyses.first().filter(|_| r.analyses.len() == 1);
            let one = || {
                one.ok_or(PlotError::Empty {
                    subject: "the plot of one analysis",
                    missing: "single group",
                })
            };
            if a.figures.baujat {
                let data = baujat::baujat_data(
                    one().map_err(err)?,
                    r.labels().what,
                    r.settings.model,
                    None,
                );
                let scene = data.and_then(|d| baujat::layout(&d, &page)).map_err(err)?;
                scenes.push((FigureKind::Baujat, scene));
            }
            if a.figures.influence {
                let data = influence::influence_data(one().map_err(err)?, r.labels().what, None);
                let scene = data
                    .and_then(|d| influence::layout(&d, &page))
                    .map_err(err)?;
                scenes.push((FigureKind::Influence, scene));
            }
        }
        AnyReport::Cumulative(r) if a.figures.forest => {
            let data = refits_forest(r, None).map_err(err)?;
            scenes.push((
                FigureKind::Forest,
                plot::forest::layout(&data, &page).map_err(err)?,
            ));
        }
        _ => {}
    }
    scenes
        .into_iter()
        .map(|(kind, scene)| {
            Ok(Figure {
                kind,
                stem: format!("figures/{}_{}", a.id, kind.as_str()),
                png: plot::render(&scene, Format::Png, dpi).map_err(err)?,
                svg: plot::render(&scene, Format::Svg, dpi).map_err(err)?,
            })
        })
        .collect()
}

//! The meta-regression sections of a run (`kind = "metareg"`): the pooled analysis they
//! regress is an earlier section, whose report keeps its fitted models; the regression runs on
//! the model of the plan's group as `alkstats metareg --by COL --group NAME` runs it, and the
//! bubble plot is the one its `--bubble` draws, with the default page.

use super::figures::{one_figure, Figure, FigureKind};
use super::{examined, not_pooled, with_pooled, AnyReport, Role, Section};
use crate::analysis::metareg::{metareg_report, MetaRegReport};
use crate::analysis::report::PoolReport;
use crate::analysis::sensitivity::select_group;
use crate::analysis::AnalysisError;
use crate::plot::bubble::{self, regression_bubble, BubbleData, BubbleError};
use crate::plot::Page;
use crate::report::plan::{AnalysisPlan, MetaregSpec};
use crate::report::render::SourceLines;
use crate::report::ReportError;
use serde::Serialize;

/// A meta-regression section's result: serialised exactly as `alkstats metareg --format
/// json`; the input lines of the regressed studies are kept for the provenance table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaregSection {
    /// The regression.
    #[serde(flatten)]
    pub report: MetaRegReport,
    /// Lines of the studies regressed.
    #[serde(skip)]
    pub lines: Vec<u64>,
}

/// The regression of the plan's group of `r`, its studies' lines and its bubble plot's data.
fn regress<S: SourceLines + Clone>(
    s: &MetaregSpec,
    r: &PoolReport<S>,
) -> Result<(MetaregSection, Option<Result<BubbleData, BubbleError>>), AnalysisError> {
    let pooled = match &s.group {
        Some(g) => select_group(r.clone(), g)?,
        None => r.clone(),
    };
    let (report, fit) = metareg_report(&pooled, &s.settings)?;
    let model = pooled.analyses.first().and_then(|a| a.model.as_deref());
    let back = |y: f64| model.and_then(|m| m.back(y));
    let bubble = s
        .bubble
        .as_ref()
        .map(|o| regression_bubble(&fit, report.measure, o, &back));
    let lines = pooled
        .analyses
        .iter()
        .flat_map(|a| a.studies.iter().flat_map(SourceLines::source_lines))
        .collect();
    Ok((MetaregSection { report, lines }, bubble))
}

/// The report, figures and data role of the meta-regression section `a`.
///
/// # Errors
/// An unknown group or moderator, a model that cannot be fitted, or a bubble plot that cannot
/// be drawn.
pub(super) fn section(
    a: &AnalysisPlan,
    s: &MetaregSpec,
    earlier: &[Section],
    dpi: f64,
) -> Result<(AnyReport, Vec<Figure>, Role), ReportError> {
    let examined = examined(a, &s.of, earlier)?;
    let analysis_err = |source| ReportError::Analysis {
        id: a.id.clone(),
        source,
    };
    let (section, bubble) = with_pooled!(&examined.report, r => regress(s, r),
        _ => return Err(not_pooled(a, &s.of)),
    )
    .map_err(analysis_err)?;
    let mut figures = Vec::new();
    if let Some(data) = bubble {
        let data = data.map_err(|e| match e {
            BubbleError::Moderator(m) => analysis_err(AnalysisError::MetaReg(m)),
            BubbleError::Plot(p) => ReportError::Plot {
                id: a.id.clone(),
                source: p,
            },
        })?;
        let page = Page {
            width: None,
            height: None,
            dpi,
        };
        let scene = bubble::layout(&data, &page);
        figures.push(one_figure(&a.id, dpi, FigureKind::Bubble, scene)?);
    }
    Ok((
        AnyReport::Metareg(Box::new(section)),
        figures,
        examined.role,
    ))
}

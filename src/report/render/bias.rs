//! The view of a `bias` analysis: the view of the pooled analysis it tested (its table, studies
//! and provenance), with a table of the small-study methods per tested group, the rows as
//! `alkstats bias` prints them.

use super::pooled::{analysis_view, pooled_lines};
use super::view::{AnalysisView, FigureView};
use crate::output::bias::method_rows;
use crate::report::run::{BiasSection, Section, Tested};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(super) struct BiasRowView {
    pub(super) method: String,
    pub(super) statistic: String,
    pub(super) p: String,
    pub(super) asymmetry: String,
    pub(super) adjusted: String,
}

#[derive(Debug, Serialize)]
pub(super) struct BiasGroupView {
    pub(super) label: String,
    pub(super) rows: Vec<BiasRowView>,
}

#[derive(Debug, Serialize)]
pub(super) struct BiasView {
    pub(super) groups: Vec<BiasGroupView>,
    pub(super) note: String,
}

/// The view of a bias section; `number` and `figures` as for a pooled analysis.
pub(super) fn bias_view(
    s: &Section,
    b: &BiasSection,
    number: usize,
    figures: Vec<FigureView>,
) -> AnalysisView {
    let mut view = match &b.pooled {
        Tested::Orr(r) => analysis_view(s, r, number, figures),
        Tested::OrrCompare(r) => analysis_view(s, r, number, figures),
        Tested::Hr(r) => analysis_view(s, r, number, figures),
        Tested::Pfs(r) => analysis_view(s, r, number, figures),
    };
    let groups = b
        .report
        .analyses
        .iter()
        .map(|a| BiasGroupView {
            label: a.group.clone().unwrap_or_else(|| "All studies".into()),
            rows: a
                .bias
                .as_ref()
                .map(method_rows)
                .unwrap_or_default()
                .into_iter()
                .map(|r| {
                    let [method, statistic, p, asymmetry, adjusted] =
                        <[String; 5]>::try_from(r).unwrap_or_default();
                    BiasRowView {
                        method,
                        statistic,
                        p,
                        asymmetry,
                        adjusted,
                    }
                })
                .collect(),
        })
        .collect();
    view.bias = Some(BiasView {
        groups,
        note: "* the test R meta uses by default for this measure. Asymmetry is the coefficient \
               of the measure of study size; the adjusted estimate is the regression's limit as \
               that measure goes to 0, or the method's estimate. Funnel-plot asymmetry is not \
               proof of publication bias (Sterne et al. 2011)."
            .into(),
    });
    view
}

/// Lines of the studies of the pooled analysis a bias section tested.
pub(super) fn bias_lines(b: &BiasSection) -> Vec<u64> {
    match &b.pooled {
        Tested::Orr(r) => pooled_lines(r),
        Tested::OrrCompare(r) => pooled_lines(r),
        Tested::Hr(r) => pooled_lines(r),
        Tested::Pfs(r) => pooled_lines(r),
    }
}

//! The view of a `bias` analysis: the view of the pooled analysis it tested (its table, studies
//! and provenance), with a table of the small-study methods per tested group, the rows as
//! `alkstats bias` prints them.

use super::pooled::{analysis_view, group_label, pooled_lines, settings_line};
use super::table::{head, left, num, right, text, TableView};
use super::view::{AnalysisView, FigureView};
use crate::output::bias::method_rows;
use crate::report::run::{BiasSection, Section, Tested};

/// The view of a bias section: the view of the pooled analysis it tested, with the table of
/// small-study methods per tested group and a note on reading them after the pooled estimates;
/// `number` and `figures` as for a pooled analysis.
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
    let st = &b.report.settings.pool;
    let (_, level) = settings_line(st);
    let by = if st.by == "none" { "" } else { st.by.as_str() };
    let mut t = TableView::new(
        "pooled",
        format!("Small-study effects ({level}% CIs)"),
        vec![
            left(by),
            left("Method"),
            left("Statistic"),
            right("p"),
            right("Asymmetry (SE)"),
            right("Adjusted estimate"),
        ],
    );
    for a in &b.report.analyses {
        for r in a.bias.as_ref().map(method_rows).unwrap_or_default() {
            let [method, statistic, p, asymmetry, adjusted] =
                <[String; 5]>::try_from(r).unwrap_or_default();
            t.row(vec![
                head(group_label(&a.group)),
                text(method),
                text(statistic),
                num(p),
                num(asymmetry),
                num(adjusted),
            ]);
        }
    }
    view.blocks.push(t.into());
    view.blocks.push(
        "* the test R meta uses by default for this measure. Asymmetry is the coefficient of \
         the measure of study size; the adjusted estimate is the regression's limit as that \
         measure goes to 0, or the method's estimate. Funnel-plot asymmetry is not proof of \
         publication bias (Sterne et al. 2011)."
            .to_string()
            .into(),
    );
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

//! The view of a meta-regression section: its coefficients as `alkstats metareg` prints them,
//! then the test of the moderators and of residual heterogeneity, with τ², I² and R².

use super::pooled::settings_line;
use super::table::{head, left, num, right, BlockView, TableView};
use super::view::{notes, AnalysisView, FigureView};
use crate::output::metareg::{coefficient_rows, test_lines};
use crate::report::run::{MetaregSection, Section};

/// The view of a meta-regression section.
pub(super) fn metareg_view(
    s: &Section,
    m: &MetaregSection,
    number: usize,
    figures: Vec<FigureView>,
) -> AnalysisView {
    let r = &m.report;
    let st = &r.settings;
    let (line, _) = settings_line(&st.pool);
    let model = match r.regression.model.as_str() {
        "common" => "Fixed-effects meta-regression",
        _ => "Mixed-effects meta-regression",
    };
    let settings = format!(
        "{model} on {} (k = {}); {line}",
        st.moderators.join(", "),
        r.regression.k
    );
    let mut view = AnalysisView::new(s, number, figures, settings, st.pool.data.clone());
    let mut rows = coefficient_rows(&r.regression, st.pool.level).into_iter();
    if let Some(header) = rows.next() {
        let mut columns = vec![left("Term")];
        columns.extend(header.into_iter().skip(1).map(right));
        let mut t = TableView::new(
            "pooled compact",
            format!(
                "Coefficients on the {} scale ({})",
                st.pool.scale, st.pool.sm
            ),
            columns,
        );
        for row in rows {
            let mut cells = row.into_iter();
            let term = cells.next().unwrap_or_default();
            t.row(std::iter::once(head(term)).chain(cells.map(num)).collect());
        }
        view.blocks.push(t.into());
    }
    view.blocks
        .extend(test_lines(&r.regression).into_iter().map(BlockView::from));
    view.notes = notes(Vec::new(), Vec::new(), r.regression.warnings.clone());
    view
}

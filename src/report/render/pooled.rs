//! The view of a pooled analysis (`alkstats pool`): one table per subgroup with its studies,
//! the pooled estimates and heterogeneity, the subgroup tests, and the input lines behind
//! every study row.

use super::format::{est_ci, num as fixed, p_text};
use super::labels::{labels, Labels};
use super::table::{head, left, lines, num, right, text, TableView};
use super::view::{notes, AnalysisView, FigureView, NotesView};
use crate::analysis::continuous::ContinuousStudyResult;
use crate::analysis::generic::GenericStudyResult;
use crate::analysis::report::{
    ComparisonStudyResult, HazardStudyResult, MedianStudyResult, PoolReport, PoolSettingsEcho,
    StudyResult, StudyRow,
};
use crate::format::p_value as fmt_p;
use crate::report::run::Section;

/// Lines of the input file that a study row comes from (two for a two-arm comparison).
pub trait SourceLines {
    /// The lines.
    fn source_lines(&self) -> Vec<u64>;
}

/// Study rows from one line each.
macro_rules! one_line {
    ($($t:ty),+) => {$(
        impl SourceLines for $t {
            fn source_lines(&self) -> Vec<u64> {
                vec![self.line]
            }
        }
    )+};
}

one_line!(
    StudyResult,
    HazardStudyResult,
    MedianStudyResult,
    ContinuousStudyResult,
    GenericStudyResult
);

impl SourceLines for ComparisonStudyResult {
    fn source_lines(&self) -> Vec<u64> {
        self.lines.to_vec()
    }
}

/// The table of pooled estimates: a row per group.
fn pooled_table<S: StudyRow>(r: &PoolReport<S>, l: &Labels, by: &str, level: &str) -> TableView {
    let mut t = TableView::new(
        "pooled",
        format!("Pooled estimates ({}, {level}% CIs)", l.effect_header),
        vec![
            left(by),
            right("k"),
            right(l.data_header),
            right("Common effect"),
            right("Random effects"),
            right("Prediction interval"),
            right("I²"),
            right("τ²"),
            right("Q (df)"),
            right("p(Q)"),
        ],
    );
    for a in &r.analyses {
        let h = a.heterogeneity.as_ref();
        t.row(vec![
            head(group_label(&a.group)),
            num(a.k.to_string()),
            num(match (a.events, a.n) {
                (Some(e), Some(n)) => format!("{e}/{n}"),
                (None, Some(n)) => n.to_string(),
                _ => String::new(),
            }),
            num(est_ci(
                a.common.estimate,
                a.common.lower,
                a.common.upper,
                l.digits,
            )),
            num(est_ci(
                a.random.estimate,
                a.random.lower,
                a.random.upper,
                l.digits,
            )),
            num(match &a.prediction {
                Some(p) => format!(
                    "[{}; {}]",
                    fixed(p.lower, l.digits),
                    fixed(p.upper, l.digits)
                ),
                None => "n/a".into(),
            }),
            num(match h {
                Some(h) => match (h.i2_lower, h.i2_upper) {
                    (Some(lo), Some(hi)) => format!(
                        "{}% [{}; {}]",
                        fixed(Some(h.i2), 1),
                        fixed(Some(lo), 1),
                        fixed(Some(hi), 1)
                    ),
                    _ => format!("{}%", fixed(Some(h.i2), 1)),
                },
                None => "n/a".into(),
            }),
            num(fixed(h.map(|h| h.tau2), 4)),
            num(h.map_or("n/a".into(), |h| {
                format!("{} ({})", fixed(Some(h.q), 2), h.df)
            })),
            num(fmt_p(h.and_then(|h| h.p))),
        ]);
    }
    t
}

/// The table of studies, under a band per group when the analysis is grouped.
fn studies_table<S: StudyRow + SourceLines>(
    r: &PoolReport<S>,
    l: &Labels,
    by: &str,
    level: &str,
) -> TableView {
    let mut t = TableView::new(
        "studies",
        format!(
            "Studies ({} with {level}% CI; weights in percent)",
            l.effect_header
        ),
        vec![
            left("Study"),
            right(l.data_header),
            right("Estimate [CI]"),
            right("Weight (common)"),
            right("Weight (random)"),
            right("Data line"),
        ],
    );
    for a in &r.analyses {
        if !by.is_empty() {
            t.band(group_label(&a.group));
        }
        for s in &a.studies {
            let (est, lo, hi) = s.display();
            let (wc, wr) = s.weights();
            t.row(vec![
                text(s.label()),
                num(s.data_cell()),
                num(est_ci(Some(est), lo, hi, l.digits)),
                num(fixed(Some(wc), 1)),
                num(fixed(Some(wr), 1)),
                lines(s.source_lines()),
            ]);
        }
    }
    t
}

/// A group's label in the tables.
pub(super) fn group_label(group: &Option<String>) -> String {
    group.clone().unwrap_or_else(|| "All studies".into())
}

/// The view of a pooled analysis: the table of pooled estimates and the subgroup tests before
/// the figures, the studies after them.
pub(super) fn analysis_view<S: StudyRow + SourceLines>(
    s: &Section,
    r: &PoolReport<S>,
    number: usize,
    figures: Vec<FigureView>,
) -> AnalysisView {
    let l = labels(r);
    let st = &r.settings;
    let (settings_line, level) = settings_line(st);
    let by = if st.by == "none" { "" } else { st.by.as_str() };
    let mut view = AnalysisView::new(s, number, figures, settings_line, st.data.clone());
    view.blocks.push(pooled_table(r, &l, by, &level).into());
    let tests: Vec<String> = r
        .subgroup_test
        .iter()
        .flat_map(|t| [("common-effect", &t.common), ("random-effects", &t.random)])
        .filter_map(|(name, q)| {
            q.as_ref().map(|q| {
                format!(
                    "{name} model: Q = {}, df = {}, {}",
                    fixed(Some(q.q), 2),
                    q.df,
                    p_text(q.p)
                )
            })
        })
        .collect();
    if !tests.is_empty() {
        view.blocks
            .push(format!("Test for subgroup differences: {}.", tests.join("; ")).into());
    }
    view.after.push(studies_table(r, &l, by, &level).into());
    view.notes = notes(
        r.assumptions.clone(),
        r.excluded
            .iter()
            .map(|e| format!("{} (line {}): {}", e.study, e.line, e.reason))
            .collect(),
        r.warnings.clone(),
    );
    if let Some(note) = &r.overall_note {
        let across = NotesView {
            heading: "Across groups",
            items: vec![note.clone()],
        };
        view.notes.insert(0, across);
    }
    view
}

/// The settings line of a pooled analysis and its level in percent.
pub(super) fn settings_line(st: &PoolSettingsEcho) -> (String, String) {
    let level = format!("{}", (st.level * 100.0 * 1e6).round() / 1e6);
    let mut settings_line = format!(
        "{} ({}); τ² {}; random-effects CI {}; prediction {}",
        st.sm,
        st.scale,
        st.tau2_method(),
        st.random_ci,
        st.prediction
    );
    if let Some(m) = &st.method {
        settings_line.push_str(&format!("; method {m}"));
    }
    if let Some(e) = &st.endpoint {
        settings_line.push_str(&format!("; endpoint {}", e.to_uppercase()));
    }
    if let Some(ci) = &st.ci_study {
        settings_line.push_str(&format!("; per-study CI {ci}"));
    }
    settings_line.push_str(&format!("; {level}% CIs"));
    (settings_line, level)
}

/// Lines of the pooled studies of a report, in order.
pub(super) fn pooled_lines<S: SourceLines>(r: &PoolReport<S>) -> Vec<u64> {
    r.analyses
        .iter()
        .flat_map(|a| a.studies.iter().flat_map(SourceLines::source_lines))
        .collect()
}

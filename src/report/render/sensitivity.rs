//! The view of a sensitivity section (`influence`, `cumulative`): per group, the table of refits
//! (the full model first for leave-one-out) and, for influence, the table of diagnostics with
//! the rule that marks a study; every value formatted as the pooled tables format it.

use super::format::{est_ci, num as fixed};
use super::labels::{labels_of, Labels};
use super::pooled::settings_line;
use super::table::{head, left, lines, num, right, text, BlockView, CellView, TableView};
use super::view::{notes, AnalysisView, FigureView};
use crate::analysis::sensitivity::{InfluenceAnalysis, RefitAnalysis, SensitivityReport};
use crate::format::p_value;
use crate::methods::influence::InfluenceRow;
use crate::methods::refit::PooledRow;
use crate::methods::PooledModel;
use crate::report::run::Section;

/// What a section's analyses add to the refits: influence diagnostics, or none.
pub(super) trait Diagnostics: RefitAnalysis {
    /// The diagnostics of the group, if any.
    fn diagnostics(&self) -> Option<(&[InfluenceRow], &'static str)>;
}

impl Diagnostics for InfluenceAnalysis {
    fn diagnostics(&self) -> Option<(&[InfluenceRow], &'static str)> {
        self.influence
            .as_deref()
            .map(|rows| (rows, self.influence_rule))
    }
}

impl Diagnostics for crate::analysis::sensitivity::CumulativeAnalysis {
    fn diagnostics(&self) -> Option<(&[InfluenceRow], &'static str)> {
        None
    }
}

fn refit_row(label: String, r: &PooledRow, digits: usize, line: Vec<u64>) -> Vec<CellView> {
    vec![
        head(label),
        num(r.k.to_string()),
        num(est_ci(r.estimate, r.lower, r.upper, digits)),
        num(p_value(r.p)),
        num(fixed(r.q, 2)),
        num(p_value(r.q_p)),
        num(fixed(r.tau2, 4)),
        num(r
            .i2
            .map_or("n/a".into(), |v| format!("{}%", fixed(Some(v), 1)))),
        lines(line),
    ]
}

fn influence_row(r: &InfluenceRow) -> Vec<CellView> {
    let f = |v: Option<f64>| num(fixed(v, 4));
    vec![
        head(r.study.as_str()),
        f(r.rstudent),
        f(r.dffits),
        f(r.cook_d),
        f(r.cov_r),
        f(r.tau2_del),
        num(fixed(r.q_del, 2)),
        f(Some(r.hat)),
        num(fixed(Some(r.weight), 1)),
        f(r.dfbetas),
        text(match r.influential {
            Some(true) => "*",
            Some(false) => "",
            None => "n/a",
        }),
    ]
}

/// The tables of one group: its refits and, for influence, its diagnostics.
fn group_tables<A: Diagnostics>(
    a: &A,
    cumulative: bool,
    l: &Labels,
    level: &str,
    rule: &mut Option<String>,
) -> Vec<TableView> {
    let group = a.group().unwrap_or("All studies");
    let mut refits = TableView::new(
        "pooled",
        format!(
            "{group} (k = {}): {} ({}, {level}% CIs)",
            a.full().map_or(0, |f| f.k),
            if cumulative {
                "each row the fit of that study and every study above it"
            } else {
                "each row the fit without that study"
            },
            l.effect_header
        ),
        vec![
            left(if cumulative { "Adding" } else { "Omitting" }),
            right("k"),
            right("Estimate [CI]"),
            right("p"),
            right("Q"),
            right("p(Q)"),
            right("τ²"),
            right("I²"),
            right("Data line"),
        ],
    );
    if let (false, Some(full)) = (cumulative, a.full()) {
        refits.row(refit_row(
            "(all studies)".into(),
            full,
            l.digits,
            Vec::new(),
        ));
    }
    for x in a.refits() {
        refits.row(refit_row(x.study.clone(), &x.fit, l.digits, vec![x.line]));
    }
    let mut tables = vec![refits];
    if let Some((rows, text)) = a.diagnostics() {
        *rule = Some(format!("* {text}."));
        let mut t = TableView::new(
            "pooled compact",
            "Influence diagnostics (metafor influence.rma.uni); * influential".into(),
            vec![
                left("Study"),
                right("rstudent"),
                right("DFFITS"),
                right("Cook's D"),
                right("COVRATIO"),
                right("τ² without"),
                right("Q without"),
                right("Hat"),
                right("Weight"),
                right("DFBETAS"),
                left(""),
            ],
        );
        for r in rows {
            t.row(influence_row(r));
        }
        if !t.is_empty() {
            tables.push(t);
        }
    }
    tables
}

/// The view of a sensitivity section: per group the table of refits (and of diagnostics), then
/// the rule that marks a study and the groups of one study that are not shown.
pub(super) fn sensitivity_view<A: Diagnostics>(
    s: &Section,
    r: &SensitivityReport<A>,
    number: usize,
    figures: Vec<FigureView>,
) -> AnalysisView {
    let l = labels_of(r.measure);
    let st = &r.settings;
    let (line, level) = settings_line(&st.pool);
    let model = match st.model {
        PooledModel::Random => "random-effects model",
        PooledModel::Common => "common-effect model",
    };
    let cumulative = st.order.is_some();
    let mut settings = format!("{model} refitted; {line}");
    // As a sentence: "Random-effects model refitted; …".
    settings.replace_range(..1, &settings[..1].to_uppercase());
    if let Some(order) = &st.order {
        settings.push_str(&format!("; studies added in {order}"));
    }
    let mut view = AnalysisView::new(s, number, figures, settings, st.pool.data.clone());
    let mut rule = None;
    let (shown, single): (Vec<&A>, Vec<&A>) = r.analyses.iter().partition(|a| a.refits().len() > 1);
    for a in shown {
        let tables = group_tables(a, cumulative, &l, &level, &mut rule);
        view.blocks.extend(tables.into_iter().map(BlockView::from));
    }
    view.blocks.extend(rule.map(BlockView::from));
    if !single.is_empty() {
        let names: Vec<&str> = single
            .iter()
            .map(|a| a.group().unwrap_or("All studies"))
            .collect();
        view.blocks.push(
            format!(
                "Not shown: {} (one study each; see the warnings).",
                names.join(", ")
            )
            .into(),
        );
    }
    view.notes = notes(Vec::new(), Vec::new(), r.warnings.clone());
    view
}

/// Lines of the studies of a sensitivity report's refits, in order.
pub(super) fn refit_lines<A: RefitAnalysis>(r: &SensitivityReport<A>) -> Vec<u64> {
    r.analyses
        .iter()
        .flat_map(|a| a.refits().iter().map(|x| x.line))
        .collect()
}

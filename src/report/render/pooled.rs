//! The view of a pooled analysis (`alkstats pool`): one table per subgroup with its studies,
//! the pooled estimates and heterogeneity, the subgroup tests, and the input lines behind
//! every study row.

use super::format::{est_ci, num, p_text};
use super::labels::labels;
use super::view::{notes, AnalysisView, FigureView};
use crate::analysis::report::{
    Analysis, ComparisonStudyResult, HazardStudyResult, MedianStudyResult, PoolReport,
    PoolSettingsEcho, StudyResult, StudyRow,
};
use crate::format::p_value as fmt_p;
use crate::report::run::Section;
use serde::Serialize;

/// Lines of the input file that a study row comes from (two for a two-arm comparison).
pub trait SourceLines {
    /// The lines.
    fn source_lines(&self) -> Vec<u64>;
}

impl SourceLines for StudyResult {
    fn source_lines(&self) -> Vec<u64> {
        vec![self.line]
    }
}

impl SourceLines for HazardStudyResult {
    fn source_lines(&self) -> Vec<u64> {
        vec![self.line]
    }
}

impl SourceLines for MedianStudyResult {
    fn source_lines(&self) -> Vec<u64> {
        vec![self.line]
    }
}

impl SourceLines for ComparisonStudyResult {
    fn source_lines(&self) -> Vec<u64> {
        self.lines.to_vec()
    }
}

#[derive(Debug, Serialize)]
pub(super) struct StudyView {
    pub(super) label: String,
    pub(super) data: String,
    pub(super) estimate: String,
    pub(super) weight_common: String,
    pub(super) weight_random: String,
    pub(super) lines: Vec<u64>,
}

#[derive(Debug, Serialize)]
pub(super) struct GroupView {
    pub(super) label: String,
    pub(super) k: usize,
    pub(super) data: String,
    pub(super) common: String,
    pub(super) random: String,
    pub(super) prediction: String,
    pub(super) i2: String,
    pub(super) tau2: String,
    pub(super) q: String,
    pub(super) p_q: String,
    pub(super) studies: Vec<StudyView>,
}

pub(super) fn group_view<S: StudyRow + SourceLines>(a: &Analysis<S>, digits: usize) -> GroupView {
    let h = a.heterogeneity.as_ref();
    GroupView {
        label: a.group.clone().unwrap_or_else(|| "All studies".into()),
        k: a.k,
        data: match (a.events, a.n) {
            (Some(e), Some(n)) => format!("{e}/{n}"),
            (None, Some(n)) => n.to_string(),
            _ => String::new(),
        },
        common: est_ci(a.common.estimate, a.common.lower, a.common.upper, digits),
        random: est_ci(a.random.estimate, a.random.lower, a.random.upper, digits),
        prediction: match &a.prediction {
            Some(p) => format!("[{}; {}]", num(p.lower, digits), num(p.upper, digits)),
            None => "n/a".into(),
        },
        i2: match h {
            Some(h) => match (h.i2_lower, h.i2_upper) {
                (Some(lo), Some(hi)) => format!(
                    "{}% [{}; {}]",
                    num(Some(h.i2), 1),
                    num(Some(lo), 1),
                    num(Some(hi), 1)
                ),
                _ => format!("{}%", num(Some(h.i2), 1)),
            },
            None => "n/a".into(),
        },
        tau2: num(h.map(|h| h.tau2), 4),
        q: h.map_or("n/a".into(), |h| {
            format!("{} ({})", num(Some(h.q), 2), h.df)
        }),
        p_q: fmt_p(h.and_then(|h| h.p)),
        studies: a
            .studies
            .iter()
            .map(|s| {
                let (est, lo, hi) = s.display();
                let (wc, wr) = s.weights();
                StudyView {
                    label: s.label().to_string(),
                    data: s.data_cell(),
                    estimate: est_ci(Some(est), lo, hi, digits),
                    weight_common: num(Some(wc), 1),
                    weight_random: num(Some(wr), 1),
                    lines: s.source_lines(),
                }
            })
            .collect(),
    }
}

pub(super) fn analysis_view<S: StudyRow + SourceLines>(
    s: &Section,
    r: &PoolReport<S>,
    number: usize,
    figures: Vec<FigureView>,
) -> AnalysisView {
    let l = labels(r);
    let st = &r.settings;
    let (settings_line, level) = settings_line(st);
    AnalysisView {
        id: s.plan.id.clone(),
        number,
        title: s.plan.title.clone(),
        kind: s.plan.spec.kind().to_string(),
        settings_line,
        command: s.command.clone(),
        by: if st.by == "none" {
            String::new()
        } else {
            st.by.clone()
        },
        level,
        data_header: l.data_header.to_string(),
        effect_header: l.effect_header,
        role: s.role.as_str(),
        data_name: st.data.clone(),
        groups: r.analyses.iter().map(|a| group_view(a, l.digits)).collect(),
        subgroup_tests: r
            .subgroup_test
            .iter()
            .flat_map(|t| [("common-effect", &t.common), ("random-effects", &t.random)])
            .filter_map(|(name, q)| {
                q.as_ref().map(|q| {
                    format!(
                        "{name} model: Q = {}, df = {}, {}",
                        num(Some(q.q), 2),
                        q.df,
                        p_text(q.p)
                    )
                })
            })
            .collect(),
        notes: notes(
            r.assumptions.clone(),
            r.excluded
                .iter()
                .map(|e| format!("{} (line {}): {}", e.study, e.line, e.reason))
                .collect(),
            r.warnings.clone(),
        ),
        figures,
        network: None,
        bias: None,
        sensitivity: None,
    }
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

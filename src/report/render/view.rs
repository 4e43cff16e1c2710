//! The view model of the whole report: one [`ReportView`] of preformatted strings that both
//! templates read, so the HTML and Markdown documents cannot disagree. It gathers the view of
//! each analysis, numbers the figures across the report, and lists every input row with the
//! analyses that used it (the data provenance table).

use super::bias::{bias_lines, bias_view};
use super::metareg::metareg_view;
use super::network::{network_lines, network_view};
use super::pooled::{analysis_view, pooled_lines};
use super::sensitivity::{refit_lines, sensitivity_view};
use super::table::BlockView;
use crate::report::methods::{methods, Methods};
use crate::report::run::{with_pooled, AnyReport, Figure, FigureKind, Role, RunResult, Section};
use crate::report::RunOptions;
use crate::VERSION;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub(super) struct FigureView {
    pub(super) number: usize,
    pub(super) png: String,
    pub(super) svg: String,
    pub(super) caption: String,
}

/// One analysis: its heading and settings, the blocks before its figures (the pooled estimates
/// and the tables of its method), the figures, the blocks after them (its studies) and its notes.
#[derive(Debug, Serialize)]
pub(super) struct AnalysisView {
    pub(super) id: String,
    pub(super) number: usize,
    pub(super) title: String,
    pub(super) settings_line: String,
    pub(super) command: String,
    pub(super) role: String,
    pub(super) data_name: String,
    pub(super) blocks: Vec<BlockView>,
    pub(super) figures: Vec<FigureView>,
    pub(super) after: Vec<BlockView>,
    pub(super) notes: Vec<NotesView>,
}

impl AnalysisView {
    /// The view of section `s`, numbered `number`, with no blocks or notes yet.
    pub(super) fn new(
        s: &Section,
        number: usize,
        figures: Vec<FigureView>,
        settings_line: String,
        data_name: String,
    ) -> Self {
        Self {
            id: s.plan.id.clone(),
            number,
            title: s.plan.title.clone(),
            settings_line,
            command: s.command.clone(),
            role: s.role.key(),
            data_name,
            blocks: Vec::new(),
            figures,
            after: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// A list of notes under its heading; both documents show an analysis' non-empty lists in the
/// order of [`notes`].
#[derive(Debug, Serialize)]
pub(super) struct NotesView {
    pub(super) heading: &'static str,
    pub(super) items: Vec<String>,
}

/// The notes of an analysis: its assumptions, the rows it left out and its warnings, each list
/// under its heading when it is not empty.
pub(super) fn notes(
    assumptions: Vec<String>,
    excluded: Vec<String>,
    warnings: Vec<String>,
) -> Vec<NotesView> {
    [
        ("Assumptions", assumptions),
        ("Excluded", excluded),
        ("Warnings", warnings),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .map(|(heading, items)| NotesView { heading, items })
    .collect()
}

#[derive(Debug, Serialize)]
pub(super) struct RowView {
    pub(super) line: u64,
    pub(super) study: String,
    pub(super) what: String,
    pub(super) trial: String,
    pub(super) used_in: String,
    pub(super) note: String,
    pub(super) source: String,
}

#[derive(Debug, Serialize)]
pub(super) struct InputView {
    pub(super) role: String,
    pub(super) name: String,
    pub(super) sha256: String,
    pub(super) rows: Vec<RowView>,
}

#[derive(Debug, Serialize)]
pub(super) struct ReportView {
    pub(super) title: String,
    pub(super) summary: Option<String>,
    pub(super) version: &'static str,
    pub(super) plan_name: String,
    pub(super) generated_at: Option<String>,
    pub(super) analyses: Vec<AnalysisView>,
    pub(super) methods: Methods,
    pub(super) inputs: Vec<InputView>,
    pub(super) files: Vec<String>,
}

pub(super) fn figure_views(s: &Section, counter: &mut usize) -> Vec<FigureView> {
    s.figures
        .iter()
        .map(|f: &Figure| {
            *counter += 1;
            FigureView {
                number: *counter,
                png: format!("{}.png", f.stem),
                svg: format!("{}.svg", f.stem),
                caption: match f.kind {
                    FigureKind::Forest => format!("Forest plot: {}.", s.plan.title),
                    FigureKind::Funnel => {
                        format!("Funnel plot of all studies: {}.", s.plan.title)
                    }
                    FigureKind::Graph => format!("Network graph: {}.", s.plan.title),
                    FigureKind::TrimFill => format!(
                        "Funnel plot with trim-and-fill (filled studies as open circles): {}.",
                        s.plan.title
                    ),
                    FigureKind::Baujat => format!(
                        "Baujat plot: {}. Studies numbered as in the table.",
                        s.plan.title
                    ),
                    FigureKind::Bubble => format!(
                        "Bubble plot: {}. Larger points weigh more in the model; the \
                         fitted line with its confidence band.",
                        s.plan.title
                    ),
                    FigureKind::Influence => format!(
                        "Influence diagnostics: {}. Filled points are influential by metafor's \
                         rule.",
                        s.plan.title
                    ),
                },
            }
        })
        .collect()
}

pub(super) fn view(run: &RunResult, options: &RunOptions, files: Vec<String>) -> ReportView {
    let input_of = |role: Role| run.inputs.iter().find(|i| i.role == role);
    let mut counter = 0;
    let analyses: Vec<AnalysisView> = run
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let figures = figure_views(s, &mut counter);
            with_pooled!(&s.report, r => analysis_view(s, r, i + 1, figures),
                AnyReport::Network(n) => network_view(s, n, i + 1, figures, input_of(s.role)),
                AnyReport::Bias(b) => bias_view(s, b, i + 1, figures),
                AnyReport::Influence(r) => sensitivity_view(s, r, i + 1, figures),
                AnyReport::Cumulative(r) => sensitivity_view(s, r, i + 1, figures),
                AnyReport::Metareg(m) => metareg_view(s, m, i + 1, figures),
            )
        })
        .collect();
    // Which analyses used each row of each file.
    let mut used: BTreeMap<(Role, u64), Vec<&str>> = BTreeMap::new();
    for s in &run.sections {
        let lines: Vec<u64> = with_pooled!(&s.report, r => pooled_lines(r),
            AnyReport::Bias(b) => bias_lines(b),
            AnyReport::Network(n) => std::iter::once(&n.analysis)
                .chain(&n.other_components)
                .flat_map(|a| &a.studies)
                .flat_map(|x| network_lines(input_of(s.role), &x.study))
                .collect(),
            AnyReport::Influence(r) => refit_lines(r),
            AnyReport::Cumulative(r) => refit_lines(r),
            AnyReport::Metareg(m) => m.lines.clone(),
        );
        for line in lines {
            let ids = used.entry((s.role, line)).or_default();
            if !ids.contains(&s.plan.id.as_str()) {
                ids.push(&s.plan.id);
            }
        }
    }
    let inputs = run
        .inputs
        .iter()
        .map(|input| InputView {
            role: input.role.key(),
            name: input.name.clone(),
            sha256: input.sha256.clone(),
            rows: input
                .rows
                .iter()
                .map(|row| RowView {
                    line: row.line,
                    study: row.study.clone(),
                    what: row.what.clone(),
                    trial: row.trial.clone().unwrap_or_default(),
                    used_in: used
                        .get(&(input.role, row.line))
                        .map_or_else(|| "—".to_string(), |ids| ids.join(", ")),
                    note: if row.overlaps.is_empty() {
                        String::new()
                    } else {
                        format!("overlaps {}", row.overlaps.join("; "))
                    },
                    source: row.source.clone(),
                })
                .collect(),
        })
        .collect();
    ReportView {
        title: run.plan.title.clone(),
        summary: run.plan.summary.clone(),
        version: VERSION,
        plan_name: run.plan.name.clone(),
        generated_at: options.generated_at.clone(),
        analyses,
        methods: methods(&run.plan),
        inputs,
        files,
    }
}

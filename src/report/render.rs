//! Rendering a run into the files of a report: `results.json` through the serde structs and the
//! JSON writer of `alkstats pool --format json`; `index.html` and `report.md` through minijinja
//! templates (`templates/`, embedded) fed by one view model of preformatted strings, so the two
//! documents show the same numbers with the same rounding. Renderers format, never recompute.

use super::methods::{methods, Methods};
use super::run::{AnyReport, Figure, FigureKind, Input, Role, RunResult, Section};
use super::{Files, ReportError, RunOptions};
use crate::analysis::report::{
    Analysis, ComparisonStudyResult, HazardStudyResult, MedianStudyResult, PoolReport, StudyResult,
    StudyRow, VERSION,
};
use crate::network::hr::NetworkReport;
use crate::output::{fmt_opt, fmt_p};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::BTreeMap;

const HTML_TEMPLATE: &str = include_str!("templates/index.html");
const MD_TEMPLATE: &str = include_str!("templates/report.md");

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
struct StudyView {
    label: String,
    data: String,
    estimate: String,
    weight_common: String,
    weight_random: String,
    lines: Vec<u64>,
}

#[derive(Debug, Serialize)]
struct GroupView {
    label: String,
    k: usize,
    data: String,
    common: String,
    random: String,
    prediction: String,
    i2: String,
    tau2: String,
    q: String,
    p_q: String,
    studies: Vec<StudyView>,
}

#[derive(Debug, Serialize)]
struct FigureView {
    number: usize,
    png: String,
    svg: String,
    caption: String,
}

#[derive(Debug, Serialize)]
struct RankView {
    rank: usize,
    treatment: String,
    p_score: String,
    vs_reference: String,
}

#[derive(Debug, Serialize)]
struct QRowView {
    label: &'static str,
    q: String,
    df: usize,
    p: String,
}

#[derive(Debug, Serialize)]
struct SplitView {
    comparison: String,
    k: usize,
    direct_percent: String,
    direct: String,
    indirect: String,
    network: String,
    ratio: String,
    p: String,
}

#[derive(Debug, Serialize)]
struct NetStudyView {
    label: String,
    comparison: String,
    estimate: String,
    design: String,
    lines: Vec<u64>,
}

#[derive(Debug, Serialize)]
struct NetworkView {
    reference: String,
    summary: String,
    tau_line: String,
    ranking: Vec<RankView>,
    heterogeneity: Vec<QRowView>,
    node_splits: Vec<SplitView>,
    studies: Vec<NetStudyView>,
}

#[derive(Debug, Serialize)]
struct AnalysisView {
    id: String,
    number: usize,
    title: String,
    kind: String,
    settings_line: String,
    command: String,
    by: String,
    level: String,
    data_header: String,
    effect_header: String,
    role: &'static str,
    data_name: String,
    groups: Vec<GroupView>,
    subgroup_tests: Vec<String>,
    excluded: Vec<String>,
    assumptions: Vec<String>,
    warnings: Vec<String>,
    figures: Vec<FigureView>,
    network: Option<NetworkView>,
}

#[derive(Debug, Serialize)]
struct RowView {
    line: u64,
    study: String,
    what: String,
    trial: String,
    used_in: String,
    note: String,
    source: String,
}

#[derive(Debug, Serialize)]
struct InputView {
    role: &'static str,
    name: String,
    sha256: String,
    rows: Vec<RowView>,
}

#[derive(Debug, Serialize)]
struct ReportView {
    title: String,
    summary: Option<String>,
    version: &'static str,
    plan_name: String,
    generated_at: Option<String>,
    analyses: Vec<AnalysisView>,
    methods: Methods,
    inputs: Vec<InputView>,
    files: Vec<String>,
}

/// Formats a number with fixed decimals, never "-0.0000".
fn num(v: Option<f64>, digits: usize) -> String {
    let s = fmt_opt(v, digits);
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// "estimate [lower; upper]", as the table of `alkstats pool` prints it.
fn est_ci(est: Option<f64>, lo: Option<f64>, hi: Option<f64>, digits: usize) -> String {
    format!(
        "{} [{}; {}]",
        num(est, digits),
        num(lo, digits),
        num(hi, digits)
    )
}

/// "p = 0.0431" or "p < 0.0001".
fn p_text(p: Option<f64>) -> String {
    let s = fmt_p(p);
    if s.starts_with('<') {
        format!("p {s}")
    } else {
        format!("p = {s}")
    }
}

fn group_view<S: StudyRow + SourceLines>(a: &Analysis<S>, digits: usize) -> GroupView {
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

/// Headers, decimals and the settings line of one outcome.
struct Labels {
    data_header: &'static str,
    effect_header: String,
    digits: usize,
}

fn labels<S>(r: &PoolReport<S>) -> Labels {
    match r.outcome.as_str() {
        "orr" => Labels {
            data_header: "Events/n",
            effect_header: "Proportion".into(),
            digits: 4,
        },
        "hr" => Labels {
            data_header: "n (treatment/comparator)",
            effect_header: "Hazard ratio".into(),
            digits: 4,
        },
        "pfs" => Labels {
            data_header: "n",
            effect_header: "Median PFS (months)".into(),
            digits: 2,
        },
        _ => Labels {
            data_header: "Events/n (treatment vs comparator)",
            effect_header: match r.settings.sm.as_str() {
                "OR" => "Odds ratio".into(),
                "RD" => "Risk difference".into(),
                _ => "Risk ratio".into(),
            },
            digits: 4,
        },
    }
}

fn figure_views(s: &Section, counter: &mut usize) -> Vec<FigureView> {
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
                },
            }
        })
        .collect()
}

fn analysis_view<S: StudyRow + SourceLines>(
    s: &Section,
    r: &PoolReport<S>,
    number: usize,
    figures: Vec<FigureView>,
) -> AnalysisView {
    let l = labels(r);
    let st = &r.settings;
    let level = format!("{}", (st.level * 100.0 * 1e6).round() / 1e6);
    let mut settings_line = format!(
        "{} ({}); τ² {}; random-effects CI {}; prediction {}",
        st.sm, st.scale, st.method_tau, st.random_ci, st.prediction
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
        excluded: r
            .excluded
            .iter()
            .map(|e| format!("{} (line {}): {}", e.study, e.line, e.reason))
            .collect(),
        assumptions: r.assumptions.clone(),
        warnings: r.warnings.clone(),
        figures,
        network: None,
    }
}

/// Lines of the hazard-ratio file behind the contrasts of a network (matched by row label,
/// which is unique within a file).
fn network_lines(input: Option<&Input>, label: &str) -> Vec<u64> {
    input
        .map(|i| {
            i.rows
                .iter()
                .filter(|r| r.study == label)
                .map(|r| r.line)
                .collect()
        })
        .unwrap_or_default()
}

fn network_view(
    s: &Section,
    n: &NetworkReport,
    number: usize,
    figures: Vec<FigureView>,
    input: Option<&Input>,
) -> AnalysisView {
    let a = &n.analysis;
    let h = &a.heterogeneity;
    let st = &n.settings;
    let level = format!("{}", (st.level * 100.0 * 1e6).round() / 1e6);
    let reference = a.reference.clone();
    let vs_ref = |t: &str| {
        if t == reference {
            "reference".to_string()
        } else {
            a.effect(t, &reference).map_or("n/a".into(), |e| {
                est_ci(Some(e.estimate), Some(e.lower), Some(e.upper), 4)
            })
        }
    };
    let network = NetworkView {
        reference: reference.clone(),
        summary: format!(
            "{} treatments, {} studies ({} contrasts), {} directly compared pairs; reference {}{}",
            a.treatments.len(),
            a.k,
            a.n_contrasts,
            a.edges.len(),
            reference,
            if n.connected {
                String::new()
            } else {
                format!(
                    "; the network is disconnected: {} other sub-network(s) are in results.json",
                    n.other_components.len()
                )
            }
        ),
        tau_line: format!(
            "τ² = {} ({}), τ = {}, I² = {}",
            num(Some(a.tau2), 4),
            st.method_tau,
            num(Some(a.tau), 4),
            h.i2.map_or("n/a".into(), |i| format!("{}%", num(Some(i), 1)))
        ),
        ranking: a
            .ranking
            .iter()
            .map(|r| RankView {
                rank: r.rank,
                treatment: r.treatment.clone(),
                p_score: num(Some(r.p_score), 4),
                vs_reference: vs_ref(&r.treatment),
            })
            .collect(),
        heterogeneity: vec![
            QRowView {
                label: "Total",
                q: num(Some(h.q), 2),
                df: h.df,
                p: fmt_p(h.p),
            },
            QRowView {
                label: "Within designs (heterogeneity)",
                q: num(Some(h.q_within_designs), 2),
                df: h.df_within_designs,
                p: fmt_p(h.p_within_designs),
            },
            QRowView {
                label: "Between designs (inconsistency)",
                q: num(Some(h.q_inconsistency), 2),
                df: h.df_inconsistency,
                p: fmt_p(h.p_inconsistency),
            },
        ],
        node_splits: a
            .node_split
            .iter()
            .map(|x| SplitView {
                comparison: format!("{} vs {}", x.treatment, x.comparator),
                k: x.k_direct,
                direct_percent: num(Some(100.0 * x.direct_proportion), 1),
                direct: est_ci(
                    Some(x.direct.estimate),
                    Some(x.direct.lower),
                    Some(x.direct.upper),
                    4,
                ),
                indirect: est_ci(
                    Some(x.indirect.estimate),
                    Some(x.indirect.lower),
                    Some(x.indirect.upper),
                    4,
                ),
                network: est_ci(
                    Some(x.network.estimate),
                    Some(x.network.lower),
                    Some(x.network.upper),
                    4,
                ),
                ratio: est_ci(
                    Some(x.difference.estimate),
                    Some(x.difference.lower),
                    Some(x.difference.upper),
                    4,
                ),
                p: fmt_p(Some(x.difference.p)),
            })
            .collect(),
        studies: a
            .studies
            .iter()
            .map(|x| NetStudyView {
                label: x.study.clone(),
                comparison: format!("{} vs {}", x.treatment, x.comparator),
                estimate: est_ci(Some(x.estimate), Some(x.lower), Some(x.upper), 4),
                design: x.design.clone(),
                lines: network_lines(input, &x.study),
            })
            .collect(),
    };
    AnalysisView {
        id: s.plan.id.clone(),
        number,
        title: s.plan.title.clone(),
        kind: s.plan.spec.kind().to_string(),
        settings_line: format!(
            "Network meta-analysis of hazard ratios ({}): {} effects; τ² {}; P-scores with small \
             values {}{}; {level}% CIs",
            n.endpoint.to_uppercase(),
            st.model,
            st.method_tau,
            st.small_values,
            st.setting
                .as_deref()
                .map(|v| format!("; setting {v}"))
                .unwrap_or_default()
        ),
        command: s.command.clone(),
        by: String::new(),
        level,
        data_header: String::new(),
        effect_header: "Hazard ratio".into(),
        role: s.role.as_str(),
        data_name: st.data.clone(),
        groups: Vec::new(),
        subgroup_tests: Vec::new(),
        excluded: Vec::new(),
        assumptions: Vec::new(),
        warnings: n.warnings.clone(),
        figures,
        network: Some(network),
    }
}

/// Lines of the pooled studies of a report, in order.
fn pooled_lines<S: SourceLines>(r: &PoolReport<S>) -> Vec<u64> {
    r.analyses
        .iter()
        .flat_map(|a| a.studies.iter().flat_map(SourceLines::source_lines))
        .collect()
}

fn view(run: &RunResult, options: &RunOptions, files: Vec<String>) -> ReportView {
    let input_of = |role: Role| run.inputs.iter().find(|i| i.role == role);
    let mut counter = 0;
    let analyses: Vec<AnalysisView> = run
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let figures = figure_views(s, &mut counter);
            match &s.report {
                AnyReport::Orr(r) => analysis_view(s, r, i + 1, figures),
                AnyReport::OrrCompare(r) => analysis_view(s, r, i + 1, figures),
                AnyReport::Hr(r) => analysis_view(s, r, i + 1, figures),
                AnyReport::Pfs(r) => analysis_view(s, r, i + 1, figures),
                AnyReport::Network(n) => network_view(s, n, i + 1, figures, input_of(s.role)),
            }
        })
        .collect();
    // Which analyses used each row of each file.
    let mut used: BTreeMap<(Role, u64), Vec<&str>> = BTreeMap::new();
    for s in &run.sections {
        let lines: Vec<u64> = match &s.report {
            AnyReport::Orr(r) => pooled_lines(r),
            AnyReport::OrrCompare(r) => pooled_lines(r),
            AnyReport::Hr(r) => pooled_lines(r),
            AnyReport::Pfs(r) => pooled_lines(r),
            AnyReport::Network(n) => std::iter::once(&n.analysis)
                .chain(&n.other_components)
                .flat_map(|a| &a.studies)
                .flat_map(|x| network_lines(input_of(s.role), &x.study))
                .collect(),
        };
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
            role: input.role.as_str(),
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

/// Escapes text for a Markdown table cell or paragraph.
fn md_escape(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '\\' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// HTML for a numeric cell: the estimate and its bracketed interval each kept on one line, so
/// that a narrow page breaks the cell between them and nowhere else.
fn html_cell(s: String) -> minijinja::Value {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = match s.split_once(" [") {
        Some((est, ci)) => format!(
            "<span class=\"nw\">{}</span> <span class=\"nw\">[{}</span>",
            escape(est),
            escape(ci)
        ),
        None => format!("<span class=\"nw\">{}</span>", escape(&s)),
    };
    minijinja::Value::from_safe_string(html)
}

fn environment() -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("md", md_escape);
    env.add_filter("cell", html_cell);
    // The default auto-escape callback escapes templates named *.html and leaves *.md alone.
    env.add_template("index.html", HTML_TEMPLATE)
        .map_err(|e| ReportError::Internal(format!("template index.html: {e}")))?;
    env.add_template("report.md", MD_TEMPLATE)
        .map_err(|e| ReportError::Internal(format!("template report.md: {e}")))?;
    Ok(env)
}

/// Results file: every analysis with its `pool --format json` output under `result`.
#[derive(Serialize)]
struct Results<'a> {
    alkstats_version: &'static str,
    command: &'static str,
    title: &'a str,
    plan: &'a str,
    analyses: Vec<ResultEntry<'a>>,
}

#[derive(Serialize)]
struct ResultEntry<'a> {
    id: &'a str,
    title: &'a str,
    kind: &'static str,
    command: &'a str,
    figures: Vec<String>,
    result: &'a AnyReport,
}

fn figure_files(s: &Section) -> Vec<String> {
    s.figures
        .iter()
        .flat_map(|f| [format!("{}.png", f.stem), format!("{}.svg", f.stem)])
        .collect()
}

/// Renders every file of the report except the manifest.
///
/// # Errors
/// [`ReportError::Internal`] if a template or the JSON fails to render (a bug).
pub fn render(run: &RunResult, options: &RunOptions) -> Result<Files, ReportError> {
    let mut files = Files::new();
    let results = Results {
        alkstats_version: VERSION,
        command: "report",
        title: &run.plan.title,
        plan: &run.plan.name,
        analyses: run
            .sections
            .iter()
            .map(|s| ResultEntry {
                id: &s.plan.id,
                title: &s.plan.title,
                kind: s.plan.spec.kind().as_str(),
                command: &s.command,
                figures: figure_files(s),
                result: &s.report,
            })
            .collect(),
    };
    let json = crate::output::json::render(&results)
        .map_err(|e| ReportError::Internal(format!("results.json: {e}")))?;
    files.insert("results.json".into(), json.into_bytes());
    for s in &run.sections {
        for f in &s.figures {
            files.insert(format!("{}.png", f.stem), f.png.clone());
            files.insert(format!("{}.svg", f.stem), f.svg.clone());
        }
    }
    let mut listed: Vec<String> = files.keys().cloned().collect();
    listed.extend(["index.html", "report.md", super::manifest::MANIFEST].map(String::from));
    listed.sort();
    let view = view(run, options, listed);
    let env = environment()?;
    for name in ["index.html", "report.md"] {
        let text = env
            .get_template(name)
            .and_then(|t| t.render(&view))
            .map_err(|e| ReportError::Internal(format!("{name}: {e:#}")))?;
        files.insert(name.to_string(), text.into_bytes());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_fixed_decimals_and_no_negative_zero() {
        assert_eq!(num(Some(0.68891), 4), "0.6889");
        assert_eq!(num(Some(-0.00001), 4), "0.0000");
        assert_eq!(num(Some(-0.5), 2), "-0.50");
        assert_eq!(num(None, 4), "n/a");
        assert_eq!(num(Some(f64::NAN), 4), "n/a");
    }

    #[test]
    fn p_values_read_as_sentences() {
        assert_eq!(p_text(Some(0.0431)), "p = 0.0431");
        assert_eq!(p_text(Some(1e-9)), "p < 0.0001");
    }

    #[test]
    fn html_cells_break_only_before_the_interval() {
        assert_eq!(
            html_cell("0.6889 [0.6224; 0.7485]".into()).to_string(),
            "<span class=\"nw\">0.6889</span> <span class=\"nw\">[0.6224; 0.7485]</span>"
        );
        assert_eq!(
            html_cell("< 0.0001".into()).to_string(),
            "<span class=\"nw\">&lt; 0.0001</span>"
        );
    }

    #[test]
    fn markdown_cells_cannot_break_a_table() {
        assert_eq!(md_escape("a|b*c\nd".into()), "a\\|b\\*c d");
    }
}

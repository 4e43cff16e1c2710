//! The view of a sensitivity section (`influence`, `cumulative`): per group, the table of refits
//! (the full model first for leave-one-out) and, for influence, the table of diagnostics with
//! the rule that marks a study; every value formatted as the pooled tables format it.

use super::format::{est_ci, num};
use super::labels::labels_of;
use super::pooled::settings_line;
use super::view::{notes, AnalysisView, FigureView};
use crate::analysis::sensitivity::{InfluenceAnalysis, RefitAnalysis, SensitivityReport};
use crate::format::p_value;
use crate::methods::influence::InfluenceRow;
use crate::methods::refit::PooledRow;
use crate::methods::PooledModel;
use crate::report::run::Section;
use serde::Serialize;

/// One refit (or the full model).
#[derive(Debug, Serialize)]
pub(super) struct RefitView {
    label: String,
    k: usize,
    estimate: String,
    p: String,
    q: String,
    p_q: String,
    tau2: String,
    i2: String,
    lines: Vec<u64>,
}

/// One study's diagnostics.
#[derive(Debug, Serialize)]
pub(super) struct InfluenceRowView {
    label: String,
    rstudent: String,
    dffits: String,
    cook_d: String,
    cov_r: String,
    tau2_del: String,
    q_del: String,
    hat: String,
    weight: String,
    dfbetas: String,
    influential: &'static str,
}

/// One group.
#[derive(Debug, Serialize)]
pub(super) struct SensitivityGroupView {
    caption: String,
    refits: Vec<RefitView>,
    influence: Vec<InfluenceRowView>,
}

/// A sensitivity section.
#[derive(Debug, Serialize)]
pub(super) struct SensitivityView {
    refit_header: &'static str,
    groups: Vec<SensitivityGroupView>,
    rule: Option<String>,
    /// The groups of one study, which have nothing to leave out (or add), named in a sentence.
    single: Option<String>,
}

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

fn refit_view(label: String, r: &PooledRow, digits: usize, lines: Vec<u64>) -> RefitView {
    RefitView {
        label,
        k: r.k,
        estimate: est_ci(r.estimate, r.lower, r.upper, digits),
        p: p_value(r.p),
        q: num(r.q, 2),
        p_q: p_value(r.q_p),
        tau2: num(r.tau2, 4),
        i2: r
            .i2
            .map_or("n/a".into(), |v| format!("{}%", num(Some(v), 1))),
        lines,
    }
}

fn influence_view(r: &InfluenceRow) -> InfluenceRowView {
    let f = |v: Option<f64>| num(v, 4);
    InfluenceRowView {
        label: r.study.clone(),
        rstudent: f(r.rstudent),
        dffits: f(r.dffits),
        cook_d: f(r.cook_d),
        cov_r: f(r.cov_r),
        tau2_del: f(r.tau2_del),
        q_del: num(r.q_del, 2),
        hat: f(Some(r.hat)),
        weight: num(Some(r.weight), 1),
        dfbetas: f(r.dfbetas),
        influential: match r.influential {
            Some(true) => "*",
            Some(false) => "",
            None => "n/a",
        },
    }
}

/// The view of a sensitivity section.
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
    let mut rule = None;
    let (shown, single): (Vec<&A>, Vec<&A>) = r.analyses.iter().partition(|a| a.refits().len() > 1);
    let single: Vec<&str> = single
        .iter()
        .map(|a| a.group().unwrap_or("All studies"))
        .collect();
    let groups = shown
        .into_iter()
        .map(|a| {
            let group = a.group().unwrap_or("All studies");
            let mut refits = Vec::new();
            if let (false, Some(full)) = (cumulative, a.full()) {
                refits.push(refit_view(
                    "(all studies)".into(),
                    full,
                    l.digits,
                    Vec::new(),
                ));
            }
            refits.extend(
                a.refits()
                    .iter()
                    .map(|x| refit_view(x.study.clone(), &x.fit, l.digits, vec![x.line])),
            );
            let influence = match a.diagnostics() {
                Some((rows, text)) => {
                    rule = Some(format!("* {text}."));
                    rows.iter().map(influence_view).collect()
                }
                None => Vec::new(),
            };
            SensitivityGroupView {
                caption: format!(
                    "{group} (k = {}): {}",
                    a.full().map_or(0, |f| f.k),
                    if cumulative {
                        "each row the fit of that study and every study above it"
                    } else {
                        "each row the fit without that study"
                    }
                ),
                refits,
                influence,
            }
        })
        .collect();
    AnalysisView {
        id: s.plan.id.clone(),
        number,
        title: s.plan.title.clone(),
        kind: s.plan.spec.kind().to_string(),
        settings_line: settings,
        command: s.command.clone(),
        by: if st.pool.by == "none" {
            String::new()
        } else {
            st.pool.by.clone()
        },
        level,
        data_header: String::new(),
        effect_header: l.effect_header,
        role: s.role.as_str(),
        data_name: st.pool.data.clone(),
        groups: Vec::new(),
        subgroup_tests: Vec::new(),
        notes: notes(Vec::new(), Vec::new(), r.warnings.clone()),
        bias: None,
        figures,
        network: None,
        sensitivity: Some(SensitivityView {
            refit_header: if cumulative { "Adding" } else { "Omitting" },
            groups,
            rule,
            single: (!single.is_empty()).then(|| {
                format!(
                    "Not shown: {} (one study each; see the warnings).",
                    single.join(", ")
                )
            }),
        }),
    }
}

/// Lines of the studies of a sensitivity report's refits, in order.
pub(super) fn refit_lines<A: RefitAnalysis>(r: &SensitivityReport<A>) -> Vec<u64> {
    r.analyses
        .iter()
        .flat_map(|a| a.refits().iter().map(|x| x.line))
        .collect()
}

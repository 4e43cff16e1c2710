//! The view of a network meta-analysis (`alkstats network`): the ranking with each treatment
//! against the reference, the decomposition of Q, the node-splits, and the contrast rows with
//! the lines of the hazard-ratio file behind them.

use super::format::{est_ci, num};
use super::view::{notes, AnalysisView, FigureView};
use crate::format::p_value as fmt_p;
use crate::network::hr::NetworkReport;
use crate::report::run::{Input, Section};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(super) struct RankView {
    pub(super) rank: usize,
    pub(super) treatment: String,
    pub(super) p_score: String,
    pub(super) vs_reference: String,
}

#[derive(Debug, Serialize)]
pub(super) struct QRowView {
    pub(super) label: &'static str,
    pub(super) q: String,
    pub(super) df: usize,
    pub(super) p: String,
}

#[derive(Debug, Serialize)]
pub(super) struct SplitView {
    pub(super) comparison: String,
    pub(super) k: usize,
    pub(super) direct_percent: String,
    pub(super) direct: String,
    pub(super) indirect: String,
    pub(super) network: String,
    pub(super) ratio: String,
    pub(super) p: String,
}

#[derive(Debug, Serialize)]
pub(super) struct NetStudyView {
    pub(super) label: String,
    pub(super) comparison: String,
    pub(super) estimate: String,
    pub(super) design: String,
    pub(super) lines: Vec<u64>,
}

#[derive(Debug, Serialize)]
pub(super) struct NetworkView {
    pub(super) reference: String,
    pub(super) summary: String,
    pub(super) tau_line: String,
    pub(super) ranking: Vec<RankView>,
    pub(super) heterogeneity: Vec<QRowView>,
    pub(super) node_splits: Vec<SplitView>,
    pub(super) studies: Vec<NetStudyView>,
}

/// Lines of the hazard-ratio file behind the contrasts of a network (matched by row label,
/// which is unique within a file).
pub(super) fn network_lines(input: Option<&Input>, label: &str) -> Vec<u64> {
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

pub(super) fn network_view(
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
        notes: notes(Vec::new(), Vec::new(), n.warnings.clone()),
        figures,
        network: Some(network),
        bias: None,
        sensitivity: None,
    }
}

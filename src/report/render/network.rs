//! The view of a network meta-analysis (`alkstats network`): the ranking with each treatment
//! against the reference, the decomposition of Q, the node-splits, and the contrast rows with
//! the lines of the hazard-ratio file behind them.

use super::format::{est_ci, num as fixed};
use super::table::{head, left, lines, num, right, text, TableView};
use super::view::{notes, AnalysisView, FigureView};
use crate::format::p_value as fmt_p;
use crate::network::hr::NetworkReport;
use crate::report::run::{Input, Section};

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

/// The view of a network: its summary, ranking, Q decomposition, τ² and node-splits before the
/// figures, the contrasts after them.
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
    let effect = "Hazard ratio";
    let reference = a.reference.as_str();
    let ci = |e: f64, lo: f64, hi: f64| num(est_ci(Some(e), Some(lo), Some(hi), 4));
    let settings_line = format!(
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
    );
    let mut view = AnalysisView::new(s, number, figures, settings_line, st.data.clone());
    view.blocks.push(
        format!(
            "{} treatments, {} studies ({} contrasts), {} directly compared pairs; reference {}{}.",
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
        )
        .into(),
    );
    let mut ranking = TableView::new(
        "pooled compact",
        format!("Ranking by P-score ({effect} against {reference}, {level}% CIs)"),
        vec![
            right("Rank"),
            left("Treatment"),
            right("P-score"),
            right(format!("{effect} vs {reference}")),
        ],
    );
    for r in &a.ranking {
        let vs = if r.treatment == reference {
            num("reference")
        } else {
            a.effect(&r.treatment, reference)
                .map_or(num("n/a"), |e| ci(e.estimate, e.lower, e.upper))
        };
        ranking.row(vec![
            num(r.rank.to_string()),
            head(r.treatment.as_str()),
            num(fixed(Some(r.p_score), 4)),
            vs,
        ]);
    }
    view.blocks.push(ranking.into());
    let mut q = TableView::new(
        "pooled compact",
        "Heterogeneity and inconsistency (common-effect Q, design-by-treatment decomposition)"
            .into(),
        vec![left(""), right("Q"), right("df"), right("p")],
    );
    for x in h.parts() {
        let label = match x.meaning {
            Some(m) => format!("{} ({m})", x.part),
            None => x.part.to_string(),
        };
        q.row(vec![
            head(label),
            num(fixed(Some(x.q), 2)),
            num(x.df.to_string()),
            num(fmt_p(x.p)),
        ]);
    }
    view.blocks.push(q.into());
    view.blocks.push(
        format!(
            "τ² = {} ({}), τ = {}, I² = {}",
            fixed(Some(a.tau2), 4),
            st.method_tau,
            fixed(Some(a.tau), 4),
            h.i2.map_or("n/a".into(), |i| format!("{}%", fixed(Some(i), 1)))
        )
        .into(),
    );
    let mut splits = TableView::new(
        "pooled",
        format!(
            "Node-splitting (back-calculation): {effect} with {level}% CI; ratio = direct / \
             indirect"
        ),
        vec![
            left("Comparison"),
            right("k"),
            right("Direct %"),
            right("Direct"),
            right("Indirect"),
            right("Network"),
            right("Ratio"),
            right("p"),
        ],
    );
    for x in &a.node_split {
        let d = &x.difference;
        splits.row(vec![
            head(format!("{} vs {}", x.treatment, x.comparator)),
            num(x.k_direct.to_string()),
            num(fixed(Some(100.0 * x.direct_proportion), 1)),
            ci(x.direct.estimate, x.direct.lower, x.direct.upper),
            ci(x.indirect.estimate, x.indirect.lower, x.indirect.upper),
            ci(x.network.estimate, x.network.lower, x.network.upper),
            ci(d.estimate, d.lower, d.upper),
            num(fmt_p(Some(d.p))),
        ]);
    }
    if !splits.is_empty() {
        view.blocks.push(splits.into());
    }
    let mut studies = TableView::new(
        "studies",
        format!("Contrasts ({effect} with {level}% CI, as reported)"),
        vec![
            left("Study"),
            left("Comparison"),
            right("Estimate [CI]"),
            left("Design"),
            right("Data line"),
        ],
    );
    for x in &a.studies {
        studies.row(vec![
            text(x.study.as_str()),
            text(format!("{} vs {}", x.treatment, x.comparator)),
            ci(x.estimate, x.lower, x.upper),
            text(x.design.as_str()),
            lines(network_lines(input, &x.study)),
        ]);
    }
    view.after.push(studies.into());
    view.notes = notes(Vec::new(), Vec::new(), n.warnings.clone());
    view
}
